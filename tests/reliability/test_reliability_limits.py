"""Bounded input, end to end: `responsestats ingest` given too much, or a FIFO or device, stops in one line.

Issue 18, part 3.

Each case runs the real command in a child process with a 4 GiB address-space limit and a timeout, so
that a reader without a bound fails the test quickly (MemoryError, or the timeout for a FIFO that blocks)
instead of filling the machine. Each checks the exit status (2), that stderr is one line naming the file,
that the child's peak memory stayed small, and that the dataset is byte for byte what it was. The limits
are the shipped ones; the files over them are sparse, so they cost no disk or time to make. The limits one
by one, and each reader's memory, are tested in ``tests/sources/test_limits.py``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from responsestats import ingest
from responsestats.cli.ingest import MAX_SALT_BYTES
from responsestats.sources.csvchunks import MAX_HEADER_BYTES, MAX_RECORD_BYTES
from responsestats.sources.excel import MAX_SHEET_ROWS

from conftest import CN_HEADER, cn_row, write_csv
from factories import write_mapping
from paths import REPO, TESTS

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(),
                                reason="FIFOs and /dev/zero are POSIX")

MIB = 1 << 20
#: Address space of the child [bytes]: the interpreter and its libraries take about 1.5 GiB of it.
CHILD_ADDRESS_SPACE = 4 << 30
#: The child's own peak: VmHWM (kibibytes) of /proc/self/status, which starts afresh at exec. ru_maxrss does not:
#: a forked child inherits the parent's high-water mark, so it read the size of the pytest process (about
#: 400 MiB late in a full run) instead of the command's.
_WRAPPER = """
import os, resource, sys
from responsestats.cli import main

def peak_kib():
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

try:
    code = main(sys.argv[1:])
finally:
    with open(os.environ["RS_TEST_MAXRSS"], "w") as fh:
        fh.write(str(peak_kib()))
sys.exit(code)
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE, resource.RLIM_INFINITY))


