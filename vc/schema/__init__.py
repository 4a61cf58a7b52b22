"""The verifier's ``schema`` check: Open Badges 3.0 structure against the official JSON Schema.

    >>> from vc.schema import check_schema
    >>> [c.id for c in check_schema({"type": ["VerifiableCredential", "OpenBadgeCredential"]})]
    ['schema.context', 'schema', 'schema.credential_subject', 'schema.issuer', 'schema.dates']
    >>> check_schema({"type": ["VerifiablePresentation"]})[0].status.value
    'skipped'

The schema is 1EdTech's ``ob_v3p0_achievementcredential_schema.json`` (JSON Schema
draft 2019-09), bundled next to this module and never fetched: every ``$ref`` in it
is local, and the validator's registry holds that one resource and nothing that
could retrieve another. Each distinct problem is its own failed check, named after
the part of the credential it is in (``schema.issuer``, ``schema.achievement``, ...).

Two readings go beyond the letter of the schema, both because OB 3.0 credentials
are JSON-LD, where a single value and a one-item array are the same data:

- a single ``proof`` object is read as a one-item list, silently: the VC Data Model
  allows it and nearly every real badge has exactly one proof;
- any other single value where the schema wants an array (``"type": "Profile"``)
  is read the same way, but reported as a ``schema.compaction`` warning, as the
  1EdTech validator does when only its JSON-LD schema accepts a credential:
  OB 3.0, "Serialization", says plain JSON represents sets as arrays.

`jsonschema` is imported on first use (it costs tens of milliseconds), and the
validators are built once per process.
"""

from __future__ import annotations

from vc.jsonld import CREDENTIALS_V1
from vc.jsontext import MAX_DEPTH
from vc.results import CheckResult, Status
from vc.schema._errors import (
    MAX_PROBLEMS,
    Path,
    compaction_warning,
    failures,
    leaf_errors,
    pointer,
    read_compacted,
)
from vc.schema._validators import SCHEMA_FILE, fast_validators, validators
from vc.schema.credential_schema import check_credential_schema
from vc.types import JSONObject

__all__ = ["MAX_PROBLEMS", "SCHEMA_FILE", "check_credential_schema", "check_schema"]

_OB3_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
_ENDORSEMENT_TYPE = "EndorsementCredential"
_PRESENTATION_TYPE = "VerifiablePresentation"
_OB3_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/"
# Bounds for input that did not come through vc.jsontext.parse_document: jsonschema
# recurses about four frames per level, and builds messages with repr(), which
# raises for integers over Python's 4,300-digit limit.
_MAX_NODES = 2_000_000
_MAX_INT_BITS = 13_000


def check_schema(document: object) -> list[CheckResult]:
    """Validate an Open Badges 3.0 credential against the official OB 3.0 JSON Schema.

    Returns one passed ``schema`` check, a ``schema.compaction`` warning, or one
    failed ``schema`` / ``schema.<part>`` check per distinct problem (at most
    :data:`MAX_PROBLEMS`, plus one that counts the rest). Anything that is not an
    OB 3.0 credential (a presentation, another kind of credential, not an object)
    gives one skipped ``schema`` check. Never raises for bad input.
    """
    if not isinstance(document, dict):
        return [CheckResult.skipped("schema", "not an Open Badges 3.0 credential")]
    target = _target(document)
    if isinstance(target, CheckResult):
        return [target]
    limit = _beyond_limits(document)
    if limit is not None:
        return [CheckResult.failed("schema", f"not validated: {limit}", path="")]
    instance = dict(document)
    wrapped: set[Path] = set()
    if isinstance(instance.get("proof"), dict):
        instance["proof"] = [instance["proof"]]
        wrapped.add(("proof",))
    statuses = instance.get("credentialStatus")
    if isinstance(statuses, list) and statuses and all(isinstance(s, dict) for s in statuses):
        # VC 2.0 allows several status entries (laurel issues revocation and
        # suspension); the OB 3.0 schema types credentialStatus as one object, so
        # each entry is validated in that place, and every problem is reported.
        fast = fast_validators()
        first = {**instance, "credentialStatus": statuses[0]}
        if fast[target](first) and all(
            fast[
                "credential_status" + target.removeprefix("achievement").removeprefix("endorsement")
            ](x)
            for x in statuses[1:]
            if isinstance(x, dict)
        ):
            return [CheckResult.passed("schema", _passed_message(target))]
        results: list[CheckResult] = []
        for status in statuses:
            for check in _check_instance(target, {**instance, "credentialStatus": status}, wrapped):
                if check not in results:
                    results.append(check)
        failed = [c for c in results if c.status is not Status.PASSED]
        return failed or results[:1]
    return _check_instance(target, instance, wrapped)


