// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IGreenCertificate} from "./IGreenCertificate.sol";

/**
 * @title GreenCertificate
 * @notice ERC-1155 renewable-energy certificates, one token id per (plant, interval), unit Wh.
 *
 * Issuance registers a batch once. An anchored batch stores one Merkle root over tagged leaves
 * (allocation leaves: plant-interval, holder, Wh; cap leaves: plant-interval, metered Wh); holders
 * mint what they need with `claim` or retire straight away with `retireWithProof`. A direct batch
 * (`issueBatch`) mints every line in the transaction. Either way each plant keeps an issued-until
 * watermark and a batch must start at or after it, so a token id belongs to one batch only.
 */
contract GreenCertificate is ERC1155, AccessControl, IGreenCertificate {
    /// @notice Role allowed to register plants and batches.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");

    uint8 private constant _ALLOCATION_TAG = 1;
    uint8 private constant _CAP_TAG = 2;
    uint256 private constant _SECONDS_PER_HOUR = 3600;

    /// @dev Hot fields of a plant share one slot: a claim reads them with one SLOAD.
    struct PlantRecord {
        uint128 capacityW;
        uint64 issuedUntil;
        uint32 index;
        bool renewable;
        bool registered;
        bytes32 technology;
        bytes32 locationCode;
        string code;
    }


    mapping(bytes32 plantKey => PlantRecord) private _plants;
    uint32 private _plantCount;
    mapping(bytes32 batchId => Batch) private _batches;
    /// @dev Plants of a batch as a bitmap over plant indices, 256 plants per word.
    mapping(bytes32 batchId => mapping(uint256 word => uint256 bits)) private _batchPlants;
    mapping(bytes32 leafHash => bool) private _leafClaimed;
    mapping(uint256 id => uint256) private _minted;
    mapping(uint256 id => mapping(address holder => uint256)) private _retired;
    mapping(bytes32 claimRef => bool) private _claimRefUsed;

    /// @param admin Receives DEFAULT_ADMIN_ROLE and ISSUER_ROLE.
    constructor(address admin) ERC1155("") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ISSUER_ROLE, admin);
    }

    /**
     * @notice Registers a plant that batches may then issue.
     *
     * Requirements:
     * - the caller has ISSUER_ROLE;
     * - `plantKey` is not registered yet;
     * - `capacityW` is not zero and fits in 128 bits.
     */
    function registerPlant(
        bytes32 plantKey,
        string calldata code,
        bytes32 technology,
        bool renewable,
        uint256 capacityW,
        bytes32 locationCode
    ) external onlyRole(ISSUER_ROLE) {
        PlantRecord storage record = _plants[plantKey];
        if (record.registered) revert GreenCertificatePlantAlreadyRegistered(plantKey);
        if (capacityW == 0) revert GreenCertificateZeroAmount();
        record.capacityW = SafeCast.toUint128(capacityW);
        record.index = _plantCount++;
        record.renewable = renewable;
        record.registered = true;
        record.technology = technology;
        record.locationCode = locationCode;
        record.code = code;
        emit PlantRegistered(plantKey, code, technology, renewable, capacityW, locationCode);
    }

    /**
     * @notice Anchors a batch: its certificates are the allocation leaves under `root`, capped by its cap leaves.
     *
     * Requirements:
     * - the caller has ISSUER_ROLE;
     * - `batchId` is not registered yet and `root` is not zero;
     * - `periodStart < periodEnd` and `plantKeys` is not empty;
     * - every plant is registered, renewable, and not issued at or after `periodStart`.
     */
    function anchorBatch(
        bytes32 batchId,
        bytes32 root,
        bytes32 inputHash,
        uint64 periodStart,
        uint64 periodEnd,
        bytes32[] calldata plantKeys
    ) external onlyRole(ISSUER_ROLE) {
        if (root == bytes32(0)) revert GreenCertificateZeroHash();
        _registerBatch(batchId, root, inputHash, periodStart, periodEnd, plantKeys);
        emit BatchAnchored(batchId, _msgSender(), root, inputHash, periodStart, periodEnd, plantKeys);
    }

    /**
     * @notice Issues a small batch directly: mints every line to its holder.
     *
     * Requirements:
     * - the caller has ISSUER_ROLE;
     * - the batch rules of `anchorBatch` (once-only id, period, plants and watermarks);
     * - `caps` and `mints` are not empty; each cap's plant is in `plantKeys`, its interval inside the
     *   period, its token listed once, and `capWh` at most the plant's capacity times the interval length;
     * - each mint refers to an existing cap entry, has a non-zero amount, and the mints of a token sum
     *   to at most its cap.
     */
    function issueBatch(
        bytes32 batchId,
        bytes32 inputHash,
        uint64 periodStart,
        uint64 periodEnd,
        bytes32[] calldata plantKeys,
        CapEntry[] calldata caps,
        MintEntry[] calldata mints
    ) external onlyRole(ISSUER_ROLE) {
        if (caps.length == 0 || mints.length == 0) revert GreenCertificateEmptyBatch(batchId);
        _registerBatch(batchId, bytes32(0), inputHash, periodStart, periodEnd, plantKeys);
        uint256[] memory sums = new uint256[](caps.length);
        uint256 totalWh;
        for (uint256 i = 0; i < mints.length; ++i) {
            MintEntry calldata line = mints[i];
            if (line.capIndex >= caps.length) {
                revert GreenCertificateArrayLengthMismatch(i, line.capIndex, caps.length);
            }
            if (line.amountWh == 0) revert GreenCertificateZeroAmount();
            sums[line.capIndex] += line.amountWh;
            totalWh += line.amountWh;
        }
        uint256[] memory ids = new uint256[](caps.length);
        for (uint256 i = 0; i < caps.length; ++i) {
            CapEntry calldata cap = caps[i];
            _checkInBatch(batchId, cap.plantKey, cap.intervalStart, cap.intervalSeconds);
            _checkCapacity(cap.plantKey, cap.intervalSeconds, cap.capWh);
            uint256 id = tokenIdOf(cap.plantKey, cap.intervalStart, cap.intervalSeconds);
            if (_minted[id] != 0) revert GreenCertificateDuplicateCap(id);
            if (sums[i] > cap.capWh) revert GreenCertificateAmountAboveCap(id, sums[i], cap.capWh);
            _minted[id] = sums[i];
            ids[i] = id;
        }
        for (uint256 i = 0; i < mints.length; ++i) {
            _mint(mints[i].holder, ids[mints[i].capIndex], mints[i].amountWh, "");
        }
        emit BatchIssued(batchId, _msgSender(), inputHash, periodStart, periodEnd, plantKeys, mints.length, totalWh);
    }

    /**
     * @notice Mints an allocation leaf of an anchored batch to its holder. Anyone may submit it.
     *
     * Requirements:
     * - `batchId` is anchored, the leaf's plant is one of its plants and its interval inside its period;
     * - `leaf.amountWh` is not zero and the leaf is not claimed yet;
     * - `proof` links the leaf, and `capProof` the cap leaf (plant-interval, `capWh`), to the batch root;
     * - `capWh` is at most the plant's capacity times the interval length;
     * - the token's minted amount plus `leaf.amountWh` is at most `capWh`.
     */
    function claim(
        bytes32 batchId,
        AllocationLeaf calldata leaf,
        bytes32[] calldata proof,
        uint256 capWh,
        bytes32[] calldata capProof
    ) external returns (uint256 id) {
        id = _claimLeaf(batchId, leaf, proof, capWh, capProof);
        _mint(leaf.holder, id, leaf.amountWh, "");
    }

    /**
     * @notice Claims an allocation leaf and retires `amountWh` of the token in one call; the rest stays minted.
     *
     * Requirements:
     * - the caller is `leaf.holder`;
     * - the requirements of `claim`;
     * - the requirements of `retire` for `amountWh` (the leaf's amount counts towards the balance).
     */
    function retireWithProof(
        bytes32 batchId,
        AllocationLeaf calldata leaf,
        bytes32[] calldata proof,
        uint256 capWh,
        bytes32[] calldata capProof,
        uint256 amountWh,
        Claim calldata retirement
    ) external returns (uint256 id) {
        if (_msgSender() != leaf.holder) revert GreenCertificateSenderNotHolder(_msgSender(), leaf.holder);
        id = _claimLeaf(batchId, leaf, proof, capWh, capProof);
        _mint(leaf.holder, id, leaf.amountWh, "");
        _retire(leaf.holder, id, amountWh, retirement);
    }

    /**
     * @notice Retires (burns) `amountWh` of the caller's token `id` for the claim `retirement`.
     *
     * Requirements:
     * - `amountWh` is not zero and at most the caller's balance of `id`;
     * - `retirement.claimRef` is not zero and not used before;
     * - `retirement.periodStart <= retirement.periodEnd`.
     */
    function retire(uint256 id, uint256 amountWh, Claim calldata retirement) external {
        _retire(_msgSender(), id, amountWh, retirement);
    }

    /// @notice Returns the batch `batchId`; `periodEnd` is zero if it is not registered.
    function batch(bytes32 batchId) external view returns (Batch memory) {
        return _batches[batchId];
    }

    /// @notice Returns the plant `plantKey`; `capacityW` is zero if it is not registered.
    function plant(bytes32 plantKey) external view returns (Plant memory) {
        PlantRecord storage record = _plants[plantKey];
        return Plant({
            code: record.code,
            technology: record.technology,
            locationCode: record.locationCode,
            capacityW: record.capacityW,
            renewable: record.renewable,
            issuedUntil: record.issuedUntil
        });
    }

    /// @notice Whether `proof` links the leaf hash `leafHash` to the root of the anchored batch `batchId`.
    function verifyLeaf(bytes32 batchId, bytes32 leafHash, bytes32[] calldata proof) external view returns (bool) {
        bytes32 root = _batches[batchId].root;
        return root != bytes32(0) && MerkleProof.verifyCalldata(proof, root, leafHash);
    }

    /// @notice Whether the allocation leaf with hash `leafHash` was claimed.
    function isLeafClaimed(bytes32 leafHash) external view returns (bool) {
        return _leafClaimed[leafHash];
    }

    /// @notice Total Wh ever minted of token `id` (retired amounts included).
    function minted(uint256 id) external view returns (uint256) {
        return _minted[id];
    }

    /// @notice Wh of token `id` retired by `holder`.
    function retiredBalance(uint256 id, address holder) external view returns (uint256) {
        return _retired[id][holder];
    }

    /// @notice Whether the claim reference `claimRef` was used by a retirement.
    function claimRefUsed(bytes32 claimRef) external view returns (bool) {
        return _claimRefUsed[claimRef];
    }

    /// @notice Token id of one plant-interval: `uint256(keccak256(abi.encode(plantKey, intervalStart, intervalSeconds)))`.
    function tokenIdOf(bytes32 plantKey, uint64 intervalStart, uint32 intervalSeconds) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(plantKey, intervalStart, intervalSeconds)));
    }

    /// @notice Double-hashed Merkle leaf of an allocation (tag 1).
    function allocationLeafHash(AllocationLeaf calldata leaf) public pure returns (bytes32) {
        return keccak256(
            bytes.concat(
                keccak256(
                    abi.encode(
                        _ALLOCATION_TAG,
                        leaf.plantKey,
                        leaf.intervalStart,
                        leaf.intervalSeconds,
                        leaf.holder,
                        leaf.amountWh
                    )
                )
            )
        );
    }

    /// @notice Double-hashed Merkle leaf of a plant-interval's cap (tag 2).
    function capLeafHash(bytes32 plantKey, uint64 intervalStart, uint32 intervalSeconds, uint256 capWh)
        public
        pure
        returns (bytes32)
    {
        return keccak256(
            bytes.concat(keccak256(abi.encode(_CAP_TAG, plantKey, intervalStart, intervalSeconds, capWh)))
        );
    }

    /// @inheritdoc ERC1155
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    function _registerBatch(
        bytes32 batchId,
        bytes32 root,
        bytes32 inputHash,
        uint64 periodStart,
        uint64 periodEnd,
        bytes32[] calldata plantKeys
    ) private {
        Batch storage record = _batches[batchId];
        if (record.periodEnd != 0) revert GreenCertificateBatchAlreadyRegistered(batchId);
        if (periodStart >= periodEnd) revert GreenCertificateInvalidPeriod(periodStart, periodEnd);
        if (plantKeys.length == 0) revert GreenCertificateEmptyBatch(batchId);
        record.root = root;
        record.inputHash = inputHash;
        record.periodStart = periodStart;
        record.periodEnd = periodEnd;
        record.blockNumber = uint64(block.number);
        record.issuer = _msgSender();
        record.direct = root == bytes32(0);
        mapping(uint256 word => uint256 bits) storage members = _batchPlants[batchId];
        for (uint256 i = 0; i < plantKeys.length; ++i) {
            PlantRecord storage plantRecord = _plants[plantKeys[i]];
            if (!plantRecord.registered) revert GreenCertificateUnknownPlant(plantKeys[i]);
            if (!plantRecord.renewable) revert GreenCertificateNonRenewablePlant(plantKeys[i]);
            if (periodStart < plantRecord.issuedUntil) {
                revert GreenCertificateIntervalAlreadyIssued(plantKeys[i], periodStart, plantRecord.issuedUntil);
            }
            plantRecord.issuedUntil = periodEnd;
            uint256 index = plantRecord.index;
            members[index >> 8] |= 1 << (index & 0xff);
        }
    }

    function _claimLeaf(
        bytes32 batchId,
        AllocationLeaf calldata leaf,
        bytes32[] calldata proof,
        uint256 capWh,
        bytes32[] calldata capProof
    ) private returns (uint256 id) {
        bytes32 root = _batches[batchId].root;
        if (root == bytes32(0)) revert GreenCertificateUnknownBatch(batchId);
        if (leaf.amountWh == 0) revert GreenCertificateZeroAmount();
        _checkInBatch(batchId, leaf.plantKey, leaf.intervalStart, leaf.intervalSeconds);
        bytes32 leafHash = allocationLeafHash(leaf);
        if (_leafClaimed[leafHash]) revert GreenCertificateLeafAlreadyClaimed(batchId, leafHash);
        if (!MerkleProof.verifyCalldata(proof, root, leafHash)) {
            revert GreenCertificateInvalidLeafProof(batchId, leafHash);
        }
        id = tokenIdOf(leaf.plantKey, leaf.intervalStart, leaf.intervalSeconds);
        bytes32 capHash = capLeafHash(leaf.plantKey, leaf.intervalStart, leaf.intervalSeconds, capWh);
        if (!MerkleProof.verifyCalldata(capProof, root, capHash)) {
            revert GreenCertificateInvalidCapProof(batchId, id, capWh);
        }
        _checkCapacity(leaf.plantKey, leaf.intervalSeconds, capWh);
        uint256 totalWh = _minted[id] + leaf.amountWh;
        if (totalWh > capWh) revert GreenCertificateAmountAboveCap(id, totalWh, capWh);
        _minted[id] = totalWh;
        _leafClaimed[leafHash] = true;
        emit LeafClaimed(batchId, leafHash, leaf.holder, id, leaf.amountWh);
    }

    function _retire(address holder, uint256 id, uint256 amountWh, Claim calldata retirement) private {
        if (amountWh == 0) revert GreenCertificateZeroAmount();
        if (retirement.claimRef == bytes32(0)) revert GreenCertificateZeroHash();
        if (_claimRefUsed[retirement.claimRef]) revert GreenCertificateClaimRefUsed(retirement.claimRef);
        if (retirement.periodStart > retirement.periodEnd) {
            revert GreenCertificateInvalidPeriod(retirement.periodStart, retirement.periodEnd);
        }
        uint256 balanceWh = balanceOf(holder, id);
        if (balanceWh < amountWh) revert GreenCertificateInsufficientBalance(holder, id, balanceWh, amountWh);
        _claimRefUsed[retirement.claimRef] = true;
        _burn(holder, id, amountWh);
        _retired[id][holder] += amountWh;
        emit Retired(
            holder,
            id,
            retirement.claimRef,
            amountWh,
            retirement.beneficiary,
            retirement.purpose,
            retirement.periodStart,
            retirement.periodEnd,
            retirement.shipmentRef
        );
    }

    /// @dev Reverts unless `plantKey` is registered, in `batchId`, and the interval lies in the batch period.
    function _checkInBatch(bytes32 batchId, bytes32 plantKey, uint64 intervalStart, uint32 intervalSeconds)
        private
        view
    {
        PlantRecord storage plantRecord = _plants[plantKey];
        if (!plantRecord.registered) revert GreenCertificateUnknownPlant(plantKey);
        uint256 index = plantRecord.index;
        if (_batchPlants[batchId][index >> 8] & (1 << (index & 0xff)) == 0) {
            revert GreenCertificatePlantNotInBatch(batchId, plantKey);
        }
        Batch storage record = _batches[batchId];
        if (
            intervalSeconds == 0 || intervalStart < record.periodStart
                || uint256(intervalStart) + intervalSeconds > record.periodEnd
        ) {
            revert GreenCertificateIntervalOutsidePeriod(batchId, intervalStart, intervalSeconds);
        }
    }

    /// @dev Reverts if `capWh` exceeds the plant's capacity (W) times the interval (s), in Wh.
    function _checkCapacity(bytes32 plantKey, uint32 intervalSeconds, uint256 capWh) private view {
        uint256 maxWh = uint256(_plants[plantKey].capacityW) * intervalSeconds / _SECONDS_PER_HOUR;
        if (capWh > maxWh) revert GreenCertificateCapAboveCapacity(plantKey, capWh, maxWh);
    }
}
