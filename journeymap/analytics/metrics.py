"""Per-journey emotional-curve metrics: :func:`journey_metrics`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics._prep import flags, require_scored
from journeymap.backends import dispatch

if TYPE_CHECKING:
    from journeymap.journeys import JourneySet

__all__ = ["journey_metrics"]


@dispatch
def journey_metrics(js: JourneySet) -> pd.DataFrame:
    """One row per journey describing its emotional curve (the scored steps' valence).

    Columns: ``customer_id``, ``n_steps``, ``n_customer_steps``, ``n_replies`` (brand steps),
    ``duration``, ``channel_switches`` (changes of channel between consecutive steps, such as a
    move to private messages); over the scored steps: ``start_valence``, ``end_valence``,
    ``mean_valence``, ``low_step``/``low_valence`` (the lowest point; first if tied),
    ``high_step``/``high_valence``, ``peak_end`` (mean of the most intense moment, largest
    absolute valence, and the end), ``net_change`` (end - start), ``volatility`` (standard
    deviation of the step-to-step changes; 0 with fewer than three scored steps),
    ``recovered`` (a negative moment followed by a positive end, with a brand reply between
    them) and ``time_to_recover`` (from the first negative moment to the positive end).
    Negative and positive mean valence below :data:`~journeymap.schema.NEGATIVE_VALENCE` (-0.25)
    and above :data:`~journeymap.schema.POSITIVE_VALENCE` (0.25). Journeys without scored
    steps get NA in the curve columns.

    Indexed by ``journey_id``, in journey order.

    Example:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
        >>> m = jm.journey_metrics(js)
        >>> m.index.name, len(m) == len(js)
        ('journey_id', True)
        >>> bool((m["low_valence"] <= m["high_valence"]).all())
        True
    """
    events = require_scored(js, "journey_metrics")
    # computed once per JourneySet: variants, segments, the reply table and the report reuse it
    return js.cached("journey_metrics", lambda: _journey_metrics(js, events)).copy()


def _journey_metrics(js: JourneySet, events: pd.DataFrame) -> pd.DataFrame:
    f = flags(events)
    f["step"] = events["step"].to_numpy()
    f["channel"] = pd.factorize(events["channel"])[0]  # codes: a missing channel is -1, never an NA to compare
    g = f.groupby("journey_id", sort=False)

    base = pd.DataFrame(
        {
            "customer_id": js.journeys["customer_id"],
            "n_steps": js.journeys["n_steps"],
            "n_customer_steps": g["customer"].sum(),
            "n_replies": g["brand"].sum(),
            "duration": js.journeys["end"] - js.journeys["start"],
        }
    )
    same_journey = f["journey_id"].to_numpy()[1:] == f["journey_id"].to_numpy()[:-1]
    switch = np.zeros(len(f), dtype=bool)
    switch[1:] = same_journey & (f["channel"].to_numpy()[1:] != f["channel"].to_numpy()[:-1])
    base["channel_switches"] = pd.Series(switch, index=f.index).groupby(f["journey_id"], sort=False).sum()

    s = f[f["scored"]].copy()
    gs = s.groupby("journey_id", sort=False)
    first = gs.head(1).set_index("journey_id")
    last = gs.tail(1).set_index("journey_id")
    low = s.loc[gs["valence"].idxmin()].set_index("journey_id")
    high = s.loc[gs["valence"].idxmax()].set_index("journey_id")
    s["abs"] = s["valence"].abs()
    intense = s.loc[s.groupby("journey_id", sort=False)["abs"].idxmax()].set_index("journey_id")
    s["delta"] = gs["valence"].diff()
    curve = pd.DataFrame(
        {
            "start_valence": first["valence"],
            "end_valence": last["valence"],
            "mean_valence": gs["valence"].mean(),
            "low_step": low["step"],
            "low_valence": low["valence"],
            "high_step": high["step"],
            "high_valence": high["valence"],
            "peak_end": (intense["valence"] + last["valence"]) / 2,
        }
    )
    curve["net_change"] = curve["end_valence"] - curve["start_valence"]
    curve["volatility"] = s.groupby("journey_id", sort=False)["delta"].std(ddof=0).fillna(0.0)

    # Recovery: the first negative moment, then a brand reply, then a positive end.
    first_neg_t = s[s["negative"]].groupby("journey_id", sort=False)["t"].min()
    brand = f.loc[f["brand"], ["journey_id", "t"]]
    neg_t = brand["journey_id"].map(first_neg_t).to_numpy(dtype=np.float64)
    end_of = brand["journey_id"].map(last["t"]).to_numpy(dtype=np.float64)
    between = (brand["t"].to_numpy(dtype=np.float64) > neg_t) & (brand["t"].to_numpy(dtype=np.float64) < end_of)
    has_reply = pd.Series(True, index=pd.Index(brand.loc[between, "journey_id"].unique()), dtype=bool)
    end_t = last["t"]
    recovered = (
        last["positive"].reindex(curve.index).fillna(False).astype(bool)
        & first_neg_t.reindex(curve.index).notna()
        & has_reply.reindex(curve.index).fillna(False).astype(bool)
    )
    curve["recovered"] = recovered
    ttr = pd.to_timedelta(end_t.reindex(curve.index) - first_neg_t.reindex(curve.index), unit="ns")
    curve["time_to_recover"] = ttr.where(recovered)
    out = base.join(curve, how="left")
    out["recovered"] = out["recovered"].astype("boolean").fillna(False).astype(bool)
    for col in ("n_customer_steps", "n_replies", "channel_switches"):
        out[col] = out[col].astype(np.int64)
    for col in ("low_step", "high_step"):
        out[col] = out[col].astype("Int64")
    out.index.name = "journey_id"
    return out
