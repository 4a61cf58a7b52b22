"""anchor.merkle against RFC 9162's own definitions, and the attacks on Merkle proofs."""

from __future__ import annotations

import functools
import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anchor.merkle import (
    HASH_SIZE,
    MAX_TREE_SIZE,
    MerkleTree,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
)


def data(i: int) -> bytes:
    return f"credential {i}".encode()


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Rfc9162:
    """RFC 9162 §2.1.1 MTH and §2.1.3.1 PATH, written as the RFC writes them (recursion)."""

    def __init__(self, entries: list[bytes]) -> None:
        self.entries = entries

    @functools.cache  # noqa: B019 (one small instance per tree size)
    def mth(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 1:
            return hashlib.sha256(b"\x00" + self.entries[start]).digest()
        k = largest_power_of_two_below(n)
        return hashlib.sha256(
            b"\x01" + self.mth(start, start + k) + self.mth(start + k, end)
        ).digest()

    def path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = largest_power_of_two_below(n)
        if m < k:
            return [*self.path(m, start, start + k), self.mth(start + k, end)]
        return [*self.path(m - k, start + k, end), self.mth(start, start + k)]


@pytest.mark.parametrize("size", range(1, 101))
def test_root_and_every_path_equal_rfc9162(size):
    entries = [data(i) for i in range(size)]
    reference = Rfc9162(entries)
    tree = MerkleTree([leaf_hash(e) for e in entries])
    assert tree.size == size
    assert tree.root == reference.mth(0, size)
    for index in range(size):
        path = tree.inclusion_proof(index)
        assert path == reference.path(index, 0, size), index
        assert root_from_inclusion_proof(leaf_hash(entries[index]), index, size, path) == tree.root


def test_leaf_and_node_hashes_are_domain_separated():
    left, right = leaf_hash(b"a"), leaf_hash(b"b")
    assert leaf_hash(b"a") == hashlib.sha256(b"\x00a").digest()
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert leaf_hash(left + right) != node_hash(left, right)


def test_single_leaf_tree_is_its_leaf_with_an_empty_path():
    leaf = leaf_hash(b"only")
    tree = MerkleTree([leaf])
    assert tree.root == leaf
    assert tree.inclusion_proof(0) == []
    assert root_from_inclusion_proof(leaf, 0, 1, []) == leaf


# -- A02: a node presented as a leaf --------------------------------------------------


def test_a02_inner_node_presented_as_a_leaf_with_a_shortened_path_is_rejected():
    leaves = [leaf_hash(data(i)) for i in range(4)]
    tree = MerkleTree(leaves)
    n01 = node_hash(leaves[0], leaves[1])
    shortened = tree.inclusion_proof(0)[1:]  # [n23]: the path of n01 one level up
    # What the attacker hopes for: without domain separation, the node would pass as
    # leaf 0 of a batch of 2. This is why the verifier hashes the leaf itself.
    assert root_from_inclusion_proof(n01, 0, 2, shortened) == tree.root
    forged = leaves[0] + leaves[1]  # the 64-byte "credential"
    assert len(forged) == 2 * HASH_SIZE
    with pytest.raises(ValueError, match="shorter"):
        root_from_inclusion_proof(leaf_hash(forged), 0, 4, shortened)
    assert root_from_inclusion_proof(leaf_hash(forged), 0, 2, shortened) != tree.root


# -- A03: odd batches, no duplication ---------------------------------------------------


def test_a03_odd_tree_is_not_the_tree_with_its_last_leaf_doubled():
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    odd = MerkleTree([a, b, c])
    assert odd.root == node_hash(node_hash(a, b), c)  # c carried up, never paired with itself
    assert odd.root != MerkleTree([a, b, c, c]).root
    # Bitcoin's construction (CVE-2012-2459) pairs c with a copy of itself.
    assert odd.root != node_hash(node_hash(a, b), node_hash(c, c))


def test_a03_index_equal_to_size_is_rejected():
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    odd = MerkleTree([a, b, c])
    with pytest.raises(IndexError):
        odd.inclusion_proof(3)
    doubled = MerkleTree([a, b, c, c])
    path = doubled.inclusion_proof(3)
    with pytest.raises(ValueError, match="not within a batch of 3"):
        root_from_inclusion_proof(c, 3, 3, path)
    # Nor does any other batch size lead the doubled leaf's path to the odd tree's root.
    assert root_from_inclusion_proof(c, 3, 4, path) != odd.root
    for size in (5, 6, 7, 8):
        with pytest.raises(ValueError, match="shorter"):
            root_from_inclusion_proof(c, 3, size, path)


@pytest.mark.parametrize("index", [-1, 5, 6, 1 << 30])
def test_inclusion_proof_of_a_missing_index_is_an_index_error(index):
    tree = MerkleTree([leaf_hash(data(i)) for i in range(5)])
    with pytest.raises(IndexError):
        tree.inclusion_proof(index)


@pytest.mark.parametrize(
    ("index", "size"), [(-1, 5), (5, 5), (0, 0), (0, -1), (0, MAX_TREE_SIZE + 1)]
)
def test_verifying_outside_the_batch_is_a_value_error(index, size):
    with pytest.raises(ValueError, match="not within a batch"):
        root_from_inclusion_proof(leaf_hash(b"x"), index, size, [])


# -- wrong path lengths ---------------------------------------------------------------------


@pytest.mark.parametrize(("size", "index"), [(2, 0), (5, 4), (7, 3), (8, 7), (100, 37)])
def test_path_one_hash_too_long_is_rejected(size, index):
    leaves = [leaf_hash(data(i)) for i in range(size)]
    path = MerkleTree(leaves).inclusion_proof(index)
    with pytest.raises(ValueError, match="longer"):
        root_from_inclusion_proof(leaves[index], index, size, [*path, leaves[0]])


@pytest.mark.parametrize(("size", "index"), [(2, 0), (5, 4), (7, 3), (8, 7), (100, 37)])
def test_path_one_hash_too_short_is_rejected(size, index):
    leaves = [leaf_hash(data(i)) for i in range(size)]
    path = MerkleTree(leaves).inclusion_proof(index)
    with pytest.raises(ValueError, match="shorter"):
        root_from_inclusion_proof(leaves[index], index, size, path[:-1])


def test_single_leaf_with_a_path_is_rejected():
    leaf = leaf_hash(b"x")
    with pytest.raises(ValueError, match="longer"):
        root_from_inclusion_proof(leaf, 0, 1, [leaf])


# -- hash sizes -------------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_tree_refuses_a_leaf_that_is_not_32_bytes(length):
    with pytest.raises(ValueError, match="32-byte"):
        MerkleTree([leaf_hash(b"a"), bytes(length)])


def test_tree_refuses_no_leaves():
    with pytest.raises(ValueError, match="at least one"):
        MerkleTree([])


@pytest.mark.parametrize("length", [0, 31, 33])
def test_verification_refuses_a_leaf_that_is_not_32_bytes(length):
    with pytest.raises(ValueError, match="32 bytes"):
        root_from_inclusion_proof(bytes(length), 0, 2, [leaf_hash(b"b")])


@pytest.mark.parametrize("length", [0, 31, 33])
def test_verification_refuses_a_path_hash_that_is_not_32_bytes(length):
    leaves = [leaf_hash(data(i)) for i in range(4)]
    path = MerkleTree(leaves).inclusion_proof(1)
    path[1] = bytes(length)
    with pytest.raises(ValueError, match="32 bytes"):
        root_from_inclusion_proof(leaves[1], 1, 4, path)


# -- properties ---------------------------------------------------------------------------


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[list[bytes], int]:
    size = draw(st.integers(min_value=1, max_value=300))
    salt = draw(st.binary(max_size=8))
    index = draw(st.integers(min_value=0, max_value=size - 1))
    return [leaf_hash(salt + data(i)) for i in range(size)], index


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=tree_and_index(), where=st.integers(min_value=0), bit=st.integers(0, 7))
def test_property_proofs_verify_and_any_flipped_bit_breaks_them(case, where, bit):
    leaves, index = case
    size = len(leaves)
    tree = MerkleTree(leaves)
    path = tree.inclusion_proof(index)
    assert root_from_inclusion_proof(leaves[index], index, size, path) == tree.root
    # Flip one bit of the leaf or of one path hash: the root moves.
    hashes = [leaves[index], *path]
    target = where % len(hashes)
    byte = where // len(hashes) % HASH_SIZE
    flipped = bytearray(hashes[target])
    flipped[byte] ^= 1 << bit
    hashes[target] = bytes(flipped)
    assert root_from_inclusion_proof(hashes[0], index, size, hashes[1:]) != tree.root


@settings(max_examples=100, deadline=None)
@given(
    size=st.integers(min_value=2, max_value=300),
    index=st.integers(min_value=0),
    other=st.integers(min_value=0),
)
def test_property_a_proof_does_not_verify_for_another_leaf(size, index, other):
    index, other = index % size, other % size
    if index == other:
        other = (other + 1) % size
    leaves = [leaf_hash(data(i)) for i in range(size)]
    tree = MerkleTree(leaves)
    path = tree.inclusion_proof(index)
    assert root_from_inclusion_proof(leaves[other], index, size, path) != tree.root
