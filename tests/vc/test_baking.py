from __future__ import annotations

import io
import json
import struct
import time
import zlib

import pytest
from PIL import Image

from tests.builders import ISSUER, badge
from vc import baking
from vc.baking import BakingError, bake_png, bake_svg, unbake, unbake_png, unbake_svg
from vc.errors import LaurelError
from vc.proofs import proofs_of, verify_signature

CREDENTIAL = '{"id": "urn:uuid:1", "name": "Caf\u00e9 ]]> <b>&amp;</b>"}'

SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<!-- a badge -->\n"
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" data-x="a>b">\n'
    b'  <circle cx="5" cy="5" r="4" fill="gold"/>\n'
    b"</svg>\n"
)


def make_png(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 150, 20)).save(out, "PNG")
    return out.getvalue()


def chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def itxt(text: bytes, *, flag: int = 0, keyword: bytes = b"openbadgecredential") -> bytes:
    return chunk(b"iTXt", keyword + b"\0" + bytes([flag, 0]) + b"\0\0" + text)


def with_chunks(png: bytes, *extra: bytes) -> bytes:
    iend = len(png) - 12
    return png[:iend] + b"".join(extra) + png[iend:]


def code_of(exc: pytest.ExceptionInfo[BakingError]) -> str:
    return exc.value.code


# --------------------------------------------------------------------------- PNG


def test_png_round_trip_and_preserved_bytes() -> None:
    png = make_png()
    baked = bake_png(png, CREDENTIAL)
    assert unbake_png(baked) == CREDENTIAL
    assert unbake(baked) == CREDENTIAL
    added = itxt(CREDENTIAL.encode())
    assert added in baked
    assert baked.replace(added, b"") == png
    assert baked.endswith(chunk(b"IEND", b""))
    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        assert image.info["openbadgecredential"] == CREDENTIAL
        assert image.size == (8, 8)


def test_png_altered_credential_is_returned_as_altered() -> None:
    baked = bake_png(make_png(), '{"name": "A"}')
    old = itxt(b'{"name": "A"}')
    tampered = baked.replace(old, itxt(b'{"name": "B"}'))
    assert unbake_png(tampered) == '{"name": "B"}'


def test_baked_badge_still_verifies_and_one_byte_change_fails() -> None:
    document = badge()
    text = json.dumps(document)
    for unbaked in (unbake(bake_png(make_png(), text)), unbake(bake_svg(SVG, text))):
        assert unbaked == text
        parsed = json.loads(unbaked)
        assert verify_signature(parsed, proofs_of(parsed)[-1], ISSUER.key.public_key).valid
    baked = bake_png(make_png(), text)
    name = b"Formative Assessment"
    start = baked.index(b"openbadgecredential")
    data = baked[start : baked.index(b"IEND") - 8]
    payload = data.replace(name, b"Formative Assessmenu", 1)
    tampered = baked.replace(chunk(b"iTXt", data), chunk(b"iTXt", payload))
    assert tampered != baked
    parsed = json.loads(unbake(tampered))
    assert not verify_signature(parsed, proofs_of(parsed)[-1], ISSUER.key.public_key).valid


def test_png_compressed_itxt_is_inflated() -> None:
    png = with_chunks(make_png(), itxt(zlib.compress(CREDENTIAL.encode()), flag=1))
    assert unbake_png(png) == CREDENTIAL


def test_png_refuses_non_png_and_already_baked() -> None:
    with pytest.raises(BakingError) as exc:
        bake_png(b"GIF89a not a png", CREDENTIAL)
    assert code_of(exc) == "not_png"
    baked = bake_png(make_png(), CREDENTIAL)
    with pytest.raises(BakingError) as exc:
        bake_png(baked, CREDENTIAL)
    assert code_of(exc) == "already_baked"


