"""Fixes from the review of the readers and writers: each test fails without its fix."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import SchemaError
from journeymap.io import read_table
from journeymap.io._time import EARLY_EPOCH, UNPARSEABLE, parse_timestamps
from journeymap.journeys._build import gap_nanoseconds

if TYPE_CHECKING:
    from pathlib import Path


def _reasons(log: jm.EventLog) -> dict[tuple[int, str], str]:
    return {(int(r.row), str(r.column)): str(r.reason) for r in log.rejects.itertuples()}


def _no_row_lost(log: jm.EventLog) -> None:
    assert sorted([*log.events.index, *log.rejected_rows]) == list(range(log.n_input))


# --------------------------------------------------------------------------- 1. a named index


def _threaded() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ["m1", "m2", "m3"],
            "customer_id": "a",
            "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"],
            "in_reply_to": [None, "m1", "m2"],
            "actor": ["customer", "agent", "customer"],
        }
    ).set_index("event_id")


def test_a_named_index_of_a_frame_is_read_as_its_column() -> None:
    log = jm.read_events(_threaded())
    assert log.events["event_id"].tolist() == ["m1", "m2", "m3"]
    assert log.events.index.tolist() == [0, 1, 2]
    assert len(jm.build_journeys(log)) == 1  # the reply links hold


def test_a_named_index_stored_in_parquet_is_read_as_its_column(tmp_path: Path) -> None:
    path = tmp_path / "idx.parquet"
    _threaded().to_parquet(path)
    log = jm.read_events(path)
    assert log.events["event_id"].tolist() == ["m1", "m2", "m3"]
    assert len(jm.build_journeys(log)) == 1


def test_a_datetime_index_named_timestamp_gives_the_timestamps() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "b"]}, index=pd.DatetimeIndex(["2024-01-01", "2024-01-02"], name="timestamp"))
    log = jm.read_events(frame)
    assert log.events["timestamp"].tolist() == [pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-02", tz="UTC")]


def test_an_unnamed_index_is_still_dropped() -> None:
    frame = pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-01-01"]}, index=[7])
    assert list(read_table(frame).columns) == ["customer_id", "timestamp"]


def test_an_index_named_like_a_column_gives_way_to_the_column(caplog: pytest.LogCaptureFixture) -> None:
    base = pd.DataFrame({"event_id": ["m1", "m2"], "customer_id": ["a", "b"], "timestamp": ["2024-01-01", "2024-01-02"]})
    same = base.set_index("event_id", drop=False)  # an everyday frame: the index repeats the column
    assert jm.read_events(same).events["event_id"].tolist() == ["m1", "m2"] and not caplog.records
    other = base.set_axis(pd.Index(["x", "y"], name="customer_id"))
    with caplog.at_level("WARNING", logger="journeymap.io.sources"):
        log = jm.read_events(other)
    assert log.events["customer_id"].tolist() == ["a", "b"] and "index 'customer_id' differs from its column" in caplog.text


# --------------------------------------------------------------------------- 2. YYYYMMDD and small numbers


def test_eight_digit_dates_are_read_as_dates() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": list("abcd"),
            "timestamp": pd.Series(["20240301", 20240301, 20240301.0, "20240301T101500Z"], dtype=object),
        }
    )
    log = jm.read_events(frame)
    day = pd.Timestamp("2024-03-01", tz="UTC")
    assert log.events["timestamp"].tolist() == [day, day, day, day + pd.Timedelta("10h15min")]


def test_eight_digit_dates_in_an_integer_column() -> None:
    got = parse_timestamps(pd.Series([20240301, 19000101, 21001231]))
    assert got.dt.strftime("%Y-%m-%d").tolist() == ["2024-03-01", "1900-01-01", "2100-12-31"]


def test_eight_digits_that_are_no_date_stay_epoch_seconds() -> None:
    # 20241301: month 13; as epoch seconds it is before 1973, so read_events rejects it
    assert parse_timestamps(pd.Series(["20241301"])).iloc[0] == pd.Timestamp(20241301, unit="s", tz="UTC")


def test_numbers_before_1973_as_epoch_seconds_are_rejected_with_a_reason() -> None:
    frame = pd.DataFrame({"customer_id": list("abcd"), "timestamp": pd.Series([45352.5, 12, "3", 1507704944], dtype=object)})
    log = jm.read_events(frame, on_error="collect")
    _no_row_lost(log)
    assert _reasons(log) == {(0, "timestamp"): EARLY_EPOCH, (1, "timestamp"): EARLY_EPOCH, (2, "timestamp"): EARLY_EPOCH}
    assert log.events["timestamp"].tolist() == [pd.Timestamp("2017-10-11 06:55:44", tz="UTC")]


def test_early_numbers_in_a_numeric_column_are_rejected() -> None:
    log = jm.read_events(pd.DataFrame({"customer_id": ["a", "b"], "timestamp": [45352.5, 1507704944.0]}), on_error="collect")
    assert _reasons(log) == {(0, "timestamp"): EARLY_EPOCH}


def test_iso_times_before_1973_are_kept() -> None:
    log = jm.read_events(pd.DataFrame({"customer_id": ["a"], "timestamp": ["1969-07-20T20:17:00Z"]}))
    assert log.events["timestamp"].iloc[0] == pd.Timestamp("1969-07-20 20:17", tz="UTC")


# --------------------------------------------------------------------------- 3. Parquet, mixed attribute columns


def test_to_parquet_writes_a_mixed_object_column_as_text(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source = tmp_path / "mixed.jsonl"
    rows = [
        {"customer_id": "a", "timestamp": "2024-01-01T10:00:00Z", "order_ref": 1234},
        {"customer_id": "a", "timestamp": "2024-01-01T11:00:00Z", "order_ref": "A-77"},
        {"customer_id": "a", "timestamp": "2024-01-01T12:00:00Z"},
    ]
    source.write_text("\n".join(map(json.dumps, rows)))
    js = jm.build_journeys(jm.read_events(source), by="customer")
    with caplog.at_level(logging.WARNING):
        back = jm.read_journeys(js.to_parquet(tmp_path / "mixed.parquet"))
    assert "'order_ref'" in caplog.text
    assert back.events["order_ref"].tolist()[:2] == ["1234", "A-77"]
    assert back.events["order_ref"].isna().tolist() == [False, False, True]


# --------------------------------------------------------------------------- 4. foreign XES logs

FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
 <trace><string key="concept:name" value="c1"/>
  <event><string key="concept:name" value="register"/><date key="time:timestamp" value="2024-03-01T10:00:00Z"/>
   <string key="event_id" value="E1"/><int key="timestamp" value="3"/><string key="actor" value="clerk"/>
   <string key="customer_id" value="someone"/></event>
  <event><string key="concept:name" value="check"/><date key="time:timestamp" value="2024-03-01T11:00:00Z"/></event>
 </trace>
 <trace><string key="concept:name" value="c1"/>
  <event><string key="concept:name" value="late"/><date key="time:timestamp" value="2024-03-09T11:00:00Z"/></event>
 </trace>
 <trace><string key="concept:name" value="c1 (2)"/>
  <event><string key="concept:name" value="other"/><date key="time:timestamp" value="2024-03-10T11:00:00Z"/></event>
 </trace>
</log>"""


