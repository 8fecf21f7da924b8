from __future__ import annotations

import inspect
import json
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import journeymap as jm
import journeymap.analytics.graph
import journeymap.analytics.service
import journeymap.analytics.variants
import journeymap.graph
from journeymap.analytics.graph import END, START
from journeymap.datasets import PLANTED
from journeymap.testing.data import planted_scores
from journeymap.testing.strategies import event_frames

from .conftest import TWCS_SAMPLE

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def js() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(1500, seed=11)))


def scored_by_hand(rows: list[tuple[str, str, float | None]]) -> jm.JourneySet:
    """One journey, steps (actor, minute offset as str, valence or None)."""
    n = len(rows)
    df = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "customer_id": "c",
            "timestamp": [pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(minutes=int(m)) for _, m, _ in rows],
            "actor": [a for a, _, _ in rows],
            "channel": ["twitter"] * (n - 1) + ["dm"],
            "touchpoint": ["t"] * n,
            "text": "x",
            "thread_id": "t",
        }
    )
    js = jm.build_journeys(jm.read_events(df))
    e = js.events.copy()
    e["emo_neutral"] = np.float32(0.5)
    e["emotion"] = pd.array(["neutral" if v is not None else None for *_, v in rows], dtype="string")
    e["valence"] = np.array([np.nan if v is None else v for *_, v in rows], dtype=np.float32)
    e["scorer"] = "hand"
    return js.with_events(e)


def test_journey_metrics_by_hand() -> None:
    js = scored_by_hand([("customer", "0", -0.8), ("agent", "10", None), ("customer", "30", -0.2), ("customer", "90", 0.6)])
    m = jm.journey_metrics(js).iloc[0]
    assert m["start_valence"] == pytest.approx(-0.8) and m["end_valence"] == pytest.approx(0.6)
    assert (m["low_step"], m["high_step"]) == (1, 4)
    assert m["peak_end"] == pytest.approx((-0.8 + 0.6) / 2)
    assert m["net_change"] == pytest.approx(1.4)
    assert m["volatility"] == pytest.approx(np.std([0.6, 0.8]))
    assert m["recovered"] and m["time_to_recover"] == pd.Timedelta(minutes=90)
    assert (m["n_steps"], m["n_customer_steps"], m["n_replies"], m["channel_switches"]) == (4, 3, 1, 1)
    assert m["duration"] == pd.Timedelta(minutes=90)
    # no brand reply between the low and the positive end: no recovery
    no_reply = scored_by_hand([("customer", "0", -0.8), ("customer", "5", 0.7), ("agent", "9", None)])
    assert not jm.journey_metrics(no_reply).iloc[0]["recovered"]


def test_end_sentiment_and_negative_steps_follow_the_sentiment_column() -> None:
    # valence -0.1 is above the -0.25 cut, but the scorer's own rule called the last message
    # negative: the journey ends negative, and counts as one in compare_segments
    js = scored_by_hand([("customer", "0", 0.6), ("agent", "10", None), ("customer", "30", -0.1)])
    e = js.events.copy()
    e["sentiment"] = pd.array(["positive", None, "negative"], dtype="string")
    e["tier"] = "gold"
    js = js.with_events(e)
    m = jm.journey_metrics(js).iloc[0]
    assert (m["end_sentiment"], m["n_negative"]) == ("negative", 1)
    assert jm.compare_segments(js, by="tier").loc["gold", "share_negative_end"] == 1.0
    # without a sentiment column the valence cut decides: -0.1 is neutral
    plain = scored_by_hand([("customer", "0", 0.6), ("agent", "10", None), ("customer", "30", -0.1)])
    m = jm.journey_metrics(plain).iloc[0]
    assert (m["end_sentiment"], m["n_negative"]) == ("neutral", 0)
    unscored = scored_by_hand([("customer", "0", None)])
    m = jm.journey_metrics(unscored).iloc[0]
    assert pd.isna(m["end_sentiment"]) and pd.isna(m["n_negative"])


