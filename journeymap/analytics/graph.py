"""The emotion-annotated journey graph: :func:`journey_graph` and its export (GraphML, node-link JSON)."""

from __future__ import annotations

import inspect
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap.analytics._graph import END, START, assemble_graph, edge_stats, graph_steps, node_attrs
from journeymap.analytics._prep import require_journeys, require_scored
from journeymap.analytics._stats import VALENCE_BOUNDS, MeanInterval, format_top
from journeymap.backends import dispatch
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.journeys._table import group_bounds

if TYPE_CHECKING:
    import networkx as nx
    import numpy.typing as npt

    from journeymap.analytics._levels import Level
    from journeymap.distributed import DaskJourneySet
    from journeymap.journeys import JourneySet

__all__ = ["END", "START", "journey_graph", "to_graphml", "to_node_link"]


@dispatch
def journey_graph(
    js: JourneySet | DaskJourneySet, *, level: Level = "touchpoint", seed: int | np.random.Generator | None = 0
) -> nx.DiGraph:
    """A directed graph of touchpoints (or stages, or topics) with emotion statistics.

    With ``level="topic"`` (after :func:`~journeymap.assign_topics`) a step's node is the
    customer's topic: a brand reply is at the topic of the customer message it answers, so a
    walk moves from one topic to another only when the customer does.

    Every journey is a walk ``__start__`` -> its steps' nodes -> ``__end__`` (a repeated node,
    such as two replies at the same touchpoint, is a self-loop). Nodes carry ``volume`` (steps),
    ``mean_valence`` with ``ci_low``/``ci_high`` (the 95% interval of
    :func:`~journeymap.touchpoint_summary`, bootstrap resamples drawn with ``seed``, an int, None or a
    ``numpy.random.Generator`` as there; customer messages),
    ``share_negative``, ``top_emotions``, ``n_unscored`` (the customer messages there the scorer gave
    no valence, such as those in a language it does not read) and ``rank`` (the mean stage position of its steps, used
    to lay the graph out left to right); edges carry ``count`` (transitions), the same number
    again as ``weight`` (the attribute networkx's algorithms read by default: ``nx.pagerank``,
    ``nx.to_numpy_array``, the layouts; without it they would count every edge as 1; a weight is
    a strength, so for shortest paths pass a cost such as ``weight=lambda u, v, d: 1 / d["count"]``),
    ``probability`` (count over the source's outgoing transitions), ``mean_valence_change``
    (over the transitions into a scored customer message, the mean change from the customer's
    valence last seen before it: across a brand reply, the reply's effect; NaN into a brand step,
    where the customer says nothing new, and where unknown) and ``median_seconds`` between the
    two steps. The counts of the edges between
    steps add up to the number of consecutive step pairs. Graph attributes: ``level``,
    ``n_journeys``. Journeys from a dask DataFrame are reduced on the cluster.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
        >>> G = jm.journey_graph(js, level="stage")
        >>> G.has_edge("__start__", "contact"), G.graph["n_journeys"] == len(js)
        (True, True)
        >>> sum(d["count"] for _, _, d in G.out_edges("__start__", data=True)) == len(js)
        True
        >>> import networkx as nx  # networkx weighs the edges by their transitions
        >>> all(d["weight"] == d["count"] for _, _, d in G.edges(data=True))
        True
        >>> nx.pagerank(G) == nx.pagerank(G, weight="count") != nx.pagerank(G, weight=None)
        True
    """
    js = require_journeys(js, "journey_graph")  # a DaskJourneySet went to the cluster (dispatch)
    events = require_scored(js, "journey_graph")
    f, pairs = graph_steps(events, level)
    edges = edge_stats(pairs)
    max_rank = float(f["stage_code"].max()) if len(f) else 0.0
    customer_steps = (f["customer"] & f["scored"]).to_numpy()
    unscored_steps = (f["customer"] & ~f["scored"]).to_numpy()  # a message the scorer could not read
    interval = MeanInterval(seed=seed, bounds=VALENCE_BOUNDS)
    # each node's rows as a slice of one stable sort by node code (no label lookups per node)
    codes = f["key_code"].to_numpy()
    order = np.argsort(codes, kind="stable")
    starts, lengths = group_bounds(codes[order])
    key_names, stage_code = f["key"].to_numpy(), f["stage_code"].to_numpy()
    valence, negative = f["valence"].to_numpy(), f["negative"].to_numpy()
    # the customer, whom the interval resamples whole, and the emotion label, as integer codes
    # found once (not per node: factorising strings was a third of the graph's time at 1M events)
    # (of the customers' scored steps only: the others are in no node's statistics)
    unit, emotion = np.full(len(f), -1, dtype=np.int64), np.full(len(f), -1, dtype=np.int64)
    felt = np.flatnonzero(customer_steps)
    unit[felt] = pd.factorize(f["unit"].iloc[felt])[0]
    emotion[felt], labels = pd.factorize(events["emotion"].iloc[felt])
    label_index = pd.Index(labels, dtype=object)
    nodes = {}
    for start, length in zip(starts.tolist(), lengths.tolist()):
        rows = order[start : start + length]
        cust = rows[customer_steps[rows]]
        nodes[str(key_names[rows[0]])] = node_attrs(
            volume=length,
            rank=float(stage_code[rows].mean()),
            n_cust=len(cust),
            estimate=interval(valence[cust], unit[cust]),
            neg=int(negative[cust].sum()),
            top=_top(emotion[cust], label_index),
            n_unscored=int(unscored_steps[rows].sum()),
        )
    return assemble_graph(level, len(js), max_rank, nodes, edges)