def test_foreign_xes_attributes_named_like_journeymap_columns_are_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "foreign.xes"
    path.write_text(FOREIGN)
    js = jm.read_xes(path)
    ev = js.events.set_index("event_id")
    assert ev.loc["c1#1", "xes:event_id"] == "E1"
    assert ev.loc["c1#1", "xes:timestamp"] == 3
    assert ev.loc["c1#1", "xes:actor"] == "clerk"
    assert ev.loc["c1#1", "xes:customer_id"] == "someone"
    assert ev.loc["c1#1", "timestamp"] == pd.Timestamp("2024-03-01T10:00:00Z")
    assert set(js.events["actor"].astype(str)) == {"customer"}
    assert len(list(js)) == len(js)  # every journey builds (event ids are strings)


def test_foreign_xes_traces_that_share_a_name_stay_apart(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "foreign.xes"
    path.write_text(FOREIGN)
    with caplog.at_level(logging.WARNING):
        js = jm.read_xes(path)
    assert sorted(js.journey_ids) == ["c1", "c1 (2)", "c1 (2) (2)"]
    assert js.journeys["n_steps"].sort_index().tolist() == [2, 1, 1]
    assert js.journeys.loc["c1 (2)", "customer_id"] == "c1"
    assert js.events["event_id"].is_unique
    assert "repeat the concept:name" in caplog.text


# --------------------------------------------------------------------------- 5. XES, object columns


def test_xes_round_trip_keeps_the_types_of_object_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "customer_id": "a",
            "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"],
            "vip": pd.Series([True, None, False], dtype=object),
            "ref": pd.Series([7, "x", 2.5], dtype=object),
            "count": pd.Series([1, None, 3], dtype=object),
        }
    )
    js = jm.build_journeys(jm.read_events(frame), by="customer")
    back = jm.read_xes(jm.to_xes(js, tmp_path / "b.xes"))
    assert back.events["vip"].tolist()[::2] == [True, False]
    assert back.events["ref"].tolist() == [7, "x", 2.5]
    assert back.events["count"].tolist()[::2] == [1, 3]
    assert back.events.equals(js.events)


