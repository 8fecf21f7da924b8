"""journeymap.distributed: the same journeys, scores and aggregates as on one machine."""

from __future__ import annotations

import itertools
import math
import threading
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

dd = pytest.importorskip("dask.dataframe")

import journeymap as jm  # noqa: E402
import journeymap.distributed as jmd  # noqa: E402
from journeymap.analytics._stats import BOOTSTRAP_MAX_N, MeanInterval  # noqa: E402
from journeymap.distributed._partials import GroupMoments, NodeStats  # noqa: E402
from journeymap.emotions.registry import refresh  # noqa: E402
from journeymap.io.events import EventLog  # noqa: E402
from journeymap.testing.strategies import event_frames  # noqa: E402

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx

from tests.test_registry import PLUGIN  # noqa: E402


@pytest.fixture(scope="module")
def log() -> EventLog:
    return jm.datasets.service_journeys(600, seed=3)


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(PLUGIN))
    refresh()
    yield
    refresh()


def assert_graphs_equal(G: nx.DiGraph, H: nx.DiGraph) -> None:
    assert G.graph == H.graph
    assert list(G.nodes) == list(H.nodes)
    assert list(G.edges) == list(H.edges)
    for part_g, part_h in ((G.nodes, H.nodes), (G.edges, H.edges)):
        for item in part_g:
            a, b = part_g[item], part_h[item]
            assert a.keys() == b.keys(), item
            for key, value in a.items():
                other = b[key]
                if isinstance(value, float):
                    assert math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(value) and math.isnan(other)), (
                        item,
                        key,
                        value,
                        other,
                    )
                else:
                    assert value == other, (item, key, value, other)


# --------------------------------------------------------------------------- reading


