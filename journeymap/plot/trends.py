"""Service and topics over time: :func:`trends`, :func:`topic_trends`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from journeymap.analytics._checks import check_count
from journeymap.analytics._prep import require_scored
from journeymap.analytics._time import check_tz
from journeymap.analytics.topics import topic_trends as topic_table
from journeymap.analytics.trends import trends as trends_table
from journeymap.backends import dispatch
from journeymap.exceptions import InvalidArgumentError
from journeymap.plot import _theme
from journeymap.plot._stats import topic_totals

if TYPE_CHECKING:
    import datetime as dt

    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

    from journeymap.analytics.automatic import AutoReplyRule
    from journeymap.journeys import JourneySet

__all__ = ["topic_trends", "trends"]

_LABELS = {
    "first_response_median": "median first response",
    "share_negative": "share of messages negative",
    "mean_valence": "mean valence",
    "unanswered": "share of journeys unanswered",
}
#: Measures that are shares (drawn on a 0-1 axis) and that are valences (on -1 .. 1, with a zero line).
_SHARES = frozenset({"share", "share_negative", "unanswered"})
_VALENCES = frozenset({"mean_valence"})
#: Measures read from the emotion scores: drawn for scored journeys only.
_SCORED = frozenset({"share_negative", "mean_valence"})
#: :func:`trends`' column counting what each measure is a share or mean of (``min_count`` is read against it).
_BASES = {"share_negative": "scored", "mean_valence": "scored", "unanswered": "journeys"}
#: The opacity of a point whose value rests on fewer than ``min_count`` messages.
FEW_POINT_ALPHA = 0.45
#: The colour of the hatching over a period the data covers only in part: light, so that it does not outweigh the data
#: (matplotlib's default, black, covered two thirds of a three-day chart in dense black lines).
HATCH = "#bbbbbb"
#: Beyond this many periods the axes cannot show one mark per period: :func:`trends` draws its messages as one filled
#: step area (not a bar per period) and its line without a marker per period, and :func:`topic_trends` marks each line
#: about :data:`DENSE_MARKS` times; both still mark a value no line segment shows (one between two gaps). At 80 dpi
#: a 10-inch chart has about 620 pixels for its periods (the report's 96: about 740): past 200, a bar is 3 pixels wide and the
#: markers (6 pixels and more) merge into one band (a year by day, 366 periods, was a chain of dots; by hour, 8,766
#: bars took 18 s to draw and save, a grey block).
DENSE_PERIODS = 200
#: About how many markers each topic's line keeps in :func:`topic_trends` beyond :data:`DENSE_PERIODS` periods (so
#: that its shape, named in the legend, still tells it from the others).
DENSE_MARKS = 30
#: The size (points) of the faded hollow points (values on too few messages) beyond :data:`DENSE_PERIODS` periods.
DENSE_FEW_SIZE = 3.0


def base_noun(base: str) -> str:
    """What a base column counts, for the legend.

    Examples:
        >>> base_noun("scored"), base_noun("journeys")
        ('scored messages', 'journeys')
    """
    return {"scored": "scored messages"}.get(base, base)


@dispatch(name="plot.trends")
def trends(
    js: JourneySet,
    *,
    freq: str = "W",
    metric: Literal["first_response_median", "share_negative", "mean_valence", "unanswered"] = "first_response_median",
    tz: str | dt.tzinfo | None = None,
    bots: Literal["exclude", "include"] = "exclude",
    auto: AutoReplyRule | None = None,
    min_count: int = 3,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Customer messages per period (bars) and a service measure over time (line, right axis).

    The numbers are :func:`journeymap.trends`' (same ``freq``, ``tz``, ``bots`` and ``auto``); ``metric`` picks the
    line: the median first response to a human reply (the default), the share of negative
    messages, the mean valence or the share of journeys left unanswered. The share negative and
    the mean valence need scored journeys (SchemaError otherwise); the others do not.

    The value axes are not fitted to the data, so that a small change does not look large: the
    messages and the response time start at 0, shares run from 0 to 1 and the mean valence from
    -1 to 1 (with a line at 0). Response times are in minutes when the longest median is under
    two hours, else in hours. A legend above the plot names the bars and the line.

    As :func:`~journeymap.plot.time_patterns` does with its ``min_count``, a period whose line
    value rests on fewer than ``min_count`` messages (scored ones for the share negative and the
    mean valence, journeys for the share unanswered) is drawn as a faded hollow point, off the
    solid line, and the legend says so: 1 scored message of 5 makes a share of 0% or 100%.
    ``min_count=1`` draws every value alike. Where no customer message was scored, the share
    negative and the mean valence have no line: the chart says "no scored customer messages to
    show" and the legend does not name it. ``title`` replaces the chart's own ("Customer messages
    and ... per period"; ``""``: none).

    Up to :data:`DENSE_PERIODS` (200) periods, each is a bar and a marked point on the line.
    Beyond that a bar or a marker per period no longer fits the axes (hourly over a year is
    8,766 periods): the messages are one filled step area, a step per period, and the line has
    no marker but where a value stands alone between gaps (no segment would show it); a partial
    period is still a hatched bar, and the legend names the same things.

    Returns:
        The Axes of the bars (the line is on its twin, ``ax.right_ax``).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> ax = jm.plot.trends(js, freq="W")
        >>> len(ax.patches) == len(jm.trends(js, freq="W")), ax.get_ylabel()
        (True, 'customer messages')
        >>> ax.right_ax.get_ylabel(), float(ax.right_ax.get_ylim()[0])
        ('median first response (minutes)', 0.0)
        >>> len(jm.trends(js, freq="h")) > DENSE_PERIODS  # hourly: one step area, and a bar per partial period
        True
        >>> len(jm.plot.trends(js, freq="h").patches) <= 3
        True
    """
    if not isinstance(metric, str) or metric not in _LABELS:  # a list is no metric (and no dict key)
        msg = f"metric must be one of {sorted(_LABELS)}, got {metric!r}"
        raise InvalidArgumentError(msg)
    if metric in _SCORED:  # unscored, the line would be empty
        require_scored(js, f"trends(metric={metric!r})")
    check_count(min_count, "min_count", minimum=1, what="number of messages")
    tz = check_tz(tz, js)
    table = trends_table(js, freq=freq, tz=tz, bots=bots, auto=auto)
    ax = _theme.get_ax(ax, figsize=(10, 4))
    if table.empty:
        return _theme.empty(ax, "customer messages", title=title)
    x = np.arange(len(table))
    partial = table["partial"].to_numpy(dtype=bool) if "partial" in table.columns else np.zeros(len(table), dtype=bool)
    dense = len(table) > DENSE_PERIODS
    # a period the data covers only part of (its first or last): hatched bar, hollow point, dashed
    # line, so that a half week does not read as a collapse
    _volume(ax, x, table["volume"].to_numpy(dtype=float), partial, dense=dense)
    ax.set_ylabel("customer messages")
    ax.set_ylim(0, max(1.0, float(table["volume"].max())) * 1.05)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # messages are counted: no 1.5 of them
    label = _LABELS[metric]
    figure = ax.get_figure()
    current = figure.gca() if figure is not None else None  # the figure has an Axes (ax): gca makes none
    right = ax.twinx()
    if figure is not None and current is not None:
        figure.sca(current)  # twinx makes the twin current: pyplot's plt.title would land on it
    if metric == "first_response_median":
        seconds = table[metric].dt.total_seconds().to_numpy(dtype=float)
        unit, per = time_unit(seconds)
        label = f"{label} ({unit})"
        y = seconds / per
    else:
        y = table[metric].to_numpy(dtype=float)
    handles = _measure_line(right, table, metric, (x, y, partial), label=label, min_count=min_count, dense=dense)
    if partial.any():
        handles.append(_partial_patch())
    right.set_ylabel(label)
    value_limits(right, metric, y)
    step = max(1, len(table) // 12)
    # rotated, each label ends at its tick (centred, it ended right of its bar)
    ax.set_xticks(x[::step], [t.strftime(tick_format(pd.DatetimeIndex(table.index))) for t in table.index[::step]],
                  rotation=30, ha="right", rotation_mode="anchor")  # fmt: skip
    ax.set_xlabel(f"period ({_theme.period_name(freq)}, {tz})")
    # above the plot, under the title: inside it would cover bars or the line
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(handles), borderaxespad=0.2,
              frameon=False, fontsize=8)  # fmt: skip
    _theme.set_title(ax, title, f"Customer messages and {label} per period", pad=24)
    if len(table) == 1:
        _single_period(ax, freq)
    ax.right_ax = right  # type: ignore[attr-defined]
    _theme.style(ax)
    return ax


