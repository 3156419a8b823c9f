// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IGreenCertificate
 * @notice Types, custom errors and events of the greenproof renewable-energy certificate registry (v2).
 *
 * Units: energy in whole watt-hours (Wh), power in watts (W), times in UNIX seconds (UTC).
 *
 * A token id packs what a certificate is, so that every transfer can check its expiry without a
 * storage read: `kind << 160 | storageIndex << 128 | plantIndex << 96 | intervalStart << 32 | intervalSeconds`
 * (kind 1 = generation, 2 = storage discharge; storageIndex 0 for generation).
 *
 * A batch covers `intervalCount` intervals of `intervalSeconds` from `periodStart` for a sorted list
 * of plants. Its certificates are the leaves of a positional Merkle-sum tree (see docs/contracts.md):
 * leaf position = (intervalIndex << plantBits | plantSlot) << slotBits | slot, one plant-interval node
 * per (interval, plant) committing to its metered cap and to the sum of the leaves under it. The
 * contract stores one 32-byte commitment per batch:
 * `keccak256(abi.encode(root, inputHash, keccak256(abi.encodePacked(plants)), shape))`.
 */
interface IGreenCertificate {
    /// @notice The shape of a batch: `intervalCount` intervals of `intervalSeconds` from `periodStart`, and
    /// the depth of its plant-interval subtrees (`slotBits`) and of its discharge tree (`dischargeBits`).
    struct BatchShape {
        uint64 periodStart;
        uint32 intervalSeconds;
        uint32 intervalCount;
        uint8 slotBits;
        uint8 dischargeBits;
    }

    /// @notice Which batch a proof is for, and the parts of the batch commitment the proof does not compute.
    /// @dev `siblingRoot` is the discharge root for generation proofs and the generation root for discharge proofs.
    struct BatchHeader {
        bytes32 batchId;
        bytes32 inputHash;
        bytes32 siblingRoot;
        uint32[] plants;
        BatchShape shape;
    }

    /// @notice An allocation leaf of the generation tree: `amountWh` (< 2^64) at `position`; `retireWh` of it to retire.
    struct LeafRef {
        uint256 position;
        uint256 amountWh;
        uint256 retireWh;
    }

    /// @notice A storage discharge leaf of the discharge tree: energy stored from `plantIndex`'s interval, discharged.
    struct DischargeRef {
        uint64 position;
        uint32 storageIndex;
        uint32 plantIndex;
        uint64 originStart;
        uint32 originSeconds;
        uint64 amountWh;
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

    /// @notice A registered plant; `gridSeconds` is the grid its intervals are issued on (its metering interval).
    struct Plant {
        bytes32 plantKey;
        bytes32 technology;
        bytes32 locationCode;
        uint256 capacityW;
        uint32 gridSeconds;
        bool renewable;
    }

    /// @notice A registered storage unit; `efficiencyPpm` is its round-trip efficiency in parts per million.
    struct StorageUnit {
        bytes32 storageKey;
        uint32 efficiencyPpm;
    }

