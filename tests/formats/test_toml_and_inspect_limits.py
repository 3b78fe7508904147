"""Mapping and standard files, and the files `inspect` opens, are read in bounded time and memory (issue 18, part 3)."""

from __future__ import annotations

import os

import pytest

from responsestats.errors import MappingError, UserError
from responsestats.formats import inspect_file, load_mapping
from responsestats.formats.strict_toml import MAX_TOML_BYTES
from responsestats.metrics import load_standard

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")


def test_a_fifo_as_mapping_or_standard_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "mine.toml"
    os.mkfifo(fifo)  # no writer: opening it for reading the usual way would block for ever
    with pytest.raises(MappingError, match=r"mine\.toml: mapping is a FIFO \(named pipe\), not a regular file"):
        load_mapping(fifo)
    with pytest.raises(UserError, match=r"mine\.toml: standard is a FIFO"):
        load_standard(fifo)


def test_a_mapping_larger_than_the_limit_is_refused_after_reading_the_limit(tmp_path):
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * MAX_TOML_BYTES + b"\n")
    with pytest.raises(MappingError, match=r"big\.toml: mapping is larger than 1 MiB, the most accepted"):
        load_mapping(big)


def test_a_mapping_that_is_not_utf8_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'[format]\nname = "\xff"\n')
    with pytest.raises(MappingError, match=r"bad\.toml: not valid TOML: not UTF-8 text at byte 17"):
        load_mapping(bad)


def test_inspect_refuses_a_fifo_and_reads_a_line_without_end_in_bounded_memory(tmp_path):
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match=r"export\.csv: the input file is a FIFO"):
        inspect_file(fifo)
    endless = tmp_path / "one_line.csv"
    endless.write_bytes(b"a," * (3 << 20))  # 6 MiB and no line break: no header line
    with pytest.raises(UserError, match="header line does not end"):
        inspect_file(endless)
