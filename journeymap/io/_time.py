"""Vectorised timestamp parsing to UTC.

Accepted, value by value in one column: ISO 8601 strings (naive ones taken as UTC; a time
followed by ``UTC`` or ``GMT``, ``"2024-07-01 10:00 UTC"``, is UTC), dates in
ISO 8601's basic format ``YYYYMMDD`` (``"20240301"`` or the number ``20240301``: eight digits that
make a valid date in 1900-2100), and date-times written the same way without the ``T``,
``YYYYMMDDhhmm`` and ``YYYYMMDDhhmmss`` (12 or 14 digits: as epoch milliseconds they would land
in 1976-1979 or beyond the range; ten digits, ``YYYYMMDDhh``, could as well be epoch seconds in
2030-2036, and are rejected as ambiguous), epoch seconds or milliseconds (numbers, or strings of digits: a
magnitude of 1e11 or more is read as milliseconds), Twitter's ``Wed Oct 11 06:55:44 +0000 2017``,
and datetime values. Words that name no fixed moment (``now``, ``today``, which pandas reads as the
time of the run) and other forms (an email date, ``Fri, 01 Mar 2024 10:00:00 +0000``) are not
read: the validator rejects them as unparseable.
"""

from __future__ import annotations

import datetime
import logging
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.io import _regex

if TYPE_CHECKING:
    from pandas._libs.tslibs.nattype import NaTType

logger = logging.getLogger(__name__)

TWITTER_FORMAT = "%a %b %d %H:%M:%S %z %Y"
#: Epoch values at or above this magnitude are milliseconds (1e11 s would be the year 5138).
MS_THRESHOLD = 1e11
_EXACT = 2.0**53  # floats hold every whole number below this
#: The instants a nanosecond timestamp holds (pandas' range), a day inside each end.
EARLIEST = pd.Timestamp("1677-09-22", tz="UTC")
LATEST = pd.Timestamp("2262-04-10", tz="UTC")
OUT_OF_RANGE = "timestamp out of range (journeymap handles 1677-09-22 to 2262-04-10)"
#: Epoch seconds below this (1973-01-01T00:00:00Z) are taken for something else: an Excel serial
#: date (45352.5), a row number, a small count. :func:`early_epoch` finds them.
EPOCH_FLOOR = 94_694_400
EARLY_EPOCH = (
    "number too small for epoch seconds (before 1973): an Excel serial date or a row number? "
    "write times as ISO 8601 text, YYYYMMDD or epoch seconds"
)
#: The reason for a number of 1e11 or more (read as epoch milliseconds) out of range as milliseconds.
EPOCH_MS_BEYOND = (
    "timestamp out of range as epoch milliseconds (numbers of 1e11 or more are read as milliseconds; "
    "microseconds or nanoseconds?): write times as epoch seconds or ISO 8601 text"
)
#: The reason for text written as ISO 8601 that names no real moment (month 13, day 45, hour 25).
NOT_A_MOMENT = "not a valid date or time: written as ISO 8601 (YYYY-MM-DD), but no such day or time exists"
#: Text in the whole shape of ISO 8601 (a date, then maybe a time and an offset), whatever its numbers.
_ISO_START = (
    r"^\s*[+-]?\d{4}-\d{1,2}-\d{1,2}"
    r"(?:[T ]\d{1,2}(?::\d{1,2}(?::\d{1,2}(?:[.,]\d+)?)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?\s*$"
)
#: The reason for text that is no time journeymap reads; it names the forms read and the way out.
UNPARSEABLE = (
    "unparseable timestamp: journeymap reads ISO 8601 (2026-03-01 09:15+01:00), epoch seconds or milliseconds, "
    "YYYYMMDD and Twitter's format; parse others (03/01/2026) with pandas.to_datetime(format=...) first"
)
NOT_A_DATE = "not a valid date: eight digits in 1900-2100 are read as YYYYMMDD (ISO 8601's basic format)"
#: The reason for 12 or 14 digits that start with a date in 1900-2100 but make no date-time.
NOT_A_COMPACT_TIME = (
    "not a valid date-time: 12 or 14 digits starting with a year in 1900-2100 are read as YYYYMMDDhhmm "
    "or YYYYMMDDhhmmss (ISO 8601's basic format), and these digits make no such time"
)
#: The reason for ten digits that are both a ``YYYYMMDDhh`` time and epoch seconds in 2030-2036.
AMBIGUOUS_HOUR = (
    "ambiguous timestamp: ten digits that read as YYYYMMDDhh (a date and an hour) are also epoch seconds "
    "in 2030-2036; write ISO 8601 text (2024-03-01T12:00) or epoch seconds of another time"
)
#: ``YYYYMMDD`` followed by nothing, hours, hours and minutes, or hours, minutes and seconds: digits -> format.
_COMPACT_FORMATS = {8: "%Y%m%d", 10: "%Y%m%d%H", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}
WRONG_TYPE = "wrong type: expected a time (ISO 8601 text, epoch number or datetime)"
_DIGITS = r"[+-]?\d+(\.\d+)?"
#: "UTC" or "GMT" written after a time of day (``2024-07-01 10:00 UTC``): read as ``+00:00``.
_UTC_NAME = r"(\d)\s*(?:UTC|GMT)$"
_YEAR = r"^\s*(?P<year>[+-]?\d{4,})-\d"  # ISO 8601: the year first
#: Twitter's format: the year last, after the offset (``... 06:55:44 +0000 2017``). Text that ends
#: in an offset itself (an email date, ``Fri, 01 Mar 2024 10:00:00 +0000``) has no year here: the
#: offset is not a year 0, and such text is unparseable, not out of range.
_TWITTER_YEAR = r"\d:\d{2}\s+[+-]\d{2}:?\d{2}\s+(?P<year>[+-]?\d{4,})\s*$"
_WEEKDAYS = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Twitter's format exactly as the corpus writes it (RE2 syntax, ASCII): read by :func:`_twitter`.
_TWITTER_SHAPE = (
    rf"^(?:{_WEEKDAYS}) (?:{'|'.join(_MONTHS)}) [0-9]{{2}} [0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}} [+-][0-9]{{4}} [0-9]{{4}}$"
)


