"""Findings of a review of the public API against pandas and scikit-learn habits (2026-12-05)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.topics import embed, get_encoder

if TYPE_CHECKING:
    from pathlib import Path

# -- 1. scorers and encoders read a filtered Series by position, and refuse a lone string ---------

FILTERED = pd.Series(["my parcel is late again", "thanks, all sorted!", "where is my refund"], index=[10, 12, 14])


def test_the_default_scorer_reads_a_filtered_series_by_position(default_scorer) -> None:  # type: ignore[no-untyped-def]
    by_series = default_scorer.score(FILTERED)  # before: KeyError: 0
    np.testing.assert_allclose(by_series, default_scorer.score(FILTERED.tolist()), atol=1e-6)
    with pytest.raises(TypeError, match="one str: wrap it in a list"):
        default_scorer.score("hello")  # before: five rows, one per character


def test_a_transformer_scorer_refuses_a_lone_string(tmp_path: Path) -> None:
    from .test_scorers import EKMAN, tiny_model

    scorer = jm.get_scorer(str(tiny_model(tmp_path / "m", EKMAN, "multi_label_classification")))
    assert scorer.score(FILTERED).shape == (3, len(scorer.taxonomy.labels))
    with pytest.raises(TypeError, match="one str"):
        scorer.score("hello")


@pytest.mark.parametrize("name", ["default", "hashing"])
def test_encoders_read_a_series_by_position_and_refuse_a_lone_string(name: str) -> None:
    from journeymap.testing.encoders import HashingEncoder

    encoder = get_encoder(name) if name == "default" else HashingEncoder()
    assert encoder.encode(FILTERED).shape == (3, encoder.dim)
    with pytest.raises(TypeError, match="one str"):
        encoder.encode("hello")  # before: (5, dim)
    with pytest.raises(TypeError, match="one str"):
        embed("hello", encoder, cache=False)


# -- 2. TopicModel: assign keeps a Series' index; a refit leaves nothing of the last fit ----------

TEXTS = ["my card was declined", "card not working", "refund please", "where is my refund", "card blocked", "refund late"]


def test_assign_keeps_the_index_of_a_series() -> None:
    from journeymap.testing.encoders import HashingEncoder

    frame = pd.DataFrame({"text": TEXTS}, index=range(10, 16))
    tm = jm.TopicModel(labels=["card", "refund"], encoder=HashingEncoder(), cache=False).fit(frame["text"])
    frame[["topic", "topic_score"]] = tm.assign(frame["text"])  # before: every value NaN (index 0..5)
    assert frame["topic"].notna().all() and list(tm.assign(TEXTS).index) == list(range(6))
    assert frame["topic"].tolist() == tm.predict(TEXTS).tolist()


def test_a_refit_in_another_mode_leaves_no_attribute_of_the_last() -> None:
    from journeymap.testing.encoders import HashingEncoder

    tm = jm.TopicModel(labels=["card", "refund"], encoder=HashingEncoder(), cache=False, n_topics=None).fit(TEXTS)
    assert hasattr(tm, "anchors_")
    tm.set_params(labels=None, n_topics=2).fit(TEXTS)
    assert tm.mode_ == "discovery" and not hasattr(tm, "anchors_")  # before: the zero-shot anchors stayed


# -- 3. one exception hierarchy: argument and "not scored" errors are JourneyMapErrors too ---------


def test_argument_errors_are_journeymap_errors_and_builtin_ones() -> None:
    from journeymap.testing.data import planted_scores

    js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
    calls = [
        (lambda: jm.trends(js, freq="fortnight"), ValueError),
        (lambda: jm.journey_graph(planted_scores(js), level="nope"), ValueError),
        (lambda: jm.response_times(js, now=3600), TypeError),
        (lambda: jm.time_patterns(js, tz="Mars/Base"), ValueError),
        (lambda: jm.read_events(js.events, on_error="ignore"), ValueError),
    ]
    for call, builtin in calls:
        with pytest.raises(jm.JourneyMapError) as info:  # before: a bare ValueError / TypeError
            call()
        assert isinstance(info.value, builtin)
        assert isinstance(info.value, jm.InvalidArgumentError if builtin is ValueError else jm.ArgumentTypeError)


def test_unscored_journeys_and_a_missing_text_column_are_schema_errors(tmp_path: Path) -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
    no_text = js.events.drop(columns="text")
    calls = [
        (lambda: jm.triage(js), r"^triage needs emotion columns: run journeymap\.score\(js\) first"),
        (lambda: jm.report(js, tmp_path / "r.html"), r"^report needs scored journeys \(emotion columns\)"),
        (lambda: jm.score(no_text), r"^score needs a 'text' column; found: \['event_id'"),
    ]
    for call, message in calls:
        with pytest.raises(jm.SchemaError, match=message) as info:  # before: a bare JourneyMapError, no ValueError
            call()
        assert isinstance(info.value, ValueError)


# -- 4. compare_segments: the same columns with no segments; one column, named ------------------


def test_compare_segments_keeps_its_columns_without_segments(caplog: pytest.LogCaptureFixture) -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
    full = jm.compare_segments(js, "tier")
    empty = jm.compare_segments(js.select([]), "tier")  # before: shape (0, 0)
    assert list(empty.columns) == list(full.columns) and len(empty) == 0 and empty.index.name == "tier"
    assert empty["p_value"].dtype == np.float64
    with caplog.at_level("WARNING", logger="journeymap"):
        brand_only = jm.compare_segments(js, "agent_id")  # set on brand rows only
    assert len(brand_only) == 0 and list(brand_only.columns) == list(full.columns)
    assert "'agent_id' has no value on any journey's first customer message" in caplog.text
    with pytest.raises(TypeError, match="by must be a column name, got list"):
        jm.compare_segments(js, ["tier", "region"])  # type: ignore[arg-type]


# -- 5. arguments typed as the docs say (a tzinfo, a datetime, a timedelta); gap always checked ----


def test_timezones_times_and_durations_as_python_objects() -> None:
    import datetime as dt

    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0), gap=dt.timedelta(days=7)))
    utc = dt.timezone.utc
    pd.testing.assert_frame_equal(jm.time_patterns(js, tz=utc), jm.time_patterns(js, tz="UTC"))
    assert len(jm.trends(js, tz=utc)) == len(jm.trends(js, tz="UTC"))
    now = dt.datetime(2030, 1, 1, tzinfo=utc)
    assert jm.response_times(js, now=now).equals(jm.response_times(js, now=pd.Timestamp(now)))
    league = jm.service_levels(js, by="brand", sla=dt.timedelta(hours=1))
    pd.testing.assert_frame_equal(league, jm.service_levels(js, by="brand", sla="1h"))


def test_a_gap_is_checked_whatever_by() -> None:
    with pytest.raises(ValueError, match="gap must be a duration"):
        jm.build_journeys(jm.datasets.service_journeys(5, seed=0), by="thread", gap="soon")  # before: accepted


def _raise_unknown_scorer(name: str) -> str:
    return jm.get_scorer(name).id


def test_every_exception_survives_pickling_so_a_worker_pool_re_raises_it() -> None:
    # from a review as a service: UnknownScorerError could not be unpickled, which killed a
    # ProcessPoolExecutor (BrokenProcessPool) instead of re-raising the error
    import concurrent.futures
    import multiprocessing
    import pickle

    from journeymap import exceptions as ex
    from journeymap.topics.encoders import UnknownEncoderError

    errors = [
        ex.JourneyMapError("x"),
        ex.InvalidArgumentError("bad value"),
        ex.ArgumentTypeError("bad type"),
        ex.SchemaError("bad rows", rejects=pd.DataFrame({"row": [1]})),
        ex.UnknownScorerError("nope", ["default"]),
        ex.ModelLoadError("not on disk"),
        ex.UnsupportedBackendError("triage", "dask", "DaskJourneySet"),
        ex.ScorerOptionsError("lexicon", {"batch_size": 8}, "unexpected keyword"),
        ex.TextsFailedError("failed", texts=["t"], positions=[2]),
        UnknownEncoderError("nope", ["default"]),
    ]
    for err in errors:
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and str(back) == str(err), type(err).__name__
        assert vars(back).keys() == vars(err).keys()
    assert isinstance(errors[8], RuntimeError)  # a scorer that failed: a RuntimeError too
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        with pytest.raises(jm.UnknownScorerError, match="nope"):
            pool.submit(_raise_unknown_scorer, "nope").result()
        with pytest.raises(jm.UnknownScorerError):  # the pool is still alive
            pool.submit(_raise_unknown_scorer, "nope-again").result()


def test_service_mistakes_raise_journeymap_errors_that_are_builtin_ones_too(tmp_path: Path) -> None:
    # from a review as a service: these raised a plain JourneyMapError or torch's RuntimeError
    js = jm.build_journeys(jm.datasets.service_journeys(3, seed=0))
    for wrong in (None, 123):
        with pytest.raises(jm.ArgumentTypeError, match="scorer must be a scorer name"):
            jm.score(js, scorer=wrong, cache=False)  # type: ignore[arg-type]
    with pytest.raises(jm.InvalidArgumentError, match="device='quantum' is not a torch device"):
        jm.get_scorer("default", device="quantum", backend="torch").model  # noqa: B018 - loading raises

    class WrongWidth:
        id = "wrong.v1"
        taxonomy = jm.Taxonomy.sentiment()

        def score(self, texts: list[str]) -> np.ndarray:
            return np.zeros((len(texts), 3), dtype=np.float32)

    with pytest.raises(jm.TextsFailedError, match=r"returned shape \(\d+, 3\)") as info:
        jm.score(js, scorer=WrongWidth(), cache=False)
    assert isinstance(info.value, RuntimeError) and info.value.texts
    garbage = tmp_path / "g.parquet"
    garbage.write_bytes(b"garbage" * 10)
    with pytest.raises(jm.SchemaError, match="is not a Parquet file"):
        jm.read_journeys(garbage)

    class Flat(WrongWidth):
        id = "flat.v1"

        def score(self, texts: list[str]) -> np.ndarray:
            return np.full((len(texts), 4), 0.25, dtype=np.float32)

    scored = jm.score(js, scorer=Flat(), cache=False)
    with pytest.raises(jm.InvalidArgumentError, match="is a folder"):
        jm.report(scored, tmp_path)
    with pytest.raises(jm.ArgumentTypeError, match="path must be the HTML file"):
        jm.report(scored, None)  # type: ignore[arg-type]


def test_loading_a_scorer_leaves_torchs_global_random_state_alone() -> None:
    import torch

    from journeymap.emotions.default import DefaultScorer

    torch.manual_seed(123)
    before = torch.get_rng_state()
    scorer = DefaultScorer(backend="torch", precision="float32")
    _ = scorer.model  # builds the network: heads initialised, then the weights loaded
    assert torch.equal(before, torch.get_rng_state())


def test_cuda_without_a_gpu_fails_on_loading_naming_the_device() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this torch has a GPU")
    scorer = jm.get_scorer("default", device="cuda", backend="torch")  # built lazily: can be sent to GPU workers
    with pytest.raises(jm.InvalidArgumentError, match="device='cuda': this torch has no CUDA device"):
        scorer.score(["my order is late"])


def _bf16_copy_in_a_child(queue: object) -> None:  # a forked child's first parallel torch operator
    import torch

    x = torch.ones(2_000_000, dtype=torch.bfloat16)
    queue.put(float(x.to(torch.float32).sum()))  # type: ignore[attr-defined]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
def test_a_process_forked_after_a_model_ran_does_not_hang() -> None:
    # from a docs review: a ProcessPoolExecutor (fork, Linux's default) sent a scorer after the
    # parent had scored on two threads; the worker hung for good in its first parallel operator.
    # Building any model (pick_device) now makes forked children run torch on one thread.
    import multiprocessing

    import torch

    from journeymap.emotions import _batching

    _batching.pick_device("cpu")
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        torch.ones(2_000_000, dtype=torch.bfloat16).to(torch.float32)  # the parent's OpenMP pool runs
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        child = context.Process(target=_bf16_copy_in_a_child, args=(queue,))
        child.start()
        child.join(60)
        hung = child.is_alive()
        if hung:
            child.kill()
        assert not hung, "the forked child hung in torch's thread pool"
        assert child.exitcode == 0 and queue.get(timeout=5) == 2_000_000.0
    finally:
        torch.set_num_threads(threads)
