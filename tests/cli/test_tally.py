"""cli._tally: progress and a count for a person watching `laurel verify`; nothing for a script."""

from __future__ import annotations

import io

from cli._tally import Tally, tally_for


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_is_redrawn_in_place_and_cleared_at_the_end() -> None:
    out = io.StringIO()
    tally = Tally(2, out, live=True, summary=True)
    tally.add(0)
    tally.add(2)
    tally.finish()
    text = out.getvalue()
    assert text.startswith("\rverifying: 1 of 2 inputs (50 %) · 1 verified")
    drawn, summary = text.rsplit("\r", 1)
    assert drawn.endswith(" " * len("verifying: 1 of 2 inputs (50 %) · 1 verified"))
    assert summary.startswith("2 inputs: 1 verified, 1 unreadable in ")
    assert "\n" not in drawn  # no line of the progress is left behind


def test_an_input_holding_several_credentials_is_counted_as_both() -> None:
    out = io.StringIO()
    tally = Tally(2, out, live=False, summary=True)
    tally.add(0, input_done=False)  # a picture of two QR codes
    tally.add(1)
    tally.add(0)
    tally.finish()
    assert out.getvalue() == "2 inputs, 3 credentials: 2 verified, 1 not verified\n"


def test_one_input_gets_no_count() -> None:
    out = io.StringIO()
    tally = Tally(1, out, live=False, summary=True)
    tally.add(0)
    tally.finish()
    assert out.getvalue() == ""


def test_the_streams_decide_who_is_watching() -> None:
    terminal, other = _Terminal(), io.StringIO()
    for stdout, stderr, live, summary in (
        (other, terminal, True, True),  # answers to a file, a person at the terminal
        (terminal, terminal, False, True),  # the answers themselves show the progress
        (terminal, other, False, False),  # standard error read by a script
        (other, other, False, False),
    ):
        tally = tally_for(5, stdout, stderr)
        tally.add(0)
        tally.finish()
        assert bool(stderr.getvalue()) is (live or summary)
        assert ("verifying:" in stderr.getvalue()) is live
        stderr.seek(0)
        stderr.truncate()


def test_a_run_stopped_midway_leaves_a_clean_line_for_what_is_said_next() -> None:
    out = io.StringIO()
    tally = Tally(10, out, live=True, summary=True)
    tally.add(0)
    tally.clear()  # Ctrl-C: click's "Aborted!" comes next
    tally.clear()
    drawn = "verifying: 1 of 10 inputs (10 %) · 1 verified"
    assert out.getvalue() == "\r" + drawn + "\r" + " " * len(drawn) + "\r"
