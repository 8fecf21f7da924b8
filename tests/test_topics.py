from __future__ import annotations

import pickle
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from journeymap import _plugins
from journeymap.emotions.cache import ScoreCache
from journeymap.exceptions import JourneyMapError
from journeymap.testing import HashingEncoder
from journeymap.topics import (
    OTHER,
    AutoKMeans,
    CTfidfDescriber,
    SentenceEncoder,
    TopicInputError,
    TopicModel,
    UnknownEncoderError,
    available_encoders,
    embed,
    get_encoder,
)
from journeymap.topics import encoders as encoders_module
from journeymap.topics._inputs import as_label_descriptions

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

PLUGIN = Path(__file__).parent / "fake_plugin"

VOCAB = {
    "card": ["card", "arrive", "arrived", "delivery", "post", "mail", "waiting", "new"],
    "refund": ["refund", "money", "back", "return", "reimburse", "credit", "owed", "payment"],
    "app": ["app", "crash", "crashes", "login", "update", "screen", "freezes", "phone"],
}


def planted(n_per: int = 30, seed: int = 0, vocab: dict[str, list[str]] | None = None) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    texts, truth = [], []
    for topic, words in (VOCAB if vocab is None else vocab).items():
        for _ in range(n_per):
            texts.append(" ".join(rng.choice(words, size=4, replace=False)))
            truth.append(topic)
    return texts, truth


def model(**kwargs: object) -> TopicModel:
    kwargs.setdefault("encoder", HashingEncoder())
    kwargs.setdefault("cache", False)
    return TopicModel(**kwargs)  # type: ignore[arg-type]


def purity(pred: list[str] | np.ndarray, truth: list[str]) -> float:
    frame = pd.DataFrame({"p": pred, "t": truth})
    return float(frame.groupby("p")["t"].agg(lambda s: s.value_counts().iloc[0]).sum() / len(frame))


# -- estimator conventions -----------------------------------------------------------------------
def test_constructor_stores_params_and_fit_returns_self() -> None:
    tm = model(n_topics=3, seed=7)
    assert tm.get_params()["n_topics"] == 3
    assert tm.get_params()["seed"] == 7
    assert not hasattr(tm, "topics_")
    texts, _ = planted()
    assert tm.fit(texts) is tm
    assert hasattr(tm, "labels_") and hasattr(tm, "topic_info_") and hasattr(tm, "topics_")


def test_get_set_params_round_trip_and_clone() -> None:
    tm = model(n_topics=3)
    tm.set_params(n_topics=4, seed=3)
    assert tm.get_params()["n_topics"] == 4
    twin = clone(tm)
    assert twin.get_params()["n_topics"] == 4 and twin.get_params()["seed"] == 3
    assert not hasattr(twin, "topics_")


def test_not_fitted_raises() -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        model().predict(["hello"])


@pytest.mark.parametrize("mode", ["discovery", "zero-shot", "few-shot"])
def test_pickle_round_trip_gives_same_predictions(mode: str) -> None:
    texts, truth = planted()
    kwargs: dict[str, object] = {}
    if mode == "zero-shot":
        kwargs["labels"] = ["card", "refund", "app"]
    if mode == "few-shot":
        kwargs["examples"] = (texts[::10], truth[::10])
    tm = model(**kwargs).fit(texts)
    assert tm.mode_ == mode
    again = pickle.loads(pickle.dumps(tm))
    probe = [*texts[:5], "card refund app", "", "🙂"]
    assert again.predict(probe).tolist() == tm.predict(probe).tolist()


def test_deterministic_for_a_seed() -> None:
    texts, _ = planted(seed=1)
    a = model(seed=5).fit(texts)
    b = model(seed=5).fit(texts)
    assert a.labels_.tolist() == b.labels_.tolist()
    pd.testing.assert_frame_equal(a.topic_info_, b.topic_info_)