def _raw_csv(log: EventLog, path: Path) -> pd.DataFrame:
    raw = log.events.copy()
    raw["timestamp"] = raw["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    raw = raw.astype(object)
    raw.loc[5, "timestamp"] = "garbage"
    raw.loc[10, "customer_id"] = None
    raw.loc[20, "actor"] = "martian"
    last = len(raw) - 1
    raw.loc[last, "event_id"] = raw.loc[3, "event_id"]  # a duplicate in another block
    raw.loc[last - 1, "event_id"] = raw.loc[last - 2, "event_id"]  # and one in the same block
    raw.to_csv(path, index=False)
    return raw


def _split_csv(raw: pd.DataFrame, folder: Path, parts: int = 3) -> list[Path]:
    """``raw`` written as ``parts`` CSV files, in order (a CSV is read as one partition per file)."""
    folder.mkdir()
    paths = []
    for i, chunk in enumerate(np.array_split(np.arange(len(raw)), parts)):
        paths.append(folder / f"part-{i}.csv")
        raw.iloc[chunk].to_csv(paths[-1], index=False)
    return paths


def test_read_events_in_blocks_equals_single_machine(log: EventLog, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    raw = _raw_csv(log, path)
    single = jm.read_events(path, on_error="collect")
    _split_csv(raw, tmp_path / "parts")
    dlog = jmd.read_events(str(tmp_path / "parts" / "part-*.csv"), on_error="collect")
    assert dlog.events.npartitions == 3
    got = dlog.compute()
    pd.testing.assert_frame_equal(got.events, single.events)
    pd.testing.assert_frame_equal(got.rejects, single.rejects)
    # Nothing lost: every input row is an event or a reject, with the global row number.
    assert len(got.events) + got.rejects["row"].nunique() == len(raw) == dlog.n_input
    assert set(got.rejects["row"]) == {5, 10, 20, len(raw) - 2, len(raw) - 1}
    reason = got.rejects.set_index("row").loc[len(raw) - 1, "reason"]
    assert reason == "duplicate event_id (first seen at row 3)"


def test_read_events_raise_names_the_rows(log: EventLog, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    _raw_csv(log, path)
    with pytest.raises(jm.SchemaError) as single:
        jm.read_events(path)
    with pytest.raises(jm.SchemaError) as distributed:
        jmd.read_events(_split_csv(pd.read_csv(path, dtype=str, keep_default_na=False), tmp_path / "parts"))
    assert str(distributed.value) == str(single.value)
    assert "row 5, column 'timestamp'" in str(distributed.value)


def test_read_events_parquet_and_dask_frames(log: EventLog, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    log.events.reset_index(drop=True).to_parquet(path)
    single = jm.read_events(path)
    got = jmd.read_events(path).compute()
    pd.testing.assert_frame_equal(got.events, single.events)
    # A dask DataFrame given to the top-level function goes the distributed way.
    via_top = jm.read_events(dd.from_pandas(pd.read_parquet(path), npartitions=3))
    assert isinstance(via_top, jmd.DaskEventLog)
    assert via_top.n_input == len(single.events)


def test_read_events_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        jmd.read_events(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="on_error"):
        jmd.read_events(pd.DataFrame({"customer_id": ["a"], "timestamp": [1]}), on_error="ignore")  # type: ignore[arg-type]
    with pytest.raises(jm.SchemaError, match="columns maps \\['user'\\]"):
        jmd.read_events(pd.DataFrame({"customer_id": ["a"], "timestamp": [1]}), columns={"user": "customer_id"})
    with pytest.raises(TypeError, match="from_pandas needs an EventLog"):
        jmd.from_pandas(pd.DataFrame())  # type: ignore[arg-type]


# --------------------------------------------------------------------------- journeys


@pytest.mark.parametrize("by", ["thread", "customer"])
def test_build_journeys_equals_single_machine(log: EventLog, by: str) -> None:
    single = jm.build_journeys(log, by=by)  # type: ignore[arg-type]
    djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=7), by=by, npartitions=5)  # type: ignore[arg-type]
    got = djs.compute()
    pd.testing.assert_frame_equal(got.events, single.events)
    pd.testing.assert_frame_equal(got.journeys, single.journeys)
    # No journey straddles two partitions.
    owners = [set(djs.events.partitions[i].compute()["journey_id"]) for i in range(djs.npartitions)]
    assert sum(len(o) for o in owners) == len(set().union(*owners)) == len(single)
    assert int(djs.journeys["n_steps"].sum().compute()) == len(single.events)


def test_build_journeys_from_reply_trees_alone(log: EventLog) -> None:
    """Without thread_id the journeys come from the reply trees, resolved across partitions."""
    events = log.events.drop(columns="thread_id")
    bare = EventLog(events=events, rejects=log.rejects, warnings=log.warnings, n_input=log.n_input)
    single = jm.build_journeys(bare)
    got = jmd.build_journeys(jmd.from_pandas(bare, npartitions=6)).compute()
    pd.testing.assert_frame_equal(got.events, single.events)


@pytest.mark.filterwarnings("ignore:build_journeys replaced the input:UserWarning")  # the frames carry a random stage
@settings(max_examples=15)
@given(frame=event_frames(), npartitions=st.integers(1, 4))
def test_build_journeys_property(frame: pd.DataFrame, npartitions: int) -> None:
    log = jm.read_events(frame, on_error="collect")
    if len(log.events) == 0:
        return
    for by in ("thread", "customer"):
        if by == "thread" and not {"thread_id", "in_reply_to"} & set(log.events.columns):
            continue
        single = jm.build_journeys(log, by=by)  # type: ignore[arg-type]
        got = jmd.build_journeys(jmd.from_pandas(log, npartitions=npartitions), by=by).compute()  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(got.events, single.events)


def test_top_level_build_journeys_takes_dask_frames(log: EventLog) -> None:
    frame = dd.from_pandas(log.events.reset_index(drop=True), npartitions=3)
    djs = jm.build_journeys(frame)
    assert isinstance(djs, jmd.DaskJourneySet)
    assert len(djs.compute()) == len(jm.build_journeys(log))


def test_build_journeys_bad_arguments(log: EventLog) -> None:
    dlog = jmd.from_pandas(log, npartitions=2)
    with pytest.raises(ValueError, match="by must be"):
        jmd.build_journeys(dlog, by="session")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="gap must be a positive"):
        jmd.build_journeys(dlog, by="customer", gap="-1D")
    with pytest.raises(TypeError, match="DaskEventLog or a dask DataFrame"):
        jmd.build_journeys(log)  # type: ignore[arg-type]
    bare = jmd.from_pandas(
        EventLog(log.events.drop(columns=["thread_id", "in_reply_to"]), log.rejects, log.warnings, log.n_input), npartitions=2
    )
    with pytest.raises(jm.SchemaError, match="by='thread' needs a thread_id or in_reply_to"):
        jmd.build_journeys(bare)


# --------------------------------------------------------------------------- scoring and aggregates (local scheduler)


@pytest.fixture(scope="module")
def scored_pair(log: EventLog) -> tuple[jm.JourneySet, jmd.DaskJourneySet]:
    mp = pytest.MonkeyPatch()
    mp.syspath_prepend(str(PLUGIN))
    refresh()
    # Rows in random order, so that input row numbers say nothing about journey order.
    events = log.events.sample(frac=1.0, random_state=7)
    shuffled = EventLog(events.set_axis(pd.RangeIndex(len(events))), log.rejects.iloc[:0], log.warnings, len(events))
    try:
        single = jm.score(jm.build_journeys(shuffled), "lexicon", cache=False)
        djs = jmd.score(jmd.build_journeys(jmd.from_pandas(shuffled, npartitions=6), npartitions=5), "lexicon", cache=False)
        return single, djs.persist()
    finally:
        mp.undo()
        refresh()


def test_score_equals_single_machine(scored_pair: tuple[jm.JourneySet, jmd.DaskJourneySet]) -> None:
    single, djs = scored_pair
    pd.testing.assert_frame_equal(djs.compute().events, single.events)


def test_partitions_hold_whole_journeys_in_step_order(scored_pair: tuple[jm.JourneySet, jmd.DaskJourneySet]) -> None:
    """After building and scoring, each partition holds whole journeys, contiguous and in step order."""
    _, djs = scored_pair
    for i in range(djs.npartitions):
        part = djs.events.partitions[i].compute()
        if part.empty:
            continue
        jid = part["journey_id"].to_numpy()
        starts = np.r_[True, jid[1:] != jid[:-1]]
        assert len(set(jid[starts])) == starts.sum(), "a journey is split within a partition"
        steps = part["step"].to_numpy()
        assert (steps[starts] == 1).all()
        assert (np.diff(steps)[~starts[1:]] == 1).all()


@pytest.mark.parametrize("level", ["touchpoint", "stage"])
def test_aggregates_equal_single_machine(scored_pair: tuple[jm.JourneySet, jmd.DaskJourneySet], level: str) -> None:
    single, djs = scored_pair
    pd.testing.assert_frame_equal(
        jmd.touchpoint_summary(djs, level=level, seed=4),  # type: ignore[arg-type]
        jm.touchpoint_summary(single, level=level, seed=4),  # type: ignore[arg-type]
        rtol=1e-9,
    )
    assert_graphs_equal(jmd.journey_graph(djs, level=level), jm.journey_graph(single, level=level))  # type: ignore[arg-type]
    assert_graphs_equal(jmd.journey_graph(djs, level=level, seed=3), jm.journey_graph(single, level=level, seed=3))  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(
        jmd.time_patterns(djs, tz="America/New_York"), jm.time_patterns(single, tz="America/New_York"), rtol=1e-9
    )
    # The top-level functions route a DaskJourneySet to the cluster.
    pd.testing.assert_frame_equal(jm.time_patterns(djs), jm.time_patterns(single), rtol=1e-9)


def test_plots_and_report_say_to_compute_first(scored_pair: tuple[jm.JourneySet, jmd.DaskJourneySet], tmp_path: Path) -> None:
    """plot.time_patterns shares its name with an aggregate, yet is not sent to it: it has no dask form."""
    from journeymap.exceptions import UnsupportedBackendError

    _, djs = scored_pair
    for draw in (jm.plot.time_patterns, jm.plot.journey_map, jm.plot.emotion_mix, jm.plot.emotion_heatmap):
        with pytest.raises(UnsupportedBackendError, match=rf"^plot\.{draw.__name__} has no dask form"):
            draw(djs)
    with pytest.raises(UnsupportedBackendError, match=r"^report has no dask form"):
        jm.report(djs, tmp_path / "report.html")
    with pytest.raises(UnsupportedBackendError, match=r"^triage has no dask form"):
        jm.triage(djs)


def test_aggregates_need_scores_and_dask_journeys(log: EventLog) -> None:
    djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=2))
    with pytest.raises(jm.SchemaError, match=r"^touchpoint_summary needs emotion columns: run journeymap\.score\(js\) first"):
        jmd.touchpoint_summary(djs)  # as on one machine (jm.score scores a DaskJourneySet on the cluster)
    with pytest.raises(TypeError, match="needs a DaskJourneySet"):
        jmd.journey_graph(log)  # type: ignore[arg-type]
    with pytest.raises(jm.SchemaError, match="needs a 'text' column"):
        jmd.score(djs.events.drop(columns="text"), cache=False)


