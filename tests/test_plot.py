from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pytest

mpl.use("Agg")

import matplotlib.pyplot as plt

import journeymap as jm
from journeymap.plot import _theme
from journeymap.plot._heatmap import mix_order
from journeymap.plot._stats import extremes, journey_curve, journey_map_table, stage_shares
from journeymap.testing.data import planted_scores

from .conftest import TWCS_SAMPLE


@pytest.fixture(scope="module")
def js() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(200, seed=5)))


def annotations(ax: plt.Axes) -> dict[str, plt.Annotation]:
    return {a.get_gid(): a for a in ax.texts if isinstance(a, mpl.text.Annotation) and a.get_gid()}


def test_journey_marks_highs_lows_and_end(js: jm.JourneySet) -> None:
    m = jm.journey_metrics(js)
    journey = js[m[(m["n_customer_steps"] >= 3) & (m["high_valence"] > m["low_valence"])].index[0]]
    curve = journey_curve(journey)
    high, low = extremes(curve)
    _fig, ax = plt.subplots()
    assert jm.plot.journey(journey, ax=ax) is ax
    notes = annotations(ax)
    assert notes["annotation-high"].xy == (curve.loc[high, "step"], pytest.approx(curve.loc[high, "valence"]))
    assert notes["annotation-low"].xy == (curve.loc[low, "step"], pytest.approx(curve.loc[low, "valence"]))
    assert _theme.shorten(curve.loc[low, "text"], 20)[:15] in notes["annotation-low"].get_text().replace("\n", " ")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["customer", "brand reply", "end"]
    # customer points drawn where the customer's valences are
    customer = ax.collections[0].get_offsets()
    expected = curve[~curve["is_brand"] & curve["valence"].notna()][["step", "valence"]].to_numpy()
    assert np.allclose(customer, expected)


def test_journey_map_flags_pain_points_and_colours_by_valence(js: jm.JourneySet) -> None:
    table = journey_map_table(js)
    assert table.loc[table["pain_point"], "touchpoint"].iloc[0] == "billing"
    ax = jm.plot.journey_map(js)
    ax.figure.canvas.draw()
    points = next(c for c in ax.collections if c.get_gid() == "touchpoints")
    assert np.allclose(points.get_array(), table["mean_valence"])
    colours = points.get_facecolors()
    order = np.argsort(table["mean_valence"].to_numpy())
    # most negative is reddest (more red than blue), most positive bluest
    assert colours[order[0]][0] > colours[order[0]][2]
    assert colours[order[-1]][2] >= colours[order[-1]][0]
    notes = annotations(ax)
    assert {"annotation-high", "annotation-low", "annotation-pain"} <= set(notes)
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == list(table["touchpoint"])
    assert ax.get_legend() is not None


def test_journey_map_shows_the_intervals_of_touchpoint_summary() -> None:
    """One touchpoint, one interval: the map draws the bootstrap interval the table reports."""
    log = jm.datasets.service_journeys(150, seed=2)
    stage_of = {"billing": "pay", "refund": "pay", "delivery": "receive", "store": "receive", "app": "use", "account": "use"}
    js = planted_scores(jm.build_journeys(log, stages=stage_of))
    assert (js.events.groupby("touchpoint")["stage"].nunique() == 1).all()  # each touchpoint lies in one stage
    for seed in (0, 7):
        table = journey_map_table(js, seed=seed).set_index("touchpoint")
        summary = jm.touchpoint_summary(js, seed=seed)
        assert sorted(table.index) == sorted(summary.index)
        for column in ("mean_valence", "ci_low", "ci_high"):
            assert table[column].to_dict() == pytest.approx(summary[column].to_dict(), rel=1e-12, abs=1e-12), column
        # the band drawn on the map is that interval
        ax = jm.plot.journey_map(js, seed=seed)
        bars = next(c for c in ax.collections if c.get_gid() == "intervals")
        band = np.vstack([path.vertices for path in bars.get_paths()])
        assert band[:, 1].min() == pytest.approx(table["ci_low"].min())
        assert band[:, 1].max() == pytest.approx(table["ci_high"].max())
    # bootstrap, not a 1.96 x standard-error band: the two differ
    se = js.events[js.events["valence"].notna()].groupby("touchpoint")["valence"].sem()
    normal_low = summary["mean_valence"] - 1.96 * se.reindex(summary.index)
    assert not np.allclose(summary["ci_low"], normal_low, rtol=0, atol=1e-6)


def test_graph_draws_every_node_and_edge(js: jm.JourneySet) -> None:
    G = jm.journey_graph(js, level="stage")
    pos = jm.plot.layered_layout(G, seed=1)
    assert pos == jm.plot.layered_layout(G, seed=1)
    assert pos["__start__"][0] < pos["contact"][0] < pos["resolution"][0] < pos["__end__"][0]
    ax = jm.plot.graph(G, pos=pos)
    loops = sum(1 for a, b in G.edges if a == b)
    assert ax.get_gid() == f"graph:{G.number_of_nodes()}-nodes:{G.number_of_edges() - loops}-edges"
    assert len([p for p in ax.patches if (p.get_gid() or "").startswith("edge:")]) == G.number_of_edges() - loops
    nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
    assert len(nodes.get_offsets()) == G.number_of_nodes()
    assert len(ax.figure.axes) == 2  # the colour bar
    assert ax.get_legend() is not None


