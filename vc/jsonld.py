"""Bundled, pinned JSON-LD contexts and the offline document loader.

laurel never fetches a context: the loader serves the contexts shipped in
``vc/contexts/`` (each pinned by SHA-256) and refuses every other URL.

    >>> from vc import jsonld
    >>> jsonld.load_context("https://www.w3.org/ns/credentials/v2")["@context"]["@protected"]
    True
    >>> jsonld.undefined_terms({"@context": ["https://www.w3.org/ns/credentials/v2"],
    ...                         "type": ["VerifiableCredential"], "grade": "A+"})
    ['grade']
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

from vc.errors import LaurelError, MalformedDocumentError, UnknownContextError
from vc.types import JSONObject, JSONValue

__all__ = [
    "CREDENTIALS_V1",
    "CREDENTIALS_V2",
    "EXAMPLE_CONTEXTS",
    "PINNED_CONTEXTS",
    "context_urls",
    "document_loader",
    "expand",
    "load_context",
    "local_contexts",
    "relative_references",
    "reserved",
    "reserved_term",
    "undefined_terms",
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


def _pyld() -> Any:
    # pyld costs ~70 ms to import (it pulls in asyncio and lxml); import it only
    # on paths that process JSON-LD, never on the eddsa-jcs-2022 path.
    from pyld import jsonld as pyld_jsonld

    return pyld_jsonld


_PROCESSED_CONTEXT_LIMIT = 2048


@functools.cache
def processor_class() -> Any:
    """The JSON-LD processor (pyld), remembering processed contexts across documents.

    pyld caches a processed context under the uuid of the active context it was
    applied to, but a type-scoped context (OB 3.0 defines one per type) is applied
    to a fresh clone with a fresh uuid each time, so its cache never hits and
    every document re-processes them (about half of verification time). Here the
    result of applying a local context to an *immutable* (frozen) active context
    is remembered, keyed by that context's uuid and the local context object
    itself: both inputs are immutable and processing is deterministic.
    """
    pyld = _pyld()
    from frozendict import frozendict  # pyld's own dependency (its frozen contexts)

    memo: dict[tuple[object, ...], tuple[object, object]] = {}
    lock = threading.Lock()

    class _Processor(pyld.JsonLdProcessor):  # type: ignore[misc,name-defined]
        def _process_context(
            self,
            active_ctx: Any,
            local_ctx: Any,
            options: Any,
            override_protected: bool = False,
            propagate: bool = True,
            validate_scoped: bool = True,
            cycles: Any = None,
        ) -> Any:
            uid = active_ctx.get("_uuid") if isinstance(active_ctx, frozendict) else None
            if uid is None or cycles is not None:
                return super()._process_context(
                    active_ctx,
                    local_ctx,
                    options,
                    override_protected,
                    propagate,
                    validate_scoped,
                    cycles,
                )
            key = (uid, id(local_ctx), override_protected, propagate, validate_scoped)
            with lock:
                hit = memo.get(key)
            # The entry holds the local context itself, so its id cannot be reused
            # by another object while the entry exists.
            if hit is not None and hit[0] is local_ctx:
                return hit[1]
            result = super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )
            if isinstance(result, frozendict):
                with lock:
                    if len(memo) >= _PROCESSED_CONTEXT_LIMIT:
                        memo.clear()
                    memo[key] = (local_ctx, result)
            return result

    return _Processor


def _root_cause(exc: BaseException, wrapper: type[BaseException]) -> BaseException | None:
    # pyld wraps whatever the loader raised in JsonLdError; find the original.
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if not isinstance(current, wrapper):
            return current
        details = getattr(current, "details", None)
        cause = details.get("cause") if isinstance(details, dict) else None
        current = cause if isinstance(cause, BaseException) else current.__cause__
    return None


_PYLD_RESET_KEYS = frozenset({"@vocab", "@language", "@direction"})


def run_pyld(operation: Callable[[], Any]) -> Any:
    """Run a pyld operation, turning its errors into laurel's.

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    pyld = _pyld()
    try:
        return operation()
    except (pyld.JsonLdError, ValueError) as exc:
        cause = _root_cause(exc, pyld.JsonLdError)
        if isinstance(cause, LaurelError):
            raise cause from exc  # our loader's refusal (an unknown context)
        if cause is not None and not isinstance(cause, ValueError):
            raise cause from exc  # a bug: never disguise it as bad input
        # A JSON-LD error, or pyld's IRI resolver refusing an IRI (ValueError).
        code = getattr(exc, "code", None) or getattr(exc, "type", None) or str(exc)[:120]
        raise MalformedDocumentError(
            f"invalid JSON-LD: {code}",
            code="invalid_jsonld",
            hint="The document is not valid JSON-LD under its contexts.",
        ) from exc
    except KeyError as exc:
        # pyld 3.3 deletes @vocab/@language/@direction without checking when a
        # context resets one to null that was never set: refuse the document.
        if exc.args and exc.args[0] in _PYLD_RESET_KEYS:
            raise MalformedDocumentError(
                f"pyld cannot process a context that resets {exc.args[0]} to null",
                code="invalid_jsonld",
            ) from exc
        raise
    except (TypeError, AttributeError) as exc:
        # pyld trips over some malformed contexts ({"@id": false}) with a plain
        # TypeError deep inside: bad input, refused by name. Raised elsewhere, a bug.
        if not _raised_in_pyld(exc):
            raise
        raise MalformedDocumentError(
            "invalid JSON-LD: a context pyld cannot process", code="invalid_jsonld"
        ) from exc


