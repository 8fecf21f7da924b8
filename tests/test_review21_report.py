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

import importlib
import re
import sys
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
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


# -- item 2: the map's caption reads the table the map drew ----------------------------------------


def _map_caption(page: str) -> str:
    soup = BeautifulSoup(page, "html.parser")
    heading = soup.find("h2", string="Journey map")
    assert heading is not None
    caption = heading.find_next("figcaption")
    assert caption is not None
    return caption.get_text()


def test_the_map_caption_reads_the_table_the_map_drew(
    scored: jm.JourneySet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A planted table: the largest cell's mean moved to -0.91 in the map's table only. The caption says so.

    Before, the caption grouped the customers' messages itself (``map_cells``) and said the cell's
    own mean, whatever the map drew; the map's table is computed once (its bootstrap is not run again).
    """
    drawing = importlib.import_module("journeymap.plot.journey_map")  # the package's `journey_map` is the function

    real = drawing.journey_map_table
    tables: list[pd.DataFrame] = []

    def planted(*args: object, **kwargs: object) -> pd.DataFrame:
        table: pd.DataFrame = real(*args, **kwargs)
        table.loc[table["volume"].idxmax(), "mean_valence"] = -0.91  # only the map's table holds it
        tables.append(table)
        return table

    monkeypatch.setattr(drawing, "journey_map_table", planted)
    caption = _map_caption(jm.report(scored, tmp_path / "r.html", examples=0).read_text(encoding="utf-8"))
    assert len(tables) == 1  # one table, one bootstrap: the map's
    table = tables[0]
    cell = table.iloc[int(table["volume"].to_numpy().argmax())]
    assert f"lowest: {cell['touchpoint']} in {cell['stage']} (-0.91, {cell['volume']} messages)" in caption
    # every figure of the caption is the table's: its cells, messages, stage means and pain points
    assert f"{len(table)} cells from {table['volume'].sum()} scored customer messages in {len(scored)} journeys" in caption
    weighted = table.assign(t=table["volume"] * table["mean_valence"]).groupby("stage", sort=False)[["t", "volume"]].sum()
    means = [f"{stage} {row['t'] / row['volume']:+.2f}" for stage, row in weighted.iterrows()]
    assert "stage means " + ", ".join(means[:-1]) + " and " + means[-1] + "." in caption
    pains = table[table["pain_point"]].sort_values("impact", ascending=False)
    named = ", ".join(f"{t} in {s}" for t, s in zip(pains["touchpoint"].iloc[:-1], pains["stage"].iloc[:-1]))
    assert f"ringed): {named} and {pains['touchpoint'].iloc[-1]} in {pains['stage'].iloc[-1]}." in caption


def test_the_map_hands_over_its_whole_table_and_the_cells_it_drew() -> None:
    import matplotlib.pyplot as plt

    from journeymap.plot._stats import journey_map_table

    events = jm.datasets.service_journeys(400, seed=2).events.copy()
    events["touchpoint"] = [f"tp{k:02d}" for k in np.random.default_rng(3).integers(0, 40, len(events))]
    js = planted_scores(jm.build_journeys(events))
    ax = jm.plot.journey_map(js, seed=0, top_pains=3)
    table, drawn = ax._journeymap_table, ax._journeymap_cells  # type: ignore[attr-defined]
    plt.close("all")
    pd.testing.assert_frame_equal(table, journey_map_table(js, seed=0, top_pains=3, min_volume=5))  # every cell, drawn or not
    assert len(table) == 120 and 0 < len(drawn) < 120
    assert set(zip(table.loc[table["pain_point"], "stage"], table.loc[table["pain_point"], "touchpoint"])) <= set(drawn)
    empty = jm.plot.journey_map(js.select([]))
    assert empty._journeymap_table.empty and empty._journeymap_cells == []  # type: ignore[attr-defined]
    plt.close("all")


def test_the_caption_grouping_of_its_own_is_gone() -> None:
    import journeymap._report_text as words

    assert not hasattr(words, "map_cells")  # the duplicate of journey_map_table's grouping


# -- item 3: map --tables --report computes each shared table once ---------------------------------

COUNTED = ("touchpoint_summary", "pain_points", "service_levels", "triage", "response_times")


def _count_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[dict[str, Any]]]:
    """Every journeymap module's name for each function of :data:`COUNTED` replaced by a counter (their keywords kept)."""
    from journeymap import analytics

    calls: dict[str, list[dict[str, Any]]] = {name: [] for name in COUNTED}
    for name in COUNTED:
        real = getattr(analytics, name)

        def counted(*args: object, _name: str = name, _real: Any = real, **kwargs: object) -> object:
            calls[_name].append({"args": args[1:], **kwargs})
            return _real(*args, **kwargs)

        for module_name, module in list(sys.modules.items()):
            if module_name.split(".")[0] == "journeymap" and module is not None:
                for attr, value in list(vars(module).items()):
                    if value is real:
                        monkeypatch.setattr(module, attr, counted)
    return calls


@pytest.fixture
def events_csv(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    jm.datasets.service_journeys(60, seed=1, broadcasts=1).events.to_csv(path, index=False)  # true_emotion kept
    return path


def test_map_tables_report_computes_each_table_once(events_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from journeymap.analytics._durations import durations_as_text
    from journeymap.cli import app
    from journeymap.io import write_table

    used: list[jm.JourneySet] = []

    def planted(js: jm.JourneySet, *args: object, **kwargs: object) -> jm.JourneySet:
        used.append(planted_scores(js))
        return used[-1]

    monkeypatch.setattr(jm, "score", planted)
    calls = _count_calls(monkeypatch)
    folder, page = tmp_path / "t", tmp_path / "r.html"
    result = CliRunner().invoke(app, ["map", str(events_csv), "--report", str(page), "--tables", str(folder), "--no-cache"])
    assert result.exit_code == 0, result.output
    # before: touchpoint_summary, pain_points, the agent league and triage twice (for the report, then the files)
    assert {name: len(calls[name]) for name in COUNTED if name != "service_levels"} == dict.fromkeys(
        ("touchpoint_summary", "pain_points", "triage", "response_times"), 1
    )
    leagues = [call.get("by", call["args"][0] if call["args"] else "agent") for call in calls["service_levels"]]
    assert sorted(leagues) == ["agent", "brand"]  # the agent league once, the brand league once: the report's and the files'
    assert (folder / "brand_levels.csv").is_file()  # the report's per-brand table as a file too (review 27)
    # the files are what the public functions give with their defaults, byte for byte
    js = used[0]
    for name, table in {
        "touchpoints.csv": jm.touchpoint_summary(js),
        "pain_points.csv": jm.pain_points(js),
        "service_levels.csv": jm.service_levels(js),
        "brand_levels.csv": jm.service_levels(js, by="brand"),
        "triage.csv": jm.triage(js),
    }.items():
        write_table(durations_as_text(table), tmp_path / name)
        assert (folder / name).read_bytes() == (tmp_path / name).read_bytes(), name
    # and the report is the one jm.report writes on its own
    alone = jm.report(js, tmp_path / "alone.html", log=None)
    assert (
        page.read_text(encoding="utf-8").split('id="counts"')[1].split("</p>", 1)[1]
        == alone.read_text(encoding="utf-8").split('id="counts"')[1].split("</p>", 1)[1]
    )


def test_a_report_handed_its_tables_is_the_report_that_computes_them(scored: jm.JourneySet, tmp_path: Path) -> None:
    from journeymap.report import shared_tables

    handed = jm.report(scored, tmp_path / "a.html", examples=0, _tables=shared_tables(scored))
    computed = jm.report(scored, tmp_path / "b.html", examples=0)
    assert handed.read_bytes() == computed.read_bytes()


def test_tables_handed_to_the_report_are_checked(scored: jm.JourneySet, tmp_path: Path) -> None:
    from journeymap.report import SharedTables, shared_tables

    with pytest.raises(jm.JourneyMapError, match=r"^_tables: unknown table 'pain_point'; the tables the report can be handed"):
        SharedTables(seed=0, sla=pd.Timedelta("1h"), auto=None, frames={"pain_point": jm.pain_points(scored)})
    with pytest.raises(jm.JourneyMapError, match=r"^_tables: the table 'triage' must be a pandas DataFrame, got list"):
        SharedTables(seed=0, sla=pd.Timedelta("1h"), auto=None, frames={"triage": []})  # type: ignore[dict-item]
    with pytest.raises(jm.JourneyMapError, match=r"^_tables were computed with seed=1, .* the report draws with seed=0"):
        jm.report(scored, tmp_path / "r.html", _tables=shared_tables(scored, seed=1))
    with pytest.raises(jm.JourneyMapError, match=r"sla=0 days 02:00:00, .* sla=0 days 01:00:00"):
        jm.report(scored, tmp_path / "r.html", _tables=shared_tables(scored, sla="2h"))
    with pytest.raises(jm.JourneyMapError, match=r"^_tables must be None or .*SharedTables, got dict"):
        jm.report(scored, tmp_path / "r.html", _tables={"triage": jm.triage(scored)})  # type: ignore[arg-type]
    assert not (tmp_path / "r.html").exists()  # refused before anything is drawn or written
