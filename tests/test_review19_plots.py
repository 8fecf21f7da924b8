"""Review 19 (rv40): charts a reader of a slide deck would misread.

Each test reads the drawn artists (window extents, texts, colours, locators, figure sizes) after a draw, not pixels.
"""

from __future__ import annotations

import importlib
import itertools
from collections import Counter
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest

mpl.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

import journeymap as jm
from journeymap.plot import _theme
from journeymap.testing.data import planted_scores

graph_module = importlib.import_module("journeymap.plot.graph")  # jm.plot.graph is the function

if TYPE_CHECKING:
    from collections.abc import Iterator

    from matplotlib.axes import Axes


@pytest.fixture(autouse=True)
def _close() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))


def one_customer(valences: list[float], *, touchpoints: list[str] | None = None) -> jm.JourneySet:
    """One journey of customer and agent turns in alternation, the customer's valences as given."""
    t0 = pd.Timestamp("2024-03-04 09:00", tz="UTC")
    rows = []
    for i in range(2 * len(valences)):
        rows.append({
            "event_id": f"x{i:04d}", "customer_id": "c1", "timestamp": t0 + pd.Timedelta(minutes=7 * i),
            "actor": "customer" if i % 2 == 0 else "agent", "channel": "twitter",
            "touchpoint": touchpoints[(i // 2) % len(touchpoints)] if touchpoints else "billing",
            "text": f"@Brand message {i}: my bill is wrong again and nobody is answering me", "thread_id": "x0000",
            "in_reply_to": None if i == 0 else f"x{i - 1:04d}", "true_emotion": "neutral",
        })  # fmt: skip
    js = planted_scores(jm.build_journeys(pd.DataFrame(rows)))
    events = js.events.copy()
    customer = (events["actor"].astype(str) == "customer").to_numpy()
    valence = events["valence"].to_numpy("float32").copy()
    valence[customer] = np.asarray(valences, "float32")
    events["valence"] = valence
    return js.with_events(events)


def edges(ax: Axes) -> list[FancyArrowPatch]:
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch) and (p.get_gid() or "").startswith("edge:")]


def same_column(ax: Axes, patch: FancyArrowPatch) -> bool:
    a, b = patch.get_gid()[len("edge:") :].split("->")
    return a != b and patch._posA_posB is not None and patch._posA_posB[0][0] == patch._posA_posB[1][0]  # type: ignore[attr-defined]


# 1. the graph: edges within a column are bounded, kept inside the plot and off the repeat counts


def test_graph_edges_within_a_column_stay_inside_the_axes_and_are_capped(twelve_areas: jm.JourneySet) -> None:
    ax = jm.plot.graph(jm.journey_graph(twelve_areas))
    ax.figure.canvas.draw()
    frame = ax.get_window_extent()
    for patch in edges(ax):  # before: the outermost of 110 brackets ran off the figure's left edge
        box = patch.get_window_extent()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, (patch.get_gid(), box, frame)
    within = [p for p in edges(ax) if same_column(ax, p)]
    columns = Counter(p._posA_posB[0][0] for p in within)  # type: ignore[attr-defined]
    assert within and max(columns.values()) <= 2 * graph_module.MAX_BRACKETS  # each column's (wrapped: 11 in 2)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("within a column not drawn" in t for t in labels), labels  # what was left out is said


def test_graph_brackets_keep_off_the_repeat_counts_at_any_dpi() -> None:
    # one 40-step journey over 4 touchpoints, each visited many times in a row: repeat counts beside every node
    tps = [t for t in ("billing", "refund", "app", "delivery") for _ in range(5)] * 2
    js = one_customer(list(np.linspace(-0.5, 0.5, 40)), touchpoints=tps)
    for dpi in (72, 100, 150):
        ax = jm.plot.graph(jm.journey_graph(js))
        ax.figure.set_dpi(dpi)
        ax.figure.canvas.draw()
        counts = [t for t in ax.texts if (t.get_gid() or "").startswith("selfloop:")]
        assert counts
        brackets = [p for p in edges(ax) if same_column(ax, p)]
        assert brackets
        for patch in brackets:
            path = patch.get_transform().transform_path(patch.get_path())
            for text in counts:  # before: a bracket's arm, taken in pixels, ran over the "↻ 37" beside its node
                box = text.get_window_extent().padded(patch.get_linewidth() / 2 * dpi / 72)
                assert not path.intersects_bbox(box, filled=False), (dpi, patch.get_gid(), text.get_text())


