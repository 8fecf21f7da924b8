"""Small statistics shared by the aggregates (computed apart from any drawing)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from journeymap.analytics._checks import check_count, check_seed

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy.typing as npt

__all__ = ["BOOTSTRAP_MAX_N", "Estimate", "MeanInterval", "cluster_se", "format_top", "top_labels", "wilson"]

#: Groups larger than this get the normal-approximation interval (the bootstrap's limit).
BOOTSTRAP_MAX_N = 5000


#: The range of a valence, and of a change of valence between two messages.
VALENCE_BOUNDS = (-1.0, 1.0)
CHANGE_BOUNDS = (-2.0, 2.0)


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
    bootstrap would cost ``n x n_boot`` draws. Small samples get at least Student's t interval
    (the percentile bootstrap alone covers 0.50 at n=2 and 0.84 at n=5 for a nominal 0.95); one
    value gives no interval (NaN bounds).

    Computed apart from any drawing (as seaborn's ``_statistics`` does): tables, graph nodes,
    the journey map and the distributed partials all use this object, so one touchpoint gets
    one interval wherever it is shown.

    The interval is clipped to ``bounds``, the range the values can take (valence: -1 to 1):
    Student's t interval at n=2 is about six standard deviations wide and would otherwise
    claim means no sample could have. Coverage: 0.95 for symmetric values from n=2 on; for
    skewed ones lower at small n (about 0.86 at n=5 and 0.92 at n=20 for a Beta(0.5, 3) on
    [-1, 1], with the misses on the side of the long tail). Values that are all equal show no
    spread to measure: with finite ``bounds`` they get the Wilson interval their mean would have
    as a share of the range (a bounded value's variance is at most that of a share), without
    bounds an interval of zero width.

    ``groups`` (the cluster of each value: the analytics pass the customer,
    :func:`~journeymap.analytics._prep.interval_units`) makes the interval a cluster one:
    messages of one customer are not independent (a customer who is angry writes several angry
    messages, in one journey or across several), so whole clusters are resampled, and the floor
    is Student's t with the cluster-robust standard error of the mean and one degree of freedom
    fewer than the clusters (above :data:`BOOTSTRAP_MAX_N` values, that t interval alone: with
    few clusters the normal quantile would be too small however many messages they hold). With
    12 clusters of 8 messages each, the message-level interval covered the true mean in 46% of
    simulated samples, the cluster one in 94%. The mean itself is still the mean over messages.
    Values of a single cluster give no interval (NaN bounds): one customer says nothing about
    the others. Where every value is its own cluster, the result is the message-level one.

    Attributes:
        n_boot: bootstrap resamples.
        seed: seed of the resampling, read by :func:`~journeymap.analytics._checks.check_seed`: an int
            (each call draws the same resamples for the same values), None (fresh entropy each
            call: not reproducible) or a ``numpy.random.Generator`` (each call continues its draws).
        level: the interval's coverage.
        bounds: the lowest and highest value the interval may reach (default: none).

    Examples:
        >>> import numpy as np
        >>> est = MeanInterval(seed=1)(np.array([0.1, 0.5, 0.3, np.nan]))
        >>> round(est.mean, 2), bool(est.low < est.mean < est.high)
        (0.3, True)
        >>> est == MeanInterval(seed=1)(np.array([0.1, 0.5, 0.3]))
        True
    """

    n_boot: int = 1000
    seed: int | np.random.Generator | None = 0
    level: float = 0.95
    bounds: tuple[float, float] = (-math.inf, math.inf)

    def __post_init__(self) -> None:
        # at once, with the argument's name: numpy would refuse a bad seed only where a group is resampled
        check_seed(self.seed)
        check_count(self.n_boot, "n_boot", minimum=1)

    def __call__(self, values: npt.ArrayLike, groups: npt.ArrayLike | None = None) -> Estimate:
        """The mean of ``values`` (NaN left out) and its interval; ``groups``: the cluster (customer) of each value."""
        v = np.asarray(values, dtype=np.float64)
        keep = ~np.isnan(v)
        v = v[keep]
        codes = None
        if groups is not None:
            codes, n_clusters = _cluster_codes(np.asarray(groups)[keep])  # missing values: one cluster
            if not (len(v) and n_clusters < len(v)):  # no cluster has several values
                codes = None
        step = self._estimate(v, codes, self._draw)
        return step if isinstance(step, Estimate) else self._bootstrap(step)

    def by_group(self, values: npt.ArrayLike, keys: npt.ArrayLike, groups: npt.ArrayLike | None = None) -> list[Estimate]:
        """:meth:`__call__` on the values of each key, in one pass: the same estimates, without a call per key.

        ``keys`` are integer codes 0..K-1 (:func:`pandas.factorize`'s; -1: the row belongs to no
        key); the result holds key k's estimate at position k, exactly what ``self(values[keys ==
        k], groups[keys == k])`` gives (the rows in their order, NaN left out). With an int
        ``seed`` every key draws what a call of its own would (keys of the same size share the
        draws, as their calls would); with a Generator the keys draw from it in the order of their
        codes, as calls key by key would; with None, each afresh.

        Examples:
            >>> interval = MeanInterval(seed=1)
            >>> values = np.array([0.1, 0.5, 0.3, 0.9, np.nan, 0.2])
            >>> keys = np.array([0, 0, 0, 1, 1, -1])
            >>> interval.by_group(values, keys) == [interval(values[:3]), interval(values[3:5])]
            True
        """
        v_all = np.asarray(values, dtype=np.float64)
        key = np.asarray(keys, dtype=np.int64)
        n_keys = int(key.max(initial=-1)) + 1
        rows = np.flatnonzero((key >= 0) & ~np.isnan(v_all))
        rows = rows[np.argsort(key[rows], kind="stable")]  # by key, each key's rows in their order
        v_sorted, k_sorted = v_all[rows], key[rows]
        starts = np.searchsorted(k_sorted, np.arange(n_keys), side="left")
        ends = np.searchsorted(k_sorted, np.arange(n_keys), side="right")
        sizes = ends - starts
        local: npt.NDArray[np.int64] | None = None
        clustered = np.zeros(n_keys, dtype=bool)
        draw_size = sizes.copy()
        if groups is not None and len(rows):
            # each key's clusters numbered 0.. in the order they first appear in it, as _cluster_codes numbers them
            units, n_units = _cluster_codes(np.asarray(groups)[rows])
            pair = pd.factorize(k_sorted * n_units + units)[0].astype(np.int64)  # in order of first appearance
            nonempty = sizes > 0
            local = pair - np.repeat(pair[starts[nonempty]], sizes[nonempty])
            n_clusters = np.zeros(n_keys, dtype=np.int64)
            n_clusters[nonempty] = np.maximum.reduceat(local, starts[nonempty]) + 1
            clustered = nonempty & (n_clusters < sizes)
            draw_size = np.where(clustered, n_clusters, sizes)
        fresh = self.seed is None or isinstance(self.seed, np.random.Generator)
        # an int seed draws the same for every key of one size: keys taken size by size, one draw per size
        order = np.arange(n_keys) if fresh else np.argsort(draw_size, kind="stable")
        cache: dict[int, npt.NDArray[np.int64]] = {}

        def draw(k: int) -> npt.NDArray[np.int64]:
            if fresh:
                return self._draw(k)
            if k not in cache:
                cache.clear()
                cache[k] = self._draw(k)
            return cache[k]

        out: list[Estimate] = [Estimate(np.nan, np.nan, np.nan)] * n_keys
        pending: list[tuple[int, _Resampled]] = []
        for k in order.tolist():
            start, end = int(starts[k]), int(ends[k])
            codes = local[start:end] if local is not None and clustered[k] else None
            step = self._estimate(v_sorted[start:end].copy(), codes, draw)
            if isinstance(step, Estimate):
                out[k] = step
                continue
            pending.append((k, step))
            if len(pending) >= _QUANTILE_BATCH:
                self._bootstrap_into(out, pending)
        self._bootstrap_into(out, pending)
        return out

    def _draw(self, k: int) -> npt.NDArray[np.int64]:
        """``n_boot`` resamples of ``k`` positions (0..k-1) from a generator of :attr:`seed`."""
        rng = np.random.default_rng(self.seed)  # checked: an int, None or a Generator (returned itself)
        return rng.integers(0, k, size=(self.n_boot, k))

    def _estimate(
        self,
        v: npt.NDArray[np.float64],
        codes: npt.NDArray[np.int64] | None,
        draw: Callable[[int], npt.NDArray[np.int64]],
    ) -> Estimate | _Resampled:
        """The estimate of ``v`` (no NaN; ``codes``: its clusters, where some has several values), or its resampled means.

        What is left to do for a bootstrap (:meth:`_bootstrap`) comes back undone, so that
        :meth:`by_group` takes the quantiles of many samples at once.
        """
        if codes is not None:
            return self._clustered(v, codes, draw)
        n = len(v)
        if n == 0:
            return Estimate(np.nan, np.nan, np.nan)
        mean = float(v.mean())
        if n == 1:  # one value says nothing about the spread
            return Estimate(mean, np.nan, np.nan)
        sd = float(v.std(ddof=1))
        if n > BOOTSTRAP_MAX_N:
            return self.normal(n, mean, sd)
        means = v[draw(n)].mean(axis=1)
        return _Resampled(means, mean, self._t(n) * sd / np.sqrt(n), n)

    def _clustered(
        self, v: npt.NDArray[np.float64], codes: npt.NDArray[np.int64], draw: Callable[[int], npt.NDArray[np.int64]]
    ) -> Estimate | _Resampled:
        """The interval of the mean of ``v`` when values that share a code (a customer) are not independent."""
        mean = float(v.mean())
        n_groups = int(codes.max()) + 1
        if n_groups == 1:
            return Estimate(mean, np.nan, np.nan)
        sums = np.bincount(codes, weights=v, minlength=n_groups)
        sizes = np.bincount(codes, minlength=n_groups).astype(np.float64)
        s2, sn, n2 = float((sums**2).sum()), float((sums * sizes).sum()), float((sizes**2).sum())
        se = cluster_se(len(v), mean, n_groups, s2=s2, sn=sn, n2=n2)
        if len(v) > BOOTSTRAP_MAX_N:
            return self._around(mean, self._t(n_groups) * se, n_groups)
        picks = draw(n_groups)
        means = sums[picks].sum(axis=1) / sizes[picks].sum(axis=1)
        return _Resampled(means, mean, self._t(n_groups) * se, n_groups)

    def _bootstrap(self, step: _Resampled) -> Estimate:
        """The percentile interval of the resampled means, never narrower than ``mean +- half``, clipped.

        ``half`` is Student's t half-width: the percentile bootstrap alone is too narrow in small
        samples (coverage 0.50 at n=2, 0.84 at n=5 for a nominal 0.95).
        """
        alpha = (1 - self.level) / 2
        low, high = np.quantile(step.means, [alpha, 1 - alpha])
        return self._percentile(step, float(low), float(high))

    def _bootstrap_into(self, out: list[Estimate], pending: list[tuple[int, _Resampled]]) -> None:
        """:meth:`_bootstrap` of each pending sample into ``out`` at its key (the same quantiles, taken row by row at once)."""
        if not pending:
            return
        alpha = (1 - self.level) / 2
        quantiles = np.quantile(np.stack([step.means for _, step in pending]), [alpha, 1 - alpha], axis=1)
        for (k, step), low, high in zip(pending, quantiles[0].tolist(), quantiles[1].tolist()):
            out[k] = self._percentile(step, low, high)
        pending.clear()

    def _percentile(self, step: _Resampled, low: float, high: float) -> Estimate:
        mean, half = step.mean, step.half
        return self._clipped(Estimate(mean, min(low, mean - half), max(high, mean + half)), step.n)

    def _t(self, n_groups: int) -> float:
        """Student's t quantile of the interval's level with ``n_groups - 1`` degrees of freedom.

        With few clusters the normal quantile is far too small (3 customers of 2,000 messages:
        coverage 0.82 for a nominal 0.95), however many messages they hold.
        """
        return _t_quantile(n_groups - 1, 1 - (1 - self.level) / 2)

    def _around(self, mean: float, half: float, n: int) -> Estimate:
        return self._clipped(Estimate(mean, mean - half, mean + half), n)

    def clustered_normal(self, n: int, mean: float, n_groups: int, *, s2: float, sn: float, n2: float) -> Estimate:
        """The cluster interval from merged moments (:func:`cluster_se`'s arguments): Student's t, ``n_groups - 1`` df.

        What :meth:`__call__` gives with ``groups`` above :data:`BOOTSTRAP_MAX_N` values; the
        distributed partials call it with their merged per-customer sums, without the values.
        """
        if n_groups < 2:
            return Estimate(mean, np.nan, np.nan)
        se = cluster_se(n, mean, n_groups, s2=s2, sn=sn, n2=n2)
        return self._around(mean, self._t(n_groups) * se, n_groups)

    def _clipped(self, est: Estimate, n: int) -> Estimate:
        """``est`` with its ends inside :attr:`bounds` (NaN ends stay NaN); ``n``: the sample's size (clusters, clustered).

        A sample without spread (an interval of zero width: every value, or every cluster's
        mean, the same) gets at least the Wilson interval of its mean rescaled to [0, 1] by
        finite :attr:`bounds`: a value in [a, b] with mean m has a variance of at most
        (m - a)(b - m), as a share of m does, so n equal values are not read as certainty (two
        ratings of 5 do not pin the mean at 5). Without finite bounds the width stays zero.
        """
        lo, hi = float(self.bounds[0]), float(self.bounds[1])
        low, high = est.low, est.high
        finite = math.isfinite(lo) and math.isfinite(hi) and hi > lo
        # "no spread": a width within rounding of zero on the range (equal values leave a remainder
        # of about 1e-9 in the cluster-robust error, and the merged moments of the distributed path
        # another; no sample with spread is that narrow)
        if finite and n > 0 and high - low <= _NO_SPREAD * (hi - lo):
            share = min(max((est.mean - lo) / (hi - lo), 0.0), 1.0)
            w_low, w_high = wilson(share * n, n, self.level)
            low, high = min(low, lo + float(w_low) * (hi - lo)), max(high, lo + float(w_high) * (hi - lo))
        return Estimate(est.mean, min(max(low, lo), hi), max(min(high, hi), lo))

    def normal(self, n: int, mean: float, sd: float) -> Estimate:
        """The normal-approximation interval from a sample's size, mean and standard deviation (ddof 1).

        What :meth:`__call__` gives above :data:`BOOTSTRAP_MAX_N` values; the distributed
        partials call it with merged moments, without the values.
        """
        half = _normal_quantile(1 - (1 - self.level) / 2) * sd / np.sqrt(n)
        return self._clipped(Estimate(mean, mean - half, mean + half), n)


