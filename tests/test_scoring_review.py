"""Fixes from a review of scoring: ids, texts without words, emoticons, the input's own columns,
declared languages, two-way models, scorer options, unknown actors, error messages, output checks."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap import JourneyMapError, Taxonomy, TransformerScorer, get_scorer
from journeymap.cli import app
from journeymap.emotions.default import DefaultScorer
from journeymap.emotions.normalize import normalize_text
from journeymap.emotions.score import user_score_columns
from journeymap.emotions.trained import TrainedScorer
from journeymap.emotions.transformer import _taxonomy_for
from journeymap.exceptions import ScorerOptionsError
from journeymap.testing import ScorerCheckError, check_scorer
from journeymap.testing.checks import check_languages, check_outputs

from .test_scorers import tiny_model as tiny_model_of

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

PLUGIN = __import__("pathlib").Path(__file__).parent / "fake_plugin"
SENTIMENT = ("sentiment_negative", "sentiment_neutral", "sentiment_positive")


def tiny_model(folder: Path, labels: list[str]) -> Path:
    """A small randomly initialised BERT classifier (softmax) with the bundled tokenizer."""
    return tiny_model_of(folder, labels, None)


@pytest.fixture(scope="module")
def emo4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four emotions and no neutral: where a made-up row used to be all zeros."""
    return tiny_model(tmp_path_factory.mktemp("emo4"), ["anger", "fear", "joy", "sadness"])


class Fixed:
    """A plugin scoring each text with a row chosen by a word in it (zeros where none)."""

    id = "test.fixed.v1"
    taxonomy = Taxonomy.sentiment()  # positive, negative, ambiguous, neutral

    def __init__(self, rows: dict[str, list[float]] | None = None, languages: Sequence[str] | None = None) -> None:
        self.rows = rows or {"bad": [0, 0.9, 0, 0.1], "good": [0.9, 0, 0, 0.1]}
        self.seen: list[str] = []
        if languages is not None:
            self.languages = tuple(languages)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        out = np.zeros((len(texts), len(self.taxonomy.labels)), dtype=np.float32)
        for i, text in enumerate(texts):
            for word, row in self.rows.items():
                if word in text:
                    out[i] = row
        return out


def frame(texts: Sequence[str | None], **columns: Any) -> pd.DataFrame:
    return pd.DataFrame({"text": pd.array(texts, dtype="string"), "actor": "customer", **columns})


# -- 1. every option that changes scores is in the id ------------------------------------------------
def test_default_scorer_id_carries_a_non_default_max_length() -> None:
    plain = DefaultScorer(precision="float32", backend="torch")
    assert DefaultScorer(precision="float32", backend="torch", max_length=128).id == plain.id
    short = DefaultScorer(precision="float32", backend="torch", max_length=32)
    assert short.id == plain.id + "+len32"
    assert DefaultScorer(precision="float32", backend="torch", max_length=32, max_windows=1).id == plain.id + "+len32+w1"
    assert not short.loaded  # the id is known without building the network


def test_trained_scorer_id_carries_a_non_default_max_length(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "config.json").write_text(
        json.dumps({"format": "journeymap.minilm-classifier", "labels": list(Taxonomy.goemotions().labels), "max_length": 64})
    )
    (folder / "model.safetensors").write_bytes(b"")
    plain = TrainedScorer(folder)
    assert plain.max_length == 128
    assert TrainedScorer(folder, max_length=128).id == plain.id
    assert TrainedScorer(folder, max_length=32).id == plain.id + "+len32"


def test_transformer_id_carries_max_length_only_when_it_changes_what_is_read(emo4: Path) -> None:
    plain = TransformerScorer(emo4)
    assert TransformerScorer(emo4, max_length=plain.max_length).id == plain.id
    assert TransformerScorer(emo4, max_length=16).id == plain.id + "+len16"


