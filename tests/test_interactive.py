"""The interactive (plotly) views: hover content, the filter drop-down, escaping, the missing extra."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores

pytest.importorskip("plotly")


@pytest.fixture(scope="module")
def js() -> jm.JourneySet:
    scored = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=2)))
    events = scored.events.copy()
    first = events.index[(events["actor"] == "customer").to_numpy()][0]
    events["text"] = events["text"].astype("string")
    events.loc[first, "text"] = "<script>alert(1)</script> worst service"
    events.loc[first, "valence"] = -1.0
    return scored.with_events(events)


def test_graph_hover_shows_counts_valence_and_escaped_quotes(js: jm.JourneySet) -> None:
    fig = jm.plot.interactive_graph(js)
    scored_nodes, unscored_nodes = fig.data[-2:]  # on the colour scale, and grey (start, end: no valence)
    G = jm.journey_graph(js)
    assert sorted([*scored_nodes.text, *unscored_nodes.text]) == sorted(str(n) for n in G.nodes)
    assert set(unscored_nodes.text) == {"__start__", "__end__"} and unscored_nodes.marker.symbol == "circle-open"
    assert list(scored_nodes.marker.color) == [G.nodes[n]["mean_valence"] for n in scored_nodes.text]
    hover = dict(zip(scored_nodes.text, scored_nodes.hovertext))
    tp = js.events.loc[js.events["text"].astype("string").str.contains("script", regex=False).fillna(False), "touchpoint"].iloc[0]
    assert f"steps: {G.nodes[tp]['volume']:,}" in hover[tp]
    assert f"mean valence: {G.nodes[tp]['mean_valence']:+.2f}" in hover[tp]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; worst service (-1.00)" in hover[tp]
    assert "<script>" not in "".join(hover.values())
    edges = fig.data[1]
    assert len(edges.x) == sum(1 for _ in G.edges)


def test_min_count_drops_rare_edges_from_the_drawing(js: jm.JourneySet) -> None:
    G = jm.journey_graph(js)
    counts = sorted(d["count"] for *_, d in G.edges(data=True))
    cut = counts[len(counts) // 2]
    frequent = sum(1 for c in counts if c >= cut)
    assert len(jm.plot.interactive_graph(js, min_count=cut).data[1].x) == frequent
    assert 0 < frequent < G.number_of_edges()


def test_the_filter_offers_all_and_the_busiest_values_and_toggles_their_traces(js: jm.JourneySet) -> None:
    fig = jm.plot.interactive_graph(js, filter_by="tier", max_values=2)
    buttons = fig.layout.updatemenus[0].buttons
    tiers = js.journeys.join(js.events.groupby("journey_id")["tier"].first())["tier"].value_counts()
    assert [b.label for b in buttons] == ["all", *[str(t) for t in tiers.index[:2]]]
    n = len(fig.data)
    assert n == 4 * 3  # four traces per panel: edges, their midpoints, scored and unscored nodes
    for k, button in enumerate(buttons):
        visible = button.args[0]["visible"]
        assert visible == [4 * k <= i < 4 * k + 4 for i in range(n)]
    assert [t.visible for t in fig.data] == [i < 4 for i in range(n)]
    with pytest.raises(jm.JourneyMapError, match=r"filter_by='nope': no such column"):
        jm.plot.interactive_graph(js, filter_by="nope")


def test_the_map_is_touchpoints_by_stage_coloured_by_customer_valence(js: jm.JourneySet) -> None:
    fig = jm.plot.interactive_map(js, filter_by="tier")
    heat = fig.data[0]
    assert list(heat.x) == list(js.stages.names)
    ev = js.events[(js.events["actor"] == "customer").to_numpy() & js.events["valence"].notna().to_numpy()]
    expected = ev.groupby([ev["touchpoint"].astype(str), ev["stage"].astype(str)])["valence"].mean()
    z = np.asarray(heat.z, dtype=float)
    for (tp, stage), value in expected.items():
        assert z[list(heat.y).index(tp), list(heat.x).index(stage)] == pytest.approx(value)
    assert np.isnan(z).sum() == z.size - len(expected)
    assert len(fig.layout.updatemenus[0].buttons) > 1


def test_without_plotly_the_error_says_what_to_install(js: jm.JourneySet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    with pytest.raises(ImportError, match=r"pip install 'journeymap\[interactive\]'"):
        jm.plot.interactive_graph(js)


def test_the_maps_quotes_are_each_cells_own_messages(js: jm.JourneySet) -> None:
    # the TWCS sample's "follow_up · resolution" cell (mean +0.49) quoted the most negative
    # follow_up messages of other stages (-0.89, -0.89, -0.88): quotes were per row, not per cell
    heat = jm.plot.interactive_map(js).data[0]
    ev = js.events[(js.events["actor"] == "customer").to_numpy() & js.events["valence"].notna().to_numpy()]
    checked = 0
    for i, tp in enumerate(heat.y):
        for j, stage in enumerate(heat.x):
            hover = heat.text[i][j]
            if not hover:
                continue
            cell = ev[(ev["touchpoint"].astype(str) == tp).to_numpy() & (ev["stage"].astype(str) == stage).to_numpy()]
            quoted = [line for line in hover.split("<br>") if line.startswith("“")]
            assert 0 < len(quoted) <= 3
            for line in quoted:
                value = float(line.rsplit("(", 1)[1].rstrip(")”"))
                assert np.isclose(cell["valence"].to_numpy(dtype=float), value, atol=0.006).any(), (tp, stage, line)
            checked += 1
    assert checked >= 4
