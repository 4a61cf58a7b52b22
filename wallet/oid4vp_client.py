"""``laurel present --request openid4vp://…``: the wallet answering an OID4VP 1.0 request.

OID4VP 1.0, in order: the request by reference ("Authorization Request", JAR, RFC
9101) fetched from ``request_uri`` through the guard and never followed through a
redirect; its signature checked with the key its ``kid`` names in the DID of the
``decentralized_identifier:`` client identifier ("Defined Client Identifier
Prefixes"), ``typ`` ``oauth-authz-req+jwt``, the same ``client_id`` as the link;
``response_mode`` ``direct_post`` with a ``response_uri``; a DCQL query asking for a
W3C credential laurel holds ("Digital Credentials Query Language"). The answer is
a presentation signed over ``nonce`` (challenge) and the client identifier (domain),
as "Preventing Replay of Verifiable Presentations" and the ``ldp_vc`` "Presentation
Response" require, posted to ``response_uri`` ("Response Mode direct_post"). Badges
held as VC-JWTs answer a ``jwt_vc_json`` query when the request has one: a VP-JWT
whose ``nonce`` is the request's and ``aud`` its client identifier ("VC signed as a
JWT, not using JSON-LD", "Presentation Response").
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from dataclasses import dataclass

from vc.did import DidResolver
from vc.errors import LaurelError
from vc.jws import JwsError, read_header, verify_jwt
from vc.types import JSONObject, JSONValue
from wallet.holder import present_as_jwt, present_credentials
from wallet.home import Wallet
from wallet.transport import Http, ProtocolError, json_body

__all__ = ["AuthorizationRequest", "answer_request", "read_request"]

REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt"
_PREFIX = "decentralized_identifier:"
_OB_TYPES = ("OpenBadgeCredential", "AchievementCredential")
_OB_TYPE_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """A verified OID4VP request: who asks (client_id), where to answer, what to sign over."""

    client_id: str
    response_uri: str
    nonce: str
    state: str | None
    #: The ``ldp_vc`` Credential Query an Open Badge answers (None if the request has none).
    query_id: str | None
    verifier_did: str
    #: The ``jwt_vc_json`` one, which badges held as VC-JWTs answer.
    jwt_query_id: str | None = None


def _query_id(dcql: object, format_: str) -> str | None:
    # The first Credential Query of `format_` whose type_values an Open Badge satisfies.
    credentials = dcql.get("credentials") if isinstance(dcql, dict) else None
    for query in credentials if isinstance(credentials, list) else []:
        if not isinstance(query, dict) or query.get("format") != format_:
            continue
        meta = query.get("meta")
        alternatives = meta.get("type_values") if isinstance(meta, dict) else None
        if not isinstance(alternatives, list):
            continue
        for needed in alternatives:
            if isinstance(needed, list) and all(
                t
                in (
                    _OB_TYPE_IRI,
                    *_OB_TYPES,
                    "https://www.w3.org/2018/credentials#VerifiableCredential",
                )
                for t in needed
            ):
                return str(query.get("id"))
    return None


def read_request(link: str, http: Http, resolver: DidResolver) -> AuthorizationRequest:
    """Fetch and check the request an ``openid4vp://`` link points to.

    Raises:
        ProtocolError: anything the specification says must stop the wallet.
        FetchBlockedError: the request_uri is at an address the guard refuses.
    """
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.strip()).query)
    client_ids, request_uris = query.get("client_id", []), query.get("request_uri", [])
    if len(client_ids) != 1 or len(request_uris) != 1:
        raise ProtocolError(
            "laurel answers requests passed by reference: client_id and request_uri",
            hint="Give the openid4vp://… link the verifier shows, or a photo of its QR code.",
        )
    client_id = client_ids[0]
    if not client_id.startswith(_PREFIX):
        raise ProtocolError(
            f"the client identifier prefix of {client_id[:80]!r} is not supported "
            "(laurel checks decentralized_identifier: requests)",
            error="invalid_request",
        )
    answer = http.get(request_uris[0], accept=f"application/{REQUEST_OBJECT_TYPE}")
    if answer.status != 200:
        raise ProtocolError(f"the request_uri answered HTTP {answer.status}")
    token = answer.body.decode("utf-8", "replace").strip()
    verifier_did = client_id.removeprefix(_PREFIX)
    try:
        kid = read_header(token).get("kid")
        if not isinstance(kid, str) or kid.split("#", 1)[0] != verifier_did:
            raise ProtocolError("the request object is not signed by the client's DID")
        method, _ = resolver.resolve_verification_method(kid)
        claims = verify_jwt(token, method.public_key, typ=REQUEST_OBJECT_TYPE).claims
    except JwsError as exc:
        raise ProtocolError(
            f"the request object: {exc.message}", error="invalid_request_object"
        ) from exc
    except ProtocolError:
        raise
    except LaurelError as exc:
        raise ProtocolError(f"the verifier's DID: {exc.message}", error="invalid_request") from exc
    if claims.get("client_id") != client_id:
        raise ProtocolError(
            "the request object's client_id is not the link's", error="invalid_request"
        )
    if claims.get("response_type") != "vp_token" or claims.get("response_mode") != "direct_post":
        raise ProtocolError(
            "laurel answers vp_token requests by direct_post", error="invalid_request"
        )
    response_uri, nonce, state = (
        claims.get("response_uri"),
        claims.get("nonce"),
        claims.get("state"),
    )
    if not isinstance(response_uri, str) or not isinstance(nonce, str) or "redirect_uri" in claims:
        raise ProtocolError("the request needs a response_uri and a nonce", error="invalid_request")
    if "transaction_data" in claims:
        # "Wallets that do not support this parameter MUST reject requests that contain it."
        raise ProtocolError("transaction_data is not supported", error="invalid_transaction_data")
    dcql = claims.get("dcql_query")
    ldp_query, jwt_query = _query_id(dcql, "ldp_vc"), _query_id(dcql, "jwt_vc_json")
    if ldp_query is None and jwt_query is None:
        raise ProtocolError(
            "the request asks for no credential laurel holds (an Open Badge as ldp_vc or jwt_vc_json)",
            error="access_denied",
        )
    return AuthorizationRequest(
        client_id=client_id,
        response_uri=response_uri,
        nonce=nonce,
        state=state if isinstance(state, str) else None,
        query_id=ldp_query,
        verifier_did=verifier_did,
        jwt_query_id=jwt_query,
    )


def answer_request(
    wallet: Wallet,
    passphrase: str,
    request: AuthorizationRequest,
    credential_ids: list[str],
    http: Http,
    *,
    now: dt.datetime,
) -> JSONObject:
    """Sign the badges into a presentation for this request and post it; the verifier's JSON answer.

    Raises:
        ProtocolError: the verifier refused the answer (its error named).
        FetchBlockedError: the response_uri is at an address the guard refuses.
    """
    as_jwt = request.jwt_query_id is not None and all(
        (original := wallet.store.original_of(cid)) is not None and original.format == "vc-jwt"
        for cid in credential_ids
    )
    presentation: JSONValue
    if as_jwt and request.jwt_query_id is not None:
        query_id = request.jwt_query_id
        presentation = present_as_jwt(
            wallet,
            passphrase,
            credential_ids,
            nonce=request.nonce,
            audience=request.client_id,
            now=now,
        )
    elif request.query_id is not None:
        query_id = request.query_id
        presentation = present_credentials(
            wallet,
            passphrase,
            credential_ids,
            challenge=request.nonce,
            domain=request.client_id,
            now=now,
        )
    else:
        raise ProtocolError(
            "the request asks for jwt_vc_json only, and not every badge chosen is held as a VC-JWT",
            error="access_denied",
        )
    fields = {"vp_token": json.dumps({query_id: [presentation]}, separators=(",", ":"))}
    if request.state is not None:
        fields["state"] = request.state
    answer = http.post(
        request.response_uri,
        urllib.parse.urlencode(fields).encode("ascii"),
        content_type="application/x-www-form-urlencoded",
    )
    return json_body(answer, "the verifier's response_uri")
