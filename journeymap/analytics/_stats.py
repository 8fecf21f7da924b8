"""Small statistics shared by the aggregates (computed apart from any drawing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd

__all__ = ["BOOTSTRAP_MAX_N", "Estimate", "MeanInterval", "format_top", "top_labels", "wilson"]

#: Groups larger than this get the normal-approximation interval (the bootstrap's limit).
BOOTSTRAP_MAX_N = 5000


class Estimate(NamedTuple):
    """A mean with the low and high ends of its interval (all NaN for an empty sample)."""

    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class MeanInterval:
    """The mean of a sample and its confidence interval: the one interval the analytics report.

    Calling it on an array of values (NaN left out) gives an :class:`Estimate`. Up to
    :data:`BOOTSTRAP_MAX_N` values the interval is the percentile bootstrap (``n_boot``
    resamples drawn with ``seed``, so the same values in the same order always give the same
    interval); above that, the normal approximation (:meth:`normal`), where the two agree and the
    bootstrap would cost ``n x n_boot`` draws. One value gives a zero-width interval.

    Computed apart from any drawing (as seaborn's ``_statistics`` does): tables, graph nodes,
    the journey map and the distributed partials all use this object, so one touchpoint gets
    one interval wherever it is shown.

    Attributes:
        n_boot: bootstrap resamples.
        seed: seed of the resampling.
        level: the interval's coverage.

    Example:
        >>> import numpy as np
        >>> est = MeanInterval(seed=1)(np.array([0.1, 0.5, 0.3, np.nan]))
        >>> round(est.mean, 2), bool(est.low < est.mean < est.high)
        (0.3, True)
        >>> est == MeanInterval(seed=1)(np.array([0.1, 0.5, 0.3]))
        True
    """

    n_boot: int = 1000
    seed: int = 0
    level: float = 0.95

    def __call__(self, values: npt.ArrayLike) -> Estimate:
        """The mean of ``values`` (NaN left out) and its interval."""
        v = np.asarray(values, dtype=np.float64)
        v = v[~np.isnan(v)]
        n = len(v)
        if n == 0:
            return Estimate(np.nan, np.nan, np.nan)
        mean = float(v.mean())
        if n == 1:
            return Estimate(mean, mean, mean)
        if n > BOOTSTRAP_MAX_N:
            return self.normal(n, mean, float(v.std(ddof=1)))
        alpha = (1 - self.level) / 2
        rng = np.random.default_rng(self.seed)
        means = v[rng.integers(0, n, size=(self.n_boot, n))].mean(axis=1)
        low, high = np.quantile(means, [alpha, 1 - alpha])
        return Estimate(mean, float(low), float(high))

    def normal(self, n: int, mean: float, sd: float) -> Estimate:
        """The normal-approximation interval from a sample's size, mean and standard deviation (ddof 1).

        What :meth:`__call__` gives above :data:`BOOTSTRAP_MAX_N` values; the distributed
        partials call it with merged moments, without the values.
        """
        half = _normal_quantile(1 - (1 - self.level) / 2) * sd / np.sqrt(n)
        return Estimate(mean, mean - half, mean + half)


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


def wilson(
    successes: npt.ArrayLike, n: npt.ArrayLike, level: float = 0.95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Wilson score intervals of shares ``successes / n`` (vectorised; NaN where ``n`` is 0).

    Unlike the normal approximation, it stays inside [0, 1] and is sensible for shares of 0 or 1
    and for small groups.

    Example:
        >>> low, high = wilson([0, 5, 10], [10, 10, 0])
        >>> [round(float(x), 3) for x in low[:2]], [round(float(x), 3) for x in high[:2]], bool(np.isnan(low[2]))
        ([0.0, 0.237], [0.278, 0.763], True)
    """
    k = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    z = _normal_quantile(1 - (1 - level) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        denom = 1 + z**2 / m
        centre = (p + z**2 / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / denom
    low = np.where(m > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(m > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def _normal_quantile(q: float) -> float:
    """The standard normal quantile: ``scipy.stats.norm.ppf(q)``, which is ``scipy.special.ndtri(q)``.

    Called through ``scipy.special``: importing ``scipy.stats`` costs a second or two.
    """
    from scipy.special import ndtri

    return float(ndtri(q))
