"""Cut a CSV file into bounded chunks of whole records, as UTF-8 bytes.

pyarrow's streaming CSV reader reads many blocks ahead, so its memory grows
with the file up to tens of blocks. Cutting the file ourselves into chunks that
end on a record boundary, and parsing each chunk with the (multithreaded)
``pyarrow.csv.read_csv``, keeps memory at a few chunks whatever the file's size.

A record ends at a line break (``\\n``, ``\\r\\n`` or a lone ``\\r``) outside
quotes. "Outside quotes" follows the parser's rules exactly (pyarrow's, and
Python's :mod:`csv`): a ``"`` opens a quoted value only as the first character
of a field; inside one, ``""`` is a literal quote and a single ``"`` closes it;
any other ``"`` (``5'10"``) is an ordinary character. Files whose quotes all sit
where RFC 4180 puts them are cut with a vectorised parity count; a chunk with
a quote anywhere else is scanned quote by quote. Either way a cut is never made
inside a quoted value, so the records, and their numbers, do not depend on
where the file is cut.

A quoted value still open at the end of the file would swallow every line after
its opening quote; that is reported as an error naming the line, not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..errors import UserError
from .base import format_bytes

#: Default size of one chunk [bytes]. Read at call time, so tests may lower it.
CHUNK_BYTES = 8 << 20
#: A record (with its line break) longer than this is refused [bytes], and no more than this plus one byte of
#: it is ever read: memory stays bounded even when a quote left open early in a big file would make the rest of
#: it one record. Read at call time, so tests may lower it.
MAX_RECORD_BYTES = 256 << 20
#: The header line together with the lines above it (``header_row``) longer than this is refused [bytes]: a file
#: with no line break (a binary file, a quote left open in the header) is not read whole. Read at call time.
MAX_HEADER_BYTES = 1 << 20

_LF = ord("\n")
_CR = ord("\r")
_QUOTE = ord('"')
_UTF8 = {"utf8", "utf-8", "utf-8-sig", "utf_8", "utf_8_sig"}


def record_ends(buf: bytes | bytearray | memoryview, delimiter: int = ord(","),
                final: bool = True) -> tuple[np.ndarray, int | None]:
    """Where the records of ``buf`` end, and where a quoted value is left open.

    Parameters
    ----------
    buf : bytes
        Text in an ASCII-compatible encoding that starts at the start of a record.
    delimiter : int
        The field delimiter's byte.
    final : bool
        ``buf`` is the end of the file. If not, a ``\\r`` as its last byte is not
        taken as a line break (its ``\\n`` may follow in the next read).

    Returns
    -------
    ends : numpy.ndarray
        Index just after each line break outside quotes (``\\r\\n`` counts once) [int64].
    open_at : int or None
        Index of the quote that opens a value still open at the end of ``buf``.
    """
    a = np.frombuffer(buf, dtype=np.uint8)
    n = len(a)
    # a line break: a "\n", or a "\r" not followed by "\n". Positions only (no mask of the buffer's size is
    # kept), so that a buffer of MAX_RECORD_BYTES costs little more than itself.
    breaks = np.flatnonzero(a == _LF)
    cr = np.flatnonzero(a == _CR)
    if len(cr):
        after = cr + 1
        inside = after < n
        lone = np.full(len(cr), final)  # a "\r" as the last byte: a break only at the end of the file
        lone[inside] = a[after[inside]] != _LF
        if lone.any():
            breaks = np.union1d(breaks, cr[lone])
    quotes = np.flatnonzero(a == _QUOTE)
    if len(quotes) == 0:
        return breaks + 1, None
    if _quotes_are_regular(a, quotes, delimiter):
        # every quote opens, closes, or is half of a "" pair: parity tells inside from outside
        outside = (np.searchsorted(quotes, breaks) % 2) == 0
        open_at = int(quotes[-1]) if len(quotes) % 2 else None
        return breaks[outside] + 1, open_at
    opens, closes, open_at = _quoted_spans(bytes(buf), quotes.tolist(), delimiter)
    if not opens:
        return breaks + 1, open_at
    opens_a = np.asarray(opens, np.int64)
    closes_a = np.asarray(closes, np.int64)
    i = np.searchsorted(opens_a, breaks) - 1
    inside = (i >= 0) & (breaks < closes_a[np.maximum(i, 0)])
    return breaks[~inside] + 1, open_at


def _quotes_are_regular(a: np.ndarray, quotes: np.ndarray, delimiter: int) -> bool:
    """True when each quote, by parity, is where RFC 4180 allows it.

    A quote at an even position of the list (outside, by parity) must start a
    field (first byte, or after a delimiter, a line break or the other half of
    a ``""``); one at an odd position (inside) must end the value (be followed
    by a delimiter, a line break, the end, or the other half of a ``""``). Then
    the parity count agrees with the parser everywhere.
    """
    n = len(a)
    starts = np.array([delimiter, _LF, _CR, _QUOTE], np.uint8)
    even = quotes[0::2]
    odd = quotes[1::2]
    prev = a[np.maximum(even - 1, 0)]
    ok_even = (even == 0) | np.isin(prev, starts)
    nxt = a[np.minimum(odd + 1, n - 1)]
    ok_odd = (odd == n - 1) | np.isin(nxt, starts)
    return bool(ok_even.all() and ok_odd.all())


def _quoted_spans(buf: bytes, quotes: list[int], delimiter: int) -> tuple[list[int], list[int], int | None]:
    """Quoted values as (opening quote, closing quote) positions, by the parser's rules, one quote at a time."""
    field_start = (delimiter, _LF, _CR)
    opens: list[int] = []
    closes: list[int] = []
    inside = False
    k = 0
    nq = len(quotes)
    while k < nq:
        p = quotes[k]
        if not inside:
            if p == 0 or buf[p - 1] in field_start:
                inside = True
                opens.append(p)
            k += 1
        elif k + 1 < nq and quotes[k + 1] == p + 1:
            k += 2  # "" inside a quoted value: a literal quote
        else:
            inside = False
            closes.append(p)
            k += 1
    open_at = None
    if inside:
        open_at = opens[-1]
        closes.append(len(buf))
    return opens, closes, open_at


