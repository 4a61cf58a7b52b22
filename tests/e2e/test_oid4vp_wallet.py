"""laurel's OID4VP verifier answered by a third-party wallet (the OWF libraries, Digital Bazaar, @sd-jwt).

The verifier runs as a real HTTP server on loopback; the wallet is a node process
that resolves the ``openid4vp://`` link, checks the signed request object, signs a
presentation and posts it (direct_post). SECURITY.md V02 cases are named for the attack.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.builders import ISSUER, sign, unsigned_badge
from tests.oid4vc_peers import run_peer
from tests.service_tools import serve_app
from vc.did import DidResolver, did_key_from_public_key
from vc.formats.jwt import sign_jwt
from vc.keys import Ed25519KeyPair
from verifier.app import create_app

pytestmark = pytest.mark.e2e

HOLDER_SEED = hashlib.sha256(b"node wallet holder").hexdigest()
HOLDER_DID = did_key_from_public_key(
    Ed25519KeyPair.from_seed(bytes.fromhex(HOLDER_SEED)).public_key
)


@pytest.fixture(scope="module")
def verifier() -> Iterator[str]:
    with serve_app(create_app(resolver=DidResolver())) as url:
        yield url


def _http(method: str, url: str, body: bytes | None = None) -> tuple[int, dict[str, Any]]:
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        connection.request(method, parts.path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    finally:
        connection.close()


def _post(url: str) -> dict[str, Any]:
    status, body = _http("POST", url)
    assert status == 201
    return body


def _get(url: str) -> dict[str, Any]:
    return _http("GET", url)[1]


def _badge() -> dict[str, Any]:
    return sign(unsigned_badge(subject=HOLDER_DID))


def test_owf_wallet_presents_a_laurel_badge_as_ldp_vc(verifier: str, tmp_path: Path) -> None:
    started = _post(f"{verifier}/oid4vp/requests")
    assert _get(started["status_uri"])["status"] == "pending"
    answer = run_peer(
        "wallet_present.mjs",
        {
            "request": started["request"],
            "format": "ldp_vc",
            "holder_seed": HOLDER_SEED,
            "credential": _badge(),
        },
        tmp_path,
    )
    # The OWF library accepted laurel's request object: signed by the DID in the client id.
    assert answer["client_prefix"] == "decentralized_identifier"
    assert answer["signer"] == "did"
    assert answer["status"] == 200
    verdict = _get(started["status_uri"])
    assert verdict["status"] == "verified", json.dumps(verdict["result"]["problemDetails"])
    assert {"presentation.challenge", "presentation.domain", "presentation.query"} <= set(
        verdict["result"]["checks"]
    )


ISSUER_SEED = hashlib.sha256(b"node sd-jwt issuer").hexdigest()
OB_TYPE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"


def _sd_jwt(tmp_path: Path, **extra: Any) -> str:
    issued = run_peer(
        "issuer_sd_jwt.mjs",
        {"issuer_seed": ISSUER_SEED, "holder_seed": HOLDER_SEED, "vct": OB_TYPE, **extra},
        tmp_path,
    )
    return str(issued["credential"])


def test_owf_wallet_presents_an_sd_jwt_vc_with_key_binding(verifier: str, tmp_path: Path) -> None:
    started = _post(f"{verifier}/oid4vp/requests")
    answer = run_peer(
        "wallet_present.mjs",
        {
            "request": started["request"],
            "format": "dc+sd-jwt",
            "holder_seed": HOLDER_SEED,
            "credential": _sd_jwt(tmp_path),
        },
        tmp_path,
    )
    assert answer["status"] == 200
    verdict = _get(started["status_uri"])
    assert verdict["status"] == "verified", json.dumps(verdict["result"]["problemDetails"])
    checks = set(verdict["result"]["checks"])
    assert {
        "format.sd_jwt",
        "format.disclosures",
        "proof.signature",
        "presentation.key_binding",
        "presentation.challenge",
        "presentation.domain",
        "presentation.sd_hash",
    } <= checks
    summary = verdict["result"]["results"]["credential"]
    # Only what the wallet disclosed: the achievement's name, never the email.
    assert summary["achievement"] == "Formative Assessment in Practice"
    assert "ana@school.example" not in json.dumps(verdict)


def _form_post(url: str, fields: dict[str, str] | bytes) -> tuple[int, dict[str, Any]]:
    body = fields if isinstance(fields, bytes) else urllib.parse.urlencode(fields).encode()
    return _http("POST", url, body)


def _present(
    verifier: str, tmp_path: Path, fmt: str = "ldp_vc", **override: str
) -> tuple[dict, dict]:
    started = _post(f"{verifier}/oid4vp/requests")
    credential: Any = _badge() if fmt == "ldp_vc" else _sd_jwt(tmp_path)
    answer = run_peer(
        "wallet_present.mjs",
        {
            "request": started["request"],
            "format": fmt,
            "holder_seed": HOLDER_SEED,
            "credential": credential,
            "override": override,
        },
        tmp_path,
    )
    return answer, _get(started["status_uri"])


@pytest.mark.parametrize("fmt", ["ldp_vc", "dc+sd-jwt"])
def test_v02_vp_token_for_another_nonce_is_refused(verifier: str, tmp_path: Path, fmt: str) -> None:
    answer, verdict = _present(verifier, tmp_path, fmt, nonce="a-nonce-of-another-transaction")
    assert answer["status"] == 200
    assert verdict["status"] == "not_verified"
    assert "presentation.challenge_mismatch" in verdict["result"]["errors"]


@pytest.mark.parametrize("fmt", ["ldp_vc", "dc+sd-jwt"])
def test_v02_vp_token_for_another_client_is_refused(
    verifier: str, tmp_path: Path, fmt: str
) -> None:
    _, verdict = _present(
        verifier, tmp_path, fmt, audience="decentralized_identifier:did:key:z6MkOtherVerifier"
    )
    assert verdict["status"] == "not_verified"
    assert "presentation.domain_mismatch" in verdict["result"]["errors"]


def test_v02_replayed_answer_is_refused_and_the_verdict_stands(
    verifier: str, tmp_path: Path
) -> None:
    answer, verdict = _present(verifier, tmp_path)
    assert verdict["status"] == "verified"
    posted = {k: v if isinstance(v, str) else json.dumps(v) for k, v in answer["posted"].items()}
    status, body = _form_post(answer["response_uri"], posted)
    assert (status, body["error"]) == (400, "invalid_request")


def test_v02_oversized_answer_is_refused_before_the_transaction_is_used(verifier: str) -> None:
    started = _post(f"{verifier}/oid4vp/requests")
    request_uri = urllib.parse.parse_qs(urllib.parse.urlsplit(started["request"]).query)[
        "request_uri"
    ][0]
    tid = request_uri.rsplit("/", 1)[1]
    status, _ = _form_post(f"{verifier}/oid4vp/responses/{tid}", b"vp_token=" + b"A" * (2 << 20))
    assert status == 413
    assert _get(started["status_uri"])["status"] == "pending"


def test_v02_answer_to_a_query_never_asked_is_refused(verifier: str, tmp_path: Path) -> None:
    _, verdict = _present(verifier, tmp_path, query_id="passport")
    assert verdict["status"] == "not_verified"
    assert "format.vp_token_unknown_query" in verdict["result"]["errors"]


def _vc_jwt() -> str:
    return sign_jwt(unsigned_badge(subject=HOLDER_DID), ISSUER.key, ISSUER.vm)


def test_owf_wallet_presents_a_vc_jwt_as_jwt_vc_json(verifier: str, tmp_path: Path) -> None:
    started = _post(f"{verifier}/oid4vp/requests")
    answer = run_peer(
        "wallet_present.mjs",
        {
            "request": started["request"],
            "format": "jwt_vc_json",
            "holder_seed": HOLDER_SEED,
            "credential": _vc_jwt(),
        },
        tmp_path,
    )
    assert answer["status"] == 200
    verdict = _get(started["status_uri"])
    assert verdict["status"] == "verified", json.dumps(verdict["result"]["problemDetails"])
    assert {
        "format.vp_jwt",
        "presentation.signature",
        "presentation.challenge",
        "presentation.domain",
        "presentation.query",
    } <= set(verdict["result"]["checks"])


def test_v02_owf_vp_jwt_replayed_with_another_nonce_fails(verifier: str, tmp_path: Path) -> None:
    started = _post(f"{verifier}/oid4vp/requests")
    run_peer(
        "wallet_present.mjs",
        {
            "request": started["request"],
            "format": "jwt_vc_json",
            "holder_seed": HOLDER_SEED,
            "credential": _vc_jwt(),
            "override": {"nonce": "a-nonce-of-another-request"},
        },
        tmp_path,
    )
    verdict = _get(started["status_uri"])
    assert verdict["status"] == "not_verified"
    assert "presentation.challenge_mismatch" in verdict["result"]["errors"]
