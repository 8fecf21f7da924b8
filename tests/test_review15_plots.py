"""Review 15's plotting findings: graph columns, topic trends, journey-map ticks, the emotion mix's counts.

Each test reads the drawn artists (positions, window extents, line styles, texts) after a draw, not pixels.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
from typing import TYPE_CHECKING

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
import pytest

mpl.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import to_hex
from matplotlib.path import Path

import journeymap as jm
from journeymap.plot import _theme
from journeymap.plot._stats import stage_shares
from journeymap.plot.journey_map import MIN_VOLUME
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


def closed_path(path: Path) -> Path:
    """``path`` with each CLOSEPOLY vertex set to its subpath's start, where the segment it draws ends.

    Matplotlib ignores a CLOSEPOLY's own vertex: 3.8 leaves it at (0, 0), which interpolating
    would turn into a line across the axes that is never drawn.
    """
    vertices = path.vertices.copy()
    start = 0
    for i, code in enumerate(path.codes if path.codes is not None else []):
        if code == Path.MOVETO:
            start = i
        elif code == Path.CLOSEPOLY:
            vertices[i] = vertices[start]
    return Path(vertices, path.codes)


def test_graph_edges_within_a_column_stay_visible_and_the_layout_is_repeatable() -> None:
    G = topic_column_graph()
    ax, discs, labels = drawn_graph(G)
    column = [n for n in G.nodes if G.nodes[n]["kind"] == "topic"]
    edges = [p for p in ax.patches if (p.get_gid() or "").startswith("edge:")]
    inside = [(a, b) for a in column for b in column if a != b and G.has_edge(a, b)]
    assert len(inside) == 6
    for a, b in inside:
        patch = next(p for p in edges if p.get_gid() == f"edge:{a}->{b}")
        points = ax.transData.transform(closed_path(patch.get_path()).interpolated(40).vertices)
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


# 2. topic trends: one period, partial periods and tied lines, as plot.trends draws them


def note(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts if "no trend" in t.get_text()]


def test_topic_trends_of_one_period_say_so_as_trends_does(topics: jm.JourneySet) -> None:
    ax = jm.plot.topic_trends(topics, freq="YE")  # the synthetic data spans weeks: one year
    expected = note(jm.plot.trends(topics, freq="YE"))
    assert expected and note(ax) == expected
    # the period's hatched band is the middle of the plot, not all of it
    (band,) = [p for p in ax.patches if p.get_hatch() == "///"]
    assert band.get_window_extent().width < 0.5 * ax.get_window_extent().width
    # and the note covers no point
    ax.figure.canvas.draw()
    box = next(t for t in ax.texts if "no trend" in t.get_text()).get_window_extent()
    for line in ax.get_lines():
        for x, y in ax.transData.transform(np.column_stack([line.get_xdata(), line.get_ydata()])):
            assert not (np.isfinite(y) and box.contains(x, y))
    assert not note(jm.plot.topic_trends(topics, freq="D"))


def test_topic_trends_draw_partial_periods_dashed_with_hollow_points(topics: jm.JourneySet) -> None:
    table = jm.topic_trends(topics, freq="D")
    partial = table["partial"].groupby(level="period").any().to_numpy()
    assert partial[0] and partial[-1] and not partial[1:-1].any()
    ax = jm.plot.topic_trends(topics, freq="D")
    named = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(named) == 3
    for line in named:
        colour = to_hex(line.get_color())
        y = np.asarray(line.get_ydata(), dtype=float)
        assert line.get_linestyle() == "-" and np.isnan(y[partial]).all() and np.isfinite(y[~partial]).all()
        parts = [other for other in ax.get_lines() if other is not line and to_hex(other.get_color()) == colour]
        dashed = [p for p in parts if p.get_linestyle() == "--"]
        hollow = [p for p in parts if p.get_linestyle() == "None" and p.get_markerfacecolor() == "white"]
        assert len(dashed) == 1 and len(hollow) == 1
        assert np.array_equal(np.flatnonzero(partial), np.asarray(hollow[0].get_xdata()))
        assert hollow[0].get_marker() == line.get_marker()
    # the legend still names the topics and the partial periods' hatching
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-1] == "partial period (the data covers part of it)" and len(labels) == 4


def test_tied_topic_lines_are_told_apart(topics: jm.JourneySet, monkeypatch: pytest.MonkeyPatch) -> None:
    # two topics of equal counts in every period: one line lies exactly over the other
    periods = pd.date_range("2024-03-04", periods=3, freq="W-MON")
    rows = {"billing": [5, 8, 6], "delivery": [3, 4, 4], "app": [3, 4, 4]}
    index = pd.MultiIndex.from_tuples([(p, t) for p in periods for t in rows], names=["period", "topic"])
    volume = [rows[t][i] for i in range(3) for t in rows]
    table = pd.DataFrame(
        {"volume": volume, "share": 0.3, "share_negative": 0.5, "mean_valence": 0.0, "partial": False}, index=index
    )
    # the numbers are topic_trends' table: given here (jm.plot.trends is the function, hence the module by import)
    monkeypatch.setattr(importlib.import_module("journeymap.plot.trends"), "topic_table", lambda js, **_: table)
    ax = jm.plot.topic_trends(topics)
    named = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert set(named) == {"billing", "app", "delivery\n(same as app)"}
    app, delivery = named["app"], named["delivery\n(same as app)"]
    assert np.array_equal(app.get_ydata(), delivery.get_ydata())
    # distinct shapes, the one drawn over smaller, so that both marks are seen
    assert len({line.get_marker() for line in named.values()}) == 3
    assert delivery.get_markersize() < app.get_markersize()
    assert delivery.get_zorder() > app.get_zorder()


# 3. the journey map's x tick labels


@pytest.mark.parametrize("width", [6.0, 10.0])
def test_journey_map_tick_labels_do_not_run_into_each_other(scored: jm.JourneySet, width: float) -> None:
    fig, ax = plt.subplots(figsize=(width, 4), layout="constrained")
    jm.plot.journey_map(scored, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ticks = ax.get_xticklabels()
    assert len(ticks) > 10
    boxes = [t.get_window_extent(renderer) for t in ticks]
    for a, b, ta, tb in zip(boxes, boxes[1:], ticks, ticks[1:]):
        assert a.x1 <= b.x0, (ta.get_text(), tb.get_text(), a.x1 - b.x0)


def test_journey_map_wraps_two_word_labels_before_turning_them() -> None:
    # names of two words, each narrower than a column: wrapped onto two lines, kept level
    log = jm.datasets.service_journeys(60, seed=0)
    log = dataclasses.replace(log, events=log.events.assign(touchpoint=log.events["touchpoint"] + " requests"))
    renamed = planted_scores(jm.build_journeys(log))
    fig, ax = plt.subplots(figsize=(16, 4), layout="constrained")
    jm.plot.journey_map(renamed, ax=ax)
    fig.canvas.draw()
    ticks = ax.get_xticklabels()
    boxes = [t.get_window_extent() for t in ticks]
    assert all(a.x1 <= b.x0 for a, b in itertools.pairwise(boxes))
    assert all(t.get_rotation() == 0 for t in ticks)
    assert any("\n" in t.get_text() for t in ticks)


# 4. the emotion mix: each row's number of messages, and small rows faded


def test_emotion_mix_rows_say_how_many_messages_they_hold(scored: jm.JourneySet) -> None:
    few = scored.select(scored.journey_ids[:6])  # a handful of journeys: some touchpoints of under 5 messages
    shares = stage_shares(few, level="touchpoint")
    n = shares.attrs["n"]
    assert min(n) < MIN_VOLUME <= max(n)
    ax = jm.plot.emotion_mix(few, level="touchpoint")
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == [f"{_theme.wrap(str(r), 18)} (n={k:,})" for r, k in zip(shares.index, n)]
    # the same labels as the heatmap's rows (same top: same rows)
    assert rows == [t.get_text() for t in jm.plot.emotion_heatmap(few, level="touchpoint", top=8).get_yticklabels()]
    # rows of fewer than MIN_VOLUME messages marked (review 19: hatched, their colours kept, no longer faded)
    bars = [p for c in ax.containers for p in c]  # type: ignore[attr-defined]
    for bar in bars:
        row = round(bar.get_y() + bar.get_height() / 2)
        assert bool(bar.get_hatch()) == (n[row] < MIN_VOLUME), (rows[row], bar.get_hatch())
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[-1] == f"row of fewer than {MIN_VOLUME}\nmessages (hatched)"
    # a mix of rows all large enough has no such entry
    big = jm.plot.emotion_mix(scored, level="stage")
    assert all(not b.get_hatch() for c in big.containers for b in c)  # type: ignore[attr-defined]
    assert not any("fewer than" in t.get_text() for t in big.get_legend().get_texts())
