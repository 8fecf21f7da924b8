"""Scoring on a Dask cluster: :func:`score`, with one scorer per worker process."""

from __future__ import annotations

import copy
import functools
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import pandas as pd
from dask.delayed import delayed

from journeymap._flags import check_flag
from journeymap.distributed.journeys import DaskJourneySet, text_events
from journeymap.emotions.registry import get_scorer
from journeymap.emotions.score import (
    NO_TEXT,
    SERVICE_PRIOR,
    Prior,
    actor_notes,
    check_prior,
    has_brand_messages,
    scored_rows,
    service_count_unsaid,
    service_rows,
    warn_user_columns,
    without_scores,
    wordless_rows,
)
from journeymap.emotions.score import score as score_frame
from journeymap.exceptions import InvalidArgumentError
from journeymap.io.validation import as_text
from journeymap.schema import EMOTION_COLUMNS, is_score_column, score_column

if TYPE_CHECKING:
    from collections.abc import Sequence

    import dask.dataframe as dd

    from journeymap.emotions.cache import CacheOption
    from journeymap.emotions.scorer import EmotionScorer
    from journeymap.emotions.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

__all__ = ["clear_scorers", "score", "worker_scorer"]

#: Scorers built by :func:`worker_scorer` in this process, least recently used first: one per
#: network (the spec without ``batch_size``, as ``repr``: options may hold lists or dicts), each
#: with the views of it for other batch sizes (same network, keyed by batch size).
_SCORERS: OrderedDict[str, dict[object, EmotionScorer]] = OrderedDict()
_SCORERS_LOCK = threading.Lock()  # a forked child gets a fresh one (_fresh_lock_after_fork)
#: Networks kept per process at most; the least recently used is forgotten first.
MAX_SCORERS = 4
ScorerSpec = tuple[str, tuple[tuple[str, Any], ...]]
#: The options that only say how texts are batched, not which network reads them or its numbers.
_BATCHING_OPTIONS = frozenset({"batch_size"})


def _fresh_lock_after_fork() -> None:
    """In a forked child: a new ``_SCORERS_LOCK`` (another thread of the parent may have held it at the fork)."""
    global _SCORERS_LOCK  # noqa: PLW0603 - the lock is the process's; the child's is a new one
    _SCORERS_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):  # once, at import (not on Windows)
    os.register_at_fork(after_in_child=_fresh_lock_after_fork)


def _with_batch_size(base: EmotionScorer, batch_size: object) -> EmotionScorer | None:
    """``base`` reading in batches of ``batch_size``, sharing its network; None where that cannot be done safely.

    A shallow copy of a built-in batching scorer with its own ``batch_size``: threads may score
    with both at once, as each reads its own batch size. A network still to be built
    (:class:`~journeymap.emotions._batching.LazyNetworkScorer`) is built once, by ``base``, on
    the first text either reads. Another scorer (a plugin's) is built again with the option.
    """
    from journeymap.emotions import _batching

    if not isinstance(base, _batching.SortedBatchScorer):
        return None
    view = copy.copy(base)
    view.batch_size = _batching.check_batch_size(batch_size)
    if isinstance(base, _batching.LazyNetworkScorer):  # copied without the network (its __getstate__)
        setattr(view, "_load", base._load)  # noqa: B010 - the copy builds no network of its own: base's
    return view


