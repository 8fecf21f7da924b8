"""Topics of journeys: :func:`assign_topics` adds what each customer message is about."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from journeymap.backends import dispatch
from journeymap.exceptions import ArgumentTypeError
from journeymap.io.validation import as_text, canonical_actors, require_text_column
from journeymap.schema import TOPIC_COLUMNS
from journeymap.topics._inputs import OTHER, TopicInputError, as_texts
from journeymap.topics.model import TopicModel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from journeymap._typing import DaskFrame
    from journeymap.distributed import DaskJourneySet
    from journeymap.emotions.cache import CacheOption
    from journeymap.journeys import JourneySet
    from journeymap.topics.encoders import SentenceEncoder

logger = logging.getLogger(__name__)

__all__ = [
    "assign_topics",
    "check_sample",
    "customer_rows",
    "customer_texts",
    "fit_sample",
    "topic_columns",
    "topic_model",
    "writers",
]

#: What :func:`assign_topics` takes and gives back (as :func:`~journeymap.score`): in memory, or on a cluster.
T = TypeVar("T", bound="JourneySet | pd.DataFrame | DaskJourneySet | DaskFrame")


def customer_rows(events: pd.DataFrame) -> pd.Series:
    """Which rows are customer messages (every row when there is no ``actor`` column).

    The actor is read as :func:`journeymap.read_events` and :func:`journeymap.score` read it:
    trimmed, in any case, with aliases (``"Customer"``, ``" user"``).

    Examples:
        >>> customer_rows(pd.DataFrame({"actor": ["Customer", " user", "agent", None]})).tolist()
        [True, True, False, False]
    """
    if "actor" not in events.columns:
        return pd.Series(True, index=events.index)
    return (canonical_actors(events["actor"].astype("string")) == "customer").fillna(False)


def customer_texts(texts: pd.Series) -> pd.Series:
    """The texts of customer messages as strings; a value that is no string (bytes, a number) is no text (NA).

    As :func:`journeymap.score` reads them (:func:`~journeymap.io.validation.as_text`): such a
    message is not read as its Python ``repr``; like a blank one, it gets the topic ``"other"``
    with no ``topic_score``, and a WARNING names its rows (:func:`journeymap.read_events` rejects
    them).

    Examples:
        >>> customer_texts(pd.Series(["refund", None], dtype=object)).tolist()
        ['refund', <NA>]
    """
    text, wrong = as_text(texts)
    if wrong.any():
        rows = texts.index[wrong.to_numpy(dtype=bool)]
        kinds = texts[wrong].map(lambda v: type(v).__name__).astype(str).tolist()
        shown = ", ".join(f"{r!r} ({k})" for r, k in zip(rows[:5].tolist(), kinds[:5])) + (", ..." if len(rows) > 5 else "")
        logger.warning(
            "assign_topics: %d customer message(s) given the topic %r without a score: column 'text' holds no string "
            "there (rows %s); read_events rejects such rows. Decode bytes (value.decode()) or convert the values to "
            "text first",
            len(rows),
            OTHER,
            shown,
        )
    return text


def writers(events: pd.DataFrame) -> list[object] | None:
    """Who wrote each row: its ``customer_id``, else (missing, or no such column) its ``journey_id``; None without either.

    What :meth:`TopicModel.fit <journeymap.topics.TopicModel.fit>` takes as ``groups``, so that
    topic keywords and names are words several customers use. A row with neither id is a writer
    of its own (None).

    Examples:
        >>> who = writers(pd.DataFrame({"customer_id": ["c1", None], "journey_id": ["j1", "j2"]}))
        >>> who[0], who[1].endswith("journey j2")  # (a prefix keeps a journey apart from the customer ids)
        ('c1', True)
        >>> writers(pd.DataFrame({"text": ["a"]})) is None
        True
    """
    has_customer, has_journey = "customer_id" in events.columns, "journey_id" in events.columns
    if not (has_customer or has_journey):
        return None
    out = pd.Series(None, index=events.index, dtype=object)
    if has_journey:
        journey = events["journey_id"].astype("string")
        out = out.where(journey.isna(), "\x1fjourney " + journey.astype(object))  # apart from any customer id
    if has_customer:
        customer = events["customer_id"]
        out = out.where(customer.isna(), customer.astype("string").astype(object))
    return [None if pd.isna(v) else v for v in out.tolist()]


def topic_model(
    model: TopicModel | None,
    *,
    n_topics: int | None,
    labels: Sequence[str] | Mapping[str, str] | None,
    encoder: str | SentenceEncoder,
    cache: CacheOption,
    seed: int | None,
    progress: bool | None,
    sample: int | None = None,
    min_score: float | None = None,
) -> TopicModel:
    """``model``, or a new one from the options (which may only be given without a model).

    ``sample`` and ``seed`` choose what a model is fitted on: beside a fitted model they would do
    nothing, so they are refused there.
    """
    if model is None:
        names = dict(labels) if isinstance(labels, Mapping) else labels
        return TopicModel(
            labels=names, n_topics=n_topics, encoder=encoder, cache=cache, seed=seed, progress=progress, min_score=min_score
        )
    if not isinstance(model, TopicModel):
        hint = ": to name the topics, pass labels=[...]" if isinstance(model, (list, tuple, dict, str)) else ""
        msg = f"model must be a TopicModel or None, got {type(model).__name__}{hint}"
        raise TopicInputError(msg)
    if hasattr(model, "topics_") and (sample is not None or seed != 0):
        fitting = ", ".join(name for name, given in (("sample", sample is not None), ("seed", seed != 0)) if given)
        msg = f"{fitting}: these choose what a model is fitted on, and the model given is fitted already"
        raise TopicInputError(msg)
    given = [name for name, value in (("n_topics", n_topics), ("labels", labels), ("min_score", min_score)) if value is not None]
    given += [name for name, changed in (("encoder", encoder != "default"), ("cache", cache is not True)) if changed]
    if progress is not None:
        given.append("progress")
    if given:
        msg = f"{', '.join(given)}: give these to the TopicModel when you pass one (model=TopicModel({given[0]}=...))"
        raise TopicInputError(msg)
    return model


def check_sample(sample: int | None) -> int | None:
    """``sample`` as an int (any integer type) or None; raise :class:`TopicInputError` unless it is >= 2.

    Examples:
        >>> check_sample(np.int64(50)), check_sample(None)
        (50, None)
    """
    if sample is None:
        return None
    if isinstance(sample, (bool, np.bool_)) or not isinstance(sample, (int, np.integer)) or sample < 2:
        msg = f"sample must be a number of texts >= 2 or None, got {sample!r}"
        raise TopicInputError(msg)
    return int(sample)


def fit_sample(texts: Sequence[str], sample: int | None, seed: int | None) -> np.ndarray | None:
    """Positions of the texts to fit on (ascending): a seeded random ``sample`` of them, or None for all.

    Drawn from the texts in sorted order, so the same texts give the same sample in any row order.
    """
    sample = check_sample(sample)
    if sample is None or sample >= len(texts):
        return None
    drawn = np.random.default_rng(seed).choice(len(texts), int(sample), replace=False)
    return np.sort(np.argsort(np.asarray(texts, dtype=object), kind="stable")[drawn])


def topic_columns(events: pd.DataFrame, model: TopicModel, *, sample: int | None = None, seed: int | None = 0) -> pd.DataFrame:
    """``events`` with ``topic`` and ``topic_score`` for the customer messages (fitting ``model`` first if needed)."""
    require_text_column(events, "assign_topics")
    customer = customer_rows(events).to_numpy(dtype=bool)
    texts = as_texts(customer_texts(events.loc[customer, "text"]), "texts", allow_empty=True)
    out = events.drop(columns=[c for c in TOPIC_COLUMNS if c in events.columns])
    topic = pd.Series(pd.NA, index=events.index, dtype="string")
    score = np.full(len(events), np.nan, dtype=np.float32)
    if not hasattr(model, "topics_"):
        if not texts:
            msg = "assign_topics: there are no customer messages to learn topics from"
            raise TopicInputError(msg)
        picked = fit_sample(texts, sample, seed)
        who = writers(events.loc[customer])
        if picked is None:
            model.fit(texts, groups=who)
            # fitted on exactly these texts: their topics are known
            assigned = pd.DataFrame({"topic": model.labels_, "topic_score": model.topic_scores_})
        else:
            model.fit([texts[i] for i in picked], groups=None if who is None else [who[i] for i in picked])
            assigned = model.assign(texts)  # the sampled texts get their fitted topics (judged without themselves)
    else:
        assigned = model.assign(texts) if texts else pd.DataFrame({"topic": [], "topic_score": []})
    rows = np.flatnonzero(customer)
    names = assigned["topic"]
    if not all(isinstance(v, str) and v == v.strip() for v in model.classes_):  # few-shot labels may be ints: the names
        names = pd.Series([str(v).strip() for v in names], index=names.index, dtype=object)
    topic.iloc[rows] = names.to_numpy(dtype=object)
    score[rows] = assigned["topic_score"].to_numpy(dtype=np.float32)
    out["topic"] = topic
    out["topic_score"] = score
    logger.info("assigned %d customer messages to %d topics", len(rows), len(model.topics_))
    return out


@dispatch
def assign_topics(
    js: T,
    model: TopicModel | None = None,
    *,
    n_topics: int | None = None,
    labels: Sequence[str] | Mapping[str, str] | None = None,
    encoder: str | SentenceEncoder = "default",
    sample: int | None = None,
    cache: CacheOption = True,
    seed: int | None = 0,
    progress: bool | None = None,
    min_score: float | None = None,
) -> T:
    """Add what each customer message is about: ``topic`` and ``topic_score``.

    ``topic`` is the message's topic name (``"other"`` where none fits, and for messages
    without words); ``topic_score`` how well it fits (see :meth:`TopicModel.assign
    <journeymap.topics.TopicModel.assign>`). Brand messages and other actors get NA in both;
    the analytics give a brand step its customer's topic (see ``level="topic"`` in
    ``docs/topics.md``). The actor is read as :func:`~journeymap.read_events` and
    :func:`~journeymap.score` read it (trimmed, in any case, aliases such as ``"user"``). A
    ``text`` that is no string (bytes, a number) is not read as its Python ``repr``: like a
    blank one, it is ``"other"`` with no ``topic_score``, and a WARNING names its rows. Existing
    topic columns are replaced.

    Args:
        js: a :class:`~journeymap.JourneySet` or an events DataFrame (with ``text``, and
            ``actor``: without it every row counts as a customer message); the same type is
            returned. A :class:`~journeymap.distributed.DaskJourneySet` or dask DataFrame is
            assigned partition by partition on the cluster
            (:func:`journeymap.distributed.assign_topics`).
        model: a fitted :class:`~journeymap.topics.TopicModel` is used as it is; an unfitted one
            is fitted on the customer texts first (so it can be read afterwards: its
            ``topic_info_``, ``topics_``); None: a new discovery model (zero-shot with
            ``labels``) is fitted.
        n_topics: with ``model=None``: the number of topics (default: found by the model).
        labels: with ``model=None``: zero-shot topic names, or a mapping name -> description.
        encoder: with ``model=None``: the sentence encoder (default: the bundled MiniLM).
        sample: fit on a seeded random sample of at most this many customer messages, then
            assign every message (faster on large data). Default: fit on all.
        cache: the embedding cache (True: the user cache; False: none; or a file path).
        seed: the seed of the sample, and of the model when none is given.
        progress: show progress bars.
        min_score: with ``model=None``: a message whose ``topic_score`` is below this is
            ``"other"`` (:class:`~journeymap.topics.TopicModel`'s ``min_score``). Zero-shot
            names give every message with words one of them unless it is set: where the names
            cover part of what customers write, set it (0.3 with the bundled MiniLM, see
            ``docs/topics.md``) or messages about anything else join the nearest name.

    Raises:
        TopicInputError: (a ``ValueError``) no customer messages to learn from, options given
            beside a model (``sample`` and ``seed`` beside a fitted one), a bad ``sample``; and what :meth:`TopicModel.fit
            <journeymap.topics.TopicModel.fit>` raises.
        TypeError: ``js`` is not journeys nor events; an ``EventLog`` (from ``read_events``,
            ``read_twcs``): build the journeys first (``jm.build_journeys(log)``).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing import HashingEncoder
        >>> from journeymap.topics import TopicModel
        >>> js = jm.build_journeys(jm.datasets.service_journeys(20, seed=0))
        >>> tm = TopicModel(encoder=HashingEncoder(), cache=False)
        >>> with_topics = jm.assign_topics(js, tm)
        >>> events = with_topics.events
        >>> customer = events["actor"] == "customer"
        >>> bool(events.loc[customer, "topic"].notna().all()), bool(events.loc[~customer, "topic"].isna().all())
        (True, True)
        >>> set(with_topics.events["topic"].dropna()) <= {*tm.topics_, "other"}
        True
    """
    from journeymap.io.eventlog import EventLog
    from journeymap.journeys import JourneySet

    if isinstance(js, EventLog):
        msg = (
            "assign_topics needs journeys, got an EventLog (what read_events and read_twcs return): "
            "build the journeys first, jm.assign_topics(jm.build_journeys(log)), or pass its events, "
            "jm.assign_topics(log.events)"
        )
        raise ArgumentTypeError(msg)
    events = js.events if isinstance(js, JourneySet) else js
    if not isinstance(events, pd.DataFrame):
        msg = f"assign_topics needs a JourneySet or an events DataFrame, got {type(js).__name__}"
        raise ArgumentTypeError(msg)
    tm = topic_model(
        model,
        n_topics=n_topics,
        labels=labels,
        encoder=encoder,
        cache=cache,
        seed=seed,
        progress=progress,
        sample=sample,
        min_score=min_score,
    )
    out = topic_columns(events, tm, sample=sample, seed=seed)
    if isinstance(js, JourneySet):
        result: Any = js.with_events(out)
        return result  # type: ignore[no-any-return]
    return out  # type: ignore[return-value]
