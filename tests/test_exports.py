"""Exports other than Twitter's: role names of helpdesk and chat tools, local times without an offset."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app

if TYPE_CHECKING:
    from pathlib import Path


def _tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket": ["t1", "t1", "t1", "t2", "t2"],
            "requester": ["c1", "c1", "c1", "c2", "c2"],
            "created_at": [
                "2024-07-01 10:00:00",  # London summer time: 09:00 UTC
                "2024-07-01 10:30:00",
                "2024-07-01T10:45:00+00:00",  # an offset: an instant, left as it is
                "2024-01-15 10:00:00",  # London winter time: UTC
                1705313700,  # epoch seconds: an instant (2024-01-15 10:15 UTC)
            ],
            "role": ["End-User", "admin", "end-user", "requester", "Operator"],
            "body": ["my card was declined", "we are looking into it", "thanks", "refund please", "done"],
        }
    )


COLUMNS = {"ticket": "thread_id", "requester": "customer_id", "created_at": "timestamp", "role": "actor", "body": "text"}


def test_helpdesk_and_chat_role_names_are_known_actors() -> None:
    log = jm.read_events(_tickets(), columns=COLUMNS)
    assert log.events["actor"].astype(str).tolist() == ["customer", "agent", "customer", "customer", "agent"]


def test_actors_maps_a_tool_s_own_role_names() -> None:
    frame = _tickets().assign(role=["in", "out", "in", "in", "Auto-Ack"])
    with pytest.raises(jm.SchemaError, match="unknown actor"):
        jm.read_events(frame, columns=COLUMNS)
    log = jm.read_events(frame, columns=COLUMNS, actors={"in": "customer", "out": "agent", "auto-ack": "system"})
    assert log.events["actor"].astype(str).tolist() == ["customer", "agent", "customer", "customer", "system"]


@pytest.mark.parametrize(("actors", "error"), [({"in": "client"}, ValueError), (["in"], TypeError)])
def test_a_bad_actors_mapping_is_named(actors: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="actors"):
        jm.read_events(_tickets(), columns=COLUMNS, actors=actors)


def test_naive_times_are_read_in_the_zone_given() -> None:
    log = jm.read_events(_tickets(), columns=COLUMNS, tz="Europe/London")
    got = log.events["timestamp"].dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert got == ["2024-07-01 09:00", "2024-07-01 09:30", "2024-07-01 10:45", "2024-01-15 10:00", "2024-01-15 10:15"]
    plain = jm.read_events(_tickets(), columns=COLUMNS)  # None: naive times are UTC, as before
    assert plain.events["timestamp"].dt.strftime("%H:%M").tolist() == ["10:00", "10:30", "10:45", "10:00", "10:15"]


def test_naive_datetimes_from_excel_or_pandas_are_read_in_the_zone_too() -> None:
    frame = _tickets().assign(
        created_at=pd.to_datetime(
            ["2024-07-01 10:00", "2024-07-01 10:30", "2024-07-01 10:45", "2024-01-15 10:00", "2024-01-15 10:15"]
        )
    )
    log = jm.read_events(frame, columns=COLUMNS, tz=zoneinfo.ZoneInfo("America/New_York"))
    assert log.events["timestamp"].dt.strftime("%H:%M").tolist() == ["14:00", "14:30", "14:45", "15:00", "15:15"]
    objects = frame.assign(
        created_at=[
            dt.datetime(2024, 7, 1, 10, 0),
            dt.date(2024, 7, 1),
            "2024-07-01 10:45",
            "2024-01-15 10:00",
            "2024-01-15 10:15",
        ]
    )
    log = jm.read_events(objects, columns=COLUMNS, tz="+02:00")
    assert log.events["timestamp"].dt.strftime("%d %H:%M").tolist() == [
        "01 08:00",
        "30 22:00",
        "01 08:45",
        "15 08:00",
        "15 08:15",
    ]


def test_clock_changes_read_the_first_occurrence_and_skip_forward() -> None:
    frame = pd.DataFrame(
        {"customer_id": ["a", "b"], "timestamp": ["2024-10-27 01:30", "2024-03-31 01:30"], "text": ["twice", "never"]}
    )
    log = jm.read_events(frame, tz="Europe/London")
    # 01:30 on 27 October happens twice (BST, then GMT): the first is 00:30 UTC; 31 March skips
    # 01:00-02:00, and 01:30 moves forward by the gap, to 02:30 BST (before: 02:00, the gap's end)
    assert log.events["timestamp"].dt.strftime("%m-%d %H:%M").tolist() == ["10-27 00:30", "03-31 01:30"]
    assert len(log.warnings) == 2  # each row notes the rule it was read by


@pytest.mark.parametrize(("tz", "error"), [("Mars/Base", ValueError), (3, TypeError), ("", ValueError)])
def test_a_bad_tz_is_named(tz: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="tz"):
        jm.read_events(_tickets(), columns=COLUMNS, tz=tz)


def test_the_cluster_reads_role_names_and_zones_the_same_way() -> None:
    jmd = pytest.importorskip("journeymap.distributed")
    options = {"columns": COLUMNS, "actors": {"requester": "customer"}, "tz": "Europe/London"}
    single = jm.read_events(_tickets(), **options)
    spread = jmd.read_events(_tickets(), npartitions=2, **options)
    got = spread.events.compute()
    pd.testing.assert_series_equal(got["timestamp"], single.events["timestamp"])
    assert got["actor"].astype(str).tolist() == single.events["actor"].astype(str).tolist()


def test_the_cli_reads_actors_and_tz(tmp_path: Path) -> None:
    source = tmp_path / "tickets.csv"
    _tickets().assign(role=["in", "out", "in", "in", "out"]).to_csv(source, index=False)
    out = tmp_path / "scored.csv"
    args = ["score", str(source), "-o", str(out), "--scorer", "default", "--no-cache"]
    for src, dst in COLUMNS.items():
        args += ["--columns", f"{src}={dst}"]
    result = CliRunner().invoke(app, [*args, "--actors", "in=customer", "--actors", "out=agent", "--tz", "Mars/Base"])
    assert result.exit_code == 2  # a wrong command line (rv49): usage error
    assert "--tz 'Mars/Base' is not a timezone" in result.output
    result = CliRunner().invoke(app, [*args, "--actors", "in", "--tz", "Europe/London"])
    assert result.exit_code == 2
    assert "--actors takes ROLE=ACTOR pairs" in result.output


def test_the_report_draws_its_periods_and_hours_in_the_zone_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap import plot
    from journeymap.testing.data import planted_scores

    seen: list[object] = []
    drawn = plot.time_patterns

    def spy(js: jm.JourneySet, **kwargs: object) -> object:
        seen.append(kwargs.get("tz"))
        return drawn(js, **kwargs)

    monkeypatch.setattr(plot, "time_patterns", spy)
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
    jm.report(js, tmp_path / "r.html", tz="America/New_York", examples=0)
    assert seen == ["America/New_York", "America/New_York"]  # volume, then the share negative by hour
    with pytest.raises(ValueError, match="tz='Mars/Base'"):
        jm.report(js, tmp_path / "r2.html", tz="Mars/Base")
    assert not (tmp_path / "r2.html").exists()


def test_a_role_column_left_unmapped_is_named_in_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    frame = _tickets().rename(columns={k: v for k, v in COLUMNS.items() if k != "role"})
    with caplog.at_level("WARNING", logger="journeymap"):
        log = jm.read_events(frame)
    assert (log.events["actor"] == "customer").all()  # the documented default
    assert "column 'role' holds roles" in caplog.text
    assert "columns={'role': 'actor'}" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="journeymap"):
        jm.read_events(frame.assign(role=["a", "b", "c", "d", "e"]))  # not roles: no warning
    assert "holds roles" not in caplog.text


def test_the_cli_map_takes_a_gap_for_journeys_by_customer(tmp_path: Path) -> None:
    source = tmp_path / "tickets.csv"
    _tickets().to_csv(source, index=False)
    base = ["map", str(source), "--report", str(tmp_path / "r.html")]
    result = CliRunner().invoke(app, [*base, "--gap", "12h"])
    assert result.exit_code == 2  # a wrong command line (rv49): usage error
    assert "--gap splits a customer's events into journeys: it needs --by customer" in result.output
    result = CliRunner().invoke(app, [*base, "--by", "customer", "--gap", "soon"])
    assert result.exit_code == 2
    assert "gap" in result.output
    assert "Traceback" not in result.output


def test_tz_leaves_times_with_an_hour_only_offset_alone() -> None:
    # PostgreSQL writes timestamptz as "2024-07-01 10:00:00-05": an instant, not a wall time
    frame = pd.DataFrame(
        {
            "customer_id": "c",
            "timestamp": ["2024-07-01 10:00:00-05", "2024-07-01 10:00:00.123+02", "2024-07-01T10:00:00Z", "20240701"],
            "text": "x",
        }
    )
    plain = jm.read_events(frame).events["timestamp"]
    zoned = jm.read_events(frame, tz="America/New_York").events["timestamp"]
    assert (zoned.iloc[:3] == plain.iloc[:3]).all()
    assert plain.iloc[0] == pd.Timestamp("2024-07-01 15:00", tz="UTC")
    # an eight-digit date is a naive day, read in the zone like "2024-07-01" is
    assert zoned.iloc[3] == pd.Timestamp("2024-07-01 04:00", tz="UTC")


def test_a_first_row_with_a_field_past_the_csv_module_s_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("customer_id,timestamp,text\nc1,2024-01-01," + "x" * 200_000 + "\nc2,2024-01-02,yo\n")
    log = jm.read_events(path)
    assert log.events["text"].str.len().tolist() == [200_000, 2]


@pytest.mark.parametrize(
    ("actors", "error", "match"),
    [({"A": "agent", "a": "customer"}, ValueError, "two actors"), ({1.5: "agent"}, TypeError, "keys")],
)
def test_actors_keys_are_checked(actors: dict[object, str], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        jm.read_events(_tickets(), columns=COLUMNS, actors=actors)


def test_actors_maps_numeric_role_codes() -> None:
    frame = _tickets().assign(role=[1, 2, 1, 1, 2])
    log = jm.read_events(frame, columns=COLUMNS, actors={1: "customer", 2: "agent"})
    assert log.events["actor"].astype(str).tolist() == ["customer", "agent", "customer", "customer", "agent"]


@pytest.mark.parametrize("sla", ["3600", " 1.5 "])
def test_an_sla_written_as_a_bare_number_is_refused(sla: str) -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
    with pytest.raises(ValueError, match="has no unit"):
        jm.service_levels(js, sla=sla)


def test_the_cluster_warns_of_an_unmapped_role_column_too(caplog: pytest.LogCaptureFixture) -> None:
    jmd = pytest.importorskip("journeymap.distributed")
    frame = _tickets().rename(columns={k: v for k, v in COLUMNS.items() if k != "role"})
    with caplog.at_level("WARNING", logger="journeymap"):
        jmd.read_events(frame, npartitions=2)
    assert "column 'role' holds roles" in caplog.text


class _Words:
    """Negative for 'broken', positive for 'thanks', neutral otherwise: scores without the model."""

    id, taxonomy = "words.v1", jm.Taxonomy.sentiment()

    def score(self, texts: list[str]) -> object:
        import numpy as np

        bad = np.array([("broken" in t) for t in texts], dtype=np.float32)
        good = np.array([("thanks" in t) for t in texts], dtype=np.float32)
        neutral = 1 - np.maximum(bad, good)
        return np.stack([good, bad, 0 * good, neutral], axis=1)


def test_a_survey_report_says_the_service_sections_do_not_apply(tmp_path: Path) -> None:
    survey = pd.DataFrame(
        {
            "respondent": ["r1", "r2", "r3"],
            "submitted": ["2024-03-01 09:00", "2024-03-01 10:00", "2024-03-02 11:00"],
            "comment": ["the app is broken", None, "thanks, all good"],
        }
    )
    log = jm.read_events(survey, columns={"respondent": "customer_id", "submitted": "timestamp", "comment": "text"})
    js = jm.score(jm.build_journeys(log, by="customer"), _Words(), cache=False)
    page = jm.report(js, tmp_path / "survey.html", tz="Europe/London").read_text()
    assert "The data holds customer messages only" in page
    for section in ("Agent league", "Triage: open messages"):
        assert f"<h2>{section}</h2>" not in page
    assert "unanswered" not in page.split("<h2>Response times</h2>")[1].split("<h2>")[0]
    most = page.split("<h2>Most negative messages</h2>")[1].split("</table>")[0]
    assert most.index("the app is broken") < most.index("thanks, all good")
    assert "2024-03-01 09:00 GMT" in most  # times in the report's zone
    assert "&lt;NA&gt;" not in page
    assert "No example journeys: no journey has two or more customer messages, one of them scored." in page


def test_triage_times_are_shown_in_the_report_s_zone_and_brand_only_journeys_are_counted(tmp_path: Path) -> None:
    frame = _tickets().assign(
        created_at=["2024-07-01 10:00", "2024-07-01 10:30", "2024-07-01 10:45", "2024-01-15 10:00", "2024-01-15 10:15"]
    )
    frame.loc[4, "body"] = "the card is broken"  # the customer's last word, unanswered
    frame.loc[4, "role"] = "end-user"
    extra = pd.DataFrame(
        {"ticket": ["t3"], "requester": ["c3"], "created_at": ["2024-07-02 09:00"], "role": ["agent"], "body": ["we called you"]}
    )
    log = jm.read_events(pd.concat([frame, extra], ignore_index=True), columns=COLUMNS, tz="America/New_York")
    js = jm.score(jm.build_journeys(log), _Words(), cache=False)
    page = jm.report(js, tmp_path / "tickets.html", tz="America/New_York").read_text()
    triage_table = page.split("<h2>Triage: open messages</h2>")[1].split("</table>")[0]
    assert "2024-01-15 10:15 EST" in triage_table
    assert "1 journey with no customer message" in page
