"""What the command line writes to disk: never over its input, never beside another run's output."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import matplotlib as mpl
import pandas as pd
import pytest
from typer.testing import CliRunner

mpl.use("Agg")

import journeymap as jm
from journeymap.cli import app

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


def service_csv(path: Path) -> Path:
    """A customer and an agent replying: every table and chart of ``--tables`` is written."""
    pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b"],
            "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z", "2024-01-02T10:00:00Z", "2024-01-02T11:00:00Z"],
            "actor": ["customer", "agent", "customer", "agent"],
            "text": ["my card was declined again", "sorry, we will look", "refund please", "done, refunded"],
            "thread_id": ["t1", "t1", "t2", "t2"],
        }
    ).to_csv(path, index=False)
    return path


def fails_cleanly(args: list[str], message: str, code: int = 1) -> str:
    """Exit 1 and one ``error:`` line for a failed run; exit 2 and Click's ``Error:`` after the usage line for a wrong command."""
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert f"{'error' if code == 1 else 'Error'}: {message}" in result.output, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize("name", ["triage.csv", "topics.csv", "service_levels.csv"])
def test_map_refuses_tables_that_would_overwrite_the_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    # from a CLI review: `map t/triage.csv --tables t` replaced the raw export with the triage table, exit 0
    def no_scoring(*args: object, **kwargs: object) -> None:
        raise AssertionError("scored before the outputs were checked")

    monkeypatch.setattr(jm, "score", no_scoring)
    folder = tmp_path / "t"
    folder.mkdir()
    source = service_csv(folder / name)
    before = source.read_bytes()
    args = ["map", str(source), "--report", str(tmp_path / "r.html"), "--tables", str(folder), "--no-cache"]
    fails_cleanly(args, f"--tables: the file {str(source)!r} is the input file", 2)
    assert source.read_bytes() == before
    assert not (tmp_path / "r.html").exists()


def test_table_files_lists_every_file_the_tables_folder_gets(tmp_path: Path) -> None:
    from journeymap.cli import TABLE_FILES, TABLES_MANIFEST

    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out), "--customers", "30"])
    assert result.exit_code == 0, result.output
    written = {p.name for p in out.iterdir()} - {"report.html", "events_scored.parquet", TABLES_MANIFEST}
    assert written <= set(TABLE_FILES)
    assert set((out / TABLES_MANIFEST).read_text(encoding="utf-8").split()) == written  # the manifest lists them
    segments = pd.read_csv(out / "segments_tier.csv")
    assert segments["measure"].eq("end_valence").all()  # the file says what diff_vs_rest and the tests are of


def test_map_removes_the_tables_an_earlier_run_wrote_and_this_one_does_not(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # from a CLI review: topics.csv of an earlier `--topics` run stayed beside this run's tables
    folder = tmp_path / "t"
    folder.mkdir()
    for name in ("topics.csv", "response_times.csv", "trends.png", "notes.csv", "topics.messages.csv", "triage.csv"):
        (folder / name).write_text("an earlier run's\n")
    # what an earlier map run wrote there; triage.csv is not among them (another program's, say): it stays
    (folder / ".journeymap-tables").write_text("topics.csv\nresponse_times.csv\ntrends.png\n", encoding="utf-8")
    source = tmp_path / "survey.csv"  # customer messages only: no service tables, no trends chart
    pd.DataFrame(
        {"customer_id": ["a", "b"], "timestamp": ["2024-01-01T10:00:00Z", "2024-01-02T10:00:00Z"], "text": ["late", "great"]}
    ).to_csv(source, index=False)
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        result = runner.invoke(
            app, ["map", str(source), "--by", "customer", "--report", str(tmp_path / "r.html"), "--tables", str(folder)]
        )
    assert result.exit_code == 0, result.output
    names = {p.name for p in folder.iterdir()}
    assert not names & {"topics.csv", "response_times.csv", "trends.png"}
    assert {"notes.csv", "topics.messages.csv", "triage.csv", "journey_metrics.csv", "journey_map.png"} <= names  # kept
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("removed ")]
    assert said == [
        f"removed response_times.csv, topics.csv, trends.png from {folder}: an earlier run's, this run does not write them"
    ]


