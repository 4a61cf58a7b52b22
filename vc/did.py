"""DIDs: parsing, did:key and did:jwk (resolved locally), did:web (URL mapping; fetching injected).

    >>> from vc.did import DidResolver
    >>> doc = DidResolver().resolve("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
    >>> doc.assertion_method
    ('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp',)

Errors carry the DID Resolution error names (``invalidDid``, ``invalidDidUrl``,
``invalidPublicKey``, ``invalidPublicKeyLength``, ``invalidPublicKeyType``,
``methodNotSupported``, ``notFound``).
"""

from __future__ import annotations

import base64
import copy
import functools
import ipaddress
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import base58
import nacl.bindings

from vc.errors import DidResolutionError, LaurelError
from vc.keys import (
    ED25519_PUB_PREFIX,
    P256_PUB_PREFIX,
    P384_PUB_PREFIX,
    EcdsaPublicKey,
    Ed25519PublicKey,
    MultibaseError,
    PublicKey,
    decode_multibase_btc,
    encode_multibase_btc,
    public_key_from_jwk,
    public_key_from_multikey,
)
from vc.types import JSONObject, JSONValue

__all__ = [
    "DID_KEY_CONTEXTS",
    "DidDocument",
    "DidResolver",
    "DidWebFetcher",
    "VerificationMethod",
    "did_jwk_document",
    "did_key_from_public_key",
    "did_web_url",
    "split_did_url",
    "verification_method_did",
    "verification_method_from_json",
]

DID_KEY_CONTEXTS = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
X25519_PUB_PREFIX = b"\xec\x01"
RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
)

# DID Core, "DID Syntax": did:<method>:<method-specific-id>, method lower-case.
_DID = re.compile(
    r"did:([a-z0-9]+):((?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}|:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}))"
)


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """A verification method holding a public key (Ed25519, P-256 or P-384)."""

    id: str
    type: str
    controller: str
    public_key: PublicKey


class DidWebFetcher(Protocol):
    """Fetches a did:web document: HTTPS URL in, response body out (raises LaurelError)."""

    def __call__(self, url: str) -> bytes:
        """Return the body at `url` (raise a LaurelError on any failure)."""
        ...


def split_did_url(did_url: str) -> tuple[str, str | None]:
    """Split a DID URL into the DID and its fragment (None when absent).

    Raises:
        DidResolutionError: ``invalidDidUrl`` when the DID part is malformed.
    """
    if not isinstance(did_url, str):
        raise DidResolutionError("a DID URL must be a string", code="invalidDidUrl")
    did, sep, fragment = did_url.partition("#")
    if "?" in did or "/" in did:
        raise DidResolutionError(
            f"DID URL {did_url[:120]!r} has a path or query; only fragments are supported",
            code="invalidDidUrl",
        )
    if _DID.fullmatch(did) is None:
        raise DidResolutionError(f"{did[:120]!r} is not a DID", code="invalidDidUrl")
    return did, (fragment if sep else None)


def verification_method_did(vm_url: str) -> str:
    """The DID a verification method URL points into, after checking its form.

    Raises:
        DidResolutionError: ``invalidDidUrl`` without a fragment, or for a did:key
            whose fragment is not the key itself (the only method did:key has).
    """
    did, fragment = split_did_url(vm_url)
    if fragment is None:
        raise DidResolutionError(
            "a verification method must be a DID URL with a fragment", code="invalidDidUrl"
        )
    if did.startswith("did:key:") and fragment != did.removeprefix("did:key:"):
        # SECURITY D02: a victim's did:key with an attacker's key as the fragment.
        raise DidResolutionError(
            "a did:key verification method's fragment must equal the key", code="invalidDidUrl"
        )
    if did.startswith("did:jwk:") and fragment != "0":
        # did:jwk, "Read": the one verification method is `#0`.
        raise DidResolutionError(
            "a did:jwk verification method's fragment must be 0", code="invalidDidUrl"
        )
    return did


