"""Brand replies one by one and the service league: :func:`reply_table`, :func:`service_levels`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from journeymap.analytics._checks import check_column_name, check_duration
from journeymap.analytics._durations import as_durations, seconds_as_durations
from journeymap.analytics._prep import interval_units, require_journeys
from journeymap.analytics._replies import UNSIGNED, account_of, brand_of, is_customer, is_system, reply_frame, unsigned_agents
from journeymap.analytics._stats import CHANGE_BOUNDS, MeanInterval, wilson
from journeymap.analytics.automatic import AutoReplyRule, outcome_conversations, reply_context, rule_flags
from journeymap.analytics.metrics import recovery_of
from journeymap.analytics.service import check_bots, conversation_openings, excluded_replies, warn_customers_only
from journeymap.backends import dispatch
from journeymap.exceptions import InvalidArgumentError, SchemaError

if TYPE_CHECKING:
    import datetime as dt

    import numpy.typing as npt

    from journeymap.journeys import JourneySet

__all__ = ["MIN_GROUP_SIZE", "NO_REPLY", "SYSTEM_REPLY", "UNSIGNED", "reply_table", "service_levels"]

#: A group of :func:`service_levels` with fewer journeys than this gets no intervals.
MIN_GROUP_SIZE = 5
#: The group of a journey no (human) reply answered, when the grouping column says nothing else.
NO_REPLY = "(no reply)"


def no_value(name: str) -> str:
    """The group of a journey answered by a reply without a value of the grouping column (``"(no team)"``)."""
    return f"(no {name})"


#: With ``bots="include"``, the group of a journey first answered by an event of the actor
#: ``system`` (a ticketing tool's acknowledgement), which belongs to no agent.
SYSTEM_REPLY = "(system)"


@dispatch
def reply_table(js: JourneySet, *, auto: AutoReplyRule | None = None) -> pd.DataFrame:
    """One row per brand reply: its journey, agent, whether automatic, the wait before it, the mood around it.

    Indexed by the reply's ``event_id``, in journey and step order. A brand message in a thread
    without a customer message (a broadcast; by customer also an outreach in a thread of its own
    that names no customer message) answers no one and has no row, as in :func:`service_levels`. Columns: ``journey_id``,
    ``customer_id``, ``timestamp``, ``account`` (the brand account: ``brand``, else
    ``author_id``), ``agent`` (``agent_id``; ``"<account>/(unsigned)"`` where the reply names none,
    ``"<account>/(bot)"`` for a bot's, or ``"(unsigned)"`` where the events name no account;
    ``"(system)"`` for an event of the actor ``system``, which belongs to no agent),
    ``touchpoint``, ``automatic`` and ``automatic_reason`` (``"bot"``, ``"system"``,
    ``"repeated text"`` or ``""``; see :class:`~journeymap.AutoReplyRule`, which ``auto`` overrides), ``answers`` (the
    ``event_id`` of the customer message it answers: its ``in_reply_to`` when that is a customer
    message of the journey, else the customer's previous message in its conversation, else, for a
    reply under another brand reply, the message that one answers (a tweet to @UPSHelp and
    @AmazonHelp that Amazon answers under UPS's reply); NA when none), ``wait`` (from
    that message; NaT when none), ``valence_before`` (the customer's last scored message before
    the reply in its conversation, or the message it answers where that is later: a tweet to two
    brands that the second answers), ``valence_after`` (their first scored message after it), ``valence_change``
    (after - before; NaN where either is missing), ``first_acknowledgement`` and
    ``first_response`` (the reply of any kind, and the human one, that answers the journey's
    opening message, its first customer message addressed to a brand: the next in its conversation, as
    :func:`~journeymap.response_times` times it; in a journey that opens with a brand reply to a
    message outside it, ``opened_outside``, where its first customer message is a follow-up,
    that reply and the journey's first human reply, with no wait: the first response is known,
    its time is not). Works on
    unscored journeys (the valences are then NaN).

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
        >>> replies = jm.reply_table(js)
        >>> replies.index.name, len(replies) == int((js.events["actor"] != "customer").sum())  # no broadcasts here
        ('event_id', True)
        >>> bool((replies["wait"].dropna() >= pd.Timedelta(0)).all())
        True
    """
    events = require_journeys(js, "reply_table").events
    warn_customers_only(events, "reply_table")
    automatic, reason = rule_flags(js, auto)
    ctx = reply_context(js)
    rf = reply_frame(events, automatic, context=ctx)
    brand = rf["brand"].to_numpy()
    answers = rf["answers"].to_numpy()
    event_ids = events["event_id"].astype("string")
    answered_id = pd.Series(event_ids.to_numpy()[np.maximum(answers, 0)], index=events.index, dtype="string")
    answered_id = answered_id.where(answers >= 0)
    agent = (
        events["agent_id"].astype("string")
        if "agent_id" in events.columns
        else pd.Series(pd.NA, index=events.index, dtype="string")
    )
    agent = agent.fillna(unsigned_agents(events)).mask(is_system(events), SYSTEM_REPLY)
    # a broadcast (a thread without a customer message) is no reply
    brand = ctx.replies(brand)
    out = pd.DataFrame(
        {
            "journey_id": events["journey_id"],
            "customer_id": events["customer_id"],
            "timestamp": events["timestamp"],
            "account": account_of(events),
            "agent": agent,
            "touchpoint": events["touchpoint"],
            "automatic": automatic,
            "automatic_reason": pd.array(reason, dtype="string"),
            "answers": answered_id,
            "wait": as_durations(rf["wait_ns"].to_numpy(dtype=np.float64)),
            "valence_before": rf["valence_before"],
            "valence_after": rf["valence_after"],
            "valence_change": rf["valence_after"] - rf["valence_before"],
            "first_acknowledgement": rf["first_acknowledgement"],
            "first_response": rf["first_response"],
        },
        index=events.index,
    )[brand]
    out.index = pd.Index(events.loc[brand, "event_id"], name="event_id")
    return out


#: The columns ``service_levels(by="brand")`` groups by, the first present (both optional).
BRAND_COLUMNS = ("brand", "author_id")


def _agents_rows(events: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """The rows an agent can have sent: the brand's, but not the ``system``'s (whatever ``agent_id`` they carry)."""
    return ~is_customer(events) & ~is_system(events)


def _group_column(events: pd.DataFrame, by: str) -> tuple[pd.Series, str]:
    """The value each event is grouped by, and the name of the index."""
    if by == "agent":
        if "agent_id" in events.columns:
            return events["agent_id"].astype("string").where(_agents_rows(events)), "agent"
        return pd.Series(pd.NA, index=events.index, dtype="string"), "agent"
    if by == "brand":
        for column in BRAND_COLUMNS:
            if column in events.columns:
                return events[column].astype("string"), "brand"
        msg = "service_levels(by='brand') needs a brand or author_id column"
        raise SchemaError(msg)
    if by not in events.columns:
        msg = f"service_levels: no column {by!r} in the events; columns: {list(events.columns)}"
        raise SchemaError(msg)
    return events[by].astype("string"), by


@dispatch
def service_levels(  # noqa: PLR0915 - one table, column by column
    js: JourneySet,
    by: str = "agent",
    *,
    sla: str | pd.Timedelta | dt.timedelta = "1h",
    bots: Literal["exclude", "include"] = "exclude",
    auto: AutoReplyRule | None = None,
    min_size: int = MIN_GROUP_SIZE,
    seed: int | np.random.Generator | None = 0,
) -> pd.DataFrame:
    """The service league: per agent, brand or any column, how fast and how well replies land.

    ``by`` says what rows are grouped by: ``"agent"`` (``agent_id``; human replies without one
    are grouped per account under ``"<account>/(unsigned)"``, a bot's under ``"<account>/(bot)"``, like the ids
    :func:`~journeymap.read_twcs` writes, or under ``"(unsigned)"`` where the events name no
    account; events of the actor ``system``, such as a ticketing system's auto-acknowledgements
    and status changes, belong to no agent, whatever ``agent_id`` they carry), ``"brand"`` (the
    ``brand`` column, else ``author_id``) or any events column. A *reply* belongs to the group
    of its own row; one without a value of the column, to the value of the customer message it
    answers, else to ``"(no <column>)"``, as its journey does (with ``bots="include"``, a
    ``system`` event's to ``"(system)"``); a *journey* belongs to a group through each of its conversations (a thread,
    split by brand where two brands answer in it, a message addressed to both, by its ``brand`` or
    an ``@brand`` in its text, opening a conversation with each; a journey by customer holds one
    per thread):
    to the group of the human reply that answered the conversation's opening message (its first
    customer message addressed to a brand, as :func:`~journeymap.response_times` times a
    journey's; in a conversation that opens with a brand reply to a message outside the data,
    ``opened_outside``, that message is a follow-up and the reply to it no first response, so
    none), or, when none came, to the column's first value in that conversation that is
    also the value of some human reply (a brand is known from the customer's messages; a
    customer's own id, or a bot, never owns a journey), else (``by="brand"``) to the brand of its
    automatic replies (a customer who got only the brand's auto-acknowledgement is a journey that
    brand left unanswered), else (``by="brand"``) to the brand its opening message is addressed to
    (its ``brand``, else the first ``brand`` a message of the conversation names: a brand that
    answered no one has every journey unanswered, rather than none), else to ``"(no reply)"``;
    answered by a
    reply without a value of the column, to the value of the message it answers (``by="brand"``:
    the brand the customer wrote to), else to ``"(no <column>)"`` (``"(no team)"``); with
    ``bots="include"``, a conversation first answered by a ``system`` event without a value of
    the column (``by="agent"``: a system event belongs to no agent) to ``"(system)"``. A journey
    counts once per group in ``journeys``, and the response figures read every conversation it
    holds with the group: a customer who wrote to Tesco and then to BA counts for both, each with
    the first response to the message sent to it, and a second thread with Tesco that nobody
    answered counts as unanswered, as it would with journeys by thread.
    Journeys without a customer message (brand broadcasts) are left out, and their brand
    messages are not replies, nor is a brand post in a thread without a customer message that
    names none (an outreach filed under a customer: by customer as by thread); so is a
    conversation addressed to no brand that no brand answered
    (:data:`~journeymap.schema.ADDRESSED`: a bystander's remark in a thread the brand answered
    for someone else belongs to no brand).

    Columns, one row per group (index named after the grouping; most journeys first,
    ``"(no reply)"`` last):

    * ``replies``: the group's replies (human only with ``bots="exclude"``, the default); a
      reply split over messages (consecutive messages of the group in a conversation, no
      customer message between them: "1/2 ... 2/2") counts once;
      ``automatic``: its automatic replies (see :class:`~journeymap.AutoReplyRule`);
    * ``journeys``: journeys that belong to the group; ``journeys_replied``: journeys it replied in;
    * ``first_response_median`` and ``first_response_p90``: over its answered conversations (a
      conversation is a thread of a journey, read per brand where two brands reply in it in
      person: by thread a journey is one, or one per brand; by customer one per thread and brand);
    * ``within_sla`` (with ``within_sla_low``/``_high``): the share of its conversations whose first
      response came within ``sla`` (a positive duration: ``"1h"``, ``"90min"``, a
      ``pd.Timedelta``; a bare number is refused, its unit unknown), of those where it can be told (answered, or still unanswered
      after longer than ``sla`` at the end of the data);
    * ``unanswered`` (``_low``/``_high``): the share of its conversations with no human reply by the
      end of the data (censored), of those where it is known (a first message whose reply is
      outside the data, ``reply_outside_data``, a conversation that opens with a reply to a
      message outside the data, ``opened_outside``, and one whose first message needs no public
      reply, :func:`response_times`' ``no_reply_needed``, count as neither);
    * ``valence_change`` (``_low``/``_high``): the mean, over its replies with a scored customer
      message before and after, of the customer's valence after minus before
      (:func:`reply_table`'s ``valence_change``);
    * ``recovered`` (``_low``/``_high``): of the conversations where it replied after a
      negative moment (a step whose ``sentiment`` is negative) and the customer wrote again
      after that reply, the share that recovered (a positive end there after a reply, as
      :func:`~journeymap.journey_metrics`' ``recovered``). A conversation here is a journey's
      conversations with one brand (by customer, its threads with the brand: a complaint, the
      reply, and a new tweet "all fixed, thanks!" to the brand recovered); a reply that answers a
      tweet addressed to two brands follows the tweet's negative moment in its own brand's
      conversation too. A conversation where the customer said
      nothing after its reply (the case moved to private messages, or the customer went quiet)
      shows neither, so it is left out, as ``unanswered`` leaves out what it cannot tell; nor is
      a reply after the customer's last word credited, nor one to another brand of the
      journey (the customer's praise of BA after Tesco's reply is no recovery of Tesco's, nor
      their thanks to one of two brands a tweet was addressed to the other's);
    * ``too_small``: fewer than ``min_size`` journeys (belonging or replied in, whichever is
      larger): its intervals are NaN, since they would say nothing. So is each interval with
      fewer than ``min_size`` journeys or conversations behind it (conversations for
      ``within_sla``, ``unanswered`` and ``recovered``, journeys for ``valence_change``) in a
      larger group: a brand of 13 journeys whose valence change rests on 3 shows the mean alone.

    Shares have 95% Wilson score intervals; ``valence_change`` the bootstrap interval of
    :class:`~journeymap.analytics._stats.MeanInterval` over whole customers (seeded by ``seed``:
    an int, None or a ``numpy.random.Generator``, as in :func:`~journeymap.touchpoint_summary`;
    one customer's replies, in one journey or several, are not independent of each other). The valence
    columns are NaN for unscored journeys. Automatic replies are told by
    :class:`~journeymap.AutoReplyRule`, which ``auto`` overrides.

    Examples:
        >>> import journeymap as jm
        >>> from journeymap.testing.data import planted_scores
        >>> js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(80, seed=0)))
        >>> league = jm.service_levels(js, by="brand")
        >>> league.index.name, sorted(league.index)
        ('brand', ['NovaTel', 'Parcelo', 'Streamly'])
        >>> bool(league["within_sla"].between(0, 1).all())
        True
    """
    js = require_journeys(js, "service_levels")
    warn_customers_only(js.events, "service_levels")
    check_bots(bots)
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
        msg = f"min_size must be a positive number of journeys, got {min_size!r}"
        raise InvalidArgumentError(msg)
    sla_td = check_duration(sla, "sla")
    check_column_name(by, "by", context="service_levels groups by one column", what="'agent', 'brand' or a column name")
    events = js.events
    group, name = _group_column(events, by)
    if by == "agent":
        group = group.fillna(unsigned_agents(events)).where(_agents_rows(events))
    flagged = rule_flags(js, auto)[0]
    excluded = excluded_replies(js, bots, auto)
    ctx = reply_context(js)
    rf = reply_frame(events, excluded, context=ctx)
    brand = rf["brand"].to_numpy()
    journey = events["journey_id"]
    # a brand message in a thread without a customer message (a broadcast, an outreach) answers no one
    answering = ctx.replies(brand)  # the brand's rows that are replies of some kind
    counted = answering & ~excluded

    # A reply without a value of the column belongs where the journey it answers does: to the
    # value of the customer message it answers, else "(no <column>)"; a system event without one
    # belongs to no group, but with bots="include" to "(system)", as the journeys it answered do
    brand_values = pd.Index(group[counted].dropna().unique())
    answers = rf["answers"].to_numpy(dtype=np.int64)
    answered_value = pd.Series(group.to_numpy(dtype=object)[np.maximum(answers, 0)], index=events.index, dtype="string")
    answered_value = answered_value.where((answers >= 0) & answered_value.isin(brand_values).to_numpy(dtype=bool))
    unvalued_row = answering & group.isna().to_numpy(dtype=bool)
    system = is_system(events)
    system_reply = unvalued_row & system if bots == "include" else np.zeros(len(events), dtype=bool)
    reply_group = group.mask(pd.Series(unvalued_row & ~system, index=events.index), answered_value.fillna(no_value(name)))
    reply_group = reply_group.mask(pd.Series(system_reply, index=events.index), SYSTEM_REPLY)

    # replies
    # A reply split over messages ("1/2 ... 2/2") is one reply: a counted message right after
    # another of the same group in its conversation, with no customer message between (an
    # automatic message left out between them does not split it), continues it.
    previous = ctx.last_before(~(brand & excluded))
    has_prev = previous >= 0
    codes = pd.factorize(reply_group)[0]  # NA (no group) is -1
    same_group = np.zeros(len(events), dtype=bool)
    prev_rows = previous[has_prev]
    # ... and answer in the same conversation (a reply that names another brand's message is in that one's)
    outcome = outcome_conversations(js)
    same_group[has_prev] = (
        (codes[prev_rows] == codes[has_prev])
        & (codes[has_prev] >= 0)
        & counted[prev_rows]
        & (outcome[prev_rows] == outcome[has_prev])
    )
    turns = counted & ~same_group
    # over the brand's replies only: a customer's own value (by="author_id") is no group of
    # replies, nor is a broadcast (a journey without a customer message) a reply
    replies = pd.Series(turns, index=events.index)[answering].groupby(reply_group[answering], sort=False).sum()
    automatic = pd.Series(flagged, index=events.index)[answering].groupby(reply_group[answering], sort=False).sum()

    # journeys: per conversation (a thread, split by brand: a journey by customer holds several),
    # the group of the human reply that answered its opening message, else the column's first
    # value in the conversation that is also the value of a human brand reply (so never a
    # customer's own id, as with by="author_id"; automatic rows aside), else (by="brand") the
    # brand of its automatic replies, else the brand its opening is addressed to, else NO_REPLY
    conv = conversation_openings(js, bots=bots, auto=auto)
    conversation = outcome
    candidates = group.where(group.isin(brand_values) & ~(brand & excluded))
    fallback = candidates.groupby(conversation, sort=False).first()  # by position: the index may repeat labels
    reply = conv["reply"].to_numpy(dtype=np.int64)
    # the group of the reply that answered, as its replies are grouped (reply_group): a reply
    # without a value of the column goes to the value of the message it answers, else "(no
    # <column>)", never another replier's value nor "(no reply)"; a system event's speed is no
    # agent's, nor a sign that nobody replied ("(system)", bots="include")
    owner = pd.Series(reply_group.to_numpy(dtype=object)[np.maximum(reply, 0)], dtype="string").where(reply >= 0)
    # a conversation read per brand (two brands replying in one thread) is its brand's
    own_row = conv["owner"].to_numpy(dtype=np.int64)
    own_group = pd.Series(reply_group.to_numpy(dtype=object)[np.maximum(own_row, 0)], dtype="string")
    owner = owner.fillna(own_group.where(own_row >= 0))
    opening = conv["opening"].to_numpy(dtype=np.int64)
    fallback_owner = pd.Series(fallback.reindex(conversation[opening]).to_numpy(dtype=object), dtype="string")
    owner = owner.fillna(fallback_owner)
    if by == "brand":
        # a conversation only the brand's automatic replies answered (an acknowledgement, then
        # nothing) is still that brand's: its journey is one the brand failed, not nobody's
        acknowledged = group.where(answering & excluded).groupby(conversation, sort=False).first()
        owner = owner.fillna(pd.Series(acknowledged.reindex(conversation[opening]).to_numpy(dtype=object), dtype="string"))
        # ... and one nobody answered is the brand's it was addressed to (the opening message's
        # brand, else the first brand a message of the conversation names: a brand that never
        # answers anyone is a brand with every journey unanswered, not absent from the league);
        # a customer's own author_id names no brand (brand_of)
        named = brand_of(events)
        addressed_to = pd.Series(named.to_numpy(dtype=object)[opening], dtype="string")
        first_named = named.groupby(conversation, sort=False).first()  # by position: the index may repeat labels
        addressed_to = addressed_to.fillna(
            pd.Series(first_named.reindex(conversation[opening]).to_numpy(dtype=object), dtype="string")
        )
        owner = owner.fillna(addressed_to)
    owner = owner.fillna(NO_REPLY)
    fr_ns = conv["first_response_ns"]
    censored = conv["censored"].to_numpy(dtype=bool)
    within = (fr_ns <= sla_td.value).to_numpy(dtype=bool)
    answered = fr_ns.notna().to_numpy(dtype=bool)
    per_journey = pd.DataFrame(
        {
            "owner": owner.to_numpy(dtype=object),
            "journey": conv["journey"].to_numpy(dtype=np.int64),
            "opening": opening,
            "fr_s": (fr_ns / 1e9).to_numpy(dtype=np.float64),
            "within": within,
            # told either way: answered, or still unanswered after longer than the SLA
            "decided": answered | (censored & (conv["open_wait_ns"] > sla_td.value).to_numpy(dtype=bool)),
            "censored": censored,
            # answered or not is known: a first message whose reply is outside the data is neither
            "known": censored | answered,
        }
    )
    # a conversation addressed to no brand that no brand answered (a bystander's remark in a
    # thread the brand answered for someone else) is no group's journey
    per_journey = per_journey[conv["addressed"].to_numpy(dtype=bool) | (reply >= 0)]
    # a journey counts once for each group; the response figures read each of its conversations
    # with the group (by customer, a second thread nobody answered is unanswered, as by thread),
    # a message read per brand once per group (by channel, a tweet to two brands is answered
    # by the first of them; per_journey is in the order of the openings, the faster reply first)
    n_journeys = per_journey.drop_duplicates(["owner", "journey"]).groupby("owner", sort=False).size()
    per_journey = per_journey.drop_duplicates(["owner", "journey", "opening"])
    gj = per_journey.groupby("owner", sort=False)
    stats = pd.DataFrame(
        {
            "journeys": n_journeys,
            "median_s": gj["fr_s"].median(),
            "p90_s": gj["fr_s"].quantile(0.9),
            "n_within": gj["within"].sum(),
            "n_decided": gj["decided"].sum(),
            "n_censored": gj["censored"].sum(),
            "n_known": gj["known"].sum(),
        }
    )

    # journeys replied in, and their recovery
    def pairs_of(rows: npt.NDArray[np.bool_]) -> pd.DataFrame:
        return (
            pd.DataFrame({"group": reply_group[rows].to_numpy(), "journey_id": journey[rows].to_numpy()})
            .dropna()
            .drop_duplicates()
        )

    pairs = pairs_of(counted)
    replied_in = pairs.groupby("group", sort=False).size()
    if js.is_scored:
        # credit for a recovery goes to the replies that can have made it: after the negative
        # moment and before the customer's last word (Recovery.window); a reply after the
        # customer's last word, or a "you're welcome" after the happy end, shows nothing either way
        # ... in its own conversation: a reply to one brand's complaint is not credited with the
        # customer's happy end with another (a journey by customer holds several)
        # ... a unit being a journey's conversations with one brand (Recovery): by customer, a
        # complaint in one thread and the thanks in the next to the same brand are one; a reply
        # to a tweet addressed to two brands follows its negative moment in its own brand's unit
        rec = recovery_of(js)
        credited = counted & rec.window
        neg_pairs = (
            pd.DataFrame({"group": reply_group[credited].to_numpy(), "conversation": rec.conversation[credited]})
            .dropna()
            .drop_duplicates()
        )
        neg_pairs["recovered"] = rec.recovered[neg_pairs["conversation"].to_numpy(dtype=np.int64)]
        n_negative = neg_pairs.groupby("group", sort=False).size()
        n_recovered = neg_pairs.groupby("group", sort=False)["recovered"].sum()
    else:
        n_negative = n_recovered = pd.Series(dtype=np.int64)

    keys = pd.Index(stats.index.union(replies.index.dropna()).union(automatic.index.dropna()), name=name).astype("string")
    out = pd.DataFrame(index=keys)
    out["replies"] = replies.reindex(keys).fillna(0).astype(np.int64)
    out["automatic"] = automatic.reindex(keys).fillna(0).astype(np.int64)
    out["journeys"] = stats["journeys"].reindex(keys).fillna(0).astype(np.int64)
    out["journeys_replied"] = replied_in.reindex(keys).fillna(0).astype(np.int64)
    # timedelta64[ns] whatever the values (pd.to_timedelta(unit="s") picks [us] for whole seconds)
    out["first_response_median"] = seconds_as_durations(stats["median_s"].reindex(keys))
    out["first_response_p90"] = seconds_as_durations(stats["p90_s"].reindex(keys))
    too_small = np.maximum(out["journeys"].to_numpy(), out["journeys_replied"].to_numpy()) < min_size

    def share(column: str, k: pd.Series, n: pd.Series) -> None:
        k_arr = k.reindex(keys).fillna(0).to_numpy(dtype=np.float64)
        n_arr = n.reindex(keys).fillna(0).to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[column] = np.where(n_arr > 0, k_arr / np.maximum(n_arr, 1), np.nan)
        low, high = wilson(k_arr, n_arr)
        unsaid = too_small | (n_arr < min_size)  # fewer than min_size conversations behind this share
        out[f"{column}_low"] = np.where(unsaid, np.nan, low)
        out[f"{column}_high"] = np.where(unsaid, np.nan, high)

    share("within_sla", stats["n_within"], stats["n_decided"])
    share("unanswered", stats["n_censored"], stats["n_known"])
    # by position (the events' index may repeat labels): each reply's change and its journey
    change = pd.DataFrame(
        {
            "change": (rf["valence_after"] - rf["valence_before"]).to_numpy()[turns],
            "journey": journey.to_numpy(dtype=object)[turns],
            "unit": np.asarray(interval_units(events), dtype=object)[turns],
            "group": reply_group.to_numpy(dtype=object)[turns],
        }
    ).dropna(subset=["group"])
    interval = MeanInterval(seed=seed, bounds=CHANGE_BOUNDS)
    # a customer's replies are not independent of each other: whole customers are resampled
    # one pass over every group (a call per group cost 1.2 ms each: 2.7 s for 2,209 agents), the same estimates
    group_codes, group_keys = pd.factorize(change["group"].to_numpy(dtype=object))
    estimates = dict(
        zip(
            group_keys.tolist(),
            interval.by_group(change["change"].to_numpy(), group_codes, change["unit"].to_numpy(dtype=object)),
        )
    )
    out["valence_change"] = [estimates[k].mean if k in estimates else np.nan for k in keys]
    # no interval where fewer than min_size journeys have a change to measure (3 conversations of a large brand)
    measured = change.dropna(subset=["change"])
    behind = measured.groupby("group", sort=False)["journey"].nunique().reindex(keys).fillna(0).to_numpy()
    unsaid = too_small | (behind < min_size)
    out["valence_change_low"] = [np.nan if no or k not in estimates else estimates[k].low for k, no in zip(keys, unsaid)]
    out["valence_change_high"] = [np.nan if no or k not in estimates else estimates[k].high for k, no in zip(keys, unsaid)]
    share("recovered", n_recovered, n_negative)
    out["too_small"] = too_small
    # "(no reply)" holds the journeys nobody answered: no group of repliers to rank, so it comes last
    ranked_rows = out.assign(_last=out.index == NO_REPLY, _key=out.index)
    order = ranked_rows.sort_values(["_last", "journeys", "replies", "_key"], ascending=[True, False, False, True], kind="stable")
    return out.loc[order.index]
