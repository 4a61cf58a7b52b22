"""Generated input for the standards core's parsers: exact results or named refusals.

DIDs, status entries and lists, baked images and QR envelopes from tests/strategies.py;
every parser either returns the right value or raises its own LaurelError, nothing else.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import (
    attempt,
    baked_images,
    damaged,
    dids,
    encoded_lists,
    json_values,
    status_entries,
)
from vc.baking import BakingError, bake_svg, unbake
from vc.did import DidDocument, DidResolver
from vc.envelope import EnvelopeError, decode_envelope, encode_envelope
from vc.errors import DidResolutionError, LaurelError
from vc.status import Bitstring, StatusEntry, StatusListError, parse_status_entry


@settings(max_examples=300)
@given(dids, json_values)
def test_any_did_resolves_or_is_refused_by_name(did: str, served: object) -> None:
    resolver = DidResolver(web_fetcher=lambda _url: json.dumps(served).encode())
    # A LaurelError other than DidResolutionError: the host's answer was not JSON.
    document, error = attempt(lambda: resolver.resolve(did), LaurelError)
    if error is not None:
        assert error.message
        assert not isinstance(error, DidResolutionError) or error.code
    else:
        assert isinstance(document, DidDocument)
        assert document.id == did


@settings(max_examples=300)
@given(status_entries())
def test_any_status_entry_parses_or_is_malformed(entry: dict) -> None:
    parsed, error = attempt(lambda: parse_status_entry(entry), StatusListError)
    if error is not None:
        assert error.message
    else:
        assert isinstance(parsed, StatusEntry)
        assert parsed.list_url == entry["statusListCredential"]
        assert str(parsed.index) == entry["statusListIndex"]


@settings(max_examples=300)
@given(encoded_lists, st.sampled_from([1, 2, 4, 8]))
def test_any_encoded_list_decodes_or_is_refused(encoded: str, size: int) -> None:
    bits, error = attempt(lambda: Bitstring.decode(encoded, status_size=size), StatusListError)
    if error is not None:
        assert error.message
    else:
        assert Bitstring.decode(bits.encode(), status_size=size) == bits


@settings(max_examples=100, deadline=None)
@given(baked_images())
def test_baked_images_give_back_their_text(baked: tuple[bytes, str]) -> None:
    image, text = baked
    assert unbake(image) == text


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x1f", "\ufffe", "\ud800"])
def test_bake_svg_refuses_text_xml_cannot_carry(char: str) -> None:
    # Found by test_baked_images_give_back_their_text: such an SVG could not be read back.
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'
    with pytest.raises(BakingError) as caught:
        bake_svg(svg, '{"name": "a' + char + 'b"}')
    assert caught.value.code == "not_xml_text"


@settings(max_examples=200, deadline=None)
@given(baked_images(), st.data())
def test_damaged_baked_images_give_their_text_or_a_named_refusal(
    baked: tuple[bytes, str], data: st.DataObject
) -> None:
    image, _text = baked
    broken = data.draw(damaged(image))
    _, error = attempt(lambda: unbake(broken), BakingError)
    assert error is None or error.code


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6), st.data())
def test_envelopes_round_trip_and_damage_is_named(document: dict, data: st.DataObject) -> None:
    payload = encode_envelope(document)  # these sizes always fit a QR code
    assert decode_envelope(payload) == document
    broken = data.draw(damaged(payload.encode())).decode("utf-8", "replace")
    decoded, error = attempt(lambda: decode_envelope(broken), EnvelopeError)
    if error is not None:
        assert error.stage
    else:
        # Damage the CRC-32 did not catch would be a different document: never.
        assert decoded == document
