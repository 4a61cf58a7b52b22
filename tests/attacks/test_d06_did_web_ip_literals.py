"""D06: a did:web issuer naming an IP literal: issuer.did_invalid, zero sockets opened."""

from __future__ import annotations

import socket

import pytest

from tests.attacks.conftest import failed, verify_document, web_badge
from verifier.verify import networked_resolver


@pytest.mark.parametrize(
    ("did", "check_id"),
    [
        ("did:web:127.0.0.1", "issuer.did_invalid"),
        ("did:web:169.254.169.254", "issuer.did_invalid"),
        ("did:web:2130706433", "issuer.did_invalid"),
        ("did:web:0x7f.1", "issuer.did_invalid"),
        ("did:web:127.0.0.1%3A8443", "issuer.did_invalid"),
        # Brackets are not DID syntax at all: refused before it is even a DID.
        ("did:web:[::1]", "issuer.invalid_did_url"),
    ],
)
def test_d06_ip_literal_is_an_invalid_did(
    did: str, check_id: str, connects: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: asked.append(host) or [])
    result = verify_document(web_badge(did), networked_resolver())
    assert failed(result) == [check_id]
    assert connects == []
    assert asked == []
