"""The ``journeymap`` command (Typer): demo, score, map, topics, scorers, evaluate."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import json
import logging
import os
import re
import signal
import sqlite3
import sys
import threading
import time
import warnings
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional, overload

import typer

from journeymap.exceptions import JourneyMapError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    import pandas as pd

    from journeymap.emotions.train import TrainConfig
    from journeymap.io.events import EventLog
    from journeymap.journeys import JourneySet
    from journeymap.report import SharedTables
    from journeymap.topics import TopicModel

#: The end of ``journeymap --help``: what the exit statuses mean (docs/guide/getting-started.md says the same).
EPILOG = (
    "Exit status: 0 success; 1 the run failed (an input missing or unreadable, data with nothing usable, "
    "a scorer or encoder that cannot be found or loaded, an output that cannot be written); 2 the command "
    "line is wrong (an unknown option, a value of the wrong form or out of range, options that do not go "
    "together); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM). A run that fails, is interrupted or is "
    "terminated removes the output folders it made and left empty.\n\n"
    "Tables written from cached scores may differ from a run with --no-cache in the last digits of their "
    "numbers (about 1e-7), not in labels, ranks or text: compare them with a tolerance, or run with --no-cache."
)

app = typer.Typer(
    name="journeymap",
    help="Customer emotion journey mapping: interactions in, emotion-annotated journeys, analytics and maps out.\n\n"
    "Standard output carries the results (what was written, where, and counts); standard error the progress bars "
    "(on a terminal only), status lines, warnings and errors. -v and -q may follow the command too "
    "(journeymap map -q ...).",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    # plain help: flags show as flags (the rich formatter prints a '<bool>' value they do not take)
    rich_markup_mode=None,
)
logger = logging.getLogger("journeymap.cli")


#: The help of the input of ``score``, ``map`` and ``topics``.
INPUT_HELP = (
    "CSV, TSV, Parquet, JSON Lines, JSON or Excel (.xlsx) file, by its suffix; gzip-compressed too (events.csv.gz). "
    "- reads standard input, as CSV (zcat events.csv.gz | journeymap map - ...); a named pipe or <(...) is read "
    "once, by its name's suffix, else as CSV."
)


#: What ``--no-cache`` changes, in the help of every command that has it (rv49: cached scores differ in the last digits).
NO_CACHE_HELP = (
    " With --no-cache every text is scored afresh, in the same batches run after run: the same input gives the "
    "same bytes. Scores the cache held came from earlier batches and may differ in their last digits (about 1e-7: "
    "a text's float32 scores depend slightly on the texts scored beside it); labels, ranks and text do not."
)


class Format(str, Enum):
    """Input formats (``topics``; ``texts`` is a table of messages alone)."""

    events = "events"
    twcs = "twcs"
    texts = "texts"


class LogFormat(str, Enum):
    """Input formats of an event log (``score`` and ``map``: customers and times are needed)."""

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


VerboseOption = Annotated[
    int,
    typer.Option(
        "--verbose", "-v", count=True, help="More logging on standard error: -v what journeymap does (info), -vv debug."
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress bars or status lines: warnings and errors alone on standard error."),
]


@dataclasses.dataclass
class _Said:
    """What the command says on standard error: the ``-v`` count and ``-q`` (before or after the subcommand)."""

    verbosity: int = 0
    quiet: bool = False
    #: the process's logging before the command set it up (root's handlers and level, journeymap's level), put back after
    logging_before: tuple[list[logging.Handler], int, int] | None = None


_SAID = _Said()


@app.callback()
def main(
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
    version: Annotated[
        Optional[bool],  # noqa: UP045 - Typer reads the annotation at runtime on Python 3.10
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Customer emotion journey mapping (the help is the app's)."""
    del version
    _SAID.verbosity, _SAID.quiet = verbose, quiet
    root = logging.getLogger()
    _SAID.logging_before = (list(root.handlers), root.level, logging.getLogger("journeymap").level)
    _configure_logging()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler writing to the standard error of the moment (``sys.stderr`` when a record comes, not when it was made)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        del value


class _Formatter(logging.Formatter):
    """``warning: message`` as the command's ``error:`` lines are said; with -vv the logger too (``debug: journeymap.x: ...``)."""

    def format(self, record: logging.LogRecord) -> str:
        named = f"{record.name}: " if _SAID.verbosity >= 2 else ""
        record.message = record.getMessage()
        line = f"{record.levelname.lower()}: {named}{record.message}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _configure_logging() -> None:
    """The journeymap loggers' level by -v and -q; records go to standard error (unless the process logs them already).

    -v and -vv are about journeymap: other libraries (matplotlib's font manager) stay at WARNING.
    """
    root = logging.getLogger()
    if not root.handlers:  # as logging.basicConfig: a program that set up logging keeps its own handlers
        handler = _StderrHandler()
        handler.setFormatter(_Formatter())
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    verbosity = 0 if _SAID.quiet else _SAID.verbosity
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.getLogger("journeymap").setLevel(level)


def _restore_logging() -> None:
    """The process's logging as it was before the command (:attr:`_Said.logging_before`).

    A program that runs the command in its own process (typer's ``CliRunner``, a notebook, a
    test harness) keeps its logging: the handler the command added is removed and the levels
    are put back, so a later ``logging.basicConfig`` of the host still takes effect.
    """
    if _SAID.logging_before is None:
        return
    handlers, root_level, level = _SAID.logging_before
    _SAID.logging_before = None
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(root_level)
    logging.getLogger("journeymap").setLevel(level)


def _bars() -> bool:
    """Whether to draw progress bars: on a terminal (tqdm's ``disable=None``), unless -q; never into a file or a pipe."""
    return not _SAID.quiet and _terminal(sys.stderr)


def _terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


def _status(message: str) -> None:
    """A status line (what the command is doing) on standard error, unless -q: standard output carries results alone."""
    if not _SAID.quiet:
        typer.echo(message, err=True)


class _RejectsHint(logging.Filter):
    """Drops the library's "see EventLog.rejects" (or ``.warnings``) line: on the command line they are files, said once.

    A line that says more than where to look (replies naming events not in the data, and what to
    do about it) is kept without its "(see EventLog.warnings)".
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.endswith(("see EventLog.rejects", "see EventLog.warnings")):
            return False
        for hint in (" (see EventLog.rejects)", " (see EventLog.warnings)"):
            if hint in message:
                record.msg = message.replace(hint, "")
        return True


@contextlib.contextmanager
def _rejects_said_by_the_command() -> Iterator[None]:
    """While reading: the library's hints at ``EventLog.rejects`` and ``.warnings`` are left out (the command names files)."""
    readers = [logging.getLogger(name) for name in ("journeymap.io.validation", "journeymap.io.twcs", "journeymap.io.events")]
    hint = _RejectsHint()
    for reader in readers:
        reader.addFilter(hint)
    try:
        yield
    finally:
        for reader in readers:
            reader.removeFilter(hint)


def _shown(path: Path | str) -> str:
    """A path written, as the result lines on standard output give it: absolute (``os.path.abspath``, links not followed).

    Every command prints the files and folders it wrote so, whatever form they were given in
    (``m1/report.html``, ``../out``): a script reads the same kind of path from each line.
    """
    return os.path.abspath(path)


#: The output path that means standard output (``score -o -``), as the inputs' ``-`` means standard input.
STDOUT = "-"


def _to_stdout(path: Path | None) -> bool:
    """Whether the output ``path`` is ``-``: the table goes to standard output, as CSV."""
    return path is not None and str(path) == STDOUT


def _one_file_only(path: Path | None, option: str, writes: str) -> None:
    """Refuse ``-`` for an output that is not one table (exit 2): ``option`` named, with what it ``writes``.

    Standard output takes one table (``score -o -``, as pandas and csvkit read ``-``); a folder
    or a file with others beside it has no place there.
    """
    if _to_stdout(path):
        raise _usage(
            f"{option} -: standard output takes one table (journeymap score -o - writes its CSV there); {writes}: give a path"
        )


def _csv_to_stdout(frame: pd.DataFrame, **options: Any) -> None:
    """``frame`` as CSV on standard output, the bytes ``frame.to_csv(path, **options)`` writes to a file (UTF-8)."""
    import io

    sys.stdout.flush()
    stream = typer.get_binary_stream("stdout")
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    try:
        frame.to_csv(text, **options)
        text.flush()
    except BrokenPipeError as exc:  # the reader (head, a closed pager) stopped early
        with contextlib.suppress(OSError, ValueError):  # nothing more reaches the closed pipe, nor at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        raise _fail("standard output was closed before the whole table was written (a reader stopped early)") from exc
    finally:
        with contextlib.suppress(ValueError):
            text.detach()


def _say_rows(findings: pd.DataFrame, path: Path, what: str) -> None:
    """``N rows <what>; reasons in FILE`` on standard output (the reasons differ: the file gives each row's)."""
    n = int(findings["row"].nunique())
    typer.echo(
        f"{n:,} row{'' if n == 1 else 's'} {what}; reasons in {_shown(path)} (rows numbered from 0, the header not counted)"
    )


def _say_rejects(rejects: pd.DataFrame, path: Path) -> None:
    """``N rows rejected; reasons in FILE`` on standard output."""
    _say_rows(rejects, path, "rejected")


def _say_warnings(warnings: pd.DataFrame, path: Path) -> None:
    """``N rows kept with a caveat; reasons in FILE`` on standard output (``EventLog.warnings``, written to ``path``)."""
    _say_rows(warnings, path, "kept with a caveat")


ScorerOption = Annotated[
    Optional[list[str]],  # noqa: UP045 - Typer reads the annotation at runtime
    typer.Option(
        "--scorer-option",
        help="KEY=VALUE for the scorer's constructor, repeatable; VALUE is read as JSON when it is "
        """(e.g. --scorer-option 'label_map={"LABEL_0": "negative", "LABEL_1": "positive"}' """
        """--scorer-option 'languages=["es"]'), else as text.""",
    ),
]
ActorsOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--actors",
        help="Role names of your actor column, ROLE=ACTOR (customer, agent, bot, system), repeatable "
        "(e.g. --actors end-user=customer --actors trigger=system).",
    ),
]
BrandsOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--brands",
        help="The company's accounts, comma-separated, as the column read as customer_id writes them (any case, "
        "with or without @; e.g. --brands AppleSupport,Tesco): their rows are the company's replies (actor agent). "
        "For exports with no actor column (social data); with one, only brand rows with no actor become agent.",
    ),
]
GapOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--gap", help="With --by customer: the quiet time that starts a new journey (e.g. 12h; default 7D)."),
]
MinScoreOption = Annotated[
    Optional[float],  # noqa: UP045
    typer.Option(
        "--min-score",
        help="Topics: a message whose topic_score is below this is 'other' (with --labels every message joins a "
        "label without it; 0.3 suits the bundled encoder where the labels cover part of the messages).",
    ),
]
LangScorerOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--lang-scorer",
        help="LANG=SCORER for texts in another language than the main scorer reads, repeatable; "
        "LANG is a code the language detector gives (es, fr, ...) or * for every other language "
        "(e.g. --lang-scorer '*=path/to/multilingual-model'). Without it such texts are left "
        "unscored, with the reason in score_note.",
    ),
]


