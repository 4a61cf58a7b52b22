"""`laurel serve` for real: granian with two workers on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.builders import badge, presentation
from tests.service_tools import call, laurel_serve


@pytest.fixture(scope="module")
def service() -> Iterator[int]:
    with laurel_serve("--workers", "2") as server:
        yield server.port


@pytest.mark.e2e
def test_serve_verifies_and_rejects(service: int) -> None:
    status, body, _ = call(
        service, "POST", "/credentials/verify", {"verifiableCredential": badge()}
    )
    assert (status, body["verified"]) == (200, True)
    tampered = badge()
    tampered["credentialSubject"]["achievement"]["name"] = "Distinguished"
    status, body, _ = call(
        service, "POST", "/credentials/verify", {"verifiableCredential": tampered}
    )
    assert (status, body["verified"]) == (422, False)
    assert "proof.signature_invalid" in json.dumps(body)


@pytest.mark.e2e
def test_challenges_work_across_workers(service: int) -> None:
    # Each challenge is issued by whichever worker answers, and consumed by another:
    # the store is shared, so every one is known exactly once.
    for _ in range(6):
        status, issued, _ = call(service, "POST", "/challenges", {})
        assert status == 201
        vp = presentation([badge()], challenge=issued["challenge"], domain=issued["domain"])
        options = {"challenge": issued["challenge"], "domain": issued["domain"]}
        status, body, _ = call(
            service,
            "POST",
            "/presentations/verify",
            {"verifiablePresentation": vp, "options": options},
        )
        assert status == 200, body
        status, body, _ = call(
            service,
            "POST",
            "/presentations/verify",
            {"verifiablePresentation": vp, "options": options},
        )
        assert status == 422
        assert "presentation.challenge_reused" in json.dumps(body)


@pytest.mark.e2e
def test_serve_shares_oid4vp_transactions_between_workers(service: int) -> None:
    status, started, _ = call(service, "POST", "/oid4vp/requests")
    assert status == 201
    path = "/" + started["status_uri"].split("/", 3)[3]
    # Several requests land on both workers: each knows the transaction.
    assert {call(service, "GET", path)[1]["status"] for _ in range(8)} == {"pending"}
