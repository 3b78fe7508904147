"""`inspect` drafts that ingest (issue 13, part 1), measured on eight exports.

The exports: the five real excerpts of ``data/sample/real`` (the mapping one ends with is the built-in format of
each), and the three synthetic exports of ``data/sample/unseen`` in other shapes (a fire district with
precomputed durations and minute precision, a PSAP extract with ``NULL``s and milliseconds, a police listing
with one timestamp and a status; the mapping one ends with is the ``.toml`` beside each).

For each, the draft that ``inspect`` writes is ingested **as it is**, and compared with the final mapping:

* it ingests, quarantining at most :data:`MAX_QUARANTINE_SHARE` of the rows, and reads ``received_at`` and
  every stage it maps from the final mapping's column exactly as the final mapping does (the formats are right);
* the **edits** that turn it into the final mapping are counted (:func:`draft_edits`): one per ``[fields.*]``
  table to add, remove or change, per ``[lookups.*]`` table to add, and per ``[format]`` / ``[repairs]`` key to
  change, counting only what changes what the ingest writes (the canonical rows and the quarantine: a final
  mapping's extra aliases, extra formats, descriptions, ``clock_start`` and ``[dimensions]`` are no edit). The goal: no edit of
  ``received_at`` or of any ``formats`` anywhere, at most two edits per export. :data:`EXPECTED_EDITS` is the
  measurement, with what each edit is.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from responsestats import ingest, load_mapping, read_calls, read_quarantine
from responsestats import schema as S
from responsestats.formats import Mapping
from responsestats.formats.inspect import inspect_file

from paths import REAL_SAMPLE, UNSEEN_SAMPLE

UNSEEN = UNSEEN_SAMPLE
#: The export, the mapping one ends with (a built-in format's name or a file), and the agency's zone.
EXPORTS: dict[str, tuple[Path, str | Path]] = {
    "sffd": (REAL_SAMPLE / "sffd" / "Fire_Department_Calls_for_Service.csv", "sffd"),
    "seattle_spd": (REAL_SAMPLE / "seattle_spd" / "db_call_data_2018-2023.csv", "seattle_spd"),
    "san_jose_pd": (REAL_SAMPLE / "san_jose_pd" / "sampled_file2024.csv", "san_jose_pd"),
    "san_diego_pd": (REAL_SAMPLE / "san_diego_pd" / "pd_calls_for_service_2023_datasd.csv", "san_diego_pd"),
    "virginia_beach_ems": (REAL_SAMPLE / "virginia_beach_ems" / "NA_VaBeach_EMS_2017_18.csv",
                           "virginia_beach_ems"),
    "fire_district": (UNSEEN / "fire_district.csv", UNSEEN / "fire_district.toml"),
    "psap_extract": (UNSEEN / "psap_extract.csv", UNSEEN / "psap_extract.toml"),
    "police_listing": (UNSEEN / "police_listing.csv", UNSEEN / "police_listing.toml"),
}
#: The largest share of an export's rows the draft may quarantine [0-1]: San Jose's excerpt repeats 3 of its 300
#: EIDs, whose later rows the draft quarantines (``duplicate_ids``' default) where the built-in format merges.
MAX_QUARANTINE_SHARE = 0.02
#: The measured edits of each export's draft: (what is edited, what the edit is).
EXPECTED_EDITS: dict[str, list[tuple[str, str]]] = {
    # The draft takes "Incident Number" (an incident's id before a call's); SFFD's format takes "Call Number".
    "sffd": [("incident_id", "change source")],
    "seattle_spd": [],
    # CDTS names no stage (the draft notes it: at or after the start in 299 of 300 rows); the format reads it as
    # the close. Repeated EIDs are one event's records: the format merges them, the draft's default quarantines.
    "san_jose_pd": [("[format] duplicate_ids", "change"), ("cleared_at", "add")],
    # Disposition codes need the city's code table (a lookup), which no sample can tell.
    "san_diego_pd": [("[lookups.dispo]", "add"), ("outcome", "change source, map")],
    # The rescue squad as the district is the format's judgement (no header says district).
    "virginia_beach_ems": [("district", "add")],
    # The NFIRS series of the incident type as the EMS / fire group, for NFPA 1710.
    "fire_district": [("call_group", "add")],
    "psap_extract": [],
    "police_listing": [],
}
_FIELD_KEYS = {"source": "source", "formats": "formats", "date_source": "date_source", "date_formats": "date_formats",
               "after": "after", "duration_formats": "duration_formats", "zone_suffixes": "zone_suffixes",
               "value_map": "map", "default": "default", "true_values": "true_values",
               "false_values": "false_values", "na_values": "na_values", "extract": "extract",
               "required": "required"}
#: Mapping attributes that are no edit: names, documentation, where the file was read from.
_NOT_EDITS = {"name", "description", "clock_start", "agency", "path", "fields", "lookups", "timezone"}
_FORMAT_NAMES = {"midnight_rollover": "[repairs] midnight_rollover", "encodings": "[format] encoding"}


def _header(path: Path) -> list[str]:
    return pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.tolist()


def _table(path: Path, mapping: Mapping, out: Path) -> tuple[pd.DataFrame, list] | None:
    """What the ingest writes for one export with one mapping: its canonical rows and quarantine, or None."""
    try:
        ingest([path], out, mapping=mapping, agency="x")
    except Exception:  # noqa: BLE001 - a mapping that does not ingest differs from one that does
        return None
    calls = read_calls(out).drop(columns=[S.AGENCY, S.SOURCE_FILE]).sort_values(S.SOURCE_ROW).reset_index(drop=True)
    quarantine = read_quarantine(out)
    return calls, sorted(zip(quarantine["source_row"], quarantine["reason"], quarantine["column"].astype(str)))


def _same(a, b) -> bool:
    if a is None or b is None:
        return False
    return a[0].equals(b[0]) and a[1] == b[1]


def _resolved(spec, mapping: Mapping, header: list[str]):
    """A field's spec with its sources resolved against the file's header (aliases are no edit)."""
    one = dataclasses.replace(mapping, fields={spec.name: spec})
    try:
        cols = one.resolve_columns(header, "export")
    except Exception:  # noqa: BLE001
        return spec
    changes = {}
    if spec.name in cols:
        changes["source"] = (cols[spec.name],)
    if spec.name + ".date" in cols:
        changes["date_source"] = (cols[spec.name + ".date"],)
    return dataclasses.replace(spec, **changes)


def draft_edits(path: Path, draft: Mapping, final: Mapping, tmp: Path) -> list[tuple[str, str]]:
    """The edits that turn ``draft`` into ``final`` for the export ``path`` (see the module's docstring).

    Each difference between the two (a ``[format]`` or ``[repairs]`` value, a field table) is tried on its own:
    the final mapping with the draft's version of that one item is ingested, and the item is an edit when the
    canonical rows or the quarantine then differ from the final mapping's (or the ingest fails). A field the
    final mapping reads through a lookup the draft lacks adds the lookup table as an edit too.

    Returns
    -------
    list of (str, str)
        What is edited (``"cleared_at"``, ``"[format] level"``, ``"[lookups.dispo]"``) and the edit (``"add"``,
        ``"remove"``, ``"change <keys>"``), sorted.
    """
    header = _header(path)
    runs = iter(range(1000))
    # Dimensions (the agency's own columns, kept beside the canonical rows) change no canonical row and no
    # figure of the canonical columns: an analyst adds them at will, and they are no edit toward a right number.
    final = dataclasses.replace(final, dimensions={}, fields={k: v for k, v in final.fields.items()
                                                              if not k.startswith(S.DIMENSION_PREFIX)})
    base = _table(path, final, tmp / "final")
    assert base is not None, "the final mapping does not ingest its export"
    mine = _table(path, draft, tmp / "draft")
    if _same(mine, base):
        return []

    def same_column(name: str) -> bool:
        """The field's canonical column is the same in both ingests, and so are the quarantines (then the
        field alone changes nothing: trying it would only confirm it)."""
        return mine is not None and mine[1] == base[1] and name in base[0] and mine[0][name].equals(base[0][name])

    def differs(trial: Mapping) -> bool:
        return not _same(_table(path, trial, tmp / f"trial{next(runs)}"), base)

    edits = []
    for attr in (f.name for f in dataclasses.fields(Mapping)):
        if attr in _NOT_EDITS or getattr(draft, attr) == getattr(final, attr):
            continue
        if differs(dataclasses.replace(final, **{attr: getattr(draft, attr)})):
            edits.append((_FORMAT_NAMES.get(attr, f"[format] {attr}"), "change"))
    for name in sorted(set(draft.fields) | set(final.fields)):
        fields = dict(final.fields)
        if name not in draft.fields:
            kind = "add"
            del fields[name]
        elif name not in final.fields:
            kind = "remove"
            fields[name] = draft.fields[name]
        else:
            ours, theirs = _resolved(draft.fields[name], draft, header), _resolved(final.fields[name], final, header)
            if ours == theirs:
                continue
            if same_column(name):
                continue
            keys = [key for attr, key in _FIELD_KEYS.items() if getattr(ours, attr) != getattr(theirs, attr)]
            kind = "change " + ", ".join(keys)
            fields[name] = draft.fields[name]
        try:
            trial = dataclasses.replace(final, fields=fields)
        except Exception:  # noqa: BLE001
            trial = None
        if trial is None or differs(trial):
            edits.append((name, kind))
            if name in final.fields:
                for alias in final.fields[name].source:
                    lookup, _col = final.lookup_column(alias)
                    if lookup is not None and lookup not in draft.lookups:
                        edits.append((f"[lookups.{lookup}]", "add"))
    return sorted(set(edits))


def _draft(name: str, tmp: Path) -> tuple[Path, Mapping, Path, str]:
    """The export, its final mapping, and the draft ``inspect`` writes for it (with the final mapping's zone)."""
    path, final_ref = EXPORTS[name]
    final = load_mapping(final_ref)
    text = inspect_file(path).draft_toml(timezone=final.timezone)
    draft_path = tmp / f"{name}_draft.toml"
    draft_path.write_text(text, encoding="utf-8")
    return path, final, draft_path, text


def test_every_draft_ingests_as_is_with_the_received_stamp_and_the_formats_right(tmp_path):
    problems = []
    for name in EXPORTS:
        path, final, draft_path, text = _draft(name, tmp_path)
        if "= \"CHANGE-ME\"" in text:
            problems.append(f"{name}: the draft has a CHANGE-ME placeholder")
            continue
        draft = load_mapping(draft_path)
        try:
            res = ingest([path], tmp_path / f"{name}_ds", mapping=draft, agency="x")
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{name}: the draft does not ingest: {exc}")
            continue
        share = res.rows_quarantined / res.rows_read
        if share > MAX_QUARANTINE_SHARE:
            problems.append(f"{name}: the draft quarantines {share:.1%} of the rows")
        base = _table(path, final, tmp_path / f"{name}_final")
        mine = read_calls(tmp_path / f"{name}_ds").set_index(S.SOURCE_ROW)
        theirs = base[0].set_index(S.SOURCE_ROW)
        both = mine.index.intersection(theirs.index)
        header = _header(path)
        draft_cols = draft.resolve_columns(header, name)
        final_cols = final.resolve_columns(header, name)
        for stage in S.TIMESTAMP_COLUMNS:
            same_source = stage in draft_cols and draft_cols.get(stage) == final_cols.get(stage)
            if stage != S.RECEIVED_AT and not same_source:
                continue
            if stage == S.RECEIVED_AT and not same_source:
                problems.append(f"{name}: received_at is read from {draft_cols.get(stage)!r}, "
                                f"not {final_cols.get(stage)!r}")
                continue
            if not mine.loc[both, stage].equals(theirs.loc[both, stage]):
                wrong = int((mine.loc[both, stage] != theirs.loc[both, stage]).sum())
                problems.append(f"{name}: {stage} differs from the final mapping's in {wrong} rows")
            elif int(mine[stage].notna().sum()) < int(theirs.loc[both, stage].notna().sum()):
                problems.append(f"{name}: {stage} has fewer values than the final mapping's")
    assert not problems, "\n".join(problems)


def test_draft_edits_meet_the_goal_on_every_export(tmp_path):
    """No edit of received_at or of any formats, at most two edits an export; the measured edits are pinned."""
    measured = {}
    for name in EXPORTS:
        path, final, draft_path, _text = _draft(name, tmp_path)
        try:
            draft = load_mapping(draft_path)
        except Exception as exc:  # noqa: BLE001
            measured[name] = [("the draft", f"does not load: {exc}")]
            continue
        measured[name] = draft_edits(path, draft, final, tmp_path / name)
    problems = [f"{name}: {len(edits)} edits: {edits}" for name, edits in measured.items() if len(edits) > 2]
    problems += [f"{name}: an edit of received_at: {edits}" for name, edits in measured.items()
                 if any(item in (S.RECEIVED_AT, "the draft") for item, _ in edits)]
    problems += [f"{name}: an edit of formats: {edits}" for name, edits in measured.items()
                 if any("formats" in kind for _, kind in edits)]
    assert not problems, "\n".join(problems)
    assert measured == {name: sorted(edits) for name, edits in EXPECTED_EDITS.items()}


def test_the_unseen_exports_are_what_their_generator_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_unseen", UNSEEN / "make_unseen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in ("fire_district", "psap_extract", "police_listing"):
        assert (tmp_path / f"{name}.csv").read_bytes() == (UNSEEN / f"{name}.csv").read_bytes(), name


@pytest.mark.parametrize("name", ["fire_district", "psap_extract", "police_listing"])
def test_the_final_mappings_of_the_unseen_exports_ingest_them_whole(name, tmp_path):
    path, final_ref = EXPORTS[name]
    res = ingest([path], tmp_path / "ds", mapping=final_ref, agency="x")
    assert res.rows_read == res.rows_written > 250 and res.rows_quarantined == 0
