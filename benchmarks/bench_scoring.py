"""Scoring benchmark: the 5,427 GoEmotions test texts, scored several ways in one run.

Run on demand: ``python benchmarks/bench_scoring.py ../shared/data/goemotions``.

* **naive loop** (the baseline): the fine-tuned model and its tokenizer called per fixed batch
  of 32 texts in input order, each batch padded to its longest text, float32;
* **sorted batches, float32**: the batching every transformer scorer here uses
  (``TransformerScorer`` and the default scorer share it): texts sorted by token count, each
  batch padded only to its own longest text;
* **default scorer** (``get_scorer("default")``: ONNX Runtime float32 on CPU where installed,
  bfloat16 on torch where native);
* **torch int8** (``precision="int8", backend="torch"``: dynamic, one activation scale per
  batch) and **ONNX int8** (``precision="int8", backend="onnx"``: activations quantised per
  token), for comparison;
* **ONNX fp32, one batch at a time**: the same session as before batches ran at once (one
  batch split over all threads): the baseline of the concurrent batches;
* **jm.score path**: the default scorer plus what :func:`journeymap.score` adds per text
  (language detection and the column derivation; cache off).

The default scorer normalises texts (emoji to words) and reads long texts in windows; the naive
loop does neither (it truncates at 128 tokens), so the comparison is conservative. The default
model has three heads; the naive loop keeps the 28 emotion probabilities.

Prints texts per second, the ratio to the naive loop, test macro-F1 with the model's tuned
thresholds, how far each is from the float32 probabilities (mean over texts of the largest
label difference, and the largest over all), and batch invariance: the largest difference between
the first ``--alone`` texts scored one by one and in the full run. Target (issue 16): the default
scorer at least 5x the naive loop, max difference 0.05, macro-F1 within 0.005 of float32. The
load average (``/proc/loadavg``) is printed before and after: other jobs on the cores move every
row, so compare ratios within one run only. Methods are timed in rounds (each method once per
round, ``--repeat`` rounds, the best kept), so a slow spell on a shared machine hits them alike.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable


def _loadavg() -> str:
    path = Path("/proc/loadavg")
    return path.read_text().strip() if path.exists() else "n/a"


def _alone_vs_batch(fn: Callable[[list[str]], np.ndarray], texts: list[str], probs: np.ndarray) -> float:
    """The largest difference between texts scored one by one and the same texts in the full run."""
    alone = np.vstack([fn([t]) for t in texts])
    return float(np.abs(alone - probs[: len(texts)]).max())


def _serial_scorer() -> Any:
    """The default scorer on ONNX Runtime as it ran before batches ran at once: one batch at a time over all threads."""
    import onnxruntime as ort
    import torch

    from journeymap.emotions._onnx import OnnxNetwork
    from journeymap.emotions.default import DefaultScorer

    class SerialOnnx(OnnxNetwork):
        workers = 1

        def _open(self) -> object:
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.intra_op_num_threads = torch.get_num_threads()
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            return ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])

    scorer = DefaultScorer(backend="onnx")
    scorer.score(["warm up"])  # builds (or finds) the exported network, then runs it the old way
    network = scorer.model
    assert isinstance(network, OnnxNetwork)
    scorer._model = SerialOnnx(network.path)
    return scorer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, nargs="?", default=Path("../shared/data/goemotions"))
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every method (best kept)")
    parser.add_argument("--alone", type=int, default=200, help="texts scored one by one for the batch-invariance column")
    args = parser.parse_args()

    import torch

    from journeymap.emotions._goemotions import read_split
    from journeymap.emotions._metrics import f1_per_label, predict
    from journeymap.emotions.default import DefaultScorer

    test = read_split(args.data, "test")
    texts = test.texts
    truth = test.targets.astype(bool)
    print(f"{len(texts):,} texts, torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"load average before: {_loadavg()}")

    fp32 = DefaultScorer(precision="float32", backend="torch")
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
        "sorted batches, torch fp32": fp32.score,
        f"default scorer ({default.id.rsplit('+', 1)[-1] if '+' in default.id else 'torch fp32'})": default.score,
        "ONNX Runtime fp32 (backend='onnx')": DefaultScorer(backend="onnx").score,
        "ONNX fp32, one batch at a time (before)": _serial_scorer().score,
        "torch int8 (precision='int8')": DefaultScorer(precision="int8", backend="torch").score,
        "ONNX int8 per token (precision='int8')": DefaultScorer(precision="int8", backend="onnx").score,
        "jm.score path (default, + lang, columns)": full_path,
    }
    # Rounds: every method once per round, the best round kept per method. Interleaving makes a
    # slow spell of a shared machine hit every method alike rather than whichever ran then.
    for fn in methods.values():
        fn(texts[:64])  # warm-up
    best = dict.fromkeys(methods, float("inf"))
    outputs: dict[str, np.ndarray] = {}
    for _ in range(args.repeat):
        for name, fn in methods.items():
            start = time.perf_counter()
            outputs[name] = fn(texts)
            best[name] = min(best[name], time.perf_counter() - start)
    reference = next(probs for name, probs in outputs.items() if name.startswith("sorted"))  # the float32 scorer
    rows = []
    for name, fn in methods.items():
        probs = outputs[name]
        batch_dev = float("nan") if name.startswith(("naive", "jm.score")) else _alone_vs_batch(fn, texts[: args.alone], probs)
        macro = float(f1_per_label(predict(probs, thresholds), truth).mean())
        rows.append((name, len(texts) / best[name], macro, probs, batch_dev))
    print(f"load average after: {_loadavg()}")
    head = ("method", "texts/s", "x naive", "macro-F1", "|p-fp32| mean", "max", "alone-vs-batch")
    print("\n{:42s} {:>8s} {:>8s} {:>9s} {:>14s} {:>6s} {:>15s}".format(*head))
    for name, rate, macro, probs, alone_dev in rows:
        dev = np.abs(probs - reference).max(axis=1)
        ratio = rate / rows[0][1]
        print(f"{name:42s} {rate:8.0f} {ratio:8.2f} {macro:9.4f} {dev.mean():14.4f} {dev.max():6.3f} {alone_dev:15.4f}")
    print(f"\ndefault scorer id: {default.id}")


if __name__ == "__main__":
    main()
