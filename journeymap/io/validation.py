"""Validating a frame in canonical column names into an :class:`~journeymap.io.EventLog`.

This is the last step of every reader and the contract for writing a new one: map the source's
columns onto the canonical names (:mod:`journeymap.schema`), note any problems the source format
itself reveals in a :class:`Problems` collector, and call :func:`validate_events`. Every input row
then ends in the events or in the rejects, with its row, column and reason.

Examples:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["2024-01-01", "2024-01-02"],
    ...                       "priority": ["high", "urgent!"]})
    >>> problems = Problems()
    >>> problems.add(frame["priority"] == "urgent!", "priority", "unknown priority", frame["priority"])
    >>> log = validate_events(frame, problems=problems, on_error="collect")
    >>> len(log), log.rejects.loc[0, "reason"]
    (1, 'unknown priority')
"""

from __future__ import annotations

import logging
import math
import re
import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap._threads import reply_tree
from journeymap.exceptions import InvalidArgumentError, SchemaError
from journeymap.io import _regex
from journeymap.io._regex import SURROGATE
from journeymap.io._time import (
    AMBIGUOUS_HOUR,
    EARLY_EPOCH,
    EPOCH_FLOOR,
    EPOCH_MS_BEYOND,
    NOT_A_COMPACT_TIME,
    NOT_A_DATE,
    NOT_A_MOMENT,
    OUT_OF_RANGE,
    UNPARSEABLE,
    WRONG_TYPE,
    ambiguous_hour,
    attrs_zone,
    boxable,
    column_zone,
    early_epoch,
    epoch_ms,
    invalid_compact_time,
    invalid_date,
    iso_shaped,
    out_of_range,
    parse_timestamps,
    wrong_type,
)
from journeymap.io.eventlog import EventLog, OnError, empty_rejects
from journeymap.model.touchpoint import ACTORS
from journeymap.schema import (
    CANONICAL_COLUMNS,
    EVENT_COLUMNS,
    FALSE_WORDS,
    PUBLIC,
    REQUIRED_COLUMNS,
    SCORE_PREFIX,
    TRUE_WORDS,
    Column,
)

if TYPE_CHECKING:
    import datetime as dt

    import numpy.typing as npt

logger = logging.getLogger(__name__)

__all__ = [
    "ACTOR_ALIASES",
    "DANGLING_REPLY",
    "INTERNAL_NOTE",
    "Problems",
    "as_id",
    "as_text",
    "canonical_actors",
    "check_on_error",
    "check_replies",
    "check_unique_columns",
    "duplicate_reason",
    "float_written_ids",
    "past_notes",
    "public_flags",
    "raise_invalid",
    "rejected_times",
    "require_text_column",
    "validate_block",
    "validate_events",
    "without_surrogates",
]

#: Spellings of the actor column that are read as a canonical actor (case-insensitive).
ACTOR_ALIASES: dict[str, str] = {
    **{a: a for a in ACTORS},
    # the customer, as helpdesk, chat and CRM exports name them; "user" is Intercom's and Zendesk's
    # customer but Drift's and Help Scout's team member (journeymap.io._values.ambiguous_roles warns)
    "user": "customer",
    "client": "customer",
    "inbound": "customer",
    "end-user": "customer",
    "end_user": "customer",
    "enduser": "customer",
    "end user": "customer",
    "requester": "customer",
    "visitor": "customer",
    "lead": "customer",
    "contact": "customer",
    # the brand's people
    "brand": "agent",
    "company": "agent",
    "support": "agent",
    "staff": "agent",
    "outbound": "agent",
    "operator": "agent",
    "admin": "agent",
    "teammate": "agent",
    "representative": "agent",
    "rep": "agent",
    "employee": "agent",
    "human": "agent",
    # Zendesk's light agents (staff who comment on tickets without a full agent seat)
    "light-agent": "agent",
    "light agent": "agent",
    "light_agent": "agent",
    # automatic senders
    "chatbot": "bot",
    "virtual agent": "bot",
    "assistant": "bot",
    "autoresponder": "bot",
    "auto-reply": "bot",
    "automation": "system",
    "trigger": "system",
    "workflow": "system",
}
_MAX_VALUE_CHARS = 200
_WRONG = object()
#: Floats hold every whole number below this exactly; larger ones are not ids.
_EXACT_FLOAT = 2.0**53
_SURROGATE_NOTE = "invalid unicode (a lone surrogate) replaced with U+FFFD"
_BLOCK = 65_536  # strings joined at a time to look for lone surrogates
_WRONG_ID = "wrong type: expected a string or integer id"
#: The reject reason of a row whose ``public`` column is False (:data:`~journeymap.schema.PUBLIC`): it
#: is kept out of the events whatever ``on_error`` says.
INTERNAL_NOTE = "internal note (public is False): the customer never saw it"
_BLANK_FLAGS = ("", "nan", "<na>")  # a missing flag as a CSV or a float column writes it: keeps the row
_NOT_A_FLAG = (
    "public must be True or False (true/false, yes/no, 1/0; False marks an internal note), got another value: "
    "map a column of such flags to public, or rename this one"
)
#: The caveat of a reply whose ``in_reply_to`` names no event of the data (``EventLog.warnings``).
DANGLING_REPLY = "replies to an event that is not in the data; starts its own thread"


def _shorten(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    try:
        shown = str(value)
    except Exception:  # a timestamp past what Python's calendar prints: numpy prints any year
        shown = str(value.asm8) if hasattr(value, "asm8") else object.__repr__(value)
    text = re.sub(SURROGATE, "\ufffd", shown)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 1] + "…"


