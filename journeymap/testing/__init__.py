"""Tools for testing journeymap and its plugins: the scorer conformance suite and Hypothesis strategies."""

from __future__ import annotations

from journeymap.testing.checks import check_scorer

__all__ = ["check_scorer"]
