"""Compatibility: the journey graph moved to :mod:`journeymap.analytics.graph` and :mod:`journeymap.analytics.variants`.

``from journeymap.graph import journey_graph`` (and the other names here) keeps working; new
code imports them from :mod:`journeymap` or :mod:`journeymap.analytics`.

Examples:
    >>> import journeymap as jm
    >>> from journeymap.graph import journey_graph
    >>> journey_graph is jm.journey_graph
    True
"""

from __future__ import annotations

from journeymap.analytics.graph import END, START, journey_graph, to_graphml, to_node_link
from journeymap.analytics.variants import journey_variants

__all__ = ["END", "START", "journey_graph", "journey_variants", "to_graphml", "to_node_link"]
