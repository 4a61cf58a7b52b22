"""SD-JWT (RFC 9901): split a presentation, check its disclosures, rebuild the disclosed claims.

Pure functions over text; signatures are checked with :mod:`vc.jws` by the caller
(:mod:`verifier.sdjwt`), which also finds the issuer's key.

    >>> import hashlib, json
    >>> disclosure = b64url_encode(json.dumps(["salt", "given_name", "Ana"]).encode())
    >>> digest = b64url_encode(hashlib.sha256(disclosure.encode()).digest())
    >>> disclose({"_sd": [digest], "_sd_alg": "sha-256", "vct": "x"}, [disclosure])
    {'vct': 'x', 'given_name': 'Ana'}

Why not a library: PyPI ``sd-jwt`` 0.10.4 (the reference implementation from the
drafts, last released February 2024) verifies every Key Binding JWT as ES256
only, silently ignores disclosures no digest refers to, checks neither ``exp``
nor ``nbf``, and brings a second JOSE library (jwcrypto). RFC 9901, "Verification
and Processing", asks for each of those checks; they are written out here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from vc.errors import LaurelError, MalformedDocumentError
from vc.jsontext import parse_document
from vc.jws import JwsError, b64url_decode, b64url_encode, read_claims, read_header
from vc.types import JSONObject, JSONValue

__all__ = [
    "MAX_DISCLOSURES",
    "SdJwt",
    "SdJwtError",
    "b64url_encode",
    "disclose",
    "sd_hash",
]

#: More disclosures than this in one SD-JWT are refused.
MAX_DISCLOSURES = 256
_HASHES = {"sha-256": hashlib.sha256, "sha-384": hashlib.sha384, "sha-512": hashlib.sha512}


class SdJwtError(LaurelError):
    """An SD-JWT is malformed or its disclosures do not fit its digests.

    `code` is one of ``malformed``, ``disclosure_malformed``, ``disclosure_unreferenced``,
    ``digest_duplicate``, ``claim_conflict``, ``hash_unsupported``.
    """

    hint = "The SD-JWT must be <issuer JWT>~<disclosure>~...~[<key binding JWT>]."

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class SdJwt:
    """One SD-JWT or SD-JWT+KB in compact serialization, split but not verified."""

    issuer_jwt: str
    disclosures: tuple[str, ...]
    key_binding_jwt: str | None

    @classmethod
    def parse(cls, text: str) -> SdJwt:
        """Split ``<JWT>~<D1>~...~<Dn>~[<KB-JWT>]`` (RFC 9901, "SD-JWT and SD-JWT+KB Data Formats").

        Raises:
            SdJwtError: ``malformed``.
        """
        if "~" not in text:
            raise SdJwtError("an SD-JWT has at least one '~'", code="malformed")
        issuer_jwt, *middle, last = text.split("~")
        if len(middle) > MAX_DISCLOSURES:
            raise SdJwtError(f"more than {MAX_DISCLOSURES} disclosures", code="malformed")
        if not issuer_jwt or any(not d for d in middle):
            raise SdJwtError("an empty part between '~' separators", code="malformed")
        try:
            read_header(issuer_jwt)
            read_claims(issuer_jwt)
            if last:
                read_header(last)
        except JwsError as exc:
            raise SdJwtError(
                f"a JWT of the SD-JWT is malformed: {exc.message}", code="malformed"
            ) from exc
        return cls(issuer_jwt, tuple(middle), last or None)

    @property
    def header(self) -> JSONObject:
        """The issuer-signed JWT's header, unverified."""
        return read_header(self.issuer_jwt)

    @property
    def payload(self) -> JSONObject:
        """The issuer-signed JWT's payload (with ``_sd`` digests), unverified."""
        return read_claims(self.issuer_jwt)

    def without_key_binding(self) -> str:
        """``<JWT>~<D1>~...~<Dn>~``: the string the KB-JWT's ``sd_hash`` covers."""
        return "~".join((self.issuer_jwt, *self.disclosures)) + "~"


def sd_hash(sd_jwt: SdJwt, alg: str = "sha-256") -> str:
    """The ``sd_hash`` a Key Binding JWT must carry (RFC 9901, "Key Binding JWT").

    Raises:
        SdJwtError: ``hash_unsupported``.
    """
    return _digest(sd_jwt.without_key_binding(), alg)


def _digest(text: str, alg: str) -> str:
    function = _HASHES.get(alg)
    if function is None:
        raise SdJwtError(f"the hash algorithm {alg!r} is not supported", code="hash_unsupported")
    return b64url_encode(function(text.encode("ascii")).digest())


