"""The dataset's own rules kept by every write (issue 18, part 2): permissions stay, a link is followed and locked."""

from __future__ import annotations

import os
import stat

import pytest

from conftest import CN_HEADER, cn_row, write_csv
from responsestats import ingest, read_calls
from responsestats.errors import DatasetLockedError
from responsestats.store import _platform


def _modes(top) -> dict[str, int]:
    return {p.relative_to(top).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [top, *top.rglob("*")]}


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_a_private_dataset_stays_private(tmp_path):
    out = tmp_path / "ds"
    ingest([write_csv(tmp_path / "a.csv", CN_HEADER, [cn_row("P1", "2024-03-01 10:00:00")])], out,
           mapping="cn110", agency="zz")  # fmt: skip
    for path in [out, *out.rglob("*")]:
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
    ingest([write_csv(tmp_path / "b.csv", CN_HEADER, [cn_row("P2", "2024-04-01 10:00:00")])], out,
           mapping="cn110", agency="zz")  # fmt: skip
    modes = _modes(out)
    assert modes["."] == 0o700  # was reset to 0o755
    assert all(mode == 0o700 for name, mode in modes.items() if (out / name).is_dir())
    assert all(mode == 0o600 for name, mode in modes.items() if (out / name).is_file())  # new files too (were 0o644)
    assert len(read_calls(out)) == 2


def test_a_symlinked_out_is_followed_and_the_real_folder_locked(tmp_path):
    real = tmp_path / "real_ds"
    link = tmp_path / "link_ds"
    first = write_csv(tmp_path / "a.csv", CN_HEADER, [cn_row("L1", "2024-03-01 10:00:00")])
    ingest([first], real, mapping="cn110", agency="zz")
    link.symlink_to(real, target_is_directory=True)
    ingest([write_csv(tmp_path / "b.csv", CN_HEADER, [cn_row("L2", "2024-03-02 10:00:00")])], link,
           mapping="cn110", agency="zz")  # fmt: skip
    assert link.is_symlink() and link.resolve() == real.resolve()  # the link was not replaced by a folder
    assert len(read_calls(real)) == 2
    held = _platform.WriterLock(tmp_path / ".real_ds.lock", real)  # a writer working on the real name
    held.acquire()
    try:
        with pytest.raises(DatasetLockedError):
            ingest([first], link, mapping="cn110", agency="zz")  # the link's writer waits for the same lock
    finally:
        held.release()
