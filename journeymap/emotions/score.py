"""Scoring journeys: :func:`score` adds emotion columns to the events."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from journeymap.backends import dispatch
from journeymap.emotions.cache import ScoreCache, cached_rows, open_cache
from journeymap.emotions.registry import get_scorer
from journeymap.exceptions import JourneyMapError
from journeymap.io.validation import without_surrogates
from journeymap.schema import is_score_column, score_column

if TYPE_CHECKING:
    from pathlib import Path

    import numpy.typing as npt

    from journeymap.emotions.scorer import EmotionScorer
    from journeymap.journeys import JourneySet

logger = logging.getLogger(__name__)

__all__ = ["score", "score_texts"]

T = TypeVar("T", "JourneySet", pd.DataFrame)
#: Texts per call to the scorer: the unit of progress, and of cache writes (an interrupted run
#: keeps what it scored).
CHUNK = 2048


def _check_output(scorer: EmotionScorer, probs: Any, n: int) -> npt.NDArray[np.float32]:
    arr = np.asarray(probs)
    k = len(scorer.taxonomy.labels)
    if arr.shape != (n, k):
        msg = f"scorer {scorer.id!r} returned shape {arr.shape} for {n} texts; expected {(n, k)}"
        raise JourneyMapError(msg)
    arr = arr.astype(np.float32, copy=False)
    if not np.isfinite(arr).all() or arr.min(initial=0.0) < 0.0 or arr.max(initial=0.0) > 1.0:
        msg = f"scorer {scorer.id!r} returned values outside [0, 1]"
        raise JourneyMapError(msg)
    return arr


def without_scores(events: pd.DataFrame) -> pd.DataFrame:
    """The events without the columns an earlier scoring added."""
    return events.drop(columns=[c for c in events.columns if is_score_column(c)])


def scored_rows(events: pd.DataFrame, *, agents: bool) -> pd.Series:
    """Which rows :func:`score` scores: those with text, from the customer unless ``agents``."""
    mask = events["text"].astype("string").notna()
    if not agents and "actor" in events.columns:
        mask &= (events["actor"].astype("string") == "customer").fillna(False)
    return mask


def score_texts(
    texts: list[str],
    scorer: EmotionScorer,
    *,
    cache: ScoreCache | None,
    progress: bool | None = None,
) -> npt.NDArray[np.float32]:
    """Scores for unique texts, from the cache where present, the scorer for the rest."""
    return cached_rows(
        texts,
        scorer.id,
        len(scorer.taxonomy.labels),
        lambda batch: _check_output(scorer, scorer.score(batch), len(batch)),
        cache=cache,
        progress=progress,
        what="scoring",
        chunk=CHUNK,
    )


@dispatch
def score(
    journeys: T,
    scorer: str | EmotionScorer = "default",
    *,
    cache: bool | str | Path = True,
    batch_size: int | None = None,
    agents: bool = False,
    progress: bool | None = None,
) -> T:
    """Add emotion columns to the customers' texts (and the brand's, with ``agents=True``).

    Adds ``emo_<label>`` (float32, one per label of the scorer's taxonomy), ``emotion`` (the
    dominant label), ``valence`` (in [-1, 1], see :mod:`journeymap.emotions.taxonomy`) and
    ``scorer`` (its id). Rows that are not scored (other actors, NA text) get NA. Identical
    texts are scored once. Texts without words (empty, emoji or punctuation only) get a neutral
    score.

    Args:
        journeys: a :class:`~journeymap.JourneySet` or an events DataFrame (with ``text`` and
            ``actor`` columns); the same type is returned.
        scorer: a registered name, a Hugging Face id or path, or a scorer object.
        cache: True for the persistent cache in the user cache directory, a path for a cache file
            of your own, False for none.
        batch_size: passed to the scorer when it is built here by name.
        agents: also score the brand's (agent, bot, system) texts.
        progress: show a progress bar (default: when there is more than one chunk of texts).

    A :class:`~journeymap.distributed.DaskJourneySet` or dask DataFrame is scored on the
    cluster by :func:`journeymap.distributed.score` (``progress`` is then the dashboard's).

    Example:
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(n_customers=5, seed=0))
        >>> scored = jm.score(js, cache=False)
        >>> scored.taxonomy.name
        'goemotions'
        >>> valence = scored.events["valence"].dropna()
        >>> len(valence) > 0, bool(valence.between(-1, 1).all())
        (True, True)
    """
    from journeymap.journeys import JourneySet

    events = journeys.events if isinstance(journeys, JourneySet) else journeys
    if not isinstance(events, pd.DataFrame):
        msg = f"journeys must be a JourneySet or a DataFrame, got {type(journeys).__name__}"
        raise TypeError(msg)
    if "text" not in events.columns:
        msg = f"score needs a 'text' column; found: {list(events.columns)}"
        raise JourneyMapError(msg)
    options = {"batch_size": batch_size} if batch_size is not None and isinstance(scorer, str) else {}
    scorer_obj = get_scorer(scorer, **options)
    store = open_cache(cache)

    text = without_surrogates(events["text"])[0].astype("string")
    mask = scored_rows(events.assign(text=text), agents=agents)
    selected = text[mask]
    codes, uniques = pd.factorize(selected)
    unique_texts = [str(t) for t in uniques]
    probs = score_texts(unique_texts, scorer_obj, cache=store, progress=progress)
    taxonomy = scorer_obj.taxonomy
    labels = list(taxonomy.labels)
    full = np.full((len(events), len(labels)), np.nan, dtype=np.float32)
    rows = np.flatnonzero(mask.to_numpy(dtype=bool))
    full[rows] = probs[codes]
    valence = np.full(len(events), np.nan, dtype=np.float32)
    dominant = np.full(len(events), None, dtype=object)
    if len(uniques):
        valence[rows] = taxonomy.valence_of(probs)[codes]
        dominant[rows] = taxonomy.dominant(probs)[codes]
    out = without_scores(events)
    new = pd.DataFrame({score_column(lab): full[:, j] for j, lab in enumerate(labels)}, index=events.index)
    new["emotion"] = pd.array(dominant, dtype="string")
    new["valence"] = valence
    provenance = pd.Series(pd.NA, index=events.index, dtype="string")
    provenance[mask.to_numpy(dtype=bool)] = scorer_obj.id
    new["scorer"] = provenance
    out = pd.concat([out, new], axis=1)
    if isinstance(journeys, JourneySet):
        return journeys.with_events(out, taxonomy=taxonomy)
    return out
