"""Fixes from a review of the scorer, plugin and evaluation layer: taxonomy= matched by name,
label_map with taxonomy=, weights changed before a lazy load, evaluation levels without members,
scorer classes, bare-string languages, one-part hub ids in the local cache, and clear errors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import ModelLoadError, Taxonomy, get_scorer
from journeymap.emotions.default import WEIGHTS_DIR, DefaultScorer
from journeymap.emotions.evaluate_labelled import evaluate_labelled
from journeymap.emotions.taxonomy import EKMAN_GROUPS, GOEMOTIONS_LABELS, GOEMOTIONS_VALENCE
from journeymap.emotions.trained import FORMAT, TrainedScorer
from journeymap.exceptions import (
    ArgumentTypeError,
    JourneyMapError,
    SchemaError,
    ScorerOptionsError,
    UnknownScorerError,
)

from .test_scorers import tiny_model

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

SENTIMENT4 = ["negative", "positive", "neutral", "ambiguous"]  # not Taxonomy.sentiment()'s order


def planted(folder: Path, labels: list[str], problem_type: str | None, hot: str) -> Path:
    """A tiny model whose ``hot`` label wins for every text: its bias +10, the others' -10, no weights."""
    from safetensors.torch import load_file, save_file

    tiny_model(folder, labels, problem_type)
    tensors = load_file(folder / "model.safetensors")
    tensors["classifier.weight"] = tensors["classifier.weight"] * 0
    bias = tensors["classifier.bias"].clone().fill_(-10.0)
    bias[labels.index(hot)] = 10.0
    tensors["classifier.bias"] = bias
    save_file(tensors, folder / "model.safetensors", metadata={"format": "pt"})
    return folder


