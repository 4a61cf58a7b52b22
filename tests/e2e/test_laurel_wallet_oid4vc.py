"""laurel's own wallet as the OID4VCI and OID4VP client, against laurel's issuer and verifier on loopback.

The HTTP is the fetch guard's (``verifier.guarded_http``), allowed onto loopback as
``--allow-private-network`` allows it; the attacks on the guard are named (V02).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import District
from tests.wallet.conftest import PASSPHRASE
from vc.did import DidResolver
from vc.formats.jwt import credential_of
from verifier.errors import FetchBlockedError
from verifier.guarded_http import GuardedHttp
from verifier.policy import VerificationPolicy
from verifier.verify import networked_status_checker, verify_bytes
from wallet.home import Wallet
from wallet.keystore import KdfParams
from wallet.oid4vp_client import answer_request, read_request
from wallet.receive import receive_offer
from wallet.transport import ProtocolError

pytestmark = pytest.mark.e2e


@pytest.fixture
def teacher(tmp_path: Path) -> Iterator[Wallet]:
    with Wallet.create(
        tmp_path / "teacher", name="Ana", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()
    ) as wallet:
        yield wallet


def _verify(data: bytes):  # type: ignore[no-untyped-def]
    return verify_bytes(
        data,
        VerificationPolicy(now=dt.datetime.now(dt.UTC)),
        resolver=DidResolver(),
        status_checker=networked_status_checker(allow_private_network=True),
    )


LOOPBACK = GuardedHttp.from_env(allow_private_network=True)


def test_laurel_receives_a_badge_bound_to_its_did(district: District, teacher: Wallet) -> None:
    offer, pin = district.offer()
    outcome = receive_offer(
        teacher, PASSPHRASE, offer, pin, LOOPBACK, _verify, now=dt.datetime.now(dt.UTC)
    )
    assert outcome.result.verified
    assert outcome.credential.document["credentialSubject"]["id"] == teacher.identity.did


def test_laurel_wrong_pin_is_named(district: District, teacher: Wallet) -> None:
    offer, pin = district.offer()
    wrong = "000000" if pin != "000000" else "111111"
    with pytest.raises(ProtocolError) as caught:
        receive_offer(
            teacher, PASSPHRASE, offer, wrong, LOOPBACK, _verify, now=dt.datetime.now(dt.UTC)
        )
    assert caught.value.error == "invalid_grant"


def _received_and_asked(
    district: District, teacher: Wallet, now: dt.datetime
) -> tuple[Any, dict[str, Any], Any]:
    """The district's badge received by `teacher`, a new OID4VP request and what it asks."""
    offer, pin = district.offer()
    stored = receive_offer(teacher, PASSPHRASE, offer, pin, LOOPBACK, _verify, now=now).credential
    started = json.loads(
        LOOPBACK.post(f"{district.base}/oid4vp/requests", b"", content_type="application/json").body
    )
    return stored, started, read_request(started["request"], LOOPBACK, DidResolver())


def test_laurel_receives_then_answers_laurel_verifier(district: District, teacher: Wallet) -> None:
    now = dt.datetime.now(dt.UTC)
    stored, started, request = _received_and_asked(district, teacher, now)
    assert request.client_id.startswith("decentralized_identifier:did:key:")
    answer_request(teacher, PASSPHRASE, request, [stored.id], LOOPBACK, now=now)
    verdict = json.loads(LOOPBACK.get(started["status_uri"]).body)
    assert verdict["status"] == "verified", verdict["result"]["errors"]


def test_v02_request_uri_at_a_private_address_is_not_fetched(teacher: Wallet) -> None:
    guarded = GuardedHttp.from_env()  # the default: no private network
    link = "openid4vp://?client_id=decentralized_identifier%3Adid%3Akey%3Az6Mkx&request_uri=http%3A%2F%2F10.0.0.1%2Frequest"
    with pytest.raises(FetchBlockedError):
        read_request(link, guarded, DidResolver())
    link = "openid4vp://?client_id=decentralized_identifier%3Adid%3Akey%3Az6Mkx&request_uri=https%3A%2F%2F169.254.169.254%2Flatest"
    with pytest.raises(FetchBlockedError):
        read_request(link, guarded, DidResolver())


