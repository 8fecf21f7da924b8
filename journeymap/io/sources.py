"""Reading a source into a raw frame: files by their suffix, and the column mapping.

These are the first two steps of every reader; :func:`journeymap.io.validate_events` is the last.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from journeymap.exceptions import ArgumentTypeError, SchemaError

if TYPE_CHECKING:
    from journeymap.io.validation import Problems

logger = logging.getLogger(__name__)

__all__ = ["file_kind", "map_columns", "read_table", "write_table"]


def read_table(source: pd.DataFrame | str | Path, *, problems: Problems | None = None) -> pd.DataFrame:
    """A pandas frame as it is (with a fresh 0-based index), or a file read as written.

    A named index (of a frame, or stored in a Parquet file) comes back as columns, as
    :func:`write_table` writes it: ``df.set_index("event_id")`` keeps its event ids, a
    ``DatetimeIndex`` named ``timestamp`` gives the timestamps. An unnamed index is dropped.

    CSV, TSV, Parquet, JSON Lines, JSON arrays and Excel workbooks (``.xlsx``, first sheet, with a
    WARNING naming other sheets that hold data; needs ``openpyxl``: ``pip install
    journeymap[excel]``) are told apart by :func:`file_kind`. A
    ``.json`` file may also hold pandas' default ``DataFrame.to_json()`` layout, one object of
    columns (``{"customer_id": {"0": "a", "1": "b"}, ...}``), read in the order of its row keys,
    or its ``orient="split"``, ``"table"`` and ``"index"`` layouts.
    CSV is read strictly: every value as a string, the delimiter of the header line (comma,
    semicolon, tab or bar), line ends as the file writes them (a carriage return inside a field
    stays in the text; a file whose lines all end in a bare carriage return, as old Mac programs
    write, is read with those as line ends). A row with more or fewer fields than the header is
    kept in place, so that row numbers stay true, and noted in ``problems`` with its line as the
    value (without ``problems`` it is an error naming the row).

    Raises:
        SchemaError: an empty file; a file that is not UTF-8 or not JSON, naming the line; a
            ragged row when no ``problems`` collector is given. (An index named like a column
            gives way to the column, with a warning when their values differ.)
        FileNotFoundError: no such file.
        IsADirectoryError: a folder instead of a file (the message lists the files in it).

    Example:
        >>> read_table(pd.DataFrame({"a": [1]}, index=[7])).index.tolist()
        [0]
        >>> read_table(pd.DataFrame({"a": [1]}, index=pd.Index(["m7"], name="event_id"))).columns.tolist()
        ['event_id', 'a']
    """
    if isinstance(source, pd.DataFrame):
        return _index_as_columns(source, "the input DataFrame")
    if not isinstance(source, (str, Path)):
        msg = f"source must be a pandas DataFrame or a path, got {type(source).__name__}"
        raise ArgumentTypeError(msg)
    path = Path(source)
    if path.is_dir():
        inside = sorted(child.name for child in path.iterdir() if child.is_file() and not child.name.startswith("."))
        more = ", ..." if len(inside) > 5 else ""
        hint = f" (files in it: {', '.join(inside[:5])}{more})" if inside else " (it holds no files)"
        msg = f"source {str(path)!r} is a folder, not a file: give the path of the file to read{hint}"
        raise IsADirectoryError(msg)
    if not path.is_file():
        msg = f"source {str(path)!r} does not exist"
        raise FileNotFoundError(msg)
    kind, options = file_kind(str(path))
    if kind == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ValueError (dates past year 9999), ...
            msg = f"source {str(path)!r} is not a readable Parquet file ({type(exc).__name__}: {exc})"
            raise SchemaError(msg) from exc
        return _index_as_columns(frame, f"source {str(path)!r}")
    if kind == "excel":
        return _read_excel(path)
    raw = _read_bytes(path)
    text = _decode(raw, path)
    if not text.strip():
        msg = f"source {str(path)!r} is empty: expected a header row and data"
        raise SchemaError(msg)
    if kind == "jsonl":
        return _read_json(text, path)
    return _read_csv(text, path, options, problems)


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

    Other sheets that hold data are named in a WARNING, not read.
    """
    if importlib.util.find_spec("openpyxl") is None:  # checked here so that the error says what to install
        msg = f"source {str(path)!r} is an Excel workbook: reading it needs openpyxl (pip install 'journeymap[excel]')"
        raise SchemaError(msg)
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            frame = pd.read_excel(book, sheet_name=0, dtype=object)
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
    return frame.reset_index(drop=True)


