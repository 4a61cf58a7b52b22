"""Builders for Open Badges 3.0 credentials (1EdTech OB 3.0, "OpenBadgeCredential").

    >>> from vc.openbadges import Achievement, build_open_badge
    >>> badge = build_open_badge(
    ...     Achievement(name="Formative Assessment", description="Uses exit tickets.",
    ...                 criteria_narrative="Submitted three lesson plans."),
    ...     issuer_id="did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", issuer_name="District 9",
    ...     subject_id="did:example:teacher", valid_from="2026-01-01T00:00:00Z",
    ...     credential_id="urn:uuid:00000000-0000-4000-8000-000000000000")
    >>> badge["type"]
    ['VerifiableCredential', 'OpenBadgeCredential']

The builders return plain JSON objects, unsigned: sign them with :mod:`vc.proofs`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from vc.jsonld import CREDENTIALS_V2
from vc.types import JSONObject

__all__ = ["OB3_CONTEXT", "Achievement", "build_open_badge"]

#: The Open Badges 3.0 context laurel issues with (bundled and pinned).
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@dataclass(frozen=True, slots=True)
class Achievement:
    """What the badge recognizes: an OB 3.0 Achievement (name, description, criteria)."""

    name: str
    description: str
    criteria_narrative: str
    id: str | None = None
    achievement_type: str | None = None

    def to_json(self) -> JSONObject:
        """The Achievement as OB 3.0 JSON (an id is minted when absent)."""
        out: JSONObject = {
            "id": self.id or f"urn:uuid:{uuid.uuid4()}",
            "type": ["Achievement"],
            "name": self.name,
            "description": self.description,
            "criteria": {"narrative": self.criteria_narrative},
        }
        if self.achievement_type:
            out["achievementType"] = self.achievement_type
        return out


def build_open_badge(
    achievement: Achievement | JSONObject,
    *,
    issuer_id: str,
    issuer_name: str,
    subject_id: str,
    valid_from: str,
    credential_id: str | None = None,
    valid_until: str | None = None,
) -> JSONObject:
    """An unsigned OpenBadgeCredential awarding `achievement` to `subject_id`."""
    achievement_json = (
        achievement.to_json() if isinstance(achievement, Achievement) else dict(achievement)
    )
    credential: JSONObject = {
        "@context": [CREDENTIALS_V2, OB3_CONTEXT],
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": issuer_name},
        "validFrom": valid_from,
        "name": str(achievement_json.get("name", "Badge")),
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "achievement": achievement_json,
        },
    }
    if valid_until is not None:
        credential["validUntil"] = valid_until
    return credential
