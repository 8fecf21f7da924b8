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


def test_the_mood_before_a_reply_to_a_tweet_to_two_brands_is_the_tweet_it_answers(tmp_path: Path) -> None:
    replies = jm.reply_table(_twcs(tmp_path, TWO_BRANDS))
    assert replies.loc["3", "answers"] == "1"
    assert replies.loc["3", "valence_before"] == pytest.approx(-0.8)  # before: NaN
    assert replies.loc["3", "valence_change"] == pytest.approx(1.6)
    assert replies.loc["2", "valence_before"] == pytest.approx(-0.8) and np.isnan(replies.loc["2", "valence_after"])
    league = jm.service_levels(_twcs(tmp_path, TWO_BRANDS), by="brand", min_size=1)
    assert league.loc["BetaHelp", "valence_change"] == pytest.approx(1.6)  # before: NaN
