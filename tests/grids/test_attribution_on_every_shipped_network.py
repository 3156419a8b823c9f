"""Attribution on every network pandapower and SimBench ship, AC and DC, every method: conservation holds.

The sweep (issue 13) covers:

- every function of ``pandapower.networks`` defined in its ``networks`` subpackage, enumerated
  from the module at collection time, so a new pandapower release's networks are covered without
  editing this file. Only constructors that need arguments are skipped (named with the reason),
  and any whose data are not shipped offline (skipped at run time with the error);
- the documented variants of the parametrised ones (:data:`VARIANTS`): CIGRE MV with DER,
  Oberrhein's scenarios, substations and separation, the 18 feeder types of Dickert's table
  (``create_dickert_lv_network`` builds them with ``create_dickert_lv_feeders``, the constructor
  skipped for needing arguments), the five synthetic voltage-control LV classes, the three IEEE
  European LV scenarios, Schutterwald with heat pumps and separated;
- SimBench codes of every voltage level (:data:`SIMBENCH_CODES`), three of them future scenarios
  with storage units discharging in the base case. The base case is traced, so the networks are
  read from a copy of SimBench's data whose year-profile tables keep only their first rows: the
  element tables are SimBench's own, and 92 MB of 15-minute profiles are not parsed per code.

Each network is solved with ``runpp`` and ``rundcpp``, converted with
``from_pandapower(default_technology="other")`` and traced with every method. Checked against
conservation laws, not against greenproof's own output (relative tolerance 1e-6 plus ``tol_mw`` =
1e-9 MW; what withdrawals get may also be off by the power flow's own KCL residual, summed over all
buses, ~1e-8 MW per bus at pandapower's default tolerance):

- every allocation entry >= 0;
- upstream: each injection delivers its whole output; each withdrawal gets at least its demand;
- downstream and average: each withdrawal gets exactly its demand; no injection delivers more
  than its output;
- mix shares in [0, 1] summing to 1 wherever power flows, equal to the trace's shares;
- carbon intensity within the range of the emission factors of the technologies present.

The only refusals left are inputs no method can trace: :data:`NOT_CONVERGING` power flows, whose
error names the cause. The whole sweep is marked ``slow`` (``scripts/test --fast`` skips it).
"""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandapower as pp
import pandapower.networks as pn
import pytest
import simbench
from _grid_checks import bus_mismatch_mw

from greenproof.attribution import Allocation, Snapshot, carbon_intensity, emission_factors, mix, trace
from greenproof.grids import GridError, from_pandapower, solve_power_flow

pytestmark = pytest.mark.slow

RTOL = 1e-6
#: trace's default tol_mw: flows and allocation entries at or below it count as zero.
TOL_MW = 1e-9
SHARE_TOL = 1e-9
METHODS = ("upstream", "downstream", "average")

#: Power flows that do not converge with pandapower's defaults, and why: the only refusals left.
NOT_CONVERGING = {
    ("case11_iwamoto", "AC"): "Iwamoto's ill-conditioned 11-bus system, built to defeat plain Newton-Raphson",
}

#: The feeder types of Dickert et al. 2013, Tables III and IV (the table in create_dickert_lv_feeders).
DICKERT_FEEDERS = ([("short", "cable", customer, case) for customer in ("single", "multiple")
                    for case in ("good", "average", "worse")]
                   + [(length, line, "multiple", case) for length in ("middle", "long") for line in ("cable", "C&OHL")
                      for case in ("good", "average", "worse")])
#: Documented values of the parameters of parametrised constructors (from their docstrings and the
#: ValueErrors that list them).
VARIANTS: dict[str, list[dict[str, object]]] = {
    "create_cigre_network_mv": [{"with_der": "pv_wind"}, {"with_der": "all"}],
    "mv_oberrhein": [{"scenario": "generation"}, {"include_substations": True}, {"separation_by_sub": True}],
    "create_dickert_lv_network": [{"feeders_range": f, "linetype": t, "customer": c, "case": k}
                                  for f, t, c, k in DICKERT_FEEDERS[1:]],  # [0] is the default
    "create_synthetic_voltage_control_lv_network": [{"network_class": c} for c in
                                                    ("rural_2", "village_1", "village_2", "suburb_1")],
    "ieee_european_lv_asymmetric": [{"scenario": "off_peak_1"}, {"scenario": "off_peak_1440"}],
    "lv_schutterwald": [{"include_heat_pumps": True}, {"separation_by_sub": True}],
}

