"""Reader fixes of the fifteenth review (each test fails without its fix)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest

import journeymap as jm
from journeymap.io.sources import read_table

if TYPE_CHECKING:
    from pathlib import Path


def test_a_parquet_file_naming_a_column_twice_says_so(tmp_path: Path) -> None:
    # was "not a readable Parquet file (ArrowInvalid: Multiple matches ... __fragment_index ...)"
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays(
        [pa.array(["a"]), pa.array([dt.datetime(2024, 1, 1)], pa.timestamp("us")), pa.array(["hi"]), pa.array(["hello"])],
        names=["customer_id", "timestamp", "text", "text"],
    )
    path = tmp_path / "dup.parquet"
    pq.write_table(table, path)
    with pytest.raises(jm.SchemaError, match=r"names \['text'\] more than once; give each column its own name") as caught:
        jm.read_events(path)
    assert "__fragment_index" not in str(caught.value)


def test_read_journeys_refuses_a_value_outside_the_saved_categories(tmp_path: Path) -> None:
    # an actor edited to "Agent" came back as NaN, without a word
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    js = jm.build_journeys(jm.datasets.service_journeys(4, seed=0))
    table = pq.read_table(js.to_parquet(tmp_path / "js.parquet"))
    for column, value in [("actor", "Agent"), ("stage", "escalation")]:
        values = pc.cast(table[column], pa.string()).to_pylist()
        values[1] = value
        edited = table.set_column(table.schema.get_field_index(column), column, pa.array(values).dictionary_encode())
        pq.write_table(edited, tmp_path / "edited.parquet")
        with pytest.raises(jm.SchemaError, match=rf"column '{column}' holds \['{value}'\]"):
            jm.read_journeys(tmp_path / "edited.parquet")


_XES_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<log xmlns="http://www.xes-standard.org/">\n'


def _xes_event(attribute: str) -> str:
    return (
        '<trace><string key="concept:name" value="t1"/><event><string key="concept:name" value="call"/>'
        f"{attribute}</event></trace></log>"
    )


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            _xes_event('<date key="time:timestamp" value="2024-01-01T10:00:00Z"/><int key="cost" value="12.5"/>'),
            r"trace 1 \('t1'\), event 1: attribute 'cost' is typed <int> but its value '12.5' is no whole number",
        ),
        (
            _xes_event('<date key="time:timestamp" value="2024-01-01T10:00:00Z"/><float key="cost" value="n/a"/>'),
            r"trace 1 \('t1'\), event 1: attribute 'cost' is typed <float> but its value 'n/a' is no number",
        ),
        (
            _xes_event('<date key="time:timestamp" value="yesterday"/>'),
            r"trace 't1', event 1: attribute 'time:timestamp' holds 'yesterday', which is no ISO 8601 time",
        ),
        (
            '<string key="journeymap:activity" value="touchpoint"/><string key="journeymap:columns" value="{not json"/>'
            + _xes_event('<date key="time:timestamp" value="2024-01-01T10:00:00Z"/>'),
            r"log attribute 'journeymap:columns' holds '\{not json', which is not what to_xes writes",
        ),
    ],
)
def test_read_xes_names_a_value_not_of_its_type(tmp_path: Path, body: str, said: str) -> None:
    # were a bare ValueError (int(), float(), pandas' ISO 8601 parser) or json's JSONDecodeError
    path = tmp_path / "log.xes"
    path.write_text(_XES_HEAD + body)
    with pytest.raises(jm.SchemaError, match=said) as caught:
        jm.read_xes(path)
    assert str(path) in str(caught.value)


def test_ids_a_float_column_wrote_to_csv_read_as_the_frame_reads_them(tmp_path: Path) -> None:
    # pandas writes ids with gaps as "119236.0": every reply link missed its parent and the
    # conversation split in three, noted only in EventLog.warnings
    import pandas as pd

    frame = pd.DataFrame(
        {
            "event_id": [119236.0, 119237.0, 119238.0, None],
            "customer_id": ["ann", "Acme", "ann", "bob"],
            "actor": ["customer", "agent", "customer", "customer"],
            "timestamp": ["2024-01-01T10:00Z", "2024-01-01T10:05Z", "2024-01-01T10:09Z", "2024-01-01T11:00Z"],
            "in_reply_to": [None, 119236, 119237, None],
        }
    )
    path = tmp_path / "links.csv"
    frame.to_csv(path, index=False)
    assert "119236.0" in path.read_text()
    log = jm.read_events(path, on_error="collect")
    from_frame = jm.read_events(frame, on_error="collect")
    assert log.events["event_id"].tolist() == from_frame.events["event_id"].tolist() == ["119236", "119237", "119238"]
    assert log.events["in_reply_to"].tolist()[1:] == [
        "119236",
        "119237",
    ]
    assert log.warnings.empty
    assert len(jm.build_journeys(log)) == len(jm.build_journeys(from_frame)) == 1


def test_float_written_ids_past_2_53_are_rejected_as_in_a_float_column() -> None:
    import pandas as pd

    text = pd.DataFrame(
        {"event_id": ["9007199254740993.0", "5.0"], "customer_id": "a", "timestamp": ["2024-01-01", "2024-01-02"]}
    )
    floats = text.assign(event_id=[9007199254740993.0, 5.0])
    for frame in (text, floats):
        log = jm.read_events(frame, on_error="collect")
        assert log.rejects[["row", "column", "reason"]].values.tolist() == [
            [0, "event_id", "wrong type: expected a string or integer id"]
        ]
        assert log.events["event_id"].tolist() == ["5"]


def test_text_ids_beside_float_text_stay_as_written_and_missed_links_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    # a column of other text ("v1") is no float column: "1.0" is kept as written; the link that
    # then misses is logged, not only stored in EventLog.warnings
    import pandas as pd

    frame = pd.DataFrame(
        {
            "event_id": ["1", "v1", "3"],
            "customer_id": "a",
            "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"],
            "in_reply_to": [None, "1.0", "v1"],
        }
    )
    with caplog.at_level("WARNING", logger="journeymap"):
        log = jm.read_events(frame)
    assert log.events["in_reply_to"].tolist()[1:] == ["1.0", "v1"]
    assert log.warnings["row"].tolist() == [1]
    assert "1 of 2 replies (column 'in_reply_to') name an event that is not in the data, such as '1.0'" in caplog.text


def test_excel_ids_past_2_53_stored_as_floats_are_rejected_as_in_a_frame(tmp_path: Path) -> None:
    # pandas' Excel reader made the whole float 1.18e18 the int 1180000000000000000: two ids
    # became one and the second was rejected as a "duplicate"
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["event_id", "customer_id", "timestamp", "in_reply_to"])
    sheet.append([float(1180000000000000001), "ann", "2024-01-01T10:00Z", None])
    sheet.append([None, None, None, None])  # a blank row keeps its place
    sheet.append([float(1180000000000000002), "ann", "2024-01-01T10:05Z", float(1180000000000000001)])
    sheet.append(["1180000000000000003", "bob", "2024-01-01T10:06Z", None])  # a text cell is exact
    path = tmp_path / "ids.xlsx"
    book.save(path)
    log = jm.read_events(path, on_error="collect")
    wrong = "wrong type: expected a string or integer id"
    assert log.rejects[log.rejects["reason"] != "missing event_id"][["row", "column", "reason"]].values.tolist()[:1] == [
        [0, "event_id", wrong],
    ]
    assert log.rejects[log.rejects["row"] == 2][["row", "column", "reason"]].values.tolist() == [
        [2, "event_id", wrong],
        [2, "in_reply_to", wrong],
    ]
    assert "duplicate" not in " ".join(log.rejects["reason"])
    assert log.events["event_id"].tolist() == ["1180000000000000003"]


@pytest.mark.parametrize(
    ("text", "name", "suffix"),
    [
        ('{"customer_id": "alice", "customer_id": "bob", "timestamp": "2024-01-01T10:00Z"}', "customer_id", "jsonl"),
        ('{"customer": {"id": "alice"}, "customer.id": "bob", "timestamp": "2024-01-01T10:00Z"}', "customer.id", "jsonl"),
        (
            (
                '{"customer.id": "x", "timestamp": "2024-01-02"}\n'
                '{"customer": {"id": "alice", "id": "bob"}, "timestamp": "2024-01-01"}'
            ),
            "customer.id",
            "jsonl",
        ),
        (
            (
                '[{"customer.id": "x", "timestamp": "2024-01-02"}, '
                '{"customer.id": "a", "customer.id": "bob", "timestamp": "2024-01-01"}]'
            ),
            "customer.id",
            "json",
        ),
    ],
)
def test_a_json_object_giving_a_column_two_values_is_rejected(tmp_path: Path, text: str, name: str, suffix: str) -> None:
    # one of the two values was kept without a word (the last key, or the dotted key over the nested one)
    path = tmp_path / f"events.{suffix}"
    path.write_text(text + "\n")
    log = jm.read_events(path, columns={"customer.id": "customer_id"} if name == "customer.id" else None, on_error="collect")
    rows = log.rejects[log.rejects["column"] == "(row)"]
    assert len(rows) == 1
    assert f"gives column(s) ['{name}'] two values" in rows["reason"].iloc[0]
    assert log.n_input == len(log.events) + len(log.rejected_rows)
    assert "bob" not in log.events["customer_id"].tolist()
    with pytest.raises(jm.SchemaError, match=rf"gives column\(s\) \['{re.escape(name)}'\] two values"):
        read_table(path)


def test_a_json_object_of_columns_naming_a_column_twice_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "columns.json"
    path.write_text('{"customer_id": {"0": "a"}, "customer_id": {"0": "b"}, "timestamp": {"0": "2024-01-01"}}')
    with pytest.raises(jm.SchemaError, match=r"the JSON object names \['customer_id'\] more than once"):
        jm.read_events(path)


def test_column_names_that_are_no_text_are_read_as_text(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # a frame's 2024 or an Excel date header cell was kept as a number or a datetime: read_events
    # and build_journeys took it, then score failed with AttributeError and to_xes with TypeError
    import pandas as pd

    frame = pd.DataFrame({"customer_id": ["ann", "ann"], "timestamp": ["2024-01-01T10:00Z", "2024-01-01T11:00Z"]})
    frame[2024] = ["x", "y"]
    frame[dt.datetime(2024, 1, 1)] = [1, 2]
    with caplog.at_level("WARNING", logger="journeymap"):
        log = jm.read_events(frame)
    assert list(log.events.columns[-2:]) == ["2024", "2024-01-01 00:00:00"]
    assert "column name(s) [2024, datetime.datetime(2024, 1, 1, 0, 0)] are not text" in caplog.text
    jm.to_xes(jm.build_journeys(log, by="customer"), tmp_path / "log.xes")  # was a TypeError
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["customer_id", "timestamp", 2024, dt.datetime(2024, 1, 1)])
    book.active.append(["ann", "2024-01-01T10:00Z", "x", 1])
    book.save(tmp_path / "h.xlsx")
    names = jm.read_events(tmp_path / "h.xlsx").events.columns
    assert all(isinstance(name, str) for name in names)
    assert {"2024", "2024-01-01 00:00:00"} <= set(names)
