from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import JourneyMapError, Taxonomy
from journeymap.emotions.cache import ScoreCache

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path


class Counting:
    """A deterministic scorer that records what it was asked to score."""

    id = "test.counting.v1"
    taxonomy = Taxonomy.sentiment()

    def __init__(self) -> None:
        self.seen: list[str] = []

    def score(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        out = np.zeros((len(texts), 4), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, 1 if "bad" in t else 0] = 0.9
            out[i, 3] = 0.1
        return out


def log() -> jm.JourneySet:
    df = pd.DataFrame(
        {
            "event_id": list("abcdef"),
            "customer_id": ["c1"] * 3 + ["c2"] * 3,
            "timestamp": pd.date_range("2024-01-01", periods=6, freq="h", tz="UTC"),
            "actor": ["customer", "agent", "customer", "customer", "agent", "customer"],
            "text": ["bad bill", "sorry", "good now", "bad bill", None, "good now"],
            "thread_id": ["t1"] * 3 + ["t2"] * 3,
        }
    )
    return jm.build_journeys(jm.read_events(df))


def test_adds_emotion_columns_and_scores_each_text_once(tmp_path: Path) -> None:
    scorer = Counting()
    js = jm.score(log(), scorer, cache=tmp_path / "c.sqlite")
    assert sorted(scorer.seen) == ["bad bill", "good now"]  # duplicates once, agents not scored
    e = js.events
    assert [f"emo_{lab}" for lab in Taxonomy.sentiment().labels] == [c for c in e.columns if c.startswith("emo_")]
    assert e["emo_positive"].dtype == np.float32
    customer = e["actor"] == "customer"
    assert e.loc[customer, "valence"].notna().all() and e.loc[~customer, "valence"].isna().all()
    assert e.loc[e["text"] == "bad bill", "emotion"].tolist() == ["negative", "negative"]
    assert e.loc[customer, "scorer"].unique().tolist() == ["test.counting.v1"]
    assert e.loc[e["text"] == "bad bill", "valence"].iloc[0] == pytest.approx(-0.72)
    journey = js[js.journey_ids[0]]
    assert journey.interactions[0].emotion is not None and journey.interactions[1].emotion is None
    assert [v for _, v in journey.curve] == pytest.approx([-0.72, 0.72])


def test_cache_persists_between_runs(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    first = Counting()
    a = jm.score(log(), first, cache=path)
    second = Counting()
    b = jm.score(log(), second, cache=path)
    assert second.seen == []  # a re-run scores nothing twice
    pd.testing.assert_frame_equal(a.events, b.events)
    third = Counting()
    jm.score(log(), third, cache=False)
    assert len(third.seen) == 2


def test_default_cache_location_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYMAP_CACHE_DIR", str(tmp_path / "here"))
    jm.score(log(), Counting())
    assert (tmp_path / "here" / "scores.sqlite").is_file()


def test_agents_and_dataframes() -> None:
    scorer = Counting()
    out = jm.score(log().events, scorer, cache=False, agents=True)
    assert isinstance(out, pd.DataFrame)
    assert sorted(set(scorer.seen)) == ["bad bill", "good now", "sorry"]
    assert out["valence"].notna().sum() == 5  # the NA text stays unscored


def test_failing_batch_reports_rows(default_scorer, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ids, mask):
        raise RuntimeError("boom")

    monkeypatch.setattr(default_scorer, "_forward", broken)
    with pytest.raises(JourneyMapError, match=r"scoring failed for the texts at positions \[0, 1\]"):
        default_scorer.score(["one text", "another text", ""])


def test_bad_scorer_output_is_caught() -> None:
    class Liar(Counting):
        def score(self, texts: Sequence[str]) -> np.ndarray:
            return np.full((len(texts), 4), 7.0, dtype=np.float32)

    with pytest.raises(JourneyMapError, match=r"outside \[0, 1\]"):
        jm.score(log(), Liar(), cache=False)


def test_cache_roundtrip(tmp_path: Path) -> None:
    cache = ScoreCache(tmp_path / "x.sqlite")
    rows = np.array([[0.1, 0.9], [0.5, 0.5]], dtype=np.float32)
    cache.put("s.v1", ["a", "b"], rows)
    got, found = cache.get("s.v1", ["b", "a", "c", "b"], n_labels=2)
    assert found.tolist() == [True, True, False, True]
    assert np.allclose(got[[0, 1, 3]], rows[[1, 0, 1]])
    assert not cache.get("s.v2", ["a"], n_labels=2)[1].any()  # keyed by scorer id
    assert not cache.get("s.v1", ["a"], n_labels=3)[1].any()  # other labels: a miss
    cache.clear("s.v1")
    assert not cache.get("s.v1", ["a"], n_labels=2)[1].any()


@pytest.mark.langid_model
def test_default_model_end_to_end_finds_the_pain_point() -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(n_customers=120, seed=2))
    scored = jm.score(js, cache=False)
    cust = scored.events[scored.events["actor"] == "customer"]
    assert cust["valence"].between(-1, 1).all()
    by_touchpoint = cust.groupby("touchpoint")["valence"].mean()
    assert by_touchpoint.idxmin() == "billing"
    # the model agrees with the planted emotions' sign on most texts
    agree = np.sign(cust["valence"].round(1)) == np.sign(cust["true_valence"])
    assert agree.mean() > 0.6


def test_a_fully_cached_run_never_loads_the_model(tmp_path) -> None:
    from journeymap.emotions.default import DefaultScorer

    js = jm.build_journeys(jm.datasets.service_journeys(8, seed=0))
    cache = tmp_path / "scores.sqlite"
    first = DefaultScorer()
    assert not first.loaded
    scored = jm.score(js, first, cache=cache)
    assert first.loaded
    second = DefaultScorer()
    again = jm.score(js, second, cache=cache)
    assert not second.loaded
    pd.testing.assert_frame_equal(again.events, scored.events)


def test_a_customer_message_without_text_says_why_it_has_no_score() -> None:
    df = pd.DataFrame(
        {
            "text": ["bad bill", "", "   ", None, "sorry", None],
            "actor": ["customer", "customer", "customer", "customer", "agent", "agent"],
        }
    )
    out = jm.score(df, Counting(), cache=False)
    assert out["valence"].isna().tolist() == [False, True, True, True, True, True]
    # before: NA for all four unscored customer rows, as if nothing were the matter
    assert out["score_note"].tolist() == [pd.NA, "no text", "no text", "no text", pd.NA, pd.NA]
    with_agents = jm.score(df, Counting(), cache=False, agents=True)
    assert with_agents["score_note"].tolist()[4:] == [pd.NA, "no text"]
