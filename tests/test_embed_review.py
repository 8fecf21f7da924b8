"""Fixes from a review of journeymap embedded in a service: threads, global state, errors."""

from __future__ import annotations

import threading
import time
import warnings
from typing import TYPE_CHECKING

import pytest

import journeymap as jm
from journeymap.emotions.default import DefaultScorer
from journeymap.topics.encoders import TransformerEncoder

if TYPE_CHECKING:
    from pathlib import Path


def _together(target, n: int = 3) -> None:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            target()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_threads_sharing_a_scorer_build_its_network_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    network, tokenizer = object(), object()

    def slow_build(self: DefaultScorer) -> tuple[object, object]:
        calls.append(threading.current_thread().name)
        time.sleep(0.3)
        return network, tokenizer

    monkeypatch.setattr(DefaultScorer, "_build", slow_build)
    scorer = jm.get_scorer("default")
    _together(lambda: scorer.tokenizer)
    assert len(calls) == 1
    assert scorer.model is network
    assert scorer.tokenizer is tokenizer


def test_threads_sharing_an_encoder_build_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def slow_build(self: TransformerEncoder) -> None:
        calls.append(threading.current_thread().name)
        time.sleep(0.3)
        self._net, self._tokenizer = object(), object()

    monkeypatch.setattr(TransformerEncoder, "_build", slow_build)
    encoder = TransformerEncoder("some/encoder")
    _together(encoder._load)
    assert len(calls) == 1


def test_overlapping_loads_leave_transformers_verbosity_as_it_was() -> None:
    from transformers.utils import logging as hf_logging

    from journeymap.emotions import _minilm

    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity_warning()
    try:
        for _ in range(3):
            _together(_minilm.load_tokenizer)
            assert hf_logging.get_verbosity() == hf_logging.WARNING
    finally:
        hf_logging.set_verbosity(before)


@pytest.mark.parametrize(
    "body",
    [
        "c1,2024-01-01,hi there,extra\nc2,2024-01-02,yo\n",  # the first row too long
        "c1,2024-01-01,hi there\nc2,2024-01-02,yo,extra\n",  # a later row too long
        "c1,2024-01-01,hi there\nc2,2024-01-02,yo\n",
    ],
)
def test_reading_a_csv_changes_no_warnings_filter(body: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # warnings.catch_warnings swaps the process-wide filter list: a thread reading a CSV would
    # drop the filters other threads add meanwhile
    path = tmp_path / "events.csv"
    path.write_text("customer_id,timestamp,text\n" + body)

    from journeymap.io import sources

    outer = warnings.filters
    swapped: list[bool] = []
    read_csv = sources.pd.read_csv

    def watched(*args: object, **kwargs: object) -> object:
        swapped.append(warnings.filters is not outer)  # catch_warnings puts a copy in its place
        return read_csv(*args, **kwargs)

    monkeypatch.setattr(sources.pd, "read_csv", watched)
    log = jm.read_events(path, on_error="collect")
    assert not any(swapped)
    assert len(log.events) + log.rejects["row"].nunique() == 2
    assert len(log.rejects) == body.count("extra")
    kept = {line.split(",")[2] for line in body.splitlines() if line.count(",") == 2}
    assert set(log.events["text"]) == kept


def _service_log() -> jm.EventLog:
    return jm.datasets.service_journeys(5, seed=0)


def test_to_pm4py_names_what_it_needs() -> None:
    with pytest.raises(TypeError, match=r"to_pm4py needs a JourneySet \(from build_journeys\), got EventLog"):
        jm.to_pm4py(_service_log())


def test_stages_mapping_to_a_non_name_is_refused_naming_the_touchpoint() -> None:
    with pytest.raises(ValueError, match=r"stages maps touchpoints to stages by name.*'billing': 3"):
        jm.build_journeys(_service_log(), stages={"billing": 3})


def test_an_unknown_parquet_codec_is_refused_before_writing(tmp_path: Path) -> None:
    js = jm.build_journeys(_service_log())
    with pytest.raises(ValueError, match=r"compression='lzma9' is not a Parquet codec.*'zstd'"):
        js.to_parquet(tmp_path / "j.parquet", compression="lzma9")
    assert not (tmp_path / "j.parquet").exists()
    js.to_parquet(tmp_path / "j.parquet", compression="snappy")
    assert jm.read_journeys(tmp_path / "j.parquet").events.equals(js.events)


@pytest.mark.parametrize("target", [5, None, ""])
def test_columns_onto_a_non_name_is_refused(target: object) -> None:
    frame = _service_log().events.reset_index(drop=True).rename(columns={"text": "body"})
    with pytest.raises(jm.SchemaError, match=r"columns maps onto names that are not column names.*'body'"):
        jm.read_events(frame, columns={"body": target})


def test_a_too_long_first_row_with_a_bare_cr_is_a_reject_not_a_pandas_warning(tmp_path: Path) -> None:
    # found by hypothesis: a bare CR is text, so the csv module must read it as text too
    path = tmp_path / "events.csv"
    path.write_text("customer_id,timestamp,text\n,\r,,\nc2,2024-01-02,yo\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas' ParserWarning (a field dropped) would raise
        log = jm.read_events(path, on_error="collect")
    assert log.n_input == 2
    assert len(log.events) + log.rejects["row"].nunique() == 2
    assert "4 fields where the header has 3" in " ".join(log.rejects["reason"].astype(str))


@pytest.mark.parametrize(("cache", "error"), [(123, TypeError), ("", ValueError), (["a"], TypeError)])
def test_a_cache_that_is_no_path_is_named(cache: object, error: type[Exception]) -> None:
    js = jm.build_journeys(_service_log())
    with pytest.raises(error, match=r"cache must be True \(the user cache\), False or None"):
        jm.score(js, _Thanks(), cache=cache)


class _Thanks:
    id, taxonomy = "thanks.v1", jm.Taxonomy.sentiment()

    def score(self, texts: list[str]) -> object:
        import numpy as np

        good = np.array([("thank" in t) for t in texts], dtype=np.float32)
        return np.stack([good, 1 - good, 0 * good, 0 * good], axis=1)
