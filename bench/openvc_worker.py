"""openvc-core's verify loop (bench/loop.py's protocol), run from its throwaway venv.

    bench/results/openvc-venv/bin/python -m bench.openvc_worker CORPUS_DIR

Per file: parse the bytes (json) and call ``openvc.verify_credential`` with its
default policy and one did resolver for the whole run (did:key offline). For
eddsa-jcs-2022 that checks: the proof type and cryptosuite allowlist, JCS of the
document and the proof configuration (proof ``@context`` included), did:key
resolution of the verification method, that the key is authorized for the proof
purpose (assertionMethod), the Ed25519 signature, that the issuer is the
controller of the verification method, the validity window (validFrom /
validUntil, proof created) and, when present, credentialStatus and
credentialSchema (the corpus has neither). It does not check JSON-LD terms, the
VC data model's shape or the Open Badges schema. Only eddsa-jcs-2022 is looped:
openvc's eddsa-rdfc-2022 needs pyld and contexts it does not bundle.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.loop import Verifier, serve


def main(directory: Path) -> None:
    """Serve the protocol with openvc.verify_credential."""
    from openvc import verify_credential  # type: ignore[import-not-found]
    from openvc.verify import default_resolver  # type: ignore[import-not-found]

    resolver = default_resolver()

    def prepare(suite: str, data: bytes) -> Verifier:
        def run() -> str | None:
            verify_credential(json.loads(data), resolver=resolver)  # raises when not verified
            return None

        return run

    serve(directory, prepare, suites=("jcs",))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
