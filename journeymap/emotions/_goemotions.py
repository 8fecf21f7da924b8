"""Reading a GoEmotions-format folder (``train.tsv``, ``dev.tsv``, ``test.tsv``, ``labels.txt``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from journeymap.exceptions import InvalidArgumentError, SourceNotFoundError

SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class Split:
    """One split: texts and their multi-hot label matrix over ``labels``."""

    texts: list[str]
    targets: npt.NDArray[np.float32]
    labels: list[str]


def read_labels(folder: Path) -> list[str]:
    """Label names, one per line of ``labels.txt``, in id order."""
    path = Path(folder) / "labels.txt"
    if not path.is_file():
        msg = f"{path} not found: a GoEmotions-format folder needs labels.txt"
        raise SourceNotFoundError(msg)
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_split(folder: Path | str, split: str) -> Split:
    """Read ``<split>.tsv`` (``text<TAB>ids<TAB>comment id``, no header)."""
    folder = Path(folder)
    if split not in SPLITS:
        msg = f"split must be one of {SPLITS}, got {split!r}"
        raise InvalidArgumentError(msg)
    labels = read_labels(folder)
    path = folder / f"{split}.tsv"
    texts: list[str] = []
    rows: list[list[int]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for lineno, record in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if len(record) < 2:
                msg = f"{path}:{lineno}: expected text<TAB>label ids, got {len(record)} field(s)"
                raise InvalidArgumentError(msg)
            ids = [int(x) for x in record[1].split(",") if x.strip()]
            bad = [i for i in ids if not 0 <= i < len(labels)]
            if bad:
                msg = f"{path}:{lineno}: label id(s) {bad} outside 0..{len(labels) - 1}"
                raise InvalidArgumentError(msg)
            texts.append(record[0])
            rows.append(ids)
    targets = np.zeros((len(texts), len(labels)), dtype=np.float32)
    for i, ids in enumerate(rows):
        targets[i, ids] = 1.0
    return Split(texts=texts, targets=targets, labels=labels)
