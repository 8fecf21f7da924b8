from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import SchemaError, build_journeys, read_twcs
from journeymap.io._time import UNPARSEABLE

from .conftest import TWCS_SAMPLE
from .test_properties import crc_scores

if TYPE_CHECKING:
    from pathlib import Path


def tweet(tid, author, inbound, minute, text, parent=None):  # noqa: PLR0917
    return {
        "tweet_id": tid,
        "author_id": author,
        "inbound": inbound,
        "created_at": f"Wed Oct 11 06:{minute:02d}:00 +0000 2017",
        "text": text,
        "response_tweet_id": "",
        "in_response_to_tweet_id": parent,
    }


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows)).astype({"tweet_id": str, "in_response_to_tweet_id": object})


THREAD = frame(
    tweet("1", "115712", "True", 0, "@AskBrand my bill is wrong again"),
    tweet("2", "AskBrand", "False", 5, "@115712 sorry! please DM us your account", "1"),
    tweet("3", "115712", "True", 9, "@AskBrand done, thanks", "2"),
    tweet("4", "AskBrand", "False", 12, "@115712 all fixed now", "3"),
)


def test_a_thread() -> None:
    log = read_twcs(THREAD)
    e = log.events
    assert e["actor"].tolist() == ["customer", "agent", "customer", "agent"]
    assert e["customer_id"].tolist() == ["115712"] * 4
    assert e["brand"].tolist() == ["AskBrand"] * 4
    assert e["thread_id"].tolist() == ["1"] * 4
    assert e["in_reply_to"].tolist()[1:] == ["1", "2", "3"]
    assert e["channel"].tolist() == ["twitter"] * 4
    assert e["touchpoint"].tolist() == ["mention", "dm_request", "follow_up", "public_reply"]
    js = build_journeys(log)
    assert len(js) == 1
    assert js.journeys.loc["1", "customer_id"] == "115712"
    assert js.events["stage"].tolist() == ["contact", "first_response", "follow_up", "resolution"]


def test_float_ids_and_booleans() -> None:
    df = THREAD.copy()
    df["in_response_to_tweet_id"] = [None, 1.0, 2.0, 3.0]
    df["inbound"] = [True, False, True, False]
    assert read_twcs(df).events["in_reply_to"].tolist()[1:] == ["1", "2", "3"]


def test_dangling_reply_starts_its_own_thread_and_is_reported() -> None:
    log = read_twcs(frame(tweet("10", "AskBrand", "False", 1, "@999 we are on it", "404")))
    assert log.events["thread_id"].tolist() == ["10"]
    assert log.events["customer_id"].tolist() == ["999"]  # from the @number it is addressed to
    assert log.warnings["row"].tolist() == [0]
    assert log.warnings["column"].tolist() == ["in_response_to_tweet_id"]
    assert "not in the data" in log.warnings["reason"].iloc[0]


def test_unusable_rows_are_rejected_with_reasons() -> None:
    df = frame(
        tweet("1", "115712", "True", 0, "@AskBrand hello"),
        tweet("2", "AskBrand", "False", 1, "hello there", "404"),  # customer cannot be told
        tweet("3", "115713", "maybe", 2, "@AskBrand hi"),  # bad inbound
        tweet("4", "115714", "True", 3, "@AskBrand a", "5"),  # reply cycle 4 <-> 5
        tweet("5", "115714", "True", 4, "@AskBrand b", "4"),
        tweet("6", "115715", "True", 99, "@AskBrand bad time"),  # minute 99: unparseable
        tweet("1", "115716", "True", 5, "@AskBrand duplicate id"),
    )
    log = read_twcs(df)
    reasons = {(r.row, r.column): r.reason for r in log.rejects.itertuples()}
    assert "customer cannot be told" in reasons[(1, "author_id")]
    assert reasons[(2, "inbound")] == "expected True or False"
    assert reasons[(3, "in_response_to_tweet_id")].startswith("reply cycle")
    assert reasons[(4, "in_response_to_tweet_id")].startswith("reply cycle")
    assert reasons[(5, "created_at")] == UNPARSEABLE
    assert reasons[(6, "tweet_id")].startswith("duplicate event_id")
    assert log.events.index.tolist() == [0]
    assert len(log.events) + log.rejects["row"].nunique() == len(df)
    with pytest.raises(SchemaError, match="row 1, column 'author_id'"):
        read_twcs(df, on_error="raise")


