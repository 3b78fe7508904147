"""Find exact duplicate records in a file, block by block, in bounded memory.

A record's fingerprint is a 64-bit hash of its cleaned source values (every
column read, nulls included; timestamps as read). :func:`row_hashes` combines
per-column hashes computed without Python objects (:func:`text_hashes`,
:func:`int_hashes`), and :class:`SeenHashes` remembers the
fingerprints of the blocks already read so that a record repeated anywhere
later in the file is found: up to 524,288 of them in memory (4 MiB), the rest
in sorted runs on disk (:mod:`.spill`), behind a Bloom filter, so that its
memory does not grow with the file.

Two different records share a fingerprint with a probability of about
``n**2 / 2**65`` (under one in a million for 5 million records). Hashing a
record costs time proportional to its bytes: short values are hashed many
at a time in numpy, long ones (a free-text field of megabytes) with BLAKE2b.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import spill
from .._memory import release_freed_memory
from .spill import SortedRun, SpillSpace

#: The fingerprint of a missing value (an arbitrary odd constant).
_NULL_HASH = np.uint64(0x9E3779B97F4A7C15)
_MULTIPLIER = np.uint64(0xBF58476D1CE4E5B9)
_STEP = np.uint64(0x94D049BB133111EB)


def _mix(h: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: spreads every input bit over the 64 output bits (uint64, wraps)."""
    h = h ^ (h >> np.uint64(30))
    h = h * _MULTIPLIER
    h = h ^ (h >> np.uint64(27))
    h = h * _STEP
    return h ^ (h >> np.uint64(31))


def row_hashes(columns: list[np.ndarray], n: int) -> np.ndarray:
    """64-bit fingerprint of each row from the hashes of its values, one array per column [uint64].

    Rows are equal (every value equal, nulls equal to nulls) only if their
    fingerprints are; equal fingerprints mean equal rows with near certainty.
    """
    with np.errstate(over="ignore"):
        h = np.zeros(n, np.uint64)
        for part in columns:
            h = _mix(h * _STEP + part)
    return h


def int_hashes(values: np.ndarray) -> np.ndarray:
    """64-bit hash of each 64-bit integer (or datetime64) [uint64]."""
    with np.errstate(over="ignore"):
        return _mix(values.view(np.uint64) + _NULL_HASH)


def text_hashes(arr: pa.Array, encoded: pa.DictionaryArray | None = None) -> np.ndarray:
    """64-bit hash of each string's UTF-8 bytes [uint64]; nulls get a fixed value.

    The hash depends on the value alone (not on the block or on how it is
    computed): ASCII columns (timestamps, ids, codes, coordinates) are hashed
    row by row, other columns (Chinese categories, few distinct values) once
    per distinct value (``encoded``: ``arr`` dictionary-encoded, if at hand).
    """
    n = len(arr)
    if n == 0:
        return np.zeros(0, np.uint64)
    if arr.null_count == n:
        return np.full(n, _NULL_HASH, np.uint64)
    if encoded is None:
        if (pc.max(pc.binary_length(arr)).as_py() or 0) <= _PAD_LIMIT and pc.all(pc.string_is_ascii(arr)).as_py():
            return _ascii_hashes(arr)
        encoded = pc.dictionary_encode(arr)
    hashes = np.append(_bytes_hashes(encoded.dictionary), _NULL_HASH)
    codes = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy(zero_copy_only=False)
    return hashes[codes]


#: Longest value [bytes] for which :func:`_ascii_hashes` pads a whole column to one width (memory: rows x width).
_PAD_LIMIT = 256


