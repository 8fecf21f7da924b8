"""The declared minimum versions (pyproject.toml) and the newest ones run the same code.

Each test here failed at the floors (numpy 1.26, pandas 2.2, typer, transformers 4.44, networkx 3.2,
scikit-learn 1.4, matplotlib 3.8, py3langid 0.2) or on the newest versions before its fix; the
docstring of each says where. pytest runs with filterwarnings=error, so a warning is a failure.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(12, seed=0)))


# -- the CLI builds with the typer the floor allows ------------------------------------------------------
def test_every_cli_command_builds_its_options() -> None:
    """typer 0.12 to 0.15 with click 8.2 on could not build a bool option ('Secondary flag is not valid')."""
    import typer
    from typer.testing import CliRunner

    from journeymap.cli import app

    runner = CliRunner()
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0, top.output
    names = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert "demo" in names
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output, result.exception)


# -- transformers 4.44: no notice on loading a tokenizer -------------------------------------------------
def test_loading_a_tokenizer_whose_config_has_no_decoding_setting_warns_nothing(tmp_path: Path) -> None:
    """transformers 4.44 warned (FutureWarning) on every load of the bundled tokenizer, whose config has no
    ``clean_up_tokenization_spaces``: the default scorer and encoder, and a user's model saved with it."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from journeymap.emotions import _minilm

    assert _minilm.load_tokenizer()("lost bag")["input_ids"] == [101, 2439, 4524, 102]
    base = _minilm.base_model_path()
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copy(base / name, tmp_path / name)  # as the bundled encoder has them: no decoding setting
    torch.manual_seed(0)
    labels = ["negative", "neutral", "positive"]
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                        id2label=dict(enumerate(labels)))  # fmt: skip
    BertForSequenceClassification(config).save_pretrained(tmp_path)
    scorer = jm.TransformerScorer(tmp_path)
    assert scorer.score(["thanks, that fixed it!"]).shape == (1, 3)


# -- networkx 3.2: node-link data -----------------------------------------------------------------------
def test_node_link_export_names_its_edges_links_on_any_networkx(scored: jm.JourneySet) -> None:
    """networkx before 3.4 names the keyword link=; 3.4 and 3.5 warn without edges=; 3.6 writes "edges" by default.

    to_node_link writes "links" on all of them (the key fixed in the twenty-second session's review).
    """
    data = jm.to_node_link(jm.journey_graph(scored))
    assert "links" in data and len(data["links"]) > 0
    assert "edges" not in data


# -- scikit-learn 1.4: the topic model's tags ----------------------------------------------------------
def test_a_topic_model_needs_no_y_on_any_scikit_learn() -> None:
    """scikit-learn before 1.6 reads tags from ``_more_tags``: ClassifierMixin's said y was required."""
    from journeymap.testing import HashingEncoder
    from journeymap.topics import TopicModel

    tm = TopicModel(encoder=HashingEncoder(), cache=False)
    try:
        from sklearn.utils import get_tags  # scikit-learn 1.6 on
    except ImportError:
        tags = tm._get_tags()
        assert (tags["requires_y"], tags["X_types"]) == (False, ["string"])
    else:
        new = get_tags(tm)
        assert (new.target_tags.required, new.input_tags.string) == (False, True)


# -- matplotlib 3.8: the map's figure -----------------------------------------------------------------
def test_the_journey_map_draws_its_own_figure_on_matplotlib_before_3_10(scored: jm.JourneySet) -> None:
    """``Artist.get_figure(root=True)`` is matplotlib 3.10 on: the map of its own figure raised TypeError."""
    import matplotlib.pyplot as plt

    ax = jm.plot.journey_map(scored)
    try:
        assert ax.get_figure() is not None
        assert ax.get_figure().get_size_inches()[1] == 5
    finally:
        plt.close("all")


