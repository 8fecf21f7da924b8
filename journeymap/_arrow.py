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

if TYPE_CHECKING:
    import pandas as pd
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
        SchemaError: a column Arrow cannot write even as text, named by Arrow's message.

    Examples:
        >>> import pandas as pd
        >>> arrow_table(pd.DataFrame({"ref": [12, "A-77"]}), preserve_index=False, what="a table").column("ref").to_pylist()
        ['12', 'A-77']
    """
    import pandas as pd
    import pyarrow as pa

    from journeymap.exceptions import SchemaError

    errors = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)
    try:
        return pa.Table.from_pandas(frame, preserve_index=preserve_index)
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
        return pa.Table.from_pandas(fixed, preserve_index=preserve_index)
    except errors as exc:
        msg = f"cannot write {what} to Parquet: {exc}"
        raise SchemaError(msg) from exc