def _years(text: pd.Series) -> pd.Series:
    """The year written in ISO 8601 or Twitter-format strings (NaN where none is found)."""
    iso = pd.to_numeric(_regex.extract(text, _YEAR), errors="coerce")
    twitter = pd.to_numeric(_regex.extract(text, _TWITTER_YEAR), errors="coerce")
    return iso.fillna(twitter).astype("float64")


def out_of_range(values: pd.Series) -> pd.Series:
    """Which values name a time at or beyond the years of :data:`EARLIEST` and :data:`LATEST`.

    Used on the values that failed to parse, to give them their own reject reason instead of
    "unparseable" (an edge year that failed is beyond the range).

    Examples:
        >>> out_of_range(pd.Series(["3000-01-01", "2024-01-01", "soon", 4e13])).tolist()
        [True, False, False, True]
    """
    lo, hi = EARLIEST.year, LATEST.year
    out = pd.Series(False, index=values.index)
    numbers = pd.to_numeric(values.where(values.map(lambda v: not isinstance(v, bool))), errors="coerce")
    seconds = numbers.where(numbers.abs() < MS_THRESHOLD, numbers / 1000.0)
    out |= ((seconds < EARLIEST.value / 1e9) | (seconds > LATEST.value / 1e9)).fillna(False).astype(bool)
    text = values.where(values.map(lambda v: isinstance(v, str))).astype("object")
    if text.notna().any():
        years = _years(text.dropna().astype(str).astype("string")).reindex(values.index)
        out |= ((years <= lo) | (years >= hi)).fillna(False).astype(bool)
    out |= values.map(_beyond).astype(bool)
    return out


def _beyond(value: object) -> bool:
    """Whether a date or datetime (``date``, ``Timestamp``, ``np.datetime64``) is outside :data:`EARLIEST`..:data:`LATEST`.

    Other values (and missing times) are not; a naive value is taken as UTC. The year decides,
    and only a value in one of the two edge years is looked at closer.
    """
    if value is pd.NaT or (isinstance(value, np.datetime64) and np.isnat(value)):
        return False
    if isinstance(value, datetime.date):
        year = value.year
    elif isinstance(value, np.datetime64):
        year = int(value.astype("datetime64[Y]").astype(np.int64)) + 1970
    else:
        return False
    if EARLIEST.year < year < LATEST.year:
        return False
    if year not in (EARLIEST.year, LATEST.year):
        return True
    when = pd.Timestamp(value)  # an edge year: a unit pandas holds
    when = when.tz_localize("UTC") if when.tzinfo is None else when
    return not EARLIEST <= when <= LATEST


