"""`laurel demo`: a narrated tour of what laurel does, in a temporary directory.

It grows with every capability; today: two real wallets (a district that issues,
a teacher who holds), an Open Badge with evidence and a rubric level, its
verification, a tampered copy and the named check that catches it, a roster, and
an encrypted backup restored.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vc.results import VerificationResult
from vc.types import JSONObject
from verifier import VerificationPolicy, verify_bytes
from wallet.backup import write_backup
from wallet.holder import import_credential
from wallet.home import DATABASE_FILE, KEYSTORE_FILE, Wallet
from wallet.issuer import (
    Evidence,
    IssueOptions,
    issue_badge,
    issue_roster,
    load_achievement,
    read_roster,
)
from wallet.restore import restore_wallet

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["run"]

DEMO_PASSPHRASE = "demo passphrase, not for real wallets"  # noqa: S105 (a demo in a temp dir)

ACHIEVEMENT = {
    "name": "Formative Assessment in Practice",
    "description": "Designs and uses formative assessment to adjust instruction.",
    "criteria": {
        "narrative": "Three annotated lesson plans with student work samples, "
        "scored on the district's formative assessment rubric."
    },
    "resultDescription": [
        {
            "id": "urn:uuid:2b1f0c52-2f43-4a49-9d4e-8f9f1d0c7a10",
            "type": ["ResultDescription"],
            "name": "District formative assessment rubric",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                {
                    "id": "urn:uuid:7c1d4e2a-0b3f-4d5e-8a6b-1c2d3e4f5a60",
                    "type": ["RubricCriterionLevel"],
                    "name": "developing",
                },
                {
                    "id": "urn:uuid:7c1d4e2a-0b3f-4d5e-8a6b-1c2d3e4f5a61",
                    "type": ["RubricCriterionLevel"],
                    "name": "proficient",
                },
                {
                    "id": "urn:uuid:7c1d4e2a-0b3f-4d5e-8a6b-1c2d3e4f5a62",
                    "type": ["RubricCriterionLevel"],
                    "name": "distinguished",
                },
            ],
        }
    ],
}


def _service_tour(console: Console, badge: bytes, teacher: Wallet) -> None:
    """`laurel serve`'s app on a loopback port: a verify call, a challenge, a presentation."""
    import http.client
    import threading

    from werkzeug.serving import WSGIRequestHandler, make_server

    from vc.proofs import add_proof
    from verifier.app import create_app

    class _Quiet(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass

    server = make_server("127.0.0.1", 0, create_app(), threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]

    def post(path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = connection.getresponse()
        answer = json.loads(response.read())
        connection.close()
        return response.status, answer

    try:
        console.print(
            f"(the same app `laurel serve` runs under gunicorn; here on 127.0.0.1:{port})"
        )
        status, answer = post("/credentials/verify", {"verifiableCredential": json.loads(badge)})
        console.print(f"POST /credentials/verify  ->  {status}  verified={answer['verified']}")
        console.print(f"  passed: {', '.join(answer['checks'])}")
        status, issued = post("/challenges", {})
        console.print(
            f"POST /challenges  ->  {status}  challenge {issued['challenge']} for {issued['domain']}"
        )
        presentation: JSONObject = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "holder": teacher.identity.did,
            "verifiableCredential": [json.loads(badge)],
        }
        signed = add_proof(
            presentation,
            teacher.signing_key(DEMO_PASSPHRASE),
            teacher.identity.verification_method,
            cryptosuite="eddsa-rdfc-2022",
            proof_purpose="authentication",
            challenge=issued["challenge"],
            domain=issued["domain"],
        )
        options = {"challenge": issued["challenge"], "domain": issued["domain"]}
        request = {"verifiablePresentation": signed, "options": options}
        status, answer = post("/presentations/verify", request)
        console.print(
            f"the teacher presents it, signed over that challenge  ->  {status}  verified={answer['verified']}"
        )
        status, answer = post("/presentations/verify", request)
        console.print(
            f"the same presentation replayed  ->  {status}  {', '.join(answer['errors'])}\n"
        )
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _step(console: Console, number: int, text: str) -> None:
    console.rule(f"[bold cyan]{number}. {text}", align="left")


def run(
    console: Console, *, show: Callable[[str, VerificationResult], None], keep: bool = False
) -> None:
    """Run the narrated demo, printing to `console` and rendering reports with `show`."""
    workdir = Path(tempfile.mkdtemp(prefix="laurel-demo-"))
    try:
        _tour(console, workdir, show)
    finally:
        if keep:
            console.print(f"[dim]Files kept in {workdir}[/]")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _tour(console: Console, workdir: Path, show: Callable[[str, VerificationResult], None]) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    policy = VerificationPolicy(now=now)

    _step(console, 1, "A district and a teacher each create a wallet")
    district = Wallet.create(
        workdir / "district", name="Riverside School District", passphrase=DEMO_PASSPHRASE
    )
    teacher = Wallet.create(workdir / "teacher", name="Ana Rivera", passphrase=DEMO_PASSPHRASE)
    console.print("Each wallet holds an Ed25519 key, encrypted with Argon2id + XSalsa20-Poly1305,")
    console.print("and a SQLite database for badges. Their identifiers are did:key DIDs:")
    console.print(f"  district  [bold]{district.identity.did}[/]")
    console.print(f"  teacher   [bold]{teacher.identity.did}[/]\n")

    _step(console, 2, "The district issues her an Open Badge")
    achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
    options = IssueOptions(
        now=now,
        evidence=(
            Evidence("https://portfolio.riverside.example/arivera/unit-3", "Unit 3 lesson plans"),
        ),
        result="proficient",
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

    _step(console, 3, "She keeps it in her wallet (it is verified on the way in)")
    outcome = import_credential(
        teacher, stored.text.encode(), lambda data: verify_bytes(data, policy)
    )
    console.print(
        f"$ laurel import badge.json\n  {outcome.credential.id}  verified: {outcome.result.verified}\n"
    )

    _step(console, 4, "An employer verifies the badge she sends")
    console.print(f"[dim]$ laurel verify {badge_path.name}[/]")
    show(badge_path.name, verify_bytes(badge_path.read_bytes(), policy))

    _step(console, 5, "An employer's system asks the verifier service")
    _service_tour(console, stored.text.encode(), teacher)

    _step(console, 6, "Someone tampers with it")
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
    result = verify_bytes(tampered_path.read_bytes(), policy)
    show(tampered_path.name, result)
    names = ", ".join(check.id for check in result.failures())
    console.print(f"The forgery is caught by name: [bold red]{names}[/].\n")

    _step(console, 7, "The district issues a whole cohort from a roster")
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
        IssueOptions(now=now, suite="eddsa-jcs-2022"),
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
        f"  run again: {again.issued} issued, {again.already_issued} already there (resumable after any crash)\n"
    )

    _step(console, 8, "The district backs up its wallet, and restores it elsewhere")
    archive = workdir / "district.backup"
    write_backup(
        archive,
        DEMO_PASSPHRASE,
        {
            KEYSTORE_FILE: (district.home / KEYSTORE_FILE).read_bytes(),
            DATABASE_FILE: district.store.snapshot(),
        },
    )
    count = restore_wallet(archive, workdir / "district-restored", DEMO_PASSPHRASE)
    console.print(
        "$ laurel backup district.backup && laurel restore district.backup --home restored/"
    )
    console.print(f"  {count} badges and the keys, in one encrypted archive\n")
    district.close()
    teacher.close()
