from __future__ import annotations

import pytest

from vc import canon
from vc.errors import MalformedDocumentError

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


def test_jcs_orders_keys_and_normalizes_numbers():
    assert canon.jcs({"b": 1.0, "a": [1e0, "é"]}) == '{"a":[1,"é"],"b":1}'.encode()


def test_rdfc_escapes_literals_as_rdf_1_2_canonical_n_quads():
    # RDF 1.2 N-Quads "Canonical form": ECHAR for \b \t \n \f \r " \, UCHAR for other controls.
    document = {
        "@context": [V2, EXAMPLES],
        "id": "urn:x",
        "note": 'a\bb\tc\nd\fe\rf"g\\h\x01i\x7fj',
    }
    nquads = canon.rdfc(document)
    assert '"a\\bb\\tc\\nd\\fe\\rf\\"g\\\\h\\u0001i\\u007Fj"' in nquads


def test_rdfc_refuses_oversized_documents():
    document = {
        "@context": [V2, EXAMPLES],
        "id": "urn:x",
        "note": "x" * (canon.MAX_RDFC_INPUT_BYTES + 1),
    }
    with pytest.raises(MalformedDocumentError) as info:
        canon.rdfc(document)
    assert info.value.code == "too_large"


def _poison(n: int) -> dict:
    # A clique of blank nodes: hashing n-degree quads explores permutations.
    nodes = [
        {"@id": f"_:b{i}", "link": [{"@id": f"_:b{j}"} for j in range(n) if j != i]}
        for i in range(n)
    ]
    return {"@context": [V2, EXAMPLES], "@graph": nodes}


@pytest.mark.slow
def test_rdfc_stops_a_poisoned_dataset_at_the_deadline():
    import time

    started = time.monotonic()
    with pytest.raises(canon.CanonicalizationTimeoutError) as info:
        canon.rdfc(_poison(10), time_limit=0.5)
    assert info.value.code == "canonicalization_timeout"
    assert time.monotonic() - started < 5
