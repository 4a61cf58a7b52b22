"""The compacted-form check: the fast walk agrees with pyld's round trip (the reference).

Differential tests: on every committed vector and fixture, and on documents generated
by hypothesis (badges with random content, RDF-preserving rewrites of them, and random
damage), :func:`vc.compaction.walk` either declines (the reference decides) or gives
the reference's verdict: the same undefined terms, and, where there are none, the same
answer to "is this the compacted form of its contexts?".
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.attacks.rewrites import REWRITES, rewrite, sites
from tests.builders import ISSUER, sign, unsigned_badge
from tests.conftest import VECTORS
from vc import compaction
from vc.compaction import FormReport
from vc.errors import LaurelError
from vc.model import check_format


def _parts(document: dict[str, Any]) -> list[tuple[dict[str, Any], frozenset[str]]]:
    kinds = document.get("type")
    presentation = "VerifiablePresentation" in (kinds if isinstance(kinds, list) else [kinds])
    parts = [
        (document, frozenset({"proof", "verifiableCredential"} if presentation else {"proof"}))
    ]
    embedded = document.get("verifiableCredential") if presentation else None
    for item in embedded if isinstance(embedded, list) else [embedded]:
        if isinstance(item, dict):
            parts.append((item, frozenset({"proof"})))
    return parts


def _answer(run: Any) -> Any:
    try:
        return run()
    except LaurelError as exc:
        return type(exc).__name__


def _agree(document: dict[str, Any], skip: frozenset[str]) -> bool | None:
    """None when the walk declines; otherwise whether it agrees with the reference."""
    fast = _answer(lambda: compaction.walk(document, skip=skip))
    if fast is None:
        return None
    slow = _answer(lambda: compaction.reference(document, skip=skip))
    if not isinstance(fast, FormReport) or not isinstance(slow, FormReport):
        return fast == slow
    if any(p.strict for p in fast.problems):
        return True  # refused outright, whatever the round trip gives (documented)
    if slow.undefined or fast.undefined:
        return set(fast.undefined) == set(slow.undefined)
    return fast.compacted == slow.compacted


def _documents() -> list[Path]:
    # The specifications' vectors and the real-world corpus (tests/vectors/formats/).
    found = []
    for path in sorted(VECTORS.rglob("*.json")):
        try:
            document = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(document, dict) and "@context" in document:
            found.append(path)
    return found


DOCUMENTS = _documents()


def test_there_are_fixtures_to_compare() -> None:
    assert len(DOCUMENTS) > 150


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(VECTORS)))
def test_the_walk_agrees_with_the_round_trip_on_every_fixture(path: Path) -> None:
    document = json.loads(path.read_text("utf-8"))
    for part, skip in _parts(document):
        assert _agree(part, skip) is not False


def test_the_walk_decides_most_fixtures_without_the_reference() -> None:
    answers = [
        _answer(lambda part=part, skip=skip: compaction.walk(part, skip=skip))
        for path in DOCUMENTS
        for part, skip in _parts(json.loads(path.read_text("utf-8")))
    ]
    walked = sum(isinstance(answer, FormReport) for answer in answers)
    assert walked >= 0.6 * len(answers), (walked, len(answers))


# --- generated documents ---------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), _TEXT)


@st.composite
def _badges(draw: st.DrawFn) -> dict[str, Any]:
    document = unsigned_badge()
    achievement = document["credentialSubject"]["achievement"]
    if draw(st.booleans()):
        achievement["tag"] = draw(st.lists(_TEXT, min_size=1, max_size=3))
    if draw(st.booleans()):
        achievement["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": draw(_TEXT),
                "targetUrl": "https://standards.example/" + draw(st.sampled_from("abc")),
            }
        ]
    if draw(st.booleans()):
        document["credentialSubject"]["result"] = [
            {"type": ["Result"], "achievedLevel": "urn:uuid:level-" + draw(st.sampled_from("123"))}
        ]
    if draw(st.booleans()):
        document["evidence"] = [
            {"id": "https://portfolio.example/x", "type": ["Evidence"], "name": draw(_TEXT)}
        ]
    if draw(st.booleans()):
        document["validUntil"] = "2030-01-01T00:00:00Z"
    if draw(st.booleans()):
        document["name"] = {
            "@value": draw(_TEXT),
            "@language": draw(st.sampled_from(["en", "es-MX"])),
        }
    return document


def _paths(document: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key != "@context":
                found.append((*at, key))
                found.extend(_paths(value, (*at, key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.extend(_paths(value, (*at, index)))
    return found


_DAMAGE = (
    "rename_undefined",
    "rename_iri",
    "scalar",
    "wrap_list",
    "language_value",
    "plain_value",
    "keyword",
)


@st.composite
def _damaged(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(document)
    paths = [p for p in _paths(out) if isinstance(p[-1], str)]
    path = draw(st.sampled_from(paths))
    parent: Any = out
    for step in path[:-1]:
        parent = parent[step]
    key = path[-1]
    damage = draw(st.sampled_from(_DAMAGE))
    if damage == "rename_undefined":
        parent["grade" + key] = parent.pop(key)
    elif damage == "rename_iri":
        parent["https://example.org/vocab#" + key] = parent.pop(key)
    elif damage == "scalar":
        parent[key] = draw(_SCALARS)
    elif damage == "wrap_list":
        parent[key] = [parent[key]]
    elif damage == "language_value":
        parent[key] = {"@value": draw(_TEXT), "@language": "en"}
    elif damage == "plain_value":
        parent[key] = {"@value": draw(_TEXT)}
    else:
        parent[draw(st.sampled_from(["@id", "@type", "@included", "@nest"]))] = parent.pop(key)
    return out


@st.composite
def _generated(draw: st.DrawFn) -> dict[str, Any]:
    document = draw(_badges())
    for _ in range(draw(st.integers(0, 2))):
        candidates = sites(document)
        if not candidates:
            break
        changed = rewrite(
            document, draw(st.sampled_from(REWRITES)), draw(st.sampled_from(candidates))
        )
        if changed is not None:
            document = changed
    if draw(st.booleans()):
        document = draw(_damaged(document))
    return document


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_generated())
def test_the_walk_agrees_with_the_round_trip_on_generated_documents(
    document: dict[str, Any],
) -> None:
    verdict = _agree(document, frozenset({"proof"}))
    assume(verdict is not None)
    assert verdict


def test_a_badge_as_laurel_issues_it_is_walked_not_round_tripped() -> None:
    calls: list[int] = []
    document = sign(unsigned_badge())
    report = compaction.inspect(document, on_reference=lambda: calls.append(1))
    assert report.compacted
    assert calls == []


def test_the_format_check_names_the_member_written_as_an_iri() -> None:
    document = unsigned_badge()
    document["https://www.w3.org/2018/credentials#validUntil"] = {
        "@value": "2020-01-01T00:00:00Z",
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
    }
    failed = [c for c in check_format(document) if c.id == "format.not_compacted"]
    assert failed
    assert failed[0].details["path"] == "https://www.w3.org/2018/credentials#validUntil"
    assert "compacted form of its own @context" in failed[0].message


def test_a_node_where_a_date_belongs_is_refused_and_its_terms_named() -> None:
    # Found by the generated documents: the walk refused `validFrom` written as a node and
    # stopped there, while the reference named the undefined term inside it. It now walks
    # on (or leaves the document to the reference), and the two agree.
    document = unsigned_badge()
    document["validFrom"] = {
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
        "grade@value": "2026-01-01T00:00:00Z",
    }
    assert _agree(document, frozenset({"proof"})) in (True, None)
    report = compaction.inspect(document)
    assert not report.compacted or report.undefined


@pytest.mark.parametrize(
    ("at", "key", "value"),
    [
        ((), "@type", []),
        ((), "@preserve", {}),
        ((), "@protected", {}),
        (("issuer",), "@default", []),
        (("issuer",), "@context", []),
        ((), "A:", None),
        (("issuer",), "description", None),
    ],
)
def test_members_that_carry_no_quad_are_still_edits(
    at: tuple[str, ...], key: str, value: Any
) -> None:
    # Found by the generated edits (5,000 examples): an empty keyword member, a framing
    # keyword or a null member changes no quad, so an RDFC signature still holds; none is a form
    # compaction writes, so the document is refused, never verified as it stands.
    document = unsigned_badge()
    node = document
    for step in at:
        node = node[step]
    node[key] = value
    report = compaction.inspect(document)
    assert not report.compacted


def test_a_node_repeating_the_documents_id_is_refused() -> None:
    document = unsigned_badge()
    document["evidence"] = [{"id": document["id"], "type": ["Evidence"], "name": "moved"}]
    report = compaction.inspect(document)
    assert not report.compacted
    assert report.problems[0].path == "evidence[0]"


def test_the_view_is_what_the_contexts_compact_to() -> None:
    document = sign(unsigned_badge(), ISSUER)
    moved = copy.deepcopy(document)
    moved["https://www.w3.org/2018/credentials#validFrom"] = {
        "@value": moved.pop("validFrom"),
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
    }
    report = compaction.inspect(moved)
    assert report.view is not None
    assert report.view["validFrom"] == document["validFrom"]
    assert report.view["proof"] == document["proof"]
