"""Totals of an export: per withdrawal and per withdrawal kind, and the energy balance (MWh)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .interval_trace import IntervalTrace

__all__ = ["RunningTotals", "TraceSummary", "WithdrawalTotal"]


@dataclass(frozen=True)
class WithdrawalTotal:
    """Totals of one withdrawal (or of one withdrawal kind) over the exported intervals.

    Attributes
    ----------
    withdrawal_id : str
        Device id, or the kind itself for a per-kind total.
    kind : str
        ``load``, ``export`` or ``storage_charge``.
    demand_mwh : float
        Its own demand, MWh.
    supplied_mwh : float
        Traced energy reaching it (upstream: demand plus its share of losses), MWh.
    renewable_mwh : float
        Renewable part of ``supplied_mwh``, MWh.
    """

    withdrawal_id: str
    kind: str
    demand_mwh: float
    supplied_mwh: float
    renewable_mwh: float

    @property
    def renewable_share(self) -> float:
        """Renewable share of the traced supply (NaN when nothing was supplied)."""
        return self.renewable_mwh / self.supplied_mwh if self.supplied_mwh > 0 else float("nan")


@dataclass(frozen=True)
class TraceSummary:
    """What ``export_trace`` wrote and the energy balance of the exported intervals (MWh).

    Attributes
    ----------
    source, method : str
    intervals : int
        Intervals traced.
    rows : int
        Data rows written to the trace CSV.
    generation_mwh, consumption_mwh : float
        Sum of all injections / all withdrawals (loads, export, storage charging), MWh.
    withdrawals : tuple of WithdrawalTotal
        One per withdrawal device, largest ``supplied_mwh`` first.
    """

    source: str
    method: str
    intervals: int
    rows: int
    generation_mwh: float
    consumption_mwh: float
    withdrawals: tuple[WithdrawalTotal, ...]

    @property
    def losses_mwh(self) -> float:
        """Network losses, generation minus consumption, MWh."""
        return self.generation_mwh - self.consumption_mwh

    @property
    def traced_mwh(self) -> float:
        """Sum of the ``mwh`` column, MWh."""
        return sum(w.supplied_mwh for w in self.withdrawals)

    def by_kind(self) -> tuple[WithdrawalTotal, ...]:
        """Totals per withdrawal kind (``withdrawal_id`` ``"all <kind>"``), sorted by kind."""
        kinds: dict[str, list[float]] = {}
        for w in self.withdrawals:
            acc = kinds.setdefault(w.kind, [0.0, 0.0, 0.0])
            acc[0] += w.demand_mwh
            acc[1] += w.supplied_mwh
            acc[2] += w.renewable_mwh
        return tuple(WithdrawalTotal(f"all {kind}", kind, *acc) for kind, acc in sorted(kinds.items()))


@dataclass
class RunningTotals:
    """Per-withdrawal accumulators of the summary (one entry per device, not per interval)."""

    intervals: int = 0
    rows: int = 0
    generation_mwh: float = 0.0
    by_withdrawal: dict[str, list[float]] = field(default_factory=dict)
    kind_of: dict[str, str] = field(default_factory=dict)

    def add(self, item: IntervalTrace) -> None:
        """Add one traced interval."""
        self.intervals += 1
        self.rows += len(item.mwh)
        self.generation_mwh += item.generation_mwh
        for k, wid in enumerate(item.totals_id.tolist()):
            acc = self.by_withdrawal.setdefault(wid, [0.0, 0.0, 0.0])
            acc[0] += float(item.demand_mwh[k])
            acc[1] += float(item.supplied_mwh[k])
            acc[2] += float(item.renewable_mwh[k])
            self.kind_of[wid] = str(item.totals_kind[k])

    def summary(self, source: str, method: str) -> TraceSummary:
        """Return the export's summary, withdrawals largest supply first."""
        withdrawals = sorted((WithdrawalTotal(wid, self.kind_of[wid], *acc) for wid, acc in self.by_withdrawal.items()),
                             key=lambda w: (-w.supplied_mwh, w.withdrawal_id))
        return TraceSummary(source=source, method=method, intervals=self.intervals, rows=self.rows,
                            generation_mwh=self.generation_mwh,
                            consumption_mwh=sum(w.demand_mwh for w in withdrawals), withdrawals=tuple(withdrawals))