def test_response_times_by_hand() -> None:
    js = scored_by_hand(
        [
            ("customer", "0", -0.5),
            ("customer", "4", -0.7),
            ("agent", "10", None),
            ("customer", "20", 0.5),
            ("customer", "25", 0.1),
        ]
    )
    rt = jm.response_times(js).iloc[0]
    assert rt["first_response"] == pd.Timedelta(minutes=10)
    assert rt["mean_wait"] == pd.Timedelta(minutes=8)  # 10 and 6 minutes
    assert rt["max_wait"] == pd.Timedelta(minutes=10)
    # the message at minute 20 (valence 0.5 after the reply) closes the case; the last one is on
    # channel dm, in the data with no reply there: unanswered (before, "moved", as if its answer
    # were in a channel the data does not show; a triage review)
    assert (rt["n_customer_messages"], rt["unanswered"], rt["moved"], rt["closing"]) == (4, 1, 0, 1)
    assert rt["valence_change_after_reply"] == pytest.approx(0.5 - -0.7)


#: A step of a hand-drawn journey: (actor, valence or None). Valences sit on and around the
#: -0.25 / 0.25 cuts, so negative, neutral and positive words all come up.
_STEP = st.one_of(
    st.tuples(st.just("customer"), st.sampled_from([-0.9, -0.5, -0.25, -0.1, 0.0, 0.2, 0.25, 0.5, 0.9, None])),
    st.tuples(st.sampled_from(["agent", "bot", "system"]), st.none()),
)


@st.composite
def journeys_with_a_recovery(draw: st.DrawFn) -> list[list[tuple[str, float | None]]]:
    """A few one-thread journeys of random steps; the first ends negative -> brand reply -> positive.

    The first journey's last customer word is the positive one, so it recovered whatever came
    before; the others are free, and recover or not as their steps say.
    """
    steps = st.lists(_STEP, max_size=8)
    reply = draw(st.sampled_from(["agent", "bot"]))
    tail = draw(st.lists(st.tuples(st.sampled_from(["agent", "bot", "system"]), st.none()), max_size=2))
    first = [*draw(steps), ("customer", -0.8), (reply, None), ("customer", 0.7), *tail]
    return [first, *draw(st.lists(steps.filter(bool), max_size=4))]


def _recovered_by_hand(steps: list[tuple[str, float | None]]) -> bool:
    """A negative word, then a brand reply (agent or bot; system is none), then a positive last word."""
    said = [(i, v) for i, (a, v) in enumerate(steps) if a == "customer" and v is not None]
    negative = [i for i, v in said if v < -0.25]
    if not negative or said[-1][1] <= 0.25:
        return False
    return any(a in ("agent", "bot") and negative[0] < i < said[-1][0] for i, (a, _) in enumerate(steps))


