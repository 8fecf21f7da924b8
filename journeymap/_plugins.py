"""Reading one entry-point group by name: the one discovery path of scorers, encoders and backends.

Private. Each plugin kind keeps its own cache of what it read (``functools.cache`` on a
function of its module, cleared by its public ``refresh`` function); this module only reads.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from journeymap.exceptions import InvalidArgumentError, JourneyMapError, ModelLoadError, PluginError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

logger = logging.getLogger(__name__)


def read_group(group: str, what: str, builtins: Mapping[str, str] | None = None) -> dict[str, EntryPoint]:
    """The entry points of ``group`` by name; built-ins keep their names, the first of two others wins.

    Args:
        group: the entry-point group (``"journeymap.scorers"``).
        what: the kind of plugin, as log messages name it (``"scorer"``).
        builtins: name -> ``"module:attr"`` of journeymap's own entries. Their names are not a
            plugin's to take: an entry point that registers one of them for another object is
            ignored, with a warning naming it and its distribution (which of two entry points
            comes first depends on ``sys.path``, so letting a plugin win would let an unrelated
            install change what ``"default"`` means). They are added where the installed
            metadata lacks them (a source checkout that was not reinstalled).

    Examples:
        >>> sorted(read_group("journeymap.no-such-group", "thing", {"x": "json:dumps"}))
        ['x']
    """
    reserved = dict(builtins or {})
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=group):
        if ep.name in reserved and ep.value != reserved[ep.name]:
            logger.warning(
                "%s plugin %s (from %s) is ignored: %r is the name of the built-in %s %s; register the plugin under another name",
                what,
                ep.value,
                getattr(ep.dist, "name", None) or "an unknown distribution",
                ep.name,
                what,
                reserved[ep.name],
            )
            continue
        if ep.name in found and found[ep.name].value != ep.value:
            logger.warning("%s %r is registered twice (%s, %s); using the first", what, ep.name, found[ep.name].value, ep.value)
            continue
        found.setdefault(ep.name, ep)
    for name, value in reserved.items():
        if name not in found:
            logger.debug("built-in %s %r missing from the installed metadata (reinstall journeymap)", what, name)
            found[name] = EntryPoint(name=name, value=value, group=group)
    return found


def options_problem(factory: Any, options: dict[str, Any]) -> str | None:
    """What is wrong with calling ``factory(**options)``, from its signature (None: they fit, or it has none).

    Matched before the call, so a ``TypeError`` raised inside a constructor that accepted the
    options is not mistaken for a bad option.

    Examples:
        >>> options_problem(lambda batch_size=8: None, {"batch_size": 4}) is None
        True
        >>> options_problem(lambda batch_size=8: None, {"foo": 1})
        "got an unexpected keyword argument 'foo'"
    """
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # a builtin or C factory without a signature: call it as it is
        return None
    try:
        signature.bind(**options)
    except TypeError as exc:
        return str(exc)
    return None


@contextlib.contextmanager
def building(what: str, ep: EntryPoint) -> Iterator[None]:
    """Within it, an exception a plugin's constructor raises is raised again, as a journeymap error, naming the plugin.

    The class keeps the built-in one a caller could catch: an ``OSError`` (weights not found) is
    a :class:`ModelLoadError`, a ``ValueError`` (a bad option value) an
    :class:`InvalidArgumentError`, anything else a :class:`PluginError` (a ``TypeError``).

    The message names the plugin, its entry point and the exception (``scorer plugin 'ctor'
    (acme_ctor:S) could not be built: RuntimeError: weights file missing``), which is chained
    (``__cause__``). A journeymap error (a bad option, a model not found) passes as it is, and so
    does what is not an ``Exception`` (``KeyboardInterrupt``).

    Examples:
        >>> ep = EntryPoint(name="ctor", value="acme_ctor:S", group="journeymap.scorers")
        >>> with building("scorer", ep):
        ...     raise RuntimeError("weights file missing")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.PluginError: scorer plugin 'ctor' (acme_ctor:S) could not be built: RuntimeError: weights ...
    """
    try:
        yield
    except JourneyMapError:
        raise
    except Exception as exc:
        msg = f"{what} plugin {ep.name!r} ({ep.value}) could not be built: {type(exc).__name__}: {exc}"
        # the class keeps what a host's ``except`` caught before: a bad value, a file not read
        kind: type[JourneyMapError] = PluginError
        if isinstance(exc, OSError):
            kind = ModelLoadError
        elif isinstance(exc, ValueError):
            kind = InvalidArgumentError
        raise kind(msg) from exc
