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

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from ui.card import BadgeCard, Link, image_source, safe_link
from vc.errors import MalformedDocumentError
from vc.formats.read import read_badge
from vc.results import VerificationResult
from vc.types import JSONObject
from verifier.images import ImageInliner
from verifier.language import gettext as _
from verifier.language import install, page_locale
from verifier.policy import VerificationPolicy
from verifier.report import Report
from verifier.service import service_state
from verifier.sources import documents_in
from verifier.trust import TrustRegistry
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
    "page_headers",
    "read_submission",
    "render_page",
    "render_report",
    "safe_link",
    "trust_registry",
]

#: Most multipart parts a page form may carry (two fields and a little slack): 413 above it.
MAX_FORM_PARTS = 10
#: Set on every page response (SECURITY.md X08, M11). Images are this origin's or
#: inline PNG/JPEG (a badge's image, fetched by the server and inlined: the reader's
#: browser contacts no one else); scripts, styles and everything else only from this
#: origin, so injected markup could not run even if it escaped.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

page = Blueprint(
    "laurel_page",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)


@page.record_once
def _install_language(state: BlueprintSetupState) -> None:
    install(state.app)  # type: ignore[arg-type]  # a blueprint is registered on a Flask app


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    """`template` rendered in the request's language, as an HTML response with `status`."""
    html = render_template(template, locale=page_locale(), **context)
    return Response(html, status=status, mimetype="text/html")


def _render(status: int = 200, **context: Any) -> Response:
    return render_page("page.html", status, **context)


def _images() -> ImageInliner:
    """The app's image inliner (made on first use; tests may set their own)."""
    found = current_app.extensions.get("laurel.images")
    if not isinstance(found, ImageInliner):
        found = ImageInliner.networked()
        current_app.extensions["laurel.images"] = found
    return found


def trust_registry() -> TrustRegistry | None:
    """The recognized issuers this app was given (``create_app(trust=...)``), if any."""
    return service_state().trust


def render_report(result: VerificationResult, document: JSONObject) -> Report:
    """The report of `result` for this request: its reader's language, images inlined."""
    return Report.build(
        result, document, locale=page_locale(), registry=trust_registry(), images=_images()
    )


@page.after_request
def page_headers(response: Response) -> Response:
    """Set :data:`PAGE_HEADERS` and the page's language on a page response."""
    for name, value in PAGE_HEADERS.items():
        response.headers[name] = value
    response.headers["Content-Language"] = page_locale().language
    response.vary.add("Accept-Language")
    return response


@page.get("/")
def show_form() -> Response:
    """The empty form."""
    return _render()


def unreadable(reason: str) -> str:
    """The page's sentence for input that cannot be read (`reason` stays as the parser said it)."""
    return _("This is not a readable credential: %(reason)s.") % {"reason": reason}


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
        return Submission.refused(
            413, _("The document is too large: the limit is %(limit)d KiB.") % {"limit": limit}
        )
    except BadRequest:
        return Submission.refused(400, _("The form could not be read. Paste the document again."))
    data = upload.read() if upload is not None and upload.filename else b""
    if not data:
        data = pasted.strip().encode("utf-8")
    try:
        # A JSON document as it is; a QR payload, a link holding one, a photo of a QR
        # code or a baked badge image gives the document inside it.
        found = documents_in(data) if data else []
    except MalformedDocumentError as exc:
        return Submission.refused(400, unreadable(exc.message), exc.hint)
    if len(found) > 1:
        return Submission.refused(
            400,
            _("The image holds %(count)d QR codes; upload a picture of one at a time.")
            % {"count": len(found)},
        )
    if found:
        data = found[0][1]
        pasted = data.decode("utf-8", errors="replace")
    if not data:
        return Submission.refused(
            400,
            _("There is nothing to verify: paste a badge or presentation, or choose a file."),
        )
    return Submission(data, pasted)


@page.post("/")
def verify_form() -> Response:
    """Verify the pasted text or the uploaded file and render the result (400 if unreadable)."""
    submitted = read_submission()
    if submitted.error is not None:
        return _render(submitted.status, error=submitted.error, hint=submitted.hint)
    data, pasted = submitted.data, submitted.text
    state = service_state()
    # Open Badges' recipient check (issue #13): who the badge should be awarded to.
    recipient = request.form.get("recipient", "").strip()[:320] or None
    policy = VerificationPolicy(
        now=state.clock(),
        anchor_confirmations=state.anchor_confirmations,
        trusted_issuers=trust_registry(),
        recipient=recipient,
    )
    result = verify_bytes(
        data, policy, resolver=state.resolver, status_checker=state.status, anchors=state.anchors
    )
    if result.unreadable:
        check = result.checks[0]
        hint = check.details.get("hint")
        return _render(
            400,
            document=pasted,
            error=unreadable(check.message),
            hint=hint if isinstance(hint, str) else None,
        )
    try:
        # The credential a VC-JWT or an Open Badges 2.0 JWS carries, for its card.
        document = read_badge(data).document
    except MalformedDocumentError:
        document = {}
    return _render(document=pasted, recipient=recipient, report=render_report(result, document))
