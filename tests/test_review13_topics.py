"""Topics: the fixes of the thirteenth review (real TWCS threads): "other" with sample=, names from one customer, errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app
from journeymap.testing import HashingEncoder
from journeymap.topics import OTHER, CTfidfDescriber, TopicInputError, TopicModel
from journeymap.topics.assign import fit_sample

from .test_topic_journeys import planted_events

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import numpy.typing as npt

runner = CliRunner()


class PlantedEncoder:
    """Texts ``"t0"``, ``"t1"``, ... mapped to planted unit vectors; any other text has no words (a zero vector)."""

    def __init__(self, vectors: npt.NDArray[np.float32]) -> None:
        self.vectors = vectors.astype(np.float32)

    @property
    def id(self) -> str:
        return f"test.planted({len(self.vectors)}x{self.dim}, {float(self.vectors.sum()):.6f})"

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            if text.startswith("t") and text[1:].isdigit():
                out[row] = self.vectors[int(text[1:])]
        return out


def loose_clusters(n_topics: int, n_per: int, dim: int, noise: float, seed: int) -> npt.NDArray[np.float32]:
    """Exchangeable texts of ``n_topics`` loose topics: centre plus a lot of noise, unit vectors, shuffled."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_topics, dim))
    X = np.repeat(centres, n_per, axis=0) + noise * rng.normal(size=(n_topics * n_per, dim))
    X = X[rng.permutation(len(X))]
    return (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)


# -- A. with sample=, a fitted text and a new one are judged the same way -------------------------
def test_a_fitted_text_is_scored_against_its_centroid_without_itself() -> None:
    X = loose_clusters(3, 8, 16, 0.9, seed=0)
    texts = [f"t{i}" for i in range(len(X))]
    tm = TopicModel(n_topics=3, encoder=PlantedEncoder(X), cache=False).fit(texts)
    raw = tm.clusterer_.labels_  # in the order the clusterer saw them: sorted by text
    order = np.argsort(np.asarray(texts, dtype=object), kind="stable")
    cluster = np.empty(len(texts), dtype=np.int64)
    cluster[order] = raw
    for i in range(len(texts)):
        others = (cluster == cluster[i]) & (np.arange(len(texts)) != i)
        rest = X[others].sum(axis=0)
        loo = float(X[i] @ rest / np.linalg.norm(rest))
        full = float(X[i] @ (rest + X[i]) / np.linalg.norm(rest + X[i]))
        assert loo < full - 0.01  # a small loose topic: its centroid leans towards each member
        # its score is the leave-one-out one, or a similarity to another topic that is higher still
        assert tm.topic_scores_[i] >= loo - 1e-5
        assert tm.topic_scores_[i] < full - 1e-3 or not np.isclose(tm.topic_scores_[i], full, atol=1e-5)
    # predict and assign give the fitted texts what labels_ and topic_scores_ say
    assert tm.predict(texts).tolist() == tm.labels_.tolist()
    np.testing.assert_allclose(tm.assign(texts)["topic_score"], tm.topic_scores_, rtol=1e-6)


