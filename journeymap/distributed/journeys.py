"""Journeys on a Dask cluster: :class:`DaskJourneySet` and :func:`build_journeys`.

The events are shuffled by journey key, so that a journey never straddles two partitions, and
each partition is built by the single-machine :func:`journeymap.build_journeys`.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, Literal

import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.delayed import delayed

from journeymap._threads import reply_tree
from journeymap.distributed.events import DaskEventLog, read_events
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError, SchemaError, UnsupportedBackendError
from journeymap.io import EventLog, empty_rejects
from journeymap.io.twcs import refresh_replies_outside
from journeymap.io.validation import require_text_column
from journeymap.journeys._build import (
    OWNERS_FOUND,
    REPLY_DEPTH,
    REPLY_OUTSIDE,
    STEP_TIME,
    brand_rows_to_customers,
    build_validated,
    check_by,
    foreign_brand_rows,
    gap_nanoseconds,
    replaced_columns,
    replaced_counts,
    replies_to_others,
    step_times,
    thread_keys,
    warn_replaced,
    with_joined_threads,
)
from journeymap.journeys._set import EventColumns, JourneySet
from journeymap.journeys._table import journey_set_from_events, journey_table
from journeymap.journeys.stages import resolve_stages
from journeymap.schema import REPLY_OUTSIDE_DATA

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from journeymap._threads import ReplyTree
    from journeymap.emotions.taxonomy import Taxonomy
    from journeymap.model import StageModel

logger = logging.getLogger(__name__)

__all__ = ["DaskJourneySet", "build_journeys", "text_events"]

_KEY = "__journey_key__"
#: A private row number (partition number in the high 32 bits, position in the partition in the
#: low ones) that the columns found from gathered ids are attached by: the input's index may
#: repeat labels (two frames concatenated), which pandas builds and ``reindex`` refuses.
_ROW = "__row__"


class DaskJourneySet(EventColumns):
    """Journeys on a cluster: events partitioned so that each journey lies in one partition.

    ``events`` is a dask DataFrame with the columns of :attr:`JourneySet.events
    <journeymap.JourneySet>` (``journey_id``, ``step``, ``stage`` added); within a partition
    journeys are contiguous and in step order. :meth:`compute` gives the in-memory
    :class:`~journeymap.JourneySet`, in the same order as :func:`journeymap.build_journeys`.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas
        >>> djs = build_journeys(from_pandas(jm.datasets.service_journeys(30, seed=0), npartitions=3))
        >>> len(djs.compute()) == len(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
        True
    """

    def __init__(
        self, events: dd.DataFrame, stages: StageModel, *, by: str, taxonomy: Taxonomy | None = None, tz: dt.tzinfo | None = None
    ) -> None:
        self.events = events
        self.stages = stages
        self.by = by
        #: the zone the events were read in, as ``JourneySet.tz``: the time figures' default
        self.tz = tz
        self._taxonomy = taxonomy

    def __repr__(self) -> str:
        return f"DaskJourneySet({self.events.npartitions} partitions, by={self.by!r})"

    def _in_memory_only(self, what: str) -> UnsupportedBackendError:
        return UnsupportedBackendError(what, "dask", "DaskJourneySet")

    def __bool__(self) -> bool:  # truth without counting (len() would need the cluster)
        return True

    def __len__(self) -> int:
        raise self._in_memory_only("len()")

    def __contains__(self, journey_id: object) -> bool:
        raise self._in_memory_only("'in'")

    def __getitem__(self, journey_id: str) -> Any:
        raise self._in_memory_only("js[journey_id]")

    def __iter__(self) -> Any:
        raise self._in_memory_only("iteration")

    def select(self, journey_ids: Any) -> Any:
        """In memory only: :meth:`journeymap.JourneySet.select` after ``.compute()``."""
        raise self._in_memory_only("select")

    def equals(self, other: object) -> bool:
        """In memory only: :meth:`journeymap.JourneySet.equals` after ``.compute()``."""
        raise self._in_memory_only("equals")

    def to_parquet(self, path: Any, **kwargs: Any) -> Any:
        """In memory only: ``djs.compute().to_parquet(path)`` (a file :func:`journeymap.read_journeys` reads)."""
        raise self._in_memory_only("to_parquet")

    @property
    def npartitions(self) -> int:
        """Number of partitions."""
        return int(self.events.npartitions)

    @property
    def journeys(self) -> dd.DataFrame:
        """One row per journey (``customer_id``, ``start``, ``end``, ``n_steps``), lazily."""
        return self.events.map_partitions(journey_table, meta=journey_table(self.events._meta))

    def with_events(self, events: dd.DataFrame, *, taxonomy: Taxonomy | None = None) -> DaskJourneySet:
        """The same journeys with new event columns (same partitions); ``taxonomy`` that of new scores.

        Raises:
            ValueError: ``events`` has another number of partitions: each partition must hold
                whole journeys, and a repartitioned frame can split one across two, which every
                journey-level figure would then count twice.
        """
        if events.npartitions != self.events.npartitions:
            msg = (
                f"with_events: the events have {events.npartitions} partitions, the journeys {self.events.npartitions}; "
                "a repartition can split a journey across partitions. Add columns with map_partitions, or rebuild "
                "the journeys (build_journeys(..., npartitions=n))."
            )
            raise InvalidArgumentError(msg)
        return DaskJourneySet(events, self.stages, by=self.by, taxonomy=taxonomy or self._taxonomy, tz=self.tz)

    def persist(self, **kwargs: Any) -> DaskJourneySet:
        """The same journeys computed and kept in (cluster) memory.

        Keyword arguments go to dask's ``persist`` (``scheduler="threads"``, say).
        """
        return self.with_events(self.events.persist(**kwargs))

    def compute(self, **kwargs: Any) -> JourneySet:
        """The journeys as an in-memory :class:`~journeymap.JourneySet`.

        Keyword arguments go to dask's ``compute`` (``scheduler="synchronous"`` to debug, say).

        Examples:
            >>> import journeymap as jm
            >>> from journeymap.distributed import build_journeys, from_pandas
            >>> djs = build_journeys(from_pandas(jm.datasets.service_journeys(5, seed=0)))
            >>> djs.compute(scheduler="synchronous").equals(djs.compute())
            True
        """
        events = self.events.compute(**kwargs)
        return journey_set_from_events(events, self.stages, by=self.by, taxonomy=self._taxonomy, tz=self.tz)


def _numbered_part(part: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """The partition with its rows' :data:`_ROW` numbers (dask passes ``partition_info``)."""
    number = 0 if partition_info is None else int(partition_info["number"])
    return part.assign(**{_ROW: (np.int64(number) << np.int64(32)) + np.arange(len(part), dtype=np.int64)})


def _gather(events: dd.DataFrame, columns: list[str]) -> tuple[dd.DataFrame, pd.DataFrame]:
    """``events`` with row numbers (:data:`_ROW`), and ``columns`` of all of them gathered, indexed by row number."""
    if _ROW not in events.columns:
        events = events.map_partitions(_numbered_part, meta=_numbered_part(events._meta))
    ids = events[[*columns, _ROW]].compute()
    return events, ids.set_index(_ROW)


def _rows_of(part: pd.DataFrame, found: pd.DataFrame | pd.Series) -> Any:
    """``found`` (indexed by row number) for the rows of ``part``, in its row order.

    Looked up with NumPy, not with ``found``'s index: one ``found`` is handed to the tasks of
    every partition, which dask's threads run at once, and the hash table a pandas index builds
    on first use is not thread-safe (pandas issue 21150; with pandas 2.2 it could report
    ``cannot reindex on an axis with duplicate labels`` for unique row numbers).

    Raises:
        RuntimeError: a row of ``part`` that ``found`` lacks (never: ``found`` holds every row gathered).
    """
    rows = part[_ROW].to_numpy(dtype=np.int64)
    index = found.index.to_numpy(dtype=np.int64)
    order = None
    if len(index) > 1 and not bool((index[1:] > index[:-1]).all()):  # gathered in row order, so rarely
        order = np.argsort(index, kind="stable")
        index = index[order]
    at = np.minimum(np.searchsorted(index, rows), max(len(index) - 1, 0))
    if len(rows) and (len(index) == 0 or not bool((index[at] == rows).all())):
        msg = f"rows {rows[index[at] != rows][:5].tolist() if len(index) else rows[:5].tolist()} were not gathered"
        raise RuntimeError(msg)
    return found.iloc[at if order is None else order[at]]


def _thread_key_from_columns(part: pd.DataFrame) -> pd.DataFrame:
    key = part["thread_id"].astype("string").fillna(part["event_id"]) if "thread_id" in part else part["event_id"]
    return part.assign(**{_KEY: key.astype("string")})


def _attach_key(part: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    return part.assign(**{_KEY: _rows_of(part, keys).astype("string").array})


def _attach_key_and_thread(part: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    found = _rows_of(part, found)
    return part.assign(**{_KEY: found[_KEY].astype("string").array, "thread_id": found["thread_id"].astype("string").array})


def _with_thread_key(events: dd.DataFrame, ids: pd.DataFrame | None) -> dd.DataFrame:
    """The events with the journey key of ``by="thread"``: the thread id, else the reply-tree root.

    ``ids`` are the id columns gathered by the caller (:func:`_gather`: ``event_id``,
    ``in_reply_to`` and, where the events have one, ``thread_id``), or None without reply links.
    As on one machine, a missing thread id is found from the reply tree, and a thread whose root
    replies into another thread joins it (:func:`~journeymap.journeys._build.joined_thread_keys`),
    its ``thread_id`` set to the thread joined; otherwise the key is read from the columns in place.
    """
    has_thread, has_reply = "thread_id" in events.columns, "in_reply_to" in events.columns
    if not has_thread and not has_reply:
        msg = "by='thread' needs a thread_id or in_reply_to column; use by='customer' for these events"
        raise SchemaError(msg)
    meta = _thread_key_from_columns(events._meta)
    if ids is None or not has_reply or not ids["in_reply_to"].notna().any():
        return events.map_partitions(_thread_key_from_columns, meta=meta)
    tree = reply_tree(ids["event_id"], ids["in_reply_to"])
    if not has_thread:
        key = pd.Series(ids["event_id"].to_numpy()[tree.root], index=ids.index, dtype="string")
        return events.map_partitions(_attach_key, delayed(key), meta=_attach_key(events._meta, pd.Series([], dtype="string")))
    unresolved = int(ids["thread_id"].isna().sum())
    if unresolved:
        logger.info("resolving %d events without a thread_id from the reply trees", unresolved)
    key, thread = _joined_threads(ids, tree)
    if not unresolved and thread is None:
        return events.map_partitions(_thread_key_from_columns, meta=meta)
    thread = ids["thread_id"].astype("string") if thread is None else thread
    found = pd.DataFrame({_KEY: key, "thread_id": thread}, index=ids.index)
    empty = pd.DataFrame({_KEY: pd.Series([], dtype="string"), "thread_id": pd.Series([], dtype="string")})
    return events.map_partitions(_attach_key_and_thread, delayed(found), meta=_attach_key_and_thread(events._meta, empty))


def _attach_thread(part: pd.DataFrame, found: pd.Series) -> pd.DataFrame:
    return part.assign(thread_id=_rows_of(part, found).astype("string").array)


def _with_joined_thread_ids(events: dd.DataFrame, ids: pd.DataFrame) -> dd.DataFrame:
    """By customer: the events with the ``thread_id`` of threads whose root replies into another thread set to that one.

    As on one machine (:func:`~journeymap.journeys._build.joined_thread_keys`), over the whole
    input (``ids``, gathered by the caller); a missing thread id stays missing.
    """
    if "thread_id" not in ids.columns or "in_reply_to" not in ids.columns or not ids["in_reply_to"].notna().any():
        return events
    _, thread = _joined_threads(ids, reply_tree(ids["event_id"], ids["in_reply_to"]))
    if thread is None:
        return events
    meta = _attach_thread(events._meta, pd.Series([], dtype="string"))
    return events.map_partitions(_attach_thread, delayed(thread), meta=meta)


def _joined_threads(ids: pd.DataFrame, tree: ReplyTree) -> tuple[pd.Series, pd.Series | None]:
    """Over the gathered rows, as on one machine: each row's thread, and the ``thread_id`` column rewritten.

    The thread is the row's ``thread_id``, filled from the reply tree and joined
    (:func:`~journeymap.journeys._build.joined_thread_keys`); the column has the joined threads'
    ids set, None where no thread joined another.
    """
    key = thread_keys(ids, tree)
    rewritten = with_joined_threads(ids, key)
    return key, None if rewritten is ids else rewritten["thread_id"].astype("string")


def _attach_depth(part: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    found = _rows_of(part, found)
    return part.assign(
        **{
            REPLY_DEPTH: found[REPLY_DEPTH].to_numpy(dtype=np.int64),
            STEP_TIME: found[STEP_TIME].to_numpy(dtype=np.int64),
            REPLY_OUTSIDE: found[REPLY_OUTSIDE].to_numpy(dtype=bool),
        }
    )


def _with_reply_depth(events: dd.DataFrame, ids: pd.DataFrame) -> dd.DataFrame:
    """The events with their depth in the reply forest of the whole input and their step times.

    The depth is a tie-breaker of the build; the step time is the timestamp raised to the
    latest ancestor's (a reply stamped before its message steps after it). A reply's parent can
    lie in another journey (another customer's, say), so another partition; both are found once
    from the id and time columns (``ids``, gathered by the caller with :func:`_gather`), as on one machine.
    """
    tree = reply_tree(ids["event_id"], ids["in_reply_to"])
    ts = ids["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    found = pd.DataFrame(
        {REPLY_DEPTH: tree.depth, STEP_TIME: step_times(ts, tree), REPLY_OUTSIDE: tree.dangling}, index=ids.index
    )
    empty = pd.DataFrame({REPLY_DEPTH: np.zeros(0, np.int64), STEP_TIME: np.zeros(0, np.int64), REPLY_OUTSIDE: np.zeros(0, bool)})
    meta = _attach_depth(events._meta, empty)
    return events.map_partitions(_attach_depth, delayed(found), meta=meta)


def _attach_owners(part: pd.DataFrame, owners: pd.Series) -> pd.DataFrame:
    return part.assign(customer_id=_rows_of(part, owners).astype("string").array, **{OWNERS_FOUND: True})


def _with_owners(events: dd.DataFrame, ids: pd.DataFrame) -> dd.DataFrame:
    """For ``by="customer"``: brand rows filed under no customer (or another) given the customer they answer.

    :func:`~journeymap.journeys._build.brand_rows_to_customers` needs the rows a brand row
    answers, which the shuffle by ``customer_id`` puts in other partitions; it runs on the id
    columns gathered once with the reply depths' (``ids``), before the shuffle.
    """
    tree = reply_tree(ids["event_id"], ids["in_reply_to"]) if "in_reply_to" in ids.columns else None
    if not foreign_brand_rows(ids).any() and not replies_to_others(ids, tree).any():
        return events
    owners = brand_rows_to_customers(ids, tree)
    meta = _attach_owners(events._meta, pd.Series([], dtype="string"))
    return events.map_partitions(_attach_owners, delayed(owners), meta=meta)


def _attach_flags(part: pd.DataFrame, flags: pd.Series) -> pd.DataFrame:
    return part.assign(**{REPLY_OUTSIDE_DATA: _rows_of(part, flags).to_numpy(dtype=part[REPLY_OUTSIDE_DATA].dtype)})


def _with_outside_flags(events: dd.DataFrame, ids: pd.DataFrame | None) -> dd.DataFrame:
    """The events with ``reply_outside_data`` refreshed over the whole input, as on one machine.

    :func:`~journeymap.io.twcs.refresh_replies_outside` clears the flag of a message whose
    replies are in the data; a reply can lie in another partition. ``ids`` are the gathered id
    columns with the flag and ``response_tweet_id`` (None: gathered here, in a pass of their own).
    """
    if ids is None:
        events, ids = _gather(events, ["event_id", REPLY_OUTSIDE_DATA, "response_tweet_id"])
    refreshed = refresh_replies_outside(ids)
    if refreshed is ids:
        return events
    flags = refreshed[REPLY_OUTSIDE_DATA]
    return events.map_partitions(_attach_flags, delayed(flags), meta=events._meta)


def _built(
    part: pd.DataFrame, *, by: str, gap: str | pd.Timedelta | dt.timedelta, stages: StageModel
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The partition as the single-machine build reads it, and its built events (no warning: see :func:`_replaced_part`)."""
    frame = part.drop(columns=[_ROW], errors="ignore")
    if by == "thread":
        # The key was found across all partitions; the single-machine build reads it as thread_id.
        frame = frame.drop(columns=[_KEY]).assign(thread_id=frame[_KEY])
    log = EventLog(events=frame, rejects=empty_rejects(), warnings=empty_rejects(), n_input=len(frame))
    return frame, build_validated(log, by=by, gap=gap, stage_model=stages, warn=False).events


def _replaced_part(part: pd.DataFrame, *, by: str, gap: str | pd.Timedelta | dt.timedelta, stages: StageModel) -> pd.DataFrame:
    """One row: per own journey column of the input, the rows of the partition whose value the build changed; ``own_stages``."""
    frame, events = _built(part, by=by, gap=gap, stages=stages)
    counts, own_stages = replaced_counts(frame, events, stages)
    return pd.DataFrame({**{c: [np.int64(n)] for c, n in counts.items()}, _OWN_STAGES: [own_stages]})


_OWN_STAGES = "__own_stages__"


def _build_part(part: pd.DataFrame, *, by: str, gap: str | pd.Timedelta | dt.timedelta, stages: StageModel) -> pd.DataFrame:
    """The partition built; its rows keep their index labels, which may repeat (built by position)."""
    labels = part.index
    original = part["thread_id"] if by == "thread" and "thread_id" in part.columns else None
    _, events = _built(part.set_axis(pd.RangeIndex(len(part))), by=by, gap=gap, stages=stages)
    rows = events.index.to_numpy(dtype=np.int64)  # the build reorders rows and keeps their labels: here, positions
    if by == "thread":
        if original is None:
            events = events.drop(columns="thread_id")
        else:
            events["thread_id"] = original.iloc[rows].array
    return events.set_axis(labels[rows])


def build_journeys(
    log: DaskEventLog | dd.DataFrame,
    *,
    by: Literal["thread", "customer"] = "thread",
    gap: str | pd.Timedelta | dt.timedelta = "7D",
    stages: StageModel | Mapping[str, str] | None = None,
    npartitions: int | None = None,
    shuffle_method: str | None = "tasks",
) -> DaskJourneySet:
    """Group events into journeys on the cluster: :func:`journeymap.build_journeys` per partition.

    The events are shuffled by journey key (thread, or customer for ``by="customer"``), so that
    every journey lies in one partition, and each partition is built by the single-machine code.
    Replies whose ``thread_id`` is missing are placed by their reply tree, and a thread whose root
    replies into another thread joins it, as on one machine; the tree is resolved from the id
    columns (with ``thread_id``) gathered once with the reply depths' (about 100 bytes per event);
    without ``in_reply_to`` nothing is gathered for ``by="thread"`` (TWCS events'
    ``reply_outside_data`` and ``response_tweet_id`` aside: see
    :func:`~journeymap.io.twcs.refresh_replies_outside`). For ``by="customer"`` the id, customer,
    actor, time, reply and thread columns are gathered in that same pass (in one pass of their own
    where there is no ``in_reply_to`` but a ``thread_id``), so that brand rows filed under no
    customer go to the customer they answer as on one machine; with neither column nothing is
    gathered and such rows keep their ids without the single-machine warning. Steps and journeys
    come in the single-machine order, ties in time included: the reply depth and step times are
    found over the whole input, and the id order that breaks the remaining ties compares two ids by
    themselves alone (numbers by value, then text), so each partition, and
    :meth:`DaskJourneySet.compute` gathering them, orders ids as one machine does. An input that
    carries its own ``journey_id``, ``step`` or ``stage`` (a rebuild of built journeys) has them
    replaced; where their values change, the single-machine ``UserWarning`` is given once, with the
    total counts, when ``build_journeys`` is called: that takes one more pass that builds every
    partition (an input without these columns needs none).

    Args:
        log: a :class:`DaskEventLog`, or a dask DataFrame (validated with ``on_error="raise"``).
        by: ``"thread"`` or ``"customer"``, as in :func:`journeymap.build_journeys`.
        gap: the inactivity gap for ``by="customer"``.
        stages: a StageModel, a ``{touchpoint: stage}`` mapping or None (the service model).
        npartitions: partitions after the shuffle (default: as many as before).
        shuffle_method: dask's shuffle method: ``"tasks"`` (the default), ``"p2p"``, ``"disk"``, or
            None for dask's choice (p2p on a ``distributed`` cluster). The task shuffle moves
            each partition as it is, so attribute columns come back as pandas has them; p2p
            moves them through Arrow, which turns ``None`` in an object column of strings into
            ``<NA>`` and fails on an object column mixing types (``123`` and ``"A-12"``).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas
        >>> log = jm.read_events(jm.datasets.service_journeys(20, seed=0).events.sample(frac=1, random_state=0))
        >>> js = build_journeys(from_pandas(log, npartitions=2), by="customer").compute()  # customers in both partitions
        >>> local = jm.build_journeys(log, by="customer")  # the same journeys, steps and order as on one machine
        >>> js.by, len(js), js.journeys.equals(local.journeys), js.events.equals(local.events)
        ('customer', 31, True, True)
    """
    check_by(by)
    gap_nanoseconds(gap)  # whatever ``by``, as on one machine
    stage_model = resolve_stages(stages)
    if isinstance(log, dd.DataFrame):
        log = read_events(log, on_error="raise")
    if not isinstance(log, DaskEventLog):
        msg = f"log must be a DaskEventLog or a dask DataFrame, got {type(log).__name__}"
        raise ArgumentTypeError(msg)
    events = log.events
    key = "customer_id"
    # One pass gathers the id columns the whole input is needed for: the reply forest's depths
    # and, by customer, the customer a brand row answers (where reply links or threads can tell).
    wanted = ["event_id", "in_reply_to", "timestamp"] if "in_reply_to" in events.columns else []
    if wanted and by == "thread" and "thread_id" in events.columns:
        wanted.append("thread_id")  # a thread id to find from the reply tree, a thread to join
    if by == "customer" and ("in_reply_to" in events.columns or "thread_id" in events.columns):
        wanted = [c for c in ("event_id", "customer_id", "actor", "timestamp", "in_reply_to", "thread_id") if c in events.columns]
    flags = [c for c in (REPLY_OUTSIDE_DATA, "response_tweet_id") if c in events.columns]
    if len(flags) == 2 and wanted:  # refreshed over the whole input (refresh_replies_outside), in the same pass
        wanted = list(dict.fromkeys([*wanted, "event_id", *flags]))
    ids: pd.DataFrame | None = None
    if wanted:
        events, ids = _gather(events, wanted)
    if len(flags) == 2:
        events = _with_outside_flags(events, ids if wanted else None)
    if ids is not None and "in_reply_to" in ids.columns:
        events = _with_reply_depth(events, ids)
    if by == "thread":
        events, key = _with_thread_key(events, ids), _KEY
    elif ids is not None:
        events = _with_owners(_with_joined_thread_ids(events, ids), ids)
    else:  # nothing tells whom a brand row answers: rows keep their ids, and no partition says so again
        events = events.assign(**{OWNERS_FOUND: True})
    shuffled = events.shuffle(on=key, npartitions=npartitions, shuffle_method=shuffle_method)
    build = functools.partial(_build_part, by=by, gap=gap, stages=stage_model)
    built = shuffled.map_partitions(build, meta=build(shuffled._meta))
    _warn_replaced(shuffled, by=by, gap=gap, stages=stage_model)
    return DaskJourneySet(built, stage_model, by=by, tz=log.tz)


def _warn_replaced(shuffled: dd.DataFrame, *, by: str, gap: str | pd.Timedelta | dt.timedelta, stages: StageModel) -> None:
    """The single-machine warning about the input's own ``journey_id``, ``step`` or ``stage``, once, with the total counts.

    Only an input that carries one of these columns (a rebuild) is checked, in one pass that
    builds every partition and gathers its counts; the build of the journeys itself says nothing.
    """
    columns = replaced_columns(shuffled._meta, stages)
    if not columns:
        return
    count = functools.partial(_replaced_part, by=by, gap=gap, stages=stages)
    meta = pd.DataFrame({**{c: pd.Series(dtype=np.int64) for c in columns}, _OWN_STAGES: pd.Series(dtype=bool)})
    found = shuffled.map_partitions(count, meta=meta).compute()
    warn_replaced({c: int(found[c].sum()) for c in columns}, bool(found[_OWN_STAGES].all()))


def text_events(journeys: DaskJourneySet | dd.DataFrame, what: str) -> dd.DataFrame:
    """The events of a DaskJourneySet or dask DataFrame that ``what`` reads texts from.

    Raises:
        TypeError: ``journeys`` is neither.
        SchemaError: the events have no ``text`` column (or repeat a column name), as on one machine.
    """
    if isinstance(journeys, DaskJourneySet):
        events = journeys.events
    elif isinstance(journeys, dd.DataFrame):
        events = journeys
    else:
        msg = f"journeys must be a DaskJourneySet or a dask DataFrame, got {type(journeys).__name__}"
        raise ArgumentTypeError(msg)
    require_text_column(events._meta, what)
    return events