#: SimBench codes: every voltage level, urban/rural/mixed, with and without switches; scenario 2 has storage.
SIMBENCH_CODES = (
    "1-LV-rural1--0-sw", "1-LV-semiurb4--0-sw", "1-LV-urban6--0-no_sw", "1-LV-rural2--2-no_sw",
    "1-MV-rural--0-sw", "1-MV-semiurb--1-sw", "1-MV-comm--2-no_sw",
    "1-HV-mixed--0-no_sw", "1-HV-urban--2-sw", "1-EHV-mixed--0-sw",
)


def _constructors() -> tuple[list[str], dict[str, str]]:
    """Network constructors of ``pandapower.networks``: (callable without arguments, {name: why not})."""
    usable, skipped = [], {}
    for name, function in inspect.getmembers(pn, inspect.isfunction):
        if not function.__module__.startswith("pandapower.networks."):
            continue  # helpers re-exported from elsewhere (create_empty_network, from_json ...)
        required = [p.name for p in inspect.signature(function).parameters.values()
                    if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if required:
            skipped[name] = f"needs arguments {required}"
        else:
            usable.append(name)
    return usable, skipped


CONSTRUCTORS, NEED_ARGUMENTS = _constructors()


def _cases() -> list[object]:
    cases = [pytest.param(name, {}, id=name) for name in CONSTRUCTORS]
    cases += [pytest.param(name, kwargs, id=f"{name}[{','.join(f'{k}={v}' for k, v in kwargs.items())}]")
              for name, variants in VARIANTS.items() for kwargs in variants]
    cases += [pytest.param(name, {}, id=name, marks=pytest.mark.skip(reason=f"pandapower.networks.{name} {why}"))
              for name, why in NEED_ARGUMENTS.items()]
    return cases


def _build(name: str, kwargs: dict[str, object]) -> list[pp.pandapowerNet]:
    constructor: Callable[..., object] = getattr(pn, name)
    try:
        built = constructor(**kwargs)
    except OSError as exc:  # data not shipped with the package (a download)
        pytest.skip(f"pandapower.networks.{name} needs data that is not shipped offline: {exc}")
    return list(built) if isinstance(built, tuple | list) else [built]  # type: ignore[list-item]


def _check_allocation(label: str, allocation: Allocation, kcl_residual_mw: float) -> None:
    assert (allocation.mw.data >= 0).all() and (allocation.gain_mix_mw >= 0).all(), f"{label}: negative entry"
    output, delivered = allocation.injection_mw, allocation.delivered_mw
    demand, supplied = allocation.withdrawal_mw, allocation.supplied_mw
    per_injection = RTOL * output + TOL_MW
    per_withdrawal = RTOL * demand + TOL_MW + kcl_residual_mw
    if allocation.method == "upstream":
        lost = output - delivered
        assert (np.abs(lost) <= per_injection).all(), (
            f"{label}: injection {allocation.injection_id[np.argmax(np.abs(lost))]} delivers "
            f"{delivered[np.argmax(np.abs(lost))]} of {output[np.argmax(np.abs(lost))]} MW")
        short = demand - supplied
        assert (short <= per_withdrawal).all(), f"{label}: {allocation.withdrawal_id[np.argmax(short)]} short"
    else:
        off = np.abs(supplied - demand)
        assert (off <= per_withdrawal).all(), (
            f"{label}: withdrawal {allocation.withdrawal_id[np.argmax(off)]} gets {supplied[np.argmax(off)]} "
            f"for a demand of {demand[np.argmax(off)]} MW")
        assert (delivered - output <= per_injection).all(), f"{label}: an injection delivers more than its output"


def _check_mix_and_carbon(label: str, snapshot: Snapshot, allocation: Allocation, method: str) -> None:
    shares = mix(snapshot, method=method)  # type: ignore[arg-type]
    flowing = ~np.isnan(shares.share).any(axis=1)
    assert (shares.share[flowing] >= -SHARE_TOL).all() and (shares.share[flowing] <= 1 + SHARE_TOL).all(), label
    np.testing.assert_allclose(shares.share[flowing].sum(axis=1), 1.0, atol=SHARE_TOL, err_msg=label)
    supplied = allocation.supplied_mw > TOL_MW * max(len(allocation.injection_id), 1)
    np.testing.assert_allclose(shares.withdrawal_share[supplied], allocation.technology_share[supplied],
                               atol=1e-6, err_msg=f"{label}: mix differs from the trace's shares")
    present = sorted(set(snapshot.injections.technology[snapshot.injections.p_mw > 0].tolist()))
    if not present:
        return
    factors = [emission_factors()[key] for key in present]
    intensity = carbon_intensity(snapshot, method=method).bus_t_per_mwh  # type: ignore[arg-type]
    finite = intensity[np.isfinite(intensity)]
    assert (finite >= min(factors) - SHARE_TOL).all() and (finite <= max(factors) + SHARE_TOL).all(), (
        f"{label}: intensity outside [{min(factors)}, {max(factors)}] tCO2/MWh of {present}")


def _sweep(name: str, nets: list[pp.pandapowerNet]) -> None:
    for k, net in enumerate(nets):
        for kind in ("AC", "DC"):  # rundcpp after runpp on the same network: DC is linear, needs no start
            label = f"{name}{f'[{k}]' if len(nets) > 1 else ''} {kind}"
            if (name, kind) in NOT_CONVERGING:
                with pytest.raises(GridError, match="did not converge"):
                    solve_power_flow(net, dc=kind == "DC")
                with pytest.raises(GridError, match="has not converged"):
                    from_pandapower(net, default_technology="other")
                continue
            solve_power_flow(net, dc=kind == "DC")
            snapshot = from_pandapower(net, default_technology="other")
            residual = float(np.abs(bus_mismatch_mw(snapshot)).sum())
            for method in METHODS:
                allocation = trace(snapshot, method=method)  # type: ignore[arg-type]
                _check_allocation(f"{label} {method}", allocation, residual)
                _check_mix_and_carbon(f"{label} {method}", snapshot, allocation, method)


@pytest.mark.parametrize(("name", "kwargs"), _cases())
def test_every_pandapower_network_is_traced_with_every_method(name: str, kwargs: dict[str, object]) -> None:
    _sweep(name, _build(name, kwargs))


#: Rows kept of each SimBench profile table (header and the first intervals).
PROFILE_LINES_KEPT = 3


@pytest.fixture(scope="module")
def simbench_data(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Path]:
    """Folder of a scenario's complete SimBench data with its profile tables cut to their first rows."""
    root = tmp_path_factory.mktemp("simbench")
    profiles = {f"{table}.csv" for table in simbench.csv_tablenames(["profiles"])}

    def folder(scenario: int) -> Path:
        target = root / str(scenario)
        if not target.exists():
            target.mkdir()
            for source in Path(simbench.complete_data_path(scenario)).iterdir():
                if source.name not in profiles:
                    shutil.copy(source, target / source.name)
                    continue
                with source.open() as lines, (target / source.name).open("w") as kept:
                    kept.writelines(line for _, line in zip(range(PROFILE_LINES_KEPT), lines, strict=False))
        return target

    return folder


@pytest.mark.parametrize("code", SIMBENCH_CODES)
def test_simbench_networks_are_traced_with_every_method(code: str, simbench_data: Callable[[int], Path]) -> None:
    net = simbench.get_simbench_net(code, input_path=str(simbench_data(int(code.split("-")[4]))))
    if code.split("-")[4] == "2":  # a future scenario: its storage units discharge in the base case
        assert (net.storage["p_mw"] < 0).any()
    _sweep(code, [net])


def test_the_sweep_covers_the_networks_the_issue_found_broken() -> None:
    # issue 13 named these; if pandapower renamed one, the sweep would silently miss it
    assert {"case1888rte", "case2848rte", "case6470rte", "case6495rte", "case6515rte", "GBnetwork", "case145",
            "case3120sp", "case9241pegase", "example_multivoltage", "ieee_european_lv_asymmetric"} <= set(CONSTRUCTORS)
    assert len(SIMBENCH_CODES) >= 10
