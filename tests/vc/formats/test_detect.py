"""The sniffer names every input, including what laurel cannot verify."""

from __future__ import annotations

import base64
import json

import pytest

from tests.vc.formats.corpus import CORPUS
from vc.formats.detect import KINDS, detect


def b64(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def jwt(header: dict, payload: dict) -> bytes:
    return f"{b64(header)}.{b64(payload)}.c2ln".encode()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b'{"a": 1,}', "json-invalid"),
        (b'{"a": 1}', "json"),
        (
            jwt(
                {"alg": "EdDSA", "typ": "vc+jwt"},
                {"@context": [], "type": ["VerifiableCredential"]},
            ),
            "vc-jwt",
        ),
        (jwt({"alg": "RS256"}, {"vc": {}, "iss": "x"}), "vc-jwt"),
        (jwt({"alg": "ES256"}, {"vp": {}}), "vp-jwt"),
        (jwt({"alg": "ES256", "typ": "dc+sd-jwt"}, {"vct": "x"}), "sd-jwt-vc"),
        (jwt({"alg": "RS256"}, {"badge": "x", "recipient": {}}), "ob2-signed"),
        (jwt({"alg": "HS256"}, {"sub": "x"}), "jwt"),
        (b"eyJh.eyJi.c2ln~WyJzYWx0IiwibmFtZSIsIkFuYSJd~", "sd-jwt-vc"),
        (b"eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", "jwe"),
        (b"https://school.example/assertions/1", "url"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "png"),
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (b"GIF89a", "gif"),
        (b"%PDF-1.7", "pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "svg"),
        (b'<did:example:a> <http://x> "y" .', "text"),
        (b"\xa2\x61a\x01\x61b\x82\xff\xfe", "cbor"),
        (b"hello", "text"),
        (
            b'{"@context": ["https://www.w3.org/2018/credentials/v1"], "type": ["VerifiableCredential"]}',
            "vc-1.1",
        ),
        (
            b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiablePresentation"}',
            "vp-2.0",
        ),
        (
            b'{"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass"}',
            "ob2-badge-class",
        ),
        (b'{"recipient": {}, "badge": "x", "verify": {"type": "hosted"}}', "ob1"),
    ],
)
def test_detect_names_the_input(data, kind):
    assert detect(data).kind == kind
    assert detect(data).description == KINDS[kind]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("1edtech-validator/ob20/basic-assertion.json", "ob2-hosted"),
        ("1edtech-validator/ob20/simple.jwt", "ob2-signed"),
        ("1edtech-validator/ob20/simple-badge.png", "baked-png"),
        ("1edtech-validator/ob30/simple.jwt", "vc-jwt"),
        ("1edtech-validator/ob30/simple-jwt.svg", "baked-svg"),
        ("jff-plugfest/plugfest-3-2023/signed_badge_example-p3.json", "vc-1.1"),
        (
            "dcc-vc-test-fixtures/verifiableCredentials/v2/ed25519/didKey/legacy-noStatus-noExpiry.json",
            "vc-2.0",
        ),
        (
            "dcc-vc-test-fixtures/statusLists/didkey-ed25519Signature2020/e5WK8CbZ1GjycuPombrj",
            "status-list",
        ),
        ("dcc-vc-test-fixtures/dids/legacy/did.json", "did-document"),
    ],
)
def test_detect_real_inputs(name, kind):
    assert detect((CORPUS / name).read_bytes()).kind == kind


def test_detect_never_raises_on_hostile_bytes():
    for data in (
        b"{" * 100_000,
        b"[" + b"1," * 100_000 + b"1]",
        bytes(range(256)) * 10,
        b"\x89PNG\r\n\x1a\n",
    ):
        assert detect(data).kind in KINDS
