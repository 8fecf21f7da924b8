"""The ``journeymap`` command (Typer): demo, score, map, scorers, evaluate."""

from __future__ import annotations

import logging
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from journeymap.exceptions import JourneyMapError

if TYPE_CHECKING:
    from journeymap.io.events import EventLog

app = typer.Typer(
    name="journeymap",
    help="Customer emotion journey mapping: interactions in, emotion-annotated journeys, analytics and maps out.",
    no_args_is_help=True,
    add_completion=False,
)
logger = logging.getLogger("journeymap.cli")


class Format(str, Enum):
    """Input formats."""

    events = "events"
    twcs = "twcs"


class By(str, Enum):
    """How events are grouped into journeys."""

    thread = "thread"
    customer = "customer"


def _version(value: bool) -> None:
    if value:
        import journeymap

        typer.echo(f"journeymap {journeymap.__version__}")
        raise typer.Exit


@app.callback()
def main(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More logging (-v info, -vv debug).")] = 0,
    version: Annotated[
        Optional[bool],  # noqa: UP045 - Typer reads the annotation at runtime on Python 3.10
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Customer emotion journey mapping."""
    del version
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def _parse_columns(columns: list[str] | None) -> dict[str, str] | None:
    if not columns:
        return None
    mapping = {}
    for item in columns:
        source, sep, target = item.partition("=")
        if not sep or not source or not target:
            raise _fail(f"--columns takes SOURCE=CANONICAL pairs, got {item!r}")
        mapping[source] = target
    return mapping


def _load(path: Path, fmt: Format, columns: list[str] | None) -> EventLog:
    import journeymap as jm

    if not path.is_file():
        raise _fail(f"input {str(path)!r} does not exist")
    try:
        if fmt is Format.twcs:
            return jm.read_twcs(path)
        return jm.read_events(path, columns=_parse_columns(columns), on_error="collect")
    except (JourneyMapError, ValueError, OSError) as exc:
        raise _fail(str(exc).splitlines()[0]) from exc


def _write_rejects(log: EventLog, output: Path) -> Path | None:
    if len(log.rejects) == 0:
        return None
    path = output.with_name(output.stem + ".rejects.csv")
    log.rejects.to_csv(path, index=False)
    return path


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")] = Path("journeymap-demo"),
    customers: Annotated[int, typer.Option(help="Customers in the synthetic data set.")] = 400,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data set.")] = 0,
) -> None:
    """The whole flow offline on built-in synthetic data: journeys, scoring, analytics, charts, report."""
    import matplotlib as mpl

    mpl.use("Agg")
    import journeymap as jm

    out.mkdir(parents=True, exist_ok=True)
    log = jm.datasets.service_journeys(n_customers=customers, seed=seed)
    js = jm.build_journeys(log)
    typer.echo(f"{len(log.events):,} events in {len(js):,} journeys; scoring with the default model (offline)...")
    js = jm.score(js, progress=True)
    js.events.to_parquet(out / "events_scored.parquet")
    tables = {
        "journey_metrics.csv": jm.journey_metrics(js),
        "touchpoints.csv": jm.touchpoint_summary(js),
        "pain_points.csv": jm.pain_points(js),
        "response_times.csv": jm.response_times(js),
        "triage.csv": jm.triage(js),
        "segments_tier.csv": jm.compare_segments(js, "tier"),
    }
    for name, frame in tables.items():
        frame.to_csv(out / name)
    charts = {
        "journey_map.png": jm.plot.journey_map(js),
        "journey_graph.png": jm.plot.graph(jm.journey_graph(js, level="stage")),
        "time_patterns.png": jm.plot.time_patterns(js),
    }
    for name, ax in charts.items():
        ax.figure.savefig(out / name, dpi=90)  # type: ignore[union-attr]
    report = jm.report(js, out / "report.html")
    pains = tables["pain_points.csv"]
    typer.echo(f"top pain point: {pains.index[0]} (impact {pains['impact'].iloc[0]:.0f})")
    typer.echo(f"tables and charts: {out.resolve()}")
    typer.echo(f"report: {report.resolve()}")


@app.command()
def score(
    input: Annotated[Path, typer.Argument(help="CSV, TSV, Parquet or JSONL file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file: .parquet or .csv.")],
    fmt: Annotated[Format, typer.Option("--format", help="events (canonical columns) or twcs.")] = Format.events,
    scorer: Annotated[str, typer.Option(help="Registered scorer name, hub id or model path.")] = "default",
    columns: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(help="Column mapping SOURCE=CANONICAL, repeatable (e.g. --columns user=customer_id)."),
    ] = None,
    agents: Annotated[bool, typer.Option(help="Also score the brand's messages.")] = False,
    cache: Annotated[bool, typer.Option(help="Use the persistent score cache.")] = True,
) -> None:
    """Score a file's texts; writes the events with emotion columns, and any rejects beside them."""
    import journeymap as jm

    if output.suffix.lower() not in {".parquet", ".csv"}:
        raise _fail(f"--output must end in .parquet or .csv, got {output.name!r}")
    log = _load(input, fmt, columns)
    try:
        scored = jm.score(log.events, scorer, cache=cache, agents=agents, progress=True)
    except JourneyMapError as exc:
        raise _fail(str(exc).splitlines()[0]) from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix.lower() == ".parquet":
        scored.to_parquet(output)
    else:
        scored.to_csv(output, index_label="row")
    typer.echo(f"wrote {len(scored):,} events to {output}")
    rejects = _write_rejects(log, output)
    if rejects is not None:
        typer.echo(f"{log.rejects['row'].nunique():,} rows rejected; reasons in {rejects}")


@app.command(name="map")
def map_(
    input: Annotated[Path, typer.Argument(help="CSV, TSV, Parquet or JSONL file.")],
    report: Annotated[Path, typer.Option("--report", help="The HTML report to write.")] = Path("report.html"),
    by: Annotated[By, typer.Option(help="Journeys by conversation thread or by customer.")] = By.thread,
    fmt: Annotated[Format, typer.Option("--format", help="events (canonical columns) or twcs.")] = Format.events,
    scorer: Annotated[str, typer.Option(help="Registered scorer name, hub id or model path.")] = "default",
    columns: Annotated[Optional[list[str]], typer.Option(help="Column mapping SOURCE=CANONICAL, repeatable.")] = None,  # noqa: UP045
) -> None:
    """Journeys, scores, analytics and the HTML report for a file."""
    import matplotlib as mpl

    mpl.use("Agg")
    import journeymap as jm

    log = _load(input, fmt, columns)
    try:
        js = jm.score(jm.build_journeys(log, by=by.value), scorer, progress=True)
        path = jm.report(js, report)
    except JourneyMapError as exc:
        raise _fail(str(exc).splitlines()[0]) from exc
    rejects = _write_rejects(log, report)
    typer.echo(f"{len(js):,} journeys; report: {path}")
    if rejects is not None:
        typer.echo(f"{log.rejects['row'].nunique():,} rows rejected; reasons in {rejects}")


@app.command()
def scorers() -> None:
    """List the registered scorers."""
    import journeymap as jm

    for name in jm.available_scorers():
        typer.echo(name)


@app.command()
def evaluate(
    data: Annotated[Path, typer.Argument(help="GoEmotions-format folder (train/dev/test.tsv, labels.txt).")],
    split: Annotated[str, typer.Option(help="train, dev or test.")] = "test",
    scorer: Annotated[str, typer.Option(help="Scorer with GoEmotions labels.")] = "default",
) -> None:
    """Evaluate a scorer on a GoEmotions-format split (macro/micro-F1, per label; 28, Ekman, sentiment)."""
    from journeymap.emotions.evaluate import evaluate as run
    from journeymap.emotions.evaluate import format_results

    if not (data / "labels.txt").is_file():
        raise _fail(f"{str(data)!r} is not a GoEmotions-format folder (no labels.txt)")
    typer.echo(format_results(run(data, split=split, scorer=scorer)))