def _network_options(options: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
    """``options`` as a key of the network they build: a ``device`` the same as the default's is left out.

    ``device=None`` (the default: a GPU when present, else the CPU), no ``device``, and the
    device the default picks (``"cpu"`` on a machine without a GPU; ``"cuda"`` and ``"cuda:0"``
    for the current GPU) build one network (:func:`~journeymap.emotions._batching.device_key`).
    Other devices are keyed by the device they name.

    Examples:
        >>> _network_options((("device", None), ("precision", "int8")))
        (('precision', 'int8'),)
    """
    if not any(k == "device" for k, _ in options):
        return options
    from journeymap.emotions import _batching

    default = _batching.device_key(None)
    out = []
    for k, v in options:
        if k == "device":
            v = _batching.device_key(v)  # noqa: PLW2901 - the key of the value, in its place
            if v == default:
                continue
        out.append((k, v))
    return tuple(out)


def worker_scorer(spec: ScorerSpec) -> EmotionScorer:
    """The scorer named by ``spec`` (name, options), loaded once per process and then reused.

    On a cluster this runs in each worker process, so every worker loads the model once, however
    many partitions it scores. Threads of one worker share it (scoring is read-only).

    Options that only batch the texts (``batch_size``) build no other model: specs that differ in
    them alone share one network (a built-in scorer's copy reads in its own batch size). At most
    :data:`MAX_SCORERS` networks (4) are kept per process, the least recently used forgotten
    first. Without a cluster (:func:`score` with no distributed client), this process is the
    worker: the model stays in the calling process after the call, until :func:`clear_scorers`
    (or until more than :data:`MAX_SCORERS` other networks were asked for since).

    Examples:
        >>> scorer = worker_scorer(("default", ()))  # built here, its weights read on first use
        >>> type(scorer).__name__, worker_scorer(("default", ())) is scorer
        ('DefaultScorer', True)
        >>> other = worker_scorer(("default", (("batch_size", 8),)))  # the same network, read 8 texts at a time
        >>> other.batch_size, other.model is scorer.model
        (8, True)
        >>> clear_scorers()
    """
    name, options = spec
    shared = tuple((k, v) for k, v in options if k not in _BATCHING_OPTIONS)
    asked = dict(options)
    network, batching = repr((name, _network_options(shared))), repr(tuple((k, v) for k, v in options if k in _BATCHING_OPTIONS))
    with _SCORERS_LOCK:
        built = _SCORERS.get(network)
        fresh = built is None
        if built is None:  # the network's scorer with its own batching, then a view of it for the batching asked
            logger.info("loading scorer %r in this worker", name)
            built = _SCORERS[network] = {"()": get_scorer(name, **dict(shared))}
            while len(_SCORERS) > MAX_SCORERS:
                forgotten, _ = _SCORERS.popitem(last=False)
                logger.info("forgot the scorer %s in this worker (more than %d networks asked for)", forgotten, MAX_SCORERS)
        _SCORERS.move_to_end(network)
        scorer = built.get(batching)
        if scorer is None:
            base = built.get("()")
            view = _with_batch_size(base, asked["batch_size"]) if base is not None else None
            if view is None:  # not a batching scorer of journeymap's (a plugin's): built with the option
                logger.info("loading scorer %r in this worker", name)
                if fresh:  # built above only to be the source of views: not kept
                    del built["()"]
                view = get_scorer(name, **asked)
            scorer = built[batching] = view
        return scorer


def clear_scorers() -> None:
    """Forget the scorers loaded by :func:`worker_scorer` in this process (frees their memory).

    On a cluster, run it on the workers: ``client.run(clear_scorers)``. Without a cluster, the
    calling process is the worker, and :func:`score` by name leaves its model loaded there: call
    ``clear_scorers()`` in it to free that memory.

    Examples:
        >>> scorer = worker_scorer(("default", ()))
        >>> clear_scorers()
        >>> worker_scorer(("default", ())) is scorer  # built again
        False
        >>> clear_scorers()
    """
    with _SCORERS_LOCK:
        _SCORERS.clear()


def _taxonomy(spec: ScorerSpec) -> Taxonomy:
    return worker_scorer(spec).taxonomy


def _load_everywhere(spec: ScorerSpec) -> tuple[list[str], Taxonomy]:
    """Load the scorer on every worker at once (with a distributed client); its labels and taxonomy.

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
        taxonomy: Taxonomy = delayed(_taxonomy)(spec).compute()
    else:
        futures = [client.submit(_taxonomy, spec, workers=[w], allow_other_workers=False, pure=False) for w in workers]
        taxonomy = client.gather(futures)[0]
    return list(taxonomy.labels), taxonomy


_TEXT_KEY = "__score_text__"
_ROLE = "\x1f"  # between the role and the text in a key of service scoring (not NUL: pandas 2.2 hashes strings up to one)
_ROW = "__row__"
_POS = "__position__"
#: score_note of a row it is known for before scoring: NO_TEXT (a message score would read, but
#: without text), or why its actor is not read (missing, unknown: :func:`actor_notes`)
_NOTE = "__note__"


def _texts_to_score(part: pd.DataFrame, *, agents: bool, service: bool = False) -> pd.DataFrame:
    """The partition with the text key of the rows to score (NA for the others) and the row order kept.

    With ``service`` the key also says whose text it is (``c``: a customer's, read with the
    customer-service prior; ``b``: the brand's), since one text reads differently for each.
    """
    out = without_scores(part)
    mask = scored_rows(part, agents=agents)
    key = part["text"].astype("string").where(mask)
    if service:
        customer = np.asarray(service_rows(part, mask, "service"), dtype=bool)
        # joined as Python strings in object arrays: pandas 2.2's "string" + "\x00" dropped the NUL
        # (as numpy's fixed-width strings do), and the role's slice then ate the text's first letter
        prefix = np.array(["b" + _ROLE, "c" + _ROLE], dtype=object)[customer.astype(np.intp)]
        text = key.to_numpy(dtype=object)  # its missing values are not read
        present = key.notna().to_numpy(dtype=bool)
        joined = np.full(len(key), None, dtype=object)
        joined[present] = prefix[present] + text[present]
        key = pd.Series(joined, index=part.index, dtype="string")
    out[_TEXT_KEY] = key
    note = actor_notes(part, as_text(part["text"])[0]) if not agents else pd.Series(pd.NA, index=part.index, dtype="string")
    out[_NOTE] = note.mask(pd.Series(wordless_rows(part, mask, agents=agents), index=part.index), NO_TEXT).to_numpy()
    out[_ROW] = part.index.to_numpy()
    out[_POS] = np.arange(len(part), dtype=np.int64)
    return out.reset_index(drop=True)


class _Given:
    """A scorer object sent with the tasks, named in the task graph by its id and identity.

    Dask names each task by a token of its arguments. Without this, a scorer object is tokenized
    by pickling it. A class defined inside a function is pickled by value, and those bytes can
    differ between two pickles of the same object (they follow hash randomisation), so dask
    refused such a scorer with ``TokenizationError``.
    """

    __slots__ = ("scorer",)

    def __init__(self, scorer: EmotionScorer) -> None:
        self.scorer = scorer

    def __dask_tokenize__(self) -> tuple[str, str, int]:
        return ("journeymap-scorer", str(getattr(self.scorer, "id", type(self.scorer).__qualname__)), id(self.scorer))


Built = ScorerSpec | _Given


def _built(spec: Built) -> EmotionScorer:
    return worker_scorer(spec) if isinstance(spec, tuple) else spec.scorer


def _score_unique(
    texts: pd.DataFrame, scorer: Built | dict[str, Built], *, cache: CacheOption, service: bool = False
) -> pd.DataFrame:
    """Scores of a partition of unique texts, keyed by text (with ``service``, by role and text)."""
    obj: EmotionScorer | dict[str, EmotionScorer]
    obj = {lang: _built(s) for lang, s in scorer.items()} if isinstance(scorer, dict) else _built(scorer)
    key = texts[_TEXT_KEY].astype("string")
    if service:
        role, text = key.str.slice(0, 1), key.str.slice(2)
        frame = pd.DataFrame({"text": text, "actor": role.map({"c": "customer", "b": "agent"})})
    else:
        frame = pd.DataFrame({"text": key, "actor": "customer"})
    with service_count_unsaid():  # a count per partition of texts: score() says it once, when called
        scored = score_frame(frame, obj, cache=cache, agents=True, progress=False, prior="service" if service else "none")
    scored = scored.drop(columns=["actor", "text"])
    scored.insert(0, _TEXT_KEY, key.to_numpy())
    return scored.reset_index(drop=True)


def _reads_as_service(events: Any, prior: str) -> bool:
    """Whether customer messages are read with the customer-service prior (:func:`journeymap.score`'s rule)."""
    if check_prior(prior) != "auto" or "actor" not in events.columns:
        return prior == "service"
    return bool(events.map_partitions(has_brand_messages, meta=(None, bool)).any().compute())


def _restore(part: pd.DataFrame, name: Any = None) -> pd.DataFrame:
    """Rows back in their partition order (journeys in step order) and index (its ``name`` too); the join keys dropped."""
    if not part[_POS].is_monotonic_increasing:  # a left join keeps the order; this is a safeguard
        part = part.sort_values(_POS, kind="stable")
    index = pd.Index(part[_ROW].to_numpy(), name=name)
    note = part[_NOTE].astype("string")
    out = part.drop(columns=[_TEXT_KEY, _ROW, _POS, _NOTE]).set_axis(index, axis=0)
    noted = note.notna().to_numpy(dtype=bool)
    if noted.any():
        out["score_note"] = out["score_note"].where(~noted, note.to_numpy(dtype=object))
    return out


def _scored_meta(meta: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    out = without_scores(meta)
    new = pd.DataFrame({score_column(lab): pd.Series(dtype=np.float32) for lab in labels}, index=out.index)
    for name in EMOTION_COLUMNS:
        new[name] = pd.Series(dtype=np.float32 if name in {"valence", "irony"} else "string")
    return pd.concat([out, new], axis=1)


@overload
def score(
    journeys: DaskJourneySet,
    scorer: str | EmotionScorer | Mapping[str, str | EmotionScorer] = "default",
    *,
    cache: CacheOption = True,
    batch_size: int | None = None,
    agents: bool = False,
    progress: bool | None = None,
    scorer_options: Mapping[str, Any] | None = None,
    prior: Prior = "auto",
) -> DaskJourneySet: ...
@overload
def score(
    journeys: dd.DataFrame,
    scorer: str | EmotionScorer | Mapping[str, str | EmotionScorer] = "default",
    *,
    cache: CacheOption = True,
    batch_size: int | None = None,
    agents: bool = False,
    progress: bool | None = None,
    scorer_options: Mapping[str, Any] | None = None,
    prior: Prior = "auto",
) -> dd.DataFrame: ...
def score(
    journeys: DaskJourneySet | dd.DataFrame,
    scorer: str | EmotionScorer | Mapping[str, str | EmotionScorer] = "default",
    *,
    cache: CacheOption = True,
    batch_size: int | None = None,
    agents: bool = False,
    progress: bool | None = None,
    scorer_options: Mapping[str, Any] | None = None,
    prior: Prior = "auto",
) -> DaskJourneySet | dd.DataFrame:
    """Add emotion columns on the cluster, as :func:`journeymap.score` does on one machine.

    Identical texts are scored once across the whole cluster, as on one machine: the texts to
    score are deduplicated (a hash-partitioned ``drop_duplicates``, by dask's task shuffle, as
    :func:`~journeymap.distributed.build_journeys` shuffles by default), each partition of unique
    texts is scored in length-sorted batches, and the scores are joined back to the events
    from a one-partition score table, so the events keep their partitions (whole journeys) and
    their order.

    A scorer given by name (a registered name, hub id or model path) is loaded once in each
    worker process and kept for every partition it scores (see :func:`worker_scorer`); a
    scorer object is pickled and sent with the tasks instead, so prefer a name, with
    ``scorer_options`` for its constructor (``{"precision": "float32"}``, say; ``batch_size`` is
    one of them; scorers that differ in ``batch_size`` alone share one network, and a worker keeps
    at most four networks). Without a distributed client, the calling process is the worker: a
    scorer given by name stays loaded in it after the call (about 110 MB for the default), to be
    reused by the next call, until :func:`clear_scorers` is called. The score cache is the
    worker's: ``cache=True`` is the user cache directory on each worker machine, a path must be
    reachable from the workers (SQLite needs a local or otherwise lock-safe file system).

    ``progress`` is taken for the same call to work on both (``jm.score(data, progress=False)``)
    and has no effect here: the progress of a cluster's work is its dashboard's.

    Args:
        journeys: a :class:`DaskJourneySet` or a dask DataFrame of events.
        scorer: a name, hub id or path (built once per worker), a scorer object, or a mapping
            from language code to either, as for :func:`journeymap.score`.
        cache: the worker's score cache: True, a path reachable from the workers, or False.
        batch_size: passed to scorers built by name.
        agents: also score the brand's (agent, bot, system) texts.
        progress: taken for the same call on both; no effect on a cluster.
        scorer_options: constructor options for scorers given by name.
        prior: how customer messages are read, as for :func:`journeymap.score`; ``"auto"``
            looks for brand messages in one pass over the events' ``actor`` column, computed
            when ``score`` is called (pass ``"service"`` or ``"none"`` to keep the call lazy).

    Returns the same type as given: a :class:`DaskJourneySet` or a dask DataFrame, lazily
    (but for ``prior="auto"``'s one pass over ``actor``).
    A named scorer is first loaded on every worker at once (which also gives its labels).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.distributed import build_journeys, from_pandas, score
        >>> log = jm.datasets.service_journeys(10, seed=0)
        >>> events = score(build_journeys(from_pandas(log, npartitions=2)), cache=False).compute().events
        >>> events.groupby("actor", observed=True)["valence"].count().to_dict()  # the customer's messages (agents=False)
        {'customer': 45, 'agent': 0}
        >>> local = jm.score(jm.build_journeys(log), cache=False).events  # as on one machine:
        >>> bool((events["emotion"].fillna("") == local["emotion"].fillna("")).all())
        True
        >>> bool(np.allclose(events["valence"], local["valence"], atol=1e-5, equal_nan=True))
        True
    """
    check_flag(progress, "progress", none=True)  # checked as on one machine; the dashboard shows the cluster's progress
    agents = check_flag(agents, "agents")
    check_prior(prior)  # before any model is loaded on the workers
    events = text_events(journeys, "score")
    warn_user_columns(events._meta)  # the columns alone tell, as on one machine
    options = dict(scorer_options or {})
    if batch_size is not None:
        options["batch_size"] = batch_size

    def build(one: str | os.PathLike[str] | EmotionScorer) -> tuple[Built, Taxonomy]:
        if isinstance(one, os.PathLike):  # a path, as journeymap.score reads it: loaded on each worker
            from journeymap.emotions.transformer import path_name

            one = path_name(one)
        if isinstance(one, str):
            named: ScorerSpec = (one, tuple(sorted(options.items())))
            return named, _load_everywhere(named)[1]
        if scorer_options:
            msg = "scorer_options apply to a scorer given by name; this scorer object is already built"
            raise InvalidArgumentError(msg)
        obj = get_scorer(one)
        return _Given(obj), obj.taxonomy

    spec: Built | dict[str, Built]
    if isinstance(scorer, Mapping):
        if not scorer:
            msg = "scorer mapping is empty; give at least {'en': 'default'}"
            raise InvalidArgumentError(msg)
        specs = {str(lang): build(one) for lang, one in scorer.items()}
        spec = {lang: built for lang, (built, _) in specs.items()}
        taxonomy = (specs.get("en") or next(iter(specs.values())))[1]
    else:
        spec, taxonomy = build(scorer)
    labels = list(taxonomy.labels)
    meta = _scored_meta(events._meta, labels)
    service = _reads_as_service(events, prior)
    if service:  # once, here: the workers score partitions of texts, each of which would count its own
        logger.info(
            "customer messages are read with the customer-service prior %s where the scorer says its calibration "
            "(counted on one machine only: the cluster scores distinct texts)",
            SERVICE_PRIOR,
        )
    keyed_meta = _texts_to_score(events._meta, agents=agents, service=service)
    keyed = events.map_partitions(functools.partial(_texts_to_score, agents=agents, service=service), meta=keyed_meta)
    # the task shuffle, as build_journeys': on a cluster dask's own choice is p2p, whose workers log
    # two "Shuffle ... initialized/deactivated" warnings into the user's notebook per call
    unique = keyed[[_TEXT_KEY]].dropna().drop_duplicates(split_out=events.npartitions, shuffle_method="tasks")
    table_meta = meta[[c for c in meta.columns if is_score_column(c)]].copy()
    table_meta.insert(0, _TEXT_KEY, pd.Series(dtype="string"))
    table = unique.map_partitions(functools.partial(_score_unique, scorer=spec, cache=cache, service=service), meta=table_meta)
    # The score table (one row per distinct text) in one partition: each partition of events is
    # joined to it where it lies, and the events never move.
    joined = keyed.merge(table.repartition(npartitions=1), how="left", on=_TEXT_KEY)
    scored = joined.map_partitions(functools.partial(_restore, name=events._meta.index.name), meta=meta)
    if isinstance(journeys, DaskJourneySet):
        return journeys.with_events(scored, taxonomy=taxonomy)
    return scored