# -- pandas 2.2: the timestamp checks -----------------------------------------------------------------
def test_each_bad_time_gets_one_reason() -> None:
    """pandas 2.2 made a bool Series set through a mask with a Series object (a FutureWarning): ``~`` of its
    ``True`` is -2, so a time out of range was also called unparseable."""
    frame = pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "timestamp": pd.Series(["2024-03-01 10:00", "3000-01-01", "soon", "2026-13-45", True, ""], dtype=object),
        }
    )
    log = jm.read_events(frame, on_error="collect")
    rejects = log.rejects
    assert len(log.events) == 1
    assert rejects["row"].tolist() == [1, 2, 3, 4, 5]  # one reason a row
    reasons = rejects["reason"].tolist()
    assert reasons[0].startswith("timestamp out of range") and reasons[1].startswith("unparseable timestamp")
    assert reasons[4] == "missing timestamp"


def test_a_far_time_in_a_zone_is_a_reject_not_a_crash(tmp_path: Path) -> None:
    """pandas 2.2 crashed the process (a segmentation fault) reading, value by value, a time beyond the year
    9999 in a zone other than UTC (a Parquet column of seconds in Asia/Tokyo)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "far.parquet"
    times = pa.array([0, 10**15, -(10**15)], pa.timestamp("s", tz="Asia/Tokyo"))
    pq.write_table(pa.table({"customer_id": ["a", "b", "c"], "timestamp": times}), path)
    log = jm.read_events(path, on_error="collect")
    assert len(log.events) == 1
    assert log.rejects["row"].tolist() == [1, 2]
    assert log.rejects["reason"].str.startswith("timestamp out of range").all()
    assert log.rejects["value"].str.endswith("+00:00").all()  # shown in UTC


def test_times_in_a_zone_inside_the_range_keep_their_zone_in_a_reject() -> None:
    far = pd.Series(np.array([0, 10**15], dtype="datetime64[s]")).dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo")
    near = pd.Series(pd.to_datetime(["2024-03-01 10:00", None])).dt.tz_localize("Asia/Tokyo")
    log = jm.read_events(pd.DataFrame({"customer_id": ["a", "b"], "timestamp": near}), on_error="collect")
    assert log.rejects["reason"].tolist() == ["missing timestamp"]
    from journeymap.io._time import boxable

    assert str(boxable(far).dt.tz) == "UTC" and boxable(near) is near


def test_a_naive_iso_time_after_one_with_an_offset_is_read_as_utc() -> None:
    """pandas 2.2 read a time without a zone that follows one with an offset in that offset (04:55, not 06:55)."""
    from journeymap.io._time import parse_timestamps

    texts = ["2017-10-11T08:55:44+02:00", "2017-10-11 06:55:44", "2017-10-11T06:55:44Z", "2017-10-11 06:55:44"]
    assert parse_timestamps(pd.Series(texts, dtype="string")).tolist() == [pd.Timestamp("2017-10-11 06:55:44", tz="UTC")] * 4
    frame = pd.DataFrame({"customer_id": ["a", "a"], "timestamp": texts[:2]})
    assert jm.read_events(frame).events["timestamp"].nunique() == 1


def test_an_xes_event_time_beyond_the_range_is_called_out_of_range(tmp_path: Path) -> None:
    """pandas 2.2 gives NaT for a year nanoseconds cannot hold, which read as 'no ISO 8601 time'."""
    from journeymap.exceptions import SchemaError

    path = tmp_path / "far.xes"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n<trace><string key="concept:name" value="c1"/>\n'
        '<event><string key="concept:name" value="a"/><date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>\n'
        '<event><string key="concept:name" value="b"/><date key="time:timestamp" value="9999-12-31T00:00:00Z"/></event>\n'
        "</trace>\n</log>\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError, match=r"trace 'c1', event 2: attribute 'time:timestamp' holds .*out of range"):
        jm.read_xes(path)


# -- pandas 2.2: analytics --------------------------------------------------------------------------------
def test_segments_with_journeys_without_a_value_compare_on_pandas_2_2() -> None:
    """``list(groupby)`` asks its length, which pandas 2.2 cannot give for a missing categorical key."""
    events = jm.datasets.service_journeys(40, seed=0).events.copy()
    events.loc[events["customer_id"].isin(events["customer_id"].unique()[:10]), "tier"] = None
    js = planted_scores(jm.build_journeys(events))
    table = jm.compare_segments(js, "tier")
    assert table.index[-1] == "(no tier)" and int(table["n_journeys"].sum()) == len(js)


# -- transformers 4.44: the bfloat16 encoder -------------------------------------------------------------
def test_a_bfloat16_encoder_is_prepared_on_transformers_without_set_attn_implementation() -> None:
    """``set_attn_implementation`` is newer than transformers 4.44: preparing a bfloat16 model raised AttributeError."""
    import torch
    from transformers import BertConfig, BertModel

    from journeymap.emotions._packed import prepare_bf16_cpu

    torch.manual_seed(0)
    encoder = BertModel(
        BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    )
    assert prepare_bf16_cpu(encoder, encoder) >= 0


# -- py3langid 0.2.2 (what pip installs beside numpy 1.26) ----------------------------------------------
def test_languages_are_detected_with_either_py3langid_model(caplog: pytest.LogCaptureFixture) -> None:
    """py3langid 0.3 and 0.4 need numpy 2; 0.2.2's model loads with ``from_pickled_model`` (AttributeError before)."""
    from py3langid.langid import LanguageIdentifier

    from journeymap.emotions import language

    language._identifier.cache_clear()
    language._older_model_notice.cache_clear()
    with caplog.at_level("WARNING", logger="journeymap.emotions.language"):
        codes = language.detect_languages(["Where is my refund?", "Nunca más vuelo con ustedes", "😡"])
    assert codes == ["en", "es", "und"]
    older = not hasattr(LanguageIdentifier, "from_model_file")
    assert ("py3langid's model before 0.4" in caplog.text) is older