class Problems:
    """Collects ``(row, column, reason, value)`` findings, one vectorised check at a time.

    Examples:
        >>> import pandas as pd
        >>> raw = pd.Series(["ok", "bad"])
        >>> p = Problems()
        >>> p.add(raw == "bad", "code", "not a code", raw)
        >>> p.frame()[["row", "reason"]].values.tolist()
        [[1, 'not a code']]
    """

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, column: str, reason: str | pd.Series, raw: pd.Series) -> None:
        """Note ``reason`` for ``column`` on the rows where ``mask`` is true (``raw`` gives the values)."""
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

    def rows(self) -> np.ndarray:
        """The row numbers noted so far (sorted, each once)."""
        if not self.parts:
            return np.array([], dtype=np.int64)
        return np.unique(np.concatenate([part["row"].to_numpy(dtype=np.int64) for part in self.parts]))

    def frame(self) -> pd.DataFrame:
        """The findings, by row, canonical columns first: the rejects (or warnings) frame."""
        if not self.parts:
            return empty_rejects()
        out = pd.concat(self.parts, ignore_index=True)
        names = [*CANONICAL_COLUMNS, *sorted(set(out["column"]) - set(CANONICAL_COLUMNS))]
        order = {c: i for i, c in enumerate(names)}
        out["_o"] = out["column"].map(order)
        out = out.sort_values(["row", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
        return out.astype({"row": "int64", "column": "string", "reason": "string", "value": "string"})


def _all_strings(raw: pd.Series) -> bool:
    """Whether every non-missing value is a string (checked in C, not per value in Python)."""
    if isinstance(raw.dtype, pd.StringDtype):
        return True
    return pd.api.types.is_object_dtype(raw.dtype) and pd.api.types.infer_dtype(raw, skipna=True) in {"string", "empty"}


def _one_id(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return pd.NA
    if isinstance(v, str):
        return v.strip() or pd.NA
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    if isinstance(v, (float, np.floating)) and float(v).is_integer() and abs(float(v)) < _EXACT_FLOAT:
        return str(int(v))
    return _WRONG


def _any_surrogate(strings: np.ndarray) -> bool:
    """Whether any of ``strings`` holds a lone surrogate: UTF-8 encoding fails on one (in C, a block at a time)."""
    for start in range(0, len(strings), _BLOCK):
        try:
            "".join(strings[start : start + _BLOCK]).encode("utf-8")
        except UnicodeEncodeError:
            return True
    return False


def _may_hold_surrogates(dtype: Any) -> bool:
    """Objects and Python-backed strings: Arrow-backed strings and other dtypes cannot hold a lone surrogate."""
    return pd.api.types.is_object_dtype(dtype) or (isinstance(dtype, pd.StringDtype) and dtype.storage == "python")


def without_surrogates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    r"""Strings with lone surrogates (invalid unicode, such as a JSON escape of half an emoji) replaced.

    Returns ``(values, replaced_mask)``; each lone surrogate becomes U+FFFD, the replacement
    character. Other values are untouched. Arrow-backed strings cannot hold one; objects and
    Python-backed strings can.

    Examples:
        >>> values, replaced = without_surrogates(pd.Series(["hi \ud83d", 7, None], dtype=object))
        >>> values[0] == "hi \ufffd", replaced.tolist()
        (True, [True, False, False])
    """
    none = pd.Series(False, index=raw.index)
    if not _may_hold_surrogates(raw.dtype) or raw.empty:
        return raw, none
    python_strings = isinstance(raw.dtype, pd.StringDtype)
    if python_strings or pd.api.types.infer_dtype(raw, skipna=True) == "string":
        strings = raw.notna()
    else:
        strings = raw.map(lambda v: isinstance(v, str)).astype(bool)
    if not strings.any() or not _any_surrogate(raw[strings].to_numpy(dtype=object)):
        return raw, none
    bad = raw[strings].str.contains(SURROGATE, regex=True).astype(bool).reindex(raw.index, fill_value=False)
    fixed = raw.copy()
    fixed[bad] = raw[bad].str.replace(SURROGATE, "\ufffd", regex=True)
    return fixed, bad


#: Id text as a float column writes it (``DataFrame.to_csv`` of ids with gaps): ``"119236.0"``.
_FLOAT_WRITTEN = r"^([0-9]+)\.0$"
#: Digits of fewer characters than this are below 2**53, which a float holds exactly.
_EXACT_DIGITS = 16


def float_written_ids(ids: pd.Series, *, whole_column: bool = True) -> tuple[pd.Series, pd.Series]:
    """Ids written from a float column (``"119236.0"``) read as the float column itself is: ``"119236"``.

    pandas stores integer ids with gaps (``in_reply_to``) as floats, and writes them to CSV so;
    :func:`as_id` reads such a frame's ``119236.0`` as ``"119236"``, and the text must read the
    same or every reply link misses its parent. Returns ``(ids, inexact_mask)``: a value of
    2**53 or more was rounded by the float that held it (two ids may have become one), so it
    is no id, as in a float column (NA here, marked in the mask).

    ``ids`` are stripped strings (:func:`as_id`'s). With ``whole_column`` (the rule of
    :func:`as_id`) the ``.0`` is dropped only where every non-missing value is written so, as
    a float column writes them: a column that also holds other text (``"v1"``, ``"1.0"`` beside
    ``"2"``) is text, its values kept as written. Without it each such value is read alone
    (:func:`~journeymap.read_twcs`, whose tweet ids are numbers whatever a file writes).

    Examples:
        >>> float_written_ids(pd.Series(["119236.0", None, "7.0"], dtype="string"))[0].tolist()
        ['119236', <NA>, '7']
        >>> float_written_ids(pd.Series(["1.0", "v2"], dtype="string"))[0].tolist()
        ['1.0', 'v2']
        >>> float_written_ids(pd.Series(["1.0", "v2"], dtype="string"), whole_column=False)[0].tolist()
        ['1', 'v2']
        >>> [m.tolist() for m in float_written_ids(pd.Series(["9007199254740993.0", "5.0"], dtype="string"))]
        [[<NA>, '5'], [True, False]]
    """
    none = pd.Series(False, index=ids.index)
    # by position throughout: the index may repeat labels (a Dask partition, concatenated frames)
    present_at = ids.notna().to_numpy(dtype=bool)
    if not present_at.any():
        return ids, none
    present = ids[present_at]
    if whole_column and not re.match(_FLOAT_WRITTEN, str(present.iloc[0])):  # the usual id column: one look
        return ids, none
    written = np.asarray(_regex.contains(present, _FLOAT_WRITTEN), dtype=bool)
    if not written.any() or (whole_column and not written.all()):
        return ids, none
    rows = np.flatnonzero(present_at)[written]
    sliced = present[written].str.slice(stop=-2)
    digits = sliced.to_numpy(dtype=object)
    inexact_at = np.zeros(len(ids), dtype=bool)
    long = np.flatnonzero(sliced.str.len().to_numpy(dtype=np.int64) >= _EXACT_DIGITS)  # only these can reach 2**53
    for i in long:
        inexact_at[rows[i]] = int(digits[i]) >= _EXACT_FLOAT
    out = ids.copy()
    out.iloc[rows] = digits
    return out.mask(inexact_at), pd.Series(inexact_at, index=ids.index)


def as_id(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Ids as strings; returns ``(ids, wrong_type_mask)``. Integral numbers become digits.

    A float id is read as digits only when it is a whole number that a float holds exactly
    (below 2**53); infinities, NaN-like and larger floats are of the wrong type. A column of
    text read the same: where every value is written as a float column writes it
    (``"119236.0"``, a CSV of a frame whose ids had gaps), as the digits, and from 2**53 on as
    of the wrong type (:func:`float_written_ids`); other text is kept as written.

    Examples:
        >>> import pandas as pd
        >>> ids, wrong = as_id(pd.Series([7, " x ", 1.5, float("inf"), 1e30, 2**64 - 1], dtype=object))
        >>> ids.tolist(), wrong.tolist()
        (['7', 'x', <NA>, <NA>, <NA>, '18446744073709551615'], [False, False, True, True, True, False])
        >>> as_id(pd.Series(["119236.0", None]))[0].tolist()
        ['119236', <NA>]
    """
    raw = without_surrogates(raw)[0]
    if _all_strings(raw):
        ids = raw.astype("string").str.strip()
        return float_written_ids(ids.mask(ids == ""))
    if pd.api.types.is_integer_dtype(raw.dtype):
        return raw.astype("string"), pd.Series(False, index=raw.index)
    if pd.api.types.is_float_dtype(raw.dtype):
        values = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        exact = np.isfinite(values) & (np.abs(values) < _EXACT_FLOAT) & (values == np.floor(values))
        integral = pd.Series(np.isnan(values) | exact, index=raw.index)
        ids = pd.Series(np.where(exact, values, np.nan), index=raw.index).astype("Int64").astype("string")
        return ids, ~integral
    converted = raw.map(_one_id)
    wrong = converted.map(lambda v: v is _WRONG).astype(bool)
    return converted.mask(wrong).astype("string"), wrong


def as_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Free text as strings; returns ``(text, wrong_type_mask)``. NA stays NA; lone surrogates become U+FFFD.

    Examples:
        >>> text, wrong = as_text(pd.Series(["hi", None, 3, "bad" + chr(0xD800)], dtype=object))
        >>> text[:3].tolist(), wrong.tolist(), text[3] == "bad" + chr(0xFFFD)  # 3 is not text
        (['hi', <NA>, <NA>], [False, False, True, False], True)
    """
    raw = without_surrogates(raw)[0]
    if _all_strings(raw):
        return raw.astype("string"), pd.Series(False, index=raw.index)
    wrong = raw.notna() & ~raw.map(lambda v: isinstance(v, str)).astype(bool)
    return raw.mask(wrong).astype("string"), wrong


def check_on_error(on_error: str) -> None:
    """Raise :class:`~journeymap.InvalidArgumentError` (a ``ValueError``) unless ``on_error`` is ``"raise"`` or ``"collect"``.

    Examples:
        >>> check_on_error("collect")
        >>> check_on_error("ignore")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: on_error must be 'raise' or 'collect', got 'ignore'
    """
    if on_error not in ("raise", "collect"):
        msg = f"on_error must be 'raise' or 'collect', got {on_error!r}"
        raise InvalidArgumentError(msg)


def require_text_column(frame: pd.DataFrame, what: str) -> None:
    """Raise SchemaError unless ``frame`` has one column named ``text`` (checked by :func:`check_unique_columns` first).

    The check of the functions that read the messages' texts (``score``, ``assign_topics``),
    on one machine and, on a dask frame's empty ``_meta``, on a cluster.

    Examples:
        >>> require_text_column(pd.DataFrame({"body": ["hi"]}), "score")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.SchemaError: score needs a 'text' column; found: ['body']
    """
    check_unique_columns(frame)  # two 'text' columns, or names of two levels: no one text per row
    if "text" not in frame.columns:
        msg = f"{what} needs a 'text' column; found: {list(frame.columns)}"
        raise SchemaError(msg)


def check_unique_columns(frame: pd.DataFrame) -> None:
    """Raise SchemaError naming the column names that the frame holds more than once, or for column names of several levels.

    Examples:
        >>> check_unique_columns(pd.DataFrame([[1, 2]], columns=["text", "text"]))
        Traceback (most recent call last):
        ...
        journeymap.exceptions.SchemaError: duplicate column names ['text']: each column needs a name of its own...
        >>> check_unique_columns(pd.DataFrame([["hi"]], columns=pd.MultiIndex.from_tuples([("text", "raw")])))
        Traceback (most recent call last):
        ...
        journeymap.exceptions.SchemaError: the columns have 2 levels of names ([('text', 'raw')]): journeymap reads one name...
    """
    if isinstance(frame.columns, pd.MultiIndex):
        shown = list(frame.columns[:5])
        msg = (
            f"the columns have {frame.columns.nlevels} levels of names ({shown}): journeymap reads one name per column; "
            "flatten them first (frame.columns = ['_'.join(map(str, c)) for c in frame.columns])"
        )
        raise SchemaError(msg, empty_rejects())
    repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if repeated:
        msg = f"duplicate column names {repeated}: each column needs a name of its own (rename them before reading)"
        raise SchemaError(msg, empty_rejects())


def read_flags(raw: pd.Series) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    """A flag column as booleans (NA where missing or unreadable), and which values are unreadable.

    Booleans, the numbers 0 and 1, and the flag words (:data:`~journeymap.schema.TRUE_WORDS`,
    :data:`~journeymap.schema.FALSE_WORDS`, in any case, spaces around them ignored) are read; a
    missing value or a blank cell is missing, not unreadable. Shared by the ``public`` column and
    ``read_twcs``' ``inbound``.

    Examples:
        >>> flags, unreadable = read_flags(pd.Series([True, " No ", 1.0, None, "", "maybe"], dtype=object))
        >>> flags.tolist(), unreadable.tolist()
        ([True, False, True, <NA>, <NA>, <NA>], [False, False, False, False, False, True])
    """
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean"), np.zeros(len(raw), dtype=bool)
    # numbers and booleans as their text (1.0, True), so that one set of words reads them all
    words = as_text(raw.map(lambda v: str(v) if isinstance(v, (bool, np.bool_, int, float, np.number)) else v))[0]
    words = words.str.strip().str.lower()
    true = words.isin(TRUE_WORDS).fillna(False).to_numpy(dtype=bool)
    false = words.isin(FALSE_WORDS).fillna(False).to_numpy(dtype=bool)
    missing = (raw.isna() | words.isin(_BLANK_FLAGS)).fillna(False).to_numpy(dtype=bool)
    flags = pd.Series(pd.array(true, dtype="boolean"), index=raw.index).mask(~(true | false))
    return flags, ~(true | false | missing)


def public_flags(raw: pd.Series, problems: Problems, notes: Problems) -> pd.Series:
    """The ``public`` column as booleans (NA where missing): False rows noted in ``notes``, unreadable ones in ``problems``.

    Booleans, the numbers 0 and 1, and the flag words (true/false, yes/no, t/f, 1/0 in any case)
    are read; a blank cell is missing, which keeps the row. A False row is an internal note
    (:data:`INTERNAL_NOTE`); any other value is rejected naming the column.

    Examples:
        >>> problems, notes = Problems(), Problems()
        >>> public_flags(pd.Series([True, "no", None, "maybe"], dtype=object), problems, notes).tolist()
        [True, False, <NA>, <NA>]
        >>> notes.rows().tolist(), problems.rows().tolist()
        ([1], [3])
    """
    flags, unreadable = read_flags(raw)
    problems.add(pd.Series(unreadable, index=raw.index), PUBLIC, _NOT_A_FLAG, raw)
    notes.add((flags == False).fillna(False).astype(bool), PUBLIC, INTERNAL_NOTE, raw)  # noqa: E712
    return flags


def past_notes(ids: pd.Series, parents: pd.Series, note: pd.Series) -> pd.Series:
    """``parents`` with each link to an internal note (a ``note`` row) moved up to that note's own parent.

    The notes are left out of the events (:data:`INTERNAL_NOTE`): a public reply to one would
    name an event no longer there and start a journey of its own. It replies to the message the
    note answered instead, through any chain of notes (to none where the chain starts at a note,
    or runs in a cycle). The number of links moved is logged at INFO.

    Examples:
        >>> ids = pd.Series(["m1", "n1", "n2", "m2"], dtype="string")
        >>> parents = pd.Series([None, "m1", "n1", "n2"], dtype="string")
        >>> past_notes(ids, parents, pd.Series([False, True, True, False])).tolist()
        [<NA>, 'm1', 'n1', 'm1']
    """
    is_note = note.to_numpy(dtype=bool)
    if not is_note.any() or not parents.notna().any():
        return parents
    up = {i: p for i, p in zip(ids[is_note], parents[is_note]) if not pd.isna(i)}
    top: dict[Any, Any] = {}
    for start, first in up.items():
        seen, at = {start}, first
        while not pd.isna(at) and at in up and at not in seen:  # a chain of notes; a cycle ends it
            seen.add(at)
            at = up[at]
        top[start] = None if pd.isna(at) or at in seen else at
    moved = parents.isin(list(top)).fillna(False).astype(bool) & ~pd.Series(is_note, index=parents.index)
    if not moved.any():
        return parents
    logger.info(
        "%d repl%s to internal notes re-linked to the message each note answered",
        int(moved.sum()),
        "y" if moved.sum() == 1 else "ies",
    )
    return parents.where(~moved, parents.map(top).astype(parents.dtype))


def _past_notes(events: pd.DataFrame, *, replies: bool) -> None:
    """:func:`past_notes` on the events (internal notes still among them) in place; ``replies=False`` (a block): nothing."""
    if replies and "in_reply_to" in events.columns:
        notes = (events[PUBLIC] == False).fillna(False)  # noqa: E712
        events["in_reply_to"] = past_notes(events["event_id"], events["in_reply_to"], notes)


def raise_invalid(rejects: pd.DataFrame, n: int) -> None:
    """Raise the SchemaError that lists the first invalid rows (``on_error="raise"``); internal notes are no error.

    ``rejects`` is a rejects frame (``row``, ``column``, ``reason``, ``value``), ``n`` the number
    of input rows; without rejects it returns.

    Examples:
        >>> rejects = pd.DataFrame({"row": [1], "column": ["timestamp"], "reason": ["not a time"], "value": ["someday"]})
        >>> raise_invalid(rejects, 2)
        Traceback (most recent call last):
        ...
        journeymap.exceptions.SchemaError: 1 of 2 rows are invalid: row 1, column 'timestamp': not a time ('someday'). Pass...
        >>> raise_invalid(empty_rejects(), 2)  # nothing invalid: no error
    """
    rejects = rejects[rejects["reason"] != INTERNAL_NOTE]
    if not len(rejects):
        return
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


# --------------------------------------------------------------------------- one check per column kind


def _check_event_ids(raw: pd.Series, problems: Problems, duplicates: pd.Series | None) -> pd.Series:
    """The parsed ids; duplicates are noted here only when ``duplicates`` (from the whole input) is given.

    Within one frame they are decided later, by :func:`_check_duplicates`, among the rows that
    pass every other check.
    """
    ids, wrong = as_id(raw)
    problems.add(wrong, "event_id", _WRONG_ID, raw)
    problems.add(ids.isna() & ~wrong, "event_id", "missing event_id", raw)
    if duplicates is not None:
        index = raw.index
        first_seen = duplicates[duplicates.index.isin(index)]
        dup = pd.Series(index.isin(first_seen.index), index=index)
        problems.add(dup, "event_id", duplicate_reason(first_seen.reindex(index[dup.to_numpy()])), raw)
    return ids


def _check_duplicates(ids: pd.Series, problems: Problems, raw: pd.Series) -> pd.Series:
    """Reject every copy of an id after its first usable one; returns the rows that stand for no id of their own.

    The first copy is the first row with that id that nothing else rejects (a copy with an
    unparseable timestamp does not count), so that the one usable copy of an event is kept. A
    rejected row before it is left with its own reasons; every row after it is a duplicate.
    The rows returned (for the reply checks, which need each id once) are all copies but the
    first usable one, or but the first one where no copy is usable.
    """
    present = ids.notna()
    repeated = ids.duplicated(keep="first") & present
    if not repeated.any():  # the usual case: one hash pass
        return repeated
    usable = present & ~ids.index.isin(problems.rows())
    good = ids[usable]
    firsts = good[~good.duplicated(keep="first")]
    first_of = ids.map(pd.Series(firsts.index, index=firsts.to_numpy()))
    rows = ids.index.to_numpy()
    dup = pd.Series(first_of.notna().to_numpy() & (rows > first_of.fillna(-1).to_numpy()), index=ids.index)
    if dup.any():
        problems.add(dup, "event_id", duplicate_reason(first_of[dup]), raw)
    # the row that stands for each id: its first usable copy, else its first copy
    stands_for = first_of.fillna(ids.map(pd.Series(rows, index=ids.to_numpy()).groupby(level=0).first()))
    return pd.Series(present.to_numpy(dtype=bool) & (stands_for.to_numpy() != rows), index=ids.index)


def _replied_to_id(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.ndim != 1:
        return value  # not a list of references: a wrong type, as before
    refs = [value] if isinstance(value, Mapping) else value
    if not all(isinstance(ref, Mapping) and "id" in ref for ref in refs):
        return value  # a list of something else: a wrong type, as before
    ids = [ref["id"] for ref in refs if str(ref.get("type", "replied_to")) == "replied_to"]
    return ids[0] if ids else None


def replied_to(raw: pd.Series) -> pd.Series:
    """A reply column as the X API writes it, ``[{"type": "replied_to", "id": "123"}, ...]``, as the replied-to ids.

    The X API (v2) gives a post's parents as a list of references; a quote or a repost is no
    reply (None). Other values are returned as they are.

    Examples:
        >>> raw = pd.Series([[{"type": "replied_to", "id": "12"}], [{"type": "quoted", "id": "7"}], None, "5"])
        >>> replied_to(raw).tolist()
        ['12', None, None, '5']
    """
    if not pd.api.types.is_object_dtype(raw.dtype) or _all_strings(raw):  # plain ids: checked in C, not per row
        return raw
    nested = raw.map(lambda v: isinstance(v, (list, tuple, np.ndarray, Mapping))).to_numpy(dtype=bool)
    if not nested.any():
        return raw
    values = raw.to_numpy(dtype=object, copy=True)
    for i in np.flatnonzero(nested):  # one by one: a list assigned to a masked cell would be unpacked
        values[i] = _replied_to_id(values[i])
    return pd.Series(values, index=raw.index, name=raw.name, dtype=object)


def _check_id(column: Column, raw: pd.Series, problems: Problems) -> pd.Series:
    ids, wrong = as_id(raw)
    problems.add(wrong, column.name, _WRONG_ID, raw)
    if column.required:
        problems.add(ids.isna() & ~wrong, column.name, f"missing {column.name}", raw)
    return ids


def _check_timestamp(column: Column, raw: pd.Series, problems: Problems) -> pd.Series:
    """Parsed times; rejected: values of a wrong type, out of range, unparseable, or numbers before 1973.

    A number that as epoch seconds lands before 1973 is rejected (:data:`EARLY_EPOCH`): it is
    far more often an Excel serial date or a row number than a time in 1970-1972. A lone
    surrogate (no time has one) is replaced first, so the row is an unparseable one, not a crash.
    """
    raw = boxable(without_surrogates(raw)[0])  # a far time outside UTC: boxed in UTC (pandas 2.2 crashed)
    ts = parse_timestamps(raw)
    blank = raw.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)  # an empty cell, as CSV writes one
    present = raw.notna() & ~blank
    failed = ts.isna() & present
    beyond = pd.Series(False, index=raw.index)
    wrong = pd.Series(False, index=raw.index)
    compact = pd.Series(False, index=raw.index)  # digits of a compact date-time that make none, or read two ways
    if failed.any():
        # flags set as arrays: pandas 2.2 makes a bool Series set through a mask with a Series object (FutureWarning)
        wrong[failed] = wrong_type(raw[failed]).to_numpy(dtype=bool)
        no_time, two_ways = invalid_compact_time(raw[failed & ~wrong]), ambiguous_hour(raw[failed & ~wrong])
        problems.add(no_time.reindex(raw.index, fill_value=False), column.name, NOT_A_COMPACT_TIME, raw)
        problems.add(two_ways.reindex(raw.index, fill_value=False), column.name, AMBIGUOUS_HOUR, raw)
        compact[failed & ~wrong] = (no_time | two_ways).to_numpy(dtype=bool)
        failed &= ~compact
        beyond[failed & ~wrong] = out_of_range(raw[failed & ~wrong]).to_numpy(dtype=bool)
    if wrong.any():
        problems.add(wrong, column.name, WRONG_TYPE + ", got " + raw[wrong].map(lambda v: type(v).__name__), raw)
    # a number read as milliseconds and out of range as such (microseconds? nanoseconds?) says which unit was tried
    as_ms = pd.Series(False, index=raw.index)
    if beyond.any():
        as_ms[beyond] = epoch_ms(raw[beyond]).to_numpy(dtype=bool)
    problems.add(failed & beyond & ~as_ms, column.name, OUT_OF_RANGE, raw)
    problems.add(failed & beyond & as_ms, column.name, EPOCH_MS_BEYOND, raw)
    unread = failed & ~beyond & ~wrong  # text no form read matches: an ISO-shaped slip, or another form
    slip = pd.Series(False, index=raw.index)
    if unread.any():
        slip[unread] = iso_shaped(raw[unread]).to_numpy(dtype=bool)
    problems.add(unread & slip, column.name, NOT_A_MOMENT, raw)
    problems.add(unread & ~slip, column.name, UNPARSEABLE, raw)
    problems.add(~present, column.name, "missing timestamp", raw)
    early = (ts < pd.Timestamp(EPOCH_FLOOR, unit="s", tz="UTC")).fillna(False).astype(bool)
    if early.any():  # only the few early times are looked at again
        problems.add(early_epoch(raw[early]).reindex(raw.index, fill_value=False), column.name, EARLY_EPOCH, raw)
        problems.add(invalid_date(raw[early]).reindex(raw.index, fill_value=False), column.name, NOT_A_DATE, raw)
    return ts


def rejected_times(raw: pd.Series) -> pd.Series:
    """Whether each value of a timestamp column is one :func:`validate_events` rejects (unparseable, missing, ...).

    For a reader that must know before validation which rows it keeps (:func:`journeymap.read_twcs`
    picks the copy of a repeated id that validation keeps).

    Examples:
        >>> rejected_times(pd.Series(["2024-01-01T10:00Z", "not a time", None])).tolist()
        [False, True, True]
    """
    found = Problems()
    _check_timestamp(Column("timestamp", "timestamp", required=True), raw, found)
    return pd.Series(raw.index.isin(found.rows()), index=raw.index)


def canonical_actors(text: pd.Series) -> pd.Series:
    """Actor names as the readers understand them: trimmed, any case, aliases mapped (NA: unknown).

    Examples:
        >>> canonical_actors(pd.Series([" Customer", "USER", "support", "robot"])).tolist()
        ['customer', 'customer', 'agent', <NA>]
    """
    # normalise the few distinct names, not every row
    codes, names = pd.factorize(text)
    canonical = pd.Series(names).astype("string").str.strip().str.lower().map(ACTOR_ALIASES).astype("string")
    return pd.Series(canonical.array.take(codes, allow_fill=True), index=text.index)


#: Distinct unknown role values that each get a reason naming them (a role column has few); more, or
#: longer ones, are no role column (text mapped to ``actor`` by mistake) and share one reason.
_NAMED_ROLES = 20
_ROLE_CHARS = 40
_UNKNOWN_ACTOR = (
    f"unknown actor (expected one of {', '.join(ACTORS)}): map your role names with actors={{ROLE: ACTOR}} "
    "(command line: --actors ROLE=ACTOR)"
)
_WRONG_ACTOR = "wrong type: expected an actor name"
_FLAG = (
    "map it with actors={True: 'customer', False: 'agent'} (the reverse where True marks the brand; "
    "command line: --actors true=customer --actors false=agent)"
)
_WRONG_FLAG = f"{_WRONG_ACTOR}, got a true/false flag: {_FLAG}"
#: Words of a role name that suggest its actor in the example mapping of a reject (else ``customer``).
_ROLE_WORDS = (
    ("bot", "bot"),
    ("system", "system"),
    ("automat", "system"),
    ("agent", "agent"),
    ("staff", "agent"),
    ("support", "agent"),
    ("brand", "agent"),
    ("admin", "agent"),
    ("employee", "agent"),
    ("team", "agent"),
    ("moderator", "agent"),
)


def _role_reason(value: object) -> str:
    """The reject reason of one unknown role value: the ``actors=`` entry (and option) that reads it."""
    if isinstance(value, (bool, np.bool_)):
        return _WRONG_FLAG
    if isinstance(value, (int, np.integer)):
        code = int(value)
        return (
            f"unknown actor {code}, a role code: map your codes with actors={{{code}: 'customer'}} "
            f"(command line: --actors {code}=customer)"
        )
    role = str(value).strip()
    if role.lower() in {"true", "false"}:
        return f"unknown actor {role!r}, a true/false flag: {_FLAG}"
    actor = next((a for word, a in _ROLE_WORDS if word in role.lower()), "customer")
    option = shlex.quote(f"{role}={actor}")
    return f"unknown actor {role!r}: map your roles with actors={{{role!r}: {actor!r}}} (command line: --actors {option})"


def _role_reasons(values: pd.Series, unknown: pd.Series, general: str) -> pd.Series | str:
    """The reasons of the ``unknown`` rows: each value's own (:func:`_role_reason`) where few short ones repeat, else ``general``.

    A reason per value keeps the rejects grouped by reason as short as the role column's
    vocabulary; text mapped to ``actor`` by mistake (many, long values) gets the one ``general``.
    """
    found = values[unknown]
    codes, distinct = pd.factorize(found)
    if not len(distinct) or len(distinct) > _NAMED_ROLES:
        return general
    usable = [
        isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, np.integer, str)) and len(str(v).strip()) <= _ROLE_CHARS)
        for v in distinct
    ]
    if not all(usable):
        return general
    reasons = pd.Series(np.array([_role_reason(v) for v in distinct], dtype=object)[codes], index=found.index, dtype=object)
    if any(isinstance(v, (bool, np.bool_, int, np.integer)) for v in distinct):  # hashing takes True for 1: told apart here
        flag = found.map(lambda v: isinstance(v, (bool, np.bool_))).astype(bool)
        reasons[flag] = _WRONG_FLAG
        reasons[~flag & (reasons == _WRONG_FLAG)] = found[~flag & (reasons == _WRONG_FLAG)].map(_role_reason)
    return reasons


def _check_actor(raw: pd.Series, problems: Problems) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw.dtype):  # a flag column (a nullable one may hold missing values)
        present = raw.notna()
        problems.add(present, "actor", _WRONG_FLAG, raw)
        problems.add(~present, "actor", "missing actor", raw)
        return pd.Series(pd.NA, index=raw.index, dtype="string")
    text, wrong = as_text(raw)
    if wrong.any():
        problems.add(wrong, "actor", _role_reasons(raw, wrong, _WRONG_ACTOR), raw)
    blank = (text.str.strip() == "").fillna(False).astype(bool)  # an empty cell, as CSV and DataFrames write one
    text = text.mask(blank)
    actor = canonical_actors(text)
    unknown = text.notna() & actor.isna()
    if unknown.any():
        problems.add(unknown, "actor", _role_reasons(text, unknown, _UNKNOWN_ACTOR), raw)
    problems.add(text.isna() & ~wrong, "actor", "missing actor", raw)
    return actor


