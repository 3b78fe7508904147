"""The frame every chart shares: style, CJK font, header and footer, PNG output.

* :func:`style` applies ``styles/briefing.mplstyle``. It registers the Noto
  Sans CJK SC font shipped by mplfonts first (``fontManager.addfont``).
* :func:`new_figure` makes a 16:9 figure (16 x 9 in at 120 dpi = 1920 x
  1080 px). It has a header (the finding as title, and a subtitle) and a
  footer (the source). Long titles are shrunk, then wrapped, so that they
  are never cut off.
* :func:`save` writes a PNG with no software or date metadata, so the same
  input gives the same bytes.
* Every text is drawn literally: data (a district named ``A$1$``, a call type
  with ``_`` or ``\\``) is never read as mathtext, inside :func:`style`
  (``text.parse_math`` off) and in :func:`save` (every text of the figure).
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import matplotlib.style
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.category import StrCategoryFormatter
from matplotlib.ticker import FixedFormatter, FuncFormatter

from ...config import STYLE_PATH
from ...metrics.export import terminal_safe

#: Figure size [in] and resolution: 1920 x 1080 px.
WIDTH_IN, HEIGHT_IN, DPI = 16.0, 9.0, 120
WIDTH_PX, HEIGHT_PX = int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI)
CJK_FAMILY = "Noto Sans CJK SC"
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"

#: Okabe & Ito (2008), the colour-blind-safe palette.
BLUE, ORANGE, GREEN, VERMILLION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
SKY, PURPLE, YELLOW, BLACK = "#56B4E9", "#CC79A7", "#F0E442", "#000000"
OKABE_ITO: tuple[str, ...] = (BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, BLACK)
GREY, LIGHT_GREY, PALE = "#6B6B6B", "#D9D9D9", "#F3F3F3"
#: Colours of the states of a change (see :func:`responsestats.briefing.wording.changes.change`).
#: Only a clear change (outside the noise, neither side thin) is green or orange-red; "noise" and "thin" are grey.
STATE_COLOURS = {"better": GREEN, "worse": VERMILLION, "same": GREY, "neutral": GREY, "na": GREY, "noise": GREY,
                 "thin": GREY}

TITLE_SIZE, TITLE_MIN_SIZE, SUBTITLE_SIZE, FOOTER_SIZE = 24.0, 17.0, 15.0, 11.0
_MARGIN = 0.012  # left / right margin [figure fraction]


def cjk_font_path() -> Path:
    """The Noto Sans CJK SC file shipped by mplfonts."""
    import mplfonts

    return Path(mplfonts.__file__).resolve().parent / "fonts" / CJK_FONT_FILE


def register_fonts() -> None:
    """Make Noto Sans CJK SC known to matplotlib (once per process)."""
    path = str(cjk_font_path())
    if not any(f.fname == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Context in which figures get the briefing look."""
    register_fonts()
    with matplotlib.rc_context():
        matplotlib.style.use(str(STYLE_PATH))
        matplotlib.rcParams["text.parse_math"] = False  # data text is drawn as it is, never as mathtext
        yield


def literal_texts(fig: Figure) -> None:
    """Draw every text of ``fig`` literally (no mathtext), whatever the settings it was made under, and its
    control characters as escapes (``\\x1b``: a district named with an ANSI sequence), not as missing glyphs."""
    for text in fig.findobj(match=Text):
        text.set_parse_math(False)
        content = text.get_text()
        safe = terminal_safe(content, keep_newlines=True)
        if safe is not content:
            text.set_text(safe)
    for ax in fig.axes:  # tick labels are set from their formatter again when drawn
        for axis in (ax.xaxis, ax.yaxis):
            for formatter in (axis.get_major_formatter(), axis.get_minor_formatter()):
                if isinstance(formatter, FixedFormatter):
                    formatter.seq = [terminal_safe(str(v), keep_newlines=True) for v in formatter.seq]
                elif isinstance(formatter, StrCategoryFormatter):  # bars drawn against the category names
                    formatter._units = {terminal_safe(k, keep_newlines=True): v for k, v in formatter._units.items()}
                elif isinstance(formatter, FuncFormatter) and not getattr(formatter.func, "_escapes", False):
                    formatter.func = _escaping(formatter.func)  # set_ticks(positions, labels) makes one


def _escaping(func):
    """A tick formatter's function whose labels have their control characters escaped."""
    def escaped(x, pos=None):
        return terminal_safe(func(x, pos), keep_newlines=True)

    escaped._escapes = True
    return escaped


def _fit(fig: Figure, text, max_width: float, min_size: float, wrap_first: bool = False) -> None:
    """Make ``text`` fit ``max_width`` [px]: shrink it (down to ``min_size``), then wrap it at a clause break.

    With ``wrap_first``, wrap it into two lines first and shrink only if that is not enough.
    """
    renderer = fig.canvas.get_renderer()
    if wrap_first and text.get_window_extent(renderer).width > max_width:
        _wrap(text)
    size = text.get_fontsize()
    while text.get_window_extent(renderer).width > max_width and size > min_size:
        size -= 1.0
        text.set_fontsize(size)
    if text.get_window_extent(renderer).width > max_width and "\n" not in text.get_text():
        _wrap(text)
    if text.get_window_extent(renderer).width > max_width:  # still too wide (long data text): wrap to width
        _wrap_to_width(text, renderer, max_width)


