"""Review 24 (rv66), mutation pins for the journey container and its persistence.

Pins rules of :class:`journeymap.JourneySet` (selection, membership, equality, the Journey objects
it yields, the touchpoints list, the bounded cache of option variants, the checks of
``with_events``), of stage assignment (:mod:`journeymap.journeys.stages`), of the journeys table
(:mod:`journeymap.journeys._table`) and of the Parquet round trip (:mod:`journeymap.journeys.storage`).
Each test names the one-line mutant it kills. Tiny hand-made frames only; no model is loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm

if TYPE_CHECKING:
    from pathlib import Path

COLUMNS = ["event_id", "customer_id", "thread_id", "timestamp", "actor", "touchpoint", "channel", "text"]


def _frame(rows: list[list[object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def _two_journeys() -> jm.JourneySet:
    """Journey "e4" (c2, one message, 09:00) then journey "e1" (c1: customer, agent, customer from 10:00)."""
    rows: list[list[object]] = [
        ["e1", "c1", "t1", "2024-01-01 10:00", "customer", "billing", "email", "hi"],
        ["e2", "c1", "t1", "2024-01-01 10:05", "agent", "billing", "email", "hello"],
        ["e3", "c1", "t1", "2024-01-01 10:10", "customer", "billing", "email", "thanks"],
        ["e4", "c2", "t2", "2024-01-01 09:00", "customer", "app", "chat", "x"],
    ]
    return jm.build_journeys(jm.read_events(_frame(rows)))


# M2 (_set.py select): `wanted.unique()` -> `wanted`: an id named twice would give its journey twice.
def test_select_keeps_a_journey_named_twice_once() -> None:
    js = _two_journeys()
    two = js.select(["e1", "e1"])
    assert len(two) == 1
    assert two.journey_ids == ["e1"]
    assert len(two.events) == 3


# M3 (_set.py select): the `isinstance(journey_ids, str)` wrap dropped: one id as text would be read letter by letter.
def test_select_takes_one_id_given_as_text() -> None:
    js = _two_journeys()
    one = js.select("e1")
    assert one.journey_ids == ["e1"]
    assert len(one.events) == 3


# M4 (_set.py equals): `self.by == other.by` dropped: the same frames grouped by customer are not the set grouped by thread.
def test_equals_tells_the_grouping_apart() -> None:
    js = _two_journeys()
    same = jm.JourneySet(js.events, js.journeys, js.stages, by="thread", tz=js.tz)
    by_customer = jm.JourneySet(js.events, js.journeys, js.stages, by="customer", tz=js.tz)
    assert js.equals(same)
    assert not js.equals(by_customer)


# M5 (_set.py equals): `self.stages == other.stages` dropped: another stage model is another set.
def test_equals_tells_the_stage_model_apart() -> None:
    js = _two_journeys()
    other = jm.JourneySet(js.events, js.journeys, jm.StageModel.from_touchpoints({"billing": "support"}), by="thread", tz=js.tz)
    assert not js.equals(other)


# M6 (_set.py _same_zone): the UTC-names rule dropped (`names[0] == names[1]` only): Etc/UTC and UTC read the same hours.
def test_equals_takes_every_name_of_utc_as_utc() -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    js = _two_journeys()
    for zone in (ZoneInfo("Etc/UTC"), ZoneInfo("GMT"), dt.timezone.utc):
        other = jm.JourneySet(js.events.copy(), js.journeys, js.stages, by="thread", tz=zone)
        assert js.equals(other), zone
    paris = jm.JourneySet(js.events.copy(), js.journeys, js.stages, by="thread", tz=ZoneInfo("Europe/Paris"))
    assert not js.equals(paris)


def _planted(valence: list[float], *, scorer: bool = True) -> jm.JourneySet:
    """The two journeys with planted emotion columns (rows in js.events order: e4, e1, e2, e3)."""
    js = _two_journeys()
    n = len(js.events)
    columns: dict[str, object] = {
        "emo_joy": [0.9, 0.8, float("nan"), float("nan")],
        "emo_anger": [0.1, 0.2, float("nan"), 0.9],
        "emotion": ["joy", "joy", None, "anger"],
        "valence": valence,
    }
    if scorer:
        columns["scorer"] = ["demo.v1"] * n
    return js.with_events(js.events.assign(**columns))  # type: ignore[arg-type]


# M8 (_set.py _journey): `not str(c).startswith(SCORE_PREFIX)` dropped from the extras: emo_* scores are no attributes.
def test_journey_attributes_leave_the_score_columns_out() -> None:
    js = _planted([0.5, 0.5, float("nan"), -0.5])
    first = js["e1"].interactions[0]
    assert not any(str(k).startswith("emo_") for k in first.attributes)
    assert first.emotion is not None
    assert first.emotion.scores == pytest.approx({"joy": 0.8, "anger": 0.2})


# M9 (_set.py _valence): the clip `min(1.0, max(-1.0, value))` dropped: a float32 rounding past 1 reads as 1.
def test_journey_valence_a_rounding_past_one_is_clipped() -> None:
    js = _planted([0.5, 1.0 + 5e-7, float("nan"), -1.0 - 5e-7])
    interactions = js["e1"].interactions
    assert interactions[0].emotion is not None and interactions[0].emotion.valence == 1.0
    assert interactions[2].emotion is not None and interactions[2].emotion.valence == -1.0


# M10 (_set.py _journey): the scorer "unknown" where the events carry no scorer id.
def test_journey_emotion_scorer_is_unknown_without_a_scorer_column() -> None:
    js = _planted([0.5, 0.5, float("nan"), -0.5], scorer=False)
    emotion = js["e1"].interactions[0].emotion
    assert emotion is not None
    assert emotion.scorer == "unknown"


# M11 (_set.py _journey): a NaN label score is left out of EmotionScore.scores, not kept as NaN.
# M12 (_set.py _journey): a row with a NaN valence has no emotion reading (emotion None).
def test_journey_unscored_row_has_no_emotion_and_nan_scores_are_left_out() -> None:
    js = _planted([0.5, 0.5, float("nan"), -0.5])
    reply = js["e1"].interactions[1]
    assert reply.actor.value == "agent"
    assert reply.emotion is None
    last = js["e1"].interactions[2].emotion
    assert last is not None and last.emotion == "anger" and last.valence == -0.5
    assert last.scores == pytest.approx({"anger": 0.9})


# M13 (_set.py _check_replacement): "step" dropped from the columns that must stay as js.events has them.
def test_with_events_refuses_changed_steps() -> None:
    js = _two_journeys()
    steps = js.events["step"].to_numpy()[::-1].copy()
    with pytest.raises(jm.SchemaError, match="'step' changed"):
        js.with_events(js.events.assign(step=steps))


# M15 (_set.py _check_replacement): "step" dropped from the columns that must not be gone: a SchemaError naming it.
def test_with_events_refuses_events_without_the_step_column() -> None:
    js = _two_journeys()
    with pytest.raises(jm.SchemaError, match="'step' is gone"):
        js.with_events(js.events.drop(columns="step"))


# M16 (_set.py touchpoints): a tie of channels at a touchpoint goes to the first channel by name, not the last.
def test_touchpoints_main_channel_tie_and_missing_touchpoint() -> None:
    rows: list[list[object]] = [
        ["e1", "c1", "t1", "2024-01-01 10:00", "customer", "billing", "web", "a"],
        ["e2", "c1", "t1", "2024-01-01 10:05", "agent", "billing", "chat", "b"],
        ["e3", "c1", "t1", "2024-01-01 10:06", "customer", "app", "phone", "c"],
        ["e4", "c1", "t1", "2024-01-01 10:07", "customer", None, "phone", "d"],
        ["e5", "c1", "t1", "2024-01-01 10:08", "customer", None, "phone", "e"],
        ["e6", "c1", "t1", "2024-01-01 10:09", "customer", None, "phone", "f"],
    ]
    js = jm.build_journeys(jm.read_events(_frame(rows)))
    tps = js.touchpoints
    assert [(t.name, t.channel) for t in tps] == [("billing", "chat"), ("app", "phone")]


# M18 (_set.py _variant): the least recently used option result is dropped first (popitem(last=False)), and a
# result used again moves to the end (move_to_end): the newest results stay.
def test_cached_variants_keep_the_most_recently_used() -> None:
    from journeymap.journeys._set import VARIANTS_KEPT

    js = _two_journeys()
    calls: list[int] = []

    def ask(k: int) -> int:
        def compute() -> int:
            calls.append(k)
            return k

        return js.cached(("opt", k), compute, variant=True)

    for k in range(VARIANTS_KEPT):
        ask(k)
    ask(0)  # used again: now the most recent
    ask(VARIANTS_KEPT)  # one more: 1 (the least recently used) goes
    calls.clear()
    ask(0)
    ask(VARIANTS_KEPT)
    assert calls == []
    ask(1)
    assert calls == [1]


# DEFECT D1 (_set.py touchpoints): a touchpoint whose events carry no channel (the channel column has NA there) is
# left out of js.touchpoints, though the docstring lists "the touchpoints the journeys pass through" and the code maps
# a missing main channel to None: DataFrame.value_counts drops rows with any NA, the channel's too.
def test_touchpoints_keep_a_touchpoint_without_a_channel() -> None:
    rows: list[list[object]] = [
        ["e1", "c1", "t1", "2024-01-01 10:00", "customer", "billing", "web", "a"],
        ["e2", "c1", "t1", "2024-01-01 10:05", "agent", "faq", None, "b"],
        ["e3", "c1", "t1", "2024-01-01 10:06", "customer", "faq", None, "c"],
    ]
    js = jm.build_journeys(jm.read_events(_frame(rows)))
    assert [(t.name, t.channel) for t in js.touchpoints] == [("faq", None), ("billing", "web")]


def test_touchpoints_main_channel_is_the_busiest_known_one() -> None:
    # D1's fix: events without a channel count towards the touchpoint's volume, not as its main channel
    rows: list[list[object]] = [
        ["e1", "c1", "t1", "2024-01-01 10:00", "customer", "faq", None, "a"],
        ["e2", "c1", "t1", "2024-01-01 10:05", "agent", "faq", None, "b"],
        ["e3", "c1", "t1", "2024-01-01 10:06", "customer", "faq", "web", "c"],
        ["e4", "c1", "t1", "2024-01-01 10:07", "customer", "billing", "email", "d"],
        ["e5", "c1", "t1", "2024-01-01 10:08", "customer", "billing", "email", "e"],
    ]
    js = jm.build_journeys(jm.read_events(_frame(rows)))
    assert [(t.name, t.channel) for t in js.touchpoints] == [("faq", "web"), ("billing", "email")]


# S5 (stages.py _by_column): `values.isna().any()` dropped from the refusal: an event without a stage in the column
# the StageModel reads would get a missing stage without a word; it is refused, naming the row.
def test_column_stages_refuse_an_event_without_a_stage() -> None:
    rows: list[list[object]] = [
        ["e1", "c1", "t1", "2024-01-01 10:00", "customer", "billing", "email", "hi"],
        ["e2", "c1", "t1", "2024-01-01 10:05", "agent", "billing", "email", "hello"],
    ]
    frame = _frame(rows)
    frame["phase"] = pd.Series(["open", None], dtype="string")
    with pytest.raises(jm.SchemaError, match=r"'phase' is missing \(NA\) at rows \[1\]"):
        jm.build_journeys(jm.read_events(frame), stages=jm.StageModel.from_column("phase", ["open", "closed"]))


def _skewed() -> jm.JourneySet:
    """One journey whose first reply is stamped before the message it answers, and whose last reply before the last message."""
    rows: list[list[object]] = [
        ["e1", "c1", "t1", "2024-01-01 10:00", "customer", "billing", "email", "hi", None],
        ["e2", "c1", "t1", "2024-01-01 09:58", "agent", "billing", "email", "hello", "e1"],
        ["e3", "c1", "t1", "2024-01-01 10:10", "customer", "billing", "email", "ok", "e2"],
        ["e4", "c1", "t1", "2024-01-01 10:09", "agent", "billing", "email", "bye", "e3"],
    ]
    return jm.build_journeys(jm.read_events(pd.DataFrame(rows, columns=[*COLUMNS, "in_reply_to"])))


# T1 (_table.py journey_table): `start` is the journey's earliest stamp (np.minimum.reduceat), not its first step's.
# T2 (_table.py journey_table): `end` is its latest stamp (np.maximum.reduceat), not its last step's.
def test_journey_start_and_end_are_the_earliest_and_latest_stamps_under_clock_skew() -> None:
    js = _skewed()
    assert js.events["event_id"].tolist() == ["e1", "e2", "e3", "e4"]  # replies follow the messages they answer
    row = js.journeys.loc["e1"]
    assert row["start"] == pd.Timestamp("2024-01-01 09:58", tz="UTC")
    assert row["end"] == pd.Timestamp("2024-01-01 10:10", tz="UTC")


def _round_trip(js: jm.JourneySet, tmp_path: Path) -> jm.JourneySet:
    return jm.read_journeys(js.to_parquet(tmp_path / "journeys.parquet"))


# T3 (_table.py journey_set_from_events): journeys read back in start order (then id), not id order:
# lexsort keys (step, id rank, start) -> (step, start, id rank) would put "e1" (10:00) before "e4" (09:00).
def test_read_journeys_keeps_start_order_over_id_order(tmp_path: Path) -> None:
    js = _two_journeys()
    assert js.journey_ids == ["e4", "e1"]
    back = _round_trip(js, tmp_path)
    assert back.journey_ids == ["e4", "e1"]
    assert back.equals(js)


# T4 (_table.py journey_starts): a journey's start when read back is its earliest stamp (transform "min"), not its
# first row's: journey "e1" starts 09:58 with a skewed reply, before "e5" (09:59), though its first message is 10:00.
def test_read_journeys_orders_by_the_earliest_stamp_under_clock_skew(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["e1", "c1", "t1", "2024-01-01 10:00", "customer", "billing", "email", "hi", None],
        ["e2", "c1", "t1", "2024-01-01 09:58", "agent", "billing", "email", "hello", "e1"],
        ["e5", "c2", "t2", "2024-01-01 09:59", "customer", "app", "chat", "x", None],
    ]
    js = jm.build_journeys(jm.read_events(pd.DataFrame(rows, columns=[*COLUMNS, "in_reply_to"])))
    assert js.journey_ids == ["e1", "e5"]
    back = _round_trip(js, tmp_path)
    assert back.journey_ids == ["e1", "e5"]
    assert back.equals(js)


# W1 (_write.py save_journeys): the zone the events were read in is stored ("tz") and read back.
# W3 (_write.py save_journeys): a categorical's order ("ordered") is stored and restored.
def test_read_journeys_keeps_the_zone_and_the_ordered_stage(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["e1", "c1", "t1", "2024-01-01 10:00", "customer", "billing", "email", "hi"],
        ["e2", "c1", "t1", "2024-01-01 10:05", "agent", "billing", "email", "hello"],
    ]
    js = jm.build_journeys(jm.read_events(_frame(rows), tz="Europe/Paris"))
    back = _round_trip(js, tmp_path)
    assert str(back.tz) == "Europe/Paris"
    assert back.events["stage"].cat.ordered
    assert back.events["stage"].cat.categories.tolist() == js.events["stage"].cat.categories.tolist()
    assert back.equals(js)


def _altered_times(js: jm.JourneySet, tmp_path: Path, when: str) -> Path:
    """A saved file whose first event's time is changed to ``when`` (microseconds, as Parquet keeps them), metadata kept."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = js.to_parquet(tmp_path / "saved.parquet")
    table = pq.read_table(path)
    i = table.schema.get_field_index("timestamp")
    times = table.column(i).to_pylist()
    times[0] = dt.datetime.fromisoformat(when).replace(tzinfo=dt.timezone.utc)
    field = table.schema.field(i)
    kind = pa.timestamp("us", tz=field.type.tz)
    table = table.set_column(i, field.with_type(kind), pa.array(times, type=kind))
    altered = tmp_path / "altered.parquet"
    pq.write_table(table, altered)
    return altered


