"""One Open Badge: build it, check it, sign it, check what was signed.

Every issuing path (``laurel issue``, a roster, the VC-API) ends in :func:`sign_checked`:

1. the unsigned credential, complete with its issuer, dates and status entries,
   passes the issuer's rule book (:func:`vc.issuance.check_unsigned`: the structure,
   context, term and Open Badges schema checks the verifier runs);
2. it is signed;
3. what was signed passes the verifier's whole pipeline (the `check` the CLI or
   ``laurel serve`` injects; the wallet never imports the verifier), or, without
   one, its own signature is verified with the wallet's public key.

Any problem at step 1 or 3 raises :class:`vc.issuance.IssuanceRefusedError` naming
every problem; nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from vc.did import DidResolver, split_did_url
from vc.errors import DidResolutionError, LaurelError
from vc.issuance import IssuanceRefusedError, check_unsigned, data_model
from vc.jsonld import CREDENTIALS_V2
from vc.keys import Ed25519KeyPair
from vc.openbadges import OB3_CONTEXT
from vc.proofs import CRYPTOSUITES, add_proof, proofs_of, verify_signature
from vc.results import CheckResult, Status, VerificationResult
from vc.timestamps import format_datetime_stamp, parse_datetime_stamp
from vc.types import JSONObject
from wallet.achievement import rubric_result
from wallet.home import Identity, Wallet
from wallet.status import allocate_entries
from wallet.store import Store

__all__ = [
    "DEFAULT_SUITE",
    "Evidence",
    "IssueOptions",
    "IssuedCheck",
    "RecipientError",
    "build_badge",
    "check_recipient",
    "sign_checked",
    "sign_checked_jwt",
]

DEFAULT_SUITE = "eddsa-rdfc-2022"  # the suite Open Badges 3.0 certification accepts
_QUOTE_LIMIT = 80

# VC Data Model 2.0, "Validity Period": validFrom and validUntil "could be a date and
# time in the past or in the future"; an issuer may state either, so a credential not
# valid *now* is not a reason to refuse signing it.
_NOT_ISSUANCE_PROBLEMS = frozenset({"validity.expired", "validity.not_yet_valid"})


class IssuedCheck(Protocol):
    """Verifies a credential just signed, as a verifier would (injected; see verifier.issued)."""

    def __call__(
        self, document: JSONObject, *, did_document: JSONObject, now: dt.datetime
    ) -> VerificationResult:
        """The verification result of `document`, resolving only the issuer's `did_document`."""
        ...


class RecipientError(LaurelError):
    """A recipient is neither a usable DID nor an email address."""

    hint = "Give a DID (did:key:z6Mk…, did:web:school.example) or an email address (ana@school.example)."


@dataclass(frozen=True, slots=True)
class Evidence:
    """An artifact the issuer reviewed (OB 3.0 Evidence)."""

    url: str
    name: str | None = None

    def to_json(self) -> JSONObject:
        """OB 3.0 Evidence JSON."""
        out: JSONObject = {"id": self.url, "type": ["Evidence"]}
        if self.name:
            out["name"] = self.name
        return out


@dataclass(frozen=True, slots=True)
class IssueOptions:
    """How to issue: suite, dates, evidence, the rubric level earned, and the post-signing check.

    `include_name` puts a roster row's name into the credential subject (personal
    data, so off by default). `check` verifies what was signed (the CLI passes
    :func:`verifier.issued.verify_issued`); without it the signature is verified.

    Raises:
        ValueError: an unknown suite, or a `valid_until` that is not a dateTimeStamp
            or not after `now`.
    """

    suite: str = DEFAULT_SUITE
    valid_until: str | None = None
    evidence: tuple[Evidence, ...] = ()
    result: str | None = None
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    include_name: bool = False
    check: IssuedCheck | None = None
    #: "data-integrity" (a proof of `suite`), or "jwt": a VC-JWT (Open Badges 3.0,
    #: "JSON Web Token Proof Format"), which some badge hosts accept only.
    format: str = "data-integrity"

    def __post_init__(self) -> None:
        if self.suite not in CRYPTOSUITES:
            raise ValueError(f"unknown suite {self.suite!r}; choose one of {sorted(CRYPTOSUITES)}")
        if self.format not in ("data-integrity", "jwt"):
            raise ValueError(f"unknown format {self.format!r}; choose data-integrity or jwt")
        if self.valid_until is not None and parse_datetime_stamp(self.valid_until) <= self.now:
            raise ValueError(f"valid_until {self.valid_until} is not after now")


