"""The ingest's vectorised paths give exactly what the plain pandas / Python reading gives.

The normaliser reads timestamps with Arrow (``cast`` for ISO layouts after a
character check, ``strptime`` otherwise, pandas for the values where the two
could differ), applies per-value rules once per distinct value, extracts
patterns with RE2 when it reads as Python's ``re``, and finds duplicate records
with 64-bit fingerprints. Each is checked here against the slow, obvious way.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_helpers import examples

from responsestats.ingestion.normalize import _extract, _re2_pattern
from responsestats.ingestion.fingerprints import SeenHashes, row_hashes, text_hashes
from responsestats.ingestion.timestamps import _parse_formats

FORMATS = [
    ("%Y-%m-%d %H:%M:%S",),
    ("%Y-%m-%d %H:%M",),
    ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y%m%d%H%M%S"),
    ("%m/%d/%Y %I:%M:%S %p",),
    ("%m/%d/%y %H:%M",),
]


def pandas_reading(values: list[str | None], formats: tuple[str, ...]) -> tuple[list, list]:
    """The reference: pandas' to_datetime, one format after the other, as the ingest did before."""
    series = pd.Series(values, dtype=object)
    naive = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
    todo = series.notna().to_numpy().copy()
    for fmt in formats:
        parsed = pd.to_datetime(series[todo], format=fmt, errors="coerce")
        ok = parsed.notna().to_numpy()
        idx = np.flatnonzero(todo)[ok]
        naive.iloc[idx] = parsed[ok].astype("datetime64[us]").to_numpy()
        todo[idx] = False
    return naive.tolist(), todo.tolist()


def digits(n: int) -> st.SearchStrategy[str]:
    return st.integers(0, 10**n - 1).map(lambda v: str(v).zfill(n))


#: Texts near the layouts: right and wrong digits, impossible dates (Feb 30, Apr 31, hour 24, second 60),
#: the other separator, unpadded fields, 2-digit years, stray characters.
near_timestamps = st.one_of(
    st.builds(lambda y, mo, d, h, mi, s, sep: f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}",
              st.sampled_from(["2024", "2023", "1900", "2000", "0099", "99", "12024"]),
              st.sampled_from(["01", "02", "04", "12", "13", "00", "1", "2"]),
              st.sampled_from(["01", "28", "29", "30", "31", "32", "00", "5"]),
              st.sampled_from(["00", "09", "23", "24", "9"]), digits(2), st.sampled_from(["00", "59", "60", "7"]),
              st.sampled_from([" ", "T", "  ", "_"])),
    st.builds(lambda y, mo, d, h, mi: f"{y}-{mo}-{d} {h}:{mi}", st.sampled_from(["2024", "2021"]),
              st.sampled_from(["02", "03", "11"]), st.sampled_from(["01", "29", "30", "31"]), digits(2), digits(2)),
    st.builds(lambda mo, d, y, h, mi, s, p: f"{mo}/{d}/{y} {h}:{mi}:{s} {p}", st.sampled_from(["02", "2", "12", "13"]),
              st.sampled_from(["01", "29", "30", "31"]), st.sampled_from(["2024", "2023", "24", "69", "68"]),
              st.sampled_from(["01", "12", "13", "00"]), digits(2), digits(2), st.sampled_from(["AM", "PM", "XM"])),
    st.builds(lambda y, mo, d, h, mi, s: f"{y}{mo}{d}{h}{mi}{s}", st.sampled_from(["2024", "2023"]),
              st.sampled_from(["02", "04", "13"]), st.sampled_from(["28", "29", "30", "31"]), digits(2), digits(2),
              digits(2)),
    st.text(alphabet="0123456789-/: TAPM", max_size=22),
    st.none(),
)


@settings(max_examples=examples(200))
@given(st.lists(near_timestamps, min_size=1, max_size=60), st.sampled_from(FORMATS))
def test_timestamps_read_as_pandas_reads_them(values, formats):
    got, unread = _parse_formats(pa.array(values, pa.string()), formats)
    want, want_unread = pandas_reading(values, formats)
    got_list = [None if np.isnat(v) else pd.Timestamp(v) for v in got]
    want_list = [None if pd.isna(v) else pd.Timestamp(v) for v in want]
    # years pandas cannot hold in nanoseconds (before 1677) are NaT there: the ingest nulls them anyway
    # (outside 1970-2100), so compare only the years the ingest keeps
    for text, g, w, gu, wu in zip(values, got_list, want_list, unread.tolist(), want_unread):
        if g is not None and not 1970 <= g.year <= 2100:
            continue
        assert (g, gu) == (w, wu), text


def test_impossible_dates_are_not_moved_to_the_next_month():
    """Arrow's strptime turns 2023-02-29 into 03-01; the reading must refuse it, as Python does."""
    values = ["2023-02-29 10:00:00", "2024-02-30 10:00:00", "2024-04-31 10:00:00", "2024-02-29 10:00:00",
              "02/30/2024 10:00:00 AM", "2024-02-30 25:61:00", "2024-01-05T09:03:07"]
    got, unread = _parse_formats(pa.array(values), ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M:%S %p"))
    assert unread.tolist() == [True, True, True, False, True, True, True]
    assert str(got[3]) == "2024-02-29T10:00:00.000000"


ascii_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=40)
any_text = st.text(max_size=12)


