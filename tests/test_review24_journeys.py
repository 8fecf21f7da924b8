"""Review 24 (rv66), mutation pins for the journey container and its persistence.

Pins rules of :class:`journeymap.JourneySet` (selection, membership, equality, the Journey objects
it yields, the touchpoints list, the bounded cache of option variants, the checks of
``with_events``), of stage assignment (:mod:`journeymap.journeys.stages`), of the journeys table
(:mod:`journeymap.journeys._table`) and of the Parquet round trip (:mod:`journeymap.journeys.storage`).
Each test names the one-line mutant it kills. Tiny hand-made frames only; no model is loaded.
"""

from __future__ import annotations

import pandas as pd

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
