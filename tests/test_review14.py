"""Fourteenth session: the report audit (every figure recomputed) and the metamorphic review."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import journeymap as jm
from journeymap.analytics.service import conversation_openings
from journeymap.report import _response_note
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"


def _twcs(rows: str) -> jm.EventLog:
    return jm.read_twcs(pd.read_csv(io.StringIO(HEADER + rows), dtype=str))


QUIET = """1,900001,True,Wed Nov 01 09:00:00 +0000 2017,@AcmeBank how do I order a new card?,2,
2,AcmeBank,False,Wed Nov 01 09:10:00 +0000 2017,@900001 You can order it in the app ^AB,,1
3,900002,True,Wed Nov 01 10:00:00 +0000 2017,@AcmeBank my transfer failed twice,4,
4,AcmeBank,False,Wed Nov 01 10:20:00 +0000 2017,@900002 Sorry let me check ^CD,,3
5,900003,True,Wed Nov 01 11:00:00 +0000 2017,@AcmeBank where is my statement,,
6,900004,True,Wed Nov 01 12:00:00 +0000 2017,@QuietCo my parcel never arrived,,
7,900005,True,Wed Nov 01 13:00:00 +0000 2017,@QuietCo you charged me twice,,
8,900006,True,Wed Nov 01 14:00:00 +0000 2017,@QuietCo nobody answers the phone,,
"""


def test_a_brand_that_answers_no_one_has_its_journeys_in_the_league() -> None:
    # The report audit: QuietCo's three customers went to "(no reply)", and QuietCo had no row,
    # although the report defines a conversation's brand as the one it was addressed to when
    # no one answered.
    js = jm.build_journeys(_twcs(QUIET))
    league = jm.service_levels(js, by="brand", min_size=1)
    assert "(no reply)" not in league.index
    assert league.loc["QuietCo", ["journeys", "journeys_replied", "replies"]].tolist() == [3, 0, 0]
    assert league.loc["QuietCo", "unanswered"] == 1.0
    assert league.loc["AcmeBank", ["journeys", "unanswered"]].tolist() == [3, pytest.approx(1 / 3)]


def test_a_brand_whose_only_replies_are_automatic_keeps_the_journeys_no_one_answered() -> None:
    # a bot acknowledged one customer; the two others got nothing at all: all three are the brand's
    rows = """1,900001,True,Wed Nov 01 09:00:00 +0000 2017,@AcmeBank card lost,2,
2,AcmeBank,False,Wed Nov 01 09:00:05 +0000 2017,@900001 Thanks for your message! We will get back to you soon.,,1
3,900002,True,Wed Nov 01 10:00:00 +0000 2017,@AcmeBank my transfer failed twice,,
4,900003,True,Wed Nov 01 11:00:00 +0000 2017,@AcmeBank where is my statement,,
"""
    log = _twcs(rows)
    events = log.events.assign(actor=log.events["actor"].astype("string").mask(log.events["event_id"] == "2", "bot"))
    js = jm.build_journeys(jm.read_events(events))
    league = jm.service_levels(js, by="brand", min_size=1)
    assert league.index.tolist() == ["AcmeBank"]
    assert league.loc["AcmeBank", ["journeys", "automatic", "unanswered"]].tolist() == [3, 1, 1.0]


def test_by_customer_a_later_thread_nobody_answered_counts_as_unanswered() -> None:
    # The report audit: by customer only each journey's first conversation was measured, so a
    # customer answered on 1 Nov whose new thread of 2 Nov got no reply counted as answered, and
    # the report said "0 journeys unanswered" above a triage listing that message as waiting.
    log = _twcs(
        """1,800001,True,Wed Nov 01 09:00:00 +0000 2017,@AcmeBank how do I order a new card?,2,
