"""The bundled JSON-LD contexts, each pinned by SHA-256, and the loader that serves only them.

laurel never fetches a context: a URL that is not bundled in ``vc/contexts/``, or a file
that does not match its pin, is refused.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from typing import Any

from vc.errors import UnknownContextError
from vc.types import JSONObject

__all__ = [
    "CREDENTIALS_V1",
    "CREDENTIALS_V2",
    "EXAMPLE_CONTEXTS",
    "PINNED_CONTEXTS",
    "document_loader",
    "load_context",
]


CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"

#: SHA-256 of every bundled context file, by URL. A file that does not match is never served.
PINNED_CONTEXTS: dict[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "426fdacb13cd7a2fa9c8f2534252877c0fcb492a07b9070739eb53f7319e7f5c",
    "https://www.w3.org/2018/credentials/v1": "da58fdc62789d923d7485507b4b61fc90b483eec217238706807551de9ceeeab",
    "https://www.w3.org/ns/credentials/examples/v2": "58d3eb0c82ff326381c11710fb6728245849089a8b000896a3bc07c882ac0e89",
    "https://www.w3.org/2018/credentials/examples/v1": "831e92b92edb63b4524281b6b49d6c12cff4e30342d8b5a9e1234c563c2f7956",
    "https://www.w3.org/ns/credentials/undefined-terms/v2": "12ce438d3d024c76ef23fddb6d577f50f0a5b98411336be766adf81619aa4746",
    "https://w3id.org/security/data-integrity/v2": "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4",
    "https://w3id.org/security/data-integrity/v1": "bff3ce2348e14a33da9ecc612403f57f07a90816761caefb7d165f082c810ecd",
    "https://w3id.org/security/multikey/v1": "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6",
    "https://w3id.org/security/suites/ed25519-2020/v1": "b1303f014d272d991f81d8767a0f38f6f4169565e08110402ee791fa16be0970",
    "https://w3id.org/security/suites/x25519-2020/v1": "c58a995fa5ec7631637e0a9c52d29ce899fbb50ccaa6abac506946c23c8796e1",
    "https://www.w3.org/ns/did/v1": "a5d5033333d949be83530bb43395f882953cd09c928fb4c3f729673bb837cd3f",
    "https://w3id.org/security/v1": "f75728d4516121dfbd83099a4e8e0c6eb6a6011fc77d0e20765c02fe46a4f89c",
    "https://w3id.org/security/v2": "4114bc992714d23147c31d1b3c6ce8c26f3635e8c955d88333aaddadf8008011",
    "https://www.w3.org/ns/credentials/status/v1": "80885f52d35e31a95bfd2557099bd2e3f8cb52afefa7b2aaa8ae3786e1469409",
    "https://w3id.org/vc/status-list/2021/v1": "634d71c159289f068c96012e4511c657fdf82ac4231900081bda3ba24e2e1160",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "88115d8e3c088bf2c83f68e6373027072ab9f3f83523a55b49d3605199d56413",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "bba433989e1e700ca60838a3c22378e7d8381aeb0c9590f9ddf84d1714f10296",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "9ce52215e2aed683d8b26e65b1c8fb5af63bcdf84dbce23194a1d0814a66349a",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "c4a75b69d05ae3f072ca14ef03e5bb1435a4e3c6419cb6672b9ac46d0ee49a4f",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3",
    "https://w3id.org/security/suites/ed25519-2018/v1": "166c6abb9e08176cee5f6c87c9c1bbfefa5717da391bcac525e5437f93eab809",
    "https://w3id.org/security/suites/jws-2020/v1": "d648e05ddc6577827ca2bfd5e931f53e9ebc6e52a57a8da81df4ec8c46ffcd1e",
    "https://w3id.org/openbadges/v2": "3c0c25a0e581c64cbe632197377c4f334c6c0b95f0d90e3b74449781612b153d",
    "https://openbadgespec.org/v2/context.json": "3c0c25a0e581c64cbe632197377c4f334c6c0b95f0d90e3b74449781612b153d",
}

#: Contexts that exist for the specifications' examples and test suites. They carry
#: ``@vocab``, so every term is "defined": accepted, but never silently.
EXAMPLE_CONTEXTS = frozenset(
    {
        "https://www.w3.org/ns/credentials/examples/v2",
        "https://www.w3.org/2018/credentials/examples/v1",
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
    }
)


@functools.cache
def _index() -> dict[str, str]:
    text = resources.files("vc").joinpath("contexts/INDEX.json").read_text("utf-8")
    index: dict[str, str] = json.loads(text)
    return index


@functools.cache
def load_context(url: str) -> JSONObject:
    """Return the bundled context document for `url`, verified against its pin.

    Raises:
        UnknownContextError: `url` is not a bundled context.
    """
    filename = _index().get(url)
    pin = PINNED_CONTEXTS.get(url)
    if filename is None or pin is None:
        raise UnknownContextError(f"context {url[:200]!r} is not bundled with laurel")
    data = resources.files("vc").joinpath(f"contexts/{filename}").read_bytes()
    if hashlib.sha256(data).hexdigest() != pin:
        raise UnknownContextError(
            f"bundled context {url} does not match its pinned hash",
            hint="The installation is damaged; reinstall laurel.",
        )
    document: JSONObject = json.loads(data)
    return document


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """A pyld document loader that serves only bundled contexts (never the network).

    Raises:
        UnknownContextError: `url` is not a bundled context.
    """
    # "tag": "static" lets pyld keep the processed context in its shared cache
    # (without a tag it re-resolves every context on every operation): ours are
    # pinned and never change, so they are processed once per process.
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url), "tag": "static"}
