"""``greenproof trace``: the exported MWh checked against pandapower's own result tables.

Independent reference: for every exported interval the test sets the profile values into a fresh
network itself, runs ``pandapower.runpp`` and reads ``res_load``/``res_gen``/``res_sgen``/
``res_ext_grid``/``res_storage``. Proportional sharing must then give (Bialek 1996):

- downstream (losses charged to generators): each withdrawal's rows sum to its demand × duration;
- upstream (losses charged to loads): each withdrawal receives at least its demand, and all rows
  together equal total generation × duration (every MW reaches some withdrawal);
- every injection's rows sum to at most its output × duration; every ``mwh`` is > 0.

Tolerance 1e-6 MWh: the fast engine matches ``runpp`` within 1e-6 MW (docs/grids.md) and the CSV
keeps 12 significant digits.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandapower as pp
import pandapower.networks as pn
import pandas as pd
import pytest
from typer.testing import CliRunner

from greenproof.api.cli import EXIT_BAD_INPUT, EXIT_UNAVAILABLE, app
from greenproof.api.cli.trace_export import TRACE_COLUMNS, IntervalTrace, export_trace, trace_intervals, write_intervals
from greenproof.api.cli.trace_export import dask_scheduler as trace_export
from greenproof.api.usecases.park_simulation import park_profiles
from greenproof.attribution import trace
from greenproof.grids import binhai, from_pandapower, load_case, simbench_profiles, solve_series

runner = CliRunner()
TOL_MWH = 1e-6
PARK_START = datetime(2025, 6, 20, 4, 0, tzinfo=UTC)  # midday park time: PV, wind, storage and coal all run
SIMBENCH_MV = "1-MV-rural--0-sw"


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, keep_default_na=False)
    assert tuple(frame.columns) == TRACE_COLUMNS
    return frame


def _set_interval(net: pp.pandapowerNet, row: pd.Series) -> None:
    """Write one profile row into ``net`` (``"load:3"`` → p_mw, ``"load:3:q_mvar"`` → q_mvar)."""
    for column, value in row.items():
        table, index, *quantity = str(column).split(":")
        net[table].at[int(index), quantity[0] if quantity else "p_mw"] = float(value)


def _device_power(net: pp.pandapowerNet) -> tuple[dict[str, float], dict[str, float]]:
    """Injections and withdrawals (MW, > 0) read from pandapower's result tables after ``runpp``."""
    injections: dict[str, float] = {}
    withdrawals: dict[str, float] = {}
    for table, sign in (("ext_grid", 1.0), ("gen", 1.0), ("sgen", 1.0), ("load", -1.0), ("storage", -1.0),
                        ("shunt", -1.0)):
        res = net[f"res_{table}"]
        for index, p_mw in res["p_mw"].items():
            injected = sign * float(p_mw)
            if not net[table].at[index, "in_service"] or abs(injected) <= 1e-9:
                continue
            (injections if injected > 0 else withdrawals)[f"{table}:{index}"] = abs(injected)
    return injections, withdrawals


def _check_against_runpp(frame: pd.DataFrame, net: pp.pandapowerNet, profiles: pd.DataFrame | None,
                         duration_h: float, method: str) -> None:
    assert (frame["mwh"] > 0).all()
    starts = [""] if profiles is None else [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in profiles.index]
    assert sorted(set(frame["interval_start_utc"])) == sorted(starts)
    for k, start in enumerate(starts):
        if profiles is not None:
            _set_interval(net, profiles.iloc[k])
        pp.runpp(net)
        injections, withdrawals = _device_power(net)
        rows = frame[frame["interval_start_utc"] == start]
        received = rows.groupby("withdrawal_id")["mwh"].sum()
        sent = rows.groupby("injection_id")["mwh"].sum()
        assert set(received.index) <= set(withdrawals)
        assert set(sent.index) <= set(injections)
        for device, mwh in sent.items():
            assert mwh <= injections[device] * duration_h + TOL_MWH, (start, device)
        if method == "downstream":
            for device, p_mw in withdrawals.items():
                assert received.get(device, 0.0) == pytest.approx(p_mw * duration_h, abs=TOL_MWH), (start, device)
        else:
            for device, p_mw in withdrawals.items():
                assert received.get(device, 0.0) >= p_mw * duration_h - TOL_MWH, (start, device)
            assert rows["mwh"].sum() == pytest.approx(sum(injections.values()) * duration_h, abs=TOL_MWH)


