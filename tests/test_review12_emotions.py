"""Fixes from a review of extending the emotion models (researcher persona): routed scorers whose
labels come in another order, macro-F1 over the labels evaluated, a Hugging Face GoEmotions model's
intense labels, lone surrogates in score_outputs, the encoder's max_length, path objects, and
the message for a hub revision missing from the cache."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import Taxonomy
from journeymap.emotions.evaluate_labelled import evaluate_labelled, format_labelled

if TYPE_CHECKING:
    from collections.abc import Sequence

VALENCE = {"joy": 0.9, "trust": 0.6, "anger": -0.9, "neutral": 0.0}


class _Fixed:
    """A scorer giving every text one row of probabilities, in its taxonomy's label order."""

    def __init__(self, id: str, labels: tuple[str, ...], row: dict[str, float]) -> None:
        self.id = id
        self.taxonomy = Taxonomy(name="t", labels=labels, valence=VALENCE)
        self._row = np.asarray([row[label] for label in labels], dtype=np.float32)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(self._row, (len(texts), 1))


# -- 1. a routed scorer with the main one's labels in another order fills the emo_ columns by name ------
def test_a_routed_scorer_with_the_labels_in_another_order_fills_the_emo_columns_by_name() -> None:
    row = {"joy": 0.8, "trust": 0.1, "anger": 0.05, "neutral": 0.1}
    main = _Fixed("a.v1", ("joy", "trust", "anger", "neutral"), row)
    other = _Fixed("b.v1", ("anger", "joy", "trust", "neutral"), row)
    df = pd.DataFrame(
        {
            "text": ["thank you so much for the help, it works now", "muchas gracias por la ayuda, ya funciona perfectamente"],
            "actor": "customer",
        }
    )
    scored = jm.score(df, scorer={"en": main, "*": other}, cache=False)
    assert scored["lang"].tolist() == ["en", "es"]
    assert scored["scorer"].tolist() == ["a.v1", "b.v1"]
    for label, p in row.items():
        assert scored[f"emo_{label}"].tolist() == pytest.approx([p, p]), label


def test_a_routed_scorer_with_other_labels_still_leaves_the_emo_columns_empty() -> None:
    main = _Fixed("a.v1", ("joy", "trust", "anger", "neutral"), {"joy": 0.8, "trust": 0.1, "anger": 0.05, "neutral": 0.1})

    class Two:
        id = "two.v1"
        taxonomy = Taxonomy(name="t", labels=("joy", "anger"), valence={"joy": 0.9, "anger": -0.9})

        def score(self, texts: Sequence[str]) -> np.ndarray:
            return np.tile(np.float32([0.9, 0.1]), (len(texts), 1))

    df = pd.DataFrame({"text": ["thanks a lot, all good now", "muchas gracias por la ayuda, ya funciona perfectamente"]})
    df["actor"] = "customer"
    scored = jm.score(df, scorer={"en": main, "*": Two()}, cache=False)
    assert scored["emo_joy"].isna().tolist() == [False, True]
    assert scored["emotion"].tolist() == ["joy", "joy"]


# -- 2. evaluate_labelled's macro-F1 is over the labels evaluated, as scikit-learn's ----------------------
class _Keywords:
    """Anger for texts with "angry", joy otherwise (Ekman)."""

    id, taxonomy = "kw.v1", Taxonomy.ekman()

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 7), np.float32)
        for i, t in enumerate(texts):
            out[i, 0 if "angry" in t else 3] = 0.9
        return out


def test_a_perfect_classifier_scores_macro_f1_one_though_a_label_is_only_ever_second() -> None:
    from sklearn.metrics import f1_score

    data = pd.DataFrame(
        {"text": ["so angry and grossed out", "love it", "great", "angry"], "label": ["anger,disgust", "joy", "joy", "anger"]}
    )
    result = evaluate_labelled(data, scorer=_Keywords())
    truth = ["anger", "joy", "joy", "anger"]
    assert result["accuracy"] == 1.0
    assert result["macro_f1"] == pytest.approx(f1_score(truth, truth, average="macro")) == 1.0
    table = result["per_label"]
    assert table.index.tolist() == ["anger", "joy"]  # disgust has no support and is never predicted
    assert table.loc["anger", "secondary"] == 0
    assert result["secondary_only"] == ["disgust"]
    assert "not evaluated: disgust" in format_labelled(result)


