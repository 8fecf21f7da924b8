"""Service metrics: reply waits, :func:`response_times` and :func:`triage`."""

from __future__ import annotations

import logging
import re
import warnings
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from journeymap._warnings import user_stacklevel
from journeymap.analytics._checks import check_timestamp
from journeymap.analytics._durations import durations_between, ns_between
from journeymap.analytics._prep import flag_column, flags, journey_keys, on_journeys, require_journeys, require_scored
from journeymap.analytics._replies import ReplyContext, brand_of, is_customer, journey_codes, opened_outside, thread_codes
from journeymap.analytics._tables import ranked
from journeymap.analytics.automatic import AutoReplyRule, check_auto, outcome_conversations, reply_context, rule_flags, rule_key
from journeymap.backends import dispatch
from journeymap.emotions.taxonomy import GOEMOTIONS_INTENSE
from journeymap.exceptions import InvalidArgumentError, SchemaError
from journeymap.io._regex import contains
from journeymap.io._values import localize_naive
from journeymap.journeys._table import id_ranks
from journeymap.schema import (
    CLOSED,
    DM_PATTERN,
    DM_REQUEST,
    NEGATIVE_VALENCE,
    REPLY_OUTSIDE_DATA,
    REPLY_TOUCHPOINTS,
    SCORE_PREFIX,
    score_column,
)

if TYPE_CHECKING:
    import datetime as dt

    import numpy.typing as npt

    from journeymap.journeys import JourneySet

logger = logging.getLogger(__name__)

__all__ = [
    "CLOSING_VALENCE",
    "INTENSE_LABELS",
    "NOTED_INTENSITY",
    "TRIAGE_WEIGHTS",
    "automatic_mask",
    "check_bots",
    "conversation_openings",
    "customers_only",
    "dm_requests",
    "end_of_data",
    "excluded_replies",
    "reply_waits",
    "response_times",
    "triage",
]

#: The high-arousal negative GoEmotions labels (anger, fear, ...), kept for compatibility: triage
#: reads the intense labels of the scores' own taxonomy (``js.taxonomy.intense_labels``), which
#: are these for GoEmotions scores.
INTENSE_LABELS: tuple[str, ...] = GOEMOTIONS_INTENSE
#: An intensity above this is named in triage's reason.
NOTED_INTENSITY = 0.3
#: Weights of the triage priority's parts (they sum to 1); see :func:`triage` for each part.
TRIAGE_WEIGHTS: dict[str, float] = {"negativity": 0.4, "intensity": 0.25, "waiting": 0.25, "repetition": 0.1}


def _next_reply_time(replier: npt.NDArray[np.bool_], ctx: ReplyContext) -> np.ndarray:
    """For every step, the time of the next ``replier`` step in its conversation (or -1).

    Rows are in journey and step order; a conversation is a journey, or a thread within one
    (its rows may interleave with another's; see :meth:`ReplyContext.first_after`). The next
    reply *step*, not the earliest later stamp: a reply stamped before the message it answers
    (clock skew) steps after that message and must not pass for the answer to an earlier one.
    """
    if len(ctx.t) == 0:
        return np.zeros(0, dtype=np.int64)
    nxt = ctx.next_reply(replier)
    return np.where(nxt >= 0, ctx.t[np.maximum(nxt, 0)], -1)


#: A customer message after a human brand reply closes the case (triage ``status="closing"``)
#: when its valence is at least this: clearly positive, not only above the positive cut.
CLOSING_VALENCE = 0.5


def customers_only(events: pd.DataFrame) -> bool:
    """Whether the events hold customer messages only and mark no reply outside the data (a survey, a feedback form)."""
    return bool(len(events) and is_customer(events).all() and not flag_column(events, REPLY_OUTSIDE_DATA, default=False).any())


def warn_customers_only(events: pd.DataFrame, what: str) -> None:
    """Warn where the events hold customer messages only: a survey or feedback export, where nobody answers.

    Every message then counts as unanswered, which is true of a brand that ignores everyone and
    meaningless for a source that records no replies; the data cannot tell which, so say so.
    (Where the source marks replies outside the data, ``reply_outside_data``, it records replies:
    no warning.)
    """
    if customers_only(events):
        warnings.warn(
            f"{what}: the data holds customer messages only (no agent, bot or system message), so every message "
            "counts as unanswered; if the source records no replies (survey comments, a feedback form), response "
            "times, the service league and triage do not apply",
            UserWarning,
            stacklevel=user_stacklevel(),  # the caller of the analysis, whatever the path to here
        )


def check_bots(bots: str) -> None:
    """Raise ValueError unless ``bots`` is ``"exclude"`` or ``"include"``."""
    if bots not in ("exclude", "include"):
        msg = f"bots must be 'exclude' or 'include', got {bots!r}"
        raise InvalidArgumentError(msg)


def automatic_mask(events: pd.DataFrame, bots: str, auto: AutoReplyRule | None) -> np.ndarray:
    """The brand events that do not count as a reply: the automatic ones with ``bots="exclude"``, none otherwise."""
    check_bots(bots)
    if bots == "include":
        return np.zeros(len(events), dtype=bool)
    return (auto or AutoReplyRule()).flags(events)[0]


def excluded_replies(js: JourneySet, bots: str, auto: AutoReplyRule | None) -> np.ndarray:
    """:func:`automatic_mask` of ``js.events``, with the flags computed once per JourneySet and rule."""
    check_bots(bots)
    check_auto(auto)
    if bots == "include":
        return np.zeros(len(js.events), dtype=bool)
    return rule_flags(js, auto)[0]


def end_of_data(events: pd.DataFrame, now: pd.Timestamp | dt.datetime | str | None, tz: dt.tzinfo | None = None) -> pd.Timestamp:
    """The time open waits are measured to: ``now``, else the latest event in the data.

    ``now`` must be a time (a string, Timestamp or datetime; a number is refused, see
    :func:`~journeymap.analytics._checks.check_timestamp`). A naive ``now`` is a wall time in
    ``tz`` (the journeys' zone, ``JourneySet.tz``), as :func:`~journeymap.read_events` reads
    naive times in it and :func:`~journeymap.trends` cuts periods in it; UTC where ``tz`` is
    None. A wall time the clocks pass twice is the first, one they skip is moved forward by the
    gap, as the readers take them (``datetime.utcnow()`` is naive: give
    ``datetime.now(datetime.timezone.utc)`` for the current instant). A ``now`` before the
    latest event is used, with a warning (the latest event shown in ``tz``): replies after it
    still count, and messages after it wait 0.

    Examples:
        >>> import zoneinfo
        >>> events = pd.DataFrame({"timestamp": pd.to_datetime(["2024-03-04 13:00"], utc=True)})
        >>> str(end_of_data(events, "2024-03-04 09:00", zoneinfo.ZoneInfo("America/New_York")))
        '2024-03-04 14:00:00+00:00'
        >>> str(end_of_data(events, "2024-03-04 14:00"))
        '2024-03-04 14:00:00+00:00'
    """
    now_ts = check_timestamp(now, "now")
    if now_ts is not None and tz is not None and pd.Timestamp(now).tzinfo is None:  # type: ignore[arg-type]
        wall = pd.Series([now_ts.tz_localize(None)])  # check_timestamp read the wall time as UTC
        now_ts = pd.Timestamp(localize_naive(wall, tz).iloc[0]).tz_convert("UTC")
    last = pd.Timestamp(events["timestamp"].max())  # NaT without events
    if not pd.isna(last) and last.tzinfo is None:
        last = last.tz_localize("UTC")
    if now_ts is None:
        return last
    if not pd.isna(last) and now_ts < last:
        warnings.warn(
            f"now={now!r} is before the latest event in the data ({last if tz is None else last.tz_convert(tz)}): "
            "replies after it still count "
            "and messages after it wait 0; give a now at or after the end of the data, or leave now=None",
            UserWarning,
            stacklevel=user_stacklevel(),  # the caller of triage or response_times, whatever the path to here
        )
    return now_ts


