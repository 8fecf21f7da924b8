"""Review 19 (rv40): charts a reader of a slide deck would misread.

Each test reads the drawn artists (window extents, texts, colours, locators, figure sizes) after a draw, not pixels.
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

import journeymap as jm
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


@pytest.fixture(scope="module")
def twelve_areas() -> jm.JourneySet:
    # customers move between 12 areas at random: 11 of them share the graph's middle column
    rng = np.random.default_rng(0)
    events = jm.datasets.service_journeys(150, seed=0).events.copy()
    names = ["billing", "refund", "delivery", "account", "app", "store", "router", "roaming", "contract", "upgrade",
             "porting", "outage"]  # fmt: skip
    events["touchpoint"] = pd.array(rng.choice(names, len(events)), dtype="string")
    return planted_scores(jm.build_journeys(events))


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
    assert 0 < len(within) <= 2 * graph_module.MAX_BRACKETS
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