# -- 2. a Hugging Face model reads emoji and emoticons; nothing is made up ----------------------------
def test_transformer_scorer_reads_emoji_and_emoticons_itself(emo4: Path) -> None:
    scorer = TransformerScorer(emo4)
    rows = scorer.score(["😡😡😡", ":(", "🤬🤬"])
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, atol=1e-5)  # the model's softmax, not a row of zeros
    scored = jm.score(frame(["😡😡😡", ":(", "", "   "]), scorer, cache=False)
    assert scored["emotion"].notna().tolist() == [True, True, False, False]
    assert scored["valence"].notna().tolist() == [True, True, False, False]


def test_an_all_zero_row_names_no_emotion() -> None:
    scored = jm.score(frame(["bad", "nothing to go on"]), Fixed(), cache=False)
    assert scored["emotion"].tolist()[0] == "negative"
    assert scored["emotion"].isna().tolist() == [False, True]  # not the first label, "positive"


# -- 3. emoticons; empty and blank texts get NA -------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (":((", "frowning face"),
        (":)))", "smiling face"),
        (":(.", "frowning face ."),
        ("word:(", "word frowning face"),
        ("sorry!!:(", "sorry!! frowning face"),
        (":DDD", "grinning face"),
        ("love <333", "love red heart"),
        ("so sad D:", "so sad anguished face"),
        ("Terminal D: gate 5", "Terminal D: gate 5"),
        ("Note:(optional) and f(x=(a))", "Note:(optional) and f(x=(a))"),
        ("ftp://host and C:\\Users", "ftp://host and C:\\Users"),
        ("boxd if n<3", "boxd if n<3"),
    ],
)
def test_emoticons_with_repeated_mouths_and_punctuation(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected
    assert normalize_text(expected) == expected


def test_empty_and_blank_texts_get_na_scores_and_never_reach_the_scorer() -> None:
    scorer = Fixed()
    scored = jm.score(frame(["bad", "", "  \n", None]), scorer, cache=False)
    assert scorer.seen == ["bad"]
    for column in ("emotion", "valence", "sentiment", "lang", "scorer"):
        assert scored[column].isna().tolist() == [False, True, True, True], column


# -- 4. the input's own columns are kept ---------------------------------------------------------------
def test_the_inputs_own_score_named_columns_are_kept_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    df = frame(["bad", "good"], lang=["en", "fr"], sentiment=["neg", "pos"])
    with caplog.at_level(logging.WARNING, logger="journeymap.emotions.score"):
        scored = jm.score(df, Fixed(), cache=False)
    assert scored["lang_input"].tolist() == ["en", "fr"]
    assert scored["sentiment_input"].tolist() == ["neg", "pos"]
    assert scored["sentiment"].tolist() == ["negative", "positive"]
    assert "lang_input" in caplog.text and "sentiment_input" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="journeymap.emotions.score"):
        again = jm.score(scored, Fixed(), cache=False)  # a scored frame is scored anew, its inputs kept once
    assert [c for c in again.columns if c.endswith("_input")] == ["lang_input", "sentiment_input"]
    assert "kept as" not in caplog.text
    assert user_score_columns(pd.DataFrame(columns=["lang", "lang_input"])) == {"lang": "lang_input2"}


# -- 5. declared languages ------------------------------------------------------------------------------
def test_a_routed_scorer_gets_only_the_languages_it_declares() -> None:
    english = Fixed(languages=("en",))
    texts = ["this is really bad, nobody helps me at all", "Mi maleta se perdió y nadie me ayuda, es horrible", "😡"]
    scored = jm.score(frame(texts), {"*": english}, cache=False)
    assert scored["lang"].tolist() == ["en", "es", "und"]
    assert scored["scorer"].notna().tolist() == [True, False, True]  # "und" still goes to the scorer
    assert "reads only en" in scored["score_note"].iloc[1]
    explicit = jm.score(frame(texts[1:2]), {"en": Fixed(), "es": english}, cache=False)
    assert explicit["scorer"].isna().all() and "reads only en" in explicit["score_note"].iloc[0]
    anything = jm.score(frame(texts), {"*": Fixed()}, cache=False)  # no languages declared: any
    assert anything["scorer"].notna().all()


