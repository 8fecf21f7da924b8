"""Pins that figures stated in several places agree, or that the difference is said where it is read.

Review 27 (rv71) recounted the TWCS sample and ``service_journeys`` across the public tables, the
report and the CLI tables. Pinned here: the service stages read the actor alone, so an automatic
acknowledgement sent from an agent's account (repeated text) is the ``first_response`` stage while
the response times count no reply; the report's definition of the stages must say so. And the
report's note under the agent league must not put a remark addressed to no brand in the "(no reply)"
row, which does not count it. And the report's per-brand table is written by ``map --tables`` as
``brand_levels.csv`` (the agent league alone had a file), where the events name brands.
"""

from __future__ import annotations

import pandas as pd

import journeymap as jm
from journeymap.report import DEFINITIONS, _agent_league
from journeymap.testing.data import planted_scores


def test_report_stage_definition_says_an_automatic_reply_can_be_the_first_response_stage() -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
    replies = jm.reply_table(js)
    stage = js.events.set_index("event_id")["stage"].astype("string")
    automatic_first = replies.index[replies["automatic"].to_numpy(dtype=bool)]
    # the premise: on this data an automatic acknowledgement is the first_response stage
    assert (stage.loc[automatic_first] == "first_response").any()
    first_response = DEFINITIONS["stages"].split("'first_response':")[1].split("'follow_up':")[0]
    assert "automatic" in first_response, first_response


def test_agent_league_note_does_not_count_an_unaddressed_remark_in_the_no_reply_row() -> None:
    events = jm.datasets.service_journeys(10, seed=0).events.copy()
    events["addressed"] = True
    remark = events.iloc[[0]].copy()
    remark[["event_id", "customer_id", "text", "thread_id"]] = ["x1", "bystander", "they moved mine to tomorrow", "x1"]
    remark["brand"] = pd.NA
    remark["in_reply_to"] = pd.NA
    remark["addressed"] = False
    js = planted_scores(jm.build_journeys(jm.read_events(pd.concat([events, remark], ignore_index=True))))
    times = jm.response_times(js)
    agents = jm.service_levels(js, by="agent")
    # the remark needs no public reply, yet belongs to no row of the league (brand or agent)
    assert bool(times.loc["x1", "no_reply_needed"])
    assert agents.loc["(no reply)", "journeys"] == int(times["censored"].sum())
    assert agents["journeys"].sum() == len(js) - 1
    assert jm.service_levels(js, by="brand")["journeys"].sum() == len(js) - 1
    note = _agent_league(agents)[0]
    assert "addressed to no brand" in note, note


def test_the_per_brand_table_is_shared_only_where_the_events_name_brands() -> None:
    from journeymap.report import shared_tables

    events = jm.datasets.service_journeys(20, seed=0).events
    branded = planted_scores(jm.build_journeys(jm.read_events(events)))
    frames = shared_tables(branded).frames
    pd.testing.assert_frame_equal(frames["brand_levels"], jm.service_levels(branded, by="brand"))
    unbranded = planted_scores(jm.build_journeys(jm.read_events(events.drop(columns=["brand"]))))
    assert not {"brand", "author_id"} & set(unbranded.events.columns)
    frames = shared_tables(unbranded).frames
    assert "brand_levels" not in frames and "service_levels" in frames  # the agent league needs no brand