def _has_cells(sheet: Any) -> bool:
    """Whether an openpyxl worksheet holds any value (a sheet left blank, or a chart sheet, has none)."""
    if not hasattr(sheet, "iter_rows"):
        return False
    rows = sheet.iter_rows(values_only=True)
    return any(value is not None and value != "" for row in rows for value in row)


_CR = "\ue000"  # a private-use character standing in for a carriage return while the csv module splits rows


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


def _decode(raw: bytes, path: Path) -> str:
    """The file's text (UTF-8, a byte-order mark dropped), or an error naming the line of the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        where = "the header line of a CSV" if line == 1 else f"data row {line - 2} of a CSV"
        msg = (
            f"source {str(path)!r}: line {line} ({where}) is not valid UTF-8 "
            f"(byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}); re-save the file as UTF-8 (for example from Excel: 'CSV UTF-8')"
        )
        raise SchemaError(msg) from None


_JSON_LAYOUTS = (
    "a JSON array of objects (one per event), JSON Lines (one object per line), or pandas' "
    'DataFrame.to_json() layout {"column": {"row": value, ...}, ...} (or its orient="split", "table" or "index" layouts)'
)


def _read_json_object(text: str, path: Path) -> pd.DataFrame | None:
    """The frame of a file that is one JSON object of columns (pandas' ``to_json()``); None if it is not one object.

    One object whose values are all objects is read as columns (``{column: {row: value}}``),
    rows in the order of the first column's keys (then any others), or as rows
    (``orient="index"``: ``{row: {column: value}}``) when its keys are all row numbers and the
    inner keys are not. One object of plain values is one event, as the same line in JSON
    Lines would be.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError:  # more than one object: JSON Lines
        return None
    if not isinstance(value, dict):
        return None
    split = _read_json_split(value, path)
    if split is not None:
        return split
    if not value or not all(isinstance(v, dict) for v in value.values()):
        return pd.DataFrame.from_records([value]) if value else pd.DataFrame()
    inner = list(dict.fromkeys(key for column in value.values() for key in column))
    if all(k.isdigit() for k in value) and not all(k.isdigit() for k in inner):
        # pandas' orient="index": {row: {column: value}}; row labels are numbers, column names are not
        frame = pd.DataFrame([[row.get(c) for c in inner] for row in value.values()], columns=inner, dtype=object)
        logger.info("source %r: one JSON object of rows (pandas' index layout), %d rows", str(path), len(frame))
        return frame
    frame = pd.DataFrame({name: [column.get(r) for r in inner] for name, column in value.items()}, dtype=object)
    logger.info("source %r: one JSON object of columns (pandas' to_json layout), %d rows", str(path), len(inner))
    return frame


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
        frame = pd.DataFrame.from_records(data, columns=[str(f) for f in fields] or None)
        if value["schema"].get("primaryKey") == ["index"] and "index" in frame.columns:
            frame = frame.drop(columns="index")
        layout = "table"
    else:
        return None
    logger.info("source %r: one JSON object in pandas' %s layout, %d rows", str(path), layout, len(frame))
    return frame.reset_index(drop=True)


def _read_json(text: str, path: Path) -> pd.DataFrame:
    """JSON Lines (one object per line), a JSON array of objects, or one object of columns."""
    if text.lstrip().startswith("{"):
        columns = _read_json_object(text, path)
        if columns is not None:
            return columns
    if text.lstrip().startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = f"source {str(path)!r}: not valid JSON at line {exc.lineno}: {exc.msg}"
            raise SchemaError(msg) from None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            msg = f"source {str(path)!r}: a JSON file must hold {_JSON_LAYOUTS}"
            raise SchemaError(msg)
        return pd.DataFrame.from_records(records)
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            msg = f"source {str(path)!r}: line {number} is not valid JSON ({exc.msg} at column {exc.colno})"
            raise SchemaError(msg) from None
        if not isinstance(value, dict):
            msg = f"source {str(path)!r}: line {number} is a JSON {type(value).__name__}, expected an object ({_JSON_LAYOUTS})"
            raise SchemaError(msg)
        rows.append(value)
    return pd.DataFrame.from_records(rows)


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


def _check_quotes(frame: pd.DataFrame, text: str, sep: str, path: Path) -> None:
    """Raise when a quoted field is never closed: it would swallow every line after it, silently.

    Only looked for when the last row holds a line break (where a swallowed rest of the file
    would be); Python's strict CSV reader then says whether the file ends inside quotes.
    """
    if not len(frame):
        return
    last = frame.iloc[-1].astype("string")
    if not last.str.contains("\n", regex=False).fillna(False).any():
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    start = 1
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc):  # other strictness (text after a closing quote) is tolerated
            return
        msg = (
            f"source {str(path)!r}: the quoted field that starts on line {start} is never closed, so every line "
            'after it would be read as one field; close the quote (a quote inside a field is written twice: "")'
        )
        raise SchemaError(msg) from None


