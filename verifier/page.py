"""The verification page: an employer pastes or uploads a badge and presses Verify.

Server-rendered HTML (Jinja2, autoescaped) with local CSS and JS only, so it works
offline and under ``Content-Security-Policy: default-src 'self'``. The page answers
200 whether or not the document verified, and 400 with a message when the input
cannot be read.

>>> from vc.did import DidResolver
>>> from verifier.app import create_app
>>> client = create_app(resolver=DidResolver(), testing=True).test_client()
>>> response = client.get("/")
>>> response.status_code, 'name="document"' in response.get_data(as_text=True)
(200, True)
>>> client.post("/", data={"document": "not json"}).status_code
400
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document
from vc.model import document_kind
from vc.results import CheckResult, Status, VerificationResult
from vc.types import JSONObject, JSONValue
from verifier.api import ServiceState
from verifier.policy import VerificationPolicy
from verifier.sources import documents_in
from verifier.verify import verify_bytes

__all__ = [
    "MAX_FORM_PARTS",
    "PAGE_HEADERS",
    "BadgeCard",
    "Link",
    "Report",
    "Submission",
    "image_source",
    "page",
    "read_submission",
    "safe_link",
]

#: Most multipart parts a page form may carry (two fields and a little slack): 413 above it.
MAX_FORM_PARTS = 10
#: Set on every page response (SECURITY.md X08, M11). Images may come from https or
#: be inline PNG/JPEG (a badge's own image); scripts, styles and everything else only
#: from this origin, so injected markup could not run even if it escaped.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https: data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_HTTPS = re.compile(r"https://[^\s\"'<>\\]+", re.IGNORECASE)
# Only raster images: an SVG can carry script (SECURITY.md M11).
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg);base64,[A-Za-z0-9+/]*={0,2}", re.IGNORECASE)
_STATUS_ORDER = (Status.PASSED, Status.WARNING, Status.FAILED, Status.SKIPPED)

page = Blueprint(
    "laurel_page",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)


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


def image_source(value: object) -> str | None:
    """Return a badge image reference the page may show: https, or inline PNG/JPEG.

    `value` is an OB 3.0 ``image``: a URL string or an Image object with an ``id``.
    Anything else (``javascript:``, ``data:image/svg+xml``, ``http:``) gives None.

    >>> image_source({"id": "https://example.org/b.png", "type": "Image"})
    'https://example.org/b.png'
    >>> image_source("data:image/png;base64,iVBORw0KGgo=")
    'data:image/png;base64,iVBORw0KGgo='
    >>> [image_source(v) for v in ("javascript:alert(1)", "data:image/svg+xml;base64,PHN2Zz4=")]
    [None, None]
    """
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, str) and _DATA_IMAGE.fullmatch(value) is not None:
        return value
    return safe_link(value)


def _text(value: JSONValue | None) -> str | None:
    # A name may be a language map or a list of language values (VC 2.0 "Names and Descriptions").
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("@value")
    return value if isinstance(value, str) and value.strip() else None


def _object(value: JSONValue | None) -> JSONObject:
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class Link:
    """A labelled reference; `href` is set only when it is safe to link (https)."""

    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class BadgeCard:
    """What the page shows of one credential, read from the document as presented.

    Every field is plain text for the autoescaping template; `image` and the links'
    `href` passed :func:`image_source` / :func:`safe_link`.
    """

    achievement: str | None
    description: str | None
    criteria: str | None
    criteria_link: str | None
    image: str | None
    image_alt: str
    issuer_name: str | None
    issuer_id: str | None
    recipient: str | None
    valid_from: str | None
    valid_until: str | None
    evidence: tuple[Link, ...]

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
        name = _text(achievement.get("name")) or _text(credential.get("name"))
        caption = _text(image.get("caption")) if isinstance(image, dict) else None
        description = _text(achievement.get("description")) or _text(credential.get("description"))
        return cls(
            achievement=name,
            description=description,
            criteria=_text(criteria.get("narrative")),
            criteria_link=safe_link(criteria.get("id")),
            image=image_source(image),
            image_alt=caption or (f"Badge image: {name}" if name else "Badge image"),
            issuer_name=_text(issuer_obj.get("name")),
            issuer_id=issuer_id if isinstance(issuer_id, str) else None,
            recipient=_recipient(subject),
            valid_from=_text(credential.get("validFrom")),
            valid_until=_text(credential.get("validUntil")),
            evidence=_evidence(credential.get("evidence")),
        )


def _recipient(subject: JSONObject) -> str | None:
    subject_id = _text(subject.get("id"))
    if subject_id is not None:
        return subject_id
    # OB 3.0 IdentityObject: usually a salted hash, which the page cannot reverse.
    identity = _object(subject.get("identifier"))
    kind = _text(identity.get("identityType")) or "identity"
    if identity.get("hashed") is True:
        return f"{kind} (hashed)"
    return _text(identity.get("identityHash"))


def _evidence(value: JSONValue | None) -> tuple[Link, ...]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    links: list[Link] = []
    for item in items:
        entry: Mapping[str, JSONValue] = item if isinstance(item, dict) else {"id": item}
        href = safe_link(entry.get("id"))
        text = _text(entry.get("name")) or _text(entry.get("narrative")) or href
        if text is not None:
            links.append(Link(text=text, href=href))
    return tuple(links)


def _tally(checks: tuple[CheckResult, ...], credentials: tuple[Report, ...] = ()) -> str:
    counts = Counter(check.status for check in checks)
    parts = []
    for status in _STATUS_ORDER:
        if counts[status]:
            plural = "s" if status is Status.WARNING and counts[status] > 1 else ""
            parts.append(f"{counts[status]} {status.value}{plural}")
    noun = "check" if len(checks) == 1 else "checks"
    text = f"{len(checks)} {noun}: {', '.join(parts)}"
    rejected = sum(not c.verified for c in credentials)
    if rejected:
        text += f"; {rejected} of {len(credentials)} credentials not verified"
    return text


@dataclass(frozen=True, slots=True)
class Report:
    """One verification as the page renders it: the verdict, cards and checks."""

    verified: bool
    checks: tuple[CheckResult, ...]
    tally: str
    card: BadgeCard | None = None
    holder: str | None = None
    credentials: tuple[Report, ...] = ()

    @classmethod
    def build(cls, result: VerificationResult, document: JSONObject) -> Report:
        """Pair a result with the document it was computed from."""
        if document_kind(document) != "presentation":
            return cls(
                result.verified,
                result.checks,
                _tally(result.checks),
                card=BadgeCard.from_credential(document),
            )
        embedded = document.get("verifiableCredential")
        items = embedded if isinstance(embedded, list) else [embedded]
        # The same selection verify() made, in the same order.
        documents = [i for i in items if isinstance(i, dict) and document_kind(i) == "credential"]
        holder = result.summary.get("holder")
        # Not strict: a presentation refused whole (too many credentials) has no results.
        credentials = tuple(
            cls.build(sub, doc) for sub, doc in zip(result.credentials, documents, strict=False)
        )
        return cls(
            result.verified,
            result.checks,
            _tally(result.checks, credentials),
            holder=holder if isinstance(holder, str) else None,
            credentials=credentials,
        )


def _render(status: int = 200, **context: Any) -> Response:
    html = render_template("page.html", **context)
    return Response(html, status=status, mimetype="text/html")


@page.after_request
def _page_headers(response: Response) -> Response:
    for name, value in PAGE_HEADERS.items():
        response.headers[name] = value
    return response


@page.get("/")
def show_form() -> Response:
    """The empty form."""
    return _render()


@dataclass(frozen=True, slots=True)
class Submission:
    """What a page form sent: the one JSON document to verify, or why there is none.

    `text` is shown back in the text box; `error` (with `status` and `hint`) is set
    when there is nothing to verify.
    """

    data: bytes
    text: str
    status: int = 200
    error: str | None = None
    hint: str | None = None

    @classmethod
    def refused(cls, status: int, error: str, hint: str | None = None) -> Submission:
        """A submission with nothing to verify, and the page's message saying why."""
        return cls(b"", "", status, error, hint)


