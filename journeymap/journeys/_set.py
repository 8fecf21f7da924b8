"""The :class:`JourneySet`: events grouped into journeys, with a journey index."""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import math
import zlib
from collections import OrderedDict
from collections.abc import Collection, Hashable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError, SchemaError, UnknownJourneyError
from journeymap.io._time import stamp_zone
from journeymap.io._values import zone_name
from journeymap.model import Customer, EmotionScore, Interaction, Journey, Touchpoint
from journeymap.schema import (
    ACTORS,
    CANONICAL_COLUMNS,
    EMOTION_COLUMNS,
    JOURNEY_COLUMNS,
    SCORE_PREFIX,
    VALENCE_TOLERANCE,
    label_of,
    score_column,
)

T = TypeVar("T")

#: How many results for options other than the defaults (``JourneySet.cached(..., variant=True)``:
#: another auto-reply rule, ``freq`` or ``tz``) a JourneySet keeps, the most recently used.
VARIANTS_KEPT = 8

if TYPE_CHECKING:
    import datetime as dt
    import os
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from journeymap.model import StageModel

__all__ = ["EventColumns", "JourneySet"]


def _scalar(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):  # NaN and inf: JSON has neither
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _valence(value: float, event_id: object) -> float:
    """A row's valence for :class:`EmotionScore`: a float32 rounding past +-1 clipped; beyond it, a SchemaError."""
    if abs(value) > 1.0 + VALENCE_TOLERANCE:
        msg = f"the 'valence' column must lie in [-1, 1]; event_id {event_id!r} has {value!r}"
        raise SchemaError(msg)
    return min(1.0, max(-1.0, value))


class EventColumns:
    """What a journey set (in memory or on a cluster) tells from its event columns."""

    events: Any
    _taxonomy: Taxonomy | None

    @property
    def is_scored(self) -> bool:
        """Whether the events carry emotion columns."""
        return "valence" in self.events.columns

    @property
    def emotion_labels(self) -> list[str]:
        """Labels of the ``emo_<label>`` columns, in column order."""
        return [label_of(c) for c in self.events.columns if str(c).startswith(SCORE_PREFIX)]

    @property
    def taxonomy(self) -> Taxonomy | None:
        """The taxonomy of the scores: the scorer's, or a built-in one with the same labels; None unscored.

        Analytics read label valences and intensities from it, so nothing downstream assumes
        the GoEmotions labels.
        """
        if self._taxonomy is not None or not self.is_scored:
            return self._taxonomy
        return Taxonomy.matching(self.emotion_labels)


def _same_zone(a: dt.tzinfo | None, b: dt.tzinfo | None) -> bool:
    """Whether two journeys' zones read the same hours: by name where both have one.

    ``ZoneInfo("UTC")`` is ``timezone.utc``, a pytz zone its zoneinfo namesake; None is UTC, the
    zone naive times are read in.
    """
    names = ["UTC" if z is None else zone_name(z) for z in (a, b)]
    if names[0] is not None and names[1] is not None:
        return names[0] == names[1] or {names[0], names[1]} <= _UTC_NAMES
    return a == b


#: Names of UTC itself.
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu", "+00:00"})


def check_actors_known(actor: pd.Series, where: str) -> None:
    """Raise :class:`SchemaError` where ``actor`` holds a value that is no actor name (``"Agent"``), naming it.

    ``where`` opens the message (``"with_events"``, a file's name). Missing values pass.

    Examples:
        >>> check_actors_known(pd.Series(["customer", None, "agent"]), "with_events")
        >>> check_actors_known(pd.Series(["customer", "Agent"]), "with_events")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.SchemaError: with_events: column 'actor' holds ['Agent'], which the analytics do not read; ...
    """
    unknown = sorted({str(a) for a in actor[actor.notna()].unique()} - set(ACTORS))
    if unknown:
        msg = (
            f"{where}: column 'actor' holds {unknown[:5]}, which the analytics do not read; "
            f"use one of {list(ACTORS)} (lower case, as read_events writes them)"
        )
        raise SchemaError(msg)


