"""Service analytics on non-Twitter shapes (helpdesk tickets, live chat, surveys): defects of the 2026 shapes review.

Each case is a few hand-made tickets with figures worked out by hand; the scores come from a
tiny keyword scorer (no model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import Taxonomy

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import numpy.typing as npt


class Keywords:
    """GoEmotions scores from a keyword: "thank" is gratitude (valence 0.62), anything else anger (-0.69)."""

    id = "test.keywords.v1"
    taxonomy = Taxonomy.goemotions()

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        labels = self.taxonomy.labels
        out = np.full((len(texts), len(labels)), 0.01, dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, labels.index("gratitude" if "thank" in text.lower() else "anger")] = 0.95
        return out


Row = tuple[str, str, str, str, "str | None"]


def tickets(rows: Sequence[Row], **extra: Sequence[object]) -> pd.DataFrame:
    """Events from (event_id, thread_id, timestamp, actor, text) rows of one customer per thread."""
    frame = pd.DataFrame(rows, columns=["event_id", "thread_id", "timestamp", "actor", "text"])
    frame["customer_id"] = "c-" + frame["thread_id"].astype(str)
    return frame.assign(**extra)


def journeys(frame: pd.DataFrame, *, scored: bool = False, **options: object) -> jm.JourneySet:
    js = jm.build_journeys(jm.read_events(frame), **options)  # type: ignore[arg-type]
    return jm.score(js, Keywords(), cache=False) if scored else js


# -- 1. an open message without a score ----------------------------------------------------------


def unscored_open() -> jm.JourneySet:
    """Three open tickets; 2 and 3 are attachment-only (no text, so no score)."""
    frame = tickets(
        [
            ("1", "t1", "2024-03-05T10:00Z", "customer", "My card payment was declined twice, this is ridiculous"),
            ("2", "t2", "2024-03-05T11:00Z", "customer", None),
            ("3", "t3", "2024-03-05T09:00Z", "customer", None),
        ]
    )
    return journeys(frame, scored=True)


@pytest.mark.filterwarnings("ignore:.*the data holds customer messages only:UserWarning")  # customer messages alone, on purpose
def test_triage_lists_an_open_message_without_a_score_by_its_wait() -> None:
    table = jm.triage(unscored_open(), now="2024-03-05T12:00Z")
    assert table.index.tolist() == ["1", "3", "2"]  # the angry one, then the unscored ones by wait (3 h, 1 h)
    assert table["status"].tolist() == ["waiting"] * 3
    assert table["rank"].tolist() == [1, 2, 3]
    unscored = table.loc[["3", "2"]]
    assert unscored["intensity"].tolist() == [0.0, 0.0] and unscored["negativity"].tolist() == [0.0, 0.0]
    assert unscored["emotion"].isna().all()
    assert unscored["waiting"].tolist() == [pd.Timedelta("3h"), pd.Timedelta("1h")]
    assert unscored["reason"].tolist() == ["not scored (no text); waiting 3.0 h", "not scored (no text); waiting 1.0 h"]
    assert table.loc["1", "reason"].startswith("negative") and "anger 0.95" in table.loc["1", "reason"]


def test_the_report_is_written_when_an_open_message_has_no_score(tmp_path: Path) -> None:
    out = jm.report(unscored_open(), tmp_path / "report.html", examples=0)
    assert out.read_text().startswith("<!DOCTYPE html>")


# -- 2. actor "system" is never a human reply ----------------------------------------------------

ACK = "Hi {}, we received your request. An agent will reply within 24 hours."


def acknowledged_only() -> pd.DataFrame:
    """Two tickets answered only by a personalised auto-acknowledgement from the ticketing system."""
    return tickets(
        [
            ("1", "t1", "2024-03-05T10:00:00-05:00", "customer", "There's a payment with my card that I didn't perform."),
            ("2", "t1", "2024-03-05T10:00:05-05:00", "system", ACK.format("Cat")),
            ("3", "t2", "2024-03-06T08:00:00-05:00", "customer", "I lost my wallet and all my cards were in it."),
            ("4", "t2", "2024-03-06T08:00:02-05:00", "system", ACK.format("Dan")),
        ]
    )


def test_a_ticket_answered_only_by_system_rows_is_unanswered() -> None:
    js = journeys(acknowledged_only())
    rt = jm.response_times(js)
    assert rt["first_response"].isna().all() and rt["censored"].all()
    assert rt["unanswered"].tolist() == [1, 1] and rt["automatic_replies"].tolist() == [1, 1]
    assert rt["first_acknowledgement"].tolist() == [pd.Timedelta("5s"), pd.Timedelta("2s")]
    waits = jm.reply_waits(js)
    assert not waits["replied"].any()
    replies = jm.reply_table(js)
    assert replies["automatic"].all() and replies["automatic_reason"].tolist() == ["system", "system"]
    assert not replies["first_response"].any()
    # bots="include" counts them, as it counts a bot's
    assert jm.response_times(js, bots="include")["first_response"].tolist() == [pd.Timedelta("5s"), pd.Timedelta("2s")]


def test_a_ticket_answered_only_by_system_rows_is_open_in_triage() -> None:
    table = jm.triage(journeys(acknowledged_only(), scored=True))
    assert table.index.tolist() == ["1", "3"]
    assert table["status"].tolist() == ["waiting", "waiting"]


def test_trends_count_tickets_answered_only_by_system_rows_as_unanswered() -> None:
    daily = jm.trends(journeys(acknowledged_only()), freq="D")
    assert daily["journeys"].tolist() == [1, 1]
    assert daily["unanswered"].tolist() == [1.0, 1.0] and daily["first_response_median"].isna().all()


def reopened() -> pd.DataFrame:
    """A ticket that is solved, reopened by the customer, and answered 45 minutes later."""
    return tickets(
        [
            ("1", "t5", "2024-03-07T13:00:00-05:00", "customer", "Why is my contactless not working?"),
            ("2", "t5", "2024-03-07T13:00:04-05:00", "system", "Hi, we received your request (#105)."),
            ("3", "t5", "2024-03-07T14:00:00-05:00", "agent", "Please try a chip-and-PIN payment first."),
            ("4", "t5", "2024-03-07T14:00:01-05:00", "system", "Ticket status changed from Open to Solved"),
            ("5", "t5", "2024-03-11T09:00:00-04:00", "customer", "My contactless is still not working anywhere."),
            ("6", "t5", "2024-03-11T09:00:01-04:00", "system", "Ticket reopened by requester"),
            ("7", "t5", "2024-03-11T09:45:00-04:00", "agent", "I have ordered a replacement card for you."),
        ],
        agent_id=[None, "trigger-1", "ag-maria", "system", None, "system", "ag-maria"],
    )


def test_a_system_row_does_not_shorten_a_reopened_tickets_wait() -> None:
    js = journeys(reopened())
    waits = jm.reply_waits(js)
    assert waits["wait"].tolist() == [pd.Timedelta("1h"), pd.Timedelta("45min")]
    rt = jm.response_times(js).iloc[0]
    assert rt["first_response"] == pd.Timedelta("1h") and rt["mean_wait"] == pd.Timedelta("52min 30s")
    assert rt["automatic_replies"] == 3


def test_system_rows_are_no_agent_in_the_league() -> None:
    league = jm.service_levels(journeys(reopened()), by="agent", min_size=1)
    assert league.index.tolist() == ["ag-maria"]  # not "system", nor "trigger-1"
    assert league.loc["ag-maria", "replies"] == 2 and league.loc["ag-maria", "journeys"] == 1
    without_ids = jm.service_levels(journeys(reopened().drop(columns="agent_id")), by="agent", min_size=1)
    assert without_ids.loc["(unsigned)", "replies"] == 2 and without_ids.loc["(unsigned)", "automatic"] == 0


def test_a_thanks_after_a_system_row_closes_and_recovers_nothing() -> None:
    frame = tickets(
        [
            ("1", "t1", "2024-03-05T10:00Z", "customer", "My transfer was rejected again"),
            ("2", "t1", "2024-03-05T10:00:03Z", "system", "Thanks for contacting us. Your ticket number is 1."),
            ("3", "t1", "2024-03-05T10:30Z", "customer", "Thanks, it went through now"),
        ]
    )
    js = journeys(frame, scored=True)
    table = jm.triage(js)
    assert table["status"].tolist() == ["waiting", "waiting"]  # no human replied: nothing is closing
    assert jm.response_times(js).iloc[0][["unanswered", "closing"]].tolist() == [2, 0]
    metrics = jm.journey_metrics(js).iloc[0]
    assert metrics["end_sentiment"] == "positive" and not metrics["recovered"]


# -- 3. a row without a thread id ----------------------------------------------------------------


def two_customers(k9_thread: str | None) -> jm.JourneySet:
    frame = pd.DataFrame(
        {
            "event_id": ["e1", "c1", "c2", "p1", "p2"],
            "customer_id": ["K2", "K2", "K2", "K9", "K9"],
            "timestamp": [
                "2024-04-05T07:00Z",
                "2024-04-05T11:00Z",
                "2024-04-05T11:05Z",
                "2024-04-05T09:00Z",
                "2024-04-05T09:10Z",
            ],
            "actor": ["customer", "customer", "agent", "customer", "agent"],
            "channel": ["email", "chat", "chat", "phone", "phone"],
            "thread_id": ["E2", "CH2", "CH2", k9_thread, k9_thread],
            "text": ["Why was my transfer declined?", "Nobody answered my email", "Released now.", "Card delivery", "Explained"],
        }
    )
    return jm.build_journeys(jm.read_events(frame), by="customer", gap="3D")


@pytest.mark.parametrize("k9_thread", ["PH9", None])
def test_one_row_without_a_thread_id_keeps_other_customers_threads_apart(k9_thread: str | None) -> None:
    js = two_customers(k9_thread)
    waits = jm.reply_waits(js)
    assert not waits.loc["e1", "replied"]  # the chat reply does not answer the email
    assert waits.loc["c1", "wait"] == pd.Timedelta("5min") and waits.loc["p1", "wait"] == pd.Timedelta("10min")
    rt = jm.response_times(js)
    assert pd.isna(rt.loc["e1", "first_response"]) and rt.loc["e1", "unanswered"] == 1
    assert rt.loc["p1", "first_response"] == pd.Timedelta("10min")


def test_a_reply_without_a_thread_id_answers_within_its_journey() -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["e1", "r1", "c1"],
            "customer_id": ["K2"] * 3,
            "timestamp": ["2024-04-05T07:00Z", "2024-04-05T08:00Z", "2024-04-05T11:00Z"],
            "actor": ["customer", "agent", "customer"],
            "thread_id": ["E2", None, "CH2"],  # a phone call note, logged without a thread
            "text": ["Why was my transfer declined?", "Called back: released it", "Still nothing in chat either"],
        }
    )
    js = jm.build_journeys(jm.read_events(frame), by="customer")
    waits = jm.reply_waits(js)
    assert waits.loc["e1", "wait"] == pd.Timedelta("1h") and not waits.loc["c1", "replied"]
    assert jm.reply_table(js).loc["r1", "answers"] == "e1"


def test_a_reply_without_a_thread_id_takes_the_thread_of_the_message_it_answers() -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["e1", "c1", "r1"],
            "customer_id": ["K2"] * 3,
            "timestamp": ["2024-04-05T07:00Z", "2024-04-05T08:00Z", "2024-04-05T09:00Z"],
            "actor": ["customer", "customer", "agent"],
            "thread_id": ["E2", "CH2", None],
            "in_reply_to": [None, None, "e1"],
            "text": ["Why was my transfer declined?", "Hello? Anyone in chat?", "Re: your email: released it"],
        }
    )
    js = jm.build_journeys(jm.read_events(frame), by="customer")
    waits = jm.reply_waits(js)
    assert waits.loc["e1", "wait"] == pd.Timedelta("2h")
    assert not waits.loc["c1", "replied"]  # the email reply does not answer the chat
    assert jm.response_times(js).iloc[0]["unanswered"] == 1


# -- 6. a human operator's canned greeting (docs: how to switch the repeat rule off) -----------


def greeted_chats() -> pd.DataFrame:
    """Three chats in which a person sends the same greeting 25-35 s after the customer, then fixes it."""
    rows: list[Row] = []
    greeting = "Hi, my name is Sam and I'll be helping you today. One moment while I look at your account."
    for i in range(3):
        t0 = pd.Timestamp("2024-03-04 14:00Z") + pd.Timedelta(hours=i)
        rows += [
            (f"{i}a", f"c{i}", str(t0), "customer", f"Why is my card not working? ({i})"),
            (f"{i}b", f"c{i}", str(t0 + pd.Timedelta(seconds=25 + 5 * i)), "agent", greeting),
            (f"{i}c", f"c{i}", str(t0 + pd.Timedelta(minutes=4)), "agent", f"Fixed it (case {i})."),
        ]
    return tickets(rows)


def test_the_repeat_rule_can_be_switched_off_for_a_chat_tool() -> None:
    js = journeys(greeted_chats())
    assert jm.response_times(js)["first_response"].tolist() == [pd.Timedelta("4min")] * 3  # the documented rule
    trust_actor = jm.AutoReplyRule(min_repeats=10**9)  # no text is sent that often: only the actor tells
    rt = jm.response_times(js, auto=trust_actor)
    assert rt["first_response"].tolist() == [pd.Timedelta("25s"), pd.Timedelta("30s"), pd.Timedelta("35s")]
    assert rt["automatic_replies"].sum() == 0


def test_the_report_takes_the_same_rule(tmp_path: Path) -> None:
    js = journeys(greeted_chats(), scored=True)
    default = jm.report(js, tmp_path / "default.html").read_text()
    trusted = jm.report(js, tmp_path / "trusted.html", auto=jm.AutoReplyRule(min_repeats=10**9)).read_text()
    assert "3 of 6 brand reply messages automatic" in default
    assert "0 of 6 brand reply messages automatic" in trusted  # before: report had no auto= and read the greeting as a bot
    with pytest.raises(TypeError, match="auto"):
        jm.report(js, tmp_path / "bad.html", auto="never")  # type: ignore[arg-type]


def test_an_auto_acknowledgement_after_the_last_message_is_no_reply_to_a_variant() -> None:
    variants = jm.journey_variants(journeys(acknowledged_only(), scored=True), top=None)
    assert variants["journeys"].sum() == 2 and variants["drop_off"].tolist() == [1.0]


def test_a_closing_message_is_sent_before_the_end_not_waiting() -> None:
    # from a review of the report: a thank-you that closes its case read "waiting 44.4 h; 2 open messages"
    frame = tickets(
        [
            ("1", "t1", "2024-03-01 09:00", "customer", "my card is broken"),
            ("2", "t1", "2024-03-01 10:00", "agent", "sorted now"),
            ("3", "t1", "2024-03-01 11:00", "customer", "great, thank you"),
            ("4", "t1", "2024-03-03 11:00", "customer", "a new question"),
        ]
    )
    t = jm.triage(journeys(frame, scored=True))  # indexed by event_id
    assert t.loc["3", "status"] == "closing"
    assert "sent 48.0 h before the end of the data" in t.loc["3", "reason"]
    assert "open messages from this customer" not in t.loc["3", "reason"]
    assert t.loc["4", "status"] == "waiting"