class Prior(str, Enum):
    """How ``score`` and ``map`` read customer messages (:func:`journeymap.score`'s ``prior``)."""

    auto = "auto"
    service = "service"
    none = "none"


PriorOption = Annotated[
    Prior,
    typer.Option(
        help="How customer messages are read: auto (with the customer-service prior where the file holds brand "
        "messages), service (always; for a file of customer messages alone, such as a stream of incoming ones), "
        "or none (the scorer's own calibration).",
    ),
]
TzOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--tz",
        help="Time zone of timestamps written without an offset (e.g. Europe/London; default UTC); "
        "with map, also the zone of the report's periods and hours of day.",
    ),
]


def _scorer_from(name: str, options: list[str] | None) -> Any:
    """The scorer name as given, or the scorer built with ``--scorer-option`` values."""
    if not options:
        return name
    import journeymap as jm

    parsed: dict[str, Any] = {}
    for item in options:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise _usage(f"--scorer-option takes KEY=VALUE, got {item!r}")
        try:
            parsed[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            parsed[key.strip()] = value
    with _handled():
        return jm.get_scorer(name, **parsed)


def _check_tz(tz: str | None) -> None:
    """Fail now on a --tz no reader checks first (a TWCS file's times carry their offsets)."""
    if tz is not None:
        from journeymap.io._values import check_tz

        with _handled(usage=True):
            check_tz(tz)


def _lang_routes(lang_scorers: list[str] | None) -> dict[str, str] | None:
    return _pairs(lang_scorers, "--lang-scorer", "LANG=SCORER", strip=True)


def _scorers_from(name: str, options: list[str] | None, routes: dict[str, str] | None) -> Any:
    """The scorer for :func:`journeymap.score`: the main one, or with ``--lang-scorer`` a mapping by language.

    The main scorer (``--scorer`` with its ``--scorer-option`` values) serves ``en`` and texts of
    undetermined language, unless ``--lang-scorer en=...`` names another for English.
    """
    main = _scorer_from(name, options)
    if routes is None:
        return main
    return {"en": main, **routes}


def _writable(path: Path) -> None:
    """Fail now, before a long run, when ``path`` cannot be written (the file is left as it was)."""
    existed = path.exists()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise _fail(f"cannot write {str(path)!r}: {exc.strerror or exc}") from exc
    if not existed:
        path.unlink()


def _no_file_in_the_way(folder: Path, option: str) -> None:
    """Fail now when ``folder`` (an output's folder) or a folder above it is a file: it could not be made.

    ``mkdir`` would say only "File exists"; this names ``option`` and the file.
    """
    for place in (folder, *folder.parents):
        if place.exists():
            if not place.is_dir():
                raise _fail(f"{option}: {str(place)!r} is a file, not a folder")
            return


#: The output folders the running command made, in the order made (:func:`_make_folder`): those still
#: empty when the command fails or is interrupted are removed (:func:`_command`).
_MADE: list[Path] = []


def _make_folder(folder: Path) -> None:
    """Make ``folder`` (and the folders above it) for an output, noting those this run made."""
    missing = [place for place in (folder, *folder.parents) if not place.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    _MADE.extend(reversed(missing))


def _remove_empty_folders_made() -> None:
    """Remove the folders this run made that are still empty, the deepest first (a failed run leaves none behind)."""
    for folder in reversed(_MADE):
        with contextlib.suppress(OSError):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    _MADE.clear()


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """A Python warning as the command line says it: one ``warning:`` line on standard error, no source line."""
    del category, filename, lineno, file, line
    typer.echo(f"warning: {_cli_words(str(message))}", err=True)


def cli_main(args: Sequence[str] | None = None) -> None:
    """The ``journeymap`` command (the console script and ``python -m journeymap``): :data:`app`, run as a process.

    A run that Ctrl-C or SIGTERM ended has cleaned up and said so (:func:`_command`); its
    process then ends at once with its status (130, 143), without the interpreter's shutdown:
    native threads still running there (ONNX Runtime's, torch's) made the C++ runtime abort
    ("terminate called without an active exception", exit 134) now and then.
    """
    try:
        app(args=None if args is None else list(args))
    except SystemExit as exc:
        if exc.code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(int(exc.code))
        raise


class _Terminated(KeyboardInterrupt):
    """SIGTERM (``timeout``, systemd, a CI job cancelled) raised as Ctrl-C is: the same clean-up, exit 143."""


def _on_sigterm(signum: int, frame: object) -> None:
    del signum, frame
    raise _Terminated


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM raises :class:`_Terminated`; the handler before is put back after."""
    if threading.current_thread() is not threading.main_thread():  # a signal handler is the main thread's alone
        yield
        return
    before = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


@overload
def _command(func: Callable[..., None]) -> Callable[..., None]: ...
@overload
def _command(*, words: Sequence[tuple[re.Pattern[str], str]]) -> Callable[[Callable[..., None]], Callable[..., None]]: ...
def _command(func: Callable[..., None] | None = None, *, words: Sequence[tuple[re.Pattern[str], str]] = ()) -> Any:
    """A subcommand as users meet it: warnings as ``warning:`` lines, Ctrl-C as one ``interrupted`` line (exit 130).

    SIGTERM is handled as Ctrl-C is, with one ``terminated`` line (exit 143). A run that fails or
    is interrupted removes the output folders it made and left empty. The way warnings are shown
    is the command's own: it is put back when the command returns. ``-v`` and ``-q`` are taken
    after the command too. ``words``: the command's own rewording of library messages
    (:data:`_COMMAND_WORDS`), as ``@_command(words=...)``.
    """
    if func is None:
        return functools.partial(_command, words=words)
    command, name = func, func.__name__.rstrip("_")

    @functools.wraps(command)
    def run(*args: Any, verbose: int = 0, quiet: bool = False, **kwargs: Any) -> None:
        _said_after_the_command(verbose, quiet)
        _COMMAND_WORDS[:] = words
        logger.debug("journeymap %s: %s", name, ", ".join(f"{k}={_said(v)}" for k, v in kwargs.items()))
        started = time.perf_counter()
        _MADE.clear()
        try:
            with _sigterm_as_interrupt(), warnings.catch_warnings(), _log_lines_between_bars(), _in_cli_words():
                warnings.showwarning = _show_warning
                command(*args, **kwargs)
            logger.debug("journeymap %s: done in %.1f s", name, time.perf_counter() - started)
        except KeyboardInterrupt as exc:
            _remove_empty_folders_made()
            sys.stdout.flush()
            said, code = ("terminated", EXIT_TERMINATED) if isinstance(exc, _Terminated) else ("interrupted", EXIT_INTERRUPTED)
            typer.echo(f"\n{said}" if _bars() else said, err=True)  # after a newline where a bar's line is left unfinished
            raise typer.Exit(code=code) from None
        except typer.Exit as exc:
            if exc.exit_code:
                _remove_empty_folders_made()
            raise
        except BaseException:
            _remove_empty_folders_made()
            raise
        finally:
            _remove_spooled()
            _restore_logging()
        _MADE.clear()

    # -v and -q after the command too (journeymap map -q ...): the command's signature gets them, for Typer to read
    signature = inspect.signature(command, eval_str=True)
    extra = [
        inspect.Parameter("verbose", inspect.Parameter.KEYWORD_ONLY, default=0, annotation=VerboseOption),
        inspect.Parameter("quiet", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=QuietOption),
    ]
    run.__signature__ = signature.replace(parameters=[*signature.parameters.values(), *extra])  # type: ignore[attr-defined]
    run.__annotations__ = {**command.__annotations__, "verbose": VerboseOption, "quiet": QuietOption}
    return run


def _said(value: object) -> str:
    """An option's value as the debug line says it: an enum by its value, a path as text, others as Python writes them."""
    if isinstance(value, Enum):
        return repr(value.value)
    return repr(str(value)) if isinstance(value, Path) else repr(value)


def _said_after_the_command(verbose: int, quiet: bool) -> None:
    """-v and -q given after the command, added to those before it; both at once is a usage error."""
    _SAID.verbosity += verbose
    _SAID.quiet = _SAID.quiet or quiet
    if _SAID.quiet and _SAID.verbosity:
        raise _usage("-q (--quiet) and -v (--verbose) contradict each other: give one of them")
    _configure_logging()


@contextlib.contextmanager
def _log_lines_between_bars() -> Iterator[None]:
    """Where bars are drawn, a log line clears the bar's line and the bar is drawn again below it (no line glued to a bar)."""
    if not _bars():
        yield
        return
    from tqdm.contrib.logging import logging_redirect_tqdm

    with logging_redirect_tqdm():
        yield


#: The exit status of a run that failed (its input, data, models or outputs): :data:`EXIT_CODES`.
EXIT_FAILED = 1
#: The exit status of a command line that is wrong, as Click exits for its own checks (:func:`_usage`).
EXIT_USAGE = 2
#: The exit statuses of an interrupted (Ctrl-C, SIGINT) and a terminated (SIGTERM) run: 128 + the signal.
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


#: The library's words for Python callers, and the command line's for the same thing (:func:`_cli_words`).
_PYTHON_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (r"\bpass cache=False\b", "pass --no-cache"),
        (r"\bcache=False for none\b", "--no-cache for none"),
        (r"\bscorer=\{'en': 'default', '\*': <a multilingual model>\}", "--lang-scorer '*=MODEL' (a multilingual model)"),
        (
            r"\(scorer= names (\[[^\]]*\]); add '\*' for the rest\)",
            r"(--scorer and --lang-scorer name \1; add --lang-scorer '*=SCORER' for the rest)",
        ),
        (r"\(scorer\['([^']*)'\]\)", r"(--lang-scorer \1=...)"),
        (r"(?<![\w-])tz=('[^']*')", r"--tz \1"),
        (r"; None: no floor\)", "; without --min-score: no floor)"),
    )
)


def _cli_words(message: str) -> str:
    """``message`` in the command line's words: ``--no-cache`` for ``cache=False``, ``--lang-scorer`` for ``scorer={...}``.

    The library's messages name the Python arguments; the command line's name its options, and
    the input read from standard input or a pipe by the name the user gave (:func:`_input_file`).

    Examples:
        >>> _cli_words("set JOURNEYMAP_CACHE_DIR to a writable folder, or pass cache=False")
        'set JOURNEYMAP_CACHE_DIR to a writable folder, or pass --no-cache'
    """
    for pattern, words in (*_PYTHON_WORDS, *_COMMAND_WORDS):
        message = pattern.sub(words, message)
    for spooled, given in _SPOOLED.items():
        message = message.replace(spooled, given)
    return message


