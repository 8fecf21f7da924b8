"""Clustering with the number of clusters chosen by internal validation (silhouette)."""

from __future__ import annotations

import logging
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin  # type: ignore[import-untyped]
from sklearn.utils._param_validation import Interval  # type: ignore[import-untyped]

from journeymap.exceptions import InvalidArgumentError

try:
    from sklearn.utils.validation import validate_data  # type: ignore[import-untyped]
except ImportError:  # scikit-learn < 1.6: the estimator's own method

    def validate_data(estimator: Any, X: Any, **check_params: Any) -> Any:
        return estimator._validate_data(X, **check_params)


if TYPE_CHECKING:
    import numpy.typing as npt

logger = logging.getLogger(__name__)

__all__ = ["AutoKMeans"]

#: The largest sample Ward's tree is built on: its condensed distances take n(n-1)/2 float64
#: values (about 400 MB at 10,000 points). Larger samples start the final fit from the search's own
#: clusters instead.
WARD_MAX_POINTS = 10_000


def _ward_labels(S: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.int64]:
    """Ward's agglomerative clusters of ``S`` cut at ``k`` groups (0 .. k-1; fewer where ties merge).

    Examples:
        >>> S = np.asarray([[0.0, 0.0], [0.0, 0.1], [5.0, 5.0], [5.1, 5.0]], dtype=np.float32)
        >>> _ward_labels(S, 2).tolist()  # the cluster numbers are arbitrary, the grouping is not
        [1, 1, 0, 0]
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    groups = fcluster(linkage(S.astype(np.float64), "ward"), k, "maxclust")
    labels: npt.NDArray[np.int64] = np.unique(groups, return_inverse=True)[1].astype(np.int64)
    return labels


class AutoKMeans(ClusterMixin, BaseEstimator):  # type: ignore[misc]
    """k-means on unit vectors, with k chosen by the mean silhouette (cosine) on a sample.

    The silhouette compares each text's distance to its own cluster with its distance to the
    nearest other cluster, so it peaks where clusters are both tight and apart: too few clusters
    lump topics together, too many split one topic across neighbours. k is chosen on a sample
    of ``sample_size`` points, projected onto its first ``reduce_dims`` principal components
    (and re-normalised), which keeps the cluster geometry of sentence embeddings and makes each
    candidate several times cheaper. Candidates are a geometric grid of ``n_candidates``
    values between 2 and the largest k (``n / min_size``, at most ``max_clusters`` and half the
    sample), then ``n_refine`` rounds that try the geometric midpoints between the best k so
    far and its tried neighbours (each round halves the gap, in ratio, around the best). Members of clusters smaller than
    ``min_size`` (at the sample's scale) score 0, as singletons do in the silhouette's
    definition, so splitting topics into crumbs does not pay.

    On real texts the silhouette is often flat over a wide range of k (on Banking77, within
    about 0.015 from 44 to 204 clusters), and which candidate comes out on top is then decided
    by the noise of one k-means run, not by the data. So the search measures that noise (the
    silhouette's spread over ``1 + n_noise_runs`` k-means runs at each of the ``n_pooled`` best
    candidates, pooled), counts every candidate less than ``plateau`` standard errors of a
    difference (``plateau * sqrt(2) * spread``) below the best as tied, and takes the tied
    candidate nearest the geometric middle of their range. Where the best k stands clear
    (separated clusters: k-means finds the same clusters in every run, the spread is about 0),
    that is the best k itself. The chosen k is then fitted on all
    the data in the full space (``MiniBatchKMeans`` past ``minibatch_above`` points), starting
    from the centroids of Ward's agglomerative clusters of the sample (cut at k, in the full space;
    for samples over ``WARD_MAX_POINTS`` points, from the search's own clusters).

    Args:
        n_clusters: a fixed k (no search).
        min_size: the smallest topic worth finding (in points of the whole data); bounds the
            largest k tried.
        max_clusters: the largest k tried.
        sample_size: points used to choose k.
        reduce_dims: principal components the search works in (None: the full space).
        n_candidates: values of k on the coarse grid.
        n_refine: rounds of refinement around the best k (at most two candidates each).
        plateau: candidates less than this many standard errors (of the difference of two
            k-means runs' silhouettes) below the best count as tied (0: take the best as it comes).
        n_noise_runs: extra k-means runs per candidate that measure the run-to-run spread.
        n_pooled: the best candidates whose spreads are pooled.
        minibatch_above: data sizes above which the final fit is mini-batch.
        random_state: seed (an int from 0 to 2**32 - 1), None (the default: a fresh seed at
            every fit, so results vary, as with scikit-learn's ``KMeans``; a ``TopicModel``
            gives a clusterer left at None its ``seed``), or a ``numpy.random.RandomState`` /
            ``Generator`` a seed is drawn from.

    ``fit`` checks its input as ``KMeans`` does (scikit-learn's ``validate_data``: a 2-D finite
    real array of at least one row; sets ``n_features_in_``) and the parameters (a whole
    ``n_clusters`` from 1 up to the number of rows, ...); errors are ``ValueError`` (scikit-learn's
    ``InvalidParameterError`` for a parameter, also a ``TypeError``).

    Attributes:
        seed_: the int seed the fit used (``random_state`` itself where it is an int).
        n_clusters_: the k used (a fixed ``n_clusters`` above the number of distinct rows: that number).
        n_features_in_: the number of columns of the data fitted.
        scores_: ``{k: silhouette}`` of the candidates tried.
        noise_: the silhouette's run-to-run spread (pooled standard deviation; 0 with
            ``plateau=0`` or a fixed k).
        plateau_: ``(smallest, largest)`` tied k (the best k twice with ``plateau=0``, the
            given k twice with a fixed k).

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> centres = rng.normal(size=(4, 16))
        >>> X = np.repeat(centres, 30, axis=0) + 0.05 * rng.normal(size=(120, 16))
        >>> AutoKMeans(min_size=5, random_state=0).fit(X / np.linalg.norm(X, axis=1, keepdims=True)).n_clusters_
        4
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_clusters": [Interval(Integral, 1, None, closed="left"), None],
        "min_size": [Interval(Integral, 1, None, closed="left")],
        "max_clusters": [Interval(Integral, 1, None, closed="left")],
        "sample_size": [Interval(Integral, 1, None, closed="left")],
        "reduce_dims": [Interval(Integral, 1, None, closed="left"), None],
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "n_refine": [Interval(Integral, 0, None, closed="left")],
        "plateau": [Interval(Real, 0, None, closed="left")],
        "n_noise_runs": [Interval(Integral, 0, None, closed="left")],
        "n_pooled": [Interval(Integral, 0, None, closed="left")],
        "minibatch_above": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        n_clusters: int | None = None,
        *,
        min_size: int = 5,
        max_clusters: int = 300,
        sample_size: int = 2500,
        reduce_dims: int | None = 48,
        n_candidates: int = 6,
        n_refine: int = 3,
        plateau: float = 2.0,
        n_noise_runs: int = 3,
        n_pooled: int = 3,
        minibatch_above: int = 20_000,
        random_state: int | np.random.RandomState | np.random.Generator | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.min_size = min_size
        self.max_clusters = max_clusters
        self.sample_size = sample_size
        self.reduce_dims = reduce_dims
        self.n_candidates = n_candidates
        self.n_refine = n_refine
        self.plateau = plateau
        self.n_noise_runs = n_noise_runs
        self.n_pooled = n_pooled
        self.minibatch_above = minibatch_above
        self.random_state = random_state

    def _draw_seed(self) -> int:
        """``random_state`` as an int seed: itself, or drawn (from fresh entropy where it is None).

        Drawn seeds stay below 2**31, so that the extra runs' seeds (+1,000 each) are valid
        scikit-learn seeds.
        """
        state = self.random_state
        if isinstance(state, (int, np.integer)) and not isinstance(state, bool):
            return int(state)
        if state is None:
            return int(np.random.default_rng().integers(2**31))
        if isinstance(state, np.random.Generator):
            return int(state.integers(2**31))
        if isinstance(state, np.random.RandomState):
            return int(state.randint(2**31))
        msg = f"random_state must be an int, None, a RandomState or a Generator, got {state!r}"
        raise InvalidArgumentError(msg)

    def _kmeans(
        self,
        X: npt.NDArray[np.float32],
        k: int,
        init: npt.NDArray[np.float32] | str = "k-means++",
        *,
        run: int = 0,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        from sklearn.cluster import KMeans, MiniBatchKMeans  # type: ignore[import-untyped]

        seed = (self.seed_ + 1_000 * run) % 2**32  # run 0: the fit's seed itself; others: independent starts (a valid seed)
        if len(X) > self.minibatch_above:
            model = MiniBatchKMeans(k, init=init, n_init=1, batch_size=4096, max_iter=20, random_state=seed)
        else:
            model = KMeans(k, init=init, n_init=1, max_iter=50, random_state=seed)
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

    def _search_space(self, S: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The sample in the space k is chosen in: its first principal components, re-normalised."""
        if self.reduce_dims is None or self.reduce_dims >= min(S.shape) - 1:
            return S
        from sklearn.decomposition import PCA  # type: ignore[import-untyped]

        Z = PCA(int(self.reduce_dims), svd_solver="randomized", random_state=self.seed_).fit_transform(S)
        norms = np.linalg.norm(Z, axis=1, keepdims=True)
        unit: npt.NDArray[np.float32] = (Z / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit

    def _checked(self, X: Any) -> npt.NDArray[np.float32]:
        """The parameters checked, and ``X`` as a float32 array checked as ``KMeans`` checks it (sets ``n_features_in_``)."""
        self._validate_params()
        checked: npt.NDArray[np.float32] = validate_data(self, X, dtype=np.float32)
        if self.n_clusters is not None and self.n_clusters > len(checked):
            msg = f"n_clusters={self.n_clusters} is more than the {len(checked)} rows of X"
            raise InvalidArgumentError(msg)
        return checked

    def fit(self, X: npt.NDArray[np.float32], y: object = None) -> AutoKMeans:
        """Choose k and cluster ``X`` (rows: unit vectors or any features).

        Raises:
            ValueError: ``X`` empty, not 2-D, not finite or complex, or a parameter out of range
                (``n_clusters`` above the number of rows, ...).

        Examples:
            >>> try:
            ...     AutoKMeans(n_clusters=5).fit(np.eye(3))
            ... except ValueError as err:
            ...     print(err)
            n_clusters=5 is more than the 3 rows of X
        """
        X = self._checked(X)
        n = len(X)
        self.seed_ = self._draw_seed()
        rng = np.random.default_rng(self.seed_)
        self.scores_: dict[int, float] = {}
        self.noise_ = 0.0
        if self.n_clusters is not None:
            k = min(int(self.n_clusters), len(np.unique(X, axis=0)))
            self.labels_, self.cluster_centers_ = self._kmeans(X, k)
            self.n_clusters_ = k
            self.plateau_ = (k, k)
            return self
        sample = np.sort(rng.choice(n, self.sample_size, replace=False)) if n > self.sample_size else np.arange(n)
        S = X[sample]
        distinct = len(np.unique(S, axis=0))  # repeated texts: no more clusters than points apart
        upper = int(min(self.max_clusters, max(2, n // max(self.min_size, 1)), len(S) // 2, distinct))
        if upper < 2:
            self.labels_, self.cluster_centers_, self.n_clusters_ = np.zeros(n, dtype=np.int64), X.mean(axis=0, keepdims=True), 1
            self.plateau_ = (1, 1)
            return self
        Z = self._search_space(S)
        fits: dict[int, npt.NDArray[np.int64]] = {}
        small = max(2, round(self.min_size * len(S) / n))  # min_size at the sample's scale

        def score(k: int) -> float:
            if k not in self.scores_:
                labels, _ = self._kmeans(Z, k)
                self.scores_[k] = self._silhouette(Z, labels, small)
                fits[k] = labels
            return self.scores_[k]

        grid = sorted({int(v) for v in np.rint(np.geomspace(2, upper, num=max(2, min(self.n_candidates, upper - 1))))})
        for k in grid:
            score(k)
        for _ in range(self.n_refine):  # bisect (geometrically) towards the best k between its tried neighbours
            best = max(self.scores_, key=lambda k: (self.scores_[k], -k))
            tried = sorted(self.scores_)
            i = tried.index(best)
            around = [round(float(np.sqrt(best * tried[j]))) for j in (i - 1, i + 1) if 0 <= j < len(tried)]
            new = [k for k in around if k not in self.scores_]
            if not new:
                break
            for k in new:
                score(k)
        top = max(self.scores_, key=lambda k: (self.scores_[k], -k))
        best = self._middle_of_plateau(Z, top, small)
        logger.info(
            "AutoKMeans: k=%d (silhouette %.3f; best %.3f at k=%d, run-to-run spread %.4f, tied k %d-%d; "
            "%d candidates on %d points in %d dimensions)",
            best,
            self.scores_[best],
            self.scores_[top],
            top,
            self.noise_,
            *self.plateau_,
            len(self.scores_),
            len(S),
            Z.shape[1],
        )
        # The final fit starts from the centroids of Ward's clusters of the sample in the full space:
        # steadier starts than the search's k-means seeding (Banking77, 8 seeds: NMI +0.6 to +2.2
        # points at the same k). The search's own fit is the fallback for a sample too large for
        # Ward's distance matrix, or where Ward gives fewer groups.
        labels = _ward_labels(S, best) if len(S) <= WARD_MAX_POINTS else fits[best]
        if len(np.unique(labels)) < len(np.unique(fits[best])):
            labels = fits[best]
        present = np.unique(labels)
        init = np.stack([S[labels == c].mean(axis=0) for c in present]).astype(np.float32)
        self.n_clusters_ = len(present)
        self.labels_, self.cluster_centers_ = self._kmeans(X, self.n_clusters_, init=init)
        return self

    def _middle_of_plateau(self, Z: npt.NDArray[np.float32], top: int, small: int) -> int:
        """The tied candidate nearest the geometric middle of the candidates within the noise of ``top``."""
        self.plateau_ = (top, top)
        if self.plateau <= 0 or self.n_noise_runs < 1 or self.n_pooled < 1 or len(self.scores_) < 2:
            return top
        # The spread pooled over the best few candidates: a steadier estimate than at one k alone.
        leaders = sorted(self.scores_, key=lambda k: (-self.scores_[k], k))[: self.n_pooled]
        deviations = []
        for k in leaders:
            runs = [self.scores_[k]]
            for run in range(1, self.n_noise_runs + 1):
                labels, _ = self._kmeans(Z, k, run=run)
                runs.append(self._silhouette(Z, labels, small))
            deviations.extend(np.asarray(runs) - np.mean(runs))
        dof = len(deviations) - len(leaders)
        self.noise_ = float(np.sqrt(np.sum(np.square(deviations)) / dof))
        floor = self.scores_[top] - self.plateau * np.sqrt(2) * self.noise_  # a difference of two runs: sqrt(2) spreads
        tied = sorted(k for k, v in self.scores_.items() if v >= floor)
        self.plateau_ = (tied[0], tied[-1])
        middle = np.log(tied[0] * tied[-1]) / 2
        return min(tied, key=lambda k: (abs(np.log(k) - middle), k))

    def fit_predict(self, X: npt.NDArray[np.float32], y: object = None, **kwargs: object) -> npt.NDArray[np.int64]:
        """Cluster labels of ``X`` (0 .. k-1)."""
        return self.fit(X).labels_
