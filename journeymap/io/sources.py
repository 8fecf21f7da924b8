"""Reading a source into a raw frame: files by their suffix, and the column mapping.

These are the first two steps of every reader; :func:`journeymap.io.validate_events` is the last.
"""

from __future__ import annotations

import codecs
import csv
import importlib.util
import io
import itertools
import json
import logging
import os
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from journeymap.exceptions import (
    ArgumentTypeError,
    InvalidArgumentError,
    SchemaError,
    SourceIsFolderError,
    SourceNotFoundError,
)
from journeymap.io._regex import SURROGATE
from journeymap.io._time import TZ_ATTR

if TYPE_CHECKING:
    from journeymap.io.validation import Problems

logger = logging.getLogger(__name__)

__all__ = [
    "file_kind",
    "map_columns",
    "nested_messages",
    "read_csv_header",
    "read_json_lines",
    "read_table",
    "text_names",
    "write_table",
]


def read_table(
    source: pd.DataFrame | str | os.PathLike[str], *, problems: Problems | None = None, event_keys: Iterable[Any] = ()
) -> pd.DataFrame:
    """A pandas frame as it is (with a fresh 0-based index), or a file read as written.

    A named index (of a frame, or stored in a Parquet file) comes back as columns, as
    :func:`write_table` writes it: ``df.set_index("event_id")`` keeps its event ids, a
    ``DatetimeIndex`` named ``timestamp`` gives the timestamps. An unnamed index is dropped.

    Column names that are not text (a frame's ``0``, an Excel header cell holding a number or a
    date) are read as their text (``"0"``, ``"2024-01-01 00:00:00"``), with a logged warning
    naming them; a name that then repeats another is refused as any repeated name is.

    CSV, TSV, Parquet, JSON Lines, JSON arrays and Excel workbooks (``.xlsx``, first sheet, with a
    WARNING naming other sheets that hold data; needs ``openpyxl``: ``pip install
    journeymap[excel]``) are told apart by :func:`file_kind`. A
    ``.json`` file may also hold pandas' default ``DataFrame.to_json()`` layout, one object of
    columns (``{"customer_id": {"0": "a", "1": "b"}, ...}``), read in the order of its row keys,
    or its ``orient="split"``, ``"table"`` and ``"index"`` layouts. Nested JSON objects become
    dotted columns (``author.id``), as :func:`pandas.json_normalize` names them.
    CSV is read strictly: every value as a string, the delimiter of the header line (comma,
    semicolon, tab or bar), line ends as the file writes them (a carriage return inside a field
    stays in the text; a file whose lines all end in a bare carriage return, as old Mac programs
    write, is read with those as line ends), fields of any length. A row with more or fewer
    fields than the header, or with malformed quoting, is kept in place, so that row numbers
    stay true, and noted in ``problems`` with its lines as the value (without ``problems`` it is
    an error naming the row). Quoting is checked as Python's strict CSV reader does: a quoted
    field ends at its closing quote, followed by the delimiter or the line end, and a quote
    inside it is written twice (``"say ""hi"" now"``). ``"Great" product`` or ``"He said "hi" to
    me"`` is a malformed row, not text read with its quotes dropped; a stray opening quote,
    which reads the lines after it as one field up to the next quote, makes that one malformed
    row (its reason names the lines it spans, its value shows them). A quoted field never closed
    (the first quoting error of the file, running to its end) is an error naming its line.
    Excel cells are read as in a CSV: only an empty cell is missing (``"NA"`` is text), and a
    repeated header name is an error. A number of 2**53 or more is read as the float Excel
    stores (rounded to 15 digits: an id so written is rejected as of the wrong type, as in a
    frame's float column), not as an int that would pass for an exact id. JSON integers stay exact beside nulls, and a lone
    surrogate escape in a JSON string becomes U+FFFD (with a WARNING). A JSON Lines line that is
    not a JSON object (a log cut off mid-write) is kept in place as a row of missing values and
    noted in ``problems`` like a malformed CSV row, its line as the value (without ``problems``
    it is an error naming the line). So is an object that gives a column two values, one of which
    would be lost: a key named twice (``{"customer_id": "a", "customer_id": "b"}``), or a nested
    field beside a dotted key of its name (``{"customer": {"id": "a"}, "customer.id": "b"}``);
    the reason names the column. One JSON object of columns naming a column twice is an error,
    as a CSV header is. So is one JSON object wrapping a list of records (an API response's
    envelope, ``{"data": [...], "paging": ...}``); an object with an event's columns (a canonical
    one, or one of ``event_keys``: the input columns the caller maps) is one event instead.

    Raises:
        SchemaError: an empty file; a file that is not UTF-8, naming the line (and a CSV's data
            row); a JSON file that is not JSON, or JSON Lines of which no line is an object; a
            quoted field never closed; a CSV or Excel header naming a column twice; a ragged or
            malformed row, or a JSON Lines line that is no object, when no ``problems``
            collector is given. (An index named like a column gives way to the column, with a
            warning when their values differ.)
        SourceNotFoundError: (a ``FileNotFoundError``) no such file; or a path that is no regular file
            (a named pipe, ``/dev/stdin``: the message says so; ``journeymap`` on the command line
            reads those, and ``-`` for standard input).
        SourceIsFolderError: (an ``IsADirectoryError``) a folder instead of a file (the message lists the files in it).

    Examples:
        >>> read_table(pd.DataFrame({"a": [1]}, index=[7])).index.tolist()
        [0]
        >>> read_table(pd.DataFrame({"a": [1]}, index=pd.Index(["m7"], name="event_id"))).columns.tolist()
        ['event_id', 'a']
    """
    if isinstance(source, pd.DataFrame):
        return text_names(_index_as_columns(source, "the input DataFrame"), "the input DataFrame")
    if not isinstance(source, (str, os.PathLike)):
        msg = f"source must be a pandas DataFrame or a path, got {type(source).__name__}"
        raise ArgumentTypeError(msg)
    path = Path(source)
    if path.is_dir():
        inside = sorted(child.name for child in path.iterdir() if child.is_file() and not child.name.startswith("."))
        more = ", ..." if len(inside) > 5 else ""
        hint = f" (files in it: {', '.join(inside[:5])}{more})" if inside else " (it holds no files)"
        msg = f"source {str(path)!r} is a folder, not a file: give the path of the file to read{hint}"
        raise SourceIsFolderError(msg)
    if not path.is_file():
        msg = (
            f"source {str(path)!r} is not a regular file (a pipe or a device): save it to a file first, or read it "
            "into a DataFrame (pd.read_csv) and pass that"
            if path.exists()
            else f"source {str(path)!r} does not exist"
        )
        raise SourceNotFoundError(msg)
    kind, options = file_kind(str(path))
    if kind == "parquet":
        import pyarrow.parquet as pq

        _check_repeated_names(_parquet_names(path), path, where="the file")
        try:
            # as pd.read_parquet reads it, but an integer column with nulls (ids with gaps:
            # in_reply_to) comes back as Python ints and None, not as float64, which rounds ids
            # past 2**53 (19-digit tweet ids); a pandas Int64 column stays Int64
            table = pq.read_table(path)
            frame = table.to_pandas(integer_object_nulls=True)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ValueError (dates past year 9999), ...
            msg = f"source {str(path)!r} is not a readable Parquet file ({type(exc).__name__}: {exc})"
            raise SchemaError(msg) from exc
        _recorded_zone(table.schema.metadata, frame)
        return _index_as_columns(frame, f"source {str(path)!r}")
    if kind == "excel":
        return text_names(_read_excel(path), f"source {str(path)!r}")
    raw = _read_bytes(path)
    text = _decode(raw, path, sep=options["sep"] if kind == "csv" else None)
    if not text.strip():
        msg = f"source {str(path)!r} is empty: expected a header row and data"
        raise SchemaError(msg)
    if kind == "jsonl":
        return _read_json(text, path, problems, [str(k) for k in event_keys])
    # UTF-16 bytes are no UTF-8: the C reader is given the text
    return _read_csv(text, path, options, problems, raw=None if _utf16_bom(raw) else raw)


def read_csv_header(path: str | Path) -> pd.DataFrame:
    r"""The empty frame :func:`read_table` gives for the header line of a CSV file: its columns, nothing read beyond.

    The header is read by the same rules (the delimiter of the line, a byte-order mark dropped,
    gzip by the suffix, a repeated name an error). Where the first line alone cannot be read
    (a quoted name spanning lines, an empty file, bytes that are not UTF-8) the whole file is
    read, so that the error, or the columns, are :func:`read_table`'s own. The distributed reader
    uses this for the columns of the partitions before any is read.

    Raises:
        SchemaError: as :func:`read_table` raises it for this file's header.
        SourceNotFoundError: (a ``FileNotFoundError``) no such file.

    Examples:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "events.csv"
        ...     _ = path.write_text("customer_id;timestamp\na;1507704944\n")
        ...     read_csv_header(path).columns.tolist()
        ['customer_id', 'timestamp']
    """
    path = Path(path)
    if path.suffix.lower() == ".gz":
        import gzip

        opener: Any = gzip.open
    else:
        opener = open
    head = b""
    try:
        with opener(path, "rb") as stream:
            while not any(end in head for end in (b"\n", b"\r")):
                chunk = stream.read(1 << 16)
                if not chunk:
                    break
                head += chunk
    except OSError:  # not gzip, say: the whole read names the problem
        return read_table(path).iloc[:0]
    ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
    line = head[: min(ends)] if ends else head
    try:
        text = line.decode("utf-8-sig")
        if not text.strip():
            return read_table(path).iloc[:0]  # an empty file: read_table's error
        return _read_csv(text + "\n", path, file_kind(str(path))[1], None)
    except (UnicodeDecodeError, SchemaError):
        return read_table(path).iloc[:0]


