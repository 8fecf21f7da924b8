"""Values mapped before validation: role spellings (``actors=``), the company's accounts (``brands=``), ``tz=``.

Exports name their roles in their own words (Zendesk's ``end-user``, a chat tool's
``operator``), social exports name no role at all (only the list of the brand's accounts tells
its replies from the customers'), and many write local times without an offset (Excel, helpdesk
CSVs). All are settled here, on the raw canonical columns, before the validator reads them, so
that the single-machine and the Dask readers share one rule.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from journeymap._threads import nearest_up, parent_positions
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.io._social import addressed_rows, brand_agents, first_mention, nearest_above, signed_parts
from journeymap.io._time import day_numbers, epoch_text, parse_timestamps
from journeymap.io.validation import ACTOR_ALIASES, Problems, as_id, as_text, canonical_actors, replied_to, without_surrogates
from journeymap.model.touchpoint import ACTORS
from journeymap.schema import ADDRESSED, CANONICAL_COLUMNS

__all__ = [
    "account_keys",
    "ambiguous_roles",
    "brand_actors",
    "check_actors",
    "check_brands",
    "check_columns",
    "check_tz",
    "clock_gaps",
    "gap_ends",
    "localize_naive",
    "map_actors",
    "prepare",
    "replies_across_accounts",
    "role_column",
]

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


def check_columns(columns: object) -> None:
    """Refuse a ``columns=`` that is not a mapping (a list of names, one name), naming it and what it got.

    The readers use it as ``{input name: journeymap name}``; a list would fail deep inside as
    ``'list' object has no attribute 'items'``.

    Examples:
        >>> check_columns({"user": "customer_id"}), check_columns(None)
        (None, None)
        >>> check_columns(["user"])
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ArgumentTypeError: columns must be a mapping of input name -> journeymap name ...
    """
    if columns is None or isinstance(columns, Mapping):
        return
    shown = repr(columns)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    msg = (
        "columns must be a mapping of input name -> journeymap name (columns={'user': 'customer_id'}), "
        f"got {type(columns).__name__} {shown}"
    )
    raise ArgumentTypeError(msg)


def check_actors(actors: object) -> dict[str, str]:
    """``actors=`` as a ``{spelling (trimmed, lower case): actor}`` dict, or an error naming the entry.

    Keys are the role values as the export writes them: text, whole numbers (role codes), or
    True and False (a flag column such as TWCS's ``inbound`` or an ``is_brand`` field), read as
    the text ``"true"`` and ``"false"`` (a CSV writes them so).

    Examples:
        >>> check_actors({"End-user": "customer", "operator": "agent", 3: "bot"})
        {'end-user': 'customer', 'operator': 'agent', '3': 'bot'}
        >>> check_actors({True: "customer", False: "agent"})
        {'true': 'customer', 'false': 'agent'}
    """
    if actors is None:
        return {}
    if not isinstance(actors, Mapping):
        msg = f"actors must be a mapping of your role names to actors ({', '.join(ACTORS)}), got {type(actors).__name__}"
        raise ArgumentTypeError(msg)
    keys = {k: k for k in actors if not isinstance(k, (str, int, np.integer, np.bool_))}
    if keys:
        msg = f"actors maps role values (text, whole numbers or True/False) to actors; these keys are none of them: {list(keys)}"
        raise ArgumentTypeError(msg)
    bad = {k: v for k, v in actors.items() if v not in ACTORS}
    if bad:
        msg = f"actors maps role names to one of {', '.join(ACTORS)}; these entries do not: {bad}"
        raise InvalidArgumentError(msg)
    out: dict[str, str] = {}
    for key, actor in actors.items():
        spelled = str(bool(key) if isinstance(key, np.bool_) else key).strip().lower()
        if spelled in out and out[spelled] != actor:
            msg = f"actors gives {spelled!r} (any case) two actors: {out[spelled]!r} and {actor!r}"
            raise InvalidArgumentError(msg)
        out[spelled] = actor
    return out


def zone_name(tz: dt.tzinfo | None) -> str | None:
    """A name :func:`check_tz` reads back as the same zone (an IANA key, ``"UTC"``, ``"+05:30"``); None if it has none.

    Examples:
        >>> zone_name(check_tz("Europe/London")), zone_name(check_tz("+05:30")), zone_name(None)
        ('Europe/London', '+05:30', None)
    """
    if tz is None:
        return None
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)  # zoneinfo, pytz
    if isinstance(key, str):
        return key
    if tz is dt.timezone.utc:
        return "UTC"
    if isinstance(tz, dt.timezone):
        offset = tz.utcoffset(None)
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes < 0 else "+"
        return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return None


def check_tz(tz: object) -> dt.tzinfo | None:
    """``tz=`` as a tzinfo: an IANA name (``"Europe/London"``), a fixed offset (``"+05:30"``) or a tzinfo.

    None stays None (naive times are UTC). A number is a TypeError (pandas would read it as an
    offset in seconds), an unknown name a ValueError, each naming ``tz``. The analytics' ``tz``
    is checked here too (:func:`journeymap.analytics._time.check_tz`).

    Examples:
        >>> str(check_tz("Europe/London"))  # a zoneinfo zone (pandas 2.2: pytz)
        'Europe/London'
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
    """Which values are times without an offset: epoch numbers are instants, never naive; days are.

    Vectorised over the text values; other values (datetimes, dates) one by one. Eight digits that
    make a ``YYYYMMDD`` date, as text or a number, are a day: naive, read at its local midnight.

    Examples:
        >>> _naive(pd.Series(["2024-07-01 10:00", "2024-07-01 10:00-05", "1719828000", "20240701"])).tolist()
        [True, False, False, True]
        >>> _naive(pd.Series([20240701, 1719828000, "2024-07-01 10:00 UTC"], dtype=object)).tolist()
        [True, False, False]
    """
    is_text = raw.map(lambda v: isinstance(v, str)).astype(bool)
    out = pd.Series(False, index=raw.index)
    if is_text.any():
        text = raw[is_text].astype("string").str.strip()
        epoch = epoch_text(text)  # instants; an eight-digit date is a day, naive
        offset = text.str.contains(_OFFSET, regex=True)
        out[is_text] = (~epoch & ~offset).fillna(False).to_numpy(dtype=bool)  # an array: pandas 2.2 made a Series object
    other = ~is_text & raw.notna()
    if other.any():

        def one(v: object) -> bool:
            if isinstance(v, dt.datetime):
                return v.tzinfo is None
            return isinstance(v, (dt.date, np.datetime64))

        out[other] = (raw[other].map(one).astype(bool) | day_numbers(raw[other])).to_numpy(dtype=bool)
    return out


def _folds(values: pd.Series) -> np.ndarray:
    """Which values are naive datetime objects that say ``fold=1``: the second pass of a repeated wall time."""
    if not pd.api.types.is_object_dtype(values.dtype) or pd.api.types.infer_dtype(values, skipna=True) in {"string", "empty"}:
        return np.zeros(len(values), dtype=bool)
    return values.map(lambda v: isinstance(v, dt.datetime) and v.tzinfo is None and v.fold == 1).to_numpy(dtype=bool)


def _zone_name(tz: dt.tzinfo) -> str:
    return str(getattr(tz, "key", None) or getattr(tz, "zone", None) or tz)


_SECOND = 10**9  # nanoseconds
_DAY = 86_400 * _SECOND


def _offsets(instants: np.ndarray, tz: dt.tzinfo | str) -> np.ndarray:
    """The UTC offset of ``tz`` at each instant (int64 nanoseconds since the epoch), in nanoseconds."""
    local = pd.DatetimeIndex(instants.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(tz).tz_localize(None)
    return np.asarray(local.as_unit("ns").asi8 - instants, dtype=np.int64)


def _wall_ns(walls: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    return np.asarray(pd.DatetimeIndex(walls).as_unit("ns").asi8, dtype=np.int64)


def clock_gaps(walls: pd.DatetimeIndex | pd.Series, tz: dt.tzinfo | str) -> tuple[np.ndarray, np.ndarray]:
    """The UTC offsets (nanoseconds) before and after the gap each wall time falls in: times the clocks skip in ``tz``.

    The offset before is the one in force a day earlier (clocks never change twice in a day);
    the wall time read with it is the instant it names, moved forward by the gap (after - before).
    pandas' ``nonexistent="shift_forward"`` is not used: it assumes whole-hour gaps (Lord Howe's
    are 30 minutes) and gaps shorter than a day (Samoa skipped 30 December 2011).

    Examples:
        >>> import zoneinfo
        >>> before, after = clock_gaps(pd.DatetimeIndex(["2024-10-06 02:10"]), zoneinfo.ZoneInfo("Australia/Lord_Howe"))
        >>> (before / 3.6e12).tolist(), (after / 3.6e12).tolist()
        ([10.5], [11.0])
    """
    wall = _wall_ns(walls)
    before = _offsets(wall - _DAY, tz)
    return before, _offsets(wall - before, tz)


def gap_ends(walls: pd.DatetimeIndex, tz: dt.tzinfo | str) -> pd.DatetimeIndex:
    """For wall times the clocks skip in ``tz``: the first instant that exists after each (the end of its gap), in UTC.

    Examples:
        >>> import zoneinfo
        >>> gap_ends(pd.DatetimeIndex(["2024-10-06 02:00"]), zoneinfo.ZoneInfo("Australia/Lord_Howe")).tz_convert(
        ...     "Australia/Lord_Howe").strftime("%H:%M%z").tolist()
        ['02:30+1100']
    """
    before, after = clock_gaps(walls, tz)
    wall = _wall_ns(walls)
    # the change is after wall - after (still the old offset) and at or before wall - before: halve to the second
    lo = (wall - after) // _SECOND * _SECOND
    hi = -((before - wall) // _SECOND) * _SECOND
    while len(lo) and ((hi - lo) > _SECOND).any():
        mid = lo + (hi - lo) // 2 // _SECOND * _SECOND
        old = _offsets(mid, tz) == before
        lo, hi = np.where(old, mid, lo), np.where(old, hi, mid)
    return pd.DatetimeIndex(hi.astype("datetime64[ns]")).tz_localize("UTC")


def _clock_changes(wall: pd.Series, tz: dt.tzinfo, fold: np.ndarray) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Wall times in ``tz`` as UTC instants, with which were ambiguous or nonexistent, and by how much.

    Returns the instants, the ambiguous mask, the nonexistent mask and, for the nonexistent ones,
    the length of the gap they fall in. A repeated wall time is its first pass unless ``fold``
    says the second; a skipped one is read with the UTC offset in force before the gap, which
    moves it forward by the length of the gap (01:30 in a 01:00-02:00 gap is 02:30).
    """
    first = wall.dt.tz_localize(tz, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="NaT")
    second = wall.dt.tz_localize(tz, ambiguous=np.zeros(len(wall), dtype=bool), nonexistent="NaT")
    nonexistent = first.isna()
    ambiguous = (first != second) & ~nonexistent
    local = first.where(~pd.Series(fold, index=wall.index) | ~ambiguous, second)
    gap = pd.Series(pd.NaT, index=wall.index, dtype="timedelta64[ns]")
    utc = local.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    if nonexistent.any():
        skipped = wall[nonexistent]
        before, after = clock_gaps(skipped, tz)
        read = (_wall_ns(skipped) - before).astype("datetime64[ns]")
        utc[nonexistent] = pd.DatetimeIndex(read).tz_localize("UTC")
        gap[nonexistent] = (after - before).astype("timedelta64[ns]")
    return utc, ambiguous, nonexistent, gap


def _clock_reasons(tz: dt.tzinfo, ambiguous: pd.Series, nonexistent: pd.Series, fold: np.ndarray, gap: pd.Series) -> pd.Series:
    """The note of each value read by a clock-change rule (missing for the others): the rule it was read by."""
    zone = _zone_name(tz)
    out = pd.Series(None, index=ambiguous.index, dtype=object)
    twice = f"ambiguous local time (it occurs twice in {zone}, when the clocks go back): "
    second = ambiguous & fold
    out[ambiguous & ~second] = twice + "read as the first occurrence (daylight time)"
    out[second] = twice + "read as the second occurrence (standard time), as its fold=1 says"
    if nonexistent.any():
        length = gap[nonexistent].map(lambda g: str(g.to_pytimedelta()))
        out[nonexistent] = (
            f"nonexistent local time (the clocks went forward in {zone}, skipping it): "
            "read as moved forward by the length of the gap (" + length + ")"
        )
    return out


def localize_naive(raw: pd.Series, tz: dt.tzinfo, notes: Problems | None = None) -> pd.Series:
    """The timestamp column with its naive values read as wall times in ``tz`` (as UTC instants).

    Naive values are text without an offset, naive datetimes, and ``YYYYMMDD`` dates (text or
    numbers, read at that day's local midnight). Values with an offset (``Z``, ``+05:30``,
    ``UTC``) and epoch numbers are instants, left as they are; so is what does not parse (the
    validator gives it its reason).

    Where the clocks change, a wall time may be ambiguous or nonexistent:

    * one the clocks pass twice (the hour they go back) is read as its first occurrence
      (daylight time), unless it is a naive ``datetime`` whose ``fold`` is 1: then the second;
    * one they skip (the hour they go forward) is moved forward by the length of the gap: in
      Europe/London, 01:30 on 31 March 2024 is read as 02:30 BST (01:30 UTC).

    Each such value's row is noted in ``notes`` (``EventLog.warnings``), naming the rule.

    Examples:
        >>> import zoneinfo
        >>> raw = pd.Series(["2024-07-01 10:00", "2024-07-01T10:00+00:00", 1719828000], dtype=object)
        >>> [str(v) for v in localize_naive(raw, zoneinfo.ZoneInfo("Europe/London"))]
        ['2024-07-01 09:00:00+00:00', '2024-07-01T10:00+00:00', '1719828000']
        >>> notes = Problems()
        >>> london = zoneinfo.ZoneInfo("Europe/London")
        >>> localize_naive(pd.Series(["2024-03-31 01:30", "2024-10-27 01:30"]), london, notes).astype(str).tolist()
        ['2024-03-31 01:30:00+00:00', '2024-10-27 00:30:00+00:00']
        >>> [reason.split(" (")[0] for reason in notes.frame()["reason"]]
        ['nonexistent local time', 'ambiguous local time']
    """
    kind = raw.dtype
    if isinstance(kind, pd.DatetimeTZDtype) or pd.api.types.is_bool_dtype(kind):
        return raw
    if pd.api.types.is_datetime64_dtype(kind):
        naive = pd.Series(True, index=raw.index)
    elif pd.api.types.is_numeric_dtype(kind):
        naive = day_numbers(raw)  # YYYYMMDD days; other numbers are epoch instants
    else:
        naive = _naive(raw)
    if not naive.any():
        return raw
    parsed = parse_timestamps(raw[naive])  # naive values parse as UTC: their wall time, to be re-read
    ok = parsed.notna()
    if not ok.any():
        return raw
    wall = parsed[ok].dt.tz_localize(None)
    fold = _folds(raw[naive][ok])
    local, ambiguous, nonexistent, gap = _clock_changes(wall, tz, fold)
    if notes is not None and (ambiguous.any() or nonexistent.any()):
        reasons = _clock_reasons(tz, ambiguous, nonexistent, fold, gap).reindex(raw.index)
        notes.add(reasons.notna(), "timestamp", reasons, raw)
    if bool(ok.all()) and len(local) == int(raw.notna().sum()):
        # every value is a naive time that parses (the usual export): one datetime column, which
        # the validator takes as it is, instead of a column of objects it parses again one by one
        whole: pd.Series = local.reindex(raw.index)
        return whole
    out = raw.astype(object).copy()
    out[local.index] = list(local)
    return out


def prepare(
    frame: pd.DataFrame,
    *,
    actors: Mapping[str, str],
    tz: dt.tzinfo | None,
    warnings: Problems | None = None,
    brands: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The raw frame (canonical column names) with ``actors``, ``brands`` and ``tz`` applied; the same frame when none is given.

    ``warnings`` collects, by row position, the timestamps read by a rule because the clocks
    changed there (ambiguous or nonexistent wall times: :func:`localize_naive`). ``brands`` are
    the keys of :func:`check_brands` (:func:`brand_actors`).
    """
    if not actors and tz is None and not brands:
        return frame
    frame = frame.copy()
    if actors and "actor" in frame.columns:
        frame["actor"] = map_actors(frame["actor"], actors)
    frame = brand_actors(frame, brands)
    if tz is not None and "timestamp" in frame.columns:
        raw = frame["timestamp"]
        local = localize_naive(raw.set_axis(pd.RangeIndex(len(raw)), axis=0), tz, warnings)
        frame["timestamp"] = local.set_axis(raw.index, axis=0)
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


#: Role names the built-in aliases read as the customer that some exports use for the company's people:
#: Intercom and Zendesk write ``user`` for the customer, Drift and Help Scout for a team member (Drift's
#: visitor is a ``contact``). Each maps to the actor it then is.
AMBIGUOUS_ROLES: dict[str, str] = {"user": "agent"}
#: Customer roles that do not tell ``user`` apart: Intercom's ``lead`` is a customer as its ``user`` is.
_CUSTOMER_BESIDE_USER = frozenset({"lead", "leads"})


def ambiguous_roles(frame: pd.DataFrame, actors: Mapping[str, str], *, column: str = "actor") -> str | None:
    """Warn where the actor column holds an ambiguous role (``user``) read as the customer beside another customer role.

    ``user`` is read as the customer by :data:`~journeymap.io.validation.ACTOR_ALIASES` (Intercom,
    Zendesk's end-users). A column that also holds another value read as the customer
    (``contact``, ``visitor``, ``end-user``, ...) names two kinds of people: in Drift and Help
    Scout exports ``user`` is the company's team member. (Intercom's ``lead`` beside ``user`` is
    no such sign: Intercom calls both kinds of customer so.) The WARNING names both values and the
    mapping that reads ``user`` as the company's (``actors={'user': 'agent'}``); an ``actors=``
    entry for the ambiguous value silences it. ``column`` names the actor column in the message
    (the input's name). Returns the message, or None where there is nothing to say.

    Examples:
        >>> frame = pd.DataFrame({"actor": ["contact", "user", "user", "contact"]})
        >>> "actors={'user': 'agent'}" in ambiguous_roles(frame, {})
        True
        >>> ambiguous_roles(frame, {"user": "agent"}) is None, ambiguous_roles(frame.iloc[1:3], {}) is None
        (True, True)
        >>> ambiguous_roles(pd.DataFrame({"actor": ["user", "admin", "lead"]}), {}) is None  # Intercom
        True
    """
    if "actor" not in frame.columns or not len(frame):
        return None
    raw = frame["actor"]
    if not isinstance(raw, pd.Series):  # two actor columns: the validator refuses them
        return None
    if not (pd.api.types.is_object_dtype(raw.dtype) or isinstance(raw.dtype, pd.StringDtype)):
        return None
    names = pd.Series(pd.unique(raw.dropna().to_numpy(dtype=object)), dtype=object)
    names = names[names.map(lambda v: isinstance(v, str))]
    if not len(names) or len(names) > _MAX_ROLE_NAMES:  # text mapped to actor by mistake: no role column
        return None
    keys = without_surrogates(names)[0].astype(str).str.strip().str.lower()
    read = keys.map({**ACTOR_ALIASES, **actors})
    customer = read == "customer"
    ambiguous = customer & keys.isin(list(AMBIGUOUS_ROLES)) & ~keys.isin(list(actors))
    others = customer & ~keys.isin([*AMBIGUOUS_ROLES, *_CUSTOMER_BESIDE_USER])
    if not ambiguous.any() or not others.any():
        return None
    value, key = str(names[ambiguous].iloc[0]), str(keys[ambiguous].iloc[0])
    actor = AMBIGUOUS_ROLES[key]
    other = ", ".join(repr(str(v)) for v in names[others].iloc[:3])
    message = (
        f"column {column!r} holds both {value!r} and {other}, each read as the customer ({value!r} by the built-in "
        f"alias, as Intercom and Zendesk write it); where {value!r} is the company's team member (Drift, Help Scout), "
        f"map it: actors={{{key!r}: {actor!r}}} (command line: --actors {key}={actor}), or actors={{{key!r}: 'customer'}} "
        "to keep this reading without the warning"
    )
    logger.warning("%s", message)
    return message


#: More distinct values than this in an actor column: no role names (text mapped to ``actor``).
_MAX_ROLE_NAMES = 50


def distinct_roles(part: pd.DataFrame) -> pd.DataFrame:
    """The distinct values of a block's ``actor`` column, as many as :func:`ambiguous_roles` reads (and one more).

    The distributed reader gathers them from every block, so that its warning is the one the
    whole column gives on one machine.
    """
    values = part[["actor"]].dropna()
    keys = values["actor"].map(lambda v: v if isinstance(v, str) else repr(v))
    return values.loc[~keys.duplicated().to_numpy(dtype=bool)].iloc[: _MAX_ROLE_NAMES + 1]


def account_keys(ids: pd.Series) -> pd.Series:
    """Account ids or handles as ``brands=`` compares them: the reader's id, without a leading ``@``, in any case.

    The id is the one the reader keeps (:func:`~journeymap.io.as_id`: text trimmed, whole
    numbers as their digits); one leading ``@`` is dropped and the case folded, so that a handle
    matches however the export spells it. Normalises the few distinct ids, not every row.

    Examples:
        >>> account_keys(pd.Series([" @AppleSupport", "applesupport", 40000003, None], dtype=object)).tolist()
        ['applesupport', 'applesupport', '40000003', <NA>]
    """
    codes, names = pd.factorize(as_id(ids)[0])
    keys = pd.Series(names, dtype="string").str.removeprefix("@").str.strip().str.casefold()
    return pd.Series(keys.array.take(codes, allow_fill=True), index=ids.index, dtype="string")


def check_brands(brands: object) -> dict[str, str]:
    """``brands=`` as its accounts' keys (:func:`account_keys`), each with the spelling given, or an error naming the entry.

    Entries are account ids or handles as they appear in the column read as ``customer_id``:
    text or whole numbers. None (or nothing) names no brand. The spelling (trimmed, without a
    leading ``@``; the first where two entries are one account) is how the ``brand`` column
    names the account, whichever way a row spells it.

    Examples:
        >>> check_brands(["@AppleSupport", "Tesco ", 40000003, "tesco"])
        {'applesupport': 'AppleSupport', 'tesco': 'Tesco', '40000003': '40000003'}
        >>> check_brands("AppleSupport")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ArgumentTypeError: brands must be a list of the company's account ids or handles...
    """
    if brands is None:
        return {}
    if isinstance(brands, (str, bytes)) or not isinstance(brands, Iterable):
        msg = (
            "brands must be a list of the company's account ids or handles (brands=['AppleSupport', 'Tesco']), "
            f"got {type(brands).__name__} {brands!r}"
        )
        raise ArgumentTypeError(msg)
    entries = list(brands)
    wrong = [b for b in entries if isinstance(b, (bool, np.bool_)) or not isinstance(b, (str, int, np.integer))]
    if wrong:
        msg = f"brands holds account ids or handles (text or whole numbers); these entries are neither: {wrong[:5]}"
        raise ArgumentTypeError(msg)
    keys = account_keys(pd.Series(entries, dtype=object))
    blank = [b for b, key in zip(entries, keys, strict=True) if pd.isna(key) or not key]
    if blank:
        msg = f"brands holds blank entries: {blank[:5]}; give each account's id or handle"
        raise InvalidArgumentError(msg)
    spelt = as_id(pd.Series(entries, dtype=object))[0].str.removeprefix("@").str.strip()
    out: dict[str, str] = {}
    for key, spelling in zip(keys, spelt, strict=True):
        out.setdefault(str(key), str(spelling))
    return out


def brand_actors(frame: pd.DataFrame, brands: Mapping[str, str] | None) -> pd.DataFrame:
    """The frame with the actor of the rows of the company's accounts (``brands``) set to ``agent``.

    Without an ``actor`` column one is made: ``agent`` for the rows whose ``customer_id`` is one
    of ``brands`` (compared by :func:`account_keys`), ``customer`` for the others. With one, the
    column's own values win: only the brand rows whose actor is missing or blank become ``agent``.
    The accounts themselves are kept, since building journeys files a brand's reply under the
    customer it answers; the service analytics read them (``service_levels(by="brand")``, the
    agent table). Each is written only where the input has no such column:

    * ``author_id``: every row's account;
    * ``brand``: on the brand's rows their account; on a customer's row the first of ``brands``
      its text names as an ``@handle`` (:func:`~journeymap.io._social.first_mention`; numeric
      ids are no handles), as :func:`~journeymap.read_twcs` reads a tweet's ``@brand``; each
      brand spelt one way, as most of its rows spell it, else as ``brands`` does
      (:func:`_brand_spellings`);
    * ``agent_id`` (with a ``text`` column): the agent who signed a brand row (``^JB``,
      ``- Paige``, ``Thanks, Sam`` where the customer it answers is not Sam), as
      ``"<account>/<signature>"``, read as :func:`~journeymap.read_twcs` reads it
      (:func:`~journeymap.io._social.agent_ids`); the unsigned parts of a reply split over
      posts ("1/2 ... 2/2 ^JB", linked by ``in_reply_to``) take the signature of the signed part.

    Examples:
        >>> frame = pd.DataFrame({"customer_id": ["u1", "@Tesco", "u2"], "text": ["@tesco late", "Sorry! ^JB", "hi"]})
        >>> out = brand_actors(frame, {"tesco": "Tesco"})
        >>> out["actor"].tolist(), out["brand"].tolist(), out["author_id"].tolist()
        (['customer', 'agent', 'customer'], ['@Tesco', '@Tesco', nan], ['u1', '@Tesco', 'u2'])
        >>> out["agent_id"].tolist()
        [<NA>, '@Tesco/JB', <NA>]
        >>> frame = pd.DataFrame({"customer_id": ["u1", "Tesco", "Tesco"], "actor": ["end-user", None, "bot"]})
        >>> brand_actors(frame, {"tesco": "Tesco"})["actor"].tolist()
        ['end-user', 'agent', 'bot']
    """
    if not brands or "customer_id" not in frame.columns:
        return frame
    # ids as the reader keeps them (a float column's 115.0 is "115"), read once; each brand spelt one way
    account = as_id(frame["customer_id"])[0]
    keys = account_keys(account)
    brand = keys.isin(list(brands)).fillna(False).to_numpy(dtype=bool)
    spelling = _brand_spellings(keys[brand], account[brand], brands)
    account = account.mask(brand, keys.map(spelling))
    kept: dict[str, pd.Series] = {}
    if "author_id" not in frame.columns:
        kept["author_id"] = account
    text = as_text(frame["text"])[0] if "text" in frame.columns else None
    needs_brand = "brand" not in frame.columns
    needs_agent = "agent_id" not in frame.columns and text is not None
    needs_addressed = ADDRESSED not in frame.columns and text is not None and "in_reply_to" in frame.columns
    # reply links, read once: a customer's reply is addressed to the brand it answers; split replies
    # share a signature; a remark in a thread may be addressed to no brand
    if needs_brand or needs_agent or needs_addressed:
        parents, dangling = _parent_rows(frame)
    else:
        parents, dangling = np.full(len(frame), -1, dtype=np.int64), np.zeros(len(frame), dtype=bool)
    customer = ~brand  # the customers' rows: a role column's agents and bots of other accounts are none
    if "actor" in frame.columns:
        customer &= (canonical_actors(frame["actor"]) == "customer").fillna(False).to_numpy(dtype=bool)
    if needs_brand:
        kept["brand"] = _addressed_brands(keys, brand, spelling, text, frame, customer=customer, parents=parents)
    if needs_agent and text is not None:
        # the customer's post each one answers, and every post above it: a comma sign-off with a name the
        # thread used before thanks that person ("Hi Sam, ..." then "Thanks, Sam")
        answered = np.where(parents >= 0, nearest_above(parents, customer)[np.maximum(parents, 0)], -1)
        kept["agent_id"] = signed_parts(brand_agents(text, account, brand, answered, parents), text, account, brand, parents)
    if needs_addressed and text is not None:
        addressed = _addressed(text, account, brand, customer=customer, parents=parents, dangling=dangling)
        kept[ADDRESSED] = pd.Series(addressed, index=frame.index)
    frame = frame.assign(**kept)
    if "actor" not in frame.columns:
        return frame.assign(actor=np.where(brand, "agent", "customer"))
    raw = frame["actor"]
    blank = raw.isna().to_numpy(dtype=bool) | raw.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    fill = brand & blank
    if not fill.any():
        return frame
    actor = raw.to_numpy(dtype=object, copy=True)
    actor[fill] = "agent"
    return frame.assign(actor=pd.Series(actor, index=frame.index, dtype=object))


def _addressed(
    text: pd.Series, account: pd.Series, brand: np.ndarray, *, customer: np.ndarray, parents: np.ndarray, dangling: np.ndarray
) -> np.ndarray:
    """:func:`brand_actors`' ``addressed``: False for a customer post in a thread that is addressed to no brand.

    As :func:`~journeymap.read_twcs` reads a tweet (:func:`~journeymap.io._social.addressed_rows`:
    it and the posts above it name no account, answer no brand's post and got no brand's reply),
    but only for posts in a reply tree with other posts of the data (a bystander's remark in a
    thread the brand answered for someone else); a post alone is addressed, since a listening
    tool's export holds posts about the brand that name no account.

    ``customer``: the customers' rows; ``parents`` and ``dangling`` (a link to a post outside the
    data: it may answer a brand): :func:`_parent_rows`.

    Examples:
        >>> text = pd.Series(["parcel late again", "@UPSHelp why?", "sorry! ^ML", "my order is late"])
        >>> brand = np.array([False, False, True, False])
        >>> _addressed(text, pd.Series(["u1", "u1", "UPSHelp", "u2"]), brand, customer=~brand,
        ...     parents=np.array([-1, 0, 1, -1]), dangling=np.zeros(4, dtype=bool)).tolist()
        [False, True, True, True]
    """
    parents = np.asarray(parents, dtype=np.int64)
    in_tree = parents >= 0
    in_tree[parents[parents >= 0]] = True
    addressed = addressed_rows(
        text.reset_index(drop=True), parents, customer=customer, brand=brand, dangling=dangling, customers=account[customer]
    )
    return np.asarray(addressed | ~in_tree, dtype=bool)


def _parent_rows(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The position of the row each row's ``in_reply_to`` names (its first, where ids repeat), -1 where none; and dangling links.

    The second array marks the rows whose ``in_reply_to`` names an id that is not in the data.

    Rows whose ids cannot be read (the validator rejects them) name no parent and are no parent.

    Examples:
        >>> [a.tolist() for a in _parent_rows(pd.DataFrame({"event_id": [1, "2", "3"], "in_reply_to": [None, 1, "9"]}))]
        [[-1, 0, -1], [False, False, True]]
        >>> [a.tolist() for a in _parent_rows(pd.DataFrame({"event_id": [None, None], "in_reply_to": [None, "x1"]}))]
        [[-1, -1], [False, True]]
    """
    none = np.full(len(frame), -1, dtype=np.int64)
    if "in_reply_to" not in frame.columns:
        return none, np.zeros(len(frame), dtype=bool)
    if "event_id" not in frame.columns:  # no id in the data to link to: every link leaves it
        return none, as_id(replied_to(frame["in_reply_to"]))[0].notna().to_numpy(dtype=bool)
    ids = as_id(frame["event_id"])[0].reset_index(drop=True)
    first = (ids.notna() & ~ids.duplicated()).to_numpy(dtype=bool)
    parents = as_id(replied_to(frame["in_reply_to"]))[0].reset_index(drop=True)  # the X API's referenced_tweets too
    linked = parents.notna().to_numpy(dtype=bool)
    if not first.any() or not linked.any():  # no id or no link reads (17-digit ids in a float column): nothing to find
        return none, linked
    position = parent_positions(ids[first].reset_index(drop=True), parents)  # among the first copies
    rows = np.full(len(frame), -1, dtype=np.int64)
    found = position >= 0
    rows[found] = np.flatnonzero(first)[position[found]]
    return rows, linked & (rows < 0)


def _brand_spellings(keys: pd.Series, spelt: pd.Series, brands: Mapping[str, str]) -> dict[str, str]:
    """Per brand key, how the ``brand`` column spells the account; the same in any row order.

    As most of the account's rows do (at a tie, the first in sorted order), else as ``brands=`` does.

    Examples:
        >>> keys = pd.Series(["tesco", "tesco", "tesco"])
        >>> _brand_spellings(keys, pd.Series(["@tesco", "Tesco", "Tesco"]), {"tesco": "tesco", "ba": "BA"})
        {'tesco': 'Tesco', 'ba': 'BA'}
    """
    out = dict(brands)
    if len(keys):
        counts = pd.DataFrame({"key": keys.to_numpy(dtype=object), "spelt": spelt.to_numpy(dtype=object)}).value_counts()
        best = counts.reset_index().sort_values(["key", "count", "spelt"], ascending=[True, False, True], kind="stable")
        first = best.drop_duplicates("key")
        out.update(zip(first["key"].astype(str), first["spelt"].astype(str)))
    return out


def _addressed_brands(
    keys: pd.Series,
    brand: np.ndarray,
    brands: Mapping[str, str],
    text: pd.Series | None,
    frame: pd.DataFrame,
    *,
    customer: np.ndarray,
    parents: np.ndarray | None = None,
) -> pd.Series:
    """:func:`brand_actors`' ``brand``: a brand row's account; a customer row's brand, as :func:`~journeymap.read_twcs` reads it.

    In that order: the brand whose post it answers (``in_reply_to``, up the reply tree:
    ``parents``, :func:`_parent_rows`); else the earliest brand post of its reply tree (the
    brand that answered the thread: a tweet to @Tesco and @BA that only BA answered is BA's);
    else the first of ``brands`` its text names as an ``@handle``; NA where none says.
    ``keys``: each row's :func:`account_keys`; ``brands``: each brand key's spelling, whichever
    way a row spells it ("@tesco", "Tesco"); ``customer``: the customers' rows.

    Examples:
        >>> keys = pd.Series(["u1", "ba", "u1", "u2", "u3"])
        >>> text = pd.Series(["@Tesco @BA late", "which order? ^JB", "order 12", "@Tesco hello", "hi"])
        >>> frame = pd.DataFrame({"timestamp": ["2024-01-01 10:00", "2024-01-01 10:05", "2024-01-01 10:09",
        ...     "2024-01-01 11:00", "2024-01-01 12:00"]})
        >>> brand = np.array([False, True, False, False, False])
        >>> _addressed_brands(keys, brand, {"tesco": "Tesco", "ba": "BA"}, text, frame, customer=~brand,
        ...     parents=np.array([-1, 0, 1, -1, -1])).tolist()
        ['BA', 'BA', 'BA', 'Tesco', nan]
    """
    out = keys.map(dict(brands)).astype(object).where(brand)
    values = out.to_numpy(dtype=object, copy=True)
    if parents is not None and brand.any():
        parent = np.asarray(parents, dtype=np.int64)
        # the brand whose post it answers, up the reply tree
        above = nearest_above(parent, brand)
        take = customer & (above >= 0)
        values[take] = values[above[take]]
        # else the earliest brand post of its reply tree (by time where the stamps read, else row order)
        root = nearest_up(parent, parent < 0)
        rows = np.flatnonzero(brand)
        stamps = (
            parse_timestamps(frame["timestamp"].iloc[rows]).to_numpy(dtype="datetime64[ns]").astype(np.int64)
            if "timestamp" in frame.columns
            else np.zeros(len(rows), dtype=np.int64)
        )
        stamps = np.where(stamps == np.iinfo(np.int64).min, np.iinfo(np.int64).max, stamps)  # NaT last
        order = rows[np.lexsort((rows, stamps, root[rows]))]
        first_of_root = pd.Series(order, index=root[order])
        first_of_root = first_of_root[~first_of_root.index.duplicated()]
        earliest = first_of_root.reindex(root).fillna(-1).to_numpy(dtype=np.int64)
        take = customer & pd.isna(values) & (earliest >= 0)
        values[take] = values[earliest[take]]
    handles = [key for key in brands if not key.isdigit()]  # a numeric id is no @handle
    unnamed = customer & pd.isna(values)
    if text is not None and handles and unnamed.any():
        named = first_mention(text[unnamed], handles)
        found = named.notna().to_numpy(dtype=bool)
        if found.any():
            values[np.flatnonzero(unnamed)[found]] = named[found].str.casefold().map(dict(brands)).to_numpy(dtype=object)
    return pd.Series(values, index=out.index, dtype=object)


#: The accounts named in the warning of :func:`replies_across_accounts`.
_TOP_ANSWERERS = 3


def replies_across_accounts(events: pd.DataFrame) -> None:
    """Warn where events read without an actor column answer other accounts: the company's replies read as customers'.

    Every event is then the customer's, so the replies would count as customer messages: each
    answering account gets journeys of its own, its replies are scored as customer sentiment, and
    every customer looks unanswered. A reply (``in_reply_to``) to a message of another
    ``customer_id`` is how such data shows it; the warning names how many there are, the
    accounts that answer the most other accounts, and the fix (``brands=``). Data without such
    replies (a survey, a customer's own follow-ups) is not warned about.

    Examples:
        >>> events = pd.DataFrame({"event_id": ["1", "2", "3"], "customer_id": ["ann", "Shop", "ann"],
        ...                        "in_reply_to": [None, "1", "2"]})
        >>> replies_across_accounts(events)  # logs: ... 2 replies (in_reply_to) answer a message of another account ...
    """
    if not {"event_id", "customer_id", "in_reply_to"} <= set(events.columns) or not len(events):
        return
    position = parent_positions(events["event_id"].astype("string"), events["in_reply_to"].astype("string"))
    found = position >= 0
    if not found.any():
        return
    owners = events["customer_id"].astype("string").to_numpy(dtype=object)
    answerer, answered = owners[found], owners[position[found]]
    across = answerer != answered
    if not across.any():
        return
    pairs = pd.DataFrame({"answerer": answerer[across], "answered": answered[across]}).drop_duplicates()
    counts = pairs.groupby("answerer").size().reset_index(name="n").sort_values(["n", "answerer"], ascending=[False, True])
    top = counts.head(_TOP_ANSWERERS)
    named = ", ".join(f"{a!r} ({n:,} account{'' if n == 1 else 's'})" for a, n in zip(top["answerer"], top["n"], strict=True))
    # a customer answers the brand (one account); a company's account answers many: only those are suggested
    n_across = int(across.sum())
    listed = [str(a) for a, n in zip(top["answerer"], top["n"], strict=True) if n > 1] or ["ACCOUNT"]
    logger.warning(
        "the input has no actor column, so all %s events were read as customer messages; but %s (in_reply_to) "
        "a message of another account, as a company's replies do. The accounts that answer the most others: %s. "
        "Name the company's accounts so that their rows are read as its replies, e.g. brands=%r (command line: "
        "--brands %s), or map a role column with columns={...: 'actor'} (and actors= for its role names)",
        f"{len(events):,}",
        f"{n_across:,} reply answers" if n_across == 1 else f"{n_across:,} replies answer",
        named,
        listed,
        ",".join(listed),
    )
