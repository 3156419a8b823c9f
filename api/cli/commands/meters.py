"""``greenproof meters``: load meter readings into the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..exit_codes import exit_codes
from ..options import DatabaseOption, app_state
from ..output import console

__all__ = ["app"]

app = typer.Typer(help="Load the plants' meter readings into the ledger.", no_args_is_help=True)


@app.command("load")
def meters_load(
    csv_file: Annotated[Path, typer.Argument(
        metavar="FILE", help="Meter-data CSV (`greenproof simulate --csv` writes one; columns in docs/api.md).",
        exists=True, dir_okay=False, show_default=False)],
    database_url: DatabaseOption = None,
) -> None:
    """Load a meter-data CSV file into the ledger, validated exactly as POST /park/meter-readings/csv does.

    All or nothing: any bad line refuses the whole file, naming the file and the line. Loading the
    same readings again changes nothing; a different value for a stored interval is refused.
    The park's plants must be registered (`greenproof chain up` does it).
    """
    from greenproof.ledger.database import session_scope

    from ...usecases.meter_upload import MAX_CSV_BYTES, ingest_meter_csv

    with csv_file.open("rb") as handle:
        data = handle.read(MAX_CSV_BYTES + 1)
    with exit_codes(), app_state(database_url) as state, session_scope(state.session_factory) as session:
        report = ingest_meter_csv(session, data, str(csv_file))
    console.print(f"loaded {csv_file}: {report.inserted:,} readings stored, {report.unchanged:,} already stored "
                  "with the same value")
