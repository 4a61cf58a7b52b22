"""``POST /credentials/verify`` answered without Flask's request machinery, byte for byte the same.

A verification is the service's busiest route. Measured in process (one jcs badge,
the app as ``laurel serve`` builds it), Flask's request context, URL matching, hooks
and response object cost about a third of a request once the verification itself is
taken out. This WSGI middleware answers a well-formed request to that one route with
the view's own function (:func:`verifier.api.credential_answer`), the same JSON text
and the same headers, and passes everything else on to Flask untouched: another
route or method, a body it would have to judge (no length, too large, another content
type), and every request :func:`~verifier.api.credential_answer` refuses (the 400
problems are Flask's, from the body it read, handed back). It stands aside when the
view is not the plain one (a rate limit was put on the route).

Equality with the Flask answer is tested request by request
(``tests/verifier/test_fast_route.py``).
"""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.http import HTTP_STATUS_CODES

from vc.errors import LaurelError
from vc.jsontext import parse_document
from verifier.api import credential_answer, verify_credential
from verifier.api_request import JSON_TYPES
from verifier.api_response import DEFAULT_HEADERS, internal_error_body, json_text

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

__all__ = ["PATH", "FastVerifyRoute"]

#: The route answered here.
PATH = "/credentials/verify"
_ENDPOINT = "laurel_api.verify_credential"
#: Content types taken here, as clients send them; any other is Flask's to judge.
_JSON = frozenset({*JSON_TYPES, *(f"{media}; charset=utf-8" for media in JSON_TYPES)})
#: The status lines werkzeug writes for the answers made here.
_STATUS = {code: f"{code} {HTTP_STATUS_CODES[code].upper()}" for code in (200, 422, 500)}
_HEADERS = [(name, value) for _low, name, value in DEFAULT_HEADERS]

_log = logging.getLogger("laurel.verifier")


class FastVerifyRoute:
    """WSGI middleware answering well-formed ``POST /credentials/verify`` requests itself."""

    def __init__(self, app: WSGIApplication, flask_app: Flask, max_length: int) -> None:
        self._app = app
        self._flask = flask_app
        self._max = max_length

    @property
    def behind(self) -> WSGIApplication:
        """The app answering what is not taken here."""
        return self._app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The answer to one request: made here, or by the app behind."""
        length = self._taken(environ)
        if length is None:
            return self._app(environ, start_response)
        data = environ["wsgi.input"].read(length)
        try:
            status, body = credential_answer(
                parse_document(data), self._flask.extensions["laurel.verifier"]
            )
        except LaurelError:
            # A request refused by name: Flask answers it, from the same bytes.
            environ["wsgi.input"] = io.BytesIO(data)
            environ["CONTENT_LENGTH"] = str(len(data))
            return self._app(environ, start_response)
        except Exception as exc:  # as the app's own handler: logged, a 500 with an id
            request_id = secrets.token_hex(16)
            _log.error("request %s failed", request_id, exc_info=exc)
            return _answer(start_response, 500, internal_error_body(request_id), request_id)
        return _answer(start_response, status, body, secrets.token_hex(16))

    def _taken(self, environ: WSGIEnvironment) -> int | None:
        # The body length of a request answered here; None: the app's to answer.
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return None
        if environ.get("CONTENT_TYPE", "").lower() not in _JSON:
            return None
        if self._flask.view_functions.get(_ENDPOINT) is not verify_credential:
            return None  # the view was wrapped (a rate limit): Flask runs it
        text = environ.get("CONTENT_LENGTH", "")
        if not text.isdigit() or not text.isascii():
            return None
        length = int(text)
        return length if 0 < length <= self._max else None


def _answer(start_response: StartResponse, status: int, body: Any, request_id: str) -> list[bytes]:
    text = json_text(body).encode("utf-8")
    media = "application/problem+json" if status == 500 else "application/json"
    start_response(
        _STATUS[status],
        [
            ("Content-Type", media),
            ("Content-Length", str(len(text))),
            *_HEADERS,
            ("X-Request-Id", request_id),
        ],
    )
    return [text]
