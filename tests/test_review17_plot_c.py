"""Charts of partly or wholly unscored journeys (seventeenth session, the review of the chart fixes)."""

from __future__ import annotations

import io
import warnings

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores

from .test_review17_plot_b import unscore


@pytest.fixture(autouse=True)
def _close() -> None:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(300, seed=0)))


@pytest.mark.parametrize("chart", ["emotion_heatmap", "emotion_mix"])
def test_nothing_scored_says_so_within_the_figure_and_saves_without_warnings(scored: jm.JourneySet, chart: str) -> None:
    js = scored.with_events(unscore(scored.events, np.ones(len(scored.events), dtype=bool)))  # type: ignore[arg-type]
    ax = getattr(jm.plot, chart)(js)
    lines = ax.texts[0].get_text().splitlines()
    assert lines[0] == "no scored customer messages to show"
    assert any("not scored" in line for line in lines[1:])
    fig = ax.get_figure()
    assert fig is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # before: constrained_layout collapsed under the one-line note (UserWarning)
        fig.savefig(io.BytesIO(), format="png")
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    inside, text = fig.bbox, ax.texts[0].get_window_extent(renderer)
    assert text.x0 >= inside.x0 and text.x1 <= inside.x1  # before: one line cut at both edges of the figure


def test_journey_map_keeps_the_not_scored_count_of_a_long_name(scored: jm.JourneySet) -> None:
    events = scored.events.copy()
    events["touchpoint"] = events["touchpoint"].astype("string") + " settings page"
    rng = np.random.default_rng(0)
    js = scored.with_events(unscore(events, rng.random(len(events)) < 0.3))  # type: ignore[arg-type]
    ax = jm.plot.journey_map(js)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels and all(label.endswith(" not scored") for label in labels)  # before: 'billing settings page +43…'
    assert all("+" in label.split()[-3] for label in labels)


def test_journey_map_names_the_largest_unscored_cells_first(scored: jm.JourneySet) -> None:
    import pandas as pd

    from journeymap.plot.journey_map import _unscored_note

    full = pd.DataFrame({"stage": ["contact"], "touchpoint": ["app"]})
    counts = pd.Series(
        [3, 40, 12, 37],
        index=pd.MultiIndex.from_tuples(
            [("contact", "a"), ("contact", "b"), ("follow up", "c"), ("follow up", "d")], names=["stage", "touchpoint"]
        ),
    )
    note = _unscored_note(full, counts, "touchpoint")
    assert note.index("b (contact) 40") < note.index("d (follow up) 37") < note.index("c (follow up) 12")
    assert "a (contact)" not in note and note.endswith("and 1 more cells")


def test_time_patterns_counts_scored_messages_and_hatches_hours_of_few_of_them(scored: jm.JourneySet) -> None:
    rng = np.random.default_rng(1)
    js = scored.with_events(unscore(scored.events, rng.random(len(scored.events)) < 0.6))  # type: ignore[arg-type]
    table = jm.time_patterns(js)
    assert list(table.columns) == ["volume", "scored", "share_negative", "mean_valence"]
    customer = js.events["actor"] == "customer"
    assert int(table["scored"].sum()) == int(js.events.loc[customer, "valence"].notna().sum())
    ax = jm.plot.time_patterns(js, min_count=3)
    hatched = {(int(p.get_y() + 0.5), int(p.get_x() + 0.5)) for p in ax.patches if p.get_gid() == "few"}
    grid_volume = table["volume"].unstack("hour").to_numpy()
    grid_scored = table["scored"].unstack("hour").to_numpy()
    expected = {(int(r), int(c)) for r, c in zip(*np.nonzero((grid_volume > 0) & (grid_scored < 3)))}
    assert hatched == expected  # before: hours of 3+ messages but fewer scored ones were coloured from one or two
    assert any(grid_volume[r, c] >= 3 for r, c in expected)


def test_callouts_stay_inside_a_tiny_axes(scored: jm.JourneySet) -> None:
    fig, ax = plt.subplots(figsize=(3, 2))
    jm.plot.journey_map(scored, ax=ax, top_pains=20)
    fig.canvas.draw()
    notes = [t for t in ax.texts if str(t.get_gid() or "").startswith("annotation")]
    assert len(notes) > 10
    frame = ax.bbox
    outside = [t.get_text() for t in notes if t.get_window_extent().y0 < frame.y0 - 1 or t.get_window_extent().y1 > frame.y1 + 1]
    assert outside == []  # before: pushed down past the Axes, over the tick labels
