"""Emotion shares: :func:`emotion_heatmap` and :func:`emotion_mix`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from journeymap.backends import dispatch
from journeymap.plot import _theme
from journeymap.plot._stats import stage_shares
from journeymap.plot.journey_map import FEW_ALPHA, MIN_VOLUME

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from journeymap.analytics._levels import Level
    from journeymap.journeys import JourneySet

__all__ = ["emotion_heatmap", "emotion_mix"]

#: The smallest figure :func:`emotion_heatmap` makes (inches): room for a note that there is nothing to show.
MIN_SIZE = (4.0, 2.5)
#: :func:`emotion_heatmap`'s colour scale is set by the rows of at least this many messages, and
#: :func:`emotion_mix` draws smaller rows faded: the journey map's :data:`~journeymap.plot.journey_map.MIN_VOLUME`.
MIN_ROW_VOLUME = MIN_VOLUME


def _row_label(name: object, n: int) -> str:
    """A row's label: its name, wrapped, and its number of messages ("contact (n=29)").

    Examples:
        >>> _row_label("follow_up", 1234)
        'follow up (n=1,234)'
    """
    return f"{_theme.wrap(str(name), 18)} (n={n:,})"


@dispatch(name="plot.emotion_heatmap")
def emotion_heatmap(
    js: JourneySet,
    *,
    level: Level = "touchpoint",
    ax: Axes | None = None,
    top: int = 10,
) -> Axes:
    """Share of each dominant emotion (columns) per touchpoint or stage (rows), annotated.

    Each row is labelled with its number of messages (``n``); the colour scale runs to the
    largest share among rows of at least :data:`MIN_ROW_VOLUME` messages (where there are
    any), so a row of one message at 100% does not wash out the others (its cell is drawn at
    the darkest shade, its number written in it).

    Args:
        js: scored journeys.
        level: the rows: ``"touchpoint"``, ``"stage"`` or ``"topic"`` (after
            :func:`~journeymap.assign_topics`).
        ax: the Axes to draw on (default: a new figure sized to the table).
        top: how many emotions get a column, the most frequent overall; the rest are ``other``.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> ax = jm.plot.emotion_heatmap(js, level="stage")
        >>> [t.get_text() for t in ax.get_yticklabels()][0].split(" (n=")[0], ax.get_title()
        ('contact', 'Emotions by stage')
    """
    shares = stage_shares(js, level=level, top=top)
    # at least MIN_SIZE: a figure sized for no rows cannot hold the note that there are none
    width, height = 1.0 + 0.8 * shares.shape[1], 1.2 + 0.5 * shares.shape[0]
    ax = _theme.get_ax(ax, figsize=(max(MIN_SIZE[0], width), max(MIN_SIZE[1], height)))
    if shares.empty:
        return _theme.empty(ax, "scored customer messages")
    grid = shares.to_numpy(dtype=float)
    n = np.asarray(shares.attrs["n"], dtype=np.int64)
    # the scale is the rows' of MIN_ROW_VOLUME messages or more: one message makes a 100% cell
    # that would turn every row of real volume pale (a smaller row's darker cells are clipped)
    sized = grid[n >= MIN_ROW_VOLUME] if (n >= MIN_ROW_VOLUME).any() else grid
    top_share = max(0.01, float(sized.max()))
    image = ax.imshow(grid, cmap="Blues", vmin=0, vmax=top_share, aspect="auto")
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = float(grid[i, j])
            ink = "white" if v > 0.5 * top_share else "#222222"
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=8, color=ink)
    ax.set_xticks(np.arange(shares.shape[1]), [_theme.wrap(str(c), 12) for c in shares.columns], rotation=45, ha="right")
    ax.set_yticks(np.arange(shares.shape[0]), [_row_label(r, k) for r, k in zip(shares.index, n)])
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="share of the row's\ncustomer messages")
    ax.set_title(f"Emotions by {level}")
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    _theme.style(ax)
    return ax


@dispatch(name="plot.emotion_mix")
def emotion_mix(
    js: JourneySet,
    *,
    level: Level = "touchpoint",
    ax: Axes | None = None,
    top: int = 8,
) -> Axes:
    """Stacked shares of the dominant emotions per touchpoint (or stage), one bar each.

    Colours follow each emotion's valence in the scores' taxonomy (``js.taxonomy.valence``):
    blue positive, red negative, grey for valence 0 and for labels the taxonomy does not know.
    Each row is labelled with its number of messages (``n``), as in :func:`emotion_heatmap`; a
    row of fewer than :data:`MIN_ROW_VOLUME` messages is drawn faded (as the journey map draws
    such a cell, and the legend says so): four messages at 25% each are no mix to compare.

    Args:
        js: scored journeys.
        level: one bar per ``"touchpoint"``, ``"stage"`` or ``"topic"`` (after
            :func:`~journeymap.assign_topics`).
        ax: the Axes to draw on (default: a new figure sized to the bars).
        top: how many emotions get a colour, the most frequent overall; the rest are ``other``.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> ax = jm.plot.emotion_mix(js)
        >>> len(ax.get_yticklabels()) == js.events.loc[js.events["valence"].notna(), "touchpoint"].nunique()
        True
        >>> jm.plot.emotion_mix(js, level="stage").get_yticklabels()[0].get_text().split(" (n=")[0]
        'contact'
    """
    shares = stage_shares(js, level=level, top=top)
    valence = js.taxonomy.valence if js.taxonomy is not None else {}
    ax = _theme.get_ax(ax, figsize=(9, 1.5 + 0.6 * shares.shape[0]))
    if shares.empty:
        return _theme.empty(ax, "scored customer messages")
    cmap, norm = _theme.valence_cmap(), _theme.valence_norm()
    n = np.asarray(shares.attrs["n"], dtype=np.int64)
    few = n < MIN_ROW_VOLUME  # too few messages to read a mix from: faded, as the journey map fades such a cell
    left = np.zeros(shares.shape[0])
    seen: dict[float, int] = {}
    y = np.arange(shares.shape[0])
    for emotion in shares.columns:
        v = valence.get(str(emotion), 0.0)
        repeat = seen.get(v, 0)  # emotions of equal valence get slightly different shades
        seen[v] = repeat + 1
        if emotion == "other":
            colour: Any = "#eeeeee"
        elif v == 0.0:
            colour = _theme.GREYS[min(repeat, len(_theme.GREYS) - 1)]
        else:
            # a lighter shade for each further label of equal valence, never crossing to the other side
            shifted = v + (0.15 * repeat if v < 0 else -0.15 * repeat)
            colour = cmap(norm(float(np.sign(v) * max(abs(shifted) if np.sign(shifted) == np.sign(v) else 0.0, 0.05))))
        widths = shares[emotion].to_numpy()
        bars = ax.barh(y, widths, left=left, color=colour, edgecolor="white", label=str(emotion))
        for bar, w, faded in zip(bars, widths, few):
            if faded:
                bar.set_alpha(FEW_ALPHA)
            if w >= 0.07:
                shown = _faded(colour) if faded else colour  # the fill as seen, on white
                ax.text(bar.get_x() + w / 2, bar.get_y() + bar.get_height() / 2, f"{w:.0%}", ha="center", va="center",
                        fontsize=7, color=_theme.ink(shown))  # fmt: skip
        left += widths
    ax.set_yticks(y, [_row_label(r, k) for r, k in zip(shares.index, n)])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of customer messages")
    # beside the bars: below them it covered the axis label on a figure of few rows
    handles, _ = ax.get_legend_handles_labels()
    if few.any():
        from matplotlib.patches import Patch

        label = f"row of fewer than {MIN_ROW_VOLUME}\nmessages (faded)"
        handles.append(Patch(facecolor=_theme.NEUTRAL, alpha=FEW_ALPHA, edgecolor="white", label=label))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title(f"Emotion mix by {level}")
    _theme.style(ax)
    return ax


def _faded(colour: Any) -> tuple[float, float, float]:
    """``colour`` drawn at :data:`~journeymap.plot.journey_map.FEW_ALPHA` over white, as it is seen."""
    from matplotlib.colors import to_rgb

    return tuple(FEW_ALPHA * c + (1 - FEW_ALPHA) for c in to_rgb(colour))  # type: ignore[return-value]
