# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Monthly briefing
#
# This notebook builds the chart set of the monthly briefing for one month:
# seven PNG slides (1920 × 1080) in Chinese or English, and a manifest
# (`charts.json`) from which `responsestats briefing` writes `index.html`.
#
# Run it headless with
#
# ```sh
# responsestats briefing data/processed/cn110 --month latest --lang zh --out reports/briefing
# ```
#
# or open it in JupyterLab (`make lab`) and change the parameters below.
#
# The notebook only calls library functions. The tables come from
# `responsestats.briefing_tables`, which is built on the metrics API. The
# titles come from `responsestats.headlines`, the charts from
# `responsestats.charts`, and the wording from the label catalogues. All of
# them are unit-tested.

# %% tags=["parameters"]
dataset = "../data/processed/cn110"  # dataset folder written by `responsestats ingest`
agency = "zz110"  # agency id; None: the dataset's only agency
month = "latest"  # "YYYY-MM", or "latest": the latest full month in the data
language = "zh"  # "zh" or "en"
standard = "cn110"  # standard graded against (built-in name or .toml path)
out_dir = "../reports/briefing"  # where the PNGs and charts.json go

# %%
from responsestats import briefing_tables as T
from responsestats import charts as C
from responsestats import headlines as H
from responsestats.i18n import load_labels

labels = load_labels(language)
data = T.load_briefing_data(dataset, agency=agency, month=month, standard=standard)
book = C.Book(out_dir)
footer = H.footer(data, labels)
H.context(data, labels)

# %% [markdown]
# ## 1. Key figures
#
# There is one tile per key figure. Each tile gives the value of the month,
# the number of calls it rests on, and the change from the previous month
# and from the same month a year before. Green means better and orange-red
# means worse. An arrow (▲/▼) shows which way the value moved. Response
# times are measured per incident, and self-initiated (patrol) calls are
# left out of them. The arrest rate counts arrests among eligible
# incidents: all incidents except cancelled, duplicate and unfounded calls.

# %%
kpi = T.kpi_table(data.calls, data.month, data.standard, as_of=data.as_of)
kpi

# %%
book.add(
    "01_kpi_card.png",
    C.kpi_card(H.kpi_tiles(kpi, labels), labels, title=H.kpi_title(kpi, labels),
               subtitle=H.subtitle("kpi", data, labels), footer=footer),
    title=H.kpi_title(kpi, labels),
    caption=H.briefing_caption("kpi_card", data, labels),
)

# %% [markdown]
# ## 2. Twelve-month trend against the target
#
# The chart shows the 90th percentile (p90) of the standard's headline
# interval (for `cn110`: dispatch to arrival), with its 95% confidence
# band, and the median, for each of the last twelve months. The standard
# sets a different target per area class, so there is one panel per target,
# plus one for all calls (which has no single target). Hollow points mark
# months with fewer than 30 values. The number under each month is its n.

# %%
trend = T.monthly_trend(data.calls, data.months, data.standard)
trend

# %%
book.add(
    "02_trend.png",
    C.trend(trend, labels, title=H.trend_title(trend, data.month, labels),
            subtitle=H.subtitle("trend", data, labels), footer=footer, highlight=data.month),
    title=H.trend_title(trend, data.month, labels),
    caption=H.briefing_caption("trend", data, labels),
)

# %% [markdown]
# ## 3. p90 by grid
#
# The grids are ranked by p90 over the last three months. A single month
# gives each grid only 10–25 calls, too few for a 90th percentile. Each
# bar is compared with the target of its area. The dashed line is the
# target, and orange-red bars exceed it. Each bar is labelled with its p90
# and n. Hatched bars rest on fewer than 30 calls: with so few calls, a
# grid's rank can change from one quarter to the next by chance alone.

# %%
by_grid = T.p90_by_group(data.recent_calls, data.standard)
by_grid

# %%
book.add(
    "03_p90_by_district.png",
    C.p90_groups(by_grid, labels, title=H.p90_groups_title(by_grid, labels),
                 subtitle=H.subtitle("p90_groups", data, labels), footer=footer),
    title=H.p90_groups_title(by_grid, labels),
    caption=H.briefing_caption("p90_groups", data, labels),
)

