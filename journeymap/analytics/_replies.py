"""Brand replies one by one, the halves shared by the service analytics (vectorised, no loop per event).

Every function here takes the events of a JourneySet, which are sorted by journey and step, so
each journey's rows are contiguous: "before" and "after" are row positions within a journey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "UNSIGNED",
    "account_of",
    "automatic_flags",
    "first_after",
    "is_customer",
    "journey_codes",
    "last_before",
    "normalise_text",
    "reply_frame",
]

#: The agent of a brand reply that names none (no ``agent_id``).
UNSIGNED = "(unsigned)"
_URL = r"https?://\S+|www\.\S+"
_MENTION = r"@\w+"
_NUMBER = r"\d+(?:[.,:/]\d+)*"


def normalise_text(text: pd.Series) -> pd.Series:
    """Texts with @mentions, URLs and numbers replaced by placeholders and whitespace collapsed.

    Two replies that differ only in whom they address, the link they carry or a number (an order
    number, a time) normalise to the same text.

    Example:
        >>> normalise_text(pd.Series(["@12 Thanks! Ticket 4411 https://t.co/x", "@99  Thanks! Ticket 17 http://a.b"])).tolist()
        ['@ Thanks! Ticket 0 <url>', '@ Thanks! Ticket 0 <url>']
    """
    s = text.astype("string")
    s = s.str.replace(_URL, "<url>", regex=True).str.replace(_MENTION, "@", regex=True)
    s = s.str.replace(_NUMBER, "0", regex=True)
    return s.str.replace(r"\s+", " ", regex=True).str.strip()


def journey_codes(events: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Integer journey codes in order of appearance (contiguous, since events are sorted by journey)."""
    return pd.factorize(events["journey_id"])[0].astype(np.int64)


def is_customer(events: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Whether each event is a customer's (everything else is the brand's)."""
    return (events["actor"].astype("string") == "customer").fillna(False).to_numpy(dtype=bool)


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


def account_of(events: pd.DataFrame) -> pd.Series:
    """The brand account of each event: ``author_id`` where present, else ``brand``, else one account."""
    for column in ("author_id", "brand"):
        if column in events.columns:
            return events[column].astype("string")
    return pd.Series("(brand)", index=events.index, dtype="string")


def _answered(events: pd.DataFrame, customer: npt.NDArray[np.bool_], journey: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For every row, the customer message it answers (or -1).

    Its ``in_reply_to`` when that is an earlier customer message of the same journey, else the
    customer's previous message.
    """
    n = len(events)
    previous = last_before(customer, journey)
    if "in_reply_to" not in events.columns or n == 0:
        return previous
    parent = pd.Index(events["event_id"].astype("string")).get_indexer(pd.Index(events["in_reply_to"].astype("string")))
    parent = np.asarray(parent, dtype=np.int64)
    rows = np.arange(n)
    ok = (parent >= 0) & (parent < rows)
    ok[ok] = customer[parent[ok]] & (journey[parent[ok]] == journey[ok])
    return np.where(ok, parent, previous)


def automatic_flags(
    events: pd.DataFrame, *, min_repeats: int, within: pd.Timedelta | None
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.object_]]:
    """Which brand events are automatic, and why (``"bot"``, ``"repeated text"`` or ``""``).

    Automatic: the actor is ``bot``, or the same brand account sent the same normalised text
    (:func:`normalise_text`) at least ``min_repeats`` times and, unless ``within`` is None, the
    median wait before those replies (from the customer message each answers) is at most
    ``within``.
    """
    customer = is_customer(events)
    brand = ~customer
    bot = (events["actor"].astype("string") == "bot").fillna(False).to_numpy(dtype=bool)
    journey = journey_codes(events)
    answered = _answered(events, customer, journey)
    t = events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    wait = np.where(answered >= 0, t - t[np.maximum(answered, 0)], np.nan).astype(np.float64)
    # Only brand texts are compared, and each distinct one is normalised once (templates repeat;
    # a regex pass over every row cost ~30 s at 1M events).
    text = events["text"].astype("string")
    brand_rows = np.flatnonzero(brand)
    codes, uniques = pd.factorize(text.iloc[brand_rows])
    normal = normalise_text(pd.Series(uniques, dtype="string")).array
    normalised = pd.Series(pd.NA, index=events.index, dtype="string")
    if len(brand_rows):
        normalised.iloc[brand_rows] = pd.array(normal, dtype="string").take(codes, allow_fill=True)
    key = (account_of(events).fillna("") + "\x1f" + normalised).where(pd.Series(brand, index=events.index))
    counts = key.map(key.value_counts()).to_numpy(dtype=np.float64, na_value=np.nan)
    repeated = np.nan_to_num(counts, nan=0.0) >= min_repeats
    if within is not None:
        median = pd.Series(np.where(repeated, wait, np.nan), index=events.index).groupby(key, sort=False).transform("median")
        fast = median.to_numpy(dtype=np.float64, na_value=np.nan) <= float(pd.Timedelta(within).value)
        repeated &= np.nan_to_num(fast, nan=0.0).astype(bool)
    repeated &= brand
    auto = bot | repeated
    reason = np.select([bot, repeated], ["bot", "repeated text"], default="").astype(object)
    return auto, reason


def reply_frame(events: pd.DataFrame, automatic: npt.NDArray[np.bool_]) -> pd.DataFrame:
    """Per event (indexed like the events): what a brand reply answers, its wait and the valence around it.

    Columns: ``brand`` (a brand event), ``automatic``, ``answers`` (position of the customer
    message it answers, -1 for none), ``wait_ns`` (NaN without one), ``valence_before`` and
    ``valence_after`` (the customer's last scored message before the event and first after it in
    the journey; NaN where none), ``first_acknowledgement`` and ``first_response`` (the first
    brand reply of any kind, and the first human one, after the journey's first customer
    message).
    """
    customer = is_customer(events)
    journey = journey_codes(events)
    answered = _answered(events, customer, journey)
    t = events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    wait = np.where(answered >= 0, t - t[np.maximum(answered, 0)], np.nan).astype(np.float64)
    if "valence" in events.columns:
        valence = events["valence"].to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        valence = np.full(len(events), np.nan)
    scored = customer & ~np.isnan(valence)
    before, after = last_before(scored, journey), first_after(scored, journey)
    brand = ~customer
    after_customer = last_before(customer, journey) >= 0

    def first_of(candidate: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        rows = np.flatnonzero(candidate)
        first = np.zeros(len(candidate), dtype=bool)
        if len(rows):
            j = journey[rows]
            first[rows[np.r_[True, j[1:] != j[:-1]]]] = True
        return first

    return pd.DataFrame(
        {
            "brand": brand,
            "automatic": automatic & brand,
            "answers": answered,
            "wait_ns": wait,
            "valence_before": np.where(before >= 0, valence[np.maximum(before, 0)], np.nan),
            "valence_after": np.where(after >= 0, valence[np.maximum(after, 0)], np.nan),
            "first_acknowledgement": first_of(brand & after_customer),
            "first_response": first_of(brand & ~automatic & after_customer),
        },
        index=events.index,
    )