def did_key_from_public_key(public_key: PublicKey) -> str:
    """The did:key DID of a public key (Ed25519, P-256 or P-384)."""
    return f"did:key:{public_key.multibase}"


def _decode_did_key(did: str) -> PublicKey:
    # did:key spec, "Decode Public Key Algorithm".
    if _DID.fullmatch(did) is None or not did.startswith("did:key:"):
        raise DidResolutionError(f"{did[:120]!r} is not a did:key DID", code="invalidDid")
    value = did.removeprefix("did:key:")
    if ":" in value or not value.startswith("z"):
        raise DidResolutionError(
            "a did:key identifier is one base58btc multibase value ('z...')", code="invalidDid"
        )
    try:
        data = decode_multibase_btc(value)
    except MultibaseError as exc:
        raise DidResolutionError(
            f"did:key value is not base58btc: {exc}", code="invalidDid"
        ) from exc
    if data.startswith((P256_PUB_PREFIX, P384_PUB_PREFIX)):
        try:
            return EcdsaPublicKey.from_multibase(value)
        except ValueError as exc:
            raise DidResolutionError(
                f"did:key holds an invalid EC key: {exc}", code="invalidPublicKey"
            ) from exc
    if not data.startswith(ED25519_PUB_PREFIX):
        raise DidResolutionError(
            f"did:key holds a {_codec_name(data)} key; laurel supports Ed25519 (0xed), "
            "P-256 (0x1200) and P-384 (0x1201)",
            code="invalidPublicKeyType",
        )
    raw = data[len(ED25519_PUB_PREFIX) :]
    if len(raw) != 32:
        raise DidResolutionError(
            f"an Ed25519 did:key holds 32 key bytes, not {len(raw)}", code="invalidPublicKeyLength"
        )
    # Canonical encoding, on the curve, not of small order (RFC 8032; "Taming EdDSAs").
    if not nacl.bindings.crypto_core_ed25519_is_valid_point(raw):
        raise DidResolutionError(
            "did:key holds an Ed25519 key that is not a valid point of the main subgroup",
            code="invalidPublicKey",
        )
    return Ed25519PublicKey(raw)


def _codec_name(data: bytes) -> str:
    from multiformats import multicodec  # only on this error path: a 65 ms import

    try:
        codec, _ = multicodec.unwrap(data)
    except (KeyError, ValueError):
        return "unknown multicodec"
    return f"{codec.name} (0x{codec.code:x})"


@functools.lru_cache(maxsize=4096)
def _did_key_document(did: str) -> DidDocument:
    public_key = _decode_did_key(did)
    return _DidKeyDocument(did, public_key)


_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def did_web_url(did: str) -> str:
    """The HTTPS URL of a did:web DID document (did:web spec, "Read (Resolve)").

    Raises:
        DidResolutionError: ``invalidDid`` for a malformed did:web, an IP-literal
            host, or a path that could climb (``..``).
    """
    if _DID.fullmatch(did) is None or not did.startswith("did:web:"):
        raise DidResolutionError(f"{did[:120]!r} is not a did:web DID", code="invalidDid")
    host_part, *path = did.removeprefix("did:web:").split(":")
    host = urllib.parse.unquote(host_part)
    hostname, _, port = host.partition(":")
    hostname = hostname.lower()
    labels = hostname.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise DidResolutionError(
            f"did:web host {hostname[:120]!r} is not a DNS name", code="invalidDid"
        )
    if labels[-1].isdigit() or labels[-1].startswith("0x") or _is_ip(hostname):
        raise DidResolutionError("did:web must not name an IP address", code="invalidDid")
    if port and (not port.isdigit() or not 0 < int(port) < 65536):
        raise DidResolutionError(f"did:web port {port[:8]!r} is invalid", code="invalidDid")
    segments = [urllib.parse.unquote(p) for p in path]
    if any(s in ("", ".", "..") or "/" in s or "\\" in s for s in segments):
        raise DidResolutionError("did:web path segments must be plain names", code="invalidDid")
    authority = f"{hostname}:{port}" if port else hostname
    if not segments:
        return f"https://{authority}/.well-known/did.json"
    quoted = "/".join(urllib.parse.quote(s, safe="") for s in segments)
    return f"https://{authority}/{quoted}/did.json"


