"""Review 24 (rv66), mutation pins for the journey container and its persistence.

Pins rules of :class:`journeymap.JourneySet` (selection, membership, equality, the Journey objects
it yields, the touchpoints list, the bounded cache of option variants, the checks of
``with_events``), of stage assignment (:mod:`journeymap.journeys.stages`), of the journeys table
(:mod:`journeymap.journeys._table`) and of the Parquet round trip (:mod:`journeymap.journeys.storage`).
Each test names the one-line mutant it kills. Tiny hand-made frames only; no model is loaded.
"""

from __future__ import annotations

import pandas as pd
import pytest

import journeymap as jm

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