def _run(tmp_path: Path, args: list[str], timeout: float = 30) -> tuple[int, str, float]:
    """``responsestats ARGS`` in a child process: exit status, stderr, and the child's peak memory [MiB]."""
    rss = tmp_path / "maxrss.txt"
    env = dict(os.environ, RS_TEST_MAXRSS=str(rss),
               PYTHONPATH=os.pathsep.join([str(TESTS), str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    try:
        proc = subprocess.run([sys.executable, "-c", _WRAPPER, *args], check=False, capture_output=True, text=True,
                              timeout=timeout, env=env, preexec_fn=_limit_memory, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`responsestats {' '.join(args)}` still running after {timeout} s (blocked on a FIFO?)")
    peak = int(rss.read_text()) / 1024 if rss.exists() else float("nan")
    return proc.returncode, proc.stderr, peak


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def dataset(tmp_path) -> Path:
    """A dataset of one small file, to check that a refused run leaves it as it was."""
    good = write_csv(tmp_path / "good.csv", CN_HEADER, [cn_row("J001", "2024-03-01 10:00:00")])
    out = tmp_path / "ds"
    ingest([good], out, mapping="cn110", agency="zz")
    return out


def _refused(tmp_path: Path, dataset: Path, args: list[str], *names: str, most_mib: float = 400) -> str:
    """Run ``ingest ARGS --out dataset``; check exit 2, one line naming ``names``, small memory, dataset unchanged."""
    before = _snapshot(dataset)
    code, err, peak = _run(tmp_path, ["ingest", *args, "--out", str(dataset)])
    assert code == 2, err[-3000:]
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("responsestats: error: "), err[-3000:]
    for name in names:
        assert name in lines[0], (name, lines[0])
    assert peak < most_mib, (peak, lines[0])
    assert _snapshot(dataset) == before
    return lines[0]


def _sparse(path: Path, head: bytes, size: int, tail: bytes = b"") -> Path:
    """``head``, zero bytes up to ``size`` (a hole: no disk used), then ``tail``."""
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)
        fh.seek(size)
        fh.write(tail)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


# --- inputs -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "folder"])
def test_a_fifo_a_device_or_a_folder_as_input_is_one_line(tmp_path, dataset, kind):
    """Regression: a FIFO blocked the ingest for ever; /dev/zero was read until memory ran out."""
    path = {"fifo": lambda: _fifo(tmp_path / "export.csv"), "dev_zero": lambda: Path("/dev/zero"),
            "folder": lambda: tmp_path}[kind]()
    msg = _refused(tmp_path, dataset, [str(path), "--format", "cn110", "--agency", "zz"], str(path))
    assert {"fifo": "FIFO", "dev_zero": "device", "folder": "folder"}[kind] in msg


def test_a_header_with_no_line_break_is_one_line(tmp_path, dataset):
    path = _sparse(tmp_path / "no_line_break.csv", ",".join(CN_HEADER).encode(), 64 * MIB)
    msg = _refused(tmp_path, dataset, [str(path), "--format", "cn110", "--agency", "zz"], str(path), "header")
    assert f"{MAX_HEADER_BYTES >> 20} MiB" in msg


def test_a_record_over_the_documented_limit_is_refused_and_writes_nothing(tmp_path, dataset):
    """Regression: a record of 300 MiB (the documented limit is 256 MiB) was read and quarantined."""
    head = (",".join(CN_HEADER) + "\n" + ",".join(cn_row("J002", "2024-03-01 10:00:00")) + "\n").encode()
    size = MAX_RECORD_BYTES + 44 * MIB
    path = _sparse(tmp_path / "long_record.csv", head, size, b"\n" + ",".join(cn_row("J3", "2024-03-01 10:00:00"))
                   .encode() + b"\n")
    # at most the limit is held, with the scan of it: about 2.5 times the limit at the peak
    msg = _refused(tmp_path, dataset, [str(path), "--format", "cn110", "--agency", "zz"], str(path), "line 3",
                   most_mib=3 * (MAX_RECORD_BYTES >> 20) + 150)
    assert "256 MiB" in msg


def _xlsx_with_a_row_past_the_limit(path: Path) -> Path:
    """Two rows, and a third numbered MAX_SHEET_ROWS + 1 (openpyxl cannot write it: the XML is edited)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(CN_HEADER)
    ws.append(cn_row("J4", "2024-03-01 10:00:00"))
    ws.cell(row=MAX_SHEET_ROWS, column=1, value="J5")
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {info: z.read(info) for info in z.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(f'"{MAX_SHEET_ROWS}"'.encode(), f'"{MAX_SHEET_ROWS + 1}"'.encode())
                data = data.replace(f'A{MAX_SHEET_ROWS}"'.encode(), f'A{MAX_SHEET_ROWS + 1}"'.encode())
            z.writestr(info, data)
    return path


def test_a_sheet_over_excels_row_limit_is_refused_and_writes_nothing(tmp_path, dataset):
    """A row numbered 1,048,577 (openpyxl reads the rows above it as empty ones) stops at Excel's maximum."""
    path = _xlsx_with_a_row_past_the_limit(tmp_path / "rows.xlsx")
    assert f'r="{MAX_SHEET_ROWS + 1}"'.encode() in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    _refused(tmp_path, dataset, [str(path), "--format", "cn110", "--agency", "zz"], str(path), "1,048,576 rows")


# --- the salt and lookup tables -------------------------------------------------------------------------------------

def _caller_mapping(tmp_path: Path, extra: str = "", fields: str = "") -> Path:
    return write_mapping(tmp_path / "linked.toml", format_extra='link_fields = ["phone"]', extra=extra,
                         fields=fields)


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "folder", "large"])
def test_a_salt_that_is_a_fifo_a_device_a_folder_or_too_large_is_one_line(tmp_path, dataset, kind):
    """Regression: ``--link-salt-file /dev/zero`` was read until memory ran out; a FIFO with no writer blocked."""
    path = {"fifo": lambda: _fifo(tmp_path / "salt"), "dev_zero": lambda: Path("/dev/zero"),
            "folder": lambda: tmp_path,
            "large": lambda: _sparse(tmp_path / "salt.bin", b"s", 1 << 30)}[kind]()
    data = write_csv(tmp_path / "in.csv", ["id", "received", "phone"], [["1", "2024-03-01 10:00:00", "123"]])
    msg = _refused(tmp_path, dataset, [str(data), "--mapping", str(_caller_mapping(tmp_path)), "--agency", "zz",
                                       "--link-salt-file", str(path)], str(path), "link salt")
    assert {"fifo": "empty", "dev_zero": "device", "folder": "folder",
            "large": f"larger than {MAX_SALT_BYTES >> 10} KiB"}[kind] in msg


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "large"])
def test_a_lookup_table_that_is_a_fifo_a_device_or_too_large_is_one_line(tmp_path, dataset, kind):
    """Regression: a lookup file was read whole (``list(csv.reader(fh))``): /dev/zero or a FIFO never returned."""
    path = {"fifo": lambda: _fifo(tmp_path / "codes.csv"), "dev_zero": lambda: Path("/dev/zero"),
            "large": lambda: _sparse(tmp_path / "codes.csv", b"code,label\n", 1 << 30)}[kind]()
    extra = f'[lookups.codes]\nfile = "{path.as_posix()}"\nkey = "code"\non = "code"\n'
    mapping = write_mapping(tmp_path / "lookup.toml", extra=extra,
                            fields='[fields.call_type]\nsource = "codes.label"\n')
    data = write_csv(tmp_path / "in.csv", ["id", "received", "code"], [["1", "2024-03-01 10:00:00", "A"]])
    msg = _refused(tmp_path, dataset, [str(data), "--mapping", str(mapping), "--agency", "zz"], str(path),
                   "lookup table")
    # /dev/zero is outside the mapping's folder: refused before it is opened (a lookup stays beside its mapping)
    assert {"fifo": "FIFO", "dev_zero": "not inside the mapping's folder", "large": "larger than 4 MiB"}[kind] in msg


