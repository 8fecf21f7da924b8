"""Durations between instants, without int64 overflow.

The events' times are nanoseconds since the epoch (``datetime64[ns]``, 1677-09-21 to 2262-04-11),
but a difference of two of them only fits in an int64 of nanoseconds up to about 292 years: one
mistyped year (1717 among 2017 data, which the reader accepts) made pandas raise a bare
``OverflowError`` and NumPy's integer arithmetic wrap to a wrong number. These helpers subtract
without wrapping: exactly where the result fits, and otherwise as :data:`LONGEST` (106,751 days,
the whole days pandas holds in nanoseconds, about 292 years; its negative the other way), with a
``UserWarning`` naming the cause. Not ``pd.Timedelta.max`` itself: a mean of it is cast back from
a float rounded past int64 and comes out NaT. Every duration the analytics return is
``timedelta64[ns]``.
"""

from __future__ import annotations

import functools
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap._warnings import user_stacklevel

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["DURATION_DTYPE", "LONGEST", "as_durations", "durations_between", "ns_between", "seconds_as_durations"]

DURATION_DTYPE = "timedelta64[ns]"  # the one resolution of every duration the analytics return
_NAT = np.iinfo(np.int64).min  # NaT's integer
LONGEST = pd.Timedelta(pd.Timedelta.max.days, "D")  # 106751 days: what a longer duration is given as
_LONGEST = LONGEST.value
_SHORTEST = -_LONGEST


def _instants(values: object) -> npt.NDArray[np.int64]:
    """Times as int64 nanoseconds since the epoch (NaT: int64's minimum), at least one-dimensional.

    ``values`` are datetime-like (a Series, index, array or Timestamp, naive or aware; aware ones
    are read in UTC) or int64 nanoseconds already.
    """
    if values is pd.NaT or isinstance(values, pd.Timestamp):
        return np.array([_NAT if pd.isna(values) else values.value], dtype=np.int64)
    if isinstance(values, (pd.Series, pd.Index)) and pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = values.to_numpy(dtype="datetime64[ns]")
    array = np.atleast_1d(np.asarray(values))
    if array.dtype.kind == "M":
        return array.astype("datetime64[ns]").view(np.int64)
    return array.astype(np.int64, copy=False)


def _warn_clamped(count: int) -> None:
    warnings.warn(
        f"{count} duration(s) longer than pandas holds in nanoseconds (about 292 years) are given as "
        f"{LONGEST.days} days (negative ones as -{LONGEST.days} days): the data span more than 292 years; "
        "check their timestamps (a mistyped year?)",
        UserWarning,
        stacklevel=user_stacklevel(),  # the caller of the analysis
    )


def ns_between(later: object, earlier: object) -> npt.NDArray[np.float64]:
    """``later - earlier`` in nanoseconds as floats (NaN where either is NaT): exact where an int64 holds it, never wrapped.

    Examples:
        >>> a = pd.Series(pd.to_datetime(["2017-10-11 10:05", "2017-10-11 10:00"], utc=True))
        >>> b = pd.Series(pd.to_datetime(["2017-10-11 10:00", "1717-10-11 10:00"], utc=True))
        >>> ns_between(a, b) / 1e9 / 86400  # the second is about 109,573 days: no wraparound
        array([3.47222222e-03, 1.09573000e+05])
    """
    late, early = np.broadcast_arrays(_instants(later), _instants(earlier))
    exact = late - early  # wraps around on overflow (NumPy arrays do not raise)
    wrapped = ((late ^ early) & (late ^ exact)) < 0  # the operands' signs differ and the result's is the subtrahend's
    out: npt.NDArray[np.float64] = exact.astype(np.float64)
    out[wrapped] = late[wrapped].astype(np.float64) - early[wrapped].astype(np.float64)
    out[(late == _NAT) | (early == _NAT)] = np.nan
    return out


def durations_between(later: object, earlier: object) -> npt.NDArray[np.timedelta64]:
    """``later - earlier`` as ``timedelta64[ns]`` values (NaT where either is NaT), exact where they fit.

    A difference of more than 106,751 days (about 292 years) is :data:`LONGEST` (its negative
    when negative), with a ``UserWarning``, where pandas raises ``OverflowError``.

    Examples:
        >>> a = pd.Series(pd.to_datetime(["2017-10-11 10:05", "2017-10-11 10:00", None], utc=True))
        >>> b = pd.Series(pd.to_datetime(["2017-10-11 10:00", "1717-10-11 10:00", "2017-10-11 09:00"], utc=True))
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     gaps = durations_between(a, b)
        >>> [str(g) for g in pd.to_timedelta(gaps)], len(caught)
        (['0 days 00:05:00', '106751 days 00:00:00', 'NaT'], 1)
    """
    late, early = np.broadcast_arrays(_instants(later), _instants(earlier))
    exact = late - early
    wrapped = ((late ^ early) & (late ^ exact)) < 0
    missing = (late == _NAT) | (early == _NAT)
    clamped = (wrapped | (exact > _LONGEST) | (exact < _SHORTEST)) & ~missing
    out = np.where(clamped, np.where(late > early, _LONGEST, _SHORTEST), exact)
    out[missing] = _NAT
    if clamped.any():
        _warn_clamped(int(clamped.sum()))
    return out.view(DURATION_DTYPE)