@given(journeys_with_a_recovery())
@example(
    [
        [("customer", -0.5), ("bot", None), ("customer", 0.9)],  # a bot's reply counts
        [("customer", -0.5), ("system", None), ("customer", 0.9)],  # an auto-acknowledgement does not
        [("agent", None), ("customer", -0.5), ("customer", 0.9)],  # the reply came before the dip
        [("customer", -0.5), ("customer", 0.9), ("agent", None)],  # and here after the end
        [("customer", 0.1), ("agent", None), ("customer", 0.9)],  # no dip
        [("customer", -0.5), ("agent", None), ("customer", 0.9), ("customer", 0.1)],  # ends neutral
        [("customer", -0.9), ("agent", None), ("customer", 0.5), ("customer", -0.25), ("customer", 0.26)],
    ]
)
def test_recovery_is_a_negative_moment_then_a_reply_then_a_positive_end(journeys: list[list[tuple[str, float | None]]]) -> None:
    rows = [
        {
            "event_id": f"e{j}-{i}",
            "customer_id": f"c{j}",
            "thread_id": f"t{j}",
            "timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(minutes=i),
            "actor": actor,
            "text": "x",
            "valence": valence,
        }
        for j, steps in enumerate(journeys)
        for i, (actor, valence) in enumerate(steps)
    ]
    frame = pd.DataFrame(rows)
    js = jm.build_journeys(jm.read_events(frame.drop(columns="valence")))
    e = js.events.copy()
    by_id = frame.set_index("event_id")["valence"]
    e["valence"] = e["event_id"].map(by_id).to_numpy(dtype=np.float32, na_value=np.nan)
    e["emotion"] = pd.array(np.where(e["valence"].notna(), "neutral", None), dtype="string")
    e["emo_neutral"], e["scorer"] = np.float32(0.5), "hand"
    m = jm.journey_metrics(js.with_events(e))
    assert len(m) == len(journeys)
    got = dict(zip(m["customer_id"], m["recovered"].tolist(), strict=True))
    # both ways: every journey the rule calls recovered is, and every one it does not is not
    assert got == {f"c{j}": _recovered_by_hand(steps) for j, steps in enumerate(journeys)}
    assert got["c0"]  # the case is reached in every example
    recovered = m[m["recovered"]]
    assert (recovered["time_to_recover"] > pd.Timedelta(0)).all()


@pytest.mark.filterwarnings("ignore:build_journeys replaced the input:UserWarning")  # the frames carry a random stage
@given(event_frames(min_rows=1))
def test_recovery_needs_a_negative_moment_before_a_positive_end(frame: pd.DataFrame) -> None:
    js = jm.build_journeys(jm.read_events(frame))
    rng = np.random.default_rng(len(frame))
    e = js.events.copy()
    customer = (e["actor"] == "customer").to_numpy()
    e["valence"] = np.where(customer, rng.uniform(-1, 1, len(e)), np.nan).astype(np.float32)
    e["emotion"] = pd.array(np.where(customer, "neutral", None), dtype="string")
    e["emo_neutral"], e["scorer"] = np.float32(0.5), "r"
    js = js.with_events(e)
    m = jm.journey_metrics(js)
    # random frames and valences seldom hold a recovery: one direction only, on whatever comes up
    # (test_recovery_is_a_negative_moment_then_a_reply_then_a_positive_end reaches the case)
    for jid in m.index[m["recovered"]]:
        steps = js.events[js.events["journey_id"] == jid]
        v = steps["valence"].dropna().to_numpy()
        assert v[-1] > 0.25 and (v[:-1] < -0.25).any()
        assert m.loc[jid, "time_to_recover"] >= pd.Timedelta(0)
    # the graph's edges between steps add up to the consecutive step pairs
    G = jm.journey_graph(js)
    inner = sum(d["count"] for a, b, d in G.edges(data=True) if a != START and b != END)
    assert inner == len(js.events) - len(js)
    assert sum(d["count"] for _, _, d in G.out_edges(START, data=True)) == len(js)


def test_planted_pain_point_ranks_first(js: jm.JourneySet) -> None:
    pp = jm.pain_points(js)
    assert pp.index[0] == PLANTED["pain_point"]
    assert pp["impact_low"].iloc[0] > pp["impact_high"].iloc[1]  # clearly first
    summary = jm.touchpoint_summary(js)
    assert summary["mean_valence"].idxmin() == "billing"
    assert (summary["ci_low"] <= summary["mean_valence"]).all() and (summary["mean_valence"] <= summary["ci_high"]).all()
    stages = jm.touchpoint_summary(js, level="stage")
    assert list(stages.index) == [s for s in js.stages.names if s in stages.index]