def test_missing_columns() -> None:
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['inbound'\]; found columns"):
        read_twcs(THREAD.drop(columns="inbound"))


@pytest.mark.skipif(not TWCS_SAMPLE.is_file(), reason="../shared/data/twcs_sample is not beside the checkout")
def test_real_sample_one_journey_per_customer_and_conversation() -> None:
    raw = pd.read_csv(TWCS_SAMPLE, dtype=str)
    log = read_twcs(TWCS_SAMPLE)
    assert len(log.events) + log.rejects["row"].nunique() == len(raw)
    js = build_journeys(log, by="thread")
    # A conversation = a connected reply tree among the tweets present; within it, each customer
    # has a journey of their tweets and the brand tweets answering them. Counted independently:
    ids = set(raw["tweet_id"])
    parent = {t: p for t, p in zip(raw["tweet_id"], raw["in_response_to_tweet_id"]) if isinstance(p, str) and p in ids}
    author = dict(zip(raw["tweet_id"], raw["author_id"]))
    inbound = dict(zip(raw["tweet_id"], raw["inbound"] == "True"))

    def root(t: str) -> str:
        while t in parent:
            t = parent[t]
        return t

    text = dict(zip(raw["tweet_id"], raw["text"]))

    def owner(t: str) -> str:
        """A customer's tweet is theirs; a brand tweet belongs to whom it answers, else to whom it addresses."""
        if inbound[t]:
            return author[t]
        if t in parent:
            return owner(parent[t])
        return text[t].split()[0].lstrip("@")

    kept = log.events["event_id"]
    assert len(js) == len({(root(t), owner(t)) for t in kept})
    # Two threads of the sample have a second customer (a bystander's "me too"): their own journeys.
    assert len(js) == len({root(t) for t in kept}) + 2
    for _, group in js.events.groupby("journey_id", sort=False):
        assert group.loc[group["actor"] == "customer", "author_id"].nunique() <= 1
    assert js.journeys["n_steps"].sum() == len(log.events)
    for journey_id, group in js.events.groupby("journey_id", sort=False):
        assert group["timestamp"].is_monotonic_increasing
        assert group["step"].tolist() == list(range(1, len(group) + 1))
        assert journey_id == group["event_id"].iloc[0]


def test_brand_broadcasts_are_kept_and_replies_to_them_start_there() -> None:
    df = pd.DataFrame(
        {
            "tweet_id": ["b1", "r1", "r2", "a1", "x1"],
            "author_id": ["AskRail", "500", "501", "AskRail", "AskRail"],
            "inbound": [False, True, True, False, False],
            "created_at": [
                "Wed Oct 11 06:00:00 +0000 2017",
                "Wed Oct 11 06:10:00 +0000 2017",
                "Wed Oct 11 06:20:00 +0000 2017",
                "Wed Oct 11 06:30:00 +0000 2017",
                "Wed Oct 11 07:00:00 +0000 2017",
            ],
            "text": [
                "All lines are closed at Preston this morning",
                "@AskRail how long for?",
                "@AskRail great, now I'm late",
                "@500 Until noon, sorry ^JB",
                "@AskRail thanks all",
            ],
            "in_response_to_tweet_id": [None, "b1", "b1", "r1", "zz"],
        }
    )
    log = read_twcs(df)
    # the broadcast is kept; only the brand reply to a tweet outside the data, naming nobody, is not
    assert log.events["event_id"].tolist() == ["b1", "r1", "r2", "a1"]
    assert log.rejects["row"].tolist() == [4]
    assert log.events.set_index("event_id")["touchpoint"].to_dict() == {
        "b1": "broadcast",
        "r1": "broadcast",
        "r2": "broadcast",
        "a1": "public_reply",
    }
    js = build_journeys(log)
    steps = {jid: g["event_id"].tolist() for jid, g in js.events.groupby("journey_id", sort=False)}
    assert steps == {"b1": ["b1"], "r1": ["r1", "a1"], "r2": ["r2"]}
    assert js.journeys.loc["b1", "customer_id"] == "AskRail"
    assert js.journeys.loc["r1", "customer_id"] == "500"
    assert js.events.set_index("event_id").loc["a1", "agent_id"] == "AskRail/JB"


