"""Scale out on Dask: the same journeys, scores and maps on a cluster (the ``[dask]`` extra).

Install with ``pip install "journeymap[dask]"``. Nothing in journeymap imports dask until this
package is imported, or a dask DataFrame is passed to a top-level function (which then calls the
function of the same name here).

Example:
    >>> import journeymap as jm
    >>> import journeymap.distributed as jmd
    >>> log = jmd.from_pandas(jm.datasets.service_journeys(40, seed=0), npartitions=4)
    >>> djs = jmd.build_journeys(log)
    >>> js = djs.compute()
    >>> js.events["journey_id"].equals(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)).events["journey_id"])
    True
"""

from __future__ import annotations

from journeymap.distributed.dask import (
    DaskEventLog,
    DaskJourneySet,
    build_journeys,
    clear_scorers,
    from_pandas,
    journey_graph,
    read_events,
    score,
    time_patterns,
    touchpoint_summary,
    tree_reduce,
    worker_scorer,
)

__all__ = [
    "DaskEventLog",
    "DaskJourneySet",
    "build_journeys",
    "clear_scorers",
    "from_pandas",
    "journey_graph",
    "read_events",
    "score",
    "time_patterns",
    "touchpoint_summary",
    "tree_reduce",
    "worker_scorer",
]
