"""`laurel offer` and `laurel receive`, and `present --request openid4vp://…`: OpenID for VCs.

The issuer's side hands out offers (`offer`); `laurel serve --wallet HOME` answers
them. The holder's side redeems an offer (`receive`) and answers an OID4VP request
(`present --request openid4vp://…`). Every outbound request goes through the fetch
guard; `--allow-private-network` lets it reach loopback and intranet hosts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path

import click

from cli._common import (
    MAX_INPUT_BYTES,
    _funnel,
    _home_option,
    _open_wallet,
    _passphrase,
    cli,
)

__all__ = ["answer_openid4vp", "link_in"]


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _qr_file(text: str, path: Path) -> None:
    from vc.qr import render_qr, render_svg

    if path.suffix.lower() == ".svg":
        path.write_bytes(render_svg(text))
    else:
        render_qr(text)[0].save(path, format="PNG")


@cli.command()
@click.argument("credential_id", required=False, metavar="ID")
@click.option(
    "--roster",
    "roster_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Offer the badge of every row of this roster CSV (as issued with --roster).",
)
@click.option(
    "--achievement",
    "achievement_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --roster: the achievement the roster was issued for.",
)
@click.option(
    "--qr",
    "qr_path",
    type=click.Path(path_type=Path),
    help="Where to write the offer's QR code (FILE.png or FILE.svg; a folder with --roster).",
)
@click.option(
    "--format",
    "badge_format",
    type=click.Choice(["data-integrity", "jwt"]),
    default="data-integrity",
    show_default=True,
    help="How the wallet gets it signed: Data Integrity (ldp_vc) or a VC-JWT (jwt_vc_json).",
)
@click.option("--json", "as_json", is_flag=True, help="Print {offer, pin, expires, qr} as JSON.")
@_home_option
@_funnel
def offer(
    credential_id: str | None,
    roster_file: Path | None,
    achievement_file: Path | None,
    qr_path: Path | None,
    badge_format: str,
    as_json: bool,
    home: Path | None,
) -> None:
    """Offer a badge to its holder's wallet (OpenID4VCI): a link, its QR code and a PIN.

    The link (openid-credential-offer://…) goes to the holder, the PIN by another
    way (a second email, a text). It works once, for 7 days; five wrong PINs burn it.
    The holder's wallet (any OpenID4VCI wallet, or `laurel receive`) gets the badge
    from `laurel serve --wallet HOME`, bound to its DID.

    \b
    Examples:
      laurel offer urn:uuid:… --qr offer.png
      laurel offer urn:uuid:… --format jwt
      laurel offer --roster cohort.csv --achievement formative.json --qr offers/ --json
    """
    from wallet.credential_offer import OFFERED, make_offer

    if (credential_id is None) == (roster_file is None):
        raise click.UsageError("give a badge ID, or --roster CSV (with --achievement)")
    now = dt.datetime.now(dt.UTC)
    with _open_wallet(home) as wallet:
        if roster_file is None:
            assert credential_id is not None  # noqa: S101 - narrowed by the check above
            made = make_offer(wallet, credential_id, now=now, configurations=OFFERED[badge_format])
            target = qr_path or Path("offer.png")
            _qr_file(made.offer, target)
            record = {
                "offer": made.offer,
                "pin": made.pin,
                "expires": _stamp(made.expires),
                "qr": str(target),
            }
            if as_json:
                sys.stdout.write(json.dumps(record) + "\n")
            else:
                click.echo(made.offer)
                click.echo(
                    f"PIN {made.pin} (send it separately), expires {record['expires']}", err=True
                )
                click.echo(f"QR code: {target}", err=True)
            return
        if achievement_file is None:
            raise click.UsageError("--roster needs --achievement (the badge the roster earned)")
        from wallet.credential_offer import roster_badge
        from wallet.issuer import load_achievement, read_roster

        achievement = load_achievement(achievement_file.read_bytes())
        folder = qr_path or Path("offers")
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for row in read_roster(roster_file.read_bytes()):
            stored = roster_badge(wallet, achievement, row)
            made = make_offer(wallet, stored.id, now=now, configurations=OFFERED[badge_format])
            target = folder / f"{row.line:05d}.png"
            _qr_file(made.offer, target)
            rows.append(
                {
                    "name": row.name,
                    "email": row.email,
                    "offer": made.offer,
                    "pin": made.pin,
                    "expires": _stamp(made.expires),
                    "qr": str(target),
                }
            )
    if as_json:
        for record in rows:
            sys.stdout.write(json.dumps(record) + "\n")
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["name", "email", "offer", "pin", "expires", "qr"])
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(out.getvalue())


def link_in(source: str, scheme: str) -> str | None:
    """The `scheme` link in `source`: the text itself, or the QR code in a picture file."""
    if source.startswith(scheme):
        return source
    path = Path(source)
    try:
        if not path.is_file():
            return None
    except (OSError, ValueError):
        return None
    data = path.read_bytes()[: MAX_INPUT_BYTES + 1]
    if data.lstrip().startswith(scheme.encode()):
        return data.decode("utf-8", "replace").strip()
    from vc.qr import QRImageError, decode_qr_image

    try:
        found = [text for text in decode_qr_image(data) if text.startswith(scheme)]
    except QRImageError:
        return None
    if len(found) > 1:
        raise click.BadParameter(f"the picture holds {len(found)} {scheme} codes; crop it to one")
    return found[0] if found else None


def _http(allow_private_network: bool):  # type: ignore[no-untyped-def]
    from verifier.guarded_http import GuardedHttp

    return GuardedHttp.from_env(allow_private_network=allow_private_network)


@cli.command()
@click.argument("source", metavar="OFFER")
@click.option("--pin", help="The PIN the issuer sent you separately (asked for when needed).")
@click.option(
    "--allow-private-network",
    is_flag=True,
    help="Let the fetches reach private and loopback hosts (and plain http on them).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the stored badge's id and checks as JSON."
)
@_home_option
@_funnel
def receive(
    source: str, pin: str | None, allow_private_network: bool, as_json: bool, home: Path | None
) -> None:
    """Receive a badge offered to you (OpenID4VCI): the openid-credential-offer:// link or a photo of its QR.

    laurel fetches the badge, proves your wallet's key (so the badge is bound to
    your DID), verifies it and stores it.

    \b
    Example:
      laurel receive 'openid-credential-offer://?credential_offer=…' --pin 493536
    """
    from verifier import VerificationPolicy
    from verifier.verify import networked_resolver, networked_status_checker, verify_bytes
    from wallet.receive import parse_offer, receive_offer

    link = link_in(source, "openid-credential-offer:")
    if link is None:
        raise click.BadParameter(
            "not an openid-credential-offer:// link, nor a picture of one", param_hint="'OFFER'"
        )
    http = _http(allow_private_network)
    if pin is None and parse_offer(link, http).needs_pin:
        if not sys.stdin.isatty():
            raise click.UsageError("this offer needs its PIN: add --pin")
        pin = click.prompt("PIN", hide_input=True)
    resolver = networked_resolver(allow_private_network=allow_private_network)
    status = networked_status_checker(allow_private_network=allow_private_network)

    def check(data: bytes):  # type: ignore[no-untyped-def]
        policy = VerificationPolicy(now=dt.datetime.now(dt.UTC))
        return verify_bytes(data, policy, resolver=resolver, status_checker=status)

    with _open_wallet(home) as wallet:
        outcome = receive_offer(
            wallet, _passphrase(), link, pin, http, check, now=dt.datetime.now(dt.UTC)
        )
    stored = outcome.credential
    if as_json:
        sys.stdout.write(json.dumps({"id": stored.id, **outcome.result.to_json()}) + "\n")
    else:
        click.echo(f"received and verified: {stored.name or stored.id} from {stored.issuer}")
        click.echo(stored.id)


def answer_openid4vp(
    link: str,
    credential_ids: list[str],
    home: Path | None,
    *,
    allow_private_network: bool,
) -> None:
    """`present --request openid4vp://…`: check the verifier's signed request, then answer it."""
    from verifier.verify import networked_resolver
    from wallet.oid4vp_client import answer_request, read_request

    http = _http(allow_private_network)
    request = read_request(
        link, http, networked_resolver(allow_private_network=allow_private_network)
    )
    click.echo(
        f"answering the OpenID4VP request of {request.verifier_did} at {request.response_uri}",
        err=True,
    )
    with _open_wallet(home) as wallet:
        answer = answer_request(
            wallet, _passphrase(), request, credential_ids, http, now=dt.datetime.now(dt.UTC)
        )
    click.echo("the verifier received the presentation", err=True)
    if answer.get("redirect_uri"):
        click.echo(str(answer["redirect_uri"]))
