"""The consoles every command prints to, and the tables several commands print.

Results go to stdout (:data:`console`), errors to stderr (:data:`err_console`), so a script can
capture a command's last line (a key, an address) with ``$(…)`` while errors still reach the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..usecases.units import KG_PER_T, mwh

if TYPE_CHECKING:
    from ..usecases.park_attribution import AttributionRun
    from ..usecases.schemas import VerificationPublic

__all__ = ["console", "err_console", "one_line", "print_checks", "print_firms", "wh"]

console = Console(soft_wrap=True)  # long lines (paths, addresses) stay whole when output is captured
err_console = Console(stderr=True, soft_wrap=True)


def one_line(message: str) -> str:
    """Return ``message`` on one line with rich markup escaped (messages quote ``[start, end)`` periods)."""
    return escape(" ".join(message.split()))


def wh(amount_wh: int) -> str:
    """Return whole Wh with thousands separators and the MWh it makes, e.g. ``110,000,000 Wh (110.000 MWh)``."""
    return f"{amount_wh:,} Wh ({mwh(amount_wh):,.3f} MWh)"


def print_firms(run: AttributionRun) -> None:
    """Print each firm's traced supply over an attribution run (MWh, renewable share, tCO2)."""
    table = Table("firm", "consumption MWh", "renewable MWh", "renewable share", "tCO2",
                  title=f"Traced supply {run.period_start:%Y-%m-%d %H:%M} – {run.period_end:%Y-%m-%d %H:%M} UTC",
                  caption="renewable MWh: the part of the firm's supply traced to wind and solar plants; "
                          "tCO2: tonnes of CO2 emitted by the plants that supplied it")
    for firm in run.firms:
        table.add_row(firm.firm_code, f"{mwh(firm.consumption_wh):,.1f}", f"{mwh(firm.renewable_wh):,.1f}",
                      f"{firm.renewable_share:.1%}", f"{firm.emissions_kg / KG_PER_T:,.1f}")
    console.print(table)


def print_checks(result: VerificationPublic) -> None:
    """Print every check of a provenance record's verification."""
    table = Table("check", "result", "detail", title=f"Provenance record {result.claim_ref[:18]}…")
    for item in result.checks:
        table.add_row(item.name, "[green]ok[/green]" if item.ok else "[red]FAILED[/red]", escape(item.detail))
    console.print(table)
