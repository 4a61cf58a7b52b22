"""`laurel portfolio`: the teacher's static site of the badges she chose to show."""

from __future__ import annotations

from pathlib import Path

import click

from cli._common import (
    _console,
    _escape,
    _funnel,
    _home_option,
    _locale,
    _open_wallet,
    _resolve_ids,
    cli,
)


@cli.command()
@click.option(
    "--public",
    "make_public",
    multiple=True,
    metavar="ID",
    help="Show this badge in the portfolio (repeatable; any unique start of its id).",
)
@click.option(
    "--private",
    "make_private",
    multiple=True,
    metavar="ID",
    help="Take this badge out of the portfolio (repeatable).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the site into this folder (for any web host, or a USB stick).",
)
@click.option(
    "--verifier",
    "verifier_url",
    metavar="URL",
    envvar="LAUREL_VERIFIER_URL",
    help="The verifier page the Verify button suggests (viewers may type another).",
)
@click.option(
    "--site-url",
    metavar="URL",
    help="Where the site will be published: LinkedIn's link and the QR codes point there.",
)
@_home_option
@_funnel
def portfolio(
    make_public: tuple[str, ...],
    make_private: tuple[str, ...],
    out: Path | None,
    verifier_url: str | None,
    site_url: str | None,
    home: Path | None,
) -> None:
    """Choose which badges are public, and write them as a static site.

    Nothing is public until you say so. Each badge gets a page: its card (level,
    evidence, alignment), the credential as JSON and as a baked PNG, an "Add to
    LinkedIn" link, a QR code, and a Verify button that opens a verifier page
    with the badge in the link.

    \b
    Examples:
      laurel portfolio                                   which badges are public
      laurel portfolio --public cc6e7a --public 41d0     show these two
      laurel portfolio --out site/ --verifier https://verify.riverside.example/
    `laurel serve --wallet HOME` shows the same pages on this computer, all badges.
    """
    from wallet.badges import badge_line
    from wallet.portfolio import public_ids, set_public, write_portfolio

    locale = _locale()
    _ = locale.gettext.gettext
    with _open_wallet(home) as wallet:
        store = wallet.store
        if make_public:
            set_public(store, _resolve_ids(wallet, make_public), True)
        if make_private:
            set_public(store, _resolve_ids(wallet, make_private), False)
        if out is not None:
            try:
                report = write_portfolio(
                    wallet, out, locale=locale, verifier_url=verifier_url, site_url=site_url
                )
            except ValueError as exc:
                raise click.UsageError(str(exc)) from exc
            click.echo(
                _("%(count)d public badges written to %(path)s")
                % {
                    "count": report.badges,
                    "path": report.index,
                }
            )
            return
        chosen = set(public_ids(store))
        console = _console()
        for stored in store.list_credentials():
            line = badge_line(store, stored, locale)
            mark = _("public") if stored.id in chosen else _("private")
            style = "bold green" if stored.id in chosen else "dim"
            console.print(
                f"[{style}]{mark:8}[/] {line.short_id}  {_escape(line.name)}"
                f"  [dim]{_escape(line.issued or '')}[/]"
            )
