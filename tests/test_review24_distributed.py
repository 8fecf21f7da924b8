"""Review 24 (rv61 mutation review) of the Dask path: the figures, rows and rejects equal the in-memory ones.

Each test names the mutant of ``journeymap/distributed`` it kills and the rule it pins. The dask work runs on the
synchronous scheduler, with planted scores (never the model).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")

import dask  # noqa: E402

import journeymap as jm  # noqa: E402
import journeymap.distributed as jmd  # noqa: E402
from journeymap.analytics._stats import BOOTSTRAP_MAX_N, MeanInterval  # noqa: E402
from journeymap.distributed._partials import GroupMoments  # noqa: E402
from journeymap.emotions.taxonomy import Taxonomy  # noqa: E402
from journeymap.testing.data import planted_scores  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Sequence

    import networkx as nx


@pytest.fixture(autouse=True)
def _synchronous() -> object:
    with dask.config.set(scheduler="synchronous"):
        yield


def _planted(djs: jmd.DaskJourneySet) -> jmd.DaskJourneySet:
    """Planted scores per partition, without noise: a row's scores do not depend on its partition."""
    return djs.with_events(djs.events.map_partitions(planted_scores, noise=0.0))


@pytest.fixture(scope="module")
def many_parts() -> jmd.DaskJourneySet:
    """60 journeys in ten partitions: more than the eight partials a task of the tree reduction merges."""
    with dask.config.set(scheduler="synchronous"):
        djs = jmd.build_journeys(jmd.from_pandas(jm.datasets.service_journeys(60, seed=2), npartitions=3), npartitions=10)
        return _planted(djs).persist()


# --------------------------------------------------------------------------- tree reduction over many partitions


def test_more_partitions_than_one_merge_takes_lose_nothing(many_parts: jmd.DaskJourneySet) -> None:
    # mutant A5 (aggregates.tree_reduce merging level[i : i + split_every - 1]): with more than 8 partitions a
    # partial is dropped at each level; every figure must still count every partition's rows
    local = many_parts.compute()
    assert many_parts.npartitions == 10
    sizes = many_parts.events.map_partitions(len).compute().tolist()
    assert sum(1 for s in sizes if s) >= 9  # the partitions after the eighth hold journeys
    pd.testing.assert_frame_equal(jmd.touchpoint_summary(many_parts), jm.touchpoint_summary(local), check_exact=False, atol=1e-9)
    pd.testing.assert_frame_equal(jmd.time_patterns(many_parts), jm.time_patterns(local), check_exact=False, atol=1e-9)
    graph, expected = jmd.journey_graph(many_parts), jm.journey_graph(local)
    assert graph.graph == expected.graph
    assert {n: graph.nodes[n]["volume"] for n in graph} == {n: expected.nodes[n]["volume"] for n in expected}
    assert {e: graph.edges[e]["count"] for e in graph.edges} == {e: expected.edges[e]["count"] for e in expected.edges}


# --------------------------------------------------------------------------- the bootstrap boundary


def _rows(n: int, *, customers: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    values = np.round(rng.uniform(-1, 1, n), 3)
    journeys = np.arange(n) // 2
    return pd.DataFrame(
        {
            "key": "a",
            "value": values,
            "negative": values < -0.25,
            "positive": values > 0.25,
            "label": np.where(values > 0, "joy", "anger"),
            "start": journeys,
            "journey_id": [f"j{j:05d}" for j in journeys],
            "step": np.arange(n) % 2 + 1,
            "unit": [f"c{j % customers:05d}" for j in journeys],
        }
    )


def test_a_group_of_exactly_the_bootstrap_limit_is_bootstrapped_in_one_partial() -> None:
    # mutant P5 (GroupMoments.of keeping samples only below BOOTSTRAP_MAX_N): a group of exactly the limit is
    # bootstrapped on one machine (n <= BOOTSTRAP_MAX_N), so its values must be kept
    rows = _rows(BOOTSTRAP_MAX_N, customers=BOOTSTRAP_MAX_N)
    moments = GroupMoments.of(rows)
    assert len(moments.samples) == BOOTSTRAP_MAX_N
    interval = MeanInterval(seed=1)
    assert moments.estimate("a", interval) == interval(rows["value"].to_numpy(), rows["unit"].to_numpy())


def test_a_group_that_reaches_the_bootstrap_limit_when_merged_keeps_its_values() -> None:
    # mutant P4 (GroupMoments.merge keeping samples only below BOOTSTRAP_MAX_N): two partials that together hold
    # exactly the limit are bootstrapped, as one machine bootstraps the whole group
    rows = _rows(BOOTSTRAP_MAX_N, customers=BOOTSTRAP_MAX_N)
    half = BOOTSTRAP_MAX_N // 2
    merged = GroupMoments.of(rows.iloc[half:]).merge(GroupMoments.of(rows.iloc[:half]))
    assert len(merged.samples) == BOOTSTRAP_MAX_N
    interval = MeanInterval(seed=2)
    got, expected = merged.estimate("a", interval), interval(rows["value"].to_numpy(), rows["unit"].to_numpy())
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(got, expected, strict=True))


