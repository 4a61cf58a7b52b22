"""P12: a genuine presentation for verifier X, replayed to Y behind a decoy proof.

The decoy carries Y's fresh challenge and domain but proves nothing: a ledger anchor
proof (which the proof check used to skip), or a second "holder" proof that does not
verify. Challenge and domain must come from the holder proofs that verified, every one
of them, and a decoy is a failure of its own. Through the pipeline, the VC-API (a
challenge the service issued) and `laurel verify --challenge`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from click.testing import CliRunner

from cli import cli
from tests.builders import badge, presentation
from vc.did import DidResolver
from verifier.app import create_app
from verifier.policy import VerificationPolicy
from verifier.verify import verify

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
X_CHALLENGE, X_DOMAIN = "challenge-of-verifier-x", "x.example"
Y_DOMAIN = "hiring.example"


def _genuine_for_x() -> dict[str, Any]:
    return presentation([badge()], challenge=X_CHALLENGE, domain=X_DOMAIN)


def _anchor_decoy(challenge: str, domain: str) -> dict[str, Any]:
    return {
        "type": "DataIntegrityProof",
        "cryptosuite": "laurel-anchor-2026",
        "challenge": challenge,
        "domain": domain,
    }


def _holder_decoy(real: dict[str, Any], challenge: str, domain: str) -> dict[str, Any]:
    # The holder's own proof, its challenge and domain swapped: the signature breaks.
    return {**real, "challenge": challenge, "domain": domain}


def _with_decoy(vp: dict[str, Any], decoy: dict[str, Any]) -> dict[str, Any]:
    replayed = copy.deepcopy(vp)
    replayed["proof"] = [decoy, replayed["proof"]]
    return replayed


def _decoys(challenge: str, domain: str) -> list[tuple[str, dict[str, Any]]]:
    genuine = _genuine_for_x()
    return [
        ("anchor", _with_decoy(genuine, _anchor_decoy(challenge, domain))),
        ("holder", _with_decoy(genuine, _holder_decoy(genuine["proof"], challenge, domain))),
    ]


def _failures(result: Any) -> set[str]:
    return {c.id for c in result.failures()}


@pytest.mark.parametrize("kind", ["anchor", "holder"])
def test_p12_decoy_proof_does_not_lend_its_challenge(kind: str) -> None:
    replayed = dict(_decoys("fresh-challenge-of-y", Y_DOMAIN))[kind]
    policy = VerificationPolicy(now=NOW, challenge="fresh-challenge-of-y", domain=Y_DOMAIN)
    result = verify(replayed, policy)
    assert not result
    failed = _failures(result)
    assert {"presentation.challenge_mismatch", "presentation.domain_mismatch"} <= failed
    expected = "proof.unexpected_anchor" if kind == "anchor" else "proof.signature_invalid"
    assert expected in failed


def test_p12_the_genuine_proof_still_verifies_for_its_own_verifier() -> None:
    policy = VerificationPolicy(now=NOW, challenge=X_CHALLENGE, domain=X_DOMAIN)
    assert verify(_genuine_for_x(), policy)


def test_p12_an_anchor_proof_in_a_presentation_fails_even_with_matching_values() -> None:
    genuine = _genuine_for_x()
    replayed = _with_decoy(genuine, _anchor_decoy(X_CHALLENGE, X_DOMAIN))
    policy = VerificationPolicy(now=NOW, challenge=X_CHALLENGE, domain=X_DOMAIN)
    result = verify(replayed, policy)
    assert _failures(result) == {"proof.unexpected_anchor"}


@pytest.mark.parametrize("kind", ["anchor", "holder"])
def test_p12_through_the_vc_api_with_a_challenge_the_service_issued(kind: str) -> None:
    app = create_app(resolver=DidResolver(), clock=lambda: NOW, testing=True, domain=Y_DOMAIN)
    client = app.test_client()
    fresh = client.post("/challenges").get_json()["challenge"]
    replayed = dict(_decoys(fresh, Y_DOMAIN))[kind]
    resp = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": replayed, "options": {"challenge": fresh}},
    )
    assert resp.status_code == 422
    assert "presentation.challenge_mismatch" in resp.get_json()["errors"]


@pytest.mark.parametrize("kind", ["anchor", "holder"])
def test_p12_through_laurel_verify_challenge(kind: str, tmp_path: Any) -> None:
    replayed = dict(_decoys("fresh-challenge-of-y", Y_DOMAIN))[kind]
    path = tmp_path / "vp.json"
    path.write_text(json.dumps(replayed))
    result = CliRunner().invoke(
        cli,
        [
            "verify",
            "--json",
            "--challenge",
            "fresh-challenge-of-y",
            "--domain",
            Y_DOMAIN,
            str(path),
        ],
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.output.splitlines()[0])
    failed = {c["id"] for c in report["checks"] if c["status"] == "failed"}
    assert "presentation.challenge_mismatch" in failed