def test_tables_are_indexed_by_what_their_rows_describe(js: jm.JourneySet) -> None:
    """The analytics conventions (docs/architecture.md): one index per table, rank first in ranked tables."""
    indexes = {
        "journey_metrics": (jm.journey_metrics(js), ["journey_id"]),
        "response_times": (jm.response_times(js), ["journey_id"]),
        "reply_waits": (jm.reply_waits(js), ["event_id"]),
        "triage": (jm.triage(js), ["event_id"]),
        "touchpoint_summary": (jm.touchpoint_summary(js), ["touchpoint"]),
        "touchpoint_summary (stage)": (jm.touchpoint_summary(js, level="stage"), ["stage"]),
        "pain_points": (jm.pain_points(js), ["touchpoint"]),
        "moments_of_truth": (jm.moments_of_truth(js), ["from", "to"]),
        "journey_variants": (jm.journey_variants(js), ["variant"]),
        "compare_segments": (jm.compare_segments(js, "region"), ["region"]),
        "time_patterns": (jm.time_patterns(js), ["weekday", "hour"]),
        "reply_table": (jm.reply_table(js), ["event_id"]),
        "service_levels": (jm.service_levels(js), ["agent"]),
        "service_levels (brand)": (jm.service_levels(js, by="brand"), ["brand"]),
        "trends": (jm.trends(js), ["period"]),
    }
    for name, (table, index) in indexes.items():
        assert list(table.index.names) == index, name
        assert table.index.is_unique, name
        ranked = name in {"triage", "pain_points", "moments_of_truth", "journey_variants"}
        assert (table.columns[0] == "rank") == ranked, name
        if ranked:
            # triage ranks its waiting messages; the moved ones follow, unranked (status "moved")
            rows = table[table["status"] == "waiting"] if name == "triage" else table
            assert rows["rank"].tolist() == list(range(1, len(rows) + 1)), name
            assert len(rows) == len(table) or table.loc[table["status"] != "waiting", "rank"].isna().all(), name
    waits = indexes["reply_waits"][0]
    assert (js.events.set_index("event_id").loc[waits.index, "actor"] == "customer").all()
    moments = indexes["moments_of_truth"][0]
    assert moments["mean_drop"].is_monotonic_decreasing
    assert moments.loc[moments.index[0], "count"] >= 1


def test_ranked_tables_take_top(js: jm.JourneySet) -> None:
    ranked = {
        "pain_points": (jm.pain_points, 10),
        "moments_of_truth": (jm.moments_of_truth, 10),
        "journey_variants": (jm.journey_variants, 10),
        "triage": (jm.triage, None),
    }
    for name, (function, default) in ranked.items():
        assert inspect.signature(function).parameters["top"].default == default, name
        everything = function(js, top=None)
        assert len(function(js)) == min(len(everything), default or len(everything)), name
        assert len(everything) > 3, name
        pd.testing.assert_frame_equal(function(js, top=3), everything.iloc[:3], obj=name)
        assert function(js, top=0).empty, name
        with pytest.raises(ValueError, match="top must be"):
            function(js, top=-1)


def test_conventions_of_every_signature() -> None:
    """``level`` defaults to touchpoint, randomness takes ``seed``, and every function taking a JourneySet dispatches."""
    tables = [jm.touchpoint_summary, jm.pain_points, jm.moments_of_truth, jm.journey_graph, jm.journey_variants]
    plots = [jm.plot.emotion_heatmap, jm.plot.emotion_mix]
    for function in tables + plots:
        assert inspect.signature(function).parameters["level"].default == "touchpoint", function.__name__
    for function in (
        jm.touchpoint_summary, jm.pain_points, jm.journey_graph, jm.plot.journey_map, jm.plot.graph, jm.report, jm.service_levels,
    ):  # fmt: skip
        assert inspect.signature(function).parameters["seed"].default == 0, function.__name__
    takes_journeys = [
        *tables, jm.journey_metrics, jm.response_times, jm.reply_waits, jm.triage, jm.compare_segments, jm.time_patterns,
        jm.report, jm.plot.journey_map, jm.plot.time_patterns, *plots,
        jm.reply_table, jm.service_levels, jm.trends, jm.plot.trends,
    ]  # fmt: skip
    for function in takes_journeys:
        assert hasattr(function, "__wrapped__"), f"{function.__name__} is not dispatched"