2,AcmeBank,False,Wed Nov 01 09:10:00 +0000 2017,@800001 You can order it in the app ^AB,,1
3,800001,True,Thu Nov 02 09:00:00 +0000 2017,@AcmeBank someone took money from my account and nobody answers,,
4,800002,True,Thu Nov 02 10:00:00 +0000 2017,@AcmeBank my transfer failed twice,5,
5,AcmeBank,False,Thu Nov 02 10:20:00 +0000 2017,@800002 Sorry let me check ^CD,,4
6,800003,True,Sat Nov 04 12:00:00 +0000 2017,@AcmeBank is the branch open on Sunday?,7,
7,AcmeBank,False,Sat Nov 04 12:05:00 +0000 2017,@800003 Yes from 10 to 4 ^AB,,6
"""
    )
    leagues, notes = {}, {}
    for by in ("thread", "customer"):
        js = jm.build_journeys(log, by=by)
        leagues[by] = jm.service_levels(js, by="brand", min_size=1)
        notes[by] = _response_note(conversation_openings(js), brand_only=0, replies=jm.reply_table(js))
    assert leagues["customer"].loc["AcmeBank", "journeys"] == 3  # journeys are customers ...
    assert leagues["thread"].loc["AcmeBank", "journeys"] == 4
    # ... but the response figures read every conversation, as by thread
    columns = ["first_response_median", "first_response_p90", "within_sla", "unanswered"]
    pd.testing.assert_series_equal(leagues["customer"].loc["AcmeBank", columns], leagues["thread"].loc["AcmeBank", columns])
    assert leagues["customer"].loc["AcmeBank", "unanswered"] == pytest.approx(0.25)
    assert notes["customer"] == notes["thread"]
    assert "median 10 min 00 s over 3 answered conversations; 1 conversation unanswered" in notes["customer"]


def test_a_message_to_two_brands_counts_once_for_a_grouping_other_than_the_brand() -> None:
    t0 = pd.Timestamp("2024-03-01 09:00", tz="UTC")
    common = {"customer_id": "c1", "thread_id": "t1", "channel": "twitter"}
    frame = pd.DataFrame(
        [
            common | {"event_id": "e0", "timestamp": t0, "actor": "customer", "text": "@Acme @Globex late", "brand": "Acme"},
            common | {"event_id": "e1", "timestamp": t0 + pd.Timedelta(minutes=5), "actor": "agent", "brand": "Acme"},
            common | {"event_id": "e2", "timestamp": t0 + pd.Timedelta(minutes=60), "actor": "agent", "brand": "Globex"},
        ]
    ).assign(in_reply_to=[None, "e0", "e0"])
    js = jm.build_journeys(jm.read_events(frame))
    by_channel = jm.service_levels(js, by="channel", min_size=1)
    assert by_channel.loc["twitter", ["journeys", "first_response_median"]].tolist() == [1, pd.Timedelta(minutes=5)]
    by_brand = jm.service_levels(js, by="brand", min_size=1)
    assert by_brand["first_response_median"].to_dict() == {"Acme": pd.Timedelta(minutes=5), "Globex": pd.Timedelta(minutes=60)}
    note = _response_note(conversation_openings(js), brand_only=0, replies=jm.reply_table(js))
    assert note.startswith("First response (a person's reply): median 5 min 00 s over 1 answered conversation;")


def test_the_report_note_counts_conversations(tmp_path: Path) -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
    page = jm.report(js, tmp_path / "r.html").read_text(encoding="utf-8")
    conv = conversation_openings(js).drop_duplicates("opening")
    answered = int(conv["first_response_ns"].notna().sum())
    assert f"over {answered} answered conversations" in page


def test_a_reply_stamped_before_its_message_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    # The report audit: the wait counts as 0 s, and the only trace was an INFO line the CLI hides.
    log = _twcs(
        """1,800001,True,Wed Nov 01 12:00:00 +0000 2017,@AcmeBank card lost,2,
