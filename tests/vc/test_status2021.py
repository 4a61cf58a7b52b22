"""StatusList2021: entries and list credentials of the CCG draft still in use."""

from __future__ import annotations

import base64
import gzip

import pytest

from vc.status import Bitstring, StatusListError
from vc.status2021 import parse_status_list_2021_entry, read_status_list_2021_credential

# The spec's example encodedList (w3c-ccg/vc-status-list-2021, "StatusList2021Credential"):
# 16 KB of zeros, GZIP, base64url without a multibase prefix.
SPEC_EXAMPLE = "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def listing(encoded: str, **extra) -> dict:
    return {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/vc/status-list/2021/v1",
        ],
        "id": "https://example.com/credentials/status/3",
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": "did:example:12345",
        "issuanceDate": "2021-04-05T14:27:40Z",
        "credentialSubject": {
            "id": "https://example.com/status/3#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
        **extra,
    }


def encode(bits: Bitstring) -> str:
    return base64.urlsafe_b64encode(gzip.compress(bits.to_bytes())).rstrip(b"=").decode()


def test_spec_example_list_reads_as_131072_clear_bits():
    status = read_status_list_2021_credential(listing(SPEC_EXAMPLE))
    assert status.bitstring.entries == 131072
    assert status.bitstring.get(94567) == 0
    assert status.purposes == ("revocation",)
    assert status.valid_from == "2021-04-05T14:27:40Z"


def test_set_bit_is_read():
    bits = Bitstring.new()
    bits.set(94567, 1)
    status = read_status_list_2021_credential(listing(encode(bits)))
    assert status.bitstring.get(94567) == 1


def test_entry():
    entry = parse_status_list_2021_entry(
        {
            "id": "https://example.com/credentials/status/3#94567",
            "type": "StatusList2021Entry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://example.com/credentials/status/3",
        }
    )
    assert (entry.index, entry.purpose, entry.status_size) == (94567, "revocation", 1)


@pytest.mark.parametrize(
    "entry",
    [
        {"type": "BitstringStatusListEntry"},
        {
            "type": "StatusList2021Entry",
            "statusPurpose": "message",
            "statusListIndex": "1",
            "statusListCredential": "https://x/1",
        },
        {
            "type": "StatusList2021Entry",
            "statusPurpose": "revocation",
            "statusListIndex": 1,
            "statusListCredential": "https://x/1",
        },
        {"type": "StatusList2021Entry", "statusPurpose": "revocation", "statusListIndex": "1"},
    ],
)
def test_malformed_entries(entry):
    with pytest.raises(StatusListError) as exc:
        parse_status_list_2021_entry(entry)
    assert exc.value.reason == "malformed"


def test_short_list_is_a_length_error():
    short = base64.urlsafe_b64encode(gzip.compress(bytes(1000))).decode()
    with pytest.raises(StatusListError) as exc:
        read_status_list_2021_credential(listing(short))
    assert exc.value.error == "STATUS_LIST_LENGTH_ERROR"


@pytest.mark.parametrize(
    "change",
    [
        {"type": ["VerifiableCredential", "BitstringStatusListCredential"]},
        {"@context": ["https://www.w3.org/2018/credentials/v1"]},
        {
            "credentialSubject": {
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": SPEC_EXAMPLE,
            }
        },
    ],
)
def test_not_a_status_list_2021_credential(change):
    with pytest.raises(StatusListError) as exc:
        read_status_list_2021_credential({**listing(SPEC_EXAMPLE), **change})
    assert exc.value.reason == "list_invalid"


def test_bomb_and_garbage_are_refused():
    bomb = base64.urlsafe_b64encode(gzip.compress(bytes(40 * 1024 * 1024))).decode()
    with pytest.raises(StatusListError) as exc:
        read_status_list_2021_credential(listing(bomb))
    assert exc.value.reason == "list_too_large"
    with pytest.raises(StatusListError):
        read_status_list_2021_credential(listing("!!!not base64!!!"))
