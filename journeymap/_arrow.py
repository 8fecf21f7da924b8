"""One Arrow array from a pandas column, however many chunks it was stored in.

A pandas column backed by Arrow holds a *chunked* array: one chunk where it was built in one
piece, several after ``pd.concat`` (journeys scored in parts and put together) or after
``read_parquet`` of a file larger than Arrow's read batch (131,072 rows in pyarrow 26). Arrow's
kernels take either, but the two do not mix (``ChunkedArray.equals(Array)`` raises, a chunked
mask cannot index a flat array), so the library's Arrow code works on one flat array, made here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)


def flat_array(values: Any, type: pa.DataType | None = None) -> pa.Array:
    """``pa.array(values, type=type)`` as one contiguous array (chunks combined).

    Examples:
        >>> import pandas as pd
        >>> s = pd.concat([pd.Series(["a"], dtype="string[pyarrow]"), pd.Series(["b"], dtype="string[pyarrow]")])
        >>> flat_array(s.array).to_pylist()
        ['a', 'b']
    """
    import pyarrow as pa

    out = pa.array(values, type=type)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def arrow_table(frame: pd.DataFrame, *, preserve_index: bool | None, what: str) -> pa.Table:
    """``frame`` as an Arrow table; object columns Arrow cannot type (``1234`` and ``"A-77"``) as text.

    Such a column is written as strings (missing values stay missing) with a logged warning
    naming it, so it reads back as text (``"1234"`` where the frame held ``1234``). Every
    Parquet writer of the library goes through here: :meth:`JourneySet.to_parquet
    <journeymap.JourneySet.to_parquet>`, :func:`journeymap.io.write_table` and the command
    line's ``score -o x.parquet``.

    Args:
        frame: The table to convert.
        preserve_index: As :meth:`pyarrow.Table.from_pandas` takes it (None: a default
            0-based index is kept as metadata only, any other as columns).
        what: What is written, for the error ("the journeys", "the scored events").

    Raises:
        SchemaError: a column Arrow cannot write even as text, named by Arrow's message; a
            categorical column of intervals (as :func:`pandas.cut` makes) or of periods, which
            Arrow converts but Parquet cannot store, named with what to write instead.

    Examples:
        >>> import pandas as pd
        >>> arrow_table(pd.DataFrame({"ref": [12, "A-77"]}), preserve_index=False, what="a table").column("ref").to_pylist()
        ['12', 'A-77']
    """
    import pyarrow as pa

    from journeymap.exceptions import SchemaError

    errors = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)
    try:
        return _storable(pa.Table.from_pandas(frame, preserve_index=preserve_index), frame, what)
    except errors:
        pass  # find the columns at fault, below: trying each costs a second conversion, so only on failure
    fixed = frame.copy(deep=False)
    for column in frame.columns:
        if not pd.api.types.is_object_dtype(frame[column].dtype):
            continue
        try:
            pa.array(frame[column], from_pandas=True)
        except errors:
            values = frame[column]
            fixed[column] = values.astype(str).where(values.notna(), None).astype(object)
            kinds = sorted({type(v).__name__ for v in values.dropna()})
            logger.warning("column %r holds values of mixed types (%s): written to Parquet as text", column, ", ".join(kinds))
    try:
        return _storable(pa.Table.from_pandas(fixed, preserve_index=preserve_index), frame, what)
    except errors as exc:
        msg = f"cannot write {what} to Parquet: {exc}"
        raise SchemaError(msg) from exc


def _storable(table: pa.Table, frame: pd.DataFrame, what: str) -> pa.Table:
    """``table``, checked for columns Parquet cannot store though Arrow holds them.

    A categorical of intervals (``pd.cut``'s bands) or of periods is an Arrow dictionary of
    pandas' extension type: ``pq.write_table`` fails on it with an error that names no column
    (and leaves no file), so it is refused here, named, with what Parquet does store.

    Raises:
        SchemaError: naming the column, what it holds and what to write instead.

    Examples:
        >>> import pandas as pd
        >>> bands = pd.DataFrame({"tenure": pd.cut([1, 8, 20], [0, 6, 12, 24])})
        >>> arrow_table(bands, preserve_index=False, what="a table")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.SchemaError: cannot write a table to Parquet: column 'tenure' is a categorical of intervals ...
    """
    import pyarrow as pa

    from journeymap.exceptions import SchemaError

    for field in table.schema:
        kind = field.type
        if not (pa.types.is_dictionary(kind) and isinstance(kind.value_type, pa.ExtensionType)):
            continue
        name = field.name
        dtype = frame[name].dtype if name in frame.columns else None
        categories = dtype.categories.dtype if isinstance(dtype, pd.CategoricalDtype) else None
        held = (
            "intervals"
            if isinstance(categories, pd.IntervalDtype)
            else "periods"
            if isinstance(categories, pd.PeriodDtype)
            else f"{kind.value_type} values"
        )
        msg = (
            f"cannot write {what} to Parquet: column {name!r} is a categorical of {held} (as pd.cut or pd.Categorical make), "
            f"which Parquet cannot store; write it as text, frame[{name!r}] = frame[{name!r}].astype(str) (it reads back as "
            f"text), or as plain {held}, frame[{name!r}] = frame[{name!r}].astype(frame[{name!r}].cat.categories.dtype) "
            "(read back as such, not as a categorical)"
        )
        raise SchemaError(msg)
    return table
