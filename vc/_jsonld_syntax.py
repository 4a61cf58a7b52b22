"""JSON-LD read as JSON, without a processor: where a document's contexts are, and reserved terms.

`context_urls` and `local_contexts` find every ``@context`` anywhere in a document (and,
for `local_contexts`, the scoped contexts inside them); `reserved` and `reserved_term`
name what JSON-LD reserves, which pyld would only warn about and ignore.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vc.types import JSONObject, JSONValue

__all__ = ["context_urls", "local_contexts", "reserved", "reserved_term"]


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
