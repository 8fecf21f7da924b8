"""Scoring journeys: :func:`score` adds emotion columns to the events."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union

import numpy as np
import pandas as pd

from journeymap._flags import check_flag
from journeymap.backends import dispatch
from journeymap.emotions._batching import shorten, visible_texts
from journeymap.emotions.cache import CacheOption, ScoreCache, cached_rows, open_cache
from journeymap.emotions.language import UNDETERMINED, detect_languages
from journeymap.emotions.normalize import has_words
from journeymap.emotions.registry import get_scorer
from journeymap.emotions.scorer import OUTPUTS, EmotionScorer, SentimentScorer, language_code, scorer_languages
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError, JourneyMapError, PluginError, TextsFailedError
from journeymap.io.sources import text_names
from journeymap.io.validation import as_text, canonical_actors, require_text_column
from journeymap.schema import (
    ACTORS,
    EMOTION_COLUMNS,
    INPUT_SUFFIX,
    NEGATIVE_VALENCE,
    POSITIVE_VALENCE,
    SENTIMENTS,
    input_names,
    is_score_column,
    log_kept,
    score_column,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import numpy.typing as npt

    from journeymap._typing import DaskFrame
    from journeymap.distributed import DaskJourneySet
    from journeymap.emotions.taxonomy import Taxonomy
    from journeymap.journeys import JourneySet

logger = logging.getLogger(__name__)

# whether score() logs how many customer messages it read with the customer-service prior; the
# Dask score, which calls it once per partition of texts, says it once itself (a context
# variable: each thread of a worker has its own)
_SAY_SERVICE_COUNT: contextvars.ContextVar[bool] = contextvars.ContextVar("journeymap_say_service_count", default=True)


@contextlib.contextmanager
def service_count_unsaid() -> Iterator[None]:
    """Within it, :func:`score` does not log its count of customer messages read with the customer-service prior."""
    token = _SAY_SERVICE_COUNT.set(False)
    try:
        yield
    finally:
        _SAY_SERVICE_COUNT.reset(token)


__all__ = [
    "INPUT_SUFFIX",
    "MISSING_ACTOR",
    "NO_TEXT",
    "NO_WORDS",
    "UNKNOWN_ACTOR",
    "ScorerArg",
    "actor_notes",
    "checked_rows",
    "routes",
    "row_width",
    "score",
    "score_texts",
    "sentiment_from_valence",
    "sentiment_rule",
    "user_score_columns",
    "warn_user_columns",
]

#: What :func:`score` takes and gives back: in memory, or on a cluster (dispatched to :mod:`journeymap.distributed`).
T = TypeVar("T", bound="JourneySet | pd.DataFrame | DaskJourneySet | DaskFrame")
#: Texts per call to the scorer: the unit of progress, and of cache writes (an interrupted run
#: keeps what it scored).
CHUNK = 2048


def _check_output(scorer: EmotionScorer, probs: Any, texts: list[str], width: int | None = None) -> npt.NDArray[np.float32]:
    """The scorer's rows for ``texts`` as float32, or an error naming the scorer and the texts concerned."""
    n = len(texts)
    k = len(scorer.taxonomy.labels)
    width = k if width is None else width
    try:
        arr = np.asarray(probs)
    except (ValueError, TypeError) as exc:  # rows of unequal length (numpy >= 1.24 refuses a ragged array)
        raise _ragged_error(scorer, probs, texts, width) from exc
    if arr.shape != (n, width):
        msg = f"scorer {scorer.id!r} returned shape {arr.shape} for {n} texts; expected {(n, width)}"
        raise TextsFailedError(msg, texts=texts[:5], positions=range(min(n, 5)))
    try:
        arr = arr.astype(np.float32, copy=False)
    except (ValueError, TypeError) as exc:  # strings, dicts, nested lists in the cells
        msg = f"scorer {scorer.id!r} returned values that are not numbers ({arr.dtype} rows): {type(exc).__name__}: {exc}"
        raise TextsFailedError(msg, texts=texts[:5], positions=range(min(n, 5))) from exc
    # labels, sentiment and irony are probabilities; unread_tokens is a count
    names = tuple(scorer.outputs) if isinstance(scorer, SentimentScorer) else ()
    columns = list(range(k)) + [k + j for j, name in enumerate(names[: width - k]) if name != "unread_tokens"]
    with np.errstate(invalid="ignore"):
        bounded = arr[:, columns]
        nan = np.isnan(arr).any(axis=1)
        outside = ~np.isfinite(arr).all(axis=1) | (bounded < 0.0).any(axis=1) | (bounded > 1.0).any(axis=1)
    if outside.any():
        rows = np.flatnonzero(outside)
        what = "NaN" if nan[rows].all() else "values outside [0, 1] (or NaN)" if nan[rows].any() else "values outside [0, 1]"
        shown = ", ".join(repr(shorten(texts[i])) for i in rows[:5]) + (", ..." if len(rows) > 5 else "")
        msg = f"scorer {scorer.id!r} returned {what} for {len(rows)} text(s): {shown}"
        raise TextsFailedError(msg, texts=[texts[i] for i in rows], positions=rows.tolist())
    return arr


