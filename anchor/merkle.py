"""A domain-separated Merkle tree (RFC 9162, "Merkle Tree Hash"): roots and inclusion proofs.

    >>> from anchor.merkle import MerkleTree, leaf_hash, root_from_inclusion_proof
    >>> leaves = [leaf_hash(bytes([i])) for i in range(5)]
    >>> tree = MerkleTree(leaves)
    >>> path = tree.inclusion_proof(3)
    >>> root_from_inclusion_proof(leaves[3], 3, 5, path) == tree.root
    True

Leaves are ``SHA-256(0x00 || data)`` and inner nodes ``SHA-256(0x01 || left || right)``,
so a node can never pass for a leaf (SECURITY.md A02). A lone node at the end of a level
is carried up unchanged, never paired with a copy of itself (CVE-2012-2459, A03): the
tree of *n* leaves is exactly RFC 9162's, whose split is the largest power of two < *n*.
The proof for index *i* of *n* has a fixed length, and verification demands it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = [
    "HASH_SIZE",
    "MAX_TREE_SIZE",
    "MerkleTree",
    "leaf_hash",
    "node_hash",
    "root_from_inclusion_proof",
]

HASH_SIZE = 32
#: The largest batch accepted (a proof is then at most 24 hashes long).
MAX_TREE_SIZE = 1 << 24

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """The hash of a leaf holding `data`: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


class MerkleTree:
    """A tree over leaf hashes, built once; gives the root and every inclusion proof."""

    __slots__ = ("_levels",)

    def __init__(self, leaves: Sequence[bytes]) -> None:
        """Build the tree over `leaves` (already leaf-hashed, 32 bytes each).

        Raises:
            ValueError: no leaves, too many, or one that is not 32 bytes.
        """
        if not leaves:
            raise ValueError("a Merkle tree needs at least one leaf")
        if len(leaves) > MAX_TREE_SIZE:
            raise ValueError(f"a batch holds at most {MAX_TREE_SIZE} leaves")
        if any(len(leaf) != HASH_SIZE for leaf in leaves):
            raise ValueError(f"every leaf is a {HASH_SIZE}-byte hash")
        levels = [list(leaves)]
        while len(levels[-1]) > 1:
            below = levels[-1]
            above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            if len(below) % 2:
                above.append(below[-1])
            levels.append(above)
        self._levels = levels

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self._levels[0])

    @property
    def root(self) -> bytes:
        """The Merkle tree hash of all the leaves."""
        return self._levels[-1][0]

    def inclusion_proof(self, index: int) -> list[bytes]:
        """The audit path of leaf `index`: its siblings from the bottom up.

        Raises:
            IndexError: `index` is not the index of a leaf.
        """
        if not 0 <= index < self.size:
            raise IndexError(f"leaf {index} is not in a tree of {self.size}")
        path: list[bytes] = []
        for level in self._levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                path.append(level[sibling])
            index //= 2
        return path


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes:
    """The root that `path` proves `leaf` (at `index` of `size`) is under.

    RFC 9162, "Verifying an Inclusion Proof": the path must have exactly the length
    the tree's shape gives, or no root is returned.

    Raises:
        ValueError: `index` outside ``0 .. size-1``, a path of the wrong length, or a
            hash that is not 32 bytes.
    """
    if not 0 < size <= MAX_TREE_SIZE or not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not within a batch of {size}")
    if len(leaf) != HASH_SIZE or any(len(node) != HASH_SIZE for node in path):
        raise ValueError(f"every hash of an inclusion proof is {HASH_SIZE} bytes")
    fn, sn = index, size - 1
    result = leaf
    for node in path:
        if sn == 0:
            raise ValueError("the inclusion proof is longer than the tree is deep")
        if fn % 2 == 1 or fn == sn:
            result = node_hash(node, result)
            while fn % 2 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("the inclusion proof is shorter than the tree is deep")
    return result
