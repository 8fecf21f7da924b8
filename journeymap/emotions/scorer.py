"""The emotion-scorer interface every scorer, built-in or plugin, implements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np
    import numpy.typing as npt

    from journeymap.emotions.taxonomy import Taxonomy

__all__ = ["EmotionScorer"]


@runtime_checkable
class EmotionScorer(Protocol):
    """Scores texts with per-label emotion probabilities.

    Attributes:
        id: a stable, versioned identifier (``"journeymap.default.v1+int8"``): scores are cached
            and attributed under it, so change it whenever the scores would change.
        taxonomy: the labels of the score columns, in order, with their valences.

    ``score(texts)`` returns a float32 array of shape ``(len(texts), len(taxonomy.labels))`` with
    values in [0, 1]. It must accept any string (empty, emoji-only, very long, any language).

    Register a scorer under the entry-point group ``journeymap.scorers`` (the object is a class or
    factory called with the options given to :func:`journeymap.get_scorer`), and check it with
    :func:`journeymap.testing.check_scorer`.

    Example:
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
