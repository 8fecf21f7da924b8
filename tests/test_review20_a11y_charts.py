"""Review 20 (rv46): chart colours that a reader with low vision or a colour-vision deficiency can read and tell apart.

Contrast is WCAG's ratio, computed here (not by the library's helper). Backgrounds are measured on the rendered pixels,
as the reviewer measured them: the figure is drawn once more with every text's glyphs transparent (their boxes kept), and
the median colour inside each text's extent is what its words sit on. Colour differences are CIEDE2000, under
colour blindness simulated with Machado et al. (2009) at full severity.
"""

from __future__ import annotations

import colorsys
import importlib
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pytest

mpl.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import to_hex, to_rgb, to_rgba
from matplotlib.text import Text

import journeymap as jm
from journeymap.plot import _theme
from journeymap.testing.data import planted_scores

graph_module = importlib.import_module("journeymap.plot.graph")  # jm.plot.graph is the function
trends_module = importlib.import_module("journeymap.plot.trends")

if TYPE_CHECKING:
    from collections.abc import Iterator

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@pytest.fixture(autouse=True)
def _close() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    """The reviewer's data: 120 synthetic service journeys with planted scores."""
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(120, seed=0)))


@pytest.fixture(scope="module")
def neutral(scored: jm.JourneySet) -> jm.JourneySet:
    """Every valence squeezed into the neutral band: the extremes are named "highest (neutral)", in grey."""
    events = scored.events.copy()
    events["valence"] = (events["valence"].astype("float32") * 0.2).astype("float32")
    return scored.with_events(events)


def luminance(colour: Any) -> float:
    rgb = np.asarray(to_rgb(colour), dtype=float)
    rgb = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(rgb @ [0.2126, 0.7152, 0.0722])


def contrast(a: Any, b: Any) -> float:
    first, second = luminance(a), luminance(b)
    return (max(first, second) + 0.05) / (min(first, second) + 0.05)


def over(colour: Any, alpha: float, under: Any) -> tuple[float, float, float]:
    """``colour`` at ``alpha`` over ``under``."""
    top, bottom = np.asarray(to_rgb(colour)), np.asarray(to_rgb(under))
    r, g, b = alpha * top + (1 - alpha) * bottom
    return float(r), float(g), float(b)


def backgrounds(fig: Figure, texts: list[Text]) -> list[tuple[float, float, float]]:
    """The median colour behind each text's words as drawn: the figure rendered with every glyph transparent."""
    fig.canvas.draw()
    extents = [Text.get_window_extent(t) for t in texts]  # the words (an annotation's extent takes in its arrow)
    every = [t for t in fig.findobj(Text) if t.get_visible()]
    colours = [t.get_color() for t in every]
    for t in every:
        t.set_color((0, 0, 0, 0))
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba(), dtype=float)[..., :3] / 255  # type: ignore[attr-defined]
    for t, c in zip(every, colours):
        t.set_color(c)
    height, width = pixels.shape[:2]
    found = []
    for box in extents:
        x0, x1 = max(0, int(box.x0)), min(width, int(np.ceil(box.x1)))
        y0, y1 = max(0, int(height - box.y1)), min(height, int(np.ceil(height - box.y0)))
        assert x1 > x0 and y1 > y0, box
        r, g, b = np.median(pixels[y0:y1, x0:x1].reshape(-1, 3), axis=0)
        found.append((float(r), float(g), float(b)))
    return found


def callouts(ax: Axes) -> list[Text]:
    return [t for t in ax.texts if (t.get_gid() or "").startswith("annotation")]


def assert_readable(ax: Axes, texts: list[Text]) -> list[float]:
    """Each text 4.5:1 or more against what it sits on, as drawn; the ratios."""
    assert texts
    ratios = []
    for text, back in zip(texts, backgrounds(ax.figure, texts)):
        colour = to_rgba(text.get_color())
        assert colour[3] == 1.0 and text.get_alpha() in (None, 1.0), text.get_text()
        ratios.append(contrast(colour, back))
        assert ratios[-1] >= 4.5, (text.get_text(), to_hex(colour), to_hex(back), round(ratios[-1], 2))
    return ratios


def hue(colour: str) -> float:
    return colorsys.rgb_to_hsv(*to_rgb(colour))[0] * 360


# 1. The callouts' words: 4.5:1 or more (before: 3.77 "n=51" and "low -0.37", 3.33 "high", 2.68 the neutral grey)


