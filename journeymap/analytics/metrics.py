"""Per-journey emotional-curve metrics: :func:`journey_metrics`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics._prep import flags, journey_keys, on_journeys, require_scored
from journeymap.analytics._replies import is_system
from journeymap.analytics.automatic import outcome_conversations
from journeymap.backends import dispatch

if TYPE_CHECKING:
    import numpy.typing as npt

    from journeymap.journeys import JourneySet

__all__ = ["journey_metrics"]


@dispatch
def journey_metrics(js: JourneySet) -> pd.DataFrame:
    """One row per journey describing its emotional curve (the valence of the customer's scored steps).

    Columns: ``customer_id``, ``n_steps``, ``n_customer_steps``, ``n_replies`` (brand steps,
    automatic ones included), ``duration``, ``channel_switches`` (changes of channel between
    consecutive steps, such as a move to private messages); over the customer's scored steps (a brand reply scored with
    ``agents=True`` is not part of the curve): ``start_valence``, ``end_valence``,
    ``mean_valence``, ``low_step``/``low_valence`` (the lowest point; first if tied),
    ``high_step``/``high_valence``, ``peak_end`` (mean of the most intense moment, largest
    absolute valence, and the end), ``net_change`` (end - start), ``volatility`` (standard
    deviation of the step-to-step changes; 0 with fewer than three scored steps),
    ``n_negative`` (negative scored steps), ``end_sentiment`` (``"negative"``, ``"neutral"`` or
    ``"positive"``: the last scored step's), ``recovered`` (a negative moment followed by a
    positive end, with a brand reply between them: a bot's counts, a ``system`` event such as
    an auto-acknowledgement or a status change does not), ``time_to_recover`` (from the first
    negative moment to the positive end; 0 where a reply stamped before the message it answers
    puts the end first in time) and ``recovery_known`` (whether the data can tell: a negative
    moment, a brand reply after it, and a scored customer message after that reply; a customer
    who says nothing after the reply, as when a case moves to private messages, may or may not
    have recovered. Recovery rates, in :func:`service_levels`, :func:`journey_variants`,
    :func:`compare_segments` and the report, are over these journeys.) Recovery is read per
    conversation (a thread, split by brand; a row without a thread joins its journey's, and a
    reply naming a message its conversation): a journey by customer that holds several
    recovered where every one that can be told did, and ``time_to_recover`` is then the longest.
    Negative and positive are what each message's ``sentiment`` says (the scorer's decision rule;
    without one, valence below :data:`~journeymap.schema.NEGATIVE_VALENCE`, -0.25, and above
    :data:`~journeymap.schema.POSITIVE_VALENCE`, 0.25). Journeys without scored
    steps get NA in the curve columns.

    Indexed by ``journey_id``, in journey order.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
        >>> m = jm.journey_metrics(js)
        >>> m.index.name, len(m) == len(js)
        ('journey_id', True)
        >>> bool((m["low_valence"] <= m["high_valence"]).all())
        True
        >>> sorted(m["end_sentiment"].unique())
        ['negative', 'neutral', 'positive']
    """
    events = require_scored(js, "journey_metrics")
    # computed once per JourneySet: variants, segments, the reply table and the report reuse it
    return js.cached("journey_metrics", lambda: _journey_metrics(js, events)).copy()


def _first_of_groups(codes: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """The first row (position) of each group code where ``mask`` holds, in order of the codes present."""
    rows = np.flatnonzero(mask)
    _, first = np.unique(codes[rows], return_index=True)
    return rows[first]


def _journey_metrics(js: JourneySet, events: pd.DataFrame) -> pd.DataFrame:
    # Grouped by integer journey codes, not the journey-id strings (hashed again by every groupby);
    # the per-code results are put on the journeys' ids by position.
    codes, positions = journey_keys(js)
    journeys = js.journeys.index

    def per_journey(values: pd.Series) -> pd.Series:
        return on_journeys(values, positions, journeys)

    f = flags(events)
    f["journey_id"] = codes
    f["step"] = events["step"].to_numpy()
    f["channel"] = pd.factorize(events["channel"])[0]  # codes: a missing channel is -1, never an NA to compare
    g = f.groupby("journey_id", sort=False)

    base = pd.DataFrame(
        {
            "customer_id": js.journeys["customer_id"],
            "n_steps": js.journeys["n_steps"],
            "n_customer_steps": per_journey(g["customer"].sum()),
            "n_replies": per_journey(g["brand"].sum()),
            "duration": js.journeys["end"] - js.journeys["start"],
        }
    )
    same_journey = codes[1:] == codes[:-1]
    switch = np.zeros(len(f), dtype=bool)
    switch[1:] = same_journey & (f["channel"].to_numpy()[1:] != f["channel"].to_numpy()[:-1])
    base["channel_switches"] = per_journey(pd.Series(switch, index=f.index).groupby(codes, sort=False).sum())

    # the customer's emotional curve: a brand reply scored with agents=True ("glad we could
    # help!") is no turn of the customer's feelings, so it neither ends nor recovers a journey
    scored = (f["scored"] & f["customer"]).to_numpy(dtype=bool)
    f["pos"] = np.arange(len(f))  # step order (the events are in journey and step order)
    s = f[scored].copy()
    s_codes = codes[scored]
    valence = s["valence"].to_numpy()
    gs = s.groupby("journey_id", sort=False)
    first = gs.head(1).set_index("journey_id")
    last = gs.tail(1).set_index("journey_id")
    # idxmin/idxmax: the first row holding the group's extreme, found by position (no label lookups)
    low = s.iloc[_first_of_groups(s_codes, valence == gs["valence"].transform("min").to_numpy())].set_index("journey_id")
    high = s.iloc[_first_of_groups(s_codes, valence == gs["valence"].transform("max").to_numpy())].set_index("journey_id")
    s["abs"] = s["valence"].abs()
    intense_rows = _first_of_groups(s_codes, s["abs"].to_numpy() == gs["abs"].transform("max").to_numpy())
    intense = s.iloc[intense_rows].set_index("journey_id")
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
    curve["n_negative"] = gs["negative"].sum()
    curve["end_sentiment"] = np.select(
        [last["negative"].to_numpy(dtype=bool), last["positive"].to_numpy(dtype=bool)], ["negative", "positive"], "neutral"
    )

    curve["recovered"], curve["time_to_recover"], curve["recovery_known"] = _recovery(f, curve.index, recovery_of(js))
    out = base.join(curve.reindex(positions).set_axis(journeys), how="left")
    for col in ("recovered", "recovery_known"):
        out[col] = out[col].astype("boolean").fillna(False).astype(bool)
    for col in ("n_customer_steps", "n_replies", "channel_switches"):
        out[col] = out[col].astype(np.int64)
    out["n_negative"] = out["n_negative"].astype("Int64")  # NA: no scored step
    out["end_sentiment"] = out["end_sentiment"].astype("string")
    for col in ("low_step", "high_step"):
        out[col] = out[col].astype("Int64")
    out.index.name = "journey_id"
    return out


@dataclass(frozen=True)
class Recovery:
    """Recovery per conversation: a negative moment, a brand reply, and a positive end, in one conversation.

    Conversations are :class:`~journeymap.analytics._replies.ReplyContext`'s: a journey's thread,
    split by brand where a thread holds several (a journey by customer may hold several threads
    and brands). One brand's reply does not turn around what the customer said to another, and a
    happy end with one brand is no recovery of a complaint to the other.
    """

    conversation: npt.NDArray[np.int64]  # per event: its conversation's code
    # per event: a brand reply after its conversation's first negative moment, before its last scored message
    window: npt.NDArray[np.bool_]
    known: npt.NDArray[np.bool_]  # per conversation: such a reply exists, so the data can tell
    ends_positive: npt.NDArray[np.bool_]  # per conversation: its last scored customer message is positive
    recovered: npt.NDArray[np.bool_]  # per conversation: known, and ends positive
    first_negative: npt.NDArray[np.int64]  # per conversation: position of its first negative message (n: none)
    last_said: npt.NDArray[np.int64]  # per conversation: position of its last scored customer message (-1: none)


def recovery_of(js: JourneySet) -> Recovery:
    """The :class:`Recovery` of ``js``'s conversations, computed once per JourneySet.

    Examples:
        >>> import journeymap as jm
        >>> events = pd.DataFrame({"customer_id": "c", "actor": ["customer", "agent", "customer", "agent"],
        ...     "valence": [-0.8, None, 0.7, None], "timestamp": pd.date_range("2024-01-01", periods=4, freq="h", tz="UTC")})
        >>> rec = recovery_of(jm.build_journeys(events, by="customer"))
        >>> rec.window.tolist(), rec.recovered.tolist()  # the last reply comes after the customer's last word
        ([False, True, False, False], [True])
    """
    return js.cached("recovery", lambda: _recovery_of(js.events, flags(js.events), outcome_conversations(js)))


def _recovery_of(events: pd.DataFrame, f: pd.DataFrame, conversation: npt.NDArray[np.int64]) -> Recovery:
    n = len(events)
    n_codes = int(conversation.max(initial=-1)) + 1
    pos = np.arange(n, dtype=np.int64)
    said = (f["customer"] & f["scored"]).to_numpy(dtype=bool)
    negative = said & f["negative"].to_numpy(dtype=bool)
    first_negative = np.full(n_codes, n, dtype=np.int64)
    np.minimum.at(first_negative, conversation[negative], pos[negative])
    last_said = np.full(n_codes, -1, dtype=np.int64)
    np.maximum.at(last_said, conversation[said], pos[said])
    reply = f["brand"].to_numpy(dtype=bool) & ~is_system(events)
    window = reply & (pos > first_negative[conversation]) & (pos < last_said[conversation])
    known = np.bincount(conversation[window], minlength=n_codes) > 0
    ends_positive = f["positive"].to_numpy(dtype=bool)[np.maximum(last_said, 0)] & (last_said >= 0)
    return Recovery(conversation, window, known, ends_positive, known & ends_positive, first_negative, last_said)


def _recovery(f: pd.DataFrame, index: pd.Index, rec: Recovery) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per journey code (``index``): recovered, the time it took, and whether it can be told.

    Per conversation (:class:`Recovery`): the first negative moment, then a brand reply, then a
    positive end, in step order (a reply stamped at the same second as the message it answers
    still comes between); it can be told where a reply follows a negative moment and the
    customer wrote after it. A journey can be told where one of its conversations can, and
    recovered where every one that can be told recovered (a journey by customer may hold a
    recovered conversation with one brand and a lost one with another: that is no recovered
    journey); the time is the longest of them, from a conversation's first negative moment to
    its positive end. ``f`` are the events' flags with integer journey codes.
    """
    journey = f["journey_id"].to_numpy()
    t = f["t"].to_numpy()
    of_conversation = np.full(len(rec.known), -1, dtype=np.int64)
    of_conversation[rec.conversation] = journey
    told = np.flatnonzero(rec.known)
    per = pd.DataFrame({"journey": of_conversation[told], "recovered": rec.recovered[told]})
    g = per.groupby("journey", sort=False)["recovered"]
    known = pd.Series(True, index=g.size().index).reindex(index).fillna(False).astype(bool)
    recovered = g.all().reindex(index).fillna(False).astype(bool) & known
    done = np.flatnonzero(rec.recovered)
    took = pd.Series(t[rec.last_said[done]] - t[rec.first_negative[done]], index=of_conversation[done])
    ttr = pd.to_timedelta(took.groupby(level=0).max().reindex(index), unit="ns").where(recovered)
    # a reply stamped before the message it answers (clock skew) sorts after it, as its step:
    # the time to recover is then 0, as a reply wait is, never negative
    return recovered, ttr.mask(ttr < pd.Timedelta(0), pd.Timedelta(0)), known
