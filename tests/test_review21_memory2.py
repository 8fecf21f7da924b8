"""Review 21 (rv50), findings 4 and 6: models a long-running process keeps per option value.

Counted in model loads and objects, never in RSS or time.
"""

from __future__ import annotations

import gc
import threading
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import journeymap as jm
from journeymap.distributed import scoring

if TYPE_CHECKING:
    from collections.abc import Iterator


# -- finding 4: jmd.score without a cluster kept one model per batch size --------------------------


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every scorer ``worker_scorer`` builds, as (name, options); the worker's scorers forgotten before and after."""
    calls: list[tuple[str, dict[str, Any]]] = []
    real = scoring.get_scorer

    def counted(name: str, **options: Any) -> Any:
        calls.append((name, options))
        return real(name, **options)

    scoring.clear_scorers()
    monkeypatch.setattr(scoring, "get_scorer", counted)
    yield calls
    scoring.clear_scorers()


def test_batch_sizes_share_one_network_without_a_cluster(built: list[tuple[str, dict[str, Any]]]) -> None:
    import journeymap.distributed as jmd

    log = jm.datasets.service_journeys(3, seed=0)
    frames = [
        jmd.score(jmd.build_journeys(jmd.from_pandas(log, npartitions=2)), "default", batch_size=size, cache=False)
        .compute()
        .events
        for size in (8, 16, 32)
    ]
    assert len(built) == 1  # one DefaultScorer built (one network), then copies that batch differently
    networks = {id(scoring.worker_scorer(("default", (("batch_size", size),))).model) for size in (8, 16, 32)}
    assert len(networks) == 1
    for frame in frames[1:]:  # the batch size changes no number
        assert np.allclose(frame["valence"], frames[0]["valence"], atol=1e-5, equal_nan=True)


