"""The contract's expiry equals an independent calendar computation, and the ledger's, for random instants.

Reference: Python's ``datetime`` in a fixed UTC+8 zone — the production month of an interval
start, its first instant, plus 24 calendar months (China GEC: valid two years from the production
month; China Standard Time has had no daylight saving since 1991). The ledger counts the month in
``Asia/Shanghai``: identical from 1992 on, which is what a certificate needs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from greenproof.ledger.certificate_status import expires_at

pytestmark = pytest.mark.chain

CST = timezone(timedelta(hours=8))
LAST_SUPPORTED_S = int(datetime(9997, 12, 1, tzinfo=UTC).timestamp())  # datetime stops at year 9999
FROM_1992_S = int(datetime(1992, 1, 1, tzinfo=UTC).timestamp())


def calendar_expiry(start_s: int, months: int = 24) -> int:
    local = datetime.fromtimestamp(start_s, CST)
    index = local.year * 12 + local.month - 1 + months
    return int(datetime(index // 12, index % 12 + 1, 1, tzinfo=CST).timestamp())


@settings(max_examples=150, deadline=None)
@given(start_s=st.integers(0, LAST_SUPPORTED_S))
@example(start_s=1_738_339_200 - 8 * 3600)       # 2025-01-31T16:00Z = 2025-02-01 00:00 in Beijing
@example(start_s=1_738_339_200 - 8 * 3600 - 1)   # one second earlier: still January
@example(start_s=951_782_400 - 8 * 3600)         # 2000-02-29T00:00 +08:00, a leap day
@example(start_s=0)
def test_contract_expiry_equals_the_calendar_and_the_ledger(chain, start_s):
    expected = calendar_expiry(start_s)
    assert chain.expires_at(start_s) == expected
    if start_s >= FROM_1992_S:
        assert expires_at(start_s, 24, "Asia/Shanghai") == datetime.fromtimestamp(expected, UTC)


def test_validity_rule_is_read_from_the_contract(chain):
    assert chain.validity() == (24, 8 * 3600)
