"""Review 18, command line: Parquet of mixed columns, outputs checked first, options refused, Ctrl-C, file modes.

From a reviewer who used only the command line: ``score -o x.parquet`` failed after scoring on a
column of numbers and text; an unwritable ``--tables`` folder was found after the scoring;
``train`` and ``evaluate`` ignored options that do not apply; ``--tz`` went unchecked with
``--format twcs``; library wording ("see EventLog.warnings", a raw ``UserWarning``) reached the
terminal; Ctrl-C printed nothing and left empty output folders; a trained model's weights were
readable by their owner alone.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app

runner = CliRunner()


def _events(path: Path, **extra: list[object]) -> Path:
    """Two customers' messages and an agent's reply as JSON Lines (``extra`` columns added)."""
    rows = {
        "event_id": ["1", "2", "3"],
        "customer_id": ["a", "a", "b"],
        "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z", "2024-01-02T10:00:00Z"],
        "actor": ["customer", "agent", "customer"],
        "text": ["my order is late", "sorry, we will look", "where is my refund"],
        "thread_id": ["t1", "t1", "t2"],
        **extra,
    }
    frame = pd.DataFrame(rows)
    path.write_text("".join(json.dumps(row) + "\n" for row in frame.to_dict(orient="records")), encoding="utf-8")
    return path


def _no_model(events: object, *args: object, **kwargs: object) -> object:
    """A stand-in for jm.score: every customer message scored by 'fake' (no model loaded)."""
    if isinstance(events, pd.DataFrame):
        return events.assign(scorer="fake", valence=0.0)
    raise AssertionError("only score's events frame is expected here")


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("the work started before the outputs were checked")


def _interrupted(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


# 1. Parquet of a column of numbers and text


def test_score_writes_a_column_of_numbers_and_text_to_parquet_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # was: pyarrow's "Could not convert 'A-77' with type str" after the whole file was scored, exit 1, no output
    monkeypatch.setattr(jm, "score", _no_model)
    source = _events(tmp_path / "mixed.jsonl", order_no=[12345, "A-77", None])
    out = tmp_path / "scored.parquet"
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        result = runner.invoke(app, ["score", str(source), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    back = pd.read_parquet(out)["order_no"]
    assert back.iloc[:2].tolist() == ["12345", "A-77"]
    assert pd.isna(back.iloc[2])
    assert "column 'order_no' holds values of mixed types (int, str): written to Parquet as text" in caplog.text


def test_write_table_writes_a_column_of_numbers_and_text_to_parquet_as_text(tmp_path: Path) -> None:
    out = jm.io.write_table(pd.DataFrame({"order_no": [12345, "A-77"]}), tmp_path / "t.parquet")
    assert pd.read_parquet(out)["order_no"].tolist() == ["12345", "A-77"]


# 2. Every output checked before the work


def test_map_refuses_a_tables_folder_it_cannot_make_before_scoring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # was: found after the scoring, with report.html written and looking complete
    if not Path("/sys").is_dir():
        pytest.skip("needs /sys, a folder nothing can be made in")
    monkeypatch.setattr(jm, "score", _never)
    report = tmp_path / "r4" / "report.html"
    source = _events(tmp_path / "e.jsonl")
    result = runner.invoke(app, ["map", str(source), "--report", str(report), "--tables", "/sys/jm-tables", "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "error:" in result.output
    assert "/sys/jm-tables" in result.output
    assert not report.exists()
    assert not report.parent.exists()  # the folder made for the report, left empty, is removed


def test_map_refuses_an_unwritable_rejects_file_before_scoring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jm, "score", _never)
    report = tmp_path / "report.html"
    (tmp_path / "report.rejects.csv").mkdir()  # a folder where the rejects file goes: it cannot be written
    source = _events(tmp_path / "e.jsonl")
    result = runner.invoke(app, ["map", str(source), "--report", str(report), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "report.rejects.csv" in result.output


# 3. Options that do not apply are refused


def _goemotions_folder(path: Path) -> Path:
    path.mkdir()
    (path / "labels.txt").write_text("joy\nanger\n", encoding="utf-8")
    for split in ("train", "dev", "test"):
        (path / f"{split}.tsv").write_text("so happy\t0\tx1\nso cross\t1\tx2\n", encoding="utf-8")
    return path


def test_train_refuses_table_options_with_a_goemotions_folder(tmp_path: Path) -> None:
    # was: exit 0, validated on the folder's dev.tsv, never mentioning --dev
    folder = _goemotions_folder(tmp_path / "ge")
    out = tmp_path / "trg"
    args = ["train", str(folder), "-o", str(out), "--epochs", "1", "--dev", str(tmp_path / "dev.csv")]
    args += ["--text-column", "nope", "--label-map", "0=foo", "--valence", "foo=0.5"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output  # a wrong command line (rv49): usage error
    line = next(line for line in result.output.splitlines() if line.startswith("Error:"))
    for option in ("--dev", "--text-column", "--label-map", "--valence"):
        assert option in line
    assert "GoEmotions-format folder" in line
    assert not out.exists()


def test_the_training_api_refuses_table_arguments_with_a_folder(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from journeymap.emotions.train import train

    folder = _goemotions_folder(tmp_path / "ge")
    with pytest.raises(jm.InvalidArgumentError, match=r"dev=.*GoEmotions-format folder"):
        train(folder, tmp_path / "model", dev=tmp_path / "dev.csv")


def test_evaluate_refuses_split_with_a_table(tmp_path: Path) -> None:
    # was: the whole table evaluated, as if --split were not given
    table = tmp_path / "t.csv"
    pd.DataFrame({"text": ["great", "awful"], "label": ["positive", "negative"]}).to_csv(table, index=False)
    result = runner.invoke(app, ["evaluate", str(table), "--split", "dev"])
    assert result.exit_code == 2, result.output  # a wrong command line (rv49): usage error
    assert "Error: --split chooses a folder's split" in result.output


def test_evaluate_refuses_table_options_with_a_goemotions_folder(tmp_path: Path) -> None:
    folder = _goemotions_folder(tmp_path / "ge")
    result = runner.invoke(app, ["evaluate", str(folder), "--label-map", "0=negative", "--text-column", "foo"])
    assert result.exit_code == 2, result.output  # a wrong command line (rv49): usage error
    assert "Error: --text-column and --label-map apply to a labelled table" in result.output


# 4. --tz checked whatever the format


@pytest.mark.parametrize("command", ["score", "topics"])
def test_an_unknown_tz_is_refused_with_twcs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.setattr(jm, "score", _never)
    monkeypatch.setattr(jm, "read_twcs", _never)
    source = tmp_path / "twcs.csv"
    source.write_text("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n")
    out = tmp_path / ("o.csv" if command == "topics" else "o.parquet")
    result = runner.invoke(app, [command, str(source), "--format", "twcs", "--tz", "Mars/Base", "-o", str(out)])
    assert result.exit_code == 2, result.output  # a wrong command line (rv49): usage error
    assert "Error: --tz 'Mars/Base'" in result.output


# 5. The library's words, said the command line's way


def test_dangling_replies_warning_has_no_api_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(jm, "score", _no_model)
    source = _events(tmp_path / "e.jsonl", in_reply_to=[None, "1", "999"])
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        result = runner.invoke(app, ["score", str(source), "-o", str(tmp_path / "o.csv"), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "name an event that is not in the data" in caplog.text
    assert "EventLog" not in caplog.text


@pytest.mark.filterwarnings("default::UserWarning")
def test_a_python_warning_is_one_warning_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # was: "cli.py:474: UserWarning: ..." and the source line "log = jm.read_events(...)"
    monkeypatch.setattr(jm, "score", _no_model)
    source = tmp_path / "e.csv"
    frame = pd.read_json(_events(tmp_path / "e.jsonl"), lines=True, dtype=False).rename(columns={"actor": "role"})
    frame.to_csv(source, index=False)
    args = ["score", str(source), "-o", str(tmp_path / "o.csv"), "--columns", "role=actr", "--agents", "--no-cache"]
    result = runner.invoke(app, args)
    assert "warning: columns maps 'role' onto 'actr'" in result.output
    assert "UserWarning" not in result.output
    assert "jm.read_events" not in result.output


# 6. Ctrl-C


def test_ctrl_c_says_interrupted_and_removes_the_empty_folders_it_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jm, "score", _interrupted)
    source = _events(tmp_path / "e.jsonl")
    report = tmp_path / "sg" / "deeper" / "r.html"
    result = runner.invoke(app, ["map", str(source), "--report", str(report), "--no-cache"])
    assert result.exit_code == 130, result.output
    assert result.stderr.splitlines()[-1] == "interrupted"  # after a newline only where a progress bar was drawn (rv49)
    assert not (tmp_path / "sg").exists()


def test_ctrl_c_in_train_removes_the_empty_model_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    import journeymap.emotions.train as training

    monkeypatch.setattr(training, "train", _interrupted)
    table = tmp_path / "t.csv"
    pd.DataFrame({"text": ["great", "awful"], "label": ["positive", "negative"]}).to_csv(table, index=False)
    out = tmp_path / "trm"
    result = runner.invoke(app, ["train", str(table), "-o", str(out)])
    assert result.exit_code == 130, result.output
    assert "interrupted" in result.stderr
    assert not out.exists()


# 7. The trained weights' mode


def test_saved_weights_get_the_mode_the_umask_gives(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from journeymap.emotions import _minilm

    mask = os.umask(0o022)
    try:
        _minilm.save_weights(torch.nn.Linear(2, 2), tmp_path, {"labels": []})
    finally:
        os.umask(mask)
    assert (tmp_path / "model.safetensors").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "config.json").stat().st_mode & 0o777 == 0o644
