"""Findings of a ground-truth review of the service queue (2026-12-05, seventh session): owners, moves, censoring, repetition."""

from __future__ import annotations

import numpy as np
import pandas as pd

import journeymap as jm

T0 = pd.Timestamp("2024-03-01 09:00", tz="UTC")
HOUR = 60


def thread(rows: list[dict[str, object]], negative: str = "", by: str = "thread", thanks: str = "") -> jm.JourneySet:
    """Journeys from short rows (id, t minutes, actor a, thread th, channel ch, ...), scored by hand.

    Customer messages whose ids are in ``negative`` read -0.9, those in ``thanks`` +0.8, the others 0.
    """
    frame = pd.DataFrame(
        [
            {
                "event_id": r["id"],
                "customer_id": r.get("c", "C1"),
                "timestamp": T0 + pd.Timedelta(minutes=float(r.get("t", 0))),  # type: ignore[arg-type]
                "actor": r.get("a", "customer"),
                "text": r.get("text", f"text {r['id']}"),
                "channel": r.get("ch", "twitter"),
                "touchpoint": r.get("tp", r.get("ch", "twitter")),
                "thread_id": r.get("th", "T1"),  # None: a message without one
                "in_reply_to": r.get("rep"),
                "agent_id": r.get("agent"),
                **({"brand": r["brand"]} if "brand" in r else {}),
            }
            for r in rows
        ]
    )
    js = jm.build_journeys(frame, by=by)
    e = js.events.copy()
    customer = (e["actor"] == "customer").to_numpy()
    ids = e["event_id"].astype(str)
    valence = np.where(ids.isin(negative.split()), -0.9, np.where(ids.isin(thanks.split()), 0.8, 0.0))
    e["valence"] = np.where(customer, valence, np.nan).astype(np.float32)
    e["sentiment"] = pd.array(
        np.where(customer, np.where(valence < -0.25, "negative", np.where(valence > 0.25, "positive", "neutral")), None),
        dtype="string",
    )
    e["emotion"] = pd.array(np.where(customer, "neutral", None), dtype="string")
    e["scorer"] = "hand"
    return js.with_events(e)


# -- the owner of a journey is who answered its first message --------------------------------------
def test_a_journey_belongs_to_the_agent_who_answered_its_first_message() -> None:
    # by customer: thread X at 0, thread Y at 60; Y1 answers Y at 70, X1 answers X at 300
    rows = [
        {"id": "1", "th": "X", "t": 0},
        {"id": "2", "th": "Y", "t": 60},
        {"id": "3", "th": "Y", "t": 70, "a": "agent", "agent": "Y1", "rep": "2"},
        {"id": "4", "th": "X", "t": 300, "a": "agent", "agent": "X1", "rep": "1"},
    ]
    js = thread(rows, negative="1 2", by="customer")
    assert jm.response_times(js)["first_response"].iloc[0] == pd.Timedelta(hours=5)
    league = jm.service_levels(js, min_size=1)
    # before: Y1 owned the journey and was charged X's 5 hours
    assert league.loc["X1", ["journeys", "within_sla"]].tolist() == [1, 0.0]
    assert league.loc["X1", "first_response_median"] == pd.Timedelta(hours=5)
    # Y1 owns it through thread Y, with Y's own first response (each conversation its first responder's)
    assert league.loc["Y1", ["journeys", "journeys_replied"]].tolist() == [1, 1]
    assert league.loc["Y1", "first_response_median"] == pd.Timedelta(minutes=10)
    table = jm.reply_table(js)
    assert table.loc["4", "first_response"] and not table.loc["3", "first_response"]


def test_an_unanswered_first_message_is_no_other_threads_agents() -> None:
    # X never answered; Y answered by a2 in 2 minutes: a2 did not leave X waiting
    rows = [
        {"id": "1", "th": "X", "t": 0, "ch": "email"},
        {"id": "2", "th": "Y", "t": 60, "ch": "chat"},
        {"id": "3", "th": "Y", "t": 62, "ch": "chat", "a": "agent", "agent": "a2", "rep": "2"},
    ]
    league = jm.service_levels(thread(rows, negative="1 2", by="customer"), min_size=1)
    assert league.loc["(no reply)", ["journeys", "unanswered"]].tolist() == [1, 1.0]
    # a2 owns the journey through Y only, answered in 2 minutes (before: charged X, unanswered 1.0, within_sla 0)
    assert league.loc["a2", ["journeys", "unanswered", "within_sla"]].tolist() == [1, 0.0, 1.0]


def test_in_a_thread_with_two_brands_the_first_messages_brand_owns_it() -> None:
    rows = [
        {"id": "1", "t": 0, "brand": "A"},
        {"id": "2", "t": 5, "brand": "B"},
        {"id": "3", "t": 10, "a": "agent", "agent": "b1", "rep": "2", "brand": "B"},
        {"id": "4", "t": 120, "a": "agent", "agent": "a1", "rep": "1", "brand": "A"},
    ]
    league = jm.service_levels(thread(rows, negative="1 2"), by="brand", min_size=1)
    assert league.loc["A", ["journeys", "within_sla"]].tolist() == [1, 0.0]
    # B owns it through its own conversation, answered in 5 minutes (before: B owned it, charged A's 2 hours)
    assert league.loc["B", ["journeys", "within_sla"]].tolist() == [1, 1.0]


