from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from collections.abc import Iterator

# CI keeps Hypothesis's own CI profile (derandomized, so a run is reproducible and a clean clone
# passes or fails the same way each time; no example database) with more examples than dev.
# Random search is left to dev runs and the deep profile.
settings.register_profile("ci", settings.get_profile("ci"), max_examples=60)
settings.register_profile("dev", max_examples=25, deadline=None)
# On demand, to hunt for rare cases: HYPOTHESIS_PROFILE=deep python -m pytest tests/test_journeys.py ...
settings.register_profile("deep", max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

#: The shared data beside the checkout (../shared/data), when present.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TWCS_SAMPLE = SHARED_DATA / "twcs_sample" / "sample.csv"
GOEMOTIONS = SHARED_DATA / "goemotions"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")


def _older_langid_model() -> bool:
    """Whether py3langid is older than 0.4 (0.2.2, beside numpy 1.26): its older model names other languages."""
    from py3langid.langid import LanguageIdentifier

    return not hasattr(LanguageIdentifier, "from_model_file")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = None if config.getoption("--runslow") else pytest.mark.skip(reason="slow: run with --runslow")
    older = _older_langid_model()
    langid = pytest.mark.skip(reason="measured with py3langid 0.4's model; 0.2.2's (numpy 1.26) names other languages")
    for item in items:
        if slow is not None and "slow" in item.keywords:
            item.add_marker(slow)
        if older and "langid_model" in item.keywords:
            item.add_marker(langid)


@pytest.fixture(scope="session", autouse=True)
def _shared_model_dir(tmp_path_factory: pytest.TempPathFactory):
    """One folder of exported ONNX models for the session: each is exported once, not once per test."""
    folder = tmp_path_factory.mktemp("onnx-models")
    before = os.environ.get("JOURNEYMAP_MODEL_DIR")
    os.environ["JOURNEYMAP_MODEL_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("JOURNEYMAP_MODEL_DIR", None)
    else:
        os.environ["JOURNEYMAP_MODEL_DIR"] = before


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test writes to the real user cache or reaches the model hub."""
    monkeypatch.setenv("JOURNEYMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """The figures a test draws are closed after it (where matplotlib was used at all)."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


@pytest.fixture
def plugin_installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The fake plugin distribution (tests/fake_plugin) on sys.path: encoder ``hashing``, scorer ``lexicon`` (real discovery).

    Both registries are refreshed before and after, so the plugin is seen by this test only.
    """
    from journeymap.emotions import registry
    from journeymap.topics import encoders

    monkeypatch.syspath_prepend(str(Path(__file__).parent / "fake_plugin"))
    encoders.refresh_encoders()
    registry.refresh()
    yield
    encoders.refresh_encoders()
    registry.refresh()


@pytest.fixture(scope="session")
def default_scorer():
    from journeymap.emotions.default import DefaultScorer

    return DefaultScorer()


@pytest.fixture(scope="module")
def twelve_areas() -> object:
    """Planted journeys whose customers move between 12 areas at random: 11 share the graph's middle column."""
    import numpy as np
    import pandas as pd

    import journeymap as jm
    from journeymap.testing.data import planted_scores

    rng = np.random.default_rng(0)
    events = jm.datasets.service_journeys(150, seed=0).events.copy()
    names = ["billing", "refund", "delivery", "account", "app", "store", "router", "roaming", "contract", "upgrade",
             "porting", "outage"]  # fmt: skip
    events["touchpoint"] = pd.array(rng.choice(names, len(events)), dtype="string")
    return planted_scores(jm.build_journeys(events))