def _volume(ax: Axes, x: np.ndarray, volume: np.ndarray, partial: np.ndarray, *, dense: bool) -> None:
    """:func:`trends`' messages per period: a bar each, or (``dense``) one filled step area; partial periods hatched bars.

    Beyond :data:`DENSE_PERIODS` periods a bar each was thousands of patches (8,766 by hour over
    a year: 18 s to draw and save) too narrow to see: one :meth:`~matplotlib.axes.Axes.stairs`
    area has the same outline. A period the data covers only in part stays a bar of its own,
    hatched, as the legend's "partial period" (:func:`_partial_patch`); the area drops to 0 there.
    """
    if dense:
        edges = np.arange(len(x) + 1) - 0.5
        area = ax.stairs(np.where(partial, 0.0, volume), edges, fill=True, color=_theme.GREYS[0], label="customer messages")
        area.set_gid("volume-area")
        bars = list(ax.bar(x[partial], volume[partial], width=1.0, color=_theme.GREYS[0]))
    else:
        every = list(ax.bar(x, volume, color=_theme.GREYS[0], label="customer messages"))
        bars = [every[i] for i in np.flatnonzero(partial)]
    for bar in bars:
        bar.set_hatch("///")
        bar.set_edgecolor(HATCH)  # the hatch's colour (black by default: it outweighed the data); no outline
        bar.set_linewidth(0)
        bar.set_alpha(0.45)


