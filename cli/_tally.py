"""What `laurel verify` tells a person watching many inputs: how far it is, then the count.

Verifying an applicant pool (`laurel verify --json --jobs 4 applicants/*.json >
results.jsonl`) writes nothing to the terminal while it works, and its last line in
the file says nothing of the others. When standard error is a terminal, a line there
says how far the run is (redrawn at most ten times a second, and only while the
answers go elsewhere: on the terminal the answers themselves show it), and at the end,
for more than one input, what came of them (an input may hold more than one
credential: a picture of several QR codes):

    >>> import io
    >>> out = io.StringIO()
    >>> tally = Tally(3, out, live=False, summary=True)
    >>> for code in (0, 1, 0):
    ...     tally.add(code)
    >>> tally.finish()
    >>> out.getvalue()
    '3 inputs: 2 verified, 1 not verified\\n'

Nothing is written where standard error is not a terminal (a script, a CI log): the
exit status and the answers say it all there.
"""

from __future__ import annotations

import time
from typing import TextIO

from cli._common import EXIT_FAILED, EXIT_OK, EXIT_USAGE

__all__ = ["Tally", "tally_for"]

#: Seconds between two redraws of the progress line.
_REDRAW = 0.1
#: What each answer's exit code says of it.
_WORDS = ((EXIT_OK, "verified"), (EXIT_FAILED, "not verified"), (EXIT_USAGE, "unreadable"))


class Tally:
    """Counts the answers of a run and shows them on `stream` (see the module)."""

    def __init__(self, inputs: int, stream: TextIO, *, live: bool, summary: bool) -> None:
        self._inputs = inputs
        self._stream = stream
        self._live = live
        self._summary = summary
        self._done = 0
        self._codes = {code: 0 for code, _ in _WORDS}
        self._started = time.monotonic()
        self._drawn = 0.0
        self._width = 0

    def add(self, code: int, *, input_done: bool = True) -> None:
        """Count one answer (its exit code); `input_done`: the last of its input's."""
        self._codes[code] = self._codes.get(code, 0) + 1
        if input_done:
            self._done += 1
        if self._live and (now := time.monotonic()) - self._drawn >= _REDRAW:
            self._drawn = now
            self._draw(
                f"verifying: {self._done:,} of {self._inputs:,} inputs"
                f" ({100 * self._done // max(self._inputs, 1)} %) · {self._counts()}"
            )

    def clear(self) -> None:
        """Take the progress line off the terminal (a run stopped by Ctrl-C, or done)."""
        if self._width:
            self._draw("")

    def finish(self) -> None:
        """Clear the progress line; for more than one input, write what came of them."""
        self.clear()
        if self._summary and self._inputs > 1:
            seconds = time.monotonic() - self._started
            took = f" in {seconds:.1f} s" if self._live else ""
            answers = sum(self._codes.values())
            what = f"{self._inputs:,} inputs" + (
                f", {answers:,} credentials" if answers != self._inputs else ""
            )
            self._stream.write(f"{what}: {self._counts()}{took}\n")
        self._stream.flush()

    def _counts(self) -> str:
        return ", ".join(
            f"{self._codes[code]:,} {word}" for code, word in _WORDS if self._codes[code]
        )

    def _draw(self, text: str) -> None:
        # Over the line drawn before, padded to its width: no escape sequences needed.
        self._stream.write("\r" + text.ljust(self._width) + ("\r" if not text else ""))
        self._width = len(text)
        self._stream.flush()


def tally_for(inputs: int, stdout: TextIO, stderr: TextIO) -> Tally:
    """The tally for a run of `inputs` as these streams are: live and summed up only for a person."""
    person = _is_terminal(stderr)
    return Tally(
        inputs,
        stderr,
        live=person and not _is_terminal(stdout) and inputs > 1,
        summary=person,
    )


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced by a test, or closed
        return False