#: Words of the running command alone (:func:`_cli_words`): ``map`` writes no ``score_note`` column to look at.
_COMMAND_WORDS: list[tuple[re.Pattern[str], str]] = []

#: ``map``'s words for the library's "(see the score_note column)": its outputs have no such column.
_MAP_WORDS = (
    (
        re.compile(r"their language is not covered \(see the score_note column\)"),
        (
            "their language is not covered: --lang-scorer LANG=SCORER (or '*=SCORER' for every other language) routes "
            "them to a scorer that reads them, and journeymap score writes each message's score_note"
        ),
    ),
    (re.compile(r" \(see the score_note column\)"), ""),
)

#: The copies of inputs read from standard input or a pipe: the copy's path, and the name the user gave (:func:`_input_file`).
_SPOOLED: dict[str, str] = {}


class _CliWords(logging.Filter):
    """A log record of the library in the command line's words (:func:`_cli_words`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        said = _cli_words(message)
        if said != message:
            record.msg, record.args = said, ()
        return True


#: The loggers whose records may name a Python argument or an input's path: :class:`_CliWords` while a command runs.
_WORDED_LOGGERS = tuple(
    f"journeymap.{name}"
    for name in (
        "cli",
        "io.sources",
        "io.validation",
        "io.twcs",
        "io.events",
        "io._values",
        "io._time",
        "emotions.cache",
        "emotions.score",
        "emotions.registry",
        "emotions.default",
        "emotions.transformer",
        "topics._embed",
        "topics.model",
        "topics.assign",
        "journeys._build",
        "report",
    )
)


@contextlib.contextmanager
def _in_cli_words() -> Iterator[None]:
    """While a command runs, the library's log records are said in its words (:func:`_cli_words`)."""
    words = _CliWords()
    loggers = [logging.getLogger(name) for name in _WORDED_LOGGERS]
    for named in loggers:
        named.addFilter(words)
    try:
        yield
    finally:
        for named in loggers:
            named.removeFilter(words)


def _fail(message: str) -> typer.Exit:
    """A failed run (exit 1): one ``error:`` line on standard error. The command line itself was right."""
    typer.echo(f"error: {_cli_words(message)}", err=True)
    return typer.Exit(code=EXIT_FAILED)


class _UsageError(typer.BadParameter):
    """A usage error (exit 2) said as Click says its own, the usage line first, without "Invalid value:" before it.

    A ``BadParameter`` (Click's ``UsageError``, in Click and in the Click Typer carries) raised in a
    command: Click gives it the command's context, for the usage line.
    """

    def format_message(self) -> str:
        return self.message


def _usage(message: str) -> typer.BadParameter:
    """A wrong command line (exit 2), said as Click says its own: the usage line, then ``Error: <message>``.

    For a mistake in the words of the command whatever the files hold: an option that needs
    another (``--gap`` without ``--by customer``), options that do not go together, a value of
    the wrong form (``--report r.txt``, ``--tz Mars/Base``), a value out of range.
    """
    return _UsageError(_cli_words(message))


#: The options of API arguments an error may name (``TopicInputError.argument``): the message names the option.
_OPTIONS = {"n_topics": "--n-topics", "min_score": "--min-score"}


@contextlib.contextmanager
def _handled(*, usage: bool = False) -> Iterator[None]:
    """Failures the user can act on become one ``error:`` line and exit code 1, not a traceback.

    ``usage``: the code checks an option's value alone (``--tz``, ``--gap``, the topic model's
    settings): its ``JourneyMapError`` or ``ValueError`` is a usage error (exit 2, :func:`_usage`).
    """
    try:
        yield
    except (typer.Exit, typer.BadParameter):
        raise
    except (JourneyMapError, ValueError) as exc:
        if not usage or isinstance(exc, OSError):
            raise _failure(exc) from exc
        raise _usage(_message(exc)) from exc
    except (OSError, sqlite3.Error) as exc:
        raise _failure(exc) from exc


def _failure(exc: Exception) -> typer.Exit:
    """``exc`` (an ``OSError``, a ``JourneyMapError``, a ``ValueError``, a SQLite error) as :func:`_fail` says it."""
    if isinstance(exc, PermissionError):
        return _fail(f"cannot write or read {exc.filename!r}: permission denied")
    if isinstance(exc, OSError):  # SourceNotFoundError and ModelLoadError too: their message, no file name
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        return _fail(f"{exc.strerror or exc}{where}")
    return _fail(_message(exc))


def _message(exc: BaseException) -> str:
    """The line of ``exc`` the command line says: in the option's words where the error names an API argument."""
    option, for_option = _OPTIONS.get(getattr(exc, "argument", None) or ""), getattr(exc, "for_option", None)
    return for_option(option) if option and for_option else _first_line(exc)


def _first_line(exc: BaseException) -> str:
    """The line of an error message that says what is wrong.

    Most messages say it first. A pydantic ``ValidationError`` says "1 validation error for
    Taxonomy" first, then the field, then the reason: all three are kept.
    """
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if type(exc).__name__ == "ValidationError" and len(lines) >= 3:
        return f"{lines[0]}: {lines[1]}: {lines[2]}"
    return lines[0]


def _not_the_input(output: Path, input_path: Path, what: str) -> None:
    """Refuse to write an output over the input file."""
    if output.exists() and input_path.exists() and output.resolve() == input_path.resolve():
        raise _usage(f"{what} {str(output)!r} is the input file; choose another path")


def _usable(log: EventLog, path: Path, output: Path, *, outputs: Sequence[Path] = ()) -> None:
    """Stop with a clear message when no event survived validation (the rejects written beside ``output``).

    ``outputs`` are the paths the command writes on success (``output`` among them): an earlier
    run's files there are removed, so that the rejects of this run do not sit beside the results
    of another input; the error line names them.
    """
    if len(log.events) == 0:
        rejected = log.rejects["row"].nunique()
        if not rejected:
            raise _fail(f"no usable events in {str(path)!r}: the file has no rows")
        reasons = _top_reasons(log.rejects)
        written, removed = _write_failed_run(log.rejects, output, outputs)
        raise _fail(
            f"no usable events in {str(path)!r}: all {rejected:,} rows were rejected ({reasons}); {_reasons_in(written)}{removed}"
        )


def _reasons_in(written: Path | None) -> str:
    """Where an error line sends the reader for each rejected row's reason: the file, or (``-o -``) how to get one."""
    if written is not None:
        return f"reasons in {written}"
    return "with -o - no file lists them: give -o NAME.csv for each row's reason in NAME.rejects.csv"


def _top_reasons(rejects: pd.DataFrame) -> str:
    """The three commonest reject reasons with their counts, for an error line ("column: reason (n); ...")."""
    # a reason without its line numbers ("... (line 12 of the file)"): one reason of many rows is said once
    general = rejects["reason"].astype(str).str.replace(r"\s*\(lines? [^)]*\)", "", regex=True)
    counts = rejects.assign(reason=general).groupby(["column", "reason"]).size().sort_values(ascending=False).head(3)
    return "; ".join(f"{key[0]}: {key[1]} ({int(n):,})" for key, n in zip(counts.index.tolist(), counts.to_numpy()))


def _customers_usable(log: EventLog, path: Path, output: Path, *, outputs: Sequence[Path] = ()) -> None:
    """Stop when no customer message survived validation: a map (or topics) of the brand's replies alone says nothing.

    Where rows were rejected (an unknown role, say) the error names how many, the commonest
    reasons and the rejects file (written beside ``output``, an earlier run's ``outputs`` removed).
    """
    actor = log.events["actor"].astype("string")
    if (actor == "customer").any():
        return
    rejected = int(log.rejects["row"].nunique())
    if rejected:
        written, removed = _write_failed_run(log.rejects, output, outputs)
        raise _fail(
            f"no customer messages in {str(path)!r} survived validation: {rejected:,} of {log.n_input:,} rows were "
            f"rejected ({_top_reasons(log.rejects)}); {_reasons_in(written)}{removed}"
        )
    _, removed = _write_failed_run(log.rejects, output, outputs)
    kinds = ", ".join(sorted(set(actor.dropna())))
    raise _fail(
        f"no customer messages in {str(path)!r}: all {len(log.events):,} events are the brand's ({kinds}); map the "
        f"customers' rows with --actors ROLE=customer (and give --brands the company's accounts only){removed}"
    )


def _threads_known(log: EventLog, by: str, output: Path, outputs: Sequence[Path]) -> None:
    """Stop, in the CLI's words, where ``--by thread`` meets events with no thread to read (rejects written first)."""
    columns = set(log.events.columns)
    if by != "thread" or "thread_id" in columns or "in_reply_to" in columns:
        return
    written, removed = _write_failed_run(log.rejects, output, outputs) if len(log.rejects) else (None, "")
    said = f"; the rejected rows are in {written}" if written is not None else ""
    raise _fail(
        "--by thread (the default) needs a thread_id or in_reply_to column, which these events lack: pass "
        f"--by customer (with --gap) to make each customer's events their journeys{said}{removed}"
    )


def _write_failed_run(rejects: pd.DataFrame, output: Path, outputs: Sequence[Path]) -> tuple[Path | None, str]:
    """A run that failed on its rows: its rejects beside ``output``, an earlier run's ``outputs`` removed.

    Returns the rejects file and, for the error line, "; removed ... of an earlier run" (or ""). For
    ``-`` (standard output) nothing is written: (None, "").
    """
    if _to_stdout(output):
        return None, ""
    with _handled():
        _make_folder(output.parent)
        written = _write_rejects(rejects, output)
        stale = [p for p in dict.fromkeys(outputs) if p.is_file()]
        for stale_path in stale:
            stale_path.unlink()
    stale = [p for p in stale if p.name != TABLES_MANIFEST]  # the list of an earlier run's tables goes with them, unsaid
    if not stale:
        return written, ""
    logger.info("removed an earlier run's %s", ", ".join(map(str, stale)))
    return written, f"; removed {', '.join(repr(str(p)) for p in stale)} of an earlier run"


def _pairs(items: list[str] | None, option: str, shape: str, *, strip: bool) -> dict[str, str] | None:
    """``KEY=VALUE`` option values as a dict (None for none); an error naming ``option`` for anything else.

    ``strip`` trims the spaces around keys and values (not for column names, which may hold them).
    """
    if not items:
        return None
    mapping = {}
    for item in items:
        key, sep, value = item.partition("=")
        if strip:
            key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise _usage(f"{option} takes {shape} pairs, got {item!r}")
        mapping[key] = value
    return mapping


def _parse_columns(columns: list[str] | None) -> dict[str, str] | None:
    return _pairs(columns, "--columns", "SOURCE=CANONICAL", strip=False)


