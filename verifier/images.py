"""Badge images for the page: fetched by the server through the fetch guard, inlined.

A badge's image is usually a URL on its issuer's host. A page that hot-linked it
would make every reader's browser tell that host who is looking at which badge,
when (and the image is often gone). So the server fetches it, once, through the
same guard as DID documents (public addresses only, limits, timeouts), checks
that it is a PNG or JPEG a browser can draw, shrinks it and inlines it as a
``data:`` URI; anything else gives no image (the page shows a placeholder).

    >>> ImageInliner(None).inline("https://example.org/badge.png") is None
    True
"""

from __future__ import annotations

import base64
import io
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final, Protocol

from verifier.errors import FetchBlockedError, FetchFailedError
from verifier.fetched import FetchedDocument

__all__ = ["MAX_IMAGE_BYTES", "ImageFetch", "ImageInliner"]

#: The largest badge image fetched.
MAX_IMAGE_BYTES: Final = 512 * 1024
#: Inlined images are at most this many pixels wide and high (the card shows 96).
SIDE: Final = 192
#: A decoded image may hold at most this many pixels (a "decompression bomb" is refused).
MAX_PIXELS: Final = 16_000_000
#: How long a fetched image (or a failure to get one) is remembered, in seconds.
CACHE_SECONDS: Final = 3600.0
_CACHE_SIZE: Final = 256


class ImageFetch(Protocol):
    """How images are fetched: :meth:`verifier.fetch.Fetcher.fetch` or a fake."""

    def __call__(
        self, url: str, *, max_bytes: int | None = ..., accept: str = ...
    ) -> FetchedDocument:
        """Fetch `url`; raise a FetchError on failure."""
        ...


def _as_png_data_uri(body: bytes) -> str | None:
    """The image re-encoded as a small PNG data: URI, or None if it is no PNG/JPEG image."""
    from PIL import Image, UnidentifiedImageError

    if not body.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return None
    try:
        with Image.open(io.BytesIO(body)) as image:
            if image.format not in ("PNG", "JPEG"):
                return None
            width, height = image.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                return None
            image.thumbnail((SIDE, SIDE))
            # Re-encoding drops everything but pixels (metadata, extra chunks, a baked credential).
            converted = image.convert("RGBA")
            out = io.BytesIO()
            converted.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


class ImageInliner:
    """Fetches badge images through the guard and keeps them as data: URIs (thread-safe).

    `fetch` is the guarded fetch (``None``: never fetch, so no image is shown);
    `clock` a monotonic clock in seconds.
    """

    def __init__(
        self, fetch: ImageFetch | None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[float, str | None]] = OrderedDict()

    @classmethod
    def networked(cls) -> ImageInliner:
        """One fetching through the guard with the environment's policy (``LAUREL_ALLOW_PRIVATE_NETWORK``)."""
        from verifier.fetch import Fetcher, FetchPolicy

        return cls(Fetcher(FetchPolicy.from_env()).fetch)

    def inline(self, url: str) -> str | None:
        """The image at `url` as a PNG data: URI, or None when it cannot be had."""
        if self._fetch is None:
            return None
        now = self._clock()
        with self._lock:
            cached = self._cache.get(url)
            if cached is not None and now - cached[0] < CACHE_SECONDS:
                self._cache.move_to_end(url)
                return cached[1]
        try:
            fetched = self._fetch(url, max_bytes=MAX_IMAGE_BYTES, accept="image/png, image/jpeg")
            found = _as_png_data_uri(fetched.body)
        except (FetchBlockedError, FetchFailedError):
            found = None
        with self._lock:
            self._cache[url] = (now, found)
            self._cache.move_to_end(url)
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return found
