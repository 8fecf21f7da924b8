"""Per-journey emotional-curve metrics: :func:`journey_metrics`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap.analytics._durations import durations_between
from journeymap.analytics._prep import flags, journey_keys, on_journeys, require_scored
from journeymap.analytics._replies import is_system
from journeymap.analytics.automatic import reply_context
from journeymap.backends import dispatch

if TYPE_CHECKING:
    import numpy.typing as npt

    from journeymap.analytics._replies import ReplyContext
    from journeymap.journeys import JourneySet

__all__ = ["journey_metrics"]


@dispatch
def journey_metrics(js: JourneySet) -> pd.DataFrame:
    """One row per journey describing its emotional curve (the valence of the customer's scored steps).

    Columns: ``customer_id``, ``n_steps``, ``n_customer_steps``, ``n_scored_steps`` (the
    customer's steps with a valence: those the curve is drawn from; fewer than
    ``n_customer_steps`` where some were not scored, such as a text in a language no scorer
    given reads or a message without text, whose ``score_note`` says why; then the curve, its
    end included, is that of the scored ones, and the journey's last message may be unread),
    ``n_replies`` (brand steps, automatic ones included), ``duration``, ``channel_switches`` (changes of channel between
    consecutive steps, such as a move to private messages); over the customer's scored steps (a brand reply scored with
    ``agents=True`` is not part of the curve): ``start_valence``, ``end_valence``,
    ``mean_valence``, ``low_step``/``low_valence`` (the lowest point; first if tied),
    ``high_step``/``high_valence``, ``peak_end`` (mean of the most intense moment, largest
    absolute valence, and the end), ``net_change`` (end - start), ``volatility`` (the
    population standard deviation, ``ddof=0``, of the step-to-step changes of valence between
    consecutive scored customer steps: how much the curve swings, not an estimate of a wider
    population's spread; pandas' ``.diff().std()`` uses ``ddof=1`` and reads larger by a factor of
    sqrt(n / (n - 1)) for n changes; 0 with fewer than three scored steps),
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
    brand of the journey (its conversations with the brand: a thread, split by brand where two
    brands reply in one; by customer, the customer's threads with one brand together, so a
    complaint, the reply and a new tweet "all fixed, thank you!" to the brand recovered; a row
    without a thread joins its journey's): one brand's happy end is no recovery of a complaint to
    another, and a brand's reply to a tweet addressed to two brands follows that tweet's
    negative moment in its own brand's conversation too. A journey is recovered where every
    brand's that can be told recovered *and* the journey ends positive (``end_sentiment``: a
    recovered thread followed by a new complaint nobody answered is no recovered journey);
    ``time_to_recover`` is then the longest. By customer a brand's unit ends with the customer's
    last scored message to it, in any thread: a neutral question days after a recovered complaint
    leaves the unit and the journey ending neutral, so not recovered (by thread the complaint's
    thread is recovered and the question's has no negative moment).
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
        >>> bool((m["n_scored_steps"] == m["n_customer_steps"]).all())  # planted scores: every customer step scored
        True
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
    f["read"] = f["customer"] & f["scored"]  # the customer's steps on the curve
    g = f.groupby("journey_id", sort=False)

    base = pd.DataFrame(
        {
            "customer_id": js.journeys["customer_id"],
            "n_steps": js.journeys["n_steps"],
            "n_customer_steps": per_journey(g["customer"].sum()),
            "n_scored_steps": per_journey(g["read"].sum()),
            "n_replies": per_journey(g["brand"].sum()),
            "duration": pd.Series(durations_between(js.journeys["end"], js.journeys["start"]), index=js.journeys.index),
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

    ends_positive = pd.Series(last["positive"].to_numpy(dtype=bool), index=last.index)
    curve["recovered"], curve["time_to_recover"], curve["recovery_known"] = _recovery(
        f, curve.index, recovery_of(js), ends_positive
    )
    out = base.join(curve.reindex(positions).set_axis(journeys), how="left")
    for col in ("recovered", "recovery_known"):
        out[col] = out[col].astype("boolean").fillna(False).astype(bool)
    for col in ("n_customer_steps", "n_scored_steps", "n_replies", "channel_switches"):
        out[col] = out[col].astype(np.int64)
    out["n_negative"] = out["n_negative"].astype("Int64")  # NA: no scored step
    out["end_sentiment"] = out["end_sentiment"].astype("string")
    for col in ("low_step", "high_step"):
        out[col] = out[col].astype("Int64")
    out.index.name = "journey_id"
    return out


@dataclass(frozen=True)
class Recovery:
    """Recovery per unit: a negative moment, a brand reply, and a positive end, with one brand in one journey.

    A unit is a journey's conversations (:class:`~journeymap.analytics._replies.ReplyContext`'s:
    threads, split by brand where a thread holds several) with one brand (:func:`recovery_units`):
    in a journey by customer the threads with one brand are one unit, so a complaint, the brand's
    reply and a new tweet "all fixed now, thank you!" to the brand recover. One brand's reply
    does not turn around what the customer said to another, and a happy end with one brand is no
    recovery of a complaint to the other. A brand reply that answers a customer message of
    another unit (a tweet addressed to two brands sits in the conversation of the first to
    answer; the second answers it too) takes that message as a negative moment before it in its
    own unit (``window``: what its brand is credited with), and is a reply between that
    message and the customer's word after it in the message's unit as well (``window_named``:
    that unit can be told, but the happy end there is the other brand's, no credit of the reply's).
    """

    conversation: npt.NDArray[np.int64]  # per event: its unit's code
    # per event: a brand reply after its unit's first negative moment, before its last scored message
    window: npt.NDArray[np.bool_]
    known: npt.NDArray[np.bool_]  # per unit: such a reply exists, so the data can tell
    ends_positive: npt.NDArray[np.bool_]  # per unit: its last scored customer message is positive
    recovered: npt.NDArray[np.bool_]  # per unit: known, and ends positive
    first_negative: npt.NDArray[np.int64]  # per unit: position of its first negative moment (n: none)
    last_said: npt.NDArray[np.int64]  # per unit: position of its last scored customer message (-1: none)
    # per event: the unit of the customer message a brand reply answers where that is another unit (-1: none)
    named: npt.NDArray[np.int64]
    window_named: npt.NDArray[np.bool_]  # per event: ``window``, read in the ``named`` unit


def recovery_of(js: JourneySet) -> Recovery:
    """The :class:`Recovery` of ``js``'s units, computed once per JourneySet.

    Examples:
        >>> import journeymap as jm
        >>> events = pd.DataFrame({"customer_id": "c", "actor": ["customer", "agent", "customer", "agent"],
        ...     "valence": [-0.8, None, 0.7, None], "timestamp": pd.date_range("2024-01-01", periods=4, freq="h", tz="UTC")})
        >>> rec = recovery_of(jm.build_journeys(events, by="customer"))
        >>> rec.window.tolist(), rec.recovered.tolist()  # the last reply comes after the customer's last word
        ([False, True, False, False], [True])
    """

    def compute() -> Recovery:
        ctx = reply_context(js)
        return _recovery_of(js.events, flags(js.events), recovery_units(js.events, ctx), ctx.answered)

    return js.cached("recovery", compute)


def recovery_units(events: pd.DataFrame, ctx: ReplyContext) -> npt.NDArray[np.int64]:
    """Per event, the code of its recovery unit: its journey's conversations with one brand.

    The conversations are ``ctx.outcome_conversations(follow_named=False)`` (a brand reply stays
    in its own brand's conversation). A conversation's brand is the first ``brand`` its rows
    name; one that names none is with its journey's brand where the journey has one (or none:
    without a ``brand`` column a journey is one unit), and a unit of its own where it has
    several. By thread a journey's units are its conversations; by customer, the threads with one
    brand are one unit.

    Examples:
        >>> from journeymap.analytics._replies import ReplyContext
        >>> events = pd.DataFrame({"journey_id": "j", "thread_id": ["1", "1", "2", "3", "3"],
        ...     "brand": ["A", "A", "A", "B", "B"], "actor": ["customer", "agent", "customer", "customer", "agent"],
        ...     "event_id": list("12345"), "timestamp": pd.date_range("2024-01-01", periods=5, freq="h")})
        >>> recovery_units(events, ReplyContext.of(events)).tolist()
        [0, 0, 0, 1, 1]
        >>> recovery_units(events.drop(columns="brand"), ReplyContext.of(events.drop(columns="brand"))).tolist()
        [0, 0, 0, 0, 0]
    """
    base = ctx.outcome_conversations(follow_named=False)
    if not len(base):
        return base
    n_conv = int(base.max()) + 1
    journey_of = np.zeros(n_conv, dtype=np.int64)
    journey_of[base] = ctx.journey
    if "brand" in events.columns:
        brand = pd.factorize(events["brand"].astype("string"))[0].astype(np.int64)  # NA is -1
    else:
        brand = np.full(len(base), -1, dtype=np.int64)
    # the conversation's brand: the first its rows name (in step order); -1 where none does
    first = pd.Series(np.where(brand >= 0, brand, np.nan)).groupby(base, sort=False).first()
    conv_brand = first.reindex(np.arange(n_conv)).fillna(-1).to_numpy(dtype=np.int64)
    named = conv_brand >= 0
    per_journey = pd.DataFrame({"journey": journey_of[named], "brand": conv_brand[named]}).drop_duplicates()
    n_brands = np.bincount(per_journey["journey"].to_numpy(dtype=np.int64), minlength=int(journey_of.max()) + 1)
    only = np.full(len(n_brands), -1, dtype=np.int64)
    single = per_journey[n_brands[per_journey["journey"].to_numpy(dtype=np.int64)] == 1]
    only[single["journey"].to_numpy(dtype=np.int64)] = single["brand"].to_numpy(dtype=np.int64)
    # a conversation of no brand: its journey's only brand, else (no brand known) the journey's one
    # brandless unit, else (several brands) a unit of its own
    # (keys: the brand codes, then one for "no brand", then one per conversation)
    no_brand = int(brand.max(initial=-1)) + 1
    of_journey = only[journey_of]
    slot = np.where(of_journey >= 0, of_journey, np.where(n_brands[journey_of] > 1, no_brand + 1 + np.arange(n_conv), no_brand))
    key = journey_of * (no_brand + 1 + n_conv) + np.where(named, conv_brand, slot)
    return pd.factorize(key[base])[0].astype(np.int64)


def _recovery_of(events: pd.DataFrame, f: pd.DataFrame, unit: npt.NDArray[np.int64], answered: npt.NDArray[np.int64]) -> Recovery:
    """:class:`Recovery` of the ``unit`` codes; ``answered`` is the customer message each row answers (-1: none)."""
    n = len(events)
    n_codes = int(unit.max(initial=-1)) + 1
    pos = np.arange(n, dtype=np.int64)
    said = (f["customer"] & f["scored"]).to_numpy(dtype=bool)
    negative = said & f["negative"].to_numpy(dtype=bool)
    reply = f["brand"].to_numpy(dtype=bool) & ~is_system(events)
    first_negative = np.full(n_codes, n, dtype=np.int64)
    np.minimum.at(first_negative, unit[negative], pos[negative])
    # a reply comes after the message it answers, in whatever unit that sits: a negative one is a
    # negative moment of the reply's unit too (a tweet to two brands, answered by the second)
    answering = reply & (answered >= 0)
    answering[answering] = negative[answered[answering]]
    np.minimum.at(first_negative, unit[answering], answered[answering])
    last_said, ends_positive = conversation_ends(f, unit)
    window = reply & (pos > first_negative[unit]) & (pos < last_said[unit])
    # ... and the reply is read in the answered message's unit as well (the customer's word after
    # it there: "brand B answered my tweet to A and B", then more to A)
    named = np.where(reply & (answered >= 0), unit[np.maximum(answered, 0)], -1)
    named = np.where(named == unit, -1, named)
    other = np.maximum(named, 0)
    window_named = (named >= 0) & (pos > first_negative[other]) & (pos < last_said[other])
    known = (np.bincount(unit[window], minlength=n_codes) + np.bincount(named[window_named], minlength=n_codes)) > 0
    return Recovery(
        conversation=unit,
        window=window,
        known=known,
        ends_positive=ends_positive,
        recovered=known & ends_positive,
        first_negative=first_negative,
        last_said=last_said,
        named=named,
        window_named=window_named,
    )


def conversation_ends(f: pd.DataFrame, codes: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Per code of ``codes`` (per event): the position of its last scored customer message (-1: none), and if it is positive.

    ``f`` are the events' flags (:func:`~journeymap.analytics._prep.flags`).

    Examples:
        >>> f = pd.DataFrame({"customer": [True, False, True, True], "scored": [True, False, True, False],
        ...     "positive": [False, False, True, False]})
        >>> [a.tolist() for a in conversation_ends(f, np.array([0, 0, 0, 1]))]
        [[2, -1], [True, False]]
    """
    n_codes = int(codes.max(initial=-1)) + 1
    said = (f["customer"] & f["scored"]).to_numpy(dtype=bool)
    last_said = np.full(n_codes, -1, dtype=np.int64)
    np.maximum.at(last_said, codes[said], np.flatnonzero(said))
    ends_positive = f["positive"].to_numpy(dtype=bool)[np.maximum(last_said, 0)] & (last_said >= 0)
    return last_said, ends_positive


def _recovery(f: pd.DataFrame, index: pd.Index, rec: Recovery, end_positive: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per journey code (``index``): recovered, the time it took, and whether it can be told.

    Per unit (:class:`Recovery`: a journey's conversations with one brand): the first negative
    moment, then a brand reply, then a positive end, in step order (a reply stamped at the same
    second as the message it answers still comes between); it can be told where a reply follows
    a negative moment and the customer wrote after it. A journey can be told where one of its
    units can, and recovered where every one that can be told recovered (a journey by customer
    may hold a recovered conversation with one brand and a lost one with another: that is no
    recovered journey) and the journey ends positive (``end_positive``, per journey code: its
    last scored customer message; a recovered thread followed by a new complaint nobody answered
    is no recovered journey); the time is the longest of them, from a unit's first negative
    moment to its positive end. ``f`` are the events' flags with integer journey codes.
    """
    journey = f["journey_id"].to_numpy()
    t = f["t"].to_numpy()
    of_conversation = np.full(len(rec.known), -1, dtype=np.int64)
    of_conversation[rec.conversation] = journey
    told = np.flatnonzero(rec.known)
    per = pd.DataFrame({"journey": of_conversation[told], "recovered": rec.recovered[told]})
    g = per.groupby("journey", sort=False)["recovered"]
    # reindex(fill_value=False), never reindex().fillna(False): the NaN a plain reindex puts in
    # makes an object column, whose fillna pandas 2.2/2.3 warns it will stop downcasting
    known = pd.Series(True, index=g.size().index).reindex(index, fill_value=False).astype(bool)
    ends = end_positive.reindex(index, fill_value=False).astype(bool)
    recovered = g.all().reindex(index, fill_value=False).astype(bool) & known & ends
    done = np.flatnonzero(rec.recovered)
    # durations_between: more than 292 years (a mistyped year) is no int64 wraparound
    took = pd.Series(durations_between(t[rec.last_said[done]], t[rec.first_negative[done]]), index=of_conversation[done])
    ttr = took.groupby(level=0).max().reindex(index).where(recovered)
    # a reply stamped before the message it answers (clock skew) sorts after it, as its step:
    # the time to recover is then 0, as a reply wait is, never negative
    return recovered, ttr.mask(ttr < pd.Timedelta(0), pd.Timedelta(0)), known
