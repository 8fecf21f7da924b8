"""The aggregated journey map: :func:`journey_map`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from journeymap.analytics._checks import check_count
from journeymap.analytics.replies import MIN_GROUP_SIZE
from journeymap.backends import dispatch
from journeymap.plot import _theme
from journeymap.plot._stats import journey_map_table

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd
    from matplotlib.axes import Axes

    from journeymap.journeys import JourneySet

__all__ = ["MAX_COLUMNS", "MIN_VOLUME", "journey_map"]

#: A pain point's ring has this many times its cell mark's area.
PAIN_RING = 2.2
#: The height of one line of callout text, in points.
LINE = 12.0
#: The value axis: valences run -1 .. 1, the margins hold the callouts above and below.
YLIM = (-1.6, 1.3)
#: A cell needs at least this many customer messages to be called high, low or a pain point: the
#: minimum the analytics set for a group (:data:`journeymap.analytics.replies.MIN_GROUP_SIZE`);
#: one or two messages would make the map's loudest claims. Smaller cells are still drawn.
MIN_VOLUME = MIN_GROUP_SIZE
#: How opaque a cell of fewer than :data:`MIN_VOLUME` messages is drawn.
FEW_ALPHA = 0.35
#: Behind a callout's text: light, so an interval drawn under it does not cross the words.
CALLOUT_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}
#: The most (stage, touchpoint) cells a map draws by default: the largest, and the pain points.
MAX_COLUMNS = 24
#: The widest figure (inches) a map makes itself: a 13.33-inch slide, or the report's 1,320-pixel
#: page at 96 dpi, shows it at full size (a 24-column map was 23.6 inches wide, its text ~5 pt there).
MAX_WIDTH = 13.5
#: Inches of figure per column, up to :data:`MAX_WIDTH`.
COLUMN_INCHES = 0.9
#: Inches of a figure of :data:`MAX_WIDTH` beside the columns: the y axis with its label, and the legend.
FIGURE_MARGIN = 2.5


def _note_min_volume(ax: Axes, volumes: npt.NDArray[np.int64]) -> None:
    """Where a cell is too small to be called high, low or a pain point, a note says so (it may lie beyond them)."""
    if (volumes < MIN_VOLUME).any():
        ax.annotate(f"high, low and pain points: cells of {MIN_VOLUME}+ messages", xy=(0, 0), xycoords="axes fraction",
                    xytext=(2, 2), textcoords="offset points", fontsize=7, color="#555555", gid="note-min-volume")  # fmt: skip


def _call_extremes(
    ax: Axes, table: pd.DataFrame, volumes: npt.NDArray[np.int64], radius: npt.NDArray[np.float64], below: npt.NDArray[np.float64]
) -> None:
    """The "high" and "low" callouts (and the note on the cells too small for them)."""
    # high and low among the cells large enough to say so, and only where they differ
    means = np.where(volumes >= MIN_VOLUME, table["mean_valence"].to_numpy(dtype=float), np.nan)
    _note_min_volume(ax, volumes)
    if np.count_nonzero(~np.isnan(means)) >= 2 and np.nanmax(means) > np.nanmin(means):
        extremes = ((int(np.nanargmax(means)), "high"), (int(np.nanargmin(means)), "low"))
        for pos, tag in extremes:
            row = table.iloc[pos]
            if tag == "high" and row["pain_point"]:  # the best of a bad lot: a pain point is no high
                continue
            ha = "center"
            # "high" only above the neutral band, "low" only below it: else named in grey, as plot.journey names them
            word, colour = _theme.callout_tag(tag, float(row["mean_valence"]))
            if tag == "high":
                text, dy, va = f"{word} {row['mean_valence']:+.2f} (n={volumes[pos]:,})", radius[pos], "bottom"
                if len(table) > 1 and pos in (0, len(table) - 1):  # one line, wider than a column: kept inside the plot
                    ha = "left" if pos == 0 else "right"
            else:
                count = "" if row["pain_point"] else f"\nn={volumes[pos]:,}"
                text, dy, va = f"{word} {row['mean_valence']:+.2f}{count}", -below[pos], "top"
            ax.annotate(text, xy=(row["x"], row["mean_valence"]), xytext=(0, dy), textcoords="offset points",
                        ha=ha, va=va, fontsize=8, color=_theme.text_shade(colour), fontweight="bold", gid=f"annotation-{tag}",
                        bbox=CALLOUT_BOX)  # fmt: skip


@dispatch(name="plot.journey_map")
def journey_map(
    js: JourneySet,
    *,
    level: Literal["touchpoint", "topic"] = "touchpoint",
    ax: Axes | None = None,
    # pain points
    top_pains: int = 3,
    # the interval
    seed: int | np.random.Generator | None = 0,
    title: str | None = None,
    max_columns: int | None = MAX_COLUMNS,
) -> Axes:
    """The classic journey-map layout, drawn from data.

    Stages run along x (bands, named on top) with their touchpoints beneath; the emotion lane
    shows each touchpoint's mean customer valence with its 95% interval (the one
    :func:`~journeymap.touchpoint_summary` reports; bootstrap resamples drawn with ``seed``),
    marker size by volume and colour on the valence scale; the ``top_pains`` (stage, touchpoint)
    cells of highest impact (volume x negativity, as in :func:`~journeymap.pain_points`) are
    ringed (the legend's "pain point") with their number of messages beneath; the highest and
    lowest points are called out (high above its cell, low beneath it and beneath a pain point's
    label, in margins kept free above 1 and below -1; the legend is beside the plot, so it covers
    none of them). Only cells of at least
    :data:`MIN_VOLUME` messages are called high, low or a pain point, each callout gives the
    cell's number of messages (``n``), and there is no high or low where fewer than two cells
    qualify or all of them have the same mean; the highest cell is not called high when it is a
    pain point (where every cell is negative, the least negative may still hurt most); as
    :func:`journey` names its extremes (:func:`~journeymap.plot._theme.callout_tag`), a cell is
    called high only above :data:`~journeymap.schema.POSITIVE_VALENCE` and low only below
    :data:`~journeymap.schema.NEGATIVE_VALENCE`, and otherwise named in grey ("highest (neutral)",
    "lowest (neutral)" inside that band, "least negative" or "least positive" beyond it): a complaint is never called a
    high, nor a neutral cell a high or a low. The callouts' words are drawn in darker shades of
    the marks' green, vermillion and grey (:func:`~journeymap.plot._theme.text_shade`): 4.5:1 or
    more against the band behind them, as WCAG asks of small text. A cell of
    fewer than :data:`MIN_VOLUME` messages is drawn faded, without an interval: one message is
    no finding.
    Callouts are measured as drawn and moved apart (into the plot at its sides, away from their
    cell where one would run into another), so that none covers another or the tick labels.
    ``level="topic"`` puts the customers' topics (from :func:`~journeymap.assign_topics`) beneath
    the stages instead of the touchpoints. The line is each stage's mean valence (over all its
    scored customer messages), level across the stage's band and sloping between stages: the
    cells within a stage, side by side by volume, are no sequence, so no line joins them. Each
    cell's interval is a bar of its own (a band drawn between columns would bound means that do
    not exist there).

    At most ``max_columns`` (stage, touchpoint) cells are drawn (default :data:`MAX_COLUMNS`;
    None for all): the largest cell of every stage (of the ``max_columns`` largest stages, where
    there are more), then the stages' next largest in turn (so that no stage takes every column
    while the others get one each), and the pain points always; the title then says how many of
    how many are shown and names the stages left out. Discovered topics can number a hundred,
    and a map a column per topic would be metres wide.

    Without ``ax``, the map makes a figure of its own, at most :data:`MAX_WIDTH` (13.5) inches
    wide (0.9 inch a column, and 2 beside them), so that it shows at full size on a slide or in
    :func:`~journeymap.report`'s page; where ``max_columns`` cells would not fit there, fewer
    are drawn (chosen as above, pain points always), as many as have columns as wide as their
    labels' 12-character lines (about 12 for 40-character names, 18 for "billing"), and the
    title says so as it does for ``max_columns``. ``max_columns=None`` draws every cell, on a
    figure as wide as they need; on a caller's ``ax`` only ``max_columns`` limits the cells.

    Customer messages the scorer gave no valence (a language it does not read; the
    ``n_unscored`` of :func:`~journeymap.touchpoint_summary`) are in no mean: a cell with some
    says so in its label ("app +20 not scored"), and the title names the cells none of whose
    messages were scored (they have no mean to draw). ``title`` replaces that title (None keeps
    it, ``""`` removes it).

    The x tick labels (12-character lines) are measured after the figure's layout: one wider
    than its column is wrapped onto narrower lines, and where a single word is still too wide,
    every label is turned upright, so that no two run into each other.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
        >>> ax = jm.plot.journey_map(js)
        >>> labels = [t.get_text() for t in ax.get_xticklabels()]
        >>> "billing" in {labels[round(a.xy[0])] for a in ax.texts if a.get_gid() == "annotation-pain"}
        True
        >>> float(ax.figure.get_size_inches()[0]) <= MAX_WIDTH
        True
    """
    check_count(top_pains, "top_pains", what="number of pain points")
    full = journey_map_table(js, level=level, top_pains=top_pains, seed=seed, min_volume=MIN_VOLUME)
    table, shown_of = _largest_cells(full, max_columns)
    unscored = _unscored_cells(js, level)
    if ax is None:  # a figure of its own: at most MAX_WIDTH wide, and no more columns than fit there
        ax, table, shown_of = _own_figure(full, table, shown_of, max_columns=max_columns, unscored=unscored, level=level)
    _hand_over(ax, full, table, level)
    if table.empty:
        return _theme.empty(ax, "scored customer messages", title=title)
    x = table["x"].to_numpy()
    for n, (stage, group) in enumerate(table.groupby("stage", sort=False)):
        lo, hi = group["x"].min() - 0.5, group["x"].max() + 0.5
        ax.axvspan(lo, hi, color="#f4f4f4" if n % 2 == 0 else "#e4e4e4", lw=0, zorder=0, gid="stage-band")
        # stage names above the plotting area (axes coordinates): no callout inside it reaches them
        ax.text((lo + hi) / 2, 1.02, _theme.wrap(str(stage), 14), ha="center", va="bottom", fontsize=9,
                fontweight="bold", transform=ax.get_xaxis_transform(), gid="stage")  # fmt: skip
    ax.axhline(0, color=_theme.NEUTRAL, lw=0.8, ls="--", zorder=1)
    # a small cell's t interval can pass -1 or 1, where no mean can lie: drawn up to the scale's ends,
    # so that it stays out of the callouts' margins
    band = table[["ci_low", "ci_high"]].clip(-1.0, 1.0)
    few = table["volume"].to_numpy() < MIN_VOLUME  # too few messages to read much into: faded, and no interval
    # each cell's interval, a bar of its own: between two columns there is no mean to bound
    ax.vlines(x[~few], band["ci_low"][~few], band["ci_high"][~few], colors=_theme.CUSTOMER, alpha=0.4, lw=4, zorder=1,
              gid="intervals")  # fmt: skip
    _stage_line(ax, table, full)
    sizes = 40 + 360 * (table["volume"] / table["volume"].max())
    points = ax.scatter(
        x, table["mean_valence"], s=sizes, c=table["mean_valence"], cmap=_theme.valence_cmap(),
        norm=_theme.valence_norm(), edgecolors="#333333", linewidths=0.6, zorder=3,
    )  # fmt: skip
    points.set_gid("touchpoints")
    if few.any():
        points.set_alpha(np.where(few, FEW_ALPHA, 1.0).tolist())
    pains = table[table["pain_point"]]
    if len(pains):  # no legend entry for a mark that is not drawn
        ax.scatter(pains["x"], pains["mean_valence"], s=sizes[pains.index] * PAIN_RING, facecolors="none",
                   edgecolors=_theme.LOW, linewidths=1.8, zorder=4, label="pain point")  # fmt: skip
    # callouts, in points from their cell: the mark's radius (its ring's for a pain point) plus a gap
    radius = np.sqrt(np.where(table["pain_point"], sizes * PAIN_RING, sizes)) / 2 + 3
    below = radius.copy()  # how far down the next label beneath a cell goes
    # each called-out cell says how many messages it holds (n), once: beside high, under the first label beneath
    volumes = table["volume"].to_numpy()
    for i in pains.index:
        # one short line (the ring says "pain point", in the legend): "pain point\nn=79" ran into its neighbours
        ax.annotate(f"n={volumes[i]:,}", xy=(x[i], table.at[i, "mean_valence"]),
                    xytext=(0, -below[i]), textcoords="offset points", ha="center", va="top", fontsize=8,
                    color=_theme.LOW_TEXT, fontweight="bold", gid="annotation-pain", bbox=CALLOUT_BOX)  # fmt: skip
        below[i] += LINE
    _call_extremes(ax, table, volumes, radius, below)
    ax.set_xticks(x, [_theme.wrap(str(t), 12) for t in table[level]])
    ax.set_xlim(x.min() - 0.5, x.max() + 0.5)
    # room above 1 and below -1 for the callouts (valences stay within -1 .. 1)
    ax.set_ylim(*YLIM)
    ax.set_yticks([-1.0, -0.5, 0.0, 0.5, 1.0])
    # the interval is named only where one is drawn (cells of fewer than MIN_VOLUME messages have none)
    ax.set_ylabel("mean customer valence (95% interval)" if (~few).any() else "mean customer valence")
    default_title = f"Customer journey map: how customers feel at each stage and {level}{shown_of}"
    default_title += _unscored_note(full, unscored, level)
    _theme.set_title(ax, title, _theme.axes_wide(ax, default_title), pad=30)  # a long title (cells left out) wrapped
    for volume in sorted({int(table["volume"].max()), int(np.median(table["volume"]))}):
        size = 40 + 360 * volume / table["volume"].max()
        ax.scatter([], [], s=size, color=_theme.NEUTRAL, label=_theme.count(volume, "message"))
    if few.any():
        ax.scatter([], [], s=80, color=_theme.NEUTRAL, alpha=FEW_ALPHA, label=f"fewer than {MIN_VOLUME} (faded)")
    # beside the plot, not over it: the callouts and the curve keep the whole plotting area
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), scatterpoints=1, labelspacing=1.2, borderpad=0.8)
    _theme.style(ax)
    _finish(ax, table, _unscored_notes(table, unscored, level), level)
    return ax


def _hand_over(ax: Axes, full: pd.DataFrame, table: pd.DataFrame, level: str) -> None:
    """The map's numbers noted on ``ax``, for a caption (the report's) to read rather than compute again.

    ``ax._journeymap_table`` is the table the map draws from (:func:`~journeymap.plot._stats.journey_map_table`:
    every cell, drawn or not, with its mean, interval, impact and whether it is a pain point),
    and ``ax._journeymap_cells`` lists the ``(stage, touchpoint)`` cells drawn, so that the
    caption names only cells the map shows. The caption's figures are then the map's own: no
    second grouping that could disagree with it, and no second bootstrap.
    """
    ax._journeymap_table = full  # type: ignore[attr-defined]
    ax._journeymap_cells = list(zip(table["stage"].astype(str), table[level].astype(str)))  # type: ignore[attr-defined]


def _finish(ax: Axes, table: pd.DataFrame, notes: list[str], level: str) -> None:
    """In the final layout: the tick labels fitted, the callouts kept apart."""
    _fit_tick_labels(ax, [str(t) for t in table[level]], notes)
    _separate_callouts(ax)


def _stage_line(ax: Axes, table: pd.DataFrame, full: pd.DataFrame) -> None:
    """The line of the stages' mean valence: level across each stage's band, sloping between stages.

    Stages are a sequence; the touchpoints (or topics) within a stage, ordered by volume, are
    not: a line through them read as a path from one to the next. So the line is flat across a
    stage, at the mean of all its scored customer messages (its cells' means weighted by their
    messages, the cells left out by ``max_columns`` included), and changes only between stages;
    no line for a single stage. A stage of fewer than :data:`MIN_VOLUME` messages is drawn as its
    cells are (faded), and dashed: one or two journeys' four messages made the map's boldest line.
    """
    weighted = full.assign(total=full["volume"] * full["mean_valence"]).groupby("stage", sort=False)[["total", "volume"]].sum()
    bands = table.groupby("stage", sort=False)["x"].agg(["min", "max"])
    if len(bands) < 2:  # one stage: no sequence to show
        return
    means = (weighted["total"] / weighted["volume"]).reindex(bands.index).to_numpy(dtype=float)
    few = weighted["volume"].reindex(bands.index).to_numpy(dtype=float) < MIN_VOLUME
    xs = np.column_stack([bands["min"] - 0.4, bands["max"] + 0.4]).ravel()
    ys = np.repeat(means, 2)
    # a stage of fewer than MIN_VOLUME messages, as its cells: faded and dashed, and no solid line into or out of it
    solid = np.where(np.repeat(few, 2), np.nan, ys)
    if (~few).any():
        ax.plot(xs, solid, color=_theme.CUSTOMER, lw=1.5, alpha=0.8, zorder=2, gid="stage-means", label="stage mean")
    if few.any():
        ax.plot(xs, ys, color=_theme.CUSTOMER, lw=1.2, ls="--", alpha=FEW_ALPHA, zorder=2, gid="stage-means-few",
                label=f"stage mean, fewer than {MIN_VOLUME} messages")  # fmt: skip


def _unscored_cells(js: JourneySet, level: str) -> pd.Series:
    """Customer messages the scorer gave no valence (a language it does not read), per (stage, key at ``level``)."""
    import pandas as pd

    from journeymap.analytics._levels import level_keys
    from journeymap.analytics._prep import flags

    events = js.events
    f = flags(events)
    rows = f["customer"].to_numpy() & ~f["scored"].to_numpy()
    if not rows.any():
        return pd.Series(dtype=np.int64)
    keys = level_keys(events, level)[rows].astype("string")
    stages = events.loc[rows, "stage"].astype("string")
    counts: pd.Series = keys.groupby([stages, keys], sort=False).size().astype(np.int64)
    return counts


def _unscored_notes(table: pd.DataFrame, unscored: pd.Series, level: str) -> list[str]:
    """Each cell's tick label note: how many of its customer messages were not scored ("+20 not scored"), else ""."""
    counts = [int(unscored.get((str(s), str(n)), 0)) for s, n in zip(table["stage"], table[level])]
    return [f"+{k:,} not scored" if k else "" for k in counts]


