"""`laurel verify`: checking credentials and presentations, from files, stdin or links."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    MAX_INPUT_BYTES,
    _console,
    _funnel,
    cli,
    end_now,
    render_result,
)
from cli._network import _allow_private_network_option, _chain_directory, _chain_options

if TYPE_CHECKING:
    from vc.results import VerificationResult

__all__ = ["verify"]

#: One verified input's answer: its name, exit code, --json line, and for the screen
#: the result and the document.
_Answer = tuple[str, int, str | None, "VerificationResult | None", bytes]

#: Names this module held before `laurel serve` and `laurel demo` moved to their own
#: modules; imported on first use, so `laurel verify` does not load them.
_MOVED = {"SERVE_SECRETS": "cli.serve", "serve": "cli.serve", "demo": "cli.demo"}


def __getattr__(name: str) -> Any:
    """`cli.verify.serve` and `.demo` still work (PEP 562), from their modules."""
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _verify_input(
    data: bytes | str,
    policy: Any,
    resolver: Any,
    status_checker: Any,
    anchors: Any = None,
    *,
    follow_links: bool = False,
) -> list[tuple[str, VerificationResult, bytes]]:
    """Verify every document an input holds: JSON, a JWT, a QR payload, or a photo of QR codes.

    Each comes with the document's bytes (empty when unreadable), for the report. With
    `follow_links`, a link that is not a laurel QR link is fetched through the guard as
    an Open Badges 2.0 hosted assertion.
    """
    from vc.errors import MalformedDocumentError
    from vc.results import CheckResult, VerificationResult
    from verifier import verify_bytes
    from verifier.sources import documents_in

    if isinstance(data, str):
        failure = CheckResult.failed("format.unreadable", data)
        return [("", VerificationResult((failure,), unreadable=True), b"")]
    try:
        documents = documents_in(data, follow_links=follow_links)
    except MalformedDocumentError as exc:
        failure = CheckResult.failed(f"format.{exc.code}", exc.message, hint=exc.hint)
        return [("", VerificationResult((failure,), unreadable=True), b"")]
    return [
        (
            label,
            verify_bytes(
                document,
                policy,
                resolver=resolver,
                status_checker=status_checker,
                anchors=anchors,
                follow_links=follow_links,
            ),
            document,
        )
        for label, document in documents
    ]


def _parsed(document: bytes) -> Any:
    """The JSON object a verified document holds, for the report (None if unreadable).

    A VC-JWT or an Open Badges 2.0 JWS gives the credential it carries.
    """
    from vc.errors import MalformedDocumentError
    from vc.formats.read import read_badge

    try:
        return read_badge(document).document if document else None
    except MalformedDocumentError:
        return None


def _read_inputs(inputs: tuple[str, ...]) -> Iterator[tuple[str, bytes | str]]:
    """Yield (name, bytes) per input, or (name, error message) when it cannot be read.

    A link (``laurel present --link``) is its own input: the payload is in its fragment,
    and it is never fetched.
    """
    for name in inputs:
        if name[:8].lower().startswith(("https://", "http://")) and not os.path.exists(name):
            yield (name.split("#", 1)[0] + "#…" if "#" in name else name), name.encode()
            continue
        try:
            if name == "-":
                data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
            else:
                with open(name, "rb") as handle:
                    data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            yield name, f"cannot read {name}: {exc.strerror or exc}"
            continue
        yield name, data


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, one per line.")
@click.option("--challenge", help="The challenge a presentation must be signed over.")
@click.option("--domain", help="The domain a presentation must be signed for.")
@_allow_private_network_option
@click.option(
    "--clock-skew",
    type=click.IntRange(0, 3600),
    default=300,
    show_default=True,
    metavar="SECONDS",
    help="How far in the future a validFrom may be (clocks drift).",
)
@click.option(
    "--trust",
    "trust_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="LAUREL_TRUST_REGISTRY",
    help="Your registry of recognized issuers: CSV did,name[,note] or JSON (also LAUREL_TRUST_REGISTRY).",
)
@click.option(
    "--status-unreachable",
    type=click.Choice(["fail", "warn"]),
    default="fail",
    show_default=True,
    help="When a status list cannot be retrieved: fail (not verified) or only warn.",
)
@_chain_options
@click.option(
    "--require-anchor",
    is_flag=True,
    help="Fail (rather than warn) when an anchor cannot be confirmed on its chain.",
)
@click.option(
    "--recipient",
    metavar="EMAIL",
    help="Who the badge should be awarded to (an email, URL or DID you were given): "
    "checked against its hashed recipient identity.",
)
@click.option(
    "--follow-links",
    is_flag=True,
    help="Fetch an Open Badges 2.0 hosted assertion's URL given as INPUT (through the fetch guard).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    default=None,
    metavar="N",
    help="Verify on N processes (default: every core); output stays in input order.",
)
@_funnel
def verify(
    inputs: tuple[str, ...],
    as_json: bool,
    challenge: str | None,
    domain: str | None,
    allow_private_network: bool,
    clock_skew: int,
    trust_file: Path | None,
    status_unreachable: Literal["fail", "warn"],
    rpc: tuple[str, ...],
    embedded_chain: Path | None,
    confirmations: int | None,
    require_anchor: bool,
    recipient: str | None,
    follow_links: bool,
    jobs: int | None,
) -> None:
    """Verify credentials or presentations (JSON files, or - for stdin).

    Open Badges 3.0 as Data Integrity JSON (VC 2.0 or 1.1) or as a VC-JWT, and Open
    Badges 2.0 assertions (hosted JSON, or signed JWS). An input may also be a QR
    payload, a picture of QR codes, a baked badge image (PNG or SVG, Open Badges 2.0
    or 3.0), or a link made by `laurel present --link` (read from its fragment,
    never fetched). Every check runs and is reported by name: format, proof, issuer,
    validity, status, anchor, schema, endorsement, presentation, trust.

    \b
    Exit status: 0 all verified, 1 some not verified, 2 some input unreadable.
    \b
    Examples:
      laurel verify badge.json
      laurel verify --json a.json b.json | jq .verified
      laurel verify --json --jobs 4 applicants/*.json > results.jsonl
      laurel verify --challenge 8c1f… --domain hiring.example vp.json
      laurel verify --rpc https://sepolia.example/… badge.json   # its anchor on Sepolia
      laurel verify --recipient ana@school.example credly-badge.png
      laurel verify --follow-links https://badges.example/assertions/1
    An anchor is looked up on the --rpc nodes and on the embedded chain of the
    wallet at $LAUREL_HOME (or --embedded-chain FILE).
    """
    from cli._batch import default_jobs, runs_in_order
    from cli._tally import tally_for

    registry = None
    if trust_file is not None:  # read once, here: its errors are said once
        from verifier.trust import TrustRegistry

        registry = TrustRegistry.from_file(trust_file)
    if recipient is not None and not recipient.strip():
        raise click.BadParameter("give the recipient's email, URL or DID", param_hint="--recipient")
    anchors = _chain_directory(rpc, embedded_chain)  # opens nothing until an anchor needs it
    now = dt.datetime.now(dt.UTC)  # one moment for every process of --jobs

    def make_one() -> Callable[[str], list[_Answer]]:
        # Run in each process of --jobs after the fork: the verifier imported and set up
        # there, on its own core, at the same time as the others (cli._batch).
        from verifier import VerificationPolicy
        from verifier.verify import networked_resolver, networked_status_checker

        policy = VerificationPolicy(
            now=now,
            clock_skew=dt.timedelta(seconds=clock_skew),
            challenge=challenge,
            domain=domain,
            trusted_issuers=registry,
            status_unreachable=status_unreachable,
            anchor_confirmations=confirmations,
            require_anchor=require_anchor,
            recipient=recipient.strip() if recipient is not None else None,
        )
        resolver = networked_resolver(allow_private_network=allow_private_network)
        status_checker = networked_status_checker(allow_private_network=allow_private_network)

        def one(name: str) -> list[_Answer]:
            # Each answer: what it is called, its exit code, and for --json its line, made
            # here, in the worker (the parent of --jobs only writes lines, in order).
            read_name, data = next(_read_inputs((name,)))
            answers: list[_Answer] = []
            for label, result, document in _verify_input(
                data, policy, resolver, status_checker, anchors, follow_links=follow_links
            ):
                shown = f"{read_name} ({label})" if label else read_name
                code = (
                    EXIT_USAGE if result.unreadable else EXIT_OK if result.verified else EXIT_FAILED
                )
                if as_json:
                    from verifier.json_text import json_line

                    answers.append((shown, code, json_line(shown, result), None, b""))
                else:
                    answers.append((shown, code, None, result, document))
            return answers

        return one

    worst = EXIT_OK
    console = None
    # stdin can be read once only, by this process.
    workers = 1 if "-" in inputs else min(jobs or default_jobs(), len(inputs))
    tally = tally_for(len(inputs), sys.stdout, sys.stderr)
    try:
        for run in runs_in_order(make_one, inputs, jobs=workers):
            lines: list[str] = []
            for answers in run:
                for count, (shown, code, text, result, document) in enumerate(answers, 1):
                    tally.add(code, input_done=count == len(answers))
                    if code == EXIT_USAGE:
                        worst = EXIT_USAGE
                    elif code == EXIT_FAILED and worst == EXIT_OK:
                        worst = EXIT_FAILED
                    if text is not None:
                        lines.append(text + "\n")
                    elif result is not None:
                        console = console or _console()
                        render_result(
                            console, shown, result, document=_parsed(document), registry=registry
                        )
            if lines:  # written as they come, a run (an input, or a chunk of --jobs) at a time
                sys.stdout.write("".join(lines))
                sys.stdout.flush()
    finally:
        tally.clear()  # Ctrl-C, a lost worker: what is said next starts a clean line
    tally.finish()
    end_now(worst)  # everything it wrote is written: no teardown
