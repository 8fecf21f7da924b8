"""The build pipeline: :func:`build_journeys`, read top to bottom as its steps."""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING, Literal, overload

import numpy as np
import pandas as pd

from journeymap._threads import inherited_threads, nearest_up, not_before_ancestors, reply_tree
from journeymap._warnings import user_stacklevel
from journeymap.backends import dispatch
from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError, SchemaError
from journeymap.io._social import nearest_above, signed_parts
from journeymap.io._time import attrs_zone
from journeymap.io.eventlog import EventLog
from journeymap.io.sources import read_table, warn_case_variants
from journeymap.io.twcs import refresh_replies_outside
from journeymap.io.validation import validate_events
from journeymap.journeys._set import JourneySet
from journeymap.journeys._table import customer_mask, group_bounds, id_ranks, journey_table, take_rows
from journeymap.journeys.stages import assign_stages, resolve_stages
from journeymap.schema import JOURNEY_COLUMNS

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    import numpy.typing as npt

    from journeymap._threads import ReplyTree
    from journeymap._typing import DaskFrame
    from journeymap.distributed import DaskEventLog, DaskJourneySet
    from journeymap.model import StageModel

__all__ = [
    "OWNERS_FOUND",
    "REPLY_DEPTH",
    "REPLY_OUTSIDE",
    "STEP_TIME",
    "addressed_customers",
    "brand_rows_to_customers",
    "build_journeys",
    "check_by",
    "foreign_brand_rows",
    "gap_nanoseconds",
    "joined_thread_keys",
    "refreshed_reads",
    "replies_to_others",
    "step_times",
    "thread_keys",
    "with_joined_threads",
]

logger = logging.getLogger(__name__)

#: A column a backend may add: each event's depth in the reply forest of the whole input, used
#: instead of the depth within the rows at hand (a partition may not hold every parent).
REPLY_DEPTH = "__reply_depth__"
#: Likewise: each event's step time (ns) from the reply forest of the whole input (:func:`step_times`).
STEP_TIME = "__step_time__"
#: Likewise: whether each event's ``in_reply_to`` names an event that is not in the whole input
#: (a partition does not hold every parent: a reply to another thread's message is not one).
REPLY_OUTSIDE = "__reply_outside__"
#: Likewise, for ``by="customer"``: the brand rows' customers were found over the whole input
#: (:func:`brand_rows_to_customers`), so a partition leaves ``customer_id`` as it is.
OWNERS_FOUND = "__owners_found__"


def check_by(by: str) -> None:
    """Raise ValueError unless ``by`` is ``"thread"`` or ``"customer"``."""
    if by not in ("thread", "customer"):
        msg = f"by must be 'thread' or 'customer', got {by!r}"
        raise InvalidArgumentError(msg)


def gap_nanoseconds(gap: str | pd.Timedelta | dt.timedelta) -> int:
    """The inactivity gap in nanoseconds; raise ValueError unless it is a positive duration with a unit.

    A bare number (``5``, ``"5"``) is refused: pandas would read it as nanoseconds.

    Examples:
        >>> gap_nanoseconds("5min"), gap_nanoseconds(np.timedelta64(1, "s"))
        (300000000000, 1000000000)
    """
    bare = isinstance(gap, (int, float, np.number)) and not isinstance(gap, np.timedelta64)  # a timedelta64 has its unit
    if isinstance(gap, str):
        try:
            float(gap)
            bare = True
        except ValueError:
            pass
    if bare:
        msg = f"gap must be a duration with a unit, such as '5min', '12h' or '5D', got {gap!r} (a bare number is nanoseconds)"
        raise InvalidArgumentError(msg)
    try:
        gap_ns = int(pd.Timedelta(gap).value)
    except (ValueError, TypeError):
        msg = f"gap must be a duration such as '7D', '12h' or '30min', got {gap!r}"
        raise InvalidArgumentError(msg) from None
    if gap_ns <= 0:
        msg = f"gap must be a positive duration, got {gap!r}"
        raise InvalidArgumentError(msg)
    return gap_ns


def thread_keys(events: pd.DataFrame, tree: ReplyTree | None) -> pd.Series:
    """The thread of every event: its ``thread_id``, else its nearest ancestor's (or its replies'), else its tree root's id.

    A thread whose root replies to a message of another thread joins that one
    (:func:`joined_thread_keys`).
    """
    event_ids = events["event_id"]
    if "thread_id" in events.columns:
        key = events["thread_id"].astype("string")
        if tree is None:
            return key.fillna(event_ids)
        if key.isna().any():
            key = filled_thread_keys(key, event_ids, tree)
        return joined_thread_keys(key, event_ids, tree)
    if tree is not None:
        return pd.Series(event_ids.to_numpy()[tree.root], index=events.index, dtype="string")
    msg = "by='thread' needs a thread_id or in_reply_to column; use by='customer' for these events"
    raise SchemaError(msg)


def filled_thread_keys(key: pd.Series, event_ids: pd.Series, tree: ReplyTree) -> pd.Series:
    """``key`` (thread ids as strings, NA where missing) with every missing one filled from the reply tree.

    A reply without a thread id is in the thread of its nearest ancestor that has one, as the
    reply analytics read it (:func:`journeymap.analytics._replies.thread_codes`: a reply across
    threads is in its parent's thread, not its chain's root's); a message without one whose
    replies name one opens that thread (the first in sorted order where they name several, so
    in any row order); else it is in its tree root's thread, named by the root's ``event_id``.
    Shared by ``build_journeys(by="thread")`` on one machine and on a cluster.

    Examples:
        >>> from journeymap._threads import reply_tree
        >>> ids = pd.Series(["1", "2", "3", "4"])
        >>> tree = reply_tree(ids, pd.Series([None, "1", "2", None]))
        >>> filled_thread_keys(pd.Series([None, "T", None, None], dtype="string"), ids, tree).tolist()
        ['T', 'T', 'T', '4']
    """
    missing = key.isna().to_numpy(dtype=bool)
    key = key.copy()
    # codes in sorted order of the ids, so that an opener whose replies name two threads
    # takes the same one in any row order
    codes, uniques = pd.factorize(key, sort=True)
    codes = inherited_threads(codes.astype(np.int64), tree.parent, len(uniques))
    found = codes >= 0
    named = np.asarray(uniques, dtype=object)
    filled = named[np.maximum(codes, 0)] if len(named) else np.full(len(codes), None, dtype=object)
    root_ids = event_ids.astype("string").to_numpy(dtype=object)[tree.root]
    key[missing] = np.where(found, filled, root_ids)[missing]
    return key