def read_submission() -> Submission:
    """Read a page form: the uploaded file, else the pasted text, down to its JSON document."""
    # A form is accepted here, unlike the JSON API; cap its parts, and let one text field
    # use the whole body limit, as an uploaded file may.
    request.max_form_parts = MAX_FORM_PARTS
    request.max_form_memory_size = request.max_content_length
    try:
        upload = request.files.get("file")
        pasted = request.form.get("document", "")
    except RequestEntityTooLarge:
        limit = (request.max_content_length or 0) // 1024
        return Submission.refused(413, f"The document is too large: the limit is {limit} KiB.")
    except BadRequest:
        return Submission.refused(400, "The form could not be read. Paste the document again.")
    data = upload.read() if upload is not None and upload.filename else b""
    if not data:
        data = pasted.strip().encode("utf-8")
    try:
        # A JSON document as it is; a QR payload, a link holding one, a photo of a QR
        # code or a baked badge image gives the document inside it.
        found = documents_in(data) if data else []
    except MalformedDocumentError as exc:
        return Submission.refused(
            400, f"This is not a readable credential: {exc.message}.", exc.hint
        )
    if len(found) > 1:
        return Submission.refused(
            400, f"The image holds {len(found)} QR codes; upload a picture of one at a time."
        )
    if found:
        data = found[0][1]
        pasted = data.decode("utf-8", errors="replace")
    if not data:
        return Submission.refused(
            400,
            "There is nothing to verify: paste a badge or presentation, or choose a JSON file.",
        )
    return Submission(data, pasted)


@page.post("/")
def verify_form() -> Response:
    """Verify the pasted text or the uploaded file and render the result (400 if unreadable)."""
    submitted = read_submission()
    if submitted.error is not None:
        return _render(submitted.status, error=submitted.error, hint=submitted.hint)
    data, pasted = submitted.data, submitted.text
    state: ServiceState = current_app.extensions["laurel.verifier"]
    policy = VerificationPolicy(now=state.clock(), anchor_confirmations=state.anchor_confirmations)
    result = verify_bytes(
        data, policy, resolver=state.resolver, status_checker=state.status, anchors=state.anchors
    )
    if result.unreadable:
        check = result.checks[0]
        hint = check.details.get("hint")
        return _render(
            400,
            document=pasted,
            error=f"This is not a readable credential: {check.message}.",
            hint=hint if isinstance(hint, str) else None,
        )
    try:
        document = parse_document(data)
    except MalformedDocumentError:  # pragma: no cover - verify_bytes just parsed the same bytes
        return _render(400, document=pasted, error="This is not a readable credential.")
    return _render(document=pasted, report=Report.build(result, document))
