"""Cut a CSV file into bounded chunks of whole records, as UTF-8 bytes.

pyarrow's streaming CSV reader reads many blocks ahead, so its memory grows
with the file up to tens of blocks. Cutting the file ourselves into chunks that
end on a record boundary, and parsing each chunk with the (multithreaded)
``pyarrow.csv.read_csv``, keeps memory at a few chunks whatever the file's size.

A newline ends a record only outside quotes: a cut is made at the last newline
preceded by an even number of ``"`` characters in the chunk (each chunk starts
outside quotes, and a doubled ``""`` inside a quoted field keeps the parity).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

import numpy as np

#: Default size of one chunk [bytes].
CHUNK_BYTES = 4 << 20

_NL = ord("\n")
_QUOTE = ord('"')
_UTF8 = {"utf8", "utf-8", "utf-8-sig", "utf_8", "utf_8_sig"}


def _last_record_end(buf: bytes | bytearray | memoryview) -> int:
    """Index just after the last newline outside quotes, or -1 if there is none."""
    a = np.frombuffer(buf, dtype=np.uint8)
    newlines = np.flatnonzero(a == _NL)
    if len(newlines) == 0:
        return -1
    quotes = np.flatnonzero(a == _QUOTE)
    if len(quotes) == 0:
        return int(newlines[-1]) + 1
    # number of quotes before each newline; even -> the newline ends a record
    before = np.searchsorted(quotes, newlines)
    ok = newlines[(before % 2) == 0]
    return int(ok[-1]) + 1 if len(ok) else -1


def skip_records(fh, count: int) -> bytes:
    """Advance ``fh`` past ``count`` records; return their bytes (the header lines)."""
    taken = bytearray()
    for _ in range(count):
        line = bytearray(fh.readline())
        while line.count(_QUOTE) % 2 == 1:  # a quoted field spans lines
            more = fh.readline()
            if not more:
                break
            line += more
        taken += line
    return bytes(taken)


def iter_chunks(path: Path, encoding: str, skip: int, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Yield UTF-8 chunks of whole records after the first ``skip`` records.

    Parameters
    ----------
    path : Path
        CSV file.
    encoding : str
        The file's encoding; other than UTF-8, each chunk is transcoded.
    skip : int
        Records to skip first (the header and any lines above it).
    chunk_bytes : int
        Bytes read at a time [bytes]; a record longer than this makes the
        chunk grow until it ends.
    """
    utf8 = encoding.lower().replace("_", "-") in _UTF8
    decoder = None if utf8 else codecs.getincrementaldecoder(encoding)(errors="strict")
    with open(path, "rb") as fh:
        skip_records(fh, skip)
        carry = b""
        while True:
            block = fh.read(chunk_bytes)
            if not block:
                break
            data = carry + block
            cut = _last_record_end(data)
            if cut <= 0:
                carry = data
                continue
            chunk, carry = data[:cut], data[cut:]
            yield chunk if utf8 else decoder.decode(chunk).encode("utf-8")
        if carry.strip():
            tail = carry if carry.endswith(b"\n") else carry + b"\n"
            yield tail if utf8 else decoder.decode(tail, final=True).encode("utf-8")
