"""Threads of generic social exports read as read_twcs reads the same tweets (review of generic exports, defects 2-5)."""

from __future__ import annotations

import pandas as pd
import pytest

import journeymap as jm
from journeymap import schema
from journeymap.io import twcs


def frame(rows: list[tuple[str, str, str, str, str | None]], thread: str = "t1") -> pd.DataFrame:
    """Events of one thread: (event_id, customer_id, time, actor, in_reply_to)."""
    return pd.DataFrame(rows, columns=["event_id", "customer_id", "timestamp", "actor", "in_reply_to"]).assign(
        thread_id=thread, text="hi", brand="Acme"
    )


def owners(js: jm.JourneySet) -> dict[str, str]:
    return js.events.set_index("event_id")["customer_id"].to_dict()


# --- defect 2: a second customer's reply is theirs, whatever the brand row's customer_id says ---


def test_a_brand_reply_filed_under_the_first_customer_goes_to_the_customer_it_replies_to() -> None:
    # the readers guide's fill: every brand row carries the thread's first customer, ann
    df = frame(
        [
            ("a1", "ann", "2024-01-01 10:00", "customer", None),
            ("b1", "bob", "2024-01-01 10:05", "customer", "a1"),  # "me too"
            ("r1", "ann", "2024-01-01 10:20", "agent", "b1"),  # the brand answers bob
            ("r2", "ann", "2024-01-01 10:21", "agent", "r1"),  # the second part of that reply
        ]
    )
    js = jm.build_journeys(jm.read_events(df))
    assert owners(js) == {"a1": "ann", "b1": "bob", "r1": "bob", "r2": "bob"}
    rt = jm.response_times(js)
    assert rt.loc["b1", "first_response"] == pd.Timedelta("15min")
    assert pd.isna(rt.loc["a1", "first_response"])
    assert bool(rt.loc["a1", "censored"])
    # a brand row filed under the customer it replies to stays; one without a link keeps its thread customer
    df = frame(
        [
            ("a1", "ann", "2024-01-01 10:00", "customer", None),
            ("b1", "bob", "2024-01-01 10:05", "customer", "a1"),
            ("r1", "ann", "2024-01-01 10:20", "agent", "a1"),
            ("r2", "bob", "2024-01-01 10:30", "agent", None),
        ]
    )
    assert owners(jm.build_journeys(jm.read_events(df))) == {"a1": "ann", "b1": "bob", "r1": "ann", "r2": "bob"}


# --- defect 3: by="customer" does not make a brand account a customer ---


def test_by_customer_gives_brand_rows_filed_under_the_brand_to_the_customer_they_answer() -> None:
    df = pd.concat(
        [
            frame([("a1", "ann", "2024-01-01 10:00", "customer", None), ("r1", "Acme", "2024-01-01 10:20", "agent", "a1")], "t1"),
            frame([("b1", "bob", "2024-01-01 11:00", "customer", None), ("r2", "Acme", "2024-01-01 11:05", "agent", "b1")], "t2"),
        ],
        ignore_index=True,
    )
    js = jm.build_journeys(jm.read_events(df), by="customer")
    assert owners(js) == {"a1": "ann", "r1": "ann", "b1": "bob", "r2": "bob"}
    assert sorted(js.journeys["customer_id"]) == ["ann", "bob"]
    rt = jm.response_times(js)
    assert not rt["censored"].any()
    assert rt["first_response"].tolist() == [pd.Timedelta("20min"), pd.Timedelta("5min")]
    # read_twcs files a broadcast under the brand account: it stays the brand's own, without a warning
    tweets = pd.DataFrame(
        {
            "tweet_id": [1, 2, 3],
            "author_id": ["Acme", "501", "Acme"],
            "inbound": [False, True, False],
            "created_at": ["Wed Oct 11 10:00:00 +0000 2017", "Wed Oct 11 10:05:00 +0000 2017", "Wed Oct 11 10:07:00 +0000 2017"],
            "text": ["Our app is down, we are on it", "@Acme still down here", "@501 back up now"],
            "in_response_to_tweet_id": [None, 1, 2],
        }
    )
    js = jm.build_journeys(jm.read_twcs(tweets), by="customer")  # filterwarnings=error: no warning
    assert owners(js) == {"1": "Acme", "2": "501", "3": "501"}


def test_by_customer_warns_where_nothing_tells_whom_brand_rows_answer() -> None:
    df = frame(
        [
            ("a1", "ann", "2024-01-01 10:00", "customer", None),
            ("r1", "Acme", "2024-01-01 10:20", "agent", None),
            ("r2", "Acme", "2024-01-01 10:30", "agent", None),
        ]
    ).drop(columns=["in_reply_to", "thread_id"])
    log = jm.read_events(df)
    with pytest.warns(
        UserWarning, match=r"2 agent/bot/system rows have a customer_id that no customer message has: 'Acme' \(2 rows\)"
    ):
        js = jm.build_journeys(log, by="customer")
    assert len(js) == 2  # kept as they were: the warning says how to fix it


# --- defect 4: a brand reply to a message outside the data opens the customer's journey there ---


def dangling_opener(author: str) -> pd.DataFrame:
    return frame(
        [
            ("1", author, "2024-01-01 10:00", "agent", "0"),  # answers message 0, outside the data
            ("2", "501", "2024-01-01 15:00", "customer", "1"),
            ("3", author, "2024-01-01 15:07", "agent", "2"),
        ]
    )