def _ragged_error(scorer: EmotionScorer, probs: Any, texts: list[str], width: int) -> TextsFailedError:
    """The error for rows numpy cannot stack: it names the scorer and the texts whose row is not ``width`` long.

    Examples:
        >>> from journeymap import Taxonomy
        >>> class Ragged:
        ...     id = "ragged.v1"
        ...     taxonomy = Taxonomy.sentiment()
        >>> err = _ragged_error(Ragged(), [[0.1, 0.8, 0.0, 0.1], [0.1, 0.9]], ["my phone is broken", "thanks"], 4)
        >>> str(err).split(": ", 1)
        ["scorer 'ragged.v1' returned rows of unequal length for 2 texts; expected 4 values each, but ...", "'thanks' (2 values)"]
        >>> err.texts, err.positions
        (('thanks',), (1,))
    """
    lengths: list[int | None] = []
    with contextlib.suppress(TypeError):
        for row in probs:
            try:
                lengths.append(len(row))
            except TypeError:
                lengths.append(None)  # a number or None where a row should be
    wrong = [i for i, length in enumerate(lengths) if length != width and i < len(texts)]
    if not wrong:  # not a sequence of rows, or the unequal part lies deeper
        msg = f"scorer {scorer.id!r} returned rows numpy cannot stack for {len(texts)} texts; expected {width} numbers per text"
        return TextsFailedError(msg, texts=texts[:5], positions=range(min(len(texts), 5)))
    shown = ", ".join(
        f"{shorten(texts[i])!r} ({'no sequence' if lengths[i] is None else f'{lengths[i]} values'})" for i in wrong[:5]
    ) + (", ..." if len(wrong) > 5 else "")
    msg = (
        f"scorer {scorer.id!r} returned rows of unequal length for {len(texts)} texts; expected {width} values each, "
        f"but the row of {len(wrong)} text(s) has another length: {shown}"
    )
    return TextsFailedError(msg, texts=[texts[i] for i in wrong], positions=wrong)


def _call(scorer: EmotionScorer, method: str, texts: list[str]) -> Any:
    """``scorer.<method>(texts)``; a failure raised as :class:`TextsFailedError` naming the scorer and the texts.

    The scorer's own exception is chained (``__cause__``). An error journeymap raises on purpose
    that is not about texts (a model that cannot be loaded on first use) passes as it is; a
    :class:`TextsFailedError` of the built-in scorers, which names the texts that failed, gets
    the scorer's id in front.

    Examples:
        >>> from journeymap import Taxonomy
        >>> class Raises:
        ...     id = "raise.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         raise RuntimeError("kaput")
        >>> _call(Raises(), "score", ["my phone is broken"])
        Traceback (most recent call last):
        ...
        journeymap.exceptions.TextsFailedError: scorer 'raise.v1' failed on a batch of 1 text(s): RuntimeError: kaput ...
    """
    try:
        return getattr(scorer, method)(texts)
    except TextsFailedError as exc:
        if str(exc).startswith(f"scorer {scorer.id!r}"):
            raise
        raise TextsFailedError(f"scorer {scorer.id!r}: {exc}", texts=exc.texts, positions=exc.positions) from exc
    except JourneyMapError:
        raise
    except Exception as exc:
        shown = ", ".join(repr(shorten(t)) for t in texts[:5]) + (", ..." if len(texts) > 5 else "")
        msg = f"scorer {scorer.id!r} failed on a batch of {len(texts)} text(s): {type(exc).__name__}: {exc} (texts: {shown})"
        raise TextsFailedError(msg, texts=texts, positions=range(len(texts))) from exc


#: What the input's own columns of the names scoring writes are kept as: ``lang`` as ``lang_input``.
#: Columns every scoring writes: a frame with all of them was scored before, and is scored anew.
_SCORED_BEFORE = frozenset({"emotion", "valence", "sentiment", "scorer"})


def user_score_columns(events: pd.DataFrame) -> dict[str, str]:
    """The input's own columns named like those scoring writes, and the names they are kept under.

    A frame that holds ``emotion``, ``valence``, ``sentiment`` and ``scorer`` was scored
    before: its score columns are replaced. In any other frame, a column named like one of
    :data:`~journeymap.schema.EMOTION_COLUMNS` (``lang`` from a Twitter export, a hand-labelled
    ``sentiment``) is the user's own: it is kept as ``<name>_input`` (``_input2``, ... when that
    name is taken too).

    Examples:
        >>> import pandas as pd
        >>> user_score_columns(pd.DataFrame(columns=["text", "lang", "sentiment"]))
        {'lang': 'lang_input', 'sentiment': 'sentiment_input'}
        >>> user_score_columns(pd.DataFrame(columns=["text", "emotion", "valence", "sentiment", "scorer", "lang"]))
        {}
    """
    if {str(c) for c in events.columns} >= _SCORED_BEFORE:
        return {}
    return input_names(events.columns, EMOTION_COLUMNS)


def warn_user_columns(events: pd.DataFrame) -> None:
    """Log which of the input's own columns scoring keeps under another name (:func:`user_score_columns`)."""
    log_kept(logger, user_score_columns(events), "score")


def without_scores(events: pd.DataFrame) -> pd.DataFrame:
    """The events without the columns an earlier scoring added; the user's own such columns renamed.

    See :func:`user_score_columns`: a column the user brought (``lang``, ``sentiment``, ...)
    is kept as ``<name>_input``, never dropped.
    """
    kept = user_score_columns(events)
    out = events.rename(columns=kept) if kept else events
    return out.drop(columns=[c for c in out.columns if is_score_column(c)])


#: The class shares (negative, neutral, positive) :func:`score` reads customer messages to a
#: brand with (``prior="service"``): customer-service messages are mostly complaints (63%
#: negative, 21% neutral, 16% positive in the public airline-tweets set; 38 of the 49 customer
#: tweets of the TWCS sample read as negative by hand), where the default model's sentiment head
#: was calibrated on general tweets (32% negative, 49% neutral, 19% positive).
SERVICE_PRIOR: tuple[float, float, float] = (0.60, 0.25, 0.15)
#: How :func:`score` reads customer messages: ``"auto"`` with :data:`SERVICE_PRIOR` where the data
#: holds brand messages (a conversation with a brand), ``"service"`` always, ``"none"`` never.
Prior = Literal["auto", "service", "none"]
PRIORS: tuple[str, ...] = ("auto", "service", "none")


