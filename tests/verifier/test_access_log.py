"""The access log written in batches (verifier.access_log): nothing lost, nothing reordered."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator

import pytest

from verifier.access_log import ACCESS_LOGGER, BufferedLineHandler, buffer_access_log


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord(ACCESS_LOGGER, logging.INFO, __file__, 1, message, None, None)


def test_lines_wait_until_a_batch_is_full_then_go_out_in_order() -> None:
    stream = io.StringIO()
    handler = BufferedLineHandler(stream, max_bytes=40, max_delay=60)
    try:
        for n in range(3):
            handler.handle(_record(f"line {n}"))
        assert stream.getvalue() == ""
        for n in range(3, 6):
            handler.handle(_record(f"line {n}"))
        assert stream.getvalue() == "".join(f"line {n}\n" for n in range(6))
    finally:
        handler.close()


def test_a_line_waits_a_second_at_most() -> None:
    stream = io.StringIO()
    handler = BufferedLineHandler(stream, max_delay=0.05)
    try:
        handler.handle(_record("alone"))
        deadline = time.monotonic() + 5
        while stream.getvalue() != "alone\n":
            assert time.monotonic() < deadline, "the timer never wrote the line"
            time.sleep(0.01)
    finally:
        handler.close()


def test_closing_writes_what_is_kept() -> None:
    stream = io.StringIO()
    handler = BufferedLineHandler(stream, max_delay=60)
    handler.handle(_record("last words"))
    handler.close()
    assert stream.getvalue() == "last words\n"


def test_a_closed_output_never_breaks_a_request() -> None:
    stream = io.StringIO()
    handler = BufferedLineHandler(stream, max_bytes=1, max_delay=60)
    stream.close()
    handler.handle(_record("nobody reads this"))  # must not raise
    handler.close()


@pytest.fixture
def access_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger(ACCESS_LOGGER)
    saved = list(logger.handlers)
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        if handler not in saved:
            handler.close()
    for handler in saved:
        logger.addHandler(handler)


def test_granians_handler_is_replaced_keeping_its_stream_and_format(
    access_logger: logging.Logger,
) -> None:
    for handler in list(access_logger.handlers):
        access_logger.removeHandler(handler)
    stream = io.StringIO()
    plain = logging.StreamHandler(stream)
    plain.setFormatter(logging.Formatter("access: %(message)s"))
    access_logger.addHandler(plain)
    access_logger.setLevel(logging.INFO)
    buffered = buffer_access_log()
    assert buffered is not None
    assert access_logger.handlers == [buffered]
    access_logger.info("GET /health 200")
    assert stream.getvalue() == ""
    buffered.flush()
    assert stream.getvalue() == "access: GET /health 200\n"


def test_no_stream_handler_no_buffer(access_logger: logging.Logger) -> None:
    for handler in list(access_logger.handlers):
        access_logger.removeHandler(handler)
    assert buffer_access_log() is None
