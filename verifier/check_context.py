"""What every check shares: its context, the issuer's id, and how a value is quoted.

Each check is a small function ``(document, context) -> CheckResult(s)`` in a module
of its own job (:mod:`verifier.proof_checks`, :mod:`verifier.key_binding`,
:mod:`verifier.context_checks`, :mod:`verifier.credential_checks`,
:mod:`verifier.anchor_checks`, :mod:`verifier.presentation_binding`). Checks never
raise for bad input: the laurel errors they meet become failed results with the
error's message. Anything else is a bug and propagates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vc.did import DidResolver
from vc.types import JSONObject
from verifier.policy import VerificationPolicy

if TYPE_CHECKING:
    from anchor.directory import ChainDirectory
    from verifier.status import StatusChecker
    from verifier.web import WebReader

__all__ = ["NOT_FETCHED", "CheckContext", "issuer_id", "short"]

#: Why a check that would fetch something did not run on a forged document (SECURITY.md D14).
NOT_FETCHED = "not checked: the signature is invalid, so nothing the credential names was fetched"


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What every check may use: the policy, the injected resolver, status checker and chains.

    `web` reads the other documents a badge names (https keys, issuer profiles, Open
    Badges 2.0 documents) through the fetch guard, once each per verification.
    """

    policy: VerificationPolicy
    resolver: DidResolver
    status: StatusChecker | None = None
    anchors: ChainDirectory | None = None
    web: WebReader | None = None


def short(value: object, limit: int = 80) -> str:
    """`value` as text for a message: a string as it is, anything else as its repr, cut to `limit`."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def issuer_id(document: JSONObject) -> str | None:
    """The issuer's id, whether `issuer` is a string or an object."""
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None
