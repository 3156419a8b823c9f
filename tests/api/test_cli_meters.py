"""``greenproof meters load``: the upload endpoint's validation, from a file ``simulate --csv`` writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_harness import Keys
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenproof.api import ApiSettings
from greenproof.api.cli import EXIT_BAD_INPUT, app

runner = CliRunner()
T0 = "2025-06-20T16:00:00Z"



@pytest.mark.parametrize("csv", [
    f"plant_code,interval_start,energy_wh\nH1,{T0},5\nH1,{T0[:10]},5\n",  # a date without a time zone
    f"plant_code,interval_start,energy_wh\nH1,{T0},5\nNOPE,{T0},5\n",  # an unregistered plant
    f"plant_code,interval_start,energy_wh\nH1,{T0},999999999999\n",  # above capacity × 15 min
    "plant,start,wh\nH1,x,1\n",  # a wrong header
], ids=["naive-time", "unknown-plant", "above-capacity", "header"])
def test_meters_load_refuses_a_file_exactly_as_the_upload_endpoint(csv: str, tmp_path: Path, client: TestClient,
                                                                    keys: Keys, registered: ApiSettings) -> None:
    path = tmp_path / "meters.csv"
    path.write_text(csv)
    uploaded = client.post("/park/meter-readings/csv", headers=keys.of("operator"),
                           files={"file": (str(path), path.read_bytes())})
    loaded = runner.invoke(app, ["meters", "load", str(path), "--database-url", registered.database_url])
    assert uploaded.status_code == 422
    assert loaded.exit_code == EXIT_BAD_INPUT
    assert loaded.output.strip() == f"error: {uploaded.json()['detail']}"
    assert f"file '{path}'" in loaded.output  # names the file, then the line or reading


def test_simulated_readings_load_once(tmp_path: Path, client: TestClient, registered: ApiSettings) -> None:
    csv = tmp_path / "meters.csv"
    simulated = runner.invoke(app, ["simulate", "2025-06-21T04:00Z", "2025-06-21T05:00Z", "--csv", str(csv)],
                              env={"COLUMNS": "200"})
    assert simulated.exit_code == 0, simulated.output
    # The four renewable plants named, H1-H3 as the offshore wind farms they are, 4 readings each.
    for code, name in [("H1", "SPIC Binhai North H1 offshore wind farm"), ("H2", "SPIC Binhai North H2 offshore wind "
                       "farm"), ("H3", "SPIC Binhai South H3 offshore wind farm"), ("PV147", "fishery-pond PV")]:
        assert any(line.startswith(f"│ {code} ") and name in line for line in simulated.output.splitlines())
    assert f"wrote 16 readings to {csv}" in simulated.output
    first = runner.invoke(app, ["meters", "load", str(csv), "--database-url", registered.database_url])
    again = runner.invoke(app, ["meters", "load", str(csv), "--database-url", registered.database_url])
    assert first.exit_code == again.exit_code == 0, first.output + again.output
    assert "16 readings stored, 0 already stored" in first.output
    assert "0 readings stored, 16 already stored with the same value" in again.output
