"""Hostile and broken input: every row ends in the events or the rejects, nothing crashes or is misread."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeymap as jm
from journeymap.io._time import EPOCH_MS_BEYOND, OUT_OF_RANGE

if TYPE_CHECKING:
    from pathlib import Path

SURROGATE = json.loads('"\\ud83d"')
BASE = {"customer_id": ["a", "b"], "timestamp": ["2024-01-01", "2024-01-02"]}


def accounted(log: jm.EventLog, n: int) -> None:
    assert sorted([*log.events.index, *log.rejected_rows]) == list(range(n))


def reasons(log: jm.EventLog) -> dict[tuple[int, str], str]:
    return {(r.row, r.column): r.reason for r in log.rejects.itertuples()}


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ("3000-01-01", OUT_OF_RANGE),
        ("1600-01-01T00:00:00Z", OUT_OF_RANGE),
        ("Wed Oct 11 06:55:44 +0000 3017", OUT_OF_RANGE),
        (4e15, EPOCH_MS_BEYOND),  # read as milliseconds: the reason says so (microseconds?)
    ],
)
def test_times_outside_the_range_are_rejected_with_their_own_reason(when: object, reason: str) -> None:
    log = jm.read_events(pd.DataFrame({"customer_id": ["a", "b"], "timestamp": [when, "2024-01-02"]}), on_error="collect")
    assert reasons(log) == {(0, "timestamp"): reason}
    accounted(log, 2)


def test_datetime_objects_outside_the_range_are_rejected() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": [pd.Timestamp("2024-01-01"), dt.datetime(3000, 1, 1)]})
    log = jm.read_events(frame, on_error="collect")
    assert reasons(log) == {(1, "timestamp"): OUT_OF_RANGE}


@pytest.mark.parametrize("bad", [np.inf, -np.inf, 1e30, 2.0**60])
def test_non_finite_or_huge_float_ids_are_rejected(bad: float) -> None:
    log = jm.read_events(pd.DataFrame({"event_id": [1.0, bad], **BASE}), on_error="collect")
    assert reasons(log) == {(1, "event_id"): "wrong type: expected a string or integer id"}
    log = jm.read_events(pd.DataFrame({"customer_id": [1.0, bad], "timestamp": BASE["timestamp"]}), on_error="collect")
    assert reasons(log) == {(1, "customer_id"): "wrong type: expected a string or integer id"}


def test_unsigned_and_big_integer_ids_are_read_exactly() -> None:
    log = jm.read_events(pd.DataFrame({"event_id": np.array([1, 2**64 - 1], dtype=np.uint64), **BASE}))
    assert log.events["event_id"].tolist() == ["1", "18446744073709551615"]
    log = jm.read_events(pd.DataFrame({"event_id": pd.Series([1, 2**70], dtype=object), **BASE}))
    assert log.events["event_id"].tolist() == ["1", str(2**70)]


def test_lone_surrogates_are_replaced_and_noted_not_a_crash() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": pd.Series(["a", "b" + SURROGATE], dtype=object),
            "timestamp": BASE["timestamp"],
            "text": pd.Series([SURROGATE + "hi", "ok"], dtype=object),
        }
    )
    log = jm.read_events(frame)
    assert log.events["text"].tolist() == ["\ufffdhi", "ok"]
    assert log.events["customer_id"].tolist() == ["a", "b\ufffd"]
    assert set(zip(log.warnings["row"], log.warnings["column"])) == {(0, "text"), (1, "customer_id")}
    scored = jm.score(frame.assign(actor="customer"), _Constant(), cache=False)
    assert scored["valence"].notna().all()


class _Constant:
    id = "constant.v1"
    taxonomy = jm.Taxonomy.sentiment()

    def score(self, texts: list[str]) -> np.ndarray:
        for text in texts:
            text.encode("utf-8")  # what a tokenizer does: fails on a lone surrogate
        return np.full((len(texts), 4), 0.25, dtype=np.float32)


def test_duplicate_column_names_are_a_clear_error() -> None:
    frame = pd.DataFrame([["a", "2024-01-01", 1]], columns=["customer_id", "timestamp", "customer_id"])
    with pytest.raises(jm.SchemaError, match=r"duplicate column names \['customer_id'\]"):
        jm.read_events(frame)


def test_empty_inputs() -> None:
    log = jm.read_events(pd.DataFrame({"customer_id": pd.Series(dtype=float), "timestamp": pd.Series(dtype=float)}))
    assert len(log) == 0
    assert len(jm.build_journeys(log, by="customer")) == 0


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def test_a_ragged_first_row_is_rejected_not_shifted(folder: Path) -> None:
    (folder / "r.csv").write_text("customer_id,timestamp,text\na,2024-01-01,hi,extra\nb,2024-01-02,yo\n")
    log = jm.read_events(folder / "r.csv", on_error="collect")
    assert log.events[["customer_id", "text"]].values.tolist() == [["b", "yo"]]
    assert reasons(log) == {(0, "(row)"): "4 fields where the header has 3 (line 2 of the file)"}


def test_ragged_later_and_short_rows_are_rejected_in_place(folder: Path) -> None:
    rows = ["customer_id,timestamp,text", "b,2024-01-02,yo", "a,2024-01-01,hi,x", "c,2024-01-03", "d,2024-01-04,ok"]
    (folder / "r.csv").write_text("\n".join(rows) + "\n")
    log = jm.read_events(folder / "r.csv", on_error="collect")
    assert log.events["customer_id"].tolist() == ["b", "d"]
    assert log.events.index.tolist() == [0, 3]
    assert reasons(log) == {
        (1, "(row)"): "4 fields where the header has 3 (line 3 of the file)",
        (2, "(row)"): "2 fields where the header has 3 (line 4 of the file)",
    }
    with pytest.raises(jm.SchemaError, match="row 1"):
        jm.read_events(folder / "r.csv")


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_a_bare_carriage_return_stays_inside_its_field(folder: Path, newline: bytes) -> None:
    rows = [b"customer_id,timestamp,text", b"a,2024-01-01,line1\rline2", b"b,2024-01-02,yo"]
    (folder / "cr.csv").write_bytes(newline.join(rows) + newline)
    log = jm.read_events(folder / "cr.csv", on_error="collect")
    assert log.events["text"].tolist() == ["line1\rline2", "yo"]
    assert len(log.rejects) == 0


def test_pandas_written_text_with_carriage_returns_round_trips(folder: Path) -> None:
    texts = ["x\ry", 'say "hi",\nok']
    frame = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["2024-01-01", "2024-01-02"], "text": texts})
    frame.to_csv(folder / "p.csv", index=False)
    assert jm.read_events(folder / "p.csv").events["text"].tolist() == ["x\ry", 'say "hi",\nok']


def test_a_bad_byte_names_its_line(folder: Path) -> None:
    (folder / "b.csv").write_bytes(b"customer_id,timestamp,text\n" + b"a,2024-01-01,x\n" * 5000 + b"b,2024-01-02,caf\xe9\n")
    with pytest.raises(jm.SchemaError, match=r"line 5002 \(data row 5000 of a CSV\) is not valid UTF-8 \(byte 0xe9"):
        jm.read_events(folder / "b.csv")


def test_empty_file_and_bad_json_lines_are_clear_errors(folder: Path) -> None:
    (folder / "e.csv").write_bytes(b"")
    with pytest.raises(jm.SchemaError, match="is empty"):
        jm.read_events(folder / "e.csv")
    (folder / "b.jsonl").write_text('{"customer_id": "a", "timestamp": "2024-01-01"}\n{"customer_id": "b", oops}\n')
    with pytest.raises(jm.SchemaError, match="line 2 is not valid JSON"):
        jm.read_events(folder / "b.jsonl")


def test_json_arrays_bom_and_semicolons_are_read(folder: Path) -> None:
    (folder / "a.json").write_text(json.dumps([{"customer_id": "a", "timestamp": "2024-01-01"}]))
    assert jm.read_events(folder / "a.json").events["customer_id"].tolist() == ["a"]
    (folder / "bom.csv").write_bytes("\ufeffcustomer_id;timestamp\na;2024-01-01\n".encode())
    assert jm.read_events(folder / "bom.csv").events["customer_id"].tolist() == ["a"]


def test_reply_cycles_self_replies_and_missing_parents_are_reported() -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["x", "y", "z", "w"],
            "in_reply_to": ["y", "x", "z", "nope"],
            "customer_id": ["a"] * 4,
            "timestamp": ["2024-01-01"] * 4,
        }
    )
    log = jm.read_events(frame, on_error="collect")
    found = reasons(log)
    assert found[(2, "in_reply_to")] == "replies to itself"
    assert found[(0, "in_reply_to")].startswith("reply cycle")
    assert found[(1, "in_reply_to")].startswith("reply cycle")
    assert log.events["event_id"].tolist() == ["w"]
    assert log.warnings["reason"].tolist() == ["replies to an event that is not in the data; starts its own thread"]


def test_twcs_keeps_ids_that_only_look_like_floats_apart() -> None:
    tweets = pd.DataFrame(
        {
            "tweet_id": ["v1", "v1.0", "119237.0"],
            "author_id": ["1", "2", "3"],
            "inbound": [True, True, True],
            "created_at": ["Wed Oct 11 06:55:44 +0000 2017"] * 3,
            "text": ["a", "b", "c"],
            "in_response_to_tweet_id": [None, None, None],
        }
    )
    assert jm.read_twcs(tweets).events["event_id"].tolist() == ["v1", "v1.0", "119237"]


def test_an_unreadable_gap_names_the_argument() -> None:
    with pytest.raises(ValueError, match=r"gap must be a duration such as '7D'"):
        jm.build_journeys(jm.datasets.service_journeys(3, seed=0), by="customer", gap="w")


# Hypothesis: frames and files with odd values; events + rejects == input, only documented errors.
VALUES = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["2024-01-01", "3000-01-01", "1507704944", "Wed Oct 11 06:55:44 +0000 2017", "", "customer", "agent"]),
    st.booleans(),
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(dict.fromkeys(("event_id", "customer_id", "timestamp", "actor", "text", "in_reply_to"), VALUES)),
        max_size=12,
    )
)
def test_any_frame_is_accounted_for(rows: list[dict[str, object]]) -> None:
    frame = pd.DataFrame(rows, columns=["event_id", "customer_id", "timestamp", "actor", "text", "in_reply_to"], dtype=object)
    log = jm.read_events(frame, on_error="collect")
    accounted(log, len(frame))


CELLS = st.text(alphabet=st.sampled_from([*list('ab,;"\r\n\t é😡'), "\ufeff"]), max_size=8)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=None, max_examples=40)
@given(cells=st.lists(st.lists(CELLS, min_size=1, max_size=4), max_size=6), newline=st.sampled_from(["\n", "\r\n"]))
def test_any_csv_file_is_accounted_for(tmp_path: Path, cells: list[list[str]], newline: str) -> None:
    header = "customer_id,timestamp,text"
    body = newline.join(",".join(row) for row in cells)
    path = tmp_path / "h.csv"
    text = header + newline + body + newline
    path.write_text(text, encoding="utf-8")
    # the records as documented: rows end at LF or CRLF, a bare CR is text; counted with the csv module
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\ue000")
    try:
        list(csv.reader(io.StringIO(lines, newline=""), strict=True))
        unclosed = False
    except csv.Error as exc:
        unclosed = "unexpected end of data" in str(exc)
    if unclosed:  # a quote never closed would swallow the rest as one field: an error, not a silent loss
        with pytest.raises(jm.SchemaError, match="never closed"):
            jm.read_events(path, on_error="collect")
        return
    log = jm.read_events(path, on_error="collect")
    records = [r for r in csv.reader(io.StringIO(lines, newline="")) if r][1:]
    assert log.n_input == len(records)
    accounted(log, log.n_input)
