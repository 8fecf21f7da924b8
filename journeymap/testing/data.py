"""Emotion columns synthesised from the synthetic data set's planted emotions (no model)."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd

from journeymap.emotions.score import sentiment_from_valence
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import InvalidArgumentError
from journeymap.journeys import JourneySet
from journeymap.schema import is_score_column, score_column

__all__ = ["planted_scores"]


T = TypeVar("T", JourneySet, pd.DataFrame)


def planted_scores(js: T, *, noise: float = 0.05, seed: int = 0, taxonomy: str | Taxonomy = "goemotions") -> T:
    """Score a JourneySet from :func:`~journeymap.datasets.service_journeys` by its ``true_emotion``.

    Customer messages get a GoEmotions score row peaked on their planted emotion (0.85 plus
    uniform noise of size ``noise`` on every label), so analytics and benchmarks can run on
    known truth without a model. The columns are those :func:`journeymap.score` adds for the
    emotions (``emo_*``, ``emotion``, ``valence``, ``sentiment``, ``scorer``); ``irony``,
    ``lang`` and ``score_note`` are not planted.
    An events DataFrame (one partition of journeys, say) gives an events DataFrame.

    ``taxonomy`` scores under a coarser taxonomy instead (``"ekman"``, ``"sentiment"``, or a
    :class:`~journeymap.Taxonomy` that GoEmotions has a grouping onto): the GoEmotions rows are
    converted as :meth:`Taxonomy.convert` does, the way a scorer with those labels would score.

    Examples:
        >>> import journeymap as jm
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(10, seed=0)), taxonomy="sentiment")
        >>> js.taxonomy.name, js.emotion_labels
        ('sentiment', ['positive', 'negative', 'ambiguous', 'neutral'])
    """
    events = js.events if isinstance(js, JourneySet) else js
    if "true_emotion" not in events.columns:
        msg = "planted_scores needs the true_emotion column of journeymap.datasets.service_journeys"
        raise InvalidArgumentError(msg)
    source = Taxonomy.goemotions()
    tax = Taxonomy.builtin(taxonomy) if isinstance(taxonomy, str) else taxonomy
    rng = np.random.default_rng(seed)
    n, k = len(events), len(source.labels)
    customer = (events["actor"].astype("string") == "customer").to_numpy(dtype=bool)
    probs = (rng.random((n, k), dtype=np.float32) * noise).astype(np.float32)
    label_index = events["true_emotion"].map({lab: i for i, lab in enumerate(source.labels)}).to_numpy(dtype=float)
    rows = np.flatnonzero(customer & ~np.isnan(label_index))
    probs[rows, label_index[rows].astype(int)] = 0.85
    if tax.name != source.name:
        probs = source.convert(probs, tax)
    probs[~customer] = np.nan
    new = pd.DataFrame({score_column(lab): probs[:, j] for j, lab in enumerate(tax.labels)}, index=events.index)
    scored = ~np.isnan(probs[:, 0])
    valence = np.full(n, np.nan, dtype=np.float32)
    valence[scored] = tax.valence_of(probs[scored])
    sentiment = sentiment_from_valence(valence)
    dominant = np.full(n, None, dtype=object)
    dominant[scored] = tax.dominant(probs[scored], sentiment=sentiment[scored])
    new["emotion"] = pd.array(dominant, dtype="string")
    new["valence"] = valence
    new["sentiment"] = pd.array(sentiment, dtype="string")
    provenance = pd.Series(pd.NA, index=events.index, dtype="string")
    provenance[scored] = "planted.v1"
    new["scorer"] = provenance
    # scoring again replaces the earlier scores, as journeymap.score does
    earlier = events.drop(columns=[c for c in events.columns if is_score_column(c)])
    out = pd.concat([earlier, new], axis=1)
    out.attrs = dict(events.attrs)  # as journeymap.score keeps them
    return js.with_events(out, taxonomy=tax) if isinstance(js, JourneySet) else out
