"""Evaluate any scorer on any labelled table: accuracy, macro-F1, per-label figures and more.

The data's labels (after ``label_map``; compared in any case) are read at a *level*: ``"sentiment"``
(what :func:`journeymap.score` writes to ``sentiment``, :func:`journeymap.emotions.score.sentiment_rule`),
the scorer's own labels (its taxonomy's name), or one of its coarser taxonomies (a GoEmotions
scorer also answers at ``"ekman"`` level and by the built-in sentiment grouping,
``"sentiment_groups"``: a group's score is its best member's). Pass ``level=`` to hold the rule
fixed: a label outside that level is then an error naming it and its rows. Without it the level
is inferred from the data's labels (sentiments: ``"sentiment"``; else the level that names them all
with the fewest labels besides, :func:`matching_level`), which the result says
(``level_inferred``) and the log records: one extra label in the data can change the inferred level.

Each text is predicted as the best-scoring label among the data's labels (at ``"sentiment"``: the
decision ``jm.score`` writes). A cell's labels are a set: a prediction that is any of them is right,
whatever their order; a wrong one counts against the first of the cell's labels in sorted order.
Texts :func:`journeymap.score` leaves unscored (no words to read, a language the scorer does not
declare) are not scored here either: they are listed in ``unscored`` with their reason and counted,
and the figures are those of the scored texts. :func:`compare_labelled` compares two scorers on the
same texts (paired bootstrap and exact McNemar test).
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap.emotions._metrics import f1_per_label, micro_f1, predict, tune_thresholds
from journeymap.emotions.evaluate import check_eval_prior, scored_rows, scored_sentiment
from journeymap.emotions.labelled import Labelled, read_labelled
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

__all__ = [
    "compare_labelled",
    "confusion_matrix",
    "evaluate_labelled",
    "format_labelled",
    "levels_of",
    "matching_level",
    "mcnemar_exact",
    "result_json",
]


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


#: The level of :func:`evaluate_labelled` that measures what :func:`journeymap.score` writes to ``sentiment``.
SENTIMENT_LEVEL = "sentiment"
#: The level name of the built-in sentiment grouping (positive, negative, ambiguous, neutral): best member's score.
SENTIMENT_GROUPS = "sentiment_groups"
_RULE = "sentiment (what journeymap.score writes)"


def levels_of(taxonomy: Taxonomy) -> dict[str, tuple[str, ...]]:
    """The levels :func:`evaluate_labelled` can read a scorer of ``taxonomy`` at, with the labels each gives.

    ``"sentiment"`` (what :func:`journeymap.score` writes: negative, neutral, positive), the
    scorer's own labels (under its taxonomy's name) and its coarser built-in taxonomies
    (``"ekman"``, ``"goemotions"``, and ``"sentiment_groups"`` for the built-in sentiment
    grouping), each with the groups the scorer has members in.

    Examples:
        >>> {name: len(labels) for name, labels in levels_of(Taxonomy.goemotions()).items()}
        {'sentiment': 3, 'goemotions': 28, 'ekman': 7, 'sentiment_groups': 4}
    """
    out: dict[str, tuple[str, ...]] = {SENTIMENT_LEVEL: tuple(SENTIMENTS)}
    for level in _taxonomy_levels(taxonomy).values():
        out.setdefault(_level_key(level), _produced(taxonomy, level))
    return out


def _level_key(level: Taxonomy) -> str:
    return SENTIMENT_GROUPS if level.name == "sentiment" else level.name


def _taxonomy_levels(taxonomy: Taxonomy) -> dict[str, Taxonomy]:
    levels = [taxonomy, *(Taxonomy.builtin(name) for name in taxonomy.groups if name in {"ekman", "sentiment", "goemotions"})]
    out: dict[str, Taxonomy] = {}
    for level in levels:
        out.setdefault(_level_key(level), level)
    return out


def evaluate_labelled(
    source: str | Path | pd.DataFrame,
    *,
    scorer: str | EmotionScorer = "default",
    text: str = "text",
    label: str = "label",
    label_map: Mapping[Any, str] | None = None,
    sep: str | None = ",",
    prior: str = "none",
    level: str | None = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    dev: str | Path | pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Score the texts of a labelled table and compare with its labels.

    **Level.** ``level="sentiment"`` compares the data's negative / neutral / positive labels with
    what :func:`journeymap.score` writes to ``sentiment``
    (:func:`journeymap.emotions.score.sentiment_rule`): the scorer's own sentiment outputs where
    it has them (the default scorer's calibrated head), the most probable class of a model whose
    labels are negative, neutral and positive, the larger class of a two-way (negative,
    positive) model, and for any other scorer the valence of its label scores cut at
    :data:`~journeymap.schema.NEGATIVE_VALENCE` and :data:`~journeymap.schema.POSITIVE_VALENCE`
    (the built-in 4-label :meth:`Taxonomy.sentiment` too: its ``ambiguous`` label has no
    sentiment of its own, so ``jm.score`` cuts its valence; the evaluation follows, so what is
    measured is the ``sentiment`` column). Where the data has no ``neutral``, a text decided
    neutral takes the larger of its negative and positive scores (or the sign of its valence); on
    a tie it stays ``neutral``, wrong for either class. Any other level (:func:`levels_of`: the
    scorer's taxonomy name, ``"ekman"``, ``"goemotions"``, ``"sentiment_groups"``) predicts each
    text's best-scoring label among the data's labels (so the data must hold at least two). A
    data label outside the level is a :class:`~journeymap.SchemaError` naming it and its rows.
    Without ``level`` it is inferred from the data's labels (``"sentiment"`` for sentiments, else
    :func:`matching_level`), logged, and ``level_inferred`` is True: an extra label in the data
    can then change the rule for every label, so pass ``level`` for figures you compare.

    **Labels** are compared in any case (``Joy`` is ``joy``). A cell's labels are a set: a
    prediction that is any of them is right, in any order; a wrong one counts against the first
    of them in sorted order. Where some cell holds several labels, ``multilabel`` has set metrics
    (``micro_f1``, ``macro_f1`` over the data's labels, ``samples_f1``, as scikit-learn's
    multi-label ``f1_score``): a text predicted every label scoring at or above its threshold
    (the scorer's own ``thresholds`` at its own level, else 0.5; its best label where none is),
    and at ``"sentiment"`` the one decision.

    **Thresholds tuned on a dev split.** ``dev`` is a second labelled table (read as ``source``
    is: the same columns, ``label_map`` and ``sep``) whose texts are scored at the same level;
    each label's threshold is the one that maximises its F1 there (as :func:`evaluate` tunes them
    on a GoEmotions folder's ``dev.tsv``), and ``multilabel`` measures the evaluated table with
    them, for single-label data too. Its texts ``jm.score`` leaves unscored are left out of the
    tuning. The single-label figures (``accuracy``, ``macro_f1``, ...) take each text's best label
    and use no threshold: ``dev`` does not change them. At ``"sentiment"`` the decision is
    ``jm.score``'s, with no thresholds: ``dev`` is refused there.

    **Texts** :func:`journeymap.score` would leave unscored are left unscored here too (no words
    to read; a language the scorer does not declare): they are in ``unscored`` (``row``, ``text``,
    ``reason``) and counted in ``n_unscored``, and the figures are over the ``n_texts`` scored. The
    scorer's rows are checked as :func:`journeymap.score` checks them: a scorer that raises or
    returns NaN, values outside [0, 1] or rows of the wrong shape fails with
    :class:`~journeymap.TextsFailedError`. ``prior="service"`` measures what :func:`journeymap.score`
    writes for customer messages to a brand; ``"none"`` (default) for texts of one side.

    Returns a dict: ``scorer``, ``level``, ``level_inferred``, ``n_texts``, ``n_unscored``,
    ``unscored``, ``skipped`` (rows without a text or a label), ``accuracy``, ``macro_f1``,
    ``per_label`` (``f1``, ``precision``, ``recall``, ``support`` and ``secondary``, the texts
    that list a label but count for another of theirs, for each label some text counts for or is
    predicted; ``macro_f1`` is their mean, as scikit-learn's ``f1_score(average="macro")``),
    ``secondary_only`` (labels only ever secondary and never predicted: not averaged in),
    ``confusion_matrix`` (texts by ``truth`` row and ``predicted`` column, as scikit-learn's
    ``confusion_matrix``), ``predictions`` (per text read: ``row``, ``text``, ``labels``,
    ``predicted``, ``truth``, ``correct``, ``score_note``; the unscored with NA predictions),
    ``intervals`` (``estimate``, ``low``, ``high`` of ``accuracy`` and ``macro_f1``: percentile
    bootstrap of ``n_boot`` resamples of the texts at ``confidence``, seeded by ``seed``; with
    ``n_boot`` 0 the estimates only, ``low`` and ``high`` NaN), ``multilabel`` (None for
    single-label data without ``dev``; else ``micro_f1``, ``macro_f1``, ``samples_f1``,
    ``thresholds`` and ``thresholds_from``: ``"dev"``, ``"scorer"`` or ``"0.5"``, both None at
    ``"sentiment"``, which uses no thresholds; with ``dev``, ``n_dev``, the dev texts tuned on) and
    ``not_read_in_full``.

    Raises:
        InvalidArgumentError: ``prior`` or ``level`` is not one the scorer can be read at, the
            data holds one label only (other than at ``"sentiment"``), no text is scored, or
            ``dev`` is given at ``"sentiment"`` level or has no scored text.
        SchemaError: a column is missing, the data's labels are not the level's (named, with
            rows), or ``dev`` has labels the evaluated table has not (named, with rows).
        TextsFailedError: the scorer failed, or returned rows :func:`journeymap.score` refuses.

    Examples:
        >>> import numpy as np, pandas as pd
        >>> class Words:
        ...     id, taxonomy = "words.v1", Taxonomy.sentiment()
        ...     def score(self, texts):
        ...         good = np.array([("thank" in t) for t in texts], dtype=np.float32)
        ...         return np.stack([good, 1 - good, 0 * good, 0 * good], axis=1)
        >>> data = pd.DataFrame({"text": ["thank you", "awful", "thanks!", "?"], "label": ["pos", "neg", "neg", "neg"]})
        >>> r = evaluate_labelled(data, scorer=Words(), label_map={"pos": "positive", "neg": "negative"}, level="sentiment")
        >>> r["level"], round(r["accuracy"], 2), r["n_texts"], r["n_unscored"]
        ('sentiment (what journeymap.score writes)', 0.67, 3, 1)
        >>> r["confusion_matrix"]
        predicted  negative  positive
        truth
        negative          1         1
        positive          0         1
        >>> print(r["predictions"][["row", "predicted", "correct"]].to_string(index=False))
         row predicted  correct
           0  positive     True
           1  negative     True
           2  positive    False
           3      <NA>     <NA>
    """
    check_eval_prior(prior)  # before the data is read and the scorer built
    if not (isinstance(confidence, float) and 0 < confidence < 1):
        msg = f"confidence must be a float between 0 and 1, got {confidence!r}"
        raise InvalidArgumentError(msg)
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 0:
        msg = f"n_boot must be a whole number of resamples (0 for no intervals), got {n_boot!r}"
        raise InvalidArgumentError(msg)
    data = read_labelled(source, text=text, label=label, label_map=label_map, sep=sep)
    scorer_obj = get_scorer(scorer)
    levels = levels_of(scorer_obj.taxonomy)
    if level is not None and level not in levels:
        msg = f"level {level!r} is not one the scorer {scorer_obj.id!r} can be read at; its levels: {sorted(levels)}"
        raise InvalidArgumentError(msg)
    cells = _in_any_case(data.labels, levels)
    rows = data.rows if data.rows is not None else list(range(len(data.texts)))
    names = sorted({name for cell in cells for name in cell})
    _check_not_irony(names, levels, scorer_obj.id, label)
    chosen, inferred = _choose_level(scorer_obj.taxonomy, names, cells, rows=rows, level=level, column=label)
    if chosen != SENTIMENT_LEVEL and len(names) < 2:
        # the prediction is the best of the data's labels: of one, it is that label, right for every text
        msg = (
            f"the data has one label only ({names[0]!r}; column {label!r}): evaluate_labelled predicts each text's "
            "best-scoring label among the data's labels, so with one label every prediction would be right whatever "
            "the scorer says. Evaluate on data with at least two labels"
        )
        raise InvalidArgumentError(msg)
    tuned = None
    if dev is not None:
        tuned = _dev_thresholds(dev, scorer_obj, chosen, names, levels, text=text, label=label, label_map=label_map, sep=sep)
    notes = _unscored_notes(data.texts, scorer_obj)
    at = np.flatnonzero(np.asarray([note is None for note in notes], dtype=bool))
    if not len(at):
        reasons = pd.Series([str(n) for n in notes]).value_counts().to_dict()
        msg = f"no text of the data is scored: jm.score would leave all {len(notes)} unscored ({reasons})"
        raise InvalidArgumentError(msg)
    texts = [data.texts[i] for i in at]
    gold = [cells[i] for i in at]
    scores, extra = scored_rows(scorer_obj, texts)
    cut = _say_unread(extra, scorer_obj, len(texts))
    predicted, level_name, label_scores = _predict(scorer_obj, chosen, names, texts=texts, scored=(scores, extra), prior=prior)
    correct = np.asarray([p in cell for p, cell in zip(predicted, gold)], dtype=bool)
    truth = np.asarray([p if ok else min(cell) for p, ok, cell in zip(predicted, correct, gold)], dtype=object)
    per_label = _per_label(truth, predicted, gold)
    secondary_only = [name for name in names if name not in per_label.index]
    labels = per_label.index.tolist()
    result: dict[str, Any] = {
        "scorer": scorer_obj.id,
        "level": level_name,
        "level_inferred": inferred,
        "n_texts": len(texts),
        "n_unscored": len(notes) - len(texts),
        "unscored": pd.DataFrame(
            [(rows[i], data.texts[i], notes[i]) for i in range(len(notes)) if notes[i] is not None],
            columns=["row", "text", "reason"],
        ),
        "skipped": len(data.skipped),
        "accuracy": float(correct.mean()),
        "macro_f1": float(per_label["f1"].mean()),
        "per_label": per_label,
        "secondary_only": secondary_only,
        "confusion_matrix": confusion_matrix(truth, predicted, labels),
        "predictions": _predictions(data, cells, rows, notes, at=at, predicted=predicted, truth=truth, correct=correct),
        "intervals": _intervals(truth, predicted, n_boot, confidence, seed),
        "multilabel": None,
        "not_read_in_full": cut,
    }
    if any(len(cell) > 1 for cell in gold) or tuned is not None:
        result["multilabel"] = _multilabel(
            scorer_obj, chosen, names, gold, predicted=predicted, label_scores=label_scores, tuned=tuned
        )
    if result["n_unscored"]:
        logger.warning(
            "%d of %d texts left unscored, as jm.score leaves them (see the result's 'unscored'): %s; the figures are "
            "over the %d scored",
            result["n_unscored"],
            len(notes),
            result["unscored"]["reason"].value_counts().to_dict(),
            len(texts),
        )
    return result