#: An interval narrower than this share of the values' range is one of a sample without spread.
_NO_SPREAD = 1e-6
#: Samples whose bootstrap quantiles :meth:`MeanInterval.by_group` takes at once (at most this x ``n_boot`` means held).
_QUANTILE_BATCH = 512


class _Resampled(NamedTuple):
    """A bootstrap before its quantiles: the resampled means, the mean, Student's t half-width and the sample's size."""

    means: npt.NDArray[np.float64]
    mean: float
    half: float
    n: int


@functools.lru_cache(maxsize=4096)
def _t_quantile(df: int, q: float) -> float:
    """Student's t quantile ``q`` with ``df`` degrees of freedom (``scipy.special.stdtrit``), kept: groups share sizes."""
    from scipy.special import stdtrit

    return float(stdtrit(df, q))


def cluster_se(n: int, mean: float, n_groups: int, *, s2: float, sn: float, n2: float) -> float:
    """The cluster-robust standard error of a mean over ``n`` values in ``n_groups`` clusters (customers).

    From the clusters' value sums S and sizes m: ``s2`` = sum S**2, ``sn`` = sum S*m, ``n2`` =
    sum m**2 (the sandwich estimator with the small-sample factor G / (G - 1); where every
    cluster has one value it is the usual sd / sqrt(n)).

    Examples:
        >>> round(cluster_se(4, 0.5, 4, s2=2.0, sn=2.0, n2=4.0), 4)  # values 0, 1, 0, 1, one customer each
        0.2887
    """
    squares = s2 - 2 * mean * sn + mean**2 * n2  # sum of (S - mean * m)**2
    return math.sqrt(max(squares, 0.0) * n_groups / (n_groups - 1)) / n


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

    Examples:
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
        # never without the observed share (rounding put the high end of 1 of 1 at 0.9999999999999999)
        low = np.where(m > 0, np.clip(np.minimum(centre - half, p), 0.0, 1.0), np.nan)
        high = np.where(m > 0, np.clip(np.maximum(centre + half, p), 0.0, 1.0), np.nan)
    return low, high


