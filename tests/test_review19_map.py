"""Review 19 (rv40), finding 5: the journey map's default figure was 19-24 inches wide, its text 5-7 px on a slide.

Each test reads the drawn artists (figure sizes, window extents, texts) after a draw, not pixels.
"""

from __future__ import annotations

import base64
import itertools
import re
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest

mpl.use("Agg")
import matplotlib.pyplot as plt

import journeymap as jm
from journeymap.plot._stats import journey_map_table
from journeymap.plot.journey_map import MAX_COLUMNS, MAX_WIDTH, _largest_cells
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from matplotlib.axes import Axes

WORDS = ["billing", "refund", "delivery", "account", "password", "router", "outage", "contract", "upgrade", "roaming"]
WORDS += ["voicemail", "invoice", "porting", "activation"]


@pytest.fixture(autouse=True)
def _close() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def demo() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(120, seed=0, broadcasts=2)))


@pytest.fixture(scope="module")
def long_touchpoints() -> jm.JourneySet:
    # as the review built it: 45 touchpoints of 40-60 characters, at random
    rng = np.random.default_rng(1)

    def name(i: int) -> str:
        text = f"{i:02d} "
        while len(text) < 40 + (i * 7) % 20:
            text += str(rng.choice(WORDS)) + " "
        return text.strip()[:60]

    names = [name(i) for i in range(45)]
    events = jm.datasets.service_journeys(300, seed=0).events.copy()
    events["touchpoint"] = pd.array(rng.choice(names, len(events)), dtype="string")
    return planted_scores(jm.build_journeys(events))


def drawn(ax: Axes) -> None:
    ax.figure.canvas.draw()


def check_legible(ax: Axes) -> None:
    """At most MAX_WIDTH inches, 9-point tick labels lying flat, none running into its neighbour, stage names apart."""
    drawn(ax)
    assert ax.figure.get_size_inches()[0] <= MAX_WIDTH <= 13.5
    ticks = ax.get_xticklabels()
    assert {t.get_fontsize() for t in ticks} == {9.0} and {t.get_rotation() for t in ticks} == {0.0}
    boxes = [t.get_window_extent() for t in ticks]
    assert all(left.x1 < right.x0 for left, right in itertools.pairwise(boxes))
    stages = [t.get_window_extent() for t in ax.texts if t.get_gid() == "stage"]
    assert all(left.x1 < right.x0 for left, right in itertools.pairwise(stages))
    figure = ax.figure.bbox
    assert all(figure.x0 <= box.x0 and box.x1 <= figure.x1 for box in boxes + stages)


def pain_rings(ax: Axes) -> int:
    rings = [c for c in ax.collections if c.get_label() == "pain point"]
    return len(rings[0].get_offsets()) if rings else 0


def test_demo_map_fits_a_slide(demo: jm.JourneySet) -> None:
    # before: 19.1 x 5 inches, 19 columns
    ax = jm.plot.journey_map(demo)
    check_legible(ax)
    table = journey_map_table(demo)
    assert pain_rings(ax) == int(table["pain_point"].sum()) > 0
    shown = len(ax.get_xticks())
    assert 15 <= shown < len(table) and f"{shown} of {len(table)} cells" in ax.get_title().replace("\n", " ")


def test_long_touchpoint_names_fit_a_slide_and_every_stage_keeps_columns(long_touchpoints: jm.JourneySet) -> None:
    # before: 23.6 inches, 24 columns of which contact took 22, follow up and resolution one each
    ax = jm.plot.journey_map(long_touchpoints)
    check_legible(ax)
    table = journey_map_table(long_touchpoints)
    assert len(table) > 100
    assert pain_rings(ax) == int(table["pain_point"].sum()) > 0
    assert len([t for t in ax.texts if t.get_gid() == "annotation-pain"]) == pain_rings(ax)
    title = ax.get_title().replace("\n", " ")
    assert f"{len(ax.get_xticks())} of {len(table)} cells" in title
    # each stage's columns: the stage bands' widths (a column is 1 wide)
    # (matplotlib 3.8's axvspan draws a Polygon, 3.9's a Rectangle: the width is read off the path either way)
    bands = sorted(
        round(p.get_path().get_extents(p.get_patch_transform()).width) for p in ax.patches if p.get_gid() == "stage-band"
    )
    assert len(bands) == 3 and min(bands) >= 3


def test_the_cap_is_shared_among_the_stages(long_touchpoints: jm.JourneySet) -> None:
    table = journey_map_table(long_touchpoints)
    shown, note = _largest_cells(table, MAX_COLUMNS)
    per_stage = shown["stage"].value_counts()
    assert len(per_stage) == 3 and per_stage.min() >= 6  # before: 22, 1 and 1
    assert set(table.index[table["pain_point"]].map(lambda i: (table.at[i, "stage"], table.at[i, "touchpoint"]))) <= set(
        zip(shown["stage"], shown["touchpoint"])
    )
    assert f"of {len(table)} cells" in note


def test_max_columns_stays_an_upper_bound_and_a_callers_axes_is_drawn_into(long_touchpoints: jm.JourneySet) -> None:
    assert len(jm.plot.journey_map(long_touchpoints, max_columns=6).get_xticks()) == 6  # the pain points within the cap
    fig, ax = plt.subplots(figsize=(30, 6), layout="constrained")
    assert jm.plot.journey_map(long_touchpoints, ax=ax) is ax
    assert list(fig.get_size_inches()) == [30, 6] and len(ax.get_xticks()) >= MAX_COLUMNS


@pytest.mark.filterwarnings("ignore::UserWarning")  # the report's notes on this small sample are not what is tested
def test_the_report_shows_the_map_at_full_size(demo: jm.JourneySet, tmp_path: Path) -> None:
    # before: 1537 px wide, scaled to the 1100-px page: 8-point text 6 px tall. Since review 20 the
    # map is drawn at 96 dpi, its text at its own point size, and scrolls sideways (as any figure
    # wider than the page does) instead of being drawn at 80 dpi to fit the page
    page = jm.report(demo, tmp_path / "r.html", examples=0).read_text(encoding="utf-8")
    image = r'<h2>Journey map</h2>\s*<figure>(<div class="wide">)?<img alt="[^"]+" width="(\d+)" height="\d+"'
    image += r' src="data:image/png;base64,([^"]+)"'
    match = re.search(image, page)
    assert match is not None
    png = base64.b64decode(match.group(3))
    width = int.from_bytes(png[16:20], "big")
    from journeymap.plot.journey_map import MAX_WIDTH
    from journeymap.report import _DPI, _PAGE_WIDTH

    assert width == int(match.group(2)) and (match.group(1) is not None) == (width > _PAGE_WIDTH)
    assert MAX_WIDTH * _DPI <= _PAGE_WIDTH and match.group(1) is None  # the widest map fits the page: no scrolling
    assert f"max-width:{_PAGE_WIDTH}px" in page
    # a figure wider than the page scrolls sideways at full size instead of shrinking
    from journeymap.report import _figure

    _, ax = plt.subplots(figsize=(20, 4))
    assert _figure(ax, "wide", alt="a wide chart").startswith('<figure><div class="wide"><img')
    _, ax = plt.subplots(figsize=(9, 4))
    assert _figure(ax, "narrow", alt="a narrow chart").startswith("<figure><img")
