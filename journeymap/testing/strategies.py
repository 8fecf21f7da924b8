"""Hypothesis strategies for event tables (imports hypothesis: a test-time dependency)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import strategies as st

from journeymap.model.touchpoint import ACTORS

__all__ = ["event_frames"]

_BASE = pd.Timestamp("2024-01-01", tz="UTC").value // 10**9


@st.composite
def event_frames(draw: Any, *, min_rows: int = 0, max_rows: int = 40, with_replies: bool = True) -> pd.DataFrame:
    """Valid event frames: a few customers, threads and reply chains, times with ties."""
    n = draw(st.integers(min_rows, max_rows))
    customers = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=n, max_size=n))
    seconds = draw(st.lists(st.integers(0, 20 * 86400), min_size=n, max_size=n))
    actors = draw(st.lists(st.sampled_from(ACTORS), min_size=n, max_size=n))
    texts = draw(st.lists(st.one_of(st.none(), st.text(max_size=30)), min_size=n, max_size=n))
    ids = [f"e{i}" for i in range(n)]
    parents: list[str | None] = []
    for i in range(n):
        if with_replies and i and draw(st.booleans()):
            parents.append(ids[draw(st.integers(0, i - 1))])
        else:
            parents.append(None)
    order = draw(st.permutations(range(n))) if n else []
    frame = pd.DataFrame(
        {
            "event_id": ids,
            "customer_id": customers,
            "timestamp": pd.to_datetime([_BASE + s for s in seconds], unit="s", utc=True),
            "actor": actors,
            "text": pd.array(texts, dtype="string"),
            "in_reply_to": pd.array(parents, dtype="string"),
        }
    )
    return frame.iloc[list(order)].reset_index(drop=True)
