from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from journeymap import ModelLoadError
from journeymap.emotions import _minilm
from journeymap.emotions.train import TrainConfig, bucketed_batches, train

from .test_evaluate import tiny_goemotions

if TYPE_CHECKING:
    from pathlib import Path


def test_bucketed_batches_cover_every_text_once() -> None:
    lengths = [5, 1, 9, 3, 3, 7, 2] * 20
    batches = bucketed_batches(lengths, 8, seed=1)
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(len(lengths)))
    assert bucketed_batches(lengths, 8, seed=1) == batches


def test_training_writes_loadable_weights_and_resumes(tmp_path: Path) -> None:
    data = tiny_goemotions(tmp_path / "g")
    out = tmp_path / "model"
    meta = train(data, out, TrainConfig(epochs=2, batch_size=2, checkpoint_every=1), device="cpu")
    assert (out / "model.safetensors").is_file()
    stored = json.loads((out / "config.json").read_text())
    assert stored["id"] == "journeymap.default.v1" and len(stored["thresholds"]) == 28
    # Both epochs were measured on dev (the checkpoint's history); the folder holds the best one,
    # with the history up to it.
    import torch

    assert (out / "checkpoint" / "state.pt").is_file()
    history = torch.load(out / "checkpoint" / "state.pt", weights_only=False)["state"]["history"]
    assert [h["epoch"] for h in history] == [1, 2]
    best = stored["dev"]["epoch"]
    assert best in {1, 2}
    assert [h["epoch"] for h in stored["history"]] == list(range(1, best + 1))
    assert stored["dev"]["dev_macro_f1"] == max(h["dev_macro_f1"] for h in history)
    assert meta["labels"] == stored["labels"] and meta["dev"] == stored["dev"]
    model, _ = _minilm.build(28)
    assert _minilm.load_weights(model, out)["thresholds"] == stored["thresholds"]
    # resuming a finished run trains nothing more
    again = train(data, out, TrainConfig(epochs=2, batch_size=2), device="cpu", resume=True)
    assert again == {}
    with pytest.raises(ModelLoadError, match="No fine-tuned weights"):
        _minilm.load_weights(model, tmp_path)


def _sentiment_table(path: Path, n: int = 24) -> Path:
    import pandas as pd

    good = ["thanks so much, that fixed it", "love the new app", "great service today", "you sorted it, brilliant"]
    bad = ["this is the worst service", "my parcel is late again", "I am so angry with you", "still waiting, ridiculous"]
    rows = [(good[i % 4], 2) if i % 2 else (bad[i % 4], 0) for i in range(n)]
    frame = pd.DataFrame(rows, columns=["tweet", "y"])
    frame.loc[len(frame)] = [None, 0]  # a row without text: reported, not used
    frame.to_csv(path, index=False)
    return path


def test_training_on_any_labelled_csv_gives_a_model_get_scorer_loads(tmp_path: Path) -> None:
    import numpy as np

    import journeymap as jm
    from journeymap.emotions.trained import TrainedScorer
    from journeymap.testing import check_scorer

    data = _sentiment_table(tmp_path / "labelled.csv")
    out = tmp_path / "sentiment-model"
    meta = train(
        data, out, TrainConfig(epochs=1, batch_size=4, max_steps=2, checkpoint_every=100), device="cpu",
        text="tweet", label="y", label_map={"0": "negative", "2": "positive"},
    )  # fmt: skip
    assert meta["labels"] == ["negative", "positive"] and meta["valence"] == {"negative": -0.8, "positive": 0.8}
    scorer = jm.get_scorer(str(out))
    assert isinstance(scorer, TrainedScorer)
    assert scorer.taxonomy.labels == ("negative", "positive")
    probs = scorer.score(["thanks, brilliant", "", "worst ever"])
    assert probs.shape == (3, 2) and np.isfinite(probs).all()
    assert scorer.id.startswith("journeymap.trained:sentiment-model@")
    check_scorer(scorer)