2,AcmeBank,False,Wed Nov 01 11:58:00 +0000 2017,@800001 Sorry to hear that ^AB,,1
"""
    )
    with caplog.at_level(logging.WARNING, logger="journeymap.journeys._build"):
        jm.build_journeys(log)
    warned = [r for r in caplog.records if r.levelno == logging.WARNING and "stamped before" in r.getMessage()]
    assert len(warned) == 1
    assert "up to 120 s" in warned[0].getMessage() and "count as 0 s" in warned[0].getMessage()


def test_with_brands_a_customer_reply_naming_no_brand_is_addressed_to_the_brand_it_answers() -> None:
    # The customer's second post names no @brand but answers VirginTrains' reply: it is addressed
    # to VirginTrains, as read_twcs reads it (before: NA, which made it a conversation of its own).
    at = pd.Timestamp("2024-05-01 09:00", tz="UTC")
    posts = pd.DataFrame(
        {
            "id": ["1", "2", "3", "4", "5"],
            "author": ["900", "Tesco", "VirginTrains", "900", "VirginTrains"],
            "at": [at + pd.Timedelta(minutes=m) for m in (0, 10, 30, 40, 55)],
            "reply_to": [None, "1", "1", "3", "4"],
            "thread": ["t"] * 5,
            "text": ["@Tesco @VirginTrains late", "Sorry ^AB", "Which train? ^CD", "The 9:05", "Refund on its way ^CD"],
        }
    )
    columns = {"id": "event_id", "author": "customer_id", "at": "timestamp", "reply_to": "in_reply_to", "thread": "thread_id"}
    log = jm.read_events(posts, columns=columns, brands=["Tesco", "VirginTrains"])
    assert log.events.set_index("event_id").loc[["1", "4"], "brand"].tolist() == ["Tesco", "VirginTrains"]
    league = jm.service_levels(jm.build_journeys(log), by="brand", min_size=1)
    assert league.loc["VirginTrains", "first_response_median"] == pd.Timedelta(minutes=30)


def test_with_brands_a_remark_in_a_thread_naming_no_account_is_unaddressed_as_read_twcs_reads_it() -> None:
    # The metamorphic review: the TWCS sample's "They reschedule my ... for tomorrow" (a post naming
    # no account, answered by another customer) was a waiting customer with brands=, unaddressed
    # with read_twcs; a post alone (a listening tool's mention without an @) stays addressed.
    twcs = pd.DataFrame(
        {
            "tweet_id": ["1", "2", "3", "4", "5"],
            "author_id": ["101", "Tesco", "102", "103", "104"],
            "inbound": ["True", "False", "True", "True", "True"],
            "created_at": [f"Wed Oct 11 1{h}:00:00 +0000 2017" for h in range(5)],
            "text": ["@Tesco my order is late", "@101 Sorry! ^Mike", "They reschedule my parcel for tomorrow",
                     "@102 I wish they would not", "my tesco order never came"],
            "response_tweet_id": ["2", "", "4", "", ""],
            "in_response_to_tweet_id": ["", "1", "", "3", ""],
        }
    )  # fmt: skip
    posts = pd.DataFrame(
        {"id": twcs["tweet_id"], "username": twcs["author_id"], "created_at": twcs["created_at"], "text": twcs["text"]}
    ).assign(in_reply_to=twcs["in_response_to_tweet_id"].replace("", None))
    columns = {"id": "event_id", "username": "customer_id", "created_at": "timestamp"}
    social = jm.read_events(posts, columns=columns, brands=["Tesco"]).events.set_index("event_id")
    read = jm.read_twcs(twcs).events.set_index("event_id")
    thread = ["1", "2", "3", "4"]
    assert social.loc[thread, "addressed"].astype(bool).tolist() == [True, True, False, False]
    assert social.loc[thread, "addressed"].astype(bool).tolist() == read.loc[thread, "addressed"].tolist()
    assert bool(social.loc["5", "addressed"])  # alone: a mention without an @ may still want an answer


def test_the_journey_map_calls_a_negative_best_cell_least_negative_not_high() -> None:
    # The stages audit: on the TWCS sample with top_pains=1 the map wrote "high -0.25 (n=16)" over
    # a cell where every customer message was negative; plot.journey says "least negative" there.
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    from journeymap.plot._stats import journey_map_table

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
    events = js.events.copy()
    customer = (events["actor"].astype("string") == "customer") & events["valence"].notna()
    # every customer message negative, by touchpoint: the best cell is still below 0
    events.loc[customer, "valence"] = (-0.2 - 0.6 * (events.loc[customer, "valence"] + 1) / 2).astype("float32")
    events.loc[customer, "sentiment"] = "negative"
    negative = js.with_events(events, taxonomy=js.taxonomy)
    table = journey_map_table(negative)
    assert (table["mean_valence"] < 0).all()
    ax = jm.plot.journey_map(negative, top_pains=1)
    high = [t.get_text() for t in ax.texts if t.get_gid() == "annotation-high"]
    assert len(high) == 1 and high[0].startswith("least negative -"), high
    plt.close(ax.figure)
    # above 0 the best cell is still a high
    ax = jm.plot.journey_map(js, top_pains=1)
    best = [t.get_text() for t in ax.texts if t.get_gid() == "annotation-high"]
    assert all(text.startswith("high +") for text in best) and best
    plt.close(ax.figure)


def _row(event: str, actor: str, thread: str | None, parent: str | None, minutes: int, *, brand: str | None = "BrandA") -> dict:
    at = pd.Timestamp("2024-03-01", tz="UTC") + pd.Timedelta(minutes=minutes)
    return {"event_id": event, "customer_id": "c0", "timestamp": at, "actor": actor, "text": "refund",
            "thread_id": thread, "in_reply_to": parent, "brand": brand}  # fmt: skip


def test_a_reply_without_a_thread_id_joins_the_thread_of_the_message_it_answers() -> None:
    # The metamorphic re-run: 109 (no thread_id) answers 108, which sits in thread 104 but quotes
    # 100 (a reply across threads). By thread it was filed under its chain's root (100), where it
    # answers nothing: both journeys unanswered, while by customer it answered 108 in 5 min.
    frame = pd.DataFrame(
        [_row("100", "customer", "100", None, 0), _row("104", "customer", "104", None, 1),
         _row("108", "customer", "104", "100", 2), _row("109", "agent", None, "108", 7)]
    )  # fmt: skip
    js = jm.build_journeys(jm.read_events(frame), by="thread")
    assert dict(js.events[["event_id", "journey_id"]].to_numpy().tolist()) == {
        "100": "100",
        "104": "104",
        "108": "104",
        "109": "104",
    }
    by_thread = jm.service_levels(js, by="brand", min_size=1)
    by_customer = jm.service_levels(jm.build_journeys(jm.read_events(frame), by="customer", gap="30D"), by="brand", min_size=1)
    columns = ["first_response_median", "unanswered"]
    pd.testing.assert_series_equal(by_thread.loc["BrandA", columns], by_customer.loc["BrandA", columns])
    assert by_thread.loc["BrandA", "unanswered"] == 0.5


def test_a_message_without_a_thread_id_whose_replies_name_one_opens_that_thread() -> None:
    # as the reply analytics read it (analytics._replies.thread_codes): before, the opening got a
    # journey of its own (its own id) and its replies another
    frame = pd.DataFrame([_row("1", "customer", None, None, 0), _row("2", "agent", "T", "1", 5)])
    js = jm.build_journeys(jm.read_events(frame), by="thread")
    assert js.events["journey_id"].nunique() == 1
    assert jm.response_times(js)["first_response"].tolist() == [pd.Timedelta(minutes=5)]


def test_an_unanswered_conversation_goes_to_the_brand_a_later_message_names() -> None:
    # The metamorphic re-run: "my order is late" (no brand) then "@BrandA hello??" (BrandA), no
    # reply: BrandA's only if BrandA had answered someone else; "(no reply)" otherwise
    rows = [_row("1", "customer", "1", None, 0, brand=None), _row("2", "customer", "1", "1", 5)]
    answered_elsewhere = [*rows, _row("3", "customer", "3", None, 0) | {"customer_id": "c1"},
                          _row("4", "agent", "3", "3", 5) | {"customer_id": "c1"}]  # fmt: skip
    # a bot's acknowledgement elsewhere: the data holds brand messages (not a survey)
    bot = _row("9", "bot", "9", "8", 1) | {"customer_id": "c2"}
    rows = [*rows, _row("8", "customer", "8", None, 0, brand="Other") | {"customer_id": "c2"}, bot | {"brand": "Other"}]
    answered_elsewhere = [*answered_elsewhere, *rows[2:]]
    for frame in (pd.DataFrame(rows), pd.DataFrame(answered_elsewhere)):
        league = jm.service_levels(jm.build_journeys(jm.read_events(frame)), by="brand", min_size=1)
        assert "(no reply)" not in league.index
        assert league.loc["BrandA", "unanswered"] == (1.0 if len(frame) == len(rows) else 0.5)


def _x_posts() -> pd.DataFrame:
    """A tweet to @Tesco @BA that only BA answers, the customer's answer, and a remark answered by another customer."""
    at = pd.Timestamp("2024-05-01 09:00", tz="UTC")
    return pd.DataFrame(
        {
            "id": ["1", "2", "3", "4", "5"],
            "author": ["900", "BA", "900", "901", "902"],
            "at": [at + pd.Timedelta(minutes=m) for m in (0, 5, 9, 30, 35)],
            "reply_to": [None, "1", "2", None, "4"],
            "text": ["@Tesco @BA my bag", "So sorry ^JB", "@Tesco you were better", "parcel late again", "@901 same"],
        }
    )


