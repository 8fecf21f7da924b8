"""Tools for testing journeymap and its plugins: the scorer conformance suite, a fake encoder, Hypothesis strategies."""

from __future__ import annotations

from journeymap.testing.checks import (
    ScorerCheckError,
    check_scorer,
    parametrize_with_checks,
    scorer_checks,
)
from journeymap.testing.encoders import HashingEncoder

__all__ = ["HashingEncoder", "ScorerCheckError", "check_scorer", "parametrize_with_checks", "scorer_checks"]