def test_night_replies_are_slower(js: jm.JourneySet) -> None:
    waits = jm.reply_waits(js)
    answered = waits[waits["replied"]]
    night = answered["timestamp"].dt.hour.isin(PLANTED["night_hours"])  # type: ignore[arg-type]
    assert answered.loc[night, "wait"].median() > 2.5 * answered.loc[~night, "wait"].median()


def test_planted_segment_fares_worse_significantly(js: jm.JourneySet) -> None:
    seg = jm.compare_segments(js, "tier")
    assert seg["end_valence"].idxmin() == "free"
    assert seg.loc["free", "p_value"] < 0.001 and seg.loc["free", "effect_size"] < -0.2
    assert seg.loc["free", "recovery_rate"] < seg.loc["plus", "recovery_rate"]
    assert seg["omnibus_p"].iloc[0] < 0.001
    with pytest.raises(jm.SchemaError, match="no column 'plan'"):
        jm.compare_segments(js, "plan")


def test_time_patterns(js: jm.JourneySet) -> None:
    tp = jm.time_patterns(js)
    assert len(tp) == 168 and tp["volume"].sum() == js.events["valence"].notna().sum()
    assert tp.index.names == ["weekday", "hour"] and list(tp.index[:2]) == [("Monday", 0), ("Monday", 1)]
    shifted = jm.time_patterns(js, tz="Asia/Tokyo")  # UTC+9
    assert tp.loc[("Monday", 0), "volume"] == shifted.loc[("Monday", 9), "volume"]


def test_triage(js: jm.JourneySet) -> None:
    t = jm.triage(js)
    waits = jm.reply_waits(js)
    assert len(t) == (~waits["replied"]).sum()
    assert t.index.name == "event_id" and set(t.index) == set(waits.index[~waits["replied"]])
    assert "event_id" not in t.columns and t.columns[0] == "rank"
    waiting = t[t["status"] == "waiting"]
    assert t["status"].iloc[: len(waiting)].eq("waiting").all()  # the waiting ones first
    assert waiting["rank"].tolist() == list(range(1, len(waiting) + 1))
    # the synthetic DMs are in the data, with their replies: a DM left unanswered is waiting
    assert t.loc[t["status"] == "moved", "rank"].isna().all() and set(t["status"]) == {"waiting", "closing"}
    assert waiting["priority"].is_monotonic_decreasing
    assert t["priority"].between(0, 1).all()
    top = t.iloc[0]
    assert "negative" in top["reason"]
    assert t["valence" if "valence" in t else "negativity"].iloc[:20].mean() > t["negativity"].mean()


MOODS = jm.Taxonomy(
    name="moods", labels=("fuming", "content", "meh"), valence={"fuming": -0.9, "content": 0.7, "meh": 0.0}, intense=("fuming",)
)


def rescored(js: jm.JourneySet, labels: tuple[str, str, str], taxonomy: jm.Taxonomy | None) -> jm.JourneySet:
    """Three emo_ columns (bad, good, flat) from planted Ekman scores, under ``taxonomy`` (or none)."""
    ekman = planted_scores(js, taxonomy="ekman").events
    probs = np.column_stack(
        [
            ekman[["emo_anger", "emo_disgust", "emo_fear", "emo_sadness"]].max(axis=1),
            ekman["emo_joy"],
            ekman[["emo_neutral", "emo_surprise"]].max(axis=1),
        ]
    ).astype(np.float32)
    events = ekman.drop(columns=[c for c in ekman.columns if c.startswith("emo_")] + ["emotion", "valence", "scorer"])
    tax = MOODS if taxonomy is None else taxonomy
    scored = ~np.isnan(probs[:, 0])
    for j, label in enumerate(labels):
        events[f"emo_{label}"] = probs[:, j]
    emotion = np.full(len(events), None, dtype=object)
    emotion[scored] = np.asarray(labels, dtype=object)[np.argmax(probs[scored], axis=1)]
    valence = np.full(len(events), np.nan, dtype=np.float32)
    valence[scored] = tax.valence_of(probs[scored])
    events["emotion"], events["valence"] = pd.array(emotion, dtype="string"), valence
    events["scorer"] = pd.array(np.where(scored, "moods.v1", None), dtype="string")
    return js.with_events(events, taxonomy=taxonomy)


