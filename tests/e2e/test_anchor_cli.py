"""`laurel anchor`, `issue --anchor`, `key compromised` and `verify`'s anchor check, end to end.

The wallets are real SQLite files and the chain is the real embedded py-evm chain
under the wallet home; the commands run through click as a user types them.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from anchor.embedded import EMBEDDED_CHAIN_ID
from cli import cli
from tests.wallet.conftest import PASSPHRASE

ENV = {"LAUREL_PASSPHRASE": PASSPHRASE}
SUBJECT = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env={**ENV, **(env or {})})


def run_issue(home: Path, achievement: Path, *extra: str):
    return run(
        "issue",
        "--home",
        str(home),
        "--achievement",
        str(achievement),
        "--recipient",
        SUBJECT,
        *extra,
    )


def issue(home: Path, achievement: Path, *extra: str) -> str:
    result = run_issue(home, achievement, "--suite", "eddsa-jcs-2022", *extra)
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def checks(output: str) -> dict[str, str]:
    (line,) = [json.loads(x) for x in output.splitlines() if x.startswith("{")]
    return {c["id"]: c["status"] for c in line["checks"]}


def test_anchor_batches_every_unanchored_badge_in_one_transaction(home, achievement, tmp_path):
    ids = [issue(home, achievement) for _ in range(3)]
    result = run("anchor", "--home", str(home), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["count"] == 3
    assert report["chainId"] == EMBEDDED_CHAIN_ID
    assert report["tx"].startswith("0x")
    assert report["root"].startswith("0x")
    assert report["gasUsed"] < 60_000  # one root, whatever the batch size

    again = run("anchor", "--home", str(home), "--json")
    assert json.loads(again.stdout) == {"count": 0}

    listing = json.loads(run("list", "--home", str(home), "--json").stdout)
    assert [entry["anchored"] for entry in listing] == [True, True, True]
    exported = tmp_path / "badge.json"
    assert run("export", ids[1], "--home", str(home), "--out", str(exported)).exit_code == 0
    proofs = json.loads(exported.read_text())["proof"]
    assert [p["cryptosuite"] for p in proofs] == ["eddsa-jcs-2022", "laurel-anchor-2026"]

    verified = run("verify", "--json", "--embedded-chain", str(home / "chain.db"), str(exported))
    assert verified.exit_code == 0, verified.output
    found = checks(verified.stdout)
    assert found["anchor.inclusion"] == "passed"
    assert found["anchor.binding"] == "passed"
    assert found["anchor.ledger"] == "passed"


def test_issue_anchor_then_verify_with_the_default_home(home, achievement, tmp_path):
    out = tmp_path / "badge.json"
    issue(home, achievement, "--anchor", "--out", str(out))
    assert "laurel-anchor-2026" in out.read_text()
    # With no --embedded-chain, the chain of the wallet at $LAUREL_HOME is consulted.
    result = run("verify", "--json", str(out), env={"LAUREL_HOME": str(home)})
    assert result.exit_code == 0, result.output
    assert checks(result.stdout)["anchor.ledger"] == "passed"
    # Elsewhere, with no chain to ask, the anchor is only a warning.
    result = run("verify", "--json", str(out), env={"LAUREL_HOME": str(tmp_path / "none")})
    assert result.exit_code == 0, result.output
    assert checks(result.stdout)["anchor.unavailable"] == "warning"
    required = run(
        "verify",
        "--json",
        "--require-anchor",
        str(out),
        env={"LAUREL_HOME": str(tmp_path / "none")},
    )
    assert required.exit_code == 1
    assert checks(required.stdout)["anchor.unavailable"] == "failed"


def test_key_compromised_invalidates_later_anchors_only(home, achievement, tmp_path):
    before = tmp_path / "before.json"
    issue(home, achievement, "--anchor", "--out", str(before))
    declared = run("key", "compromised", "--since", "2100-01-01", "--yes", "--home", str(home))
    assert declared.exit_code == 0, declared.output
    # Declared for a future time: today's anchor still counts.
    env = {"LAUREL_HOME": str(home)}
    assert checks(run("verify", "--json", str(before), env=env).stdout)["anchor.ledger"] == "passed"
    # Moved earlier (a declaration can only move earlier): now it no longer counts.
    assert (
        run("key", "compromised", "--since", "2020-01-01", "--yes", "--home", str(home)).exit_code
        == 0
    )
    result = run("verify", "--json", str(before), env=env)
    assert result.exit_code == 1
    assert checks(result.stdout)["anchor.after_compromise"] == "failed"


def test_revoke_an_anchored_badge_without_status_lists_records_it_on_chain(
    home, achievement, tmp_path
):
    out = tmp_path / "badge.json"
    credential_id = issue(home, achievement, "--anchor", "--out", str(out))
    revoked = run("revoke", credential_id, "--yes", "--home", str(home))
    assert revoked.exit_code == 0, revoked.output
    assert "recorded on chain" in revoked.output
    result = run("verify", "--json", str(out), env={"LAUREL_HOME": str(home)})
    assert result.exit_code == 1
    assert checks(result.stdout)["anchor.revoked"] == "failed"


def test_revoke_without_status_list_or_anchor_is_refused(home, achievement):
    credential_id = issue(home, achievement)
    result = run("revoke", credential_id, "--yes", "--home", str(home))
    assert result.exit_code == 1
    assert "without a status" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_anchor_account_is_the_keystores_or_the_environments(home):
    own = run("anchor", "--account", "--home", str(home))
    assert own.exit_code == 0, own.output
    assert own.stdout.strip().startswith("0x")
    assert run("anchor", "--account", "--home", str(home)).stdout == own.stdout
    given = run(
        "anchor", "--account", "--home", str(home), env={"LAUREL_ETH_PRIVATE_KEY": "0x" + "11" * 32}
    )
    assert given.stdout.strip() == "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"
    bad = run("anchor", "--account", "--home", str(home), env={"LAUREL_ETH_PRIVATE_KEY": "0x12"})
    assert bad.exit_code == 1
    assert "LAUREL_ETH_PRIVATE_KEY" in bad.output
    assert "0x12" not in bad.output


def test_anchor_on_an_unreachable_node_fails_cleanly_and_changes_nothing(home, achievement):
    issue(home, achievement)
    result = run("anchor", "--home", str(home), "--rpc", "http://127.0.0.1:9")
    assert result.exit_code == 1
    assert "did not answer" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    listing = json.loads(run("list", "--home", str(home), "--json").stdout)
    assert [entry["anchored"] for entry in listing] == [False]
    assert not (home / "chain.db").exists()


def test_chain_options_are_checked(home, achievement, tmp_path):
    assert run("verify", "--rpc", "ftp://node", str(achievement)).exit_code == 2
    result = run_issue(home, achievement, "--rpc", "http://127.0.0.1:8545")
    assert result.exit_code == 2
    assert "--rpc goes with --anchor" in result.output


def test_backup_keeps_the_embedded_chain_so_restored_anchors_still_verify(
    home, achievement, tmp_path
):
    out = tmp_path / "badge.json"
    issue(home, achievement, "--anchor", "--out", str(out))
    archive = tmp_path / "wallet.backup"
    assert run("backup", str(archive), "--home", str(home)).exit_code == 0
    restored = tmp_path / "restored"
    result = run("restore", str(archive), "--home", str(restored))
    assert result.exit_code == 0, result.output
    assert (restored / "chain.db").stat().st_mode & 0o077 == 0
    verified = run("verify", "--json", str(out), env={"LAUREL_HOME": str(restored)})
    assert verified.exit_code == 0, verified.output
    assert checks(verified.stdout)["anchor.ledger"] == "passed"
    # The restored wallet anchors on in the same registry: no new deployment.
    more = run_issue(restored, achievement, "--anchor")
    assert more.exit_code == 0, more.output
    assert "anchored 1 badge" in " ".join(more.output.split())
    assert "deployed" not in more.output


def test_an_anchor_on_another_chain_is_not_judged_by_the_local_wallets_chain(
    home, achievement, tmp_path
):
    import dataclasses

    from anchor.proof import AnchorProof, anchor_proofs, with_anchor_proof

    out = tmp_path / "badge.json"
    issue(home, achievement, "--anchor", "--out", str(out))
    document = json.loads(out.read_text())
    (proof,) = anchor_proofs(document)
    sepolia = dataclasses.replace(AnchorProof.from_proof_json(proof), chain_id=11155111)
    elsewhere = tmp_path / "sepolia.json"
    elsewhere.write_text(json.dumps(with_anchor_proof(document, sepolia.to_proof_json())))
    # The default (the wallet at $LAUREL_HOME) cannot speak for Sepolia: a warning.
    result = run("verify", "--json", str(elsewhere), env={"LAUREL_HOME": str(home)})
    assert result.exit_code == 0, result.output
    assert checks(result.stdout)["anchor.unavailable"] == "warning"
    # A chain the user names is judged: it is not the chain the proof names.
    named = run("verify", "--json", "--embedded-chain", str(home / "chain.db"), str(elsewhere))
    assert named.exit_code == 1
    assert checks(named.stdout)["anchor.wrong_chain"] == "failed"