# W6 (storage.py _check_times): the lower bound `aware < EARLIEST` dropped: a year-1500 time in an edited file
# is refused (it would wrap around into another year in nanoseconds), as is one past 2262.
@pytest.mark.parametrize("when", ["1500-01-01T00:00:00", "9999-01-01T00:00:00"])
def test_read_journeys_refuses_times_outside_the_range(tmp_path: Path, when: str) -> None:
    path = _altered_times(_two_journeys(), tmp_path, when)
    with pytest.raises(jm.SchemaError, match=r"outside the range journeymap handles .*read_events refuses them too.*altered"):
        jm.read_journeys(path)


@pytest.fixture
def graph_set() -> jm.JourneySet:
    """Four journeys at touchpoints a, b, c with planted valences; one customer message at "a" unscored.

    e1: customer a (0.8), agent b | e3: agent b, customer c (-0.2), customer c (0.4) | e6: customer a (0.1) |
    e7: customer a (unscored).
    """
    rows: list[list[object]] = [
        ["e1", "c1", "t1", "2024-01-01 09:00", "customer", "a", "chat", "x"],
        ["e2", "c1", "t1", "2024-01-01 09:01", "agent", "b", "chat", "x"],
        ["e3", "c2", "t2", "2024-01-01 10:00", "agent", "b", "chat", "x"],
        ["e4", "c2", "t2", "2024-01-01 10:02", "customer", "c", "chat", "x"],
        ["e5", "c2", "t2", "2024-01-01 10:05", "customer", "c", "chat", "x"],
        ["e6", "c3", "t3", "2024-01-01 11:00", "customer", "a", "chat", "x"],
        ["e7", "c4", "t4", "2024-01-01 12:00", "customer", "a", "chat", "x"],
    ]
    js = jm.build_journeys(jm.read_events(_frame(rows)))
    valence = js.events["event_id"].map({"e1": 0.8, "e4": -0.2, "e5": 0.4, "e6": 0.1}).astype(float)
    emotion = pd.Series(["joy"] * len(valence), index=valence.index, dtype=object).where(valence.notna(), None)
    return js.with_events(js.events.assign(valence=valence, emotion=emotion))


