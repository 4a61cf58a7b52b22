"""The ``anchor.ledger`` check: look the root up on the chain the proof names, and judge the record.

What is believed comes from the chain (SECURITY.md rule 9): the proof's own root,
block and time are only compared with what the registry says.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from anchor._registry import code_at, registry_runtime_code
from anchor.directory import LOOKUP_CACHE_SECONDS, CachedRecord, ChainDirectory
from anchor.errors import AnchorError, ChainUnreachableError
from anchor.proof import AnchorProof
from vc.results import CheckResult
from vc.timestamps import format_datetime_stamp
from vc.types import JSONValue

if TYPE_CHECKING:
    from anchor.chain import Chain, Lookup

__all__ = ["check_ledger"]


def _unavailable(message: str, *, require: bool, **details: JSONValue) -> CheckResult:
    if require:
        return CheckResult.failed("anchor.unavailable", message, **details)
    return CheckResult.warning("anchor.unavailable", message, **details)


def _untrusted(exc: Exception, where: dict[str, JSONValue]) -> CheckResult:
    """A node that answers with something other than what JSON-RPC promises (A12)."""
    message = exc.message if isinstance(exc, AnchorError) else str(exc)
    return CheckResult.failed(
        "anchor.rpc_invalid", f"the chain's answer could not be trusted: {message[:160]}", **where
    )


def check_ledger(
    anchor: AnchorProof,
    directory: ChainDirectory | None,
    *,
    confirmations: int | None = None,
    require: bool = False,
    clock: Callable[[], float] = time.monotonic,
) -> CheckResult:
    """Look the root up on the chain the proof names, and judge what the registry says.

    `confirmations` is the depth an anchor needs on an RPC chain (default: the
    node's ``finalized`` block, or 64 blocks deep). With `require`, a chain that
    cannot be consulted fails instead of warning.
    """
    where: dict[str, JSONValue] = {"chainId": anchor.chain_id, "block": anchor.block}
    if directory is None or not directory.configured:
        return _unavailable(
            f"the anchor on chain {anchor.chain_id} was not looked up: no chain is configured "
            "(pass --rpc URL)",
            require=require,
            **where,
        )
    cached = directory.cached(anchor.chain_id, anchor, clock())
    if cached is not None and (cached.final_on_mining or cached.confirmations == confirmations):
        # A final, unrevoked record read moments ago: no chain is opened (the embedded
        # one costs milliseconds to open, a node a round trip).
        return _judge_record(anchor, cached.lookup, cached.block_hash) or _passed(
            anchor, cached.lookup, cached.finality
        )
    from anchor.rpc import rpc_deadline

    errors: list[str] = []
    other_ids: list[int] = []
    # One budget for every request of this check (SECURITY.md A11): a node that answers
    # each request just in time cannot hold a verification for minutes.
    with rpc_deadline(directory.timeout):
        for chain in directory.chains():
            if isinstance(chain, AnchorError):
                errors.append(chain.message)
                continue
            try:
                chain_id = chain.chain_id
            except ChainUnreachableError as exc:
                errors.append(exc.message)
                continue
            except AnchorError as exc:
                return _untrusted(exc, where)
            if chain_id != anchor.chain_id:
                if directory.embedded_by_default and chain.final_on_mining:
                    # Only the local wallet's chain, not one the user named: nothing to judge by.
                    errors.append(
                        f"no node of chain {anchor.chain_id} is configured (pass --rpc URL)"
                    )
                else:
                    other_ids.append(chain_id)
                continue
            try:
                return _judge(chain, anchor, directory, confirmations, clock)
            except ChainUnreachableError as exc:
                return _unavailable(
                    f"could not confirm the anchor: {exc.message}", require=require, **where
                )
            except (AnchorError, ValueError, KeyError, TypeError) as exc:
                return _untrusted(exc, where)
    if other_ids:
        return CheckResult.failed(
            "anchor.wrong_chain",
            f"the anchor names chain {anchor.chain_id}, but the chain consulted is "
            f"{', '.join(str(i) for i in other_ids)}",
            **where,
        )
    return _unavailable(
        f"could not confirm the anchor: {'; '.join(errors)[:200]}", require=require, **where
    )


def _judge(
    chain: Chain,
    anchor: AnchorProof,
    directory: ChainDirectory,
    confirmations: int | None,
    clock: Callable[[], float],
) -> CheckResult:
    cached = directory.cached(anchor.chain_id, anchor, clock())
    if cached is not None:
        lookup, block_hash = cached.lookup, cached.block_hash
    else:
        code = code_at(chain, anchor.contract_address)
        present = chain.has_code(anchor.contract_address) if code is None else bool(code)
        if not present:
            return CheckResult.failed(
                "anchor.wrong_contract",
                f"there is no registry at {anchor.contract_address} on chain {anchor.chain_id}",
                **_where(anchor),
            )
        if code is not None and code != registry_runtime_code():
            return CheckResult.failed(
                "anchor.wrong_contract",
                f"the contract at {anchor.contract_address} on chain {anchor.chain_id} is not "
                "laurel's AnchorRegistry (its code differs), so its answers prove nothing",
                **_where(anchor),
            )
        lookup = chain.lookup(
            anchor.contract_address, anchor.root, anchor.leaf, sender=anchor.account_address
        )
        block_hash = chain.block_hash(anchor.block)
    verdict = _judge_record(anchor, lookup, block_hash)
    if verdict is not None:
        return verdict
    depth_ok, depth_text = _finality(chain, anchor.block, confirmations)
    if not depth_ok:
        return CheckResult.warning(
            "anchor.pending",
            f"anchored at {_stamp(lookup.timestamp)} in block {anchor.block}, but {depth_text}: "
            "not final yet",
            hint="Check again later.",
            **_where(anchor),
            anchoredAt=_stamp(lookup.timestamp),
            account=anchor.account_address,
        )
    if cached is None:
        directory.remember(
            anchor.chain_id,
            anchor,
            CachedRecord(
                lookup,
                block_hash,
                clock() + LOOKUP_CACHE_SECONDS,
                finality=depth_text,
                final_on_mining=chain.final_on_mining,
                confirmations=confirmations,
            ),
        )
    return _passed(anchor, lookup, depth_text)


def _where(anchor: AnchorProof) -> dict[str, JSONValue]:
    return {
        "chainId": anchor.chain_id,
        "contract": anchor.contract_address,
        "block": anchor.block,
    }


def _stamp(seconds: int) -> str:
    try:
        return format_datetime_stamp(dt.datetime.fromtimestamp(seconds, dt.UTC))
    except (OverflowError, OSError) as exc:
        # A node's answer past year 9999: ValueError, which the caller reports as rpc_invalid.
        raise ValueError(f"the chain gave an impossible time {seconds}") from exc


def _judge_record(
    anchor: AnchorProof, lookup: Lookup, block_hash: bytes | None
) -> CheckResult | None:
    """The failure the registry's record shows for `anchor`, or None when it holds up."""
    where = _where(anchor)
    if not lookup.anchored:
        if block_hash is not None and block_hash != anchor.block_hash:
            return CheckResult.failed(
                "anchor.reorged",
                f"block {anchor.block} is no longer the one the anchor was mined in (a reorg "
                "dropped it)",
                **where,
            )
        if block_hash is None:
            return CheckResult.failed(
                "anchor.reorged",
                f"the chain no longer reaches block {anchor.block}, where the anchor was mined "
                "(a reorg dropped it, or the node is behind)",
                hint="If the node is still syncing, check again once it has caught up.",
                **where,
            )
        return CheckResult.failed(
            "anchor.root_not_found",
            f"the registry on chain {anchor.chain_id} holds no such root from the issuer's "
            f"anchoring account {anchor.account_address}",
            hint="The anchor was never recorded there, or it names another registry.",
            **where,
        )
    if lookup.sender != anchor.account:
        return CheckResult.failed(
            "anchor.sender_unbound",
            "the root was anchored by another account than the one the issuer bound",
            **where,
        )
    if lookup.block != anchor.block or block_hash != anchor.block_hash:
        return CheckResult.failed(
            "anchor.reorged",
            f"the anchor is now in block {lookup.block}, not in block {anchor.block} as its "
            "proof says (a reorg moved it)",
            **where,
        )
    revoked = lookup.leaf_revoked_at or lookup.batch_revoked_at
    if revoked:
        what = "the credential" if lookup.leaf_revoked_at else "its whole batch"
        return CheckResult.failed(
            "anchor.revoked",
            f"the issuer revoked {what} on chain {anchor.chain_id} at {_stamp(revoked)}",
            revokedAt=_stamp(revoked),
            **where,
        )
    if lookup.compromised_since and lookup.timestamp >= lookup.compromised_since:
        since = _stamp(lookup.compromised_since)
        return CheckResult.failed(
            "anchor.after_compromise",
            f"anchored at {_stamp(lookup.timestamp)}, after the issuer declared its keys "
            f"compromised since {since}",
            compromisedSince=since,
            **where,
        )
    return None


def _passed(anchor: AnchorProof, lookup: Lookup, depth_text: str) -> CheckResult:
    when = _stamp(lookup.timestamp)
    return CheckResult.passed(
        "anchor.ledger",
        f"anchored on {_chain_name(anchor.chain_id)} in block {anchor.block} at {when}, "
        f"{depth_text}",
        **_where(anchor),
        anchoredAt=when,
        account=anchor.account_address,
    )


def _finality(chain: Chain, block: int, confirmations: int | None) -> tuple[bool, str]:
    from anchor.chain import FINALITY_DEPTH

    if chain.final_on_mining:
        return True, "final once mined"
    head = chain.head()
    depth = head - block + 1
    if confirmations is not None:
        return depth >= confirmations, f"{depth} of {confirmations} confirmations"
    finalized = chain.finalized()
    if finalized is not None:
        if block <= finalized:
            return True, f"finalized ({depth} confirmations)"
        return False, f"{depth} confirmations, not yet finalized"
    return depth >= FINALITY_DEPTH, f"{depth} of {FINALITY_DEPTH} confirmations"


_CHAIN_NAMES = {
    1: "Ethereum mainnet",
    11155111: "Sepolia",
    17000: "Holesky",
    560048: "Hoodi",
    31337: "a local dev node (31337)",
}


def _chain_name(chain_id: int) -> str:
    from anchor.embedded import EMBEDDED_CHAIN_ID

    if chain_id == EMBEDDED_CHAIN_ID:
        return "the embedded chain"
    return _CHAIN_NAMES.get(chain_id, f"chain {chain_id}")
