"""Reader fixes of the twelfth review (each test fails without its fix)."""

from __future__ import annotations

import pandas as pd
import pytest

import journeymap as jm
from journeymap.io._time import OUT_OF_RANGE, UNPARSEABLE


@pytest.mark.parametrize("word", ["now", "today", "NOW", " Today ", "now\t"])
def test_now_and_today_are_unparseable_not_the_time_of_the_run(word: str) -> None:
    # pandas reads "now" and "today" as the current time in any format: the row was kept, dated
    # by when the code ran (and "NOW" was rejected: spelling decided)
    df = pd.DataFrame({"customer_id": ["a", "a"], "timestamp": ["2024-03-01T10:00:00Z", word]})
    log = jm.read_events(df, on_error="collect")
    assert log.events["timestamp"].tolist() == [pd.Timestamp("2024-03-01 10:00", tz="UTC")]
    assert log.rejects[["row", "reason"]].values.tolist() == [[1, UNPARSEABLE]]
    with_zone = jm.read_events(df, on_error="collect", tz="Europe/London")
    assert with_zone.rejects[["row", "reason"]].values.tolist() == [[1, UNPARSEABLE]]


@pytest.mark.parametrize(
    "text", ["Fri, 01 Mar 2024 10:00:00 +0000", "01/03/2024 10:00 -0500", "March 1 2024 10:00 +0100", "10:00 +0000 "]
)
def test_text_ending_in_an_offset_is_unparseable_not_out_of_range(text: str) -> None:
    # the Twitter-year pattern read the trailing "+0000" as the year 0
    log = jm.read_events(pd.DataFrame({"customer_id": ["a"], "timestamp": [text]}), on_error="collect")
    assert log.rejects["reason"].tolist() == [UNPARSEABLE]


def test_twitter_dates_beyond_the_range_are_still_out_of_range() -> None:
    stamps = ["Wed Oct 11 06:55:44 +0000 3017", "Wed Oct 11 06:55:44 +0000 1500", "Wed Oct 11 06:55:44 +0000 2017"]
    log = jm.read_events(pd.DataFrame({"customer_id": ["a"] * 3, "timestamp": stamps}), on_error="collect")
    assert log.rejects[["row", "reason"]].values.tolist() == [[0, OUT_OF_RANGE], [1, OUT_OF_RANGE]]
