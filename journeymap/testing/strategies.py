"""Hypothesis strategies for event tables (imports hypothesis: a test-time dependency).

The columns come from :data:`journeymap.schema.EVENT_COLUMNS`, each drawn by its kind: a column
added to the schema is generated (and so tested) without touching this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from hypothesis import strategies as st

from journeymap.schema import ACTORS, EVENT_COLUMNS, Column

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["event_frames"]

_BASE = pd.Timestamp("2024-01-01", tz="UTC").value // 10**9
#: Times are drawn over this many seconds from 2024-01-01 UTC, so that ties happen.
_SPAN = 20 * 86400
#: The id column that is unique per row, and the one that points at an earlier row's id.
_KEY = "event_id"
_REPLY = "in_reply_to"
#: The values of the other id columns (customer_id, thread_id): few, so that rows share them.
_ID_POOL = ("a", "b", "c", "d")
#: The free-text column whose values may be missing (silent events). The other free-text columns
#: (channel, touchpoint, stage) are labels: when present, every row has one, because
#: journey_metrics fails on a channel column without values (an xfail in tests/test_properties.py).
_SILENT = "text"
#: The journey graph's start and end nodes (``journeymap.graph.START`` / ``END``).
_GRAPH_NODES = ("__start__", "__end__")


def _ids(draw: st.DrawFn, column: Column, keys: Sequence[str], with_replies: bool) -> pd.api.extensions.ExtensionArray:
    n = len(keys)
    if column.name == _KEY:
        return pd.array(keys, dtype="string")
    if column.name == _REPLY:  # reply chains: each event answers an earlier one, or none
        parents = [keys[draw(st.integers(0, i - 1))] if with_replies and i and draw(st.booleans()) else None for i in range(n)]
        return pd.array(parents, dtype="string")
    values = st.sampled_from(_ID_POOL) if column.required else st.one_of(st.none(), st.sampled_from(_ID_POOL))
    return pd.array(draw(st.lists(values, min_size=n, max_size=n)), dtype="string")


def _column(draw: st.DrawFn, column: Column, keys: Sequence[str], with_replies: bool) -> Any:
    """One column's values, drawn by the column's kind."""
    n = len(keys)
    if column.kind == "id":
        return _ids(draw, column, keys, with_replies)
    if column.kind == "timestamp":
        seconds = draw(st.lists(st.integers(0, _SPAN), min_size=n, max_size=n))
        return pd.to_datetime([_BASE + s for s in seconds], unit="s", utc=True)
    if column.kind == "actor":  # a present actor column needs a known actor on every row
        return draw(st.lists(st.sampled_from(ACTORS), min_size=n, max_size=n))
    # labels exclude the journey graph's own node names (journey_graph refuses them, saying so)
    labels = st.text(max_size=30).filter(lambda s: s not in _GRAPH_NODES)
    values = st.one_of(st.none(), st.text(max_size=30)) if column.name == _SILENT else labels
    return pd.array(draw(st.lists(values, min_size=n, max_size=n)), dtype="string")


@st.composite
def event_frames(draw: st.DrawFn, *, min_rows: int = 0, max_rows: int = 40, with_replies: bool = True) -> pd.DataFrame:
    """Valid event frames: a few customers, threads and reply chains, times with ties, rows shuffled.

    Every column of :data:`~journeymap.schema.EVENT_COLUMNS`, drawn by its kind: ids (``event_id``
    unique, ``in_reply_to`` an earlier event's id when ``with_replies``, the others from a few
    shared values, missing where the column is optional), UTC times over 20 days, actors from
    :data:`~journeymap.schema.ACTORS`, and free text (any unicode; missing too in ``text``). Required columns,
    ``event_id`` and ``in_reply_to`` are always there; each other column is there or not.

    Examples:
        >>> from hypothesis import given, settings
        >>> from journeymap import read_events
        >>> kept = []
        >>> @settings(max_examples=10, deadline=None, database=None)
        ... @given(event_frames(min_rows=1))
        ... def read(frame):
        ...     kept.append(len(read_events(frame).events) == len(frame))
        >>> read()
        >>> len(kept) > 0 and all(kept)
        True
    """
    n = draw(st.integers(min_rows, max_rows))
    keys = [f"e{i}" for i in range(n)]
    columns = {
        column.name: _column(draw, column, keys, with_replies)
        for column in EVENT_COLUMNS
        if column.required or column.name in (_KEY, _REPLY) or draw(st.booleans())
    }
    order = draw(st.permutations(range(n))) if n else []
    return pd.DataFrame(columns).iloc[list(order)].reset_index(drop=True)