def test_sampled_and_unsampled_texts_go_to_other_at_about_the_same_rate() -> None:
    # loose topics, as the TWCS sample's: with the fitted texts judged against centroids that held
    # them, 0 of the 144 sampled texts were "other" against 13 of the 144 others
    fitted_other = unseen_other = 0
    for seed in range(6):
        X = loose_clusters(3, 16, 16, 4.0, seed=seed)
        texts = [f"t{i}" for i in range(len(X))]
        tm = TopicModel(encoder=PlantedEncoder(X), cache=False, seed=seed)
        out = jm.assign_topics(pd.DataFrame({"text": texts, "actor": "customer"}), tm, sample=len(texts) // 2, seed=seed)
        fitted = np.zeros(len(texts), dtype=bool)
        fitted[fit_sample(texts, len(texts) // 2, seed)] = True
        other = out["topic"].eq(OTHER).to_numpy()
        fitted_other += int(other[fitted].sum())
        unseen_other += int(other[~fitted].sum())
        # topic_info_ says what assign_topics gave the fitted texts
        assert int(tm.topic_info_.set_index("topic").loc[OTHER, "size"]) == int(other[fitted].sum())
    assert fitted_other > 0 and unseen_other > 0
    assert abs(fitted_other - unseen_other) <= 0.5 * max(fitted_other, unseen_other) + 2, (fitted_other, unseen_other)


# -- B. names and keywords are words several customers use ---------------------------------------
def test_a_phrase_is_words_written_next_to_each_other() -> None:
    texts = [
        "telling me there are no delivery slots",
        "still telling me no delivery",
        "telling me the delivery is late",
        "delivery slots gone again",
    ] * 3
    keywords = CTfidfDescriber(n_keywords=20).keywords(texts, np.zeros(len(texts), dtype=np.int64), 1)[0]
    assert "delivery slots" in keywords
    assert "telling delivery" not in keywords  # "telling me no delivery": never written so


def test_one_customers_repeated_phrase_does_not_name_a_topic() -> None:
    texts = ["bluetooth speaker keeps dropping", "bluetooth speaker dropped again", "bluetooth speaker still broken"]
    texts += ["app keeps crashing today", "the app stopped playing", "songs will not play in the app", "app broken today"]
    who = ["ann", "ann", "ann", "bob", "cy", "dee", "eve"]
    labels = np.zeros(len(texts), dtype=np.int64)
    describer = CTfidfDescriber(n_keywords=4)
    by_text = describer.keywords(texts, labels, 1)[0]
    by_writer = describer.keywords(texts, labels, 1, groups=who)[0]
    assert "bluetooth speaker" in by_text  # bare texts: each message counts, as before
    assert not {"bluetooth", "speaker", "bluetooth speaker"} & set(by_writer)
    assert by_writer[0] == "app"
    # a topic of one writer's messages can only be named from that writer's words
    alone = describer.keywords(texts, np.array([0, 0, 0, 1, 1, 1, 1]), 2, groups=who)
    assert "bluetooth speaker" in alone[0]


def test_assign_topics_names_topics_by_words_of_several_customers() -> None:
    events = planted_events(20)
    customer = events["actor"] == "customer"
    refund = customer & events["planted_topic"].eq("refund")
    first = events.index[refund][0]
    same = events.index[refund & events["customer_id"].eq(events.at[first, "customer_id"])]
    events.loc[same, "text"] = "zebra crossing " + events.loc[same, "text"]  # one customer's own words, twice
    js = jm.build_journeys(jm.read_events(events))
    wide = CTfidfDescriber(n_keywords=30)
    tm = TopicModel(n_topics=2, encoder=HashingEncoder(), cache=False, describer=wide)
    jm.assign_topics(js, tm)
    words = {w for kws in tm.topic_info_["keywords"] for k in kws for w in k.split()}
    assert not {"zebra", "crossing"} & words
    assert not {"zebra", "crossing"} & {w for t in tm.topics_ for w in t.split()}
    table = jm.topic_summary(jm.assign_topics(js, TopicModel(n_topics=2, encoder=HashingEncoder(), cache=False)), n_keywords=30)
    assert not {"zebra", "crossing"} & {w for kws in table["keywords"] for k in kws for w in k.split()}
    bare = TopicModel(n_topics=2, encoder=HashingEncoder(), cache=False, describer=wide).fit(
        events.loc[customer, "text"].tolist()
    )
    assert {"zebra", "crossing"} & {w for kws in bare.topic_info_["keywords"] for k in kws for w in k.split()}


def test_groups_must_be_one_id_per_text() -> None:
    with pytest.raises(TopicInputError, match="groups: 2 texts but 1 groups"):
        TopicModel(encoder=HashingEncoder(), cache=False).fit(["card late", "refund"], groups=["c1"])


# -- C. clear errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("labels", [["battery", "battery "], {"battery": "a", " battery": "b"}])
def test_a_label_repeated_once_stripped_is_called_a_repeat(labels: object) -> None:
    with pytest.raises(TopicInputError, match=r"each name must be given once.*repeated: \['battery'\]"):
        TopicModel(labels=labels, encoder=HashingEncoder(), cache=False).fit(["my battery dies", "refund please"])  # type: ignore[arg-type]


def test_cli_names_a_repeated_label_and_the_n_topics_option(plugin_installed: None, tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    planted_events(20).drop(columns=["true_emotion"]).to_csv(events, index=False)
    out = tmp_path / "t.csv"
    result = runner.invoke(app, ["topics", str(events), "-o", str(out), "--labels", "a,a", "--encoder", "hashing", "--no-cache"])
    assert result.exit_code == 2 and "Error: --labels: each name must be given once; repeated: ['a']" in result.output
    args = ["topics", str(events), "-o", str(out), "--n-topics", "500", "--encoder", "hashing", "--no-cache"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "error: --n-topics 500 is more than the 40 distinct texts with words" in result.output
    assert "n_topics=" not in result.output


def test_a_describer_given_to_the_model_is_used() -> None:
    # CTfidfDescriber had no get_params, so TopicModel(describer=...) failed in sklearn's clone
    texts = ["card late again", "card lost today", "refund now please", "refund me back"] * 3
    tm = TopicModel(n_topics=2, encoder=HashingEncoder(), cache=False, describer=CTfidfDescriber(n_keywords=1)).fit(texts)
    assert all(len(k) <= 1 for k in tm.topic_info_["keywords"])
