"""The chart review's findings: value axes, callouts, bands, ticks, contrast, thin hours, titles.

Each test reads the drawn artists (limits, texts, colours, bounding boxes), with planted scores.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest

mpl.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import to_hex, to_rgb

import journeymap as jm
from journeymap.plot import _theme
from journeymap.plot.trends import tick_format, time_unit
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.transforms import Bbox

from . import test_plot

# the same fixture as test_plot: planted scores on 200 customers (conftest closes the figures)
js = test_plot.js


def boxes(ax: Axes) -> dict[str, list[Bbox]]:
    """Window extents of the axes, its legend, title and texts (by gid), after a draw."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    out: dict[str, list[Bbox]] = {"axes": [ax.get_window_extent(renderer)], "title": [ax.title.get_window_extent(renderer)]}
    legend = ax.get_legend()
    if legend is not None:
        out["legend"] = [legend.get_window_extent(renderer)]
    for text in ax.texts:
        out.setdefault(text.get_gid() or "", []).append(text.get_window_extent(renderer))
    return out


def inside(box: Bbox, outer: Bbox) -> bool:
    return bool(box.x0 >= outer.x0 - 0.5 and box.x1 <= outer.x1 + 0.5 and box.y0 >= outer.y0 - 0.5 and box.y1 <= outer.y1 + 0.5)


def legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


# 1. value axes of the trend charts


def test_trends_value_axes_start_at_zero_and_shares_run_zero_to_one(js: jm.JourneySet) -> None:
    ax = jm.plot.trends(js, freq="W")
    right = ax.right_ax  # type: ignore[attr-defined]
    line = right.get_lines()[0].get_ydata()
    assert ax.get_ylim()[0] == 0.0
    assert right.get_ylim()[0] == 0.0 and right.get_ylim()[1] >= max(line)
    for metric in ("unanswered", "share_negative"):
        assert jm.plot.trends(js, freq="W", metric=metric).right_ax.get_ylim() == (0.0, 1.0)  # type: ignore[attr-defined]
    valence = jm.plot.trends(js, freq="W", metric="mean_valence").right_ax  # type: ignore[attr-defined]
    assert valence.get_ylim() == (-1.0, 1.0)
    assert any(np.allclose(np.asarray(line.get_ydata(), dtype=float), 0.0) for line in valence.get_lines()[1:])


def test_trends_show_short_times_in_minutes_and_name_the_line(js: jm.JourneySet) -> None:
    table = jm.trends(js, freq="W")
    hours = table["first_response_median"].dt.total_seconds() / 3600
    assert hours.max() < 2  # the planted data answer within the hour
    ax = jm.plot.trends(js, freq="W")
    right = ax.right_ax  # type: ignore[attr-defined]
    assert right.get_ylabel() == "median first response (minutes)"
    assert np.allclose(right.get_lines()[0].get_ydata(), hours * 60, equal_nan=True)
    partial = ["partial period (the data covers part of it)"] if table["partial"].any() else []
    assert legend_texts(ax) == ["customer messages", "median first response (minutes)", *partial]
    found = boxes(ax)
    assert not found["legend"][0].overlaps(found["title"][0])
    assert time_unit(np.array([60.0, 7199.0])) == ("minutes", 60.0)
    assert time_unit(np.array([60.0, 7200.0, np.nan])) == ("hours", 3600.0)


def test_topic_trends_value_axes_are_not_fitted_to_the_data() -> None:
    from journeymap.testing import HashingEncoder

    topics = jm.assign_topics(
        planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0))),
        encoder=HashingEncoder(),
        cache=False,
        n_topics=3,
    )
    assert jm.plot.topic_trends(topics, freq="W").get_ylim()[0] == 0.0
    assert jm.plot.topic_trends(topics, freq="W", metric="share").get_ylim() == (0.0, 1.0)
    assert jm.plot.topic_trends(topics, freq="W", metric="share_negative").get_ylim() == (0.0, 1.0)
    assert jm.plot.topic_trends(topics, freq="W", metric="mean_valence").get_ylim() == (-1.0, 1.0)


# 4. ticks of a weekly index in microseconds


def test_tick_format_reads_the_index_unit() -> None:
    weeks = pd.date_range("2024-03-04", periods=4, freq="W-MON", unit="us", tz="UTC")
    assert tick_format(weeks) == "%Y-%m-%d"
    assert tick_format(pd.date_range("2024-03-04", periods=4, freq="W-MON", unit="s")) == "%Y-%m-%d"
    assert tick_format(pd.date_range("2024-03-04", periods=4, freq="3h", unit="us")) == "%Y-%m-%d %H:%M"
    assert tick_format(weeks[:1]) == "%Y-%m-%d"


