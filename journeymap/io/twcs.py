"""Reading the Customer Support on Twitter (TWCS) corpus format: :func:`read_twcs`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeymap._threads import reply_tree
from journeymap.backends import dispatch
from journeymap.exceptions import SchemaError
from journeymap.io import _regex
from journeymap.io._social import addressed_rows, brand_agents, extract_on, nearest_above, signed_parts
from journeymap.io._time import parse_timestamps
from journeymap.io.sources import read_table
from journeymap.io.validation import (
    Problems,
    as_id,
    as_text,
    check_on_error,
    check_unique_columns,
    duplicate_reason,
    float_written_ids,
    read_flags,
    rejected_times,
    validate_events,
)
from journeymap.schema import ADDRESSED, DM_PATTERN, REPLY_OUTSIDE_DATA, input_names, log_kept

if TYPE_CHECKING:
    import os

    from journeymap.io.eventlog import EventLog, OnError

logger = logging.getLogger(__name__)

__all__ = ["DM_PATTERN", "THREAD_TOUCHPOINTS", "TWCS_COLUMNS", "read_twcs"]

TWCS_COLUMNS: tuple[str, ...] = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "in_response_to_tweet_id",
)
#: The touchpoints :func:`read_twcs` writes: places in a thread (a first tweet, a later one, a
#: reply), not parts of the service.
THREAD_TOUCHPOINTS = frozenset({"mention", "follow_up", "public_reply", "dm_request", "broadcast"})


def _clean_ids(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Tweet ids as :func:`as_id` reads them; one written as a float (``"119237.0"``) is its digits, even beside other text."""
    ids, wrong = as_id(raw)
    ids, inexact = float_written_ids(ids, whole_column=False)
    return ids, wrong | inexact


def _unescaped(text: pd.Series) -> pd.Series:
    """Tweets as written: the corpus stores them HTML-escaped (``&amp;``, ``&gt;``, ``&lt;``).

    Decoded once here, so charts quote "&" and the report escapes it once, and the emotion and
    topic models read the customer's own characters.

    Examples:
        >>> _unescaped(pd.Series(["fees &amp; charges &gt; promised", "no entity", None], dtype="string")).tolist()
        ['fees & charges > promised', 'no entity', <NA>]
    """
    import html

    escaped = text.str.contains("&", regex=False).fillna(False).to_numpy(dtype=bool)
    if not escaped.any():
        return text
    out = text.copy()
    out[escaped] = [html.unescape(t) for t in text[escaped]]
    return out


