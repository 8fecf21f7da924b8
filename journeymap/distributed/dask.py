"""Journeys on a Dask cluster: the single-machine functions, run per partition of whole journeys.

The plan of every function here is the same: split the work so that each partition can be
handled by the single-machine code alone, then combine.

- :func:`read_events` validates block by block, with input row numbers that count across blocks
  and duplicate ids found across the whole input first (one pass over the id column).
- :func:`build_journeys` shuffles the events by journey key (thread or customer), so a journey
  never straddles two partitions, then runs :func:`journeymap.build_journeys` on each partition.
- :func:`score` runs :func:`journeymap.score` on each partition with a scorer that each worker
  process loads once (by name) and keeps; the score cache is used as on one machine.
- :func:`touchpoint_summary`, :func:`journey_graph` and :func:`time_patterns` are tree
  reductions of mergeable partial statistics (:mod:`journeymap.distributed._partials`).

Results equal the single-machine ones up to float summation order, and
:meth:`DaskJourneySet.compute` gives back an ordinary :class:`~journeymap.JourneySet`.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.base import compute as dask_compute
from dask.base import persist as dask_persist
from dask.delayed import delayed

from journeymap._threads import reply_tree
from journeymap.analytics.summary import _level, customer_steps, summary_frame, summary_row
from journeymap.analytics.time import hour_frame, patterns_frame
from journeymap.distributed._partials import GroupMoments, HourStats, NodeStats, edge_partial
from journeymap.emotions.registry import get_scorer
from journeymap.emotions.score import is_score_column, scored_rows, without_scores
from journeymap.emotions.score import score as score_frame
from journeymap.exceptions import JourneyMapError, SchemaError
from journeymap.graph import assemble_graph, graph_steps, node_attrs
from journeymap.io.events import (
    EventLog,
    OnError,
    _apply_column_map,
    _empty_rejects,
    as_id,
    check_on_error,
    file_kind,
    raise_invalid,
    validate_part,
)
from journeymap.journeys import (
    EventColumns,
    JourneySet,
    check_by,
    gap_nanoseconds,
    journey_set_from_events,
    journey_starts,
    journey_table,
    resolve_stages,
)
from journeymap.journeys import build_journeys as build_local

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import networkx as nx
    from dask.delayed import Delayed

    from journeymap.emotions.scorer import EmotionScorer
    from journeymap.model import StageModel

logger = logging.getLogger(__name__)

__all__ = [
    "DaskEventLog",
    "DaskJourneySet",
    "build_journeys",
    "clear_scorers",
    "from_pandas",
    "journey_graph",
    "read_events",
    "score",
    "time_patterns",
    "touchpoint_summary",
]

#: Partials merged per task in the tree reductions.
SPLIT_EVERY = 8
_KEY = "__journey_key__"


# --------------------------------------------------------------------------- events


@dataclass(frozen=True, eq=False)
class DaskEventLog:
    """Validated events as a dask DataFrame, and the rejected rows, lazily.

    Like :class:`~journeymap.EventLog`: ``events`` is indexed by input row number (counted
    across all files and blocks), ``rejects`` has ``row``, ``column``, ``reason``, ``value``, and
    every input row is in one of them. Both are computed from the same validation tasks, so
    ``dask_compute(log.events, log.rejects)`` (or :meth:`persist`) validates once.

    Example:
        >>> import journeymap as jm
        >>> from journeymap.distributed import from_pandas
        >>> log = from_pandas(jm.datasets.service_journeys(20, seed=0), npartitions=2)
        >>> log.events.npartitions, len(log.compute()) == log.n_input
        (2, True)
    """

    events: dd.DataFrame
    rejects: dd.DataFrame
    n_input: int

    def __repr__(self) -> str:
        return f"DaskEventLog({self.events.npartitions} partitions, from {self.n_input} input rows)"

    def persist(self) -> DaskEventLog:
        """The same log with events and rejects computed and kept in (cluster) memory."""
        events, rejects = dask_persist(self.events, self.rejects)
        return DaskEventLog(events, rejects, self.n_input)

    def compute(self) -> EventLog:
        """The log as an ordinary in-memory :class:`~journeymap.EventLog`."""
        events, rejects = dask_compute(self.events, self.rejects)
        rejects = rejects.sort_values("row", kind="stable").reset_index(drop=True)
        return EventLog(events=events.sort_index(), rejects=rejects, warnings=_empty_rejects(), n_input=self.n_input)


def from_pandas(log: EventLog, *, npartitions: int | None = None, chunksize: int | None = None) -> DaskEventLog:
    """An already validated :class:`~journeymap.EventLog` as a :class:`DaskEventLog` (no validation again).

    Args:
        log: the events, e.g. from :func:`journeymap.read_events` or :mod:`journeymap.datasets`.
        npartitions: number of partitions (default: 1 per 100,000 events, at least 1).
        chunksize: rows per partition, instead of ``npartitions``.

    To validate a raw pandas frame on the cluster, use :func:`read_events`.

    Example:
        >>> import journeymap as jm
        >>> from journeymap.distributed import from_pandas
        >>> from_pandas(jm.datasets.service_journeys(10, seed=0), npartitions=3).events.npartitions
        3
    """
    if not isinstance(log, EventLog):
        msg = f"from_pandas needs an EventLog, got {type(log).__name__}; for a raw frame use read_events(frame)"
        raise TypeError(msg)
    if npartitions is None and chunksize is None:
        npartitions = max(1, len(log.events) // 100_000)
    # Keep pandas' dtypes, as on one machine: dask would turn "str" columns into NA-valued "string" ones.
    with dask.config.set({"dataframe.convert-string": False}):
        events = dd.from_pandas(log.events, npartitions=npartitions, chunksize=chunksize, sort=False)
        rejects = dd.from_pandas(log.rejects, npartitions=1, sort=False)
    return DaskEventLog(events, rejects, log.n_input)


def _read_raw(source: Any, blocksize: str | int | None, npartitions: int | None) -> dd.DataFrame:
    if isinstance(source, dd.DataFrame):
        return source
    if isinstance(source, pd.DataFrame):
        return dd.from_pandas(source.reset_index(drop=True), npartitions=npartitions or 1, sort=False)
    paths = [source] if isinstance(source, (str, Path)) else list(source)
    if not paths or not all(isinstance(p, (str, Path)) for p in paths):
        msg = f"source must be a path, a list of paths, a glob, or a pandas or dask DataFrame; got {source!r}"
        raise TypeError(msg)
    names = [str(p) for p in paths]
    for name in names:
        if not any(ch in name for ch in "*?[") and not Path(name).exists():
            msg = f"source {name!r} does not exist"
            raise FileNotFoundError(msg)
    if Path(names[0]).is_dir():
        return dd.read_parquet(names)
    kind, options = file_kind(names[0])
    if kind == "parquet":
        return dd.read_parquet(names)
    # A gzip stream cannot be split into blocks: one partition per file.
    gz = names[0].lower().endswith(".gz")
    blocks: dict[str, Any] = {"blocksize": None, "compression": "gzip"} if gz else {"blocksize": blocksize}
    if kind == "csv":
        return dd.read_csv(names, **options, **blocks)
    return dd.read_json(names, **options, **blocks)


def _normalised_ids(part: pd.DataFrame) -> pd.Series:
    return as_id(part["event_id"])[0].reset_index(drop=True)


def _duplicate_rows(ids: dd.Series, repeated: pd.Index, offsets: np.ndarray) -> pd.Series:
    """Input row -> row where the id was first seen, for every row repeating an earlier ``event_id``."""
    if len(repeated) == 0:
        return pd.Series(dtype=np.int64)
    wanted = set(repeated.tolist())
    parts = [
        delayed(_rows_with_ids)(part, int(offset), wanted) for part, offset in zip(ids.to_delayed(), offsets, strict=True)
    ]
    found: tuple[pd.Series, ...] = dask_compute(*parts)
    rows = pd.concat(found, ignore_index=False).sort_index()
    # Rows are in input order, so the first row of each id is where it was first seen.
    first = rows.index.to_series().groupby(rows.to_numpy(), sort=False).transform("first").to_numpy()
    dup = rows.index.to_numpy() != first
    return pd.Series(first[dup], index=rows.index[dup], dtype=np.int64)


def _rows_with_ids(ids: pd.Series, offset: int, wanted: set[str]) -> pd.Series:
    hit = ids[ids.isin(wanted)]
    return pd.Series(hit.to_numpy(), index=hit.index + offset, dtype=object)


def read_events(
    source: Any,
    *,
    columns: Mapping[str, str] | None = None,
    on_error: OnError = "raise",
    blocksize: str | int | None = "64MB",
    npartitions: int | None = None,
) -> DaskEventLog:
    """Read and validate events on the cluster, block by block, into a :class:`DaskEventLog`.

    Args:
        source: a path, glob or list of paths of CSV/TSV, Parquet (file or folder) or JSON Lines
            files (gzip allowed for text files); a dask DataFrame; or a pandas DataFrame (split
            into ``npartitions``).
        columns: maps your column names to the canonical ones, as in :func:`journeymap.read_events`.
        on_error: ``"raise"`` raises :class:`~journeymap.SchemaError` listing the first bad rows
            (this validates eagerly); ``"collect"`` keeps them in ``rejects``, lazily.
        blocksize: bytes per partition of CSV and JSON Lines files.
        npartitions: partitions for a pandas DataFrame source.

    Validation is the single-machine :func:`~journeymap.read_events`, with input row numbers
    counted across blocks and duplicate ``event_id`` values found across the whole input (one
    extra pass over the id column, which also counts the rows of each block).

    Example:
        >>> import pandas as pd
        >>> from journeymap.distributed import read_events
        >>> df = pd.DataFrame({"customer_id": ["a", "b", "c"], "timestamp": [1507704944, "soon", 1507708544]})
        >>> log = read_events(df, on_error="collect", npartitions=2)
        >>> log.rejects.compute()["row"].tolist()
        [1]
    """
    check_on_error(on_error)
    with dask.config.set({"dataframe.convert-string": False}):
        return _read_events(source, columns=columns, on_error=on_error, blocksize=blocksize, npartitions=npartitions)


def _read_events(
    source: Any, *, columns: Mapping[str, str] | None, on_error: OnError, blocksize: str | int | None, npartitions: int | None
) -> DaskEventLog:
    raw = _read_raw(source, blocksize, npartitions)
    _apply_column_map(raw._meta, columns)  # the same checks and messages as on one machine
    if columns:
        raw = raw.rename(columns=dict(columns))
    duplicates = pd.Series(dtype=np.int64)
    if "event_id" in raw.columns:
        # One pass over the id column: the block lengths and the ids seen more than once.
        ids = raw.map_partitions(_normalised_ids, meta=pd.Series(dtype="string", name="event_id"))
        counts = ids.dropna().value_counts(split_out=max(1, raw.npartitions // 8))
        block_lengths, repeated = dask_compute(ids.map_partitions(len), counts[counts > 1].index)
        lengths = np.asarray(block_lengths, dtype=np.int64)
        offsets = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
        duplicates = _duplicate_rows(ids, repeated, offsets)
    else:
        lengths = np.asarray(raw.map_partitions(len).compute(), dtype=np.int64)
        offsets = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    n_input = int(lengths.sum())

    logs = []
    for part, offset, length in zip(raw.to_delayed(), offsets, lengths, strict=True):
        mine = duplicates[(duplicates.index >= offset) & (duplicates.index < offset + length)]
        logs.append(delayed(validate_part)(part, on_error="collect", row_offset=int(offset), duplicates=mine, log_rejects=False))
    meta_log = validate_part(raw._meta, on_error="collect", duplicates=pd.Series(dtype=np.int64))
    events = dd.from_delayed([delayed(_attr)(log, "events") for log in logs], meta=meta_log.events, verify_meta=False)
    rejects = dd.from_delayed([delayed(_attr)(log, "rejects") for log in logs], meta=_empty_rejects(), verify_meta=False)
    if on_error == "raise":
        found = rejects.compute()
        if len(found):
            raise_invalid(found.sort_values("row", kind="stable").reset_index(drop=True), n_input)
    return DaskEventLog(events, rejects, n_input)


def _attr(obj: Any, name: str) -> Any:
    return getattr(obj, name)


# --------------------------------------------------------------------------- journeys


class DaskJourneySet(EventColumns):
    """Journeys on a cluster: events partitioned so that each journey lies in one partition.

    ``events`` is a dask DataFrame with the columns of :attr:`JourneySet.events
    <journeymap.JourneySet>` (``journey_id``, ``step``, ``stage`` added); within a partition
    journeys are contiguous and in step order. :meth:`compute` gives the in-memory
    :class:`~journeymap.JourneySet`, in the same order as :func:`journeymap.build_journeys`.

    Example:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas
        >>> djs = build_journeys(from_pandas(jm.datasets.service_journeys(30, seed=0), npartitions=3))
        >>> len(djs.compute()) == len(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
        True
    """

    def __init__(self, events: dd.DataFrame, stages: StageModel, *, by: str) -> None:
        self.events = events
        self.stages = stages
        self.by = by

    def __repr__(self) -> str:
        return f"DaskJourneySet({self.events.npartitions} partitions, by={self.by!r})"

    @property
    def npartitions(self) -> int:
        """Number of partitions."""
        return int(self.events.npartitions)

    @property
    def journeys(self) -> dd.DataFrame:
        """One row per journey (``customer_id``, ``start``, ``end``, ``n_steps``), lazily."""
        return self.events.map_partitions(journey_table, meta=journey_table(self.events._meta))

    def with_events(self, events: dd.DataFrame) -> DaskJourneySet:
        """The same journeys with new event columns (same partitions)."""
        return DaskJourneySet(events, self.stages, by=self.by)

    def persist(self) -> DaskJourneySet:
        """The same journeys computed and kept in (cluster) memory."""
        return self.with_events(self.events.persist())

    def compute(self) -> JourneySet:
        """The journeys as an in-memory :class:`~journeymap.JourneySet`."""
        return journey_set_from_events(self.events.compute(), self.stages, by=self.by)


def _thread_key_from_columns(part: pd.DataFrame) -> pd.DataFrame:
    key = part["thread_id"].astype("string").fillna(part["event_id"]) if "thread_id" in part else part["event_id"]
    return part.assign(**{_KEY: key.astype("string")})


def _attach_key(part: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    return part.assign(**{_KEY: keys.reindex(part.index).astype("string")})


def _with_thread_key(events: dd.DataFrame) -> dd.DataFrame:
    """The events with the journey key of ``by="thread"``: the thread id, else the reply-tree root."""
    has_thread, has_reply = "thread_id" in events.columns, "in_reply_to" in events.columns
    if not has_thread and not has_reply:
        msg = "by='thread' needs a thread_id or in_reply_to column; use by='customer' for these events"
        raise SchemaError(msg)
    meta = _thread_key_from_columns(events._meta)
    unresolved = 0
    if has_reply:
        open_reply = ~events["in_reply_to"].isna()
        if has_thread:
            open_reply &= events["thread_id"].isna()
        unresolved = int(open_reply.sum().compute())
    if unresolved == 0:
        return events.map_partitions(_thread_key_from_columns, meta=meta)
    # Replies without a thread id: the roots of their reply trees, found from the id columns alone.
    logger.info("resolving %d replies without a thread_id from the reply trees", unresolved)
    id_columns = ["event_id", "in_reply_to", *(["thread_id"] if has_thread else [])]
    ids = events[id_columns].compute()
    tree = reply_tree(ids["event_id"], ids["in_reply_to"])
    roots = pd.Series(ids["event_id"].to_numpy()[tree.root], index=ids.index, dtype="string")
    key = ids["thread_id"].astype("string").fillna(roots) if has_thread else roots
    key = key.fillna(ids["event_id"].astype("string"))
    return events.map_partitions(_attach_key, delayed(key), meta=meta)


def _build_part(part: pd.DataFrame, *, by: str, gap: str | pd.Timedelta, stages: StageModel) -> pd.DataFrame:
    frame = part
    if by == "thread":
        # The key was found across all partitions; the single-machine build reads it as thread_id.
        original = part["thread_id"] if "thread_id" in part.columns else None
        frame = part.drop(columns=[_KEY]).assign(thread_id=part[_KEY])
    log = EventLog(events=frame, rejects=_empty_rejects(), warnings=_empty_rejects(), n_input=len(frame))
    events = build_local(log, by=by, gap=gap, stages=stages).events  # type: ignore[arg-type]
    if by == "thread":
        if original is None:
            events = events.drop(columns="thread_id")
        else:
            events["thread_id"] = original.reindex(events.index)
    return events


def build_journeys(
    log: DaskEventLog | dd.DataFrame,
    *,
    by: Literal["thread", "customer"] = "thread",
    gap: str | pd.Timedelta = "7D",
    stages: StageModel | Mapping[str, str] | None = None,
    npartitions: int | None = None,
    shuffle_method: str | None = None,
) -> DaskJourneySet:
    """Group events into journeys on the cluster: :func:`journeymap.build_journeys` per partition.

    The events are shuffled by journey key (thread, or customer for ``by="customer"``), so that
    every journey lies in one partition, and each partition is built by the single-machine code.
    Replies whose ``thread_id`` is missing are placed by their reply tree, which is resolved
    from the id columns gathered once (about 100 bytes per event); with a complete
    ``thread_id`` nothing is gathered.

    Args:
        log: a :class:`DaskEventLog`, or a dask DataFrame (validated with ``on_error="raise"``).
        by: ``"thread"`` or ``"customer"``, as in :func:`journeymap.build_journeys`.
        gap: the inactivity gap for ``by="customer"``.
        stages: a StageModel, a ``{touchpoint: stage}`` mapping or None (the service model).
        npartitions: partitions after the shuffle (default: as many as before).
        shuffle_method: dask's shuffle method (``"tasks"``, ``"p2p"``, ``"disk"``; default: dask's choice).

    Example:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas
        >>> djs = build_journeys(from_pandas(jm.datasets.service_journeys(20, seed=0), npartitions=2), by="customer")
        >>> djs.compute().by
        'customer'
    """
    check_by(by)
    if by == "customer":
        gap_nanoseconds(gap)
    stage_model = resolve_stages(stages)
    if isinstance(log, dd.DataFrame):
        log = read_events(log, on_error="raise")
    if not isinstance(log, DaskEventLog):
        msg = f"log must be a DaskEventLog or a dask DataFrame, got {type(log).__name__}"
        raise TypeError(msg)
    events = log.events
    key = "customer_id"
    if by == "thread":
        events, key = _with_thread_key(events), _KEY
    shuffled = events.shuffle(on=key, npartitions=npartitions, shuffle_method=shuffle_method)
    build = functools.partial(_build_part, by=by, gap=gap, stages=stage_model)
    built = shuffled.map_partitions(build, meta=build(shuffled._meta))
    return DaskJourneySet(built, stage_model, by=by)


# --------------------------------------------------------------------------- scoring

_SCORERS: dict[tuple[str, tuple[tuple[str, Any], ...]], EmotionScorer] = {}
_SCORERS_LOCK = threading.Lock()
ScorerSpec = tuple[str, tuple[tuple[str, Any], ...]]


def worker_scorer(spec: ScorerSpec) -> EmotionScorer:
    """The scorer named by ``spec`` (name, options), loaded once per process and then reused.

    On a cluster this runs in each worker process, so every worker loads the model once, however
    many partitions it scores. Threads of one worker share it (scoring is read-only).
    """
    with _SCORERS_LOCK:
        scorer = _SCORERS.get(spec)
        if scorer is None:
            name, options = spec
            logger.info("loading scorer %r in this worker", name)
            scorer = _SCORERS[spec] = get_scorer(name, **dict(options))
        return scorer


def clear_scorers() -> None:
    """Forget the scorers loaded by :func:`worker_scorer` in this process (frees their memory).

    On a cluster, run it on the workers: ``client.run(clear_scorers)``.
    """
    with _SCORERS_LOCK:
        _SCORERS.clear()


def _labels(spec: ScorerSpec) -> list[str]:
    return list(worker_scorer(spec).taxonomy.labels)


def _load_everywhere(spec: ScorerSpec) -> list[str]:
    """Load the scorer on every worker at once (with a distributed client) and return its labels.

    Loading in parallel up front keeps workers from loading one after the other as their first
    scoring task arrives. Without a distributed client the scorer loads in this process.
    """
    try:
        from distributed import default_client

        client = default_client()
    except (ImportError, ValueError):
        client = None
    workers = list(client.scheduler_info()["workers"]) if client is not None else []
    if client is None or not workers:  # no cluster, or one still scaling up from zero workers
        labels: list[str] = delayed(_labels)(spec).compute()
        return labels
    futures = [client.submit(_labels, spec, workers=[w], allow_other_workers=False, pure=False) for w in workers]
    return list(client.gather(futures)[0])


_TEXT_KEY = "__score_text__"
_ROW = "__row__"
_POS = "__position__"


def _texts_to_score(part: pd.DataFrame, *, agents: bool) -> pd.DataFrame:
    """The partition with the text key of the rows to score (NA for the others) and the row order kept."""
    out = without_scores(part)
    out[_TEXT_KEY] = part["text"].astype("string").where(scored_rows(part, agents=agents))
    out[_ROW] = part.index.to_numpy()
    out[_POS] = np.arange(len(part), dtype=np.int64)
    return out.reset_index(drop=True)


def _score_unique(texts: pd.DataFrame, scorer: ScorerSpec | EmotionScorer, *, cache: bool | str | Path) -> pd.DataFrame:
    """Scores of a partition of unique texts, keyed by text."""
    obj = worker_scorer(scorer) if isinstance(scorer, tuple) else scorer
    frame = pd.DataFrame({"text": texts[_TEXT_KEY].astype("string"), "actor": "customer"})
    scored = score_frame(frame, obj, cache=cache, agents=True, progress=False)
    return scored.drop(columns=["actor"]).rename(columns={"text": _TEXT_KEY}).reset_index(drop=True)


def _restore(part: pd.DataFrame) -> pd.DataFrame:
    """Rows back in their partition order (journeys in step order) and index; the join keys dropped."""
    if not part[_POS].is_monotonic_increasing:  # a left join keeps the order; this is a safeguard
        part = part.sort_values(_POS, kind="stable")
    index = pd.Index(part[_ROW].to_numpy(), name=None)
    return part.drop(columns=[_TEXT_KEY, _ROW, _POS]).set_axis(index, axis=0)


def _scored_meta(meta: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    out = without_scores(meta)
    new = pd.DataFrame({f"emo_{lab}": pd.Series(dtype=np.float32) for lab in labels}, index=out.index)
    new["emotion"] = pd.Series(dtype="string")
    new["valence"] = pd.Series(dtype=np.float32)
    new["scorer"] = pd.Series(dtype="string")
    return pd.concat([out, new], axis=1)


def score(
    journeys: DaskJourneySet | dd.DataFrame,
    scorer: str | EmotionScorer = "default",
    *,
    cache: bool | str | Path = True,
    batch_size: int | None = None,
    agents: bool = False,
    scorer_options: Mapping[str, Any] | None = None,
) -> Any:
    """Add emotion columns on the cluster, as :func:`journeymap.score` does on one machine.

    Identical texts are scored once across the whole cluster, as on one machine: the texts to
    score are deduplicated (a hash-partitioned ``drop_duplicates``), each partition of unique
    texts is scored in length-sorted batches, and the scores are joined back to the events
    from a one-partition score table, so the events keep their partitions (whole journeys) and
    their order.

    A scorer given by name (a registered name, hub id or model path) is loaded once in each
    worker process and kept for every partition it scores (see :func:`worker_scorer`); a
    scorer object is pickled and sent with the tasks instead, so prefer a name, with
    ``scorer_options`` for its constructor (``{"precision": "float32"}``, say; ``batch_size`` is
    one of them). The score cache is the worker's: ``cache=True`` is the user cache directory
    on each worker machine, a path must be reachable from the workers (SQLite needs a local or
    otherwise lock-safe file system).

    Returns the same type as given: a :class:`DaskJourneySet` or a dask DataFrame, lazily.
    A named scorer is first loaded on every worker at once (which also gives its labels).

    Example:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas, score
        >>> djs = score(build_journeys(from_pandas(jm.datasets.service_journeys(10, seed=0))), cache=False)
        >>> bool(djs.compute().events["valence"].notna().any())
        True
    """
    if isinstance(journeys, DaskJourneySet):
        events = journeys.events
    elif isinstance(journeys, dd.DataFrame):
        events = journeys
    else:
        msg = f"journeys must be a DaskJourneySet or a dask DataFrame, got {type(journeys).__name__}"
        raise TypeError(msg)
    if "text" not in events.columns:
        msg = f"score needs a 'text' column; found: {list(events.columns)}"
        raise JourneyMapError(msg)
    spec: ScorerSpec | EmotionScorer
    if isinstance(scorer, str):
        options = dict(scorer_options or {})
        if batch_size is not None:
            options["batch_size"] = batch_size
        spec = (scorer, tuple(sorted(options.items())))
        labels = _load_everywhere(spec)
    else:
        if scorer_options:
            msg = "scorer_options apply to a scorer given by name; this scorer object is already built"
            raise ValueError(msg)
        spec = get_scorer(scorer)
        labels = list(spec.taxonomy.labels)
    meta = _scored_meta(events._meta, labels)
    keyed_meta = _texts_to_score(events._meta, agents=agents)
    keyed = events.map_partitions(functools.partial(_texts_to_score, agents=agents), meta=keyed_meta)
    unique = keyed[[_TEXT_KEY]].dropna().drop_duplicates(split_out=events.npartitions)
    table_meta = meta[[c for c in meta.columns if is_score_column(c)]].copy()
    table_meta.insert(0, _TEXT_KEY, pd.Series(dtype="string"))
    table = unique.map_partitions(functools.partial(_score_unique, scorer=spec, cache=cache), meta=table_meta)
    # The score table (one row per distinct text) in one partition: each partition of events is
    # joined to it where it lies, and the events never move.
    joined = keyed.merge(table.repartition(npartitions=1), how="left", on=_TEXT_KEY)
    scored = joined.map_partitions(_restore, meta=meta)
    if isinstance(journeys, DaskJourneySet):
        return journeys.with_events(scored)
    return scored


# --------------------------------------------------------------------------- tree reductions


def _require_scored(js: Any, what: str) -> DaskJourneySet:
    if isinstance(js, JourneySet):
        msg = f"{what} here is the distributed version and needs a DaskJourneySet; for a JourneySet use journeymap.{what}"
        raise TypeError(msg)
    if not isinstance(js, DaskJourneySet):
        msg = f"{what} needs a DaskJourneySet (from journeymap.distributed.build_journeys), got {type(js).__name__}"
        raise TypeError(msg)
    if not js.is_scored:
        msg = f"{what} needs emotion columns: run journeymap.distributed.score(js) first"
        raise JourneyMapError(msg)
    return js


def _merge_all(*partials: Any) -> Any:
    return functools.reduce(lambda a, b: a.merge(b), partials)


def tree_reduce(events: dd.DataFrame, chunk: Callable[[pd.DataFrame], Any], *, split_every: int = SPLIT_EVERY) -> Delayed:
    """``chunk`` on every partition, then its results merged ``split_every`` at a time up a tree.

    The partials must have a ``merge`` method that is associative; the result is a Delayed.
    """
    level = [delayed(chunk)(part) for part in events.to_delayed()]
    while len(level) > 1:
        level = [delayed(_merge_all)(*level[i : i + split_every]) for i in range(0, len(level), split_every)]
    return level[0]


def _moments(part: pd.DataFrame, steps: pd.DataFrame, *, key: pd.Series, label: pd.Series) -> GroupMoments:
    """GroupMoments of the valence of the given steps of a partition."""
    return GroupMoments.of(
        pd.DataFrame(
            {
                "key": key,
                "value": steps["valence"],
                "negative": steps["negative"],
                "positive": steps["positive"],
                "label": label,
                "start": journey_starts(part).reindex(steps.index),
                "journey_id": steps["journey_id"],
                "step": part["step"].reindex(steps.index),
            }
        )
    )


def _summary_chunk(part: pd.DataFrame, *, level: str) -> GroupMoments:
    steps = customer_steps(part, level)
    return _moments(part, steps, key=steps["key"], label=steps["emotion"])


def touchpoint_summary(
    js: DaskJourneySet, *, level: Literal["touchpoint", "stage"] = "touchpoint", seed: int = 0
) -> pd.DataFrame:
    """:func:`journeymap.touchpoint_summary` as a tree reduction; the same frame, computed.

    Example:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas, touchpoint_summary
        >>> from journeymap.testing.data import planted_scores
        >>> log = from_pandas(jm.datasets.service_journeys(30, seed=0), npartitions=2)
        >>> djs = build_journeys(log)
        >>> djs = djs.with_events(djs.events.map_partitions(planted_scores))
        >>> touchpoint_summary(djs, level="stage").index[0]
        'contact'
    """
    djs = _require_scored(js, "touchpoint_summary")
    m: GroupMoments = tree_reduce(djs.events, functools.partial(_summary_chunk, level=_level(level))).compute()
    rows = {}
    for key in m.keys():  # noqa: SIM118 - GroupMoments is not a mapping
        n, neg, pos = m.count(key), m.count(key, "neg"), m.count(key, "pos")
        rows[key] = summary_row(n=n, mean=m.mean(key), ci=m.ci(key, seed=seed), neg=neg, pos=pos, top=m.top(key))
    return summary_frame(rows, level, djs.stages.names)


def _graph_chunk(part: pd.DataFrame, *, level: str) -> NodeStats:
    f, pairs = graph_steps(part, level)
    g = f.groupby("key", sort=True)
    steps = pd.DataFrame({"volume": g.size(), "rank_sum": g["stage_code"].sum()}).astype(np.float64)
    cust = f[f["customer"] & f["scored"]]
    moments = _moments(part, cust, key=cust["key"], label=part["emotion"].reindex(cust.index))
    edges, seconds = edge_partial(pairs)
    max_rank = float(f["stage_code"].max()) if len(f) else -np.inf
    return NodeStats(steps, moments, edges, seconds, int(f["journey_id"].nunique()), max_rank)


def journey_graph(js: DaskJourneySet, *, level: Literal["touchpoint", "stage"] = "touchpoint") -> nx.DiGraph:
    """:func:`journeymap.journey_graph` as a tree reduction; the same graph.

    Node and edge statistics are merged from partitions: counts and sums add, valence moments
    merge exactly, intervals use the gathered values of small nodes (as the bootstrap does on one
    machine), and the median durations come from exact duration counts.

    Example:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas, journey_graph
        >>> from journeymap.testing.data import planted_scores
        >>> djs = build_journeys(from_pandas(jm.datasets.service_journeys(30, seed=0), npartitions=2))
        >>> djs = djs.with_events(djs.events.map_partitions(planted_scores))
        >>> journey_graph(djs, level="stage").has_edge("__start__", "contact")
        True
    """
    djs = _require_scored(js, "journey_graph")
    s: NodeStats = tree_reduce(djs.events, functools.partial(_graph_chunk, level=_level(level))).compute()
    m = s.customer
    nodes = {}
    for key in sorted(map(str, s.steps.index)):
        volume = int(s.steps["volume"].get(key, 0))
        n_cust = m.count(key)
        nodes[key] = node_attrs(
            volume=volume,
            rank=float(s.steps["rank_sum"].get(key, 0.0)) / volume,
            n_cust=n_cust,
            mean=m.mean(key) if n_cust else float("nan"),
            ci=m.ci(key) if n_cust else (float("nan"), float("nan")),
            neg=m.count(key, "neg"),
            top=m.top(key) if n_cust else "",
        )
    edges = pd.DataFrame(
        {
            "count": s.edges["count"].astype(np.int64),
            "mean_valence_change": s.edges["dv_sum"] / s.edges["dv_n"],
            "median_seconds": s.median_seconds().reindex(s.edges.index),
        }
    )
    max_rank = s.max_rank if np.isfinite(s.max_rank) else 0.0
    return assemble_graph(level, s.n_journeys, max_rank, nodes, edges)


def _hours_chunk(part: pd.DataFrame, *, tz: str) -> HourStats:
    return HourStats.of(hour_frame(part, tz))


def time_patterns(js: DaskJourneySet, *, tz: str = "UTC") -> pd.DataFrame:
    """:func:`journeymap.time_patterns` as a tree reduction; the same 168 rows.

    Example:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas, time_patterns
        >>> from journeymap.testing.data import planted_scores
        >>> djs = build_journeys(from_pandas(jm.datasets.service_journeys(20, seed=0), npartitions=2))
        >>> len(time_patterns(djs.with_events(djs.events.map_partitions(planted_scores))))
        168
    """
    djs = _require_scored(js, "time_patterns")
    h: HourStats = tree_reduce(djs.events, functools.partial(_hours_chunk, tz=tz)).compute()
    return patterns_frame(h.stats())
