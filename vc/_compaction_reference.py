"""The compaction test's reference: pyld's expansion and compaction, compared after :func:`normalize`.

The oracle of the walk (:mod:`vc._compaction_walk`), and the answer wherever the
walk does not model a document.
"""

from __future__ import annotations

from collections.abc import Iterator

from vc import jsonld
from vc._compaction_form import _KEY_PUNS, FormProblem, FormReport, _join, _Path, _render
from vc.errors import MalformedDocumentError
from vc.ldterms import ActiveContext
from vc.types import JSONObject, JSONValue


def normalize(value: JSONValue, aliases: dict[str, str] | None = None) -> JSONValue:
    """The equivalences under which a round trip counts as giving the document back.

    A one-item list is its item (compaction writes a single value without brackets);
    a node with only an ``id`` is that id (compaction writes a reference to it as a
    string where the term expects an IRI); ``null`` and ``[]`` are absent (they carry
    no data) except as the value of a keyword; language tags compare without case (BCP 47; expansion lower-cases them);
    `aliases` maps type names to the one compaction writes for the same IRI (Open
    Badges' ``AchievementCredential`` for ``OpenBadgeCredential``), and the first Open
    Badges context.json's property/class pun (``achievement``) and its datatype-coerced
    ``image`` count as the specification's spelling. The checks read
    each of these forms the same way, or refuse it (a status entry's
    ``statusListCredential`` must be a string): never differently.
    """
    if isinstance(value, list):
        items = [normalize(v, aliases) for v in value if v is not None and v != []]
        return items[0] if len(items) == 1 else items
    if isinstance(value, dict):
        out = {
            _KEY_PUNS.get(k, k): normalize(v, aliases) if k != "type" else _types(v, aliases)
            for k, v in value.items()
            # An empty keyword member ("@type": [], "@context": []) changes no quad but
            # is no form compaction writes: it stays, so the round trip tells it apart.
            if (v is not None and v != []) or k.startswith("@")
        }
        language = out.get("@language")
        if isinstance(language, str):
            out["@language"] = language.lower()
        if list(out) == ["id"] and isinstance(out["id"], str):
            return out["id"]
        return out
    return value


class _TermNames(dict[str, str]):
    """Every type name without a colon reads as one: a term (whichever the contexts define)."""

    def get(self, key: str, default: str | None = None) -> str:  # type: ignore[override]
        return "(a term)" if ":" not in key and not key.startswith("@") else key


#: Type names compared as terms: at one place of a document and its round trip, two
#: terms stand for the same IRI (Open Badges defines AchievementCredential beside
#: OpenBadgeCredential, Criteria beside criteria); an IRI where a term could be stays
#: an IRI, and differs (SECURITY.md R03).
_TERM = _TermNames()


def _types(value: JSONValue, aliases: dict[str, str] | None) -> JSONValue:
    names = value if isinstance(value, list) else [value]
    mapped = [aliases.get(n, n) if aliases is not None and isinstance(n, str) else n for n in names]
    return mapped[0] if len(mapped) == 1 else mapped


def reference_roundtrip(document: JSONObject) -> tuple[list[str], JSONObject]:
    """The reference answer (pyld): the terms expansion drops, and the document compacted again.

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    for _, context in jsonld.local_contexts(document):
        if isinstance(context, dict) and jsonld.reserved_term(context) is not None:
            # pyld would warn and ignore the term: a context only partly applied.
            raise MalformedDocumentError(
                "an @context defines a term JSON-LD reserves", code="invalid_jsonld"
            )
    dropped: list[str] = []
    expanded = jsonld.expand(document, lambda t: dropped.append(t if t is not None else "(null)"))
    dropped.extend(jsonld.relative_references(expanded))
    dropped.extend(_blank_properties(expanded))
    context = document.get("@context")
    processor = jsonld.processor_class()()
    options = {"documentLoader": jsonld.document_loader, "compactToRelative": False}
    compacted: JSONObject = jsonld.run_pyld(
        lambda: processor.compact(expanded, {"@context": context}, options)
    )
    compacted.pop("@context", None)
    if context is not None:
        compacted = {"@context": context, **compacted}
    return sorted(set(dropped), key=dropped.index), compacted


def _blank_properties(expanded: JSONValue) -> Iterator[str]:
    stack: list[JSONValue] = [expanded]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key.startswith("_:"):
                    yield key
                stack.append(value)


def _first_difference(a: JSONValue, b: JSONValue, path: _Path = ()) -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in a or key not in b or a[key] != b[key]:
                if key in a and key in b:
                    return _first_difference(a[key], b[key], _join(path, key))
                return _render(_join(path, key))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, _join(path, index))
    return _render(path)


def _by_reference(
    document: JSONObject, skipped: dict[str, JSONValue], root: ActiveContext | None
) -> FormReport:
    undefined, compacted = reference_roundtrip(document)
    original = normalize(document, _TERM)
    again = normalize(compacted, _TERM)
    if (
        isinstance(original, dict)
        and isinstance(again, dict)
        and set(original) == {"@context", "id"}
        and set(again) == {"@context"}
    ):
        again = {**again, "id": original["id"]}  # expansion drops a node with no data
    # Dropped terms make any round trip differ; they are reported (and fail) as such.
    if original == again or undefined:
        return FormReport(undefined=tuple(undefined), reference=True)
    where = _first_difference(original, again)
    problem = FormProblem(
        where,
        "not written as its @context compacts it; a verifier reading members by name "
        "would not read what the signature covers",
    )
    return FormReport(
        undefined=tuple(undefined),
        problems=(problem,),
        view={**compacted, **skipped},
        reference=True,
    )
