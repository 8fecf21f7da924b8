"""The emotion read from one piece of text."""

from __future__ import annotations

import math

from pydantic import Field, field_validator, model_validator

from journeymap.exceptions import InvalidArgumentError
from journeymap.model._base import Frozen


class EmotionScore(Frozen):
    """A scorer's reading of one text: per-label probabilities, dominant label and valence.

    Examples:
        >>> s = EmotionScore(scorer="demo.v1", scores={"joy": 0.9, "anger": 0.1},
        ...                  emotion="joy", valence=0.8)
        >>> s.emotion
        'joy'
    """

    scorer: str = Field(min_length=1, description="Id of the scorer that produced it.")
    scores: dict[str, float] = Field(description="Probability per label, each in [0, 1].")
    emotion: str | None = Field(
        default=None,
        description=(
            "The dominant label (journeymap.score: the one that agrees with the sentiment); None for a valence "
            "without labels (a column of the user's own)."
        ),
    )
    valence: float = Field(ge=-1.0, le=1.0, description="From -1 (negative) to 1 (positive).")

    @field_validator("scores")
    @classmethod
    def _in_unit_interval(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not (math.isfinite(v) and 0.0 <= v <= 1.0)}
        if bad:
            msg = f"scores must lie in [0, 1]; out of range: {bad}"
            raise InvalidArgumentError(msg)
        return value

    @model_validator(mode="after")
    def _emotion_is_a_label(self) -> EmotionScore:
        if self.scores and self.emotion is not None and self.emotion not in self.scores:
            msg = f"emotion {self.emotion!r} is not one of the scored labels"
            raise InvalidArgumentError(msg)
        return self