# --------------------------------------------------------------------------- rejects at block boundaries


def test_a_reject_on_the_first_row_of_a_block_is_listed_once() -> None:
    # mutant E2 (_read_events handing a block the reply rejects of row offset + length, the next block's first row):
    # every input row is in events or rejects once, as on one machine
    frame = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(6)],
            "customer_id": "c",
            "timestamp": [f"2024-01-01T00:0{i}:00Z" for i in range(6)],
            "in_reply_to": [None, "e1", "e2", "e3", "e4", "e5"],  # every row but the first replies to itself
        }
    )
    single = jm.read_events(frame, on_error="collect")
    log = jmd.read_events(frame, on_error="collect", npartitions=3).compute()
    assert log.rejects["row"].tolist() == single.rejects["row"].tolist() == [1, 2, 3, 4, 5]
    pd.testing.assert_frame_equal(log.rejects, single.rejects)
    assert len(log.events) + log.rejects["row"].nunique() == log.n_input == 6


# --------------------------------------------------------------------------- counts added over partitions


def test_unscored_customer_messages_are_counted_over_every_partition(many_parts: jmd.DaskJourneySet) -> None:
    # mutant P16 (SummaryStats.merge keeping the later partial's unscored count of a key instead of the sum): the
    # touchpoint summary's count of unscored customer messages adds up the partitions, as one machine counts them
    def unscore_some(part: pd.DataFrame) -> pd.DataFrame:
        out = part.copy()
        customer = (out["actor"].astype("string") == "customer").to_numpy(dtype=bool)
        out.loc[customer & (out["step"].to_numpy() % 3 == 1), "valence"] = np.nan  # a language no scorer read, say
        return out

    djs = many_parts.with_events(many_parts.events.map_partitions(unscore_some))
    local = djs.compute()
    got, expected = jmd.touchpoint_summary(djs), jm.touchpoint_summary(local)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, atol=1e-9)
    # mutant R16 (HourStats counting every customer message as scored): the hours' share negative and mean valence
    # are over the scored messages only
    pd.testing.assert_frame_equal(jmd.time_patterns(djs), jm.time_patterns(local), check_exact=False, atol=1e-9)
    unscored = [c for c in expected.columns if "unscored" in c]
    assert unscored and expected[unscored[0]].sum() > djs.npartitions  # messages left unscored in many partitions


# --------------------------------------------------------------------------- options passed through


def test_build_journeys_gives_the_partitions_asked_for() -> None:
    # mutant J9 (build_journeys ignoring npartitions in its shuffle): the journeys come in npartitions partitions
    log = jm.datasets.service_journeys(20, seed=0)
    djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=2), npartitions=5)
    assert djs.npartitions == djs.events.npartitions == 5
    assert djs.compute().equals(jm.build_journeys(log))


