"""Events on a Dask cluster: :class:`DaskEventLog`, :func:`read_events`, :func:`from_pandas`.

Validation is the single-machine validator, block by block, with input row numbers counted
across blocks and duplicate ids found across the whole input first (one pass over the id column).
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import glob
import logging
import operator
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.base import compute as dask_compute
from dask.base import persist as dask_persist
from dask.delayed import delayed

from journeymap.exceptions import ArgumentTypeError, SchemaError, SourceIsFolderError, SourceNotFoundError
from journeymap.io import (
    EventLog,
    OnError,
    as_id,
    check_on_error,
    empty_rejects,
    file_kind,
    map_columns,
    raise_invalid,
    read_table,
)
from journeymap.io._infer import Kind, attribute_kinds, merge_kinds, typed_attributes
from journeymap.io._values import (
    ambiguous_roles,
    check_actors,
    check_brands,
    check_columns,
    check_tz,
    distinct_roles,
    prepare,
    role_column,
)
from journeymap.io.events import log_dangling_replies
from journeymap.io.sources import (
    column_keys,
    flattened,
    json_lines_records,
    read_csv_header,
    read_json_lines,
    text_names,
    utf8_message,
)
from journeymap.io.validation import Problems, check_replies, replied_to, validate_block
from journeymap.schema import CANONICAL_COLUMNS

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Iterator, Mapping

__all__ = ["DaskEventLog", "from_pandas", "read_events"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class DaskEventLog:
    """Validated events as a dask DataFrame, and the rejected rows, lazily.

    Like :class:`~journeymap.EventLog`: ``events`` is indexed by input row number (counted
    across all files and blocks), ``rejects`` has ``row``, ``column``, ``reason``, ``value``, and
    every input row is in one of them. Both are computed from the same validation tasks, so
    ``dask_compute(log.events, log.rejects)`` (or :meth:`persist`) validates once.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.distributed import from_pandas
        >>> log = from_pandas(jm.datasets.service_journeys(20, seed=0), npartitions=2)
        >>> log.events.npartitions, len(log.compute()) == log.n_input
        (2, True)
    """

    events: dd.DataFrame
    rejects: dd.DataFrame
    n_input: int
    #: Rows kept with a note (a reply to an event not in the data), as in ``EventLog.warnings``;
    #: found while reading, so in memory. The caveats found block by block as the events are
    #: validated (a naive time read by a clock-change rule, a lone surrogate replaced, a score
    #: that is no number) are logged as a warning, a count per reason and block, instead.
    warnings: pd.DataFrame = field(default_factory=empty_rejects)
    #: the zone the events were read in (``read_events(tz=)``, else a tz-aware column's own), as in ``EventLog.tz``
    tz: dt.tzinfo | None = None

    def __repr__(self) -> str:
        return f"DaskEventLog({self.events.npartitions} partitions, from {self.n_input} input rows)"

    def persist(self) -> DaskEventLog:
        """The same log with events and rejects computed and kept in (cluster) memory."""
        events, rejects = dask_persist(self.events, self.rejects)
        return DaskEventLog(events, rejects, self.n_input, self.warnings, tz=self.tz)

    def compute(self) -> EventLog:
        """The log as an ordinary in-memory :class:`~journeymap.EventLog`."""
        events, rejects = dask_compute(self.events, self.rejects)
        rejects = rejects.sort_values("row", kind="stable").reset_index(drop=True)
        warnings = self.warnings.sort_values("row", kind="stable").reset_index(drop=True)
        return EventLog(events=events.sort_index(), rejects=rejects, warnings=warnings, n_input=self.n_input, tz=self.tz)


def from_pandas(log: EventLog, *, npartitions: int | None = None, chunksize: int | None = None) -> DaskEventLog:
    """An already validated :class:`~journeymap.EventLog` as a :class:`DaskEventLog` (no validation again).

    Args:
        log: the events, e.g. from :func:`journeymap.read_events` or :mod:`journeymap.datasets`.
        npartitions: number of partitions (default: 1 per 100,000 events, at least 1).
        chunksize: rows per partition, instead of ``npartitions``.

    To validate a raw pandas frame on the cluster, use :func:`read_events`.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.distributed import from_pandas
        >>> from_pandas(jm.datasets.service_journeys(10, seed=0), npartitions=3).events.npartitions
        3
    """
    if not isinstance(log, EventLog):
        msg = f"from_pandas needs an EventLog, got {type(log).__name__}; for a raw frame use read_events(frame)"
        raise ArgumentTypeError(msg)
    if npartitions is None and chunksize is None:
        npartitions = max(1, len(log.events) // 100_000)
    # Keep pandas' dtypes, as on one machine: dask would turn "str" columns into NA-valued "string" ones.
    with dask.config.set({"dataframe.convert-string": False}):
        events = dd.from_pandas(log.events, npartitions=npartitions, chunksize=chunksize, sort=False)
        rejects = dd.from_pandas(log.rejects, npartitions=1, sort=False)
    return DaskEventLog(events, rejects, log.n_input, log.warnings, tz=log.tz)


def _read_raw(
    source: Any, blocksize: str | int | None, npartitions: int | None
) -> tuple[dd.DataFrame, dd.DataFrame | None, bool]:
    """The source as a dask DataFrame of raw rows, what the reader found wrong in them, and whether it is CSV text.

    The second item lists the malformed rows the reader kept in place (as
    :class:`~journeymap.io.Problems` notes them), numbered within their partition, whose number
    is in a ``part`` column (CSV rows, JSON Lines lines that are no object); None for sources read without
    such notes (Parquet, Excel, frames). The third is True for CSV/TSV files, read as text, whose
    attribute columns are then typed as on one machine (:func:`~journeymap.io._infer.typed_attributes`).
    """
    if isinstance(source, dd.DataFrame):
        return _text_named(_named_index_as_column(source)), None, False
    if isinstance(source, pd.DataFrame):
        return dd.from_pandas(read_table(source), npartitions=npartitions or 1, sort=False), None, False
    paths = [source] if isinstance(source, (str, Path)) else list(source)
    if not paths or not all(isinstance(p, (str, Path)) for p in paths):
        msg = f"source must be a path, a list of paths, a glob, or a pandas or dask DataFrame; got {source!r}"
        raise ArgumentTypeError(msg)
    names = [str(p) for p in paths]
    for name in names:
        if not _remote(name) and not _is_glob(name) and not Path(name).exists():
            msg = f"source {name!r} does not exist"
            raise SourceNotFoundError(msg)
    files = _local_files(names)  # globs expanded: each file's type is read from its own name
    kind = _files_kind(files)
    if kind == "parquet":
        # as on one machine: an integer column with nulls (in_reply_to) as Python ints and None,
        # not float64, which rounds ids past 2**53 (19-digit tweet ids)
        # a stored pandas index (df.set_index("event_id").to_parquet(...)) comes back as dask's index: data, as on one machine
        return _named_index_as_column(dd.read_parquet(files, arrow_to_pandas={"integer_object_nulls": True})), None, False
    if kind == "excel":  # a workbook cannot be read in blocks: read here, one partition per file
        return dd.concat([dd.from_pandas(read_table(name), npartitions=1) for name in files]), None, False
    if kind == "csv":
        return (*_read_csv_files(files), True)
    return (*_read_json_files(files, blocksize), False)


_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")  # what dask reads in a Parquet dataset folder
_KIND_NAMES = {"csv": "CSV/TSV", "parquet": "Parquet", "jsonl": "JSON Lines", "excel": "Excel"}


def _files_kind(files: list[str]) -> str:
    """The one type of the files (``"csv"``, ``"parquet"``, ``"jsonl"``, ``"excel"``), each told by its own name.

    A folder is a Parquet dataset, and must be the only source.

    Raises:
        SchemaError: a file of an unknown type (naming it and the types read), or files of several types.
        SourceIsFolderError: a folder that holds no Parquet file, or a folder beside other sources.
    """
    kinds: dict[str, list[str]] = {}
    for name in files:
        if not _remote(name) and Path(name).is_dir():
            _check_parquet_folder(name, alone=len(files) == 1)
            kind = "parquet"
        else:
            kind = file_kind(name)[0]  # an unknown suffix is an error naming the file and the types read
        kinds.setdefault(kind, []).append(name)
    if len(kinds) > 1:
        found = "; ".join(
            f"{_KIND_NAMES[kind]}: {names[0]!r}" + (f" (and {len(names) - 1} more)" if len(names) > 1 else "")
            for kind, names in kinds.items()
        )
        msg = f"source mixes file types ({found}); read files of one type at a time (CSV/TSV, Parquet, JSON Lines or Excel)"
        raise SchemaError(msg)
    return next(iter(kinds))


def _check_parquet_folder(folder: str, *, alone: bool) -> None:
    """Raise unless ``folder`` is a Parquet dataset (a folder with Parquet files in it, at any depth) given alone.

    Raises:
        SourceIsFolderError: naming the folder, what is in it, and what to give instead.
    """
    path = Path(folder)
    inside = sorted(child.name for child in path.iterdir() if child.is_file() and not child.name.startswith("."))
    listed = f"files in it: {', '.join(inside[:5])}{', ...' if len(inside) > 5 else ''}" if inside else "it holds no files"
    if not any(p.is_file() and p.suffix.lower() in _PARQUET_SUFFIXES for p in path.rglob("*")):
        suffix = "".join(Path(inside[0]).suffixes[-2:]) if inside and Path(inside[0]).suffix else ".csv"
        msg = (
            f"source {folder!r} is a folder without Parquet files ({listed}): only a Parquet dataset is read as a "
            f"folder; give its files, or a glob of them ({str(path / ('*' + suffix))!r})"
        )
        raise SourceIsFolderError(msg)
    if not alone:
        msg = f"source {folder!r} is a folder (a Parquet dataset) beside other sources: give the dataset alone, or its files"
        raise SourceIsFolderError(msg)


def _named_index_as_column(frame: dd.DataFrame) -> dd.DataFrame:
    """A named index as a column, as on one machine (:func:`journeymap.io.sources.read_table`); an unnamed one left as it is.

    An index named like a column gives way to the column (the reader ignores the index).
    """
    name = frame._meta.index.name
    return frame.reset_index() if name is not None and name not in frame.columns else frame


def _text_named(frame: dd.DataFrame) -> dd.DataFrame:
    """Column names that are not text (a number) as text, with a logged warning, as on one machine (:func:`text_names`)."""
    named = text_names(frame._meta, "the input DataFrame")
    if named is frame._meta:
        return frame
    return frame.rename(columns=dict(zip(frame._meta.columns, named.columns)))


@dataclass(frozen=True)
class _JsonKeys:
    """The keys of a block's records (dotted for nested objects, in the order they appear), its objects and bad lines.

    ``first_bad`` is the first line that is no JSON object: its number within the block (from 1)
    and what is wrong with it; None when every line is an object.
    """

    names: list[str]
    objects: int
    bad: int
    first_bad: tuple[int, str] | None


@dataclass(frozen=True)
class _JsonScan:
    """What a first pass over one block of a JSON Lines file finds: little, sent back to the client.

    ``keys`` are those of its lines read as ending at a line feed; ``keys_cr`` those read as
    ending at a carriage return, for a block without a line feed (the file may have old-Mac line
    ends). ``bad_byte``: where the first byte that is not UTF-8 is (offset in the block, the
    byte, line feeds and carriage returns before it), or None (and then no keys).
    """

    size: int
    lf: int
    keys: _JsonKeys | None = None
    keys_cr: _JsonKeys | None = None
    bad_byte: tuple[int, int, int, int] | None = None


def _bom(raw: bytes, first: bool) -> int:
    """The length of the byte-order mark that starts ``raw`` when it is the first block of a file; 0 for any other."""
    return len(codecs.BOM_UTF8) if first and raw.startswith(codecs.BOM_UTF8) else 0


def _scan_json_block(raw: bytes, first: bool) -> _JsonScan:
    """The first pass over a block (``first``: the first of its file): its size, line feeds, keys, or its bad byte."""
    bom, lf = _bom(raw, first), raw.count(b"\n")
    try:
        text = raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + bom
        return _JsonScan(len(raw), lf, bad_byte=(at, raw[at], raw.count(b"\n", 0, at), raw.count(b"\r", 0, at)))

    def keys(cr_lines: bool) -> _JsonKeys:
        rows, bad, _, _ = json_lines_records(text, cr_lines=cr_lines)
        names = dict.fromkeys(key for row in rows for key in flattened(row))
        return _JsonKeys(list(names), len(rows) - len(bad), len(bad), bad[min(bad)] if bad else None)

    return _JsonScan(len(raw), lf, keys(cr_lines=False), keys(cr_lines=True) if not lf and b"\r" in raw else None)


def _read_json_files(names: list[str], blocksize: str | int | None) -> tuple[dd.DataFrame, dd.DataFrame]:
    """JSON Lines files in blocks (one per file when gzipped or without ``blocksize``), read as on one machine.

    ``names`` are the files (globs expanded); each is read by its own name, gzipped or plain.

    Each block is read by :func:`~journeymap.io.sources.read_json_lines`: values as JSON gives
    them, nested objects as dotted columns, a line that is not a JSON object kept in place and
    noted (the second item, numbered within its partition, whose number is in ``part``), its
    reason naming its line in the file. Records may differ in their keys (an optional field,
    ``in_reply_to`` on replies only): a first pass over every block reads the keys of the whole
    input, and every partition has all of them, in the order they first appear, missing where a
    block has no value, as one machine reads a file. That pass also counts the lines before
    each block, and finds a byte that is not UTF-8.

    Raises:
        SchemaError: a file that is not UTF-8, is empty, or of which no line is a JSON object, as on one
            machine; a ``.gz`` file that is not gzipped.
    """
    from dask.bytes.core import read_bytes

    labels = names  # globs expanded, so that messages name each file as its store does
    blocks: list[list[Any]] = []
    for label in labels:  # each file by its own name: a list or glob may mix gzipped and plain files
        if label.lower().endswith(".gz"):  # a gzip stream cannot be split into blocks: one per file
            blocks.append([delayed(_read_gzip, pure=True)(label)])
        else:
            blocks.extend(read_bytes(label, delimiter=b"\n", blocksize=blocksize or None, sample=False)[1])
    scans: tuple[list[_JsonScan], ...] = dask_compute(
        *[[delayed(_scan_json_block, pure=True)(block, i == 0) for i, block in enumerate(file_blocks)] for file_blocks in blocks]
    )
    columns: dict[str, None] = {}
    reads = []
    for label, file_blocks, found in zip(labels, blocks, scans, strict=True):
        cr_lines = not any(scan.lf for scan in found)  # no line feed in the file: its lines end at a CR
        picked = _check_json_file(label, found, cr_lines=cr_lines)
        for keys in picked:
            columns.update(dict.fromkeys(keys.names))
        first_line = 1
        for i, (block, scan) in enumerate(zip(file_blocks, found, strict=True)):
            reads.append((block, label, first_line, cr_lines, i == 0))
            first_line += scan.lf
    names_found = list(columns)
    several = len(labels) > 1
    parts = [
        delayed(_read_json_block, pure=True)(
            block, label, names_found, part, first_line=line, cr_lines=cr, first=first, several=several
        )
        for part, (block, label, line, cr, first) in enumerate(reads)
    ]
    frames = [delayed(operator.getitem, pure=True)(read, 0) for read in parts]
    notes = [delayed(operator.getitem, pure=True)(read, 1) for read in parts]
    meta = pd.DataFrame({name: pd.Series(dtype=object) for name in names_found})
    notes_meta = empty_rejects().assign(part=pd.Series(dtype=np.int64))
    return dd.from_delayed(frames, meta=meta, verify_meta=False), dd.from_delayed(notes, meta=notes_meta, verify_meta=False)


def _read_gzip(label: str) -> bytes:
    """The bytes of a gzipped file (local or remote).

    Raises:
        SchemaError: the file is not a readable gzip stream, naming it.
    """
    import zlib

    import fsspec

    try:
        with fsspec.open(label, "rb", compression="gzip") as stream:
            data: bytes = stream.read()
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        msg = f"source {label!r} is not a readable gzip file ({type(exc).__name__}: {exc})"
        raise SchemaError(msg) from exc
    return data


def _check_json_file(label: str, found: list[_JsonScan], *, cr_lines: bool) -> list[_JsonKeys]:
    """The keys of each block of a file, read by its line ends; raises as one machine does for a file it cannot read.

    Raises:
        SchemaError: a byte that is not UTF-8 (naming its line and offset; a UTF-16 file, which
            only :func:`journeymap.read_events` reads, is named so), an empty file, or
            one of which no line is a JSON object (naming the first line).
    """
    offset, lines = 0, 0
    for scan in found:
        if scan.bad_byte is not None:
            at, byte, lf, cr = scan.bad_byte
            msg = utf8_message(label, f"line {lines + (cr if cr_lines else lf) + 1}", byte, offset + at)
            if offset + at == 0 and byte in (0xFF, 0xFE):
                msg += (
                    " (a UTF-16 JSON or JSON Lines file is read by journeymap.read_events only; this reader reads "
                    "UTF-16 CSV files, and JSON as UTF-8)"
                )
            raise SchemaError(msg)
        offset += scan.size
        lines += scan.lf
    picked = [scan.keys_cr if cr_lines and scan.keys_cr is not None else scan.keys for scan in found]
    keys = [k for k in picked if k is not None]
    if not any(k.objects for k in keys):
        first = next((i for i, k in enumerate(keys) if k.first_bad is not None), None)
        if first is None:
            msg = f"source {label!r} is empty: expected a header row and data"
            raise SchemaError(msg)
        line, what = keys[first].first_bad or (1, "")
        msg = f"source {label!r}: line {sum(scan.lf for scan in found[:first]) + line} {what}"
        raise SchemaError(msg)
    return keys


def _read_json_block(
    raw: bytes, label: str, columns: list[str], part: int, *, first_line: int, cr_lines: bool, first: bool, several: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One block of a JSON Lines file (partition ``part``) as one machine reads it, with every column of the input.

    Also its lines that are no JSON object, numbered within the block, carrying ``part``; when
    the input has ``several`` files, each reason names its file.
    """
    problems = Problems()
    text = raw[_bom(raw, first) :].decode("utf-8")  # the first pass found no bad byte
    frame = read_json_lines(text, label, problems=problems, first_line=first_line, cr_lines=cr_lines)
    known = set(columns)
    extra = [str(c) for c in frame.columns if c not in known]
    if extra:  # never: the first pass read the keys of every block
        msg = f"source {label!r}: the block from line {first_line} has the columns {extra}, which the first pass did not find"
        raise SchemaError(msg)
    missing = pd.Series(np.nan, index=frame.index, dtype=object)
    aligned = pd.DataFrame({name: frame[name] if name in frame.columns else missing for name in columns}, index=frame.index)
    return aligned, _in_file(problems.frame(), label, several=several).assign(part=np.int64(part))


