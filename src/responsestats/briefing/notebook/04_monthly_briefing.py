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
# The notebook only calls library functions. Each slide comes from one call
# to `responsestats.briefing.slides`, which computes its table (built on the
# metrics API), states the finding in its title, draws the chart and words
# its caption from the label catalogues. All of them are unit-tested.

# %% tags=["parameters"]
dataset = "../data/processed/cn110"  # dataset folder written by `responsestats ingest`
agency = "zz110"  # agency id; None: the dataset's only agency
month = "latest"  # "YYYY-MM", or "latest": the latest full month in the data
language = "zh"  # "zh" or "en"
standard = "cn110"  # standard graded against (built-in name or .toml path)
where = None  # a row filter, e.g. "call_group in ('ems', 'fire')" (docs/metrics.md); None: every call
group_by = "district"  # the column the district chart groups by: district, or a dimension such as "station"
out_dir = "../reports/notebooks/04_monthly_briefing"  # this run's PNGs (`make briefing` writes reports/briefing)

# %%
from responsestats.briefing import Book, load_briefing_data, slides
from responsestats.briefing.wording import load_labels
from responsestats.briefing.wording.context import context, page_text

labels = load_labels(language)
data = load_briefing_data(dataset, agency=agency, month=month, standard=standard, where=where, group_by=group_by)
book = Book(out_dir)
context(data, labels)

# %% [markdown]
# ## 1. Key figures
#
# There is one tile per key figure. Each tile gives the value of the month,
# the number of calls it rests on with its 95% confidence interval, and the
# change from the previous month and from the same month a year before. An
# arrow (▲/▼) shows which way the value moved. A change is green (better) or
# orange-red (worse) only when it is outside the noise: the 95% interval of
# the change excludes zero and neither month has fewer than 30 values.
# Otherwise it is grey and reads "within the noise" or "too few to judge".
# Calls are compared per day, because months differ in length (and a
# dataset may start or end inside a month). The median and the p90 are of
# one interval, the standard's headline interval (for `cn110`: dispatch to
# arrival), measured per incident, with self-initiated (patrol) calls left
# out. The share within target counts only the calls the standard grades:
# for `cn110`, urgent (一级) calls. The arrest rate counts arrests among
# eligible incidents: all incidents except cancelled, duplicate and
# unfounded calls.

# %%
kpi = slides.kpi_card(data, labels)
kpi.table

# %%
book.add(kpi, "01_kpi_card.png")

# %% [markdown]
# ## 2. Twelve-month trend against the target
#
# The chart shows the 90th percentile (p90) of the standard's headline
# interval (for `cn110`: dispatch to arrival), with its 95% confidence
# band, and the median, for each of the last twelve months. The standard
# sets a different target per area class, so there is one panel per target,
# plus one for all calls (which has no single target and is not graded).
# The target panels hold only the calls the standard grades (for `cn110`,
# urgent calls). The title counts the months each panel's p90 is above its
# target. Hollow points mark months with fewer than 30 values. The number
# under each month is its n.

# %%
trend = slides.trend(data, labels)
trend.table

# %%
book.add(trend, "02_trend.png")

# %% [markdown]
# ## 3. p90 by grid
#
# The grids are ranked by the p90 of the calls the standard grades, each
# against the target of its area. A single month gives each grid only
# 10–25 calls, too few for a 90th percentile, so the chart pools the last
# three months; when the standard grades only part of the calls (for
# `cn110`, urgent calls: about one in ten), it pools the twelve months of
# the trend. The dashed line is the target, and orange-red bars exceed it.
# Each bar is labelled with its p90 and n. Hatched bars rest on fewer than
# 30 calls: with so few calls, a grid's rank can change by chance alone.

# %%
by_grid = slides.p90_by_district(data, labels)
by_grid.table

# %%
book.add(by_grid, "03_p90_by_district.png")

# %% [markdown]
# ## 4. Attainment by priority
#
# This chart shows the share of the month's graded calls that arrived
# within the target that applies to them, for each priority the standard
# grades (for `cn110`: urgent calls only, so one priority). There is one
# bar for all of them (each call is graded against its own area's target)
# and one bar per area. "Within" means at or under the target. The
# whiskers are 95% Wilson intervals.

# %%
by_priority = slides.attainment_by_priority(data, labels)
by_priority.table

# %%
book.add(by_priority, "04_attainment_by_priority.png")

# %% [markdown]
# ## 5. Hour by weekday
#
# Both panels pool twelve months, because one month leaves most
# weekday-and-hour cells with a handful of calls. The top map shows the
# calls of each weekday and hour: 0 (white) is an hour with no call, `<5`
# (grey) one of 1 to 4 calls, not shown; only 5 calls or more take a
# colour. The bottom panel is the hour-of-day profile: the calls of each
# hour (bars; the busiest six hours darker when they stand out) and the
# median response with its 95% interval (hollow points: hours with fewer
# than 30 values). The title describes the busiest block of hours, never a
# single cell.

# %%
heatmap = slides.hour_weekday(data, labels)
heatmap.table

# %%
book.add(heatmap, "05_hour_weekday.png")

# %% [markdown]
# ## 6. Arrests and time to arrest
#
# On the left is the arrest rate of each call type over the twelve months,
# highest first, with its 95% confidence interval. The label on each bar
# gives the arrests and the eligible incidents behind the rate. Call types
# that never lead to an arrest (traffic, requests for help) dilute the
# overall rate, so the panel's title gives the rate among the call types
# with an arrest beside the overall one; the month's overall rate is on the
# key-figure card. On the right, the arrests of the twelve months are
# grouped by the time from dispatch to arrest. Arrests made during the
# first response are "caught in the act"; the others came later.

# %%
arrests = slides.arrests(data, labels)
arrests.table

# %%
book.add(arrests, "06_arrests.png")

# %% [markdown]
# ## 7. Data quality
#
# The left panels show, for each month, the share of rows that lack a
# timestamp and the share of intervals that run backwards. The right panel
# lists the rows that ingest kept out of the dataset, by reason. Every
# input file reconciles: rows read = rows written + rows quarantined.

# %%
quality = slides.data_quality(data, labels)
quality.table

# %%
book.add(quality, "07_data_quality.png")

# %%
book.write_manifest(**page_text(data, labels), month=data.month, agency=data.agency, language=language,
                    standard=data.standard.name, where=data.where)
