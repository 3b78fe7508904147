"""Effective response force: the full alarm on scene within the objective, graded from unit-level rows.

NFPA 1710 (2020) 4.1.2.1(4) and (5) set a travel-time objective for the
deployment of the *initial full alarm assignment* at a fire suppression
incident (480 s; 610 s for high-rise), met for 90 percent of incidents
(4.1.2.4). A standard profile declares each such objective as an ``[[erf]]``
entry (:class:`~responsestats.metrics.standards.ErfTarget`): the alarm's
number of distinct units, what is timed to the arrival of the last of them
(:data:`names.ERF_INTERVALS`), the target and share, and the incidents it
grades. :func:`effective_response_force` grades every entry per group.

An incident graded by an entry at which fewer distinct units arrived than
the alarm needs is **incomplete**: counted in ``n_incomplete``, neither
dropped silently nor counted as late. Definitions: ``docs/metrics.md``
(*Effective response force*).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import UserError
from . import names as N
from ._frame import prepare
from .exclusions import DEFAULT_CAP, REASON_CODES, CapSpec, exclusion_codes, resolve_caps, self_initiated_flags
from .filters import RowFilter, apply_filter, parse_filter, with_population
from .grouping import iter_groups, resolve_by, with_keys
from .levels import incident_level, nth_unit_arrival
from .proportions import DEFAULT_CONFIDENCE, wilson_interval
from .quantiles import percentile
from .standards import ErfTarget, Standard, with_entries

_KEYS = [S.AGENCY, S.INCIDENT_ID]

#: The interval of :data:`~responsestats.metrics.intervals.INTERVALS` whose rules each ERF basis follows: the
#: stamps it needs, its default cap (2 h for all three) and the exclusion of self-initiated calls (all three are
#: response intervals).
ERF_LIKE: dict[str, str] = {
    N.RECEIVED_TO_NTH_ARRIVAL_S: N.RESPONSE_S,
    N.DISPATCH_TO_NTH_ARRIVAL_S: N.DISPATCH_TO_ARRIVAL_S,
    N.ENROUTE_TO_NTH_ARRIVAL_S: N.TRAVEL_S,
}

#: Columns of the table :func:`effective_response_force` returns, after the group columns.
ERF_COLUMNS: tuple[str, ...] = (
    N.STANDARD, N.TARGET_ID, N.LABEL, N.UNITS, N.INTERVAL, N.TARGET_S, N.REQUIRED_SHARE,
    N.N_POPULATION, N.N_NOT_APPLICABLE, N.N_INCOMPLETE, N.N, N.N_EXCLUDED, *N.EXCLUDED_COLUMNS,
    N.N_WITHIN, N.SHARE_WITHIN, N.SHARE_WITHIN_CI_LOW, N.SHARE_WITHIN_CI_HIGH, N.MET,
    N.MEDIAN_S, N.P90_S, N.VALUE_AT_REQUIRED_S, N.CITATION,
)  # fmt: skip
_INTS = (N.N_POPULATION, N.N_NOT_APPLICABLE, N.N_INCOMPLETE, N.N, N.N_EXCLUDED, *N.EXCLUDED_COLUMNS, N.UNITS)


def erf_standard(standard: str | Standard) -> Standard:
    """A standard profile that has effective-response-force objectives (``[[erf]]``).

    Parameters
    ----------
    standard : str or Standard
        Built-in profile name, TOML path, or a loaded :class:`~responsestats.metrics.standards.Standard`.

    Returns
    -------
    Standard
        The profile.

    Raises
    ------
    UserError
        When the profile has no ``[[erf]]`` entry (one line naming it and the built-in profiles that have one).
    """
    return with_entries(standard, "erf")


def _caps(cap: CapSpec, intervals: Iterable[str]) -> dict[str, float | None]:
    """The cap [s] of each ERF basis: ``"default"`` (that of :data:`ERF_LIKE`'s interval), None or one number."""
    if isinstance(cap, Mapping):
        raise UserError("cap of the effective response force: 'default', None or one number of seconds, "
                        "not a mapping")  # fmt: skip
    intervals = tuple(dict.fromkeys(intervals))
    like = resolve_caps([ERF_LIKE[i] for i in intervals], cap)
    return {i: like[ERF_LIKE[i]] for i in intervals}


def _grade(values: np.ndarray, codes: np.ndarray, incomplete: np.ndarray, entry: ErfTarget,
           confidence: float) -> dict[str, object]:  # fmt: skip
    """Counts, share within (with its Wilson interval) and percentiles of one entry's incidents in one group."""
    graded = ~incomplete
    counts = np.bincount(codes[graded], minlength=len(N.EXCLUSION_REASONS) + 1)
    kept = values[graded & (codes == 0)]
    n = int(kept.size)
    row: dict[str, object] = {
        N.N_POPULATION: int(codes.size),
        N.N_INCOMPLETE: int(incomplete.sum()),
        N.N: n,
        N.N_EXCLUDED: int(counts[1:].sum()),
    }
    row.update({N.excluded_column(r): int(counts[REASON_CODES[r]]) for r in N.EXCLUSION_REASONS})
    nan = float("nan")
    if entry.target_s is None:
        within, share, low, high = pd.NA, nan, nan, nan
    else:
        within = int(np.sum(kept <= entry.target_s))
        share = within / n if n else nan
        low, high = (float(b) for b in wilson_interval(within, n, confidence))
    required = entry.required_share
    row[N.N_WITHIN] = within
    row[N.SHARE_WITHIN] = share
    row[N.SHARE_WITHIN_CI_LOW] = low
    row[N.SHARE_WITHIN_CI_HIGH] = high
    row[N.MET] = pd.NA if required is None or np.isnan(share) else bool(share >= required)
    row[N.MEDIAN_S] = percentile(kept, 50.0)
    row[N.P90_S] = percentile(kept, 90.0)
    row[N.VALUE_AT_REQUIRED_S] = nan if required is None else percentile(kept, 100.0 * required)
    return row


def effective_response_force(
    df: pd.DataFrame,
    standard: str | Standard,
    by: str | Iterable[str] | None = None,
    where: str | RowFilter | None = None,
    cap: CapSpec = DEFAULT_CAP,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Grade a standard's effective-response-force objectives (``[[erf]]``), per group.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical frame at unit level (one row per responding unit).
    standard : str or Standard
        Built-in profile name (``nfpa1710``), TOML path, or a loaded
        :class:`~responsestats.metrics.standards.Standard`; it must have at
        least one ``[[erf]]`` entry.
    by : str, iterable of str or None
        Group columns, as in :func:`~responsestats.metrics.summary.summarize`
        (canonical columns, other columns of ``df`` or the local-time keys,
        taken at incident level: the incident's first ``received_at``).
    where : str or RowFilter, optional
        Keep only the unit rows this filter matches before the units are
        counted (:mod:`~responsestats.metrics.filters`); the filter's text
        becomes the first column, ``where``.
    cap : "default", None or float
        Values above the cap [s] are excluded (``above_cap``); ``"default"``:
        2 h, the cap of the interval each basis follows (:data:`ERF_LIKE`);
        None: no cap.
    confidence : float
        Level of the Wilson interval of ``share_within`` [fraction, e.g. 0.95].

    Returns
    -------
    pandas.DataFrame
        One row per group x ``[[erf]]`` entry: (with ``where``) ``where``;
        the group columns; ``standard``, ``target_id`` (the entry's id),
        ``label``, ``units`` [count] (the alarm's distinct units),
        ``interval`` (the basis timed to the ``units``-th arrival),
        ``target_s`` [s], ``required_share``; ``n_population`` [count]
        (incidents the entry grades), ``n_not_applicable`` [count]
        (incidents of the group outside the standard's population),
        ``n_incomplete`` [count] (graded incidents at which fewer than
        ``units`` distinct units arrived: neither dropped nor late), ``n``
        [count] (incidents with the full alarm on scene and a value),
        ``n_excluded`` and ``excluded_<reason>`` [count] (self-initiated
        calls; missing start stamp; negative; above the cap);
        ``n_within`` [count] (``<=`` the target), ``share_within``
        (``n_within / n``), ``share_within_ci_low``, ``share_within_ci_high``
        (Wilson), ``met`` (``share_within >= required_share``; missing
        without a share or a value), ``median_s``, ``p90_s`` and
        ``value_at_required_s`` [s] (the value at the required percentile,
        linear interpolation), ``citation``.
        ``n_population = n_incomplete + n_excluded + n``.

    Raises
    ------
    UserError
        When the standard has no ``[[erf]]`` entry, or for a bad group
        column, filter or cap.

    Notes
    -----
    Per incident, each distinct unit counts once, at its first arrival; a row
    without ``unit_id`` is a unit of its own (:func:`~responsestats.metrics.levels.nth_unit_arrival`).
    The ``units``-th distinct arrival is timed from the call received, the
    first dispatch, or the first unit en route (the entry's ``interval``).
    Whether an entry grades an incident (its ``when``, the standard's
    ``population``) is read from the incident's values
    (:func:`~responsestats.metrics.levels.incident_level`). A self-initiated
    incident is excluded before it is checked for completeness.
    """
    std = erf_standard(standard)
    by_cols = resolve_by(by)
    if not 0.0 < confidence < 1.0:
        raise UserError(f"confidence must be between 0 and 1, got {confidence!r}")
    caps = _caps(cap, (e.interval for e in std.erf))
    rf = parse_filter(where, df.columns) if where is not None else None
    frame = prepare(apply_filter(df, rf), [*_KEYS, S.RECEIVED_AT], [S.SELF_INITIATED, *S.TIMESTAMP_COLUMNS])
    incidents = incident_level(frame)
    incidents, group_cols = with_keys(incidents, by_cols)
    index = pd.MultiIndex.from_frame(incidents[_KEYS])
    nth = {n: nth_unit_arrival(frame, n).set_index(_KEYS).reindex(index) for n in sorted({e.units for e in std.erf})}

    flags = self_initiated_flags(incidents)
    self_code = REASON_CODES[N.REASON_SELF_INITIATED]
    outside = ~std.in_population(incidents)
    per_entry = []
    for entry in std.erf:
        arrivals = nth[entry.units]
        values = arrivals[entry.interval].to_numpy(dtype="float64")
        codes = exclusion_codes(values, flags, ERF_LIKE[entry.interval], caps[entry.interval])
        incomplete = (arrivals[N.UNITS_ARRIVED].to_numpy() < entry.units) & (codes != self_code)
        per_entry.append((entry, values, codes, incomplete, entry.applies(incidents)))

    rows = []
    for key, positions in iter_groups(incidents, by_cols, group_cols):
        for entry, values, codes, incomplete, applies in per_entry:
            pos = positions[applies[positions]]
            row = dict(key)
            row.update(
                {
                    N.STANDARD: std.name,
                    N.TARGET_ID: entry.id,
                    N.LABEL: entry.label,
                    N.UNITS: entry.units,
                    N.INTERVAL: entry.interval,
                    N.TARGET_S: np.nan if entry.target_s is None else entry.target_s,
                    N.REQUIRED_SHARE: np.nan if entry.required_share is None else entry.required_share,
                    N.N_NOT_APPLICABLE: int(outside[positions].sum()),
                    N.CITATION: entry.citation,
                }
            )
            row.update(_grade(values[pos], codes[pos], incomplete[pos], entry, confidence))
            rows.append(row)

    out = pd.DataFrame(rows, columns=[*group_cols, *ERF_COLUMNS])
    out[list(_INTS)] = out[list(_INTS)].astype("int64")
    out[N.N_WITHIN] = out[N.N_WITHIN].astype("Int64") if len(out) else out[N.N_WITHIN]
    out[N.MET] = out[N.MET].astype("boolean")
    return with_population(out, rf)


__all__ = ["ERF_COLUMNS", "ERF_LIKE", "effective_response_force", "erf_standard"]
