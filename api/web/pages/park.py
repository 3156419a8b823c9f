"""The park operator's page: renewable share over time, the grid with flows and nodal intensity, a Sankey."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from greenproof.ledger.models import Firm

from ...http.deps import SessionDep
from ...usecases.api_keys import Role
from ...usecases.attribution_results import PARK_TZ
from ...usecases.park_simulation import INTERVAL
from ...usecases.periods import SupportedLocalTime
from ...usecases.technology_flows import OTHER_SINKS, VIA_STORAGE, technology_flows, via_storage_sink
from ..i18n import Translator, request_language
from ..page_params import FirstDay, LastDay, ResolutionChoice, require, shown_days
from ..park_flows import interval_diagram
from ..render import PageRoute, render
from ..series import DateRange, chart_payload, choose_resolution, park_series, totals
from ..session import PageCaller

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _interval_at(at: datetime | None, days: DateRange) -> datetime:
    """Return the 15-minute interval start of ``at`` (park time when naive), default noon of the last day."""
    if at is None:
        at = datetime.combine(days.last, datetime.min.time().replace(hour=12), PARK_TZ)
    elif at.tzinfo is None:
        at = at.replace(tzinfo=PARK_TZ)
    step = int(INTERVAL.total_seconds())
    return datetime.fromtimestamp(int(at.timestamp()) // step * step, PARK_TZ)


def _sankey_period(interval: datetime, scope: str) -> tuple[datetime, datetime]:
    if scope == "interval":
        return interval, interval + INTERVAL
    day = interval.replace(hour=0, minute=0)
    if scope == "day":
        return day, day + timedelta(days=1)
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def _sankey_payload(session: SessionDep, start: datetime, end: datetime, t: Translator
                    ) -> tuple[dict[str, object], dict[str, float]]:
    """Return the Sankey of technology → firm MWh, and the MWh that went to other sinks (export, storage, ...).

    A battery is a pass-through: technology → battery (its charging) and battery → firm (what it
    delivered, by origin technology, taken out of the technology → firm links).
    """
    flows = technology_flows(session, start, end)
    names: dict[str, str] = {code: name for code, name in session.execute(
        select(Firm.code, Firm.name_zh if t.language == "zh" else Firm.name_en))}
    tech = t.subset("tech.")
    battery = t("sankey.battery")
    via: dict[str, float] = {}
    for (_key, sink), value in flows.mwh.items():
        if sink.startswith(VIA_STORAGE):
            via[sink.removeprefix(VIA_STORAGE)] = via.get(sink.removeprefix(VIA_STORAGE), 0.0) + value
    direct = [(tech.get(key, key), f"{sink} {names[sink]}",
               round(value - flows.mwh.get((key, via_storage_sink(sink)), 0.0), 3))
              for (key, sink), value in sorted(flows.mwh.items()) if sink in names]
    charging = [(tech.get(key, key), battery, round(value, 3))
                for (key, sink), value in sorted(flows.mwh.items()) if sink == "storage_charge"]
    delivered = [(battery, f"{firm} {names[firm]}", round(value, 3)) for firm, value in sorted(via.items())
                 if firm in names]
    edges = [edge for edge in (*direct, *charging, *delivered) if edge[2] >= 0.001]
    links = [{"source": source, "target": target, "value": value} for source, target, value in edges]
    nodes = sorted({source for source, _, _ in edges} | {target for _, target, _ in edges})
    others = {t(f"sink.{sink}"): mwh for sink, mwh in sorted(flows.by_sink().items()) if sink in OTHER_SINKS}
    return {"nodes": [{"name": n} for n in nodes], "links": links}, others


@router.get("/ui/park", response_class=HTMLResponse)
def park_page(request: Request, caller: PageCaller, session: SessionDep, start: FirstDay = None, end: LastDay = None,
              resolution: ResolutionChoice = None, at: Annotated[SupportedLocalTime | None, Query()] = None,
              scope: Annotated[str, Query(pattern="^(interval|day|month)$")] = "day") -> Response:
    """Park overview: renewable share over time, the grid with flows and nodal intensity, a Sankey, firm totals."""
    require(caller, Role.PARK_OPERATOR)
    t = Translator(request_language(request))
    days = shown_days(session, start, end)
    period = days.period
    step = choose_resolution(period, resolution)
    points, firm_totals = park_series(session, period, step)
    interval = _interval_at(at, days)
    sankey_start, sankey_end = _sankey_period(interval, scope)
    sankey, sankey_others = _sankey_payload(session, sankey_start, sankey_end, t)
    firms = [(firm, firm_totals[firm.code]) for firm in session.scalars(select(Firm).order_by(Firm.code))]
    return render(
        request, "park.html", caller=caller, days=days, resolution=step, requested=resolution, scope=scope,
        interval=interval, summary=totals(points), firms=firms, diagram=interval_diagram(session, interval),
        sankey_start=sankey_start, sankey_end=sankey_end, sankey_others=sankey_others,
        charts={"share": chart_payload(points, step), "sankey": sankey, "labels": t.subset("chart.")})
