"""The holder's pages on loopback: her portfolio with every badge, choosing the public ones, import.

`laurel serve --wallet HOME` adds these under ``/wallet/``: the same pages as the
static portfolio (:mod:`wallet.portfolio`), of every badge, public or not, with a
switch for each, and an upload that imports a badge (a JSON file, a baked badge
image or a photo of its QR code), verified first. Login, sessions and CSRF tokens
come from :mod:`wallet.webauth`; the verification and the reading of uploads are
passed in (the wallet never imports the verifier).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response as WResponse

from ui.i18n import Locale, language_from_header, locale_for
from vc.errors import LaurelError
from vc.results import VerificationResult
from wallet.errors import WrongPassphraseError
from wallet.home import Wallet
from wallet.keystore import Keystore
from wallet.webauth import COOKIE, SESSION_SECONDS, Gate, Session

__all__ = ["PAGE_HEADERS", "guard", "render", "wallet_blueprint"]

#: Every wallet page: this origin only, no framing, no referrer.
PAGE_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # "same-origin", not "no-referrer": with no-referrer a browser sends "Origin: null"
    # on the pages' own forms, and the origin check could not tell them from a stranger's.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
#: The largest upload read (a photo of a QR code; the JSON inside has its own 1 MiB limit).
MAX_UPLOAD: Final = 16 * 1024 * 1024


def locale() -> Locale:
    """The request's locale (``?lang=``, else ``Accept-Language``)."""
    found: Locale | None = g.get("laurel_wallet_locale")
    if found is None:
        found = locale_for(request.args.get("lang")) or language_from_header(
            request.headers.get("Accept-Language")
        )
        g.laurel_wallet_locale = found
    return found


def render(template: str, status: int = 200, **context: Any) -> WResponse:
    """Render one of the wallet's templates in the request's language."""
    from wallet.portfolio import environment

    gate: Gate = g.laurel_gate
    session: Session | None = g.get("laurel_session")
    env = environment(locale())
    env.globals["csrf"] = lambda form: gate.csrf_token(session, form)
    env.globals["url_for"] = url_for
    context.setdefault("console", "laurel_console" in current_app.blueprints)
    html = env.get_template(template).render(
        root="/wallet/", static=False, session=session, locale=locale(), **context
    )
    return Response(html, status=status, mimetype="text/html")


def _forbidden(text: str) -> WResponse:
    return Response(text + "\n", status=403, mimetype="text/plain")


def guard(gate: Gate, *, login_endpoint: str) -> Callable[[], WResponse | None]:
    """The before-request check of a wallet blueprint: host, session, CSRF token on POST."""

    def check() -> WResponse | None:
        g.laurel_gate = gate
        if not gate.host_allowed(request.host):
            return _forbidden("this page answers on loopback only (127.0.0.1 or localhost)")
        session = gate.session_of(request.cookies.get(COOKIE))
        g.laurel_session = session
        if request.method == "POST":
            if not gate.same_origin(
                request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"), request.host
            ):
                return _forbidden("a form from another site was refused")
            form = request.form.get("form", "")
            if not gate.csrf_ok(session, form, request.form.get("csrf")):
                return _forbidden("the form's token is missing or wrong: reload the page")
        public = (login_endpoint, f"{login_endpoint}_post", "laurel_wallet.static")
        if session is None and request.endpoint not in public:
            return redirect(url_for(login_endpoint, next=request.full_path.rstrip("?")))
        return None

    return check


def _headers(response: Response) -> WResponse:
    for name, value in PAGE_HEADERS.items():
        response.headers[name] = value
    response.vary.add("Cookie")
    return response


def _safe_next(value: str | None) -> str:
    # Only a path on this site: never an open redirect.
    if not value or not value.startswith("/") or value.startswith("//") or urlsplit(value).netloc:
        return "/wallet/"
    return value