def all_rejected_csv(path: Path) -> Path:
    """Rows whose every time is unreadable: no event survives."""
    pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["not a time", "nor this"], "text": ["x", "y"]}).to_csv(
        path, index=False
    )
    return path


def test_a_failed_run_removes_the_earlier_runs_output_beside_its_rejects(tmp_path: Path) -> None:
    # from a CLI review: the rejects of a failed run sat beside the results of another input
    good, bad = service_csv(tmp_path / "good.csv"), all_rejected_csv(tmp_path / "bad.csv")
    out = tmp_path / "o" / "scored.csv"
    assert runner.invoke(app, ["score", str(good), "-o", str(out)]).exit_code == 0
    printed = fails_cleanly(["score", str(bad), "-o", str(out)], "no usable events")
    assert not out.exists() and out.with_name("scored.rejects.csv").is_file()
    assert f"removed {str(out)!r} of an earlier run" in printed

    report, tables = tmp_path / "m" / "r.html", tmp_path / "m" / "t"
    keep = tmp_path / "m" / "notes.txt"
    ok = runner.invoke(app, ["map", str(good), "--report", str(report), "--tables", str(tables)])
    assert ok.exit_code == 0, ok.output
    keep.write_text("mine")
    (tables / "notes.csv").write_text("mine")
    printed = fails_cleanly(["map", str(bad), "--report", str(report), "--tables", str(tables)], "no usable events")
    assert not report.exists() and report.with_name("r.rejects.csv").is_file()
    assert sorted(p.name for p in tables.iterdir()) == ["notes.csv"] and keep.is_file()  # only its own outputs (and list)
    assert f"removed {str(report)!r}, {str(tables / 'journey_metrics.csv')!r}" in printed

    # a run that fails with nothing of an earlier run to remove says nothing of it
    printed = fails_cleanly(["score", str(bad), "-o", str(out)], "no usable events")
    assert "removed" not in printed


def caveat_csv(path: Path) -> Path:
    """A London time in the clocks' gap (moved forward) and a reply to an event not in the data: both kept."""
    pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "timestamp": ["2017-03-26 01:30:00", "2017-03-26 03:00:00", "2017-03-27 10:00:00"],
            "actor": ["customer", "agent", "customer"],
            "text": ["late again", "sorry about that", "hi"],
            "event_id": ["1", "2", "3"],
            "in_reply_to": [None, "1", "99"],
        }
    ).to_csv(path, index=False)
    return path