@dataclass(frozen=True, slots=True)
class _Disclosure:
    salt: str
    name: str | None
    value: JSONValue


def _decode(disclosure: str) -> _Disclosure:
    try:
        # Wrapped in an object so that laurel's JSON limits (depth, duplicate keys) apply.
        decoded = parse_document(b'{"d":' + b64url_decode(disclosure) + b"}")["d"]
    except (JwsError, MalformedDocumentError) as exc:
        raise SdJwtError("a disclosure is not base64url JSON", code="disclosure_malformed") from exc
    if not isinstance(decoded, list) or len(decoded) not in (2, 3):
        raise SdJwtError("a disclosure is an array of 2 or 3 elements", code="disclosure_malformed")
    if not isinstance(decoded[0], str):
        raise SdJwtError("a disclosure's salt is a string", code="disclosure_malformed")
    if len(decoded) == 2:
        return _Disclosure(decoded[0], None, decoded[1])
    name = decoded[1]
    if not isinstance(name, str) or name in ("_sd", "..."):
        raise SdJwtError(
            "a disclosure's claim name is a string other than '_sd' and '...'",
            code="disclosure_malformed",
        )
    return _Disclosure(decoded[0], name, decoded[2])


def disclose(payload: JSONObject, disclosures: Sequence[str]) -> JSONObject:
    """The claims the issuer signed with every disclosure put back (RFC 9901, "Verification of the SD-JWT").

    `payload` must come from a verified issuer-signed JWT. Each digest may appear
    once; each disclosure must be referred to by a digest; an object property
    disclosure only in ``_sd``, an array element only in ``{"...": digest}``; a
    disclosed name must not already exist. ``_sd`` and ``_sd_alg`` are removed.

    Raises:
        SdJwtError: the first rule broken.
    """
    alg = payload.get("_sd_alg", "sha-256")
    if not isinstance(alg, str):
        raise SdJwtError("_sd_alg is a string", code="malformed")
    by_digest: dict[str, _Disclosure] = {}
    for text in disclosures:
        digest = _digest(text, alg)
        if digest in by_digest:
            raise SdJwtError("the same disclosure appears twice", code="digest_duplicate")
        by_digest[digest] = _decode(text)
    seen: set[str] = set()
    body = {k: v for k, v in payload.items() if k != "_sd_alg"}
    result = _walk(body, by_digest, seen)
    unreferenced = set(by_digest) - seen
    if unreferenced:
        raise SdJwtError(
            f"{len(unreferenced)} disclosure(s) are referred to by no digest",
            code="disclosure_unreferenced",
        )
    if not isinstance(result, dict):  # pragma: no cover - an object walks to an object
        raise SdJwtError("the payload is not an object", code="malformed")
    return result


def _use(digest: JSONValue, seen: set[str]) -> str:
    if not isinstance(digest, str):
        raise SdJwtError("a digest is a string", code="malformed")
    if digest in seen:
        raise SdJwtError("a digest appears more than once", code="digest_duplicate")
    seen.add(digest)
    return digest


def _walk(node: JSONValue, by_digest: dict[str, _Disclosure], seen: set[str]) -> JSONValue:
    if isinstance(node, list):
        out: list[JSONValue] = []
        for element in node:
            if isinstance(element, dict) and set(element) == {"..."}:
                found = by_digest.get(_use(element["..."], seen))
                if found is None:
                    continue  # a decoy, or an element the holder did not disclose
                if found.name is not None:
                    raise SdJwtError(
                        "an object property disclosure is referred to from an array",
                        code="disclosure_malformed",
                    )
                out.append(_walk(found.value, by_digest, seen))
            else:
                out.append(_walk(element, by_digest, seen))
        return out
    if isinstance(node, dict):
        digests = node.get("_sd", [])
        if not isinstance(digests, list):
            raise SdJwtError("_sd is an array of digests", code="malformed")
        obj: dict[str, JSONValue] = {
            key: _walk(value, by_digest, seen) for key, value in node.items() if key != "_sd"
        }
        for digest in digests:
            found = by_digest.get(_use(digest, seen))
            if found is None:
                continue
            if found.name is None:
                raise SdJwtError(
                    "an array element disclosure is referred to from _sd",
                    code="disclosure_malformed",
                )
            if found.name in obj:
                raise SdJwtError(
                    f"the disclosed claim {found.name!r} already exists", code="claim_conflict"
                )
            obj[found.name] = _walk(found.value, by_digest, seen)
        return obj
    return node
