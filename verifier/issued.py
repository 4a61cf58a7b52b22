"""Verify what an issuer has just signed, offline, before it is stored or handed out.

    >>> import datetime as dt
    >>> from verifier.issued import verify_issued
    >>> result = verify_issued({"type": ["VerifiableCredential"]}, did_document={},
    ...                        now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    >>> "proof.missing" in [c.id for c in result.failures()]
    True

The wallet never imports the verifier; the CLI and ``laurel serve`` hand this
function to the issuing paths (:class:`wallet.issuer.IssueOptions`), so that every
credential laurel signs has passed the very pipeline an employer's verifier runs.
Nothing is fetched: the issuer's DID resolves to the DID document the wallet gives,
status lists are not read (the credential's entries were allocated a moment ago),
and no chain is consulted.
"""

from __future__ import annotations

import datetime as dt
import json

from vc.did import DidResolver, did_web_url
from vc.errors import DidResolutionError
from vc.results import VerificationResult
from vc.types import JSONObject
from verifier.policy import VerificationPolicy
from verifier.verify import verify

__all__ = ["verify_issued"]


def verify_issued(
    document: JSONObject, *, did_document: JSONObject, now: dt.datetime
) -> VerificationResult:
    """Run the verifier's full pipeline on `document`, resolving only the issuer's own DID.

    `did_document` is the issuer's DID document (for did:web: the one it publishes);
    did:key resolves locally as always. `now` is the moment of issuance.
    """
    own_id = did_document.get("id")
    body = json.dumps(did_document).encode("utf-8")
    own_url = _web_url(own_id) if isinstance(own_id, str) else None

    def own_document(url: str) -> bytes:
        if url != own_url:
            raise DidResolutionError(
                f"{url[:120]} is not the issuer's own DID document; nothing is fetched",
                code="notFound",
            )
        return body

    resolver = DidResolver(web_fetcher=own_document)
    return verify(document, VerificationPolicy(now=now), resolver=resolver)


def _web_url(did: str) -> str | None:
    if not did.startswith("did:web:"):
        return None
    try:
        return did_web_url(did)
    except DidResolutionError:
        return None
