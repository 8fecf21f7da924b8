"""Aggregates on a Dask cluster: tree reductions of mergeable partial statistics.

:func:`touchpoint_summary`, :func:`journey_graph` and :func:`time_patterns` reduce partials
(:mod:`journeymap.distributed._partials`) computed per partition by the single-machine
"rows to statistics" half, and finish with the single-machine "statistics to result" half.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from dask.delayed import delayed

from journeymap.analytics._graph import assemble_graph, graph_steps, node_attrs
from journeymap.analytics._levels import check_level
from journeymap.analytics._prep import unscored_error
from journeymap.analytics._stats import VALENCE_BOUNDS, Estimate, MeanInterval
from journeymap.analytics._summary import customer_messages, summary_frame, summary_row
from journeymap.analytics._time import check_tz, hour_frame, patterns_frame
from journeymap.distributed._partials import GroupMoments, HourStats, NodeStats, SummaryStats, edge_partial
from journeymap.distributed.journeys import DaskJourneySet
from journeymap.exceptions import ArgumentTypeError
from journeymap.journeys import JourneySet
from journeymap.journeys._table import journey_starts

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    import dask.dataframe as dd
    import networkx as nx
    from dask.delayed import Delayed

__all__ = ["journey_graph", "time_patterns", "touchpoint_summary", "tree_reduce"]

#: Partials merged per task in the tree reductions.
SPLIT_EVERY = 8


def _require_scored(js: Any, what: str, *, scored: bool = True) -> DaskJourneySet:
    """``js`` itself where it is a DaskJourneySet (and scored, unless ``scored=False``); else the error naming ``what``."""
    if isinstance(js, JourneySet):
        msg = f"{what} here is the distributed version and needs a DaskJourneySet; for a JourneySet use journeymap.{what}"
        raise ArgumentTypeError(msg)
    if not isinstance(js, DaskJourneySet):
        msg = f"{what} needs a DaskJourneySet (from journeymap.distributed.build_journeys), got {type(js).__name__}"
        raise ArgumentTypeError(msg)
    if scored and not js.is_scored:  # jm.score(djs) scores on the cluster: the single-machine error and message
        raise unscored_error(what)
    return js


def _merge_all(*partials: Any) -> Any:
    return functools.reduce(lambda a, b: a.merge(b), partials)


def tree_reduce(events: dd.DataFrame, chunk: Callable[[pd.DataFrame], Any], *, split_every: int = SPLIT_EVERY) -> Delayed:
    """``chunk`` on every partition, then its results merged ``split_every`` at a time up a tree.

    The partials must have a ``merge`` method that is associative; the result is a Delayed.

    Examples:
        >>> import dask.dataframe as dd
        >>> class Count:  # a partial: the rows of some partitions
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def merge(self, other):
        ...         return Count(self.n + other.n)
        >>> events = dd.from_pandas(pd.DataFrame({"x": range(10)}), npartitions=5)
        >>> total = tree_reduce(events, lambda part: Count(len(part)), split_every=2)
        >>> total.compute(scheduler="synchronous").n
        10
    """
    level = [delayed(chunk)(part) for part in events.to_delayed()]
    while len(level) > 1:
        level = [delayed(_merge_all)(*level[i : i + split_every]) for i in range(0, len(level), split_every)]
    return level[0]


def _moments(part: pd.DataFrame, steps: pd.DataFrame, *, key: pd.Series, label: pd.Series) -> GroupMoments:
    """GroupMoments of the valence of the given steps of a partition."""
    return GroupMoments.of(
        pd.DataFrame(
            {
                "key": key,
                "value": steps["valence"],
                "negative": steps["negative"],
                "positive": steps["positive"],
                "label": label,
                "start": journey_starts(part).reindex(steps.index),
                "journey_id": steps["journey_id"],
                "step": part["step"].reindex(steps.index),
                "unit": steps["unit"],
            }
        )
    )


def _labels(frame: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The ``emotion`` labels of ``index``'s rows; NA for a valence of the user's own without labels."""
    if "emotion" not in frame.columns:
        return pd.Series(pd.NA, index=index, dtype="string")
    return frame["emotion"].reindex(index)


def _summary_chunk(part: pd.DataFrame, *, level: str) -> SummaryStats:
    steps, unscored = customer_messages(part, level)
    return SummaryStats(_moments(part, steps, key=steps["key"], label=steps["emotion"]), unscored)


