"""The DCQL query laurel's verifier sends for an Open Badge, and the VP Token read against it.

OID4VP 1.0, "Digital Credentials Query Language (DCQL)": one Credential Query per
format laurel verifies, and a Credential Set Query asking for any one of them.
OID4VP 1.0, "Response Parameters": the ``vp_token`` is a JSON object keyed by
Credential Query ``id``, each value an array of presentations (one, as
``multiple`` is false).

    >>> query = open_badge_query()
    >>> [c["format"] for c in query["credentials"]]
    ['ldp_vc', 'jwt_vc_json', 'dc+sd-jwt']
    >>> presented, problems = read_vp_token('{"openbadge_ldp": [{"type": "VerifiablePresentation"}]}', query)
    >>> presented[0].format, problems
    ('ldp_vc', [])
"""

from __future__ import annotations

from dataclasses import dataclass

from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document
from vc.results import CheckResult
from vc.types import JSONObject, JSONValue

__all__ = [
    "ASKED",
    "FORMATS",
    "OPEN_BADGE_TYPE",
    "Presented",
    "matches_open_badge_type",
    "open_badge_query",
    "read_vp_token",
]

#: The fully expanded type of an Open Badges 3.0 credential (``OpenBadgeCredential`` and
#: its alias ``AchievementCredential`` both expand to it under the OB 3.0 context).
OPEN_BADGE_TYPE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
#: Credential Query id per format identifier (OID4VP 1.0, "Credential Format Specific Parameters").
FORMATS = {
    "ldp_vc": "openbadge_ldp",
    "jwt_vc_json": "openbadge_jwt",
    "dc+sd-jwt": "openbadge_sd_jwt",
}
#: The formats asked for: those laurel verifies (a wallet must not be asked for what
#: would then be refused).
ASKED = ("ldp_vc", "jwt_vc_json", "dc+sd-jwt")
_OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"


def open_badge_query(formats: tuple[str, ...] = ASKED) -> JSONObject:
    """A DCQL query for one Open Badge in any of `formats`.

    W3C formats are matched on ``meta.type_values`` (the expanded type IRI);
    SD-JWT VC on ``meta.vct_values``, for which laurel uses the same IRI (Open
    Badges defines no SD-JWT VC type of its own).
    """
    credentials: list[JSONValue] = []
    for name in formats:
        meta: JSONObject = (
            {"vct_values": [OPEN_BADGE_TYPE]}
            if name == "dc+sd-jwt"
            else {"type_values": [[OPEN_BADGE_TYPE]]}
        )
        credentials.append({"id": FORMATS[name], "format": name, "meta": meta})
    return {
        "credentials": credentials,
        "credential_sets": [{"options": [[FORMATS[name]] for name in formats]}],
    }


def matches_open_badge_type(credential: JSONObject) -> bool:
    """Whether a W3C credential's expanded types include :data:`OPEN_BADGE_TYPE`.

    OID4VP 1.0, "Parameters in the meta parameter in Credential Query", allows
    "alternative mechanisms" equivalent to JSON-LD expansion: with only bundled
    contexts accepted (the ``format`` and ``proof.context`` checks), a type
    ``OpenBadgeCredential`` or ``AchievementCredential`` under an OB 3.0 context
    expands to it.
    """
    types = credential.get("type")
    names = types if isinstance(types, list) else [types]
    contexts = credential.get("@context")
    context_list = contexts if isinstance(contexts, list) else [contexts]
    has_ob = any(isinstance(c, str) and c.startswith(_OB_CONTEXT_PREFIX) for c in context_list)
    return OPEN_BADGE_TYPE in names or (
        has_ob and any(n in ("OpenBadgeCredential", "AchievementCredential") for n in names)
    )


@dataclass(frozen=True, slots=True)
class Presented:
    """One presentation in a VP Token: which Credential Query it answers, in which format."""

    query_id: str
    format: str
    presentation: JSONValue


def _fail(code: str, message: str) -> CheckResult:
    return CheckResult.failed(f"format.vp_token_{code}", message, error="invalid_request")


def read_vp_token(text: str, query: JSONObject) -> tuple[list[Presented], list[CheckResult]]:
    """Split a ``vp_token`` by Credential Query; the problems found, as failed checks.

    Only ids of `query` may appear, each with exactly one presentation of the
    type its format uses (an object for ``ldp_vc``, a string otherwise), and the
    ids present must make up one option of every credential set.
    """
    try:
        token = parse_document(text)
    except MalformedDocumentError as exc:
        return [], [_fail("malformed", f"the vp_token is not a JSON object: {exc.message}")]
    credentials = query.get("credentials")
    formats = {
        c["id"]: c["format"]
        for c in (credentials if isinstance(credentials, list) else [])
        if isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("format"), str)
    }
    presented: list[Presented] = []
    problems: list[CheckResult] = []
    for key, value in token.items():
        if key not in formats:
            problems.append(_fail("unknown_query", f"{key[:64]!r} is not a query of this request"))
            continue
        if not isinstance(value, list) or len(value) != 1:
            problems.append(_fail("count", f"{key!r} must hold exactly one presentation"))
            continue
        item, format_ = value[0], str(formats[key])
        if isinstance(item, dict) != (format_ == "ldp_vc") or not isinstance(item, dict | str):
            problems.append(_fail("format", f"{key!r} does not hold a {format_} presentation"))
            continue
        presented.append(Presented(key, format_, item))
    answered = set(token)
    sets = query.get("credential_sets")
    for credential_set in sets if isinstance(sets, list) else []:
        options = credential_set.get("options") if isinstance(credential_set, dict) else None
        if isinstance(options, list) and not any(
            isinstance(o, list) and set(map(str, o)) <= answered for o in options
        ):
            problems.append(_fail("unsatisfied", "the vp_token answers none of the options asked"))
    if not token:
        problems.append(_fail("empty", "the vp_token holds no presentation"))
    return presented, problems
