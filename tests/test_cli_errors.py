"""The command line: an ``error:`` line and a non-zero exit for every handled failure, never a traceback."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


def events_csv(path: Path, *, times: tuple[str, ...] = ("2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z")) -> Path:
    pd.DataFrame(
        {"customer_id": ["a"] * len(times), "timestamp": list(times), "text": ["hello"] * len(times), "thread_id": "t"}
    ).to_csv(path, index=False)
    return path


def fails_cleanly(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert f"error: {message}" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def wrong_usage(args: list[str], message: str) -> None:
    """A command line that is wrong: exit 2, Click's usage line and ``Error: <message>`` (rv49: before, exit 1)."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Usage: " in result.output and f"Error: {message}" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_score_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    source = events_csv(tmp_path / "in.csv")
    before = source.read_bytes()
    wrong_usage(["score", str(source), "-o", str(source), "--no-cache"], "--output")
    assert source.read_bytes() == before


def test_map_refuses_to_write_the_report_onto_the_input(tmp_path: Path) -> None:
    source = events_csv(tmp_path / "in.csv")
    wrong_usage(["map", str(source), "--report", str(source)], "--report")


def test_zero_usable_events_is_an_error_line(tmp_path: Path) -> None:
    source = events_csv(tmp_path / "bad.csv", times=("3000-01-01", "not a time"))
    fails_cleanly(["score", str(source), "-o", str(tmp_path / "out.csv")], "no usable events")
    result = runner.invoke(app, ["score", str(source), "-o", str(tmp_path / "out.csv")])
    assert "all 2 rows were rejected (timestamp: " in result.output  # the reasons, not only the count


def test_columns_with_the_twcs_format_are_an_error_not_ignored(tmp_path: Path) -> None:
    source = events_csv(tmp_path / "in.csv")
    wrong_usage(["map", str(source), "--format", "twcs", "--columns", "foo"], "--columns and --actors read --format events")


