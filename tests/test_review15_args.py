"""Fixes of the fifteenth review's argument and bad-input defects, each with a test that fails without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
