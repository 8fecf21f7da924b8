"""Weekday x hour patterns: :func:`time_patterns`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from journeymap.analytics._checks import check_count
from journeymap.analytics._prep import require_scored
from journeymap.analytics._time import WEEKDAYS, check_tz, clock_time
from journeymap.analytics.time import time_patterns as patterns_table
from journeymap.backends import dispatch
from journeymap.exceptions import InvalidArgumentError
from journeymap.plot import _theme

if TYPE_CHECKING:
    import datetime as dt

    from matplotlib.axes import Axes

    from journeymap.journeys import JourneySet

__all__ = ["METRICS", "time_patterns"]


#: What :func:`time_patterns` can draw (``metric``).
METRICS = ("volume", "share_negative", "mean_valence")
#: The colour of an hour without messages.
NO_DATA = "#c8c8c8"
#: The colour of an hour with fewer than ``min_count`` messages (hatched over it).
FEW = "#ececec"


@dispatch(name="plot.time_patterns")
def time_patterns(
    js: JourneySet,
    *,
    metric: Literal["volume", "share_negative", "mean_valence"] = "share_negative",
    tz: str | dt.tzinfo | None = None,
    min_count: int = 3,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A weekday x hour heatmap of customer messages: volume, share negative or mean valence.

    An hour without messages is grey. For the share negative and the mean valence, an hour with
    fewer than ``min_count`` scored customer messages is not coloured either but hatched on light
    grey (a legend above the chart says so): one message would otherwise paint an hour 100%
    negative, as dark as a busy hour where most customers are unhappy; messages the scorer did
    not read (another language) do not count toward it, and an hour of only such messages is
    hatched, not drawn as empty. ``min_count=1`` colours every hour with a scored message
    (``min_count`` must be a positive whole number); the volume is always drawn in
    full, and needs no scores (the share negative and the mean valence do: SchemaError otherwise).
    The share negative is coloured on a fixed 0-1 scale and the mean valence on -1 .. 1, not on
    the range of the data. ``tz`` is read as in
    :func:`journeymap.time_patterns` (None is the zone the events were read in, else UTC).
    Where every customer message is stamped at one time of day (dates without times, read as
    midnight), the chart says so instead of drawing them all in one hour. ``title`` replaces the
    chart's own ("When customers write: ... by weekday and hour"; ``""``: none).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> ax = jm.plot.time_patterns(js, metric="volume")
        >>> ax.images[0].get_array().shape, int(ax.images[0].get_array().sum()) == int(js.events["valence"].notna().sum())
        ((7, 24), True)
        >>> ax = jm.plot.time_patterns(js, min_count=3)
        >>> [t.get_text() for t in ax.get_legend().get_texts()]
        ['no messages', 'fewer than 3 scored messages']
    """
    if metric not in METRICS:
        msg = f"metric must be one of {', '.join(repr(m) for m in METRICS)}, got {metric!r}"
        raise InvalidArgumentError(msg)
    check_count(min_count, "min_count", minimum=1, what="number of messages")
    if metric != "volume":  # the volume needs no scores (unscored journeys draw it)
        require_scored(js, f"time_patterns(metric={metric!r})")
    tz = check_tz(tz, js)
    table = patterns_table(js, tz=tz)
    stamped = clock_time(js.events, tz)
    if stamped is not None:  # dates without times: one column at midnight would read as a pattern
        ax = _theme.get_ax(ax, figsize=(10, 3.6))
        note = f"hours of day to show: every customer message is stamped {stamped} ({tz}), so the data holds dates, not times"
        return _theme.empty(ax, note, title=title)
    grid = table[metric].unstack("hour").reindex(list(WEEKDAYS)).to_numpy(dtype=float)
    volume = table["volume"].unstack("hour").reindex(list(WEEKDAYS)).to_numpy(dtype=float)
    scored = table["scored"].unstack("hour").reindex(list(WEEKDAYS)).to_numpy(dtype=float)
    ax = _theme.get_ax(ax, figsize=(10, 3.6))
    if not np.nan_to_num(grid).any() and (metric == "volume" or np.isnan(grid).all()):
        return _theme.empty(ax, "customer messages" if metric == "volume" else "scored customer messages", title=title)
    # too few scored messages to colour an hour by a share or a mean (messages not scored among them): hatched,
    # left out of the colour scale
    few = (volume > 0) & (scored < min_count) if metric != "volume" else np.zeros(grid.shape, dtype=bool)
    grid = np.where(few, np.nan, grid)
    if metric == "mean_valence":
        cmap = _theme.valence_cmap()
        image = ax.imshow(grid, cmap=cmap, norm=_theme.valence_norm(), aspect="auto")
    elif metric == "volume":
        image = ax.imshow(grid, cmap="Blues", aspect="auto", vmin=0)
    else:  # a share: a fixed 0-1 scale, never fitted (all hours at 0% would be drawn mid-scale)
        image = ax.imshow(grid, cmap="Reds", aspect="auto", vmin=0.0, vmax=1.0)
    # an hour without messages is grey, not the colour of "neutral" or "0% negative"
    image.cmap = image.cmap.with_extremes(bad=NO_DATA)
    ax.set_yticks(np.arange(7), [d[:3] for d in WEEKDAYS])
    ax.set_xticks(np.arange(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel(f"hour of day ({tz})")
    labels = {"volume": "customer messages", "share_negative": "share negative", "mean_valence": "mean valence"}
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.9, label=labels[metric])
    if metric == "volume":  # messages are counted: no 0.5 of them
        from matplotlib.ticker import MaxNLocator

        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    if metric != "volume":
        from matplotlib.patches import Patch, Rectangle

        for row, col in zip(*np.nonzero(few)):
            ax.add_patch(
                Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor=FEW, edgecolor="#9a9a9a", hatch="////", lw=0, gid="few")
            )
        handles = [Patch(facecolor=NO_DATA, label="no messages")]
        if min_count > 1 or few.any():
            what = f"fewer than {min_count} scored messages" if min_count > 1 else "no message scored"
            handles.append(Patch(facecolor=FEW, edgecolor="#9a9a9a", hatch="////", lw=0, label=what))
        ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, borderaxespad=0.2,
                  frameon=False, fontsize=8)  # fmt: skip
    _theme.set_title(
        ax, title, f"When customers write: {labels[metric]} by weekday and hour", pad=22 if metric != "volume" else 6
    )
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    _theme.style(ax)
    return ax
