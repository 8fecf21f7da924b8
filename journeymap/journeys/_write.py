"""Writing a JourneySet's events and provenance to one Parquet file: :func:`save_journeys`.

The layout is described in :mod:`journeymap.journeys.storage`, which reads it back. This module
imports nothing of :mod:`journeymap.journeys._set` (it reads a JourneySet through
:class:`SavedJourneys`), so ``JourneySet.to_parquet`` calls it without an import cycle.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Protocol

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

__all__ = ["FORMAT_VERSION", "METADATA_KEY", "check_compression", "save_journeys"]

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
