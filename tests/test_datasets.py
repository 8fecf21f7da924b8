from __future__ import annotations

import pandas as pd
import pytest

from journeymap import build_journeys
from journeymap.datasets import PLANTED, service_journeys


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return service_journeys(n_customers=1500, seed=7).events


def test_deterministic_and_valid() -> None:
    a, b = service_journeys(50, seed=3), service_journeys(50, seed=3)
    pd.testing.assert_frame_equal(a.events, b.events)
    assert len(a.rejects) == 0
    assert not service_journeys(50, seed=4).events.equals(a.events)
    with pytest.raises(ValueError, match="n_customers"):
        service_journeys(0)


def test_shape(events: pd.DataFrame) -> None:
    assert set(events["actor"].unique()) == {"customer", "agent"}
    assert set(events["channel"].unique()) >= {"twitter", "facebook", "instagram", "dm"}
    assert events["brand"].nunique() == 3
    assert {"tier", "region", "device", "true_emotion", "true_valence"} <= set(events.columns)
    js = build_journeys(service_journeys(200, seed=1))
    assert len(js) > 200


def test_true_valence_is_the_taxonomy_valence(events: pd.DataFrame) -> None:
    from journeymap.emotions.taxonomy import Taxonomy

    valence = Taxonomy.goemotions().valence
    assert events["true_emotion"].isin(list(valence)).all()
    assert events["true_valence"].equals(events["true_emotion"].map(valence).astype("float64"))


def test_planted_pain_point(events: pd.DataFrame) -> None:
    cust = events[events["actor"] == "customer"]
    by_touchpoint = cust.groupby("touchpoint")["true_valence"].mean()
    assert by_touchpoint.idxmin() == PLANTED["pain_point"]
    assert by_touchpoint.drop("billing").min() - by_touchpoint["billing"] > 0.15


def test_planted_slow_night_replies(events: pd.DataFrame) -> None:
    e = events.sort_values(["thread_id", "timestamp"])
    prev = e.groupby("thread_id")["timestamp"].shift()
    prev_actor = e.groupby("thread_id")["actor"].shift()
    replies = e[(e["actor"] == "agent") & (prev_actor == "customer")]
    wait = (replies["timestamp"] - prev[replies.index]).dt.total_seconds()
    night = prev[replies.index].dt.hour.isin(PLANTED["night_hours"])  # type: ignore[arg-type]
    assert wait[night].median() > 2.5 * wait[~night].median()


def test_planted_worse_segment(events: pd.DataFrame) -> None:
    cust = events[events["actor"] == "customer"]
    last = cust.groupby("thread_id").tail(1)
    by_tier = last.groupby("tier")["true_valence"].mean()
    assert by_tier.idxmin() == "free"
    assert by_tier[["plus", "premium"]].min() - by_tier["free"] > 0.2
