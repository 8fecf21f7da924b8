"""Fixes of the thirteenth session (2026-12-06), each with a test that fails without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeymap.emotions.cache import CACHE_REVISION, scorer_key
from journeymap.emotions.normalize import decode_escapes, normalize_text
from journeymap.topics._text import clean_text

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # what Twitter's API and web exports write: "&" "<" ">" escaped
        ("love you guys &lt;3", "love you guys red heart"),
        ("&gt;:( no refund", "angry face no refund"),
        ("fees &amp; charges", "fees & charges"),
        ("twice escaped &amp;lt;3", "twice escaped red heart"),
        ("it&#39;s &quot;fine&quot;", 'it\'s "fine"'),
        # text encoded twice as JSON (TweetEval's older tweets hold 206 such lines in 2,000)
        (r"don\u2019t\u002c really", "don’t, really"),
        (r"so angry \ud83d\ude21", "so angry enraged face"),
        # not references: kept as the customer typed them
        ("AT&T Q&A I&nothing &times up", "AT&T Q&A I&nothing &times up"),
        (r"a lone \ud83d stays", r"a lone \ud83d stays"),
    ],
)
def test_normalize_text_decodes_escapes(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected
    assert normalize_text(expected) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("&amp;ltg#x12\\u0d8e3:( <")), max_size=40))
def test_normalize_text_is_idempotent_on_escape_soup(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert decode_escapes(decode_escapes(text)) == decode_escapes(text)


def test_topic_cleaning_decodes_only_references() -> None:
    # html.unescape read "I&nothing" as "I¬hing" and "&times" as "×", and decoded one level only
    assert clean_text("@Brand I&nothing &times up &amp;amp; more") == "I&nothing &times up & more"
    assert clean_text(r"@Brand can\u2019t log in") == "can’t log in"


def test_cache_revision_moves_with_the_normalisation() -> None:
    # scores cached before escapes were decoded are not read back for the same scorer id
    assert CACHE_REVISION >= 3
    assert scorer_key("journeymap.default.v2+onnx") == f"journeymap.default.v2+onnx#r{CACHE_REVISION}"


def test_default_scorer_reads_a_heart_written_as_a_reference() -> None:
    from journeymap.emotions.default import DefaultScorer

    scorer = DefaultScorer(precision="float32", backend="torch")
    escaped, plain = scorer.score(["thank you so much &lt;3", "thank you so much <3"])
    np.testing.assert_allclose(escaped, plain, atol=1e-5)


@pytest.mark.filterwarnings("ignore:.*the data holds customer messages only:UserWarning")  # customer messages alone, on purpose
def test_hourly_trends_keep_the_repeated_hour_apart() -> None:
    import pandas as pd

    import journeymap as jm
    from tests.test_review_fixes import hand_scored

    # 00:00-02:00 UTC on 2024-10-27 is 01:00-02:00 London twice: BST, then GMT
    ts = pd.DatetimeIndex(["2024-10-26 23:10", "2024-10-27 00:10", "2024-10-27 00:20", "2024-10-27 01:40", "2024-10-27 03:00"])
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(5)],
            "customer_id": [f"c{i}" for i in range(5)],
            "timestamp": ts.tz_localize("UTC"),
            "actor": "customer",
            "valence": [0.1, -0.5, -0.7, 0.9, 0.0],
        }
    )
    hourly = jm.trends(hand_scored(events), freq="h", tz="Europe/London")
    got = dict(zip(hourly.index.strftime("%H:%M%z"), hourly["volume"]))
    # before: one period "01:00+0100" of 3 messages, and the next period 2 hours later
    assert got == {"00:00+0100": 1, "01:00+0100": 2, "01:00+0000": 1, "02:00+0000": 0, "03:00+0000": 1}
    assert hourly.loc[hourly.index[1], "mean_valence"] == pytest.approx(-0.6)
    assert (np.diff(hourly.index.asi8) == 3_600 * 10**9).all()  # every period one real hour
    daily = jm.trends(hand_scored(events), freq="D", tz="Europe/London")
    assert daily["volume"].tolist() == [5]  # a day is a date: both passes in it (00:10 BST is the 27th)


def test_read_events_reads_a_scored_csv_s_score_columns_as_numbers(tmp_path: Path) -> None:

    import journeymap as jm

    path = tmp_path / "scored.csv"
    path.write_text(
        "event_id,customer_id,timestamp,actor,text,valence,emo_anger,irony,sentiment\n"
        "e1,c1,2026-01-01T10:00Z,customer,late again,-0.75,0.80,0.1,negative\n"
        "e2,c1,2026-01-01T10:05Z,agent,sorry,,,,\n"
        "e3,c1,2026-01-01T10:09Z,customer,ok thanks,0.5,0.01,0.2,positive\n"
        "e4,c2,2026-01-01T11:00Z,customer,hmm,abc,0.2,0.3,neutral\n"
        "e5,c2,2026-01-01T11:01Z,customer,what,1.5,1.2,nan,neutral\n",
        encoding="utf-8",
    )
    log = jm.read_events(path)
    events = log.events
    for column in ("valence", "emo_anger", "irony"):
        assert events[column].dtype == "float64", column  # before: str, which with_events refused
    assert events["valence"].tolist()[:3] == [-0.75, pytest.approx(np.nan, nan_ok=True), 0.5]
    assert np.isnan(events["valence"].iloc[3]) and events["valence"].iloc[4] == 1.5  # the analytics refuse 1.5, naming it
    assert np.isnan(events["irony"].iloc[4]) and events["emo_anger"].iloc[4] == 1.2
    assert len(events) == 5 and log.rejects.empty  # every event kept; the bad cell read as unscored
    noted = log.warnings[["row", "column", "reason"]].values.tolist()
    assert noted == [[3, "valence", "valence is not a number: read as unscored"]]
    js = jm.build_journeys(log, by="customer")
    assert js.with_events(js.events).events["valence"].dtype == "float64"


def test_brands_keep_the_accounts_the_service_analytics_read() -> None:
    import pandas as pd

    import journeymap as jm

    # a social export: the author of each post, no role, no brand column
    posts = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "author": ["ann", "Tesco", "bob", "UPSHelp"],
            "at": pd.to_datetime(["2026-01-05 10:00", "2026-01-05 10:05", "2026-01-05 11:00", "2026-01-05 11:10"], utc=True),
            "conversation": [1, 1, 3, 3],
            "reply_to": [None, 1, None, 3],
        }
    )
    log = jm.read_events(
        posts,
        columns={
            "id": "event_id",
            "author": "customer_id",
            "at": "timestamp",
            "conversation": "thread_id",
            "reply_to": "in_reply_to",
        },
        brands=["tesco", "@upshelp"],
    )
    # since 2026-12-06 a customer's post is the brand's that answered its thread, as read_twcs reads it (was NA)
    assert log.events["brand"].tolist() == ["Tesco", "Tesco", "UPSHelp", "UPSHelp"]
    js = jm.build_journeys(log)
    assert js.events["customer_id"].tolist() == ["ann", "ann", "bob", "bob"]  # replies filed under their customers
    # before: SchemaError "service_levels(by='brand') needs a brand or author_id column"
    levels = jm.service_levels(js, by="brand")
    medians = levels["first_response_median"].dropna().to_dict()
    assert medians == {"Tesco": pd.Timedelta("5min"), "UPSHelp": pd.Timedelta("10min")}


def test_asking_and_trying_verbs_name_no_topic() -> None:
    from journeymap.topics._describe import english_stop_words

    # a TWCS topic was named "let problem" (from "let me know", "tried everything")
    words = set(english_stop_words())
    assert {"let", "know", "hope", "tried", "trying", "using", "getting"} <= words
    assert not {"problem", "refund", "card", "delivery"} & words


def _x_api_posts() -> pd.DataFrame:
    import pandas as pd

    # the X API (v2) names a post's parent in referenced_tweets; ann and bob both write to Tesco in one conversation
    return pd.DataFrame(
        {
            "id": ["1", "2", "3", "4", "5"],
            "username": ["ann", "bob", "Tesco", "Tesco", "carl"],
            "created_at": [
                "2026-01-05T10:00:00Z",
                "2026-01-05T10:02:00Z",
                "2026-01-05T10:30:00Z",
                "2026-01-05T10:40:00Z",
                "2026-01-05T11:00:00Z",
            ],
            "conversation_id": ["1", "1", "1", "1", "5"],
            "referenced_tweets": [
                None,
                [{"type": "replied_to", "id": "1"}],
                [{"type": "replied_to", "id": "2"}],  # Tesco answers bob
                [{"type": "quoted", "id": "1"}, {"type": "replied_to", "id": "1"}],  # then ann
                [{"type": "quoted", "id": "3"}],  # a quote is no reply
            ],
        }
    )


X_API_COLUMNS = {
    "id": "event_id",
    "username": "customer_id",
    "created_at": "timestamp",
    "conversation_id": "thread_id",
    "referenced_tweets": "in_reply_to",
}


def test_the_x_api_s_referenced_tweets_are_read_as_reply_links() -> None:
    import journeymap as jm

    # before: every reply rejected, "wrong type: expected a string or integer id"
    log = jm.read_events(_x_api_posts(), columns=X_API_COLUMNS, brands=["Tesco"])
    assert log.rejects.empty
    assert log.events["in_reply_to"].isna().tolist() == [True, False, False, False, True]
    assert log.events["in_reply_to"].dropna().tolist() == ["1", "2", "1"]
    js = jm.build_journeys(log)
    filed = dict(zip(js.events["event_id"], js.events["customer_id"]))
    assert filed["3"] == "bob" and filed["4"] == "ann"


def test_brands_are_judged_on_the_input_rows_not_the_rows_kept(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    import journeymap as jm

    posts = _x_api_posts()
    posts.loc[posts["username"] == "Tesco", "created_at"] = "not a time"  # both brand rows rejected
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        log = jm.read_events(posts, columns=X_API_COLUMNS, brands=["Tesco"], on_error="collect")
    assert len(log.rejects) == 2
    # before: "brands=['tesco'] matches no account in column 'username' ...: give the accounts as that column writes them"
    assert not any("matches no account" in r.getMessage() for r in caplog.records)


def test_brand_rows_without_reply_links_in_shared_threads_are_said(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    import journeymap as jm

    posts = _x_api_posts().drop(columns="referenced_tweets")
    columns = {k: v for k, v in X_API_COLUMNS.items() if k != "referenced_tweets"}
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        js = jm.build_journeys(jm.read_events(posts, columns=columns, brands=["Tesco"]))
    said = [r.getMessage() for r in caplog.records if "no reply link" in r.getMessage()]
    assert said == [said[0]] and said[0].startswith("2 brand messages in 1 threads with several customers")
    assert set(js.events.loc[js.events["actor"] == "agent", "customer_id"]) == {"ann"}  # the guess it names


def test_named_references_and_a_broken_emoji_s_neighbours_are_decoded() -> None:
    # a review of the first version: html.unescape (the topic cleaning's before) read &rsquo;, &eacute;,
    # &hellip;, and one lone surrogate left its whole run of escapes undecoded
    assert decode_escapes("it&rsquo;s caf&eacute; &hellip; &mdash;") == "it’s café … —"
    assert decode_escapes(r"caf\u00e9\ud83d\ude21\ud83d") == "café😡\\ud83d"
    assert clean_text("@Brand it&rsquo;s broken") == "it’s broken"
    assert decode_escapes("&notaname; &times up") == "&notaname; &times up"


def _chat() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4"],
            "customer_id": ["ann", "Tesco", "bob", "Tesco"],
            "actor": ["customer", "agent", "customer", "agent"],
            "timestamp": pd.date_range("2026-01-01", periods=4, freq="h", tz="UTC"),
            "in_reply_to": [None, "1", None, "3"],
        }
    )


def test_the_dask_build_by_customer_gathers_the_input_once() -> None:
    from dask.callbacks import Callback

    import journeymap.distributed as jmd

    passes = []

    class Count(Callback):  # type: ignore[misc]
        def _start(self, dsk: object) -> None:
            passes.append(dsk)

    log = jmd.read_events(_chat(), npartitions=2, on_error="collect")
    with Count():
        built = jmd.build_journeys(log, by="customer")
    assert len(passes) == 1  # before: 2 (the reply depths' ids, then the owners' ids again)
    assert built.compute().events["customer_id"].tolist() == ["ann", "ann", "bob", "bob"]


def test_the_by_customer_warning_points_at_the_caller() -> None:
    import journeymap as jm

    chat = _chat().drop(columns="in_reply_to")
    with pytest.warns(UserWarning, match="no customer message has") as caught:
        jm.build_journeys(chat, by="customer")
    assert caught[0].filename == __file__  # before: journeymap/backends.py


def test_a_stop_words_text_other_than_english_is_an_error() -> None:
    from journeymap.exceptions import InvalidArgumentError
    from journeymap.topics._describe import CTfidfDescriber

    texts = ["my card has not arrived", "card still not arrived", "refund my money", "refund still pending"]
    labels = np.array([0, 0, 1, 1])
    # before: "English" was read as the letters E, n, g, ... and the stop words were silently off
    with pytest.raises(InvalidArgumentError, match="stop_words must be 'english'"):
        CTfidfDescriber(stop_words="English").keywords(texts, labels, 2)
    assert "not" not in CTfidfDescriber().keywords(texts, labels, 2)[0]
    assert CTfidfDescriber(stop_words=["card"]).keywords(texts, labels, 2)[0][0] != "card"


def test_the_dask_reader_says_a_score_that_is_no_number(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    import journeymap.distributed as jmd

    path = tmp_path / "scored.csv"
    path.write_text(
        "event_id,customer_id,timestamp,actor,valence\ne1,c1,2026-01-01T10:00Z,customer,-0.5\ne2,c1,2026-01-01T10:05Z,customer,abc\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        log = jmd.read_events(str(path)).compute()
    assert log.events["valence"].isna().tolist() == [False, True]
    # before: the cell became NaN without a word on the cluster path
    assert any("kept with a caveat: 1 x valence is not a number" in r.getMessage() for r in caplog.records)


def test_brands_given_as_numeric_ids_keep_every_digit() -> None:
    import pandas as pd

    import journeymap as jm

    big = 1234567890123456789  # an X API author_id: a float64 would read 1234567890123456768
    posts = pd.DataFrame(
        {
            "id": [1, 2],
            "author_id": [42, big],
            "created_at": pd.to_datetime(["2026-01-05 10:00", "2026-01-05 10:05"], utc=True),
            "reply_to": [None, 1],
        }
    )
    log = jm.read_events(
        posts, columns={"id": "event_id", "author_id": "customer_id", "created_at": "timestamp", "reply_to": "in_reply_to"},
        brands=[big],
    )  # fmt: skip
    assert log.events["brand"].tolist()[1] == str(big)  # before: 1.2345678901234568e+18
    levels = jm.service_levels(jm.build_journeys(log), by="brand")
    assert str(big) in levels.index


def test_a_split_x_api_reply_is_signed_as_one() -> None:
    import pandas as pd

    import journeymap as jm

    posts = pd.DataFrame(
        {
            "id": ["1", "2", "3"],
            "username": ["ann", "British_Airways", "British_Airways"],
            "created_at": pd.date_range("2024-01-01", periods=3, freq="min", tz="UTC"),
            "text": ["@British_Airways my bag?", "@ann Sorry to hear that 1/2", "@ann please DM us the tag 2/2 ^JR"],
            "referenced_tweets": [None, [{"type": "replied_to", "id": "1"}], [{"type": "replied_to", "id": "2"}]],
        }
    )
    columns = {"id": "event_id", "username": "customer_id", "created_at": "timestamp", "referenced_tweets": "in_reply_to"}
    log = jm.read_events(posts, columns=columns, brands=["British_Airways"])
    # before: the first part stayed unsigned: the split parts were linked only by a plain in_reply_to
    assert log.events["agent_id"].tolist()[1:] == ["British_Airways/JR", "British_Airways/JR"]


def test_fuzzed_reply_cells_and_faces_touching_handles() -> None:
    import pandas as pd

    import journeymap as jm
    import journeymap.distributed as jmd

    # a fuzz review: a lone [["1"]] cell was unpacked into a valid reply to "1", and a 0-d array crashed
    rows = pd.DataFrame(
        {
            "event_id": ["1", "2", "3"],
            "customer_id": ["a", "a", "a"],
            "timestamp": pd.date_range("2024-01-01", periods=3, freq="min", tz="UTC"),
            "in_reply_to": pd.Series([None, [["1"]], np.array(5)], dtype=object),
        }
    )
    log = jm.read_events(rows, on_error="collect")
    assert sorted(log.rejects["row"].tolist()) == [1, 2] and log.events["event_id"].tolist() == ["1"]
    # the cluster reader checks X API replies as the single-machine one does: a self-reply is rejected
    posts = pd.DataFrame(
        {
            "event_id": ["1", "2"],
            "customer_id": ["a", "a"],
            "timestamp": pd.date_range("2024-01-01", periods=2, freq="min", tz="UTC"),
            "in_reply_to": pd.Series([None, [{"type": "replied_to", "id": "2"}]], dtype=object),
        }
    )
    single = jm.read_events(posts, on_error="collect")
    cluster = jmd.read_events(posts, npartitions=2, on_error="collect").compute()
    assert single.rejects["row"].tolist() == cluster.rejects["row"].tolist() == [1]
    # idempotent: a face touching a handle, an 8-digit reference
    for text in ("<3@bob", "xD@bob", "&#11111111;"):
        once = normalize_text(text)
        assert normalize_text(once) == once, text


def test_a_brand_spelt_two_ways_is_one_brand_in_any_row_order() -> None:
    import pandas as pd

    import journeymap as jm

    # reviews: the first brand row in input order set the spelling (row order changed the column),
    # "Tesco" and "@tesco" rows were two brands and two agents, and a float id column read 115.0
    posts = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "author": ["@tesco", "Tesco", "Tesco", "ann", "115"],
            "author_num": [1.0, 2.0, 3.0, np.nan, 115.0],
            "at": pd.date_range("2024-01-01", periods=5, freq="min", tz="UTC"),
            "text": ["Sorry! ^AB", "Hi ^AB", "Done ^AB", "@TESCO hello", "@Tesco where is my order"],
        }
    )
    columns = {"id": "event_id", "author": "customer_id", "at": "timestamp"}
    seen = []
    for rows in (posts, posts.iloc[::-1]):
        events = jm.read_events(rows.drop(columns="author_num"), columns=columns, brands=["TESCO"], on_error="collect").events
        events = events.set_index("event_id").sort_index()
        seen.append(events[["brand", "agent_id"]].astype(object).where(events[["brand", "agent_id"]].notna(), None))
    pd.testing.assert_frame_equal(seen[0], seen[1])
    assert set(seen[0]["brand"].dropna()) == {"Tesco"} and set(seen[0]["agent_id"].dropna()) == {"Tesco/AB"}
    numeric_columns = {"id": "event_id", "author_num": "customer_id", "at": "timestamp"}
    numeric = jm.read_events(posts.drop(columns="author"), columns=numeric_columns, brands=[1, 2, 3], on_error="collect").events
    assert "115" in numeric["author_id"].tolist() and "115.0" not in numeric["author_id"].astype(str).tolist()
