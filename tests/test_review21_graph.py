"""Review 21: the journey graph of many topics (or touchpoints) in a bounded, readable figure.

Topics have no stage of their own: their ``rank`` is the mean stage of their steps (0 for every
topic where the events have no stage), so 40 topics stood in one column and the figure grew with
them (3,585 pixels tall at the report's 96 dpi; 1,962 where the stages parted them in three).
A column that would make the figure taller than :data:`~journeymap.plot.graph.MAX_HEIGHT` is now
wrapped into several, side by side in the order the topics come in the journeys.
"""

from __future__ import annotations

import importlib
import io
from collections import Counter
from typing import TYPE_CHECKING

import matplotlib as mpl
import networkx as nx
import numpy as np
import pytest

mpl.use("Agg")

import journeymap as jm
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.testing.data import planted_scores
from tests.test_review20_caps import relabel

graph_module = importlib.import_module("journeymap.plot.graph")  # jm.plot.graph is the function

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.transforms import Bbox

#: The report's resolution (journeymap.report._DPI).
DPI = 96


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(120, seed=0)))


def png_size(ax: Axes) -> tuple[int, int]:
    """The figure's size in pixels, saved as the report saves it (96 dpi, a tight box)."""
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    png = buffer.getvalue()
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def overlapping(boxes: dict[str, Bbox]) -> list[tuple[str, str]]:
    names = sorted(boxes)
    return [
        (a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if min(boxes[a].x1, boxes[b].x1) > max(boxes[a].x0, boxes[b].x0)
        and min(boxes[a].y1, boxes[b].y1) > max(boxes[a].y0, boxes[b].y0)
    ]


def drawn(ax: Axes) -> tuple[dict[str, Bbox], dict[str, tuple[np.ndarray, float]]]:
    """Each node label's window extent and each node's centre and radius (pixels), as drawn."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    labels = {
        t.get_gid()[len("label:") :]: t.get_window_extent(renderer) for t in ax.texts if (t.get_gid() or "").startswith("label:")
    }
    nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
    centres = ax.transData.transform(nodes.get_offsets())
    radii = np.sqrt(nodes.get_sizes()) / 2 * fig.dpi / 72
    return labels, {name: (c, float(r)) for name, c, r in zip(labels, centres, radii)}


def disc_meets_box(centre: np.ndarray, radius: float, box: Bbox) -> bool:
    nearest = np.clip(centre, [box.x0, box.y0], [box.x1, box.y1])
    return bool(np.hypot(*(nearest - centre)) < radius)


@pytest.mark.parametrize("stages", [True, False], ids=["stages", "no-stages"])
def test_forty_topics_make_a_bounded_figure_with_no_label_over_another(scored: jm.JourneySet, stages: bool) -> None:
    js = relabel(scored, "topic", 40, "topic", stages=stages)
    n = js.events["topic"].nunique() + 2  # and start and end; the rarest of the 40 may be drawn for no customer message
    assert n >= 40
    G = jm.journey_graph(js, level="topic")
    assert G.number_of_nodes() == n
    ax = jm.plot.graph(G)
    width, height = ax.figure.get_size_inches()
    # before: 20.3 inches tall with stages (3 columns), 37.2 without (every topic in one column)
    assert height <= graph_module.MAX_HEIGHT, height
    assert width <= graph_module.MAX_WIDTH, width
    pixels = png_size(ax)
    assert pixels[1] <= graph_module.MAX_HEIGHT * DPI * 1.02 and pixels[0] <= graph_module.MAX_WIDTH * DPI * 1.02, pixels
    labels, discs = drawn(ax)
    assert len(labels) == n  # every topic drawn, none left out
    assert not overlapping(labels)
    for name, box in labels.items():  # nor a label under another node
        covered = [other for other, (c, r) in discs.items() if other != name and disc_meets_box(c, r, box)]
        assert not covered, (name, covered)
    counts = {t.get_gid(): t.get_window_extent() for t in ax.texts if (t.get_gid() or "").startswith("selfloop:")}
    assert not [(c, n) for c, box in counts.items() for n, other in labels.items() if overlapping({c: box, n: other})]
    frame = ax.figure.bbox
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in labels.values())


def test_forty_touchpoints_are_bounded_too(scored: jm.JourneySet) -> None:
    ax = jm.plot.graph(jm.journey_graph(relabel(scored, "touchpoint", 40, "touchpoint")))
    width, height = ax.figure.get_size_inches()
    # before: 24.6 inches tall. No wrapping fits both bounds here: the figure exceeds them least, in proportion
    # (12.2 x 13.9 inches; 10.5 x 15.3, the next shorter, is 13.6% too wide)
    assert height <= graph_module.MAX_HEIGHT * 1.03 and width <= graph_module.MAX_WIDTH * 1.03, (width, height)
    labels, _ = drawn(ax)
    assert len(labels) == 42
    assert not overlapping(labels)


def test_a_wrapped_column_reads_left_to_right_in_the_journeys_order() -> None:
    # 30 topics of one rank (no stages): journeys run t00 -> t01 -> ... -> t29, entering at any of the first ten
    G = nx.DiGraph(level="topic", n_journeys=100)
    G.add_node("__start__", kind="start", volume=100, rank=-1.0)
    G.add_node("__end__", kind="end", volume=100, rank=1.0)
    names = [f"t{i:02d}" for i in range(30)]
    for i, name in enumerate(names):
        G.add_node(name, kind="topic", volume=50 - i, rank=0.0, mean_valence=0.0)
        if i < 10:
            G.add_edge("__start__", name, count=10, probability=0.1)
        G.add_edge(name, names[i + 1] if i + 1 < len(names) else "__end__", count=10, probability=1.0)
    pos = jm.plot.layered_layout(G, max_rows=10)
    columns = sorted({x for x, _ in pos.values()})
    assert len(columns) == 5  # start, 3 columns of 10, end
    assert Counter(x for x, _ in pos.values()).most_common(1)[0][1] == 10
    by_column = [sorted(n for n in names if pos[n][0] == x) for x in columns[1:-1]]
    assert by_column == [names[:10], names[10:20], names[20:]]  # the earliest topics left
    assert pos["__start__"][0] < columns[1] and pos["__end__"][0] > columns[-2]
    # every other column half a row up: a straight edge past it runs between its nodes
    assert {pos[n][1] % 1 for n in by_column[1]} == {0.5}
    assert {pos[n][1] % 1 for n in by_column[0] + by_column[2]} == {0.0}
    ax = jm.plot.graph(G)
    assert ax.figure.get_size_inches()[1] <= graph_module.MAX_HEIGHT
    assert not overlapping(drawn(ax)[0])


def test_small_graphs_keep_their_layout_and_size(scored: jm.JourneySet) -> None:
    for level in ("stage", "touchpoint"):
        G = jm.journey_graph(scored, level=level)
        ax = jm.plot.graph(G)
        nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
        pos = jm.plot.layered_layout(G)
        assert [tuple(p) for p in nodes.get_offsets()] == [pos[n] for n in G.nodes]  # no column wrapped
        assert ax.figure.get_size_inches()[0] == 10
    assert jm.plot.layered_layout(G, max_rows=None) == jm.plot.layered_layout(G)


def test_a_layout_given_is_drawn_as_it_is(scored: jm.JourneySet) -> None:
    G = jm.journey_graph(relabel(scored, "topic", 40, "topic", stages=False), level="topic")
    pos = jm.plot.layered_layout(G)  # one column of 40
    ax = jm.plot.graph(G, pos=pos)
    nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
    assert [tuple(p) for p in nodes.get_offsets()] == [pos[n] for n in G.nodes]


@pytest.mark.parametrize(("value", "error"), [(0, InvalidArgumentError), (2.5, ArgumentTypeError), (True, ArgumentTypeError)])
def test_max_rows_is_checked(scored: jm.JourneySet, value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="max_rows"):
        jm.plot.layered_layout(jm.journey_graph(scored), max_rows=value)  # type: ignore[arg-type]