def with_prior(
    sent: npt.NDArray[np.float32], calibrated: Sequence[float], prior: Sequence[float] = SERVICE_PRIOR
) -> npt.NDArray[np.float32]:
    """Sentiment probabilities (rows of negative, neutral, positive) moved from the shares they were calibrated at to ``prior``.

    Bayes' rule under label shift: each class is weighted by ``prior / calibrated`` and the row
    renormalised; what a text says is unchanged, only how common each class is taken to be.

    Examples:
        >>> p = np.array([[0.39, 0.57, 0.04]], dtype=np.float32)  # "never flying with you again"
        >>> [round(float(x), 2) for x in with_prior(p, (0.32, 0.49, 0.19))[0]]
        [0.69, 0.28, 0.03]
    """
    weights = np.asarray(prior, dtype=np.float64) / np.asarray(calibrated, dtype=np.float64)
    moved = sent.astype(np.float64) * weights
    total = moved.sum(axis=1, keepdims=True)
    return (moved / np.where(total > 0, total, 1.0)).astype(np.float32)


def calibration_of(scorer: object) -> tuple[float, float, float] | None:
    """The class shares a scorer's sentiment was calibrated at (its optional ``sentiment_prior``), checked; None without.

    Three positive numbers (negative, neutral, positive); they need not sum to 1 (only their
    ratios to :data:`SERVICE_PRIOR` matter).
    """
    shares = getattr(scorer, "sentiment_prior", None)
    if shares is None:
        return None
    try:
        values = tuple(float(x) for x in shares)
    except (TypeError, ValueError):
        values = ()
    if len(values) != 3 or not all(math.isfinite(v) and v > 0 for v in values):
        name = getattr(scorer, "id", type(scorer).__name__)
        msg = (
            f"scorer {name!r}: sentiment_prior must be three positive class shares (negative, neutral, positive) "
            f"or None, got {shares!r}"
        )
        raise InvalidArgumentError(msg)
    return values[0], values[1], values[2]


def check_prior(prior: object) -> str:
    """``prior`` itself; InvalidArgumentError unless it is one of :data:`PRIORS`."""
    if not isinstance(prior, str) or prior not in PRIORS:
        msg = f"prior must be one of {', '.join(repr(p) for p in PRIORS)}, got {prior!r}"
        raise InvalidArgumentError(msg)
    return prior


def service_rows(events: pd.DataFrame, mask: pd.Series, prior: str) -> npt.NDArray[np.bool_]:
    """Which of the rows to score are customer messages read with :data:`SERVICE_PRIOR` (see :data:`Prior`)."""
    check_prior(prior)
    n = len(events)
    if prior == "none":
        return np.zeros(n, dtype=bool)
    if "actor" not in events.columns:  # texts alone: customers' only if the caller says so
        return mask.to_numpy(dtype=bool) & (prior == "service")
    if prior == "auto" and not has_brand_messages(events):
        return np.zeros(n, dtype=bool)  # reviews, surveys, texts of one side
    customer = (canonical_actors(events["actor"].astype("string")) == "customer").fillna(False).to_numpy(dtype=bool)
    return mask.to_numpy(dtype=bool) & customer


def has_brand_messages(events: pd.DataFrame) -> bool:
    """Whether any row is the brand's (a known actor other than the customer): a conversation with a brand."""
    if "actor" not in events.columns:
        return False
    actor = canonical_actors(events["actor"].astype("string"))
    return bool((actor.notna() & (actor != "customer")).fillna(False).any())


#: ``score_note`` of a message :func:`score` would read but that has no text (NA, empty, blank or invisible).
NO_TEXT = "no text"
#: ``score_note`` of a message with text but no words to read (:func:`~journeymap.emotions.normalize.has_words`):
#: only mentions, links, numbers or punctuation, as a tweet carrying a screenshot.
NO_WORDS = "no words to read (only mentions, links, numbers or punctuation)"
#: ``score_note`` of a message whose ``text`` is not a string (bytes, a number, a list), followed
#: by its type: :func:`journeymap.read_events` rejects such rows with the same words.
NOT_A_STRING = "wrong type: text must be a string, got"


def wordless_rows(events: pd.DataFrame, mask: pd.Series, *, agents: bool) -> npt.NDArray[np.bool_]:
    """Rows :func:`score` would read by their actor but that have no text (``mask``: :func:`scored_rows`): :data:`NO_TEXT`."""
    by_actor = scored_rows(events.assign(text="x"), agents=agents).to_numpy(dtype=bool)
    return np.asarray(by_actor & ~mask.to_numpy(dtype=bool), dtype=bool)


def scored_rows(events: pd.DataFrame, *, agents: bool) -> pd.Series:
    """Which rows :func:`score` scores: those with text (a visible character), from the customer unless ``agents``.

    The actor is read as :func:`journeymap.read_events` reads it (trimmed, any case, aliases such
    as "user"), so a raw frame's "Customer" is the customer. A value that is not a string (bytes,
    a number, a list: :func:`~journeymap.io.as_text`) is not read. Empty and whitespace-only texts, and
    texts of only invisible characters (NUL, zero-width spaces, a byte-order mark:
    :func:`~journeymap.emotions._batching.visible_texts`), are not scored: they get NA scores, as
    NA text does (there is nothing to read), whichever scorer would read them.
    """
    text = as_text(events["text"])[0]  # bytes, numbers, lists: no text, not their repr
    mask = visible_texts(text)
    if not agents and "actor" in events.columns:
        mask &= (canonical_actors(events["actor"].astype("string")) == "customer").fillna(False)
    return mask