@pytest.mark.skipif(not TWCS_SAMPLE.is_file(), reason="../shared/data/twcs_sample is not beside the checkout")
def test_agents_are_parsed_from_signatures_on_the_real_sample() -> None:
    log = read_twcs(TWCS_SAMPLE)
    brand = log.events[log.events["actor"] == "agent"]
    signed = brand.set_index("event_id")["agent_id"].dropna()
    # 61% of brand tweets are signed; 27 with British Airways' "... 1/2" taking "... 2/2 ^JR"'s signature
    assert (len(signed), len(brand)) == (27, 44)
    assert signed.loc["119264"] == signed.loc["119266"] == "British_Airways/JR"
    by_text = dict(zip(brand["text"].str[-12:], brand["agent_id"]))
    assert by_text["e, Miriam ^MM"[-12:]] == "VirginTrains/MM"
    assert signed.str.split("/").str[0].isin(brand["author_id"]).all()
    assert log.events.loc[log.events["actor"] == "customer", "agent_id"].isna().all()


def test_a_brand_reply_to_its_own_reply_answers_the_customer_the_first_part_answered() -> None:
    # two customers in one thread; the brand answers the second in two tweets, the second part
    # replying to the first: both are the second customer's, not the thread's first customer's
    log = read_twcs(
        frame(
            tweet("1", "100", "True", 0, "@AskBrand my order is late"),
            tweet("2", "200", "True", 5, "@100 @AskBrand me too, mine is late", "1"),
            tweet("3", "AskBrand", "False", 30, "@200 Sorry about that. Which order number? 1/2 ^JB", "2"),
            tweet("4", "AskBrand", "False", 31, "@200 Please DM us the details 2/2 ^JB", "3"),
        )
    )
    assert log.events["customer_id"].tolist() == ["100", "200", "200", "200"]
    js = build_journeys(log)
    assert {jid: g["event_id"].tolist() for jid, g in js.events.groupby("journey_id")} == {"1": ["1"], "2": ["2", "3", "4"]}


def test_unsigned_parts_of_a_split_reply_take_the_signature_of_the_signed_part() -> None:
    log = read_twcs(
        frame(
            tweet("1", "100", "True", 0, "@AskBrand my flight is delayed"),
            tweet("2", "AskBrand", "False", 5, "@100 Sorry, the new departure time is 15:30. 1/2", "1"),
            tweet("3", "AskBrand", "False", 6, "@100 We're sorry for the delay. 2/2 ^JR", "1"),
            tweet("4", "AskBrand", "False", 9, "@100 Anything else? 1/2", "3"),  # another reply: no signed part
        )
    )
    assert log.events["agent_id"].fillna("-").tolist() == ["-", "AskBrand/JR", "AskBrand/JR", "-"]


def test_the_thread_brand_is_the_earliest_replying_account_in_any_row_order() -> None:
    rows = [
        tweet("1", "100", "True", 0, "@AmazonHelp @UPSHelp where is my parcel"),
        tweet("2", "UPSHelp", "False", 50, "@100 Please DM the tracking number ^ML", "1"),
        tweet("3", "AmazonHelp", "False", 30, "@100 Sorry! Please contact us here", "1"),
    ]
    for order in (rows, rows[::-1]):
        events = read_twcs(frame(*order)).events.set_index("event_id")
        assert events.loc["1", "brand"] == "AmazonHelp"


def test_a_customer_reply_to_a_tweet_outside_the_data_is_a_follow_up() -> None:
    log = read_twcs(
        frame(
            tweet("3", "100", "True", 10, "@AskBrand still broken after your fix", "2"),
            tweet("4", "AskBrand", "False", 20, "@100 Sorry! Checking now ^JB", "3"),
        )
    )
    assert log.events["touchpoint"].tolist() == ["follow_up", "public_reply"]
    assert log.warnings["row"].tolist() == [0]


