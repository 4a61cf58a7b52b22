"""Act 12: a badge offered to a wallet over OpenID4VCI, and asked for over OpenID4VP."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from laurel_demo._achievements import DEMO_PASSPHRASE
from laurel_demo._service import Service
from vc.results import VerificationResult
from vc.types import JSONObject
from wallet.home import Wallet
from wallet.issuer import IssueOptions, issue_badge

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["openid4vc_tour"]


def openid4vc_tour(
    console: Console,
    service: Service,
    district: Wallet,
    teacher: Wallet,
    achievement: JSONObject,
    employer_verifies: Callable[[bytes], VerificationResult],
) -> None:
    """OID4VCI: an email badge offered and received, bound to the teacher's DID; OID4VP: presented."""
    from verifier.guarded_http import GuardedHttp
    from verifier.verify import networked_resolver
    from wallet.oid4vci import make_offer
    from wallet.oid4vp_client import answer_request, read_request
    from wallet.receive import receive_offer

    now = dt.datetime.now(dt.UTC)
    # The service is on loopback, which only an explicit flag lets the guard reach.
    http = GuardedHttp.from_env(allow_private_network=True)
    email_badge = issue_badge(
        district,
        DEMO_PASSPHRASE,
        achievement,
        "ana.rivera@riverside.example",
        IssueOptions(now=now),
    )
    offered = make_offer(district, email_badge.id, now=now)
    console.print("$ laurel offer " + email_badge.id[:24] + "… --qr offer.png")
    console.print(f"  {offered.offer[:72]}…")
    console.print(
        f"  PIN {offered.pin} (sent separately), single use, until {offered.expires:%Y-%m-%d}"
    )
    console.print("Any OpenID4VCI wallet scans it; here laurel's own, on the teacher's side:")
    outcome = receive_offer(
        teacher, DEMO_PASSPHRASE, offered.offer, offered.pin, http, employer_verifies, now=now
    )
    console.print(f"$ laurel receive offer.png --pin {offered.pin}")
    subject = outcome.credential.document.get("credentialSubject")
    holder = subject.get("id") if isinstance(subject, dict) else None
    console.print(
        f"  {outcome.credential.id}  verified: {outcome.result.verified}; issued to an email,"
        f" now bound to her DID {str(holder)[:28]}…"
    )
    status, started = service.post("/oid4vp/requests", {})
    console.print(f"POST /oid4vp/requests  ->  {status}  {started['request'][:64]}…")
    request = read_request(started["request"], http, networked_resolver(allow_private_network=True))
    console.print(
        f"$ laurel present {outcome.credential.id[:18]}… --request 'openid4vp://…'"
        f"\n  the request is signed by {request.verifier_did[:32]}… (decentralized_identifier)"
    )
    answer_request(teacher, DEMO_PASSPHRASE, request, [outcome.credential.id], http, now=now)
    verdict = json.loads(http.get(started["status_uri"]).body)
    console.print(
        f"GET status_uri  ->  {verdict['status']}  ({len(verdict['result']['checks'])} checks passed,"
        f" nonce and client_id bound: {', '.join(c for c in verdict['result']['checks'] if c in ('presentation.challenge', 'presentation.domain'))})"
    )
    console.print(
        "(the page's Request a badge shows the same openid4vp:// QR code, for any wallet)\n"
    )
