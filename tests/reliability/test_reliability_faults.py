"""Fault injection: the process killed during an ingest, a full disk, concurrent ingests (issue #7, part 2).

After each fault the dataset reads as it was before that run (same files, same bytes) or, when the
fault came after the atomic swap, as the completed run left it; no staging or lock debris stops the
next run, and the next run succeeds.

* SIGKILL at a random moment of a real ``responsestats ingest`` process, and at fixed points
  (while hard-linking the staging copy, while writing rows, just before and just after the swap);
* ENOSPC raised by the pyarrow and os calls the ingest makes, at the k-th call (in-process);
* a real write error from the kernel: ``RLIMIT_FSIZE`` (EFBIG) in a subprocess, and a full 128 KiB
  tmpfs in a user namespace (skipped where ``unshare -rm`` is not allowed);
* two real processes ingesting into one dataset: the second is refused with a clear message.

The fast profile kills a few times; ``-m slow`` kills many more times at random moments.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from responsestats import ingest, read_calls, store
from responsestats.store import _platform  # noqa: F401 - store._platform is patched below
from responsestats.errors import IngestIOError, UserError

from paths import TESTS
from paths import REPO
from reliability_helpers import TALLY, debris, examples, make_big_cn110, tree_digest

BIG_COPIES = 30  # ~7 MB, ~24,000 records: the transaction takes about a second


class _Setup(SimpleNamespace):
    """Fixture values; a short repr, so that hypothesis's report of a failing case stays readable."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} in {getattr(self, 'root', '?')}>"


def _parquet_digest(root: Path) -> tuple[dict[str, str], list[str]]:
    """(digest of the Parquet files, every file name): a completed run, whatever its report's timestamp."""
    digest = tree_digest(root)
    return {k: v for k, v in digest.items() if k.endswith(".parquet")}, sorted(digest)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "responsestats.cli", *args]


