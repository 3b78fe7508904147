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
# # 1. Data quality
#
# Read this notebook before any figure of the others. It answers three
# questions:
#
# 1. **Was every input row accounted for?** The ingest report of each input
#    file reconciles rows read = rows written + rows quarantined.
# 2. **Why were rows kept out?** These are the quarantine reasons, and the
#    values ingest set to null, repaired (e.g. DST fixes) or could not map.
# 3. **How complete and how plausible are the timestamps,** month by month?
#    We look for missing stamps, and for intervals that run backwards (an end
#    before its start).
#
# Every table comes from `responsestats.briefing.tables`, and every chart
# from `responsestats.briefing.slides`. Run `make lab` to open it interactively, or
# change the parameters below.

# %% tags=["parameters"]
dataset = "../data/processed/cn110"  # dataset folder written by `responsestats ingest`
agency = "zz110"  # agency id; None: the dataset's only agency
month = "latest"  # "YYYY-MM" or "latest"; highlighted on the monthly charts
language = "zh"  # "zh" or "en" (chart labels)
standard = "cn110"  # standard (not graded here; kept for a uniform parameter set)
where = None  # a row filter, e.g. "priority = '一级'" (docs/metrics.md); None: every call
out_dir = "../reports/notebooks/01_data_quality"  # where the PNGs go

# %%
from responsestats.briefing import Book, load_briefing_data, slides, tables
from responsestats.briefing.columns import CHECK_MISSING, CHECK_NEGATIVE, N_FLAGGED
from responsestats.briefing.wording import load_labels
from responsestats.store import read_quarantine

labels = load_labels(language)
data = load_briefing_data(dataset, agency=agency, month=month, standard=standard, where=where)
calls = data.all_calls()
book = Book(out_dir)

# %% [markdown]
# ## Reconciliation per input file
#
# There is one row per input file. The `reconciled` column is recomputed
# here from the three counts; it does not just repeat what the report
# says. A file that does not reconcile would mean rows were lost, which
# must never happen.

# %%
files = slides.quarantine_files(data, labels)
print(files.title)
files.table

# %% [markdown]
# The chart shows the quarantined rows of each file, stacked by reason.
# Each bar is labelled with how many of the file's rows were quarantined.
# A file whose bar stands out points to an export problem in that file.

# %%
book.add(files)

# %% [markdown]
# ## Quarantine reasons
#
# A quarantined row is one that cannot be used: its incident id is
# missing, its call time is missing or cannot be read, or it repeats
# another row byte for byte, and so on. The share is taken over all rows
# read. The quarantine table keeps each row's raw value and reason, so any
# row can be traced back to its file and line.

# %%
reasons = slides.quarantine_reasons(data, labels)
reasons.table

# %%
book.add(reasons)

# %%
read_quarantine(dataset).head(10)

# %% [markdown]
# ## Values nulled, repaired or left unmapped at ingest
#
# Rows that were kept can still have lost a value. A timestamp may be
# unreadable or out of range (nulled), or a local time may fall in a DST
# gap or overlap (repaired). A category may have a value the format's map
# does not know (kept as raw text, with the canonical value `other`). An
# empty table means that nothing of the kind happened.

# %%
tables.report_issues(data.reports)

# %% [markdown]
# ## Missing timestamps, by month
#
# This is the share of rows that lack each stamp, among the rows that
# should have one. Arrival is checked on calls that were not cancelled
# (a cancelled call may end before anyone arrives), and the arrest time
# on arrests. A jump in one month usually means a change in how the stamp
# was recorded or exported. The missing arrivals also explain most of the
# exclusions in the response-time notebook.

# %%
quality = tables.timestamp_quality(calls, data.all_months)
tables.quality_wide(quality, CHECK_MISSING)

# %%
book.add(slides.missing_by_month(data, labels, quality))

# %% [markdown]
# ## Intervals that run backwards, by month
#
# This is the share of intervals whose end comes before their start, among
# rows that have both stamps. Typical causes are an arrival stamped before
# the dispatch, or a clock-only stamp that crosses midnight. The metrics
# exclude these values and count them as `excluded_negative`.

# %%
tables.quality_wide(quality, CHECK_NEGATIVE, N_FLAGGED)

# %%
book.add(slides.negative_by_month(data, labels, quality))

# %%
book.write_manifest(notebook="01_data_quality", agency=data.agency, month=data.month, language=language,
                    where=data.where)
