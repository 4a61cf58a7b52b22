"""The badges kept in the wallet: import, list, show, export, delete, bake."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import click

from cli._common import (
    MAX_INPUT_BYTES,
    _console,
    _escape,
    _funnel,
    _home_option,
    _local_zone,
    _locale,
    _open_wallet,
    _print_json,
    _resolve_ids,
    cli,
)


@cli.command(name="import")
@click.argument("inputs", nargs=-1, required=True, metavar="FILE|URL...")
@click.option(
    "--force", is_flag=True, help="Store a badge even if it does not verify (marked unverified)."
)
@_home_option
@_funnel
def import_(inputs: tuple[str, ...], force: bool, home: Path | None) -> None:
    """Verify badges and keep them in the wallet.

    A FILE may hold an Open Badges 3.0 badge (JSON, or a VC-JWT), an Open Badges 2.0
    assertion (JSON, or a signed JWS), or a baked PNG or SVG of either; a URL is an
    Open Badges 2.0 hosted assertion (fetched through the fetch guard). Each is
    verified first, with the network (its issuer's keys, status, hosted documents).

    \b
    Examples:
      laurel import badge.json credly-badge.png
      laurel import https://badges.example/assertions/1
    """
    from verifier import VerificationPolicy, verify_bytes
    from verifier.verify import networked_resolver, networked_status_checker
    from wallet.holder import import_credential

    # The status of an imported badge is checked when an employer verifies it; a list
    # that cannot be reached now does not keep the badge out (a revoked one does).
    policy = VerificationPolicy(now=dt.datetime.now(dt.UTC), status_unreachable="warn")
    resolver = networked_resolver()
    status_checker = networked_status_checker()

    def verify(data: bytes) -> Any:
        return verify_bytes(data, policy, resolver=resolver, status_checker=status_checker)

    with _open_wallet(home) as wallet:
        for name in inputs:
            outcome = import_credential(wallet, _importable(name), verify, force=force)
            mark = "" if outcome.result.verified else "  (NOT VERIFIED, stored with --force)"
            click.echo(f"{outcome.credential.id}{mark}")
            hosts = outcome.result.summary.get("hosts")
            if isinstance(hosts, list) and hosts:
                click.echo(
                    "  an Open Badges 2.0 badge: it verifies only while "
                    + ", ".join(str(h) for h in hosts)
                    + " keeps its documents online",
                    err=True,
                )


def _importable(name: str) -> bytes:
    """The badge in an imported file (JSON, JWT/JWS, unbaked image) or at an OB 2.0 URL."""
    from verifier.sources import documents_in

    if name[:8].lower().startswith(("https://", "http://")) and not os.path.exists(name):
        return _fetched_assertion(name)
    try:
        with open(name, "rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise click.UsageError(f"cannot read {name}: {exc.strerror or exc}") from exc
    documents = documents_in(data)
    if len(documents) != 1:
        raise click.UsageError("import one credential per file")
    return documents[0][1]


def _fetched_assertion(url: str) -> bytes:
    # Open Badges 2.0, "Hosted Verification": the assertion lives at its URL. Fetched
    # through the guard (public addresses only, size and time limits).
    from vc.formats.detect import detect
    from verifier.fetch import Fetcher, FetchPolicy

    data = Fetcher(FetchPolicy.from_env()).fetch(url).body
    if detect(data).kind != "ob2-hosted":
        raise click.UsageError(
            f"{url} holds {detect(data).description}, not an Open Badges 2.0 hosted assertion"
        )
    return data


def _listing(stored: Any, formats: dict[str, str] | None = None) -> dict[str, object]:
    return {
        "id": stored.id,
        "format": (formats or {}).get(stored.id, "data-integrity"),
        "name": stored.name,
        "issuer": stored.issuer,
        "recipient": stored.recipient,
        "validFrom": stored.valid_from,
        "status": "issued"
        if stored.origin == "issued"
        else ("verified" if stored.verified else "unverified"),
        "anchored": stored.anchored,
    }


@cli.command(name="list")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="A JSON array of {id, shortId, format, name, issuer, recipient, recipientName,"
    " validFrom, status, state, anchored}.",
)
@click.option(
    "--search",
    metavar="TEXT",
    help="Only badges whose id, name or recipient's name holds TEXT, or issued to the email TEXT.",
)
@_home_option
@_funnel
def list_(as_json: bool, search: str | None, home: Path | None) -> None:
    """List the badges in the wallet (ids are shown short: any unique start of one works).

    A badge kept as a VC-JWT or an Open Badges 2.0 assertion shows its format.
    """
    from wallet.badges import badge_line

    locale, zone = _locale(), _local_zone()
    with _open_wallet(home) as wallet:
        store = wallet.store
        found = store.search_credentials(search) if search else store.list_credentials()
        names = store.recipient_names()
        formats = store.credential_formats()
        lines = [badge_line(store, s, locale, names=names, tz=zone) for s in found]
        items = [
            {**_listing(s, formats), **line.to_json()} for s, line in zip(found, lines, strict=True)
        ]
    if as_json:
        _print_json(items)
        return
    from rich.table import Table

    _ = locale.gettext.gettext
    if not lines:
        empty = _("no badges match %(text)r") % {"text": search} if search else _("no badges yet")
        _console().print(f"[dim]{_escape(empty)}[/]")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column(_("id"), no_wrap=True)
    table.add_column(_("badge"), ratio=3)
    table.add_column(_("recipient"), ratio=2)
    table.add_column(_("issued"), no_wrap=True)
    table.add_column(_("state"), no_wrap=True)
    states = {
        "issued": _("issued"),
        "revoked": _("revoked"),
        "suspended": _("suspended"),
        "verified": _("verified"),
        "unverified": _("unverified"),
    }
    for line, item in zip(lines, items, strict=True):
        state = states.get(line.state, line.state) + (" ⚓" if line.anchored else "")
        if item["format"] != "data-integrity":
            state += f" ({item['format']})"
        table.add_row(
            line.short_id,
            _escape(line.name),
            _escape(line.recipient),
            line.issued or "",
            state,
        )
    _console().print(table)


@cli.command()
@click.argument("credential_id")
@_home_option
@_funnel
def show(credential_id: str, home: Path | None) -> None:
    """Show one badge: its summary, then the stored JSON (ID may be any unique start of it)."""
    with _open_wallet(home) as wallet:
        (credential_id,) = _resolve_ids(wallet, [credential_id])
        stored = wallet.store.get_credential(credential_id)
        formats = wallet.store.credential_formats()
    console = _console()
    for key, value in _listing(stored, formats).items():
        console.print(f"[dim]{key:10}[/] {_escape(str(value))}")
    console.print_json(stored.text)


@cli.command()
@click.argument("credential_id")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to a file instead of stdout.",
)
@_home_option
@_funnel
def export(credential_id: str, out: Path | None, home: Path | None) -> None:
    """Export a badge exactly as stored, with every proof (a VC-JWT or JWS as the token)."""
    with _open_wallet(home) as wallet:
        (credential_id,) = _resolve_ids(wallet, [credential_id])
        stored = wallet.store.get_credential(credential_id)
        original = wallet.store.original_of(credential_id)
    text = original.text if original is not None else stored.text
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.write_text(text, encoding="utf-8")


@cli.command()
@click.argument("credential_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_home_option
@_funnel
def delete(credential_id: str, yes: bool, home: Path | None) -> None:
    """Delete a badge from the wallet (asks first)."""
    from wallet.badges import badge_line

    with _open_wallet(home) as wallet:
        (credential_id,) = _resolve_ids(wallet, [credential_id])
        stored = wallet.store.get_credential(credential_id)
        if not yes:
            if not sys.stdin.isatty():
                raise click.UsageError("not a terminal: pass --yes to delete without asking")
            locale = _locale()
            line = badge_line(wallet.store, stored, locale, tz=_local_zone())
            question = locale.gettext.gettext("Delete %(badge)s?") % {
                "badge": line.describe(locale)
            }
            click.confirm(question, abort=True)
        wallet.store.delete_credential(credential_id)
    click.echo(f"deleted {credential_id}")


@cli.command()
@click.argument("credential_id")
@click.option(
    "--image",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The badge picture to bake into: PNG or SVG.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The baked image to write.",
)
@_home_option
@_funnel
def bake(credential_id: str, image: Path, out: Path, home: Path | None) -> None:
    """Bake a badge into its image (Open Badges 3.0 baking: PNG iTXt or SVG element).

    The baked image carries the credential exactly as stored, with its proofs:
    `laurel verify FILE` and `laurel import FILE` unbake it.
    """
    from vc.baking import bake_png, bake_svg

    with _open_wallet(home) as wallet:
        (credential_id,) = _resolve_ids(wallet, [credential_id])
        stored = wallet.store.get_credential(credential_id)
        original = wallet.store.original_of(credential_id)
    text = stored.text
    if original is not None:
        if original.format != "vc-jwt":
            raise click.UsageError(
                "an Open Badges 2.0 badge is baked by its issuer; laurel bakes Open Badges 3.0"
            )
        text = original.text  # OB 3.0 "Baking": the VC-JWT itself
    data = image.read_bytes()
    baked = bake_svg(data, text) if image.suffix.lower() == ".svg" else bake_png(data, text)
    out.write_bytes(baked)
    click.echo(f"baked {credential_id} into {out}")
