"""Errors of the ledger: misuse and chain I/O, under laurel's one root.

An anchor that does not verify is a check result (:mod:`anchor.check`), never one of
these; they are for a chain that cannot be reached, a wrong chain, an unfunded
account, or a malformed anchor proof met while anchoring.
"""

from __future__ import annotations

from vc.errors import LaurelError

__all__ = [
    "AnchorError",
    "ChainError",
    "ChainUnreachableError",
    "ContractError",
    "MalformedAnchorError",
    "UnfundedAccountError",
    "WrongChainError",
]


class AnchorError(LaurelError):
    """Root of the ledger's errors."""

    hint = "See `laurel anchor --help`."


class MalformedAnchorError(AnchorError):
    """An anchor proof that cannot be decoded (bad multibase, CBOR, or field shapes)."""

    hint = "The anchor proof was damaged or was not made by laurel."


class ChainError(AnchorError):
    """The chain answered, but not as anchoring needs (a reverted or dropped transaction)."""

    hint = "Check the node and the account with `laurel anchor --help`, then run the command again."


class ChainUnreachableError(ChainError):
    """The JSON-RPC node could not be reached, or did not answer in time."""

    hint = "Check the --rpc URL and that the node is running; nothing was anchored."


class WrongChainError(ChainError):
    """The node serves another chain than the one expected."""

    hint = "Point --rpc at a node of the expected chain (or drop --chain-id)."


class UnfundedAccountError(ChainError):
    """The anchoring account cannot pay for the transaction."""

    hint = (
        "Send some ETH to the anchoring account (`laurel anchor --account` prints it); on "
        "a testnet use a faucet. Or set LAUREL_ETH_PRIVATE_KEY to a funded key."
    )


class ContractError(ChainError):
    """The registry contract is missing at its address, or refused the call."""

    hint = "Check --contract ADDR (or drop it to deploy a registry on first use)."