# -- discovery -----------------------------------------------------------------------------------
def test_discovery_finds_planted_topics_with_readable_names() -> None:
    texts, truth = planted()
    tm = model().fit([*texts, "", "😡😡", "!!!"])
    assert tm.mode_ == "discovery"
    assert len(tm.topics_) == 3
    assert purity(tm.labels_[:-3], truth) >= 0.95
    assert tm.labels_[-3:].tolist() == [OTHER] * 3
    info = tm.topic_info_
    assert list(info.columns) == ["topic", "size", "share", "keywords", "representative_texts"]
    assert info["topic"].iloc[-1] == OTHER
    assert info["size"].sum() == len(texts) + 3
    assert info["share"].sum() == pytest.approx(1.0)
    assert info["size"].iloc[:-1].is_monotonic_decreasing
    for name, kws, quotes in zip(info["topic"][:-1], info["keywords"][:-1], info["representative_texts"][:-1]):
        assert 1 <= len(name.split()) <= 3
        assert kws and all(isinstance(k, str) for k in kws)
        assert 1 <= len(quotes) <= 3
    # every named topic is about one planted vocabulary
    for topic in tm.topics_:
        words = set(topic.split())
        assert any(words <= set(v) for v in VOCAB.values()), topic


def test_discovery_with_n_topics_and_predict_returns_strings() -> None:
    texts, truth = planted()
    tm = model(n_topics=3).fit(texts)
    pred = tm.predict(["refund money back return", "app crashes login phone", ""])
    assert pred.dtype.kind == "U"
    assert pred[-1] == OTHER
    by_truth = dict(zip(truth, tm.labels_))
    assert pred[0] == by_truth["refund"] and pred[1] == by_truth["app"]
    proba = tm.predict_proba(texts[:4])
    assert proba.shape == (4, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert tm.transform(texts[:4]).shape == (4, 3)
    assert tm.classes_.tolist() == tm.topics_


def test_discovery_outliers_go_to_other() -> None:
    texts, _ = planted()
    tm = model(n_topics=3).fit(texts)
    assert tm.predict(["zebra quantum violin orbit"]).tolist() == [OTHER]


def test_discovery_accepts_other_steps() -> None:
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    texts, truth = planted()
    tm = model(reducer=PCA(10, random_state=0), clusterer=KMeans(3, n_init=3, random_state=0)).fit(texts)
    assert purity(tm.labels_, truth) >= 0.95
    with pytest.raises(TopicInputError, match="n_topics"):
        model(n_topics=3, clusterer=_NoK()).fit(texts)


class _NoK:
    def get_params(self, deep: bool = True) -> dict[str, object]:
        return {}

    def fit_predict(self, X: np.ndarray) -> np.ndarray:
        return np.zeros(len(X), dtype=int)


def test_auto_kmeans_chooses_k() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(6, 32))
    X = np.repeat(centres, 25, axis=0) + 0.1 * rng.normal(size=(150, 32))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    ak = AutoKMeans(min_size=5).fit(X)
    assert ak.n_clusters_ == 6
    assert len(np.unique(ak.labels_)) == 6


@pytest.mark.parametrize("reduce_dims", [None, 8, 48])
def test_auto_kmeans_chooses_k_in_the_reduced_space_too(reduce_dims: int | None) -> None:
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(12, 96))
    X = np.repeat(centres, 40, axis=0) + 0.15 * rng.normal(size=(480, 96))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    ak = AutoKMeans(min_size=10, reduce_dims=reduce_dims, random_state=2).fit(X)
    assert ak.n_clusters_ == 12
    purity = pd.crosstab(ak.labels_, np.repeat(np.arange(12), 40)).max(axis=1).sum() / len(X)
    assert purity == 1.0