def _gap_needs_customer(gap: str | None, by: By) -> str:
    """The gap to build with (7D unless given), checked before any file is read.

    --gap only means something with --by customer (given with --by thread, even as 7D, it is
    refused rather than ignored), and must be a duration.
    """
    from journeymap.journeys._build import gap_nanoseconds

    if gap is None:
        return "7D"
    if by is not By.customer:
        raise _usage("--gap splits a customer's events into journeys: it needs --by customer")
    with _handled(usage=True):
        gap_nanoseconds(gap)
    return gap


def _parse_actors(actors: list[str] | None) -> dict[str, str] | None:
    return _pairs(actors, "--actors", "ROLE=ACTOR", strip=True)


def _parse_brands(brands: list[str] | None) -> list[str] | None:
    """``--brands a,b`` (repeatable) as the list of accounts; an error naming the option for an empty one."""
    if not brands:
        return None
    accounts = [name.strip() for item in brands for name in item.split(",") if name.strip()]
    if not accounts:
        raise _usage(
            f"--brands takes the company's account ids or handles, comma-separated (--brands AppleSupport,Tesco); got {brands}"
        )
    return accounts


def _require_input(path: Path) -> None:
    """Stop at once when the input does not exist or cannot be read (before any output folder is made).

    Both are failures of the run (exit 1), not of the command line: a file not there yet, or not
    readable by this user, is fixed outside the command. (Click would call an unreadable path a
    usage error; the commands' paths are declared ``readable=False`` and checked here instead.)
    """
    if not path.exists():  # a folder is named by read_table, with the files in it
        raise _fail(f"input {str(path)!r} does not exist")
    if not os.access(path, os.R_OK):
        raise _fail(f"cannot read input {str(path)!r}: permission denied")


def _input_file(path: Path) -> Path:
    """The file to read for the input ``path``: a file or folder as it is; ``-``, a pipe or a device read once into a copy.

    ``-`` is standard input (``zcat big.csv.gz | journeymap map - ...``); a named pipe,
    ``/dev/stdin`` or a process substitution (``<(...)``) is read as standard input is. The copy,
    in a temporary folder removed when the command ends, is read by the name's suffix where the
    name has one journeymap reads (``fifo.parquet``, ``events.jsonl``, ``x.csv.gz``), else as CSV
    (``-``, ``/dev/fd/63``). Messages name the input as given (``<stdin>`` for ``-``).
    A path that is not there, or that cannot be read, fails the run (:func:`_require_input`).
    """
    import shutil
    import tempfile

    from journeymap.io.sources import file_kind

    if str(path) == "-":
        given, name = "<stdin>", "stdin"
    else:
        _require_input(path)
        if path.is_file() or path.is_dir():
            return path
        given, name = str(path), path.name or "input"
    try:
        file_kind(name)
    except JourneyMapError:  # no suffix journeymap reads (-, /dev/stdin, /dev/fd/63): CSV
        name += ".csv"
    folder = Path(tempfile.mkdtemp(prefix="journeymap-input-"))
    _SPOOL_FOLDERS.append(folder)
    copy = folder / name
    try:
        with contextlib.ExitStack() as stack:
            source = typer.get_binary_stream("stdin") if given == "<stdin>" else stack.enter_context(path.open("rb"))
            with copy.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
    except OSError as exc:
        raise _fail(f"cannot read input {given!r}: {exc.strerror or exc}") from exc
    _SPOOLED[str(copy)] = given
    logger.debug("read %s into %s (%d bytes)", given, copy, copy.stat().st_size)
    return copy


#: The temporary folders of the inputs :func:`_input_file` copied, removed when the command ends.
_SPOOL_FOLDERS: list[Path] = []


def _remove_spooled() -> None:
    import shutil

    for folder in _SPOOL_FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)
    _SPOOL_FOLDERS.clear()
    _SPOOLED.clear()


def _load(
    path: Path,
    fmt: Format,
    columns: list[str] | None,
    actors: list[str] | None = None,
    tz: str | None = None,
    *,
    brands: list[str] | None = None,
    texts_hint: bool = False,
) -> EventLog:
    import journeymap as jm

    _require_input(path)
    if fmt is Format.twcs and (columns or actors or brands):
        raise _usage("--columns and --actors read --format events (so does --brands); a TWCS file has its own columns and roles")
    with _handled(), _rejects_said_by_the_command():
        if fmt is Format.twcs:
            log = jm.read_twcs(path)
        else:
            try:
                mapping, roles, accounts = _parse_columns(columns), _parse_actors(actors), _parse_brands(brands)
                log = jm.read_events(path, columns=mapping, actors=roles, brands=accounts, tz=tz, on_error="collect")
            except JourneyMapError as exc:
                if "missing required column" in str(exc) and _looks_like_twcs(path):
                    raise _fail(f"{str(exc).splitlines()[0]}. This looks like a TWCS export: add --format twcs") from exc
                if "missing required column" in str(exc) and texts_hint:
                    hint = "a table of messages alone (a text column, no customers or times): add --format texts"
                    raise _fail(f"{str(exc).splitlines()[0]}. For {hint}") from exc
                raise
    logger.info("read %s: %d rows, %d events, %d rows rejected", path, log.n_input, len(log.events), log.rejects["row"].nunique())
    if len(log.rejects):  # said now too, in case the command fails before it writes the rejects file
        logger.warning("%d of %d rows of %s rejected", log.rejects["row"].nunique(), log.n_input, path)
    return log


def _looks_like_twcs(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            header = handle.readline()
    except OSError:
        return False
    return all(name in header for name in ("tweet_id", "author_id", "inbound"))


def _rejects_path(output: Path) -> Path:
    """Where the rejects of a run writing ``output`` go: ``<output stem>.rejects.csv`` beside it."""
    return output.with_name(output.stem + ".rejects.csv")


def _write_rejects(rejects: pd.DataFrame, output: Path) -> Path | None:
    """The rejects beside the output; a stale rejects file of an earlier run is removed."""
    return _write_findings(rejects, _rejects_path(output))


def _warnings_path(output: Path) -> Path:
    """Where the rows kept with a caveat (``EventLog.warnings``) go: ``<output stem>.warnings.csv`` beside it."""
    return output.with_name(output.stem + ".warnings.csv")


def _write_warnings(warnings: pd.DataFrame, output: Path) -> Path | None:
    """The rows kept with a caveat beside the output (the rejects' columns); a stale file of an earlier run is removed."""
    return _write_findings(warnings, _warnings_path(output))


def _write_parquet(frame: pd.DataFrame, path: Path, what: str) -> None:
    """``frame`` to Parquet as the library writes it: a column of numbers and text (12345, "A-77") as text, with a warning."""
    import pyarrow.parquet as pq

    from journeymap._arrow import arrow_table

    pq.write_table(arrow_table(frame, preserve_index=None, what=what), path)


def _write_findings(findings: pd.DataFrame, path: Path) -> Path | None:
    """``findings`` (row, column, reason, value) to ``path``, or ``path`` removed where there are none."""
    if len(findings) == 0:
        path.unlink(missing_ok=True)
        return None
    findings.to_csv(path, index=False)
    return path


@app.command()
@_command
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", readable=False, help="Folder for the outputs.")] = Path("journeymap-demo"),
    customers: Annotated[int, typer.Option(min=1, help="Customers in the synthetic data set (at least 1).")] = 400,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data set.")] = 0,
    cache: Annotated[bool, typer.Option(help="Use the persistent score cache." + NO_CACHE_HELP)] = True,
) -> None:
    """The whole flow offline on built-in synthetic data: journeys, scoring, analytics, charts, report."""
    _one_file_only(out, "--out", "demo writes a folder of tables, charts and the report")
    _no_file_in_the_way(out, "--out")
    with _handled():
        _make_folder(out)  # fail before the work, not after
    _writable(out / "report.html")
    from journeymap.plot._theme import off_screen

    with _handled(), off_screen():  # charts outside pyplot: no display needed, the host's backend left alone
        _demo(out, customers, seed, cache=cache)


#: Every file name :func:`_write_tables` can write (its tables, ``demo``'s extra table and its charts):
#: ``map --tables`` refuses a folder where one of them is the input.
TABLE_FILES: tuple[str, ...] = (
    "journey_metrics.csv",
    "touchpoints.csv",
    "pain_points.csv",
    "response_times.csv",
    "service_levels.csv",
    "brand_levels.csv",
    "triage.csv",
    "trends.csv",
    "topics.csv",
    "segments_tier.csv",
    "journey_map.png",
    "journey_graph.png",
    "time_patterns.png",
    "trends.png",
)


def _write_tables(
    js: JourneySet,
    out: Path,
    *,
    extra: dict[str, pd.DataFrame] | None = None,
    tz: str | None = None,
    shared: SharedTables | None = None,
) -> dict[str, pd.DataFrame]:
    """The standard tables (CSV) and charts (PNG) of scored journeys, written into ``out``; the tables by file name.

    ``tz``: the zone the trends and time-of-day chart read clocks in (``--tz``, as the report's);
    None: the journeys' own (:attr:`JourneySet.tz <journeymap.JourneySet>`).

    ``shared``: the touchpoints, pain points, agent league and triage as :func:`~journeymap.report.shared_tables`
    computed them (with its defaults, those of ``jm.touchpoint_summary(js)`` and the others) and
    handed them to the report too, so that each is computed once; None computes them here. The
    charts the report drew and kept in ``shared.charts`` (``keep_charts=True``, the report drawn
    with the same ``tz``, its default ``freq`` and ``seed``) are saved as they are, not drawn again.

    ``extra`` tables must have names in :data:`TABLE_FILES`. A table or chart an earlier run
    wrote into ``out`` (listed in its :data:`TABLES_MANIFEST`) that this run does not write
    (``topics.csv`` of an earlier ``--topics`` run, the service tables where the data now holds
    customer messages only) is removed, and the removal logged; the manifest then lists this
    run's files. No other file of ``out`` is touched (a ``topics.csv`` the ``topics`` command
    wrote there is not in the manifest).
    """
    import journeymap as jm
    from journeymap.io import write_table

    unknown = sorted(set(extra or {}) - set(TABLE_FILES))
    if unknown:
        msg = f"extra tables {unknown} are not in TABLE_FILES"
        raise ValueError(msg)
    _make_folder(out)
    from journeymap.report import shared_tables

    frames = (shared if shared is not None else shared_tables(js)).frames  # the report's defaults: jm.pain_points(js), ...
    written: dict[str, pd.DataFrame] = {
        "journey_metrics.csv": jm.journey_metrics(js),
        "touchpoints.csv": frames["touchpoint_summary"],
        "pain_points.csv": frames["pain_points"],
    }
    from journeymap.analytics.service import customers_only

    replied = not customers_only(js.events)
    if replied:
        written |= {
            "response_times.csv": jm.response_times(js),
            "service_levels.csv": frames["service_levels"],
            "triage.csv": frames["triage"],
            "trends.csv": jm.trends(js, tz=tz),
        }
        if "brand_levels" in frames:  # the report's per-brand table: where the events name brands
            written["brand_levels.csv"] = frames["brand_levels"]
    else:  # a survey, a feedback form: nobody answers, and nothing is late
        logger.warning(
            "the data holds customer messages only (no agent, bot or system message): no response_times, "
            "service_levels, triage or trends tables, nor the trends chart"
        )
    written |= extra or {}
    if "topic" in js.events.columns:
        written["topics.csv"] = jm.topic_summary(js)
    for name, frame in written.items():
        # a named index (journey_id, touchpoint) is a column; a row number is not. write_table writes
        # durations as ISO 8601 text and lists as JSON arrays
        write_table(frame, out / name)
    charts: dict[str, Callable[[], Any]] = {  # drawn, saved and closed one at a time
        "journey_map.png": lambda: jm.plot.journey_map(js),
        "journey_graph.png": lambda: jm.plot.graph(jm.journey_graph(js, level="stage")),
        "time_patterns.png": lambda: jm.plot.time_patterns(js, tz=tz),
        "trends.png": lambda: jm.plot.trends(js, tz=tz),  # of trends.csv's table: jm.trends keeps it on the JourneySet
    }
    if not replied:
        del charts["trends.png"]
    _remove_stale_tables(out, keep={*written, *charts})
    import matplotlib.pyplot as plt

    kept = shared.charts if shared is not None else {}
    for name, draw in charts.items():
        ax: Any = kept.pop(name.removesuffix(".png"), None) or draw()  # the report's figure, as it was drawn
        ax.figure.savefig(out / name, dpi=90, bbox_inches="tight")
        plt.close(ax.figure)
    for ax in kept.values():  # none: the report draws no chart that is not a file here
        plt.close(ax.figure)
    kept.clear()
    return written


