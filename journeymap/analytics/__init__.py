"""Journey analytics: tidy DataFrames answering the questions users bring."""

from __future__ import annotations

from journeymap.analytics.metrics import journey_metrics
from journeymap.analytics.segments import compare_segments
from journeymap.analytics.service import reply_waits, response_times, triage
from journeymap.analytics.summary import moments_of_truth, pain_points, touchpoint_summary
from journeymap.analytics.time import time_patterns

__all__ = [
    "compare_segments",
    "journey_metrics",
    "moments_of_truth",
    "pain_points",
    "reply_waits",
    "response_times",
    "time_patterns",
    "touchpoint_summary",
    "triage",
]
