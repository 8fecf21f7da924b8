"""Reader fixes of the twelfth review (each test fails without its fix)."""

from __future__ import annotations

import gzip
import json
import re
from typing import TYPE_CHECKING, Any

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


def _same_as_one_machine(path: Path, **options: Any) -> jm.EventLog:
    """The Dask reader's log of ``path``, checked to be the single-machine reader's, rejects and reasons included."""
    import journeymap.distributed as jmd

    single = jm.read_events(path, on_error="collect")
    dlog = jmd.read_events(path, on_error="collect", **options)
    got = dlog.compute()
    pd.testing.assert_frame_equal(got.events, single.events)
    pd.testing.assert_frame_equal(got.rejects, single.rejects)
    assert got.n_input == single.n_input
    return got


@pytest.mark.parametrize("late", [True, False])
def test_dask_json_lines_whose_records_differ_in_their_keys(tmp_path: Path, late: bool) -> None:
    # an optional key in some blocks only: a bare dask "Metadata mismatch found in from_delayed"
    pytest.importorskip("dask.dataframe")
    rows: list[dict[str, Any]] = [
        {"event_id": i, "customer_id": "c1", "timestamp": 1709287200 + 60 * i, "text": "hello there " * 3} for i in range(60)
    ]
    rows[45 if late else 2]["in_reply_to"] = 44 if late else 1  # in a later block only, or in the first only
    rows[50]["meta"] = {"lang": "en"}  # a nested object, in one block: a dotted column, as on one machine
    path = tmp_path / "sparse.jsonl"
    path.write_text(_json_lines([json.dumps(row) for row in rows]))
    got = _same_as_one_machine(path, blocksize=1000)
    assert {"in_reply_to", "meta.lang"} <= set(got.events.columns)
    assert got.events["in_reply_to"].notna().sum() == 1


def test_dask_json_lines_reject_a_broken_line_as_one_machine_does(tmp_path: Path) -> None:
    pytest.importorskip("dask.dataframe")
    import journeymap.distributed as jmd

    path = tmp_path / "cut.jsonl"
    lines = [_event(i) for i in range(300)]
    lines[150] = "[150]"  # no object, in a middle block
    path.write_text(_json_lines(lines[:200]) + "\n" + _json_lines(lines[200:]) + '{"event_id": 300, "cust')
    got = _same_as_one_machine(path, blocksize=2000)
    noted = got.rejects[got.rejects["column"] == "(row)"]
    assert noted["row"].tolist() == [150, 300]
    assert noted["reason"].str.slice(0, 9).tolist() == ["line 151 ", "line 302 "]  # lines of the file, not of a block
    with pytest.raises(jm.SchemaError, match=r"row 150, column '\(row\)': line 151 is a JSON list"):
        jmd.read_events(path, blocksize=2000)


@pytest.mark.parametrize("ends", ["\n", "\r\n", "\r"])
def test_dask_json_lines_line_ends_and_gzip_as_one_machine(tmp_path: Path, ends: str) -> None:
    pytest.importorskip("dask.dataframe")
    lines = [_event(i) for i in range(40)]
    lines[7] = '{"event_id": 7, "customer_id": "a", "timestamp": 1709287207, "agent_id": "x"}'
    lines[30] = "{oops"
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + ends.join(lines).encode() + ends.encode())
    got = _same_as_one_machine(path, blocksize=500)
    assert got.rejects["row"].unique().tolist() == [30]
    zipped = tmp_path / "events.jsonl.gz"
    zipped.write_bytes(gzip.compress(path.read_bytes()))
    _same_as_one_machine(zipped)


def test_dask_json_lines_name_a_bad_byte_as_one_machine(tmp_path: Path) -> None:
    pytest.importorskip("dask.dataframe")
    import journeymap.distributed as jmd

    path = tmp_path / "latin.jsonl"
    lines = [_event(i) for i in range(100)]
    lines[80] = lines[80].replace('"a"', '"caf\xe9"')
    path.write_bytes(_json_lines(lines).encode("latin-1"))
    with pytest.raises(jm.SchemaError) as single:
        jm.read_events(path, on_error="collect")
    with pytest.raises(jm.SchemaError) as dask:  # before: a bare UnicodeDecodeError from dask
        jmd.read_events(path, on_error="collect", blocksize=1000)
    assert str(dask.value) == str(single.value)
    assert "line 81 is not valid UTF-8 (byte 0xe9" in str(single.value)


def test_dask_json_lines_of_no_object_are_an_error_as_one_machine(tmp_path: Path) -> None:
    pytest.importorskip("dask.dataframe")
    import journeymap.distributed as jmd

    path = tmp_path / "notes.jsonl"
    path.write_text("\n" * 50 + "customer_id,timestamp\n" * 50)
    with pytest.raises(jm.SchemaError) as single:
        jm.read_events(path, on_error="collect")
    with pytest.raises(jm.SchemaError) as dask:
        jmd.read_events(path, on_error="collect", blocksize=200)
    assert str(dask.value) == str(single.value)
    assert "line 51 is not valid JSON" in str(single.value)


def test_json_lines_whose_first_line_is_a_list_reject_that_line_on_one_machine(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The second diff review: a first line "[1, 2]" sent the whole file down the JSON-array path,
    # which failed, while the Dask reader rejected the line alone.
    path = tmp_path / "first_list.jsonl"
    records = [{"customer_id": f"c{i}", "timestamp": f"2024-03-01T10:0{i}:00Z", "text": "hi"} for i in range(5)]
    path.write_text("[1, 2]\n" + "\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    log = jm.read_events(path, on_error="collect")
    assert len(log.events) == 5
    assert set(log.rejects["row"]) == {0}
    assert log.rejects["reason"].str.contains("line 1 is a JSON list").any()


def test_twitter_dates_with_a_colon_in_the_offset_beyond_the_range_are_out_of_range() -> None:
    frame = pd.DataFrame(
        {"customer_id": ["a", "b"], "timestamp": ["Wed Oct 11 06:55:44 +00:00 3017", "Wed Oct 11 06:55:44 +0000 3017"]}
    )
    log = jm.read_events(frame, on_error="collect")
    assert log.rejects["reason"].str.startswith("timestamp out of range").all()