def _measure_line(
    right: Axes,
    table: pd.DataFrame,
    metric: str,
    xyp: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    label: str,
    min_count: int,
    dense: bool = False,
) -> list[Any]:
    """:func:`trends`' line on ``right``, and the legend's entries (the bars' swatch first).

    A value on fewer than ``min_count`` of its base (:data:`_BASES`) is a faded hollow point, off
    the line; with no value at all the chart says so and the legend names no line. ``dense``
    (beyond :data:`DENSE_PERIODS` periods): a thinner line with no marker per period, only on a
    value standing alone (:func:`_marks`), and the faded points smaller (:data:`DENSE_FEW_SIZE`).
    """
    from matplotlib.patches import Patch

    x, y, partial = xyp
    base = _BASES.get(metric)
    few = (table[base].to_numpy(dtype=float) < min_count) & np.isfinite(y) if base else np.zeros(len(table), dtype=bool)
    # the brand's orange darkened (BRAND_LINE): 3:1 or more on white and on the bars, where BRAND itself was 2.25:1 on white
    # dense: thinner, so that the messages' area shows between its thousands of segments
    line = _partial_line(right, x, np.where(few, np.nan, y), partial, color=_theme.BRAND_LINE, lw=1.0 if dense else 1.8,
                         label=label, every=0 if dense else None)  # fmt: skip
    # the bars' legend entry is their own swatch, not the first bar (which may be a hatched partial period)
    handles: list[Any] = [Patch(facecolor=_theme.GREYS[0], label="customer messages")]
    if np.isfinite(y).any():
        handles.append(line)
    else:  # nothing to draw a line through: said on the chart, not named in the legend
        what = "scored customer messages" if metric in _SCORED else f"values of the {label}"
        right.text(0.5, 0.5, f"no {what} to show", ha="center", va="center", transform=right.transAxes, color="#666666")
    if few.any() and base is not None:  # too small a base: a faded hollow point, off the line
        (faint,) = right.plot(x[few], y[few], ls="none", marker="o", mfc="white", mec=_theme.BRAND_LINE, alpha=FEW_POINT_ALPHA,
                              ms=DENSE_FEW_SIZE if dense else None,
                              label=f"fewer than {min_count} {base_noun(base)} (faded)")  # fmt: skip
        handles.append(faint)
    return handles


