"""Find exact duplicate records in a file, block by block, in bounded memory.

A record's fingerprint is a 64-bit hash of its cleaned source values (every
column read, nulls included; timestamps as read). :func:`row_hashes` combines
per-column hashes computed without Python objects (:func:`text_hashes`,
:func:`int_hashes`), and :class:`SeenHashes` remembers the
fingerprints of the blocks already read (8 bytes per record) so that a record
repeated anywhere later in the file is found.

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


#: Bits of the filter in front of :class:`SeenHashes` (16 MiB): about 1 lookup in 27 per million
#: fingerprints added goes on to the exact search.
_FILTER_BITS = 27
#: Fingerprints per run at most [count] (8 MiB): merges never copy more than this at once.
_RUN_LIMIT = 1 << 20


class SeenHashes:
    """The fingerprints met so far in a file, for membership tests.

    A bit per slot (the fingerprint's top bits, a 16 MiB filter) says whether
    the slot was ever used: most lookups stop there. The others search the
    fingerprints, kept as sorted runs: adding a block sorts it and merges runs
    of similar size (like a binary counter) up to :data:`_RUN_LIMIT`
    fingerprints. Memory: the filter plus 8 bytes per record (40 MB for a
    5-million-row file); this is the only part of an ingest that grows with
    the file.
    """

    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []
        self._bits = np.zeros(1 << (_FILTER_BITS - 3), np.uint8)

    def __len__(self) -> int:
        return sum(len(r) for r in self._runs)

    @staticmethod
    def _slots(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        slot = hashes >> np.uint64(64 - _FILTER_BITS)
        return (slot >> np.uint64(3)).astype(np.int64), (np.uint8(1) << (slot & np.uint64(7)).astype(np.uint8))

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        """Mask of the given fingerprints already added [bool]."""
        byte, bit = self._slots(hashes)
        found = np.zeros(len(hashes), bool)
        maybe = np.flatnonzero(self._bits[byte] & bit)
        if not len(maybe):
            return found
        queries = np.sort(hashes[maybe])  # sorted queries search a sorted run with far fewer cache misses
        hit = np.zeros(len(queries), bool)
        for run in self._runs:
            pos = np.searchsorted(run, queries)
            pos[pos == len(run)] = 0
            hit |= run[pos] == queries
        found[maybe] = np.isin(hashes[maybe], queries[hit])
        return found

    def add(self, hashes: np.ndarray, *, presorted: bool = False) -> None:
        """Remember fingerprints (``presorted``: they come sorted already, e.g. from ``numpy.unique``)."""
        if not len(hashes):  # nothing to remember (an empty run would break the search)
            return
        run = hashes if presorted else np.sort(hashes)
        byte, bit = self._slots(run)  # sorted: each byte's bits are neighbours, OR-ed in one pass
        if len(run):
            starts = np.flatnonzero(np.diff(byte, prepend=-1))
            self._bits[byte[starts]] |= np.bitwise_or.reduceat(bit, starts)
        while self._runs and len(self._runs[-1]) <= 2 * len(run) and len(self._runs[-1]) + len(run) <= _RUN_LIMIT:
            run = np.sort(np.concatenate([self._runs.pop(), run]), kind="stable")  # a merge of two sorted runs
        self._runs.append(run)


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