def test_heatmaps_and_mix(js: jm.JourneySet) -> None:
    shares = stage_shares(js)
    assert np.allclose(shares.sum(axis=1), 1.0)
    by_touchpoint = stage_shares(js, level="touchpoint")
    assert list(by_touchpoint.index) == list(jm.touchpoint_summary(js).index)
    ax = jm.plot.emotion_heatmap(js)
    assert len(ax.texts) == stage_shares(js, top=10).size
    ax = jm.plot.emotion_mix(js)
    assert ax.get_legend() is not None and len(ax.patches) == shares.size
    ax = jm.plot.time_patterns(js, metric="volume")
    assert ax.images[0].get_array().shape == (7, 24)
    assert ax.images[0].get_array().sum() == js.events["valence"].notna().sum()


def test_emotion_mix_colours_follow_the_taxonomy_of_the_scores() -> None:
    from .test_analytics import MOODS, rescored

    unscored = jm.build_journeys(jm.datasets.service_journeys(150, seed=6))

    def colours(ax: plt.Axes) -> dict[str, tuple[float, ...]]:
        return {c.get_label(): tuple(c.patches[0].get_facecolor()) for c in ax.containers}

    def red(c: tuple[float, ...]) -> bool:
        return c[0] > c[2] + 0.2

    def blue(c: tuple[float, ...]) -> bool:
        return c[2] > c[0] + 0.2

    def grey(c: tuple[float, ...]) -> bool:
        return max(c[:3]) - min(c[:3]) < 0.01 and c[0] < 0.9

    mood = colours(jm.plot.emotion_mix(rescored(unscored, MOODS.labels, MOODS)))
    assert set(mood) == {"fuming", "content", "meh"}
    assert red(mood["fuming"]) and blue(mood["content"]) and grey(mood["meh"])
    sentiment = colours(jm.plot.emotion_mix(planted_scores(unscored, taxonomy="sentiment")))
    assert red(sentiment["negative"]) and blue(sentiment["positive"]) and grey(sentiment["neutral"])
    ekman = colours(jm.plot.emotion_mix(planted_scores(unscored, taxonomy="ekman")))
    assert red(ekman["anger"]) and blue(ekman["joy"])


@pytest.mark.skipif(not TWCS_SAMPLE.is_file(), reason="../shared/data/twcs_sample is not beside the checkout")
def test_every_helper_renders_real_threads(default_scorer) -> None:
    """Real TWCS threads scored by the default model: each chart renders and draws what its numbers say."""
    tw = jm.score(jm.build_journeys(jm.read_twcs(TWCS_SAMPLE)), default_scorer, cache=False)

    def rendered(ax: plt.Axes) -> plt.Axes:
        ax.figure.canvas.draw()  # layout and text of real data (emoji, long words) must not fail
        return ax

    # one journey: a tick per step, a customer point per scored customer message
    journey = tw[tw.journeys["n_steps"].idxmax()]
    curve = journey_curve(journey)
    ax = rendered(jm.plot.journey(journey))
    assert [int(x) for x in ax.get_xticks()] == curve["step"].tolist()
    customer = curve[~curve["is_brand"] & curve["valence"].notna()]
    assert np.allclose(ax.collections[0].get_offsets(), customer[["step", "valence"]].to_numpy())
    # the map: a marker per (stage, touchpoint) cell at its mean valence
    table = journey_map_table(tw)
    ax = rendered(jm.plot.journey_map(tw))
    points = next(c for c in ax.collections if c.get_gid() == "touchpoints")
    assert np.allclose(points.get_offsets(), table[["x", "mean_valence"]].to_numpy())
    assert [t.get_text() for t in ax.get_xticklabels()] == [_theme.wrap(str(t), 12) for t in table["touchpoint"]]
    # the graph: every node, every edge but the self-loops (counted beside their node)
    G = jm.journey_graph(tw)
    ax = rendered(jm.plot.graph(G))
    loops = [a for a, b in G.edges if a == b]
    assert ax.get_gid() == f"graph:{G.number_of_nodes()}-nodes:{G.number_of_edges() - len(loops)}-edges"
    assert {t.get_gid() for t in ax.texts if (t.get_gid() or "").startswith("selfloop:")} == {f"selfloop:{n}" for n in loops}
    # the shares: a number per cell, a bar segment per (row, emotion)
    shares = stage_shares(tw, top=10)
    ax = rendered(jm.plot.emotion_heatmap(tw, level="touchpoint"))
    assert np.allclose(ax.images[0].get_array(), shares.to_numpy())
    assert [t.get_text() for t in ax.texts] == [f"{v:.0%}" for v in shares.to_numpy().ravel()]
    mix = stage_shares(tw)
    ax = rendered(jm.plot.emotion_mix(tw))
    assert len(ax.patches) == mix.size
    # the segments by valence (review 19), the same emotions
    valence = tw.taxonomy.valence if tw.taxonomy is not None else {}
    assert [c.get_label() for c in ax.containers] == mix_order([str(c) for c in mix.columns], valence)
    # the hours: the share negative of every weekday and hour (min_count=1: thin hours coloured too)
    patterns = jm.time_patterns(tw)
    ax = rendered(jm.plot.time_patterns(tw, min_count=1))
    drawn = np.ma.filled(ax.images[0].get_array().astype(float), np.nan)
    assert np.allclose(drawn, patterns["share_negative"].unstack("hour").to_numpy(), equal_nan=True)


def test_every_public_plot_name_is_a_function() -> None:
    import inspect

    from journeymap import plot

    assert plot.heatmap is plot.emotion_heatmap
    assert all(inspect.isfunction(getattr(plot, name)) for name in plot.__all__)
