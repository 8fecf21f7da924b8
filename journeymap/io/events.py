"""Reading and validating event tables: :func:`read_events` and :class:`EventLog`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import pandas as pd

from journeymap._dispatch import distributed_module
from journeymap.exceptions import SchemaError
from journeymap.io._time import parse_timestamps
from journeymap.model.touchpoint import ACTORS

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger(__name__)

__all__ = ["CANONICAL_COLUMNS", "REQUIRED_COLUMNS", "EventLog", "read_events"]

#: The canonical event columns, in the order the events frame puts them.
CANONICAL_COLUMNS: tuple[str, ...] = (
    "event_id",
    "customer_id",
    "timestamp",
    "actor",
    "channel",
    "touchpoint",
    "stage",
    "text",
    "thread_id",
    "in_reply_to",
)
#: Columns without which no row can be placed in a journey.
REQUIRED_COLUMNS: tuple[str, ...] = ("customer_id", "timestamp")
REJECT_COLUMNS: tuple[str, ...] = ("row", "column", "reason", "value")

#: Spellings of the actor column that are read as a canonical actor (case-insensitive).
ACTOR_ALIASES: dict[str, str] = {
    **{a: a for a in ACTORS},
    "user": "customer",
    "client": "customer",
    "inbound": "customer",
    "brand": "agent",
    "company": "agent",
    "support": "agent",
    "staff": "agent",
    "outbound": "agent",
    "chatbot": "bot",
}

OnError = Literal["raise", "collect"]
_MAX_VALUE_CHARS = 200


def _empty_rejects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series(dtype="int64"),
            "column": pd.Series(dtype="string"),
            "reason": pd.Series(dtype="string"),
            "value": pd.Series(dtype="string"),
        }
    )


@dataclass(frozen=True, eq=False)
class EventLog:
    """Validated events and the input rows that were kept out, with their reasons.

    Attributes:
        events: one row per interaction in the canonical columns (see DESIGN), then any other
            input columns; the index is the input row number (0-based).
        rejects: one row per problem: ``row`` (input row number), ``column``, ``reason`` and
            the raw ``value``. A row with two problems is listed twice.
        warnings: rows that were kept but carry a caveat (for example a reply whose parent is
            not in the data), as ``row``, ``column``, ``reason``, ``value``.
        n_input: number of input rows.

    Every input row is either in ``events`` or in ``rejects``:
    ``len(events) + rejects["row"].nunique() == n_input``.

    Example:
        >>> import pandas as pd
        >>> log = read_events(pd.DataFrame({"customer_id": ["a", "b"],
        ...     "timestamp": ["2017-10-11T06:55:44Z", "not a time"]}), on_error="collect")
        >>> len(log), log.rejects.loc[0, "reason"]
        (1, 'unparseable timestamp')
    """

    events: pd.DataFrame
    rejects: pd.DataFrame
    warnings: pd.DataFrame
    n_input: int

    def __len__(self) -> int:
        return len(self.events)

    @property
    def rejected_rows(self) -> np.ndarray:
        """Sorted input row numbers that were kept out of the events."""
        return np.unique(self.rejects["row"].to_numpy(dtype=np.int64))

    def __repr__(self) -> str:
        return (
            f"EventLog({len(self.events)} events, {len(self.rejected_rows)} rejected rows, "
            f"{len(self.warnings)} warnings, from {self.n_input} input rows)"
        )


# --------------------------------------------------------------------------- reading sources


def _read_source(source: pd.DataFrame | str | Path) -> pd.DataFrame:
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
    """How to read a file, by its suffix: ``"csv"``, ``"parquet"`` or ``"jsonl"``, and the reader's options.

    A ``.gz`` file is read by the suffix before it (``events.csv.gz`` is CSV). The options make
    every CSV value a string (empty fields are missing) and read JSON Lines without guessing
    types, so validation sees the values as written.
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