def test_auto_kmeans_on_a_large_sample_can_find_more_topics_than_the_sample_holds_at_min_size() -> None:
    """The largest k is n / min_size of the whole data, not of the sample (which capped 100k texts at 25 topics)."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(30, 48))
    X = np.repeat(centres, 120, axis=0) + 0.1 * rng.normal(size=(3600, 48))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    ak = AutoKMeans(min_size=60, sample_size=600, random_state=0).fit(X)  # 600 // 60 = 10 < 30
    assert ak.n_clusters_ == 30
    assert max(ak.scores_) > 10


class _PlantedSilhouette(AutoKMeans):
    """AutoKMeans whose silhouette is planted: ``curve(k)`` plus a run-to-run wobble of ``wobble``."""

    def __init__(self, curve: object = None, wobble: float = 0.0, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.curve = curve
        self.wobble = wobble

    def _kmeans(self, X: np.ndarray, k: int, init: object = "k-means++", *, run: int = 0) -> tuple[np.ndarray, np.ndarray]:
        self._run = run
        return np.arange(len(X)) % k, np.zeros((k, X.shape[1]), dtype=np.float32)

    def _silhouette(self, X: np.ndarray, labels: np.ndarray, min_size: int) -> float:
        k = len(np.unique(labels))
        return float(self.curve(k)) + self.wobble * (-1) ** self._run  # type: ignore[operator]


def _flat_curve(k: int) -> float:
    """Flat from 40 to 200 clusters, where k up to 50 happens to come out 0.004 on top; lower outside."""
    if 40 <= k <= 200:
        return 0.284 + (0.004 if k <= 50 else 0.0)
    return 0.2 - 0.01 * abs(np.log(k / 90))


def test_auto_kmeans_takes_the_middle_of_a_plateau_within_the_silhouettes_noise() -> None:
    X = np.random.default_rng(0).normal(size=(2000, 8)).astype(np.float32)
    ties = _PlantedSilhouette(_flat_curve, wobble=0.004, min_size=5, n_candidates=12, random_state=0).fit(X)
    assert ties.noise_ == pytest.approx(0.0046, abs=1e-3)  # (+w, -w, +w, -w) around the mean
    low, high = ties.plateau_
    assert low <= 50 and high >= 150
    assert 70 <= ties.n_clusters_ <= 130  # near sqrt(40 * 200) = 89, not at the edge
    # without the plateau rule, the one lucky candidate wins
    assert _PlantedSilhouette(_flat_curve, wobble=0.004, min_size=5, n_candidates=12, plateau=0).fit(X).n_clusters_ <= 50
    # a peak that stands clear of the noise is kept
    sharp = _PlantedSilhouette(lambda k: 0.9 if 40 <= k <= 50 else 0.3, wobble=0.004, min_size=5, n_candidates=12).fit(X)
    assert 40 <= sharp.plateau_[0] <= sharp.n_clusters_ <= sharp.plateau_[1] <= 50


def test_auto_kmeans_final_fit_starts_from_wards_clusters_of_the_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap.topics import _cluster

    calls: list[tuple[int, int]] = []
    ward = _cluster._ward_labels

    def spy(S: np.ndarray, k: int) -> np.ndarray:
        calls.append((len(S), k))
        return ward(S, k)

    monkeypatch.setattr(_cluster, "_ward_labels", spy)
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(8, 32))
    X = np.repeat(centres, 50, axis=0) + 0.1 * rng.normal(size=(400, 32))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    ak = AutoKMeans(min_size=10, sample_size=200, random_state=0).fit(X)
    assert calls == [(200, ak.n_clusters_)] and ak.n_clusters_ == 8
    assert pd.crosstab(ak.labels_, np.repeat(np.arange(8), 50)).max(axis=1).sum() == len(X)
    # a sample too large for Ward's distance matrix starts from the search's own clusters
    calls.clear()
    monkeypatch.setattr(_cluster, "WARD_MAX_POINTS", 100)
    assert AutoKMeans(min_size=10, sample_size=200, random_state=0).fit(X).n_clusters_ == 8
    assert calls == []


def test_ctfidf_keywords_are_distinctive() -> None:
    texts, truth = planted()
    ids = {t: i for i, t in enumerate(VOCAB)}
    kws = CTfidfDescriber(n_keywords=3).keywords(texts, np.array([ids[t] for t in truth]), 3)
    for topic, words in zip(VOCAB, kws):
        assert all(set(w.split()) <= set(VOCAB[topic]) for w in words)


def test_ctfidf_leaves_out_customer_service_chatter() -> None:
    # the chatter is all in the first topic's texts, so without the stop list it would rank there
    texts = [
        "hi just got the update, phone battery dies, thanks, help",
        "hey just updated, phone battery drains, thanks guys, help",
        "hello just the update: phone battery dead, dm, thanks, help",
        "delivery slot none left",
        "still no delivery slot",
        "the delivery slot page is empty",
    ]
    kws = CTfidfDescriber(n_keywords=4).keywords(texts, np.array([0, 0, 0, 1, 1, 1]), 2)
    words = {w for topic in kws for k in topic for w in k.split()}
    assert not words & {"hi", "hello", "hey", "just", "thanks", "help", "really", "dm", "guys", "ok", "yes", "lol"}
    assert {"phone", "battery", "update"} <= {w for k in kws[0] for w in k.split()}
    assert {"delivery", "slot"} <= {w for k in kws[1] for w in k.split()}
    assert CTfidfDescriber().names(kws)[0] in {"phone battery", "battery update", "phone update", "battery phone"}


# -- zero-shot and few-shot ----------------------------------------------------------------------
def test_zero_shot_assigns_given_names_and_descriptions() -> None:
    texts, truth = planted()
    tm = model(
        labels={"card delivery": "card arrive delivery post", "refunds": "refund money back", "app problems": "app crash login"}
    )
    pred = tm.fit_predict([*texts, ""])
    assert tm.topics_ == ["card delivery", "refunds", "app problems"]
    want = {"card": "card delivery", "refund": "refunds", "app": "app problems"}
    assert np.mean([p == want[t] for p, t in zip(pred, truth)]) >= 0.9
    assert pred[-1] == OTHER
    assert tm.topic_info_["topic"].tolist() == [*tm.topics_, OTHER]


def test_zero_shot_names_with_underscores_read_as_words() -> None:
    tm = model(labels=["card_arrival", "refund_request"], refine=0).fit(["card arrival please", "refund request now"])
    assert tm.labels_.tolist() == ["card_arrival", "refund_request"]


def test_zero_shot_identifier_style_names_read_as_words() -> None:
    # camel case, hyphens and dots, as intent sets name their labels (SNIPS: "AddToPlaylist");
    # read whole, "RefundRequest" is one unknown word and matches neither text.
    names = ["CardArrival", "RefundRequest", "app-crash", "lost.card"]
    texts = ["refund request now", "lost my card", "card arrival please", "app crash again"]
    tm = model(labels=names, refine=0).fit(texts)
    assert tm.labels_.tolist() == ["RefundRequest", "lost.card", "CardArrival", "app-crash"]
    assert as_label_descriptions(names)[1] == ["Card Arrival", "Refund Request", "app crash", "lost card"]


@pytest.mark.parametrize("form", ["frame", "columns", "pairs", "mapping"])
def test_few_shot_example_forms(form: str) -> None:
    texts, truth = planted()
    ex_texts, ex_labels = texts[::6], truth[::6]
    examples: object = {
        "frame": pd.DataFrame({"text": ex_texts, "label": ex_labels}),
        "columns": (ex_texts, ex_labels),
        "pairs": list(zip(ex_texts, ex_labels)),
        "mapping": {lab: [t for t, lb in zip(ex_texts, ex_labels) if lb == lab] for lab in VOCAB},
    }[form]
    tm = model(examples=examples).fit([*texts, "🙂"])
    assert tm.mode_ == "few-shot"
    assert sorted(tm.topics_) == sorted(VOCAB)
    assert np.mean(tm.labels_[:-1] == np.array(truth)) >= 0.9
    assert tm.labels_[-1] == OTHER
    assert tm.predict_proba(texts[:3]).shape == (3, 3)


def test_fit_with_y_is_supervised() -> None:
    texts, truth = planted()
    tm = model().fit(texts, truth)
    assert tm.mode_ == "few-shot"
    assert np.mean(tm.predict(texts) == np.array(truth)) >= 0.95


# -- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "texts", "match"),
    [
        ({}, [], "texts is empty"),
        ({}, "one string", "texts must be a sequence"),
        ({"n_topics": 50}, ["a b", "c d", "e f"], "n_topics=50 is more than the 3 distinct texts"),
        ({"n_topics": 1}, ["a b", "c d"], "n_topics must be an integer >= 2"),
        ({"labels": ["only"]}, ["a"], "labels: need at least two"),
        ({"labels": ["a", "a", "b"]}, ["a"], "labels: each name must be given once"),
        ({"labels": ["a", OTHER]}, ["a"], "reserved"),
        ({"examples": (["a", "b", "c"], ["x", "y"])}, ["a"], "examples: 3 texts but 2 labels"),
        ({"examples": (["a", "b"], ["x", "x"])}, ["a"], "examples: need at least two"),
        ({"examples": pd.DataFrame({"txt": ["a"], "label": ["x"]})}, ["a"], "examples: a DataFrame needs a 'text' column"),
        ({"examples": "text"}, ["a"], "examples must be"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, object], texts: object, match: str) -> None:
    with pytest.raises(TopicInputError, match=match) as info:
        model(**kwargs).fit(texts)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError) and isinstance(info.value, JourneyMapError)


def test_y_of_another_length() -> None:
    with pytest.raises(TopicInputError, match="y: 2 texts but 1 labels"):
        model().fit(["a", "b"], ["x"])


def test_hard_texts_never_crash() -> None:
    texts, _ = planted(n_per=10)
    hard = [
        "",
        " ",
        "😡😡😡",
        "!!!???",
        "c'est vraiment nul, personne ne répond",
        "配送が遅れています",
        "word " * 3000,
        "a\x00b\ud800",
        None,
    ]
    for kwargs in ({}, {"labels": ["card", "refund"]}):
        tm = model(**kwargs).fit([*texts, *hard])  # type: ignore[list-item]
        pred = tm.predict(hard)  # type: ignore[arg-type]
        assert len(pred) == len(hard)
        assert pred[:4].tolist() == [OTHER] * 4
        assert pred[-1] == OTHER


def test_only_wordless_texts() -> None:
    tm = model().fit(["", "🙂", "!!"])
    assert tm.labels_.tolist() == [OTHER] * 3
    assert tm.topics_ == []
    assert tm.predict(["card"]).tolist() == [OTHER]


# -- encoders: protocol, discovery, cache --------------------------------------------------------
def test_hashing_encoder_meets_the_protocol() -> None:
    enc = HashingEncoder()
    assert isinstance(enc, SentenceEncoder)
    vecs = enc.encode(["card arrived", ""])
    assert vecs.dtype == np.float32 and vecs.shape == (2, enc.dim)
    assert np.linalg.norm(vecs[0]) == pytest.approx(1.0)


def test_default_encoder_is_registered_through_the_entry_point_group() -> None:
    assert {"default", "transformer"} <= set(available_encoders())
    assert encoders_module._entry_points()["default"].value == "journeymap.topics.encoders:MiniLMEncoder"
    enc = get_encoder("default")
    assert isinstance(enc, SentenceEncoder)
    assert enc.id in {"journeymap.minilm-l6-v2.v1+onnx", "journeymap.minilm-l6-v2.v1+bf16", "journeymap.minilm-l6-v2.v1"}
    assert enc.dim == 384
    assert enc._net is None  # nothing loaded until the first encode


def test_builtins_match_pyproject() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["journeymap.encoders"] == encoders_module.BUILTIN_ENTRY_POINTS


def test_unknown_encoder_lists_available() -> None:
    with pytest.raises(UnknownEncoderError, match=r"Unknown encoder 'nope'\. Available names: .*default"):
        get_encoder("nope")


def test_encoder_plugins_are_discovered(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = {
        "hashing": EntryPoint("hashing", "journeymap.testing.encoders:HashingEncoder", encoders_module.GROUP),
        "broken": EntryPoint("broken", "journeymap.testing.checks:ADVERSARIAL_TEXTS", encoders_module.GROUP),
        "missing": EntryPoint("missing", "no_such_module:Thing", encoders_module.GROUP),
    }
    monkeypatch.setattr(_plugins, "entry_points", lambda group: list(fake.values()) if group == encoders_module.GROUP else [])
    encoders_module.refresh_encoders()
    try:
        assert {"hashing", "broken", "missing", "default"} <= set(available_encoders())
        assert get_encoder("hashing", dim=32).dim == 32
        with pytest.raises(JourneyMapError, match="encoder plugin 'broken'"):
            get_encoder("broken")
        with pytest.raises(JourneyMapError, match="could not be imported"):
            get_encoder("missing")
    finally:
        encoders_module.refresh_encoders()


def test_encoder_object_is_verified() -> None:
    enc = HashingEncoder()
    assert get_encoder(enc) is enc
    with pytest.raises(JourneyMapError, match="must be a registered name"):  # nothing of an encoder at all
        get_encoder(object())  # type: ignore[arg-type]

    class NoDim:
        id = "half.v1"

        def encode(self, texts: list[str]) -> list[list[float]]:
            return [[0.0] for _ in texts]

    with pytest.raises(JourneyMapError, match="breaks the SentenceEncoder contract"):
        get_encoder(NoDim())  # type: ignore[arg-type]


def test_embedding_cache_serves_later_models(tmp_path: Path) -> None:
    texts, _ = planted()
    path = tmp_path / "c.sqlite"
    enc = HashingEncoder()
    first = embed([*texts, texts[0]], enc, cache=path)
    assert enc.n_encoded == len(set(texts))  # duplicates encoded once
    calls = enc.calls
    second = embed(texts, enc, cache=path)
    assert enc.calls == calls  # nothing encoded the second time
    np.testing.assert_array_equal(first[:-1], second)
    TopicModel(encoder=enc, cache=path, n_topics=3).fit(texts)
    assert enc.calls == calls
    assert ScoreCache(path).get(enc.id, texts[:1], n_labels=enc.dim)[1].all()


def test_embedding_does_not_depend_on_the_order_of_the_texts() -> None:
    # bfloat16 rounds a text slightly differently in another batch (up to 0.001 per coordinate,
    # measured on Banking77 texts), so the distinct texts reach the encoder in one canonical
    # order, whatever the order they come in: the same batches, the same vectors.
    class Recording(HashingEncoder):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[list[str]] = []

        def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
            self.seen.append(list(texts))
            return super().encode(texts)

    texts = ["where is my card", "refund please", "app crash", "refund please", "Zebra"]
    forward, backward = Recording(), Recording()
    a = embed(texts, forward, cache=False)
    b = embed(texts[::-1], backward, cache=False)[::-1]
    assert forward.seen == backward.seen == [["Zebra", "app crash", "refund please", "where is my card"]]
    assert np.array_equal(a, b)
    mixed = embed([*texts, None], Recording(), cache=False)  # type: ignore[list-item]  # a non-text value sorts too
    assert mixed.shape == (6, 256)


def test_model_uses_the_default_cache_location(tmp_path: Path) -> None:
    enc = HashingEncoder()
    texts, _ = planted(n_per=10)
    TopicModel(encoder=enc, n_topics=3).fit(texts)
    calls = enc.calls
    TopicModel(encoder=enc, n_topics=2).fit(texts)
    assert enc.calls == calls


def test_real_encoder_on_a_few_texts() -> None:
    texts = [
        "my card still hasn't arrived",
        "when will my new card be delivered?",
        "the card I ordered two weeks ago is not here",
        "I want my money back for this purchase",
        "how do I get a refund?",
        "the refund has not reached my account",
        "😡😡",
    ]
    tm = TopicModel(labels=["card delivery", "refund"], cache=False).fit(texts)
    assert tm.labels_.tolist() == ["card delivery"] * 3 + ["refund"] * 3 + [OTHER]
    again = pickle.loads(pickle.dumps(tm))
    assert again.encoder_._net is None  # the torch model is not pickled
    assert again.predict(texts).tolist() == tm.labels_.tolist()


def test_fine_tuning_runs_and_changes_the_encoder() -> None:
    """One epoch on a few examples: the fine-tuned encoder differs from the base, and its id says so."""
    from journeymap.topics._finetune import fine_tune
    from journeymap.topics.encoders import get_encoder

    base = get_encoder("default")
    texts = ["my card was declined", "card got declined at the shop", "where is my refund", "refund still not here"] * 2
    labels = ["card", "card", "refund", "refund"] * 2
    tuned = fine_tune(base, texts, labels, epochs=1, batch_size=8, progress=False)
    assert tuned.id != base.id
    # trained on the float32 torch network, whatever the default runs on (ONNX Runtime, bfloat16)
    assert (tuned.base.backend, tuned.base.precision) == ("torch", "float32")  # type: ignore[attr-defined]
    assert tuned.id.startswith("journeymap.minilm-l6-v2.v1+ft-")
    before, after = base.encode(texts[:2]), tuned.encode(texts[:2])
    assert after.shape == before.shape
    assert not np.allclose(before, after)


@pytest.mark.parametrize("mode", ["discovery", "zero-shot", "few-shot"])
def test_topics_do_not_depend_on_the_order_of_the_texts(mode: str) -> None:
    # Found on the TWCS sample: its 49 customer texts gave 2 to 6 topics by row order alone.
    rng = np.random.default_rng(3)
    texts, _ = planted(n_per=12, seed=5)
    every_word = [word for words in VOCAB.values() for word in words]
    texts += [" ".join(rng.choice(every_word, size=4, replace=False)) for _ in range(20)]  # mixed topics
    texts += texts[:5]  # repeats
    options: dict[str, object] = {
        "discovery": {},
        "zero-shot": {"labels": ["card delivery", "refund money", "app crash"]},
        "few-shot": {"examples": planted(n_per=3, seed=9)},
    }[mode]
    base = model(**options).fit(texts)
    for seed in range(4):
        order = np.random.default_rng(seed).permutation(len(texts))
        shuffled = model(**options).fit([texts[i] for i in order])
        assert shuffled.labels_.tolist() == base.labels_[order].tolist()
        pd.testing.assert_frame_equal(shuffled.topic_info_, base.topic_info_)


# -- found in a review of real use (2026-12-05) --------------------------------------------------
def test_topics_without_keywords_get_distinct_names() -> None:
    assert CTfidfDescriber().names([[], [], ["card"]]) == ["topic", "topic 2", "card"]


def test_y_labels_are_checked_like_examples() -> None:
    texts, truth = planted(4)
    with pytest.raises(TopicInputError, match="y: topic names must be non-empty and not 'other'"):
        model().fit(texts, ["other" if t == "app" else t for t in truth])
    with pytest.raises(TopicInputError, match="y: every example needs a non-empty label"):
        model().fit(texts, [None, *truth[1:]])
    with pytest.raises(TopicInputError, match="y: need at least two different topics"):
        model().fit(texts, ["card"] * len(texts))


def test_a_classifier_without_predict_proba_works_in_few_shot() -> None:
    from sklearn.svm import LinearSVC

    texts, truth = planted()
    tm = model(examples=(texts[::6], truth[::6]), classifier=LinearSVC(dual="auto")).fit(texts)
    assert np.mean(tm.labels_ == np.array(truth)) >= 0.9
    proba = tm.predict_proba(texts[:5])
    assert set(np.unique(proba)) <= {0.0, 1.0} and np.allclose(proba.sum(axis=1), 1)


def test_examples_of_a_label_without_words_are_an_error_naming_it() -> None:
    texts, _ = planted(4)
    with pytest.raises(TopicInputError, match=r"no example with words for label\(s\) \['happy'\]"):
        model(
            examples=pd.DataFrame(
                {"text": ["card arrive post", "refund money back", "😀", ""], "label": ["card", "refund", "happy", "happy"]}
            )
        ).fit(texts)


def test_a_clusterer_the_user_set_up_keeps_its_min_size() -> None:
    texts, _ = planted()
    tm = model(clusterer=AutoKMeans(min_size=25)).fit(texts)
    assert tm.clusterer_.min_size == 25
    assert model(clusterer=AutoKMeans(min_size=25), min_topic_size=7).fit(texts).clusterer_.min_size == 7


def test_a_topic_of_one_repeated_text_takes_its_variants() -> None:
    tm = model().fit(["my card is late"] * 50 + ["refund my money back please"] * 50)
    assert tm.predict(["my card is late!", "My card is late"]).tolist() == [tm.labels_[0]] * 2


def test_no_quotes_when_none_are_asked_for() -> None:
    texts, _ = planted()
    tm = model(n_quotes=0).fit(texts)
    assert all(q == [] for q in tm.topic_info_["representative_texts"])


def test_n_topics_with_given_topics_and_bad_templates_are_errors() -> None:
    texts, truth = planted(4)
    with pytest.raises(TopicInputError, match="n_topics is for discovery"):
        model(labels=["card", "refund"], n_topics=5).fit(texts)
    with pytest.raises(TopicInputError, match="n_topics is for discovery"):
        model(n_topics=3).fit(texts, truth)
    with pytest.raises(TopicInputError, match="templates: each must hold exactly one"):
        model(labels=["card", "refund"], templates=["{name}"]).fit(texts)
    with pytest.raises(TopicInputError, match="templates: each must hold exactly one"):
        model(labels=["card", "refund"], templates=["about it"]).fit(texts)


def test_a_tuple_of_two_pairs_is_ambiguous_and_refused() -> None:
    with pytest.raises(TopicInputError, match="could be \\(texts, labels\\) or two \\(text, label\\) pairs"):
        model(examples=(("my card late", "card"), ("refund me", "refund"))).fit(["card late", "refund"])
    tm = model(examples=[("card arrive post", "card"), ("refund money back", "refund")]).fit(["card post", "money back"])
    assert tm.topics_ == ["card", "refund"]
