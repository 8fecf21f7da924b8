"""Topics and intents of customer texts: discovered from their words, or assigned zero- or few-shot.

:class:`TopicModel` is the estimator; :mod:`journeymap.topics.encoders` holds the sentence
encoders it embeds texts with (the bundled MiniLM by default, any Hugging Face encoder, plugins
in the entry-point group ``journeymap.encoders``).
"""

from __future__ import annotations

from journeymap.topics._cluster import AutoKMeans
from journeymap.topics._describe import CTfidfDescriber
from journeymap.topics._embed import embed
from journeymap.topics._inputs import OTHER, TopicInputError
from journeymap.topics.assign import assign_topics
from journeymap.topics.encoders import (
    MiniLMEncoder,
    SentenceEncoder,
    TransformerEncoder,
    UnknownEncoderError,
    available_encoders,
    get_encoder,
)
from journeymap.topics.model import TopicModel

__all__ = [
    "OTHER",
    "AutoKMeans",
    "CTfidfDescriber",
    "MiniLMEncoder",
    "SentenceEncoder",
    "TopicInputError",
    "TopicModel",
    "TransformerEncoder",
    "UnknownEncoderError",
    "assign_topics",
    "available_encoders",
    "embed",
    "get_encoder",
]
