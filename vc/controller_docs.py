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
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from vc._did_document import VerificationMethod, verification_method_from_json
from vc.errors import DidResolutionError, LaurelError
from vc.jsontext import parse_document
from vc.types import JSONObject, JSONValue

__all__ = [
    "Fetch",
    "HttpsController",
    "KeyDocumentError",
    "issuer_profile_jwks",
    "resolve_https_controller",
    "resolve_https_jwk",
    "resolve_https_method",
]

#: Fetches a URL's body (raises a LaurelError on any failure, as the fetch guard does).
Fetch = Callable[[str], bytes]

_MAX_DOCUMENT = 256 * 1024


class KeyDocumentError(DidResolutionError):
    """An ``https://`` key laurel will not believe, with why as `reason`.

    `reason` is ``invalid_url`` (not an https URL), ``unavailable`` (the document cannot be fetched or read),
    ``not_listed`` (the document does not hold that key), ``not_issuers`` (the
    document or the key is not the issuer's) or ``invalid_key`` (unreadable key).
    """

    def __init__(self, message: str, *, reason: str, code: str = "notFound") -> None:
        super().__init__(message, code=code)
        self.reason = reason


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _get(url: str, fetch: Fetch, what: str) -> JSONObject:
    try:
        return parse_document(fetch(url), max_bytes=_MAX_DOCUMENT)
    except LaurelError as exc:
        raise KeyDocumentError(
            f"the {what} at {url[:120]} cannot be read: {exc}", reason="unavailable"
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
        raise KeyDocumentError(
            f"{vm_url[:120]!r} is not an https URL of a key document",
            reason="invalid_url",
            code="invalidDidUrl",
        )
    if not isinstance(issuer, str) or not issuer:
        raise KeyDocumentError(
            "the credential names no issuer", reason="not_issuers", code="invalidDidDocument"
        )
    if _origin(vm_url) != _origin(issuer):
        # On another origin, the issuer's own profile must list the method.
        profile = _get(issuer.partition("#")[0], fetch, "issuer profile")
        if not _listed(profile, vm_url, issuer):
            raise KeyDocumentError(
                f"the key {vm_url[:120]} is on another site than the issuer, and the issuer's "
                "profile does not list it",
                reason="not_issuers",
                code="invalidDidDocument",
            )
    document_url = urllib.parse.urlunsplit(parts._replace(fragment=""))
    document = _get(document_url, fetch, "key document")
    entry = _find(document, vm_url, document_url)
    if entry is None:
        raise KeyDocumentError(
            f"the document at {document_url[:120]} does not list {vm_url[:120]}",
            reason="not_listed",
        )
    try:
        method = verification_method_from_json(vm_url, entry)
    except DidResolutionError as exc:
        raise KeyDocumentError(exc.message, reason="invalid_key", code=exc.code) from exc
    if method.controller != issuer:
        raise KeyDocumentError(
            f"the key {vm_url[:120]} is controlled by {method.controller[:80]}, not the issuer",
            reason="not_issuers",
            code="invalidDidDocument",
        )
    return method


@dataclass(frozen=True, slots=True)
class HttpsController:
    """The issuer's controller document, as far as the proof's key binding needs it.

    `relationships` holds the absolute method ids listed under each verification
    relationship (``assertionMethod``, ``authentication``...).
    """

    id: str
    relationships: Mapping[str, tuple[str, ...]]

    def relationship(self, name: str) -> tuple[str, ...]:
        """The method ids listed under `name` (as :meth:`vc.did.DidDocument.relationship`)."""
        return self.relationships.get(name, ())


def _relationships(document: JSONObject, base: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for name in _RELATIONSHIPS:
        value: JSONValue = document.get(name)
        refs = [item.get("id") if isinstance(item, dict) else item for item in _list(value)]
        found[name] = tuple(_absolute(ref, base) for ref in refs if isinstance(ref, str))
    return found


def _list(value: JSONValue) -> list[JSONValue]:
    return value if isinstance(value, list) else [] if value is None else [value]


_RELATIONSHIPS = ("assertionMethod", "authentication", "capabilityInvocation")


def resolve_https_controller(
    vm_url: str, *, issuer: str | None, fetch: Fetch
) -> tuple[VerificationMethod, HttpsController]:
    """The issuer's key named by an ``https://`` URL, and the issuer's controller document.

    Data Integrity, "Retrieve Verification Method", and Controlled Identifiers,
    "Verification Relationships": the key must be the issuer's (as for
    :func:`resolve_https_method`), and it is authorized for a proof purpose only when
    the controller document lists it under that relationship. The controller
    document is the one at the issuer's id (fetched once more when the key lives in
    another document).

    Raises:
        KeyDocumentError: with a `reason` (see the class).
    """
    method = resolve_https_method(vm_url, issuer=issuer, fetch=fetch)
    assert issuer is not None  # noqa: S101 (resolve_https_method refused a missing issuer)
    controller_url = issuer.partition("#")[0]
    controller = _get(controller_url, fetch, "issuer's controller document")
    if controller.get("id") not in (issuer, controller_url):
        raise KeyDocumentError(
            f"the document at {controller_url[:120]} describes {str(controller.get('id'))[:80]}, "
            "not the issuer",
            reason="not_issuers",
            code="invalidDidDocument",
        )
    return method, HttpsController(issuer, _relationships(controller, controller_url))


_PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def _jwk_of(entry: JSONObject, vm_url: str) -> JSONObject | None:
    # The public JWK as written (an RSA key too: the JOSE layer decides what it accepts).
    if isinstance(entry.get("kty"), str):
        return {k: v for k, v in entry.items() if k not in _PRIVATE_JWK_MEMBERS}
    jwk = entry.get("publicKeyJwk")
    if isinstance(jwk, dict) and isinstance(jwk.get("kty"), str):
        return {k: v for k, v in jwk.items() if k not in _PRIVATE_JWK_MEMBERS}
    if "publicKeyMultibase" in entry:
        method = verification_method_from_json(vm_url, entry)
        return dict(method.public_key.to_jwk())
    return None


def resolve_https_jwk(kid: str, *, issuer: str | None, fetch: Fetch) -> JSONObject:
    """The public JWK a VC-JWT's ``kid`` names at an ``https://`` URL, if it is the issuer's.

    Open Badges 3.0, "Create the JOSE Header": ``kid`` "can be dereferenced to an
    object of type JWK". The document may be the JWK itself, a JWK Set (the key whose
    ``kid`` is the URL or its fragment), or a controller document. It is believed only
    from the issuer's own site, as for :func:`resolve_https_method`; a key in a
    controller document must also name the issuer as its controller.

    Raises:
        KeyDocumentError: with a `reason` (see the class).
    """
    parts = urllib.parse.urlsplit(kid)
    if parts.scheme != "https" or not parts.netloc or parts.username or parts.password:
        raise KeyDocumentError(f"{kid[:120]!r} is not an https URL", reason="invalid_url")
    if not isinstance(issuer, str) or not issuer:
        raise KeyDocumentError("the credential names no issuer", reason="not_issuers")
    if _origin(kid) != _origin(issuer):
        profile = _get(issuer.partition("#")[0], fetch, "issuer profile")
        if not _listed(profile, kid, issuer):
            raise KeyDocumentError(
                f"the key {kid[:120]} is on another site than the issuer, and the issuer's "
                "profile does not list it",
                reason="not_issuers",
            )
    document_url = urllib.parse.urlunsplit(parts._replace(fragment=""))
    document = _get(document_url, fetch, "key document")
    keys = document.get("keys")
    candidates: list[JSONObject] = []
    if isinstance(keys, list):  # a JWK Set
        wanted = {kid, parts.fragment} - {""}
        candidates = [k for k in keys if isinstance(k, dict) and k.get("kid") in wanted]
    elif isinstance(document.get("kty"), str):
        candidates = [document] if document.get("kid") in (None, kid, parts.fragment) else []
    else:
        entry = _find(document, kid, document_url)
        if entry is not None:
            if entry.get("controller") != issuer:
                raise KeyDocumentError(
                    f"the key {kid[:120]} is controlled by {str(entry.get('controller'))[:80]}, "
                    "not the issuer",
                    reason="not_issuers",
                )
            candidates = [entry]
    if len(candidates) != 1:
        raise KeyDocumentError(
            f"the document at {document_url[:120]} does not hold exactly one key {kid[:120]}",
            reason="not_listed",
        )
    try:
        jwk = _jwk_of(candidates[0], kid)
    except (DidResolutionError, ValueError) as exc:
        raise KeyDocumentError(
            f"the key {kid[:120]} is unreadable: {exc}", reason="invalid_key"
        ) from exc
    if jwk is None:
        raise KeyDocumentError(f"the key {kid[:120]} is not a JWK", reason="invalid_key")
    return jwk


def issuer_profile_jwks(issuer: str, *, fetch: Fetch) -> list[JSONObject]:
    """The public JWKs the issuer's own profile lists for issuing (``assertionMethod``).

    For a VC-JWT that carries its key in the header (``jwk``) with no ``kid``: the key
    is the issuer's only if the issuer's profile, at the issuer's id, lists it.

    Raises:
        KeyDocumentError: ``unavailable`` when the profile cannot be read.
    """
    url = issuer.partition("#")[0]
    profile = _get(url, fetch, "issuer profile")
    authorized = set(_relationships(profile, url)["assertionMethod"])
    found: list[JSONObject] = []
    for entry in _entries(profile):
        entry_id = entry.get("id")
        if not isinstance(entry_id, str) or _absolute(entry_id, url) not in authorized:
            continue
        if entry.get("controller") != issuer:
            continue
        try:
            jwk = _jwk_of(entry, _absolute(entry_id, url))
        except (DidResolutionError, ValueError):
            continue
        if jwk is not None:
            found.append({**jwk, "kid": _absolute(entry_id, url)})
    return found