def _replies_outside(responses: pd.Series, ids: pd.Series) -> pd.Series:
    """Whether each tweet's ``response_tweet_id`` names a reply that is not among ``ids``.

    Examples:
        >>> _replies_outside(pd.Series(["2", "3,9", None]), pd.Series(["1", "2", "3"])).tolist()
        [False, True, False]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    # split by Arrow: pandas' str.split and explode build a Python list per tweet
    parts = pc.split_pattern(pa.array(responses.astype("string").array), ",")
    parent = np.asarray(pc.list_parent_indices(parts), dtype=np.int64)
    listed = _clean_ids(pd.Series(pc.list_flatten(parts).to_pandas(), dtype="string"))[0]
    # Arrow's hash lookup: pandas' isin on Arrow strings goes through a Python list of the values
    known = pa.array(ids.dropna().astype("string").unique(), type=pa.large_string())
    found = pc.is_in(pa.array(listed.astype(object).where(listed.notna(), None), type=pa.large_string()), value_set=known)
    inside = np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    outside = listed.notna().to_numpy(dtype=bool) & (listed != "").fillna(False).to_numpy(dtype=bool) & ~inside
    return pd.Series(np.bincount(parent[outside], minlength=len(responses)) > 0, index=responses.index)


def refresh_replies_outside(events: pd.DataFrame) -> pd.DataFrame:
    """``events`` with ``reply_outside_data`` cleared where every reply its ``response_tweet_id`` lists is in the events.

    :func:`read_twcs` marks a tweet whose replies are not in its file; read week by week and
    combined (``pd.concat`` of saved journeys' events), last week's question has this week's
    answer in the data and is answered there, as :func:`read_twcs` on the raw exports together
    says. A flag is only cleared (a tweet whose replies were all in its file still has them), and
    only in a boolean column beside a ``response_tweet_id`` one; other events are returned as
    they are. Logs the number cleared. :func:`journeymap.build_journeys` calls it.

    Examples:
        >>> events = pd.DataFrame({"event_id": ["1", "2", "3"], "response_tweet_id": ["2", "3,9", None],
        ...     "reply_outside_data": [True, True, False]})
        >>> refresh_replies_outside(events)["reply_outside_data"].tolist()  # 9 is still outside
        [False, True, False]
    """
    if REPLY_OUTSIDE_DATA not in events.columns or "response_tweet_id" not in events.columns:
        return events
    flag = events[REPLY_OUTSIDE_DATA]
    if not pd.api.types.is_bool_dtype(flag.dtype):
        return events
    marked = flag.fillna(value=False).to_numpy(dtype=bool)
    if not marked.any():
        return events
    rows = np.flatnonzero(marked)
    still = _replies_outside(events["response_tweet_id"].iloc[rows], events["event_id"]).to_numpy(dtype=bool)
    if still.all():
        return events
    logger.info(
        "%d messages marked reply_outside_data have all their replies (response_tweet_id) in the data: "
        "no longer marked (the events of several exports combined)",
        int((~still).sum()),
    )
    refreshed = marked.copy()
    refreshed[rows[~still]] = False
    return events.assign(**{REPLY_OUTSIDE_DATA: pd.Series(refreshed, index=events.index).astype(flag.dtype)})


def _standing_copies(ids: pd.Series, created_at: pd.Series, problems: Problems) -> tuple[np.ndarray, np.ndarray]:
    """The rows the reply tree is built on: each tweet id once, in the copy that validation keeps.

    A repeated ``tweet_id`` stands for its first copy that passes the checks of its own row (this
    reader's so far, noted in ``problems``, and the time's: a copy with an unparseable
    ``created_at`` does not count), as :func:`~journeymap.io.validate_events` decides; else for
    its first copy (then every copy is rejected for its own reasons). ``ids`` are the usable ids
    (NA where none); rows are numbered from 0, as :func:`~journeymap.io.read_table` numbers them.

    Returns:
        Whether each row is in the tree, and for each later copy of a kept one the row of the
        copy kept (-1 for the other rows).

    Examples:
        >>> ids = pd.Series(["1", "1", "2", "1"], dtype="string")
        >>> times = pd.Series(["no time", "2024-01-01", "2024-01-01", "2024-01-02"])
        >>> usable, kept = _standing_copies(ids, times, Problems())
        >>> usable.tolist(), kept.tolist()
        ([False, True, True, False], [-1, -1, -1, 1])
    """
    present = ids.notna().to_numpy(dtype=bool)
    later_of = np.full(len(ids), -1, dtype=np.int64)
    repeated = present & ids.duplicated(keep=False).to_numpy(dtype=bool)
    if not repeated.any():  # the usual case: one hash pass
        return present, later_of
    rows = np.flatnonzero(repeated)
    copies = pd.Series(ids.to_numpy(dtype=object)[rows], index=rows)
    fails = rejected_times(created_at.iloc[rows].set_axis(rows)).to_numpy(dtype=bool) | np.isin(rows, problems.rows())
    passing = copies[~fails]
    kept = passing[~passing.duplicated(keep="first")]
    kept_row = copies.map(pd.Series(kept.index, index=kept.to_numpy())).fillna(-1).to_numpy(dtype=np.int64)
    first = copies[~copies.duplicated(keep="first")]
    first_row = copies.map(pd.Series(first.index, index=first.to_numpy())).to_numpy(dtype=np.int64)
    standing = np.where(kept_row >= 0, kept_row, first_row)
    later = (kept_row >= 0) & (rows > kept_row)
    later_of[rows[later]] = kept_row[later]
    usable = present & ~repeated
    usable[rows[standing == rows]] = True
    return usable, later_of


def _keep_extras(frame: pd.DataFrame, canonical: pd.DataFrame) -> None:
    """Add the input's other columns to ``canonical``; one named like a column read_twcs writes is kept as ``<name>_input``.

    (``_input2``, ... when that name is taken too), with a WARNING, as :func:`journeymap.score`
    keeps the input's own columns of the names it writes.

    Examples:
        >>> canonical = pd.DataFrame({"actor": ["agent"]})
        >>> _keep_extras(pd.DataFrame({"text": ["hi"], "actor": ["me"], "lang": ["en"]}), canonical)
        >>> canonical.columns.tolist()
        ['actor', 'actor_input', 'lang']
    """
    extras = [c for c in frame.columns if c not in TWCS_COLUMNS]
    kept = input_names(extras, set(canonical.columns), taken=[*frame.columns, *canonical.columns])
    for extra in extras:
        canonical[kept.get(str(extra), extra)] = frame[extra]
    log_kept(logger, kept, "read_twcs")


@dispatch
def read_twcs(  # noqa: PLR0915 - one pass over the columns, read top to bottom
    path_or_frame: pd.DataFrame | str | os.PathLike[str], *, on_error: OnError = "collect"
) -> EventLog:
    """Read the Customer Support on Twitter format into an :class:`~journeymap.EventLog`.

    Columns: ``tweet_id``, ``author_id``, ``inbound``, ``created_at``, ``text``,
    ``in_response_to_tweet_id`` (``response_tweet_id`` is optional and kept as an attribute).

    * ``addressed``: False for a customer tweet addressed to no brand: neither it nor any tweet
      above it in the reply tree is a brand's, has a brand's reply or names an ``@handle`` other
      than a customer's of the data (the corpus anonymises brands' handles as numbers too,
      ``@76099``), and the chain stays in the data.
      A bystander's remark in a thread the brand answered for someone else is one: without a
      reply it waits for none (:data:`journeymap.schema.ADDRESSED`).
    * ``reply_outside_data`` (with ``response_tweet_id``): the tweet has replies that are not in
      the data (a slice of the corpus); the reply analytics then count it as neither answered
      nor unanswered (see :data:`journeymap.schema.REPLY_OUTSIDE_DATA`).

    * ``actor`` is ``customer`` for inbound tweets and ``agent`` for the brand's.
    * ``customer_id`` of a brand reply is the author of the customer tweet it answers, directly
      or through the brand's own replies (the second part of a reply split over two tweets
      answers the customer the first part answered), else the ``@number`` it is addressed to.
    * ``brand`` (an attribute) is the brand a tweet is addressed to: for a brand tweet its
      account; for a customer tweet the account of the brand tweet it answers (directly, or
      through the customer's own earlier tweets: in a thread with two brands a reply to one is
      not the other's), else of the thread's earliest brand tweet, else the first ``@handle``
      it names, spelt as the brand account of the data it matches in any case ("@amazonhelp":
      ``AmazonHelp``). ``author_id`` is kept as well.
    * ``text`` is the tweet as written: the corpus's HTML escapes (``&amp;``, ``&gt;``) decoded.
    * ``thread_id`` is the root of the reply tree in the data; ``in_reply_to`` the parent id.
    * ``touchpoint``: ``mention`` (a customer opening a thread, or joining another customer's
      thread with their first tweet there), ``follow_up`` (a customer's later
      tweet, and a customer's reply to a tweet outside the data), ``public_reply`` or
      ``dm_request`` (a brand reply asking to move to private messages), ``broadcast`` (a brand
      post that replies to nobody and names no customer, and a customer's reply to it: such
      journeys start there); ``channel`` is ``twitter``.
    * ``agent_id``: the agent who signed a brand tweet (``^JB``, ``-Becky``; see
      :func:`~journeymap.io._social.agent_ids`), as ``"<brand account>/<signature>"``; the unsigned parts of a reply
      split over tweets ("1/2 ... 2/2 ^JB") take the signature of the signed part. A closing
      word ("- Thanks!") or a place after a dash ("Euston - Glasgow") signs nobody. A comma
      sign-off at the end ("Thanks, Sam", "Cheers, Sam") signs, unless the tweet, or the
      customer's tweet it answers, names Sam too (the reply thanks the customer).
    * A broadcast belongs to the brand account (its ``customer_id``), in a journey of its own.

    Any slice of the corpus has replies whose parent is missing: such a tweet starts its own
    thread and is listed in ``EventLog.warnings``. Rows that cannot be used (a reply cycle, a
    brand reply whose customer cannot be told, an unparseable time) go to ``EventLog.rejects``;
    ``on_error`` defaults to ``"collect"`` because corpus slices routinely have them. A repeated
    ``tweet_id`` is kept in its first copy that passes the checks of its own row (id, author,
    ``inbound``, text, time), and the reply tree (``thread_id``, the customer of a brand reply)
    is built on that copy; the copies after it are rejected as its duplicates (also where the
    kept copy is then rejected as a brand reply whose customer cannot be told).

    Examples:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"tweet_id": [1, 2], "author_id": ["115712", "AskBrand"],
        ...     "inbound": [True, False], "text": ["@AskBrand my bill is wrong", "@115712 sorry!"],
        ...     "created_at": ["Wed Oct 11 06:55:44 +0000 2017", "Wed Oct 11 07:05:44 +0000 2017"],
        ...     "in_response_to_tweet_id": [None, 1]})
        >>> read_twcs(df).events[["customer_id", "actor", "brand"]].values.tolist()
        [['115712', 'customer', 'AskBrand'], ['115712', 'agent', 'AskBrand']]
    """
    check_on_error(on_error)
    problems = Problems()
    # a malformed CSV row (too few fields, a stray quote) is kept in place and noted, then rejected
    # with its reason, as read_events does: one broken line must not stop a corpus
    frame = read_table(path_or_frame, problems=problems if on_error == "collect" else None)
    check_unique_columns(frame)
    missing = [c for c in TWCS_COLUMNS if c not in frame.columns]
    if missing:
        msg = f"not the TWCS format: missing column(s) {missing}; found columns: {list(map(str, frame.columns))}"
        raise SchemaError(msg)
    n = len(frame)
    ids, wrong_id = _clean_ids(frame["tweet_id"])
    parent_ids, wrong_parent = _clean_ids(frame["in_response_to_tweet_id"])
    problems.add(wrong_parent, "in_response_to_tweet_id", "wrong type: expected a tweet id", frame["in_response_to_tweet_id"])
    inbound = read_flags(frame["inbound"])[0]  # missing or unreadable: NA, rejected below
    problems.add(inbound.isna(), "inbound", "expected True or False", frame["inbound"])
    author, wrong_author = as_id(frame["author_id"])
    problems.add(wrong_author | author.isna(), "author_id", "missing or invalid author_id", frame["author_id"])
    raw_text, wrong_text = as_text(frame["text"])
    if wrong_text.any():  # a number or a list is no tweet: rejected, as read_events rejects it
        got = frame.loc[wrong_text, "text"].map(lambda v: type(v).__name__)
        problems.add(wrong_text, "text", "wrong type: text must be a string, got " + got, frame["text"])
    text = _unescaped(raw_text)

    # The reply tree over rows with a usable id, each id once: the copy validation keeps (the
    # others are rejected by validation, the later copies of a repeated id as its duplicates).
    usable, later_of = _standing_copies(ids.mask(wrong_id), frame["created_at"], problems)
    pos = np.flatnonzero(usable)
    tree = reply_tree(ids.iloc[pos].reset_index(drop=True), parent_ids.iloc[pos].reset_index(drop=True))
    thread_id = pd.Series(pd.NA, index=frame.index, dtype="string")
    thread_id.iloc[pos] = ids.iloc[pos].to_numpy()[tree.root]
    parent_row = np.full(n, -1, dtype=np.int64)
    parent_row[pos] = np.where(tree.parent >= 0, pos[np.maximum(tree.parent, 0)], -1)
    root_row = np.arange(n, dtype=np.int64)
    root_row[pos] = pos[tree.root]
    depth = np.zeros(n, dtype=np.int64)
    depth[pos] = tree.depth
    dangling = np.zeros(n, dtype=bool)
    dangling[pos] = tree.dangling

    is_customer = inbound.fillna(False).to_numpy(dtype=bool)
    author_arr = author.to_numpy(dtype=object)
    has_parent = parent_row >= 0
    # the customer a brand tweet answers: the nearest customer's tweet above it in the reply tree
    # (a brand reply to the brand's own reply, as in a reply split over two tweets, answers the
    # customer the first part answered, not the thread's first customer)
    nearest = np.where(has_parent, nearest_above(parent_row, is_customer)[np.maximum(parent_row, 0)], -1)
    answers_customer = (nearest >= 0) & author.notna().to_numpy()[np.maximum(nearest, 0)]
    # the @number a brand tweet opens with: the customer it addresses (customers' own are not read)
    mention = extract_on(text, ~is_customer, r"^\s*@(?P<customer>\d+)\b")
    # A brand post that replies to nothing and addresses no customer: a broadcast (a campaign,
    # an outage notice). It is kept as the brand's own event; customers' replies to it start
    # their journeys at the "broadcast" touchpoint.
    brand_post = ~is_customer & inbound.notna().to_numpy()
    broadcast = brand_post & ~has_parent & ~dangling & mention.isna().to_numpy()
    in_broadcast = broadcast[root_row]
    customer = pd.Series(
        np.select(
            [is_customer, answers_customer, mention.notna().to_numpy(), in_broadcast],
            [
                author_arr,
                author_arr[np.maximum(nearest, 0)],
                mention.to_numpy(dtype=object),
                author_arr[root_row],
            ],
            default="",
        ),
        index=frame.index,
    ).astype("string")
    customer = customer.mask(customer == "")
    unknown_customer = customer.isna() & ~inbound.isna() & ~is_customer  # a customer without an author is rejected above
    problems.add(
        unknown_customer,
        "author_id",
        "brand reply whose customer cannot be told (it answers a tweet outside the data and names no @number)",
        frame["author_id"],
    )
    # the later copies of a kept tweet rejected here are its duplicates: validation would keep the
    # next copy, on which the reply tree was not built
    orphans = (later_of >= 0) & unknown_customer.to_numpy(dtype=bool)[np.maximum(later_of, 0)]
    if orphans.any():
        first_seen = pd.Series(later_of, index=frame.index)
        problems.add(pd.Series(orphans, index=frame.index), "event_id", duplicate_reason(first_seen), frame["tweet_id"])

    # the thread's brand: the account of its earliest brand tweet (the file's row order is no clock:
    # corpus files list replies before the tweets they answer)
    brand_rows = pd.DataFrame({"thread": thread_id, "author": author, "id": ids})[brand_post]
    brand_rows["t"] = parse_timestamps(frame.loc[brand_post, "created_at"])
    brand_rows = brand_rows.dropna(subset=["thread", "author"]).sort_values(["t", "id"], na_position="last", kind="stable")
    thread_brand = brand_rows.drop_duplicates("thread").set_index("thread")["author"]
    # A customer tweet is addressed to the brand whose tweet it answers, directly or through the
    # customer's own earlier tweets (in a thread with two brands, a reply to one is not the
    # other's); a tweet with no brand tweet above it, to the thread's brand.
    answered_brand = np.where(has_parent, nearest_above(parent_row, brand_post)[np.maximum(parent_row, 0)], -1)
    thread_brands = thread_id.map(thread_brand).to_numpy(dtype=object)
    addressed = np.where(answered_brand >= 0, author_arr[np.maximum(answered_brand, 0)], thread_brands)
    brand_of_thread = np.where(is_customer, addressed, author_arr)
    brand = pd.Series(brand_of_thread, index=frame.index, dtype="string")
    # else the first @handle the customer names
    named = extract_on(text, is_customer & brand.isna().to_numpy(dtype=bool), r"@(?P<brand>[A-Za-z_]\w*)")
    # handles are case-insensitive: "@amazonhelp" is the brand account AmazonHelp of the data
    accounts = pd.Series(author[brand_post].dropna().unique(), dtype="string")
    spelling = pd.Series(accounts.to_numpy(dtype=object), index=accounts.str.lower().to_numpy(dtype=object))
    spelling = spelling[~spelling.index.duplicated()]
    named = named.str.lower().map(spelling).astype("string").fillna(named)
    brand = brand.fillna(named)

    # the first tweet of its thread; a reply whose parent is outside the data is a later tweet.
    # A customer who joins another customer's thread ("me too") opens their own journey there:
    # their shallowest tweet in a thread that belongs to another customer is a mention too,
    # whether it answers that customer or the brand's reply to them.
    opener = (root_row == np.arange(n)) & ~dangling
    authors = author.astype("string").reset_index(drop=True)
    thread_customer = pd.Series(customer.to_numpy(dtype=object)[root_row], dtype="string")
    joins = is_customer & has_parent & (thread_customer != authors).fillna(False).to_numpy(dtype=bool)
    if joins.any():
        keys = pd.DataFrame({"root": root_row, "author": authors.to_numpy(dtype=object), "depth": depth})
        shallowest = keys.groupby(["root", "author"], sort=False, dropna=False)["depth"].transform("min").to_numpy()
        opener |= joins & (depth == shallowest)
    # a customer tweet addressed to no brand (a bystander's remark in a thread the brand answered
    # for someone else) waits for no reply of the brand's
    customers = author[is_customer]
    addressed = addressed_rows(text, parent_row, customer=is_customer, brand=brand_post, dangling=dangling, customers=customers)
    dm = np.zeros(n, dtype=bool)  # a brand reply asking to move to private messages (customers' DMs do not move)
    dm[~is_customer] = _regex.contains(text[~is_customer], DM_PATTERN)
    answers_broadcast = is_customer & has_parent & broadcast[np.maximum(parent_row, 0)]
    touchpoint = np.select(
        [broadcast | answers_broadcast, is_customer & opener, is_customer, dm],
        ["broadcast", "mention", "follow_up", "dm_request"],
        default="public_reply",
    )  # the names of THREAD_TOUCHPOINTS
    canonical = pd.DataFrame(
        {
            "event_id": ids.mask(wrong_id),
            "customer_id": customer.fillna("?"),
            "timestamp": frame["created_at"],
            "actor": np.where(is_customer, "customer", "agent"),
            "channel": "twitter",
            "touchpoint": touchpoint,
            "text": text,
            "thread_id": thread_id,
            "in_reply_to": parent_ids,
            "agent_id": signed_parts(
                brand_agents(text, author, brand_post, nearest, parent_row), text, author, brand_post, parent_row
            ),
            "brand": brand,
            "author_id": author,
        },
        index=frame.index,
    )
    canonical[ADDRESSED] = addressed
    if "response_tweet_id" in frame.columns:
        canonical[REPLY_OUTSIDE_DATA] = _replies_outside(frame["response_tweet_id"], ids.mask(wrong_id))
    if wrong_id.any():
        problems.add(wrong_id, "tweet_id", "wrong type: expected a tweet id", frame["tweet_id"])
    _keep_extras(frame, canonical)
    log = validate_events(
        canonical,
        on_error=on_error,
        problems=problems,
        source_columns={"event_id": "tweet_id", "timestamp": "created_at", "in_reply_to": "in_response_to_tweet_id"},
    )
    if len(log.warnings):
        logger.info("%d replies point to tweets outside the data; see EventLog.warnings", len(log.warnings))
    return log
