// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGreenCertificate} from "./IGreenCertificate.sol";

/**
 * @title PositionalMultiproof
 * @notice Verifies many leaves of one positional binary Merkle tree with one proof.
 *
 * Nodes are identified by their position (index within their level); the nodes being folded are
 * kept by strictly increasing position. Each level pairs a node with its sibling (position xor 1):
 * taken from the nodes being folded when present, else read from the proof, in the order the fold
 * meets them. Because the side of every node follows from its position, a proof cannot move a
 * leaf, and a position names one node of the tree only.
 *
 * Two node kinds:
 * - Merkle-sum node: `keccak256(abi.encode(leftHash, leftSum, rightHash, rightSum))`, sum = left + right;
 *   a sibling costs two proof entries (hash, then `bytes32(sum)`);
 * - plain node: `keccak256(abi.encode(left, right))`; a sibling costs one proof entry.
 *
 * The folds run in assembly over one flat buffer of (position, hash, sum) triples: they are the
 * hot loop of a batch retirement (hundreds of leaves, a dozen levels).
 */
library PositionalMultiproof {
    /// @dev A sibling sum above this is refused, so sums never overflow (leaves are uint64, trees ≤ 64 levels).
    uint256 private constant _MAX_SIBLING_SUM = 0xffffffffffffffffffffffffffffffff;

    /**
     * @notice Nodes being folded: `n` (position, hash, sum) triples in `nodes` (sums in Wh; unused by
     * plain levels), and the next unread proof entry. Folding replaces them by their parents.
     */
    struct Fold {
        bytes32 batchId;
        uint256[] nodes;
        uint256 n;
        uint256 cursor;
    }

    /// @notice A fold of `n` nodes for the proof of `batchId`, all zero until set.
    function create(bytes32 batchId, uint256 n) internal pure returns (Fold memory) {
        return Fold({batchId: batchId, nodes: new uint256[](3 * n), n: n, cursor: 0});
    }

    /// @notice Sets node `i`.
    function set(Fold memory f, uint256 i, uint256 position, bytes32 hash, uint256 sum) internal pure {
        uint256[] memory nodes = f.nodes;
        assembly ("memory-safe") {
            let at := add(add(nodes, 0x20), mul(i, 0x60))
            mstore(at, position)
            mstore(add(at, 0x20), hash)
            mstore(add(at, 0x40), sum)
        }
    }

    /// @notice Returns node `i` (no bounds check: `i` < the count the fold was created with).
    function get(Fold memory f, uint256 i) internal pure returns (uint256 position, bytes32 hash, uint256 sum) {
        uint256[] memory nodes = f.nodes;
        assembly ("memory-safe") {
            let at := add(add(nodes, 0x20), mul(i, 0x60))
            position := mload(at)
            hash := mload(add(at, 0x20))
            sum := mload(add(at, 0x40))
        }
    }

    /// @notice Folds `levels` levels of Merkle-sum nodes.
    function foldSumLevels(Fold memory f, uint256 levels, bytes32[] calldata proof) internal pure {
        _fold(f, levels, proof, true);
    }

    /// @notice Folds `levels` levels of plain nodes (sums are left as they are).
    function foldLevels(Fold memory f, uint256 levels, bytes32[] calldata proof) internal pure {
        _fold(f, levels, proof, false);
    }

    /// @dev Folds `levels` levels in place: Merkle-sum nodes if `sums`, else plain nodes.
    function _fold(Fold memory f, uint256 levels, bytes32[] calldata proof, bool sums) private pure {
        uint256[] memory nodes = f.nodes;
        uint256 n = f.n;
        uint256 cursor = f.cursor;
        bool malformed;
        assembly ("memory-safe") {
            // Position of the node at `src`, the node after it, and whether that one is its right sibling.
            function sibling(src, last) -> p, nextSrc, paired {
                p := mload(src)
                nextSrc := add(src, 0x60)
                if iszero(and(p, 1)) { if lt(nextSrc, last) { paired := eq(mload(nextSrc), or(p, 1)) } }
            }
            // Merkle-sum parent of the node at `src` (and of its sibling when it follows) written at `out`.
            function sumPair(src, last, out, entry, end) -> nextSrc, nextEntry, bad {
                let scratch := mload(0x40)
                let p, following, paired := sibling(src, last)
                nextSrc := following
                nextEntry := entry
                switch paired
                case 1 {
                    mstore(scratch, mload(add(src, 0x20)))
                    mstore(add(scratch, 0x20), mload(add(src, 0x40)))
                    mstore(add(scratch, 0x40), mload(add(nextSrc, 0x20)))
                    mstore(add(scratch, 0x60), mload(add(nextSrc, 0x40)))
                    nextSrc := add(nextSrc, 0x60)
                }
                default {
                    if gt(add(entry, 0x40), end) {
                        bad := 1
                        leave
                    }
                    let siblingSum := calldataload(add(entry, 0x20))
                    if gt(siblingSum, _MAX_SIBLING_SUM) {
                        bad := 1
                        leave
                    }
                    let own := mul(and(p, 1), 0x40)
                    mstore(add(scratch, own), mload(add(src, 0x20)))
                    mstore(add(scratch, add(own, 0x20)), mload(add(src, 0x40)))
                    mstore(add(scratch, xor(own, 0x40)), calldataload(entry))
                    mstore(add(scratch, xor(own, 0x60)), siblingSum)
                    nextEntry := add(entry, 0x40)
                }
                mstore(out, shr(1, p))
                mstore(add(out, 0x20), keccak256(scratch, 0x80))
                mstore(add(out, 0x40), add(mload(add(scratch, 0x20)), mload(add(scratch, 0x60))))
            }
            // Plain parent of the node at `src` (and of its sibling when it follows) written at `out`.
            function pair(src, last, out, entry, end) -> nextSrc, nextEntry, bad {
                let p, following, paired := sibling(src, last)
                nextSrc := following
                nextEntry := entry
                switch paired
                case 1 {
                    mstore(0x00, mload(add(src, 0x20)))
                    mstore(0x20, mload(add(nextSrc, 0x20)))
                    nextSrc := add(nextSrc, 0x60)
                }
                default {
                    if iszero(lt(entry, end)) {
                        bad := 1
                        leave
                    }
                    let own := shl(5, and(p, 1))
                    mstore(own, mload(add(src, 0x20)))
                    mstore(xor(own, 0x20), calldataload(entry))
                    nextEntry := add(entry, 0x20)
                }
                mstore(out, shr(1, p))
                mstore(add(out, 0x20), keccak256(0x00, 0x40))
            }
            let base := add(nodes, 0x20)
            let entry := add(proof.offset, shl(5, cursor))
            let end := add(proof.offset, shl(5, proof.length))
            for { let level := 0 } and(lt(level, levels), iszero(malformed)) { level := add(level, 1) } {
                let out := base
                let last := add(base, mul(n, 0x60))
                for { let src := base } lt(src, last) { out := add(out, 0x60) } {
                    let bad
                    switch sums
                    case 0 { src, entry, bad := pair(src, last, out, entry, end) }
                    default { src, entry, bad := sumPair(src, last, out, entry, end) }
                    if bad {
                        malformed := 1
                        break
                    }
                }
                n := div(sub(out, base), 0x60)
            }
            cursor := shr(5, sub(entry, proof.offset))
        }
        if (malformed) revert IGreenCertificate.GreenCertificateMalformedProof(f.batchId, proof.length);
        f.n = n;
        f.cursor = cursor;
    }

    /// @notice Returns the next proof entry.
    function next(Fold memory f, bytes32[] calldata proof) internal pure returns (bytes32 entry) {
        if (f.cursor >= proof.length) revert IGreenCertificate.GreenCertificateMalformedProof(f.batchId, proof.length);
        entry = proof[f.cursor++];
    }

    /// @notice Reverts unless the fold reached one node and used every proof entry; returns that node.
    function root(Fold memory f, bytes32[] calldata proof) internal pure returns (bytes32 hash) {
        if (f.n != 1 || f.cursor != proof.length) {
            revert IGreenCertificate.GreenCertificateMalformedProof(f.batchId, proof.length);
        }
        (, hash,) = get(f, 0);
    }

    /// @notice Number of levels of a positional tree over `count` positions: ceil(log2(count)), 0 for one.
    function depthFor(uint256 count) internal pure returns (uint256 bits) {
        while ((uint256(1) << bits) < count) ++bits;
    }
}
