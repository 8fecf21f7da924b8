"""Topics: the fixes of the second review of real use (brand handles, names, "other", inputs)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing import HashingEncoder
from journeymap.topics import OTHER, AutoKMeans, CTfidfDescriber, TopicInputError, TopicModel
from journeymap.topics._describe import DOMAIN_WORDS, english_stop_words
from journeymap.topics._inputs import as_texts
from journeymap.topics._text import clean_text
from journeymap.topics.assign import check_sample

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

from .test_topics import planted as planted_from

DOCS = Path(__file__).parents[1] / "docs" / "topics.md"

VOCAB = {
    "card": ["card", "arrive", "arrived", "delivery", "post", "mail", "waiting", "new"],
    "refund": ["refund", "money", "return", "reimburse", "credit", "owed", "payment", "cash"],
    "app": ["app", "crash", "crashes", "login", "update", "screen", "freezes", "phone"],
}
BRANDS = ["@AppleSupport", "@SpotifyCares", "@Tesco", "@VirginTrains"]


def planted(n_per: int = 30, seed: int = 0) -> tuple[list[str], list[str]]:
    """test_topics' planted texts, from this module's vocabulary (no "back": a kept domain word)."""
    return planted_from(n_per, seed, VOCAB)


def branded(texts: Sequence[str], seed: int = 0) -> tuple[list[str], list[str]]:
    """Each text addressed to a random brand, its handle three times (as long threads of replies are)."""
    rng = np.random.default_rng(seed)
    brands = [str(b) for b in rng.choice(BRANDS, size=len(texts))]
    return [f"{b} {b} {b} {t}" for b, t in zip(brands, texts)], brands


class RecordingEncoder(HashingEncoder):
    """A hashing encoder that keeps every text it is asked to encode."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.seen.extend(texts)
        return super().encode(texts)


def model(**kwargs: object) -> TopicModel:
    kwargs.setdefault("encoder", HashingEncoder())
    kwargs.setdefault("cache", False)
    return TopicModel(**kwargs)  # type: ignore[arg-type]


def nmi(a: Sequence[str], b: Sequence[str] | npt.NDArray[np.str_]) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    return float(normalized_mutual_info_score(a, b))


# -- 1. cleaning before embedding ----------------------------------------------------------------
def test_clean_text_removes_handles_links_emails_and_entities() -> None:
    raw = "@AppleSupport  @123456 my phone &amp; watch died https://t.co/x pic.twitter.com/ab1 www.x.com bit.ly/3x a@b.co"
    assert clean_text(raw) == "my phone & watch died"
    assert clean_text("@AppleSupport @12345") == ""
    assert clean_text("done.it works") == "done.it works"  # a missing space is not a link


def test_brand_handles_do_not_decide_the_topics() -> None:
    texts, truth = planted()
    tweets, brands = branded(texts)
    tm = model(n_topics=3).fit(tweets)
    assert nmi(truth, tm.labels_) > 0.8
    assert nmi(brands, tm.labels_) < 0.1
    raw = model(n_topics=3, clean=False).fit(tweets)  # what it was: the brands decide
    assert nmi(brands, raw.labels_) > nmi(truth, raw.labels_)
    same = [f"{b} card arrived post mail" for b in BRANDS]
    assigned = tm.assign(same)
    assert assigned["topic"].nunique() == 1
    assert np.ptp(assigned["topic_score"].to_numpy()) == 0


@pytest.mark.parametrize("mode", ["discovery", "zero-shot", "few-shot"])
def test_every_mode_embeds_cleaned_texts_and_quotes_them_as_written(mode: str) -> None:
    texts, truth = planted(8)
    tweets, _ = branded(texts)
    encoder = RecordingEncoder()
    kwargs: dict[str, object] = {
        "discovery": {},
        "zero-shot": {"labels": list(VOCAB)},
        "few-shot": {"examples": (tweets[::2], truth[::2])},
    }[mode]  # type: ignore[assignment]
    tm = model(encoder=encoder, **kwargs).fit(tweets)
    tm.predict(["@Tesco card arrived"])
    tm.assign(["@Tesco refund money https://t.co/x"])
    tm.transform(["@Tesco app crash"])
    tm.predict_proba(["john@doe.com app crash"])
    assert encoder.seen
    assert not [t for t in encoder.seen if "@" in t or "http" in t]
    quotes = [q for qs in tm.topic_info_["representative_texts"] for q in qs]
    assert quotes and all(q.startswith("@") for q in quotes)
    assert tm.get_params()["clean"] is True


