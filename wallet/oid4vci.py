"""OpenID for Verifiable Credential Issuance 1.0: the issuer's routes (pre-authorized code flow).

`laurel serve --wallet HOME` adds this blueprint when the wallet has a base URL
(its Credential Issuer Identifier) and its passphrase is given:

- ``GET /.well-known/openid-credential-issuer[path]``: "Credential Issuer Metadata".
- ``GET /.well-known/oauth-authorization-server[path]``: RFC 8414 metadata, with
  OID4VCI's ``pre-authorized_grant_anonymous_access_supported`` ("OAuth 2.0
  Authorization Server Metadata").
- ``POST <path>/oid4vci/token``: "Token Endpoint", pre-authorized code + ``tx_code``.
- ``POST <path>/oid4vci/nonce``: "Nonce Endpoint".
- ``POST <path>/oid4vci/credential``: "Credential Endpoint", a ``jwt`` proof
  ("jwt Proof Type") whose ``kid`` is a did:key URL: the badge is issued to that DID,
  as ``ldp_vc`` (a JSON object) or ``jwt_vc_json`` (the VC-JWT, a string; "VC Signed
  as a JWT, Not Using JSON-LD").

Errors are named as the specification names them (``invalid_grant``,
``invalid_proof``, ``invalid_nonce``, ``unknown_credential_configuration``, …).
The offers these routes redeem are made by :mod:`wallet.credential_offer`
(``laurel offer``); the badge the Credential Endpoint signs, by
:mod:`wallet._oid4vci_issue`.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Blueprint, Response, request

from vc.did import DidResolver, verification_method_did
from vc.errors import LaurelError, MalformedDocumentError
from vc.jsontext import parse_document
from vc.jws import ED25519_ALGORITHMS, JwsError, read_header, verify_jwt
from vc.openbadges import OB3_CONTEXT
from vc.types import JSONObject, JSONValue
from wallet._oid4vci_issue import _issue
from wallet.credential_offer import (
    OFFERED,
    PRE_AUTHORIZED_GRANT,
    OfferText,
    make_offer,
    offer_uri,
    roster_badge,
)
from wallet.home import Wallet
from wallet.offers import OfferBook, OfferError

if TYPE_CHECKING:
    from wallet.badge import IssuedCheck

__all__ = [
    "CONFIGURATIONS",
    "OFFERED",
    "OfferText",
    "make_offer",
    "roster_badge",
    "PRE_AUTHORIZED_GRANT",
    "PROOF_TYPE",
    "credential_issuer_metadata",
    "oid4vci_blueprint",
    "offer_uri",
]

#: OID4VCI 1.0, "jwt Proof Type": the proof JWT's typ.
PROOF_TYPE = "openid4vci-proof+jwt"
#: Credential configuration id -> (format, what signs it: a Data Integrity cryptosuite,
#: or for ``jwt_vc_json`` the JWS algorithm).
CONFIGURATIONS = {
    "OpenBadgeCredential_ldp_vc": ("ldp_vc", "eddsa-rdfc-2022"),
    "OpenBadgeCredential_ldp_vc_jcs": ("ldp_vc", "eddsa-jcs-2022"),
    "OpenBadgeCredential_jwt_vc_json": ("jwt_vc_json", "EdDSA"),
}
_PROOF_MAX_AGE = dt.timedelta(minutes=5)
_CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"


def _json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _error(error: str, description: str, status: int = 400) -> Response:
    # OID4VCI 1.0: error_description is printable ASCII without '"' and '\'.
    text = "".join(c for c in description if 0x20 <= ord(c) <= 0x7E and c not in '"\\')
    headers = {"WWW-Authenticate": f'Bearer error="{error}"'} if status == 401 else None
    return _json({"error": error, "error_description": text[:300]}, status, headers)


def credential_issuer_metadata(issuer: str, name: str) -> JSONObject:
    """The Credential Issuer Metadata of `issuer` (OID4VCI 1.0, "Credential Issuer Metadata Parameters")."""
    configurations: JSONObject = {}
    for config_id, (format_, suite) in CONFIGURATIONS.items():
        types: list[JSONValue] = ["VerifiableCredential", "OpenBadgeCredential"]
        # "VC Signed as a JWT, Not Using JSON-LD": credential_definition holds type only;
        # ldp_vc's holds @context too ("VC Secured using Data Integrity ...").
        definition: JSONObject = (
            {"type": types}
            if format_ == "jwt_vc_json"
            else {"@context": [_CREDENTIALS_V2, OB3_CONTEXT], "type": types}
        )
        configurations[config_id] = {
            "format": format_,
            "credential_signing_alg_values_supported": [suite],
            "cryptographic_binding_methods_supported": ["did:key"],
            "proof_types_supported": {
                "jwt": {"proof_signing_alg_values_supported": list(ED25519_ALGORITHMS)}
            },
            "credential_definition": definition,
            "credential_metadata": {"display": [{"name": "Open Badge", "locale": "en"}]},
        }
    return {
        "credential_issuer": issuer,
        "credential_endpoint": f"{issuer}/oid4vci/credential",
        "nonce_endpoint": f"{issuer}/oid4vci/nonce",
        "display": [{"name": name, "locale": "en"}],
        "credential_configurations_supported": configurations,
    }


def _form() -> dict[str, str]:
    if request.mimetype != "application/x-www-form-urlencoded":
        return {}
    try:
        pairs = urllib.parse.parse_qsl(
            request.get_data(cache=False, parse_form_data=False).decode("utf-8"),
            strict_parsing=True,
            max_num_fields=16,
        )
    except (UnicodeDecodeError, ValueError):
        return {}
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            return {}  # a repeated parameter is malformed (RFC 6749, "Protocol Endpoints")
        form[name] = value
    return form


def oid4vci_blueprint(
    home: Path,
    *,
    passphrase: str,
    clock: Callable[[], dt.datetime] | None = None,
    resolver: DidResolver | None = None,
    check: IssuedCheck | None = None,
) -> Blueprint:
    """The OID4VCI routes for the wallet at `home` (its base URL is the Credential Issuer Identifier).

    `check` verifies each badge after signing (``laurel serve`` passes
    :func:`verifier.issued.verify_issued`; without it, the signature is verified).

    Raises:
        WalletError: there is no wallet at `home`, or it has no base URL.
    """
    from wallet.errors import WalletError

    now = clock or (lambda: dt.datetime.now(dt.UTC))
    resolver = resolver or DidResolver()  # did:key only: the proof's kid names the holder's key
    with Wallet.open(home) as probe:
        issuer, name, db_path = probe.identity.base_url, probe.identity.name, probe.store.path
    if not issuer:
        raise WalletError(
            "OID4VCI needs the wallet's base URL", hint="laurel init --base-url https://…"
        )
    issuer = issuer.rstrip("/")
    path = urllib.parse.urlparse(issuer).path
    offers = OfferBook(db_path)
    blueprint = Blueprint("laurel_oid4vci", __name__)

    @blueprint.get(f"/.well-known/openid-credential-issuer{path}")
    def issuer_metadata() -> Response:
        """OID4VCI 1.0, "Credential Issuer Metadata Retrieval"."""
        return _json(credential_issuer_metadata(issuer, name))

    @blueprint.get(f"/.well-known/oauth-authorization-server{path}")
    def authorization_server_metadata() -> Response:
        """RFC 8414 metadata of the (same) authorization server; OID4VCI 1.0, "OAuth 2.0 Authorization Server Metadata"."""
        return _json(
            {
                "issuer": issuer,
                "token_endpoint": f"{issuer}/oid4vci/token",
                "grant_types_supported": [PRE_AUTHORIZED_GRANT],
                "pre-authorized_grant_anonymous_access_supported": True,
                "token_endpoint_auth_methods_supported": ["none"],
            }
        )

    @blueprint.post(f"{path}/oid4vci/token")
    def token() -> Response:
        """OID4VCI 1.0, "Token Endpoint": a pre-authorized code and its tx_code, once."""
        form = _form()
        if form.get("grant_type") != PRE_AUTHORIZED_GRANT:
            return _error("unsupported_grant_type", "only the pre-authorized code grant is offered")
        code = form.get("pre-authorized_code")
        if not code:
            return _error("invalid_request", "the pre-authorized_code is missing")
        try:
            redeemed = offers.redeem(code, form.get("tx_code"), now=now())
        except OfferError as exc:
            return _error(exc.error, exc.message)
        return _json(
            {
                "access_token": redeemed.access_token,
                "token_type": "Bearer",
                "expires_in": redeemed.expires_in,
            }
        )

    @blueprint.post(f"{path}/oid4vci/nonce")
    def nonce() -> Response:
        """OID4VCI 1.0, "Nonce Endpoint": a fresh, single-use c_nonce (no-store)."""
        return _json({"c_nonce": offers.new_nonce(now=now())})

    def holder_of(proof: object, at: dt.datetime) -> str:
        # OID4VCI 1.0, "jwt Proof Type": typ, alg (never none or a MAC), kid (a DID URL),
        # aud = the Credential Issuer Identifier, iat, nonce = a c_nonce of ours, used once.
        if not isinstance(proof, str):
            raise OfferError("a jwt proof is a string", error="invalid_proof")
        try:
            header = read_header(proof)
            kid = header.get("kid")
            if not isinstance(kid, str) or "jwk" in header or "x5c" in header:
                raise OfferError(
                    "the proof must name the key by kid, a did:key URL", error="invalid_proof"
                )
            holder = verification_method_did(kid)
            if not holder.startswith("did:key:"):
                raise OfferError("the proof's kid must be a did:key URL", error="invalid_proof")
            method, _ = resolver.resolve_verification_method(kid)
            claims = verify_jwt(proof, method.public_key, typ=PROOF_TYPE).claims
        except JwsError as exc:
            raise OfferError(f"the proof JWT: {exc.message}", error="invalid_proof") from exc
        except LaurelError as exc:
            if isinstance(exc, OfferError):
                raise
            raise OfferError(f"the proof's key: {exc.message}", error="invalid_proof") from exc
        if claims.get("aud") != issuer:
            raise OfferError("the proof's aud is not this Credential Issuer", error="invalid_proof")
        issued_at = claims.get("iat")
        if not isinstance(issued_at, int | float) or not (
            at - _PROOF_MAX_AGE
            <= dt.datetime.fromtimestamp(issued_at, dt.UTC)
            <= at + _PROOF_MAX_AGE
        ):
            raise OfferError("the proof's iat is missing or not recent", error="invalid_proof")
        nonce_value = claims.get("nonce")
        if not isinstance(nonce_value, str):
            raise OfferError("the proof carries no c_nonce", error="invalid_proof")
        if not offers.use_nonce(nonce_value, now=at):
            raise OfferError("the c_nonce is unknown, used or expired", error="invalid_nonce")
        return holder

    @blueprint.post(f"{path}/oid4vci/credential")
    def credential() -> Response:
        """OID4VCI 1.0, "Credential Endpoint": one badge, bound to the DID that proved its key."""
        at = now()
        scheme, _, token_value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token_value.strip():
            return _error("invalid_token", "a Bearer access token is required", 401)
        try:
            body = (
                parse_document(request.get_data(cache=False))
                if request.mimetype == "application/json"
                else None
            )
        except MalformedDocumentError as exc:
            return _error("invalid_credential_request", exc.message)
        if body is None:
            return _error("invalid_credential_request", "the request must be application/json")
        config_id = body.get("credential_configuration_id")
        proofs = body.get("proofs")
        jwts = proofs.get("jwt") if isinstance(proofs, dict) else None
        if (
            not isinstance(proofs, dict)
            or set(proofs) != {"jwt"}
            or not isinstance(jwts, list)
            or len(jwts) != 1
        ):
            return _error("invalid_proof", "send exactly one proof, in proofs.jwt")
        try:
            offer_id, credential_id, allowed = offers.claim(token_value.strip(), now=at)
        except OfferError as exc:
            return _error(exc.error, exc.message, 401)
        issued_id: str | None = None
        try:
            if config_id not in allowed or config_id not in CONFIGURATIONS:
                raise OfferError(
                    "the offer does not hold this credential configuration",
                    error="unknown_credential_configuration",
                )
            holder = holder_of(jwts[0], at)
            format_, suite = CONFIGURATIONS[config_id]
            issued_id, issued = _issue(
                home, passphrase, credential_id, holder, format_, suite, at, check
            )
        except OfferError as exc:
            return _error(exc.error, exc.message)
        finally:
            offers.finish(offer_id, issued_id)
        return _json({"credentials": [{"credential": issued}]})

    return blueprint
