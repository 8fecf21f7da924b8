"""A tiny lexicon scorer on the sentiment taxonomy, and a broken one."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from journeymap.emotions.taxonomy import Taxonomy

if TYPE_CHECKING:
    from collections.abc import Sequence

POSITIVE = {"thanks", "thank", "great", "love", "fixed", "happy"}
NEGATIVE = {"worst", "broken", "angry", "late", "never", "hate"}


class LexiconScorer:
    """Counts positive and negative words; with ``languages`` (``["en"]``), declares it reads those alone."""

    def __init__(self, strength: float = 0.9, languages: Sequence[str] | None = None) -> None:
        self.strength = strength
        if languages is not None:
            self.languages = tuple(languages)

    @property
    def id(self) -> str:
        langs = f",languages={'+'.join(self.languages)}" if hasattr(self, "languages") else ""
        return f"fake.lexicon.v1(strength={self.strength}{langs})"

    @property
    def taxonomy(self) -> Taxonomy:
        return Taxonomy.sentiment()

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 4), dtype=np.float32)
        for i, text in enumerate(texts):
            words = set(re.findall(r"\w+", text.lower()))
            pos, neg = len(words & POSITIVE), len(words & NEGATIVE)
            out[i, 0] = self.strength if pos > neg else 0.0
            out[i, 1] = self.strength if neg > pos else 0.0
            out[i, 3] = 1.0 - out[i, 0] - out[i, 1]
        return out


class BrokenScorer:
    """Breaks the contract: no taxonomy."""

    id = "fake.broken.v1"

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.zeros((len(texts), 1), dtype=np.float32)


#: How many SlowScorers this process has built (the distributed tests check one per worker),
#: how many times they were called and how many texts they scored.
LOADS = 0
CALLS = 0
SCORED = 0


class SlowScorer(LexiconScorer):
    """The lexicon scorer, ``delay`` seconds per call: slow enough to kill a worker mid-scoring."""

    def __init__(self, delay: float = 0.0, strength: float = 0.9) -> None:
        global LOADS  # noqa: PLW0603 - the count is what the tests read
        LOADS += 1
        super().__init__(strength)
        self.delay = delay

    @property
    def id(self) -> str:
        return f"fake.slow.v1(strength={self.strength})"

    def score(self, texts: Sequence[str]) -> np.ndarray:
        import time

        global CALLS, SCORED  # noqa: PLW0603
        CALLS += 1
        time.sleep(self.delay)
        out = super().score(texts)
        SCORED += len(texts)
        return out


def loads() -> int:
    """SlowScorers built in this process."""
    return LOADS


def calls() -> int:
    """Calls to SlowScorer.score in this process (counted when a call starts)."""
    return CALLS


def scored() -> int:
    """Texts SlowScorers scored in this process."""
    return SCORED
