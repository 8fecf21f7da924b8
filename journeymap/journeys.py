"""Journey assembly: :func:`build_journeys`, :class:`JourneySet` and stage assignment."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import pandas as pd

from journeymap._dispatch import distributed_module
from journeymap._threads import reply_tree
from journeymap.exceptions import SchemaError
from journeymap.io.events import CANONICAL_COLUMNS, EventLog, validate_events
from journeymap.model import Customer, EmotionScore, Interaction, Journey, StageModel

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["JourneySet", "assign_stages", "build_journeys"]

#: Columns that build_journeys adds to the events.
JOURNEY_COLUMNS: tuple[str, ...] = ("journey_id", "step")
#: Columns that scoring adds besides the ``emo_<label>`` ones.
EMOTION_COLUMNS: tuple[str, ...] = ("emotion", "valence", "scorer")


def _scalar(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class EventColumns:
    """What a journey set (in memory or on a cluster) tells from its event columns."""

    events: Any

    @property
    def is_scored(self) -> bool:
        """Whether the events carry emotion columns."""
        return "valence" in self.events.columns

    @property
    def emotion_labels(self) -> list[str]:
        """Labels of the ``emo_<label>`` columns, in column order."""
        return [c[4:] for c in self.events.columns if c.startswith("emo_")]


class JourneySet(EventColumns):
    """Events grouped into journeys, with a journey index.

    ``len(js)`` is the number of journeys, iteration yields :class:`~journeymap.model.Journey`
    objects in journey order, and ``js[journey_id]`` returns one. ``js.events`` is the events
    frame sorted by journey and step, with ``journey_id``, ``step`` (1-based) and ``stage``
    (an ordered categorical) added; its index is still the input row number.
    ``js.journeys`` has one row per journey: ``customer_id``, ``start``, ``end``, ``n_steps``.
    A Journey's ``customer.attributes`` are the extra columns whose value is the same on all of
    the customer's messages in it (segment attributes such as tier or region).

    Example:
        >>> from journeymap.datasets import service_journeys
        >>> js = build_journeys(service_journeys(n_customers=20, seed=1))
        >>> journey = js[js.journey_ids[0]]
        >>> journey.interactions[0].step
        1
    """

    events: pd.DataFrame

    def __init__(self, events: pd.DataFrame, journeys: pd.DataFrame, stages: StageModel, *, by: str) -> None:
        self.events = events
        self.journeys = journeys
        self.stages = stages
        self.by = by
        offsets = np.r_[0, np.cumsum(journeys["n_steps"].to_numpy(dtype=np.int64))]
        self._offsets = offsets
        self._position = pd.Series(np.arange(len(journeys)), index=journeys.index)

    def __len__(self) -> int:
        return len(self.journeys)

    def __repr__(self) -> str:
        return f"JourneySet({len(self)} journeys, {len(self.events)} events, by={self.by!r})"

    @property
    def journey_ids(self) -> list[str]:
        """Journey ids in journey order."""
        return self.journeys.index.tolist()

    def with_events(self, events: pd.DataFrame) -> JourneySet:
        """A JourneySet with the same journeys and new event columns (same rows, same order)."""
        if len(events) != len(self.events) or not events.index.equals(self.events.index):
            msg = "with_events needs the same rows in the same order as js.events"
            raise ValueError(msg)
        return JourneySet(events, self.journeys, self.stages, by=self.by)

    def __iter__(self) -> Iterator[Journey]:
        for i in range(len(self)):
            yield self._journey(i)

    def __getitem__(self, journey_id: str) -> Journey:
        try:
            i = int(self._position[journey_id])
        except KeyError:
            msg = f"no journey {journey_id!r} in this JourneySet ({len(self)} journeys)"
            raise KeyError(msg) from None
        return self._journey(i)

    def _journey(self, i: int) -> Journey:
        rows = self.events.iloc[self._offsets[i] : self._offsets[i + 1]]
        labels = self.emotion_labels
        core = set(CANONICAL_COLUMNS) | set(JOURNEY_COLUMNS) | set(EMOTION_COLUMNS)
        extras = [c for c in rows.columns if c not in core and not c.startswith("emo_")]
        interactions = []
        for rec in rows.to_dict("records"):
            emotion = None
            if labels and _scalar(rec.get("valence")) is not None:
                emotion = EmotionScore(
                    scorer=str(rec["scorer"]),
                    scores={lab: float(rec[f"emo_{lab}"]) for lab in labels},
                    emotion=str(rec["emotion"]),
                    valence=float(rec["valence"]),
                )
            fields = {c: _scalar(rec.get(c)) for c in CANONICAL_COLUMNS if c != "timestamp"}
            interactions.append(
                Interaction(
                    **fields,
                    timestamp=rec["timestamp"].to_pydatetime(),
                    step=int(rec["step"]),
                    emotion=emotion,
                    attributes={c: _scalar(rec[c]) for c in extras},
                )
            )
        meta = self.journeys.iloc[i]
        # Customer attributes: the extra columns that stay the same across the customer's own
        # messages in this journey (tier, region, ...), not per-message ones (ids, texts).
        own = [x for x in interactions if x.actor.value == "customer"] or interactions[:1]
        constant = {
            key: value for key, value in own[0].attributes.items() if all(x.attributes.get(key) == value for x in own[1:])
        }
        customer = Customer(id=str(meta["customer_id"]), attributes=constant)
        return Journey(journey_id=str(self.journeys.index[i]), customer=customer, interactions=tuple(interactions))


def _group_bounds(codes: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Start positions and lengths of runs of equal, sorted group codes."""
    if len(codes) == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    lengths = np.diff(np.r_[starts, len(codes)])
    return starts, lengths


