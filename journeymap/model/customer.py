"""The customer a journey belongs to."""

from __future__ import annotations

from pydantic import Field

from journeymap.model._base import Frozen, Scalar


class Customer(Frozen):
    """A customer: an id and free-form attributes used for segmenting.

    Examples:
        A journey's customer carries the columns that stay the same over the customer's own
        messages (``tier``, which the brand's reply lacks), not those that change from one to
        the next (``device``):

        >>> import pandas as pd, journeymap as jm
        >>> events = pd.DataFrame({"customer_id": "115712", "actor": ["customer", "agent", "customer"],
        ...     "timestamp": pd.date_range("2024-01-01", periods=3, freq="h", tz="UTC"),
        ...     "tier": ["free", None, "free"], "device": ["ios", None, "android"]})
        >>> js = jm.build_journeys(events, by="customer")
        >>> js[js.journey_ids[0]].customer
        Customer(id='115712', attributes={'tier': 'free'})
    """

    id: str = Field(min_length=1, description="Who the journey belongs to.")
    attributes: dict[str, Scalar] = Field(default_factory=dict, description="Segment attributes (location, product, tier, ...).")
