"""Recovery ("a negative experience turned positive") on Twitter threads, from a reviewer's hand audit.

Two defects: a second brand's reply to a tweet addressed to two brands took a real recovery
away (the complaint, the reply and the thanks sat in different conversations), and journeys by
customer read recovery per thread, so a thanks in a new tweet recovered nothing while a new,
unanswered complaint the next day left the journey "recovered". Scores are planted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm

if TYPE_CHECKING:
    from pathlib import Path

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id,valence,sentiment\n"

# a complaint to two brands; AcmeCare asks for a DM, BetaHelp answers the complaint, the customer thanks BetaHelp
TWO_BRANDS = """1,2001,True,Wed Oct 11 10:00:00 +0000 2017,@AcmeCare @BetaHelp flight + hotel messed up,"2,3",,-0.8,negative
2,AcmeCare,False,Wed Oct 11 10:10:00 +0000 2017,@2001 please DM us ^A,,1,,
3,BetaHelp,False,Wed Oct 11 10:12:00 +0000 2017,@2001 rebooked you ^B,4,1,,
4,2001,True,Wed Oct 11 10:20:00 +0000 2017,@BetaHelp thanks so much!,,3,0.8,positive
"""

# customer 5002 thanks in a new tweet; customer 3002 recovers, then complains again the next day, unanswered
BY_CUSTOMER = """11,5002,True,Wed Oct 11 10:00:00 +0000 2017,@Acme broken,12,,-0.8,negative
12,Acme,False,Wed Oct 11 10:10:00 +0000 2017,@5002 fixed? ^A,,11,,
13,5002,True,Wed Oct 11 10:30:00 +0000 2017,@Acme all fixed now thank you!,,,0.8,positive
21,3002,True,Wed Oct 11 10:00:00 +0000 2017,@Acme broken,22,,-0.8,negative
22,Acme,False,Wed Oct 11 10:10:00 +0000 2017,@3002 fix ^A,23,21,,
23,3002,True,Wed Oct 11 10:20:00 +0000 2017,@Acme thanks,,22,0.8,positive
24,3002,True,Thu Oct 12 10:00:00 +0000 2017,"@Acme broken again, nobody answers",,,-0.9,negative
"""


def _twcs(tmp_path: Path, rows: str, by: str = "thread") -> jm.JourneySet:
    path = tmp_path / "tweets.csv"
    path.write_text(HEADER + rows)
    return jm.build_journeys(jm.read_twcs(path), by=by)  # type: ignore[arg-type]


def _one_customer(rows: list[tuple[str, str | None, str | None, float | None]], *, brand: bool = True) -> jm.JourneySet:
    """(actor, thread_id, brand, valence) rows of customer c, 10 minutes apart, journeys by customer."""
    frame = pd.DataFrame(rows, columns=["actor", "thread_id", "brand", "valence"])
    frame.insert(0, "event_id", [str(i + 1) for i in range(len(rows))])
    frame["customer_id"] = "c"
    frame["timestamp"] = pd.date_range("2024-01-01", periods=len(rows), freq="10min", tz="UTC")
    frame["text"] = [f"m{i}" for i in range(len(rows))]
    if not brand:
        frame = frame.drop(columns="brand")
    return jm.build_journeys(frame, by="customer")


def test_a_second_brand_answering_a_tweet_to_both_recovers_its_customer(tmp_path: Path) -> None:
    js = _twcs(tmp_path, TWO_BRANDS)
    m = jm.journey_metrics(js).iloc[0]
    # before: False, False (the complaint sat in AcmeCare's conversation, the thanks in BetaHelp's)
    assert (m["recovered"], m["recovery_known"], m["end_sentiment"]) == (True, True, "positive")
    assert m["time_to_recover"] == pd.Timedelta("20min")  # from the complaint it answered
    league = jm.service_levels(js, by="brand", min_size=1)
    assert league.loc["BetaHelp", "recovered"] == 1.0  # before: NaN
    assert np.isnan(league.loc["AcmeCare", "recovered"])  # "DM us", then nothing to AcmeCare: no word either way
    # without AcmeCare's reply the same chain was already recovered: one more brand reply changes nothing
    alone = TWO_BRANDS.replace('"2,3"', "3").replace("2,AcmeCare", "#", 1)
    alone = "".join(line + "\n" for line in alone.splitlines() if not line.startswith("#"))
    assert jm.journey_metrics(_twcs(tmp_path, alone))[["recovered", "recovery_known"]].iloc[0].tolist() == [True, True]


def test_the_mood_before_a_reply_to_a_tweet_to_two_brands_is_the_tweet_it_answers(tmp_path: Path) -> None:
    replies = jm.reply_table(_twcs(tmp_path, TWO_BRANDS))
    assert replies.loc["3", "answers"] == "1"
    assert replies.loc["3", "valence_before"] == pytest.approx(-0.8)  # before: NaN
    assert replies.loc["3", "valence_change"] == pytest.approx(1.6)
    assert replies.loc["2", "valence_before"] == pytest.approx(-0.8) and np.isnan(replies.loc["2", "valence_after"])
    league = jm.service_levels(_twcs(tmp_path, TWO_BRANDS), by="brand", min_size=1)
    assert league.loc["BetaHelp", "valence_change"] == pytest.approx(1.6)  # before: NaN


def test_another_brands_happy_end_is_still_no_recovery(tmp_path: Path) -> None:
    # the customer thanks AcmeCare, not BetaHelp: AcmeCare's recovery, and BetaHelp is credited with nothing
    # (before: BetaHelp's reply, moved into AcmeCare's conversation, was credited with AcmeCare's happy end)
    rows = TWO_BRANDS.replace(
        "4,2001,True,Wed Oct 11 10:20:00 +0000 2017,@BetaHelp thanks so much!,,3",
        "4,2001,True,Wed Oct 11 10:20:00 +0000 2017,@AcmeCare thanks so much!,,2",
    )
    rows = rows.replace("@2001 please DM us ^A,,1", "@2001 please DM us ^A,4,1").replace(
        "@2001 rebooked you ^B,4,1", "@2001 rebooked you ^B,,1"
    )
    js = _twcs(tmp_path, rows)
    assert jm.journey_metrics(js)[["recovered", "recovery_known"]].iloc[0].tolist() == [True, True]
    league = jm.service_levels(js, by="brand", min_size=1)
    assert league.loc["AcmeCare", "recovered"] == 1.0 and np.isnan(league.loc["BetaHelp", "recovered"])


def test_a_thanks_in_a_new_tweet_to_the_brand_recovers_a_journey_by_customer(tmp_path: Path) -> None:
    js = _twcs(tmp_path, BY_CUSTOMER, by="customer")
    m = jm.journey_metrics(js).loc["11"]
    assert (m["recovered"], m["recovery_known"], m["end_sentiment"]) == (True, True, "positive")  # before: False, False
    assert m["time_to_recover"] == pd.Timedelta("30min")
    # the new tweet still opens a conversation of its own for the response times: a thanks waits for nothing
    rt = jm.response_times(js)
    assert rt.loc["11", "first_response"] == pd.Timedelta("10min")
    league = jm.service_levels(js, by="brand", min_size=1)
    assert league.loc["Acme", "first_response_median"] == pd.Timedelta("10min")
    assert league.loc["Acme", "recovered"] == 0.5  # 5002 recovered; 3002 complained to Acme again, unanswered


def test_a_journey_that_ends_on_a_new_unanswered_complaint_is_not_recovered(tmp_path: Path) -> None:
    js = _twcs(tmp_path, BY_CUSTOMER, by="customer")
    m = jm.journey_metrics(js).loc["21"]
    assert (m["recovered"], m["recovery_known"], m["end_sentiment"]) == (False, True, "negative")  # before: True, True
    assert pd.isna(m["time_to_recover"])
    # by thread, the first thread recovered and the new complaint is a journey of its own, as before
    by_thread = jm.journey_metrics(_twcs(tmp_path, BY_CUSTOMER))
    assert by_thread.loc[["21", "24"], "recovered"].tolist() == [True, False]


def test_a_journey_recovered_with_one_brand_that_ends_on_a_complaint_to_another_is_not_recovered() -> None:
    rows: list[tuple[str, str | None, str | None, float | None]] = [
        ("customer", "T1", "A", -0.8), ("agent", "T1", "A", None), ("customer", "T1", "A", 0.8),
        ("customer", "T2", "B", -0.7),  # a complaint to B nobody answered
    ]  # fmt: skip
    js = _one_customer(rows)
    m = jm.journey_metrics(js).iloc[0]
    assert (m["recovered"], m["recovery_known"], m["end_sentiment"]) == (False, True, "negative")  # before: True
    league = jm.service_levels(js, by="brand", min_size=1)
    assert league.loc["A", "recovered"] == 1.0  # A's own conversation did recover


def test_without_a_brand_column_a_journeys_threads_are_one_brands() -> None:
    rows: list[tuple[str, str | None, str | None, float | None]] = [
        ("customer", "T1", None, -0.8), ("agent", "T1", None, None), ("customer", "T2", None, 0.8),
    ]  # fmt: skip
    m = jm.journey_metrics(_one_customer(rows, brand=False)).iloc[0]
    assert (m["recovered"], m["recovery_known"]) == (True, True)  # before: False, False
    # with brands named, a thanks to another brand is still no recovery
    named = [("customer", "T1", "A", -0.8), ("agent", "T1", "A", None), ("customer", "T2", "B", 0.8)]
    m = jm.journey_metrics(_one_customer(named)).iloc[0]
    assert (m["recovered"], m["recovery_known"]) == (False, False)