_EMAIL_SPECIALS = frozenset('()<>[]:;,\\"')


def _is_email(value: str) -> bool:
    # An addr-spec as people type it: one @, a local part, a dotted domain, no spaces
    # or RFC 5322 specials (a display name or a list is not one address).
    local, at, domain = value.rpartition("@")
    if not at or not local or any(c.isspace() or c in _EMAIL_SPECIALS for c in value):
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(labels) and "@" not in local


def check_recipient(recipient: str) -> str | None:
    """Why `recipient` cannot receive a badge; None when it is a usable DID or email."""
    value = recipient.strip()
    shown = value if len(value) <= _QUOTE_LIMIT else value[:_QUOTE_LIMIT] + "…"
    if not value:
        return "the recipient is empty"
    if value.lower().startswith("did:"):
        try:
            did, fragment = split_did_url(value)
        except DidResolutionError:
            return f"{shown!r} is not a DID (did:METHOD:ID, e.g. did:key:z6Mk…)"
        if fragment is not None:
            return f"{shown!r} is a DID URL; give the DID without '#{fragment[:20]}'"
        if did.startswith(("did:key:", "did:web:")):
            try:
                if did.startswith("did:key:"):
                    DidResolver().resolve(did)
                else:
                    from vc.did import did_web_url

                    did_web_url(did)
            except DidResolutionError as exc:
                return f"{shown!r} is not a valid DID: {exc.message}"
        return None
    if _is_email(value):
        return None
    return f"{shown!r} is neither a DID nor an email address"


def _identity_subject(recipient: str) -> JSONObject:
    problem = check_recipient(recipient)
    if problem is not None:
        raise RecipientError(problem)
    recipient = recipient.strip()
    if recipient.lower().startswith("did:"):
        return {"id": recipient, "type": ["AchievementSubject"]}
    # OB 3.0 IdentityObject: "sha256$" + hex(SHA-256(identity || salt)), identity in UTF-8.
    salt = secrets.token_hex(8)
    digest = hashlib.sha256((recipient.lower() + salt).encode("utf-8")).hexdigest()
    identity: JSONObject = {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "salt": salt,
    }
    return {"type": ["AchievementSubject"], "identifier": [identity]}