# G1 (analytics/_graph.py graph_steps): the valence carried forward stops at a journey's first step (`own | first`):
# without it journey e3's opening agent step would carry e1's 0.8, and b -> c would read a change of -1.0.
# G2 (analytics/_graph.py graph_steps): no valence change into a brand step (`first | ~own`): a -> b is NaN, not 0.
def test_graph_valence_change_only_into_customer_messages_and_within_a_journey(graph_set: jm.JourneySet) -> None:
    G = jm.journey_graph(graph_set)
    assert np.isnan(G.edges["b", "c"]["mean_valence_change"])
    assert np.isnan(G.edges["a", "b"]["mean_valence_change"])
    assert G.edges["c", "c"]["mean_valence_change"] == pytest.approx(0.6)


# G3 (analytics/_graph.py assemble_graph): probability is count over the SOURCE's outgoing transitions (level=0).
# G6 (analytics/_graph.py graph_steps): no time between a journey's first step and the one before it (`dt` NaN at first).
def test_graph_probability_over_the_source_and_no_seconds_from_start(graph_set: jm.JourneySet) -> None:
    G = jm.journey_graph(graph_set)
    assert G.edges["__start__", "a"]["probability"] == pytest.approx(0.75)
    assert G.edges["a", "b"]["probability"] == pytest.approx(1 / 3)
    assert np.isnan(G.edges["__start__", "b"]["median_seconds"])
    assert np.isnan(G.edges["__start__", "a"]["median_seconds"])
    assert G.edges["b", "c"]["median_seconds"] == 120.0