@dispatch
def reply_waits(
    js: JourneySet, *, bots: Literal["exclude", "include"] = "exclude", auto: AutoReplyRule | None = None
) -> pd.DataFrame:
    """One row per customer message: when it was sent, when the brand next replied, the wait.

    Indexed by ``event_id`` (the customer message); columns ``journey_id``, ``timestamp``,
    ``replied`` (bool), ``reply_at``, ``reply_outside`` (no reply in the data, but the source
    says one exists outside it: :data:`~journeymap.schema.REPLY_OUTSIDE_DATA`), ``wait`` (a
    Timedelta; NaT when unanswered), in journey and step order. A brand message replies to the
    messages before it in its journey and, where the events have a ``thread_id``, in its thread
    (a journey by customer can span threads with several brands), and in a thread with several
    brands those addressed to its own (the events' ``brand``). Works on unscored journeys
    too. With ``bots="exclude"`` (the default) automatic replies (see
    :class:`~journeymap.AutoReplyRule`; ``auto`` overrides the rule) do not count as replies:
    the wait is to the next human reply.

    Examples:
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(20, seed=0))
        >>> waits = jm.reply_waits(js)
        >>> waits.index.name, bool((waits.loc[waits["replied"], "wait"] > pd.Timedelta(0)).all())
        ('event_id', True)
        >>> bool(js.events.set_index("event_id").loc[waits.index, "actor"].eq("customer").all())
        True
    """
    js = require_journeys(js, "reply_waits")
    warn_customers_only(js.events, "reply_waits")
    return _waits(js.events, excluded_replies(js, bots, auto), context=reply_context(js)).set_index("event_id")


def _waits(events: pd.DataFrame, automatic: np.ndarray | None = None, *, context: ReplyContext | None = None) -> pd.DataFrame:
    """:func:`reply_waits` with ``event_id`` as a column, indexed like the events (input row numbers).

    Brand events flagged in ``automatic`` are not replies (nor customer messages). ``context`` is
    the events' :class:`~journeymap.analytics._replies.ReplyContext` when already computed.
    """
    ctx = context if context is not None else ReplyContext.of(events)
    brand = ~ctx.customer  # a missing actor is the brand's
    nxt = _next_reply_time(brand if automatic is None else brand & ~automatic, ctx)
    replied = nxt >= 0
    outside = flag_column(events, REPLY_OUTSIDE_DATA, default=False)
    # A reply outside the data answers, as one inside would, the earlier messages still waiting
    # in its conversation: a customer who wrote twice before the brand's (missing) reply.
    outside = ~replied & (outside | (ctx.first_after(outside & ~replied & ctx.customer) >= 0))
    # int64 min is NaT; a view, not pd.to_datetime (which converts through objects)
    reply_at = pd.DatetimeIndex(np.where(replied, nxt, np.iinfo(np.int64).min).view("datetime64[ns]")).tz_localize("UTC")
    out = pd.DataFrame(
        {
            "journey_id": events["journey_id"],
            "event_id": events["event_id"],
            "timestamp": events["timestamp"],
            "replied": replied,
            "reply_at": pd.Series(reply_at, index=events.index).where(replied),
            "reply_outside": outside & ~replied,
        }
    )
    # a reply stamped before the message (clock skew; ordered after it) waited no time
    # (durations_between: a wait of more than 292 years, a mistyped year, is no OverflowError)
    wait = pd.Series(durations_between(out["reply_at"], out["timestamp"]), index=out.index)
    out["wait"] = wait.where(~(wait < pd.Timedelta(0)), pd.Timedelta(0))
    return out[ctx.customer]


@dispatch
def response_times(
    js: JourneySet,
    *,
    bots: Literal["exclude", "include"] = "exclude",
    auto: AutoReplyRule | None = None,
    now: pd.Timestamp | dt.datetime | str | None = None,
) -> pd.DataFrame:
    """Per journey: first response (human) and first acknowledgement, waits, unanswered messages, effect of replies.

    Columns (index ``journey_id``):

    * ``first_response``: from the customer's first message in the journey to the brand's first
      *human* reply after it (NaT when none); where the journey opens with messages addressed to
      no brand (``addressed`` False: a remark naming no one) and then one to a brand, from that
      one. Automatic replies (actor ``bot`` or ``system``,
      or a text the same account repeats; see :class:`~journeymap.AutoReplyRule`, overridden
      by ``auto``) are left out; ``bots="include"`` counts them, and then ``first_response`` equals
      ``first_acknowledgement``.
    * ``first_acknowledgement``: the same to the first brand reply of any kind.
    * ``opened_outside``: the journey opens with a brand reply to a message that is not in the
      data (a slice of a corpus): the customer's first contact, and so the first response, is
      unknown; ``first_response``, ``first_acknowledgement`` and ``first_wait`` are NaT.
    * ``censored``: the first message has no (human) reply by the end of the data; its wait is
      then only known to be at least ``first_wait``. A first message whose reply is outside the
      data (``reply_outside_data``; a slice of a corpus) is not censored: its waits are NaT; nor
      is one that needs no public reply (``no_reply_needed``).
    * ``no_reply_needed``: the first message got no reply and needs none in public: a thank-you
      to an outreach, a message after the case moved to private messages, or one addressed to no
      brand (:func:`triage`'s ``closing``, ``moved`` and ``unaddressed``). A journey with a customer message is answered
      (``first_response``), ``censored``, ``opened_outside``, ``no_reply_needed``, or its first
      message's reply is outside the data: one of the five.
    * ``first_wait``: ``first_response``, or for a censored journey the wait up to ``now``
      (default: the latest event in the data, so results do not change with the clock; a
      string, Timestamp or datetime; a naive one is a wall time in the journeys' zone, ``js.tz``,
      UTC where none; a ``now`` before the latest event warns). Means
      over ``first_response`` leave the censored journeys out; ``first_wait`` with ``censored``
      does not.
    * ``mean_wait`` and ``max_wait`` (over customer messages that got a reply: time to the next
      reply), ``n_customer_messages``, ``unanswered`` (customer messages with no reply after
      them, in public), ``moved`` (customer messages with no reply after the case moved to
      private messages, as in :func:`triage`: the answer is likely in a channel the data does
      not show, so they are not counted as unanswered), ``closing`` (with no reply after them
      either: a thank-you after a human reply, and the customer's earlier messages it settles;
      :func:`triage`'s status ``"closing"``; scored journeys only), ``replied_outside`` (those whose reply
      is outside the data: not unanswered, wait unknown; a reply outside the data answers the
      customer's earlier messages still waiting before it too, as one inside would; the format
      names no author for a missing tweet, so it is taken for the brand's), ``unaddressed``
      (with no reply after them, addressed to no brand: ``addressed`` False, as
      :func:`journeymap.read_twcs` writes for a bystander's remark in a thread; not
      unanswered), ``automatic_replies``
      (the journey's automatic brand replies, counted either way);
    * when scored, ``valence_change_after_reply``: the mean, over pairs of consecutive scored
      customer messages of one conversation (a thread, split by brand: by customer, a journey
      holds several) with at least one brand reply between them, of the later message's
      valence minus the earlier one's (each pair counts once, however many replies sit between;
      ``service_levels`` counts per reply, to credit each replier).

    A brand's reply answers the messages of its conversation: its thread in the journey, and
    where events carry a ``brand`` (:func:`journeymap.read_twcs` writes it) and a thread holds
    several, the messages addressed to that brand (one brand's reply does not answer what was
    sent to the other). A request to move to private messages (touchpoint ``dm_request``, or
    where the source does not mark them a brand text such as "please DM us": :func:`dm_requests`)
    moves its conversation, not the customer's later threads.

    Journeys without a customer message (a brand broadcast) have NaT waits and are not censored.
    Data of customer messages alone (no brand message, none marked ``reply_outside_data``: survey
    comments, a feedback form) is all censored, with a ``UserWarning`` that response times may
    not apply there (as from :func:`reply_waits`, :func:`triage`, :func:`~journeymap.trends`,
    :func:`~journeymap.reply_table` and :func:`~journeymap.service_levels`).

    Examples:
        >>> import journeymap as jm
        >>> js = jm.build_journeys(jm.datasets.service_journeys(20, seed=0))
        >>> rt = jm.response_times(js)
        >>> bool((rt["first_response"].dropna() >= pd.Timedelta(0)).all())
        True
        >>> answered = rt["first_response"].notna()
        >>> bool((rt.loc[answered, "first_acknowledgement"] <= rt.loc[answered, "first_response"]).all())
        True
    """
    js = require_journeys(js, "response_times")
    warn_customers_only(js.events, "response_times")
    return response_table(js, bots=bots, auto=auto, now=now)


