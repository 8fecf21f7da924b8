"""Per-key statistics of the customers' messages: the halves of :func:`~journeymap.touchpoint_summary`.

"Rows to statistics" (:func:`customer_steps`) and "statistics to result" (:func:`summary_row`,
:func:`summary_frame`) are apart so that the distributed backend reuses the second half.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics._levels import level_index, level_keys
from journeymap.analytics._prep import flags

if TYPE_CHECKING:
    from collections.abc import Mapping

    from journeymap.analytics._stats import Estimate

__all__ = ["customer_messages", "customer_steps", "summary_frame", "summary_row", "unscored_counts"]

#: The columns of :func:`~journeymap.touchpoint_summary`, in order.
SUMMARY_COLUMNS = [
    "volume",
    "n_unscored",
    "mean_valence",
    "ci_low",
    "ci_high",
    "share_negative",
    "share_positive",
    "pos_neg_ratio",
    "top_emotions",
]


def customer_steps(events: pd.DataFrame, level: str) -> pd.DataFrame:
    """The customers' scored messages: ``journey_id``, ``unit``, ``valence``, ``negative``, ``positive``, ``key``, ``emotion``."""
    return customer_messages(events, level)[0]


def customer_messages(events: pd.DataFrame, level: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """:func:`customer_steps`, and per key the number of the customers' messages there that were not scored.

    Not scored: no valence (a language no scorer given reads, no text; ``score_note`` says why).
    Keys without such messages are left out of the counts.

    Examples:
        >>> events = pd.DataFrame(
        ...     {
        ...         "journey_id": ["j1", "j1", "j2", "j2"],
        ...         "customer_id": ["c1", "c1", "c2", "c2"],
        ...         "actor": ["customer", "agent", "customer", "customer"],
        ...         "timestamp": pd.to_datetime(["2024-01-01"] * 4, utc=True),
        ...         "touchpoint": ["billing", "billing", "outage", "billing"],
        ...         "valence": [-0.5, None, None, 0.4],
        ...     }
        ... )
        >>> steps, unscored = customer_messages(events, "touchpoint")
        >>> steps["key"].tolist(), unscored
        (['billing', 'billing'], {'outage': 1})
    """
    keys = level_keys(events, level)  # checks the level first
    f = flags(events)
    keep = (f["customer"] & f["scored"]).to_numpy(dtype=bool)
    out = f.loc[keep, ["journey_id", "unit", "valence", "negative", "positive"]].copy()
    out["key"] = keys[keep]  # as the graph's nodes
    # a valence of the user's own may come without labels: no top emotion then
    no_labels = pd.Series(pd.NA, index=out.index, dtype="string")
    out["emotion"] = events.loc[keep, "emotion"] if "emotion" in events.columns else no_labels
    unscored = {str(k): int(n) for k, n in unscored_counts(f, keys).items()}
    return out, unscored


def unscored_counts(f: pd.DataFrame, keys: pd.Series) -> pd.Series:
    """Per key, the customers' messages there that were not scored (no valence), most first; keys without any left out.

    ``f`` is :func:`~journeymap.analytics._prep.flags` of the events, ``keys`` their keys at a level.

    Examples:
        >>> f = pd.DataFrame({"customer": [True, True, False, True], "scored": [False, True, False, False]})
        >>> unscored_counts(f, pd.Series(["billing", "app", "billing", "billing"])).to_dict()
        {'billing': 2}
    """
    unread = (f["customer"] & ~f["scored"]).to_numpy(dtype=bool)
    return keys[unread].astype("string").value_counts()


def summary_row(*, n: int, estimate: Estimate, neg: int, pos: int, top: str) -> dict[str, object]:
    """One row of :func:`touchpoint_summary` from a group's statistics (``estimate``: its :class:`MeanInterval`).

    ``n_unscored`` is filled in by :func:`summary_frame`.
    """
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


def summary_frame(
    rows: dict[str, dict[str, object]], level: str, stage_names: tuple[str, ...], unscored: Mapping[str, int]
) -> pd.DataFrame:
    """The :func:`touchpoint_summary` frame from its rows, in its documented order.

    ``unscored``: per key, the customer messages not scored there (:func:`customer_messages`);
    a key with no scored message gets a row of volume 0 and NaN figures.
    """
    columns = SUMMARY_COLUMNS
    rows = {str(k): {**v, "n_unscored": int(unscored.get(str(k), 0))} for k, v in rows.items()}
    blank = {"volume": 0, **dict.fromkeys(columns[2:-1], np.nan), "top_emotions": ""}
    rows |= {str(k): {**blank, "n_unscored": int(n)} for k, n in unscored.items() if str(k) not in rows and n}
    # typed as with rows when there are none (from_dict gives object columns and a number index then)
    dtypes = {"volume": "int64", "n_unscored": "int64", **dict.fromkeys(columns[2:-1], "float64"), "top_emotions": "string"}
    out = pd.DataFrame.from_dict(rows, orient="index", columns=columns).astype(dtypes)
    out.index = level_index(out.index, level, stage_names)
    if level == "stage":  # an ordered categorical of the stages: in stage order, "(none)" (no stage) last
        out = out.sort_index()
    else:
        # Ties in volume and valence go by name, so the order does not depend on the row order;
        # touchpoints with no scored message come last, the most unscored messages first.
        unread = out["n_unscored"].where(out["volume"] == 0, 0)
        out = out.assign(_unread=unread).sort_index()
        out = out.sort_values(["volume", "mean_valence", "_unread"], ascending=[False, True, False], kind="stable")
        out = out.drop(columns="_unread")
    return out