def test_a_text_empty_after_cleaning_has_no_words() -> None:
    texts, _ = planted(5)
    tm = model().fit([*texts, "@AppleSupport", "https://t.co/abc"])
    assert tm.labels_[-2:].tolist() == [OTHER, OTHER]
    assert np.isnan(tm.topic_scores_[-2:]).all()
    assigned = model(labels=list(VOCAB)).fit(texts).assign(["@Tesco @12345"])
    assert assigned["topic"].tolist() == [OTHER] and np.isnan(assigned["topic_score"][0])


def test_the_cache_holds_the_cleaned_text(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    texts, _ = planted(5)
    tweets, _ = branded(texts)
    model(encoder=HashingEncoder(), cache=cache).fit(tweets)
    later = HashingEncoder()
    model(encoder=later, cache=cache).fit(texts)  # the same texts without handles: all cached
    assert later.n_encoded == 0


# -- 2. stop words -----------------------------------------------------------------------------
def test_customer_service_words_are_not_stop_words() -> None:
    texts = [
        "my bill is wrong",
        "why is my bill so high",
        "bill too high this month",
        "wrong bill again",
        "please call me back",
        "nobody will call me back",
        "call me back please",
        "waiting for a call back",
        "top up failed",
        "my top up didn't work",
        "top up not showing",
        "can't top up my phone",
    ]
    describer = CTfidfDescriber()
    names = describer.names(describer.keywords(texts, np.repeat([0, 1, 2], 4), 3))
    assert names[1:] == ["call back", "top up"]
    assert names[0].split()[0] == "bill"
    stop = set(english_stop_words())
    assert not stop & set(DOMAIN_WORDS)
    assert {"the", "my", "thanks"} <= stop


# -- 3. names ----------------------------------------------------------------------------------
def test_a_topic_without_keywords_is_named_after_its_most_frequent_short_text() -> None:
    texts, _ = planted(10)
    chatter = ["thanks", "thanks!", "Thanks", "hi", "ok thanks", "hello", "hey", "thank you", "ok", "okay"]
    tm = model(n_topics=4).fit(texts + chatter * 2)
    assert "topic" not in tm.topics_
    names = dict(zip(tm.topic_info_["topic"], tm.topic_info_["keywords"]))
    wordless = [name for name, kws in names.items() if not kws and name != OTHER]
    assert wordless == ["thanks"]


def test_names_never_repeat_a_word_and_links_are_not_keywords() -> None:
    texts = [
        "my order never came pic.twitter.com/abc123",
        "order missing see pic.twitter.com/xyz",
        "order lost bit.ly/3xYz",
        "email me at john.doe@gmail.com about my order",
        "contact john.doe@gmail.com order",
        "refund please",
        "refund now",
        "I want a refund",
        "refund refund",
    ]
    describer = CTfidfDescriber()
    keywords = describer.keywords(texts, np.array([0] * 5 + [1] * 4), 2)
    words = {w for kws in keywords for k in kws for w in k.split()}
    assert not words & {"pic", "twitter", "com", "bit", "ly", "john", "doe", "gmail"}
    assert all(len(set(n.split())) == len(n.split()) for n in describer.names(keywords))
    assert describer.names([["refund refund", "refund", "money"]]) == ["refund money"]


# -- 4. "other" in zero-shot and few-shot: min_score ---------------------------------------------
@pytest.mark.parametrize("mode", ["zero-shot", "few-shot"])
def test_min_score_puts_texts_that_fit_no_topic_in_other(mode: str) -> None:
    texts, truth = planted(10)
    kwargs: dict[str, object] = {"labels": list(VOCAB)} if mode == "zero-shot" else {"examples": (texts[::3], truth[::3])}
    off_topic = ["weather tomorrow sunny paris"]
    plain = model(**kwargs).fit(texts)
    assert plain.predict(off_topic).tolist() != [OTHER]  # no floor by default: a topic for every text with words
    score = float(plain.assign(off_topic)["topic_score"][0])
    floored = model(min_score=score + 1e-3, **kwargs).fit(texts)
    assert floored.predict(off_topic).tolist() == [OTHER]
    assert floored.assign(off_topic)["topic_score"][0] == pytest.approx(score)  # the score is kept
    assert floored.get_params()["min_score"] == pytest.approx(score + 1e-3)
    assert (floored.labels_ == OTHER).mean() < 0.5


def test_min_score_must_be_a_number() -> None:
    texts, _ = planted(4)
    with pytest.raises(TopicInputError, match="min_score"):
        model(labels=list(VOCAB), min_score="high").fit(texts)


# -- 5. seed=None --------------------------------------------------------------------------------
def test_seed_none_fits() -> None:
    texts, truth = planted(10)
    tm = model(seed=None).fit(texts)
    assert nmi(truth, tm.labels_) > 0.8
    assert isinstance(tm.clusterer_.seed_, int)
    X = np.random.default_rng(0).normal(size=(60, 8)).astype(np.float32)
    assert len(AutoKMeans(random_state=None, min_size=5).fit_predict(X)) == 60
    assert AutoKMeans(random_state=np.random.default_rng(1)).fit(X).seed_ >= 0
    with pytest.raises(ValueError, match="random_state"):
        AutoKMeans(random_state="zero").fit(X)  # type: ignore[arg-type]


# -- 6. inputs -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "texts", "match"),
    [
        ({}, np.array([["card lost"], ["refund please"]]), r"texts must be one-dimensional .*shape \(2, 1\)"),
        ({}, [["card lost"], ["refund please"]], "texts: item 0 is a list"),
        ({}, {"card lost", "refund"}, "texts must be an ordered sequence"),
        ({"examples": 5}, ["card"], "examples must be .* got int"),
        ({"examples": (["card lost", "my card", "refund", "money"], [1, "1", 2, 2])}, ["card"], "labels 1 and '1'"),
        ({"labels": ["refund", "Other"]}, ["card"], "not 'other'"),
        ({"labels": ["refund", "other "]}, ["card"], "not 'other'"),
        ({"labels": ["card ", "card", "refund"]}, ["card"], r"repeated: \['card'\]"),
        ({"examples": {"card": ["card lost"], "OTHER": ["app crash"]}}, ["card"], "not 'other'"),
    ],
)
def test_bad_inputs_are_topic_input_errors(kwargs: dict[str, object], texts: object, match: str) -> None:
    with pytest.raises(TopicInputError, match=match):
        model(**kwargs).fit(texts)  # type: ignore[arg-type]