def test_a_brand_update_to_its_own_broadcast_stays_in_the_broadcast_journey() -> None:
    log = read_twcs(
        frame(
            tweet("1", "AskBrand", "False", 0, "We are aware of an outage in London. Updates to follow."),
            tweet("2", "100", "True", 10, "@AskBrand still broken here", "1"),
            tweet("3", "200", "True", 20, "@AskBrand same for me in Leeds", "1"),
            tweet("5", "AskBrand", "False", 50, "Update: the outage is fixed.", "1"),
        )
    )
    js = build_journeys(log)
    steps = {jid: g["event_id"].tolist() for jid, g in js.events.groupby("journey_id")}
    assert steps == {"1": ["1", "5"], "2": ["2"], "3": ["3"]}
    waits = jm.reply_waits(js)
    assert not waits["replied"].any()  # neither customer was answered


def test_a_message_whose_reply_is_outside_the_data_is_neither_answered_nor_unanswered() -> None:
    rows = [
        tweet("1", "100", "True", 0, "@AskBrand my order is late"),  # its reply "2" is not in the slice
        tweet("3", "101", "True", 10, "@AskBrand my card was declined"),  # no reply anywhere
    ]
    rows[0]["response_tweet_id"] = "2"
    log = read_twcs(frame(*rows))
    assert log.events["reply_outside_data"].tolist() == [True, False]
    js = build_journeys(log)
    waits = jm.reply_waits(js)
    assert waits["reply_outside"].tolist() == [True, False] and not waits["replied"].any()
    rt = jm.response_times(js)
    assert rt.loc["1", ["censored", "unanswered", "replied_outside"]].tolist() == [False, 0, 1]
    assert rt.loc["3", ["censored", "unanswered", "replied_outside"]].tolist() == [True, 1, 0]
    assert pd.isna(rt.loc["1", "first_wait"])
    t = jm.triage(crc_scores(js))
    assert t["status"].tolist() == ["waiting", "reply_outside"]  # the unknown one last, unranked
    assert t["rank"].tolist()[0] == 1 and pd.isna(t["rank"].tolist()[1])


def test_a_bystanders_remark_addressed_to_no_brand_waits_for_no_reply() -> None:
    # the TWCS sample's 119331/119330/119329: a tweet naming no one, another customer's reply to it
    # naming Amazon in words, and the brand answering that other customer
    rows = [
        tweet("1", "200", "True", 0, "They reschedule my shit for tomorrow https://t.co/x"),
        tweet("2", "201", "True", 3, "@200 I wish Amazon had an option to ship it to the ups store", "1"),
        tweet("3", "UPSHelp", "False", 9, "@201 UPS has a service called My Choice ^ML", "2"),
        tweet("4", "200", "True", 20, "still nothing", "1"),  # the first customer again, under their own tweet
        tweet("5", "300", "True", 1, "@76099 my phone drains in an hour"),  # an anonymised brand handle: addressed
        tweet("6", "300", "True", 2, "and it is hot", "5"),  # under an addressed tweet
        tweet("7", "400", "True", 4, "same here", "99"),  # its parent is outside the data: may answer a brand
        tweet("8", "500", "True", 5, "nobody answers @SomeBrand"),
    ]
    log = read_twcs(frame(*rows))
    assert log.events["event_id"].tolist() == [str(i) for i in range(1, 9)]
    # 2 names no brand either, but UPS answered it: the brand saw it
    assert log.events["addressed"].tolist() == [False, True, True, False, True, True, True, True]
    js = build_journeys(log)
    rt = jm.response_times(js)
    # 200's journey: addressed to no brand, unanswered, so neither censored nor unanswered
    assert rt.loc["1", ["censored", "no_reply_needed", "unanswered", "unaddressed"]].tolist() == [False, True, 0, 2]
    assert pd.isna(rt.loc["1", "first_wait"])
    # 201's remark names no brand either, but the brand answered it: answered
    assert rt.loc["2", "first_response"] == pd.Timedelta("6min") and rt.loc["2", "unaddressed"] == 0
    assert rt.loc["5", ["censored", "unanswered", "unaddressed"]].tolist() == [True, 2, 0]
    t = jm.triage(crc_scores(js))
    assert t.loc[["1", "4"], "status"].tolist() == ["unaddressed"] * 2 and t.loc[["1", "4"], "rank"].isna().all()
    assert t.loc["1", "reason"].startswith("addressed to no brand")
    assert (t["status"] == "waiting").sum() == 4 and t["status"].iloc[-2:].tolist() == ["unaddressed"] * 2
    # 200's two remarks do not count as asking again against each other
    assert t.loc["1", "repetition"] == 0
    brands = jm.service_levels(js, by="brand")
    assert brands.loc["UPSHelp", "unanswered"] == 0  # 200's journey is not one UPS left unanswered


