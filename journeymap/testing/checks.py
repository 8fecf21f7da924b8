"""``check_scorer``: the conformance suite a scorer plugin must pass."""

from __future__ import annotations

from typing import Any

import numpy as np

from journeymap.emotions.registry import verify_scorer
from journeymap.emotions.taxonomy import Taxonomy

__all__ = ["ADVERSARIAL_TEXTS", "check_scorer"]

#: Texts every scorer must handle without failing.
ADVERSARIAL_TEXTS: tuple[str, ...] = (
    "",
    " ",
    "😡😡😡",
    "!!!???",
    "thank you so much, that fixed it!",
    "this is the worst service I have ever had",
    "c'est vraiment nul, personne ne répond",
    "配送が遅れています",
    "word " * 2000,
    "a\x00b\ud800",
    "<script>alert(1)</script>",
)


def check_scorer(scorer: Any) -> None:
    """Check that ``scorer`` honours the :class:`~journeymap.EmotionScorer` contract.

    Checks the id, the taxonomy, the output's type, shape, dtype and range on hard inputs
    (empty, emoji-only, very long, non-English, invalid unicode), an empty batch, that scores do
    not depend on the batch a text is in, and that repeated calls agree. Raises
    ``AssertionError`` naming the first failure.

    Example:
        >>> import numpy as np
        >>> class Constant:
        ...     id = "constant.v1"
        ...     taxonomy = Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         return np.full((len(texts), 4), 0.25, dtype=np.float32)
        >>> check_scorer(Constant())
    """
    name = type(scorer).__name__
    try:
        verify_scorer(scorer, name)
    except Exception as exc:
        raise AssertionError(str(exc)) from exc
    assert isinstance(scorer.taxonomy, Taxonomy), f"{name}.taxonomy must be a Taxonomy"
    k = len(scorer.taxonomy.labels)
    texts = list(ADVERSARIAL_TEXTS)
    out = scorer.score(texts)
    assert isinstance(out, np.ndarray), f"{name}.score must return a numpy array, got {type(out).__name__}"
    assert out.shape == (len(texts), k), f"{name}.score returned shape {out.shape}, expected {(len(texts), k)}"
    assert out.dtype == np.float32, f"{name}.score must return float32, got {out.dtype}"
    assert np.isfinite(out).all(), f"{name}.score returned NaN or inf"
    assert (out >= 0).all(), f"{name}.score returned values outside [0, 1]"
    assert (out <= 1).all(), f"{name}.score returned values outside [0, 1]"
    empty = scorer.score([])
    assert np.asarray(empty).shape == (0, k), f"{name}.score([]) must have shape (0, {k}), got {np.asarray(empty).shape}"
    alone = scorer.score([texts[4]])
    assert np.allclose(alone[0], out[4], atol=1e-3), f"{name}: a text's score changes with the batch it is in"
    again = scorer.score(texts[:6])
    assert np.allclose(again, out[:6], atol=1e-3), f"{name}.score is not deterministic"
    valence = scorer.taxonomy.valence_of(out)
    assert ((valence >= -1) & (valence <= 1)).all(), f"{name}: valence outside [-1, 1]"
