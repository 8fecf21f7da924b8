"""Fixes of the fifteenth review's argument and bad-input defects, each with a test that fails without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def log() -> jm.EventLog:
    return jm.datasets.service_journeys(20, seed=0)


@pytest.fixture(scope="module")
def js(log: jm.EventLog) -> jm.JourneySet:
    return planted_scores(jm.build_journeys(log))


# ---------------------------------------------------------------- one column named by a list


@pytest.mark.parametrize("by", [["channel"], ["channel", "tier"], {"a": 1}, 3])
def test_service_levels_by_must_name_one_column(js: jm.JourneySet, by: object) -> None:
    # was pandas' "TypeError: unhashable type: 'list'" (and a SchemaError "no column 3")
    with pytest.raises(jm.ArgumentTypeError, match=r"service_levels groups by one column: by must be .*, got (list|dict|int)"):
        jm.service_levels(js, by=by)  # type: ignore[arg-type]


def test_compare_segments_measure_must_be_a_name(js: jm.JourneySet) -> None:
    with pytest.raises(jm.ArgumentTypeError, match=r"measure must be the name of a journey_metrics column, got list"):
        jm.compare_segments(js, "tier", measure=["end_valence"])  # type: ignore[arg-type]
    with pytest.raises(jm.ArgumentTypeError, match="compare_segments compares by one column: by must be a column name"):
        jm.compare_segments(js, ["tier"])  # type: ignore[arg-type]


@pytest.mark.parametrize("plot", ["trends", "topic_trends"])
def test_plot_trends_metric_list(js: jm.JourneySet, plot: str) -> None:
    pytest.importorskip("matplotlib")
    with pytest.raises(jm.InvalidArgumentError, match=r"metric must be one of .*, got \['volume'\]"):
        getattr(jm.plot, plot)(js, metric=["volume"])


# ---------------------------------------------------------------- report's arguments


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"title": None}, r"title must be the page title \(a str\), got NoneType None"),
        ({"title": 3}, r"title must be the page title \(a str\), got int 3"),
        ({"log": "log.csv"}, r"log must be None or the EventLog .*, got str: read the file first"),
        ({"rejects": 3}, r"rejects must be None or the file .*, got int 3"),
        ({"warnings": 3}, r"warnings must be None or the file .*, got int 3"),
    ],
)
def test_report_argument_types(js: jm.JourneySet, tmp_path: Path, kwargs: dict[str, object], match: str) -> None:
    out = tmp_path / "r.html"
    with pytest.raises(jm.ArgumentTypeError, match=match):
        jm.report(js, out, **kwargs)  # type: ignore[arg-type]
    assert not out.exists()  # refused before anything was written


def test_report_log_given_the_events_frame(js: jm.JourneySet, log: jm.EventLog, tmp_path: Path) -> None:
    # was AttributeError: 'DataFrame' object has no attribute 'rejected_rows'
    with pytest.raises(jm.ArgumentTypeError, match="got DataFrame: pass the EventLog itself"):
        jm.report(js, tmp_path / "r.html", log=log.events)  # type: ignore[arg-type]


# ---------------------------------------------------------------- a freq that makes too many periods


def _two_messages(first: str, second: str) -> jm.JourneySet:
    frame = pd.DataFrame(
        {
            "event_id": ["1", "2"],
            "customer_id": ["ann", "ann"],
            "timestamp": [first, second],
            "actor": ["customer", "agent"],
            "text": ["my order is late", "sorry, on its way"],
            "in_reply_to": [None, "1"],
        }
    )
    return jm.build_journeys(frame)


@pytest.mark.parametrize("table", ["trends", "topic_trends"])
def test_tiny_freq_refused_before_periods_are_made(table: str) -> None:
    # two minutes of data: "ms" (milliseconds, a slip for "MS") made 120,001 periods (over four
    # weeks, 2.4 billion: a MemoryError asking for 17.6 GiB), "1ns" petabytes
    js = _two_messages("2024-01-01T10:00Z", "2024-01-01T10:02Z")
    if table == "topic_trends":
        js = js.with_events(js.events.assign(topic="billing"))
    function = getattr(jm, table)
    with pytest.raises(jm.InvalidArgumentError, match=r"freq='ms' would give 120,001 periods .* did you mean freq='MS'"):
        function(js, freq="ms")
    assert len(function(js, freq="MS")) == 1
    # 200 microseconds apart (so that, unfixed, the test lists 200,001 periods, not 120 billion)
    js = _two_messages("2024-01-01T10:00:00.0000Z", "2024-01-01T10:00:00.0002Z")
    if table == "topic_trends":
        js = js.with_events(js.events.assign(topic="billing"))
    with pytest.raises(jm.InvalidArgumentError, match=r"freq='1ns' would give 200,001 periods .* give a longer period"):
        function(js, freq="1ns")


def test_period_limit_is_shared_by_plots_and_report(js: jm.JourneySet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    from journeymap.analytics import _time

    monkeypatch.setattr(_time, "MAX_PERIODS", 50)  # four weeks by the hour: 600-odd periods
    topics = js.with_events(js.events.assign(topic="billing"))
    for call in (
        lambda: jm.plot.trends(js, freq="h"),
        lambda: jm.plot.topic_trends(topics, freq="h"),
        lambda: jm.report(topics, tmp_path / "r.html", freq="h"),
    ):
        with pytest.raises(jm.InvalidArgumentError, match=r"freq='h' would give [\d,]+ periods .*at most 50 are made"):
            call()
    assert not (tmp_path / "r.html").exists()
    assert len(jm.trends(js, freq="W")) <= 50


def test_year_past_the_last_time_pandas_holds() -> None:
    # a year of data from 2262 ends in 2263: made, labelled by its start (review 16: was refused);
    # a week of data from 1677-09-22 starts before pandas' first time: refused, named
    js = _two_messages("2262-03-01T10:00Z", "2262-03-02T10:00Z")
    assert jm.trends(js, freq="Y").index.tolist() == [pd.Timestamp("2262-01-01", tz="UTC")]
    early = _two_messages("1677-09-22T10:00Z", "1677-09-23T10:00Z")
    with pytest.raises(jm.InvalidArgumentError, match="freq='W'"):
        jm.trends(early, freq="W")
    assert len(jm.trends(js, freq="D")) == 1  # one customer message
    assert len(jm.trends(early, freq="D", tz="America/New_York")) == 1


# ---------------------------------------------------------------- texts that are no text


class _Recording:
    """A scorer that says every text is neutral and keeps the texts it was given."""

    id = "recording.v1"
    taxonomy = jm.Taxonomy.sentiment()

    def __init__(self) -> None:
        self.seen: list[str] = []

    def score(self, texts: list[str]) -> np.ndarray:
        self.seen += list(texts)
        out = np.zeros((len(texts), len(self.taxonomy.labels)), dtype=np.float32)
        out[:, self.taxonomy.labels.index("neutral")] = 1.0
        return out


INVISIBLE = ["\x00", "\u200b", "\ufeff", "\u200b\u200c\u2060", " \ufeff\t\x00 ", "\u3164"]


def test_invisible_texts_are_no_text_for_every_scorer(default_scorer: object) -> None:
    # were scored neutral (valence 0) with no note, pulling means toward 0; "   " got NA and "no text"
    # (the text English enough for py3langid 0.2.2's model too, which reads "so late :(" as Italian)
    frame = pd.DataFrame({"actor": "customer", "text": ["   ", *INVISIBLE, "my order is so late, still waiting :("]})
    for scorer in (default_scorer, _Recording()):
        out = jm.score(frame, scorer, cache=False, progress=False)
        assert out["valence"].isna().tolist() == [True] * (1 + len(INVISIBLE)) + [False]
        assert out["score_note"].tolist()[:-1] == [jm.emotions.score.NO_TEXT] * (1 + len(INVISIBLE))
        assert pd.isna(out["score_note"].iloc[-1])
        if isinstance(scorer, _Recording):
            assert scorer.seen == [frame["text"].iloc[-1]]


def test_transformer_scorer_reads_no_invisible_text() -> None:
    from journeymap.emotions import _batching

    assert not any(_batching.has_characters(t) for t in INVISIBLE)
    assert all(_batching.has_characters(t) for t in ("😡", ":(", "\u200bok", "日本"))


def test_score_frame_leaves_non_strings_unscored_with_the_readers_reason(caplog: pytest.LogCaptureFixture) -> None:
    # were scored by their repr: b'I am furious' -> anger, {'msg': 'thanks!'} -> gratitude
    text = pd.Series([b"I am furious, refund me now", 404, ["so", "angry"], {"msg": "thanks!"}, "thanks!", None], dtype=object)
    frame = pd.DataFrame({"actor": "customer", "text": text})
    scorer = _Recording()
    with caplog.at_level("WARNING", logger="journeymap"):
        out = jm.score(frame, scorer, cache=False, progress=False)
    assert scorer.seen == ["thanks!"]
    assert out["valence"].isna().tolist() == [True, True, True, True, False, True]
    assert out["score_note"].tolist() == [
        "wrong type: text must be a string, got bytes",
        "wrong type: text must be a string, got int",
        "wrong type: text must be a string, got list",
        "wrong type: text must be a string, got dict",
        pd.NA,
        "no text",
    ]
    assert "4 row(s) not scored: column 'text' holds no string there (rows 0 (bytes), 1 (int), 2 (list), 3 (dict))" in caplog.text
    # the reader says the same of these rows
    log = jm.read_events(
        frame.assign(event_id=[str(i) for i in range(6)], customer_id="ann", timestamp="2024-01-01"), on_error="collect"
    )
    assert set(log.rejects["reason"]) >= {"wrong type: text must be a string, got bytes"}


def test_scorers_refuse_non_string_texts(default_scorer: object) -> None:
    # a list of texts given to a scorer: bytes were read as no text (a neutral row), silently
    with pytest.raises(jm.ArgumentTypeError, match=r"texts\[1\] must be a string, got bytes b'I am furious'"):
        default_scorer.score(["fine", b"I am furious"])  # type: ignore[attr-defined]
    assert default_scorer.score(["fine", None]).shape[0] == 2  # type: ignore[attr-defined]


# ---------------------------------------------------------------- build_journeys(DataFrame) keeps no caveat silent


def test_build_journeys_from_a_frame_logs_the_rows_kept_with_a_caveat(caplog: pytest.LogCaptureFixture) -> None:
    # the reader's warnings were thrown away: "-0,8" became NaN and a dangling reply went unmentioned
    frame = pd.DataFrame(
        {
            "event_id": ["1", "2", "3"],
            "customer_id": ["ann", "ann", "bob"],
            "thread_id": ["t1", "t1", "t2"],
            "timestamp": ["2024-01-01T10:00Z", "2024-01-01T11:00Z", "2024-01-01T12:00Z"],
            "text": ["my order is late", "still waiting", "thanks"],
            "valence": ["-0,8", "-0.6", "0.7"],
            "in_reply_to": [None, "99", None],
        }
    )
    with caplog.at_level("WARNING", logger="journeymap"):
        js = jm.build_journeys(frame)
    assert js.events["valence"].isna().sum() == 1
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(said) == 1
    assert "build_journeys: 2 of 3 rows kept with a caveat" in said[0]
    assert "row 0, column 'valence': valence is not a number: read as unscored ('-0,8')" in said[0]
    assert "row 1, column 'in_reply_to': replies to an event that is not in the data" in said[0]
    # given the EventLog, the caller holds the warnings: nothing is logged again
    log = jm.read_events(frame)
    assert len(log.warnings) == 2
    caplog.clear()
    with caplog.at_level("WARNING", logger="journeymap"):
        jm.build_journeys(log)
    assert not [r for r in caplog.records if "kept with a caveat" in r.getMessage()]