def _is_glob(name: str) -> bool:
    """Whether ``name`` is a pattern (``*``, ``?`` or ``[``) rather than one file's name."""
    return any(ch in name for ch in "*?[")


def _remote(name: str) -> bool:
    """Whether ``name`` is a URL of a storage other than the local disk (``s3://``, ``gs://``, ``memory://``)."""
    protocol, sep, _ = name.partition("://")
    return bool(sep) and protocol.lower() != "file"


def _local_files(names: list[str]) -> list[str]:
    """The files named, a glob expanded in sorted order (as dask expands one), in the order given.

    A remote glob (``s3://bucket/*.csv``) is expanded by its fsspec file system (what dask reads it with).
    """
    files: list[str] = []
    for name in names:
        if _is_glob(name):
            if _remote(name):
                import fsspec

                fs, _, paths = fsspec.core.get_fs_token_paths(name)
                found = sorted(fs.unstrip_protocol(path) for path in paths)
            else:
                found = sorted(glob.glob(name))
            if not found:
                msg = f"source {name!r} matches no file"
                raise SourceNotFoundError(msg)
            files.extend(found)
        else:
            files.append(name)
    return files


@contextlib.contextmanager
def _local_copy(name: str, *, head: int | None = None) -> Iterator[str]:
    """``name`` itself for a local file; a remote one copied (its first ``head`` bytes) into a temporary folder.

    The strict CSV reader reads local files: a remote file is read from the copy, under its own name.
    """
    if not _remote(name):
        yield name
        return
    import fsspec

    with tempfile.TemporaryDirectory() as folder:
        local = Path(folder) / Path(name.partition("://")[2]).name
        with fsspec.open(name, "rb") as remote, local.open("wb") as out:
            if head is None:
                shutil.copyfileobj(remote, out)
            else:
                out.write(remote.read(head))
        yield str(local)


