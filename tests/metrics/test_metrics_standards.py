"""Standard profiles: exact numbers of the standards, validation, extension, attainment."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from responsestats import schema as S
from responsestats.errors import UserError
from responsestats.metrics import attainment, list_standards, load_standard, row_targets, standard_from_dict
from responsestats.metrics import names as N


def _targets(name: str) -> dict[str, tuple]:
    return {t.id: (t.interval, t.target_s, t.required_share) for t in load_standard(name).targets}


def test_builtin_profiles_are_listed():
    assert set(list_standards()) >= {"nfpa1710", "nfpa1221-2016", "nfpa1225-2022", "cn110"}


def test_nfpa1710_numbers():
    # NFPA 1710 (2020) 4.1.2.1(2): turnout 60 s EMS, 80 s fire (not 90 s);
    # 4.1.2.1(3)/(6): first-unit travel 240 s (not 90 s); 4.1.2.4: 90 percent.
    t = _targets("nfpa1710")
    assert t["turnout_ems"] == (N.TURNOUT_S, 60.0, 0.90)
    assert t["turnout_fire"] == (N.TURNOUT_S, 80.0, 0.90)
    assert t["travel_first_unit"] == (N.TRAVEL_S, 240.0, 0.90)


def test_nfpa1221_2016_and_nfpa1225_2022_numbers():
    # NFPA 1221 (2016) 7.4: alarm processing 64 s at 90 %, 106 s at 95 %; 7.4.1: answering 15 s at 95 %,
    # 40 s at 99 %
    assert sorted(_targets("nfpa1221-2016").values()) == [
        (N.ANSWERING_S, 15.0, 0.95),
        (N.ANSWERING_S, 40.0, 0.99),
        (N.CALL_PROCESSING_S, 64.0, 0.90),
        (N.CALL_PROCESSING_S, 106.0, 0.95),
    ]
    # NFPA 1225 (2022): alarm processing 60 s at 90 %; answering 10 s at 90 % (from the start of the call)
    assert list(_targets("nfpa1225-2022").values()) == [(N.CALL_PROCESSING_S, 60.0, 0.90),
                                                        (N.ANSWERING_S, 10.0, 0.90)]
    # the processing target stays the first, so the briefing's headline interval is unchanged
    assert load_standard("nfpa1221-2016").intervals[0] == N.CALL_PROCESSING_S


def test_nena_answering_numbers():
    # NENA-STA-020.1-2020: 90 % of calls answered within 15 s, 95 % within 20 s
    assert list(_targets("nena-sta-020.1-2020").values()) == [(N.ANSWERING_S, 15.0, 0.90),
                                                              (N.ANSWERING_S, 20.0, 0.95)]
    assert "nena-sta-020.1-2020" in list_standards()


def test_cn110_numbers():
    # 110 接处警规范 art. 23: 城区 5 min, 城郊 10 min, 农村 as fast as possible (no number); arrival from dispatch
    std = load_standard("cn110")
    by_area = {next(iter(t.when[0].values)): (t.interval, t.target_s, t.required_share) for t in std.targets}
    assert by_area == {
        "urban": (N.DISPATCH_TO_ARRIVAL_S, 300.0, None),
        "suburban": (N.DISPATCH_TO_ARRIVAL_S, 600.0, None),
        "rural": (N.DISPATCH_TO_ARRIVAL_S, None, None),
    }
    assert all(t.when[0].column == S.AREA_CLASS for t in std.targets)


@pytest.mark.parametrize(
    "data, key",
    [
        ({"standard": {"name": "x"}, "target": []}, "'target'"),
        ({"standard": {"name": "x", "year": 2020}, "targets": []}, "'year'"),
        ({"targets": [{"interval": "turnout_s", "target_s": 60, "share": 0.9}]}, "'share'"),
        ({"targets": [{"interval": "turnout_s", "target_s": 60, "when": {"callgroup": ["ems"]}}]}, "'callgroup'"),
        ({"targets": [{"interval": "turnout_s", "target_s": 60, "when": {"call_group": {"among": ["x"]}}}]},
         "'among'"),
    ],
)
def test_unknown_keys_are_named(data, key):
    with pytest.raises(UserError, match=f"unknown key {key}"):
        standard_from_dict(data, "mine.toml")


def test_invalid_values_are_rejected():
    with pytest.raises(UserError, match="required_share"):
        standard_from_dict({"targets": [{"interval": "travel_s", "target_s": 240, "required_share": 90}]})
    with pytest.raises(UserError, match="target_s"):
        standard_from_dict({"targets": [{"interval": "travel_s", "target_s": -1}]})
    with pytest.raises(UserError, match="unknown interval"):
        standard_from_dict({"targets": [{"interval": "drive_s", "target_s": 1}]})


def test_user_file_extends_a_builtin(tmp_path):
    path = tmp_path / "county.toml"
    path.write_text(
        """