def test_graph_legend_explains_grey_edges(scored: jm.JourneySet) -> None:
    ax = jm.plot.graph(jm.journey_graph(scored))
    colours = {mpl.colors.to_hex(p.get_edgecolor()) for p in edges(ax)}
    assert graph_module.GREY_EDGE in colours  # the edges from start and into end
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("grey edge") for t in labels), labels


# 2. plot.journey: stage names fitted to their bands


def stage_names(ax: Axes) -> list[Text]:
    return [t for t in ax.texts if t.get_gid() == "stage-name"]


def test_journey_stage_names_do_not_overlap_and_each_is_named() -> None:
    js = one_customer(list(np.linspace(-0.8, 0.6, 12)))  # 24 steps: contact and first response are one step each
    ax = jm.plot.journey(js[js.journey_ids[0]])
    ax.figure.canvas.draw()
    names = stage_names(ax)
    boxes = [t.get_window_extent() for t in names]
    for (a, box_a), (b, box_b) in itertools.combinations(zip(names, boxes), 2):
        assert not box_a.overlaps(box_b), (a.get_text(), b.get_text())  # before: "confirstresponse"
    stages = set(js.events["stage"].dropna().astype(str))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    shown = {t.get_text().replace("\n", " ") for t in names}
    for stage in stages:  # on the chart, or as a letter the legend names
        name = _theme.wrap(stage, 40)
        assert name in shown or any(entry.endswith(f": {name}") for entry in legend), (stage, shown, legend)
    keyed = [t.get_text() for t in names if len(t.get_text()) == 1]
    assert keyed and all(any(entry.startswith(f"{k}: ") for entry in legend) for k in keyed)


# 3. plot.journey: the quotes in a light box, inside -1 .. the top, off the curve and the replies' lane


def quotes(ax: Axes) -> list[Text]:
    return [t for t in ax.texts if (t.get_gid() or "").startswith("annotation-")]


@pytest.mark.parametrize("valences", [[0.5, -0.2, -0.55, 0.1], [-0.7, 0.02, -0.4], [0.3, -0.6, 0.2, -0.62, 0.5]])
def test_journey_quotes_are_boxed_and_clear_of_the_curve_and_the_replies(valences: list[float]) -> None:
    js = one_customer(valences)
    ax = jm.plot.journey(js[js.journey_ids[0]])
    ax.figure.canvas.draw()
    floor = ax.transData.transform((0, -1.0))[1]
    top = ax.get_window_extent().y1
    curve = next(line for line in ax.lines if line.get_label() == "_curve")
    path = curve.get_transform().transform_path(curve.get_path())
    found = quotes(ax)
    assert len(found) == 2
    for quote in found:
        box = Text.get_window_extent(quote)  # the words (an annotation's extent takes in its line to the point)
        patch = quote.get_bbox_patch()
        assert patch is not None and mpl.colors.to_hex(patch.get_facecolor()) == "#ffffff" and 0.5 <= patch.get_alpha() < 1
        assert box.y0 >= floor and box.y1 <= top, (quote.get_text(), box, floor)  # before: on the replies' lane
        assert not path.intersects_bbox(box, filled=False), quote.get_text()  # before: the curve ran through the words


# 4. high and low only outside the neutral band


