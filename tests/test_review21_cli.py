"""Review 21, the command line in scripts, cron, CI and Makefiles (rv49).

From a reviewer who ran ``journeymap`` from shell scripts: ``map --topics`` checked ``--encoder``
and ``--min-score`` only after scoring the whole file; progress bars were drawn into log files
and pipes, with no ``--quiet``; the same kind of mistake exited 1 or 2 depending on who caught
it, and no exit status was documented; SIGTERM skipped the clean-up Ctrl-C gets; pipes,
``/dev/stdin`` and ``<(...)`` were refused as missing files; ``demo`` had no ``--no-cache``; a
run that scored nothing looked like a success; messages said ``cache=False`` and
``scorer={...}``; a status line went to standard output and paths were printed in two forms.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app
from journeymap.emotions import registry

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
PLUGIN = Path(__file__).parent / "fake_plugin"


def _events(path: Path, *, bad_row: bool = False) -> Path:
    """Two customers' messages and an agent's reply as CSV (``bad_row``: and a row with no time, rejected)."""
    frame = pd.DataFrame(
        {
            "event_id": ["1", "2", "3"],
            "customer_id": ["a", "a", "b"],
            "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z", "2024-01-02T10:00:00Z"],
            "actor": ["customer", "agent", "customer"],
            "text": ["my order is late", "sorry, we will look", "where is my refund"],
            "thread_id": ["t1", "t1", "t2"],
        }
    )
    frame.to_csv(path, index=False)
    if bad_row:
        path.write_text(path.read_text(encoding="utf-8") + "4,c,not a time,customer,hello,t3\n", encoding="utf-8")
    return path


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("the work started before the options were checked")


def _fake_score(events: object, *args: object, **kwargs: object) -> object:
    """A stand-in for jm.score on an events frame: every customer message scored by 'fake' (no model loaded)."""
    assert isinstance(events, pd.DataFrame)
    customer = events["actor"].eq("customer")
    return events.assign(scorer=pd.Series("fake", index=events.index).where(customer), valence=0.0, score_note=pd.NA)


def _cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: object = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """``python -m journeymap ARGS`` in ``cwd``: this checkout's code, the fake plugin installed, the test's cache folder."""
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(PLUGIN)]), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "journeymap", *args],
        cwd=cwd,
        env=environ,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )


# 3. Exit codes: 2 for a wrong command line, 1 for a failed run, documented


@pytest.mark.parametrize(
    "extra",
    [
        ["--gap", "3D"],
        ["--report", "REPORT.txt"],
        ["--labels", "a,b"],
        ["--tz", "Mars/Base"],
        ["--format", "twcs", "--columns", "a=b"],
        ["--columns", "nonsense"],
        ["--topics", "--labels", "a,a"],
    ],
)
def test_a_wrong_command_line_exits_2_with_the_usage_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str]
) -> None:
    # was: exit 1 with an "error:" line, as a failed run exits: a wrapper could not tell "fix the command" from "bad input"
    monkeypatch.setattr(jm, "score", _never)
    source = _events(tmp_path / "e.csv")
    args = ["map", str(source), "--report", str(tmp_path / "r.html"), *extra]
    args = [a.replace("REPORT", str(tmp_path / "r")) for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Usage: " in result.stderr and "Error: " in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_topics_options_for_journeys_with_texts_exit_2(tmp_path: Path) -> None:
    texts = tmp_path / "t.csv"
    texts.write_text("text\nmy card\n", encoding="utf-8")
    result = runner.invoke(
        app, ["topics", str(texts), "--format", "texts", "--by", "customer", "-o", str(tmp_path / "t.topics.csv")]
    )
    assert result.exit_code == 2, result.output
    assert "--format texts reads the messages alone" in result.stderr


def test_an_unreadable_input_fails_the_run_as_a_missing_one_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # was: a usage block and exit 2 from Click's readable check, while a missing file exited 1
    source = _events(tmp_path / "noperm.csv")
    real_access = os.access

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        if str(path) == str(source) and mode & os.R_OK:
            return False
        return real_access(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(jm, "score", _never)
    result = runner.invoke(app, ["map", str(source), "--report", str(tmp_path / "out" / "r.html")])
    assert result.exit_code == 1, result.output
    assert f"error: cannot read input {str(source)!r}: permission denied" in result.stderr
    assert "Usage:" not in result.output
    assert not (tmp_path / "out").exists()
    missing = runner.invoke(app, ["map", str(tmp_path / "missing.csv"), "--report", str(tmp_path / "out" / "r.html")])
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


def test_the_exit_statuses_are_in_the_help_and_the_guide() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    said = " ".join(result.output.split())
    for code in ("0 success", "1 the run failed", "2 the command line is wrong", "130 interrupted", "143 terminated"):
        assert code in said
    guide = " ".join((ROOT / "docs" / "guide" / "getting-started.md").read_text(encoding="utf-8").split())
    for code in ("`0`", "`1`", "`2`", "`130`", "`143`"):
        assert code in guide


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_cleans_up_as_ctrl_c_does_and_exits_143(tmp_path: Path) -> None:
    # was: the process died of SIGTERM (143 from the shell) with nothing said and its empty folders left behind
    source = _events(tmp_path / "e.csv")
    code = (
        "import os, signal, time\n"
        "import journeymap as jm\n"
        "from journeymap.cli import cli_main\n"
        "def slow(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(60)\n"
        "jm.score = slow\n"
        f"cli_main(['map', {str(source)!r}, '--report', {str(tmp_path / 'made' / 'deep' / 'r.html')!r}])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 143, (run.returncode, run.stderr)
    assert run.stderr.strip().splitlines()[-1] == "terminated"
    assert not (tmp_path / "made").exists()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # this process's own handler untouched


# 1. Every option checked before the file is read or scored


def _not_read(*args: object, **kwargs: object) -> None:
    raise AssertionError("the input was read before the options were checked")


@pytest.mark.parametrize(
    ("extra", "code", "said"),
    [
        (["--topics", "--encoder", "nosuch"], 1, "error: Unknown encoder 'nosuch'. Available names: "),
        (["--topics", "--encoder", "./no-such-folder"], 1, "error: --encoder './no-such-folder': no such model folder"),
        (["--topics", "--min-score", "1.5"], 2, "Error: --min-score 1.5 is outside the range of topic scores"),
        (["--scorer", "nosuch"], 1, "error: Unknown scorer 'nosuch'"),
        (["--lang-scorer", "*=./no-such-folder"], 1, "error: --lang-scorer './no-such-folder': no such model folder"),
    ],
)
def test_map_checks_the_encoder_scorer_and_min_score_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str], code: int, said: str
) -> None:
    # was: the whole file read and scored (25 s for 1,254 events, hours for an export), then "Unknown encoder"
    monkeypatch.setattr(jm, "read_events", _not_read)
    monkeypatch.setattr(jm, "score", _never)
    source = _events(tmp_path / "e.csv")
    result = runner.invoke(app, ["map", str(source), "--report", str(tmp_path / "out" / "r.html"), "--no-cache", *extra])
    assert result.exit_code == code, result.output
    assert said in result.stderr
    assert not (tmp_path / "out").exists()


def test_topics_checks_the_encoder_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jm, "read_events", _not_read)
    source = _events(tmp_path / "e.csv")
    result = runner.invoke(app, ["topics", str(source), "-o", str(tmp_path / "t.csv"), "--encoder", "nosuch"])
    assert result.exit_code == 1, result.output
    assert "error: Unknown encoder 'nosuch'" in result.stderr
    min_score = runner.invoke(app, ["topics", str(source), "-o", str(tmp_path / "t.csv"), "--min-score", "-3"])
    assert min_score.exit_code == 2 and "--min-score -3.0 is outside the range of topic scores" in min_score.stderr
    assert "None: no floor" not in min_score.stderr and "without --min-score: no floor" in min_score.stderr


# 2. Progress bars on a terminal only; -q; -v and -vv, before or after the command


def _scored_with(progress: list[object]) -> object:
    def score(events: object, *args: object, **kwargs: object) -> object:
        progress.append(kwargs.get("progress"))
        return _fake_score(events)

    return score


def test_no_progress_bar_into_a_file_or_a_pipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # was: progress=True always: carriage returns and block characters in cron mail, CI logs and 2>>job.log
    asked: list[object] = []
    monkeypatch.setattr(jm, "score", _scored_with(asked))
    source = _events(tmp_path / "e.csv")
    result = runner.invoke(app, ["score", str(source), "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    assert asked == [False]
    assert "\r" not in result.stderr


def test_progress_bars_on_a_terminal_unless_quiet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap import cli

    asked: list[object] = []
    monkeypatch.setattr(jm, "score", _scored_with(asked))
    monkeypatch.setattr(cli, "_terminal", lambda stream: True)
    source = _events(tmp_path / "e.csv")
    for args in (["score"], ["-q", "score"], ["score", "-q"], ["score", "--quiet"]):
        result = runner.invoke(app, [*args, str(source), "-o", str(tmp_path / "s.csv")])
        assert result.exit_code == 0, result.output
    assert asked == [True, False, False, False]


def test_quiet_and_verbose_together_are_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["-q", "score", "-v", str(tmp_path / "x.csv"), "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 2
    assert "-q (--quiet) and -v (--verbose) contradict each other" in result.stderr


def test_verbose_before_or_after_the_command_and_debug_with_vv(tmp_path: Path) -> None:
    # was: -v only before the command ("No such option: -v" after it); -vv added no DEBUG line
    for args in (["-vv", "scorers"], ["scorers", "-vv"], ["-v", "scorers", "-v"]):
        run = _cli(*args, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert "lexicon" in run.stdout.split()
        assert "debug: journeymap.cli: journeymap scorers" in run.stderr
        assert "debug: journeymap.cli: journeymap scorers: done in" in run.stderr
    plain = _cli("scorers", cwd=tmp_path)
    assert plain.returncode == 0 and plain.stderr == ""
    info = _cli("-v", "scorers", cwd=tmp_path)
    assert "debug:" not in info.stderr


def test_log_lines_are_said_as_the_error_lines_are(tmp_path: Path) -> None:
    # was: "WARNING journeymap.cli: ..." beside "error: ...": two formats on one standard error
    source = tmp_path / "e.csv"
    _events(source)
    with source.open("a", encoding="utf-8") as handle:
        handle.write("4,c,not a time,customer,hello,t3\n")
    run = _cli("score", str(source), "-o", str(tmp_path / "s.csv"), "--scorer", "lexicon", "--no-cache", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert f"warning: 1 of 4 rows of {source} rejected" in run.stderr.splitlines()
    assert "WARNING" not in run.stderr


# 4. Standard input, named pipes, /dev/stdin and <(...)


def test_score_reads_standard_input_as_csv(plugin_installed: None, tmp_path: Path) -> None:
    source = _events(tmp_path / "e.csv")
    out = tmp_path / "s.csv"
    result = runner.invoke(app, ["score", "-", "-o", str(out), "--scorer", "lexicon", "--no-cache"], input=source.read_bytes())
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["event_id"].tolist() == [1, 2, 3]
    empty = runner.invoke(app, ["score", "-", "-o", str(out), "--scorer", "lexicon", "--no-cache"], input=b"")
    assert empty.exit_code == 1
    assert "error: source '<stdin>' is empty" in empty.stderr  # the name given, not the temporary copy's


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_map_reads_a_named_pipe_once(tmp_path: Path) -> None:
    # was: "error: source 'in/fifo.csv' does not exist" for a pipe that exists
    source = _events(tmp_path / "e.csv")
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"cat {source} > {fifo}"])
    try:
        run = _cli("map", str(fifo), "--report", str(tmp_path / "r.html"), "--scorer", "lexicon", "--no-cache", cwd=tmp_path)
    finally:
        writer.wait(timeout=60)
    assert run.returncode == 0, run.stderr
    assert "2 journeys; 2 of 2 customer messages scored; report: " in run.stdout
    assert not list(Path(tempfile_dir()).glob("journeymap-input-*/fifo.csv"))  # the copy is removed


def tempfile_dir() -> str:
    import tempfile

    return tempfile.gettempdir()


@pytest.mark.skipif(sys.platform == "win32", reason="/dev/fd")
def test_score_reads_a_process_substitution_and_dev_stdin(tmp_path: Path) -> None:
    source = _events(tmp_path / "e.csv")
    # /dev/stdin a pipe (cat e.csv | journeymap score /dev/stdin ...): was "source '/dev/stdin' does not exist"
    with source.open("rb") as stdin, subprocess.Popen(["cat"], stdin=stdin, stdout=subprocess.PIPE) as piped:
        run = _cli(
            "score",
            "/dev/stdin",
            "-o",
            str(tmp_path / "s.csv"),
            "--scorer",
            "lexicon",
            "--no-cache",
            cwd=tmp_path,
            stdin=piped.stdout,
        )
    assert run.returncode == 0, run.stderr
    # <(cat e.csv): bash gives /dev/fd/63, a pipe; was "source '/dev/fd/63' does not exist"
    read, write = os.pipe()
    os.write(write, source.read_bytes())
    os.close(write)
    try:
        fd = f"/dev/fd/{read}"
        run = _cli(
            "score", fd, "-o", str(tmp_path / "s2.csv"), "--scorer", "lexicon", "--no-cache", cwd=tmp_path, pass_fds=(read,)
        )
    finally:
        os.close(read)
    assert run.returncode == 0, run.stderr
    assert pd.read_csv(tmp_path / "s2.csv")["text"].tolist() == pd.read_csv(source)["text"].tolist()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_the_library_says_a_pipe_is_no_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    with pytest.raises(jm.exceptions.SourceNotFoundError, match="is not a regular file \\(a pipe or a device\\)"):
        jm.io.read_table(fifo)
    with pytest.raises(jm.exceptions.SourceNotFoundError, match="does not exist"):
        jm.io.read_table(tmp_path / "missing.csv")


def test_a_missing_input_is_still_missing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 1
    assert f"error: input {str(tmp_path / 'missing.csv')!r} does not exist" in result.stderr


# 5. demo --no-cache; the last digits of cached scores documented


def _demo_scored_by_the_lexicon(asked: list[object]) -> object:
    real = jm.score

    def score(journeys: object, *args: object, **kwargs: object) -> object:
        asked.append(kwargs.get("cache"))
        return real(journeys, "lexicon", **kwargs)

    return score


def test_demo_takes_no_cache_and_says_results_on_stdout_alone(
    plugin_installed: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was: "No such option: --no-cache"; "... scoring with the default model (offline)..." on standard output
    asked: list[object] = []
    monkeypatch.setattr(jm, "score", _demo_scored_by_the_lexicon(asked))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["demo", "--out", "d", "--customers", "8", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert asked == [False]
    assert "scoring with the default model" in result.stderr and "scoring with" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].endswith("customer messages scored") and " journeys; " in lines[0]
    assert f"tables and charts: {tmp_path / 'd'}" in lines
    assert f"report: {tmp_path / 'd' / 'report.html'}" in lines
    quiet = runner.invoke(app, ["demo", "-q", "--out", "d", "--customers", "8"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert asked == [False, True]


def test_the_help_says_cached_scores_differ_in_the_last_digits() -> None:
    said = " ".join(runner.invoke(app, ["--help"]).output.split())
    assert "about 1e-7" in said and "--no-cache" in said
    for command in ("demo", "score", "map", "topics"):
        helped = " ".join(runner.invoke(app, [command, "--help"]).output.split())
        assert "--no-cache" in helped and "about 1e-7" in helped, command


# 6. A run that scored nothing says so


def test_map_and_score_say_how_many_customer_messages_were_scored(
    plugin_installed: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # was: "3 journeys; report: es/r.html", exit 0, for a run that scored none of the 3 Spanish messages
    source = tmp_path / "es.csv"
    pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4"],
            "customer_id": ["a", "a", "b", "c"],
            "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z", "2024-01-02T10:00:00Z", "2024-01-02T11:00:00Z"],
            "actor": ["customer", "agent", "customer", "customer"],
            "text": [
                "mi pedido llega tarde y estoy muy enfadado",
                "lo sentimos",
                "¿dónde está mi reembolso? nadie me responde",
                "esto es un desastre, quiero hablar con alguien",
            ],
            "thread_id": ["t1", "t1", "t2", "t3"],
        }
    ).to_csv(source, index=False)
    english_only = ["--scorer", "lexicon", "--scorer-option", 'languages=["en"]', "--no-cache"]
    with caplog.at_level("WARNING", logger="journeymap"):
        result = runner.invoke(app, ["map", str(source), "--report", str(tmp_path / "r.html"), *english_only])
    assert result.exit_code == 0, result.output
    said = "3 journeys; 0 of 3 customer messages scored (3 not read: language 'es'); report: "
    assert said in result.stdout
    # 7. in the command line's words: map writes no score_note column to look at
    assert "--lang-scorer LANG=SCORER" in caplog.text and "score_note column" not in caplog.text
    scored = runner.invoke(app, ["score", str(source), "-o", str(tmp_path / "s.csv"), *english_only])
    assert scored.exit_code == 0, scored.output
    assert f"wrote 4 events to {tmp_path / 's.csv'}; 0 of 3 customer messages scored (3 not read: language 'es')" in scored.stdout
    notes = pd.read_csv(tmp_path / "s.csv")["score_note"].dropna()
    assert len(notes) == 3
    assert all("--lang-scorer '*=MODEL'" in note and "scorer={" not in note for note in notes)


# 7. The command line's words, not Python's


def test_a_cache_that_cannot_be_made_says_no_cache(
    plugin_installed: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # was: "... set JOURNEYMAP_CACHE_DIR to a writable folder, or pass cache=False"
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    monkeypatch.setenv("JOURNEYMAP_CACHE_DIR", str(tmp_path / "afile" / "cache"))
    source = _events(tmp_path / "e.csv")
    with caplog.at_level("WARNING", logger="journeymap"):
        result = runner.invoke(app, ["score", str(source), "-o", str(tmp_path / "s.csv"), "--scorer", "lexicon"])
    assert result.exit_code == 0, result.output
    said = [r.getMessage() for r in caplog.records if "score cache" in r.getMessage()]
    assert said and all("pass --no-cache" in m and "cache=False" not in m for m in said)


def test_the_command_line_words_leave_the_library_alone(caplog: pytest.LogCaptureFixture) -> None:
    from journeymap.emotions.cache import ScoreCache

    with caplog.at_level("WARNING", logger="journeymap"):
        ScoreCache(Path("/proc/no/such/folder/c.sqlite"))
    assert any("pass cache=False" in r.getMessage() for r in caplog.records)  # a Python caller's words, outside the CLI


# 8. Standard output: results alone, paths absolute


def test_map_prints_every_path_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # was: "tables and charts: /abs/m1/tables" then "29 journeys; report: m1/report.html"
    monkeypatch.chdir(tmp_path)
    _events(tmp_path / "e.csv")
    with_bad_row = (tmp_path / "e.csv").read_text(encoding="utf-8") + "4,c,not a time,customer,hello,t3\n"
    (tmp_path / "e.csv").write_text(with_bad_row, encoding="utf-8")
    monkeypatch.syspath_prepend(str(PLUGIN))
    registry.refresh()
    try:
        result = runner.invoke(
            app, ["map", "e.csv", "--report", "m1/../m1/r.html", "--tables", "m1/t", "--scorer", "lexicon", "--no-cache"]
        )
    finally:
        registry.refresh()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"tables and charts: {tmp_path / 'm1' / 't'}" in lines
    assert lines[1].endswith(f"; report: {tmp_path / 'm1' / 'r.html'}")
    assert f"reasons in {tmp_path / 'm1' / 'r.rejects.csv'} " in lines[2]