def assign_stages(events: pd.DataFrame, stages: StageModel) -> pd.Series:
    """Stage of every event (events sorted by journey and step), as an ordered categorical."""
    dtype = pd.CategoricalDtype(list(stages.names), ordered=True)
    if stages.assign == "touchpoint":
        names = events["touchpoint"].map(stages.touchpoint_map)
        if stages.default_stage is not None:
            names = names.fillna(stages.default_stage)
        unmapped = sorted(set(events.loc[names.isna(), "touchpoint"].dropna().astype(str)))
        if names.isna().any():
            msg = f"touchpoints without a stage in touchpoint_map (and no default_stage): {unmapped[:10]}"
            raise SchemaError(msg)
        return names.astype(dtype)
    if stages.assign == "column":
        column = str(stages.column)
        if column not in events.columns:
            msg = f"StageModel reads stages from column {column!r}, which the events do not have"
            raise SchemaError(msg)
        values = events[column].astype("string")
        unknown = sorted(set(values[~values.isin(stages.names)].dropna()))
        if unknown or values.isna().any():
            msg = f"column {column!r} holds stage names not in the StageModel {list(stages.names)}: {unknown[:10]}"
            raise SchemaError(msg)
        return values.astype(dtype)
    # "service": from actor and position in the journey.
    codes = pd.factorize(events["journey_id"], sort=False)[0].astype(np.int64)
    starts, lengths = _group_bounds(codes)
    n = len(events)
    pos = np.arange(n, dtype=np.int64)
    brand = (events["actor"].astype("string") != "customer").to_numpy(dtype=bool)
    first_brand = np.minimum.reduceat(np.where(brand, pos, n), starts) if n else np.array([], dtype=np.int64)
    first_brand_row = np.repeat(first_brand, lengths)
    last_row = np.repeat(starts + lengths - 1, lengths)
    service_names = np.select(
        [pos < first_brand_row, pos == first_brand_row, pos == last_row],
        ["contact", "first_response", "resolution"],
        default="follow_up",
    )
    return pd.Series(pd.Categorical(service_names, dtype=dtype), index=events.index)


def check_by(by: str) -> None:
    """Raise ValueError unless ``by`` is ``"thread"`` or ``"customer"``."""
    if by not in ("thread", "customer"):
        msg = f"by must be 'thread' or 'customer', got {by!r}"
        raise ValueError(msg)


def gap_nanoseconds(gap: str | pd.Timedelta) -> int:
    """The inactivity gap in nanoseconds; raise ValueError unless it is a positive duration."""
    gap_ns = int(pd.Timedelta(gap).value)
    if gap_ns <= 0:
        msg = f"gap must be a positive duration, got {gap!r}"
        raise ValueError(msg)
    return gap_ns


def resolve_stages(stages: StageModel | Mapping[str, str] | None) -> StageModel:
    """The StageModel for ``build_journeys``'s ``stages`` argument."""
    if stages is None:
        return StageModel.service()
    if isinstance(stages, StageModel):
        return stages
    if isinstance(stages, Mapping):
        return StageModel.from_touchpoints(dict(stages))
    msg = f"stages must be a StageModel, a touchpoint->stage mapping or None, got {type(stages).__name__}"
    raise TypeError(msg)


def journey_table(
    events: pd.DataFrame, *, bounds: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
) -> pd.DataFrame:
    """The ``JourneySet.journeys`` frame of events whose journeys are contiguous and in step order.

    ``bounds`` are the journeys' start positions and lengths when already known.
    """
    if bounds is None:
        bounds = _group_bounds(pd.factorize(events["journey_id"], sort=False)[0].astype(np.int64))
    starts, lengths = bounds
    first = events.iloc[starts]
    ends = events["timestamp"].iloc[starts + lengths - 1]
    journeys = pd.DataFrame(
        {
            "customer_id": first["customer_id"].to_numpy(),
            "start": first["timestamp"].to_numpy(),
            "end": ends.to_numpy(),
            "n_steps": lengths,
        },
        index=pd.Index(first["journey_id"].to_numpy(dtype=object), name="journey_id", dtype="string"),
    )
    journeys["customer_id"] = journeys["customer_id"].astype("string")
    journeys["start"] = pd.to_datetime(journeys["start"], utc=True)
    journeys["end"] = pd.to_datetime(journeys["end"], utc=True)
    return journeys


