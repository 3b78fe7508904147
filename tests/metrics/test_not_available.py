"""Not available is not zero: outcome figures a source cannot record are missing, with the reason.

Three kinds of source, each checked from canonical frames, from ingest reports and end to end through an
ingest: no outcome column (every arrest figure missing), outcome codes none of which means an arrest and no
arrest time (the same), arrests but neither a caught-in-the-act flag nor an arrest time (only the
caught-in-the-act figures missing). A source that can record arrests but has none in the rows read gets a
real 0.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from responsestats import schema as S
from responsestats.ingestion import ingest
from responsestats.metrics import (
    NOT_AVAILABLE_REASONS,
    OutcomeAvailability,
    outcome_availability,
    outcome_summary,
    unavailable_figures,
)
from responsestats.metrics import names as N
from responsestats.store import read_calls, read_reports

T = "2024-06-01 10:00"
ARREST_FIGURES = [N.ARRESTS, N.ARREST_RATE, N.CAUGHT_IN_ACT_COUNT, N.CAUGHT_IN_ACT_RATE, N.N_HOURS_TO_ARREST,
                  N.MEAN_HOURS_TO_ARREST, N.KM_N, N.KM_MEDIAN_HOURS_TO_ARREST]  # fmt: skip


def _rows(outcomes, **extra):
    return [dict(received_at=T, dispatched_at=60, outcome=o, **extra) for o in outcomes]


def test_no_outcome_column_blanks_every_arrest_figure(make_calls):
    df = make_calls(_rows(["unknown"] * 4))  # what the store holds for a file without an outcome column
    row = outcome_summary(df).iloc[0]
    assert row[N.INCIDENTS] == 4 and row[N.ELIGIBLE] == 4  # the population is still counted
    for figure in ARREST_FIGURES:
        assert pd.isna(row[figure]), figure
    assert row[N.NOT_AVAILABLE] == "no_outcome_column"


def test_a_source_that_records_arrests_but_has_none_gets_a_real_zero(make_calls):
    df = make_calls(_rows(["report", "advised", "unknown"]))
    row = outcome_summary(df).iloc[0]
    assert row[N.ARRESTS] == 0 and row[N.ARREST_RATE] == 0.0
    # without a flag or an arrest time, whether an arrest was made in the act cannot be told; no count of persons
    assert pd.isna(row[N.CAUGHT_IN_ACT_RATE]) and row[N.NOT_AVAILABLE] == "no_caught_source;no_persons_count"


def test_arrests_without_flag_or_time_blank_only_caught_in_the_act(make_calls):
    df = make_calls(_rows(["arrest", "report", "report", "report"], persons_arrested=2))  # no time, no flag
    row = outcome_summary(df).iloc[0]
    assert row[N.ARRESTS] == 1 and row[N.ARREST_RATE] == pytest.approx(0.25) and row[N.PERSONS_ARRESTED] == 2
    assert pd.isna(row[N.CAUGHT_IN_ACT_COUNT]) and pd.isna(row[N.CAUGHT_IN_ACT_RATE])
    assert pd.isna(row[N.PERSONS_CAUGHT_IN_ACT]) and pd.isna(row[N.CAUGHT_IN_ACT_PERSONS_RATE])
    assert row[N.NOT_AVAILABLE] == "no_caught_source"


def test_an_arrest_time_alone_makes_caught_in_the_act_available(make_calls):
    df = make_calls([dict(received_at=T, dispatched_at=60, cleared_at=3600, arrested_at=600, outcome="arrest",
                          persons_arrested=1),
                     dict(received_at=T, dispatched_at=60, outcome="report")])  # fmt: skip
    row = outcome_summary(df).iloc[0]
    assert row[N.CAUGHT_IN_ACT_COUNT] == 1 and row[N.CAUGHT_IN_ACT_RATE] == 1.0
    assert row[N.NOT_AVAILABLE] == ""


def _report(possible, used=(S.INCIDENT_ID, S.RECEIVED_AT, S.OUTCOME, S.PERSONS_ARRESTED)):
    return {S.R_OUTCOMES_POSSIBLE: list(possible), S.R_COLUMNS_USED: {c: c for c in used}}


def test_reports_decide_over_the_rows(make_calls):
    df = make_calls(_rows(["report", "other"]))  # the rows alone would look like a source that can say arrest
    no_code = outcome_availability(df, [_report(["other", "report", "unknown"])])
    assert no_code == OutcomeAvailability(arrests=False, caught=False, reasons=("no_arrest_code",), persons=False)
    no_column = outcome_availability(df, [_report(["unknown"], used=(S.INCIDENT_ID, S.RECEIVED_AT))])
    assert not no_column.persons  # no arrest: no person either, and only the arrest reason is given
    assert no_column.reasons == ("no_outcome_column",)
    # one file of several can record arrests: the dataset can
    mixed = outcome_availability(df, [_report(["unknown"]), _report(["arrest", "other", "unknown"])])
    assert mixed.arrests and not mixed.caught and mixed.reasons == ("no_caught_source",)
    timed = outcome_availability(df, [_report(["other", "unknown"], used=(S.OUTCOME, S.ARRESTED_AT,
                                                                          S.PERSONS_ARRESTED))])
    assert timed == OutcomeAvailability()
    uncounted = outcome_availability(df, [_report(["arrest", "unknown"], used=(S.OUTCOME, S.ARRESTED_AT))])
    assert uncounted.arrests and not uncounted.persons and uncounted.reasons == ("no_persons_count",)
    row = outcome_summary(df, availability=no_code).iloc[0]
    assert pd.isna(row[N.ARREST_RATE]) and row[N.NOT_AVAILABLE] == "no_arrest_code"


def test_a_filter_does_not_change_what_the_source_can_record(make_calls):
    df = make_calls(_rows(["arrest", "report", "report"], call_type="x", persons_arrested=1)
                    + _rows(["report"], call_type="y"))
    df.loc[:, S.ARRESTED_AT] = df[S.RECEIVED_AT] + pd.Timedelta(minutes=5)
    df.loc[df[S.OUTCOME] != "arrest", S.ARRESTED_AT] = pd.NaT
    row = outcome_summary(df, where="call_type == 'y'").iloc[0]  # no arrest among these rows: a real 0
    assert row[N.ARRESTS] == 0 and row[N.ARREST_RATE] == 0.0 and row[N.NOT_AVAILABLE] == ""


def test_every_reason_is_worded_and_names_the_figures():
    assert set(NOT_AVAILABLE_REASONS) == {"no_outcome_column", "no_arrest_code", "no_caught_source",
                                          "no_persons_count"}
    assert unavailable_figures(OutcomeAvailability()) == ()
    assert set(unavailable_figures(OutcomeAvailability(caught=False, reasons=("no_caught_source",)))) == {
        N.CAUGHT_IN_ACT_COUNT, N.CAUGHT_IN_ACT_RATE, N.PERSONS_CAUGHT_IN_ACT, N.CAUGHT_IN_ACT_PERSONS_RATE}
    assert set(unavailable_figures(OutcomeAvailability(persons=False, reasons=("no_persons_count",)))) == {
        N.ARRESTS_WITH_PERSONS, N.PERSONS_ARRESTED, N.PERSONS_CAUGHT_IN_ACT, N.CAUGHT_IN_ACT_PERSONS_RATE}
    assert N.ARREST_RATE in unavailable_figures(OutcomeAvailability(False, False, ("no_outcome_column",)))


@pytest.mark.parametrize(
    ("outcome_field", "values", "expected_reason", "expected_rate"),
    [
        ("", ["x", "y"], "no_outcome_column", None),
        ('[fields.outcome]\nsource = "disp"\nmap = { R = "report", C = "cancelled" }\n', ["R", "C"],
         "no_arrest_code", None),
        ('[fields.outcome]\nsource = "disp"\nmap = { R = "report", A = "arrest" }\n', ["R", "R"],
         "no_caught_source;no_persons_count", 0.0),
    ],
)  # fmt: skip
def test_end_to_end_through_an_ingest(tmp_path, minimal_mapping, outcome_field, values, expected_reason, expected_rate):
    src = tmp_path / "calls.csv"
    src.write_text("id,received,disp\n" + "".join(f"{i},2024-03-0{i} 10:00:00,{v}\n" for i, v in enumerate(values, 1)),
                   encoding="utf-8")  # fmt: skip
    mapping = minimal_mapping(fields=outcome_field)
    ds = tmp_path / "ds"
    ingest([src], ds, mapping=mapping, agency="a")
    (report,) = read_reports(ds)
    assert S.OUTCOME_UNKNOWN in report[S.R_OUTCOMES_POSSIBLE]
    frame = read_calls(ds)
    row = outcome_summary(frame).iloc[0]
    assert row[N.NOT_AVAILABLE] == expected_reason
    if expected_rate is None:
        assert math.isnan(row[N.ARREST_RATE])
    else:
        assert row[N.ARREST_RATE] == expected_rate  # the map can say arrest: none in these rows is a real 0


def test_intervals_whose_stamps_no_source_has(tmp_path, minimal_mapping, make_calls):
    from factories import ARRIVED
    from responsestats.metrics import stamps_not_recorded, summarize

    src = tmp_path / "calls.csv"
    src.write_text("id,received,arrived\n1,2024-03-01 10:00:00,2024-03-01 10:05:00\n2,2024-03-02 11:00:00,\n",
                   encoding="utf-8")  # fmt: skip
    ds = tmp_path / "ds"
    ingest([src], ds, mapping=minimal_mapping(fields=ARRIVED), agency="a")
    frame = read_calls(ds)
    names = ["turnout_s", "travel_s", "response_s"]
    # arrival is recorded (empty on one row: that is a missing value, not an absent stamp)
    assert stamps_not_recorded(frame, names) == {"turnout_s": ("dispatched_at", "enroute_at"),
                                                 "travel_s": ("enroute_at",)}  # fmt: skip
    table = summarize(frame, names).set_index(N.INTERVAL)
    assert table.at["turnout_s", N.N] == 0 and pd.isna(table.at["turnout_s", N.MEDIAN_S])  # blank, not 0
    assert table.at["response_s", N.N] == 1
    # a frame built by hand: a stamp column it does not have
    hand = make_calls([dict(received_at=T, dispatched_at=60)]).drop(columns=["enroute_at"])
    assert stamps_not_recorded(hand, ["turnout_s", "call_processing_s"]) == {"turnout_s": ("enroute_at",)}


def test_persons_arrested_beside_incidents(make_calls):
    """The published 80.84% counts persons: incidents with an arrest and persons arrested, side by side."""
    # 4 incidents with an arrest: caught in the act with 1 and 3 persons, later with 2 and (count missing)
    df = make_calls([dict(received_at=T, dispatched_at=60, outcome="arrest", caught_in_act=True, persons_arrested=1),
                     dict(received_at=T, dispatched_at=60, outcome="arrest", caught_in_act=True, persons_arrested=3),
                     dict(received_at=T, dispatched_at=60, outcome="arrest", caught_in_act=False, persons_arrested=2),
                     dict(received_at=T, dispatched_at=60, outcome="arrest", caught_in_act=False),
                     dict(received_at=T, dispatched_at=60, outcome="report")])  # fmt: skip
    row = outcome_summary(df).iloc[0]
    # incidents: 2 caught of 4 arrests = 0.5; persons: (1 + 3) caught of 6 counted = 2/3, over the 3 arrests
    # with a count (the 4th arrest has none and is left out of the persons' figures, not counted as 0)
    assert row[N.ARRESTS] == 4 and row[N.CAUGHT_IN_ACT_RATE] == 0.5
    assert row[N.ARRESTS_WITH_PERSONS] == 3 and row[N.PERSONS_ARRESTED] == 6 and row[N.PERSONS_CAUGHT_IN_ACT] == 4
    assert row[N.CAUGHT_IN_ACT_PERSONS_RATE] == pytest.approx(4 / 6)
    assert row[N.NOT_AVAILABLE] == ""


def test_the_sample_reproduces_the_published_persons_share(sample_dataset):
    from responsestats.briefing.tables.outcomes import published_comparison

    calls = read_calls(sample_dataset)
    row = outcome_summary(calls).iloc[0]
    assert row[N.PERSONS_ARRESTED] == 501 and row[N.PERSONS_CAUGHT_IN_ACT] == 405
    assert round(row[N.CAUGHT_IN_ACT_PERSONS_RATE], 4) == 0.8084  # the article's basis: persons
    assert round(row[N.CAUGHT_IN_ACT_RATE], 4) == 0.8083  # per incident with an arrest: 274 of 339
    table = published_comparison(calls).set_index("metric")
    assert table.at[N.CAUGHT_IN_ACT_PERSONS_RATE, "basis"] == "persons arrested"
    assert abs(table.at[N.CAUGHT_IN_ACT_PERSONS_RATE, "difference"]) < 5e-5
    assert table.at[N.CAUGHT_IN_ACT_PERSONS_RATE, "n"] == 501