def wallet_blueprint(
    home: Path,
    *,
    gate: Gate,
    verify: Callable[[bytes], VerificationResult],
    read_upload: Callable[[bytes], list[bytes]],
    explain: Callable[[VerificationResult, Locale], str] | None = None,
    verifier_url: str | None = None,
    issuer_token: str | None = None,
    token_keystore: Keystore | None = None,
) -> Blueprint:
    """The holder's pages (and the login every wallet page shares) for the wallet at `home`.

    `verify` checks a credential before it is imported; `read_upload` turns an
    uploaded file into the credentials it holds; `explain` says in words why one did
    not verify (the verdict's sentence). With `issuer_token`, that token also
    logs in, with `token_keystore` (unlocked at start with LAUREL_PASSPHRASE).
    """
    from wallet.portfolio import badge_pages, baked_png, set_public

    blueprint = Blueprint(
        "laurel_wallet",
        __name__,
        static_folder="static",
        static_url_path="/wallet/assets",
    )
    blueprint.before_request(guard(gate, login_endpoint="laurel_wallet.login"))
    blueprint.after_request(_headers)

    def open_wallet() -> Wallet:
        return Wallet.open(home)

    def pages(wallet: Wallet) -> dict[str, Any]:
        return {page.slug: page for page in badge_pages(wallet, only_public=False)}

    @blueprint.get("/wallet/login")
    def login() -> WResponse:
        with open_wallet() as wallet:
            holder = wallet.identity.name
        return render("login.html", holder=holder, next=_safe_next(request.args.get("next")))

    @blueprint.post("/wallet/login")
    def login_post() -> WResponse:
        secret = request.form.get("secret", "")
        target = _safe_next(request.form.get("next"))
        with open_wallet() as wallet:
            holder = wallet.identity.name
            session = None
            if not gate.may_try():
                return render("login.html", 429, holder=holder, next=target, error="wait")
            if issuer_token and _same(secret, issuer_token) and token_keystore is not None:
                session = gate.open_session(token_keystore, "token")
            else:
                try:
                    keystore = wallet.unlock(secret)
                except WrongPassphraseError:
                    keystore = None
                if keystore is not None:
                    session = gate.open_session(keystore, "passphrase")
        if session is None:
            gate.failed()
            return render("login.html", 401, holder=holder, next=target, error="wrong")
        response = redirect(target, code=303)
        response.set_cookie(
            COOKIE,
            gate.cookie_value(session),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="Strict",
            path="/",
            secure=request.is_secure,
        )
        return response

    @blueprint.post("/wallet/logout")
    def logout() -> WResponse:
        session: Session | None = g.get("laurel_session")
        if session is not None:
            gate.close_session(session)
        response = redirect(url_for(".login"), code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @blueprint.get("/wallet/")
    def index() -> WResponse:
        with open_wallet() as wallet:
            holder = wallet.identity.name
            listed = list(pages(wallet).values())
        return render(
            "wallet_index.html",
            pages=listed,
            holder=holder,
            message=request.args.get("message"),
        )

    @blueprint.get("/wallet/badges/<slug>/")
    def badge(slug: str) -> WResponse:
        with open_wallet() as wallet:
            holder = wallet.identity.name
            page = pages(wallet).get(slug)
        if page is None:
            return Response("no such badge\n", status=404, mimetype="text/plain")
        return render(
            "wallet_badge.html",
            page=page,
            holder=holder,
            verifier_url=verifier_url or request.host_url,
            verify_link=page.verify_link(verifier_url or request.host_url),
            linkedin=page.linkedin(None),
            qr_holds="badge",
        )

    @blueprint.get("/wallet/badges/<slug>/<name>")
    def badge_file(slug: str, name: str) -> WResponse:
        with open_wallet() as wallet:
            page = pages(wallet).get(slug)
        if page is None or name not in ("badge.json", "badge.png", "qr.svg"):
            return Response("not found\n", status=404, mimetype="text/plain")
        if name == "badge.json":
            return Response(page.stored.text, mimetype="application/json")
        if name == "badge.png":
            return Response(baked_png(page.stored, page.card), mimetype="image/png")
        from vc.qr import render_svg

        return Response(render_svg(page.payload), mimetype="image/svg+xml")

    @blueprint.post("/wallet/badges/<slug>/public")
    def choose(slug: str) -> WResponse:
        public = request.form.get("public") == "1"
        with open_wallet() as wallet:
            page = pages(wallet).get(slug)
            if page is None:
                return Response("no such badge\n", status=404, mimetype="text/plain")
            set_public(wallet.store, [page.stored.id], public)
        return redirect(url_for(".index", message="public" if public else "private"), code=303)

    @blueprint.post("/wallet/import")
    def import_upload() -> WResponse:
        from wallet.holder import NotVerifiedError, import_credential

        upload = request.files.get("file")
        data = upload.read(MAX_UPLOAD + 1) if upload is not None and upload.filename else b""
        with open_wallet() as wallet:
            holder = wallet.identity.name
            listed = list(pages(wallet).values())

            def again(status: int, error: str, detail: str | None = None) -> WResponse:
                return render(
                    "wallet_index.html",
                    status,
                    pages=listed,
                    holder=holder,
                    import_error=error,
                    import_detail=detail,
                )

            if not data:
                return again(400, "empty")
            if len(data) > MAX_UPLOAD:
                return again(413, "large")
            try:
                found = read_upload(data)
            except LaurelError as exc:
                return again(400, "unreadable", exc.message)
            if len(found) != 1:
                return again(400, "several")
            try:
                outcome = import_credential(wallet, found[0], verify)
            except NotVerifiedError as exc:
                detail = explain(exc.result, locale()) if explain is not None else None
                return again(422, "not_verified", detail)
            except LaurelError as exc:
                return again(400, "refused", exc.message)
        return redirect(
            url_for(".index", message="imported", badge=outcome.credential.id), code=303
        )

    return blueprint


def _same(given: str, expected: str) -> bool:
    import hmac

    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
