"""The demo's thirteen acts, in order: from two new wallets to the teacher's portfolio."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from laurel_demo._achievements import ACHIEVEMENT, DEMO_PASSPHRASE
from laurel_demo._hidden_status import hidden_status_tour
from laurel_demo._openid4vc import openid4vc_tour
from laurel_demo._portfolio import portfolio_tour
from laurel_demo._qr import employer_verifies_presentation, qr_tour
from laurel_demo._service import Service, service_tour
from vc.issuance import IssuanceRefusedError
from vc.results import VerificationResult
from verifier import VerificationPolicy, verify_bytes
from verifier.issued import verify_issued
from verifier.verify import networked_resolver, networked_status_checker
from wallet.backup import write_backup
from wallet.holder import import_credential
from wallet.home import CHAIN_FILE, DATABASE_FILE, KEYSTORE_FILE, Wallet
from wallet.issuer import (
    Evidence,
    IssueOptions,
    issue_badge,
    issue_roster,
    load_achievement,
    read_roster,
)
from wallet.ledger import anchor_pending, revoke_on_chain, snapshot_chain
from wallet.restore import restore_wallet
from wallet.status import set_status

if TYPE_CHECKING:
    from rich.console import Console

    from anchor.check import ChainDirectory

__all__ = ["journey", "step"]


def step(console: Console, number: int, text: str) -> None:
    """Print the heading of act `number`."""
    console.rule(f"[bold cyan]{number}. {text}", align="left")


def journey(
    console: Console,
    workdir: Path,
    show: Callable[..., None],
    service: Service,
    now: dt.datetime,
    policy: VerificationPolicy,
    anchors: ChainDirectory,
) -> None:
    """Play the thirteen acts against `service`, verifying as employers do with `policy`."""
    from anchor.check import ChainDirectory

    def employer_verifies(data: bytes) -> VerificationResult:
        # A fresh employer process: its own DID, status-list and anchor caches. The
        # lists live on this machine's loopback, which only an explicit flag allows.
        return verify_bytes(
            data,
            policy,
            resolver=networked_resolver(allow_private_network=True),
            status_checker=networked_status_checker(allow_private_network=True),
            anchors=ChainDirectory(embedded_path=anchors.embedded_path),
        )

    step(console, 1, "A district and a teacher each create a wallet")
    district = Wallet.create(
        workdir / "district",
        name="Riverside School District",
        passphrase=DEMO_PASSPHRASE,
        base_url=f"{service.url}/district",
    )
    service.host(district.home)
    teacher = Wallet.create(workdir / "teacher", name="Ana Rivera", passphrase=DEMO_PASSPHRASE)
    console.print("Each wallet holds an Ed25519 key, encrypted with Argon2id + XSalsa20-Poly1305,")
    console.print("and a SQLite database for badges. Their identifiers are did:key DIDs:")
    console.print(f"  district  [bold]{district.identity.did}[/]")
    console.print(f"  teacher   [bold]{teacher.identity.did}[/]")
    console.print(f"The district publishes its status lists at {service.url}/district/status/…")
    console.print("(`laurel serve --wallet district/`, running here on loopback)\n")

    from rich.markup import escape

    step(console, 2, "The district issues her an Open Badge")
    # First try: the achievement file has two typos. Nothing laurel's own verifier
    # would refuse is ever signed; every problem is named, where it is written.
    typo = {**ACHIEVEMENT, "tags": ["assessment"], "achievmentType": "Competency"}
    try:
        issue_badge(
            district,
            DEMO_PASSPHRASE,
            load_achievement(json.dumps(typo).encode()),
            teacher.identity.did,
            IssueOptions(now=now, check=verify_issued),
        )
    except IssuanceRefusedError as refused:
        console.print(
            f"$ laurel issue --achievement formative-draft.json --recipient {teacher.identity.did[:20]}…"
        )
        console.print(
            f"  [bold red]refused[/] (exit 2): {len(refused.problems)} problems, nothing signed"
        )
        for line in refused.lines():
            shown = line.replace("credentialSubject.achievement.", "formative-draft.json: ")
            console.print(f"    {escape(shown)}", soft_wrap=True)
        console.print("With the typos fixed, the badge is issued:")
    achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
    options = IssueOptions(
        now=now,
        evidence=(
            Evidence("https://portfolio.riverside.example/arivera/unit-3", "Unit 3 lesson plans"),
        ),
        result="proficient",
        check=verify_issued,
    )
    stored = issue_badge(district, DEMO_PASSPHRASE, achievement, teacher.identity.did, options)
    badge_path = workdir / "badge.json"
    badge_path.write_text(stored.text, encoding="utf-8")
    console.print(
        f"$ laurel issue --achievement formative.json --recipient {teacher.identity.did[:20]}… \\"
    )
    console.print(
        "      --evidence https://portfolio.riverside.example/arivera/unit-3 --result proficient"
    )
    console.print(f"  {stored.id}  (eddsa-rdfc-2022: RDF canonicalization + Ed25519)\n")

    step(console, 3, "The district anchors it on Ethereum")
    (anchored,) = anchor_pending(district, DEMO_PASSPHRASE)
    stored = district.store.get_credential(stored.id)
    badge_path.write_text(stored.text, encoding="utf-8")
    console.print("$ laurel anchor")
    console.print(f"  batch of {anchored.count}, Merkle root {anchored.root[:18]}…")
    console.print(f"  one transaction {anchored.tx[:18]}…, {anchored.gas_used:,} gas")
    console.print(f"  block {anchored.block} of the embedded chain (py-evm in district/chain.db)")
    console.print("The badge now carries an anchor proof: its leaf and audit path, the chain,")
    console.print("the registry, the transaction, and the district key's binding of the")
    console.print("anchoring account. It proves when the badge existed; with --rpc URL the")
    console.print("same works on any Ethereum node (a local anvil, Sepolia).\n")

    step(console, 4, "She keeps it in her wallet (it is verified on the way in)")
    outcome = import_credential(teacher, stored.text.encode(), employer_verifies)
    console.print(
        f"$ laurel import badge.json\n  {outcome.credential.id}  verified: {outcome.result.verified}\n"
    )

    step(console, 5, "An employer verifies the badge she sends")
    console.print(f"[dim]$ laurel verify {badge_path.name}[/]")
    show(badge_path.name, employer_verifies(badge_path.read_bytes()), document=stored.document)

    step(console, 6, "At the interview she shows it as a QR code")
    qr_tour(
        console, workdir, teacher, stored.id, now, employer_verifies_presentation(policy, anchors)
    )

    step(console, 7, "An employer's system asks the verifier service")
    service_tour(console, service, stored.text.encode(), teacher)

    step(console, 8, "Someone tampers with it")
    tampered: dict[str, Any] = copy.deepcopy(stored.document)
    tampered["credentialSubject"]["result"][0]["achievedLevel"] = ACHIEVEMENT["resultDescription"][
        0
    ]["rubricCriterionLevel"][2]["id"]  # type: ignore[index]
    tampered_path = workdir / "badge-tampered.json"
    tampered_path.write_text(json.dumps(tampered, indent=2), encoding="utf-8")
    console.print(
        "The rubric level is edited from proficient to distinguished; the proof is left as it was."
    )
    console.print(f"[dim]$ laurel verify {tampered_path.name}[/]")
    result = employer_verifies(tampered_path.read_bytes())
    show(tampered_path.name, result, document=tampered)
    names = ", ".join(check.id for check in result.failures())
    console.print(f"The forgery is caught by name: [bold red]{names}[/].\n")

    step(console, 9, "The district revokes the badge")
    set_status(
        district, DEMO_PASSPHRASE, stored.id, "revocation", True, reason="issued in error", now=now
    )
    on_chain = revoke_on_chain(district, DEMO_PASSPHRASE, stored.id)
    console.print(f"$ laurel revoke {stored.id} --reason 'issued in error'")
    console.print("The bit for this badge is set in the revocation list, re-signed at once,")
    if on_chain is not None:
        console.print(
            f"and the revocation is recorded in the anchor registry (block {on_chain.block}):"
        )
        console.print("it stays checkable even if the district's web host goes away.")
    console.print(f"[dim]$ laurel verify {badge_path.name}[/]")
    revoked = employer_verifies(badge_path.read_bytes())
    show(badge_path.name, revoked, document=stored.document)
    names = ", ".join(check.id for check in revoked.failures())
    console.print(f"The same, untouched badge is now refused by name: [bold red]{names}[/].\n")
    hidden_status_tour(console, workdir, badge_path, employer_verifies)

    step(console, 10, "The district issues a whole cohort from a roster, and anchors it")
    roster = "name,email\n" + "\n".join(
        f"Teacher {i},teacher{i}@riverside.example" for i in range(1, 201)
    )
    rows = read_roster(roster.encode())
    report = issue_roster(
        district,
        DEMO_PASSPHRASE,
        achievement,
        rows,
        workdir / "cohort",
        IssueOptions(now=now, suite="eddsa-jcs-2022", check=verify_issued),
    )
    again = issue_roster(
        district,
        DEMO_PASSPHRASE,
        achievement,
        rows,
        workdir / "cohort",
        IssueOptions(now=now, suite="eddsa-jcs-2022"),
    )
    console.print(
        "$ laurel issue --achievement formative.json --roster cohort.csv --out-dir cohort/"
    )
    console.print(
        f"  {report.issued} issued (emails stored only as salted SHA-256 identity hashes)"
    )
    console.print(
        f"  run again: {again.issued} issued, {again.already_issued} already there (resumable after any crash)"
    )
    (batch,) = anchor_pending(district, DEMO_PASSPHRASE)
    console.print("$ laurel anchor")
    console.print(
        f"  {batch.count} badges in one transaction: {batch.gas_used:,} gas, "
        f"{batch.gas_used / batch.count:,.0f} gas per badge\n"
    )

    step(console, 11, "The district backs up its wallet, and restores it elsewhere")
    archive = workdir / "district.backup"
    chain = snapshot_chain(district.home)
    write_backup(
        archive,
        DEMO_PASSPHRASE,
        {
            KEYSTORE_FILE: (district.home / KEYSTORE_FILE).read_bytes(),
            DATABASE_FILE: district.store.snapshot(),
            **({CHAIN_FILE: chain} if chain is not None else {}),
        },
    )
    count = restore_wallet(archive, workdir / "district-restored", DEMO_PASSPHRASE)
    console.print(
        "$ laurel backup district.backup && laurel restore district.backup --home restored/"
    )
    console.print(f"  {count} badges, the keys and the embedded chain, in one encrypted archive\n")

    step(console, 12, "A badge offered to a phone wallet, and asked for by an employer (OpenID4VC)")
    openid4vc_tour(console, service, district, teacher, achievement, employer_verifies)

    step(console, 13, "The teacher publishes her portfolio")
    portfolio_tour(console, district, teacher, now, employer_verifies)
    district.close()
    teacher.close()
