"""Model-quality benchmark: the default scorer on the whole GoEmotions test split, against its targets.

Run on demand: ``python benchmarks/bench_model_quality.py ../shared/data/goemotions`` (the
folder of ``train.tsv``, ``dev.tsv``, ``test.tsv`` and ``labels.txt``; see its README). Takes a
few minutes on 2 cores: the 5,427 test texts and the 5,426 dev texts (for the Ekman and
sentiment thresholds) are scored.

Runs ``journeymap.emotions.evaluate`` (the figures of ``docs/model-card.md``) and prints macro-
and micro-F1 at 28-label, Ekman and sentiment level against the model card's targets (28 labels
>= 0.46, stretch 0.48; Ekman >= 0.60) and the paper's BERT-base. Two baselines are measured in
the same run, through the same evaluation (thresholds tuned on dev):

* **majority class**: every text gets the most frequent training label (``neutral``);
* **word lexicon**: per-label naive-Bayes log-count ratios of words learnt from ``train`` (no
  model; a few seconds), each label's score standardised and squashed to [0, 1].

The default model's figures are printed as ratios to both.

With ``--tweets`` (the folder holding ``tweeteval_sentiment`` and ``tweeteval_irony``; default
``../shared/data``) it also measures the shipped sentiment rule on TweetEval sentiment ``val``
(target macro-F1 >= 0.70) and the irony head on TweetEval irony ``val``, against two baselines
in the same run: the majority class and the same model's GoEmotions labels turned into
sentiment by the taxonomy valence cut at +-0.25 (the rule before v2). Exits 1 when a target is
missed.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from _memory import status_mib

if TYPE_CHECKING:
    from collections.abc import Sequence

#: The model card's targets (macro-F1 on test) and the paper's BERT-base, per level.
TARGETS = {"goemotions": 0.51, "ekman": 0.60}
SENTIMENT_TARGET = 0.70
STRETCH = {"goemotions": 0.48}
PAPER = {"goemotions": 0.46, "ekman": 0.64, "sentiment": 0.69}
WORD = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")


def words(text: str) -> set[str]:
    return set(WORD.findall(text.lower()))


class MajorityScorer:
    """Scores every text as the most frequent label of the training split."""

    def __init__(self, train_targets: np.ndarray) -> None:
        from journeymap import Taxonomy

        self.taxonomy = Taxonomy.goemotions()
        self.id = "baseline.majority.v1"
        self.row = np.zeros(train_targets.shape[1], dtype=np.float32)
        self.row[int(train_targets.sum(axis=0).argmax())] = 1.0

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(self.row, (len(texts), 1))


class LexiconScorer:
    """One-vs-rest naive Bayes over the words of a text (binary features, add-one smoothing)."""

    def __init__(self, texts: Sequence[str], targets: np.ndarray, *, min_count: int = 2) -> None:
        from journeymap import Taxonomy

        self.taxonomy = Taxonomy.goemotions()
        self.id = "baseline.lexicon-nb.v1"
        counts: dict[str, int] = {}
        for text in texts:
            for w in words(text):
                counts[w] = counts.get(w, 0) + 1
        self.vocab = {w: i for i, w in enumerate(sorted(w for w, c in counts.items() if c >= min_count))}
        x = self._features(texts)
        y = targets.astype(np.float64)
        pos = np.asarray(x.T @ y, dtype=np.float64) + 1.0  # (words, labels): documents with the word, per label
        neg = np.asarray(x.sum(axis=0), dtype=np.float64).T - pos + 2.0
        self.ratio = np.log(pos / pos.sum(axis=0)) - np.log(neg / neg.sum(axis=0))
        self.prior = np.log(y.mean(axis=0) + 1e-9) - np.log(1 - y.mean(axis=0) + 1e-9)
        raw = self._raw(x)
        self.centre, self.spread = raw.mean(axis=0), raw.std(axis=0) + 1e-9

    def _features(self, texts: Sequence[str]) -> Any:
        """Binary word features (a scipy CSR matrix)."""
        from scipy import sparse

        rows, cols = [], []
        for r, text in enumerate(texts):
            for w in words(text):
                if w in self.vocab:
                    rows.append(r)
                    cols.append(self.vocab[w])
        data = np.ones(len(rows), dtype=np.float64)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), len(self.vocab)))

    def _raw(self, x: Any) -> np.ndarray:
        return np.asarray(x @ self.ratio) + self.prior

    def score(self, texts: Sequence[str]) -> np.ndarray:
        z = (self._raw(self._features(texts)) - self.centre) / self.spread
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


def tweets(scorer: Any, folder: Path) -> list[str]:
    """TweetEval sentiment and irony (val) for the shipped rule and two baselines; the missed targets."""
    from journeymap.emotions.evaluate import evaluate_tweets
    from journeymap.emotions.score import sentiment_from_valence
    from journeymap.emotions.train_multitask import macro_f1, read_tweeteval

    sentiment, irony = folder / "tweeteval_sentiment", folder / "tweeteval_irony"
    if not sentiment.is_dir():
        print(f"\n(no {sentiment}: TweetEval figures skipped)")
        return []
    start = time.perf_counter()
    result = evaluate_tweets(sentiment, irony if irony.is_dir() else None, split="val", scorer=scorer)
    texts, true = read_tweeteval(sentiment, "val")
    majority = macro_f1(np.full(len(true), np.bincount(true).argmax()), true)
    names = sentiment_from_valence(scorer.taxonomy.valence_of(scorer.score(texts)))
    label_rule = macro_f1(np.asarray([("negative", "neutral", "positive").index(str(x)) for x in names]), true)
    m = result["sentiment_macro_f1"]
    print(f"\nTweetEval sentiment val ({result['sentiment_n']:,} tweets, {time.perf_counter() - start:.0f} s)")
    print(f"  shipped rule macro-F1 {m:.3f} (target >= {SENTIMENT_TARGET:.2f}); per class {result['sentiment_f1_per_class']}")
    print(f"  negative-vs-rest AUC of valence {result['negative_auc']:.3f}")
    print(f"  majority class {majority:.3f} ({m / majority:.2f}x)")
    print(f"  the labels' valence cut at +-0.25 {label_rule:.3f} ({m / label_rule:.2f}x)")
    if "irony_f1" in result:
        print(f"TweetEval irony val ({result['irony_n']} tweets): F1 {result['irony_f1']:.3f}, AUC {result['irony_auc']:.3f}")
    return [] if m >= SENTIMENT_TARGET else [f"tweet sentiment {m:.3f} < {SENTIMENT_TARGET:.2f}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, nargs="?", default=Path("../shared/data/goemotions"), help="GoEmotions folder")
    parser.add_argument("--scorer", default="default", help="registered name, hub id or model path (GoEmotions labels)")
    parser.add_argument("--tweets", type=Path, default=Path("../shared/data"), help="folder with the TweetEval tasks")
    args = parser.parse_args()

    import torch

    from journeymap.emotions._goemotions import read_split
    from journeymap.emotions.evaluate import LEVELS, evaluate
    from journeymap.emotions.registry import get_scorer

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    base_rss = status_mib("VmRSS")
    start = time.perf_counter()
    scorer = get_scorer(args.scorer)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    model = evaluate(args.data, split="test", scorer=scorer)
    seconds = time.perf_counter() - start
    n_scored = model["n_texts"] + len(read_split(args.data, "dev").texts)
    print(
        f"{model['scorer']}: loaded in {loaded:.1f} s; scored {n_scored:,} texts (test and dev) in {seconds:.1f} s "
        f"({n_scored / seconds:.0f} texts/s), peak memory +{status_mib('VmHWM') - base_rss:.0f} MiB"
    )

    start = time.perf_counter()
    train = read_split(args.data, "train")
    majority = evaluate(args.data, split="test", scorer=MajorityScorer(train.targets))
    lexicon = evaluate(args.data, split="test", scorer=LexiconScorer(train.texts, train.targets))
    print(f"baselines trained on {len(train.texts):,} texts and evaluated in {time.perf_counter() - start:.1f} s")

    print(f"\nmacro-F1 on {model['split']} ({model['n_texts']:,} texts)")
    print(f"{'level':11s} {'model':>7s} {'micro':>7s} {'target':>8s} {'paper':>6s}", end=" ")
    print(f"{'majority':>9s} {'x':>6s} {'lexicon':>8s} {'x':>6s}")
    missed = []
    for level in LEVELS:
        m, mj, lx = (r[level]["macro_f1"] for r in (model, majority, lexicon))
        target = TARGETS.get(level)
        shown = "" if target is None else f">={target:.2f}"
        if target is not None and m < target:
            missed.append(f"{level} {m:.3f} < {target:.2f}")
            shown += "!"
        print(
            f"{level:11s} {m:7.3f} {model[level]['micro_f1']:7.3f} {shown:>8s} {PAPER[level]:6.2f} "
            f"{mj:9.3f} {m / mj if mj else float('inf'):6.1f} {lx:8.3f} {m / lx:6.2f}"
        )
    for level, stretch in STRETCH.items():
        print(f"{level} stretch target {stretch:.2f}: {'met' if model[level]['macro_f1'] >= stretch else 'not met'}")
    worst = model["goemotions"]["per_label"].sort_values("f1").head(5)
    print("\nweakest labels (28-label level):")
    print(worst.to_string(float_format=lambda x: f"{x:.3f}"))
    missed += tweets(scorer, args.tweets)
    if missed:
        print(f"\nMISSED TARGETS: {'; '.join(missed)}")
        return 1
    print("\nall targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
