"""Checks of the analytics' arguments: each names the argument, says what is wrong and what it takes.

A wrong type is a ``TypeError``, a value out of range a ``ValueError``, raised before any work
is done, so a call fails with the argument's name rather than deep inside pandas.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import cast

import numpy as np
import pandas as pd

from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError

__all__ = ["check_column_name", "check_count", "check_duration", "check_seed", "check_timestamp", "fixed_seed"]

_NUMBER_TEXT = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$")


def check_column_name(value: object, name: str, *, context: str = "", what: str = "a column name") -> str:
    """``value`` itself; an ArgumentTypeError naming ``name`` unless it is a string.

    For the arguments that name one column (``by=``, ``measure=``, ``units=``): a list such as
    ``by=["channel"]`` (as pandas' ``groupby`` takes it) would otherwise fail inside pandas with
    "unhashable type: 'list'". ``context`` starts the message (``"service_levels groups by one
    column"``), ``what`` says what the string names.

    Examples:
        >>> check_column_name("tier", "by")
        'tier'
        >>> check_column_name(["channel"], "by", context="service_levels groups by one column")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ArgumentTypeError: service_levels groups by one column: by must be a column name, got list [...]
    """
    if not isinstance(value, str):
        prefix = f"{context}: " if context else ""
        msg = f"{prefix}{name} must be {what}, got {type(value).__name__} {value!r}"
        raise ArgumentTypeError(msg)
    return value


def check_count(value: object, name: str, *, minimum: int = 0, what: str = "number") -> int:
    """``value`` as an int; TypeError unless it is a whole number (not a bool), ValueError below ``minimum``.

    Examples:
        >>> check_count(3, "examples")
        3
        >>> check_count(-1, "examples")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: examples must be a non-negative number, got -1
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        msg = f"{name} must be a whole {what} (an int), got {type(value).__name__} {value!r}"
        raise ArgumentTypeError(msg)
    if value < minimum:
        kind = {0: f"a non-negative {what}", 1: f"a positive {what}"}.get(minimum, f"at least {minimum}")
        msg = f"{name} must be {kind}, got {value!r}"
        raise InvalidArgumentError(msg)
    return int(value)


def check_seed(seed: object, name: str = "seed") -> np.random.Generator:
    """A random generator from ``seed`` (an int, None or a numpy Generator); an error naming ``name``.

    ``seed`` is a non-negative int (the same int always gives the same draws: the results are
    reproducible), None (a generator seeded afresh from the operating system: the results
    differ from call to call) or a :class:`numpy.random.Generator`, returned itself, so the
    draws continue its sequence (reproducible when it was seeded, and different each time it
    is drawn from). Anything else (numpy's legacy ``RandomState`` and ``SeedSequence`` too) is an
    ArgumentTypeError, a negative int an InvalidArgumentError. Every ``seed=`` of the analytics
    and the plots is read here; the topic tools pass theirs to scikit-learn, whose
    ``random_state`` takes no Generator, so they take an int or None
    (:func:`journeymap.topics.model.check_seed`).

    Examples:
        >>> bool(check_seed(0).integers(100) == check_seed(0).integers(100))
        True
        >>> rng = np.random.default_rng(1)
        >>> check_seed(rng) is rng
        True
        >>> isinstance(check_seed(None), np.random.Generator)
        True
        >>> check_seed("0")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ArgumentTypeError: seed must be a whole number (an int), None or a numpy.random.Generator, ...
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        msg = f"{name} must be a whole number (an int), None or a numpy.random.Generator, got {type(seed).__name__} {seed!r}"
        raise ArgumentTypeError(msg)
    return np.random.default_rng(check_count(seed, name))


def fixed_seed(seed: object, name: str = "seed") -> int:
    """``seed`` as one int for several calls that must draw alike: an int as it is, else one int drawn from it.

    A report or a figure of several panels passes its seed to every table and chart it draws,
    and each promises one interval per touchpoint wherever it is shown. A Generator handed on
    as it is would be drawn further by each call (two intervals for one touchpoint), so a
    Generator or None gives one int, drawn once, and that int is passed on.

    Examples:
        >>> fixed_seed(7)
        7
        >>> fixed_seed(np.random.default_rng(0)) == fixed_seed(np.random.default_rng(0))
        True
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return int(check_seed(seed, name).integers(2**32))
    check_seed(seed, name)
    return int(cast("int", seed))  # an int, checked above


def check_duration(value: object, name: str, *, example: str = "'1h'") -> pd.Timedelta:
    """``value`` as a positive Timedelta: a string such as ``"1h"``, a ``pd.Timedelta`` or ``datetime.timedelta``.

    A bare number is refused (a TypeError): its unit would be a guess (pandas reads 3600 as
    nanoseconds). An unreadable string, NaT, zero or a negative duration is a ValueError.

    Examples:
        >>> check_duration("90min", "sla")
        Timedelta('0 days 01:30:00')
        >>> check_duration("-1h", "sla")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: sla must be a positive duration such as '1h', got '-1h'
    """
    allowed = f"a duration such as {example}, pd.Timedelta(hours=1) or datetime.timedelta(hours=1)"
    if not isinstance(value, (str, pd.Timedelta, dt.timedelta, np.timedelta64)):
        why = " (a bare number has no unit: write e.g. '90s' or '1h')" if _number(value) else ""
        msg = f"{name} must be {allowed}, got {type(value).__name__} {value!r}{why}"
        raise ArgumentTypeError(msg)
    if isinstance(value, str) and _NUMBER_TEXT.match(value):
        msg = f"{name}={value!r} has no unit (pandas would read it as nanoseconds); write e.g. '90s' or '1h'"
        raise InvalidArgumentError(msg)
    try:
        td = pd.Timedelta(value)
    except ValueError:
        msg = f"{name}={value!r} is not a duration pandas can read; give {allowed}"
        raise InvalidArgumentError(msg) from None
    if pd.isna(td) or td <= pd.Timedelta(0):
        msg = f"{name} must be a positive duration such as {example}, got {value!r}"
        raise InvalidArgumentError(msg)
    return td


def check_timestamp(value: object, name: str) -> pd.Timestamp | None:
    """``value`` as a Timestamp (naive is UTC), or None for None.

    A string pandas can read, a ``pd.Timestamp``, ``datetime.datetime``, ``datetime.date`` or
    ``numpy.datetime64``; a bare number is refused (a TypeError: pandas would read 5 as 5
    nanoseconds after 1970), as are unreadable strings and NaT (ValueErrors).

    Examples:
        >>> check_timestamp("2024-03-04 09:00", "now")
        Timestamp('2024-03-04 09:00:00+0000', tz='UTC')
        >>> check_timestamp(5, "now")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ArgumentTypeError: now must be a time: ..., got int 5 (a bare number is no time: ...)
    """
    if value is None:
        return None
    allowed = "a time: a string such as '2024-03-04 09:00', a pd.Timestamp or a datetime"
    if not isinstance(value, (str, dt.date, np.datetime64)):  # pd.Timestamp is a datetime, a datetime a date
        why = " (a bare number is no time: pandas would read it as nanoseconds after 1970)" if _number(value) else ""
        msg = f"{name} must be {allowed}, got {type(value).__name__} {value!r}{why}"
        raise ArgumentTypeError(msg)
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        msg = f"{name}={value!r} is not a time pandas can read; give {allowed}"
        raise InvalidArgumentError(msg) from None
    if pd.isna(ts):
        msg = f"{name} must be {allowed}, got {value!r} (no time)"
        raise InvalidArgumentError(msg)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts


def _number(value: object) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))