def _predict(
    scorer: EmotionScorer,
    chosen: str,
    names: list[str],
    *,
    texts: list[str],
    scored: tuple[np.ndarray, dict[str, np.ndarray]],
    prior: str,
) -> tuple[np.ndarray, str, np.ndarray | None]:
    """Each text's predicted label at level ``chosen``, the level's name for the result, and the data's labels' scores.

    At ``"sentiment"``: what :func:`journeymap.score` writes (no label scores); else the best-scoring of ``names``.
    """
    if chosen == SENTIMENT_LEVEL:
        decided, valence, classes = scored_sentiment(scorer, texts, prior=prior, scored=scored)
        predicted = np.asarray(decided, dtype=object)
        if "neutral" not in names:  # a two-way data set: a text decided neutral takes the larger side
            lean = classes[:, 2] - classes[:, 0] if classes is not None else valence
            # a tie (or a valence of exactly 0) leans to neither side: it stays neutral, wrong for either class
            side = np.where(lean < 0, "negative", np.where(lean > 0, "positive", "neutral"))
            predicted = np.where(predicted == "neutral", side, predicted).astype(object)
        moved = prior == "service" and classes is not None and calibration_of(scorer) is not None
        level_name = _RULE + (" for customer messages to a brand" if moved else "")
        label_scores = None
    else:
        label_scores = _level_scores(scorer, chosen, names, scored[0])
        predicted = np.asarray(names, dtype=object)[label_scores.argmax(axis=1)]
        level_name = chosen
    return predicted, level_name, label_scores