#: ``score_note`` of a row with text that :func:`score` does not read because it has no ``actor``
#: (:func:`journeymap.read_events` rejects such a row with the same words).
MISSING_ACTOR = "missing actor"
#: ``score_note`` of a row with text whose ``actor`` is none :func:`score` knows, followed by the value.
UNKNOWN_ACTOR = "unknown actor (not customer, agent, bot or system, nor an alias such as 'user' or 'support'):"


def actor_notes(events: pd.DataFrame, text: pd.Series) -> pd.Series:
    """``score_note`` of the rows with text that are not read for their actor: missing (:data:`MISSING_ACTOR`) or unknown.

    NA elsewhere (and everywhere without an ``actor`` column); ``text`` as :func:`as_text` gives it.

    Examples:
        >>> events = pd.DataFrame({"actor": ["Customer", None, "robot", None], "text": ["hi", "hi", "hi", ""]})
        >>> actor_notes(events, events["text"]).tolist()[:2], actor_notes(events, events["text"])[2].endswith("'robot'")
        ([<NA>, 'missing actor'], True)
    """
    notes = pd.Series(pd.NA, index=events.index, dtype="string")
    if "actor" not in events.columns:
        return notes
    raw = events["actor"].astype("string")
    unread = (canonical_actors(raw).isna() & visible_texts(text)).fillna(False).to_numpy(dtype=bool)
    missing = raw.isna().to_numpy(dtype=bool)
    column = notes.array.copy()  # by position: an index may repeat labels
    column[unread & missing] = MISSING_ACTOR
    unknown = unread & ~missing
    column[unknown] = (UNKNOWN_ACTOR + " " + raw[unknown].map(repr).astype(str)).to_numpy(dtype=object)
    return pd.Series(column, index=events.index, dtype="string")


def _warn_unread_actors(events: pd.DataFrame, notes: pd.Series) -> None:
    """Log which actor values are missing or not recognised (``notes``: :func:`actor_notes`): no row is skipped silently."""
    unread = notes.notna().to_numpy(dtype=bool)
    if not unread.any():
        return
    values = events["actor"].astype("string")[unread].fillna("<missing>").value_counts()
    shown = ", ".join(f"{v if v == '<missing>' else repr(v)} ({int(n):,})" for v, n in values.head(5).items()) + (
        ", ..." if len(values) > 5 else ""
    )
    logger.warning(
        "%d row(s) with text not scored: their actor is missing or not recognised: %s; score reads the customer's "
        "texts (actors: %s, and aliases such as 'user', 'client', 'support'); rename the actor values, or pass "
        "agents=True to score every row; score_note says which",
        int(unread.sum()),
        shown,
        ", ".join(ACTORS),
    )


def score_texts(
    texts: list[str],
    scorer: EmotionScorer,
    *,
    cache: ScoreCache | None,
    progress: bool | None = None,
) -> npt.NDArray[np.float32]:
    """Scores for unique texts, from the cache where present, the scorer for the rest.

    For a :class:`~journeymap.emotions.scorer.SentimentScorer` the rows are its
    ``score_outputs`` (labels, then its outputs), cached at that width under its id, with those
    names: a scorer of the same id with other labels or outputs does not read them.
    """
    width = row_width(scorer)
    names = (*scorer.taxonomy.labels, *(scorer.outputs if isinstance(scorer, SentimentScorer) else ()))

    def fn(batch: list[str]) -> npt.NDArray[np.float32]:
        return checked_rows(scorer, batch)

    return cached_rows(texts, scorer.id, width, fn, cache=cache, progress=progress, what="scoring", chunk=CHUNK, labels=names)


def row_width(scorer: EmotionScorer) -> int:
    """How many columns :func:`score` reads from ``scorer``: its labels, then a SentimentScorer's ``outputs``.

    Raises:
        JourneyMapError: a SentimentScorer declares outputs that are not in
            :data:`~journeymap.emotions.scorer.OUTPUTS`.
    """
    k = len(scorer.taxonomy.labels)
    if not isinstance(scorer, SentimentScorer):
        return k
    unknown = [o for o in scorer.outputs if o not in OUTPUTS]
    if unknown:
        msg = f"scorer {scorer.id!r} declares unknown outputs {unknown}; known: {list(OUTPUTS)}"
        raise PluginError(msg)
    return k + len(scorer.outputs)


def checked_rows(scorer: EmotionScorer, texts: list[str]) -> npt.NDArray[np.float32]:
    """``scorer``'s rows for ``texts`` as :func:`score` reads and checks them: the label scores, then its outputs.

    A :class:`~journeymap.emotions.scorer.SentimentScorer` is read with ``score_outputs`` (labels,
    then :attr:`~journeymap.emotions.scorer.SentimentScorer.outputs`), any other scorer with
    ``score``. The evaluation tools read scorers through it, so a scorer :func:`score` refuses
    cannot give a figure either.

    Raises:
        TextsFailedError: the scorer raised (its exception chained), or returned rows of the wrong
            shape, NaN, or probabilities outside [0, 1]; the message names the scorer and the texts.

    Examples:
        >>> from journeymap import Taxonomy
        >>> class Broken:
        ...     id = "nan.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         return np.full((len(texts), 4), np.nan, dtype=np.float32)
        >>> checked_rows(Broken(), ["my phone is broken"])
        Traceback (most recent call last):
        ...
        journeymap.exceptions.TextsFailedError: scorer 'nan.v1' returned NaN for 1 text(s): 'my phone is broken'
    """
    width = row_width(scorer)
    method = "score_outputs" if isinstance(scorer, SentimentScorer) else "score"
    return _check_output(scorer, _call(scorer, method, texts), texts, width)


