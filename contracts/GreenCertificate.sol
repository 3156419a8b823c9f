// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {CertificateCalendar} from "./CertificateCalendar.sol";
import {IGreenCertificate} from "./IGreenCertificate.sol";
import {PositionalMultiproof} from "./PositionalMultiproof.sol";

/**
 * @title GreenCertificate
 * @notice ERC-1155 renewable-energy certificates, one token id per (kind, plant, interval), unit Wh (v2).
 *
 * Issuance registers a batch once and marks each of its plant-intervals issued in a per-plant
 * bitmap, so an interval is issued once whatever the order batches come in. An anchored batch
 * stores a commitment to a positional Merkle-sum tree: each plant-interval node commits to its
 * metered cap and to the sum of its leaves (allocations to holders, charges into storage), so a
 * proof shows Σ leaves ≤ cap ≤ capacity × duration and a leaf used once per holder can never be
 * over-claimed. Holders claim (mint) or retire straight from the leaves, many per transaction,
 * or sign an EIP-712 authorisation that anyone relays. Expiry (production month + validity, at a
 * fixed UTC offset) is read from the token id on every mint, transfer and burn.
 */
contract GreenCertificate is ERC1155, AccessControl, EIP712, Nonces, IGreenCertificate {
    /// @notice Role allowed to register plants, storage units and batches.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice Token kind of certificates of generation.
    uint8 public constant KIND_GENERATION = 1;
    /// @notice Token kind of storage discharge certificates (original plant and production interval).
    uint8 public constant KIND_DISCHARGE = 2;

    uint8 private constant _ALLOCATION_TAG = 1;
    uint8 private constant _PLANT_INTERVAL_TAG = 2;
    uint8 private constant _DISCHARGE_TAG = 3;
    uint256 private constant _SECONDS_PER_HOUR = 3600;
    uint256 private constant _PPM = 1_000_000;
    uint256 private constant _MAX_LEAF_WH = type(uint64).max;
    uint256 private constant _MAX_SLOT_BITS = 16;
    uint256 private constant _MAX_DISCHARGE_BITS = 24;
    int256 private constant _MAX_UTC_OFFSET_S = 14 * 3600;

    bytes32 private constant _CLAIM_TYPEHASH = keccak256(
        "Claim(bytes32 claimRef,string beneficiary,string purpose,uint64 periodStart,uint64 periodEnd,bytes32 shipmentRef)"
    );
    bytes32 private constant _LEAF_REF_TYPEHASH = keccak256("LeafRef(uint256 position,uint256 amountWh,uint256 retireWh)");
    bytes32 private constant _RETIRE_LEAVES_TYPEHASH = keccak256(
        "RetireLeaves(address holder,bytes32 batchId,LeafRef[] leaves,Claim claim,uint256 nonce,uint256 deadline)"
        "Claim(bytes32 claimRef,string beneficiary,string purpose,uint64 periodStart,uint64 periodEnd,bytes32 shipmentRef)"
        "LeafRef(uint256 position,uint256 amountWh,uint256 retireWh)"
    );
    bytes32 private constant _RETIRE_TYPEHASH = keccak256(
        "Retire(address holder,uint256[] ids,uint256[] amountsWh,Claim claim,uint256 nonce,uint256 deadline)"
        "Claim(bytes32 claimRef,string beneficiary,string purpose,uint64 periodStart,uint64 periodEnd,bytes32 shipmentRef)"
    );
    bytes32 private constant _TRANSFER_TYPEHASH =
        keccak256("Transfer(address from,address to,uint256 id,uint256 amountWh,uint256 nonce,uint256 deadline)");

    /// @dev Hot fields of a plant share one slot: a claim reads them with one SLOAD.
    struct PlantRecord {
        uint128 capacityW;
        uint32 gridSeconds;
        bool renewable;
        bytes32 plantKey;
        bytes32 technology;
        bytes32 locationCode;
    }

    struct StorageRecord {
        uint32 efficiencyPpm;
        bytes32 storageKey;
    }

    /**
     * @dev Working memory of one proof: the batch, its plants (looked up once per plant slot), the
     * nodes being folded (positions strictly increasing, hashes, sums in Wh) and, per leaf, the token
     * id and the Wh it mints or retires.
     */
    struct Work {
        bytes32 batchId;
        bytes32 commitment;
        uint256 periodStart;
        uint256 intervalSeconds;
        uint256 intervalCount;
        uint256 slotBits;
        uint256 dischargeBits;
        uint256 plantBits;
        uint256[] plants;
        uint256[] maxWh;
        uint256[] grid;
        PositionalMultiproof.Fold fold;
        uint256[] ids;
        uint256[] amountsWh;
    }

    uint256 private immutable _validityMonths;
    int256 private immutable _utcOffsetS;

    mapping(uint32 plantIndex => PlantRecord) private _plants;
    mapping(bytes32 plantKey => uint32) private _plantIndexOf;
    mapping(uint32 storageIndex => StorageRecord) private _storage;
    mapping(bytes32 storageKey => uint32) private _storageIndexOf;
    mapping(address account => uint32) private _storageIndexOfAccount;
    /// @dev `keccak256(abi.encode(root, inputHash, keccak256(abi.encodePacked(plants)), shape))` of each batch.
    mapping(bytes32 batchId => bytes32) private _commitments;
    /// @dev Issued plant-intervals, one bit per grid step of the plant (`intervalStart / gridSeconds`).
    mapping(uint32 plantIndex => mapping(uint256 word => uint256 bits)) private _issued;
    /// @dev Used allocation leaves per holder (charges: per storage account), one bit per grid step of the plant.
    mapping(bytes32 key => uint256 bits) private _used;
    mapping(bytes32 batchId => mapping(uint256 word => uint256 bits)) private _dischargeClaimed;
    /// @dev Charged, not yet discharged energy after losses, per storage unit and origin plant (Wh).
    mapping(uint32 storageIndex => mapping(uint32 plantIndex => uint256)) private _storedWh;
    mapping(address holder => mapping(bytes32 claimRef => bool)) private _claimRefUsed;

    /**
     * @param admin Receives DEFAULT_ADMIN_ROLE and ISSUER_ROLE.
     * @param validityMonths_ Months a certificate stays valid after its production month starts (24: China GEC).
     * @param productionMonthOffsetS UTC offset, seconds, of the time zone production months are counted in (+28 800: China).
     */
    constructor(address admin, uint8 validityMonths_, int32 productionMonthOffsetS)
        ERC1155("")
        EIP712("GreenCertificate", "2")
    {
        if (validityMonths_ == 0 || productionMonthOffsetS > _MAX_UTC_OFFSET_S || productionMonthOffsetS < -_MAX_UTC_OFFSET_S)
        {
            revert GreenCertificateInvalidValidity(validityMonths_, productionMonthOffsetS);
        }
        _validityMonths = validityMonths_;
        _utcOffsetS = productionMonthOffsetS;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ISSUER_ROLE, admin);
    }

    // ------------------------------------------------------------------------------------------
    // Registry
    // ------------------------------------------------------------------------------------------

    /**
     * @notice Registers a plant under a registrant-chosen index, the number token ids and batches use.
     *
     * Requirements:
     * - the caller has ISSUER_ROLE;
     * - `plantIndex` is not zero and neither it nor `plantKey` is registered;
     * - `capacityW` and `gridSeconds` are not zero; `capacityW` fits in 128 bits.
     */
    function registerPlant(
        uint32 plantIndex,
        bytes32 plantKey,
        string calldata code,
        bytes32 technology,
        bool renewable,
        uint256 capacityW,
        uint32 gridSeconds,
        bytes32 locationCode
    ) external onlyRole(ISSUER_ROLE) {
        if (plantIndex == 0 || _plants[plantIndex].gridSeconds != 0 || _plantIndexOf[plantKey] != 0) {
            revert GreenCertificatePlantAlreadyRegistered(plantIndex, plantKey);
        }
        if (capacityW == 0 || capacityW > type(uint128).max || gridSeconds == 0) revert GreenCertificateZeroAmount();
        _plants[plantIndex] = PlantRecord({
            capacityW: uint128(capacityW),
            gridSeconds: gridSeconds,
            renewable: renewable,
            plantKey: plantKey,
            technology: technology,
            locationCode: locationCode
        });
        _plantIndexOf[plantKey] = plantIndex;
        emit PlantRegistered(plantIndex, plantKey, code, technology, renewable, capacityW, gridSeconds, locationCode);
    }

    /**
     * @notice Registers a storage unit (battery, hydrogen chain) and its round-trip efficiency.
     *
     * Requirements:
     * - the caller has ISSUER_ROLE;
     * - `storageIndex` is not zero and neither it nor `storageKey` is registered;
     * - `0 < efficiencyPpm <= 1 000 000`.
     */
    function registerStorage(uint32 storageIndex, bytes32 storageKey, string calldata code, uint32 efficiencyPpm)
        external
        onlyRole(ISSUER_ROLE)
    {
        if (storageIndex == 0 || _storage[storageIndex].efficiencyPpm != 0 || _storageIndexOf[storageKey] != 0) {
            revert GreenCertificateStorageAlreadyRegistered(storageIndex, storageKey);
        }
        if (efficiencyPpm == 0 || efficiencyPpm > _PPM) revert GreenCertificateInvalidEfficiency(efficiencyPpm);
        _storage[storageIndex] = StorageRecord({efficiencyPpm: efficiencyPpm, storageKey: storageKey});
        _storageIndexOf[storageKey] = storageIndex;
        _storageIndexOfAccount[storageAccount(storageIndex)] = storageIndex;
        emit StorageRegistered(storageIndex, storageKey, code, efficiencyPpm);
    }

    // ------------------------------------------------------------------------------------------
    // Issuance
    // ------------------------------------------------------------------------------------------

    /**
     * @notice Anchors a batch: its certificates are the leaves of the tree whose root is `root`. The
     * contract keeps one commitment to the root, the input hash, the plants and the shape.
     *
     * Requirements:
     * - the caller has ISSUER_ROLE; `batchId` is not registered yet and `root` is not zero;
     * - `intervalSeconds` and `intervalCount` are not zero, `slotBits <= 16`, `dischargeBits <= 24`;
     * - the period ends (`periodStart + intervalSeconds × intervalCount`) at or before the block time;
     * - `plants` is not empty and strictly increasing; each plant is registered and renewable, the
     *   batch grid lies on its issuance grid, and none of its intervals in the period is issued yet.
     */
    function anchorBatch(
        bytes32 batchId,
        bytes32 root,
        bytes32 inputHash,
        BatchShape calldata shape,
        uint32[] calldata plants
    ) external onlyRole(ISSUER_ROLE) {
        if (root == bytes32(0)) revert GreenCertificateZeroHash();
        if (_commitments[batchId] != bytes32(0)) revert GreenCertificateBatchAlreadyRegistered(batchId);
        if (
            shape.intervalSeconds == 0 || shape.intervalCount == 0 || shape.slotBits > _MAX_SLOT_BITS
                || shape.dischargeBits > _MAX_DISCHARGE_BITS
        ) {
            revert GreenCertificateInvalidBatchShape(
                shape.intervalSeconds, shape.intervalCount, shape.slotBits, shape.dischargeBits
            );
        }
        uint256 periodEnd = uint256(shape.periodStart) + uint256(shape.intervalSeconds) * shape.intervalCount;
        if (periodEnd > block.timestamp) revert GreenCertificatePeriodInFuture(periodEnd, block.timestamp);
        if (plants.length == 0) revert GreenCertificatePlantsNotSorted(0, 0);
        for (uint256 i = 0; i < plants.length; ++i) {
            if (i > 0 && plants[i] <= plants[i - 1]) revert GreenCertificatePlantsNotSorted(i, plants[i]);
            _issue(plants[i], shape.periodStart, shape.intervalSeconds, periodEnd);
        }
        _commitments[batchId] = _commitment(root, inputHash, plants, shape);
        emit BatchAnchored(batchId, _msgSender(), root, inputHash, shape, plants);
    }

    // ------------------------------------------------------------------------------------------
    // Claims and retirements straight from the leaves of an anchored batch
    // ------------------------------------------------------------------------------------------

    /**
     * @notice Mints allocation leaves of an anchored batch to their holder. Anyone may submit them.
     *
     * Requirements:
     * - `header` names an anchored batch and, with the proof, reproduces its commitment;
     * - leaf positions strictly increase and lie inside the batch; amounts are not zero (`retireWh` is ignored);
     * - every plant-interval reached has Σ leaves ≤ cap ≤ capacity × duration;
     * - `holder` is not a storage account and has not used any of these plant-intervals yet; none is expired.
     */
    function claimLeaves(
        BatchHeader calldata header,
        address holder,
        LeafRef[] calldata leaves,
        bytes32[] calldata proof
    ) external {
        if (_storageIndexOfAccount[holder] != 0) revert GreenCertificateStorageAccount(holder);
        (Work memory w,) = _useAllocations(header, holder, leaves, proof, false);
        emit LeavesClaimed(header.batchId, holder, w.ids, w.amountsWh);
        _mintBatch(holder, w.ids, w.amountsWh, "");
    }

    /**
     * @notice Retires `retireWh` of each of the caller's allocation leaves for `retirement` without minting
     * them first; what a leaf holds beyond `retireWh` is minted to the caller.
     *
     * Requirements:
     * - the requirements of `claimLeaves`, with the caller as holder;
     * - each leaf retires `0 < retireWh <= amountWh`;
     * - the claim reference is not zero and not used by the caller before, and the consumption
     *   period contains every leaf's interval.
     */
    function retireLeaves(
        BatchHeader calldata header,
        LeafRef[] calldata leaves,
        bytes32[] calldata proof,
        Claim calldata retirement
    ) external {
        _retireLeaves(header, _msgSender(), leaves, proof, retirement);
    }

    /**
     * @notice `retireLeaves` for `holder`, authorised by `holder`'s EIP-712 signature of
     * `RetireLeaves(holder, batchId, leaves, claim, nonce, deadline)`; anyone may relay it and pay the gas.
     *
     * Requirements:
     * - the block time is at most `deadline`; `signature` is `holder`'s (EOA or ERC-1271) over the
     *   authorisation with `holder`'s current nonce, which it uses up;
     * - the requirements of `retireLeaves`.
     */
    function retireLeavesFor(
        BatchHeader calldata header,
        address holder,
        LeafRef[] calldata leaves,
        bytes32[] calldata proof,
        Claim calldata retirement,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(
                _RETIRE_LEAVES_TYPEHASH,
                holder,
                header.batchId,
                _hashLeafRefs(leaves),
                _hashClaim(retirement),
                _useNonce(holder),
                deadline
            )
        );
        _checkSignature(holder, structHash, deadline, signature);
        _retireLeaves(header, holder, leaves, proof, retirement);
    }

    // ------------------------------------------------------------------------------------------
    // Minted balances
    // ------------------------------------------------------------------------------------------

    /**
     * @notice Retires (burns) `amountsWh` of the caller's tokens `ids` for `retirement`.
     *
     * Requirements:
     * - `ids` is not empty, strictly increasing and as long as `amountsWh`; no amount is zero or
     *   above the caller's balance;
     * - the claim reference is not zero and not used by the caller before; the consumption period
     *   contains every token's interval; no token is expired.
     */
    function retire(uint256[] calldata ids, uint256[] calldata amountsWh, Claim calldata retirement) external {
        _retireBalances(_msgSender(), ids, amountsWh, retirement);
    }

    /**
     * @notice `retire` for `holder`, authorised by `holder`'s EIP-712 signature of
     * `Retire(holder, ids, amountsWh, claim, nonce, deadline)`; anyone may relay it.
     */
    function retireFor(
        address holder,
        uint256[] calldata ids,
        uint256[] calldata amountsWh,
        Claim calldata retirement,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(
                _RETIRE_TYPEHASH,
                holder,
                keccak256(abi.encodePacked(ids)),
                keccak256(abi.encodePacked(amountsWh)),
                _hashClaim(retirement),
                _useNonce(holder),
                deadline
            )
        );
        _checkSignature(holder, structHash, deadline, signature);
        _retireBalances(holder, ids, amountsWh, retirement);
    }

    /**
     * @notice Transfers `amountWh` of token `id` from `from` to `to`, authorised by `from`'s EIP-712
     * signature of `Transfer(from, to, id, amountWh, nonce, deadline)`; anyone may relay it.
     *
     * Requirements: the signature rules of `retireLeavesFor`; the ERC-1155 transfer rules; the token is not expired.
     */
    function transferFor(
        address from,
        address to,
        uint256 id,
        uint256 amountWh,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(_TRANSFER_TYPEHASH, from, to, id, amountWh, _useNonce(from), deadline));
        _checkSignature(from, structHash, deadline, signature);
        _safeTransferFrom(from, to, id, amountWh, "");
    }

    // ------------------------------------------------------------------------------------------
    // Storage: charge records and discharge certificates
    // ------------------------------------------------------------------------------------------

    /**
     * @notice Records storage charge records of an anchored batch: allocation leaves held by the storage
     * account of `storageIndex` (`storageAccount(storageIndex)`, an address nobody holds a key of). Each adds
     * `amountWh × efficiency` (rounded down) to what the unit may discharge of its plant's energy. A charge
     * record is never minted, so nobody can transfer or retire it. Anyone may submit them.
     *
     * Requirements: `storageIndex` is registered; the proof and leaf rules of `claimLeaves`, with the
     * storage account as holder (each plant-interval's charge is recorded once).
     */
    function recordCharges(
        BatchHeader calldata header,
        uint32 storageIndex,
        LeafRef[] calldata leaves,
        bytes32[] calldata proof
    ) external {
        uint256 efficiencyPpm = _storage[storageIndex].efficiencyPpm;
        if (efficiencyPpm == 0) revert GreenCertificateUnknownStorage(storageIndex);
        (Work memory w,) = _useAllocations(header, storageAccount(storageIndex), leaves, proof, false);
        emit ChargesRecorded(header.batchId, storageIndex, w.ids, w.amountsWh, _store(storageIndex, efficiencyPpm, w));
    }

    /**
     * @notice Mints storage discharge leaves of an anchored batch to their holder: certificates of
     * kind 2 carrying the storage unit, the original plant and the original production interval.
     * Anyone may submit them.
     *
     * Requirements:
     * - `header.siblingRoot` is the batch's generation root and the proof reproduces its commitment;
     * - positions strictly increase inside the discharge tree; amounts are not zero; each leaf is claimed once;
     * - the origin interval's charge into the storage unit was recorded, and the storage unit holds at
     *   least the amount from that plant (charged × efficiency, minus what was discharged before);
     * - no minted certificate is expired.
     */
    function claimDischarges(
        BatchHeader calldata header,
        address holder,
        DischargeRef[] calldata leaves,
        bytes32[] calldata proof
    ) external {
        Work memory w = _work(header, leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) {
            _claimDischarge(w, holder, leaves[i], i);
        }
        PositionalMultiproof.foldLevels(w.fold, w.dischargeBits, proof);
        bytes32 dischargeRoot = PositionalMultiproof.root(w.fold, proof);
        if (_headerCommitment(header, _batchRoot(header.siblingRoot, dischargeRoot)) != w.commitment) {
            revert GreenCertificateInvalidProof(w.batchId);
        }
        emit DischargesClaimed(w.batchId, holder, w.ids, w.amountsWh);
        _mintBatch(holder, w.ids, w.amountsWh, "");
    }

    // ------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------

    /// @notice Returns the commitment of batch `batchId` (zero if it is not registered).
    function batchCommitment(bytes32 batchId) external view returns (bytes32) {
        return _commitments[batchId];
    }

    /// @notice Returns the plant `plantIndex`; `capacityW` is zero if it is not registered.
    function plant(uint32 plantIndex) external view returns (Plant memory) {
        PlantRecord storage record = _plants[plantIndex];
        return Plant({
            plantKey: record.plantKey,
            technology: record.technology,
            locationCode: record.locationCode,
            capacityW: record.capacityW,
            gridSeconds: record.gridSeconds,
            renewable: record.renewable
        });
    }


    /// @notice Returns the storage unit `storageIndex`; `efficiencyPpm` is zero if it is not registered.
    function storageUnit(uint32 storageIndex) external view returns (StorageUnit memory) {
        StorageRecord storage record = _storage[storageIndex];
        return StorageUnit({storageKey: record.storageKey, efficiencyPpm: record.efficiencyPpm});
    }


    /// @notice The account that holds the charge records of `storageIndex`: `address(uint160(uint256(keccak256(
    /// abi.encode("greenproof storage account", storageIndex)))))`, whose key nobody knows.
    function storageAccount(uint32 storageIndex) public pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode("greenproof storage account", storageIndex)))));
    }

    /// @notice Wh from `plantIndex` that `storageIndex` may still discharge (charged × efficiency − discharged).
    function storedWh(uint32 storageIndex, uint32 plantIndex) external view returns (uint256) {
        return _storedWh[storageIndex][plantIndex];
    }

    /// @notice Whether the grid step of `plantIndex` starting at `intervalStart` is issued.
    function isIssued(uint32 plantIndex, uint64 intervalStart) external view returns (bool) {
        uint256 step = intervalStart / _grid(plantIndex);
        return _issued[plantIndex][step >> 8] & (1 << (step & 0xff)) != 0;
    }

    /// @notice Whether `holder` used (claimed or retired) its allocation of `plantIndex` at `intervalStart`.
    function isLeafClaimed(address holder, uint32 plantIndex, uint64 intervalStart) external view returns (bool) {
        uint256 step = intervalStart / _grid(plantIndex);
        return _used[_allocationKey(holder, plantIndex, step)] & (1 << (step & 0xff)) != 0;
    }


    /// @notice Whether the discharge leaf at `position` of `batchId` was claimed.
    function isDischargeClaimed(bytes32 batchId, uint256 position) external view returns (bool) {
        return _dischargeClaimed[batchId][position >> 8] & (1 << (position & 0xff)) != 0;
    }

    /// @notice Whether `holder` used `claimRef` for a retirement.
    function claimRefUsed(address holder, bytes32 claimRef) external view returns (bool) {
        return _claimRefUsed[holder][claimRef];
    }

    /// @notice UNIX second from which certificates of the interval starting at `intervalStart` are expired.
    function expiresAt(uint64 intervalStart) public view returns (uint256) {
        return CertificateCalendar.expiresAt(intervalStart, _validityMonths, _utcOffsetS);
    }

    /// @notice Months a certificate stays valid from the first instant of its production month.
    function validityMonths() external view returns (uint256) {
        return _validityMonths;
    }

    /// @notice UTC offset (seconds) of the time zone production months are counted in.
    function productionMonthOffset() external view returns (int256) {
        return _utcOffsetS;
    }

    /// @notice Token id: `kind << 160 | storageIndex << 128 | plantIndex << 96 | intervalStart << 32 | intervalSeconds`.
    function tokenIdOf(uint8 kind, uint32 storageIndex, uint32 plantIndex, uint64 intervalStart, uint32 intervalSeconds)
        public
        pure
        returns (uint256)
    {
        return _tokenId(kind, storageIndex, plantIndex, intervalStart, intervalSeconds);
    }

    /**
     * @notice Whether `proof` proves `holder`'s allocation leaf `leaf` under the anchored batch of `header`.
     * @dev Takes the leaf's fields, never a hash: an inner node cannot pass for a leaf. Reverts with the
     * named error for a position outside the batch or a malformed proof.
     */
    function verifyLeaf(BatchHeader calldata header, address holder, LeafRef calldata leaf, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        Work memory w = _work(header, 1);
        if (leaf.amountWh == 0 || leaf.amountWh > _MAX_LEAF_WH) revert GreenCertificateInvalidAmount(0, leaf.amountWh);
        (uint256 plantIndex, uint256 start,) = _leafAt(w, 0, leaf.position);
        PositionalMultiproof.set(
            w.fold, 0, leaf.position, _allocationHash(plantIndex, start, w.intervalSeconds, holder, leaf.amountWh), leaf.amountWh
        );
        return _generationCommitment(header, w, proof) == w.commitment;
    }

    /// @inheritdoc ERC1155
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------

    /// @dev Every mint, transfer and burn: refuses expired tokens (the interval start is in the token id).
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values) internal override {
        for (uint256 i = 0; i < ids.length; ++i) {
            _checkNotExpired(ids[i]);
        }
        super._update(from, to, ids, values);
    }

    /// @dev Checks a plant may be issued on this grid and marks its grid steps of [`periodStart`, `periodEnd`) issued.
    function _issue(uint32 plantIndex, uint64 periodStart, uint32 intervalSeconds, uint256 periodEnd) private {
        PlantRecord storage plantRecord = _plants[plantIndex];
        uint256 grid = plantRecord.gridSeconds;
        if (grid == 0) revert GreenCertificateUnknownPlant(plantIndex);
        if (!plantRecord.renewable) revert GreenCertificateNonRenewablePlant(plantIndex);
        if (periodStart % grid != 0 || intervalSeconds % grid != 0) {
            revert GreenCertificateOffGrid(plantIndex, periodStart, intervalSeconds, uint32(grid));
        }
        _markIssued(plantIndex, periodStart / grid, periodEnd / grid, grid);
    }

    /// @dev Sets the issued bits of grid steps [`first`, `end`) of a plant; reverts at the first step already set.
    function _markIssued(uint32 plantIndex, uint256 first, uint256 end, uint256 grid) private {
        uint256 last = end - 1;
        for (uint256 word = first >> 8; word <= last >> 8; ++word) {
            uint256 low = word == first >> 8 ? first & 0xff : 0;
            uint256 high = word == last >> 8 ? last & 0xff : 0xff;
            uint256 mask = (type(uint256).max >> (255 - high)) & ~((uint256(1) << low) - 1);
            uint256 bits = _issued[plantIndex][word];
            uint256 clash = bits & mask;
            if (clash != 0) {
                uint256 step = (word << 8) + Math.log2(clash & (~clash + 1));
                revert GreenCertificateIntervalAlreadyIssued(plantIndex, uint64(step * grid));
            }
            _issued[plantIndex][word] = bits | mask;
        }
    }

    function _retireLeaves(
        BatchHeader calldata header,
        address holder,
        LeafRef[] calldata leaves,
        bytes32[] calldata proof,
        Claim calldata retirement
    ) private {
        _useClaimRef(holder, retirement);
        (Work memory w, uint256[] memory restWh) = _useAllocations(header, holder, leaves, proof, true);
        // positions increase, so intervals do: the first and last leaves bound expiry and the claim period
        _checkRetirable(w.ids[0], retirement);
        if (w.ids.length > 1) _checkRetirable(w.ids[w.ids.length - 1], retirement);
        _emitRetired(holder, header.batchId, w.ids, w.amountsWh, retirement);
        _mintRests(holder, w.ids, restWh);
    }

    /// @dev Mints to `holder` what retired leaves held beyond what was retired (`restWh[i]` of `ids[i]`).
    function _mintRests(address holder, uint256[] memory ids, uint256[] memory restWh) private {
        uint256 rests;
        for (uint256 i = 0; i < restWh.length; ++i) {
            if (restWh[i] != 0) ++rests;
        }
        if (rests == 0) return;
        uint256[] memory restIds = new uint256[](rests);
        uint256[] memory restAmounts = new uint256[](rests);
        uint256 j;
        for (uint256 i = 0; i < restWh.length; ++i) {
            if (restWh[i] == 0) continue;
            restIds[j] = ids[i];
            restAmounts[j] = restWh[i];
            ++j;
        }
        _mintBatch(holder, restIds, restAmounts, "");
    }

    function _retireBalances(
        address holder,
        uint256[] calldata ids,
        uint256[] calldata amountsWh,
        Claim calldata retirement
    ) private {
        if (ids.length == 0) revert GreenCertificateEmptyBatch(bytes32(0));
        if (ids.length != amountsWh.length) revert GreenCertificateLengthMismatch(ids.length, amountsWh.length);
        _useClaimRef(holder, retirement);
        for (uint256 i = 0; i < ids.length; ++i) {
            uint256 id = ids[i];
            if (i > 0 && id <= ids[i - 1]) revert GreenCertificateInvalidPosition(i, id);
            if (amountsWh[i] == 0) revert GreenCertificateZeroAmount();
            uint256 balanceWh = balanceOf(holder, id);
            if (balanceWh < amountsWh[i]) {
                revert GreenCertificateInsufficientBalance(holder, id, balanceWh, amountsWh[i]);
            }
            _checkRetirable(id, retirement);
        }
        _burnBatch(holder, ids, amountsWh);
        _emitRetired(holder, bytes32(0), ids, amountsWh, retirement);
    }

    function _emitRetired(
        address holder,
        bytes32 batchId,
        uint256[] memory ids,
        uint256[] memory amountsWh,
        Claim calldata retirement
    ) private {
        emit Retired(
            holder,
            retirement.claimRef,
            batchId,
            ids,
            amountsWh,
            retirement.beneficiary,
            retirement.purpose,
            retirement.periodStart,
            retirement.periodEnd,
            retirement.shipmentRef
        );
    }

    /**
     * @dev Checks allocation leaves against their proof and marks them used by `holder`. Returns the
     * work (token ids, and the Wh to mint or to retire) and, when retiring, the Wh each leaf holds beyond.
     */
    function _useAllocations(
        BatchHeader calldata header,
        address holder,
        LeafRef[] calldata leaves,
        bytes32[] calldata proof,
        bool retiring
    ) private returns (Work memory w, uint256[] memory restWh) {
        w = _work(header, leaves.length);
        restWh = new uint256[](retiring ? leaves.length : 0);
        for (uint256 i = 0; i < leaves.length; ++i) {
            uint256 rest = _useAllocation(w, holder, leaves[i], i, retiring);
            if (retiring) restWh[i] = rest;
        }
        _checkGeneration(header, w, proof);
    }

    /// @dev Leaf `i` of `_useAllocations`; returns the Wh it holds beyond `retireWh` when retiring.
    function _useAllocation(Work memory w, address holder, LeafRef calldata leaf, uint256 i, bool retiring)
        private
        returns (uint256 restWh)
    {
        uint256 position = leaf.position;
        uint256 amountWh = leaf.amountWh;
        if (amountWh == 0 || amountWh > _MAX_LEAF_WH) revert GreenCertificateInvalidAmount(i, amountWh);
        (uint256 plantIndex, uint256 start, uint256 grid) = _leafAt(w, i, position);
        bytes32 leafHash = _allocationHash(plantIndex, start, w.intervalSeconds, holder, amountWh);
        PositionalMultiproof.set(w.fold, i, position, leafHash, amountWh);
        uint256 usedWh = amountWh;
        if (retiring) {
            usedWh = leaf.retireWh;
            if (usedWh == 0 || usedWh > amountWh) revert GreenCertificateInvalidRetireAmount(i, usedWh, amountWh);
            restWh = amountWh - usedWh;
        }
        w.ids[i] = _tokenId(KIND_GENERATION, 0, plantIndex, start, w.intervalSeconds);
        w.amountsWh[i] = usedWh;
        uint256 step = start / grid;
        if (!_useBit(_allocationKey(holder, plantIndex, step), step)) {
            revert GreenCertificateLeafAlreadyClaimed(holder, uint32(plantIndex), uint64(start));
        }
    }

    /// @dev Adds each charged amount of `w` times the efficiency (rounded down) to its plant's stored energy; returns the total.
    function _store(uint32 storageIndex, uint256 efficiencyPpm, Work memory w) private returns (uint256 totalWh) {
        for (uint256 i = 0; i < w.ids.length; ++i) {
            uint256 storedWh_ = w.amountsWh[i] * efficiencyPpm / _PPM;
            _storedWh[storageIndex][uint32(w.ids[i] >> 96)] += storedWh_;
            totalWh += storedWh_;
        }
    }

    /// @dev Discharge leaf `i` of `claimDischarges`: once only, from a recorded charge, within what is stored.
    function _claimDischarge(Work memory w, address holder, DischargeRef calldata leaf, uint256 i) private {
        uint256 position = leaf.position;
        if (position >> w.dischargeBits != 0 || (i > 0 && position <= _positionAt(w, i - 1))) {
            revert GreenCertificateInvalidPosition(i, position);
        }
        if (leaf.amountWh == 0) revert GreenCertificateZeroAmount();
        _useDischarge(w.batchId, leaf);
        bytes32 leafHash = keccak256(
            abi.encode(
                _DISCHARGE_TAG,
                leaf.storageIndex,
                leaf.plantIndex,
                leaf.originStart,
                leaf.originSeconds,
                holder,
                leaf.amountWh
            )
        );
        PositionalMultiproof.set(w.fold, i, position, leafHash, 0);
        w.ids[i] = tokenIdOf(KIND_DISCHARGE, leaf.storageIndex, leaf.plantIndex, leaf.originStart, leaf.originSeconds);
        w.amountsWh[i] = leaf.amountWh;
    }

    function _positionAt(Work memory w, uint256 i) private pure returns (uint256 position) {
        (position,,) = PositionalMultiproof.get(w.fold, i);
    }

    /**
     * @dev Decodes the position of leaf `i` of the generation tree, after checking it strictly follows
     * the previous one and lies inside the batch. Returns its plant, interval start and the plant's
     * issuance grid. The caller records the leaf in the fold.
     */
    function _leafAt(Work memory w, uint256 i, uint256 position)
        private
        view
        returns (uint256 plantIndex, uint256 start, uint256 grid)
    {
        if (i > 0 && position <= _positionAt(w, i - 1)) revert GreenCertificateInvalidPosition(i, position);
        uint256 piPosition = position >> w.slotBits;
        (plantIndex, start) = _plantInterval(w, i, piPosition);
        grid = _cachePlant(w, piPosition & ((uint256(1) << w.plantBits) - 1), plantIndex);
    }

    /// @dev Plant and interval start of plant-interval position `piPosition` (`intervalIndex << plantBits | plantSlot`).
    function _plantInterval(Work memory w, uint256 i, uint256 piPosition)
        private
        pure
        returns (uint256 plantIndex, uint256 start)
    {
        uint256 plantSlot = piPosition & ((uint256(1) << w.plantBits) - 1);
        uint256 intervalIndex = piPosition >> w.plantBits;
        uint256[] memory plants = w.plants;
        if (intervalIndex >= w.intervalCount || plantSlot >= plants.length) {
            revert GreenCertificateInvalidPosition(i, piPosition);
        }
        assembly ("memory-safe") {
            plantIndex := mload(add(add(plants, 0x20), shl(5, plantSlot)))
        }
        unchecked {
            start = w.periodStart + intervalIndex * w.intervalSeconds; // < 2^64 + 2^32 · 2^32
        }
    }

    function _checkGeneration(BatchHeader calldata header, Work memory w, bytes32[] calldata proof) private view {
        if (_generationCommitment(header, w, proof) != w.commitment) revert GreenCertificateInvalidProof(w.batchId);
    }

    /**
     * @dev Folds leaves of the generation tree to its root and returns the batch commitment it implies:
     * Merkle-sum levels up to the plant-interval nodes, where each node's cap is read from the proof
     * and Σ leaves ≤ cap ≤ capacity × duration is checked, then plain levels up to the root.
     */
    function _generationCommitment(BatchHeader calldata header, Work memory w, bytes32[] calldata proof)
        private
        pure
        returns (bytes32)
    {
        PositionalMultiproof.Fold memory fold = w.fold;
        PositionalMultiproof.foldSumLevels(fold, w.slotBits, proof);
        for (uint256 j = 0; j < fold.n; ++j) {
            (uint256 piPosition, bytes32 subtreeHash, uint256 subtreeSum) = PositionalMultiproof.get(fold, j);
            bytes32 node = _plantIntervalNode(
                w, j, piPosition, subtreeHash, subtreeSum, uint256(PositionalMultiproof.next(fold, proof))
            );
            PositionalMultiproof.set(fold, j, piPosition, node, subtreeSum);
        }
        PositionalMultiproof.foldLevels(fold, PositionalMultiproof.depthFor(w.intervalCount) + w.plantBits, proof);
        return _headerCommitment(header, _batchRoot(PositionalMultiproof.root(fold, proof), header.siblingRoot));
    }

    /// @dev Plant-interval node at `piPosition` over a subtree (hash, Σ Wh) with cap `capWh`, after
    /// checking Σ leaves ≤ cap ≤ capacity × duration.
    function _plantIntervalNode(
        Work memory w,
        uint256 j,
        uint256 piPosition,
        bytes32 subtreeHash,
        uint256 subtreeSum,
        uint256 capWh
    ) private pure returns (bytes32 node) {
        (uint256 plantIndex, uint256 start) = _plantInterval(w, j, piPosition);
        uint256 maxWh = w.maxWh[piPosition & ((uint256(1) << w.plantBits) - 1)];
        if (subtreeSum > capWh) {
            revert GreenCertificateAllocationsAboveCap(uint32(plantIndex), uint64(start), subtreeSum, capWh);
        }
        if (capWh > maxWh) revert GreenCertificateCapAboveCapacity(uint32(plantIndex), capWh, maxWh);
        uint256 intervalSeconds = w.intervalSeconds;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, _PLANT_INTERVAL_TAG)
            mstore(add(p, 0x20), plantIndex)
            mstore(add(p, 0x40), start)
            mstore(add(p, 0x60), intervalSeconds)
            mstore(add(p, 0x80), capWh)
            mstore(add(p, 0xa0), subtreeHash)
            mstore(add(p, 0xc0), subtreeSum)
            node := keccak256(p, 0xe0)
        }
    }

    /// @dev Root of a batch: `keccak256(abi.encode(generationRoot, dischargeRoot))`.
    function _batchRoot(bytes32 generationRoot, bytes32 dischargeRoot) private pure returns (bytes32) {
        return keccak256(abi.encode(generationRoot, dischargeRoot));
    }

    /// @dev Commitment of a batch: `keccak256(abi.encode(root, inputHash, keccak256(abi.encodePacked(plants)), shape))`.
    function _commitment(bytes32 root, bytes32 inputHash, uint32[] calldata plants, BatchShape calldata shape)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(root, inputHash, keccak256(abi.encodePacked(plants)), shape));
    }

    function _headerCommitment(BatchHeader calldata header, bytes32 root) private pure returns (bytes32) {
        return _commitment(root, header.inputHash, header.plants, header.shape);
    }

    /// @dev Working memory for `n` leaves of the anchored batch of `header` (its shape is proven with the leaves).
    function _work(BatchHeader calldata header, uint256 n) private view returns (Work memory w) {
        if (n == 0) revert GreenCertificateEmptyBatch(header.batchId);
        w.commitment = _commitments[header.batchId];
        if (w.commitment == bytes32(0)) revert GreenCertificateUnknownBatch(header.batchId);
        w.batchId = header.batchId;
        BatchShape calldata shape = header.shape;
        w.periodStart = shape.periodStart;
        w.intervalSeconds = shape.intervalSeconds;
        w.intervalCount = shape.intervalCount;
        w.slotBits = shape.slotBits;
        w.dischargeBits = shape.dischargeBits;
        w.plantBits = PositionalMultiproof.depthFor(header.plants.length);
        w.plants = new uint256[](header.plants.length);
        for (uint256 i = 0; i < header.plants.length; ++i) {
            w.plants[i] = header.plants[i];
        }
        w.maxWh = new uint256[](header.plants.length);
        w.grid = new uint256[](header.plants.length);
        w.fold = PositionalMultiproof.create(header.batchId, n);
        w.ids = new uint256[](n);
        w.amountsWh = new uint256[](n);
    }

    /// @dev Loads plant slot `slot` of `w` once; returns its issuance grid.
    function _cachePlant(Work memory w, uint256 slot, uint256 plantIndex) private view returns (uint256 grid) {
        grid = w.grid[slot];
        if (grid != 0) return grid;
        PlantRecord storage record = _plants[uint32(plantIndex)];
        grid = record.gridSeconds;
        w.grid[slot] = grid;
        w.maxWh[slot] = _maxWh(record.capacityW, w.intervalSeconds);
    }

    function _maxWh(uint256 capacityW, uint256 intervalSeconds) private pure returns (uint256) {
        return capacityW * intervalSeconds / _SECONDS_PER_HOUR;
    }

    function _grid(uint32 plantIndex) private view returns (uint256 grid) {
        grid = _plants[plantIndex].gridSeconds;
        if (grid == 0) revert GreenCertificateUnknownPlant(plantIndex);
    }

    /// @dev `keccak256(abi.encode(uint8 1, uint32 plantIndex, uint64 start, uint32 intervalSeconds, holder, uint64 amountWh))`.
    function _allocationHash(uint256 plantIndex, uint256 start, uint256 intervalSeconds, address holder, uint256 amountWh)
        private
        pure
        returns (bytes32 leafHash)
    {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, _ALLOCATION_TAG)
            mstore(add(p, 0x20), plantIndex)
            mstore(add(p, 0x40), start)
            mstore(add(p, 0x60), intervalSeconds)
            mstore(add(p, 0x80), and(holder, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(p, 0xa0), amountWh)
            leafHash := keccak256(p, 0xc0)
        }
    }

    function _tokenId(uint256 kind, uint256 storageIndex, uint256 plantIndex, uint256 start, uint256 intervalSeconds)
        private
        pure
        returns (uint256)
    {
        return kind << 160 | storageIndex << 128 | plantIndex << 96 | start << 32 | intervalSeconds;
    }

    /// @dev Key of the word of `_used` holding `holder`'s bit for grid step `step` of `plantIndex`.
    function _allocationKey(address holder, uint256 plantIndex, uint256 step) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, _ALLOCATION_TAG)
            mstore(add(p, 0x20), and(holder, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(p, 0x40), plantIndex)
            mstore(add(p, 0x60), shr(8, step))
            key := keccak256(p, 0x80)
        }
    }

    /// @dev Sets bit `step & 0xff` of `_used[key]`; returns false if it was set already.
    function _useBit(bytes32 key, uint256 step) private returns (bool) {
        uint256 bit = uint256(1) << (step & 0xff);
        uint256 bits = _used[key];
        if (bits & bit != 0) return false;
        _used[key] = bits | bit;
        return true;
    }

    function _useDischarge(bytes32 batchId, DischargeRef calldata leaf) private {
        uint256 position = leaf.position;
        uint256 bit = uint256(1) << (position & 0xff);
        uint256 bits = _dischargeClaimed[batchId][position >> 8];
        if (bits & bit != 0) revert GreenCertificateDischargeAlreadyClaimed(batchId, position);
        _dischargeClaimed[batchId][position >> 8] = bits | bit;
        uint256 grid = _grid(leaf.plantIndex);
        uint256 step = leaf.originStart / grid;
        if (
            leaf.originStart % grid != 0 || leaf.originSeconds == 0
                || _used[_allocationKey(storageAccount(leaf.storageIndex), leaf.plantIndex, step)]
                    & (uint256(1) << (step & 0xff)) == 0
        ) {
            revert GreenCertificateOriginNotCharged(leaf.storageIndex, leaf.plantIndex, leaf.originStart);
        }
        uint256 stored = _storedWh[leaf.storageIndex][leaf.plantIndex];
        if (leaf.amountWh > stored) {
            revert GreenCertificateDischargeAboveStored(leaf.storageIndex, leaf.plantIndex, leaf.amountWh, stored);
        }
        _storedWh[leaf.storageIndex][leaf.plantIndex] = stored - leaf.amountWh;
    }

    function _useClaimRef(address holder, Claim calldata retirement) private {
        if (retirement.claimRef == bytes32(0)) revert GreenCertificateZeroHash();
        if (retirement.periodStart > retirement.periodEnd) {
            revert GreenCertificateInvalidPeriod(retirement.periodStart, retirement.periodEnd);
        }
        if (_claimRefUsed[holder][retirement.claimRef]) revert GreenCertificateClaimRefUsed(holder, retirement.claimRef);
        _claimRefUsed[holder][retirement.claimRef] = true;
    }

    /// @dev Reverts unless token `id` is unexpired and its interval lies in the claim's consumption period.
    function _checkRetirable(uint256 id, Claim calldata retirement) private view {
        _checkNotExpired(id);
        uint256 start = uint64(id >> 32);
        if (start < retirement.periodStart || start + uint32(id) > retirement.periodEnd) {
            revert GreenCertificateIntervalOutsideClaimPeriod(id, retirement.periodStart, retirement.periodEnd);
        }
    }

    function _checkNotExpired(uint256 id) private view {
        uint256 expiry = expiresAt(uint64(id >> 32));
        if (block.timestamp >= expiry) revert GreenCertificateExpired(id, expiry);
    }

    function _checkSignature(address holder, bytes32 structHash, uint256 deadline, bytes calldata signature)
        private
        view
    {
        if (block.timestamp > deadline) revert GreenCertificateExpiredSignature(deadline, block.timestamp);
        if (!SignatureChecker.isValidSignatureNowCalldata(holder, _hashTypedDataV4(structHash), signature)) {
            revert GreenCertificateInvalidSignature(holder);
        }
    }

    function _hashClaim(Claim calldata c) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                _CLAIM_TYPEHASH,
                c.claimRef,
                keccak256(bytes(c.beneficiary)),
                keccak256(bytes(c.purpose)),
                c.periodStart,
                c.periodEnd,
                c.shipmentRef
            )
        );
    }

    function _hashLeafRefs(LeafRef[] calldata leaves) private pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) {
            hashes[i] = keccak256(abi.encode(_LEAF_REF_TYPEHASH, leaves[i].position, leaves[i].amountWh, leaves[i].retireWh));
        }
        return keccak256(abi.encodePacked(hashes));
    }
}