def _is_ip(hostname: str) -> bool:
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True


class DidDocument:
    """A resolved DID document; the original JSON is kept unchanged."""

    __slots__ = ("_document", "_methods")

    def __init__(self, document: JSONObject) -> None:
        self._document = document
        # Decoding and point-checking a key costs more than verifying a signature;
        # a document's methods are decoded once.
        self._methods: dict[str, VerificationMethod] = {}

    @property
    def id(self) -> str:
        """The DID the document describes."""
        value = self._document.get("id")
        return value if isinstance(value, str) else ""

    @property
    def assertion_method(self) -> tuple[str, ...]:
        """The ids of the verification methods authorized to issue credentials."""
        return self.relationship("assertionMethod")

    def relationship(self, name: str) -> tuple[str, ...]:
        """The verification method ids listed under a relationship (absolute ids)."""
        entries = self._document.get(name)
        ids: list[str] = []
        for entry in entries if isinstance(entries, list) else []:
            ref = entry.get("id") if isinstance(entry, dict) else entry
            if isinstance(ref, str):
                ids.append(self._absolute(ref))
        return tuple(ids)

    def _absolute(self, ref: str) -> str:
        return f"{self.id}{ref}" if ref.startswith("#") else ref

    def verification_method(self, vm_id: str) -> VerificationMethod:
        """The verification method with this absolute id.

        Raises:
            DidResolutionError: ``notFound`` if absent, ``invalidPublicKey`` or
                ``invalidPublicKeyType`` if its key is unusable.
        """
        cached = self._methods.get(vm_id)
        if cached is not None:
            return cached
        candidates: list[JSONValue] = []
        for key in ("verificationMethod", *RELATIONSHIPS):
            entries = self._document.get(key)
            if isinstance(entries, list):
                candidates.extend(e for e in entries if isinstance(e, dict))
        for entry in candidates:
            assert isinstance(entry, dict)
            entry_id = entry.get("id")
            if isinstance(entry_id, str) and self._absolute(entry_id) == vm_id:
                method = verification_method_from_json(vm_id, entry)
                self._methods[vm_id] = method
                return method
        raise DidResolutionError(
            f"{self.id} has no verification method {vm_id[:160]!r}", code="notFound"
        )

    def to_json(self) -> JSONObject:
        """The DID document as JSON (a copy: resolved documents are cached and shared)."""
        return copy.deepcopy(self._document)


class _DidKeyDocument(DidDocument):
    """A did:key document, built as the did:key spec's "Create" makes it, on demand.

    Verification needs only the key's method and the relationships it is listed
    under: those are ready at once; the JSON (with the X25519 keyAgreement key, which
    costs a curve conversion) is made when someone asks for it.
    """

    __slots__ = ("_did", "_key", "_vm_id")

    def __init__(self, did: str, public_key: PublicKey) -> None:
        super().__init__({})
        self._did, self._key = did, public_key
        # The fingerprint is the DID's own multibase value (decoding checked it).
        self._vm_id = f"{did}#{did.removeprefix('did:key:')}"
        self._methods[self._vm_id] = VerificationMethod(
            id=self._vm_id, type="Multikey", controller=did, public_key=public_key
        )

    @property
    def id(self) -> str:
        """The DID the document describes."""
        return self._did

    def relationship(self, name: str) -> tuple[str, ...]:
        """The verification method ids listed under a relationship (absolute ids)."""
        if name in (
            "authentication",
            "assertionMethod",
            "capabilityDelegation",
            "capabilityInvocation",
        ):
            return (self._vm_id,)
        self._build()
        return super().relationship(name)

    def verification_method(self, vm_id: str) -> VerificationMethod:
        """The verification method with this absolute id (the key's own, at once)."""
        if vm_id == self._vm_id:
            return self._methods[vm_id]
        self._build()
        return super().verification_method(vm_id)

    def _build(self) -> None:
        if self._document:
            return
        did, fingerprint = self._did, self._did.removeprefix("did:key:")
        document: JSONObject = {
            "@context": list(DID_KEY_CONTEXTS),
            "id": did,
            "verificationMethod": [
                {
                    "id": self._vm_id,
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": fingerprint,
                }
            ],
        }
        for name in RELATIONSHIPS:
            if name != "keyAgreement":
                document[name] = [self._vm_id]
        if isinstance(self._key, Ed25519PublicKey):
            x25519 = nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(self._key.raw)
            x_fingerprint = encode_multibase_btc(X25519_PUB_PREFIX + x25519)
            document["keyAgreement"] = [
                {
                    "id": f"{did}#{x_fingerprint}",
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": x_fingerprint,
                }
            ]
        self._document.update(document)

    def to_json(self) -> JSONObject:
        """The DID document as JSON (a copy: resolved documents are cached and shared)."""
        self._build()
        return super().to_json()