def _in_range(values: pd.Series) -> pd.Series:
    """A datetime column with the values outside the nanosecond range set to NaT (any unit)."""
    aware = values if isinstance(values.dtype, pd.DatetimeTZDtype) else values.dt.tz_localize("UTC")
    return aware.where((aware >= EARLIEST) & (aware <= LATEST))


def boxable(values: pd.Series) -> pd.Series:
    """A zone-aware datetime column with a time outside :data:`EARLIEST`..:data:`LATEST` in UTC; other columns as they are.

    Such a column is read value by value where it is checked (``map``): pandas 2.2 turns a time in
    a zone other than UTC and beyond the years 1 to 9999 that Python's datetimes hold into a
    ``Timestamp`` with a crash of the process (a segmentation fault, pandas 3 raises nothing). In
    UTC the same instants are boxed safely. The times outside the range are rejected either way,
    and the reject shows them in UTC; a column inside the range keeps its zone.

    Examples:
        >>> far = pd.Series(np.array([0, 10**15], dtype="datetime64[s]")).dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo")
        >>> str(boxable(far).dt.tz), str(boxable(far.iloc[:1]).dt.tz)
        ('UTC', 'Asia/Tokyo')
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype) and bool(((values < EARLIEST) | (values > LATEST)).any()):
        in_utc: pd.Series = values.dt.tz_convert("UTC")
        return in_utc
    return values


def _date_like(nums: np.ndarray) -> np.ndarray:
    """Which numbers are whole and in ``19000101..21001231``: read as ``YYYYMMDD`` dates, valid or not."""
    with np.errstate(invalid="ignore"):
        return np.asarray((nums >= 19000101) & (nums <= 21001231) & (nums == np.floor(nums)), dtype=bool)


def _yyyymmdd(nums: np.ndarray) -> np.ndarray:
    """Nanoseconds since the epoch of the whole numbers that are valid ``YYYYMMDD`` dates in 1900-2100; NaT elsewhere."""
    return _compact(nums, 8)


def _compact_like(nums: np.ndarray, digits: int) -> np.ndarray:
    """Which numbers are whole, of ``digits`` digits, and start with eight in ``19000101..21001231``."""
    scale = 10.0 ** (digits - 8)
    with np.errstate(invalid="ignore"):
        whole = (nums >= 0) & (nums == np.floor(nums)) & (nums < _EXACT)
        return np.asarray(whole & _date_like(np.floor(nums / scale)) & (nums >= 10.0 ** (digits - 1)), dtype=bool)


def _compact(nums: np.ndarray, digits: int, like: np.ndarray | None = None) -> np.ndarray:
    """Nanoseconds since the epoch of the ``digits``-digit numbers that are valid ``YYYYMMDD[hh[mm[ss]]]``; NaT elsewhere.

    ``like``: :func:`_compact_like` of ``nums`` and ``digits`` where already known.

    Examples:
        >>> ns = _compact(np.array([202403011230.0, 202403011299.0, 1507704944.0]), 12)
        >>> pd.to_datetime(ns[0]), bool(ns[1] == ns[2] == np.iinfo(np.int64).min)
        (Timestamp('2024-03-01 12:30:00'), True)
    """
    out = np.full(len(nums), np.iinfo(np.int64).min, dtype=np.int64)
    maybe = _compact_like(nums, digits) if like is None else like
    if maybe.any():
        text = pd.Series(nums[maybe].astype(np.int64).astype(str))
        times = pd.to_datetime(text, format=_COMPACT_FORMATS[digits], errors="coerce")
        out[maybe] = times.to_numpy(dtype="datetime64[ns]").view(np.int64)
    return out


def _compact_reading(nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How the numbers read as compact date-times, each digit count looked at once.

    Returns the nanoseconds of those read as wall times (valid ``YYYYMMDD``, ``YYYYMMDDhhmm``,
    ``YYYYMMDDhhmmss``; NaT elsewhere); which are 12 or 14 digits that start with a date-like
    ``YYYYMMDD`` but make no valid date-time; and which are ten digits that make a valid
    ``YYYYMMDDhh`` (and so epoch seconds in 2030-2036 too).
    """
    nat = np.iinfo(np.int64).min
    wall = _compact(nums, 8)
    no_time = np.zeros(len(nums), dtype=bool)
    for digits in (12, 14):
        like = _compact_like(nums, digits)
        found = _compact(nums, digits, like)
        read = found != nat
        wall = np.where(read, found, wall)
        no_time |= like & ~read
    hour = np.asarray(_compact(nums, 10) != nat, dtype=bool)
    return wall, no_time, hour


