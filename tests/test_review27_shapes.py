"""Figures that must agree by thread and by customer on data shaped unlike Twitter threads (review rv73, 2026-12-07).

Pins: a customer's post without a thread id, before a later thread of its brand that no reply of
that brand follows, is a conversation of its own in a journey by customer (as it is by thread),
not a second message of the later thread: two unanswered conversations are two.
"""

from __future__ import annotations

import pandas as pd

import journeymap as jm
from journeymap.analytics.service import conversation_openings

_DAY = 24 * 60


def _lone_post_then_unanswered_thread() -> pd.DataFrame:
    rows = [
        ("1", "C1", 0, None, "customer", None, "@NovaTel my bill is wrong"),  # no thread id: a post nobody answered
        ("2", "C1", _DAY, "T2", "customer", None, "@NovaTel and now my invoice is missing"),  # a later ticket, unanswered
        ("3", "C2", 0, "T3", "customer", None, "@NovaTel hello?"),
        ("4", "C2", 5, "T3", "agent", "nova/jr", "@C2 hi, how can we help"),
    ]
    frame = pd.DataFrame(rows, columns=["event_id", "customer_id", "t", "thread_id", "actor", "agent_id", "text"])
    frame["timestamp"] = pd.Timestamp("2024-03-01", tz="UTC") + pd.to_timedelta(frame.pop("t"), unit="min")
    return frame.assign(brand="NovaTel")


def test_a_lone_post_before_an_unanswered_thread_of_its_brand_is_a_conversation_of_its_own() -> None:
    frame = _lone_post_then_unanswered_thread()
    by_thread = jm.build_journeys(frame)
    by_customer = jm.build_journeys(frame, by="customer")
    # before: by customer the post joined ticket T2 (its brand's nearest *later* thread), so the
    # report's note read "1 conversation unanswered" and the brand's unanswered share 1 of 2
    for js in (by_thread, by_customer):
        conv = conversation_openings(js)
        assert (len(conv), int(conv["censored"].sum())) == (3, 2)
    assert jm.service_levels(by_customer, by="brand", min_size=1).loc["NovaTel", "unanswered"] == 2 / 3
    assert jm.service_levels(by_thread, by="brand", min_size=1).loc["NovaTel", "unanswered"] == 2 / 3


def test_blank_brand_replies_are_no_template() -> None:
    """Three blank replies of one account at machine speed are no "repeated text": a blank text is no text.

    Found by the invariant property (test_review22_invariants, a random draw): an agent's blank reply to a customer
    at once, beside two other blank agent posts, made the reply automatic, so the journey read unanswered with the
    other journeys there and answered in 0 s without them.
    """
    t = pd.Timestamp("2024-03-30", tz="UTC")
    frame = pd.DataFrame(
        {
            "event_id": ["e0", "e1", "e2", "e3"],
            "customer_id": ["c1"] * 4,
            "timestamp": [t] * 4,
            "actor": ["customer", "agent", "agent", "agent"],
            "text": ["where is my refund?", "", " ", ""],
            "in_reply_to": [None, "e0", None, None],
        }
    )
    js = jm.build_journeys(jm.read_events(frame))
    assert jm.response_times(js).loc["e0", "first_response"] == pd.Timedelta(0)
    assert not jm.reply_table(js)["automatic"].any()
    # the same replies with one text are a template, as before
    frame["text"] = ["where is my refund?", "Thanks, we are on it", "Thanks, we are on it", "Thanks, we are on it"]
    again = jm.build_journeys(jm.read_events(frame))
    assert pd.isna(jm.response_times(again).loc["e0", "first_response"])
    assert jm.reply_table(again).loc["e1", "automatic"]
