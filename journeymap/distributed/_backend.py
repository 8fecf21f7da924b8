"""The Dask backend's registration: recognises dask data and names the functions that run there.

This module is what the ``journeymap.backends`` entry point loads. It imports neither dask nor
the rest of :mod:`journeymap.distributed`: those are imported when a function is first called on
dask data.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DISTRIBUTED_FUNCTIONS", "DaskBackend"]

#: The public functions that have a Dask form, and the module of journeymap.distributed holding it.
DISTRIBUTED_FUNCTIONS: dict[str, str] = {
    "read_events": "events",
    "build_journeys": "journeys",
    "score": "scoring",
    "touchpoint_summary": "aggregates",
    "journey_graph": "aggregates",
    "time_patterns": "aggregates",
    "assign_topics": "topics",
}
_MODULES = ("dask.", "dask_expr.", "journeymap.distributed.")


class DaskBackend:
    """dask DataFrames, :class:`~journeymap.distributed.DaskEventLog` and :class:`~journeymap.distributed.DaskJourneySet`.

    Examples:
        >>> import pandas as pd
        >>> DaskBackend().handles(pd.DataFrame())
        False
        >>> DaskBackend().implementation("triage") is None
        True
    """

    name = "dask"

    def handles(self, obj: object) -> bool:
        """Whether ``obj`` is dask data: decided from its type's module name, without importing dask."""
        return type(obj).__module__.startswith(_MODULES)

    def implementation(self, function: str) -> Callable[..., Any] | None:
        """The Dask form of ``function``, or None where there is none."""
        module = DISTRIBUTED_FUNCTIONS.get(function)
        if module is None:
            return None
        impl: Callable[..., Any] = getattr(importlib.import_module(f"journeymap.distributed.{module}"), function)
        return impl
