"""The issuer's rule book: what a credential must be before laurel signs it.

    >>> from vc.issuance import check_unsigned
    >>> credential = {"@context": ["https://www.w3.org/ns/credentials/v2"],
    ...               "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
    ...               "credentialSubject": {"id": "did:example:alice"}}
    >>> check_unsigned(credential)
    []
    >>> [c.id for c in check_unsigned({**credential, "grade": "A", "credentialSubject": {}})]
    ['format.credential_subject', 'format.undefined_term']

laurel never signs what its own verifier would refuse. Before signing, a credential
goes through the checks the verifier runs on the document itself: the data model's
structure, contexts and terms (:func:`vc.model.check_format`), the digests of related
resources (:mod:`vc.resources`) and, for an Open Badge, the official Open Badges 3.0
JSON Schema (:func:`vc.schema.check_schema`). Every problem is reported at once, each
a failed check with the JSON path and what to write instead; the issuing paths raise
:class:`IssuanceRefusedError` with all of them.

A VC Data Model 1.1 credential (first context ``https://www.w3.org/2018/credentials/v1``)
is held to the 1.1 rules: ``issuanceDate`` instead of ``validFrom``, an id on every
status and refresh entry, and every term defined by its own contexts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Literal

from vc import jsonld
from vc.errors import LaurelError, MalformedDocumentError, UnknownContextError
from vc.model import check_format
from vc.resources import check_related_resources
from vc.results import CheckResult, Status
from vc.schema import check_schema
from vc.types import JSONObject, JSONValue

__all__ = [
    "DATA_INTEGRITY_V2",
    "DataModel",
    "IssuanceRefusedError",
    "check_unsigned",
    "data_model",
]

#: The Data Integrity context, added to a VC 1.1 credential before it is signed.
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"

DataModel = Literal["2.0", "1.1"]

# The structure checks of VC 2.0 that say the same for a VC 1.1 credential.
_SHARED_RULES = frozenset(
    {
        "format.type",
        "format.issuer",
        "format.id",
        "format.credential_subject",
        "format.credential_status",
        "format.credential_schema",
        "format.evidence",
        "format.refresh_service",
        "format.terms_of_use",
        "format.related_resource",
        "format.proof",
        "format.jsonld",
    }
)
# VC 1.1, "Issuance Date" and "Expiration": an XML Schema 1.1 dateTime (its time zone
# is optional, unlike VC 2.0's dateTimeStamp).
_DATE_TIME = re.compile(
    r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)
_TERMS_SHOWN = 3
_PATHS_SHOWN = 4
_MESSAGE_LIMIT = 300


class IssuanceRefusedError(LaurelError):
    """laurel refused to sign a credential: `problems` names every reason, each a failed check."""

    hint = "Fix each problem listed (the path says where), then issue again."

    def __init__(self, problems: Sequence[CheckResult], *, what: str = "the credential") -> None:
        if not problems:
            raise ValueError("a refusal needs at least one problem")
        self.problems = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        first = self.problems[0]
        super().__init__(
            f"laurel will not sign {what}: {count} {noun} ({_where(first)}{first.message}"
            + (" …)" if count > 1 else ")")
        )

    def lines(self) -> list[str]:
        """One line per problem: the JSON path, the check id and what to write instead."""
        return [f"{_where(p)}{p.message} [{p.id}]" for p in self.problems]

    def to_json(self) -> list[JSONValue]:
        """The problems as JSON objects: ``id``, ``path`` and ``message``."""
        out: list[JSONValue] = []
        for problem in self.problems:
            path = problem.details.get("path")
            out.append(
                {
                    "id": problem.id,
                    "path": path if isinstance(path, str) else "",
                    "message": problem.message,
                }
            )
        return out


def _where(problem: CheckResult) -> str:
    path = problem.details.get("path")
    return f"{path}: " if isinstance(path, str) and path else ""


def data_model(document: JSONObject) -> DataModel | None:
    """The VC Data Model version the first ``@context`` entry names, if either."""
    contexts = document.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first == jsonld.CREDENTIALS_V2:
        return "2.0"
    if first == jsonld.CREDENTIALS_V1:
        return "1.1"
    return None


def check_unsigned(credential: JSONObject) -> list[CheckResult]:
    """Every reason laurel would refuse to sign `credential`; empty when it may be signed.

    The credential is checked as it will be signed: complete (issuer, dates and
    status entries filled in), without a proof. Never raises for bad input.

    Raises:
        TypeError: `credential` is not a dict (a programming error).
    """
    if not isinstance(credential, dict):
        raise TypeError(f"check_unsigned takes a JSON object, not {type(credential).__name__}")
    problems: list[CheckResult] = []
    if "proof" in credential:
        problems.append(
            CheckResult.failed(
                "format.already_signed",
                "the credential already carries a proof; send it unsigned",
                path="proof",
            )
        )
    if data_model(credential) == "1.1":
        problems.extend(_check_v11(credential))
    else:
        problems.extend(_failed(check_format(credential, require_issuer=True)))
    problems.extend(check_related_resources(credential))
    problems.extend(_failed(check_schema(credential)))
    return _unique(_explained(credential, problems))


def _failed(checks: Iterable[CheckResult]) -> list[CheckResult]:
    return [c for c in checks if c.status is Status.FAILED]


def _unique(problems: list[CheckResult]) -> list[CheckResult]:
    seen: set[tuple[str, str]] = set()
    out: list[CheckResult] = []
    for problem in problems:
        key = (problem.id, problem.message)
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


# --- undefined terms: where each one is, and what was probably meant ------------------


def _explained(credential: JSONObject, problems: list[CheckResult]) -> list[CheckResult]:
    out: list[CheckResult] = []
    for problem in problems:
        terms = problem.details.get("terms")
        if problem.id != "format.undefined_term" or not isinstance(terms, list):
            out.append(problem)
            continue
        known = _context_terms(credential.get("@context"))
        for term in terms:
            if isinstance(term, str):
                out.append(_undefined_term(credential, term, known))
    return out


def _undefined_term(credential: JSONObject, term: str, known: set[str]) -> CheckResult:
    paths = list(_term_paths(credential, term))
    where = paths[0] if paths else ""
    guess = difflib.get_close_matches(term, sorted(known), n=1, cutoff=0.75)
    instead = (
        f"did you mean {guess[0]!r}?"
        if guess
        else "use a property or type the contexts define, or add a context that defines it"
    )
    also = f" (also at {', '.join(paths[1:_PATHS_SHOWN])})" if len(paths) > 1 else ""
    return CheckResult.failed(
        "format.undefined_term",
        f"no @context defines {term[:60]!r}{also}, so a signature would not cover it; {instead}",
        path=where,
        terms=[term[:60]],
    )


def _term_paths(node: JSONValue, term: str, path: str = "") -> Iterator[str]:
    # Where `term` is used: as a member name, or as a value of `type`.
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _term_paths(item, term, f"{path}[{index}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "proof"):
                continue
            at = f"{path}.{key}" if path else key
            if key == term:
                yield at
            if key in ("type", "@type") and (
                value == term or (isinstance(value, list) and term in value)
            ):
                yield at
            yield from _term_paths(value, term, at)


def _context_terms(contexts: JSONValue) -> set[str]:
    # The terms the document's own contexts define, scoped contexts included.
    terms: set[str] = set()
    stack: list[JSONValue] = list(contexts) if isinstance(contexts, list) else [contexts]
    seen: set[str] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, str) and item not in seen:
            seen.add(item)
            try:
                stack.append(jsonld.load_context(item).get("@context"))
            except LaurelError:
                continue
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if not key.startswith("@"):
                    terms.add(key)
                if isinstance(value, dict) and "@context" in value:
                    stack.append(value["@context"])
    return terms


# --- VC Data Model 1.1 -----------------------------------------------------------------


def _check_v11(credential: JSONObject) -> list[CheckResult]:
    # The 2.0 structure rules that 1.1 shares run on a view of the credential with
    # the 2.0 base context; dates, contexts and terms are then checked by the 1.1 rules.
    contexts = credential.get("@context")
    view: JSONObject = {
        key: value
        for key, value in credential.items()
        if key not in ("issuanceDate", "expirationDate", "@context")
    }
    view["@context"] = [jsonld.CREDENTIALS_V2]
    problems = [
        c
        for c in _failed(check_format(view, require_issuer=True))
        if c.id in _SHARED_RULES
        and not (c.id == "format.jsonld" or c.details.get("path") == "@context")
    ]
    problems.extend(_v11_dates(credential))
    problems.extend(_v11_identified(credential))
    if isinstance(contexts, list) and all(isinstance(c, str) for c in contexts):
        problems.extend(_undefined_terms(credential))
    else:
        problems.append(
            CheckResult.failed(
                "format.context",
                "a VC 1.1 credential's @context must be a list of bundled context URLs",
                path="@context",
            )
        )
    return problems


def _v11_dates(credential: JSONObject) -> list[CheckResult]:
    problems: list[CheckResult] = []
    for key, required in (("issuanceDate", True), ("expirationDate", False)):
        value = credential.get(key)
        if value is None and not required:
            continue
        if not (isinstance(value, str) and _DATE_TIME.fullmatch(value)):
            shown = "missing" if value is None else "not an XML Schema dateTime"
            problems.append(
                CheckResult.failed(
                    "format.validity_dates",
                    f"{key} is {shown}; write a date and time like 2024-01-01T00:00:00Z (VC 1.1)",
                    path=key,
                )
            )
    for key in ("validFrom", "validUntil"):
        if key in credential:
            other = "issuanceDate" if key == "validFrom" else "expirationDate"
            problems.append(
                CheckResult.failed(
                    "format.validity_dates",
                    f"{key} is a VC 2.0 property; a VC 1.1 credential states {other}",
                    path=key,
                )
            )
    return problems


def _v11_identified(credential: JSONObject) -> list[CheckResult]:
    # VC 1.1, "Status" and "Refreshing": each entry "MUST include" an id and a type.
    problems: list[CheckResult] = []
    for key in ("credentialStatus", "refreshService"):
        value = credential.get(key)
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for index, item in enumerate(items):
            if isinstance(item, dict) and "id" not in item:
                path = key if not isinstance(value, list) else f"{key}[{index}]"
                problems.append(
                    CheckResult.failed(
                        f"format.{_snake(key)}",
                        f"{path} has no id; a VC 1.1 {key} entry needs a URL id",
                        path=f"{path}.id",
                    )
                )
    return problems


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _undefined_terms(credential: JSONObject) -> list[CheckResult]:
    try:
        terms = jsonld.undefined_terms(credential)
    except UnknownContextError as exc:
        return [
            CheckResult.failed(
                "format.context",
                f"{exc.message[:150]}; laurel never fetches contexts",
                path="@context",
            )
        ]
    except MalformedDocumentError as exc:
        return [
            CheckResult.failed(
                "format.jsonld", f"JSON-LD processing fails: {exc.message[:150]}", path="@context"
            )
        ]
    if not terms:
        return []
    shown = ", ".join(repr(t[:60]) for t in terms[:_TERMS_SHOWN])
    more = f" and {len(terms) - _TERMS_SHOWN} more" if len(terms) > _TERMS_SHOWN else ""
    message = f"no @context defines {shown}{more}, so a signature would not cover it; define it in a context"
    return [
        CheckResult.failed(
            "format.undefined_term",
            message[:_MESSAGE_LIMIT],
            path="",
            terms=[t[:60] for t in terms[:10]],
        )
    ]
