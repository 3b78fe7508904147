"""Every reader reads a bounded amount: header, record, cell, sheet size, shared strings, lookup, salt.

Issue 18, part 3.

Each limit is a named constant of the module that enforces it. A test here proves, for one limit, that an
input over it is refused with one line naming the file (and the line, row or cell), that an input at it is
still read, and that the reader's memory stays small while it refuses: by counting the bytes asked of an
endless file, by ``tracemalloc``, or by the peak resident memory of a child process (``ru_maxrss``) under
an address-space limit (``RLIMIT_AS``), so that a reader that is not bounded fails fast instead of filling
the machine. The end-to-end promises (exit status 2, the dataset unchanged, FIFOs and devices given as
input, lookup or salt) are in ``tests/reliability/test_reliability_limits.py``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from responsestats.cli.ingest import MAX_SALT_BYTES, _read_salt
from responsestats.errors import MappingError, UserError
from responsestats.formats.mapping import MAX_LOOKUP_BYTES, load_mapping
from responsestats.sources import csvchunks, excel, open_source, parquet
from responsestats.sources.csvchunks import MAX_HEADER_BYTES, iter_chunks, skip_records

from factories import write_mapping
from paths import EXCEL_DIR, REPO, TESTS

MIB = 1 << 20


def _read_all(src) -> int:
    """Rows of every block of a source."""
    return sum(b.num_rows for b in src.blocks(src.header))


def _one_line(err: BaseException, *names: str) -> str:
    """The error's message, checked to be one line that names every one of ``names``."""
    msg = str(err)
    assert "\n" not in msg, msg
    for name in names:
        assert name in msg, (name, msg)
    return msg


