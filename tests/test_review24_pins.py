"""Pins topic and scoring rules that no test held (the rv59 mutation review's survivors, second part)."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans  # type: ignore[import-untyped]

import journeymap as jm
from journeymap import Taxonomy
from journeymap.emotions.labelled import read_labelled
from journeymap.testing import HashingEncoder
from journeymap.topics import TopicModel
from journeymap.topics._cluster import AutoKMeans

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt
    import pytest

CARD = ["where is my card", "my card has not arrived", "card still not here", "card never came"]
REFUND = ["refund my payment", "I want a refund", "refund still pending", "refund not received"]


class AngleEncoder:
    """Texts ``"a<degrees>"`` as the unit vector at that angle in the plane: a geometry a test can plant."""

    id = "test.angle.v1"
    dim = 2

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), 2), dtype=np.float32)
        for i, text in enumerate(texts):
            angle = math.radians(float(text.strip()[1:]))
            out[i] = (math.cos(angle), math.sin(angle))
        return out


class English:
    """A plugin that reads English only: neutral for everything it reads."""

    id = "test.english.v1"
    taxonomy = Taxonomy.sentiment()
    languages = ("en",)

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), len(self.taxonomy.labels)), dtype=np.float32)
        out[:, self.taxonomy.labels.index("neutral")] = 1.0
        return out


# --- topics ---------------------------------------------------------------------------------------------------


def test_representative_texts_are_distinct_even_when_a_text_repeats() -> None:
    # M11: a text written four times is quoted once, and the next most typical texts fill the quotes
    texts = ["where is my card"] * 4 + CARD[1:3] + REFUND[:3] * 2
    tm = TopicModel(encoder=HashingEncoder(), cache=False, n_topics=2).fit(texts)
    quotes = dict(zip(tm.topic_info_["topic"], tm.topic_info_["representative_texts"]))
    card = next(q for q in quotes.values() if "where is my card" in q)
    assert sorted(card) == sorted(["where is my card", "my card has not arrived", "card still not here"])
    for q in quotes.values():
        assert len(q) == len(set(q))


def test_small_data_keeps_a_user_clusterers_clusters_of_half_the_texts() -> None:
    # M17: on 8 texts, a cluster of 4 is a topic (the size floor is at most half the texts), not merged away
    tm = TopicModel(encoder=HashingEncoder(), cache=False, clusterer=KMeans(2, n_init=10, random_state=0)).fit(CARD + REFUND)
    info = tm.topic_info_.set_index("topic")
    assert sorted(info.loc[info.index != "other", "size"].tolist()) == [4, 4]
    assert len(set(tm.labels_[:4])) == 1 and len(set(tm.labels_[4:])) == 1 and tm.labels_[0] != tm.labels_[4]


def test_zero_shot_refinement_follows_only_the_confident_half_of_a_topics_texts() -> None:
    # M12: texts a label claims only weakly (at 40-44 degrees from "east") do not drag its vector towards them;
    # with them, the boundary to "north" (the middle of the refined vectors, about 45.75 degrees) moves to about 48.5
    angles = (0, 2, 4, 6, 8, 40, 42, 44, 84, 86, 88, 90, 92)
    tm = TopicModel(encoder=AngleEncoder(), cache=False, labels={"east": "a0", "north": "a90"}, templates=["{}"])
    tm.fit([f"a{d}" for d in angles])
    assert list(tm.labels_) == ["east"] * 8 + ["north"] * 5
    assert list(tm.predict(["a44", "a45", "a47", "a48"])) == ["east", "east", "north", "north"]


def test_the_k_search_counts_as_tied_the_candidates_within_the_noise_of_a_difference() -> None:
    # K3: tied = within plateau * sqrt(2) * noise_ of the best (a difference of two runs), as AutoKMeans documents
    differs = False
    for seed in (1, 2):
        rng = np.random.default_rng(seed)
        centers = rng.normal(size=(12, 16))
        X = centers[rng.integers(0, 12, 400)] + rng.normal(scale=1.3, size=(400, 16))
        X = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)
        model = AutoKMeans(random_state=0).fit(X)
        best = max(model.scores_.values())

        def tied(width: float, m: AutoKMeans = model, top: float = best) -> tuple[int, int]:
            ks = sorted(k for k, v in m.scores_.items() if v >= top - m.plateau * width * m.noise_)
            return ks[0], ks[-1]

        assert model.noise_ > 0
        assert model.plateau_ == tied(math.sqrt(2))
        differs |= tied(math.sqrt(2)) != tied(1.0)
    assert differs  # the data are noisy enough that the sqrt(2) changes the tied range


# --- scoring --------------------------------------------------------------------------------------------------


def test_the_unscored_language_warning_counts_messages_and_names_the_distinct_texts(caplog: pytest.LogCaptureFixture) -> None:
    # S11: four customers' words unread, though only two distinct texts were sent to the detector
    spanish = "Llevo tres días sin internet y nadie me responde, es una vergüenza total"
    other = "Quiero cancelar mi contrato porque el servicio es pésimo desde hace meses"
    t = pd.Timestamp("2024-05-01 09:00", tz="UTC")
    rows = [(f"e{i}", f"c{i}", t + pd.Timedelta(minutes=i), "customer", text) for i, text in enumerate([spanish] * 3 + [other])]
    rows.append(("e9", "c9", t, "customer", "My bill is wrong again"))
    frame = pd.DataFrame(rows, columns=["event_id", "customer_id", "timestamp", "actor", "text"])
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        js = jm.score(jm.build_journeys(frame, by="customer"), English(), cache=False)
    assert js.events["score_note"].notna().sum() == 4
    warned = [r.getMessage() for r in caplog.records if "language is not covered" in r.getMessage()]
    assert warned == [
        "4 message(s) left unscored (2 distinct text(s)): their language is not covered (see the score_note column)"
    ]


def test_labels_mapped_to_one_name_are_listed_once() -> None:
    # L2: 'anger' and 'annoyance' both mapped to 'anger' give the text one label, not the same one twice
    frame = pd.DataFrame({"text": ["grr", "meh"], "labels": [["anger", "annoyance"], ["annoyance", "neutral"]]})
    data = read_labelled(frame, label="labels", label_map={"annoyance": "anger"})
    assert data.labels == [("anger",), ("anger", "neutral")]
