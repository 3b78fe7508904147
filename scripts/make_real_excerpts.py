"""Cut the small real excerpts in data/sample/real/ from the full files in ../shared/data/real/.

Run from the repository root::

    .venv/bin/python scripts/make_real_excerpts.py [--shared ../shared]

Each excerpt keeps the file's own bytes: the header line, then whole records
(lines) in their original order, with the original encoding, byte-order mark
and line endings; the file's last record is always kept, so an excerpt of a
file without a final newline has none either. Rows are chosen by rules that
catch each file's quirks (listed in data/sample/real/README.md), topped up
with a seeded random sample. Running it again gives the same bytes.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "sample" / "real"
TARGET_ROWS = 300
SEED = 1710

SOURCES = {
    "sffd": "sffd_calls_2016/Fire_Department_Calls_for_Service.csv",
    "seattle_spd": "seattle_spd_call_data/db_call_data_2018-2023.csv",
    "san_jose_pd": "san_jose_pd_cfs/sampled_file2024.csv",
    "san_diego_pd": "san_diego_pd_cfs/pd_calls_for_service_2023_datasd.csv",
    "virginia_beach_ems": "virginia_beach_ems/NA_VaBeach_EMS_2017_18.csv",
}


def _lines(raw: bytes) -> list[bytes]:
    """Split bytes into lines, keeping each line's terminator."""
    return io.BytesIO(raw).readlines()


def _pick(df: pd.DataFrame) -> pd.Series:
    """Rows every excerpt keeps: the first 40 and the last one."""
    keep = pd.Series(False, index=df.index)
    keep.iloc[:40] = True
    keep.iloc[-1] = True
    return keep


def _sffd(df: pd.DataFrame) -> pd.Series:
    keep = _pick(df)
    rare = (df["Available DtTm"] == "") | (df["Call Type Group"] == "") | df["Priority"].isin(["A", "B"])
    common = df["Priority"].eq("E") | df["Unit Type"].eq("PRIVATE") | df["Response DtTm"].eq("")
    calls = set(df.loc[rare, "Call Number"]) | set(df.loc[common, "Call Number"].head(20))
    keep |= df["Call Number"].isin(calls)
    return _whole_calls(df, keep, "Call Number")


def _whole_calls(df: pd.DataFrame, keep: pd.Series, key: str) -> pd.Series:
    """Top up with random whole calls, then keep every unit row of each chosen call."""
    rng = np.random.default_rng(SEED)
    calls = list(dict.fromkeys(df.loc[keep, key]))
    others = [c for c in dict.fromkeys(df[key]) if c not in set(calls)]
    rng.shuffle(others)
    out = df[key].isin(calls)
    for c in others:
        if out.sum() >= TARGET_ROWS:
            break
        out |= df[key] == c
    return out | keep


def _san_jose(df: pd.DataFrame) -> pd.Series:
    keep = _pick(df)
    keep |= df["EID"].duplicated(keep=False) | df["CALL_NUMBER"].duplicated(keep=False)
    keep |= df["FINAL_DISPO_CODE"].isin(["A", "B"]) & (df.groupby("FINAL_DISPO_CODE").cumcount() < 12)
    keep |= df.groupby("FINAL_DISPO_CODE").cumcount() < 2  # every disposition code
    keep |= df["CDTS"].str.endswith("PS") & (df.groupby(df["CDTS"].str[-2:]).cumcount() < 20)
    keep |= (df["OFFENSE_TIME"].str.len() == 7) & (df.groupby(df["OFFENSE_TIME"].str.len()).cumcount() < 10)
    cdts = pd.to_datetime(df["CDTS"].str[:14], format="%Y%m%d%H%M%S")
    start = pd.to_datetime(df["OFFENSE_DATE"], format="%m/%d/%Y %I:%M:%S %p") + pd.to_timedelta(df["OFFENSE_TIME"])
    keep |= cdts < start  # the one record stamped before its start
    keep |= (cdts.dt.normalize() > start.dt.normalize()) & (df.index.to_series().rank() % 25 == 0)  # next-day CDTS
    keep |= df["ADDRESS"].eq("") & (df.groupby(df["ADDRESS"].eq("")).cumcount() < 5)
    return _top_up(df, keep)


def _san_diego(df: pd.DataFrame) -> pd.Series:
    keep = _pick(df)
    keep |= df["disposition"].isin(["AB", "AHR", "DEF", "KB", "OHR"])
    keep |= df.groupby("disposition").cumcount() < 3
    keep |= df["disposition"].eq("A") & (df.groupby("disposition").cumcount() < 30)
    keep |= df["beat"].eq("-1") & (df.groupby("beat").cumcount() < 5)
    keep |= df["call_type"].eq("") & (df.groupby("call_type").cumcount() < 3)
    keep |= df.groupby("priority").cumcount() < 3
    return _top_up(df, keep)


def _vb(df: pd.DataFrame) -> pd.Series:
    keep = _pick(df)
    for col in ("DispatchDateandTime", "EnrouteDateandTime", "OnSceneDateandTime", "RescueSquad.Number"):
        keep |= df[col].eq("") & (df.groupby(df[col].eq("")).cumcount() < 6)
    keep |= df["CallPriority"].eq("5")
    return _top_up(df, keep)


def _top_up(df: pd.DataFrame, keep: pd.Series) -> pd.Series:
    rng = np.random.default_rng(SEED)
    rest = np.flatnonzero(~keep.to_numpy())
    need = max(0, TARGET_ROWS - int(keep.sum()))
    keep = keep.copy()
    keep.iloc[rng.choice(rest, size=min(need, len(rest)), replace=False)] = True
    return keep


RULES = {"sffd": _sffd, "seattle_spd": None, "san_jose_pd": _san_jose, "san_diego_pd": _san_diego,
         "virginia_beach_ems": _vb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    for fmt, rel in SOURCES.items():
        src = args.shared / "data" / "real" / rel
        raw = src.read_bytes()
        lines = _lines(raw)
        df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert len(df) == len(lines) - 1, f"{src}: records span lines; cut by records instead"
        rule = RULES[fmt]
        keep = np.ones(len(df), bool) if rule is None else rule(df).to_numpy(bool)
        picked = [lines[0]] + [line for line, k in zip(lines[1:], keep) if k]
        folder = OUT / fmt
        folder.mkdir(parents=True, exist_ok=True)
        (folder / src.name).write_bytes(b"".join(picked))
        print(f"{fmt}: {int(keep.sum())} of {len(df)} rows -> {folder / src.name}")


if __name__ == "__main__":
    main()