def frame(texts: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({"text": list(texts), "actor": "customer"})


# -- 1. taxonomy= is matched to the model's own label names, not taken by position --------------------
def test_a_builtin_taxonomy_is_matched_to_the_model_labels_by_name(tmp_path: Path) -> None:
    alphabetical = sorted(GOEMOTIONS_LABELS)  # neutral comes after nervousness, not last
    folder = planted(tmp_path / "alpha", alphabetical, "multi_label_classification", hot="sadness")
    scorer = get_scorer(str(folder), taxonomy="goemotions")
    assert scorer.taxonomy.name == "goemotions"
    assert list(scorer.taxonomy.labels) == alphabetical  # each column named by the model's own label
    scored = jm.score(frame(["my parcel never came"]), scorer, cache=False)
    assert scored["emotion"].tolist() == ["sadness"]
    assert scored["valence"].iloc[0] < 0  # not surprise's positive valence


def test_a_sentiment_taxonomy_reads_a_negative_model_output_as_negative(tmp_path: Path) -> None:
    folder = planted(tmp_path / "four", SENTIMENT4, "single_label_classification", hot="negative")
    scorer = get_scorer(str(folder), taxonomy="sentiment")
    assert list(scorer.taxonomy.labels) == SENTIMENT4
    scored = jm.score(frame(["this is awful"]), scorer, cache=False)
    assert scored["emotion"].tolist() == ["negative"]
    assert scored["valence"].iloc[0] < 0


def test_model_label_names_are_compared_in_any_case(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "upper", ["Negative", "Positive", "Neutral", "Ambiguous"], None)
    assert list(get_scorer(str(folder), taxonomy="sentiment").taxonomy.labels) == SENTIMENT4


def test_model_label_names_that_are_not_the_taxonomy_s_are_refused(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "emo", ["anger", "joy", "sadness", "neutral"], None)
    with pytest.raises(ScorerOptionsError, match=r"(?s)\['anger', 'joy', 'sadness'\].*taxonomy 'sentiment'.*label_map"):
        get_scorer(str(folder), taxonomy="sentiment")


def test_generic_labels_are_still_taken_in_the_model_order(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "generic", ["LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3"], None)
    assert get_scorer(str(folder), taxonomy="sentiment").taxonomy == Taxonomy.sentiment()


def test_label_map_applies_before_the_taxonomy_matches_by_name(tmp_path: Path) -> None:
    folder = planted(tmp_path / "generic", ["LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3"], None, hot="LABEL_0")
    label_map = {"LABEL_0": "negative", "LABEL_1": "positive", "LABEL_2": "neutral", "LABEL_3": "ambiguous"}
    scorer = get_scorer(str(folder), taxonomy="sentiment", label_map=label_map)
    assert list(scorer.taxonomy.labels) == SENTIMENT4  # not dropped: LABEL_0 is negative, not Taxonomy.sentiment()'s first
    assert jm.score(frame(["no"]), scorer, cache=False)["emotion"].tolist() == ["negative"]


def test_json_roundtrip_of_the_taxonomy_option_still_works(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "gen", ["LABEL_0", "LABEL_1"], None)
    taxonomy = {"name": "yesno", "labels": ["no", "yes"], "valence": {"no": -0.5, "yes": 0.5}}
    scorer = get_scorer(str(folder), taxonomy=json.loads(json.dumps(taxonomy)))
    assert scorer.taxonomy.labels == ("no", "yes")


# -- 7. label_map errors name the model and the mapping's result; unknown keys are refused -------------
def test_a_label_map_to_an_unknown_name_says_so(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "emo3", ["anger", "joy", "neutral"], None)
    with pytest.raises(ScorerOptionsError, match=r"label_map maps the model's label 'anger' to 'x'") as info:
        get_scorer(str(folder), label_map={"Anger": "x"})
    assert str(folder) in str(info.value)


def test_label_map_keys_that_are_no_model_label_are_refused(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "gen3", ["LABEL_0", "LABEL_1", "LABEL_2"], None)
    label_map = {"LABEL_O": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"}  # a letter O for a zero
    with pytest.raises(ScorerOptionsError, match=r"label_map names \['LABEL_O'\], which the model has no label of"):
        get_scorer(str(folder), label_map=label_map)


# -- 8. a taxonomy of another size is a bad option, not a broken model --------------------------------
def test_a_taxonomy_of_another_size_is_a_scorer_options_error(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "three", ["negative", "neutral", "positive"], None)
    with pytest.raises(ScorerOptionsError, match=r"taxonomy 'sentiment' has 4 labels, the model 3"):
        get_scorer(str(folder), taxonomy="sentiment")


# -- 2. a lazily loaded network must be the one the id was made for -----------------------------------
def _shifted_weights(path: Path, shift: float) -> None:
    """Rewrite a safetensors file with every tensor's first value moved by ``shift`` (a retrained model)."""
    from safetensors.torch import load_file, save_file

    tensors = load_file(path)
    for name, tensor in tensors.items():
        if name.endswith("bias"):
            tensors[name] = tensor + shift
    path.unlink()  # a new file, as a training run writes it
    save_file(tensors, path, metadata={"format": "pt"})


def test_default_scorer_refuses_weights_changed_before_its_first_text(tmp_path: Path) -> None:
    folder = tmp_path / "weights"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes((WEIGHTS_DIR / "model.safetensors").read_bytes())
    (folder / "config.json").write_text((WEIGHTS_DIR / "config.json").read_text())
    scorer = DefaultScorer(weights=folder, precision="float32", backend="torch")
    built_id = scorer.id
    _shifted_weights(folder / "model.safetensors", 0.5)
    with pytest.raises(ModelLoadError, match=r"changed since the scorer .* was built"):
        jm.score(frame(["thanks a lot"]), scorer, cache=tmp_path / "scores.sqlite")
    assert not scorer.loaded
    fresh = DefaultScorer(weights=folder, precision="float32", backend="torch")
    assert fresh.id != built_id
    assert fresh.score(["thanks a lot"]).shape == (1, 28)


def test_trained_scorer_refuses_weights_changed_before_its_first_text(tmp_path: Path) -> None:
    import torch

    from journeymap.emotions import _minilm

    labels = ["good", "bad"]
    meta = {"format": FORMAT, "labels": labels, "valence": {"good": 0.8, "bad": -0.8}, "max_length": 32}
    torch.manual_seed(0)
    model, _ = _minilm.build(len(labels))
    folder = tmp_path / "run"
    _minilm.save_weights(model, folder, meta)
    scorer = TrainedScorer(folder)
    _shifted_weights(folder / "model.safetensors", 1.0)
    with pytest.raises(ModelLoadError, match=r"changed since the scorer .* was built"):
        scorer.score(["fine"])
    assert TrainedScorer(folder).score(["fine"]).shape == (1, 2)


# -- 3. evaluation at a level whose labels the scorer cannot produce ----------------------------------
FOUR = ("anger", "joy", "sadness", "fear")


class FourEmotions:
    """A plugin with four emotions and the Ekman grouping they give (disgust, surprise, neutral: no members)."""

    id = "test.four.v1"
    taxonomy = Taxonomy(
        name="four",
        labels=FOUR,
        valence={lab: GOEMOTIONS_VALENCE[lab] for lab in FOUR},
        groups={"ekman": {g: tuple(m for m in members if m in FOUR) for g, members in EKMAN_GROUPS.items()}},
    )

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.float32([0.1, 0.7, 0.1, 0.1]), (len(texts), 1))


def test_evaluation_refuses_labels_the_scorer_cannot_produce() -> None:
    data = pd.DataFrame({"text": ["grr", "yay", "eww"], "label": ["anger", "joy", "disgust"]})
    with pytest.raises(SchemaError, match=r"\['disgust'\]") as info:
        evaluate_labelled(data, scorer=FourEmotions())
    assert "no member" in str(info.value)


def test_evaluation_still_reads_labels_the_scorer_has() -> None:
    data = pd.DataFrame({"text": ["grr", "yay"], "label": ["anger", "joy"]})
    assert evaluate_labelled(data, scorer=FourEmotions())["level"] == "four"


# -- 4. a scorer class is not a scorer --------------------------------------------------------------
class Constant:
    id = "test.constant.v1"
    taxonomy = Taxonomy.sentiment()

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.full((len(texts), 4), 0.25, dtype=np.float32)


def test_a_scorer_class_is_refused_with_a_hint_to_build_it() -> None:
    with pytest.raises(ArgumentTypeError, match=r"the class Constant.*Constant\(\)"):
        get_scorer(Constant)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match=r"Constant\(\)"):
        jm.score(frame(["hello"]), Constant, cache=False)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match=r"Constant\(\)"):
        jm.score(frame(["hello"]), {"en": Constant}, cache=False)  # type: ignore[dict-item]


