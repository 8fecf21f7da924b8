"""The second chart review's findings: fixed share scales, honest callouts, drawn-only legends, errors, empty data.

Each test reads the drawn artists (colour limits, texts, legends, line widths, extents) on small
data with planted scores; none compares pixels.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pytest

mpl.use("Agg")
import matplotlib.pyplot as plt

import journeymap as jm
from journeymap.exceptions import SchemaError
from journeymap.plot import _theme
from journeymap.plot._stats import journey_map_table
from journeymap.plot.journey_map import MIN_VOLUME
from journeymap.testing import HashingEncoder
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


@pytest.fixture(scope="module")
def small() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(12, seed=0)))


@pytest.fixture(scope="module")
def unscored() -> jm.JourneySet:
    return jm.build_journeys(jm.datasets.service_journeys(10, seed=0))


def legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def callouts(ax: Axes, tag: str) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == f"annotation-{tag}"]


def with_valence(js: jm.JourneySet, rows: pd.Series | np.ndarray, valence: float) -> jm.JourneySet:
    """``js`` with these rows' valence (and a matching sentiment) set to ``valence``."""
    events = js.events.copy()
    events.loc[rows, "valence"] = np.float32(valence)
    events.loc[rows, "sentiment"] = "negative" if valence < 0 else "positive" if valence > 0 else "neutral"
    return js.with_events(events, taxonomy=js.taxonomy)


# 1. shares on a fixed colour scale


def test_time_patterns_share_is_coloured_on_a_fixed_scale(small: jm.JourneySet) -> None:
    customer = small.events["actor"].astype("string") == "customer"
    calm = with_valence(small, customer & small.events["valence"].notna(), 0.0)  # no message negative
    assert (jm.time_patterns(calm)["share_negative"].dropna() == 0).all()
    image = jm.plot.time_patterns(calm, metric="share_negative", min_count=1).images[0]
    assert image.get_clim() == (0.0, 1.0)  # was fitted to the data: -0.1 .. 0.1, 0% drawn mid-red
    assert image.norm(0.0) == 0.0
    assert jm.plot.time_patterns(small, metric="share_negative").images[0].get_clim() == (0.0, 1.0)
    assert jm.plot.time_patterns(small, metric="mean_valence").images[0].get_clim() == (-1.0, 1.0)


# 2. a journey's highs and lows, and its legend


def test_journey_calls_out_no_high_or_low_for_one_point_or_a_flat_curve(small: jm.JourneySet) -> None:
    m = jm.journey_metrics(small)
    one = small[str(m.index[m["n_customer_steps"] == 1][0])]
    ax = jm.plot.journey(one)
    assert not callouts(ax, "high") and not callouts(ax, "low")
    several = str(m.index[m["n_customer_steps"] >= 3][0])
    rows = (small.events["journey_id"] == several) & small.events["valence"].notna()
    flat = with_valence(small, rows, 0.0)[several]
    ax = jm.plot.journey(flat)
    assert not callouts(ax, "high") and not callouts(ax, "low")
    # a curve that moves keeps both, at its maximum and minimum
    ax = jm.plot.journey(small[several])
    valences = [i.emotion.valence for i in small[several].interactions if i.emotion is not None]
    notes = {t.get_gid(): t for t in ax.texts if t.get_gid() in ("annotation-high", "annotation-low")}
    assert notes["annotation-high"].xy[1] == pytest.approx(max(valences))
    assert notes["annotation-low"].xy[1] == pytest.approx(min(valences))


def test_journey_legend_lists_only_marks_drawn(small: jm.JourneySet) -> None:
    m = jm.journey_metrics(small)
    unanswered = small[str(m.index[m["n_replies"] == 0][0])]
    assert not any(i.actor.is_brand for i in unanswered.interactions)
    assert legend_texts(jm.plot.journey(unanswered)) == ["customer", "end"]
    answered = small[str(m.index[(m["n_replies"] > 0) & (m["n_customer_steps"] > 0)][0])]
    assert legend_texts(jm.plot.journey(answered)) == ["customer", "brand reply", "end"]


