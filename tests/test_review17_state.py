"""A JourneySet changed in place (seventeenth session's reviews).

``js.events.loc[...] = ...`` is how a pandas user fixes a value. Analyses cached on the
JourneySet (journey_metrics, the reply tables) kept the values from before the change, so
``journey_metrics`` and ``pain_points`` disagreed in one notebook; rows dropped in place made
``js[jid]`` return another journey's messages. Derived sets shared the parent's journeys frame.
"""

from __future__ import annotations

import pickle
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.exceptions import SchemaError
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path


def _set(n: int = 60) -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(n, seed=0)))


def test_a_score_changed_in_place_is_read_by_the_cached_journey_metrics() -> None:
    js = _set()
    before = jm.journey_metrics(js)["mean_valence"].mean()
    customer = js.events["actor"] == "customer"
    js.events.loc[customer, "valence"] = np.float32(-0.9)
    after = jm.journey_metrics(js)
    assert after["mean_valence"].mean() == pytest.approx(-0.9)
    assert before != pytest.approx(-0.9)
    pd.testing.assert_frame_equal(after, jm.journey_metrics(js.with_events(js.events.copy())))


def test_an_actor_changed_in_place_is_read_by_the_cached_reply_analyses() -> None:
    js = _set()
    jm.response_times(js)
    agents = js.events.index[js.events["actor"] == "agent"]
    js.events.loc[agents[: len(agents) // 2], "actor"] = "bot"
    fresh = js.with_events(js.events.copy())
    pd.testing.assert_frame_equal(jm.response_times(js), jm.response_times(fresh))
    pd.testing.assert_frame_equal(jm.reply_table(js), jm.reply_table(fresh))


def test_repeated_calls_still_reuse_the_cache() -> None:
    js = _set(20)
    calls: list[int] = []
    js.cached("k", lambda: calls.append(1))
    jm.journey_metrics(js)
    js.cached("k", lambda: calls.append(1))
    assert calls == [1]


def test_rows_dropped_in_place_raise_instead_of_returning_another_journeys_messages() -> None:
    js = _set(40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3.1 deprecates inplace=; users still write it
        js.events.drop(index=js.events.index[:2], inplace=True)
    with pytest.raises(SchemaError, match=r"js\.events, changed in place: it has \d+ rows where the journeys were built on"):
        js[js.journey_ids[3]]
    with pytest.raises(SchemaError, match="changed in place"):
        jm.journey_metrics(js)


def test_a_journey_id_changed_in_place_raises_naming_the_column() -> None:
    js = _set(20)
    js.events.loc[js.events.index[0], "journey_id"] = js.journey_ids[-1]
    with pytest.raises(SchemaError, match="column 'journey_id' changed"):
        jm.response_times(js)


def test_journeys_reordered_in_place_raise() -> None:
    js = _set(20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # inplace= is deprecated in pandas 3.1
        js.journeys.sort_values("n_steps", ascending=False, inplace=True)
    with pytest.raises(SchemaError, match=r"js\.journeys was changed in place"):
        js[js.journey_ids[0]]


def test_a_set_made_by_with_events_does_not_share_the_journeys_frame() -> None:
    js = _set(20)
    other = js.with_events(js.events.assign(x=1))
    other.journeys["flag"] = 1
    assert "flag" not in js.journeys.columns
    assert other.journeys is not js.journeys


def test_to_xes_refuses_rows_reordered_in_place(tmp_path: Path) -> None:
    js = _set(20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # inplace= is deprecated in pandas 3.1
        js.events.sort_values("timestamp", inplace=True)
    with pytest.raises(SchemaError, match="rows were reordered or relabelled"):
        jm.to_xes(js, tmp_path / "log.xes")  # before: written, with events under other journeys' traces
    with pytest.raises(SchemaError, match="rows were reordered or relabelled"):
        js.to_parquet(tmp_path / "js.parquet")


def test_a_journeys_frame_without_n_steps_raises_a_schema_error() -> None:
    js = _set(20)
    del js.journeys["n_steps"]
    with pytest.raises(SchemaError, match=r"js\.journeys was changed in place"):
        jm.journey_metrics(js)


def test_a_pickled_journey_set_is_not_pickled_twice_and_still_notices_changes() -> None:
    js = _set(60)
    plain = {k: v for k, v in js.__dict__.items() if k not in {"_seen", "_seen_state"}}
    size = len(pickle.dumps(js))
    assert size < 1.1 * len(pickle.dumps(plain))  # before: the kept copies doubled it
    back = pickle.loads(pickle.dumps(js))
    assert back.equals(js)
    jm.journey_metrics(back)
    back.events.loc[back.events["actor"] == "customer", "valence"] = np.float32(-0.9)
    assert jm.journey_metrics(back)["mean_valence"].mean() == pytest.approx(-0.9)


def test_a_frames_attrs_travel_through_read_events_score_and_planted_scores() -> None:
    import numpy as np

    class Flat:
        id = "flat.v1"
        taxonomy = jm.Taxonomy.sentiment()

        def score(self, texts: list[str]) -> np.ndarray:
            return np.tile(np.array([0.1, 0.8, 0.1, 0.0], dtype=np.float32), (len(texts), 1))

    texts = pd.DataFrame({"text": ["hello there", "bad service"]})
    texts.attrs["source"] = "crm"
    assert jm.score(texts, scorer=Flat(), cache=False, progress=False).attrs == {"source": "crm"}
    events = jm.datasets.service_journeys(5, seed=0).events.copy()
    events.attrs["source"] = "crm"
    log = jm.read_events(events)
    assert log.events.attrs == {"source": "crm"}
    assert planted_scores(log.events).attrs == {"source": "crm"}
