"""Canonical JSON and the hashes built on it (input hashes, batch ids, snapshot digests).

Canonical JSON here: UTF-8, keys sorted, no insignificant whitespace, no NaN/inf, floats written
by Python's shortest round-trip ``repr``. Equal data therefore always gives equal bytes, and
hashing those bytes with ``keccak256`` (the chain's hash) gives a stable ``0x``-prefixed digest.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from greenproof.attribution import Snapshot
from greenproof.contracts.keccak import keccak256 as keccak

from .errors import LedgerError

__all__ = ["canonical_json", "keccak_hex", "snapshot_digest"]


def canonical_json(data: Any) -> bytes:
    """Return the canonical JSON bytes of ``data`` (dicts, lists, str, int, finite float, bool, None).

    Raises
    ------
    LedgerError
        If ``data`` holds NaN/inf or a type JSON cannot represent.
    """
    try:
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise LedgerError(f"cannot write canonical JSON: {exc}") from exc


def keccak_hex(data: bytes) -> str:
    """Return ``keccak256(data)`` as ``0x`` + 64 lowercase hex digits."""
    return "0x" + keccak(data).hex()


def snapshot_digest(snapshot: Snapshot) -> str:
    """Return the keccak256 of a snapshot's canonical JSON (every array, the duration and start).

    Two snapshots with the same buses, devices, branch flows (bit-identical floats), duration and
    start have the same digest; any change to any of them changes it.
    """
    inj, wd, br = snapshot.injections, snapshot.withdrawals, snapshot.branches
    column = np.ndarray.tolist
    data = {
        "bus_ids": column(snapshot.bus_ids),
        "duration_h": float(snapshot.duration_h),
        "start": snapshot.start.isoformat() if snapshot.start is not None else None,
        "injections": {"device_id": column(inj.device_id), "bus": column(inj.bus),
                       "technology": column(inj.technology), "p_mw": column(inj.p_mw)},
        "withdrawals": {"device_id": column(wd.device_id), "bus": column(wd.bus), "p_mw": column(wd.p_mw),
                        "kind": column(wd.kind)},
        "branches": {"branch_id": column(br.branch_id), "from_bus": column(br.from_bus),
                     "to_bus": column(br.to_bus), "p_from_mw": column(br.p_from_mw), "p_to_mw": column(br.p_to_mw)},
    }
    return keccak_hex(canonical_json(data))