# --------------------------------------------------------------------------- 6, 7. CSV rows and line ends


def test_a_ragged_row_shows_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text('customer_id,timestamp,text\na,2024-01-01,hello, world\nb,2024-01-02,fine\nc,"2024-01-03","two\nlines",x\n')
    log = jm.read_events(path, on_error="collect")
    _no_row_lost(log)
    values = dict(zip(log.rejects["row"], log.rejects["value"]))
    assert values == {0: "a,2024-01-01,hello, world", 2: 'c,"2024-01-03","two\nlines",x'}


def test_a_long_ragged_row_is_shortened(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("customer_id,timestamp\na,2024-01-01," + "x" * 500 + "\n")
    value = jm.read_events(path, on_error="collect").rejects.loc[0, "value"]
    assert value.startswith("a,2024-01-01,xxx") and len(value) == 200 and value.endswith("…")


def test_a_csv_with_carriage_return_line_ends_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"customer_id,timestamp\ra,2024-01-01\rb,2024-01-02\r")
    log = jm.read_events(path)
    assert log.events["customer_id"].tolist() == ["a", "b"]


def test_a_header_with_a_stray_carriage_return_is_a_schema_error(tmp_path: Path) -> None:
    path = tmp_path / "mixed_ends.csv"
    path.write_bytes(b"customer_id,timestamp\ra,2024-01-01\nb,2024-01-02\n")
    with pytest.raises(SchemaError, match=r"mixed_ends\.csv.*header line"):
        jm.read_events(path, on_error="collect")


# --------------------------------------------------------------------------- 8. duplicates


def test_a_duplicate_whose_first_copy_is_rejected_is_kept() -> None:
    frame = pd.DataFrame({"event_id": ["1", "1", "1"], "customer_id": "a", "timestamp": ["garbage", "2024-01-01", "2024-01-02"]})
    log = jm.read_events(frame, on_error="collect")
    _no_row_lost(log)
    assert log.events.index.tolist() == [1]
    assert _reasons(log) == {
        (0, "timestamp"): UNPARSEABLE,
        (2, "event_id"): "duplicate event_id (first seen at row 1)",
    }


def test_ids_shared_only_by_rejected_rows_are_no_duplicates() -> None:
    frame = pd.DataFrame(
        {"event_id": ["1", "1", "2"], "customer_id": "a", "timestamp": ["x", "y", "2024-01-01"], "in_reply_to": [None, "2", "1"]}
    )
    log = jm.read_events(frame, on_error="collect")
    _no_row_lost(log)
    assert _reasons(log) == {(0, "timestamp"): UNPARSEABLE, (1, "timestamp"): UNPARSEABLE}


# --------------------------------------------------------------------------- 9. stage errors


def test_a_missing_stage_names_its_rows() -> None:
    frame = pd.DataFrame(
        {"customer_id": "a", "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"], "stage": ["aware", None, "x"]}
    )
    with pytest.raises(SchemaError, match=r"\['x'\].*column 'stage' is missing \(NA\) at rows \[1\]"):
        jm.build_journeys(frame, by="customer", stages=jm.StageModel.from_column("stage", ["aware"]))


def test_a_missing_touchpoint_names_its_rows() -> None:
    frame = pd.DataFrame({"customer_id": "a", "timestamp": ["2024-01-01", "2024-01-02"], "touchpoint": ["ad", None]})
    with pytest.raises(SchemaError, match=r"column 'touchpoint' is missing \(NA\) at rows \[1\]"):
        jm.build_journeys(frame, by="customer", stages={"ad": "aware"})


