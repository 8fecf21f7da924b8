"""Brand replies one by one, the halves shared by the service analytics (vectorised, no loop per event).

Every function here takes the events of a JourneySet, which are sorted by journey and step, so
each journey's rows are contiguous: "before" and "after" are row positions within a journey.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap._threads import inherited_threads, nearest_up, parent_positions
from journeymap.analytics._durations import ns_between
from journeymap.analytics._prep import flag_column
from journeymap.journeys._table import actor_mask, customer_mask
from journeymap.schema import ADDRESSED

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy.typing as npt
    import pyarrow as pa

__all__ = [
    "SYSTEM",
    "UNSIGNED",
    "ReplyContext",
    "account_of",
    "automatic_flags",
    "brand_of",
    "conversation_codes",
    "conversation_first_after",
    "conversation_last_before",
    "first_after",
    "first_after_in",
    "is_customer",
    "is_system",
    "journey_codes",
    "last_before",
    "last_before_in",
    "normalise_text",
    "opened_outside",
    "reply_frame",
    "unsigned_agents",
]

#: The agent of a brand reply that names none (no ``agent_id``).
UNSIGNED = "(unsigned)"
#: The actor of a ticketing system's own events: always automatic, never a person's reply.
SYSTEM = "system"
_URL = r"https?://\S+|www\.\S+"
_MENTION = r"@\w+"
_NUMBER = r"\d+(?:[.,:/]\d+)*"
#: The rules in Python's ``re``: the reference, and the engine for texts that are not ASCII.
_PYTHON_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(_URL), "<url>"),
    (re.compile(_MENTION), "@"),
    (re.compile(_NUMBER), "0"),
    (re.compile(r"\s+"), " "),
)
# The same rules for Arrow's RE2, exact on ASCII text: there Python's \w is [0-9A-Za-z_] and \d is
# [0-9] in both engines, but RE2's \s lacks \v and \x1c-\x1f, so whitespace is spelled out.
_ASCII_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f "
_RE2_RULES: tuple[tuple[str, str], ...] = (
    (rf"https?://[^{_ASCII_SPACE}]+|www\.[^{_ASCII_SPACE}]+", "<url>"),
    (r"@[0-9A-Za-z_]+", "@"),
    (r"[0-9]+(?:[.,:/][0-9]+)*", "0"),
    (rf"[{_ASCII_SPACE}]+", " "),
)


def _replace_all(text: pa.Array, rules: tuple[tuple[str, str], ...]) -> pa.Array:
    """``rules`` applied in turn with Arrow's RE2; a large array in two halves on two threads (RE2 releases the GIL)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def run(part: pa.Array) -> pa.Array:
        for pattern, placeholder in rules:
            part = pc.replace_substring_regex(part, pattern=pattern, replacement=placeholder)
        return part

    if len(text) < 50_000 or (os.cpu_count() or 1) < 2:
        return run(text)
    half = len(text) // 2
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="journeymap-regex") as pool:
        parts = list(pool.map(run, [text.slice(0, half), text.slice(half)]))
    return pa.concat_arrays(parts)


def _normalise_arrow(text: pa.Array) -> pa.Array:
    """:func:`normalise_text` on an Arrow string array: RE2 on the ASCII texts, Python's ``re`` on the others."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.cast(text, pa.large_string())
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    # Mentions are what make replies distinct (a template answers many customers): after the URL
    # and mention rules few texts remain, and the other rules run on each distinct one once.
    encoded = pc.dictionary_encode(_replace_all(text, _RE2_RULES[:2]))
    distinct = pc.utf8_trim_whitespace(_replace_all(encoded.dictionary, _RE2_RULES[2:]))  # as pandas' .str.strip()
    out = distinct.take(encoded.indices)
    other = ~np.asarray(pc.fill_null(pc.string_is_ascii(text), True).to_numpy(zero_copy_only=False), dtype=bool)
    if other.any():
        # Python's classes are Unicode-aware (letters, digits and spaces beyond ASCII): its engine there
        fixed = []
        for value in text.filter(pa.array(other)).to_pylist():
            normal = value
            for rule, placeholder in _PYTHON_RULES:
                normal = rule.sub(placeholder, normal)
            fixed.append(normal)
        fixed_array = pc.utf8_trim_whitespace(pa.array(fixed, type=pa.large_string()))
        out = pc.replace_with_mask(out, pa.array(other), fixed_array)
    return out


def normalise_text(text: pd.Series) -> pd.Series:
    r"""Texts with @mentions, URLs and numbers replaced by placeholders and whitespace collapsed.

    Two replies that differ only in whom they address, the link they carry or a number (an order
    number, a time) normalise to the same text. The rules are Python's regular expressions
    (Unicode-aware ``\w``, ``\d`` and ``\s``); ASCII texts go through Arrow's RE2 with the same
    classes spelled out, which gives the same result without a Python string per text.

    Examples:
        >>> normalise_text(pd.Series(["@12 Thanks! Ticket 4411 https://t.co/x", "@99  Thanks! Ticket 17 http://a.b"])).tolist()
        ['@ Thanks! Ticket 0 <url>', '@ Thanks! Ticket 0 <url>']
    """
    import pyarrow as pa

    s = text.astype("string")
    if not len(s):
        return s
    out = _normalise_arrow(pa.array(s.array, type=pa.large_string()))
    return pd.Series(pd.arrays.ArrowStringArray(out), index=text.index).astype(s.dtype)


def journey_codes(events: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Integer journey codes in order of appearance (contiguous, since events are sorted by journey)."""
    return pd.factorize(events["journey_id"])[0].astype(np.int64)