def _own_figure(
    full: pd.DataFrame, table: pd.DataFrame, note: str, *, max_columns: int | None, unscored: pd.Series, level: str
) -> tuple[Axes, pd.DataFrame, str]:
    """A new figure for the map, 0.9 inch a column and 2 beside them, at most :data:`MAX_WIDTH` wide (no cap for all cells).

    Where ``table`` (the cells chosen for ``max_columns``) would be wider, fewer cells: as many
    as fit (:func:`_fitting_cells`), with the title's note on them.
    """
    ax = _theme.get_ax(None, figsize=(MAX_WIDTH, 5))
    if max_columns is not None and len(table) * COLUMN_INCHES + 2 > MAX_WIDTH:
        table, note = _fitting_cells(ax, full, max_columns, unscored, level)
    width = max(8.0, COLUMN_INCHES * len(table) + 2)
    from matplotlib.figure import Figure

    figure = ax.get_figure()  # its own figure, no subfigure (``root=`` is matplotlib 3.10 on)
    if isinstance(figure, Figure):  # a new pyplot figure: always
        figure.set_size_inches(width if max_columns is None else min(MAX_WIDTH, width), 5)
    return ax, table, note


def _fitting_cells(ax: Axes, full: pd.DataFrame, max_columns: int, unscored: pd.Series, level: str) -> tuple[pd.DataFrame, str]:
    """The most cells (at most ``max_columns``) whose tick labels fit their columns in a figure of :data:`MAX_WIDTH`.

    A column is as wide as the widest line of its cells' labels (12-character lines, as drawn) and
    a gap: long names (40-60 characters) fit 12 columns, short ones ("billing") 15 to 20. The
    cells are chosen as :func:`_largest_cells` chooses them, pain points always; where even the
    fewest (every stage's largest and the pain points) do not fit, the tick labels are wrapped
    narrower or turned upright as drawn (:func:`_fit_tick_labels`).
    """
    probe = ax.get_xticklabels()[0]  # a tick label's font: measured as drawn
    per_inch = ax.figure.dpi
    widths: dict[str, float] = {}

    def width(label: str) -> float:
        if label not in widths:
            probe.set_text(label)
            widths[label] = probe.get_window_extent().width / per_inch
        return widths[label]

    room = MAX_WIDTH - FIGURE_MARGIN
    gap = TICK_GAP / 72
    for cap in range(max_columns, 0, -1):
        table, note = _largest_cells(full, cap)
        labels = [_theme.wrap(str(name), 12) for name in table[level]] + _unscored_notes(table, unscored, level)
        column = max(width(line) for label in labels for line in label.split("\n")) + gap
        if len(table) * column <= room:
            break
    return table, note