def test_transformer_scorer_declares_languages(emo4: Path) -> None:
    assert TransformerScorer(emo4).languages is None
    spanish = get_scorer(str(emo4), languages=["es"])
    assert spanish.languages == ("es",)  # type: ignore[attr-defined]
    check_languages(spanish)
    with pytest.raises(ValueError, match="not the string 'es'"):
        TransformerScorer(emo4, languages="es")


# -- 6. two-way sentiment models ------------------------------------------------------------------------
def test_a_two_way_model_decides_by_the_larger_class() -> None:
    class Binary:
        id = "test.binary.v1"
        taxonomy = _taxonomy_for(["NEGATIVE", "POSITIVE"], None)

        def score(self, texts: Sequence[str]) -> np.ndarray:
            rows = {"lost": [0.65, 0.35], "fine": [0.3, 0.7], "meh": [0.5, 0.5]}
            return np.array([next(v for k, v in rows.items() if k in t) for t in texts], dtype=np.float32)

    scored = jm.score(frame(["you lost my bag", "fine thanks", "meh"]), Binary(), cache=False)
    assert scored["sentiment"].tolist() == ["negative", "positive", "neutral"]
    np.testing.assert_allclose(scored["valence"], [-0.3, 0.4, 0.0], atol=1e-6)


# -- 7. options a scorer does not take ----------------------------------------------------------------


@pytest.mark.usefixtures("plugin_installed")
def test_bad_scorer_options_fail_as_a_journeymap_error(emo4: Path) -> None:
    with pytest.raises(ScorerOptionsError, match=r"scorer 'transformer' cannot be built with no options: .*'model'"):
        get_scorer("transformer")
    with pytest.raises(ScorerOptionsError, match=r"'lexicon' .* \{'batch_size': 8\}"):
        jm.score(frame(["hi"]), "lexicon", batch_size=8, cache=False)
    with pytest.raises(ScorerOptionsError, match="bogus"):
        get_scorer(str(emo4), bogus=1)
    err = ScorerOptionsError("x", {}, "problem")
    assert isinstance(err, JourneyMapError) and isinstance(err, TypeError)


def test_the_cli_prints_one_error_line_for_bad_scorer_options(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-01-01T10:00:00Z"], "text": ["hello"]}).to_csv(source, index=False)
    result = CliRunner().invoke(
        app, ["score", str(source), "-o", str(tmp_path / "out.csv"), "--scorer", "transformer", "--no-cache"]
    )
    assert result.exit_code == 1, result.output
    assert "error: scorer 'transformer' cannot be built with no options" in result.output
    assert "Traceback" not in result.output


# -- 8. actors that are not recognised ----------------------------------------------------------------
def test_unrecognised_actors_are_named_in_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    df = pd.DataFrame({"text": ["bad", "bad too", "sorry", "good"], "actor": ["consumer", "consumer", "support", "Customer"]})
    with caplog.at_level(logging.WARNING, logger="journeymap.emotions.score"):
        scored = jm.score(df, Fixed(), cache=False)
    assert scored["scorer"].notna().tolist() == [False, False, False, True]
    assert "2 row(s)" in caplog.text and "'consumer' (2)" in caplog.text
    assert "'support'" not in caplog.text.split("not recognised:")[1].split(";")[0]  # an alias of agent
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="journeymap.emotions.score"):
        jm.score(df, Fixed(), cache=False, agents=True)
    assert "not recognised" not in caplog.text


# -- 9. errors name the text and the input row -------------------------------------------------------
def test_nan_from_a_plugin_is_called_nan_and_names_the_row() -> None:
    class Raising(Fixed):
        def score(self, texts: Sequence[str]) -> np.ndarray:
            out = super().score(texts)
            out[[i for i, t in enumerate(texts) if "boom" in t], 0] = np.nan
            return out

    df = frame(["bad", "boom goes the phone", "good"]).set_axis([100, 104, 105])
    with pytest.raises(JourneyMapError, match=r"returned NaN for 1 text\(s\): 'boom goes the phone' \(input rows \[104\]\)"):
        jm.score(df, Raising(), cache=False)