def test_macro_f1_and_the_table_agree_with_scikit_learn_where_a_secondary_label_is_predicted() -> None:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    class Guess:
        id, taxonomy = "guess.v1", Taxonomy.ekman()

        def score(self, texts: Sequence[str]) -> np.ndarray:
            out = np.zeros((len(texts), 7), np.float32)
            for i, t in enumerate(texts):
                out[i, 1 if "gross" in t else 0 if "angry" in t else 3] = 0.9  # disgust, anger, else joy
            return out

    data = pd.DataFrame(
        {
            "text": ["grossed out and angry", "angry", "love it", "angry again", "gross"],
            "label": ["anger,disgust", "anger", "joy", "joy,anger", "sadness"],
        }
    )
    result = evaluate_labelled(data, scorer=Guess())
    # a cell's labels are a set (review 22): a prediction among them is right; a miss counts against the first, sorted
    truth = ["disgust", "anger", "joy", "anger", "sadness"]
    predicted = ["disgust", "anger", "joy", "anger", "disgust"]
    assert result["macro_f1"] == pytest.approx(f1_score(truth, predicted, average="macro"))
    labels = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    table = result["per_label"]
    assert table.index.tolist() == labels
    assert table["f1"].tolist() == pytest.approx(f1.tolist())
    assert table["precision"].tolist() == pytest.approx(precision.tolist())
    assert table["recall"].tolist() == pytest.approx(recall.tolist())
    assert table["support"].tolist() == support.tolist()
    # the table says which labels the data lists beside the one a text is counted for
    assert table.loc["disgust", "support"] == 1
    assert table.loc["anger", "secondary"] == 1
    assert table.loc["joy", "secondary"] == 1
    assert result["secondary_only"] == []


# -- tiny local models (random weights; the bundled tokenizer) ------------------------------------------
def tiny_bert(folder: Path, labels: list[str], *, positions: int = 512) -> Path:
    """A small randomly initialised BERT classifier with ``positions`` position embeddings."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from journeymap.emotions._minilm import base_model_path

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_path()), clean_up_tokenization_spaces=False)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=positions,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={lab: i for i, lab in enumerate(labels)},
        problem_type="multi_label_classification",
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def short_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A four-label model of 64 positions."""
    return tiny_bert(tmp_path_factory.mktemp("short"), ["joy", "anger", "sadness", "neutral"], positions=64)


# -- 3. a Hugging Face GoEmotions model keeps the built-in taxonomy's intense labels ----------------------
def test_a_hugging_face_goemotions_model_keeps_the_intense_labels(tmp_path: Path) -> None:
    from journeymap import TransformerScorer
    from journeymap.emotions.taxonomy import GOEMOTIONS_LABELS

    scorer = TransformerScorer(tiny_bert(tmp_path / "alpha", sorted(GOEMOTIONS_LABELS)))
    builtin = Taxonomy.goemotions()
    assert scorer.taxonomy.name == "goemotions"
    assert scorer.taxonomy.intense == builtin.intense
    assert sorted(scorer.taxonomy.intense_labels) == sorted(builtin.intense_labels)  # not every label of valence <= -0.5
    assert "disappointment" not in scorer.taxonomy.intense_labels


# -- 4. score_outputs reads texts as score() does: lone surrogates, missing texts ----------------------
def test_score_outputs_counts_unread_tokens_of_a_text_with_a_lone_surrogate(short_model: Path) -> None:
    from journeymap import TransformerScorer
    from journeymap.testing import check_scorer

    scorer = TransformerScorer(short_model, max_length=16, max_windows=1)  # one window: the rest is not read
    texts = ["broken phone \ud83d really bad " * 5, "ok"]
    out = scorer.score_outputs(texts)
    assert out.shape == (2, 5)
    np.testing.assert_allclose(out[:, :4], scorer.score(texts), atol=1e-6)
    assert out[0, 4] > 0 and out[1, 4] == 0
    check_scorer(scorer)  # ADVERSARIAL_TEXTS include lone surrogates


