"""``TopicModel``: what customers write about, discovered from their words or assigned to given topics.

One scikit-learn style estimator, three modes, chosen by what it is given:

* **discovery** (the default: no ``labels``, no ``examples``): embed, optionally reduce,
  cluster (the number of topics is chosen by internal validation unless ``n_topics`` is given),
  describe each topic with class-based TF-IDF keywords and a short readable name; texts far from
  every topic go to ``"other"``;
* **zero-shot** (``labels=`` names, or a mapping name -> description): texts go to the nearest
  topic description, refined transductively on the fitted texts (the descriptions' vectors
  are moved towards the centroids of the texts they confidently claim);
* **few-shot** (``examples=`` labelled texts): a classifier (logistic regression by default)
  on the embeddings, optionally after contrastive fine-tuning of the encoder on the examples
  (``fine_tune=True``, SetFit-style).

The steps are objects passed in (BERTopic's modularity without its heavy stack): ``encoder``
(a :class:`~journeymap.topics.encoders.SentenceEncoder` or its name), ``reducer`` (any
scikit-learn transformer, e.g. ``PCA(50)``), ``clusterer`` (anything with ``fit_predict``, -1
for noise: ``KMeans``, ``HDBSCAN``, ...), ``describer`` (:class:`CTfidfDescriber`) and
``classifier`` (any scikit-learn classifier). Embeddings are cached by (encoder id, text hash).

Texts are cleaned before they are embedded, in every mode (``clean=True``, the default; see
:func:`~journeymap.topics._text.clean_text`): @handles, links, e-mail addresses removed, HTML
entities decoded, whitespace collapsed, so tweets to a brand are grouped by what they say, not
by the brand they are addressed to. The cache is keyed by the cleaned text; representative
texts (``topic_info_``) are quoted as written.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone  # type: ignore[import-untyped]

from journeymap._flags import check_flag
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.topics._cluster import AutoKMeans
from journeymap.topics._describe import CTfidfDescriber
from journeymap.topics._embed import embed
from journeymap.topics._inputs import (
    OTHER,
    TopicInputError,
    as_examples,
    as_groups,
    as_label_descriptions,
    as_label_values,
    as_texts,
    check_example_labels,
    check_templates,
    label_array,
    label_order,
)
from journeymap.topics._text import clean_text
from journeymap.topics.encoders import SentenceEncoder, get_encoder

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

    from journeymap.emotions.cache import CacheOption

logger = logging.getLogger(__name__)

__all__ = ["OTHER", "TopicInputError", "TopicModel"]

Mode = Literal["discovery", "zero-shot", "few-shot"]

#: Zero-shot: the topic description is embedded in each of these templates and the vectors averaged.
DEFAULT_TEMPLATES: tuple[str, ...] = ("{}", "a customer message about {}")

#: Soft assignments (``predict_proba`` outside few-shot) are a softmax of cosine similarities at this temperature.
TEMPERATURE = 0.05


#: The largest ``seed``: numpy's (and scikit-learn's ``random_state``) seeds are whole numbers from 0 to 2**32 - 1.
MAX_SEED = 2**32 - 1


def check_seed(seed: object) -> None:
    """Raise unless ``seed`` is None or a whole number from 0 to :data:`MAX_SEED` (a ``RandomState`` is not one).

    The same seed serves every mode (the clusterer, the reducer, the few-shot classifier, fine-tuning),
    so it is an int, which each of them takes; None draws a fresh one at every fit.

    Examples:
        >>> check_seed(0), check_seed(None), check_seed(np.int64(2**32 - 1))
        (None, None, None)
        >>> try:
        ...     check_seed(-1)
        ... except InvalidArgumentError as err:
        ...     print(err)
        seed must be None or a whole number from 0 to 2**32 - 1 (4294967295), got -1
    """
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        msg = f"seed must be None or a whole number from 0 to 2**32 - 1 (4294967295), got {seed!r} ({type(seed).__name__})"
        raise ArgumentTypeError(msg)
    if not 0 <= int(seed) <= MAX_SEED:
        msg = f"seed must be None or a whole number from 0 to 2**32 - 1 ({MAX_SEED}), got {seed!r}"
        raise InvalidArgumentError(msg)


def _normalise(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    unit: npt.NDArray[np.float32] = (x / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


def _by_text(docs: list[str], rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``rows`` ordered by their texts (stable): an order that does not depend on the input's."""
    ordered: npt.NDArray[np.int64] = rows[np.argsort(np.asarray([docs[i] for i in rows], dtype=object), kind="stable")]
    return ordered


def _softmax(s: npt.NDArray[np.float32], temperature: float) -> npt.NDArray[np.float64]:
    z = (s.astype(np.float64) - s.max(axis=1, keepdims=True)) / temperature
    e = np.exp(z)
    out: npt.NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return out


#: The smallest spread :func:`outlier_floor` assumes: a topic of one text repeated (spread 0)
#: still takes its variants ("my card is late!"); real topics spread far more (0.05 to 0.1).
MIN_SPREAD = 0.03


def outlier_floor(sims: npt.NDArray[np.float32]) -> float:
    """The similarity below which a member is an outlier of its topic: median - 3 spreads.

    The spread is the larger of the robust (MAD-based) and the plain standard deviation, so a
    topic whose members are mostly identical does not call every variant an outlier, and at
    least :data:`MIN_SPREAD`.

    Examples:
        >>> round(outlier_floor(np.full(10, 0.99, dtype=np.float32)), 2)  # one text repeated
        0.9
    """
    if len(sims) < 3:
        return float(sims.min(initial=1.0)) - 3.0 * MIN_SPREAD
    median = float(np.median(sims))
    spread = max(float(np.median(np.abs(sims - median))) * 1.4826, float(sims.std()), MIN_SPREAD)
    return median - 3.0 * spread - 1e-6


def background_floors(
    sims: npt.NDArray[np.float32],
    assign: npt.NDArray[np.int64],
    has_words: npt.NDArray[np.bool_],
) -> npt.NDArray[np.float32]:
    """Per topic, the median similarity of the texts that are not its members: the least a member needs.

    ``sims``: each text's cosine similarity to each topic's centroid, shape ``(n, n_topics)``.
    :func:`outlier_floor` measures a topic against its own members, so a loose topic (a few
    unrelated follow-ups grouped for want of better) gets a floor near 0 and takes any text at
    all: on the 49 customer tweets of the TWCS sample, "tell me a joke" joined a topic at 0.07.
    A text less like a topic than the typical outsider is not one of its members. On Banking77
    test the member floors lie above this everywhere (0 texts change, NMI and "other" the same
    over three seeds); on the TWCS sample it moves the loose topics' floors from 0.00-0.09 to
    0.13-0.27.

    Examples:
        >>> X = np.asarray([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
        >>> C = np.asarray([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
        >>> [round(float(f), 2) for f in background_floors(X @ C.T, np.array([0, 0, 1, 1]), np.ones(4, dtype=bool))]
        [0.3, 0.3]
    """
    floors = np.full(sims.shape[1], -1.0, dtype=np.float32)
    for t in range(sims.shape[1]):
        outside = has_words & (assign != t)
        if outside.any():
            floors[t] = float(np.median(sims[outside, t]))
    return floors