# --------------------------------------------------------------------------- partials


@settings(max_examples=30)
@given(
    values=st.lists(st.floats(-1, 1, allow_nan=False, width=32), min_size=1, max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=5),
    seed=st.integers(0, 10),
)
def test_group_moments_merge_in_any_split(values: list[float], cuts: list[int], seed: int) -> None:
    n = len(values)
    rows = pd.DataFrame(
        {
            "key": "a",
            "value": np.asarray(values, dtype=np.float64),
            "negative": np.asarray(values) < -0.25,
            "positive": np.asarray(values) > 0.25,
            "label": np.where(np.asarray(values) > 0, "joy", "anger"),
            "start": np.arange(n) // 3,
            "journey_id": [f"j{i // 3:03d}" for i in range(n)],
            "step": np.arange(n) % 3 + 1,
            # customers of several journeys, whose journeys fall in several chunks
            "unit": [f"c{(i // 3) % 4}" for i in range(n)],
        }
    )
    bounds = sorted({0, n, *(c for c in cuts if c < n)})
    # Merge the chunks in reverse order, to show the order of the merge does not matter.
    chunks = [GroupMoments.of(rows.iloc[a:b]) for a, b in itertools.pairwise(bounds)][::-1]
    merged = chunks[0]
    for other in chunks[1:]:
        merged = merged.merge(other)
    assert merged.count("a") == n
    assert math.isclose(merged.mean("a"), float(np.mean(values)), rel_tol=1e-9, abs_tol=1e-12)
    interval = MeanInterval(seed=seed)
    assert merged.estimate("a", interval) == interval(rows["value"].to_numpy(), rows["unit"].to_numpy())
    assert merged.count("a", "neg") == int(rows["negative"].sum())


