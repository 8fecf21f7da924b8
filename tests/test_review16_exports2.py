"""Review 16 of the export readers, second round: envelopes, nested messages, notes, roles, UTF-16 (review rv20)."""

from __future__ import annotations

import codecs
import json
import logging
from typing import TYPE_CHECKING

import dask
import dask.dataframe as dd
import pandas as pd
import pytest

import journeymap as jm
import journeymap.distributed as jmd

if TYPE_CHECKING:
    from pathlib import Path

_EVENT = {
    "customer_id": "c1",
    "timestamp": "2024-03-04T10:00:00Z",
    "actor": "customer",
    "text": "Where is my refund?",
    "event_id": "m1",
    "tags": [{"type": "tag", "id": "7", "name": "billing", "applied_at": 1709892000}],  # Intercom's conversation tags
}


def _nested(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "nested messages" in r.getMessage()]


# ---------------------------------------------------------------- 1. one event holding a list of objects


@pytest.mark.parametrize("name", ["one_event.jsonl", "one_event.json"])
def test_one_event_holding_a_list_of_objects_is_no_envelope(tmp_path: Path, name: str) -> None:
    # was "is one JSON object whose key 'tags' holds a list of 1 objects (an API response's envelope ...)"
    path = tmp_path / name
    path.write_text(json.dumps(_EVENT) + ("\n" if name.endswith("l") else ""))
    log = jm.read_events(path)
    assert log.events["event_id"].tolist() == ["m1"]


def test_one_event_with_mapped_columns_holding_records_is_no_envelope(tmp_path: Path) -> None:
    # no canonical column, but columns= names its keys: an event whose list holds message-like records
    event = {"author": "c1", "sent": "2024-03-04T10:00:00Z", "parts": [{"body": "hi", "created_at": 1709892000}]}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(event))
    log = jm.read_events(path, columns={"author": "customer_id", "sent": "timestamp"})
    assert len(log.events) == 1


# ---------------------------------------------------------------- 2. keys that only look like times


def test_lists_of_tags_media_and_aspects_are_no_nested_messages(caplog: pytest.LogCaptureFixture) -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["c1", "c1"],
            "timestamp": ["2024-03-04T10:00:00Z", "2024-03-04T10:05:00Z"],
            "text": ["parcel late", "sorry"],
            "aspects": [[{"aspect": "delivery", "sentiment": "negative"}], []],
            "media": [[{"url": "https://cdn/x.png", "format": "png"}], None],
            "tags": [[{"type": "tag", "name": "billing", "applied_at": 1709892000}], None],
            "geo": [[{"lat": 51.5, "lng": -0.1, "timezone": "UTC"}], None],
        }
    )
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        jm.read_events(frame)
    assert not _nested(caplog)
    # Instagram's replies and Facebook's comments still are
    frame["replies.data"] = [[{"text": "same here", "timestamp": "2024-03-04T11:00:00+0000"}], None]
    frame["comments.data"] = [None, [{"message": "me too", "created_time": "2024-03-04T11:00:00+0000"}]]
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        jm.read_events(frame)
    assert len(_nested(caplog)) == 2


# ---------------------------------------------------------------- 3. replies to internal notes


def test_a_reply_to_an_internal_note_replies_to_the_message_the_note_answered(caplog: pytest.LogCaptureFixture) -> None:
    # was: m2 kept in_reply_to 'n1' (no longer in the events) and started a journey of its own
    frame = pd.DataFrame(
        {
            "customer_id": ["c1"] * 4,
            "timestamp": ["2024-03-04T10:00Z", "2024-03-04T10:01Z", "2024-03-04T10:02Z", "2024-03-04T10:30Z"],
            "actor": ["customer", "agent", "agent", "agent"],
            "text": ["my card is blocked", "note: check fraud queue", "note: fraud says ok", "Unblocked it, sorry!"],
            "event_id": ["m1", "n1", "n2", "m2"],
            "in_reply_to": [None, "m1", "n1", "n2"],
            "public": [True, False, False, True],
        }
    )
    with caplog.at_level(logging.INFO, logger="journeymap"):
        log = jm.read_events(frame, on_error="collect")
    assert log.events["in_reply_to"].iloc[1] == "m1" and pd.isna(log.events["in_reply_to"].iloc[0])
    assert any("1 reply to internal notes re-linked" in r.getMessage() for r in caplog.records)
    journeys = jm.build_journeys(log)
    assert journeys.events["journey_id"].nunique() == 1
    times = jm.response_times(journeys)
    assert times["first_response"].dropna().tolist() == [pd.Timedelta(minutes=30)]


# ---------------------------------------------------------------- 4. Parquet list-of-struct columns


def test_nested_messages_in_a_parquet_file_are_named(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["c1"],
            "timestamp": ["2024-03-04T10:00:00Z"],
            "text": ["hi"],
            "conversation_parts": [[{"body": "reply one", "created_at": 1709892000}, {"body": "two", "created_at": 1709892600}]],
        }
    )
    path = tmp_path / "nested.parquet"
    frame.to_parquet(path)
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        jm.read_events(path)
    assert len(_nested(caplog)) == 1 and "(1 row, 2 objects in all)" in _nested(caplog)[0]


# ---------------------------------------------------------------- 5. the user alias warning


def _roles(actors: list[str]) -> pd.DataFrame:
    n = len(actors)
    return pd.DataFrame(
        {
            "customer_id": [f"c{i // 2}" for i in range(n)],
            "timestamp": pd.date_range("2024-03-04", periods=n, freq="h", tz="UTC"),
            "actor": actors,
            "text": ["t"] * n,
            "event_id": [f"m{i}" for i in range(n)],
        }
    )


def _alias_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "actors={'user': 'agent'}" in r.getMessage()]


def test_intercom_users_and_leads_give_no_alias_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        jm.read_events(_roles(["user", "admin", "lead", "admin"]))
    assert not _alias_warnings(caplog)


def test_the_distributed_reader_reads_the_role_names_of_every_partition(caplog: pytest.LogCaptureFixture) -> None:
    # 'contact' only in the second partition: was no warning (only partitions[0] was read)
    frame = _roles(["user", "user", "user", "user", "contact", "user", "contact", "user"])
    with dask.config.set(scheduler="synchronous"), caplog.at_level(logging.WARNING, logger="journeymap"):
        jmd.read_events(dd.from_pandas(frame, npartitions=2), on_error="collect")
    assert len(_alias_warnings(caplog)) == 1


# ---------------------------------------------------------------- 6. UTF-16 JSON Lines and the distributed reader


def test_the_distributed_reader_says_utf16_json_is_read_by_read_events(tmp_path: Path) -> None:
    row = {"customer_id": "c1", "timestamp": "2024-03-04T10:00:00Z", "text": "écran cassé"}
    path = tmp_path / "u16.jsonl"
    path.write_bytes(codecs.BOM_UTF16_LE + (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-16-le"))
    assert len(jm.read_events(path).events) == 1
    with dask.config.set(scheduler="synchronous"), pytest.raises(jm.SchemaError, match=r"read by journeymap\.read_events only"):
        jmd.read_events(path)