# G4 (analytics/graph.py journey_graph): n_unscored counts the customer messages without a valence, not brand steps.
# G5 (analytics/_graph.py assemble_graph): __end__'s rank is one past the highest stage code; __start__'s volume the journeys.
def test_graph_nodes_unscored_counts_and_end_rank(graph_set: jm.JourneySet) -> None:
    G = jm.journey_graph(graph_set)
    assert G.nodes["a"]["n_unscored"] == 1
    assert G.nodes["b"]["n_unscored"] == 0
    assert G.nodes["a"]["volume"] == 3
    assert G.nodes["__start__"]["volume"] == G.graph["n_journeys"] == 4
    max_code = int(graph_set.events["stage"].cat.codes.max())
    assert G.nodes["__end__"]["rank"] == max_code + 1.0


# M21 (_set.py _check_replacement): naive times refused by name (time-zone-aware), not left to fail later.
# M22 (_set.py _check_replacement): a valence of text refused.
def test_with_events_refuses_naive_times_and_text_valences() -> None:
    js = _two_journeys()
    naive = js.events["timestamp"].dt.tz_localize(None)
    with pytest.raises(jm.SchemaError, match="time-zone-aware"):
        js.with_events(js.events.assign(timestamp=naive))
    with pytest.raises(jm.SchemaError, match="'valence' must hold numbers"):
        js.with_events(js.events.assign(valence=["0.5", "0.1", "x", "0.2"]))


