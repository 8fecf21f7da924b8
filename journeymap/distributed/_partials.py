"""Mergeable statistics: what each partition computes and how two partials combine.

Pure pandas, no dask: a partial is computed from the journeys of one partition, partials merge
pairwise in any grouping (a tree reduction), and the final partial gives the same numbers as the
single-machine functions over all rows, up to float summation order:

- counts and sums add;
- means and spreads merge by Chan's parallel formula (count, mean, sum of squared deviations);
- bootstrap intervals need the values themselves, in the single-machine row order, so groups of
  at most :data:`~journeymap.analytics._stats.BOOTSTRAP_MAX_N` values keep them, with the key of
  that order (journey start, journey id in id order, :func:`~journeymap.journeys._table.id_ranks`,
  step); larger groups use the normal approximation,
  which needs only the moments and each customer's sum and count (a customer's journeys can
  lie in several partitions, so these are kept per customer and added), as the single-machine
  path does;
- medians come from exact value counts (bounded by the number of distinct durations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from journeymap.analytics._graph import plain_index
from journeymap.analytics._stats import BOOTSTRAP_MAX_N, Estimate, MeanInterval, format_top
from journeymap.journeys._table import id_ranks

__all__ = ["GroupMoments", "HourStats", "NodeStats", "SummaryStats", "edge_partial"]

_SAMPLE_COLUMNS = ["key", "start", "journey_id", "step", "value", "unit"]


@dataclass(frozen=True)
class GroupMoments:
    """Per-group count, mean, squared deviations, negative and positive counts, label counts.

    ``stats`` is indexed by group key (columns ``n``, ``mean``, ``m2``, ``neg``, ``pos``);
    ``clusters`` holds, for the cluster interval, each (``key``, ``unit``)'s value sum ``s`` and
    count ``m`` (the unit is the customer: see :func:`~journeymap.analytics._stats.cluster_se`);
    ``labels`` holds ``key``, ``label``, ``count``; ``samples`` the values of the groups small
    enough for the bootstrap, with their unit and single-machine sort key.
    """

    stats: pd.DataFrame
    labels: pd.DataFrame
    samples: pd.DataFrame
    clusters: pd.DataFrame

    @classmethod
    def of(cls, rows: pd.DataFrame) -> GroupMoments:
        """From rows of ``key``, ``value``, ``negative``, ``positive``, ``label``, ``start``, ``journey_id``, ``step``, ``unit``.

        The unit is the customer (:func:`~journeymap.analytics._prep.interval_units`).
        """
        g = rows.groupby("key", sort=True)
        n = g.size()
        mean = g["value"].mean()
        # float, also for a partition without rows (an empty map keeps the key's string dtype)
        centred = rows["value"].astype("float64") - rows["key"].map(mean).astype("float64")
        m2 = (centred**2).groupby(rows["key"]).sum().reindex(n.index)
        # per customer: the sum S and count m of its values, for the cluster interval (a customer's
        # journeys may lie in several partitions: the sums are merged per customer)
        per_unit = rows.groupby(["key", "unit"], sort=False)["value"].agg(["sum", "size"])
        clusters = pd.DataFrame(
            {
                "key": per_unit.index.get_level_values("key").astype(object),
                "unit": per_unit.index.get_level_values("unit").astype(object),
                "s": per_unit["sum"].to_numpy(dtype=np.float64),
                "m": per_unit["size"].to_numpy(dtype=np.float64),
            }
        )
        stats = pd.DataFrame(
            {
                "n": n.astype(np.int64),
                "mean": mean.astype(np.float64),
                "m2": m2.astype(np.float64),
                "neg": g["negative"].sum().astype(np.int64),
                "pos": g["positive"].sum().astype(np.int64),
            }
        )
        stats.index = stats.index.astype(object)
        labels = rows.groupby(["key", "label"], sort=True).size().rename("count").reset_index()
        small = rows["key"].map(n) <= BOOTSTRAP_MAX_N
        samples = rows.loc[small, _SAMPLE_COLUMNS].reset_index(drop=True)
        return cls(stats, _plain(labels), _plain(samples), clusters)

    def merge(self, other: GroupMoments) -> GroupMoments:
        """The statistics of both partials' rows together (Chan et al.'s parallel update)."""
        a, b = self.stats.align(other.stats, join="outer", fill_value=0)
        n = a["n"] + b["n"]
        delta = b["mean"] - a["mean"]
        stats = pd.DataFrame(
            {
                "n": n.astype(np.int64),
                "mean": a["mean"] + delta * b["n"] / n,
                "m2": a["m2"] + b["m2"] + delta**2 * a["n"] * b["n"] / n,
                "neg": (a["neg"] + b["neg"]).astype(np.int64),
                "pos": (a["pos"] + b["pos"]).astype(np.int64),
            }
        )
        labels = pd.concat([self.labels, other.labels]).groupby(["key", "label"], sort=True)["count"].sum().reset_index()
        samples = pd.concat([self.samples, other.samples], ignore_index=True)
        samples = samples[samples["key"].map(stats["n"]) <= BOOTSTRAP_MAX_N].reset_index(drop=True)
        clusters = pd.concat([self.clusters, other.clusters], ignore_index=True)
        clusters = clusters.groupby(["key", "unit"], sort=False, as_index=False)[["s", "m"]].sum()
        return GroupMoments(stats, _plain(labels), samples, clusters)

    def keys(self) -> list[str]:
        """The group keys, sorted."""
        return sorted(map(str, self.stats.index))

    def count(self, key: str, column: str = "n") -> int:
        """A count of one group (``n``, ``neg`` or ``pos``); 0 for a group with no rows."""
        return int(self.stats[column].get(key, 0))

    def mean(self, key: str) -> float:
        """The mean value of one group."""
        return float(self.stats["mean"].get(key, np.nan))

    def estimate(self, key: str, interval: MeanInterval) -> Estimate:
        """What ``interval`` gives on one group's values over all partitions.

        Groups of at most :data:`~journeymap.analytics._stats.BOOTSTRAP_MAX_N` values are
        resampled from their gathered values in the single-machine order, so the result is the
        same as on one machine; larger ones get :meth:`MeanInterval.clustered_normal` of the
        merged per-customer sums where a customer has several values, else
        :meth:`MeanInterval.normal` of the merged moments, as on one machine.
        """
        n = self.count(key)
        if n > BOOTSTRAP_MAX_N:
            own = self.clusters[self.clusters["key"] == key]
            if len(own) < n:  # some customer has several values: the cluster interval, as on one machine
                s, m = own["s"].to_numpy(dtype=np.float64), own["m"].to_numpy(dtype=np.float64)
                s2, sn, n2 = float((s**2).sum()), float((s * m).sum()), float((m**2).sum())
                return interval.clustered_normal(n, self.mean(key), len(own), s2=s2, sn=sn, n2=n2)
            sd = float(np.sqrt(float(self.stats["m2"].get(key, np.nan)) / (n - 1)))
            return interval.normal(n, self.mean(key), sd)
        group = self.samples[self.samples["key"] == key]
        # the single-machine row order: journey start, journey id in id order ("9" before "10"), step
        order = np.lexsort((group["step"].to_numpy(dtype=np.int64), id_ranks(group["journey_id"]), group["start"].to_numpy()))
        group = group.iloc[order]
        return interval(group["value"].to_numpy(dtype=np.float64), group["unit"].to_numpy(dtype=object))

    def top(self, key: str) -> str:
        """The ``top_emotions`` text of one group."""
        counts = self.labels[self.labels["key"] == key]
        return format_top(pd.Series(counts["count"].to_numpy(), index=counts["label"].to_numpy()))


@dataclass(frozen=True)
class SummaryStats:
    """Everything :func:`~journeymap.touchpoint_summary` needs, mergeable.

    ``moments``: those of the scored customer messages per key; ``unscored``: per key, the count
    of the customer messages there that were not scored.
    """

    moments: GroupMoments
    unscored: dict[str, int]

    def merge(self, other: SummaryStats) -> SummaryStats:
        """Both partials together: the moments merged, the counts added."""
        unscored = dict(self.unscored)
        for key, n in other.unscored.items():
            unscored[key] = unscored.get(key, 0) + n
        return SummaryStats(self.moments.merge(other.moments), unscored)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Object-dtype keys, so frames from different partitions concatenate without dtype surprises."""
    out = frame.copy()
    for column in ("key", "label", "journey_id", "unit"):
        if column in out.columns:
            out[column] = out[column].astype(object)
    return out