def test_png_not_baked_and_ambiguous() -> None:
    png = make_png()
    with pytest.raises(BakingError) as exc:
        unbake_png(with_chunks(png, itxt(b"x", keyword=b"Comment")))
    assert code_of(exc) == "not_baked"
    with pytest.raises(BakingError) as exc:
        unbake_png(with_chunks(png, itxt(b"{}"), itxt(b"{}")))
    assert code_of(exc) == "ambiguous"
    with pytest.raises(BakingError) as exc:
        unbake_png(with_chunks(png, chunk(b"tEXt", b"openbadgecredential\0{}")))
    assert code_of(exc) == "malformed"


def test_png_bad_crc_truncated_and_no_iend() -> None:
    baked = bytearray(bake_png(make_png(), CREDENTIAL))
    baked[baked.index(b"openbadgecredential") + 30] ^= 1
    with pytest.raises(BakingError) as exc:
        unbake_png(bytes(baked))
    assert code_of(exc) == "bad_crc"
    png = make_png()
    with pytest.raises(BakingError) as exc:
        unbake_png(png[:-12])
    assert code_of(exc) == "no_iend"
    with pytest.raises(BakingError) as exc:
        unbake_png(png[:-6])
    assert code_of(exc) == "truncated"
    with pytest.raises(BakingError) as exc:
        unbake_png(png[:-14])
    assert code_of(exc) == "truncated"


def test_q04_huge_declared_chunk_is_refused_quickly() -> None:
    png = make_png()
    iend = len(png) - 12
    for ctype, code in ((b"zTXt", "too_large"), (b"abCd", "truncated")):
        header = struct.pack(">I", 100 * 1024 * 1024) + ctype + b"openbadgecredential\0\0x\x9c"
        start = time.perf_counter()
        with pytest.raises(BakingError) as exc:
            unbake_png(png[:iend] + header)
        assert code_of(exc) == code
        assert time.perf_counter() - start < 0.5


def test_q04_too_many_chunks() -> None:
    png = make_png()
    filler = chunk(b"tIME", b"\x07\xea\x01\x01\x00\x00\x00")
    ok = with_chunks(png, *([filler] * (baking.MAX_CHUNKS - 4)), itxt(b"{}"))
    assert unbake_png(ok) == "{}"  # IHDR + IDAT + 9,996 + iTXt + IEND = 10,000
    with pytest.raises(BakingError) as exc:
        unbake_png(with_chunks(png, *([filler] * (baking.MAX_CHUNKS - 2)), itxt(b"{}")))
    assert code_of(exc) == "too_many_chunks"


def test_q04_compressed_itxt_bomb() -> None:
    bomb = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)
    assert len(bomb) < baking.MAX_TEXT_CHUNK_BYTES
    start = time.perf_counter()
    with pytest.raises(BakingError) as exc:
        unbake_png(with_chunks(make_png(), itxt(bomb, flag=1)))
    assert code_of(exc) == "bomb"
    assert time.perf_counter() - start < 1.0
    with pytest.raises(BakingError) as exc:
        unbake_png(with_chunks(make_png(), itxt(zlib.compress(b"{}")[:-3], flag=1)))
    assert code_of(exc) == "truncated"


def test_png_limits_on_size() -> None:
    with pytest.raises(BakingError) as exc:
        unbake_png(make_png() + b"\0" * baking.MAX_IMAGE_BYTES)
    assert code_of(exc) == "too_large"
    with pytest.raises(BakingError) as exc:
        unbake_png(with_chunks(make_png(), itxt(b"x" * baking.MAX_TEXT_CHUNK_BYTES)))
    assert code_of(exc) == "too_large"
    with pytest.raises(BakingError) as exc:
        bake_png(make_png(), "x" * baking.MAX_TEXT_CHUNK_BYTES)
    assert code_of(exc) == "too_large"


# --------------------------------------------------------------------------- SVG


def test_svg_round_trip_and_preserved_bytes() -> None:
    baked = bake_svg(SVG, CREDENTIAL)
    assert unbake_svg(baked) == CREDENTIAL
    assert unbake(baked) == CREDENTIAL
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    element = (
        b"<openbadges:credential>"
        + baked.split(b"<openbadges:credential>")[1].split(b"</openbadges:credential>")[0]
        + b"</openbadges:credential>"
    )
    stripped = baked.replace(element, b"").replace(
        b' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"', b""
    )
    assert stripped == SVG


