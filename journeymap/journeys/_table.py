"""The journey table and journey order, shared by the build and by journeys gathered from partitions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.journeys._set import JourneySet

if TYPE_CHECKING:
    import numpy.typing as npt

    from journeymap.emotions.taxonomy import Taxonomy
    from journeymap.model import StageModel

__all__ = ["group_bounds", "journey_set_from_events", "journey_starts", "journey_table"]


def group_bounds(codes: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Start positions and lengths of runs of equal, sorted group codes."""
    if len(codes) == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    lengths = np.diff(np.r_[starts, len(codes)])
    return starts, lengths


def journey_table(
    events: pd.DataFrame, *, bounds: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
) -> pd.DataFrame:
    """The ``JourneySet.journeys`` frame of events whose journeys are contiguous and in step order.

    ``bounds`` are the journeys' start positions and lengths when already known.
    """
    if bounds is None:
        bounds = group_bounds(pd.factorize(events["journey_id"], sort=False)[0].astype(np.int64))
    starts, lengths = bounds
    first = events.iloc[starts]
    ends = events["timestamp"].iloc[starts + lengths - 1]
    # .array keeps the columns' own types (no Timestamp objects, no string copies per row)
    index = pd.Index(first["journey_id"].astype("string").array, name="journey_id")
    return pd.DataFrame(
        {
            "customer_id": first["customer_id"].astype("string").array,
            "start": first["timestamp"].dt.tz_convert("UTC").array,
            "end": ends.dt.tz_convert("UTC").array,
            "n_steps": np.asarray(lengths, dtype=np.int64),
        },
        index=index,
    )


def journey_starts(events: pd.DataFrame) -> pd.Series:
    """Each row's journey start (its earliest timestamp, in ns since the epoch); rows in any order."""
    t = pd.Series(events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64), index=events.index)
    return t.groupby(events["journey_id"].to_numpy(), sort=False).transform("min")


def journey_set_from_events(events: pd.DataFrame, stages: StageModel, *, by: str, taxonomy: Taxonomy | None = None) -> JourneySet:
    """A JourneySet from events that already carry ``journey_id``, ``step`` and ``stage``, in any row order.

    Rows are put in the order :func:`~journeymap.build_journeys` gives: journeys by start time,
    then journey id; steps in step order. Used to gather journeys built in partitions.
    """
    jid = events["journey_id"].to_numpy(dtype=object).astype(str)
    order = np.lexsort((events["step"].to_numpy(dtype=np.int64), jid, journey_starts(events).to_numpy()))
    ordered = events.iloc[order]
    return JourneySet(ordered, journey_table(ordered), stages, by=by, taxonomy=taxonomy)
