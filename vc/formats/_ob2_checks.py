"""The checks of an OB 2.0 assertion's own claims: validity period, recipient, revocation.

OB 2.0 "DateTime" for ``issuedOn``/``expires`` (``validity.*``), the hashed
"IdentityObject" of the recipient (``presentation.recipient*``, SECURITY.md O02) and
the issuer's ``revocationList`` (``status.revoked``). Re-exported by
:mod:`vc.formats.ob2`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from vc.formats._ob2_reader import _Reader, _Stop
from vc.results import CheckResult
from vc.types import JSONObject, JSONValue

__all__ = ["check_recipient"]


def _parse_time(value: JSONValue) -> dt.datetime | None:
    # OB 2.0 "DateTime": ISO 8601 with a time zone, or a Unix timestamp.
    if isinstance(value, int) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _check_validity(assertion: JSONObject, now: dt.datetime) -> list[CheckResult]:
    issued = _parse_time(assertion.get("issuedOn"))
    if issued is None:
        return [CheckResult.failed("validity.malformed", "issuedOn is missing or not a DateTime")]
    checks: list[CheckResult] = []
    expires_value = assertion.get("expires")
    expires = _parse_time(expires_value) if expires_value is not None else None
    if expires_value is not None and expires is None:
        checks.append(CheckResult.failed("validity.malformed", "expires is not a DateTime"))
    if issued > now:
        checks.append(
            CheckResult.failed(
                "validity.not_yet_valid", f"issued in the future ({issued:%Y-%m-%d})"
            )
        )
    if expires is not None and expires < issued:
        checks.append(CheckResult.failed("validity.malformed", "expires is before issuedOn"))
    elif expires is not None and expires <= now:
        checks.append(CheckResult.failed("validity.expired", f"expired on {expires:%Y-%m-%d}"))
    return checks or [CheckResult.passed("validity", "issued in the past, not expired")]


def check_recipient(assertion: JSONObject, identity: str | None) -> CheckResult:
    """Whether the assertion's recipient is `identity` (an email, URL or phone number).

    OB 2.0, "IdentityObject": a hashed identity is ``<alg>$<hex>`` of the identity
    followed by ``salt``. ``md5`` is refused (``presentation.recipient_weak_hash``)
    and so is an unsalted hash (``presentation.recipient_unsalted``: anyone can test
    guesses against it), as SECURITY O02 asks.
    """
    recipient = assertion.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("identity"), str):
        return CheckResult.failed(
            "presentation.recipient", "the assertion names no recipient identity"
        )
    if identity is None:
        return CheckResult.skipped(
            "presentation.recipient", "not checked: give the recipient's email to check it"
        )
    value = str(recipient["identity"])
    kind = recipient.get("type")
    normalized = identity.strip().lower() if kind in (None, "email") else identity.strip()
    if recipient.get("hashed") is not True:
        matches = hmac.compare_digest(
            value.strip().lower() if kind in (None, "email") else value, normalized
        )
        return _recipient_outcome(matches, identity)
    algorithm, _, digest = value.partition("$")
    algorithm = algorithm.lower()
    if algorithm == "md5":
        return CheckResult.failed(
            "presentation.recipient_weak_hash",
            "the recipient identity is hashed with md5, which does not bind it",
        )
    if algorithm != "sha256" or len(digest) != 64:
        return CheckResult.failed(
            "presentation.recipient", f"unsupported recipient hash {algorithm[:10]!r}"
        )
    salt = recipient.get("salt")
    if not isinstance(salt, str) or not salt:
        return CheckResult.failed(
            "presentation.recipient_unsalted",
            "the recipient identity hash has no salt: anyone can test guesses against it",
        )
    computed = hashlib.sha256((normalized + salt).encode("utf-8")).hexdigest()
    return _recipient_outcome(hmac.compare_digest(computed, digest.lower()), identity)


def _recipient_outcome(matches: bool, identity: str) -> CheckResult:
    if matches:
        return CheckResult.passed("presentation.recipient", "awarded to the given recipient")
    return CheckResult.failed(
        "presentation.recipient_mismatch",
        "the badge was not awarded to the given recipient",
        recipient=identity[:120],
    )


def _check_revocation(assertion: JSONObject, issuer: JSONObject, reader: _Reader) -> CheckResult:
    if assertion.get("revoked") is True:
        reason = assertion.get("revocationReason")
        return CheckResult.failed("status.revoked", f"revoked by its issuer: {str(reason)[:120]}")
    url = issuer.get("revocationList")
    if url is None:
        return CheckResult.passed("status", "the issuer publishes no revocation list")
    try:
        listing = reader.node(url, "revocation list", "status.retrieval_failed")
    except _Stop as stop:
        return stop.check
    revoked = listing.get("revokedAssertions")
    entries = revoked if isinstance(revoked, list) else []
    wanted = assertion.get("id")
    for entry in entries:
        entry_id = entry.get("id") if isinstance(entry, dict) else entry
        if entry_id == wanted:
            reason = entry.get("revocationReason") if isinstance(entry, dict) else None
            return CheckResult.failed(
                "status.revoked",
                f"revoked by its issuer{': ' + str(reason)[:120] if reason else ''}",
            )
    return CheckResult.passed("status", "not on the issuer's revocation list")
