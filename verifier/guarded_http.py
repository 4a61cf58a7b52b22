"""GET and POST through the fetch guard, for the OpenID4VC clients (``laurel receive``, ``present --request``).

The wallet side of OID4VCI and OID4VP talks to servers a QR code named: the issuer's
metadata, token, nonce and credential endpoints, the verifier's ``request_uri`` and
``response_uri``. Every request goes through :class:`verifier.fetch.Fetcher`'s guard
(public addresses only unless allowed, checked after DNS and connected to by the
checked address, one deadline, a body cap). Redirects are never followed: OID4VP 1.0,
"HTTP Redirects", asks wallets to treat them as errors, and a POST must not be
replayed elsewhere. OAuth error answers (4xx with a JSON body) are returned, not raised,
so their ``error`` can be shown.

    >>> client = GuardedHttp.from_env()
    >>> client.get("http://127.0.0.1:9/x")
    Traceback (most recent call last):
    ...
    verifier.errors.FetchBlockedError: refused to fetch 'http://127.0.0.1:9/x': it resolves to a private or loopback address
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from verifier.errors import FetchFailedError
from verifier.fetch import Fetcher, FetchPolicy

__all__ = ["MAX_RESPONSE_BYTES", "GuardedHttp", "HttpAnswer"]

#: The largest answer read from an OpenID4VC endpoint (a credential, a request object).
MAX_RESPONSE_BYTES = 1024 * 1024
# OAuth error answers (4xx with a JSON body) are returned, not raised.
_CLIENT_ERRORS = frozenset(range(400, 500))


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """A status, the content type and the body of an answer."""

    status: int
    content_type: str
    body: bytes


class GuardedHttp:
    """The OpenID4VC clients' HTTP: GET and POST, guarded, no redirects, 1 MiB answers."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher

    @classmethod
    def from_env(cls, *, allow_private_network: bool = False) -> GuardedHttp:
        """The default guard (``LAUREL_ALLOW_PRIVATE_NETWORK=1`` or the flag allow loopback)."""
        overrides = {"allow_private_network": True} if allow_private_network else {}
        return cls(Fetcher(FetchPolicy.from_env(**overrides)))

    def _send(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        accept: str,
    ) -> HttpAnswer:
        try:
            found = self._fetcher.request(
                method,
                url,
                body=body,
                headers=headers,
                accept=accept,
                max_bytes=MAX_RESPONSE_BYTES,
                follow_redirects=False,
                also_accept=_CLIENT_ERRORS,
            )
        except FetchFailedError as exc:
            if "answered with a redirect" in exc.message:
                raise FetchFailedError(
                    f"{url[:120]} answered with a redirect, which OpenID4VC clients do not follow",
                    hint="The server must answer directly (OID4VP 1.0, 'HTTP Redirects').",
                ) from exc
            raise
        return HttpAnswer(found.status, found.content_type, found.body)

    def get(self, url: str, *, accept: str = "application/json") -> HttpAnswer:
        """GET `url` through the guard.

        Raises:
            FetchBlockedError: the guard refused the address; nothing was sent.
            FetchFailedError: the request failed (5xx, too large, a redirect, the deadline).
        """
        return self._send("GET", url, None, {}, accept)

    def post(
        self,
        url: str,
        body: bytes,
        *,
        content_type: str,
        headers: Mapping[str, str] | None = None,
        accept: str = "application/json",
    ) -> HttpAnswer:
        """POST `body` to `url` through the guard (a 4xx answer is returned with its body).

        Raises:
            FetchBlockedError: the guard refused the address; nothing was sent.
            FetchFailedError: the request failed (5xx, too large, a redirect, the deadline).
        """
        return self._send(
            "POST", url, body, {"Content-Type": content_type, **(headers or {})}, accept
        )
