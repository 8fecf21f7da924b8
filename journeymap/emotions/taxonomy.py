"""Emotion taxonomies: labels, a valence per label, and conversions to coarser ones.

Three are built in, from GoEmotions (Demszky et al., 2020):

* ``goemotions``: 27 emotions + neutral (the labels of the default model);
* ``ekman``: anger, disgust, fear, joy, sadness, surprise + neutral;
* ``sentiment``: positive, negative, ambiguous + neutral.

**Valence of a label** is a number in [-1, 1] (the table :data:`GOEMOTIONS_VALENCE`: joy 0.9,
anger -0.9, neutral 0, ...). **Valence of a scored text** is the probability-weighted mean of
its labels' valences, ``sum(p_i * v_i) / sum(p_i)``: a convex combination, so it stays in
[-1, 1]; a confident neutral pulls it to 0; a text with all probabilities 0 has valence 0.

**Converting** a score matrix to a coarser taxonomy gives each group the highest score of its
member labels (the probability that the most likely member is present: conservative, and it
stays in [0, 1] for multi-label scores).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field, ValidationError, model_validator

from journeymap.exceptions import InvalidArgumentError
from journeymap.model._base import Frozen, validation_problems

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

__all__ = ["EKMAN_GROUPS", "GOEMOTIONS_LABELS", "GOEMOTIONS_VALENCE", "SENTIMENT_GROUPS", "Taxonomy"]

GOEMOTIONS_LABELS: tuple[str, ...] = (
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion",
    "curiosity", "desire", "disappointment", "disapproval", "disgust", "embarrassment",
    "excitement", "fear", "gratitude", "grief", "joy", "love", "nervousness", "optimism",
    "pride", "realization", "relief", "remorse", "sadness", "surprise", "neutral",
)  # fmt: skip

#: Valence of each GoEmotions label, set by hand from the label's meaning and its GoEmotions
#: sentiment group (positive > 0, negative < 0, ambiguous near 0).
GOEMOTIONS_VALENCE: dict[str, float] = {
    "admiration": 0.7, "amusement": 0.6, "anger": -0.9, "annoyance": -0.6, "approval": 0.5,
    "caring": 0.5, "confusion": -0.3, "curiosity": 0.1, "desire": 0.4, "disappointment": -0.6,
    "disapproval": -0.5, "disgust": -0.8, "embarrassment": -0.5, "excitement": 0.8,
    "fear": -0.7, "gratitude": 0.8, "grief": -0.9, "joy": 0.9, "love": 0.9,
    "nervousness": -0.5, "optimism": 0.6, "pride": 0.7, "realization": 0.1, "relief": 0.6,
    "remorse": -0.5, "sadness": -0.8, "surprise": 0.2, "neutral": 0.0,
}  # fmt: skip

#: The Ekman grouping published with GoEmotions (neutral stays neutral).
EKMAN_GROUPS: dict[str, tuple[str, ...]] = {
    "anger": ("anger", "annoyance", "disapproval"),
    "disgust": ("disgust",),
    "fear": ("fear", "nervousness"),
    "joy": ("joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism", "relief",
            "pride", "admiration", "desire", "caring"),
    "sadness": ("sadness", "disappointment", "embarrassment", "grief", "remorse"),
    "surprise": ("surprise", "realization", "confusion", "curiosity"),
    "neutral": ("neutral",),
}  # fmt: skip
#: The sentiment grouping published with GoEmotions (neutral stays neutral).
SENTIMENT_GROUPS: dict[str, tuple[str, ...]] = {
    "positive": ("amusement", "excitement", "joy", "love", "desire", "optimism", "caring", "pride",
                 "admiration", "gratitude", "relief", "approval"),
    "negative": ("fear", "nervousness", "remorse", "embarrassment", "disappointment", "sadness", "grief",
                 "disgust", "anger", "annoyance", "disapproval"),
    "ambiguous": ("realization", "surprise", "curiosity", "confusion"),
    "neutral": ("neutral",),
}  # fmt: skip
#: High-arousal negative GoEmotions labels: what makes a message urgent in triage.
GOEMOTIONS_INTENSE: tuple[str, ...] = ("anger", "annoyance", "disgust", "fear", "nervousness", "grief", "sadness")
_EKMAN_VALENCE = {"anger": -0.9, "disgust": -0.8, "fear": -0.7, "joy": 0.8, "sadness": -0.8,
                  "surprise": 0.1, "neutral": 0.0}  # fmt: skip
_SENTIMENT_VALENCE = {"positive": 0.8, "negative": -0.8, "ambiguous": 0.0, "neutral": 0.0}


class Taxonomy(Frozen):
    """A set of emotion labels with a valence for each, and groupings onto coarser taxonomies.

    Attributes:
        name: the taxonomy's name (``goemotions``, ``ekman``, ``sentiment`` or your own).
        labels: label names, in score-column order.
        valence: valence of each label, in [-1, 1].
        groups: for each coarser taxonomy name, its groups as ``{group: member labels}``.
        intense: labels counted as high-intensity negative (triage's intensity); by default the
            labels of valence -0.5 or lower.

    Examples:
        >>> import numpy as np
        >>> tax = Taxonomy.goemotions()
        >>> p = np.zeros((1, 28), dtype=np.float32); p[0, tax.labels.index("anger")] = 0.9
        >>> converted = tax.convert(p, "ekman")
        >>> converted.dtype, print(converted[0, Taxonomy.ekman().labels.index("anger")])
        0.9
        (dtype('float32'), None)
        >>> round(float(tax.valence_of(p)[0]), 2)
        -0.9
    """

    name: str = Field(min_length=1)
    labels: tuple[str, ...] = Field(min_length=1)
    valence: dict[str, float]
    groups: dict[str, dict[str, tuple[str, ...]]] = Field(default_factory=dict)
    intense: tuple[str, ...] | None = None

    def __init__(self, **data: Any) -> None:
        """Build and check a taxonomy; a field that does not fit is an :class:`~journeymap.InvalidArgumentError`.

        The error names the field and why (``taxonomy: labels must be unique``, ``valence.a:
        Input should be a valid number``): a service building a taxonomy from a client's settings
        catches :class:`~journeymap.JourneyMapError` (pydantic's ``ValidationError`` is not one).

        Examples:
            >>> Taxonomy(name="x", labels=["a", "a"], valence={"a": 0.5})
            Traceback (most recent call last):
            ...
            journeymap.exceptions.InvalidArgumentError: not a valid Taxonomy: taxonomy 'x': labels must be unique
        """
        try:
            super().__init__(**data)
        except ValidationError as exc:
            msg = f"not a valid Taxonomy: {validation_problems(exc)}"
            raise InvalidArgumentError(msg) from exc

    @model_validator(mode="after")
    def _check(self) -> Taxonomy:
        if len(set(self.labels)) != len(self.labels):
            msg = f"taxonomy {self.name!r}: labels must be unique"
            raise InvalidArgumentError(msg)
        missing = [lab for lab in self.labels if lab not in self.valence]
        if missing:
            msg = f"taxonomy {self.name!r}: no valence for {missing}"
            raise InvalidArgumentError(msg)
        bad = {k: v for k, v in self.valence.items() if not -1.0 <= v <= 1.0}
        if bad:
            msg = f"taxonomy {self.name!r}: valence must lie in [-1, 1]: {bad}"
            raise InvalidArgumentError(msg)
        strange = [lab for lab in self.intense or () if lab not in self.labels]
        if strange:
            msg = f"taxonomy {self.name!r}: intense names unknown labels {strange}"
            raise InvalidArgumentError(msg)
        for target, groups in self.groups.items():
            unknown = sorted({m for members in groups.values() for m in members} - set(self.labels))
            if unknown:
                msg = f"taxonomy {self.name!r}: grouping {target!r} names unknown labels {unknown}"
                raise InvalidArgumentError(msg)
        return self

    @classmethod
    def goemotions(cls) -> Taxonomy:
        """The 28 GoEmotions labels, with Ekman and sentiment groupings."""
        return cls(
            name="goemotions",
            labels=GOEMOTIONS_LABELS,
            valence=GOEMOTIONS_VALENCE,
            groups={"ekman": EKMAN_GROUPS, "sentiment": SENTIMENT_GROUPS},
            intense=GOEMOTIONS_INTENSE,
        )

    @classmethod
    def ekman(cls) -> Taxonomy:
        """Ekman's six emotions + neutral."""
        return cls(name="ekman", labels=tuple(EKMAN_GROUPS), valence=_EKMAN_VALENCE)

    @classmethod
    def sentiment(cls) -> Taxonomy:
        """Positive, negative, ambiguous + neutral."""
        return cls(name="sentiment", labels=tuple(SENTIMENT_GROUPS), valence=_SENTIMENT_VALENCE)

    @classmethod
    def builtin(cls, name: str) -> Taxonomy:
        """A built-in taxonomy by name."""
        makers = {"goemotions": cls.goemotions, "ekman": cls.ekman, "sentiment": cls.sentiment}
        if name not in makers:
            msg = f"unknown taxonomy {name!r}; built-in ones: {sorted(makers)}"
            raise InvalidArgumentError(msg)
        return makers[name]()

    @classmethod
    def matching(cls, labels: Sequence[str]) -> Taxonomy | None:
        """The built-in taxonomy with exactly these labels in this order, or None.

        Examples:
            >>> Taxonomy.matching(["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"]).name
            'ekman'
        """
        for make in (cls.goemotions, cls.ekman, cls.sentiment):
            taxonomy = make()
            if taxonomy.labels == tuple(labels):
                return taxonomy
        return None

    @property
    def intense_labels(self) -> tuple[str, ...]:
        """Labels counted as high-intensity negative: :attr:`intense`, else those of valence -0.5 or lower.

        Examples:
            >>> valence = {"fuming": -0.5, "cross": -0.49, "fine": 0.5}
            >>> Taxonomy(name="moods", labels=("fuming", "cross", "fine"), valence=valence).intense_labels
            ('fuming',)
        """
        if self.intense is not None:
            return self.intense
        return tuple(lab for lab in self.labels if self.valence[lab] <= -0.5)

    @property
    def valence_vector(self) -> npt.NDArray[np.float32]:
        """Valences in label order."""
        return np.array([self.valence[lab] for lab in self.labels], dtype=np.float32)

    def valence_of(self, scores: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Valence of each row of a score matrix (see the module docstring)."""
        p = np.asarray(scores, dtype=np.float32)
        self._check_shape(p)
        total = p.sum(axis=1)
        weighted = p @ self.valence_vector
        out = np.divide(weighted, total, out=np.zeros_like(weighted), where=total > 0)
        clipped: npt.NDArray[np.float32] = np.clip(out, -1.0, 1.0).astype(np.float32)
        return clipped

    def dominant(self, scores: npt.ArrayLike, sentiment: npt.ArrayLike | None = None) -> npt.NDArray[np.object_]:
        """The highest-scoring label of each row; with ``sentiment``, the highest that agrees with it.

        ``sentiment`` holds one decision per row (``"negative"``, ``"neutral"``, ``"positive"``,
        or a missing value: None, NA). A negative row gets its highest-scoring label of negative valence, a positive
        row its highest of positive valence, so that a complaint the sentiment head reads as
        negative is not labelled ``neutral`` because the emotion head was unsure (the label
        probabilities themselves are untouched). Neutral and None rows, taxonomies without labels
        of that sign, and rows where every such label scores 0 get the highest-scoring label
        overall.

        Examples:
            >>> tax = Taxonomy.ekman()
            >>> p = [[0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.8]]  # anger 0.1, neutral 0.8
            >>> tax.dominant(p).tolist(), tax.dominant(p, ["negative"]).tolist()
            (['neutral'], ['anger'])
        """
        p = np.asarray(scores, dtype=np.float32)
        self._check_shape(p)
        labels = np.asarray(self.labels, dtype=object)
        names: npt.NDArray[np.object_] = labels[np.argmax(p, axis=1)]
        if sentiment is None:
            return names
        decided = np.asarray(sentiment, dtype=object)
        if decided.shape != (p.shape[0],):
            msg = f"sentiment has {decided.shape} values for {p.shape[0]} rows of scores"
            raise InvalidArgumentError(msg)
        valence = self.valence_vector
        for side, sign in (("negative", -1.0), ("positive", 1.0)):
            agreeing = np.sign(valence) == sign
            rows = np.fromiter((isinstance(d, str) and d == side for d in decided), dtype=bool, count=len(decided))
            if agreeing.any() and rows.any():
                masked = np.where(agreeing, p[rows], -np.inf)
                best = np.argmax(masked, axis=1)
                evidence = masked[np.arange(len(best)), best] > 0  # all such labels at 0: no reading to prefer
                names[np.flatnonzero(rows)[evidence]] = labels[best[evidence]]
        return names

    def convert(self, scores: npt.ArrayLike, to: str | Taxonomy) -> npt.NDArray[np.float32]:
        """Scores on a coarser taxonomy: each group gets the highest score of its members."""
        target = Taxonomy.builtin(to) if isinstance(to, str) else to
        if target.name == self.name:
            p = np.asarray(scores, dtype=np.float32)
            if tuple(target.labels) == tuple(self.labels) or not set(target.labels) <= set(self.labels):
                return p
            self._check_shape(p)  # the same labels in another order (a model's own): by name
            return p[:, [self.labels.index(label) for label in target.labels]]
        if target.name not in self.groups:
            msg = f"no conversion from {self.name!r} to {target.name!r}; known: {sorted(self.groups)}"
            raise InvalidArgumentError(msg)
        p = np.asarray(scores, dtype=np.float32)
        self._check_shape(p)
        groups = self.groups[target.name]
        index = {lab: i for i, lab in enumerate(self.labels)}
        out = np.zeros((p.shape[0], len(target.labels)), dtype=np.float32)
        for j, group in enumerate(target.labels):
            members = [index[m] for m in groups.get(group, ())]
            if members:
                out[:, j] = p[:, members].max(axis=1)
        return out

    def _check_shape(self, p: np.ndarray) -> None:
        if p.ndim != 2 or p.shape[1] != len(self.labels):
            msg = f"scores must have shape (n, {len(self.labels)}) for taxonomy {self.name!r}, got {p.shape}"
            raise InvalidArgumentError(msg)
