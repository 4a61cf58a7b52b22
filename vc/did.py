"""DIDs: parsing, did:key and did:jwk (resolved locally), did:web (URL mapping; fetching injected).

    >>> from vc.did import DidResolver
    >>> doc = DidResolver().resolve("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
    >>> doc.assertion_method
    ('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp',)

Errors carry the DID Resolution error names (``invalidDid``, ``invalidDidUrl``,
``invalidPublicKey``, ``invalidPublicKeyLength``, ``invalidPublicKeyType``,
``methodNotSupported``, ``notFound``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

# The pieces live by job in private modules; this module resolves and is their public face.
from vc._did_document import DidDocument, VerificationMethod, verification_method_from_json
from vc._did_jwk_method import did_jwk_document
from vc._did_key_method import DID_KEY_CONTEXTS, did_key_from_public_key, resolve_did_key
from vc._did_syntax import DID_PATTERN, split_did_url, verification_method_did
from vc._did_web_method import DidWebFetcher, did_web_url
from vc.errors import DidResolutionError

__all__ = [
    "DID_KEY_CONTEXTS",
    "DidDocument",
    "DidResolver",
    "DidWebFetcher",
    "VerificationMethod",
    "did_jwk_document",
    "did_key_from_public_key",
    "did_web_url",
    "split_did_url",
    "verification_method_did",
    "verification_method_from_json",
]

# A plain global, not an imported name: CPython compiles `imported.method()` to build a
# bound method on every call, and resolve() runs on every verification.
_DID = DID_PATTERN


class DidResolver:
    """Resolves DIDs: did:key locally; did:web through an injected fetcher."""

    def __init__(
        self,
        web_fetcher: DidWebFetcher | None = None,
        *,
        web_ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._web_fetcher = web_fetcher
        self._web_ttl = web_ttl
        self._clock = clock
        self._web_cache: dict[str, tuple[float, DidDocument]] = {}

    @property
    def web_fetcher(self) -> DidWebFetcher | None:
        """The fetcher did:web documents go through (the verifier's fetch guard), if any."""
        return self._web_fetcher

    def resolve(self, did: str) -> DidDocument:
        """Resolve `did` to its DID document.

        Raises:
            DidResolutionError: with the DID Resolution error name as `code`.
        """
        if _DID.fullmatch(did) is None:
            raise DidResolutionError(f"{did[:120]!r} is not a DID", code="invalidDid")
        method = did.split(":", 2)[1]
        if method == "key":
            return resolve_did_key(did)
        if method == "web":
            return self._resolve_web(did)
        if method == "jwk":
            return did_jwk_document(did)
        raise DidResolutionError(
            f"DID method {method[:32]!r} is not supported (did:key, did:jwk and did:web are)",
            code="methodNotSupported",
        )

    def _resolve_web(self, did: str) -> DidDocument:
        cached = self._web_cache.get(did)
        if cached is not None and self._clock() - cached[0] < self._web_ttl:
            return cached[1]
        document = self._fetch_web(did)
        if len(self._web_cache) >= 1024:
            self._web_cache.clear()
        self._web_cache[did] = (self._clock(), document)
        return document

    def _fetch_web(self, did: str) -> DidDocument:
        url = did_web_url(did)
        if self._web_fetcher is None:
            raise DidResolutionError(
                f"{did} needs {url}, and network resolution is off",
                code="notFound",
                hint="Resolve did:web through the verifier service or `laurel verify` with the network enabled.",
            )
        from vc.jsontext import parse_document

        document = parse_document(self._web_fetcher(url), max_bytes=256 * 1024)
        if document.get("id") != did:
            # did:web spec: "Verify that the ID of the resolved DID document matches the Web DID".
            raise DidResolutionError(
                f"the document at {url} describes another DID", code="invalidDidDocument"
            )
        return DidDocument(document)

    def resolve_verification_method(self, vm_url: str) -> tuple[VerificationMethod, DidDocument]:
        """Dereference a verification method DID URL to its key and its DID document.

        Raises:
            DidResolutionError: the DID does not resolve, or it has no such method.
        """
        did = verification_method_did(vm_url)
        document = self.resolve(did)
        return document.verification_method(vm_url), document