def _check_text(column: Column, raw: pd.Series, problems: Problems) -> pd.Series:
    value, wrong = as_text(raw)
    if wrong.any():  # the type names only of the wrong rows: a per-row map costs seconds at 1M rows
        got = raw[wrong].map(lambda v: type(v).__name__)
        problems.add(wrong, column.name, f"wrong type: {column.name} must be a string, got " + got, raw)
    return value


def _on_cycle(parent: np.ndarray, cyclic: np.ndarray) -> np.ndarray:
    """Which of the ``cyclic`` rows (in, or leading into, a reply cycle) are on a cycle themselves.

    ``n`` steps up from any such row end on a cycle, and those ends are every row of every cycle.

    Examples:
        >>> # 0 <-> 1 a cycle, 2 replies to 1, 3 to nothing
        >>> _on_cycle(np.array([1, 0, 1, -1]), np.array([True, True, True, False])).tolist()
        [True, True, False, False]
    """
    n = len(parent)
    up = np.where(cyclic, parent, np.arange(n, dtype=np.int64))
    for _ in range(math.ceil(math.log2(max(n, 2)))):  # 2**k >= n steps
        up = up[up]
    out = np.zeros(n, dtype=bool)
    out[up[cyclic]] = True
    return np.asarray(out & cyclic, dtype=bool)