def _apply_column_map(frame: pd.DataFrame, columns: Mapping[str, str] | None) -> pd.DataFrame:
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


# --------------------------------------------------------------------------- validation


def _shorten(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 1] + "…"


class _Problems:
    """Collects ``(row, column, reason, value)`` findings, vectorised per check."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, column: str, reason: str | pd.Series, raw: pd.Series) -> None:
        if not mask.any():
            return
        rows = mask[mask].index
        reasons = reason[rows] if isinstance(reason, pd.Series) else reason
        self.parts.append(
            pd.DataFrame(
                {
                    "row": rows.to_numpy(dtype=np.int64),
                    "column": column,
                    "reason": reasons,
                    "value": raw[rows].map(_shorten).to_numpy(dtype=object),
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return _empty_rejects()
        out = pd.concat(self.parts, ignore_index=True)
        names = [*CANONICAL_COLUMNS, *sorted(set(out["column"]) - set(CANONICAL_COLUMNS))]
        order = {c: i for i, c in enumerate(names)}
        out["_o"] = out["column"].map(order)
        out = out.sort_values(["row", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
        return out.astype({"row": "int64", "column": "string", "reason": "string", "value": "string"})


def _type_name(value: Any) -> str:
    return type(value).__name__


def _all_strings(raw: pd.Series) -> bool:
    """Whether every non-missing value is a string (checked in C, not per value in Python)."""
    if isinstance(raw.dtype, pd.StringDtype):
        return True
    return pd.api.types.is_object_dtype(raw.dtype) and pd.api.types.infer_dtype(raw, skipna=True) in {
        "string",
        "empty",
    }


def as_id(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Ids as strings; returns ``(ids, wrong_type_mask)``. Integral numbers become digits."""
    if _all_strings(raw):
        ids = raw.astype("string").str.strip()
        return ids.mask(ids == ""), pd.Series(False, index=raw.index)
    if pd.api.types.is_integer_dtype(raw.dtype):
        return raw.astype("Int64").astype("string"), pd.Series(False, index=raw.index)
    if pd.api.types.is_float_dtype(raw.dtype):
        integral = raw.isna() | (raw == np.floor(raw))
        ids = raw.where(integral).astype("Int64").astype("string")
        return ids, ~integral

    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return pd.NA
        if isinstance(v, str):
            return v.strip() or pd.NA
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            return str(int(v))
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return _WRONG

    converted = raw.map(one)
    wrong = converted.map(lambda v: v is _WRONG).astype(bool)
    return converted.mask(wrong).astype("string"), wrong


_WRONG = object()