# %% [markdown]
# ## 4. Attainment by priority
#
# This chart shows the share of the month's calls that arrived within the
# target of their area, for each priority. There is one bar for all calls
# (each call is graded against its own area's target) and one bar per
# area. "Within" means at or under the target. The whiskers are 95%
# Wilson intervals.

# %%
by_priority = T.attainment_by(data.month_calls, data.standard)
by_priority

# %%
book.add(
    "04_attainment_by_priority.png",
    C.attainment_groups(by_priority, labels, title=H.attainment_title(by_priority, data.month, labels),
                        subtitle=H.subtitle("attainment", data, labels), footer=footer),
    title=H.attainment_title(by_priority, data.month, labels),
    caption=H.briefing_caption("attainment", data, labels),
)

# %% [markdown]
# ## 5. Hour by weekday
#
# The top map shows when the month's calls came in. The bottom map shows
# the median response in each weekday-and-hour cell. It pools twelve
# months, because one month leaves most cells with a handful of calls.
# Hatched cells still have fewer than 30 values.

# %%
volume = T.hour_weekday(data.month_calls, data.interval)
response = T.hour_weekday(data.window_calls, data.interval)
response

# %%
book.add(
    "05_hour_weekday.png",
    C.hour_weekday(volume, response, labels, title=H.heatmap_title(volume, response, labels),
                   volume_period=labels.month(data.month),
                   response_period=labels.month_span(data.months[0], data.months[-1]),
                   subtitle=H.subtitle("heatmap", data, labels), footer=footer),
    title=H.heatmap_title(volume, response, labels),
    caption=H.briefing_caption("heatmap", data, labels),
)

# %% [markdown]
# ## 6. Arrests and time to arrest
#
# On the left is the arrest rate of each month, with its 95% confidence
# interval. The label on each bar gives the arrests and the eligible
# incidents behind the rate. On the right, the arrests of the twelve months
# are grouped by the time from dispatch to arrest. Arrests made during the
# first response are "caught in the act"; the others came later.

# %%
arrests_by_month = T.outcomes_by(data.window_calls, by="month", as_of=data.as_of, groups=data.months)
arrest_hist = T.time_to_arrest_histogram(data.window_calls, as_of=data.as_of)
arrests_all = T.outcomes_by(data.window_calls, as_of=data.as_of)
arrests_by_month

# %%
book.add(
    "06_arrests.png",
    C.arrests(arrests_by_month, arrest_hist, labels, title=H.arrests_title(arrests_by_month, data.month, labels),
              rate_title=labels("chart.rate_panel"), hist_title=H.time_to_arrest_title(arrests_all, labels),
              subtitle=H.subtitle("arrests", data, labels), footer=footer, highlight=data.month),
    title=H.arrests_title(arrests_by_month, data.month, labels),
    caption=H.briefing_caption("arrests", data, labels),
)

# %% [markdown]
# ## 7. Data quality
#
# The left panels show, for each month, the share of rows that lack a
# timestamp and the share of intervals that run backwards. The right panel
# lists the rows that ingest kept out of the dataset, by reason. Every
# input file reconciles: rows read = rows written + rows quarantined.

# %%
quality = T.timestamp_quality(data.window_calls, data.months)
reasons = T.quarantine_reasons(data.reports)
totals = T.reconciliation_totals(data.reports)
totals

# %%
book.add(
    "07_data_quality.png",
    C.quality(quality, reasons, totals, labels, title=H.quality_title(quality, totals, data.month, labels),
              subtitle=H.subtitle("quality", data, labels), footer=footer, highlight=data.month),
    title=H.quality_title(quality, totals, data.month, labels),
    caption=H.briefing_caption("quality", data, labels),
)

# %%
book.write_manifest(
    title=labels("page.title", month=labels.month(data.month), agency=data.agency),
    intro=labels("page.intro", **H.context(data, labels)),
    month=data.month, agency=data.agency, language=language, standard=data.standard.name,
)
