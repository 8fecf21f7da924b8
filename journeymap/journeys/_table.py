"""The journey table and journey order, shared by the build and by journeys gathered from partitions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.journeys._set import JourneySet

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

    from journeymap.emotions.taxonomy import Taxonomy
    from journeymap.model import StageModel

__all__ = [
    "actor_mask",
    "customer_mask",
    "group_bounds",
    "journey_set_from_events",
    "journey_starts",
    "journey_table",
    "take_rows",
]


def actor_mask(actor: pd.Series, name: str) -> npt.NDArray[np.bool_]:
    """Which rows' actor is ``name`` (a missing actor is not), without a string copy of a categorical column."""
    if isinstance(actor.dtype, pd.CategoricalDtype):
        return (actor == name).to_numpy(dtype=bool)
    return (actor.astype("string") == name).fillna(False).to_numpy(dtype=bool)


def customer_mask(actor: pd.Series) -> npt.NDArray[np.bool_]:
    """Which rows are the customer's (a missing actor is not)."""
    return actor_mask(actor, "customer")


def take_rows(frame: pd.DataFrame, positions: npt.NDArray[np.int64]) -> pd.DataFrame:
    """``frame.iloc[positions]``, with the columns taken on up to two threads.

    Taking every row of a wide frame in a new order is the costliest step of a build (most of it
    in Arrow's string take, which releases the GIL), so the columns are taken concurrently.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    if len(frame.columns) < 4 or len(positions) < 100_000 or (os.cpu_count() or 1) < 2:
        return frame.iloc[positions]
    columns = list(frame.columns)
    index = frame.index.take(positions)

    arrow_positions = None

    def take(i: int) -> pd.Series:
        nonlocal arrow_positions
        column = frame.iloc[:, i]
        if isinstance(column.array, pd.arrays.ArrowStringArray):
            import pyarrow as pa

            if arrow_positions is None:
                arrow_positions = pa.array(positions)
            taken = _take_few_strings(column.array, arrow_positions)
            if taken is not None:
                return pd.Series(taken, index=index, name=column.name)
        return pd.Series(column.array.take(positions), index=index, name=column.name)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="journeymap-take") as pool:
        taken = list(pool.map(take, range(len(columns))))
    out = pd.DataFrame(dict(enumerate(taken)), index=index)
    out.columns = frame.columns
    return out


def _take_few_strings(array: pd.arrays.ArrowStringArray, positions: pa.Array) -> pd.arrays.ArrowStringArray | None:
    """``array.take(positions)`` for a string column of few distinct values (a channel, a brand); None for others.

    Taking a million strings in a new order copies each one (a random read per row); taking
    the codes of a dictionary copies integers, and the strings are written from a small
    dictionary that stays in cache: about 5x faster. Whether the column has few values is
    judged from its first rows, then checked on the whole.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(array)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pc.count_distinct(values.slice(0, _SAMPLE), mode="all").as_py() > _SAMPLE // _FEW:
        return None
    encoded = pc.dictionary_encode(values)
    if len(encoded.dictionary) * _FEW > len(values):
        return None
    taken = encoded.dictionary.take(encoded.indices.take(positions))
    return pd.arrays.ArrowStringArray(taken, dtype=array.dtype)  # type: ignore[call-arg]  # pandas 3 takes dtype; the stubs lag


#: Rows a string column is judged from, and how many rows per distinct value make it "few values".
_SAMPLE = 20_000
_FEW = 50


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
    # The earliest and latest stamps: the first and last steps, unless a reply stamped before the
    # message it answers (clock skew) follows it.
    t = events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    if len(starts):
        start_ns, end_ns = np.minimum.reduceat(t, starts), np.maximum.reduceat(t, starts)
    else:
        start_ns = end_ns = np.zeros(0, dtype=np.int64)
    # .array keeps the columns' own types (no Timestamp objects, no string copies per row)
    index = pd.Index(first["journey_id"].astype("string").array, name="journey_id")
    return pd.DataFrame(
        {
            "customer_id": first["customer_id"].astype("string").array,
            "start": pd.DatetimeIndex(start_ns.view("datetime64[ns]")).tz_localize("UTC").array,
            "end": pd.DatetimeIndex(end_ns.view("datetime64[ns]")).tz_localize("UTC").array,
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