@settings(max_examples=examples(100))
@given(st.lists(st.one_of(ascii_text, any_text, st.none()), min_size=1, max_size=50), st.integers(0, 49))
def test_a_value_hashes_the_same_in_any_block(values, cut):
    """A value's hash depends on the value alone: not on its neighbours, the block or the path taken."""
    arr = pa.array(values, pa.string())
    whole = text_hashes(arr)
    cut = min(cut, len(values))
    parts = np.concatenate([text_hashes(arr.slice(0, cut)), text_hashes(arr.slice(cut))])
    alone = np.array([text_hashes(pa.array([v], pa.string()))[0] for v in values], np.uint64)
    assert (whole == parts).all() and (whole == alone).all()
    by_value = {}
    for v, h in zip(values, whole.tolist()):
        assert by_value.setdefault(v, h) == h
    assert len(set(by_value.values())) == len(by_value)  # distinct values, distinct hashes


def test_long_text_hashes_as_short_text_does():
    """Values longer than the padding limit go the per-distinct-value way: same hash for the same value."""
    long = "x" * 1000
    mixed = text_hashes(pa.array(["abc", long, None]))
    short = text_hashes(pa.array(["abc", None]))
    assert mixed[0] == short[0] and mixed[2] == short[1]
    assert mixed[1] == text_hashes(pa.array([long]))[0] != mixed[0]


def test_values_longer_than_a_kibibyte_hash_by_blake2b_and_the_same_anywhere():
    """Long values take BLAKE2b (time proportional to their bytes): the same value gives the same hash alone,
    among short values and among other long ones; a one-byte difference at the end changes it."""
    from responsestats.ingestion import fingerprints

    base = "报警内容" * 2000  # 24,000 UTF-8 bytes, far above the limit
    values = ["abc", base, base[:-1] + "x", None, "y" * (fingerprints._LONG_VALUE_BYTES + 1), base]
    together = text_hashes(pa.array(values, pa.string()))
    alone = [text_hashes(pa.array([v], pa.string()))[0] for v in values]
    assert together.tolist() == [int(h) for h in alone]
    assert together[1] == together[5] != together[2]
    assert len({together[0], together[1], together[2], together[3], together[4]}) == 5
    huge = "长" * (3 << 20)  # 9 MiB in one field: one BLAKE2b call, not a word-by-word loop
    assert text_hashes(pa.array([huge, "a"], pa.string()))[0] == text_hashes(pa.array([huge], pa.string()))[0]


def test_rows_differing_in_one_value_differ():
    a = pa.array(["A1", "A1", "A1", None])
    b = pa.array(["x", "x", "y", "x"])
    h = row_hashes([text_hashes(a), text_hashes(b)], 4)
    assert h[0] == h[1] and len({h[0], h[2], h[3]}) == 3


@pytest.mark.parametrize("run_limit", [1 << 20, 8192])
def test_seen_hashes_finds_earlier_fingerprints_exactly(run_limit, monkeypatch):
    from responsestats.ingestion import fingerprints as rowhash

    monkeypatch.setattr(rowhash, "_RUN_LIMIT", run_limit)
    rng = np.random.default_rng(7)
    seen = SeenHashes()
    blocks = [rng.integers(0, 2**63, 5000, dtype=np.int64).astype(np.uint64) for _ in range(40)]
    for k, block in enumerate(blocks):
        queries = np.concatenate([block, blocks[k - 1][:30] if k else block[:0], blocks[0][-7:] if k else block[:0]])
        found = seen.contains(queries)
        assert not found[:len(block)].any()
        assert found[len(block):].all()
        seen.add(block)
    assert len(seen) == 40 * 5000
    assert max(len(r) for r in seen._runs) <= run_limit


@pytest.mark.parametrize("pattern", [
    r"^\s*\(?\s*(?P<latitude>-?\d+(?:\.\d+)?)",
    r"(?P<longitude>-?\d+(?:\.\d+)?)\s*\)?\s*$",
    r"\d+",
    r"(?P<code>[A-Z]{1,3})-",
])
def test_extract_with_re2_matches_python(pattern):
    compiled = re.compile(pattern)
    assert _re2_pattern(compiled) is not None
    values = ["(37.7749, -122.4194)", " ( 37 , -122 ) ", "POINT (-122.4 37.7)", "x", "", None, "AB-12", "ABCD-9",
              "(1.5, 2.5)y", "-0.0001"]
    got, no_match = _extract(pa.array(values, pa.string()), compiled)
    series = pd.Series(values, dtype=object)
    whole = compiled if compiled.groups else re.compile(f"({pattern})")
    want = series.str.extract(whole, expand=True).iloc[:, 0]
    assert got.to_pylist() == [None if pd.isna(v) else v for v in want]
    assert no_match.tolist() == (series.notna() & want.isna()).tolist()


def test_patterns_re2_may_read_differently_stay_with_python():
    assert _re2_pattern(re.compile(r"(\d+)-(?P<b>\d+)")) is None  # an unnamed group: Arrow would drop it
    assert _re2_pattern(re.compile(r"(?P<a>\d+)", re.IGNORECASE)) is None
    got, _ = _extract(pa.array(["٣٤"], pa.string()), re.compile(r"(?P<n>\d+)"))  # non-ASCII: Python's \d
    assert got.to_pylist() == ["٣٤"]


def test_a_dictionary_encoding_is_used_only_for_its_own_array():
    """The cleaned-column encodings are found by identity: an equal or a later array never gets one."""
    from responsestats.ingestion.normalize import _encoding_of

    a = pa.array(["城区", "郊区", "城区"])
    encoded = {id(a): (a, pc.dictionary_encode(a))}
    assert _encoding_of(a, encoded) is encoded[id(a)][1]
    assert _encoding_of(pa.array(["城区", "郊区", "城区"]), encoded) is None
    fake = {id(a) + 1: (a, encoded[id(a)][1])}  # an entry whose key does not belong to the array asked about
    assert _encoding_of(a, fake) is None
