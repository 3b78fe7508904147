"""Timestamp stages: parse local text, apply the repair rules, convert to UTC.

Everything is driven by the mapping's :class:`~responsestats.formats.mapping.FieldSpec`
of each stage; there are no per-agency branches. The steps, per block:

1. :func:`parse_stage` reads each stage's text as a naive local wall time:
   ``formats`` tried in order, an optional zone suffix (``20240315092336PD``)
   whose UTC offset is kept, an optional ``date_source`` column for clock-only
   times, or a duration text counted from an earlier stage (``after``).
2. :func:`resolve_stages` walks the stages in response order, adds the
   durations to their base stage, and applies the midnight-rollover repair.
3. :func:`localize_stage` converts wall time to UTC: the data's own offset
   where it has one (counting where it disagrees with the configured zone),
   else the configured zone, resolving DST gaps and folds deterministically.
   An instant later than the ingest's clock plus :data:`FUTURE_TOLERANCE_S`
   (a mistyped year: 2042) is out of range, as a year outside
   :data:`VALID_YEARS` is.

Every repair is returned as a finding ``(R_REPAIRS, field, rule, mask, None)``
(:data:`responsestats.schema.R_REPAIRS`, the report's section), counted per
column and rule in the ingest report (on kept rows only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema as S
from ..formats.mapping import (
    DURATION_FORMATS,
    DURATION_IMPLAUSIBLE_ABOVE_S,
    DURATION_PLAUSIBLE_BELOW_S,
    OVERLAP_PLAUSIBLE,
    ROLLOVER_STAGES,
    STAGE_ORDER,
    FieldSpec,
)

#: Parsed timestamps outside these years are treated as unusable values.
VALID_YEARS = (1970, 2100)
_FIRST_VALID = np.datetime64(f"{VALID_YEARS[0]:04d}-01-01", "us")
_AFTER_VALID = np.datetime64(f"{VALID_YEARS[1] + 1:04d}-01-01", "us")
#: Instants later than the ingest's clock (:func:`ingest_clock`) plus this are treated as out of range, as
#: years outside ``VALID_YEARS`` are [s]: one day, for a source clock a little ahead of the machine's.
#: The comparison is in UTC, so it does not depend on the agency's zone.
FUTURE_TOLERANCE_S = 86400.0
#: Durations (``after``) longer than this are treated as out of range [s] (ten years; a
#: longer one would also overflow the timestamp arithmetic).
MAX_DURATION_S = 10 * 366 * 86400.0

VALUE_UNPARSEABLE = "unparseable"
VALUE_OUT_OF_RANGE = "out_of_range"
VALUE_DATE_MISSING = "date_missing"
VALUE_BASE_MISSING = "base_stage_missing"
REPAIR_DST_AMBIGUOUS = "dst_ambiguous_resolved_earlier"
REPAIR_DST_NONEXISTENT = "dst_nonexistent_shifted_forward"
REPAIR_ROLLOVER = "midnight_rollover_day_added"
REPAIR_OFFSET_WINS = "zone_suffix_offset_differs_from_timezone"
#: A 60th second (a leap second, ``23:59:60``) reads as the first second of the next minute.
REPAIR_LEAP_SECOND = "leap_second_read_as_next_minute"

#: A later stage this much (or more) before the preceding stage, and at most a day, is rolled over.
ROLLOVER_MIN_GAP = pd.Timedelta(hours=12)
ROLLOVER_MAX_GAP = pd.Timedelta(hours=24)

#: Extra formats tried for values of typed sources (Excel, Parquet), which readers render as ISO text.
TYPED_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d")
TYPED_TIME_FORMATS = ("%H:%M:%S", "%H:%M:%S.%f")
#: Readers of typed sources render zone-aware instants in UTC with this suffix.
TYPED_SUFFIXES = {"Z": 0}


@dataclass
class Stage:
    """One timestamp field of one block, while it is being built.

    Attributes
    ----------
    name : str
        Canonical field.
    naive : pandas.Series
        Local wall time [datetime64[us]], NaT where none.
    offset : numpy.ndarray
        The data's own UTC offset [s] where a zone suffix gave one, else NaN.
    missing : numpy.ndarray
        The source value is absent [bool].
    unusable : numpy.ndarray
        The source value is present but cannot be used [bool].
    column : str or None
        The source column (named in the quarantine).
    raw : pyarrow.Array
        The source text (the quarantine's raw value).
    duration : numpy.ndarray or None
        For a stage given as a duration: seconds after ``after`` [s], NaN where none.
    date_column : str or None
        For a clock-only time: the ``date_source`` column.
    date_raw : pyarrow.Array or None
        Its text.
    date_missing, date_unusable : numpy.ndarray or None
        Rows whose time is present but whose date is absent / unusable [bool]
        (also included in ``missing`` / ``unusable``).
    instant : numpy.ndarray or None
        Rows that were zone-aware typed values (exact instants) [bool].
    out_of_range : numpy.ndarray or None
        Rows read as a time outside :data:`VALID_YEARS` or after :func:`latest_valid` [bool] (also in
        ``unusable``): a required stage quarantines them as ``out_of_range_required_timestamp``.
    findings : list
        Value-level findings ``(bucket, field, kind, mask, values)``.
    """

    name: str
    naive: pd.Series
    offset: np.ndarray
    missing: np.ndarray
    unusable: np.ndarray
    column: str | None
    raw: pa.Array
    duration: np.ndarray | None = None
    date_column: str | None = None
    date_raw: pa.Array | None = None
    date_missing: np.ndarray | None = None
    date_unusable: np.ndarray | None = None
    instant: np.ndarray | None = None
    out_of_range: np.ndarray | None = None
    findings: list = field(default_factory=list)


def parse_stage(spec: FieldSpec, values: pa.Array, column: str | None, date_values: pa.Array | None = None,
                typed: bool = False, date_column: str | None = None) -> Stage:
    """Read one stage's source text as naive local time (or a duration).

    Parameters
    ----------
    spec : FieldSpec
        The stage's mapping.
    values : pyarrow.Array
        Source text, null where missing.
    column : str or None
        Source column name (None when the file lacks it).
    date_values : pyarrow.Array, optional
        Text of the ``date_source`` column, for clock-only times.
    date_column : str, optional
        Name of that column.
    typed : bool
        The source has typed cells (Excel, Parquet): ISO renderings are accepted too.
    """
    n = len(values)
    present = _present(values)
    offset = np.full(n, np.nan)
    if spec.after is not None:
        seconds, unparseable, found = _parse_durations(values, spec)
        too_long = ~(seconds <= MAX_DURATION_S) & ~np.isnan(seconds)  # inf too
        seconds[too_long] = np.nan
        stage = Stage(spec.name, pd.Series(np.full(n, np.datetime64("NaT"), "datetime64[us]")), offset,
                      ~present, unparseable | too_long, column, values, duration=seconds)
        stage.findings.extend(found)
        stage.findings.append((S.R_VALUES_NULLED, spec.name, VALUE_UNPARSEABLE, unparseable, None))
        stage.findings.append((S.R_VALUES_NULLED, spec.name, VALUE_OUT_OF_RANGE, too_long, None))
        return stage

    text = values
    instant = np.zeros(n, bool)  # typed zone-aware values: exact instants, never "disagreeing"
    if typed or spec.zone_suffixes:  # rare paths, on pandas text
        text = text_series(values)
    if typed:
        for suffix, seconds in TYPED_SUFFIXES.items():
            hit = text.str.match(r"^\d{4}-\d{2}-\d{2} [\d:.]+" + suffix + "$").fillna(False).to_numpy(bool)
            if hit.any():
                text = text.copy()
                text[hit] = text[hit].str[: -len(suffix)]
                offset[hit] = seconds
                instant |= hit
    if spec.zone_suffixes:
        text = text.copy()
        for suffix in sorted(spec.zone_suffixes, key=len, reverse=True):
            hit = (text.str.endswith(suffix).fillna(False).to_numpy(bool)) & np.isnan(offset)
            if hit.any():
                text[hit] = text[hit].str[: -len(suffix)].str.rstrip()
                offset[hit] = spec.zone_suffixes[suffix]
    formats = spec.formats
    if typed:
        formats = formats + (TYPED_TIME_FORMATS if spec.date_source else TYPED_FORMATS)
    if isinstance(text, pd.Series):
        text = pa.array(text.to_numpy(dtype=object), pa.string(), from_pandas=True)
    naive, unparseable = _parse_formats(text, formats)
    missing = ~present
    findings = []
    date_info = {}
    if spec.date_source:
        dates = date_values if date_values is not None else pa.nulls(n, pa.string())
        date_formats = spec.date_formats + (TYPED_FORMATS if typed else ())
        day, bad_date = _parse_formats(dates, date_formats)
        no_date = present & ~_present(dates)
        bad_date = present & bad_date & ~unparseable
        naive = day.astype("datetime64[D]").astype("datetime64[us]") + (naive - naive.astype("datetime64[D]"))
        findings.append((S.R_VALUES_NULLED, spec.name, VALUE_DATE_MISSING, no_date & ~unparseable, None))
        missing = missing | no_date
        unparseable = unparseable | bad_date
        naive[unparseable | missing] = np.datetime64("NaT")
        date_info = dict(date_column=date_column, date_raw=dates, date_missing=no_date, date_unusable=bad_date)
    out_of_range = (naive < _FIRST_VALID) | (naive >= _AFTER_VALID)  # NaT compares False
    naive[out_of_range] = np.datetime64("NaT")
    leap = _leap_seconds(values, unparseable | out_of_range)
    if leap.any():  # 23:59:60 reads as the next minute's first second: a repair, counted
        findings.append((S.R_REPAIRS, spec.name, REPAIR_LEAP_SECOND, leap, None))
    offset[np.isnat(naive)] = np.nan
    naive = pd.Series(naive)
    findings += [
        (S.R_VALUES_NULLED, spec.name, VALUE_UNPARSEABLE, unparseable, None),
        (S.R_VALUES_NULLED, spec.name, VALUE_OUT_OF_RANGE, out_of_range, None),
    ]
    return Stage(spec.name, naive, offset, missing, unparseable | out_of_range, column, values, findings=findings,
                 instant=instant, out_of_range=out_of_range, **date_info)


def _leap_seconds(values: pa.Array, unread: np.ndarray) -> np.ndarray:
    """Rows read whose text has a 60th second (``23:59:60``, a leap second) [bool]."""
    if not len(values) or not pc.any(pc.match_substring(values, ":60")).as_py():
        return np.zeros(len(values), bool)
    hit = bool_mask(pc.match_substring_regex(values, r"\d{1,2}:\d{2}:60(?:[.,]\d+)?(?:\s|$|[A-Za-z+-])"))
    return hit & ~unread


def resolve_stages(stages: dict[str, Stage], specs: dict[str, FieldSpec], midnight_rollover: bool) -> None:
    """Fill stages given as durations and apply the midnight-rollover repair, in place.

    Stages are visited in response order (received, dispatched, en route,
    arrived, cleared; then arrested). A duration stage is its base stage plus
    the duration. With ``midnight_rollover``, a stage read from a timestamp
    that lies more than 12 h and at most 24 h *before* the nearest earlier
    stage present in the same row is taken to carry the call's date although
    it happened after midnight: a day is added (and counted).
    """
    order = [s for s in STAGE_ORDER if s in stages] + [s for s in stages if s not in STAGE_ORDER]
    last = None  # nearest earlier stage present, row by row
    first = True
    for name in order:
        stage = stages[name]
        spec = specs[name]
        if stage.duration is not None:
            base = stages.get(spec.after)
            has_duration = ~np.isnan(stage.duration)
            if base is None:
                base_naive = pd.Series(pd.NaT, index=stage.naive.index, dtype="datetime64[us]")
                base_offset = np.full(len(stage.naive), np.nan)
            else:
                base_naive, base_offset = base.naive, base.offset
            stage.naive = (base_naive + pd.to_timedelta(stage.duration, unit="s")).astype("datetime64[us]")
            stage.offset = np.where(has_duration, base_offset, np.nan)
            if base is not None and base.instant is not None:
                stage.instant = base.instant & has_duration
            stage.findings.append((S.R_VALUES_NULLED, name, VALUE_BASE_MISSING,
                                   has_duration & base_naive.isna().to_numpy(), None))
        elif midnight_rollover and name in ROLLOVER_STAGES and not first and last is not None:
            gap = last - stage.naive
            roll = ((gap > ROLLOVER_MIN_GAP) & (gap <= ROLLOVER_MAX_GAP)).fillna(False).to_numpy(bool)
            if roll.any():
                stage.naive = stage.naive.copy()
                stage.naive[roll] = stage.naive[roll] + pd.Timedelta(days=1)
            stage.findings.append((S.R_REPAIRS, name, REPAIR_ROLLOVER, roll, None))
        if name in ROLLOVER_STAGES:
            last = stage.naive if last is None else stage.naive.where(stage.naive.notna(), last)
            first = False


def ingest_clock() -> np.datetime64:
    """The ingest's clock: the current time in UTC [datetime64[us], naive UTC]."""
    return np.datetime64(dt.datetime.now(dt.UTC).replace(tzinfo=None), "us")


def latest_valid(now: np.datetime64 | None = None) -> np.datetime64:
    """The latest instant a stage may have [datetime64[us], naive UTC]: ``now`` (default :func:`ingest_clock`)
    plus :data:`FUTURE_TOLERANCE_S`."""
    now = ingest_clock() if now is None else np.datetime64(now, "us")
    return now + np.timedelta64(int(FUTURE_TOLERANCE_S * 1e6), "us")


def localize_stage(stage: Stage, tz: str) -> np.ndarray:
    """A stage's wall time -> UTC instants [datetime64[us], NaT where none]; repairs go to ``stage.findings``.

    Rows with an offset of their own (a zone suffix) use it, and are counted
    where the configured zone would give a different offset at that wall time.
    Other rows are localised in ``tz`` (see :func:`localize`). Instants later
    than :func:`latest_valid` are out of range (:func:`_refuse_future`).
    """
    return _refuse_future(stage, _localize_stage(stage, tz))


def _refuse_future(stage: Stage, utc: np.ndarray) -> np.ndarray:
    """Null the instants later than :func:`latest_valid`: counted ``out_of_range``, and unusable (a required
    stage is quarantined)."""
    future = utc > latest_valid()  # NaT compares False
    if future.any():
        utc = utc.copy()
        utc[future] = np.datetime64("NaT")
        stage.unusable = stage.unusable | future
        stage.out_of_range = future if stage.out_of_range is None else stage.out_of_range | future
        stage.findings.append((S.R_VALUES_NULLED, stage.name, VALUE_OUT_OF_RANGE, future, None))
    return utc


def _localize_stage(stage: Stage, tz: str) -> np.ndarray:
    """:func:`localize_stage` without the check on future instants."""
    explicit = ~np.isnan(stage.offset) & stage.naive.notna().to_numpy()
    if not explicit.any():
        fast = _localize_unambiguous(stage.naive.to_numpy("datetime64[us]"), tz)
        if fast is not None:
            return fast
    utc, ambiguous, nonexistent = localize(stage.naive.where(~explicit, pd.NaT), tz)
    if explicit.any():
        wall = stage.naive[explicit]
        offs = pd.to_timedelta(stage.offset[explicit], unit="s")
        utc = utc.copy()
        utc[explicit] = (wall - offs).dt.tz_localize("UTC")
        differs = _offset_disagrees(wall, stage.offset[explicit], tz, explicit)
        if stage.instant is not None:
            differs &= ~stage.instant
        stage.findings.append((S.R_REPAIRS, stage.name, REPAIR_OFFSET_WINS, differs, None))
    stage.findings.append((S.R_REPAIRS, stage.name, REPAIR_DST_AMBIGUOUS, ambiguous, None))
    stage.findings.append((S.R_REPAIRS, stage.name, REPAIR_DST_NONEXISTENT, nonexistent, None))
    return utc.dt.tz_localize(None).to_numpy("datetime64[us]")


def _localize_unambiguous(naive: np.ndarray, tz: str) -> np.ndarray | None:
    """Wall times -> UTC with Arrow when none falls in a DST gap or fold; None when one does.

    The common case (most blocks hold no DST change) in one vectorised call;
    blocks with a gap or fold take :func:`localize`, which resolves and counts them.
    """
    try:
        utc = pc.assume_timezone(pa.array(naive, pa.timestamp("us")), timezone=tz,
                                 ambiguous="raise", nonexistent="raise")
    except pa.ArrowInvalid:
        return None
    return utc.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)


