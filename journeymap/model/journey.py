"""A journey: one customer's ordered interactions, and its emotional curve."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from journeymap.exceptions import InvalidArgumentError
from journeymap.model._base import Frozen
from journeymap.model.customer import Customer  # noqa: TC001
from journeymap.model.interaction import Interaction  # noqa: TC001

if TYPE_CHECKING:
    from datetime import timedelta


class Journey(Frozen):
    """A customer and their interactions in time order, with the derived emotional curve.

    Examples:
        >>> from datetime import datetime, timezone
        >>> t = datetime(2017, 10, 11, tzinfo=timezone.utc)
        >>> j = Journey(journey_id="1", customer=Customer(id="c1"), interactions=(
        ...     Interaction(event_id="1", customer_id="c1", timestamp=t, actor="customer"),))
        >>> len(j), j.duration.total_seconds()
        (1, 0.0)
    """

    journey_id: str = Field(min_length=1)
    customer: Customer
    interactions: tuple[Interaction, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _time_ordered(self) -> Journey:
        """Interactions in time order, each event once, steps rising.

        A reply (``in_reply_to`` set) may carry an earlier stamp than the step before it: clocks
        of different systems disagree, and :func:`~journeymap.build_journeys` puts such a reply
        right after the message it answers, keeping its stamp.
        """
        for n, (a, b) in enumerate(itertools.pairwise(self.interactions), start=1):
            if b.timestamp < a.timestamp and b.in_reply_to is None:
                msg = f"interactions must be in time order; step {n + 1} is earlier than step {n}"
                raise InvalidArgumentError(msg)
            if a.step is not None and b.step is not None and b.step <= a.step:
                msg = f"interaction steps must rise; step {b.step} follows step {a.step} (position {n + 1})"
                raise InvalidArgumentError(msg)
        seen: set[str] = set()
        for n, i in enumerate(self.interactions, start=1):
            if i.event_id in seen:
                msg = f"event_id {i.event_id!r} appears twice in journey {self.journey_id!r} (position {n})"
                raise InvalidArgumentError(msg)
            seen.add(i.event_id)
        return self

    def __len__(self) -> int:
        return len(self.interactions)

    @property
    def duration(self) -> timedelta:
        """Time from the earliest to the latest interaction (the first and last steps, but for clock skew)."""
        times = [i.timestamp for i in self.interactions]
        return max(times) - min(times)

    @property
    def curve(self) -> list[tuple[int, float]]:
        """``(step, valence)`` for every scored interaction, in order (empty before scoring)."""
        return [
            (i.step if i.step is not None else n, i.emotion.valence)
            for n, i in enumerate(self.interactions, start=1)
            if i.emotion is not None
        ]
