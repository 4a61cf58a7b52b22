"""Open Badges 3.0's own revocation service: the 1EdTech Revocation List Status Method.

A credential whose ``credentialStatus`` has type ``1EdTechRevocationList`` names, in
its ``id``, the URL of the issuer's revocation list. Open Badges 3.0, "Verification",
step 4: "A Credential is revoked if the credentialStatus property is present, and the
type of the CredentialStatus object is '1EdTechRevocationList', and if the
[credential] has been revoked as shown in [VCRL-10]". The 1EdTech Revocation List
Status Method 1.0: "To check if a credential has been revoked, the verifier issues a
GET request to the URL of the issuer's 1EdTech Revocation List Status Method. If the
credential's id is in the list of revokedCredentials and the value of revoked is
true or omitted, the issuer has revoked the credential."

The list is a plain JSON document (``id``, ``issuer``, ``revokedCredentials`` of
``{id, revoked, revocationReason}``), not a signed credential: what vouches for it is
the issuer's own https site, named by the signed badge. So laurel reads it only
through the fetch guard, only for a badge whose signature verified, and:

- a list that cannot be fetched or read: ``status.retrieval_failed`` (fail closed, or
  a warning under ``--status-unreachable warn``), never "not revoked";
- the badge listed (``revoked`` true, omitted, or ``"true"`` as some issuers write it):
  ``status.revoked``; a ``revoked`` value that is neither true nor false counts as
  revoked (fail closed);
- the list's ``id`` or ``issuer`` not the badge's: named warnings
  (``status.list_id_mismatch``, ``status.list_issuer_mismatch``), the listing still
  read: an unsigned list's members prove nothing either way; only its URL does.
"""

from __future__ import annotations

from collections.abc import Callable

from vc.errors import LaurelError
from vc.jsontext import parse_document
from vc.results import CheckResult
from vc.types import JSONObject, JSONValue
from verifier.check_context import short
from verifier.errors import FetchBlockedError
from verifier.status_results import fetch_blocked, retrieval_failed

__all__ = ["ONE_EDTECH_TYPE", "check_1edtech_entry"]

ONE_EDTECH_TYPE = "1EdTechRevocationList"
#: The largest revocation list read (a list of credential ids, not a bitstring).
MAX_REVOCATION_LIST_BYTES = 2 * 1024 * 1024

#: Fetches a URL's body through the guard (raises a LaurelError on failure).
Fetch = Callable[[str], bytes]


def _id_of(value: JSONValue) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _revoked(value: JSONValue) -> bool:
    # "the value of revoked is true or omitted"; false (or "false") is not revoked.
    return value is not False and not (isinstance(value, str) and value.lower() == "false")


def check_1edtech_entry(
    entry: JSONObject,
    credential: JSONObject,
    fetch: Fetch | None,
    *,
    unreachable: str = "fail",
) -> list[CheckResult]:
    """The checks of one ``1EdTechRevocationList`` status entry of `credential`.

    `fetch` reads the list through the fetch guard (None: fetching is off);
    `unreachable` is the policy for a list that cannot be read (``fail`` or ``warn``).
    """
    url = entry.get("id")
    if not isinstance(url, str) or not url.startswith("https://"):
        return [
            CheckResult.failed(
                "status.malformed",
                "a 1EdTechRevocationList status entry's id must be the https URL of the "
                "issuer's revocation list",
                error="MALFORMED_VALUE_ERROR",
            )
        ]
    credential_id = credential.get("id")
    if not isinstance(credential_id, str):
        return [
            CheckResult.failed(
                "status.malformed",
                "the credential has no id, so the issuer's revocation list cannot name it",
                error="MALFORMED_VALUE_ERROR",
                list=url,
            )
        ]
    listing = _read(url, fetch, unreachable)
    if isinstance(listing, CheckResult):
        return [listing]
    notes = _hygiene(listing, url, credential)
    revoked = listing.get("revokedCredentials")
    if revoked is not None and not isinstance(revoked, list):
        return [
            *notes,
            CheckResult.failed(
                "status.list_invalid",
                f"the revocation list {short(url)} cannot be read: revokedCredentials is not a list",
                error="STATUS_VERIFICATION_ERROR",
                list=url,
            ),
        ]
    for item in revoked or []:
        if not isinstance(item, dict) or item.get("id") != credential_id:
            continue
        if not _revoked(item.get("revoked")):
            continue
        reason = item.get("revocationReason")
        text = "the issuer has revoked this credential"
        details: dict[str, JSONValue] = {"list": url, "purpose": "revocation"}
        if isinstance(reason, str) and reason:
            text += f": {short(reason, 200)}"
            details["revocationReason"] = reason[:200]
        return [*notes, CheckResult.failed("status.revoked", text, **details)]
    return [
        *notes,
        CheckResult.passed(
            "status.revocation",
            "not revoked (checked against the issuer's revocation list, which its own site "
            "serves unsigned)",
            list=url,
            purpose="revocation",
        ),
    ]


def _read(url: str, fetch: Fetch | None, unreachable: str) -> JSONObject | CheckResult:
    def failed(why: str) -> CheckResult:
        message = (
            f"could not confirm the credential's status: the revocation list at {short(url)} "
            f"could not be retrieved ({why}); try again later"
        )
        return retrieval_failed(url, message, unreachable)

    if fetch is None:
        return failed("fetching status lists is turned off")
    try:
        body = fetch(url)
    except FetchBlockedError as exc:
        return fetch_blocked(url, exc)
    except LaurelError as exc:
        return failed(exc.message)
    try:
        return parse_document(body, max_bytes=MAX_REVOCATION_LIST_BYTES)
    except LaurelError as exc:
        return CheckResult.failed(
            "status.list_invalid",
            f"the revocation list {short(url)} is not a readable document: {exc.message}",
            error="STATUS_VERIFICATION_ERROR",
            list=url,
        )


def _hygiene(listing: JSONObject, url: str, credential: JSONObject) -> list[CheckResult]:
    notes: list[CheckResult] = []
    listed_id = listing.get("id")
    if listed_id is not None and listed_id != url:
        notes.append(
            CheckResult.warning(
                "status.list_id_mismatch",
                f"the revocation list fetched from {short(url)} says it is {short(listed_id)}; "
                "its listing was read all the same (the badge names the URL)",
                list=url,
            )
        )
    listed_issuer = _id_of(listing.get("issuer"))
    issuer = _id_of(credential.get("issuer"))
    if listed_issuer is not None and listed_issuer != issuer:
        notes.append(
            CheckResult.warning(
                "status.list_issuer_mismatch",
                f"the revocation list says it is {short(listed_issuer)}'s, not the badge "
                f"issuer {short(issuer)}'s; its listing was read all the same",
                list=url,
            )
        )
    return notes
