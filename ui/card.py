"""A badge as people see it: what an Open Badges 3.0 credential says, read for display.

The card is read from the document as presented, signed or not: the page shows it
dimmed and marked unverified when the checks fail. Every field is plain text for an
autoescaping template; links are https only (:func:`safe_link`) and images inline
PNG/JPEG only (:func:`image_source`), so nothing on a card makes the reader's browser
contact anyone.

    >>> card = BadgeCard.from_credential({
    ...     "issuer": {"id": "did:web:lakeshore.example", "name": "Lakeshore USD"},
    ...     "credentialSubject": {
    ...         "result": [{"resultDescription": "urn:r", "achievedLevel": "urn:l2"}],
    ...         "achievement": {"name": "Restorative Practices",
    ...             "resultDescription": [{"id": "urn:r", "name": "Rubric",
    ...                 "rubricCriterionLevel": [{"id": "urn:l2", "name": "proficient"}]}]}}})
    >>> card.achievement, card.results[0].value
    ('Restorative Practices', 'proficient')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from vc.types import JSONObject, JSONValue

__all__ = [
    "MAX_LISTED",
    "Alignment",
    "BadgeCard",
    "Evidence",
    "Link",
    "ResultLine",
    "image_source",
    "image_url",
    "safe_link",
]

#: At most this many evidence items, alignments or results are shown (a hostile
#: badge may carry thousands).
MAX_LISTED = 20

_HTTPS = re.compile(r"https://[^\s\"'<>\\]+", re.IGNORECASE)
# Only raster images: an SVG can carry script (SECURITY.md M11).
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg);base64,[A-Za-z0-9+/]*={0,2}", re.IGNORECASE)


def safe_link(value: object) -> str | None:
    """Return `value` if it is an absolute https URL with a host, else None.

    >>> safe_link("https://example.org/evidence/1")
    'https://example.org/evidence/1'
    >>> safe_link("javascript:alert(1)") is None, safe_link("http://example.org") is None
    (True, True)
    """
    if not isinstance(value, str) or _HTTPS.fullmatch(value) is None:
        return None
    return value if urlsplit(value).hostname else None


def _image_id(value: object) -> object:
    return value.get("id") if isinstance(value, dict) else value


def image_source(value: object) -> str | None:
    """An inline PNG/JPEG ``data:`` URI a page may show as it is, else None.

    `value` is an OB 3.0 ``image``: a URL string or an Image object with an ``id``.
    An https image is not shown from its host (that would tell the host who looks):
    :func:`image_url` gives it to fetch on the server and inline.

    >>> image_source("data:image/png;base64,iVBORw0KGgo=")
    'data:image/png;base64,iVBORw0KGgo='
    >>> [image_source(v) for v in ("https://example.org/b.png", "data:image/svg+xml;base64,PHN2Zz4=")]
    [None, None]
    """
    found = _image_id(value)
    if isinstance(found, str) and _DATA_IMAGE.fullmatch(found) is not None:
        return found
    return None


def image_url(value: object) -> str | None:
    """The https URL of an OB 3.0 ``image``, to fetch server-side, else None.

    >>> image_url({"id": "https://example.org/b.png", "type": "Image"})
    'https://example.org/b.png'
    """
    return safe_link(_image_id(value))


def text_of(value: JSONValue | None) -> str | None:
    """A plain string from a string, a language map or a list of language values."""
    # VC 2.0 "Names and Descriptions": a value may be a language value object or a list of them.
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("@value")
    return value if isinstance(value, str) and value.strip() else None


def _object(value: JSONValue | None) -> JSONObject:
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, dict) else {}


def _objects(value: JSONValue | None) -> list[JSONObject]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [item for item in items[:MAX_LISTED] if isinstance(item, dict)]


@dataclass(frozen=True, slots=True)
class Link:
    """A labelled reference; `href` is set only when it is safe to link (https)."""

    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence: its name (a link when https) and what it says."""

    text: str
    href: str | None = None
    narrative: str | None = None


