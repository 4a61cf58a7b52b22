// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title AnchorRegistry: Merkle roots of credential batches, their revocation, and key compromises.
/// @notice One transaction anchors a whole batch. Everything is recorded per sending account,
///         so nobody can take a root before its issuer (a copy sent first from another
///         account lands in that account's records); a verifier reads the records of the
///         account the credential's issuer bound with its own key (in the anchor proof).
contract AnchorRegistry {
    /// One storage slot per batch: the block it was anchored in, and the block's time.
    struct Anchor {
        uint64 blockNumber;
        uint64 timestamp;
    }

    mapping(address sender => mapping(bytes32 root => Anchor)) private _anchors;
    /// sender => root => leaf (or bytes32(0) for the whole batch) => revocation time.
    mapping(address sender => mapping(bytes32 root => mapping(bytes32 leaf => uint64)))
        private _revokedAt;
    /// account => the earliest time from which its anchors no longer count.
    mapping(address account => uint64) private _compromisedSince;

    event Anchored(bytes32 indexed root, address indexed sender, uint256 size);
    event Revoked(bytes32 indexed root, bytes32 indexed leaf, address indexed sender);
    event KeyCompromised(address indexed account, uint64 since);

    error AlreadyAnchored(bytes32 root);
    error NotAnchored(bytes32 root);
    error AlreadyRevoked(bytes32 root, bytes32 leaf);
    error EmptyBatch();
    error ZeroTime();

    /// @notice Record `root`, the Merkle root of a batch of `size` credentials (once per sender).
    function anchor(bytes32 root, uint256 size) external {
        if (size == 0) revert EmptyBatch();
        if (_anchors[msg.sender][root].blockNumber != 0) revert AlreadyAnchored(root);
        _anchors[msg.sender][root] = Anchor(uint64(block.number), uint64(block.timestamp));
        emit Anchored(root, msg.sender, size);
    }

    /// @notice Revoke one credential of a batch (`leaf`), or the whole batch (`leaf` = 0).
    /// @dev Only in a batch the sender anchored; revocation is final.
    function revoke(bytes32 root, bytes32 leaf) external {
        if (_anchors[msg.sender][root].blockNumber == 0) revert NotAnchored(root);
        if (_revokedAt[msg.sender][root][leaf] != 0) revert AlreadyRevoked(root, leaf);
        _revokedAt[msg.sender][root][leaf] = uint64(block.timestamp);
        emit Revoked(root, leaf, msg.sender);
    }

    /// @notice Declare the sender's keys compromised since `since` (seconds since the epoch):
    ///         its anchors from then on no longer count. A later call can only move it earlier.
    function declareCompromise(uint64 since) external {
        if (since == 0) revert ZeroTime();
        uint64 current = _compromisedSince[msg.sender];
        if (current == 0 || since < current) {
            _compromisedSince[msg.sender] = since;
        }
        emit KeyCompromised(msg.sender, _compromisedSince[msg.sender]);
    }

    /// @notice Everything a verifier needs about `leaf` in batch `root` of `sender`, in one
    ///         call. `blockNumber` is 0 when `sender` never anchored the root.
    function lookup(address sender, bytes32 root, bytes32 leaf)
        external
        view
        returns (
            uint64 blockNumber,
            uint64 timestamp,
            uint64 batchRevokedAt,
            uint64 leafRevokedAt,
            uint64 compromisedSince
        )
    {
        Anchor memory a = _anchors[sender][root];
        return (
            a.blockNumber,
            a.timestamp,
            _revokedAt[sender][root][bytes32(0)],
            _revokedAt[sender][root][leaf],
            _compromisedSince[sender]
        );
    }
}