def is_customer(events: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Whether each event is a customer's (everything else is the brand's)."""
    return customer_mask(events["actor"])


def is_system(events: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Whether each event is the ``system``'s (an auto-acknowledgement, a status change): never a person's reply."""
    return actor_mask(events["actor"], SYSTEM)


def last_before(mask: npt.NDArray[np.bool_], journey: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For every row, the position of the last earlier row of its journey where ``mask`` holds (or -1)."""
    n = len(mask)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    acc = np.maximum.accumulate(np.where(mask, np.arange(n), -1))
    prev = np.r_[-1, acc[:-1]].astype(np.int64)
    ok = prev >= 0
    ok[ok] = journey[prev[ok]] == journey[ok]
    return np.where(ok, prev, -1)


def first_after(mask: npt.NDArray[np.bool_], journey: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For every row, the position of the first later row of its journey where ``mask`` holds (or -1)."""
    n = len(mask)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    acc = np.minimum.accumulate(np.where(mask, np.arange(n), n)[::-1])[::-1]
    nxt = np.r_[acc[1:], n].astype(np.int64)
    ok = nxt < n
    ok[ok] = journey[nxt[ok]] == journey[ok]
    return np.where(ok, nxt, -1)


#: The agent group of a bot's messages that name no agent (``"<account>/(bot)"``; see :func:`unsigned_agents`).
BOT = "(bot)"


def unsigned_agents(events: pd.DataFrame) -> pd.Series:
    """What a reply that names no agent is grouped as: ``"<account>/(unsigned)"`` where the events name the account.

    Agent ids are ``"<brand account>/<signature>"`` (:func:`journeymap.read_twcs`), so the
    unsigned replies of each account are a group of their own, not one pool across brands; without
    an ``author_id`` or ``brand`` column they are all :data:`UNSIGNED`. A message of the actor
    ``bot`` is ``"<account>/(bot)"`` (``"(bot)"``): a chat bot is no unsigned person, and its
    speed is not theirs (``service_levels(bots="include")``).

    Examples:
        >>> events = pd.DataFrame({"author_id": ["AskBrand", None, "AskBrand"], "actor": ["agent", "agent", "bot"]})
        >>> unsigned_agents(events).tolist()
        ['AskBrand/(unsigned)', '(unsigned)', 'AskBrand/(bot)']
    """
    bot = actor_mask(events["actor"], "bot") if "actor" in events.columns else np.zeros(len(events), dtype=bool)
    label = pd.Series(np.where(bot, BOT, UNSIGNED), index=events.index, dtype="string")
    if not any(column in events.columns for column in ("author_id", "brand")):
        return label
    return (account_of(events) + "/" + label).fillna(label)


def account_of(events: pd.DataFrame, columns: tuple[str, ...] = ("brand", "author_id")) -> pd.Series:
    """The brand account of each event: its ``brand`` where it has one, else its ``author_id``, else one account.

    ``brand`` first: it is the account the user named (``read_events(brands=...)`` keeps the
    mapped handle there, while an X API export's ``author_id`` stays its numeric id); on a
    brand's rows of :func:`~journeymap.read_twcs` the two are the same. ``columns`` gives
    another order (the automatic-reply rule compares the texts of each sender, ``author_id``).

    Examples:
        >>> events = pd.DataFrame({"author_id": ["40000003", "40000003", "115"], "brand": ["Tesco", None, None]})
        >>> account_of(events).tolist()
        ['Tesco', '40000003', '115']
    """
    present = [events[column].astype("string") for column in columns if column in events.columns]
    if not present:
        return pd.Series("(brand)", index=events.index, dtype="string")
    account = present[0]
    for other in present[1:]:
        account = account.fillna(other)
    return account


def brand_of(events: pd.DataFrame) -> pd.Series:
    """The brand of each event as ``service_levels(by="brand")`` reads it: ``brand``, else ``author_id`` on the brand's rows.

    A customer's ``author_id`` is their own account, not the brand they write to: NA there. NA
    everywhere without either column.

    Examples:
        >>> events = pd.DataFrame({"author_id": ["u1", "Tesco", "BA"], "actor": ["customer", "agent", "agent"]})
        >>> brand_of(events).tolist()
        [<NA>, 'Tesco', 'BA']
    """
    if "brand" in events.columns:
        return events["brand"].astype("string")
    if "author_id" in events.columns:
        return events["author_id"].astype("string").where(~is_customer(events))
    return pd.Series(pd.NA, index=events.index, dtype="string")


@dataclass(frozen=True)
class ReplyContext:
    """What every reply analysis starts from, computed once per events frame (positions are row numbers)."""

    customer: npt.NDArray[np.bool_]  # the customer's events; the rest are the brand's
    journey: npt.NDArray[np.int64]  # journey codes (:func:`journey_codes`)
    conversation: npt.NDArray[np.int64]  # (journey, thread) codes (:func:`conversation_codes`)
    parent: npt.NDArray[np.int64]  # the row each row's in_reply_to names, or -1 (none, or not in the data)
    answered: npt.NDArray[np.int64]  # the customer message each row answers, or -1
    t: npt.NDArray[np.int64]  # timestamps, ns since the epoch
    wait: npt.NDArray[np.float64]  # ns since the answered message; NaN without one
    # rows of no thread (no thread_id, none to inherit): in every conversation of their journey
    loose: npt.NDArray[np.bool_]
    # False for a customer message addressed to no brand (schema.ADDRESSED; True without the column)
    addressed: npt.NDArray[np.bool_]
    # (journey, thread) codes before a thread of several brands is split per brand (:func:`_by_brand`)
    threads: npt.NDArray[np.int64]

    @classmethod
    def of(cls, events: pd.DataFrame, *, journey: npt.NDArray[np.int64] | None = None) -> ReplyContext:
        """The context of the events of a JourneySet; ``journey`` are their journey codes when known."""
        customer = is_customer(events)
        journey = journey_codes(events) if journey is None else journey
        if "in_reply_to" in events.columns and len(events):
            # Arrow's hash lookup on the (unique) ids: no Python string per row
            parent = parent_positions(events["event_id"].astype("string"), events["in_reply_to"].astype("string"))
        else:
            parent = np.full(len(events), -1, dtype=np.int64)
        conversation, loose, threads = _conversations(events, journey, parent)
        answered = _answered(customer, journey, conversation, parent, loose)
        t = events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
        # clock skew (a reply stamped before the message it answers): no wait, not a negative one
        # (ns_between: a wait of more than 292 years, a mistyped year, does not wrap around)
        wait = np.where(answered >= 0, np.maximum(ns_between(t, t[np.maximum(answered, 0)]), 0), np.nan)
        return cls(
            customer=customer,
            journey=journey,
            conversation=conversation,
            parent=parent,
            answered=answered,
            t=t,
            wait=wait,
            loose=loose,
            addressed=flag_column(events, ADDRESSED, default=True),
            threads=threads,
        )

    def last_before(self, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        """For every row, the last earlier row of its conversation where ``mask`` holds (or -1).

        See :func:`conversation_last_before`.
        """
        return conversation_last_before(mask, self.journey, self.conversation, self.loose)

    def first_after(self, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        """For every row, the first later row of its conversation where ``mask`` holds (or -1).

        See :func:`conversation_first_after`.
        """
        return conversation_first_after(mask, self.journey, self.conversation, self.loose)

    def replies(self, brand: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """The ``brand`` rows that are replies: those in a thread with a customer message.

        A brand post in a thread without one (a broadcast, an outreach to a customer) answers no
        one, also where the journey (by customer) holds the customer's other threads; so does a
        reply that names a customer message (its ``in_reply_to``) of its journey. A row of no
        thread (loose) is in every thread of its journey, as are a journey's loose customer
        messages; without threads the journey is the thread.

        Examples:
            >>> events = pd.DataFrame({"journey_id": ["j"] * 4, "thread_id": ["A", "A", "B", None],
            ...     "actor": ["customer", "agent", "agent", "agent"], "event_id": ["1", "2", "3", "4"],
            ...     "timestamp": pd.date_range("2024-01-01", periods=4, freq="h")})
            >>> ReplyContext.of(events).replies(np.array([False, True, True, True])).tolist()
            [False, True, False, True]
        """
        n_threads = int(self.threads.max(initial=-1)) + 1
        n_journeys = int(self.journey.max(initial=-1)) + 1
        with_customer = np.bincount(self.threads[self.customer & ~self.loose], minlength=n_threads) > 0
        loose_customer = np.bincount(self.journey[self.customer & self.loose], minlength=n_journeys) > 0
        any_customer = np.bincount(self.journey[self.customer], minlength=n_journeys) > 0
        named = self.parent >= 0
        names_customer = np.zeros(len(brand), dtype=bool)
        names_customer[named] = self.customer[self.parent[named]] & (self.journey[self.parent[named]] == self.journey[named])
        answering = (
            with_customer[self.threads]
            | loose_customer[self.journey]
            | (self.loose & any_customer[self.journey])
            | names_customer
        )
        return np.asarray(brand & answering, dtype=bool)

    def openings(self, groups: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.int64]:
        """The row of each journey's opening message, ascending (journeys without a customer message have none).

        Its first customer message addressed to a brand (``addressed``; a remark that names no
        brand, which the customer follows with one that does, opens nothing), else its first
        customer message. ``groups`` (codes per row, such as :meth:`outcome_conversations`) asks
        for the opening of each group instead of each journey.

        Examples:
            >>> events = pd.DataFrame({"journey_id": ["j"] * 3, "actor": "customer", "event_id": ["1", "2", "3"],
            ...     "addressed": [False, True, False], "timestamp": pd.date_range("2024-01-01", periods=3, freq="h")})
            >>> ctx = ReplyContext.of(events)
            >>> ctx.openings().tolist(), ctx.openings(np.array([0, 0, 1])).tolist()
            ([1], [1, 2])
        """
        rows = np.flatnonzero(self.customer)
        codes = (self.journey if groups is None else groups)[rows]
        # the first row of each group, addressed ones before the others (steps are in row order)
        order = np.lexsort((~self.addressed[rows], codes)) if not self.addressed[rows].all() else np.argsort(codes, kind="stable")
        first = np.r_[True, codes[order][1:] != codes[order][:-1]] if len(rows) else np.zeros(0, dtype=bool)
        return np.sort(rows[order[first]])

    def outcome_conversations(self, *, follow_named: bool = True) -> npt.NDArray[np.int64]:
        """Conversation codes for the outcomes of a conversation: drop-off, the mood after a reply, the first responses.

        :attr:`conversation`, but a journey with loose rows (no thread of their own: they are in
        every conversation of it) is one conversation, and a brand reply that names a customer
        message of its journey (its ``in_reply_to``) is in that message's conversation, as
        :meth:`next_reply` counts it the answer to it. ``follow_named=False`` keeps such a reply
        in its own conversation (a second brand answering a tweet addressed to both: recovery
        reads it in both, :func:`~journeymap.analytics.metrics.recovery_of`).

        Examples:
            >>> events = pd.DataFrame({"journey_id": ["j"] * 3, "thread_id": ["A", "A", "B"],
            ...     "actor": ["customer", "agent", "customer"], "event_id": ["1", "2", "3"],
            ...     "in_reply_to": [None, None, None], "timestamp": pd.date_range("2024-01-01", periods=3, freq="h")})
            >>> ReplyContext.of(events).outcome_conversations().tolist()
            [0, 0, 1]
            >>> named = events.assign(thread_id="A", brand=["A", "B", "B"], in_reply_to=[None, "1", "2"])
            >>> ctx = ReplyContext.of(named)
            >>> ctx.outcome_conversations().tolist(), ctx.outcome_conversations(follow_named=False).tolist()
            ([0, 0, 1], [0, 1, 1])
        """
        key = self.conversation.copy()
        if self.loose.any():
            with_loose = np.zeros(int(self.journey.max(initial=-1)) + 1, dtype=bool)
            with_loose[self.journey[self.loose]] = True
            key = np.where(with_loose[self.journey], -1 - self.journey, key)
        rows = np.flatnonzero(~self.customer & (self.parent >= 0)) if follow_named else np.zeros(0, dtype=np.int64)
        if len(rows):
            parent = self.parent[rows]
            rows = rows[self.customer[parent] & (self.journey[parent] == self.journey[rows])]
            key[rows] = key[self.parent[rows]]
        return pd.factorize(key)[0].astype(np.int64)

    def next_reply(self, replier: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        """For every row, the ``replier`` row that answers it (or -1): the next one in its conversation.

        The next reply *step*, not the earliest later stamp: a reply stamped before the message
        it answers (clock skew) steps after that message and must not pass for the answer to an
        earlier one. A reply that names the message (its ``in_reply_to``) answers it, in whatever
        conversation of the journey it sits (a second brand answering a tweet addressed to the first),
        and then it answers nothing in its own conversation: the message sent to the second brand
        still waits.
        """
        n = len(self.t)
        rows = np.flatnonzero(replier & (self.parent >= 0))
        rows = rows[(rows > self.parent[rows]) & (self.journey[rows] == self.journey[self.parent[rows]])]
        parent = self.parent[rows]
        elsewhere = rows[self.customer[parent] & ~self.loose[parent] & (self.conversation[parent] != self.conversation[rows])]
        if len(elsewhere):
            replier = replier.copy()
            replier[elsewhere] = False
        nxt = self.first_after(replier)
        if len(rows):
            direct = np.full(n, n, dtype=np.int64)
            np.minimum.at(direct, self.parent[rows], rows)
            nxt = np.where((direct < n) & ((nxt < 0) | (direct < nxt)), direct, nxt)
        return nxt


def _in_groups(
    find: Callable[[npt.NDArray[np.bool_], npt.NDArray[np.int64]], npt.NDArray[np.int64]],
    mask: npt.NDArray[np.bool_],
    groups: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """``find`` (:func:`last_before` or :func:`first_after`) for groups whose rows are not contiguous.

    The rows are taken group by group (a stable sort keeps each group's step order) and the
    positions found are mapped back to the input's.
    """
    if len(groups) < 2 or bool((np.diff(groups) >= 0).all()):  # contiguous already (sorted codes)
        return find(mask, groups)
    perm = np.argsort(groups, kind="stable")
    found = find(mask[perm], groups[perm])
    out = np.empty(len(groups), dtype=np.int64)
    out[perm] = np.where(found >= 0, perm[np.maximum(found, 0)], -1)
    return out


def last_before_in(mask: npt.NDArray[np.bool_], groups: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """:func:`last_before` within groups that may interleave (the threads of a journey by customer)."""
    return _in_groups(last_before, mask, groups)


def first_after_in(mask: npt.NDArray[np.bool_], groups: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """:func:`first_after` within groups that may interleave."""
    return _in_groups(first_after, mask, groups)


def conversation_codes(
    events: pd.DataFrame, journey: npt.NDArray[np.int64], parent: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.int64]:
    """Codes of (journey, thread): a reply answers messages of its own conversation only.

    A journey by customer can hold the customer's threads with several brands (or channels); a
    brand's reply in one thread does not answer a message sent to another. A row without a
    ``thread_id`` takes the thread of the message it replies to (``parent``: the positions its
    ``in_reply_to`` names, up the chain), or, when it opens a thread, the thread its replies name,
    or, where it names a ``brand`` and the journey's threads do too, its brand's nearest thread
    in the journey (a thread of its own where its brand has none: :func:`_loose_by_brand`);
    the rows left without one share a code per journey
    (without a ``thread_id`` column the journey is the conversation). Those rows are *loose*:
    :func:`conversation_last_before` and :func:`conversation_first_after` put them in every
    conversation of their journey. One row without a thread id changes nothing for the others.

    Examples:
        >>> events = pd.DataFrame({"thread_id": ["E", "C", None, "C"]})
        >>> conversation_codes(events, np.zeros(4, dtype=np.int64)).tolist()
        [0, 1, 2, 1]
    """
    return _conversations(events, journey, np.full(len(events), -1, dtype=np.int64) if parent is None else parent)[0]


def thread_codes(events: pd.DataFrame, parent: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Integer thread codes of the rows, -1 where there is none; a row without one takes its nearest ancestor's.

    Pointer jumping over ``parent`` (positions, -1 for none): a row with a thread, or without a
    parent, points at itself, so ``log2(n)`` doubling passes reach every row's nearest ancestor
    with a thread. A row in, or leading into, a reply cycle of rows without one keeps -1.
    """
    # NA is -1; codes in sorted order of the ids, as journeys._build.filled_thread_keys numbers them
    thread, uniques = pd.factorize(events["thread_id"], sort=True)
    thread = thread.astype(np.int64)
    if (thread >= 0).all():
        return thread
    # an opener named by its replies' thread, else the nearest ancestor's: as build_journeys files it
    return inherited_threads(thread, parent, len(uniques))


def _conversations(
    events: pd.DataFrame, journey: npt.NDArray[np.int64], parent: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """:func:`conversation_codes`, which rows are loose (no thread of their own or inherited), and the threads' codes.

    The third array is the (journey, thread) codes before a thread of several brands is split
    into one conversation per brand (:func:`_by_brand`).
    """
    if "thread_id" not in events.columns or not len(events):
        return journey, np.zeros(len(events), dtype=bool), journey
    thread = thread_codes(events, parent)
    loose = thread < 0
    if loose.all():  # no thread anywhere: the journey is the conversation
        return journey, np.zeros(len(events), dtype=bool), journey
    thread, loose = _loose_by_brand(events, journey, thread, loose)
    # the loose rows of a journey share the code after its threads'
    width = int(thread.max(initial=0)) + 2
    codes = pd.factorize(journey * width + np.where(loose, width - 1, thread))[0].astype(np.int64)
    # a journey with no thread at all is one conversation, as without a thread_id column: not loose
    threaded_journey = pd.Series(~loose).groupby(journey, sort=False).transform("any").to_numpy(dtype=bool)
    return _by_brand(events, codes, loose), loose & threaded_journey, codes


def _loose_by_brand(
    events: pd.DataFrame, journey: npt.NDArray[np.int64], thread: npt.NDArray[np.int64], loose: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Rows of no thread but of a known ``brand``, in a journey whose threads name brands: placed by their brand.

    A loose row is in every conversation of its journey, which is right when nothing says whom
    it is for; a message addressed to a brand is not answered by another brand's reply in
    another thread (a journey by customer: a lone, unanswered post to NovaTel, then a thread
    with Parcelo). So such a row joins a thread of its brand in the journey: a customer's
    message the thread of its brand's next reply (the one that answers it), else of its brand's
    nearest earlier row (a thank-you after the reply); a brand's row that of its brand's nearest
    earlier row, else of its nearest later one; with none, a thread of its own (one per journey
    and brand). A customer's message never joins a later thread but its answer's: a lone post
    before a ticket of its brand that no reply follows is a conversation of its own, as by thread
    (until review rv73 it joined that ticket, and two unanswered conversations counted as one).
    Unchanged without a ``brand`` column, or in a journey whose threaded rows name no brand.

    Examples:
        >>> events = pd.DataFrame({"brand": ["A", "B", "B", None, "B"], "actor": ["customer"] * 5})
        >>> thread = np.array([-1, 0, 0, -1, -1])
        >>> thread, loose = _loose_by_brand(events, np.zeros(5, dtype=np.int64), thread, thread < 0)
        >>> thread.tolist(), loose.tolist()
        ([1, 0, 0, -1, 0], [False, False, False, True, False])
    """
    if "brand" not in events.columns or not loose.any():
        return thread, loose
    brand = pd.factorize(events["brand"].astype("string"))[0].astype(np.int64)  # NA is -1
    branded = ~loose & (brand >= 0)
    with_brands = pd.Series(branded).groupby(journey, sort=False).transform("any").to_numpy(dtype=bool)
    own = loose & (brand >= 0) & with_brands
    if not own.any():
        return thread, loose
    # the thread of the same brand's nearest threaded row before, else after, in the journey (steps);
    # for a customer's message, first that of the brand's next reply (its answer)
    keys = [journey, brand]
    known = pd.Series(np.where(branded, thread, np.nan))
    earlier = known.groupby(keys, sort=False).ffill().to_numpy()
    near = np.where(np.isnan(earlier), known.groupby(keys, sort=False).bfill().to_numpy(), earlier)
    customer = customer_mask(events["actor"]) if "actor" in events.columns else np.zeros(len(thread), dtype=bool)
    replies = pd.Series(np.where(branded & ~customer, thread, np.nan))
    answer = replies.groupby(keys, sort=False).bfill().to_numpy()
    # a customer's message takes no later thread but its answer's: a lone post before an unanswered
    # thread of its brand is a conversation of its own (as by thread), not a second message of that thread
    near = np.where(customer, np.where(np.isnan(answer), earlier, answer), near)
    width = int(brand.max(initial=0)) + 1
    fresh = int(thread.max(initial=-1)) + 1 + pd.factorize(journey * width + brand)[0].astype(np.int64)
    thread = thread.copy()
    thread[own] = np.where(np.isnan(near[own]), fresh[own], np.nan_to_num(near[own])).astype(np.int64)
    return thread, loose & ~own


def _by_brand(events: pd.DataFrame, codes: npt.NDArray[np.int64], loose: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """``codes`` with each thread that holds several brands split into one conversation per brand.

    Where events carry a ``brand`` (the account a customer's message is addressed to, the account
    of a brand's; :func:`journeymap.read_twcs` writes it), a customer who writes to two brands in
    one thread has two conversations there: one brand's reply does not answer what was sent to the
    other. A customer's message of no known brand in such a thread joins the conversation of the
    next brand reply after it (whoever answers it, as in a thread of one brand), a brand reply of
    no known brand that of the customer's message before it; either, with nothing to go by, the
    thread's first brand. Threads of one brand (nearly all) and loose rows keep their code.

    Examples:
        >>> events = pd.DataFrame({"brand": ["A", "A", "B", "B", None, "A"], "actor": ["customer", "agent"] * 3})
        >>> _by_brand(events, np.array([0, 0, 0, 0, 0, 1]), np.zeros(6, dtype=bool)).tolist()
        [0, 0, 1, 1, 0, 2]
    """
    if "brand" not in events.columns or not len(codes):
        return codes
    brand = pd.factorize(events["brand"].astype("string"))[0].astype(np.int64)  # NA is -1
    known = (brand >= 0) & ~loose
    frame = pd.DataFrame({"code": codes[known], "brand": brand[known]})
    counts = frame.drop_duplicates().groupby("code", sort=False)["brand"].size()
    mixed = np.isin(codes, counts.index[counts.to_numpy() > 1].to_numpy()) & ~loose
    if not mixed.any():
        return codes
    customer = customer_mask(events["actor"]) if "actor" in events.columns else np.zeros(len(codes), dtype=bool)
    unknown = mixed & (brand < 0)
    if unknown.any():
        by_code = pd.Series(codes)
        replies = pd.Series(np.where(~customer & (brand >= 0), brand, np.nan))
        next_reply = replies.groupby(by_code, sort=False).bfill().to_numpy()
        take = unknown & customer & ~np.isnan(next_reply)
        brand = np.where(take, np.nan_to_num(next_reply, nan=-1), brand).astype(np.int64)
        asked = pd.Series(np.where(customer & (brand >= 0), brand, np.nan))
        last_message = asked.groupby(by_code, sort=False).ffill().to_numpy()
        take = unknown & ~customer & ~np.isnan(last_message)
        brand = np.where(take, np.nan_to_num(last_message, nan=-1), brand).astype(np.int64)
        first = frame.groupby("code", sort=False)["brand"].first()  # in row order: steps
        brand = np.where(brand >= 0, brand, by_code.map(first).fillna(-1).to_numpy(dtype=np.int64))
    width = int(brand.max(initial=0)) + 1
    keyed = np.where(mixed, codes * width + brand, -1 - codes)  # unmixed codes stay apart from mixed keys
    return pd.factorize(keyed)[0].astype(np.int64)


def conversation_last_before(
    mask: npt.NDArray[np.bool_],
    journey: npt.NDArray[np.int64],
    conversation: npt.NDArray[np.int64],
    loose: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:
    """For every row, the last earlier row of its conversation where ``mask`` holds (or -1).

    A loose row (no thread: :func:`conversation_codes`) belongs to every conversation of its
    journey: for it the last earlier ``mask`` row of the journey, and for a row of a thread
    the later of its thread's and the journey's loose rows'.
    """
    within = last_before_in(mask, conversation)
    if not loose.any():
        return within
    any_thread = last_before(mask, journey)
    loose_row = last_before(mask & loose, journey)
    return np.where(loose, any_thread, np.maximum(within, loose_row))


def conversation_first_after(
    mask: npt.NDArray[np.bool_],
    journey: npt.NDArray[np.int64],
    conversation: npt.NDArray[np.int64],
    loose: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:
    """For every row, the first later row of its conversation where ``mask`` holds (or -1).

    Loose rows as in :func:`conversation_last_before`: for a row of a thread the earlier of its
    thread's and the journey's loose rows'.
    """
    within = first_after_in(mask, conversation)
    if not loose.any():
        return within
    any_thread = first_after(mask, journey)
    loose_row = first_after(mask & loose, journey)
    big = np.iinfo(np.int64).max
    earlier = np.minimum(np.where(within >= 0, within, big), np.where(loose_row >= 0, loose_row, big))
    return np.where(loose, any_thread, np.where(earlier == big, -1, earlier))


def _answered(
    customer: npt.NDArray[np.bool_],
    journey: npt.NDArray[np.int64],
    conversation: npt.NDArray[np.int64],
    parent: npt.NDArray[np.int64],
    loose: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.int64]:
    """For every row, the customer message it answers (or -1).

    Its ``in_reply_to`` (``parent``) when that is an earlier customer message of the same
    journey, else the customer's previous message in the same conversation
    (:func:`conversation_codes`: with journeys by customer, a reply in one thread does not
    answer a message to another brand; a ``loose`` row, of no thread, is in all of its journey's),
    else, for a brand reply to an earlier brand reply of the journey, what that one answers, up
    the chain: a tweet to @UPSHelp and @AmazonHelp that UPS answers and Amazon answers under
    UPS's reply is answered by both (Amazon's reply sits in a conversation of its own brand,
    which holds no message of the customer's).

    Examples:
        >>> # 0 customer to A and B; 1 A's reply to it; 2 B's reply to 1, in B's conversation
        >>> _answered(np.array([True, False, False]), np.zeros(3, dtype=np.int64), np.array([0, 0, 1]),
        ...     np.array([-1, 0, 1])).tolist()
        [-1, 0, 0]
    """
    n = len(customer)
    loose = np.zeros(n, dtype=bool) if loose is None else loose
    previous = conversation_last_before(customer, journey, conversation, loose)
    if n == 0:
        return previous
    rows = np.arange(n)
    ok = (parent >= 0) & (parent < rows)
    ok[ok] = journey[parent[ok]] == journey[ok]
    named = ok & customer[np.maximum(parent, 0)]
    answered = np.where(named, parent, previous)
    # a brand reply with nothing to answer in its conversation, to a brand reply: what that one answers
    chained = ok & ~customer & ~customer[np.maximum(parent, 0)]
    if (chained & (answered < 0)).any():
        up = np.where(chained, parent, -1)
        top = nearest_up(up, ~chained | (answered >= 0))
        inherited = np.where(customer[top], -1, answered[top])
        answered = np.where(chained & (answered < 0) & (top != rows), inherited, answered)
    return answered


def _text_keys(events: pd.DataFrame, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For the given rows, a code per (brand account, normalised text) pair; -1 where the text is missing or blank.

    Integer codes throughout: each distinct text is normalised once (templates repeat), and the
    pair is a number, not a concatenated string per row. A blank text (empty, or white space
    alone: an image, a card, an export's empty cell) is no text: three of them are no template.
    """
    if "text" not in events.columns:  # text is optional: without it only the actor tells bots
        return np.full(len(rows), -1, dtype=np.int64)
    codes, uniques = pd.factorize(events["text"].iloc[rows].astype("string"))
    distinct = pd.Series(uniques, dtype="string")
    blank = (distinct.str.strip() == "").fillna(False).to_numpy(dtype=bool)
    if blank.any():
        codes = np.where((codes >= 0) & blank[np.maximum(codes, 0)], -1, codes)
    normal_codes = pd.factorize(normalise_text(distinct))[0].astype(np.int64)
    # the sender: author_id, else brand (a brand column may name the company of several senders)
    sender = account_of(events, ("author_id", "brand"))
    account = pd.factorize(sender.iloc[rows].fillna(""))[0].astype(np.int64)  # missing = ""
    text = np.where(codes >= 0, normal_codes[np.maximum(codes, 0)] if len(normal_codes) else -1, -1)
    keys = np.full(len(rows), -1, dtype=np.int64)
    has_text = text >= 0
    pairs = account[has_text] * (int(text.max(initial=0)) + 1) + text[has_text]
    keys[has_text] = pd.factorize(pairs)[0]
    return keys


#: A reply of words of one's own has at least this many words of two letters or more.
_OWN_WORDS = 3
_WORD = r"[^\W\d_]{2,}"


def _signed_by_a_person(
    events: pd.DataFrame,
    rows: npt.NDArray[np.int64],
    candidate: npt.NDArray[np.bool_],
    *,
    keys: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    wait: npt.NDArray[np.float64],
    within: pd.Timedelta | None,
) -> npt.NDArray[np.bool_]:
    """Of the ``candidate`` brand ``rows`` (repeated texts): replies signed by an agent who also writes words of their own.

    Agents answer from macros, quickly, and sign them (Twitter: "... -AC", which
    :func:`~journeymap.read_twcs` reads into ``agent_id`` ``"<account>/AC"``). Such a reply is a
    person's when both hold: its text carries the signature (the last part of its
    ``agent_id``, as a word of its own), and the same ``agent_id`` sent a reply of words of its
    own: a text its account sent once, of at least :data:`_OWN_WORDS` words besides @handles,
    links and the signature, not at machine speed (waiting longer than ``within``, where that
    is given). An id that only sends templates, an empty or one-word reply, or a notice sent
    once at machine speed shows no person, nor does an acknowledgement stamped with an
    assignee's id that its text does not carry. ``keys`` and ``counts``: :func:`_text_keys` of the rows and how often each occurs.
    """
    signed = np.zeros(len(rows), dtype=bool)
    agent = events["agent_id"].astype("string").iloc[rows].reset_index(drop=True)
    # only the agents of repeated texts need telling apart (few: most agents send no fast macro)
    asked = set(agent[candidate & agent.notna().to_numpy(dtype=bool)].tolist())
    theirs = np.flatnonzero(agent.isin(asked).to_numpy(dtype=bool))
    if not len(theirs):
        return signed
    text = events["text"].astype("string").iloc[rows[theirs]].fillna("").to_numpy(dtype=object)
    slow = np.ones(len(theirs), dtype=bool) if within is None else ~(wait[theirs] <= float(pd.Timedelta(within).value))
    once = (keys[theirs] >= 0) & (counts[np.maximum(keys[theirs], 0)] == 1)
    word, noise = re.compile(_WORD), re.compile(r"@\w+|https?://\S+|www\.\S+")
    signatures = agent.iloc[theirs].str.rsplit("/", n=1).str[-1].fillna("").to_numpy(dtype=object)

    def own_words(t: str, sig: str) -> bool:
        """At least :data:`_OWN_WORDS` words once @handles, links and the signature are taken out."""
        words = word.findall(noise.sub(" ", t))
        return len(words) - (sig in words) >= _OWN_WORDS

    own = once & slow & np.asarray([own_words(t, str(s)) for t, s in zip(text, signatures, strict=True)], dtype=bool)
    people = set(agent.iloc[theirs[own]].tolist())
    for j in np.flatnonzero(candidate[theirs]).tolist():
        who = str(agent.iloc[theirs[j]])
        sig = who.rsplit("/", 1)[-1].strip()
        if who in people and sig and re.search(rf"(?<!\w){re.escape(sig)}(?!\w)", text[j]):
            signed[theirs[j]] = True
    return signed


def automatic_flags(
    events: pd.DataFrame, *, min_repeats: int, within: pd.Timedelta | None, context: ReplyContext | None = None
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.object_]]:
    """Which brand events are automatic, and why (``"bot"``, ``"system"``, ``"repeated text"`` or ``""``).

    Automatic: the actor is ``bot`` or ``system`` (a ticketing system's acknowledgement, status
    change or trigger: never a person's reply), or the same brand account sent the same normalised text
    (:func:`normalise_text`) at least ``min_repeats`` times and, unless ``within`` is None, the
    median wait before those replies (from the customer message each answers) is at most
    ``within``, and the reply is not signed by a person (:func:`_signed_by_a_person`).
    ``context`` is the events' :class:`ReplyContext` when already computed.
    """
    ctx = context if context is not None else ReplyContext.of(events)
    brand = ~ctx.customer
    bot = actor_mask(events["actor"], "bot")
    system = actor_mask(events["actor"], SYSTEM)
    repeated = np.zeros(len(events), dtype=bool)
    # Only brand texts are compared (a regex pass over every row cost ~30 s at 1M events)
    rows = np.flatnonzero(brand)
    if len(rows):
        keys = _text_keys(events, rows)
        has_key = keys >= 0
        counts = np.bincount(keys[has_key], minlength=int(keys.max(initial=-1)) + 1)
        candidate = has_key.copy()  # brand events without text (media only, say, or blank) are never repeats
        candidate[has_key] = counts[keys[has_key]] >= min_repeats
        if within is not None:
            picked = np.flatnonzero(candidate)
            median = np.full(len(counts), np.nan)
            per_key = pd.Series(ctx.wait[rows[picked]]).groupby(keys[picked], sort=False).median()
            median[per_key.index.to_numpy(dtype=np.int64)] = per_key.to_numpy(dtype=np.float64)
            with np.errstate(invalid="ignore"):
                candidate[picked] = median[keys[picked]] <= float(pd.Timedelta(within).value)
        if "agent_id" in events.columns and "text" in events.columns and candidate.any():
            signed = _signed_by_a_person(events, rows, candidate, keys=keys, counts=counts, wait=ctx.wait[rows], within=within)
            candidate &= ~signed
        repeated[rows] = candidate
    auto = bot | system | repeated
    reason = np.select([bot, system, repeated], ["bot", "system", "repeated text"], default="").astype(object)
    return auto, reason


def opened_outside(events: pd.DataFrame, ctx: ReplyContext) -> npt.NDArray[np.bool_]:
    """Whether each event is a brand reply to a message that is not in its journey (``in_reply_to`` names none there).

    A journey (or conversation) whose first step is one opens outside the data (a slice of a
    corpus), or outside the journey (threads given that put a reply in another thread than its
    message): the customer's first contact is not in it. The rule reads the journey alone, as
    the service stages do (:func:`~journeymap.journeys.assign_stages`), on one machine or a cluster.
    """
    if "in_reply_to" not in events.columns:
        return np.zeros(len(events), dtype=bool)
    parent = ctx.parent
    elsewhere = (parent < 0) | (ctx.journey[np.maximum(parent, 0)] != ctx.journey)
    return np.asarray(~ctx.customer & events["in_reply_to"].notna().to_numpy(dtype=bool) & elsewhere, dtype=bool)


def reply_frame(events: pd.DataFrame, automatic: npt.NDArray[np.bool_], *, context: ReplyContext | None = None) -> pd.DataFrame:
    """Per event (indexed like the events): what a brand reply answers, its wait and the valence around it.

    Columns: ``brand`` (a brand event), ``automatic``, ``answers`` (position of the customer
    message it answers, -1 for none), ``wait_ns`` (NaN without one), ``valence_before`` and
    ``valence_after`` (the customer's last scored message before the event and first after it in
    its conversation; before a brand reply, the message it answers where that is later, as when
    a second brand answers a tweet addressed to both; NaN where none), ``first_acknowledgement`` and ``first_response`` (the brand
    reply of any kind, and the human one, that answers the journey's first customer message: the
    next in its conversation, as :func:`~journeymap.response_times` times it; in a journey that
    opens outside the data, :func:`opened_outside`, where that message is a follow-up, the
    journey's first brand reply of each kind, from its first step, the reply to the message
    outside, their waits unknown).
    ``context`` is the events' :class:`ReplyContext` when already computed.
    """
    ctx = context if context is not None else ReplyContext.of(events)
    customer, answered, wait = ctx.customer, ctx.answered, ctx.wait
    if "valence" in events.columns:
        valence = events["valence"].to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        valence = np.full(len(events), np.nan)
    scored = customer & ~np.isnan(valence)
    # the valence around a reply is its own thread's
    before, after = ctx.last_before(scored), ctx.first_after(scored)
    brand = ~customer
    # ... and a reply that names a scored customer message (a tweet to two brands, answered by the
    # second, sits in the first one's conversation) was written after that message whatever its conversation
    named = brand & (answered >= 0) & scored[np.maximum(answered, 0)]
    before = np.where(named, np.maximum(before, answered), before)
    # each journey's first customer message: the replies to it are its first acknowledgement and
    # first response, as response_times measures them (in its conversation, not any brand row after it)
    opening = ctx.openings()
    # ... but a journey that opens with a brand reply to a message outside it has its first
    # contact outside: its first message here is a follow-up; its first reply of each kind (that
    # one, and the first a person wrote, their waits unknown) are its first acknowledgement and
    # first response, as the service stages read them
    in_opened = np.zeros(len(events), dtype=bool)
    if len(events):
        outside_first = np.r_[True, ctx.journey[1:] != ctx.journey[:-1]] & opened_outside(events, ctx)
        opened = np.zeros(int(ctx.journey.max(initial=-1)) + 1, dtype=bool)
        opened[ctx.journey[outside_first]] = True
        opening = opening[~opened[ctx.journey[opening]]]
        in_opened = opened[ctx.journey]

    def first_of(replier: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        first = np.zeros(len(replier), dtype=bool)
        candidates = np.flatnonzero(replier & in_opened)  # rows in journey order: each journey's first
        first[candidates[np.unique(ctx.journey[candidates], return_index=True)[1]]] = True
        reply = ctx.next_reply(replier)[opening]
        first[reply[reply >= 0]] = True
        return first

    return pd.DataFrame(
        {
            "brand": brand,
            "automatic": automatic & brand,
            "answers": answered,
            "wait_ns": wait,
            "valence_before": np.where(before >= 0, valence[np.maximum(before, 0)], np.nan),
            "valence_after": np.where(after >= 0, valence[np.maximum(after, 0)], np.nan),
            "first_acknowledgement": first_of(brand),
            "first_response": first_of(brand & ~automatic),
        },
        index=events.index,
    )
