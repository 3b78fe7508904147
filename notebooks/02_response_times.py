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
# # 2. Response times
#
# How fast does help arrive, where is it slow, and how often is the target
# met? The notebook covers the twelve months that end with `month`.
#
# A few definitions come first. They are set out in `docs/metrics.md`.
#
# * Times are measured per **incident**, from the first unit (the first
#   dispatch, the first unit en route, the first unit on scene). A late
#   second unit never stretches an incident's response.
# * Self-initiated (patrol) calls are left out of response times. So are
#   values that are missing, that run backwards, or that exceed the cap.
#   Each exclusion is counted.
# * Response times are skewed, so the notebook reports medians and the
#   **90th percentile (p90)**, not means. It shows the sample size beside
#   every figure and flags groups with fewer than 30 values as *thin*.
# * The standard (`cn110` by default) sets the target of each call from
#   its area class: urban 5 min and suburban 10 min from dispatch to
#   arrival. "Within" means at or under the target.

# %% tags=["parameters"]
dataset = "../data/processed/cn110"  # dataset folder written by `responsestats ingest`
agency = "zz110"  # agency id; None: the dataset's only agency
month = "latest"  # "YYYY-MM" or "latest": the last month of the twelve
language = "zh"  # "zh" or "en" (chart labels)
standard = "cn110"  # standard graded against (built-in name or .toml path)
where = None  # a row filter, e.g. "priority = '一级'" (docs/metrics.md); None: every call
group_by = "district"  # the groups of the p90 chart and the ladders: district, or a dimension such as "station"
out_dir = "../reports/notebooks/02_response_times"  # where the PNGs go

# %%
from responsestats.briefing import Book, load_briefing_data, slides, tables
from responsestats.briefing.wording import load_labels
from responsestats.briefing.wording.context import context

labels = load_labels(language)
data = load_briefing_data(dataset, agency=agency, month=month, standard=standard, where=where, group_by=group_by)
book = Book(out_dir)
context(data, labels)

# %% [markdown]
# ## Distribution in the month
#
# The empirical distribution (ECDF) of the headline interval in the month,
# one curve per area class. Read a curve from the y axis: the share of
# calls that arrived within the time on the x axis. The dot marks the
# median (50%) and the diamond the p90 (90%). The dashed line is the area's
# target. Where a curve crosses its target line, you can read the share of
# calls that met it.

# %%
distribution = slides.distribution(data, labels)
distribution.table

# %%
book.add(distribution)

# %% [markdown]
# ## The segments of a response
#
# The median of each segment, month by month: call processing (received
# to dispatched), turnout (dispatched to en route) and travel (en route to
# on scene). The diamond is the median of the whole response, received to
# on scene. Medians do not add up, so the diamond need not sit on top of
# the stack. The gap shows how much the segments vary from call to call.
# The segment that grows is the one to look into.

# %%
segments = slides.segments(data, labels)
segments.table

# %%
book.add(segments)

# %% [markdown]
# ## p90 by grid (or by `group_by`)
#
# Set `group_by` to a dimension of the dataset (`station` for the 110
# sample's police stations) to rank those instead. The grids are ranked by the p90 of the calls the standard grades, over
# the three months that end with `month` (one month leaves most grids with
# too few calls for a 90th percentile), or over the twelve months when the
# standard grades only part of the calls (`cn110`: urgent calls). There is
# one panel per target. Orange-red bars exceed their target, and hatched
# bars rest on fewer than 30 calls.

# %%
by_grid = slides.p90_by_district(data, labels)
by_grid.table

# %%
book.add(by_grid)

# %% [markdown]
# ## By priority
#
# The median and p90 of each priority in the month, with the 95%
# confidence interval of the p90. Urgent calls should be the fastest. If
# they are not, check how the priority is assigned before drawing
# conclusions: priority codes are not comparable across agencies.

# %%
by_priority = slides.p90_by_priority(data, labels)
by_priority.table

# %%
book.add(by_priority)

# %% [markdown]
# ## Hour by weekday
#
# Both maps pool the twelve months. The top one shows when calls come in,
# and the bottom one the median response in each cell. Slow cells that
# coincide with busy ones point to staffing. Slow cells at quiet hours
# point to travel distances at night. Hatched cells have fewer than 30
# values.

# %%
heatmap = slides.hour_weekday_window(data, labels)
heatmap.table

# %%
book.add(heatmap)

# %% [markdown]
# ## Monthly trend against the target
#
# The p90 (with its 95% confidence band) and the median per month, overall
# and per target. The dotted line is the target. A p90 under the target
# means at least 90% of calls met it. Hollow points mark thin months.

# %%
trend = slides.trend(data, labels)
trend.table

# %%
book.add(trend)

# %% [markdown]
# ## Attainment against the standard
#
# For each target of the standard, this is the share of the graded calls
# (`cn110`: urgent calls) within the target, month by month, with a 95%
# confidence band. The `cn110` rule sets
# no required share, so no "met" line is drawn. Standards that set one
# (e.g. NFPA 1710's 90%) get a dashed line. The table below gives the
# month's attainment by priority.

# %%
attainment = slides.attainment_trend(data, labels)
tables.attainment_by(data.month_calls, data.standard)

# %%
book.add(attainment)

# %% [markdown]
# ## Stage ladders, slowest first
#
# A ladder gives the share of calls within each of several marks. The
# `cn110` profile grades the three stages of an order that Chinese 110
# reports rank units on: acknowledged (签收: 30 s, 1, 2, 3 min), under way
# (出警: 5, 10, 15, 30 min) and the result reported back (反馈: 30 min, 1,
# 2, 4 h); and dispatch to arrival against the 1-3-5 minute marks at key
# sites (重点部位) beside every call. Each row is one group (`group_by`) at
# one mark; `rank_slowest` 1 is the group with the lowest share within it,
# the one a weekly report names first. Figures resting on fewer than 5
# calls are blanked. A standard without ladders gives an empty table.

# %%
tables.stage_ladders(data.window_calls, data.standard, by=data.group_by)

# %% [markdown]
# Key sites over all groups together: the share of arrivals within 1, 3 and
# 5 minutes of dispatch at key sites, and at every call for comparison.

# %%
tables.stage_ladders(data.window_calls, data.standard)

# %%
book.write_manifest(notebook="02_response_times", agency=data.agency, month=data.month, language=language,
                    where=data.where)