@pytest.mark.filterwarnings("ignore:.*the data holds customer messages only:UserWarning")  # customer messages alone, on purpose
def test_a_remark_then_a_message_to_the_brand_opens_at_the_message() -> None:
    remark = tweet("1", "200", "True", 0, "They reschedule my parcel for tomorrow")
    asks = tweet("2", "200", "True", 50, "@UPSHelp why? I need it today", "1")
    # unanswered: the journey waits from the message to the brand, as triage says
    js = build_journeys(read_twcs(frame(remark, asks)))
    assert js.events["addressed"].tolist() == [False, True]
    rt = jm.response_times(js)
    assert rt.loc["1", ["censored", "no_reply_needed", "unanswered", "unaddressed"]].tolist() == [True, False, 1, 1]
    assert rt.loc["1", "first_wait"] == pd.Timedelta(0)  # from 06:50, the end of the data
    t = jm.triage(crc_scores(js))
    assert t.loc["2", ["status", "rank"]].tolist() == ["waiting", 1] and t.loc["1", "status"] == "unaddressed"
    # before: 0 of 0 known; until 2026-12-06 under "(no reply)", not the brand it was addressed to
    assert jm.service_levels(js, by="brand").loc["UPSHelp", "unanswered"] == 1.0
    # answered 5 minutes after the message to the brand: that is the first response, not 55 minutes
    js = build_journeys(read_twcs(frame(remark, asks, tweet("3", "UPSHelp", "False", 55, "@200 Sorry! ^ML", "2"))))
    rt = jm.response_times(js)
    assert rt.loc["1", "first_response"] == pd.Timedelta("5min")
    assert jm.reply_table(js).loc["3", "first_response"]


def test_a_customers_follow_up_under_a_tweet_the_brand_answered_is_addressed() -> None:
    log = read_twcs(
        frame(
            tweet("1", "200", "True", 0, "my internet has been down all day"),
            tweet("2", "AskBrand", "False", 5, "@200 Sorry, is the light on the router red?", "1"),
            tweet("3", "200", "True", 9, "still down, 3 hours now!!", "1"),  # beside the brand's reply, not below it
        )
    )
    assert log.events["addressed"].tolist() == [True, True, True]
    t = jm.triage(crc_scores(build_journeys(log)))
    assert t.loc["3", "status"] == "waiting"


def test_flags_read_back_from_a_csv_mean_what_they_say(tmp_path: Path) -> None:
    rows = [
        tweet("1", "200", "True", 0, "They reschedule my parcel for tomorrow"),
        tweet("5", "300", "True", 1, "@AskBrand my order is late"),
    ]
    rows[1]["response_tweet_id"] = "6"  # answered outside the data
    path = tmp_path / "events.csv"
    read_twcs(frame(*rows)).events.to_csv(path, index=False)
    js = build_journeys(jm.read_events(path))
    assert js.events[["addressed", "reply_outside_data"]].to_numpy().tolist() == [["False", "False"], ["True", "True"]]
    # before: the string "False" read as True (waiting), and every message as answered outside the data
    t = jm.triage(crc_scores(js)).set_index("journey_id")
    assert t["status"].to_dict() == {"1": "unaddressed", "5": "reply_outside"}
    bad = js.events.assign(addressed=["maybe", "True"])
    with pytest.raises(SchemaError, match=r"column 'addressed' must hold True or False.*'maybe'"):
        jm.response_times(build_journeys(bad))


def test_with_journeys_by_customer_a_brand_answers_only_its_own_thread() -> None:
    log = read_twcs(
        frame(
            tweet("1", "100", "True", 0, "@AppleSupport my phone is broken"),
            tweet("2", "100", "True", 30, "@Tesco my delivery is late"),
            tweet("3", "Tesco", "False", 35, "@100 Sorry about that - Dani", "2"),
        )
    )
    js = build_journeys(log, by="customer")
    assert len(js) == 1
    waits = jm.reply_waits(js)
    assert waits["replied"].tolist() == [False, True]  # Tesco's reply does not answer the message to Apple
    assert waits["wait"].iloc[1] == pd.Timedelta("5min")
    rt = jm.response_times(js).iloc[0]
    assert (rt["censored"], rt["unanswered"], rt["mean_wait"]) == (True, 1, pd.Timedelta("5min"))


