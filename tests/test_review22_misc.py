"""Review 22, miscellaneous fixes: agent sign-offs ("Thanks, Sam"), weekly exports combined, a light star import,
topic colours of 3:1 on white, and one network per device.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from journeymap.plot import _theme
from tests.test_review20_a11y_charts import _MACHADO, _lab, delta_e00

# 3. A star import stays as light as ``import journeymap``

HEAVY = ("matplotlib", "torch", "sklearn", "dask", "scipy", "transformers", "onnxruntime")


@pytest.mark.parametrize("statement", ["import journeymap", "from journeymap import *"])
def test_star_import_imports_no_heavy_library(statement: str) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        {statement}
        print(",".join(m for m in {HEAVY!r} if m in sys.modules) or "-")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "-", f"{statement!r} imported {result.stdout.strip()}"  # before: sklearn,scipy


def test_the_heavy_names_stay_public_as_lazy_attributes() -> None:
    import journeymap as jm

    assert set(jm._HEAVY_NAMES).isdisjoint(jm.__all__)
    assert {"TopicModel", "assign_topics"} <= set(dir(jm))
    from journeymap.topics import TopicModel, assign_topics

    assert jm.TopicModel is TopicModel and jm.assign_topics is assign_topics


# 4. Every topic colour 3:1 or more on white, still told apart under colour blindness


def _wcag_luminance(colour: Any) -> float:
    rgb = np.asarray(to_rgb(colour), dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def _contrast_on_white(colour: Any) -> float:
    return 1.05 / (_wcag_luminance(colour) + 0.05)


def test_every_category_colour_is_three_to_one_on_white() -> None:
    ratios = {c: round(_contrast_on_white(c), 2) for c in _theme.CATEGORIES}
    assert min(ratios.values()) >= 3, ratios  # before: #44AA99 2.82, #88CCEE 1.76, #DDCC77 1.62


def test_category_colours_stay_apart_for_normal_and_colour_blind_vision(monkeypatch: pytest.MonkeyPatch) -> None:
    tritan = np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]])
    colours = list(_theme.CATEGORIES)
    assert len(set(colours)) == 10
    monkeypatch.setitem(_MACHADO, "tritan", tritan)  # Machado 2009, full severity
    for vision in ("normal", "protan", "deutan", "tritan"):
        labs = {c: _lab(c, vision) for c in colours}
        closest = min(delta_e00(labs[a], labs[b]) for a, b in itertools.combinations(colours, 2))
        assert closest >= 11, (vision, closest)  # now 13.3, 11.8, 11.5, 11.5


# 5. device=None and device="cpu" share one network


def test_device_key_is_one_for_the_default_and_the_device_it_picks(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    from journeymap.emotions._batching import device_key

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert device_key(None) == device_key("cpu") == device_key(torch.device("cpu")) == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    assert device_key(None) == device_key("cuda") == device_key("cuda:0") == "cuda:0"
    assert device_key("cuda:1") == "cuda:1" and device_key("cpu") == "cpu"
    assert device_key("not a device") == "not a device"  # its own key: the build says what is wrong


def test_worker_scorer_shares_one_network_for_none_and_the_default_device() -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("dask")
    from journeymap.distributed.scoring import _SCORERS, clear_scorers, worker_scorer

    default = "cuda" if torch.cuda.is_available() else "cpu"
    clear_scorers()
    try:
        plain = worker_scorer(("default", ()))
        assert worker_scorer(("default", (("device", None),))) is plain
        assert worker_scorer(("default", (("device", default),))) is plain  # before: a second network
        assert len(_SCORERS) == 1
    finally:
        clear_scorers()
