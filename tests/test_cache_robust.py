"""A broken, read-only or misplaced score cache never stops scoring without saying where and why."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pytest

import journeymap as jm
from journeymap.emotions import cache as cache_module
from journeymap.emotions.cache import ScoreCache

if TYPE_CHECKING:
    from pathlib import Path


class Counting:
    id = "counting.v1"
    taxonomy = jm.Taxonomy.sentiment()

    def __init__(self) -> None:
        self.seen = 0

    def score(self, texts: list[str]) -> np.ndarray:
        self.seen += len(texts)
        return np.full((len(texts), 4), 0.25, dtype=np.float32)


def frame() -> jm.JourneySet:
    return jm.build_journeys(jm.datasets.service_journeys(5, seed=0))


def test_a_corrupt_cache_is_set_aside_and_rebuilt_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "scores.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    scorer = Counting()
    with caplog.at_level(logging.WARNING, logger="journeymap.emotions.cache"):
        jm.score(frame(), scorer, cache=path)
    assert str(path) in caplog.text
    assert "moved it to" in caplog.text
    assert list(tmp_path.glob("scores.sqlite.corrupt-*"))
    first = scorer.seen
    jm.score(frame(), scorer, cache=path)  # the new cache works: nothing scored again
    assert scorer.seen == first > 0


def test_a_read_only_cache_is_used_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scores.sqlite"
    ScoreCache(path).put("counting.v1", ["kept"], np.full((1, 4), 0.5, dtype=np.float32))
    monkeypatch.setattr(cache_module.os, "access", lambda *_args, **_kw: False)
    ro = ScoreCache(path)
    assert ro.read_only
    rows, found = ro.get("counting.v1", ["kept", "new"], n_labels=4)
    assert found.tolist() == [True, False]
    assert rows[0].tolist() == [0.5] * 4
    ro.put("counting.v1", ["new"], np.zeros((1, 4), dtype=np.float32))  # kept nowhere, no error
    assert ro.get("counting.v1", ["new"], n_labels=4)[1].tolist() == [False]
    with pytest.raises(jm.JourneyMapError, match="read-only"):
        ro.clear()


def test_a_cache_path_that_is_a_folder_names_itself(tmp_path: Path) -> None:
    with pytest.raises(jm.JourneyMapError, match=r"score cache .* is a folder"):
        jm.score(frame(), Counting(), cache=tmp_path)


def test_the_default_cache_corrupt_does_not_break_score(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JOURNEYMAP_CACHE_DIR", str(tmp_path))
    (tmp_path / "scores.sqlite").write_bytes(b"\x00" * 4096)
    scored = jm.score(frame(), Counting())
    assert scored.events["valence"].notna().any()
