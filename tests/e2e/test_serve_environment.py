"""`laurel serve` forgets the secrets it was started with once it has read them.

granian copies the process environment into every request's WSGI environ, and the
workers inherit it: a passphrase or an issuer token left there would travel with
every request an app or a library might log.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import verifier.server
from cli import cli
from tests.wallet.conftest import PASSPHRASE


def test_the_passphrase_and_issuer_token_are_gone_before_the_server_starts(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def no_server(options: Any, app_factory: Any) -> None:
        seen["environment"] = dict(os.environ)
        seen["app"] = app_factory()  # the app is still made with them

    monkeypatch.setattr(verifier.server, "serve", no_server)
    monkeypatch.setenv("LAUREL_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("LAUREL_ISSUER_TOKEN", "a-long-random-issuer-token-0123456789abcdef")
    result = CliRunner().invoke(cli, ["serve", "--wallet", str(home), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "LAUREL_PASSPHRASE" not in seen["environment"]
    assert "LAUREL_ISSUER_TOKEN" not in seen["environment"]
    assert seen["app"] is not None