def text_names(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """``frame`` with column names that are not text (a number, a date) as text, with a logged warning naming them.

    ``pd.read_csv(header=None)`` names columns 0, 1, ...; an Excel header cell may hold a number
    or a date. Every later step (scoring, the exports) reads names as text: they are made text
    once, here, as a CSV would hold them (``2024``, ``2024-01-01 00:00:00``). Names of several
    levels are left for the validator to refuse.

    Examples:
        >>> text_names(pd.DataFrame({"a": [1], 7: [2]}), "the input DataFrame").columns.tolist()
        ['a', '7']
    """
    if isinstance(frame.columns, pd.MultiIndex) or all(isinstance(c, str) for c in frame.columns):
        return frame
    names = [c if isinstance(c, str) else str(c) for c in frame.columns]
    changed = {c: n for c, n in zip(frame.columns, names) if not isinstance(c, str)}
    repeated = sorted({n for i, n in enumerate(names) if n in names[:i]})
    if repeated:  # 1 and "1": one name once made text
        same = [c for c in frame.columns if str(c) in repeated]
        msg = f"{where}: the column names {same} are the same name as text ({repeated}); give each column its own name"
        raise SchemaError(msg)
    logger.warning(
        "%s: column name(s) %s are not text; read as %s",
        where,
        list(changed)[:10],
        list(changed.values())[:10],
    )
    return frame.set_axis(pd.Index(names, dtype=object), axis=1)


def _index_as_columns(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """A named index (any level with a name) as columns, as :func:`write_table` writes it; a 0-based index.

    An unnamed index (row labels of no meaning, such as a filtered frame's) is dropped.

    An index level with the name of a column (``df.set_index("event_id", drop=False)``, the group
    keys of ``groupby(...).apply``) is dropped: the column is kept; a warning says so when their
    values differ.
    """
    names = list(frame.index.names)
    if all(name is None for name in names):
        return frame.reset_index(drop=True)
    clash = [n for n in names if n is not None and n in frame.columns]
    for name in clash:
        level = pd.Series(frame.index.get_level_values(names.index(name)), index=frame.index)
        if not level.astype("string").equals(frame[name].astype("string")):
            logger.warning("%s: its index %r differs from its column of that name; the column is read", where, name)
    if clash:
        frame = frame.reset_index(level=clash, drop=True)
        if all(name is None for name in frame.index.names):
            return frame.reset_index(drop=True)
    try:
        return frame.reset_index()
    except ValueError as exc:  # an unnamed level of a MultiIndex whose default name (level_1) is taken
        msg = f"{where}: its index cannot become columns ({exc}); name its levels (df.rename_axis(...))"
        raise SchemaError(msg) from None


def _read_excel(path: Path) -> pd.DataFrame:
    """The first sheet, cells as Excel stores them (numbers, dates, text); empty cells are missing.

    Only an empty cell (or an error value such as a formula's ``#N/A``) is missing: text such as
    ``"NA"``, ``"None"`` or ``"NULL"`` is read as written, as in a CSV. A header naming a column
    twice is an error, as in a CSV. Other sheets that hold data are named in a WARNING, not read.
    """
    if importlib.util.find_spec("openpyxl") is None:  # checked here so that the error says what to install
        msg = f"source {str(path)!r} is an Excel workbook: reading it needs openpyxl (pip install 'journeymap[excel]')"
        raise SchemaError(msg)
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            # the header row is read as cells, not by pandas, which renames a repeat "a" to "a.1"
            header = pd.read_excel(book, sheet_name=0, header=None, nrows=1, dtype=object, keep_default_na=False)
            frame = pd.read_excel(book, sheet_name=0, dtype=object, keep_default_na=False, na_values=[""])
            frame = _inexact_numbers(frame, book.book[book.sheet_names[0]])
            unread = [name for name in book.sheet_names[1:] if _has_cells(book.book[name])]
    except Exception as exc:  # openpyxl raises zipfile and XML errors for a damaged workbook
        msg = f"source {str(path)!r} is not a readable Excel workbook ({type(exc).__name__}: {exc})"
        raise SchemaError(msg) from exc
    if unread:
        logger.warning(
            "source %r: only its first sheet is read; sheet(s) %s hold data too and are not read "
            "(to read one: read_events(pd.read_excel(path, sheet_name=NAME)))",
            str(path),
            ", ".join(repr(n) for n in unread),
        )
    if frame.columns.empty:
        msg = f"source {str(path)!r} is empty: expected a header row and data on the first sheet"
        raise SchemaError(msg)
    names = [v for v in (header.iloc[0].tolist() if len(header) else []) if not pd.isna(v) and v != ""]
    _check_repeated_names(names, path)
    return frame.reset_index(drop=True)


#: Floats hold every whole number below this exactly.
_EXACT_FLOAT = 2**53


def _inexact_numbers(frame: pd.DataFrame, sheet: Any) -> pd.DataFrame:
    """``frame`` with the numbers of 2**53 or more that the sheet stores as floats given back as those floats.

    Excel stores every number as a float (15 significant digits): an id past 2**53 (a 19-digit
    tweet id) is rounded in the file, so that two ids may be one number. pandas turns a whole
    float into an int, which would pass for an exact id; as the float it is, it is rejected, as
    in a frame's float column. Only the columns holding such ints are read again from the
    sheet (frame row ``i`` is the sheet's row ``i + 2``: pandas keeps blank rows).
    """
    big = [
        j
        for j in range(frame.shape[1])
        if frame.iloc[:, j].map(lambda v: isinstance(v, int) and not isinstance(v, bool) and abs(v) >= _EXACT_FLOAT).any()
    ]
    if not big:
        return frame
    out = frame.copy()
    cells = sheet.iter_rows(min_row=2, max_row=len(frame) + 1, min_col=min(big) + 1, max_col=max(big) + 1, values_only=True)
    for i, row in enumerate(cells):
        for j in big:
            value = row[j - min(big)] if j - min(big) < len(row) else None
            if isinstance(value, float) and abs(value) >= _EXACT_FLOAT:
                out.iat[i, j] = value
    return out


def _check_repeated_names(names: list[Any], path: Path, *, where: str = "the header") -> None:
    """Raise when the header names a column twice: pandas would read them as "name" and "name.1", one silently an attribute.

    ``where`` says what names the columns: a CSV's or Excel sheet's header, a Parquet file's schema.
    """
    repeated = sorted({str(n) for n in names if names.count(n) > 1})
    if repeated:
        msg = f"source {str(path)!r}: {where} names {repeated} more than once; give each column its own name"
        raise SchemaError(msg)


def _recorded_zone(metadata: Mapping[bytes, bytes] | None, frame: pd.DataFrame) -> None:
    """Put the zone a journeys file records (``JourneySet.to_parquet``'s metadata) in ``frame.attrs``.

    The events of saved journeys are in UTC; their zone is in the file's metadata, and read so
    (:data:`~journeymap.io._time.TZ_ATTR`) :func:`journeymap.read_events` and the CLI read hours
    and days in it, as :func:`journeymap.read_journeys` does.
    """
    raw = (metadata or {}).get(b"journeymap")  # journeymap.journeys._write.METADATA_KEY
    if raw is None:
        return
    try:
        zone = json.loads(raw).get("tz")
    except (ValueError, AttributeError):  # not JSON, or not an object: written by someone else
        return
    if isinstance(zone, str) and zone:
        frame.attrs[TZ_ATTR] = zone


def _parquet_names(path: Path) -> list[str]:
    """The column names a Parquet file's schema holds (several may be alike), or none where the schema cannot be read.

    A file that cannot be read at all is left to the reader, whose error names the cause.
    """
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except Exception:  # not Parquet at all: pq.read_table says why, below
        return []


def _has_cells(sheet: Any) -> bool:
    """Whether an openpyxl worksheet holds any value (a sheet left blank, or a chart sheet, has none)."""
    if not hasattr(sheet, "iter_rows"):
        return False
    rows = sheet.iter_rows(values_only=True)
    return any(value is not None and value != "" for row in rows for value in row)


def _read_bytes(path: Path) -> bytes:
    if path.suffix.lower() == ".gz":
        import gzip
        import zlib

        try:
            return gzip.decompress(path.read_bytes())
        except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
            msg = f"source {str(path)!r} is not a readable gzip file ({type(exc).__name__}: {exc})"
            raise SchemaError(msg) from exc
    return path.read_bytes()


def _utf16_bom(raw: bytes) -> str | None:
    """The encoding a UTF-16 byte-order mark at the start of ``raw`` names (``"utf-16"``), else None; UTF-32's is none."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return None
    return "utf-16" if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else None


def _decode(raw: bytes, path: Path, sep: str | None = None) -> str:
    """The file's text (UTF-8, a byte-order mark dropped), or an error naming the line of the first bad byte.

    A file that starts with a UTF-16 byte-order mark (little- or big-endian: Google Play's review
    exports) is read as UTF-16; one that is not valid UTF-16 after it is an error naming the
    encoding. ``sep`` is the default delimiter of a CSV (None for other files): the error then
    names the data row too, as the rejects number it.
    """
    if _utf16_bom(raw):
        try:
            return raw.decode("utf-16")  # the mark says the byte order, and is dropped
        except UnicodeDecodeError as exc:
            msg = (
                f"source {str(path)!r} starts with a UTF-16 byte-order mark but is not valid UTF-16 ({exc.reason} "
                f"at byte offset {exc.start}); re-save the file as UTF-8"
            )
            raise SchemaError(msg) from None
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(not_utf8(raw, exc.start + bom, str(path), sep=sep)) from None


def not_utf8(raw: bytes, at: int, source: str, *, sep: str | None = None, first_line: int = 1) -> str:
    r"""The message for a byte at offset ``at`` of ``raw`` that is not UTF-8: its line, and for a CSV its data row.

    Lines end at a line feed, or at a carriage return in a text without any line feed (old Mac
    line ends), as the readers read them; ``first_line`` is the number of the first line of
    ``raw`` (a block of a larger file). For a CSV (``sep``, the default delimiter, given) the
    data row is counted as the CSV reader counts rows, so that a quoted field spanning lines
    before the bad byte does not shift it; numbered from 0, as the rejects number rows.

    Examples:
        >>> print(not_utf8(b'a,b\n1,"x\ny"\n2,caf\xe9\n', 17, "f.csv", sep=","))
        source 'f.csv': line 4 (data row 1 of a CSV) is not valid UTF-8 (byte 0xe9 at offset 17); re-save ...
    """
    ends = b"\n" if b"\n" in raw else b"\r"
    line = raw.count(ends, 0, at) + first_line
    where = f"line {line}"
    if sep is not None:
        row = _csv_row_at(raw[:at], sep)
        where += " (the header line of a CSV)" if row is None else f" (data row {row} of a CSV)"
    return utf8_message(source, where, raw[at], at)


def utf8_message(source: str, where: str, byte: int, offset: int) -> str:
    """The message for a ``byte`` at ``offset`` of ``source`` that is not UTF-8; ``where`` names its line.

    A first byte 0xff or 0xfe is a byte-order mark of UTF-16 or UTF-32: the message says so.
    """
    marked = " (the file starts with a UTF-16 or UTF-32 byte-order mark)" if offset == 0 and byte in (0xFF, 0xFE) else ""
    return (
        f"source {source!r}: {where} is not valid UTF-8 (byte 0x{byte:02x} at offset {offset}){marked}; "
        "re-save the file as UTF-8 (for example from Excel: 'CSV UTF-8')"
    )


def _csv_row_at(before: bytes, sep: str) -> int | None:
    """The data row (from 0) of a CSV in which the text ``before`` ends (None: the header), as :func:`_read_csv` counts rows.

    ``before`` is valid UTF-8 (all of a file up to its first bad byte). Its last record, cut off
    at that byte (perhaps inside a quoted field), is the row that holds the byte.
    """
    text = before.decode("utf-8-sig").replace("\r\n", "\n")
    if "\r" in text and "\n" not in text:  # old Mac line ends
        text = text.replace("\r", "\n")
    text += "\ufffd"  # the bad byte: its record is never empty
    _admit_long_fields(text)
    sep = _sniff_delimiter(text.split("\n", 1)[0], sep)
    rows = list(csv.reader(_lines(text, _cr_placeholder(text)), delimiter=sep, strict=False))
    if len(rows) == 1:
        return None
    # blank lines are no rows (where the header has one column, pandas reads them as rows)
    between = rows[1:-1] if len(rows[0]) > 1 else [row or [""] for row in rows[1:-1]]
    return sum(1 for row in between if row)


_JSON_LAYOUTS = (
    "a JSON array of objects (one per event), JSON Lines (one object per line), or pandas' "
    'DataFrame.to_json() layout {"column": {"row": value, ...}, ...} (or its orient="split", "table" or "index" layouts)'
)


def _read_json_object(
    value: dict[str, Any], path: Path, problems: Problems | None = None, event_keys: Iterable[str] = ()
) -> pd.DataFrame:
    """The frame of a file that is one JSON object: of columns (pandas' ``to_json()``), or one event.

    One object whose values are all objects is read as columns (``{column: {row: value}}``),
    rows in the order of the first column's keys (then any others), or as rows
    (``orient="index"``: ``{row: {column: value}}``) when its keys are all row numbers and the
    inner keys are not. One object of plain values is one event, as the same line in JSON
    Lines would be, unless it is an API response's envelope (:func:`_refuse_envelope`;
    ``event_keys``: the input columns the caller maps, its ``columns=`` keys).
    """
    clashes = key_clashes(value, flatten=False)
    split = _read_json_split(value, path) if not clashes else None
    if split is not None:
        return split
    if not value or not all(isinstance(v, dict) for v in value.values()):
        if not value:
            return pd.DataFrame()
        _refuse_envelope(value, path, event_keys)
        frame = _json_frame([value])
        _array_clashes([value], frame, path, problems)  # one event: as the same line of JSON Lines
        return frame
    if clashes:  # the names of columns: an error, as a CSV header naming a column twice
        msg = f"source {str(path)!r}: the JSON object names {clashes} more than once; give each its own name"
        raise SchemaError(msg)
    rows_twice = {column: list(inner.repeated) for column, inner in value.items() if getattr(inner, "repeated", ())}
    if rows_twice:  # {column: {row: value}} naming a row twice in a column: one of its values would be lost
        msg = (
            f"source {str(path)!r}: the JSON object of columns names a row twice in a column ({rows_twice}); "
            "one value would be lost"
        )
        raise SchemaError(msg)
    inner = list(dict.fromkeys(key for column in value.values() for key in column))
    if all(k.isdigit() for k in value) and not all(k.isdigit() for k in inner):
        # pandas' orient="index": {row: {column: value}}; row labels are numbers, column names are not
        frame = pd.DataFrame([[row.get(c) for c in inner] for row in value.values()], columns=inner, dtype=object)
        logger.info("source %r: one JSON object of rows (pandas' index layout), %d rows", str(path), len(frame))
        return frame
    frame = pd.DataFrame({name: [column.get(r) for r in inner] for name, column in value.items()}, dtype=object)
    logger.info("source %r: one JSON object of columns (pandas' to_json layout), %d rows", str(path), len(inner))
    return frame


#: At most this many keys has an API response's envelope (Zendesk's incremental export: 9).
_ENVELOPE_KEYS = 12


def _event_key(key: str, event_keys: Iterable[str]) -> bool:
    """Whether a top-level ``key`` of a JSON object names an event's column: a canonical one or a mapped one.

    Canonical names are compared as :func:`warn_case_variants` compares them (``Customer ID``);
    a mapped column may be nested under the key (``source.author.id`` under ``source``).
    """
    from journeymap.schema import CANONICAL_COLUMNS

    return _name_key(key) in {_name_key(c) for c in CANONICAL_COLUMNS} or any(
        str(k) == key or str(k).startswith(key + ".") for k in event_keys
    )


def _refuse_envelope(value: dict[str, Any], path: Path, event_keys: Iterable[str] = ()) -> None:
    """Raise SchemaError for one JSON object that wraps a list of records: an API response's envelope.

    ``{"conversations": [...], "pages": ...}`` (Intercom), ``{"data": [...], "paging": ...}``
    (the Facebook and Instagram Graph API), ``{"comments": [...], "next_page": ...}`` (Zendesk):
    read as one event, its records would be one list value. An object that looks like such a
    wrapper is refused, naming the key and how to read the list: it has at most
    :data:`_ENVELOPE_KEYS` keys, none of them an event's column (a canonical column such as
    ``customer_id``, ``timestamp`` or ``text``, or one of ``event_keys``, the columns the caller
    maps), and a list of records (objects with a whole time or text key: ``created_at``,
    ``timestamp``, ``body``, ``text``). An object with an event's columns is one event, whatever
    lists it holds (Intercom's ``tags``), as the same line of a longer JSON Lines file is.
    """
    keys = [str(k) for k in value]
    if len(keys) > _ENVELOPE_KEYS or any(_event_key(k, event_keys) for k in keys):
        return
    lists = {k: len(v) for k, v in value.items() if isinstance(v, list) and v and all(_is_record(r) for r in v)}
    if not lists:
        return
    key = max(lists, key=lambda k: lists[k])
    others = [k for k in value if k != key]
    msg = (
        f"source {str(path)!r} is one JSON object whose key {key!r} holds a list of {lists[key]} objects (an API "
        f"response's envelope{'; its other keys: ' + repr(others[:5]) if others else ''}); read_events reads the records "
        f"themselves: read_events(pd.json_normalize(json.load(open(path))[{key!r}]), ...), or save that list alone as "
        "a JSON array. (A file of one event holding a list of objects: write it as a JSON array of one object, [{...}].)"
    )
    raise SchemaError(msg)


def _read_json_split(value: dict[str, Any], path: Path) -> pd.DataFrame | None:
    """The frame of pandas' ``to_json(orient="split")`` or ``"table"`` layout; None for any other object.

    The row labels are dropped, as for any unnamed index; a table layout's named index (its
    ``primaryKey``, when not pandas' default ``"index"``) stays a column.
    """
    data = value.get("data")
    if set(value) in ({"columns", "data"}, {"columns", "index", "data"}) and isinstance(value["columns"], list):
        if not isinstance(data, list) or not all(isinstance(r, list) and len(r) == len(value["columns"]) for r in data):
            msg = f"source {str(path)!r}: a split-layout JSON object needs 'data' as rows of {len(value['columns'])} values"
            raise SchemaError(msg)
        names = [str(c) for c in value["columns"]]
        layout = "split"
        frame = pd.DataFrame(data, columns=names, dtype=object) if data else pd.DataFrame(columns=names, dtype=object)
    elif set(value) == {"schema", "data"} and isinstance(value["schema"], dict) and isinstance(data, list):
        if not all(isinstance(r, dict) for r in data):
            msg = f"source {str(path)!r}: a table-layout JSON object needs 'data' as a list of objects"
            raise SchemaError(msg)
        fields = [f.get("name") for f in value["schema"].get("fields", []) if isinstance(f, dict)]
        frame = pd.DataFrame(data, columns=[str(f) for f in fields] or None, dtype=object)
        if value["schema"].get("primaryKey") == ["index"] and "index" in frame.columns:
            frame = frame.drop(columns="index")
        layout = "table"
    else:
        return None
    logger.info("source %r: one JSON object in pandas' %s layout, %d rows", str(path), layout, len(frame))
    return frame.reset_index(drop=True)


def _read_json(text: str, path: Path, problems: Problems | None = None, event_keys: Iterable[str] = ()) -> pd.DataFrame:
    """JSON Lines (one object per line), a JSON array of objects, or one object of columns.

    A JSON Lines line that is not a JSON object (cut off mid-write, say), or an item of a JSON
    array that is none (a ``null``), is kept in place as a row of missing values and noted in
    ``problems`` (without ``problems`` it is an error naming the line or item), as
    :func:`_read_csv_rows` keeps a malformed CSV row; an array none of whose items is an object
    is no events file (an error).

    Values are kept as JSON gives them (``dtype=object``): an integer id stays exact beside a
    null, where a float64 column would round it past 2**53. A lone surrogate escape in a string
    or a key (half of an emoji's escape pair, cut off) becomes U+FFFD, with a WARNING, as
    :func:`journeymap.io.validation.without_surrogates` does for a frame: such a string cannot be
    encoded as UTF-8, so pandas, Parquet and every export would fail on it.
    """
    head = text.lstrip()[:1]
    frame, replaced = None, 0
    if head in ("{", "["):
        try:
            value, replaced = _loads(text)
        except json.JSONDecodeError as exc:
            if head == "[" and not _whole_first_line(text):  # a JSON array that breaks somewhere
                msg = f"source {str(path)!r}: not valid JSON at line {exc.lineno}: {exc.msg}"
                raise SchemaError(msg) from None
            value = None  # more than one value (a first line that is a list of its own): JSON Lines
        if isinstance(value, dict):
            frame = _read_json_object(value, path, problems, event_keys)
        elif head == "[" and value is not None:
            if not isinstance(value, list) or (value and not any(isinstance(r, dict) for r in value)):
                msg = f"source {str(path)!r}: a JSON file must hold {_JSON_LAYOUTS}"
                raise SchemaError(msg)
            records = _array_objects(value, path, problems)
            frame = _json_frame(records)
            _array_clashes(records, frame, path, problems)
            _array_items(value, frame, problems)
    if frame is None:
        frame, replaced = _read_json_lines(text, path, problems=problems)
    _warn_surrogates(str(path), replaced)
    return frame


def _array_item_reasons(items: list[Any]) -> dict[int, str]:
    """Why each item of a JSON array that is no object is no row, by its index (as a JSON Lines line that is none)."""
    return {
        i: f"item {i} of the JSON array is a JSON {type(item).__name__}, expected an object (one object per event)"
        for i, item in enumerate(items)
        if not isinstance(item, dict)
    }


def _array_objects(items: list[Any], path: Path, problems: Problems | None) -> list[dict[str, Any]]:
    """The objects of a JSON array, an empty one in place of each item that is no object (without ``problems``: an error).

    Examples:
        >>> from journeymap.io.validation import Problems
        >>> _array_objects([{"a": 1}, 5], Path("events.json"), Problems())
        [{'a': 1}, {}]
        >>> try:
        ...     _array_objects([{"a": 1}, None], Path("events.json"), None)
        ... except SchemaError as err:
        ...     print(str(err).split(" (")[0])
        source 'events.json': item 1 of the JSON array is a JSON NoneType, expected an object
    """
    bad = _array_item_reasons(items)
    if bad and problems is None:
        msg = f"source {str(path)!r}: {bad[min(bad)]}"
        raise SchemaError(msg)
    return [item if isinstance(item, dict) else {} for item in items]


def _array_items(items: list[Any], frame: pd.DataFrame, problems: Problems | None) -> None:
    """Note the items of a JSON array that are no object (kept in place as rows of missing values) in ``problems``."""
    bad = _array_item_reasons(items)
    if not bad or problems is None:
        return
    mask = pd.Series(False, index=frame.index)
    mask.iloc[list(bad)] = True
    shown = pd.Series({i: json.dumps(items[i], ensure_ascii=False, default=str) for i in bad})
    problems.add(mask, "(row)", pd.Series(bad), shown)


def _array_clashes(records: list[dict[str, Any]], frame: pd.DataFrame, path: Path, problems: Problems | None) -> None:
    """Note the objects of a JSON array that give a column two values (:func:`key_clashes`) in ``problems``; else raise."""
    bad = {i: _clash_reason(found) for i, record in enumerate(records) if (found := key_clashes(record))}
    if not bad:
        return
    if problems is None:
        i = min(bad)
        msg = f"source {str(path)!r}: row {i} {bad[i]}"
        raise SchemaError(msg)
    mask = pd.Series(False, index=frame.index)
    mask.iloc[list(bad)] = True
    shown = pd.Series({i: json.dumps(records[i], ensure_ascii=False, default=str) for i in bad})
    problems.add(mask, "(row)", pd.Series(bad), shown)


def _warn_surrogates(source: str, replaced: int) -> None:
    """The WARNING for lone surrogate escapes replaced in a JSON source's strings (none for 0)."""
    if replaced:
        logger.warning(
            "source %r: %d lone surrogate(s) (half of a \\uXXXX escape pair, such as an emoji cut off) "
            "in its JSON strings replaced with U+FFFD",
            source,
            replaced,
        )


def _whole_first_line(text: str) -> bool:
    """Whether the first line that is not blank is a JSON value of its own (JSON Lines), not the start of one."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        json.loads(first)
    except json.JSONDecodeError:
        return False
    return True


def read_json_lines(
    text: str,
    source: str,
    *,
    flatten: bool = True,
    problems: Problems | None = None,
    first_line: int = 1,
    cr_lines: bool | None = None,
) -> pd.DataFrame:
    r"""JSON Lines text as :func:`read_table` reads a ``.jsonl`` file: values as JSON gives them.

    An integer stays exact beside a null (the column is ``object``, not float64, which rounds
    ids past 2**53); a lone surrogate escape becomes U+FFFD, with a WARNING. ``source`` names
    the text in messages. Nested objects become dotted columns (``author.id``) unless
    ``flatten`` is False.

    A line that is not a JSON object is kept in place as a row of missing values and noted in
    ``problems``, with its line as the value (row numbers count the rows of ``text``); without
    ``problems`` it is an error. (:func:`read_table` also raises for a file of which no line is
    an object: it holds no JSON Lines.) The distributed reader reads a file in blocks:
    ``first_line`` is the number in the file of the first line of ``text``, and ``cr_lines``
    whether the file's lines end at a carriage return (it has no line feed at all; None: decided
    by ``text``).

    Raises:
        SchemaError: a line that is not a JSON object, naming its line, when no ``problems`` is given.

    Examples:
        >>> read_json_lines('{"id": 1180000000000000001}\n{"id": null}\n', "events.jsonl")["id"].tolist()
        [1180000000000000001, None]
    """
    frame, replaced = _read_json_lines(
        text, Path(source), flatten=flatten, problems=problems, first_line=first_line, cr_lines=cr_lines, whole=False
    )
    _warn_surrogates(source, replaced)
    return frame


def _read_json_lines(
    text: str,
    path: Path,
    *,
    flatten: bool = True,
    problems: Problems | None = None,
    first_line: int = 1,
    cr_lines: bool | None = None,
    whole: bool = True,
) -> tuple[pd.DataFrame, int]:
    """JSON Lines, and how many lone surrogates were replaced; bad lines as :func:`read_json_lines` says.

    ``whole``: ``text`` is a whole file, which is no JSON Lines when no line of it is an object
    (an error naming its first line), not a part of one.

    Lines end at a line feed only (a CR before it is whitespace to JSON): U+2028, U+2029 and
    U+0085, which ``str.splitlines`` would also end a line at, are allowed unescaped inside a
    JSON string. A file without any line feed has its lines end at a CR (old Mac line ends),
    which cannot occur unescaped inside a JSON string.
    """
    rows, bad, shown, replaced = json_lines_records(text, first_line=first_line, cr_lines=cr_lines)
    reasons = {n: f"line {line} {what}" for n, (line, what) in bad.items()}
    if bad and (problems is None or (whole and len(bad) == len(rows))):  # whole: no line is an object, no JSON Lines
        msg = f"source {str(path)!r}: {reasons[min(bad)]}"
        raise SchemaError(msg)
    frame = _json_frame(rows, flatten=flatten)
    if bad and problems is not None:
        mask = pd.Series(False, index=frame.index)
        mask.iloc[list(bad)] = True
        problems.add(mask, "(row)", pd.Series(reasons), pd.Series(shown))
    return frame, replaced


def json_lines_records(
    text: str, *, first_line: int = 1, cr_lines: bool | None = None
) -> tuple[list[dict[str, Any]], dict[int, tuple[int, str]], dict[int, str], int]:
    r"""The objects of JSON Lines text, an empty one in place of each line that is no object.

    Also: each such line's number and what is wrong with it (``is not valid JSON (...)``), and
    the line as written, by its position among the objects; and how many lone surrogates were
    replaced.
    Blank lines are no rows. ``first_line`` and ``cr_lines`` as :func:`read_json_lines` takes
    them.

    Examples:
        >>> rows, bad, shown, _ = json_lines_records('{"a": 1}\n\n{"a": \n')
        >>> rows, bad
        ([{'a': 1}, {}], {1: (3, 'is not valid JSON (Expecting value at column 7)')})
    """
    if cr_lines if cr_lines is not None else "\n" not in text:
        text = text.replace("\r", "\n")
    rows: list[dict[str, Any]] = []
    bad: dict[int, tuple[int, str]] = {}
    shown: dict[int, str] = {}
    replaced = 0
    for number, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip():
            continue
        try:
            value, n, marked = _loads_marked(line)
        except json.JSONDecodeError as exc:
            value, n, marked = None, 0, False
            reason = f"is not valid JSON ({exc.msg} at column {exc.colno})"
        else:
            reason = (
                f"is a JSON {type(value).__name__}, expected an object (JSON Lines hold one object per line; "
                "a file of one JSON array is read whole by journeymap.read_events, not in blocks by the Dask reader)"
            )
        # a key named twice (marked), or a nested field beside a dotted key of its name
        possible = marked or ("{" in line[1:] and _DOTTED_KEY.search(line) is not None)
        clashes = key_clashes(value) if isinstance(value, dict) and possible else []
        if clashes:
            reason = _clash_reason(clashes)
        if isinstance(value, dict) and not clashes:
            rows.append(value)
            replaced += n
        else:
            bad[len(rows)] = (number, reason)
            shown[len(rows)] = line.rstrip("\r")
            rows.append({})
    return rows, bad, shown, replaced


def _json_frame(records: list[dict[str, Any]], *, flatten: bool = True) -> pd.DataFrame:
    """JSON objects as rows, values as JSON gives them (no column of ints with a null made float).

    Nested objects are flattened into dotted column names, as :func:`pandas.json_normalize`
    names them (``{"author": {"id": 7}}`` gives a column ``author.id``), so that a chat export's
    ``author.id`` can be mapped to ``customer_id``; lists stay values.

    Examples:
        >>> frame = _json_frame([{"id": 1, "author": {"id": 7, "name": {"first": "Ann"}}}, {"id": 2, "author": None}])
        >>> frame.columns.tolist(), frame.iloc[0].tolist()[:3]
        (['id', 'author.id', 'author.name.first', 'author'], [1, 7, 'Ann'])
    """
    if not records:
        return pd.DataFrame()
    if flatten and any(isinstance(value, dict) for record in records for value in record.values()):
        records = [flattened(record) if isinstance(record, dict) else record for record in records]
    return pd.DataFrame(records, dtype=object)


#: Key names of a nested object that say it is a message: a time and a text (a chat's parts, a post's replies).
#: Whole names only, so that ``format``, ``lat``, ``sentiment``, ``timezone`` or a tag's ``applied_at`` are none:
#: the time a message was created, sent, updated or posted (``created_at``, ``createdAt``, Facebook's
#: ``created_time``), or a plain ``timestamp``, ``time``, ``date``, ``datetime``, ``created``, ``sent``.
_TIME_KEY = re.compile(
    r"(?:created|sent|updated|posted|published|submitted|received)(?:_at|At|_time|Time|_date|Date|_datetime|Datetime)"
    r"|(?i:timestamp|time|date|datetime|created|sent|ts)"
)
#: ... and its text: Slack's ``text`` (beside ``ts``), Freshdesk's and Gorgias' ``body_text``, Zendesk Chat's ``msg``.
_TEXT_KEY = re.compile(r"(?i:text|body|message|msg|content|comment|html_body|plain_body|body_text|body_html)")


def _is_message(value: Any) -> bool:
    """Whether ``value`` is an object with a time key and a text key (:data:`_TIME_KEY`, :data:`_TEXT_KEY`).

    Examples:
        >>> _is_message({"body": "fixed", "created_at": 1709892000}), _is_message({"text": "hi", "timestamp": "2024-03-04"})
        (True, True)
        >>> _is_message({"type": "tag", "name": "billing", "applied_at": 1709892000}), _is_message({"url": "x", "format": "png"})
        (False, False)
    """
    if not isinstance(value, dict):
        return False
    keys = [str(k) for k in value]
    return any(_TIME_KEY.fullmatch(k) for k in keys) and any(_TEXT_KEY.fullmatch(k) for k in keys)


def _is_record(value: Any) -> bool:
    """Whether ``value`` is an object with a time or a text key: a record an API response's envelope wraps.

    An Intercom conversation holds its text in ``source.body``; a Zendesk ticket its own in
    ``description``: a time key alone makes them records here.
    """
    return isinstance(value, dict) and any(_TIME_KEY.fullmatch(str(k)) or _TEXT_KEY.fullmatch(str(k)) for k in value)


def _holds_messages(value: Any) -> bool:
    """Whether ``value`` is an array (a list, a tuple, or the numpy array pyarrow gives for a Parquet list) of messages."""
    return isinstance(value, (list, tuple, np.ndarray)) and any(_is_message(item) for item in value)


def nested_messages(frame: pd.DataFrame, skip: Iterable[str] = ()) -> list[str]:
    """Warn for each column holding arrays of objects that look like messages; returns the columns' names.

    JSON exports nest replies inside their first message: an Intercom conversation holds its
    replies in ``conversation_parts.conversation_parts``, an Instagram comment in
    ``replies.data``. Such a column is kept as one list value per row, so its messages are in
    neither the events nor the rejects. A column whose arrays (lists, or the numpy arrays of a
    Parquet list column) hold objects with a time key and a text key (``created_at`` or
    ``timestamp``, and ``body`` or ``text``; whole key names, so a tag's ``applied_at`` or a
    media object's ``format`` is none) is named in a WARNING, with the
    number of rows that hold such arrays and of objects in them, and the fix: flatten the
    records first (``pd.json_normalize(records, record_path=[...], meta=[...])``, or
    ``explode`` the column). Arrays of other objects (the X API's ``entities.mentions``, tags,
    media, enrichment such as ``{"aspect": ..., "sentiment": ...}``) and of plain values are not
    warned about; ``skip`` names columns read otherwise (``in_reply_to``).

    Examples:
        >>> frame = pd.DataFrame({"id": [1, 2], "replies.data": [[{"text": "hi", "timestamp": "2024-03-04"}], None]})
        >>> nested_messages(frame)
        ['replies.data']
    """
    found: list[str] = []
    for name in frame.columns:
        values = frame[name]
        if name in skip or not isinstance(values, pd.Series) or not pd.api.types.is_object_dtype(values.dtype):
            continue  # a repeated name is refused by the validator
        if pd.api.types.infer_dtype(values, skipna=True) in {"string", "empty", "integer", "floating", "boolean"}:
            continue
        arrays = values.map(_holds_messages).to_numpy(dtype=bool)
        if not arrays.any():
            continue
        objects = sum(sum(isinstance(item, dict) for item in v) for v in values[arrays])
        path = str(name).split(".")
        meta = next((m for m in ("id", "event_id") if m in frame.columns and m != name), None)
        fix = f"pd.json_normalize(records, record_path={path!r}" + (f", meta=[{meta!r}]" if meta else "") + ")"
        logger.warning(
            "column %r holds arrays of nested messages (%d row%s, %d objects in all): each array is kept as one value, "
            "and its messages are in neither the events nor the rejects. To read them as events, flatten the records "
            "first: %s on the file's objects (meta: the parent's fields each message needs), or explode the column "
            "(frame.explode(%r)) and normalise it; then read the messages with their parents",
            str(name),
            int(arrays.sum()),
            "" if arrays.sum() == 1 else "s",
            objects,
            fix,
            str(name),
        )
        found.append(str(name))
    return found


def flattened(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``record`` with its nested objects' fields as ``outer.inner`` keys (an empty object stays a value)."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flattened(value, f"{name}."))
        else:
            out[name] = value
    return out


#: A lone surrogate, as :func:`journeymap.io.validation.without_surrogates` finds them.
_SURROGATE = re.compile(SURROGATE)
#: The JSON escape of a surrogate (of a pair, or lone): only a text holding one is searched.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _Repeating(dict):  # type: ignore[type-arg]
    """A JSON object that names a key more than once (JSON keeps the last value): ``repeated`` holds those keys."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``' ``object_pairs_hook``: the object as a dict, marked (:class:`_Repeating`) where a key repeats."""
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    marked = _Repeating(out)
    marked.repeated = tuple(dict.fromkeys(k for i, (k, _) in enumerate(pairs) if any(k == j for j, _ in pairs[:i])))
    return marked


def key_clashes(record: dict[str, Any], *, flatten: bool = True) -> list[str]:
    """The column names to which a JSON object gives two values, one of which would be lost.

    A key named twice in one object (nested ones too, by their dotted names), and, when nested
    objects are flattened (:func:`flattened`), a nested field beside a dotted key of the same
    name (``{"customer": {"id": 1}, "customer.id": 2}``).

    Examples:
        >>> key_clashes(_loads('{"a": 1, "a": 2, "b": {"c": 1, "c": 2}, "b.d": 3, "b": {"d": 4}}')[0])
        ['a', 'b', 'b.d']
        >>> key_clashes(_loads('{"customer": {"id": "x"}, "customer.id": "y"}')[0])
        ['customer.id']
    """
    found: list[str] = []
    seen: set[str] = set()

    def walk(value: dict[str, Any], prefix: str) -> None:
        found.extend(f"{prefix}{k}" for k in getattr(value, "repeated", ()))
        for key, item in value.items():
            name = f"{prefix}{key}"
            if flatten and isinstance(item, dict) and item:
                walk(item, f"{name}.")
            elif name in seen:
                found.append(name)
            else:
                seen.add(name)

    walk(record, "")
    return list(dict.fromkeys(found))


def _clash_reason(names: list[str]) -> str:
    """Why an object whose keys give the columns ``names`` two values each is no row (:func:`key_clashes`)."""
    return (
        f"gives column(s) {names} two values (a key named twice in one object, or a nested field beside a dotted key "
        "of the same name): one would be lost; give each value its own name"
    )


#: Where a key ends in JSON text (its closing quote and the colon): at least one per key, more
#: only where a string holds the same characters.
_KEY_END = re.compile(r'"\s*:')
#: A key with a dot in it (or text that looks so): only then can a nested field meet a dotted key.
_DOTTED_KEY = re.compile(r'\.[^"\\]*"\s*:')
#: The parser that marks objects naming a key twice (:class:`_Repeating`), built once.
_MARKING = json.JSONDecoder(object_pairs_hook=_object)


def _keys_in(value: Any) -> int:
    """How many keys the objects of a parsed JSON value hold, nested ones included."""
    if isinstance(value, dict):
        return len(value) + sum(_keys_in(v) for v in value.values() if isinstance(v, (dict, list)))
    if isinstance(value, list):
        return sum(_keys_in(v) for v in value if isinstance(v, (dict, list)))
    return 0


def _loads_marked(text: str) -> tuple[Any, int, bool]:
    """:func:`_loads`, and whether the text was parsed again to mark objects that name a key twice.

    JSON keeps the last value of a key named twice. C's parser gives a plain dict; a key named
    twice leaves fewer keys in the result than the text ends keys (:data:`_KEY_END`, which a
    string can only add to), so only then is the text parsed again with the marking hook (about
    1.2x the time), and a line of one flat object is checked by one count.
    """
    value = json.loads(text)
    marked = False
    if isinstance(value, (dict, list)):
        ends = len(_KEY_END.findall(text))
        flat = isinstance(value, dict) and text.count("{") == 1 and "[" not in text
        if ends > (len(value) if flat else _keys_in(value)):
            value, marked = _MARKING.decode(text), True
    if _SURROGATE_ESCAPE.search(text) is None:
        return value, 0, marked
    value, n = _without_surrogates(value)
    return value, n, marked


def _loads(text: str) -> tuple[Any, int]:
    """Parsed JSON with each lone surrogate (in strings and keys) replaced by U+FFFD, and how many were.

    An object that names a key twice comes back marked (:func:`key_clashes` finds it).
    """
    value, n, _ = _loads_marked(text)
    return value, n


def _without_surrogates(value: Any) -> tuple[Any, int]:
    """A parsed JSON value with lone surrogates replaced by U+FFFD in every string and key, and how many were."""
    if isinstance(value, str):
        return _SURROGATE.subn("\ufffd", value)
    if isinstance(value, list):
        items = [_without_surrogates(v) for v in value]
        return [v for v, _ in items], sum(n for _, n in items)
    if isinstance(value, dict):
        out, total = _Repeating() if isinstance(value, _Repeating) else {}, 0
        for key, item in value.items():
            (new_key, in_key), (new_item, in_item) = _without_surrogates(key), _without_surrogates(item)
            out[new_key] = new_item
            total += in_key + in_item
        if isinstance(value, _Repeating) and isinstance(out, _Repeating):
            out.repeated = tuple(_SURROGATE.sub("\ufffd", k) for k in value.repeated)
        return out, total
    return value, 0


def _sniff_delimiter(header: str, default: str) -> str:
    """The delimiter of a header line: the default unless the line has none of it but another."""
    if default in header:
        return default
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else default


#: More columns than any interaction table has: a header this wide is a file read the wrong way
#: (one long line, a wrong delimiter), and validating it would take minutes and gigabytes.
MAX_COLUMNS = 10_000


def _check_width(n: int, path: Path) -> None:
    if n > MAX_COLUMNS:
        msg = (
            f"source {str(path)!r} has {n:,} columns (at most {MAX_COLUMNS:,} are read): "
            "is it one long line, or the wrong delimiter?"
        )
        raise SchemaError(msg)


def _admit_long_fields(text: str) -> None:
    """Let the csv module read any field of ``text``: its limit on a field is 128 KiB by default.

    ``csv.field_size_limit`` is process-wide (csv has no per-reader setting), so this changes
    state beyond this call, unavoidably. It is only ever raised, and only for a text longer than
    the limit, never set back: setting it back could make another thread's read of a long field
    fail midway. Raising it is harmless: the limit guards against one runaway field filling
    memory, and no field of ``text`` is longer than ``text``, which is in memory already.
    """
    need = min(len(text) + 1, _LARGEST_FIELD_LIMIT)
    if need > csv.field_size_limit():
        csv.field_size_limit(need)


#: The largest limit ``csv.field_size_limit`` takes: a C long (32 bits on Windows).
_LARGEST_FIELD_LIMIT = 2**31 - 1 if sys.platform == "win32" else sys.maxsize


def _cr_placeholder(text: str) -> str | None:
    """A private-use character absent from ``text``, to stand for a carriage return while the csv module splits rows.

    The csv module ends a row at a bare CR, which is text here. None when ``text`` has no CR.
    """
    if "\r" not in text:
        return None
    for code in itertools.chain(range(0xE000, 0xF900), range(0xF0000, 0xFFFFE)):  # U+E000 first, nearly always
        if chr(code) not in text:
            return chr(code)
    msg = "the text holds every private-use character: no placeholder for a carriage return is left"
    raise SchemaError(msg)


def _lines(text: str, cr: str | None) -> io.StringIO:
    """The lines of ``text`` for the csv module, each ending at a line feed, a CR replaced by ``cr``."""
    return io.StringIO(text.replace("\r", cr) if cr else text, newline="")


def _split_lines(text: str) -> list[str]:
    """``text``'s lines without their line feeds, and no empty line for a final one."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _is_regular(text: str, sep: str, width: int, cr: str | None, path: Path) -> tuple[bool, int]:
    """Whether every record of a CSV has ``width`` fields and is quoted strictly; and how many data records it has.

    One pass of Python's strict CSV reader. Only a regular file is left to pandas' C reader,
    which fills a missing field with "" (a short row would pass unseen) and reads malformed
    quoting (``"Great" product``) without a word.

    Raises:
        SchemaError: the first quoting error is a quoted field never closed, which would read
            every line after it as one field.
    """
    # Lines as separate strings where no carriage return needs a stand-in: each takes one byte a
    # character when it is ASCII, where a StringIO of the whole text takes four once it holds an
    # emoji. The strict pass counts fields and records and checks quoting, which the line feeds
    # inside a quoted field do not change.
    lines: Any = _lines(text, cr) if cr else _split_lines(text)
    reader = csv.reader(lines, delimiter=sep, strict=True)
    regular, records, start = True, 0, 1
    try:
        for row in reader:
            regular = regular and len(row) == width
            records += 1
            start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc):
            return False, -1  # malformed quoting: the row-by-row reader rejects the row
        msg = (
            f"source {str(path)!r}: the quoted field that starts on line {start} is never closed, so every line "
            'after it would be read as one field; close the quote (a quote inside a field is written twice: "")'
        )
        raise SchemaError(msg) from None
    return regular, records - 1


def _read_csv(
    text: str, path: Path, options: dict[str, Any], problems: Problems | None, *, raw: bytes | None = None
) -> pd.DataFrame:
    """The C reader of pandas where the file is regular; Python's csv module, row by row, where it is not.

    Rows end at a line feed (CRLF is read as LF); a carriage return anywhere else is text, unless
    the file has no line feed at all (old Mac line ends: each CR ends a row).
    """
    plain = raw is not None and "\r" not in text  # the text is the file's bytes decoded, nothing changed
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    if "\r" in text and "\n" not in text:  # old Mac line ends: every line ends in a bare CR
        text = text.replace("\r", "\n")
    _admit_long_fields(text)
    header = text.split("\n", 1)[0]
    sep = _sniff_delimiter(header, options["sep"])
    _check_width(header.count(sep) + 1, path)
    try:
        names = next(csv.reader([header], delimiter=sep), [])
    except csv.Error as exc:
        msg = (
            f"source {str(path)!r}: the header line cannot be read ({exc}); it holds a bare carriage return: "
            "re-save the file with one kind of line end (LF or CRLF)"
        )
        raise SchemaError(msg) from None
    _check_repeated_names(names, path)
    cr = _cr_placeholder(text)
    # Every record is counted by the csv module first: pandas reads a short row with "" for the
    # missing field, a long first row with its columns shifted (or, with index_col=False, its
    # extra field dropped with a warning), and malformed quoting as if it were fine.
    regular, records = _is_regular(text, sep, len(names), cr, path)
    if not regular:
        return _read_csv_rows(text, path, sep, cr, problems)
    # the file's own bytes where the text is them decoded (no carriage return turned into a line
    # feed): a StringIO would copy the whole text again, at four bytes a character once it holds
    # an emoji (2.4 GB for the TWCS corpus)
    source: io.BytesIO | io.StringIO = io.BytesIO(raw) if plain and raw is not None else io.StringIO(text)
    try:
        frame = pd.read_csv(
            source,
            encoding="utf-8-sig",
            sep=sep,
            dtype=str,
            na_filter=False,  # an empty field is "" (made missing below), never "NA" or "null"
            index_col=False,
            skip_blank_lines=False,
            lineterminator="\n",  # a bare CR inside a field stays in the text
        )
    except pd.errors.ParserError:
        return _read_csv_rows(text, path, sep, cr, problems)
    if len(frame) != records:  # pandas split the records otherwise than the csv module: go by the latter
        return _read_csv_rows(text, path, sep, cr, problems)
    return frame.mask(frame == "")


def _read_csv_rows(text: str, path: Path, sep: str, cr: str | None, problems: Problems | None) -> pd.DataFrame:
    """A CSV with irregular rows, read row by row: each row keeps its place, a bad one is noted.

    A row is bad when it has more or fewer fields than the header, or breaks the quoting rules
    (:func:`_quoting_problem`); it is kept in place (padded or cut to the header's width) so that
    row numbers stay true, and noted in ``problems`` with its lines as written; without
    ``problems`` the first bad row is an error. Blank lines are skipped.
    """
    lines = list(_lines(text, cr))
    reader = csv.reader(iter(lines), delimiter=sep, strict=False)
    rows, spans = [], []  # each row, and the lines it was read from (a quoted field may span several)
    start = 0
    for row in reader:
        rows.append(row)
        spans.append((start, reader.line_num))
        start = reader.line_num
    if cr:
        rows = [[field.replace(cr, "\r") for field in row] for row in rows]
    names = rows[0]
    kept = [i for i in range(1, len(rows)) if rows[i]]
    data = [rows[i] for i in kept]
    width = len(names)
    bad: dict[int, str] = {}
    for n, i in enumerate(kept):
        first, stop = spans[i]
        reason = _quoting_problem(lines[first:stop], sep, first)
        if reason is None and len(data[n]) != width:
            where = f"line {first + 1}" if stop - first == 1 else f"lines {first + 1}-{stop}"
            reason = f"{len(data[n])} fields where the header has {width} ({where} of the file)"
        if reason is not None:
            bad[n] = reason
    if bad and problems is None:
        n = min(bad)
        msg = f"source {str(path)!r}: row {n}: {bad[n]}"
        raise SchemaError(msg)
    for n in bad:
        data[n] = (data[n] + [""] * width)[:width]
    frame = pd.DataFrame(data, columns=_unique_names(names), dtype=object)
    frame = frame.mask(frame == "")
    if bad and problems is not None:
        at = list(bad)
        shown = []  # each bad row as the file writes it (Problems shortens long ones)
        for n in at:
            first, stop = spans[kept[n]]
            written = "".join(lines[first:stop]).rstrip("\n")
            shown.append(written.replace(cr, "\r") if cr else written)
        mask = pd.Series(False, index=frame.index)
        mask.iloc[at] = True
        problems.add(mask, "(row)", pd.Series(bad), pd.Series(shown, index=at))
    return frame


def _quoting_problem(lines: list[str], sep: str, first: int) -> str | None:
    r"""Why the record on ``lines`` (line ``first + 1`` of the file on) breaks the quoting rules; None if it keeps them.

    A quoted field must end at its closing quote (``"He said "hi" to me"`` and ``"Great" product``
    do not: Python's strict reader says ``',' expected after '"'``), and must be closed. A stray
    opening quote swallows the lines after it into one field: the row then spans several lines,
    and the reason names them, so that the swallowed rows are seen in the rejects.

    Examples:
        >>> print(_quoting_problem(['a,"Great" product\n'], ",", 1))
        malformed quoting on line 2 (',' expected after '"'): a quote inside a quoted field is written twice ("")
        >>> _quoting_problem(['a,"say ""hi"" ok"\n'], ",", 1) is None
        True
    """
    if not any('"' in line for line in lines):
        return None
    reader = csv.reader(iter(lines), delimiter=sep, strict=True)
    try:
        next(reader, None)
    except csv.Error as exc:
        end = first + len(lines)
        if "unexpected end of data" in str(exc):
            return f"a quoted field is never closed: this row runs from line {first + 1} to the end of the file (line {end})"
        spans = f"; this row runs over lines {first + 1}-{end}" if len(lines) > 1 else ""
        return (
            f"malformed quoting on line {first + reader.line_num} ({exc}): "
            'a quote inside a quoted field is written twice ("")' + spans
        )
    return None


def _unique_names(names: list[str]) -> list[str]:
    """Header names with repeats numbered as pandas does (``a``, ``a.1``), so that no column is lost."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def file_kind(path: str) -> tuple[Literal["csv", "parquet", "jsonl", "excel"], dict[str, Any]]:
    r"""How to read a file, by its suffix: ``"csv"``, ``"parquet"``, ``"jsonl"`` or ``"excel"``, and the reader's options.

    A ``.gz`` file is read by the suffix before it (``events.csv.gz`` is CSV). The options make
    every CSV value a string (empty fields are missing) and read JSON Lines without guessing
    types, so validation sees the values as written.

    Examples:
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
    if suffix in {".xlsx", ".xlsm"}:
        return "excel", {}
    msg = (
        f"source {path!r}: unknown file type {suffix!r}; use .csv, .tsv or .txt (any of , ; tab |), .parquet, "
        ".jsonl, .json or .xlsx; the text ones may be gzipped (.csv.gz)"
    )
    raise SchemaError(msg)


def column_keys(frame: pd.DataFrame, columns: Mapping[Any, str]) -> dict[Any, str]:
    """``columns`` with a key that is not text (``0``) as the text :func:`read_table` made of that column's name.

    ``pd.read_csv(header=None)`` names columns 0, 1, ...; the readers make such names text
    (``"0"``), and ``columns={0: "customer_id"}`` maps that column, as ``{"0": ...}`` does. A key
    the frame holds as it is stays as it is.

    Examples:
        >>> column_keys(pd.DataFrame({"0": ["a"]}), {0: "customer_id"})
        {'0': 'customer_id'}
    """
    texted: dict[Any, str] = {}
    for src, dst in columns.items():
        name = src if isinstance(src, str) or src in frame.columns else str(src)
        if name in texted:
            msg = f"columns names the column {name!r} twice (as {src!r} and as text); give it once"
            raise SchemaError(msg)
        texted[name] = dst
    return texted


def map_columns(frame: pd.DataFrame, columns: Mapping[str, str] | None) -> pd.DataFrame:
    """Rename the source's columns to the canonical ones (``{"user": "customer_id"}``).

    Raises:
        SchemaError: a mapped column is not in the frame, or a target name is already taken.

    Examples:
        >>> list(map_columns(pd.DataFrame({"user": ["a"]}), {"user": "customer_id"}).columns)
        ['customer_id']
    """
    if not columns:
        warn_case_variants(frame.columns, stacklevel=4)  # its caller, the reader, the reader's caller
        return frame
    found = list(map(str, frame.columns))
    if not isinstance(columns, Mapping):
        msg = f"columns must be a mapping of input name -> journeymap name, got {type(columns).__name__}"
        raise ArgumentTypeError(msg)
    columns = column_keys(frame, columns)
    unnamed = {src: dst for src, dst in columns.items() if not isinstance(dst, str) or not dst.strip()}
    if unnamed:
        msg = f"columns maps onto names that are not column names (non-empty text): {unnamed}"
        raise SchemaError(msg)
    missing = [src for src in columns if src not in frame.columns]
    if missing:
        msg = f"columns maps {missing} but the input has no such column; found: {found}"
        raise SchemaError(msg)
    targets = list(columns.values())
    twice = sorted({dst for dst in targets if targets.count(dst) > 1})
    if twice:
        sources = {dst: [src for src, d in columns.items() if d == dst] for dst in twice}
        msg = f"columns maps several input columns onto one name: {sources}"
        raise SchemaError(msg)
    clash = [dst for src, dst in columns.items() if dst in frame.columns and dst not in columns and dst != src]
    if clash:
        msg = f"columns maps onto {clash}, which the input already has; found: {found}"
        raise SchemaError(msg)
    _warn_near_misses(frame, columns)
    warn_case_variants([columns.get(str(c), c) for c in frame.columns], columns, stacklevel=4)
    return frame.rename(columns=dict(columns))


def _name_key(name: str) -> str:
    """A column name as compared for :func:`warn_case_variants`: without case, spaces, ``-`` and ``_``."""
    return re.sub(r"[\s_-]+", "", name).casefold()


def warn_case_variants(names: Iterable[Any], columns: Mapping[str, str] | None = None, *, stacklevel: int) -> None:
    """Warn where a column is named like a canonical one the input lacks but for case, spaces, ``-`` or ``_``.

    ``"Text"``, ``"Customer ID"`` or ``"in-reply-to"`` are not read as ``text``, ``customer_id``
    or ``in_reply_to``: column names are matched exactly, as pandas matches them, and such a
    column is kept as an attribute (``touchpoint`` then falls back to the channel, a missing
    ``timestamp`` fails). Nothing is renamed; each ``UserWarning`` names the ``columns=`` that
    reads it. ``names`` are the columns after ``columns`` renamed them (a target that is such a
    variant, ``{"msg": "Text"}``, is named by its input column). ``stacklevel`` counts from the
    caller of this function.

    Examples:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn_case_variants(["customer_id", "Text", "text_lang"], stacklevel=1)
        >>> said = str(caught[0].message)
        >>> said.split(" (")[0], "pass columns={'Text': 'text'}" in said, len(caught)
        ("column 'Text' is not read as journeymap's 'text'", True, 1)
    """
    from journeymap.schema import CANONICAL_COLUMNS

    names = [str(name) for name in names]
    keys = {_name_key(c): c for c in CANONICAL_COLUMNS}
    sources = {str(dst): str(src) for src, dst in (columns or {}).items()}
    for name in names:
        canonical = keys.get(_name_key(name))
        if canonical is None or canonical in names:
            continue
        source = sources.get(name, name)
        what = f"columns maps {source!r} onto {name!r}, which" if source != name else f"column {name!r}"
        warnings.warn(
            f"{what} is not read as journeymap's {canonical!r} (column names are matched exactly, case included): "
            f"it is kept as an attribute; pass columns={{{source!r}: {canonical!r}}} to read it as {canonical!r}",
            UserWarning,
            stacklevel=stacklevel + 1,
        )


def _warn_near_misses(frame: pd.DataFrame, columns: Mapping[str, str]) -> None:
    """Warn where ``columns`` maps onto a name that is no canonical column but nearly one the result lacks ("txt")."""
    import difflib

    from journeymap.schema import CANONICAL_COLUMNS

    taken = set(map(str, frame.columns)) | set(columns.values())
    for src, dst in columns.items():
        if dst in CANONICAL_COLUMNS or any(_name_key(dst) == _name_key(c) for c in CANONICAL_COLUMNS):
            continue  # a canonical name but for case or separators ("Channel"): warn_case_variants says it
        # "channel_id" is an attribute of its own, not a misspelt "channel"
        near = [
            c
            for c in difflib.get_close_matches(dst, CANONICAL_COLUMNS, n=3, cutoff=0.8)
            if c not in taken and not dst.lower().startswith(c + "_")
        ]
        if near:
            warnings.warn(
                f"columns maps {src!r} onto {dst!r}, which is no journeymap column: did you mean {near[0]!r}? "
                f"({dst!r} is kept as an attribute; the canonical columns are {list(CANONICAL_COLUMNS)})",
                UserWarning,
                stacklevel=5,  # the caller of the reader
            )


def _index_as_column(frame: pd.DataFrame, *, index: bool | None) -> pd.DataFrame:
    """``frame`` with its index as its first column(s), as :func:`write_table` writes it.

    ``index=False``: never; ``True``: always; ``None``: a named index, or any other but a
    default 0-based one. A level with no name is written as ``row`` (a one-level index of
    integers; ``index`` where ``row`` is a column), ``index`` (a one-level index of anything else) or
    ``level_0``, ``level_1``, ... (a level of a MultiIndex, as ``reset_index`` names it); a
    name that is a column's already, or another level's, gets ``_1``, ``_2``, ... added, with a
    logged warning.

    Examples:
        >>> _index_as_column(pd.DataFrame({"a": [1, 2]}, index=[9, 3]), index=None).columns.tolist()
        ['row', 'a']
        >>> _index_as_column(pd.DataFrame({"a": [1, 2]}, index=[9, 3]), index=False).columns.tolist()
        ['a']
        >>> dated = pd.DataFrame({"a": [1, 2]}, index=pd.date_range("2024-01-01", periods=2))
        >>> _index_as_column(dated, index=None).columns.tolist()
        ['index', 'a']
        >>> both = pd.concat([pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [2]})], keys=["w1", "w2"])
        >>> _index_as_column(both, index=None).columns.tolist()
        ['level_0', 'level_1', 'a']
    """
    labels = frame.index
    default = labels.nlevels == 1 and labels.equals(pd.RangeIndex(len(frame)))  # 0, 1, 2, ...: no information
    named = any(name is not None for name in labels.names)
    if not (index is None or isinstance(index, (bool, np.bool_))):
        msg = f"write_table: index={index!r} is not True, False or None (whether the frame's index is written)"
        raise InvalidArgumentError(msg)
    if (index is not None and not index) or (index is None and default and not named):
        return frame.reset_index(drop=True)
    if labels.nlevels == 1:
        # row numbers (js.events' input rows) as "row"; dates, texts, ... as reset_index names them
        numbered = pd.api.types.is_integer_dtype(labels.dtype) and "row" not in frame.columns
        wanted = [labels.names[0] if labels.names[0] is not None else "row" if numbered else "index"]
    else:
        wanted = [name if name is not None else f"level_{i}" for i, name in enumerate(labels.names)]
    taken: set[Any] = set(frame.columns)
    names: list[Any] = []
    for name in wanted:
        unique, n = name, 0
        while unique in taken:
            n += 1
            unique = f"{name}_{n}"
        if unique != name:
            logger.warning(
                "write_table: the index level %r is written as the column %r: the name %r is taken", name, unique, name
            )
        taken.add(unique)
        names.append(unique)
    return frame.reset_index(names=names)


def _text_ready(out: pd.DataFrame, suffix: str) -> pd.DataFrame:
    """``out`` as :func:`write_table` writes it to a text format: durations as ISO 8601, lists as text where there are none."""
    if suffix in {".csv", ".tsv", ".xlsx", ".jsonl", ".ndjson"}:
        from journeymap.analytics._durations import durations_as_text

        out = durations_as_text(out)  # one encoding in every text file: ISO 8601, where pandas writes three
    if suffix in {".csv", ".tsv", ".xlsx"}:
        out = _lists_joined(out)
    return out


def _json_list(value: Any) -> Any:
    """A list (tuple, array) as a JSON array's text, which splits back whatever its items hold; anything else as it is.

    Examples:
        >>> _json_list(["Charged twice; still no refund", "Why?"]), _json_list(np.array([1, 2])), _json_list(None)
        ('["Charged twice; still no refund", "Why?"]', '[1, 2]', None)
    """
    if not isinstance(value, (list, tuple, np.ndarray)):
        return value
    items = value.tolist() if isinstance(value, np.ndarray) else list(value)
    return json.dumps([v.item() if isinstance(v, np.generic) else v for v in items], ensure_ascii=False, default=str)


def _lists_joined(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each column of lists (or tuples) as JSON arrays' text, for formats without lists."""
    joined = {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object:
            continue
        present = values.dropna()
        if len(present) and present.map(lambda v: isinstance(v, (list, tuple, np.ndarray))).all():
            joined[column] = values.map(_json_list)
    return frame.assign(**joined) if joined else frame


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool | None = None) -> Path:
    r"""Write a result table by the file's suffix: ``.csv``, ``.tsv``, ``.parquet``, ``.jsonl`` or ``.xlsx``.

    ``index`` says whether the frame's index is written, as its first column(s): ``False``
    never (as pandas' ``to_csv(index=False)``), ``True`` always, and by default (``None``)
    wherever it holds information: a named index (like ``journey_id``) under its name, and any
    other but a default 0-based one (0, 1, 2, ...): the input row numbers of ``js.events``,
    which ``EventLog.rejects`` and ``warnings`` name, as the command line's ``score -o`` writes
    them. ``index`` is a bool (a NumPy bool too) or ``None``. A level with no name is written as
    ``row`` (a one-level index of integers; ``index`` where the table has a ``row`` column),
    ``index`` (a one-level index of anything else, such as the dates of a ``resample``, as
    ``reset_index`` names it) or as ``level_0``, ``level_1``, ... (the levels of a MultiIndex,
    such as ``pd.concat(frames, keys=...)`` makes, as ``reset_index`` names them); a level whose
    name is a column's already, or another level's, gets ``_1``, ``_2``, ... added (``week_1``),
    with a logged warning. Pass ``index=False`` for a sorted or filtered frame whose row labels
    mean nothing.
    Excel needs ``openpyxl`` (``pip install 'journeymap[excel]'``); time zones are written as
    UTC wall times there, since Excel cells have none. Control characters that Excel cannot
    store (``\x00``-``\x08``, ``\x0b``, ``\x0c``, ``\x0e``-``\x1f``, which the readers accept) are
    written as U+FFFD, in values and in column names. A text longer than an Excel cell holds
    (32,767 characters) is an error naming its column and rows, not cut: write ``.csv`` or
    ``.parquet`` instead, or shorten the text yourself. A column of lists (a topic table's
    keywords and quotes) is written in CSV, TSV and Excel, which have no lists, as a JSON array
    in the cell (``["Charged twice; still no refund", "Why?"]``; not as Python's
    ``['a', 'b']``): ``json.loads`` splits it back whatever the items hold (a ``"; "`` join did
    not); in Parquet and JSON Lines as lists.
    A duration (``timedelta64``: ``response_times``' waits, ``trends``' medians) is written to
    CSV, TSV, JSON Lines and Excel alike as an ISO 8601 duration, ``P0DT0H9M59S`` (days, hours,
    minutes, seconds and the fraction of a second to the nanosecond; a negative one as
    ``-P0DT0H0M1S``), which ``pd.to_timedelta`` reads back exactly (in Excel a text cell, not
    a number); to Parquet as a duration.
    A column of numbers and text (an order number ``12345`` in one row, ``"A-77"`` in another),
    which Parquet cannot type, is written to Parquet as text, with a logged warning naming it.
    JSON has no infinity: in JSON Lines an infinite number (``touchpoint_summary``'s
    ``pos_neg_ratio`` where a touchpoint has positive messages but no negative ones) is written
    as the text ``"inf"`` or ``"-inf"``, which ``pd.read_json(path, lines=True)`` reads back as
    the float ``inf``, while a missing number (NaN: all neutral) is ``null``, as pandas writes it
    (pandas' own ``to_json`` writes both as ``null``). Other JSON readers see the text: convert
    it with ``float(value)``. A column of periods (``2024-01``) is written to JSON Lines as
    their text, as CSV writes it (``pd.Period(text, freq="M")`` reads one back); to Parquet as
    periods.

    Raises:
        InvalidArgumentError: ``index`` is not a bool or ``None`` (``0``, ``"no"``).
        SchemaError: an unknown suffix; ``.xlsx`` without openpyxl, or with a text too long for
            a cell; a column of values JSON cannot hold, for ``.jsonl``, or Parquet, for
            ``.parquet`` (a categorical of intervals, as ``pd.cut`` makes), named, with what to
            write instead.

    Examples:
        >>> import tempfile
        >>> out = write_table(pd.DataFrame({"a": [1, 2]}), Path(tempfile.mkdtemp()) / "t.csv")
        >>> out.read_text().splitlines()
        ['a', '1', '2']
    """
    target = Path(path)
    suffix = target.suffix.lower()
    out = _text_ready(_index_as_column(frame, index=index), suffix)
    if suffix in {".csv", ".tsv"}:
        out.to_csv(target, index=False, sep="\t" if suffix == ".tsv" else ",")
    elif suffix in {".parquet", ".pq"}:
        import pyarrow.parquet as pq

        from journeymap._arrow import arrow_table

        # a column of numbers and text (an order number 12345 here, "A-77" there) is written as text, with a warning
        pq.write_table(arrow_table(out, preserve_index=False, what=repr(target.name)), target)
    elif suffix in {".jsonl", ".ndjson"}:
        _write_json_lines(_infinities_as_text(_periods_as_text(out)), target)
    elif suffix in {".xlsx"}:
        if importlib.util.find_spec("openpyxl") is None:
            msg = f"writing {target.name!r} needs openpyxl (pip install 'journeymap[excel]'), or use .csv or .parquet"
            raise SchemaError(msg)
        out = _excel_text(out, target)
        for column in out.columns:
            if isinstance(out[column].dtype, pd.DatetimeTZDtype):
                out[column] = out[column].dt.tz_convert("UTC").dt.tz_localize(None)
        with pd.ExcelWriter(target, engine="openpyxl") as writer:
            out.to_excel(writer, index=False)
            # openpyxl stores text starting with "=" as a formula: customer text must stay text
            # ("=HYPERLINK(...)" in a tweet would be a live link, "=cmd|..." worse)
            for row in writer.sheets["Sheet1"].iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
    else:
        msg = f"cannot write {target.name!r}: unknown table type {suffix!r}; use .csv, .tsv, .parquet, .jsonl or .xlsx"
        raise SchemaError(msg)
    return target


def _object_columns(out: pd.DataFrame, replaced: dict[int, pd.Series]) -> pd.DataFrame:
    """``out`` with the columns at the positions of ``replaced`` set to its values as objects (``out`` itself if none)."""
    if not replaced:
        return out
    out = out.copy()
    for position, values in replaced.items():
        out.isetitem(position, values.to_numpy(dtype=object))
    return out


def _periods_as_text(out: pd.DataFrame) -> pd.DataFrame:
    """``out`` with its columns of periods (a month ``2024-01``) as their text, which JSON can hold.

    Examples:
        >>> _periods_as_text(pd.DataFrame({"month": pd.period_range("2024-01", periods=2, freq="M")}))["month"].tolist()
        ['2024-01', '2024-02']
    """
    periods: dict[int, pd.Series] = {}
    for position in range(out.shape[1]):
        values = out.iloc[:, position]
        dtype = values.dtype
        if isinstance(dtype, pd.PeriodDtype) or (
            isinstance(dtype, pd.CategoricalDtype) and isinstance(dtype.categories.dtype, pd.PeriodDtype)
        ):
            periods[position] = values.astype(object).map(lambda v: None if pd.isna(v) else str(v))
    return _object_columns(out, periods)


def _write_json_lines(out: pd.DataFrame, target: Path) -> None:
    """``out`` as JSON Lines at ``target``; a column pandas cannot write as JSON is an error naming it.

    Raises:
        SchemaError: naming the column(s) whose values JSON cannot hold, and what to do.
    """
    try:
        out.to_json(target, orient="records", lines=True, date_format="iso", force_ascii=False)
    except (ValueError, TypeError, OverflowError) as exc:
        target.unlink(missing_ok=True)  # no half-written file
        bad = []
        for position in range(out.shape[1]):
            try:
                out.iloc[:, [position]].to_json(orient="records", lines=True, date_format="iso")
            except (ValueError, TypeError, OverflowError):
                bad.append(out.columns[position])
        if not bad:
            raise
        kinds = sorted({type(v).__name__ for c in bad[:1] for v in out[c].dropna().head(100)})
        msg = (
            f"cannot write {target.name!r}: column(s) {bad} hold values JSON cannot store ({', '.join(kinds)}): "
            f"write them as text first (frame[{bad[0]!r}] = frame[{bad[0]!r}].astype(str)), or write .parquet or .csv"
        )
        raise SchemaError(msg) from exc


def _infinities_as_text(out: pd.DataFrame) -> pd.DataFrame:
    """``out`` with the infinite values of its float columns as the text ``"inf"``/``"-inf"`` (JSON has no infinity).

    ``to_json`` writes an infinity as ``null``, as it writes NaN: the text keeps them apart, and
    ``pd.read_json`` reads it back as the float.

    Examples:
        >>> _infinities_as_text(pd.DataFrame({"r": [np.inf, 0.5, np.nan, -np.inf]}))["r"].tolist()
        ['inf', 0.5, nan, '-inf']
    """
    typed: dict[int, pd.Series] = {}
    for position in range(out.shape[1]):
        values = out.iloc[:, position]
        if not pd.api.types.is_float_dtype(values.dtype):
            continue
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        infinite = np.isinf(numbers)
        if infinite.any():
            text = values.astype(object).where(~infinite, np.where(numbers > 0, "inf", "-inf"))
            typed[position] = text
    return _object_columns(out, typed)


#: The most characters an Excel cell holds; openpyxl would write more, and Excel cut or refuse them.
_EXCEL_CELL_CHARS = 32_767


def _excel_text(out: pd.DataFrame, target: Path) -> pd.DataFrame:
    """``out`` with the text an Excel cell cannot hold made safe: control characters as U+FFFD.

    Raises:
        SchemaError: a text longer than :data:`_EXCEL_CELL_CHARS`, naming its column and rows.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]  # what openpyxl refuses

    def clean(value: Any) -> Any:
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value

    out = out.rename(columns=clean)
    for position, column in enumerate(out.columns):
        values = out.iloc[:, position]
        if not (values.dtype == object or isinstance(values.dtype, (pd.StringDtype, pd.CategoricalDtype))):
            continue
        too_long = values.map(lambda v: isinstance(v, str) and len(v) > _EXCEL_CELL_CHARS).astype(bool).to_numpy()
        if too_long.any():
            rows = np.flatnonzero(too_long).tolist()
            more = f" (and {len(rows) - 5} more)" if len(rows) > 5 else ""
            msg = (
                f"cannot write {target.name!r}: column {column!r} holds text longer than an Excel cell's "
                f"{_EXCEL_CELL_CHARS:,} characters at row(s) {rows[:5]}{more} (0-based); write .csv or .parquet instead, "
                "or shorten the text"
            )
            raise SchemaError(msg)
        out.isetitem(position, values.map(clean).to_numpy(dtype=object))
    return out
