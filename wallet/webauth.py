"""Who may use the wallet's pages: a login, a session cookie, CSRF tokens, loopback hosts.

The holder's pages and the issuer's console (`laurel serve --wallet HOME`) act for
the wallet's owner, so every page asks for a login first: the wallet's passphrase
(checked by unlocking the keystore, which the session then keeps in this process's
memory) or, for the console, the issuer token. The session is a random id and its
start in a signed, ``HttpOnly``, ``SameSite=Strict`` cookie; every form carries a CSRF token
bound to that session and to its form, and a POST whose ``Origin`` or
``Sec-Fetch-Site`` says it comes from another site is refused before it is read.
On loopback, a request naming another ``Host`` is refused (a DNS-rebinding page
cannot drive the wallet).

    >>> gate = Gate(secret=b"k" * 32, loopback=True)
    >>> gate.host_allowed("127.0.0.1:8080"), gate.host_allowed("evil.example:8080")
    (True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from wallet.keystore import Keystore

__all__ = ["COOKIE", "SESSION_SECONDS", "Gate", "Session"]

COOKIE: Final = "laurel_wallet"
#: A login lasts this many seconds.
SESSION_SECONDS: Final = 8 * 3600
#: At most this many failed logins per minute (Argon2id is slow anyway; this stops a loop).
MAX_FAILED_PER_MINUTE: Final = 10
_LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@dataclass(slots=True)
class Session:
    """One logged-in browser: its id, how it logged in, and the keystore it unlocked here.

    The cookie alone proves the login (every worker knows the secret); the unlocked
    keystore lives only in the process that checked the passphrase (`--console`
    runs one), and is None elsewhere.
    """

    sid: str
    via: str
    started: float
    keystore: Keystore | None = None


class Gate:
    """Logins, sessions and CSRF tokens for one `laurel serve` (thread-safe).

    `secret` signs cookies and tokens (made by the CLI before the server forks its workers, so
    every worker shares it); `loopback` limits the Host header to loopback names;
    `clock` gives wall-clock seconds (a cookie outlives a process).
    """

    def __init__(
        self,
        *,
        secret: bytes,
        loopback: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < 32:
            raise ValueError("the gate's secret needs 32 bytes")
        self._secret = secret
        self._loopback = loopback
        self._clock = clock
        self._lock = threading.Lock()
        self._keystores: dict[str, Keystore] = {}
        self._closed: set[str] = set()
        self._failures: list[float] = []

    # -- hosts and origins -------------------------------------------------------

    def host_allowed(self, host: str | None) -> bool:
        """Whether a request's Host may reach the wallet's pages."""
        if not self._loopback:
            return True
        if not host:
            return False
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in _LOOPBACK_HOSTS

    @staticmethod
    def same_origin(origin: str | None, fetch_site: str | None, host: str | None) -> bool:
        """Whether a POST may come from this site: no header says it comes from another.

        Browsers send both on a POST; a client that sends neither still needs the
        form's CSRF token. ``Origin: null`` (a sandboxed frame, a file) is another site.
        """
        if fetch_site is not None:
            return fetch_site in ("same-origin", "none")
        if origin is None:
            return True
        return origin != "null" and urlsplit(origin).netloc.lower() == (host or "").lower()

    # -- the cookie ----------------------------------------------------------------

    def _sign(self, value: str) -> str:
        return hmac.new(self._secret, value.encode("ascii"), hashlib.sha256).hexdigest()

    def cookie_value(self, session: Session) -> str:
        """The cookie that proves `session`: id, start, how, and their signature."""
        body = f"{session.sid}.{int(session.started)}.{session.via}"
        return f"{body}.{self._sign('session:' + body)}"

    def session_of(self, cookie: str | None) -> Session | None:
        """The session a cookie proves, else None (forged, expired, or logged out)."""
        parts = (cookie or "").split(".")
        if len(parts) != 4 or not parts[1].isdigit():
            return None
        body = ".".join(parts[:3])
        if not hmac.compare_digest(parts[3], self._sign("session:" + body)):
            return None
        sid, started, via = parts[0], int(parts[1]), parts[2]
        if not 0 <= self._clock() - started <= SESSION_SECONDS:
            return None
        with self._lock:
            if sid in self._closed:
                return None
            return Session(sid, via, started, self._keystores.get(sid))

    def open_session(self, keystore: Keystore | None, via: str) -> Session:
        """A new session (after a successful login); its keystore stays in this process."""
        session = Session(secrets.token_urlsafe(18), via, self._clock(), keystore)
        if keystore is not None:
            with self._lock:
                self._keystores[session.sid] = keystore
        return session

    def close_session(self, session: Session) -> None:
        """Log out: this process forgets the session's keystore and refuses its cookie."""
        with self._lock:
            self._keystores.pop(session.sid, None)
            self._closed.add(session.sid)

    # -- CSRF ------------------------------------------------------------------------

    def csrf_token(self, session: Session | None, form: str) -> str:
        """The token `form` must carry in `session` (before login: bound to the form alone)."""
        sid = session.sid if session is not None else "anonymous"
        return self._sign(f"csrf:{sid}:{form}")

    def csrf_ok(self, session: Session | None, form: str, given: str | None) -> bool:
        """Whether `given` is the token of `form` in `session`."""
        return bool(given) and hmac.compare_digest(given or "", self.csrf_token(session, form))

    # -- failed logins -------------------------------------------------------------------

    def may_try(self) -> bool:
        """Whether another login may be tried now (at most MAX_FAILED_PER_MINUTE failures)."""
        now = self._clock()
        with self._lock:
            self._failures = [t for t in self._failures if now - t < 60]
            return len(self._failures) < MAX_FAILED_PER_MINUTE

    def failed(self) -> None:
        """Count a failed login."""
        with self._lock:
            self._failures.append(self._clock())
