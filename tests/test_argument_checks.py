"""Wrong arguments fail with the argument's name, what is wrong and what is allowed (review of argument checks)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import pandas as pd
import pytest

mpl.use("Agg")

import journeymap as jm
from journeymap.analytics._time import check_tz
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@pytest.fixture(scope="module")
def log() -> jm.EventLog:
    return jm.datasets.service_journeys(20, seed=0)


@pytest.fixture(scope="module")
def unscored(log: jm.EventLog) -> jm.JourneySet:
    return jm.build_journeys(log)


@pytest.fixture(scope="module")
def js(unscored: jm.JourneySet) -> jm.JourneySet:
    return planted_scores(unscored)


# -- 1. the wrong kind of input -------------------------------------------------------------------

NEEDS_JOURNEYS: dict[str, Callable[[Any], object]] = {
    "response_times": jm.response_times,
    "reply_waits": jm.reply_waits,
    "service_levels": jm.service_levels,
    "reply_table": jm.reply_table,
    "trends": jm.trends,
    "topic_summary": jm.topic_summary,
    "topic_trends": jm.topic_trends,
    "compare_segments": lambda data: jm.compare_segments(data, "tier"),
}


@pytest.mark.parametrize("name", sorted(NEEDS_JOURNEYS))
@pytest.mark.parametrize("kind", ["EventLog", "DataFrame", "None"])
def test_functions_of_journeys_name_themselves_when_given_something_else(name: str, kind: str, log: jm.EventLog) -> None:
    data = {"EventLog": log, "DataFrame": log.events, "None": None}[kind]
    shown = "NoneType" if kind == "None" else kind
    with pytest.raises(TypeError, match=f"{name} needs a JourneySet \\(from build_journeys\\), got {shown}"):
        NEEDS_JOURNEYS[name](data)


def test_an_event_log_gets_the_hint_to_build_journeys(log: jm.EventLog) -> None:
    with pytest.raises(TypeError, match=r"got EventLog: build one with journeymap.build_journeys\(log\)"):
        jm.response_times(log)


def test_journey_variants_of_unscored_journeys_says_to_score_first(unscored: jm.JourneySet) -> None:
    with pytest.raises(jm.JourneyMapError, match=r"journey_variants needs emotion columns: run journeymap.score\(js\) first"):
        jm.journey_variants(unscored)


def test_interactive_views_of_unscored_journeys_say_to_score_first(unscored: jm.JourneySet) -> None:
    pytest.importorskip("plotly")
    with pytest.raises(jm.JourneyMapError, match=r"interactive_map needs emotion columns: run journeymap.score\(js\) first"):
        jm.plot.interactive_map(unscored)
    with pytest.raises(TypeError, match="interactive_graph needs a JourneySet"):
        jm.plot.interactive_graph(None)  # type: ignore[arg-type]


def test_plot_graph_needs_a_graph_not_journeys(js: jm.JourneySet) -> None:
    with pytest.raises(
        TypeError, match=r"graph needs a journey graph .*got JourneySet: draw jm.plot.graph\(jm.journey_graph\(js\)\)"
    ):
        jm.plot.graph(js)  # type: ignore[arg-type]


def test_plot_journey_needs_one_journey(js: jm.JourneySet) -> None:
    with pytest.raises(TypeError, match=r"journey needs one Journey \(js\[journey_id\]\), got JourneySet"):
        jm.plot.journey(js)  # type: ignore[arg-type]
    jm.plot.journey(js[js.journey_ids[0]])  # one journey still draws


@pytest.mark.parametrize("call", ["response_times", "reply_waits", "triage", "service_levels", "reply_table", "trends"])
def test_auto_must_be_a_rule(call: str, js: jm.JourneySet) -> None:
    with pytest.raises(TypeError, match=r"auto must be None .* or an AutoReplyRule.*got str 'yes'"):
        getattr(jm, call)(js, auto="yes")


def test_auto_is_checked_even_when_bots_are_included(js: jm.JourneySet) -> None:
    with pytest.raises(TypeError, match="auto must be"):
        jm.reply_waits(js, bots="include", auto="yes")  # type: ignore[arg-type]


def test_auto_takes_a_rule_and_a_subclass_of_it(js: jm.JourneySet) -> None:
    class Strict(jm.AutoReplyRule):
        pass

    assert len(jm.response_times(js, auto=jm.AutoReplyRule(min_repeats=4))) == len(js)
    assert len(jm.response_times(js, auto=Strict(min_repeats=4))) == len(js)


def test_time_patterns_plot_names_an_unknown_metric(js: jm.JourneySet) -> None:
    with pytest.raises(ValueError, match="metric must be one of 'volume', 'share_negative', 'mean_valence', got 'nope'"):
        jm.plot.time_patterns(js, metric="nope")  # type: ignore[arg-type]


def test_plot_graph_names_the_nodes_pos_lacks(js: jm.JourneySet) -> None:
    G = jm.journey_graph(js, level="stage")
    with pytest.raises(ValueError, match=r"pos has no position for 6 node.*'contact'"):
        jm.plot.graph(G, pos={})
    pos = jm.plot.layered_layout(G)
    del pos["resolution"]
    with pytest.raises(ValueError, match=r"pos has no position for 1 node\(s\) of the graph: 'resolution'"):
        jm.plot.graph(G, pos=pos)
    with pytest.raises(TypeError, match="pos must be a dict"):
        jm.plot.graph(G, pos=[(0, 0)])  # type: ignore[arg-type]
    jm.plot.graph(G, pos=jm.plot.layered_layout(G))  # a full layout still draws


# -- 2. freq and tz -------------------------------------------------------------------------------

PERIODIC: dict[str, Callable[..., object]] = {
    "trends": jm.trends,
    "topic_trends": jm.topic_trends,
    "plot.trends": jm.plot.trends,
    "plot.topic_trends": jm.plot.topic_trends,
}


@pytest.mark.parametrize("name", sorted(PERIODIC))
@pytest.mark.parametrize("freq", ["0D", "-1D", "0h", "-3h"])
def test_freq_must_be_a_positive_length(name: str, freq: str, js: jm.JourneySet) -> None:
    with pytest.raises(ValueError, match=f"freq='{freq}': a period must be a positive length of time"):
        PERIODIC[name](js, freq=freq)


@pytest.mark.parametrize("freq", [None, 7])
def test_freq_of_the_wrong_type_is_a_type_error(freq: object, js: jm.JourneySet) -> None:
    with pytest.raises(TypeError, match="freq must be a period such as 'D', 'W', 'M' or '6h'"):
        jm.trends(js, freq=freq)  # type: ignore[arg-type]


ZONED: dict[str, Callable[..., object]] = {
    **PERIODIC,
    "time_patterns": jm.time_patterns,
    "plot.time_patterns": jm.plot.time_patterns,
}


@pytest.mark.parametrize("name", sorted(ZONED))
@pytest.mark.parametrize("tz", ["Mars/Base", "", "Nowhere/Special"])
def test_an_unknown_tz_is_named(name: str, tz: str, js: jm.JourneySet) -> None:
    with pytest.raises(ValueError, match=f"tz='{tz}' is not a timezone pandas knows; use an IANA name"):
        ZONED[name](js, tz=tz)


@pytest.mark.parametrize("name", sorted(ZONED))
@pytest.mark.parametrize("tz", [3, 1.5, True])
def test_a_number_is_no_tz(name: str, tz: object, js: jm.JourneySet) -> None:
    with pytest.raises(TypeError, match="tz must be a timezone name such as 'UTC'"):
        ZONED[name](js, tz=tz)


def test_tz_none_is_utc_everywhere(js: jm.JourneySet) -> None:
    pd.testing.assert_frame_equal(jm.trends(js, tz=None), jm.trends(js, tz="UTC"))
    pd.testing.assert_frame_equal(jm.time_patterns(js, tz=None), jm.time_patterns(js, tz="UTC"))
    assert "UTC" in jm.plot.trends(js, tz=None).get_xlabel()
    assert "UTC" in jm.plot.time_patterns(js, tz=None).get_xlabel()


def test_tz_takes_names_offsets_and_tzinfo() -> None:
    assert check_tz("Europe/Paris") == "Europe/Paris"
    assert check_tz("+05:30") == "+05:30"
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert check_tz(paris) is paris
    assert check_tz(dt.timezone.utc) is dt.timezone.utc


def test_trends_in_a_tzinfo_match_its_name(js: jm.JourneySet) -> None:
    by_name = jm.trends(js, freq="D", tz="Europe/Paris")
    by_zone = jm.trends(js, freq="D", tz=zoneinfo.ZoneInfo("Europe/Paris"))
    assert by_name["volume"].tolist() == by_zone["volume"].tolist()


# -- 3 and 4. durations, times, measures and counts -----------------------------------------------


@pytest.mark.parametrize("sla", ["soon", "NaT"])
def test_an_unreadable_sla_is_named(sla: str, js: jm.JourneySet) -> None:
    with pytest.raises(ValueError, match=f"sla='{sla}'|sla must be a positive duration"):
        jm.service_levels(js, sla=sla)


@pytest.mark.parametrize("sla", ["-1h", "0s", pd.Timedelta(0), dt.timedelta(minutes=-5)])
def test_sla_must_be_positive(sla: object, js: jm.JourneySet) -> None:
    with pytest.raises(ValueError, match="sla must be a positive duration such as '1h'"):
        jm.service_levels(js, sla=sla)  # type: ignore[arg-type]


@pytest.mark.parametrize("sla", [None, 0, 3600, 1.5])
def test_sla_must_be_a_duration_not_none_or_a_number(sla: object, js: jm.JourneySet) -> None:
    with pytest.raises(TypeError, match="sla must be a duration such as '1h'"):
        jm.service_levels(js, sla=sla)  # type: ignore[arg-type]


def test_sla_takes_strings_timedeltas_and_datetime_timedeltas(js: jm.JourneySet) -> None:
    a = jm.service_levels(js, by="brand", sla="90min")
    b = jm.service_levels(js, by="brand", sla=pd.Timedelta(minutes=90))
    c = jm.service_levels(js, by="brand", sla=dt.timedelta(minutes=90))  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


@pytest.mark.parametrize("call", ["triage", "response_times"])
def test_an_unreadable_now_is_named(call: str, js: jm.JourneySet) -> None:
    with pytest.raises(ValueError, match="now='yesterday' is not a time pandas can read"):
        getattr(jm, call)(js, now="yesterday")
    with pytest.raises(ValueError, match="now must be a time"):
        getattr(jm, call)(js, now=pd.NaT)


@pytest.mark.parametrize("call", ["triage", "response_times"])
@pytest.mark.parametrize("now", [5, 1.7e18, True])
def test_a_number_is_no_now(call: str, now: object, js: jm.JourneySet) -> None:
    with pytest.raises(TypeError, match="now must be a time: a string such as"):
        getattr(jm, call)(js, now=now)


@pytest.mark.parametrize("call", ["triage", "response_times"])
def test_a_now_before_the_end_of_the_data_warns(call: str, js: jm.JourneySet) -> None:
    with pytest.warns(UserWarning, match="now='2000-01-01' is before the latest event in the data"):
        getattr(jm, call)(js, now="2000-01-01")


def test_a_now_after_the_data_is_taken_as_before(js: jm.JourneySet) -> None:
    end = js.events["timestamp"].max()
    later = end + pd.Timedelta(days=2)
    by_timestamp = jm.triage(js, now=later)
    by_string = jm.triage(js, now=later.tz_convert(None).isoformat())  # naive is UTC
    by_datetime = jm.triage(js, now=later.to_pydatetime())
    pd.testing.assert_frame_equal(by_timestamp, by_string)
    pd.testing.assert_frame_equal(by_timestamp, by_datetime)
    assert (by_timestamp["waiting"] >= pd.Timedelta(days=2)).all()


def test_compare_segments_names_the_measures_it_takes(js: jm.JourneySet) -> None:
    with pytest.raises(
        ValueError, match=r"measure='end_sentiment' holds labels, not numbers or durations; measure must be one of: .*end_valence"
    ):
        jm.compare_segments(js, "tier", measure="end_sentiment")
    with pytest.raises(ValueError, match=r"measure='nope' is not a journey_metrics column; measure must be one of: .*duration"):
        jm.compare_segments(js, "tier", measure="nope")
    assert jm.compare_segments(js, "tier", measure="duration")["diff_vs_rest"].dtype.kind == "m"  # durations still work


@pytest.mark.parametrize(
    ("option", "value", "error"),
    [
        ("n_keywords", -1, ValueError),
        ("n_quotes", -2, ValueError),
        ("n_keywords", "5", TypeError),
        ("n_quotes", 1.5, TypeError),
        ("n_keywords", True, TypeError),
    ],
)
def test_topic_summary_counts_are_non_negative_ints(
    option: str, value: object, error: type[Exception], js: jm.JourneySet
) -> None:
    with pytest.raises(error, match=f"{option} must be a"):
        jm.topic_summary(js, **{option: value})


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"examples": -1}, ValueError, "examples must be a non-negative number of journeys, got -1"),
        ({"examples": 2.5}, TypeError, "examples must be a whole number of journeys"),
        ({"max_steps": 0}, ValueError, "max_steps must be a positive number of steps"),
        ({"sla": "-1h"}, ValueError, "sla must be a positive duration"),
        ({"sla": 60}, TypeError, "sla must be a duration"),
        ({"freq": "0D"}, ValueError, "freq='0D'"),
    ],
)
def test_report_checks_its_arguments_before_drawing(
    options: dict[str, object], error: type[Exception], match: str, js: jm.JourneySet, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    with pytest.raises(error, match=match):
        jm.report(js, out, **options)  # type: ignore[arg-type]
    assert not out.exists()


def test_report_of_an_event_log_says_to_build_journeys(log: jm.EventLog, tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"report needs a JourneySet \(from build_journeys\), got EventLog"):
        jm.report(log, tmp_path / "r.html")  # type: ignore[arg-type]
