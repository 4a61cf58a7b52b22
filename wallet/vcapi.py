"""The VC-API issue request: a learning platform sends a credential, the wallet signs it.

``POST /credentials/issue`` (VC-API, "Issue Credential") carries an unsigned
credential and ``options``. The wallet completes what is its to complete (its issuer
identity, an ``id``, the issuance date, its own status entries), checks the result
by the issuer's rule book, signs, checks what it signed, and stores it. A refusal
names every problem at once (:class:`vc.issuance.IssuanceRefusedError`).

A VC Data Model 2.0 credential keeps the shape the caller gave it: the issuer stays
a URL when sent as one, and nothing of Open Badges is added unless the credential
uses the Open Badges context. A VC 1.1 credential is signed as VC 1.1: Data
Integrity, "Context Injection", adds ``https://w3id.org/security/data-integrity/v2``
(the 1.1 context does not define ``DataIntegrityProof``); ``issuanceDate`` is filled
in, never ``validFrom``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from vc.issuance import DATA_INTEGRITY_V2, IssuanceRefusedError, data_model
from vc.proofs import CRYPTOSUITES
from vc.results import CheckResult
from vc.timestamps import format_datetime_stamp
from vc.types import JSONObject, JSONValue
from wallet.badge import DEFAULT_SUITE, IssuedCheck, sign_checked, sign_checked_jwt
from wallet.errors import CredentialNotFoundError
from wallet.home import Identity, Wallet
from wallet.status import allocate_entries, sign_unsigned_lists
from wallet.store import StoredCredential

__all__ = ["ISSUE_OPTIONS", "issue_given_credential", "read_options"]

#: The options of an issue request: VC-API's (``credentialId``, ``mandatoryPointers``)
#: and laurel's choice of suite. VC-API's IssueCredentialOptions allows no others.
ISSUE_OPTIONS = ("credentialId", "cryptosuite", "mandatoryPointers")
#: Contexts under which the issuer is an Open Badges Profile.
_OB3_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/"
_STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"
_QUOTE_LIMIT = 80


def _quote(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT] + "…")


def _option_problem(name: str, message: str) -> CheckResult:
    return CheckResult.failed("format.options", message, path=f"options.{name}")


def read_options(options: JSONValue, credential: JSONObject) -> tuple[str, list[CheckResult]]:
    """The cryptosuite to sign with, and every problem with `options`."""
    problems: list[CheckResult] = []
    if options is None:
        return DEFAULT_SUITE, problems
    if not isinstance(options, dict):
        return DEFAULT_SUITE, [
            CheckResult.failed("format.options", "options must be a JSON object", path="options")
        ]
    for name in options:
        if name not in ISSUE_OPTIONS:
            problems.append(
                _option_problem(
                    name,
                    f"{_quote(name)} is not an issue option; the options are {', '.join(ISSUE_OPTIONS)}",
                )
            )
    suite = options.get("cryptosuite", DEFAULT_SUITE)
    if not isinstance(suite, str) or suite not in CRYPTOSUITES:
        problems.append(
            _option_problem(
                "cryptosuite",
                f"cryptosuite {_quote(suite)} is not one laurel signs with; use {' or '.join(sorted(CRYPTOSUITES))}",
            )
        )
        suite = DEFAULT_SUITE
    pointers = options.get("mandatoryPointers")
    if pointers is not None and pointers != []:
        problems.append(
            _option_problem(
                "mandatoryPointers",
                "mandatoryPointers is for selective-disclosure suites; laurel's suites sign the whole credential",
            )
        )
    if "credentialId" in options:
        given = options["credentialId"]
        if not isinstance(given, str) or given != credential.get("id"):
            # VC-API: "credentialId SHOULD NOT be set ... if the credential.id property is
            # set"; laurel keeps every credential by its id, so it must be that id.
            problems.append(
                _option_problem(
                    "credentialId",
                    "laurel identifies a credential by its id: give the credential an id and leave credentialId out",
                )
            )
    return str(suite), problems


def _is_open_badge(contexts: JSONValue) -> bool:
    entries = contexts if isinstance(contexts, list) else [contexts]
    return any(isinstance(c, str) and c.startswith(_OB3_CONTEXT_PREFIX) for c in entries)


def _complete_issuer(document: JSONObject, identity: Identity) -> list[CheckResult]:
    given = document.get("issuer", identity.did)
    given_id = given.get("id", identity.did) if isinstance(given, dict) else given
    if not isinstance(given_id, str):
        return []  # not an issuer at all: the rule book names what is wrong with it
    if given_id != identity.did:
        return [
            CheckResult.failed(
                "issuer.not_this_wallet",
                f"the issuer is {_quote(given_id)}; this wallet signs as {identity.did} (leave issuer out, or give that DID)",
                path="issuer",
            )
        ]
    if _is_open_badge(document.get("@context")):
        # Open Badges 3.0, "Profile": the issuer is an object of type Profile.
        profile: JSONObject = dict(given) if isinstance(given, dict) else {}
        profile["id"] = identity.did
        profile.setdefault("type", ["Profile"])
        profile.setdefault("name", identity.name)
        document["issuer"] = profile
    elif isinstance(given, dict):
        document["issuer"] = {**given, "id": identity.did}
    else:
        document["issuer"] = identity.did
    return []


def _complete(
    credential: JSONObject, identity: Identity, now: dt.datetime
) -> tuple[JSONObject, list[CheckResult]]:
    document: JSONObject = dict(credential)
    problems = _complete_issuer(document, identity)
    if "id" not in document:
        document["id"] = f"urn:uuid:{uuid.uuid4()}"
    if data_model(document) == "1.1":
        contexts = document["@context"]
        if isinstance(contexts, list) and DATA_INTEGRITY_V2 not in contexts:
            document["@context"] = [*contexts, DATA_INTEGRITY_V2]
        document.setdefault("issuanceDate", format_datetime_stamp(now))
    elif "@context" in document:
        document.setdefault("validFrom", format_datetime_stamp(now))
    if identity.base_url and "credentialStatus" in document:
        problems.append(
            CheckResult.failed(
                "format.credential_status",
                "this wallet assigns credentialStatus itself (revocation and suspension on its own lists); leave it out",
                path="credentialStatus",
            )
        )
    return document, problems


def _add_wallet_status(document: JSONObject, identity: Identity, wallet: Wallet) -> None:
    if (
        not identity.base_url
        or "credentialStatus" in document
        or not isinstance(document.get("id"), str)
    ):
        return
    entries: list[JSONValue] = [
        *allocate_entries(wallet.store, identity.base_url, str(document["id"]))
    ]
    contexts = document.get("@context")
    if data_model(document) == "1.1" and isinstance(contexts, list) and _STATUS_V1 not in contexts:
        # The 1.1 context does not define BitstringStatusListEntry; its own context does.
        document["@context"] = [*contexts, _STATUS_V1]
    document["credentialStatus"] = entries


def _held(wallet: Wallet, credential_id: str) -> bool:
    try:
        wallet.store.get_credential(credential_id)
    except CredentialNotFoundError:
        return False
    return True


def issue_given_credential(
    wallet: Wallet,
    passphrase: str,
    credential: JSONObject,
    options: JSONValue,
    *,
    now: dt.datetime,
    check: IssuedCheck | None = None,
    jwt: bool = False,
) -> StoredCredential:
    """Complete, check, sign, check again and store a credential a platform sent.

    With `jwt`, it is signed as a VC-JWT instead (:func:`wallet.badge.sign_checked_jwt`)
    and stored as the credential it carries, with the token as its original (as
    ``laurel issue --format jwt`` keeps one).

    Raises:
        IssuanceRefusedError: every problem with the options or the credential.
        WrongPassphraseError: the passphrase does not unlock the wallet's key.
    """
    identity = wallet.identity
    suite, problems = read_options(options, credential)
    document, completing = _complete(credential, identity, now)
    problems.extend(completing)
    if isinstance(document.get("id"), str) and _held(wallet, str(document["id"])):
        problems.append(
            CheckResult.failed(
                "format.id",
                "this wallet already issued or holds a credential with this id; give a new id, or leave id out",
                path="id",
            )
        )
    key = wallet.signing_key(passphrase)
    store = wallet.store
    with store.transaction():
        # Status entries, signature and storage in one transaction: a refusal keeps nothing.
        _add_wallet_status(document, identity, wallet)
        if jwt:
            if problems:
                raise IssuanceRefusedError(problems)
            token = sign_checked_jwt(wallet, key, document, now=now, check=check)
            stored = store.add_credential(document, origin="issued")
            store.set_original(stored.id, "vc-jwt", token)
        else:
            signed = sign_checked(
                wallet, key, document, suite=suite, now=now, check=check, before=problems
            )
            stored = store.add_credential(signed, origin="issued")
        if identity.base_url:
            sign_unsigned_lists(store, key, identity, now)
    return stored
