"""Verification methods at ``https://`` URLs: Open Badges 3.0's key documents on the issuer's site.

1EdTech's convention names a key by a fragment of a URL on the issuer's domain
(``https://school.example/issuers/1#key-1``). The key is believed only from a document
the issuer controls (Open Badges 3.0, "Dereferencing the Public Key"; Controlled
Identifiers, "Verification Methods"):

1. the document at the URL (without its fragment) is fetched through the injected
   `fetch` (the verifier passes its guarded fetcher: public addresses only, limits);
2. it is a controller document listing the method under ``verificationMethod`` (or
   ``assertionMethod``), or the key document itself, with that exact id;
3. the method's ``controller`` is the issuer, and the document is the issuer's: on the
   issuer id's origin, or, on another origin, listed by id in the issuer's own profile
   (fetched the same way).

A key spelled in the URL's fragment (``#z6Mk...``) is NOT believed by itself, unlike
did:key: anyone can write a URL with their own key in its fragment (SECURITY rule 4).

    >>> import json
    >>> web = {"https://school.example/issuers/1": json.dumps({
    ...     "id": "https://school.example/issuers/1",
    ...     "verificationMethod": [{"id": "https://school.example/issuers/1#key-1",
    ...         "type": "Multikey", "controller": "https://school.example/issuers/1",
    ...         "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}],
    ...     "assertionMethod": ["https://school.example/issuers/1#key-1"]}).encode()}
    >>> resolve_https_method("https://school.example/issuers/1#key-1",
    ...                      issuer="https://school.example/issuers/1", fetch=web.__getitem__).type
    'Multikey'
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

from vc.did import VerificationMethod, verification_method_from_json
from vc.errors import DidResolutionError, LaurelError
from vc.jsontext import parse_document
from vc.types import JSONObject, JSONValue

__all__ = ["Fetch", "resolve_https_method"]

#: Fetches a URL's body (raises a LaurelError on any failure, as the fetch guard does).
Fetch = Callable[[str], bytes]

_MAX_DOCUMENT = 256 * 1024


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _get(url: str, fetch: Fetch, what: str) -> JSONObject:
    try:
        return parse_document(fetch(url), max_bytes=_MAX_DOCUMENT)
    except LaurelError as exc:
        raise DidResolutionError(
            f"the {what} at {url[:120]} cannot be read: {exc}", code="notFound"
        ) from exc


def _entries(document: JSONObject) -> list[JSONObject]:
    found: list[JSONObject] = []
    for key in ("verificationMethod", "assertionMethod", "authentication"):
        value: JSONValue = document.get(key)
        for item in value if isinstance(value, list) else [value] if value is not None else []:
            if isinstance(item, dict):
                found.append(item)
    return found


def _absolute(ref: str, base: str) -> str:
    return urllib.parse.urljoin(base, ref)


def _find(document: JSONObject, vm_url: str, base: str) -> JSONObject | None:
    own_id = document.get("id")
    has_key = "publicKeyMultibase" in document or "publicKeyJwk" in document
    if isinstance(own_id, str) and has_key and _absolute(own_id, base) == vm_url:
        return document  # the key document itself
    for entry in _entries(document):
        entry_id = entry.get("id")
        if isinstance(entry_id, str) and _absolute(entry_id, base) == vm_url:
            return entry
    return None


def _listed(document: JSONObject, vm_url: str, base: str) -> bool:
    for key in ("verificationMethod", "assertionMethod"):
        value: JSONValue = document.get(key)
        for item in value if isinstance(value, list) else []:
            ref = item.get("id") if isinstance(item, dict) else item
            if isinstance(ref, str) and _absolute(ref, base) == vm_url:
                return True
    return False


def resolve_https_method(vm_url: str, *, issuer: str | None, fetch: Fetch) -> VerificationMethod:
    """The issuer's key named by an ``https://`` verification method URL.

    Raises:
        DidResolutionError: ``invalidDidUrl`` (not https), ``notFound`` (cannot be
            fetched, or not in the document), ``invalidDidDocument`` (not the issuer's:
            another controller, or another origin the issuer's profile does not list),
            or the key errors of :func:`vc.did.verification_method_from_json`.
    """
    parts = urllib.parse.urlsplit(vm_url)
    if parts.scheme != "https" or not parts.netloc or parts.username or parts.password:
        raise DidResolutionError(
            f"{vm_url[:120]!r} is not an https URL of a key document", code="invalidDidUrl"
        )
    if not isinstance(issuer, str) or not issuer:
        raise DidResolutionError("the credential names no issuer", code="invalidDidDocument")
    if _origin(vm_url) != _origin(issuer):
        # On another origin, the issuer's own profile must list the method.
        profile = _get(issuer.partition("#")[0], fetch, "issuer profile")
        if not _listed(profile, vm_url, issuer):
            raise DidResolutionError(
                f"the key {vm_url[:120]} is on another site than the issuer, and the issuer's "
                "profile does not list it",
                code="invalidDidDocument",
            )
    document_url = urllib.parse.urlunsplit(parts._replace(fragment=""))
    document = _get(document_url, fetch, "key document")
    entry = _find(document, vm_url, document_url)
    if entry is None:
        raise DidResolutionError(
            f"the document at {document_url[:120]} does not list {vm_url[:120]}", code="notFound"
        )
    method = verification_method_from_json(vm_url, entry)
    if method.controller != issuer:
        raise DidResolutionError(
            f"the key {vm_url[:120]} is controlled by {method.controller[:80]}, not the issuer",
            code="invalidDidDocument",
        )
    return method