# M23 (_set.py _same_values): the journey columns compared by value, not by dtype: steps as int32 are the same steps.
def test_with_events_takes_the_same_steps_in_another_integer_type() -> None:
    js = _two_journeys()
    other = js.with_events(js.events.assign(step=js.events["step"].astype("int32")))
    assert other.events["step"].dtype == np.int32
    assert other.journey_ids == js.journey_ids


# M26 (_set.py _scalar): an infinite number in an attribute column reads as None (JSON has no inf), as NaN does.
def test_journey_attribute_inf_reads_as_none() -> None:
    js = _two_journeys()
    js = js.with_events(js.events.assign(amount=[1.5, float("inf"), 2.0, float("nan")]))
    interactions = js["e1"].interactions
    assert [x.attributes["amount"] for x in interactions] == [None, 2.0, None]


# M27 (_table.py _numbers_first): ids of more than 18 digits are not cast to int64 (19 nines would overflow);
# they are still ordered as numbers, after shorter ones.
def test_id_ranks_order_ids_longer_than_int64_as_numbers() -> None:
    from journeymap.journeys._table import id_ranks

    ids = pd.Series(["9999999999999999999", "10", "9"], dtype="string")  # digits only: the int64 fast path's case
    assert id_ranks(ids).tolist() == [2, 1, 0]


