"""Review 19: a naive ``now=`` is a wall time in the journeys' zone, as every other naive time is.

Before, ``response_times(js, now=...)`` and ``triage(js, now=...)`` read a naive ``now`` as UTC
even for journeys read in New York, so the last event's own New York wall time came out five
hours before the data's end (and warned that ``now`` was before the latest event).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores


def _events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ["1", "2", "3"],
            "customer_id": ["ann", "Acme", "ann"],
            "actor": ["customer", "agent", "customer"],
            "text": ["my bill is wrong", "sorry, looking into it", "still wrong!!"],
            "timestamp": ["2024-03-04 09:00", "2024-03-04 09:30", "2024-03-04 10:00"],
            "in_reply_to": [None, "1", "2"],
            "true_emotion": ["annoyance", "neutral", "anger"],
        }
    )


def _new_york() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.read_events(_events(), tz="America/New_York")))


def test_a_naive_now_is_read_in_the_journeys_zone() -> None:
    js = _new_york()
    assert str(js.events["timestamp"].max()) == "2024-03-04 15:00:00+00:00"  # 10:00 in New York
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 12:00 New York is after the data's end: no warning
        waiting = jm.triage(js, now="2024-03-04 12:00")
    assert waiting.loc["3", "waiting"] == pd.Timedelta(hours=2)
    assert jm.triage(js, now="2024-03-04 17:00+00:00").loc["3", "waiting"] == pd.Timedelta(hours=2)  # an instant is one
    assert jm.triage(js, now=pd.Timestamp("2024-03-04 12:00")).loc["3", "waiting"] == pd.Timedelta(hours=2)


def test_a_naive_now_before_the_end_in_the_zone_still_warns() -> None:
    js = _new_york()
    with pytest.warns(UserWarning, match=r"before the latest event in the data \(2024-03-04 10:00:00-05:00\)"):
        jm.response_times(js, now="2024-03-04 09:59")  # the end in the zone now= was read in


def test_without_a_zone_a_naive_now_is_utc() -> None:
    js = planted_scores(jm.build_journeys(jm.read_events(_events())))  # 10:00 UTC is the end
    assert js.tz is None
    assert jm.triage(js, now="2024-03-04 12:00").loc["3", "waiting"] == pd.Timedelta(hours=2)