def _raised_in_pyld(exc: BaseException) -> bool:
    # Whether pyld's own code (not laurel's, called from pyld) was the last to run.
    frame = exc.__traceback__
    last_is_pyld = False
    ours = str(resources.files("vc")).rsplit("/", 1)[0]
    while frame is not None:
        name = frame.tb_frame.f_code.co_filename
        if "/pyld/" in name:
            last_is_pyld = True
        elif name.startswith(ours):
            last_is_pyld = False
        frame = frame.tb_next
    return last_is_pyld


def expand(
    document: JSONObject, on_dropped: Callable[[str | None], Any] | None = None
) -> list[JSONValue]:
    """Expand `document` with the bundled contexts only.

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    # "@base": null keeps relative IRIs relative, so that they can be reported.
    options = {"documentLoader": document_loader, "base": "", "expandContext": {"@base": None}}
    kwargs = {"on_property_dropped": on_dropped} if on_dropped is not None else {}
    processor = processor_class()(**kwargs)
    result: list[JSONValue] = run_pyld(lambda: processor.expand(document, options))
    return result


def context_urls(document: JSONValue) -> Iterator[JSONValue]:
    """Yield every ``@context`` entry found anywhere in `document` (top level first)."""
    stack: list[JSONValue] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ctx = node.get("@context")
            if ctx is not None:
                yield from ctx if isinstance(ctx, list) else [ctx]
            stack.extend(v for k, v in node.items() if k != "@context")
        elif isinstance(node, list):
            stack.extend(node)


def _is_absolute_iri(value: str) -> bool:
    scheme, sep, _ = value.partition(":")
    return bool(sep) and scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)


def relative_references(expanded: JSONValue) -> Iterator[str]:
    """Yield the relative IRIs of an expanded document (toRDF drops them, so RDFC does not sign them)."""
    # jsonld.js#497: nodes, types and values with relative IRIs vanish from the dataset.
    stack: list[JSONValue] = [expanded]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if "@value" in node:
                value_type = node.get("@type")
                if (
                    isinstance(value_type, str)
                    and value_type != "@json"
                    and not _is_absolute_iri(value_type)
                ):
                    yield value_type
                continue
            for key, value in node.items():
                if key == "@type":
                    for t in value if isinstance(value, list) else [value]:
                        if (
                            isinstance(t, str)
                            and not _is_absolute_iri(t)
                            and not t.startswith("_:")
                        ):
                            yield t
                elif key == "@id":
                    if (
                        isinstance(value, str)
                        and not _is_absolute_iri(value)
                        and not value.startswith("_:")
                    ):
                        yield value
                else:
                    stack.append(value)


def undefined_terms(document: JSONObject) -> list[str]:
    """List the terms, types and IRIs of `document` that JSON-LD would silently drop.

    A term no context defines is dropped by expansion, and a relative IRI by
    toRDF; either way it would not be covered by an RDFC signature. An empty list
    means every key and type of the document is defined (pyld has no "safe mode").

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    dropped: list[str] = []

    def record(term: str | None) -> None:
        dropped.append(term if term is not None else "(null)")

    expanded = expand(document, record)
    found = dropped + list(relative_references(expanded))
    return sorted(set(found), key=found.index)