def _from_epoch(values: pd.Series) -> pd.Series:
    """Epoch seconds or milliseconds to UTC; whole numbers exactly (integer nanoseconds), others as floats.

    Whole numbers that are valid ``YYYYMMDD`` dates (1900-2100) are read as those dates (midnight
    UTC): as epoch seconds they would all fall in August 1970; so are ``YYYYMMDDhhmm`` and
    ``YYYYMMDDhhmmss`` (as epoch milliseconds 1976-1979, or beyond the range). Twelve or fourteen
    digits that start with such a date but make no time, and ten that read as ``YYYYMMDDhh`` (or
    epoch seconds in 2030-2036), become NaT. Values outside
    :data:`EARLIEST`..:data:`LATEST` become NaT (and so rejects), never an overflow.
    """
    nums = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    dates, no_time, hour = _compact_reading(nums)
    ms = np.abs(nums) >= MS_THRESHOLD
    seconds = np.where(ms, nums / 1000.0, nums)
    ok = (seconds >= EARLIEST.value / 1e9) & (seconds <= LATEST.value / 1e9)
    whole = ok & (nums == np.floor(nums)) & (np.abs(nums) < _EXACT)
    ns = np.full(len(nums), np.iinfo(np.int64).min, dtype=np.int64)  # NaT
    scale = np.where(ms, 10**6, 10**9).astype(np.int64)
    ns[whole] = nums[whole].astype(np.int64) * scale[whole]
    fraction = ok & ~whole
    ns[fraction] = np.round(seconds[fraction] * 1e9).astype(np.int64)
    is_date = dates != np.iinfo(np.int64).min
    ns[is_date] = dates[is_date]
    # digits that make no compact date-time, or that read two ways (YYYYMMDDhh): no time (the validator says why)
    ns[no_time | hour] = np.iinfo(np.int64).min
    return pd.Series(pd.to_datetime(ns, utc=True), index=values.index)


