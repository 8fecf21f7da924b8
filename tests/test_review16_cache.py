"""Review 16 of the score cache in a service: damaged files, foreign files, repeated warnings, missing texts."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.emotions import cache as cache_module
from journeymap.emotions.cache import ScoreCache, cached_rows
from journeymap.testing import HashingEncoder
from journeymap.topics import embed

if TYPE_CHECKING:
    from pathlib import Path


def _fill(path: Path, n: int = 3000) -> list[str]:
    texts = [f"text {i}" for i in range(n)]
    cached_rows(texts, "x.v1", 33, lambda b: np.ones((len(b), 33), np.float32), cache=ScoreCache(path), progress=False, what="x")
    return texts


def test_pages_damaged_in_the_middle_are_set_aside_when_read_and_later_runs_use_a_new_cache(tmp_path: Path) -> None:
    path = tmp_path / "scores.sqlite"
    texts = _fill(path)
    size = path.stat().st_size
    with path.open("r+b") as fh:  # garbage in the middle: the opening check does not read those pages
        fh.seek(size // 2)
        fh.write(b"\xff" * 8192)
    counts = []
    for _ in range(3):
        seen: list[int] = []
        cached_rows(
            texts,
            "x.v1",
            33,
            lambda b, seen=seen: (seen.append(len(b)), np.ones((len(b), 33), np.float32))[1],
            cache=ScoreCache(path),
            progress=False,
            what="x",
        )
        counts.append(sum(seen))
    assert counts == [len(texts), 0, 0]  # scored again once, then served by the new cache
    assert len(list(tmp_path.glob("scores.sqlite.corrupt-*"))) == 1


def test_a_file_of_another_kind_given_as_cache_is_refused_not_moved(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("text,customer_id\nmy order is late,c1\n", encoding="utf-8")
    with pytest.raises(jm.InvalidArgumentError, match=r"events\.csv.*not SQLite"):
        jm.score(pd.DataFrame({"text": ["my order is late"]}), cache=events)
    assert events.read_text(encoding="utf-8").startswith("text,customer_id")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv"]


def test_two_caches_set_aside_in_one_second_are_both_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module.time, "strftime", lambda _fmt: "20261206-120000")
    path = tmp_path / "scores.sqlite"
    for content in (b"first damaged file" * 50, b"second damaged file" * 50):
        path.write_bytes(content)
        ScoreCache(path)
    kept = sorted(p.read_bytes()[:6] for p in tmp_path.glob("scores.sqlite.corrupt-*"))
    assert kept == [b"first ", b"second"]


def test_a_read_only_cache_is_warned_about_once_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "scores.sqlite"
    ScoreCache(path).put("x.v1", ["kept"], np.full((1, 2), 0.5, dtype=np.float32))
    monkeypatch.setattr(cache_module.os, "access", lambda *_args, **_kw: False)
    with caplog.at_level(logging.WARNING, logger="journeymap.emotions.cache"):
        for _ in range(3):
            rows, found = ScoreCache(path).get("x.v1", ["kept"], n_labels=2)
            assert found.tolist() == [True] and rows[0].tolist() == [0.5, 0.5]
    assert sum("read-only" in r.getMessage() for r in caplog.records) == 1


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_embed_with_the_cache_takes_missing_values_as_without_it(tmp_path: Path, missing: object) -> None:
    texts = ["my card never arrived", missing, "my card never arrived"]
    without = embed(texts, HashingEncoder(), cache=False)  # type: ignore[arg-type]
    first = embed(texts, HashingEncoder(), cache=tmp_path / "c.sqlite")  # type: ignore[arg-type]
    again = embed(texts, HashingEncoder(), cache=tmp_path / "c.sqlite")  # type: ignore[arg-type]
    np.testing.assert_array_equal(first, without)
    np.testing.assert_array_equal(again, without)


# on/off arguments, encoder arguments, cache space


@pytest.mark.parametrize("value", ["false", "no", "0", 0, 1])
def test_score_refuses_flags_that_are_not_true_or_false(value: object) -> None:
    frame = pd.DataFrame({"text": ["my order is late"]})
    with pytest.raises(jm.ArgumentTypeError, match=r"^agents must be True or False, got"):
        jm.score(frame, agents=value, cache=False)  # type: ignore[arg-type]
    with pytest.raises(jm.ArgumentTypeError, match=r"^progress must be True, False or None"):
        jm.score(frame, progress=value, cache=False)  # type: ignore[arg-type]


def test_other_flags_are_checked_by_name() -> None:
    from journeymap.topics import TopicInputError, TopicModel

    with pytest.raises(jm.ArgumentTypeError, match=r"^agents must be True or False"):
        jm.datasets.service_journeys(5, agents="no")  # type: ignore[arg-type]
    with pytest.raises(TopicInputError, match=r"^fine_tune must be True or False"):
        TopicModel(encoder=HashingEncoder(), fine_tune="no", cache=False).fit(["a b", "c d", "e f"])  # type: ignore[arg-type]
    with pytest.raises(jm.ArgumentTypeError, match=r"^multi_label must be True, False or None"):
        jm.TransformerScorer("no/such-model", multi_label="false")  # type: ignore[arg-type]
    with pytest.raises(jm.ArgumentTypeError, match=r"^progress must be True, False or None"):
        embed(["a"], HashingEncoder(), cache=False, progress="yes")  # type: ignore[arg-type]


def test_encoder_arguments_are_refused_by_name() -> None:
    from journeymap.topics import TopicModel, UnknownEncoderError, get_encoder

    with pytest.raises(jm.ArgumentTypeError, match=r"^encoder 'default' cannot be built with the options \{'foo': 1\}"):
        get_encoder("default", foo=1)
    for bad in (None, 5):
        with pytest.raises(jm.ArgumentTypeError, match=r"^encoder must be a registered name"):
            TopicModel(encoder=bad, cache=False).fit(["a b", "c d", "e f"])  # type: ignore[arg-type]
    with pytest.raises(UnknownEncoderError):  # a name is looked up as get_encoder does (AttributeError before)
        embed(["a"], "no-such-encoder", cache=False)


def test_clear_removes_a_scorers_rows_of_every_revision_and_gives_the_space_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "scores.sqlite"
    rows = np.ones((2000, 384), dtype=np.float32)
    texts = [f"text {i}" for i in range(2000)]
    monkeypatch.setattr(cache_module, "CACHE_REVISION", 2)
    ScoreCache(path).put("enc.v1", texts, rows)
    monkeypatch.undo()
    cache = ScoreCache(path)
    cache.put("enc.v1", texts, rows)
    cache.put("other.v1", ["kept"], rows[:1])
    full = path.stat().st_size
    assert full < 1.6 * 2 * rows.nbytes  # two revisions of the vectors, about their size on disk (3x WITHOUT ROWID)
    cache.clear("enc.v1")
    import sqlite3

    with sqlite3.connect(path) as con:
        left = sorted(r[0] for r in con.execute("SELECT DISTINCT scorer FROM scores"))
    assert left == [f"other.v1#r{cache_module.CACHE_REVISION}"]
    assert path.stat().st_size < full / 10