def _read_csv_files(files: list[str]) -> tuple[dd.DataFrame, dd.DataFrame]:
    """CSV/TSV files read by the single-machine reader, one partition per file.

    A CSV cannot be cut into byte blocks safely: a quoted field may hold line breaks, so a block
    edge at a raw line end can fall inside a record. Each file is read whole by
    :func:`~journeymap.io.read_table`, strictly (the delimiter of its header, malformed rows kept
    in place and noted), so that the rows, and the rejects, are those of the single-machine reader.
    """
    with _local_copy(files[0], head=1 << 20) as first:  # the header: the file's first MiB is enough
        try:
            meta = read_csv_header(first)
        except SchemaError as exc:
            raise SchemaError(str(exc).replace(first, files[0]), exc.rejects) from None
    columns = [str(c) for c in meta.columns]
    several = len(files) > 1
    reads = [
        delayed(_read_csv_file, pure=True)(name, columns, files[0], part, several=several) for part, name in enumerate(files)
    ]
    frames = [delayed(operator.getitem, pure=True)(read, 0) for read in reads]
    notes = [delayed(operator.getitem, pure=True)(read, 1) for read in reads]
    notes_meta = empty_rejects().assign(part=pd.Series(dtype=np.int64))
    return dd.from_delayed(frames, meta=meta, verify_meta=False), dd.from_delayed(notes, meta=notes_meta, verify_meta=False)


