"""Review 20 (rv46), the HTML report read with a screen reader or at its pixel size.

* Finding 5: the tables had no caption, no ``scope``, a second header row of empty cells (the
  index's name) and "too few to say" read True / False.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import pytest
from bs4 import BeautifulSoup

import journeymap as jm
from journeymap.report import _table
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from bs4 import Tag


@pytest.fixture(scope="module")
def js() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(120, seed=0)))


@pytest.fixture(scope="module")
def soup(js: jm.JourneySet, tmp_path_factory: pytest.TempPathFactory) -> BeautifulSoup:
    path = jm.report(js, tmp_path_factory.mktemp("r") / "r.html")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


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
