"""The Credential Endpoint's badge: the offered badge re-made for the holder's DID and signed.

A badge already issued to a DID is never moved to another one; an email badge is
re-issued to the DID that proved its key, in the format the request asked for, and
refused as :class:`~wallet.offers.OfferError` (``credential_request_denied``) when
laurel's own checks would refuse it.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from vc.types import JSONObject
from wallet.home import Wallet
from wallet.offers import OfferError

if TYPE_CHECKING:
    from wallet.badge import IssuedCheck

__all__: list[str] = []


def _bind(document: JSONObject, holder: str) -> JSONObject:
    """The badge re-made for `holder`: its subject gets her DID; a new id, proof and status come later."""
    unsigned = copy.deepcopy(document)
    for name in ("proof", "id", "credentialStatus", "validFrom", "issuer"):
        unsigned.pop(name, None)
    subject = unsigned.get("credentialSubject")
    if isinstance(subject, dict):
        subject["id"] = holder
    return unsigned


def _issue(
    home: Path,
    passphrase: str,
    credential_id: str,
    holder: str,
    format_: str,
    suite: str,
    now: dt.datetime,
    check: IssuedCheck | None = None,
) -> tuple[str, JSONObject | str]:
    # The id of the badge issued, and the credential as the Credential Response carries
    # it: an ldp_vc as its JSON object, a jwt_vc_json as the JWT itself ("Credential
    # Response": "MUST NOT be re-encoded").
    from vc.issuance import IssuanceRefusedError
    from wallet.vcapi import issue_given_credential

    with Wallet.open(home) as wallet:
        stored = wallet.store.get_credential(credential_id)
        subject = stored.document.get("credentialSubject")
        bound = subject.get("id") if isinstance(subject, dict) else None
        if isinstance(bound, str) and bound != holder:
            # A badge issued to a DID is never moved to another one.
            raise OfferError(
                "this badge was issued to another DID", error="credential_request_denied"
            )
        document = _bind(stored.document, holder)
        jwt = format_ == "jwt_vc_json"
        try:
            stored = issue_given_credential(
                wallet,
                passphrase,
                document,
                None if jwt else {"cryptosuite": suite},
                now=now,
                check=check,
                jwt=jwt,
            )
        except IssuanceRefusedError as exc:
            # Never signed: laurel's own verifier would refuse the re-made badge.
            raise OfferError(exc.message, error="credential_request_denied") from exc
        original = wallet.store.original_of(stored.id) if jwt else None
        return stored.id, original.text if original is not None else stored.document
