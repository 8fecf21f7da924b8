"""Journey analytics: tidy DataFrames (and the journey graph) answering the questions users bring."""

from __future__ import annotations

from journeymap.analytics.automatic import AutoReplyRule
from journeymap.analytics.graph import journey_graph, to_graphml, to_node_link
from journeymap.analytics.metrics import journey_metrics
from journeymap.analytics.replies import reply_table, service_levels
from journeymap.analytics.segments import compare_segments
from journeymap.analytics.service import reply_waits, response_times, triage
from journeymap.analytics.summary import moments_of_truth, pain_points, touchpoint_summary
from journeymap.analytics.time import time_patterns
from journeymap.analytics.topics import topic_summary, topic_trends
from journeymap.analytics.trends import trends
from journeymap.analytics.variants import journey_variants

__all__ = [
    "AutoReplyRule",
    "compare_segments",
    "journey_graph",
    "journey_metrics",
    "journey_variants",
    "moments_of_truth",
    "pain_points",
    "reply_table",
    "reply_waits",
    "response_times",
    "service_levels",
    "time_patterns",
    "to_graphml",
    "to_node_link",
    "topic_summary",
    "topic_trends",
    "touchpoint_summary",
    "trends",
    "triage",
]
