"""Checking an anchor proof against the chain: the ``anchor`` checks of a credential.

The verifier imports this module only for a document that carries an anchor proof.
What is believed comes from the chain (SECURITY.md rule 9): the root is recomputed
from the credential and the audit path, then looked up in the registry; the proof's
own root, block and time are only compared with what the chain says.

Three checks are reported, each with a named failure:

``anchor.inclusion``
    the credential is the proof's leaf, and the path leads to the proof's root
    (``anchor.malformed``, ``anchor.leaf_mismatch``, ``anchor.inclusion_invalid``).
``anchor.binding``
    the issuer's key signed the binding of the anchoring account (``anchor.sender_unbound``).
``anchor.ledger``
    the contract the proof names is laurel's AnchorRegistry (its runtime code, byte
    for byte: any other contract could answer anything), and it holds the root, sent
    by that account, in a canonical block deep enough to be final, neither revoked
    nor after a declared key compromise
    (``anchor.root_not_found``, ``anchor.wrong_chain``, ``anchor.wrong_contract``,
    ``anchor.sender_unbound``, ``anchor.reorged``, ``anchor.revoked``,
    ``anchor.after_compromise``, ``anchor.rpc_invalid``; ``anchor.pending`` and
    ``anchor.unavailable`` are warnings).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from anchor.errors import AnchorError, ChainUnreachableError, MalformedAnchorError
from anchor.merkle import root_from_inclusion_proof
from anchor.proof import AnchorProof, credential_leaf, verify_binding
from vc.errors import MalformedDocumentError
from vc.keys import Ed25519PublicKey, PublicKey
from vc.results import CheckResult
from vc.timestamps import format_datetime_stamp
from vc.types import JSONObject, JSONValue

if TYPE_CHECKING:
    from anchor.chain import Chain, Lookup

__all__ = [
    "LOOKUP_CACHE_SECONDS",
    "ChainDirectory",
    "check_binding",
    "check_inclusion",
    "check_ledger",
    "decode_anchor",
    "is_registry",
]

#: How long a final, unrevoked registry record is reused before it is read again.
LOOKUP_CACHE_SECONDS = 300.0


def decode_anchor(proof: JSONObject) -> AnchorProof | CheckResult:
    """The decoded anchor proof, or the failed ``anchor.malformed`` check."""
    try:
        return AnchorProof.from_proof_json(proof)
    except MalformedAnchorError as exc:
        return CheckResult.failed("anchor.malformed", exc.message)


def check_inclusion(document: JSONObject, anchor: AnchorProof) -> CheckResult:
    """Recompute the leaf from `document` and walk the audit path to the proof's root."""
    try:
        leaf = credential_leaf(document)
    except MalformedDocumentError as exc:
        return CheckResult.failed("anchor.leaf_mismatch", f"the credential cannot be hashed: {exc}")
    if leaf != anchor.leaf:
        return CheckResult.failed(
            "anchor.leaf_mismatch",
            "the anchor was made for another credential (its leaf is not this credential's hash)",
        )
    try:
        root = root_from_inclusion_proof(leaf, anchor.index, anchor.size, anchor.path)
    except ValueError as exc:
        return CheckResult.failed("anchor.inclusion_invalid", f"the audit path is not valid: {exc}")
    if root != anchor.root:
        return CheckResult.failed(
            "anchor.inclusion_invalid", "the audit path does not lead to the anchored root"
        )
    return CheckResult.passed(
        "anchor.inclusion",
        f"the credential is leaf {anchor.index} of a batch of {anchor.size} under root "
        f"0x{root.hex()[:16]}…",
        root="0x" + root.hex(),
        index=anchor.index,
        size=anchor.size,
    )


def check_binding(anchor: AnchorProof, issuer: str, public_key: PublicKey) -> CheckResult:
    """Whether the issuer's key (already bound to the issuer) signed the account binding."""
    # laurel's account bindings are Ed25519 signatures: another kind of key cannot have made one.
    if not isinstance(public_key, Ed25519PublicKey) or not verify_binding(
        public_key, issuer, anchor.account_address, anchor.binding
    ):
        return CheckResult.failed(
            "anchor.sender_unbound",
            f"the issuer's key did not bind the anchoring account {anchor.account_address}",
        )
    return CheckResult.passed(
        "anchor.binding",
        f"the issuer's key binds the anchoring account {anchor.account_address}",
        account=anchor.account_address,
    )


