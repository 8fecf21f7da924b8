"""Review 20 (rv47): charts bounded at scale.

- ``emotion_heatmap`` and ``emotion_mix`` draw at most ``max_rows`` rows (:data:`~journeymap.plot._heatmap.MAX_ROWS`),
  the busiest, and say so; 200 touchpoints made an 8,105-pixel heatmap that took 11 s to save.
- ``trends`` and ``topic_trends`` beyond :data:`~journeymap.plot.trends.DENSE_PERIODS` periods: one step area, no
  marker per period; hourly over a year was 8,766 bars (18 s) and a solid mass of markers.
- ``graph``'s colour bar no taller than about :data:`~journeymap.plot.graph.COLORBAR_INCHES` beside a tall plot.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest

mpl.use("Agg")
from matplotlib.patches import Rectangle, StepPatch

import journeymap as jm
from journeymap.plot import _heatmap
from journeymap.plot._stats import stage_shares
from journeymap.testing.data import planted_scores

graph_module = importlib.import_module("journeymap.plot.graph")  # jm.plot.graph is the function
trends_module = importlib.import_module("journeymap.plot.trends")

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(120, seed=0)))


def relabel(js: jm.JourneySet, column: str, k: int, prefix: str, *, stages: bool = True) -> jm.JourneySet:
    """``column`` of the customer messages (every event for touchpoints) spread over ``k`` Zipf-sized values.

    ``stages=False``: the events without their stage column, as a source without stages (the TWCS tweets).
    """
    rng = np.random.default_rng(3)
    events = js.events.copy()
    names = np.array([f"{prefix} {i:02d}" for i in range(k)])
    weights = 1 / np.arange(1, k + 1) ** 0.8
    values = names[rng.choice(k, len(events), p=weights / weights.sum())]
    if column == "topic":
        customer = (events["actor"].astype(str) == "customer").to_numpy()
        events["topic"] = pd.array(np.where(customer, values, None), dtype="string")
        events["topic_score"] = np.where(customer, 0.7, np.nan)
    else:
        events[column] = pd.array(values, dtype="string")
    if not stages:
        events = events.drop(columns="stage")
    return js.with_events(events)


@pytest.fixture(scope="module")
def wide(scored: jm.JourneySet) -> jm.JourneySet:
    """The reviewer's case, smaller: 45 distinct touchpoints (a helpdesk's category column)."""
    return relabel(scored, "touchpoint", 45, "category")


def row_names(ax: Axes) -> list[str]:
    return [t.get_text().split(" (n=")[0] for t in ax.get_yticklabels()]


# 1. emotion_heatmap and emotion_mix: at most max_rows rows, the busiest, and the title says so


@pytest.mark.parametrize("chart", [jm.plot.emotion_heatmap, jm.plot.emotion_mix])
def test_emotion_charts_draw_the_busiest_max_rows_rows_by_default_and_say_so(wide: jm.JourneySet, chart: object) -> None:
    full = stage_shares(wide, top=10)
    assert len(full) > 40  # (a category none of whose messages was scored has no row: named under the chart)
    busiest = pd.Series(full.attrs["n"], index=full.index.astype(str)).sort_values(ascending=False, kind="stable")
    ax = chart(wide)  # type: ignore[operator]
    names = row_names(ax)
    # before: 45 rows (200 made a figure 8,105 pixels tall)
    assert len(names) == _heatmap.MAX_ROWS == 30
    assert set(names) == {_theme_wrap(n) for n in busiest.index[:30]}
    title = ax.get_title().replace("\n", " ")
    assert f"30 of {len(full)} touchpoints, the busiest by scored messages" in title, title
    # no taller than 30 rows need
    assert ax.figure.get_size_inches()[1] <= 1.5 + 0.6 * 30 + 1e-9


def _theme_wrap(name: str) -> str:
    from journeymap.plot import _theme

    return _theme.wrap(name, 18)


@pytest.mark.parametrize("chart", [jm.plot.emotion_heatmap, jm.plot.emotion_mix])
def test_emotion_charts_keep_every_row_with_max_rows_none_or_under_the_cap(
    wide: jm.JourneySet, scored: jm.JourneySet, chart: object
) -> None:
    ax = chart(wide, max_rows=None)  # type: ignore[operator]
    assert len(ax.get_yticklabels()) == len(stage_shares(wide)) > 40
    assert " of " not in ax.get_title()
    # fewer rows than the cap: the chart is as it was (same rows, same title, same figure)
    small = chart(scored)  # type: ignore[operator]
    every = chart(scored, max_rows=None)  # type: ignore[operator]
    assert row_names(small) == row_names(every) and len(row_names(small)) == len(stage_shares(scored))
    assert small.get_title() == every.get_title() and " of " not in small.get_title()
    assert tuple(small.figure.get_size_inches()) == tuple(every.figure.get_size_inches())


def test_emotion_heatmap_max_rows_keeps_the_stage_order_and_the_counts(scored: jm.JourneySet) -> None:
    full = stage_shares(scored, level="stage", top=10)
    n = dict(zip(full.index.astype(str), full.attrs["n"]))
    ax = jm.plot.emotion_heatmap(scored, level="stage", max_rows=2)
    kept = sorted(n, key=lambda s: -n[s])[:2]
    assert row_names(ax) == [_theme_wrap(s) for s in full.index.astype(str) if s in kept]  # in stage order, not by size
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert all(f"(n={n[s]:,}" in label for s, label in zip([s for s in full.index.astype(str) if s in kept], labels))
    assert f"2 of {len(full)} stages" in ax.get_title().replace("\n", " ")


@pytest.mark.parametrize("chart", [jm.plot.emotion_heatmap, jm.plot.emotion_mix])
@pytest.mark.parametrize(
    ("value", "error"), [(0, jm.InvalidArgumentError), (2.5, jm.ArgumentTypeError), (True, jm.ArgumentTypeError)]
)
def test_emotion_charts_reject_a_bad_max_rows_by_name(scored: jm.JourneySet, chart: object, value: object, error: type) -> None:
    with pytest.raises(error, match="max_rows"):
        chart(scored, max_rows=value)  # type: ignore[operator]


def test_emotion_mix_caps_topics_too(scored: jm.JourneySet) -> None:
    js = relabel(scored, "topic", 40, "topic")
    n = js.events["topic"].nunique()  # the rarest of the 40 may be drawn for no customer message
    assert n >= 38
    ax = jm.plot.emotion_mix(js, level="topic", max_rows=12)
    assert len(ax.get_yticklabels()) == 12
    assert f"12 of {n} topics" in ax.get_title().replace("\n", " ")


# 2. trends and topic_trends beyond DENSE_PERIODS periods: a step area, no marker per period


@pytest.fixture(scope="module")
def hourly(scored: jm.JourneySet) -> pd.DataFrame:
    table = jm.trends(scored, freq="h")
    assert len(table) > trends_module.DENSE_PERIODS  # the case under test
    return table


def test_trends_over_many_periods_draws_one_step_area_and_no_marker_per_period(
    scored: jm.JourneySet, hourly: pd.DataFrame
) -> None:
    ax = jm.plot.trends(scored, freq="h")
    partial = hourly["partial"].to_numpy(dtype=bool)
    steps = [p for p in ax.patches if isinstance(p, StepPatch)]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    # before: one bar per period (8,766 for a year by the hour)
    assert len(steps) == 1 and steps[0].get_gid() == "volume-area"
    assert len(bars) == int(partial.sum()) and all(b.get_hatch() == "///" for b in bars)  # partial periods stay hatched bars
    values = steps[0].get_data().values
    volume = hourly["volume"].to_numpy(dtype=float)
    np.testing.assert_array_equal(values, np.where(partial, 0.0, volume))
    np.testing.assert_array_equal(sorted(b.get_height() for b in bars), sorted(volume[partial]))
    line = next(line for line in ax.right_ax.lines if line.get_label().startswith("median first response"))  # type: ignore[attr-defined]
    y = line.get_ydata()
    marks = line.get_markevery()
    # markers only where a value stands alone between gaps (no segment shows it): not one per period
    finite = np.isfinite(np.asarray(y, dtype=float))
    assert isinstance(marks, list) and len(marks) < finite.sum()
    assert marks == trends_module._marks(np.asarray(y, dtype=float), 0)
    in_runs = np.flatnonzero(finite & (np.r_[False, finite[:-1]] | np.r_[finite[1:], False]))
    assert len(in_runs) and not set(in_runs) & set(marks)  # a value a segment shows has no marker
    labels = ax.get_legend().get_texts()
    assert labels[0].get_text() == "customer messages" and labels[1].get_text() == line.get_label()
    if partial.any():
        assert labels[-1].get_text().startswith("partial period")


def test_trends_under_the_threshold_is_unchanged(scored: jm.JourneySet) -> None:
    table = jm.trends(scored, freq="D")
    assert len(table) <= trends_module.DENSE_PERIODS
    ax = jm.plot.trends(scored, freq="D")
    assert len(ax.patches) == len(table) and not any(isinstance(p, StepPatch) for p in ax.patches)
    line = next(line for line in ax.right_ax.lines if line.get_label().startswith("median"))  # type: ignore[attr-defined]
    assert line.get_markevery() is None and line.get_marker() == "o" and line.get_linewidth() == 1.8


def test_marks_keep_a_lone_value_and_every_nth() -> None:
    y = np.array([1.0, np.nan, 2.0, np.nan, 3.0, 4.0, 5.0, 6.0, 7.0, np.nan])
    assert trends_module._marks(y, 0) == [0, 2]  # between gaps, or at an end next to one
    assert trends_module._marks(y, 4, 1) == [0, 2, 5]  # every 4th from 1 where there is a value (1 and 9 are gaps)


def test_topic_trends_over_many_periods_thins_each_lines_markers(scored: jm.JourneySet) -> None:
    js = relabel(scored, "topic", 4, "topic")
    periods = jm.topic_trends(js, freq="h").index.get_level_values("period").nunique()
    assert periods > trends_module.DENSE_PERIODS
    ax = jm.plot.topic_trends(js, freq="h", top=4)
    named = [line for line in ax.lines if line.get_label().startswith("topic ")]
    assert len(named) == 4
    starts = set()
    for line in named:
        y = np.asarray(line.get_ydata(), dtype=float)
        marks = line.get_markevery()
        # before: a marker at every period (a solid mass of marks)
        assert isinstance(marks, list) and marks
        lone = set(trends_module._marks(y, 0))
        regular = [m for m in marks if m not in lone]
        assert len(regular) <= trends_module.DENSE_MARKS + 1
        assert line.get_marker() not in ("", "None", None)  # the shape that tells the topics apart is kept
        starts.add(regular[0] if regular else -1)
    assert len(starts) > 1  # the topics' marks fall on different periods


def test_topic_trends_under_the_threshold_marks_every_period(scored: jm.JourneySet) -> None:
    js = relabel(scored, "topic", 3, "topic")
    ax = jm.plot.topic_trends(js, freq="W")
    assert all(line.get_markevery() is None for line in ax.lines if line.get_label().startswith("topic "))


# 3. the graph's colour bar beside a tall plot


def test_graph_colour_bar_is_bounded_beside_a_tall_plot(scored: jm.JourneySet) -> None:
    js = relabel(scored, "topic", 40, "topic")
    ax = jm.plot.graph(jm.journey_graph(js, level="topic"))
    figure = ax.figure
    figure.canvas.draw()
    bar = next(a for a in figure.axes if a is not ax)
    inches = bar.get_window_extent().height / figure.dpi
    # the case: a plot tall enough that 70% of it would pass the cap (every topic in one column made a 20-inch
    # figure; since the columns wrap to keep it within MAX_HEIGHT, about 11.5 inches)
    assert 0.7 * ax.get_window_extent().height / figure.dpi > 1.5 * graph_module.COLORBAR_INCHES
    # before: 70% of the plot, 20 inches and more
    assert inches <= 1.3 * graph_module.COLORBAR_INCHES, inches
    assert abs(bar.get_window_extent().y1 - ax.get_window_extent().y1) < 0.6 * figure.dpi  # at the top, beside the plot


def test_graph_colour_bar_of_an_ordinary_graph_is_unchanged(scored: jm.JourneySet) -> None:
    ax = jm.plot.graph(jm.journey_graph(scored, level="stage"))
    assert graph_module._colorbar_size(ax) == {"shrink": 0.7}
