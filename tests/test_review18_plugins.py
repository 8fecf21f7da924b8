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


# -- 2. a plugin whose constructor raises is named --------------------------------------------------
def _distribution(site: Path, module: str, group: str, body: str) -> None:
    """A module and a .dist-info registering its class ``S`` as ``ctor`` in ``group``, under ``site``."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(body)
    dist = site / f"{module}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{group}]\nctor = {module}:S\n")


@pytest.fixture
def raising_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A scorer plugin ``ctor`` whose constructor raises what ``acme_ctor_r18.RAISE`` holds."""
    body = (
        "from journeymap import Taxonomy\n"
        "RAISE = RuntimeError('weights file missing')\n"
        "class S:\n"
        "    id = 'acme.ctor.v1'\n"
        "    taxonomy = Taxonomy.sentiment()\n"
        "    def __init__(self, threshold=0.5):\n"
        "        raise RAISE\n"
        "    def score(self, texts): ...\n"
    )
    _distribution(tmp_path / "site", "acme_ctor_r18", "journeymap.scorers", body)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    registry.refresh()
    yield
    registry.refresh()
    sys.modules.pop("acme_ctor_r18", None)


def test_a_plugin_constructor_that_raises_is_named(raising_plugin: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(JourneyMapError) as info:
        get_scorer("ctor")
    assert str(info.value) == "scorer plugin 'ctor' (acme_ctor_r18:S) could not be built: RuntimeError: weights file missing"
    assert isinstance(info.value.__cause__, RuntimeError)
    with pytest.raises(ScorerOptionsError, match="bogus"):  # an option it does not take is still an options error
        get_scorer("ctor", bogus=1)
    import acme_ctor_r18  # type: ignore[import-not-found]

    monkeypatch.setattr(acme_ctor_r18, "RAISE", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):  # not swallowed
        get_scorer("ctor")


@pytest.mark.parametrize(
    ("raised", "caught", "kind"),
    [
        (ValueError("threshold must be in [0, 1]"), ValueError, "InvalidArgumentError"),
        (FileNotFoundError("weights.bin"), OSError, "ModelLoadError"),
        (RuntimeError("weights file missing"), TypeError, "PluginError"),
    ],
)
def test_a_constructor_error_keeps_the_builtin_class_a_host_caught(
    raising_plugin: None, monkeypatch: pytest.MonkeyPatch, raised: Exception, caught: type[Exception], kind: str
) -> None:
    """The diff review: a plugin's ValueError became a TypeError; ``except ValueError`` missed it."""
    import acme_ctor_r18  # type: ignore[import-not-found]

    monkeypatch.setattr(acme_ctor_r18, "RAISE", raised)
    with pytest.raises(caught) as info:
        get_scorer("ctor")
    assert type(info.value).__name__ == kind and isinstance(info.value, JourneyMapError)
    assert info.value.__cause__ is raised and "scorer plugin 'ctor'" in str(info.value)


def test_the_cli_gives_one_error_line_for_a_plugin_constructor_that_raises(raising_plugin: None, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from journeymap.cli import app

    table = tmp_path / "labelled.csv"
    pd.DataFrame({"text": ["my phone is broken", "thanks a lot"], "label": ["negative", "positive"]}).to_csv(table, index=False)
    result = CliRunner().invoke(app, ["evaluate", str(table), "--scorer", "ctor"])
    assert result.exit_code == 1, result.output
    assert "scorer plugin 'ctor' (acme_ctor_r18:S) could not be built: RuntimeError: weights file missing" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_an_encoder_plugin_constructor_that_raises_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap.topics import encoders

    body = "class S:\n    id = 'acme.enc.v1'\n    dim = 3\n    def __init__(self):\n        raise OSError('no vectors')\n"
    _distribution(tmp_path / "site", "acme_enc_r18", "journeymap.encoders", body)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    encoders.refresh_encoders()
    try:
        with pytest.raises(JourneyMapError, match=r"encoder plugin 'ctor' \(acme_enc_r18:S\) could not be built: OSError"):
            encoders.get_encoder("ctor")
    finally:
        encoders.refresh_encoders()
        sys.modules.pop("acme_enc_r18", None)


# -- 3. cached rows are read back only under the labels they were stored with ------------------------
class SentimentOutputs:
    """Sentiment labels and three outputs: seven columns."""

    id = "same.v1"
    taxonomy = Taxonomy.sentiment()
    outputs = ("sentiment_negative", "sentiment_neutral", "sentiment_positive")

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return self.score_outputs(texts)[:, :4]

    def score_outputs(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.array([0.7, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1], np.float32), (len(texts), 1))


class EkmanJoy:
    """Ekman's seven labels, all joy: seven columns under the same id."""

    id = "same.v1"
    taxonomy = Taxonomy.ekman()

    def score(self, texts: Sequence[str]) -> np.ndarray:
        row = np.zeros(len(self.taxonomy.labels), np.float32)
        row[self.taxonomy.labels.index("joy")] = 1.0
        return np.tile(row, (len(texts), 1))


def test_a_scorer_id_reused_with_other_labels_is_scored_anew(tmp_path: Path) -> None:
    cache = tmp_path / "scores.sqlite"
    assert jm.score(EVENTS, SentimentOutputs(), cache=cache)["emotion"].tolist() == ["negative", "negative"]
    assert jm.score(EVENTS, EkmanJoy(), cache=cache)["emotion"].tolist() == ["joy", "joy"]  # not the other's rows
    assert jm.score(EVENTS, SentimentOutputs(), cache=cache)["emotion"].tolist() == ["negative", "negative"]


def test_rows_cached_before_labels_were_recorded_are_still_read(tmp_path: Path) -> None:
    path = tmp_path / "scores.sqlite"
    ScoreCache(path).put("old.v1", ["hi"], np.array([[0.25, 0.75]], np.float32))  # no labels: as an older version wrote
    with sqlite3.connect(path) as con:
        con.execute("DROP TABLE labels")  # a cache made before the table was
    cache = ScoreCache(path)
    rows, found = cache.get("old.v1", ["hi"], n_labels=2, labels=("negative", "positive"))
    assert found.all()
    assert rows.tolist() == [[0.25, 0.75]]
    cache.put("old.v1", ["bye"], np.array([[0.5, 0.5]], np.float32), labels=("negative", "positive"))
    assert cache.get("old.v1", ["hi", "bye"], n_labels=2, labels=("negative", "positive"))[1].all()  # kept, names recorded
    assert not cache.get("old.v1", ["hi"], n_labels=2, labels=("sad", "happy"))[1].any()
    cache.clear("old.v1")
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT count(*) FROM labels WHERE scorer = ?", (scorer_key("old.v1"),)).fetchone() == (0,)
