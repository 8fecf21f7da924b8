"""Fixes of review 19's findings on exports from outside Twitter (Drift, Zendesk, Intercom, Instagram, Google Play)."""

from __future__ import annotations

import codecs
import json
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
INTERNAL_NOTE = "internal note (public is False): the customer never saw it"  # journeymap.io.validation.INTERNAL_NOTE


def _every_row_placed(log: jm.EventLog, n: int) -> None:
    assert set(log.events.index) | set(log.rejects["row"]) == set(range(n))
    assert not set(log.events.index) & set(log.rejects["row"])


# ---------------------------------------------------------------- 1. the ambiguous alias `user`


def _drift() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "conversationId": 77,
            "author.type": ["contact", "user", "user", "contact"],
            "contact": 9001,
            "createdAt": [1709892000000, 1709892002000, 1709892600000, 1709892900000],
            "body": ["declined twice", "a team member will be with you", "I've lifted the block", "thanks"],
        }
    )


_DRIFT_COLUMNS = {
    "id": "event_id",
    "conversationId": "thread_id",
    "contact": "customer_id",
    "createdAt": "timestamp",
    "author.type": "actor",
    "body": "text",
}


def test_user_beside_contact_is_warned_about_naming_the_fix(caplog: pytest.LogCaptureFixture) -> None:
    # Drift writes `user` for its team members; the alias read every row as the customer's, silently
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        log = jm.read_events(_drift(), columns=_DRIFT_COLUMNS)
    assert log.events["actor"].astype(str).tolist() == ["customer"] * 4  # the reading is unchanged
    said = [r.getMessage() for r in caplog.records if "'user'" in r.getMessage()]
    assert len(said) == 1
    assert "column 'author.type' holds both 'user' and 'contact'" in said[0]
    assert "actors={'user': 'agent'}" in said[0] and "--actors user=agent" in said[0]
    # an actors= entry for `user` says how to read it: no warning
    for actors in ({"user": "agent"}, {"User": "customer"}):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="journeymap"):
            log = jm.read_events(_drift(), columns=_DRIFT_COLUMNS, actors=actors)
        assert not [r for r in caplog.records if "'user'" in r.getMessage()]
    assert log.events["actor"].astype(str).tolist() == ["customer"] * 4
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        log = jm.read_events(_drift(), columns=_DRIFT_COLUMNS, actors={"user": "agent"})
    assert log.events["actor"].astype(str).tolist() == ["customer", "agent", "agent", "customer"]
    # Intercom: `user` is the customer beside `admin` and `bot`: nothing ambiguous
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        jm.read_events(_drift().assign(**{"author.type": ["user", "admin", "bot", "user"]}), columns=_DRIFT_COLUMNS)
    assert not [r for r in caplog.records if "'user'" in r.getMessage()]