# -- moves to private messages -----------------------------------------------------------------------
def test_a_move_to_dm_does_not_move_a_public_thread_opened_after_it() -> None:
    rows = [
        {"id": "1", "th": "T1", "t": 0},
        {"id": "2", "th": "T1", "t": 10, "a": "agent", "agent": "a1", "rep": "1"},
        {"id": "3", "th": "T1", "t": 20, "ch": "dm"},
        {"id": "4", "th": "T1", "t": 30, "ch": "dm", "a": "agent", "agent": "a1"},
        {"id": "5", "th": "T2", "t": 48 * HOUR},
        {"id": "6", "th": "T2", "t": 48 * HOUR + 1},
    ]
    js = thread(rows, negative="1 3 5 6", by="customer")
    t = jm.triage(js)
    assert t.loc[["5", "6"], "status"].tolist() == ["waiting", "waiting"]  # before: "moved", unranked
    assert t.loc["5", "rank"] == 1
    rt = jm.response_times(js).iloc[0]
    assert (rt["unanswered"], rt["moved"]) == (2, 0)


def test_a_public_message_after_the_move_in_its_own_thread_is_moved() -> None:
    rows = [
        {"id": "1", "t": 0},
        {"id": "2", "t": 10, "a": "agent", "agent": "a1", "rep": "1"},
        {"id": "3", "t": 20, "ch": "dm", "a": "agent", "agent": "a1"},
        {"id": "4", "t": 30, "text": "I replied in DM, any news?"},
    ]
    assert jm.triage(thread(rows, negative="1 4")).loc["4", "status"] == "moved"


def test_an_unanswered_dm_in_the_data_is_waiting() -> None:
    # public tweet, public reply, then the customer's DM, which nobody answers for 9 hours
    rows = [
        {"id": "1", "t": 0},
        {"id": "2", "t": 10, "a": "agent", "agent": "a1", "rep": "1"},
        {"id": "3", "t": 20, "ch": "dm"},
        {"id": "9", "c": "C9", "th": "Z", "t": 10 * HOUR},
    ]
    t = jm.triage(thread(rows, negative="1 3"))
    assert t.loc["3", ["status", "rank"]].tolist() == ["waiting", 1]  # before: "moved", unranked


def test_a_bots_dm_request_moves_nothing_even_when_bots_count_as_replies() -> None:
    rows = [
        {"id": "1", "t": 0},
        {"id": "2", "t": 0.1, "a": "bot", "rep": "1", "tp": "dm_request", "text": "Please DM us"},
        {"id": "3", "t": 30, "rep": "2", "text": "Still broken, nobody helps"},
    ]
    js = thread(rows, negative="1 3")
    for bots in ("exclude", "include"):
        assert jm.triage(js, bots=bots).loc["3", "status"] == "waiting"  # before, with include: "moved"


# -- a first message that needs no reply is not censored ------------------------------------------------
def test_thanks_for_an_outreach_is_neither_answered_nor_unanswered() -> None:
    rows = [
        {"id": "1", "t": 0, "a": "agent", "agent": "a1", "text": "Your parcel is delayed, sorry!"},
        {"id": "2", "t": 10, "rep": "1", "text": "Thanks so much for letting me know!"},
        {"id": "9", "c": "C9", "th": "Z", "t": 10 * HOUR},
        {"id": "10", "c": "C9", "th": "Z", "t": 10 * HOUR + 5, "a": "agent", "agent": "a1", "rep": "9"},
    ]
    js = thread(rows, thanks="2")
    rt = jm.response_times(js)
    assert jm.triage(js).loc["2", "status"] == "closing"
    assert not rt.loc["1", "censored"] and pd.isna(rt.loc["1", "first_wait"])  # before: censored, 9 h 55 min
    league = jm.service_levels(js, min_size=1)
    assert league.loc["a1", ["within_sla", "unanswered"]].tolist() == [1.0, 0.0]  # before: 0.5 and 0.5
    assert jm.trends(js, freq="D")["unanswered"].iloc[0] == 0.0


# -- repetition counts the messages still waiting ---------------------------------------------------------
def test_repetition_counts_only_messages_still_waiting() -> None:
    rows = [
        {"id": "1", "th": "A", "t": 0},
        {"id": "2", "th": "A", "t": 5, "a": "agent", "agent": "a1", "rep": "1", "tp": "dm_request"},
        {"id": "3", "th": "A", "t": 10},
        {"id": "4", "th": "A", "t": 11},
        {"id": "6", "th": "B", "t": 20},
    ]
    t = jm.triage(thread(rows, negative="1 3 4 6", by="customer"))
    assert t.loc[["3", "4"], "status"].tolist() == ["moved", "moved"]
    assert t.loc["6", "repetition"] == 0.0  # before: 2/3, the moved messages counted as asking again
    assert "messages waiting" not in t.loc["6", "reason"]


