from __future__ import annotations

from pathlib import Path

import pytest

from journeymap import JourneyMapError, UnknownScorerError, available_scorers, get_scorer
from journeymap.emotions import registry
from journeymap.testing import check_scorer

PLUGIN = Path(__file__).parent / "fake_plugin"


def test_builtins_are_registered_through_entry_points() -> None:
    assert {"default", "transformer"} <= set(available_scorers())
    assert registry._entry_points()["default"].value == "journeymap.emotions.default:DefaultScorer"


def test_unknown_name_lists_available() -> None:
    with pytest.raises(UnknownScorerError, match=r"Unknown scorer 'nope'\. Available names: .*default"):
        get_scorer("nope")


def test_plugin_is_discovered_loaded_and_conforms(plugin_installed: None) -> None:
    assert {"lexicon", "broken", "unimportable"} <= set(available_scorers())
    scorer = get_scorer("lexicon", strength=0.8)
    assert scorer.id == "fake.lexicon.v1(strength=0.8)"
    check_scorer(scorer)
    assert scorer.score(["thanks, great"])[0, 0] == pytest.approx(0.8)


def test_broken_plugins_fail_at_load_with_their_name(plugin_installed: None) -> None:
    with pytest.raises(JourneyMapError, match="scorer plugin 'broken' breaks the EmotionScorer contract"):
        get_scorer("broken")
    with pytest.raises(JourneyMapError, match=r"scorer plugin 'unimportable' .* could not be imported"):
        get_scorer("unimportable")


def test_plugin_absent_without_its_distribution() -> None:
    registry.refresh()
    assert "lexicon" not in available_scorers()


def test_check_scorer_catches_contract_breaches() -> None:
    import numpy as np

    from journeymap import Taxonomy

    class WrongShape:
        id = "wrong.v1"
        taxonomy = Taxonomy.sentiment()

        def score(self, texts: list[str]) -> np.ndarray:
            return np.zeros((len(texts), 3), dtype=np.float32)

    class OutOfRange(WrongShape):
        def score(self, texts: list[str]) -> np.ndarray:
            return np.full((len(texts), 4), 2.0, dtype=np.float32)

    with pytest.raises(AssertionError, match="shape"):
        check_scorer(WrongShape())
    with pytest.raises(AssertionError, match=r"outside \[0, 1\]"):
        check_scorer(OutOfRange())
