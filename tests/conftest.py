"""Shared fixtures: small call-log files, canonical frames and minimal mappings, and the ingested sample.

Builders live in ``factories.py`` and paths in ``paths.py`` (``tests/`` is on
``sys.path``, see ``pythonpath`` in pyproject.toml).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import factories

# Hypothesis profiles. "fast" (default) keeps `pytest` short; `HYPOTHESIS_PROFILE=long pytest -m "slow or not slow"`
# runs every fuzz test with many more examples (tests/reliability_helpers.py: SCALE), and the slow tests too.
_SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile("fast", deadline=None, suppress_health_check=_SUPPRESS, print_blob=True)
settings.register_profile("long", deadline=None, suppress_health_check=_SUPPRESS, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


def pytest_terminal_summary(terminalreporter):
    """How the reliability cases ended (fuzz inputs, injected faults), when those tests ran."""
    helpers = sys.modules.get("reliability_helpers")
    if helpers is None or not helpers.TALLY:
        return
    terminalreporter.section(f"reliability tally (hypothesis profile {helpers.PROFILE})")
    for (family, outcome), count in sorted(helpers.TALLY.items()):
        terminalreporter.write_line(f"{family:<44} {outcome:<52} {count:>6}")


CN_HEADER = [
    "接警单编号", "报警人", "报警电话", "接警时间", "派警时间", "出警时间", "到达现场时间", "处警结束时间",
    "警情类别", "警情类型", "警情级别", "所属网格", "区域类别", "处警结果", "抓获时间", "是否现行抓获",
    "接警方式", "经度", "纬度",
]
PINYIN = {
    "接警单编号": "JJDBH", "报警人": "BJR", "报警电话": "BJDH", "接警时间": "JJSJ", "派警时间": "PJSJ",
    "出警时间": "CJSJ", "到达现场时间": "DDXCSJ", "处警结束时间": "CJJSSJ", "警情类别": "JQLB",
    "警情类型": "JQLX", "警情级别": "JQJB", "所属网格": "SSWG", "区域类别": "QYLB", "处警结果": "CJJG",
    "抓获时间": "ZHSJ", "是否现行抓获": "SFXXZH", "接警方式": "JJFS", "经度": "JD", "纬度": "WD",
}


def cn_row(incident_id, received, dispatched="", enroute="", arrived="", cleared="", *, caller="张某某",
           phone="13812345678", group="刑事警情", ctype="盗窃", priority="二级", grid="芗城-01网格", area="城区",
           result="调解处理", arrested="", caught="否", channel="110接转", lon="117.65", lat="24.51"):
    return [incident_id, caller, phone, received, dispatched, enroute, arrived, cleared, group, ctype, priority,
            grid, area, result, arrested, caught, channel, lon, lat]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding="utf-8", newline="\n",
              bom=False) -> Path:
    def fmt(v):
        v = str(v)
        return f'"{v}"' if ("," in v or '"' in v or "\n" in v) else v

    lines = [",".join(fmt(v) for v in header)] + [",".join(fmt(v) for v in r) for r in rows]
    data = newline.join(lines) + newline
    raw = data.encode(encoding)
    if bom:
        raw = b"\xef\xbb\xbf" + raw
    path.write_bytes(raw)
    return path


@pytest.fixture
def cn_rows():
    """Six good incidents around a month end, and the values worked out by hand."""
    return [
        cn_row("J001", "2024-03-01 10:00:00", "2024-03-01 10:00:40", "2024-03-01 10:01:30", "2024-03-01 10:05:00",
               "2024-03-01 11:00:00", result="现行抓获", arrested="2024-03-01 10:20:00", caught="是"),
        cn_row("J002", "2024-03-01 23:59:00", "2024-03-02 00:00:30", "", "2024-03-02 00:09:00", "",
               grid="芗城-02网格", area="郊区", result="警情不实"),
        cn_row("J003", "2024-03-31 23:50:00", "2024-03-31 23:51:00", "2024-03-31 23:52:00", "2024-04-01 00:01:00",
               "2024-04-01 01:00:00", result="重复报警"),
        cn_row("J004", "2024-04-01 08:00:00", "2024-04-01 08:01:00", "2024-04-01 08:02:00", "", "",
               result="NULL"),
        cn_row("J005", "2024-04-02 12:00:00", "2024-04-02 12:00:20", "2024-04-02 12:00:50", "2024-04-02 12:03:00",
               "2024-04-02 12:30:00", result="某种新结果"),
        cn_row("J006", "2024-04-03 09:00:00", "2024-04-03 09:00:00", "2024-04-03 09:00:00", "2024-04-03 09:00:00",
               "2024-04-03 09:20:00", channel="巡逻发现", result="事后抓获", arrested="2024-04-04 09:00:00"),
    ]


@pytest.fixture
def cn_file(tmp_path, cn_rows):
    return write_csv(tmp_path / "cn110_good.csv", CN_HEADER, cn_rows, bom=True)


@pytest.fixture(scope="session")
def sample_dataset(tmp_path_factory):
    """The bundled synthetic 110 sample, ingested once per test session (agency zz110)."""
    from responsestats.config import SAMPLE_CN110_DIR
    from responsestats.ingestion import ingest
    from responsestats.formats.mapping import load_mapping

    out = tmp_path_factory.mktemp("sample") / "cn110"
    ingest(sorted(SAMPLE_CN110_DIR.glob("*.csv")), out, mapping=load_mapping("cn110"), agency="zz110")
    return out


@pytest.fixture(scope="session")
def sffd_dataset(tmp_path_factory):
    """The San Francisco Fire excerpt (data/sample/real/sffd), ingested once per test session (agency sffd)."""
    from responsestats.ingestion import ingest
    from paths import REAL_SAMPLE

    out = tmp_path_factory.mktemp("sffd") / "ds"
    ingest(sorted((REAL_SAMPLE / "sffd").glob("*.csv")), out, mapping="sffd", agency="sffd")
    return out


@pytest.fixture
def make_calls():
    """The canonical-frame factory :func:`factories.calls`."""
    return factories.calls


@pytest.fixture
def minimal_mapping(tmp_path):
    """Write a minimal mapping (:func:`factories.mapping_toml`) in the test's folder; returns its path.

    Call it with :func:`factories.mapping_toml`'s keywords and, optionally, ``file_name``.
    """

    def write(file_name: str = "minimal.toml", **kwargs) -> Path:
        return factories.write_mapping(tmp_path / file_name, **kwargs)

    return write
