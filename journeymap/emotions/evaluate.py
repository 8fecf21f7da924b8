"""Measure an emotion scorer on a GoEmotions-format split, at 28-label, Ekman and sentiment level.

Prints macro- and micro-F1 and per-label F1. Decisions use per-label thresholds: the scorer's
own where it has them (the default model's, tuned on dev), otherwise thresholds tuned on the
``dev`` split; at Ekman and sentiment level the group scores (highest member score) get
thresholds tuned on dev. The ``test`` split is only ever used for the reported figure.

Examples:
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
from journeymap.emotions.score import checked_rows
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    import numpy.typing as npt

    from journeymap.emotions.scorer import EmotionScorer

logger = logging.getLogger(__name__)

__all__ = ["ekman_mapping", "evaluate", "evaluate_tweets", "main", "sentiment_decisions"]

LEVELS = ("goemotions", "ekman", "sentiment")


def evaluate(
    data: str | Path,
    *,
    split: str = "test",
    scorer: str | EmotionScorer = "default",
    levels: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Score ``split`` and return, per level, ``macro_f1``, ``micro_f1`` and a per-label table.

    A scorer of the GoEmotions labels (in any order) is measured at each of ``levels`` (default
    all of :data:`LEVELS`). A scorer of Ekman's labels (anger, disgust, fear, joy, sadness,
    surprise, with or without neutral; in any order) is measured at ``"ekman"`` level only: the
    data's GoEmotions labels are grouped by the folder's ``ekman_mapping.json`` (a group is
    present where one of its members is; GoEmotions ``neutral`` is Ekman ``neutral``), or by the
    built-in grouping where the folder has no such file; the result's ``ekman_mapping`` says
    which. Its rows are checked as :func:`journeymap.score` checks them (:func:`scored_rows`): a
    scorer that raises or returns NaN, values outside [0, 1] or rows of the wrong shape fails with
    :class:`~journeymap.TextsFailedError`.

    Raises:
        InvalidArgumentError: the scorer's labels are neither the GoEmotions nor the Ekman ones, or
            ``levels`` asks an Ekman scorer for a level other than ``"ekman"``.
    """
    scorer_obj = get_scorer(scorer)
    tax = scorer_obj.taxonomy
    gold = read_split(data, split)
    if set(tax.labels) != set(gold.labels):
        groups, source = ekman_mapping(data, gold.labels)
        if set(tax.labels) in ({*groups}, {*groups} - {"neutral"}):
            return _evaluate_ekman(data, split, scorer_obj, gold, groups=groups, source=source, levels=levels)
        msg = (
            f"scorer {scorer_obj.id!r} has labels {list(tax.labels)[:8]}{'...' if len(tax.labels) > 8 else ''}: neither "
            f"the data's GoEmotions labels (labels.txt) nor the Ekman labels {sorted(groups)} the folder's labels group "
            "into; evaluate it on a labelled table of its own labels (evaluate_labelled)"
        )
        raise InvalidArgumentError(msg)
    levels = LEVELS if levels is None else levels
    column = [tax.labels.index(lab) for lab in gold.labels]  # scorer columns in data order
    goemo = Taxonomy.goemotions()
    probs = scored_rows(scorer_obj, gold.texts)[0][:, column]
    own = getattr(scorer_obj, "thresholds", None)
    need_dev = own is None or any(level != "goemotions" for level in levels)
    dev_probs = dev_true = np.empty((0, len(gold.labels)), dtype=np.float32)
    if need_dev:
        _warn_dev(split)
        dev = read_split(data, "dev")
        dev_probs = scored_rows(scorer_obj, dev.texts)[0][:, column]
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
            # the data's columns (labels.txt order) in the built-in order the groups are read in
            built_in = [list(gold.labels).index(lab) for lab in goemo.labels]
            target = Taxonomy.builtin(level)
            p = goemo.convert(probs[:, built_in], target)
            true = goemo.convert(gold.targets[:, built_in], target)
            labels = list(target.labels)
            dev_p, dev_t = goemo.convert(dev_probs[:, built_in], target), goemo.convert(dev_true[:, built_in], target)
            thresholds = tune_thresholds(dev_p, dev_t.astype(bool))
        results[level] = _level_figures(p, true, labels, thresholds)
    return results


def _warn_dev(split: str) -> None:
    if split == "dev":
        logger.warning(
            "evaluating on dev, where the thresholds are also tuned: the figures are optimistic; "
            "report split='test' for held-out figures"
        )


def _level_figures(p: np.ndarray, true: np.ndarray, labels: list[str], thresholds: np.ndarray) -> dict[str, Any]:
    """Macro- and micro-F1 and the per-label table (``f1``, ``support``, ``threshold``) of thresholded scores."""
    decided = predict(p, thresholds)
    truth = true.astype(bool)
    per_label = f1_per_label(decided, truth)
    table = pd.DataFrame(
        {"f1": per_label, "support": truth.sum(axis=0), "threshold": thresholds}, index=pd.Index(labels, name="label")
    )
    return {"macro_f1": float(per_label.mean()), "micro_f1": micro_f1(decided, truth), "per_label": table}


