"""Holding badges: importing them (verified first), and presenting them.

The wallet never imports the verifier (an educator's wallet and an employer's
verifier are separate programs); the caller passes in the verification to run.
"""

from __future__ import annotations

import datetime as dt
import uuid
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

__all__ = [
    "ImportOutcome",
    "NotVerifiedError",
    "import_credential",
    "present_as_jwt",
    "present_credentials",
]

#: VC Data Model 1.1's context: a VP-JWT's ``vp`` claim is that model's encoding.
_CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"


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


def present_as_jwt(
    wallet: Wallet,
    passphrase: str,
    credential_ids: list[str],
    *,
    nonce: str,
    audience: str,
    now: dt.datetime,
) -> str:
    """A VP-JWT of badges held as VC-JWTs, signed by this wallet's key over `nonce` and `audience`.

    VC Data Model 1.1, "JSON Web Token" (the encoding OID4VP 1.0's ``jwt_vc_json``
    uses): ``iss`` is the holder, the presentation is the ``vp`` claim, its
    credentials the VC-JWTs as issued; ``nonce`` and ``aud`` bind it to one request
    of one verifier (OID4VP 1.0, "VC signed as a JWT, not using JSON-LD").

    Raises:
        CredentialNotFoundError: an id is not in the wallet.
        WalletError: a badge is not held as a VC-JWT.
        WrongPassphraseError: the passphrase does not unlock the key.
    """
    from vc.jws import sign_jwt

    tokens: list[JSONValue] = []
    for cid in credential_ids:
        wallet.store.get_credential(cid)
        original = wallet.store.original_of(cid)
        if original is None or original.format != "vc-jwt":
            raise WalletError(f"{cid} is not held as a VC-JWT; present it as ldp_vc")
        tokens.append(original.text)
    identity = wallet.identity
    claims: JSONObject = {
        "iss": identity.did,
        "aud": audience,
        "nonce": nonce,
        "iat": int(now.timestamp()),
        "jti": f"urn:uuid:{uuid.uuid4()}",
        "vp": {
            "@context": [_CREDENTIALS_V1],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": tokens,
        },
    }
    return sign_jwt(
        wallet.signing_key(passphrase), claims, typ="JWT", kid=identity.verification_method
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