def test_v02_response_uri_at_a_private_address_is_not_posted_to(
    district: District, teacher: Wallet
) -> None:
    from dataclasses import replace

    now = dt.datetime.now(dt.UTC)
    stored, _, request = _received_and_asked(district, teacher, now)
    # A request naming a private response_uri: the default guard refuses to post there.
    hostile = replace(request, response_uri="http://192.168.1.10/collect")
    with pytest.raises(FetchBlockedError):
        answer_request(teacher, PASSPHRASE, hostile, [stored.id], GuardedHttp.from_env(), now=now)


def test_v01_credential_offer_uri_at_a_private_address_is_not_fetched(teacher: Wallet) -> None:
    offer = "openid-credential-offer://?credential_offer_uri=http%3A%2F%2F127.0.0.1%3A1%2Foffer"
    with pytest.raises(FetchBlockedError):
        receive_offer(
            teacher,
            PASSPHRASE,
            offer,
            "123456",
            GuardedHttp.from_env(),
            _verify,
            now=dt.datetime.now(dt.UTC),
        )


def test_laurel_receives_a_jwt_vc_json_badge_kept_as_its_token(
    district: District, teacher: Wallet
) -> None:
    offer, pin = district.offer(("OpenBadgeCredential_jwt_vc_json",))
    outcome = receive_offer(
        teacher, PASSPHRASE, offer, pin, LOOPBACK, _verify, now=dt.datetime.now(dt.UTC)
    )
    assert outcome.result.verified
    stored = outcome.credential
    assert stored.document["credentialSubject"]["id"] == teacher.identity.did
    original = teacher.store.original_of(stored.id)
    assert original is not None
    assert original.format == "vc-jwt"
    assert credential_of(original.text) == stored.document


def test_laurel_round_trip_as_jwt_vc_json(district: District, teacher: Wallet) -> None:
    offer, pin = district.offer(("OpenBadgeCredential_jwt_vc_json",))
    now = dt.datetime.now(dt.UTC)
    stored = receive_offer(teacher, PASSPHRASE, offer, pin, LOOPBACK, _verify, now=now).credential
    started = json.loads(
        LOOPBACK.post(f"{district.base}/oid4vp/requests", b"", content_type="application/json").body
    )
    request = read_request(started["request"], LOOPBACK, DidResolver())
    assert request.jwt_query_id == "openbadge_jwt"
    # The issuer kept what it signed: the VC-JWT, as the original of the badge it stored.
    with Wallet.open(district.home) as issuer:
        kept = issuer.store.original_of(stored.id)
        assert kept is not None
        assert kept.format == "vc-jwt"
        assert kept.text == teacher.store.original_of(stored.id).text  # type: ignore[union-attr]
    answer_request(teacher, PASSPHRASE, request, [stored.id], LOOPBACK, now=now)
    verdict = json.loads(LOOPBACK.get(started["status_uri"]).body)
    assert verdict["status"] == "verified", verdict["result"]["errors"]
    # Answered as jwt_vc_json: the holder's signature is the VP-JWT's.
    assert "format.vp_jwt" in verdict["result"]["checks"]
    assert "presentation.signature" in verdict["result"]["checks"]


def test_issuer_metadata_describes_jwt_vc_json_as_the_spec_does(district: District) -> None:
    # OID4VCI 1.0, "VC Signed as a JWT, Not Using JSON-LD": credential_definition is type only.
    url = f"{district.base}/.well-known/openid-credential-issuer"  # the issuer has no path
    metadata = json.loads(LOOPBACK.get(url).body)
    config = metadata["credential_configurations_supported"]["OpenBadgeCredential_jwt_vc_json"]
    assert config["format"] == "jwt_vc_json"
    assert config["credential_signing_alg_values_supported"] == ["EdDSA"]
    assert config["credential_definition"] == {
        "type": ["VerifiableCredential", "OpenBadgeCredential"]
    }
    ldp = metadata["credential_configurations_supported"]["OpenBadgeCredential_ldp_vc"]
    assert "@context" in ldp["credential_definition"]