def test_a_missing_author_is_a_reject_not_a_crash() -> None:
    rows = [
        tweet("1", "100", "True", 0, "@AskBrand my order is late"),
        tweet("2", "AskBrand", "False", 5, "@100 Sorry! Which order? 1/2", "1"),
        tweet("3", "AskBrand", "False", 6, "@100 DM us please 2/2 ^JB", "2"),
    ]
    rows[1]["author_id"] = None
    log = read_twcs(frame(*rows))
    assert log.rejects["row"].tolist() == [1] and "author_id" in log.rejects["column"].tolist()
    assert log.events["event_id"].tolist() == ["1", "3"]


def test_signatures_before_counters_emoji_and_punctuation() -> None:
    from journeymap.io._social import agent_ids

    texts = pd.Series(
        [
            "@1 Sorry for the wait ^JR (2/2)",
            "@1 Sorry for the wait ^JR [2/2]",
            "@1 Have a great day! ^AB 😊",
            "@1 Thanks! ^AB.",
            "@1 thanks -Becky :)",
            "@1 we're on it -AD https://t.co/a",
            "@1 see you at 10/11 then",
        ]
    )
    got = agent_ids(texts, pd.Series(["Brand"] * len(texts))).tolist()
    assert got[:6] == ["Brand/JR", "Brand/JR", "Brand/AB", "Brand/AB", "Brand/Becky", "Brand/AD"]
    assert pd.isna(got[6])


def test_a_customer_joining_another_customers_thread_opens_with_a_mention() -> None:
    if not TWCS_SAMPLE.exists():
        pytest.skip("../shared/data/twcs_sample is not beside the checkout")
    events = jm.read_twcs(TWCS_SAMPLE).events.set_index("event_id")
    # 105837 and 105859 wrote once each, replying to another customer's tweet ("me too")
    assert events.loc[["119249", "119330"], "touchpoint"].tolist() == ["mention", "mention"]
    assert (events["touchpoint"] == "mention").sum() == 27


def test_tweets_are_read_as_written_not_html_escaped() -> None:
    if not TWCS_SAMPLE.exists():
        pytest.skip("../shared/data/twcs_sample is not beside the checkout")
    raw = pd.read_csv(TWCS_SAMPLE, dtype=str)
    assert raw["text"].str.contains("&amp;|&gt;|&lt;").sum() == 8  # the corpus stores them escaped
    text = jm.read_twcs(TWCS_SAMPLE).events["text"]
    assert not text.str.contains("&amp;|&gt;|&lt;").any() and text.str.contains("&", regex=False).sum() >= 1


def test_in_a_thread_with_two_brands_a_reply_to_one_is_addressed_to_it() -> None:
    # from a review: Amazon's customer was given UPS's brand, and UPS's "DM us" closed a message to Amazon
    rows = [
        tweet("1", "100", "True", 0, "@AmazonHelp @UPSHelp where is my parcel??"),
        tweet("2", "UPSHelp", "False", 5, "@100 @AmazonHelp Sorry! DM us the tracking number ^ML", "1"),
        tweet("3", "AmazonHelp", "False", 20, "@100 Can you share the order details? ^JS", "1"),
        tweet("4", "100", "True", 30, "@AmazonHelp order 123, still nothing, this is useless", "3"),
        tweet("5", "100", "True", 31, "@AmazonHelp hello??", "4"),  # through the customer's own tweet
    ]
    js = crc_scores(build_journeys(read_twcs(frame(*rows))))
    brand = js.events.set_index("event_id")["brand"]
    assert brand.to_dict() == {"1": "UPSHelp", "2": "UPSHelp", "3": "AmazonHelp", "4": "AmazonHelp", "5": "AmazonHelp"}
    status = jm.triage(js)["status"]
    assert status.loc["4"] == "waiting" and status.loc["5"] == "waiting"  # before: "moved" by UPS's request
    # the same brand's own request still moves its conversation
    own = [*rows[:2], tweet("7", "100", "True", 8, "@UPSHelp why do I have to DM, just look at it", "2")]
    assert jm.triage(crc_scores(build_journeys(read_twcs(frame(*own)))))["status"].loc["7"] == "moved"