def _child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(REPO / "src"), env.get("PYTHONPATH", "")])
    return env


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    """A base dataset (one small file), a big input, and the dataset a completed ingest of it gives."""
    from responsestats.config import SAMPLE_CN110_DIR

    root = tmp_path_factory.mktemp("faults")
    month = sorted(SAMPLE_CN110_DIR.glob("*.csv"))[1].read_bytes().splitlines(keepends=True)
    small = root / "small.csv"
    small.write_bytes(b"".join(month[:60]))
    small2 = root / "small2.csv"
    small2.write_bytes(b"".join(month[:1] + month[60:120]))
    big = make_big_cn110(root / "big.csv", BIG_COPIES)
    base = root / "base"
    ingest([small], base, mapping="cn110", agency="zz")
    ref = root / "ref"
    shutil.copytree(base, ref)
    # the completed run, through the CLI, timed: from its staging folder's appearance to its exit
    proc = subprocess.Popen(_cli("ingest", str(big), "--format", "cn110", "--agency", "zz", "--out", str(ref)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_child_env())
    t_stage = _wait_for_staging(ref, proc)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    tx_seconds = max(0.05, time.monotonic() - t_stage)
    return _Setup(root=root, small=small, small2=small2, big=big, base=base, ref=ref,
                           base_digest=tree_digest(base), ref_state=_parquet_digest(ref), tx_seconds=tx_seconds)


def _wait_for_staging(out: Path, proc: subprocess.Popen, limit: float = 120) -> float:
    """Block until ``proc`` has started its transaction (staging folder present) or ended; return the time."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if list(out.parent.glob(f".{out.name}.staging-*")) or proc.poll() is not None:
            break
        time.sleep(0.002)
    return time.monotonic()


def _fresh_copy(faults, name: str) -> Path:
    out = faults.root / name
    shutil.rmtree(out, ignore_errors=True)
    for leftover in faults.root.glob(f".{name}.*"):
        shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink()
    shutil.copytree(faults.base, out)
    return out


def _after_fault(faults, out: Path, family: str) -> str:
    """Assert the dataset is the previous one or the completed one; then the next run succeeds."""
    if tree_digest(out) == faults.base_digest:
        state = "dataset exactly as before"
    else:
        assert _parquet_digest(out) == faults.ref_state, "the dataset is neither the previous nor the completed one"
        state = "the completed run's dataset (fault after the swap)"
    # the next run is not stopped by what the killed one left (staging folder, lock file)
    assert ingest([faults.big], out, mapping="cn110", agency="zz").reconciled
    assert _parquet_digest(out) == faults.ref_state
    assert not debris(out)
    TALLY[(family, f"{state}; next run succeeded")] += 1
    return state


def _kill_at_random(faults, rng: random.Random, runs: int, family: str) -> None:
    """Kill ``runs`` ingests in a row into one dataset (each starts from what the last one left), then finish."""
    out = _fresh_copy(faults, "killed")
    for _ in range(runs):
        before = tree_digest(out)
        assert before == faults.base_digest or _parquet_digest(out) == faults.ref_state
        delay = rng.uniform(0, faults.tx_seconds * 1.2)
        proc = subprocess.Popen(_cli("ingest", str(faults.big), "--format", "cn110", "--agency", "zz",
                                     "--out", str(out)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=_child_env())
        _wait_for_staging(out, proc)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=60)
        if code == 0:  # it finished first
            assert _parquet_digest(out) == faults.ref_state
            TALLY[(family, "finished before the kill: the completed run")] += 1
        else:
            assert code == -signal.SIGKILL
            after = tree_digest(out)
            if after != before:  # killed after the swap, during the clean-up
                assert _parquet_digest(out) == faults.ref_state
            TALLY[(family, "killed: dataset exactly as before" if after == before
                    else "killed after the swap: the completed run")] += 1
    assert ingest([faults.big], out, mapping="cn110", agency="zz").reconciled
    assert _parquet_digest(out) == faults.ref_state and not debris(out)
    TALLY[(family, "then the next run succeeded")] += 1


def test_sigkill_at_random_moments(faults):
    """A real ingest process killed (SIGKILL) at random moments of its transaction, several times in a row."""
    _kill_at_random(faults, random.Random(), runs=3, family="fault: SIGKILL at a random moment")


@pytest.mark.slow
def test_sigkill_at_many_random_moments(faults):
    _kill_at_random(faults, random.Random(), runs=25, family="fault: SIGKILL at a random moment")


#: Points at which the child kills itself: (patched object path, call number, before or after the call).
KILL_POINTS = {
    "while hard-linking the staging copy": ("os.link", 2, "before"),
    "while writing rows": ("pq.ParquetWriter.write_table", 1, "after"),
    "before the quarantine and report": ("store.DatasetTransaction.write_quarantine", 1, "before"),
    "just before the swap": ("platform.exchange", 1, "before"),
    "just after the swap": ("platform.exchange", 1, "after"),
}
_KILLER = textwrap.dedent("""
    import os, signal, sys
    import pyarrow.parquet as pq
    from responsestats import store
    from responsestats.store import _platform
    target, k, when = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    owner_path, _, attr = target.rpartition(".")
    owner = {"os": os, "pq": pq, "store": store, "platform": _platform, "pq.ParquetWriter": pq.ParquetWriter,
             "store.DatasetTransaction": store.DatasetTransaction}[owner_path]
    real = getattr(owner, attr)
    calls = [0]
    def patched(*a, **kw):
        calls[0] += 1
        if calls[0] == k and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*a, **kw)
        if calls[0] == k and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    setattr(owner, attr, patched)
    from responsestats.cli import main
    sys.exit(main(sys.argv[4:]))