def _same_values(a: pd.Series, b: pd.Series) -> bool:
    """Whether two columns hold the same values in the same rows, whatever their dtypes (int32 or int64, category)."""
    if a.equals(b):
        return True
    left, right = a.to_numpy(dtype=object), b.to_numpy(dtype=object)
    missing = pd.isna(left)
    return bool(np.array_equal(missing, pd.isna(right)) and (left[~missing] == right[~missing]).all())


def _same_instants(a: pd.Series, b: pd.Series) -> bool:
    """Whether two time-zone-aware columns hold the same instants in the same rows (NaT where the other has NaT)."""
    left = a.dt.tz_convert("UTC").to_numpy(dtype="datetime64[ns]")
    right = b.dt.tz_convert("UTC").to_numpy(dtype="datetime64[ns]")
    return bool(np.array_equal(left, right, equal_nan=True))


def _state(frame: pd.DataFrame) -> tuple[Any, ...]:
    """What identifies a frame's rows, columns and value arrays; it changes when the frame is changed in place.

    Under pandas' copy-on-write (the default from pandas 3), writing into a frame whose arrays
    another frame still references (the JourneySet's own shallow copy) gives the frame new arrays,
    so a value set with ``.loc`` changes this too. (With pandas 2, values are written into the
    array itself; :func:`_values_state` is kept for those.)
    """
    blocks = getattr(getattr(frame, "_mgr", None), "blocks", None)
    arrays = tuple(id(block.values) for block in blocks) if blocks is not None else ()
    return (len(frame), id(frame.index), tuple(frame.columns), arrays)


#: pandas 3 always copies on write; pandas 2 only where ``mode.copy_on_write`` is True (reading it in 3 warns).
_ALWAYS_COPY_ON_WRITE = int(pd.__version__.split(".", 1)[0]) >= 3


def _copy_on_write() -> bool:
    """Whether pandas gives a frame new arrays when a value is written into arrays another frame shares."""
    return _ALWAYS_COPY_ON_WRITE or pd.get_option("mode.copy_on_write") is True


#: Ids of the JourneySets whose values were just read and are trusted for the rest of a block
#: (:func:`values_checked_once`); per thread and task, as a context variable.
_CHECKED: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar("journeymap_values_checked", default=frozenset())


@contextlib.contextmanager
def values_checked_once(js: JourneySet) -> Iterator[None]:
    """Within the block, ``js``'s values are read once (on entry) instead of at every cached analysis.

    Only where pandas does not copy on write (pandas 2 by default) are values read at all
    (:func:`_values_state`: about 90 ms a check at 1M events x 52 columns), and a report runs
    some 46 analyses on one JourneySet without changing it in between. Changes of layout (rows,
    columns, arrays replaced) are still seen at every call. For library callers that run many
    analyses and change nothing (:func:`journeymap.report`); the block must not change
    ``js.events`` or ``js.journeys`` in place.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(5, seed=0)))
        >>> with values_checked_once(js):
        ...     n = len(jm.journey_metrics(js))
        >>> n == len(js)
        True
    """
    js._fresh()
    token = _CHECKED.set(_CHECKED.get() | {id(js)})
    try:
        yield
    finally:
        _CHECKED.reset(token)


def _arrays_of(values: Any) -> list[Any]:
    """The arrays a column's values live in.

    A NumPy array itself, an extension array's NumPy members (codes; data and mask) or its Arrow
    array (replaced, never written into, on a change).
    """
    if isinstance(values, np.ndarray):
        return [values]
    arrow = getattr(values, "_pa_array", None)
    if arrow is not None:  # (its _data is a deprecated alias of it in pandas 2.2)
        return [arrow]
    members = dict(getattr(values, "__dict__", {}))
    for name in ("_ndarray", "_data", "_mask"):  # _ndarray: a Cython slot (Categorical, strings, times)
        members.setdefault(name, getattr(values, name, None))
    return [v for v in members.values() if isinstance(v, np.ndarray)]


