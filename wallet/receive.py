"""``laurel receive``: the wallet as an OID4VCI client (pre-authorized code flow).

OID4VCI 1.0, in order: "Credential Offer" (by value, or by reference through
``credential_offer_uri``), "Credential Issuer Metadata Retrieval", the authorization
server's RFC 8414 metadata, "Token Endpoint" (the pre-authorized code and the PIN),
"Nonce Endpoint", "Credential Endpoint" with a ``jwt`` proof ("jwt Proof Type")
signed by the wallet's key (``kid`` its did:key URL), then the badge is verified
(the caller's verification) and stored: an ``ldp_vc`` as its JSON, a ``jwt_vc_json``
("VC Signed as a JWT, Not Using JSON-LD") as the credential it carries with the
token as its original, as ``laurel import`` keeps a VC-JWT. Every request goes through the injected
:class:`wallet.transport.Http` (the CLI's is the fetch guard).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from vc.errors import MalformedDocumentError
from vc.formats.jwt import credential_of
from vc.jsontext import parse_document
from vc.jws import sign_jwt
from vc.results import VerificationResult
from vc.types import JSONObject
from wallet.holder import ImportOutcome, import_credential
from wallet.home import Wallet
from wallet.transport import Http, ProtocolError, json_body

__all__ = ["Offer", "parse_offer", "receive_offer"]

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYPE = "openid4vci-proof+jwt"
#: The formats this wallet stores, in the order it prefers them.
_FORMATS = ("ldp_vc", "jwt_vc_json")


@dataclass(frozen=True, slots=True)
class Offer:
    """A credential offer: the issuer, what it offers, the pre-authorized code and whether a PIN is needed."""

    credential_issuer: str
    configuration_ids: tuple[str, ...]
    code: str
    needs_pin: bool

    def __repr__(self) -> str:
        return f"Offer(credential_issuer={self.credential_issuer!r})"


def _offer_object(text: str, http: Http) -> JSONObject:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(text.strip()).query)
    by_value, by_reference = query.get("credential_offer"), query.get("credential_offer_uri")
    try:
        if by_value and not by_reference:
            return parse_document(by_value[0])
        if by_reference and not by_value:
            # OID4VCI 1.0, "Sending Credential Offer by Reference": fetched through the guard.
            return json_body(http.get(by_reference[0]), "the credential offer URI")
    except MalformedDocumentError as exc:
        raise ProtocolError(f"the credential offer is not a JSON object: {exc.message}") from exc
    raise ProtocolError(
        "not a credential offer: it needs credential_offer or credential_offer_uri",
        hint="Give the openid-credential-offer://… link, or a photo of its QR code.",
    )


def parse_offer(text: str, http: Http) -> Offer:
    """Read an ``openid-credential-offer://`` link (OID4VCI 1.0, "Credential Offer Parameters").

    Raises:
        ProtocolError: not an offer, or not one with a pre-authorized code.
    """
    offer = _offer_object(text, http)
    issuer = offer.get("credential_issuer")
    ids = offer.get("credential_configuration_ids")
    grants = offer.get("grants")
    grant = grants.get(PRE_AUTHORIZED_GRANT) if isinstance(grants, dict) else None
    if not isinstance(issuer, str) or not issuer.startswith(("https://", "http://")):
        raise ProtocolError("the offer's credential_issuer is not an https URL")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ProtocolError("the offer names no credential_configuration_ids")
    if not isinstance(grant, dict) or not isinstance(grant.get("pre-authorized_code"), str):
        raise ProtocolError(
            "the offer has no pre-authorized code; laurel does not run the authorization code flow"
        )
    return Offer(
        issuer.rstrip("/"),
        tuple(str(i) for i in ids),
        str(grant["pre-authorized_code"]),
        "tx_code" in grant,
    )


def _well_known(issuer: str, name: str) -> str:
    # RFC 8615 as OID4VCI 1.0 "Credential Issuer Metadata Retrieval" and RFC 8414 use it:
    # the well-known segment goes between the host and the issuer's path.
    parts = urllib.parse.urlsplit(issuer)
    return urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc, f"/.well-known/{name}{parts.path.rstrip('/')}", "", "")
    )


def _choose(offer: Offer, metadata: JSONObject) -> tuple[str, str]:
    configurations = metadata.get("credential_configurations_supported")
    if not isinstance(configurations, dict):
        raise ProtocolError("the issuer's metadata lists no credential configurations")
    for wanted in _FORMATS:
        for config_id in offer.configuration_ids:
            found = configurations.get(config_id)
            if isinstance(found, dict) and found.get("format") == wanted:
                return config_id, wanted
    raise ProtocolError(
        f"the offer holds no credential laurel can keep (it keeps {', '.join(_FORMATS)})"
    )


def _form(fields: dict[str, str]) -> bytes:
    return urllib.parse.urlencode(fields).encode("ascii")


def receive_offer(
    wallet: Wallet,
    passphrase: str,
    offer_text: str,
    pin: str | None,
    http: Http,
    verify: Callable[[bytes], VerificationResult],
    *,
    now: dt.datetime,
) -> ImportOutcome:
    """Redeem an offer, prove this wallet's key, then verify and store the badge it gives.

    Raises:
        ProtocolError: the offer or an answer is wrong, or the issuer refused (its error named).
        NotVerifiedError: the badge received does not verify (it is not stored).
        FetchBlockedError: an URL is at an address the guard refuses (nothing sent there).
        WrongPassphraseError: the passphrase does not unlock the wallet's key.
    """
    offer = parse_offer(offer_text, http)
    if offer.needs_pin and not pin:
        raise ProtocolError(
            "this offer needs the PIN the issuer sent separately", hint="Add --pin."
        )
    metadata = json_body(
        http.get(_well_known(offer.credential_issuer, "openid-credential-issuer")),
        "the credential issuer's metadata",
    )
    if str(metadata.get("credential_issuer", "")).rstrip("/") != offer.credential_issuer:
        # "Credential Issuer Metadata Parameters": it MUST be identical to the one used.
        raise ProtocolError("the issuer's metadata names another credential_issuer")
    config_id, format_ = _choose(offer, metadata)
    servers = metadata.get("authorization_servers")
    server = servers[0] if isinstance(servers, list) and servers else offer.credential_issuer
    authorization = json_body(
        http.get(_well_known(str(server), "oauth-authorization-server")),
        "the authorization server's metadata",
    )
    fields = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": offer.code}
    if offer.needs_pin and pin is not None:
        fields["tx_code"] = pin
    token = json_body(
        http.post(
            str(authorization.get("token_endpoint")),
            _form(fields),
            content_type="application/x-www-form-urlencoded",
        ),
        "the token endpoint",
    )
    access_token = token.get("access_token")
    if not isinstance(access_token, str):
        raise ProtocolError("the token endpoint gave no access_token")
    claims: JSONObject = {"aud": offer.credential_issuer, "iat": int(now.timestamp())}
    nonce_endpoint = metadata.get("nonce_endpoint")
    if isinstance(nonce_endpoint, str):
        nonce = json_body(
            http.post(nonce_endpoint, b"", content_type="application/x-www-form-urlencoded"),
            "the nonce endpoint",
        ).get("c_nonce")
        if not isinstance(nonce, str):
            raise ProtocolError("the nonce endpoint gave no c_nonce")
        claims["nonce"] = nonce
    identity = wallet.identity
    proof = sign_jwt(
        wallet.signing_key(passphrase), claims, typ=PROOF_TYPE, kid=identity.verification_method
    )
    request = {"credential_configuration_id": config_id, "proofs": {"jwt": [proof]}}
    answer = json_body(
        http.post(
            str(metadata.get("credential_endpoint")),
            json.dumps(request).encode("utf-8"),
            content_type="application/json",
            headers={"Authorization": f"Bearer {access_token}"},
        ),
        "the credential endpoint",
    )
    credentials = answer.get("credentials")
    first = credentials[0] if isinstance(credentials, list) and len(credentials) == 1 else None
    document, data = _credential_of(
        first.get("credential") if isinstance(first, dict) else None, format_
    )
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("id") != identity.did:
        # The key proved was this wallet's: a badge for anyone else is not ours to keep.
        raise ProtocolError("the issuer sent a badge that is not bound to this wallet's DID")
    return import_credential(wallet, data, verify)


def _credential_of(value: object, format_: str) -> tuple[JSONObject, bytes]:
    # The credential as the holder binding reads it, and the bytes to verify and keep.
    # "Credential Response": an ldp_vc is a JSON object, a jwt_vc_json the JWT itself.
    if format_ == "jwt_vc_json":
        if not isinstance(value, str):
            raise ProtocolError("the credential endpoint gave no jwt_vc_json credential (a JWT)")
        try:
            return credential_of(value), value.strip().encode("ascii")
        except (MalformedDocumentError, UnicodeEncodeError) as exc:
            raise ProtocolError("the jwt_vc_json credential is not a VC-JWT") from exc
    if not isinstance(value, dict):
        raise ProtocolError("the credential endpoint gave no ldp_vc credential")
    return value, json.dumps(value, ensure_ascii=False).encode("utf-8")
