"""Fast unit tests of the dashboard's helpers (no browser, no server): drawing, periods, labels, sign-in guards."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from dashboard_site import REPO_ROOT
from starlette.requests import Request

from greenproof.api.usecases.attribution_results import SeriesPoint
from greenproof.api.usecases.errors import PermissionDeniedError
from greenproof.api.usecases.periods import Period
from greenproof.api.usecases.schemas import HourMatch, Resolution
from greenproof.api.web.grid_diagram import MAX_STROKE, grid_diagram
from greenproof.api.web.i18n import LANGUAGES, dictionary
from greenproof.api.web.series import DateRange, choose_resolution, matching_payload
from greenproof.api.web.session import check_same_origin
from greenproof.api.web.session import safe_next as _safe_next
from greenproof.attribution import Branches, Injections, Snapshot, Withdrawals

TEMPLATES = REPO_ROOT / "api" / "web" / "templates"

#: Bialek 1996 (IEE Proc. GTD 143(4)) 4-bus example as restated in DESIGN.md: (sending bus, receiving bus,
#: sending-end MW, loss MW). G1 400 MW at bus 1, G2 114 MW at bus 2, loads 300 MW at bus 3, 200 MW at bus 4.
BIALEK_LINES = [(1, 2, 60.0, 1.0), (2, 4, 173.0, 2.0), (1, 4, 115.0, 3.0), (1, 3, 225.0, 7.0), (4, 3, 83.0, 1.0)]


def _bialek_snapshot(flip: list[bool]) -> Snapshot:
    """The Bialek case with line i stored to → from when ``flip[i]`` (pandapower signs follow the storage)."""
    rows = [((r, s, -(p - loss), p) if f else (s, r, p, -(p - loss))) for (s, r, p, loss), f in
            zip(BIALEK_LINES, flip, strict=True)]
    return Snapshot(
        bus_ids=[1, 2, 3, 4],
        injections=Injections(["G1", "G2"], [1, 2], ["coal", "wind_offshore"], [400.0, 114.0]),
        withdrawals=Withdrawals(["L3", "L4"], [3, 4], [300.0, 200.0]),
        branches=Branches([f"line:{i}" for i in range(5)], [r[0] for r in rows], [r[1] for r in rows],
                          [r[2] for r in rows], [r[3] for r in rows]),
        duration_h=0.25)


@pytest.mark.parametrize("flip", [[False] * 5, [True, False, True, False, True]])
def test_arrows_follow_the_published_flow_directions_of_bialek_1996(flip: list[bool]) -> None:
    diagram = grid_diagram(_bialek_snapshot(flip), bus_names={}, intensity={1: 0.877, 3: None},
                           device_names={"G1": "G1", "L3": "L3"})
    drawn = sorted((b.from_bus, b.to_bus, round(b.p_mw, 9), round(b.loss_mw, 9)) for b in diagram.branches)
    assert drawn == sorted(BIALEK_LINES)
    widest = max(diagram.branches, key=lambda b: b.stroke)
    assert (widest.from_bus, widest.to_bus, widest.stroke) == (1, 3, MAX_STROKE)  # 225 MW, the largest flow
    buses = {b.bus_id: b for b in diagram.buses}
    assert buses[1].colour == "#a50f15" and buses[3].colour == "#9e9e9e"  # coal benchmark; no flow = grey
    assert [str(d) for d in buses[1].devices] == ["G1 +400.0 MW"]
    assert [str(d) for d in buses[3].devices] == ["L3 −300.0 MW"]
    assert all(0 < b.x < diagram.width and 0 < b.y < diagram.height for b in diagram.buses)


def test_a_park_year_reaches_the_browser_as_daily_points() -> None:
    year = Period(datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    assert choose_resolution(year, Resolution.QUARTER_HOUR) is Resolution.DAY  # 35,040 → 365 points
    month = Period(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC))
    assert choose_resolution(month, None) is Resolution.HOUR  # 2,976 quarter-hours > 1,500; 744 hours
    week = Period(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 8, tzinfo=UTC))
    assert choose_resolution(week, None) is Resolution.QUARTER_HOUR  # 672 points
    assert choose_resolution(week, Resolution.MONTH) is Resolution.MONTH  # coarser than needed is kept


def test_park_days_are_counted_in_china_standard_time() -> None:
    period = DateRange(date(2025, 6, 2), date(2025, 6, 3)).period
    assert (period.start, period.end) == (datetime(2025, 6, 1, 16, tzinfo=UTC), datetime(2025, 6, 3, 16, tzinfo=UTC))


def test_hourly_matching_is_summed_into_the_chart_steps() -> None:
    day = datetime(2025, 6, 1, 16, tzinfo=UTC)
    steps = [SeriesPoint(day + timedelta(days=d), day + timedelta(days=d + 1), 0, 0, 0.0) for d in range(2)]
    hours = [HourMatch(hour_start=day + timedelta(hours=h), consumption_wh=1_000_000, certificates_wh=c,
                       matched_wh=min(c, 1_000_000)) for h, c in ((0, 400_000), (23, 2_000_000), (24, 0))]
    payload = matching_payload(hours, steps, Resolution.DAY)
    assert payload["x"] == ["2025-06-02", "2025-06-03"]
    assert payload["matched"] == [1.4, 0.0]  # 0.4 + min(2, 1) MWh; surplus of one hour never spills over
    assert payload["unmatched"] == [0.6, 1.0]


def test_every_label_exists_in_every_language() -> None:
    keys = [{key for key in dictionary(language) if not key.startswith("check_detail.")} for language in LANGUAGES]
    assert all(k == keys[0] for k in keys)
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_0-9]+\.[a-z_0-9.-]+|yes|no)["']""", template.read_text("utf-8")))
    assert used and used <= keys[0], sorted(used - keys[0])
    for prefix in ("tech.", "status.", "resolution.", "scope.", "role.", "check.", "sink.", "lang."):
        assert any(k.startswith(prefix) for k in keys[0]), prefix


