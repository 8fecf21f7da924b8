"""Labelled texts in any table: the researcher's data for training and evaluating scorers.

:func:`read_labelled` reads a CSV (TSV, Parquet, JSON Lines, Excel) with a text column and a
label column into texts and label names, with an optional ``label_map`` from the data's names to
the names a scorer uses (``{"angry": "anger", "0": "negative"}``). Several labels in one cell are
separated by ``sep`` (``"anger,disgust"``), or written as a JSON array (``["anger", "disgust"]``, ``[2, 17]``).
Rows without a text or a label are not used, and they are reported, never silently dropped:
:class:`Labelled` keeps them in ``skipped`` with the row number and the reason.

:func:`as_split` turns labelled texts into the multi-hot :class:`~journeymap.emotions._goemotions.Split`
the trainer and the evaluation use, and :func:`dev_split` holds out a seeded, label-stratified
share for choosing settings when the data has no dev split of its own.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeymap.emotions._goemotions import Split
from journeymap.exceptions import InvalidArgumentError, SchemaError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["Labelled", "as_split", "dev_split", "parse_label_map", "read_labelled"]


@dataclass(frozen=True)
class Labelled:
    """Texts with their label names (one or more per text), and the rows that were not usable.

    Attributes:
        texts: the texts, in the order of their rows.
        labels: each text's label names.
        skipped: the rows not used (``row``, ``reason``).
        rows: each text's row in the source (from 0), or None where not known.

    Examples:
        >>> data = Labelled(["so angry", "thanks!", "ugh, thanks"], [("anger",), ("gratitude",), ("anger", "gratitude")])
        >>> data.names, len(data.skipped)
        (['anger', 'gratitude'], 0)
    """

    texts: list[str]
    labels: list[tuple[str, ...]]
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["row", "reason"]))
    rows: list[int] | None = None

    @property
    def names(self) -> list[str]:
        """Every label that occurs, sorted."""
        return sorted({name for row in self.labels for name in row})


def parse_label_map(items: Sequence[str] | str | None) -> dict[str, str]:
    """``["0=negative", "1=neutral"]`` or ``"0=negative,1=neutral"`` as a mapping.

    Examples:
        >>> parse_label_map("0=negative, 2=positive")
        {'0': 'negative', '2': 'positive'}
    """
    if not items:
        return {}
    parts = items.split(",") if isinstance(items, str) else [p for item in items for p in item.split(",")]
    out: dict[str, str] = {}
    for part in parts:
        source, sep, target = part.strip().partition("=")
        if not sep or not source.strip() or not target.strip():
            msg = f"a label mapping takes DATA=SCORER pairs (like 0=negative), got {part.strip()!r}"
            raise InvalidArgumentError(msg)
        out[source.strip()] = target.strip()
    return out


def read_labelled(
    source: str | Path | pd.DataFrame,
    *,
    text: str = "text",
    label: str = "label",
    label_map: Mapping[Any, str] | None = None,
    sep: str | None = ",",
) -> Labelled:
    """Texts and labels from a table with a ``text`` and a ``label`` column.

    Args:
        source: a file (CSV, TSV, Parquet, JSON Lines, Excel) or a DataFrame.
        text: the column of texts.
        label: the column of labels (names or numbers; several per cell separated by ``sep``, or a
            list, tuple or array of them, as Hugging Face ``datasets``, JSON Lines and Parquet
            store multi-label cells: ``["anger", "disgust"]``, ``[2, 17]``; an empty one is a row
            without a label). A text cell that is as a whole a JSON array of strings or whole
            numbers (``["fear", "anger"]``, ``[2, 17]``, as :func:`~journeymap.io.write_table`
            writes a list cell to CSV, TSV and Excel and pandas' ``to_csv`` a list of numbers) is
            read as that list (``("2", "17")``; ``2.0`` as ``"2"``), not split at ``sep``.
            Whole numbers written as floats (``"2.0"``, as pandas writes a number column with a
            gap) are read as the numbers (``"2"``) when every label is one, unless ``label_map``
            names them as written.
        label_map: data label -> label name to use (labels not in it are kept as they are). Its
            keys are read as the labels are, as text: ``{0: "negative"}`` maps a column of the
            numbers 0, 1, 2 as ``{"0": "negative"}`` does (two keys that read alike, such as
            ``0`` and ``"0"``, must map to the same name). A key matches a label in any case
            (``{"neg": ...}`` maps ``NEG``) where no label is written as the key is; a key that
            matches no label is an error that names it (a typo would otherwise leave its label
            unmapped).
        sep: separator of several labels in one cell; None for one label per cell.

    Raises:
        SchemaError: a column is missing, or no row has both a text and a label.
        InvalidArgumentError: two keys of ``label_map`` read as the same label, mapped to different
            names, or a key matches no label of the data.

    Examples:
        >>> frame = pd.DataFrame({"text": ["so angry", "thanks!", None], "label": ["0", "2", "1"]})
        >>> data = read_labelled(frame, label_map={"0": "negative", "2": "positive"})
        >>> data.texts, data.labels, data.skipped["reason"].tolist(), data.rows
        (['so angry', 'thanks!'], [('negative',), ('positive',)], ['no text'], [0, 1])
        >>> lists = pd.DataFrame({"text": ["grr", "yay"], "labels": [["anger", "disgust"], ["JOY"]]})
        >>> read_labelled(lists, label="labels", label_map={"joy": "joy"}).labels
        [('anger', 'disgust'), ('joy',)]
    """
    from journeymap.io.sources import read_table

    name = "the frame" if isinstance(source, pd.DataFrame) else str(source)
    frame = read_table(source)
    missing = [c for c in (text, label) if c not in frame.columns]
    if missing:
        msg = f"{name} has no column(s) {missing}; found {[str(c) for c in frame.columns]} (choose them with text= and label=)"
        raise SchemaError(msg)
    mapping = label_mapping(label_map)
    texts = frame[text]
    raw = frame[label]
    kept_texts: list[str] = []
    kept_labels: list[tuple[str, ...]] = []
    kept_rows: list[int] = []
    skipped: list[tuple[int, str]] = []
    for row, (value, tag) in enumerate(zip(texts.tolist(), raw.tolist())):
        if not isinstance(value, str) or not value.strip():
            skipped.append(
                (row, "no text" if value is None or pd.isna(value) or not str(value).strip() else "text is not a string")
            )
            continue
        parts = _cell_labels(tag, sep)
        if not parts:
            skipped.append((row, "no label"))
            continue
        kept_texts.append(value)
        kept_labels.append(parts)
        kept_rows.append(row)
    raw_labels = {p for parts in kept_labels for p in parts}
    if raw_labels and all(WHOLE_FLOAT.match(p) for p in raw_labels) and not raw_labels & mapping.keys():
        # numbers written through a float column ("0.0", "2.0": pandas' to_csv once a cell was
        # empty) are the numbers 0 and 2, as their float values are (_label_text); a label_map
        # that names them as written ("0.0") is read as written
        kept_labels = [tuple(WHOLE_FLOAT.sub(r"\1", p) for p in parts) for parts in kept_labels]
    mapping = _matched_mapping(mapping, {p for parts in kept_labels for p in parts}, label)
    kept_labels = [tuple(dict.fromkeys(mapping.get(p, p) for p in parts)) for parts in kept_labels]
    report = pd.DataFrame(skipped, columns=["row", "reason"])
    if not kept_texts:
        msg = f"{name}: no row has both a text ({text!r}) and a label ({label!r}); {len(report)} rows skipped"
        raise SchemaError(msg)
    if len(report):
        logger.warning(
            "%s: %d of %d rows skipped (see Labelled.skipped): %s",
            name,
            len(report),
            len(frame),
            report["reason"].value_counts().to_dict(),
        )
    return Labelled(kept_texts, kept_labels, report, kept_rows)


def _cell_labels(tag: Any, sep: str | None) -> tuple[str, ...]:
    """The labels of one cell: a list, tuple or array holds them; a text holds them split at ``sep``; () for none.

    Examples:
        >>> _cell_labels(["anger", " joy", None], ","), _cell_labels(np.array([2, 17]), ","), _cell_labels("a;b", ";")
        (('anger', 'joy'), ('2', '17'), ('a', 'b'))
        >>> _cell_labels([], ","), _cell_labels(float("nan"), ",")
        ((), ())
    """
    if isinstance(tag, (list, tuple, np.ndarray, pd.Series, set, frozenset)):
        items = sorted(tag, key=str) if isinstance(tag, (set, frozenset)) else list(np.asarray(tag, dtype=object).ravel())
        texts = [_label_text(x) for x in items if x is not None and not (isinstance(x, float) and np.isnan(x))]
        return tuple(t for t in texts if t)
    if tag is None or (not isinstance(tag, str) and pd.isna(tag)) or not str(tag).strip():
        return ()
    listed = _json_labels(tag)
    if listed is not None:  # a JSON array, as write_table writes a list cell to CSV, TSV and Excel
        return _cell_labels(listed, sep)
    cell = _label_text(tag)
    return tuple(p.strip() for p in (cell.split(sep) if sep else [cell]) if p.strip())


def _json_labels(tag: object) -> list[str] | None:
    """A text cell that is, as a whole, a JSON array of strings and whole numbers, as their texts; else None.

    ``'["fear", "anger"]'`` and ``"[2, 17]"`` are lists; a whole float (``2.0``) is read as the
    number (``"2"``, as :data:`WHOLE_FLOAT`). An array holding anything else (``true``, ``2.5``,
    ``null``, an array or an object) is no label list: the cell is read as text.

    Examples:
        >>> _json_labels('["fear", "anger"]'), _json_labels("[]"), _json_labels('[2, 17.0, "x"]'), _json_labels("[sic]")
        (['fear', 'anger'], [], ['2', '17', 'x'], None)
        >>> _json_labels("[true]"), _json_labels("[2.5]"), _json_labels("[[1]]"), _json_labels("[null]")
        (None, None, None, None)
    """
    if not isinstance(tag, str):
        return None
    cell = tag.strip()
    if not (cell.startswith("[") and cell.endswith("]")):
        return None
    try:
        items = json.loads(cell)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    texts: list[str] = []
    for item in items:
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            texts.append(str(item))
        elif isinstance(item, float) and item.is_integer():
            texts.append(str(int(item)))
        else:
            return None
    return texts


def _matched_mapping(mapping: dict[str, str], labels: set[str], column: str) -> dict[str, str]:
    """``mapping`` keyed by the data's ``labels``: a key matches its label as written, else in any case.

    Raises:
        InvalidArgumentError: a key matches no label (named, with the data's labels).
    """
    out = {key: target for key, target in mapping.items() if key in labels}  # as written first
    unused: list[str] = []
    folded: dict[str, list[str]] = {}
    for name in labels:
        folded.setdefault(name.casefold(), []).append(name)
    for key, target in mapping.items():
        if key in labels:
            continue
        if key.casefold() in folded:
            for name in folded[key.casefold()]:
                out.setdefault(name, target)
        else:
            unused.append(key)
    if unused:
        shown = sorted(labels)[:20]
        msg = (
            f"label_map key(s) {unused} match no label of column {column!r} (compared in any case); its labels are "
            f"{shown}{'...' if len(labels) > 20 else ''}. Correct or drop them"
        )
        raise InvalidArgumentError(msg)
    return out


#: A whole number written as a float (``"2.0"``): read as the integer's text (``"2"``), as pandas writes int labels with NaN.
WHOLE_FLOAT = re.compile(r"^([+-]?\d+)\.0+$")


def label_mapping(label_map: Mapping[object, object] | None) -> dict[str, str]:
    """``label_map`` with its keys read as the label cells are (:func:`_label_text`: ``0`` and ``0.0`` as ``"0"``).

    Raises:
        InvalidArgumentError: two keys read as the same label (``0`` and ``"0"``), mapped to different names.

    Examples:
        >>> label_mapping({0: "negative", 2.0: "positive", " x ": "neutral"})
        {'0': 'negative', '2': 'positive', 'x': 'neutral'}
    """
    out: dict[str, str] = {}
    keys: dict[str, object] = {}
    for key, name in (label_map or {}).items():
        text, target = _label_text(key), str(name)
        if text in out and out[text] != target:
            msg = (
                f"label_map maps {keys[text]!r} to {out[text]!r} and {key!r} to {target!r}, but both read as the "
                f"label {text!r} (labels are compared as text); keep one of them"
            )
            raise InvalidArgumentError(msg)
        out[text], keys[text] = target, key
    return out


def _label_text(tag: object) -> str:
    """A label cell as text: whole floats (what a CSV reader makes of 0, 1, 2) without ``.0``."""
    if isinstance(tag, np.generic):
        tag = tag.item()
    if isinstance(tag, float) and tag.is_integer():
        return str(int(tag))
    return str(tag).strip()


def as_split(data: Labelled, labels: Sequence[str] | None = None) -> Split:
    """The multi-hot Split over ``labels`` (default: the data's labels, sorted).

    Raises:
        SchemaError: the data has labels that are not in ``labels`` (named, with a hint to map them).
    """
    names = list(labels) if labels is not None else data.names
    position = {name: i for i, name in enumerate(names)}
    unknown = sorted({n for row in data.labels for n in row if n not in position})
    if unknown:
        more = "..." if len(names) > 10 else ""
        msg = f"labels {unknown[:10]} are not among {names[:10]}{more}: map them with a label mapping (DATA=NAME)"
        raise SchemaError(msg)
    targets = np.zeros((len(data.texts), len(names)), dtype=np.float32)
    for i, row in enumerate(data.labels):
        targets[i, [position[n] for n in row]] = 1.0
    return Split(texts=list(data.texts), targets=targets, labels=names)


def dev_split(split: Split, fraction: float = 0.1, *, seed: int = 0) -> tuple[Split, Split]:
    """``(train, dev)``: a seeded share ``fraction`` of each first label's texts held out.

    Examples:
        >>> s = as_split(Labelled(["a", "b", "c", "d"] * 5, [("x",), ("y",)] * 10))
        >>> train, dev = dev_split(s, 0.2)
        >>> len(train.texts), len(dev.texts), sorted(set(dev.targets.argmax(axis=1).tolist()))
        (16, 4, [0, 1])
    """
    if not 0 < fraction < 1:
        msg = f"fraction must be between 0 and 1, got {fraction}"
        raise InvalidArgumentError(msg)
    rng = np.random.default_rng(seed)
    first = split.targets.argmax(axis=1)
    held: list[int] = []
    for value in np.unique(first):
        members = np.flatnonzero(first == value)
        take = round(len(members) * fraction)
        held.extend(rng.permutation(members)[:take].tolist())
    mask = np.zeros(len(split.texts), dtype=bool)
    mask[held] = True

    def part(rows: np.ndarray) -> Split:
        return Split([split.texts[i] for i in rows], split.targets[rows], split.labels)

    return part(np.flatnonzero(~mask)), part(np.flatnonzero(mask))
