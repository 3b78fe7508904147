"""The call volume pages of the briefing, the stage ladders with the open orders, and every target of the standard.

* :func:`call_volume`: all calls against valid calls (有效警情), twelve months, and the month's invalid calls by
  kind (or, where the standard defines no invalid calls, every call by category);
* :func:`call_mix`: the month's valid calls by category and by sub-type (the ``subtype`` dimension, else the
  call type), each against the month before (环比) and a year before (同比);
* :func:`by_station`: the same by station (the ``station`` dimension, else the briefing's group column);
* :func:`ladders`: the standard's stage ladders with the slowest groups named (排名靠后), and the orders still
  open at the cut-off;
* :func:`targets`: every numeric objective of the standard (a fire edition's turnout and travel, the effective
  response force).

A page the data or the standard cannot support is a :class:`~.base.LeftOut` with the reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import schema as S
from ...metrics import names as N
from .. import columns as cols
from ..charts import volume as draw
from ..data import BriefingData
from ..months import month_bounds
from ..tables import volume as V
from ..tables.response import stage_ladders
from ..tables.targets import ERF_TARGET, targets_table
from ..wording.context import where_text
from ..wording.labels import Labels
from ..wording.terms import group_name
from .base import Frame, LeftOut, Slide

#: The dimension a 110 export's police stations are kept in (``[dimensions.station]`` of ``cn110``).
STATION = "station"
#: The dimension of crime sub-types (``[dimensions.subtype]``: 入室盗窃, 电信网络诈骗...).
SUBTYPE = "subtype"
#: Slowest groups named per ladder.
SLOWEST_SHOWN = 5


def _has_values(data: BriefingData, column: str) -> bool:
    return column in data.calls.columns and data.calls[column].notna().any()


def _change_words(monthly: pd.DataFrame, column: str, labels: Labels) -> tuple[str, str]:
    """The change of the last month's ``column`` against the month before and a year before, in words."""
    rows = monthly.set_index(N.KEY_MONTH)
    out = []
    for ref, k in ((cols.PERIOD_PREVIOUS, 1), (cols.PERIOD_YEAR_AGO, 12)):
        if len(monthly) > k and np.isfinite(rows[column].iloc[-1 - k]) and rows[column].iloc[-1 - k] > 0:
            value = rows[column].iloc[-1] / rows[column].iloc[-1 - k] - 1
            out.append(labels(f"volume.change_{ref}", value=f"{100 * value:+.1f}%"))
        else:
            out.append(labels(f"volume.change_na_{ref}"))
    return out[0], out[1]


def call_volume(data: BriefingData, labels: Labels) -> Slide:
    """Calls and valid calls per day over the months of the trend and a year before, and the month's invalid calls.

    Tables: :func:`~..tables.volume.monthly_volume` (the slide's table) and :func:`~..tables.volume.volume_by`.
    """
    frame = Frame(data, labels)
    months = (data.year_ago, *data.months) if data.year_ago not in data.months else data.months
    monthly = V.monthly_volume(data.calls, months, data.standard, data.coverage)
    valid = data.standard.tells_valid_calls
    if valid:
        side = V.volume_by(data.calls, S.CALL_TYPE, data.month, data.standard, coverage=data.coverage,
                           calls=cols.INVALID)  # fmt: skip
        side_title = labels("volume.panel_invalid", month=labels.month(data.month))
    else:
        side = V.volume_by(data.calls, S.CALL_GROUP, data.month, data.standard, coverage=data.coverage)
        side_title = labels("volume.panel_groups", month=labels.month(data.month))
    now = monthly.iloc[-1]
    prev, year = _change_words(monthly, cols.VALID_PER_DAY if valid else cols.PER_DAY, labels)
    fields = dict(month=labels.month(data.month), calls=labels.count(now[cols.CALLS]),
                  per_day=labels.number(now[cols.PER_DAY]), previous=prev, year_ago=year)  # fmt: skip
    if valid:
        title = labels("volume.title_valid", valid=labels.count(now[cols.VALID]),
                       share=labels.percent(now[cols.VALID_SHARE]), **fields)  # fmt: skip
    else:
        title = labels("volume.title_all", **fields)
    span = labels.month_span(months[0], months[-1])
    subtitle = labels("volume.subtitle_valid" if valid else "volume.subtitle_all", span=span,
                      definition=_definition(data, labels)) + where_text(data, labels)  # fmt: skip
    fig = draw.call_volume(monthly, side, labels, title=title, subtitle=subtitle, footer=frame.footer,
                           side_title=side_title, highlight=data.month, valid=valid)  # fmt: skip
    return Slide("call_volume.png", fig, title, labels("volume.caption"), monthly)


