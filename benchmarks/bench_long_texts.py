"""Long messages: how the window rule and the customer-service prior read calm and polar texts.

Run on demand: ``python benchmarks/bench_long_texts.py ../shared/data`` (the folder holding
``tweeteval_sentiment/`` and ``banking77/``). The default scorer reads a text longer than one
window (128 tokens) in windows and keeps, per text, each label's highest probability over the
windows and ``neutral``'s lowest (``docs/model-card.md``, "Long texts"). No labelled long customer
messages are available here, so long texts are built from labelled short ones:

* *calm*: ``k`` TweetEval ``val_*`` tweets labelled neutral, joined with spaces, and ``k``
  Banking77 ``test`` queries (calm requests to a bank);
* *complaint* / *praise*: one tweet labelled negative / positive placed at a random position
  among ``k`` neutral ones.

For each kind and ``k`` it prints the mean number of windows and the shares read negative and
positive by the shipped rule and, as the baseline, by the mean of the windows' probabilities,
each without a prior (``prior="none"``: surveys, reviews) and with
:data:`journeymap.emotions.score.SERVICE_PRIOR` (what ``jm.score`` applies to customer messages
in a conversation with a brand).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="folder with tweeteval_sentiment/ and banking77/")
    parser.add_argument("--n", type=int, default=100, help="texts per kind and length")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import pandas as pd

    from journeymap.emotions.default import TRAINING_SENTIMENT_SHARES, DefaultScorer
    from journeymap.emotions.score import SERVICE_PRIOR, with_prior

    folder = args.data / "tweeteval_sentiment"
    texts = read_lines(folder / "val_text.txt")
    labels = [int(x) for x in read_lines(folder / "val_labels.txt")]
    by_label = {c: [t for t, y in zip(texts, labels) if y == c] for c in (0, 1, 2)}
    queries = pd.read_csv(args.data / "banking77" / "test.csv")["text"].astype(str).tolist()
    rng = np.random.default_rng(args.seed)

    cases: list[tuple[str, int, str]] = []
    for k in (1, 4, 16, 32):
        cases += [("calm tweets", k, " ".join(rng.choice(by_label[1], k, replace=False))) for _ in range(args.n)]
        cases += [("calm bank queries", k, " ".join(rng.choice(queries, k, replace=False))) for _ in range(args.n)]
    for kind, label in (("complaint", 0), ("praise", 2)):
        for k in (0, 4, 16, 32):
            for _ in range(args.n):
                parts = list(rng.choice(by_label[1], k, replace=False))
                parts.insert(int(rng.integers(0, k + 1)), str(rng.choice(by_label[label])))
                cases.append((kind, k, " ".join(parts)))

    captured: list[tuple[npt.NDArray[np.float32], npt.NDArray[np.int64], int]] = []

    class Capture(DefaultScorer):
        def combine(self, logits: npt.NDArray[np.float32], owner: npt.NDArray[np.int64], n_texts: int) -> Any:
            captured.append((logits.copy(), owner.copy(), n_texts))
            return super().combine(logits, owner, n_texts)

    scorer = Capture(precision="float32", backend="torch")
    shipped = scorer.score_outputs([text for _, _, text in cases])
    n = len(scorer.taxonomy.labels)
    logits, owner = captured[0][0], captured[0][1]
    sent = logits[:, n : n + 3].astype(np.float64) + scorer.sentiment_bias
    sent = np.exp(sent - sent.max(axis=1, keepdims=True))
    sent /= sent.sum(axis=1, keepdims=True)
    mean = np.zeros((len(cases), 3))
    np.add.at(mean, owner, sent)
    mean /= mean.sum(axis=1, keepdims=True)
    windows = np.bincount(owner, minlength=len(cases))
    rules = {"shipped (max/min)": shipped[:, n : n + 3].astype(np.float64), "mean of windows": mean}

    heads = [f"{r}, {p}" for r in rules for p in ("none", "service")]
    print(f"{'kind':18s} {'k':>3s} {'windows':>7s}  " + "  ".join(f"{h:>34s}" for h in heads))
    for kind in ("calm tweets", "calm bank queries", "complaint", "praise"):
        for k in sorted({c[1] for c in cases if c[0] == kind}):
            rows = [i for i, c in enumerate(cases) if c[0] == kind and c[1] == k]
            cells = []
            for probs in rules.values():
                for prior in (False, True):
                    p = probs[rows]
                    if prior:
                        p = with_prior(p.astype(np.float32), TRAINING_SENTIMENT_SHARES, SERVICE_PRIOR)
                    read = p.argmax(axis=1)
                    cells.append(f"neg {np.mean(read == 0):.2f} neu {np.mean(read == 1):.2f} pos {np.mean(read == 2):.2f}")
            print(f"{kind:18s} {k:3d} {windows[rows].mean():7.1f}  " + "  ".join(f"{c:>34s}" for c in cells))


if __name__ == "__main__":
    main()