def _as_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Free text as strings; returns ``(text, wrong_type_mask)``. NA stays NA."""
    if _all_strings(raw):
        return raw.astype("string"), pd.Series(False, index=raw.index)
    wrong = raw.notna() & ~raw.map(lambda v: isinstance(v, str)).astype(bool)
    return raw.mask(wrong).astype("string"), wrong


def check_on_error(on_error: str) -> None:
    """Raise ValueError unless ``on_error`` is ``"raise"`` or ``"collect"``."""
    if on_error not in ("raise", "collect"):
        msg = f"on_error must be 'raise' or 'collect', got {on_error!r}"
        raise ValueError(msg)


def raise_invalid(rejects: pd.DataFrame, n: int) -> None:
    """Raise the SchemaError that lists the first invalid rows (``on_error="raise"``)."""
    rows = rejects["row"].nunique()
    head = "; ".join(f"row {r.row}, column {r.column!r}: {r.reason} ({r.value!r})" for r in rejects.head(5).itertuples())
    more = f" (and {len(rejects) - 5} more)" if len(rejects) > 5 else ""
    msg = (
        f"{rows} of {n} rows are invalid: {head}{more}. Pass on_error='collect' to keep the valid "
        "rows and list the rest in EventLog.rejects."
    )
    raise SchemaError(msg, rejects)


def duplicate_reason(first_row: pd.Series) -> pd.Series:
    """The reject reason of duplicate ids, from the row where each id was first seen."""
    return "duplicate event_id (first seen at row " + first_row.astype("int64").astype(str) + ")"


def validate_events(frame: pd.DataFrame, *, on_error: OnError = "raise") -> EventLog:
    """Validate a frame already in canonical column names and build the :class:`EventLog`."""
    return validate_part(frame, on_error=on_error)


def validate_part(  # noqa: PLR0912, PLR0915
    frame: pd.DataFrame,
    *,
    on_error: OnError = "collect",
    row_offset: int = 0,
    duplicates: pd.Series | None = None,
    log_rejects: bool = True,
) -> EventLog:
    """Validate one block of a larger input (the distributed path reads in blocks).

    ``row_offset`` is the input row number of the block's first row. ``duplicates`` maps the
    input row of every duplicate ``event_id`` in the whole input to the row where that id was
    first seen; None checks duplicates within this block (the single-machine case).
    ``log_rejects=False`` leaves the warning about rejected rows to the caller.
    """
    check_on_error(on_error)
    n = len(frame)
    frame = frame.set_axis(pd.RangeIndex(row_offset, row_offset + n), axis=0)
    found = list(map(str, frame.columns))
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        msg = f"missing required column(s) {missing}; found columns: {found}"
        raise SchemaError(msg, _empty_rejects())
    problems = _Problems()
    out: dict[str, pd.Series] = {}

    # event_id: the source's id, or generated from the row number when the column is absent.
    if "event_id" in frame.columns:
        raw = frame["event_id"]
        ids, wrong = as_id(raw)
        problems.add(wrong, "event_id", "wrong type: expected a string or integer id", raw)
        problems.add(ids.isna() & ~wrong, "event_id", "missing event_id", raw)
        if duplicates is None:
            dup = ids.duplicated(keep="first") & ids.notna()
            if dup.any():
                firsts = ids[ids.notna() & ~ids.duplicated(keep="first")]
                first_row = pd.Series(firsts.index, index=firsts.to_numpy())
                problems.add(dup, "event_id", duplicate_reason(ids[dup].map(first_row)), raw)
        else:
            first_seen = duplicates[duplicates.index.isin(frame.index)]
            dup = pd.Series(frame.index.isin(first_seen.index), index=frame.index)
            problems.add(dup, "event_id", duplicate_reason(first_seen.reindex(frame.index[dup.to_numpy()])), raw)
        out["event_id"] = ids
    else:
        out["event_id"] = pd.Series(frame.index.to_numpy().astype(str), index=frame.index, dtype="string")

    raw = frame["customer_id"]
    cust, wrong = as_id(raw)
    problems.add(wrong, "customer_id", "wrong type: expected a string or integer id", raw)
    problems.add(cust.isna() & ~wrong, "customer_id", "missing customer_id", raw)
    out["customer_id"] = cust

    raw = frame["timestamp"]
    ts = parse_timestamps(raw)
    present = raw.notna()
    problems.add(ts.isna() & present, "timestamp", "unparseable timestamp", raw)
    problems.add(~present, "timestamp", "missing timestamp", raw)
    out["timestamp"] = ts

    if "actor" in frame.columns:
        raw = frame["actor"]
        if pd.api.types.is_bool_dtype(raw.dtype):
            problems.add(pd.Series(True, index=raw.index), "actor", "wrong type: expected an actor name", raw)
            actor = pd.Series(pd.NA, index=raw.index, dtype="string")
        else:
            text, wrong = _as_text(raw)
            problems.add(wrong, "actor", "wrong type: expected an actor name", raw)
            actor = text.str.strip().str.lower().map(ACTOR_ALIASES).astype("string")
            known = f"expected one of {', '.join(ACTORS)}"
            problems.add(text.notna() & actor.isna(), "actor", f"unknown actor ({known})", raw)
            problems.add(text.isna() & ~wrong, "actor", "missing actor", raw)
    else:
        actor = pd.Series("customer", index=frame.index, dtype="string")
    out["actor"] = actor

    for column in ("channel", "touchpoint", "stage", "text"):
        if column in frame.columns:
            raw = frame[column]
            value, wrong = _as_text(raw)
            problems.add(wrong, column, f"wrong type: {column} must be a string, got " + raw.map(_type_name), raw)
            out[column] = value
    if "channel" not in out:
        out["channel"] = pd.Series("unknown", index=frame.index, dtype="string")
    if "touchpoint" not in out:
        out["touchpoint"] = out["channel"].copy()
    for column in ("thread_id", "in_reply_to"):
        if column in frame.columns:
            raw = frame[column]
            ids, wrong = as_id(raw)
            problems.add(wrong, column, "wrong type: expected a string or integer id", raw)
            out[column] = ids

    rejects = problems.frame()
    if len(rejects) and on_error == "raise":
        raise_invalid(rejects, n)

    keep = np.ones(n, dtype=bool)
    keep[rejects["row"].to_numpy(dtype=np.int64) - row_offset] = False
    canonical = [c for c in CANONICAL_COLUMNS if c in out]
    events = pd.DataFrame({c: out[c] for c in canonical}, index=frame.index)
    events["actor"] = pd.Categorical(events["actor"], categories=list(ACTORS))
    extras = [c for c in frame.columns if c not in CANONICAL_COLUMNS]
    if extras:
        events = pd.concat([events, frame[extras]], axis=1)
    events = events.loc[keep]
    if len(rejects) and log_rejects:
        logger.warning("%d of %d rows rejected; see EventLog.rejects", rejects["row"].nunique(), n)
    return EventLog(events=events, rejects=rejects, warnings=_empty_rejects(), n_input=n)


def read_events(
    source: pd.DataFrame | str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    on_error: OnError = "raise",
) -> EventLog:
    """Read and validate interaction events into an :class:`EventLog`.

    Args:
        source: a pandas DataFrame, or the path of a CSV (``.csv``, ``.tsv``), Parquet
            (``.parquet``) or JSON Lines (``.jsonl``) file.
        columns: maps your column names to the canonical ones, e.g.
            ``{"user": "customer_id", "created_at": "timestamp"}``.
        on_error: ``"raise"`` raises :class:`~journeymap.SchemaError` listing the first bad rows;
            ``"collect"`` keeps them out of the events and lists them in ``EventLog.rejects``.

    ``customer_id`` and ``timestamp`` are required. Without ``event_id`` ids are generated from
    the row number; without ``actor`` every event is the customer's; without ``channel`` it is
    ``"unknown"``; without ``touchpoint`` the channel is used. Timestamps are parsed to UTC from
    ISO 8601 (naive values are taken as UTC), epoch seconds or milliseconds, and Twitter's
    ``Wed Oct 11 06:55:44 +0000 2017``. Other columns are kept as attributes. A dask DataFrame
    is validated partition by partition (:func:`journeymap.distributed.read_events`).

    Raises:
        SchemaError: a required column is missing (whatever ``on_error`` says), a ``columns``
            entry names no input column, or (with ``on_error="raise"``) any row is invalid.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"user": ["a", "a"], "at": [1507704944, 1507708544],
        ...                    "text": ["my order is late", "thanks, it arrived"]})
        >>> log = read_events(df, columns={"user": "customer_id", "at": "timestamp"})
        >>> log.events["timestamp"].iloc[0]
        Timestamp('2017-10-11 06:55:44+0000', tz='UTC')
    """
    if (distributed := distributed_module(source)) is not None:
        return cast("EventLog", distributed.read_events(source, columns=columns, on_error=on_error))
    frame = _apply_column_map(_read_source(source), columns)
    return validate_events(frame, on_error=on_error)
