"""Fixes of a review of extending the emotion models (evaluation, languages, ids), each with a test that fails without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import Taxonomy
from journeymap.emotions.evaluate import evaluate
from journeymap.emotions.evaluate_labelled import evaluate_labelled
from journeymap.emotions.labelled import read_labelled
from journeymap.emotions.scorer import scorer_languages
from journeymap.emotions.transformer import _language_codes, _taxonomy_for
from journeymap.testing import ScorerCheckError
from journeymap.testing.checks import check_id, check_languages

from .test_evaluate import tiny_goemotions

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

SENTIMENT_DATA = pd.DataFrame(
    {
        "text": ["thank you", "awful", "thanks!", "awful day", "awful awful", "great"],
        "label": ["positive", "negative", "positive", "negative", "negative", "positive"],
    }
)


class Broken:
    """A sentiment-taxonomy scorer that is right, then broken in one way."""

    taxonomy = Taxonomy.sentiment()

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.id = f"broken.{mode}.v1"

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 4), np.float32)
        for i, t in enumerate(texts):
            out[i, 1 if "awful" in t else 0] = 0.9  # positive, negative, ambiguous, neutral
        if self.mode == "raise":
            raise RuntimeError("model exploded")
        return {
            "nan": np.full_like(out, np.nan),
            "outside": out * 5 - 2,
            "wide": np.hstack([out, out]),
            "fewer": out[:-1],
        }[self.mode]


class Constant:
    """Gives every text the same row."""

    def __init__(self, taxonomy: Taxonomy, row: Sequence[float], name: str = "constant.v1") -> None:
        self.id, self.taxonomy, self.row = name, taxonomy, np.asarray(row, np.float32)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(self.row, (len(texts), 1))


# ---------------------------------------------------------------- 1. evaluation checks the scorer's rows as jm.score does


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("nan", r"scorer 'broken.nan.v1' returned NaN for 6 text\(s\)"),
        ("outside", r"scorer 'broken.outside.v1' returned values outside \[0, 1\]"),
        ("wide", r"scorer 'broken.wide.v1' returned shape \(6, 8\) for 6 texts; expected \(6, 4\)"),
        ("fewer", r"scorer 'broken.fewer.v1' returned shape \(5, 4\) for 6 texts"),
        ("raise", r"scorer 'broken.raise.v1' failed on a batch of 6 text\(s\): RuntimeError: model exploded"),
    ],
)
def test_evaluate_labelled_refuses_what_score_refuses(mode: str, message: str) -> None:
    # was a metric (NaN: accuracy 0.5; 8 columns: accuracy 1.0), a numpy broadcast error, or the bare RuntimeError
    frame = pd.DataFrame({"text": SENTIMENT_DATA["text"], "actor": "customer"})
    with pytest.raises(jm.TextsFailedError):
        jm.score(frame, Broken(mode), cache=False)
    with pytest.raises(jm.TextsFailedError, match=message):
        evaluate_labelled(SENTIMENT_DATA, scorer=Broken(mode))


def test_evaluate_goemotions_refuses_nan_rows(tmp_path: Path) -> None:
    # an all-NaN scorer got macro-F1 0.0055 / Ekman 0.0408 / sentiment 0.1411
    class NaNs:
        id, taxonomy = "nan-go.v1", Taxonomy.goemotions()

        def score(self, texts: Sequence[str]) -> np.ndarray:
            return np.full((len(texts), 28), np.nan, np.float32)

    with pytest.raises(jm.TextsFailedError, match=r"scorer 'nan-go.v1' returned NaN for 3 text\(s\)"):
        evaluate(tiny_goemotions(tmp_path / "g"), scorer=NaNs())


# ---------------------------------------------------------------- 2. language codes in any case, with a region


class English:
    taxonomy = Taxonomy.sentiment()

    def __init__(self, languages: Sequence[str]) -> None:
        self.id, self.languages = "acme.lex.v1", tuple(languages)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.float32([0.9, 0.0, 0.0, 0.1]), (len(texts), 1))


ENGLISH = pd.DataFrame({"text": ["thank you so much for the quick help", "this is a great service, thanks a lot"]})


@pytest.mark.parametrize("codes", [("EN",), ("en-US",), ("En_gb", "fr")])
def test_declared_languages_are_read_in_any_case_and_without_region(codes: tuple[str, ...]) -> None:
    # every English text was left unscored ("language 'en' not covered by scorer ... (it reads EN)")
    check_languages(English(codes))
    out = jm.score(ENGLISH, English(codes), cache=False)
    assert out["lang"].tolist() == ["en", "en"]
    assert out["sentiment"].tolist() == ["positive", "positive"] and out["score_note"].isna().all()
    assert "en" in (scorer_languages(English(codes)) or ())


def test_routing_keys_are_read_in_any_case() -> None:
    out = jm.score(ENGLISH, {"EN-us": English(("EN",)), "*": English(("fr",))}, cache=False)
    assert out["sentiment"].tolist() == ["positive", "positive"] and out["score_note"].isna().all()
    one, two = English(("en",)), English(("en",))
    with pytest.raises(jm.InvalidArgumentError, match=r"scorer mapping names 'en' and 'EN', which are both language 'en'"):
        jm.score(ENGLISH, {"en": one, "EN": two}, cache=False)


def test_transformer_languages_are_normalised() -> None:
    # TransformerScorer(path, languages=["EN-us"]) kept "EN-us", which no detected code matches
    assert _language_codes(["EN-us", "en", "zh-Hant"]) == ("en", "zh")
    with pytest.raises(jm.InvalidArgumentError, match=r"languages must name at least one language code"):
        _language_codes(["-US"])
    with pytest.raises(jm.JourneyMapError, match=r"languages must be codes such as 'en' or 'en-US'"):
        jm.get_scorer(English(("-US",)))


# ---------------------------------------------------------------- 3. one label cannot be evaluated


def test_one_label_is_refused() -> None:
    # a scorer that always says joy scored accuracy 1.0 and macro-F1 1.0 on three texts labelled anger
    tax = Taxonomy.ekman()
    row = [0.0] * len(tax.labels)
    row[tax.labels.index("joy")], row[tax.labels.index("anger")] = 0.9, 0.001
    data = pd.DataFrame({"text": ["so angry", "furious!", "this is outrageous"], "label": "anger"})
    with pytest.raises(jm.InvalidArgumentError, match=r"the data has one label only \('anger'; column 'label'\)"):
        evaluate_labelled(data, scorer=Constant(tax, row))
    # sentiment decisions are not limited to the data's labels: one label is measured (always positive scores 0)
    data = pd.DataFrame({"text": ["awful", "terrible", "never again"], "label": "negative"})
    r = evaluate_labelled(data, scorer=Constant(Taxonomy.sentiment(), [0.9, 0.0, 0.0, 0.1]))
    assert r["accuracy"] == 0.0 and r["macro_f1"] == 0.0


# ---------------------------------------------------------------- 4. label_map keys read as the labels are


def test_label_map_with_number_keys() -> None:
    # {0: "negative"} matched nothing: the labels were read as text ("0"), the keys were not
    frame = pd.DataFrame({"text": ["great", "awful", "ok"], "label": [2, 0, 1]})
    data = read_labelled(frame, label_map={0: "negative", 1: "neutral", 2.0: "positive"})
    assert data.labels == [("positive",), ("negative",), ("neutral",)]
    with pytest.raises(jm.InvalidArgumentError, match=r"label_map maps 0 to 'negative' and '0' to 'neutral'"):
        read_labelled(frame, label_map={0: "negative", "0": "neutral"})


# ---------------------------------------------------------------- 5. unprintable and blank ids refused up front


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("acme\ud800.v1", r"id must be printable text \(no control characters or lone surrogates\), got 'acme\\ud800.v1'"),
        (" ", r"id must not start or end with whitespace, got ' '"),
    ],
)
def test_get_scorer_refuses_ids_check_id_refuses(name: str, message: str) -> None:
    # "acme\ud800.v1" was scored and cached, then jm.score crashed with a bare UnicodeEncodeError; " " was accepted
    scorer = Constant(Taxonomy.sentiment(), [0.9, 0.0, 0.0, 0.1], name=name)
    with pytest.raises(ScorerCheckError, match=message):
        check_id(scorer)
    with pytest.raises(jm.JourneyMapError, match=r"breaks the EmotionScorer contract: " + message):
        jm.get_scorer(scorer)
    with pytest.raises(jm.JourneyMapError, match=message):
        jm.score(ENGLISH, scorer, cache=False)


# ---------------------------------------------------------------- 6. graded sentiment scales


def test_four_level_sentiment_gets_graded_valences() -> None:
    # was -0.9, -0.8, 0.8, 0.9: the mild levels read almost as strongly as the extreme ones
    tax = _taxonomy_for(["very negative", "negative", "positive", "very positive"], None)
    assert [tax.valence[x] for x in tax.labels] == [-0.9, -0.45, 0.45, 0.9]
    five = _taxonomy_for(["Very Negative", "Negative", "Neutral", "Positive", "Very Positive"], None)
    assert [five.valence[x] for x in five.labels] == [-0.9, -0.45, 0.0, 0.45, 0.9]
    three = _taxonomy_for(["negative", "neutral", "positive"], None)  # no very level: negative is its strongest
    assert [three.valence[x] for x in three.labels] == [-0.8, 0.0, 0.8]
    mixed = _taxonomy_for(["negative", "positive", "sad"], None)  # no scale: the known valences
    assert mixed.valence["negative"] == -0.8


# ---------------------------------------------------------------- 7. a tie on two-way data is no positive


def test_two_way_tie_counts_as_wrong() -> None:
    # an all-neutral scorer got accuracy 0.75 on 3 positive and 1 negative texts (ties went to positive)
    data = pd.DataFrame({"text": ["great", "love it", "thanks", "awful"], "label": ["positive"] * 3 + ["negative"]})
    neutral = Constant(Taxonomy.sentiment(), [0.0, 0.0, 0.0, 1.0])  # valence exactly 0
    r = evaluate_labelled(data, scorer=neutral)
    assert r["accuracy"] == 0.0 and r["macro_f1"] == 0.0
    assert r["per_label"].loc["neutral", "support"] == 0
    sst2 = Taxonomy(name="sst2", labels=("negative", "positive"), valence={"negative": -1.0, "positive": 1.0})
    assert evaluate_labelled(data, scorer=Constant(sst2, [0.5, 0.5]))["accuracy"] == 0.0
    valence = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
    three = Constant(Taxonomy(name="sst3", labels=("negative", "neutral", "positive"), valence=valence), [0.2, 0.6, 0.2])
    assert evaluate_labelled(data, scorer=three)["accuracy"] == 0.0  # neutral decided, the classes tied
    leaning = Constant(three.taxonomy, [0.1, 0.6, 0.3])  # neutral decided, leaning positive: takes the larger side
    assert evaluate_labelled(data, scorer=leaning)["accuracy"] == 0.75
