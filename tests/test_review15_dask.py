"""Review 15 of the Dask path: journeymap.distributed gives what the single-machine functions give."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")

import dask  # noqa: E402

import journeymap as jm  # noqa: E402
import journeymap.distributed as jmd  # noqa: E402


@pytest.fixture(autouse=True)
def _synchronous() -> object:
    with dask.config.set(scheduler="synchronous"):
        yield


def _planted(events: pd.DataFrame) -> pd.DataFrame:
    """Emotion columns from the ``valence`` the events carry."""
    out = events.copy()
    v = out["valence"].to_numpy(dtype=np.float64)
    out["emotion"] = pd.array(np.where(v < 0, "anger", "joy"), dtype="string")
    out["sentiment"] = pd.array(np.where(v < -0.25, "negative", np.where(v > 0.25, "positive", "neutral")), dtype="string")
    out["scorer"] = pd.array(["planted"] * len(out), dtype="string")
    return out


# 2. bootstrap intervals resample the values in the single-machine journey order (ids in id order)


def _same_second_log() -> jm.EventLog:
    """30 conversations opened in the same second, with tweet ids of different lengths (the reviewer's ids)."""
    rng = np.random.default_rng(0)
    t0 = pd.Timestamp("2017-10-11 06:55:44", tz="UTC")
    rows = []
    for k in range(30):
        root = str(int(rng.choice([7, 95, 480, 3300, 12000])) + k)
        values = np.round(rng.beta(0.5, 3, size=int(rng.integers(1, 4))) * 2 - 1, 3)
        for j, v in enumerate(values):
            rows.append(
                {
                    "event_id": root if j == 0 else f"{root}{j}00",
                    "customer_id": f"c{k}",
                    "actor": "customer",
                    "touchpoint": "mention",
                    "timestamp": t0 + pd.Timedelta(minutes=j),
                    "thread_id": root,
                    "text": f"t{root}-{j}",
                    "valence": float(v),
                }
            )
    return jm.read_events(pd.DataFrame(rows))


@pytest.mark.parametrize("npartitions", [1, 3])
def test_bootstrap_intervals_order_journeys_by_id_order(npartitions: int) -> None:
    log = _same_second_log()
    js = jm.build_journeys(log)
    js = js.with_events(_planted(js.events))
    ids = js.journeys.index.tolist()
    assert ids != sorted(ids)  # "9" before "15" before "100": text order would differ
    djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=npartitions))
    djs = djs.with_events(djs.events.map_partitions(_planted, meta=_planted(djs.events._meta)))
    for seed in range(4):
        single, got = jm.touchpoint_summary(js, seed=seed), jmd.touchpoint_summary(djs, seed=seed)
        pd.testing.assert_frame_equal(got, single)
        a, b = jm.journey_graph(js, seed=seed).nodes["mention"], jmd.journey_graph(djs, seed=seed).nodes["mention"]
        assert (b["ci_low"], b["ci_high"]) == (a["ci_low"], a["ci_high"])


# 4. journeys without scores or texts: the single-machine exception classes and messages


@pytest.fixture(scope="module")
def unscored_log() -> jm.EventLog:
    return jm.datasets.service_journeys(10, seed=0)  # no emotion columns


def _error_of(call: object) -> BaseException:
    with pytest.raises(Exception) as info:  # noqa: PT011 - compared in full by the caller
        call()  # type: ignore[operator]
    return info.value


# time_patterns takes unscored journeys since review 17 (its volume needs no scores): tests/test_review17_plot_b.py
@pytest.mark.parametrize("name", ["touchpoint_summary", "journey_graph"])
def test_unscored_journeys_raise_the_single_machine_error(unscored_log: jm.EventLog, name: str) -> None:
    js = jm.build_journeys(unscored_log)
    djs = jmd.build_journeys(jmd.from_pandas(unscored_log, npartitions=2))
    single = _error_of(lambda: getattr(jm, name)(js))
    assert isinstance(single, jm.SchemaError)
    for call in (lambda: getattr(jm, name)(djs), lambda: getattr(jmd, name)(djs)):
        got = _error_of(call)
        assert type(got) is type(single)
        assert str(got) == str(single)
        assert isinstance(got, ValueError)


