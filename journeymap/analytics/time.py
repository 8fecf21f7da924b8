"""When customers write and how they feel: :func:`time_patterns`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from journeymap.analytics._prep import require_journeys
from journeymap.analytics._time import check_tz, hour_frame, patterns_frame
from journeymap.backends import dispatch

if TYPE_CHECKING:
    import datetime as dt

    from journeymap.distributed import DaskJourneySet
    from journeymap.journeys import JourneySet

__all__ = ["time_patterns"]


@dispatch
def time_patterns(js: JourneySet | DaskJourneySet, *, tz: str | dt.tzinfo | None = None) -> pd.DataFrame:
    """Customer-message volume, share negative and mean valence by weekday x hour of day.

    Args:
        js: journeys, scored or not (unscored, ``share_negative`` and ``mean_valence`` are NaN,
            as in :func:`~journeymap.trends`: the volume needs no scores).
        tz: the timezone hours and weekdays are read in (an IANA name such as
            ``"Europe/London"``, a fixed offset such as ``"+05:30"`` or a ``datetime.tzinfo``);
            None is the zone the events were read in (``read_events(tz=...)``, kept as ``js.tz``), else UTC.

    Returns:
        168 rows (every weekday and hour, also the empty ones), indexed by (``weekday``,
        ``hour``): weekday an ordered categorical (Monday first), hour 0-23; columns ``volume``
        (customer messages, scored or not, as in :func:`~journeymap.trends`), ``scored`` (of
        those, the ones with a valence), ``share_negative`` and ``mean_valence`` (of the scored
        ones; NaN where there were none).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
        >>> tp = jm.time_patterns(js, tz="Europe/Paris")
        >>> len(tp), tp.index.names
        (168, FrozenList(['weekday', 'hour']))
        >>> int(tp["volume"].sum()) == int((js.events["actor"] == "customer").sum())
        True
        >>> utc = jm.time_patterns(js, tz="UTC")  # Paris is an hour ahead of UTC in March: 13:00 UTC is 14:00 there
        >>> [int(utc.loc[("Monday", h), "volume"]) for h in (13, 14)], [int(tp.loc[("Monday", h), "volume"]) for h in (14, 15)]
        ([2, 1], [2, 1])
    """
    js = require_journeys(js, "time_patterns")  # a DaskJourneySet went to the cluster (dispatch)
    tz = check_tz(tz, js)
    frame = hour_frame(js.events, tz)
    g = frame.groupby(["weekday", "hour"])
    stats = pd.DataFrame(
        {
            "volume": g.size(),
            "scored": g["valence"].count(),
            "share_negative": g["negative"].mean(),
            "mean_valence": g["valence"].mean(),
        }
    )
    return patterns_frame(stats)
