"""A credential's own ``credentialSchema``: validate it against the JSON Schema it names.

Open Badges 3.0, "1EdTech JSON Schema Validator 2019": a ``credentialSchema`` entry of
type ``1EdTechJsonSchemaValidator2019`` names a JSON Schema the credential must match;
VC Data Model 2.0's ``JsonSchema`` type (VC JSON Schema) means the same. The
published Open Badges 3.0 schemas (AchievementCredential and EndorsementCredential)
are bundled and pinned, never fetched. 1EdTech served the VC 1.1-era schemas at the
same URLs until April 2024, so a VC 1.1 badge (``issuanceDate``) is validated against
the schema that URL served when it was issued, a VC 2.0 badge against today's.

Any other schema URL is fetched through the `fetch` callable the caller passes in
(the verifier passes its guarded fetcher), with no ``$ref`` retrieval beyond that one
document; without `fetch` it is a warning, never a silent pass.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from vc.errors import LaurelError
from vc.jsontext import parse_document
from vc.results import CheckResult
from vc.types import JSONObject, JSONValue

__all__ = ["BUNDLED_SCHEMAS", "SCHEMA_TYPES", "check_credential_schema"]

#: The credentialSchema types validated as JSON Schema.
SCHEMA_TYPES = frozenset({"1EdTechJsonSchemaValidator2019", "JsonSchema"})

_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/schema/"
_ACHIEVEMENT = {
    "2.0": "ob_v3p0_achievementcredential_schema.json",
    "1.1": "schemas/vc1.1/ob_v3p0_achievementcredential_schema.json",
}
_ENDORSEMENT = {
    "2.0": "schemas/ob_v3p0_endorsementcredential_schema.json",
    "1.1": "schemas/vc1.1/ob_v3p0_endorsementcredential_schema.json",
}
#: Published schema URL -> the bundled file (in the `vc` package) for each data model era.
BUNDLED_SCHEMAS: dict[str, dict[str, str]] = {
    _BASE + "json/ob_v3p0_achievementcredential_schema.json": _ACHIEVEMENT,
    _BASE + "json-ld/ob_v3p0_achievementcredential_schema.json": _ACHIEVEMENT,
    _BASE + "json/ob_v3p0_endorsementcredential_schema.json": _ENDORSEMENT,
    _BASE + "json-ld/ob_v3p0_endorsementcredential_schema.json": _ENDORSEMENT,
}
_MAX_ENTRIES = 4
_MAX_SCHEMA_BYTES = 512 * 1024
_V1 = "https://www.w3.org/2018/credentials/v1"

Fetch = Callable[[str], bytes]


@functools.cache
def _bundled(name: str) -> Any:
    from jsonschema import Draft201909Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT201909

    from vc.schema._validators import format_checker, load_schema

    schema = load_schema(name)  # checks the pin
    registry = Registry().with_resource(str(schema["$id"]), DRAFT201909.create_resource(schema))
    return Draft201909Validator(schema, registry=registry, format_checker=format_checker())


def _fetched(url: str, fetch: Fetch) -> Any:
    from jsonschema import Draft201909Validator, validators
    from jsonschema.exceptions import SchemaError
    from referencing import Registry

    from vc.schema._validators import format_checker

    schema = parse_document(fetch(url), max_bytes=_MAX_SCHEMA_BYTES)
    cls = validators.validator_for(schema, default=Draft201909Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        raise LaurelError(f"the schema at {url[:120]} is not a valid JSON Schema") from exc
    # A registry without `retrieve`: a $ref outside this document fails, never fetches.
    return cls(schema, registry=Registry(), format_checker=format_checker())


def _entries(document: JSONObject) -> list[JSONValue]:
    value = document.get("credentialSchema")
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def check_credential_schema(
    document: JSONObject, *, fetch: Fetch | None = None
) -> list[CheckResult]:
    """Validate `document` against each JSON Schema its ``credentialSchema`` names.

    One ``schema.credential_schema`` check per entry: passed, failed (the first
    problem named), a warning when the schema cannot be had (no `fetch`, or it
    failed) or for a VC 1.1 badge against a VC 2.0-era published schema, skipped
    for other schema types. No check when there is no ``credentialSchema``.
    Never raises for bad input.
    """
    entries = _entries(document)
    if len(entries) > _MAX_ENTRIES:
        return [
            CheckResult.failed(
                "schema.credential_schema",
                f"the credential names {len(entries)} schemas (limit {_MAX_ENTRIES})",
            )
        ]
    return [_check_entry(document, entry, fetch) for entry in entries]


def _check_entry(document: JSONObject, entry: JSONValue, fetch: Fetch | None) -> CheckResult:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        return CheckResult.failed("schema.credential_schema", "a credentialSchema entry has no id")
    url, kind = str(entry["id"]), entry.get("type")
    if kind not in SCHEMA_TYPES:
        return CheckResult.skipped(
            "schema.credential_schema", f"credentialSchema type {str(kind)[:40]!r} is not checked"
        )
    try:
        if url in BUNDLED_SCHEMAS:
            contexts = document.get("@context")
            first = contexts[0] if isinstance(contexts, list) and contexts else contexts
            validator = _bundled(BUNDLED_SCHEMAS[url]["1.1" if first == _V1 else "2.0"])
        elif fetch is None:
            return CheckResult.warning(
                "schema.credential_schema",
                f"not validated: the schema {url[:120]} is not bundled and fetching is off",
                schema=url[:200],
            )
        else:
            validator = _fetched(url, fetch)
    except LaurelError as exc:
        return CheckResult.warning(
            "schema.credential_schema",
            f"not validated: the schema {url[:120]} cannot be used: {exc}",
            schema=url[:200],
        )
    instance = dict(document)
    if isinstance(instance.get("proof"), dict):
        instance["proof"] = [instance["proof"]]  # a single proof is a one-item proof set
    from jsonschema.exceptions import best_match
    from referencing.exceptions import Unresolvable

    try:
        error = best_match(validator.iter_errors(instance))
    except Unresolvable as exc:
        # The registry has no `retrieve`: a $ref to another document is never fetched.
        return CheckResult.warning(
            "schema.credential_schema",
            f"not validated: the schema {url[:120]} refers to another document ({str(exc)[:80]}), "
            "which laurel does not fetch",
            schema=url[:200],
        )
    if error is None:
        return CheckResult.passed(
            "schema.credential_schema", f"matches the schema it names ({url[:120]})"
        )
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    message = (
        f"does not match the schema it names ({url[:100]}) at {where[:80]}: {error.message[:160]}"
    )
    contexts = document.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if url in BUNDLED_SCHEMAS and first == _V1:
        return CheckResult.warning(
            "schema.credential_schema",
            "a VC 1.1 badge: the schema published today is for VC 2.0 badges; " + message,
            schema=url[:200],
        )
    return CheckResult.failed(
        "schema.credential_schema", message, schema=url[:200], path=where[:200]
    )
