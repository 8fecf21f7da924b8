"""Topics: the fixes of the fourteenth review (scikit-learn conventions of ``TopicModel`` and ``AutoKMeans``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.testing import HashingEncoder
from journeymap.topics import OTHER, AutoKMeans, TopicInputError, TopicModel

from .test_topics_review import planted

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt


def model(**kwargs: object) -> TopicModel:
    """A topic model on the cheap hashing encoder, without the embedding cache."""
    return TopicModel(encoder=HashingEncoder(), cache=False, **kwargs)  # type: ignore[arg-type]


# -- 9. every missing value is a text without words ----------------------------------------------
@pytest.mark.parametrize("missing", [np.float32("nan"), np.float16("nan"), pd.NaT, np.datetime64("NaT"), None, pd.NA])
def test_every_missing_value_is_a_text_without_words(missing: object) -> None:
    tm = model(labels=["card", "refund"]).fit(["my card", "a refund", "card late", "refund now"])
    out = tm.assign(["card please", missing])
    assert out["topic"].tolist() == ["card", OTHER]
    assert np.isnan(out["topic_score"].iloc[1])


# -- 7. seed is checked, and named ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("seed", "error"),
    [
        ("abc", ArgumentTypeError),
        (1.5, ArgumentTypeError),
        (True, ArgumentTypeError),
        (np.random.RandomState(0), ArgumentTypeError),
        (-1, InvalidArgumentError),
        (2**32, InvalidArgumentError),
        (2**40, InvalidArgumentError),
    ],
)
@pytest.mark.parametrize(
    "mode", [{}, {"labels": ["card", "refund"]}, {"examples": {"card": ["my card"], "refund": ["a refund"]}}]
)
def test_a_bad_seed_is_refused_in_every_mode(seed: object, error: type[Exception], mode: dict[str, object]) -> None:
    texts, _ = planted(4)
    with pytest.raises(error, match=r"^seed must be None or a whole number from 0 to 2\*\*32 - 1"):
        model(seed=seed, **mode).fit(texts)


@pytest.mark.parametrize("seed", [None, 0, np.int64(7), 2**32 - 1])
def test_every_seed_in_numpys_range_fits(seed: object) -> None:
    texts, _ = planted(10)
    assert model(seed=seed).fit(texts).topics_


# -- 6. a failed fit leaves the model as it was ---------------------------------------------------
def test_a_failed_fit_leaves_an_unfitted_model_unfitted() -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    tm = model(n_topics=5)
    with pytest.raises(TopicInputError, match="n_topics=5 is more than the 3 distinct texts"):
        tm.fit(["card late", "refund please", "app crash", "card late"])
    with pytest.raises(NotFittedError):
        check_is_fitted(tm)
    assert not [a for a in vars(tm) if a.endswith("_")]


def test_a_failed_refit_keeps_the_previous_fit() -> None:
    texts, _ = planted(10)
    tm = model(n_topics=3).fit(texts)
    before = (list(tm.topics_), tm.predict(texts), sorted(vars(tm)))
    with pytest.raises(TopicInputError, match="n_topics=3 is more than the 2 distinct texts"):
        tm.fit(["card late", "refund please", "card late"])
    assert (list(tm.topics_), sorted(vars(tm))) == (before[0], before[2])
    np.testing.assert_array_equal(tm.predict(texts), before[1])


# -- 4. seed reaches the steps the user left unseeded --------------------------------------------
def test_seed_reaches_a_clusterer_left_unseeded_and_the_object_given_is_left_alone() -> None:
    from sklearn.cluster import KMeans

    texts, _ = planted(10)
    given = KMeans(3, n_init=1)
    a, b = model(seed=3, clusterer=given).fit(texts), model(seed=3, clusterer=given).fit(texts)
    assert a.clusterer_.random_state == 3 and given.random_state is None
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert model(seed=3, clusterer=KMeans(3, n_init=1, random_state=9)).fit(texts).clusterer_.random_state == 9


def test_seed_reaches_a_given_auto_kmeans_and_a_reducer() -> None:
    from sklearn.decomposition import PCA

    seen: list[object] = []

    class RecordingPCA(PCA):  # type: ignore[misc]
        def fit_transform(self, X: object, y: object = None) -> object:
            seen.append(self.random_state)
            return super().fit_transform(X, y)

    texts, _ = planted(10)
    given = RecordingPCA(5, svd_solver="randomized")
    tm = model(seed=123, clusterer=AutoKMeans(min_size=3), reducer=given).fit(texts)
    assert tm.clusterer_.seed_ == 123
    assert seen == [123] and given.random_state is None
    assert tm.fit(texts).clusterer_.seed_ == 123
    assert model(seed=5, clusterer=AutoKMeans(min_size=3)).fit(texts).clusterer_.seed_ == 5


# -- 8. AutoKMeans checks its input and parameters as KMeans does --------------------------------
@pytest.mark.parametrize(
    ("params", "X", "match"),
    [
        ({}, np.zeros((0, 8)), "0 sample"),
        ({"n_clusters": 2.5}, np.eye(4), "'n_clusters' parameter of AutoKMeans"),
        ({"n_clusters": 100}, np.eye(60), "n_clusters=100 is more than the 60 rows of X"),
        ({}, np.eye(4) + 1j, "Complex data not supported"),
        ({}, np.array([[np.nan, 1.0], [0.0, 1.0]]), "NaN"),
        ({"random_state": -1}, np.eye(4), "'random_state' parameter of AutoKMeans"),
        ({"min_size": 0}, np.eye(4), "'min_size' parameter of AutoKMeans"),
    ],
)
def test_auto_kmeans_refuses_bad_input(params: dict[str, object], X: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        AutoKMeans(**params).fit(X)  # type: ignore[arg-type]


def test_auto_kmeans_sets_n_features_in() -> None:
    rng = np.random.default_rng(0)
    assert AutoKMeans(n_clusters=2, random_state=0).fit(rng.normal(size=(20, 6))).n_features_in_ == 6


# -- 3. few-shot keeps the labels' values and type ------------------------------------------------
def test_int_labels_come_back_as_ints_and_can_be_scored() -> None:
    from sklearn.metrics import accuracy_score

    texts, truth = planted(8)
    codes = {name: i for i, name in enumerate(sorted(set(truth)))}
    y = np.asarray([codes[t] for t in truth])
    tm = model().fit(texts, y)
    assert tm.classes_.tolist() == [0, 1, 2] and tm.classes_.dtype.kind == "i"
    assert tm.topics_ == ["0", "1", "2"]
    pred = tm.predict(texts)
    assert pred.dtype.kind == "i"
    np.testing.assert_array_equal(tm.labels_, pred)
    np.testing.assert_array_equal(tm.fit_predict(texts, y), pred)
    assert accuracy_score(y, pred) > 0.9
    assert tm.topic_info_["topic"].tolist() == ["0", "1", "2", OTHER]
    # "other" (no words) is a str among the ints: an object array
    assert tm.predict(["🙂", texts[0]]).tolist() == [OTHER, y[0]]


def test_labels_with_spaces_are_predicted_as_given() -> None:
    texts, truth = planted(8)
    y = [f"{t} " for t in truth]
    tm = model().fit(texts, y)
    assert sorted(tm.classes_.tolist()) == sorted({f"{t} " for t in truth})
    assert sorted(tm.topics_) == sorted(set(truth))  # the names are stripped
    assert np.mean(tm.predict(texts) == np.asarray(y)) > 0.9
    examples = model(examples=(texts, [str(len(t)) for t in truth])).fit(texts)
    assert examples.predict(texts).dtype.kind == "U"


def test_a_label_in_examples_and_y_with_one_name_and_two_types_is_refused() -> None:
    texts, truth = planted(4)
    y = [len(t) for t in truth]
    with pytest.raises(TopicInputError, match="different values with the same name"):
        model(examples=(texts, [str(v) for v in y])).fit(texts, y)


# -- 2. a classifier: cross-validation stratifies -------------------------------------------------
def test_cross_validation_stratifies_label_ordered_texts() -> None:
    from sklearn.base import is_classifier
    from sklearn.model_selection import cross_val_score

    texts, truth = planted(12)
    order = np.argsort(truth, kind="stable")  # label-ordered: plain KFold would leave each fold's labels out of training
    X, y = [texts[i] for i in order], [truth[i] for i in order]
    tm = model()
    assert is_classifier(tm)
    try:  # discovery needs no y
        from sklearn.utils import get_tags  # scikit-learn 1.6 on
    except ImportError:  # before, the tags are a dict
        assert not tm._get_tags()["requires_y"]
    else:
        assert not get_tags(tm).target_tags.required
    scores = cross_val_score(tm, X, y, cv=4, scoring="accuracy", error_score="raise")
    assert scores.min() > 0.8
    assert cross_val_score(tm, X, y, cv=4, error_score="raise").min() > 0.8  # score(): accuracy


# -- 10. feature names: a topic model as a pandas feature step ------------------------------------
def test_feature_names_and_pandas_output_in_a_pipeline() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts, truth = planted(8)
    pipe = make_pipeline(model(labels=sorted(set(truth))), LogisticRegression()).set_output(transform="pandas")
    pipe.fit(texts, truth)
    names = pipe[:-1].get_feature_names_out()
    assert names.tolist() == pipe[0].topics_ == pipe[0].classes_.tolist()
    assert pipe[-1].feature_names_in_.tolist() == names.tolist()
    frame = pipe[0].transform(pd.Series(texts[:3], index=[5, 6, 7]))
    assert isinstance(frame, pd.DataFrame) and frame.columns.tolist() == names.tolist()
    assert frame.index.tolist() == [5, 6, 7]
    assert pipe.score(texts, truth) > 0.8


# -- 5. predict and the largest column of predict_proba/transform agree on fitted texts ----------
class VectorEncoder(HashingEncoder):
    """Given vectors for given texts (zero for any other): a geometry set up by hand."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        super().__init__(dim=3)
        self.vectors = vectors

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        rows = [self.vectors.get(t, [0.0, 0.0, 0.0]) for t in texts]
        out = np.asarray(rows, dtype=np.float32).reshape(len(texts), 3)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


