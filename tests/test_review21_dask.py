"""Review 21: the cluster scorer deduplicates texts with the task shuffle, as ``build_journeys`` shuffles.

On a ``distributed`` cluster dask's own choice is the p2p shuffle, whose workers log "Shuffle ... initialized" and
"... deactivated" warnings into the notebook on every ``jmd.score``; the docs reviewer saw them on a LocalCluster.
"""

from __future__ import annotations

import pytest

dask = pytest.importorskip("dask")

import journeymap as jm  # noqa: E402
import journeymap.distributed as jmd  # noqa: E402


def _layer_names(collection: object) -> set[str]:
    graph = collection.__dask_graph__()  # type: ignore[attr-defined]
    return {str(k[0] if isinstance(k, tuple) else k) for k in graph}


def test_scoring_uses_the_task_shuffle_where_dask_would_choose_p2p() -> None:
    log = jm.datasets.service_journeys(30, seed=0)
    djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=3))
    with dask.config.set({"dataframe.shuffle.method": "p2p"}):  # what a distributed Client makes the default
        scored = jmd.score(djs, "default", cache=False)  # builds the graph only: no text is scored here
        names = _layer_names(scored.events)
    assert any("taskshuffle" in n for n in names)
    assert not [n for n in names if "p2p" in n], "a p2p shuffle in the scoring graph"
