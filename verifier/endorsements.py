"""Endorsements embedded in a badge: each verified on its own, reported as ``endorsement.*``.

Open Badges 3.0 lets anyone vouch for an issuer, an achievement or a badge with an
``EndorsementCredential`` embedded in ``endorsement`` (or, as a VC-JWT, in
``endorsementJwt``) of the credential, its issuer profile or its achievement. Its
"Verification" section, step 6: "If the OpenBadgeCredential contains any
EndorsementCredentials, verify the EndorsementCredentials" (section "EndorsementCredential
Verification": conformance, proof, status, validity).

Each endorsement is verified through the same pipeline as a badge, and reported in a
group of its own: ``endorsement.format``, ``endorsement.signature`` (its proof and its
key's binding to the endorser), ``endorsement.validity``, ``endorsement.status``,
``endorsement.schema``, ``endorsement.issuer`` (who endorses, and whether the
verifier's registry knows them). **An endorsement that does not verify does not fail
the badge**: its checks are warnings. An endorsement is a third party's statement
*about* the badge, inside it; the badge's own signature already covers its bytes, so
a broken endorsement says nothing about whether the issuer issued the badge, only
that this recognition cannot be relied on. A reader sees it named, not hidden.

Endorsements are only checked when the badge's own signature verified (nothing a
forged badge names is fetched, SECURITY.md D14), at most :data:`MAX_ENDORSEMENTS` per
badge, and an endorsement's own endorsements are not followed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from vc.jsontext import key_count
from vc.results import CheckResult, Status, VerificationResult
from vc.types import JSONObject, JSONValue
from verifier.check_context import NOT_FETCHED, CheckContext, issuer_id

__all__ = ["ENDORSEMENT_TYPE", "MAX_ENDORSEMENTS", "check_endorsements", "find_endorsements"]

ENDORSEMENT_TYPE = "EndorsementCredential"
#: The most endorsements checked in one badge (each may fetch a DID document and a list).
MAX_ENDORSEMENTS = 4
#: How deep in a badge endorsements are looked for (credential > issuer > endorsement).
_MAX_DEPTH = 8

#: The endorsement's own check groups -> the endorsement check that reports them.
_GROUPS = {
    "format": "format",
    "proof": "signature",
    "issuer": "signature",
    "validity": "validity",
    "status": "status",
    "schema": "schema",
    "trust": "issuer",
}
_ORDER = ("format", "signature", "validity", "status", "schema", "issuer")

#: Verifies one embedded credential (a JSON object or a VC-JWT) with the badge's context.
VerifyOne = Callable[[JSONObject | str, CheckContext], VerificationResult]


def _types(value: JSONValue) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [t for t in items if isinstance(t, str)]


def find_endorsements(credential: JSONObject) -> Iterator[tuple[str, JSONObject | str]]:
    """Every embedded endorsement with its path: objects under ``endorsement``, JWTs under ``endorsementJwt``.

    Looked for anywhere in the credential but its proofs, not inside an endorsement.
    """
    if not key_count(credential, "endorsement", "endorsementJwt", skip=frozenset({"proof"})):
        return
    stack: list[tuple[str, JSONValue, int]] = [("", credential, 0)]
    while stack:
        path, node, depth = stack.pop(0)
        if depth > _MAX_DEPTH:
            continue
        if isinstance(node, list):
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if key == "proof":
                continue
            where = f"{path}.{key}" if path else key
            items = value if isinstance(value, list) else [value]
            indexed = isinstance(value, list)
            if key == "endorsement":
                for i, item in enumerate(items):
                    if isinstance(item, dict):
                        yield (f"{where}[{i}]" if indexed else where), item
                continue
            if key == "endorsementJwt":
                for i, item in enumerate(items):
                    if isinstance(item, str):
                        yield (f"{where}[{i}]" if indexed else where), item
                continue
            stack.append((where, value, depth + 1))


def _endorser(result: VerificationResult, item: JSONObject | str) -> str:
    summary_issuer = result.summary.get("issuer")
    if isinstance(summary_issuer, dict):
        name, ident = summary_issuer.get("name"), summary_issuer.get("id")
        if isinstance(name, str) and isinstance(ident, str):
            return f"{name} ({ident[:60]})"
        if isinstance(ident, str):
            return ident[:80]
    if isinstance(item, dict):
        found = issuer_id(item)
        if found is not None:
            return found[:80]
    return "an unnamed endorser"


def _report(
    index: int, path: str, item: JSONObject | str, result: VerificationResult
) -> list[CheckResult]:
    who = _endorser(result, item)
    where: dict[str, JSONValue] = {"endorsement": index, "path": path}
    by_name: dict[str, list[CheckResult]] = {}
    for check in result.checks:
        name = _GROUPS.get(check.group)
        if name is not None:
            by_name.setdefault(name, []).append(check)
    out: list[CheckResult] = []
    for name in _ORDER:
        found = by_name.get(name)
        if not found:
            continue
        failed = [c for c in found if c.status is Status.FAILED]
        warned = [c for c in found if c.status is Status.WARNING]
        check_id = f"endorsement.{name}"
        if failed:
            # A failed endorsement is reported, never fatal to the badge (see the module).
            reasons = "; ".join(f"{c.message} ({c.id})" for c in failed[:3])
            out.append(
                CheckResult.warning(
                    check_id,
                    f"the endorsement by {who} does not hold: {reasons}",
                    **where,
                    checks=[c.id for c in failed],
                )
            )
        elif all(c.status is Status.SKIPPED for c in found):
            out.append(CheckResult.skipped(check_id, found[0].message, **where))
        elif name == "issuer" and warned:
            out.append(CheckResult.passed(check_id, f"endorsed by {who}", **where))
        else:
            out.append(CheckResult.passed(check_id, _passed_message(name, who), **where))
    if not any(c.id == "endorsement.issuer" for c in out):
        out.append(CheckResult.passed("endorsement.issuer", f"endorsed by {who}", **where))
    return out


def _passed_message(name: str, who: str) -> str:
    return {
        "format": f"the endorsement by {who} is a well-formed credential",
        "signature": f"the endorsement is signed by a key of {who}",
        "validity": "the endorsement is within its validity period",
        "status": "the endorser has not revoked the endorsement",
        "schema": "the endorsement conforms to the Open Badges 3.0 schema",
        "issuer": f"endorsed by {who}",
    }[name]


def check_endorsements(
    credential: JSONObject, ctx: CheckContext, network: bool, verify_one: VerifyOne
) -> list[CheckResult]:
    """The ``endorsement.*`` checks of every endorsement embedded in `credential`.

    `network` is whether the badge's own signature verified: without it nothing is
    checked (nothing a forged badge names is fetched). Failures are warnings.
    """
    found = list(find_endorsements(credential))
    if not found:
        return [CheckResult.skipped("endorsement", "the badge carries no endorsements")]
    if not network:
        return [CheckResult.skipped("endorsement", NOT_FETCHED, endorsements=len(found))]
    checks: list[CheckResult] = []
    for index, (path, item) in enumerate(found[:MAX_ENDORSEMENTS]):
        if isinstance(item, dict) and ENDORSEMENT_TYPE not in _types(item.get("type")):
            checks.append(
                CheckResult.warning(
                    "endorsement.format",
                    f"{path} is not an EndorsementCredential; it was not checked",
                    endorsement=index,
                    path=path,
                )
            )
            continue
        checks.extend(_report(index, path, item, verify_one(item, ctx)))
    if len(found) > MAX_ENDORSEMENTS:
        checks.append(
            CheckResult.warning(
                "endorsement.too_many",
                f"the badge carries {len(found)} endorsements; the first {MAX_ENDORSEMENTS} "
                "were checked, the others were not",
                endorsements=len(found),
            )
        )
    return checks
