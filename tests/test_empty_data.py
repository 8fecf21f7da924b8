"""Every analysis and chart works on zero journeys and on fully answered data (issue 14)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def no_journeys() -> jm.JourneySet:
    events = jm.datasets.service_journeys(5, seed=0).events.assign(timestamp="never")
    return planted_scores(jm.build_journeys(jm.read_events(events, on_error="collect")))


def all_answered() -> jm.JourneySet:
    """Every journey ends with a human reply (no bot: an auto-acknowledgement leaves a customer waiting)."""
    js = jm.build_journeys(jm.datasets.service_journeys(30, seed=0, bot=False))
    ends_with_brand = js.events.groupby("journey_id")["actor"].transform("last") != "customer"
    kept = js.events[ends_with_brand.to_numpy()].drop(columns=["journey_id", "step", "stage"])
    return planted_scores(jm.build_journeys(kept))


TABLES: dict[str, Callable[[jm.JourneySet], Any]] = {
    "journey_metrics": jm.journey_metrics,
    "touchpoint_summary": jm.touchpoint_summary,
    "pain_points": jm.pain_points,
    "moments_of_truth": jm.moments_of_truth,
    "journey_variants": jm.journey_variants,
    "time_patterns": jm.time_patterns,
    "compare_segments": lambda js: jm.compare_segments(js, "tier"),
    "response_times": jm.response_times,
    "reply_waits": jm.reply_waits,
    "triage": jm.triage,
    "reply_table": jm.reply_table,
    "service_levels": lambda js: jm.service_levels(js, by="tier"),
    "trends": jm.trends,
}
#: Tables with rows even when every customer message was answered (triage lists open ones only).
EMPTY_WHEN_ANSWERED = {"triage"}
CHARTS: dict[str, Callable[[jm.JourneySet], Any]] = {
    "journey_map": jm.plot.journey_map,
    "graph": lambda js: jm.plot.graph(jm.journey_graph(js)),
    "emotion_heatmap": jm.plot.emotion_heatmap,
    "emotion_mix": jm.plot.emotion_mix,
    "time_patterns": jm.plot.time_patterns,
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_tables_on_zero_journeys_are_empty_not_errors(name: str) -> None:
    js = no_journeys()
    assert len(js) == 0
    out = TABLES[name](js)
    rows = int(out["volume"].sum()) if name == "time_patterns" else len(out)
    assert rows == 0


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_charts_on_zero_journeys_say_there_is_nothing_to_show(name: str) -> None:
    ax = CHARTS[name](no_journeys())
    texts = [t.get_text() for t in ax.texts]
    assert ax.figure is not None
    note = "no journeys to show" if name == "graph" else "no scored customer messages to show"
    assert texts == [note]


def test_graph_of_zero_journeys_has_only_its_ends() -> None:
    graph = jm.journey_graph(no_journeys())
    assert set(graph.nodes) == {"__start__", "__end__"}
    assert graph.number_of_edges() == 0


@pytest.mark.parametrize("name", sorted(TABLES))
def test_tables_on_fully_answered_journeys(name: str) -> None:
    js = all_answered()
    assert (js.events.groupby("journey_id")["actor"].last() != "customer").all()
    out = TABLES[name](js)
    if name in EMPTY_WHEN_ANSWERED:
        assert (out.get("status", pd.Series(dtype=str)) != "waiting").all()
    else:
        assert len(out) > 0


@pytest.mark.parametrize("make", [no_journeys, all_answered])
def test_the_report_writes_on_zero_journeys_and_fully_answered_data(make: Callable[[], jm.JourneySet], tmp_path: Path) -> None:
    path = jm.report(make(), tmp_path / "r.html")
    page = path.read_text(encoding="utf-8")
    assert "<html" in page.lower()
