"""A broken, read-only or misplaced score cache never stops scoring without saying where and why."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

import journeymap as jm
from journeymap.emotions import cache as cache_module
from journeymap.emotions.cache import ScoreCache


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


def test_a_cache_folder_that_cannot_be_made_does_not_stop_scoring(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # from a review as a service: a read-only HOME made jm.score raise; the docs say a cache never stops scoring
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    scorer = Counting()
    with caplog.at_level(logging.WARNING, logger="journeymap.emotions.cache"):
        scored = jm.score(frame(), scorer, cache=blocker / "sub" / "scores.sqlite")
    assert scored.is_scored and scorer.seen > 0
    assert "cannot create its folder" in caplog.text and "scoring without a cache" in caplog.text


_READ_ONLY_CHILD = """
import logging, os, sqlite3, sys
import numpy as np, journeymap as jm
import journeymap.emotions.cache, journeymap.emotions.score
class Counting:
    id = "counting.v1"; taxonomy = jm.Taxonomy.sentiment(); seen = 0
    def score(self, texts):
        Counting.seen += len(texts)
        return np.full((len(texts), 4), 0.25, dtype=np.float32)
js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
jm.score(js, Counting(), cache=False)  # every lazy import done while the interpreter's files are readable
Counting.seen = 0
os.setgid(65534); os.setuid(65534)  # now a user who can write nowhere here
logging.basicConfig(level=logging.WARNING, format="LOG %(message)s")
jm.score(js, Counting(), cache=sys.argv[1])
print("SCORED", Counting.seen)
"""


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to run a child as another user")
@pytest.mark.parametrize("file_mode", [0o444, 0o666])  # the file read-only, or only its folder
def test_a_read_only_cache_in_wal_mode_is_read(file_mode: int) -> None:
    # from a review: a cache the library wrote (WAL mode) in a read-only folder was "used read-only"
    # and then failed ("attempt to write a readonly database"), so every text was scored again
    folder = Path(tempfile.mkdtemp(prefix="jm-ro-cache-"))  # pytest's tmp_path is root's alone
    try:
        path = folder / "scores.sqlite"
        jm.score(frame(), Counting(), cache=path)  # fills it, as root
        for p in (*folder.iterdir(), folder):
            p.chmod(0o555 if p.is_dir() else file_mode)
        command = [sys.executable, "-c", _READ_ONLY_CHILD, str(path)]
        child = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert child.returncode == 0, child.stderr[-2000:]
    assert "SCORED 0" in child.stdout, child.stdout + child.stderr[-2000:]
    assert "cannot be used now" not in child.stderr