def _unscored_note(full: pd.DataFrame, unscored: pd.Series, level: str) -> str:
    """The title's note on the cells none of whose customer messages were scored (they have no mean to draw)."""
    drawn = set(zip(full["stage"].astype(str), full[level].astype(str)))
    cells = [(str(s), str(k), int(n)) for (s, k), n in zip(unscored.index.to_list(), unscored.to_list())]
    missing = sorted(((s, k, n) for s, k, n in cells if (s, k) not in drawn), key=lambda c: (-c[2], c[0], c[1]))  # largest first
    if not missing:
        return ""
    listed = ", ".join(f"{k} ({s}) {_theme.count(n, 'message')}" for s, k, n in missing[:3])
    more = f" and {len(missing) - 3} more cells" if len(missing) > 3 else ""
    return f"; not scored, not drawn: {listed}{more}"


#: Points kept free between two callouts, and between a callout and the plot's edge.
CALLOUT_GAP = 2.0


def _separate_callouts(ax: Axes) -> None:
    """Move callouts apart, measured as drawn: inside the plot's sides, then each clear of those before it.

    Neighbouring columns can be narrower than a callout ("n=79" beside "n=68" in a 10-inch
    figure of 18 columns), and one at the first column reached over the y tick labels. A callout
    is moved sideways into the plot, then away from its cell (down beneath it, up above it)
    until it overlaps no callout placed before it. Callouts take no part in the layout, so moving
    them does not move the plot.
    """
    from matplotlib.figure import Figure

    figure = ax.get_figure()
    from matplotlib.text import Annotation

    notes = [t for t in ax.texts if isinstance(t, Annotation) and str(t.get_gid() or "").startswith("annotation")]
    if figure is None or not notes:
        return
    root = figure if isinstance(figure, Figure) else figure.figure
    for note in notes:
        note.set_in_layout(False)
    root.draw_without_rendering()
    per_point = root.dpi / 72
    frame = ax.bbox
    placed: list[Any] = []
    for note in sorted(notes, key=lambda t: (t.xy[0], t.get_gid() != "annotation-pain")):
        dx, dy = note.xyann
        box = note.get_window_extent()
        if box.x0 < frame.x0 + CALLOUT_GAP * per_point:
            dx += (frame.x0 - box.x0) / per_point + CALLOUT_GAP
        elif box.x1 > frame.x1 - CALLOUT_GAP * per_point:
            dx -= (box.x1 - frame.x1) / per_point + CALLOUT_GAP
        away = 1.0 if note.get_verticalalignment() == "bottom" else -1.0  # away from the cell first, then towards it
        spot = next((at for step in (away, -away) if (at := _free_spot(note, (dx, dy), step, placed, frame)) is not None), None)
        note.xyann = spot if spot is not None else (dx, dy)  # no free place inside the plot (a tiny Axes): where it was
        placed.append(note.get_window_extent())


