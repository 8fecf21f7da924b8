"""Routing dask inputs to :mod:`journeymap.distributed` without importing dask up front."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import ModuleType

_DISTRIBUTED_TYPES = ("dask.", "dask_expr.", "journeymap.distributed.")


def distributed_module(obj: Any) -> ModuleType | None:
    """:mod:`journeymap.distributed` when ``obj`` is a dask collection or a distributed journeymap object.

    The test is on the type's module name, so dask is imported only when the caller already
    holds a dask object.
    """
    if not type(obj).__module__.startswith(_DISTRIBUTED_TYPES):
        return None
    import journeymap.distributed

    return journeymap.distributed
