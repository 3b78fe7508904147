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
# Every table comes from `responsestats.briefing_tables`, and every chart
# from `responsestats.charts`. Run `make lab` to open it interactively, or
# change the parameters below.

# %% tags=["parameters"]
dataset = "../data/processed/cn110"  # dataset folder written by `responsestats ingest`
agency = "zz110"  # agency id; None: the dataset's only agency
month = "latest"  # "YYYY-MM" or "latest"; highlighted on the monthly charts
language = "zh"  # "zh" or "en" (chart labels)
standard = "cn110"  # standard (not graded here; kept for a uniform parameter set)
out_dir = "../reports/notebooks/01_data_quality"  # where the PNGs go

# %%
from responsestats import briefing_tables as T
from responsestats import charts as C
from responsestats import headlines as H
from responsestats.i18n import load_labels
from responsestats.store import read_quarantine

labels = load_labels(language)
data = T.load_briefing_data(dataset, agency=agency, month=month, standard=standard)
calls = data.all_calls()
span = labels.month_span(data.first_month, data.last_month)
book = C.Book(out_dir)
footer = H.footer(data, labels)

# %% [markdown]
# ## Reconciliation per input file
#
# There is one row per input file. The `reconciled` column is recomputed
# here from the three counts; it does not just repeat what the report
# says. A file that does not reconcile would mean rows were lost, which
# must never happen.

# %%
reconciliation = T.reconciliation(data.reports)
totals = T.reconciliation_totals(data.reports)
print(H.reconciliation_title(totals, labels))
reconciliation

# %% [markdown]
# The chart shows the quarantined rows of each file, stacked by reason.
# Each bar is labelled with how many of the file's rows were quarantined.
# A file whose bar stands out points to an export problem in that file.

# %%
by_file = T.quarantine_by_file(data.reports)
book.add(
    "quarantine_files.png",
    C.quarantine_files(by_file, reconciliation, labels, title=H.reconciliation_title(totals, labels),
                       subtitle=H.subtitle("quarantine_files", data, labels), footer=footer),
    title=H.reconciliation_title(totals, labels),
)

# %% [markdown]
# ## Quarantine reasons
#
# A quarantined row is one that cannot be used: its incident id is
# missing, its call time is missing or cannot be read, or it repeats
# another row byte for byte, and so on. The share is taken over all rows
# read. The quarantine table keeps each row's raw value and reason, so any
# row can be traced back to its file and line.

# %%
reasons = T.quarantine_reasons(data.reports)
reasons

# %%
book.add(
    "quarantine_reasons.png",
    C.quarantine(reasons, labels, title=H.quarantine_title(reasons, totals, labels),
                 subtitle=H.subtitle("quarantine", data, labels), footer=footer),
    title=H.quarantine_title(reasons, totals, labels),
)

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
T.report_issues(data.reports)

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
quality = T.timestamp_quality(calls, data.all_months)
T.quality_wide(quality, T.CHECK_MISSING)

# %%
book.add(
    "missing_by_month.png",
    C.missing(quality, labels, title=H.missing_title(quality, labels),
              subtitle=H.subtitle("missing", data, labels, span=span), footer=footer, highlight=data.month),
    title=H.missing_title(quality, labels),
)

# %% [markdown]
# ## Intervals that run backwards, by month
#
# This is the share of intervals whose end comes before their start, among
# rows that have both stamps. Typical causes are an arrival stamped before
# the dispatch, or a clock-only stamp that crosses midnight. The metrics
# exclude these values and count them as `excluded_negative`.

# %%
T.quality_wide(quality, T.CHECK_NEGATIVE, T.N_FLAGGED)

# %%
book.add(
    "negative_by_month.png",
    C.negative(quality, labels, title=H.negative_title(quality, labels),
               subtitle=H.subtitle("negative", data, labels, span=span), footer=footer, highlight=data.month),
    title=H.negative_title(quality, labels),
)

# %%
book.write_manifest(notebook="01_data_quality", agency=data.agency, month=data.month, language=language)
