"""Review 15's plotting findings: graph columns, topic trends, journey-map ticks, the emotion mix's counts.

Each test reads the drawn artists (positions, window extents, line styles, texts) after a draw, not pixels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib as mpl
import networkx as nx
import numpy as np
import pytest

mpl.use("Agg")

import journeymap as jm
from journeymap.plot import _theme
from journeymap.testing import HashingEncoder
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.transforms import Bbox


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))


@pytest.fixture(scope="module")
def topics(scored: jm.JourneySet) -> jm.JourneySet:
    return jm.assign_topics(scored, encoder=HashingEncoder(), cache=False, n_topics=3)


def overlap(a: Bbox, b: Bbox) -> bool:
    return bool(min(a.x1, b.x1) > max(a.x0, b.x0) and min(a.y1, b.y1) > max(a.y0, b.y0))


# 1. the journey graph: the nodes of one column, their labels, and the edges between them

TOPICS = {  # five topics in one column (zero-shot labels), as in the TWCS sample: volume, repeat visits
    "delivery slots and online shopping orders": (17, 11),
    "internet, cable and TV service outages": (17, 10),
    "music streaming playback problems": (28, 19),
    "phone battery drain and iOS software updates": (22, 13),
    "train and flight travel disruption": (9, 5),
}


def topic_column_graph() -> nx.DiGraph:
    """A journey graph whose topics share one column, with moves between topics both ways and far apart."""
    G = nx.DiGraph(level="topic", n_journeys=29)
    G.add_node("__start__", kind="start", volume=29, rank=-1.0)
    G.add_node("__end__", kind="end", volume=29, rank=4.0)
    names = list(TOPICS)
    for k, (name, (volume, loops)) in enumerate(TOPICS.items()):
        G.add_node(name, kind="topic", volume=volume, rank=1.0 + 0.1 * k, mean_valence=-0.2 - 0.1 * k)
        G.add_edge("__start__", name, count=5, probability=0.2, mean_valence_change=np.nan)
        G.add_edge(name, "__end__", count=5, probability=0.3, mean_valence_change=np.nan)
        G.add_edge(name, name, count=loops, probability=0.5, mean_valence_change=0.1)
    for a, b in [(0, 1), (1, 0), (1, 2), (3, 4), (2, 4), (4, 0)]:
        G.add_edge(names[a], names[b], count=1, probability=0.05, mean_valence_change=0.3)
    return G


def drawn_graph(G: nx.DiGraph) -> tuple[Axes, dict[str, tuple[np.ndarray, float]], dict[str, Bbox]]:
    """The drawn graph: each node's centre and radius (pixels) and each label's window extent."""
    ax = jm.plot.graph(G)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
    centres = ax.transData.transform(nodes.get_offsets())
    radii = np.sqrt(nodes.get_sizes()) / 2 * fig.dpi / 72
    discs = {str(n): (c, float(r)) for n, c, r in zip(G.nodes, centres, radii)}
    labels = {
        str(n): next(t for t in ax.texts if t.get_text() == _theme.wrap({"__start__": "start", "__end__": "end"}.get(n, n), 14))
        for n in G.nodes
    }
    return ax, discs, {n: t.get_window_extent(renderer) for n, t in labels.items()}


def disc_meets_box(centre: np.ndarray, radius: float, box: Bbox) -> bool:
    nearest = np.clip(centre, [box.x0, box.y0], [box.x1, box.y1])
    return bool(np.hypot(*(nearest - centre)) < radius)


def test_graph_labels_in_a_column_lie_under_no_other_node_or_label() -> None:
    G = topic_column_graph()
    _ax, discs, labels = drawn_graph(G)
    for name, box in labels.items():
        covered = [other for other, (c, r) in discs.items() if other != name and disc_meets_box(c, r, box)]
        assert not covered, f"the label of {name!r} lies under {covered}"
        crossed = [other for other, b in labels.items() if other != name and overlap(box, b)]
        assert not crossed, f"the label of {name!r} runs into {crossed}"
    for name, (centre, radius) in discs.items():  # nor does a node overlap another
        assert all(np.hypot(*(centre - c)) >= radius + r for other, (c, r) in discs.items() if other != name)


def test_graph_edges_within_a_column_stay_visible_and_the_layout_is_repeatable() -> None:
    G = topic_column_graph()
    ax, discs, labels = drawn_graph(G)
    column = [n for n in G.nodes if G.nodes[n]["kind"] == "topic"]
    edges = [p for p in ax.patches if (p.get_gid() or "").startswith("edge:")]
    inside = [(a, b) for a in column for b in column if a != b and G.has_edge(a, b)]
    assert len(inside) == 6
    for a, b in inside:
        patch = next(p for p in edges if p.get_gid() == f"edge:{a}->{b}")
        points = ax.transData.transform(patch.get_path().interpolated(40).vertices)
        for x, y in points:  # no point of the edge under a label, or under a node other than its ends
            assert not any(box.contains(x, y) for box in labels.values()), (a, b)
            under = [n for n, (c, r) in discs.items() if n not in (a, b) and np.hypot(x - c[0], y - c[1]) < r]
            assert not under, (a, b, under)
    # deterministic: the same graph is drawn the same way
    again = jm.plot.graph(G)
    first = next(c for c in ax.collections if c.get_gid() == "nodes")
    second = next(c for c in again.collections if c.get_gid() == "nodes")
    assert np.array_equal(first.get_offsets(), second.get_offsets())
    assert np.array_equal(first.get_sizes(), second.get_sizes())
    styles = {p.get_gid(): str(p.get_connectionstyle().__dict__) for p in ax.patches}
    assert styles == {p.get_gid(): str(p.get_connectionstyle().__dict__) for p in again.patches}
