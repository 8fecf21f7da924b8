"""Tools for testing journeymap and its plugins: the scorer conformance suite and Hypothesis strategies."""

from __future__ import annotations

from journeymap.testing.checks import (
    ScorerCheckError,
    check_scorer,
    parametrize_with_checks,
    scorer_checks,
)

__all__ = ["ScorerCheckError", "check_scorer", "parametrize_with_checks", "scorer_checks"]