def _numbers(values: pd.Series) -> np.ndarray:
    """Numbers (not booleans) and strings of digits as floats; NaN for every other value."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return np.full(len(values), np.nan)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    numbers = values.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)))
    strings = values.map(lambda v: isinstance(v, str))
    text = values.where(strings.astype(bool)).astype("string").str.strip()
    digits = text.str.fullmatch(_DIGITS, na=False).astype(bool)
    # chosen with numpy, not fillna on objects: pandas 2.2 warns that fillna will stop downcasting them
    usable = np.where(
        numbers.astype(bool).to_numpy(dtype=bool),
        values.to_numpy(dtype=object),
        text.where(digits).to_numpy(dtype=object, na_value=np.nan),
    )
    return pd.to_numeric(pd.Series(usable, dtype=object), errors="coerce").astype("float64").to_numpy()


def early_epoch(values: pd.Series) -> pd.Series:
    """Which values are numbers (or digit strings) that, read as epoch seconds, land before 1973.

    ``YYYYMMDD`` dates are not among them (they are read as dates; :func:`invalid_date` names
    the eight digits that make no date, ``20240230``), nor values beyond the range pandas holds
    (:func:`out_of_range` names those). See :func:`parse_timestamps`.

    Examples:
        >>> early_epoch(pd.Series([45352.5, "12", 20240301, 20240230, 1507704944, "2024-01-01"], dtype=object)).tolist()
        [True, True, False, False, False, False]
    """
    nums = _numbers(values)
    seconds = np.where(np.abs(nums) >= MS_THRESHOLD, nums / 1000.0, nums)
    with np.errstate(invalid="ignore"):
        early = (seconds < EPOCH_FLOOR) & (seconds >= EARLIEST.value / 1e9) & ~_date_like(nums)
    return pd.Series(early, index=values.index)


def invalid_date(values: pd.Series) -> pd.Series:
    """Which values are eight digits read as ``YYYYMMDD`` (whole, in 1900-2100) that make no date.

    Examples:
        >>> invalid_date(pd.Series(["20240230", 20241301, "20240301", 1507704944], dtype=object)).tolist()
        [True, True, False, False]
    """
    nums = _numbers(values)
    return pd.Series(_date_like(nums) & (_yyyymmdd(nums) == np.iinfo(np.int64).min), index=values.index)


def invalid_compact_time(values: pd.Series) -> pd.Series:
    """Which values are 12 or 14 digits starting with a ``YYYYMMDD`` in 1900-2100 that make no date-time.

    Examples:
        >>> values = pd.Series(["202403011299", 20240301250000, "202403011230", 1507704944000], dtype=object)
        >>> invalid_compact_time(values).tolist()
        [True, True, False, False]
    """
    return pd.Series(_compact_reading(_numbers(values))[1], index=values.index)


def ambiguous_hour(values: pd.Series) -> pd.Series:
    """Which values are ten digits that read both as ``YYYYMMDDhh`` and as epoch seconds (2030-2036).

    Examples:
        >>> ambiguous_hour(pd.Series(["2024030112", 2024030112, 1507704944, "2024033112"], dtype=object)).tolist()
        [True, True, False, True]
    """
    return pd.Series(_compact_reading(_numbers(values))[2], index=values.index)


def day_numbers(values: pd.Series) -> pd.Series:
    """Which values are digits read as valid ``YYYYMMDD[hhmm[ss]]`` (numbers or digit strings): wall times, not instants.

    Such a day is read at its midnight, like ``"2024-03-01"``, and ``202403011230`` at 12:30 like
    ``"2024-03-01 12:30"``: wall times, which ``tz=`` places.

    Examples:
        >>> values = pd.Series([20240701, "20240701", 20240230, 1507704944, 20240701.5, "202407011230"], dtype=object)
        >>> day_numbers(values).tolist()
        [True, True, False, False, False, True]
    """
    nums = _numbers(values)
    return pd.Series(_compact_reading(nums)[0] != np.iinfo(np.int64).min, index=values.index)


def epoch_ms(values: pd.Series) -> pd.Series:
    """Which values are finite numbers (or digit strings) of 1e11 or more: read as epoch milliseconds.

    Examples:
        >>> epoch_ms(pd.Series([1700000000123456, "1700000000000", 1700000000, "x"], dtype=object)).tolist()
        [True, True, False, False]
    """
    nums = _numbers(values)
    with np.errstate(invalid="ignore"):
        return pd.Series(np.isfinite(nums) & (np.abs(nums) >= MS_THRESHOLD), index=values.index)


def iso_shaped(values: pd.Series) -> pd.Series:
    """Which values are text in the shape of ISO 8601 (``2026-13-45``, ``2026-02-30 25:00``): a slip, not another format.

    A real date followed by what ISO 8601 does not write (a zone name, a note) is no slip.

    Examples:
        >>> iso_shaped(pd.Series(["2026-13-45", "2026-02-30 25:00+01:00", "2024-03-01 09:15 PST", "03/01/2026", None, 5],
        ...                      dtype=object)).tolist()
        [True, True, False, False, False, False]
    """
    text = values.where(values.map(lambda v: isinstance(v, str))).astype("string")
    return text.str.match(_ISO_START).fillna(False).astype(bool)


def wrong_type(values: pd.Series) -> pd.Series:
    """Which values are of no type a time is written in: not text, a number or a datetime.

    Booleans, durations (a ``Timedelta`` is a length of time, not a moment), lists and dicts.

    Examples:
        >>> wrong_type(pd.Series([pd.Timedelta("1D"), True, "soon", 3, None], dtype=object)).tolist()
        [True, True, False, False, False]
    """

    def wrong(v: object) -> bool:
        if v is None or v is pd.NaT or v is pd.NA or isinstance(v, (str, pd.Timestamp, np.datetime64, datetime.date)):
            return False
        if isinstance(v, (bool, np.bool_)):
            return True
        return not isinstance(v, (int, float, np.integer, np.floating))

    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_timedelta64_dtype(values.dtype):
        return pd.Series(True, index=values.index) & values.notna()
    return values.map(wrong).astype(bool)


def _one_edge_value(text: str) -> pd.Timestamp | NaTType:
    for fmt in ("ISO8601", TWITTER_FORMAT):
        try:
            ts = pd.to_datetime(text, format=fmt, utc=True)
        except (ValueError, OverflowError, AssertionError):
            continue
        return ts if EARLIEST <= ts <= LATEST else pd.NaT
    return pd.NaT


def epoch_text(text: pd.Series) -> pd.Series:
    """Which text values :func:`parse_timestamps` reads as epoch numbers: instants, never wall times.

    Digits (a sign and decimals allowed) that are not a ``YYYYMMDD[hhmm[ss]]`` time; such a
    date is a day, read at its midnight like ``"2024-03-01"`` (a wall time).

    Examples:
        >>> epoch_text(pd.Series(["1507704944", "20240301", "2024-03-01", "x", "20240301123000"], dtype="string")).tolist()
        [True, False, False, False, False]
    """
    digits = text.str.fullmatch(_DIGITS, na=False).astype(bool)
    if digits.any():
        nums = pd.to_numeric(text[digits], errors="coerce").to_numpy(dtype=np.float64)
        dated = _compact_reading(nums)[0] != np.iinfo(np.int64).min
        digits[digits[digits].index[dated]] = False
    return digits


def _plain(values: pd.Series) -> pd.Series:
    """``values`` with a categorical or pyarrow timestamp column made the NumPy-backed column it stands for.

    A categorical's values are read one by one, as an object column's (pandas' ``map`` on one
    category returns a categorical, not flags). A pyarrow timestamp (``read_parquet(...,
    dtype_backend="pyarrow")``) becomes a NumPy datetime column of the same unit, whose range
    the nanosecond check reads; pyarrow's own operations refuse to localize or to convert
    nanoseconds to floats.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype(object)
    if isinstance(values.dtype, pd.ArrowDtype):
        import pyarrow as pa

        kind = values.dtype.pyarrow_dtype
        if pa.types.is_timestamp(kind):
            target = pd.DatetimeTZDtype(kind.unit, kind.tz) if kind.tz else np.dtype(f"datetime64[{kind.unit}]")
            converted: pd.Series = values.astype(target)
            return converted
    return values