#: The file in a ``--tables`` folder that lists the tables and charts the last run wrote there:
#: only those are ever removed (a ``topics.csv`` the ``topics`` command wrote is not the map's).
TABLES_MANIFEST = ".journeymap-tables"


def _tables_written_before(out: Path) -> list[str]:
    """The names (of :data:`TABLE_FILES`) the last run listed in ``out``'s manifest; none without one."""
    try:
        listed = (out / TABLES_MANIFEST).read_text(encoding="utf-8").split()
    except OSError:
        return []
    return [name for name in TABLE_FILES if name in listed]


def _remove_stale_tables(out: Path, *, keep: set[str]) -> None:
    """Remove the tables and charts an earlier run wrote into ``out`` (its manifest) that this run does not; list this run's."""
    stale = [out / name for name in _tables_written_before(out) if name not in keep and (out / name).is_file()]
    for path in stale:
        path.unlink()
    if stale:
        logger.warning(
            "removed %s from %s: an earlier run's, this run does not write them", ", ".join(p.name for p in stale), out
        )
    (out / TABLES_MANIFEST).write_text("".join(f"{name}\n" for name in TABLE_FILES if name in keep), encoding="utf-8")


def _scored(events: pd.DataFrame, *, agents: bool = False) -> str:
    """``N of M customer messages scored`` (with ``agents``: ``messages``), and why the others were not read.

    A run that scored nothing (every message in a language the scorer does not read) says so
    on its result line, ``0 of 3 customer messages scored (3 not read: language 'es')``, rather
    than look like any other success.

    Examples:
        >>> import pandas as pd
        >>> events = pd.DataFrame({"actor": ["customer", "agent", "customer"], "scorer": [pd.NA, pd.NA, "x"],
        ...                        "score_note": ["language 'es' not covered by scorer 'x'", pd.NA, pd.NA]})
        >>> _scored(events)
        "1 of 2 customer messages scored (1 not read: language 'es')"
    """
    import pandas as pd

    asked = events if agents else events[events["actor"].astype("string").eq("customer").fillna(False).to_numpy(dtype=bool)]
    scored = asked["scorer"].notna() if "scorer" in asked.columns else pd.Series(False, index=asked.index)
    n, total = int(scored.sum()), len(asked)
    line = f"{n:,} of {total:,} {'messages' if agents else 'customer messages'} scored"
    if n == total:
        return line
    notes = asked.loc[~scored.to_numpy(dtype=bool), "score_note"] if "score_note" in asked.columns else None
    reasons = notes.astype("string").fillna("no reason noted") if notes is not None else pd.Series(["no reason noted"])
    counts = reasons.map(_reason).value_counts(sort=True)
    said = [f"{reason}" if len(counts) == 1 else f"{int(k):,} {reason}" for reason, k in counts.head(3).items()]
    more = ", ..." if len(counts) > 3 else ""
    return f"{line} ({total - n:,} not read: {', '.join(said)}{more})"


def _notes_in_cli_words(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its ``score_note`` in the command line's words (``--lang-scorer``, not ``scorer={...}``)."""
    if "score_note" not in frame.columns or not frame["score_note"].notna().any():
        return frame
    notes = frame["score_note"]
    said = {note: _cli_words(note) for note in notes.dropna().unique() if isinstance(note, str)}
    return frame.assign(score_note=notes.map(lambda note: said.get(note, note)).astype(notes.dtype))


def _reason(note: str) -> str:
    """A ``score_note`` as the kind of reason it says: ``language 'es'``, ``no words``, ``no text``, ..."""
    from journeymap.emotions.score import NO_WORDS

    language = re.match(r"language ('[^']*')", note)
    if language:
        return f"language {language.group(1)}"
    if note == NO_WORDS:
        return "no words"
    return note.split(":", 1)[0].split(" (", 1)[0]


def _demo(out: Path, customers: int, seed: int, *, cache: bool = True) -> None:
    import journeymap as jm
    from journeymap.report import shared_tables

    _make_folder(out)
    # the demo shows every planted case: bystanders, a bot, signing agents and broadcasts
    log = jm.datasets.service_journeys(n_customers=customers, seed=seed, broadcasts=2)
    js = jm.build_journeys(log)
    _status(f"{len(log.events):,} events in {len(js):,} journeys; scoring with the default model (offline)...")
    js = jm.score(js, cache=cache, progress=_bars())
    _write_parquet(_notes_in_cli_words(js.events), out / "events_scored.parquet", "the scored events")
    segments = jm.compare_segments(js, "tier")  # of end_valence, the default measure: a column says so in the file
    segments.insert(list(segments.columns).index("diff_vs_rest"), "measure", "end_valence")
    # computed and drawn once, for the report and the table files: the report first, as map runs them, so that
    # the charts it draws (and keeps in shared.charts) are the ones the folder gets
    shared = shared_tables(js, keep_charts=True)
    report = jm.report(js, out / "report.html", log=log, _tables=shared)
    written = _write_tables(js, out, extra={"segments_tier.csv": segments}, shared=shared)
    pains = written["pain_points.csv"]
    typer.echo(f"{len(js):,} journeys; {_scored(js.events)}")
    typer.echo(f"top pain point: {pains.index[0]} (impact {pains['impact'].iloc[0]:.0f})")
    typer.echo(f"tables and charts: {_shown(out)}")
    typer.echo(f"report: {_shown(report)}")


@app.command()
@_command
def score(
    input: Annotated[Path, typer.Argument(readable=False, help=INPUT_HELP)],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            readable=False,
            help="Output file: .parquet or .csv; - writes the CSV to standard output (the result line and any "
            "rejected rows' count then go to standard error; no rejects or warnings file is written).",
        ),
    ],
    fmt: Annotated[LogFormat, typer.Option("--format", help="events (canonical columns) or twcs.")] = LogFormat.events,
    scorer: Annotated[str, typer.Option(help="Registered scorer name, hub id or model path.")] = "default",
    columns: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(help="Column mapping SOURCE=CANONICAL, repeatable (e.g. --columns user=customer_id)."),
    ] = None,
    agents: Annotated[bool, typer.Option(help="Also score the brand's messages.")] = False,
    cache: Annotated[bool, typer.Option(help="Use the persistent score cache." + NO_CACHE_HELP)] = True,
    scorer_option: ScorerOption = None,
    actors: ActorsOption = None,
    brands: BrandsOption = None,
    tz: TzOption = None,
    lang_scorer: LangScorerOption = None,
    prior: PriorOption = Prior.auto,
) -> None:
    """Score a file's texts; writes the events with emotion columns, and any rejects beside them.

    With -o - the events go to standard output as CSV (what -o FILE.csv writes, and nothing else
    there): the result line goes to standard error, and rejected rows or rows kept with a caveat
    are counted there, with their commonest reasons.
    """
    import journeymap as jm

    to_stdout = _to_stdout(output)
    if not to_stdout and output.suffix.lower() not in {".parquet", ".csv"}:
        raise _usage(f"--output must end in .parquet or .csv (or - for CSV on standard output), got {output.name!r}")
    if not to_stdout:
        _not_the_input(output, input, "--output")
        _not_the_input(_rejects_path(output), input, "the rejects file")
        _not_the_input(_warnings_path(output), input, "the warnings file")
        _no_file_in_the_way(output.parent, "--output")
    routes = _scorer_routes(scorer, scorer_option, lang_scorer)
    _check_tz(tz)  # a TWCS reader does not read it: checked here, whatever the format
    input = _input_file(input)  # a pipe or standard input: copied to a file, read by its name
    scorers = _scorers_from(scorer, scorer_option, routes)  # built (no model loaded) before the file is read
    log = _load(input, Format(fmt.value), columns, actors, tz, brands=brands)
    _usable(log, input, output, outputs=[output, _warnings_path(output)])
    if not agents:  # only the customers' messages are scored
        _customers_usable(log, input, output, outputs=[output, _warnings_path(output)])
    if to_stdout:
        _score_to_stdout(log, scorers, cache=cache, agents=agents, prior=prior)
        return
    with _handled():
        _make_folder(output.parent)  # fail before scoring, not after
    for path in (output, _rejects_path(output), _warnings_path(output)):
        _writable(path)
    with _handled():
        scored = jm.score(log.events, scorers, cache=cache, agents=agents, progress=_bars(), prior=prior.value)
        scored = _notes_in_cli_words(scored)
        if output.suffix.lower() == ".parquet":
            _write_parquet(scored, output, "the scored events")
        else:
            scored.to_csv(output, index_label="row")
        logger.info("scored %d texts; wrote %s", int(scored["scorer"].notna().sum()), output)
        rejects = _write_rejects(log.rejects, output)
        noted = _write_warnings(log.warnings, output)
    typer.echo(f"wrote {len(scored):,} events to {_shown(output)}; {_scored(scored, agents=agents)}")
    if rejects is not None:
        _say_rejects(log.rejects, rejects)
    if noted is not None:
        _say_warnings(log.warnings, noted)