def _few_scored(table: pd.DataFrame, topic: Any, periods: pd.Index, metric: str, min_count: int) -> np.ndarray:
    """Periods where ``topic``'s share negative or mean valence rests on fewer than ``min_count`` scored messages."""
    if metric not in _SCORED or "scored" not in table.columns:
        return np.zeros(len(periods), dtype=bool)
    scored = table.xs(topic, level="topic")["scored"].reindex(periods).to_numpy(dtype=float)
    return np.asarray(scored < min_count, dtype=bool)


def _topic_line(
    ax: Axes, xvpf: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], k: int, label: str, *, every: int | None = None
) -> None:
    """Topic ``k``'s line (values on too few scored messages, ``few``, as faded hollow points off it).

    ``every``: a marker every that many periods only, each topic's from a period of its own
    (:func:`_marks`; None: at every period).
    """
    x, values, partial, few = xvpf
    # each topic its own marker, the later ones smaller: where values tie, the marks nest and all are seen (down to
    # MIN_MARKER: a 3-point "P" read as a dot); each its own colour of the theme's colour-blind-safe ten
    marker, z = _MARKERS[k % len(_MARKERS)], 3 + 0.01 * k
    ms, color = max(MIN_MARKER, MAX_MARKER - MARKER_STEP * k), _theme.CATEGORIES[k % len(_theme.CATEGORIES)]
    # every value lies within the fixed limits: a line at one (a share of 0 or 1) is drawn over the frame, not under it;
    # a period the data covers only in part is dashed, with hollow points, as in trends
    offset = (k * every) // MAX_NAMED_TOPICS if every else 0  # the topics' markers side by side, not on one period
    _partial_line(ax, x, np.where(few, np.nan, values), partial, color=color, lw=1.6, label=label, marker=marker, ms=ms,
                  every=every, offset=offset, mew=0.8, clip_on=False, zorder=z)  # fmt: skip
    if few.any():
        ax.plot(x[few], values[few], ls="none", marker=marker, ms=DENSE_FEW_SIZE if every else ms, mfc="white", mec=color,
                alpha=FEW_POINT_ALPHA, clip_on=False, zorder=z)  # fmt: skip


def _partial_line(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    partial: np.ndarray,
    *,
    color: Any,
    lw: float,
    label: str,
    marker: str = "o",
    ms: float | None = None,
    every: int | None = None,
    offset: int = 0,
    **kwargs: Any,
) -> Line2D:
    """A line over periods, those the data covers only in part (``partial``) drawn apart, as :func:`trends` draws them.

    The solid line (with filled markers) runs through the full periods only; a thinner dashed
    line joins the partial ones to it, and their points are hollow, so that a period of half the
    days does not read as a fall. ``kwargs`` go to every part (``clip_on``, ``zorder``).
    ``every`` and ``offset`` thin the solid line's markers (:func:`_marks`; None: one per period).

    Returns:
        The solid line: the one to name in a legend.
    """
    solid = np.where(partial, np.nan, y)
    marks = None if every is None else _marks(solid, every, offset)
    on_line = "" if marks == [] else marker  # no marker left on the line: none in the legend either
    (line,) = ax.plot(x, solid, color=color, marker=on_line, ms=ms, markevery=marks, lw=lw, label=label, **kwargs)
    if partial.any():
        rest = {**kwargs, "zorder": line.get_zorder() - 0.1}
        ax.plot(x, y, color=color, lw=lw * 2 / 3, ls="--", **rest)
        ax.plot(x[partial], y[partial], ls="none", marker=marker, ms=ms, mfc="white", mec=color, color=color, **kwargs)
    return line