#: The key of an events frame's ``attrs`` naming the zone its events were read in (:func:`zone_name`):
#: set on :attr:`EventLog.events <journeymap.EventLog>` and :attr:`JourneySet.events
#: <journeymap.JourneySet>`, it travels with the frame through pandas' methods (a boolean
#: selection, ``assign``, ``pd.concat`` of frames that all carry the same zone), so that events
#: read back from saved journeys and built again keep it.
TZ_ATTR = "journeymap.tz"


def stamp_zone(events: pd.DataFrame, tz: datetime.tzinfo | None) -> None:
    """Record ``tz`` in ``events.attrs`` (:data:`TZ_ATTR`); None removes a zone recorded there."""
    from journeymap.io._values import zone_name

    name = zone_name(tz)
    if name is None:
        events.attrs.pop(TZ_ATTR, None)
    else:
        events.attrs[TZ_ATTR] = name


def attrs_zone(frame: object) -> datetime.tzinfo | None:
    """The zone a frame's ``attrs`` record (:data:`TZ_ATTR`), or None (none, or a value that names no zone).

    Examples:
        >>> from journeymap.io._values import check_tz
        >>> events = pd.DataFrame({"a": [1, 2]})
        >>> stamp_zone(events, check_tz("America/New_York"))
        >>> str(attrs_zone(events[events["a"] > 1])), attrs_zone(pd.DataFrame())  # kept by a selection
        ('America/New_York', None)
    """
    attrs = getattr(frame, "attrs", None)
    name = attrs.get(TZ_ATTR) if isinstance(attrs, dict) else None
    if not isinstance(name, str) or not name:
        return None
    from journeymap.io._values import check_tz

    try:
        return check_tz(name)
    except (ArgumentTypeError, InvalidArgumentError):
        logger.warning("the events' attrs name the zone %r, which is no timezone pandas knows: read in UTC", name)
        return None


def column_zone(dtype: object) -> datetime.tzinfo | None:
    """The zone of a tz-aware timestamp column (``datetime64[us, America/New_York]``): the zone its events were read in.

    A named zone and a fixed offset (``UTC+05:00``, as ``pd.to_datetime`` makes of text with one
    offset) are both kept; None for UTC (or another zone always at offset 0), which is the
    default anyway, and for a column that is not tz-aware (text, numbers, naive times, or
    values in several zones: each is an instant, read in UTC).

    Examples:
        >>> str(column_zone(pd.DatetimeTZDtype("ns", "America/New_York")))  # a zoneinfo zone (pandas 2.2: pytz)
        'America/New_York'
        >>> column_zone(pd.DatetimeTZDtype("ns", "UTC")), column_zone(np.dtype("datetime64[ns]"))
        (None, None)
        >>> import pyarrow as pa
        >>> str(column_zone(pd.ArrowDtype(pa.timestamp("us", tz="Europe/Paris"))))  # Arrow-backed (dtype_backend="pyarrow")
        'Europe/Paris'
    """
    if isinstance(dtype, pd.ArrowDtype) and isinstance(getattr(dtype.pyarrow_dtype, "tz", None), str):
        # an Arrow timestamp with a zone reads as the numpy-backed dtype of the same unit and zone
        dtype = pd.DatetimeTZDtype(dtype.pyarrow_dtype.unit, dtype.pyarrow_dtype.tz)
    if not isinstance(dtype, pd.DatetimeTZDtype):
        return None
    zone = dtype.tz
    return None if zone.utcoffset(None) == datetime.timedelta(0) else zone