def verification_method_from_json(vm_id: str, entry: Mapping[str, JSONValue]) -> VerificationMethod:
    """Read one verification method object (its key by its type) as `vm_id`.

    Raises:
        DidResolutionError: ``invalidDidDocument``, ``invalidPublicKey`` or
            ``invalidPublicKeyType``.
    """
    vm_type = entry.get("type")
    controller = entry.get("controller")
    if not isinstance(vm_type, str) or not isinstance(controller, str):
        raise DidResolutionError(
            f"verification method {vm_id[:160]} lacks a type or controller",
            code="invalidDidDocument",
        )
    multibase = entry.get("publicKeyMultibase")
    base58_key = entry.get("publicKeyBase58")
    jwk = entry.get("publicKeyJwk")
    public_key: PublicKey
    try:
        if vm_type == "Multikey" and isinstance(multibase, str):
            public_key = public_key_from_multikey(multibase)
        elif vm_type == "Ed25519VerificationKey2020" and isinstance(multibase, str):
            public_key = Ed25519PublicKey.from_multibase(multibase)
        elif vm_type == "Ed25519VerificationKey2018" and isinstance(base58_key, str):
            public_key = Ed25519PublicKey(base58.b58decode(base58_key))
        elif vm_type in ("JsonWebKey", "JsonWebKey2020") and isinstance(jwk, dict):
            public_key = public_key_from_jwk(jwk)
        else:
            raise DidResolutionError(
                f"verification method type {vm_type[:60]!r} does not hold a key laurel can read "
                "(Multikey, Ed25519VerificationKey2020/2018, JsonWebKey(2020))",
                code="invalidPublicKeyType",
            )
    except (ValueError, TypeError) as exc:
        raise DidResolutionError(
            f"verification method {vm_id[:160]} holds an invalid key: {exc}",
            code="invalidPublicKey",
        ) from exc
    if isinstance(public_key, Ed25519PublicKey) and (
        not nacl.bindings.crypto_core_ed25519_is_valid_point(public_key.raw)
    ):
        raise DidResolutionError(
            f"verification method {vm_id[:160]} holds an invalid Ed25519 point",
            code="invalidPublicKey",
        )
    return VerificationMethod(id=vm_id, type=vm_type, controller=controller, public_key=public_key)


