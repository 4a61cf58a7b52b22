"""`laurel demo`: a narrated tour of what laurel does, in a temporary directory.

It grows with every capability; today: two real wallets (a district that issues,
a teacher who holds), the district's status lists hosted by the verifier service on
loopback, an achievement file with typos refused by name (nothing signed), an Open
Badge with evidence and a rubric level, anchored on Ethereum (the
embedded chain), its verification (also through the VC-API, with a challenge and a
refused replay, and from a QR code), a tampered copy and the named check that catches
it, the badge revoked (status list and chain) and refused, a roster anchored in one
transaction, an encrypted backup restored, and a badge offered to a wallet over
OpenID4VCI and asked for over OpenID4VP.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vc.issuance import IssuanceRefusedError
from vc.results import VerificationResult
from vc.types import JSONObject
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
from wallet.ledger import anchor_pending, embedded_chain_path, revoke_on_chain, snapshot_chain
from wallet.restore import restore_wallet
from wallet.status import set_status

if TYPE_CHECKING:
    from rich.console import Console

    from anchor.check import ChainDirectory

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


RESTORATIVE = {
    "name": "Restorative Practices",
    "description": "Leads restorative circles with students and families.",
    "criteria": {
        "narrative": "Facilitated six restorative circles, with reflections reviewed by a coach."
    },
    "alignment": [
        {
            "type": ["Alignment"],
            "targetName": "CASEL: Relationship skills",
            "targetUrl": "https://casel.org/fundamentals-of-sel/",
            "targetFramework": "CASEL",
            "targetCode": "RS",
        }
    ],
}


def employer_verifies_presentation(
    policy: VerificationPolicy, anchors: ChainDirectory | None = None
) -> Callable[[bytes, str, str], VerificationResult]:
    """An employer's `laurel verify --challenge C --domain D` on one document."""

    def run(data: bytes, challenge: str, domain: str) -> VerificationResult:
        asked = VerificationPolicy(now=policy.now, challenge=challenge, domain=domain)
        return verify_bytes(
            data,
            asked,
            resolver=networked_resolver(allow_private_network=True),
            status_checker=networked_status_checker(allow_private_network=True),
            anchors=anchors,
        )

    return run


def _qr_tour(
    console: Console,
    workdir: Path,
    teacher: Wallet,
    credential_id: str,
    now: dt.datetime,
    verify_presentation: Callable[[bytes, str, str], VerificationResult],
) -> None:
    """Present by QR: answer the employer's request, render, read back from the image."""
    import secrets

    from vc.envelope import encode_envelope
    from vc.qr import render_qr
    from vc.request import PresentationRequest
    from verifier.sources import documents_in
    from wallet.holder import present_credentials

    # The principal's page ("Request a badge") shows a request as a QR code; the
    # teacher's laptop reads it from a photo, which sets the challenge and the domain.
    domain = "hiring.westside.example"
    asked = PresentationRequest.for_badges(
        secrets.token_urlsafe(16), domain, now + dt.timedelta(minutes=5)
    )
    request_image, _ = render_qr(asked.to_payload())
    request_image.save(workdir / "request-qr.png", format="PNG")
    request = PresentationRequest.from_bytes((workdir / "request-qr.png").read_bytes())
    request.require_unexpired(now)
    challenge = request.challenge
    presentation = present_credentials(
        teacher, DEMO_PASSPHRASE, [credential_id], challenge=challenge, domain=domain, now=now
    )
    payload = encode_envelope(presentation)
    image, version = render_qr(payload)
    path = workdir / "badge-qr.png"
    image.save(path, format="PNG")
    console.print(
        f"The principal's page shows a request: {domain}, challenge {challenge}, for 5 minutes."
    )
    console.print(
        f"$ laurel present {credential_id[:22]}… --request request-qr.png --qr badge-qr.png"
    )
    console.print(
        f"  QR version {version} at error correction M: the whole signed presentation, {len(payload)} characters,"
    )
    console.print("  so the principal's phone can check it offline.")
    lean = present_credentials(
        teacher,
        DEMO_PASSPHRASE,
        [credential_id],
        challenge=challenge,
        domain=domain,
        now=now,
        without_anchors=True,
    )
    _, lean_version = render_qr(encode_envelope(lean))
    console.print(
        f"  (with --no-anchor, which leaves the ledger anchor proof out: version {lean_version})"
    )
    (_label, document), *_ = documents_in(path.read_bytes())
    console.print(f"[dim]$ laurel verify --challenge {challenge} --domain {domain} badge-qr.png[/]")
    result = verify_presentation(document, challenge, domain)
    from verifier.verdict import verdict_of

    verdict = "[bold green]✔ VERIFIED[/]" if result.verified else "[bold red]✘ NOT VERIFIED[/]"
    console.print(f"{verdict}  {verdict_of(result).sentence}")
    console.print("  read from the image: the holder's proof, the challenge and every badge inside")
    replay = verify_presentation(document, "another-interview", domain)
    failed = ", ".join(c.id for c in replay.failures())
    console.print(f"Shown again at another interview: [bold red]{failed}[/]\n")