# -- from a review of these fixes ---------------------------------------------------------------------
def test_a_later_thread_moves_with_its_own_dm_step() -> None:
    rows = [
        {"id": "1", "th": "X", "t": 0},
        {"id": "2", "th": "X", "t": 10, "a": "agent", "agent": "a1", "rep": "1"},
        {"id": "3", "th": "X", "t": 20, "ch": "dm", "a": "agent", "agent": "a1"},
        {"id": "4", "th": "Y", "t": 48 * HOUR},
        {"id": "5", "th": "Y", "t": 48 * HOUR + 10, "a": "agent", "agent": "a1", "rep": "4"},
        {"id": "6", "th": "Y", "t": 48 * HOUR + 20, "ch": "dm", "a": "agent", "agent": "a1"},
        {"id": "7", "th": "Y", "t": 48 * HOUR + 30, "text": "replied in DM, any news?"},
    ]
    # before the review's fix only the journey's first DM step moved anything: "waiting", rank 1
    assert jm.triage(thread(rows, negative="1 4 7", by="customer")).loc["7", "status"] == "moved"


def test_a_thread_opened_by_a_message_without_a_thread_id_is_the_thread_its_replies_name() -> None:
    # exports that write thread_id on the replies only (the synthetic set does): the opening
    # message belongs to its thread, not to every conversation of a journey by customer
    rows = [
        {"id": "1", "th": None, "t": 0},
        {"id": "2", "th": None, "t": 60},
        {"id": "3", "th": "2", "t": 70, "a": "agent", "agent": "Y1", "rep": "2"},
        {"id": "4", "th": "1", "t": 300, "a": "agent", "agent": "X1", "rep": "1"},
    ]
    js = thread(rows, negative="1 2", by="customer")
    assert jm.response_times(js)["first_response"].iloc[0] == pd.Timedelta(hours=5)
    league = jm.service_levels(js, min_size=1)
    # each thread its first responder's, with its own wait (before: Y1 owned it, at 1 h 10)
    assert league.loc[["X1", "Y1"], "first_response_median"].tolist() == [pd.Timedelta(hours=5), pd.Timedelta(minutes=10)]
    # and a DM step in one thread does not move the other thread's opening message
    moved = [
        {"id": "1", "th": None, "t": 0},
        {"id": "2", "th": "1", "t": 10, "a": "agent", "agent": "a1", "rep": "1"},
        {"id": "3", "th": "1", "t": 20, "ch": "dm", "a": "agent", "agent": "a1"},
        {"id": "5", "th": None, "t": 48 * HOUR},
        {"id": "6", "th": "5", "t": 48 * HOUR + 1, "rep": "5"},
    ]
    t = jm.triage(thread(moved, negative="1 5 6", by="customer"))
    assert t.loc[["5", "6"], "status"].tolist() == ["waiting", "waiting"]


def test_response_times_and_trends_take_an_index_with_repeated_labels() -> None:
    rows = [
        {"id": "1", "t": 0},
        {"id": "2", "t": 10, "a": "agent", "agent": "a1", "rep": "1"},
        {"id": "3", "c": "C3", "th": "T3", "t": 20},
    ]
    js = thread(rows, negative="1 3")
    events = js.events.set_axis([0, 1, 0])  # the two customer messages share a label
    repeated = jm.JourneySet(events, js.journeys, js.stages, by=js.by, taxonomy=js.taxonomy)
    rt = jm.response_times(repeated)  # before: InvalidIndexError
    assert rt["censored"].tolist() == jm.response_times(js)["censored"].tolist() == [False, True]
    assert jm.trends(repeated, freq="D")["unanswered"].iloc[0] == 0.5


def test_the_report_counts_a_journey_needing_no_reply_as_such() -> None:
    from journeymap.report import _response_note

    rows = [
        {"id": "1", "t": 0, "a": "agent", "agent": "a1", "text": "Your parcel is delayed, sorry!"},
        {"id": "2", "t": 10, "rep": "1", "text": "Thanks so much for letting me know!"},
    ]
    js = thread(rows, thanks="2")
    rt = jm.response_times(js)
    assert rt["no_reply_needed"].tolist() == [True]
    from journeymap.analytics.service import conversation_openings

    note = _response_note(conversation_openings(js), brand_only=0, replies=jm.reply_table(js))
    assert "needing no public reply" in note and "answered outside the data" not in note  # before: "answered outside"


def test_a_rule_of_ones_own_may_return_lists() -> None:
    class Lists(jm.AutoReplyRule):
        def flags(self, events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
            n = len(events)
            return [False] * n, [""] * n  # type: ignore[return-value]

    rows = [{"id": "1", "t": 0}, {"id": "2", "t": 5, "a": "agent", "agent": "a1", "rep": "1"}, {"id": "3", "t": 9}]
    js = thread(rows, negative="1 3")
    for bots in ("exclude", "include"):
        assert jm.triage(js, bots=bots, auto=Lists()).loc["3", "status"] == "waiting"