def test_svg_self_closing_root_and_existing_prefix() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"/>'
    baked = bake_svg(svg, "{}")
    assert unbake_svg(baked) == "{}"
    assert baked.count(b"xmlns:openbadges") == 1


def test_svg_altered_credential_is_returned_as_altered() -> None:
    baked = bake_svg(SVG, '{"name": "A"}')
    assert unbake_svg(baked.replace(b'"A"', b'"B"')) == '{"name": "B"}'


def test_svg_refuses_non_svg_root_already_baked_and_foreign_prefix() -> None:
    with pytest.raises(BakingError) as exc:
        bake_svg(b"<html><body/></html>", "{}")
    assert code_of(exc) == "not_svg"
    with pytest.raises(BakingError) as exc:
        bake_svg(bake_svg(SVG, "{}"), "{}")
    assert code_of(exc) == "already_baked"
    with pytest.raises(BakingError) as exc:
        bake_svg(b'<svg xmlns:openbadges="urn:other"/>', "{}")
    assert code_of(exc) == "not_svg"
    with pytest.raises(BakingError) as exc:
        unbake_svg(b"<svg><unclosed></svg>")
    assert code_of(exc) == "not_svg"


def test_svg_not_baked_ambiguous_and_namespace_aware() -> None:
    with pytest.raises(BakingError) as exc:
        unbake_svg(SVG)
    assert code_of(exc) == "not_baked"
    wrong_ns = (
        b'<svg xmlns:openbadges="urn:other"><openbadges:credential>{}</openbadges:credential></svg>'
    )
    with pytest.raises(BakingError) as exc:
        unbake_svg(wrong_ns)
    assert code_of(exc) == "not_baked"
    two = (
        b'<svg xmlns:ob="https://purl.imsglobal.org/ob/v3p0">'
        b"<ob:credential>{}</ob:credential><g><ob:credential>{}</ob:credential></g></svg>"
    )
    with pytest.raises(BakingError) as exc:
        unbake_svg(two)
    assert code_of(exc) == "ambiguous"
    other_prefix = b'<svg xmlns:x="https://purl.imsglobal.org/ob/v3p0"><x:credential> {"a":1} </x:credential></svg>'
    assert unbake_svg(other_prefix) == '{"a":1}'


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&d;</openbadges:credential></svg>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&xxe;</openbadges:credential></svg>"""


@pytest.mark.parametrize("svg", [BILLION_LAUGHS, XXE], ids=["billion_laughs", "xxe"])
def test_q07_dtds_and_entities_refused(svg: bytes) -> None:
    with pytest.raises(BakingError) as exc:
        unbake_svg(svg)
    assert code_of(exc) == "unsafe_xml"
    with pytest.raises(BakingError) as exc:
        unbake(svg)
    assert code_of(exc) == "unsafe_xml"
    with pytest.raises(BakingError) as exc:
        bake_svg(svg, "{}")
    assert code_of(exc) == "unsafe_xml"


def test_q07_script_and_remote_href_are_ignored() -> None:
    hostile = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<script>throw new Error("ran")</script>'
        b'<image xlink:href="https://evil.example/x.png"/><use xlink:href="http://evil.example/a.svg#b"/>'
        b"</svg>"
    )
    baked = bake_svg(hostile, CREDENTIAL)
    assert unbake(baked) == CREDENTIAL
    assert b"<script>" in baked


def test_svg_too_large_and_markup_in_credential() -> None:
    with pytest.raises(BakingError) as exc:
        unbake_svg(SVG + b" " * baking.MAX_IMAGE_BYTES)
    assert code_of(exc) == "too_large"
    markup = (
        b'<svg xmlns:o="https://purl.imsglobal.org/ob/v3p0"><o:credential><b/></o:credential></svg>'
    )
    with pytest.raises(BakingError) as exc:
        unbake_svg(markup)
    assert code_of(exc) == "malformed"


# --------------------------------------------------------------------------- dispatch


@pytest.mark.parametrize("data", [b"", b"GIF89a....", b"\xff\xd8\xff\xe0JFIF", b"{}"])
def test_unbake_refuses_unsupported(data: bytes) -> None:
    with pytest.raises(BakingError) as exc:
        unbake(data)
    assert code_of(exc) == "unsupported"
    assert isinstance(exc.value, LaurelError)


# --------------------------------------------------------------------------- OB 2.0 and issue #13

OB2_ASSERTION = '{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion"}'


def test_png_with_an_unrelated_malformed_text_chunk_is_still_read() -> None:
    # A tEXt chunk with no NUL after its keyword (as some editors write): not ours, skipped.
    broken = chunk(b"tEXt", b"Comment without a separator")
    png = with_chunks(make_png(), broken, itxt(CREDENTIAL.encode()))
    assert unbake_png(png) == CREDENTIAL
    # The limits still apply to such a chunk.
    huge = struct.pack(">I", baking.MAX_TEXT_CHUNK_BYTES + 1) + b"tEXt"
    with pytest.raises(BakingError) as exc:
        unbake_png(with_chunks(make_png(), huge))
    assert code_of(exc) == "too_large"


def test_ob2_png_itxt_and_ob1_text_are_read_by_unbake_all() -> None:
    png = with_chunks(make_png(), itxt(OB2_ASSERTION.encode(), keyword=b"openbadges"))
    assert [(p.kind, p.text) for p in baking.unbake_all(png)] == [("ob2", OB2_ASSERTION)]
    url = with_chunks(make_png(), chunk(b"tEXt", b"openbadges\0https://school.example/a/1"))
    assert [(p.kind, p.text) for p in baking.unbake_all(url)] == [
        ("ob2", "https://school.example/a/1")
    ]
    with pytest.raises(BakingError) as exc:
        unbake(png)
    assert code_of(exc) == "ob2"


def test_o03_png_holding_an_ob2_and_an_ob3_payload_is_ambiguous() -> None:
    png = with_chunks(
        make_png(),
        itxt(CREDENTIAL.encode()),
        itxt(OB2_ASSERTION.encode(), keyword=b"openbadges"),
    )
    with pytest.raises(BakingError) as exc:
        unbake(png)
    assert code_of(exc) == "ambiguous"
    assert [p.kind for p in baking.unbake_all(png)] == ["ob3", "ob2"]


def test_ob2_svg_assertion_element_and_verify_attribute() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="https://school.example/a/1"><![CDATA['
        + OB2_ASSERTION.encode()
        + b"]]></openbadges:assertion></svg>"
    )
    assert [(p.kind, p.text) for p in baking.unbake_all(svg)] == [("ob2", OB2_ASSERTION)]
    hosted = b'<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="https://school.example/a/1"/></svg>'
    assert [(p.kind, p.text) for p in baking.unbake_all(hosted)] == [
        ("ob2", "https://school.example/a/1")
    ]
    both = hosted.replace(
        b"</svg>",
        b'<o:credential xmlns:o="https://purl.imsglobal.org/ob/v3p0">{}</o:credential></svg>',
    )
    with pytest.raises(BakingError) as exc:
        unbake_svg(both)
    assert code_of(exc) == "ambiguous"


def test_ob3_svg_credential_in_the_verify_attribute_is_read() -> None:
    # OB 3.0 "Baking": a VC-JWT sits in the element's verify attribute.
    svg = b'<svg xmlns:o="https://purl.imsglobal.org/ob/v3p0"><o:credential verify="a.b.c"/></svg>'
    assert unbake_svg(svg) == "a.b.c"


def test_svg_with_a_plain_doctype_is_read_but_an_internal_subset_is_not() -> None:
    plain = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg xmlns:o="https://purl.imsglobal.org/ob/v3p0"><o:credential>{}</o:credential></svg>'
    )
    assert unbake_svg(plain) == "{}"
    subset = plain.replace(b'svg11.dtd">', b'svg11.dtd" [<!ATTLIST svg x CDATA "y">]>')
    with pytest.raises(BakingError) as exc:
        unbake_svg(subset)
    assert code_of(exc) == "unsafe_xml"
