"""Review 19, the report read by a CX lead: what a figure is, said where the figure is.

* The agent league showed every agent "unanswered 0.0 (0.000-0.017)" (0 by construction:
  unanswered conversations have no agent) and "(no reply)" "answered within SLA 0.000"; with
  more than 20 agents the "(no reply)" row was always cut.
* A rate resting on 2 conversations ("recovered 0.5", 1 of 2) looked like any other.
* "When customers write" showed the share negative by hour, not when they write.
* A topics "trend" of one period; "First response (to a person's reply)".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from bs4 import BeautifulSoup

import journeymap as jm
from journeymap.analytics.replies import NO_REPLY
from journeymap.report import FEW, MAX_AGENTS, _agent_league, _marked_rates
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def js() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(120, seed=0)))


@pytest.fixture(scope="module")
def html(js: jm.JourneySet, tmp_path_factory: pytest.TempPathFactory) -> str:
    return jm.report(js, tmp_path_factory.mktemp("r") / "r.html", examples=0).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ")


def _first_table(html: str) -> pd.DataFrame:
    """The first table of ``html`` as text (its row labels in column "row"), read with html.parser (no lxml)."""
    table = BeautifulSoup(html, "html.parser").find("table")
    assert table is not None
    heading = [th.get_text(strip=True) for th in table.find("thead").find("tr").find_all("th")]
    rows = [[cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])] for tr in table.find("tbody").find_all("tr")]
    return pd.DataFrame(rows, columns=["row", *heading[1:]])


def test_the_agent_league_shows_no_unanswered_share_and_says_where_unanswered_conversations_are(html: str) -> None:
    league = html[html.index("<h2>Agent league</h2>") :]
    table = _first_table(league)
    assert table["row"].tolist()[-1] == NO_REPLY
    assert "answered within SLA" in table.columns
    assert not [c for c in table.columns if "unanswered" in str(c)]
    text = BeautifulSoup(league, "html.parser").get_text(" ")
    assert "Within SLA is over the conversations each agent answered" in text
    assert re.search(r"have no agent: they are the \(no reply\) row \(\d+ journeys?\)", text)
    assert "can be higher than the brand's share above" in text


def test_no_reply_has_no_within_sla_share_and_stays_when_the_league_is_cut(js: jm.JourneySet) -> None:
    agents = jm.service_levels(js, by="agent")
    assert NO_REPLY in agents.index
    many = pd.concat([agents.drop(index=NO_REPLY)] * 4 + [agents.loc[[NO_REPLY]]])
    many.index = [f"Brand/A{i}" for i in range(len(many) - 1)] + [NO_REPLY]
    assert len(many) > MAX_AGENTS
    html = "".join(_agent_league(many))
    table = _first_table(html)
    assert table["row"].iloc[-1] == NO_REPLY
    assert len(table) == MAX_AGENTS
    assert table.set_index("row").loc[NO_REPLY, "answered within SLA"] == ""
    assert f"The largest {MAX_AGENTS - 1} of {len(many) - 1} agents, and {NO_REPLY}." in html
    assert "unanswered" not in " ".join(map(str, table.columns))


def test_a_rate_without_an_interval_in_a_large_enough_group_is_marked(js: jm.JourneySet) -> None:
    brands = jm.service_levels(js, by="brand")
    assert not brands["too_small"].any()
    few = brands.copy()
    few.iloc[0, few.columns.get_loc("recovered_low")] = float("nan")  # as service_levels leaves it at 1 of 2
    few.iloc[0, few.columns.get_loc("recovered_high")] = float("nan")
    marked = _marked_rates(few)
    assert str(marked["recovered"].iloc[0]).endswith(FEW)
    assert not any(str(v).endswith(FEW) for v in marked["recovered"].iloc[1:])
    assert not any(str(v).endswith(FEW) for v in _marked_rates(brands)["recovered"])


def test_when_customers_write_shows_volume_and_the_mood_by_hour_has_its_own_heading(html: str) -> None:
    write = html[html.index("<h2>When customers write</h2>") : html.index("<h2>How they feel, by weekday and hour</h2>")]
    # since review 20 the captions say what the charts show, not only what they are (review 21: the alt text names it)
    assert "<figcaption>Customer messages by weekday and hour" in write
    feel = html[html.index("<h2>How they feel, by weekday and hour</h2>") :]
    assert "<figcaption>Share of scored customer messages that read negative by weekday and hour" in feel


def test_a_topics_table_over_one_period_has_no_trend_column(js: jm.JourneySet, tmp_path: Path) -> None:
    from journeymap.testing import HashingEncoder

    topics = jm.assign_topics(js, jm.TopicModel(n_topics=3, encoder=HashingEncoder(), cache=False))
    one = BeautifulSoup(jm.report(topics, tmp_path / "m.html", freq="YS", examples=0).read_text(encoding="utf-8"), "html.parser")
    text = one.get_text(" ")
    assert "no trend column: all the data falls in one period (year)" in text
    weekly_html = jm.report(topics, tmp_path / "w.html", examples=0).read_text(encoding="utf-8")
    weekly = BeautifulSoup(weekly_html, "html.parser").get_text(" ")
    assert re.search(r"trend: its messages per week, the last \d+, oldest first", weekly)


def test_the_first_response_note_says_a_persons_reply(page: str) -> None:
    assert "First response (a person's reply): median" in page
