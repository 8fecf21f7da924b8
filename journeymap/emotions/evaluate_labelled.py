"""Evaluate any scorer on any labelled table: accuracy, macro-F1 and per-label F1.

The data's labels (after ``label_map``) are matched to the scorer's outputs at the level that
names them all with the fewest labels besides (the finer one on a tie): the scorer's own labels,
or one of its coarser taxonomies (a GoEmotions scorer also answers at Ekman and sentiment level: a group's
score is its best member's), so Ekman data (anger, disgust, fear, joy, sadness, surprise,
neutral: all GoEmotions names too) is read at Ekman level. Each text is predicted as the
best-scoring label among the data's labels (single-label evaluation: a text with several labels
counts its first). Sentiment data is compared with what :func:`journeymap.score` writes to
``sentiment`` (:func:`journeymap.emotions.score.sentiment_rule`); where the data has no
``neutral``, a text decided neutral takes the larger of its negative and positive scores (or the
sign of its valence), so it is never penalised for a label the data cannot have; a tie (equal
scores, a valence of exactly 0) takes neither side and counts as wrong, as a third class
``neutral`` that is no text's truth. Data with a single label (other than a sentiment) is
refused: the best of one label is always right. The scorer's rows are checked as
:func:`journeymap.score` checks them (:func:`journeymap.emotions.evaluate.scored_rows`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap.emotions.evaluate import check_eval_prior, scored_rows, scored_sentiment
from journeymap.emotions.labelled import read_labelled
from journeymap.emotions.registry import get_scorer
from journeymap.emotions.score import calibration_of
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import InvalidArgumentError, SchemaError
from journeymap.schema import SENTIMENTS

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from journeymap.emotions.scorer import EmotionScorer

logger = logging.getLogger(__name__)

__all__ = ["evaluate_labelled", "format_labelled", "matching_level"]


def _produced(taxonomy: Taxonomy, level: Taxonomy) -> tuple[str, ...]:
    """The labels of ``level`` the scorer can give a score: all its own; of a coarser level, the groups with members."""
    if level is taxonomy:
        return level.labels
    groups = taxonomy.groups.get(level.name, {})
    return tuple(label for label in level.labels if groups.get(label))


def matching_level(taxonomy: Taxonomy, names: list[str]) -> Taxonomy:
    """The scorer's taxonomy, or the coarser one of its taxonomies, whose labels include all of ``names``.

    A coarser level offers only the groups that some label of the scorer's belongs to: a custom
    taxonomy of anger, joy, sadness and fear has an Ekman grouping, but no score for disgust,
    surprise or neutral (they would read 0 for every text).

    Raises:
        SchemaError: no level names them all (the message lists what each level offers, and the
            data's labels that a level names but the scorer has no member of).

    Examples:
        >>> matching_level(Taxonomy.goemotions(), ["negative", "positive"]).name
        'sentiment'
        >>> matching_level(Taxonomy.goemotions(), list(Taxonomy.ekman().labels)).name  # not read as the fine labels
        'ekman'
        >>> matching_level(Taxonomy.goemotions(), ["anger", "disgust", "fear", "joy", "sadness", "surprise"]).name
        'ekman'
    """
    levels = [taxonomy, *(Taxonomy.builtin(name) for name in taxonomy.groups if name in {"ekman", "sentiment", "goemotions"})]
    produced = {id(level): _produced(taxonomy, level) for level in levels}
    # the closest fit: of the levels that give every label a score, the one with the fewest labels besides
    # (six Ekman emotions are read at Ekman level, not as the fine labels of the same names)
    fitting = [level for level in levels if set(names) <= set(produced[id(level)])]
    if fitting:
        return min(fitting, key=lambda level: len(set(level.labels) - set(names)))
    empty = [
        f"its {level.name} grouping has no member for {[n for n in names if n in level.labels and n not in produced[id(level)]]}"
        for level in levels
        if set(names) <= set(level.labels) and not set(names) <= set(produced[id(level)])
    ]
    offered = "; ".join(
        f"{lv.name}: {', '.join(produced[id(lv)][:8])}{'...' if len(produced[id(lv)]) > 8 else ''}" for lv in levels
    )
    why = f" ({'; '.join(empty)}: no label of the scorer's {taxonomy.name!r} taxonomy belongs to them)" if empty else ""
    msg = (
        f"the data's labels {names[:10]} are not all outputs of the scorer {taxonomy.name!r} at any level{why}. "
        f"It gives scores for {offered}. Map the data's labels onto these with a label mapping (DATA=NAME)"
    )
    raise SchemaError(msg)


def evaluate_labelled(
    source: str | Path | pd.DataFrame,
    *,
    scorer: str | EmotionScorer = "default",
    text: str = "text",
    label: str = "label",
    label_map: Mapping[Any, str] | None = None,
    sep: str | None = ",",
    prior: str = "none",
) -> dict[str, Any]:
    """Score the texts of a labelled table and compare with its labels.

    Labels that are sentiments (negative, neutral, positive) are compared with what
    :func:`journeymap.score` writes to ``sentiment``
    (:func:`journeymap.emotions.score.sentiment_rule`): the scorer's own sentiment outputs where
    it has them (the default scorer's calibrated head), the most probable class of a model whose
    labels are negative, neutral and positive, the larger class of a two-way (negative,
    positive) model, and for any other scorer the valence of its label scores cut at
    :data:`~journeymap.schema.NEGATIVE_VALENCE` and :data:`~journeymap.schema.POSITIVE_VALENCE`
    (not its labels grouped by sentiment). Where the data has no ``neutral``, a text decided
    neutral takes the larger of its negative and positive scores (or the sign of its valence);
    on a tie (equal scores, a valence of exactly 0) it stays ``neutral``, wrong for either class
    (and listed in ``per_label`` with support 0 and F1 0), so a scorer that says neutral to
    everything scores 0, not the share of the larger class.
    Other labels are matched at the scorer's level that gives each of them a score
    (:func:`matching_level`), each text predicted as its best-scoring label among the data's
    (so the data must hold at least two labels). The scorer's rows are checked as
    :func:`journeymap.score` checks them: a scorer that raises or returns NaN, values outside
    [0, 1] or rows of the wrong shape fails with :class:`~journeymap.TextsFailedError`.
    ``prior="service"`` measures what :func:`journeymap.score` writes for customer messages to a
    brand (the customer-service prior; customer-service data); ``"none"`` (default) what it
    writes for texts of one side.

    Evaluation is single-label: a text's truth is the first label of its cell (the others are
    candidates for every text's prediction, but not counted as its truth). Returns ``scorer``,
    ``level`` (the taxonomy the labels were matched at), ``n_texts``, ``skipped`` (rows without
    a text or a label), ``accuracy``, ``macro_f1``, ``per_label``, ``secondary_only`` and
    ``not_read_in_full`` (texts longer than the scorer reads: the count of its ``unread_tokens``
    output above 0, logged too; 0 for a scorer without that output).
    ``per_label`` is a frame of ``f1``, ``precision``, ``recall``, ``support`` (texts whose first
    label it is) and ``secondary`` (texts that list it after their first label) for each label
    that is some text's truth or prediction, and ``macro_f1`` is the mean of its ``f1``, as
    scikit-learn's ``f1_score(truth, predicted, average="macro")``: a label the data names only
    after a cell's first label, and that is never predicted, is not averaged in (as an F1 of 0)
    but listed in ``secondary_only``. A predicted label that is no text's truth is (support 0, F1 0).

    Raises:
        InvalidArgumentError: ``prior`` is not ``"none"`` or ``"service"``, or the data holds one
            label only (other than a sentiment).
        SchemaError: a column is missing, or the data's labels are not the scorer's at any level.
        TextsFailedError: the scorer failed, or returned rows :func:`journeymap.score` refuses.

    Examples:
        >>> import numpy as np, pandas as pd
        >>> class Words:
        ...     id, taxonomy = "words.v1", Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         good = np.array([("thank" in t) for t in texts], dtype=np.float32)
        ...         return np.stack([good, 1 - good, 0 * good, 0 * good], axis=1)
        >>> data = pd.DataFrame({"text": ["thank you", "awful", "thanks!"], "label": ["pos", "neg", "neg"]})
        >>> r = evaluate_labelled(data, scorer=Words(), label_map={"pos": "positive", "neg": "negative"})
        >>> r["level"], round(r["accuracy"], 2), r["n_texts"]
        ('sentiment (what journeymap.score writes)', 0.67, 3)
    """
    check_eval_prior(prior)  # before the data is read and the scorer built
    data = read_labelled(source, text=text, label=label, label_map=label_map, sep=sep)
    names = data.names
    if len(names) < 2 and not set(names) <= set(SENTIMENTS):
        # the prediction is the best of the data's labels: of one, it is that label, right for every text
        msg = (
            f"the data has one label only ({names[0]!r}; column {label!r}): evaluate_labelled predicts each text's "
            "best-scoring label among the data's labels, so with one label every prediction would be right whatever "
            "the scorer says. Evaluate on data with at least two labels"
        )
        raise InvalidArgumentError(msg)
    scorer_obj = get_scorer(scorer)
    scores, extra = scored_rows(scorer_obj, data.texts)
    unread = extra.get("unread_tokens")
    cut = int((np.asarray(unread) > 0).sum()) if unread is not None else 0
    if cut:
        logger.warning(
            "%d of %d texts are longer than the scorer %s reads: %d tokens at their ends not read (scored without them)",
            cut,
            len(data.texts),
            scorer_obj.id,
            int(np.asarray(unread).sum()),
        )
    if set(names) <= set(SENTIMENTS):
        # sentiment labels: measure what jm.score writes to the sentiment column
        decided, valence, classes = scored_sentiment(scorer_obj, data.texts, prior=prior, scored=(scores, extra))
        predicted = np.asarray(decided, dtype=object)
        if "neutral" not in names:  # a two-way data set: a text decided neutral takes the larger side
            lean = classes[:, 2] - classes[:, 0] if classes is not None else valence
            # a tie (or a valence of exactly 0) leans to neither side: it stays neutral, wrong for either class
            side = np.where(lean < 0, "negative", np.where(lean > 0, "positive", "neutral"))
            predicted = np.where(predicted == "neutral", side, predicted).astype(object)
        moved = prior == "service" and classes is not None and calibration_of(scorer_obj) is not None
        level_name = "sentiment (what journeymap.score writes)" + (" for customer messages to a brand" if moved else "")
    else:
        level = matching_level(scorer_obj.taxonomy, names)
        probs = scores
        if level.name != scorer_obj.taxonomy.name or level.labels != scorer_obj.taxonomy.labels:
            probs = scorer_obj.taxonomy.convert(probs, level)
        columns = [level.labels.index(n) for n in names]
        predicted = np.asarray(names, dtype=object)[probs[:, columns].argmax(axis=1)]
        level_name = level.name
    truth = np.asarray([row[0] for row in data.labels], dtype=object)
    per_label = _per_label(truth, predicted, data.labels)
    secondary_only = [name for name in names if name not in per_label.index]
    return {
        "scorer": scorer_obj.id,
        "level": level_name,
        "n_texts": len(data.texts),
        "skipped": len(data.skipped),
        "accuracy": float(np.mean(predicted == truth)),
        "macro_f1": float(per_label["f1"].mean()),
        "per_label": per_label,
        "secondary_only": secondary_only,
        "not_read_in_full": cut,
    }


def _per_label(truth: np.ndarray, predicted: np.ndarray, cells: list[tuple[str, ...]]) -> pd.DataFrame:
    """F1, precision, recall and support of each label that is some text's truth or prediction (sorted, as scikit-learn).

    ``secondary`` counts the texts that list the label after their first one (not in its support).
    """
    evaluated = sorted({str(x) for x in truth} | {str(x) for x in predicted})
    rows = {}
    for name in evaluated:
        tp = int(np.sum((predicted == name) & (truth == name)))
        n_pred, n_true = int(np.sum(predicted == name)), int(np.sum(truth == name))
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        secondary = sum(name in cell[1:] for cell in cells)
        rows[name] = {"f1": f1, "precision": precision, "recall": recall, "support": n_true, "secondary": secondary}
    columns = ["f1", "precision", "recall", "support", "secondary"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("label")


def format_labelled(result: dict[str, Any]) -> str:
    """The evaluation as readable text."""
    head = (
        f"scorer {result['scorer']} at {result['level']} level on {result['n_texts']} texts "
        f"({result['skipped']} rows skipped): accuracy {result['accuracy']:.4f}, macro-F1 {result['macro_f1']:.4f}"
    )
    table: str = result["per_label"].to_string(float_format=lambda x: f"{x:.3f}")
    out = head + "\n" + table
    if result.get("not_read_in_full"):
        out += (
            f"\nnot read in full: {result['not_read_in_full']} text(s) longer than the scorer reads (their ends were "
            "scored as if absent)"
        )
    if result.get("secondary_only"):
        out += (
            f"\nnot evaluated: {', '.join(result['secondary_only'])} (only ever after a text's first label, "
            "which is the one evaluated, and never predicted)"
        )
    return out
