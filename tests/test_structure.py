"""The JourneySet carries what downstream code needs: its taxonomy, its touchpoints."""

from __future__ import annotations

import numpy as np
import pandas as pd

import journeymap as jm
from journeymap import schema
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.testing.data import planted_scores


def test_scoring_stores_the_scorers_taxonomy_and_keeps_it() -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(10, seed=0))
    assert js.taxonomy is None
    scored = planted_scores(js)
    assert scored.taxonomy == Taxonomy.goemotions()
    again = scored.with_events(scored.events.assign(extra=1))
    assert again.taxonomy == Taxonomy.goemotions()


def test_a_custom_taxonomy_travels_with_the_scores() -> None:
    mood = Taxonomy(name="mood", labels=("grumpy", "content"), valence={"grumpy": -0.8, "content": 0.6})
    js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
    events = js.events.copy()
    p = np.tile(np.array([[0.9, 0.1]], dtype=np.float32), (len(events), 1))
    for j, label in enumerate(mood.labels):
        events[schema.score_column(label)] = p[:, j]
    events["emotion"], events["valence"], events["scorer"] = "grumpy", mood.valence_of(p), "mood.v1"
    scored = js.with_events(events, taxonomy=mood)
    assert scored.taxonomy is mood
    assert scored.taxonomy.intense_labels == ("grumpy",)


def test_a_frame_scored_elsewhere_gets_the_matching_builtin_taxonomy() -> None:
    scored = planted_scores(jm.build_journeys(jm.datasets.service_journeys(5, seed=0)))
    rebuilt = jm.JourneySet(scored.events, scored.journeys, scored.stages, by=scored.by)
    assert rebuilt.taxonomy is not None
    assert rebuilt.taxonomy.name == "goemotions"
    assert Taxonomy.matching(["a", "b"]) is None


def test_touchpoints_are_the_models_touchpoints_busiest_first() -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(40, seed=0))
    tps = js.touchpoints
    assert all(isinstance(t, jm.Touchpoint) for t in tps)
    volume = js.events["touchpoint"].value_counts()
    assert [t.name for t in tps] == sorted(volume.index, key=lambda name: (-volume[name], name))
    main = js.events.groupby("touchpoint")["channel"].agg(lambda c: c.value_counts().index[0])
    assert all(t.channel == main[t.name] for t in tps)


def test_schema_lists_the_columns_readers_produce() -> None:
    log = jm.read_events(pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-01-01"], "text": ["hi"]}))
    assert [c for c in log.events.columns if c in schema.CANONICAL_COLUMNS] == [
        c for c in schema.CANONICAL_COLUMNS if c in log.events.columns
    ]
    assert set(schema.REQUIRED_COLUMNS) <= set(log.events.columns)
    assert list(log.rejects.columns) == list(schema.REJECT_COLUMNS)


def test_journey_metrics_is_computed_once_per_journey_set_and_callers_cannot_spoil_it(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from journeymap.analytics import metrics

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
    calls = []
    real = metrics._journey_metrics
    monkeypatch.setattr(metrics, "_journey_metrics", lambda *a: calls.append(1) or real(*a))
    first = jm.journey_metrics(js)
    first["mean_valence"] = 99.0  # a caller changing its copy
    jm.journey_variants(js)
    jm.compare_segments(js, "tier")
    again = jm.journey_metrics(js)
    assert len(calls) == 1
    assert not (again["mean_valence"] == 99.0).any()
    jm.journey_metrics(js.with_events(js.events.copy()))
    assert len(calls) == 2  # a new JourneySet, a new computation


def test_planted_scores_again_replaces_the_scores() -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(5, seed=0)))
    again = planted_scores(js, seed=1)
    assert list(again.events.columns) == list(js.events.columns)
    assert not again.events["emo_joy"].equals(js.events["emo_joy"])