def test_a_batch_size_is_the_copys_own(built: list[tuple[str, dict[str, Any]]]) -> None:
    base = scoring.worker_scorer(("default", (("precision", "float32"),)))
    small = scoring.worker_scorer(("default", (("batch_size", 2), ("precision", "float32"))))
    assert (base.batch_size, small.batch_size) == (64, 2)  # the shared scorer's own batch size is untouched
    assert not base.loaded
    texts = ["thanks, that fixed it", "I am so angry", "where is my parcel", "ok"]
    rows = {}

    def read(scorer: Any, key: str) -> None:
        rows[key] = scorer.score(texts)

    threads = [threading.Thread(target=read, args=(s, k)) for s, k in ((base, "base"), (small, "small"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert np.allclose(rows["base"], rows["small"], atol=1e-3)
    assert base.loaded and small.model is base.model  # built once, by the shared scorer
    assert len(built) == 1
    with pytest.raises(jm.exceptions.InvalidArgumentError, match="batch_size"):
        scoring.worker_scorer(("default", (("batch_size", 0), ("precision", "float32"))))


class _Plain:
    """A scorer of a plugin's: not one of journeymap's batching scorers."""

    taxonomy = jm.Taxonomy.sentiment()

    def __init__(self, name: str, **options: Any) -> None:
        self.id, self.options = name, options

    def score(self, texts: list[str]) -> np.ndarray:
        return np.full((len(texts), 3), 1 / 3, dtype=np.float32)


def test_a_worker_keeps_a_bounded_number_of_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def plain(name: str, **options: Any) -> _Plain:
        calls.append(name)
        return _Plain(name, **options)

    scoring.clear_scorers()
    monkeypatch.setattr(scoring, "get_scorer", plain)
    try:
        first = weakref.ref(scoring.worker_scorer(("plain0", ())))
        for i in range(1, scoring.MAX_SCORERS + 2):
            scoring.worker_scorer((f"plain{i}", ()))
        gc.collect()
        assert first() is None  # the least recently used was forgotten, and freed
        assert len(scoring._SCORERS) == scoring.MAX_SCORERS
        calls.clear()
        scoring.worker_scorer((f"plain{scoring.MAX_SCORERS + 1}", ()))  # the latest: kept
        assert calls == []
        scoring.worker_scorer(("plain0", ()))  # built again
        assert calls == ["plain0"]
        # a plugin's scorer with a batch size is built with it (and no second object kept for its network)
        calls.clear()
        sized = scoring.worker_scorer(("plugin", (("batch_size", 8),)))
        assert isinstance(sized, _Plain) and sized.options == {"batch_size": 8}
        assert list(scoring._SCORERS[repr(("plugin", ()))].values()) == [sized]
        assert scoring.worker_scorer(("plugin", (("batch_size", 8),))) is sized
    finally:
        scoring.clear_scorers()


# -- finding 6: language detection loaded py3langid's model twice -------------------------------


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Each load of py3langid's model (either version's loader); the identifiers forgotten before and after."""
    from py3langid.langid import LanguageIdentifier

    from journeymap.emotions import language

    def forget() -> None:
        language._identifier.cache_clear()
        loaded = getattr(language, "_loaded_model", None)
        if loaded is not None:
            loaded.cache_clear()

    name = "from_model_file" if hasattr(LanguageIdentifier, "from_model_file") else "from_pickled_model"
    real = getattr(LanguageIdentifier, name)
    counted: list[int] = []

    def load(*args: Any, **kwargs: Any) -> Any:
        counted.append(1)
        return real(*args, **kwargs)

    forget()
    monkeypatch.setattr(LanguageIdentifier, name, load)
    yield counted
    forget()


TEXTS = [
    "never flying with you again",
    "Nunca más vuelo con ustedes",
    "Wo ist mein Koffer?",
    "Où est passé mon remboursement ?",
    "Rwy'n aros am fy mhecyn ers tair wythnos ac nid oes neb wedi ateb fy neges",  # Welsh: all languages
    "என் பை தொலைந்துவிட்டது, யாரும் உதவவில்லை",  # Tamil: all languages
    "Мой багаж потерялся, никто не отвечает",
    "see you",
    "ok",
]


def test_language_detection_loads_one_model_per_process(loads: list[int]) -> None:
    from journeymap.emotions import language

    codes = language.detect_languages(TEXTS)
    assert codes[:4] == ["en", "es", "de", "fr"] and codes[5] == "ta"
    restricted, full = language._identifier(), language._identifier(candidates=False)
    assert restricted is not full
    assert len(loads) == 1  # the restricted identifier is derived from the full one's model


def test_the_identifiers_are_loaded_once_by_concurrent_threads(loads: list[int]) -> None:
    from journeymap.emotions import language

    barrier = threading.Barrier(4)

    def detect() -> None:
        barrier.wait()
        language.detect_languages(TEXTS)

    threads = [threading.Thread(target=detect) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1


def test_the_restricted_identifier_reads_as_one_loaded_alone(loads: list[int]) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from journeymap.emotions import language

    full = language._identifier(candidates=False)
    classes, table = list(full.nb_classes), full.nb_ptc
    restricted = language._identifier()
    assert set(restricted.nb_classes) == set(language.LANGUAGES)
    # restricting the copy gave it new arrays: the full identifier still reads all of py3langid's languages
    assert full.nb_classes == classes and full.nb_ptc is table and "cy" in full.nb_classes
    load = getattr(LanguageIdentifier, "from_model_file", None) or LanguageIdentifier.from_pickled_model
    alone = load(MODEL_FILE, norm_probs=True)
    every = load(MODEL_FILE, norm_probs=True)
    alone.set_languages(list(language.LANGUAGES))
    for text in TEXTS:
        assert restricted.classify(text)[0] == alone.classify(text)[0]
        assert np.isclose(restricted.classify(text)[1], alone.classify(text)[1], atol=1e-6)
        assert full.classify(text)[0] == every.classify(text)[0]
        assert np.isclose(full.classify(text)[1], every.classify(text)[1], atol=1e-6)
