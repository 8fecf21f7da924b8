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
