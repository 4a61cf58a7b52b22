"""laurel's standards core: keys, DIDs, JSON-LD, canonicalization, Data Integrity proofs.

    >>> from vc.keys import Ed25519KeyPair
    >>> from vc.proofs import add_proof
    >>> key = Ed25519KeyPair.generate()
    >>> did = f"did:key:{key.public_key.multibase}"
    >>> credential = {"@context": ["https://www.w3.org/ns/credentials/v2"],
    ...               "type": ["VerifiableCredential"], "issuer": did,
    ...               "credentialSubject": {"id": "did:example:alice"}}
    >>> signed = add_proof(credential, key, f"{did}#{key.public_key.multibase}",
    ...                    cryptosuite="eddsa-jcs-2022")
    >>> signed["proof"]["cryptosuite"]
    'eddsa-jcs-2022'

`vc` does no network or disk I/O beyond reading its bundled contexts.
"""

from vc.errors import LaurelError
from vc.results import CheckResult, Status, VerificationResult

__all__ = ["CheckResult", "LaurelError", "Status", "VerificationResult"]