def test_the_callout_shades_keep_their_hue_and_reach_4_5_on_any_band() -> None:
    box = _theme_box_alpha()
    for mark, text in ((_theme.HIGH, _theme.HIGH_TEXT), (_theme.LOW, _theme.LOW_TEXT), (_theme.NEUTRAL, _theme.NEUTRAL_TEXT)):
        assert _theme.text_shade(mark) == text
        for band in ("#ffffff", "#f4f4f4", "#e4e4e4", "#f2f2f2", "#e0e0e0"):  # journey_map's and journey's bands
            assert contrast(text, over("white", box, band)) >= 4.5, (text, band)
            assert contrast(text, band) >= 4.5, (text, band)  # even where the box is not behind every letter
        assert contrast(mark, "white") < 4.5  # the palette's colour was too light for small text
        if mark != _theme.NEUTRAL:
            assert abs(hue(text) - hue(mark)) < 8, (text, mark)  # the same green and vermillion, darker
        else:
            assert colorsys.rgb_to_hsv(*to_rgb(text))[1] == 0  # a grey


def _theme_box_alpha() -> float:
    from journeymap.plot.journey_map import CALLOUT_BOX

    return float(CALLOUT_BOX["alpha"])


def test_journey_map_callouts_are_readable(scored: jm.JourneySet) -> None:
    ax = jm.plot.journey_map(scored)
    texts = callouts(ax)
    assert {t.get_gid() for t in texts} == {"annotation-high", "annotation-low", "annotation-pain"}
    assert_readable(ax, texts)
    by_gid = {t.get_gid(): t for t in texts}
    assert by_gid["annotation-low"].get_color() == _theme.LOW_TEXT
    assert by_gid["annotation-high"].get_color() == _theme.HIGH_TEXT
    # the marks keep the palette's colours: the pain point's ring is vermillion
    rings = [c for c in ax.collections if c.get_label() == "pain point"]
    assert rings and to_hex(rings[0].get_edgecolor()[0]) == _theme.LOW.lower()


def test_journey_map_neutral_callouts_are_readable(neutral: jm.JourneySet) -> None:
    ax = jm.plot.journey_map(neutral)
    texts = [t for t in callouts(ax) if "(neutral)" in t.get_text()]
    assert texts  # "highest (neutral) +0.09 (n=18)": 2.68:1 in #999999 before
    assert all(t.get_color() == _theme.NEUTRAL_TEXT for t in texts)
    assert_readable(ax, texts)


def _example(js: jm.JourneySet) -> Any:
    """The reviewer's example journey: the greatest net change among those of three customer steps or more."""
    metrics = jm.journey_metrics(js)
    return metrics[metrics["n_customer_steps"] >= 3].sort_values("net_change").index[-1]


def test_journey_quotes_are_readable(scored: jm.JourneySet, neutral: jm.JourneySet) -> None:
    ax = jm.plot.journey(scored[_example(scored)])
    texts = callouts(ax)
    assert {t.get_text().split(":")[0] for t in texts} == {"high", "low"}  # before: 3.06 and 3.61
    assert_readable(ax, texts)
    for text in texts:  # the arrow, a mark, keeps the palette's colour
        arrow = text.arrow_patch
        assert arrow is not None
        mark = _theme.HIGH if text.get_gid() == "annotation-high" else _theme.LOW
        assert to_hex(arrow.get_edgecolor()) == mark.lower()
    ax = jm.plot.journey(neutral[_example(neutral)])
    texts = [t for t in callouts(ax) if "(neutral)" in t.get_text()]
    assert texts
    assert_readable(ax, texts)


# 2. emotion_heatmap's numbers: black or white by the cell's luminance (before: white from half the scale, 2.44:1)


@pytest.mark.parametrize("level", ["touchpoint", "stage"])
def test_emotion_heatmap_numbers_are_readable_on_their_cells(scored: jm.JourneySet, level: str) -> None:
    ax = jm.plot.emotion_heatmap(scored, level=level)
    image = ax.images[0]
    grid = np.asarray(image.get_array())
    labels = [t for t in ax.texts if t.get_text().endswith("%")]
    assert len(labels) == grid.size
    ratios = []
    for text in labels:
        x, y = text.get_position()
        cell = image.cmap(image.norm(grid[round(y), round(x)]))
        ratios.append(contrast(text.get_color(), cell))
        assert ratios[-1] >= 4.5, (text.get_text(), to_hex(cell), text.get_color(), round(ratios[-1], 2))
    # the reviewer's failing band (0.50 to 0.71 of the scale) is in the data, and its numbers now pass
    shares = grid / image.norm.vmax
    assert ((shares >= 0.5) & (shares <= 0.71)).any()
    # and as drawn on the pixels
    assert_readable(ax, labels)