def _mark_step(periods: int) -> int | None:
    """:func:`topic_trends`' marker on every how many periods: each one (None) up to :data:`DENSE_PERIODS`, then fewer.

    Examples:
        >>> _mark_step(52), _mark_step(366), _mark_step(8766)
        (None, 13, 293)
    """
    return -(-periods // DENSE_MARKS) if periods > DENSE_PERIODS else None


def _marks(y: np.ndarray, every: int, offset: int = 0) -> list[int]:
    """Where a line over many periods keeps a marker: every ``every`` th value from ``offset`` (none: 0), and each lone one.

    A value between two gaps (NaN or the ends) has no segment to show it: without its marker it
    would not be drawn at all, so it keeps one.

    Examples:
        >>> y = np.array([1.0, 2.0, np.nan, 3.0, np.nan, 4.0, 5.0, 6.0])
        >>> _marks(y, 0), _marks(y, 3, 1)
        ([3], [1, 3, 7])
    """
    finite = np.isfinite(y)
    lone = finite & ~np.r_[False, finite[:-1]] & ~np.r_[finite[1:], False]
    regular = np.zeros(len(y), dtype=bool)
    if every:
        regular[offset::every] = True
    return np.flatnonzero(lone | (regular & finite)).tolist()


def _single_period(ax: Axes, freq: str) -> None:
    """One bar across the chart reads as a level, not a trend: keep it a bar, and say so."""
    ax.set_xlim(-2.5, 2.5)
    period = _theme.period_name(freq)
    shorter = {"day": "'h'", "week": "'D'", "month": "'W' or 'D'", "quarter": "'ME' or 'W'", "year": "'ME'"}.get(period)
    hint = f"\n(a shorter freq, {shorter}, splits it)" if shorter else ""
    box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85}
    # in lines narrow enough to stay right of the period, drawn in the middle fifth: the note covers no bar or point
    text = f"all the data in a\nsingle period ({period}): no trend to show{hint}"
    ax.text(0.99, 0.97, text, transform=ax.transAxes, ha="right", va="top", fontsize=8, color=_theme.NEUTRAL, bbox=box)


def time_unit(seconds: np.ndarray) -> tuple[str, float]:
    """The unit to show durations in, and its length in seconds: minutes when all are under two hours, else hours.

    Examples:
        >>> time_unit(np.array([1200.0, np.nan])), time_unit(np.array([1200.0, 9000.0]))
        (('minutes', 60.0), ('hours', 3600.0))
    """
    finite = seconds[np.isfinite(seconds)]
    return ("minutes", 60.0) if not len(finite) or finite.max() < 2 * 3600 else ("hours", 3600.0)


def value_limits(ax: Axes, metric: str, values: np.ndarray) -> None:
    """Fixed value-axis limits: shares 0-1, valences -1..1 (with a zero line), counts and times from 0."""
    if metric in _SHARES:
        ax.set_ylim(0.0, 1.0)
    elif metric in _VALENCES:
        ax.set_ylim(-1.0, 1.0)
        ax.axhline(0.0, color=_theme.NEUTRAL, lw=0.8, ls="--", zorder=0)
    else:
        finite = values[np.isfinite(values)]
        top = float(finite.max()) if len(finite) else 0.0
        ax.set_ylim(0.0, top * 1.1 if top > 0 else 1.0)


