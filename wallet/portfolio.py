"""A teacher's portfolio that outlives platforms: a static site of the badges she chose.

``laurel portfolio --out site/`` writes plain files that any web host serves, or a
USB stick opens (every link is relative): an index, and a page per public badge
with its card (level earned, evidence, alignment), the credential to download as
JSON and as a baked PNG, an "Add to LinkedIn" link, a QR code to share, and a
"Verify" form that opens a verifier page of the viewer's choice with the badge in
the URL's fragment (which a browser never sends to any server).

Nothing is public until the teacher says so (:func:`set_public`); the choice is
kept in the wallet. The same pages are served on loopback by ``laurel serve
--wallet`` (:mod:`wallet.pages`).

    >>> linkedin_url(name="Restorative Practices", issuer="Lakeshore USD",
    ...              issued="2026-12-03T10:00:00Z", expires=None, page_url=None, badge_id="urn:uuid:1")
    'https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=Restorative+Practices&organizationName=Lakeshore+USD&issueYear=2026&issueMonth=12&certId=urn%3Auuid%3A1'
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ui.card import BadgeCard
from ui.i18n import Locale
from ui.names import issuer_name
from vc.types import JSONObject
from wallet.home import Wallet
from wallet.store import Store, StoredCredential, short_id

__all__ = [
    "BadgePage",
    "PortfolioReport",
    "badge_pages",
    "baked_png",
    "environment",
    "linkedin_url",
    "public_ids",
    "set_public",
    "verify_payload",
    "write_portfolio",
]

#: Where the teacher's choice of public badges is kept (the wallet's settings table).
PUBLIC_SETTING: Final = "portfolio.public"
_ASSETS: Final = Path(__file__).parent / "static"
_TEMPLATES: Final = Path(__file__).parent / "templates"
_LINKEDIN: Final = "https://www.linkedin.com/profile/add"
_HTTP: Final = re.compile(r"https?://[^\s\"'<>\\#]+", re.IGNORECASE)


def public_ids(store: Store) -> list[str]:
    """The ids of the badges the teacher made public, in the order she chose them."""
    raw = store.get_setting(PUBLIC_SETTING)
    try:
        value = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def set_public(store: Store, credential_ids: Iterable[str], public: bool) -> list[str]:
    """Make badges public (or private again); the public ids after the change.

    Raises:
        CredentialNotFoundError: an id is not in the wallet.
    """
    chosen = public_ids(store)
    for credential_id in credential_ids:
        store.get_credential(credential_id)  # raises when unknown
        if public and credential_id not in chosen:
            chosen.append(credential_id)
        elif not public and credential_id in chosen:
            chosen.remove(credential_id)
    store.set_setting(PUBLIC_SETTING, json.dumps(chosen))
    return chosen


def linkedin_url(
    *,
    name: str,
    issuer: str,
    issued: str | None,
    expires: str | None,
    page_url: str | None,
    badge_id: str,
) -> str:
    """LinkedIn's "Add to profile" link for a certification (its documented query parameters)."""
    params: list[tuple[str, str]] = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", name),
        ("organizationName", issuer),
    ]
    for prefix, stamp in (("issue", issued), ("expiration", expires)):
        if stamp and len(stamp) >= 7 and stamp[:4].isdigit() and stamp[5:7].isdigit():
            params += [(f"{prefix}Year", stamp[:4]), (f"{prefix}Month", str(int(stamp[5:7])))]
    if page_url:
        params.append(("certUrl", page_url))
    params.append(("certId", badge_id))
    return f"{_LINKEDIN}?{urllib.parse.urlencode(params)}"


def verify_payload(document: JSONObject) -> str:
    """The badge as a QR payload (``LV2:…``), for a verifier page's URL fragment.

    The anchor proofs are left out when that makes it smaller to scan; the issuer's
    signatures are kept as issued.
    """
    from anchor.proof import signature_proofs
    from vc.envelope import encode_envelope

    return encode_envelope(signature_proofs(document))


def _slug(stored: StoredCredential) -> str:
    short = short_id(stored.id)
    return re.sub(r"[^A-Za-z0-9-]+", "-", short).strip("-")[:40] or "badge"


def _default_image(card: BadgeCard) -> bytes:
    """A plain badge picture (a circle and the name's initials) when the badge has no PNG."""
    import io

    from PIL import Image, ImageDraw

    size = 256
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill=(31, 78, 121, 255))
    words = [w for w in re.split(r"\W+", card.achievement or "") if w][:3]
    initials = "".join(w[0].upper() for w in words) or "★"
    draw.text((size / 2, size / 2), initials, fill=(255, 255, 255, 255), anchor="mm", font_size=88)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def baked_png(stored: StoredCredential, card: BadgeCard) -> bytes:
    """The badge's PNG with the credential baked in (OB 3.0 "Baking": an iTXt chunk)."""
    import base64

    from vc.baking import bake_png

    image: bytes | None = None
    if card.image and card.image.startswith("data:image/png;base64,"):
        image = base64.b64decode(card.image.split(",", 1)[1])
    return bake_png(image or _default_image(card), stored.text)


