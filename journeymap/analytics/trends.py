"""How service changes over time: :func:`trends`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from journeymap.analytics._durations import seconds_as_durations
from journeymap.analytics._prep import polarity, require_journeys
from journeymap.analytics._replies import is_customer
from journeymap.analytics._time import check_periods, check_tz, partial_periods, period_alias, period_index, period_start
from journeymap.analytics.automatic import AutoReplyRule, check_auto, reply_context, rule_key
from journeymap.analytics.service import check_bots, response_table, warn_customers_only
from journeymap.backends import dispatch

if TYPE_CHECKING:
    import datetime as dt

    from journeymap.journeys import JourneySet

__all__ = ["trends"]


@dispatch
def trends(
    js: JourneySet,
    *,
    freq: str = "W",
    tz: str | dt.tzinfo | None = None,
    bots: Literal["exclude", "include"] = "exclude",
    auto: AutoReplyRule | None = None,
) -> pd.DataFrame:
    """Per period: customer messages, share negative, mean valence and median first response.

    Args:
        js: journeys (scored or not: unscored give NaN valence columns).
        freq: the period: ``"D"`` (days), ``"W"`` (weeks starting on Monday), ``"M"`` (months;
            ``"MS"`` and ``"ME"`` mean the same), ``"Q"``, ``"Y"``, ``"h"`` (hours), or a fixed
            length such as ``"6h"`` or ``"14D"``. Periods start on the wall clock of ``tz``;
            one that starts in the hour the clocks repeat when daylight-saving time ends is two
            periods (hourly: ``01:00+01:00``, then ``01:00+00:00``), and a longer period that
            holds that hour holds both passes of it (a 2-hour period across the change lasts
            three hours; a day is a calendar date).
        tz: the timezone periods are read in: an IANA name such as ``"Europe/London"``, a fixed
            offset such as ``"+05:30"`` or a ``datetime.tzinfo``; None is the zone the events
            were read in (``read_events(tz=...)``, kept as ``js.tz``), else UTC.
        bots: ``"exclude"`` (default): first responses are to the first human reply (see
            :func:`~journeymap.response_times`); ``"include"``: to any reply.
        auto: the rule telling automatic replies (default :class:`~journeymap.AutoReplyRule`).

    Raises:
        TypeError: ``js`` is not a JourneySet; ``freq`` or ``tz`` of the wrong type.
        ValueError: a ``freq`` that is no period (or not a positive length), an unknown ``tz``;
            a ``freq`` that would make more than :data:`~journeymap.analytics._time.MAX_PERIODS`
            (100,000) periods over the data's span (``"ms"``, milliseconds, given for ``"MS"``,
            month start, is refused with that hint) or periods that start outside the times pandas
            holds (a week of data from 1677-09-23 starts on 1677-09-20); see
            :func:`~journeymap.analytics._time.check_periods`.

    Returns:
        One row per period from the first to the last (empty periods included), indexed by
        ``period`` (its start, in ``tz``): ``volume`` (customer messages sent in it),
        ``scored``, ``share_negative`` (of the scored ones, negative by their ``sentiment``, else
        valence below :data:`~journeymap.schema.NEGATIVE_VALENCE`), ``mean_valence``, ``journeys`` (journeys
        whose opening message falls in it: the first addressed to a brand, as ``first_response`` is
        timed from), ``first_response_median`` (over those that
        were answered), ``unanswered`` (their share with no reply by the end of the data; those
        whose reply is outside the data, ``reply_outside_data``, those that open with a reply
        to a message outside the data, ``opened_outside``, and those whose first message needs
        no public reply, ``no_reply_needed``, count as neither) and ``partial``
        (the first or last period, when the data covers less than 90% of it: its counts are not
        a whole period's; :func:`~journeymap.analytics._time.partial_periods`).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
        >>> weekly = jm.trends(js, freq="W")
        >>> weekly.index.name, int(weekly["volume"].sum()) == int((js.events["actor"] == "customer").sum())
        ('period', True)
        >>> bool(weekly.index.min().day_name() == "Monday")
        True
    """
    js = require_journeys(js, "trends")
    period_alias(freq)  # a bad freq fails here, naming it, on any data
    tz = check_tz(tz, js)
    check_bots(bots)
    check_auto(auto)
    events = js.events
    check_periods(freq, events["timestamp"], tz)  # and one that makes too many periods of the data, before any is made
    warn_customers_only(events, "trends")
    if auto is None or type(auto) is AutoReplyRule:  # a rule of one's own may read more than its fields
        rule, default = rule_key(auto)
        key = ("trends", freq, tz, bots, rule)
        if _hashable(key):
            # computed once per JourneySet: plot.trends, the report and `map --tables` ask for the same table;
            # of other options (per-request freq, tz or rule) only the last few are kept
            variant = not (default and freq == "W" and tz == check_tz(None, js) and bots == "exclude")
            return js.cached(key, lambda: _trends(js, freq=freq, tz=tz, bots=bots, auto=auto), variant=variant).copy()
    return _trends(js, freq=freq, tz=tz, bots=bots, auto=auto)


def _hashable(key: tuple[object, ...]) -> bool:
    try:
        hash(key)
    except TypeError:  # a tzinfo of one's own
        return False
    return True


def _trends(
    js: JourneySet,
    *,
    freq: str,
    tz: str | dt.tzinfo,
    bots: Literal["exclude", "include"],
    auto: AutoReplyRule | None,
) -> pd.DataFrame:
    """:func:`trends` of checked arguments (``tz`` read by ``check_tz``)."""
    events = js.events
    customer = is_customer(events)
    cust = events.loc[customer]
    valence, negative, _ = polarity(cust)
    period = period_start(cust["timestamp"], freq, tz)
    frame = pd.DataFrame({"period": period.to_numpy(), "valence": valence, "scored": ~np.isnan(valence), "negative": negative})
    g = frame.groupby("period", sort=True)
    stats = pd.DataFrame({"volume": g.size(), "scored": g["scored"].sum(), "n_negative": g["negative"].sum()})
    stats["mean_valence"] = g["valence"].mean()
    rt = response_table(js, bots=bots, auto=auto)
    # a journey's period is its opening message's, the one first_response is timed from
    opening = events.iloc[reply_context(js).openings()]
    first_t = opening["timestamp"].set_axis(pd.Index(opening["journey_id"].to_numpy()))
    rt = rt.loc[first_t.index]
    journeys = pd.DataFrame(
        {
            "period": period_start(first_t, freq, tz).to_numpy(),
            "fr": rt["first_response"].dt.total_seconds().to_numpy(),
            "censored": rt["censored"].to_numpy(dtype=bool),
            # answered or not is known: a first message whose reply is outside the data is neither
            "known": (rt["censored"] | rt["first_response"].notna()).to_numpy(dtype=bool),
        }
    )
    gj = journeys.groupby("period", sort=True)
    index = period_index(stats.index, freq, tz) if len(stats) else pd.DatetimeIndex([], tz=tz, name="period").as_unit("ns")
    out = pd.DataFrame(index=index)
    out["volume"] = stats["volume"].reindex(index).fillna(0).astype(np.int64)
    out["scored"] = stats["scored"].reindex(index).fillna(0).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share_negative"] = (stats["n_negative"] / stats["scored"].where(stats["scored"] > 0)).reindex(index)
    out["mean_valence"] = stats["mean_valence"].reindex(index)
    out["journeys"] = gj.size().reindex(index).fillna(0).astype(np.int64)
    # timedelta64[ns] whatever the values (pd.to_timedelta(unit="s") picks [us] for whole seconds)
    out["first_response_median"] = seconds_as_durations(gj["fr"].median().reindex(index))
    with np.errstate(invalid="ignore", divide="ignore"):
        known = gj["known"].sum()
        out["unanswered"] = (gj["censored"].sum() / known.where(known > 0)).reindex(index)
    out["partial"] = partial_periods(index, freq, tz, events["timestamp"].min(), events["timestamp"].max())
    return out
