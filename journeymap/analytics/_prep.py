"""Shared preparation for the analytics: checks and derived columns computed once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.exceptions import JourneyMapError
from journeymap.journeys._table import customer_mask
from journeymap.schema import NEGATIVE_VALENCE, POSITIVE_VALENCE

if TYPE_CHECKING:
    from journeymap.journeys import JourneySet


def require_scored(js: JourneySet, what: str) -> pd.DataFrame:
    """The events of a scored JourneySet, or a clear error saying to score first."""
    from journeymap.journeys import JourneySet

    if not isinstance(js, JourneySet):
        msg = f"{what} needs a JourneySet (from build_journeys), got {type(js).__name__}"
        raise TypeError(msg)
    if not js.is_scored:
        msg = f"{what} needs emotion columns: run journeymap.score(js) first"
        raise JourneyMapError(msg)
    return js.events


def flags(events: pd.DataFrame) -> pd.DataFrame:
    """Columns most analytics use: customer/brand, scored, negative, positive (NumPy-backed).

    Negative and positive are the thresholds of :mod:`journeymap.schema`: valence below
    :data:`~journeymap.schema.NEGATIVE_VALENCE`, above :data:`~journeymap.schema.POSITIVE_VALENCE`.
    """
    valence = events["valence"].to_numpy(dtype=np.float64, na_value=np.nan)
    customer = customer_mask(events["actor"])
    scored = ~np.isnan(valence)
    return pd.DataFrame(
        {
            "journey_id": events["journey_id"].array,  # its own dtype: no Python string per row
            "customer": customer,
            "brand": ~customer,
            "scored": scored,
            "valence": valence,
            "negative": scored & (valence < NEGATIVE_VALENCE),
            "positive": scored & (valence > POSITIVE_VALENCE),
            "t": events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64),
        },
        index=events.index,
    )


def run_edges(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each row starts, and whether it ends, a run of equal keys (rows sorted by key; no rows: empty)."""
    if len(keys) == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    change = keys[1:] != keys[:-1]
    return np.r_[True, change], np.r_[change, True]


def shifted(values: np.ndarray, fill: object) -> np.ndarray:
    """``values`` moved one row down, ``fill`` in the first row (the previous row's value; no rows: empty)."""
    return np.concatenate([np.asarray([fill], dtype=values.dtype if values.dtype != object else object), values[:-1]])[
        : len(values)
    ]