def _level_scores(scorer: EmotionScorer, chosen: str, names: list[str], probs: np.ndarray) -> np.ndarray:
    """The scores of ``names`` at level ``chosen`` (a coarser level's groups: their best member's), in that order."""
    taxonomy_level = _taxonomy_levels(scorer.taxonomy)[chosen]
    if taxonomy_level is not scorer.taxonomy:
        probs = scorer.taxonomy.convert(probs, taxonomy_level)
    return np.asarray(probs[:, [taxonomy_level.labels.index(n) for n in names]], dtype=np.float32)


def _dev_thresholds(
    dev: str | Path | pd.DataFrame,
    scorer: EmotionScorer,
    chosen: str,
    names: list[str],
    levels: Mapping[str, tuple[str, ...]],
    **read: Any,
) -> tuple[np.ndarray, int]:
    """Per-label thresholds of ``names`` tuned on the ``dev`` table (best F1 each), and how many dev texts were scored."""
    if chosen == SENTIMENT_LEVEL:
        msg = (
            "dev= tunes the thresholds of the label-set figures; at level 'sentiment' the decision is what jm.score "
            "writes, with no thresholds to tune. Leave dev out, or choose another level"
        )
        raise InvalidArgumentError(msg)
    held = read_labelled(dev, **{**read, "label_map": _dev_label_map(dev, read)})
    cells = _in_any_case(held.labels, levels)
    rows = held.rows if held.rows is not None else list(range(len(held.texts)))
    extra = sorted({n for cell in cells for n in cell} - set(names))
    if extra:
        where = "; ".join(f"{n!r} in rows {[r for r, cell in zip(rows, cells) if n in cell][:10]}" for n in extra[:10])
        msg = (
            f"the dev table's labels {extra[:10]} are not labels of the evaluated table ({names[:20]}): {where}. "
            "Thresholds are tuned for the evaluated table's labels: map or drop those rows"
        )
        raise SchemaError(msg)
    notes = _unscored_notes(held.texts, scorer)
    at = [i for i, note in enumerate(notes) if note is None]
    if not at:
        msg = f"no text of the dev table is scored: jm.score would leave all {len(notes)} unscored"
        raise InvalidArgumentError(msg)
    scores = _level_scores(scorer, chosen, names, scored_rows(scorer, [held.texts[i] for i in at])[0])
    true = np.zeros((len(at), len(names)), dtype=bool)
    for k, i in enumerate(at):
        true[k, [names.index(n) for n in cells[i]]] = True
    missing = [n for j, n in enumerate(names) if not true[:, j].any()]
    if missing:
        logger.warning("the dev table has no text labelled %s: their thresholds stay 0.5", missing)
    return tune_thresholds(scores, true), len(at)