def test_weekly_tick_labels_have_no_time_of_day(js: jm.JourneySet) -> None:
    labels = [t.get_text() for t in jm.plot.trends(js, freq="W").get_xticklabels()]
    assert labels and all(len(label) == len("2024-03-04") for label in labels), labels


# 2. the journey map's callouts and legend


def extreme(js: jm.JourneySet) -> jm.JourneySet:
    """Billing customers at -1 (the lowest cell, a pain point), account customers at +1 (the highest)."""
    events = js.events.copy()
    customer = events["actor"].astype("string") == "customer"
    touchpoint = events["touchpoint"].astype("string")
    events.loc[customer & (touchpoint == "billing"), "valence"] = np.float32(-1.0)
    events.loc[customer & (touchpoint == "account"), "valence"] = np.float32(1.0)
    return js.with_events(events, taxonomy=js.taxonomy)


@pytest.mark.parametrize("case", ["planted", "extreme"])
def test_journey_map_callouts_stay_readable(js: jm.JourneySet, case: str) -> None:
    data = js if case == "planted" else extreme(js)
    ax = jm.plot.journey_map(data)
    found = boxes(ax)
    notes = found["annotation-high"] + found["annotation-low"] + found["annotation-pain"]
    assert len(found["annotation-high"]) == len(found["annotation-low"]) == 1
    assert len(found["annotation-pain"]) == 3
    axes, legend = found["axes"][0], found["legend"][0]
    assert not legend.overlaps(axes)  # beside the plot, not over it
    for box in notes:
        assert inside(box, axes)
        assert not box.overlaps(legend)
        assert not any(box.overlaps(stage) for stage in found["stage"])
        assert not any(box.overlaps(other) for other in notes if other is not box)
    assert all(not stage.overlaps(axes) for stage in found["stage"])
    if case == "extreme":
        low = next(t for t in ax.texts if t.get_gid() == "annotation-low")
        assert low.get_text() == "low -1.00"


def test_journey_map_legend_has_no_entry_for_absent_marks(js: jm.JourneySet) -> None:
    assert "pain point" in legend_texts(jm.plot.journey_map(js))
    ax = jm.plot.journey_map(js, top_pains=0)
    assert not any(t.get_gid() == "annotation-pain" for t in ax.texts)
    assert "pain point" not in legend_texts(ax)


# 3. the journey's stage bands


def test_neighbouring_stage_bands_differ_in_shade(js: jm.JourneySet) -> None:
    checked = 0
    for journey_id in js.journey_ids[:60]:
        journey = js[journey_id]
        stages = [i.stage for i in journey.interactions]
        starts = [n for n in range(len(stages)) if n == 0 or stages[n] != stages[n - 1]]
        if not any((a - b) % 2 == 0 for a, b in zip(starts[1:], starts)):
            continue  # the old rule (parity of the first step) gave this journey alternate shades too
        ax = jm.plot.journey(journey)
        shades = [to_hex(p.get_facecolor()) for p in ax.patches]
        assert len(shades) == len(starts)
        assert all(a != b for a, b in itertools.pairwise(shades)), (journey_id, stages, shades)
        checked += 1
        plt.close("all")
    assert checked


def test_brand_only_journey_is_not_titled_by_the_brand_as_customer() -> None:
    log = jm.datasets.service_journeys(40, seed=0, broadcasts=2)
    data = planted_scores(jm.build_journeys(log))
    customer = data.events["actor"].astype("string") == "customer"
    has_customer = customer.groupby(data.events["journey_id"]).any()
    broadcast = str(has_customer[~has_customer].index[0])
    assert jm.plot.journey(data[broadcast]).get_title() == f"journey {broadcast} (brand broadcast)"
    answered = data[str(has_customer[has_customer].index[0])]
    assert jm.plot.journey(answered).get_title().endswith(f"(customer {answered.customer.id})")


# 5. contrast of the emotion mix's labels


def luminance(colour: object) -> float:
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour))  # type: ignore[arg-type]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: object, b: object) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_emotion_mix_labels_contrast_with_their_bars(js: jm.JourneySet) -> None:
    ax = jm.plot.emotion_mix(js, level="stage")
    bars = [p for c in ax.containers for p in c]  # type: ignore[attr-defined]
    dark = 0
    for text in ax.texts:
        x, y = text.get_position()
        bar = next(
            p for p in bars if p.get_x() <= x <= p.get_x() + p.get_width() and p.get_y() <= y <= p.get_y() + p.get_height()
        )
        fill = bar.get_facecolor()
        ink = text.get_color()
        other = "black" if ink == "white" else "white"
        assert contrast(ink, fill) >= max(4.5, contrast(other, fill)), (text.get_text(), to_hex(fill), ink)
        dark += luminance(fill) < 0.1
    assert dark  # some labels sit on dark bars (anger, love, gratitude)
    assert _theme.ink("#67001f") == "white" and _theme.ink("#f7f7f7") == "black"


