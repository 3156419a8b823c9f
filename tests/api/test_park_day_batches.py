"""An attribution run is cut into park days: midnight to midnight in Asia/Shanghai (UTC+8), one batch each."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from greenproof.api.usecases.park_attribution import park_days

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _s(moment: datetime) -> int:
    return int(moment.timestamp())


def test_a_period_is_cut_at_shanghai_midnights() -> None:
    start, end = datetime(2025, 6, 20, 10, tzinfo=UTC), datetime(2025, 6, 22, 2, tzinfo=UTC)
    # Shanghai midnights inside the period, written in local time (independent of the code's offset arithmetic)
    midnights = [datetime(2025, 6, 21, tzinfo=SHANGHAI), datetime(2025, 6, 22, tzinfo=SHANGHAI)]
    bounds = [_s(start), *(_s(m) for m in midnights), _s(end)]
    assert park_days(_s(start), _s(end)) == [(bounds[0], bounds[1]), (bounds[1], bounds[2]), (bounds[2], bounds[3])]


def test_a_whole_park_day_and_a_part_of_one_are_one_batch() -> None:
    day = datetime(2025, 6, 21, tzinfo=SHANGHAI)
    assert park_days(_s(day), _s(day) + 86_400) == [(_s(day), _s(day) + 86_400)]
    assert park_days(_s(day) + 3_600, _s(day) + 7_200) == [(_s(day) + 3_600, _s(day) + 7_200)]
