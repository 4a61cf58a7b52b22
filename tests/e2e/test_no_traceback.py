"""Every `laurel` command, given bad input, ends with a message and an exit code, never a traceback.

The walk covers every command the CLI registers: a command added without bad-input
cases here makes `test_every_command_is_walked` fail.
"""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from cli import cli
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from wallet.home import Wallet
from wallet.keystore import KdfParams

ENV = {"LAUREL_PASSPHRASE": PASSPHRASE}
WRONG = {"LAUREL_PASSPHRASE": "not the passphrase at all"}
GOOD_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> set[str]:
    # Through list_commands/get_command: `laurel` loads its commands lazily, so
    # group.commands holds only those some earlier test happened to load.
    names: set[str] = set()
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            names |= _commands(command, (*prefix, name))
        else:
            names.add(" ".join((*prefix, name)))
    return names


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("bad-input")
    home = root / "district"
    Wallet.create(
        home,
        name="Riverside School District",
        passphrase=PASSPHRASE,
        base_url="https://badges.riverside.example",
        kdf=KdfParams.for_tests(),
    ).close()
    files = {
        "garbage": b"\x00\xff\xfe not json at all",
        "empty": b"",
        "array": b"[1, 2, 3]",
        "deep": b"[" * 10_000 + b"]" * 10_000,
        "latin1": "name,email\nJos\xe9,jose@school.example\n".encode("latin-1"),
        "achievement": json.dumps(ACHIEVEMENT).encode(),
        "misspelled": json.dumps({**ACHIEVEMENT, "tags": ACHIEVEMENT["tag"]}).encode(),
        "roster": b"name,email\nAna,not-an-email\nBo,\n",
        "half_roster": b'name,email\n"Ana,ana@school.example\n',
    }
    paths = {"home": str(home), "missing": str(root / "missing"), "dir": str(root)}
    for name, data in files.items():
        path = root / name
        path.write_bytes(data)
        paths[name] = str(path)
    return paths


