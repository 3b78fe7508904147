"""The file-system operations of a write that differ between operating systems.

Private to :mod:`responsestats.store`; :class:`~.transaction.DatasetTransaction`
calls them through this module (so that tests can inject faults here).
Nothing here runs on import: the lock implementation and the C library are
looked up when first used, so ``import responsestats`` works on every platform.

What differs, and how it is handled
-----------------------------------
Writer's lock
    One writer per dataset, by an operating-system lock on the file
    ``.<name>.lock`` beside the dataset, held for the whole transaction and
    released by the OS if the process dies. :mod:`filelock` picks the
    implementation: ``flock`` on Linux and macOS, ``msvcrt.locking`` on Windows.
    Where neither exists it falls back to a lock held by the file's existence,
    which a killed process can leave behind (delete the ``.lock`` file then).
Atomic swap
    The new version of the dataset is built in a sibling folder and swapped with
    the live one in one system call: ``renameat2(RENAME_EXCHANGE)`` on Linux,
    ``renamex_np(RENAME_SWAP)`` on macOS. Elsewhere (Windows, older kernels, some
    network file systems) the swap is three renames with ``os.rename`` (on
    Windows, like :func:`os.replace`, a rename within one volume that fails
    rather than overwrite a folder), and a crash between them is finished or
    undone by :func:`recover_interrupted_swap` at the next run. On Windows a
    folder cannot be renamed while another program holds a file in it open: the
    swap then fails with a clear error and the dataset is left as it was.
Durability
    Files and folders are flushed with ``fsync`` before the swap. Windows cannot
    open a folder to flush it; NTFS journals folder changes itself, so only the
    files are flushed there.
Unchanged files
    The staging copy hard-links the live files (``os.link``, supported by NTFS and
    every POSIX file system), so a transaction costs no copying.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
from pathlib import Path

from ..errors import DatasetLockedError, UserError

_LINUX_RENAME_EXCHANGE = 2  # renameat2 flag (linux/fs.h)
_LINUX_AT_FDCWD = -100
_DARWIN_RENAME_SWAP = 0x2  # renamex_np flag (sys/stdio.h)
_WINDOWS = os.name == "nt"
#: Windows flushes a file only through a handle open for writing (FlushFileBuffers); opening changes nothing.
_FLUSH_MODE = os.O_RDWR | os.O_BINARY if _WINDOWS else os.O_RDONLY
_NOT_SUPPORTED = (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP))


class WriterLock:
    """An exclusive, non-blocking lock on ``path`` (one writer per dataset).

    Parameters
    ----------
    path : Path
        The lock file (created if missing, never removed: the next writer reuses it).
    dataset : Path
        The dataset it guards, for the error message.
    """

    def __init__(self, path: Path, dataset: Path):
        self.path = Path(path)
        self.dataset = Path(dataset)
        self._lock = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`~responsestats.errors.DatasetLockedError` at once if another holds it."""
        import filelock

        lock = filelock.FileLock(str(self.path), timeout=0)
        try:
            lock.acquire()
        except filelock.Timeout:
            hint = "wait for it to finish and run again"
            if not isinstance(lock, (filelock.UnixFileLock, filelock.WindowsFileLock)):
                hint += (f"; this system has no operating-system file locks, so an ingest that was killed leaves the "
                         f"lock file behind: if no other ingest is running, delete the lock file {self.path}")
            raise DatasetLockedError(
                f"{self.dataset}: another ingest is writing to this dataset (lock {self.path}); {hint}"
            ) from None
        except NotImplementedError:  # e.g. a network file system without locks: not "another ingest"
            raise UserError(f"{self.dataset}: the file system does not support file locks ({self.path}); "
                            "write the dataset to a local folder") from None
        self._lock = lock

    def release(self) -> None:
        """Give the lock back (no-op if not held)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def exchange(a: Path, b: Path) -> None:
    """Swap two folders atomically where the system can (see the module notes); else three renames.

    Raises
    ------
    OSError
        If the system call or a rename fails for a reason other than "not supported here".
    """
    if _swap_in_one_call(a, b):
        return
    previous = b.parent / f".{b.name}.previous"
    os.rename(b, previous)
    os.rename(a, b)
    os.rename(previous, a)


def _swap_in_one_call(a: Path, b: Path) -> bool:
    """True if the C library swapped ``a`` and ``b`` (Linux ``renameat2``, macOS ``renamex_np``)."""
    import ctypes
    import ctypes.util

    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if sys.platform == "darwin" and getattr(libc, "renamex_np", None) is not None:
        rc = libc.renamex_np(os.fsencode(a), os.fsencode(b), ctypes.c_uint(_DARWIN_RENAME_SWAP))
    elif getattr(libc, "renameat2", None) is not None:
        rc = libc.renameat2(_LINUX_AT_FDCWD, os.fsencode(a), _LINUX_AT_FDCWD, os.fsencode(b),
                            _LINUX_RENAME_EXCHANGE)  # fmt: skip
    else:
        return False
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in _NOT_SUPPORTED:
        return False
    raise OSError(err, os.strerror(err), str(b))


def recover_interrupted_swap(root: Path) -> None:
    """Finish a three-rename swap that was interrupted between its renames."""
    previous = root.parent / f".{root.name}.previous"
    if previous.exists():
        if not root.exists():
            os.rename(previous, root)  # the new version never arrived: restore the old one
        else:
            shutil.rmtree(previous, ignore_errors=True)


def hardlink_tree(src: Path, dst: Path) -> None:
    """Recreate the folders of ``src`` under ``dst``, with every file a hard link to the original."""
    for dirpath, _dirs, files in os.walk(src):
        rel = Path(dirpath).relative_to(src)
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(Path(dirpath) / name, dst / rel / name)


def remove_empty_dirs(top: Path) -> None:
    """Remove the empty folders under ``top`` (and ``top`` itself if it ends up empty)."""
    if not top.exists():
        return
    for dirpath, _dirs, _files in sorted(os.walk(top), key=lambda t: -len(t[0])):
        try:
            os.rmdir(dirpath)
        except OSError:
            pass


def fsync_tree(top: Path) -> None:
    """Flush every file under ``top``, and every folder where the system allows it."""
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            fd = os.open(Path(dirpath) / name, _FLUSH_MODE)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a no-op on Windows, which cannot open a folder; NTFS journals them)."""
    if _WINDOWS:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
