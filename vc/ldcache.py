"""The compiled context states on disk, so that a new process needs no JSON-LD processing.

The file lives in the user's cache folder (``$LAUREL_CACHE_DIR``, else
``$XDG_CACHE_HOME/laurel``, else ``~/.cache/laurel``) under a name made of the SHA-256
of every pinned context hash and of this format: another set of contexts, or another
laurel format, never reads it. It is JSON (term tables and transitions, no code), is
written atomically when a process has learned new states, and is ignored whole when
it cannot be read. Losing it costs one context processing, nothing else.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from vc import jsonld, ldterms

__all__ = ["FORMAT", "cache_path", "changed", "load", "save"]

#: The layout of the file; a change makes every existing file unread.
FORMAT = 1

_DIRTY = [False]
_REGISTERED = [False]


def cache_path() -> Path | None:
    """Where the states are kept for this set of pinned contexts (None: caching is off)."""
    folder = os.environ.get("LAUREL_CACHE_DIR")
    if folder == "":
        return None
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = str(Path(base) / "laurel")
    pins = json.dumps(sorted(jsonld.PINNED_CONTEXTS.items()), separators=(",", ":"))
    digest = hashlib.sha256(f"{FORMAT}\n{pins}".encode()).hexdigest()[:24]
    return Path(folder) / f"contexts-{digest}.json"


def changed() -> None:
    """Note that new states were learned: they are written when the process ends."""
    _DIRTY[0] = True
    if not _REGISTERED[0]:
        _REGISTERED[0] = True
        atexit.register(save)


def _term_row(term: ldterms.Term) -> list[Any]:
    return [
        term.name,
        term.iri,
        term.type,
        sorted(term.container),
        term.language,
        term.direction,
        term.reverse,
        term.prefix,
        term.nest,
        term.scoped_key,
    ]


def save() -> None:
    """Write every known state (atomically); any failure leaves the old file as it was."""
    path = cache_path()
    if path is None or not _DIRTY[0]:
        return
    with ldterms._LOCK:
        states = list(ldterms._STATES.values())
        scoped = dict(ldterms._SCOPED)
    known = {id(s) for s in states}
    # Keep what every state needs: its previous state and its children, if known.
    for state in list(states):
        for other in (state.previous, *state.children.values()):
            if other is not None and id(other) not in known:
                known.add(id(other))
                states.append(other)
    index = {id(s): i for i, s in enumerate(states)}
    rows = [
        {
            "recipe": [list(s.recipe[0]), [list(step) for step in s.recipe[1]]],
            "terms": [_term_row(t) for t in s.terms.values()],
            "vocab": s.vocab,
            "language": s.default_language,
            "direction": s.default_direction,
            "previous": None if s.previous is None else index[id(s.previous)],
            "children": [[*step, index[id(c)]] for step, c in s.children.items()],
        }
        for s in states
    ]
    payload = {"format": FORMAT, "scoped": scoped, "states": rows}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=path.parent, prefix=".contexts-", suffix=".tmp", delete=False
        ) as handle:
            json.dump(payload, handle, separators=(",", ":"), ensure_ascii=False)
            temporary = handle.name
        os.replace(temporary, path)
        _DIRTY[0] = False
    except OSError:
        return


def load() -> int:
    """Read the states of the cache file into memory; how many (0 when there is none)."""
    path = cache_path()
    if path is None:
        return 0
    try:
        payload = json.loads(path.read_text("utf-8"))
        states = _states(payload)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return 0  # unreadable: made again as needed
    with ldterms._LOCK:
        ldterms._SCOPED.update(payload["scoped"])
        for state in states:
            ldterms._STATES.setdefault(state.recipe, state)
    return len(states)


def _states(payload: dict[str, Any]) -> list[ldterms.ActiveContext]:
    if payload.get("format") != FORMAT:
        raise ValueError("another format")
    scoped: dict[str, Any] = payload["scoped"]
    rows: list[dict[str, Any]] = payload["states"]
    built: list[ldterms.ActiveContext] = []

    def build(i: int) -> ldterms.ActiveContext:
        while len(built) <= i:
            built.append(None)  # type: ignore[arg-type]
        if built[i] is not None:
            return built[i]
        row = rows[i]
        previous = None if row["previous"] is None else build(row["previous"])
        terms = {}
        for name, iri, kind, container, language, direction, reverse, prefix, nest, key in row[
            "terms"
        ]:
            terms[name] = ldterms.Term(
                name=name,
                iri=iri,
                type=kind,
                container=frozenset(container),
                language=language,
                direction=direction,
                reverse=reverse,
                prefix=prefix,
                nest=nest,
                scoped=None if key is None else scoped[key],
                scoped_key=key,
            )
        urls, steps = row["recipe"]
        state = ldterms.make_context(
            (tuple(urls), tuple((k, bool(p), bool(o)) for k, p, o in steps)),
            terms,
            vocab=row["vocab"],
            default_language=bool(row["language"]),
            default_direction=bool(row["direction"]),
            previous=previous,
        )
        built[i] = state
        return state

    for i in range(len(rows)):
        build(i)
    for i, row in enumerate(rows):
        for key, propagate, override, child in row["children"]:
            built[i].children[(key, bool(propagate), bool(override))] = built[child]
    return built