@dataclass(slots=True)
class _Cached:
    lookup: Lookup
    block_hash: bytes | None
    expires: float
    #: How final the record was when read, for the message (and for reuse).
    finality: str = ""
    final_on_mining: bool = False
    confirmations: int | None = None


@dataclass
class ChainDirectory:
    """Where to look up anchors: the embedded chain file and any JSON-RPC nodes.

    Connections are made on first use and reused; final, unrevoked registry records
    are cached for :data:`LOOKUP_CACHE_SECONDS`, and a cached record is judged
    without opening any chain (so a revocation recorded meanwhile is seen only once
    the entry expires). Thread-safe (the service shares one).
    """

    rpc_urls: tuple[str, ...] = ()
    embedded_path: Path | None = None
    #: Seconds one check may spend on a node's JSON-RPC requests, all of them together.
    timeout: float = 5.0
    #: True when the embedded chain was picked by default (the local wallet's), not
    #: named by the user: an anchor on another chain is then not judged against it.
    embedded_by_default: bool = False
    _chains: dict[str, Chain | AnchorError] = field(default_factory=dict, repr=False)
    _cache: dict[tuple[int, bytes, bytes, bytes], _Cached] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def configured(self) -> bool:
        """Whether any chain is named at all."""
        return bool(self.rpc_urls) or self.embedded_path is not None

    def chains(self) -> Iterator[Chain | AnchorError]:
        """Each configured chain (connected lazily), or the error connecting to it gave."""
        from anchor.embedded import EmbeddedChain
        from anchor.rpc import RpcChain

        if self.embedded_path is not None:
            # Opened afresh each time (a few ms): another process may have mined since.
            try:
                embedded = EmbeddedChain.open(self.embedded_path)
            except AnchorError as exc:
                yield exc
            else:
                try:
                    yield embedded
                finally:
                    embedded.close()
        for url in self.rpc_urls:
            if url not in self._chains:
                self._chains[url] = RpcChain(url, timeout=self.timeout, retries=0)
            yield self._chains[url]

    def cached(self, chain_id: int, anchor: AnchorProof, now: float) -> _Cached | None:
        """A fresh cached record for `anchor`, if any."""
        with self._lock:
            entry = self._cache.get((chain_id, anchor.contract, anchor.root, anchor.leaf))
        return entry if entry is not None and entry.expires > now else None

    def remember(self, chain_id: int, anchor: AnchorProof, entry: _Cached) -> None:
        """Keep a final record for reuse."""
        with self._lock:
            self._cache[(chain_id, anchor.contract, anchor.root, anchor.leaf)] = entry


@functools.cache
def _registry_runtime_code() -> bytes:
    from anchor.chain import registry_artifact

    return bytes.fromhex(str(registry_artifact()["deployedBytecode"]).removeprefix("0x"))


def _code_at(chain: Chain, address: str) -> bytes | None:
    """The runtime code at `address`, or None for a chain that only says whether there is any."""
    from anchor.web3chain import Web3Chain

    if not isinstance(chain, Web3Chain):
        return None
    w3 = chain.w3
    code = chain._call(
        "read the registry's code", lambda: w3.eth.get_code(w3.to_checksum_address(address))
    )
    return bytes(code)


def is_registry(chain: Chain, address: str) -> bool:
    """Whether `address` on `chain` holds laurel's AnchorRegistry, byte for byte.

    Any contract answers ``lookup``; only the committed registry's code answers it
    truthfully (SECURITY.md A07), so a look-alike one is not a registry.

    Raises:
        ChainError: the chain could not be read.
    """
    code = _code_at(chain, address)
    if code is None:
        return chain.has_code(address)
    return code == _registry_runtime_code()


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
        code = _code_at(chain, anchor.contract_address)
        present = chain.has_code(anchor.contract_address) if code is None else bool(code)
        if not present:
            return CheckResult.failed(
                "anchor.wrong_contract",
                f"there is no registry at {anchor.contract_address} on chain {anchor.chain_id}",
                **_where(anchor),
            )
        if code is not None and code != _registry_runtime_code():
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
            _Cached(
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
