"""Plotting helpers (matplotlib): axes-level, data first, keyword-only options, ``ax=``, return the Axes.

Importing this module imports matplotlib; ``import journeymap`` does not (``journeymap.plot`` is
loaded on first use). Without ``ax=``, each call draws on a new pyplot figure, as pandas'
``DataFrame.plot`` does, and pyplot keeps it open: in a notebook it is shown and closed for you;
in a script or a service that draws many charts, pass ``ax=`` or close each one
(``plt.close(ax.figure)``), or the figures pile up in memory. Every public name here is a function (``heatmap`` is
:func:`emotion_heatmap`, under the name seaborn users reach for).
"""

from __future__ import annotations

from journeymap.plot._heatmap import emotion_heatmap, emotion_mix
from journeymap.plot.graph import graph, layered_layout
from journeymap.plot.interactive import interactive_graph, interactive_map
from journeymap.plot.journey import journey
from journeymap.plot.journey_map import journey_map
from journeymap.plot.time import time_patterns
from journeymap.plot.trends import topic_trends, trends

__all__ = [
    "emotion_heatmap",
    "emotion_mix",
    "graph",
    "heatmap",
    "interactive_graph",
    "interactive_map",
    "journey",
    "journey_map",
    "layered_layout",
    "time_patterns",
    "topic_trends",
    "trends",
]

#: :func:`emotion_heatmap` under the short name.
heatmap = emotion_heatmap
