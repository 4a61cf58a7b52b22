"""The HTTP the wallet's OpenID4VC clients are given (the CLI passes the fetch guard's).

The wallet never imports the verifier; ``verifier.guarded_http.GuardedHttp`` fits
this Protocol, and tests may pass any other real client.
"""

from __future__ import annotations

import json
from typing import Protocol

from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document
from vc.types import JSONObject
from wallet.errors import WalletError

__all__ = ["Answer", "Http", "ProtocolError", "json_body"]


class Answer(Protocol):
    """What an HTTP exchange gave back."""

    @property
    def status(self) -> int:
        """The HTTP status."""
        ...

    @property
    def content_type(self) -> str:
        """The Content-Type header."""
        ...

    @property
    def body(self) -> bytes:
        """The body."""
        ...


class Http(Protocol):
    """GET and POST, guarded by the caller's policy (addresses, size, time, no redirects)."""

    def get(self, url: str, *, accept: str = "application/json") -> Answer:
        """GET `url`."""
        ...

    def post(
        self,
        url: str,
        body: bytes,
        *,
        content_type: str,
        headers: dict[str, str] | None = None,
        accept: str = "application/json",
    ) -> Answer:
        """POST `body` to `url`."""
        ...


class ProtocolError(WalletError):
    """The other side of an OpenID4VC exchange answered wrongly, or refused (its `error` kept)."""

    def __init__(self, message: str, *, error: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.error = error


def json_body(answer: Answer, what: str) -> JSONObject:
    """The answer's JSON object; a 4xx OAuth error becomes a :class:`ProtocolError` naming it.

    Raises:
        ProtocolError: an error status, or a body that is not one JSON object.
    """
    try:
        body = parse_document(answer.body)
    except MalformedDocumentError as exc:
        raise ProtocolError(f"{what} answered HTTP {answer.status} with no JSON object") from exc
    if not 200 <= answer.status < 300:
        error = body.get("error")
        description = body.get("error_description")
        raise ProtocolError(
            f"{what} refused (HTTP {answer.status}): {error}"
            + (f" ({str(description)[:200]})" if description else ""),
            error=str(error) if error is not None else None,
        )
    return body


def dumps(value: object) -> str:
    """Compact JSON, as OAuth form parameters carry it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
