"""Mutation-and-pin review (rv69) of the training scripts and trained-model loading.

Pins the rules of :mod:`journeymap.emotions.train`, :mod:`journeymap.emotions.train_multitask`
and :mod:`journeymap.emotions.trained` that the existing end-to-end tests let through: the options
the command lines take, how a labelled table's labels, valences and dev split are read, the
learning-rate schedule and what the optimiser trains, the resume logic, the epoch kept (best dev
macro-F1; best sum of dev and hold-out for the multi-task run), the sentiment hold-out and its bias
calibration, TweetEval files, the ``config.json`` keys written and how a trained folder loads.

Every network here is a tiny random BERT (hidden 16, two layers) put in place of the bundled
MiniLM encoder (its tokenizer is kept), so a training run takes well under a second; no model is
downloaded and the shipped default model is never loaded.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from journeymap import InvalidArgumentError, ModelLoadError, SchemaError
from journeymap.emotions import _minilm
from journeymap.emotions import train as train_mod
from journeymap.emotions import train_multitask as mt
from journeymap.emotions._goemotions import Split
from journeymap.emotions.train import TrainConfig
from tests.test_train import _tweeteval


@functools.cache
def _tokenizer() -> Any:
    return _minilm.load_tokenizer()


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled MiniLM encoder replaced by a tiny random BERT (same tokenizer); no base hashing."""
    from transformers import BertConfig, BertModel

    tokenizer = _tokenizer()

    def load_base(*, tokenizer_only: bool) -> tuple[Any, Any]:
        if tokenizer_only:
            return tokenizer, None
        config = BertConfig(
            vocab_size=tokenizer.vocab_size,
            hidden_size=16,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=32,
            max_position_embeddings=128,
        )
        return tokenizer, BertModel(config, add_pooling_layer=False)

    monkeypatch.setattr(_minilm, "_load_base", load_base)
    monkeypatch.setattr(train_mod, "file_sha256", lambda path: "sha")
    monkeypatch.setattr(mt, "file_sha256", lambda path: "sha")


def _goemotions(folder: Path) -> Path:
    """A GoEmotions-format folder: labels.txt (the 28 labels), train.tsv and dev.tsv of a few comments."""
    from journeymap.emotions.taxonomy import Taxonomy

    folder.mkdir(parents=True)
    (folder / "labels.txt").write_text("\n".join(Taxonomy.goemotions().labels) + "\n")
    rows = {
        "train": [("thanks a lot", "15"), ("so angry", "2"), ("ok", "27"), ("great thanks", "15")],
        "dev": [("thank you", "15"), ("i am angry", "2"), ("ok then", "27"), ("wow, thanks", "15,26")],
    }
    for split, items in rows.items():
        (folder / f"{split}.tsv").write_text("".join(f"{t}\t{ids}\tid{i}\n" for i, (t, ids) in enumerate(items)))
    return folder


def _table(path: Path, n: int = 12) -> Path:
    good = ["thanks so much", "love the app", "great service", "brilliant"]
    bad = ["worst service", "late again", "so angry", "still waiting"]
    rows = [(good[i % 4] + f" {i}", "positive") if i % 2 else (bad[i % 4] + f" {i}", "negative") for i in range(n)]
    pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    return path


# -- the command lines' options ---------------------------------------------------------------------
def test_config_options_take_whole_numbers_for_limit_and_max_steps() -> None:
    # rv69-M1 (train.py:86): limit and max_steps default to None, so their type is named (int), not taken from the default
    parser = argparse.ArgumentParser()
    train_mod.add_config_options(parser, mt.MultiTaskConfig)
    args = parser.parse_args(["--max-steps", "3", "--limit", "5", "--freeze-layers", "0", "--go-weight", "2.5"])
    config = train_mod.config_from(args, mt.MultiTaskConfig)
    assert (config.max_steps, config.limit, config.freeze_layers, config.go_weight) == (3, 5, 0, 2.5)
    assert train_mod.config_from(parser.parse_args([]), mt.MultiTaskConfig) == mt.MultiTaskConfig()