@dataclass(frozen=True, slots=True)
class Alignment:
    """A standard or framework the achievement aligns to (OB 3.0 ``Alignment``)."""

    text: str
    href: str | None = None
    framework: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class ResultLine:
    """A result the earner achieved: a rubric level, a score, a status.

    `label` is what was assessed (the ResultDescription's name, when given), `value`
    what was achieved, `detail` the level's own description.
    """

    label: str | None
    value: str
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class BadgeCard:
    """What a page shows of one credential, read from the document as presented."""

    achievement: str | None
    description: str | None
    criteria: str | None
    criteria_link: str | None
    image: str | None
    image_url: str | None
    image_alt: str
    issuer_name: str | None
    issuer_id: str | None
    recipient: str | None
    recipient_hashed: bool
    valid_from: str | None
    valid_until: str | None
    evidence: tuple[Evidence, ...]
    results: tuple[ResultLine, ...] = ()
    alignments: tuple[Alignment, ...] = ()
    credential_id: str | None = None

    @classmethod
    def from_credential(cls, credential: JSONObject) -> BadgeCard:
        """Read the card of an Open Badges 3.0 credential; absent fields stay None."""
        subject = _object(credential.get("credentialSubject"))
        achievement = _object(subject.get("achievement"))
        criteria = _object(achievement.get("criteria"))
        image = achievement.get("image")
        issuer = credential.get("issuer")
        issuer_obj = issuer if isinstance(issuer, dict) else {}
        issuer_id = issuer if isinstance(issuer, str) else issuer_obj.get("id")
        name = text_of(achievement.get("name")) or text_of(credential.get("name"))
        caption = text_of(image.get("caption")) if isinstance(image, dict) else None
        description = text_of(achievement.get("description")) or text_of(
            credential.get("description")
        )
        recipient, hashed = _recipient(subject)
        credential_id = credential.get("id")
        return cls(
            achievement=name,
            description=description,
            criteria=text_of(criteria.get("narrative")),
            criteria_link=safe_link(criteria.get("id")),
            image=image_source(image),
            image_url=image_url(image),
            image_alt=caption or name or "",
            issuer_name=text_of(issuer_obj.get("name")),
            issuer_id=issuer_id if isinstance(issuer_id, str) else None,
            recipient=recipient,
            recipient_hashed=hashed,
            valid_from=text_of(credential.get("validFrom"))
            or text_of(credential.get("issuanceDate")),
            valid_until=text_of(credential.get("validUntil"))
            or text_of(credential.get("expirationDate")),
            evidence=_evidence(credential.get("evidence")),
            results=_results(subject, achievement),
            alignments=_alignments(achievement.get("alignment")),
            credential_id=credential_id if isinstance(credential_id, str) else None,
        )

    def with_image(self, data_uri: str | None) -> BadgeCard:
        """This card showing `data_uri` (an image fetched and inlined by the server)."""
        from dataclasses import replace

        return replace(self, image=image_source(data_uri) or self.image)


def _recipient(subject: JSONObject) -> tuple[str | None, bool]:
    subject_id = text_of(subject.get("id"))
    if subject_id is not None:
        return subject_id, False
    # OB 3.0 IdentityObject: usually a salted hash, which a page cannot reverse.
    identity = _object(subject.get("identifier"))
    kind = text_of(identity.get("identityType"))
    if identity.get("hashed") is True:
        return kind, True
    return text_of(identity.get("identityHash")), False


def _evidence(value: JSONValue | None) -> tuple[Evidence, ...]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    found: list[Evidence] = []
    for item in items[:MAX_LISTED]:
        entry: Mapping[str, JSONValue] = item if isinstance(item, dict) else {"id": item}
        href = safe_link(entry.get("id"))
        narrative = text_of(entry.get("narrative")) or text_of(entry.get("description"))
        text = text_of(entry.get("name")) or href or narrative
        if text is not None:
            found.append(Evidence(text, href, narrative if narrative != text else None))
    return tuple(found)


def _alignments(value: JSONValue | None) -> tuple[Alignment, ...]:
    found: list[Alignment] = []
    for entry in _objects(value):
        href = safe_link(entry.get("targetUrl"))
        text = text_of(entry.get("targetName")) or href
        if text is not None:
            found.append(
                Alignment(
                    text,
                    href,
                    text_of(entry.get("targetFramework")),
                    text_of(entry.get("targetCode")),
                )
            )
    return tuple(found)


def _results(subject: JSONObject, achievement: JSONObject) -> tuple[ResultLine, ...]:
    descriptions = {
        d.get("id"): d for d in _objects(achievement.get("resultDescription")) if d.get("id")
    }
    lines: list[ResultLine] = []
    for result in _objects(subject.get("result")):
        described = descriptions.get(result.get("resultDescription"), {})
        label = text_of(described.get("name"))
        level_id = result.get("achievedLevel")
        if isinstance(level_id, str):
            levels = {
                level.get("id"): level for level in _objects(described.get("rubricCriterionLevel"))
            }
            level = levels.get(level_id)
            if level is None:
                # The level may be described under another ResultDescription.
                for other in descriptions.values():
                    for candidate in _objects(other.get("rubricCriterionLevel")):
                        if candidate.get("id") == level_id:
                            level, label = candidate, label or text_of(other.get("name"))
            level_obj = level or {}
            achieved = text_of(level_obj.get("name")) or level_id
            lines.append(ResultLine(label, achieved, text_of(level_obj.get("description"))))
            continue
        scored = text_of(result.get("value")) or text_of(result.get("status"))
        if scored is not None:
            lines.append(ResultLine(label, scored))
    return tuple(lines)
