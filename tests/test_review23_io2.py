"""Reading and building, second batch: rules a one-line slip could change that no test held until now.

Found by the rest of the rv58 mutation review (the mutants it had no time to run); each test plants a few
rows where the documented rule and the slip disagree.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import journeymap as jm
from journeymap.io._values import role_column
from journeymap.journeys.storage import METADATA_KEY

from .test_review22_interop import _xes_as_pm4py_writes
from .test_twcs import frame, tweet

if TYPE_CHECKING:
    from pathlib import Path


def test_a_column_of_one_role_is_not_named_as_the_role_column(caplog: pytest.LogCaptureFixture) -> None:
    """Only a column holding at least two different actor names is a role column left unmapped.

    A column that says "user" on every row (a channel, a plan) tells nothing about who wrote what:
    no warning, and the replies-across-accounts check still runs.
    """
    assert role_column(pd.DataFrame({"kind": ["user", "user", "user"]}), {}) is None
    assert role_column(pd.DataFrame({"kind": ["user", "agent", "user"]}), {}) == "kind"
    df = pd.DataFrame(
        {"customer_id": ["a", "b"], "timestamp": ["2024-03-01 10:00", "2024-03-01 11:00"], "kind": ["user", "user"]}
    )
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        jm.read_events(df)
    assert not [r for r in caplog.records if "holds roles" in r.getMessage()]


# ---- read_twcs


def test_read_twcs_spells_a_named_handle_as_the_brand_account_spells_it() -> None:
    """A customer tweet no brand answered takes the first @handle it names, as the account is spelled.

    Handles are case-insensitive: "@amazonhelp" is the brand account AmazonHelp of the data, so its
    journeys and AmazonHelp's are one brand's, not two.
    """
    rows = [
        tweet("1", "100", "True", 0, "@amazonhelp where is my parcel"),  # no reply in the data
        tweet("2", "200", "True", 1, "@AmazonHelp my order is late"),
        tweet("3", "AmazonHelp", "False", 5, "@200 Sorry! Please DM us", "2"),
    ]
    events = jm.read_twcs(frame(*rows)).events.set_index("event_id")
    assert events["brand"].to_dict() == {"1": "AmazonHelp", "2": "AmazonHelp", "3": "AmazonHelp"}


# ---- build_journeys: threads and customers


def _log(rows: list[list[str | None]]) -> jm.EventLog:
    columns = ["event_id", "thread_id", "customer_id", "actor", "timestamp", "in_reply_to"]
    return jm.read_events(pd.DataFrame(rows, columns=columns))


@pytest.mark.parametrize("order", [[0, 1, 2], [0, 2, 1], [2, 1, 0]])
def test_an_opener_whose_replies_name_two_threads_opens_the_first_in_sorted_order(order: list[int]) -> None:
    """Event 1 has no thread_id; its replies name threads "B" and "A": it opens "A", in any row order."""
    rows: list[list[str | None]] = [
        ["1", None, "ann", "customer", "2024-03-01 10:00", None],
        ["2", "B", "ann", "agent", "2024-03-01 10:05", "1"],
        ["3", "A", "ann", "agent", "2024-03-01 10:06", "1"],
    ]
    events = jm.build_journeys(_log([rows[i] for i in order]), by="thread").events.set_index("event_id")
    journey = events["journey_id"].astype(str).to_dict()
    assert journey["1"] == journey["3"] != journey["2"]


def test_threads_whose_roots_reply_into_one_another_in_a_ring_keep_their_ids() -> None:
    """Thread 1's root replies into thread 2, 2's into 3, 3's into 1: no thread joins another, none is renamed."""
    rows: list[list[str | None]] = [
        ["4", "1", "ann", "customer", "2024-03-01 10:00", None],
        ["5", "2", "bob", "customer", "2024-03-01 10:00", None],
        ["6", "3", "cy", "customer", "2024-03-01 10:00", None],
        ["1", "1", "ann", "customer", "2024-03-01 10:05", "5"],
        ["2", "2", "bob", "customer", "2024-03-01 10:05", "6"],
        ["3", "3", "cy", "customer", "2024-03-01 10:05", "4"],
    ]
    events = jm.build_journeys(_log(rows), by="thread").events.set_index("event_id")
    assert events["thread_id"].astype(str).sort_index().to_dict() == {"1": "1", "2": "2", "3": "3", "4": "1", "5": "2", "6": "3"}
    assert events.groupby("journey_id")["thread_id"].nunique().eq(1).all()


def test_a_thread_of_one_customer_gives_no_several_customers_warning(caplog: pytest.LogCaptureFixture) -> None:
    """Without reply links a brand message goes to the thread's first customer; that is a guess only where the thread has several.

    A thread of one customer is theirs: no warning about "threads with several customers".
    """
    df = pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4", "5"],
            "thread_id": ["t", "t", "u", "u", "u"],
            "customer_id": ["ann", "Brand", "bob", "cy", "Brand"],
            "actor": ["customer", "agent", "customer", "customer", "agent"],
            "timestamp": ["2024-03-01 10:00", "2024-03-01 10:05", "2024-03-01 11:00", "2024-03-01 11:01", "2024-03-01 11:05"],
        }
    )
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        events = jm.build_journeys(jm.read_events(df), by="thread").events.set_index("event_id")
    assert events["customer_id"].astype(str).to_dict() == {"1": "ann", "2": "ann", "3": "bob", "4": "cy", "5": "bob"}
    said = [r.getMessage() for r in caplog.records if "threads with several customers" in r.getMessage()]
    assert said == [said[0]]
    assert said[0].startswith("1 brand messages in 1 threads with several customers")


