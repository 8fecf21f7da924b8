"""Review 22 (rv53): evaluating scorers on one's own labelled data.

List-valued label cells, an explicit ``level=``, label sets (order-free truth, multi-label
metrics), texts ``jm.score`` leaves unscored, the 4-label sentiment taxonomy, per-text
predictions / confusion matrix / bootstrap intervals / paired comparison, label names in any
case, the CLI's ``--sep`` and ``--level``, and ``layered_layout`` given a JourneySet.
Every scorer here is planted (no model), except the tiny random BERT of the progress-bar test.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app
from journeymap.emotions import evaluate_labelled as ev_module
from journeymap.emotions.evaluate_labelled import evaluate_labelled
from journeymap.emotions.labelled import read_labelled
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError, SchemaError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

runner = CliRunner()


class Ekman:
    """Ekman scores from keywords: each word present puts its label at 0.9 (in the order named), else joy 0.6."""

    id, taxonomy = "ekman-kw.v1", Taxonomy.ekman()
    words: ClassVar[dict[str, str]] = {
        "angry": "anger",
        "gross": "disgust",
        "scared": "fear",
        "sad": "sadness",
        "wow": "surprise",
        "meh": "neutral",
    }

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 7), np.float32)
        for i, t in enumerate(texts):
            out[i, self.taxonomy.labels.index("joy")] = 0.6
            for k, (word, name) in enumerate(self.words.items()):
                if word in t:
                    out[i, self.taxonomy.labels.index(name)] = 0.9 - 0.01 * k
        return out


class GoEmo:
    """GoEmotions scores: anger for "angry", joy for "nice", optimism for "hope", sadness otherwise."""

    id, taxonomy = "goemo-kw.v1", Taxonomy.goemotions()

    def score(self, texts: Sequence[str]) -> np.ndarray:
        labels = self.taxonomy.labels
        out = np.full((len(texts), len(labels)), 0.01, np.float32)
        for i, t in enumerate(texts):
            name = "anger" if "angry" in t else "joy" if "nice" in t else "optimism" if "hope" in t else "sadness"
            out[i, labels.index(name)] = 0.8
            out[i, labels.index("excitement")] = 0.7 if "nice" in t else 0.01  # joy's Ekman group, not the fine label
        return out


class Polar:
    """A 3-class sentiment model from keywords (English only, as the default scorer)."""

    id, languages = "polar.v1", ("en",)
    taxonomy = Taxonomy(
        name="sst3", labels=("negative", "neutral", "positive"), valence={"negative": -1, "neutral": 0, "positive": 1}
    )

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.tile(np.array([[0.2, 0.6, 0.2]], np.float32), (len(texts), 1))
        for i, t in enumerate(texts):
            if "awful" in t or "Katastrophe" in t:
                out[i] = [0.7, 0.2, 0.1]
            elif "love" in t:
                out[i] = [0.1, 0.2, 0.7]
        return out


# -- 1. list-valued label cells ---------------------------------------------------------------------
def test_list_tuple_and_array_cells_are_label_sets() -> None:
    frame = pd.DataFrame(
        {
            "text": ["so angry", "lovely", "sad and angry", "wow", "nothing", "numbers"],
            "labels": [["anger"], ("joy",), np.array(["sadness", "anger"]), ["surprise", None], [], np.array([2, 17])],
        }
    )
    data = read_labelled(frame, label="labels")
    assert data.labels == [("anger",), ("joy",), ("sadness", "anger"), ("surprise",), ("2", "17")]
    assert data.rows == [0, 1, 2, 3, 5]
    assert data.skipped.to_dict("records") == [{"row": 4, "reason": "no label"}]


def test_evaluate_labelled_and_the_cli_read_list_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame(
        {"text": ["so angry", "what a lovely day", "so sad and angry"], "labels": [["anger"], ["joy"], ["sadness", "anger"]]}
    )
    result = evaluate_labelled(frame, scorer=Ekman(), label="labels", level="ekman", n_boot=0)
    assert result["n_texts"] == 3 and result["accuracy"] == 1.0  # "so sad and angry" -> anger, one of its labels
    path = tmp_path / "ml.jsonl"
    path.write_text("\n".join(json.dumps({"text": t, "labels": list(c)}) for t, c in zip(frame["text"], frame["labels"])))
    monkeypatch.setattr(ev_module, "get_scorer", lambda name: Ekman())
    out = runner.invoke(app, ["evaluate", str(path), "--label-column", "labels", "--level", "ekman"])
    assert out.exit_code == 0, out.output
    assert "accuracy 1.0000" in out.output and "on 3 texts" in out.output


# -- 2. level= holds the rule fixed ------------------------------------------------------------------
def _sentiment_data() -> pd.DataFrame:
    return pd.DataFrame(
        {"text": ["awful", "love it", "fine", "awful day", "love", "ok then"], "label": ["negative", "positive", "neutral"] * 2}
    )


def test_an_extra_label_does_not_switch_the_rule_at_a_fixed_level_and_is_an_error_naming_its_rows() -> None:
    data = _sentiment_data()
    fixed = evaluate_labelled(data, scorer=Polar(), level="sentiment", n_boot=0)
    assert fixed["level_inferred"] is False and fixed["accuracy"] == 1.0
    extra = pd.concat([data, pd.DataFrame({"text": ["hmm"], "label": ["ambiguous"]})], ignore_index=True)
    with pytest.raises(SchemaError, match=r"'ambiguous'.*level 'sentiment'.*rows \[6\]"):
        evaluate_labelled(extra, scorer=Polar(), level="sentiment")
    with pytest.raises(InvalidArgumentError, match=r"level 'fine'.*its levels"):
        evaluate_labelled(data, scorer=Polar(), level="fine")


def test_ekman_data_with_one_fine_label_is_an_error_at_ekman_level_and_an_inferred_level_is_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = pd.DataFrame({"text": ["angry", "nice", "sad", "angry!", "nice!", "sad!"], "label": ["anger", "joy", "sadness"] * 2})
    at_ekman = evaluate_labelled(data, scorer=GoEmo(), level="ekman", n_boot=0)
    assert at_ekman["level"] == "ekman" and at_ekman["accuracy"] == 1.0
    extra = pd.concat([data, pd.DataFrame({"text": ["I hope"], "label": ["optimism"]})], ignore_index=True)
    with pytest.raises(SchemaError, match=r"'optimism'.*rows \[6\]"):
        evaluate_labelled(extra, scorer=GoEmo(), level="ekman")
    with caplog.at_level(logging.INFO, logger="journeymap.emotions.evaluate_labelled"):
        inferred = evaluate_labelled(extra, scorer=GoEmo(), n_boot=0)
    assert inferred["level"] == "goemotions" and inferred["level_inferred"] is True
    assert "level 'goemotions' inferred" in caplog.text
    assert "inferred from the data's labels; fix it with level= or --level" in ev_module.format_labelled(inferred)
    assert inferred["intervals"][["low", "high"]].isna().all().all()  # n_boot=0: the estimates only (rv56)


# -- 3. label sets ------------------------------------------------------------------------------------
def test_the_order_of_a_cells_labels_does_not_change_the_figures_and_set_metrics_match_scikit_learn() -> None:
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    texts = ["sad and angry", "angry", "wow sad", "nice", "gross", "scared wow", "meh", "sad"]
    cells = ["anger,sadness", "anger", "sadness,surprise", "joy", "disgust,anger", "surprise,fear", "neutral", "sadness,joy"]
    forward = evaluate_labelled(pd.DataFrame({"text": texts, "label": cells}), scorer=Ekman(), level="ekman", n_boot=0)
    backward = pd.DataFrame({"text": texts, "label": [",".join(reversed(c.split(","))) for c in cells]})
    reverse = evaluate_labelled(backward, scorer=Ekman(), level="ekman", n_boot=0)
    assert (forward["accuracy"], forward["macro_f1"]) == (reverse["accuracy"], reverse["macro_f1"])
    predictions = forward["predictions"]
    in_set = [p in c for p, c in zip(predictions["predicted"], predictions["labels"])]
    assert forward["accuracy"] == pytest.approx(np.mean(in_set))
    truth, predicted = predictions["truth"].tolist(), predictions["predicted"].tolist()
    assert forward["macro_f1"] == pytest.approx(f1_score(truth, predicted, average="macro"))
    # set metrics: every label at or above 0.5 (the scorer has no thresholds), over the data's labels
    names = sorted({n for c in cells for n in c.split(",")})
    scores = Ekman().score(texts)[:, [Taxonomy.ekman().labels.index(n) for n in names]]
    pred = scores >= 0.5
    true = MultiLabelBinarizer(classes=names).fit_transform([c.split(",") for c in cells])
    multi = forward["multilabel"]
    assert multi["micro_f1"] == pytest.approx(f1_score(true, pred, average="micro"))
    assert multi["macro_f1"] == pytest.approx(f1_score(true, pred, average="macro", zero_division=0))
    assert multi["samples_f1"] == pytest.approx(f1_score(true, pred, average="samples", zero_division=0))


# -- 4. texts jm.score leaves unscored ------------------------------------------------------------------
def test_texts_jm_score_leaves_unscored_are_reported_not_scored() -> None:
    data = pd.DataFrame(
        {
            "text": [
                "@AppleSupport https://t.co/abc",
                "?",
                "this is awful",
                "love it",
                "Das ist wirklich eine Katastrophe, ich bin sehr enttäuscht von Ihrem Service und dem Produkt",
            ],
            "label": ["neutral", "neutral", "negative", "positive", "negative"],
        }
    )
    result = evaluate_labelled(data, scorer=Polar(), level="sentiment", n_boot=0)
    written = jm.score(data[["text"]], Polar(), cache=False)
    assert result["n_texts"] == int(written["sentiment"].notna().sum()) == 2
    assert result["n_unscored"] == 3 and result["accuracy"] == 1.0
    assert result["unscored"]["row"].tolist() == [0, 1, 4]
    assert result["unscored"]["reason"].tolist() == written["score_note"].iloc[[0, 1, 4]].tolist()
    assert result["predictions"]["predicted"].isna().tolist() == [True, True, False, False, True]


# -- 5. the built-in 4-label sentiment taxonomy: what jm.score writes ----------------------------------
def test_the_evaluated_sentiment_of_the_builtin_sentiment_taxonomy_is_the_sentiment_column() -> None:
    class Four:
        id, taxonomy = "four.v1", Taxonomy.sentiment()  # positive, negative, ambiguous, neutral

        def score(self, texts: Sequence[str]) -> np.ndarray:
            rows = {
                "meh it broke": [0.25, 0.45, 0.0, 0.30],
                "great stuff": [0.8, 0.1, 0.0, 0.1],
                "it broke": [0.1, 0.8, 0.0, 0.1],
            }
            return np.asarray([rows[t] for t in texts], np.float32)

    # with neutral among the data's labels (two-way data moves a neutral decision to the larger side)
    data = pd.DataFrame({"text": ["meh it broke", "great stuff", "it broke"], "label": ["negative", "positive", "neutral"]})
    result = evaluate_labelled(data, scorer=Four(), level="sentiment", n_boot=0)
    written = jm.score(data[["text"]], Four(), cache=False)
    assert result["predictions"]["predicted"].tolist() == written["sentiment"].tolist() == ["neutral", "positive", "negative"]


# -- 6. predictions, confusion matrix, intervals, paired comparison -----------------------------------
def test_confusion_matrix_intervals_and_paired_comparison_against_scikit_learn_and_scipy() -> None:
    from scipy.stats import binomtest
    from sklearn.metrics import confusion_matrix, f1_score

    rng = np.random.default_rng(3)
    words = ["angry", "gross", "scared", "sad", "wow", "meh", "nice"]
    names = ["anger", "disgust", "fear", "sadness", "surprise", "neutral", "joy"]
    picks = rng.integers(0, 7, 120)
    labels = [names[k] if rng.random() < 0.7 else names[(k + 1) % 7] for k in picks]
    data = pd.DataFrame({"text": [f"{words[k]} {i}" for i, k in enumerate(picks)], "label": labels})

    class Blind(Ekman):
        id = "blind.v1"
        words: ClassVar[dict[str, str]] = {"angry": "anger", "sad": "sadness"}

    a = evaluate_labelled(data, scorer=Ekman(), level="ekman", n_boot=500, seed=1)
    b = evaluate_labelled(data, scorer=Blind(), level="ekman", n_boot=500, seed=1)
    truth, predicted = a["predictions"]["truth"].tolist(), a["predictions"]["predicted"].tolist()
    order = a["confusion_matrix"].index.tolist()
    assert (a["confusion_matrix"].to_numpy() == confusion_matrix(truth, predicted, labels=order)).all()
    intervals = a["intervals"]
    assert intervals.loc["macro_f1", "estimate"] == pytest.approx(f1_score(truth, predicted, average="macro"))
    assert intervals.loc["accuracy", "low"] < a["accuracy"] < intervals.loc["accuracy", "high"]
    assert intervals.loc["macro_f1", "low"] < a["macro_f1"] < intervals.loc["macro_f1", "high"]
    c = ev_module.compare_labelled(a, b, n_boot=500)
    assert c["table"].loc["macro_f1", "difference"] == pytest.approx(a["macro_f1"] - b["macro_f1"])
    assert c["table"].loc["macro_f1", "low"] < c["table"].loc["macro_f1", "difference"] < c["table"].loc["macro_f1", "high"]
    right_a, right_b = a["predictions"]["correct"].to_numpy(bool), b["predictions"]["correct"].to_numpy(bool)
    assert (c["a_only"], c["b_only"]) == (int((right_a & ~right_b).sum()), int((~right_a & right_b).sum()))
    assert c["mcnemar_p"] == pytest.approx(binomtest(c["a_only"], c["a_only"] + c["b_only"], 0.5).pvalue)
    assert ev_module.mcnemar_exact(49, 34) == pytest.approx(0.12385, abs=1e-5)
    with pytest.raises(InvalidArgumentError, match="same data"):
        ev_module.compare_labelled(a, evaluate_labelled(data.iloc[:60], scorer=Blind(), level="ekman", n_boot=0))


# -- 7. names in any case; label_map keys that match nothing -------------------------------------------
def test_label_names_match_in_any_case_and_an_unused_label_map_key_is_an_error() -> None:
    data = _sentiment_data().assign(label=lambda d: d["label"].str.capitalize())
    assert evaluate_labelled(data, scorer=Polar(), n_boot=0)["accuracy"] == 1.0
    coded = _sentiment_data().assign(label=lambda d: d["label"].map({"negative": "NEG", "neutral": "Neu", "positive": "pos"}))
    mapping = {"neg": "negative", "neu": "neutral", "POS": "positive"}
    assert evaluate_labelled(coded, scorer=Polar(), label_map=mapping, n_boot=0)["accuracy"] == 1.0
    with pytest.raises(InvalidArgumentError, match=r"\['LABEL_O'\] match no label"):
        read_labelled(coded, label_map={**mapping, "LABEL_O": "neutral"})


# -- 9. the CLI: --sep, --level, no transformers progress bar -----------------------------------------
def test_cli_evaluate_takes_a_label_separator_and_a_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ek.csv"
    pd.DataFrame({"text": ["sad and angry", "nice", "gross"], "emo": ["Angry;Sad", "Happy", "Disgusted"]}).to_csv(
        path, index=False
    )
    monkeypatch.setattr(ev_module, "get_scorer", lambda name: Ekman())
    args = [
        "evaluate",
        str(path),
        "--label-column",
        "emo",
        "--sep",
        ";",
        "--label-map",
        "Angry=anger",
        "--label-map",
        "Sad=sadness",
    ]
    args += ["--label-map", "Happy=joy", "--label-map", "Disgusted=disgust", "--level", "ekman"]
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    assert "at ekman level on 3 texts" in out.output and "accuracy 1.0000" in out.output


def test_loading_a_hugging_face_model_shows_no_progress_bar(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("torch")
    from tests.test_review12_emotions import tiny_bert

    folder = tiny_bert(tmp_path / "m", ["negative", "neutral", "positive"])
    capfd.readouterr()
    jm.get_scorer(str(folder))
    err = capfd.readouterr().err
    assert "Loading weights" not in err and "%|" not in err


# -- 10. layered_layout given a JourneySet ------------------------------------------------------------
def test_layered_layout_of_a_journey_set_is_a_clear_error() -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
    with pytest.raises(ArgumentTypeError, match=r"layered_layout needs a journey graph.*journey_graph\(js\)"):
        jm.plot.layered_layout(js)
