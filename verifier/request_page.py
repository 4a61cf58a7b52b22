"""The page's "Request a badge": a presentation request, its QR code, and the answer verified.

``GET /request`` issues a fresh challenge from the same store as ``POST /challenges``
and redirects to ``/request/<challenge>``, which shows the challenge, the domain, the
expiry, a QR code of the request (``/request/<challenge>/qr.svg``, from this origin) and
the ``laurel present --request`` command. The answer is posted back to
``/request/<challenge>`` and verified against that challenge, which is then used up: a
second answer gets ``presentation.challenge_reused`` (SECURITY.md P01), a late one
``presentation.challenge_expired`` (P04), and a challenge never issued here
``presentation.challenge_unknown`` (P10).

>>> from vc.did import DidResolver
>>> from verifier.app import create_app
>>> client = create_app(resolver=DidResolver(), testing=True).test_client()
>>> answer = client.get("/request")
>>> answer.status_code, answer.location.startswith("/request/")
(303, True)
>>> 'id="challenge"' in client.get(answer.location).get_data(as_text=True)
True
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, request, url_for

from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document
from vc.model import document_kind
from vc.request import PresentationRequest
from vc.timestamps import format_datetime_stamp
from verifier.challenges import Challenge, Outcome
from verifier.language import gettext as _
from verifier.oid4vp import page_transaction
from verifier.page import page_headers, read_submission, render_page, render_report
from verifier.service import service_state, verify_answer

__all__ = ["RequestView", "request_page"]

request_page = Blueprint("laurel_request", __name__, template_folder="templates")
request_page.after_request(page_headers)


@dataclass(frozen=True, slots=True)
class RequestView:
    """One request as the page shows it; `state` is what answering it now would find."""

    challenge: str
    domain: str | None
    expires: str
    expires_text: str
    payload: str
    command: str
    link_command: str
    answer_url: str
    qr_url: str
    state: Outcome

    @classmethod
    def of(cls, challenge: Challenge, state: Outcome) -> RequestView:
        """Build the view of an issued challenge (inside a request: the URLs are this host's)."""
        asked = PresentationRequest.for_badges(challenge.value, challenge.domain, challenge.expires)
        payload = asked.to_payload()
        answer_url = url_for(
            ".show_request", challenge=challenge.value, lang=request.args.get("lang")
        )
        link = url_for(".show_request", challenge=challenge.value, _external=True)
        # base45 holds spaces and "$%*": quoted, the command can be pasted as it is.
        command = f"laurel present ID --request {shlex.quote(payload)}"
        return cls(
            challenge=challenge.value,
            domain=challenge.domain,
            expires=format_datetime_stamp(asked.expires),
            expires_text=f"{asked.expires:%H:%M:%S} UTC",
            payload=payload,
            command=command,
            link_command=f"{command} --link {shlex.quote(link)} --qr answer.png",
            answer_url=answer_url,
            qr_url=url_for(".request_qr", challenge=challenge.value),
            state=state,
        )


def _render(status: int = 200, **context: Any) -> Response:
    return render_page("request.html", status, **context)


def _view(value: str) -> RequestView | None:
    state = service_state()
    found = state.challenges.peek(value, state.clock())
    if found.challenge is None:
        return None
    return RequestView.of(found.challenge, found.outcome)


@request_page.get("/request")
def new_request() -> Response:
    """Issue a fresh challenge (as ``POST /challenges`` does) and show its request."""
    state = service_state()
    challenge = state.challenges.issue(state.clock(), domain=state.domain or request.host)
    target = url_for(".show_request", challenge=challenge.value)
    return Response(status=303, headers={"Location": target})


def _unknown() -> Response:
    return _render(
        404,
        error=_(
            "This request is unknown here: it was never made, or it expired and was forgotten."
        ),
        hint=_("Make a new request."),
    )


@request_page.get("/request/<challenge>")
def show_request(challenge: str) -> Response:
    """The request: challenge, domain, expiry, QR code and command, and the answer form."""
    view = _view(challenge)
    if view is None:
        return _unknown()
    oid4vp = page_transaction(challenge, service_state().clock()) if view.state == "ok" else None
    return _render(view=view, oid4vp=oid4vp)


@request_page.get("/request/<challenge>/qr.svg")
def request_qr(challenge: str) -> Response:
    """The request's QR code (SVG, generated here; no script, no external reference)."""
    from vc.qr import render_svg

    view = _view(challenge)
    if view is None or view.state == "expired":
        return Response("no such request\n", status=404, mimetype="text/plain")
    return Response(render_svg(view.payload), mimetype="image/svg+xml")


@request_page.post("/request/<challenge>")
def answer_request(challenge: str) -> Response:
    """Verify an answer against this request's challenge, which it uses up (400 if unreadable)."""
    state = service_state()
    now = state.clock()
    view = _view(challenge)
    submitted = read_submission()
    if submitted.error is not None:
        return _render(submitted.status, view=view, error=submitted.error, hint=submitted.hint)
    try:
        document = parse_document(submitted.data)
    except MalformedDocumentError as exc:
        return _render(
            400,
            view=view,
            document=submitted.text,
            error=_("This is not a readable presentation: %(reason)s.") % {"reason": exc.message},
            hint=exc.hint,
        )
    if document_kind(document) != "presentation":
        # Refused before the challenge is touched: the holder can still answer.
        return _render(
            400,
            view=view,
            document=submitted.text,
            error=_(
                "This is not a presentation: the request asks for one signed over its challenge."
            ),
            hint=_("Answer with `laurel present ID --request …`, which signs the badge into one."),
        )
    result = verify_answer(state, document, challenge, now)
    return _render(
        view=_view(challenge) or view,
        document=submitted.text,
        report=render_report(result, document),
    )