def _wrap_to_width(text, renderer, max_width: float) -> None:
    """Re-wrap ``text`` into as many lines as it needs so that none is wider than ``max_width`` [px].

    Breaks at spaces where the text has them (and inside a word only where one word is wider than the
    line), anywhere in text without spaces (Chinese). Never cuts text off.
    """
    content = " ".join(line.strip() for line in text.get_text().split("\n"))
    width = max(text.get_window_extent(renderer).width, 1.0)
    chars = max(10, int(len(text.get_text().split("\n")[0]) * max_width / width))
    for _ in range(8):
        lines = textwrap.wrap(content, width=chars, break_long_words=True, break_on_hyphens=False)
        text.set_text("\n".join(lines))
        if text.get_window_extent(renderer).width <= max_width or chars <= 10:
            return
        chars = max(10, int(chars * 0.9))


def _wrap(text) -> None:
    """Break a one-line text into two at the clause break nearest its middle."""
    content = text.get_text()
    for sep in ("；", "; ", "，", ", ", "：", ": ", " "):
        cut = _best_cut(content, sep)
        if cut is not None:
            text.set_text(content[:cut].rstrip() + "\n" + content[cut:].lstrip())
            return


def _best_cut(content: str, sep: str) -> int | None:
    """The position after the separator nearest the middle of ``content``."""
    spots = [i + len(sep) for i in range(len(content)) if content.startswith(sep, i)]
    if not spots:
        return None
    return min(spots, key=lambda i: abs(i - len(content) / 2))


def new_figure(title: str, subtitle: str = "", footer: str = "") -> Figure:
    """A 1920 x 1080 figure with the header and footer drawn, in the briefing style.

    Create the axes with ``fig.subplots`` / ``fig.add_gridspec`` inside
    :func:`style`; the constrained layout keeps them between header and footer.
    """
    with style():
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        max_width = (1.0 - 2 * _MARGIN) * WIDTH_PX
        head = fig.text(_MARGIN, 0.975, title, fontsize=TITLE_SIZE, va="top", ha="left", color="#111111",
                        linespacing=1.15)  # fmt: skip
        _fit(fig, head, max_width, TITLE_MIN_SIZE)
        renderer = fig.canvas.get_renderer()
        bottom = head.get_window_extent(renderer).y0 / HEIGHT_PX
        if subtitle:
            sub = fig.text(_MARGIN, bottom - 0.012, subtitle, fontsize=SUBTITLE_SIZE, va="top", ha="left", color=GREY)
            _fit(fig, sub, max_width, 12.0)
            bottom = sub.get_window_extent(renderer).y0 / HEIGHT_PX
        low = 0.0
        if footer:
            foot = fig.text(_MARGIN, 0.012, footer, fontsize=FOOTER_SIZE, va="bottom", ha="left", color=GREY)
            _fit(fig, foot, max_width, 9.0)
            low = foot.get_window_extent(renderer).y1 / HEIGHT_PX + 0.008
        fig._rs_low, fig._rs_top = low, bottom - 0.015  # the band left for the panels (and a legend)
        fig._rs_titles = []
        fig.get_layout_engine().set(rect=(0.0, low, 1.0, fig._rs_top - low), h_pad=0.06, w_pad=0.06)
    return fig


def panel_title(ax, text: str, **kwargs):
    """Set a panel's title; :func:`save` shrinks or wraps it if it is wider than the panel."""
    title = ax.set_title(text, **kwargs)
    titles = getattr(ax.figure, "_rs_titles", None)
    if titles is not None:
        titles.append((ax, title))
    return title


def figure_legend(fig: Figure, handles, ncols: int | None = None) -> None:
    """One legend for the figure, between the panels and the footer (in as many rows as it needs)."""
    handles = [h for h in handles if h is not None]
    if not handles:
        return
    low, top = getattr(fig, "_rs_low", 0.0), getattr(fig, "_rs_top", 1.0)
    renderer = fig.canvas.get_renderer()
    ncols = ncols or len(handles)
    while True:
        legend = fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, low), ncols=ncols,
                            fontsize=13, handlelength=2.2, columnspacing=1.6, borderaxespad=0.2)  # fmt: skip
        if legend.get_window_extent(renderer).width <= 0.97 * WIDTH_PX or ncols == 1:
            break
        legend.remove()
        ncols = (ncols + 1) // 2
    height = legend.get_window_extent(renderer).height / HEIGHT_PX + 0.01
    fig.get_layout_engine().set(rect=(0.0, low + height, 1.0, top - low - height))


def fit_panel_titles(fig: Figure) -> None:
    """Shrink (to 12 pt), then wrap, panel titles wider than their panel."""
    titles = getattr(fig, "_rs_titles", [])
    for ax in fig.axes:  # labels inside the panels never move the layout (and measuring them is slow)
        for text in ax.texts:
            text.set_in_layout(False)
    if not titles:
        return
    with style():
        fig.get_layout_engine().execute(fig)
        renderer = fig.canvas.get_renderer()
        for ax, title in titles:
            width = ax.get_window_extent(renderer).width
            _fit(fig, title, width, 12.0, wrap_first=True)


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` as a 1920 x 1080 PNG without metadata that changes between runs."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    literal_texts(fig)
    fit_panel_titles(fig)
    with style():
        fig.savefig(path, dpi=DPI, format="png", metadata={"Software": None})
    return path


def show(path: str | Path):
    """An IPython image of a saved PNG (for notebooks; no re-rendering)."""
    from IPython.display import Image

    return Image(filename=str(path))
