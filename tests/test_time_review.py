"""Fixes from the review of time zones (clock changes, day numbers, UTC names): each test fails without its fix."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import journeymap as jm

LONDON = "Europe/London"
NEW_YORK = "America/New_York"


def _journeys(stamps: list[str], **extra: object) -> jm.Journeys:
    n = len(stamps)
    frame = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "customer_id": [f"c{i}" for i in range(n)],
            "timestamp": stamps,
            "actor": "customer",
            "text": "hello",
            "valence": 0.0,
            "sentiment": "neutral",
            **extra,
        }
    )
    return jm.build_journeys(jm.read_events(frame), by="customer")


def _local(index: pd.Index, tz: str) -> list[str]:
    return [t.tz_convert(tz).strftime("%m-%d %H:%M%z") for t in index]


# --------------------------------------------------------------------------- 1. periods where the clocks skip


@pytest.mark.parametrize(
    ("stamps", "freq", "tz", "expected"),
    [
        # 00:30 GMT and 02:10 BST: 01:00 never happens in London that night
        (["2024-03-31T00:30Z", "2024-03-31T01:10Z"], "h", LONDON, ["03-31 00:00+0000", "03-31 02:00+0100"]),
        # 01:30 EST and 03:10 EDT: 02:00 and 02:30 never happen in New York
        (["2024-03-10T06:30Z", "2024-03-10T07:10Z"], "30min", NEW_YORK, ["03-10 01:30-0500", "03-10 03:00-0400"]),
    ],
)
@pytest.mark.filterwarnings("ignore:.*the data holds customer messages only:UserWarning")  # customer messages alone, on purpose
def test_sub_daily_trends_count_each_message_once_when_the_clocks_go_forward(
    stamps: list[str], freq: str, tz: str, expected: list[str]
) -> None:
    out = jm.trends(_journeys(stamps), freq=freq, tz=tz)
    assert out.index.is_unique
    assert out["volume"].sum() == 2
    assert out["journeys"].sum() == 2
    assert _local(out.index, tz) == expected


def test_topic_trends_count_each_message_once_when_the_clocks_go_forward() -> None:
    js = _journeys(["2024-03-31T00:30Z", "2024-03-31T01:10Z"], topic=["billing", "billing"])
    out = jm.topic_trends(js, freq="h", tz=LONDON)
    assert out["volume"].tolist() == [1, 1]
    assert out["share"].tolist() == [1.0, 1.0]


@pytest.mark.filterwarnings("ignore:.*the data holds customer messages only:UserWarning")  # customer messages alone, on purpose
def test_a_period_the_clocks_skip_into_starts_when_they_resume() -> None:
    # Lord Howe Island goes from +10:30 to +11:00 at 02:00 (a 30-minute gap): the 02:00 hour starts at 02:30
    js = _journeys(["2024-10-05T15:20Z", "2024-10-05T15:40Z", "2024-10-05T16:10Z"])  # 01:50, 02:40, 03:10 local
    out = jm.trends(js, freq="h", tz="Australia/Lord_Howe")
    assert _local(out.index, "Australia/Lord_Howe") == ["10-06 01:00+1030", "10-06 02:30+1100", "10-06 03:00+1100"]
    assert out["volume"].tolist() == [1, 1, 1]
    # where midnight is skipped (Santiago, 8 September 2024), the day starts at 01:00
    js = _journeys(["2024-09-07T04:30Z", "2024-09-08T04:30Z", "2024-09-09T04:30Z"])
    days = jm.trends(js, freq="D", tz="America/Santiago")
    assert _local(days.index, "America/Santiago") == ["09-07 00:00-0400", "09-08 01:00-0300", "09-09 00:00-0300"]
    assert days["volume"].tolist() == [1, 1, 1]


# --------------------------------------------------------------------------- 2. ambiguous and nonexistent wall times


def test_a_skipped_wall_time_moves_forward_by_the_gap_with_a_note() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["2024-03-31 01:30", "2024-07-01 10:00"], "text": "x"})
    log = jm.read_events(frame, tz=LONDON)
    assert log.events["timestamp"].iloc[0] == pd.Timestamp("2024-03-31 02:30", tz=LONDON)  # 01:30 UTC
    assert log.warnings["row"].tolist() == [0]
    assert log.warnings["column"].tolist() == ["timestamp"]
    reason = str(log.warnings["reason"].iloc[0])
    assert reason.startswith("nonexistent local time")
    assert "clocks went forward" in reason
    assert "moved forward by the length of the gap (1:00:00)" in reason


def test_a_thirty_minute_gap_moves_a_skipped_time_thirty_minutes() -> None:
    frame = pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-10-06 02:10"], "text": "x"})
    log = jm.read_events(frame, tz="Australia/Lord_Howe")
    assert log.events["timestamp"].iloc[0] == pd.Timestamp("2024-10-06 02:40", tz="Australia/Lord_Howe")
    assert "(0:30:00)" in str(log.warnings["reason"].iloc[0])


def test_a_repeated_wall_time_is_the_first_occurrence_with_a_note_naming_the_source_column() -> None:
    frame = pd.DataFrame({"who": ["a", "b"], "at": ["2024-11-03 01:10", "2024-11-03 03:00"], "text": "x"})
    log = jm.read_events(frame, columns={"who": "customer_id", "at": "timestamp"}, tz=NEW_YORK)
    assert log.events["timestamp"].iloc[0] == pd.Timestamp("2024-11-03 05:10", tz="UTC")  # 01:10 EDT
    assert log.warnings[["row", "column"]].values.tolist() == [[0, "at"]]
    reason = str(log.warnings["reason"].iloc[0])
    assert reason.startswith("ambiguous local time")
    assert "read as the first occurrence (daylight time)" in reason


def test_a_naive_datetime_with_fold_1_is_the_second_occurrence() -> None:
    stamps = pd.Series([dt.datetime(2024, 11, 3, 1, 30), dt.datetime(2024, 11, 3, 1, 30, fold=1)], dtype=object)
    log = jm.read_events(pd.DataFrame({"customer_id": ["a", "b"], "timestamp": stamps, "text": "x"}), tz=NEW_YORK)
    assert log.events["timestamp"].tolist() == [
        pd.Timestamp("2024-11-03 05:30", tz="UTC"),
        pd.Timestamp("2024-11-03 06:30", tz="UTC"),
    ]
    reasons = log.warnings["reason"].astype(str).tolist()
    assert "first occurrence" in reasons[0]
    assert "second occurrence" in reasons[1]
    assert "fold=1" in reasons[1]


def test_a_rejected_row_gets_no_clock_note() -> None:
    frame = pd.DataFrame({"customer_id": [None, "b"], "timestamp": ["2024-03-31 01:30", "2024-03-31 01:40"], "text": "x"})
    log = jm.read_events(frame, tz=LONDON, on_error="collect")
    assert log.rejected_rows.tolist() == [0]
    assert log.warnings["row"].tolist() == [1]


def test_the_cluster_logs_the_clock_rules_it_applied(caplog: pytest.LogCaptureFixture) -> None:
    jmd = pytest.importorskip("journeymap.distributed")
    frame = pd.DataFrame(
        {"customer_id": ["a", "b", "c"], "timestamp": ["2024-03-31 01:30", "2024-10-27 01:30", "2024-07-01 10:00"], "text": "x"}
    )
    single = jm.read_events(frame, tz=LONDON)
    with caplog.at_level("WARNING", logger="journeymap.distributed.events"):
        spread = jmd.read_events(frame, tz=LONDON, npartitions=1, on_error="collect").compute()
    pd.testing.assert_series_equal(spread.events["timestamp"], single.events["timestamp"])
    assert "2 naive timestamps in the block of input rows 0-2 were read by a clock-change rule" in caplog.text
    assert "1 x ambiguous local time" in caplog.text
    assert "1 x nonexistent local time" in caplog.text


# --------------------------------------------------------------------------- 3. YYYYMMDD numbers are local days


def test_day_numbers_are_read_at_local_midnight_like_day_text() -> None:
    as_text = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["20240701", "20240702"], "text": "x"})
    as_numbers = as_text.assign(timestamp=[20240701, 20240702])
    expected = [pd.Timestamp("2024-07-01", tz=NEW_YORK), pd.Timestamp("2024-07-02", tz=NEW_YORK)]
    assert jm.read_events(as_text, tz=NEW_YORK).events["timestamp"].tolist() == expected
    assert jm.read_events(as_numbers, tz=NEW_YORK).events["timestamp"].tolist() == expected


def test_day_numbers_among_epoch_numbers_are_local_days_and_epochs_stay_instants() -> None:
    for stamps in ([20240701, 1719828000, 1719828000123], pd.Series([20240701, 1719828000, "20240702"], dtype=object)):
        frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "timestamp": stamps, "text": "x"})
        got = jm.read_events(frame, tz=NEW_YORK).events["timestamp"]
        assert got.iloc[0] == pd.Timestamp("2024-07-01", tz=NEW_YORK)
        assert got.iloc[1] == pd.Timestamp(1719828000, unit="s", tz="UTC")


# --------------------------------------------------------------------------- 4. "UTC" and "GMT" after a time


@pytest.mark.parametrize("tz", [None, NEW_YORK])
def test_a_time_followed_by_utc_or_gmt_is_utc(tz: str | None) -> None:
    frame = pd.DataFrame(
        {"customer_id": ["a", "b"], "timestamp": ["2024-07-01 10:00 UTC", "2024-07-01T10:00:30 GMT"], "text": "x"}
    )
    log = jm.read_events(frame, tz=tz)
    assert log.events["timestamp"].tolist() == [
        pd.Timestamp("2024-07-01 10:00", tz="UTC"),
        pd.Timestamp("2024-07-01 10:00:30", tz="UTC"),
    ]


def test_the_zone_the_events_were_read_in_is_the_time_analytics_default(tmp_path) -> None:
    # from a review: read_events(tz="America/New_York") then time_patterns(js) read the hours in UTC
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "timestamp": ["2024-02-06 09:00", "2024-02-06 09:30", "2024-02-06 23:30"],  # Tuesday, New York
            "actor": ["customer", "agent", "customer"],
            "text": ["hi", "hello", "late"],
        }
    )
    log = jm.read_events(frame, tz="America/New_York")
    js = jm.build_journeys(log, by="customer")
    n = len(js.events)
    js = js.with_events(
        js.events.assign(
            valence=pd.Series([-0.5] * n, index=js.events.index, dtype="float32"),
            sentiment=pd.array(["negative"] * n, dtype="string"),
            emotion=pd.array(["anger"] * n, dtype="string"),
            scorer="hand",
        )
    )
    assert str(log.tz) == "America/New_York" and js.tz == log.tz
    tp = jm.time_patterns(js)
    assert tp.loc[("Tuesday", 9), "volume"] == 1 and tp.loc[("Tuesday", 23), "volume"] == 1
    utc = jm.time_patterns(js, tz="UTC")
    assert utc.loc[("Tuesday", 14), "volume"] == 1 and utc.loc[("Wednesday", 4), "volume"] == 1
    daily = jm.trends(js, freq="D")
    assert str(daily.index.tz) == "America/New_York" and len(daily) == 1  # both on the 6th there
    assert len(jm.trends(js, freq="D", tz="UTC")) == 2
    # the zone goes with the journeys
    assert js.select(js.journey_ids[:1]).tz == log.tz and js.with_events(js.events).tz == log.tz
    back = jm.read_journeys(js.to_parquet(tmp_path / "js.parquet"))
    assert str(back.tz) == "America/New_York" and jm.time_patterns(back).loc[("Tuesday", 9), "volume"] == 1
    # without tz= the zone is UTC, as stored
    plain = jm.build_journeys(jm.read_events(frame), by="customer")
    assert plain.tz is None and jm.read_events(frame).tz is None
