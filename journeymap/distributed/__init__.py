"""Scale out on Dask: the same journeys, scores and maps on a cluster (the ``[dask]`` extra).

Install with ``pip install "journeymap[dask]"``. journeymap's top-level functions hand dask data
to the functions of the same name here through the ``journeymap.backends`` entry point
(:mod:`journeymap.backends`); a function without a Dask form raises
:class:`~journeymap.exceptions.UnsupportedBackendError`, which says to ``.compute()`` first.
Importing this package does not import dask; using one of its names does.

Modules: :mod:`~journeymap.distributed.events` (reading and validating),
:mod:`~journeymap.distributed.journeys` (building), :mod:`~journeymap.distributed.scoring`
(scoring), :mod:`~journeymap.distributed.aggregates` (tree reductions) and
:mod:`~journeymap.distributed.topics` (topics).

Examples:
    >>> import journeymap as jm
    >>> import journeymap.distributed as jmd
    >>> log = jmd.from_pandas(jm.datasets.service_journeys(40, seed=0), npartitions=4)
    >>> djs = jmd.build_journeys(log)
    >>> js = djs.compute()
    >>> js.events["journey_id"].equals(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)).events["journey_id"])
    True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from journeymap.distributed.aggregates import journey_graph, time_patterns, touchpoint_summary, tree_reduce
    from journeymap.distributed.events import DaskEventLog, from_pandas, read_events
    from journeymap.distributed.journeys import DaskJourneySet, build_journeys
    from journeymap.distributed.scoring import clear_scorers, score, worker_scorer
    from journeymap.distributed.topics import assign_topics

__all__ = [
    "DaskEventLog",
    "DaskJourneySet",
    "assign_topics",
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

_HOME = {
    "DaskEventLog": "events",
    "from_pandas": "events",
    "read_events": "events",
    "DaskJourneySet": "journeys",
    "build_journeys": "journeys",
    "clear_scorers": "scoring",
    "score": "scoring",
    "worker_scorer": "scoring",
    "journey_graph": "aggregates",
    "time_patterns": "aggregates",
    "touchpoint_summary": "aggregates",
    "tree_reduce": "aggregates",
    "assign_topics": "topics",
}


def __getattr__(name: str) -> Any:
    """The public names, imported (with dask) on first use."""
    module = _HOME.get(name)
    if module is None:
        msg = f"module 'journeymap.distributed' has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(f"journeymap.distributed.{module}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
