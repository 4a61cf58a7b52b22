"""The compaction test's shared parts: its report types, JSON paths, and the keywords it knows.

:mod:`vc.compaction` answers whether a document is the compacted form of its own
contexts; the walk (:mod:`vc._compaction_walk`) and the reference round trip
(:mod:`vc._compaction_reference`) both report with these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vc.types import JSONObject

# Keywords whose use moves data out of the members a verifier reads (SECURITY.md R04):
# refused even where a round trip would give them back.
_REFUSED_KEYWORDS = frozenset({"@included", "@reverse", "@nest", "@graph", "@index", "@set"})
# The keywords a node or value object of a credential can hold (the rest refused above or
# taken by the walk). Any other (a context's @protected, Framing's @preserve ...) carries no
# quad and pyld keeps it through a round trip: it is refused wherever it stands.
_NODE_KEYWORDS = (
    frozenset({"@context", "@id", "@type", "@value", "@language", "@direction", "@list"})
    | _REFUSED_KEYWORDS
)
_KEYWORD = re.compile(r"^@[a-zA-Z]+$")
# Open Badges 3.0 contexts give one IRI to a property term and a class term, so Term
# Selection writes the class's name where the specification (and every issuer) writes
# the property's: ``achievement`` is ``…#Achievement`` in the first context.json. Both
# spellings are the same RDF and laurel's checks read the specification's (issue #13):
# the key compaction writes -> the one the document may write instead. (Type names
# such as ``geo``/``GeoCoordinates`` compare as terms, see _TERM.)
# The first context.json also coerces ``image`` to the datatype ``…#Image`` while its
# values are Image objects: compaction then writes the property's full IRI.
_OB_IMAGE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#image"
_KEY_PUNS = {"Achievement": "achievement", _OB_IMAGE: "image"}
# pyld's test for an absolute IRI (RDF drops what fails it, so the two must agree).
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_VALUE_KEYS = frozenset({"@value", "@language", "@direction"})


@dataclass(frozen=True, slots=True)
class FormProblem:
    """One place where the document is not the compacted form of its contexts.

    `strict` marks a JSON-LD feature refused outright (``@included``, ``@nest``,
    ``@reverse``, a node repeating the document's id) even where a round trip would
    give the document back.
    """

    path: str
    message: str
    strict: bool = False


@dataclass(frozen=True, slots=True)
class FormReport:
    """What :func:`inspect` found.

    `undefined` lists the terms, types and IRIs JSON-LD would silently drop (so a
    signature over the RDF would not cover them); `problems` the places that are not
    in compacted form. `view` is the document as its contexts compact it, when that
    differs (the checks read it, so that a refused document is still reported on what
    it signs); `reference` tells that pyld decided rather than the walk.
    """

    undefined: tuple[str, ...] = ()
    problems: tuple[FormProblem, ...] = ()
    view: JSONObject | None = None
    reference: bool = False

    @property
    def compacted(self) -> bool:
        """True when the document is exactly the compacted form of its contexts."""
        return not self.problems


class _Fallback(Exception):
    """The walk met something it does not model; the reference decides."""


# A JSON path as (parent, key) pairs, () for the root: made as the walk goes down
# (a tuple is cheaper than a string), written out only for a problem found.
_Path = tuple[Any, ...]


def _join(path: _Path, key: str | int) -> _Path:
    return (path, key)


def _render(path: _Path) -> str:
    keys: list[str | int] = []
    while path:
        path, key = path
        keys.append(key)
    text = ""
    for key in reversed(keys):
        text = f"{text}[{key}]" if isinstance(key, int) else f"{text}.{key}" if text else key
    return text


def _quote(value: str, limit: int = 80) -> str:
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")