def test_from_pandas_keeps_the_zone_the_log_was_read_in() -> None:
    # mutant E13 (from_pandas dropping EventLog.tz): the dask log, its journeys and their time figures read hours
    # in the zone the events were read in, as the in-memory journeys do
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "timestamp": ["2024-02-06 09:00", "2024-02-06 23:30", "2024-02-07 08:00"],
            "actor": "customer",
            "text": ["hi", "late", "again"],
            "valence": [-0.5, 0.5, 0.0],
        }
    )
    log = jm.read_events(frame, tz="America/New_York")
    dlog = jmd.from_pandas(log, npartitions=2)
    assert str(dlog.tz) == str(dlog.compute().tz) == "America/New_York"
    djs = jmd.build_journeys(dlog, by="customer")
    assert str(djs.compute().tz) == "America/New_York"
    # mutants R20 (DaskEventLog.persist dropping tz) and R21 (DaskJourneySet.with_events dropping tz): persisted
    # logs and journeys, and journeys with new columns, keep the zone
    assert str(dlog.persist().tz) == str(djs.persist().tz) == "America/New_York"
    djs = djs.with_events(djs.events.assign(channel="web"))
    patterns = jmd.time_patterns(djs)
    assert patterns.loc[("Tuesday", 23), "volume"] == 1  # 23:30 in New York, not 04:30 on Wednesday in UTC
    pd.testing.assert_frame_equal(patterns, jm.time_patterns(jm.build_journeys(log, by="customer")))


def test_read_events_keeps_a_tz_aware_columns_own_zone() -> None:
    # mutant E9 (read_events' DaskEventLog.tz only from tz=): without tz= a tz-aware column gives its own zone,
    # as on one machine
    times = pd.to_datetime(["2024-02-06 09:00", "2024-02-06 23:30", "2024-02-07 08:00"]).tz_localize("Europe/Berlin")
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "timestamp": times, "actor": "customer", "text": ["x", "y", "z"]})
    single = jm.read_events(frame)
    dlog = jmd.read_events(frame, npartitions=2)
    assert str(single.tz) == "Europe/Berlin"
    assert str(dlog.tz) == str(dlog.compute().tz) == str(single.tz)


# --------------------------------------------------------------------------- scoring with a tiny scorer


class _Tiny:
    """A two-label scorer of its own taxonomy: a text's scores follow its length (deterministic, no model)."""

    id = "rv61.tiny.v1"
    taxonomy = Taxonomy(name="tiny", labels=["glad", "sad"], valence={"glad": 0.8, "sad": -0.8})

    def score(self, texts: Sequence[str]) -> np.ndarray:
        glad = np.array([(len(t) % 7) / 7 for t in texts], dtype=np.float32)
        return np.stack([glad, 1 - glad], axis=1).astype(np.float32)


def test_scores_with_a_scorer_of_its_own_taxonomy_equal_the_in_memory_ones() -> None:
    # mutant J12 (DaskJourneySet.with_events dropping the taxonomy given): the scored journeys keep the scorer's
    # taxonomy (not one guessed from the labels), so they equal the in-memory scored journeys;
    # mutant S2 (score without the drop_duplicates of the texts): a text said in several journeys is scored once
    # and joined to each of its rows, no row doubled; mutant S3 (_restore writing the notes on the other rows):
    # only the messages without text say "no text"
    events = jm.datasets.service_journeys(15, seed=4).events
    customer = (events["actor"] == "customer").to_numpy()
    # texts repeated in several journeys (so in several partitions), and messages without text
    said = np.array(["still waiting", "thanks a lot", "", "still waiting", "why?"], dtype=object)
    events.loc[customer, "text"] = said[np.arange(int(customer.sum())) % len(said)]
    log = jm.read_events(events)
    djs = jmd.score(jmd.build_journeys(jmd.from_pandas(log, npartitions=3), npartitions=3), _Tiny(), cache=False)
    single = jm.score(jm.build_journeys(log), _Tiny(), cache=False)
    got = djs.compute()
    assert djs.taxonomy is not None and djs.taxonomy.name == "tiny"
    assert got.taxonomy == single.taxonomy == _Tiny.taxonomy
    pd.testing.assert_frame_equal(got.events, single.events)
    assert (got.events["score_note"] == "no text").sum() == len(range(2, int(customer.sum()), len(said)))  # the "" ones


# --------------------------------------------------------------------------- build: whole-input facts