def _free_spot(note: Any, start: tuple[float, float], step: float, placed: list[Any], frame: Any) -> tuple[float, float] | None:
    """Where ``note`` (offset ``start``, points) clears every ``placed`` box, moving by ``step``, inside ``frame``.

    None if nowhere inside.
    """
    dx, dy = start
    per_point = note.figure.dpi / 72
    for _ in range(len(placed) + 1):
        note.xyann = (dx, dy)
        box = note.get_window_extent()
        if box.y0 < frame.y0 or box.y1 > frame.y1:  # moved out of the plot: over the tick labels or the title
            return None
        hit = next((other for other in placed if box.overlaps(other)), None)
        if hit is None:
            return (dx, dy)
        gap = (hit.y1 - box.y0) if step > 0 else (box.y1 - hit.y0)
        dy += step * (gap / per_point + CALLOUT_GAP)
    return None


#: The narrowest lines (characters) a tick label is wrapped to before the labels are turned upright instead.
MIN_WRAP = 5
#: Points kept free between neighbouring tick labels.
TICK_GAP = 4.0


def _fit_tick_labels(ax: Axes, names: list[str], notes: list[str] | None = None) -> None:
    """Tick labels that each fit their column: wrapped narrower where one is wider, else all turned upright.

    Measured with the figure's renderer after its layout (the legend beside the plot narrows
    the columns), so that neighbouring labels never run into each other ("weeks answerphone
    apps"). A label that fits keeps its 12-character lines. A ``note`` of a label ("+20 not
    scored") is its last line, never shortened: the name gives way to it.
    """
    notes = notes or [""] * len(names)

    def joined(name: str, note: str) -> str:
        return f"{name}\n{note}" if note else name

    from matplotlib.figure import Figure

    figure = ax.get_figure()
    if figure is None or not names:
        return
    root = figure if isinstance(figure, Figure) else figure.figure  # a subfigure is laid out with its figure
    root.draw_without_rendering()  # the layout: the columns' width as drawn
    column = ax.bbox.width / len(names) - TICK_GAP * root.dpi / 72
    probe = ax.get_xticklabels()[0]  # measured as a tick label is drawn (its font); the ticks are set after

    def fits(label: str) -> bool:
        probe.set_text(label)
        return bool(probe.get_window_extent().width <= column)

    labels = []
    for name, note in zip(names, notes):
        width = next((w for w in range(12, MIN_WRAP - 1, -1) if fits(joined(_theme.wrap(name, w), note))), None)
        labels.append(joined(_theme.wrap(name, width or 12), note))
        if width is None:  # a word wider than its column: every label upright, in one line (as wide as a line is high)
            upright = [f"{_theme.shorten(n, 20)} {t}" if t else _theme.shorten(n, 24) for n, t in zip(names, notes)]
            ax.set_xticks(ax.get_xticks(), upright)
            ax.tick_params(axis="x", labelrotation=90)
            return
    ax.set_xticks(ax.get_xticks(), labels)


