"""Starting an OID4VP transaction: the verifier's identity, its signed request object, its record.

:func:`start_transaction` signs a request object (JAR, by reference) with the verifier's
did:key (:class:`VerifierIdentity`) and keeps the transaction and its pending status in
the store of :class:`Oid4vpState`, for the routes of :mod:`verifier.oid4vp` to serve the
request object and take the answer.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import urllib.parse
from dataclasses import dataclass

from flask import current_app, url_for

from vc.did import did_key_from_public_key
from vc.jws import sign_jwt
from vc.keys import Ed25519KeyPair
from vc.types import JSONObject
from verifier.dcql import open_badge_query
from verifier.oid4vp_store import SqliteTransactionStore, TransactionStore
from verifier.service import ServiceState
from verifier.vpjwt import VP_JWT_ALGORITHMS

__all__ = [
    "REQUEST_OBJECT_TYPE",
    "REQUEST_TTL",
    "SELF_ISSUED_AUDIENCE",
    "Oid4vpState",
    "VerifierIdentity",
    "page_transaction",
    "start_transaction",
]

#: JAR media type and ``typ`` (RFC 9101; OID4VP 1.0, "Authorization Request").
REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt"
#: How long a wallet has to fetch the request and answer it.
REQUEST_TTL = dt.timedelta(minutes=10)
#: OID4VP 1.0, "aud of a Request Object": the audience under static discovery.
SELF_ISSUED_AUDIENCE = "https://self-issued.me/v2"


@dataclass(frozen=True, slots=True)
class VerifierIdentity:
    """The verifier's DID and the key that signs its request objects."""

    key: Ed25519KeyPair
    did: str
    kid: str

    @classmethod
    def from_key(cls, key: Ed25519KeyPair) -> VerifierIdentity:
        """The did:key identity of `key`."""
        did = did_key_from_public_key(key.public_key)
        return cls(key, did, f"{did}#{did.removeprefix('did:key:')}")

    @classmethod
    def ephemeral(cls) -> VerifierIdentity:
        """A fresh did:key for this process (each transaction keeps the client_id it was made with)."""
        return cls.from_key(Ed25519KeyPair.generate())

    @property
    def client_id(self) -> str:
        """``decentralized_identifier:<DID>``, the full client identifier (prefix included)."""
        return f"decentralized_identifier:{self.did}"

    def __repr__(self) -> str:
        return f"VerifierIdentity(did={self.did!r})"


@dataclass(frozen=True, slots=True)
class Oid4vpState:
    """What the OID4VP routes share: ``app.extensions["laurel.oid4vp"]``."""

    identity: VerifierIdentity
    store: TransactionStore

    @classmethod
    def default(cls) -> Oid4vpState:
        """An ephemeral identity and an in-memory store (one process)."""
        return cls(VerifierIdentity.ephemeral(), SqliteTransactionStore(":memory:"))


def _states() -> tuple[ServiceState, Oid4vpState]:
    return current_app.extensions["laurel.verifier"], current_app.extensions["laurel.oid4vp"]


def _random() -> str:
    # 128 bits, base64url: "ASCII URL safe characters" (OID4VP 1.0, "Existing Parameters", nonce).
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode("ascii")


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _client_metadata() -> JSONObject:
    # OID4VP 1.0, "Verifier Metadata (Client Metadata)" and the formats' "Metadata" sections.
    return {
        "client_name": "laurel verifier",
        "vp_formats_supported": {
            "ldp_vc": {
                "proof_type_values": ["DataIntegrityProof", "Ed25519Signature2020"],
                "cryptosuite_values": ["eddsa-rdfc-2022", "eddsa-jcs-2022"],
            },
            "jwt_vc_json": {"alg_values": list(VP_JWT_ALGORITHMS)},
            "dc+sd-jwt": {
                "sd-jwt_alg_values": ["EdDSA"],
                "kb-jwt_alg_values": ["EdDSA", "ES256"],
            },
        },
    }


def start_transaction(now: dt.datetime) -> JSONObject:
    """Create a transaction and its signed request object; the ``POST /oid4vp/requests`` body.

    OID4VP 1.0, "Authorization Request" (signed by reference, JAR), "Response Mode
    direct_post" and "Digital Credentials Query Language (DCQL)".
    """
    _, state = _states()
    tid, sid = _random(), _random()
    identity = state.identity
    expires = now + REQUEST_TTL
    request_uri = url_for("laurel_oid4vp.request_object", tid=tid, _external=True)
    claims: JSONObject = {
        "aud": SELF_ISSUED_AUDIENCE,
        "client_id": identity.client_id,
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": url_for("laurel_oid4vp.response", tid=tid, _external=True),
        "nonce": _random(),
        "state": _random(),
        "dcql_query": open_badge_query(),
        "client_metadata": _client_metadata(),
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    jwt = sign_jwt(identity.key, claims, typ=REQUEST_OBJECT_TYPE, kid=identity.kid)
    record: JSONObject = {**claims, "request_object": jwt, "sid": sid}
    state.store.put(f"tx:{tid}", record, now=now, ttl=REQUEST_TTL)
    state.store.put(f"status:{sid}", {"status": "pending"}, now=now, ttl=REQUEST_TTL)
    query = urllib.parse.urlencode({"client_id": identity.client_id, "request_uri": request_uri})
    return {
        "request": f"openid4vp://?{query}",
        "status_uri": url_for("laurel_oid4vp.status", sid=sid, _external=True),
        "qr_uri": url_for("laurel_oid4vp.request_qr", tid=tid, _external=True),
        "expires": _stamp(expires),
    }


def page_transaction(challenge: str, now: dt.datetime) -> JSONObject:
    """The OID4VP request shown beside the page's request `challenge`: made once, then the same."""
    _, state = _states()
    found = state.store.get(f"page:{challenge}", now)
    if found is not None and found.state == "live":
        return found.value
    started = start_transaction(now)
    # The page loads only from its own origin, by path (its QR code, its status).
    for name in ("status_uri", "qr_uri"):
        started[name] = urllib.parse.urlsplit(str(started[name])).path
    state.store.put(f"page:{challenge}", started, now=now, ttl=REQUEST_TTL)
    return started
