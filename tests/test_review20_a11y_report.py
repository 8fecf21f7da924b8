"""Review 20 (rv46), the HTML report read with a screen reader or at its pixel size.

* Finding 1: every chart's alt text was a bare label ("journey map", "emotion mix", "journey
  e00000636"), with no figure or caption: the stages' means, the graph's transitions, the hours
  and each example journey's moments were in no text of the page.
* Finding 5: the tables had no caption, no ``scope``, a second header row of empty cells (the
  index's name) and "too few to say" read True / False.
* Finding 4: charts were saved at 80 dpi and shown one image pixel to one CSS pixel (1/96 inch):
  7-point text showed at 5.8 points.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

mpl.use("Agg")
import matplotlib.pyplot as plt

import journeymap as jm
from journeymap._report_text import hours_summary, journey_summary, trends_summary
from journeymap.plot._stats import journey_map_table
from journeymap.report import _figure, _table
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path

    from bs4 import Tag


@pytest.fixture(scope="module")
def js() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(120, seed=0)))


@pytest.fixture(scope="module")
def soup(js: jm.JourneySet, tmp_path_factory: pytest.TempPathFactory) -> BeautifulSoup:
    path = jm.report(js, tmp_path_factory.mktemp("r") / "r.html")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _alt(soup: BeautifulSoup, heading: str) -> str:
    """The caption of the first figure after the heading (h2 or h3) ``heading``.

    Until review 21 the summary was the image's alt text as well; since then the alt text is a
    short name of the chart, and the summary the figure's caption only (read once).
    """
    title = soup.find(["h2", "h3"], string=heading)
    assert title is not None, heading
    caption = title.find_next("figcaption")
    assert caption is not None
    return caption.get_text()


# -- finding 1: alt texts and captions say what each chart shows ------------------------------------


def test_every_chart_is_a_figure_whose_alt_text_and_caption_say_what_it_shows(soup: BeautifulSoup) -> None:
    images = soup.find_all("img")
    assert len(images) == 9  # map, trend, graph, two hour charts, emotion mix, three journeys
    figures = soup.find_all("figure")
    assert len(figures) == len(images)
    for figure in figures:
        image, caption = figure.find("img"), figure.find("figcaption")
        assert image is not None and caption is not None
        words = caption.get_text()
        # before: "journey map", "emotion mix", "journey e00000636"
        assert len(words.split()) >= 20 and re.search(r"\d", words), words
        assert str(image["alt"]) and not words.startswith(str(image["alt"]))  # review 21: read once, in the caption


def test_the_journey_maps_alt_text_gives_the_stage_means_and_the_cells_the_map_calls_out(
    js: jm.JourneySet, soup: BeautifulSoup
) -> None:
    alt = _alt(soup, "Journey map")
    table = journey_map_table(js, min_volume=5)
    totals = table.assign(t=table["volume"] * table["mean_valence"]).groupby("stage", sort=False)[["t", "volume"]].sum()
    for stage, row in totals.iterrows():
        assert f"{stage} {row['t'] / row['volume']:+.2f}" in alt  # contact -0.23, follow_up -0.26, resolution +0.27
    big = table[table["volume"] >= 5]
    low, high = big.loc[big["mean_valence"].idxmin()], big.loc[big["mean_valence"].idxmax()]
    assert f"lowest: {low['touchpoint']} in {low['stage']} ({low['mean_valence']:+.2f}, {low['volume']} messages)" in alt
    assert f"highest: {high['touchpoint']} in {high['stage']} ({high['mean_valence']:+.2f}" in alt
    pains = table[table["pain_point"]]
    assert all(f"{t} in {s}" in alt.split("pain points")[1] for t, s in zip(pains["touchpoint"], pains["stage"]))
    assert f"in {len(js)} journeys" in alt


def test_the_trend_graph_and_hours_alt_texts_carry_their_tables_numbers(js: jm.JourneySet, soup: BeautifulSoup) -> None:
    trend = _alt(soup, "Over time")
    weekly = jm.trends(js, freq="W")
    whole = weekly[~weekly["partial"]]
    assert "5 weeks from 2024-03-04 to 2024-04-01" in trend
    assert f"most messages {whole['volume'].max()} ({whole['volume'].idxmax():%Y-%m-%d})" in trend
    assert "median first response longest" in trend
    graph = _alt(soup, "Journey graph")
    G = jm.journey_graph(js, level="stage")
    assert f"contact to first_response {G.edges['contact', 'first_response']['count']} times" in graph
    assert f"valence change {G.edges['follow_up', 'resolution']['mean_valence_change']:+.2f}" in graph
    assert "follow_up (211 steps, mean valence -0.26)" in graph
    hours = _alt(soup, "When customers write")
    table = jm.time_patterns(js)
    day, hour = table["volume"].idxmax()
    assert f"busiest hour {day} {hour:02d}:00 ({table['volume'].max()} messages)" in hours
    negative = _alt(soup, "How they feel, by weekday and hour")
    few = int(((table["volume"] > 0) & (table["scored"] < 3)).sum())
    assert f"{few} hours with fewer than 3 scored messages hatched" in negative  # the chart's hatching, in words
    mix = _alt(soup, "Emotions by stage")
    assert "contact (220 messages): annoyance 29%" in mix


def test_each_example_journey_says_its_steps_and_its_lowest_and_highest_moment(js: jm.JourneySet, soup: BeautifulSoup) -> None:
    h2 = soup.find("h2", string="Example journeys")
    assert h2 is not None
    figures = h2.find_all_next("figure")
    assert len(figures) == 3
    for figure in figures:
        alt = figure.find("figcaption").get_text()  # type: ignore[union-attr]
        journey_id = alt.split()[1]
        rows = js.events[js.events["journey_id"] == journey_id]
        felt = rows[(rows["actor"] == "customer") & rows["valence"].notna()]
        low, high = felt.loc[felt["valence"].idxmin()], felt.loc[felt["valence"].idxmax()]
        assert f"{len(rows)} steps" in alt
        assert f"lowest {low['valence']:+.2f} at step {low['step']} ({low['touchpoint']}, {low['stage']}: “" in alt
        assert f"highest {high['valence']:+.2f} at step {high['step']} ({high['touchpoint']}" in alt


def test_the_alt_text_and_caption_are_escaped() -> None:
    _, ax = plt.subplots(figsize=(3, 2))
    out = _figure(ax, 'a "quote" <script>alert(1)</script> & more', alt='a "chart" <b>', note="<b>n</b>")
    assert 'alt="a &quot;chart&quot; &lt;b&gt;"' in out
    assert "<figcaption>a &quot;quote&quot; &lt;script&gt;" not in out  # text content: quotes kept as they are
    assert '<figcaption>a "quote" &lt;script&gt;alert(1)&lt;/script&gt; &amp; more &lt;b&gt;n&lt;/b&gt;</figcaption>' in out


def test_summaries_of_flat_and_timeless_data_say_so() -> None:
    rows = pd.DataFrame(
        {
            "actor": ["customer", "agent", "customer"],
            "step": [1, 2, 3],
            "stage": ["contact", "first_response", "resolution"],
            "touchpoint": ["app", "app", "app"],
            "valence": [0.1, np.nan, 0.1],
            "text": ["hi", "hello", "ok"],
        }
    )
    assert "valence stays at +0.10; it ends at +0.10" in journey_summary(rows, "j1")
    assert "lowest" not in journey_summary(rows, "j1")  # a flat curve has no low, as the chart draws none
    table = pd.DataFrame(
        {"volume": [3], "scored": [3], "share_negative": [0.0], "mean_valence": [0.0]},
        index=pd.MultiIndex.from_tuples([("Monday", 0)], names=["weekday", "hour"]),
    )
    text = hours_summary(table, metric="volume", tz="UTC", min_count=3, stamped="00:00")
    assert "every customer message is stamped 00:00" in text
    empty = trends_summary(pd.DataFrame(columns=["volume", "first_response_median", "partial"]), freq="W", tz="UTC")
    assert "no customer messages to show" in empty


# -- finding 5: tables a screen reader can read ------------------------------------------------------


def _tables(soup: BeautifulSoup) -> list[Tag]:
    tables = soup.find_all("table")
    assert len(tables) == 5
    return list(tables)


def test_every_table_has_a_caption_one_header_row_and_scoped_header_cells(soup: BeautifulSoup) -> None:
    for table in _tables(soup):
        caption = table.find("caption")
        assert caption is not None and caption.get_text(strip=True)  # before: no caption, no accessible name
        header_rows = table.find("thead").find_all("tr")  # type: ignore[union-attr]
        assert len(header_rows) == 1  # before: a second row with the index's name and empty cells
        for th in table.find_all("th"):
            assert th.get_text(strip=True), table.caption  # before: 66 of 132 column headers empty
            assert th.get("scope") == ("col" if th.parent in header_rows else "row")
        body = table.find("tbody")
        assert all(tr.find("th", scope="row") for tr in body.find_all("tr"))  # type: ignore[union-attr]


def test_flags_read_yes_not_true_or_false(soup: BeautifulSoup) -> None:
    cells = {td.get_text() for table in _tables(soup) for td in table.find_all("td")}
    assert not cells & {"True", "False"}  # before: the raw Python values
    league = soup.find("caption", string="Response times and mood per brand").find_parent("table")  # type: ignore[union-attr]
    headings = [th.get_text() for th in league.find("thead").find_all("th")]  # type: ignore[union-attr]
    column = headings.index("too few to say")
    values = {tr.find_all(["th", "td"])[column].get_text() for tr in league.find("tbody").find_all("tr")}  # type: ignore[union-attr]
    assert values <= {"yes", ""}


def test_a_table_without_an_index_name_gets_a_heading_and_keeps_pandas_number_formats() -> None:
    frame = pd.DataFrame({"too_small": [True, False], "share": [0.5, 0.125], "n": [3, 4], "x": [1.0, None]})
    out = _table(frame, caption="A <caption>")
    assert "<caption>A &lt;caption&gt;</caption>" in out
    assert '<th scope="col">#</th><th scope="col">too few to say</th>' in out
    assert '<tr><th scope="row">0</th><td>yes</td><td>0.500</td><td>3</td><td>1.0</td></tr>' in out
    assert '<tr><th scope="row">1</th><td></td><td>0.125</td><td>4</td><td></td></tr>' in out
    assert out.startswith('<div class="wide"><table')  # scrolls in a wrapper: the table keeps display:table


# -- finding 4: chart text at no less than its point size --------------------------------------------


def test_a_chart_is_shown_at_96_pixels_an_inch_so_its_text_is_at_its_point_size() -> None:
    fig, ax = plt.subplots(figsize=(5, 2))
    ax.plot([0, 1], [0, 1])
    ax.set_title("8-point text", fontsize=8)
    fig.canvas.draw()
    inches = fig.get_tightbbox()  # what bbox_inches="tight" saves, less its 0.1-inch pad a side
    out = _figure(ax, "a line", alt="a line chart")
    match = re.search(r'width="(\d+)" height="(\d+)" src="data:image/png;base64,([^"]+)"', out)
    assert match is not None
    png = base64.b64decode(match.group(3))
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (int(match.group(1)), int(match.group(2)))  # shown one pixel to one CSS pixel
    # 96 pixels an inch, shown at 96 CSS pixels an inch: 8-point text at 8 CSS points (before: 80, 6.7 points)
    assert abs(width - (inches.width + 0.2) * 96) <= 6 and abs(height - (inches.height + 0.2) * 96) <= 6  # text: a few px


def test_the_reports_images_declare_their_pixel_size(soup: BeautifulSoup) -> None:
    for image in soup.find_all("img"):
        png = base64.b64decode(str(image["src"]).split(",", 1)[1])
        assert int(image["width"]) == int.from_bytes(png[16:20], "big")
        assert int(image["height"]) == int.from_bytes(png[20:24], "big")
        wide = image.parent is not None and image.parent.name == "div" and "wide" in (image.parent.get("class") or [])
        from journeymap.report import _PAGE_WIDTH

        assert wide == (int(image["width"]) > _PAGE_WIDTH)  # wider than the page: scrolls, never shrunk


def test_the_map_caption_names_only_cells_the_map_draws(tmp_path: Path) -> None:
    """rv48: 120 cells, 24 drawn: the caption's lowest, highest and pain points were read from all 120."""
    from journeymap._report_text import map_summary
    from journeymap.plot.journey_map import MIN_VOLUME

    events = jm.datasets.service_journeys(400, seed=2).events.copy()
    events["touchpoint"] = [f"tp{k:02d}" for k in np.random.default_rng(3).integers(0, 40, len(events))]
    js = planted_scores(jm.build_journeys(events))
    ax = jm.plot.journey_map(js, seed=0, top_pains=3)
    drawn = ax._journeymap_cells  # type: ignore[attr-defined]
    ticks = {t.get_text().replace("\n", "") for t in ax.get_xticklabels()}
    plt.close(ax.figure)
    assert 0 < len(drawn) < 120 and {key for _, key in drawn} <= ticks
    text = map_summary(ax._journeymap_table, journeys=len(js), min_volume=MIN_VOLUME, drawn=drawn)  # type: ignore[attr-defined]
    assert f"The map draws {len(drawn)} of the 120 cells" in text
    named = re.findall(r"(?:lowest|highest): (tp\d\d) in (\w+)", text)
    assert len(named) == 2 and all(cell in set(drawn) for cell in [(stage, key) for key, stage in named])
    # the report's own caption of the same data says the same
    page = jm.report(js, tmp_path / "r.html", examples=0).read_text(encoding="utf-8")
    assert f"The map draws {len(drawn)} of the 120 cells" in page


def test_the_graph_caption_counts_one_stage_in_the_singular() -> None:
    from journeymap._report_text import graph_summary

    events = jm.datasets.service_journeys(8, seed=1).events
    js = planted_scores(jm.build_journeys(events[events["actor"] == "customer"].copy()))
    text = graph_summary(jm.journey_graph(js, level="stage"))
    assert "1 stages" not in text and "1 stage" in text


def test_the_map_caption_names_neutral_extremes_as_the_map_does() -> None:
    """On the TWCS-like case every cell is near 0: the map says "highest (neutral)", and so must its caption."""
    from journeymap._report_text import map_summary
    from journeymap.plot.journey_map import MIN_VOLUME

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
    events = js.events.copy()
    events["valence"] = (events["valence"].astype("float32") * 0.1).astype("float32")  # every mean inside +-0.25
    neutral = js.with_events(events)
    text = map_summary(journey_map_table(neutral, min_volume=MIN_VOLUME), journeys=len(neutral), min_volume=MIN_VOLUME)
    assert "lowest (neutral): " in text and "highest (neutral): " in text
    assert "; highest: " not in text and "messages, lowest: " not in text