[standard]
name = "county"
extends = "nfpa1710"

[[targets]]
id = "turnout_ems"
interval = "turnout_s"
target_s = 70
required_share = 0.9
when = { call_group = ["Medical"] }

[[targets]]
id = "call_processing"
interval = "call_processing"
target_s = 90
""",
        encoding="utf-8",
    )
    std = load_standard(str(path))
    assert std.name == "county"
    t = {x.id: x for x in std.targets}
    assert list(t) == ["turnout_ems", "turnout_fire", "travel_first_unit", "call_processing"]
    assert t["turnout_ems"].target_s == 70
    assert t["turnout_fire"].target_s == 80
    assert t["call_processing"].interval == N.CALL_PROCESSING_S and t["call_processing"].required_share is None
    bad = tmp_path / "bad.toml"
    bad.write_text('[standard]\nname = "b"\nextends = "nfpa1710"\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(UserError, match="unknown key 'colour'.*bad.toml|bad.toml.*unknown key 'colour'"):
        load_standard(bad)


def test_attainment_cn110_percentile_at_target(make_calls):
    # Urban dispatch-to-arrival [s]: 100, 150, 200, 250, 300, 360 -> 5 of 6 within 300 s (<=):
    #   share 0.8333, the target sits at the 83rd percentile. Suburban: 500, 700 -> 1/2.
    #   Rural: no numeric target. The rule sets no share, so `met` is missing.
    rows = [dict(received_at="2024-07-01 09:00", dispatched_at=0, arrived_at=s, area_class="urban")
            for s in (100, 150, 200, 250, 300, 360)]
    rows += [dict(received_at="2024-07-01 09:00", dispatched_at=0, arrived_at=s, area_class="suburban")
             for s in (500, 700)]
    rows += [dict(received_at="2024-07-01 09:00", dispatched_at=0, arrived_at=1500, area_class="rural")]
    out = attainment(make_calls(rows), "cn110").set_index(N.TARGET_ID)
    urban = out.loc["arrival_urban"]
    assert urban[N.N] == 6 and urban[N.N_WITHIN] == 5
    assert urban[N.SHARE_WITHIN] == pytest.approx(5 / 6)
    assert math.floor(urban[N.PERCENTILE_AT_TARGET]) == 83
    assert urban[N.MET] is pd.NA
    assert out.loc["arrival_suburban", N.SHARE_WITHIN] == 0.5
    rural = out.loc["arrival_rural"]
    assert rural[N.N] == 1 and math.isnan(rural[N.SHARE_WITHIN]) and math.isnan(rural[N.TARGET_S])


def test_attainment_nfpa1221_met_and_value_at_required(make_calls):
    # Call processing 10, 20, ..., 100 s.
    #   64 s: 6 of 10 within -> 0.6 < 0.90: not met; value at p90 (linear, h = 8.1) = 90 + 0.1 * 10 = 91
    #   106 s: 10 of 10 -> 1.0 >= 0.95: met; value at p95 (h = 8.55) = 90 + 0.55 * 10 = 95.5
    rows = [dict(received_at="2024-07-01 09:00", dispatched_at=s) for s in range(10, 101, 10)]
    out = attainment(make_calls(rows), "nfpa1221-2016").set_index(N.TARGET_ID)
    assert out.loc["call_processing_90", N.SHARE_WITHIN] == pytest.approx(0.6)
    assert not out.loc["call_processing_90", N.MET]
    assert out.loc["call_processing_90", N.VALUE_AT_REQUIRED_S] == pytest.approx(91.0)
    assert out.loc["call_processing_95", N.SHARE_WITHIN] == 1.0
    assert out.loc["call_processing_95", N.MET]
    assert out.loc["call_processing_95", N.VALUE_AT_REQUIRED_S] == pytest.approx(95.5)
    assert out.loc["call_processing_90", N.PERCENTILE_AT_TARGET] == pytest.approx(60.0)


# --- the population a standard grades (issue 18, part 6) -----------------------------------------------------
def test_cn110_grades_urgent_calls(make_calls):
    # The profile's rule is for urgent calls (紧急警情): population = { priority = ["一级"] }, on every target.
    std = load_standard("cn110")
    assert [(c.column, sorted(c.values), c.negate) for c in std.population] == [(S.PRIORITY, ["一级"], False)]
    assert all(t.population == std.population for t in std.targets) and S.PRIORITY in std.condition_columns
    # Urban dispatch-to-arrival [s]: 一级 100, 400; 二级 200; no priority recorded 350 (graded: it may be urgent).
    rows = [dict(received_at="2024-07-01 09:00", dispatched_at=0, arrived_at=s, area_class="urban", priority=p)
            for s, p in ((100, "一级"), (400, "一级"), (200, "二级"), (350, None))]
    frame = make_calls(rows)
    assert list(std.in_population(frame)) == [True, True, False, True]
    urban = attainment(frame, "cn110").set_index(N.TARGET_ID).loc["arrival_urban"]
    # 一级 and unrecorded: 100 (within 300 s), 400, 350: 1 of 3; the 二级 call is not graded
    assert (urban[N.N_POPULATION], urban[N.N], urban[N.N_WITHIN]) == (3, 3, 1)
    assert list(row_targets(frame, std, N.DISPATCH_TO_ARRIVAL_S)) == [300.0, 300.0, pytest.approx(float("nan"), nan_ok=True), 300.0]


def test_population_is_inherited_replaced_or_cleared_by_extends(tmp_path):
    base = load_standard("cn110")
    inherits = standard_from_dict({"standard": {"name": "a", "extends": "cn110"}}, "a.toml")
    assert inherits.population == base.population and inherits.targets[0].population == base.population
    other = standard_from_dict({"standard": {"name": "b", "extends": "cn110",
                                             "population": {"priority": ["1", "紧急"]}}}, "b.toml")  # fmt: skip
    assert [sorted(c.values) for c in other.population] == [["1", "紧急"]]
    assert other.population[0].shown == ("1", "紧急")  # as written, for the briefing's words
    assert all(t.population == other.population for t in other.targets)
    every = standard_from_dict({"standard": {"name": "c", "extends": "cn110", "population": {}}}, "c.toml")
    assert every.population == () and all(t.population == () for t in every.targets)
    path = tmp_path / "zz110.toml"
    path.write_text('[standard]\nname = "zz110"\nextends = "cn110"\npopulation = { priority = { not_in = ["三级"] } }\n',
                    encoding="utf-8")
    negated = load_standard(path)
    assert negated.population[0].negate and negated.population[0].values == frozenset({"三级"})


def test_a_bad_population_is_named():
    with pytest.raises(UserError, match=r"unknown key 'urgency' in \[standard\]\.population"):
        standard_from_dict({"standard": {"population": {"urgency": ["1"]}},
                            "targets": [{"interval": "travel_s", "target_s": 240}]}, "p.toml")  # fmt: skip
    with pytest.raises(UserError, match="population must be a table"):
        standard_from_dict({"standard": {"population": ["一级"]},
                            "targets": [{"interval": "travel_s", "target_s": 240}]}, "p.toml")  # fmt: skip
    with pytest.raises(UserError, match="unknown key 'among'"):
        standard_from_dict({"standard": {"population": {"priority": {"among": ["1"]}}},
                            "targets": [{"interval": "travel_s", "target_s": 240}]}, "p.toml")  # fmt: skip


# --- a standard grades only the population it applies to (issue 13, part 3) -----------------------------------
# A PSAP's incidents, all dispatched at 0 s (times in seconds after received):
#   group    turnout  travel   NFPA 1710
#   police   100      100      not applicable (not a fire or EMS group)
#   police   20       500      not applicable
#   Fire     70       200      fire turnout 80 s: within; travel 240 s: within
#   Alarm    90       300      fire turnout (by catch-all): over; travel: over
#   EMS      50       230      EMS turnout 60 s: within; travel: within
#   (none)   30       100      in the population (no group recorded): no turnout target; travel within
# turnout: n 6, n_target 3 (Fire, Alarm, EMS), within 2 -> 2/3; n_not_applicable 2
# travel:  n 6, n_target 4, within 3 -> 3/4; n_not_applicable 2
# Before populations, police was graded by the catch-all fire target: turnout 4/5 rows graded, 3 within.
PSAP = [("police", 100, 100), ("police", 20, 500), ("Fire", 70, 200), ("Alarm", 90, 300), ("EMS", 50, 230),
        (None, 30, 100)]  # fmt: skip


@pytest.fixture
def psap(make_calls):
    return make_calls([dict(received_at="2024-05-01 10:00", dispatched_at=0, enroute_at=t, arrived_at=t + tr,
                            call_group=g) for g, t, tr in PSAP])  # fmt: skip


def test_nfpa1710_does_not_grade_police_incidents(psap):
    from responsestats.metrics import summarize

    out = summarize(psap, [N.TURNOUT_S, N.TRAVEL_S], standard="nfpa1710").set_index(N.INTERVAL)
    assert out.at[N.TURNOUT_S, N.N] == 6 and out.at[N.TURNOUT_S, N.N_TARGET] == 3
    assert out.at[N.TURNOUT_S, N.WITHIN_TARGET_SHARE] == pytest.approx(2 / 3)
    assert out.at[N.TURNOUT_S, N.N_NOT_APPLICABLE] == 2
    assert out.at[N.TRAVEL_S, N.N_TARGET] == 4 and out.at[N.TRAVEL_S, N.WITHIN_TARGET_SHARE] == pytest.approx(0.75)
    assert out.at[N.TRAVEL_S, N.N_NOT_APPLICABLE] == 2
    # a standard with no population grades every call: nothing is not applicable
    plain = summarize(psap, [N.TRAVEL_S], target_s=240).iloc[0]
    assert plain[N.N_TARGET] == 6 and plain[N.N_NOT_APPLICABLE] == 0


def test_attainment_counts_the_calls_a_standard_does_not_apply_to(psap):
    out = attainment(psap, "nfpa1710", by=S.CALL_GROUP)
    police = out[out[S.CALL_GROUP] == "police"]
    assert (police[N.N_POPULATION] == 0).all() and (police[N.N_NOT_APPLICABLE] == 2).all()
    fire = out[(out[S.CALL_GROUP] == "Fire") & (out[N.TARGET_ID] == "turnout_fire")].iloc[0]
    assert fire[N.N_POPULATION] == 1 and fire[N.N_NOT_APPLICABLE] == 0 and fire[N.N_WITHIN] == 1


def test_coverage_names_the_groups_left_out_and_those_a_catch_all_took(psap):
    from responsestats.metrics import coverage

    cov = coverage(psap, "nfpa1710")
    assert cov.n_rows == 6 and cov.n_not_applicable == 2
    assert cov.not_applicable == {S.CALL_GROUP: {"police": 2}}
    assert cov.catch_all == {"turnout_fire": (S.CALL_GROUP, {"Alarm": 1, "Fire": 1})}
    lines = cov.lines(what="incidents")
    assert lines[0].startswith("nfpa1710 does not apply to 2 of 6 incidents") and "police 2" in lines[0]
    assert "turnout_fire took by catch-all" in lines[1] and "Alarm 1, Fire 1" in lines[1]
    # nothing to say for a standard that grades every call and has no catch-all
    assert coverage(psap, "nfpa1221-2016").lines() == []
