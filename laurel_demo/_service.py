"""Act 7: the verifier service (as `laurel serve` runs it) on loopback, asked by an employer's system."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from laurel_demo._achievements import DEMO_PASSPHRASE
from vc.types import JSONObject
from verifier.issued import verify_issued
from verifier.verify import networked_resolver, networked_status_checker
from wallet.home import Wallet

if TYPE_CHECKING:
    from rich.console import Console

    from anchor.check import ChainDirectory

__all__ = ["Service", "service_tour"]


class Service:
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

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=5)
        self.server.server_close()


def service_tour(console: Console, service: Service, badge: bytes, teacher: Wallet) -> None:
    """A verify call, a challenge, a presentation and its replay, against the service."""
    from vc.proofs import add_proof

    console.print(f"(the same app `laurel serve` runs under granian; here on {service.url})")
    status, answer = service.post(
        "/credentials/verify", {"verifiableCredential": json.loads(badge)}
    )
    console.print(f"POST /credentials/verify  ->  {status}  verified={answer['verified']}")
    console.print(f"  passed: {', '.join(answer['checks'])}")
    console.print(
        f"  warnings: {', '.join(answer['warnings'])} (no registry of recognized issuers)"
    )
    _recognized(console, service, badge)
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
        " and /request, where it asks for one; `laurel serve --front nginx` puts nginx in"
        " front, which reads each request whole and turns away what the workers cannot take"
        " in a few milliseconds, with their own 503 and Retry-After)\n"
    )


def _recognized(console: Console, service: Service, badge: bytes) -> None:
    # The employer's registry (`laurel serve --trust FILE`): the same app with the
    # district listed, and with only another district listed.
    from verifier.app import create_app
    from verifier.trust import TrustRegistry

    credential = json.loads(badge)
    issuer = credential["issuer"]
    did, name = (issuer["id"], issuer.get("name", "")) if isinstance(issuer, dict) else (issuer, "")
    listed = {
        "recognized.csv": f"did,name\n{did},{name}\n",
        "other.csv": "did,name\ndid:web:lakeshore.example,Lakeshore USD\n",
    }
    state = service.app.extensions["laurel.verifier"]
    for file, text in listed.items():
        app = create_app(
            resolver=state.resolver,
            status_checker=state.status,
            trust=TrustRegistry.from_text(text, "csv"),
        )
        answer = app.test_client().post(
            "/credentials/verify", json={"verifiableCredential": credential}
        )
        trust = next(
            c for c in answer.get_json()["results"]["checks"] if c["id"].startswith("trust")
        )
        console.print(
            f"with `laurel serve --trust {file}`  ->  {answer.status_code}  {trust['id']}: {trust['message']}"
        )