def test_train_main_passes_each_option_to_train(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # rv69-M9/M10 (train.py main): --valence values become numbers, --label-map pairs a mapping, columns by name
    seen: dict[str, Any] = {}

    def fake(data: Path, out: Path, config: TrainConfig, **kwargs: Any) -> dict[str, Any]:
        seen.update(kwargs, data=data, out=out, config=config)
        return {}

    monkeypatch.setattr(train_mod, "train", fake)
    argv = [str(tmp_path / "d.csv"), "--out", str(tmp_path / "o"), "--text-column", "tweet", "--label-column", "y"]
    argv += ["--label-map", "0=negative", "--label-map", "2=positive", "--valence", "meh=-0.25", "--epochs", "3"]
    argv += ["--dev", str(tmp_path / "dev.csv"), "--resume", "--max-length", "32"]
    assert train_mod.main(argv) == 0
    assert seen["text"] == "tweet" and seen["label"] == "y"
    assert seen["label_map"] == {"0": "negative", "2": "positive"}
    assert seen["valence"] == {"meh": -0.25} and isinstance(seen["valence"]["meh"], float)
    assert seen["dev"] == tmp_path / "dev.csv" and seen["resume"] is True and seen["checkpoint_dir"] is None
    assert seen["config"] == TrainConfig(epochs=3, max_length=32)


# -- how a table's labels, valences and dev split are read ----------------------------------------
@pytest.mark.parametrize(
    ("keyword", "value"),
    [("dev", "dev.csv"), ("text", "tweet"), ("label", "y"), ("label_map", {"0": "negative"}), ("valence", {"meh": 0.1})],
)
def test_a_goemotions_folder_refuses_each_table_argument_by_name(tmp_path: Path, keyword: str, value: object) -> None:
    # rv69-M2/M3 (train.py:178-179): every argument for a table is refused with a folder, and named
    folder = _goemotions(tmp_path / "g")
    kwargs: dict[str, Any] = {"text": "text", "label": "label", "label_map": None, "valence": None, "dev": None}
    kwargs[keyword] = value
    with pytest.raises(InvalidArgumentError, match=rf"^{keyword}= apply to a labelled table"):
        train_mod._training_data(folder, seed=13, **kwargs)


def _data(tmp_path: Path, frame: pd.DataFrame, name: str = "d.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_a_table_with_one_label_is_refused(tmp_path: Path) -> None:
    # rv69-M4 (train.py:192): training needs at least two labels
    path = _data(tmp_path, pd.DataFrame({"text": ["a", "b", "c"], "label": ["positive"] * 3}))
    with pytest.raises(SchemaError, match=r"training needs at least two labels, found \['positive'\]"):
        train_mod._training_data(path, text="text", label="label", label_map=None, valence=None, dev=None, seed=13)


def test_valence_given_for_unknown_labels_and_over_known_ones(tmp_path: Path) -> None:
    # rv69-M5 (train.py:196): a label given a valence needs no known one;
    # rv69-M6 (train.py:200): a valence given wins over the known one
    path = _data(tmp_path, pd.DataFrame({"text": [f"t{i}" for i in range(20)], "label": ["meh", "positive"] * 10}))
    _, _, valence = train_mod._training_data(
        path, text="text", label="label", label_map=None, valence={"meh": -0.3, "positive": 0.5}, dev=None, seed=13
    )
    assert valence == {"meh": -0.3, "positive": 0.5}
    _, _, valence = train_mod._training_data(
        path, text="text", label="label", label_map=None, valence={"meh": -0.3}, dev=None, seed=13
    )
    assert valence == {"meh": -0.3, "positive": 0.8}


def test_a_dev_table_is_read_over_the_training_labels(tmp_path: Path) -> None:
    # rv69-M7 (train.py:204): dev columns line up with the training labels, even when dev lacks one of them
    path = _data(tmp_path, pd.DataFrame({"text": ["a", "b", "c", "d"], "label": ["negative", "neutral", "positive", "neutral"]}))
    dev = _data(tmp_path, pd.DataFrame({"text": ["x", "y"], "label": ["positive", "neutral"]}), "dev.csv")
    train_split, dev_split, _ = train_mod._training_data(
        path, text="text", label="label", label_map=None, valence=None, dev=dev, seed=13
    )
    assert train_split.labels == dev_split.labels == ["negative", "neutral", "positive"]
    assert dev_split.targets.tolist() == [[0, 0, 1], [0, 1, 0]]
    assert train_split.texts == ["a", "b", "c", "d"]


def test_the_dev_share_of_a_table_is_seeded_by_the_config_seed(tmp_path: Path) -> None:
    # rv69-M8 (train.py:205): 10% held out per first label, drawn with the run's seed (other seeds, other rows)
    from journeymap.emotions.labelled import as_split, dev_split, read_labelled

    path = _data(tmp_path, pd.DataFrame({"text": [f"t{i}" for i in range(40)], "label": ["negative", "positive"] * 20}))
    held = {}
    for seed in (0, 13, 14):
        train_split, dev_part, _ = train_mod._training_data(
            path, text="text", label="label", label_map=None, valence=None, dev=None, seed=seed
        )
        expected = dev_split(as_split(read_labelled(path)), 0.1, seed=seed)
        assert dev_part.texts == expected[1].texts and train_split.texts == expected[0].texts
        assert len(dev_part.texts) == 4 and not set(dev_part.texts) & set(train_split.texts)
        held[seed] = dev_part.texts
    assert held[13] != held[0] and held[13] != held[14]


# -- the optimiser, its schedule and the resume logic ---------------------------------------------
class _Net(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = torch.nn.Linear(2, 2)
        self.frozen = torch.nn.Linear(2, 2)
        self.frozen.requires_grad_(False)
        self.head = torch.nn.Linear(2, 1)


def _optimisation(net: _Net, tmp_path: Path, *, resume: bool = False, **config: Any) -> Any:
    return train_mod.optimisation(
        net,
        list(net.head.parameters()),
        config=TrainConfig(**config),
        total=8,
        ckpt_path=tmp_path / "ck" / "state.pt",
        resume=resume,
        device=torch.device("cpu"),
    )


def test_the_schedule_warms_up_then_decays_linearly_to_zero(tmp_path: Path) -> None:
    # rv69-M11 (train.py:317 `<` -> `<=`), M12 (train.py:319), M13 (train.py:312 lr <-> head_lr), M14 (train.py:308 floor of 1)
    optimizer, scheduler, _, _ = _optimisation(_Net(), tmp_path, warmup=0.25, lr=1.0, head_lr=10.0)
    body, heads = [], []
    for _ in range(9):
        body.append(round(optimizer.param_groups[0]["lr"], 4))
        heads.append(round(optimizer.param_groups[1]["lr"], 4))
        optimizer.step()
        scheduler.step()
    # warm-up over int(0.25 * 8) = 2 steps, then (8 - step) / (8 - 2)
    assert body == [0.5, 1.0, 1.0, 0.8333, 0.6667, 0.5, 0.3333, 0.1667, 0.0]
    assert heads == [5.0, 10.0, 10.0, 8.3333, 6.6667, 5.0, 3.3333, 1.6667, 0.0]
    optimizer, _, _, _ = _optimisation(_Net(), tmp_path, warmup=0.0, lr=1.0)
    assert optimizer.param_groups[0]["lr"] == 1.0  # no warm-up: at least one step of it, full rate at once


def test_the_optimiser_trains_the_unfrozen_body_and_the_heads_only(tmp_path: Path) -> None:
    # rv69-M15 (train.py:310): frozen parameters are not handed to the optimiser, nor the heads twice
    net = _Net()
    optimizer, _, state, _ = _optimisation(net, tmp_path, weight_decay=0.5)
    body, heads = (group["params"] for group in optimizer.param_groups)
    assert {id(p) for p in body} == {id(p) for p in net.body.parameters()}
    assert {id(p) for p in heads} == {id(p) for p in net.head.parameters()}
    assert optimizer.param_groups[0]["weight_decay"] == 0.5
    assert state == {"epoch": 0, "batch": 0, "step": 0, "best": -1.0, "history": []}


def _step(net: _Net, optimizer: Any, scheduler: Any, state: dict[str, Any]) -> None:
    loss = net.head(net.body(torch.ones(1, 2))).sum() * 1000.0
    train_mod.take_step(
        loss, model=net, optimizer=optimizer, scheduler=scheduler, state=state, bar=_Bar(), running=0.0, batch=state["batch"]
    )


class _Bar:
    def update(self, n: int) -> None:
        pass

    def set_postfix(self, **kwargs: Any) -> None:
        pass


def test_resume_restores_weights_optimiser_schedule_and_state_only_when_asked(tmp_path: Path) -> None:
    # rv69-M16 (train.py:323 resume ignored), M17 (train.py:332 state not restored), M18 (train.py:329 weights not restored)
    net = _Net()
    optimizer, scheduler, state, checkpoint = _optimisation(net, tmp_path)
    _step(net, optimizer, scheduler, state)
    state["history"].append({"epoch": 1})
    checkpoint()
    trained = {k: v.clone() for k, v in net.state_dict().items()}
    fresh = _Net()
    optimizer2, scheduler2, state2, _ = _optimisation(fresh, tmp_path, resume=True)
    assert state2 == {"epoch": 0, "batch": 1, "step": 1, "best": -1.0, "history": [{"epoch": 1}]}
    assert all(torch.equal(v, trained[k]) for k, v in fresh.state_dict().items())
    assert scheduler2.last_epoch == 1 and optimizer2.state_dict()["state"]
    other = _Net()
    before = {k: v.clone() for k, v in other.state_dict().items()}
    _, scheduler3, state3, _ = _optimisation(other, tmp_path, resume=False)  # a checkpoint is there, but not asked for
    assert state3["step"] == 0 and scheduler3.last_epoch == 0
    assert all(torch.equal(v, before[k]) for k, v in other.state_dict().items())


class _Code:
    """Not plain data: unpickling it would run code."""


def test_resume_refuses_a_checkpoint_that_is_not_plain_data(tmp_path: Path) -> None:
    # rv69-M19 (train.py:325 weights_only=True -> False): a checkpoint is data, never code to run
    path = tmp_path / "ck" / "state.pt"
    path.parent.mkdir()
    net = _Net()
    optimizer, scheduler, state, _ = _optimisation(net, tmp_path)
    torch.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "state": {**state, "extra": _Code()}}, path)  # fmt: skip
    with pytest.raises(ModelLoadError, match=r"cannot resume from .*state\.pt: not a checkpoint that loads as plain data"):
        _optimisation(_Net(), tmp_path, resume=True)


def test_a_step_clips_the_gradient_norm_at_one_and_moves_the_loop_state(tmp_path: Path) -> None:
    # rv69-M20 (train.py:279 clip at 1), M21 (train.py:285 batch done = b + 1), M22 (train.py:284 smoothing)
    net = _Net()
    optimizer = torch.optim.SGD(net.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    before = torch.cat([p.detach().flatten().clone() for p in net.parameters()])
    state = {"batch": 4, "step": 7}
    loss = net.head(net.body(torch.ones(1, 2))).sum() * 1000.0
    running = train_mod.take_step(
        loss, model=net, optimizer=optimizer, scheduler=scheduler, state=state, bar=_Bar(), running=0.0, batch=4
    )
    moved = torch.cat([p.detach().flatten() for p in net.parameters()]) - before
    assert float(moved.norm()) == pytest.approx(1.0, rel=1e-4)  # lr 1 times the clipped gradient of norm 1
    assert state == {"batch": 5, "step": 8}
    assert running == pytest.approx(loss.item())  # the first step's loss as it is
    loss = net.head(net.body(torch.ones(1, 2))).sum()
    again = train_mod.take_step(
        loss, model=net, optimizer=optimizer, scheduler=scheduler, state=state, bar=_Bar(), running=10.0, batch=5
    )
    assert again == pytest.approx(0.98 * 10.0 + 0.02 * loss.item())


# -- the training loop (tiny random encoder) ------------------------------------------------------
def _planted_reports(monkeypatch: pytest.MonkeyPatch, figures: list[float]) -> list[tuple[int, int]]:
    """dev_report replaced: epoch n reports figures[n - 1]; returns the (texts, labels) shape each epoch was measured on."""
    seen: list[tuple[int, int]] = []

    def report(probs: Any, split: Split) -> dict[str, Any]:
        seen.append(probs.shape)
        assert probs.shape == split.targets.shape
        f1 = figures[len(seen) - 1]
        return {"thresholds": [0.5] * probs.shape[1], "dev_macro_f1": f1, "dev_micro_f1": f1, "dev_macro_f1_at_0.5": f1}

    monkeypatch.setattr(train_mod, "dev_report", report)
    return seen


@pytest.mark.parametrize(("figures", "best"), [([0.2, 0.5, 0.3], 2), ([0.4, 0.4, 0.1], 1), ([0.1, 0.2, 0.3], 3)])
def test_the_folder_holds_the_epoch_with_the_best_dev_macro_f1_first_on_ties(
    tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, figures: list[float], best: int
) -> None:
    # rv69-M28 (train.py:463 `>` -> `>=`: a tie would go to the later epoch), M29 (`>` -> `<`)
    _planted_reports(monkeypatch, figures)
    out = tmp_path / "m"
    meta = train_mod.train(_table(tmp_path / "t.csv", 20), out, TrainConfig(epochs=3, batch_size=8), device="cpu")
    stored = json.loads((out / "config.json").read_text())
    assert stored["dev"]["epoch"] == meta["dev"]["epoch"] == best
    assert stored["dev"]["dev_macro_f1"] == max(figures)
    assert [h["epoch"] for h in stored["history"]] == list(range(1, best + 1))


def test_config_json_records_the_labels_valences_settings_and_a_table_model_id(tiny: None, tmp_path: Path) -> None:
    # rv69-M30 (train.py:466 id), M31 (train.py:475 max_length), M32 (train.py:469 valence)
    from journeymap.emotions.trained import FORMAT

    config = TrainConfig(epochs=1, batch_size=8, max_length=12, seed=3)
    out = tmp_path / "shop-model"
    train_mod.train(_table(tmp_path / "t.csv"), out, config, device="cpu", valence={"positive": 0.6})
    stored = json.loads((out / "config.json").read_text())
    assert stored["id"] == "journeymap.trained.shop-model" and stored["format"] == FORMAT
    assert stored["labels"] == ["negative", "positive"] and stored["valence"] == {"negative": -0.8, "positive": 0.6}
    assert stored["max_length"] == 12 and stored["train_config"] == dataclasses.asdict(config)
    assert len(stored["thresholds"]) == 2 and stored["base_sha256"] == "sha"


def test_a_goemotions_folder_trains_the_default_model_id(tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # rv69-M30 (train.py:466): a GoEmotions folder makes journeymap.default.v1, with no valence of its own
    _planted_reports(monkeypatch, [0.3])
    meta = train_mod.train(_goemotions(tmp_path / "g"), tmp_path / "m", TrainConfig(epochs=1, batch_size=2), device="cpu")
    assert meta["id"] == "journeymap.default.v1" and meta["valence"] is None and len(meta["labels"]) == 28


def _steps(out: Path) -> dict[str, Any]:
    state: dict[str, Any] = torch.load(out / "checkpoint" / "state.pt", weights_only=True)["state"]
    return state


def test_steps_per_epoch_round_up_and_max_steps_stops_the_run(
    tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # rv69-M33 (train.py:420 ceil), M34 (train.py:433 the run stops at max_steps, not one step per epoch after),
    # M35 (train.py:481 the next epoch starts at its first batch)
    seen = _planted_reports(monkeypatch, [0.1, 0.2, 0.3])
    data = _table(tmp_path / "t.csv", 20)  # 18 training texts after the 10% dev share: 3 batches of up to 8
    train_mod.train(data, tmp_path / "a", TrainConfig(epochs=2, batch_size=8), device="cpu")
    assert _steps(tmp_path / "a")["step"] == 6 and len(seen) == 2
    seen.clear()
    train_mod.train(data, tmp_path / "b", TrainConfig(epochs=3, batch_size=8, max_steps=5), device="cpu")
    state = _steps(tmp_path / "b")
    assert state["step"] == 5 and [h["epoch"] for h in state["history"]] == [1, 2] and len(seen) == 2


def test_limit_cuts_both_the_training_and_the_dev_texts(tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # rv69-M36 (train.py:408 dev not cut), M37 (train.py:407 train not cut)
    seen = _planted_reports(monkeypatch, [0.1])
    dev = _data(tmp_path, pd.DataFrame({"text": [f"d{i}" for i in range(10)], "label": ["positive", "negative"] * 5}), "dev.csv")
    train_mod.train(
        _table(tmp_path / "t.csv", 20), tmp_path / "m", TrainConfig(epochs=1, batch_size=2, limit=6), device="cpu", dev=dev
    )
    assert seen == [(6, 2)]
    assert _steps(tmp_path / "m")["step"] == 3


def test_training_never_changes_the_word_embeddings(tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # rv69-M38 (train.py:412): the word embeddings stay as the encoder package ships them (they are not saved)
    built: list[Any] = []
    real = _minilm.build

    def build(n_labels: int, **kwargs: Any) -> Any:
        model, tokenizer = real(n_labels, **kwargs)
        embeddings: Any = model.encoder.embeddings
        built.append((embeddings, embeddings.word_embeddings.weight.detach().clone(),
                      embeddings.position_embeddings.weight.detach().clone()))  # fmt: skip
        return model, tokenizer

    monkeypatch.setattr(_minilm, "build", build)
    train_mod.train(_table(tmp_path / "t.csv"), tmp_path / "m", TrainConfig(epochs=1, batch_size=4, lr=0.1), device="cpu")
    embeddings, words, positions = built[0]
    assert torch.equal(embeddings.word_embeddings.weight, words)
    assert not torch.equal(embeddings.position_embeddings.weight, positions)  # the rest does train


def test_each_epoch_draws_its_own_batch_order(tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # rv69-M39 (train.py:435): epoch n shuffles with seed + n
    seeds: list[int] = []
    real = train_mod.bucketed_batches

    def spy(lengths: list[int], batch_size: int, seed: int) -> list[list[int]]:
        seeds.append(seed)
        return real(lengths, batch_size, seed)

    monkeypatch.setattr(train_mod, "bucketed_batches", spy)
    _planted_reports(monkeypatch, [0.1, 0.2, 0.3])
    train_mod.train(_table(tmp_path / "t.csv"), tmp_path / "m", TrainConfig(epochs=3, batch_size=8, seed=21), device="cpu")
    assert seeds == [21, 22, 23]


# -- the multi-task run's data: TweetEval files and the sentiment hold-out ---------------------------
def test_tweeteval_lines_keep_leading_spaces_and_skip_blank_label_lines(tmp_path: Path) -> None:
    # rv69-M40 (train_multitask.py:108 rstrip -> strip), M41 (train_multitask.py:115 blank label lines skipped)
    (tmp_path / "test_text.txt").write_text("  indented tweet  \nsecond\r\n")
    (tmp_path / "test_labels.txt").write_text("0\n2\n\n")
    texts, labels = mt.read_tweeteval(tmp_path, "test")
    assert texts == ["  indented tweet", "second"] and labels.tolist() == [0, 2] and labels.dtype == np.int64


def test_tweeteval_texts_and_labels_of_other_counts_are_an_error_naming_both(tmp_path: Path) -> None:
    # rv69-M42 (train_multitask.py:116): the counts must match
    (tmp_path / "val_text.txt").write_text("a\nb\n")
    (tmp_path / "val_labels.txt").write_text("0\n1\n2\n")
    with pytest.raises(InvalidArgumentError, match=r": 2 val texts but 3 labels$"):
        mt.read_tweeteval(tmp_path, "val")


def test_the_sentiment_hold_out_is_a_seeded_rounded_share_disjoint_from_training() -> None:
    # rv69-M43 (train_multitask.py:125 round -> int), M44 (:126 the two parts swapped), M45 (:124 seed ignored)
    train_rows, hold = mt.sentiment_split(15, 0.1, seed=13)
    assert len(hold) == 2 and len(train_rows) == 13  # round(1.5) = 2
    assert sorted([*train_rows.tolist(), *hold.tolist()]) == list(range(15))
    assert hold.tolist() == sorted(np.random.default_rng(13).permutation(15)[:2].tolist())
    assert train_rows.tolist() == sorted(train_rows.tolist())
    assert mt.sentiment_split(15, 0.1, seed=14)[1].tolist() != hold.tolist()
    assert len(mt.sentiment_split(40, 0.25, seed=0)[1]) == 10


def test_sentiment_macro_f1_averages_all_three_classes() -> None:
    # rv69-M46 (train_multitask.py:136 2tp / (2tp + fp + fn)), M47 (:132 a class absent from both still counts, as 0)
    pred = np.array([0, 0, 2, 2])
    true = np.array([0, 2, 2, 2])
    # negative: tp 1, fp 1 -> 2/3; neutral: none -> 0; positive: tp 2, fn 1 -> 4/5
    assert mt.macro_f1(pred, true) == pytest.approx((2 / 3 + 0 + 0.8) / 3)
    assert mt.macro_f1(pred, true, n_classes=2) == pytest.approx((2 / 3 + 0) / 2)


def test_sentiment_bias_needs_no_shift_when_argmax_is_already_best() -> None:
    # rv69-M48 (train_multitask.py:153-154 ties go to the smallest total shift)
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0]], dtype=np.float32)
    bias, f1 = mt.tune_sentiment_bias(logits, np.array([0, 1, 2]))
    assert bias == [0.0, 0.0, 0.0] and f1 == 1.0


def test_sentiment_bias_takes_the_smallest_shift_that_reaches_the_best_macro_f1() -> None:
    # rv69-M49 (train_multitask.py:147 the grid), M50 (:151 the bias added to the negative and positive logits)
    logits = np.array([[0.0, 0.25, -1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [-1.0, 0.45, 0.0]], dtype=np.float32)
    true = np.array([0, 1, 2, 2])
    bias, f1 = mt.tune_sentiment_bias(logits, true)
    # +0.3 on negative turns row 0 negative (not row 1); +0.5 on positive turns row 3 positive: steps of 0.1
    assert bias == [0.3, 0.0, 0.5] and f1 == 1.0
    # the grid reaches +-2: row 0 needs +1.8 (its one class right, the other two without a text: 1/3)
    far = mt.tune_sentiment_bias(np.array([[0.0, 1.75, -5.0]], dtype=np.float32), np.array([0]))
    assert far[0] == [1.8, 0.0, 0.0] and far[1] == pytest.approx(1 / 3)
    coarse = mt.tune_sentiment_bias(logits, true, grid=np.array([0.0, 0.5, 0.7, 1.5]))
    assert coarse == ([0.5, 0.0, 0.5], 1.0)


def test_the_epoch_report_reads_each_head_from_its_own_columns() -> None:
    # rv69-M51 (train_multitask.py:195 sentiment columns n..n+3), M52 (:196 irony column n+3), M53 (:197 irony at >= 0.5)
    # M54 (:199 irony F1 counts false positives and negatives)
    n = 2
    go = Split(["a", "b"], np.array([[1, 0], [0, 1]], dtype=np.float32), ["x", "y"])
    go_logits = np.array([[3.0, -3.0, 0, 0, 0, 0], [-3.0, 3.0, 0, 0, 0, 0]], dtype=np.float32)
    sent = np.zeros((3, n + 4), dtype=np.float32)
    sent[[0, 1, 2], [n, n + 1, n + 2]] = 2.0  # argmax right on all three
    sent[:, n + 3] = 9.0  # the irony logit: read as sentiment, it would win every row
    irony = np.zeros((5, n + 4), dtype=np.float32)
    irony[:, n + 3] = [0.0, 5.0, -5.0, 5.0, -5.0]  # sigmoid 0.5 (ironic at >= 0.5), 1, 0, 1, 0
    irony[:, n + 2] = -5.0
    report = mt.epoch_report(
        go_logits, go, sent_logits=sent, sent_true=np.array([0, 1, 2]), irony_logits=irony, irony_true=np.array([1, 1, 0, 0, 1])
    )
    assert report["go_dev_macro_f1"] == 1.0
    assert report["sentiment_holdout_macro_f1_argmax"] == 1.0 and report["sentiment_holdout_macro_f1"] == 1.0
    assert report["sentiment_bias"] == [0.0, 0.0, 0.0]
    assert report["irony_val_f1_at_0.5"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))  # tp 2, fp 1, fn 1
    assert len(report["thresholds"]) == 2


# -- the multi-task training loop (tiny random encoder) ---------------------------------------------
def _sources(tmp_path: Path) -> tuple[Path, Path, Path]:
    go = _goemotions(tmp_path / "g")
    sentiment = _tweeteval(tmp_path / "s", {"test": [(f"tweet {i}", [0, 0, 1, 2][i % 4]) for i in range(20)]})
    irony = _tweeteval(
        tmp_path / "i",
        {"train": [(f"irony {i}", i % 2) for i in range(6)], "val": [(f"irony val {i}", i % 2) for i in range(4)]},
    )
    return go, sentiment, irony


def _planted_epochs(monkeypatch: pytest.MonkeyPatch, figures: list[tuple[float, float]]) -> list[dict[str, Any]]:
    """epoch_report replaced: epoch n reports (GoEmotions dev, sentiment hold-out) = figures[n - 1]; returns its inputs."""
    seen: list[dict[str, Any]] = []

    def report(go_logits: Any, go_dev: Split, **kwargs: Any) -> dict[str, Any]:
        seen.append({"go_dev": go_dev, "go_logits": go_logits, **kwargs})
        go, sent = figures[len(seen) - 1]
        return {
            "thresholds": [0.5] * len(go_dev.labels),
            "sentiment_bias": [0.1, 0.0, -0.1],
            "go_dev_macro_f1": go,
            "sentiment_holdout_macro_f1_argmax": sent,
            "sentiment_holdout_macro_f1": sent,
            "irony_val_f1_at_0.5": 0.0,
        }

    monkeypatch.setattr(mt, "epoch_report", report)
    return seen


@pytest.mark.parametrize(("figures", "best"), [([(0.5, 0.2), (0.4, 0.5)], 2), ([(0.4, 0.5), (0.5, 0.4)], 1)])
def test_the_multitask_folder_holds_the_best_sum_of_dev_and_hold_out(
    tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, figures: list[tuple[float, float]], best: int
) -> None:
    # rv69-M56 (train_multitask.py:365 the sum, not GoEmotions dev alone), M57 (:366 `>` -> `>=`: a tie keeps the earlier)
    _planted_epochs(monkeypatch, figures)
    out = tmp_path / "v2"
    config = mt.MultiTaskConfig(epochs=2, batch_size=8, holdout=0.25, go_fraction=1.0)
    meta = mt.train(*_sources(tmp_path), out, config, device="cpu")
    stored = json.loads((out / "config.json").read_text())
    assert stored["dev"]["epoch"] == meta["dev"]["epoch"] == best
    for epoch in (1, 2):  # every epoch is written to its own folder as well
        assert json.loads((out / f"epoch_{epoch}" / "config.json").read_text())["dev"]["epoch"] == epoch
    # rv69 D1 (fixed) in the multi-task run: the metadata returned is the one written, its history up to its epoch
    assert meta["history"] == stored["history"] and len(stored["history"]) == best


def test_the_multitask_config_records_the_training_share_of_each_sentiment_class(
    tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # rv69-M58 (train_multitask.py:354 sentiment_prior over the training rows, not the hold-out too),
    # M59 (:357 init), M60 (:352 sentiment_bias written)
    _planted_epochs(monkeypatch, [(0.1, 0.1)])
    go, sentiment, irony = _sources(tmp_path)
    init = tmp_path / "v1"
    single, _ = _minilm.build(28)
    _minilm.save_weights(single, init, {"id": "journeymap.default.v1"})
    out = tmp_path / "v2"
    config = mt.MultiTaskConfig(epochs=1, batch_size=8, holdout=0.25, go_fraction=1.0, seed=5)
    mt.train(go, sentiment, irony, out, config, init=init, device="cpu")
    stored = json.loads((out / "config.json").read_text())
    _, y = mt.read_tweeteval(sentiment, "test")
    rows, _ = mt.sentiment_split(len(y), 0.25, seed=5)
    expected = [round(float(x), 4) for x in np.bincount(y[rows], minlength=3) / len(rows)]
    assert stored["sentiment_prior"] == expected and expected != [0.5, 0.25, 0.25]  # the whole file's shares
    assert stored["init"] == str(init) and stored["sentiment_bias"] == [0.1, 0.0, -0.1]
    assert stored["sentiment_labels"] == ["negative", "neutral", "positive"] and stored["max_length"] == 64


def test_the_multitask_run_trains_on_the_training_rows_and_measures_on_the_held_out_ones(
    tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # rv69-M61 (train_multitask.py:264/267 training vs hold-out tweets), M62 (:242-245 limit on each source),
    # M63 (:261 every text normalised first)
    seen = _planted_epochs(monkeypatch, [(0.1, 0.1)])
    normalised: list[str] = []

    def normalize(text: str) -> str:
        normalised.append(text)
        return text

    monkeypatch.setattr(mt, "normalize_text", normalize)
    go, sentiment, irony = _sources(tmp_path)
    config = mt.MultiTaskConfig(epochs=1, batch_size=8, holdout=0.25, go_fraction=1.0, seed=7, limit=3)
    mt.train(go, sentiment, irony, tmp_path / "v2", config, device="cpu")
    rows, hold = mt.sentiment_split(20, 0.25, seed=7)
    expected = ["thanks a lot", "so angry", "ok"]  # GoEmotions train, first 3
    expected += [f"tweet {i}" for i in rows[:3]] + ["irony 0", "irony 1", "irony 2"]
    expected += (
        ["thank you", "i am angry", "ok then"] + [f"tweet {i}" for i in hold[:3]] + ["irony val 0", "irony val 1", "irony val 2"]
    )
    assert normalised == expected
    _, y = mt.read_tweeteval(sentiment, "test")
    assert seen[0]["sent_true"].tolist() == y[hold[:3]].tolist()
    assert seen[0]["irony_true"].tolist() == [0, 1, 0] and seen[0]["go_dev"].texts == ["thank you", "i am angry", "ok then"]


def test_the_multitask_epoch_mixes_a_share_of_goemotions_repeated_sentiment_and_irony(
    tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # rv69-M64 (train_multitask.py:276 go_fraction share, at least one), M65 (:279 sentiment_repeat)
    _planted_epochs(monkeypatch, [(0.1, 0.1)])
    config = mt.MultiTaskConfig(epochs=1, batch_size=4, holdout=0.25, go_fraction=0.5, sentiment_repeat=2)
    mt.train(*_sources(tmp_path), tmp_path / "v2", config, device="cpu")
    assert _steps(tmp_path / "v2")["step"] == 10  # ceil((half of 4 GoEmotions + 15 tweets twice + 6 irony) / 4)
    _planted_epochs(monkeypatch, [(0.1, 0.1)])
    config = mt.MultiTaskConfig(epochs=1, batch_size=3, holdout=0.25, go_fraction=0.01)
    mt.train(*_sources(tmp_path / "x"), tmp_path / "v2b", config, device="cpu")
    assert _steps(tmp_path / "v2b")["step"] == 8  # ceil((1 GoEmotions at least + 15 + 6) / 3)


def test_the_lowest_layers_and_all_embeddings_stay_frozen(tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # rv69-M66 (train_multitask.py:254 the embeddings frozen), M67 (:255 the lowest freeze_layers layers frozen)
    built: list[Any] = []
    real = _minilm.build_multitask

    def build(n_labels: int, **kwargs: Any) -> Any:
        model, tokenizer = real(n_labels, **kwargs)
        built.append((model, {k: v.detach().clone() for k, v in model.state_dict().items()}))
        return model, tokenizer

    monkeypatch.setattr(_minilm, "build_multitask", build)
    _planted_epochs(monkeypatch, [(0.1, 0.1)])
    config = mt.MultiTaskConfig(epochs=1, batch_size=4, holdout=0.25, go_fraction=1.0, freeze_layers=1, lr=0.05)
    mt.train(*_sources(tmp_path), tmp_path / "v2", config, device="cpu")
    model, before = built[0]
    changed = {k for k, v in model.state_dict().items() if not torch.equal(v, before[k])}
    assert not {k for k in changed if k.startswith(("encoder.embeddings.", "encoder.encoder.layer.0."))}
    assert any(k.startswith("encoder.encoder.layer.1.") for k in changed)
    assert {"head.weight", "sentiment_head.weight", "irony_head.weight"} <= changed


def test_train_multitask_main_passes_init_and_each_source(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # rv69-M68 (train_multitask.py main): --init and each source reach train, the config from the options
    seen: dict[str, Any] = {}

    def fake(*args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.update(kwargs, args=args)
        return {}

    monkeypatch.setattr(mt, "train", fake)
    argv = ["--goemotions", "g", "--sentiment", "s", "--irony", "i", "--out", "o", "--init", "v1", "--holdout", "0.2"]
    assert mt.main([*argv, "--freeze-layers", "0", "--resume"]) == 0
    assert seen["args"][:4] == (Path("g"), Path("s"), Path("i"), Path("o"))
    assert seen["args"][4] == mt.MultiTaskConfig(holdout=0.2, freeze_layers=0)
    assert seen["init"] == Path("v1") and seen["resume"] is True


# -- loading a trained folder ----------------------------------------------------------------------
def _trained(folder: Path, meta: dict[str, Any], *, weights: bool = True) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(meta))
    if weights:
        (folder / "model.safetensors").write_bytes(b"w")  # not read until a text is scored
    return folder


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"format": "journeymap.minilm-classifier", "id": "someone.else"}, True),
        ({"id": "journeymap.trained.shop"}, True),
        ({"format": "other", "id": "other"}, False),
        ([{"format": "journeymap.minilm-classifier"}], False),
    ],
)
def test_a_trained_folder_is_known_by_its_format_or_a_journeymap_id(tmp_path: Path, meta: Any, expected: bool) -> None:
    # rv69-M69 (trained.py:459 format `or` id)
    from journeymap.emotions.trained import is_trained_folder

    assert is_trained_folder(_trained(tmp_path / "m", meta)) is expected


def test_a_trained_folder_with_unreadable_config_is_not_a_trained_folder(tmp_path: Path) -> None:
    # rv69-M78 (trained.py:528): a config that is not JSON is a ModelLoadError naming it
    from journeymap.emotions.trained import TrainedScorer, is_trained_folder

    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text("{not json")
    (folder / "model.safetensors").write_bytes(b"w")
    assert is_trained_folder(folder) is False
    with pytest.raises(ModelLoadError, match=r"config\.json is not valid JSON"):
        TrainedScorer(folder)


def test_a_multitask_folder_loads_as_the_default_scorer_a_single_head_one_as_trained(tmp_path: Path) -> None:
    # rv69-M70 (trained.py:470): sentiment_labels in the config means three heads
    from journeymap.emotions.default import DefaultScorer
    from journeymap.emotions.trained import TrainedScorer, trained_factory

    multi = _trained(tmp_path / "v2", {"id": "journeymap.default.v2", "sentiment_labels": ["negative", "neutral", "positive"]})
    single = _trained(tmp_path / "v1", {"id": "journeymap.default.v1"})
    made = trained_factory(multi)
    assert isinstance(made, functools.partial) and made.func is DefaultScorer and made.keywords == {"weights": multi}
    made = trained_factory(single)
    assert isinstance(made, functools.partial) and made.func is TrainedScorer and made.args == (single,)


def test_a_trained_folder_s_own_labels_keep_their_order_and_valences(tmp_path: Path) -> None:
    # rv69-M71 (trained.py:484 GoEmotions' taxonomy only for its labels in its order), M73 (:490 the taxonomy's name)
    from journeymap.emotions.taxonomy import Taxonomy
    from journeymap.emotions.trained import TrainedScorer

    go = list(Taxonomy.goemotions().labels)
    turned = go[::-1]
    valence = dict(Taxonomy.goemotions().valence)
    scorer = TrainedScorer(
        _trained(tmp_path / "rev", {"format": "journeymap.minilm-classifier", "labels": turned, "valence": valence})
    )
    assert scorer.taxonomy.labels == tuple(turned) and scorer.taxonomy.name == "rev"
    meta = {"format": "journeymap.minilm-classifier", "labels": ["a", "b"], "valence": {"a": 1, "b": -1}, "taxonomy": "mine"}
    named = _trained(tmp_path / "n", meta)
    assert TrainedScorer(named).taxonomy.name == "mine" and TrainedScorer(named).taxonomy.valence == {"a": 1.0, "b": -1.0}
    plain = TrainedScorer(_trained(tmp_path / "go", {"format": "journeymap.minilm-classifier", "labels": go}))
    assert plain.taxonomy == Taxonomy.goemotions()


@pytest.mark.parametrize("valence", [{"a": 0.5}, {"a": 0.5, "b": -0.5, "c": 0.1}, ["a", "b"]])
def test_a_trained_folder_needs_a_valence_for_exactly_its_labels(tmp_path: Path, valence: Any) -> None:
    # rv69-M72 (trained.py:487 set(valence) != set(labels))
    from journeymap.emotions.trained import TrainedScorer

    folder = _trained(tmp_path / "m", {"format": "journeymap.minilm-classifier", "labels": ["a", "b"], "valence": valence})
    with pytest.raises(ModelLoadError, match=r"has no valence for every label \['a', 'b'\]"):
        TrainedScorer(folder)


def test_a_trained_folder_without_weights_is_refused(tmp_path: Path) -> None:
    # rv69-M77 (trained.py:523 config.json and model.safetensors both needed)
    from journeymap.emotions.trained import TrainedScorer

    folder = _trained(tmp_path / "m", {"format": "journeymap.minilm-classifier", "labels": ["a", "b"]}, weights=False)
    with pytest.raises(
        ModelLoadError, match=r"is not a trained journeymap model \(expected model\.safetensors and config\.json\)"
    ):
        TrainedScorer(folder)


def test_trained_predictions_use_the_thresholds_tuned_on_dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # rv69-M74 (trained.py:532 thresholds read from config.json, 0.5 without), M79 (trained.py:578 predict with them)
    from journeymap.emotions.trained import TrainedScorer

    meta = {
        "format": "journeymap.minilm-classifier",
        "labels": ["a", "b"],
        "valence": {"a": 1, "b": -1},
        "thresholds": [0.2, 0.9],
    }
    scorer = TrainedScorer(_trained(tmp_path / "m", meta))
    planted = np.array([[0.3, 0.8], [0.1, 0.95], [0.6, 0.4]], dtype=np.float32)
    monkeypatch.setattr(scorer, "score", lambda texts: planted)
    assert scorer.predict(["x", "y", "z"]).tolist() == [[True, False], [False, True], [True, False]]
    meta.pop("thresholds")
    default = TrainedScorer(_trained(tmp_path / "d", meta))
    assert default.thresholds.tolist() == [0.5, 0.5]


# -- resuming part-way through an epoch ------------------------------------------------------------
class _CrashError(RuntimeError):
    """A run stopped part-way (a crash, or Ctrl-C)."""


def test_a_run_stopped_mid_epoch_resumes_at_the_next_batch(tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # rv69-M80 (train.py:440 `b < state["batch"]`: the batches done are skipped, not one more)
    _planted_reports(monkeypatch, [0.1, 0.2])
    real = train_mod.take_step
    calls: list[int] = []
    resumed: list[bool] = []

    def stopping(loss: torch.Tensor, **kwargs: Any) -> float:
        running = real(loss, **kwargs)
        calls.append(kwargs["batch"])
        if len(calls) == 3 and not resumed:
            raise _CrashError  # after step 3, before its checkpoint: the last one is after step 2
        return running

    monkeypatch.setattr(train_mod, "take_step", stopping)
    data, out = _table(tmp_path / "t.csv", 20), tmp_path / "m"  # 18 training texts: 5 batches of 4 per epoch
    config = TrainConfig(epochs=1, batch_size=4, checkpoint_every=1)
    with pytest.raises(_CrashError):
        train_mod.train(data, out, config, device="cpu")
    assert _steps(out)["step"] == 2 and _steps(out)["batch"] == 2
    calls.clear()
    resumed.append(True)
    train_mod.train(data, out, config, device="cpu", resume=True)
    assert calls == [2, 3, 4] and _steps(out)["step"] == 5


# -- defects -----------------------------------------------------------------------------------------
def test_train_returns_the_history_written_to_config_json(tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # D1 (fixed). The docstring: "Returns the metadata written to out/config.json". With the best epoch first, the
    # returned meta's history also listed epoch 2 (meta["history"] was state["history"], appended to after it was written).
    _planted_reports(monkeypatch, [0.5, 0.2])
    out = tmp_path / "m"
    meta = train_mod.train(_table(tmp_path / "t.csv", 20), out, TrainConfig(epochs=2, batch_size=8), device="cpu")
    stored = json.loads((out / "config.json").read_text())
    assert [h["epoch"] for h in stored["history"]] == [1]
    assert meta["history"] == stored["history"]


def test_the_cli_does_not_call_a_resumed_run_that_trained_nothing_to_resume(
    tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # D2 (fixed). train() returned {} when no epoch of this run beat the best so far; `journeymap train --resume`
    # read {} as "already trained; nothing to resume", although it had just trained the epochs left. Now it returns
    # the best epoch's metadata, which an earlier run wrote.
    from typer.testing import CliRunner

    from journeymap.cli import app

    figures: list[float | None] = [0.5, None]

    def report(probs: Any, split: Split) -> dict[str, Any]:
        f1 = figures.pop(0)
        if f1 is None:
            raise _CrashError  # stopped while measuring epoch 2: the checkpoint is the one after epoch 1
        return {"thresholds": [0.5] * probs.shape[1], "dev_macro_f1": f1, "dev_micro_f1": f1, "dev_macro_f1_at_0.5": f1}

    monkeypatch.setattr(train_mod, "dev_report", report)
    data, out = _table(tmp_path / "t.csv", 20), tmp_path / "m"
    with pytest.raises(_CrashError):
        train_mod.train(data, out, TrainConfig(epochs=2, batch_size=8), device="cpu")
    figures[:] = [0.2]  # epoch 2, trained on resume, is worse than epoch 1
    result = CliRunner().invoke(app, ["train", str(data), "--out", str(out), "--epochs", "2", "--batch-size", "8", "--resume"])
    assert result.exit_code == 0, result.output
    assert _steps(out)["history"][-1]["epoch"] == 2  # epoch 2 was trained
    assert "nothing to resume" not in result.output
    assert "dev macro-F1 0.500" in result.output  # the model out holds: epoch 1's


# -- the helpers both loops share ----------------------------------------------------------------------
def test_the_dev_report_tunes_per_label_thresholds_and_reports_macro_micro_and_at_half() -> None:
    # rv69-M81 (train.py:155 thresholds rounded to 2 places), M82 (:158 the 0.5 figure at 0.5), M83 (:156 macro-F1)
    probs = np.array([[0.33, 0.2], [0.1, 0.7], [0.45, 0.4], [0.05, 0.06]], dtype=np.float32)
    true = np.array([[1, 0], [0, 1], [0, 1], [1, 0]], dtype=np.float32)
    report = train_mod.dev_report(probs, Split(["a", "b", "c", "d"], true, ["x", "y"]))
    # x: every text at 0.02 (F1 2/3, the lowest of the ties); y: 0.21 takes exactly its two texts (F1 1)
    assert report["thresholds"] == [0.02, 0.21]
    assert report["dev_macro_f1"] == pytest.approx(5 / 6) and report["dev_micro_f1"] == pytest.approx(0.8)
    assert report["dev_macro_f1_at_0.5"] == pytest.approx(0.5)


def test_batches_hold_texts_of_neighbouring_lengths_in_a_shuffled_order() -> None:
    # rv69-M84 (train.py:123 sorted by length within a pool), M85 (:120 pools of 50 batches), M86 (:125 batch order shuffled)
    lengths = np.random.default_rng(0).permutation(400).tolist()  # every length once
    batches = train_mod.bucketed_batches(lengths, 4, seed=3)
    assert sorted(i for b in batches for i in b) == list(range(400))
    spans = [max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches]
    assert max(spans) <= 20  # two pools of 200 texts: neighbours in a pool are a few lengths apart
    firsts = [min(lengths[i] for i in b) for b in batches]
    assert firsts != sorted(firsts)
    lengths = np.random.default_rng(1).permutation(200).tolist()  # 200 texts, one pool: runs of 4 consecutive lengths
    one_pool = train_mod.bucketed_batches(lengths, 4, seed=3)
    assert all(max(lengths[i] for i in b) - min(lengths[i] for i in b) == 3 for b in one_pool)


class _LengthModel(torch.nn.Module):
    """Logits that say how many tokens each text has (so a row put in another text's place shows)."""

    def __init__(self) -> None:
        super().__init__()
        self.head = torch.nn.Linear(1, 2)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        n = mask.sum(dim=1, keepdim=True).float() / 10
        return torch.cat([n, (ids * mask).sum(dim=1, keepdim=True).float() / 100], dim=1)


def test_probabilities_and_logits_come_back_in_the_texts_order() -> None:
    # rv69-M88 (train.py:144 out[idx]), M89 (train.py:108 the mask covers each text's own tokens), M90 (train_multitask.py:173)
    encoded = [[1] * 5, [2], [3] * 3, [4] * 2, [5] * 4]
    model: Any = _LengthModel()
    probs = train_mod.predict_proba(model, encoded, 0, torch.device("cpu"), batch_size=2)
    lengths = np.array([5, 1, 3, 2, 4], dtype=np.float32) / 10
    assert probs[:, 0] == pytest.approx(1 / (1 + np.exp(-lengths)))
    logits = mt.predict_logits(model, encoded, 0, torch.device("cpu"), batch_size=2)
    assert logits[:, 0] == pytest.approx(lengths) and logits[:, 1] == pytest.approx([0.05, 0.02, 0.09, 0.08, 0.2])
    ids, mask = train_mod.pad_batch([[5, 6, 7], [8]], 9, torch.device("cpu"))
    assert ids.tolist() == [[5, 6, 7], [8, 9, 9]] and mask.tolist() == [[1, 1, 1], [1, 0, 0]]


def test_texts_are_cut_at_max_length_tokens() -> None:
    # rv69-M91 (train.py:97 truncation at max_length)
    ids = train_mod.encode_texts(_tokenizer(), ["short", "a much longer text " * 10], 8)
    assert len(ids[0]) == 3 and len(ids[1]) == 8


def test_history_and_dev_figures_leave_the_thresholds_out_and_checkpoints_go_where_asked(
    tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # rv69-M93 (train.py:455/471 thresholds kept out of history and dev), M95 (train.py:399 checkpoint_dir)
    _planted_reports(monkeypatch, [0.3])
    out, elsewhere = tmp_path / "m", tmp_path / "ck"
    train_mod.train(_table(tmp_path / "t.csv"), out, TrainConfig(epochs=1, batch_size=8), device="cpu", checkpoint_dir=elsewhere)
    stored = json.loads((out / "config.json").read_text())
    figures = {"dev_macro_f1", "dev_micro_f1", "dev_macro_f1_at_0.5", "epoch", "train_loss"}
    assert set(stored["dev"]) == figures and [set(h) for h in stored["history"]] == [figures]
    assert (elsewhere / "state.pt").is_file() and not (out / "checkpoint").exists()


def test_a_dev_table_s_labels_are_renamed_with_the_same_label_map(tmp_path: Path) -> None:
    # rv69-M94 (train.py:203 the label map applies to --dev too)
    path = _data(tmp_path, pd.DataFrame({"text": ["a", "b", "c", "d"], "y": [0, 2, 0, 2]}))
    dev = _data(tmp_path, pd.DataFrame({"text": ["x", "y"], "y": [2, 0]}), "dev.csv")
    _, dev_split, valence = train_mod._training_data(
        path, text="text", label="y", label_map={"0": "negative", "2": "positive"}, valence=None, dev=dev, seed=13
    )
    assert dev_split.labels == ["negative", "positive"] and dev_split.targets.tolist() == [[0, 1], [1, 0]]
    assert valence == {"negative": -0.8, "positive": 0.8}


def test_the_multitask_history_leaves_thresholds_and_biases_out(
    tiny: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # rv69-M96 (train_multitask.py:345/355), M97 (:226 checkpoint_dir)
    _planted_epochs(monkeypatch, [(0.1, 0.1)])
    out, elsewhere = tmp_path / "v2", tmp_path / "ck"
    config = mt.MultiTaskConfig(epochs=1, batch_size=8, holdout=0.25)
    mt.train(*_sources(tmp_path), out, config, device="cpu", checkpoint_dir=elsewhere)
    assert (elsewhere / "state.pt").is_file() and not (out / "checkpoint").exists()
    stored = json.loads((out / "config.json").read_text())
    figures = {"go_dev_macro_f1", "sentiment_holdout_macro_f1_argmax", "sentiment_holdout_macro_f1", "irony_val_f1_at_0.5"}
    figures |= {"epoch", "train_loss"}
    assert set(stored["dev"]) == figures and [set(h) for h in stored["history"]] == [figures]
    assert stored["normalize"] == "journeymap.emotions.normalize.normalize_text"
