"""journeymap: customer emotion journey mapping.

Raw customer interactions in (social-media mentions, replies, tickets, survey comments);
emotion-annotated journeys, tidy analytics DataFrames, journey graphs and maps out.

Importing journeymap is light: torch, transformers and matplotlib are imported only when a model
is loaded or a chart drawn, and nothing touches the network.

Examples:
    >>> import journeymap as jm
    >>> js = jm.build_journeys(jm.datasets.service_journeys(n_customers=20, seed=0))
    >>> len(js), len(js.events), int(js.journeys["n_steps"].sum())  # 36 journeys hold the 150 events
    (36, 150, 150)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeymap import datasets
from journeymap.analytics import (
    AutoReplyRule,
    compare_segments,
    journey_graph,
    journey_metrics,
    journey_variants,
    moments_of_truth,
    pain_points,
    reply_table,
    reply_waits,
    response_times,
    service_levels,
    time_patterns,
    to_graphml,
    to_node_link,
    topic_summary,
    topic_trends,
    touchpoint_summary,
    trends,
    triage,
)
from journeymap.emotions.registry import available_scorers, get_scorer
from journeymap.emotions.score import score
from journeymap.emotions.scorer import EmotionScorer
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.exceptions import (
    ArgumentTypeError,
    InvalidArgumentError,
    JourneyMapError,
    ModelLoadError,
    PluginError,
    SchemaError,
    ScorerOptionsError,
    SourceIsFolderError,
    SourceNotFoundError,
    TextsFailedError,
    UnknownJourneyError,
    UnknownScorerError,
    UnsupportedBackendError,
    WriteError,
)
from journeymap.io.events import EventLog, read_events
from journeymap.io.twcs import read_twcs
from journeymap.journeys import JourneySet, build_journeys, read_journeys, read_xes, to_pm4py, to_xes
from journeymap.model import (
    Actor,
    Customer,
    EmotionScore,
    Interaction,
    Journey,
    Stage,
    StageModel,
    Touchpoint,
)
from journeymap.report import report

if TYPE_CHECKING:
    __version__: str  # a lazy attribute (see __getattr__), typed for checkers

    from journeymap import graph as graph
    from journeymap import plot
    from journeymap.emotions.transformer import TransformerScorer
    from journeymap.topics import TopicModel as TopicModel
    from journeymap.topics import assign_topics as assign_topics

#: Every public name. ``from journeymap import *`` binds them all, so it imports scikit-learn
#: (for TopicModel and assign_topics); ``import journeymap`` imports neither until first use.
__all__ = [
    "Actor",
    "ArgumentTypeError",
    "AutoReplyRule",
    "Customer",
    "EmotionScore",
    "EmotionScorer",
    "EventLog",
    "Interaction",
    "InvalidArgumentError",
    "Journey",
    "JourneyMapError",
    "JourneySet",
    "ModelLoadError",
    "PluginError",
    "SchemaError",
    "ScorerOptionsError",
    "SourceIsFolderError",
    "SourceNotFoundError",
    "Stage",
    "StageModel",
    "Taxonomy",
    "TextsFailedError",
    "TopicModel",
    "Touchpoint",
    "TransformerScorer",
    "UnknownJourneyError",
    "UnknownScorerError",
    "UnsupportedBackendError",
    "WriteError",
    "__version__",
    "assign_topics",
    "available_scorers",
    "build_journeys",
    "compare_segments",
    "datasets",
    "get_scorer",
    "journey_graph",
    "journey_metrics",
    "journey_variants",
    "moments_of_truth",
    "pain_points",
    "plot",
    "read_events",
    "read_journeys",
    "read_twcs",
    "read_xes",
    "reply_table",
    "reply_waits",
    "report",
    "response_times",
    "score",
    "service_levels",
    "time_patterns",
    "to_graphml",
    "to_node_link",
    "to_pm4py",
    "to_xes",
    "topic_summary",
    "topic_trends",
    "touchpoint_summary",
    "trends",
    "triage",
]


# Hidden from type checkers: a module __getattr__ typed -> Any makes every name of the package
# exist for them (a misspelt jm.pain_pionts would pass mypy). The lazy names are declared above.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Lazy attributes: the version, and names whose modules import heavy libraries."""
        if name == "__version__":
            from importlib.metadata import PackageNotFoundError, version

            try:
                return version("journeymap")
            except PackageNotFoundError:  # pragma: no cover - running from a source tree
                return "0+unknown"
        if name in ("plot", "graph"):  # journeymap.graph: the journey graph's former home, kept for compatibility
            import importlib

            return importlib.import_module(f"journeymap.{name}")
        if name in ("TopicModel", "assign_topics"):  # import scikit-learn: only when asked for
            import journeymap.topics

            return getattr(journeymap.topics, name)
        if name == "TransformerScorer":
            from journeymap.emotions.transformer import TransformerScorer

            return TransformerScorer
        msg = f"module 'journeymap' has no attribute {name!r}"
        raise AttributeError(msg)

    def __dir__() -> list[str]:
        """The module's names with the lazy ones (tab completion lists ``jm.TopicModel`` too)."""
        return sorted({*globals(), *__all__})
