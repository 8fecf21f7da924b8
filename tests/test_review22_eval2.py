"""Review 22 (rv53), second part: scorer ids of local folders, label hints, Ekman scorers on a GoEmotions folder,
irony labels, ``evaluate --json`` and thresholds tuned on a dev table.

The scorers are planted, except the tiny random BERT models saved to ``tmp_path``.
"""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.emotions import evaluate as folder_module
from journeymap.emotions import evaluate_labelled as ev_module
from journeymap.emotions._metrics import tune_thresholds
from journeymap.emotions.evaluate import evaluate
from journeymap.emotions.evaluate_labelled import evaluate_labelled
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import InvalidArgumentError, ModelLoadError, SchemaError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

runner = CliRunner()


# -- A. one local folder, one id --------------------------------------------------------------------------
def test_one_local_model_folder_has_one_id_however_its_path_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    from journeymap.emotions.transformer import TransformerScorer
    from tests.test_review12_emotions import tiny_bert

    folder = tiny_bert(tmp_path / "hf_senti", ["negative", "neutral", "positive"])
    monkeypatch.chdir(tmp_path)
    ids = {TransformerScorer(name).id for name in ["hf_senti", "./hf_senti", "hf_senti/", str(folder), str(folder) + "/"]}
    assert len(ids) == 1, ids
    (one,) = ids
    assert one.startswith("hf:hf_senti@")
    # the id follows the contents: a copy keeps it, other weights get another
    shutil.copytree(folder, tmp_path / "elsewhere" / "hf_senti")
    assert TransformerScorer(tmp_path / "elsewhere" / "hf_senti").id == one
    other = tiny_bert(tmp_path / "b" / "hf_senti", ["negative", "positive"])
    assert TransformerScorer(other).id != one