@dataclass(frozen=True, slots=True)
class BadgePage:
    """One badge as its portfolio page shows it."""

    stored: StoredCredential
    card: BadgeCard
    slug: str
    issuer: str
    payload: str
    public: bool

    @property
    def title(self) -> str:
        """The badge's name (or its id)."""
        return self.card.achievement or self.stored.name or short_id(self.stored.id)

    def verify_link(self, verifier_url: str | None) -> str | None:
        """`verifier_url` with the badge in its fragment, when a verifier is given."""
        if not verifier_url:
            return None
        from vc.envelope import link_to

        return link_to(verifier_url, self.payload)

    def linkedin(self, page_url: str | None) -> str:
        """LinkedIn's "Add to profile" link for this badge."""
        return linkedin_url(
            name=self.title,
            issuer=self.issuer,
            issued=self.card.valid_from,
            expires=self.card.valid_until,
            page_url=page_url,
            badge_id=self.stored.id,
        )


def badge_pages(wallet: Wallet, *, only_public: bool) -> list[BadgePage]:
    """The wallet's badges as pages: the public ones in the teacher's order, then the rest."""
    store = wallet.store
    chosen = public_ids(store)
    stored_all = {s.id: s for s in store.list_credentials()}
    ordered = [stored_all[i] for i in chosen if i in stored_all]
    if not only_public:
        ordered += [s for i, s in stored_all.items() if i not in chosen]
    pages = []
    for stored in ordered:
        card = BadgeCard.from_credential(stored.document)
        name = issuer_name(
            card.issuer_id, profile_name=card.issuer_name if stored.verified else None
        )
        pages.append(
            BadgePage(
                stored=stored,
                card=card,
                slug=_slug(stored),
                issuer=name.text,
                payload=verify_payload(stored.document),
                public=stored.id in chosen,
            )
        )
    return pages


def environment(locale: Locale) -> Any:
    """The Jinja environment of the portfolio's templates, speaking `locale`."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(locale.gettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["time"] = lambda value: _time(value, locale)
    env.globals["lang"] = locale.language
    return env


def _time(value: object, locale: Locale) -> Any:
    from markupsafe import Markup

    from ui.i18n import format_date

    if not isinstance(value, str):
        return Markup("")
    text = format_date(value, locale)
    if text is None:
        return Markup("<span>{}</span>").format(value)
    return Markup('<time datetime="{}" data-format="date">{}</time>').format(value, text)


@dataclass(frozen=True, slots=True)
class PortfolioReport:
    """What `write_portfolio` wrote."""

    out_dir: Path
    index: Path
    badges: int


def _check_url(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    if _HTTP.fullmatch(value) is None:
        raise ValueError(f"{what} must be an http(s) URL without a fragment, not {value[:60]!r}")
    return value


def write_portfolio(
    wallet: Wallet,
    out_dir: Path,
    *,
    locale: Locale,
    verifier_url: str | None = None,
    site_url: str | None = None,
    now: dt.datetime | None = None,
) -> PortfolioReport:
    """Write the static site of the wallet's public badges into `out_dir`.

    `verifier_url` is the verifier page a "Verify" button opens (the viewer may type
    another); `site_url` where the site will be published (for LinkedIn's link and
    the QR code; without it the QR code holds the verify link, or the badge itself).

    Raises:
        ValueError: a URL is not http(s), or has a fragment.
    """
    from vc.qr import render_svg

    verifier_url = _check_url(verifier_url, "the verifier URL")
    site_url = _check_url(site_url, "the site URL")
    base = site_url.rstrip("/") + "/" if site_url else None
    env = environment(locale)
    pages = badge_pages(wallet, only_public=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    assets = out_dir / "assets"
    assets.mkdir(exist_ok=True)
    for name in ("portfolio.css", "portfolio.js"):
        shutil.copyfile(_ASSETS / name, assets / name)
    holder = wallet.identity.name
    written = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for page in pages:
        folder = out_dir / "badges" / page.slug
        folder.mkdir(parents=True, exist_ok=True)
        page_url = f"{base}badges/{page.slug}/" if base else None
        (folder / "badge.json").write_text(page.stored.text, encoding="utf-8")
        (folder / "badge.png").write_bytes(baked_png(page.stored, page.card))
        shared = page_url or page.verify_link(verifier_url) or page.payload
        (folder / "qr.svg").write_bytes(render_svg(shared))
        html = env.get_template("badge.html").render(
            page=page,
            holder=holder,
            root="../../",
            verifier_url=verifier_url,
            verify_link=page.verify_link(verifier_url),
            linkedin=page.linkedin(page_url),
            page_url=page_url,
            qr_holds="page" if page_url else ("verify" if verifier_url else "badge"),
            static=True,
        )
        (folder / "index.html").write_text(html, encoding="utf-8")
    index = out_dir / "index.html"
    index.write_text(
        env.get_template("index.html").render(
            pages=pages, holder=holder, root="", written=written, static=True
        ),
        encoding="utf-8",
    )
    return PortfolioReport(out_dir=out_dir, index=index, badges=len(pages))