def _score_to_stdout(log: EventLog, scorers: Any, *, cache: bool, agents: bool, prior: Prior) -> None:
    """``score -o -``: the scored events as CSV on standard output, the rest on standard error (no file written)."""
    import journeymap as jm

    with _handled():
        scored = _notes_in_cli_words(
            jm.score(log.events, scorers, cache=cache, agents=agents, progress=_bars(), prior=prior.value)
        )
    _csv_to_stdout(scored, index_label="row")  # what -o FILE.csv writes
    logger.info("scored %d texts; wrote them to standard output", int(scored["scorer"].notna().sum()))
    for findings, what in ((log.rejects, "rejected"), (log.warnings, "kept with a caveat")):
        if len(findings):
            n = int(findings["row"].nunique())
            logger.warning(
                "%s %s (%s); with -o - no file lists them: give -o NAME.csv for each row's reason in %s",
                f"{n:,} row{'' if n == 1 else 's'}",
                what,
                _top_reasons(findings),
                "NAME.rejects.csv" if what == "rejected" else "NAME.warnings.csv",
            )
    _status(f"wrote {len(scored):,} events to standard output; {_scored(scored, agents=agents)}")


@app.command(name="map")
@_command(words=_MAP_WORDS)
def map_(
    input: Annotated[Path, typer.Argument(readable=False, help=INPUT_HELP)],
    report: Annotated[Path, typer.Option("--report", readable=False, help="The HTML report to write.")] = Path("report.html"),
    by: Annotated[By, typer.Option(help="Journeys by conversation thread or by customer.")] = By.thread,
    fmt: Annotated[LogFormat, typer.Option("--format", help="events (canonical columns) or twcs.")] = LogFormat.events,
    scorer: Annotated[str, typer.Option(help="Registered scorer name, hub id or model path.")] = "default",
    columns: Annotated[Optional[list[str]], typer.Option(help="Column mapping SOURCE=CANONICAL, repeatable.")] = None,  # noqa: UP045
    topics: Annotated[
        bool, typer.Option("--topics", help="Find what customers write about; the report gets a topics section.")
    ] = False,
    n_topics: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--n-topics", min=2, help="With --topics: the number of topics (default: found)."),
    ] = None,
    labels: Annotated[Optional[str], typer.Option(help="With --topics: topic names, comma-separated (zero-shot).")] = None,  # noqa: UP045
    labels_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(readable=False, help="With --topics: a file of topic names, one a line."),
    ] = None,
    encoder: Annotated[str, typer.Option(help="With --topics: the sentence encoder (name, hub id or path).")] = "default",
    min_score: MinScoreOption = None,
    scorer_option: ScorerOption = None,
    actors: ActorsOption = None,
    brands: BrandsOption = None,
    tz: TzOption = None,
    gap: GapOption = None,
    lang_scorer: LangScorerOption = None,
    tables: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--tables", readable=False, help="Also write the tables (CSV) and charts (PNG) into this folder."),
    ] = None,
    cache: Annotated[bool, typer.Option(help="Use the persistent score and embedding caches." + NO_CACHE_HELP)] = True,
    prior: PriorOption = Prior.auto,
) -> None:
    """Journeys, scores, analytics and the HTML report for a file (with --topics: and what customers write about)."""
    import journeymap as jm
    from journeymap.plot._theme import off_screen

    _one_file_only(report, "--report", "the report is an HTML file, with its rejects and warnings beside it")
    _one_file_only(tables, "--tables", "--tables writes a folder of tables (CSV) and charts (PNG)")
    if report.suffix.lower() not in {".html", ".htm"}:
        raise _usage(f"--report must end in .html, got {report.name!r}")
    _not_the_input(report, input, "--report")
    _not_the_input(_rejects_path(report), input, "the rejects file")
    _not_the_input(_warnings_path(report), input, "the warnings file")
    if tables is not None:
        for name in TABLE_FILES:
            _not_the_input(tables / name, input, "--tables: the file")
        _no_file_in_the_way(tables, "--tables")
    _no_file_in_the_way(report.parent, "--report")
    if not topics and (
        n_topics is not None or labels is not None or labels_file is not None or encoder != "default" or min_score is not None
    ):
        raise _usage("--n-topics, --labels, --labels-file, --encoder and --min-score need --topics")
    model = _topic_model(n_topics, labels, labels_file, encoder, min_score, cache=cache) if topics else None
    gap = _gap_needs_customer(gap, by)
    routes = _scorer_routes(scorer, scorer_option, lang_scorer)
    _check_tz(tz)
    input = _input_file(input)  # a pipe or standard input: copied to a file, read by its name
    scorers = _scorers_from(scorer, scorer_option, routes)  # built (no model loaded) before the file is read
    _map_outputs_writable(report, tables)
    log = _load(input, Format(fmt.value), columns, actors, tz, brands=brands)
    earlier = [*(tables / name for name in _tables_written_before(tables)), tables / TABLES_MANIFEST] if tables else []
    stale = [report, _warnings_path(report), *earlier]
    _usable(log, input, report, outputs=stale)
    _customers_usable(log, input, report, outputs=stale)
    _threads_known(log, by.value, report, stale)
    with _handled(), off_screen():  # charts outside pyplot: no display needed, the host's backend left alone
        js = jm.build_journeys(log, by=by.value, gap=gap)
        logger.info("built %d journeys by %s", len(js), by.value)
        js = jm.score(js, scorers, cache=cache, progress=_bars(), prior=prior.value)
        if model is not None:
            js = jm.assign_topics(js, model)
        rejects_file = _rejects_path(report) if len(log.rejects) else None
        warnings_file = _warnings_path(report) if len(log.warnings) else None
        from journeymap.report import shared_tables

        # with --tables, the tables and charts the report shows and the folder gets too are made once, for both
        shared = shared_tables(js, keep_charts=True) if tables is not None else None
        path = jm.report(js, report, log=log, tz=tz, rejects=rejects_file, warnings=warnings_file, _tables=shared)
        rejects = _write_rejects(log.rejects, report)
        noted = _write_warnings(log.warnings, report)
        if tables is not None:
            _write_tables(js, tables, tz=tz, shared=shared)
            typer.echo(f"tables and charts: {_shown(tables)}")
    typer.echo(f"{len(js):,} journeys; {_scored(js.events)}; report: {_shown(path)}")
    if rejects is not None:
        _say_rejects(log.rejects, rejects)
    if noted is not None:
        _say_warnings(log.warnings, noted)


def _map_outputs_writable(report: Path, tables: Path | None) -> None:
    """``map``'s folders made and its files checked, before the work: one it cannot write fails now, not after the scoring."""
    with _handled():
        _make_folder(report.parent)
        if tables is not None:
            _make_folder(tables)
    for path in (report, _rejects_path(report), _warnings_path(report)):
        _writable(path)
    if tables is not None:
        _writable(tables / TABLES_MANIFEST)


def _labels(labels: str | None, labels_file: Path | None) -> list[str] | dict[str, str] | None:
    """Topic names from ``--labels a,b,c`` or a file (``name`` or ``name: description`` a line; # comments)."""
    if labels is not None and labels_file is not None:
        raise _usage("give --labels or --labels-file, not both")
    if labels is not None:
        names = [name.strip() for name in labels.split(",") if name.strip()]
        folded = [name.casefold() for name in names]  # "Card,card": one name to an uncased encoder, as TopicModel has it
        repeated = sorted({name for name, key in zip(names, folded) if folded.count(key) > 1})
        if repeated:
            raise _usage(f"--labels: each name must be given once; repeated: {repeated}")
        return names
    if labels_file is None:
        return None
    if not labels_file.exists():  # a pipe or <(...) is read as a file is
        raise _fail(f"--labels-file {str(labels_file)!r} does not exist")
    with _handled():
        lines = labels_file.read_text(encoding="utf-8-sig").splitlines()  # a BOM is not part of the first name
    named: dict[str, str] = {}
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, _, description = text.partition(":")
        if name.strip().casefold() in {known.casefold() for known in named}:  # "Card" and "card" too, as with --labels
            raise _fail(f"--labels-file: topic {name.strip()!r} is named twice")
        named[name.strip()] = description.strip() or name.strip()
    return named


def _topic_model(
    n_topics: int | None,
    labels: str | None,
    labels_file: Path | None,
    encoder: str,
    min_score: float | None = None,
    *,
    cache: bool = True,
    seed: int = 0,
) -> TopicModel:
    """The topic model the options describe (discovery, or zero-shot with labels); checked before any work."""
    from journeymap.topics import TopicModel
    from journeymap.topics._inputs import as_label_descriptions

    names = _labels(labels, labels_file)
    if names is not None and n_topics is not None:
        raise _usage("--n-topics is for discovered topics; with --labels the topics are the labels")
    if names is not None:
        with _handled(usage=labels is not None):  # --labels is the command line; a --labels-file's names are its data
            as_label_descriptions(names)  # fail now on one label, repeats or 'other', not after reading
    with _handled(usage=True):
        model = TopicModel(
            labels=names, n_topics=n_topics, encoder=encoder, progress=_bars(), min_score=min_score, cache=cache, seed=seed
        )
        model._check_settings()  # --min-score out of range: now, not when the model is fitted after the scoring
    _check_model_name(encoder, "--encoder")
    return model


def _check_model_name(name: str, option: str) -> None:
    """Fail now, before a file is read, on a scorer or encoder ``name`` that names nothing; nothing is built or loaded.

    A registered name, a hub id or an existing folder passes; a name none of them is an error
    listing the registered names, and a name written as a path (``./model``, ``/models/x``,
    ``~/x``) an error when there is no folder there. Exit 1: what is installed or on disk decides.
    """
    from journeymap.emotions.registry import is_registered as registered_scorer
    from journeymap.topics.encoders import is_registered as registered_encoder

    with _handled():
        if (registered_encoder if option == "--encoder" else registered_scorer)(name):
            return
    if name.startswith(("/", ".", "~")) and not Path(name).expanduser().exists():
        raise _fail(f"{option} {name!r}: no such model folder")


def _scorer_routes(scorer: str, options: list[str] | None, lang_scorers: list[str] | None) -> dict[str, str] | None:
    """The ``--lang-scorer`` routes; they and ``--scorer`` (unless ``--scorer-option`` builds it) checked now, nothing loaded."""
    routes = _lang_routes(lang_scorers)
    for name in [*([] if options else [scorer]), *(routes or {}).values()]:
        _check_model_name(name, "--scorer" if name == scorer else "--lang-scorer")
    return routes


