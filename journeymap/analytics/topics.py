"""What customers write about, per topic and over time: :func:`topic_summary`, :func:`topic_trends`.

Both read the ``topic`` column that :func:`journeymap.assign_topics` adds to customer messages;
they work on unscored journeys too (the valence columns are then NaN).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics._checks import check_count
from journeymap.analytics._levels import check_level
from journeymap.analytics._prep import interval_units, polarity, require_journeys
from journeymap.analytics._stats import VALENCE_BOUNDS, MeanInterval
from journeymap.analytics._time import check_periods, check_tz, partial_periods, period_alias, period_index, period_start
from journeymap.backends import dispatch
from journeymap.journeys._table import customer_mask

if TYPE_CHECKING:
    import datetime as dt

    from journeymap.journeys import JourneySet

__all__ = ["OTHER_LAST", "topic_summary", "topic_trends"]

#: The topic of messages that fit none; listed last in :func:`topic_summary`.
OTHER_LAST = "other"

_SUMMARY_COLUMNS = ["volume", "share", "scored", "share_negative", "mean_valence", "ci_low", "ci_high", "keywords", "quotes"]


def _topic_messages(js: JourneySet, what: str) -> pd.DataFrame:
    """The customer messages with a topic: ``topic``, ``text``, ``valence``, ``sentiment``, ``topic_score``, ``timestamp``.

    And ``unit``, for the intervals (a customer's messages are resampled together:
    :func:`~journeymap.analytics._prep.interval_units`).

    ``what`` names the function in the error when ``js`` is not a JourneySet.
    """
    events = require_journeys(js, what).events
    check_level("topic", events)
    rows = events.loc[customer_mask(events["actor"]) & events["topic"].notna().to_numpy(dtype=bool)]
    valence = rows["valence"] if "valence" in rows.columns else pd.Series(np.nan, index=rows.index)
    return pd.DataFrame(
        {
            "topic": rows["topic"].astype(str),
            "text": rows["text"].astype("string").fillna("").astype(str),
            "valence": valence.to_numpy(dtype=np.float64, na_value=np.nan),
            "sentiment": rows["sentiment"].to_numpy(dtype=object) if "sentiment" in rows.columns else None,
            "topic_score": rows["topic_score"].to_numpy(dtype=np.float64, na_value=np.nan)
            if "topic_score" in rows.columns
            else np.nan,
            "timestamp": rows["timestamp"],
            "unit": np.asarray(interval_units(rows), dtype=object),
        },
        index=rows.index,
    )


def _quotes(group: pd.DataFrame, n: int) -> list[str]:
    """Up to ``n`` distinct texts of a topic, those that fit it best first (ties: earliest first)."""
    ranked = group.assign(_pos=np.arange(len(group))).sort_values(["topic_score", "_pos"], ascending=[False, True])
    picked: list[str] = []
    for raw in ranked["text"]:
        if len(picked) >= n:
            break
        text = raw.strip()
        if text and text not in picked:
            picked.append(text)
    return picked


@dispatch
def topic_summary(
    js: JourneySet, *, n_keywords: int = 5, n_quotes: int = 3, seed: int | np.random.Generator | None = 0
) -> pd.DataFrame:
    """Per topic: how many customer messages are about it, how their writers feel, its keywords and quotes.

    Over the customer messages with a topic (from :func:`~journeymap.assign_topics`): ``volume``,
    ``share`` (of those messages), ``scored`` (messages with a valence), ``share_negative`` (of
    the scored, negative by their ``sentiment``, else valence below
    :data:`~journeymap.schema.NEGATIVE_VALENCE`), ``mean_valence`` with
    the 95% interval of :func:`~journeymap.touchpoint_summary` (``ci_low``, ``ci_high``;
    bootstrap resamples drawn with ``seed``: an int, None or a ``numpy.random.Generator``, as in
    :func:`~journeymap.touchpoint_summary`), ``keywords`` (the ``n_keywords`` most distinctive
    words and phrases, class-based TF-IDF as the topic model names topics, each used by at
    least two of the topic's customers where it has two) and ``quotes`` (up to
    ``n_quotes`` distinct texts, those that fit the topic best first; both counts are
    non-negative ints). Indexed by ``topic``,
    the largest first and ``"other"`` last. Unscored journeys give NaN valence columns.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing import HashingEncoder
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
        >>> js = jm.assign_topics(js, encoder=HashingEncoder(), cache=False, n_topics=4)
        >>> table = jm.topic_summary(js)
        >>> table.index.name, int(table["volume"].sum()) == int((js.events["actor"] == "customer").sum())
        ('topic', True)
        >>> bool(table["quotes"].map(len).le(3).all())
        True
    """
    from journeymap.topics._describe import CTfidfDescriber

    check_count(n_keywords, "n_keywords", what="number of keywords")
    check_count(n_quotes, "n_quotes", what="number of quotes")
    messages = _topic_messages(js, "topic_summary")
    if messages.empty:
        out = pd.DataFrame(columns=_SUMMARY_COLUMNS, index=pd.Index([], name="topic", dtype="string"))
        return out.astype({"volume": np.int64, "scored": np.int64})
    counts = messages["topic"].value_counts()
    order = sorted(counts.index, key=lambda t: (t == OTHER_LAST, -int(counts[t]), t))
    codes = pd.Categorical(messages["topic"], categories=order).codes.astype(np.int64)
    named = np.where(np.asarray(order)[codes] == OTHER_LAST, -1, codes)
    describer = CTfidfDescriber(n_keywords=n_keywords)  # words several customers use, not one customer's repeats
    keywords = describer.keywords(messages["text"].tolist(), named, len(order), groups=messages["unit"].tolist())
    valences, negative, _ = polarity(messages)
    scored_rows = ~np.isnan(valences)
    interval = MeanInterval(seed=seed, bounds=VALENCE_BOUNDS)
    rows = {}
    for t, topic in enumerate(order):
        in_topic = codes == t
        group = messages[in_topic]
        valence = group["valence"].to_numpy()
        scored = valence[~np.isnan(valence)]
        est = interval(scored, group["unit"].to_numpy(dtype=object)[~np.isnan(valence)])
        rows[topic] = {
            "volume": len(group),
            "share": len(group) / len(messages),
            "scored": len(scored),
            "share_negative": float(negative[in_topic & scored_rows].mean()) if len(scored) else np.nan,
            "mean_valence": est.mean,
            "ci_low": est.low,
            "ci_high": est.high,
            "keywords": keywords[t] if topic != OTHER_LAST else [],
            "quotes": _quotes(group, n_quotes),
        }
    out = pd.DataFrame.from_dict(rows, orient="index", columns=_SUMMARY_COLUMNS)
    out.index = pd.Index(out.index, dtype="string", name="topic")  # as events["topic"]
    return out


@dispatch
def topic_trends(js: JourneySet, *, freq: str = "W", tz: str | dt.tzinfo | None = None) -> pd.DataFrame:
    """Per period and topic: messages, their share of the period, share negative and mean valence.

    One row per (``period``, ``topic``) for every period from the first customer message with a
    topic to the last (a topic absent from a period has volume 0 there), periods as in
    :func:`~journeymap.trends` (``freq``, ``tz``; None is the journeys' zone, else UTC). Columns:
    ``volume``, ``scored`` (of those, the messages with a valence: what the next two are read
    on), ``share`` (of the period's messages with a topic; NaN in a period without any),
    ``share_negative`` and ``mean_valence`` (of the scored; NaN where none), and ``partial``
    (the first or last period, when the data covers less than 90% of it, as in :func:`~journeymap.trends`).
    A ``freq`` that would make more than :data:`~journeymap.analytics._time.MAX_PERIODS` periods
    over the data's span is refused, as in :func:`~journeymap.trends`.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing import HashingEncoder
        >>> js = jm.build_journeys(jm.datasets.service_journeys(30, seed=0))
        >>> js = jm.assign_topics(js, encoder=HashingEncoder(), cache=False, n_topics=3)
        >>> weekly = jm.topic_trends(js, freq="W")
        >>> weekly.index.names, int(weekly["volume"].sum()) == int((js.events["actor"] == "customer").sum())
        (FrozenList(['period', 'topic']), True)
    """
    period_alias(freq)  # a bad freq fails here, naming it, on any data
    tz = check_tz(tz, js)
    messages = _topic_messages(js, "topic_trends")
    check_periods(freq, js.events["timestamp"], tz)  # too many periods for the data: refused before any is made
    columns = ["volume", "scored", "share", "share_negative", "mean_valence", "partial"]
    if messages.empty:
        index = pd.MultiIndex.from_arrays([pd.DatetimeIndex([], tz=tz), pd.Index([], dtype=object)], names=["period", "topic"])
        empty = pd.DataFrame(index=index, columns=columns)
        return empty.astype({"volume": np.int64, "scored": np.int64, "share": float, "partial": bool})
    frame = pd.DataFrame(
        {
            "period": period_start(messages["timestamp"], freq, tz).to_numpy(),
            "topic": messages["topic"].to_numpy(),
            "valence": messages["valence"].to_numpy(),
        }
    )
    _, negative, _ = polarity(messages)
    frame["negative"] = np.where(np.isnan(frame["valence"]), np.nan, negative)
    g = frame.groupby(["period", "topic"], sort=True)
    stats = pd.DataFrame(
        {
            "volume": g.size(),
            "scored": g["valence"].count(),
            "share_negative": g["negative"].mean(),
            "mean_valence": g["valence"].mean(),
        }
    )
    all_periods = period_index(pd.Index(frame["period"].unique()), freq, tz)
    topics = sorted(frame["topic"].unique(), key=lambda t: (t == OTHER_LAST, t))
    index = pd.MultiIndex.from_product([all_periods, topics], names=["period", "topic"])
    out = stats.reindex(index)
    out["volume"] = out["volume"].fillna(0).astype(np.int64)
    out["scored"] = out["scored"].fillna(0).astype(np.int64)
    totals = out.groupby(level="period")["volume"].transform("sum")
    out["share"] = (out["volume"] / totals.where(totals > 0)).astype(float)
    # the data's first and last periods may be covered only in part, as in trends
    stamps = js.events["timestamp"]
    partial = pd.Series(partial_periods(all_periods, freq, tz, stamps.min(), stamps.max()), index=all_periods)
    out["partial"] = partial.reindex(out.index.get_level_values("period")).to_numpy(dtype=bool)
    return out[columns]
