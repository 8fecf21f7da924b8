"""Hostile input at the edges of the readers and writers: out-of-range dates, lone surrogates, TWCS, XES keys."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.io import write_table
from journeymap.io._time import EPOCH_MS_BEYOND, NOT_A_DATE, OUT_OF_RANGE

if TYPE_CHECKING:
    from pathlib import Path

SURROGATE = json.loads('"\\ud83d"')  # half an emoji, as a JSON escape gives it
TW = "Wed Oct 11 06:55:44 +0000 2017"
TWCS = ["tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id"]


def reasons(log: jm.EventLog) -> dict[tuple[int, str], str]:
    return {(r.row, r.column): r.reason for r in log.rejects.itertuples()}


def accounted(log: jm.EventLog, n: int) -> None:
    assert sorted([*log.events.index, *log.rejected_rows]) == list(range(n))


# --------------------------------------------------------------------------- dates outside the range


@pytest.mark.parametrize("tz", [None, "Europe/Berlin"])
@pytest.mark.parametrize(
    "old",
    [dt.date(1500, 1, 1), dt.date(3000, 1, 1), np.datetime64("1500-01-01", "s"), np.datetime64("1677-09-21T00:00", "s")],
    ids=repr,
)
def test_date_objects_outside_the_range_are_rejected_not_a_pandas_crash(old: object, tz: str | None) -> None:
    frame = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": pd.Series([old, dt.date(2024, 1, 1)], dtype=object)})
    log = jm.read_events(frame, on_error="collect", tz=tz)  # before: AssertionError "Something has gone wrong"
    assert reasons(log) == {(0, "timestamp"): OUT_OF_RANGE}
    assert log.events.index.tolist() == [1]
    accounted(log, 2)


def test_a_parquet_date_column_with_an_old_date_rejects_that_row(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    dates = pa.array([dt.date(1500, 1, 1), dt.date(2024, 1, 1)], type=pa.date32())
    pq.write_table(pa.table({"customer_id": ["a", "b"], "timestamp": dates}), tmp_path / "old.parquet")
    log = jm.read_events(tmp_path / "old.parquet", on_error="collect")
    assert reasons(log) == {(0, "timestamp"): OUT_OF_RANGE}
    assert log.events["timestamp"].tolist() == [pd.Timestamp("2024-01-01", tz="UTC")]


def test_dates_at_the_edges_of_the_range_are_kept() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "timestamp": pd.Series([dt.date(1677, 9, 23), np.datetime64("2262-04-09", "D")], dtype=object),
        }
    )
    log = jm.read_events(frame)
    assert log.events["timestamp"].dt.strftime("%Y-%m-%d").tolist() == ["1677-09-23", "2262-04-09"]


# --------------------------------------------------------------------------- lone surrogates in attributes


@pytest.mark.parametrize("actor", [False, True], ids=["no actor column", "actor column"])
def test_lone_surrogates_in_attribute_columns_are_replaced_and_noted(actor: bool, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "timestamp": ["2024-01-01", "2024-01-02"],
            "text": ["x", "y"],
            "note": pd.Series(["hi " + SURROGATE, "ok"], dtype=object),
        }
    )
    if actor:  # the agent's row filed under the customer it answers (an id of its own warns in build_journeys)
        frame["actor"] = ["customer", "agent"]
        frame["customer_id"] = ["a", "a"]
    log = jm.read_events(frame)  # before, without an actor column: UnicodeEncodeError from pyarrow
    assert log.events["note"].tolist() == ["hi \ufffd", "ok"]
    assert log.warnings[["row", "column"]].values.tolist() == [[0, "note"]]
    assert "lone surrogate" in log.warnings.loc[0, "reason"]
    js = jm.build_journeys(log, by="customer")
    # before (with an actor column): every export failed on the attribute column
    js.to_parquet(tmp_path / "js.parquet")
    write_table(js.events, tmp_path / "events.csv")
    back = jm.read_xes(jm.to_xes(js, tmp_path / "log.xes"))
    assert sorted(back.events["note"].tolist()) == ["hi \ufffd", "ok"]


# --------------------------------------------------------------------------- read_twcs


def twcs(rows: list[list[object]], extra: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=TWCS + (extra or []))


def test_twcs_refuses_duplicate_column_names_as_read_events_does() -> None:
    frame = pd.DataFrame([[1, "u1", True, TW, "hi", None, "x"]], columns=[*TWCS, "text"])
    with pytest.raises(jm.SchemaError, match=r"duplicate column names \['text'\]"):
        jm.read_twcs(frame)  # before: AttributeError 'DataFrame' object has no attribute 'str'


def test_twcs_rejects_text_that_is_not_a_string() -> None:
    frame = twcs([[1, "u1", True, TW, "hi", None], [2, "u2", True, TW, "x", None], [3, "u3", True, TW, "y", None]])
    frame["text"] = pd.Series(["hi", 12345, ["a", "list"]], dtype=object)
    log = jm.read_twcs(frame)  # before: kept as the texts "12345" and "['a', 'list']"
    assert reasons(log) == {
        (1, "text"): "wrong type: text must be a string, got int",
        (2, "text"): "wrong type: text must be a string, got list",
    }
    assert log.events["text"].tolist() == ["hi"]
    accounted(log, 3)


def test_twcs_keeps_input_columns_named_like_its_own(caplog: pytest.LogCaptureFixture) -> None:
    frame = twcs([[1, "u1", True, TW, "hi", None, "X", "Y", "t", "taken"]], ["customer_id", "actor", "thread_id", "actor_input"])
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        log = jm.read_twcs(frame)  # before: the three columns were dropped without a word
    row = log.events.iloc[0]
    assert (row["customer_id"], row["actor"], row["thread_id"]) == ("u1", "customer", "1")
    assert (row["customer_id_input"], row["actor_input2"], row["thread_id_input"], row["actor_input"]) == ("X", "Y", "t", "taken")
    assert any("kept as" in r.getMessage() and "customer_id_input" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- XES keys


def test_xes_writes_column_names_with_control_characters_readably(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    log = jm.read_events(
        pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["2024-01-01", "2024-01-02"], "note\x01": ["p", "q"]})
    )
    js = jm.build_journeys(log, by="customer")
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        path = jm.to_xes(js, tmp_path / "log.xes")
    assert any("control characters" in r.getMessage() and "note" in r.getMessage() for r in caplog.records)
    back = jm.read_xes(path)  # before: JourneyMapError "not well-formed"
    assert sorted(back.events["note\ufffd"].tolist()) == ["p", "q"]


def test_xes_refuses_control_character_names_that_would_repeat_another(tmp_path: Path) -> None:
    frame = pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-01-01"], "n\x01": ["p"], "n\x02": ["q"]})
    js = jm.build_journeys(jm.read_events(frame), by="customer")
    with pytest.raises(jm.InvalidArgumentError, match="control characters"):
        jm.to_xes(js, tmp_path / "log.xes")


# --------------------------------------------------------------------------- clearer reasons


def test_eight_digits_that_make_no_date_are_rejected_as_such() -> None:
    frame = pd.DataFrame(
        {"customer_id": ["a", "b", "c"], "timestamp": pd.Series(["20240230", 20241301, "20240229"], dtype=object)}
    )
    log = jm.read_events(frame, on_error="collect")  # before: "number too small for epoch seconds"
    assert reasons(log) == {(0, "timestamp"): NOT_A_DATE, (1, "timestamp"): NOT_A_DATE}
    assert log.events["timestamp"].tolist() == [pd.Timestamp("2024-02-29", tz="UTC")]


def test_epoch_microseconds_out_of_range_say_which_unit_was_tried() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "timestamp": pd.Series([1_700_000_000_123_456, 1_700_000_000, "99999-01-01"], dtype=object),
        }
    )
    log = jm.read_events(frame, on_error="collect")
    # the reason itself says which unit was tried (before: a bare "out of range", the hint only in the log)
    assert reasons(log) == {(0, "timestamp"): EPOCH_MS_BEYOND, (2, "timestamp"): OUT_OF_RANGE}
    assert "epoch milliseconds" in EPOCH_MS_BEYOND and "microseconds" in EPOCH_MS_BEYOND


def test_a_reply_into_a_cycle_is_told_apart_from_the_cycle() -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["a", "b", "c", "d"],
            "in_reply_to": ["b", "a", "a", None],  # a <-> b a cycle; c replies into it
            "customer_id": ["x"] * 4,
            "timestamp": ["2024-01-01"] * 4,
        }
    )
    found = reasons(jm.read_events(frame, on_error="collect"))
    assert found[(0, "in_reply_to")] == found[(1, "in_reply_to")] == "reply cycle (the replies lead back to this event)"
    assert found[(2, "in_reply_to")].startswith("reply cycle")
    assert "into a cycle" in found[(2, "in_reply_to")]
    assert (3, "in_reply_to") not in found


def test_twcs_reads_inbound_in_the_words_every_flag_column_takes() -> None:
    frame = twcs(
        [[1, "u1", True, TW, "@Brand hi", None], [2, "Brand", False, TW, "@u1 hello", "1"], [3, "u2", True, TW, "@Brand x", None]]
    )
    frame["inbound"] = pd.Series([1.0, 0.0, np.nan]).astype(str)  # a float column written out: "1.0", "0.0", "nan"
    frame.loc[2, "inbound"] = "y"
    log = jm.read_twcs(frame)  # before: "1.0", "0.0" and "y" were rejected, as addressed= and reply_outside_data= take them
    assert log.rejects.empty
    assert log.events["actor"].tolist() == ["customer", "agent", "customer"]
