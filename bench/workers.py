"""laurel's and the crypto limit's verify-loop workers (bench/loop.py's protocol).

    python -m bench.workers laurel CORPUS_DIR   # full verification, as `laurel verify --json`
    python -m bench.workers limit CORPUS_DIR    # json + rfc8785 + libsodium, no checks (jcs)

laurel's loop does per file what `laurel verify --json FILE...` does: read the input
(`documents_in`: JSON, QR, image or baked badge), `verify_bytes` with the CLI's policy
(now, default clock skew), its networked did and status resolvers (did:key needs no
network and the corpus has no status entries, so nothing is fetched) and its chain
directory (no chain configured), then render the result as the JSON line it prints.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

from bench.loop import Verifier, serve


def laurel_worker(directory: Path) -> None:
    """Serve the protocol with laurel's full verification, every check on."""
    from anchor.directory import ChainDirectory
    from verifier import VerificationPolicy, verify_bytes
    from verifier.json_text import json_line
    from verifier.sources import documents_in
    from verifier.verify import networked_resolver, networked_status_checker

    policy = VerificationPolicy(now=dt.datetime.now(dt.UTC))
    resolver = networked_resolver(allow_private_network=False)
    status_checker = networked_status_checker(allow_private_network=False)
    anchors = ChainDirectory()

    def prepare(suite: str, data: bytes) -> Verifier:
        def run() -> str | None:
            failed: list[str] = []
            for label, document in documents_in(data):
                result = verify_bytes(
                    document,
                    policy,
                    resolver=resolver,
                    status_checker=status_checker,
                    anchors=anchors,
                )
                json_line(label, result)  # the line `verify --json` prints
                if not result.verified:
                    ids = [c.id for c in result.checks if c.status.value == "failed"]
                    failed += ids or ["not verified"]
            return ", ".join(failed) or None

        return run

    serve(directory, prepare)


def limit_worker(directory: Path) -> None:
    """Serve the protocol with the crypto limit: parse, 2x JCS, 2x SHA-256, Ed25519."""
    import nacl.signing
    import rfc8785

    from vc.keys import decode_multibase_btc

    def prepare(suite: str, data: bytes) -> Verifier:
        vm = json.loads(data)["proof"]["verificationMethod"]
        verify_key = nacl.signing.VerifyKey(decode_multibase_btc(vm.split("#")[1])[2:])

        def run() -> str | None:
            document = json.loads(data)
            proof = document.pop("proof")
            signature = decode_multibase_btc(proof.pop("proofValue"))
            digest = (
                hashlib.sha256(rfc8785.dumps(proof)).digest()
                + hashlib.sha256(rfc8785.dumps(document)).digest()
            )
            verify_key.verify(digest, signature)
            return None

        return run

    serve(directory, prepare, suites=("jcs",))


WORKERS = {"laurel": laurel_worker, "limit": limit_worker}

if __name__ == "__main__":
    WORKERS[sys.argv[1]](Path(sys.argv[2]))