def test_score_outputs_takes_the_missing_texts_score_takes(short_model: Path) -> None:
    from journeymap import TransformerScorer

    scorer = TransformerScorer(short_model)
    texts = [None, float("nan"), "  "]
    out = scorer.score_outputs(texts)  # type: ignore[arg-type]
    np.testing.assert_array_equal(out[:, :4], scorer.score(texts))  # type: ignore[arg-type]
    assert out[:, 4].tolist() == [0, 0, 0]


# -- 5. TransformerEncoder caps max_length at what the model reads ---------------------------------------
def test_the_encoder_caps_max_length_at_the_model_positions(short_model: Path) -> None:
    from journeymap.topics.encoders import TransformerEncoder

    encoder = TransformerEncoder(short_model)  # max_length 128, the model reads 64
    vectors = encoder.encode(["the flight is late " * 40, "thanks"])
    assert vectors.shape == (2, 32)
    assert np.isfinite(vectors).all()
    assert encoder.max_length == 64
    assert encoder.id.endswith("+mean+l64")  # the length it reads, not the one asked
    assert TransformerEncoder(short_model, max_length=32).id.endswith("+mean+l32")


def test_the_default_encoder_caps_max_length_at_its_positions() -> None:
    from journeymap.topics.encoders import MiniLMEncoder

    encoder = MiniLMEncoder(max_length=1024, precision="float32")
    assert encoder.max_length == 512
    assert "+l512" in encoder.id
    assert encoder.encode(["the flight is late " * 200]).shape == (1, 384)


# -- 6. path objects are read as paths -------------------------------------------------------------------
def test_get_scorer_and_score_take_a_path_object(short_model: Path) -> None:
    scorer = jm.get_scorer(short_model)
    assert scorer.id == jm.get_scorer(str(short_model)).id
    df = pd.DataFrame({"text": ["my flight is late again"], "actor": "customer"})
    assert jm.score(df, scorer=short_model, cache=False)["scorer"].tolist() == [scorer.id]
    routed = jm.score(df, scorer={"en": short_model}, cache=False, batch_size=4)
    assert routed["scorer"].tolist() == [scorer.id]


def test_get_encoder_takes_a_path_object(short_model: Path) -> None:
    from journeymap.topics.encoders import get_encoder

    encoder = get_encoder(short_model, max_length=16)
    assert encoder.id == get_encoder(str(short_model), max_length=16).id
    assert encoder.id.endswith("+mean+l16")


def test_a_path_object_that_names_no_folder_is_not_taken_for_a_hub_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap.exceptions import ModelLoadError
    from journeymap.topics.encoders import get_encoder

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelLoadError, match="no such folder"):
        jm.get_scorer(Path("acme/tiny"))
    with pytest.raises(ModelLoadError, match="no such folder"):
        get_encoder(Path("nothing-here")).encode(["hello"])


# -- 7. a hub model cached at another revision: the message names the revision -------------------------
def test_the_message_for_a_revision_missing_from_the_cache_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    from journeymap.exceptions import ModelLoadError

    repo = tmp_path / "hub" / "models--acme--tiny"
    snapshot = repo / "snapshots" / ("1" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("1" * 40)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(ModelLoadError, match=r"not in the Hugging Face cache at revision 'v2'; it holds the main revision"):
        jm.get_scorer("acme/tiny", revision="v2")
    with pytest.raises(ModelLoadError, match=r"not in the Hugging Face cache at revision 'v2'\)"):
        jm.get_scorer("acme/other", revision="v2")


def test_the_dask_score_takes_a_path_object_as_jm_score_does(short_model: Path) -> None:
    # The second diff review: jmd.score took a Path for a built scorer object (scorer_options
    # refused, batch_size dropped), where jm.score reads it as a path.
    jmd = pytest.importorskip("journeymap.distributed")
    import dask.dataframe as dd

    df = pd.DataFrame({"text": ["my flight is late again", "thanks!"], "actor": "customer"})
    frame = dd.from_pandas(df, npartitions=1)
    options = {"max_length": 8}
    by_text = jmd.score(frame, scorer=str(short_model), cache=False, scorer_options=options).compute()
    by_path = jmd.score(frame, scorer=short_model, cache=False, scorer_options=options).compute()
    assert by_path["scorer"].tolist() == by_text["scorer"].tolist()
    assert by_path["scorer"].iloc[0].endswith("+len8")