def test_a_model_failure_names_the_text_and_the_input_rows(emo4: Path) -> None:
    scorer = TransformerScorer(emo4, batch_size=1)
    boom = scorer.tokenizer("boom", add_special_tokens=False)["input_ids"][0]
    forward = scorer._forward

    def failing(ids: Any, mask: Any) -> Any:
        if (ids == boom).any():
            raise RuntimeError("out of memory (simulated)")
        return forward(ids, mask)

    scorer._forward = failing  # type: ignore[method-assign]
    df = frame(["hello", "hello", "boom goes the phone", "boom goes the phone"]).set_axis([101, 102, 103, 104])
    with pytest.raises(
        JourneyMapError, match=r"out of memory \(simulated\) \(texts: 'boom goes the phone'\) \(input rows \[103, 104\]\)"
    ):
        jm.score(df, scorer, cache=False)


# -- 10. the conformance suite checks score_outputs and languages ---------------------------------------
class Head:
    """A SentimentScorer that keeps its contract."""

    id = "test.head.v1"
    taxonomy = Taxonomy.sentiment()
    languages = ("en",)
    outputs = (*SENTIMENT, "irony")
    row = (0.1, 0.8, 0.0, 0.1, 0.7, 0.2, 0.1, 0.3)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return self.score_outputs(texts)[:, :4].copy()

    def score_outputs(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.float32(self.row), (len(texts), 1))


class ForgetsTheLabels(Head):
    def score_outputs(self, texts: Sequence[str]) -> np.ndarray:
        return super().score_outputs(texts)[:, 4:].copy()


class SentimentNotSummingToOne(Head):
    row = (0.1, 0.8, 0.0, 0.1, 0.9, 0.9, 0.9, 0.2)


class TwoOfThree(Head):
    outputs = ("sentiment_negative", "sentiment_positive", "irony")
    row = (0.1, 0.8, 0.0, 0.1, 0.7, 0.3, 0.2)


class LabelsDisagree(Head):
    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.full((len(texts), 4), 0.25, dtype=np.float32)


class BareLanguage(Head):
    languages = "en"  # type: ignore[assignment]


def test_check_scorer_passes_a_sentiment_scorer_that_keeps_its_contract() -> None:
    check_scorer(Head())


@pytest.mark.parametrize(
    ("scorer", "message"),
    [
        (ForgetsTheLabels(), r"score_outputs returned shape \(11, 4\), expected \(11, 8\)"),
        (SentimentNotSummingToOne(), "the three sentiment outputs must sum to 1; they sum to 2.7"),
        (TwoOfThree(), "not all three sentiment outputs"),
        (LabelsDisagree(), "the label columns of score_outputs differ from score"),
    ],
)
def test_check_outputs_catches_its_breaches(scorer: Head, message: str) -> None:
    with pytest.raises(ScorerCheckError, match=message):
        check_outputs(scorer)
    with pytest.raises(ScorerCheckError, match="check_outputs"):
        check_scorer(scorer)


def test_check_languages_refuses_a_bare_string() -> None:
    with pytest.raises(ScorerCheckError, match="not the string 'en'"):
        check_languages(BareLanguage())


def test_rows_cached_before_a_change_of_text_preparation_are_not_read(tmp_path: Path) -> None:
    import sqlite3

    from journeymap.emotions.cache import ScoreCache, text_hash

    cache = ScoreCache(tmp_path / "c.sqlite")
    cache.put("demo.v1", [":(("], np.array([[0.1, 0.9]], dtype=np.float32))
    assert cache.get("demo.v1", [":(("], n_labels=2)[1].all()
    with sqlite3.connect(tmp_path / "c.sqlite") as con:  # a row as the previous revision stored it
        con.execute("DELETE FROM scores")
        row = np.array([[0.0, 1.0]], dtype=np.float32).tobytes()
        con.execute("INSERT INTO scores VALUES (?, ?, ?)", ["demo.v1", text_hash(":(("), row])
    assert not cache.get("demo.v1", [":(("], n_labels=2)[1].any()