def _portfolio_tour(
    console: Console,
    district: Wallet,
    teacher: Wallet,
    now: dt.datetime,
    employer_verifies: Callable[[bytes], VerificationResult],
) -> Path:
    """A second badge, kept and made public; the static site written where it stays."""
    from ui.i18n import environment_locale
    from wallet.portfolio import set_public, write_portfolio
    from wallet.store import short_id

    restorative = load_achievement(json.dumps(RESTORATIVE).encode())
    stored = issue_badge(
        district,
        DEMO_PASSPHRASE,
        restorative,
        teacher.identity.did,
        IssueOptions(
            now=now,
            evidence=(
                Evidence(
                    "https://portfolio.riverside.example/arivera/circles", "Circle reflections"
                ),
            ),
        ),
    )
    outcome = import_credential(teacher, stored.text.encode(), employer_verifies)
    short = short_id(outcome.credential.id)
    set_public(teacher.store, [outcome.credential.id], True)
    # Written outside the demo's temporary folder: it is the teacher's to keep.
    site = Path(tempfile.mkdtemp(prefix="laurel-portfolio-"))
    report = write_portfolio(teacher, site, locale=environment_locale())
    console.print(
        f"$ laurel import restorative.json && laurel portfolio --public {short} --out site/"
    )
    console.print(
        "Only the badges she makes public are written: a page per badge with its evidence,"
    )
    console.print("the credential as JSON and as a baked PNG, an Add-to-LinkedIn link, a QR code,")
    console.print("and a Verify button that opens any verifier page with the badge in the link.")
    console.print("For any web host, or a USB stick:")
    console.print(f"  [bold]{report.index}[/]\n")
    return report.index


class _Service:
    """The verifier app (as `laurel serve` runs it) on a loopback port, in a thread."""

    def __init__(self, anchors: ChainDirectory | None = None) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server

        from verifier.app import create_app

        class _Quiet(WSGIRequestHandler):
            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                pass

        self.app = create_app(
            resolver=networked_resolver(allow_private_network=True),
            status_checker=networked_status_checker(allow_private_network=True),
            anchors=anchors,
        )
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread: threading.Thread | None = None

    def host(self, home: Path) -> None:
        """Add a wallet's lists to the app (`laurel serve --wallet`), then start serving."""
        from wallet.service import issuer_blueprint

        self.app.register_blueprint(issuer_blueprint(home, passphrase=None, token=None))
        from wallet.oid4vci import oid4vci_blueprint

        self.app.register_blueprint(
            oid4vci_blueprint(home, passphrase=DEMO_PASSPHRASE, check=verify_issued)
        )
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def post(self, path: str, body: JSONObject) -> tuple[int, dict[str, Any]]:
        """POST JSON, return the status and the JSON answer."""
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=30)
        try:
            connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def __enter__(self) -> _Service:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=5)
        self.server.server_close()