def _check_instance(target: str, instance: JSONObject, wrapped: set[Path]) -> list[CheckResult]:
    if fast_validators()[target](instance):
        return [CheckResult.passed("schema", _passed_message(target))]
    # jsonschema, and its detailed errors, only to explain a failure.
    validator = validators()[target]
    wrapped = set(wrapped)
    errors = leaf_errors(validator, instance)
    if errors:
        errors = read_compacted(validator, instance, errors, wrapped)
    if errors:
        return failures(errors, wrapped)
    compacted = sorted((p for p in wrapped if p[-1] != "proof"), key=pointer)
    if compacted:
        return [compaction_warning(compacted, wrapped)]
    return [CheckResult.passed("schema", _passed_message(target))]


def _target(document: JSONObject) -> str | CheckResult:
    """Which schema applies: ``achievement``, ``endorsement``, or why none does."""
    types = _strings(document.get("type"))
    if _PRESENTATION_TYPE in types:
        return CheckResult.skipped(
            "schema", "a presentation: the schema is checked on each credential it carries"
        )
    # A badge is judged by the schema of its data model's era (VC 1.1: issuanceDate).
    contexts = document.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    era = "-1.1" if first == CREDENTIALS_V1 else ""
    if types & _OB3_TYPES:
        return f"achievement{era}"
    if _ENDORSEMENT_TYPE in types:
        return f"endorsement{era}"
    if any(c.startswith(_OB3_CONTEXT_PREFIX) for c in _strings(document.get("@context"))):
        # Issue #13: a credential that uses the Open Badges context without being a
        # badge (a CLR, a course record) is not judged by the badge's schema.
        return CheckResult.skipped(
            "schema",
            "uses the Open Badges context but is not an OpenBadgeCredential, "
            "AchievementCredential or EndorsementCredential",
        )
    return CheckResult.skipped("schema", "not an Open Badges 3.0 credential")


def _passed_message(target: str) -> str:
    kind = "EndorsementCredential" if target.startswith("endorsement") else "AchievementCredential"
    era = ", VC 1.1 era" if target.endswith("-1.1") else ""
    return f"matches the official Open Badges 3.0 JSON Schema ({kind}{era})"


def _strings(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def _beyond_limits(document: JSONObject) -> str | None:
    """Why `document` is too big for the validator to walk safely, if it is."""
    # Iterative, level by level: the point is not to recurse on untrusted depth.
    level: list[object] = [document]
    depth, seen = 1, 0
    while level:
        seen += len(level)
        if seen > _MAX_NODES:
            return "the document has too many values"
        below: list[object] = []
        for node in level:
            kind = type(node)
            if kind is dict:
                below.extend(node.values())  # type: ignore[attr-defined]
            elif kind is list:
                below.extend(node)  # type: ignore[arg-type]
            elif kind is int and node.bit_length() > _MAX_INT_BITS:  # type: ignore[attr-defined]
                return "the document holds a number too large to read"
        if below and depth >= MAX_DEPTH:
            return f"the document is nested deeper than {MAX_DEPTH} levels"
        level, depth = below, depth + 1
    return None