def test_the_stage_hint_is_given_when_any_partition_holds_a_stage_of_the_sources_own() -> None:
    # mutant J10 (_warn_replaced: the input's stages are journeymap's own where ANY partition's are, not ALL): a
    # source stage found in one partition only still gets the single-machine hint about StageModel.from_column
    import warnings

    events = jm.build_journeys(jm.datasets.service_journeys(12, seed=0)).events.copy()
    first = events["journey_id"] == events["journey_id"].iloc[0]
    events["stage"] = events["stage"].astype(object)
    events.loc[first, "stage"] = "browsing"  # one journey, so one partition, has a stage of the source's own
    relog = jm.read_events(events)
    with pytest.warns(UserWarning, match="StageModel.from_column") as single:
        jm.build_journeys(relog)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        jmd.build_journeys(jmd.from_pandas(relog, npartitions=3), npartitions=4)
    assert [str(w.message) for w in seen] == [str(single[0].message)]


def test_a_reply_stamped_before_its_message_steps_after_it() -> None:
    # mutant J13 (_with_reply_depth giving each event its own timestamp as step time): a reply whose clock ran
    # behind its parent's still comes after it, as on one machine
    t0 = pd.Timestamp("2024-03-01 10:00", tz="UTC")
    frame = pd.DataFrame(
        {
            "event_id": ["a1", "a2", "a3", "b1", "b2"],
            "customer_id": ["u", "u", "u", "v", "v"],
            "actor": ["customer", "agent", "customer", "customer", "agent"],
            "timestamp": [t0, t0 - pd.Timedelta(minutes=5), t0 + pd.Timedelta(minutes=1), t0, t0 - pd.Timedelta(seconds=30)],
            "in_reply_to": [None, "a1", "a2", None, "b1"],
            "thread_id": ["a1", "a1", "a1", "b1", "b1"],
            "text": ["help", "on it", "thanks", "hello", "hi"],
        }
    )
    log = jm.read_events(frame)
    single = jm.build_journeys(log)
    order = single.events["event_id"].tolist()
    assert order.index("a1") < order.index("a2") and order.index("b1") < order.index("b2")  # parents first, on one machine
    for by in ("thread", "customer"):
        got = jmd.build_journeys(jmd.from_pandas(log, npartitions=2), by=by, npartitions=2).compute()
        pd.testing.assert_frame_equal(got.events, jm.build_journeys(log, by=by).events)


class _Calibrated:
    """A sentiment scorer that says the shares it was calibrated at: customer messages read with the service prior move."""

    id = "rv61.calibrated.v1"
    taxonomy = Taxonomy.sentiment()
    outputs = ("sentiment_negative", "sentiment_neutral", "sentiment_positive")
    sentiment_prior = (0.32, 0.49, 0.19)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return self.score_outputs(texts)[:, :4]

    def score_outputs(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.float32([0.3, 0.3, 0.1, 0.3, 0.3, 0.4, 0.3]), (len(texts), 1))


def test_the_service_prior_is_chosen_when_any_partition_holds_a_brand_message() -> None:
    # mutant S5 (_reads_as_service asking every partition for a brand message, not any): prior="auto" reads the
    # customers with the service prior as soon as the data holds a brand message, whichever partition it is in
    t0 = pd.Timestamp("2024-03-01 10:00", tz="UTC")
    frame = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(6)],
            "customer_id": ["u", "u", "u", "v", "v", "v"],
            "actor": ["customer", "customer", "customer", "customer", "agent", "customer"],
            "timestamp": [t0 + pd.Timedelta(minutes=i) for i in range(6)],
            "text": ["late again", "still late", "hello?", "my card", "thanks", "thanks"],
        }
    )
    events = jm.read_events(frame).events
    parts = dd.from_pandas(events, npartitions=2, sort=False)
    assert not parts.partitions[0].compute()["actor"].astype("string").eq("agent").any()  # no brand message there
    single = jm.score(events, _Calibrated(), cache=False)
    got = jmd.score(parts, _Calibrated(), cache=False).compute()
    pd.testing.assert_frame_equal(got, single)
    # mutant S8 (_score_unique reading the brand's texts as the customer's): with agents=True the brand's message,
    # the same text as a customer's, is read without the service prior, as on one machine
    both = jm.score(events, _Calibrated(), cache=False, agents=True)
    pd.testing.assert_frame_equal(jmd.score(parts, _Calibrated(), cache=False, agents=True).compute(), both)
    assert both["valence"].iloc[4] != both["valence"].iloc[5]  # one text, two readings
    none = jm.score(events, _Calibrated(), cache=False, prior="none")
    assert not np.allclose(single["valence"].dropna(), none["valence"].dropna())  # the prior moves these scores


