"""Arrow-backed columns stored in several chunks (seventeenth session's reviews).

A pandas column backed by Arrow holds a chunked array: several chunks after ``pd.concat`` (a
JourneySet scored in parts and put together) and after reading a Parquet file of several row
groups or of more than 131,072 rows. Most analytics raised ``TypeError`` on such a JourneySet
(``ChunkedArray.equals(Array)`` in the journey keys).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import journeymap as jm
from journeymap._arrow import flat_array
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path


def _on_arrow(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns on Arrow, as pandas 3 reads them (pandas 2 reads them as Python strings, never in chunks)."""
    python = [c for c in df.columns if isinstance(df[c].dtype, pd.StringDtype) and df[c].dtype.storage == "python"]
    return df.astype(dict.fromkeys(python, "string[pyarrow]"))


def _chunked(df: pd.DataFrame, parts: int = 3) -> pd.DataFrame:
    return pd.concat([df.iloc[rows] for rows in np.array_split(np.arange(len(df)), parts)])


def _arrow_chunks(column: pd.Series) -> int | None:
    """How many chunks an Arrow-backed column is in; None for another column (pandas 2's Python strings)."""
    arrow = getattr(column.array, "_pa_array", None)
    return None if arrow is None else int(arrow.num_chunks)


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=3)))


CALLS = {
    "journey_metrics": jm.journey_metrics,
    "journey_variants": jm.journey_variants,
    "reply_table": jm.reply_table,
    "reply_waits": jm.reply_waits,
    "response_times": jm.response_times,
    "service_levels": jm.service_levels,
    "trends": jm.trends,
    "triage": jm.triage,
    "compare_segments": lambda js: jm.compare_segments(js, "channel"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_analytics_read_a_journey_set_whose_columns_are_in_chunks(scored: jm.JourneySet, name: str) -> None:
    whole = scored.with_events(_on_arrow(scored.events))
    pieces = scored.with_events(_chunked(whole.events))
    assert _arrow_chunks(pieces.events["journey_id"]) == 3
    pd.testing.assert_frame_equal(CALLS[name](pieces), CALLS[name](whole))


def test_a_parquet_file_of_several_row_groups_reads_back_into_working_journeys(scored: jm.JourneySet, tmp_path: Path) -> None:
    path = scored.to_parquet(tmp_path / "js.parquet")
    table = pq.read_table(path)
    pq.write_table(table, tmp_path / "groups.parquet", row_group_size=50)  # as a file of more than 131,072 rows reads
    back = jm.read_journeys(tmp_path / "groups.parquet")
    chunks = _arrow_chunks(back.events["journey_id"])
    assert chunks is None or chunks > 1  # None: pandas 2 reads text as Python strings, in no chunks
    pd.testing.assert_frame_equal(jm.response_times(back), jm.response_times(scored))
    pd.testing.assert_frame_equal(jm.journey_metrics(back), jm.journey_metrics(scored))


def test_flat_array_combines_chunks() -> None:
    s = pd.concat([pd.Series(["a", "b"], dtype="string[pyarrow]"), pd.Series(["c"], dtype="string[pyarrow]")])
    out = flat_array(s.array, pa.large_string())
    assert isinstance(out, pa.Array)
    assert out.type == pa.large_string()
    assert out.to_pylist() == ["a", "b", "c"]