def tick_format(index: pd.DatetimeIndex) -> str:
    """Dates, with the time of day where periods start within a day ("3h", "30min").

    The steps are read as :class:`~pandas.Timedelta` s, whatever the index's unit (``asi8`` of a
    ``datetime64[us]`` index counts microseconds, not nanoseconds).

    Examples:
        >>> weeks = pd.date_range("2024-03-04", periods=3, freq="W-MON", unit="us")
        >>> tick_format(weeks), tick_format(pd.date_range("2024-03-04", periods=3, freq="6h"))
        ('%Y-%m-%d', '%Y-%m-%d %H:%M')
    """
    if len(index) < 2:
        return "%Y-%m-%d"
    steps = index[1:] - index[:-1]
    return "%Y-%m-%d %H:%M" if steps.min() < pd.Timedelta(1, "D") else "%Y-%m-%d"


_TOPIC_LABELS = {
    "volume": "customer messages",
    "share": "share of the period's messages",
    "share_negative": "share of messages negative",
    "mean_valence": "mean valence",
}


#: :func:`topic_trends` names at most this many topics, each in a colour of its own (the theme's ten, safe for the
#: common colour-vision deficiencies: :data:`~journeymap.plot._theme.CATEGORIES`): the rest (``top=None`` on 45
#: topics) are thin grey lines behind them, one legend entry "N more topics".
MAX_NAMED_TOPICS = 10
#: :func:`topic_trends`' marker sizes (points): the first topic's, the step down to each next one (so that where
#: values tie the marks nest and all are seen) and the smallest, the tenth's (a 3-point marker read as a dot).
MAX_MARKER = 9.0
MARKER_STEP = 0.5
MIN_MARKER = 4.5

#: :func:`topic_trends`' markers, one per topic in turn (filled shapes, told apart where two lines meet).
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<")


def _partial_patch() -> Any:
    """The legend entry of a period the data covers only in part: hatched, as its bars or band are."""
    from matplotlib.patches import Patch

    return Patch(facecolor=_theme.GREYS[0], edgecolor=HATCH, lw=0, hatch="///", alpha=0.45,
                 label="partial period (the data covers part of it)")  # fmt: skip


def _no_topics(ax: Axes, table: pd.DataFrame, title: str | None) -> Axes:
    """``ax`` saying there is no topic to draw: no message with one, or all of them ``"other"`` (a model that found none)."""
    other = int(table["volume"].sum())
    if not other:
        return _theme.empty(ax, "customer messages with a topic", title=title)
    return _theme.empty(ax, "customer messages with a named topic", f'all {other:,} are "other": they fit no topic', title=title)