def joined_thread_keys(key: pd.Series, event_ids: pd.Series, tree: ReplyTree) -> pd.Series:
    """``key`` (complete thread ids as strings) with every thread whose root replies into another thread joined to it.

    A thread's root is its event whose ``event_id`` is the thread's id. Where that event replies
    (``in_reply_to``) to an event of the data filed under another thread, the thread id is a
    reader's guess made without the parent: :func:`journeymap.read_twcs` names a thread by the
    root of the reply tree in its slice, so a week's reply to last week's tweet opens a "thread"
    of its own. Such a thread joins the thread of the message its root replies to, and so on up
    (week 3 into week 2 into week 1). A thread id that is no event's id of the thread (a ticket
    number, a chat session) is the source's own and stays; so do threads whose roots reply into
    one another in a ring. The result does not depend on row order. Shared by
    ``build_journeys(by="thread")`` on one machine and on a cluster; logs the threads joined.

    Examples:
        >>> from journeymap._threads import reply_tree
        >>> ids = pd.Series(["1", "2", "3", "4"])
        >>> tree = reply_tree(ids, pd.Series([None, "1", "2", "1"]))
        >>> # week 2's "2" and week 3's "3" guessed their own threads; ticket "T-9" stays the source's own
        >>> joined_thread_keys(pd.Series(["1", "2", "3", "T-9"], dtype="string"), ids, tree).tolist()
        ['1', '1', '1', 'T-9']
    """
    # the root of each thread: the event whose id is the thread's id and that is in it
    is_root = (key == event_ids.astype("string")).fillna(value=False).to_numpy(dtype=bool)
    parent = tree.parent
    rising = is_root & (parent >= 0) & ~tree.cyclic
    candidates = np.flatnonzero(rising)
    if not len(candidates):  # the common case, read without factorising every thread id
        return key
    values = key.astype("string")
    if not (values.iloc[candidates].to_numpy() != values.iloc[parent[candidates]].to_numpy()).any():
        return key
    codes, uniques = pd.factorize(key, sort=True)
    codes = codes.astype(np.int64)
    n_threads = len(uniques)
    rising &= codes[np.maximum(parent, 0)] != codes
    up = np.full(n_threads, -1, dtype=np.int64)
    up[codes[rising]] = codes[parent[rising]]
    top = nearest_up(up, up < 0)
    ring = up[top] >= 0  # a thread in, or leading into, a ring of threads replying into one another
    top = np.where(ring, np.arange(n_threads, dtype=np.int64), top)
    joined = top[codes] != codes
    if not joined.any():
        return key
    logger.info(
        "%d threads joined the thread of the message their first message replies to (%d events): their thread_id "
        "names their own first message, a reader's guess made without its parent (a weekly export, a slice of a "
        "corpus), and the parent is in the data under another thread",
        int((top != np.arange(n_threads)).sum()),
        int(joined.sum()),
    )
    out = key.copy()
    out[joined] = np.asarray(uniques, dtype=object)[top[codes[joined]]]
    return out


def _answered_customer_rows(
    parent: npt.NDArray[np.int64], thread: npt.NDArray[np.int64], is_customer: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int64]:
    """For every non-customer row, the customer message it answers in its thread (-1: none).

    The customer message its ``in_reply_to`` names, or, through a chain of brand messages
    answering one another (the second part of a reply split over two messages, a reply to the
    brand's own reply), the one the first of them answers, as :func:`journeymap.read_twcs` reads
    a brand tweet. The chain stops at a message of another thread. Customer rows get -1.
    """
    safe = np.maximum(parent, 0)
    in_thread = (parent >= 0) & (thread[safe] == thread)
    # climb through brand messages of the thread: stop at a customer message or at the chain's end
    climb = np.where(in_thread & ~is_customer, parent, -1)
    top = nearest_up(climb, is_customer)
    return np.where(is_customer[top] & ~is_customer, top, -1)