@pytest.mark.parametrize("name", ["assign_topics", "score"])
def test_journeys_without_text_raise_the_single_machine_error(unscored_log: jm.EventLog, name: str) -> None:
    from journeymap.testing import HashingEncoder

    options: dict[str, object] = {"encoder": HashingEncoder(), "cache": False} if name == "assign_topics" else {"cache": False}
    bare = jm.EventLog(
        events=unscored_log.events.drop(columns="text"),
        rejects=unscored_log.rejects,
        warnings=unscored_log.warnings,
        n_input=unscored_log.n_input,
    )
    single = _error_of(lambda: getattr(jm, name)(jm.build_journeys(bare), **options))
    assert isinstance(single, jm.SchemaError)
    djs = jmd.build_journeys(jmd.from_pandas(bare, npartitions=2))
    for call in (lambda: getattr(jm, name)(djs, **options), lambda: getattr(jmd, name)(djs, **options)):
        got = _error_of(call)
        assert type(got) is type(single)
        assert str(got) == str(single)


# 3. an index that repeats labels (two frames concatenated) builds as on one machine


def _concatenated(variant: str) -> jm.EventLog:
    events = jm.datasets.service_journeys(20, seed=0).events
    if variant == "reply trees":  # replies placed by their reply tree: thread keys attached from the gathered ids
        events = events.assign(thread_id=events["thread_id"].where(events["in_reply_to"].isna()))
    elif variant == "brand accounts":  # brand rows filed under the brand: by customer, owners attached from the gathered ids
        events = events.assign(customer_id=events["customer_id"].where(events["actor"] == "customer", "Acme"))
    half = len(events) // 2
    both = pd.concat([events.iloc[:half].reset_index(drop=True), events.iloc[half:].reset_index(drop=True)])
    both.index.name = "row"
    log = jm.read_events(both.reset_index()).events.set_index("row")
    assert not log.index.is_unique
    return jm.EventLog(events=log, rejects=jm.io.empty_rejects(), warnings=jm.io.empty_rejects(), n_input=len(log))


@pytest.mark.parametrize("variant", ["thread ids", "reply trees", "brand accounts"])
@pytest.mark.parametrize("npartitions", [1, 2, 3])
@pytest.mark.parametrize("by", ["thread", "customer"])
def test_an_index_with_repeated_labels_builds_as_on_one_machine(
    by: Literal["thread", "customer"], npartitions: int, variant: str
) -> None:
    log = _concatenated(variant)
    single = jm.build_journeys(log, by=by)
    got = jmd.build_journeys(jmd.from_pandas(log, npartitions=npartitions), by=by, npartitions=npartitions).compute()
    pd.testing.assert_frame_equal(got.events, single.events)
    pd.testing.assert_frame_equal(got.journeys, single.journeys)


# 1. assign_topics(sample=k) fits on exactly min(k, n) messages, the same ones in any partitioning


def _fitted_on(
    monkeypatch: pytest.MonkeyPatch, djs: jmd.DaskJourneySet, **options: Any
) -> list[tuple[list[str], list[object] | None]]:
    from journeymap.testing import HashingEncoder
    from journeymap.topics.model import TopicModel

    calls: list[tuple[list[str], list[object] | None]] = []
    fit = TopicModel.fit

    def recording(
        self: TopicModel, texts: list[str], *args: object, groups: list[object] | None = None, **kwargs: object
    ) -> object:
        calls.append((list(texts), None if groups is None else list(groups)))
        return fit(self, texts, *args, groups=groups, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(TopicModel, "fit", recording)
    jmd.assign_topics(djs, labels=["billing", "delivery", "login"], encoder=HashingEncoder(), cache=False, **options)
    return calls


def test_the_topic_sample_holds_exactly_the_messages_asked_in_any_partitioning(monkeypatch: pytest.MonkeyPatch) -> None:
    log = jm.datasets.service_journeys(60, seed=0)
    n = int((jm.build_journeys(log).events["actor"] == "customer").sum())
    fitted = {}
    for npartitions in (1, 5, 20):
        djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=npartitions), npartitions=npartitions)
        (fitted[npartitions],) = _fitted_on(monkeypatch, djs, sample=12, seed=3)
        if npartitions == 20:  # sample >= n: every message, as on one machine
            (every,) = _fitted_on(monkeypatch, djs, sample=n)
            assert len(every[0]) == n
            (other,) = _fitted_on(monkeypatch, djs, sample=12, seed=4)
    assert [len(texts) for texts, _ in fitted.values()] == [12, 12, 12]  # before: 13 at 5 partitions
    texts, groups = fitted[1]
    assert groups is not None and len(groups) == 12
    assert fitted[5] == fitted[1] and fitted[20] == fitted[1]  # the same texts, writers and order
    assert other[0] != texts  # another seed, another sample
