"""Review 20 (rv46): chart colours that a reader with low vision or a colour-vision deficiency can read and tell apart.

Contrast is WCAG's ratio, computed here (not by the library's helper). Backgrounds are measured on the rendered pixels,
as the reviewer measured them: the figure is drawn once more with every text's glyphs transparent (their boxes kept), and
the median colour inside each text's extent is what its words sit on. Colour differences are CIEDE2000, under
colour blindness simulated with Machado et al. (2009) at full severity.
"""

from __future__ import annotations

import colorsys
import importlib
import itertools
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pytest

mpl.use("Agg")
from matplotlib.colors import to_hex, to_rgb, to_rgba
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

import journeymap as jm
from journeymap.journeys import JourneySet
from journeymap.plot import _theme
from journeymap.testing.data import planted_scores

graph_module = importlib.import_module("journeymap.plot.graph")  # jm.plot.graph is the function
trends_module = importlib.import_module("journeymap.plot.trends")

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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


# 3. topic_trends: the theme's ten colour-blind-safe colours (before: matplotlib's C0 .. C9, 1.3 apart under protanopia)

_MACHADO = {
    "protan": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
    "deutan": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
}


def _linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(colour: Any, vision: str) -> np.ndarray:
    """CIELAB (D65) of ``colour`` as seen with ``vision`` ("normal", "protan", "deutan")."""
    linear = _linear(np.asarray(to_rgb(colour), dtype=float))
    if vision != "normal":  # simulated in linear RGB, clipped to the gamut
        linear = np.clip(_MACHADO[vision] @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e00(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """CIEDE2000 (Sharma, Wu and Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p, h2p = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dh = 0.0 if c1p * c2p == 0 else (h2p - h1p + 180) % 360 - 180
    d_l, d_c, d_h = l2 - l1, c2p - c1p, 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, c_bar_p = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))  # fmt: skip
    r_t = -2 * np.sqrt(c_bar_p**7 / (c_bar_p**7 + 25**7)) * np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2))))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar_p, 1 + 0.015 * c_bar_p * t
    return float(np.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)))


def test_delta_e00_matches_the_published_test_pairs() -> None:
    # Sharma, Wu and Dalal's table 1, pairs 1, 7 and 17
    assert round(delta_e00(np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485])), 4) == 2.0425
    assert round(delta_e00(np.array([50, 0, 0]), np.array([50, -1, 2])), 4) == 2.3669
    assert round(delta_e00(np.array([50, 2.5, 0]), np.array([73, 25, -18])), 4) == 27.1492


@pytest.fixture(scope="module")
def ten_topics(scored: jm.JourneySet) -> jm.JourneySet:
    """The reviewer's case: ten topics of falling size on the customer messages."""
    events = scored.events.copy()
    rng = np.random.default_rng(1)
    names = [f"topic {chr(65 + i)}" for i in range(10)]
    weights = np.linspace(2, 1, 10)
    events["topic"] = rng.choice(names, len(events), p=weights / weights.sum())
    events.loc[events["actor"].astype(str) != "customer", "topic"] = None
    return JourneySet(events, scored.journeys, scored.stages, by=scored.by, taxonomy=scored.taxonomy, tz=scored.tz)


def test_topic_trends_draws_the_theme_palette_told_apart_under_colour_blindness(ten_topics: jm.JourneySet) -> None:
    ax = jm.plot.topic_trends(ten_topics, freq="D", top=None)
    named = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(named) == trends_module.MAX_NAMED_TOPICS == 10
    colours = [to_hex(line.get_color()) for line in named]
    assert colours == [c.lower() for c in _theme.CATEGORIES]  # before: C0 .. C9
    assert len(set(colours)) == 10
    for vision in ("normal", "protan", "deutan"):
        labs = {c: _lab(c, vision) for c in colours}
        closest = min(delta_e00(labs[a], labs[b]) for a, b in itertools.combinations(colours, 2))
        assert closest >= 10, (vision, closest)  # before: 1.3 (protan, C1 and C2), 3.3 (deutan, C1 and C8)
    # the first topics', the ones a default chart (top=6) draws, are 3:1 or more on white
    assert all(contrast(c, "white") >= 3 for c in colours[:6])
    # no marker so small that its shape is lost (before: 3 points from the sixth topic on)
    sizes = [line.get_markersize() for line in named]
    assert min(sizes) >= 4.5 and sizes == sorted(sizes, reverse=True) and len(set(sizes)) == 10
    assert len({(line.get_marker(), line.get_color()) for line in named}) == 10


# 4. Marks that carry meaning: 3:1 or more against white (WCAG 1.4.11)


def test_trends_median_line_stands_out_from_white_and_the_bars(scored: jm.JourneySet) -> None:
    ax = jm.plot.trends(scored)
    line = next(line for line in ax.right_ax.get_lines() if line.get_label().startswith("median first response"))
    assert line.get_alpha() in (None, 1.0)
    assert contrast(line.get_color(), "white") >= 3  # before: #E69F00, 2.25:1
    assert contrast(line.get_color(), ax.patches[0].get_facecolor()) >= 3  # the bars it crosses
    assert 20 <= hue(line.get_color()) <= 45  # still the brand's orange


def test_graph_grey_edges_as_drawn_reach_3_to_1(scored: jm.JourneySet) -> None:
    ax = jm.plot.graph(jm.journey_graph(scored))
    fig = ax.figure
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    grey = [p for p in arrows if to_hex(p.get_edgecolor(), keep_alpha=False) == graph_module.GREY_EDGE]
    assert grey  # from start and into end
    for artist in fig.findobj(lambda a: a is not fig and a not in grey and hasattr(a, "set_visible")):
        if artist is not ax and artist is not ax.patch:
            artist.set_visible(False)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].reshape(-1, 3)
    inked = pixels[(pixels < 250).any(axis=1)]
    assert len(inked)
    colours, counts = np.unique(inked, axis=0, return_counts=True)
    drawn = colours[np.argmax(counts)] / 255  # the edges' own colour, at their alpha over their rim
    assert contrast(drawn, "white") >= 3, to_hex(drawn)  # before: #b9b9b9, 1.96:1
    assert np.ptp(drawn) < 0.02  # grey: no colour of the valence scale


def test_graph_texts_stay_readable_over_the_darker_edges(scored: jm.JourneySet) -> None:
    ax = jm.plot.graph(jm.journey_graph(scored))
    texts = [t for t in ax.texts if t.get_text().strip()]
    assert any((t.get_gid() or "").startswith("selfloop:") for t in texts)
    assert_readable(ax, texts)  # before: "↻ 57" 3.8:1 where the store -> end edge runs under it (3.3:1 once darker)
