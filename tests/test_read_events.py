from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeymap import EventLog, SchemaError, read_events
from journeymap.testing.strategies import event_frames

if TYPE_CHECKING:
    from pathlib import Path

GOOD = pd.DataFrame(
    {
        "event_id": ["1", "2", "3"],
        "customer_id": ["a", "a", "b"],
        "timestamp": ["2017-10-11T06:55:44Z", "2017-10-11T07:55:44+01:00", "2017-10-11 08:00:00"],
        "actor": ["customer", "Agent", "customer"],
        "text": ["my bill is wrong", "sorry, let us look", None],
        "region": ["north", "north", "south"],
    }
)


def assert_no_row_lost(log: EventLog) -> None:
    assert len(log.events) + log.rejects["row"].nunique() == log.n_input
    assert set(log.events.index).isdisjoint(set(log.rejects["row"]))
    assert sorted([*log.events.index, *log.rejected_rows]) == list(range(log.n_input))


def test_reads_a_dataframe_into_canonical_columns() -> None:
    log = read_events(GOOD)
    e = log.events
    assert list(e.columns[:4]) == ["event_id", "customer_id", "timestamp", "actor"]
    assert str(e["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert e["timestamp"].tolist() == [pd.Timestamp("2017-10-11 06:55:44", tz="UTC")] * 2 + [
        pd.Timestamp("2017-10-11 08:00", tz="UTC")
    ]
    assert e["actor"].tolist() == ["customer", "agent", "customer"]
    assert e["region"].tolist() == ["north", "north", "south"]  # other columns kept
    assert e["channel"].tolist() == ["unknown"] * 3
    assert e["touchpoint"].tolist() == ["unknown"] * 3
    assert pd.isna(e["text"].iloc[2])
    assert len(log.rejects) == 0


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl", "tsv"])
def test_reads_files(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"events.{fmt}"
    if fmt == "csv":
        GOOD.to_csv(path, index=False)
    elif fmt == "tsv":
        GOOD.to_csv(path, index=False, sep="\t")
    elif fmt == "parquet":
        GOOD.to_parquet(path)
    else:
        path.write_text("\n".join(json.dumps(r) for r in GOOD.to_dict("records")))
    log = read_events(path)
    assert log.events["event_id"].tolist() == ["1", "2", "3"]
    assert log.events["timestamp"].iloc[0] == pd.Timestamp("2017-10-11 06:55:44", tz="UTC")


def test_unknown_file_type_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "x.doc").write_text("")
    with pytest.raises(SchemaError, match=r"unknown file type '\.doc'"):
        read_events(tmp_path / "x.doc")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_events(tmp_path / "nope.csv")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "sample.csv").write_text("customer_id,timestamp,text\n")
    with pytest.raises(IsADirectoryError, match=r"'.*data' is a folder, not a file.*files in it: sample\.csv"):
        read_events(tmp_path / "data")


def test_column_mapping() -> None:
    df = pd.DataFrame({"user": ["a"], "created_at": ["Wed Oct 11 06:55:44 +0000 2017"], "msg": ["hi"]})
    log = read_events(df, columns={"user": "customer_id", "created_at": "timestamp", "msg": "text"})
    assert log.events["customer_id"].tolist() == ["a"]
    assert log.events["timestamp"].iloc[0] == pd.Timestamp("2017-10-11 06:55:44", tz="UTC")
    with pytest.raises(SchemaError, match=r"columns maps \['usr'\] but the input has no such column; found: "):
        read_events(df, columns={"usr": "customer_id"})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2017-10-11T06:55:44Z", "2017-10-11 06:55:44"),
        ("2017-10-11T08:55:44+02:00", "2017-10-11 06:55:44"),
        ("2017-10-11 06:55:44", "2017-10-11 06:55:44"),  # naive: taken as UTC
        ("Wed Oct 11 06:55:44 +0000 2017", "2017-10-11 06:55:44"),
        ("1507704944", "2017-10-11 06:55:44"),  # epoch seconds
        ("1507704944000", "2017-10-11 06:55:44"),  # epoch milliseconds
        (1507704944, "2017-10-11 06:55:44"),
        (1507704944000, "2017-10-11 06:55:44"),
        (1507704944.5, "2017-10-11 06:55:44.5"),
    ],
)
def test_timestamp_formats(raw: object, expected: str) -> None:
    log = read_events(pd.DataFrame({"customer_id": ["a"], "timestamp": [raw]}))
    assert log.events["timestamp"].iloc[0] == pd.Timestamp(expected, tz="UTC")


