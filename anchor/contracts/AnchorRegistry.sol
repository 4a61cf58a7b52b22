// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title AnchorRegistry: Merkle roots of credential batches, their revocation, and key compromises.
/// @notice One transaction anchors a whole batch. Everything is recorded per sending account;
///         a verifier believes an anchor only when its sender is an account that the
///         credential's issuer bound with its own key (off chain, in the anchor proof).
contract AnchorRegistry {
    /// One storage slot per batch: who anchored it, in which block, at what time.
    struct Anchor {
        address sender;
        uint48 blockNumber;
        uint48 timestamp;
    }

    mapping(bytes32 root => Anchor) private _anchors;
    /// root => leaf (or bytes32(0) for the whole batch) => revocation time.
    mapping(bytes32 root => mapping(bytes32 leaf => uint64)) private _revokedAt;
    /// account => the earliest time from which its anchors no longer count.
    mapping(address account => uint64) private _compromisedSince;

    event Anchored(bytes32 indexed root, address indexed sender, uint256 size);
    event Revoked(bytes32 indexed root, bytes32 indexed leaf, address indexed sender);
    event KeyCompromised(address indexed account, uint64 since);

    error AlreadyAnchored(bytes32 root);
    error NotAnchored(bytes32 root);
    error NotAnchoredBySender(bytes32 root, address sender);
    error AlreadyRevoked(bytes32 root, bytes32 leaf);
    error EmptyBatch();
    error ZeroTime();

    /// @notice Record `root`, the Merkle root of a batch of `size` credentials (once).
    function anchor(bytes32 root, uint256 size) external {
        if (size == 0) revert EmptyBatch();
        if (_anchors[root].sender != address(0)) revert AlreadyAnchored(root);
        _anchors[root] = Anchor(msg.sender, uint48(block.number), uint48(block.timestamp));
        emit Anchored(root, msg.sender, size);
    }

    /// @notice Revoke one credential of a batch (`leaf`), or the whole batch (`leaf` = 0).
    /// @dev Only the account that anchored the batch may revoke in it; revocation is final.
    function revoke(bytes32 root, bytes32 leaf) external {
        address sender = _anchors[root].sender;
        if (sender == address(0)) revert NotAnchored(root);
        if (sender != msg.sender) revert NotAnchoredBySender(root, msg.sender);
        if (_revokedAt[root][leaf] != 0) revert AlreadyRevoked(root, leaf);
        _revokedAt[root][leaf] = uint64(block.timestamp);
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

    /// @notice Everything a verifier needs about `leaf` in batch `root`, in one call.
    ///         `sender` is the zero address when the root was never anchored.
    function lookup(bytes32 root, bytes32 leaf)
        external
        view
        returns (
            address sender,
            uint64 blockNumber,
            uint64 timestamp,
            uint64 batchRevokedAt,
            uint64 leafRevokedAt,
            uint64 compromisedSince
        )
    {
        Anchor memory a = _anchors[root];
        return (
            a.sender,
            a.blockNumber,
            a.timestamp,
            _revokedAt[root][bytes32(0)],
            _revokedAt[root][leaf],
            _compromisedSince[a.sender]
        );
    }
}