def _read_csv_file(
    name: str, columns: list[str], first: str, part: int, *, several: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One CSV file (partition ``part``) read by :func:`~journeymap.io.read_table`: its rows, and its malformed rows.

    The malformed rows are numbered within the file, and carry ``part``; when the input has
    ``several`` files, each reason names its file (it counts the lines of that file).

    Raises:
        SchemaError: the file cannot be read (as on one machine), or its header is not that of ``first``.
    """
    problems = Problems()
    with _local_copy(name) as local:
        try:
            frame = read_table(local, problems=problems)
        except SchemaError as exc:  # name the file as the user did, not its temporary copy
            raise SchemaError(str(exc).replace(local, name), exc.rejects) from None
    found = [str(c) for c in frame.columns]
    if found != columns:
        msg = f"source {name!r} has the columns {found}, where {first!r} has {columns}: every file must have the same header"
        raise SchemaError(msg)
    return frame, _in_file(problems.frame(), name, several=several).assign(part=np.int64(part))


def _in_file(notes: pd.DataFrame, name: str, *, several: bool) -> pd.DataFrame:
    """The reader's notes on one file, each reason naming the file when the input has ``several``.

    As the single-machine reader's error names a file (``source 'b.csv': row 3: ...``): a reason
    such as ``line 4 of the file`` counts the lines of its own file.
    """
    if not several or not len(notes):
        return notes
    return notes.assign(reason=[f"source {name!r}: {reason}" for reason in notes["reason"]])


def _normalised_ids(part: pd.DataFrame) -> pd.Series:
    return as_id(part["event_id"])[0].reset_index(drop=True)


def _by_input_row(noted: pd.DataFrame | None, offsets: np.ndarray) -> pd.DataFrame:
    """The reader's notes (rows numbered within their partition ``part``) by input row, sorted."""
    if noted is None or not len(noted):
        return empty_rejects()
    rows = noted["row"].to_numpy(dtype=np.int64) + offsets[noted["part"].to_numpy(dtype=np.int64)]
    out = noted.drop(columns="part").assign(row=rows)
    return out.sort_values("row", kind="stable").reset_index(drop=True)


def _duplicate_rows(
    raw: dd.DataFrame, ids: dd.Series, repeated: pd.Index, offsets: np.ndarray, tz: Any, *, malformed: np.ndarray
) -> tuple[pd.Series, np.ndarray]:
    """Input row -> row where the id was first seen, for every row repeating an earlier ``event_id``; and the stand-ins.

    As on one machine, duplicates are decided among the rows that pass every other check: a
    copy rejected for its own reason (an unparseable time, say, or a malformed row the reader
    noted: the input rows in ``malformed``) does not make a later valid copy a duplicate. Only
    the rows of repeated ids are gathered and checked here.

    The second item lists the input rows of repeated ids that do not stand for their id in the
    reply checks: every copy but the first that passes, or but the first where none passes
    (as ``journeymap.io.validation._check_duplicates`` decides on one machine).
    """
    if len(repeated) == 0:
        return pd.Series(dtype=np.int64), np.empty(0, dtype=np.int64)
    wanted = set(repeated.tolist())
    parts = [
        delayed(_rows_with_ids)(part, id_part, int(offset), wanted)
        for part, id_part, offset in zip(raw.to_delayed(), ids.to_delayed(), offsets, strict=True)
    ]
    found: tuple[pd.DataFrame, ...] = dask_compute(*parts)
    rows = pd.concat(found).sort_index()
    key = rows.pop("__id__")
    checked = validate_block(
        prepare(rows.reset_index(drop=True), actors={}, tz=tz),
        on_error="collect",
        duplicates=pd.Series(dtype=np.int64),
        log_rejects=False,
        replies=False,
    )
    failing = np.zeros(len(rows), dtype=bool)
    failing[checked.rejects["row"].to_numpy(dtype=np.int64)] = True
    row_numbers = rows.index.to_numpy()
    failing |= np.isin(row_numbers, malformed)
    # Rows are in input order: each id's first passing row is where it was first seen, and every
    # copy after it (passing or not) is a duplicate, as validate_events decides on one machine.
    firsts = pd.Series(row_numbers[~failing], index=key.to_numpy()[~failing]).groupby(level=0, sort=False).first()
    first = key.map(firsts).to_numpy(dtype=np.float64)
    dup = ~np.isnan(first) & (row_numbers > np.nan_to_num(first, nan=-1))
    # the row standing for each id: its first passing copy, else its first copy
    stands_for = key.map(firsts).fillna(key.map(pd.Series(row_numbers, index=key.to_numpy()).groupby(level=0).first()))
    not_standing = row_numbers[stands_for.to_numpy(dtype=np.int64) != row_numbers]
    return pd.Series(first[dup].astype(np.int64), index=row_numbers[dup], dtype=np.int64), not_standing.astype(np.int64)


def _rows_with_ids(part: pd.DataFrame, ids: pd.Series, offset: int, wanted: set[str]) -> pd.DataFrame:
    hit = ids.isin(wanted).to_numpy(dtype=bool)
    rows = part.iloc[np.flatnonzero(hit)].assign(__id__=ids[hit].to_numpy())
    return rows.set_axis(np.flatnonzero(hit) + offset, axis=0)


def read_events(
    source: Any,
    *,
    columns: Mapping[str, str] | None = None,
    actors: Mapping[Any, str] | None = None,
    brands: Iterable[str | int] | None = None,
    tz: Any = None,
    on_error: OnError = "raise",
    blocksize: str | int | None = "64MB",
    npartitions: int | None = None,
) -> DaskEventLog:
    """Read and validate events on the cluster, block by block, into a :class:`DaskEventLog`.

    Args:
        source: a path, glob or list of paths of CSV/TSV, Parquet (file or folder) or JSON Lines
            files (gzip allowed for text files); a dask DataFrame; or a pandas DataFrame (split
            into ``npartitions``).
        columns: maps your column names to the canonical ones, as in :func:`journeymap.read_events`.
        actors: maps your role names to actors, as in :func:`journeymap.read_events`.
        brands: the company's accounts, as in :func:`journeymap.read_events`: their rows are
            ``agent`` (block by block; the warnings about unmatched brands and about replies
            across accounts are given on one machine only).
        tz: the time zone of timestamps written without an offset, as in :func:`journeymap.read_events`.
            The rows whose wall time the clocks passed twice or skipped are read by the same
            rules; they are logged as a warning, a count per block (not in ``warnings``).
            Without it a tz-aware column gives its own zone, as on one machine.
        on_error: ``"raise"`` raises :class:`~journeymap.SchemaError` listing the first bad rows
            (this validates eagerly); ``"collect"`` keeps them in ``rejects``, lazily.
        blocksize: bytes per partition of JSON Lines files (not gzipped). A CSV/TSV file is
            always one partition: a quoted field may hold line breaks, so it cannot be cut into
            byte blocks safely.
        npartitions: partitions for a pandas DataFrame source.

    CSV/TSV files are read by the single-machine reader (:func:`~journeymap.io.read_table`), one
    task and one partition per file: the delimiter of each header, strict quoting, and a malformed
    row (more or fewer fields than the header, bad quoting) kept in place and rejected with its
    input row number and reason, as :func:`journeymap.read_events` does on the files one after
    the other (a reason naming a line counts the lines of that row's file). Every file must
    have the same header. To read a large CSV in parallel, split it into several files, or
    convert it to Parquet. Parquet and JSON Lines values are read as on one machine too: an
    integer column with nulls (64-bit ids in ``in_reply_to``, say) stays exact, not float64.
    JSON Lines files are read in ``blocksize`` blocks, each by the single-machine reader (nested
    objects as dotted columns, a line that is no JSON object rejected with its line in the file),
    after a first pass over every block that reads the keys of all records: a key only some
    records have (``in_reply_to`` on replies) is a column of every partition, missing where a
    block has no value, as on one machine. That pass parses each block once more.

    Validation is the single-machine :func:`~journeymap.read_events`, with input row numbers
    counted across blocks and duplicate ``event_id`` values found across the whole input (one
    extra pass over the id column, which also counts the rows of each block).

    Examples:
        >>> import pandas as pd
        >>> from journeymap.distributed import read_events
        >>> df = pd.DataFrame({"customer_id": ["a", "b", "c"], "timestamp": [1507704944, "soon", 1507708544]})
        >>> log = read_events(df, on_error="collect", npartitions=2)
        >>> log.rejects.compute()["row"].tolist()
        [1]
    """
    check_on_error(on_error)
    check_columns(columns)
    actor_map, zone, brand_keys = check_actors(actors), check_tz(tz), check_brands(brands)
    with dask.config.set({"dataframe.convert-string": False}):
        return _read_events(
            source,
            columns=columns,
            on_error=on_error,
            blocksize=blocksize,
            npartitions=npartitions,
            actors=actor_map,
            tz=zone,
            brands=brand_keys,
        )


def _read_events(
    source: Any,
    *,
    columns: Mapping[str, str] | None,
    on_error: OnError,
    blocksize: str | int | None,
    npartitions: int | None,
    actors: Mapping[str, str],
    tz: Any,
    brands: Mapping[str, str] | None = None,
) -> DaskEventLog:
    raw, read_notes, csv = _read_raw(source, blocksize, npartitions)
    map_columns(raw._meta, columns)  # the same checks and messages as on one machine
    columns = column_keys(raw._meta, columns) if columns else columns  # a key 0 for the column read as "0"
    # rejects and warnings name the columns as the user knows them ("sent_at", not "timestamp"), as on one machine
    named = {str(dst): str(src) for src, dst in (columns or {}).items()}
    if columns:
        raw = raw.rename(columns=dict(columns))
    # the role names of every block, gathered in the pass below that counts the ids, for the warning
    # ambiguous_roles gives on one machine
    roles_seen = raw[["actor"]].map_partitions(distinct_roles, meta=raw[["actor"]]._meta) if "actor" in raw.columns else None
    if actors or brands:
        # tz= is applied in each block's validation task (_validate_part), which notes clock changes once
        ready = functools.partial(prepare, actors=actors, tz=None, brands=brands)
        meta = prepare(raw._meta, actors=actors, tz=None, brands=brands)  # brands= may add the actor column
        meta = meta.astype({c: object for c in ("actor",) if c in meta.columns})
        raw = raw.map_partitions(ready, meta=meta)
    if "actor" not in raw.columns and any(c not in CANONICAL_COLUMNS for c in raw.columns):
        role_column(raw.partitions[0].compute(), actors)  # a warning, as on one machine; reads the first block
    duplicates, not_standing = pd.Series(dtype=np.int64), np.empty(0, dtype=np.int64)
    # a CSV's attribute columns typed from all its rows, as on one machine: each block's kinds, in the pass below
    kinds_seen = raw.map_partitions(_block_kinds, meta=_block_kinds(raw._meta.iloc[:0])) if csv else None
    if "event_id" in raw.columns:
        # One pass over the id column: the block lengths, the ids seen more than once, and the
        # rows the reader found malformed.
        ids = raw.map_partitions(_normalised_ids, meta=pd.Series(dtype="string", name="event_id"))
        counts = ids.dropna().value_counts(split_out=max(1, raw.npartitions // 8))
        block_lengths, repeated, noted, roles, kinds_seen = dask_compute(
            ids.map_partitions(len), counts[counts > 1].index, read_notes, roles_seen, kinds_seen
        )
    else:
        block_lengths, noted, roles, kinds_seen = dask_compute(raw.map_partitions(len), read_notes, roles_seen, kinds_seen)
    kinds = merge_kinds({row.name: Kind(row.kind, row.missing)} for row in kinds_seen.itertuples()) if csv else {}
    if any(kind.kind not in ("empty", "text") for kind in kinds.values()):
        typed = functools.partial(typed_attributes, kinds=kinds)
        raw = raw.map_partitions(typed, meta=typed(raw._meta))
    if roles is not None:
        ambiguous_roles(roles, actors, column=named.get("actor", "actor"))
    lengths = np.asarray(block_lengths, dtype=np.int64)
    offsets = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    malformed = _by_input_row(noted, offsets)
    if "event_id" in raw.columns:
        duplicates, not_standing = _duplicate_rows(
            raw, ids, repeated, offsets, tz, malformed=malformed["row"].to_numpy(dtype=np.int64)
        )
    n_input = int(lengths.sum())
    replies, reply_notes = (
        _reply_problems(raw, n_input, not_standing, named.get("in_reply_to", "in_reply_to"))
        if "in_reply_to" in raw.columns
        else (empty_rejects(), empty_rejects())
    )

    logs = []
    for part, offset, length in zip(raw.to_delayed(), offsets, lengths, strict=True):
        mine = duplicates[(duplicates.index >= offset) & (duplicates.index < offset + length)]
        found = Problems()
        # the reader's notes first, as on one machine (read_table notes them before validation)
        found.parts = [
            frame[(frame["row"] >= offset) & (frame["row"] < offset + length)] for frame in (malformed, replies) if len(frame)
        ]
        logs.append(
            delayed(_validate_part)(
                part,
                tz=tz,
                on_error="collect",
                row_offset=int(offset),
                duplicates=mine,
                log_rejects=False,
                problems=found,
                replies=False,
                source_columns=named or None,
            )
        )
    meta_log = validate_block(raw._meta, on_error="collect", duplicates=pd.Series(dtype=np.int64), replies=False)
    events = dd.from_delayed([delayed(_attr)(log, "events") for log in logs], meta=meta_log.events, verify_meta=False)
    rejects = dd.from_delayed([delayed(_attr)(log, "rejects") for log in logs], meta=empty_rejects(), verify_meta=False)
    if on_error == "raise":
        found = rejects.compute()
        if len(found):
            raise_invalid(found.sort_values("row", kind="stable").reset_index(drop=True), n_input)
    if named and len(reply_notes):
        reply_notes = reply_notes.assign(column=reply_notes["column"].replace(named))
    # without tz=, a tz-aware column's own zone (not UTC), as on one machine
    return DaskEventLog(events, rejects, n_input, reply_notes, tz=tz if tz is not None else meta_log.tz)


def _block_kinds(part: pd.DataFrame) -> pd.DataFrame:
    """The kinds of a block's attribute columns (:func:`~journeymap.io._infer.attribute_kinds`), one row a column."""
    kinds = attribute_kinds(part)
    return pd.DataFrame(
        {
            "name": pd.Series(list(kinds), dtype=object),
            "kind": pd.Series([k.kind for k in kinds.values()], dtype=object),
            "missing": pd.Series([k.missing for k in kinds.values()], dtype=bool),
        }
    )


def _validate_part(part: pd.DataFrame, *, tz: Any, row_offset: int, **options: Any) -> EventLog:
    """:func:`validate_block` on one block, its naive times read in ``tz`` first.

    The rows read by a clock-change rule (an ambiguous or nonexistent wall time), and the rows
    kept with another caveat, are logged as a warning, a count per reason for the block: on one
    machine, ``EventLog.warnings`` lists them.
    """
    notes = Problems()
    part = prepare(part, actors={}, tz=tz, warnings=notes)
    clock: set[str] = set()
    if notes.parts:
        for found_part in notes.parts:  # by input row, as validate_block numbers them
            found_part["row"] += row_offset
        found = notes.frame()
        counts = found["reason"].value_counts(sort=False)
        clock = {str(reason) for reason in counts.index}
        logger.warning(
            "%d naive timestamps in the block of input rows %d-%d were read by a clock-change rule: %s",
            len(found),
            row_offset,
            row_offset + len(part) - 1,
            "; ".join(f"{n} x {reason}" for reason, n in counts.items()),
        )
    log = validate_block(part, row_offset=row_offset, warnings=notes, **options)
    # the other caveats of the rows kept (a lone surrogate replaced, a score that is no number):
    # on one machine EventLog.warnings lists them; here a count per reason for the block
    other = log.warnings.loc[~log.warnings["reason"].isin(clock), "reason"]
    if len(other):
        counts = other.value_counts(sort=False)
        logger.warning(
            "%d rows of the block of input rows %d-%d were kept with a caveat: %s",
            int(other.size),
            row_offset,
            row_offset + len(part) - 1,
            "; ".join(f"{n} x {reason}" for reason, n in counts.items()),
        )
    return log


def _reply_problems(
    raw: dd.DataFrame, n_input: int, not_standing: np.ndarray, column: str = "in_reply_to"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reply cycles and self-replies (rejects), and replies to events not in the data (warnings, logged), by input row.

    ``not_standing``: the input rows of repeated ids that do not stand for their id (see
    :func:`_duplicate_rows`); the checks read each id on the copy that stands for it, the one
    kept, as on one machine.
    """
    columns = ["in_reply_to", *(["event_id"] if "event_id" in raw.columns else [])]
    # the ids of each block read as that block's events are (as_id decides a column written
    # as floats, "119236.0", per block), so the links checked are the links kept
    meta = pd.DataFrame({"raw": pd.Series(dtype=object), "reply": pd.Series(dtype="string"), "id": pd.Series(dtype="string")})
    pairs = raw[columns].map_partitions(_reply_ids, meta=meta).compute().set_axis(pd.RangeIndex(n_input), axis=0)
    if "event_id" in raw.columns:
        ids = pairs["id"].where(~pairs.index.isin(not_standing))
    else:
        ids = pd.Series(pairs.index.astype(str), index=pairs.index, dtype="string")
    problems, notes = Problems(), Problems()
    check_replies(ids, pairs["reply"], problems, notes, pairs["raw"])
    found = notes.frame()
    # logged as on one machine, where a reply rejected for another reason is not counted either
    rejected = problems.frame()["row"].to_numpy() if len(problems.frame()) else np.empty(0, dtype=np.int64)
    replies = int((pairs["reply"].notna() & ~pairs.index.isin(rejected)).sum())
    log_dangling_replies(found, replies, column)
    return problems.frame(), found


def _reply_ids(part: pd.DataFrame) -> pd.DataFrame:
    """A block's reply links and event ids as its events read them (the X API's referenced_tweets as on one machine)."""
    ids = as_id(part["event_id"])[0] if "event_id" in part.columns else pd.Series(pd.NA, index=part.index, dtype="string")
    out = pd.DataFrame(
        {
            "raw": part["in_reply_to"].astype(object).to_numpy(),
            "reply": as_id(replied_to(part["in_reply_to"]))[0].to_numpy(),
            "id": ids.to_numpy(),
        }
    )
    return out.astype({"raw": object, "reply": "string", "id": "string"})


def _attr(obj: Any, name: str) -> Any:
    return getattr(obj, name)
