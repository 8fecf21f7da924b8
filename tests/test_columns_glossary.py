"""The column glossary (docs/guide/columns.md): what each shared column name counts, table by table.

The page's statements are checked here on the demo data with some customer messages left
unscored (no text), so that "scored" and "all" counts differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores


@pytest.fixture(scope="module")
def js() -> jm.JourneySet:
    scored = planted_scores(jm.build_journeys(jm.datasets.service_journeys(80, seed=3)))
    events = scored.events.copy()
    unscored = events.index[events["actor"] == "customer"][::7]  # as a message without text: no scores
    score_columns = [c for c in events.columns if c.startswith("emo_")] + ["valence", "sentiment", "emotion"]
    events.loc[unscored, score_columns] = None
    return scored.with_events(events)


def _customer(js: jm.JourneySet) -> pd.DataFrame:
    return js.events[js.events["actor"] == "customer"]


def test_volume_of_the_summaries_counts_scored_messages_and_of_trends_all(js: jm.JourneySet) -> None:
    customer = _customer(js)
    n_all, n_scored = len(customer), int(customer["valence"].notna().sum())
    assert n_scored < n_all
    summary = jm.touchpoint_summary(js)
    assert int(summary["volume"].sum()) == n_scored
    assert int(summary["volume"].sum() + summary["n_unscored"].sum()) == n_all
    assert int(jm.pain_points(js, top=None)["volume"].sum()) == n_scored
    assert int(jm.trends(js)["volume"].sum()) == n_all
    assert int(jm.trends(js)["scored"].sum()) == n_scored
    assert int(jm.time_patterns(js)["volume"].sum()) == n_all


def test_the_graph_counts_every_step_at_a_node_and_journeys_at_start_and_end(js: jm.JourneySet) -> None:
    graph = jm.journey_graph(js)
    steps = js.events["touchpoint"].value_counts()
    assert {n: graph.nodes[n]["volume"] for n in steps.index} == steps.to_dict()
    assert graph.nodes["__start__"]["volume"] == graph.graph["n_journeys"] == len(js)
    for _, _, data in graph.edges(data=True):
        assert data["weight"] == data["count"]


def test_unanswered_is_a_count_per_journey_and_a_share_per_group(js: jm.JourneySet) -> None:
    times = jm.response_times(js)
    assert pd.api.types.is_integer_dtype(times["unanswered"].dtype)
    # first message answered, a later one not: counted here, not in the share below
    assert ((times["unanswered"] > 0) & ~times["censored"] & times["first_response"].notna()).any()
    league = jm.service_levels(js, by="channel")
    assert league["unanswered"].dropna().between(0, 1).all()
    # the share behind it is response_times' censored, over the journeys that can be told
    told = ~(times["no_reply_needed"] | times["opened_outside"]) & (times["first_response"].notna() | times["censored"])
    overall = jm.service_levels(js.with_events(js.events.assign(channel="all")), by="channel")
    assert overall.loc["all", "unanswered"] == pytest.approx(times.loc[told, "censored"].mean())
    assert not np.isclose(times.loc[told, "censored"].mean(), (times.loc[told, "unanswered"] > 0).mean())


def test_first_response_is_a_time_per_journey_and_a_flag_per_reply(js: jm.JourneySet) -> None:
    assert pd.api.types.is_timedelta64_dtype(jm.response_times(js)["first_response"].dtype)
    replies = jm.reply_table(js)
    assert pd.api.types.is_bool_dtype(replies["first_response"].dtype)
    assert pd.api.types.is_bool_dtype(replies["first_acknowledgement"].dtype)