def _offset_disagrees(wall: pd.Series, offsets: np.ndarray, tz: str, where: np.ndarray) -> np.ndarray:
    """Mask (over the whole block) of rows whose own offset is not one the zone allows at that wall time."""
    out = np.zeros(len(where), bool)
    candidates = []
    for amb in (True, False):  # in a fold both offsets are valid; in a gap neither
        loc = wall.dt.tz_localize(tz, ambiguous=np.full(len(wall), amb), nonexistent="NaT")
        off = (loc.dt.tz_localize(None) - loc.dt.tz_convert("UTC").dt.tz_localize(None)).dt.total_seconds()
        candidates.append(off.to_numpy(float))
    agree = (candidates[0] == offsets) | (candidates[1] == offsets)
    out[np.flatnonzero(where)] = ~agree
    return out


def localize(naive: pd.Series, tz: str) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Naive local time -> UTC, resolving DST changes deterministically.

    Ambiguous wall times (the repeated hour when clocks go back) take the
    earlier instant (the first pass through the hour); non-existent wall times
    (the skipped hour when clocks go forward) are shifted forward to the first
    valid instant. Returns the UTC series and the masks of both repairs.
    """
    n = len(naive)
    ambiguous = np.zeros(n, bool)
    nonexistent = np.zeros(n, bool)
    strict = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    failed = (strict.isna() & naive.notna()).to_numpy()
    if failed.any():
        sub = naive[failed]
        earlier = np.ones(len(sub), bool)
        amb = sub.dt.tz_localize(tz, ambiguous=earlier, nonexistent="NaT")
        is_amb = amb.notna().to_numpy()
        fixed = amb.where(is_amb, sub.dt.tz_localize(tz, ambiguous=earlier, nonexistent="shift_forward"))
        strict = strict.copy()
        strict[failed] = fixed
        ambiguous[np.flatnonzero(failed)[is_amb]] = True
        nonexistent[np.flatnonzero(failed)[~is_amb]] = True
    return strict.dt.tz_convert("UTC"), ambiguous, nonexistent


def _parse_formats(values: pa.Array, formats: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Parse text with strftime formats tried in order.

    Returns the naive times [datetime64[us], NaT where none] and the mask of
    present values no format could read. Each format is applied by Arrow's
    ``strptime`` (vectorised, no Python objects). Arrow differs from Python's
    ``strptime`` (pandas) in two ways, so those values are re-read by pandas:
    it turns an impossible day into the next month's (``02-30`` -> ``03-01``,
    so any result on the 1st to 3rd of a month that follows a short month is
    re-checked) and it reads a 2-digit text as a ``%Y`` year (results before
    year 1000). Values Arrow cannot read at all get pandas' chance too, format
    by format, so the answers are pandas' wherever the two could differ.
    """
    n = len(values)
    naive = np.full(n, np.datetime64("NaT"), "datetime64[us]")
    todo = _present(values)
    for fmt in formats:
        idx = np.flatnonzero(todo)
        if not len(idx):
            break
        sub = values if len(idx) == n else values.take(pa.array(idx))
        if fmt in _ISO_LAYOUTS:
            got, ok = _iso_cast(sub, fmt)
            if ok.all() and len(idx) == n:  # the usual case: every value read at once
                naive, todo = got, np.zeros(n, bool)
                continue
            naive[idx[ok]] = got[ok]
            todo[idx[ok]] = False
            if ok.all():
                continue
            idx = idx[~ok]
            sub = sub.filter(pa.array(~ok))
        parsed = pc.strptime(sub, format=fmt, unit="us", error_is_null=True)
        got = np.array(parsed.to_numpy(zero_copy_only=False))
        suspect = _strptime_suspects(parsed)
        if suspect.any():
            got[suspect] = _pandas_parse(sub.take(pa.array(np.flatnonzero(suspect))), fmt)
        ok = ~np.isnat(got)
        naive[idx[ok]] = got[ok]
        todo[idx[ok]] = False
    for fmt in formats:  # what Arrow could not read at all (rare): pandas' reading, as before
        idx = np.flatnonzero(todo)
        if not len(idx):
            break
        got = _pandas_parse(values.take(pa.array(idx)), fmt)
        ok = ~np.isnat(got)
        naive[idx[ok]] = got[ok]
        todo[idx[ok]] = False
    return naive, todo


