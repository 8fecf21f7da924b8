"""Reader fixes of the twelfth review (each test fails without its fix)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import journeymap as jm
from journeymap.io._time import OUT_OF_RANGE, UNPARSEABLE
from journeymap.io.sources import read_table

if TYPE_CHECKING:
    from pathlib import Path


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


@pytest.mark.parametrize(
    ("data", "where"),
    [
        # a quoted field with line breaks before the bad row: it was "data row 3" (no such row)
        (b'event_id,customer_id,timestamp,text\n1,a,2024-03-01,"l1\nl2\nl3"\n2,a,2024-03-01,caf\xe9\n', "line 5 (data row 1 "),
        # old-Mac CR line ends: it was always "line 1 (the header line)"
        (b"event_id,customer_id,timestamp,text\r1,a,2024-03-01,x\r2,a,2024-03-01,y\r3,a,2024,\xe9\r", "line 4 (data row 2 "),
        # the bad byte inside a quoted field spanning lines: the row that field belongs to
        (b'customer_id;timestamp;text\na;2024-03-01;"one\ntwo caf\xe9\nthree"\n', "line 3 (data row 0 "),
        # CRLF, a blank line, and a byte-order mark (the offset counts its three bytes)
        (b"\xef\xbb\xbfcustomer_id,timestamp\r\na,2024-03-01\r\n\r\nb\xe9,2024-03-02\r\n", "line 4 (data row 1 "),
        (b"customer_id,timestamp,te\xffxt\na,2024-03-01,x\n", "line 1 (the header line "),
    ],
)
def test_a_bad_byte_names_the_line_and_data_row_that_hold_it(tmp_path: Path, data: bytes, where: str) -> None:
    offset = next(i for i, byte in enumerate(data) if byte in (0xE9, 0xFF))
    path = tmp_path / "events.csv"
    path.write_bytes(data)
    with pytest.raises(jm.SchemaError, match=re.escape(f"{where}of a CSV) is not valid UTF-8 (byte 0x")) as caught:
        jm.read_events(path, on_error="collect")
    assert f"at offset {offset})" in str(caught.value)


def test_a_bad_byte_in_json_lines_names_its_line_only(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"customer_id": "a", "timestamp": 1507704944}\n\n{"customer_id": "caf\xe9", "timestamp": 1507704945}\n')
    with pytest.raises(jm.SchemaError, match=r"events\.jsonl': line 3 is not valid UTF-8 \(byte 0xe9 at offset 67\)"):
        jm.read_events(path, on_error="collect")


def _json_lines(rows: list[str]) -> str:
    return "".join(row + "\n" for row in rows)


def _event(i: int) -> str:
    return json.dumps({"event_id": i, "customer_id": "a", "timestamp": 1709287200 + i})


def test_a_broken_json_lines_line_is_a_reject_under_collect(tmp_path: Path) -> None:
    # a log cut off mid-write: the whole file was lost with a SchemaError, where a CSV rejects the row
    path = tmp_path / "cut.jsonl"
    path.write_text(_json_lines([_event(i) for i in range(1000)]) + '{"event_id": 1000, "customer_id": "a", "timest')
    log = jm.read_events(path, on_error="collect")
    assert len(log.events) == 1000 and log.n_input == 1001
    noted = log.rejects[log.rejects["column"] == "(row)"]
    assert noted[["row", "reason", "value"]].values.tolist() == [
        [
            1000,
            "line 1001 is not valid JSON (Unterminated string starting at at column 40)",
            '{"event_id": 1000, "customer_id": "a", "timest',
        ]
    ]
    assert set(log.rejects["row"]) == {1000}
    with pytest.raises(jm.SchemaError, match=r"row 1000, column '\(row\)': line 1001 is not valid JSON"):
        jm.read_events(path)


def test_json_lines_that_are_no_objects_keep_their_rows_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(_json_lines([_event(0), "[1, 2]", "", '{"customer_id": "b", oops}', _event(3)]))
    log = jm.read_events(path, on_error="collect")
    assert log.events["event_id"].tolist() == ["0", "3"]
    noted = log.rejects[log.rejects["column"] == "(row)"]
    assert noted["row"].tolist() == [1, 2]
    assert noted["reason"].str.slice(0, 32).tolist() == ["line 2 is a JSON list, expected ", "line 4 is not valid JSON (Expect"]
    with pytest.raises(jm.SchemaError, match=r"line 2 is a JSON list, expected an object"):
        read_table(path)  # without a collector, the reader's own error


def test_a_file_of_which_no_line_is_json_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text("customer_id,timestamp\na,1709287200\n")
    with pytest.raises(jm.SchemaError, match=r"notes\.jsonl': line 1 is not valid JSON"):
        jm.read_events(path, on_error="collect")