# 3. the journey map's callouts need volume, and give it


def test_journey_map_calls_out_no_cell_of_a_few_messages(small: jm.JourneySet) -> None:
    assert MIN_VOLUME == 5
    events = small.events
    tiny = (events["actor"].astype("string") == "customer") & (events["stage"].astype("string") == "resolution")
    tiny &= events["touchpoint"].astype("string") == "app"
    assert 0 < tiny.sum() < MIN_VOLUME
    data = with_valence(small, tiny, -1.0)  # the lowest cell, of the highest impact: but three messages
    everything = journey_map_table(data, min_volume=1)
    assert everything.loc[everything["pain_point"], "volume"].min() < MIN_VOLUME  # what was ringed before
    table = journey_map_table(data)
    assert table["pain_point"].sum() == 3
    assert (table.loc[table["pain_point"], "volume"] >= MIN_VOLUME).all()
    ax = jm.plot.journey_map(data)
    called = {tag: [round(t.xy[0]) for t in ax.texts if t.get_gid() == f"annotation-{tag}"] for tag in ("high", "low", "pain")}
    assert all(table.at[x, "volume"] >= MIN_VOLUME for xs in called.values() for x in xs), called
    big = table[table["volume"] >= MIN_VOLUME]
    assert called["high"] == [int(big["mean_valence"].idxmax())]
    assert called["low"] == [int(big["mean_valence"].idxmin())]  # not the three messages at -1


def test_journey_map_callouts_give_the_cells_volume(small: jm.JourneySet) -> None:
    ax = jm.plot.journey_map(small)
    table = journey_map_table(small)
    notes = [t for t in ax.texts if t.get_gid() in ("annotation-high", "annotation-low", "annotation-pain")]
    cells = {round(t.xy[0]) for t in notes}
    shown = " ".join(t.get_text() for t in notes)
    for x in cells:  # each called-out cell says how many messages it holds
        assert f"n={table.at[x, 'volume']:,}" in shown
    high = next(t for t in notes if t.get_gid() == "annotation-high")
    assert high.get_text().endswith(f"(n={table.at[round(high.xy[0]), 'volume']:,})")


def test_journey_map_of_one_message_calls_nothing_out(small: jm.JourneySet) -> None:
    m = jm.journey_metrics(small)
    one = small.select([str(m.index[(m["n_customer_steps"] == 1) & (m["n_replies"] == 0)][0])])
    ax = jm.plot.journey_map(one)
    assert not [t for t in ax.texts if (t.get_gid() or "").startswith("annotation")]
    assert "pain point" not in legend_texts(ax)
    assert legend_texts(ax) == ["1 message", "fewer than 5 (faded)"]


#: Review 19: the legend says what a grey edge is (from start, to end: no valence change).
GREY_EDGE_LABEL = "grey edge: from start, to end or a node\nwithout valence (no valence change)"


# 4. the graph's widths and legend: drawn edges only; counts in the singular


def test_graph_scales_widths_and_legend_over_drawn_edges(small: jm.JourneySet) -> None:
    G = jm.journey_graph(small, level="stage")
    arrows = {(a, b): d["count"] for a, b, d in G.edges(data=True) if a != b}
    loop = next(a for a, b in G.edges if a == b)
    G.edges[loop, loop]["count"] = 10 * max(arrows.values())  # a repeat visit heavier than any arrow
    ax = jm.plot.graph(G)
    widths = {p.get_gid(): p.get_linewidth() for p in ax.patches if (p.get_gid() or "").startswith("edge:")}
    thickest = max(arrows, key=lambda e: arrows[e])
    assert widths[f"edge:{thickest[0]}->{thickest[1]}"] == pytest.approx(7.6)
    # and the white of a node without customer messages (the brand's replies), apart from neutral grey
    assert legend_texts(ax) == [  # the least in the singular where it is one
        _theme.count(min(arrows.values()), "transition"), _theme.count(max(arrows.values()), "transition"), GREY_EDGE_LABEL,
        "no customer message",
    ]  # fmt: skip
    assert [h.get_linewidth() for h in ax.get_legend().get_lines()][1] == pytest.approx(7.6)
    nodes = next(c for c in ax.collections if c.get_gid() == "nodes")  # start and end dashed, the rest solid
    dashed = [style[1] is not None for style in nodes.get_linestyles()]
    assert sum(dashed) >= 2 and not all(dashed)
    assert any(t.get_text() == f"↻ {10 * max(arrows.values()):,}" for t in ax.texts)


