"""The ``proof.context`` check: every JSON-LD ``@context`` of a document bundled and pinned."""

from __future__ import annotations

from vc import jsonld
from vc.jsontext import key_count, nested_objects_with
from vc.results import CheckResult
from vc.types import JSONObject
from verifier.check_context import short

__all__ = ["check_contexts"]


def check_contexts(
    document: JSONObject, *, skip: frozenset[str] = frozenset(), nested: bool | None = None
) -> CheckResult:
    """Data Integrity, "Context Validation": every @context is bundled, none inline or nested.

    The examples contexts (``@vocab``: every term "defined") pass with a warning.
    `skip` names top-level members validated on their own (a presentation's
    ``verifiableCredential``). `nested` is whether an @context may be nested below
    the top, when the caller already knows (``DocumentForm.contexts_below``).
    """
    contexts = document.get("@context")
    entries = contexts if isinstance(contexts, list) else [contexts]
    examples: list[str] = []
    for entry in entries:
        if not isinstance(entry, str):
            return CheckResult.failed(
                "proof.context",
                "the document defines an inline @context; only bundled contexts are trusted",
            )
        if entry not in jsonld.PINNED_CONTEXTS:
            return CheckResult.failed(
                "proof.context", f"context {short(entry)} is not one laurel knows and pins"
            )
        if entry in jsonld.EXAMPLE_CONTEXTS:
            examples.append(entry)
    if nested is None:
        nested = key_count(document, "@context", skip=skip | {"proof", "@context"}) > 0
    nested_contexts = (
        (
            node["@context"]
            for node in nested_objects_with(document, "@context", skip=skip | {"proof"})
        )
        if nested
        else iter(())
    )
    for inner in nested_contexts:
        # An embedded credential (an EndorsementCredential in issuer.endorsement or
        # achievement.endorsement) carries its own @context: fine when it is made only
        # of bundled, pinned URLs, which JSON-LD processes like the document's own.
        nested_entries = inner if isinstance(inner, list) else [inner]
        unknown = [
            e for e in nested_entries if not (isinstance(e, str) and e in jsonld.PINNED_CONTEXTS)
        ]
        if unknown:
            return CheckResult.failed(
                "proof.context",
                f"an @context nested inside the document is not made of bundled, pinned "
                f"contexts ({short(unknown[0])})",
            )
        if not nested_entries:
            # An empty one changes nothing a processor reads, so it is a member the
            # signature does not cover (found by the generated edits).
            return CheckResult.failed(
                "proof.context", "an @context nested inside the document is empty"
            )
        examples.extend(e for e in nested_entries if e in jsonld.EXAMPLE_CONTEXTS)
    if examples:
        return CheckResult.warning(
            "proof.context",
            "uses an examples context, which defines every term (@vocab): fine for tests, not for real badges",
            contexts=list(dict.fromkeys(examples)),
        )
    return CheckResult.passed("proof.context", "every @context is a bundled, pinned context")