def test_group_moments_large_groups_use_the_normal_interval() -> None:
    rng = np.random.default_rng(0)
    values = rng.uniform(-1, 1, BOOTSTRAP_MAX_N + 500)
    rows = pd.DataFrame({"key": "a", "value": values, "negative": False, "positive": False, "label": "joy"})
    # one value per customer; customers of four values; and customers whose journeys (of two
    # values each) lie in both partitions, as a returning customer's threads can
    for size, customer in ((1, lambda j: j), (4, lambda j: j), (2, lambda j: j % 700)):
        journeys = np.arange(len(values)) // size
        rows = rows.assign(start=journeys, journey_id=[f"j{j:05d}" for j in journeys], step=1)
        rows["unit"] = [f"c{customer(j):05d}" for j in journeys]
        half = len(rows) // 2 // size * size  # a journey lies in one partition, as build_journeys partitions them
        merged = GroupMoments.of(rows.iloc[:half]).merge(GroupMoments.of(rows.iloc[half:]))
        assert merged.samples.empty  # the values are not kept once the group is too large to bootstrap
        got, expected = merged.estimate("a", MeanInterval()), MeanInterval()(values, rows["unit"].to_numpy())
        assert all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(got, expected)), size
        assert got != MeanInterval()(values, rows["journey_id"].to_numpy()) or size != 2  # customers, not journeys


@settings(max_examples=30)
@given(durations=st.lists(st.integers(0, 50), min_size=1, max_size=40), cut=st.integers(0, 40))
def test_median_from_duration_counts_is_exact(durations: list[int], cut: int) -> None:
    def partial(ds: list[int]) -> NodeStats:
        index = pd.MultiIndex.from_tuples([("a", "b", float(d)) for d in ds], names=["src", "dst", "dt"])
        seconds = pd.Series(1, index=index, dtype=np.int64).groupby(level=[0, 1, 2]).sum()
        columns = ["key", "value", "negative", "positive", "label", "start", "journey_id", "step", "unit"]
        empty = GroupMoments.of(pd.DataFrame(columns=columns))
        return NodeStats(pd.DataFrame(), empty, pd.DataFrame(), seconds, 0, 0.0)

    merged = partial(durations[:cut]).merge(partial(durations[cut:])) if 0 < cut < len(durations) else partial(durations)
    assert merged.median_seconds()[("a", "b")] == float(np.median(durations))