def _definition(data: BriefingData, labels: Labels) -> str:
    """The standard's definition of invalid calls in words (empty without one)."""
    parts = [labels("volume.condition", column=c.column, values=labels("common.list_sep").join(c.shown))
             for c in data.standard.invalid_calls]  # fmt: skip
    return labels("common.clause_sep").join(parts)


def call_mix(data: BriefingData, labels: Labels) -> Slide:
    """The month's valid calls by category (left) and by sub-type (right), with 环比 and 同比.

    The sub-type is the ``subtype`` dimension where the dataset has one (the crime sub-types of a 110 export),
    else the call type. The slide's table is the category table.
    """
    frame = Frame(data, labels)
    groups = V.volume_by(data.calls, S.CALL_GROUP, data.month, data.standard, coverage=data.coverage)
    detail_col = SUBTYPE if _has_values(data, SUBTYPE) else S.CALL_TYPE
    detail = V.volume_by(data.calls, detail_col, data.month, data.standard, coverage=data.coverage)
    detail = detail[detail[cols.GROUP].notna()].reset_index(drop=True) if detail_col == SUBTYPE else detail
    detail.attrs.update(by=detail_col)
    counted = labels("volume.counted_valid" if data.standard.tells_valid_calls else "volume.counted_all")
    title = _top_title(groups, data, labels, "volume.title_mix", counted)
    subtitle = labels("volume.subtitle_mix", month=labels.month(data.month), counted=counted) + where_text(data, labels)
    panels = [(labels("volume.panel_category"), groups),
              (labels(f"volume.panel_{'subtype' if detail_col == SUBTYPE else 'call_type'}"), detail)]  # fmt: skip
    fig = draw.count_panels(panels, labels, title=title, subtitle=subtitle, footer=frame.footer)
    return Slide("call_mix.png", fig, title, labels("volume.caption_mix"), groups)


def _top_title(table: pd.DataFrame, data: BriefingData, labels: Labels, key: str, counted: str) -> str:
    """"March 2025: 治安警情 the most, 237 of 721 valid calls (32.9%)"; a month without calls says so."""
    shown = table[~table[cols.SUPPRESSED]]
    if shown.empty:
        return labels("volume.title_none", month=labels.month(data.month), counted=counted)
    top = shown.iloc[0]
    return labels(key, month=labels.month(data.month), top=labels.value(table.attrs.get("by", ""), top[cols.GROUP]),
                  n=labels.count(top[cols.PERIOD_CURRENT]), total=labels.count(table.attrs["total"]),
                  share=labels.percent(top[cols.SHARE]), counted=counted)  # fmt: skip


def station_column(data: BriefingData) -> str:
    """The column the station page counts by: the ``station`` dimension, else the briefing's group column."""
    return STATION if _has_values(data, STATION) else data.group_by


def by_station(data: BriefingData, labels: Labels) -> Slide:
    """The month's valid calls per station with 环比 and 同比 (:func:`station_column`)."""
    frame = Frame(data, labels)
    by = station_column(data)
    table = V.volume_by(data.calls, by, data.month, data.standard, coverage=data.coverage)
    counted = labels("volume.counted_valid" if data.standard.tells_valid_calls else "volume.counted_all")
    title = _top_title(table, data, labels, "volume.title_station", counted)
    subtitle = labels("volume.subtitle_station", month=labels.month(data.month), counted=counted,
                      group=group_name(by, labels)) + where_text(data, labels)  # fmt: skip
    half = (len(table) + 1) // 2 if len(table) > draw.MAX_BARS else len(table)
    panels = [(labels("volume.panel_station", first=1, last=max(half, 1)), table.iloc[:half])]
    if half < len(table):
        rest = table.iloc[half:]
        rest.attrs.update(table.attrs)
        panels.append((labels("volume.panel_station", first=half + 1, last=len(table)), rest))
    for _, t in panels:
        t.attrs.update(table.attrs)
    fig = draw.count_panels(panels, labels, title=title, subtitle=subtitle, footer=frame.footer)
    return Slide("by_station.png", fig, title, labels("volume.caption_mix"), table)


