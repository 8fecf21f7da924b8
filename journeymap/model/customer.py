"""The customer a journey belongs to."""

from __future__ import annotations

from pydantic import Field

from journeymap.model._base import Frozen, Scalar


class Customer(Frozen):
    """A customer: an id and free-form attributes used for segmenting.

    Examples:
        >>> Customer(id="115712", attributes={"tier": "free"}).attributes["tier"]
        'free'
    """

    id: str = Field(min_length=1, description="Who the journey belongs to.")
    attributes: dict[str, Scalar] = Field(default_factory=dict, description="Segment attributes (location, product, tier, ...).")
