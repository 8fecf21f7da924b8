"""The levels analytics aggregate at: ``touchpoint``, ``stage`` or ``topic``, and each step's key at a level."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import pandas as pd

from journeymap.exceptions import InvalidArgumentError, SchemaError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["LEVELS", "NO_KEY", "Level", "check_level", "level_index", "level_keys"]

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


def level_index(keys: Iterable[object], level: str, stages: Sequence[str]) -> pd.Index:
    """The index of a table by ``level`` from its keys (:func:`level_keys`), named after the level.

    At the stage level an ordered categorical of the ``stages`` (the stage model's names, the
    categories of ``events["stage"]``), so that ``sort_index``, ``reindex`` and a plot's order
    keep the stage order; ``"(none)"`` (steps without a stage) comes after them where it is a
    key. At the other levels the keys as text.

    Examples:
        >>> index = level_index(["resolution", "contact"], "stage", ("contact", "first_response", "resolution"))
        >>> index.sort_values().tolist(), index.dtype.ordered
        (['contact', 'resolution'], True)
    """
    values = pd.Index(list(keys), dtype=object)
    if level != "stage":
        return values.astype("string").rename(level)
    text = [str(k) for k in values]
    categories = list(stages)
    categories += [k for k in dict.fromkeys(text) if k not in categories]  # "(none)", and no key lost
    return pd.CategoricalIndex(text, categories=categories, ordered=True, name=level)
