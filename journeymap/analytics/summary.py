"""Aggregates per touchpoint or stage: :func:`touchpoint_summary`, :func:`pain_points`, :func:`moments_of_truth`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics._checks import check_count
from journeymap.analytics._levels import level_index
from journeymap.analytics._prep import require_journeys, require_scored
from journeymap.analytics._stats import VALENCE_BOUNDS, MeanInterval, top_labels
from journeymap.analytics._summary import customer_messages, customer_steps, summary_frame, summary_row
from journeymap.analytics._tables import ranked
from journeymap.backends import dispatch
from journeymap.schema import SIGNIFICANT_DROP

if TYPE_CHECKING:
    from journeymap.analytics._levels import Level
    from journeymap.distributed import DaskJourneySet
    from journeymap.journeys import JourneySet

__all__ = ["moments_of_truth", "pain_points", "touchpoint_summary"]


@dispatch
def touchpoint_summary(
    js: JourneySet | DaskJourneySet, *, level: Level = "touchpoint", seed: int | np.random.Generator | None = 0
) -> pd.DataFrame:
    """Per touchpoint (or stage): how customers felt there.

    Over the customers' scored messages: ``volume``, then ``n_unscored`` (the customers'
    messages there that were not scored: in a language no scorer given reads, or without text;
    their ``score_note`` says why; 0 where none), ``mean_valence`` with a bootstrap 95%
    interval (``ci_low``, ``ci_high``; 1,000 resamples drawn with ``seed``, never narrower than
    Student's t; the normal approximation above 5,000 messages; NaN for a single message). The
    interval resamples whole customers: one customer's messages are not independent of each
    other, in one journey or across a returning customer's several, so a touchpoint's interval
    is as wide as its number of customers warrants, and NaN when all its messages come from one
    customer. Also
    ``share_negative``, ``share_positive``, ``pos_neg_ratio`` (positive per negative message;
    inf with positive but no negative ones, NaN when all are neutral) and
    ``top_emotions``. Indexed by the touchpoint (or stage); stages come in stage order, as an
    ordered categorical of the stages (``events["stage"]``'s dtype: ``sort_index`` keeps that
    order; steps without a stage as ``"(none)"``, last), touchpoints by volume. A touchpoint
    whose customer messages were none of them scored has a row all the same, of volume 0 and
    NaN figures (``top_emotions`` empty), after the others: it is not dropped without a trace.
    ``level="topic"`` summarises the customers' topics (from :func:`~journeymap.assign_topics`),
    by volume. Journeys from a dask DataFrame
    (:class:`~journeymap.distributed.DaskJourneySet`) are summarised on the cluster. ``seed``
    is what numpy and scikit-learn's ``random_state`` take: an int (the default 0: the same
    intervals every time), None (fresh entropy: the intervals differ from call to call) or a
    ``numpy.random.Generator`` (drawn from in turn: reproducible when it was seeded).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
        >>> summary = jm.touchpoint_summary(js, level="stage")
        >>> list(summary.index)[:2]
        ['contact', 'follow_up']
        >>> bool((summary["ci_low"] <= summary["mean_valence"]).all())
        True
        >>> list(summary.columns[:3]), int(summary["n_unscored"].sum())  # planted scores: every message scored
        (['volume', 'n_unscored', 'mean_valence'], 0)
    """
    js = require_journeys(js, "touchpoint_summary")  # a DaskJourneySet went to the cluster (dispatch)
    steps, unscored = customer_messages(require_scored(js, "touchpoint_summary"), level)
    interval = MeanInterval(seed=seed, bounds=VALENCE_BOUNDS)
    rows = {}
    for key, group in steps.groupby("key", sort=False):
        neg, pos = int(group["negative"].sum()), int(group["positive"].sum())
        rows[str(key)] = summary_row(
            n=len(group),
            estimate=interval(group["valence"].to_numpy(), group["unit"].to_numpy()),
            neg=neg,
            pos=pos,
            top=top_labels(group["emotion"]),
        )
    return summary_frame(rows, level, js.stages.names, unscored)


@dispatch
def pain_points(
    js: JourneySet, *, level: Level = "touchpoint", top: int | None = 10, seed: int | np.random.Generator | None = 0
) -> pd.DataFrame:
    """Touchpoints (or stages) ranked by the pain they cause: volume x negativity.

    ``impact`` is the number of customer messages there times their mean negativity
    (``max(0, -valence)``), i.e. the total negativity felt there; ``impact_low``/``impact_high``
    is its bootstrap 95% interval (resamples of whole customers drawn with ``seed``, as in
    :func:`touchpoint_summary`). Also ``volume`` (the scored customer messages), ``n_unscored``
    (those there that were not scored: in a language no scorer given reads, or without text;
    their ``score_note`` says why; 0 where none), ``mean_negativity``, ``share_negative``,
    ``mean_valence`` and ``top_emotions``. Indexed by the touchpoint (or stage, as an ordered
    categorical of the stages, as in :func:`touchpoint_summary`; or topic with
    ``level="topic"``), ``rank`` first; the ``top`` most painful (None: all). A touchpoint none
    of whose customer messages was scored is ranked after all the others, with volume 0 and NaN
    figures (its ``impact`` too: its pain is unknown, not nil), so it is listed where ``top``
    reaches it rather than dropped; ``n_unscored`` says how much of the pain was not read.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
        >>> pains = jm.pain_points(js, top=3)
        >>> pains.index[0], list(pains["rank"])
        ('billing', [1, 2, 3])
    """
    steps, unscored = customer_messages(require_scored(js, "pain_points"), level)
    steps["negativity"] = (-steps["valence"]).clip(lower=0)
    interval = MeanInterval(seed=seed, bounds=(0.0, 1.0))  # negativity: max(0, -valence)
    rows = {}
    for key, group in steps.groupby("key", sort=False):
        neg = group["negativity"].to_numpy()
        est = interval(neg, group["unit"].to_numpy())
        n = len(group)
        rows[key] = {
            "impact": float(neg.sum()),
            "impact_low": est.low * n,
            "impact_high": est.high * n,
            "volume": n,
            "n_unscored": unscored.get(str(key), 0),
            "mean_negativity": est.mean,
            "share_negative": float(group["negative"].mean()),
            "mean_valence": float(group["valence"].mean()),
            "top_emotions": top_labels(group["emotion"]),
        }
    columns = ["impact", "impact_low", "impact_high", "volume", "n_unscored", "mean_negativity", "share_negative", "mean_valence"]
    unread = {**dict.fromkeys(columns, np.nan), "volume": 0, "top_emotions": ""}  # no message scored there
    rows |= {str(k): {**unread, "n_unscored": n} for k, n in unscored.items() if str(k) not in rows}
    # typed as with rows when there are none (from_dict gives object columns and a number index then)
    dtypes = {**dict.fromkeys(columns, "float64"), "volume": "int64", "n_unscored": "int64", "top_emotions": "string"}
    out = pd.DataFrame.from_dict(rows, orient="index", columns=[*columns, "top_emotions"]).astype(dtypes)
    out.index = out.index.astype("str")
    # ties (equal impact) in name order, so the row order of the input does not decide; an
    # unknown impact (nothing scored there) last, the most unscored messages first
    out = out.rename_axis("_key").reset_index()
    out["_unread"] = out["n_unscored"].where(out["impact"].isna(), 0)
    out = out.sort_values(["impact", "_unread", "_key"], ascending=[False, False, True], kind="stable").drop(columns="_unread")
    out = out.set_index("_key")
    out.index = level_index(out.index, level, js.stages.names)  # stages: an ordered categorical, in rank order here
    return ranked(out, top)


@dispatch
def moments_of_truth(js: JourneySet, *, level: Level = "touchpoint", top: int | None = 10, min_count: int = 3) -> pd.DataFrame:
    """The largest valence drops between consecutive scored customer messages of a journey.

    One row per transition, indexed by (``from``, ``to``) touchpoint, stage (each level an ordered
    categorical of the stages, as in :func:`touchpoint_summary`) or topic: ``rank``,
    ``count``, ``mean_drop`` (mean of previous minus next valence; positive is a drop),
    ``share_drops`` (share of those transitions that got worse by more than
    :data:`~journeymap.schema.SIGNIFICANT_DROP`, 0.25). The ``top`` largest mean drops first
    (None: all); every transition is listed, so where fewer than ``top`` lose valence on average
    the next rows have a negative ``mean_drop``: the valence rose there, and ``share_drops``
    still says how often it fell. A transition seen fewer than ``min_count`` times (default 3,
    as :func:`journeymap.plot.time_patterns` colours an hour) is ranked after those seen more
    often, whatever its mean: one customer's bad moment is no pattern, and a mean of one drop
    would otherwise top the table. ``min_count=1`` ranks every transition by its mean alone.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)), seed=1)
        >>> moments = jm.moments_of_truth(js, level="stage", min_count=1)
        >>> moments.index.names, list(moments.columns)
        (FrozenList(['from', 'to']), ['rank', 'count', 'mean_drop', 'share_drops'])
        >>> bool(moments["mean_drop"].is_monotonic_decreasing)
        True
    """
    steps = customer_steps(require_scored(js, "moments_of_truth"), level)
    g = steps.groupby("journey_id", sort=False)
    prev_key = g["key"].shift()
    drop = g["valence"].shift() - steps["valence"]
    pairs = pd.DataFrame({"from": prev_key, "to": steps["key"], "drop": drop}).dropna()
    pairs["significant"] = pairs["drop"] > SIGNIFICANT_DROP
    by_pair = pairs.groupby(["from", "to"], sort=False)
    stats = pd.DataFrame(
        {"count": by_pair.size(), "mean_drop": by_pair["drop"].mean(), "share_drops": by_pair["significant"].mean()}
    )
    check_count(min_count, "min_count", minimum=1)
    enough = stats["count"] >= min_count
    order = stats.assign(_enough=enough).sort_index()
    order = order.sort_values(["_enough", "mean_drop", "count"], ascending=[False, False, False], kind="stable")  # ties by name
    if level == "stage":  # each level an ordered categorical of the stages, as events["stage"] is
        index = order.index
        order.index = pd.MultiIndex.from_arrays(
            [level_index(index.get_level_values(i), "stage", js.stages.names).rename(index.names[i]) for i in range(2)]
        )
    return ranked(order.drop(columns="_enough"), top)
