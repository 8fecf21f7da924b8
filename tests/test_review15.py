"""Fifteenth session's review fixes: each test fails without its fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path


def _log(rows: list[dict[str, object]]) -> jm.EventLog:
    frame = pd.DataFrame(rows)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return jm.read_events(frame)


_OUTREACH = [
    {
        "event_id": "m1",
        "customer_id": "c1",
        "timestamp": "2024-03-01 10:00",
        "actor": "customer",
        "touchpoint": "mention",
        "text": "@Acme my order is late",
        "thread_id": "t1",
        "in_reply_to": None,
        "brand": "Acme",
        "agent_id": None,
        "true_emotion": "anger",
    },
    {
        "event_id": "r1",
        "customer_id": "c1",
        "timestamp": "2024-03-01 10:30",
        "actor": "agent",
        "touchpoint": "public_reply",
        "text": "@c1 sorry, checking",
        "thread_id": "t1",
        "in_reply_to": "m1",
        "brand": "Acme",
        "agent_id": "Acme/Ann",
        "true_emotion": "caring",
    },
    # a brand post in a thread of its own, filed under the customer: an outreach, no reply
    {
        "event_id": "o1",
        "customer_id": "c1",
        "timestamp": "2024-03-05 09:00",
        "actor": "agent",
        "touchpoint": "public_reply",
        "text": "@c1 hi! a new offer for you",
        "thread_id": "t2",
        "in_reply_to": None,
        "brand": "Acme",
        "agent_id": "Acme/Bob",
        "true_emotion": "neutral",
    },
]


@pytest.mark.parametrize("by", ["thread", "customer"])
def test_outreach_in_a_thread_of_its_own_is_no_reply(by: str) -> None:
    js = planted_scores(jm.build_journeys(_log(_OUTREACH), by=by))
    assert jm.reply_table(js).index.tolist() == ["r1"]
    league = jm.service_levels(js, by="agent")
    assert league.index.tolist() == ["Acme/Ann"]
    assert int(league.loc["Acme/Ann", "replies"]) == 1


def test_reply_naming_a_message_of_another_thread_is_a_reply() -> None:
    rows = [dict(row) for row in _OUTREACH]
    rows[2]["in_reply_to"] = "m1"  # the brand answers the first tweet from a thread of its own
    js = planted_scores(jm.build_journeys(_log(rows), by="customer"))
    assert jm.reply_table(js).index.tolist() == ["r1", "o1"]


def test_conversation_openings_computed_once_per_journey_set_and_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap.analytics import service

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
    calls: list[str] = []
    compute = service._conversation_openings

    def counted(*args: object, **kwargs: object) -> pd.DataFrame:
        calls.append(str(kwargs.get("bots")))
        return compute(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "_conversation_openings", counted)
    brands = jm.service_levels(js, by="brand")
    agents = jm.service_levels(js, by="agent")
    assert calls == ["exclude"]  # the report's note and both leagues read one frame
    jm.service_levels(js, by="agent", bots="include")
    assert calls == ["exclude", "include"]

    class Stricter(jm.AutoReplyRule):
        def flags(self, events: pd.DataFrame):  # type: ignore[no-untyped-def]
            return super().flags(events)

    jm.service_levels(js, by="brand", auto=Stricter())
    jm.service_levels(js, by="brand", auto=Stricter())
    assert len(calls) == 4  # a rule of its own is asked every time, as its flags are
    assert len(brands) and len(agents)


def test_compact_date_times_are_read_or_rejected_never_misread() -> None:
    from journeymap.io._time import AMBIGUOUS_HOUR, NOT_A_COMPACT_TIME

    values = ["20240301", "2024030112", "202403011230", "20240301123000", "202403011299", 20240701093000]
    frame = pd.DataFrame({"customer_id": "ann", "timestamp": pd.Series(values, dtype=object)})
    log = jm.read_events(frame, on_error="collect")
    kept = log.events.set_index(log.events.index)["timestamp"].astype(str).to_dict()
    assert kept == {
        0: "2024-03-01 00:00:00+00:00",
        2: "2024-03-01 12:30:00+00:00",
        3: "2024-03-01 12:30:00+00:00",
        5: "2024-07-01 09:30:00+00:00",
    }
    reasons = dict(zip(log.rejects["row"], log.rejects["reason"], strict=True))
    assert reasons == {1: AMBIGUOUS_HOUR, 4: NOT_A_COMPACT_TIME}


def test_compact_date_times_are_wall_times_that_tz_places() -> None:
    frame = pd.DataFrame({"customer_id": ["ann", "bob"], "timestamp": ["202407011230", "2024-07-01 12:30"]})
    log = jm.read_events(frame, tz="Europe/London")
    assert log.events["timestamp"].astype(str).tolist() == ["2024-07-01 11:30:00+00:00"] * 2


def test_float_written_ids_with_a_repeated_index_read_on_dask_as_on_one_machine() -> None:
    dd = pytest.importorskip("dask.dataframe")
    from journeymap import distributed as jmd

    frame = pd.DataFrame(
        {"event_id": ["1.0", "2.0", "3.0", "4.0"], "customer_id": "c", "timestamp": [1507704944 + i for i in range(4)]},
        index=[0, 0, 1, 1],
    )
    assert jm.read_events(frame).events["event_id"].tolist() == ["1", "2", "3", "4"]
    log = jmd.read_events(dd.from_pandas(frame, npartitions=1, sort=False))
    assert log.events.compute()["event_id"].tolist() == ["1", "2", "3", "4"]


def test_columns_keyed_by_the_numbers_of_a_headerless_frame() -> None:
    frame = pd.DataFrame([["a", 1507704944, "hi"], ["b", 1507704954, "yo"]])  # pd.read_csv(header=None)'s names
    mapping = {0: "customer_id", 1: "timestamp", 2: "text"}
    assert jm.read_events(frame, columns=mapping).events["customer_id"].tolist() == ["a", "b"]  # type: ignore[arg-type]
    from journeymap import distributed as jmd

    events = jmd.read_events(frame, columns=mapping, npartitions=1).events.compute()  # type: ignore[arg-type]
    assert events["customer_id"].tolist() == ["a", "b"]
    with pytest.raises(jm.SchemaError, match="twice"):
        jm.read_events(pd.DataFrame({"0": ["a"], 1: [1507704944]}), columns={0: "customer_id", "0": "text"})  # type: ignore[dict-item]


def test_a_name_and_a_number_that_are_one_text_are_refused() -> None:
    frame = pd.DataFrame({"customer_id": ["a"], "timestamp": [1507704944], 1: ["x"], "1": ["y"]})
    with pytest.raises(jm.SchemaError, match=r"same name as text \(\['1'\]\)"):
        jm.read_events(frame)


def test_dask_reply_warnings_follow_the_links_each_block_keeps(tmp_path: Path) -> None:
    from journeymap import distributed as jmd

    header = "event_id,customer_id,timestamp,in_reply_to\n"
    (tmp_path / "a.csv").write_text(header + "1,c,1507704944,\n2,c,1507704954,1.0\n3,c,1507704964,2.0\n")  # a float column
    (tmp_path / "b.csv").write_text(header + "4,d,1507704944,\n5,d,1507704954,4\n")
    log = jmd.read_events([str(tmp_path / "a.csv"), str(tmp_path / "b.csv")], on_error="collect")
    links = log.events.compute().set_index("event_id")["in_reply_to"]
    assert links.dropna().to_dict() == {"2": "1", "3": "2", "5": "4"}
    warnings = log.warnings.compute() if hasattr(log.warnings, "compute") else log.warnings
    assert warnings.empty


def test_json_keys_named_twice_are_found_however_written(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"customer_id" : "a", "customer_id" : "b", "timestamp": 1507704944}\n'
        '{"customer_id": "c", "timestamp": 1507704944, "meta": {"k": 1, "k": 2}}\n'
        '{"customer_id": "d", "timestamp": 1507704944, "text": "\\"x\\": y"}\n'
    )
    log = jm.read_events(path, on_error="collect")
    assert log.events["customer_id"].tolist() == ["d"]
    assert sorted(set(log.rejects["row"].tolist())) == [0, 1]
    columns = tmp_path / "columns.json"
    columns.write_text('{"customer_id": {"0": "a", "1": "b", "1": "c"}, "timestamp": {"0": 1507704944, "1": 1507704945}}')
    with pytest.raises(jm.SchemaError, match="names a row twice"):
        jm.read_events(columns)


@pytest.mark.parametrize("bad", [0, -5, 2, 513, 64.0, "64", True])
def test_a_trained_scorer_checks_max_length_when_built(bad: object, tmp_path: Path) -> None:
    import json

    from journeymap.emotions.trained import TrainedScorer

    folder = tmp_path / "run"  # a trained model's folder; its weights are not read until a text is scored
    folder.mkdir()
    meta = {"format": "journeymap.minilm-classifier", "labels": list(jm.Taxonomy.goemotions().labels), "max_length": 64}
    (folder / "config.json").write_text(json.dumps(meta))
    (folder / "model.safetensors").write_bytes(b"w")
    with pytest.raises(jm.InvalidArgumentError, match="max_length must be a whole number from 3 to 512"):
        TrainedScorer(folder, max_length=bad)  # type: ignore[arg-type]
    assert TrainedScorer(folder).max_length == 128
    assert TrainedScorer(folder, max_length=256).id.endswith("+len256")