def as_durations(ns: object) -> npt.NDArray[np.timedelta64]:
    """Nanosecond counts (floats; NaN: none) as ``timedelta64[ns]`` values, rounded to the nanosecond.

    Counts beyond 106,751 days (about 292 years) are :data:`LONGEST` (or its negative), with a
    ``UserWarning``.

    Examples:
        >>> [str(d) for d in pd.to_timedelta(as_durations([3e11, np.nan]))]
        ['0 days 00:05:00', 'NaT']
    """
    values = np.atleast_1d(np.asarray(ns, dtype=np.float64))
    missing = np.isnan(values)
    over = ~missing & (np.abs(values) > _LONGEST)
    out = np.rint(np.where(missing | over, 0.0, values)).astype(np.int64)
    out[over] = np.where(values[over] > 0, _LONGEST, _SHORTEST)
    out[missing] = _NAT
    if over.any():
        _warn_clamped(int(over.sum()))
    return out.view(DURATION_DTYPE)


def seconds_as_durations(seconds: pd.Series) -> pd.Series:
    """Seconds (floats; NaN: none) as a ``timedelta64[ns]`` Series on the same index.

    The values are those of ``pd.to_timedelta(seconds, unit="s")``, whose resolution depends on
    the values (``[us]`` for whole seconds, else ``[ns]``; more than 292 years overflow): here
    always ``[ns]``, with the longest beyond it, as :func:`as_durations` says.

    Examples:
        >>> seconds_as_durations(pd.Series([300.0, np.nan])).dtype, seconds_as_durations(pd.Series([], dtype=float)).dtype
        (dtype('<m8[ns]'), dtype('<m8[ns]'))
    """
    values = seconds.to_numpy(dtype=np.float64, na_value=np.nan)
    fits = np.isnan(values) | (np.abs(values) <= LONGEST.total_seconds())
    exact = pd.to_timedelta(np.where(fits, values, np.nan), unit="s").as_unit("ns").to_numpy().copy()
    if not fits.all():
        exact[~fits] = as_durations(values[~fits] * 1e9)
    return pd.Series(exact, index=seconds.index, dtype=DURATION_DTYPE, name=seconds.name)


_NS_PER_DAY = 86_400 * 10**9
_NS_PER_S = 10**9
#: Durations pandas' own text is checked against (:func:`_text_rules`): whole days, whole seconds,
#: micro- and nanoseconds, negative ones and NaT, in the columns pandas formats alike.
_PROBES: tuple[tuple[str, ...], ...] = (
    ("1D", "-2D", "NaT"),
    ("1h13min27s", "NaT", "-1s", "1D", "0s"),
    ("1.5s", "1h", "-0.5s", "3D 2h", "-1D"),
    ("1ns", "1s", "-1ns", "1.5s", "-86400.5s", "2D"),
    ("NaT", "NaT"),
)


