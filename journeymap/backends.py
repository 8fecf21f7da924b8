"""Backends: where a function runs when it is given data that is not in memory (a Dask cluster).

journeymap's functions are written once, for pandas. A backend is a plugin that recognises its
own kind of data (a dask DataFrame, a journey set on a cluster) and provides, for some of the
public functions, a form that runs there. It registers through the entry-point group
``journeymap.backends`` (the built-in Dask backend does so too), so the core never imports it:
the entry points are read once, on the first call that needs them, and a backend imports its
heavy library only when it is given its own data.

A function decorated with :func:`dispatch` hands its call to the backend that claims its first
argument; where that backend has no form of the function, it raises
:class:`~journeymap.exceptions.UnsupportedBackendError`, one message for every such case.

Examples:
    >>> import pandas as pd
    >>> from journeymap.backends import backend_for
    >>> backend_for(pd.DataFrame()) is None
    True
"""

from __future__ import annotations

import functools
import inspect
import logging
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar, cast, overload, runtime_checkable

from journeymap._plugins import read_group
from journeymap.exceptions import UnsupportedBackendError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ENTRY_POINT_GROUP", "Backend", "available_backends", "backend_for", "dispatch", "refresh_backends"]

#: The entry-point group backends register under.
logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "journeymap.backends"

P = ParamSpec("P")
R = TypeVar("R")


@runtime_checkable
class Backend(Protocol):
    """What a backend plugin provides.

    Attributes:
        name: a short name used in messages (``"dask"``).

    Examples:
        >>> class Lists:  # a backend for plain lists, with a form of one function
        ...     name = "lists"
        ...     def handles(self, obj):
        ...         return isinstance(obj, list)
        ...     def implementation(self, function):
        ...         return len if function == "count" else None
        >>> isinstance(Lists(), Backend), Lists().implementation("triage")
        (True, None)
        >>> isinstance(object(), Backend)
        False
    """

    name: str

    def handles(self, obj: object) -> bool:
        """Whether ``obj`` is this backend's data. Must be cheap and import nothing heavy."""
        ...

    def implementation(self, function: str) -> Callable[..., Any] | None:
        """This backend's form of the public function named ``function``, or None."""
        ...


@functools.cache
def _backends() -> tuple[Backend, ...]:
    """The installed backends that load; a broken one is left out with a warning.

    In-memory data needs no backend, so one plugin that fails to import must not stop every
    dispatched function (``build_journeys`` on a DataFrame) from working.
    """
    found = []
    for _, ep in sorted(read_group(ENTRY_POINT_GROUP, "backend").items()):
        try:
            backend = ep.load()()
        except Exception as exc:  # a plugin's import can fail in any way
            logger.warning("backend plugin %r (%s) failed to load and is left out: %s", ep.name, ep.value, exc)
            continue
        if not isinstance(backend, Backend):
            logger.warning(
                "backend plugin %r (%s) does not provide name, handles() and implementation(); left out", ep.name, ep.value
            )
            continue
        found.append(backend)
    return tuple(found)


def available_backends() -> list[str]:
    """Names of the installed backends.

    Examples:
        >>> "dask" in available_backends()
        True
    """
    return [b.name for b in _backends()]


def refresh_backends() -> None:
    """Read the entry points again (after installing a backend in a running process).

    Examples:
        >>> refresh_backends()
        >>> "dask" in available_backends()  # read again on first use
        True
    """
    _backends.cache_clear()


def backend_for(obj: object) -> Backend | None:
    """The backend whose data ``obj`` is, or None for in-memory data.

    Examples:
        >>> import journeymap as jm
        >>> import journeymap.distributed as jmd
        >>> log = jm.datasets.service_journeys(5, seed=0)
        >>> backend_for(log.events) is None
        True
        >>> backend_for(jmd.from_pandas(log, npartitions=2)).name
        'dask'
    """
    for backend in _backends():
        if backend.handles(obj):
            return backend
    return None


@overload
def dispatch(func: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def dispatch(*, name: str) -> Callable[[Callable[P, R]], Callable[P, R]]: ...
def dispatch(func: Callable[P, R] | None = None, /, *, name: str | None = None) -> Any:
    """Run ``func`` where its first argument lives: in memory, or on the backend that claims it.

    A backend is asked for the function by ``name``, by default the function's own name; give
    one where two public functions share a name (``plot.time_patterns`` draws the table of
    ``time_patterns``): ``@dispatch(name="plot.time_patterns")``.

    Examples:
        >>> @dispatch
        ... def count(data):
        ...     return len(data)
        >>> count([1, 2, 3])
        3
        >>> @dispatch(name="plot.count")
        ... def count(data):
        ...     return len(data)
        >>> count([1, 2])
        2
    """
    if func is None:
        return functools.partial(_dispatched, name=name)
    return _dispatched(func, name=name)


def _dispatched(func: Callable[P, R], *, name: str | None) -> Callable[P, R]:
    public = name or func.__name__
    first = next(iter(inspect.signature(func).parameters))

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        data = args[0] if args else kwargs.get(first)
        backend = backend_for(data)
        if backend is None:
            return func(*args, **kwargs)
        impl = backend.implementation(public)
        if impl is None:
            raise UnsupportedBackendError(public, backend.name, type(data).__name__)
        return cast("R", impl(*args, **kwargs))

    return wrapper