def response_table(  # noqa: PLR0915 - one table, column by column
    js: JourneySet,
    *,
    bots: Literal["exclude", "include"] = "exclude",
    auto: AutoReplyRule | None = None,
    now: pd.Timestamp | dt.datetime | str | None = None,
) -> pd.DataFrame:
    """:func:`response_times` of a checked JourneySet, without its warning (for analyses that build on it)."""
    check_timestamp(now, "now")
    events = js.events
    automatic = excluded_replies(js, bots, auto)
    ctx = reply_context(js)
    # Grouped by integer journey codes (a groupby over a million journey-id strings hashes them
    # every time); results are put back on the journeys' ids at the end.
    code = journey_keys(js)[1]
    waits = _waits(events, automatic, context=ctx).assign(journey_id=ctx.journey[ctx.customer])
    g = waits.groupby("journey_id", sort=False)
    # each journey's opening message (its first addressed to a brand: ReplyContext.openings), by
    # its position among the customer's messages (the events' index may repeat labels)
    opening_rows = np.searchsorted(np.flatnonzero(ctx.customer), ctx.openings())
    first_msg = waits.iloc[opening_rows].set_index("journey_id")
    out = pd.DataFrame(index=js.journeys.index)

    def per_journey(values: pd.Series, fill_value: bool | None = None) -> pd.Series:
        return on_journeys(values, code, out.index, fill_value=fill_value)

    out["first_response"] = per_journey(first_msg["wait"])
    flagged = rule_flags(js, auto)[0]
    if bots == "include":
        out["first_acknowledgement"] = out["first_response"]
    else:
        any_reply = _waits(events, context=ctx).assign(journey_id=ctx.journey[ctx.customer])
        first_reply = any_reply.iloc[opening_rows].set_index("journey_id")["wait"]
        out["first_acknowledgement"] = per_journey(first_reply)
    now_ts = end_of_data(events, now, js.tz)
    has_message = pd.Series(True, index=first_msg.index).reindex(code, fill_value=False).set_axis(out.index).astype(bool)
    first_outside = per_journey(first_msg["reply_outside"], fill_value=False).astype(bool)
    # A journey that opens with a brand reply to a message outside the data (a slice of a corpus):
    # the customer's first contact is not in the data, so neither is the first response.
    first_step = np.r_[True, ctx.journey[1:] != ctx.journey[:-1]] if len(events) else np.zeros(0, dtype=bool)
    opened = pd.Series(opened_outside(events, ctx)[first_step], index=ctx.journey[first_step])
    out["opened_outside"] = per_journey(opened, fill_value=False).astype(bool)
    for column in ("first_response", "first_acknowledgement"):
        out[column] = out[column].where(~out["opened_outside"])
    kinds = _open_kinds(events, ctx, automatic, waits, flagged)
    # a first message that closes its case (thanks for an outreach), moved to private messages or
    # was addressed to no brand waits for no public reply: neither answered nor unanswered, as for triage
    settled = _needs_no_reply(kinds)
    opening_settled = pd.Series(settled[opening_rows], index=waits["journey_id"].to_numpy()[opening_rows])
    first_settled = per_journey(opening_settled, fill_value=False).astype(bool)
    out["censored"] = has_message & out["first_response"].isna() & ~first_outside & ~out["opened_outside"] & ~first_settled
    out["no_reply_needed"] = has_message & out["first_response"].isna() & ~out["opened_outside"] & first_settled
    open_wait = per_journey(pd.Series(durations_between(now_ts, first_msg["timestamp"]), index=first_msg.index))
    open_wait = open_wait.where(open_wait >= pd.Timedelta(0), pd.Timedelta(0))
    out["first_wait"] = out["first_response"].where(~out["censored"], open_wait).where(~out["opened_outside"])
    answered = waits[waits["replied"]]
    ga = answered.groupby("journey_id", sort=False)["wait"]
    out["mean_wait"] = per_journey(ga.mean())
    out["max_wait"] = per_journey(ga.max())
    out["n_customer_messages"] = per_journey(g.size()).fillna(0).astype(np.int64)
    closing = kinds["thanks"] | kinds["settled"] | kinds["closed"]
    for column, mask in (
        ("unanswered", ~waits["replied"] & ~waits["reply_outside"] & ~kinds["moved"] & ~closing & ~kinds["unaddressed"]),
        ("replied_outside", kinds["outside"]),
        ("moved", kinds["moved"]),
        ("closing", closing),
        ("unaddressed", kinds["unaddressed"]),
    ):
        out[column] = per_journey(mask.groupby(waits["journey_id"], sort=False).sum()).fillna(0).astype(np.int64)
    auto_count = pd.Series(flagged, index=events.index).groupby(ctx.journey, sort=False).sum()
    out["automatic_replies"] = per_journey(auto_count).fillna(0).astype(np.int64)
    if js.is_scored:
        f = flags(events)
        f["journey_id"] = ctx.journey
        # pairs within a conversation: by customer, a message to one brand after another brand's
        # reply in another thread is no effect of that reply
        f["conversation"] = outcome_conversations(js)
        f["brand"] = f["brand"].to_numpy() & ~automatic
        scored_customer = (f["customer"] & f["scored"]).to_numpy(dtype=bool)
        cust = f[scored_customer]
        prev_v = cust.groupby("conversation", sort=False)["valence"].shift()
        # a brand reply between two consecutive scored customer messages? (positions, not labels)
        brand_count = f["brand"].groupby(f["conversation"], sort=False).cumsum()
        cust_count = pd.Series(brand_count.to_numpy()[scored_customer], index=cust.index)
        prev_count = cust_count.groupby(cust["conversation"], sort=False).shift()
        after_reply = (cust_count > prev_count) & prev_v.notna()
        change = (cust["valence"] - prev_v)[after_reply]
        out["valence_change_after_reply"] = per_journey(change.groupby(cust.loc[after_reply, "journey_id"], sort=False).mean())
    out.index.name = "journey_id"
    return out


