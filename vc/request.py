"""Presentation requests: what a verifier asks a holder to sign, as JSON or in a QR code.

The shape is the W3C CCG *Verifiable Presentation Request* (VPR), as the VC API uses
it: a ``query`` list (laurel asks with one ``QueryByExample`` for an Open Badges
credential), the ``challenge`` and the ``domain`` that the holder signs into the
presentation's proof, and ``expires``, a member of laurel's own (a VPR may carry more
members) saying until when the verifier accepts an answer::

    {"query": [{"type": "QueryByExample", "credentialQuery": [{"example": {
         "@context": ["https://www.w3.org/ns/credentials/v2",
                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
         "type": "OpenBadgeCredential"}}]}],
     "challenge": "q2J4…", "domain": "hiring.example", "expires": "2026-06-01T12:05:00Z"}

In a QR code a request is an ``LR1:`` payload: the LV1 envelope pipeline of
:mod:`vc.envelope` (terms, CBOR, zlib, base45) under its own prefix, so that a request
is never read as a presentation, nor a presentation as a request.

    >>> import datetime as dt
    >>> expires = dt.datetime(2026, 6, 1, 12, 5, tzinfo=dt.UTC)
    >>> request = PresentationRequest.for_badges("q2J4", "hiring.example", expires)
    >>> payload = request.to_payload()
    >>> payload[:4]
    'LR1:'
    >>> PresentationRequest.from_bytes(payload.encode()) == request
    True
    >>> request.is_expired(expires + EXPIRY_LEEWAY)
    True

Reading is for hostile input (SECURITY.md Q01-Q03): a payload is at most
:data:`MAX_REQUEST_CHARS` and inflates to at most :data:`MAX_REQUEST_BYTES`; the JSON form
is read by :func:`vc.jsontext.parse_document` within :data:`MAX_REQUEST_BYTES`; the
challenge and the domain are short runs of visible ASCII, so no control character reaches
a terminal. Every refusal is a :class:`RequestError` with a stable `code`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final, Literal

from vc.envelope import EnvelopeError, decode_payload, encode_payload
from vc.errors import MalformedDocumentError
from vc.jsonld import CREDENTIALS_V2
from vc.jsontext import parse_document
from vc.openbadges import OB3_CONTEXT
from vc.timestamps import format_datetime_stamp, parse_datetime_stamp
from vc.types import JSONObject, JSONValue

__all__ = [
    "PresentationRequest",
    "RequestError",
    "RequestStage",
    "REQUEST_PREFIX",
    "MAX_REQUEST_CHARS",
    "MAX_REQUEST_BYTES",
    "MAX_QUERIES",
    "MAX_VALUE_CHARS",
    "EXPIRY_LEEWAY",
    "ANSWERABLE_QUERIES",
]

REQUEST_PREFIX: Final = "LR1:"
#: Longest ``LR1:`` payload read (one laurel request is about 200 characters).
MAX_REQUEST_CHARS: Final = 2048
#: Largest request as JSON text, or as CBOR once inflated.
MAX_REQUEST_BYTES: Final = 8 * 1024
#: Most queries one request may hold.
MAX_QUERIES: Final = 8
#: Longest challenge or domain accepted.
MAX_VALUE_CHARS: Final = 256
#: A holder's clock may run this far ahead of the verifier's before a request looks
#: expired to it (the verifier still enforces its own expiry).
EXPIRY_LEEWAY: Final = dt.timedelta(minutes=1)
#: Query types laurel answers: a presentation signed by the holder's DID (DID
#: authentication) of the badges chosen (query by example).
ANSWERABLE_QUERIES: Final = frozenset({"QueryByExample", "DIDAuthentication"})

RequestStage = Literal[
    "read", "image", "unprefix", "base45", "inflate", "cbor", "parse", "fields", "expiry"
]
RequestCode = Literal[
    "request_malformed",
    "request_too_large",
    "request_wrong_prefix",
    "request_unsupported",
    "request_expired",
]

_VALUE: Final = re.compile(rf"[!-~]{{1,{MAX_VALUE_CHARS}}}")  # visible ASCII, no spaces
_QUERY_TYPE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")
_WRAPPER: Final = "verifiablePresentationRequest"  # the VC API's exchange responses


class RequestError(MalformedDocumentError):
    """A presentation request that cannot be answered (unreadable, unsupported, expired...).

    `code` is one of ``request_malformed``, ``request_too_large``,
    ``request_wrong_prefix``, ``request_unsupported`` and ``request_expired``; `stage`
    names where reading stopped (``read``, ``image``, ``unprefix``, ``base45``,
    ``inflate``, ``cbor``, ``parse``, ``fields``, ``expiry``). The message ends with
    both, so the named error is what a user sees.
    """

    hint = "Ask the verifier for the request again: scan its QR code, or copy the text under it."

    def __init__(
        self,
        message: str,
        *,
        code: RequestCode = "request_malformed",
        stage: RequestStage,
        hint: str | None = None,
    ) -> None:
        super().__init__(f"{message} ({code}, stage {stage})", code=code, hint=hint)
        self.stage: RequestStage = stage


def _from_envelope_error(exc: EnvelopeError) -> RequestError:
    message = exc.message.removesuffix(f" (envelope stage: {exc.stage})")
    code: RequestCode = (
        "request_too_large" if exc.code == "envelope_too_large" else "request_malformed"
    )
    stage: RequestStage = "unprefix" if exc.stage == "link" else exc.stage
    return RequestError(f"the request payload is unreadable: {message}", code=code, stage=stage)


def _value(document: JSONObject, name: str, *, required: bool) -> str | None:
    value = document.get(name)
    if value is None:
        if required:
            raise RequestError(f"the request has no {name!r}", stage="fields")
        return None
    if not isinstance(value, str) or _VALUE.fullmatch(value) is None:
        raise RequestError(
            f"the request's {name!r} must be 1 to {MAX_VALUE_CHARS} visible ASCII characters",
            stage="fields",
        )
    return value


def _queries(value: JSONValue | None) -> tuple[JSONObject, ...]:
    # VPR "Query and Response Types": query is one or more maps, each with a string type.
    items = value if isinstance(value, list) else [value] if value is not None else []
    if not items:
        raise RequestError("the request has no 'query'", stage="fields")
    if len(items) > MAX_QUERIES:
        raise RequestError(
            f"the request holds {len(items)} queries (limit {MAX_QUERIES})", stage="fields"
        )
    queries: list[JSONObject] = []
    for item in items:
        kind = item.get("type") if isinstance(item, dict) else None
        if not isinstance(kind, str) or _QUERY_TYPE.fullmatch(kind) is None:
            raise RequestError("each query must be an object with a 'type' name", stage="fields")
        assert isinstance(item, dict)  # noqa: S101 - narrowed above, for mypy
        queries.append(item)
    asked = [str(q["type"]) for q in queries]
    if not ANSWERABLE_QUERIES.intersection(asked):
        raise RequestError(
            f"laurel answers QueryByExample and DIDAuthentication queries, not {', '.join(asked)}",
            code="request_unsupported",
            stage="fields",
            hint="Ask the verifier for an Open Badges presentation request.",
        )
    return tuple(queries)


@dataclass(frozen=True, slots=True)
class PresentationRequest:
    """One verifier's request: the challenge and domain to sign over, and its expiry.

    `query` holds the VPR queries as read (only their ``type`` is interpreted).
    """

    challenge: str
    domain: str | None
    expires: dt.datetime
    query: tuple[JSONObject, ...]

    def __post_init__(self) -> None:
        if self.expires.tzinfo is None:
            raise ValueError("PresentationRequest.expires must be timezone-aware")

    @classmethod
    def for_badges(
        cls, challenge: str, domain: str | None, expires: dt.datetime
    ) -> PresentationRequest:
        """The request laurel's verifier makes: an Open Badges credential, presented by its holder.

        `expires` is kept to the whole second (as it is written).
        """
        example: JSONObject = {
            "@context": [CREDENTIALS_V2, OB3_CONTEXT],
            "type": "OpenBadgeCredential",
        }
        query: JSONObject = {"type": "QueryByExample", "credentialQuery": [{"example": example}]}
        return cls(challenge, domain, expires.replace(microsecond=0), (query,))

    @classmethod
    def from_json(cls, document: JSONObject) -> PresentationRequest:
        """Read a VPR object (bare, or wrapped in ``verifiablePresentationRequest``).

        Raises:
            RequestError: a member is missing or malformed (stage ``fields``), or no
                query is one laurel answers (code ``request_unsupported``).
        """
        if not isinstance(document, dict):
            raise RequestError("a presentation request is a JSON object", stage="parse")
        inner = document.get(_WRAPPER)
        if isinstance(inner, dict):
            document = inner
        queries = _queries(document.get("query"))
        challenge = _value(document, "challenge", required=True)
        assert challenge is not None  # noqa: S101 - required above
        domain = _value(document, "domain", required=False)
        stamp = document.get("expires")
        if not isinstance(stamp, str):
            raise RequestError(
                "the request does not say when it expires ('expires')", stage="fields"
            )
        try:
            expires = parse_datetime_stamp(stamp)
        except ValueError as exc:
            raise RequestError(
                f"the request's 'expires' is not a date: {exc}", stage="fields"
            ) from None
        return cls(challenge, domain, expires, queries)

    @classmethod
    def from_payload(cls, payload: str) -> PresentationRequest:
        """Read an ``LR1:`` payload.

        Raises:
            RequestError: the payload is too long or inflates too far
                (``request_too_large``), has another prefix (``request_wrong_prefix``),
                is damaged at some stage (``request_malformed``), or is not a request.
        """
        if len(payload) > MAX_REQUEST_CHARS:
            raise RequestError(
                f"the request payload is {len(payload)} characters (limit {MAX_REQUEST_CHARS})",
                code="request_too_large",
                stage="unprefix",
            )
        if not payload.startswith(REQUEST_PREFIX):
            raise _wrong_prefix(payload)
        try:
            document = decode_payload(
                payload,
                prefix=REQUEST_PREFIX,
                max_chars=MAX_REQUEST_CHARS,
                max_inflated=MAX_REQUEST_BYTES,
            )
        except EnvelopeError as exc:
            raise _from_envelope_error(exc) from None
        return cls.from_json(document)

    @classmethod
    def from_bytes(cls, data: bytes) -> PresentationRequest:
        """Read a request from what a user hands over: its payload, its JSON, or a picture of its QR code.

        Raises:
            RequestError: as :meth:`from_payload` and :meth:`from_json`; an image without
                exactly one QR code, or one that cannot be read, at stage ``image``.
        """
        if _is_image(data):
            return cls.from_payload(_text_in_image(data))
        if len(data) > MAX_REQUEST_BYTES:
            raise RequestError(
                f"the request is {len(data)} bytes (limit {MAX_REQUEST_BYTES})",
                code="request_too_large",
                stage="read",
            )
        try:
            text = data.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise RequestError("the request is not text (UTF-8)", stage="read") from None
        if text.startswith("{"):
            try:
                document = parse_document(text.encode("utf-8"))
            except MalformedDocumentError as exc:
                raise RequestError(
                    f"the request is not valid JSON: {exc.message}", stage="parse"
                ) from None
            return cls.from_json(document)
        return cls.from_payload(text)

    def to_json(self) -> JSONObject:
        """The VPR object (``query``, ``challenge``, ``domain`` when set, ``expires``)."""
        document: JSONObject = {"query": list(self.query), "challenge": self.challenge}
        if self.domain is not None:
            document["domain"] = self.domain
        document["expires"] = format_datetime_stamp(self.expires)
        return document

    def to_payload(self) -> str:
        """The ``LR1:`` payload for a QR code (alphanumeric mode)."""
        return encode_payload(self.to_json(), prefix=REQUEST_PREFIX, max_chars=MAX_REQUEST_CHARS)

    def is_expired(self, now: dt.datetime) -> bool:
        """Whether `now` is past the expiry, beyond :data:`EXPIRY_LEEWAY`."""
        return now >= self.expires + EXPIRY_LEEWAY

    def require_unexpired(self, now: dt.datetime) -> None:
        """Refuse to answer a request that has expired.

        Raises:
            RequestError: code ``request_expired``.
        """
        if self.is_expired(now):
            minutes = max(1, int((now - self.expires).total_seconds() // 60))
            raise RequestError(
                f"the presentation request expired at {format_datetime_stamp(self.expires)}"
                f" ({minutes} min ago)",
                code="request_expired",
                stage="expiry",
                hint="Ask the verifier for a new request; each one is good for a few minutes.",
            )


def _wrong_prefix(text: str) -> RequestError:
    head = text[:8]
    if head.startswith("LV"):
        message = (
            "this is a credential or presentation (an LV2: payload), not a presentation request"
        )
    else:
        shown = text.split(":", 1)[0][:8] if ":" in text else head
        message = f"not a presentation request: it starts with {shown!r}, not {REQUEST_PREFIX!r}"
    return RequestError(message, code="request_wrong_prefix", stage="unprefix")


def _is_image(data: bytes) -> bool:
    return data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"BM")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )


def _text_in_image(data: bytes) -> str:
    from vc.qr import QRImageError, decode_qr_image  # Pillow and zxing-cpp: only for pictures

    try:
        texts = decode_qr_image(data)
    except QRImageError as exc:
        code: RequestCode = (
            "request_too_large" if exc.code == "image_too_large" else "request_malformed"
        )
        raise RequestError(exc.message, code=code, stage="image") from None
    if not texts:
        raise RequestError("the picture holds no QR code that could be read", stage="image")
    if len(set(texts)) > 1:
        raise RequestError(
            f"the picture holds {len(texts)} different QR codes; take one of the request only",
            stage="image",
        )
    return texts[0].strip()
