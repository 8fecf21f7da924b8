"""Shared preparation for the analytics: checks and derived columns computed once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap._arrow import flat_array
from journeymap.exceptions import ArgumentTypeError, SchemaError
from journeymap.journeys._table import customer_mask
from journeymap.schema import FALSE_WORDS, NEGATIVE_VALENCE, POSITIVE_VALENCE, SENTIMENTS, TRUE_WORDS, VALENCE_TOLERANCE

if TYPE_CHECKING:
    import numpy.typing as npt

    from journeymap.journeys import JourneySet


def require_journeys(js: object, what: str) -> JourneySet:
    """``js`` itself; TypeError naming ``what`` unless it is a JourneySet (an EventLog or a DataFrame is not).

    Examples:
        >>> import pandas as pd
        >>> require_journeys(pd.DataFrame(), "trends")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ArgumentTypeError: trends needs a JourneySet (from build_journeys), got DataFrame...
    """
    from journeymap.journeys import JourneySet

    if not isinstance(js, JourneySet):
        hint = {
            "EventLog": ": build one with journeymap.build_journeys(log)",
            "DataFrame": ": build one with journeymap.build_journeys(events)",
        }.get(type(js).__name__, "")
        msg = f"{what} needs a JourneySet (from build_journeys), got {type(js).__name__}{hint}"
        raise ArgumentTypeError(msg)
    return js


def unscored_error(what: str) -> SchemaError:
    """The error of ``what`` given journeys without emotion columns (on one machine and on a cluster alike).

    Examples:
        >>> str(unscored_error("time_patterns"))
        'time_patterns needs emotion columns: run journeymap.score(js) first'
    """
    return SchemaError(f"{what} needs emotion columns: run journeymap.score(js) first")


def require_scored(js: JourneySet, what: str) -> pd.DataFrame:
    """The events of a scored JourneySet, or a clear error saying to score first (or what in its scores cannot be read)."""
    js = require_journeys(js, what)
    if not js.is_scored:
        raise unscored_error(what)
    js.cached("scores_checked", lambda: polarity(js.events) and True)  # a valence or sentiment it cannot read: an error
    if "emotion" not in js.events.columns:  # a valence of the user's own, without labels: no top emotion
        return js.events.assign(emotion=pd.Series(pd.NA, index=js.events.index, dtype="string"))
    return js.events


def journey_keys(js: JourneySet) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Integer journey codes of the events (in order of appearance, as ``pd.factorize``) and the code of each ``js.journeys`` row.

    Computed once per JourneySet. A groupby over a million journey-id strings hashes them every
    time; the analytics group by these codes instead and put the results on the journeys' ids
    at the end (:func:`on_journeys`). A JourneySet's journeys are contiguous and in the order of
    ``js.journeys``: then the codes come from comparing neighbouring ids (no hashing) and are the
    journeys' positions; otherwise they are factorized. A journey without events gets -1.
    """
    return js.cached("journey_keys", lambda: _journey_keys(js.events["journey_id"], js.journeys.index))


def _journey_keys(ids: pd.Series, journeys: pd.Index) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(ids)
    if n and len(journeys):
        values = flat_array(ids.astype("string").array, pa.large_string())
        if values.null_count == 0:
            change = pc.not_equal(values.slice(1), values.slice(0, n - 1)).to_numpy(zero_copy_only=False)
            new = np.r_[True, np.asarray(change, dtype=bool)]
            first_rows = np.flatnonzero(new)
            if len(first_rows) == len(journeys):  # as many runs as journeys: contiguous, if the ids match in order
                names = flat_array(pd.Series(journeys).astype("string").array, pa.large_string())
                if values.take(pa.array(first_rows)).equals(names):
                    return np.cumsum(new, dtype=np.int64) - 1, np.arange(len(journeys), dtype=np.int64)
    codes, uniques = pd.factorize(ids)
    positions = pd.Index(uniques).get_indexer(journeys)
    return codes.astype(np.int64), np.asarray(positions, dtype=np.int64)


def on_journeys(
    values: pd.Series, positions: npt.NDArray[np.int64], journeys: pd.Index, *, fill_value: bool | None = None
) -> pd.Series:
    """``values`` indexed by journey code, put on the journeys' ids (``positions`` from :func:`journey_keys`): as ``reindex``.

    ``fill_value`` is for the journeys ``values`` has no row for (None: missing). Flags take
    ``fill_value=False`` and stay bool: ``reindex`` then ``fillna(False)`` makes an object column
    first, whose downcast pandas 2.2 and 2.3 warn about (FutureWarning).
    """
    return values.reindex(positions, fill_value=fill_value).set_axis(journeys)


