"""`laurel present`: a signed presentation as JSON, a QR code or a link."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli._common import (
    EXIT_USAGE,
    MAX_INPUT_BYTES,
    _fail,
    _funnel,
    _home_option,
    _open_wallet,
    _passphrase,
    _resolve_ids,
    cli,
)

if TYPE_CHECKING:
    from vc.request import PresentationRequest
    from vc.types import JSONObject


def _link_base(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Check --link BASE_URL early: http(s), a host, no fragment."""
    if value is None:
        return None
    from vc.envelope import link_to

    try:
        link_to(value, "")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _read_request(source: str, now: dt.datetime) -> PresentationRequest:
    """The presentation request in --request: its text, a file holding it, or a picture of its QR."""
    from vc.request import PresentationRequest, RequestError

    try:
        is_file = Path(source).is_file()
    except (OSError, ValueError):  # a payload is no file name (too long, NUL...)
        is_file = False
    try:
        if is_file:
            with open(source, "rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        elif ":" not in source and not source.lstrip().startswith("{"):
            raise click.BadParameter(
                f"there is no file {source!r}, and it is not a request (LR1:…)",
                param_hint="'--request'",
            )
        else:
            data = source.encode("utf-8", errors="replace")
    except OSError as exc:
        raise click.BadParameter(f"cannot read {source}: {exc.strerror or exc}") from None
    try:
        asked = PresentationRequest.from_bytes(data)
        asked.require_unexpired(now)
    except RequestError as exc:
        verbose = bool(click.get_current_context().find_root().params.get("verbose"))
        _fail(exc, verbose=verbose, code=EXIT_USAGE)
    return asked


@cli.command()
@click.argument("credential_ids", nargs=-1, required=True, metavar="ID...")
@click.option(
    "--challenge", help="The challenge the verifier gave you (signed into the presentation)."
)
@click.option("--domain", help="The verifier's domain (signed into the presentation).")
@click.option(
    "--request",
    "request_source",
    metavar="REQUEST",
    help="The verifier's presentation request (instead of --challenge/--domain): its text"
    " (LR1:…), a file holding it, or a picture of its QR code.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the presentation JSON here.",
)
@click.option(
    "--qr",
    "qr_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a QR code holding the whole presentation (FILE.png or FILE.svg).",
)
@click.option("--qr-terminal", is_flag=True, help="Draw the QR code in the terminal.")
@click.option(
    "--link",
    "link_base",
    metavar="BASE_URL",
    callback=_link_base,
    help="Print a link BASE_URL#PAYLOAD to the verifier's page (http or https);"
    " with --qr or --qr-terminal the QR code holds the link.",
)
@click.option(
    "--no-anchor",
    "without_anchors",
    is_flag=True,
    help="Leave the issuers' ledger anchor proofs out: a smaller QR code (a phone offline"
    " cannot check a chain anyway). The issuers' signatures are kept as issued.",
)
@click.option(
    "--allow-private-network",
    is_flag=True,
    help="With an openid4vp:// request: let its fetches reach private and loopback hosts.",
)
@_home_option
@_funnel
def present(
    credential_ids: tuple[str, ...],
    challenge: str | None,
    domain: str | None,
    request_source: str | None,
    out: Path | None,
    qr_file: Path | None,
    qr_terminal: bool,
    link_base: str | None,
    without_anchors: bool,
    allow_private_network: bool,
    home: Path | None,
) -> None:
    """Present badges: a presentation signed by your key over the verifier's challenge.

    The challenge and domain come from --challenge/--domain, or from the
    verifier's request (--request: the text under its QR code, a file, or a photo;
    an expired request is refused). An OpenID4VP request (--request 'openid4vp://…',
    or a photo of its QR) is checked and answered over the network instead.

    \b
    Examples:
      laurel present urn:uuid:… --request 'LR1:…' --qr badge.png
      laurel present urn:uuid:… --request request.jpg --link https://verify.example/request/… --qr-terminal
      laurel present urn:uuid:… --challenge 8c1f… --domain hiring.example --out vp.json

    The QR code carries the whole presentation (compressed), so it verifies offline:
    `laurel verify badge.png`. One badge fits QR version 20; an anchored one needs
    about 24 (--no-anchor leaves the anchor proof out). With --link it holds a link to the verifier's page,
    the presentation in the link's fragment (which browsers never send to a server).
    """
    from wallet.holder import present_credentials

    now = dt.datetime.now(dt.UTC)
    if request_source is not None:
        from cli.oid4vc import answer_openid4vp, link_in

        # An OpenID4VP request (its link, or a photo of its QR) is answered over the network.
        link = link_in(request_source, "openid4vp:")
        if link is not None:
            answer_openid4vp(
                link, list(credential_ids), home, allow_private_network=allow_private_network
            )
            return
        if challenge is not None or domain is not None:
            raise click.UsageError(
                "--request sets the challenge and domain: drop --challenge/--domain"
            )
        asked = _read_request(request_source, now)
        challenge, domain = asked.challenge, asked.domain
        click.echo(
            f"answering the request of {domain or 'a verifier with no domain'}"
            f" (challenge {challenge}, expires {asked.expires:%H:%M:%S} UTC)",
            err=True,
        )
    with _open_wallet(home) as wallet:
        presentation = present_credentials(
            wallet,
            _passphrase(),
            _resolve_ids(wallet, credential_ids),
            challenge=challenge,
            domain=domain,
            now=now,
            without_anchors=without_anchors,
        )
    text = json.dumps(presentation, ensure_ascii=False, indent=2)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    if link_base is not None or qr_file is not None or qr_terminal:
        from vc.envelope import encode_envelope, link_to

        payload = encode_envelope(presentation)
        shown = payload
        if link_base is not None:
            shown = link_to(link_base, payload)
            sys.stdout.write(shown + "\n")
        if qr_file is not None or qr_terminal:
            version = _write_qr(shown, qr_file, qr_terminal, link=link_base is not None)
            if version > _EASY_QR_VERSION and _carries_anchor(presentation):
                click.echo(
                    f"hint: a version {version} code is hard for some phone cameras; --no-anchor"
                    " leaves the ledger anchor proofs out (the signatures stay as issued)",
                    err=True,
                )
    if out is None and qr_file is None and not qr_terminal and link_base is None:
        sys.stdout.write(text + "\n")


_EASY_QR_VERSION = 20  # above this, phone cameras start to struggle


def _carries_anchor(presentation: JSONObject) -> bool:
    from anchor.proof import anchor_proofs

    credentials = presentation.get("verifiableCredential")
    return isinstance(credentials, list) and any(
        isinstance(credential, dict) and anchor_proofs(credential) for credential in credentials
    )


def _write_qr(text: str, qr_file: Path | None, qr_terminal: bool, *, link: bool) -> int:
    """Write the QR code to `qr_file` and/or the terminal; return its version."""
    from vc.qr import render_qr, render_svg

    image, version = render_qr(text)
    what = f"a link of {len(text)} characters" if link else f"{len(text)} characters"
    if qr_file is not None:
        if qr_file.suffix.lower() == ".svg":
            qr_file.write_bytes(render_svg(text))
        else:
            image.save(qr_file, format="PNG")
        click.echo(f"QR code version {version} (error correction M, {what}): {qr_file}", err=True)
    if qr_terminal:
        import qrcode

        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
        code.add_data(text)
        code.print_ascii(out=sys.stdout, invert=True)
        if qr_file is None:
            click.echo(f"QR code version {version} (error correction M, {what})", err=True)
    return version