def _typed_case9() -> pp.pandapowerNet:
    net = pn.case9()
    net.gen["type"] = "gas"
    return net


# --- command line ------------------------------------------------------------------------------------------------


def test_trace_help_names_the_csv_columns_and_options() -> None:
    result = runner.invoke(app, ["trace", "--help"])
    assert result.exit_code == 0, result.output
    for text in ("interval_start_utc", "withdrawal_kind", "--scheduler", "--default-technology", "--nodal-intensity",
                 "--method"):
        assert text in result.output


def test_unknown_source_exits_2_listing_valid_names(tmp_path: Path) -> None:
    result = runner.invoke(app, ["trace", "no-such-grid", "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == EXIT_BAD_INPUT
    for name in ("park", "case9", "case1354pegase", "1-MV-rural--0-sw"):
        assert name in result.output


def test_untyped_generator_exits_2_naming_it_and_the_option(tmp_path: Path) -> None:
    result = runner.invoke(app, ["trace", "case9", "--out", str(tmp_path / "t.csv")], terminal_width=200)
    assert result.exit_code == EXIT_BAD_INPUT
    assert "gen:0" in result.output and "gen:1" in result.output
    assert "--default-technology" in result.output
    assert not (tmp_path / "t.csv").exists()


def test_case_without_profiles_refuses_a_period(tmp_path: Path) -> None:
    result = runner.invoke(app, ["trace", "case9", "--default-technology", "gas", "--intervals", "3",
                                 "--out", str(tmp_path / "t.csv")], terminal_width=200)
    assert result.exit_code == EXIT_BAD_INPUT
    assert "no profiles" in result.output


def test_unreachable_scheduler_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trace_export, "SCHEDULER_TIMEOUT_S", 0.5)
    result = runner.invoke(app, ["trace", "park", "--start", "2025-06-20T04:00Z", "--intervals", "2",
                                 "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == EXIT_UNAVAILABLE, result.output


def test_not_a_network_file_exits_2(tmp_path: Path) -> None:
    bogus = tmp_path / "grid.json"
    bogus.write_text('{"not": "a network"}', encoding="utf-8")
    result = runner.invoke(app, ["trace", str(bogus), "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "grid.json" in result.output


# --- case9: one stored operating point, 1 h ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["downstream", "upstream"])
def test_case9_against_runpp(tmp_path: Path, method: str) -> None:
    out = tmp_path / "case9.csv.gz"
    result = runner.invoke(app, ["trace", "case9", "--default-technology", "gas", "--method", method,
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    with gzip.open(out, "rt") as handle:
        frame = _read(handle)  # type: ignore[arg-type]
    _check_against_runpp(frame, _typed_case9(), None, 1.0, method)
    net = _typed_case9()
    pp.runpp(net)
    assert len(frame) == trace(from_pandapower(net), method=method).mw.nnz
    assert "losses" in result.output and "load:2" in result.output


def test_pandapower_json_file_is_its_stored_operating_point(tmp_path: Path) -> None:
    path = tmp_path / "case9.json"
    pp.to_json(_typed_case9(), str(path))
    summary = export_trace(str(path), tmp_path / "t.csv", method="downstream",
                           nodal_intensity=tmp_path / "ci.csv")
    frame = _read(tmp_path / "t.csv")
    _check_against_runpp(frame, _typed_case9(), None, 1.0, "downstream")
    net = _typed_case9()
    pp.runpp(net)
    assert summary.consumption_mwh == pytest.approx(net.res_load.p_mw.sum(), abs=TOL_MWH)
    assert summary.losses_mwh == pytest.approx(net.res_line.pl_mw.sum() + net.res_trafo.pl_mw.sum(), abs=TOL_MWH)
    # gas-only case: every bus intensity is the gas or grid-import factor (attribution/technologies.py)
    intensity = pd.read_csv(tmp_path / "ci.csv")
    assert intensity["t_co2_per_mwh"].between(0.392 - 1e-9, 0.5617 + 1e-9).all()


# --- the Binhai park: 4 intervals with profiles -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["downstream", "upstream"])
def test_park_four_intervals_against_runpp(tmp_path: Path, method: str) -> None:
    out = tmp_path / "park.csv"
    summary = export_trace("park", out, start=PARK_START, intervals=4, method=method)
    frame = _read(out)
    profiles = park_profiles(PARK_START, PARK_START + 4 * pd.Timedelta(minutes=15))
    _check_against_runpp(frame, binhai.build_park(), profiles, 0.25, method)
    assert summary.intervals == 4 and summary.rows == len(frame)
    assert summary.traced_mwh == pytest.approx(frame["mwh"].sum(), rel=1e-9)
    # rows sorted by (injection, withdrawal) within each interval, intervals in time order
    for _, rows in frame.groupby("interval_start_utc", sort=False):
        keys = list(zip(rows["injection_id"], rows["withdrawal_id"], strict=True))
        assert keys == sorted(keys)
    assert list(frame["interval_start_utc"]) == sorted(frame["interval_start_utc"])


def test_writer_streams_each_interval_before_the_next_is_traced() -> None:
    profiles = park_profiles(PARK_START, PARK_START + 3 * pd.Timedelta(minutes=15))
    stream = io.StringIO()
    pulled: list[str] = []

    def lazily() -> Iterator[IntervalTrace]:
        for item in trace_intervals(solve_series(binhai.build_park(), profiles, progress=False), "upstream", False):
            # everything handed over before must already be in the file: the writer keeps no rows
            assert all(start in stream.getvalue() for start in pulled)
            pulled.append(item.start_utc)
            yield item

    totals = write_intervals(lazily(), stream)
    assert len(pulled) == 3 and totals.intervals == 3
    assert stream.getvalue().count("\n") == totals.rows


# --- SimBench MV with its 2016 profiles, and the Dask path ---------------------------------------------------------


@pytest.mark.slow
def test_simbench_mv_against_runpp(tmp_path: Path) -> None:
    start = datetime(2016, 7, 1, 10, 0, tzinfo=UTC)
    summary = export_trace(SIMBENCH_MV, tmp_path / "mv.csv.gz", start=start, intervals=3, method="downstream")
    with gzip.open(tmp_path / "mv.csv.gz", "rt") as handle:
        frame = _read(handle)  # type: ignore[arg-type]
    net = load_case(SIMBENCH_MV)
    profiles = simbench_profiles(net)
    profiles = profiles.loc[pd.Timestamp(start):].iloc[:3]
    _check_against_runpp(frame, net, profiles, 0.25, "downstream")
    assert summary.by_kind()[0].renewable_mwh > 0  # wind, PV, hydro and biomass feed the MV loads


@pytest.mark.slow
def test_dask_scheduler_writes_the_same_file_as_the_sequential_run(tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    sequential = export_trace("park", tmp_path / "seq.csv", start=PARK_START, intervals=5)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        distributed = export_trace("park", tmp_path / "dask.csv", start=PARK_START, intervals=5,
                                   scheduler=cluster.scheduler_address, chunk=2)
    assert distributed.rows == sequential.rows
    seq, dist = _read(tmp_path / "seq.csv"), _read(tmp_path / "dask.csv")
    pd.testing.assert_frame_equal(seq.drop(columns="mwh"), dist.drop(columns="mwh"))
    # each chunk warm-starts from its own first interval: equal to the solver tolerance, not bit for bit
    assert (seq["mwh"] - dist["mwh"]).abs().max() < TOL_MWH