def test_journey_calls_a_neutral_point_neither_high_nor_low() -> None:
    js = one_customer([-0.7, 0.02, -0.4])
    ax = jm.plot.journey(js[js.journey_ids[0]])
    high = next(t for t in quotes(ax) if t.get_gid() == "annotation-high")
    assert high.get_text().startswith("highest (neutral)"), high.get_text()  # before: a green "high" at +0.02
    assert high.get_color() == _theme.NEUTRAL_TEXT  # the grey of the marks, darkened for text (4.5:1)
    js = one_customer([0.7, 0.0, 0.4])
    ax = jm.plot.journey(js[js.journey_ids[0]])
    low = next(t for t in quotes(ax) if t.get_gid() == "annotation-low")
    # before: an orange "low" at 0.0 (the grey is the marks' darkened for text)
    assert low.get_text().startswith("lowest (neutral)") and low.get_color() == _theme.NEUTRAL_TEXT
    assert next(t for t in quotes(ax) if t.get_gid() == "annotation-high").get_text().startswith("high: ")


def test_journey_map_calls_neutral_cells_neither_high_nor_low(scored: jm.JourneySet) -> None:
    # every customer message squeezed into the neutral band: no cell is a high or a low
    events = scored.events.copy()
    events["valence"] = (events["valence"].astype("float32") * 0.2).astype("float32")
    ax = jm.plot.journey_map(scored.with_events(events))
    texts = {t.get_gid(): t for t in ax.texts if t.get_gid() in ("annotation-high", "annotation-low")}
    assert texts, "the map calls out its extremes"
    for gid, text in texts.items():
        assert not text.get_text().startswith(("high ", "low ")), (gid, text.get_text())
        assert text.get_color() == _theme.NEUTRAL_TEXT


# 5. whole numbers on the axes that count messages


@pytest.fixture(scope="module")
def topics(scored: jm.JourneySet) -> jm.JourneySet:
    from journeymap.testing import HashingEncoder

    return jm.assign_topics(scored, encoder=HashingEncoder(), cache=False, n_topics=3)


def test_count_axes_have_whole_number_ticks(scored: jm.JourneySet, topics: jm.JourneySet) -> None:
    from matplotlib.ticker import MaxNLocator

    one = scored.select([scored.journeys.sort_values("n_steps").index[-1]])
    ax = jm.plot.trends(one, metric="mean_valence")
    assert isinstance(ax.yaxis.get_major_locator(), MaxNLocator)
    ticks = ax.get_yticks()
    assert np.allclose(ticks, np.round(ticks)), ticks  # before: 0.5, 1.5 ... customer messages
    small = topics.select(list(topics.journey_ids[:2]))
    ax = jm.plot.topic_trends(small, metric="volume", freq="D")
    ticks = ax.get_yticks()
    assert np.allclose(ticks, np.round(ticks)), ticks
    ax = jm.plot.time_patterns(one, metric="volume")
    bar = ax.figure.axes[-1]  # the colour bar's Axes
    ticks = bar.get_yticks()
    assert np.allclose(ticks, np.round(ticks)), ticks


# 6. partial periods hatched in light grey, not black


def hatch_colour(patch: Any) -> str:
    from matplotlib.colors import to_hex

    colour = patch.get_hatchcolor() if hasattr(patch, "get_hatchcolor") else patch._hatch_color  # matplotlib < 3.10
    return str(to_hex(colour))


def test_partial_periods_are_hatched_light_grey(scored: jm.JourneySet, topics: jm.JourneySet) -> None:
    trends_module = importlib.import_module("journeymap.plot.trends")
    ax = jm.plot.trends(scored, freq="D")
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert hatched, "a partial day is hatched"
    assert {hatch_colour(p) for p in hatched} == {trends_module.HATCH}  # before: black
    assert all(p.get_linewidth() == 0 for p in hatched)  # the colour is the hatch's, not an outline's
    ax = jm.plot.topic_trends(topics, freq="D")
    bands = [p for p in ax.patches if p.get_hatch()]
    assert bands
    assert {hatch_colour(p) for p in bands} == {trends_module.HATCH}


# 7. the journey map of a segment too small: the stage line faded and dashed, no interval named