def test_demo_needs_a_customer(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--customers", "0", "--out", str(tmp_path / "d")])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_output_is_an_error_line(tmp_path: Path) -> None:
    source = events_csv(tmp_path / "in.csv")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    fails_cleanly(["score", str(source), "-o", str(locked / "out.csv"), "--no-cache"], "cannot write")


def test_an_output_in_a_missing_place_that_cannot_be_made_is_an_error_line(tmp_path: Path) -> None:
    source = events_csv(tmp_path / "in.csv")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    fails_cleanly(["score", str(source), "-o", str(blocker / "out.csv"), "--no-cache"], "")
    result = runner.invoke(app, ["score", str(source), "-o", str(blocker / "out.csv"), "--no-cache"])
    assert str(blocker) in result.output


def test_a_stale_rejects_file_of_an_earlier_run_is_removed(tmp_path: Path) -> None:
    bad = events_csv(tmp_path / "in.csv", times=("2024-01-01T10:00:00Z", "not a time"))
    out = tmp_path / "out.parquet"
    stale = tmp_path / "out.rejects.csv"
    first = runner.invoke(app, ["score", str(bad), "-o", str(out), "--scorer", "default", "--no-cache"])
    assert first.exit_code == 0, first.output
    assert stale.is_file()
    events_csv(bad)  # now every row is good
    second = runner.invoke(app, ["score", str(bad), "-o", str(out), "--scorer", "default", "--no-cache"])
    assert second.exit_code == 0, second.output
    assert not stale.exists()


def test_a_twcs_file_read_as_events_suggests_the_format(tmp_path: Path) -> None:
    path = tmp_path / "twcs.csv"
    pd.DataFrame(
        {
            "tweet_id": ["1"],
            "author_id": ["115712"],
            "inbound": ["True"],
            "created_at": ["Wed Oct 11 06:55:44 +0000 2017"],
            "text": ["@AskBrand hi"],
            "in_response_to_tweet_id": [None],
        }
    ).to_csv(path, index=False)
    fails_cleanly(["map", str(path)], "missing required column")
    result = runner.invoke(app, ["map", str(path)])
    assert "--format twcs" in result.output


def test_an_output_path_that_is_a_folder_is_an_error_line(tmp_path: Path) -> None:
    source = events_csv(tmp_path / "in.csv")
    (tmp_path / "taken.csv").mkdir()
    result = runner.invoke(app, ["score", str(source), "-o", str(tmp_path / "taken.csv"), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "error: " in result.output
    assert "taken.csv" in result.output
    assert "Traceback" not in result.output


# -- a review of the CLI end to end (fifth session, 2026-12-05) ----------------------------------


def test_the_rejects_file_is_never_the_input(tmp_path: Path) -> None:
    # before: score replaced the input with its rejects table; map deleted it as a "stale" rejects file
    source = events_csv(tmp_path / "export.rejects.csv")
    before = source.read_bytes()
    wrong_usage(["score", str(source), "-o", str(tmp_path / "export.csv")], "the rejects file")
    wrong_usage(["map", str(source), "--report", str(tmp_path / "export.html")], "the rejects file")
    wrong_usage(["topics", str(source), "-o", str(tmp_path / "export.csv")], "the rejects file")
    assert source.read_bytes() == before


def test_topics_writes_its_rejects_beside_its_output(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z", "not a time", "2024-01-02T11:00:00Z"],
            "text": ["my card was declined", "refund please", "hello", "card blocked again"],
        }
    )
    frame.to_csv(source, index=False)
    out = tmp_path / "t" / "topics.csv"
    result = runner.invoke(app, ["topics", str(source), "-o", str(out), "--labels", "card,refund", "--by", "customer"])
    assert result.exit_code == 0, result.output
    rejects = pd.read_csv(out.with_name("topics.rejects.csv"))
    assert rejects["row"].tolist() == [2] and "1 row rejected; reasons in" in result.output


def test_the_command_line_names_the_rejects_file_not_a_python_object(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # from a docs review: the library's "see EventLog.rejects" (a Python object) was logged beside
    # the command's own line naming the file
    source = tmp_path / "in.csv"
    source.write_text("customer_id,timestamp,text\na,2024-01-01T10:00:00Z,late again\nb,not a time,hi\nc,x,y\n")
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        result = runner.invoke(app, ["score", str(source), "-o", str(tmp_path / "out.csv"), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "2 rows rejected; reasons in" in result.output
    assert not [r for r in caplog.records if "EventLog.rejects" in r.getMessage()]
    assert [r for r in caplog.records if r.getMessage() == f"2 of 3 rows of {source} rejected"]  # said on reading
    # the library itself still says where to look
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        jm.read_events(source, on_error="collect")
    assert [r for r in caplog.records if "see EventLog.rejects" in r.getMessage()]


def test_map_fails_on_an_unusable_report_or_tz_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import journeymap as jm

    def no_scoring(*args: object, **kwargs: object) -> None:
        raise AssertionError("scored before the arguments were checked")

    monkeypatch.setattr(jm, "score", no_scoring)
    source = events_csv(tmp_path / "in.csv")
    (tmp_path / "afile").write_text("x")
    fails_cleanly(["map", str(source), "--report", str(tmp_path / "afile" / "report.html")], "")
    wrong_usage(["map", str(source), "--tz", "Mars/Base"], "--tz 'Mars/Base' is not a timezone")


def test_train_refuses_a_valence_outside_minus_one_to_one(tmp_path: Path) -> None:
    table = tmp_path / "lab.csv"
    pd.DataFrame({"text": ["awful", "fine", "great"] * 4, "label": ["grr", "meh", "yay"] * 4}).to_csv(table, index=False)
    others = ["--valence", "meh=0", "--valence", "yay=1"]
    for value in ("-5", "nan"):
        args = ["train", str(table), "-o", str(tmp_path / "m"), "--valence", f"grr={value}", *others]
        wrong_usage(args, "--valence takes values in [-1, 1]")


def test_a_validation_error_keeps_its_reason() -> None:
    import pydantic

    from journeymap.cli import _first_line

    class Model(pydantic.BaseModel):
        valence: float = pydantic.Field(ge=-1, le=1)

    with pytest.raises(pydantic.ValidationError) as info:
        Model(valence=-5)
    line = _first_line(info.value)
    assert line.startswith("1 validation error for Model: valence:") and "greater than or equal to -1" in line


def test_verbose_turns_up_journeymap_logging_only() -> None:
    import logging

    class Kept(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.NOTSET)
            self.records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    library, root = logging.getLogger("journeymap"), logging.getLogger()
    before = library.level, root.level
    kept = Kept()
    library.addHandler(kept)
    try:
        assert runner.invoke(app, ["-vv", "scorers"]).exit_code == 0
        # while the command ran, journeymap's debug lines passed its logger (before: the root logger's level was
        # turned up, matplotlib's fonts included); afterwards the levels are the host's again (rv50)
        assert any(r.levelno == logging.DEBUG and "scorers: done in" in r.getMessage() for r in kept.records)
        assert (library.level, root.level) == before
    finally:
        library.removeHandler(kept)
        library.setLevel(before[0])
        root.setLevel(before[1])


def test_a_gap_with_journeys_by_thread_is_refused_even_at_its_default(tmp_path: Path) -> None:
    source = events_csv(tmp_path / "in.csv")
    wrong_usage(["map", str(source), "--gap", "7D"], "--gap splits a customer's events")  # before: accepted, ignored


def test_all_rows_rejected_still_leaves_the_rejects_file(tmp_path: Path) -> None:
    source = events_csv(tmp_path / "in.csv", times=("not a time", "nor this"))
    out = tmp_path / "o" / "scored.csv"
    fails_cleanly(["score", str(source), "-o", str(out)], "no usable events")
    assert pd.read_csv(out.with_name("scored.rejects.csv"))["row"].tolist() == [0, 1]  # before: no file to read


def test_verbose_says_what_was_read_built_and_written(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import journeymap as jm

    source = tmp_path / "events.parquet"
    jm.datasets.service_journeys(8, seed=1).events.to_parquet(source)
    with caplog.at_level("INFO", logger="journeymap.cli"):
        result = runner.invoke(app, ["map", str(source), "--report", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    said = [r.getMessage() for r in caplog.records if r.name == "journeymap.cli"]
    assert any(m.startswith(f"read {source}:") and "rows rejected" in m for m in said)  # before: nothing
    assert any(m.startswith("built ") and "journeys by thread" in m for m in said)


def test_a_missing_input_fails_before_any_output_folder_is_made(tmp_path: Path) -> None:
    # from a CLI review: `map nope.csv --report new/r.html` failed but left new/ behind
    for args, made in (
        (["map", str(tmp_path / "nope.csv"), "--report", str(tmp_path / "a" / "r.html")], tmp_path / "a"),
        (["topics", str(tmp_path / "nope.csv"), "--output", str(tmp_path / "b" / "t.csv")], tmp_path / "b"),
    ):
        fails_cleanly(args, "input")
        assert not made.exists()
