"""The issuer's side of `laurel serve`: hosted status lists, did.json, the issuing API.

`laurel serve --wallet HOME` adds this blueprint to the verifier's app (the
verifier never imports the wallet; the CLI joins them):

- ``GET <base path>/status/...``: the wallet's signed status lists, with an ETag
  and a short ``Cache-Control: max-age`` (30 s; verifiers revalidate with an ETag).
- ``GET /.well-known/did.json``: the DID document, for a did:web issuer.
- With an issuer token (``--issuer-token`` / ``LAUREL_ISSUER_TOKEN``) only:
  ``POST /credentials/issue`` and ``POST /credentials/status`` (VC-API), bearer
  token compared in constant time; without a token these routes do not exist.
  A refused credential gets 400 problem details listing every problem.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Response, request

from vc.errors import LaurelError, MalformedDocumentError
from vc.issuance import IssuanceRefusedError
from vc.jsontext import parse_document
from vc.results import CheckResult
from vc.types import JSONObject, JSONValue
from wallet.badge import IssuedCheck
from wallet.home import Wallet
from wallet.keystore import Keystore

__all__ = ["MIN_TOKEN_LENGTH", "TOKEN_ADVICE", "issuer_blueprint", "token_problem"]

_STATUS_TTL_SECONDS = 300
#: How long a verifier may use a list before asking again (a 304 is cheap).
_STATUS_MAX_AGE_SECONDS = 30
#: The shortest issuer token accepted (12 URL-safe random characters carry 72 bits).
MIN_TOKEN_LENGTH = 12
#: How to make a good token, for every message that refuses one.
TOKEN_ADVICE = 'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'  # noqa: S105 -- advice, not a secret
# VC Data Model 2.0, "Problem Details"; VC-API, "Error Handling".
_MALFORMED = "https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR"
_UNKNOWN_OPTION = "https://www.w3.org/TR/vcalm#UNKNOWN_OPTION_PROVIDED"
_PROBLEM_BASE = "https://laurel.dev/problems/"


def token_problem(token: str) -> str | None:
    """Why `token` cannot guard the issuing API; None when it can."""
    if not token or not token.strip():
        return "the issuer token is empty"
    if any(c.isspace() or not c.isprintable() for c in token):
        return "the issuer token holds spaces or control characters (it travels in a header)"
    if len(token) < MIN_TOKEN_LENGTH:
        return f"the issuer token has {len(token)} characters; use at least {MIN_TOKEN_LENGTH}"
    return None


def _json(body: object, status: int = 200, content_type: str = "application/json") -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, content_type=content_type)


def _problem(
    status: int, title: str, detail: str, *, type_: str = "about:blank", **extra: JSONValue
) -> Response:
    problem: dict[str, JSONValue] = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
    }
    problem.update(extra)
    return _json(problem, status, "application/problem+json")


def _problem_type(check: CheckResult) -> str:
    if check.id == "format.options" and "is not an issue option" in check.message:
        return _UNKNOWN_OPTION
    if check.group == "format":
        return _MALFORMED
    return _PROBLEM_BASE + check.id


def _refusal(exc: IssuanceRefusedError) -> Response:
    errors: list[JSONValue] = []
    for check in exc.problems:
        path = check.details.get("path")
        errors.append(
            {
                "type": _problem_type(check),
                "title": check.id,
                "detail": check.message,
                "path": path if isinstance(path, str) else "",
            }
        )
    return _problem(
        400,
        "The credential cannot be issued",
        exc.message,
        type_=_MALFORMED,
        errors=errors,
        hint=exc.hint,
    )


def issuer_blueprint(
    home: Path,
    *,
    passphrase: str | None,
    token: str | None,
    clock: Callable[[], dt.datetime] | None = None,
    check: IssuedCheck | None = None,
) -> Blueprint:
    """The blueprint serving `home`'s lists and DID document (and, with a token, the issuing API).

    `check` verifies every credential after signing (``laurel serve`` passes
    :func:`verifier.issued.verify_issued`; without it, the signature is verified).

    Raises:
        WalletNotFoundError: there is no wallet at `home`.
        ValueError: a token is given without a passphrase (issuing needs the key), or
            the token is empty, blank or short (see :func:`token_problem`).
    """
    if token is not None:
        problem = token_problem(token)
        if problem is not None:
            raise ValueError(f"{problem}; {TOKEN_ADVICE}")
        if not passphrase:
            raise ValueError("the issuing API needs the wallet passphrase (LAUREL_PASSPHRASE)")
    now = clock or (lambda: dt.datetime.now(dt.UTC))
    with Wallet.open(home) as probe:
        base_url = probe.identity.base_url
        did = probe.identity.did
    base_path = urllib.parse.urlparse(base_url).path.rstrip("/") if base_url else ""
    blueprint = Blueprint("laurel_issuer", __name__)
    unlocked: dict[str, Keystore] = {}
    lock = threading.Lock()

    def open_wallet(*, keys: bool) -> Wallet:
        wallet = Wallet.open(home)
        if keys:
            with lock:
                if "keystore" not in unlocked:
                    unlocked["keystore"] = wallet.unlock(passphrase or "")
            wallet.attach_keystore(unlocked["keystore"])
        return wallet

    @blueprint.get(f"{base_path}/status/<path:rest>")
    def status_list(rest: str) -> Response:
        from wallet.status import published_lists

        with open_wallet(keys=False) as wallet:
            lists = published_lists(wallet.store)
        text = lists.get(f"status/{rest}")
        if text is None:
            return _problem(404, "Not Found", "no such status list")
        etag = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
        if request.if_none_match.contains(etag):
            response = Response(status=304)
        else:
            response = Response(text, content_type="application/vc+ld+json")
        response.set_etag(etag)
        # A short max-age: verifiers revalidate with If-None-Match (an ETag answers 304)
        # and see a revocation within half a minute; the list's ttl still bounds how
        # long they may use it when this host is down.
        response.headers["Cache-Control"] = f"public, max-age={_STATUS_MAX_AGE_SECONDS}"
        return response

    if did.startswith("did:web:"):

        @blueprint.get("/.well-known/did.json")
        def did_document() -> Response:
            with open_wallet(keys=False) as wallet:
                return _json(wallet.did_document(), content_type="application/did+ld+json")

    if token is None:
        return blueprint
    expected = token.encode("utf-8")

    def authorized() -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        presented = given.strip().encode("utf-8")
        # Compared only when both are non-empty, and then in constant time.
        if scheme.lower() != "bearer" or not presented or not expected:
            return False
        return hmac.compare_digest(presented, expected)

    def body() -> JSONObject:
        if request.mimetype != "application/json":
            raise MalformedDocumentError(
                "send the request as application/json", code="unsupported_media_type"
            )
        return parse_document(request.get_data(cache=False))

    @blueprint.post("/credentials/issue")
    def issue() -> Response:
        if not authorized():
            return _problem(401, "Unauthorized", "a valid bearer token is required")
        from wallet.vcapi import issue_given_credential

        try:
            payload = body()
            credential = payload.get("credential")
            if not isinstance(credential, dict):
                return _problem(400, "Bad Request", "the body needs a `credential` object")
            with open_wallet(keys=True) as wallet:
                stored = issue_given_credential(
                    wallet,
                    passphrase or "",
                    credential,
                    payload.get("options"),
                    now=now(),
                    check=check,
                )
        except IssuanceRefusedError as exc:
            return _refusal(exc)
        except MalformedDocumentError as exc:
            status = {"too_large": 413, "unsupported_media_type": 415}.get(exc.code, 400)
            return _problem(
                status, "The request body cannot be read", f"{exc.message} ({exc.hint})"
            )
        except LaurelError as exc:
            return _problem(400, type(exc).__name__, f"{exc.message} ({exc.hint})")
        return _json({"verifiableCredential": stored.document}, 201)

    @blueprint.post("/credentials/status")
    def update_status() -> Response:
        if not authorized():
            return _problem(401, "Unauthorized", "a valid bearer token is required")
        from wallet.status import set_status

        try:
            payload = body()
            credential_id = payload.get("credentialId")
            wanted = payload.get("credentialStatus")
            entries = wanted if isinstance(wanted, list) else [wanted]
            if not isinstance(credential_id, str) or not all(isinstance(e, dict) for e in entries):
                return _problem(
                    400, "Bad Request", "the body needs credentialId and credentialStatus"
                )
            with open_wallet(keys=True) as wallet:
                for entry in (e for e in entries if isinstance(e, dict)):
                    purpose = entry.get("statusPurpose")
                    value = entry.get("status", True)
                    if purpose not in ("revocation", "suspension") or not isinstance(value, bool):
                        return _problem(
                            400, "Bad Request", "statusPurpose is revocation or suspension"
                        )
                    set_status(
                        wallet, passphrase or "", credential_id, str(purpose), value, now=now()
                    )
        except LaurelError as exc:
            return _problem(400, type(exc).__name__, f"{exc.message} ({exc.hint})")
        return Response(status=200)

    return blueprint