def _texts(ns: npt.NDArray[np.int64], rules: str) -> npt.NDArray[np.object_]:
    """The text of each duration (int64 nanoseconds, NaT: int64's minimum) by pandas' ``rules``; None for NaT.

    pandas writes every value of a column alike: ``"D days"`` where each is a whole number of
    days, else ``"D days HH:MM:SS"`` (a negative one as ``"-D days +HH:MM:SS"``, D rounded down),
    with the fraction of a second pandas 3 gives every value of the column (6 digits, 9 where
    some value has nanoseconds) where some value has one, and pandas 2 each value that has one.
    """
    out = np.full(len(ns), None, dtype=object)
    present = ns != _NAT
    values = ns[present]
    days, rest = np.divmod(values, _NS_PER_DAY)  # rounded down, as pandas' components: no int64 overflow
    if not rest.any():
        out[present] = ["%d days" % d for d in days.tolist()]  # noqa: UP031 - %-formatting: the fastest here
        return out
    seconds, fraction = np.divmod(rest, _NS_PER_S)
    hours, seconds = np.divmod(seconds, 3600)
    minutes, seconds = np.divmod(seconds, 60)
    signs = np.where(values < 0, " +", " ")
    # each value's digits: none, micro- (6) or nanoseconds (9)
    if rules == "column":  # pandas 3: one precision for the column
        digits = np.full(len(values), 0 if not fraction.any() else 9 if (fraction % 1000).any() else 6)
    else:  # pandas 2: each value its own
        digits = np.where(fraction == 0, 0, np.where(fraction % 1000 == 0, 6, 9))
    texts = np.empty(len(values), dtype=object)
    for n, fmt in ((0, "%d days%s%02d:%02d:%02d"), (6, "%d days%s%02d:%02d:%02d.%06d"), (9, "%d days%s%02d:%02d:%02d.%09d")):
        rows = digits == n
        if not rows.any():
            continue
        parts = [days[rows].tolist(), signs[rows].tolist(), hours[rows].tolist(), minutes[rows].tolist(), seconds[rows].tolist()]
        if n:
            parts.append((fraction[rows] // 10 ** (9 - n)).tolist())
        texts[rows] = [fmt % t for t in zip(*parts)]
    out[present] = texts
    return out


@functools.lru_cache(maxsize=1)
def _text_rules() -> str | None:
    """How the installed pandas writes durations to CSV: ``"column"`` (pandas 3), ``"value"`` (pandas 2), None: neither.

    Read off pandas' own text of :data:`_PROBES`, once: under a pandas that writes them
    otherwise, :func:`durations_as_text` leaves durations to pandas.
    """
    columns = [pd.Series(pd.to_timedelta(list(probe)), dtype=DURATION_DTYPE) for probe in _PROBES]
    # and in the other units pandas 3 reads durations in (whole seconds, microseconds)
    columns += [columns[1].astype("timedelta64[s]"), columns[2].astype("timedelta64[us]"), columns[2].astype("timedelta64[ms]")]
    written = [frame_csv(pd.DataFrame({"d": column})) for column in columns]
    nanoseconds = [_nanoseconds(column.to_numpy()) for column in columns]
    for rules in ("column", "value"):
        ours = [
            frame_csv(pd.DataFrame({"d": _texts(ns, rules) if ns is not None else column}))
            for ns, column in zip(nanoseconds, columns)
        ]
        if ours == written:
            return rules
    return None


def frame_csv(frame: pd.DataFrame) -> str:
    """``frame`` as :meth:`pandas.DataFrame.to_csv` writes it without its index (the text :func:`durations_as_text` matches)."""
    return frame.to_csv(index=False, lineterminator="\n")


def durations_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its duration (``timedelta64``) columns as the text ``to_csv`` writes for them (NaT: missing).

    The same file, written in a fraction of the time: pandas formats a duration through a
    ``Timedelta`` per value (5.1 s for 80,000 rows of 5 durations, 1.0 s for the same frame in
    seconds); here the days, hours, minutes, seconds and fraction come from the int64
    nanoseconds at once. Other columns, and every column where the installed pandas writes
    durations in a way not known here (checked once, on :data:`_PROBES`), are left as they are.

    Examples:
        >>> frame = pd.DataFrame({"wait": pd.to_timedelta(["1h13min27s", None, "-1s"]).as_unit("ns"), "n": [1, 2, 3]})
        >>> frame_csv(durations_as_text(frame)) == frame_csv(frame)
        True
        >>> durations_as_text(frame)["wait"].iloc[[0, 2]].tolist()
        ['0 days 01:13:27', '-1 days +23:59:59']
    """
    positions = [i for i, dtype in enumerate(frame.dtypes) if isinstance(dtype, np.dtype) and dtype.kind == "m"]
    rules = _text_rules() if positions else None
    if rules is None:
        return frame
    out = frame.copy(deep=False)
    for i in positions:
        ns = _nanoseconds(frame.iloc[:, i].to_numpy())
        if ns is not None:
            out.isetitem(i, _texts(ns, rules))
    return out


#: Nanoseconds in one tick of each unit :func:`_nanoseconds` reads.
_UNIT_NS = {"ns": 1, "us": 10**3, "ms": 10**6, "s": 10**9}


def _nanoseconds(values: npt.NDArray[np.timedelta64]) -> npt.NDArray[np.int64] | None:
    """``timedelta64`` values as int64 nanoseconds (NaT: int64's minimum); None in another unit or beyond int64 in ns."""
    unit, count = np.datetime_data(values.dtype)
    per = _UNIT_NS.get(unit, 0) * count
    if not per:
        return None
    ticks = values.view(np.int64)
    if per == 1:
        return ticks
    present = ticks != _NAT
    if (np.abs(ticks[present]) > np.iinfo(np.int64).max // per).any():
        return None
    return np.where(present, ticks * per, _NAT)
