r"""The anchor proof: what ties one credential to a Merkle root recorded on Ethereum.

An anchored credential carries one more proof in its proof set, a Data Integrity
proof of cryptosuite ``laurel-anchor-2026``. Its terms are those of the Data
Integrity context, so the credential stays valid JSON-LD under its pinned contexts,
and verifiers that do not know the suite ignore it (they match proofs by suite):

    {"type": "DataIntegrityProof", "cryptosuite": "laurel-anchor-2026",
     "created": "<the block's time>", "verificationMethod": "<the issuer's key>",
     "proofPurpose": "assertionMethod", "proofValue": "u<base64url(CBOR)>"}

The CBOR map holds the leaf, its index and the batch size, the audit path, the root,
the chain id, the registry contract, the transaction, the block number and hash, the
anchoring account, and the issuer's Ed25519 signature binding that account to its DID.

The leaf is ``SHA-256(0x00 || JCS(credential without its proofs))``: the content the
issuer signed, never a ``proofValue`` (a signature is not the credential's identity,
SECURITY.md C04).

    >>> from anchor.proof import binding_message
    >>> binding_message("did:key:z6Mk", "0x" + "ab" * 20)[:25]
    b'laurel-anchor-binding-v1\n'
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass

import cbor2

from anchor.errors import MalformedAnchorError
from anchor.merkle import HASH_SIZE, MAX_TREE_SIZE, leaf_hash
from vc.canon import jcs
from vc.keys import Ed25519KeyPair, Ed25519PublicKey
from vc.timestamps import format_datetime_stamp
from vc.types import JSONObject, JSONValue

__all__ = [
    "ANCHOR_CRYPTOSUITE",
    "AnchorProof",
    "anchor_proofs",
    "binding_message",
    "checksum_address",
    "credential_leaf",
    "is_anchor_proof",
    "sign_binding",
    "signature_proofs",
    "verify_binding",
    "with_anchor_proof",
]

#: The ``cryptosuite`` of an anchor proof.
ANCHOR_CRYPTOSUITE = "laurel-anchor-2026"

_FORMAT_VERSION = 1
_BINDING_PREFIX = b"laurel-anchor-binding-v1\n"
#: A proofValue longer than this is refused before decoding (a path of 24 hashes
#: and the other fields fit in well under 2 KiB).
_MAX_PROOF_VALUE = 4096
_ADDRESS_SIZE = 20
_SIGNATURE_SIZE = 64
#: 9999-12-31T23:59:59Z, the last second a datetime (and so `anchored_at`) can hold.
_LAST_SECOND = 253402300799
# RFC 4648 §5 (base64url) without padding, as to_proof_json writes it.
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def checksum_address(raw: bytes) -> str:
    """The EIP-55 mixed-case form of a 20-byte Ethereum address.

    Raises:
        TypeError: `raw` is not bytes.
        ValueError: `raw` is not 20 bytes long.
    """
    from eth_hash.auto import keccak  # a small import, unlike web3

    if not isinstance(raw, bytes):
        raise TypeError("an address is 20 raw bytes")
    if len(raw) != _ADDRESS_SIZE:
        raise ValueError(f"an address is {_ADDRESS_SIZE} bytes, not {len(raw)}")
    hex_address = raw.hex()
    digest = keccak(hex_address.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c
        for i, c in enumerate(hex_address)
    )


def binding_message(issuer: str, account: str) -> bytes:
    """The bytes an issuer signs to say "`account` anchors credentials for me".

    Domain-separated, so no credential or presentation signature can pass for one.
    """
    return _BINDING_PREFIX + jcs({"account": account, "issuer": issuer})


def sign_binding(key: Ed25519KeyPair, issuer: str, account: str) -> bytes:
    """The issuer's Ed25519 signature over :func:`binding_message`."""
    return key.sign(binding_message(issuer, account))


def verify_binding(
    public_key: Ed25519PublicKey, issuer: str, account: str, signature: bytes
) -> bool:
    """Whether `signature` is `public_key`'s binding of `account` to `issuer`."""
    return public_key.verify(signature, binding_message(issuer, account))