def _over_all(info: pd.DataFrame, topics: pd.Series) -> pd.DataFrame:
    """The model's topic table with ``size`` and ``share`` over every message, not only those it was fitted on.

    A topic no fitted text had (``other``, where the sample had none) gets a row, without keywords.
    """
    import pandas as pd

    counts = topics.value_counts()
    table = info.copy()
    missing = [t for t in counts.index if t not in set(table["topic"])]
    if missing:
        empty = pd.DataFrame({"topic": missing, "keywords": [[] for _ in missing], "representative_texts": [[] for _ in missing]})
        table = pd.concat([table, empty], ignore_index=True)
    table["size"] = table["topic"].map(counts).fillna(0).astype("int64")
    table["share"] = table["size"] / max(len(topics), 1)
    other = table["topic"].eq("other")
    return pd.concat([table[~other].sort_values("size", ascending=False, kind="stable"), table[other]], ignore_index=True)


def _topic_table(js: object) -> pd.DataFrame:
    """The topic table, with valence columns only when the messages were scored (write_table joins its lists by '; ')."""
    import journeymap as jm

    table = jm.topic_summary(js)  # type: ignore[arg-type]
    if not (table["scored"] > 0).any():
        table = table.drop(columns=["scored", "share_negative", "mean_valence", "ci_low", "ci_high"])
    return table


@app.command()
@_command
def topics(
    input: Annotated[Path, typer.Argument(readable=False, help=INPUT_HELP)],
    output: Annotated[
        Path, typer.Option("--output", "-o", readable=False, help="The topic table (.csv); the messages go beside it.")
    ] = Path("topics.csv"),
    n_topics: Annotated[Optional[int], typer.Option("--n-topics", min=2, help="The number of topics (default: found).")] = None,  # noqa: UP045
    labels: Annotated[Optional[str], typer.Option(help="Topic names, comma-separated (zero-shot): a,b,c.")] = None,  # noqa: UP045
    labels_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(readable=False, help="A file of topic names, one a line; 'name: description' lines describe them."),
    ] = None,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            help="events (canonical columns), twcs, or texts: a table of messages with a text column only "
            "(survey comments, an intent set), each row one customer message.",
        ),
    ] = Format.events,
    by: Annotated[By, typer.Option(help="Journeys by conversation thread or by customer.")] = By.thread,
    columns: Annotated[Optional[list[str]], typer.Option(help="Column mapping SOURCE=CANONICAL, repeatable.")] = None,  # noqa: UP045
    encoder: Annotated[str, typer.Option(help="Sentence encoder: a registered name, hub id or model path.")] = "default",
    min_score: MinScoreOption = None,
    sample: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(min=2, help="Learn the topics from a random sample of this many messages."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the topic model and the sample.")] = 0,
    cache: Annotated[bool, typer.Option(help="Use the persistent embedding cache." + NO_CACHE_HELP)] = True,
    actors: ActorsOption = None,
    brands: BrandsOption = None,
    tz: TzOption = None,
    gap: GapOption = None,
) -> None:
    """What customers write about: the topic table, and every customer message with its topic.

    Discovers the topics (or, with --labels/--labels-file, assigns the messages to the topics
    named) and writes the topic table to --output, columns topic, volume, share, keywords, quotes
    (an input already scored, such as score's output, adds scored, share_negative, mean_valence,
    ci_low, ci_high before keywords), and the customer messages beside it (topics.messages.csv
    for -o topics.csv: event_id, journey_id, customer_id, timestamp, text, topic, topic_score).
    With --format texts the input is a table of messages (a text column, any others kept): the
    table's columns are then topic, size, share, keywords, representative_texts, and the
    messages file has every kept row's number (row), its own columns, topic and topic_score.
    """
    import journeymap as jm
    from journeymap.io import write_table

    _one_file_only(output, "--output", "topics writes two tables, the topic table and the messages beside it")
    if output.suffix.lower() != ".csv":
        raise _usage(f"--output must end in .csv, got {output.name!r}")
    messages_path = output.with_name(output.stem + ".messages.csv")
    _not_the_input(output, input, "--output")
    _not_the_input(messages_path, input, "the messages file")
    _not_the_input(_rejects_path(output), input, "the rejects file")
    _not_the_input(_warnings_path(output), input, "the warnings file")
    _no_file_in_the_way(output.parent, "--output")
    model = _topic_model(n_topics, labels, labels_file, encoder, min_score, cache=cache, seed=seed)
    if fmt is Format.texts and (actors or brands or gap is not None or by is not By.thread or tz is not None):
        raise _usage("--actors, --gap, --by and --tz are for journeys (so is --brands); --format texts reads the messages alone")
    gap = _gap_needs_customer(gap, by)
    _check_tz(tz)  # a TWCS reader does not read it: checked here, whatever the format
    input = _input_file(input)  # a pipe or standard input: copied to a file, read by its name
    with _handled():
        _make_folder(output.parent)  # fail before the work, not after
    for path in (output, messages_path, _rejects_path(output), _warnings_path(output)):
        _writable(path)
    if fmt is Format.texts:
        _topics_of_texts(input, columns, model, sample=sample, seed=seed, output=output, messages_path=messages_path)
        return
    log = _load(input, fmt, columns, actors, tz, brands=brands, texts_hint=True)
    _usable(log, input, output, outputs=[output, messages_path, _warnings_path(output)])
    _customers_usable(log, input, output, outputs=[output, messages_path, _warnings_path(output)])
    _threads_known(log, by.value, output, [output, messages_path, _warnings_path(output)])
    with _handled():
        js = jm.assign_topics(jm.build_journeys(log, by=by.value, gap=gap), model, sample=sample, seed=seed)
        table = _topic_table(js)
        write_table(table, output)
        events = js.events
        keep = [c for c in ("event_id", "journey_id", "customer_id", "timestamp", "text", "topic", "topic_score") if c in events]
        events.loc[events["topic"].notna(), keep].to_csv(messages_path, index=False)
        rejects = _write_rejects(log.rejects, output)
        noted = _write_warnings(log.warnings, output)
    typer.echo(f"{int(table['volume'].sum()):,} customer messages in {int((table.index != 'other').sum()):,} topics")
    typer.echo(f"topic table: {_shown(output)}")
    typer.echo(f"messages with their topics: {_shown(messages_path)}")
    if rejects is not None:
        _say_rejects(log.rejects, rejects)
    if noted is not None:
        _say_warnings(log.warnings, noted)


def _topics_of_texts(
    path: Path, columns: list[str] | None, model: TopicModel, *, sample: int | None, seed: int, output: Path, messages_path: Path
) -> None:
    """``topics --format texts``: a table of messages (a text column) to its topics; rows without text to the rejects."""
    import numpy as np

    from journeymap.io.sources import read_table, write_table
    from journeymap.io.validation import Problems, as_text
    from journeymap.topics.assign import fit_sample

    problems = Problems()
    with _handled():
        frame = read_table(path, problems=problems)
    mapping = _parse_columns(columns) or {}
    unknown = sorted(set(mapping) - set(map(str, frame.columns)))
    if unknown or len(mapping) > 1 or any(target != "text" for target in mapping.values()):
        raise _fail(
            f"--format texts maps one column to text (--columns SOURCE=text); got {columns}, columns: {list(frame.columns)}"
        )
    if mapping and "text" in frame.columns and "text" not in mapping:
        raise _fail(f"--columns {columns[0] if columns else ''} would make a second 'text' column: the file has one already")
    frame = frame.rename(columns=dict.fromkeys(mapping, "text"))
    if "text" not in frame.columns:
        found = [str(c) for c in frame.columns]
        raise _fail(f"--format texts needs a 'text' column; found {found}: name yours with --columns SOURCE=text")
    text, wrong = as_text(frame["text"])
    problems.add(wrong, "text", "wrong type: text must be a string", frame["text"])
    problems.add(~wrong & text.fillna("").str.strip().eq(""), "text", "missing or blank text: no message to read", frame["text"])
    rejected = np.isin(np.arange(len(frame)), problems.rows())
    keep = np.flatnonzero(~rejected)
    if not len(frame):
        raise _fail(f"no messages in {str(path)!r}: the file has no rows")
    if not len(keep):
        stale = [output, messages_path, _warnings_path(output)]
        written, removed = _write_failed_run(problems.frame(), output, stale)
        raise _fail(f"no messages in {str(path)!r}: all {len(frame):,} rows were rejected; reasons in {written}{removed}")
    texts = text.iloc[keep].astype(str).tolist()
    picked = fit_sample(texts, sample, seed)
    with _handled():
        model.fit(texts if picked is None else [texts[i] for i in picked])
        assigned = model.assign(texts)
        messages = frame.iloc[keep].copy()
        messages.insert(0, "row", keep)
        messages["topic"] = assigned["topic"].to_numpy()
        messages["topic_score"] = assigned["topic_score"].to_numpy()
        table = _over_all(model.topic_info_, messages["topic"])
        write_table(table, output)
        messages.to_csv(messages_path, index=False)
        rejects = problems.frame()
        rejects_path = _write_rejects(rejects, output)
        _warnings_path(output).unlink(missing_ok=True)  # an events run's: a table of texts keeps no row with a caveat
    typer.echo(f"{len(texts):,} messages in {int(table['topic'].ne('other').sum()):,} topics")
    typer.echo(f"topic table: {_shown(output)}")
    typer.echo(f"messages with their topics: {_shown(messages_path)}")
    if rejects_path is not None:
        _say_rejects(rejects, rejects_path)


@app.command()
@_command
def scorers() -> None:
    """List the registered scorers."""
    import journeymap as jm

    for name in jm.available_scorers():
        typer.echo(name)


class EvalPrior(str, Enum):
    """How ``evaluate`` reads sentiment: as texts of one side, or as customer messages to a brand."""

    none = "none"
    service = "service"


# the options `evaluate` and `train` share for a labelled table
TextColumn = Annotated[str, typer.Option("--text-column", help="Table only: the text column.")]
LabelColumn = Annotated[str, typer.Option("--label-column", help="Table only: the label column.")]
LabelMap = Annotated[
    Optional[list[str]],  # noqa: UP045 - Typer reads the annotation at runtime
    typer.Option("--label-map", help="Table only: DATA=NAME label renames (0=negative), repeatable."),
]


