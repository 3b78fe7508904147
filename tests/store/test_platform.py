"""Portability of the store: the package imports and ingests without ``fcntl``, the writer's lock, the swap fallback.

Windows cannot be run here; what can be checked is that nothing POSIX-only runs on import and that the code
paths Windows takes (no ``fcntl``, no ``renameat2``, no folder ``fsync``) work. docs/reliability.md lists what
differs on Windows.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from conftest import CN_HEADER, cn_row, write_csv
from paths import REPO
from responsestats import ingest, read_calls
from responsestats.errors import DatasetLockedError
from responsestats.store import _platform

#: Runs in a child: fcntl made unimportable before anything else, then an ingest, a refused second writer,
#: and a read. Prints what it saw.
_WITHOUT_FCNTL = textwrap.dedent("""
    import sys, warnings
    sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
    warnings.simplefilter("ignore")  # filelock says it falls back to its soft lock
    from pathlib import Path
    import responsestats as rs
    from responsestats.errors import DatasetLockedError
    from responsestats.store import _platform
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    print("fcntl imported:", sys.modules.get("fcntl") is not None)
    res = rs.ingest([src], out, mapping="cn110", agency="zz")
    print("rows written:", res.rows_written)
    held = _platform.WriterLock(out.parent / f".{out.name}.lock", out)
    held.acquire()
    try:
        rs.ingest([src], out, mapping="cn110", agency="zz")
        print("second writer: allowed")
    except DatasetLockedError as exc:
        print("second writer: refused:", "another ingest" in str(exc), "lock file" in str(exc))
    finally:
        held.release()
    res = rs.ingest([src], out, mapping="cn110", agency="zz")  # the lock was given back: a rerun is fine
    print("rows read back:", len(rs.read_calls(out)))
""")


def test_the_package_imports_and_ingests_without_fcntl(tmp_path):
    src = write_csv(tmp_path / "calls.csv", CN_HEADER, [cn_row("N1", "2024-06-01 10:00:00"),
                                                         cn_row("N2", "2024-06-02 11:00:00")])
    proc = subprocess.run([sys.executable, "-c", _WITHOUT_FCNTL, str(src), str(tmp_path / "ds")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300,
                          env={"PATH": "", "PYTHONPATH": str(REPO / "src")})  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "fcntl imported: False",
        "rows written: 2",
        "second writer: refused: True True",
        "rows read back: 2",
    ]


def test_nothing_posix_only_runs_on_import():
    """Importing the package neither loads the lock library nor opens the C library."""
    code = ("import sys, responsestats, responsestats.store, responsestats.ingestion; "
            "print(sorted(m for m in ('filelock', 'ctypes.util') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_held_lock_refuses_a_second_writer_until_released(tmp_path):
    out = tmp_path / "ds"
    src = write_csv(tmp_path / "calls.csv", CN_HEADER, [cn_row("N1", "2024-06-01 10:00:00")])
    lock = _platform.WriterLock(tmp_path / ".ds.lock", out)
    lock.acquire()
    try:
        with pytest.raises(DatasetLockedError, match="another ingest is writing"):
            ingest([src], out, mapping="cn110", agency="zz")
        assert not out.exists()
    finally:
        lock.release()
    ingest([src], out, mapping="cn110", agency="zz")
    assert len(read_calls(out)) == 1
    lock.release()  # releasing twice is harmless


def test_the_swap_without_the_c_library_is_three_renames(tmp_path, monkeypatch):
    """Where neither renameat2 nor renamex_np exists (Windows), the two folders are still exchanged."""
    monkeypatch.setattr(_platform, "_swap_in_one_call", lambda a, b: False)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "new.txt").write_text("new")
    (b / "old.txt").write_text("old")
    _platform.exchange(a, b)
    assert (b / "new.txt").read_text() == "new" and (a / "old.txt").read_text() == "old"
    assert not (tmp_path / ".b.previous").exists()


def test_folder_flush_is_skipped_where_folders_cannot_be_opened(tmp_path, monkeypatch):
    """On Windows a folder is never opened for fsync; files still are."""
    opened = []
    real_open = _platform.os.open
    monkeypatch.setattr(_platform.os, "open", lambda path, flags, *a: opened.append(path) or real_open(path, flags))
    (tmp_path / "f.txt").write_text("x")
    monkeypatch.setattr(_platform, "_WINDOWS", True)
    _platform.fsync_tree(tmp_path)
    assert opened == [tmp_path / "f.txt"]
