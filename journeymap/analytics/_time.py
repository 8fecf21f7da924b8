"""Time helpers: weekday x hour statistics (the halves of :func:`~journeymap.time_patterns`), periods."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap.analytics._prep import flags
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.journeys._table import customer_mask

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "FULL_COVERAGE",
    "MAX_PERIODS",
    "WEEKDAYS",
    "check_periods",
    "check_tz",
    "clock_time",
    "hour_frame",
    "partial_periods",
    "patterns_frame",
    "period_alias",
    "period_index",
    "period_start",
]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def check_tz(tz: Any, js: object = None) -> Any:
    """``tz`` as the analytics read it: a timezone pandas knows; for None, the journeys' zone or ``"UTC"``.

    Takes an IANA name (``"Europe/London"``), ``"UTC"``, a fixed offset (``"+05:30"``) or a
    ``datetime.tzinfo``; None means the zone the events were read in (``js.tz``, from
    :func:`~journeymap.read_events`' ``tz=``), else UTC, the zone the timestamps are stored in
    (a TWCS file's, whose times carry their offsets). Anything else is
    a TypeError (a number would be read as an offset in seconds), an unknown name a ValueError,
    each naming ``tz``.

    Examples:
        >>> check_tz("Europe/Paris"), check_tz(None)
        ('Europe/Paris', 'UTC')
        >>> check_tz("Mars/Base")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: tz='Mars/Base' is not a timezone pandas knows...
    """
    from journeymap.io._values import check_tz as zone

    if tz is None:
        tz = getattr(js, "tz", None)
        return "UTC" if tz is None else tz
    zone(tz)  # the readers' check: one rule and one message for every tz
    return tz


def hour_frame(events: pd.DataFrame, tz: str | dt.tzinfo) -> pd.DataFrame:
    """The customers' messages: ``weekday`` (0 is Monday), ``hour``, ``negative`` and ``valence`` (NaN unscored)."""
    f = flags(events)
    local = events["timestamp"].dt.tz_convert(check_tz(tz))
    cust = f["customer"]
    scored = f.loc[cust, "scored"].to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "weekday": local.dt.day_of_week[cust],
            "hour": local.dt.hour[cust],
            "negative": f.loc[cust, "negative"].astype("float64").where(scored),
            "valence": f.loc[cust, "valence"].astype("float64").where(scored),
        }
    )


def clock_time(events: pd.DataFrame, tz: str | dt.tzinfo) -> str | None:
    """The one time of day every customer message is stamped at, in ``tz`` ("00:00"), or None.

    Dates without times (a survey export, a daily feed) read as midnight: every message at one
    time of day says the data holds no hours, and an hour-of-day chart of it would show one
    column. Three or more messages are needed to tell; fewer give None.

    Examples:
        >>> stamps = pd.to_datetime(["2026-03-01", "2026-03-02", "2026-03-05"]).tz_localize("UTC")
        >>> events = pd.DataFrame({"timestamp": stamps, "actor": "customer"})
        >>> clock_time(events, "UTC"), clock_time(events, "Asia/Kolkata")
        ('00:00', '05:30')
        >>> clock_time(events.assign(timestamp=stamps + pd.to_timedelta([0, 1, 2], unit="h")), "UTC") is None
        True
    """
    local = events.loc[customer_mask(events["actor"]), "timestamp"].dt.tz_convert(check_tz(tz))
    if len(local) < 3:
        return None
    wall = local.dt.tz_localize(None)  # wall-clock times: midnight need not exist in the zone (DST at 00:00)
    of_day = (wall - wall.dt.normalize()).unique()
    if len(of_day) != 1:
        return None
    seconds = int(pd.Timedelta(of_day[0]).total_seconds())
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}" + (f":{seconds % 60:02d}" if seconds % 60 else "")


def patterns_frame(stats: pd.DataFrame) -> pd.DataFrame:
    """All 168 weekday x hour rows from ``volume``, ``scored``, ``share_negative``, ``mean_valence`` per (weekday, hour).

    Indexed by (``weekday``, ``hour``): weekday names as an ordered categorical (Monday first),
    hours 0-23.
    """
    full = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    stats = stats[["volume", "scored", "share_negative", "mean_valence"]].reindex(full)
    stats["volume"] = stats["volume"].fillna(0).astype("int64")
    stats["scored"] = stats["scored"].fillna(0).astype("int64")
    out = stats.reset_index()
    out["weekday"] = pd.Categorical.from_codes(
        out["weekday"].to_numpy(dtype=np.int64), dtype=pd.CategoricalDtype(list(WEEKDAYS), ordered=True)
    )
    return out.set_index(["weekday", "hour"])


