"""The domain model: customers, touchpoints, stages, interactions, emotions and journeys.

Every model is a frozen pydantic v2 model: validated on construction, immutable, and
round-trips through JSON (``model_dump_json`` / ``model_validate_json``); ``model_json_schema()``
exports its JSON Schema.
"""

from __future__ import annotations

from journeymap.model.customer import Customer
from journeymap.model.emotion import EmotionScore
from journeymap.model.interaction import Interaction
from journeymap.model.journey import Journey
from journeymap.model.stage import SERVICE_STAGES, Stage, StageModel
from journeymap.model.touchpoint import ACTORS, Actor, Touchpoint

__all__ = [
    "ACTORS",
    "SERVICE_STAGES",
    "Actor",
    "Customer",
    "EmotionScore",
    "Interaction",
    "Journey",
    "Stage",
    "StageModel",
    "Touchpoint",
]
