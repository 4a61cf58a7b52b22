"""Open Badges 2.0 assertions: hosted and signed, checked as named results.

Most badges teachers already hold (Credly, Badgr/Canvas Credentials, ...) are Open
Badges 2.0. Verification follows OB 2.0, "Verification":

- **hosted** (``verification.type`` ``hosted``): the assertion lives at its ``id``;
  the copy found there is authoritative, so it is fetched and must equal the one given
  (``proof.hosted_mismatch``), and its URL must be on an origin the issuer allows
  (``issuer.origin_mismatch``: the issuer's own origin unless its ``verification``
  names ``allowedOrigins`` / ``startsWith``);
- **signed** (``verification.type`` ``signed``): the input is a JWS (RS256) whose
  payload is the assertion, made with the key ``verification.creator`` names; that
  CryptographicKey's ``owner`` must be the issuer and the issuer must list it under
  ``publicKey`` (``issuer.key_binding``).

Then the BadgeClass and the Issuer are read (embedded or fetched), the issuer's
``revocationList`` is consulted (``status.revoked``), ``issuedOn``/``expires`` are
compared with `now` (``validity.*``), and, when the employer gives an identity, the
recipient's hashed identity (``sha256$...``/``md5$...`` with ``salt``) is checked
against it (``presentation.recipient*``: the recipient is who presents the badge).

Every network read goes through the `fetch` callable the caller passes in (the
verifier passes its guarded fetcher); it returns bytes or raises a LaurelError.
`hosts` in the result names every host the verdict depended on: an OB 2.0 badge
keeps verifying only as long as its host lives. Never raises for bad input.

This module checks the format and the hosted copy and runs the checks in order; the
rest lives in private siblings (``_ob2_reader`` the linked documents, ``_ob2_signed``
signed badges, ``_ob2_checks`` validity, recipient and revocation), and
:mod:`vc.formats.ob2_contexts` tells an assertion by its contexts without loading any
of them.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass, field

from vc.formats._ob2_checks import _check_revocation, _check_validity, check_recipient
from vc.formats._ob2_reader import Fetch, _Reader, _Stop
from vc.formats._ob2_signed import _verify_signed
from vc.formats.ob2_contexts import OB2_CONTEXTS, _contexts, _strings, is_ob2_assertion
from vc.results import CheckResult, Status
from vc.types import JSONObject, JSONValue

__all__ = [
    "OB2_CONTEXTS",
    "Fetch",
    "Ob2Result",
    "check_recipient",
    "is_ob2_assertion",
    "verify_ob2",
]


@dataclass(frozen=True, slots=True)
class Ob2Result:
    """The checks of one OB 2.0 assertion, the documents read, the hosts depended on."""

    checks: tuple[CheckResult, ...]
    assertion: JSONObject | None = None
    badge_class: JSONObject | None = None
    issuer: JSONObject | None = None
    verification: str = ""
    hosts: tuple[str, ...] = ()
    extra: dict[str, JSONValue] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        """True when some check ran and none failed."""
        return bool(self.checks) and all(c.status is not Status.FAILED for c in self.checks)

    def failures(self) -> tuple[str, ...]:
        """The ids of the failed checks."""
        return tuple(c.id for c in self.checks if c.status is Status.FAILED)


def verify_ob2(
    data: JSONObject | str,
    *,
    fetch: Fetch | None,
    now: dt.datetime,
    recipient: str | None = None,
) -> Ob2Result:
    """Verify an Open Badges 2.0 assertion: a JSON object (hosted) or a JWS string (signed).

    Reports ``format``, ``proof``, ``issuer``, ``validity``, ``status`` and
    ``presentation.recipient`` checks; a missing linked document stops the checks
    that need it and fails with its reason. Never raises for bad input.
    """
    reader = _Reader(fetch)
    checks: list[CheckResult] = []
    assertion: JSONObject | None = None
    badge: JSONObject | None = None
    issuer: JSONObject | None = None
    kind = "signed" if isinstance(data, str) else "hosted"
    try:
        if isinstance(data, str):
            assertion, badge, issuer = _verify_signed(data.strip(), reader)
            checks.append(
                CheckResult.passed("proof.signature", "RS256 signature by the issuer's key")
            )
            checks.extend(_format_checks(assertion, kind))
        else:
            assertion = data
            checks.extend(_format_checks(assertion, kind))
            badge, issuer = _verify_hosted(assertion, reader, checks)
        checks.extend(_linked_checks(assertion, issuer, reader, now, recipient))
    except _Stop as stop:
        checks.append(stop.check)
    return Ob2Result(tuple(checks), assertion, badge, issuer, kind, tuple(reader.hosts))


def _linked_checks(
    assertion: JSONObject,
    issuer: JSONObject,
    reader: _Reader,
    now: dt.datetime,
    recipient: str | None,
) -> list[CheckResult]:
    checks: list[CheckResult] = []
    if "Issuer" not in _strings(issuer.get("type")) and "Profile" not in _strings(
        issuer.get("type")
    ):
        checks.append(
            CheckResult.failed("issuer.malformed", "the badge's issuer is not an Issuer Profile")
        )
    checks.extend(_check_validity(assertion, now))
    checks.append(_check_revocation(assertion, issuer, reader))
    checks.append(check_recipient(assertion, recipient))
    return checks


def _format_checks(assertion: JSONObject, kind: str) -> list[CheckResult]:
    problems: list[str] = []
    if not OB2_CONTEXTS & set(_contexts(assertion)):
        problems.append("its @context is not the Open Badges 2.0 context")
    if "Assertion" not in _strings(assertion.get("type")):
        problems.append("its type is not Assertion")
    verification = assertion.get("verification")
    declared = verification.get("type") if isinstance(verification, dict) else None
    expected = ("hosted", "HostedBadge") if kind == "hosted" else ("signed", "SignedBadge")
    if declared not in expected:
        problems.append(f"verification.type is {str(declared)[:20]!r}, not {expected[0]!r}")
    if not isinstance(assertion.get("id"), str):
        problems.append("it has no id")
    if problems:
        raise _Stop(
            CheckResult.failed(
                "format.ob2_malformed", "not a valid OB 2.0 assertion: " + "; ".join(problems)
            )
        )
    return [CheckResult.passed("format", f"an Open Badges 2.0 {kind} assertion")]


def _verify_hosted(
    assertion: JSONObject, reader: _Reader, checks: list[CheckResult]
) -> tuple[JSONObject, JSONObject]:
    assertion_id = str(assertion["id"])
    if not assertion_id.startswith(("https://", "http://")):
        raise _Stop(
            CheckResult.failed(
                "proof.hosted_unavailable", "a hosted assertion's id must be its URL"
            )
        )
    hosted = reader.get(assertion_id, "hosted assertion", "proof.hosted_unavailable")
    if hosted != assertion:
        raise _Stop(
            CheckResult.failed(
                "proof.hosted_mismatch",
                "the assertion differs from the copy its issuer hosts (the hosted copy is authoritative)",
            )
        )
    checks.append(
        CheckResult.passed("proof.hosted", f"matches the copy hosted at {assertion_id[:120]}")
    )
    badge = reader.node(assertion.get("badge"), "BadgeClass", "issuer.unavailable")
    issuer = reader.node(badge.get("issuer"), "Issuer", "issuer.unavailable")
    checks.append(_check_origin(assertion_id, issuer))
    return badge, issuer


def _check_origin(assertion_id: str, issuer: JSONObject) -> CheckResult:
    # OB 2.0, "VerificationObject": allowedOrigins (hosts) and startsWith (URL prefixes)
    # on the issuer; by default the assertion must be on the domain of the issuer's id.
    policy = issuer.get("verification")
    policy = policy if isinstance(policy, dict) else {}
    host = (urllib.parse.urlsplit(assertion_id).hostname or "").lower()
    allowed = [h.lower() for h in _strings(policy.get("allowedOrigins"))]
    prefixes = _strings(policy.get("startsWith"))
    issuer_id = issuer.get("id")
    if allowed or prefixes:
        ok = (not allowed or host in allowed) and (
            not prefixes or any(assertion_id.startswith(p) for p in prefixes)
        )
    else:
        ok = isinstance(issuer_id, str) and (
            (urllib.parse.urlsplit(issuer_id).hostname or "").lower() == host != ""
        )
    if ok:
        return CheckResult.passed("issuer.origin", "hosted on an origin the issuer allows")
    return CheckResult.failed(
        "issuer.origin_mismatch",
        f"the assertion is hosted at {host[:80]}, which the issuer does not allow",
    )