def test_journey_map_of_two_journeys_dashes_the_stage_line_and_names_no_interval(scored: jm.JourneySet) -> None:
    two = scored.select(list(scored.journeys.index[scored.journeys.n_steps >= 3][:2]))
    ax = jm.plot.journey_map(two)
    lines = {line.get_gid(): line for line in ax.lines}
    assert "stage-means" not in lines or np.isnan(lines["stage-means"].get_ydata()).all()  # before: solid and bold
    few = lines["stage-means-few"]
    assert few.get_linestyle() == "--" and few.get_alpha() < 0.5
    assert ax.get_ylabel() == "mean customer valence"  # before: "(95% interval)", with none drawn
    ax = jm.plot.journey_map(scored)  # a segment of 60: the solid line and the interval are named
    assert "stage-means" in {line.get_gid() for line in ax.lines}
    assert ax.get_ylabel() == "mean customer valence (95% interval)"


# 9. rotated date ticks end at their tick


def test_rotated_period_ticks_are_right_aligned(scored: jm.JourneySet, topics: jm.JourneySet) -> None:
    for ax in (jm.plot.trends(scored, freq="W"), jm.plot.topic_trends(topics, freq="W")):
        labels = [t for t in ax.get_xticklabels() if t.get_text()]
        assert labels
        assert {t.get_horizontalalignment() for t in labels} == {"right"}  # before: centred, ending right of the bar
        assert {t.get_rotation() for t in labels} == {30.0}


# 9. topic_trends: long topic names stay inside the figure


def test_topic_trends_legend_of_long_names_fits_the_figure(scored: jm.JourneySet) -> None:
    rng = np.random.default_rng(1)
    words = [
        "billing",
        "refund",
        "delivery",
        "account",
        "password",
        "router",
        "outage",
        "contract",
        "upgrade",
        "roaming",
        "voicemail",
        "invoice",
    ]
    names = [f"{i:02d} " + " ".join(rng.choice(words, 8)) for i in range(12)]  # 50-70 characters each
    events = scored.events.copy()
    customer = (events["actor"].astype(str) == "customer").to_numpy()
    events["topic"] = pd.array(np.where(customer, rng.choice(names, len(events)), None), dtype="string")
    events["topic_score"] = np.where(customer, 0.6, np.nan)
    ax = jm.plot.topic_trends(scored.with_events(events), top=8)
    figure = ax.figure
    figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.y0 >= 0 and legend.y1 <= figure.bbox.height, (legend, figure.bbox)  # before: 72 px below the figure
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert all(t.count("\n") <= 1 for t in texts if "same as" not in t), texts  # two lines a name at most
    assert ax.yaxis.label.get_window_extent().y1 <= figure.bbox.height  # before: the y label was clipped at the top


# 10. emotion_mix: segments by valence; small rows keep their colours


def test_emotion_mix_stacks_by_valence_and_keeps_small_rows_colours(scored: jm.JourneySet) -> None:
    from matplotlib.colors import to_hex

    few = scored.select(scored.journey_ids[:6])  # some touchpoints of under 5 messages
    ax = jm.plot.emotion_mix(few, level="touchpoint")
    valence = few.taxonomy.valence
    emotions = [str(c.get_label()) for c in ax.containers]  # type: ignore[attr-defined]
    values = [0.0 if e == "other" else float(valence.get(e, 0.0)) for e in emotions]
    sides = [0 if v < 0 else 2 if v > 0 else 1 for v in values]
    assert sides == sorted(sides), emotions  # before: by frequency, reds split by greys and blues
    negatives = [v for v, side in zip(values, sides) if side == 0]
    assert negatives == sorted(negatives)  # the most negative first, at the bar's left end
    legend = {t.get_text(): h for t, h in zip(ax.get_legend().get_texts(), ax.get_legend().legend_handles)}
    for container in ax.containers:  # type: ignore[attr-defined]
        swatch = to_hex(legend[container.get_label()].get_facecolor())
        for bar in container:
            assert to_hex(bar.get_facecolor()) == swatch  # before: faded rows no longer matched the legend
            assert bar.get_alpha() in (None, 1.0)
    assert any(bar.get_hatch() for c in ax.containers for bar in c)  # type: ignore[attr-defined]