def test_graph_of_one_journey_counts_in_the_singular(small: jm.JourneySet) -> None:
    ax = jm.plot.graph(jm.journey_graph(small.select(small.journey_ids[:1]), level="stage"))
    assert legend_texts(ax) == ["1 transition", GREY_EDGE_LABEL, "no customer message"]
    assert "1 journey)" in ax.get_title()
    assert _theme.count(1, "message") == "1 message" and _theme.count(2_000, "journey") == "2,000 journeys"


# 5. shares of 0 and 1 stay visible on topic trends


def test_topic_trends_lines_are_drawn_over_the_frame() -> None:
    topics = jm.assign_topics(
        planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0))),
        encoder=HashingEncoder(),
        cache=False,
        n_topics=3,
    )
    for metric in ("share", "share_negative"):
        ax = jm.plot.topic_trends(topics, freq="D", metric=metric)
        values = np.concatenate([line.get_ydata() for line in ax.get_lines()])
        assert ((values == 0) | (values == 1)).any()  # lines on the axes' limits
        spine = max(s.get_zorder() for s in ax.spines.values())
        assert all(not line.get_clip_on() and line.get_zorder() > spine for line in ax.get_lines())


# 6. unscored journeys: a clear error, not an empty line


def test_journey_and_trends_of_unscored_journeys_raise(unscored: jm.JourneySet) -> None:
    with pytest.raises(SchemaError, match=r"run journeymap\.score\(js\) first"):
        jm.plot.journey(unscored[unscored.journey_ids[0]])
    for metric in ("share_negative", "mean_valence"):
        with pytest.raises(SchemaError, match=r"needs emotion columns: run journeymap\.score\(js\) first"):
            jm.plot.trends(unscored, metric=metric)  # type: ignore[arg-type]
    ax = jm.plot.trends(unscored, metric="first_response_median")  # needs no scores
    assert len(ax.right_ax.get_lines()[0].get_ydata()) == len(ax.patches)  # type: ignore[attr-defined]
    jm.plot.trends(unscored, metric="unanswered")
    topics = jm.assign_topics(unscored, encoder=HashingEncoder(), cache=False, n_topics=2)
    with pytest.raises(SchemaError, match="needs emotion columns"):
        jm.plot.topic_trends(topics, metric="share_negative")
    jm.plot.topic_trends(topics, metric="volume")


def test_brand_broadcast_still_draws_unscored() -> None:
    log = jm.datasets.service_journeys(40, seed=0, broadcasts=2)
    data = jm.build_journeys(log)
    customer = (data.events["actor"].astype("string") == "customer").groupby(data.events["journey_id"]).any()
    broadcast = str(customer[~customer].index[0])
    ax = jm.plot.journey(data[broadcast])  # nothing for score() to score: drawn, not refused
    assert ax.get_title().endswith("(brand broadcast)")
    assert "customer" not in legend_texts(ax)


# 7. empty data


def test_empty_heatmap_and_graph_say_so_in_full(small: jm.JourneySet) -> None:
    empty = small.select([])
    ax = jm.plot.emotion_heatmap(empty)
    ax.figure.canvas.draw()
    (note,) = ax.texts
    assert note.get_text() == "no scored customer messages to show"
    figure = ax.figure.bbox
    box = note.get_window_extent()
    assert box.x0 >= figure.x0 and box.x1 <= figure.x1 and box.y0 >= figure.y0 and box.y1 <= figure.y1
    ax = jm.plot.graph(jm.journey_graph(empty))
    assert [t.get_text() for t in ax.texts] == ["no journeys to show"]
    assert ax.get_legend() is None and not ax.patches