def credential_leaf(document: JSONObject) -> bytes:
    """The Merkle leaf of a credential: the domain-tagged hash of its JCS form, proofs removed.

    Raises:
        MalformedDocumentError: the document holds something JCS cannot encode.
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return leaf_hash(jcs(unsecured))


def is_anchor_proof(proof: JSONValue) -> bool:
    """Whether `proof` is an anchor proof (by its cryptosuite)."""
    return isinstance(proof, dict) and proof.get("cryptosuite") == ANCHOR_CRYPTOSUITE


def _all_proofs(document: JSONObject) -> list[JSONValue]:
    value = document.get("proof")
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def anchor_proofs(document: JSONObject) -> list[JSONObject]:
    """The anchor proofs of `document` (none, usually one)."""
    return [p for p in _all_proofs(document) if isinstance(p, dict) and is_anchor_proof(p)]


def signature_proofs(document: JSONObject) -> JSONObject:
    """`document` with its anchor proofs removed (and ``proof`` dropped if none remain)."""
    rest = [p for p in _all_proofs(document) if not is_anchor_proof(p)]
    stripped = {k: v for k, v in document.items() if k != "proof"}
    if rest:
        stripped["proof"] = rest[0] if len(rest) == 1 else rest
    return stripped


def with_anchor_proof(document: JSONObject, proof: JSONObject) -> JSONObject:
    """A copy of `document` with `proof` in its proof set, replacing any older anchor proof."""
    base = signature_proofs(document)
    existing = base.get("proof")
    items: list[JSONValue] = (
        [] if existing is None else list(existing) if isinstance(existing, list) else [existing]
    )
    return {**base, "proof": [*items, proof]}


@dataclass(frozen=True, slots=True)
class AnchorProof:
    """The decoded content of an anchor proof (all hashes and addresses as raw bytes)."""

    leaf: bytes
    index: int
    size: int
    path: tuple[bytes, ...]
    root: bytes
    chain_id: int
    contract: bytes
    tx: bytes
    block: int
    block_hash: bytes
    block_time: int
    account: bytes
    binding: bytes
    verification_method: str

    @property
    def account_address(self) -> str:
        """The anchoring account, EIP-55 checksummed."""
        return checksum_address(self.account)

    @property
    def contract_address(self) -> str:
        """The registry contract, EIP-55 checksummed."""
        return checksum_address(self.contract)

    @property
    def anchored_at(self) -> dt.datetime:
        """The time of the block the root was recorded in (UTC)."""
        return dt.datetime.fromtimestamp(self.block_time, dt.UTC)

    def to_proof_json(self) -> JSONObject:
        """The proof object to add to the credential's proof set."""
        value = base64.urlsafe_b64encode(self._cbor()).rstrip(b"=")
        return {
            "type": "DataIntegrityProof",
            "cryptosuite": ANCHOR_CRYPTOSUITE,
            "created": format_datetime_stamp(self.anchored_at),
            "verificationMethod": self.verification_method,
            "proofPurpose": "assertionMethod",
            "proofValue": "u" + value.decode("ascii"),
        }

    def _cbor(self) -> bytes:
        body = {
            "v": _FORMAT_VERSION,
            "leaf": self.leaf,
            "index": self.index,
            "size": self.size,
            "path": list(self.path),
            "root": self.root,
            "chainId": self.chain_id,
            "contract": self.contract,
            "tx": self.tx,
            "block": self.block,
            "blockHash": self.block_hash,
            "time": self.block_time,
            "account": self.account,
            "binding": self.binding,
        }
        return cbor2.dumps(body, canonical=True)

    @classmethod
    def from_proof_json(cls, proof: JSONObject) -> AnchorProof:
        """Decode an anchor proof object, checking every field's type and size.

        The proofValue must be exactly what :meth:`to_proof_json` writes for the
        decoded content (canonical CBOR, no other keys, nothing after it, unpadded
        base64url), so one anchor has one encoding.

        Raises:
            MalformedAnchorError: anything about it is not as :meth:`to_proof_json` writes.
        """
        if proof.get("type") != "DataIntegrityProof" or not is_anchor_proof(proof):
            raise MalformedAnchorError("not an anchor proof (type or cryptosuite)")
        if proof.get("proofPurpose") != "assertionMethod":
            raise MalformedAnchorError("an anchor proof's proofPurpose is assertionMethod")
        method = proof.get("verificationMethod")
        if not isinstance(method, str) or not method:
            raise MalformedAnchorError("the anchor proof names no verificationMethod")
        raw, body = _decode_value(proof.get("proofValue"))
        path = body.get("path")
        if not isinstance(path, list) or len(path) > 64:
            raise MalformedAnchorError("the anchor proof's path is not a list of hashes")
        anchor = cls(
            leaf=_bytes(body, "leaf", HASH_SIZE),
            index=_int(body, "index"),
            size=_int(body, "size", low=1, high=MAX_TREE_SIZE),
            path=tuple(_hash(node) for node in path),
            root=_bytes(body, "root", HASH_SIZE),
            chain_id=_int(body, "chainId", low=1, high=2**64 - 1),
            contract=_bytes(body, "contract", _ADDRESS_SIZE),
            tx=_bytes(body, "tx", HASH_SIZE),
            block=_int(body, "block", high=2**48 - 1),
            block_hash=_bytes(body, "blockHash", HASH_SIZE),
            block_time=_int(body, "time", high=_LAST_SECOND),
            account=_bytes(body, "account", _ADDRESS_SIZE),
            binding=_bytes(body, "binding", _SIGNATURE_SIZE),
            verification_method=method,
        )
        if anchor.index >= anchor.size:
            raise MalformedAnchorError(
                f"leaf index {anchor.index} is outside a batch of {anchor.size}"
            )
        if anchor._cbor() != raw:
            raise MalformedAnchorError(
                "the anchor proofValue is not in canonical form (unknown fields, trailing "
                "bytes, or a non-canonical CBOR encoding)"
            )
        return anchor

    def to_json(self) -> dict[str, JSONValue]:
        """A readable summary (hex strings), for `laurel show` and reports."""
        return {
            "chainId": self.chain_id,
            "contract": self.contract_address,
            "tx": "0x" + self.tx.hex(),
            "block": self.block,
            "blockHash": "0x" + self.block_hash.hex(),
            "anchoredAt": format_datetime_stamp(self.anchored_at),
            "account": self.account_address,
            "root": "0x" + self.root.hex(),
            "leaf": "0x" + self.leaf.hex(),
            "index": self.index,
            "size": self.size,
        }