def _last_record_end(data: bytes) -> int | None:
    """Where the last record of ``data`` ends, found with fast byte searches, when that is easy.

    With no quote and no ``\r`` other than in ``\r\n`` (and none at the very
    end, whose ``\n`` may come next), every ``\n`` ends a record: the answer
    is just past the last one (None when there is none). Otherwise None: the
    caller uses :func:`record_ends`.
    """
    if b'"' in data:
        return None
    cr = data.count(b"\r")
    if cr and (cr != data.count(b"\r\n") or data.endswith(b"\r")):
        return None
    cut = data.rfind(b"\n") + 1
    return cut or None


def _line_breaks(buf: bytes | bytearray | memoryview) -> int:
    """Physical line breaks in ``buf`` (``\\n``, ``\\r\\n`` once, lone ``\\r``), quotes ignored."""
    a = np.frombuffer(buf, dtype=np.uint8)
    cr = np.flatnonzero(a == _CR)
    lone_cr = (cr == len(a) - 1) | (a[np.minimum(cr + 1, len(a) - 1)] != _LF)
    return int(np.count_nonzero(a == _LF) + np.count_nonzero(lone_cr))


def skip_records(fh, count: int, delimiter: int = ord(",")) -> bytes:
    """Advance ``fh`` past its first ``count`` records; return their bytes (the header lines).

    Records are split like :func:`record_ends` (a header with a quoted line
    break, or CR line endings, is skipped whole). Empty lines count, as they
    do for :mod:`csv`, which reads the header. At most :data:`MAX_HEADER_BYTES`
    plus one byte are read.

    Raises
    ------
    UserError
        The ``count`` records do not end within :data:`MAX_HEADER_BYTES` [bytes].
    """
    if count <= 0:
        return b""
    limit = MAX_HEADER_BYTES
    start = fh.tell()
    buf = bytearray()
    size = 1 << 16
    while True:
        more = fh.read(min(size, limit + 1 - len(buf)))
        eof = not more
        buf += more
        size *= 2
        ends, _open = record_ends(buf, delimiter, final=eof)
        if len(ends) >= count and int(ends[count - 1]) <= limit:
            cut = int(ends[count - 1])
            fh.seek(start + cut)
            return bytes(buf[:cut])
        if eof and len(buf) <= limit:
            return bytes(buf)
        if len(buf) > limit:
            what = ("the header line does" if count == 1
                    else f"the header line (line {count}) and the lines above it do")
            raise UserError(f"{getattr(fh, 'name', 'input')}: {what} not end within the first "
                            f"{format_bytes(limit)} of the file; is it a text (CSV) file, is 'header_row' right, "
                            "and is no quote left open in the header?")