def parse_timestamps(values: pd.Series) -> pd.Series:
    """Parse a column to ``datetime64[ns, UTC]``; unparseable values become NaT.

    Eight-digit values (text or whole numbers) that are valid dates in 1900-2100 are read as
    ``YYYYMMDD`` dates, midnight UTC (ISO 8601's basic format, as ``"20240301T101500Z"`` is): as
    epoch seconds they would all land in August 1970. Other numbers are epoch seconds (or
    milliseconds from 1e11 on), whatever they are: small ones such as Excel serial dates
    (``45352.5``) parse to 1970-01-01. This parser does not judge them; the validator of
    :func:`journeymap.read_events` rejects every number that lands before 1973 as epoch seconds
    (reason :data:`EARLY_EPOCH`, found by :func:`early_epoch`), the safer choice over a warning:
    such a row would otherwise start a journey in 1970 and bend every duration computed from it.
    A time of day followed by ``UTC`` or ``GMT`` (``"2024-07-01 10:00 UTC"``) is read as UTC.

    Examples:
        >>> parse_timestamps(pd.Series(["20240301", 20240301, "1507704944"], dtype=object)).dt.strftime("%Y-%m-%d").tolist()
        ['2024-03-01', '2024-03-01', '2017-10-11']
    """
    values = _plain(values)
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values.dtype):
        converted: pd.Series = _in_range(values).dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
        return converted
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
        # datetime.date too (a Parquet date column, a date picked in a form): midnight UTC
        is_datetime = values.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64, datetime.date)) or hasattr(v, "tzinfo"))
        if is_number.any():
            out[is_number] = _from_epoch(values[is_number])
        if is_datetime.any():
            dates = values[is_datetime]
            ok = ~out_of_range(dates)  # left NaT, and given their own reason by the validator
            # pandas 3 may parse in a coarser unit than nanoseconds: back to the range, then to ns
            parsed = pd.to_datetime(dates[ok], utc=True, errors="coerce", format="mixed")
            out[dates[ok].index] = _in_range(parsed).astype("datetime64[ns, UTC]")
        rest = ~(is_number | is_datetime) & values.map(lambda v: isinstance(v, str))
    if not rest.any():
        return out
    try:
        text = values[rest].astype("string").str.strip()
    except UnicodeEncodeError:  # a lone surrogate, which Arrow's strings cannot hold: no time either way
        text = values[rest].map(lambda v: re.sub(_regex.SURROGATE, "\ufffd", v)).astype("string").str.strip()
    twitter = _twitter(text)  # the corpus's own stamps, millions of them: a fast path
    found = twitter.notna().to_numpy()
    if found.all() and len(text) == len(out):
        return twitter
    if found.any():
        out[twitter.index[found]] = twitter[found]
    _parse_text(text[~found], out)
    return out


def _parse_text(text: pd.Series, out: pd.Series) -> None:
    """Parse stripped strings (epoch digits, ISO 8601, Twitter's format) into ``out`` at their labels."""
    digits = text.str.fullmatch(_DIGITS, na=False)
    if digits.any():
        out[digits[digits].index] = _from_epoch(text[digits])
    other = _regex.replace(text[~digits], _UTC_NAME, r"\1+00:00")
    # Every form read here writes digits. pandas reads the words "now" and "today" as the time
    # of the run, in any format: such a value would be kept, dated by when the code ran.
    other = other[_regex.contains(other, "[0-9]")]
    # Years pandas cannot hold make its ISO parser fail as a whole ("Something has gone wrong"):
    # they are left NaT here and given their own reason by the validator (out_of_range).
    years = _years(other)
    edge = years.isin([EARLIEST.year, LATEST.year])
    for i in other.index[edge.to_numpy()]:  # the two edge years, value by value (rare)
        out[i] = _one_edge_value(str(other[i]))
    other = other[~((years <= EARLIEST.year) | (years >= LATEST.year)).fillna(False).astype(bool)]
    if len(other):
        iso = _bulk(other, "ISO8601")
        failed = iso.isna()
        if failed.any():
            iso[failed] = _bulk(other[failed], TWITTER_FORMAT)
        out[other.index] = iso


