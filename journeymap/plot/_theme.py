"""One look for every chart: colours, sizes, and helpers for text that must not overflow."""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap, Normalize

#: Okabe-Ito colours (safe for the common colour-vision deficiencies).
CUSTOMER = "#0072B2"
BRAND = "#E69F00"
NEUTRAL = "#999999"
HIGH = "#009E73"
LOW = "#D55E00"
#: Shades for categories of valence 0 (neutral, ambiguous, labels of unknown valence), one each.
GREYS = ("#cccccc", "#b0b0b0", "#dadada", "#999999")
#: A graph node with no customer valence (start, end, brand-only steps): white inside a dashed
#: outline (an open ring in the interactive graph), apart from every colour of the valence
#: scale, whose middle (0, neutral) is white or a light grey.
NO_VALENCE = "#ffffff"
#: Darker shades of :data:`HIGH`, :data:`LOW` and :data:`NEUTRAL`, same hue, for text: the 8-point
#: callouts that name a high, a low or a pain point. The palette's own colours are 3.4, 3.9 and
#: 2.8:1 on white, under the 4.5:1 WCAG asks of small text; these are 6.1 to 6.2:1 on white and
#: still 4.65:1 or more on the darkest band a callout can sit on (#e0e0e0), even without its white box.
#: Marks (rings, arrows, points) keep the palette's colours.
HIGH_TEXT = "#006F49"
LOW_TEXT = "#AB3E00"
NEUTRAL_TEXT = "#616161"
#: :data:`BRAND`'s orange darkened for a thin line (a data mark): 5.0:1 on white and 3.1:1 on the
#: light grey bars (:data:`GREYS` [0]) it crosses, where :data:`BRAND` is 2.25:1 on white (WCAG's
#: non-text contrast asks 3:1).
BRAND_LINE = "#9D6200"
#: Ten colours for named categories (the topics of :func:`~journeymap.plot.topic_trends`): the
#: first seven are Paul Tol's "muted" qualitative scheme (made for the common colour-vision
#: deficiencies) less its teal, cyan and sand, with black, reordered; the last three (a blue, a
#: sky blue, a mauve) were chosen for the largest smallest difference to the others. Every one is
#: 3:1 or more on white (WCAG's non-text contrast: 3.0 to 21:1; Tol's teal, cyan and sand were
#: 2.8, 1.8 and 1.6:1), and any two are at least 11.5 CIEDE2000 apart for normal vision and under
#: simulated protanopia, deuteranopia and tritanopia (Machado 2009, full severity), where
#: matplotlib's ten (``C0`` .. ``C9``) had pairs 1.3 apart. Each topic also has a marker of its own.
CATEGORIES = ("#332288", "#CC6677", "#117733", "#882255", "#999933", "#AA4499", "#000000", "#4466EE", "#3399DD", "#AA7799")
#: Diverging valence scale (ColorBrewer RdBu: colour-blind safe), centred on zero.
VALENCE_CMAP = "RdBu"
RC: dict[str, Any] = {
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "font.size": 9,
}


#: Held while matplotlib's process-wide ``rcParams`` are changed for a while (``rc_context``):
#: two threads each saving and restoring them would leave one's settings in force. A forked child
#: gets a fresh one (:func:`_fresh_lock_after_fork`): look it up when it is used.
RC_LOCK = threading.RLock()


def _fresh_lock_after_fork() -> None:
    """In a forked child: a new :data:`RC_LOCK` (another thread of the parent may have held it at the fork)."""
    global RC_LOCK  # noqa: PLW0603 - the lock is the process's; the child's is a new one
    RC_LOCK = threading.RLock()


if hasattr(os, "register_at_fork"):  # once, at import (not on Windows)
    os.register_at_fork(after_in_child=_fresh_lock_after_fork)


#: Whether charts drawn now without ``ax=`` get a figure outside pyplot (:func:`off_screen`): per thread and task.
_OFF_SCREEN: contextvars.ContextVar[bool] = contextvars.ContextVar("journeymap_off_screen", default=False)


@contextlib.contextmanager
def off_screen() -> Iterator[None]:
    """While in it, a chart drawn without ``ax=`` gets a figure of its own on an Agg canvas, outside pyplot.

    For the command line, which saves each chart to a file: drawn so, a chart needs no display
    (whatever ``MPLBACKEND`` says) and leaves the host process's pyplot alone when the command
    runs in it (typer's ``CliRunner``, a notebook calling the entry point): its backend is not
    switched (``matplotlib.use("Agg")`` switched it for good), no figure joins its figures, and
    none is shown. Such a figure is saved with ``savefig`` as any other, and needs no
    ``plt.close``. The figures are those pyplot would make (same size, layout and rcParams), so the
    files are byte for byte the same.

    Examples:
        >>> import matplotlib.pyplot as plt
        >>> before = plt.get_fignums()
        >>> with off_screen():
        ...     ax = get_ax(None)
        >>> type(ax.figure.canvas).__name__, plt.get_fignums() == before
        ('FigureCanvasAgg', True)
    """
    token = _OFF_SCREEN.set(True)
    try:
        yield
    finally:
        _OFF_SCREEN.reset(token)


