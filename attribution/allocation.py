"""The result of tracing one snapshot: which injection supplies which withdrawal, in MW and MWh."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from .technologies import TECHNOLOGY_KEYS, renewable_technologies

__all__ = ["Allocation"]


def _share(mix_mw: NDArray[np.float64]) -> NDArray[np.float64]:
    total = mix_mw.sum(axis=1, keepdims=True)
    out = np.full_like(mix_mw, np.nan)
    np.divide(mix_mw, total, out=out, where=total > 0)
    return out


@dataclass(frozen=True, eq=False)
class Allocation:
    """Injection × withdrawal allocation of one interval (proportional sharing).

    Rows are the snapshot's injections, columns its withdrawals, in snapshot order; devices at one
    bus stay separate rows/columns. Entries are >= 0; entries below the tracing tolerance are
    dropped. Power that branch gains add on the way (branches delivering more than they receive,
    traced as fictitious injections carrying their sending bus's mix) is no injection's: it is in
    :attr:`gain_mix_mw`, counted in the withdrawals' supply and technology mix, never in :attr:`mw`.

    Attributes
    ----------
    matrix_mw : numpy.ndarray or scipy.sparse.csr_array, shape (n_inj, n_wd)
        Power of injection k reaching withdrawal m, MW, as traced: dense for intervals traced in
        batches of small networks, sparse otherwise (:attr:`mw` is always sparse).
    method : {"upstream", "downstream", "average"}
        How losses were treated (see :func:`~greenproof.attribution.proportional_sharing.trace`).
    injection_id, injection_technology : (n_inj,) str
    injection_mw : (n_inj,) float64
        Output of each injection, MW.
    withdrawal_id, withdrawal_kind : (n_wd,) str
    withdrawal_mw : (n_wd,) float64
        Demand of each withdrawal, MW.
    technology_weights : (n_inj, n_tech) float64
        Share of each injection per technology key of :attr:`technologies` (its own key, or its
        source mix, e.g. a storage unit's stored provenance).
    duration_h : float
        Interval length, h.
    start : datetime or None
        Interval start (UTC).
    gain_mix_mw : (n_wd, n_tech) float64
        Power reaching each withdrawal from branch gains, MW per technology key; zeros (the
        default) when no branch gains.
    """

    matrix_mw: NDArray[np.float64] | sparse.csr_array
    method: str
    injection_id: NDArray[np.str_]
    injection_technology: NDArray[np.str_]
    injection_mw: NDArray[np.float64]
    withdrawal_id: NDArray[np.str_]
    withdrawal_kind: NDArray[np.str_]
    withdrawal_mw: NDArray[np.float64]
    technology_weights: NDArray[np.float64]
    duration_h: float
    start: datetime | None
    gain_mix_mw: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))

    def __post_init__(self) -> None:
        if self.gain_mix_mw.size == 0:
            object.__setattr__(self, "gain_mix_mw", np.zeros((len(self.withdrawal_id), len(TECHNOLOGY_KEYS))))

    @cached_property
    def mw(self) -> sparse.csr_array:
        """Power of injection k reaching withdrawal m, MW, sparse, shape (n_inj, n_wd); zeros are not stored."""
        if isinstance(self.matrix_mw, np.ndarray):
            return sparse.csr_array(self.matrix_mw)
        return self.matrix_mw

    @property
    def mwh(self) -> sparse.csr_array:
        """Energy of injection k reaching withdrawal m over the interval, MWh, shape (n_inj, n_wd)."""
        return sparse.csr_array(self.mw * self.duration_h)

    @property
    def technologies(self) -> tuple[str, ...]:
        """Technology keys labelling the columns of the technology views."""
        return TECHNOLOGY_KEYS

    @property
    def supplied_mw(self) -> NDArray[np.float64]:
        """Power reaching each withdrawal from all injections and branch gains, MW, shape (n_wd,)."""
        return np.asarray(self.matrix_mw.sum(axis=0), dtype=np.float64) + self.gain_mw

    @property
    def gain_mw(self) -> NDArray[np.float64]:
        """Power reaching each withdrawal from branch gains (no injection's), MW, shape (n_wd,)."""
        return np.asarray(self.gain_mix_mw.sum(axis=1), dtype=np.float64)

    @property
    def delivered_mw(self) -> NDArray[np.float64]:
        """Power of each injection reaching any withdrawal, MW, shape (n_inj,)."""
        return np.asarray(self.matrix_mw.sum(axis=1), dtype=np.float64)

    @property
    def withdrawal_loss_mw(self) -> NDArray[np.float64]:
        """Losses charged to each withdrawal, MW, shape (n_wd,): supplied minus demand.

        Upstream (gross) tracing charges losses (net of branch gains) to withdrawals; downstream
        and average give ~0.
        """
        return self.supplied_mw - self.withdrawal_mw

    @property
    def injection_loss_mw(self) -> NDArray[np.float64]:
        """Output of each injection that reaches no withdrawal, MW, shape (n_inj,).

        Downstream and average tracing charge losses to injections; upstream gives ~0 except for
        an injection at a bus whose only outlets are branches drawing from both ends.
        """
        return self.injection_mw - self.delivered_mw

    @cached_property
    def technology_mix_mw(self) -> NDArray[np.float64]:
        """Power reaching each withdrawal per technology key (injections and gains), MW, shape (n_wd, n_tech)."""
        return np.asarray(self.matrix_mw.T @ self.technology_weights, dtype=np.float64) + self.gain_mix_mw

    @cached_property
    def technology_share(self) -> NDArray[np.float64]:
        """Share of each technology in each withdrawal's supply, shape (n_wd, n_tech); NaN if unsupplied."""
        return _share(self.technology_mix_mw)

    @property
    def renewable_share(self) -> NDArray[np.float64]:
        """Renewable share of each withdrawal's supply, shape (n_wd,); NaN if unsupplied."""
        renewable = np.isin(np.array(TECHNOLOGY_KEYS), sorted(renewable_technologies()))
        share: NDArray[np.float64] = self.technology_share[:, renewable].sum(axis=1)
        return share

    def destinations(self, injection_id: str) -> dict[str, float]:
        """Return where injection ``injection_id`` goes: {withdrawal id: MW}, nonzero entries only.

        Raises
        ------
        KeyError
            No injection has that id.
        """
        rows = np.flatnonzero(self.injection_id == injection_id)
        if rows.size == 0:
            raise KeyError(injection_id)
        row = self.mw[[int(rows[0])], :].tocoo()
        return {str(self.withdrawal_id[m]): float(v) for m, v in zip(row.col, row.data, strict=True)}

    def sources(self, withdrawal_id: str) -> dict[str, float]:
        """Return what supplies withdrawal ``withdrawal_id``: {injection id: MW}, nonzero entries only.

        Raises
        ------
        KeyError
            No withdrawal has that id.
        """
        cols = np.flatnonzero(self.withdrawal_id == withdrawal_id)
        if cols.size == 0:
            raise KeyError(withdrawal_id)
        col = self.mw[:, [int(cols[0])]].tocoo()
        return {str(self.injection_id[k]): float(v) for k, v in zip(col.row, col.data, strict=True)}