@pytest.fixture(scope="module")
def unscored() -> jm.JourneySet:
    return jm.build_journeys(jm.datasets.service_journeys(300, seed=4))


def test_triage_intensity_comes_from_the_taxonomy(unscored: jm.JourneySet) -> None:
    # sentiment: "negative" is its one intense label
    sentiment = planted_scores(unscored, taxonomy="sentiment")
    assert sentiment.taxonomy is not None and sentiment.taxonomy.intense_labels == ("negative",)
    t = jm.triage(sentiment)
    events = sentiment.events.set_index("event_id")
    assert np.allclose(t["intensity"], events.loc[t.index, "emo_negative"])
    assert t["intensity"].max() > 0.8 and t["reason"].str.contains("negative 0.8").any()
    # a taxonomy of its own, with labels no built-in table knows
    moods = rescored(unscored, MOODS.labels, MOODS)
    assert moods.taxonomy == MOODS
    t = jm.triage(moods)
    assert np.allclose(t["intensity"], moods.events.set_index("event_id").loc[t.index, "emo_fuming"])
    assert t["reason"].str.contains("fuming").any()
    # no taxonomy (labels that match none and none given): no intensity, even with an emo_anger column
    anonymous = rescored(unscored, ("anger", "content", "meh"), None)
    assert anonymous.taxonomy is None
    t = jm.triage(anonymous)
    assert (t["intensity"] == 0).all() and len(t) > 0
    assert jm.Taxonomy.goemotions().intense_labels == jm.analytics.service.INTENSE_LABELS


def test_graph_attributes_and_export(js: jm.JourneySet, tmp_path: Path) -> None:
    G = jm.journey_graph(js, level="stage")
    assert G.graph["n_journeys"] == len(js)
    for node in ("contact", "first_response", "follow_up", "resolution"):
        assert {"volume", "mean_valence", "ci_low", "share_negative", "top_emotions"} <= set(G.nodes[node])
    # one statistic: a touchpoint's node carries the interval touchpoint_summary reports, for any seed
    by_touchpoint, summary = jm.journey_graph(js, seed=5), jm.touchpoint_summary(js, seed=5)
    for touchpoint, row in summary.iterrows():
        node = by_touchpoint.nodes[touchpoint]
        assert (node["ci_low"], node["ci_high"]) == (row["ci_low"], row["ci_high"])
        assert node["mean_valence"] == pytest.approx(row["mean_valence"], rel=1e-12)
    # the seed reaches the interval: a bootstrap resample, never narrower than Student's t
    low = by_touchpoint.nodes["billing"]["ci_low"]
    assert low == jm.journey_graph(js, seed=5).nodes["billing"]["ci_low"] < by_touchpoint.nodes["billing"]["mean_valence"]
    probs = {}
    for a, _, d in G.edges(data=True):
        probs[a] = probs.get(a, 0) + d["probability"]
    assert all(p == pytest.approx(1.0) for p in probs.values())
    path = jm.to_graphml(G, tmp_path / "g.graphml")
    back = nx.read_graphml(path)
    assert back.number_of_edges() == G.number_of_edges()
    data = jm.to_node_link(G)
    json.dumps(data, allow_nan=False)
    variants = jm.journey_variants(js, level="stage")
    assert variants["journeys"].is_monotonic_decreasing and variants["share"].sum() <= 1 + 1e-9