def get_ax(ax: Axes | None, figsize: tuple[float, float] = (9, 4.5)) -> Axes:
    """The given Axes, else a new pyplot figure's (not ``plt.gca()``, so nothing is drawn over).

    pyplot keeps the new figure open, as for pandas' ``DataFrame.plot``: the caller closes it.
    Inside :func:`off_screen`, the new figure is outside pyplot, on an Agg canvas.
    """
    if ax is not None:
        return ax
    import matplotlib as mpl

    if _OFF_SCREEN.get():
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        with RC_LOCK, mpl.rc_context(RC):  # type: ignore[arg-type]
            figure = Figure(figsize=figsize, layout="constrained")  # as plt.subplots makes it, for the same bytes
            FigureCanvasAgg(figure)
            new: Axes = figure.subplots()
        return new
    import matplotlib.pyplot as plt

    with RC_LOCK, plt.rc_context(RC):  # type: ignore[arg-type]
        _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


@contextlib.contextmanager
def as_drawn(figure: Any) -> Iterator[None]:
    """Within it a figure may be saved; after it, its Axes are where they were drawn, as before the save.

    A save lays a constrained-layout figure out from where its Axes are: saved a second time (at
    another resolution) it came out a few pixels apart from a fresh figure's file. The report
    saves the charts it hands to ``journeymap map --tables`` within this, so that the PNG files
    are those a chart drawn afresh gives.
    """
    placed = [(ax, ax.get_position(original=True).frozen(), ax.get_position(original=False).frozen()) for ax in figure.axes]
    try:
        yield
    finally:
        for ax, original, active in placed:
            ax._set_position(original, which="original")
            ax._set_position(active, which="active")


def empty(ax: Axes, what: str, note: str = "", *, title: str | None = None) -> Axes:
    """An Axes that says there is nothing to draw, and why, instead of failing on empty data.

    ``note`` (what was left out, say) goes under it, wrapped to the Axes' width; the text does not
    take part in the figure's layout, so a long one cannot squeeze the Axes to nothing. A
    ``title`` the caller gave (not None) is set on it, as on a chart with data.

    Examples:
        >>> import matplotlib.pyplot as plt
        >>> ax = empty(plt.figure(figsize=(4, 2.5)).add_subplot(), "scored customer messages", "left out: " + "billing, " * 12)
        >>> text = ax.texts[0]
        >>> text.get_text().splitlines()[0], max(len(line) for line in text.get_text().splitlines()) <= 44
        ('no scored customer messages to show', True)
        >>> plt.close("all")
    """
    import textwrap

    fig = ax.get_figure()
    inches = ax.bbox.width / fig.dpi if fig is not None else 4.0
    width = max(20, int(inches * 11))  # about 11 characters an inch of the Axes at the default size
    lines = [f"no {what} to show", *textwrap.wrap(note, width)] if note else [f"no {what} to show"]
    text = ax.text(0.5, 0.5, "\n".join(lines), ha="center", va="center", transform=ax.transAxes, color="#666666")
    text.set_in_layout(False)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return ax


def set_title(ax: Axes, title: str | None, default: str, **kwargs: Any) -> None:
    """The plots' ``title=``: None sets ``default`` (the plot's own title), any string (``""`` removes it) itself.

    Examples:
        >>> import matplotlib.pyplot as plt
        >>> ax = plt.figure().add_subplot()
        >>> set_title(ax, None, "Emotions by stage"); ax.get_title()
        'Emotions by stage'
        >>> set_title(ax, "", "Emotions by stage"); ax.get_title()
        ''
        >>> plt.close("all")
    """
    ax.set_title(default if title is None else title, **kwargs)


def axes_wide(ax: Axes, text: str) -> str:
    """``text`` wrapped to the width of ``ax`` (about 8 characters an inch, 30 at least), for a long title.

    A title centred over its Axes and longer than it (a note on the cells or rows left out) ran
    past both edges of the figure.

    Examples:
        >>> import matplotlib.pyplot as plt
        >>> ax = plt.figure(figsize=(5, 3)).add_subplot()
        >>> lines = axes_wide(ax, "Emotions by touchpoint " * 4).splitlines()
        >>> len(lines) > 1, max(map(len, lines)) <= int(ax.bbox.width / ax.figure.dpi * 8)
        (True, True)
        >>> plt.close("all")
    """
    import textwrap

    inches = ax.bbox.width / ax.figure.dpi  # the title is centred over the Axes
    return "\n".join(textwrap.wrap(text, width=max(30, int(inches * 8))))


