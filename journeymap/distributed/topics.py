"""Topics on a Dask cluster: :func:`assign_topics`, fitted once and assigned partition by partition."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pandas as pd
from dask.delayed import delayed

from journeymap.distributed.journeys import DaskJourneySet, text_events
from journeymap.topics._inputs import TopicInputError, as_texts
from journeymap.topics.assign import check_sample, customer_rows, topic_columns, topic_model, writers

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import dask.dataframe as dd

    from journeymap.emotions.cache import CacheOption
    from journeymap.topics.encoders import SentenceEncoder
    from journeymap.topics.model import TopicModel

logger = logging.getLogger(__name__)

__all__ = ["assign_topics"]


def _customer_texts(part: pd.DataFrame) -> pd.DataFrame:
    """The customer messages of a partition: ``text`` and ``writer`` (:func:`~journeymap.topics.assign.writers`)."""
    rows = part.loc[customer_rows(part).to_numpy(dtype=bool)]
    who = writers(rows)
    return pd.DataFrame(
        {
            "text": rows["text"].astype("string"),
            "writer": pd.Series(who if who is not None else None, index=rows.index, dtype=object),
        }
    )


def _meta(meta: pd.DataFrame) -> pd.DataFrame:
    out = meta.drop(columns=[c for c in ("topic", "topic_score") if c in meta.columns])
    out["topic"] = pd.Series(dtype="string")
    out["topic_score"] = pd.Series(dtype="float32")
    return out


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
) -> Any:
    """:func:`journeymap.assign_topics` on a cluster: fit once (all texts or a sample), assign per partition.

    A model that needs fitting is fitted here, on the client, on every customer text (gathered)
    or, with ``sample``, on a seeded random sample of about that many (``ddf.sample`` with
    ``random_state=seed``, so a fixed partitioning gives a fixed sample). The fitted model is
    then sent to every partition, which assigns its own messages; the events never move.
    Returns the same type as given, lazily. The embedding cache is each worker's.

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
        texts = events.map_partitions(
            _customer_texts, meta=pd.DataFrame({"text": pd.Series(dtype="string"), "writer": pd.Series(dtype=object)})
        )
        sample = check_sample(sample)
        if sample is not None:
            n = int(texts.shape[0].compute())
            if sample < n:
                texts = texts.sample(frac=sample / n, random_state=seed)
        gathered = texts.compute()
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