def journey_starts(events: pd.DataFrame) -> pd.Series:
    """Each row's journey start (its earliest timestamp, in ns since the epoch); rows in any order."""
    t = pd.Series(events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64), index=events.index)
    return t.groupby(events["journey_id"].to_numpy(), sort=False).transform("min")


def journey_set_from_events(events: pd.DataFrame, stages: StageModel, *, by: str) -> JourneySet:
    """A JourneySet from events that already carry ``journey_id``, ``step`` and ``stage``, in any row order.

    Rows are put in the order :func:`build_journeys` gives: journeys by start time, then
    journey id; steps in step order. Used to gather journeys built in partitions.
    """
    jid = events["journey_id"].to_numpy(dtype=object).astype(str)
    order = np.lexsort((events["step"].to_numpy(dtype=np.int64), jid, journey_starts(events).to_numpy()))
    ordered = events.iloc[order]
    return JourneySet(ordered, journey_table(ordered), stages, by=by)


def build_journeys(  # noqa: PLR0915 - one pipeline, read top to bottom
    log: EventLog | pd.DataFrame,
    *,
    by: Literal["thread", "customer"] = "thread",
    gap: str | pd.Timedelta = "7D",
    stages: StageModel | Mapping[str, str] | None = None,
) -> JourneySet:
    """Group events into ordered journeys and assign stages.

    Args:
        log: an :class:`~journeymap.EventLog` (or an events DataFrame, validated on the way).
        by: ``"thread"``: one journey per conversation tree (``thread_id``, or the roots of
            ``in_reply_to`` when there is no ``thread_id``); the journey belongs to the customer of
            its first event. ``"customer"``: each customer's events, split wherever more than
            ``gap`` passes between two consecutive events.
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
    if (distributed := distributed_module(log)) is not None:
        return cast("JourneySet", distributed.build_journeys(log, by=by, gap=gap, stages=stages))
    check_by(by)
    if isinstance(log, pd.DataFrame):
        log = validate_events(log, on_error="raise")
    if not isinstance(log, EventLog):
        msg = f"log must be an EventLog or a DataFrame, got {type(log).__name__}"
        raise TypeError(msg)
    stage_model = resolve_stages(stages)

    events = log.events.drop(columns=[c for c in JOURNEY_COLUMNS if c in log.events.columns])
    if stage_model.assign != "column" and "stage" in events.columns:
        events = events.drop(columns="stage")
    n = len(events)
    event_ids = events["event_id"]
    has_replies = "in_reply_to" in events.columns
    tree = reply_tree(event_ids, events["in_reply_to"]) if has_replies else None
    depth = tree.depth if tree is not None else np.zeros(n, dtype=np.int64)
    ts = events["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    # Last tie-breaker: the event id (not the input order, so any row order gives the same result).
    tie = pd.factorize(event_ids, sort=True)[0].astype(np.int64)

    if by == "thread":
        if "thread_id" in events.columns:
            key = events["thread_id"].astype("string")
            if tree is not None:
                key = key.fillna(pd.Series(event_ids.to_numpy()[tree.root], index=events.index, dtype="string"))
            key = key.fillna(event_ids)
        elif tree is not None:
            key = pd.Series(event_ids.to_numpy()[tree.root], index=events.index, dtype="string")
        else:
            msg = "by='thread' needs a thread_id or in_reply_to column; use by='customer' for these events"
            raise SchemaError(msg)
        group = pd.factorize(key)[0].astype(np.int64)
        order = np.lexsort((tie, depth, ts, group))
        codes = group[order]
    else:
        cust = pd.factorize(events["customer_id"])[0].astype(np.int64)
        order = np.lexsort((tie, depth, ts, cust))
        gap_ns = gap_nanoseconds(gap)
        c, t = cust[order], ts[order]
        new = np.r_[True, (c[1:] != c[:-1]) | (np.diff(t) > gap_ns)] if n else np.array([], dtype=bool)
        codes = np.cumsum(new).astype(np.int64) - 1

    ordered = events.iloc[order]
    starts, lengths = _group_bounds(codes)
    first = ordered.iloc[starts]
    start_ts = ts[order][starts]
    journey_order = np.lexsort((first["event_id"].to_numpy(dtype=object).astype(str), start_ts))
    # Re-sort rows so journeys come in journey order, steps within them in step order.
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
    ordered["stage"] = assign_stages(ordered, stage_model)
    return JourneySet(ordered, journey_table(ordered, bounds=(new_starts, lengths)), stage_model, by=by)
