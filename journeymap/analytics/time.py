"""When customers write and how they feel: :func:`time_patterns`."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from journeymap._dispatch import distributed_module
from journeymap.analytics._prep import flags, require_scored

if TYPE_CHECKING:
    from journeymap.journeys import JourneySet

__all__ = ["WEEKDAYS", "time_patterns"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def time_patterns(js: JourneySet, *, tz: str = "UTC") -> pd.DataFrame:
    """Customer-message volume, share negative and mean valence by weekday x hour of day.

    Args:
        js: scored journeys.
        tz: the timezone hours and weekdays are read in (an IANA name such as
            ``"Europe/London"``).

    Returns:
        168 rows (every weekday and hour, also the empty ones): ``weekday`` (ordered
        categorical, Monday first), ``hour`` (0-23), ``volume``, ``share_negative`` and
        ``mean_valence`` (NaN where there were no scored messages).

    Example:
        >>> import journeymap as jm
        >>> js = jm.score(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)), cache=False)
        >>> tp = jm.time_patterns(js, tz="Europe/Paris")
        >>> len(tp)
        168
    """
    if (distributed := distributed_module(js)) is not None:
        return cast("pd.DataFrame", distributed.time_patterns(js, tz=tz))
    events = require_scored(js, "time_patterns")
    frame = hour_frame(events, tz)
    g = frame.groupby(["weekday", "hour"])
    stats = pd.DataFrame({"volume": g.size(), "share_negative": g["negative"].mean(), "mean_valence": g["valence"].mean()})
    return patterns_frame(stats)


def hour_frame(events: pd.DataFrame, tz: str) -> pd.DataFrame:
    """The customers' scored messages: ``weekday`` (0 is Monday), ``hour``, ``negative``, ``valence``."""
    f = flags(events)
    local = events["timestamp"].dt.tz_convert(tz)
    cust = f["customer"] & f["scored"]
    return pd.DataFrame(
        {
            "weekday": local.dt.day_of_week[cust],
            "hour": local.dt.hour[cust],
            "negative": f.loc[cust, "negative"],
            "valence": f.loc[cust, "valence"],
        }
    )


def patterns_frame(stats: pd.DataFrame) -> pd.DataFrame:
    """All 168 weekday x hour rows from ``volume``, ``share_negative``, ``mean_valence`` per (weekday, hour)."""
    full = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    stats = stats[["volume", "share_negative", "mean_valence"]].reindex(full)
    stats["volume"] = stats["volume"].fillna(0).astype("int64")
    out = stats.reset_index()
    out["weekday"] = pd.Categorical.from_codes(
        out["weekday"].to_numpy(dtype=np.int64), dtype=pd.CategoricalDtype(list(WEEKDAYS), ordered=True)
    )
    return out
