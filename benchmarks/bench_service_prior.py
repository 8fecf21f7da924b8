"""The customer-service prior: tweets resampled to other class shares, read with and without it.

Run on demand: ``python benchmarks/bench_service_prior.py ../shared/data`` (the folder holding
``tweeteval_sentiment/``). No retraining: the default scorer (float32) reads TweetEval sentiment
``val_*`` and the 10% hold-out of ``test_*`` that calibrated its sentiment head (seed 13), and
prints:

* the class shares of the training tweets (``test_*`` less the hold-out), the prior the
  calibrated head carries (``journeymap.emotions.default.TRAINING_SENTIMENT_SHARES``);
* for each class mix (customer-service shares and general-tweet shares), over ``--draws``
  resamples of ``--size`` tweets: macro-F1, the share read negative and the recall of negatives,
  with the tweet calibration (the baseline, ``prior="none"``) and with
  :data:`journeymap.emotions.score.SERVICE_PRIOR`, and the ratio of the two macro-F1s.

With ``--twcs-labels FILE`` (a CSV with ``tweet`` ids and ``sentiment`` labels of customer tweets of
``twcs_sample/sample.csv``, labelled by hand), the same two readings of those tweets as
``journeymap.score`` writes them (``prior="none"`` and ``"auto"``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import numpy.typing as npt

MIXES = {
    "airline tweets (63/21/16)": (0.63, 0.21, 0.16),
    "TWCS sample by hand (78/12/10)": (0.78, 0.12, 0.10),
    "half negative (50/30/20)": (0.50, 0.30, 0.20),
    "general tweets, val (16/43/41)": (0.156, 0.4345, 0.4095),
}


def macro_f1(pred: npt.NDArray[np.int64], true: npt.NDArray[np.int64]) -> float:
    scores = []
    for c in range(3):
        tp = int(((pred == c) & (true == c)).sum())
        wrong = int(((pred == c) & (true != c)).sum()) + int(((pred != c) & (true == c)).sum())
        scores.append(2 * tp / (2 * tp + wrong) if tp else 0.0)
    return float(np.mean(scores))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="folder with tweeteval_sentiment/ (and twcs_sample/)")
    parser.add_argument("--draws", type=int, default=30)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--twcs-labels", type=Path, default=None)
    args = parser.parse_args()

    import journeymap as jm
    from journeymap.emotions.score import SERVICE_PRIOR, with_prior
    from journeymap.emotions.train_multitask import read_tweeteval, sentiment_split

    folder = args.data / "tweeteval_sentiment"
    val_texts, val_y = read_tweeteval(folder, "val")
    test_texts, test_y = read_tweeteval(folder, "test")
    _, hold = sentiment_split(len(test_texts), 0.1, 13)
    train_y = np.delete(test_y, hold)
    shares = np.bincount(train_y, minlength=3) / len(train_y)
    print(f"training tweets: {len(train_y):,}; shares negative / neutral / positive {np.round(shares, 4).tolist()}")

    scorer = jm.get_scorer("default", precision="float32")
    k = len(scorer.taxonomy.labels)
    texts = val_texts + [test_texts[i] for i in hold]
    probs = scorer.score_outputs(texts)[:, k : k + 3]
    y = np.r_[val_y, test_y[hold]]
    calibrated = scorer.sentiment_prior
    print(f"scorer {scorer.id}; calibrated at {calibrated}; service prior {SERVICE_PRIOR}")
    header = f"{'mix':32s} {'macro-F1 none':>13s} {'service':>8s} {'x none':>7s}"
    print(f"{header} {'neg share true':>14s} {'none':>6s} {'service':>8s}")
    for name, mix in MIXES.items():
        rng = np.random.default_rng(0)
        rows = []
        for _ in range(args.draws):
            idx = np.concatenate(
                [rng.choice(np.flatnonzero(y == c), round(args.size * share), replace=True) for c, share in enumerate(mix)]
            )
            plain = probs[idx].argmax(axis=1)
            moved = with_prior(probs[idx], calibrated).argmax(axis=1)
            rows.append((macro_f1(plain, y[idx]), macro_f1(moved, y[idx]), (plain == 0).mean(), (moved == 0).mean()))
        f_none, f_service, neg_none, neg_service = np.mean(rows, axis=0)
        line = f"{name:32s} {f_none:13.3f} {f_service:8.3f} {f_service / f_none:7.3f}"
        print(f"{line} {mix[0]:14.3f} {neg_none:6.3f} {neg_service:8.3f}")

    if args.twcs_labels is not None:
        import pandas as pd

        labels = pd.read_csv(args.twcs_labels, dtype=str).set_index("tweet")["sentiment"]
        js = jm.build_journeys(jm.read_twcs(args.data / "twcs_sample" / "sample.csv"))
        order = {"negative": 0, "neutral": 1, "positive": 2}
        true = labels.map(order).to_numpy(dtype=np.int64)
        for prior in ("none", "auto"):
            events = jm.score(js, scorer, cache=False, prior=prior).events.set_index("event_id")
            pred = events.loc[labels.index, "sentiment"].map(order).to_numpy(dtype=np.int64)
            quality = f"accuracy {(pred == true).mean():.3f}, macro-F1 {macro_f1(pred, true):.3f}"
            negatives = f"read negative {(pred == 0).sum()} of {len(pred)} (by hand {(true == 0).sum()})"
            print(f"TWCS sample by hand, prior={prior!r}: {quality}, {negatives}")


if __name__ == "__main__":
    main()
