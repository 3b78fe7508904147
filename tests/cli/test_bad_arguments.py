"""Bad arguments and bad files end in one clear line and exit status 2, never a traceback (issue 16, parts 1, 3, 6).

Each case runs the real command line in a child process (as a user would), so that an exception escaping
``main`` would show as a traceback on stderr.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from paths import REPO, TESTS

SAMPLE = REPO / "data" / "sample" / "cn110" / "zz110_2024-01.csv"


def _run(args: list[str], cwd) -> subprocess.CompletedProcess:
    env_path = f"{TESTS}:{REPO / 'src'}"
    return subprocess.run([sys.executable, "-m", "responsestats", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})  # fmt: skip


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    from responsestats import ingest

    out = tmp_path_factory.mktemp("bad") / "ds"
    ingest([SAMPLE], out, mapping="cn110", agency="zz")
    return out


def _profiles(folder):
    (folder / "self.toml").write_text('[standard]\nname = "self"\nextends = "self.toml"\n', encoding="utf-8")
    (folder / "b.toml").write_text('[standard]\nname = "b"\nextends = "c.toml"\n', encoding="utf-8")
    (folder / "c.toml").write_text('[standard]\nname = "c"\nextends = "b.toml"\n', encoding="utf-8")
    (folder / "empty").mkdir(exist_ok=True)
    (folder / "a_file.txt").write_text("mine", encoding="utf-8")
    (folder / "roster_bad.csv").write_text("weekday,hour,teams\n1,24,5\n", encoding="utf-8")
    (folder / "grids_bad.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")


CASES = [
    # (arguments; {ds}: the dataset, {tmp}: the test's folder), words the one line must hold
    (["metrics", "{ds}", "--interval", "travel", "--standard", "self.toml"], "extends forms a cycle"),
    (["metrics", "{ds}", "--interval", "travel", "--standard", "b.toml"], "b.toml -> c.toml -> b.toml"),
    (["metrics", "{ds}", "--interval", "travel", "--from", "2024-02-01", "--to", "2024-01-01"], "is after --to"),
    (["outcomes", "{ds}", "--from", "2024-02-01", "--to", "2024-01-01"], "is after --to"),
    (["ingest", str(SAMPLE), "--format", "cn110", "--tz", "", "--out", "{tmp}/new"], "an empty time zone"),
    (["metrics", "{tmp}/empty", "--interval", "travel"], "an empty folder, not a dataset"),
    (["outcomes", "{tmp}/empty"], "an empty folder, not a dataset"),
    (["briefing", "{ds}", "--month", "latest", "--out", "{tmp}/a_file.txt"], "a_file.txt"),
    (["briefing", "{tmp}/empty", "--month", "latest", "--out", "{tmp}/b"], "empty"),
    # the briefing's own inputs are read and checked before the notebook runs
    (["briefing", "{ds}", "--month", "latest", "--roster", "{tmp}/roster_bad.csv", "--out", "{tmp}/b"],
     "roster_bad.csv"),
    (["briefing", "{ds}", "--month", "latest", "--roster", "{tmp}/nope.csv", "--out", "{tmp}/b"], "nope.csv"),
    (["briefing", "{ds}", "--month", "latest", "--roster", "/dev/zero", "--out", "{tmp}/b"], "/dev/zero"),
    (["briefing", "{ds}", "--month", "latest", "--boundaries", "{tmp}/grids_bad.geojson", "--out", "{tmp}/b"],
     "grids_bad.geojson"),
    (["briefing", "{ds}", "--month", "latest", "--boundaries", "{tmp}/empty", "--out", "{tmp}/b"], "empty"),
]


@pytest.mark.parametrize(("args", "words"), CASES, ids=[" ".join(a[:1] + [w]) for a, w in CASES])
def test_one_line_and_exit_2(args, words, dataset, tmp_path):
    _profiles(tmp_path)
    argv = [a.format(ds=dataset, tmp=tmp_path) for a in args]
    proc = _run(argv, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr and len(lines) == 1, proc.stderr[-2000:]
    assert words in lines[0], lines[0]


def test_a_negative_count_is_refused_by_the_parser(dataset, tmp_path):
    proc = _run(["metrics", str(dataset), "--interval", "travel", "--min-n", "-1"], cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--min-n: -1 is negative" in proc.stderr.strip().splitlines()[-1]


def test_control_characters_are_escaped_in_terminal_tables(tmp_path):
    """A value holding an ANSI escape (clear the screen, retitle the window) is shown, not obeyed."""
    from responsestats import ingest

    src = tmp_path / "calls.csv"
    src.write_text("id,received,district\n1,2024-03-01 10:00:00,\x1b]0;pwned\x07north\x1b[2J\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[format]\nname = "m"\ntimezone = "UTC"\n[fields.incident_id]\nsource = "id"\n'
                       '[fields.received_at]\nsource = "received"\nformats = ["%Y-%m-%d %H:%M:%S"]\n'
                       '[fields.district]\nsource = "district"\n', encoding="utf-8")  # fmt: skip
    ingest([src], tmp_path / "ds", mapping=mapping, agency="a")
    proc = _run(["outcomes", str(tmp_path / "ds"), "--by", "district"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "\\x1b]0;pwned\\x07north\\x1b[2J" in proc.stdout
