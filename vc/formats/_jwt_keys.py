"""The issuer's key a VC-JWT must verify with: from its DID, its profile, or the header.

A key named by the token (``kid``, ``jwk``) is only taken when it is the issuer's;
laurel never fetches a key the token points to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from joserfc.jwk import ECKey, OKPKey, RSAKey

from vc.did import DidResolver
from vc.errors import DidResolutionError
from vc.formats._jwt_algorithms import b64url_decode
from vc.keys import PublicKey, public_key_from_jwk
from vc.results import CheckResult
from vc.types import JSONObject, JSONValue

__all__ = ["JwtKey", "Refusal", "joserfc_key", "select_key"]


@dataclass(frozen=True, slots=True)
class JwtKey:
    """A key a VC-JWT may verify with: its algorithm, its public JWK, laurel's key."""

    alg: str
    jwk: JSONObject
    public: PublicKey | None  # None for RSA


def _key_from_jwk(jwk: Mapping[str, JSONValue]) -> JwtKey:
    if jwk.get("kty") == "RSA":
        if "d" in jwk:
            raise ValueError("the JWK holds a private key")
        n = jwk.get("n")
        if not isinstance(n, str) or len(b64url_decode(n)) * 8 < 2048:
            raise ValueError("an RSA key must be at least 2048 bits")
        return JwtKey("RS256", {"kty": "RSA", "n": n, "e": jwk.get("e")}, None)
    public = public_key_from_jwk(jwk)
    return _key_from_public(public)


def _key_from_public(public: PublicKey) -> JwtKey:
    return JwtKey(public.jose_alg, public.to_jwk(), public)


def joserfc_key(key: JwtKey) -> Any:
    """The key as joserfc takes it."""
    jwk: dict[str, Any] = dict(key.jwk)
    if jwk["kty"] == "OKP":
        return OKPKey.import_key(jwk)
    if jwk["kty"] == "EC":
        return ECKey.import_key(jwk)
    return RSAKey.import_key(jwk)


def _same(a: JwtKey, b: JwtKey) -> bool:
    return a.jwk == b.jwk


class Refusal(Exception):
    """No key may verify the token; carries the failed check that says why."""

    def __init__(self, check: CheckResult) -> None:
        super().__init__(check.message)
        self.check = check


def _issuer_keys(issuer: str | None, resolver: DidResolver) -> list[tuple[str, JwtKey]]:
    """The issuer's assertion keys, when the issuer is a DID laurel resolves."""
    if issuer is None or not issuer.startswith("did:"):
        return []
    try:
        document = resolver.resolve(issuer)
        keys = []
        for vm_id in document.assertion_method:
            keys.append((vm_id, _key_from_public(document.verification_method(vm_id).public_key)))
    except (DidResolutionError, ValueError) as exc:
        raise Refusal(
            CheckResult.failed(
                "issuer.key_resolution", f"the issuer {issuer[:80]} does not resolve: {exc}"
            )
        ) from exc
    return keys


def select_key(
    header: JSONObject,
    issuer: str | None,
    resolver: DidResolver,
    issuer_jwks: Sequence[Mapping[str, JSONValue]],
) -> JwtKey:
    """The issuer's key the token must be verified with (raises Refusal with the check)."""
    header_key: JwtKey | None = None
    if "jwk" in header:
        jwk = header["jwk"]
        try:
            if not isinstance(jwk, dict):
                raise ValueError("not a JSON object")
            header_key = _key_from_jwk(jwk)
        except ValueError as exc:
            raise Refusal(
                CheckResult.failed("proof.malformed", f"the header's jwk is unusable: {exc}")
            ) from exc
    kid = header.get("kid")
    profile = [(str(j.get("kid", "")), _key_from_jwk(j)) for j in issuer_jwks]
    candidates: list[tuple[str, JwtKey]]
    if isinstance(kid, str) and kid.startswith("did:"):
        try:
            method, document = resolver.resolve_verification_method(kid)
        except DidResolutionError as exc:
            raise Refusal(
                CheckResult.failed(
                    "issuer.key_resolution", f"kid {kid[:120]} does not resolve: {exc}"
                )
            ) from exc
        if document.id != issuer or kid not in document.assertion_method:
            raise Refusal(
                CheckResult.failed(
                    "issuer.key_binding",
                    f"the key {kid[:120]} is not an assertion key of the issuer {str(issuer)[:80]}",
                )
            )
        candidates = [(kid, _key_from_public(method.public_key))]
    elif isinstance(kid, str) and any(k == kid for k, _ in profile):
        candidates = [(k, key) for k, key in profile if k == kid]
    else:
        candidates = _issuer_keys(issuer, resolver) + profile
        if isinstance(kid, str) and not candidates:
            raise Refusal(
                CheckResult.failed(
                    "issuer.key_resolution",
                    f"kid {kid[:120]} is neither a DID URL nor a key of the issuer profile; "
                    "laurel does not fetch keys a token names",
                )
            )
    if header_key is not None:
        # SECURITY J02: a key in the header proves nothing unless it is the issuer's.
        if any(_same(header_key, key) for _, key in candidates):
            return header_key
        raise Refusal(
            CheckResult.failed(
                "issuer.key_binding",
                f"the header's jwk is not a key of the issuer {str(issuer)[:80]}",
            )
        )
    if len(candidates) != 1:
        raise Refusal(
            CheckResult.failed(
                "issuer.key_resolution",
                "the JWT names no key (kid/jwk) and the issuer does not have exactly one",
            )
        )
    return candidates[0][1]