def _service_tour(console: Console, service: _Service, badge: bytes, teacher: Wallet) -> None:
    """A verify call, a challenge, a presentation and its replay, against the service."""
    from vc.proofs import add_proof

    console.print(f"(the same app `laurel serve` runs under granian; here on {service.url})")
    status, answer = service.post(
        "/credentials/verify", {"verifiableCredential": json.loads(badge)}
    )
    console.print(f"POST /credentials/verify  ->  {status}  verified={answer['verified']}")
    console.print(f"  passed: {', '.join(answer['checks'])}")
    status, issued = service.post("/challenges", {})
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
    request: JSONObject = {"verifiablePresentation": signed, "options": options}
    status, answer = service.post("/presentations/verify", request)
    console.print(
        f"the teacher presents it, signed over that challenge  ->  {status}  verified={answer['verified']}"
    )
    status, answer = service.post("/presentations/verify", request)
    console.print(f"the same presentation replayed  ->  {status}  {', '.join(answer['errors'])}")
    console.print(
        "(`laurel serve` also serves a page at / where a person pastes or uploads a badge,"
        " and /request, where it asks for one)\n"
    )


def _hidden_status_tour(
    console: Console,
    workdir: Path,
    badge_path: Path,
    employer_verifies: Callable[[bytes], VerificationResult],
) -> None:
    """Hide the revocation where a JSON reader would not look; the signature still holds."""
    hidden: dict[str, Any] = json.loads(badge_path.read_text(encoding="utf-8"))
    hidden["https://www.w3.org/2018/credentials#credentialStatus"] = hidden.pop("credentialStatus")
    hidden_path = workdir / "badge-status-hidden.json"
    hidden_path.write_text(json.dumps(hidden, indent=2), encoding="utf-8")
    console.print(
        "Someone hides the revocation: credentialStatus is moved under its full IRI. The RDF "
        "the signature covers is the same, so the signature still verifies."
    )
    console.print(f"[dim]$ laurel verify {hidden_path.name}[/]")
    result = employer_verifies(hidden_path.read_bytes())
    names = ", ".join(check.id for check in result.failures())
    console.print(
        f"Refused: [bold red]{names}[/]. laurel reads a document only in the form its "
        "contexts produce, and still finds the status where it was hidden.\n"
    )


def _step(console: Console, number: int, text: str) -> None:
    console.rule(f"[bold cyan]{number}. {text}", align="left")


def run(console: Console, *, show: Callable[..., None], keep: bool = False) -> None:
    """Run the narrated demo, printing to `console` and rendering reports with `show`."""
    workdir = Path(tempfile.mkdtemp(prefix="laurel-demo-"))
    try:
        _tour(console, workdir, show)
    finally:
        if keep:
            console.print(f"[dim]Files kept in {workdir}[/]")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _tour(console: Console, workdir: Path, show: Callable[..., None]) -> None:
    from anchor.check import ChainDirectory

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    policy = VerificationPolicy(now=now)
    # Employers look anchors up on the chain: here the district's embedded chain
    # file (on a testnet or mainnet, `laurel verify --rpc URL`).
    anchors = ChainDirectory(embedded_path=embedded_chain_path(workdir / "district"))
    with _Service(anchors) as service:
        _journey(console, workdir, show, service, now, policy, anchors)


