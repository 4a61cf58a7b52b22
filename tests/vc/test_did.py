from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import load_vector
from vc.did import DID_KEY_CONTEXTS, DidResolver, did_web_url, split_did_url
from vc.errors import DidResolutionError

SPEC_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def test_did_key_document_matches_the_spec_example():
    document = DidResolver().resolve(SPEC_DID).to_json()
    example = load_vector("did-key/spec-example-z6MkhaXg-multikey.json")
    # The example uses did/v1.1, which is not published offline; laurel uses
    # did/v1 + multikey/v1 (both bundled). Everything else is identical.
    assert document["@context"] == list(DID_KEY_CONTEXTS)
    assert {k: v for k, v in document.items() if k != "@context"} == {
        k: v for k, v in example.items() if k != "@context"
    }


def test_did_key_document_is_valid_json_ld_under_bundled_contexts():
    from vc.jsonld import undefined_terms

    assert undefined_terms(DidResolver().resolve(SPEC_DID).to_json()) == []


def test_resolve_verification_method():
    method, document = DidResolver().resolve_verification_method(f"{SPEC_DID}#{SPEC_DID[8:]}")
    assert method.controller == SPEC_DID
    assert method.id in document.assertion_method
    assert method.public_key.multibase == SPEC_DID[8:]


@pytest.mark.parametrize(
    ("did", "code"),
    [
        ("did:key:z6LSj72tK8brWgZja8NLRwPigth2T9QRiG1uH9oKZuKjdh9p", "invalidPublicKeyType"),
        ("did:key:zTjsVPtY", "invalidPublicKeyLength"),
        ("did:key:z2DQUyFHStG42FqbEhyM6LhkEqqV45NGGqKCwNxVWWu7Yzj", "invalidPublicKeyLength"),
        ("did:KEY:z6Mk", "invalidDid"),
        ("did:key:1:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "invalidDid"),
        ("did:key:u6Mk", "invalidDid"),
        ("did:key:z0OIl", "invalidDid"),
        ("not a did", "invalidDid"),
        ("did:ethr:0xabc", "methodNotSupported"),
        ("did:ion:EiAabc", "methodNotSupported"),
        ("did:web:127.0.0.1", "invalidDid"),
        ("did:web:169.254.169.254", "invalidDid"),
        ("did:web:2130706433", "invalidDid"),
        ("did:web:0x7f.1", "invalidDid"),
        ("did:web:a.test%2F..%2Fadmin", "invalidDid"),
        ("did:web:xn--caf-dma.test:..", "invalidDid"),
    ],
)
def test_resolution_errors_carry_the_spec_names(did, code):
    with pytest.raises(DidResolutionError) as info:
        DidResolver().resolve(did)
    assert info.value.code == code
    assert info.value.hint


def test_small_order_did_key_is_rejected():
    # SECURITY C05: the identity point (01 00..00) would verify a forged signature.
    from vc.keys import encode_multibase_btc

    identity = b"\x01" + bytes(31)
    did = "did:key:" + encode_multibase_btc(b"\xed\x01" + identity)
    with pytest.raises(DidResolutionError) as info:
        DidResolver().resolve(did)
    assert info.value.code == "invalidPublicKey"


def test_non_canonical_did_key_is_rejected():
    # SECURITY C06: y >= p encodes a valid point non-canonically.
    from vc.keys import encode_multibase_btc

    p = 2**255 - 19
    non_canonical = (p + 1).to_bytes(32, "little")
    did = "did:key:" + encode_multibase_btc(b"\xed\x01" + non_canonical)
    with pytest.raises(DidResolutionError) as info:
        DidResolver().resolve(did)
    assert info.value.code == "invalidPublicKey"


def test_did_key_fragment_must_be_the_key():
    attacker = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    with pytest.raises(DidResolutionError) as info:
        DidResolver().resolve_verification_method(f"{SPEC_DID}#{attacker}")
    assert info.value.code == "invalidDidUrl"


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
        ("did:web:example.com%3A3000:u", "https://example.com:3000/u/did.json"),
    ],
)
def test_did_web_url_mapping(did, url):
    assert did_web_url(did) == url


def test_did_web_without_a_fetcher_is_not_resolved():
    with pytest.raises(DidResolutionError) as info:
        DidResolver().resolve("did:web:issuer.example")
    assert info.value.code == "notFound"


def test_did_web_through_an_injected_fetcher_checks_the_id():
    document = DidResolver().resolve(SPEC_DID).to_json()
    good = {**document, "id": "did:web:issuer.example"}
    fetched: list[str] = []

    def fetcher(url: str) -> bytes:
        fetched.append(url)
        return json.dumps(good).encode()

    assert DidResolver(fetcher).resolve("did:web:issuer.example").id == "did:web:issuer.example"
    assert fetched == ["https://issuer.example/.well-known/did.json"]

    def evil(url: str) -> bytes:
        return json.dumps({**document, "id": "did:web:evil.example"}).encode()

    with pytest.raises(DidResolutionError) as info:
        DidResolver(evil).resolve("did:web:issuer.example")
    assert info.value.code == "invalidDidDocument"


@pytest.mark.parametrize("url", ["did:key:z6Mk/path#x", "did:key:z6Mk?q=1", "", "did:"])
def test_split_did_url_rejects(url):
    with pytest.raises(DidResolutionError):
        split_did_url(url)


# The DID syntax regex against DID Core's ABNF written one alternative per character.
_ABNF_DID = re.compile(
    r"did:([a-z0-9]+):((?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}|:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}))"
)
_DID_PIECES = st.sampled_from(
    [
        "did",
        ":",
        "key",
        "web",
        "a",
        "Z",
        "9",
        ".",
        "-",
        "_",
        "%",
        "%3A",
        "%3a",
        "%G1",
        "%2",
        "z6Mk",
        "#",
        "/",
        "?",
        " ",
        "é",
        "did:",
        "::",
        "%%",
        "A%41",
    ]
)


@settings(max_examples=5000, deadline=None)
@given(st.lists(_DID_PIECES, max_size=12).map("".join))
def test_the_did_pattern_reads_as_the_abnf_does(text):
    from vc._did_syntax import DID_PATTERN

    for candidate in (text, "did:key:" + text, "did:" + text):
        ours, abnf = DID_PATTERN.fullmatch(candidate), _ABNF_DID.fullmatch(candidate)
        assert (ours is None) == (abnf is None), candidate
        if ours is not None and abnf is not None:
            assert ours.groups() == abnf.groups()
