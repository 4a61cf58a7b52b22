"""Is the badge awarded to the person presenting it? The recipient the verifier was told of.

Open Badges 3.0, "Verification", step 5 ("Optionally verify the subject"): "The id or
identifier value to use for verification must be shared with the verifier in an
out-of-band process such as by email. This is called the known value." It is
compared with ``credentialSubject.id``, or hashed with each ``identifier``'s salt
("Verify the Recipient Using an Identifier"). Open Badges 2.0 recipients are checked
by :func:`vc.formats.ob2.check_recipient`, under the same check ids.

    >>> import hashlib
    >>> subject = {"identifier": [{"type": "IdentityObject", "identityType": "emailAddress",
    ...     "hashed": True, "salt": "s1",
    ...     "identityHash": "sha256$" + hashlib.sha256(b"ana@school.example" + b"s1").hexdigest()}]}
    >>> check_subject_recipient({"credentialSubject": subject}, "Ana@School.example").id
    'presentation.recipient'
"""

from __future__ import annotations

import hashlib
import hmac

from vc.results import CheckResult
from vc.types import JSONObject, JSONValue

__all__ = ["check_subject_recipient"]


def _subjects(credential: JSONObject) -> list[JSONObject]:
    value = credential.get("credentialSubject")
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def _identifiers(subject: JSONObject) -> list[JSONObject]:
    value: JSONValue = subject.get("identifier")
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def _candidates(known: str, identity_type: JSONValue) -> list[str]:
    # An email address is compared as given and in lower case (issuers, laurel among
    # them, hash the lower-case address); any other identifier exactly as given.
    known = known.strip()
    if identity_type == "emailAddress" or "@" in known:
        return list(dict.fromkeys([known, known.lower()]))
    return [known]


def _matches(identifier: JSONObject, known: str) -> bool | None:
    """True or False for a hash laurel can compute; None when it cannot (md5, no hash)."""
    value = identifier.get("identityHash")
    if not isinstance(value, str):
        return None
    candidates = _candidates(known, identifier.get("identityType"))
    if identifier.get("hashed") is not True:
        return any(hmac.compare_digest(value, c) for c in candidates)
    algorithm, _, digest = value.partition("$")
    if algorithm.lower() != "sha256" or len(digest) != 64:
        return None
    salt = identifier.get("salt")
    salt_text = salt if isinstance(salt, str) else ""
    for candidate in candidates:
        computed = hashlib.sha256((candidate + salt_text).encode("utf-8")).hexdigest()
        if hmac.compare_digest(computed, digest.lower()):
            return True
    return False


def check_subject_recipient(credential: JSONObject, known: str) -> CheckResult:
    """Whether `known` (an email, URL or DID) is the credential's recipient (OB 3.0 step 5).

    ``presentation.recipient`` when the subject's ``id`` equals it or an ``identifier``
    hash matches it; ``presentation.recipient_mismatch`` otherwise;
    ``presentation.recipient_weak_hash`` when the only identifiers are md5 hashes,
    which do not bind the recipient.
    """
    weak = False
    for subject in _subjects(credential):
        subject_id = subject.get("id")
        if isinstance(subject_id, str) and hmac.compare_digest(subject_id, known.strip()):
            return CheckResult.passed(
                "presentation.recipient", "awarded to the given recipient (the subject's id)"
            )
        for identifier in _identifiers(subject):
            outcome = _matches(identifier, known)
            if outcome:
                return CheckResult.passed(
                    "presentation.recipient",
                    "awarded to the given recipient (its identifier hash matches)",
                )
            weak = weak or (
                outcome is None
                and str(identifier.get("identityHash", "")).lower().startswith("md5$")
            )
    if weak:
        return CheckResult.failed(
            "presentation.recipient_weak_hash",
            "the recipient identity is hashed with md5, which does not bind it",
        )
    return CheckResult.failed(
        "presentation.recipient_mismatch",
        "the badge was not awarded to the given recipient",
        recipient=known[:120],
    )
