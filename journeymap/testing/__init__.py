"""Tools for testing journeymap and its plugins: the scorer conformance suite, a fake encoder, Hypothesis strategies."""

from __future__ import annotations

from journeymap.testing.checks import check_scorer
from journeymap.testing.encoders import HashingEncoder

__all__ = ["HashingEncoder", "check_scorer"]
