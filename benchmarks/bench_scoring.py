"""Scoring benchmark: the 5,427 GoEmotions test texts, scored several ways in one run.

Run on demand: ``python benchmarks/bench_scoring.py ../shared/data/goemotions``.

* **naive loop** (the baseline): the fine-tuned model and its tokenizer called per fixed batch
  of 32 texts in input order, each batch padded to its longest text, float32;
* **sorted batches, float32**: the batching every transformer scorer here uses
  (``TransformerScorer`` and the default scorer share it): texts sorted by token count, each
  batch padded only to its own longest text;
* **default scorer** (``get_scorer("default")``, precision ``auto``: bfloat16 where native);
* **int8** (``precision="int8"``), for comparison;
* **jm.score path**: the default scorer plus what :func:`journeymap.score` adds per text
  (language detection and the column derivation; cache off).

The default scorer normalises texts (emoji to words) and reads long texts in windows; the naive
loop does neither (it truncates at 128 tokens), so the comparison is conservative. The default
model has three heads; the naive loop keeps the 28 emotion probabilities.

Prints texts per second, the ratio to the naive loop, test macro-F1 with the model's tuned
thresholds, and how far each is from the float32 probabilities. Target: the default scorer at
least 4x the naive loop (stretch 5x), macro-F1 within 0.01 of float32.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, nargs="?", default=Path("../shared/data/goemotions"))
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per method (the best is kept)")
    args = parser.parse_args()

    import torch

    from journeymap.emotions._goemotions import read_split
    from journeymap.emotions._metrics import f1_per_label, predict
    from journeymap.emotions.default import DefaultScorer

    test = read_split(args.data, "test")
    texts = test.texts
    truth = test.targets.astype(bool)
    print(f"{len(texts):,} texts, torch {torch.__version__}, {torch.get_num_threads()} threads")

    fp32 = DefaultScorer(precision="float32")
    thresholds = fp32.thresholds

    def naive(batch_texts: list[str]) -> np.ndarray:
        out = []
        with torch.inference_mode():
            for start in range(0, len(batch_texts), 32):
                enc = fp32.tokenizer(
                    batch_texts[start : start + 32], padding=True, truncation=True, max_length=128, return_tensors="pt"
                )
                logits = fp32.model(enc["input_ids"], enc["attention_mask"])[:, : len(thresholds)]
                out.append(torch.sigmoid(logits).numpy())
        return np.vstack(out)

    import pandas as pd

    import journeymap as jm

    default = DefaultScorer()
    labels = [f"emo_{lab}" for lab in default.taxonomy.labels]

    def full_path(batch_texts: list[str]) -> np.ndarray:
        frame = pd.DataFrame({"text": batch_texts, "actor": "customer"})
        return jm.score(frame, default, cache=False)[labels].to_numpy(dtype=np.float32)

    methods = {
        "naive loop (batch 32, input order, fp32)": naive,
        "sorted batches, fp32": fp32.score,
        "default scorer": default.score,
        "int8 (precision='int8')": DefaultScorer(precision="int8").score,
        "jm.score path (default, + lang, columns)": full_path,
    }
    reference = None
    rows = []
    for name, fn in methods.items():
        fn(texts[:64])  # warm-up
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            probs = fn(texts)
            best = min(best, time.perf_counter() - start)
        if reference is None:
            reference = probs
        macro = float(f1_per_label(predict(probs, thresholds), truth).mean())
        dev = np.abs(probs - reference).max(axis=1)
        rows.append((name, len(texts) / best, macro, float(dev.mean()), float(dev.max())))
    base = rows[0][1]
    print(f"\n{'method':42s} {'texts/s':>8s} {'x naive':>8s} {'macro-F1':>9s} {'|p-fp32| mean':>14s} {'max':>6s}")
    for name, rate, macro, mean_dev, max_dev in rows:
        print(f"{name:42s} {rate:8.0f} {rate / base:8.2f} {macro:9.4f} {mean_dev:14.4f} {max_dev:6.3f}")
    print(f"\ndefault scorer id: {default.id}")


if __name__ == "__main__":
    main()
