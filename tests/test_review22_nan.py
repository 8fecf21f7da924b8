"""Review 22: an object column's missing markers (None, NaN, pd.NA) survive to_parquet / read_journeys.

Arrow keeps only "missing": pandas 2 read an object column back with None where the JourneySet
held NaN (TWCS's ``response_tweet_id``), pandas 3 as ``str`` with NaN (so ``equals`` failed).
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

import journeymap as jm
from journeymap.journeys import _write
from journeymap.journeys._write import METADATA_KEY

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def _marker(value: object) -> str:
    if value is None:
        return "none"
    if value is pd.NA:
        return "na"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return "value"


def _journeys() -> jm.JourneySet:
    events = jm.datasets.service_journeys(6, seed=0).events.copy()
    n = len(events)
    events["nan_col"] = pd.Series(["x" if i % 2 else np.nan for i in range(n)], dtype=object, index=events.index)
    events["none_col"] = pd.Series(["x" if i % 2 else None for i in range(n)], dtype=object, index=events.index)
    mixed = ["x" if i % 3 == 0 else (np.nan if i % 3 == 1 else None) for i in range(n)]
    mixed[5] = pd.NA
    events["mixed_col"] = pd.Series(mixed, dtype=object, index=events.index)
    events["all_nan"] = pd.Series([np.nan] * n, dtype=object, index=events.index)
    events["tags"] = pd.Series([["a"] if i % 2 else np.nan for i in range(n)], dtype=object, index=events.index)
    events["n_float"] = np.where(np.arange(n) % 2, 1.5, np.nan)  # a float column: untouched
    return jm.build_journeys(jm.read_events(events))


COLUMNS = ["nan_col", "none_col", "mixed_col", "all_nan", "tags"]


def test_object_columns_keep_their_missing_markers(tmp_path: Path) -> None:
    js = _journeys()
    assert all(js.events[c].dtype == object for c in COLUMNS)
    back = jm.read_journeys(js.to_parquet(tmp_path / "j.parquet"))
    assert back.equals(js)
    for column in COLUMNS:
        assert back.events[column].dtype == object, column
        written = [_marker(v) for v in js.events[column]]
        read = [_marker(v) for v in back.events[column]]
        assert read == written, column
    assert {_marker(v) for v in js.events["mixed_col"]} == {"value", "nan", "none", "na"}
    assert back.events["n_float"].dtype == np.float64
    assert back.events["tags"].dropna().tolist() == js.events["tags"].dropna().tolist()


def test_twcs_response_tweet_id_round_trips(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "tweet_id": [1, 2, 3],
            "author_id": ["115712", "AppleSupport", "115712"],
            "inbound": [True, False, True],
            "created_at": ["Tue Oct 31 22:10:47 +0000 2017", "Tue Oct 31 22:11:47 +0000 2017", "Tue Oct 31 22:12:47 +0000 2017"],
            "text": ["help", "@115712 hi", "thanks"],
            "response_tweet_id": ["2", "3", np.nan],
            "in_response_to_tweet_id": [np.nan, 1.0, 2.0],
        }
    )
    js = jm.build_journeys(jm.read_twcs(frame))
    back = jm.read_journeys(js.to_parquet(tmp_path / "t.parquet"))
    assert back.equals(js)
    column = "response_tweet_id"
    assert back.events[column].dtype == js.events[column].dtype
    assert [_marker(v) for v in back.events[column]] == [_marker(v) for v in js.events[column]]


def test_metadata_lists_the_markers(tmp_path: Path) -> None:
    path = _journeys().to_parquet(tmp_path / "j.parquet")
    meta = json.loads(pq.read_schema(path).metadata[METADATA_KEY])
    columns = meta["object_columns"]
    assert columns["nan_col"] == {"missing": "nan"}
    assert columns["none_col"] == {"missing": "none"}
    assert columns["mixed_col"]["missing"] in ("nan", "none")
    assert "n_float" not in columns


def test_a_file_without_markers_reads_as_before(tmp_path: Path) -> None:
    js = _journeys()
    path = js.to_parquet(tmp_path / "j.parquet")
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[METADATA_KEY])
    del meta["object_columns"]  # as an older journeymap wrote it
    old = tmp_path / "old.parquet"
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, METADATA_KEY: json.dumps(meta).encode()}), old)
    back = jm.read_journeys(old)
    plain = pq.read_table(old).to_pandas()
    for column in ("nan_col", "none_col"):
        assert back.events[column].dtype == plain[column].dtype
        assert [_marker(v) for v in back.events[column]] == [_marker(v) for v in plain[column]]


def test_too_many_odd_markers_read_as_the_main_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from journeymap.journeys._write import missing_markers

    monkeypatch.setattr(_write, "MAX_MARKER_ROWS", 0)
    js = _journeys()
    with caplog.at_level("WARNING", logger="journeymap.journeys._write"):
        back = jm.read_journeys(js.to_parquet(tmp_path / "j.parquet"))
    assert "mixed_col" in caplog.text
    main = missing_markers(js.events["mixed_col"])["missing"]
    read = {_marker(v) for v in back.events["mixed_col"]} - {"value"}
    assert read == {main}