def addressed_customers(
    events: pd.DataFrame,
    thread: npt.NDArray[np.int64],
    tree: ReplyTree | None,
    tie: npt.NDArray[np.int64] | None = None,
) -> tuple[pd.Series, npt.NDArray[np.int64]]:
    """The customer each event belongs to within its thread, and each event's (thread, customer) group.

    ``thread`` holds the thread codes of the events. A customer's message is their own. A brand
    message answers the customer whose message its ``in_reply_to`` names in the thread, directly
    or through the brand messages it answers (a reply to the brand's own reply answers the
    customer that one answered, as :func:`journeymap.read_twcs` reads it), whatever its own
    ``customer_id`` says: in a thread where a second customer joins ("me too") and the brand
    answers them, the reply is the second customer's even when the export filled every brand row
    with the thread's first customer. A brand message whose reply chain reaches no customer
    message keeps its ``customer_id`` when that is one of the thread's customers; otherwise it
    goes where the brand message it answers went; a reply to a message that is not in the data
    (a slice of a corpus: the customer's first message is outside it), and a brand message of a
    thread without reply links, goes to the thread's first customer (the author of its earliest
    customer message; at equal times, of the event first in id order,
    :func:`~journeymap.journeys._table.id_ranks`; ``tie`` are the events' id ranks when already
    known). A brand message that replies to nothing (a broadcast that starts a thread), or to a
    message of another thread, keeps its ``customer_id``. Integer codes throughout: no string
    work per event.

    Examples:
        >>> events = pd.DataFrame({"event_id": ["1", "2", "3"], "customer_id": ["ann", "bob", "ann"],
        ...     "actor": ["customer", "customer", "agent"], "in_reply_to": [None, "1", "2"],
        ...     "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:05", "2024-01-01 10:10"], utc=True)})
        >>> tree = reply_tree(events["event_id"], events["in_reply_to"])
        >>> customer, groups = addressed_customers(events, np.zeros(3, dtype=np.int64), tree)
        >>> customer.tolist(), groups.tolist()  # the brand answers bob's message: bob's, whatever its customer_id
        (['ann', 'bob', 'bob'], [0, 1, 1])
    """
    codes, names = pd.factorize(events["customer_id"])
    who = codes.astype(np.int64)
    is_customer = customer_mask(events["actor"])
    width = len(names) + 1

    def pairs(customer: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return thread * width + customer + 1

    if not is_customer.all():
        own = pairs(who)
        ok = is_customer | pd.Index(pd.unique(own[is_customer])).get_indexer(pd.Index(own)) >= 0  # hashing, not sorting
        outside = np.zeros(len(events), dtype=bool)
        if tree is not None:
            parent = tree.parent
            safe = np.maximum(parent, 0)
            # The reply link decides: a brand message answers the customer whose message it replies
            # to (through the brand's own messages), even where its customer_id names another
            # customer of the thread.
            answered = _answered_customer_rows(parent, thread, is_customer)
            answers = answered >= 0
            moved = answers & ok & ~is_customer & (who != who[np.maximum(answered, 0)])
            if moved.any():
                logger.info(
                    "%d brand messages carry the customer_id of one customer of their thread but reply to another's "
                    "message; each goes to the customer it replies to",
                    int(moved.sum()),
                )
            who[answers] = who[answered[answers]]
            # A reply to a message that is not in the data (its in_reply_to names no event) goes to
            # the thread's customer below, unless its customer_id is one of theirs already.
            dangling = events[REPLY_OUTSIDE].to_numpy(dtype=bool) if REPLY_OUTSIDE in events.columns else tree.dangling
            outside = ~ok & ~answers & dangling & ~tree.cyclic
            # A brand post that starts the thread (a broadcast) stays the brand's own, and so does
            # one answering a message of another thread (the parent is elsewhere, as it would be
            # in another partition of a cluster).
            ok = ok | answers | ((parent < 0) & ~outside) | (thread[safe] != thread)
            if outside.any():
                who, ok = _to_first_customer(events, thread, who, ok, outside, tie=tie)
            # A brand message answering the brand's own message goes where that one went: an
            # update to a broadcast stays the brand's own, the second part of a reply stays with
            # the customer of the first. One round per step down a chain of brand messages.
            for _ in range(64):
                inherit = ~ok & (parent >= 0) & ~is_customer[safe] & ok[safe] & (thread[safe] == thread)
                if not inherit.any():
                    break
                who[inherit] = who[safe[inherit]]
                ok = ok | inherit
        if not ok.all():
            _say_guessed(thread, who, is_customer, ~ok)
            who, ok = _to_first_customer(events, thread, who, ok, ~ok, tie=tie)
    # taken from the unique names (an Arrow take), not built from a million Python strings
    customer = pd.Series(
        pd.array(np.asarray(names, dtype=object), dtype="string").take(np.where(who < 0, -1, who), allow_fill=True),
        index=events.index,
    )
    return customer, pd.factorize(pairs(who))[0].astype(np.int64)


def _say_guessed(
    thread: npt.NDArray[np.int64], who: npt.NDArray[np.int64], is_customer: npt.NDArray[np.bool_], guessed: npt.NDArray[np.bool_]
) -> None:
    """Log where brand messages of threads with several customers go to the first customer for want of a reply link.

    In a thread of one customer that is who the brand answers; with several it is a guess, and a
    reply to the second customer would give the first one a response time and leave the second
    unanswered.
    """
    customers = pd.Series(who[is_customer]).groupby(thread[is_customer]).nunique()
    shared = customers.index[customers.to_numpy() > 1]
    if not len(shared):
        return
    n = int((guessed & np.isin(thread, shared.to_numpy())).sum())
    if n:
        logger.warning(
            "%d brand messages in %d threads with several customers have no reply link (in_reply_to) saying whom they "
            "answer; each is filed under the thread's first customer. Give the events in_reply_to (the X API's "
            "referenced_tweets is read as it is) so that a reply to another customer is theirs",
            n,
            len(shared),
        )


def _to_first_customer(
    events: pd.DataFrame,
    thread: npt.NDArray[np.int64],
    who: npt.NDArray[np.int64],
    ok: npt.NDArray[np.bool_],
    rows_to_fill: npt.NDArray[np.bool_],
    *,
    tie: npt.NDArray[np.int64] | None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """``who`` and ``ok`` with ``rows_to_fill`` given their thread's first customer (where the thread has one)."""
    is_customer = customer_mask(events["actor"])
    ts = events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    rows = np.flatnonzero(is_customer)
    # the thread's earliest customer message; at equal times the first in id order (not the
    # input order, which the customer codes follow), so any row order gives the same result
    ranks = id_ranks(events["event_id"].iloc[rows]) if tie is None else tie[rows]
    order = rows[np.lexsort((ranks, ts[rows], thread[rows]))]
    first_row = order[np.r_[True, thread[order][1:] != thread[order][:-1]]] if len(order) else order
    first = np.full(int(thread.max(initial=-1)) + 1, -2, dtype=np.int64)
    first[thread[first_row]] = who[first_row]
    fallback = first[thread]
    fill = rows_to_fill & (fallback > -2)
    who = who.copy()
    who[fill] = fallback[fill]
    return who, ok | fill


def foreign_brand_rows(events: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """The non-customer rows whose ``customer_id`` is no customer's: no customer message carries it.

    An export that files each message under its author gives brand replies the brand's own
    account (``"AppleSupport"``, an agent's id) as ``customer_id``.

    Examples:
        >>> events = pd.DataFrame({"customer_id": ["ann", "Acme", "ann"], "actor": ["customer", "agent", "agent"]})
        >>> foreign_brand_rows(events).tolist()
        [False, True, False]
    """
    is_customer = customer_mask(events["actor"])
    if not is_customer.any():  # no customer at all: nothing to tell brand accounts from customers by
        return np.zeros(len(events), dtype=bool)
    codes, names = pd.factorize(events["customer_id"])  # integer codes: no Python string per row
    known = np.zeros(len(names) + 1, dtype=bool)  # the last slot is a missing id (code -1)
    known[codes[is_customer]] = True
    foreign: npt.NDArray[np.bool_] = ~is_customer & ~known[codes]
    return foreign


def replies_to_others(events: pd.DataFrame, tree: ReplyTree | None) -> npt.NDArray[np.bool_]:
    """The non-customer rows whose reply links lead to a customer message of another ``customer_id``.

    An export that files each message under its author gives an agent account that also writes
    as a customer elsewhere (a brand tweeting at another brand) a ``customer_id`` some customer
    message carries, so :func:`foreign_brand_rows` does not list its replies; their
    ``in_reply_to`` still says whom they answer.
    """
    if tree is None:
        return np.zeros(len(events), dtype=bool)
    return _crossing(events, _answered_anywhere(events, tree))


def _answered_anywhere(events: pd.DataFrame, tree: ReplyTree) -> npt.NDArray[np.int64]:
    """For every non-customer row, the customer message its reply links lead to, in any thread (-1: none)."""
    return _answered_customer_rows(tree.parent, np.zeros(len(events), dtype=np.int64), customer_mask(events["actor"]))


def _crossing(events: pd.DataFrame, anywhere: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """The rows whose answered customer message (``anywhere``, :func:`_answered_anywhere`) has another ``customer_id``."""
    codes = pd.factorize(events["customer_id"])[0]
    crossing: npt.NDArray[np.bool_] = (anywhere >= 0) & (codes[np.maximum(anywhere, 0)] != codes)
    return crossing


def brand_rows_to_customers(events: pd.DataFrame, tree: ReplyTree | None, tie: npt.NDArray[np.int64] | None = None) -> pd.Series:
    """``customer_id`` for ``by="customer"``: brand rows filed under no customer go to the customer they answer.

    A brand row whose reply links lead to a customer message of another ``customer_id`` goes to
    that customer (an agent account that also writes as a customer elsewhere, filed under its own
    name, :func:`replies_to_others`), as ``by="thread"`` reads it.
    A brand row whose ``customer_id`` is no customer's (:func:`foreign_brand_rows`) is given the
    customer ``by="thread"`` gives it (:func:`addressed_customers`): the one whose message it
    replies to, directly or through the brand's own messages (in any thread: journeys by
    customer are not parted by threads), else its thread's first customer (a reply to a message
    outside the data; a thread without reply links). Where nothing tells
    (no ``in_reply_to`` and no ``thread_id``) it keeps its ``customer_id`` with a ``UserWarning``
    naming those ids: each would be a "customer" whose journey holds that account's replies, and
    the customers it answered would look unanswered. A broadcast (a brand post replying to
    nothing) and a brand message of a thread without customers keep theirs, silently.

    Examples:
        >>> events = pd.DataFrame({"event_id": ["1", "2", "3"], "customer_id": ["ann", "Acme", "Acme"],
        ...     "actor": ["customer", "agent", "agent"], "in_reply_to": [None, "1", None],
        ...     "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:05", "2024-01-02 09:00"], utc=True)})
        >>> brand_rows_to_customers(events, reply_tree(events["event_id"], events["in_reply_to"])).tolist()
        ['ann', 'ann', 'Acme']
    """
    customer = events["customer_id"]
    foreign = foreign_brand_rows(events)
    anywhere = None if tree is None else _answered_anywhere(events, tree)  # computed once: crossing and moving read it
    crossing = np.zeros(len(events), dtype=bool) if anywhere is None else _crossing(events, anywhere)
    if not foreign.any() and not crossing.any():
        return customer
    if tree is not None or "thread_id" in events.columns:
        keys = thread_keys(events, tree)
        events = with_joined_threads(events, keys)
        thread = pd.factorize(keys)[0].astype(np.int64)
        addressed, _ = addressed_customers(events, thread, tree, tie)
        if anywhere is not None:
            # journeys by customer are not parted by threads: a reply to a customer's message of
            # another thread is that customer's too
            found = pd.Series(customer.astype("string").array.take(np.maximum(anywhere, 0)), index=events.index)
            addressed = addressed.where(anywhere < 0, found)
        moved = (foreign | crossing) & (addressed != customer.astype("string")).fillna(value=False).to_numpy(dtype=bool)
        if moved.any():
            logger.info(
                "by='customer': %d brand rows filed under no customer, or under another than the one they answer, "
                "go to the customer they answer",
                int(moved.sum()),
            )
        return customer.astype("string").where(~moved, addressed)
    counts = events["customer_id"][foreign].astype("string").value_counts()
    named = ", ".join(f"{name!r} ({n} rows)" for name, n in counts.head(5).items())
    more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
    warnings.warn(
        f"build_journeys(by='customer'): {int(foreign.sum())} agent/bot/system rows have a customer_id that no customer "
        f"message has: {named}{more}; each such id becomes a 'customer' whose journey holds its replies, and the "
        "customers it answered look unanswered. Give brand rows the customer_id of the customer they answer (a chat "
        "export naming the contact only on customer rows: fill the others from the conversation), or give the events "
        "an in_reply_to or thread_id column so that build_journeys can tell",
        UserWarning,
        stacklevel=user_stacklevel(),  # the caller of build_journeys, on one machine or on a cluster
    )
    return customer


def sort_order(
    group: npt.NDArray[np.int64], ts: npt.NDArray[np.int64], depth: npt.NDArray[np.int64], tie: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """``np.lexsort((tie, depth, ts, group))``: rows by group, then time, reply depth and id rank (non-negative codes).

    One stable argsort of a single integer key where the four fit in 63 bits (the times as dense
    ranks), instead of four passes over four keys; else two keys of two parts each.
    """
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    times, t_rank = np.unique(ts, return_inverse=True)
    t_rank = t_rank.astype(np.int64).reshape(-1)
    n_group, n_depth, n_tie = int(group.max()) + 1, int(depth.max()) + 1, int(tie.max()) + 1
    if min(int(group.min()), int(depth.min()), int(tie.min())) < 0:  # pragma: no cover - codes are never negative
        return np.lexsort((tie, depth, ts, group))
    high = group * len(times) + t_rank
    low = depth * n_tie + tie
    if n_group * len(times) * n_depth * n_tie < 2**63:
        return np.argsort(high * (n_depth * n_tie) + low, kind="stable")
    return np.lexsort((low, high))


def step_times(ts: npt.NDArray[np.int64], tree: ReplyTree | None) -> npt.NDArray[np.int64]:
    """The times steps are ordered by: a reply stamped before an ancestor sorts right after it.

    Systems' clocks disagree now and then, so a reply can carry an earlier stamp than the message
    it answers. Its own timestamp is kept (and reply waits count it as 0), but ordering by the
    stamp alone would put the answer first and leave the message looking unanswered.
    """
    if tree is None or not bool(((tree.parent >= 0) & ~tree.cyclic).any()):
        return ts
    has_parent = (tree.parent >= 0) & ~tree.cyclic
    early = has_parent & (ts < ts[np.maximum(tree.parent, 0)])
    if not early.any():
        return ts
    # a warning, not info: each such reply's wait is counted as 0 s in the service figures
    skew = ts[np.maximum(tree.parent, 0)][early] - ts[early]
    n_early, largest = int(early.sum()), int(skew.max()) / 1e9
    logger.warning(
        "%d %s stamped before the message they answer (clock skew, up to %s s); their steps come right "
        "after it and their waits count as 0 s in the response times",
        n_early,
        "reply is" if n_early == 1 else "replies are",
        f"{largest:,.0f}" if largest >= 1 else f"{largest:.3g}",
    )
    return not_before_ancestors(ts, tree)


def _order_steps(
    events: pd.DataFrame,
    tree: ReplyTree | None,
    threads: npt.NDArray[np.int64] | None,
    tie: npt.NDArray[np.int64],
    *,
    gap: str | pd.Timedelta | dt.timedelta,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Row order (journeys contiguous, steps by time), the journey code of each ordered row, times.

    ``threads`` are the (thread, customer) group codes of ``by="thread"``; None groups by
    customer, split at gaps longer than ``gap``. ``tie`` are the events' id ranks
    (:func:`~journeymap.journeys._table.id_ranks`), the last tie-breaker.
    """
    n = len(events)
    if REPLY_DEPTH in events.columns:
        depth = events[REPLY_DEPTH].to_numpy(dtype=np.int64)
    else:
        depth = tree.depth if tree is not None else np.zeros(n, dtype=np.int64)
    ts = events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    # Steps follow the clock, but never before the message they reply to.
    steps_ts = events[STEP_TIME].to_numpy(dtype=np.int64) if STEP_TIME in events.columns else step_times(ts, tree)
    # Last tie-breaker: the event id in id order (not the input order, so any row order gives the same result).
    if threads is not None:
        order = sort_order(threads, steps_ts, depth, tie)
        return order, threads[order], ts
    cust = pd.factorize(events["customer_id"])[0].astype(np.int64)
    order = sort_order(cust, steps_ts, depth, tie)
    gap_ns = gap_nanoseconds(gap)
    c, t = cust[order], steps_ts[order]
    new = np.r_[True, (c[1:] != c[:-1]) | (np.diff(t) > gap_ns)] if n else np.array([], dtype=bool)
    if tree is not None and n:
        # A reply to a message of the same customer's journey just before continues it however late
        # it comes: a brand answering after more than `gap` does not start a journey of its own.
        # (A reply to an older journey, with another one in between, still starts its own.)
        segment = np.cumsum(new) - 1  # the journeys the gaps alone make, in sorted order
        at = np.empty(n, dtype=np.int64)
        at[order] = np.arange(n)  # each row's position in sorted order
        parent = tree.parent[order]
        linked = (parent >= 0) & ~tree.cyclic[order]
        parent_segment = np.where(linked, segment[at[np.maximum(parent, 0)]], -1)
        gap_split = np.r_[False, (c[1:] == c[:-1])] & new
        continues = gap_split & linked & (parent_segment == np.r_[-1, segment[:-1]])
        new &= ~continues
    return order, np.cumsum(new).astype(np.int64) - 1, ts


def _number_journeys(
    events: pd.DataFrame,
    order: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int64],
    ts: npt.NDArray[np.int64],
    tie: npt.NDArray[np.int64],
) -> tuple[pd.DataFrame, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Journeys in journey order (start time, then first event id), with ``journey_id`` and ``step``.

    The rows are taken once, in their final order (a take of every column is the costly part).
    """
    n = len(events)
    starts, lengths = group_bounds(codes)
    first_rows = order[starts]
    # journeys by their earliest stamp (the first step's, but for clock skew), then first event id
    journey_order = np.lexsort((tie[first_rows], np.minimum.reduceat(ts[order], starts) if n else ts[first_rows]))
    rank = np.empty(len(starts), dtype=np.int64)
    rank[journey_order] = np.arange(len(starts))
    final = order[np.argsort(np.repeat(rank, lengths), kind="stable")]
    lengths = lengths[journey_order]
    new_starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64) if len(lengths) else np.array([], dtype=np.int64)
    ordered = take_rows(events, final)
    first_of_row = np.repeat(new_starts, lengths)
    ordered = ordered.assign(
        journey_id=pd.Series(ordered["event_id"].astype("string").array.take(first_of_row), index=ordered.index),
        step=(np.arange(n) - first_of_row + 1).astype(np.int64),
    )
    return ordered, (new_starts, lengths)


@overload
def build_journeys(
    log: EventLog | pd.DataFrame,
    *,
    by: Literal["thread", "customer"] = "thread",
    gap: str | pd.Timedelta | dt.timedelta = "7D",
    stages: StageModel | Mapping[str, str] | None = None,
) -> JourneySet: ...
@overload
def build_journeys(
    log: DaskEventLog | DaskFrame,
    *,
    by: Literal["thread", "customer"] = "thread",
    gap: str | pd.Timedelta | dt.timedelta = "7D",
    stages: StageModel | Mapping[str, str] | None = None,
) -> DaskJourneySet: ...
@dispatch
def build_journeys(
    log: EventLog | pd.DataFrame | DaskEventLog | DaskFrame,
    *,
    by: Literal["thread", "customer"] = "thread",
    gap: str | pd.Timedelta | dt.timedelta = "7D",
    stages: StageModel | Mapping[str, str] | None = None,
) -> JourneySet | DaskJourneySet:
    """Group events into ordered journeys and assign stages.

    Args:
        log: an :class:`~journeymap.EventLog` (or an events DataFrame, validated on the way).
        by: what rows are grouped by: ``"thread"``: one journey per customer in each
            conversation tree (``thread_id``, or the roots of ``in_reply_to`` when there is no
            ``thread_id``): in a thread where several customers write, each customer's journey
            holds their messages and the brand messages addressed to them (see
            :func:`addressed_customers`; a brand message's ``customer_id`` is set to the customer
            it answers: the one whose message it replies to, whatever its own ``customer_id``
            says; a reply to a message outside the data goes to the thread's customer, and its
            journey is ``opened_outside`` in :func:`~journeymap.response_times`). ``"customer"``:
            each customer's events, split wherever more than ``gap`` passes between two
            consecutive events. A brand (agent, bot or system) row whose ``customer_id`` is no
            customer's (an export that files each message under its author gives brand replies
            the brand's account) goes to the customer ``by="thread"`` would give it (see
            :func:`brand_rows_to_customers`): the brand account does not become a "customer"
            whose journey holds its replies. Where nothing tells whom it answers (no
            ``in_reply_to`` and no ``thread_id``), a ``UserWarning`` names those ids.
        gap: the inactivity gap for ``by="customer"`` (a pandas Timedelta or string like ``"7D"``):
            a new journey starts where more than ``gap`` passes between two consecutive events of
            the customer's rows, whoever wrote them (a brand reply or a system event keeps a
            journey open as a customer message does); a reply (``in_reply_to``) to a message of
            the same customer never starts a journey, however late it comes.
        stages: a :class:`~journeymap.model.StageModel`, a ``{touchpoint: stage}`` mapping, or
            None for the default service model (:meth:`StageModel.service`). An input's own
            ``stage`` column is replaced by the model's stages (``StageModel.from_column("stage",
            order=[...])`` keeps it), as its ``journey_id`` and ``step`` columns are by the
            journeys built, with a ``UserWarning`` where the values differ.

    A DataFrame is validated as :func:`~journeymap.io.validate_events` does (an invalid row raises
    a :class:`~journeymap.SchemaError`); the rows it keeps with a caveat (a score that is no
    number, such as ``"-0,8"``, read as unscored; a reply to an event not in the data), which
    :func:`~journeymap.read_events` lists in ``EventLog.warnings``, are logged as one WARNING
    naming the first five (row, column, reason, value). To keep them all, read the frame first,
    ``log = jm.read_events(frame)``, and pass ``log``. As there, a column named like a canonical
    one the frame lacks but for case, spaces, ``-`` or ``_`` (``"Text"``) is kept as an
    attribute with a ``UserWarning``, a named index (``df.set_index("event_id")``, or
    ``["customer_id", "event_id"]``) is read as its columns and an unnamed one is dropped, a
    column name that is not text (``0``, a tuple) is read as
    text (``"0"``) with a logged warning, and a tz-aware ``timestamp`` column in a zone other than
    UTC gives ``js.tz``.

    Steps are ordered by time, each event's time raised to that of the message it answers (a
    reply stamped before its parent, from clock skew, comes right after it and keeps its stamp).
    Events at the same time (exports with one-second stamps have many) are ordered by reply
    order (with ``in_reply_to``: a reply after what it replies to, at any depth), then by
    ``event_id`` in id order: ids made only of the digits 0-9 compare as numbers (``"9"``
    before ``"10"``: ticket numbers, tweet ids) and come before all other ids, which compare as
    text. ``journey_id`` is the ``event_id`` of a journey's first step in that order, and
    journeys are ordered by their earliest time, then by ``journey_id`` in id order. The result
    is deterministic: the same events in any row order give the same journeys (the input row
    order is not a tie-breaker: with text ids that do not sort in time, give events distinct
    times or an ``in_reply_to``). A dask DataFrame or
    :class:`~journeymap.distributed.DaskEventLog` gives a
    :class:`~journeymap.distributed.DaskJourneySet`, built on the cluster.

    Examples:
        >>> from journeymap.datasets import service_journeys
        >>> log = service_journeys(n_customers=50, seed=0)
        >>> js = build_journeys(log, by="thread")
        >>> list(js.events.columns[-3:]), len(js), len(js.events) == len(log.events)
        (['journey_id', 'step', 'stage'], 96, True)
        >>> second = js.events[js.events["journey_id"] == js.journeys.index[1]]
        >>> print(second[["journey_id", "step", "actor", "stage"]].to_string(index=False))
        journey_id  step    actor          stage
         e00000270     1 customer        contact
         e00000270     2    agent first_response
         e00000270     3    agent      follow_up
         e00000270     4 customer      follow_up
         e00000270     5    agent      follow_up
         e00000270     6 customer      follow_up
         e00000270     7    agent     resolution
        >>> len(build_journeys(log, by="customer"))  # a customer's threads less than 7 days apart join
        84
        >>> chat = pd.DataFrame({"event_id": ["1", "2"], "customer_id": ["ann", "Acme"], "actor": ["customer", "agent"],
        ...     "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z"], "in_reply_to": [None, "1"]})
        >>> build_journeys(chat, by="customer").events["customer_id"].tolist()  # Acme's reply is ann's
        ['ann', 'ann']
    """
    check_by(by)
    gap_nanoseconds(gap)  # checked whatever ``by``: a typo fails here, not when by="customer" is tried
    if isinstance(log, pd.DataFrame):
        # read_events' reading of a frame: a named index (df.set_index("event_id")) as its column(s),
        # an unnamed one dropped, a name 0 as "0" (with a warning)
        log = read_table(log)
        warn_case_variants(log.columns, stacklevel=user_stacklevel())  # "Text" is no "text": the caller of build_journeys
        log = validate_events(log, on_error="raise")
        _say_warnings(log)  # the EventLog is not returned: its caveats would be lost
    if not isinstance(log, EventLog):
        msg = f"log must be an EventLog or a DataFrame, got {type(log).__name__}"
        raise ArgumentTypeError(msg)
    return build_validated(log, by=by, gap=gap, stage_model=resolve_stages(stages))


def _say_warnings(log: EventLog) -> None:
    """Log the rows ``log`` kept with a caveat (its ``warnings``), the first five by row, column and reason."""
    notes = log.warnings
    if not len(notes):
        return
    shown = "; ".join(f"row {r.row}, column {r.column!r}: {r.reason} ({r.value!r})" for r in notes.head(5).itertuples())
    more = f" (and {len(notes) - 5:,} more)" if len(notes) > 5 else ""
    logger.warning(
        "build_journeys: %d of %d rows kept with a caveat: %s%s. Read the frame with journeymap.read_events(frame) "
        "and pass the EventLog to keep them all (EventLog.warnings)",
        notes["row"].nunique(),
        log.n_input,
        shown,
        more,
    )


def build_validated(
    log: EventLog, *, by: str, gap: str | pd.Timedelta | dt.timedelta, stage_model: StageModel, warn: bool = True
) -> JourneySet:
    """:func:`build_journeys` on a validated log, its arguments checked.

    ``warn=False`` leaves the warning about the input's own replaced columns to the caller (the
    Dask build says it once, for all partitions: see :func:`replaced_counts`).
    """
    events = log.events.drop(columns=[c for c in ("journey_id", "step") if c in log.events.columns])
    if stage_model.assign != "column" and "stage" in events.columns:
        events = events.drop(columns="stage")
    events = refresh_replies_outside(events)  # weekly exports combined: last week's question answered this week
    tree = reply_tree(events["event_id"], events["in_reply_to"]) if "in_reply_to" in events.columns else None
    threads = None
    tie = id_ranks(events["event_id"])
    if by == "thread":
        # One journey per customer and thread: bystanders in a multi-party thread get their own.
        keys = thread_keys(events, tree)
        events = with_joined_threads(events, keys)
        thread = pd.factorize(keys)[0].astype(np.int64)
        events = refreshed_reads(events, tree, thread, tie)  # weekly exports combined: a thread's brand, a split reply's agent
        customer, threads = addressed_customers(events, thread, tree, tie)
        events = events.assign(customer_id=customer)
    else:
        if tree is not None:
            own = thread_keys(events, tree) if "thread_id" in events.columns else None
            if own is not None and OWNERS_FOUND not in events.columns:
                # journeys by customer read threads too (a reply answers messages of its own thread)
                events = with_joined_threads(events, own)
            thread = pd.factorize(own)[0].astype(np.int64) if own is not None else tree.root
            events = refreshed_reads(events, tree, thread, tie)  # as by thread
        if OWNERS_FOUND not in events.columns:
            events = events.assign(customer_id=brand_rows_to_customers(events, tree, tie))
    order, codes, ts = _order_steps(events, tree, threads, tie, gap=gap)
    events = events.drop(columns=[REPLY_DEPTH, STEP_TIME, REPLY_OUTSIDE, OWNERS_FOUND], errors="ignore")
    ordered, bounds = _number_journeys(events, order, codes, ts, tie)
    ordered["stage"] = assign_stages(ordered, stage_model)
    if warn:
        _warn_replaced(log.events, ordered, stage_model)
    # a log without a zone: the one its events' attrs record (events of saved journeys, read back)
    tz = log.tz if log.tz is not None else attrs_zone(log.events)
    return JourneySet(ordered, journey_table(ordered, bounds=bounds), stage_model, by=by, tz=tz)


def refreshed_reads(
    events: pd.DataFrame, tree: ReplyTree | None, thread: npt.NDArray[np.int64], tie: npt.NDArray[np.int64]
) -> pd.DataFrame:
    """``events`` with the ``brand`` and ``agent_id`` a reader left missing for want of the rest of a thread filled in.

    :func:`journeymap.read_twcs` and the generic reader's ``brands=`` read a customer post's
    ``brand`` from the brand posts above it in the reply tree, else from its thread's earliest
    brand post, and give the unsigned parts of a reply split over posts ("1/2", "2/2 ^JB") the
    signature of the signed part. Read week by week and combined (``pd.concat`` of saved
    journeys' events), last week's question has its brand reply, and a split reply its signed
    part, in this week's export: the build reads them as a read of the exports together does.
    Only missing values are filled, and only with ``brand``, ``author_id`` and ``actor`` columns
    (and ``agent_id`` and ``text`` for the agents) and reply links (``tree``); ``thread`` holds
    the rows' thread codes, ``tie`` their id ranks (the earliest brand post at equal times). Logs
    the numbers filled. A brand a customer post took from its ``@handle`` for want of a brand
    post in its export stays.

    Examples:
        >>> events = pd.DataFrame({"event_id": ["1", "2", "3", "4"], "actor": ["customer", "agent", "agent", "agent"],
        ...     "author_id": ["115", "Brand", "Brand", "Brand"], "brand": [None, "Brand", "Brand", "Brand"],
        ...     "agent_id": [None, None, "Brand/JB", None], "in_reply_to": [None, "1", "2", "1"],
        ...     "text": ["late!", "@115 sorry 1/2", "@115 on it 2/2 ^JB", "@115 DM us"],
        ...     "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-08 10:00", "2024-01-08 10:01", "2024-01-08 11:00"])})
        >>> tree = reply_tree(events["event_id"], events["in_reply_to"])
        >>> out = refreshed_reads(events, tree, np.zeros(4, dtype=np.int64), np.arange(4))
        >>> out["brand"].tolist(), out["agent_id"].tolist()
        (['Brand', 'Brand', 'Brand', 'Brand'], [nan, 'Brand/JB', 'Brand/JB', nan])
    """
    if tree is None or not {"brand", "author_id", "actor"} <= set(events.columns):
        return events
    is_customer = customer_mask(events["actor"])
    filled: dict[str, pd.Series] = {}
    brand = events["brand"]
    has_brand = brand.notna().to_numpy(dtype=bool)
    brand_row = ~is_customer & has_brand
    missing = is_customer & ~has_brand
    if missing.any() and brand_row.any():
        # the brand whose post it answers, up the reply tree; else its thread's earliest brand post
        above = nearest_above(tree.parent, brand_row)
        rows = np.flatnonzero(brand_row)
        ts = events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)[rows]
        order = rows[np.lexsort((tie[rows], ts, thread[rows]))]
        first_row = order[np.r_[True, thread[order][1:] != thread[order][:-1]]]
        first = np.full(int(thread.max(initial=-1)) + 1, -1, dtype=np.int64)
        first[thread[first_row]] = first_row
        source = np.where(above >= 0, above, first[thread])
        fill = missing & (source >= 0)
        if fill.any():
            values = brand.to_numpy(dtype=object, copy=True)
            values[fill] = values[source[fill]]
            filled["brand"] = pd.Series(values, index=events.index).astype(brand.dtype)
            logger.info(
                "%d customer messages without a brand took the brand of the brand post above them or of their thread",
                int(fill.sum()),
            )
    if {"agent_id", "text"} <= set(events.columns):
        agent = _signed_split_replies(events, tree, thread, ~is_customer)
        if agent is not None:
            filled["agent_id"] = agent
    return events.assign(**filled) if filled else events


def _signed_split_replies(
    events: pd.DataFrame, tree: ReplyTree, thread: npt.NDArray[np.int64], brand: npt.NDArray[np.bool_]
) -> pd.Series | None:
    """``agent_id`` with unsigned parts of split replies signed (:func:`~journeymap.io._social.signed_parts`); None: unchanged.

    Only the threads where an unsigned brand post has a signed one beside it (its parent, a
    reply to it, or a reply to the same post) are read, so a build with none reads no text.
    """
    has_agent = events["agent_id"].notna().to_numpy(dtype=bool)
    signed = brand & has_agent
    unsigned = brand & ~has_agent
    if not signed.any() or not unsigned.any():
        return None
    # integer work only; signed_parts then reads the texts and accounts of the few threads found
    parent = tree.parent
    safe = np.maximum(parent, 0)
    has_parent = parent >= 0
    near = unsigned & has_parent & signed[safe]  # its parent is a signed brand post
    near[safe[signed & has_parent & unsigned[safe]]] = True  # a signed brand post replies to it
    answered_by_signed = np.zeros(len(events), dtype=bool)  # a signed brand post answers the same post
    answered_by_signed[parent[signed & has_parent]] = True
    near |= unsigned & has_parent & answered_by_signed[safe]
    if not near.any():
        return None
    agent = events["agent_id"].astype("string")
    rows = np.flatnonzero(np.isin(thread, thread[near]))
    position = np.full(len(events), -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    sub_parent = np.where(parent[rows] >= 0, position[safe[rows]], -1)
    sub = events.iloc[rows]
    got = signed_parts(agent.iloc[rows], sub["text"].astype("string"), sub["author_id"].astype("string"), brand[rows], sub_parent)
    changed = got.notna().to_numpy(dtype=bool) & agent.iloc[rows].isna().to_numpy(dtype=bool)
    if not changed.any():
        return None
    logger.info("%d parts of replies split over posts took the signature (agent_id) of their signed part", int(changed.sum()))
    values = events["agent_id"].to_numpy(dtype=object, copy=True)
    values[rows[changed]] = got.to_numpy(dtype=object)[changed]
    return pd.Series(values, index=events.index).astype(events["agent_id"].dtype)


def with_joined_threads(events: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """``events`` with the ``thread_id`` of the threads :func:`joined_thread_keys` joined set to the thread joined.

    The reply analytics read ``thread_id`` (a reply answers messages of its own thread), so the
    column says what the journeys were built from; a missing thread id stays missing.
    """
    if "thread_id" not in events.columns:
        return events
    own = events["thread_id"].astype("string")
    joined = (own.notna() & (own != keys)).to_numpy(dtype=bool)
    if not joined.any():
        return events
    return events.assign(thread_id=own.mask(joined, keys))


def replaced_columns(original: pd.DataFrame, stage_model: StageModel) -> list[str]:
    """The input's own ``journey_id``, ``step`` and ``stage`` columns that the build replaces."""
    return [c for c in JOURNEY_COLUMNS if c in original.columns and (c != "stage" or stage_model.assign != "column")]


def replaced_counts(original: pd.DataFrame, ordered: pd.DataFrame, stage_model: StageModel) -> tuple[dict[str, int], bool]:
    """Per replaced column (:func:`replaced_columns`), the rows whose value changed; and whether the input's stages are own.

    The second item: whether every stage of the input names a stage of ``stage_model`` (journeymap's own).
    """
    columns = replaced_columns(original, stage_model)
    counts: dict[str, int] = {}
    if not columns:
        return counts, True
    at = pd.Index(original["event_id"].astype("string")).get_indexer(pd.Index(ordered["event_id"].astype("string")))
    for column in columns:
        if column == "step":  # compared as numbers: a step saved as 1.0 is step 1
            before = pd.Series(pd.to_numeric(original[column], errors="coerce").to_numpy(dtype=np.float64)[at])
            after = pd.Series(ordered[column].to_numpy(dtype=np.float64))
        else:
            before = pd.Series(original[column].astype("string").array.take(at))
            after = pd.Series(ordered[column].astype("string").array)
        counts[column] = int((before.notna() & (before != after).fillna(value=True)).sum())
    own_stages = set(original["stage"].dropna().astype(str)) <= set(stage_model.names) if "stage" in columns else True
    return counts, own_stages


def _warn_replaced(original: pd.DataFrame, ordered: pd.DataFrame, stage_model: StageModel) -> None:
    """Warn where the input's own ``journey_id``, ``step`` or ``stage`` column said otherwise than what replaced it.

    journeymap writes these three; an input that carries them (a rebuild of built journeys, or a
    source with its own) has them replaced, which is news only where the values change.
    """
    warn_replaced(*replaced_counts(original, ordered, stage_model))


def warn_replaced(counts: Mapping[str, int], own_stages: bool) -> None:
    """The warning of :func:`build_journeys` for the input's own columns whose values the build changed (``counts``)."""
    changed = [f"{column!r} ({n} rows)" for column, n in counts.items() if n]
    if changed:
        # the hint is for a source's own stages, not for journeymap's own (a rebuilt subset, another by=)
        hint = (
            "; to keep the source's stages pass stages=StageModel.from_column('stage', order=[...])"
            if not own_stages and any(c.startswith("'stage'") for c in changed)
            else ""
        )
        warnings.warn(
            f"build_journeys replaced the input's own {', '.join(changed)} with the journeys it built{hint}",
            UserWarning,
            stacklevel=user_stacklevel(),  # the caller of build_journeys
        )
