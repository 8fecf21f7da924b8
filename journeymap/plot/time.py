"""Weekday x hour patterns: :func:`time_patterns`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from journeymap.analytics._time import WEEKDAYS
from journeymap.analytics.time import time_patterns as patterns_table
from journeymap.backends import dispatch
from journeymap.plot import _theme

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from journeymap.journeys import JourneySet

__all__ = ["time_patterns"]


#: The colour of an hour without messages.
NO_DATA = "#c8c8c8"


@dispatch(name="plot.time_patterns")
def time_patterns(
    js: JourneySet,
    *,
    metric: Literal["volume", "share_negative", "mean_valence"] = "share_negative",
    tz: str = "UTC",
    ax: Axes | None = None,
) -> Axes:
    """A weekday x hour heatmap of customer messages: volume, share negative or mean valence.

    Example:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> ax = jm.plot.time_patterns(js, metric="volume")
        >>> ax.images[0].get_array().shape, int(ax.images[0].get_array().sum()) == int(js.events["valence"].notna().sum())
        ((7, 24), True)
    """
    table = patterns_table(js, tz=tz)
    grid = table[metric].unstack("hour").reindex(list(WEEKDAYS)).to_numpy(dtype=float)
    ax = _theme.get_ax(ax, figsize=(10, 3.6))
    if not np.nan_to_num(grid).any() and (metric == "volume" or np.isnan(grid).all()):
        return _theme.empty(ax, "customer messages" if metric == "volume" else "scored customer messages")
    if metric == "mean_valence":
        cmap = _theme.valence_cmap()
        image = ax.imshow(grid, cmap=cmap, norm=_theme.valence_norm(), aspect="auto")
    else:
        image = ax.imshow(grid, cmap="Reds" if metric == "share_negative" else "Blues", aspect="auto", vmin=0)
    # an hour without messages is hatched grey, not the colour of "neutral" or "0% negative"
    image.cmap = image.cmap.with_extremes(bad=NO_DATA)
    ax.set_yticks(np.arange(7), [d[:3] for d in WEEKDAYS])
    ax.set_xticks(np.arange(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel(f"hour of day ({tz})")
    labels = {"volume": "customer messages", "share_negative": "share negative", "mean_valence": "mean valence"}
    ax.figure.colorbar(image, ax=ax, shrink=0.9, label=labels[metric])
    title = f"When customers write: {labels[metric]} by weekday and hour"
    ax.set_title(title + ("" if metric == "volume" else " (grey: no messages)"))
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    return ax