# -- 5. a bare-string languages is refused on the jm.score path ---------------------------------------
class BareLanguages(Constant):
    languages = "en"


def test_a_bare_string_languages_is_refused() -> None:
    with pytest.raises(JourneyMapError, match=r"languages must be codes such as \('en',\), not the string 'en'"):
        get_scorer(BareLanguages())
    with pytest.raises(JourneyMapError, match=r"not the string 'en'"):
        jm.score(frame(["hello there, my order is late"]), BareLanguages(), cache=False)


# -- 6. a one-part hub id in the local Hugging Face cache ----------------------------------------------
@pytest.fixture
def legacy_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Hugging Face cache holding the one-part id ``tinylegacy`` (as bert-base-uncased once was)."""
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    commit = "c" * 40
    repo = cache / "models--tinylegacy"
    tiny_model(repo / "snapshots" / commit, ["negative", "positive"], None)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return repo


def test_a_one_part_hub_id_in_the_local_cache_loads_as_a_model(legacy_cache: Path) -> None:
    scorer = get_scorer("tinylegacy")
    assert scorer.id == f"hf:tinylegacy@{'c' * 40}+softmax+win"
    assert scorer.taxonomy.labels == ("negative", "positive")


def test_a_one_part_name_nowhere_says_how_to_load_it_as_a_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    with pytest.raises(UnknownScorerError, match=r"Available names: .*default") as info:
        get_scorer("distilbert-sst2")
    message = str(info.value)
    assert "jm.get_scorer('transformer', model='distilbert-sst2')" in message
    assert "--scorer transformer --scorer-option model=distilbert-sst2" in message
    assert info.value.name == "distilbert-sst2"


def test_the_unknown_scorer_error_keeps_its_hint_through_pickle() -> None:
    import pickle

    err = UnknownScorerError("x", ["default"], hint="try this")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.hint == "try this"


# -- 9. the docs say how sentiment labels are measured ------------------------------------------------
def test_the_docs_say_sentiment_labels_are_measured_as_jm_score_writes_them() -> None:
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[1] / "docs" / "guide" / "researcher.md").read_text()
    evaluating = guide.split("## 4.")[1].split("## 5.")[0]
    doc = " ".join((evaluate_labelled.__doc__ or "").split())
    assert "else with its labels grouped by sentiment" not in doc  # what the code never did
    assert "sentiment_rule" in doc and "NEGATIVE_VALENCE" in doc
    assert "sentiment_rule" in evaluating and "NEGATIVE_VALENCE" in evaluating


def test_sentiment_labels_are_read_as_the_valence_cut_not_the_best_member() -> None:
    """What the docs now say: joy 0.6 beside neutral 0.7 is positive (valence 0.42), though neutral is the best group."""
    joy, neutral = GOEMOTIONS_LABELS.index("joy"), GOEMOTIONS_LABELS.index("neutral")

    class Mild:
        id = "test.mild.v1"
        taxonomy = Taxonomy.goemotions()

        def score(self, texts: Sequence[str]) -> np.ndarray:
            out = np.zeros((len(texts), 28), dtype=np.float32)
            out[:, joy], out[:, neutral] = 0.6, 0.7
            return out

    data = pd.DataFrame({"text": ["fine I guess", "ok"], "label": ["positive", "neutral"]})
    per_label = evaluate_labelled(data, scorer=Mild())["per_label"]
    assert per_label.loc["positive", "recall"] == 1.0  # grouped by best member, both would read neutral
    assert per_label.loc["neutral", "recall"] == 0.0
