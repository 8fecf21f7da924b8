"""Topics: the fixes of the sixteenth review (``TopicModel`` as a scikit-learn estimator on real customer text)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import log_loss, top_k_accuracy_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC
from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.exceptions import InvalidArgumentError
from journeymap.testing import HashingEncoder
from journeymap.topics import TopicInputError, TopicModel

from .test_topic_journeys import planted_events

if TYPE_CHECKING:
    from pathlib import Path

WORDS = ["card", "refund", "transfer", "pin", "atm", "fee", "cash", "app", "limit", "visa", "crypto", "cheque"]
#: 12 intents of 6 texts each, with int labels 0..11 (as Banking77 comes on Hugging Face)
TEXTS = [f"{w} {w} question {i}" for w in WORDS for i in range(6)]
Y = np.repeat(np.arange(len(WORDS)), 6)


def model(**kwargs: object) -> TopicModel:
    """A topic model on the cheap hashing encoder, without the embedding cache."""
    return TopicModel(encoder=HashingEncoder(), cache=False, **kwargs)  # type: ignore[arg-type]


# -- 1. few-shot classes_ (and the probability columns) in np.unique(y) order ---------------------
def test_int_labels_give_classes_in_numeric_order_and_sklearn_metrics_agree() -> None:
    tm = model().fit(TEXTS, Y)
    assert tm.classes_.tolist() == np.unique(Y).tolist()  # before: [0, 1, 10, 11, 2, ...]
    assert tm.topics_ == [str(c) for c in np.unique(Y)]
    assert tm.get_feature_names_out().tolist() == tm.topics_
    P = tm.predict_proba(TEXTS)
    assert (tm.classes_[P.argmax(axis=1)] == tm.predict(TEXTS)).all()
    assert np.allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)  # log_loss warns at 1e-7 off
    assert top_k_accuracy_score(Y, P, k=1) == 1.0  # before: 0.167
    assert log_loss(Y, P, labels=tm.classes_) < 0.5  # before: 3.9
    # transform's columns are classes_ too: each text is most like its own class's centroid
    assert (tm.classes_[tm.transform(TEXTS).argmax(axis=1)] == Y).all()


def test_cross_val_score_with_log_loss_reads_the_right_columns() -> None:
    scores = cross_val_score(model(), np.asarray(TEXTS), Y, cv=3, scoring="neg_log_loss")
    assert scores.min() > -0.5  # before: about -3.6


def test_str_labels_differing_in_spaces_are_in_np_unique_order() -> None:
    y = np.where(Y % 2 == 0, " zebra", "apple")
    tm = model().fit(TEXTS, y)
    assert tm.classes_.tolist() == np.unique(y).tolist() == [" zebra", "apple"]  # before: ['apple', ' zebra']
    assert tm.topics_ == ["zebra", "apple"]
    P = tm.predict_proba(TEXTS)
    assert (tm.classes_[P.argmax(axis=1)] == tm.predict(TEXTS)).all()


def test_classifier_without_predict_proba_gives_one_hot_columns_in_classes_order() -> None:
    tm = model(classifier=LinearSVC(dual="auto")).fit(TEXTS, Y)
    assert tm.classes_.tolist() == np.unique(Y).tolist()
    P = tm.predict_proba(TEXTS)
    assert (tm.classes_[P.argmax(axis=1)] == tm.predict(TEXTS)).all()
    assert (tm.predict(TEXTS) == Y).all()


# -- 2. a scipy sparse matrix is not texts --------------------------------------------------------
def test_sparse_matrix_is_refused_as_texts() -> None:
    with pytest.raises(TopicInputError, match=r"texts must be raw texts .* sparse matrix of shape \(12, 12\)"):
        model().fit(sp.csr_matrix(np.eye(12)))
    fitted = model(labels=["card", "refund"]).fit(["my card", "a refund"])
    with pytest.raises(TopicInputError, match="sparse matrix"):
        fitted.predict(sp.csr_matrix(np.eye(3)))
    with pytest.raises(TopicInputError, match="item 0 is a"):  # a list of sparse rows
        fitted.predict(list(sp.csr_matrix(np.eye(2))))


def test_vectorizer_before_a_topic_model_in_a_pipeline_is_refused() -> None:
    pipe = make_pipeline(TfidfVectorizer(), model())
    with pytest.raises(TopicInputError, match="put TopicModel first"):
        pipe.fit(TEXTS)


# -- 3. a dict is not read as its keys -------------------------------------------------------------
@pytest.mark.parametrize("method", ["predict", "assign", "transform", "predict_proba"])
def test_dict_of_texts_is_refused_not_read_as_its_keys(method: str) -> None:
    tm = model(labels=["card", "refund"]).fit(["my card is lost", "refund please", "I want a refund"])
    with pytest.raises(TopicInputError, match=r"not a dict .*list\(d\.values\(\)\)"):
        getattr(tm, method)({"a": "my refund", "b": "my refund"})
    # the values as a Series keep the keys as the index
    assert tm.assign(pd.Series({"a": "my refund"})).index.tolist() == ["a"]


def test_dict_of_texts_is_refused_by_fit() -> None:
    msgs = {"ticket-1": "my card is lost", "ticket-2": "refund please", "ticket-3": "I want a refund"}
    with pytest.raises(TopicInputError, match="read as its keys"):
        model().fit(msgs)
    with pytest.raises(TopicInputError, match=r"^y must be"):
        model().fit(list(msgs.values()), {"ticket-1": "card", "ticket-2": "refund", "ticket-3": "refund"})


# -- 4. zero-shot names differing only in case are repeats ----------------------------------------
@pytest.mark.parametrize("labels", [["Card", "card", "refund"], {"Card": "card issues", " CARD": "cards", "refund": ""}])
def test_labels_differing_only_in_case_are_repeated(labels: object) -> None:
    with pytest.raises(TopicInputError, match=r"repeated: \['(Card|CARD)', '(Card|card)'\]"):
        model(labels=labels).fit(["my card is lost", "refund please"])
    # few-shot labels are values as given: "Card" and "card" stay two classes
    tm = model().fit(["my card", "card lost", "refund now", "a refund"], ["Card", "Card", "card", "card"])
    assert tm.classes_.tolist() == ["Card", "card"]


# -- 5. score without y says what to do ------------------------------------------------------------
def test_score_without_y_says_scoring_is_needed() -> None:
    tm = model().fit(TEXTS)
    with pytest.raises(InvalidArgumentError, match=r"y is required.*scoring="):
        tm.score(TEXTS)


def test_cross_val_score_in_discovery_surfaces_the_message() -> None:
    with pytest.raises(InvalidArgumentError, match="y is required"):
        cross_val_score(model(), TEXTS, cv=2, error_score="raise")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = GridSearchCV(model(), {"n_topics": [2, 6]}, cv=2).fit(TEXTS)
    assert np.isnan(search.cv_results_["mean_test_score"]).all()
    assert any("Scoring failed" in str(w.message) and "pass scoring= a callable" in str(w.message) for w in caught)

    # what the message asks for works: a scorer of one's own that needs no labels
    def share_in_topics(tm: TopicModel, texts: list[str], y: object = None) -> float:
        return float((tm.predict(texts) != "other").mean())

    search = GridSearchCV(model(), {"n_topics": [2, 6]}, cv=2, scoring=share_in_topics).fit(TEXTS)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_cli_labels_differing_only_in_case_are_repeated(plugin_installed: None, tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    planted_events(20).drop(columns=["true_emotion"]).to_csv(events, index=False)
    args = ["topics", str(events), "-o", str(tmp_path / "t.csv"), "--labels", "Card,refund,card", "--encoder", "hashing"]
    result = CliRunner().invoke(app, [*args, "--no-cache"])
    assert result.exit_code == 2  # a wrong command line (rv49)
    assert "Error: --labels: each name must be given once; repeated: ['Card', 'card']" in result.output
    (tmp_path / "labels.txt").write_text("Card: card problems\nrefund\ncard: cards\n", encoding="utf-8")
    args = ["topics", str(events), "-o", str(tmp_path / "t.csv"), "--labels-file", str(tmp_path / "labels.txt")]
    result = CliRunner().invoke(app, [*args, "--encoder", "hashing", "--no-cache"])
    assert result.exit_code == 1
    assert "error: --labels-file: topic 'card' is named twice" in result.output