def test_graph_names_keep_their_former_home() -> None:
    """The graph moved into journeymap.analytics; journeymap.graph still re-exports its names."""
    from journeymap.graph import journey_graph, journey_variants, to_graphml, to_node_link

    assert journey_graph is jm.journey_graph is jm.analytics.journey_graph is journeymap.analytics.graph.journey_graph
    assert journey_variants is jm.journey_variants is journeymap.analytics.variants.journey_variants
    assert (to_graphml, to_node_link) == (jm.to_graphml, jm.to_node_link)
    assert (jm.graph.START, jm.graph.END) == (START, END)


def test_unscored_input_is_refused() -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(10, seed=0))
    with pytest.raises(jm.JourneyMapError, match=r"run journeymap.score\(js\) first"):
        jm.journey_metrics(js)
    with pytest.raises(ValueError, match="level must be"):
        jm.touchpoint_summary(planted_scores(js), level="brand")  # type: ignore[arg-type]


@pytest.mark.skipif(not TWCS_SAMPLE.is_file(), reason="../shared/data/twcs_sample is not beside the checkout")
def test_first_response_on_the_real_sample_matches_a_hand_count() -> None:
    js = jm.build_journeys(jm.read_twcs(TWCS_SAMPLE))
    rt = jm.response_times(js)
    # counted by hand from the sample's created_at values
    assert rt.loc["119239", "first_response"] == pd.Timedelta("0:25:40")  # 13:00:09 -> 13:25:49
    # 105838 opened 119250 at 05:33:17; 105837 chimed in ("me too", 07:37:27) and the brand answered
    # 105837 at 13:38:29: a first response for the bystander's journey, none for 105838's.
    assert pd.isna(rt.loc["119250", "first_response"])
    assert rt.loc["119249", "first_response"] == pd.Timedelta("6:01:02")
    assert rt.loc["119315", "first_response"] == pd.Timedelta("0:02:21")  # 12:14:41 -> 12:17:02
    assert rt.loc["119326", "first_response"] == pd.Timedelta("1:10:26")  # 23:09:08 -> 00:19:34 next day
    assert pd.isna(rt.loc["119237", "first_response"])  # no reply in the sample
    # and every customer's journey, recounted from the raw rows: a customer's first tweet in a
    # conversation to the first brand tweet after it that answers (a tweet of) that customer
    raw = pd.read_csv(TWCS_SAMPLE, dtype=str)
    raw["t"] = pd.to_datetime(raw["created_at"], format="%a %b %d %H:%M:%S %z %Y")
    parent = dict(zip(raw["tweet_id"], raw["in_response_to_tweet_id"]))
    author = dict(zip(raw["tweet_id"], raw["author_id"]))
    inbound = dict(zip(raw["tweet_id"], raw["inbound"] == "True"))
    text = dict(zip(raw["tweet_id"], raw["text"]))
    ids = set(raw["tweet_id"])

    def root(t: str) -> str:
        while isinstance(parent.get(t), str) and parent[t] in ids:
            t = parent[t]
        return t

    def owner(t: str) -> str:
        if inbound[t]:
            return author[t]
        if isinstance(parent.get(t), str) and parent[t] in ids:
            return owner(parent[t])
        return text[t].split()[0].lstrip("@")

    raw["root"] = raw["tweet_id"].map(root)
    raw["owner"] = raw["tweet_id"].map(owner)
    checked = 0
    for _, journey in raw.sort_values("t").groupby(["root", "owner"]):
        customers = journey[journey["inbound"] == "True"]
        if customers.empty:
            continue
        first = customers.iloc[0]
        replies = journey[(journey["inbound"] == "False") & (journey["t"] >= first["t"])]
        expected = replies["t"].min() - first["t"] if len(replies) else pd.NaT
        opener = journey.iloc[0]
        if opener["inbound"] == "False" and isinstance(opener["in_response_to_tweet_id"], str):
            expected = pd.NaT  # it opens with a reply to a tweet outside the sample: first contact unknown
        got = rt.loc[journey.iloc[0]["tweet_id"], "first_response"]
        assert (pd.isna(expected) and pd.isna(got)) or got == expected
        checked += 1
    assert checked >= 20