def check_replies(
    ids: pd.Series, parents: pd.Series, problems: Problems, notes: Problems, raw: pd.Series, *, repeated: pd.Series | None = None
) -> None:
    """Replies in a cycle (a self-reply too) are rejected; replies to an event not in the data are noted.

    ``ids`` and ``parents`` are the parsed ``event_id`` and ``in_reply_to`` of the whole input
    (a block does not hold every parent); ``raw`` the values to show. ``repeated`` marks the ids
    that repeat an earlier one, when already known (hashing a million ids costs a fraction of a second).
    """
    if repeated is None:
        repeated = ids.duplicated(keep="first")
    usable = (ids.notna() & ~repeated).to_numpy(dtype=bool)
    if not parents.notna().any():
        return
    tree = reply_tree(ids[usable].reset_index(drop=True), parents[usable].reset_index(drop=True))
    cyclic = pd.Series(False, index=ids.index)
    cyclic[usable] = tree.cyclic
    on_cycle = pd.Series(False, index=ids.index)
    on_cycle[usable] = _on_cycle(tree.parent, tree.cyclic)
    dangling = pd.Series(False, index=ids.index)
    dangling[usable] = tree.dangling
    self_reply = (parents == ids).fillna(False).astype(bool) & usable
    problems.add(self_reply, "in_reply_to", "replies to itself", raw)
    problems.add(on_cycle & ~self_reply, "in_reply_to", "reply cycle (the replies lead back to this event)", raw)
    problems.add(cyclic & ~on_cycle, "in_reply_to", "reply cycle (the replies lead into a cycle, never to a first message)", raw)
    notes.add(dangling, "in_reply_to", DANGLING_REPLY, raw)