X_COLUMNS = {"id": "event_id", "author": "customer_id", "at": "timestamp", "reply_to": "in_reply_to"}


def test_with_brands_a_customer_post_takes_the_brand_that_answered_its_thread_first() -> None:
    # The diff review: the first @handle came first, so the tweet to @Tesco @BA that only BA
    # answered was Tesco's (read_twcs: BA's, the thread's brand), and the customer's answer to BA
    # naming @Tesco too
    events = jm.read_events(_x_posts(), columns=X_COLUMNS, brands=["Tesco", "BA"]).events.set_index("event_id")
    assert events.loc[["1", "2", "3"], "brand"].tolist() == ["BA", "BA", "BA"]


def test_with_brands_addressed_is_read_when_the_export_has_brand_and_agent_columns() -> None:
    # The diff review: the reply links were read only when brand or agent_id was missing, so with
    # both columns given every post was addressed
    posts = _x_posts().assign(brand=["Tesco", "BA", "BA", None, None], agent_id=[None, "BA/JB", None, None, None])
    events = jm.read_events(posts, columns=X_COLUMNS, brands=["Tesco", "BA"]).events.set_index("event_id")
    assert events.loc[["1", "2", "3", "4", "5"], "addressed"].astype(bool).tolist() == [True, True, True, False, False]