    /// @dev `batchId` was already registered (anchored or issued).
    error GreenCertificateBatchAlreadyRegistered(bytes32 batchId);
    /// @dev `batchId` is not an anchored batch.
    error GreenCertificateUnknownBatch(bytes32 batchId);
    /// @dev The batch period ends at `periodEnd`, after the current block time `nowS`.
    error GreenCertificatePeriodInFuture(uint256 periodEnd, uint256 nowS);
    /// @dev A batch of `intervalCount` intervals of `intervalSeconds` is empty, or its tree is deeper than allowed.
    error GreenCertificateInvalidBatchShape(uint32 intervalSeconds, uint32 intervalCount, uint8 slotBits, uint8 dischargeBits);
    /// @dev The batch grid (`periodStart`, `intervalSeconds`) is not on the issuance grid (`gridSeconds`) of `plantIndex`.
    error GreenCertificateOffGrid(uint32 plantIndex, uint64 periodStart, uint32 intervalSeconds, uint32 gridSeconds);
    /// @dev The interval of `plantIndex` starting at `intervalStart` was already issued by another batch.
    error GreenCertificateIntervalAlreadyIssued(uint32 plantIndex, uint64 intervalStart);
    /// @dev The plant list of a batch is empty, or not strictly increasing at `slot` (`plantIndex`).
    error GreenCertificatePlantsNotSorted(uint256 slot, uint32 plantIndex);
    /// @dev `plantIndex` is not registered.
    error GreenCertificateUnknownPlant(uint32 plantIndex);
    /// @dev `plantIndex` is registered as non-renewable and cannot be issued.
    error GreenCertificateNonRenewablePlant(uint32 plantIndex);
    /// @dev `plantIndex` or `plantKey` is already registered (or the index is zero).
    error GreenCertificatePlantAlreadyRegistered(uint32 plantIndex, bytes32 plantKey);
    /// @dev A plant's capacity or grid, or an amount (Wh), is zero.
    error GreenCertificateZeroAmount();
    /// @dev A call lists no leaves or token ids.
    error GreenCertificateEmptyBatch(bytes32 batchId);
    /// @dev An anchored batch has a zero root, or a claim has a zero claim reference.
    error GreenCertificateZeroHash();
    /// @dev The proof of `batchId` does not reproduce its commitment (altered leaf, sibling, cap or header).
    error GreenCertificateInvalidProof(bytes32 batchId);
    /// @dev The proof of `batchId` has `proofLength` entries: too few, or some left unused.
    error GreenCertificateMalformedProof(bytes32 batchId, uint256 proofLength);
    /// @dev Leaf `index` has position `position`: not strictly after the previous one, or outside the batch tree.
    error GreenCertificateInvalidPosition(uint256 index, uint256 position);
    /// @dev `account` already used the leaf of `plantIndex` at `intervalStart` (one allocation per holder and plant-interval).
    error GreenCertificateLeafAlreadyClaimed(address account, uint32 plantIndex, uint64 intervalStart);
    /// @dev The leaves under the plant-interval node of `plantIndex` at `intervalStart` sum to `sumWh`, above its cap `capWh`.
    error GreenCertificateAllocationsAboveCap(uint32 plantIndex, uint64 intervalStart, uint256 sumWh, uint256 capWh);
    /// @dev `capWh` exceeds what `plantIndex` can generate in the interval (`maxWh` = capacity × duration).
    error GreenCertificateCapAboveCapacity(uint32 plantIndex, uint256 capWh, uint256 maxWh);
    /// @dev Leaf `index` holds `amountWh`: zero, or not below 2^64.
    error GreenCertificateInvalidAmount(uint256 index, uint256 amountWh);
    /// @dev Leaf `index` retires `retireWh`, zero or more than its `amountWh`.
    error GreenCertificateInvalidRetireAmount(uint256 index, uint256 retireWh, uint256 amountWh);
    /// @dev `idsLength` token ids come with `amountsLength` amounts.
    error GreenCertificateLengthMismatch(uint256 idsLength, uint256 amountsLength);
    /// @dev A validity of `validityMonths` months is zero, or a UTC offset of `utcOffsetS` s exceeds 14 h.
    error GreenCertificateInvalidValidity(uint8 validityMonths, int32 utcOffsetS);
    /// @dev A claim's consumption period ends (`periodEnd`) before it starts (`periodStart`).
    error GreenCertificateInvalidPeriod(uint64 periodStart, uint64 periodEnd);
    /// @dev Token `tokenId`'s interval is not inside the claim's consumption period [`periodStart`, `periodEnd`].
    error GreenCertificateIntervalOutsideClaimPeriod(uint256 tokenId, uint64 periodStart, uint64 periodEnd);
    /// @dev Token `tokenId` expired at `expiredAt` (UNIX s): it can no longer be claimed, moved or retired.
    error GreenCertificateExpired(uint256 tokenId, uint256 expiredAt);
    /// @dev `holder` holds `balanceWh` of `tokenId`, less than the `amountWh` to retire.
    error GreenCertificateInsufficientBalance(address holder, uint256 tokenId, uint256 balanceWh, uint256 amountWh);
    /// @dev `holder` already used the claim reference `claimRef` for a retirement.
    error GreenCertificateClaimRefUsed(address holder, bytes32 claimRef);
    /// @dev The authorisation's deadline `deadline` passed (block time `nowS`).
    error GreenCertificateExpiredSignature(uint256 deadline, uint256 nowS);
    /// @dev The signature is not `holder`'s over this authorisation and its current nonce.
    error GreenCertificateInvalidSignature(address holder);
    /// @dev `storageIndex` is not a registered storage unit.
    error GreenCertificateUnknownStorage(uint32 storageIndex);
    /// @dev `storageIndex` or `storageKey` is already registered (or the index is zero).
    error GreenCertificateStorageAlreadyRegistered(uint32 storageIndex, bytes32 storageKey);
    /// @dev A round-trip efficiency of `efficiencyPpm` is not in (0, 1 000 000].
    error GreenCertificateInvalidEfficiency(uint32 efficiencyPpm);
    /// @dev No charge of `plantIndex`'s interval starting `originStart` into `storageIndex` was recorded.
    error GreenCertificateOriginNotCharged(uint32 storageIndex, uint32 plantIndex, uint64 originStart);
    /// @dev Discharging `amountWh` from `storageIndex` of energy from `plantIndex` exceeds what is stored (`storedWh`, after losses).
    error GreenCertificateDischargeAboveStored(uint32 storageIndex, uint32 plantIndex, uint256 amountWh, uint256 storedWh);
    /// @dev `account` is a storage account: charge records are recorded with `recordCharges`, never minted.
    error GreenCertificateStorageAccount(address account);
    /// @dev The discharge leaf at `position` of `batchId` was already claimed.
    error GreenCertificateDischargeAlreadyClaimed(bytes32 batchId, uint256 position);

