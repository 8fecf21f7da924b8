"""Vectorised timestamp parsing to UTC.

Accepted, value by value in one column: ISO 8601 strings (naive ones taken as UTC), epoch
seconds or milliseconds (numbers, or strings of digits: a magnitude of 1e11 or more is read as
milliseconds), Twitter's ``Wed Oct 11 06:55:44 +0000 2017``, and datetime values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TWITTER_FORMAT = "%a %b %d %H:%M:%S %z %Y"
#: Epoch values at or above this magnitude are milliseconds (1e11 s would be the year 5138).
MS_THRESHOLD = 1e11


def _from_epoch(values: pd.Series) -> pd.Series:
    nums = pd.to_numeric(values, errors="coerce").astype("float64")
    ms = nums.abs() >= MS_THRESHOLD
    seconds = nums.where(~ms, nums / 1000.0)
    # Out-of-range values become NaT (and so rejects), never an overflow.
    seconds = seconds.where(seconds.abs() < 9.2e9)
    return pd.to_datetime(seconds, unit="s", utc=True, errors="coerce")


def parse_timestamps(values: pd.Series) -> pd.Series:
    """Parse a column to ``datetime64[ns, UTC]``; unparseable values become NaT."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        converted: pd.Series = values.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
        return converted
    if pd.api.types.is_datetime64_dtype(values.dtype):
        localized: pd.Series = values.dt.tz_localize("UTC").astype("datetime64[ns, UTC]")
        return localized
    if pd.api.types.is_bool_dtype(values.dtype):
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return _from_epoch(values).astype("datetime64[ns, UTC]")

    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in {"string", "empty"}:
        rest = values.notna()
    else:  # mixed objects: numbers, datetimes and strings value by value
        is_number = values.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
        is_datetime = values.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "tzinfo"))
        if is_number.any():
            out[is_number] = _from_epoch(values[is_number])
        if is_datetime.any():
            out[is_datetime] = pd.to_datetime(values[is_datetime], utc=True, errors="coerce", format="mixed")
        rest = ~(is_number | is_datetime) & values.map(lambda v: isinstance(v, str))
    if not rest.any():
        return out
    text = values[rest].astype("string").str.strip()
    digits = text.str.fullmatch(r"[+-]?\d+(\.\d+)?", na=False)
    if digits.any():
        out[digits[digits].index] = _from_epoch(text[digits])
    other = text[~digits]
    if len(other):
        iso = pd.to_datetime(other, format="ISO8601", utc=True, errors="coerce")
        failed = iso.isna()
        if failed.any():
            iso[failed] = pd.to_datetime(other[failed], format=TWITTER_FORMAT, utc=True, errors="coerce")
        out[other.index] = iso
    return out
