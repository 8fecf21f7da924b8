"""Comparing customer segments: :func:`compare_segments`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics.metrics import journey_metrics
from journeymap.backends import dispatch
from journeymap.exceptions import SchemaError
from journeymap.schema import NEGATIVE_VALENCE

if TYPE_CHECKING:
    from journeymap.journeys import JourneySet

__all__ = ["compare_segments"]


def _cohens_d(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    pooled = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2))
    return float((a.mean() - b.mean()) / pooled) if pooled > 0 else 0.0


@dispatch
def compare_segments(js: JourneySet, by: str, *, measure: str = "end_valence") -> pd.DataFrame:
    """Journey measures per segment, each segment tested against the rest.

    ``by`` says what rows are grouped by, as in pandas' ``groupby(by=...)``: here a column. A
    journey's segment is the value of column ``by`` at its first customer step (a customer
    attribute such as tier or region); the result is indexed by the segment value, the index
    named after the column. Per segment: ``n_journeys``, ``mean_valence``,
    ``end_valence``, ``share_negative_end`` (journeys ending below
    :data:`~journeymap.schema.NEGATIVE_VALENCE`, -0.25), ``recovery_rate``;
    then, for ``measure`` (a :func:`journey_metrics` column, default ``end_valence``): the
    difference to the other segments' journeys (``diff_vs_rest``), Cohen's d (``effect_size``),
    and the two-sided Mann-Whitney U p-value (``p_value``). ``kruskal_p`` (the same on every
    row) tests whether any segment differs.

    Example:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
        >>> segments = jm.compare_segments(js, "tier")
        >>> segments.index.name, sorted(segments.index)
        ('tier', ['free', 'plus', 'premium'])
        >>> int(segments["n_journeys"].sum()) == len(js)
        True
    """
    from scipy import stats

    events = js.events
    if by not in events.columns:
        msg = f"compare_segments: no column {by!r} in the events; columns: {list(events.columns)}"
        raise SchemaError(msg)
    metrics = journey_metrics(js)
    if measure not in metrics.columns:
        msg = f"measure must be a journey_metrics column, got {measure!r}"
        raise ValueError(msg)
    customer = events["actor"].astype("string") == "customer"
    first = events[customer].groupby("journey_id", sort=False)[by].first()
    metrics["segment"] = first.reindex(metrics.index).astype("string")
    metrics = metrics[metrics["segment"].notna() & metrics[measure].notna()]
    groups = {key: g for key, g in metrics.groupby("segment", sort=True)}  # noqa: C416 - dict(groupby) reads .keys
    samples = [g[measure].to_numpy(dtype=float) for g in groups.values()]
    kruskal = float(stats.kruskal(*samples).pvalue) if len(samples) > 1 and all(len(s) > 0 for s in samples) else np.nan
    rows = {}
    for key, g in groups.items():
        x = g[measure].to_numpy(dtype=float)
        rest = metrics.loc[metrics["segment"] != key, measure].to_numpy(dtype=float)
        p = float(stats.mannwhitneyu(x, rest, alternative="two-sided").pvalue) if len(x) and len(rest) else np.nan
        rows[key] = {
            "n_journeys": len(g),
            "mean_valence": float(g["mean_valence"].mean()),
            "end_valence": float(g["end_valence"].mean()),
            "share_negative_end": float((g["end_valence"] < NEGATIVE_VALENCE).mean()),
            "recovery_rate": float(g["recovered"].mean()),
            "diff_vs_rest": float(x.mean() - rest.mean()) if len(rest) else np.nan,
            "effect_size": _cohens_d(x, rest),
            "p_value": p,
            "kruskal_p": kruskal,
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by
    return out
