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


#: The digits of a second's fraction each ``timedelta64`` unit holds, and its ticks per second.
_UNIT_DIGITS = {"s": 0, "ms": 3, "us": 6, "ns": 9}


def iso_durations(values: npt.NDArray[np.timedelta64]) -> npt.NDArray[np.object_] | None:
    """``timedelta64`` values as ISO 8601 durations (None for NaT); None where the unit is none of s, ms, us, ns.

    ``P<days>DT<hours>H<minutes>M<seconds>S`` as pandas' ``Timedelta.isoformat`` writes a
    positive one (``P0DT0H9M59S``, ``P3DT4H0M0.5S``: the fraction of a second to the
    nanosecond, its trailing zeros left out); a negative one with a leading minus
    (``-P0DT0H0M1S``, as XML Schema and Java write it, where pandas' own ``P-1DT23H59M59S``
    is no ISO 8601). ``pd.to_timedelta`` reads both back exactly.

    Examples:
        >>> iso_durations(pd.to_timedelta(["9min59s", "-1s", "3D4h0.5s", None]).to_numpy()).tolist()
        ['P0DT0H9M59S', '-P0DT0H0M1S', 'P3DT4H0M0.5S', None]
    """
    unit, count = np.datetime_data(values.dtype)
    digits = _UNIT_DIGITS.get(unit)
    if digits is None or count != 1:
        return None
    ticks = values.view(np.int64)
    out = np.full(len(ticks), None, dtype=object)
    present = ticks != _NAT
    signed = ticks[present]
    magnitude = np.abs(signed)  # NaT (int64's minimum) is the one value without a magnitude, and it is left out
    per_second = 10**digits
    seconds, fraction = np.divmod(magnitude, per_second)
    days, seconds = np.divmod(seconds, 86_400)
    hours, seconds = np.divmod(seconds, 3600)
    minutes, seconds = np.divmod(seconds, 60)
    signs = np.where(signed < 0, "-", "")
    parts = zip(signs.tolist(), days.tolist(), hours.tolist(), minutes.tolist(), seconds.tolist(), fraction.tolist())
    out[present] = [
        f"{sign}P{d}DT{h}H{m}M{sec}S" if not frac else f"{sign}P{d}DT{h}H{m}M{sec}.{frac:0{digits}d}".rstrip("0") + "S"
        for sign, d, h, m, sec, frac in parts
    ]
    return out


def durations_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its duration (``timedelta64``) columns as ISO 8601 text (:func:`iso_durations`; NaT: missing).

    The one encoding of durations in every text file the library writes (CSV, TSV, JSON Lines,
    Excel: :func:`journeymap.io.write_table`), where pandas writes ``"0 days 00:09:59"`` in
    one CSV column and ``"0 days 00:09:59.000000000"`` in the next, ISO 8601 in JSON and a
    fraction of a day in Excel; ``pd.to_timedelta`` reads it back. Formatted from the integer
    ticks at once (5x faster than pandas' per-value formatter). Other columns are left as they are.

    Examples:
        >>> frame = pd.DataFrame({"wait": pd.to_timedelta(["1h13min27s", None, "-1s"]).as_unit("ns"), "n": [1, 2, 3]})
        >>> durations_as_text(frame)["wait"].tolist()
        ['P0DT1H13M27S', nan, '-P0DT0H0M1S']
        >>> pd.to_timedelta(durations_as_text(frame)["wait"]).astype("timedelta64[ns]").equals(frame["wait"])
        True
    """
    positions = [i for i, dtype in enumerate(frame.dtypes) if isinstance(dtype, np.dtype) and dtype.kind == "m"]
    if not positions:
        return frame
    out = frame.copy(deep=False)
    for i in positions:
        texts = iso_durations(frame.iloc[:, i].to_numpy())
        if texts is not None:
            out.isetitem(i, texts)
    return out
