"""The emotion-scorer interface every scorer, built-in or plugin, implements."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np
    import numpy.typing as npt

    from journeymap.emotions.taxonomy import Taxonomy

__all__ = [
    "OUTPUTS",
    "EmotionScorer",
    "SentimentScorer",
    "id_problem",
    "language_code",
    "languages_problem",
    "scorer_languages",
]

#: Extra outputs a :class:`SentimentScorer` may give, after its label probabilities.
OUTPUTS: tuple[str, ...] = ("sentiment_negative", "sentiment_neutral", "sentiment_positive", "irony", "unread_tokens")


@runtime_checkable
class EmotionScorer(Protocol):
    """Scores texts with per-label emotion probabilities.

    Attributes:
        id: a stable, versioned identifier (``"journeymap.default.v2+int8"``): scores are cached
            and attributed under it, so change it whenever the scores would change.
        taxonomy: the labels of the score columns, in order, with their valences.

    ``score(texts)`` returns a float32 array of shape ``(len(texts), len(taxonomy.labels))`` with
    values in [0, 1]. It must accept any string (empty, emoji-only, very long, any language).

    Optional: ``languages``, a tuple of the language codes the scorer reads (``("en",)``; see
    :func:`scorer_languages`; in any case, a region or script subtag dropped: ``"en-US"`` reads
    ``"en"``): :func:`journeymap.score` leaves texts detected in other languages unscored, with a
    note, rather than send them to it. Without it, any language.

    Register a scorer under the entry-point group ``journeymap.scorers`` (the object is a class or
    factory called with the options given to :func:`journeymap.get_scorer`), and check it with
    :func:`journeymap.testing.check_scorer`.

    Examples:
        >>> import numpy as np
        >>> from journeymap.emotions.taxonomy import Taxonomy
        >>> class Constant:
        ...     id = "constant.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         return np.full((len(texts), 4), 0.25, dtype=np.float32)
        >>> isinstance(Constant(), EmotionScorer)
        True
    """

    @property
    def id(self) -> str:
        """Stable, versioned identifier."""
        ...

    @property
    def taxonomy(self) -> Taxonomy:
        """Labels of the score columns."""
        ...

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Probabilities of shape ``(len(texts), n_labels)``, float32 in [0, 1]."""
        ...


