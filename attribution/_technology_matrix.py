"""Map injections to technology shares, with optional provenance mixes replacing their own key."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from .errors import AttributionError
from .snapshot import Injections
from .technologies import TECHNOLOGY_KEYS

__all__ = ["SourceMix", "technology_matrix"]

#: Provenance of selected injections: device id → {technology key: share}, shares summing to 1.
#: Used for storage discharge (from the StorageLedger) and external-grid import with a known mix.
SourceMix = Mapping[str, Mapping[str, float]]

#: How far the shares of one source mix may sum from 1.
_SHARE_SUM_TOL = 1e-9


_COLUMN = {key: j for j, key in enumerate(TECHNOLOGY_KEYS)}


@lru_cache(maxsize=64)
def _one_hot(technologies: tuple[str, ...]) -> NDArray[np.float64]:
    """(n_inj, n_tech) one-hot rows of ``technologies``; cached: a network's rows repeat every interval."""
    matrix = np.zeros((len(technologies), len(TECHNOLOGY_KEYS)))
    matrix[np.arange(len(technologies)), [_COLUMN[key] for key in technologies]] = 1.0
    matrix.flags.writeable = False
    return matrix


def technology_matrix(injections: Injections, source_mix: SourceMix | None = None) -> NDArray[np.float64]:
    """Return each injection's share per technology key.

    Parameters
    ----------
    injections : Injections
    source_mix : SourceMix, optional
        Replaces the technology of the named injections by a mix.

    Returns
    -------
    (n_inj, n_tech) float64
        Row k: shares of injection k over :data:`~greenproof.attribution.technologies.TECHNOLOGY_KEYS`
        (one-hot on its own key unless ``source_mix`` names it); rows sum to 1.

    Raises
    ------
    AttributionError
        ``source_mix`` names an unknown device or technology, or has shares that are negative,
        not finite or do not sum to 1.
    """
    matrix = _one_hot(tuple(injections.technology.tolist())).copy()
    if not source_mix:
        return matrix
    column = _COLUMN
    row_of = {device: k for k, device in enumerate(injections.device_id.tolist())}
    for device, shares in source_mix.items():
        if device not in row_of:
            raise AttributionError(f"source mix names device {device!r}, which is no injection of this snapshot")
        unknown = sorted(set(shares) - set(column))
        if unknown:
            raise AttributionError(f"source mix of {device!r} has unknown technology keys {unknown}")
        values = np.array(list(shares.values()), dtype=np.float64)
        if not np.all(np.isfinite(values)) or (values < 0).any() or abs(values.sum() - 1.0) > _SHARE_SUM_TOL:
            raise AttributionError(f"source mix of {device!r} must be finite shares >= 0 summing to 1, got "
                                   f"{dict(shares)}")
        row = matrix[row_of[device]]
        row[:] = 0.0
        row[[column[key] for key in shares]] = values
    return matrix
