"""The console every command prints to, and the tables several commands print."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..usecases.park_attribution import AttributionRun
from ..usecases.schemas import VerificationPublic
from ..usecases.units import KG_PER_T, mwh

__all__ = ["console", "print_checks", "print_firms"]

console = Console()


def print_firms(run: AttributionRun) -> None:
    """Print each firm's traced supply over an attribution run (MWh, renewable share, tCO2)."""
    table = Table("firm", "consumption MWh", "renewable MWh", "renewable share", "tCO2",
                  title=f"Traced supply {run.period_start:%Y-%m-%d %H:%M} – {run.period_end:%Y-%m-%d %H:%M} UTC")
    for firm in run.firms:
        table.add_row(firm.firm_code, f"{mwh(firm.consumption_wh):,.1f}", f"{mwh(firm.renewable_wh):,.1f}",
                      f"{firm.renewable_share:.1%}", f"{firm.emissions_kg / KG_PER_T:,.1f}")
    console.print(table)


def print_checks(result: VerificationPublic) -> None:
    """Print every check of a provenance record's verification."""
    table = Table("check", "result", "detail", title=f"Provenance record {result.claim_ref[:18]}…")
    for item in result.checks:
        table.add_row(item.name, "[green]ok[/green]" if item.ok else "[red]FAILED[/red]", item.detail)
    console.print(table)
