"""Journeys on threads belong to one customer each (issue 13: the right customer)."""

from __future__ import annotations

import pandas as pd

import journeymap as jm


def frame(rows: list[tuple[str, str, str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["event_id", "customer_id", "timestamp", "actor", "in_reply_to"]).assign(
        thread_id="t1", text="hi"
    )


def test_a_bystander_gets_a_journey_of_their_own_with_the_replies_addressed_to_them() -> None:
    df = frame(
        [
            ("a1", "ann", "2024-01-01 10:00", "customer", None),
            ("b1", "bob", "2024-01-01 10:05", "customer", "a1"),  # "me too"
            ("r1", "bob", "2024-01-01 10:20", "agent", "b1"),  # the brand answers bob
            ("r2", "ann", "2024-01-01 11:00", "agent", "a1"),
            ("a2", "ann", "2024-01-01 11:30", "customer", "r2"),
        ]
    )
    js = jm.build_journeys(jm.read_events(df))
    steps = {jid: g["event_id"].tolist() for jid, g in js.events.groupby("journey_id", sort=False)}
    assert steps == {"a1": ["a1", "r2", "a2"], "b1": ["b1", "r1"]}
    assert js.journeys["customer_id"].to_dict() == {"a1": "ann", "b1": "bob"}
    rt = jm.response_times(js)
    assert rt.loc["a1", "first_response"] == pd.Timedelta("1h")
    assert rt.loc["b1", "first_response"] == pd.Timedelta("15min")


def test_brand_rows_carrying_the_agents_id_go_to_the_customer_they_answer() -> None:
    df = frame(
        [
            ("a1", "ann", "2024-01-01 10:00", "customer", None),
            ("r1", "agent-7", "2024-01-01 10:20", "agent", "a1"),
            ("b1", "bob", "2024-01-01 10:30", "customer", None),
            ("r2", "agent-7", "2024-01-01 10:40", "agent", "b1"),
        ]
    ).assign(thread_id=["t1", "t1", "t1", "t1"])
    js = jm.build_journeys(jm.read_events(df))
    owner = js.events.set_index("event_id")["customer_id"].to_dict()
    assert owner == {"a1": "ann", "r1": "ann", "b1": "bob", "r2": "bob"}


def test_without_reply_structure_brand_rows_go_to_the_threads_first_customer() -> None:
    df = frame(
        [
            ("a1", "ann", "2024-01-01 10:00", "customer", None),
            ("r1", "agent-7", "2024-01-01 10:20", "agent", None),
        ]
    ).drop(columns="in_reply_to")
    js = jm.build_journeys(jm.read_events(df))
    assert len(js) == 1
    assert js.events["customer_id"].tolist() == ["ann", "ann"]


def test_a_reply_without_a_thread_id_joins_its_roots_thread() -> None:
    df = pd.DataFrame(
        {
            "event_id": ["a1", "r1", "a2"],
            "customer_id": ["ann"] * 3,
            "timestamp": ["2024-01-01 10:00", "2024-01-01 10:20", "2024-01-01 10:30"],
            "actor": ["customer", "agent", "customer"],
            "in_reply_to": [None, "a1", "r1"],
            "thread_id": ["T-9", "T-9", None],
            "text": "hi",
        }
    )
    js = jm.build_journeys(jm.read_events(df))
    assert len(js) == 1
    assert js.events["event_id"].tolist() == ["a1", "r1", "a2"]


def test_messages_without_a_touchpoint_are_summarised_not_dropped() -> None:
    from journeymap.testing.data import planted_scores

    events = jm.datasets.service_journeys(10, seed=0).events.reset_index(drop=True)
    events.loc[events.index[:5], "touchpoint"] = pd.NA
    js = planted_scores(jm.build_journeys(jm.read_events(events)))
    summary = jm.touchpoint_summary(js)
    customer_scored = (js.events["actor"] == "customer") & js.events["valence"].notna()
    assert summary["volume"].sum() == customer_scored.sum()
    assert "(none)" in summary.index