def leave_one_out(
    X: npt.NDArray[np.float32],
    sums: npt.NDArray[np.float32],
    sizes: npt.NDArray[np.int64],
    assign: npt.NDArray[np.int64],
    member: npt.NDArray[np.bool_],
) -> npt.NDArray[np.float32]:
    """Each text's cosine similarity to its topic's centroid without itself (where it helped make it).

    A text is always close to a centroid it is part of, most of all in a small topic, so floors
    set from in-sample similarities would put new texts in ``"other"`` far more often than the
    texts they were fitted on (on 200 Banking77 texts: 0.5% in sample, 10% of the rest).
    ``sums``/``sizes``: per topic, the sum and number of its member vectors; ``member``: whether
    each text is one of its topic's members. A lone member keeps its own similarity.

    Examples:
        >>> X = np.asarray([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)  # one topic of two texts
        >>> leave_one_out(X, X.sum(axis=0, keepdims=True), np.array([2]), np.array([0, 0]), np.array([True, True])).tolist()
        [0.0, 0.0]
    """
    own = member & (sizes[assign] > 1)
    # x.(s - x) and |s - x|^2 from x.s, x.x and s.s: no (texts x dimensions) array on the way
    # (three of them, in float64, took about 900 MB at 100,000 texts)
    xs = (X @ np.asarray(sums, dtype=np.float32).T)[np.arange(len(X)), assign].astype(np.float64)
    xx = np.einsum("ij,ij->i", X, X, dtype=np.float64)
    ss = np.einsum("ij,ij->i", sums, sums, dtype=np.float64)[assign]
    dot = np.where(own, xs - xx, xs)
    norm2 = np.where(own, ss - 2.0 * xs + xx, ss)
    sims: npt.NDArray[np.float32] = (dot / np.maximum(np.sqrt(np.maximum(norm2, 0.0)), 1e-12)).astype(np.float32)
    return sims