def test_variants_drop_off_by_hand() -> None:
    closed = scored_by_hand([("customer", "0", -0.8), ("agent", "5", None), ("customer", "9", 0.8)])
    left = scored_by_hand([("customer", "0", -0.8), ("agent", "5", None), ("customer", "9", -0.5)])
    assert jm.journey_variants(closed).loc["t > t > t", "drop_off"] == 0.0
    assert jm.journey_variants(left).loc["t > t > t", "drop_off"] == 1.0
    assert list(jm.journey_variants(left).index) == ["t > t > t"]


def test_valence_thresholds_are_typed_once() -> None:
    """Negative, positive and a significant drop are the schema's constants, never a literal in a comparison."""
    import ast
    from pathlib import Path

    from journeymap import schema

    thresholds = {abs(schema.NEGATIVE_VALENCE), schema.POSITIVE_VALENCE, schema.SIGNIFICANT_DROP}

    def literal(node: ast.expr) -> float | None:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            node = node.operand
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, float) else None

    root = Path(jm.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "schema.py" or "emotions" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                typed = [v for v in map(literal, [node.left, *node.comparators]) if v in thresholds]
                offenders += [f"{path.relative_to(root)}:{node.lineno}" for _ in typed]
    assert offenders == []


def test_negative_and_positive_follow_the_sentiment_column() -> None:
    """The scorer's decision (``sentiment``) says what is negative and positive; the valence cut only without it."""
    js = scored_by_hand([("customer", "0", -0.2), ("agent", "10", None), ("customer", "30", 0.2)])
    assert not jm.journey_metrics(js).iloc[0]["recovered"]  # by the cut: neither negative nor positive
    assert jm.trends(js, freq="D")["share_negative"].iloc[0] == 0.0
    events = js.events.copy()
    events["sentiment"] = pd.array(["negative", None, "positive"], dtype="string")
    labelled = js.with_events(events)
    assert jm.journey_metrics(labelled).iloc[0]["recovered"]
    assert jm.trends(labelled, freq="D")["share_negative"].iloc[0] == 0.5
    assert jm.journey_variants(labelled)["drop_off"].iloc[0] == 0.0  # ended positive: not a drop-off
    events["sentiment"] = pd.array(["neutral", None, "neutral"], dtype="string")
    assert jm.journey_variants(js.with_events(events))["drop_off"].iloc[0] == 1.0


def test_time_to_recover_is_never_negative_under_clock_skew() -> None:
    # found by Hypothesis: e3 answers e2, which is stamped 2 s after it, and ends the journey
    # positive after a negative e1 stamped at 1 s: its step comes after e1, its stamp before
    frame = pd.DataFrame(
        {
            "event_id": ["e0", "e1", "e2", "e3", "e4"],
            "customer_id": "a",
            "timestamp": pd.to_datetime([0, 1, 2, 0, 0], unit="s", utc=True),
            "actor": ["customer", "customer", "agent", "agent", "customer"],
            "in_reply_to": [None, None, "e1", "e2", "e3"],
        }
    )
    js = jm.build_journeys(jm.read_events(frame), by="customer")
    e = js.events.assign(valence=np.float32(np.nan))
    e.loc[e["event_id"] == "e1", "valence"] = np.float32(-0.8)  # a float32 column (pandas 2.2 warns on a float)
    e.loc[e["event_id"] == "e4", "valence"] = np.float32(0.8)
    e = e.assign(emotion=pd.array(["neutral"] * len(e), dtype="string"), emo_neutral=np.float32(0.5), scorer="t")
    m = jm.journey_metrics(js.with_events(e))
    assert bool(m["recovered"].iloc[0])
    assert m["time_to_recover"].iloc[0] == pd.Timedelta(0)  # before: -1 s