# 8. emoji in labels


def test_labels_drop_emoji_and_keep_other_scripts(small: jm.JourneySet) -> None:
    assert _theme.wrap("Доставка 🚚") == "Доставка"
    assert _theme.wrap("Facturación 💳 y más", 30) == "Facturación y más"
    assert _theme.wrap("الحساب") == "الحساب"
    events = small.events.copy()
    names = {"billing": "Facturación 💳", "delivery": "Доставка 🚚", "refund": "Rückerstattung 😡"}
    events["touchpoint"] = events["touchpoint"].astype("string").map(lambda t: names.get(t, t)).astype("string")
    data = small.with_events(events, taxonomy=small.taxonomy)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for ax in (jm.plot.emotion_heatmap(data), jm.plot.journey_map(data), jm.plot.graph(jm.journey_graph(data))):
            ax.figure.canvas.draw()
    assert not [str(w.message) for w in caught if "Glyph" in str(w.message)]
    labels = [t.get_text().replace("\n", " ").split(" (n=")[0] for t in jm.plot.emotion_heatmap(data).get_yticklabels()]
    assert "Доставка" in labels and "Facturación" in labels


def test_journey_map_draws_at_most_max_columns_cells_and_says_so() -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(120, seed=0)))
    table = journey_map_table(js)
    ax = jm.plot.journey_map(js, max_columns=6)  # before: every cell, a column each
    pains = set(table.loc[table["pain_point"], "touchpoint"])
    drawn = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert len(drawn) == len(set(table.sort_values("volume", ascending=False).index[:6]) | set(table.index[table["pain_point"]]))
    assert pains <= set(drawn) and f"of {len(table)} cells" in ax.get_title()
    full = jm.plot.journey_map(js, max_columns=None)
    assert len(full.get_xticklabels()) == len(table) and "cells)" not in full.get_title()
    with pytest.raises(ValueError, match="max_columns"):
        jm.plot.journey_map(js, max_columns=0)
    plt.close("all")


def test_the_journey_map_title_stays_inside_the_figure_and_report_tables_scroll() -> None:
    # from a CLI review: "...ustomer journey map: ..." was cut at the left in every report, and
    # wide tables (19 columns per brand) ran off the page
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(200, seed=0)))
    ax = jm.plot.journey_map(js, max_columns=4)  # the longest default title: cells left out
    fig = ax.figure
    fig.canvas.draw()
    box = ax.title.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width
    plt.close(fig)
    from journeymap.report import _CSS

    assert "overflow-x:auto" in _CSS


@pytest.mark.filterwarnings("ignore:.*the data holds customer messages only:UserWarning")  # customer messages alone, on purpose
def test_a_period_the_data_covers_only_in_part_is_flagged_and_drawn_apart() -> None:
    # from a CLI review: the last half week of the data read as a collapse in the trend chart
    import pandas as pd

    times = pd.date_range("2024-01-01", "2024-01-17 12:00", freq="6h", tz="UTC")  # Monday 1st to Wednesday 17th
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(len(times))],
            "timestamp": times,
            "actor": "customer",
            "text": "x",
        }
    )
    js = jm.build_journeys(jm.read_events(frame), by="customer")
    table = jm.trends(js, freq="W")
    assert table["partial"].tolist() == [False, False, True]  # two whole weeks, then Monday to Wednesday
    assert jm.trends(js, freq="D")["partial"].sum() == 1  # the last day: 12:00 is half of it
    ax = jm.plot.trends(js, freq="W", metric="unanswered")
    assert ax.patches[2].get_hatch() == "///" and not ax.patches[0].get_hatch()
    assert "partial period (the data covers part of it)" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)
    # a partial first period: the bars' own legend swatch stays plain (matplotlib draws it from the first bar)
    late = jm.build_journeys(jm.read_events(frame.iloc[8:]), by="customer")  # from Wednesday the 3rd
    ax = jm.plot.trends(late, freq="W", metric="unanswered")
    assert ax.patches[0].get_hatch() == "///"
    swatch = ax.get_legend().legend_handles[0]
    assert ax.get_legend().get_texts()[0].get_text() == "customer messages" and not swatch.get_hatch()
    plt.close(ax.figure)
    # one period short at both ends: flagged, though each end alone covers more than 90%
    month = pd.date_range("2024-03-02", "2024-03-29", freq="12h", tz="UTC")  # 27 of 31 days: 87%
    one = jm.build_journeys(
        jm.read_events(
            pd.DataFrame(
                {"customer_id": [f"m{i}" for i in range(len(month))], "timestamp": month, "actor": "customer", "text": "x"}
            )
        ),
        by="customer",
    )
    assert jm.trends(one, freq="MS")["partial"].tolist() == [True]


