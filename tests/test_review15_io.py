"""Reader fixes of the fifteenth review (each test fails without its fix)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

import journeymap as jm

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
