"""verifier.front: the nginx configuration `laurel serve --front nginx` writes, read by nginx itself."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from verifier import front
from verifier.errors import FrontError
from verifier.front import front_bound, nginx_binary, nginx_config
from verifier.limits import DEFAULT_IN_FLIGHT, DEFAULT_QUEUE, LENDABLE, OVERLOADED_BODY


def _config(tmp_path: Path, **options: object) -> str:
    settings: dict[str, object] = {
        "host": "127.0.0.1",
        "port": 8080,
        "upstream_port": 8081,
        "bound": 56,
        "scratch": tmp_path,
    }
    settings.update(options)
    return nginx_config(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0", "::1"])  # noqa: S104 (only written)
def test_nginx_itself_accepts_the_configuration(tmp_path: Path, host: str) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(_config(tmp_path, host=host))
    checked = subprocess.run(
        [nginx_binary(), "-t", "-c", str(conf), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_bound_is_each_workers_slots_lent_slots_and_half_its_queue() -> None:
    assert front_bound(2, DEFAULT_IN_FLIGHT, DEFAULT_QUEUE) == 2 * (4 + LENDABLE + 16)
    assert front_bound(1, 1, 0) == 1 + LENDABLE
    assert front_bound(3, 2, 5) == 3 * (2 + LENDABLE + 2)


def test_the_refusal_is_the_workers_own_body_and_headers(tmp_path: Path) -> None:
    text = _config(tmp_path, bound=9)
    assert "max_conns=9 max_fails=0;" in text
    returned = re.search(r"return 503 '(.*)';", text)
    assert returned is not None
    assert json.loads(returned.group(1).replace("\\'", "'")) == json.loads(OVERLOADED_BODY)
    assert "add_header Retry-After 1 always;" in text
    assert "add_header X-Content-Type-Options 'nosniff' always;" in text
    assert "add_header Content-Security-Policy 'default-src \\'self\\'' always;" in text


def test_x13_the_front_writes_the_peer_not_the_clients_x_forwarded_for(tmp_path: Path) -> None:
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in _config(tmp_path)
    # Behind proxies of the operator's (--proxies N): their list, the peer appended.
    appended = _config(tmp_path, append_forwarded=True)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in appended


def test_without_nginx_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(front.shutil, "which", lambda _name: None)
    monkeypatch.setattr(front.os, "access", lambda _path, _mode: False)
    with pytest.raises(FrontError, match="apt-get install nginx-light"):
        nginx_binary()
