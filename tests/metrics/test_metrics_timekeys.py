"""Local-time group keys across DST changes and mixed zones."""

from __future__ import annotations

import pandas as pd
import pytest

from responsestats import schema as S
from responsestats.errors import UserError
from responsestats.metrics import add_time_keys, outcome_summary, summarize
from responsestats.metrics import names as N

LA = "America/Los_Angeles"

# UTC instant -> expected LA wall clock (PST = UTC-8, PDT = UTC-7)
CASES = [
    # spring forward, 2024-03-10 02:00 PST -> 03:00 PDT
    ("2024-03-10T07:30:00+00:00", LA, "2024-03-09", 5, 23),  # 23:30 PST Saturday
    ("2024-03-10T08:30:00+00:00", LA, "2024-03-10", 6, 0),  # 00:30 PST Sunday
    ("2024-03-10T09:30:00+00:00", LA, "2024-03-10", 6, 1),  # 01:30 PST
    ("2024-03-10T10:30:00+00:00", LA, "2024-03-10", 6, 3),  # 03:30 PDT (02:xx does not exist)
    # fall back, 2024-11-03 02:00 PDT -> 01:00 PST
    ("2024-11-03T06:30:00+00:00", LA, "2024-11-02", 5, 23),  # 23:30 PDT Saturday
    ("2024-11-03T07:30:00+00:00", LA, "2024-11-03", 6, 0),  # 00:30 PDT Sunday
    ("2024-11-03T08:30:00+00:00", LA, "2024-11-03", 6, 1),  # 01:30 PDT (first 1 am)
    ("2024-11-03T09:30:00+00:00", LA, "2024-11-03", 6, 1),  # 01:30 PST (second 1 am)
    ("2024-11-03T10:30:00+00:00", LA, "2024-11-03", 6, 2),  # 02:30 PST
    # a different zone in the same frame, same instant as the third row
    ("2024-03-10T09:30:00+00:00", "Asia/Shanghai", "2024-03-10", 6, 17),
]


@pytest.fixture
def dst_frame(make_calls):
    return make_calls([dict(received_at=utc, timezone=tz) for utc, tz, *_ in CASES])


def test_local_date_weekday_and_hour(dst_frame):
    keys = add_time_keys(dst_frame)
    assert keys[N.KEY_DATE].tolist() == [c[2] for c in CASES]
    assert keys[N.KEY_WEEKDAY].tolist() == [c[3] for c in CASES]
    assert keys[N.KEY_HOUR].tolist() == [c[4] for c in CASES]
    assert keys[N.KEY_WEEKDAY_NAME].tolist()[:2] == ["Saturday", "Sunday"]
    assert keys[N.KEY_MONTH].tolist()[0] == "2024-03"


def test_month_and_iso_week_boundaries(make_calls):
    df = make_calls(
        [
            dict(received_at="2024-12-01T03:00:00+00:00"),  # 2024-11-30 19:00 PST: still November
            dict(received_at="2024-12-30 10:00"),  # Monday of ISO week 2025-W01
            dict(received_at="2021-01-01 10:00"),  # Friday of ISO week 2020-W53
        ]
    )
    keys = add_time_keys(df, [N.KEY_MONTH, N.KEY_WEEK, N.KEY_YEAR])
    assert keys[N.KEY_MONTH].tolist() == ["2024-11", "2024-12", "2021-01"]
    assert keys[N.KEY_WEEK].tolist() == ["2024-W48", "2025-W01", "2020-W53"]
    assert keys[N.KEY_YEAR].tolist() == [2024, 2024, 2021]


def test_summary_groups_by_local_hour_across_dst(dst_frame):
    out = summarize(dst_frame, N.RESPONSE_S, by=N.KEY_HOUR, level="unit")
    counts = dict(zip(out[N.KEY_HOUR], out[N.N] + out[N.N_EXCLUDED]))
    # hour 1: 01:30 PST in March, both 01:30s in November; hour 23: two Saturdays
    assert counts == {0: 2, 1: 3, 2: 1, 3: 1, 17: 1, 23: 2}


def test_weekday_group_carries_its_name_and_outcomes_group_too(dst_frame):
    out = summarize(dst_frame, N.RESPONSE_S, by="weekday", level="unit")
    assert out[[N.KEY_WEEKDAY, N.KEY_WEEKDAY_NAME]].values.tolist() == [[5, "Saturday"], [6, "Sunday"]]
    outcomes = outcome_summary(dst_frame, by=[S.TIMEZONE, N.KEY_DATE])
    assert outcomes[N.INCIDENTS].sum() == len(CASES)


def test_unknown_group_column_is_a_user_error(dst_frame):
    with pytest.raises(UserError, match="cannot group by 'precinct'"):
        summarize(dst_frame, N.RESPONSE_S, by="precinct")


def test_categorical_keys_hold_the_same_values_in_sorted_categories(dst_frame):
    text = add_time_keys(dst_frame)
    cats = add_time_keys(dst_frame, categorical=True)
    for key in (N.KEY_MONTH, N.KEY_DATE, N.KEY_WEEK, N.KEY_WEEKDAY_NAME):
        assert text[key].dtype == "str"
        assert cats[key].dtype == "category"
        assert cats[key].astype("str").tolist() == text[key].tolist()
        categories = list(cats[key].cat.categories)
        assert categories == sorted(categories)
    for key in (N.KEY_YEAR, N.KEY_WEEKDAY, N.KEY_HOUR):
        assert cats[key].dtype == text[key].dtype == "Int64"


def test_last_month_a_group_can_take_rows_from():
    from responsestats.metrics.timekeys import UNBOUNDED_MONTH, last_month, month_index

    keys = pd.DataFrame({
        "month": ["2024-01", "2024-12", None],
        "week": ["2024-W05", "2024-W01", "2020-W53"],  # Sunday 2024-02-04; 2024-01-07; 2021-01-03
        "year": pd.array([2024, 2023, None], dtype="Int64"),
        "date": ["2024-01-31", "2024-12-01", None],
        "hour": [1, 2, 3],
    })
    assert last_month(keys, ["month"]).tolist() == [month_index(2024, 1), month_index(2024, 12), UNBOUNDED_MONTH]
    assert last_month(keys, ["week"]).tolist() == [month_index(2024, 2), month_index(2024, 1), month_index(2021, 1)]
    assert last_month(keys, ["year", "hour"]).tolist() == [month_index(2024, 12), month_index(2023, 12),
                                                           UNBOUNDED_MONTH]
    # the tightest key bounds the group; a key that bounds nothing (hour) leaves it open
    assert last_month(keys, ["year", "week"]).tolist() == [month_index(2024, 2), month_index(2023, 12),
                                                           month_index(2021, 1)]
    assert last_month(keys, ["date"]).tolist()[:2] == [month_index(2024, 1), month_index(2024, 12)]
    assert (last_month(keys, ["hour"]) == UNBOUNDED_MONTH).all()
