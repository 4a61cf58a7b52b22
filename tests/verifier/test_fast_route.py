"""``POST /credentials/verify`` without Flask (verifier.fast_route): the same answers as Flask's."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from tests.builders import ISSUER, badge, presentation, unsigned_badge
from vc.did import DidResolver
from vc.formats.jwt import sign_jwt
from verifier import fast_route
from verifier.app import MAX_CONTENT_LENGTH, create_app
from verifier.fast_route import FastVerifyRoute

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
JSON = "application/json"


def _app() -> Flask:
    return create_app(resolver=DidResolver(), clock=lambda: NOW, testing=True)


def _flask_only() -> Flask:
    app = _app()
    route = app.wsgi_app
    assert isinstance(route, FastVerifyRoute)
    app.wsgi_app = route.behind  # type: ignore[method-assign]
    return app


def _tampered() -> dict[str, Any]:
    doc = copy.deepcopy(badge("eddsa-jcs-2022"))
    doc["credentialSubject"]["achievement"]["name"] = "Something Else Entirely"
    return doc


def _escaped() -> dict[str, Any]:
    doc = badge("eddsa-jcs-2022")
    doc["name"] = "</script><script>alert(1)</script> & more"
    return doc


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


REQUESTS: dict[str, tuple[bytes, str]] = {
    "jcs badge": (_body({"verifiableCredential": badge("eddsa-jcs-2022")}), JSON),
    "rdfc badge": (_body({"verifiableCredential": badge()}), JSON),
    "tampered badge": (_body({"verifiableCredential": _tampered()}), JSON),
    "markup in a member": (_body({"verifiableCredential": _escaped()}), JSON),
    "checks option": (
        _body({"verifiableCredential": badge(), "options": {"checks": ["proof"]}}),
        JSON,
    ),
    "recipient option": (
        _body({"verifiableCredential": badge(), "options": {"recipient": "ana@example.org"}}),
        JSON,
    ),
    "unknown option": (
        _body({"verifiableCredential": badge(), "options": {"color": "blue"}}),
        JSON,
    ),
    "vc-jwt string": (
        _body(
            {
                "verifiableCredential": sign_jwt(
                    {k: v for k, v in unsigned_badge().items()}, ISSUER.key, ISSUER.vm
                )
            }
        ),
        JSON,
    ),
    "charset": (_body({"verifiableCredential": badge()}), "application/json; charset=utf-8"),
    "ld+json": (_body({"verifiableCredential": badge()}), "application/ld+json"),
    "not json": (b"{not json", JSON),
    "duplicate key": (b'{"verifiableCredential": {}, "verifiableCredential": {}}', JSON),
    "an array": (b"[]", JSON),
    "no credential": (_body({"options": {}}), JSON),
    "credential not an object": (_body({"verifiableCredential": 7}), JSON),
    "a string that is no jws": (_body({"verifiableCredential": "hello"}), JSON),
    "a presentation": (
        _body({"verifiableCredential": presentation([badge()], challenge=None, domain=None)}),
        JSON,
    ),
    "options not an object": (
        _body({"verifiableCredential": badge(), "options": []}),
        JSON,
    ),
    "blank recipient": (
        _body({"verifiableCredential": badge(), "options": {"recipient": " "}}),
        JSON,
    ),
    "plain text": (_body({"verifiableCredential": badge()}), "text/plain"),
    "a form": (b"verifiableCredential=1", "application/x-www-form-urlencoded"),
    "too large": (b" " * (MAX_CONTENT_LENGTH + 1), JSON),
}


def _answer(app: Flask, data: bytes, content_type: str) -> tuple[str, list[Any], bytes]:
    # The raw status line, headers in order and body bytes, as a server would send them.
    environ = EnvironBuilder(
        method="POST", path="/credentials/verify", data=data, content_type=content_type
    ).get_environ()
    body, status, headers = run_wsgi_app(app, environ, buffered=True)
    assert headers["X-Request-Id"]
    return status, [(k, v) for k, v in headers.items() if k != "X-Request-Id"], b"".join(body)


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_every_answer_is_byte_for_byte_flasks(name: str) -> None:
    data, content_type = REQUESTS[name]
    assert _answer(_app(), data, content_type) == _answer(_flask_only(), data, content_type)


def _counting(app: Flask) -> list[str]:
    seen: list[str] = []
    app.before_request(lambda: seen.append("flask") and None)
    return seen


def test_a_well_formed_request_never_reaches_flask() -> None:
    app = _app()
    seen = _counting(app)
    for name in ("jcs badge", "tampered badge", "vc-jwt string", "charset"):
        data, content_type = REQUESTS[name]
        status = app.test_client().post("/credentials/verify", data=data, content_type=content_type)
        assert status.status_code in (200, 422)
    assert seen == []


def test_a_refused_request_is_flasks_from_the_same_bytes() -> None:
    app = _app()
    seen = _counting(app)
    data, content_type = REQUESTS["duplicate key"]
    answer = app.test_client().post("/credentials/verify", data=data, content_type=content_type)
    assert answer.status_code == 400
    assert answer.get_json()["code"] == "duplicate_key"
    assert seen == ["flask"]


def test_a_wrapped_view_is_left_to_flask() -> None:
    # A rate limit on the route wraps its view: the wrapper must run.
    app = _app()
    original = app.view_functions["laurel_api.verify_credential"]
    calls: list[int] = []

    def limited() -> Any:
        calls.append(1)
        return original()

    app.view_functions["laurel_api.verify_credential"] = limited
    data, content_type = REQUESTS["jcs badge"]
    assert (
        app.test_client()
        .post("/credentials/verify", data=data, content_type=content_type)
        .status_code
        == 200
    )
    assert calls == [1]


def test_a_failure_is_a_500_problem_with_a_request_id_and_no_secret(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*_args: Any) -> Any:
        raise RuntimeError("secret-key-material /etc/passwd")

    monkeypatch.setattr(fast_route, "credential_answer", boom)
    data, content_type = REQUESTS["jcs badge"]
    with caplog.at_level(logging.ERROR, logger="laurel.verifier"):
        answer = (
            _app().test_client().post("/credentials/verify", data=data, content_type=content_type)
        )
    assert answer.status_code == 500
    assert answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert body["requestId"] == answer.headers["X-Request-Id"]
    assert body["type"] == "https://laurel.dev/problems/internal"
    assert b"secret-key-material" not in answer.get_data()
    assert answer.headers["Content-Security-Policy"] == "default-src 'self'"
    assert body["requestId"] in caplog.text


def test_a_body_shorter_than_its_length_is_refused_not_hung() -> None:
    app = _app()
    data = _body({"verifiableCredential": badge()})
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/credentials/verify",
        "CONTENT_TYPE": JSON,
        "CONTENT_LENGTH": str(len(data) + 50),
    }
    builder = EnvironBuilder(method="POST", path="/credentials/verify", data=data[:-10])
    full = {**builder.get_environ(), **environ}
    statuses: list[str] = []
    body = b"".join(app.wsgi_app(full, lambda status, _headers: statuses.append(status)))
    assert statuses[0].startswith("400")
    assert json.loads(body)["code"] == "invalid_json"