def test_label_names_are_stripped_and_a_set_is_sorted() -> None:
    texts, truth = planted(4)
    assert model(labels={"refund", "card", "app"}).fit(texts).topics_ == ["app", "card", "refund"]
    tm = model(examples=(texts, [f" {t} " for t in truth])).fit(texts)
    assert sorted(tm.topics_) == sorted(VOCAB)
    assert model(examples=(texts, [len(t) % 2 for t in truth])).fit(texts).topics_ == ["0", "1"]
    assert as_texts(["a", None, 3]) == ["a", "", "3"]


# -- 7. a classifier without predict_proba -------------------------------------------------------
def test_few_shot_scores_agree_between_fit_and_assign_without_predict_proba() -> None:
    from sklearn.svm import LinearSVC

    texts, truth = planted(10)
    tm = model(examples=(texts[::3], truth[::3]), classifier=LinearSVC(dual="auto")).fit(texts)
    assigned = tm.assign(texts)
    np.testing.assert_allclose(tm.topic_scores_, assigned["topic_score"].to_numpy(), rtol=1e-6)
    assert np.isfinite(tm.topic_scores_).all()
    assert (assigned["topic"].to_numpy() == tm.labels_).all()
    svc = LinearSVC(dual="auto")  # "auto": the default from scikit-learn 1.5 (1.4 warns without it)
    two = model(examples=(texts[:60:3], truth[:60:3]), classifier=svc).fit(texts[:60])  # two classes: 1-D margins
    np.testing.assert_allclose(two.topic_scores_, two.assign(texts[:60])["topic_score"].to_numpy(), rtol=1e-6)


