"""Reading a source into a raw frame: files by their suffix, and the column mapping.

These are the first two steps of every reader; :func:`journeymap.io.validate_events` is the last.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from journeymap.exceptions import SchemaError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["file_kind", "map_columns", "read_table"]


def read_table(source: pd.DataFrame | str | Path) -> pd.DataFrame:
    """A pandas frame as it is (with a fresh 0-based index), or a file read as written.

    CSV, TSV, Parquet and JSON Lines are told apart by :func:`file_kind`; every CSV value is read
    as a string, so validation sees the values as written.

    Example:
        >>> read_table(pd.DataFrame({"a": [1]}, index=[7])).index.tolist()
        [0]
    """
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True)
    if not isinstance(source, (str, Path)):
        msg = f"source must be a pandas DataFrame or a path, got {type(source).__name__}"
        raise TypeError(msg)
    path = Path(source)
    if not path.is_file():
        msg = f"source {str(path)!r} does not exist"
        raise FileNotFoundError(msg)
    kind, options = file_kind(str(path))
    frame: pd.DataFrame
    if kind == "csv":
        frame = pd.read_csv(path, **options)
    elif kind == "parquet":
        frame = pd.read_parquet(path).reset_index(drop=True)
    else:
        frame = pd.read_json(path, **options)
    return frame


def file_kind(path: str) -> tuple[Literal["csv", "parquet", "jsonl"], dict[str, Any]]:
    r"""How to read a file, by its suffix: ``"csv"``, ``"parquet"`` or ``"jsonl"``, and the reader's options.

    A ``.gz`` file is read by the suffix before it (``events.csv.gz`` is CSV). The options make
    every CSV value a string (empty fields are missing) and read JSON Lines without guessing
    types, so validation sees the values as written.

    Example:
        >>> file_kind("events.tsv.gz")[0], file_kind("events.jsonl")[0]
        ('csv', 'jsonl')
    """
    suffixes = [s.lower() for s in Path(path).suffixes]
    suffix = suffixes[-1] if suffixes else ""
    if suffix == ".gz" and len(suffixes) > 1:
        suffix = suffixes[-2]
    if suffix in {".csv", ".tsv", ".txt"}:
        return "csv", {"dtype": str, "keep_default_na": False, "na_values": [""], "sep": "\t" if suffix == ".tsv" else ","}
    if suffix in {".parquet", ".pq"}:
        return "parquet", {}
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl", {"lines": True, "dtype": False}
    msg = f"source {path!r}: unknown file type {suffix!r}; use .csv, .tsv, .parquet or .jsonl"
    raise SchemaError(msg)


def map_columns(frame: pd.DataFrame, columns: Mapping[str, str] | None) -> pd.DataFrame:
    """Rename the source's columns to the canonical ones (``{"user": "customer_id"}``).

    Raises:
        SchemaError: a mapped column is not in the frame, or a target name is already taken.

    Example:
        >>> list(map_columns(pd.DataFrame({"user": ["a"]}), {"user": "customer_id"}).columns)
        ['customer_id']
    """
    if not columns:
        return frame
    found = list(map(str, frame.columns))
    missing = [src for src in columns if src not in frame.columns]
    if missing:
        msg = f"columns maps {missing} but the input has no such column; found: {found}"
        raise SchemaError(msg)
    clash = [dst for src, dst in columns.items() if dst in frame.columns and dst not in columns and dst != src]
    if clash:
        msg = f"columns maps onto {clash}, which the input already has; found: {found}"
        raise SchemaError(msg)
    return frame.rename(columns=dict(columns))
