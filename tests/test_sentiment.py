"""Sentiment, irony, language routing, emoji normalisation and long-text windows (issue #15).

Most tests use planted scorers (no model): the columns, the routing, the cache. The few that load
the default model (marked by the ``default_scorer`` fixture) check the probe set's directions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import Taxonomy
from journeymap.emotions._batching import split_windows
from journeymap.emotions.language import detect_languages
from journeymap.emotions.normalize import normalize_text
from journeymap.emotions.score import sentiment_from_valence
from journeymap.emotions.scorer import SentimentScorer
from journeymap.schema import EMOTION_COLUMNS, is_score_column

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from journeymap.emotions.default import DefaultScorer

NEG, NEU, POS = 0, 1, 2


class PlainEnglish:
    """A taxonomy-only plugin that declares it reads English: 'bad' negative, else positive."""

    id = "test.plain-en.v1"
    taxonomy = Taxonomy.sentiment()
    languages = ("en",)

    def __init__(self) -> None:
        self.seen: list[str] = []

    def score(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        out = np.zeros((len(texts), 4), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, 1 if "bad" in t or "mal" in t else 0] = 1.0
        return out


class Multilingual(PlainEnglish):
    """A plugin for any language (no ``languages`` attribute), another id."""

    id = "test.multi.v1"
    languages = None  # type: ignore[assignment]


class Planted:
    """A SentimentScorer: GoEmotions labels plus planted sentiment, irony and unread tokens."""

    id = "test.planted-sentiment.v1"
    taxonomy = Taxonomy.goemotions()
    languages = ("en",)
    outputs = ("sentiment_negative", "sentiment_neutral", "sentiment_positive", "irony", "unread_tokens")

    def __init__(self) -> None:
        self.calls = 0

    def score_outputs(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        k = len(self.taxonomy.labels)
        out = np.zeros((len(texts), k + 5), dtype=np.float32)
        out[:, self.taxonomy.labels.index("gratitude")] = 0.9  # the GoEmotions head reads "thanks" as praise
        out[:, self.taxonomy.labels.index("annoyance")] = 0.1
        for i, t in enumerate(texts):
            sent = NEG if "delay" in t else POS
            out[i, k + sent] = 0.8
            out[i, k + NEU] += 0.2
            out[i, k + 3] = 0.7 if "great" in t else 0.1
            out[i, k + 4] = 5.0 if "long" in t else 0.0
        return out

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return self.score_outputs(texts)[:, : len(self.taxonomy.labels)]


def frame(texts: Sequence[str | None]) -> pd.DataFrame:
    return pd.DataFrame({"text": pd.array(texts, dtype="string"), "actor": "customer"})


def test_new_columns_are_registered() -> None:
    for col in ("sentiment", "irony", "lang", "score_note"):
        assert col in EMOTION_COLUMNS
        assert is_score_column(col)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("😡😡😡", "enraged face enraged face enraged face"),
        ("😍👍", "smiling face with heart-eyes thumbs up"),
        ("👍🏽", "thumbs up"),
        ("thanks for nothing 😡", "thanks for nothing enraged face"),
        ("so late :( :-(", "so late frowning face frowning face"),
        ("love it <3", "love it red heart"),
        ("see http://x.co/a:b and 10:30", "see http and 10:30"),
        ("@AmericanAir noooooo!!!!!!", "@user nooo!!!"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected
    assert normalize_text(expected) == expected  # idempotent


def test_detect_languages_on_probes() -> None:
    texts = [
        "never flying with you again",
        "Mi vuelo lleva tres horas de retraso, qué vergüenza",
        "Vol annulé, merci pour rien",
        "Wo ist mein Koffer? Das ist eine Katastrophe",
        "我的航班又延误了",
        "😡😡😡",
        "ok",
        "@user https://t.co/x",
    ]
    assert detect_languages(texts) == ["en", "es", "fr", "de", "zh", "und", "und", "und"]


def test_windows_cover_every_token_and_count_what_is_not_read() -> None:
    text = list(range(100, 400))
    windows, owner, unread = split_windows([text, [7]], max_length=66, cls_id=1, sep_id=2, max_windows=32)
    read = {tok for w, o in zip(windows, owner) if o == 0 for tok in w[1:-1]}
    assert read == set(text) and unread.tolist() == [0, 0]
    assert all(len(w) <= 66 and w[0] == 1 and w[-1] == 2 for w in windows)
    _, _, unread = split_windows([text], max_length=66, cls_id=1, sep_id=2, max_windows=2)
    assert unread.tolist() == [300 - (32 + 64)]


@pytest.mark.langid_model
def test_plain_scorer_gets_sentiment_from_valence_and_keeps_working() -> None:
    scorer = PlainEnglish()
    out = jm.score(frame(["bad bill", "good now", None]), scorer, cache=False)
    assert out["sentiment"].tolist()[:2] == ["negative", "positive"] and pd.isna(out["sentiment"].iloc[2])
    assert out["irony"].isna().all()  # no irony output: NaN, not 0
    # "bad bill" is too short to name its language; no text, no language
    assert out["lang"].tolist()[:2] == ["und", "en"] and pd.isna(out["lang"].iloc[2])
    assert sentiment_from_valence([-0.26, -0.25, 0.25, 0.26]).tolist() == ["negative", "neutral", "neutral", "positive"]


def test_uncovered_language_is_left_unscored_with_its_reason() -> None:
    scorer = PlainEnglish()
    texts = ["this is a bad bill and I am angry about it", "Esta factura está mal, estoy muy enfadado con ustedes"]
    out = jm.score(frame(texts), scorer, cache=False)
    assert scorer.seen == [texts[0]]  # the Spanish text is never scored as if it were English
    assert out["lang"].tolist() == ["en", "es"]
    assert out["sentiment"].tolist()[0] == "negative"
    es = out.iloc[1]
    assert pd.isna(es["sentiment"]) and pd.isna(es["valence"]) and pd.isna(es["scorer"]) and pd.isna(es["emo_negative"])
    assert "'es'" in es["score_note"] and "test.plain-en.v1" in es["score_note"] and "'*'" in es["score_note"]
    assert pd.isna(out["score_note"].iloc[0])


def test_mapping_routes_other_languages_to_another_scorer() -> None:
    en, multi = PlainEnglish(), Multilingual()
    texts = ["this is a bad bill and I am angry about it", "Esta factura está mal, estoy muy enfadado con ustedes", "ok"]
    out = jm.score(frame(texts), {"en": en, "*": multi}, cache=False)
    assert out["scorer"].tolist() == ["test.plain-en.v1", "test.multi.v1", "test.plain-en.v1"]  # 'und' -> the 'en' scorer
    assert out["sentiment"].tolist()[:2] == ["negative", "negative"]
    assert out["score_note"].isna().all()
    only_en = jm.score(frame(texts), {"en": en}, cache=False)
    assert "no scorer for it" in only_en["score_note"].iloc[1]


def test_sentiment_scorer_outputs_go_through_the_cache(tmp_path: Path) -> None:
    scorer = Planted()
    assert isinstance(scorer, SentimentScorer)
    texts = ["great, another 3 hour delay, thanks", "thank you so much", "a long one"]
    path = tmp_path / "c.sqlite"
    first = jm.score(frame(texts), scorer, cache=path)
    assert scorer.calls == 1
    # the emotion agrees with the calibrated sentiment: the sarcastic complaint is not "gratitude"
    assert first["emotion"].tolist() == ["annoyance", "gratitude", "gratitude"]
    assert first["sentiment"].tolist() == ["negative", "positive", "positive"]  # the calibrated head, not the labels
    np.testing.assert_allclose(first["valence"], [-0.8, 0.8, 0.8], atol=1e-6)
    np.testing.assert_allclose(first["irony"], [0.7, 0.1, 0.1], atol=1e-6)
    assert first["score_note"].isna().tolist() == [True, True, False]
    assert "5 tokens" in first["score_note"].iloc[2]
    second = jm.score(frame(texts), scorer, cache=path)
    assert scorer.calls == 1  # every output came from the cache
    pd.testing.assert_frame_equal(first, second)


def test_sentiment_scorer_with_bad_outputs_is_refused() -> None:
    class Bad(Planted):
        id = "test.bad-outputs.v1"

        def score_outputs(self, texts: Sequence[str]) -> np.ndarray:
            return super().score_outputs(texts)[:, :-1]

    with pytest.raises(jm.JourneyMapError, match="shape"):
        jm.score(frame(["hello there friend"]), Bad(), cache=False)


def test_dask_path_gives_the_same_columns() -> None:
    pytest.importorskip("dask.dataframe")
    import dask.dataframe as dd

    import journeymap.distributed as jmd

    texts = ["great, another 3 hour delay, thanks", "thank you so much", "Esta factura está mal, estoy muy enfadado", None]
    local = jm.score(frame(texts), {"en": Planted(), "*": Multilingual()}, cache=False)
    far = jmd.score(
        dd.from_pandas(  # type: ignore[no-untyped-call]
            frame(texts), npartitions=2
        ),
        {"en": Planted(), "*": Multilingual()},
        cache=False,
    ).compute()
    assert list(far.columns) == list(local.columns)
    cols = [c for c in local.columns if is_score_column(c)]
    pd.testing.assert_frame_equal(far.sort_index()[cols], local[cols], check_dtype=True)
    assert local["scorer"].tolist()[:3] == ["test.planted-sentiment.v1", "test.planted-sentiment.v1", "test.multi.v1"]


# --- the default model: the probe set (one small batch) ---------------------------------------

#: Probe texts and the sentiment a reader expects. Those the shipped model still gets wrong are
#: strict xfails (listed in docs/model-card.md): they fail the suite once a model gets them right,
#: so the list is kept honest.
KNOWN_MISSES = {"great, another 3 hour delay, thanks", "never flying with you again"}
PROBES = {
    "great, another 3 hour delay, thanks": "negative",
    "thanks for nothing 😡": "negative",
    "never flying with you again": "negative",
    "😡😡😡": "negative",
    "😍👍": "positive",
    "thank you so much, the agent sorted it out in minutes!": "positive",
    "my flight is at 6pm": "neutral",
}
NON_ENGLISH = {
    "Mi vuelo lleva tres horas de retraso y nadie nos dice nada, qué vergüenza": "es",
    "Vol annulé encore une fois, merci pour rien, service client nul": "fr",
    "Mein Koffer ist schon wieder verloren gegangen, das ist eine Katastrophe": "de",
    "我的航班又延误了三个小时，太糟糕了": "zh",
}


@pytest.fixture(scope="module")
def probe_frame(default_scorer: DefaultScorer) -> pd.DataFrame:
    texts = [*PROBES, *NON_ENGLISH]
    return jm.score(frame(texts), {"en": default_scorer, "*": Multilingual()}, cache=False).set_index("text")


MISS = pytest.mark.xfail(strict=True, reason="a known miss of the shipped model (docs/model-card.md)")


@pytest.mark.parametrize(
    ("text", "expected"), [pytest.param(t, e, marks=[MISS] if t in KNOWN_MISSES else []) for t, e in PROBES.items()]
)
def test_default_model_probe_direction(
    probe_frame: pd.DataFrame, text: str, expected: str, default_scorer: DefaultScorer
) -> None:
    row = probe_frame.loc[text]
    assert row["scorer"] == default_scorer.id and pd.isna(row["score_note"])
    assert row["sentiment"] == expected


def test_default_model_non_english_is_routed_not_read_as_english(
    probe_frame: pd.DataFrame, default_scorer: DefaultScorer
) -> None:
    routed = probe_frame.loc[list(NON_ENGLISH)]
    assert routed["lang"].tolist() == list(NON_ENGLISH.values())
    assert (routed["scorer"] == Multilingual.id).all()
    alone = jm.score(frame(list(NON_ENGLISH)), default_scorer, cache=False)
    assert alone["sentiment"].isna().all() and alone["score_note"].str.contains("route it").all()


def test_default_model_reads_the_end_of_long_texts(default_scorer: DefaultScorer) -> None:
    filler = "I am writing about my booking reference and the seats we picked last month. " * 20
    long = filler + "The flight was cancelled, nobody helped us and I am furious, this is the worst service ever."
    rows = default_scorer.score_outputs([long, filler])
    n = len(default_scorer.taxonomy.labels)
    assert rows[0, n : n + 3].argmax() == NEG  # the complaint after 250 tokens is read
    assert rows[0, n + 4] == 0 and rows[1, n : n + 3].argmax() != NEG
