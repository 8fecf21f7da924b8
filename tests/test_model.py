from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from journeymap.model import Customer, EmotionScore, Interaction, Journey, Stage, StageModel, Touchpoint

T0 = datetime(2017, 10, 11, 6, 55, tzinfo=timezone.utc)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=10), st.floats(allow_nan=False, allow_infinity=False)
)
customers = st.builds(
    Customer, id=st.text(min_size=1, max_size=8), attributes=st.dictionaries(st.text(max_size=5), scalars, max_size=3)
)
scores = st.builds(
    lambda s, v: EmotionScore(scorer="t.v1", scores={"joy": s, "anger": 1 - s}, emotion="joy", valence=v),
    st.floats(0, 1),
    st.floats(-1, 1),
)


@st.composite
def journeys(draw: st.DrawFn) -> Journey:
    customer = draw(customers)
    gaps = draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=5))
    t, items = T0, []
    for i, gap in enumerate(gaps):
        t = t + timedelta(seconds=gap)
        items.append(
            Interaction(
                event_id=f"e{i}",
                customer_id=customer.id,
                timestamp=t,
                actor=draw(st.sampled_from(["customer", "agent", "bot", "system"])),
                text=draw(st.one_of(st.none(), st.text(max_size=20))),
                step=i + 1,
                emotion=draw(st.one_of(st.none(), scores)),
            )
        )
    return Journey(journey_id="e0", customer=customer, interactions=tuple(items))


@given(journeys())
def test_journey_json_round_trip(journey: Journey) -> None:
    assert Journey.model_validate_json(journey.model_dump_json()) == journey


def test_json_schema_export() -> None:
    schema = Journey.model_json_schema()
    assert "interactions" in schema["properties"]
    assert set(StageModel.model_json_schema()["properties"]) >= {"stages", "assign", "touchpoint_map"}


def test_models_are_frozen_and_strict() -> None:
    c = Customer(id="c1")
    with pytest.raises(ValidationError):
        c.id = "c2"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        Customer(id="c1", unknown=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Customer(id="")
    assert Touchpoint(name="billing").channel is None


def test_interaction_needs_aware_time_and_normalises_to_utc() -> None:
    with pytest.raises(ValidationError):
        Interaction(event_id="1", customer_id="c", timestamp=datetime(2017, 1, 1), actor="customer")
    plus2 = timezone(timedelta(hours=2))
    i = Interaction(event_id="1", customer_id="c", timestamp=datetime(2017, 1, 1, 2, tzinfo=plus2), actor="agent")
    assert i.timestamp == datetime(2017, 1, 1, tzinfo=timezone.utc)
    assert i.timestamp.utcoffset() == timedelta(0)
    assert i.actor.is_brand


def test_journey_rejects_out_of_order_steps() -> None:
    a = Interaction(event_id="1", customer_id="c", timestamp=T0, actor="customer")
    b = Interaction(event_id="2", customer_id="c", timestamp=T0 - timedelta(seconds=1), actor="agent")
    with pytest.raises(ValidationError, match="step 2 is earlier than step 1"):
        Journey(journey_id="1", customer=Customer(id="c"), interactions=(a, b))


def test_emotion_score_validation() -> None:
    with pytest.raises(ValidationError, match=r"\[0, 1\]"):
        EmotionScore(scorer="x", scores={"joy": 1.5}, emotion="joy", valence=0)
    with pytest.raises(ValidationError):
        EmotionScore(scorer="x", scores={"joy": 0.5}, emotion="joy", valence=2)
    with pytest.raises(ValidationError, match="not one of the scored labels"):
        EmotionScore(scorer="x", scores={"joy": 0.5}, emotion="anger", valence=0)


def test_stage_model_validation() -> None:
    assert StageModel.service().names == ("contact", "first_response", "follow_up", "resolution")
    with pytest.raises(ValidationError, match="unique"):
        StageModel(stages=(Stage(name="a"), Stage(name="a")), assign="column", column="s")
    with pytest.raises(ValidationError, match="not in stages"):
        StageModel(stages=(Stage(name="a"),), assign="touchpoint", touchpoint_map={"x": "b"})
    with pytest.raises(ValidationError, match="needs a touchpoint_map"):
        StageModel(stages=(Stage(name="a"),), assign="touchpoint")
    m = StageModel.from_touchpoints({"ad": "aware", "shop": "buy"}, default_stage="other")
    assert m.names == ("aware", "buy", "other")
    assert StageModel.model_validate_json(m.model_dump_json()) == m
