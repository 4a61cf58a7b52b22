"""`laurel verify --jobs N`: the same answers, in the same order, as one process."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import badge

LAUREL = str(Path(sys.executable).parent / "laurel")


@pytest.fixture
def inputs(tmp_path: Path) -> list[str]:
    names = []
    good, tampered = badge(), copy.deepcopy(badge())
    tampered["credentialSubject"]["achievement"]["name"] = "District Leader"
    for i in range(30):
        path = tmp_path / f"b{i:02d}.json"
        if i % 7 == 3:
            path.write_text('{"unreadable":')
        else:
            path.write_text(json.dumps(tampered if i % 5 == 1 else good))
        names.append(str(path))
    return names


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LAUREL, "verify", "--json", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.e2e
def test_jobs_give_the_answers_of_one_process_in_input_order(inputs: list[str]) -> None:
    one = _run("--jobs", "1", *inputs)
    two = _run("--jobs", "2", *inputs)
    assert one.returncode == two.returncode == 2  # some input unreadable
    first = [json.loads(line) for line in one.stdout.splitlines()]
    second = [json.loads(line) for line in two.stdout.splitlines()]
    assert [r["input"] for r in second] == inputs
    assert [(r["input"], r["verified"], [c["id"] for c in r["checks"]]) for r in second] == [
        (r["input"], r["verified"], [c["id"] for c in r["checks"]]) for r in first
    ]
    assert sum(r["verified"] for r in second) == 20


@pytest.mark.e2e
def test_stdin_is_read_by_one_process(inputs: list[str]) -> None:
    data = Path(inputs[0]).read_bytes()
    done = subprocess.run(
        [LAUREL, "verify", "--json", "--jobs", "4", "-"],
        input=data,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["verified"] is True


@pytest.mark.e2e
def test_jobs_print_the_same_report_for_people(inputs: list[str]) -> None:
    # Without --json the results and documents travel back from the workers whole.
    def report(jobs: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [LAUREL, "verify", "--jobs", jobs, *inputs],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "COLUMNS": "100", "NO_COLOR": "1"},
        )

    one, two = report("1"), report("2")
    assert one.returncode == two.returncode == 2
    assert two.stdout == one.stdout
    assert inputs[-1] in two.stdout


def _on_a_terminal(args: list[str], stdout: Path) -> tuple[int, str]:
    # Standard error on a pseudo-terminal, as a person running it sees it; the answers
    # into a file, as `> results.jsonl` sends them.
    import pty

    leader, follower = pty.openpty()
    with stdout.open("wb") as out:
        process = subprocess.Popen([LAUREL, "verify", *args], stdout=out, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the process closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return process.wait(timeout=60), seen.decode()


@pytest.mark.e2e
def test_a_person_sees_progress_and_the_count_while_the_answers_go_to_a_file(
    inputs: list[str], tmp_path: Path
) -> None:
    code, terminal = _on_a_terminal(["--json", "--jobs", "2", *inputs], tmp_path / "out.jsonl")
    assert code == 2
    assert "verifying: " in terminal  # the progress line, redrawn in place
    assert terminal.rstrip().endswith("s")  # "... in 0.4 s"
    last = terminal.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("30 inputs: 20 verified, 6 not verified, 4 unreadable in ")
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert [json.loads(line)["input"] for line in lines] == inputs  # the file as before


@pytest.mark.e2e
def test_a_script_reading_standard_error_gets_nothing_more(inputs: list[str]) -> None:
    done = _run("--jobs", "2", *inputs)
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) == len(inputs)