def _token(array: Any) -> Any:
    """What tells whether ``array`` was written into later.

    A CRC-32 of a NumPy array's bytes (for an array of objects, of the objects' addresses: a value
    set is another object); another array itself (an Arrow array, replaced on a change, never
    written into: compared by identity).
    """
    if not isinstance(array, np.ndarray):
        return array
    data = np.ascontiguousarray(array).reshape(-1)
    if data.dtype.hasobject:  # the addresses, read without touching the objects
        kind = ctypes.POINTER(ctypes.c_ssize_t)
        data = np.ctypeslib.as_array(ctypes.cast(data.ctypes.data, kind), shape=data.shape) if data.size else np.zeros(0, np.intp)
    raw: Any = data.view(np.uint8)
    return (array.dtype.str, array.shape, zlib.crc32(raw))


def _same_token(array: Any, token: Any) -> bool:
    if not isinstance(array, np.ndarray):
        return array is token
    return bool(token == _token(array))


def _column_values(frame: pd.DataFrame, i: int) -> Any:
    """The values (NumPy or extension array) of the frame's ``i``-th column, without making a Series."""
    any_frame: Any = frame
    return any_frame._get_column_array(i)


def _values_state(frame: pd.DataFrame) -> dict[Hashable, list[Any]]:
    """Tokens of each column's arrays (:func:`_token`), by column name (repeated names left out).

    Kept where pandas does not copy on write (pandas 2 by default), in which a value set with
    ``.loc`` is written into the very array the JourneySet holds, so :func:`_state` cannot see it.
    """
    names = frame.columns
    repeated = set(names[names.duplicated()])
    return {
        name: [_token(a) for a in _arrays_of(_column_values(frame, i))] for i, name in enumerate(names) if name not in repeated
    }


def _changed_values(frame: pd.DataFrame, before: dict[Hashable, list[Any]]) -> set[Hashable]:
    """Names of the columns in ``before`` (:func:`_values_state`) whose values ``frame`` holds otherwise now."""
    names = frame.columns
    changed: set[Hashable] = set()
    for i, name in enumerate(names):
        tokens = before.get(name)
        if tokens is None or (names == name).sum() != 1:
            continue
        arrays = _arrays_of(_column_values(frame, i))
        if len(arrays) != len(tokens) or not all(_same_token(a, t) for a, t in zip(arrays, tokens)):
            changed.add(name)
    return changed


