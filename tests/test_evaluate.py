from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from journeymap import Taxonomy
from journeymap.emotions._goemotions import read_split
from journeymap.emotions.evaluate import evaluate, format_results, main

from .conftest import GOEMOTIONS

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

LABELS = Taxonomy.goemotions().labels


def tiny_goemotions(folder: Path) -> Path:
    folder.mkdir()
    (folder / "labels.txt").write_text("\n".join(LABELS) + "\n")
    rows = {
        "train": [("thanks a lot", "15"), ("so angry", "2")],
        "dev": [("thank you", "15"), ("i am angry", "2"), ("ok then", "27"), ("wow, thanks", "15,26")],
        "test": [("thanks!", "15"), ("angry!!", "2"), ("fine", "27")],
    }
    for split, items in rows.items():
        (folder / f"{split}.tsv").write_text("".join(f"{t}\t{ids}\tid{i}\n" for i, (t, ids) in enumerate(items)))
    return folder


class Oracle:
    """Knows the tiny data set's answers."""

    id = "test.oracle.v1"
    taxonomy = Taxonomy.goemotions()

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 28), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, 15 if "thank" in t else 2 if "angry" in t else 27] = 0.9
            if "wow" in t:
                out[i, 26] = 0.8
        return out


def test_reading_the_format(tmp_path: Path) -> None:
    split = read_split(tiny_goemotions(tmp_path / "g"), "dev")
    assert split.targets.shape == (4, 28) and split.targets[3, [15, 26]].tolist() == [1, 1]
    (tmp_path / "g" / "dev.tsv").write_text("bad line\n")
    with pytest.raises(ValueError, match=r"dev.tsv:1: expected text<TAB>label ids"):
        read_split(tmp_path / "g", "dev")


def test_evaluate_levels(tmp_path: Path) -> None:
    results = evaluate(tiny_goemotions(tmp_path / "g"), scorer=Oracle())
    go = results["goemotions"]
    # three labels present and all right; the other 25 have no support and score 0
    assert go["per_label"].loc["gratitude", "f1"] == 1.0
    assert go["macro_f1"] == pytest.approx(3 / 28)
    assert go["micro_f1"] == 1.0
    assert results["ekman"]["per_label"].loc["joy", "f1"] == 1.0
    assert results["sentiment"]["micro_f1"] == 1.0
    assert "macro-F1" in format_results(results)


@pytest.mark.skipif(not GOEMOTIONS.is_dir(), reason="../shared/data/goemotions is not beside the checkout")
def test_default_model_meets_its_targets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(GOEMOTIONS), "--split", "test"]) == 0
    out = capsys.readouterr().out
    macro = {line.split(":")[0]: float(line.split()[2]) for line in out.splitlines() if "macro-F1" in line}
    assert macro["goemotions"] >= 0.46
    assert macro["ekman"] >= 0.60
