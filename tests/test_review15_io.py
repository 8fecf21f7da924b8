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

