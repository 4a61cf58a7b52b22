"""The access log (verifier.access_log): a line per request, in batches, nothing lost or forged."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from verifier.access_log import AccessLog, BufferedLines, access_line, log_requests

# What bench/shed.py reads back from a server's output: the status and the time taken.
LINE = re.compile(
    r'^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] (\S+) "([^"\\]|\\.)*" (\d{3}) ([0-9.]+)ms$'
)


def _environ(path: str = "/credentials/verify", method: str = "POST") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }


def _start_response(status: str, headers: list[tuple[str, str]], *args: Any) -> None:
    return None


@pytest.fixture
def lines() -> Iterator[BufferedLines]:
    kept = BufferedLines(io.StringIO(), max_delay=60)
    yield kept
    kept.close()


def _written(lines: BufferedLines) -> list[str]:
    lines.flush()
    stream = lines.stream
    assert isinstance(stream, io.StringIO)
    return stream.getvalue().splitlines()


def test_lines_wait_until_a_batch_is_full_then_go_out_in_order() -> None:
    stream = io.StringIO()
    lines = BufferedLines(stream, max_bytes=40, max_delay=60)
    try:
        for n in range(3):
            lines.add(f"line {n}")
        assert stream.getvalue() == ""
        for n in range(3, 6):
            lines.add(f"line {n}")
        assert stream.getvalue() == "".join(f"line {n}\n" for n in range(6))
    finally:
        lines.close()


def test_a_line_waits_a_second_at_most() -> None:
    stream = io.StringIO()
    lines = BufferedLines(stream, max_delay=0.05)
    try:
        lines.add("alone")
        deadline = time.monotonic() + 5
        while stream.getvalue() != "alone\n":
            assert time.monotonic() < deadline, "the timer never wrote the line"
            time.sleep(0.01)
    finally:
        lines.close()


def test_closing_writes_what_is_kept_and_later_lines_at_once() -> None:
    stream = io.StringIO()
    lines = BufferedLines(stream, max_delay=60)
    lines.add("last words")
    lines.close()
    assert stream.getvalue() == "last words\n"
    lines.add("after the end")  # a request answered while the worker stops
    assert stream.getvalue() == "last words\nafter the end\n"


def test_a_closed_output_never_breaks_a_request() -> None:
    stream = io.StringIO()
    lines = BufferedLines(stream, max_bytes=1, max_delay=60)
    stream.close()
    lines.add("nobody reads this")  # must not raise
    lines.close()


def test_a_request_is_logged_with_its_status_and_time_and_its_answer_untouched(
    lines: BufferedLines,
) -> None:
    answer = [b'{"verified":true}']

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return answer

    assert AccessLog(app, lines)(_environ(), _start_response) is answer
    (line,) = _written(lines)
    assert LINE.match(line), line
    assert line.split("] ", 1)[1].startswith('127.0.0.1 "POST /credentials/verify HTTP/1.1" 200 ')


def test_a_streamed_answer_is_logged_when_the_app_returns_not_when_it_is_closed(
    lines: BufferedLines,
) -> None:
    # granian closes a body that is not a list later, on its own schedule (and not at
    # all for a worker that stops first): the line must not wait for it.
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"a"
            yield b"b"

        def close(self) -> None:
            closed.append(True)

    def app(environ: dict[str, Any], start_response: Any) -> Body:
        start_response("404 NOT FOUND", [])
        return Body()

    body = AccessLog(app, lines)(_environ("/nothing", "GET"), _start_response)
    (line,) = _written(lines)
    assert '"GET /nothing HTTP/1.1" 404 ' in line
    assert isinstance(body, Body)  # untouched
    assert closed == []


def test_a_status_given_while_the_body_is_read_is_logged_at_close(
    lines: BufferedLines,
) -> None:
    closed: list[bool] = []

    class Body:
        def __init__(self, start_response: Any) -> None:
            self._start = start_response

        def __iter__(self) -> Iterator[bytes]:
            self._start("201 CREATED", [])
            yield b"made"

        def close(self) -> None:
            closed.append(True)

    def app(environ: dict[str, Any], start_response: Any) -> Body:
        return Body(start_response)

    body = AccessLog(app, lines)(_environ("/later", "PUT"), _start_response)
    assert _written(lines) == []
    assert b"".join(body) == b"made"
    body.close()  # type: ignore[attr-defined]
    body.close()  # type: ignore[attr-defined]  # a second close logs nothing more
    assert closed == [True, True]
    (line,) = _written(lines)
    assert '"PUT /later HTTP/1.1" 201 ' in line


def test_an_app_that_raises_is_logged_as_500_and_the_error_goes_on(
    lines: BufferedLines,
) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        AccessLog(app, lines)(_environ(), _start_response)
    (line,) = _written(lines)
    assert '" 500 ' in line


@pytest.mark.parametrize(
    "path",
    [
        '/x\n[2026-12-07 10:00:00 +0000] 10.0.0.1 "POST /credentials/verify HTTP/1.1" 200 1.0ms',
        "/x\r\x1b[2Jcleared",
        '/x" 200 0.1ms',
        "/caf\u00e9\u2028",
    ],
)
def test_x12_a_path_cannot_forge_or_break_a_log_line(path: str) -> None:
    line = access_line(_environ(path), "404", "2026-12-07 10:00:00 +0000", 0.001)
    assert not {"\n", "\r", "\x1b"} & set(line)
    assert LINE.match(line), line
    assert line.endswith('HTTP/1.1" 404 1.0ms')


def test_a_plain_path_is_written_as_it_came() -> None:
    line = access_line(_environ("/caf\u00e9/a b"), "200", "2026-12-07 10:00:00 +0000", 0.0123)
    assert line == '[2026-12-07 10:00:00 +0000] 127.0.0.1 "POST /caf\u00e9/a b HTTP/1.1" 200 12.3ms'


def test_log_requests_wraps_the_app_and_writes_to_the_stream() -> None:
    stream = io.StringIO()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("503 SERVICE UNAVAILABLE", [])
        return [b""]

    logged = log_requests(app, stream)
    logged(_environ(), _start_response)
    logged._lines.flush()
    assert '" 503 ' in stream.getvalue()
    logged._lines.close()


def test_each_worker_logs_its_requests_around_the_whole_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from verifier import server

    monkeypatch.setattr(server, "cap_arenas", lambda: True)
    monkeypatch.setattr("verifier.warm.warm_up", lambda: True)

    class App:
        wsgi_app: Any = "flask"

    app = server._worker_app(App, 0.005, None, access_log=True)()
    assert isinstance(app.wsgi_app, AccessLog)
    assert app.wsgi_app._app == "flask"
    app.wsgi_app._lines.close()
