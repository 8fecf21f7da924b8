"""A new reader written against the public reader contract only (journeymap.io + journeymap.schema)."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm
from journeymap import schema
from journeymap.io import EventLog, Problems, as_id, read_table, validate_events

TICKETS = pd.DataFrame(
    {
        "ticket": ["T1", "T1", "T2", "T3", "T3"],
        "msg_id": [10, 11, 12, 13, 13],
        "requester": ["ann", "ann", "bob", None, "cy"],
        "sent": ["2024-03-01 09:00", "2024-03-01 10:30", "2024-03-02 12:00", "2024-03-03 08:00", "yesterday"],
        "direction": ["in", "out", "in", "in", "sideways"],
        "body": ["my refund is late", "sorry, refunded now", "app crashes", "hello?", "where is my order"],
    }
)


def read_tickets(source: pd.DataFrame | str | Path, *, on_error: str = "collect") -> EventLog:
    """A ticketing-export reader: a direction column instead of an actor, the ticket as the thread."""
    frame = read_table(source)
    problems = Problems()
    direction = frame["direction"].astype("string").str.lower()
    problems.add(~direction.isin(["in", "out"]).fillna(False), "direction", "expected 'in' or 'out'", frame["direction"])
    canonical = pd.DataFrame(
        {
            "event_id": as_id(frame["msg_id"])[0],
            "customer_id": frame["requester"],
            "timestamp": frame["sent"],
            "actor": direction.map({"in": "customer", "out": "agent"}),
            "channel": "email",
            "text": frame["body"],
            "thread_id": frame["ticket"],
        }
    )
    return validate_events(
        canonical,
        on_error=on_error,  # type: ignore[arg-type]
        problems=problems,
        source_columns={"event_id": "msg_id", "customer_id": "requester", "timestamp": "sent"},
    )


def test_a_new_reader_needs_no_private_import() -> None:
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    imported = [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("journeymap")
        for alias in node.names
    ]
    assert imported, "the reader imports from journeymap"
    assert not [m for m, name in imported if name.startswith("_") or any(p.startswith("_") for p in m.split("."))]


def test_every_row_is_in_the_events_or_the_rejects_with_the_source_column_names() -> None:
    log = read_tickets(TICKETS)
    assert sorted([*log.events.index, *log.rejected_rows]) == list(range(len(TICKETS)))
    reasons = {(r.row, r.column, r.reason) for r in log.rejects.itertuples()}
    assert (3, "requester", "missing customer_id") in reasons
    assert any(r[:2] == (4, "sent") and r[2].startswith("unparseable timestamp") for r in reasons)
    assert (4, "direction", "expected 'in' or 'out'") in reasons
    # rows 3 and 4 share an id, but both are rejected for other reasons: neither is a usable
    # first copy, so row 4 is not (also) a duplicate
    assert not any(reason.startswith("duplicate event_id") for _, _, reason in reasons)
    present = [c for c in schema.CANONICAL_COLUMNS if c not in ("stage", "in_reply_to", "agent_id")]
    assert list(log.events.columns[: len(present)]) == present


def test_the_reader_output_feeds_the_pipeline() -> None:
    js = jm.build_journeys(read_tickets(TICKETS))
    assert js.journeys["n_steps"].tolist() == [2, 1]
    assert js.events["actor"].astype(str).tolist() == ["customer", "agent", "customer"]


def test_raise_mode_names_rows_and_source_columns() -> None:
    with pytest.raises(jm.SchemaError, match=r"2 of 5 rows are invalid: row 3, column 'requester': missing customer_id"):
        read_tickets(TICKETS, on_error="raise")


def test_warnings_of_rejected_rows_are_dropped() -> None:
    frame = TICKETS.rename(columns={})
    warnings = Problems()
    warnings.add(pd.Series(True, index=frame.index), "body", "a caveat", frame["body"])
    canonical = frame.rename(columns={"msg_id": "event_id", "requester": "customer_id", "sent": "timestamp"})
    log = validate_events(canonical[["event_id", "customer_id", "timestamp"]], on_error="collect", warnings=warnings)
    assert log.warnings["row"].tolist() == [0, 1, 2]


def test_no_module_imports_a_private_name_from_another_module() -> None:
    """Names starting with '_' stay in their module; internal helpers live in '_'-prefixed modules."""
    root = Path(jm.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("journeymap"):
                package = root.joinpath(*node.module.split(".")[1:])
                offenders += [
                    f"{path.relative_to(root)}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not (package / f"{a.name}.py").exists() and not (package / a.name).is_dir()
                ]
    assert offenders == []
