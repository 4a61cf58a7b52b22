"""What `laurel verify` accepts: JSON, a JWT, a QR payload, a photo of a QR code, a baked badge.

A link (``https://verifier.example/#LV2:…``, made by ``laurel present --link``) stands for
the payload in its fragment, as text or inside a QR code; it is never fetched
(SECURITY.md Q06). A presentation *request* (``LR1:``) is refused by name: it is answered
with ``laurel present --request``, not verified.

    >>> from verifier.sources import documents_in
    >>> [label for label, _ in documents_in(b'{"a": 1}')]
    ['']

An image may hold several QR codes: each is reported separately, never only the
first. Envelope and image problems raise :class:`vc.errors.MalformedDocumentError`
(a ``format.envelope_*`` or ``format.image_*`` reason), so the input is reported
unreadable.
"""

from __future__ import annotations

import json

from vc.errors import MalformedDocumentError

__all__ = ["ENVELOPE_PREFIX", "REQUEST_PREFIX", "documents_in"]

ENVELOPE_PREFIX = b"LV"
REQUEST_PREFIX = b"LR1:"
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


def _is_image(data: bytes) -> bool:
    return data.startswith((_PNG, _JPEG, b"GIF8", b"BM")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )


def _is_link(data: bytes) -> bool:
    return data[:8].lower().startswith((b"https://", b"http://"))


def _is_laurel_link(data: bytes) -> bool:
    # `laurel present --link` and a request link carry their payload in the fragment.
    _, _, fragment = data.strip().partition(b"#")
    return fragment.startswith((ENVELOPE_PREFIX, REQUEST_PREFIX))


def _not_a_request(text: str) -> None:
    if text.startswith(REQUEST_PREFIX.decode()):
        raise MalformedDocumentError(
            "this is a presentation request, not a credential or presentation",
            code="envelope_is_request",
            hint="Answer it: `laurel present ID --request REQUEST` makes the presentation.",
        )


def _from_envelope(text: str) -> bytes:
    from vc.envelope import (
        decode_envelope,
        is_link,
        payload_from_link,
    )  # cbor2: only for QR payloads

    text = text.strip()
    if is_link(text):
        text = payload_from_link(text)
    _not_a_request(text)
    return json.dumps(decode_envelope(text), ensure_ascii=False).encode("utf-8")


def _baked_credential(data: bytes) -> bytes | None:
    # Open Badges 3.0 "Baking": a PNG iTXt `openbadgecredential` chunk, or an SVG
    # <openbadges:credential> element (its text a credential, or a VC-JWT in `verify`);
    # Open Badges 2.0 "Baking": a PNG `openbadges` chunk, or an SVG
    # <openbadges:assertion> (the assertion, its JWS, or its hosted URL). Only that
    # text is taken; nothing else in the image is trusted or fetched.
    is_svg = data.lstrip()[:1] == b"<"
    if not (data.startswith(_PNG) or is_svg):
        return None
    from vc.baking import BakingError, unbake_all

    try:
        payloads = unbake_all(data)
    except BakingError as exc:
        if exc.code == "not_baked" and not is_svg:
            return None  # a plain PNG: maybe a photo of a QR code
        raise MalformedDocumentError(
            f"baked image: {exc.message}", code=f"baked_{exc.code}"
        ) from exc
    if len(payloads) > 1:
        # SECURITY.md O03: one image, two badges (an OB 2.0 and an OB 3.0 payload, or
        # two of one kind): which one the image "is" is never chosen silently.
        kinds = sorted({p.kind for p in payloads})
        raise MalformedDocumentError(
            f"baked image: it carries {len(payloads)} badges ({', '.join(kinds)}); "
            "laurel verifies an image that carries one",
            code="baked_ambiguous",
            hint="Ask the issuer for the badge itself, or an image baked with one badge.",
        )
    return payloads[0].text.encode("utf-8")


def documents_in(data: bytes, *, follow_links: bool = False) -> list[tuple[str, bytes]]:
    """The documents an input holds (JSON, a JWT or JWS), each with a label ('' for the input).

    A link is read from its fragment (a laurel QR payload); with `follow_links`, a link
    without one is passed on as it is, for :func:`verifier.verify_bytes` to follow.

    Raises:
        MalformedDocumentError: an image with no QR code, an unreadable image, or a
            broken envelope (each names the stage that failed).
    """
    baked = _baked_credential(data)
    if baked is not None:
        return [("baked", baked)]
    if _is_image(data):
        from vc.qr import decode_qr_image  # Pillow and zxing-cpp: only for images

        texts = decode_qr_image(data)
        if not texts:
            raise MalformedDocumentError(
                "the image holds no QR code that could be read", code="image_no_code"
            )
        if len(texts) == 1:
            return [("", _from_envelope(texts[0]))]
        return [
            (f"QR code {n + 1} of {len(texts)}", _from_envelope(text))
            for n, text in enumerate(texts)
        ]
    stripped = data.lstrip()
    if follow_links and _is_link(stripped) and not _is_laurel_link(stripped):
        # Another link, which the caller asked to follow (an Open Badges 2.0 hosted
        # assertion's URL): passed on as it is; verify_bytes fetches it through the guard.
        return [("", data)]
    if stripped.startswith((ENVELOPE_PREFIX, REQUEST_PREFIX)) or _is_link(stripped):
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError as exc:
            raise MalformedDocumentError(
                "a QR payload or link must be ASCII", code="envelope_malformed"
            ) from exc
        return [("", _from_envelope(text))]
    return [("", data)]
