"""Review 27 (topic figures agree wherever journeymap states them): what the report's topics section shows.

Pins that where some customer messages are not scored, the report's topics table keeps the ``scored``
count beside ``messages`` (all of a topic's messages) and says its mood columns read the scored ones,
so it does not state a topic's messages as one number while the pain points by topic, in the same
report, state another; and that a blank first customer message puts its journey in the segment
``"other"`` of ``compare_segments(js, "topic")`` (assign_topics gives it that topic).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

import journeymap as jm
from journeymap.report import _topics
from journeymap.testing import HashingEncoder
from journeymap.testing.data import planted_scores


def _with_topics(n: int, *, unscored_every: int = 0) -> jm.JourneySet:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(n, seed=0)))
    if unscored_every:
        events = js.events.copy()
        drop = (events["actor"] == "customer").to_numpy() & (np.arange(len(events)) % unscored_every == 0)
        for column in ("valence", "sentiment", "emotion"):
            events[column] = events[column].where(~drop)
        js = js.with_events(events)
    return jm.assign_topics(js, encoder=HashingEncoder(), cache=False, n_topics=3)


def _header(section: str) -> list[str]:
    head = section[section.index("<thead") : section.index("</thead>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>.*?</th>", head, flags=re.S)]


def test_report_topics_keep_scored_where_some_messages_are_not_scored() -> None:
    js = _with_topics(30, unscored_every=5)
    table = jm.topic_summary(js)
    assert (table["scored"] < table["volume"]).any()  # the case under test
    section = "".join(_topics(js, seed=0, freq="W"))
    header = _header(section)
    assert "messages" in header and "scored" in header
    note = re.sub(r"<[^>]+>", "", section)
    assert "'scored' those the scorer read" in note
    # the scored counts shown are pain_points' volumes by topic (what the other table of the report says)
    pains = jm.pain_points(js, level="topic")
    assert table["scored"].to_dict() == pains["volume"].to_dict()


def test_report_topics_without_unscored_messages_show_no_scored_column() -> None:
    js = _with_topics(30)
    section = "".join(_topics(js, seed=0, freq="W"))
    assert "scored" not in _header(section)
    assert "'scored' those" not in section


def test_blank_first_message_is_in_the_other_segment() -> None:
    log = jm.datasets.service_journeys(30, seed=0)
    events = log.events.copy()
    first = events.index[(events["actor"] == "customer").to_numpy()][0]
    events.loc[first, "text"] = "   "
    js = planted_scores(jm.build_journeys(events))
    js = jm.assign_topics(js, encoder=HashingEncoder(), cache=False, n_topics=3)
    journey = js.events.loc[js.events["event_id"] == events.loc[first, "event_id"], "journey_id"].iloc[0]
    row = js.events[js.events["event_id"] == events.loc[first, "event_id"]].iloc[0]
    assert row["topic"] == "other" and pd.isna(row["topic_score"])
    segments = jm.compare_segments(js, "topic")
    assert "(no topic)" not in segments.index
    assert "other" in segments.index
    firsts = js.events[js.events["actor"] == "customer"].drop_duplicates("journey_id").set_index("journey_id")["topic"]
    assert firsts[journey] == "other"
    assert int(segments.loc["other", "n_journeys"]) == int((firsts == "other").sum())


def test_topic_info_counts_the_sample_topic_summary_every_message() -> None:
    from journeymap.topics import TopicModel

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
    model = TopicModel(encoder=HashingEncoder(), cache=False, n_topics=3)
    with_topics = jm.assign_topics(js, model, sample=20)
    assert int(model.topic_info_["size"].sum()) == 20
    customers = int((js.events["actor"] == "customer").sum())
    assert int(jm.topic_summary(with_topics)["volume"].sum()) == customers > 20


def _all_other() -> jm.JourneySet:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
    events = js.events.copy()
    customer = (events["actor"] == "customer").to_numpy()
    events["topic"] = pd.Series(pd.NA, index=events.index, dtype="string")
    events.loc[customer, "topic"] = "other"
    events["topic_score"] = np.where(customer, np.nan, np.nan).astype("float32")
    return js.with_events(events)


def test_report_and_chart_say_all_messages_are_other_not_that_there_are_none() -> None:
    import matplotlib.pyplot as plt

    js = _all_other()
    n = int((js.events["actor"] == "customer").sum())
    assert jm.topic_summary(js)["volume"].to_dict() == {"other": n}
    section = re.sub(r"<[^>]+>", " ", "".join(_topics(js, seed=0, freq="W")))
    assert "no customer messages with a topic to show" not in section
    assert f'all {n:,} are "other"' in section
    ax = jm.plot.topic_trends(js)
    text = ax.texts[0].get_text()
    plt.close("all")
    assert text.startswith("no customer messages with a named topic to show")
    assert f'all {n:,} are "other"' in text.replace("\n", " ")
