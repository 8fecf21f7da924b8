"""Exceptions raised by journeymap.

Every error the library raises on purpose derives from :class:`JourneyMapError`, so a service
can catch the library's failures in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import pandas as pd

__all__ = [
    "ArgumentTypeError",
    "InvalidArgumentError",
    "JourneyMapError",
    "ModelLoadError",
    "PluginError",
    "SchemaError",
    "ScorerOptionsError",
    "SourceIsFolderError",
    "SourceNotFoundError",
    "TextsFailedError",
    "UnknownJourneyError",
    "UnknownScorerError",
    "UnsupportedBackendError",
    "WriteError",
]


class JourneyMapError(Exception):
    """Base class of every error journeymap raises on purpose.

    Examples:
        >>> import journeymap as jm
        >>> try:
        ...     jm.get_scorer("no-such-scorer")
        ... except jm.JourneyMapError as err:  # catches every journeymap error
        ...     print(type(err).__name__)
        UnknownScorerError
    """


class InvalidArgumentError(JourneyMapError, ValueError):
    """An argument whose value a function cannot use (``freq="fortnight"``, ``top=-1``); the message names it.

    A ``ValueError`` as well, so ``except ValueError`` keeps working.

    Examples:
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
        >>> jm.trends(js, freq="fortnight")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.InvalidArgumentError: freq='fortnight' is not a period pandas knows...
        >>> issubclass(jm.InvalidArgumentError, ValueError), issubclass(jm.InvalidArgumentError, jm.JourneyMapError)
        (True, True)
    """


class ArgumentTypeError(JourneyMapError, TypeError):
    """An argument of a type a function does not take (a number where a duration is needed); the message names it.

    A ``TypeError`` as well, so ``except TypeError`` keeps working.

    Examples:
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
        >>> jm.response_times(js, now=3600)
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ArgumentTypeError: now must be a time...
        >>> issubclass(jm.ArgumentTypeError, TypeError), issubclass(jm.ArgumentTypeError, jm.JourneyMapError)
        (True, True)
    """


class SchemaError(JourneyMapError, ValueError):
    """Input that does not fit the event schema.

    Attributes:
        rejects: a DataFrame with one row per problem (``row``, ``column``, ``reason``,
            ``value``), empty when the problem is with the table as a whole (a missing column).

    Examples:
        >>> import pandas as pd, journeymap as jm
        >>> bad = pd.DataFrame({"customer_id": ["c1"], "timestamp": ["not a time"], "text": ["hi"]})
        >>> try:
        ...     jm.read_events(bad, on_error="raise")
        ... except jm.SchemaError as err:
        ...     print(err.rejects[["row", "column"]].to_dict("records"))
        [{'row': 0, 'column': 'timestamp'}]
    """

    def __init__(self, message: str, rejects: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.rejects = rejects


class SourceNotFoundError(JourneyMapError, FileNotFoundError):
    """A file to read that is not there; the message names the path.

    A ``FileNotFoundError`` as well, as pandas' readers raise, so ``except FileNotFoundError``
    and ``except OSError`` keep working.

    Examples:
        >>> import journeymap as jm
        >>> try:
        ...     jm.read_events("no/such/events.csv")
        ... except jm.SourceNotFoundError as err:
        ...     print(err, isinstance(err, FileNotFoundError))
        source 'no/such/events.csv' does not exist True
    """


class SourceIsFolderError(JourneyMapError, IsADirectoryError):
    """A folder given where a file is read; the message lists files in it. Also an ``IsADirectoryError``.

    Examples:
        >>> import pathlib, tempfile
        >>> import journeymap as jm
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     _ = (pathlib.Path(folder) / "events.csv").write_text("customer_id,timestamp,text")
        ...     try:
        ...         jm.read_events(folder)
        ...     except jm.SourceIsFolderError as err:
        ...         print(str(err).split(": ", 1)[1], isinstance(err, IsADirectoryError))
        give the path of the file to read (files in it: events.csv) True
    """


class UnknownJourneyError(JourneyMapError, KeyError):
    """A journey id that is not in the :class:`~journeymap.JourneySet` (``js[id]``, ``js.select(ids)``).

    A ``KeyError`` too, as a mapping's missing key is; the message names the id.

    Examples:
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(3, seed=0))
        >>> try:
        ...     js["no-such-journey"]
        ... except jm.UnknownJourneyError as err:
        ...     print(err, isinstance(err, KeyError))
        no journey 'no-such-journey' in this JourneySet (9 journeys) True
    """

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class UnknownScorerError(JourneyMapError, KeyError):
    """A scorer name that no installed plugin provides; the message lists the available ones.

    Attributes:
        name: the name asked for.
        available: the registered names, sorted.
        hint: what else the name may have meant (how to load it as a Hugging Face model), or "".

    Examples:
        >>> import journeymap as jm
        >>> try:
        ...     jm.get_scorer("no-such-scorer")
        ... except jm.UnknownScorerError as err:
        ...     print(err.name, "default" in err.available)
        no-such-scorer True
    """

    def __init__(self, name: str, available: Iterable[str], hint: str = "") -> None:
        self.name = name
        self.available = sorted(available)
        self.hint = hint
        names = ", ".join(self.available) or "(none)"
        super().__init__(f"Unknown scorer {name!r}. Available names: {names}." + (f" {hint}" if hint else ""))

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:  # pickled with its arguments: a worker process re-raises it
        return (type(self), (self.name, self.available, self.hint), self.__dict__)  # notes and later attributes kept


class ModelLoadError(JourneyMapError, OSError):
    """A model that cannot be loaded (not found, no network for the hub, broken weights).

    An ``OSError`` as well, as a missing file is.

    Examples:
        >>> import journeymap as jm
        >>> jm.get_scorer("default", weights="no/such/folder")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ModelLoadError: No fine-tuned weights in no/such/folder (expected model.safetensors and config...
        >>> issubclass(jm.ModelLoadError, OSError), issubclass(jm.ModelLoadError, jm.JourneyMapError)
        (True, True)
    """


class WriteError(JourneyMapError, OSError):
    """A file that cannot be written (its folder missing, a file in the way, no permission, a full disk); the message names it.

    An ``OSError`` as well, as pandas' writers raise, so ``except OSError`` keeps working; the
    error the system gave is its ``__cause__``.

    Examples:
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(3, seed=0))
        >>> try:
        ...     js.to_parquet("no/such/folder/journeys.parquet")
        ... except OSError as err:
        ...     print(type(err).__name__, type(err.__cause__).__name__)
        WriteError FileNotFoundError
    """


class PluginError(JourneyMapError, TypeError):
    """A scorer or encoder plugin that cannot be imported, or that gives what breaks its contract.

    The message names the plugin and what is wrong (an entry point that is not a class or
    factory, an object without the protocol's members, a bad ``id``); an exception raised while
    importing the plugin is its ``__cause__``. A ``TypeError`` as well: an object of the wrong
    kind, as Python calls one.

    Examples:
        >>> import journeymap as jm
        >>> class NoScorer:
        ...     id, taxonomy = "", None
        ...     def score(self, texts): ...
        >>> try:
        ...     jm.get_scorer(NoScorer())
        ... except TypeError as err:
        ...     print(type(err).__name__, str(err).split(":")[0])
        PluginError scorer plugin 'NoScorer' breaks the EmotionScorer contract
    """


class UnsupportedBackendError(JourneyMapError, TypeError):
    """A function called on data of a backend (a Dask cluster, say) that has no form of it there.

    The message names the function and the backend and says what to do: bring the data into
    memory (``.compute()``) and call the function on the result.

    Attributes:
        function: the public function called (``"triage"``).
        backend: the backend's name (``"dask"``).
        kind: the type of the data it was called on (``"DaskJourneySet"``).

    Examples:
        >>> err = UnsupportedBackendError("triage", "dask", "DaskJourneySet")
        >>> print(err)
        triage has no dask form: call .compute() on the DaskJourneySet to get it in memory, then call triage on the result
        >>> isinstance(err, TypeError), err.function
        (True, 'triage')
    """

    def __init__(self, function: str, backend: str, kind: str) -> None:
        self.function = function
        self.backend = backend
        self.kind = kind
        super().__init__(
            f"{function} has no {backend} form: call .compute() on the {kind} to get it in memory, "
            f"then call {function} on the result"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.function, self.backend, self.kind), self.__dict__)


class ScorerOptionsError(JourneyMapError, TypeError):
    """Options a scorer's constructor does not take (or required ones missing).

    A :class:`JourneyMapError` (the command line prints it as one ``error:`` line) and
    a ``TypeError`` (what calling the constructor with them would have raised).

    Attributes:
        scorer: the scorer's name.
        options: the options it was given.

    Examples:
        >>> str(ScorerOptionsError("lexicon", {"batch_size": 8}, "got an unexpected keyword argument 'batch_size'"))
        "scorer 'lexicon' cannot be built with the options {'batch_size': 8}: got an unexpected keyword argument 'batch_size'"
    """

    def __init__(self, scorer: str, options: dict[str, Any], problem: str) -> None:
        self.scorer = scorer
        self.options = dict(options)
        self.problem = problem
        given = f"the options {self.options}" if self.options else "no options"
        super().__init__(f"scorer {scorer!r} cannot be built with {given}: {problem}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.scorer, self.options, self.problem), self.__dict__)


class TextsFailedError(JourneyMapError, RuntimeError):
    """A scorer failed, or returned bad values, for some texts; the message and ``texts`` name them.

    :func:`journeymap.score` raises it naming the scorer, the texts (shortened) and the input
    rows that hold them; the scorer's own exception, if any, is its ``__cause__``.

    Attributes:
        texts: the texts concerned (as given to the scorer), in their order in the batch.
        positions: their positions in the batch.

    Examples:
        >>> err = TextsFailedError("scorer 'x.v1' failed", texts=["my phone is broken"], positions=[3])
        >>> err.texts, err.positions
        (('my phone is broken',), (3,))
    """

    def __init__(self, message: str, *, texts: Sequence[str] = (), positions: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.texts: tuple[str, ...] = tuple(texts)
        self.positions: tuple[int, ...] = tuple(int(p) for p in positions)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_texts_failed, (str(self), self.texts, self.positions), self.__dict__)


def _rebuild_texts_failed(message: str, texts: tuple[str, ...], positions: tuple[int, ...]) -> TextsFailedError:
    return TextsFailedError(message, texts=texts, positions=positions)
