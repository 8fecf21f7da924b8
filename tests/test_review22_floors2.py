"""Fixes of the declared floors' second pass (pandas 2.2, pyarrow 15, ...): the Dask build's row
lookups run on several threads at once, ..."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
from journeymap.distributed.journeys import _ROW, _rows_of


def test_rows_gathered_once_are_looked_up_from_many_threads_at_once() -> None:
    # One gathered frame is handed to the tasks of every partition, which dask's threads run at
    # once; a pandas index's hash table, built on first use, is not thread-safe (pandas 2.2 said
    # "cannot reindex on an axis with duplicate labels" for unique row numbers).
    parts = [pd.DataFrame({_ROW: (np.int64(p) << np.int64(32)) + np.arange(2_000, dtype=np.int64)}) for p in range(8)]
    rows = np.concatenate([part[_ROW].to_numpy() for part in parts])
    for _ in range(30):
        found = pd.DataFrame({"value": rows * 2}, index=pd.Index(rows.copy()))  # a fresh index: no hash table yet
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(lambda part: _rows_of(part, found), parts))  # noqa: B023
        for part, values in zip(parts, got, strict=True):
            assert values["value"].tolist() == (part[_ROW] * 2).tolist()


def test_rows_are_looked_up_in_an_index_in_any_order() -> None:
    part = pd.DataFrame({_ROW: np.array([7, 3, 1 << 32], dtype=np.int64)})
    found = pd.Series(["a", "b", "c", "d"], index=pd.Index(np.array([1 << 32, 3, 9, 7], dtype=np.int64)))
    assert _rows_of(part, found).tolist() == ["d", "b", "a"]
    with pytest.raises(RuntimeError, match=r"\[5\]"):
        _rows_of(pd.DataFrame({_ROW: np.array([3, 5], dtype=np.int64)}), found)
