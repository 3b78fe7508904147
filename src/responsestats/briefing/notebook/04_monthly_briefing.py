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
out_dir = "../reports/notebooks/04_monthly_briefing"  # this run's PNGs (`make briefing` writes reports/briefing)

# %%
from responsestats.briefing import Book, load_briefing_data, slides
from responsestats.briefing.wording import load_labels
from responsestats.briefing.wording.context import context, page_text

labels = load_labels(language)
data = load_briefing_data(dataset, agency=agency, month=month, standard=standard)
book = Book(out_dir)
context(data, labels)

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
# plus one for all calls (which has no single target). Hollow points mark
# months with fewer than 30 values. The number under each month is its n.

# %%
trend = slides.trend(data, labels)
trend.table

# %%
book.add(trend, "02_trend.png")

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
by_grid = slides.p90_by_district(data, labels)
by_grid.table

# %%
book.add(by_grid, "03_p90_by_district.png")

# %% [markdown]
# ## 4. Attainment by priority
#
# This chart shows the share of the month's calls that arrived within the
# target of their area, for each priority. There is one bar for all calls
# (each call is graded against its own area's target) and one bar per
# area. "Within" means at or under the target. The whiskers are 95%
# Wilson intervals.

# %%
by_priority = slides.attainment_by_priority(data, labels)
by_priority.table

# %%
book.add(by_priority, "04_attainment_by_priority.png")

# %% [markdown]
# ## 5. Hour by weekday
#
# The top map shows when the month's calls came in. The bottom map shows
# the median response in each weekday-and-hour cell. It pools twelve
# months, because one month leaves most cells with a handful of calls.
# Hatched cells still have fewer than 30 values.

# %%
heatmap = slides.hour_weekday(data, labels)
heatmap.table

# %%
book.add(heatmap, "05_hour_weekday.png")

# %% [markdown]
# ## 6. Arrests and time to arrest
#
# On the left is the arrest rate of each month, with its 95% confidence
# interval. The label on each bar gives the arrests and the eligible
# incidents behind the rate. On the right, the arrests of the twelve months
# are grouped by the time from dispatch to arrest. Arrests made during the
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
                    standard=data.standard.name)