def test_journey_map_calls_no_pain_point_high() -> None:
    # every cell negative: the least negative still hurts most (more messages), so it is a pain
    # point, and the TWCS sample's map labelled one cell "high -0.25" and "pain point" at once
    import pandas as pd

    rows = []
    for n in range(40):
        touchpoint, valence = ("follow_up", -0.4) if n < 30 else ("mention", -0.9)
        stamp = pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(minutes=n)
        rows.append(
            {"event_id": str(n), "customer_id": f"c{n}", "timestamp": stamp,
             "actor": "customer", "touchpoint": touchpoint, "text": "x", "valence": valence}
        )  # fmt: skip
    js = jm.build_journeys(pd.DataFrame(rows), by="customer")
    table = journey_map_table(js, top_pains=1)
    assert table.set_index("touchpoint").loc["follow_up", "pain_point"]  # 30 x 0.4 outweighs 10 x 0.9
    ax = jm.plot.journey_map(js, top_pains=1)
    gids = [t.get_gid() for t in ax.texts]
    assert "annotation-high" not in gids and "annotation-low" in gids and "annotation-pain" in gids
    plt.close("all")


def test_the_emotion_heatmaps_scale_is_not_set_by_a_row_of_one_message() -> None:
    # the TWCS sample's topic heatmap: "other" (1 message, 100%) set the scale and the real rows
    # (12 messages, 33%) came out pale; no row said how many messages it held
    import pandas as pd

    rows = []
    for n in range(21):
        touchpoint, emotion = ("other_tp", "anger") if n == 20 else ("mention", "annoyance" if n % 3 else "anger")
        stamp = pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=n)
        rows.append(
            {"event_id": str(n), "customer_id": f"c{n}", "timestamp": stamp,
             "actor": "customer", "touchpoint": touchpoint, "text": "x", "valence": -0.5, "emotion": emotion}
        )  # fmt: skip
    js = jm.build_journeys(pd.DataFrame(rows), by="customer")
    ax = jm.plot.emotion_heatmap(js)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["mention (n=20)", "other tp (n=1)"]
    assert ax.images[0].get_clim()[1] == pytest.approx(13 / 20)  # mention's annoyance; before: 1.0, other_tp's one
    plt.close("all")


def test_the_reply_lane_the_small_cell_note_and_the_mix_legend_are_said(small: jm.JourneySet) -> None:
    # from a review of the TWCS sample's figures: replies drawn at -1.1 on a "valence" axis read
    # as worse than -1; a "low" beside a lower point of a 2-message cell; a legend over the axis label
    m = jm.journey_metrics(small)
    answered = small[str(m.index[(m["n_replies"] > 0) & (m["n_customer_steps"] > 1)][0])]
    ax = jm.plot.journey(answered)
    assert "replies" in [t.get_text() for t in ax.get_yticklabels()]
    ax = jm.plot.journey_map(small)
    table = journey_map_table(small)
    notes = [t.get_text() for t in ax.texts if t.get_gid() == "note-min-volume"]
    assert (table["volume"] < MIN_VOLUME).any() and notes == [f"high, low and pain points: cells of {MIN_VOLUME}+ messages"]
    ax = jm.plot.emotion_mix(small)
    ax.figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1  # beside the bars, clear of the axis label
    plt.close("all")
