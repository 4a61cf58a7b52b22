"""What the verifier service's routes and pages share: its state, and answers to its challenges.

The state is made once by :func:`verifier.app.create_app` and kept in
``app.extensions["laurel.verifier"]``; :func:`verify_answer` verifies a presentation
against a challenge, using up one this service issued (the VC-API route and the
"Request a badge" page alike).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

from vc.did import DidResolver
from vc.results import CheckResult, VerificationResult
from vc.types import JSONObject
from verifier.challenges import ChallengeBook, issued_here
from verifier.policy import VerificationPolicy
from verifier.status import StatusChecker
from verifier.trust import TrustRegistry
from verifier.verify import verify

if TYPE_CHECKING:
    from anchor.check import ChainDirectory

__all__ = ["ServiceState", "service_state", "verify_answer"]


@dataclass(frozen=True, slots=True)
class ServiceState:
    """What the routes and pages share: stored in ``app.extensions["laurel.verifier"]``."""

    resolver: DidResolver
    clock: Callable[[], dt.datetime]
    challenges: ChallengeBook
    domain: str | None = None
    status: StatusChecker | None = None
    anchors: ChainDirectory | None = None
    anchor_confirmations: int | None = None
    #: The employer's recognized issuers (`laurel serve --trust`): every route and page.
    trust: TrustRegistry | None = None


def service_state() -> ServiceState:
    """The state of the app serving the current request."""
    state: ServiceState = current_app.extensions["laurel.verifier"]
    return state


_CHALLENGE_FAILURES = {
    "unknown": "this verifier never issued the challenge (or has forgotten it); ask for a new one",
    "reused": "the challenge was already used; each challenge is good for one presentation",
    "expired": "the challenge has expired; ask for a new one",
}


def verify_answer(
    state: ServiceState,
    presentation: JSONObject,
    challenge: str | None,
    now: dt.datetime,
    *,
    domain: str | None = None,
    caller_vouches: bool = False,
) -> VerificationResult:
    """Verify a presentation against a challenge, using up a challenge this service issued.

    A challenge this service issued is consumed on first use, whatever the
    verification then says, and is bound to the domain it was issued for, which
    then replaces `domain`; a used or expired one adds a failed
    ``presentation.challenge_*`` check (SECURITY.md P01, P04). A challenge it never
    issued fails as ``presentation.challenge_unknown`` (P10), unless
    `caller_vouches` and it is not shaped like this service's (a forgotten challenge
    of its own is never a caller's): a VC-API caller may pass its own challenge and domain, as
    ``laurel verify --challenge`` does, and the presentation must then carry exactly
    them. With no `challenge`, nothing is consumed.
    """
    extra: list[CheckResult] = []
    vouched = False
    if challenge is not None:
        taken = state.challenges.take(challenge, now)
        if taken.outcome == "ok":
            if taken.challenge is not None and taken.challenge.domain is not None:
                domain = taken.challenge.domain
        elif taken.outcome == "unknown" and caller_vouches and not issued_here(challenge):
            vouched = True
            extra.append(
                CheckResult.passed(
                    "presentation.challenge_vouched",
                    "the caller supplied the challenge (this verifier did not issue it, so it "
                    "is not checked for single use)",
                )
            )
        else:
            extra.append(
                CheckResult.failed(
                    f"presentation.challenge_{taken.outcome}",
                    _CHALLENGE_FAILURES[taken.outcome],
                    error="INVALID_CHALLENGE_ERROR",
                )
            )
    policy = VerificationPolicy(
        now=now,
        challenge=challenge,
        domain=domain,
        anchor_confirmations=state.anchor_confirmations,
        trusted_issuers=state.trust,
        # VC DM 2.0 leaves holder = subject to the verifier's business rules: a caller
        # with its own challenge reads it as a warning; laurel's own requests hold it.
        holder_must_be_subject=False if vouched else None,
    )
    result = verify(
        presentation,
        policy,
        resolver=state.resolver,
        status_checker=state.status,
        anchors=state.anchors,
    )
    if extra:
        result = VerificationResult(
            (*extra, *result.checks),
            summary=result.summary,
            credentials=result.credentials,
            unreadable=result.unreadable,
        )
    return result