# Each entry: the command, then lists of arguments (the wallet's --home is added
# where the command takes one; `{name}` is replaced by a path from `place`).
BAD_INPUT: dict[str, list[list[str]]] = {
    "anchor": [["--rpc", "http://127.0.0.1:1"], ["--confirmations", "-3"], ["--chain-id", "x"]],
    "backup": [["{missing}/sub/x.backup"], ["{dir}"]],
    "bake": [["urn:uuid:nope", "--image", "{garbage}", "--out", "{dir}/o.png"]],
    "delete": [["urn:uuid:nope", "--yes"], ["", "--yes"]],
    "demo": [["--keep", "extra"]],
    "did": [["--document", "--home", "{missing}"]],
    "export": [["urn:uuid:nope"], ["\x00"]],
    "import": [["{garbage}"], ["{empty}"], ["{array}"], ["{deep}"], ["{missing}"]],
    "init": [
        ["--name", ""],
        ["--name", "X", "--base-url", "notaurl"],
        ["--name", "X", "--base-url", "http://badges.example"],
        ["--name", "X", "--did-web", "://"],
    ],
    "issue": [
        ["--achievement", "{garbage}", "--recipient", GOOD_DID],
        ["--achievement", "{array}", "--recipient", GOOD_DID],
        ["--achievement", "{misspelled}", "--recipient", GOOD_DID],
        ["--achievement", "{achievement}", "--recipient", "did:"],
        ["--achievement", "{achievement}", "--recipient", "did:key:zBAD"],
        ["--achievement", "{achievement}", "--recipient", "not-an-email"],
        ["--achievement", "{achievement}", "--recipient", GOOD_DID, "--result", "expert"],
        ["--achievement", "{achievement}", "--recipient", GOOD_DID, "--valid-until", "2020-01-01"],
        ["--achievement", "{achievement}", "--recipient", GOOD_DID, "--valid-until", "soon"],
        ["--achievement", "{achievement}", "--recipient", GOOD_DID, "--evidence", "not a url"],
        ["--achievement", "{achievement}", "--roster", "{roster}", "--out-dir", "{dir}/o"],
        ["--achievement", "{achievement}", "--roster", "{latin1}", "--out-dir", "{dir}/o"],
        ["--achievement", "{achievement}", "--roster", "{half_roster}", "--dry-run"],
        ["--achievement", "{achievement}", "--roster", "{garbage}", "--dry-run"],
        ["--achievement", "{achievement}", "--recipient", GOOD_DID, "--home", "{missing}"],
    ],
    "key compromised": [
        ["--since", "yesterday", "--yes"],
        ["--yes", "--rpc", "http://127.0.0.1:1"],
    ],
    "list": [["--home", "{garbage}"]],
    "offer": [
        ["urn:uuid:nope"],
        ["--roster", "{roster}", "--achievement", "{achievement}"],
        ["--roster", "{garbage}", "--achievement", "{garbage}"],
        ["--roster", "{roster}"],
    ],
    "passwd": [[]],
    "portfolio": [
        ["--public", "urn:uuid:nope"],
        ["--private", "zz"],
        ["--out", "{garbage}"],
        ["--out", "{dir}/site", "--verifier", "javascript:alert(1)"],
        ["--out", "{dir}/site", "--site-url", "https://x.example/#frag"],
        ["--home", "{missing}"],
    ],
    "receive": [
        ["not-an-offer", "--pin", "1234"],
        ["openid-credential-offer://?credential_offer=%7Bnot-json", "--pin", "1234"],
        ["{garbage}", "--pin", "1234"],
        ["openid-credential-offer://?credential_offer_uri=http://127.0.0.1:1/x", "--pin", "1"],
    ],
    "present": [
        ["urn:uuid:nope"],
        ["urn:uuid:nope", "--request", "{garbage}"],
        ["urn:uuid:nope", "--request", "openid4vp://?nothing"],
    ],
    "restore": [["{garbage}"], ["{empty}"], ["{missing}"]],
    "revoke": [["urn:uuid:nope", "--yes", "--no-chain"]],
    "serve": [
        ["--wallet", "{home}", "--issuer-token", ""],
        ["--wallet", "{home}", "--issuer-token", "   "],
        ["--wallet", "{home}", "--issuer-token", "short"],
        ["--issuer-token", "a-long-enough-token-123"],
        ["--wallet", "{missing}"],
        ["--console"],
        ["--wallet", "{missing}", "--console"],
        ["--trust", "{garbage}"],
        ["--port", "0"],
    ],
    "show": [["urn:uuid:nope"]],
    "status publish": [["--out-dir", "{garbage}"]],
    "suspend": [["urn:uuid:nope", "--yes"]],
    "unsuspend": [["urn:uuid:nope", "--yes"]],
    "verify": [
        ["{garbage}"],
        ["{empty}"],
        ["{array}"],
        ["{deep}"],
        ["{missing}"],
        ["{achievement}", "--clock-skew", "-5"],
        ["{achievement}", "--trust", "{garbage}"],
    ],
}
# Commands that open the wallet get the test wallet unless the case names another home.
_WALLET_COMMANDS = {
    "anchor", "backup", "bake", "delete", "did", "export", "import", "issue", "key compromised",
    "list", "offer", "passwd", "portfolio", "present", "receive", "restore", "revoke", "show",
    "status publish", "suspend", "unsuspend",
}  # fmt: skip


def test_every_command_is_walked() -> None:
    assert _commands(cli) == set(BAD_INPUT)


def _cases() -> list[tuple[str, list[str], dict[str, str]]]:
    cases = []
    for command, argument_lists in BAD_INPUT.items():
        for arguments in argument_lists:
            cases.append((command, arguments, ENV))
    # A wrong passphrase, wherever one is asked for.
    for command in ("passwd", "issue"):
        arguments = (
            BAD_INPUT[command][0]
            if command == "passwd"
            else ["--achievement", "{achievement}", "--recipient", GOOD_DID]
        )
        cases.append((command, arguments, WRONG))
    return cases


@pytest.mark.parametrize(
    ("command", "arguments", "env"),
    _cases(),
    ids=[f"{c}:{' '.join(a)[:60]}" for c, a, _ in _cases()],
)
def test_bad_input_gets_a_message_never_a_traceback(
    place: dict[str, str], command: str, arguments: list[str], env: dict[str, str]
) -> None:
    args = [a.format(**place) for a in arguments]
    if command in _WALLET_COMMANDS and "--home" not in args:
        args += ["--home", place["home"]]
    result = CliRunner().invoke(cli, [*command.split(), *args], env=env)
    assert "Traceback" not in result.output
    # An exception click did not turn into an exit is a crash (CliRunner keeps it).
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output[-400:])
    assert result.output.strip(), "a refusal says why"