# --------------------------------------------------------------------------- 10. gap


@pytest.mark.parametrize("gap", [5, 5.0, "5", " 2.5 ", np.int64(5)])
def test_a_bare_number_gap_is_refused(gap: object) -> None:
    with pytest.raises(ValueError, match=r"gap must be a duration with a unit, such as '5min'.*'5D'"):
        gap_nanoseconds(gap)  # type: ignore[arg-type]


def test_build_journeys_refuses_a_bare_number_gap() -> None:
    with pytest.raises(ValueError, match="gap"):
        jm.build_journeys(jm.datasets.service_journeys(3, seed=0), by="customer", gap=5)  # type: ignore[arg-type]


@pytest.mark.parametrize("gap", ["0s", "-1h"])
def test_a_gap_that_is_not_positive_is_refused(gap: str) -> None:
    with pytest.raises(ValueError, match="positive"):
        gap_nanoseconds(gap)


# --------------------------------------------------------------------------- 11. pandas' JSON layout


def test_a_json_file_in_pandas_column_layout_is_read(tmp_path: Path) -> None:
    path = tmp_path / "cols.json"
    labels = [f"c{i}" for i in range(12)]
    pd.DataFrame({"customer_id": labels, "timestamp": [f"2024-01-{i + 1:02d}" for i in range(12)]}).to_json(path)
    log = jm.read_events(path)
    assert log.events["customer_id"].tolist() == labels  # in row order: "10" after "9"
    assert len(log.rejects) == 0


@pytest.mark.parametrize("orient", ["split", "table", "index"])
def test_pandas_other_json_layouts_are_read_as_written(tmp_path: Path, orient: str) -> None:
    path = tmp_path / f"{orient}.json"
    labels = [f"c{i}" for i in range(12)]
    frame = pd.DataFrame({"customer_id": labels, "timestamp": [f"2024-01-{i + 1:02d}" for i in range(12)], "text": "late"})
    frame.to_json(path, orient=orient)  # type: ignore[call-overload]
    log = jm.read_events(path)
    assert log.events["customer_id"].tolist() == labels  # before: one event with columns 'columns', 'index', 'data'
    assert (log.events["text"] == "late").all() and len(log.rejects) == 0
    assert "index" not in log.events.columns


def test_a_split_layout_with_ragged_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "split.json"
    path.write_text(json.dumps({"columns": ["customer_id", "timestamp"], "data": [["a", "2024-01-01"], ["b"]]}))
    with pytest.raises(SchemaError, match="rows of 2 values"):
        jm.read_events(path)


def test_one_pretty_printed_event_object_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"customer_id": "a", "timestamp": "2024-01-01"}, indent=2))
    assert jm.read_events(path).events["customer_id"].tolist() == ["a"]


def test_a_json_file_of_another_shape_names_the_layouts(tmp_path: Path) -> None:
    path = tmp_path / "values.json"
    path.write_text("[[1, 2], [3, 4]]")
    with pytest.raises(SchemaError, match="to_json"):
        jm.read_events(path)


# --------------------------------------------------------------------------- 12. a duration as a time


def test_a_timedelta_timestamp_is_the_wrong_type() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": pd.Series([pd.Timedelta("1D"), "2024-01-01"], dtype=object)})
    log = jm.read_events(frame, on_error="collect")
    assert _reasons(log)[(0, "timestamp")].startswith("wrong type: expected a time")
    assert _reasons(log)[(0, "timestamp")].endswith("got Timedelta")


def test_a_timedelta_column_is_the_wrong_type() -> None:
    frame = pd.DataFrame({"customer_id": ["a"], "timestamp": pd.to_timedelta([1], unit="D")})
    log = jm.read_events(frame, on_error="collect")
    assert _reasons(log)[(0, "timestamp")].startswith("wrong type")


def test_a_year_pandas_cannot_hold_in_another_shape_is_a_reject_not_a_crash() -> None:
    # found by hypothesis: pandas 3 reads "0000/1" as year 0 in microseconds, which broke the
    # nanosecond column it was written into ("Something has gone wrong")
    frame = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["0000/1", "2024-01-01"]})
    log = jm.read_events(frame, on_error="collect")
    assert len(log.events) == 1 and log.rejects["row"].tolist() == [0]