#: How much of a CSV the first-row check reads: the header and the first record, unless a field
#: of that record is longer (then the check is left to pandas).
_PROBE_CHARS = 1 << 20


def _first_row_width(text: str, sep: str) -> int:
    r"""The number of fields of the first record after the header (0 when there is none or it cannot be read).

    Only the first :data:`_PROBE_CHARS` characters are read, with a bare CR taken as text (as
    pandas reads it with ``lineterminator="\n"``). A record cut off by the prefix can only
    seem shorter, never longer, than it is. A record the csv module cannot read (a field over
    its size limit, which is process-wide and not raised here) counts as 0: pandas reads it.

    Example:
        >>> _first_row_width("a,b\n1,2,3\n", ","), _first_row_width("a,b\n", ",")
        (3, 0)
    """
    probe = text[:_PROBE_CHARS]
    if "\r" in probe:
        probe = probe.replace("\r", "\ue000")
    records = csv.reader(io.StringIO(probe, newline=""), delimiter=sep)
    try:
        next(records, None)
        first = next(records, None)
    except csv.Error:
        return 0
    return len(first) if first is not None else 0


def _read_csv(text: str, path: Path, options: dict[str, Any], problems: Problems | None) -> pd.DataFrame:
    """The C reader of pandas where the file is regular; Python's csv module, row by row, where it is not.

    Rows end at a line feed (CRLF is read as LF); a carriage return anywhere else is text, unless
    the file has no line feed at all (old Mac line ends: each CR ends a row).
    """
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    if "\r" in text and "\n" not in text:  # old Mac line ends: every line ends in a bare CR
        text = text.replace("\r", "\n")
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
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:  # pandas would read them as "name" and "name.1", one silently an attribute
        msg = f"source {str(path)!r}: the header names {repeated} more than once; give each column its own name"
        raise SchemaError(msg)
    # pandas reads a first row with one field too many with its columns shifted, or (with
    # index_col=False) drops the field with a warning; later long rows fail to parse. The first
    # row is checked here rather than by turning the warning into an error: a warnings filter is
    # process-wide and not thread-safe (it would drop the filters other threads add meanwhile).
    if _first_row_width(text, sep) > len(names):
        return _read_csv_rows(text, path, sep, problems)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            na_filter=False,  # an empty field is "", so a missing one (a short row) shows as NaN
            index_col=False,
            skip_blank_lines=False,  # a blank line goes to the row-by-row reader (it skips empty ones only)
            lineterminator="\n",  # a bare CR inside a field stays in the text
        )
    except pd.errors.ParserError:
        return _read_csv_rows(text, path, sep, problems)
    _check_quotes(frame, text, sep, path)
    values = frame.to_numpy(dtype=object)
    if pd.isna(values).any() or (len(frame) and (values == "").all(axis=1).any()):  # a short or a blank line
        return _read_csv_rows(text, path, sep, problems)
    return frame.mask(frame == "")


