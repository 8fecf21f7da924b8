"""Fifteenth session's review fixes: each test fails without its fix."""

from __future__ import annotations

import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores


def _log(rows: list[dict[str, object]]) -> jm.EventLog:
    frame = pd.DataFrame(rows)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return jm.read_events(frame)


_OUTREACH = [
    {
        "event_id": "m1",
        "customer_id": "c1",
        "timestamp": "2024-03-01 10:00",
        "actor": "customer",
        "touchpoint": "mention",
        "text": "@Acme my order is late",
        "thread_id": "t1",
        "in_reply_to": None,
        "brand": "Acme",
        "agent_id": None,
        "true_emotion": "anger",
    },
    {
        "event_id": "r1",
        "customer_id": "c1",
        "timestamp": "2024-03-01 10:30",
        "actor": "agent",
        "touchpoint": "public_reply",
        "text": "@c1 sorry, checking",
        "thread_id": "t1",
        "in_reply_to": "m1",
        "brand": "Acme",
        "agent_id": "Acme/Ann",
        "true_emotion": "caring",
    },
    # a brand post in a thread of its own, filed under the customer: an outreach, no reply
    {
        "event_id": "o1",
        "customer_id": "c1",
        "timestamp": "2024-03-05 09:00",
        "actor": "agent",
        "touchpoint": "public_reply",
        "text": "@c1 hi! a new offer for you",
        "thread_id": "t2",
        "in_reply_to": None,
        "brand": "Acme",
        "agent_id": "Acme/Bob",
        "true_emotion": "neutral",
    },
]


@pytest.mark.parametrize("by", ["thread", "customer"])
def test_outreach_in_a_thread_of_its_own_is_no_reply(by: str) -> None:
    js = planted_scores(jm.build_journeys(_log(_OUTREACH), by=by))
    assert jm.reply_table(js).index.tolist() == ["r1"]
    league = jm.service_levels(js, by="agent")
    assert league.index.tolist() == ["Acme/Ann"]
    assert int(league.loc["Acme/Ann", "replies"]) == 1


def test_reply_naming_a_message_of_another_thread_is_a_reply() -> None:
    rows = [dict(row) for row in _OUTREACH]
    rows[2]["in_reply_to"] = "m1"  # the brand answers the first tweet from a thread of its own
    js = planted_scores(jm.build_journeys(_log(rows), by="customer"))
    assert jm.reply_table(js).index.tolist() == ["r1", "o1"]


def test_conversation_openings_computed_once_per_journey_set_and_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap.analytics import service

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
    calls: list[str] = []
    compute = service._conversation_openings

    def counted(*args: object, **kwargs: object) -> pd.DataFrame:
        calls.append(str(kwargs.get("bots")))
        return compute(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "_conversation_openings", counted)
    brands = jm.service_levels(js, by="brand")
    agents = jm.service_levels(js, by="agent")
    assert calls == ["exclude"]  # the report's note and both leagues read one frame
    jm.service_levels(js, by="agent", bots="include")
    assert calls == ["exclude", "include"]

    class Stricter(jm.AutoReplyRule):
        def flags(self, events: pd.DataFrame):  # type: ignore[no-untyped-def]
            return super().flags(events)

    jm.service_levels(js, by="brand", auto=Stricter())
    jm.service_levels(js, by="brand", auto=Stricter())
    assert len(calls) == 4  # a rule of its own is asked every time, as its flags are
    assert len(brands) and len(agents)


def test_compact_date_times_are_read_or_rejected_never_misread() -> None:
    from journeymap.io._time import AMBIGUOUS_HOUR, NOT_A_COMPACT_TIME

    values = ["20240301", "2024030112", "202403011230", "20240301123000", "202403011299", 20240701093000]
    frame = pd.DataFrame({"customer_id": "ann", "timestamp": pd.Series(values, dtype=object)})
    log = jm.read_events(frame, on_error="collect")
    kept = log.events.set_index(log.events.index)["timestamp"].astype(str).to_dict()
    assert kept == {
        0: "2024-03-01 00:00:00+00:00",
        2: "2024-03-01 12:30:00+00:00",
        3: "2024-03-01 12:30:00+00:00",
        5: "2024-07-01 09:30:00+00:00",
    }
    reasons = dict(zip(log.rejects["row"], log.rejects["reason"], strict=True))
    assert reasons == {1: AMBIGUOUS_HOUR, 4: NOT_A_COMPACT_TIME}


def test_compact_date_times_are_wall_times_that_tz_places() -> None:
    frame = pd.DataFrame({"customer_id": ["ann", "bob"], "timestamp": ["202407011230", "2024-07-01 12:30"]})
    log = jm.read_events(frame, tz="Europe/London")
    assert log.events["timestamp"].astype(str).tolist() == ["2024-07-01 11:30:00+00:00"] * 2
