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