def test_missing_required_columns_named_with_found_ones() -> None:
    with pytest.raises(SchemaError, match=r"missing required column\(s\) \['timestamp'\]; found columns: \['customer_id', 'x'\]"):
        read_events(pd.DataFrame({"customer_id": ["a"], "x": [1]}), on_error="collect")


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("timestamp", "yesterday-ish", "unparseable timestamp"),
        ("timestamp", None, "missing timestamp"),
        ("customer_id", None, "missing customer_id"),
        ("customer_id", "  ", "missing customer_id"),
        ("event_id", None, "missing event_id"),
        ("event_id", "1", "duplicate event_id (first seen at row 0)"),
        ("actor", "robot", "unknown actor"),
        ("text", 42, "wrong type: text must be a string, got int"),
        ("customer_id", {"id": "a"}, "wrong type"),
    ],
)
def test_each_bad_row_is_named(column: str, value: object, reason: str) -> None:
    df = GOOD.copy().astype(object)
    df.at[1, column] = value
    with pytest.raises(SchemaError) as info:
        read_events(df)
    message = str(info.value)
    assert f"row 1, column '{column}'" in message
    assert reason in message
    rejects = info.value.rejects
    assert rejects is not None and rejects.iloc[0]["row"] == 1 and rejects.iloc[0]["column"] == column

    log = read_events(df, on_error="collect")
    assert log.events.index.tolist() == [0, 2]
    assert log.rejects["row"].tolist() == [1]
    assert reason in log.rejects["reason"].iloc[0]
    assert_no_row_lost(log)


def test_bad_on_error_argument() -> None:
    with pytest.raises(ValueError, match="on_error must be 'raise' or 'collect'"):
        read_events(GOOD, on_error="ignore")  # type: ignore[arg-type]


def test_ids_from_numbers_become_strings() -> None:
    df = pd.DataFrame({"event_id": [10, 11], "customer_id": [5.0, 6.0], "timestamp": [1507704944, 1507704945]})
    log = read_events(df)
    assert log.events["event_id"].tolist() == ["10", "11"]
    assert log.events["customer_id"].tolist() == ["5", "6"]
    bad = pd.DataFrame({"customer_id": [5.5], "timestamp": [1507704944]})
    with pytest.raises(SchemaError, match="row 0, column 'customer_id': wrong type"):
        read_events(bad)


@given(
    event_frames(min_rows=1),
    st.lists(st.tuples(st.integers(0, 39), st.sampled_from(["timestamp", "customer_id", "event_id", "actor"])), max_size=8),
)
def test_no_row_is_ever_lost(frame: pd.DataFrame, corruptions: list[tuple[int, str]]) -> None:
    frame = frame.astype(object)
    for row, column in corruptions:
        if row < len(frame) and column in frame.columns:  # an optional column may be absent
            frame.at[row, column] = {"timestamp": "??", "customer_id": None, "event_id": "e0", "actor": "x"}[column]
    log = read_events(frame, on_error="collect")
    assert_no_row_lost(log)
    assert log.events["event_id"].is_unique
    assert log.events["timestamp"].notna().all()
    assert np.isin(log.events["actor"].astype(str), ["customer", "agent", "bot", "system"]).all()