def style(ax: Axes) -> None:
    """Apply the theme to an existing Axes."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.title.set_fontweight("bold")


def ink(colour: Any) -> str:
    """Text colour readable on ``colour``: white on dark fills, black on light ones.

    Dark means a relative luminance (WCAG's) under 0.179, where white and black text have the
    same contrast ratio against the fill: the one chosen has a ratio of at least 4.5:1.

    Examples:
        >>> ink("#b2182b"), ink("#eeeeee")
        ('white', 'black')
    """
    return "white" if _luminance(colour) < 0.179 else "black"


def text_shade(colour: str) -> str:
    """The shade of a palette colour for text (:data:`HIGH_TEXT` for :data:`HIGH`, ...); other colours as given.

    Examples:
        >>> text_shade(HIGH), text_shade(LOW), text_shade(NEUTRAL), text_shade("#555555")
        ('#006F49', '#AB3E00', '#616161', '#555555')
    """
    return {HIGH: HIGH_TEXT, LOW: LOW_TEXT, NEUTRAL: NEUTRAL_TEXT}.get(colour, colour)


def contrast(a: Any, b: Any) -> float:
    """WCAG's contrast ratio of two colours (1 to 21; text of 8 points needs 4.5, a mark 3).

    Examples:
        >>> round(contrast("black", "white"), 1), round(contrast(LOW, "white"), 2), round(contrast(LOW_TEXT, "white"), 2)
        (21.0, 3.87, 6.14)
    """
    first, second = _luminance(a), _luminance(b)
    return (max(first, second) + 0.05) / (min(first, second) + 0.05)


def _luminance(colour: Any) -> float:
    """WCAG's relative luminance of a colour (alpha ignored)."""
    from matplotlib.colors import to_rgb

    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def callout_tag(kind: str, valence: float) -> tuple[str, str]:
    """The word and colour of the ``kind`` ("high" or "low") extreme of a curve or map, at ``valence``.

    The colour is the palette's, for a mark; its text is drawn in :func:`text_shade`'s darker shade.

    "high" (green) only above :data:`~journeymap.schema.POSITIVE_VALENCE`, "low" (orange) only
    below :data:`~journeymap.schema.NEGATIVE_VALENCE`: the neutral band of the scores. Elsewhere
    the extreme is named in grey: inside the band, whatever its sign, "highest (neutral)" or
    "lowest (neutral)" (a neutral question is no good or bad moment, and "least positive" on
    +0.08 read as positive); a best moment below the band (every moment negative) is "least
    negative", a worst one above it (every moment positive) "least positive".

    Examples:
        >>> callout_tag("high", 0.6)[0], callout_tag("high", 0.02)[0], callout_tag("high", -0.02)[0]
        ('high', 'highest (neutral)', 'highest (neutral)')
        >>> callout_tag("high", -0.4)[0]
        'least negative'
        >>> callout_tag("low", -0.6)[0], callout_tag("low", 0.0)[0], callout_tag("low", 0.1)[0], callout_tag("low", 0.4)[0]
        ('low', 'lowest (neutral)', 'lowest (neutral)', 'least positive')
    """
    from journeymap.schema import NEGATIVE_VALENCE, POSITIVE_VALENCE

    if kind == "high":
        if valence > POSITIVE_VALENCE:
            return "high", HIGH
        return ("least negative" if valence < NEGATIVE_VALENCE else "highest (neutral)"), NEUTRAL
    if valence < NEGATIVE_VALENCE:
        return "low", LOW
    return ("least positive" if valence > POSITIVE_VALENCE else "lowest (neutral)"), NEUTRAL


def valence_norm() -> Normalize:
    """Colour normalisation for valence: -1 .. 1 centred on 0."""
    from matplotlib.colors import TwoSlopeNorm

    return TwoSlopeNorm(vmin=-1.0, vcenter=0.0, vmax=1.0)


def valence_cmap() -> Colormap:
    """The valence colour map."""
    import matplotlib as mpl

    return mpl.colormaps[VALENCE_CMAP]


def shorten(text: object, width: int = 60) -> str:
    """One line of at most ``width`` characters, with an ellipsis where cut.

    Characters beyond the Basic Multilingual Plane (most emoji) are left out: the default fonts
    have no glyph for them and matplotlib would draw empty boxes.
    """
    if not isinstance(text, str):
        return ""
    flat = " ".join(_drawable(text).split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def _drawable(text: str) -> str:
    """``text`` without characters beyond the Basic Multilingual Plane (most emoji): the default fonts lack them."""
    return "".join(c for c in text if ord(c) <= 0xFFFF)


#: Words for pandas' period codes, by their letters before any number or anchor ("W-SUN": week).
_PERIODS = {"W": "week", "D": "day", "B": "business day", "H": "hour", "h": "hour", "M": "month", "ME": "month",
            "MS": "month", "Q": "quarter", "QE": "quarter", "QS": "quarter", "Y": "year", "YE": "year", "YS": "year",
            "min": "minute", "T": "minute", "s": "second", "S": "second", "d": "day", "BME": "business month",
            "BMS": "business month", "BQE": "business quarter", "BYE": "business year"}  # fmt: skip


def period_name(freq: str) -> str:
    """A pandas period code in words, for labels: ``"W"`` is ``"week"``, ``"2D"`` ``"2 days"``; other codes as given.

    Examples:
        >>> period_name("W"), period_name("W-MON"), period_name("2D"), period_name("MS"), period_name("15min")
        ('week', 'week', '2 days', 'month', '15 minutes')
    """
    match = re.fullmatch(r"(\d*)([A-Za-z]+)(?:-\w+)?", str(freq).strip())
    if match is None or match.group(2) not in _PERIODS:
        return str(freq)
    n, word = match.group(1), _PERIODS[match.group(2)]
    return word if n in ("", "1") else f"{n} {word}s"


def count(n: int, noun: str) -> str:
    """``n`` (with thousands separators) and ``noun``, plural unless ``n`` is 1.

    Examples:
        >>> count(1, "transition"), count(1234, "message"), count(0, "journey")
        ('1 transition', '1,234 messages', '0 journeys')
    """
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def wrap(text: str, width: int = 14, *, name: bool = True) -> str:
    r"""A label wrapped onto lines of about ``width`` characters (at most three lines), ready to draw.

    Emoji are left out, as by :func:`shorten`; accented Latin, Cyrillic and Arabic are kept. A
    word up to half as long again as a line stays whole ("disappointment"); a longer one, such
    as an id-like touchpoint name, is broken after a dot, slash, hyphen or colon or before a
    capital letter inside it, else every ``width`` characters. ``name``: the text is a name
    (a touchpoint, a topic), whose underscores read as spaces; a quote (``name=False``) keeps
    the customer's words as written. A dollar sign is drawn as itself (:func:`literal`), not
    as the start of matplotlib's math notation ("paid $5 not $2").

    Examples:
        >>> wrap("Facturación 💳"), wrap("Доставка 🚚")
        ('Facturación', 'Доставка')
        >>> print(wrap("app.login.passwordReset", 12))
        app.login.
        password
        Reset
        >>> wrap("disappointment", 12)
        'disappointment'
        >>> print(wrap("@British_Airways paid $5", 40, name=False))
        @British_Airways paid \$5
    """
    drawable = _drawable(text)
    flat = " ".join((drawable.replace("_", " ") if name else drawable).split())
    lines: list[str] = []
    line = ""
    for word in flat.split(" "):
        for k, piece in enumerate(_pieces(word, width)):
            joiner = "" if k else " "  # the pieces of one word join without a space
            if line and len(line) + len(joiner) + len(piece) > width:
                lines.append(line)
                line = piece
            else:
                line = f"{line}{joiner}{piece}" if line else piece
    lines.append(line)
    if len(lines) > 3:  # the third line ends in an ellipsis: the rest is left out
        lines = [*lines[:2], lines[2][: max(1, width - 1)].rstrip() + "…"]
    return literal("\n".join(lines))


def literal(text: str) -> str:
    r"""``text`` as matplotlib draws it literally: a dollar sign escaped, so that two do not start math notation.

    Examples:
        >>> print(literal("paid $5 not $2"))
        paid \$5 not \$2
    """
    return text.replace("$", r"\$")


def _pieces(word: str, width: int) -> list[str]:
    """A word as pieces to wrap: whole up to 1.5 x ``width``, else cut where it joins words, else every ``width``."""
    if len(word) <= width * 3 // 2:
        return [word]
    parts = [p for p in re.split(r"(?<=[./:\-])|(?<=[a-z])(?=[A-Z])", word) if p]
    pieces: list[str] = []
    for part in parts:
        if len(part) > width * 3 // 2:
            pieces += [part[i : i + width] for i in range(0, len(part), width)]
        elif pieces and len(pieces[-1]) + len(part) <= width:
            pieces[-1] += part
        else:
            pieces.append(part)
    return pieces
