"""Review 22, the command line: the host's matplotlib left alone, charts drawn once, ``-o -``.

Left alone by the twenty-first session: ``map`` and ``demo`` called ``matplotlib.use("Agg")``,
which switched the backend of a process that ran the command in itself (typer's ``CliRunner``,
a notebook) for good; ``map --tables --report`` computed the map's bootstrap and the journey
graph and drew the map, the graph, the time-of-day chart and the trends twice (for the report,
then for the PNG files); ``shared_tables`` and the report's sections each wrote the four table
calls; ``-o -`` was refused as a file name without a suffix.
"""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap import cli
from journeymap.cli import app
from journeymap.emotions import registry
from journeymap.testing.data import planted_scores

from .test_review21_cli import _events

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd

runner = CliRunner()
report_module = importlib.import_module("journeymap.report")  # jm.report is the function
ROOT = Path(__file__).resolve().parents[1]
PLUGIN = Path(__file__).parent / "fake_plugin"


@pytest.fixture
def lexicon(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The fake plugin's ``lexicon`` scorer registered (no model loaded)."""
    monkeypatch.syspath_prepend(str(PLUGIN))
    registry.refresh()
    yield
    registry.refresh()


# 1. The host's backend and figures are left alone; no display is needed


@pytest.fixture
def svg_backend() -> Iterator[None]:
    """The host's backend is svg (not Agg) during the test, Agg again after it."""
    before = mpl.get_backend()
    plt.switch_backend("svg")
    yield
    plt.switch_backend(before)


def _demo_scored_by_the_lexicon(journeys: object, *args: object, **kwargs: object) -> object:
    return planted_scores(journeys)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", ["map", "demo"])
def test_the_command_leaves_the_host_backend_and_figures_alone(
    command: str, svg_backend: None, lexicon: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was: the backend was agg after the command, for good (matplotlib.use("Agg"))
    host = plt.figure()
    monkeypatch.chdir(tmp_path)
    if command == "map":
        _events(tmp_path / "e.csv")
        args = ["map", "e.csv", "--report", "r.html", "--tables", "t", "--scorer", "lexicon", "--no-cache"]
    else:
        monkeypatch.setattr(jm, "score", _demo_scored_by_the_lexicon)
        args = ["demo", "--out", "d", "--customers", "8"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert mpl.get_backend() == "svg"
    assert plt.get_fignums() == [host.number]  # none of the command's figures joined the host's, none was closed
    charts = sorted(p.name for p in (tmp_path / ("t" if command == "map" else "d")).glob("*.png"))
    assert charts == ["journey_graph.png", "journey_map.png", "time_patterns.png", "trends.png"]


def test_the_command_needs_no_display_whatever_mplbackend_says(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    environ |= {"MPLBACKEND": "tkagg", "PYTHONPATH": os.pathsep.join([str(ROOT), str(PLUGIN)])}
    _events(tmp_path / "e.csv")
    args = ["map", "e.csv", "--report", "r.html", "--tables", "t", "--scorer", "lexicon", "--no-cache"]
    run = subprocess.run(
        [sys.executable, "-m", "journeymap", *args], cwd=tmp_path, env=environ, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "t" / "journey_map.png").read_bytes().startswith(b"\x89PNG")


def test_off_screen_figures_are_pyplot_s_own() -> None:
    from journeymap.plot._theme import off_screen

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
    fresh = jm.plot.journey_map(js)
    with off_screen():
        outside = jm.plot.journey_map(js)
    assert outside.figure not in [plt.figure(n) for n in plt.get_fignums()]
    assert _png(fresh, 90) == _png(outside, 90)


# 2. map --tables --report: each shared chart drawn (and its data computed) once


def _png(ax: Any, dpi: int) -> bytes:
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def _counting(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, calls: dict[str, int]) -> None:
    real = getattr(owner, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls[name] = calls.get(name, 0) + 1
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)


def test_map_tables_draws_each_chart_once(lexicon: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # was: journey_map 2, graph 2, time_patterns 3 (the report draws two), trends 2, journey_graph 2
    calls: dict[str, int] = {}
    for name in ("journey_map", "graph", "time_patterns", "trends"):
        _counting(monkeypatch, jm.plot, name, calls)
    _counting(monkeypatch, report_module, "journey_graph", calls)
    _counting(monkeypatch, jm, "journey_graph", calls)
    monkeypatch.chdir(tmp_path)
    _events(tmp_path / "e.csv")
    args = ["map", "e.csv", "--report", "r.html", "--tables", "t", "--scorer", "lexicon", "--no-cache"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert calls == {"journey_map": 1, "graph": 1, "time_patterns": 2, "trends": 1, "journey_graph": 1}


def test_the_charts_kept_from_the_report_are_the_bytes_of_charts_drawn_afresh(tmp_path: Path) -> None:
    # a constrained layout saved twice (96 dpi for the report, 90 for the file) came out a few pixels apart
    from journeymap.plot._theme import off_screen
    from journeymap.report import shared_tables

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(80, seed=0)))
    with off_screen():
        shared = shared_tables(js, keep_charts=True)
        handed = jm.report(js, tmp_path / "handed.html", examples=0, _tables=shared)
        assert sorted(shared.charts) == ["journey_graph", "journey_map", "time_patterns", "trends"]
        cli._write_tables(js, tmp_path / "once", shared=shared)
        assert shared.charts == {}  # saved and closed
        cli._write_tables(js, tmp_path / "afresh")
    alone = jm.report(js, tmp_path / "alone.html", examples=0)
    assert handed.read_bytes() == alone.read_bytes()
    for name in cli.TABLE_FILES:
        if (tmp_path / "afresh" / name).exists():
            assert (tmp_path / "once" / name).read_bytes() == (tmp_path / "afresh" / name).read_bytes(), name


def test_twcs_sample_outputs_unchanged_by_drawing_once(lexicon: None, tmp_path: Path) -> None:
    twcs = Path("/work/shared/data/twcs_sample/sample.csv")
    if not twcs.exists():
        pytest.skip("the TWCS sample is not here")
    from journeymap.plot._theme import off_screen
    from journeymap.report import shared_tables

    log = jm.read_twcs(twcs)
    js = jm.score(jm.build_journeys(log), "lexicon", cache=False)
    with off_screen():
        shared = shared_tables(js, keep_charts=True)
        jm.report(js, tmp_path / "r.html", log=log, _tables=shared)
        cli._write_tables(js, tmp_path / "once", shared=shared)
        cli._write_tables(js, tmp_path / "afresh")
    for name in cli.TABLE_FILES:
        if (tmp_path / "afresh" / name).exists():
            assert (tmp_path / "once" / name).read_bytes() == (tmp_path / "afresh" / name).read_bytes(), name


# 3. One definition of the four shared tables


def test_shared_tables_and_the_report_compute_the_tables_by_one_definition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    real = report_module._compute

    def compute(name: str, *args: Any, **kwargs: Any) -> pd.DataFrame:
        asked.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(report_module, "_compute", compute)
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
    tables = report_module.shared_tables(js, seed=3, sla="2h")
    assert asked == list(report_module.SHARED_TABLES)
    assert tables.frames["service_levels"].equals(jm.service_levels(js, by="agent", sla="2h", seed=3))
    asked.clear()
    jm.report(js, tmp_path / "r.html", examples=0)
    assert sorted(asked) == sorted(report_module.SHARED_TABLES)  # each once
    asked.clear()
    jm.report(js, tmp_path / "s.html", examples=0, _tables=report_module.shared_tables(js))
    assert asked == list(report_module.SHARED_TABLES)  # by shared_tables alone: the report computes none again


# 4. -o -: one table to standard output; a usage error where several files would be written


def test_score_writes_csv_to_stdout_with_o_dash(
    lexicon: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # was: "--output must end in .parquet or .csv, got '-'" (exit 2)
    monkeypatch.chdir(tmp_path)
    _events(tmp_path / "e.csv", bad_row=True)
    piped = runner.invoke(app, ["score", "e.csv", "-o", "-", "--scorer", "lexicon", "--no-cache"])
    assert piped.exit_code == 0, piped.output
    filed = runner.invoke(app, ["score", "e.csv", "-o", "s.csv", "--scorer", "lexicon", "--no-cache"])
    assert filed.exit_code == 0, filed.output
    assert piped.stdout_bytes == (tmp_path / "s.csv").read_bytes()  # the CSV and nothing else
    assert "wrote 3 events to standard output; 2 of 2 customer messages scored" in piped.stderr
    said = caplog.text  # warning lines (on standard error, where pytest does not hold the root logger)
    assert "1 row rejected (timestamp: unparseable timestamp" in said
    assert "give -o NAME.csv for each row's reason in NAME.rejects.csv" in said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.csv", "s.csv", "s.rejects.csv"]  # no file named -
    quiet = runner.invoke(app, ["score", "e.csv", "-o", "-", "--scorer", "lexicon", "--no-cache", "-q"])
    assert quiet.stdout_bytes == piped.stdout_bytes and "wrote" not in quiet.stderr


def test_score_o_dash_reads_stdin_and_fails_without_a_rejects_file(
    lexicon: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = _events(tmp_path / "e.csv").read_text(encoding="utf-8")
    result = runner.invoke(app, ["score", "-", "-o", "-", "--scorer", "lexicon", "--no-cache"], input=data)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("row,event_id,customer_id,")
    bad = "event_id,customer_id,timestamp,actor,text\n1,a,never,customer,hi\n"
    failed = runner.invoke(app, ["score", "-", "-o", "-", "--scorer", "lexicon", "--no-cache"], input=bad)
    assert failed.exit_code == 1 and failed.stdout == ""
    assert "all 1 rows were rejected" in failed.stderr and "with -o - no file lists them" in failed.stderr
    assert not list(tmp_path.glob("-*"))


@pytest.mark.parametrize(
    ("args", "option", "why"),
    [
        (["topics", "e.csv", "-o", "-"], "--output", "topics writes two tables"),
        (["demo", "-o", "-"], "--out", "demo writes a folder"),
        (["train", "e.csv", "-o", "-"], "--out", "train writes a model folder"),
        (["map", "e.csv", "--tables", "-"], "--tables", "--tables writes a folder"),
        (["map", "e.csv", "--report", "-"], "--report", "the report is an HTML file"),
    ],
)
def test_o_dash_where_several_files_are_written_is_a_usage_error(
    args: list[str], option: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was: demo, train and map --tables made a folder named '-'; topics and --report said the suffix was wrong
    monkeypatch.chdir(tmp_path)
    _events(tmp_path / "e.csv")
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert f"{option} -: standard output takes one table" in said and why in said
    assert not (tmp_path / "-").exists()


def test_o_dash_is_documented() -> None:
    said = " ".join(runner.invoke(app, ["score", "--help"]).output.split())
    assert "- writes the CSV to standard output" in said
    guide = " ".join((ROOT / "docs" / "guide" / "getting-started.md").read_text(encoding="utf-8").split())
    assert "journeymap score events.csv -o -" in guide and "exit 2" in guide
