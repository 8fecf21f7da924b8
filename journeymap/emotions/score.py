"""Scoring journeys: :func:`score` adds emotion columns to the events."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, Union

import numpy as np
import pandas as pd

from journeymap.backends import dispatch
from journeymap.emotions.cache import ScoreCache, cached_rows, open_cache
from journeymap.emotions.language import UNDETERMINED, detect_languages
from journeymap.emotions.registry import get_scorer
from journeymap.emotions.scorer import OUTPUTS, EmotionScorer, SentimentScorer, scorer_languages
from journeymap.exceptions import JourneyMapError
from journeymap.io.validation import canonical_actors, without_surrogates
from journeymap.schema import NEGATIVE_VALENCE, POSITIVE_VALENCE, SENTIMENTS, is_score_column, score_column

if TYPE_CHECKING:
    from pathlib import Path

    import numpy.typing as npt

    from journeymap.journeys import JourneySet

logger = logging.getLogger(__name__)

__all__ = ["ScorerArg", "routes", "score", "score_texts", "sentiment_from_valence"]

T = TypeVar("T", "JourneySet", pd.DataFrame)
#: Texts per call to the scorer: the unit of progress, and of cache writes (an interrupted run
#: keeps what it scored).
CHUNK = 2048


def _check_output(scorer: EmotionScorer, probs: Any, n: int, width: int | None = None) -> npt.NDArray[np.float32]:
    arr = np.asarray(probs)
    k = len(scorer.taxonomy.labels)
    width = k if width is None else width
    if arr.shape != (n, width):
        msg = f"scorer {scorer.id!r} returned shape {arr.shape} for {n} texts; expected {(n, width)}"
        raise JourneyMapError(msg)
    arr = arr.astype(np.float32, copy=False)
    # labels, sentiment and irony are probabilities; unread_tokens is a count
    names = tuple(scorer.outputs) if isinstance(scorer, SentimentScorer) else ()
    columns = list(range(k)) + [k + j for j, name in enumerate(names[: width - k]) if name != "unread_tokens"]
    bounded = arr[:, columns]
    if not np.isfinite(arr).all() or bounded.min(initial=0.0) < 0.0 or bounded.max(initial=0.0) > 1.0:
        msg = f"scorer {scorer.id!r} returned values outside [0, 1]"
        raise JourneyMapError(msg)
    return arr


def without_scores(events: pd.DataFrame) -> pd.DataFrame:
    """The events without the columns an earlier scoring added."""
    return events.drop(columns=[c for c in events.columns if is_score_column(c)])


def scored_rows(events: pd.DataFrame, *, agents: bool) -> pd.Series:
    """Which rows :func:`score` scores: those with text, from the customer unless ``agents``.

    The actor is read as :func:`journeymap.read_events` reads it (trimmed, any case, aliases such
    as "user"), so a raw frame's "Customer" is the customer.
    """
    mask = events["text"].astype("string").notna()
    if not agents and "actor" in events.columns:
        mask &= (canonical_actors(events["actor"].astype("string")) == "customer").fillna(False)
    return mask


def score_texts(
    texts: list[str],
    scorer: EmotionScorer,
    *,
    cache: ScoreCache | None,
    progress: bool | None = None,
) -> npt.NDArray[np.float32]:
    """Scores for unique texts, from the cache where present, the scorer for the rest.

    For a :class:`~journeymap.emotions.scorer.SentimentScorer` the rows are its
    ``score_outputs`` (labels, then its outputs), cached at that width under its id.
    """
    k = len(scorer.taxonomy.labels)
    if isinstance(scorer, SentimentScorer):
        width = k + len(scorer.outputs)
        unknown = [o for o in scorer.outputs if o not in OUTPUTS]
        if unknown:
            msg = f"scorer {scorer.id!r} declares unknown outputs {unknown}; known: {list(OUTPUTS)}"
            raise JourneyMapError(msg)

        def fn(batch: list[str]) -> npt.NDArray[np.float32]:
            return _check_output(scorer, scorer.score_outputs(batch), len(batch), width)
    else:
        width = k

        def fn(batch: list[str]) -> npt.NDArray[np.float32]:
            return _check_output(scorer, scorer.score(batch), len(batch))

    return cached_rows(texts, scorer.id, width, fn, cache=cache, progress=progress, what="scoring", chunk=CHUNK)


def sentiment_from_valence(valence: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """The sentiment of scorers without a sentiment output: the valence cut at the schema's thresholds.

    Below :data:`~journeymap.schema.NEGATIVE_VALENCE` negative, above
    :data:`~journeymap.schema.POSITIVE_VALENCE` positive, else neutral (None where NaN).

    Example:
        >>> sentiment_from_valence([-0.6, 0.0, 0.3, float("nan")]).tolist()
        ['negative', 'neutral', 'positive', None]
    """
    v = np.asarray(valence, dtype=np.float64)
    out = np.where(v < NEGATIVE_VALENCE, "negative", np.where(v > POSITIVE_VALENCE, "positive", "neutral")).astype(object)
    out[np.isnan(v)] = None
    return out


ScorerArg = Union[str, "EmotionScorer", Mapping[str, Union[str, "EmotionScorer"]]]


@dataclass
class _Routes:
    """The scorers of one call: the main one and, for a mapping, one per language code."""

    primary: EmotionScorer
    by_lang: dict[str, EmotionScorer]
    routed: bool

    def pick(self, lang: str) -> tuple[EmotionScorer | None, str | None]:
        """The scorer for a text in ``lang``, or None and the reason it is left unscored."""
        if lang == UNDETERMINED:
            return self.primary, None
        if self.routed:
            if lang in self.by_lang:
                return self.by_lang[lang], None
            if "*" in self.by_lang:
                return self.by_lang["*"], None
        covers = scorer_languages(self.primary)
        if covers is None or lang in covers:
            return self.primary, None
        if self.routed:
            return None, f"language {lang!r}: no scorer for it (scorer= names {sorted(self.by_lang)}; add '*' for the rest)"
        return None, (
            f"language {lang!r} not covered by scorer {self.primary.id!r} (it reads {', '.join(sorted(covers))}); "
            f"route it with scorer={{'en': 'default', '*': <a multilingual model>}}"
        )


def routes(scorer: ScorerArg, **options: Any) -> _Routes:
    """Build the scorers named by ``scorer`` (a name or object, or a mapping language -> scorer).

    In a mapping, ``"*"`` stands for every language not named; the main scorer (for texts whose
    language is undetermined, and for the emotion columns) is the one for ``"en"``, else the first.
    The same name in several places is built once.
    """
    if not isinstance(scorer, Mapping):
        return _Routes(get_scorer(scorer, **options), {}, routed=False)
    if not scorer:
        msg = "scorer mapping is empty; give at least {'en': 'default'}"
        raise ValueError(msg)
    built: dict[str, EmotionScorer] = {}
    by_lang: dict[str, EmotionScorer] = {}
    for lang, spec in scorer.items():
        key = spec if isinstance(spec, str) else f"object:{id(spec)}"
        if key not in built:
            built[key] = get_scorer(spec, **(options if isinstance(spec, str) else {}))
        by_lang[str(lang)] = built[key]
    primary = by_lang.get("en") or next(iter(by_lang.values()))
    return _Routes(primary, by_lang, routed=True)


@dispatch
def score(
    journeys: T,
    scorer: ScorerArg = "default",
    *,
    cache: bool | str | Path = True,
    batch_size: int | None = None,
    agents: bool = False,
    progress: bool | None = None,
) -> T:
    """Add emotion, sentiment and language columns to the customers' texts (and the brand's, with ``agents=True``).

    Adds, for each row with text that is scored:

    - ``emo_<label>`` (float32, one per label of the main scorer's taxonomy);
    - ``emotion`` (the dominant label that agrees with ``sentiment``: for a negative message the
      most probable label of negative valence, for a positive one of positive valence, else the
      most probable label; :meth:`Taxonomy.dominant <journeymap.emotions.taxonomy.Taxonomy.dominant>`);
    - ``valence`` in [-1, 1]: for a scorer with a calibrated sentiment output (the default)
      P(positive) - P(negative); for others the taxonomy's valence (see
      :mod:`journeymap.emotions.taxonomy`);
    - ``sentiment`` (negative, neutral, positive): the scorer's calibrated decision where it has
      one, else the valence cut at :data:`~journeymap.schema.NEGATIVE_VALENCE` /
      :data:`~journeymap.schema.POSITIVE_VALENCE` (:func:`sentiment_from_valence`);
    - ``irony`` (probability; NaN from scorers without it);
    - ``lang``: the language detected offline (:func:`journeymap.emotions.language.detect_languages`;
      ``und`` when undetermined, as for short or emoji-only texts);
    - ``score_note``: NA, or why a text was not scored (its language is not covered by any scorer
      given) or not read in full;
    - ``scorer``: the id of the scorer that scored it.

    Rows not scored (other actors, NA text) get NA. Identical texts are scored once. A text in a
    language the scorer does not declare (``languages`` attribute; the default reads ``en``) is
    not scored as if it were English: route it with a mapping,
    ``scorer={"en": "default", "*": "some/multilingual-model"}``, or it is left unscored with
    the reason in ``score_note``. Texts of undetermined language go to the main scorer (the
    one for ``"en"``, or the single one). A routed scorer with another taxonomy than the main
    one fills ``emotion``, ``valence`` and ``sentiment`` but not the ``emo_`` columns.

    Args:
        journeys: a :class:`~journeymap.JourneySet` or an events DataFrame (with ``text`` and
            ``actor`` columns); the same type is returned.
        scorer: a registered name, a Hugging Face id or path, a scorer object, or a mapping from
            language code (``"*"`` for the others) to any of those.
        cache: True for the persistent cache in the user cache directory, a path for a cache file
            of your own, False for none.
        batch_size: passed to the scorers built here by name.
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
        >>> e = scored.events.dropna(subset=["valence"])
        >>> len(e) > 0, bool(e["valence"].between(-1, 1).all())
        (True, True)
        >>> set(e["sentiment"]) <= {"negative", "neutral", "positive"}
        True
    """
    from journeymap.journeys import JourneySet

    events = journeys.events if isinstance(journeys, JourneySet) else journeys
    if not isinstance(events, pd.DataFrame):
        msg = f"journeys must be a JourneySet or a DataFrame, got {type(journeys).__name__}"
        raise TypeError(msg)
    if "text" not in events.columns:
        msg = f"score needs a 'text' column; found: {list(events.columns)}"
        raise JourneyMapError(msg)
    options = {"batch_size": batch_size} if batch_size is not None else {}
    route = routes(scorer, **options)
    store = open_cache(cache)

    text = without_surrogates(events["text"])[0].astype("string")
    mask = scored_rows(events.assign(text=text), agents=agents)
    selected = text[mask]
    codes, uniques = pd.factorize(selected)
    unique_texts = [str(t) for t in uniques]
    table = _score_unique_texts(unique_texts, route, cache=store, progress=progress)

    taxonomy = route.primary.taxonomy
    labels = list(taxonomy.labels)
    n = len(events)
    rows = np.flatnonzero(mask.to_numpy(dtype=bool))
    out = without_scores(events)
    new = pd.DataFrame(index=events.index)
    full = np.full((n, len(labels)), np.nan, dtype=np.float32)
    full[rows] = table.probs[codes]
    for j, lab in enumerate(labels):
        new[score_column(lab)] = full[:, j]
    for name, values, dtype in (
        ("emotion", table.emotion, "string"),
        ("valence", table.valence, np.float32),
        ("sentiment", table.sentiment, "string"),
        ("irony", table.irony, np.float32),
        ("lang", table.lang, "string"),
        ("score_note", table.note, "string"),
        ("scorer", table.scorer, "string"),
    ):
        if dtype == "string":
            col = np.full(n, None, dtype=object)
            col[rows] = np.asarray(values, dtype=object)[codes] if len(values) else col[rows]
            new[name] = pd.array(col, dtype="string")
        else:
            num = np.full(n, np.nan, dtype=np.float32)
            num[rows] = np.asarray(values, dtype=np.float32)[codes] if len(values) else num[rows]
            new[name] = num
    out = pd.concat([out, new], axis=1)
    if isinstance(journeys, JourneySet):
        return journeys.with_events(out, taxonomy=taxonomy)
    return out


@dataclass
class _Table:
    """Per unique text: the score columns."""

    probs: npt.NDArray[np.float32]
    emotion: npt.NDArray[np.object_]
    valence: npt.NDArray[np.float32]
    sentiment: npt.NDArray[np.object_]
    irony: npt.NDArray[np.float32]
    lang: npt.NDArray[np.object_]
    note: npt.NDArray[np.object_]
    scorer: npt.NDArray[np.object_]


def _score_unique_texts(texts: list[str], route: _Routes, *, cache: ScoreCache | None, progress: bool | None) -> _Table:
    """Detect each text's language, score it with its scorer, and derive the score columns."""
    m = len(texts)
    taxonomy = route.primary.taxonomy
    k = len(taxonomy.labels)
    table = _Table(
        probs=np.full((m, k), np.nan, dtype=np.float32),
        emotion=np.full(m, None, dtype=object),
        valence=np.full(m, np.nan, dtype=np.float32),
        sentiment=np.full(m, None, dtype=object),
        irony=np.full(m, np.nan, dtype=np.float32),
        lang=np.asarray(detect_languages(texts), dtype=object) if m else np.full(0, None, dtype=object),
        note=np.full(m, None, dtype=object),
        scorer=np.full(m, None, dtype=object),
    )
    groups: dict[int, tuple[EmotionScorer, list[int]]] = {}
    for i, lang in enumerate(table.lang):
        chosen, reason = route.pick(str(lang))
        if chosen is None:
            table.note[i] = reason
            continue
        groups.setdefault(id(chosen), (chosen, []))[1].append(i)
    skipped = int(sum(x is not None for x in table.note))
    if skipped:
        logger.warning("%d text(s) left unscored: their language is not covered (see the score_note column)", skipped)
    for chosen, idx in groups.values():
        rows = score_texts([texts[i] for i in idx], chosen, cache=cache, progress=progress)
        tax = chosen.taxonomy
        kk = len(tax.labels)
        probs = rows[:, :kk]
        outputs = tuple(chosen.outputs) if isinstance(chosen, SentimentScorer) else ()
        extra = {name: rows[:, kk + j] for j, name in enumerate(outputs)}
        at = np.asarray(idx)
        if tax.labels == taxonomy.labels:
            table.probs[at] = probs
        three_way = sorted(tax.labels) == sorted(SENTIMENTS)
        if {"sentiment_negative", "sentiment_neutral", "sentiment_positive"} <= extra.keys() or three_way:
            # a sentiment model's own decision: its most probable class, valence P(pos) - P(neg)
            # (cutting a label-weighted valence could call a 0.55-negative text neutral)
            sent = (
                np.stack([extra["sentiment_negative"], extra["sentiment_neutral"], extra["sentiment_positive"]], axis=1)
                if "sentiment_negative" in extra
                else probs[:, [tax.labels.index(s) for s in SENTIMENTS]]
            )
            table.valence[at] = sent[:, 2] - sent[:, 0]
            table.sentiment[at] = np.asarray(SENTIMENTS, dtype=object)[sent.argmax(axis=1)]
        else:
            valence = tax.valence_of(probs)
            table.valence[at] = valence
            table.sentiment[at] = sentiment_from_valence(valence)
        table.emotion[at] = tax.dominant(probs, sentiment=table.sentiment[at])
        if "irony" in extra:
            table.irony[at] = extra["irony"]
        if "unread_tokens" in extra:
            for i, unread in zip(idx, extra["unread_tokens"]):
                if unread > 0:
                    table.note[i] = f"{int(unread)} tokens at the end not read (longer than the scorer's windows)"
        table.scorer[at] = chosen.id
    return table
