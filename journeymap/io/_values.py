"""Values mapped before validation: the spellings of actors (``actors=``), the zone of naive times (``tz=``).

Exports name their roles in their own words (Zendesk's ``end-user``, a chat tool's
``operator``) and many write local times without an offset (Excel, helpdesk CSVs). Both are
settled here, on the raw canonical columns, before the validator reads them, so that the
single-machine and the Dask readers share one rule.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.io._time import epoch_text, parse_timestamps
from journeymap.io.validation import ACTOR_ALIASES, without_surrogates
from journeymap.model.touchpoint import ACTORS
from journeymap.schema import CANONICAL_COLUMNS

__all__ = ["check_actors", "check_tz", "localize_naive", "map_actors", "prepare", "role_column"]

logger = logging.getLogger(__name__)

#: Text that says its own offset: a ``Z``, ``+05:30``, ``-0500`` or an hour alone (``-05``,
#: PostgreSQL's way) after a time of day, a ``+hhmm`` anywhere (Twitter's ``+0000 2017``), or
#: ``UTC`` / ``GMT``. Date dashes do not match: a sign needs a time before it, or four digits.
_OFFSET = (
    r"(?:\d[Zz]\s*$)"
    r"|(?:\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*[+-]\d{2}(?::?\d{2})?\s*$)"
    r"|(?:[+-]\d{2}:?\d{2}\b)"
    r"|(?:\b(?:UTC|GMT)\b)"
)


def check_actors(actors: object) -> dict[str, str]:
    """``actors=`` as a ``{spelling (trimmed, lower case): actor}`` dict, or an error naming the entry.

    Keys are the role values as the export writes them: text, or whole numbers (role codes).

    Examples:
        >>> check_actors({"End-user": "customer", "operator": "agent", 3: "bot"})
        {'end-user': 'customer', 'operator': 'agent', '3': 'bot'}
    """
    if actors is None:
        return {}
    if not isinstance(actors, Mapping):
        msg = f"actors must be a mapping of your role names to actors ({', '.join(ACTORS)}), got {type(actors).__name__}"
        raise ArgumentTypeError(msg)
    keys = {k: k for k in actors if not isinstance(k, (str, int, np.integer)) or isinstance(k, bool)}
    if keys:
        msg = f"actors maps role values (text or whole numbers) to actors; these keys are neither: {list(keys)}"
        raise ArgumentTypeError(msg)
    bad = {k: v for k, v in actors.items() if v not in ACTORS}
    if bad:
        msg = f"actors maps role names to one of {', '.join(ACTORS)}; these entries do not: {bad}"
        raise InvalidArgumentError(msg)
    out: dict[str, str] = {}
    for key, actor in actors.items():
        spelled = str(key).strip().lower()
        if spelled in out and out[spelled] != actor:
            msg = f"actors gives {spelled!r} (any case) two actors: {out[spelled]!r} and {actor!r}"
            raise InvalidArgumentError(msg)
        out[spelled] = actor
    return out


def check_tz(tz: object) -> dt.tzinfo | None:
    """``tz=`` as a tzinfo: an IANA name (``"Europe/London"``), a fixed offset (``"+05:30"``) or a tzinfo.

    None stays None (naive times are UTC). A number is a TypeError (pandas would read it as an
    offset in seconds), an unknown name a ValueError, each naming ``tz``. The analytics' ``tz``
    is checked here too (:func:`journeymap.analytics._time.check_tz`).

    Examples:
        >>> check_tz("Europe/London")
        zoneinfo.ZoneInfo(key='Europe/London')
        >>> check_tz("Mars/Base")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: tz='Mars/Base' is not a timezone pandas knows...
    """
    if tz is None or isinstance(tz, dt.tzinfo):
        return tz
    if not isinstance(tz, str):
        msg = (
            "tz must be a timezone name such as 'UTC' or 'Europe/London' (or a datetime.tzinfo, or None for UTC), "
            f"got {type(tz).__name__} {tz!r}"
        )
        raise ArgumentTypeError(msg)
    try:
        zone = pd.Timestamp(0, tz="UTC").tz_convert(tz).tzinfo
    except (KeyError, ValueError, TypeError, IndexError, OSError):  # ZoneInfoNotFoundError is a KeyError; "" an IndexError
        zone = None
    if zone is None:
        msg = (
            f"tz={tz!r} is not a timezone pandas knows; use an IANA name such as 'UTC' or 'Europe/London', "
            "or a fixed offset such as '+05:30'"
        )
        raise InvalidArgumentError(msg)
    return zone


def map_actors(raw: pd.Series, actors: Mapping[str, str]) -> pd.Series:
    """The actor column with the spellings of ``actors`` (trimmed, any case) replaced by their actor.

    Examples:
        >>> map_actors(pd.Series(["End-User", "admin", None], dtype=object), {"end-user": "customer", "admin": "agent"}).tolist()
        ['customer', 'agent', None]
    """
    if not actors:
        return raw
    key = raw.astype("string").str.strip().str.lower()
    mapped = key.map(actors)
    hit = mapped.notna().to_numpy(dtype=bool)
    out = raw.to_numpy(dtype=object, copy=True)
    out[hit] = mapped.to_numpy(dtype=object)[hit]
    return pd.Series(out, index=raw.index, name=raw.name, dtype=object)


def _naive(raw: pd.Series) -> pd.Series:
    """Which values are times without an offset (epoch numbers are instants, never naive).

    Vectorised over the text values; other values (datetimes, dates) one by one.

    Examples:
        >>> _naive(pd.Series(["2024-07-01 10:00", "2024-07-01 10:00-05", "1719828000", "20240701"])).tolist()
        [True, False, False, True]
    """
    is_text = raw.map(lambda v: isinstance(v, str)).astype(bool)
    out = pd.Series(False, index=raw.index)
    if is_text.any():
        text = raw[is_text].astype("string").str.strip()
        epoch = epoch_text(text)  # instants; an eight-digit date is a day, naive
        offset = text.str.contains(_OFFSET, regex=True)
        out[is_text] = (~epoch & ~offset).fillna(False).astype(bool)
    other = ~is_text & raw.notna()
    if other.any():

        def one(v: object) -> bool:
            if isinstance(v, dt.datetime):
                return v.tzinfo is None
            return isinstance(v, (dt.date, np.datetime64))

        out[other] = raw[other].map(one).astype(bool)
    return out


def localize_naive(raw: pd.Series, tz: dt.tzinfo) -> pd.Series:
    """The timestamp column with its naive values read as wall times in ``tz`` (as UTC instants).

    Values with an offset and epoch numbers are left as they are; so is what does not parse
    (the validator gives it its reason). A wall time that occurs twice (the hour the clocks go
    back) is read as its first occurrence; one that does not occur (the hour they go forward) is
    moved forward by the gap.

    Examples:
        >>> import zoneinfo
        >>> raw = pd.Series(["2024-07-01 10:00", "2024-07-01T10:00+00:00", 1719828000], dtype=object)
        >>> [str(v) for v in localize_naive(raw, zoneinfo.ZoneInfo("Europe/London"))]
        ['2024-07-01 09:00:00+00:00', '2024-07-01T10:00+00:00', '1719828000']
    """
    kind = raw.dtype
    if isinstance(kind, pd.DatetimeTZDtype) or pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_bool_dtype(kind):
        return raw
    naive = pd.Series(True, index=raw.index) if pd.api.types.is_datetime64_dtype(kind) else _naive(raw)
    if not naive.any():
        return raw
    parsed = parse_timestamps(raw[naive])  # naive values parse as UTC: their wall time, to be re-read
    ok = parsed.notna()
    if not ok.any():
        return raw
    wall = parsed[ok].dt.tz_localize(None)
    local = wall.dt.tz_localize(tz, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="shift_forward")
    local = local.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    if bool(ok.all()) and len(local) == int(raw.notna().sum()):
        # every value is a naive time that parses (the usual export): one datetime column, which
        # the validator takes as it is, instead of a column of objects it parses again one by one
        whole: pd.Series = local.reindex(raw.index)
        return whole
    out = raw.astype(object).copy()
    out[local.index] = list(local)
    return out


def prepare(frame: pd.DataFrame, *, actors: Mapping[str, str], tz: dt.tzinfo | None) -> pd.DataFrame:
    """The raw frame (canonical column names) with ``actors`` and ``tz`` applied; the same frame when neither is given."""
    if not actors and tz is None:
        return frame
    frame = frame.copy()
    if actors and "actor" in frame.columns:
        frame["actor"] = map_actors(frame["actor"], actors)
    if tz is not None and "timestamp" in frame.columns:
        frame["timestamp"] = localize_naive(frame["timestamp"], tz)
    return frame


def role_column(frame: pd.DataFrame, actors: Mapping[str, str], *, rows: int = 1000) -> str | None:
    """A column that holds roles when the input has no ``actor`` column (logged as a warning), else None.

    Without ``actor`` every row is read as the customer's, so replies would count as customer
    messages. A column whose values (in the first ``rows`` rows) are at least two different
    actor names, and nothing else, is named in a warning with the mapping that reads it.

    Examples:
        >>> role_column(pd.DataFrame({"who": ["end-user", "agent", "end-user"], "x": [1, 2, 3]}), {})
        'who'
    """
    if "actor" in frame.columns:
        return None
    known = {**ACTOR_ALIASES, **actors}
    for name in frame.columns:
        if name in CANONICAL_COLUMNS:
            continue
        values = frame[name].iloc[:rows].dropna()
        if not len(values) or not all(isinstance(v, str) for v in values.iloc[:50]):
            continue
        # lone surrogates (a JSON escape of half an emoji) cannot become Arrow-backed text
        spelled = pd.Series(without_surrogates(values)[0].astype(str).str.strip().str.lower().unique())
        if len(spelled) > 12:
            continue
        roles = spelled.map(known)
        if roles.notna().all() and roles.nunique() >= 2:
            logger.warning(
                "the input has no actor column, so every row is read as the customer's; column %r holds roles (%s): "
                "read it with columns={%r: 'actor'}",
                name,
                ", ".join(sorted(spelled)),
                name,
            )
            return str(name)
    return None