def localize_starts(
    starts: pd.DatetimeIndex, tz: str | dt.tzinfo, *, first_pass: bool | npt.NDArray[np.bool_] = True
) -> pd.DatetimeIndex:
    """Local wall-clock period starts as times in ``tz``, never NaT.

    A start the clock passes twice (the hour repeated when daylight-saving time ends; midnight
    where clocks go back at midnight) is its first occurrence, or, where ``first_pass`` is False
    (one flag per start, or one for all), its second; a start the clock skips moves forward to
    the first time that exists.
    """
    from journeymap.io._values import gap_ends

    passes = np.broadcast_to(np.asarray(first_pass, dtype=bool), (len(starts),)).copy()
    local = starts.tz_localize(tz, ambiguous=passes, nonexistent="NaT")
    skipped = np.asarray(local.isna(), dtype=bool)
    if not skipped.any():
        return local
    # pandas' nonexistent="shift_forward" assumes whole-hour gaps: Lord Howe's are 30 minutes
    utc = local.as_unit("ns").asi8.copy()
    utc[skipped] = gap_ends(starts[skipped], tz).as_unit("ns").asi8
    return pd.DatetimeIndex(utc.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(tz)


_CALENDAR = re.compile(r"^(?P<n>\d*)(?P<unit>[MQY])(?P<edge>[ES])?(?P<anchor>-[A-Z]{3})?$")


def _fixed(freq: str) -> bool:
    """Whether ``freq`` is a fixed length (days, hours, minutes, seconds), binned by flooring."""
    from pandas.tseries.frequencies import to_offset

    if isinstance(freq, str) and _CALENDAR.match(freq):  # pandas 2 reads "M" as "ME", with a FutureWarning
        return False
    try:
        offset = to_offset(freq)
    except ValueError:  # a period alias pandas has no offset for ("M", "Q", "Y")
        return False
    return isinstance(offset, (pd.offsets.Tick, pd.offsets.Day))


def _within_day(freq: str) -> bool:
    """Whether ``freq`` is a length of the clock (hours, minutes, seconds) shorter than a day.

    For such periods a start the clock passes twice is two starts: the hour it repeats when
    daylight-saving time ends is two hourly periods (``01:00+01:00`` and ``01:00+00:00``), not
    one holding two hours. A day, week or month is a date on the calendar and holds both passes.
    """
    from pandas.tseries.frequencies import to_offset

    if not _fixed(freq):
        return False
    offset = to_offset(freq)
    return isinstance(offset, pd.offsets.Tick) and not isinstance(offset, pd.offsets.Day) and offset.nanos < 86_400 * 10**9


def period_alias(freq: str) -> str:
    """``freq`` as an alias pandas periods take; raises ValueError naming ``freq`` when there is none.

    A fixed length must be positive (``"0D"``, ``"-1D"`` are refused); a ``freq`` that is not a
    string (or a pandas offset) is a TypeError.

    pandas names a month "M" as a period but "ME"/"MS" as an offset (likewise "Q"/"QE"/"QS",
    "Y"/"YE"/"YS"); a user may write either, and both mean calendar months (quarters, years).
    Multiples of calendar periods ("2M") are refused: pandas would not bin them in twos.

    Examples:
        >>> [period_alias(f) for f in ("W", "M", "ME", "MS", "QE", "Y", "D", "3h")]
        ['W', 'M', 'M', 'M', 'Q', 'Y', 'D', '3h']
    """
    if freq is None or not isinstance(freq, (str, pd.DateOffset, pd.Timedelta, dt.timedelta)):
        msg = f"freq must be a period such as 'D', 'W', 'M' or '6h', got {type(freq).__name__} {freq!r}"
        raise ArgumentTypeError(msg)
    if _fixed(freq):
        from pandas.tseries.frequencies import to_offset

        if to_offset(freq).n <= 0:
            msg = f"freq={freq!r}: a period must be a positive length of time, such as 'D', '6h' or '14D'"
            raise InvalidArgumentError(msg)
        return freq
    weeks = re.fullmatch(r"(\d*)W(-[A-Z]{3})?", freq) if isinstance(freq, str) else None
    if weeks is not None and weeks[1] not in ("", "1"):
        msg = f"freq={freq!r}: multiples of calendar periods are not supported; use 'W' or a fixed length like '14D'"
        raise InvalidArgumentError(msg)
    found = _CALENDAR.match(freq) if isinstance(freq, str) else None
    alias = freq
    if found is not None:
        if found["n"] not in ("", "1"):
            unit = found["unit"]
            msg = f"freq={freq!r}: multiples of calendar periods are not supported; use {unit!r} or a fixed length like '14D'"
            raise InvalidArgumentError(msg)
        if found["edge"] == "S" and found["anchor"]:
            msg = f"freq={freq!r}: give quarters and years by the month they end in (e.g. 'Q-DEC'), not the one they start in"
            raise InvalidArgumentError(msg)
        alias = found["unit"] + (found["anchor"] or "")
    try:
        pd.Period("2024-01-01", freq=alias)
    except (ValueError, TypeError):
        msg = f"freq={freq!r} is not a period pandas knows; use e.g. 'D', 'W', 'M', 'Q', 'Y', or a fixed length such as '6h'"
        raise InvalidArgumentError(msg) from None
    return alias


#: The most periods :func:`check_periods` lets a ``freq`` make over the data's span: 100,000 is
#: 11 years by the hour, 273 by the day, 69 days by the minute. ``freq="ms"`` (milliseconds, a slip
#: for ``"MS"``, month start) over four weeks would be 2.4 billion periods (18 GiB to list them).
MAX_PERIODS = 100_000

_UNITS = (
    ("day", 86_400 * 10**9),
    ("hour", 3_600 * 10**9),
    ("minute", 60 * 10**9),
    ("second", 10**9),
    ("millisecond", 10**6),
    ("microsecond", 10**3),
    ("nanosecond", 1),
)


def _length(nanos: int) -> str:
    """A fixed period's length in words: ``"1 millisecond"``, ``"6 hours"``."""
    for unit, size in _UNITS:
        if nanos >= size:
            n = nanos / size
            return f"{n:g} {unit}" + ("" if n == 1 else "s")
    return f"{nanos} nanoseconds"


def _meant(freq: object, nanos: int) -> str:
    """A hint for a tiny fixed ``freq`` that is a calendar period in capitals (``"ms"`` for ``"MS"``), else a general one."""
    general = "; give a longer period, such as 'h', 'D', 'W' or 'M'"
    if not isinstance(freq, str) or freq.upper() == freq:
        return general
    upper = freq.upper()
    try:
        with warnings.catch_warnings():  # pandas warns about aliases it is retiring: a hint must not fail
            warnings.simplefilter("ignore")
            if _fixed(upper):
                return general
            period_alias(upper)
    except (ValueError, TypeError):
        return general
    return f"; did you mean freq={upper!r} (a calendar period)? {freq!r} is a fixed length of {_length(nanos)}"


def check_periods(freq: str, stamps: pd.Series | pd.Index, tz: str | dt.tzinfo) -> int:
    """How many periods of ``freq`` (in ``tz``) the times ``stamps`` span; raises ValueError naming ``freq`` beyond reason.

    Over :data:`MAX_PERIODS` periods is refused before any is listed: a ``freq`` that small for
    the data is a slip (``"ms"``, milliseconds, for ``"MS"``, month start), and listing them
    would exhaust memory. So are periods that start outside the times pandas holds at
    nanoseconds (1677-09-21 to 2262-04-11), since a period is labelled by its start: a week of
    data from 1677-09-23 starts on 1677-09-20. A period that ends past them (a week of data from
    2262-04-09, a year from 2262) is listed: its start is the label, and its end is read at
    microseconds (:func:`partial_periods`). ``freq`` is checked as :func:`period_alias` checks
    it; no times (or only NaT) give 0.

    Examples:
        >>> stamps = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-29"], utc=True))
        >>> check_periods("W", stamps, "UTC"), check_periods("D", stamps, "UTC")
        (5, 29)
        >>> late = pd.Series(pd.to_datetime(["2262-04-09 10:00"], utc=True)).astype("datetime64[ns, UTC]")
        >>> check_periods("W", late, "UTC"), check_periods("Y", late, "UTC")  # starting 2262-04-07 and 2262-01-01
        (1, 1)
        >>> check_periods("ms", stamps, "UTC")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: freq='ms' would give 2,419,200,001 periods ...; did you mean freq='MS' ...
    """
    from pandas.errors import OutOfBoundsDatetime
    from pandas.tseries.frequencies import to_offset

    alias = period_alias(freq)
    first, last = pd.DatetimeIndex(stamps).min(), pd.DatetimeIndex(stamps).max()
    if pd.isna(first) or pd.isna(last):
        return 0
    wall = pd.DatetimeIndex([first, last]).tz_convert(tz).tz_localize(None)
    fixed = _fixed(freq)
    if fixed:
        nanos = int(to_offset(freq).nanos)
        count = int(wall[1].value // nanos - wall[0].value // nanos) + 1
    else:
        periods = wall.to_period(alias)
        count = int((periods[1] - periods[0]).n) + 1
    if count > MAX_PERIODS:
        hint = _meant(freq, nanos) if fixed else "; give a longer period, such as 'W', 'M' or 'Y'"
        msg = (
            f"freq={freq!r} would give {count:,} periods over the data's span (from {first} to {last}); "
            f"at most {MAX_PERIODS:,} are made{hint}"
        )
        raise InvalidArgumentError(msg)
    try:  # the periods' labels, their starts, in the events' unit (ns)
        if fixed:
            starts = pd.DatetimeIndex([wall[0].floor(freq), wall[1].floor(freq)])
        else:
            starts = pd.DatetimeIndex([periods[0].start_time, periods[1].start_time])
        localize_starts(starts.as_unit("ns"), tz).as_unit("ns")
    except (OutOfBoundsDatetime, OverflowError):
        msg = (
            f"freq={freq!r}: the data's periods (from {first} to {last}) start outside the times pandas "
            f"holds ({pd.Timestamp.min:%Y-%m-%d} to {pd.Timestamp.max:%Y-%m-%d}); give a shorter period, such as 'D'"
        )
        raise InvalidArgumentError(msg) from None
    return count


def _wall_starts(local: pd.Series, freq: str) -> pd.DatetimeIndex:
    """Local wall times floored to their period's start.

    Fixed lengths in multiples from the epoch ("3h": 00:00, 03:00, ...; "2D": every other day),
    calendar periods (W, M or MS or ME, Q, Y) by period.
    """
    if _fixed(freq):
        return pd.DatetimeIndex(local.dt.floor(freq)).as_unit("ns")
    # (start_time is [us]: the events' unit, ns, whatever the freq; check_periods has checked that they fit)
    return pd.DatetimeIndex(local.dt.to_period(period_alias(freq)).dt.start_time).as_unit("ns")


def period_start(ts: pd.Series, freq: str, tz: str | dt.tzinfo) -> pd.Series:
    """The start of the period each (UTC) timestamp falls in, as a timestamp in ``tz``.

    For periods shorter than a day, a start the clock passes twice is the pass the timestamp is
    in (the repeated hour is two hourly periods); a period that starts before the repeated hour
    and holds it (``"2h"`` from 00:00) holds both passes. Days and longer periods are dates and
    hold both passes.

    Examples:
        >>> ts = pd.Series(pd.to_datetime(["2024-11-03 05:30", "2024-11-03 06:30"], utc=True))  # 01:30 twice in New York
        >>> period_start(ts, "h", "America/New_York").astype(str).tolist()
        ['2024-11-03 01:00:00-04:00', '2024-11-03 01:00:00-05:00']
        >>> period_start(ts, "D", "America/New_York").astype(str).tolist()
        ['2024-11-03 00:00:00-04:00', '2024-11-03 00:00:00-04:00']
        >>> ts = pd.Series(pd.to_datetime(["2024-03-04 02:10", "2024-03-04 04:50"], utc=True))
        >>> period_start(ts, "3h", "UTC").dt.hour.tolist()
        [0, 3]
    """
    local = ts.dt.tz_convert(tz).dt.tz_localize(None)
    walls = _wall_starts(local, freq)
    first_pass: bool | npt.NDArray[np.bool_] = True
    if _within_day(freq):  # a repeated start is its second pass for the timestamps at or after that pass
        second = localize_starts(walls, tz, first_pass=False)
        first_pass = ~np.asarray(second <= pd.DatetimeIndex(ts), dtype=bool)
    return pd.Series(localize_starts(walls, tz, first_pass=first_pass), index=ts.index)


#: A first or last period the data covers less than this share of is ``partial`` (:func:`partial_periods`).
FULL_COVERAGE = 0.9


def partial_periods(
    index: pd.DatetimeIndex, freq: str, tz: str | dt.tzinfo, first: pd.Timestamp, last: pd.Timestamp
) -> npt.NDArray[np.bool_]:
    """Which periods of ``index`` the data, from ``first`` to ``last``, covers less than 90% of.

    Only the first and the last period can be: the data starts inside the first and ends inside
    the last. A week whose data stops on Wednesday holds about half its messages, and a chart
    that draws it as a full week shows a collapse that is not there.

    Examples:
        >>> weeks = pd.DatetimeIndex(["2024-01-01", "2024-01-08", "2024-01-15"]).tz_localize("UTC")
        >>> first, last = pd.Timestamp("2024-01-01 06:00", tz="UTC"), pd.Timestamp("2024-01-17 12:00", tz="UTC")
        >>> partial_periods(weeks, "W", "UTC", first, last).tolist()  # Monday 06:00: 96% of the week; to Wednesday
        [False, False, True]
    """
    out = np.zeros(len(index), dtype=bool)
    if not len(index) or pd.isna(first) or pd.isna(last):
        return out
    wall = pd.DatetimeIndex([index[-1]]).tz_convert(tz).tz_localize(None)
    if _fixed(freq):
        following = wall + pd.tseries.frequencies.to_offset(freq)
    else:
        # the next period's first day from its ordinal: pandas 2's start_time is at nanoseconds,
        # which end in April 2262 (pandas 3 keeps the index's unit)
        days = ((wall.to_period(period_alias(freq)) + 1).asfreq("D", how="S")).asi8
        following = pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[us]"))
    # at microseconds: the last period may end past the times pandas holds at nanoseconds (a week from 2262-04-07)
    index = index.as_unit("us")
    first, last = pd.Timestamp(first).as_unit("us"), pd.Timestamp(last).as_unit("us")
    ends = [*index[1:], localize_starts(pd.DatetimeIndex(following).as_unit("us"), tz)[0]]
    lengths = np.array([(end - start).total_seconds() for start, end in zip(index, ends)], dtype=float)
    covered_first = (ends[0] - max(first, index[0])).total_seconds() / lengths[0]
    covered_last = (min(last, ends[-1]) - index[-1]).total_seconds() / lengths[-1]
    if len(index) == 1:  # one period, short at both ends
        covered_first = covered_last = (min(last, ends[0]) - max(first, index[0])).total_seconds() / lengths[0]
    out[0] |= covered_first < FULL_COVERAGE
    out[-1] |= covered_last < FULL_COVERAGE
    return out


def period_index(starts: pd.Series | pd.Index, freq: str, tz: str | dt.tzinfo) -> pd.DatetimeIndex:
    """Every period start from the first to the last of ``starts`` (times in ``tz``), gaps included; each once.

    A wall-clock start the clock skips (02:00 when clocks go forward at 01:00) moves forward to
    the first time that exists (:func:`localize_starts`); where that is the next start (03:00),
    the two are one period, so it is listed once and every message is counted once. A start
    the clock passes twice is listed twice for periods shorter than a day (:func:`period_start`).

    Examples:
        >>> starts = pd.DatetimeIndex(["2024-03-31 00:00", "2024-03-31 02:00"]).tz_localize("Europe/London")
        >>> period_index(starts, "h", "Europe/London").strftime("%H:%M%z").tolist()  # 01:00 GMT never happened
        ['00:00+0000', '02:00+0100']
        >>> starts = pd.DatetimeIndex(["2024-10-27 00:00", "2024-10-27 02:00"]).tz_localize("Europe/London")
        >>> period_index(starts, "h", "Europe/London").strftime("%H:%M%z").tolist()  # 01:00 twice
        ['00:00+0100', '01:00+0100', '01:00+0000', '02:00+0000']
    """
    found = pd.DatetimeIndex(starts)
    check_periods(freq, found, tz)  # before listing them: a "ms" for "MS" would be billions
    local = pd.DatetimeIndex([found.min(), found.max()]).tz_convert(tz).tz_localize(None)
    if _fixed(freq):
        walls = pd.date_range(local[0], local[1], freq=freq)
    else:
        alias = period_alias(freq)
        walls = pd.period_range(local[0].to_period(alias), local[1].to_period(alias), freq=alias).start_time
    every = localize_starts(pd.DatetimeIndex(walls), tz).union(found)
    if _within_day(freq):  # the repeated hour's second pass is a period of its own
        every = every.union(localize_starts(pd.DatetimeIndex(walls), tz, first_pass=False))
    return pd.DatetimeIndex(every[~every.duplicated()], name="period").as_unit("ns")  # the events' unit, whatever the freq
