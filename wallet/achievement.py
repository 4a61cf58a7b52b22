"""Achievement files: read an Open Badges 3.0 Achievement and fill in what can be derived.

    >>> from wallet.achievement import load_achievement, rubric_result
    >>> achievement = load_achievement(b'''{"name": "Formative Assessment",
    ...   "description": "Uses exit tickets.", "criteria": "Three lesson plans.",
    ...   "resultDescription": [{"name": "Rubric", "resultType": "RubricCriterionLevel",
    ...     "rubricCriterionLevel": [{"name": "Developing"}, {"name": "Proficient"}]}]}''')
    >>> rubric_result(achievement, "proficient")["achievedLevel"].startswith("urn:uuid:")
    True

What a teacher leaves out and laurel can derive is filled in: the achievement's
``id`` and ``type``, ``criteria`` written as a plain sentence, and the ``id`` and
``type`` of every rubric (ResultDescription) and rubric level (RubricCriterionLevel),
each id derived from the content, so the same file always names the same things.
Everything else is checked by the issuer's rule book (:mod:`vc.issuance`) before
anything is signed.
"""

from __future__ import annotations

import copy
import hashlib
import uuid

from vc.canon import jcs
from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document
from vc.types import JSONObject, JSONValue

__all__ = ["AchievementError", "load_achievement", "rubric_result"]

_QUOTE_LIMIT = 60


class AchievementError(MalformedDocumentError):
    """An achievement file is not a usable Open Badges 3.0 Achievement."""

    hint = "An achievement needs at least name, description and criteria (narrative or id)."


def _derived_id(kind: str, content: JSONValue) -> str:
    # A name-based UUID (RFC 9562 version 5 layout) of the canonical content.
    digest = hashlib.sha256(kind.encode("utf-8") + b"\0" + jcs(content)).digest()
    return f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=5)}"


def _types(node: JSONObject, name: str, where: str) -> None:
    value = node.get("type")
    if value is None:
        node["type"] = [name]
    elif isinstance(value, str):
        node["type"] = [value]
    elif not isinstance(value, list):
        raise AchievementError(f"{where}.type must be {name!r} or a list of types")


def _fill_rubrics(achievement: JSONObject) -> None:
    descriptions = achievement.get("resultDescription")
    if descriptions is None:
        return
    if not isinstance(descriptions, list):
        raise AchievementError("resultDescription must be a list of rubrics")
    for index, description in enumerate(descriptions):
        where = f"resultDescription[{index}]"
        if not isinstance(description, dict):
            raise AchievementError(f"{where} must be an object (a ResultDescription)")
        levels = description.get("rubricCriterionLevel")
        for position, level in enumerate(levels if isinstance(levels, list) else []):
            if not isinstance(level, dict):
                raise AchievementError(
                    f"{where}.rubricCriterionLevel[{position}] must be an object"
                )
            _types(level, "RubricCriterionLevel", f"{where}.rubricCriterionLevel[{position}]")
            if "id" not in level:
                level["id"] = _derived_id(
                    "RubricCriterionLevel", [index, position, description.get("name"), level]
                )
        _types(description, "ResultDescription", where)
        if "id" not in description:
            description["id"] = _derived_id("ResultDescription", description)


def load_achievement(data: bytes) -> JSONObject:
    """Parse an OB 3.0 Achievement; fill in what can be derived, keep the rest.

    A missing `id` becomes a UUID derived from the content: the same file gives the
    same id (and so do its rubrics and levels).

    Raises:
        AchievementError: not JSON, not an object, missing name/description/criteria,
            or a type or rubric of the wrong shape.
    """
    try:
        achievement = parse_document(data)
    except MalformedDocumentError as exc:
        raise AchievementError(f"the achievement file is not usable JSON: {exc.message}") from exc
    missing = [k for k in ("name", "description", "criteria") if not achievement.get(k)]
    if missing:
        raise AchievementError(f"the achievement lacks {', '.join(missing)}")
    criteria = achievement["criteria"]
    if isinstance(criteria, str):
        achievement["criteria"] = {"narrative": criteria}
    elif not isinstance(criteria, dict):
        raise AchievementError("criteria must be an object with a narrative or an id")
    _fill_rubrics(achievement)
    if "id" not in achievement:
        # Derived from the content, so the same file always names the same
        # achievement: a re-run roster recognizes the rows it already issued.
        digest = hashlib.sha256(jcs(achievement)).digest()
        achievement["id"] = f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=5)}"
    _types(achievement, "Achievement", "the achievement")
    types = achievement["type"]
    if not isinstance(types, list) or "Achievement" not in types:
        raise AchievementError("the achievement's type must include Achievement")
    return achievement


def _levels(achievement: JSONObject) -> list[tuple[JSONObject, JSONObject]]:
    out: list[tuple[JSONObject, JSONObject]] = []
    descriptions = achievement.get("resultDescription")
    for description in descriptions if isinstance(descriptions, list) else []:
        if not isinstance(description, dict):
            continue
        levels = description.get("rubricCriterionLevel")
        for level in levels if isinstance(levels, list) else []:
            if isinstance(level, dict):
                out.append((description, level))
    return out


def rubric_result(achievement: JSONObject, level: str) -> JSONObject:
    """The OB 3.0 Result for the rubric level named `level` (its name or id, any case).

    Raises:
        AchievementError: no rubric level matches; the message lists the levels.
    """
    wanted = level.strip().casefold()
    levels = _levels(achievement)
    for description, candidate in levels:
        keys = (candidate.get("id"), candidate.get("name"))
        if any(isinstance(k, str) and k.strip().casefold() == wanted for k in keys):
            return {
                "type": ["Result"],
                "resultDescription": copy.deepcopy(description.get("id")),
                "achievedLevel": copy.deepcopy(candidate.get("id")),
            }
    shown = level if len(level) <= _QUOTE_LIMIT else level[:_QUOTE_LIMIT] + "…"
    if not levels:
        raise AchievementError(
            f"--result {shown!r}: the achievement has no rubric levels "
            "(resultDescription[].rubricCriterionLevel)"
        )
    names = [str(c.get("name") or c.get("id")) for _, c in levels]
    raise AchievementError(
        f"--result {shown!r} matches no rubric level; the levels are: {', '.join(names)}",
        hint="Give a level's name (any case) or its id.",
    )
