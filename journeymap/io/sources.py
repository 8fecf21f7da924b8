"""Reading a source into a raw frame: files by their suffix, and the column mapping.

These are the first two steps of every reader; :func:`journeymap.io.validate_events` is the last.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from journeymap.exceptions import SchemaError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from journeymap.io.validation import Problems

__all__ = ["file_kind", "map_columns", "read_table", "write_table"]


def read_table(source: pd.DataFrame | str | Path, *, problems: Problems | None = None) -> pd.DataFrame:
    """A pandas frame as it is (with a fresh 0-based index), or a file read as written.

    CSV, TSV, Parquet, JSON Lines, JSON arrays and Excel workbooks (``.xlsx``, first sheet; needs
    ``openpyxl``: ``pip install journeymap[excel]``) are told apart by :func:`file_kind`. CSV is
    read strictly: every value as a string, the delimiter of the header line (comma, semicolon,
    tab or bar), line ends as the file writes them (a carriage return inside a field stays in
    the text). A row with more or fewer fields than the header is kept in place, so that row
    numbers stay true, and noted in ``problems`` (without ``problems`` it is an error naming
    the row).

    Raises:
        SchemaError: an empty file; a file that is not UTF-8 or not JSON, naming the line; a
            ragged row when no ``problems`` collector is given.
        FileNotFoundError: no such file.
        IsADirectoryError: a folder instead of a file (the message lists the files in it).

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
            return pd.read_parquet(path).reset_index(drop=True)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ValueError (dates past year 9999), ...
            msg = f"source {str(path)!r} is not a readable Parquet file ({type(exc).__name__}: {exc})"
            raise SchemaError(msg) from exc
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


def _read_excel(path: Path) -> pd.DataFrame:
    """The first sheet, cells as Excel stores them (numbers, dates, text); empty cells are missing."""
    if importlib.util.find_spec("openpyxl") is None:  # checked here so that the error says what to install
        msg = f"source {str(path)!r} is an Excel workbook: reading it needs openpyxl (pip install 'journeymap[excel]')"
        raise SchemaError(msg)
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises zipfile and XML errors for a damaged workbook
        msg = f"source {str(path)!r} is not a readable Excel workbook ({type(exc).__name__}: {exc})"
        raise SchemaError(msg) from exc
    if frame.columns.empty:
        msg = f"source {str(path)!r} is empty: expected a header row and data on the first sheet"
        raise SchemaError(msg)
    return frame.reset_index(drop=True)


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


def _read_json(text: str, path: Path) -> pd.DataFrame:
    """JSON Lines (one object per line) or a JSON array of objects."""
    if text.lstrip().startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = f"source {str(path)!r}: not valid JSON at line {exc.lineno}: {exc.msg}"
            raise SchemaError(msg) from None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            msg = f"source {str(path)!r}: a JSON file must hold an array of objects (one per event)"
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
            msg = f"source {str(path)!r}: line {number} is a JSON {type(value).__name__}, expected an object"
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


def _read_csv(text: str, path: Path, options: dict[str, Any], problems: Problems | None) -> pd.DataFrame:
    """The C reader of pandas where the file is regular; Python's csv module, row by row, where it is not.

    Rows end at a line feed (CRLF is read as LF); a carriage return anywhere else is text.
    """
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    header = text.split("\n", 1)[0]
    sep = _sniff_delimiter(header, options["sep"])
    _check_width(header.count(sep) + 1, path)
    names = next(csv.reader([header], delimiter=sep), [])
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:  # pandas would read them as "name" and "name.1", one silently an attribute
        msg = f"source {str(path)!r}: the header names {repeated} more than once; give each column its own name"
        raise SchemaError(msg)
    try:
        with warnings.catch_warnings():
            # a ragged first row would be read with its columns shifted: make that an error here
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                dtype=str,
                na_filter=False,  # an empty field is "", so a missing one (a short row) shows as NaN
                index_col=False,
                skip_blank_lines=False,  # a blank line goes to the row-by-row reader (it skips empty ones only)
                lineterminator="\n",  # a bare CR inside a field stays in the text
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning):
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
    rows = list(csv.reader(io.StringIO(parsed, newline=""), delimiter=sep, strict=False))
    _check_quotes(pd.DataFrame(rows[-1:], dtype=object), parsed, sep, path)
    if hidden:
        rows = [[field.replace(_CR, "\r") for field in row] for row in rows]
    names, data = rows[0], [r for r in rows[1:] if r]
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
        problems.add(mask, "(row)", reasons, pd.Series(sep.join(names), index=frame.index))
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
