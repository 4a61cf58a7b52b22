"""`laurel`: the command line, thin over the library.

Each command parses its arguments, makes one library call and renders the result
(rich tables for people, ``--json`` for machines: the same document the HTTP API
returns). Every LaurelError ends in one place: its message and hint on stderr.
Exit codes: 0 ok / verified, 1 not verified or failed, 2 usage or unreadable input.
"""

from __future__ import annotations

from cli import _common
from cli._common import cli  # each command's module is imported when it runs

__all__ = ["main"]


def main() -> None:
    """The `laurel` console script."""
    _common.AS_PROGRAM[0] = True
    cli(prog_name="laurel")