def _unread(events: pd.DataFrame, valence: pd.Series) -> pd.Series:
    """Per open message, ``"not scored (why)"`` where it has no valence, else ``""``.

    Why: the language of a ``score_note`` that says its language is not covered (``language
    'es'``), else the note itself (``no text``, a text of the wrong type); no note: ``"not scored"``.

    Examples:
        >>> events = pd.DataFrame(
        ...     {"score_note": ["language 'es' not covered by scorer 'x' (it reads en); ...", "no text", None, None]}
        ... )
        >>> _unread(events, pd.Series([np.nan, np.nan, np.nan, -0.5])).tolist()
        ["not scored (language 'es')", 'not scored (no text)', 'not scored', '']
    """
    missing = valence.isna().to_numpy(dtype=bool)
    out = pd.Series("", index=events.index, dtype=object)
    if not missing.any():
        return out
    if "score_note" in events.columns:
        note = events["score_note"].astype("string")
        why = note.str.extract(r"^(language '[^']*')", expand=False).fillna(note)  # the language, not the routing hint
        said = ("not scored (" + why + ")").fillna("not scored").astype(object)
    else:
        said = pd.Series("not scored", index=events.index, dtype=object)
    out[missing] = said[missing]
    return out


def _reasons(
    negativity: pd.Series,
    intensity: pd.Series,
    label: pd.Series,
    hours: pd.Series,
    repeats: pd.Series,
    *,
    waits: pd.Series,
    unread: pd.Series,
) -> pd.Series:
    """The parts that drove each triage rank, in words, built column-wise.

    ``waits`` marks the messages still waiting; the others (moved, answered outside the data,
    closing) are "sent N h before the end of the data", and their customer's other open
    messages are not counted against them. ``unread`` (:func:`_unread`) says which were not
    scored, and why: such a message is "open, not scored (language 'es')", never "open, calm".
    """
    if negativity.empty:  # nothing open: no reasons (string formatting of an empty float column fails)
        return pd.Series([], index=negativity.index, dtype=object)
    h = hours.map("{:.1f}".format)
    parts = [
        unread,
        ("negative (valence " + (-negativity).map("{:.2f}".format) + ")").where(-negativity < NEGATIVE_VALENCE, ""),
        (label.fillna("") + " " + intensity.map("{:.2f}".format)).where(intensity > NOTED_INTENSITY, ""),
        ("waiting " + h + " h").where(waits, "sent " + h + " h before the end of the data").where(hours >= 1, ""),
        ((repeats + 1).astype(str) + " messages waiting from this customer").where((repeats > 0) & waits, ""),
    ]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + ("; " + part).where(part != "", "")
    joined = joined.str.removeprefix("; ")
    alone = (joined == unread) & (unread != "")  # not scored, and nothing else to say: still open
    return joined.where(joined != "", "open, calm").where(~alone, "open, " + joined)


