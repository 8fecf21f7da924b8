"""Pins scoring, normalisation and evaluation rules that no test held (rv59 mutation review survivors)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from journeymap import Taxonomy
from journeymap.emotions._metrics import predict
from journeymap.emotions.cache import ScoreCache
from journeymap.emotions.evaluate import _auc
from journeymap.emotions.evaluate_labelled import _weighted_scores, compare_labelled, evaluate_labelled
from journeymap.emotions.normalize import normalize_text, strip_html

if TYPE_CHECKING:
    from pathlib import Path

# --- normalisation of emoji, emoticons, handles, links and markup ---------------------------------------------


def test_runs_of_four_repeats_are_cut_to_three() -> None:
    # N1: a character repeated 4+ times is shortened to three
    assert normalize_text("soooo late!!!!") == "sooo late!!!"


def test_emoticon_glued_to_a_word_reads_whole_with_its_brow() -> None:
    # N4: '>:(' attached to a word is the angry face, not '>' plus a frowning face
    assert normalize_text("still waiting>:(") == "still waiting angry face"


def test_email_addresses_are_not_user_handles() -> None:
    # N5: '@' inside an address is no mention
    assert normalize_text("mail ann@example.com or bob@x.org") == "mail ann@example.com or bob@x.org"


def test_variation_selector_is_dropped_after_a_non_emoji() -> None:
    # N8: U+FE0F left over after a character that is no emoji is removed
    assert normalize_text("ok\ufe0f") == "ok"
    assert normalize_text("5\ufe0f stars") == "5 stars"


def test_hr_is_a_line_break() -> None:
    # N11: <hr> separates like <br>
    assert strip_html("line one<hr>line two") == "line one\nline two"
    assert normalize_text("really<hr>bad") == "really bad"


def test_bare_www_links_are_links() -> None:
    # N18: 'www.' links are replaced like http ones
    assert normalize_text("see www.delta.com/bags please") == "see http please"


@pytest.mark.parametrize("text", ["see [link :(]", "still down :((a)", "a :(] b", ":)|"])
def test_emoticon_followed_by_bracket_or_bar_is_left_alone(text: str) -> None:
    # N19: an emoticon-like run followed by brackets/bars/backslash is punctuation, not a face
    assert normalize_text(text) == text


# --- evaluation metrics -------------------------------------------------------------------------------------------


def test_predict_probability_equal_to_threshold_is_positive() -> None:
    # E1: pred = probs >= thresholds
    assert predict(np.float32([[0.5, 0.6]]), np.float32([0.5, 0.5])).tolist() == [[True, True]]


def test_predict_empty_row_takes_best_relative_to_threshold() -> None:
    # E2: a row with no label over its threshold takes the label with the highest prob/threshold
    assert predict(np.float32([[0.3, 0.2]]), np.float32([0.6, 0.25])).tolist() == [[False, True]]


def test_auc_perfect_ranking_is_one() -> None:
    # E7: Mann-Whitney AUC; a perfect ranking gives 1.0
    assert _auc(np.float32([0.9, 0.1, 0.5]), np.array([True, False, False])) == pytest.approx(1.0)


def test_weighted_macro_f1_averages_over_present_labels() -> None:
    # EL1: a label with zero weight (absent) does not drag the macro F1 down
    names = np.array(["a", "b", "c"], object)
    scores = [float(x[0]) for x in _weighted_scores(names, names, np.array([[1.0, 1.0, 0.0]]))]
    assert scores == [1.0, 1.0]


class _Fixed:
    taxonomy = Taxonomy.ekman()
    column = 0
    id = "stub.fixed.v1"

    def score(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 7), np.float32)
        out[:, self.column] = 0.9
        return out


class _Fear(_Fixed):
    id = "stub.fear.v1"
    column = 2


class _Joy(_Fixed):
    id = "stub.joy.v1"
    column = 3


class _Anger(_Fixed):
    id = "stub.anger.v1"
    column = 0


def test_multi_label_cell_scored_wrong_counts_against_its_first_sorted_label() -> None:
    # EL5: a wrong prediction on 'joy,anger' counts against min(cell) = 'anger'
    data = pd.DataFrame({"text": ["mixed feelings", "scared", "scary"], "label": ["joy,anger", "fear", "fear"]})
    r = evaluate_labelled(data, scorer=_Fear(), level="ekman", n_boot=0)
    assert r["predictions"]["truth"].tolist()[0] == "anger"


def test_compare_labelled_counts_b_right_against_its_own_truth() -> None:
    # EL9: on a two-label cell both are right by different labels; only the single-label rows separate them
    cd = pd.DataFrame({"text": ["love and hate", "meh thing", "ugh thing"], "label": ["joy,anger", "joy", "anger"]})
    ra = evaluate_labelled(cd, scorer=_Joy(), level="ekman", n_boot=0)
    rb = evaluate_labelled(cd, scorer=_Anger(), level="ekman", n_boot=0)
    c = compare_labelled(ra, rb, n_boot=0)
    assert (c["a_only"], c["b_only"]) == (1, 1)


# --- cache keys ---------------------------------------------------------------------------------------------------


def test_cache_rows_written_under_other_label_order_are_not_served(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # C2: rewriting a scorer with its labels in another order drops the rows stored under the old order
    caplog.set_level(logging.ERROR)
    c = ScoreCache(tmp_path / "a.sqlite")
    c.put("s.v1", ["x"], np.float32([[0.1, 0.9]]), labels=["a", "b"])
    c.put("s.v1", ["y"], np.float32([[0.5, 0.5]]), labels=["b", "a"])
    _out, found = c.get("s.v1", ["x"], n_labels=2, labels=["b", "a"])
    assert found.tolist() == [False]


# --- notes, language routing, actors, registry --------------------------------------------------------------------


class _Ekman:
    id = "stub.ekman.v1"
    taxonomy = Taxonomy.ekman()

    def score(self, texts: list[str]) -> np.ndarray:
        return np.tile(np.float32([0.3, 0, 0, 0, 0, 0, 0.7]), (len(texts), 1))


class _Multi:
    id = "stub.multi.v1"
    taxonomy = Taxonomy.ekman()

    def score(self, texts: list[str]) -> np.ndarray:
        return np.tile(np.float32([0, 0, 0, 0.9, 0, 0, 0.1]), (len(texts), 1))


def test_wordless_text_gets_the_no_words_note(caplog: pytest.LogCaptureFixture) -> None:
    # S10: a text of only a handle and a link is unscored with the 'no words' note
    import journeymap as jm
    from journeymap.emotions.score import NO_WORDS

    caplog.set_level(logging.ERROR)
    texts = ["@AppleSupport https://t.co/x", "broken again"]
    r = jm.score(pd.DataFrame({"actor": ["customer"] * 2, "text": texts}), _Ekman(), cache=False)
    assert r["score_note"].iloc[0] == NO_WORDS
    assert pd.isna(r["emotion"].iloc[0])


def test_undetermined_language_goes_to_the_english_scorer(caplog: pytest.LogCaptureFixture) -> None:
    # S14: 'und' texts go to the 'en' scorer even when '*' is listed first
    import journeymap as jm

    caplog.set_level(logging.ERROR)
    texts = ["I am so angry with this bank", "Estoy muy enfadado con este banco, nunca más", "ok"]
    r = jm.score(pd.DataFrame({"text": texts}), {"*": _Multi(), "EN": _Ekman()}, cache=False)
    assert r["lang"].iloc[2] == "und"
    assert r["scorer"].iloc[2] == "stub.ekman.v1"


def test_bot_and_system_rows_are_not_scored(caplog: pytest.LogCaptureFixture) -> None:
    # S18: only customer texts are scored; bot and system messages are not the customer's
    import journeymap as jm

    caplog.set_level(logging.ERROR)
    df = pd.DataFrame({"actor": ["customer", "bot", "system"], "text": ["so angry", "Your ticket was created", "closed"]})
    r = jm.score(df, _Ekman(), cache=False)
    assert r["emotion"].isna().tolist() == [False, True, True]


def test_plugin_without_a_taxonomy_object_is_refused() -> None:
    # R1: a scorer whose taxonomy is a tuple breaks the contract
    import journeymap as jm
    from journeymap.exceptions import PluginError

    class NoTax:
        id = "bad.v1"
        taxonomy = ("anger", "joy")

        def score(self, texts: list[str]) -> np.ndarray:
            return np.zeros((len(texts), 2), np.float32)

    with pytest.raises(PluginError, match="taxonomy"):
        jm.get_scorer(NoTax())


def test_language_outside_the_covered_set_keeps_its_code_below_the_confidence_floor() -> None:
    # LG1: a confident-enough floor only turns covered languages into 'und'; an uncovered one keeps its
    # code so that it is reported as unscored for its language
    from journeymap.emotions.language import detect_languages

    # Swahili is outside the covered set; py3langid (0.2 and 0.4) names it at a probability just under 1
    text = (
        "Kifurushi changu kimepotea kwa wiki moja na hakuna mtu katika kampuni anayetaka kunisaidia hata kidogo, nimechoka sana"
    )
    assert detect_languages([text], min_confidence=1.0) == ["sw"]


class _Calibrated:
    id = "stub.calibrated2.v1"
    taxonomy = Taxonomy.sentiment()
    outputs = ("sentiment_negative", "sentiment_neutral", "sentiment_positive")
    sentiment_prior = (0.32, 0.49, 0.19)
    languages = ("en",)

    def score(self, texts: list[str]) -> np.ndarray:
        return self.score_outputs(texts)[:, :4]

    def score_outputs(self, texts: list[str]) -> np.ndarray:
        return np.tile(np.float32([0.05, 0.30, 0.0, 0.65, 0.39, 0.57, 0.04]), (len(texts), 1))


def test_conversation_emotion_follows_the_service_prior_sentiment(caplog: pytest.LogCaptureFixture) -> None:
    # S22: in a customer-service conversation the dominant emotion agrees with the service-prior sentiment
    import journeymap as jm

    caplog.set_level(logging.ERROR)
    conv = pd.DataFrame({"actor": ["customer", "agent"], "text": ["never flying with you again", "sorry to hear"]})
    r = jm.score(conv, _Calibrated(), cache=False)
    assert r["sentiment"].iloc[0] == "negative"
    assert r["emotion"].iloc[0] == "negative"


# --- batching and evaluation with a scorer's own column order ----------------------------------------------------


def test_forward_sorted_turns_nan_rows_into_zeros() -> None:
    # B7: a NaN output (an fp16 overflow) becomes 0
    torch = pytest.importorskip("torch")
    from journeymap.emotions._batching import forward_sorted

    def forward(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = torch.ones((ids.shape[0], 3))
        out[ids[:, 0] == 7] = float("nan")
        return out

    rows = forward_sorted([[1, 2], [7, 3, 4]], forward=forward, pad_id=0, batch_size=8, device=torch.device("cpu"))
    assert rows.tolist() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]


def test_score_sorted_clips_to_unit_range() -> None:
    # B15: out-of-range outputs of a model are clipped to [0, 1]
    torch = pytest.importorskip("torch")
    from journeymap.emotions._batching import score_sorted

    def tokenizer(texts: list[str], truncation: bool, max_length: int) -> dict[str, list[list[int]]]:
        return {"input_ids": [[1, 2, 3] for _ in texts]}

    def forward(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = torch.full((ids.shape[0], 7), 1.5)
        out[:, 1] = -0.5
        return out

    rows = score_sorted(
        ["so angry"],
        tokenizer=tokenizer,
        forward=forward,
        taxonomy=Taxonomy.ekman(),
        batch_size=4,
        max_length=16,
        device=torch.device("cpu"),
        pad_id=0,
    )
    assert rows.min() == 0.0 and rows.max() == 1.0


def test_spaces_between_invisible_characters_are_no_text(caplog: pytest.LogCaptureFixture) -> None:
    # B12: zero-width characters separated by spaces are no visible text
    import journeymap as jm
    from journeymap.emotions._batching import visible_texts

    caplog.set_level(logging.ERROR)
    t = pd.Series(["\u200b \u200b", "\ufeff\u00a0\ufeff", "hi"], dtype="string")
    assert visible_texts(t).tolist() == [False, False, True]
    r = jm.score(pd.DataFrame({"actor": "customer", "text": t}), _Ekman(), cache=False)
    assert r["score_note"].iloc[0] == "no text"


def test_evaluate_reads_a_scorers_own_thresholds_in_its_own_column_order(tmp_path: Path) -> None:
    # E6: own thresholds are given in the scorer's column order and must be reordered to the data's
    from journeymap.emotions.evaluate import evaluate
    from journeymap.emotions.taxonomy import GOEMOTIONS_LABELS, GOEMOTIONS_VALENCE

    (tmp_path / "labels.txt").write_text("\n".join(GOEMOTIONS_LABELS) + "\n")
    rows = ["I am furious\t2\tx1", "thank you so much\t15\tx2", "ok then\t27\tx3", "so angry right now\t2\tx4"]
    for s in ("train", "dev", "test"):
        (tmp_path / f"{s}.tsv").write_text("\n".join(rows) + "\n")
    order = tuple(reversed(GOEMOTIONS_LABELS))

    class Rev:
        id = "stub.reversed.v1"
        taxonomy = Taxonomy(name="goemotions", labels=order, valence=GOEMOTIONS_VALENCE)
        thresholds = tuple(0.3 if lab == "anger" else 0.9 if lab == "sadness" else 0.5 for lab in order)

        def score(self, texts: list[str]) -> np.ndarray:
            out = np.zeros((len(texts), 28), np.float32)
            for i, t in enumerate(texts):
                angry = "furious" in t or "angry" in t
                out[i, order.index("anger" if angry else "gratitude" if "thank" in t else "neutral")] = 0.6
                if angry:
                    out[i, order.index("sadness")] = 0.4
            return out

    r = evaluate(tmp_path, split="test", scorer=Rev(), levels=("goemotions",))["goemotions"]
    assert r["per_label"].loc["anger", "threshold"] == pytest.approx(0.3)
    assert r["per_label"].loc["anger", "f1"] == pytest.approx(1.0)


# --- topics -------------------------------------------------------------------------------------------------------


def test_keywords_count_each_ungrouped_text_as_its_own_writer() -> None:
    # D8: texts without a group are each their own writer, so words two of them share still count
    from journeymap.topics._describe import CTfidfDescriber

    texts = ["my parcel is late", "parcel late again", "refund please", "refund still pending"]
    words = CTfidfDescriber(n_keywords=4).keywords(texts, np.zeros(4, dtype=np.int64), 1, groups=[None, None, "bob", "cy"])
    assert "parcel" in words[0] and "late" in words[0]


def test_a_topic_named_other_is_renamed_away_from_the_noise_name() -> None:
    # D9: 'other' is reserved for the noise topic
    from journeymap.topics._describe import CTfidfDescriber

    assert CTfidfDescriber().names([["other"], ["card", "late"]]) == ["other 2", "card late"]


def test_topics_are_numbered_largest_first(caplog: pytest.LogCaptureFixture) -> None:
    # M7: topic_info_ lists topics by size, largest first (noise last)
    from journeymap.testing import HashingEncoder
    from journeymap.topics import TopicModel

    caplog.set_level(logging.ERROR)
    texts = (
        ["where is my card"] * 3
        + ["my card has not arrived", "card still not here"]
        + ["refund my payment", "I want a refund"] * 6
        + ["refund still pending"]
    )
    tm = TopicModel(encoder=HashingEncoder(), cache=False, n_topics=2).fit(texts)
    sizes = [s for t, s in tm.topic_info_[["topic", "size"]].values.tolist() if t != "other"]
    assert sizes == sorted(sizes, reverse=True)


def test_bootstrap_interval_uses_two_sided_tails() -> None:
    # EL2: a 95% interval cuts 2.5% off each side
    from journeymap.emotions.evaluate_labelled import _intervals

    rng = np.random.default_rng(0)
    t = rng.choice(["a", "b"], 60).astype(object)
    p = np.where(rng.random(60) < 0.7, t, "a").astype(object)
    boot = _intervals(t, p, 500, 0.95, 0)
    assert boot.loc["accuracy", "low"] == pytest.approx(0.75, abs=1e-3)
    assert boot.loc["accuracy", "high"] == pytest.approx(0.933, abs=1e-3)


class _Go:
    id = "stub.go.v1"
    taxonomy = Taxonomy.goemotions()
    thresholds = tuple([0.3] * 28)

    def score(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 28), np.float32)
        out[:, 2] = 0.8
        out[:, 17] = 0.4
        return out


def test_scorer_thresholds_are_not_used_at_another_level() -> None:
    # EL7: a GoEmotions scorer's own thresholds are for its 28 labels, not for the Ekman level
    md = pd.DataFrame({"text": ["grr and yay", "grr", "yay yay"], "label": ["anger,joy", "anger", "joy"]})
    r = evaluate_labelled(md, scorer=_Go(), level="ekman", n_boot=0)
    assert r["multilabel"]["thresholds_from"] != "scorer"
    assert r["multilabel"]["thresholds"].tolist() == [0.5, 0.5]


def test_representative_texts_are_the_closest_to_the_centroid_first() -> None:
    # M10: quotes are the members most similar to their topic's centroid, most similar first
    from journeymap.testing import HashingEncoder
    from journeymap.topics import TopicModel

    tm = TopicModel(encoder=HashingEncoder(), cache=False)
    docs = ["far away", "right on", "in between"]
    X = np.float32([[0.0, 1.0], [1.0, 0.0], [0.7, 0.7]])
    quotes = tm._quotes(docs, X, np.float32([[1.0, 0.0]]), np.zeros(3, dtype=np.int64))
    assert quotes[0][:2] == ["right on", "in between"]


def test_silhouette_counts_members_of_small_clusters_as_zero() -> None:
    # K2: clusters under min_size count as singletons (silhouette 0), so tiny tight clusters win nothing
    pytest.importorskip("sklearn")
    from journeymap.topics._cluster import AutoKMeans

    X = np.float32([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    labels = np.array([0, 0, 1, 1], dtype=np.int64)
    assert AutoKMeans()._silhouette(X, labels, 3) == 0.0
    assert AutoKMeans()._silhouette(X, labels, 2) > 0.5


def test_auto_kmeans_tries_at_most_half_the_sample_as_clusters(caplog: pytest.LogCaptureFixture) -> None:
    # K1: no more clusters than half the (sampled) points, so each cluster can hold two texts
    pytest.importorskip("sklearn")
    from journeymap.topics._cluster import AutoKMeans

    caplog.set_level(logging.ERROR)
    X = np.random.default_rng(0).normal(size=(12, 8)).astype(np.float32)
    km = AutoKMeans(min_size=1, reduce_dims=None, random_state=0).fit(X)
    assert max(km.scores_) <= 6
