"""Journey assembly: :func:`build_journeys`, the :class:`JourneySet` and stage assignment."""

from __future__ import annotations

from journeymap.journeys._build import build_journeys
from journeymap.journeys._set import JourneySet
from journeymap.journeys.stages import assign_stages
from journeymap.journeys.storage import read_journeys
from journeymap.journeys.xes import read_xes, to_pm4py, to_xes

__all__ = ["JourneySet", "assign_stages", "build_journeys", "read_journeys", "read_xes", "to_pm4py", "to_xes"]
