"""pyld, imported only when needed, with processed contexts remembered and its errors named.

The processor class remembers what applying a context to a frozen active context gives
(OB 3.0's type-scoped contexts would otherwise be re-processed for every document), and
`run_pyld` turns what pyld raises into laurel's errors: a refused context stays an
`UnknownContextError`, bad input becomes a `MalformedDocumentError`, a bug stays a bug.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from importlib import resources
from typing import Any

from vc._jsonld_contexts import document_loader
from vc.errors import LaurelError, MalformedDocumentError
from vc.types import JSONObject, JSONValue

__all__ = ["expand", "processor_class", "run_pyld"]


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