#: ISO 8601 layouts that Arrow's cast reads as ``strptime`` does, once the text is checked character by
#: character against the layout (the cast also reads other ISO forms that the format does not accept).
_ISO_LAYOUTS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
#: strftime field -> (digits, smallest, largest)
_FIELDS = {"Y": (4, 1, 9999), "m": (2, 1, 12), "d": (2, 1, 31), "H": (2, 0, 23), "M": (2, 0, 59), "S": (2, 0, 59)}
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _iso_cast(values: pa.Array, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """Read a fixed-width ISO 8601 layout with Arrow's cast (several times faster than ``strptime``).

    Only values of the layout's length and separator are cast. The cast
    refuses what ``strptime`` refuses (``02-30``, hour 24, a letter), but all
    or nothing: when it refuses one, the values are first checked character by
    character (digits, separators, field ranges, the day within its month) and
    only those that pass are cast. Values not read here are left to
    ``strptime``. Returns the times [datetime64[us]] and the mask of values read.
    """
    n = len(values)
    out = np.full(n, np.datetime64("NaT"), "datetime64[us]")
    nothing = np.zeros(n, bool)
    parts = _layout(fmt)
    length = sum(len(p) if isinstance(p, str) else _FIELDS[p[0]][0] for p in parts)
    fits = bool_mask(pc.equal(pc.binary_length(values), length))
    if not fits.any():
        return out, nothing
    cand = values if fits.all() else values.filter(pa.array(fits))
    _, offsets_buf, data_buf = cand.buffers()
    first = int(np.frombuffer(offsets_buf, np.int32, count=1, offset=cand.offset * 4)[0])
    chars = np.frombuffer(data_buf, np.uint8, count=len(cand) * length, offset=first).reshape(-1, length)
    date_time = parts.index(" ") if " " in parts else parts.index("T")
    at = sum(len(p) if isinstance(p, str) else _FIELDS[p[0]][0] for p in parts[:date_time])
    ok = chars[:, at] == ord(parts[date_time])  # the cast takes " " and "T" alike
    got = None
    if ok.all():
        try:
            got = pc.cast(cand, pa.timestamp("us"))
        except pa.ArrowInvalid:
            got = None
    if got is None:
        ok &= _fits_layout(chars, parts)
        if not ok.any():
            return out, nothing
        try:
            got = pc.cast(cand if ok.all() else cand.filter(pa.array(ok)), pa.timestamp("us"))
        except pa.ArrowInvalid:  # not expected after the checks; strptime then reads every value
            return out, nothing
    values_read = got.to_numpy(zero_copy_only=False)
    if len(values_read) == n:  # every value read
        return np.array(values_read), np.ones(n, bool)
    read = np.flatnonzero(fits)[ok]
    out[read] = values_read
    mask = nothing.copy()
    mask[read] = True
    return out, mask


def _fits_layout(chars: np.ndarray, parts: list) -> np.ndarray:
    """Rows of fixed-width text [uint8, rows x length] that match a layout, field ranges and calendar included."""
    literal_at, literal, digit_at, weights = [], [], [], []
    pos = 0
    for part in parts:
        if isinstance(part, str):
            literal_at.extend(range(pos, pos + len(part)))
            literal.extend(part.encode())
            pos += len(part)
        else:
            width = _FIELDS[part[0]][0]
            digit_at.extend(range(pos, pos + width))
            weights.append((part[0], width))
            pos += width
    ok = (chars[:, literal_at] == np.array(literal, np.uint8)).all(axis=1)
    digits = (chars[:, digit_at] - np.uint8(ord("0"))).T.copy()  # one row per digit; a non-digit wraps past 9
    ok &= (digits <= 9).all(axis=0)
    fields = {}
    row = 0
    for name, width in weights:
        value = np.zeros(len(chars), np.int32)
        for k in range(width):
            value = value * 10 + digits[row + k]
        row += width
        _, lo, hi = _FIELDS[name]
        ok &= (value >= lo) & (value <= hi)
        fields[name] = value
    year, month, day = fields["Y"], np.clip(fields["m"], 1, 12), fields["d"]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return ok & (day <= _DAYS_IN_MONTH[month] + ((month == 2) & leap))


def _layout(fmt: str) -> list:
    """A format as literal strings and one-letter field tuples: ``"%Y-%m"`` -> ``[("Y",), "-", ("m",)]``."""
    parts: list = []
    k = 0
    while k < len(fmt):
        if fmt[k] == "%":
            parts.append((fmt[k + 1],))
            k += 2
        else:
            parts.append(fmt[k])
            k += 1
    return parts


def bool_mask(arr) -> np.ndarray:
    """A boolean Arrow array as a writable numpy mask [bool], null as False."""
    return np.array(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _strptime_suspects(parsed: pa.Array) -> np.ndarray:
    """Arrow results that may differ from Python's strptime (see :func:`_parse_formats`) [bool].

    An impossible day lands on the 1st of May, July, October or December (after
    a 30-day month's "31st") or on the 1st to 3rd of March (after February's
    29th to 31st); a 2-digit ``%Y`` gives a year before 1000.
    """
    day, month = pc.day(parsed), pc.month(parsed)
    after_30 = pc.and_(pc.equal(day, 1), pc.is_in(month, value_set=pa.array([5, 7, 10, 12], pa.int64())))
    after_feb = pc.and_(pc.equal(month, 3), pc.less_equal(day, 3))
    short_year = pc.less(pc.year(parsed), 1000)
    return np.array(pc.fill_null(pc.or_(pc.or_(after_30, after_feb), short_year), False)
                    .to_numpy(zero_copy_only=False), dtype=bool)


def _pandas_parse(values: pa.Array, fmt: str) -> np.ndarray:
    """pandas' reading of ``values`` with one format [datetime64[us], NaT where it fails]."""
    parsed = pd.to_datetime(pd.Series(values.to_numpy(zero_copy_only=False), dtype=object), format=fmt,
                            errors="coerce")
    return parsed.to_numpy("datetime64[us]")


def _present(values: pa.Array) -> np.ndarray:
    """Mask of non-null values [bool], a writable copy."""
    return bool_mask(values.is_valid())


def text_series(values: pa.Array) -> pd.Series:
    """Arrow text as a pandas object Series (None where null), for the rarer text rules."""
    return pd.Series(values.to_numpy(zero_copy_only=False), dtype=object)


def _parse_durations(values: pa.Array, spec: FieldSpec) -> tuple[np.ndarray, np.ndarray, list]:
    """Duration text -> seconds with the spec's ``duration_formats``, once per distinct value.

    Every declared pattern is tried on every distinct value. Where several fit, the winner is the
    first in the declared order, or, with ``duration_overlap = "plausible"``, the first whose reading
    is under :data:`DURATION_PLAUSIBLE_BELOW_S` when another is over
    :data:`DURATION_IMPLAUSIBLE_ABOVE_S`. Values whose readings disagree so (``27:10:00``: 27 min 10 s
    as ``MM:SS:00``, 27 h as ``H:MM:SS``) are returned as the finding
    ``(R_AMBIGUOUS_DURATIONS, field, (winner, pattern over a day, pattern under an hour), mask, values)``,
    whichever rule is in force; each value read is a repair finding of its winning pattern.

    Returns
    -------
    seconds : numpy.ndarray
        The duration of each row [s], NaN where none.
    unparseable : numpy.ndarray
        Rows with a value no pattern fits [bool].
    findings : list
        Repair and ambiguity findings.
    """
    names = spec.duration_formats
    enc = pc.dictionary_encode(values)
    uniques = text_series(enc.dictionary)
    m = len(uniques)
    codes = enc.indices.fill_null(m).to_numpy(zero_copy_only=False).astype(np.int64)  # m: a missing value
    readings = np.full((len(names), m + 1), np.nan)
    for k, name in enumerate(names):
        pattern, scale, _rule = DURATION_FORMATS[name]
        parts = uniques.str.extract(pattern)
        ok = parts.notna().all(axis=1).to_numpy()
        if ok.any():
            with np.errstate(over="ignore", invalid="ignore"):
                readings[k, np.flatnonzero(ok)] = parts[ok].astype(float).to_numpy() @ np.asarray(scale)
    fits = ~np.isnan(readings)
    fitted = fits.any(axis=0)
    winner = fits.argmax(axis=0)  # the first declared pattern that fits
    short, long = fits & (readings < DURATION_PLAUSIBLE_BELOW_S), fits & (readings > DURATION_IMPLAUSIBLE_ABOVE_S)
    ambiguous = short.any(axis=0) & long.any(axis=0)
    if spec.duration_overlap == OVERLAP_PLAUSIBLE:
        winner = np.where(ambiguous, short.argmax(axis=0), winner)
    per_value = np.where(fitted, readings[winner, np.arange(m + 1)], np.nan)
    seconds = per_value[codes]
    unparseable = ~fitted[codes] & (codes < m)
    findings = []
    row_winner = np.where(fitted, winner, -1)[codes]
    for k, name in enumerate(names):
        mask = row_winner == k
        if mask.any():
            findings.append((S.R_REPAIRS, spec.name, DURATION_FORMATS[name][2], mask, None))
    if ambiguous.any():
        over, under = long.argmax(axis=0), short.argmax(axis=0)
        kinds = {}
        for u in np.flatnonzero(ambiguous):
            kinds.setdefault((names[winner[u]], names[over[u]], names[under[u]]), []).append(u)
        for kind, us in kinds.items():
            flag = np.zeros(m + 1, bool)
            flag[us] = True
            findings.append((S.R_AMBIGUOUS_DURATIONS, spec.name, kind, flag[codes], values))
    return seconds, unparseable, findings