def _child(code: str, *args: str, timeout: float = 60) -> dict:
    """Run ``code`` in a fresh Python under an address-space limit; its JSON result and peak memory growth.

    ``code`` runs after the package is imported and must set ``result``. The child may grow at most about
    1 GiB over its size after the imports (so that an unbounded reader fails fast with MemoryError);
    ``growth_mib`` is its peak resident memory above the resident memory after the imports [MiB].
    """
    script = textwrap.dedent("""
        import json, resource, sys
        from pathlib import Path
        import responsestats.cli, responsestats.sources, openpyxl.reader.excel
        from responsestats.errors import UserError
        vm = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) << 10
        resource.setrlimit(resource.RLIMIT_AS, (vm + (1 << 30), resource.RLIM_INFINITY))
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
        {body}
        except UserError as exc:
            result = {{"error": str(exc)}}
        except MemoryError:
            result = {{"memory_error": True}}
        result["growth_mib"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
        print(json.dumps(result))
    """).format(body=textwrap.indent(textwrap.dedent(code), "    "))
    env = {"PYTHONPATH": f"{TESTS}:{REPO / 'src'}", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", script, *args], check=False, capture_output=True, text=True,
                          timeout=timeout, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


needs_linux = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc/self/status")


# --- CSV: the header ---------------------------------------------------------------------------------------------

class _EndlessFile(io.RawIOBase):
    """A file of ``byte`` without end, like ``/dev/zero``; it fails the test if more than ``most`` bytes are asked."""

    def __init__(self, byte: bytes, most: int):
        self.byte, self.most, self.given = byte, most, 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.given

    def readinto(self, buf) -> int:
        assert self.given <= self.most, f"read {self.given:,} bytes of an endless file"
        buf[:] = self.byte * len(buf)
        self.given += len(buf)
        return len(buf)


def test_a_header_with_no_line_break_is_refused_after_the_limit():
    """An endless header (``/dev/zero``, a binary file, a quote left open) is refused after MAX_HEADER_BYTES + 1."""
    endless = _EndlessFile(b"a", most=8 * MAX_HEADER_BYTES)
    endless.name = "endless.csv"
    with pytest.raises(UserError) as err:
        skip_records(endless, 1)
    _one_line(err.value, "endless.csv", "header line", "1 MiB")
    assert endless.given == MAX_HEADER_BYTES + 1


def test_the_header_limit_names_the_file_and_a_header_at_the_limit_is_read(tmp_path):
    names = [f"c{i:06d}" for i in range(MAX_HEADER_BYTES // 8 - 2)] + ["received"]
    names[0] += "x" * (MAX_HEADER_BYTES - len(",".join(names)) - 1)
    header = ",".join(names) + "\n"
    assert len(header) == MAX_HEADER_BYTES
    ok = tmp_path / "ok.csv"
    ok.write_bytes(header.encode() + b"1,2024-03-01 10:00:00\n")
    assert open_source(ok).header == names
    bad = tmp_path / "no_line_break.csv"
    bad.write_bytes(b"id,received" + b"x" * (2 * MAX_HEADER_BYTES))
    with pytest.raises(UserError) as err:
        open_source(bad)
    _one_line(err.value, str(bad), "header", "1 MiB")


# --- CSV: one record -----------------------------------------------------------------------------------------------

LIMIT = 256 << 10  # the record limit the tests set [bytes]
CHUNK = 16 << 10


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(csvchunks, "MAX_RECORD_BYTES", LIMIT)
    monkeypatch.setattr(csvchunks, "CHUNK_BYTES", CHUNK)


def _file_with_a_record(tmp_path: Path, size: int, *, quoted: bool = False, name: str = "big.csv") -> Path:
    """A header, 50 short records, one record of ``size`` bytes with its line break (line 52), and 50 more."""
    short = "".join(f"A{i},2024-03-01 10:00:00,d\n" for i in range(50))
    head = "B1,2024-03-01 10:00:00,"
    if quoted:  # a quoted value with line breaks in it, closed: one (long) record, split only by its size
        body = '"' + ("x" * 99 + "\n") * ((size - len(head) - 3) // 100)
        body += "y" * (size - len(head) - 3 - len(body) + 1) + '"'
    else:
        body = "x" * (size - len(head) - 1)
    record = head + body + "\n"
    assert len(record.encode()) == size
    path = tmp_path / name
    path.write_text("id,received,district\n" + short + record + short.replace("A", "C"), encoding="utf-8")
    return path


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
@pytest.mark.parametrize("times", [1.05, 1.25, 1.5])
def test_a_record_over_the_limit_is_refused_whatever_its_size(tmp_path, small_limits, times, quoted):
    """Regression: records up to twice the limit were accepted (the check came only when no record ended)."""
    path = _file_with_a_record(tmp_path, int(LIMIT * times), quoted=quoted)
    with pytest.raises(UserError) as err:
        _read_all(open_source(path))
    _one_line(err.value, str(path), "line 52", "256 KiB", "longest record")


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_a_record_at_the_limit_is_read(tmp_path, small_limits, quoted):
    path = _file_with_a_record(tmp_path, LIMIT, quoted=quoted)
    assert _read_all(open_source(path)) == 101


def test_a_record_far_over_the_limit_is_refused_in_memory_of_about_the_limit(tmp_path, small_limits):
    """At most MAX_RECORD_BYTES + 1 bytes of a record are ever held (a few buffers of that size at the peak)."""
    path = tmp_path / "one_line.csv"
    with open(path, "wb") as fh:
        fh.write(b"id,received,district\nA1,2024-03-01 10:00:00,")
        fh.truncate(64 * LIMIT)  # a 16 MiB record of zero bytes, no line break
    tracemalloc.start()
    try:
        with pytest.raises(UserError) as err:
            for _ in iter_chunks(path, "utf-8", skip=1):
                pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _one_line(err.value, str(path), "line 2")
    assert peak < 4 * LIMIT, peak


# --- Excel ------------------------------------------------------------------------------------------------------------

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def write_xlsx(path: Path, rows, *, shared=None, dimension: str | None = None) -> Path:
    """A minimal .xlsx written part by part (so that a test can make any part as large as it wants).

    ``rows`` and ``shared`` are iterables of XML text (or bytes) written inside ``<sheetData>`` and ``<sst>``.
    """
    ct = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    if shared is not None:
        ct += ('<Override PartName="/xl/sharedStrings.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    rels = (f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>')
    if shared is not None:
        rels += f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", ct + "</Types>")
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook {_NS} xmlns:r="{_REL}"><sheets>'
                   '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", rels + "</Relationships>")
        for part, opening, items, closing in (
                ("xl/worksheets/sheet1.xml",
                 f"<worksheet {_NS}>" + (f'<dimension ref="{dimension}"/>' if dimension else "") + "<sheetData>",
                 rows, "</sheetData></worksheet>"),
                ("xl/sharedStrings.xml", f"<sst {_NS}>", shared, "</sst>")):
            if items is None:
                continue
            with z.open(part, "w", force_zip64=True) as fh:
                fh.write(opening.encode())
                for item in items:
                    fh.write(item if isinstance(item, bytes) else item.encode())
                fh.write(closing.encode())
    return path


def xrow(r: int, *values: str) -> str:
    """One sheet row of inline strings."""
    return f'<row r="{r}">' + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values) + "</row>"


def _rows(n: int, start: int = 2):
    yield xrow(1, "id", "received")
    for i in range(start, start + n):
        yield xrow(i, f"A{i}", "2024-03-01 10:00:00")


def test_a_sheet_with_more_rows_than_the_limit_is_refused_while_openpyxl_reads_it(tmp_path, monkeypatch):
    """Regression: a sheet of 30 M rows (no dimension) made openpyxl keep an element per row until memory ran out.

    The rows are counted in the XML as openpyxl reads it (here with the limit lowered to 1,000 rows), so the
    read stops at the limit, already while openpyxl sizes the sheet.
    """
    monkeypatch.setattr(excel, "MAX_SHEET_ROWS", 1000, raising=False)
    ok = write_xlsx(tmp_path / "ok.xlsx", _rows(999))
    assert _read_all(open_source(ok)) == 999
    big = write_xlsx(tmp_path / "big.xlsx", _rows(20_000))
    with pytest.raises(UserError) as err:
        _read_all(open_source(big))
    _one_line(err.value, str(big), "more than 1,000 rows", "CSV")


def test_rows_counted_by_number_stop_at_the_limit_too(tmp_path, monkeypatch):
    """A row numbered past the limit (openpyxl fills the gap with empty rows) is refused, not read for ever."""
    monkeypatch.setattr(excel, "MAX_SHEET_ROWS", 1000, raising=False)
    path = write_xlsx(tmp_path / "gap.xlsx", [xrow(1, "id", "received"), xrow(2, "A", "x"), xrow(30_000_000, "B", "y")])
    with pytest.raises(UserError) as err:
        _read_all(open_source(path))
    _one_line(err.value, str(path), "more than 1,000 rows")


def test_a_cell_over_excels_maximum_is_refused_naming_the_cell(tmp_path):
    at_max = "x" * excel.MAX_CELL_CHARS
    ok = write_xlsx(tmp_path / "ok.xlsx", [xrow(1, "id", "note"), xrow(2, "A1", at_max)])
    src = open_source(ok)
    assert next(src.blocks(["note"])).columns["note"].to_pylist() == [at_max]
    bad = write_xlsx(tmp_path / "long.xlsx", [xrow(1, "id", "note"), xrow(2, "A1", "ok"), xrow(3, "A2", at_max + "y")])
    with pytest.raises(UserError) as err:
        _read_all(open_source(bad))
    _one_line(err.value, str(bad), "cell B3", "32,768 characters", "32,767")


def test_a_shared_string_over_excels_maximum_is_refused_naming_the_cell(tmp_path):
    shared = ["<si><t>id</t></si>", "<si><t>note</t></si>", f"<si><t>{'z' * 40_000}</t></si>"]
    rows = ['<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>',
            '<row r="2"><c t="inlineStr"><is><t>A1</t></is></c><c t="s"><v>2</v></c></row>']
    path = write_xlsx(tmp_path / "shared.xlsx", rows, shared=shared)
    with pytest.raises(UserError) as err:
        _read_all(open_source(path))
    _one_line(err.value, str(path), "cell B2", "40,000 characters")


@needs_linux
@pytest.mark.parametrize("where", ["inline", "shared"])
def test_one_huge_cell_is_refused_before_openpyxl_parses_it(tmp_path, where):
    """A 128 MiB cell (128 KiB compressed) is refused by the XML check, in memory far below the cell's size."""
    big = b"a" * (1 << 20)
    if where == "inline":
        rows = [xrow(1, "id", "note"), b'<row r="2"><c t="inlineStr"><is><t>', *[big] * 128, b"</t></is></c></row>"]
        path = write_xlsx(tmp_path / "cell.xlsx", rows)
    else:
        shared = [b"<si><t>id</t></si><si><t>", *[big] * 128, b"</t></si>"]
        path = write_xlsx(tmp_path / "cell.xlsx", ['<row r="1"><c t="s"><v>0</v></c></row>'], shared=shared)
    out = _child("""
        from responsestats.sources import open_source
        src = open_source(Path(sys.argv[1]))
        sum(b.num_rows for b in src.blocks(src.header))
        result = {}
    """, str(path))
    assert "error" in out, out
    _one_line(UserError(out["error"]), str(path), "larger than 16 MiB")
    assert out["growth_mib"] < 64, out


def test_too_many_shared_strings_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(excel, "MAX_SHARED_STRINGS", 100, raising=False)
    shared = [f"<si><t>s{i}</t></si>" for i in range(1000)]
    path = write_xlsx(tmp_path / "many.xlsx", ['<row r="1"><c t="s"><v>0</v></c></row>'], shared=shared)
    with pytest.raises(UserError) as err:
        open_source(path)
    _one_line(err.value, str(path), "more than 100 shared strings")


def test_another_part_over_its_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(excel, "MAX_XLSX_PART_BYTES", 100, raising=False)
    path = write_xlsx(tmp_path / "wb.xlsx", _rows(3))
    with pytest.raises(UserError) as err:
        open_source(path)
    _one_line(err.value, str(path), "more than 100 bytes")


@needs_linux
def test_a_huge_dimension_does_not_pad_every_row(tmp_path):
    """Regression: ``<dimension ref="A1:XFD1048576"/>`` made openpyxl pad every row to 16,384 cells.

    Each row of a two-column sheet then cost 16,384 cells to render: 20,000 rows took about 30 s (1 s now).
    """
    path = write_xlsx(tmp_path / "dim.xlsx", _rows(20_000), dimension="A1:XFD1048576")
    out = _child("""
        from responsestats.sources import open_source
        src = open_source(Path(sys.argv[1]))
        result = {"rows": sum(b.num_rows for b in src.blocks(src.header)), "header": src.header}
    """, str(path), timeout=20)
    assert out["rows"] == 20_000 and out["header"] == ["id", "received"]


def test_a_damaged_sheet_is_still_one_user_error(tmp_path):
    path = write_xlsx(tmp_path / "damaged.xlsx", [xrow(1, "id", "received"), '<row r="2"><c><v>1</c></row>'])
    with pytest.raises(UserError) as err:
        _read_all(open_source(path))
    _one_line(err.value, str(path), "not a readable .xlsx workbook")


def test_an_xls_over_its_size_limit_is_refused_before_xlrd_reads_it(monkeypatch):
    monkeypatch.setattr(excel, "MAX_XLS_BYTES", 1024, raising=False)
    path = EXCEL_DIR / "dates.xls"
    with pytest.raises(UserError) as err:
        open_source(path)
    _one_line(err.value, str(path), "more than 1 KiB")


# --- Parquet --------------------------------------------------------------------------------------------------------

def test_a_parquet_column_chunk_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "one.parquet"
    pq.write_table(pa.table({"id": [f"A{i:06d}" for i in range(10_000)], "flag": [True] * 10_000}), path)
    sizes = {c: pq.ParquetFile(path).metadata.row_group(0).column(j).total_uncompressed_size
             for j, c in enumerate(["id", "flag"])}
    assert sizes["flag"] < sizes["id"]
    monkeypatch.setattr(parquet, "MAX_COLUMN_CHUNK_BYTES", sizes["flag"], raising=False)
    src = open_source(path)
    assert sum(b.num_rows for b in src.blocks(["flag"])) == 10_000  # a chunk at the limit is read
    with pytest.raises(UserError) as err:
        sum(b.num_rows for b in src.blocks(["id"]))
    _one_line(err.value, str(path), "row group 0", "'id'", "smaller row groups")


# --- lookup tables and the salt ---------------------------------------------------------------------------------------

def _lookup_mapping(tmp_path: Path, lookup: Path) -> Path:
    extra = f'[lookups.codes]\nfile = "{lookup.as_posix()}"\nkey = "code"\non = "code"\n'
    return write_mapping(tmp_path / "m.toml", extra=extra, fields='[fields.call_type]\nsource = "codes.label"\n')


def test_a_lookup_table_over_the_limit_is_refused_after_reading_the_limit(tmp_path):
    ok = tmp_path / "codes.csv"
    ok.write_text("code,label\nA,alpha\n", encoding="utf-8")
    assert load_mapping(_lookup_mapping(tmp_path, ok)).lookups["codes"].table["label"] == {"A": "alpha"}
    big = tmp_path / "big_codes.csv"
    with open(big, "wb") as fh:
        fh.write(b"code,label\n")
        fh.truncate(64 * MIB)  # a sparse 64 MiB file
    tracemalloc.start()
    try:
        with pytest.raises(MappingError) as err:
            load_mapping(_lookup_mapping(tmp_path, big))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _one_line(err.value, str(big), "lookup table", "4 MiB")
    assert peak < 3 * MAX_LOOKUP_BYTES, peak


def test_a_lookup_table_just_over_the_limit_is_refused(tmp_path):
    lines = "".join(f"C{i:07d},label{i % 10}\n" for i in range(MAX_LOOKUP_BYTES // 16))  # 16 bytes a line
    big = tmp_path / "codes.csv"
    big.write_text("code,label\n" + lines, encoding="utf-8")
    assert big.stat().st_size == MAX_LOOKUP_BYTES + len("code,label\n")
    with pytest.raises(MappingError) as err:
        load_mapping(_lookup_mapping(tmp_path, big))
    _one_line(err.value, str(big), "larger than 4 MiB")


def test_a_bad_lookup_csv_is_one_mapping_error(tmp_path):
    bad = tmp_path / "codes.csv"
    bad.write_text("code,label\nA," + "x" * 200_000 + "\n", encoding="utf-8")  # over the csv module's field limit
    with pytest.raises(MappingError) as err:
        load_mapping(_lookup_mapping(tmp_path, bad))
    _one_line(err.value, str(bad), "line 2")


def test_a_salt_file_over_the_limit_is_refused_after_reading_the_limit(tmp_path):
    ok = tmp_path / "salt.txt"
    ok.write_text("s" * 64 + "\n")
    assert _read_salt(str(ok)) == b"s" * 64
    big = tmp_path / "big_salt.bin"
    with open(big, "wb") as fh:
        fh.truncate(256 * MIB)
    tracemalloc.start()
    try:
        with pytest.raises(UserError) as err:
            _read_salt(str(big))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _one_line(err.value, str(big), "link salt", "64 KiB")
    assert peak < 4 * MAX_SALT_BYTES, peak

