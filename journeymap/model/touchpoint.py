"""Touchpoints and the actors that speak at them."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from journeymap.model._base import Frozen


class Actor(str, Enum):
    """Who spoke at a step. Anything but ``customer`` speaks for the brand.

    Examples:
        >>> Actor("bot").is_brand, Actor.CUSTOMER.is_brand
        (True, False)
    """

    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"

    @property
    def is_brand(self) -> bool:
        """True for agent, bot and system steps."""
        return self is not Actor.CUSTOMER


ACTORS: tuple[str, ...] = tuple(a.value for a in Actor)


class Touchpoint(Frozen):
    """A place in the service where an interaction happens.

    Examples:
        :attr:`JourneySet.touchpoints <journeymap.JourneySet.touchpoints>` lists them, busiest
        first, each with the channel most of its steps came on:

        >>> import pandas as pd, journeymap as jm
        >>> events = pd.DataFrame({"customer_id": "c", "actor": ["customer", "agent", "customer", "customer"],
        ...     "touchpoint": ["billing", "billing", "billing", "refund"], "channel": ["dm", "twitter", "twitter", "email"],
        ...     "timestamp": pd.date_range("2024-01-01", periods=4, freq="h", tz="UTC")})
        >>> jm.build_journeys(events, by="customer").touchpoints
        [Touchpoint(name='billing', channel='twitter', description=''),
         Touchpoint(name='refund', channel='email', description='')]
    """

    name: str = Field(min_length=1)
    channel: str | None = Field(default=None, description="twitter, email, chat, web, ...")
    description: str = ""