def _normal_quantile(q: float) -> float:
    """The standard normal quantile: ``scipy.stats.norm.ppf(q)``, which is ``scipy.special.ndtri(q)``.

    Called through ``scipy.special``: importing ``scipy.stats`` costs a second or two.
    """
    from scipy.special import ndtri

    return float(ndtri(q))


def _average_ranks(values: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Ranks from 1 (ties get their average rank) and the size of each group of equal values."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return (ends - (counts - 1) / 2.0)[inverse], counts


def mann_whitney_p(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
    """Two-sided Mann-Whitney U p-value, as ``scipy.stats.mannwhitneyu(x, y)`` gives it.

    The normal approximation with tie and continuity corrections, computed here so that a call
    does not import ``scipy.stats`` (a second or more); small samples without ties (where scipy
    computes the exact distribution) are handed to scipy.

    Examples:
        >>> round(mann_whitney_p(np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10]), np.arange(6.0, 16)), 4)
        0.0051
    """
    n1, n2 = len(x), len(y)
    ranks, counts = _average_ranks(np.concatenate([x, y]).astype(np.float64))
    if (n1 <= 8 or n2 <= 8) and not (counts > 1).any():
        from scipy import stats

        return float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue)
    from scipy.special import ndtr

    n = n1 + n2
    u1 = float(ranks[:n1].sum()) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    tie_term = float((counts.astype(np.float64) ** 3 - counts).sum())
    spread = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    if spread == 0:
        return 1.0
    return float(np.clip(2 * ndtr(-(u - n1 * n2 / 2 - 0.5) / spread), 0.0, 1.0))


def _cluster_codes(clusters: npt.ArrayLike) -> tuple[npt.NDArray[np.int64], int]:
    """Codes 0..G-1 of the clusters (integers are factorized as they are; missing values form one cluster) and G."""
    given = np.asarray(clusters)
    if given.dtype.kind not in "iu":
        given = np.asarray(clusters, dtype=object)
    codes = pd.factorize(given, use_na_sentinel=False)[0].astype(np.int64)
    return codes, int(codes.max(initial=-1)) + 1


def cluster_diff_p(values: npt.ArrayLike, inside: npt.ArrayLike, clusters: npt.ArrayLike) -> float:
    """Two-sided p-value of the difference of means between ``inside`` values and the others, clusters kept whole.

    The regression of the values on an indicator of ``inside``, with the cluster-robust
    standard error of its slope (the difference of the two means): values that share a cluster
    (the journeys of one customer) are not taken for independent, whether a cluster's values
    all fall on one side (a customer's tier) or on both (the topics of a customer's journeys,
    where the comparison within customers is kept). The sandwich's small-sample factor g/(g-1)
    is taken per side for the clusters on one side only (g: that side's clusters; as Welch's
    test corrects each variance by its own sample size, so a side of 5 customers beside 300 is
    not read as if it had 305), and over all clusters for those on both; Student's t with one
    degree of freedom fewer than the clusters on the side that has fewer. Where every value is
    its own cluster this is Welch's test with conservative degrees of freedom. NaN with fewer
    than two clusters on a side; where neither side varies, 1 for equal values and, for
    different ones, the Mann-Whitney p-value of the cluster means (the t statistic would be
    infinite).

    Examples:
        >>> y = np.array([0.1, 0.2, 0.15, 0.3, -0.4, -0.5, -0.3, -0.45])
        >>> inside = np.array([True, True, True, True, False, False, False, False])
        >>> round(cluster_diff_p(y, inside, np.arange(8)), 4)  # eight independent values
        0.0022
        >>> round(cluster_diff_p(y, inside, [0, 0, 1, 1, 2, 2, 3, 3]), 4)  # four customers of two journeys each
        0.0561
    """
    y = np.asarray(values, dtype=np.float64)
    d = np.asarray(inside, dtype=bool)
    codes, n_clusters = _cluster_codes(clusters)
    on_in = np.bincount(codes[d], minlength=n_clusters) > 0
    on_out = np.bincount(codes[~d], minlength=n_clusters) > 0
    g1, g0 = int(on_in.sum()), int(on_out.sum())
    if g1 < 2 or g0 < 2:
        return float("nan")
    if np.ptp(y[d]) == 0 and np.ptp(y[~d]) == 0:  # no spread on either side (exactly: not a rounding remainder)
        if y[d][0] == y[~d][0]:
            return 1.0
        means = np.bincount(codes, weights=y, minlength=n_clusters) / np.maximum(np.bincount(codes, minlength=n_clusters), 1)
        return mann_whitney_p(means[on_in & ~on_out], means[on_out & ~on_in])
    m1, m0 = float(y[d].mean()), float(y[~d].mean())
    weight = np.where(d, 1.0 / d.sum(), -1.0 / (~d).sum())
    scores = np.bincount(codes, weights=weight * (y - np.where(d, m1, m0)), minlength=n_clusters)
    factor = np.where(on_in & on_out, n_clusters / (n_clusters - 1), np.where(on_in, g1 / (g1 - 1), g0 / (g0 - 1)))
    variance = float((factor * scores**2).sum())
    if variance <= 0:
        return 1.0
    from scipy.special import stdtr

    return float(np.clip(2 * stdtr(min(g1, g0) - 1, -abs(m1 - m0) / np.sqrt(variance)), 0.0, 1.0))
