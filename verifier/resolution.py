"""DID resolution over HTTP(S): ``GET /1.0/identifiers/<DID or DID URL>``.

    >>> from vc.did import DidResolver
    >>> answer = resolve_request("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    ...                          {}, "application/did-resolution", DidResolver())
    >>> answer.status, answer.content_type, answer.body["didResolutionMetadata"]["contentType"]
    (200, 'application/did-resolution', 'application/did+ld+json')

DID Resolution, "DID Resolution HTTP(S) Binding": the DID (or DID URL) is appended
to the endpoint, URL-encoded when options follow; the options are the query string;
the ``Accept`` header asks for a whole result or only the DID document; an error
gives the status its table names. The representation follows the version of the
specification the client asks for:

- ``application/did-resolution`` (the current draft): a JSON result; an error is an
  RFC 9457 object whose ``type`` is ``https://www.w3.org/ns/did#<ERROR>``;
- ``application/ld+json;profile="https://w3id.org/did-resolution"`` (the drafts
  before July 2025): a JSON-LD result with ``"@context":
  "https://w3id.org/did-resolution/v1"``; an error is a keyword (``invalidDid``), as
  in DID Core 1.0, "DID Resolution Metadata";
- ``application/did+ld+json`` / ``application/did+json``: the DID document alone;
- anything else: the JSON result with keyword errors (DID Core 1.0).

A DID URL with a fragment is dereferenced to the verification method it names
(DID Core, "DID URL Dereferencing"): the result holds ``contentStream``,
``dereferencingMetadata`` and ``contentMetadata``.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vc.did import DidResolver
from vc.did_key import KeyFormatOptions, did_key_document
from vc.errors import DidResolutionError, LaurelError
from vc.types import JSONObject, JSONValue

__all__ = ["ResolutionAnswer", "did_from_path", "resolve_request"]

DID_RESOLUTION = "application/did-resolution"
DID_URL_DEREFERENCING = "application/did-url-dereferencing"
LEGACY_RESOLUTION = 'application/ld+json;profile="https://w3id.org/did-resolution"'
LEGACY_DEREFERENCING = 'application/ld+json;profile="https://w3id.org/did-url-dereferencing"'
LEGACY_CONTEXT = "https://w3id.org/did-resolution/v1"
DID_DOCUMENT_TYPES = ("application/did+ld+json", "application/did+json", "application/did")

# DID Resolution, "DID Resolution HTTP(S) Binding": error -> HTTP status; any other: 500.
_STATUS = {
    "invalidDid": 400,
    "invalidDidUrl": 400,
    "invalidOptions": 400,
    "notFound": 404,
    "representationNotSupported": 406,
    "methodNotSupported": 501,
    "featureNotSupported": 501,
}
# The current draft's error types ("Errors"); a keyword it does not list is appended
# to https://www.w3.org/ns/did# as it is.
_TYPE_NAMES = {
    "invalidDid": "INVALID_DID",
    "invalidDidUrl": "INVALID_DID_URL",
    "invalidOptions": "INVALID_OPTIONS",
    "notFound": "NOT_FOUND",
    "representationNotSupported": "REPRESENTATION_NOT_SUPPORTED",
    "methodNotSupported": "METHOD_NOT_SUPPORTED",
    "featureNotSupported": "FEATURE_NOT_SUPPORTED",
    "invalidDidDocument": "INVALID_DID_DOCUMENT",
    "internalError": "INTERNAL_ERROR",
}
# RFC 3986 "pchar" (path), "query" and "fragment" characters; DID Core, "DID URL Syntax".
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
_PATH = re.compile(rf"(?:/{_PCHAR}*)*")
_QUERY_OR_FRAGMENT = re.compile(rf"(?:{_PCHAR}|[/?])*")
_MESSAGE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class ResolutionAnswer:
    """An HTTP answer: status, content type and JSON body."""

    status: int
    content_type: str
    body: JSONObject


def did_from_path(raw_path: str | None, decoded: str) -> str:
    """The DID or DID URL a request names, from its raw path when the server gives it.

    The binding appends the DID as it is, or URL-encoded. A DID that is itself
    percent-encoded in parts (a did:web port, ``%3A``) must not be decoded twice:
    a raw segment with a literal ``:`` was appended as it is; one without was
    URL-encoded and is decoded once. Without the raw path, the server's decoded
    path is all there is.
    """
    prefix = "/1.0/identifiers/"
    if isinstance(raw_path, str) and raw_path.startswith(prefix):
        segment = raw_path[len(prefix) :].split("?", 1)[0]
        return segment if ":" in segment else urllib.parse.unquote(segment)
    return decoded


def _split(identifier: str) -> tuple[str, str, str | None, str | None]:
    # did path-abempty ["?" query] ["#" fragment], the DID being up to the first / ? #.
    rest, hash_sign, fragment = identifier.partition("#")
    rest, question, query = rest.partition("?")
    did, slash, path = rest.partition("/")
    return did, slash + path, (query if question else None), (fragment if hash_sign else None)


def _options(query: Mapping[str, str]) -> KeyFormatOptions:
    experimental = query.get("enableExperimentalPublicKeyTypes", "false")
    if experimental not in ("true", "false"):
        raise DidResolutionError(
            "enableExperimentalPublicKeyTypes is true or false", code="invalidOptions"
        )
    return KeyFormatOptions(
        public_key_format=query.get("publicKeyFormat", "Multikey"),
        enable_experimental_public_key_types=experimental == "true",
    )


def _document(did: str, query: Mapping[str, str], resolver: DidResolver) -> JSONObject:
    if did.startswith("did:key:") or "publicKeyFormat" in query:
        options = _options(query)
        if did.startswith("did:key:"):
            return did_key_document(did, options)
    try:
        return resolver.resolve(did).to_json()
    except DidResolutionError:
        raise
    except LaurelError as exc:  # a did:web host that is blocked, unreachable or sends junk
        raise DidResolutionError(exc.message, code="notFound") from exc


def _negotiate(accept: str) -> str:
    # The first media type of the Accept header laurel can answer in.
    for part in accept.split(","):
        media = part.split(";q=")[0].strip()
        compact = media.replace(" ", "")
        if compact in (LEGACY_RESOLUTION, LEGACY_DEREFERENCING):
            return LEGACY_RESOLUTION
        base = compact.split(";")[0].lower()
        if base in (DID_RESOLUTION, DID_URL_DEREFERENCING):
            return DID_RESOLUTION
        if base in DID_DOCUMENT_TYPES:
            return base
    return "application/json"


def _error(form: str, code: str, message: str) -> JSONValue:
    if form == DID_RESOLUTION:
        name = _TYPE_NAMES.get(code, code)
        detail = message if len(message) <= _MESSAGE_LIMIT else message[:_MESSAGE_LIMIT] + "…"
        return {"type": f"https://www.w3.org/ns/did#{name}", "title": code, "detail": detail}
    return code


def _result(form: str, dereferencing: bool, members: dict[str, Any]) -> ResolutionAnswer:
    body: JSONObject = {}
    if form == LEGACY_RESOLUTION:
        body["@context"] = LEGACY_CONTEXT
    body.update(members)
    if form == LEGACY_RESOLUTION:
        content_type = LEGACY_DEREFERENCING if dereferencing else LEGACY_RESOLUTION
    elif form == DID_RESOLUTION:
        content_type = DID_URL_DEREFERENCING if dereferencing else DID_RESOLUTION
    else:
        content_type = "application/json"
    error = None
    metadata = members.get("dereferencingMetadata" if dereferencing else "didResolutionMetadata")
    if isinstance(metadata, dict):
        error = metadata.get("error")
    code = error.get("title") if isinstance(error, dict) else error
    status = 200 if code is None else _STATUS.get(str(code), 500)
    return ResolutionAnswer(status, content_type, body)


def resolve_request(
    identifier: str, query: Mapping[str, str], accept: str, resolver: DidResolver
) -> ResolutionAnswer:
    """Resolve a DID, or dereference a DID URL, as the HTTP(S) binding asks; never raises."""
    form = _negotiate(accept)
    did, path, did_query, fragment = _split(identifier)
    dereferencing = bool(path) or did_query is not None or fragment is not None
    meta = "dereferencingMetadata" if dereferencing else "didResolutionMetadata"
    try:
        if dereferencing and not (
            _PATH.fullmatch(path)
            and _QUERY_OR_FRAGMENT.fullmatch(did_query or "")
            and _QUERY_OR_FRAGMENT.fullmatch(fragment or "")
        ):
            raise DidResolutionError(
                f"{identifier[:120]!r} is not a DID URL (RFC 3986 characters only)",
                code="invalidDidUrl",
            )
        document = _document(did, query, resolver)
        if not dereferencing:
            if form in DID_DOCUMENT_TYPES:
                return ResolutionAnswer(200, form, document)
            return _result(
                form,
                False,
                {
                    "didDocument": document,
                    "didResolutionMetadata": {"contentType": "application/did+ld+json"},
                    "didDocumentMetadata": {},
                },
            )
        content = _dereference(document, identifier, path, did_query, fragment)
    except DidResolutionError as exc:
        members: dict[str, Any] = {meta: {"error": _error(form, exc.code, exc.message)}}
        if form != DID_RESOLUTION:
            members[meta]["errorMessage"] = exc.message[:_MESSAGE_LIMIT]
        if dereferencing:
            members.update({"contentStream": None, "contentMetadata": {}})
        else:
            members.update({"didDocument": None, "didDocumentMetadata": {}})
        return _result(form, dereferencing, members)
    return _result(
        form,
        True,
        {
            "contentStream": content,
            "dereferencingMetadata": {"contentType": "application/did+ld+json"},
            "contentMetadata": {},
        },
    )


def _dereference(
    document: JSONObject, identifier: str, path: str, query: str | None, fragment: str | None
) -> JSONObject:
    # DID Core, "DID URL Dereferencing": a fragment names a secondary resource of the
    # DID document; laurel's DID documents have no services, paths or versions.
    if path or query is not None:
        raise DidResolutionError(
            f"{identifier[:120]!r}: laurel dereferences only fragments of DID URLs", code="notFound"
        )
    wanted = f"{document.get('id')}#{fragment}"
    for key in ("verificationMethod", "keyAgreement", "authentication", "assertionMethod"):
        entries = document.get(key)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("id") == wanted:
                method: JSONObject = {"@context": document.get("@context")}
                method.update(entry)
                return method
    raise DidResolutionError(f"{wanted[:160]!r} is not in the DID document", code="notFound")