class JourneySet(EventColumns):
    """Events grouped into journeys, with a journey index.

    ``len(js)`` is the number of journeys, iteration yields :class:`~journeymap.model.Journey`
    objects in journey order, and ``js[journey_id]`` returns one (``js[[...]]`` is an error);
    ``journey_id in js`` tells whether it is there, :meth:`select` takes a subset and
    :meth:`equals` compares two sets (a saved and re-read set equals the original).
    ``js.events`` is the events frame sorted by journey and step, with ``journey_id``, ``step``
    (1-based) and ``stage`` (an ordered categorical) added; its index is still the input row
    number.
    ``js.journeys`` has one row per journey: ``customer_id``, ``start``, ``end`` (its earliest
    and latest stamps), ``n_steps``.
    ``js.taxonomy`` is the scorer's emotion taxonomy once scored.
    ``js.stages`` is the :class:`~journeymap.model.StageModel` that assigned ``stage``, ``js.by``
    how events were grouped (``"thread"`` or ``"customer"``; see
    :func:`~journeymap.build_journeys`), and ``js.tz`` the time zone of the log it was built
    from (:attr:`EventLog.tz <journeymap.EventLog>`; None for UTC), in which
    :func:`~journeymap.time_patterns`, :func:`~journeymap.trends` and the report read hours and
    days unless given another. Built by :func:`~journeymap.build_journeys` (or
    :func:`~journeymap.read_journeys`), not by hand; functions that add columns return a new set
    (:meth:`with_events`).
    A Journey's ``customer.attributes`` are the extra columns whose value is the same on all of
    the customer's messages in it (segment attributes such as tier or region).

    Examples:
        >>> from journeymap import build_journeys
        >>> from journeymap.datasets import service_journeys
        >>> js = build_journeys(service_journeys(n_customers=20, seed=1))
        >>> journey = js[js.journey_ids[0]]
        >>> journey.interactions[0].step
        1
    """

    events: pd.DataFrame

    def __init__(
        self,
        events: pd.DataFrame,
        journeys: pd.DataFrame,
        stages: StageModel,
        *,
        by: str,
        taxonomy: Taxonomy | None = None,
        tz: dt.tzinfo | None = None,
    ) -> None:
        self.events = events
        self.journeys = journeys
        self.stages = stages
        self.by = by
        #: the zone the events were read in (:attr:`journeymap.EventLog.tz`): the time analytics' default
        self.tz = tz
        stamp_zone(events, tz)  # the events carry the zone (attrs): a rebuild from them keeps it
        self._taxonomy = taxonomy
        offsets = np.r_[0, np.cumsum(journeys["n_steps"].to_numpy(dtype=np.int64))]
        self._offsets = offsets
        self._cache: dict[Hashable, Any] = {}
        self._variants: OrderedDict[Hashable, Any] = OrderedDict()  # results for options other than the defaults: bounded
        self._position = pd.Series(np.arange(len(journeys)), index=journeys.index)
        self._remember()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the kept copies (they would be pickled as full copies of the frames)."""
        state = dict(self.__dict__)
        state.pop("_seen", None)
        state.pop("_seen_state", None)
        state.pop("_seen_values", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_variants", OrderedDict())  # pickled by a version without them
        self._remember()

    def _remember(self) -> None:
        """Keep shallow copies of the frames as they are now (copy-on-write keeps them so) and their state."""
        self._seen = (self.events.copy(deep=False), self.journeys.copy(deep=False))
        self._seen_state = (id(self.events), _state(self.events), id(self.journeys), _state(self.journeys))
        # Without copy-on-write (pandas 2) a value set with .loc is written into the array both frames hold.
        self._seen_values = None if _copy_on_write() else (_values_state(self.events), _values_state(self.journeys))

    def _fresh(self, *, values: bool = True) -> None:
        """Forget cached results if :attr:`events` or :attr:`journeys` were changed in place since they were computed.

        A change of values (a score edited with ``.loc``, a column added) empties the cache; a
        change the journeys cannot stand (rows added, dropped or reordered; the columns that place
        an event in its journey) raises, as :meth:`with_events` would.

        Without copy-on-write (pandas 2), values written into the arrays are found by reading them
        (:func:`_values_state`: about 2 ms per million numbers); ``values=False`` (one journey
        read, :meth:`_journey`) skips that while the frames' columns and arrays are unchanged.
        """
        now = (id(self.events), _state(self.events), id(self.journeys), _state(self.journeys))
        values = values and id(self) not in _CHECKED.get()  # read once on entering values_checked_once
        seen_values = self._seen_values
        changed: set[Hashable] = set()
        changed_journeys: set[Hashable] = set()
        if seen_values is not None and (values or now != self._seen_state):
            changed = _changed_values(self.events, seen_values[0])
            changed_journeys = _changed_values(self.journeys, seen_values[1])
        if now == self._seen_state and not changed and not changed_journeys:
            return
        events, journeys = self._seen
        where = "js.events, changed in place"
        steps = self.journeys.get("n_steps")
        if "n_steps" in changed_journeys or not (
            self.journeys.index.equals(journeys.index) and steps is not None and _same_values(steps, journeys["n_steps"])
        ):
            msg = (
                "js.journeys was changed in place (its journeys or their steps); a JourneySet's journeys follow from "
                "its events: build them again (jm.build_journeys), or add journey columns to a copy"
            )
            raise SchemaError(msg)
        if len(self.events) != len(events):
            msg = (
                f"{where}: it has {len(self.events)} rows where the journeys were built on {len(events)}; to keep some "
                "journeys use js.select(ids), to change rows build the journeys again (jm.build_journeys)"
            )
            raise SchemaError(msg)
        if not self.events.index.equals(events.index):
            msg = (
                f"{where}: its rows were reordered or relabelled (the index differs from the one the journeys were built "
                "on); each journey is a run of rows in order, so keep js.events' index and order (sort a copy instead)"
            )
            raise SchemaError(msg)
        self._check_replacement(self.events, events, where, changed=changed)
        self._cache.clear()
        self._variants.clear()
        self._remember()

    def __len__(self) -> int:
        return len(self.journeys)

    def __repr__(self) -> str:
        return f"JourneySet({len(self)} journeys, {len(self.events)} events, by={self.by!r})"

    @property
    def journey_ids(self) -> list[str]:
        """Journey ids in journey order."""
        return self.journeys.index.tolist()

    @property
    def touchpoints(self) -> list[Touchpoint]:
        """The touchpoints the journeys pass through, busiest first, each with its main channel.

        A touchpoint's main channel is its most frequent known channel (ties in name order);
        ``None`` where none of its events names a channel. Every touchpoint named by an event is
        listed, and its volume counts all its events, with a channel or without.

        Examples:
            >>> from journeymap import build_journeys
            >>> from journeymap.datasets import service_journeys
            >>> tp = build_journeys(service_journeys(n_customers=30, seed=0)).touchpoints
            >>> tp[0].channel is not None, len({t.name for t in tp}) == len(tp)
            (True, True)
        """
        frame = self.events[["touchpoint", "channel"]].astype("string").dropna(subset=["touchpoint"])
        counts = frame.value_counts(sort=False, dropna=False).reset_index(name="n")
        counts = counts.assign(unknown=counts["channel"].isna())
        counts = counts.sort_values(["unknown", "n", "touchpoint", "channel"], ascending=[True, False, True, True], kind="stable")
        volume = counts.groupby("touchpoint", sort=False)["n"].transform("sum")
        main = counts.assign(volume=volume).drop_duplicates("touchpoint")
        main = main.sort_values(["volume", "touchpoint"], ascending=[False, True], kind="stable")
        return [
            Touchpoint(name=str(name), channel=None if pd.isna(channel) else str(channel))
            for name, channel in zip(main["touchpoint"], main["channel"])
        ]

    def cached(self, key: Hashable, compute: Callable[[], T], *, variant: bool = False) -> T:
        """``compute()``, once per JourneySet and ``key``: for results that depend only on this JourneySet.

        Analyses that several others build on (:func:`~journeymap.journey_metrics`, used by
        :func:`~journeymap.journey_variants`, :func:`~journeymap.compare_segments`, the reply
        table and the report) are computed once and reused. A JourneySet is treated as
        immutable: :meth:`with_events` and every function that changes events return a new one,
        with an empty cache. A value changed in ``js.events`` in place (``js.events.loc[...] = ...``)
        empties the cache, so every analysis reads it: with pandas' copy-on-write (pandas 3) the
        column gets new arrays; with pandas 2, where it is written into the array itself, each
        call first reads the columns' arrays (a CRC-32 of the numbers and of the objects' addresses:
        about 2 ms a column per million events; a text set twice in one cell, the second string at
        the address the first one freed, can go unseen). Rows added, dropped or reordered in place raise
        :class:`SchemaError`. With pandas 3, writes that bypass pandas (into a NumPy view of a
        column) are not seen: use :meth:`with_events` or ``.loc``.
        Callers must not change what they get back; copy it first.

        ``variant=True`` marks a result for options other than the defaults (another
        :class:`~journeymap.AutoReplyRule`, ``freq`` or ``tz``): of those only the
        :data:`VARIANTS_KEPT` used last are kept, so a long-lived JourneySet asked with
        per-request options does not keep a table for every value ever asked.

        Examples:
            >>> import journeymap as jm
            >>> js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
            >>> calls = []
            >>> first = js.cached("n", lambda: calls.append(1) or len(js.events))
            >>> js.cached("n", lambda: calls.append(1) or len(js.events)) == first, len(calls)
            (True, 1)
            >>> for k in range(20):
            ...     _ = js.cached(("n", k), lambda: len(js.events), variant=True)
            >>> len(js._variants) == VARIANTS_KEPT
            True
        """
        self._fresh()
        if variant:
            return self._variant(key, compute)
        if key not in self._cache:
            self._cache[key] = compute()
        value: T = self._cache[key]
        return value

    def _variant(self, key: Hashable, compute: Callable[[], T]) -> T:
        """:meth:`cached` for a result of non-default options: the most recently used :data:`VARIANTS_KEPT` are kept."""
        variants = self._variants
        try:
            value: T = variants[key]
        except KeyError:
            value = compute()
            variants[key] = value
            while len(variants) > VARIANTS_KEPT:
                with contextlib.suppress(KeyError):  # another thread removed it first
                    variants.popitem(last=False)
            return value
        with contextlib.suppress(KeyError):  # another thread evicted it meanwhile: the value is still good
            variants.move_to_end(key)
        return value

    def with_events(self, events: pd.DataFrame, *, taxonomy: Taxonomy | None = None) -> JourneySet:
        """A JourneySet with the same journeys and new event columns (same rows, same order).

        ``taxonomy`` is that of new emotion columns; by default the current one is kept.

        Raises:
            ArgumentTypeError: ``events`` is not a DataFrame, or ``taxonomy`` not a Taxonomy.
            InvalidArgumentError: other rows, or the rows in another order.
            SchemaError: a column name repeated, a column the journeys rest on dropped
                (``customer_id``, ``timestamp``, ``actor``, ``journey_id``, ``step``),
                ``journey_id``, ``step``, ``customer_id`` or the instants of ``timestamp``
                changed, ``timestamp`` no longer time-zone-aware times, an ``actor`` that is not
                one of ``customer``, ``agent``, ``bot``, ``system`` (as :func:`~journeymap.read_events`
                writes them), or ``valence`` not numbers: the analytics would fail on them, or
                quietly leave rows out, later and far from the change.

        Examples:
            >>> import journeymap as jm
            >>> js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
            >>> js.with_events(js.events.assign(region="north")).events["region"].unique().tolist()
            ['north']
            >>> js.with_events(js.events.drop(columns="actor"))
            Traceback (most recent call last):
            ...
            journeymap.exceptions.SchemaError: with_events: column 'actor' is gone; ...
        """
        self._fresh()
        if not isinstance(events, pd.DataFrame):
            msg = f"with_events needs a pandas DataFrame of events (js.events changed), got {type(events).__name__}"
            raise ArgumentTypeError(msg)
        if taxonomy is not None and not isinstance(taxonomy, Taxonomy):
            msg = f"taxonomy must be a journeymap Taxonomy (or None to keep the current one), got {type(taxonomy).__name__}"
            raise ArgumentTypeError(msg)
        if len(events) != len(self.events) or not events.index.equals(self.events.index):
            msg = "with_events needs the same rows in the same order as js.events"
            raise InvalidArgumentError(msg)
        self._check_replacement(events, self.events, "with_events")
        # A copy of the journeys frame (shallow: copy-on-write), so that a column added to one set is not in the other.
        journeys = self.journeys.copy(deep=False)
        return JourneySet(events, journeys, self.stages, by=self.by, taxonomy=taxonomy or self._taxonomy, tz=self.tz)

    @staticmethod
    def _check_replacement(events: pd.DataFrame, before: pd.DataFrame, where: str, *, changed: Collection[Hashable] = ()) -> None:
        """Raise :class:`SchemaError` where ``events`` cannot stand for ``before`` (see :meth:`with_events`).

        ``where`` opens the message; ``changed`` names columns known to hold other values than
        before (written in place into the arrays both frames share, without copy-on-write).
        """
        repeated = events.columns[events.columns.duplicated()].unique().tolist()
        if repeated:
            msg = f"{where}: column name(s) {repeated} appear more than once (a concat of columns already there?); keep one"
            raise SchemaError(msg)
        for column in ("customer_id", "timestamp", "actor", "journey_id", "step"):
            if column in before.columns and column not in events.columns:
                msg = f"{where}: column {column!r} is gone; the journeys and their analytics need it (keep it from js.events)"
                raise SchemaError(msg)
        for column in ("journey_id", "step", "customer_id"):
            if column in before.columns and (column in changed or not _same_values(events[column], before[column])):
                msg = (
                    f"{where}: column {column!r} changed; it places each event in its journey, so it must stay as "
                    f"js.events has it (to regroup the events, build the journeys again: jm.build_journeys)"
                )
                raise SchemaError(msg)
        stamps = events["timestamp"] if "timestamp" in events.columns else None
        if stamps is not None and not isinstance(stamps.dtype, pd.DatetimeTZDtype):
            msg = f"{where}: column 'timestamp' must hold time-zone-aware times (datetime64[ns, UTC]), got {stamps.dtype}"
            raise SchemaError(msg)
        if (
            stamps is not None
            and "timestamp" in before.columns
            and ("timestamp" in changed or not _same_instants(stamps, before["timestamp"]))
        ):
            msg = (
                f"{where}: column 'timestamp' changed (a missing or moved time); the steps, stages and journey "
                "start and end rest on it, so it must hold js.events' instants (another time zone is fine; to use "
                "other times, build the journeys again: jm.build_journeys)"
            )
            raise SchemaError(msg)
        if "actor" in events.columns:
            check_actors_known(events["actor"], where)
        if "valence" in events.columns and not pd.api.types.is_numeric_dtype(events["valence"].dtype):
            msg = f"{where}: column 'valence' must hold numbers in [-1, 1] (NaN where unscored), got {events['valence'].dtype}"
            raise SchemaError(msg)

    def to_parquet(self, path: str | os.PathLike[str], *, compression: str | None = "zstd") -> Path:
        """Save the journeys (events, scores, scorer ids, stage model, taxonomy) to one Parquet file.

        Read it back with :func:`journeymap.read_journeys`; see :mod:`journeymap.journeys.storage`.
        Returns the path written.

        Raises:
            ArgumentTypeError: ``path`` is not a str or path object (None, a number).
            WriteError: (an ``OSError``) the file cannot be written (its folder missing, say).
        """
        from journeymap.journeys._write import save_journeys

        self._fresh()
        return save_journeys(self, path, compression=compression)

    def __iter__(self) -> Iterator[Journey]:
        for i in range(len(self)):
            yield self._journey(i)

    def __contains__(self, journey_id: object) -> bool:
        """Whether a journey of this id is in the set (``jid in js``), as for a mapping of journeys."""
        try:
            return journey_id in self._position.index
        except TypeError:  # an unhashable value is no id
            return False

    def __getitem__(self, journey_id: str) -> Journey:
        if not isinstance(journey_id, Hashable) or isinstance(journey_id, slice):
            msg = f"js[...] takes one journey id, got {type(journey_id).__name__}; use js.select([...]) for several"
            raise ArgumentTypeError(msg)
        try:
            i = int(self._position[journey_id])
        except KeyError:
            msg = f"no journey {journey_id!r} in this JourneySet ({len(self)} journeys)"
            raise UnknownJourneyError(msg) from None
        return self._journey(i)

    def select(self, journey_ids: Iterable[str]) -> JourneySet:
        """The journeys with these ids, in journey order, as a new JourneySet (scores and stages kept).

        Analyses of the subset read only the subset: rules learned from the data (which replies
        are automatic, the "end of the data" open waits are measured to) are learned again from
        it, so a small subset can tell a bot from a person less well. To read some journeys as
        the whole data set sees them, analyse the whole set and select rows of the result
        (``jm.response_times(js).loc[ids]``).

        Raises:
            UnknownJourneyError: (a ``KeyError``) an id that is not in the set, named.
            ArgumentTypeError: ``journey_ids`` is not an iterable of ids (None, a number).

        Examples:
            >>> import journeymap as jm
            >>> js = jm.build_journeys(jm.datasets.service_journeys(20, seed=0))
            >>> two = js.select(js.journey_ids[:2])
            >>> len(two), two.journey_ids == js.journey_ids[:2], js.journey_ids[0] in two
            (2, True, True)
        """
        if isinstance(journey_ids, str):
            journey_ids = [journey_ids]
        if not isinstance(journey_ids, Iterable):
            msg = f"journey_ids must be journey ids (a list, say), got {type(journey_ids).__name__} {journey_ids!r}"
            raise ArgumentTypeError(msg)
        ids = list(journey_ids)
        known = self._position.index
        missing = [i for i in ids if not (isinstance(i, Hashable) and i in known)]
        if missing:
            msg = f"no journey {str(missing[0])!r} in this JourneySet ({len(missing)} id(s) not found of {len(ids)})"
            raise UnknownJourneyError(msg)
        self._fresh()
        wanted = pd.Index(ids, dtype=object)
        positions = np.sort(self._position[wanted.unique()].to_numpy(dtype=np.int64))
        starts, ends = self._offsets[positions], self._offsets[positions + 1]
        rows = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)]) if len(positions) else np.zeros(0, dtype=np.int64)
        return JourneySet(
            self.events.iloc[rows], self.journeys.iloc[positions], self.stages, by=self.by, taxonomy=self._taxonomy, tz=self.tz
        )

    def equals(self, other: object) -> bool:
        """Whether ``other`` is a JourneySet with equal events, journeys, stage model, grouping, taxonomy and zone (``tz``).

        As ``DataFrame.equals``: values and dtypes must match (NaNs in the same places are equal).
        ``==`` stays identity, since a JourneySet holds frames.

        Examples:
            >>> import journeymap as jm
            >>> js = jm.build_journeys(jm.datasets.service_journeys(10, seed=0))
            >>> js.equals(jm.build_journeys(jm.datasets.service_journeys(10, seed=0))), js.equals(js.select(js.journey_ids[:1]))
            (True, False)
        """
        if not isinstance(other, JourneySet):
            return False
        return (
            self.by == other.by
            and self.stages == other.stages
            and self.taxonomy == other.taxonomy
            and _same_zone(self.tz, other.tz)  # the hours and days the time analytics read
            and self.journeys.equals(other.journeys)
            and self.events.equals(other.events)
        )

    def _journey(self, i: int) -> Journey:
        self._fresh(values=False)  # read per journey: the values it reads are today's
        rows = self.events.iloc[self._offsets[i] : self._offsets[i + 1]]
        labels = self.emotion_labels
        core = set(CANONICAL_COLUMNS) | set(JOURNEY_COLUMNS) | set(EMOTION_COLUMNS)
        extras = [c for c in rows.columns if c not in core and not str(c).startswith(SCORE_PREFIX)]
        interactions = []
        for rec in rows.to_dict("records"):
            emotion = None
            if _scalar(rec.get("valence")) is not None:  # labels or not: a valence of the user's own is a reading too
                scores = {lab: float(rec[score_column(lab)]) for lab in labels}
                label = _scalar(rec.get("emotion"))
                emotion = EmotionScore(
                    scorer=str(_scalar(rec.get("scorer")) or "unknown"),
                    scores={k: v for k, v in scores.items() if not math.isnan(v)},
                    emotion=None if label is None else str(label),
                    valence=_valence(float(rec["valence"]), rec.get("event_id")),
                )
            fields = {c: _scalar(rec.get(c)) for c in CANONICAL_COLUMNS if c != "timestamp"}
            interactions.append(
                Interaction(
                    **fields,
                    timestamp=rec["timestamp"].to_pydatetime(warn=False),  # datetime holds microseconds
                    step=int(rec["step"]),
                    emotion=emotion,
                    attributes={str(c): _scalar(rec[c]) for c in extras},
                )
            )
        meta = self.journeys.iloc[i]
        # Customer attributes: the extra columns that stay the same across the customer's own
        # messages in this journey (tier, region, ...), not per-message ones (ids, texts).
        own = [x for x in interactions if x.actor.value == "customer"] or interactions[:1]
        constant = {
            key: value for key, value in own[0].attributes.items() if all(x.attributes.get(key) == value for x in own[1:])
        }
        customer = Customer(id=str(meta["customer_id"]), attributes=constant)
        return Journey(journey_id=str(self.journeys.index[i]), customer=customer, interactions=tuple(interactions))
