"""The compiled context states on disk: read back exactly, ignored when damaged or off."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import badge
from vc import ldcache, ldterms

V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _signature(state: ldterms.ActiveContext) -> tuple:
    return (
        state.recipe,
        tuple(sorted(state.terms.items())),
        state.vocab,
        state.id_alias,
        state.type_alias,
        state.previous.recipe if state.previous else None,
    )


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAUREL_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_states_read_back_equal_to_the_ones_pyld_made(cache_dir: Path) -> None:
    root = ldterms.root_context((V2, OB))
    credential = root.scoped(root.terms["VerifiableCredential"], propagate=False)
    subject = credential.node_context("credentialSubject", {"type": ["AchievementSubject"]})[0]
    made = {s.recipe: _signature(s) for s in (root, credential, subject)}
    ldcache.changed()
    ldcache.save()
    path = ldcache.cache_path()
    assert path is not None
    assert path.exists()
    saved = dict(ldterms._STATES)
    ldterms._STATES.clear()
    try:
        assert ldcache.load() >= 3
        assert not ldterms._STATES  # indexed, built only when asked for
        for recipe, signature in made.items():
            state = ldcache.lookup(recipe)
            assert state is not None
            assert _signature(state) == signature
        assert ldterms.root_context((V2, OB)) is ldcache.lookup(((V2, OB), ()))
    finally:
        ldterms._STATES.clear()
        ldterms._STATES.update(saved)


def test_a_damaged_cache_is_ignored(cache_dir: Path) -> None:
    path = ldcache.cache_path()
    assert path is not None
    path.write_text('{"format": 1, "scoped": {}, "states": [{"recipe": 5}]}')
    assert ldcache.load() == 0
    path.write_text("not json")
    assert ldcache.load() == 0


def test_an_empty_cache_dir_turns_caching_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAUREL_CACHE_DIR", "")
    assert ldcache.cache_path() is None


def test_the_name_depends_on_the_pinned_contexts(cache_dir: Path, monkeypatch) -> None:
    before = ldcache.cache_path()
    monkeypatch.setitem(ldterms.jsonld.PINNED_CONTEXTS, V2, "0" * 64)
    assert ldcache.cache_path() != before


def test_a_second_process_verifies_without_json_ld_processing(cache_dir: Path) -> None:
    document = json.dumps(badge())
    script = (
        "import datetime as dt, sys\n"
        "from verifier import VerificationPolicy, verify_bytes\n"
        "policy = VerificationPolicy(now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))\n"
        "result = verify_bytes(sys.stdin.buffer.read(), policy)\n"
        "print(result.verified, 'pyld' in sys.modules)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            input=document.encode(),
            capture_output=True,
            check=True,
            env={"LAUREL_CACHE_DIR": str(cache_dir), "PATH": ""},
        ).stdout.decode()
        for _ in range(2)
    ]
    assert runs == ["True True\n", "True False\n"]


def test_states_reachable_only_through_others_are_saved(cache_dir: Path) -> None:
    # A full _STATES is cleared (MAX_STATES); what was learned before lives on only as
    # the previous state or a child of another. save() once missed a child's child and
    # died at exit with a KeyError, losing the whole file.
    root = ldterms.root_context((V2, OB))
    credential = root.scoped(root.terms["VerifiableCredential"], propagate=False)
    subject = credential.node_context("credentialSubject", {"type": ["AchievementSubject"]})[0]
    saved = dict(ldterms._STATES)
    try:
        ldterms._STATES.clear()
        ldterms._STATES[root.recipe] = root
        ldcache.changed()
        ldcache.save()
        ldterms._STATES.clear()
        assert ldcache.load() >= 3
        found = ldcache.lookup(subject.recipe)
        assert found is not None
        assert _signature(found) == _signature(subject)
    finally:
        ldterms._STATES.clear()
        ldterms._STATES.update(saved)


def test_the_laurel_program_saves_the_cache_though_it_skips_teardown(
    cache_dir: Path, tmp_path: Path
) -> None:
    # `laurel verify` ends without the interpreter's teardown (cli._common.end_now), but
    # only after its output is flushed and the exit handlers, this cache's among them, ran.
    laurel = str(Path(sys.executable).parent / "laurel")
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(badge()))
    done = subprocess.run(
        [laurel, "verify", "--json", str(path), str(path)],
        capture_output=True,
        check=False,
        env={"LAUREL_CACHE_DIR": str(cache_dir), "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["verified"] for line in done.stdout.splitlines()] == [True, True]
    cached = ldcache.cache_path()
    assert cached is not None
    assert cached.exists()
