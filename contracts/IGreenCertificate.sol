// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IGreenCertificate
 * @notice Types, custom errors and events of the greenproof renewable-energy certificate registry.
 *
 * Units: energy in whole watt-hours (Wh), power in watts (W), times in UNIX seconds (UTC).
 * A token id is `uint256(keccak256(abi.encode(plantKey, intervalStart, intervalSeconds)))`: one
 * ERC-1155 id per plant and interval. A batch (a run of intervals for a set of plants) is either
 * anchored as one Merkle root over allocation and cap leaves (holders then claim with proofs) or
 * issued directly by minting every line.
 */
interface IGreenCertificate {
    /// @notice `amountWh` of one plant-interval's certificates belong to `holder` (Merkle leaf tag 1).
    struct AllocationLeaf {
        bytes32 plantKey;
        uint64 intervalStart;
        uint32 intervalSeconds;
        address holder;
        uint256 amountWh;
    }

    /// @notice Metered generation of one plant-interval: the most that may exist of its token (leaf tag 2).
    struct CapEntry {
        bytes32 plantKey;
        uint64 intervalStart;
        uint32 intervalSeconds;
        uint256 capWh;
    }

    /// @notice One line of a directly issued batch: `amountWh` of the token of `caps[capIndex]` to `holder`.
    struct MintEntry {
        uint32 capIndex;
        address holder;
        uint256 amountWh;
    }

    /// @notice A retirement claim: who the energy is claimed for, why, and for which consumption period.
    struct Claim {
        bytes32 claimRef;
        string beneficiary;
        string purpose;
        uint64 periodStart;
        uint64 periodEnd;
        bytes32 shipmentRef;
    }

    /// @notice A registered batch; `root` is zero for a directly issued batch (`direct` true).
    struct Batch {
        bytes32 root;
        bytes32 inputHash;
        uint64 periodStart;
        uint64 periodEnd;
        uint64 blockNumber;
        address issuer;
        bool direct;
    }

    /// @notice A registered plant; `issuedUntil` is the end of the last batch that issued it (watermark).
    struct Plant {
        string code;
        bytes32 technology;
        bytes32 locationCode;
        uint256 capacityW;
        bool renewable;
        uint64 issuedUntil;
    }

    /// @dev `batchId` was already registered (anchored or issued).
    error GreenCertificateBatchAlreadyRegistered(bytes32 batchId);
    /// @dev `batchId` is not an anchored batch (unknown, or directly issued so it has no root).
    error GreenCertificateUnknownBatch(bytes32 batchId);
    /// @dev `plantKey`'s intervals before `issuedUntil` are already issued; a batch starting at `periodStart` overlaps.
    error GreenCertificateIntervalAlreadyIssued(bytes32 plantKey, uint64 periodStart, uint64 issuedUntil);
    /// @dev The allocation leaf `leafHash` was already claimed.
    error GreenCertificateLeafAlreadyClaimed(bytes32 batchId, bytes32 leafHash);
    /// @dev The proof does not link allocation leaf `leafHash` to the root of `batchId`.
    error GreenCertificateInvalidLeafProof(bytes32 batchId, bytes32 leafHash);
    /// @dev The proof does not link the cap leaf (`tokenId`, `capWh`) to the root of `batchId`.
    error GreenCertificateInvalidCapProof(bytes32 batchId, uint256 tokenId, uint256 capWh);
    /// @dev Minting would bring token `tokenId` to `totalWh`, above its cap `capWh`.
    error GreenCertificateAmountAboveCap(uint256 tokenId, uint256 totalWh, uint256 capWh);
    /// @dev `capWh` exceeds what `plantKey` can generate in the interval (`maxWh` = capacity × duration).
    error GreenCertificateCapAboveCapacity(bytes32 plantKey, uint256 capWh, uint256 maxWh);
    /// @dev `plantKey` is not registered.
    error GreenCertificateUnknownPlant(bytes32 plantKey);
    /// @dev `plantKey` is registered as non-renewable and cannot be issued.
    error GreenCertificateNonRenewablePlant(bytes32 plantKey);
    /// @dev `plantKey` is already registered.
    error GreenCertificatePlantAlreadyRegistered(bytes32 plantKey);
    /// @dev An amount (Wh) or capacity (W) is zero.
    error GreenCertificateZeroAmount();
    /// @dev A batch lists no plants, or a direct batch has no caps or mints.
    error GreenCertificateEmptyBatch(bytes32 batchId);
    /// @dev An anchored batch has a zero Merkle root, or a claim has a zero claim reference.
    error GreenCertificateZeroHash();
    /// @dev Mint line `mintIndex` refers to `capIndex`, but the batch has only `capsLength` cap entries.
    error GreenCertificateArrayLengthMismatch(uint256 mintIndex, uint256 capIndex, uint256 capsLength);
    /// @dev Token `tokenId` appears in two cap entries of one direct batch.
    error GreenCertificateDuplicateCap(uint256 tokenId);
    /// @dev `periodEnd` is not after `periodStart` (or before it, for a claim's consumption period).
    error GreenCertificateInvalidPeriod(uint64 periodStart, uint64 periodEnd);
    /// @dev `holder` holds `balanceWh` of `tokenId`, less than the `amountWh` to retire.
    error GreenCertificateInsufficientBalance(address holder, uint256 tokenId, uint256 balanceWh, uint256 amountWh);
    /// @dev The claim reference `claimRef` was already used by a retirement.
    error GreenCertificateClaimRefUsed(bytes32 claimRef);
    /// @dev Interval [`intervalStart`, +`intervalSeconds`) is not inside the period of `batchId`.
    error GreenCertificateIntervalOutsidePeriod(bytes32 batchId, uint64 intervalStart, uint32 intervalSeconds);
    /// @dev `plantKey` is not one of the plants of `batchId`.
    error GreenCertificatePlantNotInBatch(bytes32 batchId, bytes32 plantKey);
    /// @dev `sender` acts on a leaf that belongs to `holder`.
    error GreenCertificateSenderNotHolder(address sender, address holder);

    /// @notice A plant was added to the registry.
    event PlantRegistered(
        bytes32 indexed plantKey, string code, bytes32 technology, bool renewable, uint256 capacityW, bytes32 locationCode
    );
    /// @notice A batch was anchored: its certificates exist as leaves under `root`, claimable with proofs.
    event BatchAnchored(
        bytes32 indexed batchId,
        address indexed issuer,
        bytes32 root,
        bytes32 inputHash,
        uint64 periodStart,
        uint64 periodEnd,
        bytes32[] plantKeys
    );
    /// @notice A batch was issued directly: `totalWh` were minted to the holders in `lines` mints.
    event BatchIssued(
        bytes32 indexed batchId,
        address indexed issuer,
        bytes32 inputHash,
        uint64 periodStart,
        uint64 periodEnd,
        bytes32[] plantKeys,
        uint256 lines,
        uint256 totalWh
    );
    /// @notice Allocation leaf `leafHash` of `batchId` was claimed: `amountWh` of `tokenId` became `holder`'s.
    event LeafClaimed(
        bytes32 indexed batchId, bytes32 indexed leafHash, address indexed holder, uint256 tokenId, uint256 amountWh
    );
    /// @notice `holder` retired (burnt) `amountWh` of token `id` for the claim `claimRef`.
    event Retired(
        address indexed holder,
        uint256 indexed id,
        bytes32 indexed claimRef,
        uint256 amountWh,
        string beneficiary,
        string purpose,
        uint64 periodStart,
        uint64 periodEnd,
        bytes32 shipmentRef
    );
}