def did_jwk_document(did: str) -> DidDocument:
    """The DID document of a did:jwk DID (did:jwk spec, "Read").

    The method-specific id is the base64url of a public JWK; its one verification
    method is ``#0``. A private JWK (``d``), a JWK that is not JSON, or a key type
    laurel cannot verify with is refused.

    Raises:
        DidResolutionError: ``invalidDid`` or ``invalidPublicKey``.
    """
    if _DID.fullmatch(did) is None or not did.startswith("did:jwk:"):
        raise DidResolutionError(f"{did[:120]!r} is not a did:jwk DID", code="invalidDid")
    encoded = did.removeprefix("did:jwk:")
    if len(encoded) > 2048 or not re.fullmatch(r"[A-Za-z0-9_-]+", encoded):
        raise DidResolutionError("a did:jwk id is base64url without padding", code="invalidDid")
    from vc.jsontext import parse_document

    try:
        jwk = parse_document(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, LaurelError) as exc:
        raise DidResolutionError("a did:jwk id must encode a JSON JWK", code="invalidDid") from exc
    try:
        public_key_from_jwk(jwk)
    except ValueError as exc:
        raise DidResolutionError(f"did:jwk: {exc}", code="invalidPublicKey") from exc
    vm_id = f"{did}#0"
    method: JSONObject = {
        "id": vm_id,
        "type": "JsonWebKey2020",
        "controller": did,
        "publicKeyJwk": jwk,
    }
    # did:jwk, "Read": a key with `use: enc` only agrees keys; laurel's keys never do.
    if jwk.get("use") == "enc":
        relationships = ["keyAgreement"]
    else:
        relationships = [r for r in RELATIONSHIPS if r != "keyAgreement"]
    return DidDocument(
        {
            "@context": [
                "https://www.w3.org/ns/did/v1",
                "https://w3id.org/security/suites/jws-2020/v1",
            ],
            "id": did,
            "verificationMethod": [method],
            **{name: [vm_id] for name in relationships},
        }
    )


class DidResolver:
    """Resolves DIDs: did:key locally; did:web through an injected fetcher."""

    def __init__(
        self,
        web_fetcher: DidWebFetcher | None = None,
        *,
        web_ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._web_fetcher = web_fetcher
        self._web_ttl = web_ttl
        self._clock = clock
        self._web_cache: dict[str, tuple[float, DidDocument]] = {}

    @property
    def web_fetcher(self) -> DidWebFetcher | None:
        """The fetcher did:web documents go through (the verifier's fetch guard), if any."""
        return self._web_fetcher

    def resolve(self, did: str) -> DidDocument:
        """Resolve `did` to its DID document.

        Raises:
            DidResolutionError: with the DID Resolution error name as `code`.
        """
        if _DID.fullmatch(did) is None:
            raise DidResolutionError(f"{did[:120]!r} is not a DID", code="invalidDid")
        method = did.split(":", 2)[1]
        if method == "key":
            return _did_key_document(did)
        if method == "web":
            return self._resolve_web(did)
        if method == "jwk":
            return did_jwk_document(did)
        raise DidResolutionError(
            f"DID method {method[:32]!r} is not supported (did:key, did:jwk and did:web are)",
            code="methodNotSupported",
        )

    def _resolve_web(self, did: str) -> DidDocument:
        cached = self._web_cache.get(did)
        if cached is not None and self._clock() - cached[0] < self._web_ttl:
            return cached[1]
        document = self._fetch_web(did)
        if len(self._web_cache) >= 1024:
            self._web_cache.clear()
        self._web_cache[did] = (self._clock(), document)
        return document

    def _fetch_web(self, did: str) -> DidDocument:
        url = did_web_url(did)
        if self._web_fetcher is None:
            raise DidResolutionError(
                f"{did} needs {url}, and network resolution is off",
                code="notFound",
                hint="Resolve did:web through the verifier service or `laurel verify` with the network enabled.",
            )
        from vc.jsontext import parse_document

        document = parse_document(self._web_fetcher(url), max_bytes=256 * 1024)
        if document.get("id") != did:
            # did:web spec: "Verify that the ID of the resolved DID document matches the Web DID".
            raise DidResolutionError(
                f"the document at {url} describes another DID", code="invalidDidDocument"
            )
        return DidDocument(document)

    def resolve_verification_method(self, vm_url: str) -> tuple[VerificationMethod, DidDocument]:
        """Dereference a verification method DID URL to its key and its DID document.

        Raises:
            DidResolutionError: the DID does not resolve, or it has no such method.
        """
        did = verification_method_did(vm_url)
        document = self.resolve(did)
        return document.verification_method(vm_url), document
