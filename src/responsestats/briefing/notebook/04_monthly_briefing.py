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
# the PNG slides (1920 × 1080; a page the data or the standard cannot
# support is left out, with the reason) in Chinese or English, and a manifest
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
roster = None  # duty roster CSV (weekday or date, hour, teams) for the workload page; None: no teams line
boundaries = None  # GeoJSON of the grids' or districts' polygons for the map; None: a hexagonal binning of the calls
out_dir = "../reports/notebooks/04_monthly_briefing"  # this run's PNGs (`make briefing` writes reports/briefing)

# %%
from responsestats.briefing import Book, load_briefing_data, slides
from responsestats.briefing.slides import geography, volume, workload
from responsestats.briefing.wording import load_labels
from responsestats.briefing.wording.context import context, page_text

data = load_briefing_data(dataset, agency=agency, month=month, standard=standard, where=where, group_by=group_by)
labels = load_labels(language, district_noun=data.district_noun)  # the agency's word for a district (beat...)
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
# ## 2. Call volume: all calls and valid calls
#
# All calls received against valid calls (有效警情), per day of each month
# the data cover, for the twelve months and the same month a year before.
# Which calls are invalid (hang-ups, harassment, misdials, consultations,
# non-police matters) is the standard's definition (`invalid_calls`; for
# `cn110`: 警情类别 无效警情), named in the subtitle; a standard without one
# counts every call and the page says so. The right panel breaks the
# month's invalid calls down by kind (or, without a definition, every call
# by call group).

# %%
call_volume = volume.call_volume(data, labels)
call_volume.table

# %%
book.add(call_volume, "02_call_volume.png")

# %% [markdown]
# ## 3. Call mix
#
# The month's valid calls by category and by sub-type (the `subtype`
# dimension where the export has one, e.g. the crime sub-types 入室盗窃,
# 电信网络诈骗; else the call type). Each bar gives the count and its change
# per day against last month (环比) and the same month a year before
# (同比). A change is coloured only when it is clear; groups of 1 to 4
# calls show `<5`.

# %%
call_mix = volume.call_mix(data, labels)
call_mix.table

# %%
book.add(call_mix, "03_call_mix.png")

# %% [markdown]
# ## 4. Calls by station
#
# The same count by station (the `station` dimension; else the column the
# district chart groups by), most first.

# %%
stations = volume.by_station(data, labels)
stations.table

# %%
book.add(stations, "04_by_station.png")

# %% [markdown]
# ## 5. Twelve-month trend against the target
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
book.add(trend, "05_trend.png")

# %% [markdown]
# ## 6. p90 by grid
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
book.add(by_grid, "06_p90_by_district.png")

# %% [markdown]
# ## 7. Attainment by priority
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
book.add(by_priority, "07_attainment_by_priority.png")

# %% [markdown]
# ## 8. Every target of the standard
#
# One bar per numeric objective of the standard: for NFPA 1710, turnout
# (EMS 60 s, fire 80 s), travel of the first unit (240 s) and the full
# alarm assignment on scene (effective response force, pooled over twelve
# months). A standard that grades one interval (`cn110`) has this on the
# priority page, and the page is left out with that reason.

# %%
targets = volume.targets(data, labels)
targets.table

# %%
book.add(targets, "08_targets.png")

# %% [markdown]
# ## 9. Stage ladders and open orders
#
# Each response ladder of the standard (for `cn110`: order acknowledged,
# unit under way, result reported back, and the key sites' 1-3-5 minutes):
# the share of the month's orders in each band, for all calls and for the
# five slowest stations (排名靠后), ranked by their share within the first
# step. The last panel counts the orders dispatched before the end of the
# month and not cleared by it, by age.

# %%
ladders = volume.ladders(data, labels)
ladders.table

# %%
book.add(ladders, "09_ladders.png")

# %% [markdown]
# ## 10. Hour by weekday
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
book.add(heatmap, "10_hour_weekday.png")

# %% [markdown]
# ## 11. Workload and deployment
#
# By hour of day over the month: calls received per day, incidents in
# progress (the mean number open, dispatched to cleared) and, for
# unit-level data, units busy; against the teams on duty when a duty roster
# is given ("警力跟着警情走"). Definitions in `docs/metrics.md`.

# %%
load = workload.workload(data, labels, roster=roster)
load.table

# %%
book.add(load, "11_workload.png")

# %% [markdown]
# ## 12. Map
#
# Calls and the p90 of dispatch to arrival per grid, drawn from the
# agency's boundary polygons when given (GeoJSON), else from a hexagonal
# binning of the calls' coordinates. No tile server, no network. Cells with
# fewer than 5 calls are not coloured.

# %%
call_map = geography.call_map(data, labels, boundaries=boundaries)
call_map.table

# %%
book.add(call_map, "12_map.png")

# %% [markdown]
# ## 13. Arrests and time to arrest
#
# On the left is the arrest rate of each call type over the twelve months,
# highest first, with its 95% confidence interval. The label on each bar
# gives the arrests and the eligible incidents behind the rate. Call types
# that never lead to an arrest (traffic, requests for help) dilute the
# overall rate, so the panel's title gives the rate among the call types
# with an arrest beside the overall one; the month's overall rate is on the
# key-figure card. On the right, the arrests of the twelve months are
# grouped by the time from dispatch to arrest. Arrests made during the
# first response are "caught in the act"; the others came later. A source
# that records no arrest (a fire or EMS log) has no such page: it is left
# out, and the index says why (the cell shows the reason).

# %%
arrests = slides.arrests(data, labels)
arrests.table

# %%
book.add(arrests, "13_arrests.png")

# %% [markdown]
# ## 14. Data quality
#
# The left panels show, for each month, the share of rows that lack a
# timestamp and the share of intervals that run backwards. The right panel
# lists the rows that ingest kept out of the dataset, by reason. Every
# input file reconciles: rows read = rows written + rows quarantined.

# %%
quality = slides.data_quality(data, labels)
quality.table

# %%
book.add(quality, "14_data_quality.png")

# %%
book.write_manifest(**page_text(data, labels), month=data.month, agency=data.agency, language=language,
                    standard=data.standard.name, where=data.where)
