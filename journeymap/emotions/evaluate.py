"""Measure an emotion scorer on a GoEmotions-format split, at 28-label, Ekman and sentiment level.

Prints macro- and micro-F1 and per-label F1. Decisions use per-label thresholds: the scorer's
own where it has them (the default model's, tuned on dev), otherwise thresholds tuned on the
``dev`` split; at Ekman and sentiment level the group scores (highest member score) get
thresholds tuned on dev. The ``test`` split is only ever used for the reported figure.

Example:
    python -m journeymap.emotions.evaluate ../shared/data/goemotions --split test
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap.emotions._goemotions import read_split
from journeymap.emotions._metrics import f1_per_label, micro_f1, predict, tune_thresholds
from journeymap.emotions.registry import get_scorer
from journeymap.emotions.taxonomy import Taxonomy

if TYPE_CHECKING:
    from journeymap.emotions.scorer import EmotionScorer

logger = logging.getLogger(__name__)

__all__ = ["evaluate", "main"]

LEVELS = ("goemotions", "ekman", "sentiment")


def evaluate(
    data: str | Path,
    *,
    split: str = "test",
    scorer: str | EmotionScorer = "default",
    levels: tuple[str, ...] = LEVELS,
) -> dict[str, Any]:
    """Score ``split`` and return, per level, ``macro_f1``, ``micro_f1`` and a per-label table.

    The scorer must use the GoEmotions taxonomy (its labels in any order).
    """
    scorer_obj = get_scorer(scorer)
    tax = scorer_obj.taxonomy
    gold = read_split(data, split)
    if set(tax.labels) != set(gold.labels):
        msg = f"scorer {scorer_obj.id!r} has labels {tax.labels[:5]}..., not the data's GoEmotions labels"
        raise ValueError(msg)
    column = [tax.labels.index(lab) for lab in gold.labels]  # scorer columns in data order
    goemo = Taxonomy.goemotions()
    probs = scorer_obj.score(gold.texts)[:, column]
    own = getattr(scorer_obj, "thresholds", None)
    need_dev = own is None or any(level != "goemotions" for level in levels)
    dev_probs = dev_true = np.empty((0, len(gold.labels)), dtype=np.float32)
    if need_dev:
        dev = read_split(data, "dev")
        dev_probs = scorer_obj.score(dev.texts)[:, column]
        dev_true = dev.targets
    results: dict[str, Any] = {"scorer": scorer_obj.id, "split": split, "n_texts": len(gold.texts)}
    for level in levels:
        if level == "goemotions":
            p, true, labels = probs, gold.targets, list(gold.labels)
            if own is not None:
                thresholds = np.asarray(own, dtype=np.float32)[column]
            else:
                thresholds = tune_thresholds(dev_probs, dev_true.astype(bool))
        else:
            target = Taxonomy.builtin(level)
            p = goemo.convert(probs, target)
            true = goemo.convert(gold.targets, target)
            labels = list(target.labels)
            thresholds = tune_thresholds(goemo.convert(dev_probs, target), goemo.convert(dev_true, target).astype(bool))
        decided = predict(p, thresholds)
        truth = true.astype(bool)
        per_label = f1_per_label(decided, truth)
        table = pd.DataFrame(
            {"f1": per_label, "support": truth.sum(axis=0), "threshold": thresholds}, index=pd.Index(labels, name="label")
        )
        results[level] = {"macro_f1": float(per_label.mean()), "micro_f1": micro_f1(decided, truth), "per_label": table}
    return results


def format_results(results: dict[str, Any]) -> str:
    """The evaluation as readable text."""
    lines = [f"scorer {results['scorer']} on {results['split']} ({results['n_texts']} texts)"]
    for level in LEVELS:
        if level not in results:
            continue
        r = results[level]
        lines.append(f"\n{level}: macro-F1 {r['macro_f1']:.4f}  micro-F1 {r['micro_f1']:.4f}")
        lines.append(r["per_label"].to_string(float_format=lambda x: f"{x:.3f}"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m journeymap.emotions.evaluate DATA [--split test] [--scorer default]``."""
    parser = argparse.ArgumentParser(description="Evaluate an emotion scorer on a GoEmotions-format split.")
    parser.add_argument("data", type=Path, help="GoEmotions-format folder")
    parser.add_argument("--split", default="test", choices=("train", "dev", "test"))
    parser.add_argument("--scorer", default="default", help="registered name, hub id or model path")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    results = evaluate(args.data, split=args.split, scorer=args.scorer)
    print(format_results(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
