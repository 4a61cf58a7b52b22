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
from pathlib import Path
from typing import Any

from vc import cachedir, jsonld, ldterms

__all__ = ["FORMAT", "cache_path", "changed", "load", "lookup", "save"]

#: The layout of the file; a change makes every existing file unread.
FORMAT = 1

_DIRTY = [False]
_REGISTERED = [False]


def cache_path() -> Path | None:
    """Where the states are kept for this set of pinned contexts (None: caching is off)."""
    folder = cachedir.folder()
    if folder is None:
        return None
    pins = json.dumps(sorted(jsonld.PINNED_CONTEXTS.items()), separators=(",", ":"))
    digest = hashlib.sha256(f"{FORMAT}\n{pins}".encode()).hexdigest()[:24]
    return folder / f"contexts-{digest}.json"


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
    _build_all()
    with ldterms._LOCK:
        states = list(ldterms._STATES.values())
        scoped = dict(ldterms._SCOPED)
    known = {id(s) for s in states}
    # Keep what every state needs: its previous state and its children, and theirs (a
    # full _STATES is cleared, so a state may be reachable only through others).
    for state in states:  # grows as it goes: every state reached is visited
        for other in (state.previous, *list(state.children.values())):
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
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    cachedir.write_private(path, text.encode("utf-8"))
    _DIRTY[0] = False


def load() -> int:
    """Index the states of the cache file; how many it holds (0 when there is none).

    Nothing is built yet: :func:`lookup` builds a state (and the ones it reverts to)
    the first time a document needs it, so a process pays for the few states its
    documents reach, not for every state the cache has learned.
    """
    path = cache_path()
    if path is None:
        return 0
    try:
        data = cachedir.read_private(path)
        if data is None:
            return 0
        payload = json.loads(data)
        if payload.get("format") != FORMAT:
            raise ValueError("another format")
        rows: list[dict[str, Any]] = payload["states"]
        scoped: dict[str, Any] = payload["scoped"]
        index = {_recipe(row): i for i, row in enumerate(rows)}
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return 0  # unreadable: made again as needed
    with ldterms._LOCK:
        ldterms._SCOPED.update(scoped)
        _PENDING.clear()
        _PENDING.update(rows=rows, scoped=scoped, index=index, built=[None] * len(rows))
    return len(rows)


#: The cache file's rows, not yet built: rows, scoped, index (recipe -> row), built.
_PENDING: dict[str, Any] = {}


def _recipe(row: dict[str, Any]) -> ldterms.Recipe:
    urls, steps = row["recipe"]
    return (tuple(urls), tuple((k, bool(p), bool(o)) for k, p, o in steps))


def lookup(recipe: ldterms.Recipe) -> ldterms.ActiveContext | None:
    """The state `recipe` leads to, built from the cache file (None: not in it)."""
    i = _PENDING.get("index", {}).get(recipe)
    if i is None:
        return None
    try:
        state = _build(i)
    except (KeyError, TypeError, ValueError, IndexError):
        return None  # a damaged row: the state is processed again instead
    with ldterms._LOCK:
        return ldterms._STATES.setdefault(state.recipe, state)


def _build(i: int) -> ldterms.ActiveContext:
    built: list[ldterms.ActiveContext | None] = _PENDING["built"]
    done = built[i]
    if done is not None:
        return done
    row = _PENDING["rows"][i]
    scoped = _PENDING["scoped"]
    previous = None if row["previous"] is None else _build(row["previous"])
    terms = {}
    for name, iri, kind, container, language, direction, reverse, prefix, nest, key in row["terms"]:
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
    state = ldterms.make_context(
        _recipe(row),
        terms,
        vocab=row["vocab"],
        default_language=bool(row["language"]),
        default_direction=bool(row["direction"]),
        previous=previous,
    )
    built[i] = state
    return state


def _build_all() -> None:
    # Before a save: every row of the file becomes a state, with its transitions, so
    # that writing what is known never drops what the file held.
    rows = _PENDING.get("rows")
    if not rows:
        return
    for i in range(len(rows)):
        try:
            state = _build(i)
            for key, propagate, override, child in rows[i]["children"]:
                state.children.setdefault((key, bool(propagate), bool(override)), _build(child))
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        with ldterms._LOCK:
            ldterms._STATES.setdefault(state.recipe, state)