def polarity(events: pd.DataFrame) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Valence (NaN where unscored) and whether each event is negative, and positive.

    Negative and positive are what the ``sentiment`` column says where it has a value: the
    scorer's own decision rule (for the default model, its calibrated sentiment head; for
    scorers without one, the valence cut). Rows without it (older tables, hand-made scores) fall
    back to the cut of :mod:`journeymap.schema`: valence below
    :data:`~journeymap.schema.NEGATIVE_VALENCE`, above :data:`~journeymap.schema.POSITIVE_VALENCE`.

    A valence outside [-1, 1] (ratings on another scale) or a ``sentiment`` other than
    ``negative``, ``neutral`` and ``positive`` (``"Negative"``, ``"pos"``) is a
    :class:`~journeymap.SchemaError` naming the column and a row: read as it is, the one would
    put means outside their own intervals and the other would count every message as neutral.

    Examples:
        >>> import pandas as pd
        >>> events = pd.DataFrame({"valence": [-0.2, -0.6, 0.1, None], "sentiment": ["negative", None, "neutral", None]})
        >>> _, negative, positive = polarity(events)
        >>> negative.tolist(), positive.tolist()
        ([True, True, False, False], [False, False, False, False])
        >>> polarity(events.assign(sentiment=["Negative", None, "neutral", None]))
        Traceback (most recent call last):
        ...
        journeymap.exceptions.SchemaError: the 'sentiment' column holds 'Negative' (1 row, the first row 0), where only ...
    """
    valence = (
        events["valence"].to_numpy(dtype=np.float64, na_value=np.nan)
        if "valence" in events.columns
        else np.full(len(events), np.nan)
    )
    scored = ~np.isnan(valence)
    _check_valence(events, valence)
    negative = scored & (valence < NEGATIVE_VALENCE)
    positive = scored & (valence > POSITIVE_VALENCE)
    if "sentiment" in events.columns:
        import pyarrow as pa
        import pyarrow.compute as pc

        # Arrow compares the million labels in C (zero-copy for Arrow-backed strings)
        label = pa.array(events["sentiment"].astype("string[pyarrow]").array)
        known = label.is_valid().to_numpy(zero_copy_only=False) & scored
        if known.any():
            is_negative = pc.fill_null(pc.equal(label, "negative"), False).to_numpy(zero_copy_only=False)
            is_positive = pc.fill_null(pc.equal(label, "positive"), False).to_numpy(zero_copy_only=False)
            unknown = known & ~is_negative & ~is_positive  # the labels read: those of scored rows
            if unknown.any():
                unknown &= ~pc.fill_null(pc.equal(label, "neutral"), False).to_numpy(zero_copy_only=False)
                if unknown.any():
                    _unknown_sentiment(events, unknown)
            negative = np.where(known, is_negative, negative)
            positive = np.where(known, is_positive, positive)
    return valence, negative, positive


def _plain(value: object) -> object:
    """A NumPy scalar as the Python value it holds (its repr is ``14``, not ``np.int64(14)``); others as they are."""
    return value.item() if isinstance(value, np.generic) else value


def _row(events: pd.DataFrame, position: int) -> str:
    """Row ``position`` of ``events`` as an error names it: its index label, and its event id where there is one.

    Examples:
        >>> _row(pd.DataFrame({"event_id": ["e7"]}, index=pd.Index([14], dtype="int64")), 0)
        "row 14, event_id 'e7'"
    """
    label = f"row {_plain(events.index[position])!r}"
    if "event_id" in events.columns:
        label += f", event_id {_plain(events['event_id'].iloc[position])!r}"
    return label


def _check_valence(events: pd.DataFrame, valence: npt.NDArray[np.float64]) -> None:
    """SchemaError where a valence lies outside [-1, 1] (a tiny rounding excess is let through)."""
    with np.errstate(invalid="ignore"):
        bad = np.abs(valence) > 1.0 + VALENCE_TOLERANCE  # NaN (unscored) compares False
    if bad.any():
        first = int(np.argmax(bad))
        msg = (
            f"the 'valence' column must lie in [-1, 1] (-1 most negative, 1 most positive); {int(bad.sum())} "
            f"row(s) are outside, the first {_row(events, first)}: {float(valence[first])!r}. Rescale scores of another "
            "scale first (ratings 1-5: (r - 3) / 2)"
        )
        raise SchemaError(msg)


def _unknown_sentiment(events: pd.DataFrame, unknown: npt.NDArray[np.bool_]) -> None:
    """SchemaError naming the ``sentiment`` labels that are none of :data:`~journeymap.schema.SENTIMENTS`."""
    values = events["sentiment"].astype("string").to_numpy(dtype=object)[unknown]
    positions = np.flatnonzero(unknown)
    counts = pd.Series(values).value_counts(sort=True)
    shown = []
    for value, count in list(counts.items())[:5]:
        first = int(positions[np.argmax(values == value)])
        shown.append(f"{value!r} ({count} row{'s' if count != 1 else ''}, the first {_row(events, first)})")
    more = f" and {len(counts) - 5} more labels" if len(counts) > 5 else ""
    msg = (
        f"the 'sentiment' column holds {', '.join(shown)}{more}, where only {', '.join(SENTIMENTS)} "
        "(or a missing value) are read; map the labels to these (e.g. events['sentiment'].str.lower()), "
        "or drop the column to let the valence decide"
    )
    raise SchemaError(msg)


def flag_column(events: pd.DataFrame, name: str, *, default: bool) -> npt.NDArray[np.bool_]:
    """A boolean attribute column the analytics read (``addressed``, ``reply_outside_data``), as booleans.

    Booleans (NA is ``default``), numbers 0 and 1, and the words true/false, yes/no, t/f, 1/0 in any
    case, as a CSV written and read back holds them (a blank is missing); without the column,
    ``default`` everywhere.
    Anything else is a :class:`~journeymap.SchemaError` naming the column, a row and its value:
    read as True, the string ``"False"`` would silently say the opposite.

    Examples:
        >>> events = pd.DataFrame({"addressed": ["True", "false", None, "1"]})
        >>> flag_column(events, "addressed", default=True).tolist()
        [True, False, True, True]
        >>> flag_column(events, "reply_outside_data", default=False).tolist()
        [False, False, False, False]
    """
    if name not in events.columns:
        return np.full(len(events), default, dtype=bool)
    column = events[name]
    if pd.api.types.is_bool_dtype(column.dtype):
        return column.fillna(default).to_numpy(dtype=bool)
    words = column.astype("string").str.strip().str.lower()
    words = words.mask(words == "")  # a blank cell is a missing value: ``default``
    true, false = words.isin(TRUE_WORDS).fillna(False), words.isin(FALSE_WORDS).fillna(False)
    wrong = (words.notna() & ~true & ~false).to_numpy(dtype=bool)
    if wrong.any():
        position = int(np.flatnonzero(wrong)[0])
        msg = (
            f"column {name!r} must hold True or False (journeymap reads it as a flag), got "
            f"{column.iloc[position]!r} at {_row(events, position)} ({int(wrong.sum())} such value(s))"
        )
        raise SchemaError(msg)
    return np.where(words.isna().to_numpy(dtype=bool), default, true.to_numpy(dtype=bool))


def flags(events: pd.DataFrame) -> pd.DataFrame:
    """Columns most analytics use: customer/brand, scored, valence, negative, positive (NumPy-backed).

    Negative and positive as :func:`polarity` says; ``unit`` is :func:`interval_units`.
    """
    valence, negative, positive = polarity(events)
    customer = customer_mask(events["actor"])
    scored = ~np.isnan(valence)
    return pd.DataFrame(
        {
            "journey_id": events["journey_id"].array,  # its own dtype: no Python string per row
            "unit": interval_units(events),
            "customer": customer,
            "brand": ~customer,
            "scored": scored,
            "valence": valence,
            "negative": negative,
            "positive": positive,
            "t": events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64),
        },
        index=events.index,
    )


def interval_units(events: pd.DataFrame) -> pd.api.extensions.ExtensionArray:
    """What the analytics' intervals resample, per row: the journey's customer.

    A customer's messages are not independent of each other, within a journey or across the
    several journeys of a returning customer, so :class:`~journeymap.analytics._stats.MeanInterval`
    takes whole customers (as :func:`~journeymap.compare_segments` counts them). A row whose
    ``customer_id`` is missing is a unit of its own journey.
    """
    customer = events["customer_id"]
    missing = customer.isna().to_numpy()
    if not missing.any():
        whole: pd.api.extensions.ExtensionArray = customer.array
        return whole
    # the prefix (a control character) keeps a journey's unit apart from the customers' ids
    journey = "\x1fjourney " + events["journey_id"].astype("string")
    units: pd.api.extensions.ExtensionArray = customer.astype("string").where(~missing, journey).array
    return units


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
