"""A review of journeymap embedded in a service: the built-in exception a host's ``except`` catches, and where warnings point."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing import HashingEncoder
from journeymap.testing.data import planted_scores
from journeymap.topics import TopicInputError, TopicModel

if TYPE_CHECKING:
    from collections.abc import Callable

PACKAGE = Path(jm.__file__).parent


@pytest.fixture(scope="module")
def js() -> jm.JourneySet:
    return jm.build_journeys(jm.datasets.service_journeys(5, seed=0))


@pytest.fixture(scope="module")
def scored(js: jm.JourneySet) -> jm.JourneySet:
    return planted_scores(js)


@pytest.fixture(scope="module")
def customers_only() -> jm.JourneySet:
    df = pd.DataFrame(
        {"customer_id": ["a", "b", "c"], "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"], "text": ["bad", "ok", "meh"]}
    )
    return jm.build_journeys(jm.read_events(df), by="customer")


# -- 1. a failed write is an OSError; input that is not what it should be a ValueError --------------
@pytest.mark.parametrize("write", ["to_parquet", "to_xes"])
def test_a_write_into_a_missing_folder_is_an_oserror(js: jm.JourneySet, tmp_path: Path, write: str) -> None:
    target = tmp_path / "no" / "such" / "folder" / "out"
    with pytest.raises(OSError, match="cannot write") as caught:  # before: a JourneyMapError only
        js.to_parquet(target) if write == "to_parquet" else jm.to_xes(js, target)
    assert isinstance(caught.value, jm.WriteError)
    assert isinstance(caught.value, jm.JourneyMapError)
    assert isinstance(caught.value.__cause__, FileNotFoundError)  # the system's error is kept
    assert str(target) in str(caught.value)


def test_a_file_that_is_not_xes_is_a_schema_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.xes"
    text.write_text("import os\n")
    with pytest.raises(ValueError, match="is not a readable XES log") as caught:  # before: a JourneyMapError only
        jm.read_xes(text)
    assert isinstance(caught.value, jm.SchemaError)
    packed = tmp_path / "log.xes.gz"
    packed.write_text("<log/>")  # not gzip
    with pytest.raises(jm.SchemaError, match="is not a readable XES log"):
        jm.read_xes(packed)


def test_to_xes_by_topic_without_topics_is_a_schema_error(js: jm.JourneySet, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no 'topic' column \(run jm.assign_topics first\)") as caught:
        jm.to_xes(js, tmp_path / "log.xes", activity="topic")
    assert isinstance(caught.value, jm.SchemaError)


def test_a_journeys_file_of_a_newer_layout_is_a_schema_error(js: jm.JourneySet, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from journeymap.journeys.storage import METADATA_KEY

    path = js.to_parquet(tmp_path / "j.parquet")
    table = pq.read_table(path)
    meta = dict(table.schema.metadata)
    saved = json.loads(meta[METADATA_KEY])
    newer = table.replace_schema_metadata({**meta, METADATA_KEY: json.dumps({**saved, "format_version": 99}).encode()})
    pq.write_table(newer, path)
    with pytest.raises(ValueError, match="upgrade journeymap") as caught:
        jm.read_journeys(path)
    assert isinstance(caught.value, jm.SchemaError)


def test_a_broken_scorer_plugin_is_a_plugin_error() -> None:
    class NoId:
        id = ""
        taxonomy = jm.Taxonomy.goemotions()

        def score(self, texts: list[str]) -> Any:
            return texts

    with pytest.raises(TypeError, match="breaks the EmotionScorer contract") as caught:
        jm.get_scorer(NoId())
    assert isinstance(caught.value, jm.PluginError)

    from journeymap.topics.encoders import get_encoder

    class NoDim:
        id, dim = "no-dim.v1", 0

        def encode(self, texts: list[str]) -> Any:
            return texts

    with pytest.raises(jm.PluginError, match="breaks the SentenceEncoder contract"):
        get_encoder(NoDim())


def test_an_interactive_map_of_a_missing_column_is_a_schema_error(scored: jm.JourneySet) -> None:
    pytest.importorskip("plotly")
    from journeymap.plot.interactive import interactive_map

    with pytest.raises(jm.SchemaError, match="filter_by='nope'"):
        interactive_map(scored, filter_by="nope")
    with pytest.raises(jm.SchemaError, match="level='topic'"):
        interactive_map(scored, level="topic")


def test_clearing_a_cache_that_cannot_be_written_is_a_write_error(tmp_path: Path) -> None:
    from journeymap.emotions.cache import ScoreCache

    (tmp_path / "afile").write_text("x")
    cache = ScoreCache(tmp_path / "afile" / "scores.sqlite")  # its folder cannot be made: no cache
    with pytest.raises(OSError, match="read-only") as caught:
        cache.clear()
    assert isinstance(caught.value, jm.WriteError)


def test_the_library_raises_no_bare_journeymap_error() -> None:
    """Every error raised on purpose is of a subclass that is also a built-in error, for a host's ``except``."""
    left: set[str] = set()
    bare = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).as_posix() not in left
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"raise JourneyMapError\(", line)
    ]
    assert bare == []