def _default(name: str, out: dict[str, pd.Series], index: pd.Index) -> pd.Series | None:
    """The value of a canonical column the input does not have, or None to leave it out."""
    if name == "event_id":
        return pd.Series(index.to_numpy().astype(str), index=index, dtype="string")
    if name == "actor":
        return pd.Series("customer", index=index, dtype="string")
    if name == "channel":
        return pd.Series("unknown", index=index, dtype="string")
    if name == "touchpoint":
        return out["channel"].copy()
    return None


def _check_columns(
    frame: pd.DataFrame, problems: Problems, notes: Problems, duplicates: pd.Series | None
) -> dict[str, pd.Series]:
    """Each canonical column parsed and checked by its kind (problems and caveats noted), or its default."""
    out: dict[str, pd.Series] = {}
    for column in EVENT_COLUMNS:
        name = column.name
        if name not in frame.columns:
            value = _default(name, out, frame.index)
            if value is not None:
                out[name] = value
            continue
        raw = frame[name]
        notes.add(without_surrogates(raw)[1], name, _SURROGATE_NOTE, raw)
        if name == "event_id":
            out[name] = _check_event_ids(raw, problems, duplicates)
        elif name == "in_reply_to":
            out[name] = _check_id(column, replied_to(raw), problems)
        elif column.kind == "id":
            out[name] = _check_id(column, raw, problems)
        elif column.kind == "timestamp":
            out[name] = _check_timestamp(column, raw, problems)
        elif column.kind == "actor":
            out[name] = _check_actor(raw, problems)
        else:
            out[name] = _check_text(column, raw, problems)
    return out