def test_training_labels_without_a_valence_are_an_error_naming_them(tmp_path: Path) -> None:
    from journeymap import SchemaError

    data = _sentiment_table(tmp_path / "labelled.csv")
    with pytest.raises(SchemaError, match=r"labels \['0', '2'\] have no known valence: .*--valence 0="):
        train(data, tmp_path / "m", TrainConfig(epochs=1, max_steps=1), device="cpu", text="tweet", label="y")
    with pytest.raises(SchemaError, match=r"no column\(s\) \['text'\]"):
        train(data, tmp_path / "m", TrainConfig(epochs=1, max_steps=1), device="cpu", label="y")


def test_cli_train_then_evaluate_on_a_labelled_csv(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from journeymap.cli import app

    runner = CliRunner()
    data = _sentiment_table(tmp_path / "labelled.csv", n=16)
    out = tmp_path / "m"
    common = ["--text-column", "tweet", "--label-column", "y", "--label-map", "0=negative", "--label-map", "2=positive"]
    result = runner.invoke(app, ["train", str(data), "--out", str(out), "--epochs", "1", *common])
    assert result.exit_code == 0, result.output
    assert "labels negative, positive" in result.output
    result = runner.invoke(app, ["evaluate", str(data), "--scorer", str(out), *common])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("scorer journeymap.trained:m@")
    assert "on 16 texts (1 rows skipped): accuracy" in result.output
    result = runner.invoke(app, ["evaluate", str(data), "--scorer", str(out), "--text-column", "tweet", "--label-column", "y"])
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "label mapping" in result.output
    result = runner.invoke(app, ["train", str(data), "--out", str(out), "--text-column", "tweet", "--label-column", "y"])
    assert result.exit_code == 1 and "--valence 0=" in result.output


def _tweeteval(folder: Path, splits: dict[str, list[tuple[str, int]]]) -> Path:
    folder.mkdir(parents=True)
    for split, rows in splits.items():
        (folder / f"{split}_text.txt").write_text("".join(f"{t}\n" for t, _ in rows))
        (folder / f"{split}_labels.txt").write_text("".join(f"{y}\n" for _, y in rows))
    return folder


def test_multitask_training_writes_all_heads_and_resumes(tmp_path: Path) -> None:
    from journeymap.emotions.default import DefaultScorer
    from journeymap.emotions.train_multitask import MultiTaskConfig
    from journeymap.emotions.train_multitask import train as train_multitask

    go = tiny_goemotions(tmp_path / "g")
    tweets = [("thanks so much, that fixed it", 2), ("my parcel is late again", 0), ("the store opens at 9", 1)] * 8
    sentiment = _tweeteval(tmp_path / "s", {"test": tweets})
    irony = _tweeteval(
        tmp_path / "i", {"train": [("oh great, another delay", 1), ("nice day", 0)] * 4, "val": [("lovely", 0)] * 2}
    )
    out = tmp_path / "v2"
    config = MultiTaskConfig(epochs=1, batch_size=4, holdout=0.25, go_fraction=1.0, freeze_layers=5)
    meta = train_multitask(go, sentiment, irony, out, config, device="cpu")
    stored = json.loads((out / "config.json").read_text())
    assert meta["id"] == stored["id"] == "journeymap.default.v2"
    assert len(stored["thresholds"]) == 28 and len(stored["sentiment_bias"]) == 3
    assert [h["epoch"] for h in stored["history"]] == [1]
    scorer = DefaultScorer(weights=out, precision="float32")
    # the class shares the head was trained at (8 of each, one in four held out), for the service prior
    assert len(stored["sentiment_prior"]) == 3 and sum(stored["sentiment_prior"]) == pytest.approx(1.0, abs=1e-3)
    assert scorer.sentiment_prior == tuple(stored["sentiment_prior"])
    outputs = scorer.score_outputs(["thanks so much", "late again"])
    assert outputs.shape == (2, 28 + 5)
    # resuming a finished run trains nothing more
    assert train_multitask(go, sentiment, irony, out, config, device="cpu", resume=True) == {}