def test_labels_are_translated_not_copied() -> None:
    english, chinese = dictionary("en"), dictionary("zh")
    same = [k for k in english if english[k] == chinese[k] and not re.fullmatch(r"[\W\dA-Za-z%]{0,4}", english[k])]
    assert set(same) <= {"lang.en", "lang.zh"}, same
    json.dumps(dict(chinese), ensure_ascii=False)  # valid JSON text, CJK kept as is


def _request(headers: dict[str, str]) -> Request:
    return Request({"type": "http", "method": "POST", "scheme": "http", "server": ("127.0.0.1", 8000),
                    "path": "/ui/session", "query_string": b"", "root_path": "",
                    "headers": [(k.encode(), v.encode()) for k, v in headers.items()]})


def test_forms_from_another_site_are_refused() -> None:
    check_same_origin(_request({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"}))
    for headers in ({"host": "127.0.0.1:8000", "origin": "https://evil.example"},
                    {"host": "127.0.0.1:8000", "referer": "http://127.0.0.1:8001/ui/park"},
                    {"host": "127.0.0.1:8000"}):
        with pytest.raises(PermissionDeniedError, match="form posted from"):
            check_same_origin(_request(headers))


def test_sign_in_redirects_stay_on_this_site() -> None:
    assert _safe_next("/ui/firms/GH2?start=2025-06-02") == "/ui/firms/GH2?start=2025-06-02"
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example", "", None):
        assert _safe_next(target) is None


def test_every_verification_outcome_is_translated_with_the_same_values() -> None:
    from string import Formatter

    from greenproof.api.usecases.provenance_verify import CHECK_DETAILS

    def names(text: str) -> set[str]:
        return {field for _, field, _, _ in Formatter().parse(text) if field}

    for language in LANGUAGES:
        labels = dictionary(language)
        translated = {key.removeprefix("check_detail.") for key in labels if key.startswith("check_detail.")}
        if language == "en":
            assert translated == set()  # English is the use case's own text
            continue
        assert translated == set(CHECK_DETAILS), language
        for reason, english in CHECK_DETAILS.items():
            assert names(labels[f"check_detail.{reason}"]) == names(english), (language, reason)
