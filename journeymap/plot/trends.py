"""Service and topics over time: :func:`trends`, :func:`topic_trends`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from journeymap.analytics.topics import OTHER_LAST
from journeymap.analytics.topics import topic_trends as topic_table
from journeymap.analytics.trends import trends as trends_table
from journeymap.backends import dispatch
from journeymap.plot import _theme

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from journeymap.journeys import JourneySet

__all__ = ["topic_trends", "trends"]

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
    if table.empty:
        return _theme.empty(ax, "customer messages")
    x = np.arange(len(table))
    ax.bar(x, table["volume"].to_numpy(), color=_theme.GREYS[0], label="customer messages")
    ax.set_ylabel("customer messages")
    values = table[metric]
    y = values.dt.total_seconds().to_numpy() / 3600 if metric == "first_response_median" else values.to_numpy(dtype=float)
    right = ax.twinx()
    right.plot(x, y, color=_theme.BRAND, marker="o", lw=1.8, label=_LABELS[metric])
    right.set_ylabel(_LABELS[metric])
    step = max(1, len(table) // 12)
    ax.set_xticks(x[::step], [t.strftime(tick_format(pd.DatetimeIndex(table.index))) for t in table.index[::step]])
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_xlabel(f"period ({freq}, {tz})")
    ax.set_title(f"Customer messages and {_LABELS[metric]} per period")
    ax.right_ax = right  # type: ignore[attr-defined]
    _theme.style(ax)
    return ax


def tick_format(index: pd.DatetimeIndex) -> str:
    """Dates, with the time of day where periods start within a day ("3h", "30min")."""
    steps = np.diff(index.asi8)
    return "%Y-%m-%d %H:%M" if len(steps) and steps.min() < 86_400 * 10**9 else "%Y-%m-%d"


_TOPIC_LABELS = {
    "volume": "customer messages",
    "share": "share of the period's messages",
    "share_negative": "share of messages negative",
    "mean_valence": "mean valence",
}


@dispatch(name="plot.topic_trends")
def topic_trends(
    js: JourneySet,
    *,
    freq: str = "W",
    metric: Literal["volume", "share", "share_negative", "mean_valence"] = "volume",
    top: int = 6,
    tz: str = "UTC",
    ax: Axes | None = None,
) -> Axes:
    """One line per topic over time: the ``top`` largest topics' messages per period (or ``metric``).

    The numbers are :func:`journeymap.topic_trends`' (same ``freq`` and ``tz``); ``metric``
    picks what is drawn: messages (the default), their share of the period, the share of
    negative messages or the mean valence. ``"other"`` is not drawn.

    Example:
        >>> import journeymap as jm
        >>> from journeymap.testing import HashingEncoder
        >>> js = jm.build_journeys(jm.datasets.service_journeys(40, seed=0))
        >>> js = jm.assign_topics(js, encoder=HashingEncoder(), cache=False, n_topics=3)
        >>> ax = jm.plot.topic_trends(js, freq="W")
        >>> len(ax.get_lines()), ax.get_ylabel()
        (3, 'customer messages')
    """
    if metric not in _TOPIC_LABELS:
        msg = f"metric must be one of {sorted(_TOPIC_LABELS)}, got {metric!r}"
        raise ValueError(msg)
    table = topic_table(js, freq=freq, tz=tz)
    ax = _theme.get_ax(ax, figsize=(10, 4))
    totals = table.groupby(level="topic")["volume"].sum().drop(OTHER_LAST, errors="ignore")
    totals = totals[totals > 0]
    if totals.empty:
        return _theme.empty(ax, "customer messages with a topic")
    shown = sorted(totals.index, key=lambda t: (-int(totals[t]), str(t)))[: max(top, 1)]
    periods = table.index.get_level_values("period").unique()
    x = np.arange(len(periods))
    for topic in shown:
        values = table.xs(topic, level="topic")[metric].reindex(periods).to_numpy(dtype=float)
        ax.plot(x, values, marker="o", lw=1.6, ms=3, label=_theme.wrap(str(topic), 24))
    ax.set_ylabel(_TOPIC_LABELS[metric])
    step = max(1, len(periods) // 12)
    fmt = tick_format(pd.DatetimeIndex(periods))
    ax.set_xticks(x[::step], [t.strftime(fmt) for t in periods[::step]])
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_xlabel(f"period ({freq}, {tz})")
    ax.set_title(f"Topics over time: {_TOPIC_LABELS[metric]} per period")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _theme.style(ax)
    return ax