def dm_requests(events: pd.DataFrame, brand: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Which ``brand`` rows ask the customer to move to private messages ("please DM us").

    A row at touchpoint ``dm_request`` (:func:`journeymap.read_twcs` marks them); a row at
    another of :data:`~journeymap.schema.REPLY_TOUCHPOINTS` (``public_reply``, ``broadcast``:
    the source told them apart) is not one. Any other brand row (a generic export's, whose
    touchpoint is its channel) is one when its ``text`` matches
    :data:`~journeymap.schema.DM_PATTERN`, the pattern ``read_twcs`` reads, so that the same
    messages count as moved whichever reader read them.

    Examples:
        >>> events = pd.DataFrame({"touchpoint": ["twitter", "public_reply", "twitter", "dm_request"],
        ...     "text": ["Please DM us your order number", "Send us a DM", "Sorry to hear that", "Thanks"]})
        >>> dm_requests(events, np.ones(4, dtype=bool)).tolist()
        [True, False, False, True]
    """
    touchpoint = events["touchpoint"].astype("string")
    request = brand & (touchpoint == DM_REQUEST).fillna(value=False).to_numpy(dtype=bool)
    if "text" in events.columns:
        unmarked = brand & ~touchpoint.isin(REPLY_TOUCHPOINTS).fillna(value=False).to_numpy(dtype=bool)
        if unmarked.any():
            request[unmarked] |= contains(events["text"][unmarked].astype("string"), DM_PATTERN)
    return request


def _moved(
    events: pd.DataFrame,
    journey: npt.NDArray[np.int64] | None = None,
    automatic: np.ndarray | None = None,
    conversation: npt.NDArray[np.int64] | None = None,
    loose: npt.NDArray[np.bool_] | None = None,
) -> np.ndarray:
    """Whether each event comes at or after its case's move to private messages.

    A move is a human brand reply asking to move to private messages ("please DM us": see
    :func:`dm_requests`), which moves its conversation (``conversation``: the thread, and the brand there, as in
    :class:`~journeymap.analytics._replies.ReplyContext`; the journey when not given): a later
    thread of the same customer is a new case, asked in public, whatever ``by=`` grouped into
    the journey. Or a step on channel ``dm`` in a journey that did not start there, which moves
    the conversations of the journey open at it (not a thread opened after it); where events
    carry a ``brand``, for the events of that brand (and those of none), so one brand's DM does
    not close a message addressed to another. A message on channel ``dm`` is never moved
    itself: the private channel is in the data, and its replies would be too. A bot's canned
    "DM us" (``automatic``: pass the automatic replies whatever ``bots=`` says) moves nothing.
    ``journey`` are the events' integer journey codes, when known. ``loose`` rows (of no thread)
    are in every conversation of their journey: a request among them moves the journey, and one
    anywhere in it moves them.
    """
    codes = journey if journey is not None else journey_codes(events)
    brand = ~is_customer(events)
    if automatic is not None:
        brand &= ~automatic
    request = dm_requests(events, brand)
    asked = pd.Series(request, index=events.index).groupby(codes if conversation is None else conversation, sort=False).cummax()
    if loose is not None and loose.any():
        by_journey = pd.Series(request, index=events.index).groupby(codes, sort=False)
        loose_request = pd.Series(request & loose, index=events.index).groupby(codes, sort=False).cummax()
        asked = pd.Series(np.where(loose, by_journey.cummax(), asked | loose_request), index=events.index)
    on_dm = (events["channel"].astype("string") == "dm").fillna(False).to_numpy(dtype=bool)
    started_on_dm = pd.Series(on_dm, index=events.index).groupby(codes, sort=False).transform("first").to_numpy(dtype=bool)
    move = on_dm & ~started_on_dm
    # A step on channel dm moves, from it on, the conversations already open at it; a thread the
    # customer opens after it is a new case, asked in public.
    pos = np.arange(len(events), dtype=np.int64)
    # the latest move at or before each row (-1: none yet), in its journey
    moves = pd.Series(np.where(move, pos, -1), index=events.index)
    moved_at = moves.groupby(codes, sort=False).cummax().to_numpy(dtype=np.int64)
    if "brand" in events.columns:
        # With several brands in a journey, a move to one brand's DMs moves what is addressed to
        # that brand; an event of no known brand follows any move.
        addressed = events["brand"].astype("string")
        known = addressed.notna().to_numpy(dtype=bool)
        if known.any():
            per_brand = moves.groupby([codes, addressed.fillna("")], sort=False).cummax().to_numpy(dtype=np.int64)
            moved_at = np.where(known, per_brand, moved_at)
    opened = pd.Series(pos, index=events.index).groupby(codes if conversation is None else conversation, sort=False)
    opened_at = opened.transform("min").to_numpy(dtype=np.int64)
    if loose is not None:  # rows of no thread are in every conversation: open from the journey's start
        journey_start = pd.Series(pos, index=events.index).groupby(codes, sort=False).transform("min").to_numpy(dtype=np.int64)
        opened_at = np.where(loose, journey_start, opened_at)
    moved = (moved_at >= 0) & (opened_at <= moved_at)
    # a message in the private channel itself is judged by the replies there, which are in the data
    return np.asarray((asked.to_numpy(dtype=bool) | moved) & ~on_dm, dtype=bool)


def _closing(events: pd.DataFrame, ctx: ReplyContext, automatic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Customer messages that close their case: the thanks itself, and the messages it answers for.

    The first array: a customer's clearly positive message after a human brand reply in its
    conversation ("thanks, that worked!"), which usually closes the case rather than asks for
    more. The second: the customer's earlier messages of that conversation (a complaint the
    thanks shows was settled, in public or in private messages). Clearly positive is valence at
    least :data:`CLOSING_VALENCE`; unscored events close nothing. The ``irony`` column is not
    consulted: the default model's irony head reads exclamatory thanks as ironic (0.80 on "Thank
    you for the answer!!"), while its sentiment head, trained on tweets, already reads sarcastic
    thanks as negative.
    """
    if "valence" not in events.columns:
        none = np.zeros(len(events), dtype=bool)
        return none, none
    positive = (events["valence"].astype("float64") >= CLOSING_VALENCE).to_numpy(dtype=bool)
    answered_before = ctx.last_before(~ctx.customer & ~automatic) >= 0
    thanks = ctx.customer & positive & answered_before
    settled = ctx.customer & ~thanks & (ctx.first_after(thanks) >= 0)
    return thanks, settled


def _closed_conversations(events: pd.DataFrame, ctx: ReplyContext) -> npt.NDArray[np.bool_]:
    """Per event: whether its conversation has a row the source marks closed (:data:`~journeymap.schema.CLOSED`).

    A ``closed`` column that is no flag (an export's close date, say) is not read as one: a
    WARNING says so and no conversation is taken for closed.
    """
    if CLOSED not in events.columns:
        return np.zeros(len(events), dtype=bool)
    try:
        flag = flag_column(events, CLOSED, default=False)
    except SchemaError as exc:
        logger.warning("%s; it is not read as the closed flag (schema.CLOSED), and no conversation is taken for closed", exc)
        return np.zeros(len(events), dtype=bool)
    if not flag.any():
        return flag
    conversation = ctx.outcome_conversations()
    closed = np.zeros(int(conversation.max(initial=-1)) + 1, dtype=bool)
    closed[conversation[flag]] = True
    return np.asarray(closed[conversation], dtype=bool)


def _open_kinds(
    events: pd.DataFrame, ctx: ReplyContext, automatic: np.ndarray, waits: pd.DataFrame, canned: np.ndarray
) -> pd.DataFrame:
    """What each open customer message is, indexed like ``waits``: one status each, in triage's order.

    ``thanks`` and ``settled`` (:func:`_closing`), then ``closed`` (a conversation the source
    marks closed: :func:`_closed_conversations`), before ``moved`` (:func:`_moved`) before
    ``outside`` (a reply outside the data) before ``unaddressed`` (addressed to no brand:
    :data:`~journeymap.schema.ADDRESSED`); a message with none of these, and no reply, is
    waiting. :func:`triage` and :func:`response_times` both read them, so they agree.
    ``automatic`` are the replies left out (``bots=``), ``canned`` the automatic ones, which move
    nothing either way.
    """
    open_ = ~waits["replied"].to_numpy(dtype=bool)
    thanks, settled = (mask[ctx.customer] & open_ for mask in _closing(events, ctx, automatic))
    closed = _closed_conversations(events, ctx)[ctx.customer] & open_ & ~thanks & ~settled
    done = thanks | settled | closed
    moved = _moved(events, ctx.journey, canned, ctx.conversation, ctx.loose)[ctx.customer] & open_ & ~done
    outside = waits["reply_outside"].to_numpy(dtype=bool) & ~moved & ~done
    unaddressed = ~ctx.addressed[ctx.customer] & open_ & ~done & ~moved & ~outside
    return pd.DataFrame(
        {"thanks": thanks, "settled": settled, "closed": closed, "moved": moved, "outside": outside, "unaddressed": unaddressed},
        index=waits.index,
    )


def conversation_openings(
    js: JourneySet, *, bots: Literal["exclude", "include"] = "exclude", auto: AutoReplyRule | None = None
) -> pd.DataFrame:
    """One row per conversation with a customer message: its opening message and the first response to it.

    A conversation is a thread of a journey, split by brand (``ReplyContext.outcome_conversations``:
    a journey by customer holds several, one per thread and brand); its opening is its first
    customer message addressed to a brand (else its first), as :func:`response_times` reads a
    journey's. Columns: ``journey`` (the journey's code), ``opening`` and ``reply`` (row
    positions in the events; ``reply`` -1 where no human reply came, or any reply with
    ``bots="include"``, and where the conversation opened outside the data: a reply to its first
    message in the data answers a follow-up), ``first_response_ns`` (NaN without a reply), ``opened_outside``,
    ``censored``, ``no_reply_needed`` and ``open_wait_ns`` (to the end of the data), each as
    :func:`response_times` defines it for a journey, read for the conversation; ``owner`` (a row of the brand whose
    conversation it is, -1 where the conversation says it as above); ``addressed`` (the opening
    is addressed to a brand: :data:`~journeymap.schema.ADDRESSED`). In the order of the openings.

    A thread where two brands reply in person (``brand`` column, else ``author_id`` on the brand's
    rows, as ``service_levels(by="brand")`` reads them) is read per brand (:func:`_per_brand`): a
    customer's tweet to @AmazonHelp and @UPSHelp that both answer opens a conversation with each,
    timed to each one's own first reply.

    Computed once per JourneySet, ``bots`` and rule where the rule is :class:`AutoReplyRule`'s
    own (the report's note and its two leagues read the same frame); callers must not change it.
    """
    check_bots(bots)
    rule = check_auto(auto) or AutoReplyRule()
    if type(rule).flags is not AutoReplyRule.flags:  # a subclass with its own rule: asked every time, as rule_flags does
        return _conversation_openings(js, bots=bots, auto=auto)
    key, default = rule_key(rule)
    return js.cached(
        ("conversation_openings", bots, key),
        lambda: _conversation_openings(js, bots=bots, auto=auto),
        variant=not (default and bots == "exclude"),  # other options: only the last few kept
    )


def _conversation_openings(js: JourneySet, *, bots: str, auto: AutoReplyRule | None) -> pd.DataFrame:
    """:func:`conversation_openings`, computed."""
    events = js.events
    automatic = excluded_replies(js, bots, auto)
    ctx = reply_context(js)
    conversation = outcome_conversations(js)
    waits = _waits(events, automatic, context=ctx)
    opening = ctx.openings(conversation)
    # per event: an open customer message that needs no public reply, one whose reply is outside the data
    settled_at, outside_at = np.zeros(len(events), dtype=bool), np.zeros(len(events), dtype=bool)
    settled_at[ctx.customer] = _needs_no_reply(_open_kinds(events, ctx, automatic, waits, rule_flags(js, auto)[0]))
    outside_at[ctx.customer] = waits["reply_outside"].to_numpy(dtype=bool)
    reply = ctx.next_reply(~ctx.customer & ~automatic)[opening]
    first_row = pd.Series(np.arange(len(events))).groupby(conversation, sort=False).min()
    opened = opened_outside(events, ctx)[first_row.reindex(conversation[opening]).to_numpy(dtype=np.int64)]
    settled, outside = settled_at[opening], outside_at[opening]
    # a conversation that opens outside the data: its first message in the data is a follow-up,
    # and the reply to that no first response (as response_times reads a journey's)
    replied = (reply >= 0) & ~opened
    # a reply stamped before the message (clock skew; ordered after it) waited no time
    # (ns_between: no int64 wraparound over more than 292 years)
    fr = np.where(replied & ~opened, np.maximum(ns_between(ctx.t[np.maximum(reply, 0)], ctx.t[opening]), 0), np.nan)
    now_ns = end_of_data(events, None).value if len(events) else 0
    out = pd.DataFrame(
        {
            "journey": ctx.journey[opening],
            "opening": opening,
            "reply": np.where(replied, reply, -1),
            "first_response_ns": fr.astype(np.float64),
            "opened_outside": opened,
            "censored": ~replied & ~outside & ~opened & ~settled,
            "no_reply_needed": ~replied & ~opened & settled,
            "open_wait_ns": np.maximum(ns_between(now_ns, ctx.t[opening]), 0),
            "owner": np.full(len(opening), -1, dtype=np.int64),
            "addressed": ctx.addressed[opening],
        }
    )
    return _per_brand(events, ctx, out, counted=~ctx.customer & ~automatic, settled=settled_at, outside=outside_at, now_ns=now_ns)


def _per_brand(
    events: pd.DataFrame,
    ctx: ReplyContext,
    conv: pd.DataFrame,
    *,
    counted: npt.NDArray[np.bool_],
    settled: npt.NDArray[np.bool_],
    outside: npt.NDArray[np.bool_],
    now_ns: int,
) -> pd.DataFrame:
    """:func:`conversation_openings`' rows, with each thread where two brands reply in person read per brand.

    The brand is :func:`~journeymap.analytics._replies.brand_of`'s (``brand``, else ``author_id``
    on the brand's rows). A customer message has one ``brand``, so a tweet to two brands sits in the conversation of
    one (:func:`~journeymap.analytics._replies.conversation_codes`), and the other brand's reply
    to it either joined that conversation or opened one of its own later: the other brand was
    timed from a later message, or not at all. In a thread (``thread_id``; the journey without
    one) where counted replies come from two or more brands, each such brand B gets one row:
    its opening is the thread's first customer message addressed to B (its ``brand`` is B, or
    its text names ``@B``), its reply B's first counted reply after it that does not answer a
    customer message addressed to another brand only (a reply to Tesco's message is no answer to
    what was sent to BA), ``owner`` B's first counted reply. The thread's other rows
    (conversations of a brand that did not reply in person) stay as they are. Rows come back in
    the order of the openings.
    """
    if not ({"brand", "author_id"} & set(events.columns)) or not len(conv) or not counted.any():
        return conv
    # the brand as service_levels(by="brand") reads it (brand, else author_id on the brand's rows), as
    # text: a brand id may be a number (it is named as "@101" then)
    accounts = brand_of(events)
    brand = accounts.astype(object).where(accounts.notna(), None).to_numpy()
    thread = thread_codes(events, ctx.parent) if "thread_id" in events.columns else np.zeros(len(events), dtype=np.int64)
    if (thread < 0).all():  # no thread anywhere: the journey is the conversation, as conversation_codes reads it
        thread = np.zeros(len(events), dtype=np.int64)
    # a thread per (journey, thread); rows of no thread take part in none
    key = np.where(thread >= 0, ctx.journey * (int(thread.max(initial=0)) + 1) + thread, -1)
    replying = pd.DataFrame({"key": key[counted], "brand": brand[counted]}).dropna()
    n_brands = replying[replying["key"] >= 0].drop_duplicates().groupby("key", sort=False).size()
    split = n_brands.index[n_brands.to_numpy() > 1].to_numpy()
    if not len(split):
        return conv
    text = events["text"].astype("string").to_numpy(dtype=object, na_value="") if "text" in events.columns else None
    base_openings = conv["opening"].to_numpy(dtype=np.int64)
    opened_at = np.zeros(len(events), dtype=bool)  # an opening whose conversation opened outside the data
    opened_at[base_openings[conv["opened_outside"].to_numpy(dtype=bool)]] = True
    new_rows, read_per_brand = [], []
    mentions: dict[str, re.Pattern[str]] = {}
    in_split = np.flatnonzero(np.isin(key, split))
    for code, group in pd.Series(in_split).groupby(key[in_split], sort=False):
        rows = group.to_numpy(dtype=np.int64)  # in step order
        brands = sorted({b for b in brand[rows[counted[rows]]] if b is not None})
        read_per_brand += [(code, b) for b in brands]
        for b in brands:
            own = rows[counted[rows] & (brand[rows] == b)]
            if b not in mentions:  # "@b" not followed by a word character (a brand may end in "!")
                mentions[b] = re.compile(rf"@{re.escape(b)}(?!\w)", re.IGNORECASE)
            to_b = _addressed_to(b, rows[ctx.customer[rows]], brand, text, mentions[b])
            if not len(to_b):
                continue  # no message of the thread sent to this brand: its replies answer another's
            opening = int(to_b[0])
            parent = ctx.parent[own]
            answers_b = (parent < 0) | ~ctx.customer[np.maximum(parent, 0)] | np.isin(parent, to_b)
            after = own[(own > opening) & answers_b]
            opened = bool(opened_at[opening])
            reply = int(after[0]) if len(after) and not opened else -1
            fr = max(int(ctx.t[reply]) - int(ctx.t[opening]), 0) if reply >= 0 and not opened else np.nan  # Python ints: no wrap
            new_rows.append(
                {
                    "journey": int(ctx.journey[opening]),
                    "opening": opening,
                    "reply": reply,
                    "first_response_ns": float(fr),
                    "opened_outside": opened,
                    "censored": reply < 0 and not outside[opening] and not opened and not settled[opening],
                    "no_reply_needed": reply < 0 and not opened and bool(settled[opening]),
                    "open_wait_ns": float(max(now_ns - int(ctx.t[opening]), 0)),
                    "owner": int(own[0]),
                    "addressed": True,
                }
            )
    # the conversations of the brands read per brand give way to those rows
    per_brand = pd.MultiIndex.from_arrays([key[base_openings], pd.Series(brand[base_openings], dtype=object)])
    kept = conv[~per_brand.isin(pd.MultiIndex.from_tuples(read_per_brand))]
    added = pd.DataFrame(new_rows, columns=conv.columns).astype(conv.dtypes.to_dict())
    # in the order of the openings, and of one opening the conversation answered first first: a
    # journey counts for a group (a channel, a tier) with its first conversation there
    out = pd.concat([kept, added], ignore_index=True)
    return out.sort_values(["opening", "first_response_ns"], kind="stable", na_position="last").reset_index(drop=True)


def _addressed_to(
    b: str,
    customer_rows: npt.NDArray[np.int64],
    brand: npt.NDArray[np.object_],
    text: npt.NDArray[np.object_] | None,
    mention: re.Pattern[str],
) -> npt.NDArray[np.int64]:
    """Those of ``customer_rows`` addressed to brand ``b``: its ``brand`` is ``b``, or its text names it (``mention``)."""
    to_b = [r for r in customer_rows.tolist() if brand[r] == b or (text is not None and mention.search(text[r]))]
    return np.asarray(to_b, dtype=np.int64)


def _needs_no_reply(kinds: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Open messages (:func:`_open_kinds`) that wait for no public reply: closing, moved or addressed to no brand."""
    needs_none = kinds["thanks"] | kinds["settled"] | kinds["closed"] | kinds["moved"] | kinds["unaddressed"]
    return np.asarray(needs_none.to_numpy(dtype=bool))


def unseen_outcomes(js: JourneySet) -> npt.NDArray[np.bool_]:
    """Per event: an open customer message whose outcome the data does not show.

    :func:`triage`'s ``moved`` (the answer is likely in private messages), ``reply_outside``
    (the source lists a reply the data lacks) and ``unaddressed`` (addressed to no brand), with
    the default rule for automatic replies; False for every other event.
    """
    events = js.events
    ctx = reply_context(js)
    automatic = excluded_replies(js, "exclude", None)
    waits = _waits(events, automatic, context=ctx)
    kinds = _open_kinds(events, ctx, automatic, waits, rule_flags(js, None)[0])
    out = np.zeros(len(events), dtype=bool)
    out[np.flatnonzero(ctx.customer)] = (kinds["moved"] | kinds["outside"] | kinds["unaddressed"]).to_numpy(dtype=bool)
    return out


#: Triage's statuses of open messages that are not ranked, in the order they are listed after the waiting ones.
_UNRANKED = ["moved", "reply_outside", "closing", "unaddressed"]
_STATUS_ORDER = {status: i for i, status in enumerate(["waiting", *_UNRANKED])}


def _top_label(events: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Per event, the label of the highest of the score ``columns`` (the first if tied); NA where all are missing.

    An open message without a score (no text: an attachment, a blank survey comment; or a text
    the scorer left out) has no top label, rather than failing the table (pandas' ``idxmax``
    raises on a row of NaN).

    Examples:
        >>> scores = pd.DataFrame({"emo_anger": [0.9, None, 0.2], "emo_fear": [0.1, None, 0.2]})
        >>> _top_label(scores, ["emo_anger", "emo_fear"]).tolist()
        ['anger', <NA>, 'anger']
    """
    if not columns:
        return pd.Series("", index=events.index, dtype="string")
    values = events[columns].to_numpy(dtype=np.float64, na_value=np.nan)
    known = ~np.isnan(values).all(axis=1)
    best = np.argmax(np.where(np.isnan(values), -np.inf, values), axis=1)
    names = np.asarray([c.removeprefix(SCORE_PREFIX) for c in columns], dtype=object)
    return pd.Series(names[best], index=events.index, dtype="string").where(known)


@dispatch
def triage(
    js: JourneySet,
    *,
    now: pd.Timestamp | dt.datetime | str | None = None,
    top: int | None = None,
    bots: Literal["exclude", "include"] = "exclude",
    auto: AutoReplyRule | None = None,
) -> pd.DataFrame:
    """Open customer messages (no human reply after them): the waiting ones most urgent first, then the others.

    A message is open when no brand reply follows it in its journey; automatic replies (see
    :class:`~journeymap.AutoReplyRule`) do not close it unless ``bots="include"``. Its
    ``status`` is ``"moved"`` when the case went to private messages at or before it (a human
    brand reply with touchpoint ``dm_request``, or one asking for a DM in its text where the source
    marks no such touchpoint (:func:`dm_requests`), not a bot's, whatever ``bots`` says; or a step on
    channel ``dm`` in a conversation open at that step, not a thread opened after it): the
    answer is likely in a channel the data does not show, so it is listed, unranked, after the
    ``"waiting"`` ones rather than dropped. A message on channel ``dm`` itself is never moved:
    the private channel is in the data, and an unanswered DM waits like any message. Its status
    is ``"reply_outside"`` when the source says it has a reply that is not in the data
    (``reply_outside_data``, from a corpus slice's ``response_tweet_id``): it is listed after
    those, unranked. Its status is ``"closing"`` when
    it is a clearly positive message (valence at least :data:`CLOSING_VALENCE`, 0.5) after a
    human brand reply in its conversation, such as "thanks, that worked!" (moved or not), or an
    earlier message of the customer's that such a thanks settles: it most likely closes the case,
    so it is listed after those, unranked. Its status is ``"unaddressed"`` when it was addressed
    to no brand (``addressed`` False: :func:`journeymap.read_twcs` writes it for a bystander's
    remark in a thread that names no brand and answers none): listed last, unranked. Every open
    message is in the table.

    Waiting is measured to ``now`` (default: the latest event in the data, so the result does
    not change with the clock); every such wait is censored there (``censored`` is True: the
    message may still be answered later).

    Priority in [0, 1] is a weighted sum (:data:`TRIAGE_WEIGHTS`: negativity 0.4, intensity
    0.25, waiting 0.25, repetition 0.1) of what can still change:

    * negativity: ``max(0, -valence)``;
    * intensity: the highest probability among the high-intensity negative labels of the
      scores' taxonomy (``js.taxonomy.intense_labels``: anger, fear, ... for GoEmotions); 0 when
      the taxonomy is unknown;
    * waiting: rises with the hours waited over the first day (hours / 24), then halves with
      every further week without a reply, so a recent unanswered message outranks one left for
      a month, which is unlikely to be actionable any more;
    * repetition: the customer's other messages still waiting (not closing, moved or answered
      outside the data: 0, 1, 2, 3+), divided by 3.

    A message without a score (no text: an attachment, a blank survey comment; or one the
    scorer left out, such as a text in a language it does not read) is listed all the same,
    with no ``emotion`` and a ``reason`` that says it was not scored and why, from its
    ``score_note``: ``"open, not scored (language 'es')"``, ``"not scored (no text); waiting
    3.0 h"`` (never ``"open, calm"``, which is for a message read as calm). Its negativity and
    intensity count as 0, so it ranks by its wait and repetition, as a calm message that waited
    as long: the priority weighs only what was read, and a guessed negativity (the mean of the
    others, say) would rank an unread message above or below read ones on no evidence. The
    reason is there for someone who reads the language to pick it up; to rank such messages by
    what they say, score them (``jm.score(js, scorer={"en": "default", "*": <a multilingual
    model>})``).

    Args:
        js: scored journeys.
        now: the time waiting is measured to: a string such as ``"2024-03-04 09:00"``, a
            ``pd.Timestamp`` or a ``datetime`` (a naive one is a wall time in the journeys' zone,
            ``js.tz``, UTC where none); None (default) is the latest
            event in the data. A number is refused; a ``now`` before the latest event is used
            with a ``UserWarning`` (replies after it still count, messages after it wait 0).
        top: the first ``top`` rows only (default None: all of them; waiting rows come first).
        bots: whether automatic replies close a message (``"include"``) or not (``"exclude"``).
        auto: the rule telling automatic replies (default :class:`~journeymap.AutoReplyRule`).

    Returns:
        One row per open message, indexed by its ``event_id``: ``rank`` (1, 2, ... for the
        waiting messages, NA for the moved, reply_outside, closing and unaddressed ones), ``status``,
        ``priority``, its four parts,
        ``journey_id``, ``customer_id``, ``timestamp``, ``waiting``, ``censored``, ``text``,
        ``emotion`` and ``reason`` (the parts that drove the rank, in words).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
        >>> t = jm.triage(js)
        >>> waiting = t[t["status"] == "waiting"]
        >>> bool(waiting["priority"].is_monotonic_decreasing), t.index.name, [int(r) for r in jm.triage(js, top=2)["rank"]]
        (True, 'event_id', [1, 2])
        >>> "negative" in t["reason"].iloc[0], sorted(t["status"].unique())  # the synthetic DMs and their replies are in the data
        (True, ['closing', 'waiting'])
    """
    events = require_scored(js, "triage")
    warn_customers_only(events, "triage")
    check_timestamp(now, "now")
    ctx = reply_context(js)
    automatic = excluded_replies(js, bots, auto)
    waits = _waits(events, automatic, context=ctx)
    open_rows = np.flatnonzero(ctx.customer)[~waits["replied"].to_numpy(dtype=bool)]  # positions, not labels
    ev = events.iloc[open_rows]
    now_ts = end_of_data(events, now, js.tz)
    kinds = _open_kinds(events, ctx, automatic, waits, rule_flags(js, auto)[0]).loc[ev.index]
    thanks, settled, moved, outside = kinds["thanks"], kinds["settled"], kinds["moved"], kinds["outside"]
    unaddressed, closed = kinds["unaddressed"], kinds["closed"]
    closing = thanks | settled | closed
    valence = ev["valence"].astype("float64")
    negativity = (-valence).clip(lower=0).fillna(0.0)
    taxonomy = js.taxonomy
    labels = taxonomy.intense_labels if taxonomy is not None else ()
    intense = [score_column(lab) for lab in labels if score_column(lab) in ev.columns]
    intensity = ev[intense].astype("float64").max(axis=1).fillna(0.0) if intense else pd.Series(0.0, index=ev.index)
    waiting = pd.Series(durations_between(now_ts, ev["timestamp"]), index=ev.index)
    waiting = waiting.where(waiting >= pd.Timedelta(0), pd.Timedelta(0))
    hours = waiting.dt.total_seconds() / 3600
    waiting_part = (hours / 24).clip(0, 1) * 0.5 ** ((hours - 24).clip(lower=0) / (7 * 24))
    # the customer's other messages still waiting: thanks that close a case, messages moved to
    # private messages and those answered outside the data are not asking again
    waits = ~(closing | moved | outside | unaddressed)
    still = waits.to_numpy(dtype=bool)
    asking = ev.loc[still, "customer_id"]
    repeats = (ev["customer_id"].map(asking.value_counts()).fillna(0).astype("int64") - still.astype("int64")).clip(lower=0)
    repetition = (repeats.clip(upper=3) / 3).astype("float64")
    w = TRIAGE_WEIGHTS
    priority = (
        w["negativity"] * negativity + w["intensity"] * intensity + w["waiting"] * waiting_part + w["repetition"] * repetition
    )
    top_label = _top_label(ev, intense)
    unread = _unread(ev, valence)
    reasons = _reasons(negativity, intensity, top_label.astype("string"), hours, repeats, waits=waits, unread=unread)
    reasons = reasons.where(~moved, "moved to private messages; " + reasons)
    reasons = reasons.where(~outside, "a reply outside the data; " + reasons)
    reasons = reasons.where(~thanks, "a positive reply to the brand's answer; " + reasons)
    reasons = reasons.where(~settled, "the customer thanked the brand later; " + reasons)
    reasons = reasons.where(~closed, "the source marks the conversation closed; " + reasons)
    reasons = reasons.where(~unaddressed, "addressed to no brand; " + reasons)
    unranked = [moved.to_numpy(), outside.to_numpy(), closing.to_numpy(), unaddressed.to_numpy()]
    out = pd.DataFrame(
        {
            "status": pd.array(np.select(unranked, _UNRANKED, default="waiting"), dtype="string"),
            "priority": priority,
            "negativity": negativity,
            "intensity": intensity,
            "waiting_part": waiting_part,
            "repetition": repetition,
            "journey_id": ev["journey_id"],
            "event_id": ev["event_id"],
            "customer_id": ev["customer_id"],
            "timestamp": ev["timestamp"],
            "waiting": waiting,
            "censored": ev["timestamp"] <= now_ts,
            "text": ev["text"] if "text" in ev.columns else pd.Series(pd.NA, index=ev.index, dtype="string"),
            "emotion": ev["emotion"],
            "reason": reasons.astype("string"),
        },
        index=ev.index,
    )
    out["group_"] = out["status"].map(_STATUS_ORDER).to_numpy()  # waiting first, then the unranked in _UNRANKED's order
    # exact ties in id order, as everywhere ("9" before "10"), not as text
    out["id_"] = id_ranks(out["event_id"].astype("string"))
    out = out.sort_values(["group_", "priority", "timestamp", "id_"], ascending=[True, False, True, True], kind="stable")
    table = ranked(out.drop(columns=["group_", "id_"]).set_index("event_id"), top)
    table["rank"] = table["rank"].astype("Int64").where(table["status"] == "waiting")
    return table
