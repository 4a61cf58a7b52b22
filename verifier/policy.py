"""What the verifier requires: a frozen policy, never chosen by the document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from verifier.budget import NETWORK_BUDGET_SECONDS

if TYPE_CHECKING:
    from verifier.trust import TrustRegistry

__all__ = ["CLOCK_SKEW", "VerificationPolicy"]

#: Tolerance on validFrom for clocks that run slow (SECURITY.md, "clock skew on validFrom").
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    """The verifier's requirements for one run.

    `now` is the reference time (UTC-aware); it is passed in, never read below the
    CLI or a route. `challenge` and `domain` are what the verifier asked a holder to
    sign; when set, a presentation must carry exactly them. `status_unreachable`
    says what an unretrievable status list gives (``fail`` closed by default, or
    ``warn``); `trusted_status_issuers` may sign status lists for other issuers.
    `anchor_confirmations` is the depth an anchor needs on an RPC chain (None: the
    node's ``finalized`` block, else 64); with `require_anchor`, a credential whose
    anchor cannot be confirmed fails instead of warning. `network_budget` is the
    network time (seconds) one verification may spend on everything it fetches.
    `recipient` is who the verifier expects the badge was awarded to (an email, a
    URL or a DID, given out of band): checked against an Open Badges 2.0 recipient
    identity, or an Open Badges 3.0 subject's ``id`` and ``identifier`` hashes.
    `holder_must_be_subject` says whether a presentation whose holder is not the
    subject of every credential fails (True) or warns (False); None: it fails
    wherever a challenge was asked (laurel's own requests and ``laurel verify
    --challenge``).
    """

    now: dt.datetime
    clock_skew: dt.timedelta = CLOCK_SKEW
    challenge: str | None = None
    domain: str | None = None
    trusted_issuers: TrustRegistry | None = field(default=None)
    status_unreachable: Literal["fail", "warn"] = "fail"
    trusted_status_issuers: frozenset[str] = frozenset()
    anchor_confirmations: int | None = None
    require_anchor: bool = False
    network_budget: float = NETWORK_BUDGET_SECONDS
    recipient: str | None = None
    holder_must_be_subject: bool | None = None

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("VerificationPolicy.now must be timezone-aware")
        if not self.network_budget > 0:
            raise ValueError("network_budget must be positive")
        if self.anchor_confirmations is not None and self.anchor_confirmations < 1:
            raise ValueError("anchor_confirmations is at least 1")
        if self.recipient is not None and not self.recipient.strip():
            raise ValueError("recipient must not be blank")
