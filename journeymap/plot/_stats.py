"""The numbers behind the charts, computed apart from drawing (tested without rendering)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics._levels import level_keys
from journeymap.analytics._prep import flags, require_scored
from journeymap.analytics._stats import VALENCE_BOUNDS, MeanInterval
from journeymap.analytics._summary import unscored_counts
from journeymap.analytics.replies import MIN_GROUP_SIZE
from journeymap.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    from journeymap.journeys import JourneySet
    from journeymap.model import Journey


def topic_totals(table: pd.DataFrame) -> pd.Series:
    """The messages of each topic in :func:`~journeymap.topic_trends`' ``table``, the largest first (ties by name).

    ``"other"`` and topics without a message are left out: what :func:`journeymap.plot.topic_trends`
    draws, and its ``top`` largest are the first ``top`` rows.

    Examples:
        >>> index = pd.MultiIndex.from_tuples(
        ...     [("w1", "billing"), ("w1", "other"), ("w1", "app"), ("w2", "app"), ("w2", "late")], names=["period", "topic"])
        >>> topic_totals(pd.DataFrame({"volume": [3, 9, 2, 1, 0]}, index=index)).to_dict()
        {'app': 3, 'billing': 3}
    """
    from journeymap.analytics.topics import OTHER_LAST

    totals = table.groupby(level="topic")["volume"].sum().drop(OTHER_LAST, errors="ignore")
    totals = totals[totals > 0]
    return totals.loc[sorted(totals.index, key=lambda t: (-int(totals[t]), str(t)))]


def journey_curve(journey: Journey) -> pd.DataFrame:
    """One row per step: ``step``, ``actor``, ``is_brand``, ``stage``, ``valence`` (NaN unscored), ``text``."""
    rows = [
        {
            "step": i.step or n,
            "actor": i.actor.value,
            "is_brand": i.actor.is_brand,
            "stage": i.stage,
            "valence": i.emotion.valence if i.emotion is not None else np.nan,
            "emotion": i.emotion.emotion if i.emotion is not None else None,
            "text": i.text,
            "timestamp": i.timestamp,
        }
        for n, i in enumerate(journey.interactions, start=1)
    ]
    return pd.DataFrame(rows)


def extremes(curve: pd.DataFrame) -> tuple[int | None, int | None]:
    """Row positions (in the full curve) of the highest and lowest scored step of ``curve`` (first if tied), or None."""
    scored = curve["valence"].dropna()
    if scored.empty:
        return None, None
    index = scored.index.to_numpy()
    values = scored.to_numpy()
    return int(index[np.argmax(values)]), int(index[np.argmin(values)])


def journey_map_table(
    js: JourneySet,
    *,
    level: str = "touchpoint",
    top_pains: int = 3,
    seed: int | np.random.Generator | None = 0,
    min_volume: int = MIN_GROUP_SIZE,
) -> pd.DataFrame:
    """Per (stage, touchpoint): volume, mean valence, interval, impact, and whether it is a pain point.

    With ``level="topic"`` the cells are (stage, topic), in a ``topic`` column instead of
    ``touchpoint`` (a step's topic as :func:`~journeymap.analytics._levels.level_keys` gives it).

    ``ci_low``/``ci_high`` is the 95% interval of :class:`~journeymap.analytics._stats.MeanInterval`
    (bootstrap resamples drawn with ``seed``), the one :func:`~journeymap.touchpoint_summary`
    reports, so a touchpoint that lies in one stage shows the same interval on the map and in
    the table. ``impact`` is the total negativity felt there (volume x mean ``max(0, -valence)``,
    as in :func:`~journeymap.pain_points`); the ``top_pains`` cells of highest impact among those
    of at least ``min_volume`` messages are pain points (one or two messages make no pain point).

    Rows in stage order, then by volume; ``x`` is the column position on the map.
    """
    if level not in ("touchpoint", "topic"):
        msg = f"the journey map's level must be 'touchpoint' or 'topic' (stages are its columns), got {level!r}"
        raise InvalidArgumentError(msg)
    events = require_scored(js, "journey_map")
    keys = level_keys(events, level)
    f = flags(events)
    keep = f["customer"] & f["scored"]
    frame = pd.DataFrame(
        {
            "stage": events.loc[keep, "stage"].astype("string"),
            "touchpoint": keys[keep].astype(object),
            "valence": f.loc[keep, "valence"],
            "unit": f.loc[keep, "unit"],
        }
    )
    frame["negativity"] = (-frame["valence"]).clip(lower=0)
    interval = MeanInterval(seed=seed, bounds=VALENCE_BOUNDS)
    rows = []
    for (stage, touchpoint), group in frame.groupby(["stage", "touchpoint"], sort=False):  # touchpoint: the level's key
        est = interval(group["valence"].to_numpy(), group["unit"].to_numpy(dtype=object))
        rows.append((stage, touchpoint, len(group), est.mean, float(group["negativity"].sum()), est.low, est.high))
    columns = ["stage", "touchpoint", "volume", "mean_valence", "impact", "ci_low", "ci_high"]
    table = pd.DataFrame(rows, columns=columns).astype(
        {"volume": np.int64, "mean_valence": float, "impact": float, "ci_low": float, "ci_high": float}
    )
    order = {s: i for i, s in enumerate(js.stages.names)}
    table["stage_order"] = table["stage"].map(order)
    table = table.sort_values(["stage_order", "volume"], ascending=[True, False], kind="stable").reset_index(drop=True)
    table["x"] = np.arange(len(table))
    worst = table[(table["mean_valence"] < 0) & (table["volume"] >= min_volume)].nlargest(top_pains, "impact").index
    table["pain_point"] = table.index.isin(worst)
    return table.drop(columns=["stage_order"]).rename(columns={"touchpoint": level})


def stage_shares(js: JourneySet, *, level: str = "touchpoint", top: int | None = 8) -> pd.DataFrame:
    """Share of each dominant emotion per touchpoint (or stage), the ``top`` emotions overall (None: all).

    Rows: stages in order (or touchpoints by volume); columns: emotions, most frequent first;
    rows sum to 1 (other emotions are gathered in ``other``). ``shares.attrs["n"]`` holds each
    row's number of scored messages (a list, in row order), ``shares.attrs["unscored"]`` its
    customer messages left unscored (no valence: another language, no text), and
    ``shares.attrs["unread"]`` the rows left out because none of their messages was scored
    (a dict of their unscored counts, largest first).
    """
    events = require_scored(js, "emotion shares")
    keys = level_keys(events, level)
    customer = (events["actor"].astype("string") == "customer") & events["emotion"].notna()
    frame = pd.DataFrame({level: keys[customer], "emotion": events.loc[customer, "emotion"].astype("string")})
    unscored = unscored_counts(flags(events), keys)
    counts = pd.crosstab(frame[level], frame["emotion"])
    keep = counts.sum().sort_values(ascending=False).index[:top]
    out = counts[keep].copy()
    rest = counts.drop(columns=keep).sum(axis=1)
    if (rest > 0).any():
        out["other"] = rest
    shares = out.div(out.sum(axis=1), axis=0)
    if level == "stage":
        shares = shares.reindex([s for s in js.stages.names if s in shares.index])
    else:
        # touchpoint_summary's order (volume, then mean valence), without its intervals
        stats = events.loc[customer, ["valence"]].groupby(keys[customer], sort=False)["valence"].agg(["size", "mean"])
        order = stats.sort_values(["size", "mean"], ascending=[False, True], kind="stable").index.astype("string")
        shares = shares.loc[order.intersection(shares.index)]
    shares.attrs["n"] = [int(v) for v in out.sum(axis=1).reindex(shares.index).fillna(0)]
    shares.attrs["unscored"] = [int(unscored.get(str(k), 0)) for k in shares.index]
    shown = {str(k) for k in shares.index}
    shares.attrs["unread"] = {str(k): int(v) for k, v in unscored.items() if str(k) not in shown}
    return shares
