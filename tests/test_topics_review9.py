"""From a review of the topic features as a CX team would use them (2026-12-05, ninth session).

Each test failed on the code before its fix.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app
from journeymap.io import write_table
from journeymap.testing import HashingEncoder
from journeymap.topics import TopicModel
from journeymap.topics._inputs import TopicInputError

if TYPE_CHECKING:
    from pathlib import Path

_TEXTS = ["card not arrived", "my card never arrived", "when will my card arrive"] * 8 + [
    "refund my payment",
    "I want a refund",
    "refund still pending",
] * 8


def _model(**settings: object) -> TopicModel:
    return TopicModel(encoder=HashingEncoder(), cache=False, **settings)


@pytest.mark.parametrize(
    ("setting", "value"),
    [("min_topic_size", 0), ("min_topic_size", 2.5), ("refine", -1), ("refine", 1.5), ("n_quotes", -1), ("n_quotes", True)],
)
def test_settings_that_make_no_sense_are_refused_naming_them(setting: str, value: object) -> None:
    with pytest.raises(TopicInputError, match=rf"^{setting} must be a whole number"):
        _model(**{setting: value}).fit(_TEXTS)  # before: accepted (2.5 gave 18 topics)


def test_one_template_string_is_refused_with_the_list_it_should_be() -> None:
    with pytest.raises(TopicInputError, match=r"templates must be a list of templates.*templates=\['about \{\}'\]"):
        _model(labels=["card", "refund"], templates="about {}").fit(_TEXTS)  # before: its characters were listed


def test_a_classifier_the_user_seeded_keeps_its_seed() -> None:
    examples = (["card not arrived", "I want a refund"] * 3, ["card", "refund"] * 3)
    tm = _model(examples=examples, classifier=LogisticRegression(random_state=42)).fit(_TEXTS)
    assert tm.classifier_.random_state == 42  # before: overwritten by the model's seed (0)
    assert _model(examples=examples).fit(_TEXTS).classifier_.random_state == 0  # the default one takes the seed


def test_assign_topics_refuses_sample_and_seed_beside_a_fitted_model_and_hints_at_labels() -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(10, seed=0))
    fitted = jm.assign_topics(js, _model()) and _model().fit(_TEXTS)
    with pytest.raises(TopicInputError, match="sample, seed: these choose what a model is fitted on"):
        jm.assign_topics(js, fitted, sample=5, seed=3)  # before: accepted, and did nothing
    with pytest.raises(TopicInputError, match=r"got list: to name the topics, pass labels=\[...\]"):
        jm.assign_topics(js, ["late delivery", "refund"])  # type: ignore[arg-type]


def test_write_table_joins_lists_in_text_formats(tmp_path: Path) -> None:
    frame = pd.DataFrame({"topic": ["a", "b"], "keywords": [["x", "y z"], []], "n": [1, 2]})
    write_table(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", keep_default_na=False)
    # before: "['x', 'y z']" (a Python repr); then "x; y z"; JSON arrays since review 22, which split back
    assert back["keywords"].tolist() == ['["x", "y z"]', "[]"]
    assert [json.loads(v) for v in back["keywords"]] == [["x", "y z"], []]
    write_table(frame, tmp_path / "t.parquet")
    assert [list(v) for v in pd.read_parquet(tmp_path / "t.parquet")["keywords"]] == [["x", "y z"], []]


def test_topics_of_texts_with_a_sample_count_every_message_in_any_row_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("journeymap.cli._topic_model", lambda *a, **k: _model())
    rng = np.random.default_rng(0)
    texts = pd.DataFrame({"text": _TEXTS + ["where is my new card", "refund not received"] * 5})
    (tmp_path / "a.csv").write_text(texts.to_csv(index=False))
    (tmp_path / "b.csv").write_text(texts.iloc[rng.permutation(len(texts))].to_csv(index=False))
    tables = []
    for name in ("a", "b"):
        result = CliRunner().invoke(
            app,
            [
                "topics",
                str(tmp_path / f"{name}.csv"),
                "--format",
                "texts",
                "--sample",
                "20",
                "-o",
                str(tmp_path / f"{name}.topics.csv"),
            ],
        )
        assert result.exit_code == 0, result.output
        tables.append(pd.read_csv(tmp_path / f"{name}.topics.csv"))
    # before: sizes summed to the sample (20) while the messages file held all 58, and the row order changed the topics
    assert tables[0]["size"].sum() == len(texts) and tables[0]["share"].sum() == pytest.approx(1.0)
    pd.testing.assert_frame_equal(tables[0], tables[1])
    messages = pd.read_csv(tmp_path / "a.topics.messages.csv")
    sizes = dict(zip(tables[0]["topic"], tables[0]["size"]))
    assert messages["topic"].value_counts().to_dict() == {t: n for t, n in sizes.items() if n}
    keywords = json.loads(tables[0]["keywords"].iloc[0])  # a JSON array, as the other topic tables (not a Python repr)
    assert isinstance(keywords, list) and keywords and all(isinstance(k, str) for k in keywords)
