"""Brand accounts of generic exports vs read_twcs (second review of generic social exports, defects 3, 4 and 5).

Each test fails without its fix.

3. A customer answered only by the brand's auto-reply belongs to that brand, not to "(no reply)":
   ``brands=`` writes ``brand`` on a customer's row that @mentions a brand account, and
   ``service_levels(by="brand")`` falls back to the brand of a conversation's automatic replies.
4. With ``author_id`` and no ``brand`` column, a second brand answering the same customer keeps
   the journey: the per-brand split reads ``author_id`` on the brand's rows.
5. The agent league of an X API export read with ``brands=`` names the accounts the user gave
   (``brand`` before the numeric ``author_id``) and the agents who signed (``^RR``, ``- Paige``).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import journeymap as jm
from journeymap.analytics._replies import account_of

T0 = pd.Timestamp("2017-10-11 09:00", tz="UTC")
ACK = "Thanks for contacting us, we will get back to you shortly."
X_COLUMNS = {
    "id": "event_id",
    "username": "customer_id",
    "at": "timestamp",
    "reply_to": "in_reply_to",
    "conversation": "thread_id",
}
TABLE = ["replies", "automatic", "journeys", "journeys_replied", "first_response_median", "within_sla", "unanswered"]


def _at(minutes: float) -> str:
    return (T0 + pd.Timedelta(minutes=minutes)).isoformat()


def _x_export() -> pd.DataFrame:
    """A flattened X API export: the numeric ``author_id`` beside the ``username``, no role column.

    AmazonHelp acknowledges each customer within 15 s with the same text (automatic), then a
    person answers ann (signed ^RR) and bob (a reply split over two posts, signed on the second
    only); cat gets the acknowledgement alone.
    """
    rows = [
        ("1", "501", "ann", 0, None, "1", "@AmazonHelp where is my parcel?"),
        ("2", "9001", "AmazonHelp", 0.25, "1", "1", f"@ann {ACK}"),
        ("3", "9001", "AmazonHelp", 120, "1", "1", "@ann It is on its way now. ^RR"),
        ("4", "502", "bob", 10, None, "4", "@amazonhelp where is my refund?"),
        ("5", "9001", "AmazonHelp", 10.25, "4", "4", f"@bob {ACK}"),
        ("6", "9001", "AmazonHelp", 130, "4", "4", "@bob The refund was sent today. 1/2"),
        ("7", "9001", "AmazonHelp", 131, "6", "4", "@bob It takes three days to show. 2/2 - Paige"),
        ("8", "503", "cat", 20, None, "8", "@AmazonHelp hello?? my order never came"),
        ("9", "9001", "AmazonHelp", 20.25, "8", "8", f"@cat {ACK}"),
    ]
    frame = pd.DataFrame(rows, columns=["id", "author_id", "username", "at", "reply_to", "conversation", "text"])
    frame["at"] = frame["at"].map(_at)
    return frame


def _as_twcs(frame: pd.DataFrame) -> pd.DataFrame:
    """The same posts in the TWCS format, for read_twcs."""
    return pd.DataFrame(
        {
            "tweet_id": frame["id"],
            "author_id": frame["username"],
            "inbound": frame["username"] != "AmazonHelp",
            "created_at": frame["at"],
            "text": frame["text"],
            "in_response_to_tweet_id": frame["reply_to"],
        }
    )


def _levels(js: jm.JourneySet, by: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # too few journeys for intervals
        return jm.service_levels(js, by=by)[TABLE]


def _x_journeys() -> jm.JourneySet:
    return jm.build_journeys(jm.read_events(_x_export(), columns=X_COLUMNS, brands=["AmazonHelp"]))


# --------------------------------------------------------------------------- 3a: a customer's @brand


def test_brands_write_the_mentioned_brand_on_customer_rows_spelt_as_the_account() -> None:
    events = jm.read_events(_x_export(), columns=X_COLUMNS, brands=["@amazonhelp"]).events.set_index("event_id")
    # "@amazonhelp" (bob) is the account AmazonHelp, as its own rows spell it
    assert events.loc[["1", "4", "8"], "brand"].tolist() == ["AmazonHelp"] * 3
    assert events.loc[["2", "3"], "brand"].tolist() == ["AmazonHelp"] * 2


def test_the_first_mentioned_brand_whole_handles_only() -> None:
    frame = pd.DataFrame(
        {
            "author": ["ann", "bob", "cat", "dan", "Tesco", "BA"],
            "at": [_at(i) for i in range(6)],
            "text": ["@115 ask @ba and @Tesco", "@Tesco_UK hi", "mail me: joe@tesco.com", "@40000 hi", "@ann hi", "@bob hi"],
        }
    )
    events = jm.read_events(frame, columns={"author": "customer_id", "at": "timestamp"}, brands=["Tesco", "BA", 40000]).events
    # the first brand named (spelt as its rows spell it); @Tesco_UK and an e-mail name no brand; a numeric id is no handle
    assert events["brand"].astype(object).where(events["brand"].notna(), None).tolist() == ["BA", None, None, None, "Tesco", "BA"]


def test_an_input_brand_column_is_kept_and_the_signatures_read() -> None:
    frame = _x_export().assign(profile="Amazon")
    events = jm.read_events(frame, columns={**X_COLUMNS, "profile": "brand"}, brands=["AmazonHelp"]).events
    assert set(events["brand"]) == {"Amazon"}
    assert events.set_index("event_id").loc["3", "agent_id"] == "AmazonHelp/RR"


# --------------------------------------------------------------------------- 3: the auto-reply's brand owns the journey


def test_a_customer_answered_only_by_the_auto_reply_counts_for_the_brand() -> None:
    league = _levels(_x_journeys(), "brand")
    assert league.index.tolist() == ["AmazonHelp"]  # no "(no reply)": cat wrote to AmazonHelp
    assert league.loc["AmazonHelp", "journeys"] == 3
    assert league.loc["AmazonHelp", "automatic"] == 3
    assert league.loc["AmazonHelp", "unanswered"] == pytest.approx(1 / 3)


def test_the_brand_league_equals_read_twcs() -> None:
    twcs = jm.build_journeys(jm.read_twcs(_as_twcs(_x_export())))
    pd.testing.assert_frame_equal(_levels(_x_journeys(), "brand"), _levels(twcs, "brand"))


def _chat_bot_only() -> pd.DataFrame:
    """A chat export with a role and an author column, no brand: cat hears only from the bot."""
    return pd.DataFrame(
        {
            "id": ["1", "2", "3", "4", "5"],
            "contact": ["ann", "ann", "ann", "cat", "cat"],
            "author": ["ann", "AmazonHelp", "AmazonHelp", "cat", "AmazonHelp"],
            "role": ["customer", "bot", "agent", "customer", "bot"],
            "at": [_at(m) for m in (0, 0.25, 30, 60, 60.25)],
            "reply_to": [None, "1", "1", None, "4"],
            "thread": ["a", "a", "a", "c", "c"],
            "text": ["where is my parcel?", ACK, "It is on its way.", "my order never came", ACK],
        }
    )


CHAT_COLUMNS = {
    "id": "event_id",
    "contact": "customer_id",
    "author": "author_id",
    "role": "actor",
    "at": "timestamp",
    "reply_to": "in_reply_to",
    "thread": "thread_id",
}


def test_service_levels_falls_back_to_the_brand_of_the_automatic_replies() -> None:
    js = jm.build_journeys(jm.read_events(_chat_bot_only(), columns=CHAT_COLUMNS))
    league = _levels(js, "brand")
    assert league.index.tolist() == ["AmazonHelp"]
    assert league.loc["AmazonHelp", ["journeys", "journeys_replied"]].tolist() == [2, 1]
    assert league.loc["AmazonHelp", "unanswered"] == pytest.approx(0.5)
    # a bot is no agent: by agent, cat's journey is still nobody's
    assert _levels(js, "agent").loc["(no reply)", "journeys"] == 1


# --------------------------------------------------------------------------- 4: two brands, author_id only


def _two_brands() -> pd.DataFrame:
    """One customer writes to Tesco and VirginTrains in one thread: Tesco answers in 10 min, VirginTrains in 30 and 55."""
    return pd.DataFrame(
        {
            "id": ["1", "2", "3", "4", "5"],
            "contact": ["900"] * 5,
            "author": ["900", "Tesco", "VirginTrains", "900", "VirginTrains"],
            "role": ["customer", "agent", "agent", "customer", "agent"],
            "at": [_at(m) for m in (0, 10, 30, 40, 55)],
            "reply_to": [None, "1", "1", "3", "4"],
            "thread": ["t"] * 5,
            "text": [
                "@Tesco @VirginTrains my train was late and my shopping never came",
                "Sorry about your shopping, DM us",
                "Sorry about the delay, which train?",
                "The 9:05 from Euston",
                "Thanks, a refund is on its way",
            ],
        }
    )


def test_a_second_brand_keeps_the_journey_with_author_id_only() -> None:
    js = jm.build_journeys(jm.read_events(_two_brands(), columns=CHAT_COLUMNS))
    league = _levels(js, "brand")
    assert league.loc["VirginTrains", ["journeys", "journeys_replied"]].tolist() == [1, 1]
    assert league.loc["VirginTrains", "first_response_median"] == pd.Timedelta(minutes=30)
    assert league.loc["Tesco", "first_response_median"] == pd.Timedelta(minutes=10)
    # as the same posts read with brands= (a social export: the author is the account)
    social = _two_brands().drop(columns=["contact", "role"])
    columns = {k: v for k, v in CHAT_COLUMNS.items() if k not in ("contact", "role")} | {"author": "customer_id"}
    branded = jm.build_journeys(jm.read_events(social, columns=columns, brands=["Tesco", "VirginTrains"]))
    pd.testing.assert_frame_equal(league, _levels(branded, "brand"))


# --------------------------------------------------------------------------- 5: the agent league


def test_the_agent_league_names_the_handles_and_the_signatures() -> None:
    js = _x_journeys()
    league = _levels(js, "agent")
    assert {"AmazonHelp/RR", "AmazonHelp/Paige"} <= set(league.index)
    assert not any(str(agent).startswith("9001") for agent in league.index)  # not the export's numeric author_id
    # the split reply's unsigned first part is Paige's, as read_twcs reads it
    assert js.events.set_index("event_id").loc[["6", "7"], "agent_id"].tolist() == ["AmazonHelp/Paige"] * 2
    twcs = jm.build_journeys(jm.read_twcs(_as_twcs(_x_export())))
    pd.testing.assert_frame_equal(league, _levels(twcs, "agent"))


def test_reply_table_shows_the_brand_account() -> None:
    assert set(jm.reply_table(_x_journeys())["account"]) == {"AmazonHelp"}


def test_account_of_prefers_brand_over_author_id() -> None:
    events = pd.DataFrame({"author_id": ["9001", "9001", "501"], "brand": ["AmazonHelp", None, None]})
    assert account_of(events).tolist() == ["AmazonHelp", "9001", "501"]


def test_an_input_agent_id_column_is_kept_and_the_customers_brand_read() -> None:
    frame = _x_export().assign(agent=lambda f: f["username"].where(f["username"] != "AmazonHelp", "AmazonHelp/desk1"))
    frame["agent"] = frame["agent"].where(frame["username"] == "AmazonHelp")
    events = jm.read_events(frame, columns={**X_COLUMNS, "agent": "agent_id"}, brands=["AmazonHelp"]).events
    assert set(events["agent_id"].dropna()) == {"AmazonHelp/desk1"}
    assert set(events["brand"]) == {"AmazonHelp"}  # the customers' rows too (their @AmazonHelp)