def _top(codes: npt.NDArray[np.int64], labels: pd.Index) -> str:
    """:func:`~journeymap.analytics._stats.top_labels` of the labels with these codes (-1: none)."""
    counts = np.bincount(codes[codes >= 0], minlength=len(labels))
    return format_top(pd.Series(counts, index=labels))


def _check_graph(G: object, what: str) -> None:
    """Refuse, naming ``what`` and what to pass, anything that is not a networkx graph (a JourneySet, say)."""
    import networkx as nx

    if not isinstance(G, nx.Graph):
        if type(G).__name__ == "JourneySet":
            msg = f"{what} takes the graph of journeymap.journey_graph(js), not a JourneySet: pass journey_graph(js)"
        else:
            msg = f"{what} takes a networkx graph (journeymap.journey_graph(js) returns one), got {type(G).__name__}"
        raise ArgumentTypeError(msg)


def to_graphml(G: nx.DiGraph, path: str | os.PathLike[str]) -> Path:
    """Write the graph as GraphML (readable by Gephi, yEd, Cytoscape); NaN values are left out.

    Args:
        G: the graph of :func:`journey_graph` (``jm.to_graphml(jm.journey_graph(js), path)``).
        path: the file to write.

    Raises:
        ArgumentTypeError: ``G`` is not a networkx graph (a JourneySet: pass its
            :func:`journey_graph`), or ``path`` is not a path.

    Examples:
        >>> import tempfile, pathlib, networkx as nx, journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(10, seed=0)))
        >>> G = jm.journey_graph(js)
        >>> back = nx.read_graphml(jm.to_graphml(G, pathlib.Path(tempfile.mkdtemp()) / "g.graphml"))
        >>> (back.number_of_nodes(), back.number_of_edges()), (G.number_of_nodes(), G.number_of_edges())
        ((8, 18), (8, 18))
        >>> back.nodes["billing"]["volume"] == G.nodes["billing"]["volume"]
        True
        >>> sorted(G.edges["__start__", "account"]), sorted(back.edges["__start__", "account"])  # the NaN ones left out
        (['count', 'mean_valence_change', 'median_seconds', 'probability', 'weight'], ['count', 'probability', 'weight'])
    """
    import networkx as nx

    _check_graph(G, "to_graphml")
    if not isinstance(path, (str, os.PathLike)):
        msg = f"to_graphml needs a file path (str or pathlib.Path) to write to, got {type(path).__name__}"
        raise ArgumentTypeError(msg)
    clean = nx.DiGraph(**{k: _plain(v) for k, v in G.graph.items() if _ok(v)})
    for node, data in G.nodes(data=True):
        clean.add_node(node, **{k: _plain(v) for k, v in data.items() if _ok(v)})
    for a, b, data in G.edges(data=True):
        clean.add_edge(a, b, **{k: _plain(v) for k, v in data.items() if _ok(v)})
    out = Path(path)
    nx.write_graphml(clean, out)
    return out


def to_node_link(G: nx.DiGraph, *, edges: str = "links") -> dict[str, Any]:
    """The graph as node-link JSON data (NaN becomes null), ready for ``json.dumps``.

    The edges are under the key ``edges``: ``"links"`` by default, whatever networkx is
    installed, as D3's force layout and networkx before 3.6 read them (networkx 3.6's own
    :func:`networkx.node_link_data` writes ``"edges"``; pass ``edges="edges"`` for that), so
    that a saved file or a front end does not change with a networkx upgrade. networkx reads
    the data back with ``nx.node_link_graph(data, edges="links")`` (3.4 on; before 3.4,
    ``nx.node_link_graph(data)``, whose key is ``"links"``).

    Raises:
        ArgumentTypeError: ``G`` is no networkx graph, or ``edges`` no text.
        InvalidArgumentError: ``edges`` is empty or another key of the data (``"nodes"``).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> G = jm.journey_graph(planted_scores(jm.build_journeys(jm.datasets.service_journeys(10, seed=0))))
        >>> data = jm.to_node_link(G)
        >>> len(data["links"]) == G.number_of_edges(), data["directed"], "edges" in data
        (True, True, False)
        >>> sorted(jm.to_node_link(G, edges="edges"))
        ['directed', 'edges', 'graph', 'multigraph', 'nodes']
    """
    import networkx as nx

    _check_graph(G, "to_node_link")
    if not isinstance(edges, str):
        msg = f"to_node_link: edges= is the key of the edges, text such as 'links' or 'edges'; got {type(edges).__name__}"
        raise ArgumentTypeError(msg)
    if not edges or edges in {"nodes", "directed", "multigraph", "graph"}:
        msg = f"to_node_link: edges={edges!r} would not be a key of its own; use 'links' (the default) or 'edges'"
        raise InvalidArgumentError(msg)
    # networkx before 3.4 names the keyword link=; 3.4 and 3.5 take edges= (None, read as "links", warns); 3.6 on edges="edges"
    parameters = inspect.signature(nx.node_link_data).parameters
    data: dict[str, Any] = nx.node_link_data(G, **({"edges": edges} if "edges" in parameters else {"link": edges}))
    cleaned: dict[str, Any] = json.loads(json.dumps(_nan_to_none(data), default=str))
    return cleaned


def _plain(value: Any) -> Any:
    """A numpy scalar as its Python value (``np.int64(3)`` -> 3), anything else as it is."""
    return value.item() if isinstance(value, np.generic) else value


def _missing(value: object) -> bool:
    """NaN of any float type, None or pd.NA (not a list or an array)."""
    return value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and bool(np.isnan(value)))


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_to_none(v) for v in value]
    return None if _missing(value) else _plain(value)


def _ok(value: object) -> bool:
    return not _missing(value)
