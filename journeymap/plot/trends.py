"""Service over time: :func:`trends`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from journeymap.analytics.trends import trends as trends_table
from journeymap.backends import dispatch
from journeymap.plot import _theme

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from journeymap.journeys import JourneySet

__all__ = ["trends"]

_LABELS = {
    "first_response_median": "median first response (hours)",
    "share_negative": "share of messages negative",
    "mean_valence": "mean valence",
    "unanswered": "share of journeys unanswered",
}


@dispatch(name="plot.trends")
def trends(
    js: JourneySet,
    *,
    freq: str = "W",
    metric: Literal["first_response_median", "share_negative", "mean_valence", "unanswered"] = "first_response_median",
    tz: str = "UTC",
    ax: Axes | None = None,
) -> Axes:
    """Customer messages per period (bars) and a service measure over time (line, right axis).

    The numbers are :func:`journeymap.trends`' (same ``freq`` and ``tz``); ``metric`` picks the
    line: the median first response to a human reply (hours, the default), the share of
    negative messages, the mean valence or the share of journeys left unanswered.

    Returns:
        The Axes of the bars (the line is on its twin, ``ax.right_ax``).

    Example:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> ax = jm.plot.trends(js, freq="W")
        >>> len(ax.patches) == len(jm.trends(js, freq="W")), ax.get_ylabel()
        (True, 'customer messages')
    """
    if metric not in _LABELS:
        msg = f"metric must be one of {sorted(_LABELS)}, got {metric!r}"
        raise ValueError(msg)
    table = trends_table(js, freq=freq, tz=tz)
    ax = _theme.get_ax(ax, figsize=(10, 4))
    x = np.arange(len(table))
    ax.bar(x, table["volume"].to_numpy(), color=_theme.GREYS[0], label="customer messages")
    ax.set_ylabel("customer messages")
    values = table[metric]
    y = values.dt.total_seconds().to_numpy() / 3600 if metric == "first_response_median" else values.to_numpy(dtype=float)
    right = ax.twinx()
    right.plot(x, y, color=_theme.BRAND, marker="o", lw=1.8, label=_LABELS[metric])
    right.set_ylabel(_LABELS[metric])
    step = max(1, len(table) // 12)
    fmt = "%Y-%m-%d %H:%M" if freq.lower().endswith("h") else "%Y-%m-%d"
    ax.set_xticks(x[::step], [t.strftime(fmt) for t in table.index[::step]])
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_xlabel(f"period ({freq}, {tz})")
    ax.set_title(f"Customer messages and {_LABELS[metric]} per period")
    ax.right_ax = right  # type: ignore[attr-defined]
    _theme.style(ax)
    return ax
