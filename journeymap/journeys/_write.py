"""Writing a JourneySet's events and provenance to one Parquet file: :func:`save_journeys`.

The layout is described in :mod:`journeymap.journeys.storage`, which reads it back. This module
imports nothing of :mod:`journeymap.journeys._set` (it reads a JourneySet through
:class:`SavedJourneys`), so ``JourneySet.to_parquet`` calls it without an import cycle.
"""

from __future__ import annotations

import json
import logging
import math
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from journeymap._paths import check_path
from journeymap.exceptions import InvalidArgumentError, WriteError
from journeymap.io._values import zone_name

if TYPE_CHECKING:
    import datetime as dt
    import os
    from pathlib import Path

    from journeymap.emotions.taxonomy import Taxonomy
    from journeymap.model import StageModel

logger = logging.getLogger(__name__)

__all__ = ["FORMAT_VERSION", "MARKERS", "METADATA_KEY", "check_compression", "missing_markers", "save_journeys"]

#: The key of journeymap's entry in the Parquet schema metadata.
METADATA_KEY = b"journeymap"
#: Version of the stored layout; a reader refuses files from a newer layout.
FORMAT_VERSION = 1


class SavedJourneys(Protocol):
    """What the writer reads of a :class:`~journeymap.JourneySet`: its events, how they were built, its length."""

    events: pd.DataFrame
    stages: StageModel
    by: str
    tz: dt.tzinfo | None

    @property
    def taxonomy(self) -> Taxonomy | None: ...  # pragma: no cover - a protocol

    def __len__(self) -> int: ...  # pragma: no cover - a protocol


def _json_categories(categories: pd.Index) -> bool:
    """Whether categories are numbers or text, which the file's JSON metadata can hold exactly."""
    return all(isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in categories.tolist())


#: The missing markers an object column can hold, by their name in the file's metadata.
MARKERS: dict[str, Any] = {"none": None, "nan": float("nan"), "na": pd.NA}
#: The most rows of a column holding a missing marker other than its main one that are listed
#: in the metadata (their positions); past it they read back as the main marker (logged).
MAX_MARKER_ROWS = 100_000


def _marker_name(value: object) -> str | None:
    """``"none"``, ``"nan"`` or ``"na"`` for a missing marker; None for a value or another marker (NaT)."""
    if value is None:
        return "none"
    if value is pd.NA:
        return "na"
    if isinstance(value, float) and math.isnan(value):  # np.float64 too
        return "nan"
    return None


def missing_markers(values: pd.Series) -> dict[str, Any]:
    """How an object column marks missing values, for :func:`~journeymap.journeys.storage.read_journeys` to restore.

    ``{"missing": name}``, the marker most of its missing values use (None where it has none), and
    ``"rows"``: the positions of those marked otherwise, by marker, where there are any.

    Examples:
        >>> import numpy as np, pandas as pd
        >>> missing_markers(pd.Series(["a", np.nan, None, np.nan], dtype=object))
        {'missing': 'nan', 'rows': {'none': [2]}}
        >>> missing_markers(pd.Series(["a", None], dtype=object))
        {'missing': 'none'}
    """
    array = values.to_numpy(dtype=object)
    missing = np.flatnonzero(pd.isna(array))
    names = [_marker_name(array[i]) for i in missing]
    counts = {n: names.count(n) for n in MARKERS if n in names}
    if not counts:
        return {"missing": None}
    main = max(counts, key=lambda n: counts[n])
    spec: dict[str, Any] = {"missing": main}
    rows = {n: [int(i) for i, m in zip(missing, names) if m == n] for n in counts if n != main}
    if rows:
        listed = sum(len(r) for r in rows.values())
        if listed > MAX_MARKER_ROWS:
            logger.warning(
                "column %r marks %d missing values otherwise than its other %d (%s): they read back as %s",
                values.name,
                listed,
                counts[main],
                main,
                main,
            )
        else:
            spec["rows"] = rows
    return spec


def check_compression(compression: object) -> None:
    """Refuse a Parquet codec that pyarrow does not have, naming the ones it does.

    Examples:
        >>> check_compression("zstd")
        >>> check_compression("lzma9")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: compression='lzma9' is not a Parquet codec pyarrow has here; ...
    """
    import pyarrow as pa

    if compression is None:
        return
    names = ("snappy", "gzip", "brotli", "zstd", "lz4", "none")
    if not isinstance(compression, str) or compression.lower() not in names or not pa.Codec.is_available(compression):
        have = [n for n in names[:-1] if pa.Codec.is_available(n)]
        msg = f"compression={compression!r} is not a Parquet codec pyarrow has here; use one of {have} or None"
        raise InvalidArgumentError(msg)


def save_journeys(js: SavedJourneys, path: str | os.PathLike[str], *, compression: str | None = "zstd") -> Path:
    """Write ``js`` to one Parquet file at ``path`` (replaced if it exists); returns the path.

    :func:`journeymap.journeys.storage.write_journeys` checks ``js`` first; see it for an example.
    """
    from importlib.metadata import PackageNotFoundError, version

    import pyarrow.parquet as pq

    try:
        journeymap_version = version("journeymap")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        journeymap_version = "0+unknown"
    target = check_path(path, "path", "the Parquet file to write")
    check_compression(compression)
    meta: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "journeymap_version": journeymap_version,
        "by": js.by,
        "stages": js.stages.model_dump(mode="json"),
        "taxonomy": None if js.taxonomy is None else js.taxonomy.model_dump(mode="json"),
        "tz": zone_name(js.tz),  # the zone the events were read in (a tzinfo without a name is not kept)
        "n_journeys": len(js),
        "scorers": sorted(js.events["scorer"].dropna().astype(str).unique().tolist()) if "scorer" in js.events else [],
        # categorical columns with numbers or text for categories: Arrow reads numbers back as
        # plain numbers, and an empty column back without its categories (and their order)
        "categoricals": {
            str(c): {"categories": js.events[c].cat.categories.tolist(), "ordered": bool(js.events[c].cat.ordered)}
            for c in js.events.columns
            if isinstance(js.events[c].dtype, pd.CategoricalDtype) and _json_categories(js.events[c].cat.categories)
        },
        # object columns and the missing marker (None, NaN, pd.NA) each holds: Arrow keeps only
        # "missing", read back as None (pandas 2) or as text with NaN (pandas 3)
        "object_columns": {str(c): missing_markers(js.events[c]) for c in js.events.columns if js.events[c].dtype == object},
    }
    table = _arrow_table(js.events)
    merged = {**(table.schema.metadata or {}), METADATA_KEY: json.dumps(meta).encode()}
    table = table.replace_schema_metadata(merged)
    try:
        pq.write_table(table, target, compression=compression)
    except OSError as exc:
        msg = f"cannot write the journeys to {target}: {exc}"
        raise WriteError(msg) from exc
    logger.info("wrote %d journeys (%d events) to %s", len(js), len(js.events), target)
    return target


def _arrow_table(events: pd.DataFrame) -> Any:
    """The events as an Arrow table; object columns Arrow cannot type (``1234`` and ``"A-77"``) as text.

    Such a column is written as strings (missing values stay missing) with a logged warning
    naming it, so it reads back as text: ``read_journeys`` then gives ``"1234"`` where the
    JourneySet held ``1234`` (:func:`journeymap._arrow.arrow_table`).

    Raises:
        SchemaError: a column Arrow cannot write even as text, named.
    """
    from journeymap._arrow import arrow_table

    return arrow_table(events, preserve_index=True, what="the journeys")
