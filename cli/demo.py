"""`laurel demo`: the narrated tour (the tour itself is :mod:`laurel_demo`)."""

from __future__ import annotations

import click

from cli._common import _console, _funnel, cli, render_result

__all__ = ["demo"]


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the temporary directory and print its path.")
@_funnel
def demo(keep: bool) -> None:
    """A narrated tour: two wallets, a badge issued, verified, tampered, revoked, backed up."""
    import laurel_demo

    console = _console()
    laurel_demo.run(
        console,
        show=lambda name, result, **words: render_result(console, name, result, **words),
        keep=keep,
    )