def iter_chunks(path: Path, encoding: str, skip: int, chunk_bytes: int | None = None,
                delimiter: str = ",") -> Iterator[tuple[bytes, bool]]:
    """Yield UTF-8 chunks of whole records after the first ``skip`` records.

    Each chunk comes with a flag: True when some of its bytes were not valid
    text in ``encoding`` and were replaced by U+FFFD (see :func:`_as_utf8`).

    Parameters
    ----------
    path : Path
        CSV file.
    encoding : str
        The file's encoding (ASCII-compatible); other than UTF-8, each chunk is transcoded.
    skip : int
        Records to skip first (the header and any lines above it).
    chunk_bytes : int, optional
        Bytes read at a time [bytes] (default :data:`CHUNK_BYTES`); a record
        longer than this makes the chunk grow until it ends, up to :data:`MAX_RECORD_BYTES`.
    delimiter : str
        The field delimiter (one character).

    Raises
    ------
    UserError
        A quoted value is opened and never closed before the end of the file; a record is longer than
        :data:`MAX_RECORD_BYTES` [bytes] (at most that plus one byte of it is read); the header lines are longer
        than :data:`MAX_HEADER_BYTES` [bytes].
    """
    if chunk_bytes is None:
        chunk_bytes = CHUNK_BYTES
    delim = ord(delimiter)
    # chunks end at line breaks, which no multibyte character of an ASCII-compatible encoding contains:
    # each chunk decodes on its own
    codec = "utf-8" if encoding.lower().replace("_", "-") in _UTF8 else encoding
    with open(path, "rb") as fh:
        head = skip_records(fh, skip, delim)
        lines_before = _line_breaks(head)  # physical lines before `carry`, for the error message
        carry = b""
        size = chunk_bytes
        limit = MAX_RECORD_BYTES
        while True:
            # never more than `limit` + 1 bytes at once: a record (starting at `carry`) longer than the limit is
            # refused after reading one byte more than it, and any other record in the buffer is shorter
            kept, kept_cr = len(carry), carry.endswith(b"\r")
            size = min(size, limit + 1 - kept)
            data = bytearray(kept + size)  # a new buffer each time: the chunks yielded still use theirs
            data[:kept] = carry
            carry = b""  # (freed: at the limit, one buffer of it is enough)
            got = fh.readinto(memoryview(data)[kept:])
            if not got:
                del data[kept:]
                carry = data
                break
            del data[kept + got:]
            if len(data) <= limit and data.find(b"\n", kept) < 0 and data.find(b"\r", kept) < 0 and not kept_cr:
                # no line break read (and `carry` ends no record): the record goes on; nothing to scan
                carry = data
                size = max(size, len(data))
                continue
            cut = _last_record_end(data)
            if cut is not None:  # the usual case: no quotes, no lone "\r"
                if len(data) > limit and data.find(b"\n", 0, limit) < 0:
                    _too_long(path, lines_before + 1, "the record starting there", limit)
                size = chunk_bytes
                chunk, carry = memoryview(data)[:cut], bytes(data[cut:])
                lines_before += data.count(b"\n", 0, cut)
                yield _as_utf8(chunk, codec)
                continue
            ends, open_at = record_ends(data, delim, final=False)
            if len(ends) == 0:  # a record longer than the chunk: read more at once (linear, not quadratic)
                if len(data) > limit:
                    start = open_at if open_at is not None else 0
                    line = lines_before + _line_breaks(memoryview(data)[:start]) + 1
                    what = "a quoted value opened there" if open_at is not None else "the record starting there"
                    _too_long(path, line, what, limit)
                carry = data
                size = max(size, len(data))
                continue
            if int(ends[0]) > limit:
                _too_long(path, lines_before + 1, "the record starting there", limit)
            size = chunk_bytes
            cut = int(ends[-1])
            chunk, carry = memoryview(data)[:cut], bytes(data[cut:])
            yield _as_utf8(chunk, codec)
            lines_before += _line_breaks(chunk)
        if carry:  # the last record has no line break (a line of spaces is a record, as everywhere else)
            _ends, open_at = record_ends(carry, delim, final=True)
            if open_at is not None:
                line = lines_before + _line_breaks(carry[:open_at]) + 1
                raise UserError(
                    f"{path}: line {line}: a quoted value opened there is never closed, so every line after "
                    "it would be read as part of one value; fix or remove that quote"
                )
            tail = carry if carry.endswith((b"\n", b"\r")) else carry + b"\n"
            yield _as_utf8(tail, codec)


def _too_long(path: Path, line: int, what: str, limit: int) -> None:
    """Refuse a record longer than ``limit`` [bytes], naming its line."""
    raise UserError(f"{path}: line {line}: {what} runs for more than {format_bytes(limit)}, the longest record "
                    "accepted; is a quote left open?")


def _as_utf8(chunk, codec: str) -> tuple[bytes | memoryview, bool]:
    """A chunk as valid UTF-8 (checked, or transcoded), and whether bytes had to be replaced.

    A byte that is not text in the file's encoding (a line saved in another
    encoding) becomes U+FFFD, so that the parser always gets valid text; the
    ASCII bytes around it, and so the records, are unchanged. The reader then
    refuses the file only if such a value is in a column it reads: a bad byte
    in a column no mapping reads does no harm. UTF-8 is checked by Arrow
    (several times faster than decoding it) and passed on as it is.
    """
    if codec == "utf-8" and _valid_utf8(chunk):
        return chunk, False
    chunk = bytes(chunk)
    try:
        text = chunk.decode(codec)
    except UnicodeDecodeError:
        return chunk.decode(codec, errors="replace").encode("utf-8"), True
    return (chunk if codec == "utf-8" else text.encode("utf-8")), False


def _valid_utf8(chunk) -> bool:
    """Whether the bytes are valid UTF-8 (checked by Arrow, without building a str)."""
    buf = pa.py_buffer(chunk)
    offsets = pa.py_buffer(np.array([0, buf.size], np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, buf]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True
