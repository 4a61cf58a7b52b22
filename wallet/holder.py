"""Holding badges: importing them (verified first), and presenting them.

The wallet never imports the verifier (an educator's wallet and an employer's
verifier are separate programs); the caller passes in the verification to run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from vc.formats.read import read_badge
from vc.jsonld import CREDENTIALS_V2
from vc.proofs import add_proof
from vc.results import VerificationResult
from vc.timestamps import format_datetime_stamp
from vc.types import JSONObject, JSONValue
from wallet.errors import WalletError
from wallet.home import Wallet
from wallet.store import StoredCredential

__all__ = ["ImportOutcome", "NotVerifiedError", "import_credential", "present_credentials"]


class NotVerifiedError(WalletError):
    """A badge that does not verify is not stored (unless forced)."""

    hint = "See why with `laurel verify FILE`; `laurel import --force` stores it marked unverified."

    def __init__(self, message: str, result: VerificationResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """A stored badge and the verification it got on the way in."""

    credential: StoredCredential
    result: VerificationResult


def import_credential(
    wallet: Wallet,
    data: bytes,
    verify: Callable[[bytes], VerificationResult],
    *,
    force: bool = False,
) -> ImportOutcome:
    """Verify a badge and store it; an unverified one only with `force`, and marked so.

    Raises:
        MalformedDocumentError: the bytes are not a credential.
        NotVerifiedError: it does not verify and `force` is not set.
        WalletError: a credential with that id is already in the wallet.
    """
    result = verify(data)
    badge = read_badge(data)
    if not result.verified and not force:
        failed = ", ".join(c.id for c in result.failures()) or "no checks"
        raise NotVerifiedError(f"the badge does not verify ({failed}); it was not imported", result)
    if badge.format == "data-integrity":
        stored = wallet.store.add_credential(
            badge.document, origin="imported", verified=result.verified, text=data.decode("utf-8")
        )
        return ImportOutcome(stored, result)
    # A VC-JWT or an Open Badges 2.0 assertion: the credential it carries is kept for
    # listing and display, and the signed original beside it, in one transaction.
    hosts = result.summary.get("hosts")
    store = wallet.store
    with store.transaction():
        stored = store.add_credential(badge.document, origin="imported", verified=result.verified)
        store.set_original(
            stored.id,
            badge.format,
            badge.text,
            tuple(h for h in hosts if isinstance(h, str)) if isinstance(hosts, list) else (),
        )
    return ImportOutcome(stored, result)


def _presentable(wallet: Wallet, credential_id: str) -> JSONValue:
    # VC 2.0, "Enveloped Verifiable Credentials": a VC-JWT is presented as the JWT it
    # is, in a data: URL; its decoded JSON would carry no proof. An Open Badges 2.0
    # assertion is no verifiable credential and cannot be presented.
    stored = wallet.store.get_credential(credential_id)
    original = wallet.store.original_of(credential_id)
    if original is None:
        return stored.document
    if original.format == "vc-jwt":
        return {
            "@context": [CREDENTIALS_V2],
            "type": "EnvelopedVerifiableCredential",
            "id": f"data:application/vc+jwt,{original.text}",
        }
    raise WalletError(
        f"{stored.name or credential_id} is an Open Badges 2.0 badge, which a presentation "
        "cannot carry",
        hint="Share it as it is (laurel export), or ask its issuer for an Open Badges 3.0 badge.",
    )


def present_credentials(
    wallet: Wallet,
    passphrase: str,
    credential_ids: list[str],
    *,
    challenge: str | None,
    domain: str | None,
    now: dt.datetime,
    without_anchors: bool = False,
) -> JSONObject:
    """A VerifiablePresentation of stored badges, signed by this wallet's key (authentication).

    With `without_anchors`, the issuers' ledger anchor proofs are left out of each badge's
    proof set (a smaller QR code); every other proof, and so each issuer's signature, is
    kept as issued.

    The verifier's `challenge` and `domain` are signed into the proof, so the
    presentation cannot be replayed to another verifier or another request.

    Raises:
        CredentialNotFoundError: an id is not in the wallet.
        WrongPassphraseError: the passphrase does not unlock the key.
    """
    identity = wallet.identity
    credentials: list[JSONValue] = [_presentable(wallet, cid) for cid in credential_ids]
    if without_anchors:
        from anchor.proof import signature_proofs

        credentials = [
            signature_proofs(credential) if isinstance(credential, dict) else credential
            for credential in credentials
        ]
    presentation: JSONObject = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": identity.did,
        "verifiableCredential": credentials,
    }
    return add_proof(
        presentation,
        wallet.signing_key(passphrase),
        identity.verification_method,
        cryptosuite="eddsa-rdfc-2022",
        proof_purpose="authentication",
        created=format_datetime_stamp(now),
        challenge=challenge,
        domain=domain,
    )
