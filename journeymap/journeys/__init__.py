"""Journey assembly: :func:`build_journeys`, the :class:`JourneySet` and stage assignment."""

from __future__ import annotations

from journeymap.journeys._build import build_journeys
from journeymap.journeys._set import JourneySet
from journeymap.journeys.stages import assign_stages

__all__ = ["JourneySet", "assign_stages", "build_journeys"]