def _dev_label_map(dev: str | Path | pd.DataFrame, read: Mapping[str, Any]) -> dict[str, str] | None:
    """``label_map`` less the keys of labels the dev table has none of (checked against the evaluated table already).

    A label of the evaluated table that the dev table lacks is no typo there (:func:`read_labelled`
    would refuse its key as matching nothing).
    """
    from journeymap.emotions.labelled import WHOLE_FLOAT, label_mapping

    if not read.get("label_map"):
        return None
    raw = read_labelled(dev, **{**read, "label_map": None})
    seen = {n.casefold() for cell in raw.labels for n in cell}
    mapping = label_mapping(read["label_map"])
    return {k: v for k, v in mapping.items() if k.casefold() in seen or WHOLE_FLOAT.sub(r"\1", k).casefold() in seen}


def _in_any_case(cells: list[tuple[str, ...]], levels: Mapping[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The data's labels spelt as the scorer's levels spell them where they differ only in case (``Joy``: ``joy``)."""
    known = {name for labels in levels.values() for name in labels}
    folded: dict[str, set[str]] = {}
    for name in known:
        folded.setdefault(name.casefold(), set()).add(name)
    spelt: dict[str, str] = {}
    for name in {n for cell in cells for n in cell}:
        if name not in known and len(folded.get(name.casefold(), ())) == 1:
            spelt[name] = next(iter(folded[name.casefold()]))
    if not spelt:
        return cells
    return [tuple(dict.fromkeys(spelt.get(n, n) for n in cell)) for cell in cells]


def _choose_level(
    taxonomy: Taxonomy,
    names: list[str],
    cells: list[tuple[str, ...]],
    *,
    rows: list[int],
    level: str | None,
    column: str,
) -> tuple[str, bool]:
    """The level to read the data at, and whether it was inferred from the data (``level`` None).

    Raises:
        SchemaError: ``level`` is given and some data labels are not among its labels (named, with their rows).
    """
    if level is not None:
        allowed = levels_of(taxonomy)[level]
        outside = [name for name in names if name not in allowed]
        if outside:
            where = "; ".join(
                f"{name!r} in rows {[r for r, cell in zip(rows, cells) if name in cell][:10]}" for name in outside[:10]
            )
            msg = (
                f"the data's labels {outside[:10]} (column {column!r}) are not labels of level {level!r}, which gives "
                f"{list(allowed)[:30]}: {where}. Map them onto the level's labels (label_map), drop those rows, or "
                "choose another level"
            )
            raise SchemaError(msg)
        return level, False
    chosen = SENTIMENT_LEVEL if set(names) <= set(SENTIMENTS) else _level_key(matching_level(taxonomy, names))
    logger.info(
        "evaluate_labelled: level %r inferred from the data's labels %s (pass level= to hold it fixed)", chosen, names[:10]
    )
    return chosen, True


def _check_not_irony(names: list[str], levels: Mapping[str, tuple[str, ...]], scorer: str, column: str) -> None:
    """SchemaError saying how irony is measured where the data's labels are irony labels no level of the scorer gives.

    Irony (sarcasm) is no emotion label: a scorer says it in an ``irony`` output beside its label
    scores (the default scorer has one), which :func:`~journeymap.emotions.evaluate.evaluate_tweets`
    measures on a TweetEval irony folder. ``evaluate_labelled`` compares label scores.
    """
    given = {name for labels in levels.values() for name in labels}
    irony = [n for n in names if n not in given and any(w in n.casefold() for w in ("iron", "sarcas"))]
    if not irony:
        return
    msg = (
        f"the data's labels {names[:10]} (column {column!r}) are irony labels ({irony}): irony is no label the "
        f"scorer {scorer!r} gives a score for, and evaluate_labelled compares the scorer's label scores. Irony is "
        "measured by a scorer's 'irony' output (the default scorer has one) on a TweetEval irony folder: "
        "<split>_text.txt (one text a line), <split>_labels.txt (1 for irony, 0 for not) and mapping.txt "
        "('0<TAB>non_irony', '1<TAB>irony'), evaluated with `journeymap evaluate FOLDER --split <split>` or "
        "journeymap.emotions.evaluate.evaluate_tweets(irony=FOLDER, split=<split>)"
    )
    raise SchemaError(msg)


def _unscored_notes(texts: list[str], scorer: EmotionScorer) -> list[str | None]:
    """Per text, None where :func:`journeymap.score` scores it, else its ``score_note``: no text, no words, language."""
    from journeymap.emotions._batching import visible_texts
    from journeymap.emotions.language import detect_languages
    from journeymap.emotions.normalize import has_words
    from journeymap.emotions.score import NO_TEXT, NO_WORDS, routes

    route = routes(scorer)
    visible = visible_texts(pd.Series(texts, dtype="string")).to_numpy(dtype=bool)
    langs = detect_languages(texts)
    notes: list[str | None] = []
    for shown, words, lang in zip(visible, (has_words(t) for t in texts), langs):
        if not shown:
            notes.append(NO_TEXT)
        elif not words:
            notes.append(NO_WORDS)
        else:
            notes.append(route.pick(str(lang))[1])
    return notes


def _say_unread(extra: Mapping[str, np.ndarray], scorer: EmotionScorer, n: int) -> int:
    """How many texts the scorer did not read in full (its ``unread_tokens`` above 0), logged."""
    unread = extra.get("unread_tokens")
    cut = int((np.asarray(unread) > 0).sum()) if unread is not None else 0
    if cut:
        logger.warning(
            "%d of %d texts are longer than the scorer %s reads: %d tokens at their ends not read (scored without them)",
            cut,
            n,
            scorer.id,
            int(np.asarray(unread).sum()),
        )
    return cut


def _predictions(
    data: Labelled,
    cells: list[tuple[str, ...]],
    rows: list[int],
    notes: list[str | None],
    *,
    at: np.ndarray,
    predicted: np.ndarray,
    truth: np.ndarray,
    correct: np.ndarray,
) -> pd.DataFrame:
    """One row per text read: the scored with their prediction, the unscored with NA and their note."""
    texts = data.texts
    n = len(texts)
    pred = np.full(n, None, dtype=object)
    true = np.full(n, None, dtype=object)
    ok = pd.array([pd.NA] * n, dtype="boolean")
    pred[at], true[at] = predicted, truth
    ok[at] = correct
    return pd.DataFrame(
        {
            "row": rows,
            "text": texts,
            "labels": cells,
            "predicted": pd.array(pred, dtype="string"),
            "truth": pd.array(true, dtype="string"),
            "correct": ok,
            "score_note": pd.array(notes, dtype="string"),
        }
    )


def confusion_matrix(truth: Any, predicted: Any, labels: list[str] | None = None) -> pd.DataFrame:
    """Counts of texts by true label (rows, ``truth``) and predicted label (columns, ``predicted``).

    As scikit-learn's ``confusion_matrix(truth, predicted, labels=labels)``, as a frame with the
    labels named; ``labels`` defaults to those of either, sorted.

    Examples:
        >>> confusion_matrix(["a", "a", "b"], ["a", "b", "b"])
        predicted  a  b
        truth
        a          1  1
        b          0  1
    """
    t = np.asarray(truth, dtype=object)
    p = np.asarray(predicted, dtype=object)
    names = sorted({str(x) for x in t} | {str(x) for x in p}) if labels is None else list(labels)
    position = {name: i for i, name in enumerate(names)}
    counts = np.zeros((len(names), len(names)), dtype=np.int64)
    for a, b in zip(t, p):
        if a in position and b in position:
            counts[position[a], position[b]] += 1
    return pd.DataFrame(counts, index=pd.Index(names, name="truth"), columns=pd.Index(names, name="predicted"))


def _weighted_scores(truth: np.ndarray, predicted: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Accuracy and macro-F1 (over the labels each resample has as truth or prediction) for each row of ``weights``."""
    names = sorted({str(x) for x in truth} | {str(x) for x in predicted})
    t = np.asarray([names.index(str(x)) for x in truth])
    p = np.asarray([names.index(str(x)) for x in predicted])
    total = weights.sum(axis=1).astype(np.float64)
    accuracy = weights @ (t == p).astype(np.float64) / total
    f1_sum = np.zeros(len(weights))
    present = np.zeros(len(weights))
    for k in range(len(names)):
        tp = weights @ ((t == k) & (p == k)).astype(np.float64)
        both = weights @ (t == k).astype(np.float64) + weights @ (p == k).astype(np.float64)
        f1_sum += np.divide(2 * tp, both, out=np.zeros_like(tp), where=both > 0)
        present += both > 0
    return accuracy, f1_sum / present


def _resamples(n: int, n_boot: int, rng: np.random.Generator, chunk: int = 200) -> Any:
    """Bootstrap weights (how often each of ``n`` texts is drawn), ``chunk`` resamples at a time."""
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        yield rng.multinomial(n, np.full(n, 1.0 / n), size=size)


def _intervals(truth: np.ndarray, predicted: np.ndarray, n_boot: int, confidence: float, seed: int) -> pd.DataFrame:
    """``estimate``, ``low``, ``high`` of accuracy and macro-F1: percentile bootstrap over the texts."""
    estimate = _weighted_scores(truth, predicted, np.ones((1, len(truth))))
    frame = pd.DataFrame(
        {"estimate": [float(estimate[0][0]), float(estimate[1][0])], "low": np.nan, "high": np.nan},
        index=pd.Index(["accuracy", "macro_f1"], name="metric"),
    )
    if n_boot:
        rng = np.random.default_rng(seed)
        draws = [_weighted_scores(truth, predicted, w) for w in _resamples(len(truth), n_boot, rng)]
        tail = (1 - confidence) / 2 * 100
        for name, values in zip(frame.index, (np.concatenate([d[0] for d in draws]), np.concatenate([d[1] for d in draws]))):
            frame.loc[name, ["low", "high"]] = np.percentile(values, [tail, 100 - tail])
    return frame


def _multilabel(
    scorer: EmotionScorer,
    level: str,
    names: list[str],
    gold: list[tuple[str, ...]],
    *,
    predicted: np.ndarray,
    label_scores: np.ndarray | None,
    tuned: tuple[np.ndarray, int] | None = None,
) -> dict[str, Any]:
    """Set metrics over the data's labels: micro, macro and samples F1 (scikit-learn's multi-label ``f1_score``).

    The thresholds: ``tuned`` (from a dev table) where given, else the scorer's own at its own level, else 0.5.
    """
    true = np.zeros((len(gold), len(names)), dtype=bool)
    for i, cell in enumerate(gold):
        true[i, [names.index(n) for n in cell]] = True
    source = None
    if label_scores is None:  # the sentiment decision: one label per text
        thresholds = None
        pred = np.asarray([[p == n for n in names] for p in predicted], dtype=bool)
    else:
        own = getattr(scorer, "thresholds", None)
        tax = scorer.taxonomy
        if tuned is not None:
            thresholds, source = np.asarray(tuned[0], dtype=np.float32), "dev"
        elif level == _level_key(tax) and own is not None and len(own) == len(tax.labels):
            thresholds, source = np.asarray([own[tax.labels.index(n)] for n in names], dtype=np.float32), "scorer"
        else:
            thresholds, source = np.full(len(names), 0.5, dtype=np.float32), "0.5"
        pred = predict(label_scores, thresholds)
    both = (pred & true).sum(axis=1)
    sizes = pred.sum(axis=1) + true.sum(axis=1)
    samples = np.divide(2 * both, sizes, out=np.zeros(len(gold)), where=sizes > 0)
    return {
        "micro_f1": micro_f1(pred, true),
        "macro_f1": float(f1_per_label(pred, true).mean()),
        "samples_f1": float(samples.mean()),
        "thresholds": None if thresholds is None else pd.Series(thresholds, index=pd.Index(names, name="label")),
        "thresholds_from": source,
        **({"n_dev": tuned[1]} if tuned is not None else {}),
    }


def compare_labelled(
    a: Mapping[str, Any], b: Mapping[str, Any], *, n_boot: int = 1000, confidence: float = 0.95, seed: int = 0
) -> dict[str, Any]:
    """Compare two :func:`evaluate_labelled` results on the same texts: differences, paired intervals, McNemar.

    Both must come from the same data (the same rows and labels); the texts both scored are
    compared. ``table`` has, for ``accuracy`` and ``macro_f1``, each scorer's figure (``a``,
    ``b``), their ``difference`` (a - b) and its percentile paired-bootstrap interval (``low``,
    ``high``: the same texts drawn for both, ``n_boot`` times, seeded). ``a_only`` and ``b_only``
    count the texts only one of them gets right, and ``mcnemar_p`` is the exact (binomial)
    two-sided McNemar p-value of those discordant pairs.

    Raises:
        InvalidArgumentError: the results are not of the same texts and labels, or share no scored text.

    Examples:
        >>> import numpy as np, pandas as pd
        >>> class Keyword:
        ...     taxonomy = Taxonomy.ekman()
        ...     def __init__(self, word):
        ...         self.word, self.id = word, f"kw-{word}"
        ...     def score(self, texts):
        ...         out = np.zeros((len(texts), 7), np.float32)
        ...         out[:, 3] = 0.5
        ...         out[[self.word in t for t in texts], 0] = 0.9
        ...         return out
        >>> data = pd.DataFrame({"text": ["so mad", "mad again", "angry", "lovely", "nice"] * 4,
        ...                      "label": ["anger", "anger", "anger", "joy", "joy"] * 4})
        >>> ra = evaluate_labelled(data, scorer=Keyword("mad"), level="ekman")
        >>> rb = evaluate_labelled(data, scorer=Keyword("angry"), level="ekman")
        >>> c = compare_labelled(ra, rb)
        >>> c["a_only"], c["b_only"], round(c["mcnemar_p"], 4), round(float(c["table"].loc["accuracy", "difference"]), 2)
        (8, 4, 0.3877, 0.2)
    """
    pa, pb = a["predictions"], b["predictions"]
    same = len(pa) == len(pb) and pa["row"].tolist() == pb["row"].tolist() and pa["labels"].tolist() == pb["labels"].tolist()
    if not same:
        msg = "compare_labelled compares two evaluations of the same data: their rows or labels differ"
        raise InvalidArgumentError(msg)
    both = (pa["predicted"].notna() & pb["predicted"].notna()).to_numpy(dtype=bool)
    if not both.any():
        msg = "the two evaluations share no scored text"
        raise InvalidArgumentError(msg)
    ta, ya = pa["truth"].to_numpy(dtype=object)[both], pa["predicted"].to_numpy(dtype=object)[both]
    tb, yb = pb["truth"].to_numpy(dtype=object)[both], pb["predicted"].to_numpy(dtype=object)[both]
    ones = np.ones((1, int(both.sum())))
    fa, fb = _weighted_scores(ta, ya, ones), _weighted_scores(tb, yb, ones)
    table = pd.DataFrame(
        {"a": [fa[0][0], fa[1][0]], "b": [fb[0][0], fb[1][0]]}, index=pd.Index(["accuracy", "macro_f1"], name="metric")
    )
    table["difference"] = table["a"] - table["b"]
    table["low"], table["high"] = np.nan, np.nan
    if n_boot:
        rng = np.random.default_rng(seed)
        acc: list[np.ndarray] = []
        mac: list[np.ndarray] = []
        for w in _resamples(int(both.sum()), n_boot, rng):
            da, db = _weighted_scores(ta, ya, w), _weighted_scores(tb, yb, w)
            acc.append(da[0] - db[0])
            mac.append(da[1] - db[1])
        tail = (1 - confidence) / 2 * 100
        for name, values in (("accuracy", np.concatenate(acc)), ("macro_f1", np.concatenate(mac))):
            table.loc[name, ["low", "high"]] = np.percentile(values, [tail, 100 - tail])
    right_a, right_b = ya == ta, yb == tb  # the truth is the prediction where it is one of the text's labels
    a_only, b_only = int((right_a & ~right_b).sum()), int((~right_a & right_b).sum())
    return {
        "scorer_a": a["scorer"],
        "scorer_b": b["scorer"],
        "n_texts": int(both.sum()),
        "table": table,
        "a_only": a_only,
        "b_only": b_only,
        "mcnemar_p": mcnemar_exact(a_only, b_only),
    }


def mcnemar_exact(b: int, c: int) -> float:
    """The exact two-sided McNemar p-value of ``b`` and ``c`` discordant pairs (binomial at 1/2).

    As ``statsmodels.stats.contingency_tables.mcnemar(table, exact=True).pvalue``.

    Examples:
        >>> round(mcnemar_exact(49, 34), 3), mcnemar_exact(0, 0)
        (0.124, 1.0)
    """
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(b, c) + 1))
    return float(min(1.0, 2 * tail / 2**n))