""")

FAST_POINTS = ("while hard-linking the staging copy", "just before the swap", "just after the swap")


@pytest.mark.parametrize("point", [p if p in FAST_POINTS else pytest.param(p, marks=pytest.mark.slow)
                                   for p in KILL_POINTS])
def test_sigkill_at_fixed_points(faults, point):
    """The process killed at a chosen point, including both sides of the atomic swap."""
    target, k, when = KILL_POINTS[point]
    out = _fresh_copy(faults, "killpoint")
    proc = subprocess.run([sys.executable, "-c", _KILLER, target, str(k), when, "ingest", str(faults.big),
                           "--format", "cn110", "--agency", "zz", "--out", str(out)],
                          capture_output=True, text=True, env=_child_env(), timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    expected_after = point == "just after the swap"
    state = _after_fault(faults, out, "fault: SIGKILL at a fixed point")
    assert (state != "dataset exactly as before") == expected_after


# --- a full disk, injected -----------------------------------------------------------------------
#: Calls the ingest makes to write, each of which may fail with ENOSPC on a full disk.
ENOSPC_TARGETS = {
    "ParquetWriter.__init__": (pq.ParquetWriter, "__init__"),
    "ParquetWriter.write_table": (pq.ParquetWriter, "write_table"),
    "ParquetWriter.close": (pq.ParquetWriter, "close"),
    "pyarrow.parquet.write_table": (pq, "write_table"),
    "Path.write_text": (Path, "write_text"),
    "os.link": (os, "link"),
    "os.mkdir": (os, "mkdir"),
    "os.fsync": (os, "fsync"),
    "os.rename": (os, "rename"),
    "renameat2 exchange": (store._platform, "exchange"),
}


@pytest.fixture(scope="module")
def enospc(tmp_path_factory, faults):
    """Two small inputs (one spanning three months) and the dataset their ingest gives, with and without a base."""
    from responsestats.config import SAMPLE_CN110_DIR

    root = tmp_path_factory.mktemp("enospc")
    months = [p.read_bytes().splitlines(keepends=True) for p in sorted(SAMPLE_CN110_DIR.glob("*.csv"))[:3]]
    multi = root / "multi.csv"
    multi.write_bytes(b"".join(months[0][:41] + months[1][1:41] + months[2][1:41]))
    inputs = [multi]
    refs, calls = {}, {}
    for has_base in (True, False):
        out = root / f"ref{int(has_base)}"
        if has_base:
            shutil.copytree(faults.base, out)
        counts = dict.fromkeys(ENOSPC_TARGETS, 0)  # how often an undisturbed run makes each call
        with pytest.MonkeyPatch.context() as mp:
            for name, (owner, attr) in ENOSPC_TARGETS.items():
                mp.setattr(owner, attr, _counting(getattr(owner, attr), counts, name))
            ingest(inputs, out, mapping="cn110", agency="zz")
        refs[has_base] = _parquet_digest(out)
        calls[has_base] = counts
    return _Setup(root=root, inputs=inputs, refs=refs, calls=calls)


def _counting(real, counts: dict, name: str):
    def wrapper(*a, **kw):
        counts[name] += 1
        return real(*a, **kw)
    return wrapper


@settings(max_examples=examples(24))
@given(target=st.sampled_from(sorted(ENOSPC_TARGETS)), which=st.integers(0, 10**6), has_base=st.booleans())
def test_disk_full_at_the_kth_write(faults, enospc, monkeypatch, target, which, has_base):
    """ENOSPC from the k-th call of a write the ingest makes: one clear error and the dataset as it was."""
    made = enospc.calls[has_base][target]
    if made == 0:  # e.g. os.rename: used only when the dataset is new
        TALLY[("fault: ENOSPC at the k-th write call", f"{target} not called (base={has_base}): skipped")] += 1
        return
    k = 1 + which % made
    owner, attr = ENOSPC_TARGETS[target]
    real = getattr(owner, attr)
    calls = [0]

    def failing(*a, **kw):
        calls[0] += 1
        if calls[0] == k:
            name = next((str(x) for x in a if isinstance(x, (str, Path))), None)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
        return real(*a, **kw)

    with tempfile.TemporaryDirectory(dir=faults.root) as tmp:
        out = Path(tmp) / "ds"
        if has_base:
            shutil.copytree(faults.base, out)
        before = tree_digest(out)
        # A writer left open by an earlier example (its close failed) is closed by the garbage collector at any
        # moment, through the patched close: finalise those now, so that the k-th call is this ingest's.
        gc.collect()
        monkeypatch.setattr(owner, attr, failing)
        try:
            ingest(enospc.inputs, out, mapping="cn110", agency="zz")
            outcome = None
        except IngestIOError as exc:
            outcome = exc
        finally:
            monkeypatch.setattr(owner, attr, real)
        family = "fault: ENOSPC at the k-th write call"
        if outcome is None:
            # absorbed: a fsync after the swap (the change is made), or mkdir(exist_ok=True) of a folder that
            # exists (pathlib ignores the error then)
            assert calls[0] >= k and target in ("os.fsync", "os.mkdir"), (target, k, calls[0])
            assert _parquet_digest(out) == enospc.refs[has_base]
            result = f"absorbed ({target}): completed"
        else:
            assert outcome.errno == errno.ENOSPC and "No space left on device" in str(outcome)
            assert "\n" not in str(outcome) and "left as it was" in str(outcome)
            assert tree_digest(out) == before
            result = "clear error (IngestIOError), dataset unchanged"
        assert not debris(out)
        ingest(enospc.inputs, out, mapping="cn110", agency="zz")  # the next run succeeds
        assert _parquet_digest(out) == enospc.refs[has_base]
        TALLY[(family, f"{result}; next run succeeded")] += 1


def test_file_size_limit_is_a_real_write_error(faults):
    """The kernel refuses writes past RLIMIT_FSIZE (EFBIG): exit 2, one line, the dataset as before."""
    import resource

    out = _fresh_copy(faults, "fsize")

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))

    proc = subprocess.run(_cli("ingest", str(faults.big), "--format", "cn110", "--agency", "zz", "--out", str(out)),
                          capture_output=True, text=True, env=_child_env(), timeout=300, preexec_fn=limit)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("responsestats: error: ") and "File too large" in lines[0]
    assert tree_digest(out) == faults.base_digest
    _after_fault(faults, out, "fault: RLIMIT_FSIZE (EFBIG) from the kernel")


_TMPFS_SCRIPT = textwrap.dedent("""
    import json, subprocess, sys
    from pathlib import Path
    import reliability_helpers as h
    from responsestats import ingest
    from responsestats.errors import IngestIOError
    mnt, small, small2, big = (Path(a) for a in sys.argv[1:5])
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode:
        print(json.dumps({"skip": r.stderr.strip()})); sys.exit(0)
    out = mnt / "ds"
    ingest([small], out, mapping="cn110", agency="zz")
    before = h.tree_digest(out)
    try:
        ingest([big], out, mapping="cn110", agency="zz")
        error = None
    except IngestIOError as exc:
        error = str(exc)
    unchanged = h.tree_digest(out) == before
    leftovers = h.debris(out)
    nxt = ingest([small2], out, mapping="cn110", agency="zz")
    print(json.dumps({"error": error, "unchanged": unchanged, "debris": leftovers, "next_reconciled": nxt.reconciled,
                      "next_written": nxt.rows_written}))
