"""Call volume tables, worked by hand: valid against all calls, the mix with 环比/同比, orders open at a cut-off.

The frame (Asia/Shanghai): March 2024 (31 days) holds 10 calls, 4 of them invalid (call_group 无效警情: two
harassment, one misdial, one silent call), 6 valid (刑事警情 x2, 治安警情 x3, 交通警情 x1); February 2024 (29
days) 4 calls, 1 invalid; March 2023 (31 days) 3 calls, all valid. Incident 1 of March has two unit rows.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest

from factories import SAMPLE_ZONE
from factories import calls as make_frame
from responsestats.briefing import columns as cols
from responsestats.briefing.tables import volume as V
from responsestats.metrics import load_standard
from responsestats.metrics.standards import standard_from_dict

calls = partial(make_frame, tz=SAMPLE_ZONE)
INVALID = "无效警情"


def _rows():
    march = [("刑事警情", "盗窃"), ("刑事警情", "诈骗"), ("治安警情", "纠纷"), ("治安警情", "纠纷"),
             ("治安警情", "打架斗殴"), ("交通警情", "交通事故"), (INVALID, "骚扰电话"), (INVALID, "骚扰电话"),
             (INVALID, "误拨"), (INVALID, "无声电话")]  # fmt: skip
    rows = [dict(received_at=f"2024-03-{i + 1:02d} 10:00", call_group=g, call_type=t, incident_id=f"m{i}",
                 dispatched_at=None if g == INVALID else 30, cleared_at=None if g == INVALID else 3600)
            for i, (g, t) in enumerate(march)]  # fmt: skip
    rows.append(dict(rows[0], unit_id="U2"))  # a second unit on incident m0: still one call
    rows[0] = dict(rows[0], unit_id="U1")
    feb = [("刑事警情", "盗窃"), ("治安警情", "纠纷"), ("治安警情", "纠纷"), (INVALID, "误拨")]
    rows += [dict(received_at=f"2024-02-{i + 1:02d} 10:00", call_group=g, call_type=t, incident_id=f"f{i}")
             for i, (g, t) in enumerate(feb)]  # fmt: skip
    rows += [dict(received_at=f"2023-03-{i + 1:02d} 10:00", call_group="刑事警情", call_type="盗窃",
                  incident_id=f"y{i}") for i in range(3)]  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def frame():
    return calls(_rows())


def test_the_standard_names_invalid_calls_and_an_extension_can_replace_them():
    cn110 = load_standard("cn110")
    assert cn110.tells_valid_calls and not load_standard("nfpa1710").tells_valid_calls
    frame = pd.DataFrame({"call_group": [INVALID, "刑事警情", None], "call_type": ["骚扰电话", "盗窃", "误拨"]})
    assert cn110.is_invalid(frame).tolist() == [True, False, False]  # no value: valid
    by_type = standard_from_dict({"standard": {"extends": "cn110", "invalid_calls": {"call_type": ["误拨"]}}},
                                 "by_type.toml")  # fmt: skip
    assert by_type.is_invalid(frame).tolist() == [False, False, True]
    none = standard_from_dict({"standard": {"extends": "cn110", "invalid_calls": {}}}, "none.toml")
    assert not none.tells_valid_calls and not none.is_invalid(frame).any()


def test_monthly_volume_counts_incidents_valid_and_invalid(frame):
    t = V.monthly_volume(frame, ["2024-02", "2024-03"], "cn110").set_index("month")
    assert t.loc["2024-03", [cols.CALLS, cols.VALID, cols.INVALID]].tolist() == [10, 6, 4]
    assert t.loc["2024-02", [cols.CALLS, cols.VALID, cols.INVALID]].tolist() == [4, 3, 1]
    assert t.loc["2024-03", cols.PER_DAY] == pytest.approx(10 / 31)
    assert t.loc["2024-03", cols.VALID_PER_DAY] == pytest.approx(6 / 31)
    assert t.loc["2024-02", cols.VALID_SHARE] == pytest.approx(0.75)  # the denominator: all calls, 4
    assert t.loc["2024-03", cols.SHARE_CI_LOW] < 0.6 < t.loc["2024-03", cols.SHARE_CI_HIGH]


def test_without_a_definition_valid_is_not_available_never_all_calls(frame):
    t = V.monthly_volume(frame, ["2024-03"], "nfpa1710").set_index("month")
    assert t.loc["2024-03", cols.CALLS] == 10
    assert np.isnan(t.loc["2024-03", cols.VALID]) and np.isnan(t.loc["2024-03", cols.VALID_SHARE])


def test_volume_by_category_with_both_changes_per_day(frame):
    t = V.volume_by(frame, "call_group", "2024-03", "cn110", min_cell=0).set_index(cols.GROUP)
    assert t.attrs["total"] == 6 and INVALID not in t.index  # valid calls only
    assert t[cols.PERIOD_CURRENT].to_dict() == {"治安警情": 3, "刑事警情": 2, "交通警情": 1}
    assert t.loc["治安警情", cols.SHARE] == pytest.approx(3 / 6)
    # 环比: 3 in March's 31 days against 2 in February's 29 days
    assert t.loc["治安警情", cols.CHANGE_PREVIOUS] == pytest.approx((3 / 31) / (2 / 29) - 1)
    # 同比: 2 刑事 against 3 in March 2023 (both 31 days)
    assert t.loc["刑事警情", cols.CHANGE_YEAR_AGO] == pytest.approx(2 / 3 - 1)
    assert np.isnan(t.loc["交通警情", cols.CHANGE_PREVIOUS])  # none in February: no rate to compare with
    assert not t[cols.CLEAR_OF + cols.PERIOD_PREVIOUS].any()  # a handful of calls is never a clear change


def test_volume_by_kind_of_invalid_call(frame):
    t = V.volume_by(frame, "call_type", "2024-03", "cn110", calls=cols.INVALID, min_cell=0)
    assert t[cols.GROUP].tolist()[0] == "骚扰电话"  # most first; ties by name
    assert t.set_index(cols.GROUP)[cols.PERIOD_CURRENT].to_dict() == {"骚扰电话": 2, "误拨": 1, "无声电话": 1}
    assert t.attrs["total"] == 4


def test_small_groups_are_blanked_with_their_changes(frame):
    t = V.volume_by(frame, "call_group", "2024-03", "cn110").set_index(cols.GROUP)  # default min_cell 5
    assert t[cols.SUPPRESSED].all() and t[cols.PERIOD_CURRENT].isna().all() and t[cols.CHANGE_YEAR_AGO].isna().all()


def test_a_clear_change_needs_the_interval_of_the_rates_to_exclude_zero():
    rows = [dict(received_at=f"2024-03-{1 + i % 28:02d} {i % 24:02d}:00", call_group="治安警情") for i in range(300)]
    rows += [dict(received_at=f"2024-02-{1 + i % 28:02d} {i % 24:02d}:00", call_group="治安警情") for i in range(100)]
    t = V.volume_by(calls(rows), "call_group", "2024-03", "nfpa1710").set_index(cols.GROUP)
    assert t.loc["治安警情", cols.CLEAR_OF + cols.PERIOD_PREVIOUS]  # 300 in 31 days against 100 in 29 days
    assert t.loc["治安警情", cols.CHANGE_PREVIOUS] == pytest.approx((300 / 31) / (100 / 29) - 1)


def test_open_orders_at_the_cut_off(frame):
    rows = [
        dict(received_at="2024-03-31 20:00", dispatched_at=60, cleared_at=2 * 3600, district="A"),  # clears 22:00
        dict(received_at="2024-03-31 22:30", dispatched_at=60, cleared_at=4 * 3600, district="A"),  # after cut-off
        dict(received_at="2024-03-31 23:30", dispatched_at=60, district="B"),  # never cleared in the export
        dict(received_at="2024-03-20 10:00", dispatched_at=60, district="B"),  # open for 11+ days
        dict(received_at="2024-03-31 23:59", district="B"),  # not dispatched: no order
        dict(received_at="2024-04-01 00:30", dispatched_at=60, district="A"),  # after the cut-off
    ]
    cut = pd.Timestamp("2024-04-01 00:00", tz=SAMPLE_ZONE)
    t = V.open_orders(calls(rows), cut, by="district")
    assert t.attrs == {"total": 3, "dispatched": 4}
    got = {(g, b): n for g, b, n in t[[cols.GROUP, cols.AGE_BAND, cols.OPEN_ORDERS]].itertuples(index=False)}
    # ages at the cut-off: 1 h 29 min (band 1: 1-4 h), 29 min (band 0), 11 days 14 h (band 4: over 7 days)
    assert got == {("A", 1): 1, ("B", 0): 1, ("B", 4): 1}