def build_badge(
    identity: Identity,
    achievement: JSONObject,
    recipient: str,
    options: IssueOptions,
    *,
    name: str | None = None,
) -> JSONObject:
    """The unsigned OpenBadgeCredential for `recipient` (without status entries).

    `name` is the recipient's name, kept only with ``options.include_name``.

    Raises:
        RecipientError: the recipient is neither a DID nor an email address.
        AchievementError: ``options.result`` names no rubric level of the achievement.
    """
    subject = _identity_subject(recipient)
    if options.include_name and name:
        subject["name"] = name
    subject["achievement"] = achievement
    if options.result is not None:
        subject["result"] = [rubric_result(achievement, options.result)]
    credential: JSONObject = {
        "@context": [CREDENTIALS_V2, OB3_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": identity.did, "type": ["Profile"], "name": identity.name},
        "validFrom": format_datetime_stamp(options.now),
        "name": str(achievement.get("name")),
        "credentialSubject": subject,
    }
    if options.valid_until is not None:
        credential["validUntil"] = options.valid_until
    if options.evidence:
        credential["evidence"] = [e.to_json() for e in options.evidence]
    return credential


def add_status(store: Store, identity: Identity, credential: JSONObject) -> None:
    """Give `credential` its revocation and suspension entries when the wallet has lists.

    Call it inside the transaction that stores the credential.
    """
    if identity.base_url:
        credential_id = str(credential["id"])
        credential["credentialStatus"] = list(
            allocate_entries(store, identity.base_url, credential_id)
        )


def _self_verified(document: JSONObject, key: Ed25519KeyPair) -> list[CheckResult]:
    # Without the verifier: at least the signature must verify with our own key.
    problems: list[CheckResult] = []
    for index, proof in enumerate(proofs_of(document)):
        outcome = verify_signature(document, proof, key.public_key)
        if not outcome.valid:
            problems.append(
                CheckResult.failed(f"proof.{outcome.reason}", outcome.message, proof=index)
            )
    return problems


def _verifier_problems(result: VerificationResult, document: JSONObject) -> list[CheckResult]:
    problems: list[CheckResult] = []
    for check in result.failures():
        if check.id in _NOT_ISSUANCE_PROBLEMS:
            continue
        if (
            check.id == "format.context"
            and data_model(document) == "1.1"
            and check.details.get("path") == "@context[0]"
        ):
            # The verifier reads VC 1.1 with issue #13 (formats); until then its one
            # objection to a 1.1 credential is the version itself, which the issuer
            # chose on purpose. Every other check still applies.
            continue
        problems.append(check)
    return problems


def sign_checked(
    wallet: Wallet,
    key: Ed25519KeyPair,
    credential: JSONObject,
    *,
    suite: str,
    now: dt.datetime,
    check: IssuedCheck | None,
    before: Iterable[CheckResult] = (),
    sampled: bool = False,
) -> JSONObject:
    """Check `credential` by the rule book, sign it, and check what was signed.

    `before` holds problems the caller found already (they are reported together).
    `sampled` is for a roster's rows after the first of a chunk: they differ from it
    only in what laurel itself writes (id, recipient identifier, status entries), so
    the rule book and the verifier's pipeline ran on that first row, and here the
    signature is verified with the wallet's key.

    Raises:
        IssuanceRefusedError: names every problem, before or after signing.
    """
    problems = [*before, *([] if sampled else check_unsigned(credential))]
    if problems:
        raise IssuanceRefusedError(problems)
    identity = wallet.identity
    signed = add_proof(
        credential,
        key,
        identity.verification_method,
        cryptosuite=suite,
        created=format_datetime_stamp(now),
    )
    if check is None or sampled:
        after = _self_verified(signed, key)
    else:
        result = check(signed, did_document=wallet.did_document(), now=now)
        after = _verifier_problems(result, signed)
    if after:
        raise IssuanceRefusedError(after, what="what it signed (its own verifier refuses it)")
    return signed


def sign_checked_jwt(
    wallet: Wallet,
    key: Ed25519KeyPair,
    credential: JSONObject,
    *,
    now: dt.datetime,
    check: IssuedCheck | None,
    sampled: bool = False,
) -> str:
    """As :func:`sign_checked`, for a VC-JWT: the rule book, the token, the token checked.

    What was signed is checked as a verifier receives it: the token in an
    ``EnvelopedVerifiableCredential`` (VC 2.0), through the whole pipeline; without a
    `check` (or `sampled`), its signature is verified with the wallet's own key.

    Raises:
        IssuanceRefusedError: names every problem, before or after signing.
    """
    from vc.formats.jwt import sign_jwt, verify_jwt

    problems = [] if sampled else check_unsigned(credential)
    if problems:
        raise IssuanceRefusedError(problems)
    token = sign_jwt(credential, key, wallet.identity.verification_method)
    if check is None or sampled:
        own = json.dumps(wallet.did_document()).encode("utf-8")
        result = verify_jwt(token, resolver=DidResolver(web_fetcher=lambda _url: own))
        after = [c for c in result.checks if c.status is Status.FAILED]
    else:
        envelope: JSONObject = {
            "@context": [CREDENTIALS_V2],
            "type": "EnvelopedVerifiableCredential",
            "id": f"data:application/vc+jwt,{token}",
        }
        verified = check(envelope, did_document=wallet.did_document(), now=now)
        after = _verifier_problems(verified, credential)
    if after:
        raise IssuanceRefusedError(after, what="what it signed (its own verifier refuses it)")
    return token
