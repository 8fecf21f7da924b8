"""One step of a journey: a single interaction."""

from __future__ import annotations

from datetime import datetime, timezone

from pydantic import AwareDatetime, Field, field_validator

from journeymap.exceptions import InvalidArgumentError
from journeymap.model._base import Frozen, Scalar
from journeymap.model.emotion import EmotionScore  # noqa: TC001 - pydantic needs it at runtime
from journeymap.model.touchpoint import Actor  # noqa: TC001 - pydantic needs it at runtime


class Interaction(Frozen):
    """An interaction: who said what, when, where, and (once scored) how it felt.

    Timestamps are timezone-aware and normalised to UTC.

    Examples:
        >>> from datetime import datetime, timezone
        >>> i = Interaction(event_id="1", customer_id="c1", actor="customer",
        ...                 timestamp=datetime(2017, 10, 11, 6, 55, tzinfo=timezone.utc),
        ...                 text="my phone died again")
        >>> i.actor.is_brand
        False
    """

    event_id: str = Field(min_length=1)
    customer_id: str = Field(min_length=1)
    timestamp: AwareDatetime
    actor: Actor
    channel: str | None = None
    touchpoint: str | None = None
    stage: str | None = None
    step: int | None = Field(default=None, ge=1, description="1-based position in its journey.")
    text: str | None = None
    thread_id: str | None = None
    in_reply_to: str | None = None
    agent_id: str | None = Field(default=None, description="who answered for the brand, where known")
    emotion: EmotionScore | None = None
    attributes: dict[str, Scalar] = Field(default_factory=dict)

    @field_validator("timestamp")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        try:
            return value.astimezone(timezone.utc)
        except OverflowError:  # 0001-01-01 01:00+05:00 is before year 1 in UTC
            msg = f"timestamp {value.isoformat()} is out of range in UTC"
            raise InvalidArgumentError(msg) from None
