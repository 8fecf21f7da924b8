"""The :class:`EventLog`: validated events, and every input row kept out with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from journeymap.io._time import stamp_zone
from journeymap.schema import REJECT_COLUMNS

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["EventLog", "OnError", "empty_rejects"]

OnError = Literal["raise", "collect"]
"""What a reader does with invalid rows: raise :class:`~journeymap.SchemaError`, or collect them.

``"raise"`` raises listing the first invalid rows; ``"collect"`` keeps them out of the events
and lists them in :attr:`EventLog.rejects <journeymap.io.EventLog>`.

Examples:
    >>> import typing
    >>> typing.get_args(OnError)
    ('raise', 'collect')
    >>> import journeymap as jm
    >>> frame = pd.DataFrame({"customer_id": ["c1", "c2"], "timestamp": ["2024-03-01", "someday"], "text": ["hi", "help"]})
    >>> len(jm.read_events(frame, on_error="collect").rejects)
    1
"""


def empty_rejects() -> pd.DataFrame:
    """A rejects (or warnings) frame without rows, with the columns and dtypes of a full one.

    Examples:
        >>> empty_rejects().dtypes.astype(str).to_dict()
        {'row': 'int64', 'column': 'string', 'reason': 'string', 'value': 'string'}
    """
    dtypes = {"row": "int64", "column": "string", "reason": "string", "value": "string"}
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in REJECT_COLUMNS})


@dataclass(frozen=True, eq=False)
class EventLog:
    """Validated events and the input rows that were kept out, with their reasons.

    Attributes:
        events: one row per interaction in the canonical columns (:mod:`journeymap.schema`), then
            any other input columns; the index is the input row number (0-based).
        rejects: one row per problem: ``row`` (input row number), ``column``, ``reason`` and
            the raw ``value``. A row with two problems is listed twice.
        warnings: rows that were kept but carry a caveat (for example a reply whose parent is
            not in the data), as ``row``, ``column``, ``reason``, ``value``.
        n_input: number of input rows.
        tz: the zone the events were read in: the one the reader was given for times written
            without an offset (:func:`~journeymap.read_events`' ``tz=``), else that of a
            tz-aware timestamp column in a zone other than UTC (``datetime64[us,
            America/New_York]``, or a fixed offset), else the zone the events frame's ``attrs``
            record (``"journeymap.tz"``: the events of saved journeys carry it); None for UTC.
            The journeys built from the log keep it, and the time analytics read hours and days
            in it by default. A log with a zone records it in ``events.attrs["journeymap.tz"]``.

    Every input row is either in ``events`` or in ``rejects``:
    ``len(events) + rejects["row"].nunique() == n_input``.

    Examples:
        >>> import pandas as pd
        >>> from journeymap import read_events
        >>> log = read_events(pd.DataFrame({"customer_id": ["a", "b"],
        ...     "timestamp": ["2017-10-11T06:55:44Z", "not a time"]}), on_error="collect")
        >>> len(log), log.rejects.loc[0, "reason"].split(":")[0]
        (1, 'unparseable timestamp')
    """

    events: pd.DataFrame
    rejects: pd.DataFrame
    warnings: pd.DataFrame
    n_input: int
    tz: dt.tzinfo | None = None

    def __post_init__(self) -> None:
        """Record the zone in the events' ``attrs`` (:data:`~journeymap.io._time.TZ_ATTR`), which pandas carries along."""
        if self.tz is not None:
            stamp_zone(self.events, self.tz)

    def __len__(self) -> int:
        return len(self.events)

    @property
    def rejected_rows(self) -> np.ndarray:
        """Sorted input row numbers that were kept out of the events."""
        return np.unique(self.rejects["row"].to_numpy(dtype=np.int64))

    def __repr__(self) -> str:
        return (
            f"EventLog({len(self.events)} events, {len(self.rejected_rows)} rejected rows, "
            f"{len(self.warnings)} warnings, from {self.n_input} input rows)"
        )
