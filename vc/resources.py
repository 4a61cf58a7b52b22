"""Integrity of related resources: ``digestSRI`` and ``digestMultibase`` read and checked.

    >>> from vc.resources import check_related_resources
    >>> v2 = "https://www.w3.org/ns/credentials/v2"
    >>> good = {"id": v2, "digestMultibase": "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA"}
    >>> check_related_resources({"relatedResource": [good]})
    []
    >>> [c.id for c in check_related_resources({"relatedResource": [{**good, "digestSRI": "sha384-x"}]})]
    ['format.related_resource_digest']

VC Data Model 2.0, "Integrity of Related Resources": a ``digestSRI`` is one or more
``hash-expression``s of Subresource Integrity (``sha256-``, ``sha384-`` or ``sha512-``
and the standard base64 of the digest); a ``digestMultibase`` is, as Data Integrity
"Resource Integrity" defines it, a Multibase-encoded Multihash. A verifier that uses
the resource "MUST compute the digest of the retrieved resource" and "MUST produce an
error" when it does not match.

laurel never fetches, so it can compare a digest only with a resource it holds: the
JSON-LD contexts it bundles, by the digests of their published bytes (the bundled
files hold the same JSON, reformatted). The digest of any other resource is checked
for its form only.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping

from vc.results import CheckResult
from vc.types import JSONObject, JSONValue

__all__ = ["PUBLISHED_DIGESTS", "check_related_resources", "digest_problem"]

# The SHA-256, SHA-384 and SHA-512 digests of the bytes each context is published
# with: github.com/w3c/vc-data-model at the commit whose JSON the bundled copy holds,
# contexts/credentials/v2 @ 08b83e46c10ee37b0f4fb44b31459e611e521da0,
# contexts/credentials/examples/v2 @ 80cefeec328f48d32c90a75df0596eb0b165ec3a,
# contexts/credentials/undefined-terms/v2 @ ccbe460539e222c3ef954ac5802e76513c63790f.
# The VC Data Model 2.0 Recommendation states the first two itself ("Base Context";
# the digestSRI example of "Integrity of Related Resources"); the third is also the
# file Digital Bazaar's @digitalbazaar/credentials-context package ships.
PUBLISHED_DIGESTS: Mapping[str, Mapping[str, str]] = {
    "https://www.w3.org/ns/credentials/v2": {
        "sha256": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
        "sha384": "97f1eb8e5042356c805fdd61afa2c557663785e0794dcafa21e138fd38def18cb360133c221aa31d6896a6bf3e65b614",
        "sha512": "5d55452bd2dcf8a29f5a290473eb242b1c5fb77d4e68f1a0aa87baa4dba2694852d65ec63d48ac04a99d956f9f7153b9406f84d2d04c74869b02c239a1d81305",
    },
    "https://www.w3.org/ns/credentials/examples/v2": {
        "sha256": "57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c",
        "sha384": "ccd35b4135824944a2d1b6f3edd6ee6be45c10dbfb0ba16f966609d58f88ef6ec7b0f387773c042cc60ef4ccfaf0cdba",
        "sha512": "8d563097eab123966bd7fb88a2566d19fb369112dabfde9badfd553c04e101beb230918f58f5b927881f7b32d16045f8ac0f601b4574eeb09521bfbf9e539669",
    },
    "https://www.w3.org/ns/credentials/undefined-terms/v2": {
        "sha256": "82dab514ba44eb18f5d1b0f638c5e140c6a556fbfb5089601bdc0fa5eb8b2581",
        "sha384": "b2a66ccddba70ba67ad99c2ff52e60558df0063cea51c4ca886e25d9ea73cfabb878baf92dc2ad2bda26c31391850d68",
        "sha512": "7c525ff49bc479ec5da7fccf5d56497e4be408eb269d36609cc1f6ce1f9c4ee23e4aefb53d3728b4a1cac56da6518fcfde789af23a5dfb77f4ce693eb5ed581b",
    },
}

# Subresource Integrity, "The integrity attribute": hash-algo "-" base64-value, where
# base64-value is the standard alphabet with padding (RFC 4648 section 4).
_SRI_LENGTHS = {"sha256": 32, "sha384": 48, "sha512": 64}
_SRI = re.compile(r"(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?[\x21-\x7e]*)?")
# Multihash codes (the multicodec table) of the SHA-2 digests, with their lengths.
_MULTIHASH = {0x12: ("sha256", 32), 0x20: ("sha384", 48), 0x13: ("sha512", 64)}
_QUOTE_LIMIT = 60


def _quote(value: str) -> str:
    return repr(value if len(value) <= _QUOTE_LIMIT else value[:_QUOTE_LIMIT] + "…")


def _sri_digests(value: str) -> list[tuple[str, bytes]] | str:
    # SRI: "one or more hash-expressions separated by whitespace".
    found: list[tuple[str, bytes]] = []
    for token in value.split():
        match = _SRI.fullmatch(token)
        if match is None:
            return f"{_quote(token)} is not a Subresource Integrity hash (sha384-<base64>)"
        algorithm, text = match[1], match[2]
        try:
            digest = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return f"{_quote(token)} is not standard base64 with padding"
        if len(digest) != _SRI_LENGTHS[algorithm]:
            return f"a {algorithm} digest has {_SRI_LENGTHS[algorithm]} bytes, not {len(digest)}"
        found.append((algorithm, digest))
    return found or "the digest is empty"


def _multibase_digest(value: str) -> tuple[str, bytes] | str:
    from multiformats import multibase  # only when a document carries one: a 65 ms import

    try:
        data = multibase.decode(value)
    except (KeyError, ValueError) as exc:
        return f"{_quote(value)} is not a multibase string ({str(exc)[:80]})"
    # Data Integrity, "Resource Integrity": "a Multibase-encoded Multihash value".
    if len(data) < 2 or data[0] not in _MULTIHASH:
        return (
            f"{_quote(value)} does not hold a multihash of a SHA-2 digest; "
            "prefix the digest with its multihash header (0x12 0x20 for sha2-256)"
        )
    algorithm, length = _MULTIHASH[data[0]]
    if data[1] != length or len(data) != length + 2:
        return f"the multihash of {_quote(value)} does not hold one {algorithm} digest"
    return algorithm, bytes(data[2:])


def digest_problem(resource_id: str, key: str, value: JSONValue) -> str | None:
    """Why the `key` digest of `resource_id` is malformed or wrong; None when it is right.

    A digest of a resource laurel does not hold can only be checked for its form.
    """
    values = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
    if not values or len(values) != (len(value) if isinstance(value, list) else 1):
        return f"{key} must be a string or a list of strings"
    digests: list[tuple[str, bytes]] = []
    for item in values:
        read = _sri_digests(item) if key == "digestSRI" else _multibase_digest(item)
        if isinstance(read, str):
            return read
        digests.extend(read if isinstance(read, list) else [read])
    published = PUBLISHED_DIGESTS.get(resource_id)
    if published is None:
        return None
    for algorithm, digest in digests:
        if digest.hex() != published[algorithm]:
            return (
                f"the {algorithm} digest does not match {resource_id} as published "
                f"(sha256 {published['sha256'][:16]}…), the version laurel bundles"
            )
    return None


def _resources(document: JSONObject) -> Iterator[tuple[str, JSONObject]]:
    value = document.get("relatedResource")
    if isinstance(value, dict):
        yield "relatedResource", value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield f"relatedResource[{index}]", item


def check_related_resources(document: JSONObject) -> list[CheckResult]:
    """One failed ``format.related_resource_digest`` per digest that is malformed or wrong.

    The structure of ``relatedResource`` (ids, uniqueness, a digest present) is
    :func:`vc.model.check_format`'s; this reads the digests themselves.
    """
    failures: list[CheckResult] = []
    for path, item in _resources(document):
        resource_id = item.get("id")
        if not isinstance(resource_id, str):
            continue
        for key in ("digestSRI", "digestMultibase"):
            if key not in item:
                continue
            problem = digest_problem(resource_id, key, item[key])
            if problem is not None:
                failures.append(
                    CheckResult.failed(
                        "format.related_resource_digest",
                        f"{path}.{key}: {problem}",
                        path=f"{path}.{key}",
                    )
                )
    return failures