# M29 (_set.py _fresh): journeys relabelled in place (js.journeys.index set) are refused, not read under the new ids.
def test_journeys_relabelled_in_place_are_refused() -> None:
    js = _two_journeys()
    js.journeys.index = pd.Index(["x", "y"], name="journey_id")
    with pytest.raises(jm.SchemaError, match=r"js\.journeys was changed in place"):
        list(js)


def _altered_table(js: jm.JourneySet, tmp_path: Path, change: object) -> Path:
    """A saved file whose Arrow table is changed by ``change(table)``, journeymap's metadata kept."""
    import pyarrow.parquet as pq

    path = js.to_parquet(tmp_path / "saved.parquet")
    table = pq.read_table(path)
    altered = change(table)  # type: ignore[operator]
    out = tmp_path / "altered.parquet"
    pq.write_table(altered.replace_schema_metadata(table.schema.metadata), out)
    return out


# W9 (storage.py _check_categories): an edited actor column is checked as with_events checks it, naming what the
# analytics do not read, before the generic "outside the categories" refusal.
def test_read_journeys_names_an_unknown_actor_in_an_edited_file(tmp_path: Path) -> None:
    import pyarrow as pa

    def capitalise(table: pa.Table) -> pa.Table:
        i = table.schema.get_field_index("actor")
        actors = [str(a).capitalize() if a == "agent" else a for a in table.column(i).to_pylist()]
        return table.set_column(i, "actor", pa.array(actors, type=pa.string()))

    path = _altered_table(_two_journeys(), tmp_path, capitalise)
    with pytest.raises(jm.SchemaError, match=r"column 'actor' holds \['Agent'\], which the analytics do not read"):
        jm.read_journeys(path)


# W10 (storage.py read_journeys): a file without one of the journey columns (stage) is refused, naming it.
def test_read_journeys_refuses_a_file_without_the_stage_column(tmp_path: Path) -> None:
    path = _altered_table(_two_journeys(), tmp_path, lambda table: table.drop_columns(["stage"]))
    with pytest.raises(jm.SchemaError, match=r"has no column\(s\) \['stage'\]"):
        jm.read_journeys(path)