    /// @notice A plant was added to the registry.
    event PlantRegistered(
        uint32 indexed plantIndex,
        bytes32 indexed plantKey,
        string code,
        bytes32 technology,
        bool renewable,
        uint256 capacityW,
        uint32 gridSeconds,
        bytes32 locationCode
    );
    /// @notice A storage unit was added to the registry.
    event StorageRegistered(uint32 indexed storageIndex, bytes32 indexed storageKey, string code, uint32 efficiencyPpm);
    /// @notice A batch was anchored: its certificates are leaves under `root`, claimable with proofs.
    event BatchAnchored(
        bytes32 indexed batchId,
        address indexed issuer,
        bytes32 root,
        bytes32 inputHash,
        BatchShape shape,
        uint32[] plants
    );
    /// @notice Allocation leaves of `batchId` were claimed: `amountsWh` of tokens `ids` minted to `holder`.
    event LeavesClaimed(bytes32 indexed batchId, address indexed holder, uint256[] ids, uint256[] amountsWh);
    /// @notice Charge records of `batchId` were recorded: `chargedWh` of the plant-intervals of token ids `ids`
    /// went into `storageIndex`, which may discharge `storedWh` of them in total (after round-trip losses).
    event ChargesRecorded(
        bytes32 indexed batchId, uint32 indexed storageIndex, uint256[] ids, uint256[] chargedWh, uint256 storedWh
    );
    /// @notice Discharge leaves of `batchId` were claimed: `amountsWh` of discharge tokens `ids` minted to `holder`.
    event DischargesClaimed(bytes32 indexed batchId, address indexed holder, uint256[] ids, uint256[] amountsWh);
    /// @notice `holder` retired `amountsWh` of tokens `ids` for the claim `claimRef`; `batchId` is the batch of
    /// the leaves retired straight from their proofs, zero for minted balances.
    event Retired(
        address indexed holder,
        bytes32 indexed claimRef,
        bytes32 indexed batchId,
        uint256[] ids,
        uint256[] amountsWh,
        string beneficiary,
        string purpose,
        uint64 periodStart,
        uint64 periodEnd,
        bytes32 shipmentRef
    );
}
