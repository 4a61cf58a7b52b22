"""S11: the status host answers after 10 s: status.retrieval_failed at the 5 s deadline.

Meanwhile did:key badges without status verify as usual: the slow host holds only the
request that asked for it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import http.server
import threading
import time
from collections.abc import Iterator

from tests.attacks.conftest import POLICY, failed
from tests.builders import badge
from tests.service_tools import serving_in_a_thread
from tests.verifier.test_status import INDEX, badge_with_status
from vc.did import DidResolver
from vc.status import status_entry
from verifier.fetch import Fetcher, FetchPolicy
from verifier.status import StatusChecker
from verifier.verify import verify


@contextlib.contextmanager
def _slow_host(delay: float) -> Iterator[str]:
    stopping = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            stopping.wait(delay)  # answers nothing for `delay` seconds, or until the end
            with contextlib.suppress(OSError):
                self.send_error(503)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    try:
        with serving_in_a_thread(server) as base:
            yield base
    finally:
        stopping.set()


def test_s11_ten_second_host_fails_at_the_deadline() -> None:
    with _slow_host(10.0) as base:
        url = f"{base}/status/1"
        fetcher = Fetcher(FetchPolicy(allow_private_network=True))
        checker = StatusChecker(fetcher.fetch, DidResolver())
        slow = badge_with_status(status_entry(list_url=url, index=INDEX, purpose="revocation"))
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            started = time.monotonic()
            pending = pool.submit(verify, slow, POLICY, status_checker=checker)
            # While it waits, plain did:key badges verify, one after another.
            plain = [verify(badge(), POLICY, status_checker=checker) for _ in range(10)]
            assert all(plain)
            assert not pending.done()
            result = pending.result(timeout=30)
            waited = time.monotonic() - started
    assert failed(result) == ["status.retrieval_failed"]
    assert 4.0 <= waited < 8.0  # the 5 s fetch deadline, not the host's 10 s