# --------------------------------------------------------------------------- nodes missing from some partitions


def _same_graph(g: nx.DiGraph, h: nx.DiGraph) -> None:
    assert g.graph == h.graph
    assert list(g.nodes) == list(h.nodes) and list(g.edges) == list(h.edges)
    for ours, theirs in ((g.nodes, h.nodes), (g.edges, h.edges)):
        for item in ours:
            for key, value in ours[item].items():
                other = theirs[item][key]
                if isinstance(value, float):
                    assert math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(value) and math.isnan(other))
                else:
                    assert value == other, (item, key, value, other)


def test_a_graph_over_partitions_that_miss_some_nodes_equals_the_in_memory_one() -> None:
    # mutant P18 (NodeStats.merge adding the node tables without fill_value): a node that some partition lacks
    # (an empty partition lacks them all) keeps its volume, rank and unscored count; mutant P11 (NodeStats.merge
    # keeping the smaller max_rank): the graph's max_rank is the largest stage code of all partitions, not an
    # empty partition's -inf
    djs = _planted(jmd.build_journeys(jmd.from_pandas(jm.datasets.service_journeys(6, seed=1), npartitions=2), npartitions=12))
    local = djs.compute()
    assert 0 in djs.events.map_partitions(len).compute().tolist()  # some partitions hold no journey
    for level in ("touchpoint", "stage"):
        _same_graph(jmd.journey_graph(djs, level=level), jm.journey_graph(local, level=level))


def test_with_agents_a_message_of_a_missing_actor_is_read_and_not_noted() -> None:
    # mutant R10 (_texts_to_score noting the actor of every row, agents=True too): with agents=True every message
    # with text is read whoever wrote it, so a missing actor is no score_note, as on one machine
    t0 = pd.Timestamp("2024-03-01 10:00", tz="UTC")
    frame = pd.DataFrame(
        {
            "event_id": ["e0", "e1", "e2", "e3"],
            "customer_id": ["u", "u", "v", "v"],
            "actor": ["customer", None, "customer", "agent"],
            "timestamp": [t0 + pd.Timedelta(minutes=i) for i in range(4)],
            "text": ["late again", "who wrote this", "my card", "on it"],
        }
    )
    events = frame.astype({"actor": "string"})  # not read_events: it rejects a missing actor
    single = jm.score(events, _Tiny(), cache=False, agents=True)
    got = jmd.score(dd.from_pandas(events, npartitions=2, sort=False), _Tiny(), cache=False, agents=True).compute()
    added = [c for c in single.columns if c not in frame.columns]  # the score columns (dask keeps its own string dtype)
    assert "score_note" in added
    pd.testing.assert_frame_equal(got[added], single[added])
    assert single["valence"].notna().all() and single["score_note"].isna().all()


def test_a_persisted_log_keeps_its_rows_rejects_and_warnings() -> None:
    # mutant R22 (DaskEventLog.persist dropping the warnings): persisting changes nothing that compute gives
    df = pd.DataFrame(
        {
            "event_id": list("abcde"),
            "customer_id": list("xxyyz"),
            "timestamp": [1507704944, 1507704945, "soon", 1507704947, 1507704948],
            "in_reply_to": [None, "a", None, "zzz", None],  # "zzz" is not in the data: a warning
            "text": list("vwxyz"),
        }
    )
    local = jm.read_events(df, on_error="collect")
    assert len(local.warnings) == 1 and len(local.rejects) == 1
    dlog = jmd.read_events(df, on_error="collect", npartitions=2)
    for got in (dlog.compute(), dlog.persist().compute()):
        pd.testing.assert_frame_equal(got.warnings, local.warnings)
        pd.testing.assert_frame_equal(got.rejects, local.rejects)
        assert got.events["event_id"].tolist() == local.events["event_id"].tolist() and got.n_input == local.n_input
