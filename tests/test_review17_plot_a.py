"""From the seventeenth plot review: the journey map's cap, callouts, line and unscored cells; the graph's."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pytest
from matplotlib.text import Text

import journeymap as jm
from journeymap.plot._stats import journey_map_table
from journeymap.plot.journey_map import MAX_COLUMNS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
from journeymap.testing.data import planted_scores


@pytest.fixture(scope="module")
def js200() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(200, seed=0)))


def many_touchpoints(js: jm.JourneySet, n: int = 70) -> jm.JourneySet:
    """The same journeys over about ``n`` times as many touchpoints (as a raw log with 200 of them)."""
    events = js.events.copy()
    events["touchpoint"] = events["touchpoint"].astype(str) + "-" + (np.arange(len(events)) % n).astype(str)
    return js.with_events(events, taxonomy=js.taxonomy)


def unscored(js: jm.JourneySet) -> jm.JourneySet:
    """Billing's customer messages all without valence (as jm.score leaves a language it does not read), half of app's too."""
    events = js.events.copy()
    customer = events["actor"].astype("string") == "customer"
    touchpoint = events["touchpoint"].astype("string")
    app = events.index[customer & (touchpoint == "app")]
    rows = events.index[customer & (touchpoint == "billing")].union(app[: len(app) // 2])
    for column in ("valence", "sentiment"):
        if column in events:
            events.loc[rows, column] = np.nan
    events.loc[rows, "emotion"] = None
    return js.with_events(events, taxonomy=js.taxonomy)


def stage_labels(ax: Axes) -> list[str]:
    return [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "stage"]


# 1. the cap on columns keeps every stage


def test_journey_map_cap_keeps_the_largest_cell_of_every_stage(js200: jm.JourneySet) -> None:
    # before: max_columns=6 kept contact and follow up only; resolution, the one positive stage, was gone unsaid
    ax = jm.plot.journey_map(js200, max_columns=6)
    assert stage_labels(ax) == ["contact", "follow up", "resolution"]
    assert len(ax.get_xticks()) == 6 and "left out" not in ax.get_title()
    # fewer columns than stages: the largest stages' largest cells (and the pain points), the rest named
    ax = jm.plot.journey_map(js200, max_columns=2)
    assert stage_labels(ax) == ["contact", "follow up"]
    assert "stages left out: resolution" in ax.get_title().replace("\n", " ")
    # 200 touchpoints: the default cap of 24 kept the contact stage alone
    many = many_touchpoints(js200)
    assert len(journey_map_table(many)) > 100
    ax = jm.plot.journey_map(many)
    assert stage_labels(ax) == ["contact", "follow up", "resolution"]
    # review 19: a figure of its own draws no more columns than fit 13.5 inches; a caller's Axes takes MAX_COLUMNS
    assert len(ax.get_xticks()) < MAX_COLUMNS and ax.figure.get_size_inches()[0] <= 13.5
    _, wide = plt.subplots(figsize=(24, 5), layout="constrained")
    ax = jm.plot.journey_map(many, ax=wide)
    assert stage_labels(ax) == ["contact", "follow up", "resolution"]
    assert len(ax.get_xticks()) == MAX_COLUMNS  # no pain point beyond the largest cells here


# 2. callouts clear of each other and of the tick labels


def test_journey_map_callouts_do_not_overlap_on_a_callers_axes(js200: jm.JourneySet) -> None:
    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    jm.plot.journey_map(js200, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    notes = [t for t in ax.texts if str(t.get_gid() or "").startswith("annotation")]
    assert len(notes) >= 4
    boxes = [t.get_window_extent(renderer) for t in notes]
    ticks = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
    for i, box in enumerate(boxes):  # before: "pain point n=79" overlapped "n=68" and "n=58"
        assert not any(box.overlaps(other) for other in boxes[i + 1 :]), notes[i].get_text()
        assert not any(box.overlaps(tick) for tick in ticks)
        assert ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1


# 5. the line joins stages, not the touchpoints within one


def test_journey_map_line_is_each_stages_mean(js200: jm.JourneySet) -> None:
    ax = jm.plot.journey_map(js200)
    lines = [line for line in ax.get_lines() if line.get_gid() == "stage-means"]
    assert len(lines) == 1
    y = np.asarray(lines[0].get_ydata(), dtype=float)
    stages = jm.touchpoint_summary(js200, level="stage")["mean_valence"]
    assert np.allclose(y, np.repeat(stages.loc[["contact", "follow_up", "resolution"]].to_numpy(dtype=float), 2), atol=1e-6)
    # no other line through the cells: before, one joined a stage's touchpoints in order of volume
    table = journey_map_table(js200)
    assert not [line for line in ax.get_lines() if len(line.get_xdata()) == len(table)]


# 3. unscored customer messages


def test_graph_says_not_scored_apart_from_no_customer_message(js200: jm.JourneySet, tmp_path) -> None:
    data = unscored(js200)
    G = jm.journey_graph(data)
    billing_unscored = int(jm.touchpoint_summary(data).loc["billing", "n_unscored"])
    assert billing_unscored > 0 and G.nodes["billing"]["n_unscored"] == billing_unscored
    assert np.isnan(G.nodes["billing"]["mean_valence"]) and G.nodes["store"]["n_unscored"] == 0
    ax = jm.plot.graph(G)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "customer messages not scored" in legend and "no customer message" not in legend  # before: the latter
    label = next(t for t in ax.texts if t.get_gid() == "label:billing")
    assert label.get_text() == "billing\n(not scored)"
    # the attribute travels in the exports
    assert any(node.get("n_unscored") == billing_unscored for node in jm.to_node_link(G)["nodes"])
    path = jm.to_graphml(G, tmp_path / "g.graphml")
    assert int(nx.read_graphml(path).nodes["billing"]["n_unscored"]) == billing_unscored


def test_journey_map_notes_unscored_cells(js200: jm.JourneySet) -> None:
    data = unscored(js200)
    ax = jm.plot.journey_map(data, max_columns=None)
    title = ax.get_title().replace("\n", " ")
    assert "not scored, not drawn: billing (contact)" in title  # before: billing left out without a word
    labels = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert any(label.startswith("app +") and label.endswith("not scored") for label in labels)
    assert not any(label.startswith("billing") for label in labels)


# 4. the graph's cap on nodes


def test_graph_draws_at_most_max_nodes_and_says_so(js200: jm.JourneySet) -> None:
    from journeymap.plot.graph import MAX_NODES

    G = jm.journey_graph(many_touchpoints(js200))
    inner = G.number_of_nodes() - 2
    assert inner > 100
    ax = jm.plot.graph(G)
    assert ax.get_gid().startswith(f"graph:{MAX_NODES + 2}-nodes")
    nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
    assert len(nodes.get_offsets()) == MAX_NODES + 2
    assert f"{MAX_NODES} busiest of {inner} nodes" in ax.get_title()
    assert ax.figure.get_size_inches()[1] < 40  # before: 95 inches tall
    busiest = sorted((d["volume"] for n, d in G.nodes(data=True) if d.get("kind") not in ("start", "end")), reverse=True)
    drawn = [
        t for t in ax.texts if isinstance(t, Text) and str(t.get_gid()).startswith("label:") and "__" not in str(t.get_gid())
    ]
    volumes = sorted((G.nodes[str(t.get_gid())[6:]]["volume"] for t in drawn if str(t.get_gid())[6:] in G), reverse=True)
    assert volumes[:MAX_NODES] == busiest[:MAX_NODES]
    plt.close("all")
    small = jm.journey_graph(js200)
    assert "busiest" not in jm.plot.graph(small, max_nodes=None).get_title()
    ax = jm.plot.graph(small, max_nodes=3)
    assert len(next(c for c in ax.collections if c.get_gid() == "nodes").get_offsets()) == 5
    with pytest.raises(ValueError, match="max_nodes"):
        jm.plot.graph(small, max_nodes=0)
