from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from journeymap import Taxonomy
from journeymap.emotions.taxonomy import EKMAN_GROUPS, GOEMOTIONS_LABELS

from .conftest import GOEMOTIONS

GO = Taxonomy.goemotions()


def test_builtins() -> None:
    assert len(GO.labels) == 28 and GO.labels[-1] == "neutral"
    assert Taxonomy.ekman().labels == ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
    assert Taxonomy.sentiment().labels == ("positive", "negative", "ambiguous", "neutral")
    grouped = sorted(m for members in EKMAN_GROUPS.values() for m in members)
    assert grouped == sorted(GOEMOTIONS_LABELS)  # every label in exactly one Ekman group
    with pytest.raises(ValueError, match="unknown taxonomy"):
        Taxonomy.builtin("plutchik")


@pytest.mark.skipif(not GOEMOTIONS.is_dir(), reason="../shared/data/goemotions is not beside the checkout")
def test_matches_the_published_mappings() -> None:
    import json

    assert tuple((GOEMOTIONS / "labels.txt").read_text().split()) == GOEMOTIONS_LABELS
    for name in ("ekman", "sentiment"):
        published = json.loads((GOEMOTIONS / f"{name}_mapping.json").read_text())
        ours = GO.groups[name]
        assert {k: sorted(v) for k, v in published.items()} == {k: sorted(v) for k, v in ours.items() if k != "neutral"}


def test_convert_takes_the_highest_member() -> None:
    p = np.zeros((2, 28), dtype=np.float32)
    p[0, GO.labels.index("annoyance")] = 0.7
    p[0, GO.labels.index("anger")] = 0.2
    p[1, GO.labels.index("gratitude")] = 0.9
    ek = GO.convert(p, "ekman")
    assert ek[0, 0] == pytest.approx(0.7) and ek[1, 3] == pytest.approx(0.9)
    se = GO.convert(p, Taxonomy.sentiment())
    assert se[0, 1] == pytest.approx(0.7) and se[1, 0] == pytest.approx(0.9)
    with pytest.raises(ValueError, match="no conversion from 'ekman'"):
        Taxonomy.ekman().convert(ek, "sentiment")
    with pytest.raises(ValueError, match="shape"):
        GO.convert(np.zeros((1, 3)), "ekman")


def test_valence() -> None:
    p = np.zeros((3, 28), dtype=np.float32)
    p[0, GO.labels.index("joy")] = 1.0
    p[1, GO.labels.index("anger")] = 0.5
    p[1, GO.labels.index("neutral")] = 0.5
    v = GO.valence_of(p)
    assert v.tolist() == pytest.approx([0.9, -0.45, 0.0])
    assert GO.dominant(p)[0] == "joy"


def test_dominant_label_agrees_with_the_sentiment() -> None:
    p = np.zeros((5, 28), dtype=np.float32)
    p[:, GO.labels.index("neutral")] = 0.8
    p[:, GO.labels.index("annoyance")] = 0.1
    p[:, GO.labels.index("anger")] = 0.05
    p[:, GO.labels.index("gratitude")] = 0.3
    p[4] = 0.0
    p[4, GO.labels.index("neutral")] = 1.0  # no label of either sign scores anything
    sentiment = ["negative", "positive", "neutral", None, "negative"]
    assert GO.dominant(p).tolist() == ["neutral", "neutral", "neutral", "neutral", "neutral"]
    assert GO.dominant(p, sentiment).tolist() == ["annoyance", "gratitude", "neutral", "neutral", "neutral"]
    missing = pd.array(["negative", pd.NA, "positive", None, "neutral"], dtype="string")  # as a frame holds it
    assert GO.dominant(p, missing).tolist() == ["annoyance", "neutral", "gratitude", "neutral", "neutral"]
    with pytest.raises(ValueError, match="sentiment has"):
        GO.dominant(p, sentiment[:2])


@given(
    arrays(np.float32, st.tuples(st.integers(0, 5), st.just(28)), elements=st.floats(0, 1, width=32)),
    st.lists(st.sampled_from(["negative", "neutral", "positive"]), min_size=5, max_size=5),
)
def test_dominant_with_a_sentiment_never_contradicts_it(p: np.ndarray, sentiment: list[str]) -> None:
    names = GO.dominant(p, sentiment[: len(p)])
    for row, name, side in zip(p, names, sentiment):
        v = GO.valence[name]
        if side == "negative" and (row[GO.valence_vector < 0] > 0).any():
            assert v < 0
        if side == "positive" and (row[GO.valence_vector > 0] > 0).any():
            assert v > 0
        if side == "neutral":
            assert row[GO.labels.index(name)] == row.max()


@given(arrays(np.float32, st.tuples(st.integers(0, 5), st.just(28)), elements=st.floats(0, 1, width=32)))
def test_valence_in_range(p: np.ndarray) -> None:
    v = GO.valence_of(p)
    assert v.shape == (p.shape[0],)
    assert ((v >= -1) & (v <= 1)).all()
    ek = GO.convert(p, "ekman")
    assert ((ek >= 0) & (ek <= 1)).all()


def test_validation() -> None:
    with pytest.raises(ValueError, match="no valence"):
        Taxonomy(name="x", labels=("a",), valence={})
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        Taxonomy(name="x", labels=("a",), valence={"a": 2.0})
