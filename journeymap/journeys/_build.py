"""The build pipeline: :func:`build_journeys`, read top to bottom as its steps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from journeymap._threads import reply_tree
from journeymap.backends import dispatch
from journeymap.exceptions import SchemaError
from journeymap.io.eventlog import EventLog
from journeymap.io.validation import validate_events
from journeymap.journeys._set import JourneySet
from journeymap.journeys._table import group_bounds, journey_table
from journeymap.journeys.stages import assign_stages, resolve_stages

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt

    from journeymap._threads import ReplyTree
    from journeymap.model import StageModel

__all__ = ["addressed_customers", "build_journeys", "check_by", "gap_nanoseconds"]


def check_by(by: str) -> None:
    """Raise ValueError unless ``by`` is ``"thread"`` or ``"customer"``."""
    if by not in ("thread", "customer"):
        msg = f"by must be 'thread' or 'customer', got {by!r}"
        raise ValueError(msg)


def gap_nanoseconds(gap: str | pd.Timedelta) -> int:
    """The inactivity gap in nanoseconds; raise ValueError unless it is a positive duration."""
    try:
        gap_ns = int(pd.Timedelta(gap).value)
    except (ValueError, TypeError):
        msg = f"gap must be a duration such as '7D', '12h' or '30min', got {gap!r}"
        raise ValueError(msg) from None
    if gap_ns <= 0:
        msg = f"gap must be a positive duration, got {gap!r}"
        raise ValueError(msg)
    return gap_ns


def _thread_keys(events: pd.DataFrame, tree: ReplyTree | None) -> pd.Series:
    """The thread of every event: its ``thread_id``, else the root of its reply tree, else itself."""
    event_ids = events["event_id"]
    if "thread_id" in events.columns:
        key = events["thread_id"].astype("string")
        if tree is not None:
            key = key.fillna(pd.Series(event_ids.to_numpy()[tree.root], index=events.index, dtype="string"))
        return key.fillna(event_ids)
    if tree is not None:
        return pd.Series(event_ids.to_numpy()[tree.root], index=events.index, dtype="string")
    msg = "by='thread' needs a thread_id or in_reply_to column; use by='customer' for these events"
    raise SchemaError(msg)


def addressed_customers(events: pd.DataFrame, thread: pd.Series, tree: ReplyTree | None) -> pd.Series:
    """The customer each event belongs to within its thread (the ``customer_id`` of the journey).

    A customer's message is their own. A brand message keeps its ``customer_id`` when that is one
    of the thread's customers; otherwise it goes to the customer whose message it answers
    (``in_reply_to``), else to the thread's first customer. A brand message that replies to
    nothing in the data (a broadcast that starts a thread) keeps its ``customer_id``.
    """
    customer = events["customer_id"].astype("string")
    is_customer = (events["actor"].astype("string") == "customer").fillna(False).to_numpy(dtype=bool)
    if is_customer.all():
        return customer
    pair = thread.astype(str) + "\x1f" + customer.astype(str)
    known = pd.Index(pair[is_customer].unique())
    ok = is_customer | pair.isin(known).to_numpy()
    out = customer.to_numpy(dtype=object).copy()
    if tree is not None:
        parent = tree.parent
        has_parent = parent >= 0
        safe = np.maximum(parent, 0)
        same_thread = thread.to_numpy(dtype=object)[safe] == thread.to_numpy(dtype=object)
        answers = ~ok & has_parent & is_customer[safe] & same_thread
        out[answers] = out[safe[answers]]
        ok = ok | answers
    if tree is not None:
        # A brand post that starts the thread (a broadcast) stays the brand's own.
        ok = ok | (tree.parent < 0)
    if not ok.all():
        ts = events["timestamp"].to_numpy(dtype="datetime64[ns]")
        first = (
            pd.DataFrame({"thread": thread.to_numpy(dtype=object), "customer": out, "t": ts})[is_customer]
            .sort_values(["t", "customer"], kind="stable")
            .drop_duplicates("thread")
            .set_index("thread")["customer"]
        )
        fallback = pd.Series(thread.to_numpy(dtype=object)).map(first).to_numpy(dtype=object)
        fill = ~ok & pd.notna(fallback)
        out[fill] = fallback[fill]
    return pd.Series(out, index=events.index, dtype="string")


def _order_steps(
    events: pd.DataFrame, tree: ReplyTree | None, threads: npt.NDArray[np.int64] | None, *, gap: str | pd.Timedelta
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Row order (journeys contiguous, steps by time), the journey code of each ordered row, the times.

    ``threads`` are the (thread, customer) group codes of ``by="thread"``; None groups by
    customer, split at gaps longer than ``gap``.
    """
    n = len(events)
    depth = tree.depth if tree is not None else np.zeros(n, dtype=np.int64)
    ts = events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    # Last tie-breaker: the event id (not the input order, so any row order gives the same result).
    tie = pd.factorize(events["event_id"], sort=True)[0].astype(np.int64)
    if threads is not None:
        order = np.lexsort((tie, depth, ts, threads))
        return order, threads[order], ts
    cust = pd.factorize(events["customer_id"])[0].astype(np.int64)
    order = np.lexsort((tie, depth, ts, cust))
    gap_ns = gap_nanoseconds(gap)
    c, t = cust[order], ts[order]
    new = np.r_[True, (c[1:] != c[:-1]) | (np.diff(t) > gap_ns)] if n else np.array([], dtype=bool)
    return order, np.cumsum(new).astype(np.int64) - 1, ts


