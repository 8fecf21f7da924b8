"""Clustering with the number of clusters chosen by internal validation (silhouette)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin  # type: ignore[import-untyped]

if TYPE_CHECKING:
    import numpy.typing as npt

logger = logging.getLogger(__name__)

__all__ = ["AutoKMeans"]


class AutoKMeans(ClusterMixin, BaseEstimator):  # type: ignore[misc]
    """k-means on unit vectors, with k chosen by the mean silhouette (cosine) on a sample.

    The silhouette compares each text's distance to its own cluster with its distance to the
    nearest other cluster, so it peaks where clusters are both tight and apart: too few clusters
    lump topics together, too many split one topic across neighbours. Candidates are a
    geometric grid between 2 and ``n_sample / min_size`` (at most ``max_clusters``), then a finer
    grid around the best. Members of clusters smaller than ``min_size`` score 0, as singletons do
    in the silhouette's definition, so splitting topics into crumbs does not pay. The chosen k
    is then fitted on all the data (``MiniBatchKMeans`` past ``minibatch_above`` points),
    starting from the sample's centroids.

    Args:
        n_clusters: a fixed k (no search).
        min_size: the smallest topic worth finding; bounds the largest k tried.
        max_clusters: the largest k tried.
        sample_size: points used to choose k.
        minibatch_above: data sizes above which the final fit is mini-batch.
        random_state: seed.

    Attributes:
        n_clusters_: the k used.
        scores_: ``{k: silhouette}`` of the candidates tried.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> centres = rng.normal(size=(4, 16))
        >>> X = np.repeat(centres, 30, axis=0) + 0.05 * rng.normal(size=(120, 16))
        >>> AutoKMeans(min_size=5).fit(X / np.linalg.norm(X, axis=1, keepdims=True)).n_clusters_
        4
    """

    def __init__(
        self,
        n_clusters: int | None = None,
        *,
        min_size: int = 5,
        max_clusters: int = 300,
        sample_size: int = 2500,
        minibatch_above: int = 20_000,
        random_state: int = 0,
    ) -> None:
        self.n_clusters = n_clusters
        self.min_size = min_size
        self.max_clusters = max_clusters
        self.sample_size = sample_size
        self.minibatch_above = minibatch_above
        self.random_state = random_state

    def _kmeans(
        self, X: npt.NDArray[np.float32], k: int, init: npt.NDArray[np.float32] | str = "k-means++"
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        from sklearn.cluster import KMeans, MiniBatchKMeans  # type: ignore[import-untyped]

        if len(X) > self.minibatch_above:
            model = MiniBatchKMeans(k, init=init, n_init=1, batch_size=4096, max_iter=20, random_state=self.random_state)
        else:
            model = KMeans(k, init=init, n_init=1, max_iter=50, random_state=self.random_state)
        labels = model.fit_predict(X)
        return labels.astype(np.int64), model.cluster_centers_.astype(np.float32)

    def _silhouette(self, X: npt.NDArray[np.float32], labels: npt.NDArray[np.int64], min_size: int) -> float:
        """Mean silhouette, counting members of clusters under ``min_size`` as 0 (as singletons)."""
        from sklearn.metrics import silhouette_samples  # type: ignore[import-untyped]

        if len(np.unique(labels)) < 2:
            return -1.0
        values = silhouette_samples(X, labels, metric="cosine")
        sizes = np.bincount(labels)
        values[sizes[labels] < min_size] = 0.0
        return float(values.mean())

    def fit(self, X: npt.NDArray[np.float32], y: object = None) -> AutoKMeans:
        """Choose k and cluster ``X`` (rows: unit vectors or any features)."""
        X = np.asarray(X, dtype=np.float32)
        n = len(X)
        rng = np.random.default_rng(self.random_state)
        self.scores_: dict[int, float] = {}
        if self.n_clusters is not None:
            k = min(int(self.n_clusters), n)
            self.labels_, self.cluster_centers_ = self._kmeans(X, k)
            self.n_clusters_ = k
            return self
        sample = np.sort(rng.choice(n, self.sample_size, replace=False)) if n > self.sample_size else np.arange(n)
        S = X[sample]
        upper = int(min(self.max_clusters, max(2, len(S) // max(self.min_size, 1)), len(S) - 1))
        if upper < 2:
            self.labels_, self.cluster_centers_, self.n_clusters_ = np.zeros(n, dtype=np.int64), X.mean(axis=0, keepdims=True), 1
            return self
        fits: dict[int, npt.NDArray[np.float32]] = {}
        small = max(2, round(self.min_size * len(S) / n))  # min_size at the sample's scale

        def score(k: int) -> float:
            if k not in self.scores_:
                labels, centres = self._kmeans(S, k)
                self.scores_[k] = self._silhouette(S, labels, small)
                fits[k] = centres
            return self.scores_[k]

        grid = sorted({int(v) for v in np.rint(np.geomspace(2, upper, num=min(8, upper - 1)))})
        for k in grid:
            score(k)
        best = max(grid, key=lambda k: (self.scores_[k], -k))
        i = grid.index(best)
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
        for k in sorted({int(v) for v in np.rint(np.geomspace(max(lo, 2), max(hi, 2), num=5))}):
            score(k)
        best = max(self.scores_, key=lambda k: (self.scores_[k], -k))
        logger.info(
            "AutoKMeans: k=%d (silhouette %.3f over %d candidates on %d points)",
            best,
            self.scores_[best],
            len(self.scores_),
            len(S),
        )
        self.n_clusters_ = best
        self.labels_, self.cluster_centers_ = self._kmeans(X, best, init=fits[best])
        return self

    def fit_predict(self, X: npt.NDArray[np.float32], y: object = None, **kwargs: object) -> npt.NDArray[np.int64]:
        """Cluster labels of ``X`` (0 .. k-1)."""
        return self.fit(X).labels_
