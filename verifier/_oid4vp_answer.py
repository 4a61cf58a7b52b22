"""Checking a wallet's answer: the ``vp_token`` of a direct_post, against its transaction.

Each presentation goes through laurel's pipeline for its format (``ldp_vc``,
``jwt_vc_json``, ``dc+sd-jwt``) with the transaction's nonce as challenge and its client
identifier as domain (audience), and its credentials must meet the query. Functions of
the service state and the parsed form: no request, no Flask.
"""

from __future__ import annotations

import datetime as dt

from vc.model import document_kind
from vc.results import CheckResult, VerificationResult
from vc.types import JSONObject, JSONValue
from verifier.dcql import (
    OPEN_BADGE_TYPE,
    Presented,
    matches_open_badge_type,
    read_vp_token,
)
from verifier.policy import VerificationPolicy
from verifier.sdjwt import verify_sd_jwt_vc
from verifier.service import ServiceState
from verifier.verify import verify
from verifier.vpjwt import presented_credentials, verify_vp_jwt

__all__ = ["verify_vp_token"]


def verify_vp_token(
    service: ServiceState, record: JSONObject, form: dict[str, str], now: dt.datetime
) -> VerificationResult:
    """Verify a direct_post answer against its transaction `record` (its nonce, client_id, state, query).

    Each presentation goes through laurel's pipeline with the nonce as challenge
    and the client identifier as domain (audience); the problems of the token
    itself come first. Never raises for bad input.
    """
    problems: list[CheckResult] = []
    if form.get("state") != record.get("state"):
        problems.append(
            CheckResult.failed(
                "presentation.state_mismatch", "the answer's state is not this request's"
            )
        )
    token = form.get("vp_token")
    query = record.get("dcql_query")
    if token is None or not isinstance(query, dict):
        problems.append(
            CheckResult.failed("format.vp_token_missing", "the answer carries no vp_token")
        )
        return VerificationResult(tuple(problems))
    presented, token_problems = read_vp_token(token, query)
    problems.extend(token_problems)
    policy = VerificationPolicy(
        now=now,
        challenge=str(record["nonce"]),
        domain=str(record["client_id"]),
        anchor_confirmations=service.anchor_confirmations,
        trusted_issuers=service.trust,
    )
    results = [_verify_one(service, item, policy) for item in presented]
    if len(results) == 1:
        only = results[0]
        return VerificationResult(
            (*problems, *only.checks), summary=only.summary, credentials=only.credentials
        )
    checks = problems or [CheckResult.failed("format.vp_token_count", "one presentation expected")]
    return VerificationResult(tuple(checks), credentials=tuple(results))


def _verify_one(
    service: ServiceState, item: Presented, policy: VerificationPolicy
) -> VerificationResult:
    if item.format == "dc+sd-jwt" and isinstance(item.presentation, str):
        return verify_sd_jwt_vc(
            item.presentation, policy, resolver=service.resolver, vct_values=(OPEN_BADGE_TYPE,)
        )
    if item.format == "jwt_vc_json" and isinstance(item.presentation, str):
        # OID4VP 1.0, "VC signed as a JWT, not using JSON-LD": a VP-JWT over nonce and aud.
        result = verify_vp_jwt(
            item.presentation,
            policy,
            resolver=service.resolver,
            status_checker=service.status,
            anchors=service.anchors,
        )
        return _with_query_check(
            result, {"verifiableCredential": presented_credentials(item.presentation)}
        )
    if item.format == "ldp_vc" and isinstance(item.presentation, dict):
        document = item.presentation
        if document_kind(document) != "presentation":
            return VerificationResult(
                (
                    CheckResult.failed(
                        "format.not_a_presentation",
                        "an ldp_vc answer must be a presentation signed over the nonce",
                    ),
                )
            )
        result = verify(
            document,
            policy,
            resolver=service.resolver,
            status_checker=service.status,
            anchors=service.anchors,
        )
        return _with_query_check(result, document)
    return VerificationResult(
        (
            CheckResult.failed(
                "format.unsupported",
                f"laurel does not verify {item.format} presentations yet",
            ),
        )
    )


def _with_query_check(result: VerificationResult, document: JSONObject) -> VerificationResult:
    # OID4VP 1.0, "VP Token Validation": the credentials must meet the query (type_values).
    embedded = document.get("verifiableCredential")
    items: list[JSONValue] = embedded if isinstance(embedded, list) else [embedded]
    badges = [c for c in items if isinstance(c, dict) and matches_open_badge_type(c)]
    if badges and len(badges) == len(items):
        check = CheckResult.passed(
            "presentation.query", "the credentials are Open Badges, as asked"
        )
    else:
        check = CheckResult.failed(
            "presentation.query_mismatch",
            "the presentation holds a credential that is not an Open Badge",
        )
    return VerificationResult(
        (*result.checks, check),
        summary=result.summary,
        credentials=result.credentials,
        unreadable=result.unreadable,
    )
