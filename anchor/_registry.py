"""Whether a contract is laurel's AnchorRegistry: its runtime code, byte for byte."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anchor.chain import Chain

__all__ = ["code_at", "is_registry", "registry_runtime_code"]


@functools.cache
def registry_runtime_code() -> bytes:
    """The runtime code of the committed AnchorRegistry artifact (read once)."""
    from anchor.chain import registry_artifact

    return bytes.fromhex(str(registry_artifact()["deployedBytecode"]).removeprefix("0x"))


def code_at(chain: Chain, address: str) -> bytes | None:
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
    code = code_at(chain, address)
    if code is None:
        return chain.has_code(address)
    return code == registry_runtime_code()
