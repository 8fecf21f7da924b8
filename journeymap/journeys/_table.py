"""The journey table and journey order, shared by the build and by journeys gathered from partitions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.errors import OutOfBoundsDatetime

from journeymap._arrow import flat_array
from journeymap.exceptions import SchemaError
from journeymap.journeys._set import JourneySet

if TYPE_CHECKING:
    import datetime as dt

    import numpy.typing as npt
    import pyarrow as pa

    from journeymap.emotions.taxonomy import Taxonomy
    from journeymap.model import StageModel

__all__ = [
    "actor_mask",
    "customer_mask",
    "group_bounds",
    "id_ranks",
    "journey_set_from_events",
    "journey_starts",
    "journey_table",
    "take_rows",
    "timestamps_ns",
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
    import pyarrow.compute as pc

    values = flat_array(array)
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


def id_ranks(ids: pd.Series) -> npt.NDArray[np.int64]:
    """Each id's rank in id order (equal ids share one), the last tie-breaker of step and journey order.

    Id order: ids made of ASCII digits only come first, compared as numbers (``"9"`` before
    ``"10"``; at equal value, ``"07"`` before ``"7"``); every other id comes after them,
    compared as text (by code point). Whether ``a`` comes before ``b`` depends on ``a`` and ``b``
    alone, not on the other ids, so ranks from any subset of the ids (a partition on a cluster, a
    selection of journeys) order them as the ranks of the whole do. Arrow compute throughout: no
    Python string per id.

    Examples:
        >>> id_ranks(pd.Series(["10", "9", "b", "a", "010", "100"], dtype="string")).tolist()
        [2, 0, 5, 4, 1, 3]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(ids.astype("string"), type=pa.large_string())
    digits = pc.fill_null(pc.ascii_is_decimal(values), False)
    key = _numbers_first(values, digits) if pc.any(digits).as_py() else values
    ranks = pc.rank(key, sort_keys="ascending", tiebreaker="dense")
    return np.asarray(ranks.to_numpy(zero_copy_only=False), dtype=np.int64) - 1


#: Digit ids up to this many digits, without leading zeros, are compared as int64 values.
_INT64_DIGITS = 18


def _numbers_first(values: pa.Array, digits: pa.Array) -> pa.Array:
    """A sort key for ids in id order (:func:`id_ranks`): int64 values, or strings comparing as the order.

    All digits, no leading zero, at most 18 digits (tweet ids, ticket numbers): the numbers
    themselves. Otherwise a string key: ``"0"``, the digits left-padded with zeros to a common
    width, then the id (so ``"07"`` and ``"7"`` still differ); other ids ``"1"`` then the id.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    length = pc.utf8_length(values)
    leading_zero = pc.and_(pc.starts_with(values, "0"), pc.greater(length, 1))
    if pc.all(digits).as_py() and not pc.any(leading_zero).as_py() and (pc.max(length).as_py() or 0) <= _INT64_DIGITS:
        return pc.cast(values, pa.int64())
    number = pc.utf8_ltrim(values, characters="0")
    width = int(pc.max(pc.if_else(digits, pc.utf8_length(number), 0)).as_py() or 0)
    padded = pc.utf8_lpad(number, width=width, padding="0")
    zero, one, nothing = (pa.scalar(c, pa.large_string()) for c in ("0", "1", ""))
    as_number = pc.binary_join_element_wise(zero, padded, values, nothing)
    as_text = pc.binary_join_element_wise(one, values, nothing)
    return pc.if_else(digits, as_number, as_text)


def group_bounds(codes: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Start positions and lengths of runs of equal, sorted group codes."""
    if len(codes) == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    lengths = np.diff(np.r_[starts, len(codes)])
    return starts, lengths


def timestamps_ns(events: pd.DataFrame) -> npt.NDArray[np.int64]:
    """The events' timestamps as nanoseconds since the epoch (UTC; NaT as int64's minimum), whatever the column's unit.

    A column of another unit (microseconds, as Parquet and XES give) may hold times that no
    nanosecond count holds; converted blindly they would wrap around into other years.

    Raises:
        SchemaError: such a time, naming the row, its journey (where the events have one) and
            the time: it is refused, never wrapped around.

    Examples:
        >>> frame = pd.DataFrame({"timestamp": np.array(["2024-01-01", "9999-12-31"], dtype="datetime64[us]")})
        >>> timestamps_ns(frame.iloc[:1]).tolist()
        [1704067200000000000]
        >>> timestamps_ns(frame)
        Traceback (most recent call last):
        ...
        journeymap.exceptions.SchemaError: column 'timestamp' holds 9999-12-31 00:00:00 (row 1), ...
    """
    times = events["timestamp"]
    if not (isinstance(times.dtype, pd.DatetimeTZDtype) or times.dtype.kind == "M"):
        return np.asarray(times.to_numpy(dtype="datetime64[ns]").view(np.int64), dtype=np.int64)
    try:
        return np.asarray(times.array.as_unit("ns").asi8, dtype=np.int64)
    except OutOfBoundsDatetime:
        pass
    aware = times if isinstance(times.dtype, pd.DatetimeTZDtype) else times.dt.tz_localize("UTC")
    lo, hi = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
    bad = ((aware < lo) | (aware > hi)).fillna(False).to_numpy(dtype=bool)
    row = int(np.flatnonzero(bad)[0])
    journey = f", journey {str(events['journey_id'].iloc[row])!r}" if "journey_id" in events.columns else ""
    label = events.index[row : row + 1].tolist()[0]
    msg = (
        f"column 'timestamp' holds {times.iloc[row]} (row {label!r}{journey}), {int(bad.sum())} time(s) "
        f"outside the range journeymap handles ({lo:%Y-%m-%d} to {hi:%Y-%m-%d}): a time there would wrap around into "
        "another year"
    )
    raise SchemaError(msg)


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
    t = timestamps_ns(events)
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
    t = pd.Series(timestamps_ns(events), index=events.index)
    return t.groupby(events["journey_id"].to_numpy(), sort=False).transform("min")


def journey_set_from_events(
    events: pd.DataFrame, stages: StageModel, *, by: str, taxonomy: Taxonomy | None = None, tz: dt.tzinfo | None = None
) -> JourneySet:
    """A JourneySet from events that already carry ``journey_id``, ``step`` and ``stage``, in any row order.

    Rows are put in the order :func:`~journeymap.build_journeys` gives: journeys by start time,
    then journey id (in id order, :func:`id_ranks`); steps in step order. Used to gather journeys built in partitions.
    """
    jid = id_ranks(events["journey_id"])  # the journey id is its first event's: id order (:func:`id_ranks`)
    order = np.lexsort((events["step"].to_numpy(dtype=np.int64), jid, journey_starts(events).to_numpy()))
    ordered = events.iloc[order]
    return JourneySet(ordered, journey_table(ordered), stages, by=by, taxonomy=taxonomy, tz=tz)
