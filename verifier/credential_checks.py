"""The checks every credential format shares after its proof: validity period, status, trust.

A Data Integrity credential (:mod:`verifier.verify`), a VC-JWT and an Open Badges 2.0
assertion (:mod:`verifier.formats`) are all judged by these.
"""

from __future__ import annotations

import datetime as dt

from vc.model import data_model_version
from vc.results import CheckResult
from vc.timestamps import parse_datetime_stamp
from vc.types import JSONObject
from verifier.check_context import CheckContext, issuer_id, short

__all__ = ["check_status", "check_trust", "check_validity"]


def check_validity(document: JSONObject, ctx: CheckContext) -> CheckResult:
    """Report whether `ctx.policy.now` falls within the validity period (clock skew on its start).

    VC 2.0 "Validity Period" (``validFrom`` .. ``validUntil``); a VC 1.1 credential's
    period is ``issuanceDate`` .. ``expirationDate`` (VC 1.1, "Issuance Date",
    "Expiration Date"; Open Badges 3.0, "Verification": "they have issuanceDate and
    expirationDate instead of validFrom and validUntil").
    """
    now = ctx.policy.now
    v1 = data_model_version(document) == "1.1"
    start_name, end_name = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    bounds: dict[str, dt.datetime] = {}
    for name in (start_name, end_name):
        value = document.get(name)
        if value is None:
            continue
        try:
            bounds[name] = (
                parse_datetime_stamp(value) if isinstance(value, str) else parse_datetime_stamp("")
            )
        except (ValueError, TypeError) as exc:
            return CheckResult.failed(
                "validity.invalid_date",
                f"{name} is not a valid date: {exc}",
                **{name: short(value)},
            )
    valid_from, valid_until = bounds.get(start_name), bounds.get(end_name)
    if valid_from and valid_until and valid_until < valid_from:
        return CheckResult.failed("validity.invalid_range", f"{end_name} is before {start_name}")
    if valid_from and now + ctx.policy.clock_skew < valid_from:
        return CheckResult.failed(
            "validity.not_yet_valid",
            f"not valid until {valid_from:%Y-%m-%d %H:%M} UTC",
            **{start_name: valid_from.isoformat()},
        )
    if valid_until and now > valid_until:
        return CheckResult.failed(
            "validity.expired",
            f"expired on {valid_until:%Y-%m-%d %H:%M} UTC",
            **{end_name: valid_until.isoformat()},
        )
    if not bounds:
        return CheckResult.passed("validity.period", "states no validity period")
    return CheckResult.passed("validity.period", "within its validity period")


def check_status(document: JSONObject, ctx: CheckContext | None = None) -> list[CheckResult]:
    """The revocation/suspension check: one result per credentialStatus entry.

    Without a status checker in `ctx` the lists are not fetched and the check is skipped.
    """
    if document.get("credentialStatus") is None:
        return [CheckResult.skipped("status", "the credential has no credentialStatus")]
    if ctx is None or ctx.status is None:
        return [CheckResult.skipped("status", "status lists are not checked")]
    return ctx.status.check(document, ctx)


def check_trust(document: JSONObject, ctx: CheckContext) -> CheckResult:
    """Whether the issuer is in the verifier's registry of recognized issuers.

    Without a registry this is a warning: the signature says which key signed,
    not whether anyone knows that issuer.
    """
    registry = ctx.policy.trusted_issuers
    if registry is None:
        return CheckResult.warning(
            "trust",
            "no registry of recognized issuers is configured: the issuer is known only by its DID",
        )
    issuer = issuer_id(document)
    name = registry.name_of(issuer)
    if name is not None:
        return CheckResult.passed("trust", f"a recognized issuer: {short(name)}")
    return CheckResult.failed(
        "trust.unknown_issuer", f"{short(issuer)} is not in the registry of recognized issuers"
    )