def test_in_a_thread_with_two_brands_one_brands_reply_does_not_answer_the_other() -> None:
    # from a ground-truth review: BrandB never answered tweet 4, but BrandA's later tweet counted
    rows = [
        tweet("1", "100", "True", 0, "@BrandA @BrandB charged twice"),
        tweet("2", "BrandA", "False", 10, "@100 checking ^AB", "1"),
        tweet("3", "BrandB", "False", 20, "@100 we will look ^CD", "1"),
        tweet("4", "100", "True", 30, "@BrandB it is your card", "3"),
        tweet("5", "BrandA", "False", 40, "@100 order shipped ^AB", "2"),
    ]
    for by in ("thread", "customer"):
        js = build_journeys(read_twcs(frame(*rows)), by=by)
        waits = jm.reply_waits(js)
        assert waits["replied"].tolist() == [True, False], by
        rt = jm.response_times(js).iloc[0]
        assert (rt["unanswered"], rt["max_wait"], rt["first_response"]) == (1, pd.Timedelta("10min"), pd.Timedelta("10min"))


def test_a_reply_outside_the_data_answers_the_messages_still_waiting_before_it() -> None:
    # the customer wrote twice; the brand's reply to the second (tweet 3) is not in the slice
    rows = [
        tweet("1", "100", "True", 0, "@Brand bill wrong"),
        tweet("2", "100", "True", 5, "@Brand hello??", "1"),
        tweet("10", "200", "True", 50, "@Brand other"),
    ]
    rows[0]["response_tweet_id"], rows[1]["response_tweet_id"] = "2", "3"
    js = build_journeys(read_twcs(frame(*rows)))
    assert jm.reply_waits(js)["reply_outside"].tolist() == [True, True, False]
    rt = jm.response_times(js)
    assert rt.loc["1", ["unanswered", "replied_outside", "censored"]].tolist() == [0, 2, False]
    assert pd.isna(rt.loc["1", "first_wait"])
    assert rt.loc["10", ["unanswered", "censored"]].tolist() == [1, True]


def test_a_request_to_move_to_dm_moves_its_thread_not_the_customers_next_case() -> None:
    rows = [
        tweet("1", "100", "True", 0, "@Brand router down"),
        tweet("2", "Brand", "False", 10, "@100 please send us a DM ^AB", "1"),
        tweet("3", "100", "True", 30, "@Brand new issue: bill"),  # a new thread, answered in public
        tweet("4", "Brand", "False", 35, "@100 which month? ^JK", "3"),
        tweet("5", "100", "True", 40, "@Brand October", "4"),
        tweet("6", "100", "True", 45, "@Brand sent", "2"),  # after the request, in its thread
    ]
    for by in ("thread", "customer"):
        rt = jm.response_times(build_journeys(read_twcs(frame(*rows)), by=by))
        assert rt[["unanswered", "moved"]].sum().to_dict() == {"unanswered": 1, "moved": 1}, by


def test_a_brand_reply_to_a_tweet_answers_it_whichever_brand_it_was_addressed_to() -> None:
    # from a code review of the two-brand rule: B replies straight to a tweet that answers A's
    rows = [
        tweet("1", "100", "True", 0, "@A my order is late"),
        tweet("2", "A", "False", 10, "@100 sorry, checking ^JB", "1"),
        tweet("3", "100", "True", 20, "@A still nothing. @B can you help?", "2"),
        tweet("4", "B", "False", 50, "@100 it's at the depot", "3"),
    ]
    js = build_journeys(read_twcs(frame(*rows)))
    waits = jm.reply_waits(js)
    assert waits["replied"].tolist() == [True, True] and waits["wait"].iloc[1] == pd.Timedelta("30min")
    assert jm.response_times(js).iloc[0]["unanswered"] == 0


def test_a_message_of_no_known_brand_is_answered_by_the_next_reply_in_its_thread() -> None:
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4"],
            "customer_id": "c1",
            "timestamp": pd.date_range("2024-01-01", periods=4, freq="10min", tz="UTC"),
            "actor": ["customer", "agent", "customer", "agent"],
            "text": ["late", "looking", "?", "found it"],
            "thread_id": "T1",
            "brand": ["A", "A", None, "B"],
        }
    )
    waits = jm.reply_waits(build_journeys(events, by="customer"))
    assert waits["replied"].tolist() == [True, True] and waits["wait"].tolist() == [pd.Timedelta("10min")] * 2


