"""The ``format`` check of ``@context``, ``type`` and JSON-LD: bundled contexts, defined terms, compacted form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vc import compaction, jsonld
from vc._format_report import (
    PRESENTATION_TYPE,
    Report,
    describe,
    is_url,
    join,
    objects,
    quote,
    shorten,
    strings,
)
from vc.compaction import FormReport
from vc.errors import LaurelError, MalformedDocumentError, UnknownContextError
from vc.jsontext import key_count, nested_objects_with
from vc.types import JSONObject, JSONValue

__all__ = [
    "DocumentForm",
    "check_context",
    "check_context_references",
    "check_terms",
    "check_type",
    "inspect_form",
]

#: How many undefined terms a failure names (the details list a few more).
TERMS_IN_MESSAGE = 3
TERMS_IN_DETAILS = 10

_PYLD_UNSET_KEYS = frozenset({"@vocab", "@language", "@direction"})


def check_context(document: JSONObject, report: Report, path: str) -> None:
    # VC 2.0 "Contexts": an ordered set whose first item is the v2 URL; the
    # others are URLs or objects, each processable as a JSON-LD context.
    where = join(path, "@context")
    if "@context" not in document:
        report.contexts_ok = False
        report.fail(
            "context",
            f"there is no @context; its first entry must be {jsonld.CREDENTIALS_V2!r}",
            where,
        )
        return
    value = document["@context"]
    entries = value if isinstance(value, list) else [value]
    if not entries:
        report.contexts_ok = False
        report.fail(
            "context",
            f"@context is empty; its first entry must be {jsonld.CREDENTIALS_V2!r}",
            where,
        )
        return
    first = entries[0]
    first_at = join(where, 0) if isinstance(value, list) else where
    # VC 1.1 "Contexts": the first item is https://www.w3.org/2018/credentials/v1; such a
    # document is checked with the 1.1 rules (issuanceDate, expirationDate).
    known = (jsonld.CREDENTIALS_V2, jsonld.CREDENTIALS_V1)
    if first not in known:
        report.fail(
            "context",
            f"the first @context entry is {describe(first)}; it must be {jsonld.CREDENTIALS_V2!r}"
            f" (VC 2.0) or {jsonld.CREDENTIALS_V1!r} (VC 1.1)",
            first_at,
        )
    elif any(entry in known and entry != first for entry in entries[1:]):
        report.fail(
            "context",
            "@context names both the VC 1.1 and the VC 2.0 base contexts; a document follows one",
            where,
        )
    for index, entry in enumerate(entries):
        if isinstance(entry, dict) or (isinstance(entry, str) and is_url(entry)):
            continue
        # Whether a URL is bundled is checked with every other context reference.
        report.contexts_ok = False
        at = join(where, index) if isinstance(value, list) else where
        if isinstance(entry, str):
            report.bad_iris.add(entry)
        if at != first_at or first in known:
            report.fail(
                "context", f"@context entry {describe(entry)} is neither a URL nor an object", at
            )


def check_context_references(document: JSONObject, report: Report) -> None:
    # Contexts: laurel processes only its bundled, pinned contexts, and no
    # context a JSON-LD processor would only partly apply.
    for at, context in jsonld.local_contexts(document):
        if isinstance(context, dict):
            term = jsonld.reserved_term(context)
            if term is not None:
                report.contexts_ok = False
                report.fail(
                    "context",
                    f"@context defines {quote(term)}, which JSON-LD reserves and ignores",
                    at,
                )
            continue
        if not isinstance(context, str) or context in jsonld.PINNED_CONTEXTS:
            continue  # the structure checks and JSON-LD report the others
        report.contexts_ok = False
        if at in report.paths:
            continue
        if not is_url(context):
            report.bad_iris.add(context)
            report.fail("context", f"@context reference {describe(context)} is not a URL", at)
        else:
            report.fail(
                "context",
                f"@context {quote(context)} is not bundled with laurel, which never fetches contexts",
                at,
                context=shorten(context),
            )


def check_type(document: JSONObject, report: Report, path: str, required: str | None) -> None:
    # VC 2.0 "Types": one or more terms or absolute URLs; VerifiableCredential
    # (or VerifiablePresentation) among them.
    where = join(path, "type")
    needed = repr(required) if required else "'VerifiableCredential' or 'VerifiablePresentation'"
    if "type" not in document:
        report.fail("type", f"there is no type; it must include {needed}", where)
        return
    value = document["type"]
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item for item in items):
        report.fail(
            "type", f"type is {describe(value)}; it must be one or more non-empty strings", where
        )
        return
    if required is None or required not in items:
        report.fail("type", f"type must include {needed}", where)


# --- JSON-LD: terms no context defines, and the compacted form ---------------------


@dataclass(frozen=True, slots=True)
class DocumentForm:
    """What :func:`inspect_form` found for a document and each credential it embeds.

    `reports` pairs a JSON path prefix ("" for the document itself,
    ``verifiableCredential[0]`` for an embedded credential) with its report, or with
    the error that stopped JSON-LD processing.
    """

    reports: tuple[tuple[str, FormReport | LaurelError], ...]
    #: Per part, as in `reports`: whether an ``@context`` may be nested below its top
    #: (a count of member names, never fewer), so the context check need not ask again.
    nested: tuple[tuple[str, bool], ...] = ()

    def contexts_below(self, path: str = "") -> bool | None:
        """Whether an ``@context`` may be nested in the part at `path`; None when not looked at."""
        for at, found in self.nested:
            if at == path:
                return found
        return None

    @property
    def walked(self) -> bool:
        """Whether the compaction walk answered for every part (contexts all bundled URLs)."""
        return all(isinstance(r, FormReport) and not r.reference for _, r in self.reports)

    def view(self, path: str = "") -> JSONObject | None:
        """The compacted form the checks should read at `path`, when it differs."""
        for at, report in self.reports:
            if at == path and isinstance(report, FormReport):
                return report.view
        return None


def inspect_form(document: JSONObject) -> DocumentForm:
    """Inspect `document` (and each credential a presentation embeds) with :func:`vc.compaction.inspect`.

    A presentation is judged without its ``verifiableCredential`` member, and each
    embedded credential on its own, since each is signed on its own.
    """
    reports: list[tuple[str, FormReport | LaurelError]] = []
    embedded = document.get("verifiableCredential")
    is_presentation = PRESENTATION_TYPE in strings(document.get("type"))
    skip = frozenset({"proof", "verifiableCredential"} if is_presentation else {"proof"})
    parts: list[tuple[str, JSONObject, frozenset[str]]] = [("", document, skip)]
    if is_presentation:
        for index, item in objects(embedded):
            if isinstance(item, dict):
                at = "verifiableCredential" if index is None else f"verifiableCredential[{index}]"
                parts.append((at, item, frozenset({"proof"})))
    nested: list[tuple[str, bool]] = []
    for at, part, part_skip in parts:
        below = key_count(part, "@context", skip=part_skip | {"@context"}) > 0
        nested.append((at, below))
        try:
            judged = _without_restated_contexts(part, part_skip, below)
            reports.append((at, compaction.inspect(judged, skip=part_skip)))
        except (UnknownContextError, MalformedDocumentError) as exc:
            reports.append((at, exc))
    return DocumentForm(tuple(reports), tuple(nested))


def _strip_nested(node: JSONValue, top: bool) -> JSONValue:
    if isinstance(node, list):
        return [_strip_nested(item, False) for item in node]
    if isinstance(node, dict):
        return {
            k: (v if top and k == "@context" else _strip_nested(v, False))
            for k, v in node.items()
            if top or k != "@context"
        }
    return node


def _without_restated_contexts(part: JSONObject, skip: frozenset[str], below: bool) -> JSONObject:
    """`part` without the nested @contexts that change nothing, else `part` itself.

    An embedded credential (an EndorsementCredential in ``issuer.endorsement``) carries
    its own @context, so that it stands alone once taken out of the badge. When every
    nested @context is made of bundled, pinned URLs and the document expands to the
    same data with and without them, they restate what the document's own contexts
    say: the compacted-form test is made without them (compaction never writes a
    nested @context back). Otherwise the document is judged as it is, and refused.
    """
    if not below:
        return part
    nested = list(nested_objects_with(part, "@context", skip=skip))
    if not nested:
        return part
    for node in nested:
        value = node["@context"]
        entries = value if isinstance(value, list) else [value]
        if not entries or not all(
            isinstance(e, str) and e in jsonld.PINNED_CONTEXTS for e in entries
        ):
            return part
    body = {k: v for k, v in part.items() if k not in skip}
    stripped = _strip_nested(body, True)
    assert isinstance(stripped, dict)  # noqa: S101 (a dict stays a dict)
    if jsonld.expand(body) != jsonld.expand(stripped):
        return part
    return {**stripped, **{k: part[k] for k in skip if k in part}}


def check_terms(document: JSONObject, report: Report, form: DocumentForm | None) -> None:
    # VC 2.0 "Contexts" and Data Integrity: every term and type must be defined (a
    # term JSON-LD drops is not signed), every IRI absolute, and the document the
    # compacted form of its contexts (or the checks would not read what is signed).
    form = form if form is not None else inspect_form(document)
    terms: list[str] = []
    for at, found in form.reports:
        if isinstance(found, UnknownContextError):
            report.fail(
                "context",
                f"{found.message[:150]}; laurel never fetches contexts",
                join(at, "@context"),
            )
            continue
        if isinstance(found, LaurelError):
            reason = found.message.removeprefix("invalid JSON-LD: ")[:100]
            report.fail(
                "jsonld",
                f"JSON-LD processing fails ({reason}); fix the @context or the value it names",
                join(at, "@context"),
            )
            continue
        terms.extend(term for term in found.undefined if term not in report.bad_iris)
        for problem in found.problems[:TERMS_IN_DETAILS]:
            where = join(at, problem.path) if problem.path else at
            report.fail(
                "not_compacted",
                f"{where or 'the document'}: {problem.message}; the document must be the "
                "compacted form of its own @context",
                where,
            )
    terms = list(dict.fromkeys(terms))
    if not terms:
        return
    shown = ", ".join(quote(term) for term in terms[:TERMS_IN_MESSAGE])
    more = f" and {len(terms) - TERMS_IN_MESSAGE} more" if len(terms) > TERMS_IN_MESSAGE else ""
    pronoun = "it" if len(terms) == 1 else "them"
    report.fail(
        "undefined_term",
        f"no @context defines {shown}{more}, so a signature would not cover {pronoun}; define {pronoun} in a context",
        "",
        terms=shorten_all(terms[:TERMS_IN_DETAILS]),
    )


def shorten_all(values: Iterable[str]) -> list[JSONValue]:
    return [shorten(value) for value in values]