# 6. hours with too few messages


def test_time_patterns_hatch_hours_with_too_few_messages(js: jm.JourneySet) -> None:
    table = jm.time_patterns(js)
    volume = table["volume"].unstack("hour").to_numpy()
    share = table["share_negative"].unstack("hour").to_numpy()
    assert ((volume > 0) & (volume < 3)).any()
    ax = jm.plot.time_patterns(js)
    drawn = np.ma.filled(ax.images[0].get_array().astype(float), np.nan)
    few = (volume > 0) & (volume < 3)
    assert np.isnan(drawn[few]).all()  # not coloured as a share
    assert np.allclose(drawn[volume >= 3], share[volume >= 3], equal_nan=True)
    hatched = {(round(p.get_y() + 0.5), round(p.get_x() + 0.5)) for p in ax.patches if p.get_gid() == "few"}
    assert hatched == {(int(r), int(c)) for r, c in zip(*np.nonzero(few))}
    assert all(p.get_hatch() for p in ax.patches if p.get_gid() == "few")
    assert legend_texts(ax) == ["no messages", "fewer than 3 scored messages"]
    found = boxes(ax)
    assert not found["legend"][0].overlaps(found["title"][0])
    # min_count=1: every hour with a message coloured, as before
    ax = jm.plot.time_patterns(js, min_count=1)
    drawn = np.ma.filled(ax.images[0].get_array().astype(float), np.nan)
    assert np.allclose(drawn, share, equal_nan=True)
    assert not [p for p in ax.patches if p.get_gid() == "few"]
    assert legend_texts(ax) == ["no messages"]
    # the volume is drawn in full
    ax = jm.plot.time_patterns(js, metric="volume")
    assert np.allclose(ax.images[0].get_array(), volume)


# titles


def test_every_chart_title_is_bold(js: jm.JourneySet) -> None:
    journey = js[js.journey_ids[0]]
    charts = [
        jm.plot.emotion_heatmap(js),
        jm.plot.emotion_mix(js),
        jm.plot.time_patterns(js),
        jm.plot.time_patterns(js, metric="volume"),
        jm.plot.graph(jm.journey_graph(js, level="stage")),
        jm.plot.journey(journey),
        jm.plot.journey_map(js),
        jm.plot.trends(js),
    ]
    assert all(ax.title.get_fontweight() == "bold" for ax in charts), [ax.get_title() for ax in charts]


# 7. the interactive graph's edges


@pytest.mark.parametrize("level", ["stage", "touchpoint"])
def test_interactive_graph_edges_bend_and_hover_at_distinct_places(js: jm.JourneySet, level: str) -> None:
    pytest.importorskip("plotly")
    fig = jm.plot.interactive_graph(js, level=level)
    G = jm.journey_graph(js, level=level)
    lines, hovers = fig.data[0], fig.data[1]
    assert len(hovers.x) == G.number_of_edges()
    ys = {round(float(y), 6) for y in lines.y if y is not None}
    assert len(ys) > len({round(float(y), 6) for tr in fig.data[2:4] for y in tr.y})  # not only the nodes' rows
    points = [(round(float(x), 6), round(float(y), 6)) for x, y in zip(hovers.x, hovers.y)]
    nodes = {(round(float(x), 6), round(float(y), 6)) for tr in fig.data[2:4] for x, y in zip(tr.x, tr.y)}
    assert len(set(points)) == len(points)  # one place per edge
    assert not set(points) & nodes  # none on a node


def test_topic_trends_hatch_the_periods_the_data_covers_in_part() -> None:
    # as trends does; the TWCS sample's one partial week was drawn like a full one
    from journeymap.testing import HashingEncoder

    topics = jm.assign_topics(
        jm.build_journeys(jm.datasets.service_journeys(60, seed=0)), encoder=HashingEncoder(), cache=False, n_topics=3
    )
    table = jm.topic_trends(topics, freq="D")  # 28 days, the first and last covered in part
    partial = table["partial"].groupby(level="period").any()
    assert int(partial.sum()) == 2
    ax = jm.plot.topic_trends(topics, freq="D")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-1] == "partial period (the data covers part of it)" and len(labels) == 4
    assert len([p for p in ax.patches if p.get_hatch() == "///"]) == int(partial.sum())