def test_a_brand_reply_to_a_message_outside_the_data_is_the_threads_customers() -> None:
    js = jm.build_journeys(jm.read_events(dangling_opener("Acme")))
    assert owners(js) == {"1": "501", "2": "501", "3": "501"}
    assert len(js) == 1
    rt = jm.response_times(js)
    assert bool(rt.loc["1", "opened_outside"])
    assert pd.isna(rt.loc["1", "first_response"])
    levels = jm.service_levels(js, by="brand")
    assert levels.loc["Acme", "replies"] == 2
    assert pd.isna(levels.loc["Acme", "first_response_median"])
    # as when the brand rows carry the customer's id
    same = jm.build_journeys(jm.read_events(dangling_opener("501")))
    pd.testing.assert_frame_equal(jm.response_times(same), rt)


def test_read_events_and_read_twcs_read_the_same_thread_alike() -> None:
    # a dangling brand opener, a second customer joining, the brand answering the second one in two parts
    tweets = pd.DataFrame(
        {
            "tweet_id": [1, 2, 3, 4, 5],
            "author_id": ["Acme", "501", "502", "Acme", "Acme"],
            "inbound": [False, True, True, False, False],
            "created_at": [f"Wed Oct 11 10:0{m}:00 +0000 2017" for m in range(5)],
            "text": ["@501 sorry, looking into it", "@Acme still broken", "@Acme me too", "@502 on it (1/2)", "@502 (2/2)"],
            "in_response_to_tweet_id": [9, 1, 2, 3, 4],
        }
    )
    base = jm.build_journeys(jm.read_twcs(tweets))
    generic = tweets.assign(
        actor=tweets["inbound"].map({True: "customer", False: "agent"}),
        customer_id=["501", "501", "502", "501", "501"],  # brand rows filled with the thread's first customer
        thread_id="1",
        timestamp=pd.date_range("2017-10-11 10:00", periods=5, freq="min", tz="UTC"),
        event_id=tweets["tweet_id"].astype(str),
        in_reply_to=tweets["in_response_to_tweet_id"].astype(str),
    )[["event_id", "customer_id", "actor", "thread_id", "timestamp", "in_reply_to", "text"]]
    js = jm.build_journeys(jm.read_events(generic))
    assert owners(js) == owners(base) == {"1": "501", "2": "501", "3": "502", "4": "502", "5": "502"}
    cols = ["first_response", "opened_outside", "unanswered"]
    expected = jm.response_times(base)[cols].sort_index()
    pd.testing.assert_frame_equal(jm.response_times(js)[cols].sort_index(), expected)


def test_on_a_cluster_brand_rows_go_where_they_go_on_one_machine() -> None:
    pytest.importorskip("dask.dataframe")
    from journeymap.distributed import build_journeys, from_pandas

    df = pd.concat(
        [
            dangling_opener("Acme"),
            frame([("4", "601", "2024-01-02 10:00", "customer", None)], "t2"),
            frame([("5", "Acme", "2024-01-02 10:10", "agent", "4")], "t3"),  # answers a message of another thread
            frame([("6", "701", "2024-01-03 10:00", "customer", None), ("7", "Acme", "2024-01-03 10:05", "agent", "6")], "t4"),
        ],
        ignore_index=True,
    )
    log = jm.read_events(df)
    for by in ("thread", "customer"):
        local = jm.build_journeys(log, by=by)  # type: ignore[arg-type]
        dist = build_journeys(from_pandas(log, npartitions=3), by=by).compute()  # type: ignore[arg-type]
        assert owners(dist) == owners(local), by
        pd.testing.assert_frame_equal(dist.journeys, local.journeys)
    assert owners(local)["1"] == "501"
    assert owners(local)["5"] == "601"  # by="customer": the customer it answers, in whatever thread
    assert owners(jm.build_journeys(log))["5"] == "Acme"  # by="thread": a reply to another thread's message keeps its own


# --- defect 5: "please DM us" moves the conversation, whichever reader read it ---


def test_a_brand_text_asking_for_a_dm_moves_the_conversation_without_a_dm_touchpoint() -> None:
    df = frame(
        [
            ("a1", "ann", "2024-01-01 10:00", "customer", None),
            ("r1", "Acme", "2024-01-01 10:20", "agent", "a1"),
            ("a2", "ann", "2024-01-01 10:30", "customer", "r1"),
        ]
    ).assign(text=["my bill is wrong", "Sorry! Can you please DM us your account number?", "sent"])
    rt = jm.response_times(jm.build_journeys(jm.read_events(df)))
    assert rt.loc["a1", ["unanswered", "moved"]].tolist() == [0, 1]
    # a source that tells DM requests apart (read_twcs' touchpoints) is taken at its word
    marked = df.assign(touchpoint=["mention", "public_reply", "follow_up"])
    rt = jm.response_times(jm.build_journeys(jm.read_events(marked)))
    assert rt.loc["a1", ["unanswered", "moved"]].tolist() == [1, 0]


def test_read_twcs_and_the_analytics_share_one_dm_pattern() -> None:
    assert twcs.DM_PATTERN is getattr(schema, "DM_PATTERN", None)
