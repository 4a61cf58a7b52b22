from __future__ import annotations

import base64
import contextlib
import gzip
import random
import resource
import sys
import time
import zlib
from collections.abc import Iterator

import pytest

from tests.conftest import load_vector
from vc.errors import LaurelError
from vc.status import (
    MAX_INFLATED_BYTES,
    MIN_ENTRIES,
    Bitstring,
    StatusEntry,
    StatusListError,
    build_list_credential,
    parse_status_entry,
    read_list_credential,
    status_entry,
)

DIR = "bitstring-status-list/"
LIST_URL = "https://example.com/credentials/status/3"


def _b64u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _entry(**changes: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return entry


def _list_credential(**subject_changes: object) -> dict:
    cred = load_vector(DIR + "example-status-list-credential.json")
    for key, value in subject_changes.items():
        if value is None:
            cred["credentialSubject"].pop(key, None)
        else:
            cred["credentialSubject"][key] = value
    return cred


@contextlib.contextmanager
def _raises(error: str, reason: str) -> Iterator[None]:
    with pytest.raises(StatusListError) as info:
        yield
    assert (info.value.error, info.value.reason) == (error, reason)


# --- vectors ------------------------------------------------------------------------------


def test_derived_bit_order_vector():
    vec = load_vector(DIR + "derived-bit-order-vector.json")
    bits = Bitstring.decode(vec["encodedList"])
    assert bits.entries == vec["lengthBits"]
    for index in vec["setIndices"]:
        assert bits.get(index) == 1
    for index in vec["unsetIndicesSample"]:
        assert bits.get(index) == 0
    assert sum(bits.get(i) for i in range(bits.entries)) == len(vec["setIndices"])
    assert bits.to_bytes()[0] == 0b1000_0001  # index 0 is the left-most bit of byte 0


def test_spec_example_decodes_to_all_zero():
    vec = load_vector(DIR + "derived-bit-order-vector.json")
    bits = Bitstring.decode(vec["specExampleEncodedList"])
    assert bits.entries == 131_072
    assert bits.to_bytes() == bytes(16_384)


@pytest.mark.parametrize(
    "name",
    [
        "example-credential-revocation-and-suspension-entries.json",
        "example-multiple-entries-single-list.json",
        "example-revocable-credential.json",
    ],
)
def test_spec_example_entries_parse(name):
    status = load_vector(DIR + name)["credentialStatus"]
    entries = status if isinstance(status, list) else [status]
    for raw in entries:
        entry = parse_status_entry(raw)
        assert entry.list_url == raw["statusListCredential"]
        assert entry.index == int(raw["statusListIndex"])
        assert entry.purpose == raw["statusPurpose"]
        assert entry.status_size == 1


def test_spec_example_list_credential_reads():
    status_list = read_list_credential(load_vector(DIR + "example-status-list-credential.json"))
    assert status_list.url == LIST_URL
    assert status_list.purposes == ("revocation",)
    assert status_list.issuer == "did:example:12345"
    assert status_list.valid_from == "2021-04-05T14:27:40Z"
    assert status_list.valid_until is None
    assert status_list.ttl_ms is None
    assert status_list.bitstring == Bitstring.new()


# --- Bitstring ----------------------------------------------------------------------------


@pytest.mark.parametrize("status_size", [1, 2, 3, 8])
def test_round_trip_random_indices(status_size):
    rng = random.Random(status_size)  # noqa: S311  # reproducible test indices, not secrets
    bits = Bitstring.new(status_size=status_size)
    chosen = {rng.randrange(bits.entries): rng.randrange(1, 1 << status_size) for _ in range(500)}
    for index, value in chosen.items():
        bits.set(index, value)
    again = Bitstring.decode(bits.encode(), status_size=status_size)
    assert again == bits
    assert again.to_bytes() == bits.to_bytes()
    for index, value in chosen.items():
        assert again.get(index) == value
    assert again.get(next(i for i in range(bits.entries) if i not in chosen)) == 0


def test_encode_is_unpadded_multibase_gzip():
    encoded = Bitstring.new().encode()
    assert encoded.startswith("u")
    assert "=" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert raw[:2] == b"\x1f\x8b"
    assert gzip.decompress(raw) == bytes(16_384)
    assert Bitstring.new().encode() == encoded  # mtime=0: deterministic


def test_set_and_clear_multibit():
    bits = Bitstring.new(status_size=2)
    bits.set(1, 0b11)
    assert bits.to_bytes()[0] == 0b0011_0000
    bits.set(1, 0b01)
    assert bits.get(1) == 1
    assert bits.to_bytes()[0] == 0b0001_0000
    bits.set(1, 0)
    assert bits.to_bytes()[0] == 0


def test_set_value_too_wide():
    with pytest.raises(ValueError, match="does not fit"):
        Bitstring.new().set(0, 2)


def test_status_size_out_of_bounds():
    with pytest.raises(ValueError, match="status_size"):
        Bitstring.new(status_size=9)


def test_new_short_list_refused():
    with _raises("STATUS_LIST_LENGTH_ERROR", "list_too_short"):
        Bitstring.new(entries=MIN_ENTRIES - 1)


def test_error_is_a_laurel_error():
    assert issubclass(StatusListError, LaurelError)
    err = StatusListError("x", error="STATUS_VERIFICATION_ERROR", reason="purpose_mismatch")
    assert (err.error, err.reason, err.message) == (
        "STATUS_VERIFICATION_ERROR",
        "purpose_mismatch",
        "x",
    )


# --- S05 / S06 ----------------------------------------------------------------------------


def test_s05_valid_8192_entry_list_too_short():
    with _raises("STATUS_LIST_LENGTH_ERROR", "list_too_short"):
        Bitstring.decode(_b64u(gzip.compress(bytes(1024), mtime=0)))


def test_s05_empty_list_too_short():
    with _raises("STATUS_LIST_LENGTH_ERROR", "list_too_short"):
        Bitstring.decode(_b64u(gzip.compress(b"", mtime=0)))


def test_s05_131072_bits_at_status_size_2_too_short():
    # 131,072 bits hold only 65,536 two-bit entries: the length check comes first.
    with _raises("STATUS_LIST_LENGTH_ERROR", "list_too_short"):
        Bitstring.decode(Bitstring.new().encode(), status_size=2)


def test_s06_index_131072_out_of_range():
    bits = Bitstring.decode(Bitstring.new().encode())
    assert bits.get(131_071) == 0
    with _raises("RANGE_ERROR", "range"):
        bits.get(131_072)


def test_s06_status_size_2_out_of_range():
    bits = Bitstring.new(entries=MIN_ENTRIES, status_size=2)
    assert bits.get(MIN_ENTRIES - 1) == 0
    with _raises("RANGE_ERROR", "range"):
        bits.get(MIN_ENTRIES)
    with _raises("RANGE_ERROR", "range"):
        bits.set(MIN_ENTRIES, 1)


def test_s06_negative_index_out_of_range():
    with _raises("RANGE_ERROR", "range"):
        Bitstring.new().get(-1)


# --- S08 ------------------------------------------------------------------------------------


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def test_s08_gzip_bomb_list_too_large():
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    parts = [compressor.compress(chunk) for _ in range(1024)]  # 1 GiB of zeros
    parts.append(compressor.flush())
    bomb = _b64u(b"".join(parts))
    del parts
    assert len(bomb) < 2 * 1024 * 1024
    before = _peak_rss_bytes()
    start = time.monotonic()
    with _raises("MALFORMED_VALUE_ERROR", "list_too_large"):
        Bitstring.decode(bomb)
    assert time.monotonic() - start < 5
    assert _peak_rss_bytes() - before < 100 * 1024 * 1024


def test_s08_just_over_the_cap():
    data = gzip.compress(bytes(MAX_INFLATED_BYTES + 1), mtime=0)
    with _raises("MALFORMED_VALUE_ERROR", "list_too_large"):
        Bitstring.decode(_b64u(data))


def test_s08_at_the_cap_accepted():
    bits = Bitstring.decode(_b64u(gzip.compress(bytes(MAX_INFLATED_BYTES), mtime=0)))
    assert bits.entries == MAX_INFLATED_BYTES * 8


# --- S09 ------------------------------------------------------------------------------------


def test_s09_without_u_prefix():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        Bitstring.decode(Bitstring.new().encode()[1:])


def test_s09_padding_tolerated():
    unpadded = load_vector(DIR + "derived-bit-order-vector.json")["encodedList"]
    padded = unpadded + "=" * (-len(unpadded[1:]) % 4)
    assert padded.endswith("=")
    assert Bitstring.decode(padded) == Bitstring.decode(unpadded)


def test_s09_excess_padding():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        Bitstring.decode(Bitstring.new().encode() + "==")


def test_s09_standard_base64_alphabet():
    raw = gzip.compress(bytes(16_384), mtime=0)
    std = "u" + base64.b64encode(raw).decode().rstrip("=")
    assert "+" in std or "/" in std
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        Bitstring.decode(std)


def test_s09_not_gzip():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        Bitstring.decode(_b64u(zlib.compress(bytes(16_384))))


def test_s09_uncompressed():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        Bitstring.decode(_b64u(bytes(16_384)))


def test_s09_gzip_with_trailing_junk():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        Bitstring.decode(_b64u(gzip.compress(bytes(16_384), mtime=0) + b"junk"))


def test_s09_truncated_gzip():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        Bitstring.decode(_b64u(gzip.compress(bytes(16_384), mtime=0)[:-4]))


def test_s09_not_a_string():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        Bitstring.decode(42)  # type: ignore[arg-type]


# --- entries: M14, S16 ----------------------------------------------------------------------


def test_entry_round_trip():
    raw = status_entry(list_url=LIST_URL, index=0, purpose="suspension")
    assert raw == {
        "id": f"{LIST_URL}#0",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "0",
        "statusListCredential": LIST_URL,
    }
    assert parse_status_entry(raw) == StatusEntry(LIST_URL, 0, "suspension", 1)


def test_entry_max_index_and_status_size():
    entry = parse_status_entry(
        _entry(statusListIndex="9" * 12, statusSize=8, type=["X", "BitstringStatusListEntry"])
    )
    assert entry.index == 999_999_999_999
    assert entry.status_size == 8


def test_entry_without_id():
    assert parse_status_entry(_entry(id=None)).index == 94567


@pytest.mark.parametrize(
    "index",
    [
        "9" * 5000,
        "9" * 13,
        "-1",
        "01",
        "1e3",
        " 5",
        "5 ",
        "5\n",
        "+5",
        "",
        "٣",
        "0x10",
        5,
        5.0,
        None,
    ],
    ids=repr,
)
def test_m14_bad_status_list_index(index):
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        parse_status_entry(_entry(statusListIndex=index))


def test_m14_huge_index_is_fast():
    start = time.monotonic()
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        parse_status_entry(_entry(statusListIndex="9" * 1_000_000))
    assert time.monotonic() - start < 0.5


def test_s16_id_equals_list_url():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        parse_status_entry(_entry(id=LIST_URL))


def test_s16_without_status_purpose():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        parse_status_entry(_entry(statusPurpose=None))


def test_s16_empty_status_purpose():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        parse_status_entry(_entry(statusPurpose=""))


@pytest.mark.parametrize("size", [0, 9, -1, True, "1", 1.0])
def test_s16_bad_status_size(size):
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        parse_status_entry(_entry(statusSize=size))


def test_entry_wrong_type():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        parse_status_entry(_entry(type="StatusList2021Entry"))


def test_entry_missing_type():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        parse_status_entry(_entry(type=None))


@pytest.mark.parametrize("url", [None, "", "not a url", 42, "https://exa mple.com/"])
def test_entry_bad_list_url(url):
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        parse_status_entry(_entry(statusListCredential=url))


def test_entry_bad_id_type():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        parse_status_entry(_entry(id=7))


def test_entry_not_an_object():
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        parse_status_entry(["BitstringStatusListEntry"])


def test_status_entry_negative_index():
    with pytest.raises(ValueError, match="negative"):
        status_entry(list_url=LIST_URL, index=-1, purpose="revocation")


# --- list credentials -----------------------------------------------------------------------


def test_build_then_read_list_credential():
    bits = Bitstring.new()
    bits.set(42, 1)
    cred = build_list_credential(
        list_url=LIST_URL,
        issuer={"id": "did:example:12345", "name": "Example"},
        purpose="suspension",
        bitstring=bits,
        valid_from="2025-01-01T00:00:00Z",
        valid_until="2026-01-01T00:00:00Z",
    )
    assert cred["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert cred["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert cred["credentialSubject"] == {
        "id": f"{LIST_URL}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "suspension",
        "encodedList": bits.encode(),
        "ttl": 300_000,
    }
    status_list = read_list_credential(cred)
    assert status_list.url == LIST_URL
    assert status_list.purposes == ("suspension",)
    assert status_list.issuer == "did:example:12345"
    assert status_list.ttl_ms == 300_000
    assert status_list.valid_until == "2026-01-01T00:00:00Z"
    assert status_list.bitstring.get(42) == 1
    assert status_list.bitstring == bits


def test_build_without_ttl():
    cred = build_list_credential(
        list_url=LIST_URL,
        issuer="did:example:1",
        purpose="revocation",
        bitstring=Bitstring.new(),
        valid_from="2025-01-01T00:00:00Z",
        ttl_ms=None,
    )
    assert "ttl" not in cred["credentialSubject"]
    assert "validUntil" not in cred


def test_list_with_several_purposes():
    cred = _list_credential(statusPurpose=["revocation", "suspension"])
    assert read_list_credential(cred).purposes == ("revocation", "suspension")


def test_list_read_with_status_size():
    bits = Bitstring.new(status_size=2)
    bits.set(7, 3)
    cred = _list_credential(encodedList=bits.encode())
    assert read_list_credential(cred, status_size=2).bitstring.get(7) == 3


def test_list_wrong_credential_type():
    cred = _list_credential()
    cred["type"] = ["VerifiableCredential"]
    with _raises("STATUS_VERIFICATION_ERROR", "list_invalid"):
        read_list_credential(cred)


def test_list_without_v2_context():
    cred = _list_credential()
    cred["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    with _raises("STATUS_VERIFICATION_ERROR", "list_invalid"):
        read_list_credential(cred)


def test_list_wrong_subject_type():
    with _raises("STATUS_VERIFICATION_ERROR", "list_invalid"):
        read_list_credential(_list_credential(type="StatusList2021"))


def test_list_subject_not_an_object():
    cred = _list_credential()
    cred["credentialSubject"] = [cred["credentialSubject"]]
    with _raises("STATUS_VERIFICATION_ERROR", "list_invalid"):
        read_list_credential(cred)


@pytest.mark.parametrize("purpose", [None, "", [], ["revocation", 3], 3])
def test_list_bad_purpose(purpose):
    with _raises("STATUS_VERIFICATION_ERROR", "list_invalid"):
        read_list_credential(_list_credential(statusPurpose=purpose))


def test_list_without_encoded_list():
    with _raises("STATUS_VERIFICATION_ERROR", "list_invalid"):
        read_list_credential(_list_credential(encodedList=None))


@pytest.mark.parametrize("ttl", [-1, "300000", True, 1.5])
def test_list_bad_ttl(ttl):
    with _raises("STATUS_VERIFICATION_ERROR", "list_invalid"):
        read_list_credential(_list_credential(ttl=ttl))


def test_list_without_issuer():
    cred = _list_credential()
    del cred["issuer"]
    with _raises("STATUS_VERIFICATION_ERROR", "list_invalid"):
        read_list_credential(cred)


def test_list_without_id():
    cred = _list_credential()
    del cred["id"]
    with _raises("STATUS_VERIFICATION_ERROR", "list_invalid"):
        read_list_credential(cred)


def test_list_bad_valid_from():
    cred = _list_credential()
    cred["validFrom"] = 2021
    with _raises("STATUS_VERIFICATION_ERROR", "list_invalid"):
        read_list_credential(cred)


def test_list_not_an_object():
    with _raises("STATUS_VERIFICATION_ERROR", "list_invalid"):
        read_list_credential([])  # type: ignore[arg-type]


def test_list_decode_errors_pass_through():
    short = _b64u(gzip.compress(bytes(1024), mtime=0))
    with _raises("STATUS_LIST_LENGTH_ERROR", "list_too_short"):
        read_list_credential(_list_credential(encodedList=short))
    with _raises("MALFORMED_VALUE_ERROR", "malformed"):
        read_list_credential(_list_credential(encodedList="zNotMultibaseBase64url"))
