"""laurel's OID4VCI issuer, redeemed by a third-party wallet (the OWF @openid4vc/openid4vci client).

A district's wallet serves its metadata, token, nonce and credential endpoints on
loopback; the node wallet receives an email-recipient badge, which becomes bound to
its did:key, then presents it to laurel's verifier (OID4VP). SECURITY.md V01 cases
are named for the attack.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import threading
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import District
from tests.oid4vc_peers import run_peer
from vc.did import DidResolver, did_key_from_public_key
from vc.formats.jwt import credential_of
from vc.keys import Ed25519KeyPair
from verifier.policy import VerificationPolicy
from verifier.verify import verify, verify_bytes
from wallet.offers import MAX_PIN_FAILURES

pytestmark = pytest.mark.e2e

HOLDER_SEED = hashlib.sha256(b"owf wallet holder").hexdigest()
HOLDER_DID = did_key_from_public_key(
    Ed25519KeyPair.from_seed(bytes.fromhex(HOLDER_SEED)).public_key
)


def _receive(district: District, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    offer, pin = district.offer()
    return run_peer(
        "wallet_receive.mjs",
        {"offer": offer, "pin": pin, "holder_seed": HOLDER_SEED, **extra},
        tmp_path,
    )


def test_owf_wallet_receives_an_email_badge_bound_to_its_did(
    district: District, tmp_path: Path
) -> None:
    answer = _receive(district, tmp_path)
    assert answer["ok"], answer
    credential = answer["value"]["credentials"][0]["credential"]
    assert credential["credentialSubject"]["id"] == HOLDER_DID
    # The email recipient's identifier is kept beside the DID.
    assert credential["credentialSubject"]["identifier"][0]["identityType"] == "emailAddress"
    result = verify(
        credential, VerificationPolicy(now=dt.datetime.now(dt.UTC)), resolver=DidResolver()
    )
    assert result.verified, [c.id for c in result.failures()]


def _http(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, parts.path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    finally:
        connection.close()


def _token(district: District, code: str, pin: str) -> tuple[int, dict[str, Any]]:
    form = urllib.parse.urlencode(
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": code,
            "tx_code": pin,
        }
    ).encode()
    return _http(
        "POST",
        f"{district.base}/oid4vci/token",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )


def _code(offer: str) -> str:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(offer).query)
    grant = json.loads(query["credential_offer"][0])["grants"]
    return str(grant["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"])


def _proof(district: District, nonce: str, key: Ed25519KeyPair | None = None) -> str:
    from vc.jws import sign_jwt

    holder = Ed25519KeyPair.from_seed(bytes.fromhex(HOLDER_SEED))
    did = did_key_from_public_key(holder.public_key)
    claims = {"aud": district.base, "iat": int(dt.datetime.now(dt.UTC).timestamp()), "nonce": nonce}
    return sign_jwt(key or holder, claims, typ="openid4vci-proof+jwt", kid=f"{did}#{did[8:]}")


def _credential(district: District, access_token: str, proof: str) -> tuple[int, dict[str, Any]]:
    body = json.dumps(
        {"credential_configuration_id": "OpenBadgeCredential_ldp_vc", "proofs": {"jwt": [proof]}}
    ).encode()
    return _http(
        "POST",
        f"{district.base}/oid4vci/credential",
        body,
        {"Content-Type": "application/json", "Authorization": f"Bearer {access_token}"},
    )


def test_v01_replayed_pre_authorized_code_is_refused(district: District, tmp_path: Path) -> None:
    answer = _receive(district, tmp_path, attack="replay")
    assert answer["ok"], answer
    assert answer["replay"]["ok"] is False
    assert "invalid_grant" in answer["replay"]["error"]


def test_v01_wrong_pin_counts_and_the_offer_is_burned(district: District) -> None:
    offer, pin = district.offer()
    code = _code(offer)
    wrong = "000000" if pin != "000000" else "111111"
    for _ in range(MAX_PIN_FAILURES):
        status, body = _token(district, code, wrong)
        assert (status, body["error"]) == (400, "invalid_grant")
    # Burned: even the right PIN no longer works.
    status, body = _token(district, code, pin)
    assert (status, body["error"]) == (400, "invalid_grant")
    assert "burned" in body["error_description"]


def test_v01_two_redemptions_at_once_only_one_wins(district: District) -> None:
    offer, pin = district.offer()
    code = _code(offer)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(_token(district, code, pin)[0]))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 400, 400, 400, 400, 400]


def test_v01_proof_jwt_by_another_key_is_refused(district: District, tmp_path: Path) -> None:
    # The OWF client signs the proof with a key other than the one its kid names.
    answer = _receive(district, tmp_path, attack="other_key")
    assert answer["ok"] is False
    assert "invalid_proof" in answer["error"]


def test_v01_proof_jwt_alg_none_is_refused(district: District) -> None:
    # The OWF client will not send alg none, so the attacker's request is made here.
    from vc.jws import b64url_encode

    offer, pin = district.offer()
    access = _token(district, _code(offer), pin)[1]["access_token"]
    nonce = _http("POST", f"{district.base}/oid4vci/nonce")[1]["c_nonce"]
    signed = _proof(district, nonce)
    holder = did_key_from_public_key(
        Ed25519KeyPair.from_seed(bytes.fromhex(HOLDER_SEED)).public_key
    )
    header = {"alg": "none", "typ": "openid4vci-proof+jwt", "kid": f"{holder}#{holder[8:]}"}
    unsigned = b64url_encode(json.dumps(header).encode()) + "." + signed.split(".")[1] + "."
    status, body = _credential(district, access, unsigned)
    assert (status, body["error"]) == (400, "invalid_proof")


def test_v01_reused_c_nonce_is_refused(district: District) -> None:
    status, body = _http("POST", f"{district.base}/oid4vci/nonce")
    assert status == 200
    nonce = body["c_nonce"]
    first, second = (district.offer() for _ in range(2))
    tokens = [
        _token(district, _code(offer), pin)[1]["access_token"] for offer, pin in (first, second)
    ]
    assert _credential(district, tokens[0], _proof(district, nonce))[0] == 200
    status, body = _credential(district, tokens[1], _proof(district, nonce))
    assert (status, body["error"]) == (400, "invalid_nonce")


def test_v01_proof_for_another_issuer_is_refused(district: District) -> None:
    from vc.jws import sign_jwt

    offer, pin = district.offer()
    access = _token(district, _code(offer), pin)[1]["access_token"]
    nonce = _http("POST", f"{district.base}/oid4vci/nonce")[1]["c_nonce"]
    holder = Ed25519KeyPair.from_seed(bytes.fromhex(HOLDER_SEED))
    did = did_key_from_public_key(holder.public_key)
    claims = {
        "aud": "https://another-issuer.example",
        "iat": int(dt.datetime.now(dt.UTC).timestamp()),
        "nonce": nonce,
    }
    proof = sign_jwt(holder, claims, typ="openid4vci-proof+jwt", kid=f"{did}#{did[8:]}")
    status, body = _credential(district, access, proof)
    assert (status, body["error"]) == (400, "invalid_proof")


def test_owf_wallet_receives_from_laurel_and_presents_to_laurel(
    district: District, tmp_path: Path
) -> None:
    received = _receive(district, tmp_path)
    credential = received["value"]["credentials"][0]["credential"]
    started = _http("POST", f"{district.base}/oid4vp/requests")[1]
    answer = run_peer(
        "wallet_present.mjs",
        {
            "request": started["request"],
            "format": "ldp_vc",
            "holder_seed": HOLDER_SEED,
            "credential": credential,
        },
        tmp_path,
    )
    assert answer["status"] == 200
    verdict = _http("GET", started["status_uri"])[1]
    assert verdict["status"] == "verified", verdict["result"]["errors"]
    assert "presentation.holder" in verdict["result"]["checks"]


def test_owf_wallet_receives_a_jwt_vc_json_badge(district: District, tmp_path: Path) -> None:
    # OID4VCI 1.0, "VC Signed as a JWT, Not Using JSON-LD": the credential is the JWT itself.
    offer, pin = district.offer(("OpenBadgeCredential_jwt_vc_json",))
    answer = run_peer(
        "wallet_receive.mjs",
        {"offer": offer, "pin": pin, "holder_seed": HOLDER_SEED},
        tmp_path,
    )
    assert answer["ok"], answer
    token = answer["value"]["credentials"][0]["credential"]
    assert isinstance(token, str)
    assert credential_of(token)["credentialSubject"]["id"] == HOLDER_DID
    result = verify_bytes(
        token.encode("ascii"),
        VerificationPolicy(now=dt.datetime.now(dt.UTC)),
        resolver=DidResolver(),
    )
    assert result.verified, [c.id for c in result.failures()]