@dispatch(name="plot.topic_trends")
def topic_trends(
    js: JourneySet,
    *,
    freq: str = "W",
    metric: Literal["volume", "share", "share_negative", "mean_valence"] = "volume",
    top: int | None = 6,
    tz: str | dt.tzinfo | None = None,
    min_count: int = 3,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """One line per topic over time: the ``top`` largest topics' messages per period (or ``metric``).

    ``top=None`` draws every topic (as ``top=None`` is every row in :func:`~journeymap.pain_points`);
    beyond the largest :data:`MAX_NAMED_TOPICS`, each in a colour of its own and named, the rest
    are thin grey lines behind them, named together in the legend ("35 more topics").
    ``title`` replaces the chart's own ("Topics over time: ... per period"; ``""``: none).

    The numbers are :func:`journeymap.topic_trends`' (same ``freq`` and ``tz``); ``metric``
    picks what is drawn: messages (the default), their share of the period, the share of
    negative messages or the mean valence (these two need scored journeys: SchemaError
    otherwise). ``"other"`` is not drawn (where every message is ``"other"``, the chart says so). As in :func:`trends` the
    value axis is not fitted to the data: messages start at 0, shares run 0-1 and the mean
    valence -1 to 1 (with a line at 0); the lines are drawn over the axes' frame, so that a
    share of 0 or 1 stays visible. Partial and single periods are drawn as :func:`trends` draws
    them: a period the data covers only in part (the first or last) is hatched, and each line
    is dashed into it with a hollow point (its counts are not comparable: a half week is no
    fall); all the data in one period is noted as no trend. Each topic has its own colour (of
    :data:`~journeymap.plot._theme.CATEGORIES`, told apart under the common colour-vision
    deficiencies) and marker shape, the later topics' smaller (down to :data:`MIN_MARKER`
    points), so that where two lines meet both marks are seen; a
    topic whose values equal an earlier one's in every period (its line lies under the other)
    is named "(same as ...)" in the legend. As in :func:`trends`, a share negative or mean
    valence that rests on fewer than ``min_count`` scored messages of its topic and period (the
    table's ``scored``) is a faded hollow point off the line; ``min_count=1`` draws every value
    alike.

    Beyond :data:`DENSE_PERIODS` (200) periods a marker per period merges into a band (a year by
    day was a solid mass of marks): each line keeps about :data:`DENSE_MARKS` markers, each
    topic's on periods of its own, so that its shape (named in the legend) still tells it apart,
    and a marker on any value standing alone between gaps (no segment shows it); the faded
    points are smaller (:data:`DENSE_FEW_SIZE`).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing import HashingEncoder
        >>> js = jm.build_journeys(jm.datasets.service_journeys(40, seed=0))
        >>> js = jm.assign_topics(js, encoder=HashingEncoder(), cache=False, n_topics=3)
        >>> ax = jm.plot.topic_trends(js, freq="W")
        >>> len(ax.get_legend_handles_labels()[1]), ax.get_ylabel(), float(ax.get_ylim()[0])
        (3, 'customer messages', 0.0)
    """
    if not isinstance(metric, str) or metric not in _TOPIC_LABELS:
        msg = f"metric must be one of {sorted(_TOPIC_LABELS)}, got {metric!r}"
        raise InvalidArgumentError(msg)
    if top is not None:
        check_count(top, "top", minimum=1, what="number of topics")
    check_count(min_count, "min_count", minimum=1, what="number of messages")
    if metric in _SCORED:  # unscored, the lines would be empty
        require_scored(js, f"topic_trends(metric={metric!r})")
    tz = check_tz(tz, js)
    table = topic_table(js, freq=freq, tz=tz)
    given = ax is not None
    ax = _theme.get_ax(ax, figsize=(10, 4))
    totals = topic_totals(table)
    if totals.empty:
        return _no_topics(ax, table, title)
    shown = list(totals.index[:top])
    periods = table.index.get_level_values("period").unique()
    x = np.arange(len(periods))
    partial = (
        table["partial"].groupby(level="period").any().reindex(periods, fill_value=False).to_numpy(dtype=bool)
        if "partial" in table.columns
        else np.zeros(len(periods), dtype=bool)
    )
    drawn: list[np.ndarray] = []
    faded = False
    shown, rest_values = (
        shown[:MAX_NAMED_TOPICS],
        _rest_lines(
            ax, [table.xs(t, level="topic").reindex(periods)[metric].to_numpy(dtype=float) for t in shown[MAX_NAMED_TOPICS:]], x
        ),
    )
    for k, topic in enumerate(shown):
        values = table.xs(topic, level="topic").reindex(periods)[metric].to_numpy(dtype=float)
        label = _two_lines(str(topic))
        same = next((shown[j] for j, other in enumerate(drawn) if np.array_equal(other, values, equal_nan=True)), None)
        if same is not None:  # drawn exactly over an earlier line: the legend says so
            label = f"{label}\n(same as {_theme.shorten(str(same), 24)})"
        few = _few_scored(table, topic, periods, metric, min_count) & np.isfinite(values)
        _topic_line(ax, (x, values, partial, few), k, label, every=_mark_step(len(periods)))
        faded = faded or bool(few.any())
        drawn.append(values)
    ax.set_ylabel(_TOPIC_LABELS[metric])
    value_limits(ax, metric, np.concatenate(drawn + rest_values))
    if metric == "volume":  # messages are counted: no 2.5 of them
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    step = max(1, len(periods) // 12)
    fmt = tick_format(pd.DatetimeIndex(periods))
    ax.set_xticks(x[::step], [t.strftime(fmt) for t in periods[::step]], rotation=30, ha="right", rotation_mode="anchor")
    ax.set_xlabel(f"period ({_theme.period_name(freq)}, {tz})")
    _theme.set_title(ax, title, f"Topics over time: {_TOPIC_LABELS[metric]} per period")
    handles = ax.get_legend_handles_labels()[0] + _rest_entry(len(rest_values)) + _partial_bands(ax, partial)
    if faded:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], ls="none", marker="o", mfc="white", mec="#666666", alpha=FEW_POINT_ALPHA,
                              label=f"fewer than {min_count} scored messages (faded)"))  # fmt: skip
    if len(periods) == 1:  # as trends says it: one period is a level, not a trend
        _single_period(ax, freq)
    _fit_legend(ax, ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0)), grow=not given)
    _theme.style(ax)
    return ax


