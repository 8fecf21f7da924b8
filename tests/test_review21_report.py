"""Review 21, the HTML report and ``journeymap map --tables --report``.

* Item 1: every chart's summary was both the image's alt text and the figure's caption, so a
  screen reader read each chart's finding twice. The alt text is now a short name of the chart
  and its subject (WAI's two-part text alternative for a complex image), the caption the finding.
* Item 2: the journey map's caption grouped the customers' messages itself (``map_cells``),
  repeating the map's own table; it now reads the table the map drew (``ax._journeymap_table``).
* Item 3: ``map --tables --report`` computed the touchpoints, pain points, agent league and
  triage twice, once for the report and once for the table files.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import matplotlib as mpl
import pytest
from bs4 import BeautifulSoup

mpl.use("Agg")

import journeymap as jm
from journeymap.testing import HashingEncoder
from journeymap.testing.data import planted_scores
from journeymap.topics import TopicModel

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(120, seed=0)))


@pytest.fixture(scope="module")
def soup(scored: jm.JourneySet, tmp_path_factory: pytest.TempPathFactory) -> BeautifulSoup:
    """The report of journeys with topics: every kind of chart the report draws."""
    with_topics = jm.assign_topics(scored, TopicModel(encoder=HashingEncoder(), n_topics=3, cache=False))
    path = jm.report(with_topics, tmp_path_factory.mktemp("r") / "r.html")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")  # lxml is not installed in CI


# -- item 1: a short alt text, the finding in the caption ------------------------------------------


def test_every_charts_alt_text_is_a_short_name_and_its_caption_the_finding(soup: BeautifulSoup) -> None:
    figures = soup.find_all("figure")
    # map, trend, graph, topics, two hour charts, emotion mix, three example journeys
    assert len(figures) == 10 and len(soup.find_all("img")) == 10
    alts = []
    for figure in figures:
        image, caption = figure.find("img"), figure.find("figcaption")
        assert image is not None and caption is not None
        alt, words = str(image.get("alt", "")), caption.get_text()
        assert alt.strip() and len(alt) < 125, alt  # a short phrase: WAI's first part of a complex image's alternative
        assert alt != words and not words.startswith(alt) and alt not in words, alt  # before: the same text, read twice
        assert alt.endswith(", described below")  # says where the description is
        assert len(words.split()) >= 20 and re.search(r"\d", words), words  # the finding, with its numbers
        alts.append(alt)
    assert alts[0] == "Journey map: mean customer valence by stage and touchpoint, described below"
    assert len(set(alts)) == len(alts)  # each chart named for what it is, the example journeys by their id


def test_an_alt_text_of_a_long_journey_id_is_cut_to_stay_short() -> None:
    from journeymap._report_text import MAX_ALT_CHARS, alt_text

    alt = alt_text("Example journey", f"{'x' * 300}, the customer's valence step by step")
    assert len(alt) == MAX_ALT_CHARS < 125 and alt.endswith("…, described below")
    assert alt_text("Heat map", "customer\nmessages") == "Heat map: customer messages, described below"


def test_a_figure_escapes_its_alt_text(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    from journeymap.report import _figure

    _, ax = plt.subplots(figsize=(2, 2))
    out = _figure(ax, "what it shows", alt='a "chart" <of> & more')
    assert 'alt="a &quot;chart&quot; &lt;of&gt; &amp; more"' in out and "<figcaption>what it shows</figcaption>" in out
