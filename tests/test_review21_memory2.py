"""Review 21 (rv50), findings 4 and 6: models a long-running process keeps per option value.

Counted in model loads and objects, never in RSS or time.
"""

from __future__ import annotations

import gc
import threading
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import journeymap as jm
from journeymap.distributed import scoring

if TYPE_CHECKING:
    from collections.abc import Iterator


# -- finding 4: jmd.score without a cluster kept one model per batch size --------------------------


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every scorer ``worker_scorer`` builds, as (name, options); the worker's scorers forgotten before and after."""
    calls: list[tuple[str, dict[str, Any]]] = []
    real = scoring.get_scorer

    def counted(name: str, **options: Any) -> Any:
        calls.append((name, options))
        return real(name, **options)

    scoring.clear_scorers()
    monkeypatch.setattr(scoring, "get_scorer", counted)
    yield calls
    scoring.clear_scorers()


def test_batch_sizes_share_one_network_without_a_cluster(built: list[tuple[str, dict[str, Any]]]) -> None:
    import journeymap.distributed as jmd

    log = jm.datasets.service_journeys(3, seed=0)
    frames = [
        jmd.score(jmd.build_journeys(jmd.from_pandas(log, npartitions=2)), "default", batch_size=size, cache=False)
        .compute()
        .events
        for size in (8, 16, 32)
    ]
    assert len(built) == 1  # one DefaultScorer built (one network), then copies that batch differently
    networks = {id(scoring.worker_scorer(("default", (("batch_size", size),))).model) for size in (8, 16, 32)}
    assert len(networks) == 1
    for frame in frames[1:]:  # the batch size changes no number
        assert np.allclose(frame["valence"], frames[0]["valence"], atol=1e-5, equal_nan=True)


def test_a_batch_size_is_the_copys_own(built: list[tuple[str, dict[str, Any]]]) -> None:
    base = scoring.worker_scorer(("default", (("precision", "float32"),)))
    small = scoring.worker_scorer(("default", (("batch_size", 2), ("precision", "float32"))))
    assert (base.batch_size, small.batch_size) == (64, 2)  # the shared scorer's own batch size is untouched
    assert not base.loaded
    texts = ["thanks, that fixed it", "I am so angry", "where is my parcel", "ok"]
    rows = {}

    def read(scorer: Any, key: str) -> None:
        rows[key] = scorer.score(texts)

    threads = [threading.Thread(target=read, args=(s, k)) for s, k in ((base, "base"), (small, "small"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert np.allclose(rows["base"], rows["small"], atol=1e-3)
    assert base.loaded and small.model is base.model  # built once, by the shared scorer
    assert len(built) == 1
    with pytest.raises(jm.exceptions.InvalidArgumentError, match="batch_size"):
        scoring.worker_scorer(("default", (("batch_size", 0), ("precision", "float32"))))


class _Plain:
    """A scorer of a plugin's: not one of journeymap's batching scorers."""

    taxonomy = jm.Taxonomy.sentiment()

    def __init__(self, name: str, **options: Any) -> None:
        self.id, self.options = name, options

    def score(self, texts: list[str]) -> np.ndarray:
        return np.full((len(texts), 3), 1 / 3, dtype=np.float32)


def test_a_worker_keeps_a_bounded_number_of_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def plain(name: str, **options: Any) -> _Plain:
        calls.append(name)
        return _Plain(name, **options)

    scoring.clear_scorers()
    monkeypatch.setattr(scoring, "get_scorer", plain)
    try:
        first = weakref.ref(scoring.worker_scorer(("plain0", ())))
        for i in range(1, scoring.MAX_SCORERS + 2):
            scoring.worker_scorer((f"plain{i}", ()))
        gc.collect()
        assert first() is None  # the least recently used was forgotten, and freed
        assert len(scoring._SCORERS) == scoring.MAX_SCORERS
        calls.clear()
        scoring.worker_scorer((f"plain{scoring.MAX_SCORERS + 1}", ()))  # the latest: kept
        assert calls == []
        scoring.worker_scorer(("plain0", ()))  # built again
        assert calls == ["plain0"]
        # a plugin's scorer with a batch size is built with it (and no second object kept for its network)
        calls.clear()
        sized = scoring.worker_scorer(("plugin", (("batch_size", 8),)))
        assert isinstance(sized, _Plain) and sized.options == {"batch_size": 8}
        assert list(scoring._SCORERS[repr(("plugin", ()))].values()) == [sized]
        assert scoring.worker_scorer(("plugin", (("batch_size", 8),))) is sized
    finally:
        scoring.clear_scorers()