def _attributes(frame: pd.DataFrame, notes: Problems) -> pd.DataFrame:
    """The attribute columns with lone surrogates replaced (noted per row), as in the canonical columns.

    Left in, they would make every later export fail (Parquet, CSV and XES need valid unicode).
    """
    out = frame.copy(deep=False)  # copy-on-write: the caller's frame keeps its values
    texts = [name for name, dtype in frame.dtypes.items() if _may_hold_surrogates(dtype)]  # a wide frame: its text columns only
    for name in texts:
        fixed, replaced = without_surrogates(frame[name])
        if replaced.any():
            notes.add(replaced, str(name), _SURROGATE_NOTE, frame[name])
            out[name] = fixed
    return out


#: The numeric score columns a scored file holds (``journeymap score`` writes them, and the
#: ``emo_<label>`` probabilities).
_SCORE_NUMBERS = frozenset({"valence", "irony", "topic_score"})
_MISSING_WORDS = frozenset({"", "nan", "na", "n/a", "null", "none", "<na>"})


def _score_numbers(frame: pd.DataFrame, notes: Problems) -> dict[str, pd.Series]:
    """The score columns of a scored input held as text (a CSV's), as floats.

    A blank (or ``nan``) is an unscored row; a value that is no number leaves that cell unscored
    (NaN) with a warning naming the column, and the event is kept. Numbers are not range-checked
    here: the analytics refuse a valence outside [-1, 1] naming its rows, as for any input.
    """
    out: dict[str, pd.Series] = {}
    for name in frame.columns:
        if not isinstance(name, str) or not (name in _SCORE_NUMBERS or name.startswith(SCORE_PREFIX)):
            continue
        raw = frame[name]
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
            continue
        text = raw.astype("string").str.strip()
        blank = text.isna() | text.str.lower().isin(_MISSING_WORDS).fillna(True)
        values = pd.to_numeric(text.where(~blank, None), errors="coerce").astype("float64")
        notes.add(~blank & values.isna(), name, f"{name} is not a number: read as unscored", raw)
        out[name] = values
    return out