def sentiment_rule(
    taxonomy: Taxonomy, probs: npt.NDArray[np.float32], extra: Mapping[str, npt.NDArray[np.float32]]
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
    """What :func:`score` writes to ``sentiment`` and ``valence`` for one scorer's rows; and the class scores.

    ``probs`` are the rows' label scores on ``taxonomy``, ``extra`` the scorer's other outputs by
    name (:attr:`~journeymap.emotions.scorer.SentimentScorer.outputs`). The rule: a calibrated
    sentiment output (the default scorer's head) or a sentiment model (labels negative, neutral,
    positive) decides by its most probable class, valence P(positive) - P(negative); a two-way
    model (negative, positive) by the larger class, neutral only on a tie; any other scorer by
    its labels' valence cut at the schema's thresholds (:func:`sentiment_from_valence`). The
    third value is the (negative, neutral, positive) scores where the rule has them, else None.
    The evaluation tools use this function, so they measure what :func:`score` writes.

    Examples:
        >>> from journeymap.emotions.taxonomy import Taxonomy
        >>> valence = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
        >>> tax = Taxonomy(name="sst3", labels=("negative", "neutral", "positive"), valence=valence)
        >>> sentiment, valence, _ = sentiment_rule(tax, np.array([[0.2, 0.5, 0.3]], np.float32), {})
        >>> sentiment.tolist(), [round(float(v), 2) for v in valence]
        (['neutral'], [0.1])
    """
    if sorted(taxonomy.labels) == ["negative", "positive"] and not {"sentiment_negative", "sentiment_positive"} <= extra.keys():
        # a two-way (SST-2 kind) model: the larger class, neutral only on a tie; valence P(pos) - P(neg)
        neg, pos = probs[:, taxonomy.labels.index("negative")], probs[:, taxonomy.labels.index("positive")]
        decided = np.where(neg > pos, "negative", np.where(pos > neg, "positive", "neutral")).astype(object)
        return decided, np.clip(pos - neg, -1.0, 1.0).astype(np.float32), None
    if {"sentiment_negative", "sentiment_neutral", "sentiment_positive"} <= extra.keys() or sorted(taxonomy.labels) == sorted(
        SENTIMENTS
    ):
        # a sentiment model's own decision: its most probable class, valence P(pos) - P(neg)
        # (cutting a label-weighted valence could call a 0.55-negative text neutral)
        sent = (
            np.stack([extra["sentiment_negative"], extra["sentiment_neutral"], extra["sentiment_positive"]], axis=1)
            if "sentiment_negative" in extra
            else probs[:, [taxonomy.labels.index(s) for s in SENTIMENTS]]
        ).astype(np.float32)
        return np.asarray(SENTIMENTS, dtype=object)[sent.argmax(axis=1)], sent[:, 2] - sent[:, 0], sent
    valence = taxonomy.valence_of(probs)
    return sentiment_from_valence(valence), valence, None


def sentiment_from_valence(valence: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """The sentiment of scorers without a sentiment output: the valence cut at the schema's thresholds.

    Below :data:`~journeymap.schema.NEGATIVE_VALENCE` negative, above
    :data:`~journeymap.schema.POSITIVE_VALENCE` positive, else neutral (None where NaN).

    Examples:
        >>> sentiment_from_valence([-0.6, 0.0, 0.3, float("nan")]).tolist()
        ['negative', 'neutral', 'positive', None]
    """
    v = np.asarray(valence, dtype=np.float64)
    out = np.where(v < NEGATIVE_VALENCE, "negative", np.where(v > POSITIVE_VALENCE, "positive", "neutral")).astype(object)
    out[np.isnan(v)] = None
    return out


ScorerArg = Union[str, "os.PathLike[str]", "EmotionScorer", Mapping[str, Union[str, "os.PathLike[str]", "EmotionScorer"]]]


@dataclass
class _Routes:
    """The scorers of one call: the main one and, for a mapping, one per language code."""

    primary: EmotionScorer
    by_lang: dict[str, EmotionScorer]
    routed: bool

    def pick(self, lang: str) -> tuple[EmotionScorer | None, str | None]:
        """The scorer for a text in ``lang``, or None and the reason it is left unscored.

        A routed scorer that declares ``languages`` gets only texts in those (or of undetermined
        language): ``{"*": "default"}`` does not send Spanish to the English-only default. The
        declared codes are read with :func:`~journeymap.emotions.scorer.scorer_languages`
        (``("EN",)`` and ``("en-US",)`` read English).
        """
        if lang == UNDETERMINED:
            return self.primary, None
        if self.routed:
            chosen = self.by_lang.get(lang, self.by_lang.get("*"))
            if chosen is not None:
                reads = scorer_languages(chosen)
                if reads is None or lang in reads:
                    return chosen, None
                key = lang if lang in self.by_lang else "*"
                return None, (
                    f"language {lang!r}: scorer {chosen.id!r} (scorer[{key!r}]) reads only {', '.join(sorted(reads))}; "
                    f"route {lang!r} to a scorer that reads it"
                )
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
    The same name in several places is built once. Language keys are read as
    :func:`~journeymap.emotions.scorer.language_code` reads them (``"EN"`` and ``"en-US"`` are
    ``"en"``); two keys for one language with different scorers are refused.
    """
    if not isinstance(scorer, Mapping):
        return _Routes(get_scorer(scorer, **(options if isinstance(scorer, (str, os.PathLike)) else {})), {}, routed=False)
    if not scorer:
        msg = "scorer mapping is empty; give at least {'en': 'default'}"
        raise InvalidArgumentError(msg)
    built: dict[str, EmotionScorer] = {}
    by_lang: dict[str, EmotionScorer] = {}
    named: dict[str, object] = {}  # the key each code was given as
    for lang, spec in scorer.items():
        code = "*" if str(lang).strip() == "*" else language_code(str(lang))  # "EN", "en-US": "en"
        if isinstance(spec, str):  # a name, model id or path (as text or a path object): built with the options
            key = spec
        elif isinstance(spec, os.PathLike):
            key = f"path:{os.fspath(spec)!r}"
        else:
            key = f"object:{id(spec)}"
        if key not in built:
            built[key] = get_scorer(spec, **(options if isinstance(spec, (str, os.PathLike)) else {}))
        if code in by_lang and by_lang[code] is not built[key]:
            msg = (
                f"scorer mapping names {named[code]!r} and {lang!r}, which are both language {code!r} (codes are "
                "compared in lower case, without a region such as -US), for different scorers; keep one of them"
            )
            raise InvalidArgumentError(msg)
        by_lang[code], named[code] = built[key], lang
    primary = by_lang.get("en") or next(iter(by_lang.values()))
    return _Routes(primary, by_lang, routed=True)


@dispatch
def score(
    journeys: T,
    scorer: ScorerArg = "default",
    *,
    cache: CacheOption = True,
    batch_size: int | None = None,
    agents: bool = False,
    progress: bool | None = None,
    prior: Prior = "auto",
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
      one; for a sentiment model (labels negative, neutral, positive) its most probable class;
      for a two-way model (negative, positive: the SST-2 kind) the larger of the two (neutral
      only on a tie), with valence P(positive) - P(negative); else the valence cut at
      :data:`~journeymap.schema.NEGATIVE_VALENCE` / :data:`~journeymap.schema.POSITIVE_VALENCE`
      (:func:`sentiment_from_valence`);
    - ``irony`` (probability; NaN from scorers without it);
    - ``lang``: the language detected offline (:func:`journeymap.emotions.language.detect_languages`;
      ``und`` when undetermined, as for short or emoji-only texts);
    - ``score_note``: NA, or why a text was not scored (its language is not covered by any scorer
      given; :data:`NO_TEXT` for a message with no text, or only blanks or invisible characters
      such as NUL, a zero-width space or a byte-order mark: an image, an empty survey comment;
      :data:`NO_WORDS` for one of only mentions, links, numbers or punctuation, such as a tweet
      carrying a screenshot, ``"@AppleSupport https://t.co/..."``, or a lone ``"?"``: emoji and
      emoticons are words) or not read in full;
    - ``scorer``: the id of the scorer that scored it.

    Rows not scored (other actors, NA, empty, blank or invisible text) get NA; so does a ``text``
    that is no string (bytes, a number, a list), which is not read as its Python ``repr``: its
    ``score_note`` says ``"wrong type: text must be a string, got bytes"``, as
    :func:`~journeymap.read_events` rejects it, and a WARNING names the rows; ``emotion`` is NA too where
    a scorer gives every label 0. Identical texts are scored once. A row whose ``actor`` is
    missing or not recognised (not customer, agent, bot or system, nor an alias such as ``user``
    or ``support``) is not scored unless ``agents=True``: its ``score_note`` says
    :data:`MISSING_ACTOR` (``"missing actor"``, as :func:`~journeymap.read_events` rejects it)
    or :data:`UNKNOWN_ACTOR` and the value, and a WARNING names those values. A text in a
    language the scorer does not declare (``languages`` attribute; the default reads ``en``) is
    not scored as if it were English: route it with a mapping,
    ``scorer={"en": "default", "*": "some/multilingual-model"}``, or it is left unscored with
    the reason in ``score_note`` (a WARNING counts the messages so left, and the distinct texts
    among them where fewer: identical texts are scored once); a routed scorer that declares ``languages`` (also under
    ``"*"``) likewise gets only texts in those. Texts of undetermined language go to the main
    scorer (the one for ``"en"``, or the single one). A routed scorer with the main one's labels
    in another order fills the ``emo_`` columns by label name; one with another taxonomy (other
    labels) fills ``emotion``, ``valence`` and ``sentiment`` but not the ``emo_`` columns.

    The input's own columns named like these (a ``lang`` from a Twitter export, a hand-labelled
    ``sentiment``) are kept, renamed ``<name>_input`` (``lang_input``), with a WARNING; a frame
    scored before (it holds ``emotion``, ``valence``, ``sentiment`` and ``scorer``) has its score
    columns replaced (:func:`user_score_columns`). A scorer failure, or NaN or out-of-range
    values, raises an error naming the texts and the input rows that hold them.

    Args:
        journeys: a :class:`~journeymap.JourneySet` or an events DataFrame (with ``text`` and
            ``actor`` columns); the same type is returned. A frame's column names that are not
            text (``0``) are read as text (``"0"``), as :func:`~journeymap.read_events` reads
            them, with a logged warning.
        scorer: a registered name, a Hugging Face id or path (text or ``pathlib.Path``), a scorer
            object, or a mapping from language code (``"*"`` for the others; any case, a region
            dropped: ``"EN"`` and ``"en-US"`` are ``"en"``) to any of those. A
            name is built anew on each
            call (its model loaded once a text is not in the cache, a second or more): to score
            batch after batch, as a service does, build it once (``s = jm.get_scorer("default")``)
            and pass the object.
        cache: True for the persistent cache in the user cache directory, a path for a cache file
            of your own, a :class:`~journeymap.emotions.cache.ScoreCache`, False or None for none.
        batch_size: passed to the scorers built here by name (a plugin that takes no
            ``batch_size`` fails with :class:`~journeymap.ScorerOptionsError`).
        agents: also score the brand's (agent, bot, system) texts.
        progress: show a progress bar (default: when there is more than one chunk of texts).
        prior: how common each sentiment is taken to be in customer messages, for a scorer that
            says what shares its sentiment was calibrated at (the default's head: general tweets,
            ``sentiment_prior``). ``"auto"`` (default): where the data holds brand messages
            (agent, bot or system rows: a conversation with a brand), the customers' messages
            are read with :data:`SERVICE_PRIOR`, the shares of customer-service messages (60%
            negative, 25% neutral, 15% positive), and their ``sentiment``, ``valence`` and
            ``emotion`` follow; texts of one side only (reviews, surveys) keep the scorer's
            calibration. ``"service"``: customer messages always (texts without an ``actor``
            column too); ``"none"``: never. Brand messages (``agents=True``) are never moved, and
            the ``emo_`` probabilities and the cache are the same either way. ``"auto"`` decides
            per call, from the rows given: a service that scores customer messages batch by
            batch (without the brand's) should pass ``"service"`` (or ``"none"``) so that every
            batch is read alike.

    A :class:`~journeymap.distributed.DaskJourneySet` or dask DataFrame is scored on the
    cluster by :func:`journeymap.distributed.score` (``progress`` is then the dashboard's).

    Examples:
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
        raise ArgumentTypeError(msg)
    if not isinstance(journeys, JourneySet):  # a name 0 is "0", as read_events and build_journeys read it, with a warning
        events = text_names(events, "the input DataFrame")
    require_text_column(events, "score")
    agents, progress = check_flag(agents, "agents"), check_flag(progress, "progress", none=True)
    options = {"batch_size": batch_size} if batch_size is not None else {}
    route = routes(scorer, **options)
    store = open_cache(cache)

    text, wrong = as_text(events["text"])  # not a string (bytes, a number): NA here, noted below
    mask = scored_rows(events.assign(text=text), agents=agents)
    service = service_rows(events, mask, prior)
    unread = actor_notes(events, text) if not agents else pd.Series(pd.NA, index=events.index, dtype="string")
    _warn_unread_actors(events, unread)
    warn_user_columns(events)
    selected = text[mask]
    codes, uniques = pd.factorize(selected)
    unique_texts = [str(t) for t in uniques]
    try:
        per_text = np.bincount(codes[codes >= 0], minlength=len(unique_texts))  # messages per distinct text
        table = _score_unique_texts(unique_texts, route, cache=store, progress=progress, messages=per_text)
    except TextsFailedError as exc:  # the scorer's own exception, where there is one, stays the cause
        raise _naming_rows(exc, selected) from (exc.__cause__ or exc)

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
    # a message it would read but that has no text (an image, a blank survey comment), or no string, says so
    _note_no_text(events, new, wordless_rows(events, mask, agents=agents), wrong.to_numpy(dtype=bool), unread=unread)
    moved = service[rows] & table.has_service[codes]  # customer messages to a brand, from a scorer that says its calibration
    _read_as_service(new, table, rows[moved], codes[moved])
    out = pd.concat([out, new], axis=1)
    out.attrs = dict(events.attrs)  # as pandas' own methods carry them (concat keeps only attrs all parts share)
    # T's Dask types never come here (dispatch hands them to journeymap.distributed): only mypy's view of them needs the ignores
    if isinstance(journeys, JourneySet):
        return journeys.with_events(out, taxonomy=taxonomy)  # type: ignore[return-value]
    return out  # type: ignore[return-value]


def _note_no_text(
    events: pd.DataFrame,
    new: pd.DataFrame,
    wordless: npt.NDArray[np.bool_],
    wrong: npt.NDArray[np.bool_],
    *,
    unread: pd.Series,
) -> None:
    """``score_note`` of the rows read by their actor but without text (``wordless``): :data:`NO_TEXT`.

    Those whose ``text`` is no string (``wrong``: bytes, a number) get :data:`NOT_A_STRING` and
    its type instead, and a WARNING names them. The rows with text not read for their actor
    get their ``unread`` note (:func:`actor_notes`).
    """
    at_unread = unread.notna().to_numpy(dtype=bool)
    if at_unread.any():
        new["score_note"] = new["score_note"].where(~at_unread, unread.to_numpy(dtype=object))
    if wordless.any():
        new.loc[wordless, "score_note"] = NO_TEXT
    at = wordless & wrong
    if not at.any():
        return
    types = events["text"][at].map(lambda v: type(v).__name__).astype(str)
    column = new["score_note"].array.copy()  # by position: an index may repeat labels
    column[at] = (NOT_A_STRING + " " + types).to_numpy(dtype=object)
    new["score_note"] = column
    rows = events.index[at]
    shown = ", ".join(f"{r!r} ({t})" for r, t in zip(rows[:5].tolist(), types[:5])) + (", ..." if len(rows) > 5 else "")
    logger.warning(
        "%d row(s) not scored: column 'text' holds no string there (rows %s); read_events rejects such rows. "
        "Decode bytes (value.decode()) or convert the values to text first; score_note says which",
        len(rows),
        shown,
    )


def _read_as_service(new: pd.DataFrame, table: _Table, at: npt.NDArray[np.int64], variant: npt.NDArray[np.int64]) -> None:
    """Rows ``at`` of ``new`` (customer messages to a brand) take their texts' reading with the customer-service prior."""
    if not len(at):
        return
    for name, values in (
        ("sentiment", table.service_sentiment),
        ("valence", table.service_valence),
        ("emotion", table.service_emotion),
    ):  # by position: an index may repeat labels
        column = new[name].array.copy()
        column[at] = values[variant]
        new[name] = column
    if _SAY_SERVICE_COUNT.get():
        logger.info("%d customer message(s) read with the customer-service prior %s", len(at), SERVICE_PRIOR)


def _naming_rows(exc: TextsFailedError, selected: pd.Series) -> TextsFailedError:
    """``exc`` with the labels of the input rows that hold its texts (the first 20)."""
    if not exc.texts:
        return exc
    rows = selected.index[selected.isin(list(exc.texts)).to_numpy(dtype=bool)]
    labels = rows[:20].tolist()
    more = f" and {len(rows) - 20:,} more" if len(rows) > 20 else ""
    return TextsFailedError(f"{exc} (input rows {labels}{more})", texts=exc.texts, positions=exc.positions)


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
    # the same read with the customer-service prior, where the scorer says its calibration
    has_service: npt.NDArray[np.bool_]
    service_sentiment: npt.NDArray[np.object_]
    service_valence: npt.NDArray[np.float32]
    service_emotion: npt.NDArray[np.object_]


def _score_unique_texts(
    texts: list[str],
    route: _Routes,
    *,
    cache: ScoreCache | None,
    progress: bool | None,
    messages: npt.NDArray[np.int64] | None = None,
) -> _Table:
    """Detect each text's language, score it with its scorer, and derive the score columns.

    ``messages``: how many messages each text stands for (identical texts are scored once), so
    that the warning about texts left unscored counts messages (None: one each).
    """
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
        has_service=np.zeros(m, dtype=bool),
        service_sentiment=np.full(m, None, dtype=object),
        service_valence=np.full(m, np.nan, dtype=np.float32),
        service_emotion=np.full(m, None, dtype=object),
    )
    groups = _route(texts, table, route, messages)
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
        elif set(tax.labels) == set(taxonomy.labels):  # the same labels in another order: matched by name
            table.probs[at] = probs[:, [tax.labels.index(label) for label in taxonomy.labels]]
        table.sentiment[at], table.valence[at], sent = sentiment_rule(tax, probs, extra)
        silent = ~(probs > 0).any(axis=1)  # an all-zero row names no emotion (not its first label)
        emotion = tax.dominant(probs, sentiment=table.sentiment[at])
        emotion[silent] = None
        table.emotion[at] = emotion
        calibrated = calibration_of(chosen)
        if calibrated is not None and sent is not None:
            moved = with_prior(sent, calibrated)
            table.has_service[at] = True
            table.service_sentiment[at] = np.asarray(SENTIMENTS, dtype=object)[moved.argmax(axis=1)]
            table.service_valence[at] = moved[:, 2] - moved[:, 0]
            emotion = tax.dominant(probs, sentiment=table.service_sentiment[at])
            emotion[silent] = None
            table.service_emotion[at] = emotion
        if "irony" in extra:
            table.irony[at] = extra["irony"]
        if "unread_tokens" in extra:
            windows, length = getattr(chosen, "max_windows", None), getattr(chosen, "max_length", None)
            read = (
                f"{windows} windows of {length} tokens" if isinstance(windows, int) and isinstance(length, int) else "its limit"
            )
            for i, unread in zip(idx, extra["unread_tokens"]):
                if unread > 0:
                    table.note[i] = f"{int(unread)} tokens at the end not read (longer than the scorer reads: {read})"
        table.scorer[at] = chosen.id
    return table


def _route(
    texts: list[str], table: _Table, route: _Routes, messages: npt.NDArray[np.int64] | None
) -> dict[int, tuple[EmotionScorer, list[int]]]:
    """The texts each scorer reads (keyed by the scorer's ``id``), noting in ``table`` why the others are left unscored.

    A text with no words to read (:data:`NO_WORDS`) goes to no scorer; one in a language no
    scorer covers gets the route's reason. Each kind is logged once, counted in messages
    (``messages``: how many each distinct text stands for; None: one each).
    """
    groups: dict[int, tuple[EmotionScorer, list[int]]] = {}
    wordless = np.array([not has_words(text) for text in texts], dtype=bool)
    table.note[wordless] = NO_WORDS  # nothing to read: no scorer's neutral guess
    for i, lang in enumerate(table.lang):
        if wordless[i]:
            continue
        chosen, reason = route.pick(str(lang))
        if chosen is None:
            table.note[i] = reason
            continue
        groups.setdefault(id(chosen), (chosen, []))[1].append(i)
    skipped = np.array([x is not None for x in table.note], dtype=bool) & ~wordless
    if wordless.any():
        n_wordless = int(messages[wordless].sum()) if messages is not None else int(wordless.sum())
        logger.info("%d message(s) left unscored: %s (see the score_note column)", n_wordless, NO_WORDS)
    if skipped.any():
        # messages, not distinct texts: 70 messages of 4 texts are 70 customers' words unread
        n_messages = int(messages[skipped].sum()) if messages is not None else int(skipped.sum())
        distinct = f" ({int(skipped.sum())} distinct text(s))" if n_messages != int(skipped.sum()) else ""
        logger.warning(
            "%d message(s) left unscored%s: their language is not covered (see the score_note column)", n_messages, distinct
        )
    return groups