# -- 2. read_events(columns=[...]) ------------------------------------------------------------------
@pytest.mark.parametrize("columns", [["cid"], "cid", 5])
def test_read_events_columns_not_a_mapping_is_an_argument_type_error(columns: object) -> None:
    import journeymap.distributed as jmd

    df = pd.DataFrame({"cid": ["a"], "timestamp": ["2024-01-01"], "text": ["hi"]})
    for read in (jm.read_events, jmd.read_events):
        with pytest.raises(jm.ArgumentTypeError, match=r"columns must be a mapping .*got (list|str|int)"):
            read(df, columns=columns)  # before: AttributeError 'list' object has no attribute 'items'


# -- 3. None or a number where a path or ids go ---------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "argument", "got"),
    [
        (lambda js: js.to_parquet(None), "path", "NoneType"),
        (lambda js: jm.journeys.storage.write_journeys(js, 5), "path", "int"),
        (lambda js: jm.read_journeys(None), "path", "NoneType"),
        (lambda js: jm.read_journeys(5), "path", "int"),
        (lambda js: jm.read_xes(None), "path", "NoneType"),
        (lambda js: jm.get_scorer("default", weights=5), "weights", "int"),
        (lambda js: js.select(None), "journey_ids", "NoneType"),
        (lambda js: js.select(5), "journey_ids", "int"),
        (lambda js: js.with_events(None), "with_events", "NoneType"),
        (lambda js: js.with_events(js.events, taxonomy="goemotions"), "taxonomy", "str"),
    ],
)
def test_none_or_a_number_for_a_path_or_ids_is_named(
    js: jm.JourneySet, call: Callable[[jm.JourneySet], object], argument: str, got: str
) -> None:
    with pytest.raises(jm.ArgumentTypeError) as caught:  # before: TypeError from pathlib or a len()
        call(js)
    assert argument in str(caught.value)
    assert got in str(caught.value)


# -- 4. warnings name the user's line, whatever the path to them --------------------------------------
def _warned_here(call: Callable[[], object]) -> list[str]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        call()
    assert seen, "no warning"
    return [f"{w.filename}:{w.lineno}" for w in seen if w.filename != __file__]


def test_warnings_point_at_the_caller_whatever_the_path(scored: jm.JourneySet, customers_only: jm.JourneySet) -> None:
    assert _warned_here(lambda: jm.response_times(scored, now="2000-01-01")) == []  # before: journeymap/backends.py
    assert _warned_here(lambda: jm.triage(scored, now="2000-01-01")) == []
    for analysis in (jm.response_times, jm.reply_waits, jm.service_levels, jm.trends):  # the customers-only warning
        assert _warned_here(lambda a=analysis: a(customers_only)) == []
    assert _warned_here(lambda: jm.build_journeys(scored.events.assign(journey_id="x"))) == []


def test_a_clamped_duration_points_at_the_caller() -> None:
    times = ["1700-01-01", "2200-01-01"]  # more than 292 years apart
    span = pd.DataFrame({"customer_id": ["a", "a"], "actor": ["customer", "agent"], "timestamp": times, "text": ["hi", "yo"]})
    long = jm.build_journeys(jm.read_events(span), by="customer", gap="100000D")
    for analysis in (jm.response_times, jm.reply_waits, jm.service_levels):
        assert _warned_here(lambda a=analysis: a(long)) == []  # before: analytics/service.py, analytics/_durations.py


# -- 5. a min_score no topic score reaches ----------------------------------------------------------
@pytest.mark.parametrize("min_score", [2, 1.0001, float("inf"), -1, -5])
def test_assign_topics_refuses_a_min_score_out_of_reach(js: jm.JourneySet, min_score: float) -> None:
    with pytest.raises(TopicInputError, match=r"min_score=.* is outside the range of topic scores") as caught:
        jm.assign_topics(js, labels=["billing", "delivery"], min_score=min_score, encoder=HashingEncoder(), cache=False)
    assert caught.value.argument == "min_score"


def test_min_score_out_of_reach_is_refused_but_a_margin_classifier_takes_any(js: jm.JourneySet) -> None:
    from sklearn.svm import LinearSVC

    with pytest.raises(TopicInputError, match="min_score=2 is outside"):
        TopicModel(labels=["card", "refund"], min_score=2, encoder=HashingEncoder(), cache=False).fit(["my card", "a refund"])
    texts = ["card blocked", "refund please", "card lost", "refund late", "my card", "a refund"] * 2
    labels = ["card", "refund", "card", "refund", "card", "refund"] * 2
    model = TopicModel(
        examples=(texts, labels), classifier=LinearSVC(dual="auto"), min_score=2, encoder=HashingEncoder(), cache=False
    )
    assert len(model.fit(texts).labels_) == len(texts)  # margins are no probabilities: any floor goes
    topics = jm.assign_topics(js, labels=["billing", "delivery"], min_score=1, encoder=HashingEncoder(), cache=False)
    assert len(topics) == len(js)


def test_the_command_line_names_min_score_as_its_option(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from journeymap.cli import app

    source = tmp_path / "events.csv"
    jm.datasets.service_journeys(3, seed=0).events.to_csv(source, index=False)
    args = ["topics", str(source), "-o", str(tmp_path / "t.csv"), "--labels", "a,b", "--min-score", "2", "--no-cache"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output  # a wrong command line (rv49), checked before the file is read
    assert "Error: --min-score 2" in result.output
