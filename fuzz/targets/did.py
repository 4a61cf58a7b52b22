"""DIDs and DID URLs: did:key decoding, did:web mapping, DID documents (vc/did.py, vc/_did_*.py)."""

from __future__ import annotations

from vc.did import DidResolver, did_web_url, split_did_url, verification_method_did
from vc.errors import LaurelError

EXPECTED = (LaurelError,)


def fuzz(data: bytes) -> None:
    """A DID URL and, for did:web, the document its host answers: resolve the method."""
    head, _, document = data.partition(b"\n")
    did_url = head.decode("utf-8", "replace")
    resolver = DidResolver(web_fetcher=lambda _url: document)
    did, _fragment = split_did_url(did_url)
    if did.startswith("did:web:"):
        did_web_url(did)
    verification_method_did(did_url)
    resolver.resolve_verification_method(did_url)


def seeds() -> list[bytes]:
    """A did:key verification method and a did:web with its document."""
    key = b"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    web = b"did:web:issuer.example%3A8443:district#key-1"
    doc = (
        b'{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:web:issuer.example%3A8443:district",'
        b'"verificationMethod":[{"id":"#key-1","type":"Multikey","controller":'
        b'"did:web:issuer.example%3A8443:district","publicKeyMultibase":'
        b'"z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}],"assertionMethod":["#key-1"]}'
    )
    # The DID URL, a newline, the document a did:web host answers.
    return [key + b"#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK\n", web + b"\n" + doc]
