"""The types of a CSV's attribute columns: numbers and booleans as :func:`pandas.read_csv` reads them.

A CSV is read as text, so that ids and times are validated as written. The attribute columns
(those the library does not read itself: an NPS score, a ``vip`` flag, a spend) are then given
the type a Parquet file of the same data would give them, one column at a time:

* whole numbers (``"5"``, ``"-3"``): ``int64``, or the nullable ``Int64`` where some are missing
  (exact, where ``pd.read_csv`` gives ``float64``);
* numbers (``"10.5"``, ``"1e3"``, ``"inf"``, whole numbers among them): ``float64``;
* ``True``/``False`` (as pandas writes them; also ``TRUE``/``true``...): ``bool``, or the nullable
  ``boolean`` where some are missing;
* anything else stays text, and so does a column of whole numbers written with a leading zero
  (``"00123"``: a code, not a number), or past the range of ``int64``.

An empty field is missing (as the CSV reader reads it); other text (``"NA"``, ``"nan"``) is text,
so a column holding it stays text. The single-machine reader types each column from all its
rows; the Dask reader combines the kinds of its partitions (:func:`merge_kinds`), so both give
the same types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

import pandas as pd

from journeymap.schema import (
    ADDRESSED,
    CANONICAL_COLUMNS,
    CLOSED,
    EMOTION_COLUMNS,
    JOURNEY_COLUMNS,
    PUBLIC,
    REPLY_OUTSIDE_DATA,
    SCORE_PREFIX,
    TOPIC_COLUMNS,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Kind", "attribute_kinds", "merge_kinds", "typed_attributes"]

#: The columns the library reads by name, left as read: the canonical ones, those of journeys,
#: scores and topics (each parsed by the reader that needs it), the flags (read as flag words),
#: and the accounts the brand readers write (ids, text).
OWN_COLUMNS: frozenset[str] = frozenset(
    {
        *CANONICAL_COLUMNS,
        *JOURNEY_COLUMNS,
        *EMOTION_COLUMNS,
        *TOPIC_COLUMNS,
        REPLY_OUTSIDE_DATA,
        ADDRESSED,
        CLOSED,
        PUBLIC,
        "inbound",
        "brand",
        "author_id",
        "response_tweet_id",
        "resource",
    }
)

_INT = r"[+-]?\d+"
_LEADING_ZERO = r"[+-]?0\d+"
_FLOAT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)"
_TRUE = frozenset({"True", "TRUE", "true"})
_FALSE = frozenset({"False", "FALSE", "false"})
_SAMPLE = 1000  # a column whose first values are text is text: the rest is not read


class Kind(NamedTuple):
    """What a text column holds, and whether any of its values is missing.

    ``kind`` is ``"empty"`` (no value), ``"int"``, ``"float"``, ``"bool"`` or ``"text"``.
    """

    kind: Literal["empty", "int", "float", "bool", "text"]
    missing: bool


def _owned(name: object) -> bool:
    return not isinstance(name, str) or name in OWN_COLUMNS or name.startswith(SCORE_PREFIX)


def _is_text(values: pd.Series) -> bool:
    """Whether the values are all strings (a CSV's column; not one of nested message lists)."""
    if isinstance(values.dtype, pd.StringDtype):
        return True
    return values.dtype == object and bool(values.map(lambda v: isinstance(v, str)).all())


def _kind_of(values: pd.Series) -> Kind:
    """The kind of one column of strings (missing values as NA)."""
    present = values.dropna()
    missing = len(present) < len(values)
    if not len(present):
        return Kind("empty", missing)
    if not _is_text(present.iloc[:_SAMPLE]):
        return Kind("text", missing)
    for stop in (_SAMPLE, None):  # the first values first: most attribute columns are text
        part = present.iloc[:stop].astype("string")
        if part.isin(_TRUE | _FALSE).all():
            kind: Literal["empty", "int", "float", "bool", "text"] = "bool"
        else:
            text = part.str.strip()
            if text.str.fullmatch(_LEADING_ZERO).any():
                return Kind("text", missing)
            if text.str.fullmatch(_INT).all():
                kind = "int" if _fits_int64(text) else "text"
            elif text.str.fullmatch(_FLOAT).all():
                kind = "float"
            else:
                kind = "text"
        if kind == "text" or stop is None or len(present) <= stop:
            return Kind(kind, missing)
    raise AssertionError  # pragma: no cover - the loop returns


def _numbers(values: pd.Series) -> pd.Series:
    """Numbers written as text, as the casts read them: stripped, without a leading ``+``."""
    return values.astype("string").str.strip().str.removeprefix("+")


def _fits_int64(text: pd.Series) -> bool:
    try:
        _numbers(text).astype("int64")
    except (OverflowError, ValueError):
        return False
    return True


def attribute_kinds(frame: pd.DataFrame) -> dict[str, Kind]:
    """The kind of each attribute column of a CSV read as text (the library's own columns left out).

    Examples:
        >>> frame = pd.DataFrame({"customer_id": ["1", "2"], "nps": ["9", None], "vip": ["True", "False"],
        ...                       "zip": ["00123", "4"], "note": ["ok", "7"]}, dtype="string")
        >>> {name: kind.kind for name, kind in attribute_kinds(frame).items()}
        {'nps': 'int', 'vip': 'bool', 'zip': 'text', 'note': 'text'}
    """
    return {str(name): _kind_of(frame[name]) for name in frame.columns if not _owned(name)}


def merge_kinds(parts: Iterable[dict[str, Kind]]) -> dict[str, Kind]:
    """The kinds of a column read in parts (a Dask reader's partitions): one kind for all of them.

    Examples:
        >>> merge_kinds([{"a": Kind("int", False)}, {"a": Kind("float", True)}])
        {'a': Kind(kind='float', missing=True)}
    """
    out: dict[str, Kind] = {}
    for part in parts:
        for name, kind in part.items():
            seen = out.get(name)
            out[name] = kind if seen is None else _join(seen, kind)
    return out


def _join(a: Kind, b: Kind) -> Kind:
    missing = a.missing or b.missing
    if a.kind in ("empty", b.kind):
        return Kind(b.kind, missing)
    if b.kind == "empty":
        return Kind(a.kind, missing)
    if {a.kind, b.kind} == {"int", "float"}:
        return Kind("float", missing)
    return Kind("text", missing)


def typed_attributes(frame: pd.DataFrame, kinds: dict[str, Kind] | None = None) -> pd.DataFrame:
    """``frame`` (a CSV read as text) with its attribute columns of numbers and booleans typed (see the module).

    ``kinds`` are those of the whole input (:func:`merge_kinds` of its parts); None reads them from ``frame``.

    Examples:
        >>> frame = pd.DataFrame({"nps": ["9", None], "vip": ["True", "False"], "spend": ["10.5", "3"]}, dtype="string")
        >>> typed_attributes(frame).dtypes.astype(str).tolist()
        ['Int64', 'bool', 'float64']
    """
    kinds = attribute_kinds(frame) if kinds is None else kinds
    typed: dict[str, pd.Series] = {}
    for name, kind in kinds.items():
        if name not in frame.columns or kind.kind in ("empty", "text"):
            continue
        values = frame[name].astype("string")
        if kind.kind == "bool":
            flags = values.isin(_TRUE).astype("boolean").mask(values.isna())
            typed[name] = flags.astype("boolean" if kind.missing else bool)
        elif kind.kind == "int":
            typed[name] = _numbers(values).astype("Int64" if kind.missing else "int64")
        else:
            typed[name] = _numbers(values).astype("float64")
    return frame.assign(**typed) if typed else frame
