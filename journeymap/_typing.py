"""Types for signatures that take data of an optional backend, without importing it.

A dask DataFrame in a public signature (``read_events``, ``build_journeys``, ``score``,
``assign_topics``) is written :class:`DaskFrame`, a protocol, not ``dask.dataframe.DataFrame``:
where the ``[dask]`` extra is not installed a type checker reads the missing class as ``Any``,
which matches every argument, so the Dask overload, listed first, would have typed a plain
``read_events(df)`` as a :class:`~journeymap.distributed.DaskEventLog` for everyone. A pandas
DataFrame has no ``npartitions`` (its ``__getattr__`` gives Series, no int), so it never
matches; a dask one does, installed or not.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["DaskFrame"]


class DaskFrame(Protocol):
    """A dask DataFrame as the signatures read it: partitioned, mapped partition by partition."""

    @property
    def npartitions(self) -> int: ...

    def map_partitions(self, func: Any, *args: Any, **kwargs: Any) -> Any: ...
