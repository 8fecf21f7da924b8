"""XES and journey-file fixes of the eighteenth review (each test fails without its fix)."""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.journeys._table import journey_table
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path

HEAD = '<?xml version="1.0" encoding="UTF-8"?><log xes.version="1.0">'


def _event(activity: str, when: str, extra: str = "") -> str:
    return f'<event><string key="concept:name" value="{activity}"/><date key="time:timestamp" value="{when}"/>{extra}</event>'


def _trace(name: str, *events: str) -> str:
    return f'<trace><string key="concept:name" value="{name}"/>{"".join(events)}</trace>'


def _log(path: Path, *traces: str) -> Path:
    path.write_text(HEAD + "".join(traces) + "</log>", encoding="utf-8")
    return path


# -- 1: times outside 1677-2262 ------------------------------------------------------------------


@pytest.mark.parametrize("when", ["9999-12-31T00:00:00Z", "1600-01-01T00:00:00Z", "2262-04-11T00:00:00Z"])
def test_read_xes_refuses_an_event_time_out_of_range(tmp_path: Path, when: str) -> None:
    # 9999-12-31 (a sentinel) came back as a journey starting in 1816 and ending in 2024
    path = _log(tmp_path / "s.xes", _trace("case1", _event("open", "2024-01-01T09:00:00Z"), _event("close", when)))
    with pytest.raises(jm.SchemaError, match=r"trace 'case1', event 2: attribute 'time:timestamp' holds .*out of range"):
        jm.read_xes(path)


def test_read_xes_refuses_a_time_out_of_range_in_its_own_logs(tmp_path: Path) -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(3, seed=0))
    path = jm.to_xes(js, tmp_path / "log.xes")
    text = path.read_text(encoding="utf-8")
    first = js.events["timestamp"].iloc[0].strftime("%Y-%m-%dT%H:%M:%S")
    assert first in text
    path.write_text(text.replace(first, "2300-01-01T00:00:00", 1), encoding="utf-8")
    with pytest.raises(jm.SchemaError, match=r"'time:timestamp' holds '2300-01-01.*out of range"):
        jm.read_xes(path)


def _edited_parquet(tmp_path: Path, year: int) -> tuple[Path, str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
    table = pq.read_table(js.to_parquet(tmp_path / "j.parquet"))
    times = table.column("timestamp").cast(pa.timestamp("us", tz="UTC")).to_pylist()
    times[3] = dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc)
    table = table.set_column(
        table.schema.get_field_index("timestamp"), "timestamp", pa.array(times, pa.timestamp("us", tz="UTC"))
    )
    path = tmp_path / "edited.parquet"
    pq.write_table(table, path)
    return path, str(table.column("journey_id")[3])


@pytest.mark.parametrize("year", [1500, 9999])
def test_read_journeys_refuses_a_time_out_of_range(tmp_path: Path, year: int) -> None:
    # a year-1500 time gave a journey ending 2084-07-20
    path, journey = _edited_parquet(tmp_path, year)
    with pytest.raises(
        jm.SchemaError, match=rf"column 'timestamp' holds 1 time\(s\) outside .*journey '{journey}'\): {year}-01-01"
    ):
        jm.read_journeys(path)


def test_the_journey_table_never_wraps_a_time_around() -> None:
    events = pd.DataFrame(
        {
            "journey_id": pd.array(["j1", "j1"], dtype="string"),
            "customer_id": pd.array(["c", "c"], dtype="string"),
            # built in microseconds: pandas 2.2 cannot parse year 9999 into nanoseconds first
            "timestamp": pd.DatetimeIndex(np.array(["2024-01-01", "9999-12-31"], dtype="datetime64[us]")).tz_localize("UTC"),
        }
    )
    with pytest.raises(jm.SchemaError, match=r"column 'timestamp' holds 9999-12-31 00:00:00\+00:00 \(row 1, journey 'j1'\)"):
        journey_table(events)
    in_range = journey_table(events.iloc[:1])
    assert in_range["start"].iloc[0] == pd.Timestamp("2024-01-01", tz="UTC")


# -- 2: a foreign log has the columns read_events gives ------------------------------------------


def _foreign(tmp_path: Path) -> Path:
    traces = []
    for i in range(6):
        day = f"2024-01-{i + 1:02d}"
        extra = '<string key="org:resource" value="bob"/><string key="true_emotion" value="{}"/>'
        traces.append(
            _trace(
                f"t{i}",
                _event("register", f"{day}T09:00:00Z", extra.format("anger")),
                _event("check", f"{day}T10:30:00Z", extra.format("joy")),
                _event("pay", f"{day}T12:00:00Z", extra.format("sadness" if i % 2 else "neutral")),
            )
        )
    return _log(tmp_path / "foreign.xes", *traces)