def _number_journeys(
    ordered: pd.DataFrame, codes: npt.NDArray[np.int64], start_ts: npt.NDArray[np.int64]
) -> tuple[pd.DataFrame, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Journeys in journey order (start time, then first event id), with ``journey_id`` and ``step``."""
    n = len(ordered)
    starts, lengths = group_bounds(codes)
    first = ordered.iloc[starts]
    journey_order = np.lexsort((first["event_id"].to_numpy(dtype=object).astype(str), start_ts[starts]))
    rank = np.empty(len(starts), dtype=np.int64)
    rank[journey_order] = np.arange(len(starts))
    final = np.argsort(np.repeat(rank, lengths), kind="stable")
    ordered = ordered.iloc[final].copy()
    lengths = lengths[journey_order]
    first = first.iloc[journey_order]
    ordered["journey_id"] = np.repeat(first["event_id"].to_numpy(dtype=object), lengths)
    ordered["journey_id"] = ordered["journey_id"].astype("string")
    new_starts = np.r_[0, np.cumsum(lengths)[:-1]] if len(lengths) else np.array([], dtype=np.int64)
    ordered["step"] = (np.arange(n) - np.repeat(new_starts, lengths) + 1).astype(np.int64)
    return ordered, (new_starts.astype(np.int64), lengths)


@dispatch
def build_journeys(
    log: EventLog | pd.DataFrame,
    *,
    by: Literal["thread", "customer"] = "thread",
    gap: str | pd.Timedelta = "7D",
    stages: StageModel | Mapping[str, str] | None = None,
) -> JourneySet:
    """Group events into ordered journeys and assign stages.

    Args:
        log: an :class:`~journeymap.EventLog` (or an events DataFrame, validated on the way).
        by: what rows are grouped by: ``"thread"``: one journey per customer in each
            conversation tree (``thread_id``, or the roots of ``in_reply_to`` when there is no
            ``thread_id``): in a thread where several customers write, each customer's journey
            holds their messages and the brand messages addressed to them (see
            :func:`addressed_customers`; a brand message's ``customer_id`` is set to the customer
            it answers). ``"customer"``: each customer's events, split wherever more than ``gap``
            passes between two consecutive events.
        gap: the inactivity gap for ``by="customer"`` (a pandas Timedelta or string like ``"7D"``).
        stages: a :class:`~journeymap.model.StageModel`, a ``{touchpoint: stage}`` mapping, or
            None for the default service model (:meth:`StageModel.service`).

    Steps are ordered by time; ties are broken by reply order (a reply after its parent), then
    by ``event_id``. ``journey_id`` is the ``event_id`` of a journey's first step. The result is
    deterministic: the same events in any row order give the same journeys. A dask DataFrame or
    :class:`~journeymap.distributed.DaskEventLog` gives a
    :class:`~journeymap.distributed.DaskJourneySet`, built on the cluster.

    Example:
        >>> from journeymap.datasets import service_journeys
        >>> js = build_journeys(service_journeys(n_customers=50, seed=0), by="thread")
        >>> list(js.events.columns[-3:])
        ['journey_id', 'step', 'stage']
    """
    check_by(by)
    if isinstance(log, pd.DataFrame):
        log = validate_events(log, on_error="raise")
    if not isinstance(log, EventLog):
        msg = f"log must be an EventLog or a DataFrame, got {type(log).__name__}"
        raise TypeError(msg)
    stage_model = resolve_stages(stages)
    events = log.events.drop(columns=[c for c in ("journey_id", "step") if c in log.events.columns])
    if stage_model.assign != "column" and "stage" in events.columns:
        events = events.drop(columns="stage")
    tree = reply_tree(events["event_id"], events["in_reply_to"]) if "in_reply_to" in events.columns else None
    threads = None
    if by == "thread":
        # One journey per customer and thread: bystanders in a multi-party thread get their own.
        thread = _thread_keys(events, tree)
        events = events.assign(customer_id=addressed_customers(events, thread, tree))
        threads = pd.factorize(thread.astype(str) + "\x1f" + events["customer_id"].astype(str))[0].astype(np.int64)
    order, codes, ts = _order_steps(events, tree, threads, gap=gap)
    ordered, bounds = _number_journeys(events.iloc[order], codes, ts[order])
    ordered["stage"] = assign_stages(ordered, stage_model)
    return JourneySet(ordered, journey_table(ordered, bounds=bounds), stage_model, by=by)