""")


def test_full_tmpfs(faults, tmp_path):
    """A real full file system: a 128 KiB tmpfs mounted in a user namespace (skipped where not allowed)."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    proc = subprocess.run(["unshare", "-rm", sys.executable, "-c", _TMPFS_SCRIPT, str(mnt), str(faults.small),
                           str(faults.small2), str(faults.big)], capture_output=True, text=True, env=_child_env(),
                          timeout=300)
    if proc.returncode and ("Operation not permitted" in proc.stderr or "unshare failed" in proc.stderr):
        pytest.skip(f"no unprivileged user namespace here: {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if "skip" in result:
        pytest.skip(f"cannot mount a tmpfs: {result['skip']}")
    assert result["error"] and "No space left on device" in result["error"], result
    assert result["unchanged"] and not result["debris"]
    assert result["next_reconciled"] and result["next_written"] > 0
    TALLY[("fault: full tmpfs (ENOSPC from the kernel)", "clear error, dataset unchanged; next run succeeded")] += 1


# --- two writers -----------------------------------------------------------------------------------
#: Runs the CLI, but its transaction waits for a file to appear before committing: the test controls
#: how long the first writer holds the dataset, whatever the machine's speed.
_HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from responsestats import store
    go = Path(sys.argv[1])
    real = store.DatasetTransaction.commit
    def commit(self):
        t0 = time.monotonic()
        while not go.exists() and time.monotonic() - t0 < 120:
            time.sleep(0.01)
        real(self)
    store.DatasetTransaction.commit = commit
    from responsestats.cli import main
    sys.exit(main(sys.argv[2:]))
""")


def test_second_concurrent_ingest_is_refused(faults, tmp_path):
    """Two real processes: while one is writing, the other is refused with a clear message; nothing mixes."""
    out = _fresh_copy(faults, "concurrent")
    expected = tmp_path / "expected"
    shutil.copytree(faults.base, expected)
    ingest([faults.small2], expected, mapping="cn110", agency="zz")
    go = tmp_path / "go"
    first = subprocess.Popen([sys.executable, "-c", _HOLDER, str(go), "ingest", str(faults.small2), "--format",
                              "cn110", "--agency", "zz", "--out", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_child_env())
    try:
        _wait_for_staging(out, first)
        assert first.poll() is None, first.communicate()
        second = subprocess.run(_cli("ingest", str(faults.big), "--format", "cn110", "--agency", "zz",
                                     "--out", str(out)), capture_output=True, text=True, env=_child_env(),
                                timeout=300)
    finally:
        go.touch()
    _out, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode == 2
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "another ingest is writing to this dataset" in lines[0], second.stderr
    assert _parquet_digest(out) == _parquet_digest(expected)  # exactly what the first run wrote
    assert not debris(out)
    assert ingest([faults.big], out, mapping="cn110", agency="zz").reconciled  # the refused run, again: it works
    assert len(read_calls(out)) > 0
    TALLY[("fault: concurrent ingest (2 processes)", "second refused with a clear message; first completed")] += 1


def test_staging_never_writes_through_a_hard_link(faults, monkeypatch, tmp_path):
    """The staging folder is made of hard links to the live files: a write there must create a new file,
    never truncate the shared one, even if the previous version's files were not removed first."""
    out = tmp_path / "ds"
    shutil.copytree(faults.base, out)
    before = tree_digest(out)
    monkeypatch.setattr(store.DatasetTransaction, "replace_file", lambda self, agency, sha: 0)
    monkeypatch.setattr(store.DatasetTransaction, "commit", lambda self: None)  # never made visible
    ingest([faults.small], out, mapping="cn110", agency="zz")  # the file the base dataset already holds
    assert tree_digest(out) == before


@pytest.mark.parametrize("kind", ["file", "folder of other files"])
def test_out_must_be_new_empty_or_a_dataset(faults, tmp_path, kind):
    """Regression: `--out` naming an existing file swapped that file away (to a hidden `.NAME.staging-PID`)
    and put a dataset in its place. A file, or a folder holding anything but a dataset, is now refused."""
    out = tmp_path / "target"
    if kind == "file":
        out.write_text("my notes\n", encoding="utf-8")
    else:
        out.mkdir()
        (out / "export.csv").write_bytes(faults.small.read_bytes())
    before = tree_digest(out) if out.is_dir() else out.read_bytes()
    with pytest.raises(UserError, match="not a folder|is not a responsestats dataset"):
        ingest([faults.small], out, mapping="cn110", agency="zz")
    assert (tree_digest(out) if out.is_dir() else out.read_bytes()) == before
    assert not debris(out)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert ingest([faults.small], empty, mapping="cn110", agency="zz").reconciled  # an empty folder is fine
