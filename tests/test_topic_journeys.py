"""Topics on journeys: assign_topics and level="topic" in the analytics and charts (planted data, no model)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.analytics._levels import level_keys
from journeymap.exceptions import SchemaError
from journeymap.testing import HashingEncoder
from journeymap.testing.data import planted_scores
from journeymap.topics import OTHER, TopicInputError, TopicModel

#: Two planted topics: refund messages are angry, card messages joyful.
WORDS = {
    "refund": (["refund", "money", "back", "reimburse", "owed", "payment", "return", "credit"], "anger"),
    "card": (["card", "arrive", "arrived", "delivery", "post", "mail", "new", "waiting"], "joy"),
}


def planted_events(n_journeys: int = 40, seed: int = 0) -> pd.DataFrame:
    """Journeys of customer, agent, customer; even journeys about refunds, odd about cards.

    Journey 0 opens with a brand broadcast (a brand step before any customer message).
    """
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-01", tz="UTC")
    for j in range(n_journeys):
        topic = "refund" if j % 2 == 0 else "card"
        words, emotion = WORDS[topic]
        t = start + pd.Timedelta(days=j % 14, hours=j)
        steps = [("customer", " ".join(rng.choice(words, 4, replace=False)), emotion)]
        steps.append(("agent", "thanks for reaching out we are looking into it", None))
        steps.append(("customer", " ".join(rng.choice(words, 4, replace=False)), emotion))
        if j == 0:
            steps.insert(0, ("agent", "service announcement for everyone", None))
        for s, (actor, text, truth) in enumerate(steps):
            rows.append(
                {
                    "event_id": f"e{j}-{s}",
                    "customer_id": f"c{j}",
                    "timestamp": t + pd.Timedelta(minutes=10 * s),
                    "actor": actor,
                    "channel": "chat",
                    "touchpoint": "chat",
                    "text": text,
                    "thread_id": f"t{j}",
                    "true_emotion": truth,
                    "planted_topic": topic,
                    "brand": "Acme",
                }
            )
    return pd.DataFrame(rows)


def model(**kwargs: object) -> TopicModel:
    kwargs.setdefault("encoder", HashingEncoder())
    kwargs.setdefault("cache", False)
    return TopicModel(**kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def js() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.read_events(planted_events())))


@pytest.fixture(scope="module")
def topics(js: jm.JourneySet) -> tuple[jm.JourneySet, TopicModel]:
    tm = model(n_topics=2)
    return jm.assign_topics(js, tm), tm


def topic_of(tm: TopicModel, planted: str) -> str:
    return str(tm.predict([" ".join(WORDS[planted][0])])[0])


# -- assign_topics -------------------------------------------------------------------------------
def test_assign_topics_adds_columns_to_customer_messages_only(topics: tuple[jm.JourneySet, TopicModel]) -> None:
    out, tm = topics
    events = out.events
    customer = events["actor"] == "customer"
    assert events.loc[customer, "topic"].notna().all()
    assert events.loc[~customer, "topic"].isna().all()
    assert events.loc[~customer, "topic_score"].isna().all()
    assert events["topic_score"].dtype == np.float32
    assert set(events.loc[customer, "topic"]) <= {*tm.topics_, OTHER}
    # the planted topics are found: every customer message lies with its journey's planted topic
    pairs = events.loc[customer].groupby("planted_topic")["topic"].agg(lambda s: s.value_counts().index[0])
    assert pairs["refund"] != pairs["card"]
    assert (events.loc[customer, "topic"] == events.loc[customer, "planted_topic"].map(pairs)).mean() >= 0.95


def test_assign_topics_returns_the_type_it_was_given(js: jm.JourneySet) -> None:
    out = jm.assign_topics(js.events, model(n_topics=2))
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(js.events.index)
    assert isinstance(jm.assign_topics(js, model(n_topics=2)), jm.JourneySet)


def test_an_unfitted_model_is_fitted_and_a_fitted_one_used_as_it_is(js: jm.JourneySet) -> None:
    tm = model(n_topics=2)
    first = jm.assign_topics(js, tm)
    assert hasattr(tm, "topic_info_")
    centroids = tm.centroids_.copy()
    again = jm.assign_topics(first, tm)  # fitted: used as it is, the old columns replaced
    np.testing.assert_array_equal(tm.centroids_, centroids)
    pd.testing.assert_series_equal(again.events["topic"], first.events["topic"])
    assert list(again.events.columns).count("topic") == 1


def test_model_none_fits_a_discovery_model_and_labels_a_zero_shot_one(js: jm.JourneySet) -> None:
    found = jm.assign_topics(js, encoder=HashingEncoder(), cache=False)
    assert found.events["topic"].notna().any()
    named = jm.assign_topics(js, labels=["refund money", "card delivery"], encoder=HashingEncoder(), cache=False)
    customer = named.events["actor"] == "customer"
    assert set(named.events.loc[customer, "topic"]) <= {"refund money", "card delivery", OTHER}


def test_fitting_on_a_sample_assigns_every_message(js: jm.JourneySet) -> None:
    out = jm.assign_topics(js, model(n_topics=2), sample=20, seed=1)
    customer = out.events["actor"] == "customer"
    assert out.events.loc[customer, "topic"].notna().all()
    with pytest.raises(TopicInputError, match="sample"):
        jm.assign_topics(js, model(n_topics=2), sample=1)


def test_options_beside_a_model_and_no_customer_messages_are_clear_errors(js: jm.JourneySet) -> None:
    with pytest.raises(TopicInputError, match="n_topics"):
        jm.assign_topics(js, model(), n_topics=3)
    brand_only = js.events[js.events["actor"] != "customer"]
    with pytest.raises(TopicInputError, match="no customer messages"):
        jm.assign_topics(brand_only, model())
    with pytest.raises(TypeError, match="JourneySet"):
        jm.assign_topics([1, 2, 3], model())  # type: ignore[arg-type]


def test_topic_score_is_the_fit_to_the_topic(topics: tuple[jm.JourneySet, TopicModel]) -> None:
    out, tm = topics
    customer = out.events[out.events["actor"] == "customer"]
    assigned = tm.assign(customer["text"].tolist())
    assert assigned["topic"].tolist() == customer["topic"].tolist()
    np.testing.assert_allclose(assigned["topic_score"], customer["topic_score"], rtol=1e-5)
    assert customer["topic_score"].between(-1, 1).all()


def test_dask_journeys_are_assigned_per_partition_like_one_machine(js: jm.JourneySet) -> None:
    import journeymap.distributed as jmd

    tm = model(n_topics=2).fit(js.events.loc[js.events["actor"] == "customer", "text"].tolist())
    djs = jmd.build_journeys(jmd.from_pandas(jm.read_events(planted_events()), npartitions=3))
    djs = djs.with_events(djs.events.map_partitions(planted_scores))
    out = jm.assign_topics(djs, tm)
    assert isinstance(out, jmd.DaskJourneySet)
    local = jm.assign_topics(js, tm).events.set_index("event_id")["topic"].astype(object)
    remote = out.compute().events.set_index("event_id")["topic"].astype(object)
    pd.testing.assert_series_equal(remote.reindex(local.index), local, check_names=False)
    summary = jm.touchpoint_summary(out, level="topic")
    local_summary = jm.touchpoint_summary(jm.assign_topics(js, tm), level="topic")
    assert summary["volume"].to_dict() == local_summary["volume"].to_dict()  # scores are planted per partition
    sampled = jm.assign_topics(djs, encoder=HashingEncoder(), cache=False, n_topics=2, sample=30)
    events = sampled.compute().events
    assert events.loc[events["actor"] == "customer", "topic"].notna().all()


# -- level="topic" -------------------------------------------------------------------------------
def test_topic_level_summaries_find_the_planted_pain(topics: tuple[jm.JourneySet, TopicModel]) -> None:
    out, tm = topics
    refund, card = topic_of(tm, "refund"), topic_of(tm, "card")
    summary = jm.touchpoint_summary(out, level="topic")
    assert summary.index.name == "topic"
    assert summary.loc[refund, "mean_valence"] < -0.25 < 0.25 < summary.loc[card, "mean_valence"]
    assert int(summary["volume"].sum()) == int((out.events["actor"] == "customer").sum())
    pains = jm.pain_points(out, level="topic")
    assert pains.index[0] == refund
    moments = jm.moments_of_truth(out, level="topic", top=None)
    assert (refund, refund) in moments.index
    segments = jm.compare_segments(out, "topic")
    assert segments.loc[refund, "end_valence"] < segments.loc[card, "end_valence"]


def test_brand_steps_take_the_topic_of_the_customer_message_they_answer(topics: tuple[jm.JourneySet, TopicModel]) -> None:
    out, tm = topics
    G = jm.journey_graph(out, level="topic")
    refund = topic_of(tm, "refund")
    # every journey stays on its topic: customer, reply, customer are self-loops on one node
    assert set(G.nodes) - {"__start__", "__end__"} <= {*tm.topics_, OTHER}
    assert G[refund][refund]["count"] >= 2 * 19
    assert sum(d["count"] for _, _, d in G.out_edges("__start__", data=True)) == len(out)
    # the broadcast that opens journey 0 takes the topic of the journey's first customer message
    # and a path names each run of one topic once (before: "refund > refund > refund > refund")
    variants = jm.journey_variants(out, level="topic", top=None)
    assert set(variants.index) <= {*tm.topics_, OTHER}
    assert variants.loc[refund, "journeys"] >= 19


def test_topic_paths_keep_each_change_of_subject_once() -> None:
    events = planted_events(6)
    events = events[events["event_id"] != "e0-0"]  # no broadcast here
    customer = events["actor"] == "customer"
    # journey 0: refund, reply, card; journey 2: refund, reply, refund; a topic may come back
    events["topic"] = np.where(customer, events["planted_topic"], None)
    events.loc[events["event_id"] == "e0-3", "topic"] = "card"
    extra = events[events["customer_id"] == "c2"].assign(
        event_id=lambda d: d["event_id"] + "x", timestamp=lambda d: d["timestamp"] + pd.Timedelta(hours=1)
    )
    extra.loc[extra["actor"] == "customer", "topic"] = ["card", "refund"]
    js = planted_scores(jm.build_journeys(pd.concat([events, extra], ignore_index=True), by="thread"))
    paths = jm.journey_variants(js, level="topic", top=None)["journeys"].to_dict()
    assert paths == {"refund": 1, "card": 3, "refund > card": 1, "refund > card > refund": 1}
    # touchpoint paths keep every step
    assert jm.journey_variants(js, top=None).index.str.count(">").min() == 2


def test_topic_level_charts_draw_the_topics(topics: tuple[jm.JourneySet, TopicModel]) -> None:
    out, tm = topics
    ax = jm.plot.journey_map(out, level="topic")
    labels = {t.get_text().replace("\n", " ") for t in ax.get_xticklabels()}
    assert labels <= {*tm.topics_, OTHER} and labels
    assert "topic" in ax.get_title()
    heat = jm.plot.emotion_heatmap(out, level="topic")
    assert {t.get_text().replace("\n", " ").split(" (n=")[0] for t in heat.get_yticklabels()} <= {*tm.topics_, OTHER}
    assert heat.get_title() == "Emotions by topic"


@pytest.mark.parametrize(
    "call",
    [
        lambda js: jm.touchpoint_summary(js, level="topic"),
        lambda js: jm.pain_points(js, level="topic"),
        lambda js: jm.moments_of_truth(js, level="topic"),
        lambda js: jm.journey_graph(js, level="topic"),
        lambda js: jm.journey_variants(js, level="topic"),
        lambda js: jm.compare_segments(js, "topic"),
        lambda js: jm.plot.journey_map(js, level="topic"),
        lambda js: jm.plot.emotion_heatmap(js, level="topic"),
        lambda js: jm.plot.emotion_mix(js, level="topic"),
    ],
)
def test_topic_level_without_topics_names_assign_topics(js: jm.JourneySet, call: object) -> None:
    with pytest.raises(SchemaError, match="assign_topics"):
        call(js)  # type: ignore[operator]


def test_topic_level_on_dask_without_topics_names_assign_topics() -> None:
    import journeymap.distributed as jmd

    djs = jmd.build_journeys(jmd.from_pandas(jm.read_events(planted_events(6)), npartitions=2))
    djs = djs.with_events(djs.events.map_partitions(planted_scores))
    with pytest.raises(SchemaError, match="assign_topics"):
        jm.touchpoint_summary(djs, level="topic")


# -- topic tables, chart and report --------------------------------------------------------------
def test_topic_summary_and_trends_on_planted_topics(topics: tuple[jm.JourneySet, TopicModel]) -> None:
    out, tm = topics
    refund, card = topic_of(tm, "refund"), topic_of(tm, "card")
    table = jm.topic_summary(out)
    assert table.index.name == "topic"
    assert int(table["volume"].sum()) == int((out.events["actor"] == "customer").sum())
    assert table["share"].sum() == pytest.approx(1.0)
    assert table.loc[refund, "share_negative"] == 1.0 and table.loc[card, "share_negative"] == 0.0
    assert table.loc[refund, "ci_low"] <= table.loc[refund, "mean_valence"] <= table.loc[refund, "ci_high"]
    assert set(table.loc[refund, "keywords"]) <= set(WORDS["refund"][0]) | {
        f"{a} {b}" for a in WORDS["refund"][0] for b in WORDS["refund"][0]
    }
    quotes = table.loc[card, "quotes"]
    assert len(quotes) == 3 and len(set(quotes)) == 3
    weekly = jm.topic_trends(out, freq="W")
    assert weekly.index.names == ["period", "topic"]
    assert int(weekly["volume"].sum()) == int(table["volume"].sum())
    shares = weekly.groupby(level="period")["share"].sum()
    assert np.allclose(shares[shares > 0], 1.0)
    assert weekly.xs(refund, level="topic")["share_negative"].dropna().eq(1.0).all()
    ax = jm.plot.topic_trends(out, freq="W")
    # a line per topic (named; a partial period adds an unnamed dashed line and hollow points, as in plot.trends)
    assert len(ax.get_legend_handles_labels()[1]) == len(tm.topics_)


def test_unscored_journeys_get_a_topic_table_without_valence() -> None:
    js = jm.build_journeys(jm.read_events(planted_events(10)))
    out = jm.assign_topics(js, model(n_topics=2))
    table = jm.topic_summary(out)
    assert int(table["volume"].sum()) == 20
    assert table["mean_valence"].isna().all() and (table["scored"] == 0).all()


def test_the_report_has_a_topics_section_only_with_topics(
    js: jm.JourneySet, topics: tuple[jm.JourneySet, TopicModel], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    out, tm = topics
    page = jm.report(out, tmp_path / "with.html").read_text()
    assert 'id="topics"' in page
    section = page[page.index('id="topics"') :]
    for topic in tm.topics_:
        assert topic in section
    assert "<figcaption>Customer messages per week for " in section  # the topics over time, in words (review 20)
    assert 'id="topics"' not in jm.report(js, tmp_path / "without.html").read_text()


def test_the_topics_section_on_zero_journeys_says_why(tmp_path) -> None:  # type: ignore[no-untyped-def]
    tm = model(n_topics=2).fit([" ".join(w) for w, _ in WORDS.values()] * 3)
    events = jm.datasets.service_journeys(5, seed=0).events.assign(timestamp="never")
    empty = jm.assign_topics(planted_scores(jm.build_journeys(jm.read_events(events, on_error="collect"))), tm)
    assert len(empty) == 0
    assert jm.topic_summary(empty).empty and jm.topic_trends(empty).empty
    ax = jm.plot.topic_trends(empty)
    assert any(t.get_text().startswith("no ") for t in ax.texts)
    page = jm.report(empty, tmp_path / "empty.html").read_text()
    assert "No topics to show: there are no journeys." in page


def test_the_topics_section_is_inert_against_html(tmp_path) -> None:  # type: ignore[no-untyped-def]
    payload = '<img src=x onerror="alert(1)">'
    frame = planted_events(12)
    customer = frame["actor"] == "customer"
    frame.loc[customer, "text"] = frame.loc[customer, "text"] + " <script>alert('x')</script>"
    js = planted_scores(jm.build_journeys(jm.read_events(frame)))
    out = jm.assign_topics(js, model(labels={payload: "refund money back", "<b>card</b>": "card delivery"}))
    page = jm.report(out, tmp_path / "hostile.html").read_text()
    section = page[page.index('id="topics"') :]
    assert "<script>" not in page and "<img src=x" not in page and "<b>card" not in page
    assert "&lt;img src=x onerror=" in section
    assert "&lt;script&gt;" in section


def test_a_sample_of_an_events_frame_does_not_depend_on_its_row_order() -> None:
    events = jm.datasets.service_journeys(40, seed=0).events
    shuffled = events.sample(frac=1, random_state=7)
    a = jm.assign_topics(events, encoder=HashingEncoder(), cache=False, sample=40).set_index("event_id")["topic"]
    b = jm.assign_topics(shuffled, encoder=HashingEncoder(), cache=False, sample=40).set_index("event_id")["topic"]
    pd.testing.assert_series_equal(a.sort_index(), b.sort_index())


def test_cache_and_progress_beside_a_model_are_errors_not_ignored(js: jm.JourneySet) -> None:
    with pytest.raises(TopicInputError, match="cache"):
        jm.assign_topics(js, model(), cache=False)
    with pytest.raises(TopicInputError, match="progress"):
        jm.assign_topics(js, model(), progress=False)


def test_the_report_keeps_the_other_row_past_thirty_topics() -> None:
    from journeymap.report import _topics

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(120, seed=0)))
    events = js.events.copy()
    customer = (events["actor"] == "customer").to_numpy()
    names = [f"topic {i}" for i in range(40)]
    events["topic"] = pd.array([names[i % 40] if c else None for i, c in enumerate(customer)], dtype="string")
    events.loc[np.flatnonzero(customer)[:3], "topic"] = OTHER  # the three smallest rows: "other"
    events["topic_score"] = np.where(customer, 0.5, np.nan).astype(np.float32)
    section = "".join(_topics(js.with_events(events), seed=0, freq="W"))
    assert '<th scope="row">other</th>' in section and "The largest 29 of 40 topics" in section


def test_a_customer_message_without_a_topic_does_not_borrow_anothers() -> None:
    # from a ground-truth review: topic columns written by hand with a gap made touchpoint_summary
    # count the untagged message under the previous message's topic, which topic_summary did not
    events = pd.DataFrame(
        {
            "event_id": ["1", "2", "3"],
            "customer_id": "c",
            "actor": ["customer", "agent", "customer"],
            "thread_id": "t",
            "text": ["refund please", "ok", "new"],
            "timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta([0, 1, 2], unit="min"),
        }
    )
    js = jm.build_journeys(jm.read_events(events))
    e = js.events.assign(
        topic=pd.array(["billing", None, None], dtype="string"),
        topic_score=np.float32([0.5, np.nan, np.nan]),
        valence=np.float32([-0.8, np.nan, 0.6]),
        emotion=pd.array(["neutral", None, "neutral"], dtype="string"),
        scorer="hand",
    )
    js = js.with_events(e)
    by_topic = jm.touchpoint_summary(js, level="topic")
    assert by_topic.loc["billing", "volume"] == jm.topic_summary(js).loc["billing", "volume"] == 1
    assert by_topic.loc["(none)", "volume"] == 1
    assert level_keys(js.events, "topic").tolist() == ["billing", "billing", "(none)"]  # the reply takes the message's