# --------------------------------------------------------------------------- a real cluster of 2 worker processes


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    distributed = pytest.importorskip("distributed")
    mp = pytest.MonkeyPatch()
    # Worker processes find the fake plugin through sys.path, as installed plugins would be found.
    mp.syspath_prepend(str(PLUGIN))
    mp.setenv("PYTHONPATH", str(PLUGIN))
    refresh()
    cache_dir = tmp_path_factory.mktemp("worker-cache")
    try:
        # ":0": a free port for the dashboard (None falls back to 8787, and another run on the machine
        # holding it makes distributed warn, which the suite turns into an error)
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            env={"JOURNEYMAP_CACHE_DIR": str(cache_dir), "HF_HUB_OFFLINE": "1"},
        )
        with distributed.Client(cluster) as c:
            yield c
        cluster.close()
    finally:  # the fake plugin must leave sys.path even if the cluster did not start (the registry tests read it)
        mp.undo()
        refresh()


def test_cluster_flow_equals_single_machine(client, log: EventLog, tmp_path: Path) -> None:
    import fake_scorer_plugin

    single = jm.score(jm.build_journeys(log), "slow", cache=False)
    djs = jmd.score(jmd.build_journeys(jmd.from_pandas(log, npartitions=6)), "slow", cache=tmp_path / "scores.sqlite")
    djs = djs.persist()
    pd.testing.assert_frame_equal(djs.compute().events, single.events)
    pd.testing.assert_frame_equal(jmd.touchpoint_summary(djs), jm.touchpoint_summary(single), rtol=1e-9)
    assert_graphs_equal(jmd.journey_graph(djs, level="stage"), jm.journey_graph(single, level="stage"))
    pd.testing.assert_frame_equal(jmd.time_patterns(djs), jm.time_patterns(single), rtol=1e-9)
    # The scorer was loaded once per worker process, not once per partition.
    loads = client.run(fake_scorer_plugin.loads)
    assert len(loads) == 2 and all(n == 1 for n in loads.values()), loads
    # The score cache is respected: scoring again reads every text from it.
    before = sum(client.run(fake_scorer_plugin.scored).values())
    again = jmd.score(jmd.build_journeys(jmd.from_pandas(log, npartitions=6)), "slow", cache=tmp_path / "scores.sqlite")
    pd.testing.assert_frame_equal(again.compute().events, single.events)
    assert sum(client.run(fake_scorer_plugin.scored).values()) == before


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["X1", None, "X2", None], dtype=object),  # strings with gaps: p2p made None <NA>
        pd.Series([1, "two", 3.5, None], dtype=object),  # mixed values: p2p failed the build
    ],
    ids=["strings-with-gaps", "mixed"],
)
def test_cluster_build_keeps_object_columns_as_pandas_has_them(client, column: pd.Series) -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4"],
            "customer_id": ["a", "a", "b", "b"],
            "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z", "2024-01-02T10:00:00Z", "2024-01-02T10:01:00Z"],
            "actor": ["customer", "agent", "customer", "agent"],
            "text": ["late parcel", "sorry", "refund?", "sure"],
            "thread_id": ["1", "1", "3", "3"],
            "order_ref": column,
        }
    )
    single = jm.build_journeys(jm.read_events(frame))
    for by in ("thread", "customer"):  # the default shuffle, on a distributed client
        got = jmd.build_journeys(jmd.read_events(frame, npartitions=2), by=by).compute()
        expected = single if by == "thread" else jm.build_journeys(jm.read_events(frame), by="customer")
        pd.testing.assert_frame_equal(got.events, expected.events, check_exact=True)


def test_cluster_default_model(client, log: EventLog, default_scorer) -> None:
    small = jm.datasets.service_journeys(60, seed=5)
    single = jm.score(jm.build_journeys(small), default_scorer, cache=False)  # the session's model: one load fewer
    got = jmd.score(jmd.build_journeys(jmd.from_pandas(small, npartitions=3)), cache=False).compute()
    # bfloat16 results depend slightly on the batch a text is padded with.
    emo = [c for c in single.events.columns if c.startswith("emo_")]
    np.testing.assert_allclose(got.events[emo].to_numpy(), single.events[emo].to_numpy(), atol=0.02)
    agree = (got.events["emotion"].fillna("") == single.events["emotion"].fillna("")).mean()
    assert agree >= 0.98
    assert got.events["scorer"].equals(single.events["scorer"])