def _decode_value(value: JSONValue) -> tuple[bytes, dict[object, object]]:
    if not isinstance(value, str) or not value.startswith("u"):
        raise MalformedAnchorError("an anchor proofValue is multibase base64url ('u...')")
    if len(value) > _MAX_PROOF_VALUE:
        raise MalformedAnchorError(f"the anchor proofValue is longer than {_MAX_PROOF_VALUE}")
    text = value[1:]
    # urlsafe_b64decode alone would skip characters outside the alphabet and take
    # '+' and '/' too; an anchor has exactly one encoding.
    if not _BASE64URL.fullmatch(text):
        raise MalformedAnchorError("the anchor proofValue is not unpadded base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedAnchorError("the anchor proofValue is not base64url") from exc
    if base64.urlsafe_b64encode(raw).rstrip(b"=") != text.encode("ascii"):
        # The unused low bits of the last character are not zero.
        raise MalformedAnchorError("the anchor proofValue is not canonical base64url")
    try:
        body = cbor2.loads(raw)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError) as exc:
        raise MalformedAnchorError("the anchor proofValue is not CBOR") from exc
    version = body.get("v") if isinstance(body, dict) else None
    if type(version) is not int or version != _FORMAT_VERSION:  # True == 1, 1.0 == 1
        raise MalformedAnchorError(
            f"the anchor proofValue is not a version {_FORMAT_VERSION} anchor"
        )
    return raw, body


def _bytes(body: dict[object, object], name: str, size: int) -> bytes:
    value = body.get(name)
    if not isinstance(value, bytes) or len(value) != size:
        raise MalformedAnchorError(f"the anchor proof's {name} is not {size} bytes")
    return value


def _hash(value: object) -> bytes:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise MalformedAnchorError(
            f"the anchor proof's path holds a value that is not {HASH_SIZE} bytes"
        )
    return value


def _int(body: dict[object, object], name: str, *, low: int = 0, high: int = 2**32 - 1) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise MalformedAnchorError(f"the anchor proof's {name} is not an integer in {low}..{high}")
    return value