def test_the_limits_are_documented():
    """Every limit named in docs/reliability.md's "Bounded input" is the value in the code."""
    from responsestats.formats.mapping import MAX_LOOKUP_BYTES
    from responsestats.sources import excel, parquet

    text = (REPO / "docs" / "reliability.md").read_text(encoding="utf-8")
    section = text.split("### Bounded input", 1)[1].split("\n## ", 1)[0]
    for name, shown in [("MAX_HEADER_BYTES", f"{MAX_HEADER_BYTES >> 20} MiB"),
                        ("MAX_RECORD_BYTES", f"{MAX_RECORD_BYTES >> 20} MiB"),
                        ("MAX_SHEET_ROWS", f"{excel.MAX_SHEET_ROWS:,}"),
                        ("MAX_CELL_CHARS", f"{excel.MAX_CELL_CHARS:,}"),
                        ("MAX_XML_ELEMENT_BYTES", f"{excel.MAX_XML_ELEMENT_BYTES >> 20} MiB"),
                        ("MAX_SHARED_STRINGS", f"{excel.MAX_SHARED_STRINGS:,}"),
                        ("MAX_SHARED_STRINGS_BYTES", f"{excel.MAX_SHARED_STRINGS_BYTES >> 20} MiB"),
                        ("MAX_XLSX_PART_BYTES", f"{excel.MAX_XLSX_PART_BYTES >> 20} MiB"),
                        ("MAX_XLS_BYTES", f"{excel.MAX_XLS_BYTES >> 20} MiB"),
                        ("MAX_COLUMN_CHUNK_BYTES", f"{parquet.MAX_COLUMN_CHUNK_BYTES >> 30} GiB"),
                        ("MAX_LOOKUP_BYTES", f"{MAX_LOOKUP_BYTES >> 20} MiB"),
                        ("MAX_SALT_BYTES", f"{MAX_SALT_BYTES >> 10} KiB")]:
        assert f"`{name}`" in section and shown in section, (name, shown)