def test_an_opener_whose_replies_name_two_threads_is_filed_in_one_conversation() -> None:
    # The diff review: build_journeys took the first thread in sorted order, the reply analytics
    # the largest code in row order: one journey by thread split into two conversations
    from journeymap.analytics.automatic import reply_context

    at = pd.Timestamp("2024-03-01", tz="UTC")
    frame = pd.DataFrame(
        {
            "event_id": ["x", "r1", "r2"],
            "customer_id": "c1",
            "actor": ["customer", "agent", "agent"],
            "timestamp": [at, at + pd.Timedelta(minutes=30), at + pd.Timedelta(minutes=40)],
            "thread_id": [None, "B", "A"],
            "in_reply_to": [None, "x", "x"],
        }
    )
    js = jm.build_journeys(jm.read_events(frame), by="thread")
    ctx = reply_context(js)
    per_journey = pd.Series(ctx.conversation).groupby(ctx.journey).nunique()
    assert (per_journey == 1).all(), dict(zip(js.events["event_id"], ctx.conversation))


def test_the_report_says_over_time_counts_each_journeys_first_conversation(tmp_path: Path) -> None:
    log = _twcs(
        """1,800001,True,Wed Nov 01 09:00:00 +0000 2017,@AcmeBank card lost,2,
2,AcmeBank,False,Wed Nov 01 09:10:00 +0000 2017,@800001 Sorry ^AB,,1
3,800001,True,Thu Nov 02 09:00:00 +0000 2017,@AcmeBank and now my transfer failed,,
"""
    )
    note = "Over time, each journey counts once"
    customer = log.events["actor"].astype("string") == "customer"
    scored = jm.read_events(log.events.assign(valence=customer.map({True: -0.5, False: None}).astype("float64")))
    by_customer = jm.build_journeys(scored, by="customer")
    by_thread = jm.build_journeys(scored, by="thread")
    assert note in jm.report(by_customer, tmp_path / "c.html").read_text(encoding="utf-8")
    assert note not in jm.report(by_thread, tmp_path / "t.html").read_text(encoding="utf-8")