def _twitter(text: pd.Series) -> pd.Series:
    """Twitter-format strings (``Wed Oct 11 06:55:44 +0000 2017``) to UTC, fast; NaT for the rest.

    The corpus has millions of such stamps, and ``strptime`` with ``%a %b`` reads them one by one
    in Python. The ones in exactly the corpus's shape, a year inside :data:`EARLIEST` ..
    :data:`LATEST`, are rewritten to ISO 8601 text with Arrow's string kernels and read by
    pandas' C parser, which refuses what the format refuses (``Feb 29`` of a common year, hour
    24, an offset of 24 hours): those stay NaT here, as does every other value, for the general
    path to read as before. Same instants as ``pd.to_datetime(text, format=TWITTER_FORMAT)``.
    """
    out = np.full(len(text), np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    try:
        arr = pc.cast(pa.array(text.array), pa.string())
    except (UnicodeEncodeError, pa.ArrowInvalid):  # a lone surrogate (pandas 2's Python strings): the general path
        return pd.Series(out, index=text.index).dt.tz_localize("UTC")
    usable = np.asarray(pc.fill_null(pc.match_substring_regex(arr, _TWITTER_SHAPE), False), dtype=bool)
    if not usable.any():
        return pd.Series(out, index=text.index).dt.tz_localize("UTC")
    arr = arr.filter(pa.array(usable))

    def part(start: int, stop: int) -> pa.Array:
        return pc.utf8_slice_codeunits(arr, start, stop)

    month = pc.utf8_slice_codeunits(pc.cast(pc.add(pc.index_in(part(4, 7), value_set=pa.array(_MONTHS)), 101), pa.string()), 1, 3)
    iso = pc.binary_join_element_wise(part(26, 30), "-", month, "-", part(8, 10), "T", part(11, 19), part(20, 25), "")
    year = np.asarray(pc.cast(part(26, 30), pa.int64()))
    inside = pd.Series((year > EARLIEST.year) & (year < LATEST.year))
    parsed = pd.to_datetime(pd.Series(iso.to_pandas(), dtype=object).where(inside), format="ISO8601", utc=True, errors="coerce")
    out[usable] = _in_range(parsed).astype("datetime64[ns, UTC]").to_numpy(dtype="datetime64[ns]")
    return pd.Series(out, index=text.index).dt.tz_localize("UTC")


#: An ISO 8601 time of day that ends in a zone: ``Z`` or an offset (``+02:00``, ``-0500``, ``+01``).
_ZONED_TIME = r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s?(?:[zZ]|[+-]\d\d(?::?\d\d)?)$"


def _bulk(text: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime`` of a column in one format (NaT where it does not parse).

    ISO 8601 times with a zone and without one are parsed apart: pandas 2.2 read a time without
    one that follows a time with an offset in that offset (``"2017-10-11 06:55:44"`` after
    ``"...+02:00"`` came out 04:55 UTC), where pandas 3 reads it as UTC, as journeymap documents.

    Examples:
        >>> _bulk(pd.Series(["2017-10-11T08:55:44+02:00", "2017-10-11 06:55:44"]), "ISO8601").dt.strftime("%H:%M").tolist()
        ['06:55', '06:55']
    """
    if fmt == "ISO8601" and len(text) > 1:
        zoned = _regex.contains(text, _ZONED_TIME)
        if zoned.any() and not zoned.all():
            out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
            for part in (text[zoned], text[~zoned]):
                parsed = _bulk_parse(part, fmt)
                out[parsed.index] = parsed
            return out
    return _bulk_parse(text, fmt)


def _bulk_parse(text: pd.Series, fmt: str) -> pd.Series:
    """:func:`_bulk` of values all with a zone or all without one.

    A year pandas cannot hold, in a shape the year check does not read ("0000/1"), can make the
    bulk parser fail as a whole: then the values go one by one.
    """
    try:
        parsed = pd.to_datetime(text, format=fmt, utc=True, errors="coerce")
    except (ValueError, OverflowError, AssertionError):
        return pd.Series([_one_edge_value(str(v)) for v in text], index=text.index, dtype="datetime64[ns, UTC]")
    # pandas 3 may parse a year it cannot hold in nanoseconds in a coarser unit ("0000/1" is year 0
    # in microseconds): outside the range is NaT, as everywhere else
    return _in_range(parsed).astype("datetime64[ns, UTC]")
