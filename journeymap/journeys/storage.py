"""Saving a JourneySet and reading it back: one Parquet file with its journeys' provenance.

:meth:`JourneySet.to_parquet <journeymap.JourneySet.to_parquet>` writes the events frame (every
column: the journey id, step and stage, the emotion scores, ``scorer`` ids, topics ...) with
pyarrow, and stores in the file's schema metadata what the frame alone does not say: how the
journeys were built (``by``), the stage model, the emotion taxonomy and the journeymap version.
:func:`read_journeys` reads it back into an equal JourneySet (same rows, order, index, dtypes,
journeys table, stage model and taxonomy). The events' index (the input row numbers) is kept.
An attribute column of mixed types that Arrow cannot type (``1234`` and ``"A-77"``) is written as
text, with a logged warning naming it: it reads back as strings. An object column reads back as
object with the missing markers it was written with (None, NaN or ``pd.NA``, row by row), which
Arrow does not keep: the metadata lists them (``object_columns``); a file written before
journeymap recorded them reads back with None (pandas 2) or as ``str`` with NaN (pandas 3).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap._paths import check_path
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import ArgumentTypeError, SchemaError, SourceNotFoundError
from journeymap.io._time import EARLIEST, LATEST
from journeymap.io._values import check_tz
from journeymap.journeys._set import JourneySet, check_actors_known
from journeymap.journeys._table import journey_set_from_events
from journeymap.journeys._write import FORMAT_VERSION, MARKERS, METADATA_KEY, save_journeys
from journeymap.model import StageModel

if TYPE_CHECKING:
    import os
    from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["FORMAT_VERSION", "METADATA_KEY", "read_journeys", "write_journeys"]

_NEEDED = ("journey_id", "step", "stage", "customer_id", "timestamp")


def write_journeys(js: JourneySet, path: str | os.PathLike[str], *, compression: str | None = "zstd") -> Path:
    """Write ``js`` to one Parquet file at ``path``; returns the path.

    Args:
        js: the journeys to save.
        path: the file to write (replaced if it exists).
        compression: a Parquet codec (``"zstd"``, ``"snappy"``, ``"gzip"``, None).

    Raises:
        ArgumentTypeError: ``js`` is not a JourneySet, or ``path`` is not a str or path object.
        WriteError: (an ``OSError``) the file cannot be written (its folder missing, say).

    Examples:
        >>> import tempfile, pathlib
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
        >>> out = write_journeys(js, pathlib.Path(tempfile.mkdtemp()) / "journeys.parquet")
        >>> back = read_journeys(out)
        >>> back.journeys.equals(js.journeys), back.events.equals(js.events)
        (True, True)
    """
    if not isinstance(js, JourneySet):
        msg = f"write_journeys needs a JourneySet, got {type(js).__name__}"
        raise ArgumentTypeError(msg)
    return save_journeys(js, path, compression=compression)


def _metadata(path: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends for a file that is not Parquet
        msg = f"{path} is not a Parquet file ({type(exc).__name__}: {exc})"
        raise SchemaError(msg) from exc
    raw = (schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        msg = (
            f"{path} is a Parquet file but was not written by JourneySet.to_parquet (no journeymap metadata); "
            "for plain events use jm.read_events(path) and jm.build_journeys"
        )
        raise SchemaError(msg)
    meta: dict[str, Any] = json.loads(raw)
    version = int(meta.get("format_version", 0))
    if version > FORMAT_VERSION:
        msg = (
            f"{path} was written by journeymap {meta.get('journeymap_version')} in storage layout {version}; "
            f"this journeymap reads layouts up to {FORMAT_VERSION}: upgrade journeymap"
        )
        raise SchemaError(msg)
    return meta


def _check_categories(values: pd.Series, column: str, categories: pd.Index, source: Path) -> None:
    """Refuse values of a categorical column outside the categories it was saved with (an edited file), naming them.

    Cast to those categories they would become missing without a word. The actor column is
    checked as :meth:`JourneySet.with_events <journeymap.JourneySet.with_events>` checks it.

    Raises:
        SchemaError: naming the file, the column and the values.
    """
    if column == "actor":
        check_actors_known(values, str(source))
    present = values[values.notna()]
    outside = present[~present.astype(object).isin(categories.tolist())]
    if len(outside):
        shown = sorted({str(v) for v in outside.unique()})[:5]
        msg = (
            f"{source}: column {column!r} holds {shown} (row(s) {outside.index[:5].tolist()}), outside the categories it "
            f"was saved with ({categories.tolist()[:10]}); the file was altered: write such values as the saved ones, or "
            "read the events with jm.read_events and build the journeys again"
        )
        raise SchemaError(msg)


def _check_times(events: pd.DataFrame, source: Path) -> None:
    """Refuse a ``timestamp`` column that holds no times, or times outside the range :func:`~journeymap.read_events` takes.

    Parquet keeps times in microseconds, so an edited file can hold the year 1500 or 9999; the
    journeys' start and end (in nanoseconds) would wrap around into other years.

    Raises:
        SchemaError: naming the file, the column, the first row(s), their journey(s) and the times.
    """
    times = events["timestamp"]
    if not (isinstance(times.dtype, pd.DatetimeTZDtype) or times.dtype.kind == "M"):
        msg = f"{source}: column 'timestamp' holds {times.dtype} values, not times: the file was altered"
        raise SchemaError(msg)
    aware = times if isinstance(times.dtype, pd.DatetimeTZDtype) else times.dt.tz_localize("UTC")
    outside = ((aware < EARLIEST) | (aware > LATEST)).fillna(False).astype(bool)
    if outside.any():
        first = events.loc[outside].head(3)
        shown = ", ".join(
            f"row {row!r} (journey {str(jid)!r}): {when}"
            for row, jid, when in zip(first.index.tolist(), first["journey_id"].tolist(), first["timestamp"].tolist())
        )
        msg = (
            f"{source}: column 'timestamp' holds {int(outside.sum())} time(s) outside the range journeymap handles "
            f"({EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}; read_events refuses them too): {shown}; the file was altered"
        )
        raise SchemaError(msg)


def _lists_restored(events: pd.DataFrame, schema: Any) -> pd.DataFrame:
    """``events`` with the values of its list columns as Python lists, where Arrow gives NumPy arrays.

    A column of lists (tags, a topic's keywords) is written as Arrow lists; ``to_pandas``
    reads each back as an array, and ``[] == array([])`` is no equality: lists, as saved.
    """
    import pyarrow as pa

    for field in schema:
        kind = field.type
        if field.name in events.columns and (
            pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind)
        ):
            events[field.name] = events[field.name].map(lambda v: v.tolist() if isinstance(v, np.ndarray) else v).astype(object)
    return events


def _markers_restored(events: pd.DataFrame, columns: dict[str, Any]) -> pd.DataFrame:
    """``events`` with its object columns' missing values marked as they were written (None, NaN, ``pd.NA``).

    Arrow keeps only that a value is missing: pandas 2 reads a text column back as object with
    None, pandas 3 as ``str`` with NaN. A column the file's metadata lists as object (``columns``,
    from :func:`~journeymap.journeys._write.missing_markers`) is given back as object, with its
    markers; one Arrow read as another dtype (numbers, written from an object column of ints) is
    left as read. A file without the entry (an older journeymap's) reads as before.
    """
    for column, spec in columns.items():
        if column not in events.columns:
            continue
        values = events[column]
        if not (values.dtype == object or isinstance(values.dtype, pd.StringDtype)):
            continue
        array = values.to_numpy(dtype=object, copy=True)
        main = spec.get("missing")
        if main in MARKERS:
            array[pd.isna(array)] = MARKERS[main]
            for name, rows in (spec.get("rows") or {}).items():
                if name in MARKERS:
                    positions = np.asarray(rows, dtype=np.int64)
                    array[positions[(positions >= 0) & (positions < len(array))]] = MARKERS[name]
        events[column] = pd.Series(array, index=events.index, dtype=object, name=values.name)
    return events


def read_journeys(path: str | os.PathLike[str]) -> JourneySet:
    """Read a JourneySet saved with :meth:`JourneySet.to_parquet`.

    The events come back with the same columns, dtypes, index and row order; the journeys table
    is rebuilt from them; ``by``, the stage model and the taxonomy come from the file's metadata.

    Raises:
        SourceNotFoundError: (a ``FileNotFoundError``) no file at ``path``.
        ArgumentTypeError: ``path`` is not a str or path object (None, a number).
        SchemaError: (a ``JourneyMapError`` and a ``ValueError``) the file is not Parquet, was not
            written by ``to_parquet`` (or by a newer journeymap, in a layout this one cannot read),
            lacks the journey columns or holds another number of journeys than its metadata says;
            a categorical column (``actor``, ``stage``, ...) holds a
            value outside the categories it was saved with (the file was edited), naming the column
            and the values: cast to them it would silently become missing; a ``timestamp`` column
            that holds no times, or times outside 1677-09-22 to 2262-04-10 (as
            :func:`~journeymap.read_events` refuses them), naming the rows, journeys and times.

    Examples:
        >>> import tempfile, pathlib
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(5, seed=0)))
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "scored.parquet"
        >>> back = jm.read_journeys(js.to_parquet(path))
        >>> back.taxonomy == js.taxonomy, back.stages == js.stages, len(back) == len(js)
        (True, True, True)
    """
    import pyarrow.parquet as pq

    source = check_path(path, "path", "the Parquet file to read")
    if not source.is_file():
        msg = f"no such file: {source}"
        raise SourceNotFoundError(msg)
    meta = _metadata(source)
    table = pq.read_table(source)
    events = _markers_restored(_lists_restored(table.to_pandas(), table.schema), meta.get("object_columns", {}))
    for column, spec in meta.get("categoricals", {}).items():
        if column not in events.columns:
            continue
        dtype = events[column].dtype
        same = (
            isinstance(dtype, pd.CategoricalDtype)
            and dtype.categories.tolist() == spec["categories"]
            and bool(dtype.ordered) == bool(spec["ordered"])
        )
        if not same:
            categories = pd.Index(spec["categories"])
            _check_categories(events[column], column, categories, source)
            events[column] = pd.Categorical(events[column], categories=categories, ordered=bool(spec["ordered"]))
    missing = [c for c in _NEEDED if c not in events.columns]
    if missing:
        msg = f"{source} has no column(s) {missing}: not a journeys file (it needs {list(_NEEDED)})"
        raise SchemaError(msg)
    _check_times(events, source)
    stages = StageModel.model_validate(meta["stages"])
    taxonomy = None if meta.get("taxonomy") is None else Taxonomy.model_validate(meta["taxonomy"])
    js = journey_set_from_events(events, stages, by=str(meta["by"]), taxonomy=taxonomy, tz=check_tz(meta.get("tz")))
    if len(js) != int(meta.get("n_journeys", len(js))):
        msg = f"{source} holds {len(js)} journeys but its metadata says {meta['n_journeys']}: the file was altered"
        raise SchemaError(msg)
    logger.info("read %d journeys (%d events) from %s", len(js), len(js.events), source)
    return js