def validate_events(
    frame: pd.DataFrame,
    *,
    on_error: OnError = "raise",
    problems: Problems | None = None,
    warnings: Problems | None = None,
    source_columns: Mapping[str, str] | None = None,
) -> EventLog:
    """Validate a frame in canonical column names into an :class:`~journeymap.io.EventLog`.

    The reader contract (see the module docstring): a reader builds the canonical columns
    however its format needs, and hands over what it found wrong on the way.

    Args:
        frame: the events, one row per input row, in input order (the row number is the
            position); other columns are kept as attributes.
        on_error: ``"raise"`` raises :class:`~journeymap.SchemaError` listing the first bad rows;
            ``"collect"`` keeps them out of the events and lists them in ``rejects``.
        problems: rows the reader already found unusable (they are rejected with its reasons).
        warnings: rows kept with a caveat; those that end up rejected are left out.
        source_columns: the source's name of a canonical column (``{"event_id": "tweet_id"}``),
            used in the rejects so that they name the column the user knows.

    The log's ``tz`` is the zone of a tz-aware ``timestamp`` column other than UTC
    (``datetime64[us, America/New_York]``: the zone the events were read in), else the zone
    ``frame.attrs["journeymap.tz"]`` records (the events of saved journeys carry it), else None.

    Raises:
        SchemaError: a required column is missing, or (``on_error="raise"``) any row is invalid.

    Examples:
        >>> frame = pd.DataFrame({"customer_id": ["c1", "c2"], "timestamp": ["2024-03-01 09:00", "someday"],
        ...                       "text": ["my card was declined", "help"]})
        >>> log = validate_events(frame, on_error="collect")
        >>> len(log), log.rejects[["row", "column"]].to_dict("records")
        (1, [{'row': 1, 'column': 'timestamp'}])
        >>> validate_events(frame)
        Traceback (most recent call last):
        ...
        journeymap.exceptions.SchemaError: 1 of 2 rows are invalid: row 1, column 'timestamp': unparseable timestamp...
    """
    return validate_block(frame, on_error=on_error, problems=problems, warnings=warnings, source_columns=source_columns)


