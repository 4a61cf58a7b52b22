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

from anchor._ledger import check_ledger
from anchor._registry import is_registry
from anchor.directory import LOOKUP_CACHE_SECONDS, ChainDirectory
from anchor.errors import MalformedAnchorError
from anchor.merkle import root_from_inclusion_proof
from anchor.proof import AnchorProof, credential_leaf, verify_binding
from vc.errors import MalformedDocumentError
from vc.keys import Ed25519PublicKey, PublicKey
from vc.results import CheckResult
from vc.types import JSONObject

__all__ = [
    "LOOKUP_CACHE_SECONDS",
    "ChainDirectory",
    "check_binding",
    "check_inclusion",
    "check_ledger",
    "decode_anchor",
    "is_registry",
]


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