# -- B. the label_map hint goes by the labels' meaning ------------------------------------------------------
def test_the_hint_for_unknown_model_labels_maps_them_by_meaning(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from journeymap.emotions.transformer import TransformerScorer
    from tests.test_review12_emotions import tiny_bert

    folder = tiny_bert(tmp_path / "posneg", ["POS", "NEG"])
    with pytest.raises(ModelLoadError) as info:
        TransformerScorer(folder)
    said = str(info.value)
    assert "{'POS': 'positive', 'NEG': 'negative'}" in said
    assert "'POS': 'negative'" not in said
    generic = tiny_bert(tmp_path / "generic", ["LABEL_0", "LABEL_1"])
    with pytest.raises(ModelLoadError) as info:
        TransformerScorer(generic)
    assert "'negative'" not in str(info.value)  # nothing in LABEL_0 says what it means: no made-up example
    assert "naming what each of ['LABEL_0', 'LABEL_1'] means" in str(info.value)


# -- C. an Ekman scorer on a GoEmotions folder; irony labels --------------------------------------------------
class EkmanWords:
    """Ekman scores from keywords: 0.8 for each label whose word is in the text, 0.1 otherwise; neutral 0.3."""

    id, taxonomy = "ekman-words.v1", Taxonomy.ekman()
    words: ClassVar[dict[str, str]] = {
        "anger": "angry",
        "disgust": "gross",
        "fear": "scared",
        "joy": "great",
        "sadness": "sad",
        "surprise": "wow",
    }

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.full((len(texts), 7), 0.1, np.float32)
        for i, t in enumerate(texts):
            out[i, self.taxonomy.labels.index("neutral")] = 0.3
            for name, word in self.words.items():
                if word in t:
                    out[i, self.taxonomy.labels.index(name)] = 0.8
        return out


def goemotions_folder(folder: Path) -> Path:
    """A small GoEmotions-format folder whose ekman_mapping.json puts curiosity under joy (the built-in: surprise)."""
    labels = list(Taxonomy.goemotions().labels)
    folder.mkdir()
    (folder / "labels.txt").write_text("\n".join(labels) + "\n")
    mapping = {k: list(v) for k, v in Taxonomy.goemotions().groups["ekman"].items() if k != "neutral"}
    mapping["surprise"].remove("curiosity")
    mapping["joy"].append("curiosity")
    (folder / "ekman_mapping.json").write_text(json.dumps(mapping))
    rows = [
        ("so angry now", ["annoyance"]),
        ("gross and angry", ["disgust", "anger"]),
        ("I am scared", ["nervousness"]),
        ("great, I wonder", ["curiosity"]),
        ("wow great", ["surprise", "joy"]),
        ("sad day", ["grief"]),
        ("ok then", ["neutral"]),
        ("wow", ["realization"]),
    ]
    for split in ("train", "dev", "test"):
        lines = [f"{text}\t{','.join(str(labels.index(n)) for n in names)}\tid{i}" for i, (text, names) in enumerate(rows)]
        (folder / f"{split}.tsv").write_text("\n".join(lines) + "\n")
    return folder


def test_an_ekman_scorer_is_evaluated_on_a_goemotions_folder_through_its_mapping(tmp_path: Path) -> None:
    f1_score = pytest.importorskip("sklearn.metrics").f1_score
    folder = goemotions_folder(tmp_path / "goemo")
    result = evaluate(folder, scorer=EkmanWords())
    assert set(result) >= {"ekman", "ekman_mapping"} and "goemotions" not in result
    assert result["ekman_mapping"] == str(folder / "ekman_mapping.json")
    table = result["ekman"]["per_label"]
    labels = list(Taxonomy.ekman().labels)
    assert table.index.tolist() == labels
    # the truth by the folder's mapping: curiosity is joy there
    truth = np.zeros((8, 7), dtype=bool)
    for i, names in enumerate(
        [["anger"], ["disgust", "anger"], ["fear"], ["joy"], ["surprise", "joy"], ["sadness"], ["neutral"], ["surprise"]]
    ):
        truth[i, [labels.index(n) for n in names]] = True
    assert table["support"].tolist() == truth.sum(axis=0).tolist()
    texts = [line.split("\t")[0] for line in (folder / "test.tsv").read_text().splitlines()]
    probs = EkmanWords().score(texts)
    thresholds = tune_thresholds(probs, truth)  # dev is the same rows here
    assert np.allclose(table["threshold"], thresholds)
    from journeymap.emotions._metrics import predict

    pred = predict(probs, thresholds)
    assert result["ekman"]["macro_f1"] == pytest.approx(f1_score(truth, pred, average="macro", zero_division=0))
    assert result["ekman"]["micro_f1"] == pytest.approx(f1_score(truth, pred, average="micro"))
    with pytest.raises(InvalidArgumentError, match="'ekman' level only"):
        evaluate(folder, scorer=EkmanWords(), levels=("goemotions", "ekman"))


def test_cli_evaluates_an_ekman_scorer_on_a_goemotions_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = goemotions_folder(tmp_path / "goemo")
    monkeypatch.setattr(folder_module, "get_scorer", lambda name: EkmanWords())
    out = runner.invoke(app, ["evaluate", str(folder), "--scorer", "ekmanlex"])
    assert out.exit_code == 0, out.output
    assert "grouped into Ekman's by" in out.output and "ekman: macro-F1" in out.output
    assert "by built-in" not in out.output  # "by the built-in grouping" or by the folder's file (rv56)


def test_an_irony_table_is_told_how_irony_is_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    data = pd.DataFrame({"text": ["oh great, another delay", "thanks, it works"], "label": ["irony", "non_irony"]})
    with pytest.raises(SchemaError, match=r"irony labels.*'irony' output.*TweetEval irony folder.*mapping.txt"):
        evaluate_labelled(data, scorer=EkmanWords())


# -- D. evaluate --json; thresholds tuned on a dev table ---------------------------------------------------------
def labelled_table(path: Path) -> Path:
    pd.DataFrame(
        {
            "text": ["so angry", "angry and sad", "great day", "sad news", "wow, great", "great", "?"],
            "label": ["anger", "anger;sadness", "joy", "sadness", "surprise;joy", "joy", "joy"],
        }
    ).to_csv(path, index=False)
    return path


def test_cli_evaluate_json_writes_the_whole_result_and_nothing_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = labelled_table(tmp_path / "t.csv")
    monkeypatch.setattr(ev_module, "get_scorer", lambda name: EkmanWords())
    out = runner.invoke(app, ["evaluate", str(path), "--sep", ";", "--level", "ekman", "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)  # stdout holds the JSON alone
    expected = evaluate_labelled(path, scorer=EkmanWords(), sep=";", level="ekman")
    assert result["accuracy"] == pytest.approx(expected["accuracy"]) and result["macro_f1"] == pytest.approx(expected["macro_f1"])
    assert (result["n_texts"], result["n_unscored"]) == (6, 1)
    assert result["unscored"] == [{"row": 6, "text": "?", "reason": expected["unscored"]["reason"][0]}]
    assert result["confusion_matrix"]["anger"] == expected["confusion_matrix"].loc["anger"].to_dict()
    assert set(result["intervals"]) == {"accuracy", "macro_f1"} and result["intervals"]["accuracy"]["low"] is not None
    assert result["per_label"]["joy"]["support"] == int(expected["per_label"].loc["joy", "support"])
    assert len(result["predictions"]) == 7 and result["predictions"][6]["predicted"] is None
    assert result["multilabel"]["thresholds"]["anger"] == pytest.approx(0.5)


def test_thresholds_tuned_on_a_dev_table_are_applied_to_the_evaluated_one(tmp_path: Path) -> None:
    f1_score = pytest.importorskip("sklearn.metrics").f1_score
    test = pd.DataFrame(
        {"text": ["angry", "great", "sad", "great wow", "angry sad"], "label": ["Angry", "Happy", "Sad", "Happy", "Sad"]}
    )
    dev = pd.DataFrame({"text": ["so angry", "great", "sad", "angry sad"], "label": ["Angry", "Happy", "Sad", "Angry"]})
    names = {"Angry": "anger", "Happy": "joy", "Sad": "sadness"}
    result = evaluate_labelled(test, scorer=EkmanWords(), label_map=names, level="ekman", dev=dev)
    multi = result["multilabel"]  # single-label data: the label-set figures come with dev=
    assert multi["thresholds_from"] == "dev" and multi["n_dev"] == 4
    labels = ["anger", "joy", "sadness"]
    scorer = EkmanWords()
    cols = [scorer.taxonomy.labels.index(n) for n in labels]
    dev_true = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=bool)
    tuned = tune_thresholds(scorer.score(dev["text"].tolist())[:, cols], dev_true)
    assert np.allclose(multi["thresholds"].to_numpy(), tuned)
    from journeymap.emotions._metrics import predict

    pred = predict(scorer.score(test["text"].tolist())[:, cols], tuned)
    truth = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]], dtype=bool)
    assert multi["macro_f1"] == pytest.approx(f1_score(truth, pred, average="macro", zero_division=0))
    assert multi["micro_f1"] == pytest.approx(f1_score(truth, pred, average="micro"))
    # the single-label figures do not change
    plain = evaluate_labelled(test, scorer=EkmanWords(), label_map=names, level="ekman")
    assert plain["multilabel"] is None and plain["accuracy"] == result["accuracy"]
    # a label of the dev table that the evaluated one has not is named
    with pytest.raises(SchemaError, match=r"dev table's labels \['fear'\]"):
        evaluate_labelled(
            test, scorer=EkmanWords(), label_map=names, level="ekman", dev=pd.DataFrame({"text": ["x"], "label": ["fear"]})
        )
    with pytest.raises(InvalidArgumentError, match="no thresholds to tune"):
        evaluate_labelled(
            pd.DataFrame({"text": ["a", "b"], "label": ["negative", "positive"]}), scorer=EkmanWords(), level="sentiment", dev=dev
        )


def test_cli_evaluate_takes_a_dev_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = labelled_table(tmp_path / "t.csv")
    dev = labelled_table(tmp_path / "dev.csv")
    monkeypatch.setattr(ev_module, "get_scorer", lambda name: EkmanWords())
    out = runner.invoke(app, ["evaluate", str(path), "--sep", ";", "--level", "ekman", "--dev", str(dev)])
    assert out.exit_code == 0, out.output
    assert "thresholds tuned on the dev table's 6 texts" in out.output
    folder = goemotions_folder(tmp_path / "goemo")
    out = runner.invoke(app, ["evaluate", str(folder), "--dev", str(dev)])
    assert out.exit_code != 0 and "--dev applies to a labelled table" in out.output
