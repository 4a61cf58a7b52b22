"""Any Ethereum JSON-RPC node as a chain (anvil on loopback, a public testnet, mainnet).

Every request goes through web3's HTTPProvider, checked: an answer must carry the id
of the request it answers, and inside :func:`rpc_deadline` all the requests of one
check share one budget of time.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from anchor.errors import (
    ChainError,
    ChainUnreachableError,
    UnfundedAccountError,
    WrongChainError,
)
from anchor.web3chain import Web3Chain

__all__ = ["RpcChain", "rpc_deadline"]

_DEFAULT_TIP = 10**9  # 1 gwei, for a node that cannot suggest a priority fee

T = TypeVar("T")

# When the JSON-RPC requests of this thread (context) must be done, by time.monotonic().
_RPC_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "laurel_rpc_deadline", default=None
)


@contextlib.contextmanager
def rpc_deadline(seconds: float) -> Iterator[None]:
    """Every JSON-RPC request made inside shares one budget of `seconds`.

    Each request's timeout is cut to what is left, and a request with nothing left is
    not sent (:class:`~anchor.errors.ChainUnreachableError`), so a node that answers
    slowly, request after request, cannot hold one check for longer. Nested budgets
    keep the earlier deadline.
    """
    deadline = time.monotonic() + seconds
    outer = _RPC_DEADLINE.get()
    token = _RPC_DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _RPC_DEADLINE.reset(token)


class RpcAnswerError(ValueError):
    """A JSON-RPC response that does not answer the request sent (wrong id or version)."""


@functools.cache
def _checked_http_provider() -> type[Any]:
    """web3's HTTPProvider, holding requests to the deadline and answers to their ids.

    web3 accepts a response whatever its ``id`` (SECURITY.md A12): a proxy or a
    confused node could answer one request with another's result.
    """
    from requests.exceptions import Timeout
    from web3 import HTTPProvider

    class CheckedHTTPProvider(HTTPProvider):
        def get_request_kwargs(self) -> dict[str, Any]:
            kwargs = dict(super().get_request_kwargs())
            deadline = _RPC_DEADLINE.get()
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout("the time allowed for this check ran out")
                kwargs["timeout"] = min(float(kwargs.get("timeout", left)), left)
            return kwargs

        def make_request(self, method: Any, params: Any) -> Any:
            request = self.encode_rpc_request(method, params)
            sent = json.loads(request)["id"]
            response: object = self.decode_rpc_response(self._make_request(method, request))
            if not isinstance(response, dict) or response.get("jsonrpc") != "2.0":
                raise RpcAnswerError(f"the answer to {method} is not a JSON-RPC 2.0 response")
            if response.get("id") != sent:
                raise RpcAnswerError(
                    f"the answer to request {sent} ({method}) carries id "
                    f"{str(response.get('id'))[:40]!r}"
                )
            return response

    return CheckedHTTPProvider


def _base_fee(block: Any) -> int | None:
    value = block.get("baseFeePerGas")
    return None if value is None else int(value)


def _quantity(value: object) -> int:
    """A JSON-RPC quantity ("0x…" hex)."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ValueError(f"not a JSON-RPC quantity: {value!r:.40}")
    return int(value, 16)


class RpcChain(Web3Chain):
    """Any Ethereum JSON-RPC node (anvil on loopback, a public testnet, mainnet)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        receipt_timeout: float = 180.0,
    ) -> None:
        """Connect lazily to `url`; each request times out after `timeout` seconds.

        Raises:
            ValueError: `url` is not http(s).
        """
        from requests.exceptions import ConnectionError as RequestsConnectionError
        from requests.exceptions import Timeout
        from web3 import Web3
        from web3.providers.rpc.utils import ExceptionRetryConfiguration

        if not url.startswith(("http://", "https://")):
            raise ValueError(f"an RPC URL is http:// or https://, not {url[:40]!r}")
        provider = _checked_http_provider()(
            url,
            request_kwargs={"timeout": timeout},
            exception_retry_configuration=ExceptionRetryConfiguration(
                errors=(RequestsConnectionError, Timeout), retries=retries, backoff_factor=0.5
            )
            if retries
            else None,
        )
        super().__init__(Web3(provider), receipt_timeout=receipt_timeout)
        self.url = url
        self.label = url

    def _call(self, what: str, func: Callable[[], T]) -> T:
        from requests.exceptions import RequestException
        from web3.exceptions import (
            BlockNotFound,
            ContractLogicError,
            TimeExhausted,
            Web3Exception,
            Web3RPCError,
        )

        try:
            return func()
        except (BlockNotFound, ContractLogicError, TimeExhausted):
            raise  # answers the callers read: no block there, a revert, still pending
        except RequestException as exc:
            raise ChainUnreachableError(
                f"could not {what}: the node at {self.url} did not answer ({type(exc).__name__})"
            ) from exc
        except Web3RPCError as exc:
            message = str(exc)
            if "insufficient funds" in message.lower():
                raise UnfundedAccountError(f"could not {what}: {message[:200]}") from exc
            raise ChainError(f"could not {what}: the node said {message[:200]}") from exc
        except (Web3Exception, ValueError, TypeError, AttributeError, KeyError) as exc:
            # What web3 raises for an answer that is not JSON-RPC, or a result of the
            # wrong shape (null, a string for a block, a short hash).
            raise ChainError(
                f"could not {what}: the node at {self.url} answered nonsense ({exc!s:.120})"
            ) from exc

    def finalized(self) -> int | None:
        """The node's ``finalized`` block, or None where it has no such tag."""
        from web3.exceptions import BlockNotFound

        try:
            return self._call(
                "read the finalized block",
                lambda: int(self.w3.eth.get_block("finalized")["number"]),
            )
        except ChainUnreachableError:
            raise
        except (BlockNotFound, ChainError):
            return None

    def _fees(self) -> dict[str, int]:
        """EIP-1559 fees: twice the latest base fee plus the node's tip; legacy gasPrice without."""
        from web3.types import RPCEndpoint

        base = self._call(
            "read the latest block", lambda: _base_fee(self.w3.eth.get_block("latest"))
        )
        if base is None:  # a chain without EIP-1559 (London)
            return {
                "gasPrice": self._call("read the gas price", lambda: int(self.w3.eth.gas_price))
            }
        try:
            tip = self._call(
                "read the priority fee",
                lambda: _quantity(
                    self.w3.manager.request_blocking(RPCEndpoint("eth_maxPriorityFeePerGas"), [])
                ),
            )
        except ChainUnreachableError:
            raise
        except ChainError:
            tip = _DEFAULT_TIP  # a node without eth_maxPriorityFeePerGas
        return {"maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip}

    def _submit(self, what: str, raw: bytes) -> None:
        try:
            self._call(what, lambda: self.w3.eth.send_raw_transaction(raw))
        except ChainUnreachableError:
            raise
        except ChainError as exc:
            # A retried send the node already holds (the first answer was lost): the
            # same signed transaction, so wait for it rather than fail.
            if "already known" not in exc.message.lower():
                raise

    def expect_chain_id(self, expected: int) -> None:
        """Check that the node serves chain `expected`.

        Raises:
            WrongChainError: it serves another.
            ChainUnreachableError: it cannot be reached.
        """
        if self.chain_id != expected:
            raise WrongChainError(
                f"the node at {self.url} serves chain {self.chain_id}, not {expected}"
            )
