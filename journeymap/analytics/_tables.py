"""What every ranked table shares: the first ``top`` rows, with a 1-based ``rank`` column first."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from journeymap.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ranked"]


def ranked(table: pd.DataFrame, top: int | None) -> pd.DataFrame:
    """The first ``top`` rows of a table already in rank order (all rows for None), ranked 1, 2, ...

    Examples:
        >>> import pandas as pd
        >>> ranked(pd.DataFrame({"impact": [3.0, 2.0, 1.0]}, index=pd.Index(["a", "b", "c"], name="touchpoint")), 2)
                    rank  impact
        touchpoint
        a              1     3.0
        b              2     2.0
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 0):
        msg = f"top must be a non-negative number of rows or None (all rows), got {top!r}"
        raise InvalidArgumentError(msg)
    out = table.iloc[: None if top is None else int(top)].copy()
    out.insert(0, "rank", np.arange(1, len(out) + 1, dtype=np.int64))
    return out