def test_a_rebuild_of_steps_saved_as_floats_replaces_nothing() -> None:
    """A step saved as 1.0 is step 1: a rebuild changes no step, so no "replaced" warning (filterwarnings=error)."""
    events = jm.build_journeys(jm.datasets.service_journeys(5, seed=0)).events.copy()
    events["step"] = events["step"].astype("float64")  # as a CSV or a float column gives them back
    rebuilt = jm.build_journeys(jm.read_events(events))
    assert rebuilt.events["step"].tolist() == events["step"].astype("int64").tolist()


# ---- read_xes


def _xes(path: Path, *traces: tuple[str, list[tuple[str, str]]]) -> Path:
    def event(activity: str, when: str) -> str:
        return f'<event><string key="concept:name" value="{activity}"/><date key="time:timestamp" value="{when}"/></event>'

    body = "".join(
        f'<trace><string key="concept:name" value="{name}"/>{"".join(event(a, w) for a, w in events)}</trace>'
        for name, events in traces
    )
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?><log xes.version="1.0">{body}</log>', encoding="utf-8")
    return path


def test_read_xes_counts_up_every_repeat_of_a_trace_name(tmp_path: Path) -> None:
    """Three traces named "c" are three journeys: "c", "c (2)", "c (3)" -- the third is not a second "c (2)"."""
    path = _xes(
        tmp_path / "l.xes",
        ("c", [("a", "2024-01-01T10:00:00Z")]),
        ("c", [("b", "2024-01-02T10:00:00Z")]),
        ("c", [("a", "2024-01-03T10:00:00Z")]),
    )
    js = jm.read_xes(path)
    assert len(js) == 3
    assert js.events["journey_id"].astype(str).tolist() == ["c", "c (2)", "c (3)"]


# ---- read_journeys: an edited file


def _saved(tmp_path: Path) -> tuple[pa.Table, bytes]:
    path = jm.build_journeys(jm.datasets.service_journeys(5, seed=0)).to_parquet(tmp_path / "j.parquet")
    table = pq.read_table(path)
    return table, table.schema.metadata[METADATA_KEY]


def test_read_journeys_refuses_a_stage_outside_the_saved_categories(tmp_path: Path) -> None:
    """Cast to the saved categories an edited stage would become missing without a word: an error names it."""
    table, _ = _saved(tmp_path)
    stages = table.column("stage").cast(pa.string()).to_pylist()
    stages[2] = "escalated"
    edited = table.set_column(table.schema.get_field_index("stage"), "stage", pa.array(stages, pa.string()))
    pq.write_table(edited.replace_schema_metadata(table.schema.metadata), tmp_path / "edited.parquet")
    with pytest.raises(
        jm.SchemaError, match=r"column 'stage' holds \['escalated'\] \(row\(s\) \[\d+\]\), outside the categories"
    ):
        jm.read_journeys(tmp_path / "edited.parquet")


def test_read_journeys_refuses_a_file_whose_metadata_counts_other_journeys(tmp_path: Path) -> None:
    """A file cut down (or added to) by another tool holds another number of journeys than its metadata says."""
    table, raw = _saved(tmp_path)
    meta = json.loads(raw)
    meta["n_journeys"] += 1
    merged = {**table.schema.metadata, METADATA_KEY: json.dumps(meta).encode()}
    pq.write_table(table.replace_schema_metadata(merged), tmp_path / "edited.parquet")
    with pytest.raises(
        jm.SchemaError, match=rf"holds {meta['n_journeys'] - 1} journeys but its metadata says {meta['n_journeys']}"
    ):
        jm.read_journeys(tmp_path / "edited.parquet")


def test_read_xes_keeps_the_journeys_own_stages_of_a_to_pm4py_frame(tmp_path: Path) -> None:
    """A to_pm4py frame whose stages are not the service stages reads back with its own stage model, not the service one."""
    events = pd.DataFrame(
        {
            "event_id": ["1", "2", "3"],
            "customer_id": ["ann"] * 3,
            "actor": ["customer", "agent", "customer"],
            "timestamp": ["2024-01-01T10:00Z", "2024-01-01T10:05Z", "2024-01-01T10:09Z"],
            "in_reply_to": [None, "1", "2"],
            "stage": ["browse", "advise", "buy"],
        }
    )
    js = jm.build_journeys(jm.read_events(events), stages=jm.StageModel.from_column("stage", order=["browse", "advise", "buy"]))
    back = jm.read_xes(_xes_as_pm4py_writes(jm.to_pm4py(js), tmp_path / "own.xes"))
    assert back.stages.names == ("browse", "advise", "buy")
    assert back.events["stage"].astype(str).tolist() == ["browse", "advise", "buy"]