@dataclass(frozen=True)
class NodeStats:
    """Everything :func:`~journeymap.journey_graph` needs, mergeable.

    ``steps``: per node ``volume``, ``rank_sum`` (stage codes) and ``unscored`` (customer messages
    without valence); ``customer``: the moments of
    the customers' valence there; ``edges``: per ``(src, dst)`` ``count``, ``dv_sum``, ``dv_n``;
    ``seconds``: exact counts of each transition duration per edge; ``n_journeys``;
    ``max_rank``.
    """

    steps: pd.DataFrame
    customer: GroupMoments
    edges: pd.DataFrame
    seconds: pd.Series
    n_journeys: int
    max_rank: float

    def merge(self, other: NodeStats) -> NodeStats:
        """Both partials together."""
        steps = self.steps.add(other.steps, fill_value=0)
        edges = self.edges.add(other.edges, fill_value=0)
        seconds = pd.concat([self.seconds, other.seconds]).groupby(level=[0, 1, 2], sort=False).sum()
        return NodeStats(
            steps,
            self.customer.merge(other.customer),
            edges,
            seconds,
            self.n_journeys + other.n_journeys,
            max(self.max_rank, other.max_rank),
        )

    def median_seconds(self) -> pd.Series:
        """The exact median duration of every edge (NaN for edges without one)."""
        out: dict[tuple[str, str], float] = {}
        for edge, counts in self.seconds.groupby(level=[0, 1], sort=False):
            values = counts.index.get_level_values(2).to_numpy(dtype=np.float64)
            order = np.argsort(values, kind="stable")
            values, cum = values[order], np.cumsum(counts.to_numpy()[order])
            total = int(cum[-1])
            lo = values[np.searchsorted(cum, (total - 1) // 2, side="right")]
            hi = values[np.searchsorted(cum, total // 2, side="right")]
            out[(str(edge[0]), str(edge[1]))] = float((lo + hi) / 2)  # type: ignore[index]
        index = pd.MultiIndex.from_tuples(list(out), names=["src", "dst"]) if out else None
        return pd.Series(list(out.values()), index=index, dtype=np.float64)


def edge_partial(pairs: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Per-edge sums and exact duration counts from the transition rows of ``graph_steps``."""
    g = pairs.groupby(["src", "dst"], sort=True, observed=True)
    edges = pd.DataFrame({"count": g.size(), "dv_sum": g["dv"].sum(), "dv_n": g["dv"].count()}).astype(np.float64)
    timed = pairs.dropna(subset=["dt"])
    seconds = timed.groupby(["src", "dst", "dt"], sort=False, observed=True).size().astype(np.int64)
    # partitions have categories of their own: plain names, so that partials merge by name
    return plain_index(edges), plain_index(seconds)


@dataclass(frozen=True)
class HourStats:
    """Per (weekday, hour): customer-message ``volume``, ``scored`` ones, ``neg`` count and ``vsum`` of valence."""

    table: pd.DataFrame

    @classmethod
    def of(cls, frame: pd.DataFrame) -> HourStats:
        """From :func:`~journeymap.analytics.time.hour_frame` rows."""
        g = frame.groupby(["weekday", "hour"])
        table = pd.DataFrame(
            {"volume": g.size(), "scored": g["valence"].count(), "neg": g["negative"].sum(), "vsum": g["valence"].sum()}
        ).astype(np.float64)
        return cls(table)

    def merge(self, other: HourStats) -> HourStats:
        """Both partials together."""
        return HourStats(self.table.add(other.table, fill_value=0))

    def stats(self) -> pd.DataFrame:
        """``volume``, ``scored``, ``share_negative`` and ``mean_valence`` per (weekday, hour)."""
        t = self.table
        scored = t["scored"].where(t["scored"] > 0)
        return pd.DataFrame(
            {
                "volume": t["volume"].astype(np.int64),
                "scored": t["scored"].astype(np.int64),
                "share_negative": t["neg"] / scored,
                "mean_valence": t["vsum"] / scored,
            }
        )
