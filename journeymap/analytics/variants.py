"""The most common paths through the journeys: :func:`journey_variants`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics._graph import step_keys
from journeymap.analytics._prep import flags, journey_keys, require_scored
from journeymap.analytics._replies import is_system
from journeymap.analytics._tables import ranked
from journeymap.analytics.automatic import outcome_conversations, reply_context
from journeymap.analytics.metrics import conversation_ends
from journeymap.analytics.service import unseen_outcomes
from journeymap.backends import dispatch

if TYPE_CHECKING:
    from journeymap.analytics._levels import Level
    from journeymap.journeys import JourneySet

__all__ = ["journey_variants"]


@dispatch
def journey_variants(js: JourneySet, *, level: Level = "touchpoint", top: int | None = 10) -> pd.DataFrame:
    """The most common paths (sequences of touchpoints, stages or topics) and their emotional profile.

    Every journey counts in ``journeys`` and ``share``; the valence columns are over its scored
    journeys (NaN for a path none of whose journeys has a score).
    Indexed by ``variant`` (the path, ``"a > b > c"``); columns ``rank``, ``journeys``,
    ``share``, ``mean_start_valence``, ``mean_end_valence``, ``recovery_rate`` (of the journeys
    whose recovery can be told, :func:`journey_metrics`' ``recovery_known``: a negative moment,
    a reply, and the customer's word after it, the share that recovered; NaN where none can) and ``drop_off``:
    the share with a conversation (a thread, split by brand: a journey by customer may hold
    several) that ended on a customer message, with no brand reply after it (a ``system``
    event, such as an auto-acknowledgement, is none), and whose end was not positive (the
    customer's last scored message there: its ``sentiment``, or valence above
    :data:`~journeymap.schema.POSITIVE_VALENCE`, 0.25), i.e. left unresolved rather than closed
    with thanks; a conversation whose last message's outcome the data does not show (moved to
    private messages, answered outside the data, addressed to no brand: :func:`triage`'s
    statuses) counts neither way (NaN where every journey of a path is such). The ``top`` most common first (None: all).

    With ``level="topic"`` a path lists the subjects a journey went through, each run of one
    topic once (``"billing > refund"``, not ``"billing > billing > refund"``): a brand reply takes
    the topic of the message it answers (:func:`~journeymap.analytics._levels.level_keys`), so
    repeats would only count the replies. Touchpoint and stage paths keep every step, as a
    process-mining variant does.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
        >>> variants = jm.journey_variants(js, level="stage", top=None)
        >>> variants.index[0].startswith("contact"), int(variants["journeys"].sum()) == len(js)
        (True, True)
    """
    from journeymap.analytics.metrics import journey_metrics

    require_scored(js, "journey_variants")  # the profile is the journeys' valence
    keys = step_keys(js.events, level).to_numpy(dtype=object)
    # Events are sorted by journey: concatenate each journey's run of "key > " in one reduceat.
    starts = np.r_[0, np.cumsum(js.journeys["n_steps"].to_numpy())[:-1]] if len(js) else np.array([], dtype=int)
    if level == "topic" and len(keys):
        # a reply takes the topic of the message it answers, so a run of one topic is one subject,
        # not several steps: keep each journey's first step and every change of topic
        keep = np.ones(len(keys), dtype=bool)
        keep[1:] = keys[1:] != keys[:-1]
        keep[starts] = True
        kept = np.flatnonzero(keep)
        keys, starts = keys[kept], np.searchsorted(kept, starts)
    joined = np.add.reduceat(keys + " > ", starts) if len(js) else np.array([], dtype=object)
    path = pd.Series(joined, index=js.journeys.index, dtype=object).str[:-3]
    m = journey_metrics(js)
    drop_off = _drop_offs(js)
    curve = m[["start_valence", "end_valence", "recovered", "recovery_known"]]
    frame = pd.DataFrame({"variant": path, "dropped": drop_off}).join(curve)
    # recovery: of the journeys where it can be told (a negative moment, a reply, and the
    # customer's word after it), as service_levels
    frame["recovered"] = frame["recovered"].astype("float64").where(frame["recovery_known"])
    g = frame.groupby("variant", sort=False)
    out = pd.DataFrame(
        {
            "journeys": g.size(),
            "mean_start_valence": g["start_valence"].mean(),
            "mean_end_valence": g["end_valence"].mean(),
            "recovery_rate": g["recovered"].mean(),
            "drop_off": g["dropped"].mean(),
        }
    )
    out["share"] = out["journeys"] / len(frame)
    out = out.sort_index().sort_values(["journeys"], ascending=False, kind="stable")  # ties by name
    out.index = out.index.astype("str")  # str without journeys too (the paths are an object column)
    columns = ["journeys", "share", "mean_start_valence", "mean_end_valence", "recovery_rate", "drop_off"]
    return ranked(out[columns], top)


def _drop_offs(js: JourneySet) -> pd.Series:
    """Per journey (``js.journeys`` order): 1.0 where a conversation of it was dropped, 0.0 where none was, NaN where unknown.

    A conversation (:class:`~journeymap.analytics._replies.ReplyContext`'s: a thread, split by
    brand; a journey by customer holds several) is dropped when it ends on a customer message, with no
    brand reply after it (a ``system`` event, such as an auto-acknowledgement, is none), and its
    end is not positive: its customer's last scored message is not positive or not after its
    last reply ("sorted, thank you!" then an unscored thumbs-up closed the case; an unscored
    message after the last reply is not known to be positive). Where that last message was moved
    to private messages, answered outside the data or addressed to no brand (triage's statuses)
    the data shows neither, so such a conversation counts only if another one decides.
    """
    events = js.events
    ctx = reply_context(js)
    conversation = outcome_conversations(js)
    last_said, ends_positive = conversation_ends(flags(events), conversation)
    n_codes = len(last_said)
    pos = np.arange(len(events), dtype=np.int64)
    speaking = ~is_system(events)
    last_step = np.full(n_codes, -1, dtype=np.int64)
    np.maximum.at(last_step, conversation[speaking], pos[speaking])
    reply = ~ctx.customer & speaking
    last_reply = np.full(n_codes, -1, dtype=np.int64)
    np.maximum.at(last_reply, conversation[reply], pos[reply])
    positive_end = (last_said > last_reply) & ends_positive
    has_step = last_step >= 0
    dropped = has_step & ctx.customer[np.maximum(last_step, 0)] & ~positive_end
    unknown = dropped & unseen_outcomes(js)[np.maximum(last_step, 0)]
    journey = np.full(n_codes, -1, dtype=np.int64)
    journey[conversation] = ctx.journey
    per = pd.DataFrame({"journey": journey, "dropped": dropped & ~unknown, "unknown": unknown})[has_step]
    g = per.groupby("journey", sort=False)
    any_dropped, any_unknown = g["dropped"].any(), g["unknown"].any()
    value = any_dropped.astype("float64").where(any_dropped | ~any_unknown)
    positions = journey_keys(js)[1]
    # a journey of system events only ended on no one: not dropped
    present = np.isin(positions, value.index.to_numpy())
    return pd.Series(np.where(present, value.reindex(positions).to_numpy(), 0.0), index=js.journeys.index)
