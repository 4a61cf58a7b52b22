"""The verdict's words: the tables saying how each check reads, in English, marked for translation.

:data:`FAILURES` has one line per failed check id (its rank: the highest failure present
makes the sentence; its tone; its sentence); an id it does not know reads as its group
(:data:`GROUP_FAILURES`). :data:`CAVEATS` are the warnings that turn "Verified" into
"Verified, with a caveat"; :data:`CHECK_TITLES` and :data:`GROUP_TITLES` name the checks
in the table under a verdict. :mod:`verifier.verdict` composes them into sentences.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from ui.i18n import DEFAULT_LANGUAGE, Locale
from vc.results import Status

__all__ = [
    "CAVEATS",
    "CHECK_TITLES",
    "ENGLISH",
    "FAILURES",
    "GROUP_FAILURES",
    "GROUP_TITLES",
    "PRESENTATION_PROOF",
    "STATUS_LABELS",
    "TITLES",
    "N_",
    "Tone",
    "Words",
    "check_title",
    "status_label",
]

ENGLISH: Final = Locale(DEFAULT_LANGUAGE, DEFAULT_LANGUAGE)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "mark for translation only")
    """Mark `message` for extraction; it is translated where it is used."""
    return message


class Tone(enum.StrEnum):
    """What a person should do with the document."""

    #: Believe it: every check passed (warnings are notes).
    VERIFIED = "verified"
    #: Its signature holds, but something that matters could not be checked.
    CAUTION = "caution"
    #: Do not believe it.
    FAILED = "failed"
    #: Could not decide: something needed for the checks could not be read or reached.
    UNKNOWN = "unknown"


TITLES: Final = {
    Tone.VERIFIED: N_("Verified"),
    Tone.CAUTION: N_("Verified, with a caveat"),
    Tone.FAILED: N_("Not verified"),
    Tone.UNKNOWN: N_("Could not be verified"),
}


@dataclass(frozen=True, slots=True)
class Words:
    """How one failed check reads: its rank, its tone, and its sentence (``{issuer}``, ``{date}``).

    `date` names the check's detail holding the date of ``{date}``; without that
    detail, `undated` is used instead.
    """

    rank: int
    tone: Tone
    sentence: str
    date: str | None = None
    undated: str | None = None


#: How each failed check reads, by id. Higher ranks win the sentence.
FAILURES: Final[dict[str, Words]] = {
    # What was signed is not what is shown.
    "proof.signature_invalid": Words(
        100, Tone.FAILED, N_("Altered after it was issued: the signature does not match.")
    ),
    "format.not_compacted": Words(
        99, Tone.FAILED, N_("What it shows is not what was signed: it may have been altered.")
    ),
    "proof.undefined_term": Words(
        98,
        Tone.FAILED,
        N_("Parts of it are not covered by its signature: anyone could have added them."),
    ),
    "proof.missing": Words(97, Tone.FAILED, N_("Not signed: anyone could have written it.")),
    "proof.malformed_value": Words(96, Tone.FAILED, N_("Its signature is damaged or missing.")),
    "issuer.controller_mismatch": Words(
        95, Tone.FAILED, N_("Signed by someone other than the issuer it names.")
    ),
    "issuer.relationship_not_authorized": Words(
        94, Tone.FAILED, N_("Signed with a key its issuer has not authorized for issuing badges.")
    ),
    "issuer.key_not_found": Words(
        93, Tone.FAILED, N_("Signed with a key its issuer does not list (any more).")
    ),
    "anchor.after_compromise": Words(
        92,
        Tone.FAILED,
        N_("Recorded after {issuer} reported its signing key stolen on {date}."),
        date="compromisedSince",
        undated=N_("Recorded after {issuer} reported its signing key stolen."),
    ),
    "anchor.leaf_mismatch": Words(
        91, Tone.FAILED, N_("Its blockchain record is for another badge.")
    ),
    "anchor.inclusion_invalid": Words(
        91, Tone.FAILED, N_("Its blockchain record does not match the badge.")
    ),
    "anchor.sender_unbound": Words(
        91, Tone.FAILED, N_("Its blockchain record was not made by its issuer.")
    ),
    # The issuer withdrew it.
    "anchor.revoked": Words(
        82,
        Tone.FAILED,
        N_("Revoked by {issuer} on {date}."),
        date="revokedAt",
        undated=N_("Revoked by {issuer}."),
    ),
    "status.revoked": Words(
        80,
        Tone.FAILED,
        N_("Revoked by {issuer} (as of {date})."),
        date="listValidFrom",
        undated=N_("Revoked by {issuer}."),
    ),
    "status.suspended": Words(
        78,
        Tone.FAILED,
        N_("Suspended by {issuer} (as of {date}); it may be reinstated."),
        date="listValidFrom",
        undated=N_("Suspended by {issuer}; it may be reinstated."),
    ),
    # Out of date.
    "validity.expired": Words(
        70, Tone.FAILED, N_("Expired on {date}."), date="validUntil", undated=N_("Expired.")
    ),
    "validity.not_yet_valid": Words(
        70,
        Tone.FAILED,
        N_("Not valid until {date}."),
        date="validFrom",
        undated=N_("Not valid yet."),
    ),
    "validity.invalid_range": Words(
        66, Tone.FAILED, N_("Its dates contradict each other: it expires before it starts.")
    ),
    "validity.invalid_date": Words(66, Tone.FAILED, N_("One of its dates is not a real date.")),
    # Presented wrongly.
    "presentation.challenge_reused": Words(
        62, Tone.FAILED, N_("This answer was already used once: this is a copy of it.")
    ),
    "presentation.challenge_expired": Words(
        61, Tone.FAILED, N_("This answer came after the request expired.")
    ),
    "presentation.challenge_unknown": Words(
        61, Tone.FAILED, N_("This answer is to a request this verifier never made.")
    ),
    "presentation.challenge_mismatch": Words(
        61, Tone.FAILED, N_("This answer was made for another request.")
    ),
    "presentation.domain_mismatch": Words(
        61, Tone.FAILED, N_("This answer was made for another verifier.")
    ),
    "presentation.holder_not_subject": Words(
        60, Tone.FAILED, N_("Presented by someone who is not the person it was issued to.")
    ),
    "presentation.unsigned": Words(
        60, Tone.FAILED, N_("The answer is not signed, so it does not prove who presents it.")
    ),
    "presentation.signature_invalid": Words(
        60, Tone.FAILED, N_("The answer's signature does not hold: it was changed or forged.")
    ),
    "presentation.key_not_holder": Words(
        60, Tone.FAILED, N_("The answer is signed with a key that is not the presenter's.")
    ),
    "presentation.alg_not_allowed": Words(
        60, Tone.FAILED, N_("The answer is signed in a way this verifier does not accept.")
    ),
    "presentation.expired": Words(61, Tone.FAILED, N_("This answer has expired.")),
    "presentation.not_yet_valid": Words(61, Tone.FAILED, N_("This answer is not valid yet.")),
    "format.too_many_credentials": Words(
        58, Tone.FAILED, N_("The presentation carries more badges than a verifier accepts.")
    ),
    # Not one of yours.
    "trust.unknown_issuer": Words(
        55, Tone.FAILED, N_("Issued by an organization you have not listed as trusted.")
    ),
    # Could not decide.
    "status.retrieval_failed": Words(
        50,
        Tone.UNKNOWN,
        N_("Could not confirm it is not revoked: the issuer's status list could not be reached."),
    ),
    "status.fetch_blocked": Words(
        50,
        Tone.UNKNOWN,
        N_(
            "Could not confirm it is not revoked: its status list is on a network this verifier does not reach."
        ),
    ),
    "issuer.did_unresolved": Words(
        49,
        Tone.UNKNOWN,
        N_("Could not look up the issuer's keys, so the signature was not checked."),
    ),
    "issuer.did_fetch_blocked": Words(
        49,
        Tone.UNKNOWN,
        N_(
            "The issuer's keys are on a network this verifier does not reach: the signature was not checked."
        ),
    ),
    "proof.unsupported_cryptosuite": Words(
        48, Tone.UNKNOWN, N_("Signed in a way laurel cannot check.")
    ),
    "proof.canonicalization_timeout": Words(
        48, Tone.UNKNOWN, N_("Too complex to check in the time allowed.")
    ),
    "anchor.unavailable": Words(
        45, Tone.UNKNOWN, N_("Its blockchain record could not be looked up, and one is required.")
    ),
    "anchor.missing": Words(
        45, Tone.FAILED, N_("It has no blockchain record, and one is required.")
    ),
    "schema": Words(
        30, Tone.FAILED, N_("Not a valid Open Badge: it breaks the Open Badges 3.0 rules.")
    ),
}

#: How a failed check the table does not name reads: by its group.
GROUP_FAILURES: Final[dict[str, Words]] = {
    "proof": Words(90, Tone.FAILED, N_("Its signature could not be confirmed.")),
    "issuer": Words(89, Tone.FAILED, N_("Its signing key could not be tied to its issuer.")),
    "anchor": Words(84, Tone.FAILED, N_("Its blockchain record does not hold up.")),
    "status": Words(
        52,
        Tone.FAILED,
        N_("Its revocation status cannot be trusted: the issuer's status list is not valid."),
    ),
    "validity": Words(66, Tone.FAILED, N_("Not valid at this date.")),
    "presentation": Words(59, Tone.FAILED, N_("The presentation cannot be trusted.")),
    "trust": Words(54, Tone.FAILED, N_("Its issuer is not one you recognize.")),
    "schema": Words(
        30, Tone.FAILED, N_("Not a valid Open Badge: it breaks the Open Badges 3.0 rules.")
    ),
    "format": Words(35, Tone.FAILED, N_("Not a well-formed credential.")),
    # Endorsement checks are warnings (a failing endorsement does not fail the badge);
    # these words serve a failure nobody named.
    "endorsement": Words(20, Tone.FAILED, N_("One of its endorsements could not be checked.")),
}

# A presentation's own proof.* failures are about the holder's signature.
PRESENTATION_PROOF: Final = Words(
    100, Tone.FAILED, N_("The presentation was altered after its holder signed it.")
)

#: Warnings that make a verified document "verified, with a caveat", and their words.
CAVEATS: Final[dict[str, str]] = {
    "status.retrieval_failed": N_(
        "Its signature holds, but whether it was revoked could not be checked: the issuer's status list could not be reached."
    ),
    "status.unsupported": N_(
        "Its signature holds, but it uses a kind of status list laurel does not read: whether it was revoked was not checked."
    ),
    "proof.context": N_(
        "Its signature holds, but it uses a vocabulary meant for examples and tests, not for real badges."
    ),
}

#: Plain titles of the checks, by id, then by group (the checks table).
CHECK_TITLES: Final[dict[str, str]] = {
    "format": N_("Well-formed"),
    "proof.context": N_("Known vocabularies only"),
    "proof.signature": N_("Signature matches"),
    "issuer.key_binding": N_("Key belongs to the issuer"),
    "validity.period": N_("Within its dates"),
    "status": N_("Revocation status"),
    "status.revocation": N_("Not revoked"),
    "status.suspension": N_("Not suspended"),
    "status.revoked": N_("Revoked"),
    "status.suspended": N_("Suspended"),
    "anchor": N_("Blockchain record"),
    "anchor.inclusion": N_("Part of its anchored batch"),
    "anchor.binding": N_("Anchored by its issuer"),
    "anchor.ledger": N_("Recorded on the blockchain"),
    "anchor.pending": N_("Blockchain record not final yet"),
    "anchor.unavailable": N_("Blockchain record not looked up"),
    "schema": N_("Open Badges 3.0 rules"),
    "trust": N_("Issuer recognized"),
    "trust.unknown_issuer": N_("Issuer not recognized"),
    "presentation.challenge": N_("Made for this request"),
    "presentation.challenge_reused": N_("Made for this request"),
    "presentation.challenge_expired": N_("Made for this request"),
    "presentation.challenge_unknown": N_("Made for this request"),
    "presentation.challenge_mismatch": N_("Made for this request"),
    "presentation.domain_mismatch": N_("Made for this verifier"),
    "presentation.holder_not_subject": N_("Presented by its earner"),
    "presentation.domain": N_("Made for this verifier"),
    "presentation.holder": N_("Presented by its earner"),
    "presentation.key_binding": N_("Key belongs to the holder"),
    "presentation.unsigned": N_("Signed by its holder"),
    "presentation.signature": N_("Signed by its holder"),
    "presentation.signature_invalid": N_("Signed by its holder"),
    "presentation.key_not_holder": N_("Key belongs to the holder"),
    "presentation.alg_not_allowed": N_("Signed by its holder"),
    "presentation.expired": N_("Made for this request"),
    "presentation.not_yet_valid": N_("Made for this request"),
}
GROUP_TITLES: Final[dict[str, str]] = {
    "format": N_("Format"),
    "proof": N_("Signature"),
    "issuer": N_("Issuer's key"),
    "validity": N_("Dates"),
    "status": N_("Revocation status"),
    "anchor": N_("Blockchain record"),
    "schema": N_("Open Badges 3.0 rules"),
    "presentation": N_("Presentation"),
    "trust": N_("Issuer recognized"),
    "endorsement": N_("Endorsements"),
}
STATUS_LABELS: Final[dict[Status, str]] = {
    Status.PASSED: N_("Passed"),
    Status.FAILED: N_("Failed"),
    Status.WARNING: N_("Warning"),
    Status.SKIPPED: N_("Skipped"),
}


def check_title(check_id: str, locale: Locale = ENGLISH) -> str:
    """A check's plain title (``proof.signature`` → "Signature matches"), by id, else by group."""
    title = CHECK_TITLES.get(check_id) or GROUP_TITLES.get(check_id.split(".", 1)[0], check_id)
    return locale.gettext.gettext(title)


def status_label(status: Status, locale: Locale = ENGLISH) -> str:
    """A check status in words (``Passed``, ``Aprobada``...)."""
    return locale.gettext.gettext(STATUS_LABELS[status])
