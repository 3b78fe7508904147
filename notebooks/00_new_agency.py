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
# # 0. A new agency: from an unseen export to a right number
#
# This notebook walks through the first contact with a CAD export the project
# does not know yet: **inspect** it, let `inspect` write a **draft mapping**,
# **ingest** the draft, **read the report**, **fix** what the draft could not
# know, **filter** to the population a figure is about, and **check a figure
# by hand** against the raw file. `docs/mappings.md` ("A new agency, step by
# step") says the same in prose, with the command-line equivalents.
#
# It runs on `data/sample/unseen/fire_district.csv`, a synthetic fire
# district's open-records export: one row per responding unit, the alarm and
# dispatch as clock times to the minute on the alarm's date, turnout and
# travel as precomputed `M:SS` durations, time on scene partly mangled by an
# Excel re-save (`27:10:00` is 27 min 10 s). Point the parameters at your own
# export and zone to do the same with it.

# %% tags=["parameters"]
export = "../data/sample/unseen/fire_district.csv"  # the CAD export (CSV, .xlsx, .xls or Parquet)
timezone = "America/Denver"  # the IANA zone of the export's clock times
agency = "cvfd"  # agency id: the partition key in the dataset
mapping = "../data/sample/unseen/fire_district.toml"  # your edited mapping (step 4); the draft's path to skip it
where = "priority == 'EMERGENT'"  # the population of the filtered figures (step 5), see docs/metrics.md
standard = "nfpa1710"  # the standard the figures are graded against
dataset = "../data/processed/new_agency"  # dataset folder written from the edited mapping
out_dir = "../reports/notebooks/00_new_agency"  # where the draft mapping and the draft's dataset go

# %%
from pathlib import Path

import pandas as pd

import responsestats as rs
from responsestats import schema as S
from responsestats.metrics import coverage, stamps_not_recorded

work = Path(out_dir)
work.mkdir(parents=True, exist_ok=True)
draft_path = work.joinpath("draft.toml")
draft_dataset = work.joinpath("draft_dataset")
intervals = ["call_processing_s", "turnout_s", "travel_s", "response_s", "on_scene_s"]

# %% [markdown]
# ## 1. Inspect the export
#
# `inspect` reads a sample of rows and says, per column, its type, how many
# values are present, the timestamp layouts it found (with the share of
# values each reads) and what canonical field it guesses. Columns that hold
# personal data (names, phone numbers, street addresses, free text) are
# flagged by their header *and* by their content, their sample values are
# masked, and the draft leaves them out. Read the guesses: they are guesses.

# %%
inspected = rs.inspect_file(export)
print(inspected.to_text())

# %% [markdown]
# ## 2. The draft mapping
#
# The draft is a complete mapping: every detected layout is filled in, the
# stages are chosen by header meaning and then by the data (the candidate
# with the fewest negative and missing intervals against its neighbours,
# with the counts in a comment), the level (one row per incident or per
# unit) follows from whether the id repeats, and where it cannot decide it
# says why in a comment. It ingests without an edit whenever the export has
# a recognisable received stamp.

# %%
draft_path.write_text(inspected.draft_toml(timezone=timezone, name=agency), encoding="utf-8")
print(draft_path.read_text(encoding="utf-8"))

# %% [markdown]
# ## 3. Ingest the draft and read the report
#
# Every row read is either written or quarantined with a reason
# (`rows_read = written + quarantined`). The one-line summary names the
# top quarantine reasons with their column and an example value, the rows
# that repeat an incident id, and the duration columns whose values read
# both as under an hour and as over a day (`ambiguous_durations`): look at
# each before trusting a figure. A file of which more than half the rows
# would be quarantined is refused and the dataset is left as it was
# (`max_quarantine_share`).

# %%
draft_run = rs.ingest([export], draft_dataset, mapping=draft_path, agency=agency, max_quarantine_share=0.5)
print(draft_run.summary_line())

# %%
rs.read_quarantine(draft_dataset)

# %%
draft_calls = rs.read_calls(draft_dataset, agency=agency)
rs.summarize(draft_calls, intervals, standard=standard)

# %% [markdown]
# ## 4. Fix what the draft could not know
#
# The draft cannot know what a figure will be graded on. NFPA 1710 grades
# fire and EMS calls, and splits turnout into 60 s for EMS and 80 s for
# fire by `call_group`, which this export does not have as a column: the
# summary above has no turnout target for any call. The edited mapping
# derives it from the NFIRS series of the incident type (`3xx` is EMS,
# the rest fire-service calls) with an `extract` and a `map`: one edit,
# the only one this export needs (`tests/formats/test_inspect_drafts.py`
# counts the edits of eight exports). Edit your copy of the draft the same
# way and set `mapping` to it.

# %%
print(Path(mapping).read_text(encoding="utf-8"))

# %%
run = rs.ingest([export], dataset, mapping=mapping, agency=agency, max_quarantine_share=0.5)
print(run.summary_line())

# %%
calls = rs.read_calls(dataset, agency=agency, local=True)  # with each stamp's local wall-clock twin (*_local)
stamps_not_recorded(calls, intervals)

# %% [markdown]
# An empty result means every interval has both its stamps in the source.
# An interval listed here has no value anywhere: its figures are blank, not
# 0. Next, who the standard grades: `n_not_applicable` counts the calls
# outside its population (a PSAP's police calls under NFPA 1710), and the
# catch-all line names the groups a "everything else" target took.

# %%
print("\n".join(coverage(calls, standard).lines(what="unit rows")))
rs.attainment(calls, standard)

# %% [markdown]
# ## 5. Filter to the population a figure is about
#
# Non-emergent responses drive at normal speed and turn out when ready:
# graded together with emergent ones they lift the median and hide the
# response the standard is about. `where` keeps only the rows it matches;
# the filter travels with the figures in the table's `where` column.

# %%
everything = rs.summarize(calls, intervals, standard=standard)
everything

# %%
emergent = rs.summarize(calls, intervals, standard=standard, where=where)
emergent

# %% [markdown]
# ## 6. Check a figure by hand
#
# Take one incident and compare the raw export's rows with what the dataset
# holds. At incident level the figures use the first-arriving unit (the
# earliest arrival, then the earliest en route, the earliest dispatch and
# the unit id: the row order of the file does not matter). Do the arithmetic
# on paper: the alarm and dispatch clocks, the `M:SS` turnout and travel
# added after dispatch, and the first arrival against the alarm. The
# dataset keeps time stamps in UTC; the `*_local` columns are the agency's
# wall clock, as the export shows it. (For an Excel export, read the raw
# rows with `pd.read_excel`.)

# %%
incident = calls[S.INCIDENT_ID].iloc[0]
raw = pd.read_csv(export, dtype=str, encoding="utf-8-sig").set_index("Incident Number")
raw.loc[[incident]]

# %%
one = calls.set_index(S.INCIDENT_ID).loc[[incident]].reset_index()
one[[S.INCIDENT_ID, S.UNIT_ID, *map(S.local_column, [S.RECEIVED_AT, S.DISPATCHED_AT, S.ENROUTE_AT, S.ARRIVED_AT,
                                                      S.CLEARED_AT])]]

# %%
first = rs.incident_level(one)
rs.metrics.compute_intervals(first, intervals)
