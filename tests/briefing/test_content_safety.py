"""Content that must not break the briefing: data text drawn literally, and a stray far-future month.

* A district, call type or priority holding ``$``, ``\\``, ``_`` or ``^`` is drawn as it is (matplotlib
  would read ``$...$`` as mathtext, and an unbalanced one raised while drawing).
* ``--month latest`` ignores a month holding implausibly few calls against the dataset's median month
  (one row typed as 2042, in a dataset written before such rows were quarantined), and every chart's
  footer says which month was ignored.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import pytest
from matplotlib.text import Text

from factories import SAMPLE_ZONE
from factories import calls as make_frame
from responsestats import ingest
from responsestats import schema as S
from responsestats.briefing import charts as C
from responsestats.briefing import columns as cols
from responsestats.briefing import load_briefing_data, slides
from responsestats.briefing import tables as T
from responsestats.briefing.months import PLAUSIBLE_MONTH_SHARE, plausible_months
from responsestats.briefing.wording.context import footer
from responsestats.briefing.wording.labels import load_labels
from responsestats.ingestion import timestamps
from responsestats.metrics import names as N
from responsestats.metrics import standard_from_dict

from conftest import CN_HEADER, cn_row, write_csv

EN, ZH = load_labels("en"), load_labels("zh")
calls = partial(make_frame, tz=SAMPLE_ZONE)
#: Names that mathtext would parse, or fail on.
NASTY = ("$\\frac{a}{", "A$1$_{x}网格", "50% $5 ^_^ \\", "$$", "a$b$c$")
#: cn110 grading every call: the nasty priorities are not 一级, and cn110 grades only 一级 calls (its population),
#: so the group and attainment charts would have nothing to draw. The names must still be drawn literally.
EVERY_CALL = standard_from_dict({"standard": {"extends": "cn110", "population": {}}}, "every_call.toml")


@pytest.fixture(scope="module")
def nasty_frame():
    rows = []
    for i, name in enumerate(NASTY):
        for d in range(1, 8):
            rows.append(dict(received_at=f"2024-03-{d:02d} {10 + i}:00", district=name, call_type=name,
                             priority=name, area_class="urban", outcome="arrest" if d == 1 else "advised",
                             dispatched_at=30, arrived_at=30 + 60 * d + 7 * i))  # fmt: skip
    return calls(rows)


def _literal(fig) -> list[str]:
    """Every text of a saved figure, checked to be drawn literally."""
    texts = fig.findobj(Text)
    assert not [t.get_text() for t in texts if t.get_parse_math()]
    return [t.get_text() for t in texts]


@pytest.mark.parametrize("labels", [EN, ZH], ids=["en", "zh"])
def test_data_text_with_dollars_is_drawn_literally(nasty_frame, labels, tmp_path):
    figures = {
        "groups": C.p90_groups(T.p90_by_group(nasty_frame, EVERY_CALL), labels, title=f"slowest: {NASTY[0]}",
                               subtitle=NASTY[1], footer=NASTY[2]),
        "rates": C.arrest_rate(T.outcomes_by(nasty_frame, by=S.CALL_TYPE, sort=N.ARREST_RATE), labels, title="t"),
        "attainment": C.attainment_groups(T.attainment_by(nasty_frame, EVERY_CALL), labels, title=NASTY[3]),
        "priority": C.p90_by(T.interval_summary(nasty_frame, N.DISPATCH_TO_ARRIVAL_S, by=S.PRIORITY,
                                                standard="cn110"), labels, title=NASTY[4]),
        "distribution": C.distribution(T.ecdf(nasty_frame, N.DISPATCH_TO_ARRIVAL_S, by=S.DISTRICT),
                                       T.interval_summary(nasty_frame, N.DISPATCH_TO_ARRIVAL_S, by=S.DISTRICT),
                                       labels, title="t"),
    }  # fmt: skip
    for name, fig in figures.items():
        path = C.save(fig, tmp_path / f"{name}.png")  # mathtext raised here
        assert path.stat().st_size > 10_000
        texts = _literal(fig)
        if name in ("groups", "rates", "attainment", "priority"):
            shown = " ".join(texts)
            assert all(n in shown for n in NASTY), name


def test_texts_made_outside_the_style_are_literal_when_saved(tmp_path):
    fig = C.new_figure("t")
    ax = fig.subplots()
    ax.text(0.5, 0.5, "$\\frac{a}{")  # made outside style(): save() still draws it as it is
    ax.set_xticks([0, 1], ["$x$", "$\\"])
    C.save(fig, tmp_path / "outside.png")
    assert "$\\frac{a}{" in _literal(fig)


# --- latest and implausible months -----------------------------------------------------------------------------
#: Names holding control characters: an ANSI sequence that clears a terminal, a bell, a NUL, a C1 character.
CONTROL_NAMES = ("A\x1b[2J网格", "B\x07", "C\x00D", "E\x9bF")


def test_control_characters_in_data_are_drawn_as_escapes(tmp_path):
    """A district named with control characters: the chart shows "\\x1b" and so on, never the character itself
    (a missing glyph, or an escape a terminal would obey when the text is copied)."""
    rows = [dict(received_at=f"2024-03-{d:02d} 10:00", district=name, area_class="urban", priority="一级",
                 dispatched_at=30, arrived_at=30 + 60 * d + i) for i, name in enumerate(CONTROL_NAMES)
            for d in range(1, 8)]  # fmt: skip
    frame = calls(rows)
    fig = C.p90_groups(T.p90_by_group(frame, EVERY_CALL), EN, title=f"slowest: {CONTROL_NAMES[0]}",
                       subtitle=CONTROL_NAMES[1], footer=CONTROL_NAMES[2])  # fmt: skip
    C.save(fig, tmp_path / "control.png")
    shown = " ".join(_literal(fig))
    assert not any(ch in shown for ch in "\x1b\x07\x00\x9b")
    for escaped in ("A\\x1b[2J网格", "B\\x07", "C\\x00D", "E\\x9bF"):
        assert escaped in shown, escaped
    multi = C.new_figure("two\nlines")  # a line break of the chart's own text stays one
    C.save(multi, tmp_path / "lines.png")
    assert "two\nlines" in _literal(multi)


def test_plausible_months_by_hand():
    counts = {"2024-01": 700, "2024-02": 650, "2024-03": 720, "2042-03": 1, "2024-04": 0}
    assert plausible_months(counts) == (["2024-01", "2024-02", "2024-03"], ["2042-03"])
    # the median month (of the months with calls) is 675: a month under 67.5 calls is implausible
    assert PLAUSIBLE_MONTH_SHARE == 0.1
    assert plausible_months({"a": 100, "b": 90, "c": 8}, 0.1) == (["a", "b"], ["c"])  # median 90: under 9 is out
    assert plausible_months({}) == ([], [])


@pytest.fixture(scope="module")
def dataset_with_2042(tmp_path_factory):
    """Four full months of 20 calls (2024-01 to 2024-04) and one call typed as 2042, written as an ingest before
    the future-date rule wrote it (the rule's tolerance made endless)."""
    folder = tmp_path_factory.mktemp("y2042")
    rows = []
    for m in pd.period_range("2024-01", "2024-04", freq="M"):
        for k, day in enumerate([1, m.days_in_month] + list(range(2, 20))):
            t = f"{m.year}-{m.month:02d}-{day:02d} {8 + k % 10:02d}:00:"
            rows.append(cn_row(f"M{m.month}-{k}", t + "00", t + "40", t + "50", t[:-3] + ":09:00"))
    rows.append(cn_row("Y2042", "2042-03-05 10:00:00", "2042-03-05 10:01:00"))
    path = write_csv(folder / "calls.csv", CN_HEADER, rows, bom=True)
    mp = pytest.MonkeyPatch()
    mp.setattr(timestamps, "FUTURE_TOLERANCE_S", 1e12)
    try:
        ingest([path], folder / "ds", mapping="cn110", agency="zz")
    finally:
        mp.undo()
    return folder / "ds"


def test_latest_ignores_a_month_of_one_stray_call_and_says_so(dataset_with_2042, tmp_path):
    data = load_briefing_data(dataset_with_2042, month="latest")
    assert data.month == "2024-04"
    assert (data.first_month, data.last_month) == ("2024-01", "2024-04")
    assert data.ignored_months == (("2042-03", 1),) and data.median_month_calls == 20
    assert footer(data, EN).endswith(
        " · latest and the span ignore March 2042 (n=1): fewer than 10% of the median month (20 calls)")
    assert "2042年3月（1起）" in footer(data, ZH)
    slide = slides.kpi_card(data, EN)
    C.save(slide.figure, tmp_path / "kpi.png")
    assert "March 2042 (n=1)" in " ".join(_literal(slide.figure))
    calls_row = slide.table.set_index(cols.KPI).loc[cols.KPI_VALID_CALLS]
    # calls are compared per day (issue 18, part 6): 20 calls in April's 30 days; the count is the row's n
    assert calls_row[cols.N_OF + cols.PERIOD_CURRENT] == 20
    assert calls_row[cols.PERIOD_CURRENT] == pytest.approx(20 / 30) and calls_row[cols.DAYS_OF + cols.PERIOD_CURRENT] == 30
    explicit = load_briefing_data(dataset_with_2042, month="2024-03")  # a month asked for: the same note
    assert explicit.ignored_months == (("2042-03", 1),)


def test_the_sample_ignores_no_month(sample_dataset):
    data = load_briefing_data(sample_dataset, month="latest")
    assert data.ignored_months == () and data.month == "2025-03"
    assert "ignore" not in footer(data, EN)
