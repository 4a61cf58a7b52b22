"""The wallet's pages joined to `laurel serve` (the verifier never imports the wallet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def add_wallet_pages(
    app: Any,
    home: Path,
    *,
    secret: bytes,
    loopback: bool,
    console: bool,
    issuer_token: str | None = None,
    token_keystore: Any = None,
) -> None:
    """Register the holder's pages (and with `console`, the issuer's console) on `app`.

    Uploads are read and verified with the app's own resolver, status checker and
    chains, as the verifier page verifies; `secret` signs the login cookies.
    """
    from ui.i18n import Locale
    from vc.results import VerificationResult
    from verifier import VerificationPolicy, verify_bytes
    from verifier.sources import documents_in
    from verifier.verdict import verdict_of
    from wallet.pages import wallet_blueprint
    from wallet.webauth import Gate

    state = app.extensions["laurel.verifier"]

    def verify(data: bytes) -> VerificationResult:
        policy = VerificationPolicy(
            now=state.clock(), anchor_confirmations=state.anchor_confirmations
        )
        return verify_bytes(
            data,
            policy,
            resolver=state.resolver,
            status_checker=state.status,
            anchors=state.anchors,
        )

    def read_upload(data: bytes) -> list[bytes]:
        return [document for _label, document in documents_in(data)]

    def explain(result: VerificationResult, locale: Locale) -> str:
        return verdict_of(result, locale=locale).sentence

    gate = Gate(secret=secret, loopback=loopback)
    app.register_blueprint(
        wallet_blueprint(
            home,
            gate=gate,
            verify=verify,
            read_upload=read_upload,
            explain=explain,
            issuer_token=issuer_token,
            token_keystore=token_keystore,
        )
    )
    if console:
        from wallet.console import console_blueprint

        app.register_blueprint(console_blueprint(home, gate=gate))
