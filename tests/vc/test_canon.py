from __future__ import annotations

import os
from unittest import mock

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from vc import canon
from vc.canon import jcs
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


# --- the fast JCS path against rfc8785 (differential) ---------------------------------------

_KEYS = st.text(max_size=6) | st.sampled_from(
    ["a", "é", "\U0001f600", "\ue000", "\ud7ff", "A", "_"]
)
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=25,
)


def _reference(value):
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError):
        return "refused"


def _ours(value):
    try:
        return jcs(value)
    except MalformedDocumentError:
        return "refused"


# Each of jcs's fast paths: the C extension (vc/_jcs.c), and Python's JSON encoder where
# the extension was not built.
PATHS = pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            "c-extension",
            marks=pytest.mark.skipif(
                bool(os.environ.get("LAUREL_PURE_PYTHON")), reason="installed as Python"
            ),
        ),
        "json-encoder",
    ],
)


def _on(path):
    assert canon._native_dumps is not None or path == "json-encoder", (
        "vc._jcs is not built (scripts/bootstrap builds it)"
    )
    native = canon._native_dumps if path == "c-extension" else None
    return mock.patch.object(canon, "_native_dumps", native)


@PATHS
@settings(max_examples=2000, deadline=None)
@given(value=_JSON)
def test_jcs_is_byte_identical_to_rfc8785(path, value):
    with _on(path):
        assert _ours(value) == _reference(value)


@pytest.mark.parametrize(
    "value",
    [
        {"\U0001f600": 1, "\ue000": 2},  # UTF-16 order differs from code point order
        {"a": 1.0, "b": 1e21, "c": 1e-7, "d": -0.0},
        {"n": 2**53, "m": -(2**53)},
        {"s": "\ud800"},
        {"c": "\x00\x1f\x7f\u2028"},
    ],
)
@PATHS
def test_jcs_edge_cases_match_rfc8785(path, value):
    with _on(path):
        assert _ours(value) == _reference(value)