def _rest_lines(ax: Axes, lines: list[np.ndarray], x: np.ndarray) -> list[np.ndarray]:
    """The topics beyond :data:`MAX_NAMED_TOPICS` (``lines``: their values): thin grey lines behind the named ones."""
    for values in lines:
        ax.plot(x, values, color=_theme.NEUTRAL, lw=0.8, alpha=0.5, clip_on=False, zorder=2, label="_rest")
    return lines


def _rest_entry(n: int) -> list[Any]:
    """The legend's entry for the ``n`` topics drawn grey and unnamed (none where ``n`` is 0)."""
    if not n:
        return []
    from matplotlib.lines import Line2D

    label = f"{_theme.count(n, 'more topic')} (grey,\nunnamed: pass top= to name them)"
    return [Line2D([], [], color=_theme.NEUTRAL, lw=0.8, alpha=0.5, label=label)]


def _partial_bands(ax: Axes, partial: np.ndarray) -> list[Any]:
    """A hatched band over each period the data covers only in part (as :func:`trends` hatches its bar); the legend's entry."""
    if not partial.any():
        return []
    for i in np.flatnonzero(partial):  # a period the data covers only in part has lower counts
        ax.axvspan(i - 0.5, i + 0.5, facecolor=_theme.GREYS[0], edgecolor=HATCH, hatch="///", alpha=0.3, lw=0, zorder=0)
    return [_partial_patch()]


def _two_lines(name: str, width: int = 24) -> str:
    """A topic's name for the legend: wrapped to ``width`` characters, two lines at most (the second cut with an ellipsis).

    Examples:
        >>> print(_two_lines("07 account billing voicemail billing account password"))
        07 account billing
        voicemail billing accou…
    """
    lines = _theme.wrap(name, width).split("\n")
    if len(lines) > 2:
        lines = [lines[0], _theme.shorten(" ".join(lines[1:]).replace("…", ""), width)]
    return "\n".join(lines)


def _fit_legend(ax: Axes, legend: Any, *, grow: bool) -> None:
    """A figure (one made here: ``grow``) as tall as its legend beside the plot needs, measured, so that none of it is cut off."""
    figure = ax.get_figure()
    if figure is None or not grow:
        return
    from matplotlib.figure import Figure

    root = figure if isinstance(figure, Figure) else figure.figure  # a subfigure is laid out with its figure
    root.draw_without_rendering()
    need = legend.get_window_extent().height / root.dpi + 0.9  # the title above and the ticks below
    width, height = root.get_size_inches()
    if need > height:
        root.set_size_inches(width, need)