# -- pandas 2.2: the report's words on hours ------------------------------------------------------------
def test_the_report_names_the_busiest_day_without_a_pandas_warning(scored: jm.JourneySet) -> None:
    """The weekday level is categorical: pandas 2.2 warns (FutureWarning) on a groupby of it without ``observed=``."""
    from journeymap._report_text import hours_summary

    table = jm.time_patterns(scored)
    text = hours_summary(table, metric="volume", tz="UTC", min_count=5, stamped=None)
    assert "busiest day" in text and "quietest day" in text


def test_naive_times_of_mixed_types_are_read_in_the_zone_given() -> None:
    """Digits and numbers were picked with ``fillna`` on objects, which pandas 2.2 warns will stop downcasting."""
    raw = pd.Series([20240701, "2024-07-01 10:00", "1719828000", 1719828000], dtype=object)
    log = jm.read_events(pd.DataFrame({"customer_id": list("abcd"), "timestamp": raw}), tz="Europe/London")
    got = log.events.set_index("customer_id")["timestamp"]
    assert got["a"] == pd.Timestamp("2024-06-30 23:00", tz="UTC")  # a day: its local midnight
    assert got["b"] == pd.Timestamp("2024-07-01 09:00", tz="UTC")  # a wall time in London (BST)
    assert got["c"] == got["d"] == pd.Timestamp(1719828000, unit="s", tz="UTC")  # epoch seconds: instants


# -- pandas 2.2: the cluster's text keys ----------------------------------------------------------------
def test_the_cluster_keys_each_text_with_its_role_and_every_letter() -> None:
    """pandas 2.2's ``"string"`` + ``"\\x00"`` dropped the NUL between role and text: the text lost its first letter."""
    from journeymap.distributed.scoring import _ROLE, _TEXT_KEY, _texts_to_score

    frame = pd.DataFrame(
        {
            "event_id": ["1", "2", "3"],
            "customer_id": "c",
            "timestamp": pd.date_range("2024-01-01", periods=3, freq="5min", tz="UTC"),
            "actor": ["customer", "agent", "customer"],
            "text": ["thank you so much!", "happy to help", None],
        }
    )
    events = jm.read_events(frame).events
    keys = _texts_to_score(events, agents=True, service=True)[_TEXT_KEY]
    assert keys.iloc[0] == "c" + _ROLE + "thank you so much!"
    assert keys.iloc[1] == "b" + _ROLE + "happy to help"
    assert pd.isna(keys.iloc[2])
