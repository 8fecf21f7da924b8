"""The most common paths through the journeys: :func:`journey_variants`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics._graph import step_keys
from journeymap.analytics._prep import flags, journey_keys, require_scored
from journeymap.analytics._replies import is_system
from journeymap.analytics._tables import ranked
from journeymap.analytics.service import unseen_outcomes
from journeymap.backends import dispatch

if TYPE_CHECKING:
    import numpy.typing as npt

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
    the share that ended on a customer message, with no brand reply after it (a ``system``
    event, such as an auto-acknowledgement, is none), and whose end was not positive (the
    customer's last scored message, as :func:`~journeymap.journey_metrics`' ``end_sentiment``:
    its ``sentiment``, or valence above :data:`~journeymap.schema.POSITIVE_VALENCE`, 0.25), i.e.
    left unresolved rather than closed with thanks; a journey whose last message's outcome the
    data does not show (moved to private messages, answered outside the data, addressed to no
    brand: :func:`triage`'s statuses) counts neither way (NaN where every journey of a path is
    such). The ``top`` most common first (None: all).

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
    # a system event after the customer's last message (an auto-acknowledgement) is no reply
    speaking = js.events[~is_system(js.events)]
    ends = speaking.loc[~speaking["journey_id"].duplicated(keep="last"), ["journey_id", "actor"]]
    last = ends.set_index("journey_id").reindex(js.journeys.index)
    m = journey_metrics(js)
    # ended on the customer, and not positive: the customer's last scored message (end_sentiment,
    # as for recovered) decides where it came after the last reply ("sorted, thank you!" then an
    # unscored thumbs-up closed the case); an unscored message after the last reply is not known
    # to be positive, so it is a drop-off
    positive_end = (m["end_sentiment"] == "positive").fillna(False).to_numpy(dtype=bool) & _scored_after_replies(js)
    dropped = (last["actor"].astype("string") == "customer").fillna(False).astype(bool) & ~positive_end
    # a last message, not positive, moved to private messages, answered outside the data or
    # addressed to no brand (triage's statuses): the data does not show a drop-off, nor its absence
    unseen = pd.Series(
        unseen_outcomes(js)[~is_system(js.events)][~speaking["journey_id"].duplicated(keep="last").to_numpy()],
        index=ends["journey_id"].to_numpy(),
    )
    unknown = unseen.reindex(js.journeys.index).fillna(False).astype(bool).to_numpy() & dropped.to_numpy(dtype=bool)
    drop_off = dropped.astype("float64").where(~unknown)
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
    columns = ["journeys", "share", "mean_start_valence", "mean_end_valence", "recovery_rate", "drop_off"]
    return ranked(out[columns], top)


def _scored_after_replies(js: JourneySet) -> npt.NDArray[np.bool_]:
    """Per journey (``js.journeys`` order): whether its customer's last scored message comes after its last brand reply.

    A journey without replies counts as after; ``system`` events (auto-acknowledgements) are no replies.
    """
    codes, positions = journey_keys(js)
    f = flags(js.events)
    pos = np.arange(len(f), dtype=np.int64)
    n_codes = int(codes.max(initial=-1)) + 1
    reply = f["brand"].to_numpy(dtype=bool) & ~is_system(js.events)
    scored = (f["customer"] & f["scored"]).to_numpy(dtype=bool)
    last_reply = np.full(n_codes, -1, dtype=np.int64)
    last_scored = np.full(n_codes, -1, dtype=np.int64)
    np.maximum.at(last_reply, codes[reply], pos[reply])
    np.maximum.at(last_scored, codes[scored], pos[scored])
    safe = np.maximum(positions, 0)
    return (positions >= 0) & (last_scored[safe] > last_reply[safe])