def test_the_command_line_shows_the_user_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source = tmp_path / "drift.csv"
    _drift().to_csv(source, index=False)
    mapping = [arg for src, dst in _DRIFT_COLUMNS.items() for arg in ("--columns", f"{src}={dst}")]
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        result = runner.invoke(app, ["score", str(source), "-o", str(tmp_path / "out.csv"), *mapping, "--no-cache"])
    assert result.exit_code == 0, result.output
    assert any("holds both 'user' and 'contact'" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------- 2. no event id readable, with brands= and in_reply_to


@pytest.mark.parametrize(
    ("ids", "parents"),
    [
        ([17890000000000001.0, 17890000000000003.0], [None, 17890000000000001.0]),  # past 2**53: no id reads
        ([None, None], [None, "x1"]),  # a blank id column
        ([17890000000000001.0, 5.0, 17890000000000003.0], [None, None, 17890000000000001.0]),  # no link reads
    ],
)
def test_unreadable_ids_with_brands_are_rejects_not_a_crash(ids: list[object], parents: list[object]) -> None:
    # was ValueError "operands could not be broadcast" (IndexError for the blank column) in _parent_rows
    n = len(ids)
    frame = pd.DataFrame(
        {
            "event_id": pd.Series(ids, dtype=object if ids[0] is None else float),
            "customer_id": (["sam", "acmebank", "lee"])[:n],
            "timestamp": pd.date_range("2024-03-04 10:00", periods=n, freq="20min", tz="UTC").astype(str),
            "in_reply_to": pd.Series(parents, dtype=object if isinstance(parents[-1], str) else float),
            "text": "card declined",
        }
    )
    log = jm.read_events(frame, brands=["acmebank"], on_error="collect")
    _every_row_placed(log, n)
    plain = jm.read_events(frame, on_error="collect")
    assert log.rejects[["row", "column", "reason"]].equals(plain.rejects[["row", "column", "reason"]])


# ---------------------------------------------------------------- 3. nested arrays of messages; envelopes


def _intercom(n: int = 3) -> list[dict[str, object]]:
    return [
        {
            "id": str(100 + i),
            "created_at": 1709892000 + 600 * i,
            "source": {"author": {"id": f"u{i}", "type": "user"}, "body": "<p>my card is blocked</p>"},
            "conversation_parts": {
                "type": "conversation_part.list",
                "conversation_parts": [
                    {"id": f"{i}a", "body": "looking", "created_at": 1709892100 + 600 * i, "author": {"type": "admin"}},
                    {"id": f"{i}b", "body": "fixed", "created_at": 1709892200 + 600 * i, "author": {"type": "admin"}},
                ],
            },
        }
        for i in range(n)
    ]


def test_arrays_of_nested_messages_are_named_in_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "intercom.json"
    path.write_text(json.dumps(_intercom()))
    columns = {"id": "thread_id", "source.author.id": "customer_id", "created_at": "timestamp", "source.body": "text"}
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        log = jm.read_events(path, columns=columns)
    assert len(log.events) == 3
    said = [r.getMessage() for r in caplog.records if "nested messages" in r.getMessage()]
    assert len(said) == 1
    assert "column 'conversation_parts.conversation_parts'" in said[0] and "(3 rows, 6 objects in all)" in said[0]
    assert "pd.json_normalize(records, record_path=['conversation_parts', 'conversation_parts'], meta=['id'])" in said[0]
    # the X API's reply references and mentions, and lists of plain values, are no nested messages
    frame = pd.DataFrame(
        {
            "id": ["1", "2"],
            "author_id": ["ann", "shop"],
            "created_at": ["2024-03-04T10:00:00Z", "2024-03-04T10:05:00Z"],
            "referenced_tweets": [None, [{"type": "replied_to", "id": "1"}]],
            "entities.mentions": [[{"start": 0, "end": 5, "username": "shop", "id": "9"}], None],
            "tags": [["a", "b"], []],
        }
    )
    columns = {"id": "event_id", "author_id": "customer_id", "created_at": "timestamp", "referenced_tweets": "in_reply_to"}
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        log = jm.read_events(frame, columns=columns, brands=["shop"])
    assert log.events["in_reply_to"].tolist()[1] == "1"
    assert not [r for r in caplog.records if "nested messages" in r.getMessage()]


@pytest.mark.parametrize(
    ("envelope", "key"),
    [
        ({"type": "conversation.list", "conversations": _intercom(2), "pages": {"page": 1}}, "conversations"),
        ({"data": [{"id": "1", "timestamp": "2024-03-04T10:00:00+0000", "text": "hi"}], "paging": {"next": "x"}}, "data"),
    ],
)
def test_a_json_envelope_is_refused_naming_its_key(tmp_path: Path, envelope: dict[str, object], key: str) -> None:
    # was read as one row: "missing required column(s)" or "columns maps [...] but the input has no such column"
    path = tmp_path / "envelope.json"
    path.write_text(json.dumps(envelope))
    with pytest.raises(jm.SchemaError, match=rf"one JSON object whose key '{key}' holds a list of \d+ objects"):
        jm.read_events(path, columns={"id": "customer_id"})


# ---------------------------------------------------------------- 4. UTF-16 files


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_csv_with_a_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    # Google Play's review exports; was "not valid UTF-8 (byte 0xff at offset 0)"
    text = "Device,Review Submit Date and Time,Review Text\r\nPixel 8,2024-03-04T10:00:00Z,Crashes at login — écran\r\n"
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    path = tmp_path / "reviews.csv"
    path.write_bytes(bom + text.encode(encoding))
    log = jm.read_events(
        path, columns={"Device": "customer_id", "Review Submit Date and Time": "timestamp", "Review Text": "text"}
    )
    assert log.events["text"].tolist() == ["Crashes at login — écran"]


def test_a_utf32_file_names_its_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes("customer_id,timestamp\na,2024-03-04\n".encode("utf-32"))
    with pytest.raises(jm.SchemaError, match="starts with a UTF-16 or UTF-32 byte-order mark"):
        jm.read_events(path)


# ---------------------------------------------------------------- 5. the public column: internal notes


def _zendesk() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket_id": 1,
            "requester_id": "r1",
            "created_at": ["2024-03-04T09:00:00Z", "2024-03-04T09:20:00Z", "2024-03-04T10:35:00Z", "2024-03-04T11:00:00Z"],
            "author_role": ["end-user", "agent", "agent", "end-user"],
            "public": ["true", "false", "TRUE", "1"],
            "body": ["card declined", "note: check the merchant block", "we lifted the block", "thanks"],
        }
    )


