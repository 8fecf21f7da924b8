"""Per-key statistics of the customers' scored messages: the halves of :func:`~journeymap.touchpoint_summary`.

"Rows to statistics" (:func:`customer_steps`) and "statistics to result" (:func:`summary_row`,
:func:`summary_frame`) are apart so that the distributed backend reuses the second half.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics._levels import level_keys
from journeymap.analytics._prep import flags

if TYPE_CHECKING:
    from journeymap.analytics._stats import Estimate

__all__ = ["customer_steps", "summary_frame", "summary_row"]


def customer_steps(events: pd.DataFrame, level: str) -> pd.DataFrame:
    """The customers' scored messages: ``journey_id``, ``unit``, ``valence``, ``negative``, ``positive``, ``key``, ``emotion``."""
    keys = level_keys(events, level)  # checks the level first
    f = flags(events)
    keep = f["customer"] & f["scored"]
    out = f.loc[keep, ["journey_id", "unit", "valence", "negative", "positive"]].copy()
    out["key"] = keys[keep]  # as the graph's nodes
    # a valence of the user's own may come without labels: no top emotion then
    no_labels = pd.Series(pd.NA, index=out.index, dtype="string")
    out["emotion"] = events.loc[keep, "emotion"] if "emotion" in events.columns else no_labels
    return out


def summary_row(*, n: int, estimate: Estimate, neg: int, pos: int, top: str) -> dict[str, object]:
    """One row of :func:`touchpoint_summary` from a group's statistics (``estimate``: its :class:`MeanInterval`)."""
    return {
        "volume": n,
        "mean_valence": estimate.mean,
        "ci_low": estimate.low,
        "ci_high": estimate.high,
        "share_negative": neg / n,
        "share_positive": pos / n,
        "pos_neg_ratio": pos / neg if neg else (np.inf if pos else np.nan),  # 0/0: all neutral, no ratio
        "top_emotions": top,
    }


def summary_frame(rows: dict[str, dict[str, object]], level: str, stage_names: tuple[str, ...]) -> pd.DataFrame:
    """The :func:`touchpoint_summary` frame from its rows, in its documented order."""
    columns = ["volume", "mean_valence", "ci_low", "ci_high", "share_negative", "share_positive", "pos_neg_ratio", "top_emotions"]
    # typed as with rows when there are none (from_dict gives object columns and a number index then)
    dtypes = {"volume": "int64", **dict.fromkeys(columns[1:-1], "float64"), "top_emotions": "string"}
    out = pd.DataFrame.from_dict(rows, orient="index", columns=columns).astype(dtypes)
    out.index = out.index.astype("str")
    if level == "stage":
        order = [s for s in stage_names if s in out.index]
        out = out.loc[order]
    else:
        # Ties in volume and valence go by name, so the order does not depend on the row order.
        out = out.sort_index().sort_values(["volume", "mean_valence"], ascending=[False, True], kind="stable")
    out.index.name = level
    return out