def touchpoint_summary(
    js: DaskJourneySet,
    *,
    level: Literal["touchpoint", "stage", "topic"] = "touchpoint",
    seed: int | np.random.Generator | None = 0,
) -> pd.DataFrame:
    """:func:`journeymap.touchpoint_summary` as a tree reduction; the same frame, computed.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas, touchpoint_summary
        >>> from journeymap.testing.data import planted_scores
        >>> log = from_pandas(jm.datasets.service_journeys(30, seed=0), npartitions=2)
        >>> djs = build_journeys(log)
        >>> djs = djs.with_events(djs.events.map_partitions(planted_scores))
        >>> touchpoint_summary(djs, level="stage").index[0]
        'contact'
    """
    djs = _require_scored(js, "touchpoint_summary")
    stats: SummaryStats = tree_reduce(
        djs.events, functools.partial(_summary_chunk, level=check_level(level, djs.events._meta))
    ).compute()
    m = stats.moments
    interval = MeanInterval(seed=seed, bounds=VALENCE_BOUNDS)
    rows = {}
    for key in m.keys():  # noqa: SIM118 - GroupMoments is not a mapping
        n, neg, pos = m.count(key), m.count(key, "neg"), m.count(key, "pos")
        rows[key] = summary_row(n=n, estimate=m.estimate(key, interval), neg=neg, pos=pos, top=m.top(key))
    return summary_frame(rows, level, djs.stages.names, stats.unscored)


def _graph_chunk(part: pd.DataFrame, *, level: str) -> NodeStats:
    f, pairs = graph_steps(part, level)
    g = f.groupby("key", sort=True)
    unscored = (f["customer"] & ~f["scored"]).groupby(f["key"], sort=True).sum()
    steps = pd.DataFrame({"volume": g.size(), "rank_sum": g["stage_code"].sum(), "unscored": unscored}).astype(np.float64)
    cust = f[f["customer"] & f["scored"]]
    moments = _moments(part, cust, key=cust["key"], label=_labels(part, cust.index))
    edges, seconds = edge_partial(pairs)
    max_rank = float(f["stage_code"].max()) if len(f) else -np.inf
    return NodeStats(steps, moments, edges, seconds, int(f["journey_id"].nunique()), max_rank)


def journey_graph(
    js: DaskJourneySet,
    *,
    level: Literal["touchpoint", "stage", "topic"] = "touchpoint",
    seed: int | np.random.Generator | None = 0,
) -> nx.DiGraph:
    """:func:`journeymap.journey_graph` as a tree reduction; the same graph.

    Node and edge statistics are merged from partitions: counts and sums add, valence moments
    merge exactly, intervals use the gathered values of small nodes (as the bootstrap does on one
    machine, with the same ``seed``), and the median durations come from exact duration counts.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas, journey_graph
        >>> from journeymap.testing.data import planted_scores
        >>> djs = build_journeys(from_pandas(jm.datasets.service_journeys(30, seed=0), npartitions=2))
        >>> djs = djs.with_events(djs.events.map_partitions(planted_scores))
        >>> journey_graph(djs, level="stage").has_edge("__start__", "contact")
        True
    """
    djs = _require_scored(js, "journey_graph")
    s: NodeStats = tree_reduce(djs.events, functools.partial(_graph_chunk, level=check_level(level, djs.events._meta))).compute()
    m = s.customer
    interval = MeanInterval(seed=seed, bounds=VALENCE_BOUNDS)
    nodes = {}
    for key in sorted(map(str, s.steps.index)):
        volume = int(s.steps["volume"].get(key, 0))
        n_cust = m.count(key)
        nodes[key] = node_attrs(
            volume=volume,
            rank=float(s.steps["rank_sum"].get(key, 0.0)) / volume,
            n_cust=n_cust,
            estimate=m.estimate(key, interval) if n_cust else Estimate(np.nan, np.nan, np.nan),
            neg=m.count(key, "neg"),
            top=m.top(key) if n_cust else "",
            n_unscored=int(s.steps["unscored"].get(key, 0)),
        )
    edges = pd.DataFrame(
        {
            "count": s.edges["count"].astype(np.int64),
            "mean_valence_change": s.edges["dv_sum"] / s.edges["dv_n"],
            "median_seconds": s.median_seconds().reindex(s.edges.index),
        }
    )
    max_rank = s.max_rank if np.isfinite(s.max_rank) else 0.0
    return assemble_graph(level, s.n_journeys, max_rank, nodes, edges)


def _hours_chunk(part: pd.DataFrame, *, tz: str | dt.tzinfo) -> HourStats:
    return HourStats.of(hour_frame(part, tz))


def time_patterns(js: DaskJourneySet, *, tz: str | dt.tzinfo | None = None) -> pd.DataFrame:
    """:func:`journeymap.time_patterns` as a tree reduction; the same 168 rows.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas, time_patterns
        >>> from journeymap.testing.data import planted_scores
        >>> djs = build_journeys(from_pandas(jm.datasets.service_journeys(20, seed=0), npartitions=2))
        >>> scored = djs.with_events(djs.events.map_partitions(planted_scores))
        >>> tp = time_patterns(scored)
        >>> len(tp), int(tp["volume"].sum()), int(tp.loc[("Monday", 13), "volume"])  # 82 customer messages, 2 at Monday 13h
        (168, 82, 2)
        >>> pd.testing.assert_frame_equal(tp, jm.time_patterns(scored.compute()))  # what pandas gives, in full
    """
    djs = _require_scored(js, "time_patterns", scored=False)  # the volume needs no scores, as on one machine
    h: HourStats = tree_reduce(djs.events, functools.partial(_hours_chunk, tz=check_tz(tz, djs))).compute()
    return patterns_frame(h.stats())
