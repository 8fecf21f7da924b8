"""Properties: reply trees against a naive walk, timestamp round trips, row-order invariance, the score cache."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import journeymap as jm
from journeymap._threads import reply_tree
from journeymap.emotions.cache import ScoreCache
from journeymap.io._time import MS_THRESHOLD, TWITTER_FORMAT, ambiguous_hour, day_numbers, invalid_compact_time, parse_timestamps
from journeymap.schema import CANONICAL_COLUMNS, EVENT_COLUMNS, REQUIRED_COLUMNS
from journeymap.testing.data import planted_scores
from journeymap.testing.strategies import event_frames

if TYPE_CHECKING:
    import random

# --------------------------------------------------------------------------- reply trees


@st.composite
def reply_forests(draw: st.DrawFn) -> tuple[list[str], list[str | None]]:
    """Unique event ids and, per event, no parent, an event in the data (itself included:
    cycles) or an id that is not in the data (dangling). Half the time long chains, so that
    the pointer jumping needs several rounds."""
    n = draw(st.integers(0, 40))
    ids = draw(st.lists(st.text("abcxyz0123", min_size=1, max_size=4), min_size=n, max_size=n, unique=True))
    ref = st.one_of(st.none(), st.integers(0, max(n - 1, 0)).map(lambda i: ids[i] if ids else None), st.just("missing"))
    parents: list[str | None] = draw(st.lists(ref, min_size=n, max_size=n))
    if n and draw(st.booleans()):  # a chain through a random order, then a few random edits
        order = draw(st.permutations(range(n)))
        for k in range(1, n):
            parents[order[k]] = ids[order[k - 1]]
        parents[order[0]] = None
        for _ in range(draw(st.integers(0, 3))):
            parents[draw(st.integers(0, n - 1))] = draw(ref)
    return ids, parents


def naive_tree(ids: list[str], parents: list[str | None]) -> tuple[list[int], list[int], list[bool], list[bool]]:
    """Root, depth, cyclic and dangling of every event by walking up its parents one at a time."""
    position = {e: i for i, e in enumerate(ids)}
    roots, depths, cyclic, dangling = [], [], [], []
    for i in range(len(ids)):
        dangling.append(parents[i] is not None and parents[i] not in position)
        seen, node, depth = {i}, i, 0
        while parents[node] is not None and parents[node] in position:
            node = position[parents[node]]  # type: ignore[index]
            if node in seen:
                break
            seen.add(node)
            depth += 1
        else:
            roots.append(node)
            depths.append(depth)
            cyclic.append(False)
            continue
        roots.append(i)  # in, or leading into, a cycle: its own root, depth 0
        depths.append(0)
        cyclic.append(True)
    return roots, depths, cyclic, dangling


@given(reply_forests())
def test_reply_tree_matches_a_naive_walk(forest: tuple[list[str], list[str | None]]) -> None:
    ids, parents = forest
    tree = reply_tree(pd.Series(ids, dtype="string"), pd.Series(parents, dtype="string"))
    roots, depths, cyclic, dangling = naive_tree(ids, parents)
    assert tree.cyclic.tolist() == cyclic
    assert tree.dangling.tolist() == dangling
    assert tree.root.tolist() == roots
    assert tree.depth.tolist() == depths
    position = {e: i for i, e in enumerate(ids)}
    assert tree.parent.tolist() == [position.get(p, -1) if p is not None else -1 for p in parents]


def test_reply_tree_examples() -> None:
    # a <- b <- c; d -> missing; e <-> f (a cycle) and g -> e (leading into it); h replies to itself
    ids = list("abcdefgh")
    parents = [None, "a", "b", "zz", "f", "e", "e", "h"]
    tree = reply_tree(pd.Series(ids), pd.Series(parents))
    assert tree.root.tolist() == [0, 0, 0, 3, 4, 5, 6, 7]
    assert tree.depth.tolist() == [0, 1, 2, 0, 0, 0, 0, 0]
    assert tree.cyclic.tolist() == [False, False, False, False, True, True, True, True]
    assert tree.dangling.tolist() == [False, False, False, True, False, False, False, False]


# --------------------------------------------------------------------------- timestamps

#: Instants pandas can hold (nanoseconds in int64), a day inside each end so that any UTC offset fits.
LOW, HIGH = dt.datetime(1677, 9, 23), dt.datetime(2262, 4, 10)
#: Epoch seconds are read only below this magnitude (2261-07-27); see test_epoch_seconds_up_to_the_end_of_pandas_range.
SECONDS_LIMIT = 9.2e9
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
instants = st.datetimes(LOW, HIGH)  # naive: read as UTC


def utc(naive: dt.datetime) -> pd.Timestamp:
    return pd.Timestamp(naive, tz="UTC")


@st.composite
def written(draw: st.DrawFn) -> tuple[object, pd.Timestamp]:
    """An instant written one of the accepted ways, and the instant (UTC) it stands for."""
    kind = draw(st.sampled_from(["iso", "iso_offset", "iso_z", "epoch_s", "epoch_s_text", "epoch_ms", "twitter"]))
    moment = draw(instants)
    if kind == "iso":  # naive ISO 8601 is taken as UTC
        return moment.isoformat(sep=draw(st.sampled_from("T "))), utc(moment)
    if kind == "iso_z":
        return moment.isoformat() + "Z", utc(moment)
    if kind == "iso_offset":
        local = utc(moment).tz_convert(draw(offsets)).to_pydatetime()
        return local.isoformat(), utc(moment)
    seconds = (utc(moment.replace(microsecond=0)) - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    seconds = int(np.clip(seconds, -SECONDS_LIMIT + 1, SECONDS_LIMIT - 1))  # epoch values: the parser's range
    if 10**7 <= seconds < 10**8:  # eight digits may be a YYYYMMDD date (read as one, documented): move on
        seconds += 10**8
    if bool(ambiguous_hour(pd.Series([seconds])).iloc[0]):  # also YYYYMMDDhh: rejected as ambiguous (documented)
        seconds += 3 * 10**8  # 2030-2036: moved past 2100 as a compact date
    if kind in {"epoch_s", "epoch_s_text"}:
        value = pd.Timestamp(seconds, unit="s", tz="UTC")
        return (seconds if kind == "epoch_s" else str(seconds)), value
    if kind == "epoch_ms":
        ms = seconds * 1000 + moment.microsecond // 1000
        if abs(ms) < MS_THRESHOLD:  # smaller magnitudes are read as seconds (documented)
            ms = int(MS_THRESHOLD) + abs(ms)
        as_text = pd.Series([ms])
        if bool((day_numbers(as_text) | invalid_compact_time(as_text)).iloc[0]):  # YYYYMMDDhhmm digits (documented)
            ms += 3 * 10**11  # 1976-1979 in milliseconds: moved past 2100 as a compact date
        return ms, pd.Timestamp(ms, unit="ms", tz="UTC")
    local = utc(moment.replace(microsecond=0)).tz_convert(draw(offsets)).to_pydatetime()
    return local.strftime(TWITTER_FORMAT), utc(moment.replace(microsecond=0))


def same_instant(got: pd.Timestamp, expected: pd.Timestamp, written_as: object) -> bool:
    if pd.isna(got):
        return False
    if isinstance(written_as, int) and abs(written_as) >= MS_THRESHOLD:
        # Epoch milliseconds go through float seconds in journeymap.io._time: exact to 1 microsecond
        # only (see test_epoch_milliseconds_are_exact).
        return abs(got - expected) < pd.Timedelta(microseconds=1)
    return got == expected


@given(st.lists(written(), min_size=1, max_size=12), st.booleans())
def test_timestamps_round_trip(values: list[tuple[object, pd.Timestamp]], as_text: bool) -> None:
    """Every accepted way of writing an instant, mixed in one column, reads back as that instant in UTC."""
    raw = [str(v) if as_text else v for v, _ in values]
    parsed = parse_timestamps(pd.Series(raw, dtype=object))
    assert str(parsed.dtype) == "datetime64[ns, UTC]"
    for got, (value, expected), shown in zip(parsed, values, raw):
        assert same_instant(got, expected, value), (shown, got, expected)


@given(st.lists(written(), min_size=1, max_size=12))
def test_timestamps_round_trip_one_format_per_column(values: list[tuple[object, pd.Timestamp]]) -> None:
    """The same, a column per kind of value (numbers alone give a numeric column: another path)."""
    numbers = [(v, e) for v, e in values if isinstance(v, int)]
    texts = [(v, e) for v, e in values if isinstance(v, str)]
    for group, dtype in ((numbers, "int64"), (texts, "string")):
        if group:
            parsed = parse_timestamps(pd.Series([v for v, _ in group], dtype=dtype))
            for got, (value, expected) in zip(parsed, group):
                assert same_instant(got, expected, value), (value, got, expected)


def test_twitter_and_iso_examples() -> None:
    got = parse_timestamps(
        pd.Series(["Wed Oct 11 06:55:44 +0000 2017", "2017-10-11T08:55:44+02:00", "2017-10-11 06:55:44", "1507704944"])
    )
    assert got.tolist() == [pd.Timestamp("2017-10-11 06:55:44", tz="UTC")] * 4


def test_epoch_milliseconds_are_exact() -> None:
    assert parse_timestamps(pd.Series([1507704944123])).iloc[0] == pd.Timestamp("2017-10-11 06:55:44.123", tz="UTC")


def test_epoch_seconds_up_to_the_end_of_pandas_range() -> None:
    assert parse_timestamps(pd.Series([9_210_000_000])).iloc[0] == pd.Timestamp(9_210_000_000, unit="s", tz="UTC")


# --------------------------------------------------------------------------- row order


def analytics(js: jm.JourneySet) -> dict[str, pd.DataFrame]:
    return {
        "touchpoint_summary": jm.touchpoint_summary(js),
        "touchpoint_summary(stage)": jm.touchpoint_summary(js, level="stage"),
        "journey_metrics": jm.journey_metrics(js).sort_index(),
        "time_patterns": jm.time_patterns(js),
    }


@settings(max_examples=8)
@given(st.integers(1, 25), st.integers(0, 2**16), st.sampled_from(["thread", "customer"]), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(n: int, seed: int, by: str, rnd: random.Random) -> None:
    """The same events in another row order give the same journeys and, on planted scores, the same analytics."""
    events = jm.datasets.service_journeys(n, seed=seed).events.reset_index(drop=True)
    order = list(range(len(events)))
    rnd.shuffle(order)
    shuffled = events.iloc[order].reset_index(drop=True)
    a = jm.build_journeys(jm.read_events(events), by=by)  # type: ignore[arg-type]
    b = jm.build_journeys(jm.read_events(shuffled), by=by)  # type: ignore[arg-type]
    # The events come out in the same order; only the input row numbers (the index) differ.
    pd.testing.assert_frame_equal(a.events.reset_index(drop=True), b.events.reset_index(drop=True))
    assert b.events.index.tolist() == [order.index(i) for i in a.events.index]
    pd.testing.assert_frame_equal(a.journeys, b.journeys)
    scored_a, scored_b = planted_scores(a, seed=1), planted_scores(b, seed=1)
    for (name, x), y in zip(analytics(scored_a).items(), analytics(scored_b).values()):
        pd.testing.assert_frame_equal(x, y, obj=name)


def crc_scores(js: jm.JourneySet) -> jm.JourneySet:
    """Scores that follow each event's id, not its position: customers' valence from a CRC of the id."""
    import zlib

    e = js.events.copy()
    customer = (e["actor"] == "customer").to_numpy()
    v = np.asarray([(zlib.crc32(str(x).encode()) % 2001) / 1000 - 1 for x in e["event_id"]], dtype=np.float32)
    label = np.where(v < -0.25, "negative", np.where(v > 0.25, "positive", "neutral"))
    e["valence"] = np.where(customer, v, np.nan).astype(np.float32)
    e["sentiment"] = pd.array(np.where(customer, label, None), dtype="string")
    e["emotion"] = pd.array(np.where(customer, "neutral", None), dtype="string")
    e["emo_neutral"], e["scorer"] = np.float32(0.5), "crc"
    return js.with_events(e)


def service_tables(js: jm.JourneySet) -> dict[str, pd.DataFrame]:
    return {
        "response_times": jm.response_times(js),
        "reply_table": jm.reply_table(js),
        "service_levels": jm.service_levels(js),
        "triage": jm.triage(js),
        "pain_points": jm.pain_points(js),
        "journey_variants": jm.journey_variants(js),
    }


@pytest.mark.filterwarnings("ignore:build_journeys replaced the input:UserWarning")  # the frames carry a random stage
@pytest.mark.filterwarnings("ignore:.*the data holds customer messages only:UserWarning")  # a frame may hold no reply
@given(event_frames(min_rows=1), st.sampled_from(["thread", "customer"]), st.randoms(use_true_random=False))
def test_service_figures_on_messy_frames_run_and_ignore_row_order(frame: pd.DataFrame, by: str, rnd: random.Random) -> None:
    """Ties in time, several customers in a thread, brand replies to brand posts, missing texts
    or no text column: the service tables compute, and the same in any row order."""
    order = list(range(len(frame)))
    rnd.shuffle(order)
    a = crc_scores(jm.build_journeys(jm.read_events(frame), by=by))  # type: ignore[arg-type]
    b = crc_scores(jm.build_journeys(jm.read_events(frame.iloc[order].reset_index(drop=True)), by=by))  # type: ignore[arg-type]
    for (name, x), y in zip(service_tables(a).items(), service_tables(b).values()):
        keep_index = name in {"response_times", "reply_table", "triage", "pain_points"}  # ids, not row numbers
        pd.testing.assert_frame_equal(x.reset_index(drop=not keep_index), y.reset_index(drop=not keep_index), obj=name)


def test_journey_metrics_with_an_empty_channel_column() -> None:
    events = jm.datasets.service_journeys(5, seed=0).events.reset_index(drop=True)
    events["channel"] = pd.array([None] * len(events), dtype="string")  # present, never filled in
    js = planted_scores(jm.build_journeys(jm.read_events(events)))
    assert jm.journey_metrics(js)["channel_switches"].eq(0).all()


# --------------------------------------------------------------------------- score cache

#: Any code point: lone surrogates, NUL and unassigned ones included (no category excluded).
any_char = st.characters(exclude_categories=())
any_text = st.text(any_char, max_size=40)
ABSENT = "\x00not stored\ud800"


@given(
    st.lists(any_text, min_size=1, max_size=20, unique=True),
    st.one_of(st.just("demo.v1"), st.text(any_char, min_size=1, max_size=10)),
    st.integers(1, 5),
    st.data(),
)
def test_score_cache_put_then_get(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], scorer: str, k: int, data: st.DataObject
) -> None:
    cache = ScoreCache(tmp_path_factory.mktemp("cache") / "scores.sqlite")
    row = st.lists(st.floats(0, 1, width=32), min_size=k, max_size=k)
    rows = np.asarray(data.draw(st.lists(row, min_size=len(texts), max_size=len(texts))), dtype=np.float32)
    cache.put(scorer, texts, rows)
    lookup = [*texts[::-1], *([ABSENT] if ABSENT not in texts else [])]
    got, found = cache.get(scorer, lookup, n_labels=k)
    assert found.tolist() == [t in texts for t in lookup]
    np.testing.assert_array_equal(got[: len(texts)], rows[::-1])
    assert np.isnan(got[len(texts) :]).all()
    # Keyed by scorer id: another id sees nothing; clearing this one empties it.
    assert not cache.get(scorer + "x", texts, n_labels=k)[1].any()
    cache.clear(scorer)
    assert not cache.get(scorer, texts, n_labels=k)[1].any()


#: Texts that differ only in lone surrogates or in Unicode normalisation: each its own cache entry.
NEAR = ["a", "a\ud800", "\ud800", "\udfff", "?", "\udfff\ud800", "\u00e9", "e\u0301"]


@given(st.lists(st.tuples(st.sampled_from(NEAR), st.floats(0, 1, width=32))))
def test_score_cache_keeps_the_last_row_per_text(
    tmp_path_factory: pytest.TempPathFactory, writes: list[tuple[str, float]]
) -> None:
    cache = ScoreCache(tmp_path_factory.mktemp("cache") / "scores.sqlite")
    for text, value in writes:
        cache.put("s.v1", [text], np.array([[value]], dtype=np.float32))
    last = dict(writes)
    texts = sorted(last)
    got, found = cache.get("s.v1", texts, n_labels=1)
    assert found.all()
    assert got[:, 0].tolist() == [np.float32(last[t]) for t in texts]


# --------------------------------------------------------------------------- strategies from the schema


@settings(max_examples=30)
@given(event_frames())
def test_event_frames_follow_the_schema(frame: pd.DataFrame) -> None:
    assert set(REQUIRED_COLUMNS) <= set(frame.columns) <= set(CANONICAL_COLUMNS)
    assert [c for c in CANONICAL_COLUMNS if c in frame.columns] == list(frame.columns)
    log = jm.read_events(frame)  # valid: nothing rejected
    assert len(log.events) == len(frame) and len(log.rejects) == 0


def test_event_frames_draw_every_schema_column() -> None:
    seen: set[str] = set()

    @settings(max_examples=40, database=None)
    @given(event_frames(min_rows=1))
    def collect(frame: pd.DataFrame) -> None:
        seen.update(frame.columns)

    collect()
    assert seen == {c.name for c in EVENT_COLUMNS}
