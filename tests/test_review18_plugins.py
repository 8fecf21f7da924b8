"""Review 18, plugins: ragged rows named, a plugin constructor that raises named, cached rows kept to their labels."""

from __future__ import annotations

import sqlite3
import sys
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import JourneyMapError, Taxonomy, get_scorer
from journeymap.emotions import registry
from journeymap.emotions.cache import ScoreCache, scorer_key
from journeymap.emotions.evaluate_labelled import evaluate_labelled
from journeymap.exceptions import ScorerOptionsError, TextsFailedError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

EVENTS = pd.DataFrame({"text": ["my phone is broken", "thanks a lot"], "actor": "customer"})


# -- 1. a scorer's rows that numpy cannot stack fail naming the scorer and the rows -------------------
class Ragged:
    id = "acme.ragged.v1"
    taxonomy = Taxonomy.sentiment()

    def score(self, texts: Sequence[str]) -> list[list[float]]:
        return [[0.1, 0.8, 0.0, 0.1] if "broken" in t else [0.1, 0.9] for t in texts]


class Words:
    id = "acme.words.v1"
    taxonomy = Taxonomy.sentiment()

    def score(self, texts: Sequence[str]) -> list[list[str]]:
        return [["low", "high", "none", "low"] for _ in texts]


def test_ragged_rows_name_the_scorer_and_the_short_row() -> None:
    with pytest.raises(TextsFailedError, match=r"acme\.ragged\.v1") as info:
        jm.score(EVENTS, Ragged(), cache=False)
    message = str(info.value)
    assert "unequal length" in message
    assert "expected 4 values each" in message
    assert "'thanks a lot' (2 values)" in message
    assert "my phone is broken" not in message  # its row is right
    assert info.value.texts == ("thanks a lot",)
    assert isinstance(info.value.__cause__, ValueError)  # numpy's own error, chained


def test_evaluate_labelled_names_ragged_rows(tmp_path: Path) -> None:
    table = tmp_path / "labelled.csv"
    pd.DataFrame({"text": ["my phone is broken", "thanks a lot"], "label": ["negative", "positive"]}).to_csv(table, index=False)
    with pytest.raises(TextsFailedError, match=r"scorer 'acme.ragged.v1' returned rows of unequal length"):
        evaluate_labelled(table, scorer=Ragged())


def test_rows_of_words_name_the_scorer() -> None:
    with pytest.raises(TextsFailedError, match=r"scorer 'acme.words.v1' returned values that are not numbers") as info:
        jm.score(EVENTS, Words(), cache=False)
    assert isinstance(info.value.__cause__, ValueError)