def _per_label(truth: np.ndarray, predicted: np.ndarray, cells: list[tuple[str, ...]]) -> pd.DataFrame:
    """F1, precision, recall and support of each label that is some text's truth or prediction (sorted, as scikit-learn).

    ``secondary`` counts the texts that list the label but count for another of their labels (not in its support).
    """
    evaluated = sorted({str(x) for x in truth} | {str(x) for x in predicted})
    rows = {}
    for name in evaluated:
        tp = int(np.sum((predicted == name) & (truth == name)))
        n_pred, n_true = int(np.sum(predicted == name)), int(np.sum(truth == name))
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        secondary = sum(name in cell and t != name for cell, t in zip(cells, truth))
        rows[name] = {"f1": f1, "precision": precision, "recall": recall, "support": n_true, "secondary": secondary}
    columns = ["f1", "precision", "recall", "support", "secondary"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("label")


def format_labelled(result: Mapping[str, Any]) -> str:
    """The evaluation as readable text."""
    inferred = " (inferred from the data's labels; fix it with level= or --level)" if result.get("level_inferred") else ""
    head = (
        f"scorer {result['scorer']} at {result['level']} level{inferred} on {result['n_texts']} texts "
        f"({result['skipped']} rows skipped): accuracy {result['accuracy']:.4f}, macro-F1 {result['macro_f1']:.4f}"
    )
    intervals = result.get("intervals")
    if intervals is not None and intervals["low"].notna().all():
        head += (
            "\n"
            + ", ".join(f"{name} {row.estimate:.4f} [{row.low:.4f}, {row.high:.4f}]" for name, row in intervals.iterrows())
            + " (bootstrap interval)"
        )
    table: str = result["per_label"].to_string(float_format=lambda x: f"{x:.3f}")
    out = head + "\n" + table
    multi = result.get("multilabel")
    if multi:
        out += (
            f"\nlabel sets: micro-F1 {multi['micro_f1']:.4f}, macro-F1 {multi['macro_f1']:.4f}, "
            f"samples-F1 {multi['samples_f1']:.4f}"
        )
        if multi.get("thresholds_from") == "dev":
            out += f" (thresholds tuned on the dev table's {multi['n_dev']} texts)"
    if result.get("n_unscored"):
        reasons = result["unscored"]["reason"].value_counts()
        out += f"\nleft unscored as jm.score leaves them (not in the figures): {result['n_unscored']} text(s): " + "; ".join(
            f"{n} {why}" for why, n in reasons.items()
        )
    if result.get("not_read_in_full"):
        out += (
            f"\nnot read in full: {result['not_read_in_full']} text(s) longer than the scorer reads (their ends were "
            "scored as if absent)"
        )
    if result.get("secondary_only"):
        out += (
            f"\nnot evaluated: {', '.join(result['secondary_only'])} (only ever listed beside a label the text is "
            "counted for, and never predicted)"
        )
    return out


def result_json(result: Any) -> Any:
    """An evaluation result (of :func:`evaluate_labelled`, :func:`compare_labelled` or ``evaluate``) as plain JSON values.

    Tables become objects keyed by their index (``per_label`` by label, ``confusion_matrix`` by
    truth then predicted label, ``intervals`` by metric) or, where the index is only row
    positions (``predictions``, ``unscored``), lists of records; a Series an object; NumPy
    numbers and arrays their Python values; NaN and NA ``null``; tuples lists. ``json.dumps``
    takes the result as it is.

    Examples:
        >>> import json
        >>> frame = pd.DataFrame({"f1": [0.5, np.nan]}, index=pd.Index(["joy", "anger"], name="label"))
        >>> json.dumps(result_json({"n": np.int64(3), "per_label": frame, "labels": ("joy",), "p": pd.NA}))
        '{"n": 3, "per_label": {"joy": {"f1": 0.5}, "anger": {"f1": null}}, "labels": ["joy"], "p": null}'
    """
    out: Any
    if isinstance(result, pd.DataFrame):
        frame = result.astype(object).where(result.notna(), None)
        if isinstance(result.index, pd.RangeIndex) and result.index.name is None:
            out = [result_json(row) for row in frame.to_dict(orient="records")]
        else:
            out = {str(k): result_json(v) for k, v in frame.to_dict(orient="index").items()}
    elif isinstance(result, (pd.Series, dict)):
        out = {str(k): result_json(v) for k, v in result.items()}
    elif isinstance(result, (list, tuple, np.ndarray)):
        out = [result_json(v) for v in (result.tolist() if isinstance(result, np.ndarray) else result)]
    else:
        value = result.item() if isinstance(result, np.generic) else result
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            out = None
        else:
            out = value if isinstance(value, (bool, int, float, str)) else str(value)
    return out