def _ascii_hashes(arr: pa.Array) -> np.ndarray:
    """:func:`_bytes_hashes` of ASCII text, faster: Arrow pads every value with NUL to one width."""
    n = len(arr)
    lengths = pc.binary_length(arr).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    width = max(8, -(-int(lengths.max(initial=0)) // 8) * 8)
    padded = pc.utf8_rpad(arr.fill_null(""), width=width, padding="\x00")
    _, offsets_buf, data_buf = padded.buffers()
    start = int(np.frombuffer(offsets_buf, np.int32, count=1, offset=padded.offset * 4)[0])
    words = np.frombuffer(data_buf, np.uint64, count=n * width // 8, offset=start).reshape(n, width // 8)
    out = _hash_words(words, lengths)
    out[~arr.is_valid().to_numpy(zero_copy_only=False)] = _NULL_HASH
    return out


def _hash_words(words: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Hash rows of zero-padded 8-byte words; words past a value's length are left out."""
    shortest = int(lengths.min(initial=0))
    with np.errstate(over="ignore"):
        h = _mix(lengths.astype(np.uint64) + _NULL_HASH)  # the length, mixed: no word can cancel it out
        for k in range(words.shape[1]):
            step = _mix(h ^ words[:, k])
            h = step if shortest > 8 * k else np.where(lengths > 8 * k, step, h)
        return _mix(h)


#: Bytes of padded text handled at a time by :func:`_bytes_hashes` (bounds its temporary arrays).
_SLICE_BYTES = 1 << 22
#: Values longer than this [bytes] are hashed with BLAKE2b, one call per value, in time proportional to their
#: length; shorter ones 8 bytes at a time in numpy, many values per call (a value's length alone decides which,
#: so a value hashes the same wherever it is met).
_LONG_VALUE_BYTES = 1024
#: Domain of the BLAKE2b fingerprints (so that they are this project's own, unrelated to other BLAKE2b uses).
_BLAKE2B_PERSON = b"rs-fingerprint"


def _bytes_hashes(arr: pa.Array) -> np.ndarray:
    """Hash each value's bytes [uint64]: short values 8 at a time (zero-padded words, then the length) in numpy,
    values over :data:`_LONG_VALUE_BYTES` with BLAKE2b."""
    n = len(arr)
    arr = arr.cast(pa.large_binary())  # 64-bit offsets, bytes as they are
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    _, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, np.int64, count=n + 1, offset=arr.offset * 8)
    starts = offsets[:-1]
    lengths = np.where(valid, np.diff(offsets), 0)
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None and data_buf.size else np.zeros(1, np.uint8)
    out = np.empty(n, np.uint64)
    long = lengths > _LONG_VALUE_BYTES
    for i in np.flatnonzero(long):
        s = int(starts[i])
        digest = hashlib.blake2b(data[s:s + int(lengths[i])], digest_size=8, person=_BLAKE2B_PERSON).digest()
        out[i] = np.frombuffer(digest, np.uint64)[0]
    short = np.flatnonzero(~long)
    width = max(8, -(-int(lengths[short].max(initial=0)) // 8) * 8)
    step = max(1, _SLICE_BYTES // width)
    cols = np.arange(width)
    for lo in range(0, len(short), step):
        rows = short[lo:lo + step]
        s, ln = starts[rows], lengths[rows]
        inside = cols < ln[:, None]
        idx = np.where(inside, s[:, None] + cols, 0)
        padded = np.where(inside, data[idx], 0).astype(np.uint8)
        out[rows] = _hash_words(np.ascontiguousarray(padded).view(np.uint64), ln)
    out[~valid] = _NULL_HASH
    return out


#: 64-bit words of the Bloom filter in front of :class:`SeenHashes` while every fingerprint is in memory [count]
#: (4 MiB).
_FILTER_WORDS = 1 << 19
#: 64-bit words of the filter once fingerprints are spilled to disk [count] (24 MiB; below 2**32).
_DISK_FILTER_WORDS = 3 << 20
#: Bits set per fingerprint in its 64-bit word of the filter [count].
_FILTER_PROBES = 4
#: Fingerprints per run in memory at most [count] (2 MiB): merges never copy more than this at once.
_RUN_LIMIT = 1 << 18
#: Fingerprints run through the filter at a time [count] (bounds its temporary arrays: a few MiB).
_PROBE_SLICE = 1 << 16
_ONE = np.uint64(1)
_SIX_BITS = np.uint64(63)
_HALF = np.uint64(32)


class BlockedBloom:
    """A blocked Bloom filter of 64-bit hashes (already well mixed): does a hash belong to those added?

    A hash's top 32 bits choose one 64-bit word (scaled to the filter's length, so that sorted hashes mark
    their words in order) and ``probes`` bits of it, from its low 6-bit fields, are set: a lookup reads one
    word. No false negatives; the share of absent hashes found grows with the hashes added per word.

    Parameters
    ----------
    words : int
        64-bit words of the filter [count] (8 bytes each; below 2**32).
    probes : int
        Bits set per hash [count], at most 10.
    """

    def __init__(self, words: int, probes: int) -> None:
        self.words = np.zeros(int(words), np.uint64)
        self.probes = int(probes)

    @property
    def nbytes(self) -> int:
        """Memory of the filter [bytes]."""
        return self.words.nbytes

    def _probe(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each hash's word of the filter and the bits it sets in it."""
        word = (((hashes >> _HALF) * np.uint64(len(self.words))) >> _HALF).astype(np.int64)  # top 32 bits, scaled
        mask = _ONE << (hashes & _SIX_BITS)
        for k in range(1, self.probes):
            mask |= _ONE << ((hashes >> np.uint64(6 * k)) & _SIX_BITS)
        return word, mask

    def add(self, hashes: np.ndarray, *, presorted: bool = False) -> None:
        """Set the bits of ``hashes`` [uint64] (``presorted``: sorted, so each word's hashes are neighbours)."""
        for lo in range(0, len(hashes), _PROBE_SLICE):
            word, mask = self._probe(hashes[lo:lo + _PROBE_SLICE])
            if presorted:
                starts = np.flatnonzero(np.diff(word, prepend=-1))
                self.words[word[starts]] |= np.bitwise_or.reduceat(mask, starts)
            else:
                np.bitwise_or.at(self.words, word, mask)

    def passes(self, hashes: np.ndarray) -> np.ndarray:
        """Positions of the hashes the filter lets through (maybe added) [int64]."""
        parts = [np.zeros(0, np.int64)]
        for lo in range(0, len(hashes), _PROBE_SLICE):
            word, mask = self._probe(hashes[lo:lo + _PROBE_SLICE])
            parts.append(np.flatnonzero((self.words[word] & mask) == mask) + lo)
        return parts[-1] if len(parts) == 2 else np.concatenate(parts)

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        """Mask of the hashes the filter lets through [bool] (every hash added, and a few more)."""
        found = np.zeros(len(hashes), bool)
        found[self.passes(hashes)] = True
        return found


class SeenHashes:
    """The fingerprints met so far in a file, for membership tests, in memory bounded whatever the file's size.

    A Bloom filter says whether a fingerprint may have been added: most lookups of new fingerprints stop there.
    It is blocked: a fingerprint's top 32 bits choose one 64-bit word (scaled to the filter's length, so that
    sorted fingerprints mark their words in order), and :data:`_FILTER_PROBES` bits of it, taken from its low
    bits, are set (the fingerprints are well mixed already), so that a lookup costs one random read.

    The other lookups search the fingerprints, kept as sorted runs: in memory, adding a block sorts it and
    merges runs of similar size (like a binary counter) up to :data:`_RUN_LIMIT` fingerprints; past
    ``budget`` fingerprints in memory (:data:`~.spill.MEMORY_BUDGET`: 524,288, 4 MiB) they are written to disk
    as one sorted run of distinct values (:class:`~.spill.SortedRun`, merged from the runs in memory as
    streams) and memory starts afresh. Runs on disk are merged like a binary counter of spills (runs of as
    many spills become one, as streams, the runs of a carry at once), so a file of ``n`` fingerprints has at
    most ``log2(n / budget) + 1`` of them; a lookup reads only the 4 KiB pages of each run its queries fall
    in.

    The filter is 4 MiB while everything is in memory and 24 MiB from the first spill on (rebuilt then from
    the fingerprints in memory, which are all there are). Share of lookups of absent fingerprints that pass
    it, computed for this layout (and measured, within 0.2 points): 0.016 % at the budget (4 MiB); 0.05 % at
    5 M fingerprints, 0.28 % at 10 M, 5.1 % at 30 M and 55 % at 100 M (24 MiB). Only those, and the
    fingerprints really met before, are looked up on disk: at 30 M, 2 to 4 s in all on a file's 1,000
    blocks of 30,000 records (the whole file's :meth:`contains`); slower past that, never wrong.

    Memory: the filter (4 MiB, then 24 MiB), at most ``budget`` fingerprints (4 MiB), a few MiB of
    temporary arrays while the filter is probed (:data:`_PROBE_SLICE` fingerprints at a time) or runs are
    merged (256 KiB per run merged) or read (:data:`~.spill._LOOKUP_PAGES` pages at a time), and the sparse
    index of the runs on disk: 15,625 bytes per million fingerprints (0.45 MiB for a file of 30 M records).
    Nothing else grows with the file. Disk: 8 bytes per distinct fingerprint, up to twice that while runs
    are merged.

    Parameters
    ----------
    space : SpillSpace, optional
        Where runs are spilled (default: a folder of its own in the system's temporary folder, made on the
        first spill).
    budget : int, optional
        Fingerprints held in memory at most [count]. Default: :data:`~.spill.MEMORY_BUDGET`.

    Notes
    -----
    :meth:`close` (or leaving a ``with`` block) frees the memory and removes the spilled runs.
    """

    def __init__(self, space: SpillSpace | None = None, budget: int | None = None) -> None:
        self._runs: list[np.ndarray] = []  # in memory, sorted
        self._held = 0  # fingerprints in memory [count]
        self._disk: list[tuple[SortedRun, int]] = []  # runs on disk and the spills each holds [count]
        self._on_disk = 0
        self._budget = int(budget if budget is not None else spill.MEMORY_BUDGET)
        self._own_space = space is None
        self._space = space if space is not None else SpillSpace()
        self._filter = BlockedBloom(_FILTER_WORDS, _FILTER_PROBES)

    def __len__(self) -> int:
        """Fingerprints held [count]: all added while in memory, the distinct ones once on disk."""
        return self._held + self._on_disk

    @property
    def spilled_runs(self) -> int:
        """Runs on disk [count]."""
        return len(self._disk)

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        """Mask of the given fingerprints already added [bool]."""
        found = np.zeros(len(hashes), bool)
        if not len(self) or not len(hashes):
            return found
        maybe = self._filter.passes(hashes)
        if not maybe.size:
            return found
        candidates = hashes[maybe]
        order = np.argsort(candidates)
        queries = candidates[order]  # sorted queries search a sorted run with far fewer cache misses
        hit = np.zeros(len(queries), bool)
        for run in self._runs:
            pos = np.searchsorted(run, queries)
            pos[pos == len(run)] = 0
            hit |= run[pos] == queries
        if self._disk:
            rest = np.flatnonzero(~hit)
            for run, _ in self._disk:
                if not rest.size:
                    break
                more = run.contains_sorted(queries[rest])
                hit[rest[more]] = True
                rest = rest[~more]
        found[maybe[order[hit]]] = True
        return found

    def add(self, hashes: np.ndarray, *, presorted: bool = False) -> None:
        """Remember fingerprints (``presorted``: they come sorted already, e.g. from ``numpy.unique``)."""
        if not len(hashes):  # nothing to remember (an empty run would break the search)
            return
        run = hashes if presorted else np.sort(hashes)
        self._filter.add(run, presorted=True)
        while self._runs and len(self._runs[-1]) <= 2 * len(run) and len(self._runs[-1]) + len(run) <= _RUN_LIMIT:
            run = np.concatenate([self._runs.pop(), run])
            run.sort(kind="stable")  # a merge of two sorted runs, in place
        self._runs.append(run)
        self._held += len(hashes)
        if self._held > self._budget:
            self._spill()

    def _spill(self) -> None:
        """Write the fingerprints in memory to disk as one run, then merge runs of as many spills."""
        self._disk.append((SortedRun.write(self._space, self._runs), 1))
        self._on_disk += self._disk[-1][0].n
        if len(self._filter.words) < _DISK_FILTER_WORDS:  # the first spill: a larger filter from now on, from all
            self._filter = None  # freed first                # there is (every fingerprint is still in memory)
            self._filter = BlockedBloom(_DISK_FILTER_WORDS, _FILTER_PROBES)
            for run in self._runs:
                self._filter.add(run, presorted=True)
        self._runs = []
        self._held = 0
        release_freed_memory()  # the runs' memory back to the system before merging
        spills, k = self._disk[-1][1], 1  # the runs a binary counter would merge, one after the other: at once
        while k < len(self._disk) and self._disk[-k - 1][1] == spills:
            spills += self._disk[-k - 1][1]
            k += 1
        if k > 1:
            runs = [run for run, _ in self._disk[-k:]]
            merged = SortedRun.merge(runs, self._space)
            del self._disk[-k:]
            for run in runs:
                self._on_disk -= run.n
                run.close()
            self._disk.append((merged, spills))
            self._on_disk += merged.n

    def close(self) -> None:
        """Free the memory and remove the runs on disk (and the spill folder, if it is this set's own)."""
        self._runs = []
        self._held = 0
        self._filter = BlockedBloom(0, _FILTER_PROBES)
        for run, _ in self._disk:
            run.close()
        self._disk = []
        self._on_disk = 0
        if self._own_space:
            self._space.close()

    def __enter__(self) -> SeenHashes:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", np.uint8)


def hex_hashes(hashes: np.ndarray) -> pa.Array:
    """64-bit hashes as text: 16 lower-case hex digits each, most significant first (a synthetic incident id).

    Built in numpy (no Python object per value): ``0x0123456789abcdef`` -> ``"0123456789abcdef"``.
    """
    n = len(hashes)
    octets = np.ascontiguousarray(hashes, dtype=">u8").view(np.uint8).reshape(n, 8)
    chars = np.empty((n, 16), np.uint8)
    chars[:, 0::2] = _HEX_DIGITS[octets >> 4]
    chars[:, 1::2] = _HEX_DIGITS[octets & 15]
    offsets = np.arange(0, 16 * (n + 1), 16, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(chars.tobytes())])


#: Names how :func:`key_hashes` hashes a key; stored beside every key index, so that an index made by another
#: version of the hash is never compared (it is rebuilt from the rows). Change it whenever the hash changes.
KEY_HASH_VERSION = "incident-unit-v1"


def key_hashes(incident_id: pa.Array | pa.ChunkedArray, unit_id: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """64-bit hash of each row's key, ``(incident_id, unit_id)`` (``unit_id`` null at incident level) [uint64].

    The identity of a row in the dataset: a later export that holds the same key replaces the row
    (:mod:`responsestats.ingestion.reexports`). Stable across runs and versions while
    :data:`KEY_HASH_VERSION` is unchanged.
    """
    columns = [a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in (incident_id, unit_id)]
    n = len(columns[0])
    return row_hashes([text_hashes(c) for c in columns], n)