def test_a_dm_request_without_a_thread_moves_the_journeys_threads() -> None:
    # a loose row (no thread_id) is in every conversation of its journey, a DM request too
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4"],
            "customer_id": "c1",
            "timestamp": pd.date_range("2024-01-01", periods=4, freq="10min", tz="UTC"),
            "actor": ["customer", "agent", "customer", "customer"],
            "channel": "twitter",
            "touchpoint": ["mention", "dm_request", "follow_up", "follow_up"],
            "text": ["late", "please DM us", "sent!", "hello?"],
            "thread_id": ["T1", None, "T1", "T1"],
        }
    )
    rt = jm.response_times(build_journeys(events, by="customer"))
    assert rt[["unanswered", "moved"]].iloc[0].tolist() == [0, 2]


def test_a_malformed_csv_row_is_a_reject_not_the_end_of_the_corpus(tmp_path: Path) -> None:
    # from a CLI review: one short row in a 44k-tweet file stopped read_twcs (and `journeymap map`)
    lines = [
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n",
        '1,100,True,Wed Oct 11 06:55:44 +0000 2017,"@AskBrand my bill, again",2,\n',
        "999,100,True,Wed Oct 11 06:56:44 +0000 2017\n",  # four fields of seven
        '2,AskBrand,False,Wed Oct 11 07:05:44 +0000 2017,"@100 sorry! ^JB",,1\n',
    ]
    path = tmp_path / "twcs.csv"
    path.write_text("".join(lines))
    log = read_twcs(path)
    assert log.events["event_id"].tolist() == ["1", "2"]
    assert log.rejects[["row", "reason"]].values.tolist() == [[1, "4 fields where the header has 7 (line 3 of the file)"]]
    with pytest.raises(jm.SchemaError, match=r"row 1: 4 fields where the header has 7 \(line 3 of the file\)"):
        read_twcs(path, on_error="raise")


def test_drop_off_leaves_out_ends_the_data_does_not_show() -> None:
    # four one-tweet journeys, all the variant "mention": the TWCS sample's three such journeys
    # (two answered outside the sample, one addressed to no brand) read drop_off 1.0
    rows = [
        tweet("1", "100", "True", 0, "@AskBrand my order is late"),  # answered outside the data
        tweet("2", "200", "True", 1, "They reschedule my parcel for tomorrow"),  # addressed to no brand
        tweet("3", "300", "True", 2, "@AskBrand my card was declined"),  # waiting: dropped
        tweet("4", "400", "True", 3, "@AskBrand love the new app!"),  # positive: not dropped
    ]
    rows[0]["response_tweet_id"] = "9"
    js = build_journeys(read_twcs(frame(*rows)))
    e = crc_scores(js).events
    e["valence"] = np.array([-0.7, -0.8, -0.6, 0.9], dtype=np.float32)
    e["sentiment"] = pd.array(["negative", "negative", "negative", "positive"], dtype="string")
    scored = js.with_events(e)
    assert jm.triage(scored).set_index("journey_id")["status"].to_dict() == {
        "3": "waiting", "1": "reply_outside", "2": "unaddressed", "4": "waiting",
    }  # fmt: skip
    variants = jm.journey_variants(scored)
    assert variants.loc["mention", "journeys"] == 4
    assert variants.loc["mention", "drop_off"] == 0.5  # 1 of the 2 whose end the data shows; before: 3 of 4


def test_trends_count_a_journey_in_the_period_of_its_opening_message() -> None:
    remark = tweet("1", "200", "True", 0, "They reschedule my parcel again")
    remark["created_at"] = "Tue Oct 10 23:50:00 +0000 2017"  # the day before
    asks = tweet("2", "200", "True", 5, "@UPSHelp why? I need it today", "1")
    answer = tweet("3", "UPSHelp", "False", 9, "@200 Sorry! ^ML", "2")
    daily = jm.trends(build_journeys(read_twcs(frame(remark, asks, answer))), freq="D", tz="UTC")
    # the journey opens at "@UPSHelp why?" on the 11th, answered in 4 minutes (before: counted on the 10th)
    assert daily["journeys"].tolist() == [0, 1]
    assert daily["first_response_median"].iloc[1] == pd.Timedelta("4min")