def validate_block(
    frame: pd.DataFrame,
    *,
    on_error: OnError = "collect",
    row_offset: int = 0,
    duplicates: pd.Series | None = None,
    log_rejects: bool = True,
    problems: Problems | None = None,
    warnings: Problems | None = None,
    source_columns: Mapping[str, str] | None = None,
    replies: bool = True,
) -> EventLog:
    """:func:`validate_events` on one block of a larger input (the distributed path reads in blocks).

    ``row_offset`` is the input row number of the block's first row. ``duplicates`` maps the
    input row of every duplicate ``event_id`` in the whole input to the row where that id was
    first seen; None checks duplicates within this block (the single-machine case).
    ``log_rejects=False`` leaves the warning about rejected rows to the caller.
    ``replies=False`` skips the reply checks (a block does not hold every parent).
    """
    check_on_error(on_error)
    n = len(frame)
    frame = frame.set_axis(pd.RangeIndex(row_offset, row_offset + n), axis=0)
    check_unique_columns(frame)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        found = [str(c) for c in frame.columns]
        msg = f"missing required column(s) {missing}; found columns: {found}"
        raise SchemaError(msg, empty_rejects())
    mine, notes = Problems(), Problems()
    if problems is not None:
        mine.parts = [*problems.parts]
    out = _check_columns(frame, mine, notes, duplicates)
    repeated_ids = None
    if duplicates is None and "event_id" in frame.columns:
        repeated_ids = _check_duplicates(out["event_id"], mine, frame["event_id"])
    if replies and "in_reply_to" in out:
        check_replies(out["event_id"], out["in_reply_to"], mine, notes, frame["in_reply_to"], repeated=repeated_ids)
    public = public_flags(frame[PUBLIC], mine, mine) if PUBLIC in frame.columns else None
    rejects = mine.frame()
    if source_columns:
        rejects["column"] = rejects["column"].replace(dict(source_columns))
    if len(rejects) and on_error == "raise":
        raise_invalid(rejects, n)  # internal notes are left out whatever on_error says

    keep = np.ones(n, dtype=bool)
    keep[rejects["row"].to_numpy(dtype=np.int64) - row_offset] = False
    events = pd.DataFrame({c: out[c] for c in CANONICAL_COLUMNS if c in out}, index=frame.index)
    events["actor"] = pd.Categorical(events["actor"], categories=list(ACTORS))
    extras = [c for c in frame.columns if c not in CANONICAL_COLUMNS]
    if extras:
        attributes = _attributes(frame[extras], notes)
        for name, values in _score_numbers(attributes, notes).items():
            attributes[name] = values
        events = pd.concat([events, attributes], axis=1)
    if public is not None:
        events[PUBLIC] = public
        _past_notes(events, replies=replies)
    events = events.loc[keep]
    if warnings is not None:
        notes.parts = [*warnings.parts, *notes.parts]
    kept_warnings = notes.frame()
    if source_columns:
        kept_warnings["column"] = kept_warnings["column"].replace(dict(source_columns))
    kept_warnings = kept_warnings[kept_warnings["row"].isin(events.index)].reset_index(drop=True)
    if len(rejects) and log_rejects:
        notes_out = rejects.loc[rejects["reason"] == INTERNAL_NOTE, "row"].nunique()
        told = f" ({notes_out} of them internal notes: public is False)" if notes_out else ""
        logger.warning("%d of %d rows rejected%s; see EventLog.rejects", rejects["row"].nunique(), n, told)
    # a tz-aware column in a zone of its own (not UTC) tells the zone the events were read in
    return EventLog(events=events, rejects=rejects, warnings=kept_warnings, n_input=n, tz=_events_zone(frame))


def _events_zone(frame: pd.DataFrame) -> dt.tzinfo | None:
    """The zone the events were read in: a tz-aware ``timestamp`` column's, else the one the frame's attrs record, else None."""
    zone = column_zone(frame["timestamp"].dtype) if "timestamp" in frame.columns else None
    # times in UTC: the zone recorded in the frame's attrs (the events of saved journeys)
    return zone if zone is not None else attrs_zone(frame)