def _read_csv_rows(text: str, path: Path, sep: str, problems: Problems | None) -> pd.DataFrame:
    """A CSV with irregular rows, read row by row: each row keeps its place, a ragged one is noted."""
    # The csv module ends a row at a bare CR too: hide them while splitting rows.
    hidden = "\r" in text
    parsed = text.replace("\r", _CR) if hidden else text
    lines = list(io.StringIO(parsed, newline=""))
    reader = csv.reader(iter(lines), delimiter=sep, strict=False)
    rows, spans = [], []  # each row, and the lines it was read from (a quoted field may span several)
    start = 0
    for row in reader:
        rows.append(row)
        spans.append((start, reader.line_num))
        start = reader.line_num
    _check_quotes(pd.DataFrame(rows[-1:], dtype=object), parsed, sep, path)
    if hidden:
        rows = [[field.replace(_CR, "\r") for field in row] for row in rows]
    names = rows[0]
    kept = [i for i in range(1, len(rows)) if rows[i]]
    data = [rows[i] for i in kept]
    width = len(names)
    counts = np.fromiter((len(r) for r in data), dtype=np.int64, count=len(data))
    ragged = np.flatnonzero(counts != width)
    if len(ragged) and problems is None:
        first = int(ragged[0])
        msg = f"source {str(path)!r}: row {first} has {counts[first]} fields where the header has {width}"
        raise SchemaError(msg)
    for i in ragged:
        data[i] = (data[i] + [""] * width)[:width]
    frame = pd.DataFrame(data, columns=_unique_names(names), dtype=object)
    frame = frame.mask(frame == "")
    if len(ragged) and problems is not None:
        mask = pd.Series(False, index=frame.index)
        mask.iloc[ragged] = True
        reasons = pd.Series(counts, index=frame.index).map(lambda c: f"{c} fields where the header has {width}")
        shown = np.full(len(frame), "", dtype=object)
        for i in ragged:  # the row as the file writes it (Problems shortens long ones)
            first, stop = spans[kept[i]]
            shown[i] = "".join(lines[first:stop]).rstrip("\n").replace(_CR, "\r")
        problems.add(mask, "(row)", reasons, pd.Series(shown, index=frame.index))
    return frame


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
    if suffix in {".xlsx", ".xlsm"}:
        return "excel", {}
    msg = f"source {path!r}: unknown file type {suffix!r}; use .csv, .tsv, .parquet, .jsonl or .xlsx"
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
    if not isinstance(columns, Mapping):
        msg = f"columns must be a mapping of input name -> journeymap name, got {type(columns).__name__}"
        raise ArgumentTypeError(msg)
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
    return frame.rename(columns=dict(columns))


def write_table(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write a result table by the file's suffix: ``.csv``, ``.tsv``, ``.parquet``, ``.jsonl`` or ``.xlsx``.

    ``index=False`` (the default) leaves a default 0-based index out, as tidy tables have none;
    a meaningful index (a named one, like ``journey_id``) is always written as a column.
    Excel needs ``openpyxl`` (``pip install 'journeymap[excel]'``); time zones are written as
    UTC wall times there, since Excel cells have none.

    Example:
        >>> import tempfile
        >>> out = write_table(pd.DataFrame({"a": [1, 2]}), Path(tempfile.mkdtemp()) / "t.csv")
        >>> out.read_text().splitlines()
        ['a', '1', '2']
    """
    target = Path(path)
    suffix = target.suffix.lower()
    keep_index = index or frame.index.name is not None or any(n is not None for n in frame.index.names)
    out = frame.reset_index() if keep_index else frame.reset_index(drop=True)
    if suffix in {".csv", ".tsv"}:
        out.to_csv(target, index=False, sep="\t" if suffix == ".tsv" else ",")
    elif suffix in {".parquet", ".pq"}:
        out.to_parquet(target, index=False)
    elif suffix in {".jsonl", ".ndjson"}:
        out.to_json(target, orient="records", lines=True, date_format="iso", force_ascii=False)
    elif suffix in {".xlsx"}:
        if importlib.util.find_spec("openpyxl") is None:
            msg = f"writing {target.name!r} needs openpyxl (pip install 'journeymap[excel]'), or use .csv or .parquet"
            raise SchemaError(msg)
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