def test_a_foreign_log_has_the_columns_and_dtypes_of_read_events(tmp_path: Path) -> None:
    # the events had no channel column (KeyError: 'channel' in response_times), a string actor and microsecond times
    events = jm.read_xes(_foreign(tmp_path)).events
    frame = pd.DataFrame({"customer_id": ["t0"], "timestamp": ["2024-01-01T09:00:00Z"], "touchpoint": ["register"]})
    read = jm.read_events(frame).events
    for column in read.columns:
        assert column in events.columns, column
        assert events[column].dtype == read[column].dtype, column
    assert (events["channel"] == "unknown").all()
    assert events["actor"].cat.categories.tolist() == read["actor"].cat.categories.tolist()


def test_the_analytics_run_on_a_foreign_log(tmp_path: Path) -> None:
    raw = jm.read_xes(_foreign(tmp_path))
    js = planted_scores(raw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # customer messages only: every message unanswered, as said
        assert len(jm.response_times(raw)) == len(raw)
        for name in ("response_times", "reply_waits", "reply_table", "service_levels", "trends", "time_patterns"):
            getattr(jm, name)(raw)
        for name in ("journey_metrics", "triage", "service_levels", "touchpoint_summary", "journey_variants"):
            getattr(jm, name)(js)
        jm.pain_points(js)
        jm.moments_of_truth(js)
        jm.compare_segments(js, "resource")
        jm.journey_graph(js)
    metrics = jm.journey_metrics(js)
    assert len(metrics) == len(js)


# -- 3: a key given twice, and traces without events -----------------------------------------------


def test_an_event_giving_a_key_twice_is_an_error(tmp_path: Path) -> None:
    # the last value was kept without a word
    twice = (
        '<event><string key="concept:name" value="a"/><string key="concept:name" value="b"/>'
        '<date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>'
    )
    path = _log(tmp_path / "d.xes", _trace("t0", _event("x", "2024-01-01T00:00:00Z"), twice))
    with pytest.raises(jm.SchemaError, match=r"d\.xes: trace 1 \('t0'\), event 2: attribute 'concept:name' is given twice"):
        jm.read_xes(path)


def test_a_trace_giving_a_key_twice_is_an_error(tmp_path: Path) -> None:
    trace = (
        '<trace><string key="concept:name" value="t0"/><string key="customer_id" value="a"/>'
        f'<string key="customer_id" value="b"/>{_event("x", "2024-01-01T00:00:00Z")}</trace>'
    )
    path = _log(tmp_path / "d.xes", trace)
    with pytest.raises(jm.SchemaError, match=r"trace 1 \('t0'\): attribute 'customer_id' is given twice"):
        jm.read_xes(path)


def test_global_defaults_are_no_repeated_keys(tmp_path: Path) -> None:
    # <global> blocks give defaults of trace and event attributes, not attributes of the log given twice;
    # the event that gives a key twice is the one named
    head = (
        '<global scope="trace"><string key="concept:name" value="__INVALID__"/></global>'
        '<global scope="event"><string key="concept:name" value="__INVALID__"/>'
        '<date key="time:timestamp" value="1970-01-01T00:00:00Z"/></global>'
    )
    twice = (
        '<event><int key="n" value="1"/><int key="n" value="2"/><date key="time:timestamp" value="2024-01-02T00:00:00Z"/></event>'
    )
    path = tmp_path / "g.xes"
    path.write_text(HEAD + head + _trace("t0", _event("a", "2024-01-01T00:00:00Z"), twice) + "</log>", encoding="utf-8")
    with pytest.raises(jm.SchemaError, match=r"trace 1 \('t0'\), event 2: attribute 'n' is given twice"):
        jm.read_xes(path)
    path.write_text(HEAD + head + _trace("t0", _event("a", "2024-01-01T00:00:00Z")) + "</log>", encoding="utf-8")
    assert jm.read_xes(path).journeys.index.tolist() == ["t0"]


def test_a_trace_without_events_is_named_in_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # it disappeared without a word
    path = _log(tmp_path / "e.xes", _trace("full", _event("a", "2024-01-01T00:00:00Z")), _trace("hollow"))
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        js = jm.read_xes(path)
    assert js.journeys.index.tolist() == ["full"]
    assert "1 trace(s) hold no events" in caplog.text
    assert "'hollow'" in caplog.text


def test_to_xes_refuses_a_column_named_like_a_key_it_writes(tmp_path: Path) -> None:
    # such a column made an event give the key twice, which read_xes now refuses
    js = jm.build_journeys(jm.datasets.service_journeys(3, seed=0))
    clashing = js.with_events(js.events.assign(**{"concept:name": np.arange(len(js.events))}))
    with pytest.raises(jm.InvalidArgumentError, match=r"event column\(s\) \['concept:name'\] have names the XES log uses"):
        jm.to_xes(clashing, tmp_path / "c.xes")
    assert not (tmp_path / "c.xes").exists()