@app.command()
@_command
def evaluate(
    data: Annotated[
        Path,
        typer.Argument(
            readable=False,
            help="A GoEmotions-format folder, a TweetEval task folder, or a labelled table (CSV, TSV, Parquet, JSONL, Excel).",
        ),
    ],
    split: Annotated[
        Optional[str],  # noqa: UP045 - Typer reads the annotation at runtime
        typer.Option(help="Folder only: train, dev (TweetEval: val) or test (the default)."),
    ] = None,
    scorer: Annotated[str, typer.Option(help="Registered name, hub id, model folder or trained folder.")] = "default",
    text_column: TextColumn = "text",
    label_column: LabelColumn = "label",
    label_map: LabelMap = None,
    scorer_option: ScorerOption = None,
    prior: Annotated[
        EvalPrior,
        typer.Option(
            help="Sentiment labels: none reads texts as jm.score reads texts of one side; service as it reads "
            "customer messages to a brand (the customer-service prior; for customer-service data)."
        ),
    ] = EvalPrior.none,
    level: Annotated[
        Optional[str],  # noqa: UP045 - Typer reads the annotation at runtime
        typer.Option(
            help="Table only: the level to read the labels at (sentiment: what jm.score writes; the scorer's taxonomy "
            "name; ekman; goemotions; sentiment_groups). Default: inferred from the data's labels, and said."
        ),
    ] = None,
    sep: Annotated[str, typer.Option("--sep", help="Table only: the separator of several labels in one cell (anger;joy).")] = ",",
    dev: Annotated[
        Optional[Path],  # noqa: UP045 - Typer reads the annotation at runtime
        typer.Option(
            "--dev",
            readable=False,
            help="Table only: a second labelled table (same columns) to tune the label-set thresholds on; they are "
            "applied to DATA (as a GoEmotions folder's dev.tsv is).",
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Write the whole result as JSON to standard output (figures, intervals, confusion matrix, per-text "
            "predictions, counts of scored and unscored texts) instead of the readable summary.",
        ),
    ] = False,
) -> None:
    """Evaluate a scorer: on a GoEmotions split (28, Ekman, sentiment), a TweetEval task, or any labelled table."""
    columns = {
        "--text-column": text_column != "text",
        "--label-column": label_column != "label",
        "--level": level is not None,
        "--sep": sep != ",",
        "--dev": dev is not None,
    }
    if data.is_file() and split is not None:
        raise _usage("--split chooses a folder's split (train, dev, test); a labelled table is evaluated whole")
    if data.is_dir() and (data / "mapping.txt").is_file() and not (data / "labels.txt").is_file():
        _not_for_a_folder(columns, f"the TweetEval folder {str(data)!r} brings its texts and labels (<split>_text.txt, ...)")
    elif data.is_dir():
        _not_for_a_folder(
            {**columns, "--label-map": bool(label_map)},
            f"a GoEmotions-format folder brings its own columns and labels (labels.txt); {str(data)!r} is a folder",
        )
    split = split or "test"
    built = _scorer_from(scorer, scorer_option)
    if data.is_dir():
        if (data / "mapping.txt").is_file() and not (data / "labels.txt").is_file():
            with _handled():
                text, found = _evaluate_tweeteval(data, split, built, label_map, prior.value)
            typer.echo(_as_json(found) if as_json else text)
            return
        from journeymap.emotions.evaluate import evaluate as run
        from journeymap.emotions.evaluate import format_results

        if prior is not EvalPrior.none and (data / "labels.txt").is_file():
            raise _usage("--prior applies to sentiment labels in a table or a TweetEval folder, not to a GoEmotions folder")
        if not (data / "labels.txt").is_file():
            raise _fail(
                f"{str(data)!r} is neither a GoEmotions-format folder (labels.txt) nor a TweetEval task folder "
                "(mapping.txt, <split>_text.txt, <split>_labels.txt); a labelled table is a file"
            )
        with _handled():
            folder_result = run(data, split=split, scorer=built)
        typer.echo(_as_json(folder_result) if as_json else format_results(folder_result))
        return
    if not data.is_file():
        raise _fail(f"{str(data)!r} does not exist")
    if dev is not None and not dev.is_file():
        raise _fail(f"--dev {str(dev)!r} is no file: it takes a labelled table with the columns of DATA")
    from journeymap.emotions.evaluate_labelled import evaluate_labelled, format_labelled
    from journeymap.emotions.labelled import parse_label_map
    from journeymap.exceptions import SchemaError

    with _handled():
        mapping = parse_label_map(label_map)
        try:
            result = evaluate_labelled(
                data,
                scorer=built,
                text=text_column,
                label=label_column,
                label_map=mapping,
                prior=prior.value,
                level=level,
                sep=sep or None,
                dev=dev,
            )
        except SchemaError as exc:  # the library names its keywords; here they are options
            raise _fail(str(exc).replace("text= and label=", "--text-column and --label-column")) from exc
    typer.echo(_as_json(result) if as_json else format_labelled(result))


def _as_json(result: Any) -> str:
    """A result as the JSON ``evaluate --json`` writes (:func:`~journeymap.emotions.evaluate_labelled.result_json`)."""
    from journeymap.emotions.evaluate_labelled import result_json

    return json.dumps(result_json(result), indent=2, ensure_ascii=False, allow_nan=False)


def _not_for_a_folder(given: dict[str, bool], why: str) -> None:
    """Refuse the options of ``given`` that were given (True), naming them, with ``why`` they do not apply."""
    named = [option for option, on in given.items() if on]
    if named:
        options = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
        raise _usage(f"{options} appl{'ies' if len(named) == 1 else 'y'} to a labelled table, not here: {why}")


def _evaluate_tweeteval(
    folder: Path, split: str, scorer: Any, label_map: list[str] | None, prior: str = "none"
) -> tuple[str, dict[str, Any]]:
    """A TweetEval task folder: irony by the scorer's irony output, other tasks as a labelled table; as text and as the result."""
    import pandas as pd

    from journeymap.emotions.evaluate import evaluate_tweets
    from journeymap.emotions.evaluate_labelled import evaluate_labelled, format_labelled
    from journeymap.emotions.labelled import parse_label_map
    from journeymap.emotions.train_multitask import read_tweeteval

    split = {"dev": "val", "validation": "val"}.get(split, split)
    if not (folder / f"{split}_text.txt").is_file():
        found = sorted(p.name.removesuffix("_text.txt") for p in folder.glob("*_text.txt"))
        raise _fail(f"no {split}_text.txt in the TweetEval folder {str(folder)!r}; its splits: {found}")
    names = {}
    for line in (folder / "mapping.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            code, _, name = line.strip().partition("\t")
            names[int(code)] = name.strip()
    if set(names.values()) == {"non_irony", "irony"}:
        if prior != "none":
            raise _usage("--prior applies to sentiment labels; TweetEval irony is measured by the irony output")
        if label_map:
            raise _usage("--label-map renames sentiment labels; TweetEval irony is measured by the irony output")
        result = evaluate_tweets(irony=folder, split=split, scorer=scorer)
        if "irony_f1" not in result:
            raise _fail(f"scorer {result['scorer']!r} has no irony output to evaluate TweetEval irony with")
        return (
            f"scorer {result['scorer']}, TweetEval irony {split} ({result['irony_n']} tweets): "
            f"F1 of irony at 0.5 {result['irony_f1']:.3f}, AUC {result['irony_auc']:.3f}"
        ), result
    texts, codes = read_tweeteval(folder, split)
    table = pd.DataFrame({"text": texts, "label": [names.get(int(c), str(c)) for c in codes]})
    labelled = evaluate_labelled(table, scorer=scorer, label_map=parse_label_map(label_map), prior=prior)
    return format_labelled(labelled), labelled


@app.command()
@_command
def train(
    data: Annotated[
        Path,
        typer.Argument(readable=False, help="A GoEmotions-format folder, or a labelled table (CSV, TSV, Parquet, JSONL, Excel)."),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", readable=False, help="Folder for the model (load it with get_scorer(OUT)).")
    ],
    text_column: TextColumn = "text",
    label_column: LabelColumn = "label",
    label_map: LabelMap = None,
    valence: Annotated[
        Optional[list[str]],  # noqa: UP045 - Typer reads the annotation at runtime
        typer.Option("--valence", help="LABEL=VALUE in [-1, 1] for labels without a known valence, repeatable."),
    ] = None,
    dev: Annotated[Optional[Path], typer.Option(readable=False, help="A table to validate on (default: 10% of DATA).")] = None,  # noqa: UP045
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the data.")] = 4,
    batch_size: Annotated[int, typer.Option(min=1, help="Texts per step.")] = 32,
    resume: Annotated[bool, typer.Option("--resume", help="Continue from the last checkpoint in OUT.")] = False,
) -> None:
    """Fine-tune the MiniLM emotion classifier on labelled texts; the result loads with get_scorer(OUT).

    A GoEmotions-format folder brings its own splits, columns and labels: --dev, --text-column,
    --label-column, --label-map and --valence are for a table and refused with a folder. OUT
    holds the best epoch finished so far (it loads) and a checkpoint: after an interruption
    (Ctrl-C), the same command with --resume continues from the last checkpoint.
    """
    _one_file_only(out, "--out", "train writes a model folder")
    if not data.exists():
        raise _fail(f"{str(data)!r} does not exist")
    if data.is_dir():
        given = {
            "--dev": dev is not None,
            "--text-column": text_column != "text",
            "--label-column": label_column != "label",
            "--label-map": bool(label_map),
            "--valence": bool(valence),
        }
        why = "a GoEmotions-format folder brings its own splits (train.tsv, dev.tsv), columns and labels (labels.txt)"
        _not_for_a_folder(given, f"{why}; {str(data)!r} is a folder")
    from journeymap._loading import require

    with _handled():
        require("torch", "training")  # the training module imports torch at the top
        require("transformers", "training")
    from journeymap.emotions.train import TrainConfig

    _no_file_in_the_way(out, "--out")
    with _handled():
        _make_folder(out)  # a folder that cannot be made fails before training, not after (removed if left empty)
    _writable(out / "config.json")
    config = TrainConfig(epochs=epochs, batch_size=batch_size)
    _train(data, out, text_column, label_column, label_map, valence, dev, config, resume)


def _train(
    data: Path,
    out: Path,
    text_column: str,
    label_column: str,
    label_map: list[str] | None,
    valence: list[str] | None,
    dev: Path | None,
    config: TrainConfig,
    resume: bool,
) -> None:
    """``journeymap train`` once its output folder is made: read, train, say where the model is."""
    from journeymap.emotions.labelled import parse_label_map
    from journeymap.emotions.train import train as run
    from journeymap.exceptions import SchemaError

    with _handled():
        try:
            valences = {k: float(v) for k, v in parse_label_map(valence).items()}
        except ValueError as exc:
            raise _usage(f"--valence takes LABEL=NUMBER pairs: {exc}") from exc
        outside = {k: v for k, v in valences.items() if not -1.0 <= v <= 1.0}  # NaN too
        if outside:
            raise _usage(f"--valence takes values in [-1, 1]; got {outside}")
        try:
            meta = run(
                data,
                out,
                config,
                resume=resume,
                text=text_column,
                label=label_column,
                label_map=parse_label_map(label_map),
                valence=valences,
                dev=dev,
            )
        except SchemaError as exc:  # the library names its keywords; here they are options
            raise _fail(str(exc).replace("text= and label=", "--text-column and --label-column")) from exc
        if meta:
            typer.echo(
                f"model: {_shown(out)} (labels {', '.join(meta['labels'])}; dev macro-F1 {meta['dev']['dev_macro_f1']:.3f})"
            )
        else:
            typer.echo(f"model: {_shown(out)} (already trained; nothing to resume)")