# JSON-LD 1.1 keywords (and those of framing, which pyld also knows).
_KEYWORDS = frozenset(
    [
        "@base",
        "@container",
        "@context",
        "@default",
        "@direction",
        "@embed",
        "@explicit",
        "@first",
        "@graph",
        "@id",
        "@import",
        "@included",
        "@index",
        "@json",
        "@language",
        "@list",
        "@nest",
        "@none",
        "@omitDefault",
        "@propagate",
        "@protected",
        "@preserve",
        "@requireAll",
        "@reverse",
        "@set",
        "@type",
        "@value",
        "@version",
        "@vocab",
    ]
)
_RESERVED = re.compile(r"^@[a-zA-Z]+$")


def _join_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def local_contexts(document: JSONValue) -> Iterator[tuple[str, JSONValue]]:
    """Every local context anywhere in `document`, with its JSON path.

    The ``@context`` of any node and, inside contexts, the scoped contexts of term
    definitions and ``@import``.
    """
    # Every local context anywhere, with its path: the @context of any node and,
    # inside contexts, scoped contexts of term definitions and @import.
    nodes: list[tuple[str, JSONValue]] = [("", document)]
    contexts: list[tuple[str, JSONValue]] = []
    while nodes:
        path, node = nodes.pop()
        if isinstance(node, list):
            nodes.extend(
                (_join_path(path, i), item)
                for i, item in enumerate(node)
                if isinstance(item, dict | list)
            )
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    contexts.append((_join_path(path, key), value))
                elif isinstance(value, dict | list):  # only containers can hold a context
                    nodes.append((_join_path(path, key), value))
    while contexts:
        path, context = contexts.pop()
        if isinstance(context, list):
            contexts.extend((_join_path(path, i), item) for i, item in enumerate(context))
            continue
        yield path, context
        if isinstance(context, dict):
            for key, value in context.items():
                if key in ("@context", "@import"):
                    contexts.append((_join_path(path, key), value))
                elif isinstance(value, dict) and "@context" in value:
                    contexts.append(
                        (_join_path(_join_path(path, key), "@context"), value["@context"])
                    )


def reserved(value: JSONValue) -> bool:
    """Whether `value` is a string JSON-LD reserves (``@`` and letters, not a keyword)."""
    # JSON-LD 1.1 "Keywords": "@" followed by letters is reserved; pyld warns
    # and ignores such terms, and a warning is not a result.
    return isinstance(value, str) and value not in _KEYWORDS and _RESERVED.match(value) is not None


def reserved_term(context: JSONObject) -> str | None:
    """A term of `context` that JSON-LD reserves (pyld warns and ignores it), if any."""
    for key, value in context.items():
        definition = value if isinstance(value, dict) else {"@id": value}
        reverse = definition.get("@reverse")
        if (
            reserved(key)
            or reserved(definition.get("@id"))
            or (isinstance(reverse, str) and _RESERVED.match(reverse))
        ):
            return key
    return None
