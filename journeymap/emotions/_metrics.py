"""Multi-label F1 and per-label threshold tuning, in NumPy (no scikit-learn needed)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.floating]
BoolArray = npt.NDArray[np.bool_]


def f1_per_label(pred: BoolArray, true: BoolArray) -> npt.NDArray[np.float64]:
    """F1 per column; a label with neither predictions nor positives scores 0, as scikit-learn does."""
    tp = (pred & true).sum(axis=0).astype(np.float64)
    fp = (pred & ~true).sum(axis=0).astype(np.float64)
    fn = (~pred & true).sum(axis=0).astype(np.float64)
    denom = 2 * tp + fp + fn
    f1: npt.NDArray[np.float64] = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return f1


def micro_f1(pred: BoolArray, true: BoolArray) -> float:
    """F1 over all (row, label) decisions pooled."""
    tp = float((pred & true).sum())
    denom = 2 * tp + float((pred & ~true).sum()) + float((~pred & true).sum())
    return 2 * tp / denom if denom else 0.0


def predict(probs: FloatArray, thresholds: FloatArray) -> BoolArray:
    """Labels at or above their threshold; a row with none gets its best label by prob/threshold.

    Every text carries at least one label in GoEmotions (neutral included), so an empty
    prediction is always wrong; the best ratio to its threshold is the fairest fallback.
    """
    pred = probs >= thresholds
    empty = ~pred.any(axis=1)
    if empty.any():
        best = np.argmax(probs[empty] / thresholds, axis=1)
        pred[np.flatnonzero(empty), best] = True
    return pred


def tune_thresholds(probs: FloatArray, true: BoolArray, grid: FloatArray | None = None) -> npt.NDArray[np.float32]:
    """Per-label threshold maximising that label's F1 on a development split.

    Ties go to the lowest threshold of the grid. A label with no positive text on the split keeps
    0.5: F1 is 0 at every threshold there, and the lowest would predict it for nearly every text.
    The grid is compared in float32, as the thresholds are stored and applied.

    Examples:
        >>> probs = np.array([[0.3, 0.9], [0.6, 0.2], [0.57, 0.8]], dtype=np.float32)
        >>> [round(float(t), 2) for t in tune_thresholds(probs, np.array([[False, True], [False, False], [False, True]]))]
        [0.5, 0.21]
    """
    grid = np.arange(0.02, 0.96, 0.01) if grid is None else grid
    grid = np.asarray(grid, dtype=np.float32)
    best = np.full(probs.shape[1], 0.5, dtype=np.float32)
    best_f1 = np.full(probs.shape[1], -1.0)
    for t in grid:
        f1 = f1_per_label(probs >= t, true)
        better = f1 > best_f1
        best[better] = t
        best_f1[better] = f1[better]
    best[~np.asarray(true, dtype=bool).any(axis=0)] = 0.5
    return best