#: A ladder's label longer than this is shortened to its text before " (" on the panel [characters].
MAX_PANEL_LABEL = 32


def _panel_label(label: str) -> str:
    """A ladder's label for its panel: a long one without its parenthesis ("1-3-5 minutes, every call")."""
    return label.split(" (")[0] if len(label) > MAX_PANEL_LABEL and " (" in label else label


def _duration(s: float, labels: Labels) -> str:
    """A step of a ladder or an age in its largest whole unit: "30 s", "5 min", "2 h", "7 d"."""
    for size, key in ((86_400, "unit.d_short"), (3600, "unit.h_short"), (60, "unit.min_short")):
        if s >= size and s % size == 0:
            return labels(key, value=f"{s / size:g}")
    return labels("ladder.seconds", value=f"{s:g}")


def _band_names(steps_s: list[float], labels: Labels) -> list[str]:
    """The words of a ladder's bands: "≤30 s", "30 s–1 min", ..., ">3 min"."""
    names = [labels("ladder.band_first", upper=_duration(steps_s[0], labels))]
    names += [labels("ladder.band", lower=_duration(a, labels), upper=_duration(b, labels))
              for a, b in zip(steps_s, steps_s[1:])]  # fmt: skip
    names.append(labels("ladder.band_last", lower=_duration(steps_s[-1], labels)))
    return names


def ladders(data: BriefingData, labels: Labels) -> Slide | LeftOut:
    """Each ladder of the standard for all calls and the slowest groups (by station), and the open orders.

    A ladder's bands are the shares of the month's graded calls between its steps; groups are ranked by their
    share within the first step that some calls reach, lowest first (:func:`~..tables.response.stage_ladders`), and the slowest
    :data:`SLOWEST_SHOWN` are drawn under the line of all calls. Open orders: dispatched before the end of the
    month and not cleared by it (:func:`~..tables.volume.open_orders`). Left out when the standard has no ladder
    or the data none of their stamps.
    """
    std = data.standard
    if not std.ladders:
        return LeftOut("ladders.png", labels("page_name.ladders"), labels("ladder.no_ladders", standard=std.name))
    by = station_column(data)
    month = data.month_calls
    every = stage_ladders(month, std)
    groups = stage_ladders(month, std, by=by)
    if every.empty or every[N.N].fillna(0).max() == 0:
        return LeftOut("ladders.png", labels("page_name.ladders"), labels("ladder.no_stamps"))
    frame = Frame(data, labels)
    all_label = labels("ladder.all_calls")
    panels, slowest_words = [], []
    for lad in std.ladders:
        mine = every[every[N.LADDER_ID] == lad.id]
        if mine.empty or mine[N.N].fillna(0).max() == 0:
            continue
        names = _band_names(list(lad.steps_s), labels)
        # rank on the first step that some calls reach (no arrival is within a key site's 1 minute)
        reached = mine[mine[N.SHARE_WITHIN].fillna(0) > 0].sort_values(N.STEP)
        step = int(reached[N.STEP].iloc[0]) if len(reached) else 1
        ranked = groups[(groups[N.LADDER_ID] == lad.id) & (groups[N.STEP] == step) & ~groups[cols.SUPPRESSED]]
        slow = list(ranked.sort_values(N.RANK_SLOWEST)[by].head(SLOWEST_SHOWN))
        rows = [mine.assign(**{cols.GROUP: all_label})]
        for g in slow:
            rows.append(groups[(groups[N.LADDER_ID] == lad.id) & (groups[by] == g)].assign(**{cols.GROUP: g}))
        table = pd.concat(rows, ignore_index=True)
        table[cols.BAND] = table[N.STEP].map(lambda k, names=names: names[min(int(k), len(names)) - 1])
        first = mine[mine[N.STEP] == step].iloc[0]
        panels.append((labels("ladder.panel", label=_panel_label(lad.label), share=labels.percent(first[N.SHARE_WITHIN]),
                              step=_duration(float(lad.steps_s[step - 1]), labels)), table))  # fmt: skip
        if slow:
            slowest_words.append(labels("ladder.slowest", label=lad.label, group=slow[0]))
    end = month_bounds(data.month)[1] + pd.Timedelta(days=1)
    cut_off = pd.Timestamp(end).tz_localize(data.timezone)
    open_table = V.open_orders(data.calls, cut_off)
    open_sum = open_table.groupby(cols.AGE_BAND)[cols.OPEN_ORDERS].sum().reset_index()
    age_names = _band_names([h * 3600 for h in V.OPEN_AGE_EDGES_H], labels)
    title = labels("ladder.title", month=labels.month(data.month),
                   slowest=labels("common.clause_sep").join(slowest_words[:2]) or labels("ladder.no_ranking"),
                   open=labels.count(open_table.attrs["total"]))  # fmt: skip
    subtitle = labels("ladder.subtitle", month=labels.month(data.month), n=SLOWEST_SHOWN,
                      group=group_name(by, labels)) + where_text(data, labels)  # fmt: skip
    fig = draw.ladders(panels, open_sum, [labels("ladder.age", band=b) for b in age_names], labels, title=title,
                       subtitle=subtitle, footer=frame.footer,
                       open_title=labels("ladder.open_panel", n=labels.count(open_table.attrs["total"]),
                                         cut_off=labels.month(data.month)), all_label=all_label)  # fmt: skip
    return Slide("ladders.png", fig, title, labels("ladder.caption"), groups)


