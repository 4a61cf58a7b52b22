"""The short description a report shows of a credential: who issued what, to whom, when."""

from __future__ import annotations

from vc.model import data_model_version
from vc.types import JSONObject, JSONValue
from verifier.check_context import issuer_id

__all__ = ["summarize"]


def _text(value: JSONValue) -> JSONValue:
    # A name may be a language map or a list of language values (VC 2.0 "Names and Descriptions").
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("@value")
    return value if isinstance(value, str) else None


def summarize(
    credential: JSONObject, *, secured_as: str = "data-integrity"
) -> dict[str, JSONValue]:
    """Types, issuer, achievement, subject, dates, data model and how the credential is secured.

    `validFrom`/`validUntil` hold a VC 1.1 credential's ``issuanceDate`` and
    ``expirationDate``; `dataModel` is ``"1.1"`` or ``"2.0"`` (None when neither base
    context is first); `format` is `secured_as` (``data-integrity``, ``vc-jwt``...).
    """
    issuer = credential.get("issuer")
    subject = credential.get("credentialSubject")
    first_subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = first_subject.get("achievement") if isinstance(first_subject, dict) else None
    version = data_model_version(credential)
    start, end = (
        ("issuanceDate", "expirationDate") if version == "1.1" else ("validFrom", "validUntil")
    )
    return {
        "type": credential.get("type"),
        "issuer": {
            "id": issuer_id(credential),
            "name": _text(issuer.get("name")) if isinstance(issuer, dict) else None,
        },
        "achievement": _text(achievement.get("name")) if isinstance(achievement, dict) else None,
        "name": _text(credential.get("name")),
        "subject": first_subject.get("id") if isinstance(first_subject, dict) else None,
        "validFrom": credential.get(start),
        "validUntil": credential.get(end),
        "dataModel": version,
        "format": secured_as,
    }
