"""Every real-world fixture through the verification pipeline: the verdict EXPECTED.json records.

EXPECTED.json holds two verdicts per fixture: the library-level one (``expected``,
tests/vc/formats/test_corpus.py) and the pipeline's (``pipeline``): what `laurel
verify`, the VC-API and the page say, with the failed check ids. Where they differ,
``pipeline_reason`` says why (a decision of issue #13, or a check only the pipeline
runs). The fixtures that need no network and whose verdict does not depend on the
date are also run through the real `laurel verify` command.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from tests.verifier.corpus_pipeline import CORPUS, run_pipeline, verdict_text

EXPECTED = json.loads((CORPUS / "EXPECTED.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=lambda n: n.replace("/", ":"))
def test_real_world_fixture_through_the_pipeline(name):
    entry = EXPECTED[name]
    verdict = verdict_text(run_pipeline(CORPUS / name).results)
    assert verdict == entry["pipeline"], entry.get("pipeline_reason", entry["reason"])


def test_every_difference_from_the_library_verdict_is_explained():
    for name, entry in EXPECTED.items():
        if entry["pipeline"] != entry["expected"]:
            assert entry.get("pipeline_reason", "").startswith("pipeline: "), name


def test_the_schema_decisions_of_issue_13_verify_the_genuine_dcc_badges():
    decided = [
        n
        for n, e in EXPECTED.items()
        if "decision (issue #13, schema)" in e.get("pipeline_reason", "")
    ]
    assert len(decided) == 24
    assert all(EXPECTED[n]["pipeline"] == "verified" for n in decided)
    assert all(EXPECTED[n]["source_expects"] == "valid" for n in decided)


def _offline_and_timeless() -> list[str]:
    today = dt.datetime.now(dt.UTC)
    names = []
    for name in sorted(EXPECTED):
        run = run_pipeline(CORPUS / name)
        if run.requests:
            continue
        if (
            verdict_text(run_pipeline(CORPUS / name, now=today).results)
            != EXPECTED[name]["pipeline"]
        ):
            continue
        names.append(name)
    return names


def test_offline_fixtures_through_the_laurel_command():
    names = _offline_and_timeless()
    assert len(names) > 40
    done = subprocess.run(
        [sys.executable, "-m", "cli", "verify", "--json", *(str(CORPUS / n) for n in names)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    by_input: dict[str, list[dict]] = {}
    for line in lines:
        by_input.setdefault(line["input"].split(" (")[0], []).append(line)
    for name in names:
        results = by_input[str(CORPUS / name)]
        failed = sorted(
            {c["id"] for r in results for c in r["checks"] if c["status"] == "failed"}
            | {
                c["id"]
                for r in results
                for inner in r.get("credentials", [])
                for c in inner["checks"]
                if c["status"] == "failed"
            }
        )
        verdict = (
            "verified"
            if all(r["verified"] for r in results) and not failed
            else "not verified: " + ", ".join(failed)
        )
        assert verdict == EXPECTED[name]["pipeline"], name