_ZENDESK_COLUMNS = {"ticket_id": "thread_id", "requester_id": "customer_id", "created_at": "timestamp", "author_role": "actor"}


@pytest.mark.parametrize("on_error", ["raise", "collect"])
def test_internal_notes_are_rejects_and_the_first_response_is_the_public_reply(on_error: str) -> None:
    log = jm.read_events(_zendesk(), columns={**_ZENDESK_COLUMNS, "body": "text"}, on_error=on_error)  # type: ignore[arg-type]
    assert log.events.index.tolist() == [0, 2, 3]
    assert log.rejects[["row", "column", "reason", "value"]].values.tolist() == [[1, "public", INTERNAL_NOTE, "false"]]
    assert log.events["public"].dtype == "boolean" and log.events["public"].all()
    first = jm.response_times(jm.build_journeys(log))["first_response"].iloc[0]
    assert first == pd.Timedelta(minutes=95)


def test_public_flags_read_booleans_numbers_and_words_and_reject_others() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": "a",
            "timestamp": pd.date_range("2024-03-04", periods=7, freq="h", tz="UTC"),
            "is_public": [True, False, 0, "No", None, "", "maybe"],
        }
    )
    log = jm.read_events(frame, columns={"is_public": "public"}, on_error="collect")
    _every_row_placed(log, 7)
    assert log.events.index.tolist() == [0, 4, 5]
    reasons = dict(zip(log.rejects["row"], log.rejects["reason"], strict=True))
    assert all(reasons[r] == INTERNAL_NOTE for r in (1, 2, 3))
    assert reasons[6].startswith("public must be True or False")
    assert set(log.rejects["column"]) == {"is_public"}  # named as the input names it
    with pytest.raises(jm.SchemaError, match=r"1 of 7 rows are invalid: row 6, column 'is_public': public must be"):
        jm.read_events(frame, columns={"is_public": "public"})


def test_the_command_line_reads_the_public_column(tmp_path: Path) -> None:
    source = tmp_path / "zendesk.csv"
    _zendesk().to_csv(source, index=False)
    mapping = [
        arg
        for src, dst in {**_ZENDESK_COLUMNS, "body": "text", "public": "public"}.items()
        for arg in ("--columns", f"{src}={dst}")
    ]
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["score", str(source), "-o", str(out), *mapping, "--no-cache"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["text"].tolist() == ["card declined", "we lifted the block", "thanks"]
    rejects = pd.read_csv(out.with_name("out.rejects.csv"))
    assert rejects["reason"].tolist() == [INTERNAL_NOTE]


def test_the_dask_reader_leaves_internal_notes_out() -> None:
    dd = pytest.importorskip("dask.dataframe")
    import dask

    import journeymap.distributed as jmd

    frame = _zendesk().rename(columns={**_ZENDESK_COLUMNS, "body": "text"})
    with dask.config.set(scheduler="synchronous"):
        log = jmd.read_events(dd.from_pandas(frame, npartitions=2), on_error="raise")
        events, rejects = log.events.compute(), log.rejects.compute()
    assert events["text"].tolist() == ["card declined", "we lifted the block", "thanks"]
    assert rejects["reason"].tolist() == [INTERNAL_NOTE]