def test_worker_killed_mid_scoring_loses_and_duplicates_nothing(client, log: EventLog) -> None:
    import os
    import signal
    import time

    import fake_scorer_plugin
    from distributed import wait

    single = jm.score(jm.build_journeys(log), "slow", cache=False)
    djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=8), npartitions=8).persist()
    wait(djs.events)
    before = sum(client.run(fake_scorer_plugin.calls).values())
    # Half a second per scorer call: the 8 partitions of unique texts take about 2 s on 2 workers.
    slow = fake_scorer_plugin.SlowScorer(delay=0.5)
    future = client.compute(jmd.score(djs, slow, cache=False).events)
    deadline = time.monotonic() + 60
    while sum(client.run(fake_scorer_plugin.calls).values()) == before:
        assert time.monotonic() < deadline, "scoring never started"
        time.sleep(0.02)
    busy = [worker for worker, keys in client.processing().items() if keys]
    assert busy, "no worker is scoring"
    victim = busy[0]
    pid = client.run(os.getpid, workers=[victim])[victim]
    assert not future.done()
    os.kill(pid, signal.SIGKILL)
    result = future.result(timeout=120)
    # The killed worker's tasks ran again elsewhere: every row exactly once, scored as on one machine.
    assert pid not in client.run(os.getpid).values()
    assert result.index.is_unique
    pd.testing.assert_frame_equal(result.sort_index(), single.events.sort_index())


def test_touchpoint_summary_with_empty_partitions_matches_memory() -> None:
    # twenty partitions for five customers' journeys: most partitions hold no customer step
    from journeymap.testing.data import planted_scores

    log = jm.datasets.service_journeys(5, seed=1)
    djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=2), npartitions=20)
    djs = djs.with_events(djs.events.map_partitions(planted_scores, noise=0.0))  # noise 0: the same scores in any partition
    local = jm.touchpoint_summary(planted_scores(jm.build_journeys(log), noise=0.0))
    pd.testing.assert_frame_equal(jmd.touchpoint_summary(djs), local, check_exact=False, atol=1e-9)


def test_score_keeps_the_events_index_name(log: EventLog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGIN))
    refresh()
    try:
        events = log.events.rename_axis("row")
        single = jm.score(events, "lexicon", cache=False)
        import dask.dataframe as dd

        scored = jmd.score(dd.from_pandas(events, npartitions=3), "lexicon", cache=False).compute()
        assert scored.index.name == single.index.name == "row"
    finally:
        refresh()


def test_read_events_on_a_cluster_keeps_the_warnings() -> None:
    df = pd.DataFrame(
        {
            "event_id": list("abcd"),
            "customer_id": list("xxyy"),
            "timestamp": [1507704944, 1507704945, 1507704946, 1507704947],
            "in_reply_to": [None, "a", "zzz", None],
            "text": list("wxyz"),
        }
    )
    local = jm.read_events(df, on_error="collect")
    assert len(local.warnings) == 1
    pd.testing.assert_frame_equal(jmd.read_events(df, on_error="collect", npartitions=2).compute().warnings, local.warnings)
    pd.testing.assert_frame_equal(jmd.from_pandas(local, npartitions=2).compute().warnings, local.warnings)


def test_repartitioned_events_are_refused_as_journeys() -> None:
    djs = jmd.build_journeys(jmd.from_pandas(jm.datasets.service_journeys(20, seed=0), npartitions=2), npartitions=3)
    with pytest.raises(ValueError, match="a repartition can split a journey"):
        djs.with_events(djs.events.repartition(npartitions=5))


def test_a_duplicate_whose_first_copy_is_rejected_is_kept_as_on_one_machine() -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["a", "a", "b", "a"],
            "customer_id": "c",
            "timestamp": ["garbage", "2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z"],
        }
    )
    single = jm.read_events(frame, on_error="collect")
    got = jmd.read_events(dd.from_pandas(frame, npartitions=2), on_error="collect")
    assert got.events.compute()["event_id"].tolist() == single.events["event_id"].tolist() == ["a", "b"]
    assert got.rejects.compute()["reason"].tolist() == single.rejects["reason"].tolist()
    assert "first seen at row 1" in single.rejects["reason"].iloc[1]
    # a rejected copy after the first usable one is a duplicate too, on both
    frame = pd.DataFrame(
        {
            "event_id": ["x", "y", "x", "y", "x", "z"],
            "customer_id": "c",
            "timestamp": ["2024-01-01T00:00:00Z", "bad"] + ["2024-01-01T00:00:00Z"] * 2 + ["bad", "2024-01-01T00:00:00Z"],
        }
    )
    single = jm.read_events(frame, on_error="collect").rejects
    got = jmd.read_events(dd.from_pandas(frame, npartitions=3), on_error="collect").rejects.compute()
    assert (
        got[["row", "column", "reason"]].reset_index(drop=True).equals(single[["row", "column", "reason"]].reset_index(drop=True))
    )
    assert (single["row"] == 4).sum() == 2


