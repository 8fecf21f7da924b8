"""The guide's and the README's Python examples run as a user pastes them.

Each page's ``python`` blocks run in order in one fresh namespace (a notebook of that page), in a
folder of their own holding the files the page says its user has: small exports of the shapes
the pages describe, written here (no ../shared data, no network). Where a page scores with the
default model, ``jm.score`` is given a planted keyword scorer instead (no model is loaded), so
the blocks after it read scored journeys as the page shows. ``jm.report`` checks its arguments
against its signature and draws nothing (its seven charts took 5 to 8 s a page; the report's own
tests run it).

A block that cannot run here (it loads a model, needs a cluster, a package outside the dev group
or the network) is marked in the page, on the line right before its fence:
``<!-- docs-test: skip (the reason) -->``; the markers do not render. The marked blocks are
listed below, so that a skip added without updating the list fails.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest

import journeymap
import journeymap as jm
from journeymap import Taxonomy

if TYPE_CHECKING:
    from collections.abc import Callable

REPO = Path(__file__).resolve().parents[1]
PAGES = ["README.md", *(p.relative_to(REPO).as_posix() for p in sorted((REPO / "docs" / "guide").glob("*.md")))]
FENCE = re.compile(r"^```(\S*)\s*$")
MARKER = re.compile(r"^<!-- docs-test: skip \((?P<reason>.+)\) -->$")

#: every block the test does not run, by page and reason: a new skip must be added here
SKIPPED = [
    ("README.md", "fits a topic model with the bundled sentence encoder"),
    ("docs/guide/interop.md", "needs pm4py, from the bench dependency group"),
    ("docs/guide/plugins.md", "needs the plugin package installed under the entry point above"),
    ("docs/guide/researcher.md", "needs the model trained in step 2"),
    ("docs/guide/scale-out.md", "starts a Dask cluster, reads s3 and loads the model on each worker"),
    ("docs/guide/scale-out.md", "needs a Kubernetes cluster"),
    ("docs/guide/scale-out.md", "needs a SLURM cluster"),
    ("docs/guide/scale-out.md", "needs workers with a GPU resource"),
]


def python_blocks(page: str) -> list[tuple[int, str, str | None]]:
    """The page's ``python`` blocks: (line of the fence, code, skip reason or None).

    A skip marker must stand right before a ``python`` fence; anywhere else it is an error, so
    that a marker never silently stops applying.
    """
    lines = (REPO / page).read_text(encoding="utf-8").splitlines()
    out: list[tuple[int, str, str | None]] = []
    fence: str | None = None
    start, body = 0, []
    for n, line in enumerate(lines, 1):
        marker = MARKER.match(line)
        if fence is None and marker and not (n < len(lines) and lines[n] == "```python"):
            msg = f"{page}:{n}: a docs-test marker must stand right before a ```python fence"
            raise AssertionError(msg)
        if fence is None and (m := FENCE.match(line)):
            fence, start, body = m.group(1), n, []
        elif fence is not None and line.strip() == "```":
            if fence == "python":
                previous = MARKER.match(lines[start - 2]) if start >= 2 else None
                out.append((start, "\n".join(body), previous["reason"] if previous else None))
            fence = None
        elif fence is not None:
            body.append(line)
    return out


# ---------------------------------------------------------------- the files each page's user has


def _twcs(folder: Path, name: str = "twcs.csv") -> None:
    at = "Tue Oct 31 22:{:02d}:00 +0000 2017".format
    pd.DataFrame(
        {
            "tweet_id": [1, 2, 3, 4, 5, 6],
            "author_id": ["115712", "sprintcare", "115712", "115713", "AppleSupport", "115714"],
            "inbound": [True, False, True, True, False, True],
            "created_at": [at(10), at(25), at(40), at(41), at(50), at(55)],
            "text": [
                "@sprintcare my phone has had no signal for two days, nobody helps",
                "@115712 Sorry to hear that! Please send us a DM so we can look into it. -AC",
                "@sprintcare thank you, it works again",
                "@AppleSupport my battery drains overnight since the update",
                "@115713 We'd like to help. Which iOS version are you on?",
                "@AppleSupport the app keeps crashing and I am fed up",
            ],
            "response_tweet_id": ["2", "3", None, "5", None, None],
            "in_response_to_tweet_id": [None, "1", "2", None, "4", None],
        }
    ).to_csv(folder / name, index=False)


def _readme(folder: Path) -> None:
    _twcs(folder)


def _getting_started(folder: Path) -> None:
    events = jm.datasets.service_journeys(n_customers=15, seed=1).events
    events.rename(columns={"customer_id": "user", "timestamp": "sent_at"}).to_csv(folder / "interactions.csv", index=False)


def _researcher(folder: Path) -> None:
    pd.DataFrame(
        {
            "tweet": ["Loving the new update!", "the app crashed again", "it is raining", "best service ever", "never again", ""],
            "y": [2, 0, 1, 2, 0, 1],
        }
    ).to_csv(folder / "tweets.csv", index=False)


def _interop(folder: Path) -> None:
    _twcs(folder)


def _readers(folder: Path) -> None:
    pd.DataFrame(
        {
            "ticket_id": [1, 1, 1, 2, 2],
            "requester_id": [901, 901, 901, 902, 902],
            "created_at": ["2024-03-04 09:00", "2024-03-04 09:45", "2024-03-04 10:20", "2024-03-04 11:00", "2024-03-04 12:05"],
            "author_role": ["end-user", "agent", "end-user", "end-user", "admin"],
            "body": ["my card was declined", "I've lifted the block", "thank you!", "how do I close my account?", "done for you"],
        }
    ).to_csv(folder / "zendesk_comments.csv", index=False)
    tweets = [
        {
            "id": "10",
            "author_id": "105834",
            "username": "dana",
            "created_at": "2017-10-11T06:55:44.000Z",
            "conversation_id": "10",
            "text": "@AppleSupport my screen flickers after the update",
        },
        {
            "id": "11",
            "author_id": "2200",
            "username": "AppleSupport",
            "created_at": "2017-10-11T07:20:00.000Z",
            "conversation_id": "10",
            "referenced_tweets": [{"type": "replied_to", "id": "10"}],
            "text": "@dana We'd like to help. Which model is it? ^JK",
        },
        {
            "id": "12",
            "author_id": "105835",
            "username": "lee",
            "created_at": "2017-10-11T08:00:00.000Z",
            "conversation_id": "12",
            "text": "@Tesco my delivery never came",
        },
    ]
    (folder / "tweets.jsonl").write_text("".join(json.dumps(t) + "\n" for t in tweets), encoding="utf-8")


def _exports(folder: Path) -> None:
    at = "2024-03-04T{}:00Z".format
    pd.DataFrame(
        {
            "ticket_id": [31, 31, 31, 31, 31, 32, 32],
            "comment_id": [1, 2, 3, 4, 5, 6, 7],
            "requester_id": [701, 701, 701, 701, 701, 702, 702],
            "author_id": [701, 11, 12, 12, 701, 702, 11],
            "author_role": ["end-user", "agent", "agent", "admin", "end-user", "end-user", "agent"],
            "via": ["email", "rule", "web", "web", "email", "email", "rule"],
            "public": [True, True, False, True, True, True, True],
            "body": [
                "my card was declined twice",
                "We've received your request.",
                "merchant block",
                "I've lifted the block.",
                "thank you, that sorted it!",
                "where is my new card?",
                "We've received your request.",
            ],
            "created_at": [at("09:00"), at("09:01"), at("09:50"), at("10:35"), at("11:00"), at("12:00"), at("12:01")],
            "status": ["solved"] * 5 + ["open"] * 2,
        }
    ).to_csv(folder / "zendesk_comments.csv", index=False)

    def part(pid: str, kind: str, body: str, when: int, author: tuple[str, str, str]) -> dict[str, Any]:
        return {
            "id": pid,
            "part_type": kind,
            "body": body,
            "created_at": when,
            "author": dict(zip(("type", "id", "name"), author)),
        }

    conversations = [
        {
            "id": str(9000 + i),
            "state": "closed" if i else "open",
            "created_at": 1709892000 + 3600 * i,
            "source": {
                "id": f"s{i}",
                "body": "<p>my transfer is stuck</p>",
                "author": {"type": "user", "id": f"u{i}", "name": f"C{i}"},
            },
            "conversation_parts": {
                "type": "conversation_part.list",
                "conversation_parts": [
                    part(f"{i}-1", "comment", "<p>Fin is looking into it.</p>", 1709892002 + 3600 * i, ("bot", "b1", "Fin")),
                    part(f"{i}-2", "note", "<p>VIP</p>", 1709892100 + 3600 * i, ("admin", "a7", "Sam")),
                    part(f"{i}-3", "comment", "<p>Fixed it for you.</p>", 1709892600 + 3600 * i, ("admin", "a7", "Sam")),
                    part(f"{i}-4", "comment", "<p>Thanks!</p>", 1709892900 + 3600 * i, ("user", f"u{i}", f"C{i}")),
                ],
            },
        }
        for i in range(2)
    ]
    (folder / "intercom_conversations.json").write_text(json.dumps({"conversations": conversations}), encoding="utf-8")

    page_id = "104857362918273"
    comments = [
        {
            "id": f"{page_id}_1",
            "from": {"id": "5510000000000001"},
            "created_time": "2024-03-08T10:00:00+0000",
            "message": "my app login fails",
        },
        {
            "id": f"{page_id}_2",
            "from": {"id": page_id},
            "created_time": "2024-03-08T10:30:00+0000",
            "message": "Sorry! Please send us a private message.",
            "parent": {"id": f"{page_id}_1"},
        },
    ]
    (folder / "facebook_comments.jsonl").write_text("".join(json.dumps(c) + "\n" for c in comments), encoding="utf-8")
    instagram = [
        {
            "id": "17900000000000",
            "username": "ana",
            "timestamp": "2024-03-09T10:00:00+0000",
            "text": "card not working",
            "replies": {
                "data": [
                    {"id": "17910000000000", "username": "acmebank", "timestamp": "2024-03-09T10:40:00+0000", "text": "DM us"}
                ]
            },
        },
        {"id": "17900000000001", "username": "bo", "timestamp": "2024-03-09T11:00:00+0000", "text": "love the new app"},
    ]
    (folder / "instagram_comments.json").write_text(json.dumps(instagram), encoding="utf-8")

    link = "http://play.google.com/console/developers/1/app/2/user-feedback/review-details?reviewId=gp:{}".format
    pd.DataFrame(
        {
            "Review Submit Date and Time": ["2024-03-01T08:00:00Z", "2024-03-02T08:00:00Z", "2024-03-03T08:00:00Z"],
            "Star Rating": [1, 5, 3],
            "Review Text": ["crashes on start", "great app", "ok I guess"],
            "Developer Reply Date and Time": ["2024-03-02T10:30:00Z", "2024-03-03T09:00:00Z", None],
            "Developer Reply Text": ["Sorry, fixed in 4.1.3", "Thank you!", None],
            "Review Link": [link("A1"), link("A2"), link("A3")],
        }
    ).to_csv(folder / "reviews_googleplay.csv", index=False, encoding="utf-16")
    pd.DataFrame(
        {
            "Response ID": ["R1", "R2", "R3", "R4"],
            "Email": ["a@example.com", "b@example.com", "c@example.com", "d@example.com"],
            "Date": ["2024-03-01", "2024-03-01", "2024-03-02", "2024-03-03"],
            "How likely are you to recommend Acme Bank? (0-10)": [2, 7, 10, 9],
            "Why did you give that score?": ["fees are wrong", "fine", "thank you for the great help", ""],
        }
    ).to_parquet(folder / "nps_survey.parquet")
    pd.DataFrame(
        {
            "Message-ID": ["<c1@mail.example.com>", "<r1@acmebank.com>", "<t1@mail.example.com>"],
            "In-Reply-To": [None, "<c1@mail.example.com>", "<r1@acmebank.com>"],
            "From": ["Cust <cust@example.com>", "Acme Support <support@acmebank.com>", "cust@example.com"],
            "Date": ["Fri, 29 Mar 2024 09:00:00 -0500", "Fri, 29 Mar 2024 11:10:00 -0500", "Fri, 29 Mar 2024 12:00:00 +0000"],
            "Body": [
                "I was charged twice",
                "We have fixed this.\n\nOn Fri, 29 Mar 2024, Cust wrote:\n> I was charged twice",
                "Thank you so much, that sorted it!\n\n> We have fixed this.",
            ],
        }
    ).to_csv(folder / "email_threads.csv", index=False)


FILES: dict[str, Callable[[Path], None]] = {
    "README.md": _readme,
    "docs/guide/getting-started.md": _getting_started,
    "docs/guide/researcher.md": _researcher,
    "docs/guide/interop.md": _interop,
    "docs/guide/readers.md": _readers,
    "docs/guide/exports.md": _exports,
}


class PlantedScorer:
    """Stands in for the default model: one GoEmotions label per text by keyword (no model loaded)."""

    id = "tests.docs.planted.v1"
    taxonomy = Taxonomy.goemotions()
    NEGATIVE = ("no ", "not", "never", "declined", "crash", "wrong", "fed up", "charged", "stuck", "fails", "drains")

    def score(self, texts: list[str]) -> np.ndarray:
        labels = list(self.taxonomy.labels)
        out = np.full((len(texts), len(labels)), 0.02, dtype=np.float32)
        for i, text in enumerate(texts):
            low = text.lower()
            label = "neutral"
            if any(word in low for word in self.NEGATIVE):
                label = "annoyance"
            if "thank" in low or "love" in low:
                label = "gratitude"
            out[i, labels.index(label)] = 0.9
        return out


@pytest.fixture
def planted_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    """``jm.score`` with the default scorer scores with :class:`PlantedScorer`; any other scorer as given."""
    real = journeymap.score

    def score(journeys: Any, scorer: Any = "default", **options: Any) -> Any:
        return real(journeys, PlantedScorer() if isinstance(scorer, str) and scorer == "default" else scorer, **options)

    monkeypatch.setattr(journeymap, "score", score)


@pytest.fixture
def report_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    """``jm.report`` binds its arguments to its signature (a wrong name or count raises) and writes nothing."""
    signature = inspect.signature(journeymap.report)

    def report(*args: Any, **kwargs: Any) -> Path:
        return Path(signature.bind(*args, **kwargs).arguments["path"])

    monkeypatch.setattr(journeymap, "report", report)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.usefixtures("planted_scores", "report_arguments")
def test_the_pages_python_blocks_run_in_order(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "page"
    folder.mkdir()
    FILES.get(page, lambda _: None)(folder)
    monkeypatch.chdir(folder)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for line, code, skip in python_blocks(page):
        if skip is not None:
            continue
        try:
            exec(compile(code, f"{page}:{line}", "exec"), namespace)  # the page's own example
        except Exception as error:
            msg = f"the block at {page}:{line} raised {type(error).__name__}: {error}"
            raise AssertionError(msg) from error


def test_the_skipped_blocks_are_the_listed_ones() -> None:
    found = [(page, skip) for page in PAGES for _, _, skip in python_blocks(page) if skip is not None]
    assert found == SKIPPED
    assert len(found) == 8  # the count, stated twice, so that a longer list is a visible change
    ran = sum(skip is None for page in PAGES for _, _, skip in python_blocks(page))
    assert ran >= 22  # the blocks run above; a page losing its blocks shows here


def test_a_marker_away_from_a_python_fence_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- docs-test: skip (a reason) -->\n\n```python\nx = 1\n```\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "REPO", tmp_path)
    with pytest.raises(AssertionError, match=re.escape("page.md:1: a docs-test marker must stand right before")):
        python_blocks("page.md")