def _largest_cells(table: pd.DataFrame, max_columns: int | None) -> tuple[pd.DataFrame, str]:
    """At most ``max_columns`` cells, every stage's largest first, and every pain point, in map order; and the title's note.

    The largest cell of each stage is kept (of the largest stages, by their messages, where
    there are more stages than ``max_columns``): the cells of the most messages alone could all
    lie in one stage, and the map lost whole stages (the only positive one among them) without a
    word. The pain points come next (beyond the cap only where it has no room for them), and
    the rest of the cap is filled from the stages in turn, each stage's next largest cell
    (cells of :data:`MIN_VOLUME` messages or more before any smaller one, the larger first): filled
    by size alone, a stage of many messages took 22 columns and the others one each. The note
    says how many cells are drawn and names the stages left out.
    """
    if max_columns is None:
        return table, ""
    check_count(max_columns, "max_columns", minimum=1, what="number of cells")
    if len(table) <= max_columns:
        return table, ""
    stage_volume = table.groupby("stage", sort=False)["volume"].sum().sort_values(ascending=False, kind="stable")
    heads = table.sort_values("volume", ascending=False, kind="stable").drop_duplicates("stage")  # each stage's largest
    heads = heads.set_index("stage").loc[stage_volume.index[:max_columns], "x"].to_numpy()
    first = np.union1d(heads, table.index[table["pain_point"]])  # within the cap, where it leaves room
    by_size = table.loc[~table.index.isin(first)].sort_values("volume", ascending=False, kind="stable")
    turn = by_size.groupby("stage", sort=False).cumcount()  # each stage's next largest, the stages in turn
    order = by_size.assign(turn=turn, few=by_size["volume"] < MIN_VOLUME, neg=-by_size["volume"])
    rest = order.sort_values(["few", "turn", "neg"], kind="stable").index
    keep = np.sort(np.union1d(first, rest[: max(0, max_columns - len(first))]))
    shown = table.loc[keep].reset_index(drop=True)
    left_out = [str(s) for s in table["stage"].unique() if s not in set(shown["stage"])]
    note = f" ({len(shown)} of {len(table)} cells: each stage's largest in turn, and the pain points"
    note += f"; stages left out: {', '.join(left_out)})" if left_out else ")"
    return shown.assign(x=np.arange(len(shown))), note
