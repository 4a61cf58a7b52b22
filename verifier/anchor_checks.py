"""The ``anchor`` check: a credential's ledger anchor proof, its batch, binding and chain record.

:mod:`anchor.check` (and web3, when a chain is consulted) is imported only for a
credential that carries an anchor proof.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from vc.results import CheckResult
from vc.types import JSONObject
from verifier import budget, work_slots
from verifier.check_context import NOT_FETCHED, CheckContext, issuer_id, short
from verifier.key_binding import resolve_method

__all__ = ["ANCHOR_CRYPTOSUITE", "check_anchor"]

ANCHOR_CRYPTOSUITE = "laurel-anchor-2026"  # anchor.proof.ANCHOR_CRYPTOSUITE, without importing it


def check_anchor(
    document: JSONObject, ctx: CheckContext, *, network: bool = True
) -> list[CheckResult]:
    """The ledger anchor: inclusion in a batch, the account's binding, the chain's record.

    Skipped for a credential without an anchor proof; :mod:`anchor.check` (and web3,
    when a chain is consulted) is imported only for one that has one. Without
    `network` (a forged credential), only the inclusion, which needs nothing fetched,
    is checked.
    """
    raw = document.get("proof")
    items = raw if isinstance(raw, list) else [raw]
    anchors = [
        p for p in items if isinstance(p, dict) and p.get("cryptosuite") == ANCHOR_CRYPTOSUITE
    ]
    if not anchors:
        if ctx.policy.require_anchor:
            # A required check that cannot run is a failure, never a silent skip.
            return [
                CheckResult.failed(
                    "anchor.missing", "an anchor is required; the credential has none"
                )
            ]
        return [CheckResult.skipped("anchor", "the credential carries no anchor proof")]
    from anchor.check import check_inclusion, check_ledger, decode_anchor

    results: list[CheckResult] = []
    for proof in anchors:
        anchor = decode_anchor(proof)
        if isinstance(anchor, CheckResult):
            results.append(anchor)
            continue
        results.append(check_inclusion(document, anchor))
        if not network:
            results.append(CheckResult.skipped("anchor.ledger", NOT_FETCHED))
            continue
        results.append(_check_anchor_binding(document, anchor.verification_method, anchor, ctx))
        with _chain_budget(ctx):
            results.append(
                check_ledger(
                    anchor,
                    ctx.anchors,
                    confirmations=ctx.policy.anchor_confirmations,
                    require=ctx.policy.require_anchor,
                )
            )
    return results


@contextlib.contextmanager
def _chain_budget(ctx: CheckContext) -> Iterator[None]:
    # The chain's JSON-RPC requests share the verification's network budget too
    # (anchor.rpc, and web3 with it, is imported only when a chain is consulted).
    left = budget.remaining()
    if left is None or ctx.anchors is None or not ctx.anchors.configured:
        yield
        return
    from anchor.rpc import rpc_deadline

    with rpc_deadline(max(left, 0.001)), work_slots.lent():
        yield


def _check_anchor_binding(
    document: JSONObject, vm_url: str, anchor: object, ctx: CheckContext
) -> CheckResult:
    from anchor.check import check_binding
    from anchor.proof import AnchorProof

    assert isinstance(anchor, AnchorProof)  # noqa: S101 (narrows for mypy)
    issuer = issuer_id(document)
    resolved = resolve_method(vm_url, "anchor", ctx, issuer)
    if isinstance(resolved, CheckResult):
        return resolved
    method, did_document = resolved
    if (
        issuer is None
        or method.controller != issuer
        or did_document.id != issuer
        or method.id not in did_document.relationship("assertionMethod")
    ):
        return CheckResult.failed(
            "anchor.sender_unbound",
            f"the anchoring account's binding is signed by {short(method.controller)}, "
            f"not by an assertion key of the issuer {short(issuer)}",
        )
    return check_binding(anchor, issuer, method.public_key)
