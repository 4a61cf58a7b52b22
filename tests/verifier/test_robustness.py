"""Any JSON object gets a verdict of named checks, never an exception."""

from __future__ import annotations

import copy
import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import badge, presentation
from verifier import VerificationPolicy, verify, verify_bytes

POLICY = VerificationPolicy(
    now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC), challenge="c-1234", domain="hiring.example"
)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "did:key:z6Mk",
            "did:web:127.0.0.1",
            "https://www.w3.org/ns/credentials/v2",
            "@context",
            "VerifiableCredential",
            "z" + "1" * 80,
            "_:b0",
            "2024-01-01T00:00:00Z",
        ]
    ),
)
_json = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=8,
)
_BASES = [badge(), badge("eddsa-jcs-2022"), presentation([badge()])]


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _replace(document, path, value):
    if not path:
        return value if isinstance(value, dict) else document
    out = copy.deepcopy(document)
    node = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return out


@settings(
    max_examples=int(__import__("os").environ.get("LAUREL_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_any_mutation_of_a_valid_document_gets_a_verdict(data):
    base = data.draw(st.sampled_from(_BASES))
    paths = list(_paths(base))
    path = data.draw(st.sampled_from(paths))
    mutated = _replace(base, path, data.draw(_json))
    result = verify(mutated, POLICY)
    assert result.checks
    json.dumps(result.to_json())


@settings(max_examples=150, deadline=None)
@given(document=st.dictionaries(st.text(max_size=12), _json, max_size=6))
def test_any_object_gets_a_verdict(document):
    result = verify(document, POLICY)
    assert not result.verified
    json.dumps(result.to_json())


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes_get_a_verdict(data):
    result = verify_bytes(data, POLICY)
    assert not result.verified