def test_a_named_index_is_read_as_on_one_machine() -> None:
    frame = pd.DataFrame(
        {"event_id": ["e1", "e2", "e3"], "customer_id": "c", "timestamp": ["2024-01-01T00:00:00Z"] * 3}
    ).set_index("event_id")
    single = jm.read_events(frame).events["event_id"].tolist()
    assert jmd.read_events(frame).events.compute()["event_id"].tolist() == single == ["e1", "e2", "e3"]
    assert jmd.read_events(dd.from_pandas(frame, npartitions=2)).events.compute()["event_id"].tolist() == single


def test_a_valence_of_ones_own_without_labels_works_on_the_cluster(log: EventLog) -> None:
    events = log.events.copy()
    events["valence"] = np.where(events["actor"] == "customer", 0.3, np.nan)
    djs = jmd.build_journeys(jmd.from_pandas(jm.read_events(events), npartitions=2))
    summary = jmd.touchpoint_summary(djs)
    assert summary["mean_valence"].notna().all() and len(summary) > 0
    assert jmd.journey_graph(djs).number_of_nodes() > 0


def test_worker_scorers_take_options_that_are_lists(tmp_path: Path) -> None:
    from journeymap.distributed.scoring import clear_scorers, worker_scorer

    from .test_scorers import tiny_model

    folder = tiny_model(tmp_path / "sentiment", ["negative", "neutral", "positive"], None)
    spec = (str(folder), (("languages", ["es", "pt"]),))
    scorer = worker_scorer(spec)  # a list in the options made the cache key unhashable
    assert worker_scorer(spec) is scorer and tuple(scorer.languages) == ("es", "pt")
    clear_scorers()


def test_the_cluster_says_which_own_columns_it_keeps(log: EventLog, caplog: pytest.LogCaptureFixture) -> None:
    class Words:
        id, taxonomy = "words.v1", jm.Taxonomy.sentiment()

        def score(self, texts: list[str]) -> np.ndarray:
            good = np.array([("thank" in t) for t in texts], dtype=np.float32)
            return np.stack([good, 1 - good, 0 * good, 0 * good], axis=1)

    events = log.events.assign(lang="en")
    djs = jmd.build_journeys(jmd.from_pandas(jm.read_events(events), npartitions=2))
    with caplog.at_level("WARNING", logger="journeymap.emotions.score"):
        scored = jmd.score(djs, Words(), cache=False).compute()
    assert "the input's own columns ['lang'] are kept as ['lang_input']" in caplog.text
    assert "lang_input" in scored.events.columns


def test_a_scorer_object_that_cannot_be_pickled_the_same_way_twice_still_scores(log: EventLog) -> None:
    # dask names tasks by a token of their arguments; a scorer object was tokenized by pickling
    # it, so one holding a lock (or a class whose pickle follows hash randomisation) was refused
    class Locked:
        id, taxonomy = "locked.v1", jm.Taxonomy.sentiment()

        def __init__(self) -> None:
            self.lock = threading.Lock()

        def score(self, texts: list[str]) -> np.ndarray:
            good = np.array([("thank" in t) for t in texts], dtype=np.float32)
            return np.stack([good, 1 - good, 0 * good, 0 * good], axis=1)

    # a lock cannot travel to worker processes (a module fixture may have started a cluster):
    # this checks the graph-naming step, on local threads
    import dask

    with dask.config.set({"scheduler": "threads", "dataframe.shuffle.method": "tasks"}):
        djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=2))
        scored = jmd.score(djs, Locked(), cache=False).compute()
    texts = scored.events.loc[scored.events["valence"].notna(), "text"]
    assert len(texts) > 0
    assert (scored.events.loc[texts.index, "emo_positive"] == texts.str.contains("thank").astype(float)).all()


