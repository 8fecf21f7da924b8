"""Topics on a Dask cluster: :func:`assign_topics`, fitted once and assigned partition by partition."""

from __future__ import annotations

import hashlib
import logging
import secrets
from typing import TYPE_CHECKING, overload

import numpy as np
import pandas as pd
from dask.delayed import delayed

from journeymap.distributed.journeys import DaskJourneySet, text_events
from journeymap.topics._inputs import TopicInputError, as_texts
from journeymap.topics.assign import check_sample, customer_rows, customer_texts, topic_columns, topic_model, writers

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import dask.dataframe as dd

    from journeymap.emotions.cache import CacheOption
    from journeymap.topics.encoders import SentenceEncoder
    from journeymap.topics.model import TopicModel

logger = logging.getLogger(__name__)

__all__ = ["assign_topics"]


#: The column of :func:`_customer_texts` holding each message's seeded random key.
_DRAW = "__draw__"


def _customer_texts(part: pd.DataFrame, hash_key: str | None = None) -> pd.DataFrame:
    """The customer messages of a partition: ``text`` and ``writer`` (:func:`~journeymap.topics.assign.writers`).

    With a ``hash_key`` (16 characters), also each message's random key for the sample
    (:func:`_sample_keys`), in :data:`_DRAW`.
    """
    rows = part.loc[customer_rows(part).to_numpy(dtype=bool)]
    who = writers(rows)
    out = pd.DataFrame(
        {
            "text": customer_texts(rows["text"]),  # bytes or a number: no text (not its repr)
            "writer": pd.Series(who if who is not None else None, index=rows.index, dtype=object),
        }
    )
    if hash_key is not None:
        out[_DRAW] = _sample_keys(rows, hash_key)
    return out


def _sample_keys(rows: pd.DataFrame, hash_key: str) -> np.ndarray:
    """Each row's random key: a keyed hash (SipHash, keyed by the seed) of its ``event_id``, else of its text.

    A row's key depends on the row and the seed alone, not on the partition it lies in, so the
    rows with the smallest keys are the same in any partitioning.
    """
    if "event_id" in rows.columns:
        identity = rows["event_id"].astype("string").fillna(rows["text"].astype("string"))
    else:
        identity = rows["text"].astype("string")
    values = identity.fillna("").to_numpy(dtype=object)
    return pd.util.hash_array(values, hash_key=hash_key, categorize=False).astype(np.uint64)


def _hash_key(seed: int | None) -> str:
    """The 16-character hash key of ``seed`` (a random one for None, as ``numpy``'s generators)."""
    if seed is None:
        return secrets.token_hex(8)
    return hashlib.blake2b(f"journeymap sample {int(seed)}".encode(), digest_size=8).hexdigest()


def _fit_rows(texts: dd.DataFrame, events: dd.DataFrame, sample: int | None, seed: int | None) -> pd.DataFrame:
    """The customer messages to fit on, gathered: all of them (in partition order), or exactly ``sample`` of them.

    The sample is the ``sample`` messages with the smallest seeded keys (:func:`_sample_keys`),
    taken by dask's ``nsmallest`` (each partition's smallest, then the smallest of those), in key
    order: the same messages, in the same order, for a seed in any partitioning.
    """
    if sample is None:
        return texts.compute()
    n = int(texts.shape[0].compute())
    if sample >= n:
        return texts.compute()
    meta = _customer_texts(events._meta, "0" * 16)
    keyed = events.map_partitions(_customer_texts, _hash_key(seed), meta=meta)
    picked = keyed.nsmallest(sample, _DRAW).compute()
    return picked.sort_values(_DRAW, kind="stable").drop(columns=_DRAW)


def _meta(meta: pd.DataFrame) -> pd.DataFrame:
    out = meta.drop(columns=[c for c in ("topic", "topic_score") if c in meta.columns])
    out["topic"] = pd.Series(dtype="string")
    out["topic_score"] = pd.Series(dtype="float32")
    return out


@overload
def assign_topics(
    journeys: DaskJourneySet,
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
) -> DaskJourneySet: ...
@overload
def assign_topics(
    journeys: dd.DataFrame,
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
) -> dd.DataFrame: ...
def assign_topics(
    journeys: DaskJourneySet | dd.DataFrame,
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
) -> DaskJourneySet | dd.DataFrame:
    """:func:`journeymap.assign_topics` on a cluster: fit once (all texts or a sample), assign per partition.

    A model that needs fitting is fitted here, on the client, on every customer text (gathered)
    or, with ``sample``, on a seeded random sample of exactly ``min(sample, n)`` of the ``n``
    customer messages, whatever the partitioning: each message gets a random key, a hash of its
    ``event_id`` (its text without that column) keyed by ``seed``, and the ``sample`` with the
    smallest keys are gathered (dask's ``nsmallest``), so a seed gives the same sample in any
    partitioning. It is not the sample :func:`journeymap.assign_topics` draws on one machine
    (from the texts in sorted order, which would take a sort of all texts here): both are
    seeded random samples of the same size. The fitted model is then sent to every partition,
    which assigns its own messages; the events never move. Returns the same type as given,
    lazily. The embedding cache is each worker's.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.distributed import assign_topics, build_journeys, from_pandas
        >>> from journeymap.testing import HashingEncoder
        >>> djs = build_journeys(from_pandas(jm.datasets.service_journeys(20, seed=0), npartitions=2))
        >>> events = assign_topics(djs, encoder=HashingEncoder(), cache=False).compute().events
        >>> bool(events.loc[events["actor"] == "customer", "topic"].notna().all())
        True
    """
    events = text_events(journeys, "assign_topics")
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
    if not hasattr(tm, "topics_"):
        texts = events.map_partitions(_customer_texts, meta=_customer_texts(events._meta))
        gathered = _fit_rows(texts, events, check_sample(sample), seed)
        fit_texts = as_texts(gathered["text"], "texts", allow_empty=True)
        if not fit_texts:
            msg = "assign_topics: there are no customer messages to learn topics from"
            raise TopicInputError(msg)
        has_ids = "customer_id" in events.columns or "journey_id" in events.columns
        tm.fit(fit_texts, groups=gathered["writer"].tolist() if has_ids else None)
        logger.info("fitted %d topics on %d customer messages", len(tm.topics_), len(fit_texts))
    fitted = delayed(tm, pure=True)
    out = events.map_partitions(topic_columns, fitted, meta=_meta(events._meta))
    if isinstance(journeys, DaskJourneySet):
        return journeys.with_events(out)
    return out