def ekman_mapping(folder: str | Path, labels: list[str]) -> tuple[dict[str, tuple[str, ...]], str]:
    """The Ekman groups of a GoEmotions-format folder's labels, and where they come from.

    The folder's ``ekman_mapping.json`` (``{"anger": ["anger", "annoyance", ...], ...}``; a
    ``neutral`` label of ``labels.txt`` that it does not group is Ekman ``neutral``), else the
    built-in grouping (``"built-in"``).

    Raises:
        InvalidArgumentError: the file is no mapping of group names to lists of the folder's labels.
    """
    import json

    path = Path(folder) / "ekman_mapping.json"
    if not path.is_file():
        return dict(Taxonomy.goemotions().groups["ekman"]), "built-in"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        msg = f"{path} is not valid JSON: {exc}"
        raise InvalidArgumentError(msg) from exc
    ok = isinstance(raw, dict) and all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in raw.values())
    if not ok:
        msg = f"{path} must map each Ekman label to a list of the folder's labels, like {{'anger': ['anger', 'annoyance']}}"
        raise InvalidArgumentError(msg)
    groups = {str(k): tuple(v) for k, v in raw.items()}
    unknown = sorted({m for members in groups.values() for m in members} - set(labels))
    if unknown:
        msg = f"{path} groups {unknown[:10]}, which are not labels of the folder's labels.txt"
        raise InvalidArgumentError(msg)
    grouped = {m for members in groups.values() for m in members}
    if "neutral" in labels and "neutral" not in grouped:
        groups.setdefault("neutral", ("neutral",))
    return groups, str(path)


def _evaluate_ekman(
    data: str | Path,
    split: str,
    scorer: EmotionScorer,
    gold: Any,
    *,
    groups: dict[str, tuple[str, ...]],
    source: str,
    levels: tuple[str, ...] | None,
) -> dict[str, Any]:
    """An Ekman-label scorer on a GoEmotions-format folder: the data's labels grouped by ``groups``, at Ekman level."""
    if levels is not None and set(levels) != {"ekman"}:
        msg = (
            f"scorer {scorer.id!r} gives Ekman labels: on a GoEmotions-format folder it is measured at the 'ekman' "
            f"level only (its labels grouped by {source}), not {sorted(set(levels) - {'ekman'})}"
        )
        raise InvalidArgumentError(msg)
    tax = scorer.taxonomy
    labels = [lab for lab in (*Taxonomy.ekman().labels, *sorted(groups)) if lab in tax.labels]
    labels = list(dict.fromkeys(labels))
    column = [tax.labels.index(lab) for lab in labels]

    def grouped(targets: np.ndarray) -> np.ndarray:
        position = {lab: i for i, lab in enumerate(gold.labels)}
        out = np.zeros((len(targets), len(labels)), dtype=np.float32)
        for j, lab in enumerate(labels):
            members = [position[m] for m in groups.get(lab, ())]
            if members:
                out[:, j] = targets[:, members].max(axis=1)
        return out

    probs = scored_rows(scorer, gold.texts)[0][:, column]
    own = getattr(scorer, "thresholds", None)
    if own is not None and len(own) == len(tax.labels):
        thresholds = np.asarray(own, dtype=np.float32)[column]
    else:
        _warn_dev(split)
        dev = read_split(data, "dev")
        dev_probs = scored_rows(scorer, dev.texts)[0][:, column]
        thresholds = tune_thresholds(dev_probs, grouped(dev.targets).astype(bool))
    return {
        "scorer": scorer.id,
        "split": split,
        "n_texts": len(gold.texts),
        "ekman_mapping": source,
        "ekman": _level_figures(probs, grouped(gold.targets), labels, thresholds),
    }