def _journey(
    console: Console,
    workdir: Path,
    show: Callable[..., None],
    service: _Service,
    now: dt.datetime,
    policy: VerificationPolicy,
    anchors: ChainDirectory,
) -> None:
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

    _step(console, 1, "A district and a teacher each create a wallet")
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

    _step(console, 2, "The district issues her an Open Badge")
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

    _step(console, 3, "The district anchors it on Ethereum")
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

    _step(console, 4, "She keeps it in her wallet (it is verified on the way in)")
    outcome = import_credential(teacher, stored.text.encode(), employer_verifies)
    console.print(
        f"$ laurel import badge.json\n  {outcome.credential.id}  verified: {outcome.result.verified}\n"
    )

    _step(console, 5, "An employer verifies the badge she sends")
    console.print(f"[dim]$ laurel verify {badge_path.name}[/]")
    show(badge_path.name, employer_verifies(badge_path.read_bytes()), document=stored.document)

    _step(console, 6, "At the interview she shows it as a QR code")
    _qr_tour(
        console, workdir, teacher, stored.id, now, employer_verifies_presentation(policy, anchors)
    )

    _step(console, 7, "An employer's system asks the verifier service")
    _service_tour(console, service, stored.text.encode(), teacher)

    _step(console, 8, "Someone tampers with it")
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

    _step(console, 9, "The district revokes the badge")
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
    _hidden_status_tour(console, workdir, badge_path, employer_verifies)

    _step(console, 10, "The district issues a whole cohort from a roster, and anchors it")
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

    _step(console, 11, "The district backs up its wallet, and restores it elsewhere")
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

    _step(
        console, 12, "A badge offered to a phone wallet, and asked for by an employer (OpenID4VC)"
    )
    _openid4vc_tour(console, service, district, teacher, achievement, employer_verifies)

    _step(console, 13, "The teacher publishes her portfolio")
    _portfolio_tour(console, district, teacher, now, employer_verifies)
    district.close()
    teacher.close()


def _openid4vc_tour(
    console: Console,
    service: _Service,
    district: Wallet,
    teacher: Wallet,
    achievement: JSONObject,
    employer_verifies: Callable[[bytes], VerificationResult],
) -> None:
    """OID4VCI: an email badge offered and received, bound to the teacher's DID; OID4VP: presented."""
    from verifier.guarded_http import GuardedHttp
    from verifier.verify import networked_resolver
    from wallet.oid4vci import make_offer
    from wallet.oid4vp_client import answer_request, read_request
    from wallet.receive import receive_offer

    now = dt.datetime.now(dt.UTC)
    # The service is on loopback, which only an explicit flag lets the guard reach.
    http = GuardedHttp.from_env(allow_private_network=True)
    email_badge = issue_badge(
        district,
        DEMO_PASSPHRASE,
        achievement,
        "ana.rivera@riverside.example",
        IssueOptions(now=now),
    )
    offered = make_offer(district, email_badge.id, now=now)
    console.print("$ laurel offer " + email_badge.id[:24] + "… --qr offer.png")
    console.print(f"  {offered.offer[:72]}…")
    console.print(
        f"  PIN {offered.pin} (sent separately), single use, until {offered.expires:%Y-%m-%d}"
    )
    console.print("Any OpenID4VCI wallet scans it; here laurel's own, on the teacher's side:")
    outcome = receive_offer(
        teacher, DEMO_PASSPHRASE, offered.offer, offered.pin, http, employer_verifies, now=now
    )
    console.print(f"$ laurel receive offer.png --pin {offered.pin}")
    subject = outcome.credential.document.get("credentialSubject")
    holder = subject.get("id") if isinstance(subject, dict) else None
    console.print(
        f"  {outcome.credential.id}  verified: {outcome.result.verified}; issued to an email,"
        f" now bound to her DID {str(holder)[:28]}…"
    )
    status, started = service.post("/oid4vp/requests", {})
    console.print(f"POST /oid4vp/requests  ->  {status}  {started['request'][:64]}…")
    request = read_request(started["request"], http, networked_resolver(allow_private_network=True))
    console.print(
        f"$ laurel present {outcome.credential.id[:18]}… --request 'openid4vp://…'"
        f"\n  the request is signed by {request.verifier_did[:32]}… (decentralized_identifier)"
    )
    answer_request(teacher, DEMO_PASSPHRASE, request, [outcome.credential.id], http, now=now)
    verdict = json.loads(http.get(started["status_uri"]).body)
    console.print(
        f"GET status_uri  ->  {verdict['status']}  ({len(verdict['result']['checks'])} checks passed,"
        f" nonce and client_id bound: {', '.join(c for c in verdict['result']['checks'] if c in ('presentation.challenge', 'presentation.domain'))})"
    )
    console.print(
        "(the page's Request a badge shows the same openid4vp:// QR code, for any wallet)\n"
    )
