"""Actors of generic exports (review of 2026-12-06, defects 1 and 6), each with a test that fails without its fix.

1. Social exports name no role: ``brands=`` (``--brands``) names the company's accounts, and a
   warning says when replies answer other accounts but every row was read as the customer's.
6. Actor rejects say how to map the role values (``actors=``, ``--actors``), True/False keys read
   a flag column, a blank role is missing, and the command line stops when no customer is left.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()
COLUMNS = {"id": "event_id", "author": "customer_id", "at": "timestamp", "reply_to": "in_reply_to", "thread": "thread_id"}
READER = "journeymap.io"


def _posts() -> pd.DataFrame:
    """Two customers answered by one brand account (spelt as an export writes it), no role column."""
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "author": ["ann", "@Tesco", "ann", "bob", "@Tesco", "bob"],
            "at": [1507704944 + 600 * i for i in range(6)],
            "reply_to": [None, 1, 2, None, 4, 5],
            "thread": ["t1", "t1", "t1", "t2", "t2", "t2"],
            "text": ["my order is late", "sorry, DM us", "thanks", "refund?", "on its way", "great"],
        }
    )


def _actors(log: jm.EventLog) -> list[str]:
    return log.events["actor"].astype(str).tolist()


# --------------------------------------------------------------------------- 1a: brands=


@pytest.mark.parametrize("brands", [["tesco"], ["@TESCO"], {"Tesco "}, ("@tesco", "AppleSupport")])
def test_brands_reads_the_company_rows_as_agents(brands: object) -> None:
    log = jm.read_events(_posts(), columns=COLUMNS, brands=brands)
    assert _actors(log) == ["customer", "agent", "customer", "customer", "agent", "customer"]
    js = jm.build_journeys(log)
    assert len(js) == 2  # one journey per customer, not one more for the brand in each thread
    assert sorted(js.journeys["customer_id"]) == ["ann", "bob"]


def test_brands_compares_numeric_ids_as_the_reader_does() -> None:
    posts = _posts().assign(author=[105834, 40000003, 105834, 105835, 40000003, 105835])
    for brands in ([40000003], ["40000003"], [" 40000003"]):
        assert _actors(jm.read_events(posts, columns=COLUMNS, brands=brands))[:2] == ["customer", "agent"]


def test_brands_with_an_actor_column_fills_only_missing_actors() -> None:
    posts = _posts().assign(role=["end-user", None, "end-user", "", "bot", "end-user"])
    log = jm.read_events(posts, columns={**COLUMNS, "role": "actor"}, brands=["tesco"], on_error="collect")
    # the brand rows without a role are the company's; a role the column gives wins (row 4 stays a bot)
    assert _actors(log) == ["customer", "agent", "customer", "bot", "customer"]
    assert log.rejects["row"].tolist() == [3]  # bob's blank role is no brand's: still missing
    assert log.rejects["reason"].tolist() == ["missing actor"]


@pytest.mark.parametrize(
    ("brands", "error", "match"),
    [
        ("Tesco", TypeError, r"brands must be a list .*got str 'Tesco'"),
        ([True], TypeError, r"brands holds account ids or handles .*\[True\]"),
        ([1.5], TypeError, r"neither: \[1.5\]"),
        (["tesco", " "], ValueError, "brands holds blank entries"),
    ],
)
def test_brands_argument_is_checked(brands: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        jm.read_events(_posts(), columns=COLUMNS, brands=brands)  # type: ignore[arg-type]


def test_brands_matching_no_account_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=READER):
        log = jm.read_events(_posts(), columns=COLUMNS, brands=["AppleSupport"])
    assert set(_actors(log)) == {"customer"}
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "brands=['applesupport'] matches no account in column 'author'" in said
    assert "'ann'" in said


def test_cli_brands_option(tmp_path: Path) -> None:
    source = tmp_path / "posts.csv"
    _posts().to_csv(source, index=False)
    out = tmp_path / "scored.csv"
    args = ["score", str(source), "-o", str(out), "--no-cache", *(f"--columns={k}={v}" for k, v in COLUMNS.items())]
    result = runner.invoke(app, [*args, "--brands", "Tesco, AppleSupport"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["actor"].tolist() == ["customer", "agent", "customer", "customer", "agent", "customer"]
    refused = runner.invoke(app, [*args, "--brands", " , "])
    assert refused.exit_code == 2  # a wrong command line (rv49)
    assert "Error: --brands takes the company's account ids or handles" in refused.output
    twcs = runner.invoke(app, ["map", str(source), "--format", "twcs", "--brands", "Tesco"])
    assert twcs.exit_code == 2
    assert "--brands" in twcs.output


# --------------------------------------------------------------------------- 1b: the warning


def test_replies_across_accounts_without_an_actor_column_warn(caplog: pytest.LogCaptureFixture) -> None:
    posts = pd.concat([_posts(), _posts().assign(id=lambda f: f["id"] + 10, reply_to=lambda f: f["reply_to"] + 10)])
    posts["author"] = ["ann", "@Tesco", "ann", "bob", "@Tesco", "bob", "cy", "Shop", "cy", "dee", "@Tesco", "dee"]
    with caplog.at_level(logging.WARNING, logger=READER):
        log = jm.read_events(posts, columns=COLUMNS)
    said = [r.getMessage() for r in caplog.records if "no actor column" in r.getMessage()]
    assert len(said) == 1
    message = said[0]
    assert "all 12 events were read as customer messages" in message  # what happened
    assert "8 replies answer (in_reply_to) a message of another account" in message  # why it looks wrong
    assert "'@Tesco' (3 accounts), 'Shop' (1 account)" in message  # who answers the most others
    assert "brands=['@Tesco']" in message  # the fix, with the accounts that answer several others
    assert "--brands @Tesco" in message
    assert "actors=" in message
    assert set(_actors(log)) == {"customer"}


def test_brands_or_an_actor_column_silence_the_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=READER):
        jm.read_events(_posts(), columns=COLUMNS, brands=["tesco"])
        jm.read_events(_posts().assign(role=["user", "agent"] * 3), columns={**COLUMNS, "role": "actor"})
    assert not [r for r in caplog.records if "no actor column" in r.getMessage()]


def test_only_replies_across_accounts_warn(caplog: pytest.LogCaptureFixture) -> None:
    quiet = [
        # a survey: no replies at all
        pd.DataFrame({"author": ["a", "b"], "at": [1507704944, 1507705944], "text": ["good", "bad"]}),
        # one-sided data: each customer's follow-ups answer their own messages
        pd.DataFrame(
            {"id": [1, 2, 3], "author": ["a", "a", "b"], "at": [1507704944, 1507705944, 1507706944], "reply_to": [None, 1, None]}
        ),
        # a reply to a message outside the data links no two accounts
        pd.DataFrame({"id": [1, 2], "author": ["a", "b"], "at": [1507704944, 1507705944], "reply_to": [99, None]}),
    ]
    with caplog.at_level(logging.WARNING, logger=READER):
        for posts in quiet:
            jm.read_events(posts, columns={k: v for k, v in COLUMNS.items() if k in posts.columns}, on_error="collect")
        assert not [r for r in caplog.records if "no actor column" in r.getMessage()]
        # the one-sided data once another account answers: warned
        answered = pd.concat([quiet[1], pd.DataFrame({"id": [4], "author": ["Shop"], "at": [1507707944], "reply_to": [3]})])
        jm.read_events(answered, columns={k: v for k, v in COLUMNS.items() if k in answered.columns})
    said = [r.getMessage() for r in caplog.records if "no actor column" in r.getMessage()]
    assert len(said) == 1
    assert "all 4 events were read as customer messages; but 1 reply answers (in_reply_to) a message of another" in said[0]


# --------------------------------------------------------------------------- 6: actor rejects


def _tickets(roles: list[object]) -> pd.DataFrame:
    n = len(roles)
    return pd.DataFrame({"author": [f"u{i}" for i in range(n)], "at": [1507704944 + i for i in range(n)], "role": roles})


TICKET_COLUMNS = {"author": "customer_id", "at": "timestamp", "role": "actor"}


def test_unknown_role_reason_names_the_mapping() -> None:
    log = jm.read_events(_tickets(["Consumer", "agent", " Consumer", "Staff Member"]), columns=TICKET_COLUMNS, on_error="collect")
    reasons = log.rejects.set_index("row")["reason"].to_dict()
    assert reasons[0] == (
        "unknown actor 'Consumer': map your roles with actors={'Consumer': 'customer'} (command line: --actors Consumer=customer)"
    )
    assert reasons[2] == reasons[0]  # one reason per role value: the rejects group by it
    assert reasons[3] == (
        "unknown actor 'Staff Member': map your roles with actors={'Staff Member': 'agent'} "
        "(command line: --actors 'Staff Member=agent')"
    )
    assert log.rejects["column"].unique().tolist() == ["role"]
    # and the mapping it names reads them
    fixed = jm.read_events(
        _tickets(["Consumer", "agent", " Consumer", "Staff Member"]),
        columns=TICKET_COLUMNS,
        actors={"Consumer": "customer", "Staff Member": "agent"},
    )
    assert _actors(fixed) == ["customer", "agent", "customer", "agent"]


def test_text_mapped_to_actor_by_mistake_gets_one_reason() -> None:
    texts = [f"my order {i} is late and nobody answers" for i in range(30)]
    log = jm.read_events(_tickets(texts), columns=TICKET_COLUMNS, on_error="collect")
    assert log.rejects["reason"].nunique() == 1  # not 30 reasons, one per message
    assert log.rejects["reason"].iloc[0].startswith("unknown actor (expected one of customer, agent, bot, system): map")
    assert "actors=" in log.rejects["reason"].iloc[0]


def test_blank_role_is_a_missing_actor() -> None:
    log = jm.read_events(_tickets(["customer", "", "  ", None]), columns=TICKET_COLUMNS, on_error="collect")
    assert log.rejects.set_index("row")["reason"].to_dict() == {1: "missing actor", 2: "missing actor", 3: "missing actor"}


def test_a_flag_column_reads_with_true_false_keys() -> None:
    flags = _tickets([True, False, True])  # TWCS's inbound: True is the customer
    rejected = jm.read_events(flags, columns=TICKET_COLUMNS, on_error="collect")
    assert len(rejected.rejects) == 3
    reason = rejected.rejects["reason"].iloc[0]
    assert rejected.rejects["reason"].nunique() == 1
    assert "actors={True: 'customer', False: 'agent'}" in reason
    assert "--actors true=customer --actors false=agent" in reason
    log = jm.read_events(flags, columns=TICKET_COLUMNS, actors={True: "customer", False: "agent"})
    assert _actors(log) == ["customer", "agent", "customer"]
    # the same keys read the flag as a CSV writes it (text)
    text = flags.assign(role=["True", "False", "TRUE"])
    assert _actors(jm.read_events(text, columns=TICKET_COLUMNS, actors={True: "customer", False: "agent"})) == [
        "customer",
        "agent",
        "customer",
    ]
    unmapped = jm.read_events(text, columns=TICKET_COLUMNS, on_error="collect")
    assert "actors={True: 'customer', False: 'agent'}" in unmapped.rejects["reason"].iloc[0]


def test_unmapped_role_codes_name_the_mapping() -> None:
    log = jm.read_events(_tickets([1, 2, 1]), columns=TICKET_COLUMNS, on_error="collect")
    assert log.rejects["reason"].iloc[0] == (
        "unknown actor 1, a role code: map your codes with actors={1: 'customer'} (command line: --actors 1=customer)"
    )


# --------------------------------------------------------------------------- 6: the command line


def test_map_stops_when_no_customer_message_survives(tmp_path: Path) -> None:
    source = tmp_path / "sprout.csv"
    pd.DataFrame(
        {
            "Author": ["c1", "Shop", "c2", "Shop"],
            "Author Type": ["Consumer", "agent", "Consumer", "agent"],
            "Created": ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z", "2024-01-01T11:00:00Z", "2024-01-01T11:05:00Z"],
            "Ticket": ["t1", "t1", "t2", "t2"],
            "Message": ["late", "sorry", "broken", "sorry"],
        }
    ).to_csv(source, index=False)
    report = tmp_path / "report.html"
    args = ["map", str(source), "--report", str(report), "--no-cache"]
    args += ["--columns", "Author=customer_id", "--columns", "Author Type=actor", "--columns", "Created=timestamp"]
    args += ["--columns", "Ticket=thread_id", "--columns", "Message=text"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("error:"))
    assert "no customer messages" in line
    assert "2 of 4 rows were rejected" in line
    assert "unknown actor 'Consumer'" in line
    assert str(tmp_path / "report.rejects.csv") in line
    assert not report.exists()
    assert len(pd.read_csv(tmp_path / "report.rejects.csv")) == 2
    # the mapping the reason names makes the run work
    fixed = runner.invoke(app, [*args, "--actors", "Consumer=customer"])
    assert fixed.exit_code == 0, fixed.output
    assert report.exists()


def test_dask_reader_takes_brands() -> None:
    from journeymap.distributed import read_events

    log = read_events(_posts(), columns=COLUMNS, brands=["tesco"], npartitions=2).compute()
    assert _actors(log) == ["customer", "agent", "customer", "customer", "agent", "customer"]