@runtime_checkable
class SentimentScorer(EmotionScorer, Protocol):
    """An :class:`EmotionScorer` that also gives calibrated sentiment (and more) beside its labels.

    Optional: :func:`journeymap.score` uses ``score_outputs`` where a scorer has it and falls back
    to ``score`` (with sentiment from valence) where it does not, so plugins that only return
    label probabilities keep working.

    Attributes:
        outputs: names of the extra columns, a subset of :data:`OUTPUTS` in that order:
            ``sentiment_negative``, ``sentiment_neutral``, ``sentiment_positive`` (calibrated
            probabilities summing to 1; the decision is their argmax), ``irony`` (probability),
            ``unread_tokens`` (tokens of the text that were not read, 0 when all were).

    ``score_outputs(texts)`` returns float32 of shape ``(len(texts), n_labels + len(outputs))``:
    the label probabilities (as ``score`` returns them), then the outputs. The rows are cached
    under the scorer's id at that width.

    Examples:
        >>> import numpy as np
        >>> from journeymap.emotions.taxonomy import Taxonomy
        >>> class Planted:
        ...     id = "planted.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     outputs = ("sentiment_negative", "sentiment_neutral", "sentiment_positive")
        ...     def score(self, texts):
        ...         return self.score_outputs(texts)[:, :4]
        ...     def score_outputs(self, texts):
        ...         return np.tile(np.float32([0, 0, 1, 0, 0.1, 0.1, 0.8]), (len(texts), 1))
        >>> isinstance(Planted(), SentimentScorer)
        True
    """

    @property
    def outputs(self) -> tuple[str, ...]:
        """Names of the extra columns of :meth:`score_outputs`."""
        ...

    def score_outputs(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Label probabilities and then the extra outputs, float32."""
        ...


def id_problem(value: object) -> str | None:
    r"""What is wrong with a scorer's ``id``, or None: it must be non-empty, printable text without surrounding whitespace.

    The id is cached, written to the ``scorer`` column and to files: a lone surrogate
    (``"acme\ud800.v1"``) cannot be written as UTF-8, and a blank id names nothing.
    :func:`journeymap.get_scorer` and :func:`journeymap.testing.check_id` refuse such ids with
    this message.

    Examples:
        >>> id_problem("acme.lexicon.v1") is None
        True
        >>> id_problem(" ")
        "id must not start or end with whitespace, got ' '"
        >>> id_problem("acme\ud800.v1")
        "id must be printable text (no control characters or lone surrogates), got 'acme\\ud800.v1'"
    """
    if not isinstance(value, str) or not value:
        return f"id must be a non-empty string, got {value!r}"
    if value != value.strip():
        return f"id must not start or end with whitespace, got {value!r}"
    if not value.isprintable():  # control characters, lone surrogates: it is cached and written to files
        return f"id must be printable text (no control characters or lone surrogates), got {value!r}"
    return None


def language_code(code: str) -> str:
    """A declared language code as :func:`~journeymap.emotions.language.detect_languages` writes codes.

    Language tags are case-insensitive (BCP 47), and the detector names the language only: the
    code is read in lower case, and a region or script subtag after ``-`` or ``_`` is dropped
    (``"EN"``, ``"en-US"`` and ``"en_GB"`` read ``"en"``, ``"zh-Hant"`` reads ``"zh"``).

    Examples:
        >>> [language_code(c) for c in ("EN", "en-US", "pt_BR", "zh-Hant", " es ")]
        ['en', 'en', 'pt', 'zh', 'es']
    """
    return re.split(r"[-_]", code.strip(), maxsplit=1)[0].lower()


def scorer_languages(scorer: object) -> frozenset[str] | None:
    """The languages a scorer declares it reads (attribute ``languages``), or None for any.

    The codes are read with :func:`language_code`: ``("EN",)`` and ``("en-US",)`` read English.

    Examples:
        >>> class English:
        ...     languages = ("en-US",)
        >>> sorted(scorer_languages(English())), scorer_languages(object())
        (['en'], None)
    """
    langs = getattr(scorer, "languages", None)
    if langs is None:
        return None
    return frozenset(language_code(str(x)) for x in langs)


def languages_problem(declared: object) -> str | None:
    """What is wrong with a scorer's declared ``languages`` (None, or a non-empty collection of codes), or None.

    A bare string (``"en"``) would be read letter by letter (``{"e", "n"}``): every English text
    would be left unscored. Case and region subtags are no problem: codes are read with
    :func:`language_code` (``"EN-us"`` reads ``"en"``). :func:`journeymap.get_scorer` and
    :func:`journeymap.testing.check_scorer` refuse it with this message.

    Examples:
        >>> languages_problem(("en",)) is None, languages_problem(None) is None
        (True, True)
        >>> languages_problem("en")
        "languages must be codes such as ('en',), not the string 'en'"
    """
    if declared is None:
        return None
    if isinstance(declared, str):
        return f"languages must be codes such as ({declared!r},), not the string {declared!r}"
    try:
        codes = list(declared)  # type: ignore[call-overload]
    except TypeError:
        return f"languages must be a collection of language codes, got {type(declared).__name__}"
    if not codes or not all(isinstance(c, str) and c.strip() and c == c.strip() for c in codes):
        return f"languages must name at least one language code (non-empty strings), got {codes!r}"
    nameless = [c for c in codes if not language_code(c)]
    if nameless:
        return f"languages must be codes such as 'en' or 'en-US' (a language first), got {nameless!r}"
    return None