def test_in_memory_only_methods_say_to_compute_first(log: EventLog) -> None:
    djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=2))
    for call in (lambda: "x" in djs, lambda: len(djs), lambda: djs.select(["x"]), lambda: djs.equals(djs), lambda: djs["x"]):
        with pytest.raises(jm.UnsupportedBackendError, match=r"call .compute\(\) on the DaskJourneySet"):
            call()
    assert djs  # truth does not need the cluster


def test_score_takes_the_same_progress_argument_on_both(log: EventLog) -> None:
    class Words:
        id, taxonomy = "words.v1", jm.Taxonomy.sentiment()

        def score(self, texts: list[str]) -> np.ndarray:
            good = np.array([("thank" in t) for t in texts], dtype=np.float32)
            return np.stack([good, 1 - good, 0 * good, 0 * good], axis=1)

    import dask

    with dask.config.set({"scheduler": "threads", "dataframe.shuffle.method": "tasks"}):  # a module fixture may run a cluster
        djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=2))
        scored = jm.score(djs, Words(), cache=False, progress=False)  # before: TypeError on 'progress'
        assert scored.compute().events["valence"].notna().any()


def test_dask_time_patterns_reads_tz_as_on_one_machine(scored_pair: tuple[jm.JourneySet, jmd.DaskJourneySet]) -> None:
    import datetime as dt

    single, djs = scored_pair
    pd.testing.assert_frame_equal(jmd.time_patterns(djs, tz=None), jm.time_patterns(single, tz=None))
    pd.testing.assert_frame_equal(jmd.time_patterns(djs, tz=dt.timezone.utc), jm.time_patterns(single))
    with pytest.raises(jm.InvalidArgumentError, match="tz='Mars/Base'"):
        jmd.time_patterns(djs, tz="Mars/Base")  # before: an error from inside the cluster's tasks


def test_the_zone_the_events_were_read_in_goes_with_the_dask_journeys(tmp_path: Path) -> None:
    # read_events(tz=) sets the time figures' default zone on one machine: on the cluster too
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "timestamp": ["2024-02-06 09:00", "2024-02-06 23:30", "2024-02-07 08:00"],
            "actor": "customer",
            "text": ["hi", "late", "again"],
        }
    )
    path = tmp_path / "events.csv"
    frame.to_csv(path, index=False)
    dlog = jmd.read_events(str(path), tz="America/New_York", npartitions=1)
    djs = jmd.build_journeys(dlog, by="customer")
    assert str(dlog.tz) == str(djs.tz) == "America/New_York"
    assert str(dlog.compute().tz) == str(djs.compute().tz) == "America/New_York"

    def hand_scores(part: pd.DataFrame) -> pd.DataFrame:
        return part.assign(
            valence=np.float32(-0.5),
            sentiment=pd.array(["negative"] * len(part), dtype="string"),
            emotion=pd.array(["anger"] * len(part), dtype="string"),
            scorer="hand",
        )

    scored = djs.with_events(djs.events.map_partitions(hand_scores))
    patterns = jmd.time_patterns(scored)  # hours in New York by default, as on one machine
    assert patterns.loc[("Tuesday", 9), "volume"] == 1 and patterns.loc[("Tuesday", 23), "volume"] == 1
    one = jm.build_journeys(jm.read_events(frame, tz="America/New_York"), by="customer")
    pd.testing.assert_frame_equal(patterns, jm.time_patterns(one.with_events(hand_scores(one.events))))


def test_a_message_without_text_says_so_on_the_cluster_too() -> None:
    mp = pytest.MonkeyPatch()
    mp.syspath_prepend(str(PLUGIN))
    refresh()
    events = pd.DataFrame(
        {
            "event_id": [str(i) for i in range(6)],
            "customer_id": ["a", "a", "a", "b", "b", "b"],
            "timestamp": pd.date_range("2024-01-01", periods=6, freq="h", tz="UTC"),
            "actor": ["customer", "agent", "customer"] * 2,
            "text": ["terrible service", "sorry", "", "thanks, great", None, "   "],
        }
    )
    try:
        log = jm.read_events(events)
        single = jm.score(jm.build_journeys(log, by="customer"), "lexicon", cache=False)
        djs = jmd.score(jmd.build_journeys(jmd.from_pandas(log, npartitions=2), by="customer"), "lexicon", cache=False)
        got = djs.compute().events
    finally:
        mp.undo()
        refresh()
    assert int((single.events["score_note"] == "no text").sum()) == 2
    pd.testing.assert_frame_equal(got, single.events)
