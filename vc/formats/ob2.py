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
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from vc.errors import LaurelError, MalformedDocumentError
from vc.jsontext import parse_document
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

#: The Open Badges 2.0 context, by both of its URLs (bundled in vc/contexts).
OB2_CONTEXTS = frozenset(
    {"https://w3id.org/openbadges/v2", "https://openbadgespec.org/v2/context.json"}
)
#: Fetches a URL's body (raises a LaurelError on any failure, as the fetch guard does).
Fetch = Callable[[str], bytes]

_MAX_DOCUMENT = 256 * 1024


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


def _strings(value: JSONValue) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _contexts(document: JSONObject) -> list[str]:
    return _strings(document.get("@context"))


def is_ob2_assertion(document: JSONObject) -> bool:
    """Whether `document` claims to be an Open Badges 2.0 Assertion (by context and type)."""
    return bool(OB2_CONTEXTS & set(_contexts(document))) and "Assertion" in _strings(
        document.get("type")
    )


class _Stop(Exception):
    """A check that prevents the ones after it (the document it needs is missing)."""

    def __init__(self, check: CheckResult) -> None:
        super().__init__(check.message)
        self.check = check


class _Reader:
    """Fetches and parses the linked documents of one assertion, remembering hosts."""

    def __init__(self, fetch: Fetch | None) -> None:
        self._fetch = fetch
        self.hosts: list[str] = []

    def get(self, url: str, what: str, check_id: str) -> JSONObject:
        host = urllib.parse.urlsplit(url).hostname or ""
        if self._fetch is None:
            raise _Stop(
                CheckResult.failed(
                    check_id,
                    f"the {what} is at {url[:120]}, and network fetching is off",
                    url=url[:200],
                )
            )
        if host and host not in self.hosts:
            self.hosts.append(host)
        try:
            return parse_document(self._fetch(url), max_bytes=_MAX_DOCUMENT)
        except LaurelError as exc:
            raise _Stop(
                CheckResult.failed(
                    check_id, f"the {what} at {url[:120]} cannot be read: {exc}", url=url[:200]
                )
            ) from exc

    def node(self, value: JSONValue, what: str, check_id: str) -> JSONObject:
        if isinstance(value, dict):
            return value
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return self.get(value, what, check_id)
        raise _Stop(
            CheckResult.failed(check_id, f"the assertion's {what} is neither an object nor a URL")
        )


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


def _verify_signed(token: str, reader: _Reader) -> tuple[JSONObject, JSONObject, JSONObject]:
    """The assertion of a signed badge, with its BadgeClass and Issuer, after the key checks."""
    from vc.formats.jwt import verify_compact

    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise MalformedDocumentError("not a compact JWS", code="malformed")
        header = parse_document(
            base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)), max_bytes=4096
        )
        assertion = parse_document(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, MalformedDocumentError) as exc:
        raise _Stop(
            CheckResult.failed("format.ob2_malformed", "the signed badge is not a JWS of JSON")
        ) from exc
    if header.get("alg") != "RS256":
        raise _Stop(
            CheckResult.failed(
                "proof.unsupported_alg",
                f"alg {str(header.get('alg'))[:20]!r}: OB 2.0 signed badges use RS256 only",
            )
        )
    refused = [h for h in ("jku", "x5u", "x5c", "jwk", "crit", "zip") if h in header]
    if refused:
        raise _Stop(
            CheckResult.failed(
                "proof.unsupported_header",
                f"the JOSE header uses {', '.join(refused)}: the key is the issuer's publicKey only",
            )
        )
    verification = assertion.get("verification")
    creator = verification.get("creator") if isinstance(verification, dict) else None
    badge = reader.node(assertion.get("badge"), "BadgeClass", "issuer.unavailable")
    issuer = reader.node(badge.get("issuer"), "Issuer", "issuer.unavailable")
    listed = issuer.get("publicKey")
    listed_ids = [
        k.get("id") if isinstance(k, dict) else k
        for k in (listed if isinstance(listed, list) else [listed])
    ]
    if not isinstance(creator, str):
        creator = listed_ids[0] if len(listed_ids) == 1 and isinstance(listed_ids[0], str) else None
    if creator is None:
        raise _Stop(CheckResult.failed("issuer.key_resolution", "the signed badge names no key"))
    key = reader.get(creator, "signing key", "issuer.key_resolution")
    if key.get("owner") != issuer.get("id") or creator not in listed_ids:
        raise _Stop(
            CheckResult.failed(
                "issuer.key_binding",
                f"the key {creator[:120]} is not one the issuer lists under publicKey",
            )
        )
    pem = key.get("publicKeyPem")
    if not isinstance(pem, str):
        raise _Stop(CheckResult.failed("issuer.key_resolution", "the key has no publicKeyPem"))
    outcome = verify_compact(token, pem, "RS256")
    if outcome is not None:
        raise _Stop(outcome)
    return assertion, badge, issuer


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
