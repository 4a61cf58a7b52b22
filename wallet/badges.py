"""Badges as people name them: who a badge is for, when it was issued, in a line.

`laurel list`, the revoke prompt and the issuer's console describe a badge the same
way: its name, its recipient (the roster's name when the issuer has one, else a
short DID or "a hidden email"), its date and its short id, so that one badge of a
50-badge roster is told from the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ui.i18n import Locale, format_date
from ui.names import short_did
from vc.types import JSONObject
from wallet.store import Store, StoredCredential, short_id

__all__ = ["BadgeLine", "badge_line", "record_roster_names"]


@dataclass(frozen=True, slots=True)
class BadgeLine:
    """One badge, described for people (plain text; every field may be shown alone)."""

    id: str
    short_id: str
    name: str
    recipient: str
    issued: str | None
    state: str
    anchored: bool

    def describe(self, locale: Locale) -> str:
        """One sentence naming the badge, its recipient and its date (for a confirmation)."""
        _ = locale.gettext.gettext
        if self.issued:
            return _("“%(name)s” of %(recipient)s, issued %(date)s (%(id)s)") % {
                "name": self.name,
                "recipient": self.recipient,
                "date": self.issued,
                "id": self.short_id,
            }
        return _("“%(name)s” of %(recipient)s (%(id)s)") % {
            "name": self.name,
            "recipient": self.recipient,
            "id": self.short_id,
        }

    def to_json(self) -> JSONObject:
        """The line as JSON (for `laurel list --json` beside the stored fields)."""
        return {
            "shortId": self.short_id,
            "recipientName": self.recipient,
            "state": self.state,
        }


def _recipient(stored: StoredCredential, name: str | None, locale: Locale) -> str:
    if name:
        return name
    _ = locale.gettext.gettext
    recipient = stored.recipient
    if recipient is None:
        return _("an unnamed recipient")
    if recipient.startswith("did:"):
        return short_did(recipient)
    if recipient.startswith("sha256$"):
        return _("a hidden email address")
    return recipient


def _state(store: Store, stored: StoredCredential) -> str:
    if stored.origin != "issued":
        return "verified" if stored.verified else "unverified"
    if store.credential_status(stored.id, "revocation")[0]:
        return "revoked"
    if store.credential_status(stored.id, "suspension")[0]:
        return "suspended"
    return "issued"


def badge_line(
    store: Store,
    stored: StoredCredential,
    locale: Locale,
    *,
    names: dict[str, str] | None = None,
    tz: dt.tzinfo | None = None,
) -> BadgeLine:
    """The line describing `stored` (`names`: the recipients' names, when already read)."""
    name = (names or {}).get(stored.id) if names is not None else store.recipient_name(stored.id)
    issued = format_date(stored.valid_from, locale, tz) if stored.valid_from else None
    return BadgeLine(
        id=stored.id,
        short_id=short_id(stored.id),
        name=stored.name or locale.gettext.gettext("an unnamed badge"),
        recipient=_recipient(stored, name, locale),
        issued=issued,
        state=_state(store, stored),
        anchored=stored.anchored,
    )


def record_roster_names(store: Store, achievement: JSONObject, rows: Sequence[object]) -> int:
    """Remember each roster row's name for the badge issued to it; how many were recorded.

    Rows are :class:`wallet.issuer.RosterRow`; the badge is found by the roster key the
    issuing used (the achievement and the recipient).
    """
    from wallet.issuer import RosterRow, roster_key

    count = 0
    with store.transaction():
        for row in rows:
            if not isinstance(row, RosterRow) or not row.name:
                continue
            stored = store.credential_for_roster_key(roster_key(achievement, row))
            if stored is not None:
                store.set_recipient_name(stored.id, row.name)
                count += 1
    return count
