"""Durations that cannot be misread: which pattern wins where several fit, and columns reported as ambiguous.

docs/mappings.md, *Durations that fit several patterns*; docs/reliability.md, *A duration is never misread silently*.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from responsestats import ingest, read_calls
from responsestats import schema as S
from responsestats.errors import MappingError
from responsestats.formats.mapping import load_mapping, parse_mapping
from responsestats.ingestion.timestamps import _parse_durations
from responsestats.sources import csvchunks

from conftest import write_csv
from factories import ARRIVED, write_mapping

HEADER = ["id", "received", "arrived", "on_scene"]


def _mapping(tmp_path, formats: list[str], overlap: str | None = None, name: str = "m.toml"):
    lines = f'[fields.cleared_at]\nsource = "on_scene"\nafter = "arrived_at"\nduration_formats = {formats!r}\n'
    if overlap is not None:
        lines += f'duration_overlap = "{overlap}"\n'
    return write_mapping(tmp_path / name, name="dur", timezone="UTC", format_extra='level = "incident"\n',
                         fields=ARRIVED + lines.replace("'", '"'))


def _file(tmp_path, values: list[str], name: str = "calls.csv"):
    rows = [[f"C{i}", "2024-03-01 10:00:00", "2024-03-01 10:10:00", v] for i, v in enumerate(values)]
    return write_csv(tmp_path / name, HEADER, rows)


def _on_scene_s(out) -> list[float]:
    calls = read_calls(out).sort_values(S.SOURCE_ROW)
    return ((calls[S.CLEARED_AT] - calls[S.ARRIVED_AT]).dt.total_seconds()).tolist()


#: The issue's export: Excel turned on-scene MM:SS into HH:MM:00, and the mapping lists H:MM:SS first.
MANGLED = ["27:10:00", "27:10:00", "31:05:00", "45:00:00", "12:30:00", "1:02:03", "4:05"]


def test_an_excel_mangled_column_read_in_hours_is_reported_as_ambiguous(tmp_path):
    mapping = _mapping(tmp_path, ["H:MM:SS", "MM:SS:00", "M:SS"])
    res = ingest([_file(tmp_path, MANGLED)], tmp_path / "ds", mapping=mapping)
    # the first declared pattern wins (the default rule): 27:10:00 is 27 h 10 min ...
    assert _on_scene_s(tmp_path / "ds") == [97800, 97800, 111900, 162000, 45000, 3723, 245]
    report = res.files[0]
    # ... and the four values that MM:SS:00 reads under an hour and H:MM:SS over a day are reported
    assert report[S.R_AMBIGUOUS_DURATIONS] == {S.CLEARED_AT: {
        S.R_I_ROWS: 4, S.R_I_READ_AS: {"H:MM:SS": 4}, S.R_I_OVER_A_DAY_AS: {"H:MM:SS": 4},
        S.R_I_UNDER_AN_HOUR_AS: {"MM:SS:00": 4}, S.R_I_EXAMPLES: ["27:10:00", "31:05:00", "45:00:00"]}}
    assert report[S.R_REPAIRS][S.CLEARED_AT] == {"duration_h_mm_ss": 6, "duration_m_ss": 1}
    line = res.summary_line()
    assert ("ambiguous_durations: cleared_at 4 read as H:MM:SS (over a day; MM:SS:00 reads under an hour), "
            "e.g. '27:10:00', '31:05:00'") in line


def test_the_plausible_rule_reads_those_values_under_an_hour(tmp_path):
    mapping = _mapping(tmp_path, ["H:MM:SS", "MM:SS:00", "M:SS"], overlap="plausible")
    res = ingest([_file(tmp_path, MANGLED)], tmp_path / "ds", mapping=mapping)
    # 27:10:00 -> 27 min 10 s; 12:30:00 fits both but both readings are plausible: the first (12 h 30 min)
    assert _on_scene_s(tmp_path / "ds") == [1630, 1630, 1865, 2700, 45000, 3723, 245]
    entry = res.files[0][S.R_AMBIGUOUS_DURATIONS][S.CLEARED_AT]
    assert entry[S.R_I_ROWS] == 4 and entry[S.R_I_READ_AS] == {"MM:SS:00": 4}
    assert res.files[0][S.R_REPAIRS][S.CLEARED_AT] == {
        "duration_h_mm_ss": 2, "duration_m_ss": 1, "duration_mm_ss_00_read_as_minutes_seconds": 4}
    assert "cleared_at 4 read as MM:SS:00 (under an hour; H:MM:SS reads over a day)" in res.summary_line()


def test_the_declared_order_is_the_rule_and_is_still_reported(tmp_path):
    mapping = _mapping(tmp_path, ["MM:SS:00", "H:MM:SS", "M:SS"])
    res = ingest([_file(tmp_path, MANGLED)], tmp_path / "ds", mapping=mapping)
    assert _on_scene_s(tmp_path / "ds") == [1630, 1630, 1865, 2700, 750, 3723, 245]
    assert res.files[0][S.R_AMBIGUOUS_DURATIONS][S.CLEARED_AT][S.R_I_READ_AS] == {"MM:SS:00": 4}


@pytest.mark.parametrize("formats, values, ambiguous, read", [
    (["M:SS", "H:MM"], ["45:30", "4:05"], ["45:30"], [2730.0, 245.0]),       # 45 min 30 s or 45 h 30 min
    (["seconds", "minutes"], ["1500", "90"], ["1500"], [1500.0, 90.0]),     # 25 min or 25 h
    (["M:SS", "H:MM:SS"], ["59:59", "30:00:00"], [], [3599.0, 108000.0]),  # no value fits both
])
def test_every_pair_of_overlapping_patterns_is_checked(formats, values, ambiguous, read):
    spec = parse_mapping({"format": {"name": "x", "timezone": "UTC"}, "fields": {
        "incident_id": "id", "received_at": {"source": "r", "formats": ["%Y"]},
        "arrived_at": {"source": "a", "after": "received_at", "duration_formats": formats}}}).fields[S.ARRIVED_AT]
    seconds, unparseable, findings = _parse_durations(pa.array(values, pa.string()), spec)
    assert seconds.tolist() == read and not unparseable.any()
    flagged = [v for f in findings if f[0] == S.R_AMBIGUOUS_DURATIONS for v, m in zip(values, f[3]) if m]
    assert flagged == ambiguous


def test_a_column_without_disagreement_is_not_reported(tmp_path):
    res = ingest([_file(tmp_path, ["4:05", "1:02:03", "12:30:00"])], tmp_path / "ds",
                 mapping=_mapping(tmp_path, ["M:SS", "H:MM:SS", "MM:SS:00"]))
    assert res.files[0][S.R_AMBIGUOUS_DURATIONS] == {}
    assert "ambiguous_durations" not in res.summary_line()


def test_ambiguous_values_are_counted_on_kept_rows_only(tmp_path):
    rows = [["C1", "2024-03-01 10:00:00", "2024-03-01 10:10:00", "27:10:00"],
            ["", "2024-03-01 10:00:00", "2024-03-01 10:10:00", "31:05:00"]]  # quarantined: no id
    path = write_csv(tmp_path / "calls.csv", HEADER, rows)
    res = ingest([path], tmp_path / "ds", mapping=_mapping(tmp_path, ["H:MM:SS", "MM:SS:00"]))
    entry = res.files[0][S.R_AMBIGUOUS_DURATIONS][S.CLEARED_AT]
    assert entry[S.R_I_ROWS] == 1 and entry[S.R_I_EXAMPLES] == ["27:10:00"]


@pytest.mark.parametrize("chunk", [64, None])
def test_the_report_does_not_depend_on_the_blocks(tmp_path, monkeypatch, chunk):
    if chunk is not None:
        monkeypatch.setattr(csvchunks, "CHUNK_BYTES", chunk)
    values = [f"{m}:{s:02d}:00" for m in range(20, 60) for s in (0, 15, 30)]
    res = ingest([_file(tmp_path, values)], tmp_path / "ds", mapping=_mapping(tmp_path, ["H:MM:SS", "MM:SS:00"]))
    entry = res.files[0][S.R_AMBIGUOUS_DURATIONS][S.CLEARED_AT]
    # 24:15:00 to 59:30:00: over a day as H:MM:SS, under an hour as MM:SS:00 (24:00:00 is a day, not over it)
    assert entry[S.R_I_ROWS] == 36 * 3 - 1
    assert len(entry[S.R_I_EXAMPLES]) == 5


@pytest.mark.parametrize("extra, message", [
    ('duration_overlap = "shortest"', r"duration_overlap: 'shortest' is not one of \['first', 'plausible'\]"),
])
def test_a_bad_overlap_rule_fails_at_load(tmp_path, extra, message):
    path = _mapping(tmp_path, ["H:MM:SS", "MM:SS:00"])
    path.write_text(path.read_text(encoding="utf-8").replace('duration_formats = ["H:MM:SS", "MM:SS:00"]\n',
                                                             f'duration_formats = ["H:MM:SS", "MM:SS:00"]\n{extra}\n'),
                    encoding="utf-8")
    with pytest.raises(MappingError, match=message):
        load_mapping(path)


def test_an_overlap_rule_needs_a_duration(tmp_path):
    path = write_mapping(tmp_path / "m.toml", name="dur", timezone="UTC",
                         fields=ARRIVED.replace('formats = ["%Y-%m-%d %H:%M:%S"]\n',
                                                'formats = ["%Y-%m-%d %H:%M:%S"]\nduration_overlap = "plausible"\n'))
    with pytest.raises(MappingError, match="'duration_overlap' applies only to a duration"):
        load_mapping(path)


def test_durations_read_as_before_where_one_pattern_fits(tmp_path):
    """The per-value reading gives what the first-match loop gave: every pattern, missing and unreadable values."""
    values = ["4:05", "1:02:03", "12:30:00", "90", "2.5", "", "x", "7:65", "100000000000000000000000"]
    res = ingest([_file(tmp_path, values)], tmp_path / "ds",
                 mapping=_mapping(tmp_path, ["M:SS", "MM:SS:00", "H:MM:SS", "seconds"]))
    got = _on_scene_s(tmp_path / "ds")
    want = [245, 3723, 750, 90, 2.5, float("nan"), float("nan"), float("nan"), float("nan")]
    assert pd.Series(got).equals(pd.Series(want, dtype=float))
    assert res.files[0][S.R_VALUES_NULLED][S.CLEARED_AT] == {"out_of_range": 1, "unparseable": 2}