def test_rows_kept_with_a_caveat_are_written_beside_the_output_and_said(tmp_path: Path) -> None:
    # from a CLI review: a time moved for the clocks and a reply to a missing parent were never shown
    source = caveat_csv(tmp_path / "in.csv")
    out = tmp_path / "scored.csv"
    noted = tmp_path / "scored.warnings.csv"
    result = runner.invoke(app, ["score", str(source), "-o", str(out), "--tz", "Europe/London"])
    assert result.exit_code == 0, result.output
    warnings = pd.read_csv(noted)
    assert list(warnings.columns) == ["row", "column", "reason", "value"]
    assert warnings["row"].tolist() == [0, 2] and warnings["column"].tolist() == ["timestamp", "in_reply_to"]
    assert f"2 rows kept with a caveat; reasons in {noted} (rows numbered from 0, the header not counted)" in result.output
    assert len(pd.read_csv(out)) == 3  # kept, not rejected
    assert not out.with_name("scored.rejects.csv").exists()

    service_csv(source)  # a run without caveats removes the earlier run's file
    result = runner.invoke(app, ["score", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert not noted.exists() and "kept with a caveat" not in result.output

    noted.write_text("an earlier run's\n")  # and so does a run that fails on every row
    fails_cleanly(["score", str(all_rejected_csv(source)), "-o", str(out)], "no usable events")
    assert not noted.exists()


def test_map_writes_the_caveats_and_its_report_counts_them(tmp_path: Path) -> None:
    source = caveat_csv(tmp_path / "in.csv")
    report = tmp_path / "r.html"
    result = runner.invoke(app, ["map", str(source), "--report", str(report), "--tz", "Europe/London"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "r.warnings.csv")["row"].tolist() == [0, 2]
    assert f"2 rows kept with a caveat; reasons in {tmp_path / 'r.warnings.csv'}" in result.output
    page = report.read_text(encoding="utf-8")
    assert "3 input rows, none rejected, 2 kept with a caveat (see r.warnings.csv)" in page


def test_the_warnings_file_is_never_the_input(tmp_path: Path) -> None:
    source = caveat_csv(tmp_path / "export.warnings.csv")
    before = source.read_bytes()
    fails_cleanly(["score", str(source), "-o", str(tmp_path / "export.csv")], "the warnings file", 2)
    fails_cleanly(["map", str(source), "--report", str(tmp_path / "export.html")], "the warnings file", 2)
    fails_cleanly(["topics", str(source), "-o", str(tmp_path / "export.csv")], "the warnings file", 2)
    assert source.read_bytes() == before


def test_the_report_counts_rows_kept_with_a_caveat_only_when_there_are_some(tmp_path: Path) -> None:
    log = jm.read_events(caveat_csv(tmp_path / "in.csv"), tz="Europe/London", on_error="collect")
    js = jm.score(jm.build_journeys(log, by="customer"), cache=False)
    page = jm.report(js, tmp_path / "a.html", log=log).read_text(encoding="utf-8")
    assert "2 kept with a caveat (see EventLog.warnings)" in page
    page = jm.report(js, tmp_path / "b.html", log=log, warnings=tmp_path / "x.warnings.csv").read_text(encoding="utf-8")
    assert "2 kept with a caveat (see x.warnings.csv)" in page and "EventLog.warnings" not in page
    clean = jm.read_events(service_csv(tmp_path / "clean.csv"), on_error="collect")
    page = jm.report(jm.score(jm.build_journeys(clean), cache=False), tmp_path / "c.html", log=clean).read_text(encoding="utf-8")
    assert "caveat" not in page


def test_a_twcs_reply_to_a_tweet_outside_the_data_is_said_with_its_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source = tmp_path / "twcs.csv"
    pd.DataFrame(
        {
            "tweet_id": ["1", "2"],
            "author_id": ["115712", "AskBrand"],
            "inbound": ["True", "False"],
            "created_at": ["Wed Oct 11 06:55:44 +0000 2017", "Wed Oct 11 07:05:44 +0000 2017"],
            "text": ["@AskBrand late again", "@115712 sorry"],
            "response_tweet_id": ["2", None],
            "in_response_to_tweet_id": ["999999", "1"],
        }
    ).to_csv(source, index=False)
    out = tmp_path / "scored.csv"
    with caplog.at_level(logging.INFO, logger="journeymap"):
        result = runner.invoke(app, ["-v", "score", str(source), "--format", "twcs", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"1 row kept with a caveat; reasons in {tmp_path / 'scored.warnings.csv'}" in result.output
    assert not [r for r in caplog.records if "EventLog.warnings" in r.getMessage()]  # the file is named instead


def test_an_output_folder_that_is_a_file_names_the_option(tmp_path: Path) -> None:
    # from a CLI review: "error: File exists 'notadir'", naming neither the option nor what is wrong
    source = service_csv(tmp_path / "in.csv")
    blocker = tmp_path / "notadir"
    blocker.write_text("a file")
    said = "is a file, not a folder"
    for args, option in (
        (["score", str(source), "-o", str(blocker / "x.csv")], "--output"),
        (["score", str(source), "-o", str(blocker / "sub" / "x.csv")], "--output"),
        (["map", str(source), "--report", str(blocker / "r.html")], "--report"),
        (["map", str(source), "--report", str(tmp_path / "r.html"), "--tables", str(blocker)], "--tables"),
        (["topics", str(source), "-o", str(blocker / "t.csv")], "--output"),
        (["demo", "--out", str(blocker)], "--out"),
        (["train", str(source), "-o", str(blocker)], "--out"),
    ):
        fails_cleanly(args, f"{option}: {str(blocker)!r} {said}")
    assert blocker.read_text() == "a file" and not (tmp_path / "r.html").exists()
