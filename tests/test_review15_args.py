"""Fixes of the fifteenth review's argument and bad-input defects, each with a test that fails without it."""

from __future__ import annotations

import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores


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
