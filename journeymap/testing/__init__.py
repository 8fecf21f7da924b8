"""Tools for testing journeymap and its plugins: scorer and encoder conformance suites, a fake encoder, Hypothesis strategies."""

from __future__ import annotations

from journeymap.testing.checks import (
    EncoderCheckError,
    ScorerCheckError,
    check_encoder,
    check_scorer,
    encoder_checks,
    parametrize_with_checks,
    parametrize_with_encoder_checks,
    scorer_checks,
)
from journeymap.testing.encoders import HashingEncoder

__all__ = [
    "EncoderCheckError",
    "HashingEncoder",
    "ScorerCheckError",
    "check_encoder",
    "check_scorer",
    "encoder_checks",
    "parametrize_with_checks",
    "parametrize_with_encoder_checks",
    "scorer_checks",
]
