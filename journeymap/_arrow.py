"""One Arrow array from a pandas column, however many chunks it was stored in.

A pandas column backed by Arrow holds a *chunked* array: one chunk where it was built in one
piece, several after ``pd.concat`` (journeys scored in parts and put together) or after
``read_parquet`` of a file larger than Arrow's read batch (131,072 rows in pyarrow 26). Arrow's
kernels take either, but the two do not mix (``ChunkedArray.equals(Array)`` raises, a chunked
mask cannot index a flat array), so the library's Arrow code works on one flat array, made here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa


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
