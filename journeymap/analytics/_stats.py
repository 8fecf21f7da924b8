"""Small statistics shared by the aggregates (computed apart from any drawing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: Groups larger than this get the normal-approximation interval (the bootstrap's limit).
BOOTSTRAP_MAX_N = 5000


def mean_ci(values: np.ndarray, *, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """Percentile-bootstrap interval of the mean (normal approximation for large samples)."""
    values = values[~np.isnan(values)]
    n = len(values)
    if n == 0:
        return (np.nan, np.nan)
    if n == 1:
        return (float(values[0]), float(values[0]))
    alpha = (1 - level) / 2
    if n > BOOTSTRAP_MAX_N:
        from scipy.stats import norm

        half = norm.ppf(1 - alpha) * values.std(ddof=1) / np.sqrt(n)
        m = float(values.mean())
        return (m - half, m + half)
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, n, size=(n_boot, n))].mean(axis=1)
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return (float(low), float(high))


def top_labels(labels: pd.Series, k: int = 3) -> str:
    """The ``k`` most frequent labels with their shares, as text: ``"anger 40%, joy 20%"``."""
    return format_top(labels.value_counts(), k)


def format_top(counts: pd.Series, k: int = 3) -> str:
    """:func:`top_labels` from label counts; ties go to the label first in alphabetical order.

    The tie-break makes the text independent of row order, so partial counts merged from
    partitions give the same text as counting all rows at once.
    """
    counts = counts[counts > 0]
    total = int(counts.sum())
    ranked = sorted(((int(c), str(lab)) for lab, c in counts.items()), key=lambda item: (-item[0], item[1]))[:k]
    return ", ".join(f"{lab} {c / total:.0%}" for c, lab in ranked)
