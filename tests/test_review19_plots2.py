"""Review 19, second look (rv44): quotes inside the plot, every topic without warnings, brackets off the next column.

Each test reads the drawn artists (window extents, texts, warnings) after a draw, not pixels.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest

mpl.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import journeymap as jm
from journeymap.plot import _theme
from journeymap.testing.data import planted_scores
from tests.test_review19_plots import one_customer  # the brand writes last

graph_module = importlib.import_module("journeymap.plot.graph")  # jm.plot.graph is the function
trends_module = importlib.import_module("journeymap.plot.trends")

if TYPE_CHECKING:
    from collections.abc import Iterator

    from matplotlib.axes import Axes


@pytest.fixture(autouse=True)
def _close() -> Iterator[None]:
    yield
    plt.close("all")


def quotes(ax: Axes) -> list[Text]:
    return [t for t in ax.texts if (t.get_gid() or "").startswith("annotation-")]


def curve_path(ax: Axes) -> object:
    curve = next(line for line in ax.lines if line.get_label() == "_curve")
    return curve.get_transform().transform_path(curve.get_path())


# 1. a quote at the customer's last message, a brand reply after it: inside the Axes, off the stage names


def test_journey_quote_of_the_last_customer_message_stays_inside_the_axes() -> None:
    js = one_customer([-0.3 + 0.02 * (i % 3) for i in range(19)] + [0.7])  # a happy last message, the brand replies last
    ax = jm.plot.journey(js[js.journey_ids[0]])
    ax.figure.canvas.draw()
    frame = ax.get_window_extent()
    found = quotes(ax)
    assert len(found) == 2
    for quote in found:
        patch = quote.get_bbox_patch()
        assert patch is not None
        box = patch.get_window_extent()
        # before: the high box ran 64 px past the plot's right edge
        assert frame.x0 - 0.5 <= box.x0 and box.x1 <= frame.x1 + 0.5 and box.y1 <= frame.y1 + 0.5, (quote.get_text(), box, frame)
        assert not curve_path(ax).intersects_bbox(Text.get_window_extent(quote), filled=False), quote.get_text()  # type: ignore[attr-defined]


def test_journey_quote_on_a_small_given_axes_stays_inside_and_off_the_stage_names() -> None:
    js = one_customer(list(np.linspace(-0.8, 0.6, 8)))
    fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
    jm.plot.journey(js[js.journey_ids[0]], ax=ax)
    fig.canvas.draw()
    frame = ax.get_window_extent()
    names = [t.get_window_extent() for t in ax.texts if t.get_gid() == "stage-name" and t.get_visible() and t.get_text()]
    for quote in quotes(ax):
        patch = quote.get_bbox_patch()
        assert patch is not None
        box = patch.get_window_extent()
        assert frame.x0 - 0.5 <= box.x0 and box.x1 <= frame.x1 + 0.5, (box, frame)  # before: 49 px right of the Axes
        assert box.y0 >= frame.y0 - 0.5 and box.y1 <= frame.y1 + 0.5, (box, frame)  # before: 13 px above it
        assert not any(box.overlaps(name) for name in names)  # before: over the letter "C"


# 2. a dense journey: the quotes in the free band, not on the zig-zag


@pytest.mark.parametrize("valences", [
    [0.9 if i == 30 else (-0.5 if i % 2 else 0.3) for i in range(60)],
    [0.6 if i == 40 else -0.6 if i == 120 else (-0.5 if i % 2 else 0.5) for i in range(200)],
])  # fmt: skip
def test_journey_quotes_of_a_dense_journey_keep_off_the_curve(valences: list[float]) -> None:
    js = one_customer(valences)
    ax = jm.plot.journey(js[js.journey_ids[0]])
    ax.figure.canvas.draw()
    floor = ax.transData.transform((0, -1.0))[1]
    frame = ax.get_window_extent()
    for quote in quotes(ax):
        box = Text.get_window_extent(quote)
        assert box.y0 >= floor - 0.5 and box.y1 <= frame.y1 + 0.5
        assert frame.x0 - 0.5 <= box.x0 and box.x1 <= frame.x1 + 0.5
        # before: both quotes fell back onto the zig-zag, the band above 0.65 empty
        assert not curve_path(ax).intersects_bbox(box, filled=False), quote.get_text()  # type: ignore[attr-defined]
        patch = quote.get_bbox_patch()
        assert patch is not None and mpl.colors.to_hex(patch.get_facecolor()) == "#ffffff"  # the white box kept


# 3. topic_trends(top=None) on 45 topics: no warnings, ten named colours, the rest said


@pytest.fixture(scope="module")
def many_topics() -> jm.JourneySet:
    rng = np.random.default_rng(1)
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(300, seed=0)))
    events = js.events.copy()
    customer = events["actor"].astype(str) == "customer"
    names = [f"{i:02d} billing refund delivery account password router outage" for i in range(45)]
    events["topic"] = pd.array(np.where(customer, rng.choice(names, len(events)), None), dtype="string")
    events["topic_score"] = np.where(customer, 0.6, np.nan)
    return js.with_events(events)


def test_topic_trends_of_every_topic_warns_nothing_and_names_ten(many_topics: jm.JourneySet) -> None:
    # pytest turns warnings into errors: before, two constrained_layout UserWarnings (axes sizes collapsed to zero)
    ax = jm.plot.topic_trends(many_topics, top=None)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    named = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(named) == trends_module.MAX_NAMED_TOPICS  # before: 45 lines in 10 colours
    assert len({mpl.colors.to_hex(line.get_color()) for line in named}) == len(named)  # each its own colour
    assert any(text.startswith("35 more topics") for text in labels), labels
    legend = ax.get_legend().get_window_extent()
    assert legend.y0 >= 0 and legend.y1 <= ax.figure.bbox.height  # the legend fits the figure
    assert ax.figure.get_size_inches()[1] < 8  # before: 20 inches tall


# 4. plot.graph: brackets within a column stay off the next column's nodes; arrowheads off the "↻ n" counts


def edges(ax: Axes) -> list[FancyArrowPatch]:
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch) and (p.get_gid() or "").startswith("edge:")]


def test_graph_brackets_keep_off_the_next_column_and_heads_off_the_counts(twelve_areas: jm.JourneySet) -> None:
    ax = jm.plot.graph(jm.journey_graph(twelve_areas))
    fig = ax.figure
    fig.canvas.draw()
    nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
    centres = ax.transData.transform(nodes.get_offsets())
    radii = np.sqrt(nodes.get_sizes()) / 2 * fig.dpi / 72
    counts = [t.get_window_extent() for t in ax.texts if (t.get_gid() or "").startswith("selfloop:")]
    assert counts
    for patch in edges(ax):
        path = patch.get_transform().transform_path(patch.get_path())
        # without the arrowhead's CLOSEPOLY, whose unused vertex (0, 0) intersects_bbox takes for a line to the corner
        path = Path(path.vertices[path.codes != Path.CLOSEPOLY], path.codes[path.codes != Path.CLOSEPOLY])
        (xa, ya), (xb, _) = patch._posA_posB  # type: ignore[attr-defined]
        if xa == xb:  # a bracket: through no disc of another column (before: contract <-> router ran behind porting)
            column = ax.transData.transform((xa, ya))[0]
            for (cx, cy), r in zip(centres, radii):
                if abs(cx - column) > 1:
                    disc = Bbox.from_extents(cx - 0.7 * r, cy - 0.7 * r, cx + 0.7 * r, cy + 0.7 * r)
                    assert not path.intersects_bbox(disc, filled=False), patch.get_gid()
        tip = path.vertices[-4:-1]  # the arrowhead: the closed triangle that ends the path
        head = Bbox.from_extents(*tip.min(axis=0), *tip.max(axis=0))
        assert not any(head.overlaps(count) for count in counts), patch.get_gid()  # before: porting -> outage on "↻ 2"


# 5. inside the neutral band one wording, whatever the sign


@pytest.mark.parametrize(("kind", "valence", "word"), [
    ("high", 0.02, "highest (neutral)"), ("high", -0.02, "highest (neutral)"), ("high", -0.2, "highest (neutral)"),
    ("low", 0.0, "lowest (neutral)"), ("low", 0.08, "lowest (neutral)"), ("low", 0.2, "lowest (neutral)"),
    ("high", -0.4, "least negative"), ("low", 0.4, "least positive"), ("high", 0.6, "high"), ("low", -0.6, "low"),
])  # fmt: skip
def test_callout_words_in_the_neutral_band_do_not_depend_on_the_sign(kind: str, valence: float, word: str) -> None:
    assert _theme.callout_tag(kind, valence)[0] == word  # before: "least negative" at -0.02, "least positive" at +0.08


def test_journey_calls_a_slightly_positive_low_neutral() -> None:
    js = one_customer([0.7, 0.08, 0.5])
    ax = jm.plot.journey(js[js.journey_ids[0]])
    low = next(t for t in quotes(ax) if t.get_gid() == "annotation-low")
    assert low.get_text().startswith("lowest (neutral)"), low.get_text()  # before: "least positive" read as positive


# 6. plot.graph: the legend below the plot inside the figure


def test_graph_legend_stays_inside_the_figure_on_a_tall_graph() -> None:
    rng = np.random.default_rng(1)
    events = jm.datasets.service_journeys(300, seed=0).events.copy()
    names = [f"{i:02d} billing refund delivery account password" for i in range(45)]
    events["touchpoint"] = pd.array(rng.choice(names, len(events)), dtype="string")
    ax = jm.plot.graph(jm.journey_graph(planted_scores(jm.build_journeys(events))))
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= 0 and legend.x1 <= fig.bbox.width, (legend, fig.bbox)  # before: from x = -7 px
    bounds = ax.get_window_extent().extents
    fig.canvas.draw()
    assert np.allclose(ax.get_window_extent().extents, bounds, atol=1)  # the layout settles: a redraw moves nothing