def targets(data: BriefingData, labels: Labels) -> Slide | LeftOut:
    """Every numeric objective of the standard for the month (ERF entries over the twelve months).

    Left out when the standard grades one interval only (the priority page shows it): e.g. ``cn110``.
    """
    std = data.standard
    numeric = {t.interval for t in std.targets if t.target_s is not None}
    if len(numeric) < 2 and not std.erf:
        return LeftOut("targets.png", labels("page_name.targets"), labels("targets.one_interval"))
    frame = Frame(data, labels)
    table = targets_table(data.month_calls, std, erf_df=data.window_calls)
    if table.empty:
        return LeftOut("targets.png", labels("page_name.targets"), labels("targets.no_values"))
    label_text, value_text = [], []
    span = labels.month_span(data.months[0], data.months[-1])
    for _, r in table.iterrows():
        limit = labels("targets.limit", value=labels.number(r[N.TARGET_S] / 60))
        period = span if r[cols.KIND_OF_TARGET] == ERF_TARGET else labels.month(data.month)
        label_text.append(labels("targets.row", label=r[N.LABEL], limit=limit, interval=labels.interval(r[N.INTERVAL])
                                 if labels.get(f"interval_long.{r[N.INTERVAL]}") else r[N.INTERVAL], period=period))
        if r[cols.SUPPRESSED]:
            value_text.append(labels("common.n_suppressed", n=5))
        else:
            value_text.append(labels("targets.value", share=labels.percent(r[N.SHARE_WITHIN]),
                                     k=labels.count(r[N.N_WITHIN]), n=labels.count(r[N.N])))
    table = table.assign(**{cols.LABEL_TEXT: label_text, cols.VALUE_TEXT: value_text})
    graded = table[~table[cols.SUPPRESSED] & table[N.REQUIRED_SHARE].notna()]
    met = int((graded[N.SHARE_WITHIN] >= graded[N.REQUIRED_SHARE]).sum())
    title = labels("targets.title", month=labels.month(data.month), met=met, total=len(graded), standard=std.name)
    subtitle = labels("targets.subtitle", month=labels.month(data.month), span=span, standard=std.name,
                      citation=std.citation) + where_text(data, labels)  # fmt: skip
    fig = draw.targets(table, labels, title=title, subtitle=subtitle, footer=frame.footer)
    return Slide("targets.png", fig, title, labels("targets.caption"), table)


__all__ = ["SLOWEST_SHOWN", "STATION", "SUBTYPE", "by_station", "call_mix", "call_volume", "ladders",
           "station_column", "targets"]  # fmt: skip