def _text_hashes(texts: Sequence[str]) -> npt.NDArray[np.uint64]:
    """A 64-bit BLAKE2b hash of each text (lone surrogates included)."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") for t in texts),
        dtype=np.uint64,
        count=len(texts),
    )


@dataclass(frozen=True)
class FittedTexts:
    """The topic and score of each text a discovery model was fitted on, found again by the text.

    A fitted text helped make its topic's centroid, so it is judged without itself (leave-one-out,
    as a text the model never saw would be); :meth:`TopicModel.predict` and :meth:`TopicModel.assign`
    give such a text this judgement again instead of comparing it with a centroid that holds it.
    Kept as sorted 64-bit hashes of the texts as embedded (cleaned), 16 bytes a text.

    Examples:
        >>> kept = FittedTexts.build(["card late", "refund"], np.array([0, -1]), np.array([0.8, 0.2], dtype=np.float32))
        >>> found, topic, score = kept.lookup(["refund", "new text", "card late"])
        >>> found.tolist(), topic.tolist(), [round(float(v), 2) for v in score]
        ([0, 2], [-1, 0], [0.2, 0.8])
    """

    hashes: npt.NDArray[np.uint64]
    topics: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float32]
    #: the topic whose centroid each text helped make (-1: none) and its similarity to it without
    #: itself, for :meth:`TopicModel.transform` (None in a model pickled before they were kept)
    own: npt.NDArray[np.int64] | None = None
    own_scores: npt.NDArray[np.float32] | None = None

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        topics: npt.NDArray[np.int64],
        scores: npt.NDArray[np.float32],
        own: npt.NDArray[np.int64] | None = None,
        own_scores: npt.NDArray[np.float32] | None = None,
    ) -> FittedTexts:
        """From the fitted texts (as embedded), their topic indices (-1: other) and scores; a repeat keeps its first.

        ``own``, ``own_scores``: the topic whose centroid each text is a member of (-1: none) and
        its leave-one-out similarity to that centroid.
        """
        hashes, first = np.unique(_text_hashes(texts), return_index=True)
        return cls(
            hashes,
            np.asarray(topics, dtype=np.int64)[first],
            np.asarray(scores, dtype=np.float32)[first],
            None if own is None else np.asarray(own, dtype=np.int64)[first],
            None if own_scores is None else np.asarray(own_scores, dtype=np.float32)[first],
        )

    def _find(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Positions in ``texts`` of the fitted ones, and where each is kept."""
        if not len(texts) or not len(self.hashes):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        hashes = _text_hashes(texts)
        at = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        found = np.flatnonzero(self.hashes[at] == hashes)
        return found, at[found]

    def lookup(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Positions in ``texts`` of the fitted ones, with their topic indices and scores."""
        found, at = self._find(texts)
        return found, self.topics[at], self.scores[at]

    def lookup_own(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Positions in ``texts`` of the fitted members of a topic, with that topic and their leave-one-out similarity to it."""
        if self.own is None or self.own_scores is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        found, at = self._find(texts)
        member = self.own[at] >= 0
        return found[member], self.own[at[member]], self.own_scores[at[member]]


class TopicModel(ClassifierMixin, TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Topics and intents of customer texts: discovered, zero-shot or few-shot.

    Args:
        labels: zero-shot topics: a list of names (identifier-style names read as words:
            ``card_arrival``, ``AddToPlaylist``) or a mapping name -> description.
        examples: few-shot training data: a DataFrame with ``text`` and ``label`` columns,
            a tuple ``(texts, labels)``, a list of ``(text, label)`` pairs, or a mapping
            label -> texts. With
            ``labels`` as well, the descriptions count as one more example each.
        n_topics: discovery: the number of topics (default: chosen by internal validation).
        encoder: a :class:`~journeymap.topics.encoders.SentenceEncoder` or a name for
            :func:`~journeymap.topics.encoders.get_encoder` (default: the bundled MiniLM).
        reducer: optional scikit-learn transformer applied to the embeddings before clustering.
        clusterer: discovery: an object with ``fit_predict(X)`` (labels, -1 for noise); default
            :class:`AutoKMeans`. Its ``n_clusters`` is set to ``n_topics`` when that is given.
            A reducer, clusterer or classifier given with ``random_state=None`` gets ``seed``
            (on a copy; one with a ``random_state`` of its own keeps it). A seeded step may run
            on one thread: ``umap.UMAP`` with a ``random_state`` does (UMAP's rule for repeatable
            layouts); ``seed=None`` keeps it parallel, and unrepeatable.
        describer: keywords and names of topics (default :class:`CTfidfDescriber`).
        classifier: few-shot: a scikit-learn classifier (default ``LogisticRegression(C=10)``).
        fine_tune: few-shot: fine-tune the encoder contrastively on the examples first
            (slower: minutes on a CPU; see ``docs/topics.md``).
        templates: zero-shot: templates a description is embedded in (``"{}"`` placeholders).
        refine: zero-shot: rounds of transductive refinement on the fitted texts (0: none).
        min_topic_size: discovery: smaller clusters are dissolved (default: ``max(5, n / 1000)``);
            also the default clusterer's smallest topic (a clusterer given here keeps its own).
        n_quotes: representative texts kept per topic.
        min_score: a text whose ``topic_score`` (see :meth:`assign`) is below this goes to
            ``"other"``, in every mode. Default None: no such floor, so in zero-shot and
            few-shot every text with words gets one of the topics (discovery still sets its
            outliers apart by each topic's own floor). A cosine similarity in discovery and
            zero-shot (with MiniLM, 0.3 set unrelated questions apart on Banking77 at no cost
            in accuracy; ``docs/topics.md``), a probability in few-shot; a value above 1, or
            at or below -1, is refused (no score reaches it), except with a few-shot
            ``classifier`` that has no ``predict_proba`` (its margins are the scores).
        clean: remove @handles, links and e-mail addresses, decode HTML entities and collapse
            whitespace before embedding (:func:`~journeymap.topics._text.clean_text`), in
            fitting and prediction alike; a text left empty is a text without words.
        cache: True for the persistent embedding cache, False for none, or a cache file path.
        seed: makes results repeatable (None: different at every fit, as scikit-learn's
            ``random_state=None``): None or a whole number from 0 to 2**32 - 1, used by every
            step (the clusterer, reducer and few-shot classifier where they are given with
            ``random_state=None``, and fine-tuning). Repeatable for the same embeddings: with
            the default bfloat16 encoder a text's vector depends slightly (up to about 1e-3) on
            the texts it was first embedded with, and the cache keeps that first vector, so
            the same texts and seed can give other topics with another cache history. For
            bit-for-bit repeatable results use ``cache=False``; a float32 encoder
            (``encoder=get_encoder("default", precision="float32")``) varies by about 3e-8
            only (``docs/topics.md``).
        progress: show progress bars (default: for long work only).

    Attributes:
        mode_: ``"discovery"``, ``"zero-shot"`` or ``"few-shot"``.
        topics_: the topic names (without ``"other"``), largest first in discovery; in few-shot
            mode ``str`` of the labels, stripped, in ``classes_`` order.
        classes_: the topics as :meth:`predict` gives them (few-shot: the labels as given, in
            the order ``np.unique`` sorts them, as scikit-learn's classifiers have them).
        labels_: the topic of each fitted text, as :meth:`predict` gives it (``"other"`` for none).
        label_values_: few-shot: the label of each topic as given (``classes_``).
        topic_scores_: how well each fitted text fits its topic (as :meth:`assign` gives it;
            a fitted text and the same text given to :meth:`assign` get the same score). In
            discovery a fitted text is judged as a new one would be: by its similarity to its
            cluster's centroid without itself (leave-one-out), and it is ``"other"`` below the
            floor on that similarity, so fitted and new texts are held to one standard.
        fitted_texts_: discovery: the topic and score of each fitted text (:class:`FittedTexts`),
            which :meth:`predict` and :meth:`assign` give those texts again.
        topic_info_: one row per topic (``"other"`` last): ``topic``, ``size``, ``share`` (of the
            texts it was fitted on: with ``assign_topics(..., sample=n)``, the sample),
            ``keywords`` (list), ``representative_texts`` (list).
        centroids_: unit vectors of the topics in the encoder's space.
        encoder_: the encoder used (fine-tuned in few-shot with ``fine_tune=True``).

    Examples:
        >>> from journeymap.testing import HashingEncoder
        >>> texts = ["card not arrived", "my card never arrived", "when will my card arrive"] * 4 + [
        ...     "refund my payment", "I want a refund", "refund still pending"] * 4 + ["😡"]
        >>> tm = TopicModel(encoder=HashingEncoder(), cache=False).fit(texts)
        >>> sorted(set(tm.labels_.tolist()))  # "card arrive": the phrase written ("my card arrive"), no word between
        ['card arrive', 'other', 'refund payment']
        >>> tm.predict(["has my card arrived?"]).tolist()
        ['card arrive']
        >>> zs = TopicModel(labels=["card arrival", "refund"], encoder=HashingEncoder(), cache=False)
        >>> zs.fit_predict(["where is my card", "refund please", ""]).tolist()
        ['card arrival', 'refund', 'other']
    """

    def __init__(
        self,
        labels: Sequence[str] | dict[str, str] | None = None,
        examples: Any = None,
        *,
        n_topics: int | None = None,
        encoder: str | SentenceEncoder = "default",
        reducer: Any = None,
        clusterer: Any = None,
        describer: CTfidfDescriber | None = None,
        classifier: Any = None,
        fine_tune: bool = False,
        templates: Sequence[str] = DEFAULT_TEMPLATES,
        refine: int = 3,
        min_topic_size: int | None = None,
        n_quotes: int = 3,
        min_score: float | None = None,
        clean: bool = True,
        cache: CacheOption = True,
        seed: int | None = 0,
        progress: bool | None = None,
    ) -> None:
        self.labels = labels
        self.examples = examples
        self.n_topics = n_topics
        self.encoder = encoder
        self.reducer = reducer
        self.clusterer = clusterer
        self.describer = describer
        self.classifier = classifier
        self.fine_tune = fine_tune
        self.templates = templates
        self.refine = refine
        self.min_topic_size = min_topic_size
        self.n_quotes = n_quotes
        self.min_score = min_score
        self.clean = clean
        self.cache = cache
        self.seed = seed
        self.progress = progress

    # -- helpers -------------------------------------------------------------------------------
    def _embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors of ``texts`` as they are (topic descriptions)."""
        return embed(texts, self.encoder_, cache=self.cache, progress=self.progress)

    def _cleaned(self, texts: Sequence[str]) -> list[str]:
        """``texts`` as they are embedded: cleaned (``clean=True``) or as given."""
        # a model pickled before ``clean`` existed was fitted on the texts as given
        return [clean_text(t) for t in texts] if getattr(self, "clean", False) else list(texts)

    def _embed_texts(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors of customer texts (cleaned first with ``clean=True``)."""
        return self._embed(self._cleaned(texts))

    def _seeded(self, step: Any) -> Any:
        """A clone of a step given (reducer, clusterer, classifier), with ``random_state=seed`` where it has one left at None.

        A step the user seeded keeps its own seed; the object given is left alone.
        """
        step = clone(step)
        params = step.get_params(deep=False)
        if "random_state" in params and params["random_state"] is None:
            step.set_params(random_state=self.seed)
        return step

    def _describer(self) -> CTfidfDescriber:
        return clone(self.describer) if self.describer is not None else CTfidfDescriber()

    def _check_fitted(self) -> None:
        if not hasattr(self, "topics_"):
            from sklearn.exceptions import NotFittedError  # type: ignore[import-untyped]

            msg = "This TopicModel is not fitted yet: call fit(texts) first."
            raise NotFittedError(msg)

    # -- fitting -------------------------------------------------------------------------------
    def _check_settings(self) -> None:
        """Raise :class:`TopicInputError` naming a setting that makes no sense (checked at fit, as scikit-learn does)."""

        def whole(value: object, minimum: int) -> bool:
            return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and bool(value >= minimum)

        for name, minimum, allow_none in (("min_topic_size", 1, True), ("refine", 0, False), ("n_quotes", 0, False)):
            value = getattr(self, name)
            if not (whole(value, minimum) or (allow_none and value is None)):
                msg = f"{name} must be a whole number >= {minimum}{' or None' if allow_none else ''}, got {value!r}"
                raise TopicInputError(msg)
        if isinstance(self.templates, str):
            msg = f"templates must be a list of templates, got the string {self.templates!r}: templates=[{self.templates!r}]"
            raise TopicInputError(msg)
        if self.n_topics is not None and (not isinstance(self.n_topics, (int, np.integer)) or self.n_topics < 2):
            msg = f"n_topics must be an integer >= 2 or None, got {self.n_topics!r}"
            raise TopicInputError(msg)
        if self.min_score is not None and (
            isinstance(self.min_score, bool)
            or not isinstance(self.min_score, (int, float, np.number))
            or np.isnan(self.min_score)
        ):
            msg = f"min_score must be a number or None, got {self.min_score!r}"
            raise TopicInputError(msg)
        self._check_min_score_range()
        for name in ("clean", "fine_tune", "progress"):
            try:
                check_flag(getattr(self, name), name, none=name == "progress")
            except ArgumentTypeError as exc:
                raise TopicInputError(str(exc)) from None
        check_seed(self.seed)

    def _check_min_score_range(self) -> None:
        """Refuse a ``min_score`` no ``topic_score`` can reach: above 1, or -1 and below it (a floor that does nothing).

        A cosine similarity lies in [-1, 1] and a probability in [0, 1], so ``min_score=2`` put
        every text in ``"other"`` and ``min_score=-2`` set nothing apart. A few-shot classifier
        without ``predict_proba`` scores with its ``decision_function`` (a margin of any size):
        any number goes with it.
        """
        floor = self.min_score
        margins = self.classifier is not None and not hasattr(self.classifier, "predict_proba")
        if floor is None or margins or -1 < floor <= 1:
            return
        msg = (
            f"min_score={floor!r} is outside the range of topic scores: a cosine similarity (-1 to 1) in discovery and "
            "zero-shot, a probability (0 to 1) in few-shot; "
            + (
                "no text scores above 1, so every text would be 'other'"
                if floor > 1
                else "no text scores below -1, so it sets none apart"
            )
            + " (with MiniLM, 0.3 sets unrelated texts apart in zero-shot; None: no floor)"
        )
        raise TopicInputError(msg, argument="min_score")

    def fit(self, texts: Sequence[str], y: Sequence[Any] | None = None, *, groups: Sequence[Any] | None = None) -> TopicModel:
        """Learn the topics of ``texts``.

        Args:
            texts: the customer texts (a list, Series or array of str; missing values count as
                texts without words).
            y: optional labels of ``texts`` (supervised: used as few-shot examples). Any
                values of one type: ``classes_`` and :meth:`predict` give them back as they
                are (ints stay ints, ``"card "`` keeps its spaces); the topics are named by
                ``str`` of them, stripped (``topics_``, ``topic_info_``).
            groups: optional, who wrote each text (a customer or journey id, one per text; a
                missing id is a writer of its own). Keywords and discovered names are then words
                that several writers use (``describer.keywords(..., groups=)``), not one
                customer's repeated words; :func:`~journeymap.assign_topics` gives the customers.
                Without them every text counts as a writer of its own.

        Returns:
            self, fitted.

        Raises:
            TopicInputError: (a ``ValueError``) empty ``texts``, bad ``labels`` or ``examples``,
                ``n_topics`` out of range; the message names the argument.
            InvalidArgumentError: (a ``ValueError``) ``seed`` out of 0 .. 2**32 - 1.
            ArgumentTypeError: (a ``TypeError``) ``seed`` neither None nor a whole number.

        A fit that raises leaves the model as it was: fitted as before, or unfitted.
        """
        docs = as_texts(texts, "texts")
        writers = as_groups(groups, len(docs)) if groups is not None else None
        self._check_settings()
        example_texts: list[str] = []
        example_labels: list[str] = []
        example_values: list[Any] = []
        if self.examples is not None:
            example_texts, example_labels, example_values = as_examples(self.examples)
        if y is not None:
            y_list, y_values = as_label_values(y, "y")
            if len(y_list) != len(docs):
                msg = f"y: {len(docs)} texts but {len(y_list)} labels; give one label per text"
                raise TopicInputError(msg)
            check_example_labels(y_list, "y")
            example_texts += docs
            example_labels += y_list
            example_values += y_values
            as_label_values(example_values, "y")  # examples' 1 and y's "1": one name, two values
        label_values: dict[str, Any] = {}  # few-shot: each topic name's label as given (its first value)
        for name, value in zip(example_labels, example_values):
            label_values.setdefault(name, value)
        names: list[str] = []
        descriptions: list[str] = []
        if self.labels is not None:
            names, descriptions = as_label_descriptions(self.labels)
            check_templates(list(self.templates) or ["{}"])
        if self.n_topics is not None and (names or example_texts):
            msg = "n_topics is for discovery; with labels, examples or y the topics are the ones given"
            raise TopicInputError(msg)
        # a refit in another mode leaves nothing of the last fit behind (anchors_ of a zero-shot fit, ...);
        # a fit that fails (n_topics above the distinct texts, found once they are embedded; an
        # interrupt) puts the last fit back, so the model is never half-fitted
        previous = {a: v for a, v in vars(self).items() if a.endswith("_") and not a.startswith("_")}
        for name in previous:
            delattr(self, name)
        try:
            self.encoder_: SentenceEncoder = get_encoder(self.encoder)
            if example_texts:
                self.mode_: Mode = "few-shot"
                self._fit_few_shot(docs, example_texts, example_labels, names, descriptions, writers, label_values)
            elif names:
                self.mode_ = "zero-shot"
                self._fit_zero_shot(docs, names, descriptions, writers)
            else:
                self.mode_ = "discovery"
                self._fit_discovery(docs, writers)
        except BaseException:
            self._restore(previous)
            raise
        return self

    def _restore(self, fitted: dict[str, Any]) -> None:
        """Put back the fitted attributes ``fitted`` (a failed fit's attributes removed)."""
        for name in [a for a in vars(self) if a.endswith("_") and not a.startswith("_")]:
            delattr(self, name)
        for name, value in fitted.items():
            setattr(self, name, value)

    def fit_predict(
        self, texts: Sequence[str], y: Sequence[Any] | None = None, *, groups: Sequence[Any] | None = None
    ) -> npt.NDArray[Any]:
        """Fit on ``texts`` and return their topics (``labels_``)."""
        return np.asarray(self.fit(texts, y, groups=groups).labels_)

    def _fit_discovery(self, docs: list[str], groups: list[Any] | None = None) -> None:
        cleaned = self._cleaned(docs)
        X = self._embed(cleaned)
        has_words = np.linalg.norm(X, axis=1) > 0
        n_words = int(has_words.sum())
        if n_words < 2:
            logger.warning(
                "TopicModel: discovery needs at least two texts with words, got %d of %d texts: no topics, every text is %r",
                n_words,
                len(docs),
                OTHER,
            )
        if self.n_topics is not None and self.n_topics > (n_distinct := len({d for d, w in zip(cleaned, has_words) if w})):
            msg = f"n_topics={self.n_topics} is more than the {n_distinct} distinct texts with words"
            raise TopicInputError(msg, argument="n_topics")
        min_size = self.min_topic_size if self.min_topic_size is not None else max(5, n_words // 1000)
        raw = np.full(len(docs), -1, dtype=np.int64)
        # The reducer and clusterer see the texts in one canonical order (sorted by text), so the
        # topics do not depend on the order of the rows: k-means' seeding and the k-search's
        # samples pick points by position. The centroids below are summed in the same order.
        rows = _by_text(docs, np.flatnonzero(has_words))
        Xw = X[rows]
        if n_words >= 2:
            Z = self._seeded(self.reducer).fit_transform(Xw) if self.reducer is not None else Xw
            clusterer = self._seeded(self.clusterer) if self.clusterer is not None else AutoKMeans(random_state=self.seed)
            if self.n_topics is not None:
                if "n_clusters" not in clusterer.get_params():
                    msg = f"n_topics is given but the clusterer {type(clusterer).__name__} has no n_clusters"
                    raise TopicInputError(msg)
                clusterer.set_params(n_clusters=int(self.n_topics))
            elif "min_size" in clusterer.get_params() and (self.clusterer is None or self.min_topic_size is not None):
                clusterer.set_params(min_size=min_size)  # a clusterer the user set up keeps its own
            raw[rows] = np.asarray(clusterer.fit_predict(Z), dtype=np.int64)
            self.clusterer_ = clusterer
        # Topics: clusters of at least min_size (all clusters when n_topics is given).
        ids, counts = np.unique(raw[raw >= 0], return_counts=True)
        keep = ids if self.n_topics is not None else ids[counts >= min(min_size, max(n_words // 2, 1))]
        if len(keep) == 0 and n_words:
            keep = ids[:1] if len(ids) else np.array([], dtype=np.int64)
        raw_w = raw[rows]
        # per kept cluster, the sum and the number of its members: the centroid (their mean), and the
        # leave-one-out similarities below, from one pass over the clusters
        sums = np.stack([Xw[raw_w == k].sum(axis=0) for k in keep]) if len(keep) else np.zeros((0, X.shape[1]), np.float32)
        sizes = np.asarray([int((raw_w == k).sum()) for k in keep], dtype=np.int64)
        means: npt.NDArray[np.float32] = (sums / sizes[:, None].astype(np.float32)).astype(np.float32)
        centroids = _normalise(means) if len(keep) else sums
        # Every fitted text is judged as a text the model was not fitted on would be: its similarity to
        # its own cluster's centroid is taken without itself (leave-one-out), to the other centroids as
        # it is; it goes to the nearest, and is an outlier below that topic's floor. The floors come from
        # the same similarities, so fitted and new texts are held to one standard (members of a dissolved
        # cluster join the nearest topic; they helped make no centroid).
        sims = (X @ centroids.T).astype(np.float32)
        # the topic whose centroid each text helped make, and its similarity to it without itself
        own_topic, own_score = np.full(len(X), -1, dtype=np.int64), np.full(len(X), np.nan, dtype=np.float32)
        if len(keep):
            own = np.searchsorted(keep, raw)
            member = has_words & (raw >= 0) & (own < len(keep)) & (keep[np.minimum(own, len(keep) - 1)] == raw)
            own = np.where(member, own, 0)
            own_topic[member], own_score[member] = own[member], leave_one_out(X, sums, sizes, own, member)[member]
            sims[member, own[member]] = own_score[member]
            assign = sims.argmax(axis=1).astype(np.int64)
            best = sims[np.arange(len(X)), assign]
        else:
            assign, best = self._nearest(X, centroids)
        floors = np.array([outlier_floor(best[(assign == t) & has_words]) for t in range(len(keep))], dtype=np.float32)
        floors = np.maximum(floors, background_floors(sims, assign, has_words))
        self._set_topics(
            docs,
            X,
            centroids,
            floors,
            assign,
            best,
            has_words,
            order_by_size=True,
            fitted=cleaned,
            groups=groups,
            own=(own_topic, own_score),
        )

    def _nearest(
        self, X: npt.NDArray[np.float32], centroids: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        if len(centroids) == 0:
            return np.full(len(X), -1, dtype=np.int64), np.zeros(len(X), dtype=np.float32)
        sims = X @ centroids.T
        assign = sims.argmax(axis=1).astype(np.int64)
        return assign, sims[np.arange(len(X)), assign]

    def _set_topics(  # noqa: PLR0917 - private, called from three places with all of these
        self,
        docs: list[str],
        X: npt.NDArray[np.float32],
        centroids: npt.NDArray[np.float32],
        floors: npt.NDArray[np.float32] | None,
        assign: npt.NDArray[np.int64],
        best: npt.NDArray[np.float32],
        has_words: npt.NDArray[np.bool_],
        *,
        order_by_size: bool,
        names: list[str] | None = None,
        fitted: list[str] | None = None,
        groups: list[Any] | None = None,
        own: tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]] | None = None,
    ) -> None:
        """Fill the fitted attributes from topic assignments (-1, below the floor or ``min_score``: other).

        ``fitted``: discovery: the texts as embedded; their topics and scores are kept in
        ``fitted_texts_`` for :meth:`predict` and :meth:`assign` to give the same texts again.
        ``groups``: who wrote each text, for the keywords (see :meth:`fit`). ``own``: discovery: the
        topic whose centroid each text helped make (-1: none) and its leave-one-out similarity to it,
        kept for :meth:`transform`.
        """
        assigned = has_words & (assign >= 0)
        if floors is not None and len(floors):
            assigned &= best >= floors[np.maximum(assign, 0)]
        if self.min_score is not None:
            assigned &= ~(best < self.min_score)  # a NaN score (no score) is kept
        topic = np.where(assigned, assign, -1)
        k = len(centroids)
        sizes = np.bincount(topic[topic >= 0], minlength=k)
        order = np.argsort(-sizes, kind="stable") if order_by_size else np.arange(k)
        if order_by_size:
            keep = order[sizes[order] > 0]
            remap = np.full(k, -1, dtype=np.int64)
            remap[keep] = np.arange(len(keep))
            topic = np.where(topic >= 0, remap[np.maximum(topic, 0)], -1) if k else topic
            if own is not None:
                own = (np.where(own[0] >= 0, remap[np.maximum(own[0], 0)], -1) if k else own[0], own[1])
            centroids, sizes = centroids[keep], sizes[keep]
            floors = floors[keep] if floors is not None else None
            k = len(keep)
        describer = self._describer()
        # a describer of one's own that knows nothing of writers still works on bare texts
        keywords = describer.keywords(docs, topic, k) if groups is None else describer.keywords(docs, topic, k, groups=groups)
        if names is None:
            fallbacks = [None if keywords[t] else self._fallback_name(docs, topic, t, groups) for t in range(k)]
            names = describer.names(keywords, fallbacks)
        self.topics_: list[str] = list(names)
        self.topic_scores_ = np.where(has_words, best, np.nan).astype(np.float32)
        self.centroids_ = centroids
        self.floors_ = floors
        self.labels_ = self._labels_of(topic)
        if fitted is not None:
            self.fitted_texts_ = FittedTexts.build(
                [t for t, w in zip(fitted, has_words) if w],
                topic[has_words],
                best[has_words],
                None if own is None else own[0][has_words],
                None if own is None else own[1][has_words],
            )
        quotes = self._quotes(docs, X, centroids, topic)
        n = max(len(docs), 1)
        other = int((topic < 0).sum())
        rows = [
            {
                "topic": names[t],
                "size": int(sizes[t]),
                "share": sizes[t] / n,
                "keywords": keywords[t],
                "representative_texts": quotes[t],
            }
            for t in range(k)
        ]
        rows.append({"topic": OTHER, "size": other, "share": other / n, "keywords": [], "representative_texts": []})
        self.topic_info_ = pd.DataFrame(rows, columns=["topic", "size", "share", "keywords", "representative_texts"])

    def _fallback_name(self, docs: list[str], topic: npt.NDArray[np.int64], t: int, groups: list[Any] | None = None) -> str:
        """The name of topic ``t`` where it has no keywords: its most frequent short text, else "topic N".

        Short: at most 4 words and 30 characters, after cleaning and lower-casing (ties: the
        shortest, then alphabetical). ``N`` counts from 1 in the order of the topics. With
        ``groups`` (who wrote each text), a text is counted once per writer.
        """
        writers: dict[str, set[object]] = {}
        for i in np.flatnonzero(topic == t):
            text = clean_text(docs[i]).lower().strip(" .,;:!?¡¿'\"-")
            if text and len(text) <= 30 and len(text.split()) <= 4 and text != OTHER:
                writer = groups[i] if groups is not None and groups[i] is not None else ("text", int(i))
                writers.setdefault(text, set()).add(writer)
        counts = {text: len(who) for text, who in writers.items()}
        if not counts:
            return f"topic {t + 1}"
        return min(counts, key=lambda text: (-counts[text], len(text), text))

    def _quotes(
        self, docs: list[str], X: npt.NDArray[np.float32], centroids: npt.NDArray[np.float32], topic: npt.NDArray[np.int64]
    ) -> list[list[str]]:
        out: list[list[str]] = []
        for t in range(len(centroids)):
            members = _by_text(docs, np.flatnonzero(topic == t))
            sims = X[members] @ centroids[t]  # ties (repeats) go to the first text in sorted order
            picked: list[str] = []
            for i in members[np.argsort(-sims, kind="stable")]:
                if len(picked) >= self.n_quotes:
                    break
                text = docs[i].strip()
                if text and text not in picked:
                    picked.append(text)
            out.append(picked)
        return out

    def _label_vectors(self, descriptions: list[str]) -> npt.NDArray[np.float32]:
        templates = list(self.templates) or ["{}"]
        filled = [tpl.format(d) for d in descriptions for tpl in templates]
        vecs = self._embed(filled).reshape(len(descriptions), len(templates), -1).mean(axis=1)
        return _normalise(vecs)

    def _fit_zero_shot(self, docs: list[str], names: list[str], descriptions: list[str], groups: list[Any] | None = None) -> None:
        X = self._embed_texts(docs)
        has_words = np.linalg.norm(X, axis=1) > 0
        anchors = self._label_vectors(descriptions)
        centroids = anchors
        Xw = X[has_words]
        for _ in range(int(self.refine)):
            if len(Xw) == 0:
                break
            assign, best = self._nearest(Xw, centroids)
            moved = []
            for t in range(len(names)):
                sims = best[assign == t]
                if len(sims) == 0:
                    moved.append(anchors[t])
                    continue
                confident = (assign == t) & (best >= np.median(sims))
                moved.append(anchors[t] + Xw[confident].mean(axis=0))
            centroids = _normalise(np.stack(moved))
        self.anchors_ = anchors
        assign, best = self._nearest(X, centroids)
        self._set_topics(docs, X, centroids, None, assign, best, has_words, order_by_size=False, names=names, groups=groups)

    def _fit_few_shot(  # noqa: PLR0917 - private, one call
        self,
        docs: list[str],
        ex_texts: list[str],
        ex_labels: list[str],
        names: list[str],
        descriptions: list[str],
        groups: list[Any] | None = None,
        label_values: dict[str, Any] | None = None,
    ) -> None:
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

        ex_texts = self._cleaned(ex_texts)
        if names:
            ex_texts = ex_texts + list(descriptions)
            ex_labels = ex_labels + names
        if self.fine_tune:
            from journeymap.topics._finetune import fine_tune

            self.encoder_ = fine_tune(self.encoder_, ex_texts, ex_labels, seed=self.seed, progress=self.progress)
        E = self._embed(ex_texts)
        usable = np.linalg.norm(E, axis=1) > 0
        y = np.asarray(ex_labels, dtype=object)[usable]
        lost = sorted(set(ex_labels) - {str(c) for c in y})
        if lost:
            msg = f"examples: no example with words for label(s) {lost} (their texts are empty or emoji only)"
            raise TopicInputError(msg)
        classifier = self._seeded(self.classifier if self.classifier is not None else LogisticRegression(C=10.0, max_iter=2000))
        classifier.fit(E[usable], y.astype(str))
        self.classifier_ = classifier
        # the classifier learns the names (str), so its classes_ are in str order ("10" before "2");
        # the topics are in the order of the labels as given, as np.unique(y) sorts them (scikit-learn's
        # classes_), and the classifier's columns are put in that order (_topic_columns)
        fitted_names = [str(c) for c in classifier.classes_]
        values = [(label_values or {}).get(c, c) for c in fitted_names]  # a name from labels= is its own label
        order = label_order(values)
        classes = [fitted_names[i] for i in order]
        self.label_values_ = [values[i] for i in order]
        centroids = _normalise(np.stack([E[usable][y == c].mean(axis=0) for c in classes]))
        X = self._embed_texts(docs)
        has_words = np.linalg.norm(X, axis=1) > 0
        assign = np.full(len(docs), -1, dtype=np.int64)
        best = np.zeros(len(docs), dtype=np.float32)
        if has_words.any():
            picked, best[has_words] = self._classify(classifier, X[has_words])
            assign[has_words] = np.asarray([classes.index(name) for name in fitted_names], dtype=np.int64)[picked]
        self._set_topics(docs, X, centroids, None, assign, best, has_words, order_by_size=False, names=classes, groups=groups)

    @staticmethod
    def _classify(classifier: Any, X: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Few-shot: the class of each row (a position in ``classifier.classes_``) and its score.

        The score is the class's probability with ``predict_proba``; else the value of the
        ``decision_function`` for the class (a margin, not a probability: ``LinearSVC``); else NaN.
        """
        classes = [str(c) for c in classifier.classes_]
        if hasattr(classifier, "predict_proba"):
            proba = np.asarray(classifier.predict_proba(X), dtype=np.float64)
            picked = proba.argmax(axis=1).astype(np.int64)
            return picked, proba[np.arange(len(X)), picked].astype(np.float32)
        picked = np.asarray([classes.index(str(c)) for c in classifier.predict(X)], dtype=np.int64)
        score = np.full(len(X), np.nan, dtype=np.float32)
        if hasattr(classifier, "decision_function"):
            decision = np.asarray(classifier.decision_function(X), dtype=np.float64)
            if decision.ndim == 1:  # two classes: the margin towards classes_[1]
                decision = np.stack([-decision, decision], axis=1)
            score = decision[np.arange(len(X)), picked].astype(np.float32)
        return picked, score

    @staticmethod
    def _class_proba(classifier: Any, X: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """The classifier's class probabilities (columns: its ``classes_``); one-hot of ``predict`` without ``predict_proba``.

        Rows are summed to 1 again in float64: a classifier fitted on float32 embeddings gives
        float32 probabilities whose rows miss 1 by about 1e-7, which scikit-learn's ``log_loss``
        warns about ("y_prob values do not sum to one").
        """
        if hasattr(classifier, "predict_proba"):
            proba = np.asarray(classifier.predict_proba(X), dtype=np.float64)
            total = proba.sum(axis=1, keepdims=True)
            out: npt.NDArray[np.float64] = np.divide(proba, total, out=proba.copy(), where=total > 0)
            return out
        picked, _ = TopicModel._classify(classifier, X)
        return np.eye(len(classifier.classes_), dtype=np.float64)[picked]

    def _topic_columns(self) -> npt.NDArray[np.int64]:
        """Few-shot: the column of each topic (``topics_``, ``classes_`` order) in the classifier's ``classes_``.

        The classifier learns the topic names, so its columns are in str order; the topics are in
        the order of the labels as given (``[0, 1, 2, ..., 10]``, not ``[0, 1, 10, 2, ...]``).
        """
        index = {str(c): i for i, c in enumerate(self.classifier_.classes_)}
        return np.asarray([index[t] for t in self.topics_], dtype=np.int64)

    # -- prediction ----------------------------------------------------------------------------
    @property
    def classes_(self) -> npt.NDArray[Any]:
        """The topics, in the column order of :meth:`predict_proba` and :meth:`transform`: what :meth:`predict` gives.

        In few-shot mode the labels as given (``y``'s or ``examples``' values: ints stay ints,
        ``"card "`` keeps its spaces), sorted as ``np.unique(y)`` sorts them (``[0, 1, 2, ..., 10]``),
        so scikit-learn's metrics (``log_loss(y, P, labels=tm.classes_)``, ``top_k_accuracy_score``)
        read the right columns; labels that do not sort together (ints beside the str names of
        ``labels=``) are ordered by their ``str``. Else the topic names (``topics_``).
        """
        self._check_fitted()
        values = getattr(self, "label_values_", None)  # None: not few-shot, or pickled before it
        return label_array(values) if values is not None else np.asarray(self.topics_, dtype=str)

    def _labels_of(self, topic: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
        """The label of each topic index (``classes_``), ``"other"`` for -1.

        A str array where the labels are str; with labels of another type (few-shot ints), an
        array of that type, or an object array where ``"other"`` is among them.
        """
        classes = self.classes_
        if (topic >= 0).all():
            return classes[topic]
        labels = np.array([*classes.tolist(), OTHER], dtype=object)[np.where(topic >= 0, topic, len(classes))]
        return labels.astype(str) if classes.dtype.kind == "U" else labels

    def _similarities(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """The vectors of ``texts`` and their cosine similarities to the centroids (fitted texts: their own leave-one-out)."""
        embedded = self._cleaned(as_texts(texts, "texts", allow_empty=True))
        X = self._embed(embedded)
        sims = (X @ self.centroids_.T).astype(np.float32)
        fitted: FittedTexts | None = getattr(self, "fitted_texts_", None)
        if fitted is not None and len(sims):
            found, own, own_score = fitted.lookup_own(embedded)
            usable = own < sims.shape[1]
            sims[found[usable], own[usable]] = own_score[usable]
        return X, sims

    def transform(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Cosine similarity of each text to each topic centroid, shape ``(n, n_topics)``.

        In discovery, a text the model was fitted on is compared with its own topic's centroid
        without itself (leave-one-out), as :meth:`predict` judges it; so where :meth:`predict`
        names a topic, it is the row's largest column, for fitted and new texts alike.
        """
        self._check_fitted()
        sims = self._similarities(texts)[1]
        if isinstance(texts, pd.Series):
            from sklearn.utils._set_output import _get_output_config  # type: ignore[import-untyped]

            if _get_output_config("transform", self)["dense"] == "pandas":
                # scikit-learn before 1.5 numbers a Series' rows 0..n-1 in set_output's frame: keep its index
                frame: Any = pd.DataFrame(sims, index=texts.index, columns=self.get_feature_names_out())
                return frame
        return sims

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Probability of each topic (columns: ``classes_``); rows of texts without words are uniform.

        In few-shot mode these are the classifier's (one-hot of its ``predict`` for a
        classifier without ``predict_proba``); otherwise a softmax of the cosine similarities
        at temperature 0.05 (a soft assignment, not a calibrated probability). There is no
        ``"other"`` column (as in scikit-learn, the columns are ``classes_``, the topics):
        :meth:`predict` may say ``"other"`` (an outlier of its nearest topic, ``min_score``, no
        words) where the row's largest column is a topic; where it names a topic, that is the
        largest column (in discovery, fitted texts are judged without themselves here too: see
        :meth:`transform`).
        """
        self._check_fitted()
        X, sims = self._similarities(texts)
        k = len(self.topics_)
        out = np.full((len(X), k), 1.0 / max(k, 1))
        has_words = np.linalg.norm(X, axis=1) > 0
        if has_words.any() and k:
            if self.mode_ == "few-shot":
                out[has_words] = self._class_proba(self.classifier_, X[has_words])[:, self._topic_columns()]
            else:
                out[has_words] = _softmax(sims[has_words], TEMPERATURE)
        return out

    def _assign_embedded(
        self, X: npt.NDArray[np.float32], embedded: Sequence[str] | None = None
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Topic index (-1: other) and score of each embedded text (NaN score: no words).

        ``embedded``: the texts as embedded; those the model was fitted on (discovery) get their
        fitted topic and score (:class:`FittedTexts`), so a fitted text is judged the same way
        in ``labels_`` and here.
        """
        has_words = np.linalg.norm(X, axis=1) > 0
        k = len(self.topics_)
        topic = np.full(len(X), -1, dtype=np.int64)
        score = np.full(len(X), np.nan, dtype=np.float32)
        if has_words.any() and k:
            Xw = X[has_words]
            if self.mode_ == "few-shot":
                index = {c: i for i, c in enumerate(self.topics_)}
                columns = np.array([index[str(c)] for c in self.classifier_.classes_], dtype=np.int64)
                picked, best = self._classify(self.classifier_, Xw)
                assign = columns[picked]
            else:
                assign, best = self._nearest(Xw, self.centroids_)
                if self.floors_ is not None:
                    assign = np.where(best >= self.floors_[assign], assign, -1)
            topic[has_words] = assign
            score[has_words] = best
            fitted: FittedTexts | None = getattr(self, "fitted_texts_", None)  # None: not discovery, or pickled before it
            if fitted is not None and embedded is not None:
                found, fitted_topic, fitted_score = fitted.lookup(embedded)
                usable = has_words[found]  # (a fitted text had words, so its vector here has too)
                topic[found[usable]], score[found[usable]] = fitted_topic[usable], fitted_score[usable]
            floor = getattr(self, "min_score", None)  # None in a model pickled before min_score existed
            if floor is not None:
                topic = np.where(score < floor, -1, topic)
        return topic, score

    def _assign_texts(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """:meth:`_assign_embedded` of ``texts`` (checked, cleaned and embedded here)."""
        embedded = self._cleaned(as_texts(texts, "texts", allow_empty=True))
        return self._assign_embedded(self._embed(embedded), embedded)

    def predict(self, texts: Sequence[str]) -> npt.NDArray[Any]:
        """The topic of each text; ``"other"`` for texts without words, and where none fits.

        None fits: in discovery, a text further from its nearest topic than that topic's own
        outliers (``floors_``); in every mode, a ``topic_score`` below ``min_score`` when it is
        given. So without ``min_score``, zero-shot and few-shot give every text with words one
        of the topics.

        The topics are ``classes_``: in few-shot mode the labels as given (``fit(texts, y)``
        with int ``y`` predicts ints, so ``predict`` can be scored against ``y``), where
        ``"other"`` is a str: with labels of another type than str, an ``"other"`` (a text
        without words, ``min_score``) makes the result an object array of mixed types.

        Examples:
            >>> from journeymap.testing import HashingEncoder
            >>> texts = ["card lost", "my card", "refund please", "a refund"]
            >>> tm = TopicModel(encoder=HashingEncoder(), cache=False).fit(texts, [0, 0, 1, 1])
            >>> tm.predict(["card late", "refund now"]).tolist(), tm.classes_.tolist(), tm.topics_
            ([0, 1], [0, 1], ['0', '1'])
            >>> tm.predict(["card late", "🙂"]).tolist()
            [0, 'other']
        """
        self._check_fitted()
        topic, _ = self._assign_texts(texts)
        return self._labels_of(topic)

    def assign(self, texts: Sequence[str]) -> pd.DataFrame:
        """Topic and score of each text in one pass: a frame with ``topic`` and ``topic_score``.

        ``topic`` is :meth:`predict`'s (few-shot: the labels as given; ``"other"`` a str).
        ``topic_score`` is how well the text fits its topic: in discovery and zero-shot the
        cosine similarity to the topic's centroid (in discovery, for a text the model was fitted
        on, to the centroid without that text; also given for texts put in ``"other"`` as
        outliers or below ``min_score``, where it is the similarity to the nearest topic), in
        few-shot the classifier's probability of the topic (for a classifier without
        ``predict_proba``, its ``decision_function`` value for the topic, a margin; NaN without
        either); NaN for texts without words. Rows keep the index of a pandas Series given (so
        ``df[["topic", "topic_score"]] = tm.assign(df["text"])`` lines up), else are numbered
        from 0.

        Examples:
            >>> from journeymap.testing import HashingEncoder
            >>> tm = TopicModel(labels=["card", "refund"], encoder=HashingEncoder(), cache=False)
            >>> tm.fit(["my card", "a refund", "card late", "refund now"]).assign(["card please", "🙂"]).round(2)
               topic  topic_score
            0   card         0.64
            1  other          NaN
        """
        self._check_fitted()
        topic, score = self._assign_texts(texts)
        index = texts.index if isinstance(texts, pd.Series) else None  # df[["topic", "topic_score"]] = tm.assign(df["text"])
        return pd.DataFrame({"topic": self._labels_of(topic), "topic_score": score}, index=index)

    def score(self, texts: Sequence[str], y: Sequence[Any] | None = None, sample_weight: Sequence[float] | None = None) -> float:
        """Accuracy of :meth:`predict` against ``y`` (as scikit-learn's classifiers score; what ``GridSearchCV`` uses by default).

        Raises:
            InvalidArgumentError: (a ``ValueError``) ``y`` is None: there is no accuracy without
                true labels. ``GridSearchCV`` and ``cross_val_score`` on texts alone (discovery)
                call ``score(texts)``; give them ``scoring=`` a callable ``scorer(model, texts, y=None)``
                of your own instead. Without it, scikit-learn's default ``error_score=np.nan`` turns
                this error into NaN scores and a ``UserWarning`` ("Scoring failed ...") that quotes
                this message; ``error_score="raise"`` raises it.

        Examples:
            >>> from journeymap.testing import HashingEncoder
            >>> tm = TopicModel(labels=["card", "refund"], encoder=HashingEncoder(), cache=False)
            >>> tm.fit(["my card", "a refund"]).score(["card late", "refund now", "🙂"], ["card", "refund", "card"])
            0.6666666666666666
        """
        from sklearn.metrics import accuracy_score  # type: ignore[import-untyped]

        if y is None:
            msg = (
                "y is required: score(texts, y) is the accuracy of predict against the true labels y, and there is "
                "none without them. For GridSearchCV or cross_val_score on texts alone (discovery), pass "
                "scoring= a callable scorer(model, texts, y=None) -> float that judges the topics without labels"
            )
            raise InvalidArgumentError(msg)
        return float(accuracy_score(y, self.predict(texts), sample_weight=sample_weight))

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> npt.NDArray[np.object_]:
        """Names of the columns of :meth:`transform` (and :meth:`predict_proba`): the topic names, in ``classes_`` order.

        So a ``Pipeline`` with a topic model as a feature step names its features, and
        ``set_output(transform="pandas")`` gives a DataFrame. ``input_features`` is ignored
        (the input is texts, one column).

        Examples:
            >>> from journeymap.testing import HashingEncoder
            >>> tm = TopicModel(labels=["card", "refund"], encoder=HashingEncoder(), cache=False).fit(["my card", "a refund"])
            >>> tm.get_feature_names_out().tolist()
            ['card', 'refund']
            >>> tm.set_output(transform="pandas").transform(["card late"]).columns.tolist()
            ['card', 'refund']
        """
        self._check_fitted()
        return np.asarray(self.topics_, dtype=object)

    def __sklearn_tags__(self) -> Any:
        # a classifier (it predicts a label per text in every mode, and learns from y when given):
        # cross_val_score(tm, X, y, cv=4) and GridSearchCV then split with StratifiedKFold; y is optional
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.non_deterministic = False
        return tags

    def _more_tags(self) -> dict[str, Any]:
        # the same tags for scikit-learn before 1.6, which reads them here (ClassifierMixin's say y is required)
        return {"requires_y": False, "X_types": ["string"], "non_deterministic": False}
