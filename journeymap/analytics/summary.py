"""Aggregates per touchpoint or stage: :func:`touchpoint_summary`, :func:`pain_points`, :func:`moments_of_truth`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics._prep import require_scored
from journeymap.analytics._stats import MeanInterval, top_labels
from journeymap.analytics._summary import customer_steps, summary_frame, summary_row
from journeymap.backends import dispatch
from journeymap.schema import SIGNIFICANT_DROP

if TYPE_CHECKING:
    from journeymap.analytics._levels import Level
    from journeymap.journeys import JourneySet

__all__ = ["moments_of_truth", "pain_points", "touchpoint_summary"]

@dispatch
def touchpoint_summary(js: JourneySet, *, level: Level = "touchpoint", seed: int = 0) -> pd.DataFrame:
    """Per touchpoint (or stage): how customers felt there.

    Over the customers' scored messages: ``volume``, ``mean_valence`` with a bootstrap 95%
    interval (``ci_low``, ``ci_high``; 1,000 resamples, seeded; the normal approximation above
    5,000 messages), ``share_negative``, ``share_positive``, ``pos_neg_ratio`` (positive per
    negative message; inf with no negative) and ``top_emotions``. Stages come in stage order,
    touchpoints by volume. Journeys from a dask DataFrame
    (:class:`~journeymap.distributed.DaskJourneySet`) are summarised on the cluster.

    Example:
        >>> import journeymap as jm
        >>> js = jm.score(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)), cache=False)
        >>> list(jm.touchpoint_summary(js, level="stage").index)[:2]
        ['contact', 'follow_up']
    """
    steps = customer_steps(require_scored(js, "touchpoint_summary"), level)
    interval = MeanInterval(seed=seed)
    rows = {}
    for key, group in steps.groupby("key", sort=False):
        neg, pos = int(group["negative"].sum()), int(group["positive"].sum())
        rows[str(key)] = summary_row(
            n=len(group), estimate=interval(group["valence"].to_numpy()), neg=neg, pos=pos, top=top_labels(group["emotion"])
        )
    return summary_frame(rows, level, js.stages.names)


@dispatch
def pain_points(js: JourneySet, *, level: Level = "touchpoint", top: int = 10, seed: int = 0) -> pd.DataFrame:
    """Touchpoints (or stages) ranked by the pain they cause: volume x negativity.

    ``impact`` is the number of customer messages there times their mean negativity
    (``max(0, -valence)``), i.e. the total negativity felt there; ``impact_low``/``impact_high``
    is its bootstrap 95% interval. Also ``volume``, ``mean_negativity``, ``share_negative``,
    ``mean_valence`` and ``top_emotions``. The ``top`` largest, most painful first.

    Example:
        >>> import journeymap as jm
        >>> js = jm.score(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)), cache=False)
        >>> jm.pain_points(js).index[0]
        'billing'
    """
    steps = customer_steps(require_scored(js, "pain_points"), level)
    steps["negativity"] = (-steps["valence"]).clip(lower=0)
    interval = MeanInterval(seed=seed)
    rows = {}
    for key, group in steps.groupby("key", sort=False):
        neg = group["negativity"].to_numpy()
        est = interval(neg)
        n = len(group)
        rows[key] = {
            "impact": float(neg.sum()),
            "impact_low": est.low * n,
            "impact_high": est.high * n,
            "volume": n,
            "mean_negativity": est.mean,
            "share_negative": float(group["negative"].mean()),
            "mean_valence": float(group["valence"].mean()),
            "top_emotions": top_labels(group["emotion"]),
        }
    out = pd.DataFrame.from_dict(rows, orient="index").sort_values("impact", ascending=False, kind="stable")
    out.index.name = level
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.head(top)


@dispatch
def moments_of_truth(js: JourneySet, *, level: Level = "touchpoint", top: int = 10) -> pd.DataFrame:
    """The largest valence drops between consecutive scored customer messages of a journey.

    One row per transition (``from`` -> ``to`` touchpoint or stage): ``count``, ``mean_drop``
    (mean of previous minus next valence; positive is a drop), ``share_drops`` (share of those
    transitions that got worse by more than :data:`~journeymap.schema.SIGNIFICANT_DROP`, 0.25).
    The ``top`` largest mean drops first.

    Example:
        >>> import journeymap as jm
        >>> js = jm.score(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)), cache=False)
        >>> list(jm.moments_of_truth(js).columns)
        ['from', 'to', 'count', 'mean_drop', 'share_drops']
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
    out = stats.reset_index().sort_values(["mean_drop", "count"], ascending=[False, False], kind="stable")
    return out.head(top).reset_index(drop=True)
