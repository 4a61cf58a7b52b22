"""The OID4VCI Credential Offer of one issued badge: its link, its PIN and its expiry.

``laurel offer`` makes it: the offer (a pre-authorized code and a PIN, kept as
hashes by :class:`wallet.offers.OfferBook`) and its ``openid-credential-offer://``
link, which names this wallet's Credential Issuer Identifier and the credential
configurations offered. The holder's wallet redeems it at the routes of
:mod:`wallet.oid4vci` (``laurel serve --wallet HOME``).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vc.types import JSONObject
from wallet.home import Wallet
from wallet.offers import OfferBook

if TYPE_CHECKING:
    from wallet.issuer import RosterRow
    from wallet.store import StoredCredential

__all__ = [
    "OFFERED",
    "PRE_AUTHORIZED_GRANT",
    "OfferText",
    "make_offer",
    "offer_uri",
    "roster_badge",
]

#: OID4VCI 1.0, "Credential Offer Parameters": the grant type of the pre-authorized code flow.
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
#: The configurations an offer holds, by ``laurel offer --format`` (data-integrity by default).
OFFERED = {
    "data-integrity": ("OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_ldp_vc_jcs"),
    "jwt": ("OpenBadgeCredential_jwt_vc_json",),
}


def offer_uri(issuer: str, code: str, configurations: tuple[str, ...], *, pin_length: int) -> str:
    """``openid-credential-offer://?credential_offer=…`` by value (OID4VCI 1.0, "Sending Credential Offer by Value")."""
    offer = {
        "credential_issuer": issuer,
        "credential_configuration_ids": list(configurations),
        "grants": {
            PRE_AUTHORIZED_GRANT: {
                "pre-authorized_code": code,
                "tx_code": {
                    "input_mode": "numeric",
                    "length": pin_length,
                    "description": "The PIN the issuer sent you separately",
                },
            }
        },
    }
    text = json.dumps(offer, separators=(",", ":"))
    return "openid-credential-offer://?" + urllib.parse.urlencode({"credential_offer": text})


@dataclass(frozen=True, slots=True)
class OfferText:
    """An offer as handed out: the ``openid-credential-offer://`` link, its PIN (sent apart), its expiry."""

    credential_id: str
    offer: str
    pin: str
    expires: dt.datetime

    def __repr__(self) -> str:
        return (
            f"OfferText(credential_id={self.credential_id!r}, expires={self.expires.isoformat()})"
        )


def make_offer(
    wallet: Wallet,
    credential_id: str,
    *,
    now: dt.datetime,
    configurations: tuple[str, ...] = OFFERED["data-integrity"],
) -> OfferText:
    """Offer one of the wallet's issued badges (single use, expiring, with a PIN).

    Raises:
        CredentialNotFoundError: no such badge in the wallet.
        WalletError: the badge was not issued by this wallet, or the wallet has no base URL.
    """
    from wallet.errors import WalletError

    issuer = wallet.identity.base_url
    if not issuer:
        raise WalletError(
            "an offer names the issuer's URL, and this wallet has none",
            hint="Create the issuer's wallet with laurel init --base-url https://…",
        )
    stored = wallet.store.get_credential(credential_id)
    if stored.origin != "issued":
        raise WalletError("only badges this wallet issued can be offered")
    made = OfferBook(wallet.store.path).create(credential_id, list(configurations), now=now)
    link = offer_uri(issuer.rstrip("/"), made.code, made.configurations, pin_length=len(made.pin))
    return OfferText(credential_id, link, made.pin, made.expires)


def roster_badge(wallet: Wallet, achievement: JSONObject, row: RosterRow) -> StoredCredential:
    """The badge `laurel issue --roster` issued for this row of the roster.

    Raises:
        CredentialNotFoundError: the row's badge is not in the wallet (issue the roster first).
    """
    from wallet.errors import CredentialNotFoundError
    from wallet.issuer import roster_key

    stored = wallet.store.credential_for_roster_key(roster_key(achievement, row))
    if stored is None:
        raise CredentialNotFoundError(
            f"roster line {row.line} ({row.name}) has no badge in this wallet",
            hint="Issue the roster first: laurel issue --achievement … --roster ….",
        )
    return stored