def sentiment_decisions(scorer: EmotionScorer, texts: list[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """The shipped sentiment rule on ``texts``: class ids (0 negative, 1 neutral, 2 positive) and valence.

    The rule :func:`journeymap.score` applies (:func:`journeymap.emotions.score.sentiment_rule`):
    a calibrated sentiment output or a sentiment model decides by its most probable class, other
    scorers by their labels' valence cut.
    """
    names, valence, _ = scored_sentiment(scorer, texts)
    return np.asarray([("negative", "neutral", "positive").index(str(x)) for x in names], dtype=np.int64), valence


def check_eval_prior(prior: object) -> None:
    """InvalidArgumentError unless ``prior`` is a reading an evaluation can take: ``"none"`` or ``"service"``."""
    if prior not in ("none", "service"):
        msg = f"prior must be 'none' or 'service' to evaluate, got {prior!r}"
        raise InvalidArgumentError(msg)


def scored_rows(scorer: EmotionScorer, texts: list[str]) -> tuple[npt.NDArray[np.float32], dict[str, npt.NDArray[np.float32]]]:
    """The label scores of ``texts`` and the scorer's other outputs by name (``unread_tokens``, ...), as ``jm.score`` reads them.

    A :class:`~journeymap.emotions.scorer.SentimentScorer` is read with ``score_outputs`` (one
    pass gives both), any other scorer with ``score`` (no other outputs). The rows are checked as
    :func:`journeymap.score` checks them (:func:`~journeymap.emotions.score.checked_rows`): a
    scorer that raises, or returns rows of the wrong shape, NaN or values outside [0, 1], fails
    with :class:`~journeymap.TextsFailedError` naming it, and gives no figure.
    """
    from journeymap.emotions.scorer import SentimentScorer

    k = len(scorer.taxonomy.labels)
    rows = checked_rows(scorer, texts)
    outputs = tuple(scorer.outputs) if isinstance(scorer, SentimentScorer) else ()
    return rows[:, :k], {name: rows[:, k + j] for j, name in enumerate(outputs)}


def scored_sentiment(
    scorer: EmotionScorer,
    texts: list[str],
    *,
    prior: str = "none",
    scored: tuple[npt.NDArray[np.float32], dict[str, npt.NDArray[np.float32]]] | None = None,
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
    """Score ``texts`` and apply :func:`journeymap.emotions.score.sentiment_rule`: what ``jm.score`` writes.

    ``prior="service"``: as ``jm.score`` writes customer messages to a brand (the classes moved to
    :data:`~journeymap.emotions.score.SERVICE_PRIOR`, for a scorer that says its calibration);
    ``"none"``: as it writes texts of one side. ``scored``: what :func:`scored_rows` gave for
    ``texts`` already (they are not scored again).
    """
    from journeymap.emotions.score import calibration_of, sentiment_rule, with_prior
    from journeymap.schema import SENTIMENTS

    check_eval_prior(prior)
    probs, extra = scored if scored is not None else scored_rows(scorer, texts)
    decided, valence, classes = sentiment_rule(scorer.taxonomy, probs, extra)
    calibrated = calibration_of(scorer)
    if prior == "service" and calibrated is not None and classes is not None:
        classes = with_prior(classes, calibrated)
        decided = np.asarray(SENTIMENTS, dtype=object)[classes.argmax(axis=1)]
        valence = classes[:, 2] - classes[:, 0]
    return decided, valence, classes


def evaluate_tweets(
    sentiment: str | Path | None = None,
    irony: str | Path | None = None,
    *,
    split: str = "val",
    scorer: str | EmotionScorer = "default",
) -> dict[str, Any]:
    """Sentiment macro-F1 (shipped rule) on TweetEval sentiment and irony F1 on TweetEval irony.

    ``sentiment`` and ``irony`` are TweetEval task folders (``<split>_text.txt``,
    ``<split>_labels.txt``). Returns ``sentiment_macro_f1``, per-class F1, the area under the ROC
    curve of valence for negative-vs-rest, and ``irony_f1`` (irony probability at 0.5), for
    what is given.
    """
    from journeymap.emotions.scorer import SentimentScorer
    from journeymap.emotions.train_multitask import macro_f1, read_tweeteval

    scorer_obj = get_scorer(scorer)
    out: dict[str, Any] = {"scorer": scorer_obj.id, "split": split}
    if sentiment is not None:
        texts, true = read_tweeteval(sentiment, split)
        pred, valence = sentiment_decisions(scorer_obj, texts)
        out["sentiment_n"] = len(texts)
        out["sentiment_macro_f1"] = macro_f1(pred, true)
        out["sentiment_accuracy"] = float(np.mean(pred == true))
        out["sentiment_f1_per_class"] = [round(_f1_one(pred, true, c), 4) for c in range(3)]
        out["negative_auc"] = _auc(-valence, true == 0)
    if irony is not None and isinstance(scorer_obj, SentimentScorer) and "irony" in scorer_obj.outputs:
        texts, true = read_tweeteval(irony, split)
        p = scored_rows(scorer_obj, texts)[1]["irony"]
        out["irony_n"] = len(texts)
        out["irony_f1"] = _f1_one((p >= 0.5).astype(np.int64), true, 1)
        out["irony_auc"] = _auc(p, true == 1)
    return out


def _f1_one(pred: npt.NDArray[np.int64], true: npt.NDArray[np.int64], c: int) -> float:
    tp = float(np.sum((pred == c) & (true == c)))
    wrong = float(np.sum((pred == c) != (true == c)))
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def _auc(score: npt.NDArray[np.float32], positive: npt.NDArray[np.bool_]) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half)."""
    ranks = pd.Series(np.asarray(score, dtype=np.float64)).rank().to_numpy()
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if not n_pos or not n_neg:
        return float("nan")
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def format_results(results: dict[str, Any]) -> str:
    """The evaluation as readable text."""
    lines = [f"scorer {results['scorer']} on {results['split']} ({results['n_texts']} texts)"]
    if results.get("ekman_mapping"):
        how = "the built-in grouping" if results["ekman_mapping"] == "built-in" else results["ekman_mapping"]
        lines[0] += f"; the data's labels grouped into Ekman's by {how}"
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
