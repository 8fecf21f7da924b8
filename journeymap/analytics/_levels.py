"""The levels analytics aggregate at: ``touchpoint``, ``stage`` or ``topic``, and each step's key at a level."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from journeymap.exceptions import InvalidArgumentError, SchemaError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LEVELS", "NO_KEY", "Level", "check_level", "level_keys"]

#: What a summary, a graph or a map groups steps by.
Level = Literal["touchpoint", "stage", "topic"]
LEVELS: tuple[str, ...] = ("touchpoint", "stage", "topic")
#: The key of a step without a value at the level (a missing touchpoint, a journey without topics).
NO_KEY = "(none)"


def check_level(level: str, events: pd.DataFrame | None = None) -> str:
    """``level`` itself; ValueError unless it is one of :data:`LEVELS`.

    With ``events``, ``level="topic"`` also needs their ``topic`` column (from
    :func:`journeymap.assign_topics`); without it a :class:`~journeymap.SchemaError` (a
    ValueError) says so.
    """
    if level not in LEVELS:
        msg = f"level must be one of {', '.join(repr(v) for v in LEVELS)}, got {level!r}"
        raise InvalidArgumentError(msg)
    if level == "topic" and events is not None and "topic" not in events.columns:
        msg = "level='topic' needs a 'topic' column: run journeymap.assign_topics(js) first"
        raise SchemaError(msg)
    return level


def level_keys(events: pd.DataFrame, level: str) -> pd.Series:
    """Every step's key at ``level`` (a string Series aligned with ``events``; ``"(none)"`` where missing).

    ``touchpoint`` and ``stage`` are the step's own column. ``topic`` is the customer's topic:
    a customer message has its own (``"other"`` where none fits, ``"(none)"`` where its topic is
    missing, as in topic columns written by hand); a brand step takes the topic
    of the latest customer message before it in its journey (the message it answers), and a
    brand step that opens a journey (a broadcast, an outreach) that of the journey's first
    customer message. A journey without customer messages has ``"(none)"``. ``events`` must be
    in journey and step order, as :attr:`JourneySet.events <journeymap.JourneySet>` are.
    """
    check_level(level, events)
    if level != "topic":
        return events[level].astype("string").fillna(NO_KEY)
    customer = (events["actor"].astype("string") == "customer").fillna(False)
    # a customer message keeps its own topic ("(none)" where it has none: topic columns written by
    # hand); only brand steps borrow one
    own = events["topic"].astype("string").where(customer)
    own = own.mask(customer & own.isna(), NO_KEY)
    by_journey = own.groupby(events["journey_id"].to_numpy(), sort=False)
    carried = by_journey.ffill()
    filled = carried.fillna(carried.groupby(events["journey_id"].to_numpy(), sort=False).bfill())
    return filled.fillna(NO_KEY)
