"""The journey graph's halves: per-step columns and transitions, and the graph from their statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from journeymap.analytics._durations import ns_between
from journeymap.analytics._levels import level_keys
from journeymap.analytics._prep import flags, run_edges, shifted
from journeymap.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    import networkx as nx

    from journeymap.analytics._stats import Estimate

__all__ = ["END", "START", "assemble_graph", "edge_stats", "graph_steps", "node_attrs", "plain_index", "step_keys"]

FrameOrSeries = TypeVar("FrameOrSeries", pd.DataFrame, pd.Series)
START = "__start__"
END = "__end__"


def step_keys(events: pd.DataFrame, level: str) -> pd.Series:
    """The graph node of every step: its touchpoint, stage or topic (:func:`~journeymap.analytics._levels.level_keys`)."""
    return level_keys(events, level)


def graph_steps(events: pd.DataFrame, level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-step columns and the transitions of events sorted by journey and step.

    Returns ``(steps, pairs)``: ``steps`` is :func:`~journeymap.analytics._prep.flags` plus
    ``key`` and ``stage_code``; ``pairs`` has one row per transition (``src``, ``dst``, ``dv``
    the change in felt valence, ``dt`` seconds), including those from ``__start__`` and to
    ``__end__``. Only whole journeys are needed, so a partition of journeys can be used alone.
    """
    step_key = step_keys(events, level)  # checks the level first
    f = flags(events)
    # Nodes as integer codes into their few names: the transitions are built from the codes and
    # only then given names (object arrays of shared name objects, no string built per row).
    codes, uniques = pd.factorize(step_key)
    reserved = sorted({START, END} & {str(u) for u in uniques})
    if reserved:
        msg = f"journey_graph: the {level} name(s) {reserved} are the graph's own start and end nodes; rename them in the events"
        raise InvalidArgumentError(msg)
    names = np.asarray([*map(str, uniques), START, END], dtype=object)
    start_code, end_code = len(uniques), len(uniques) + 1
    f["key"] = pd.Series(names[codes], index=f.index, dtype=object)
    f["key_code"] = codes.astype(np.int64)
    f["stage_code"] = events["stage"].cat.codes.to_numpy() if "stage" in events.columns else 0
    first, last = run_edges(pd.factorize(events["journey_id"])[0])
    # The customer's valence carried forward within the journey (brand steps inherit the last):
    # each row reads the latest customer row at or before it, never before its journey's start.
    valence = f["valence"].to_numpy()
    own = f["customer"].to_numpy() & ~np.isnan(valence)
    position = np.arange(len(f))
    latest = np.maximum.accumulate(np.where(own | first, position, 0)) if len(f) else position
    felt = np.where(own[latest], valence[latest], np.nan)
    t = f["t"].to_numpy()
    src = np.where(first, start_code, shifted(codes.astype(np.int64), 0))
    categories = pd.Index(names, dtype=object)
    pairs = pd.DataFrame(
        {
            "src": pd.Categorical.from_codes(src, categories=categories),
            "dst": pd.Categorical.from_codes(codes, categories=categories),
            # into a customer's scored message only: at a brand step nothing new is felt, and a
            # change of 0 there would read as "no change" rather than "not known"
            "dv": np.where(first | ~own, np.nan, felt - shifted(felt.astype(np.float64), np.nan)),
            "dt": np.where(first, np.nan, ns_between(t, shifted(t, 0)) / 1e9),  # no int64 wraparound
        }
    )
    ends = pd.DataFrame(
        {
            "src": pd.Categorical.from_codes(codes[last], categories=categories),
            "dst": pd.Categorical.from_codes(np.full(int(last.sum()), end_code), categories=categories),
            "dv": np.nan,
            "dt": np.nan,
        }
    )
    return f, pd.concat([pairs, ends], ignore_index=True)


def plain_index(frame: FrameOrSeries) -> FrameOrSeries:
    """``frame`` with categorical index levels as plain strings (what a groupby on the transitions gives), sorted."""
    index = frame.index

    def plain(values: pd.Index) -> pd.Index:
        return values.astype(object).astype(str) if isinstance(values.dtype, pd.CategoricalDtype) else values

    if isinstance(index, pd.MultiIndex):
        levels = [plain(index.get_level_values(i)) for i in range(index.nlevels)]
        frame = frame.set_axis(pd.MultiIndex.from_arrays(levels, names=index.names), axis=0)
    else:
        frame = frame.set_axis(plain(index).rename(index.name), axis=0)
    return frame.sort_index()


def edge_stats(pairs: pd.DataFrame) -> pd.DataFrame:
    """``count``, ``mean_valence_change`` and ``median_seconds`` per ``(src, dst)`` of :func:`graph_steps`'s transitions."""
    stats = pairs.groupby(["src", "dst"], sort=False, observed=True).agg(
        count=("dst", "size"), mean_valence_change=("dv", "mean"), median_seconds=("dt", "median")
    )
    return plain_index(stats)


def assemble_graph(
    level: str, n_journeys: int, max_rank: float, nodes: dict[str, dict[str, Any]], edges: pd.DataFrame
) -> nx.DiGraph:
    """The journey graph from node attributes and an edge table indexed by ``(src, dst)``.

    ``edges`` has ``count``, ``mean_valence_change`` and ``median_seconds``; ``probability`` is
    added here. Nodes and edges are added in sorted order.
    """
    import networkx as nx

    edges = edges.sort_index()
    probability = edges["count"] / edges.groupby(level=0)["count"].transform("sum")
    G = nx.DiGraph(level=level, n_journeys=n_journeys)
    G.add_node(START, kind="start", volume=n_journeys, rank=-1.0)
    G.add_node(END, kind="end", volume=n_journeys, rank=max_rank + 1.0)
    for key in sorted(nodes):
        G.add_node(key, kind=level, **nodes[key])
    for (src_key, dst_key), row, p in zip(edges.index.tolist(), edges.to_dict("records"), probability.tolist()):
        G.add_edge(
            src_key,
            dst_key,
            count=int(row["count"]),
            weight=int(row["count"]),  # networkx's algorithms read "weight" by default (pagerank, to_numpy_array)
            probability=float(p),
            mean_valence_change=float(row["mean_valence_change"]),
            median_seconds=float(row["median_seconds"]),
        )
    return G


def node_attrs(
    *, volume: int, rank: float, n_cust: int, estimate: Estimate, neg: int, top: str, n_unscored: int = 0
) -> dict[str, Any]:
    """A node's attributes from its statistics (``n_cust`` scored customer messages there, ``estimate`` their valence's).

    ``n_unscored``: the customer messages there the scorer gave no valence (a language it does not read).
    """
    return {
        "volume": volume,
        "rank": rank,
        "mean_valence": estimate.mean if n_cust else float("nan"),
        "ci_low": estimate.low,
        "ci_high": estimate.high,
        "share_negative": neg / n_cust if n_cust else float("nan"),
        "top_emotions": top,
        "n_unscored": n_unscored,
    }