class FixedClusters(BaseEstimator):  # type: ignore[misc]
    """A clusterer that gives the clusters it is told (in the model's order: the texts sorted)."""

    def __init__(self, labels: tuple[int, ...] = ()) -> None:
        self.labels = labels

    def fit_predict(self, X: object, y: object = None) -> npt.NDArray[np.int64]:
        return np.asarray(self.labels, dtype=np.int64)


def test_predict_is_the_largest_column_for_a_fitted_text_judged_without_itself() -> None:
    # "x" helped make topic A (with "a1"): with itself in A's centroid it is nearer A (0.89) than B
    # (0.75), without itself (0.6) nearer B, which is where predict puts it
    angle = np.deg2rad(94.5)
    b = [float(np.cos(angle)), float(np.sin(angle)), 0.0]
    vectors = {"a1": [1.0, 0.0, 0.0], "x": [0.6, 0.8, 0.0]} | {f"b{i}": b for i in range(5)}
    texts = list(vectors)
    tm = TopicModel(
        encoder=VectorEncoder(vectors),
        cache=False,
        clean=False,
        min_topic_size=1,
        clusterer=FixedClusters((0, 1, 1, 1, 1, 1, 0)),  # sorted: a1, b0 .. b4, x
    ).fit(texts)
    pred = tm.predict(texts)
    x = texts.index("x")
    assert pred[x] == tm.labels_[x] != OTHER
    assert pred[x] == tm.predict(["b0"])[0]  # with the b's
    proba, sims = tm.predict_proba(texts), tm.transform(texts)
    named = pred != OTHER
    np.testing.assert_array_equal(tm.classes_[proba.argmax(axis=1)][named], pred[named])
    np.testing.assert_array_equal(tm.classes_[sims.argmax(axis=1)][named], pred[named])
    assert sims[x].max() == pytest.approx(tm.assign(["x"])["topic_score"][0])
