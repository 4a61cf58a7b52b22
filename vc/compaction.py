"""Whether a document is the compacted form of its own contexts: what is read is what is signed.

An ``eddsa-rdfc-2022`` signature covers the RDF dataset of a document, not its JSON.
Many JSON documents have the same dataset: ``credentialStatus`` may be written under
its full IRI, ``validUntil`` as a value object, ``type`` as ``@type``... A verifier
that reads JSON members by name would then miss a revocation or an expiry while the
signature still verifies (SECURITY.md R01-R04). So laurel requires every document to be
in the form its own contexts produce: **expanding it and compacting it again with the
same contexts gives it back** (up to the equivalences listed in :func:`normalize`),
and a few JSON-LD features that move data out of the members the checks read
(``@included``, ``@reverse``, ``@nest``, ``@graph`` objects, a node repeating the
document's own ``id``) are refused outright.

The test is done by a walk over the JSON with the compiled term tables of
:mod:`vc.ldterms` (the same steps as the JSON-LD 1.1 Expansion Algorithm, without
building the expanded output). Whatever the walk does not model (``@vocab``, inline
or nested contexts, list and map containers, term selection among several terms for
one IRI, compact IRIs) it hands to the reference: pyld's expansion and compaction,
compared after :func:`normalize`. Both answer the same on every fixture and on
generated documents (``tests/vc/test_compaction.py``).

    >>> from vc.compaction import inspect
    >>> credential = {"@context": ["https://www.w3.org/ns/credentials/v2"],
    ...               "type": ["VerifiableCredential"], "issuer": "did:example:1",
    ...               "credentialSubject": {"id": "did:example:2"}}
    >>> inspect(credential).compacted
    True
    >>> moved = dict(credential)
    >>> moved["https://www.w3.org/2018/credentials#issuer"] = {"id": moved.pop("issuer")}
    >>> report = inspect(moved)
    >>> report.compacted, report.problems[0].path
    (False, 'https://www.w3.org/2018/credentials#issuer')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from vc import ldterms
from vc._compaction_form import _KEYWORD, _NODE_KEYWORDS, FormProblem, FormReport, _Fallback
from vc._compaction_reference import _by_reference, normalize, reference_roundtrip
from vc._compaction_walk import _Walk
from vc.ldterms import ActiveContext
from vc.types import JSONObject, JSONValue

__all__ = [
    "FormProblem",
    "FormReport",
    "inspect",
    "normalize",
    "reference",
    "reference_roundtrip",
    "walk",
]


def _root_context(document: JSONObject) -> ActiveContext | None:
    context = document.get("@context")
    urls = context if isinstance(context, list) else [context]
    if not urls or not all(isinstance(u, str) for u in urls):
        return None
    return ldterms.root_context(tuple(u for u in urls if isinstance(u, str)))


def walk(document: JSONObject, *, skip: frozenset[str] = frozenset({"proof"})) -> FormReport | None:
    """The fast answer of :func:`inspect`, or None where the walk does not model the document.

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    body = {k: v for k, v in document.items() if k not in skip}
    root = _root_context(body)
    if root is None:
        return None
    identifier = body.get(root.id_alias or "id")
    if set(body) <= {"@context", root.id_alias or "id"}:
        return FormReport()  # no data at all: nothing a verifier could misread
    walker = _Walk(root_id=identifier if isinstance(identifier, str) else None)
    try:
        walker.node(root, None, body, ())
    except _Fallback:
        return None
    found = tuple(dict.fromkeys(walker.undefined))
    if not walker.problems:
        return FormReport(undefined=found)
    # Not compacted: the reference gives the view the checks should read.
    skipped = {k: document[k] for k in skip if k in document}
    view = _by_reference(body, skipped, root).view
    return FormReport(undefined=found, problems=tuple(walker.problems), view=view or document)


def _stray_keywords(value: JSONValue) -> Iterator[str]:
    # Null members, empty lists, and keyword members outside _NODE_KEYWORDS, anywhere but
    # in an @context.
    stack: list[JSONValue] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                if key == "@context":
                    continue
                if (_KEYWORD.match(key) and key not in _NODE_KEYWORDS) or inner in (None, []):
                    yield key
                stack.append(inner)


def reference(document: JSONObject, *, skip: frozenset[str] = frozenset({"proof"})) -> FormReport:
    """The answer of :func:`inspect` by pyld's round trip alone (the oracle of the walk).

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    body = {k: v for k, v in document.items() if k not in skip}
    skipped = {k: document[k] for k in skip if k in document}
    return _by_reference(body, skipped, _root_context(body))


def inspect(
    document: JSONObject,
    *,
    skip: frozenset[str] = frozenset({"proof"}),
    on_reference: Callable[[], None] | None = None,
) -> FormReport:
    """Report whether `document` (less its `skip` members) is the compaction of its contexts.

    `skip` names top-level members judged on their own (proofs; a presentation's
    ``verifiableCredential``). `on_reference` is called when pyld had to decide.

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    fast = walk(document, skip=skip)
    if fast is not None:
        return fast
    body = {k: v for k, v in document.items() if k not in skip}
    stray = next(_stray_keywords(body), None)
    if stray is not None:
        # pyld keeps such a member through a round trip; the walk refuses it, and so does
        # this path, wherever the walk stopped first.
        problem = FormProblem(
            stray,
            f"{stray} is null, an empty list or a JSON-LD keyword no credential holds",
            strict=True,
        )
        return FormReport(undefined=(), problems=(problem,), view=None, reference=True)
    if on_reference is not None:
        on_reference()
    return reference(document, skip=skip)
