"""The attack catalog (SECURITY.md §3): one file per case, `test_<id>_<slug>.py`.

Each test builds its attack from the base fixtures (V: `tests.builders.badge()`, VJ:
its eddsa-jcs-2022 twin, VW: the same badge from a did:web issuer, P: a presentation)
and asserts the exact failing check id, never just "not verified". The loopback HTTPS
server, the DNS spy and the socket spy are the fetch guard's own test fixtures.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.builders import ISSUER, Party, party, sign, unsigned_badge
from tests.verifier.test_fetch import (  # noqa: F401 (fixtures, used by name)
    Dns,
    Server,
    body,
    chunked,
    client_tls,
    connects,
    pki,
    redirect,
    server,
)
from vc.did import DidResolver
from vc.results import Status, VerificationResult
from vc.types import JSONObject
from verifier import VerificationPolicy, verify, verify_bytes

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
POLICY = VerificationPolicy(now=NOW)


def failed(result: VerificationResult) -> list[str]:
    """The ids of every failed check, the credentials' inside a presentation included."""
    ids = [c.id for c in result.checks if c.status is Status.FAILED]
    for credential in result.credentials:
        ids += [c.id for c in credential.checks if c.status is Status.FAILED]
    return ids


def check(result: VerificationResult, check_id: str) -> Any:
    """The one check named `check_id` (in the result or its credentials)."""
    found = [c for c in result.checks if c.id == check_id]
    for credential in result.credentials:
        found += [c for c in credential.checks if c.id == check_id]
    assert len(found) >= 1, f"{check_id} not in {[c.id for c in result.checks]}"
    return found[0]


def verify_document(
    document: JSONObject, resolver: DidResolver | None = None
) -> VerificationResult:
    """Verify offline (did:key; did:web through `resolver`) at NOW."""
    return verify(document, POLICY, resolver=resolver or DidResolver())


def verify_text(data: bytes, resolver: DidResolver | None = None) -> VerificationResult:
    """Verify untrusted bytes offline at NOW."""
    return verify_bytes(data, POLICY, resolver=resolver or DidResolver())


WEB_DID = "did:web:issuer.test"
WEB_KEY = party("web issuer k1")
WEB_ISSUER = Party(WEB_KEY.key, WEB_DID)
WEB_VM = f"{WEB_DID}#key-1"


def did_document(
    did: str = WEB_DID,
    *,
    keys: dict[str, Party] | None = None,
    assertion: list[str] | None = None,
    **relationships: list[str],
) -> JSONObject:
    """A did:web DID document with Multikey methods (`keys`: fragment -> party)."""
    keys = keys if keys is not None else {"key-1": WEB_KEY}
    document: JSONObject = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#{fragment}",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": holder.key.public_key.multibase,
            }
            for fragment, holder in keys.items()
        ],
        "assertionMethod": (assertion if assertion is not None else [f"{did}#{f}" for f in keys]),
    }
    document.update(relationships)
    return document


def web_badge(did: str = WEB_DID, vm: str | None = None) -> JSONObject:
    """VW: the base badge issued by a did:web issuer, signed with WEB_KEY."""
    issuer = Party(WEB_KEY.key, did)
    return sign(unsigned_badge(issuer=issuer), issuer, verification_method=vm or f"{did}#key-1")


def serving(document: JSONObject) -> DidResolver:
    """A resolver whose did:web host answers `document` (no network at all)."""
    data = json.dumps(document).encode()
    return DidResolver(web_fetcher=lambda _url: data)


@pytest.fixture
def issuer() -> Party:
    """The base issuer (did:key kA)."""
    return ISSUER


def cli_verify(data: bytes, *args: str) -> list[dict[str, Any]]:
    """`laurel verify --json - ARGS` on `data`: one parsed JSON result per document found."""
    from click.testing import CliRunner

    from cli import cli

    outcome = CliRunner().invoke(cli, ["verify", "--json", *args, "-"], input=data)
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), outcome.output
    return [json.loads(line) for line in outcome.output.splitlines() if line.startswith("{")]


def cli_failed(data: bytes, *args: str) -> list[list[str]]:
    """The failed check ids `laurel verify --json` reports, per document found."""
    return [
        [c["id"] for c in report["checks"] if c["status"] == "failed"]
        for report in cli_verify(data, *args)
    ]