# -- 8. the documentation ------------------------------------------------------------------------
def test_docs_do_not_promise_a_name_and_say_where_other_comes_from() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert "-> array(['card arrive']" not in text
    assert '`predict_proba` has no `"other"` column' in text
    assert "min_score" in text and "clean=True" in text


def test_predict_may_say_other_where_predict_proba_has_no_such_column() -> None:
    texts, _ = planted(10)
    tm = model().fit(texts)
    assert OTHER not in tm.classes_
    assert tm.predict(["zebra quantum violin"]).tolist() == [OTHER]
    assert tm.predict_proba(["zebra quantum violin"]).shape == (1, len(tm.classes_))


# -- 9. small ones -------------------------------------------------------------------------------
def test_assign_topics_on_an_event_log_says_to_build_journeys() -> None:
    log = jm.datasets.service_journeys(5, seed=0)  # an EventLog, as read_twcs gives
    with pytest.raises(TypeError, match=r"build the journeys first"):
        jm.assign_topics(log, model(), sample=None)


def test_sample_of_any_integer_type() -> None:
    assert check_sample(np.int64(50)) == 50
    with pytest.raises(TopicInputError, match="sample"):
        check_sample(True)  # type: ignore[arg-type]
    js = jm.build_journeys(jm.datasets.service_journeys(20, seed=0))
    out = jm.assign_topics(js, model(), sample=np.int64(30))  # type: ignore[arg-type]
    assert out.events["topic"].notna().any()


def test_dask_assign_topics_takes_a_numpy_integer_sample() -> None:
    pytest.importorskip("dask")
    from journeymap.distributed import assign_topics, build_journeys, from_pandas

    djs = build_journeys(from_pandas(jm.datasets.service_journeys(20, seed=0), npartitions=2))
    out = assign_topics(djs, encoder=HashingEncoder(), cache=False, sample=np.int64(30)).compute()
    assert out.events["topic"].notna().any()


def test_discovery_on_one_text_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="journeymap.topics.model"):
        tm = model().fit(["refund please"])
    assert tm.topics_ == [] and tm.labels_.tolist() == [OTHER]
    assert "at least two texts with words" in caplog.text


def test_frame_of_topics_is_unchanged_in_shape() -> None:
    texts, _ = planted(5)
    info = model().fit(texts).topic_info_
    assert isinstance(info, pd.DataFrame) and list(info.columns) == ["topic", "size", "share", "keywords", "representative_texts"]


def test_a_loose_topic_takes_no_unrelated_text() -> None:
    # from a review on real threads: the TWCS sample's loose topics had floors near 0, so any text
    # at all joined one ("tell me a joke" -> "delivery slots" at 0.07)
    from .conftest import TWCS_SAMPLE

    sample = pd.read_csv(TWCS_SAMPLE, dtype=str)
    customers = sample.loc[sample["inbound"].str.lower() == "true", "text"].tolist()
    tm = TopicModel(seed=0, cache=False).fit(customers)
    junk = ["tell me a joke", "The quick brown fox jumps over the lazy dog", "My cat is sleeping on the sofa"]
    assert list(tm.predict(junk)) == [OTHER] * 3
    assert np.mean(np.asarray(tm.labels_) == OTHER) <= 0.1  # the customers' own tweets still have topics
