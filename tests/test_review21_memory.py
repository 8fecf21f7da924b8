"""Review 21 (rv50): state a long-running service keeps per object or per option value.

Counted in objects, instances and keys, never in RSS or time.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import sqlite3
import threading
import weakref
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import journeymap as jm
from journeymap.emotions import cache as cache_module
from journeymap.emotions.cache import ScoreCache, cached_rows
from journeymap.journeys._set import VARIANTS_KEPT
from journeymap.topics import encoders

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


# -- finding 2: one bundled encoder network per process ------------------------------------------


def test_default_encoders_share_one_network_and_free_it_with_the_last() -> None:
    first = encoders.get_encoder("default", precision="float32")
    second = encoders.get_encoder("default", precision="float32")
    first.encode(["my card has not arrived"])
    second.encode(["where is my parcel"])
    assert first is not second  # objects stay the caller's own (batch_size, max_length)
    assert first._net is second._net and first._tokenizer is second._tokenizer  # type: ignore[attr-defined]
    again = pickle.loads(pickle.dumps(first))
    assert again._net is None  # the network is still not pickled
    again.encode(["thanks"])
    assert again._net is first._net  # an unpickled encoder (a stored topic model's) shares it too
    network = weakref.ref(first._net)  # type: ignore[attr-defined]
    del first, second, again
    gc.collect()
    assert network() is None  # dropped with the last encoder that used it


def test_encoders_built_on_several_threads_at_once_share_one_network() -> None:
    built = [encoders.get_encoder("default", precision="float32") for _ in range(4)]
    errors: list[BaseException] = []

    def encode(encoder: encoders.SentenceEncoder) -> None:
        try:
            encoder.encode(["late parcel", "refund please"])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=encode, args=(e,)) for e in built]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({id(e._net) for e in built}) == 1  # type: ignore[attr-defined]


def test_topic_models_fitted_with_the_default_encoder_share_its_network() -> None:
    texts = ["my card has not arrived", "card still missing", "refund my order", "I want a refund", "thanks", "cheers"]
    models = [jm.TopicModel(n_topics=2, cache=False, seed=0).fit(texts) for _ in range(3)]
    assert len({id(m.encoder_) for m in models}) == 3
    assert len({id(m.encoder_._net) for m in models}) == 1  # type: ignore[attr-defined]


# -- finding 3: a transient cache error costs one call ---------------------------------------------


def test_a_cache_that_fails_once_is_used_again_on_the_next_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ScoreCache(tmp_path / "scores.sqlite")
    cache.put("s", ["hi"], np.ones((1, 2), dtype=np.float32))
    real = ScoreCache._lookup
    calls = []

    def once_locked(self: ScoreCache, *args: object) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ScoreCache, "_lookup", once_locked)
    assert not cache.get("s", ["hi"], n_labels=2)[1].any()  # this call: without the cache
    assert cache.get("s", ["hi"], n_labels=2)[1].all() and not cache.disabled  # the next one reads it again


def test_a_cache_whose_folder_is_briefly_gone_rescores_only_that_call(tmp_path: Path) -> None:
    folder = tmp_path / "vol"
    folder.mkdir()
    cache = ScoreCache(folder / "scores.sqlite")
    scored: list[str] = []

    def compute(batch: list[str]) -> np.ndarray:
        scored.extend(batch)
        return np.ones((len(batch), 2), dtype=np.float32)

    def rows(texts: list[str]) -> None:
        cached_rows(texts, "k", 2, compute, cache=cache, progress=False, what="scoring")

    rows(["late parcel", "thanks"])
    os.rename(folder, tmp_path / "away")
    rows(["another one"])
    os.rename(tmp_path / "away", folder)
    rows(["late parcel", "thanks"])  # cached before the blip: found again
    assert scored == ["late parcel", "thanks", "another one"]
    rows(["another one"])  # scored during the blip and not stored then: scored and stored now
    rows(["another one"])
    assert scored == ["late parcel", "thanks", "another one", "another one"]


def test_a_cache_that_keeps_failing_warns_once_and_backs_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    now = [1000.0]
    monkeypatch.setattr(cache_module, "_clock", lambda: now[0])
    cache = ScoreCache(tmp_path / "scores.sqlite")
    cache.put("s", ["hi"], np.ones((1, 2), dtype=np.float32))
    real = ScoreCache._lookup
    lookups = []
    broken = [True]

    def locked(self: ScoreCache, *args: object) -> None:
        lookups.append(1)
        if broken[0]:
            raise sqlite3.OperationalError("database is locked")
        real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ScoreCache, "_lookup", locked)
    with caplog.at_level(logging.DEBUG, logger="journeymap.emotions.cache"):
        for _ in range(6):
            assert not cache.get("s", ["hi"], n_labels=2)[1].any()
    assert len(lookups) == 2  # the failing call, the next one; then it waits before trying again
    assert [r.levelno for r in caplog.records if "failed while reading" in r.getMessage()] == [logging.WARNING, logging.DEBUG]
    now[0] += 1.5
    cache.get("s", ["hi"], n_labels=2)
    assert len(lookups) == 3  # tried again after the back-off (1 s), failing: waits 2 s now
    now[0] += 2.5
    broken[0] = False
    assert cache.get("s", ["hi"], n_labels=2)[1].all()
    assert cache._failures == 0 and not cache.disabled


def test_a_cache_busy_when_opened_is_used_once_it_is_free(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scores.sqlite"
    ScoreCache(path).put("s", ["hi"], np.ones((1, 2), dtype=np.float32))

    def locked(self: ScoreCache) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(ScoreCache, "_create", locked)
    busy = ScoreCache(path)
    assert not busy.get("s", ["hi"], n_labels=2)[1].any()
    monkeypatch.undo()
    assert busy.get("s", ["hi"], n_labels=2)[1].all() and not busy.disabled


# -- finding 5: a JourneySet keeps few results of non-default options --------------------------------


def _kept(js: jm.JourneySet) -> int:
    return len(js._cache) + len(js._variants)


def test_a_journeyset_keeps_a_bounded_number_of_per_option_results() -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(40, seed=0))
    jm.response_times(js)
    jm.trends(js)
    defaults = _kept(js)
    for k in range(20):
        rule = jm.AutoReplyRule(min_repeats=k + 2)
        jm.response_times(js, auto=rule)
        jm.trends(js, freq="D", auto=rule)
    for zone in ("UTC", "Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Asia/Kolkata"):
        jm.trends(js, freq="h", tz=zone)
    assert _kept(js) <= defaults + VARIANTS_KEPT
    assert len(js._cache) == defaults  # the default options' results are all still there
    rule = jm.AutoReplyRule(min_repeats=2)  # long evicted: computed again, the same
    fresh = jm.build_journeys(jm.datasets.service_journeys(40, seed=0))
    pd.testing.assert_frame_equal(jm.trends(js, freq="D", auto=rule), jm.trends(fresh, freq="D", auto=rule))


def test_equal_rules_written_differently_share_one_result() -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(40, seed=0))
    jm.response_times(js, auto=jm.AutoReplyRule(within="2min"))
    jm.trends(js, auto=jm.AutoReplyRule(within="2min"))
    kept = _kept(js)
    jm.response_times(js, auto=jm.AutoReplyRule(within="120s"))
    jm.trends(js, auto=jm.AutoReplyRule(within=pd.Timedelta(minutes=2)))
    assert _kept(js) == kept
    jm.trends(js)
    kept = _kept(js)
    jm.trends(js, auto=jm.AutoReplyRule())  # the default rule, given or not
    assert _kept(js) == kept
