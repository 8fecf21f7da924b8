"""Hostile files for the readers and the writer of ``journeymap.io.sources``: nothing is lost or altered unseen."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import journeymap as jm
from journeymap.io import read_table, write_table

if TYPE_CHECKING:
    from pathlib import Path

HEADER = "customer_id,timestamp,text\n"


def accounted(log: jm.EventLog) -> None:
    assert sorted([*log.events.index, *log.rejected_rows]) == list(range(log.n_input))


def row_reasons(log: jm.EventLog) -> dict[int, str]:
    rows = log.rejects[log.rejects["column"] == "(row)"]
    return dict(zip(rows["row"], rows["reason"]))


# --------------------------------------------------------------------------- 1. short rows


def test_a_short_row_is_rejected_not_filled_with_an_empty_field(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("event_id,customer_id,timestamp,text,channel\ne1,a,2024-01-01,hi,web\ne2,b,2024-01-02,phone\n")
    log = jm.read_events(path, on_error="collect")
    assert log.events["event_id"].tolist() == ["e1"]
    assert row_reasons(log) == {1: "4 fields where the header has 5 (line 3 of the file)"}
    assert log.rejects.loc[log.rejects["column"] == "(row)", "value"].tolist() == ["e2,b,2024-01-02,phone"]
    accounted(log)
    with pytest.raises(jm.SchemaError, match=r"row 1, column '\(row\)': 4 fields where the header has 5 \(line 3 of the file\)"):
        jm.read_events(path, on_error="raise")


def test_read_table_without_a_collector_names_the_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(HEADER + "a,2024-01-01,hi\nb,2024-01-02\n")
    with pytest.raises(jm.SchemaError, match=r"short\.csv': row 1: 2 fields where the header has 3 \(line 3 of the file\)"):
        read_table(path)


# --------------------------------------------------------------------------- 2. malformed quoting


@pytest.mark.parametrize("field", ['"He said "hi" to me"', '"Great" product'])
def test_text_after_a_closing_quote_is_rejected_not_altered(tmp_path: Path, field: str) -> None:
    path = tmp_path / "quotes.csv"
    path.write_text(HEADER + f"a,2024-01-01,{field}\nb,2024-01-02,fine\n")
    log = jm.read_events(path, on_error="collect")
    assert log.events["text"].tolist() == ["fine"]
    assert row_reasons(log)[0].startswith("malformed quoting on line 2 (',' expected after '\"')")
    accounted(log)
    with pytest.raises(jm.SchemaError, match=r"row 0, column '\(row\)': malformed quoting on line 2"):
        jm.read_events(path)


def test_a_stray_opening_quote_does_not_swallow_rows_unseen(tmp_path: Path) -> None:
    path = tmp_path / "stray.csv"
    path.write_text(HEADER + 'a,2024-01-01,"12 inch\nb,2024-01-02,x\nc,2024-01-03,y\nd,2024-01-04,"quoted"\ne,2024-01-05,z\n')
    log = jm.read_events(path, on_error="collect")
    assert log.events["customer_id"].tolist() == ["e"]
    reason = row_reasons(log)[0]
    assert "malformed quoting on line 5" in reason and "this row runs over lines 2-5" in reason
    swallowed = log.rejects.loc[log.rejects["column"] == "(row)", "value"].iloc[0]
    assert "b,2024-01-02,x\nc,2024-01-03,y" in swallowed  # the swallowed rows are seen in the rejects
    accounted(log)


def test_valid_quoting_is_still_read_as_written(tmp_path: Path) -> None:
    texts = ["two\nlines", 'say ""hi""', "cr\rinside", "plain, with comma"]
    body = "".join(f'c{i},2024-01-0{i + 1},"{t}"\r\n' for i, t in enumerate(texts))
    path = tmp_path / "ok.csv"
    path.write_bytes(("\ufeff" + HEADER.replace("\n", "\r\n") + body).encode())
    log = jm.read_events(path)
    assert log.events["text"].tolist() == ["two\nlines", 'say "hi"', "cr\rinside", "plain, with comma"]


# --------------------------------------------------------------------------- 3, 4. fields past the csv module's limit


def test_a_long_first_row_field_does_not_hide_an_extra_field(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(HEADER + "a,2024-01-01," + "x" * 200_000 + ",EXTRA\nb,2024-01-02,y\n")
    log = jm.read_events(path, on_error="collect")
    assert log.events["customer_id"].tolist() == ["b"]
    assert row_reasons(log) == {0: "4 fields where the header has 3 (line 2 of the file)"}


@pytest.mark.parametrize(
    ("rest", "rejected"),
    [
        ("b,2024-01-02,y,EXTRA\n", {1: "4 fields where the header has 3 (line 3 of the file)"}),
        ("\nb,2024-01-02,y\n", {}),
        ("b,2024-01-02\n", {1: "2 fields where the header has 3 (line 3 of the file)"}),
        ("\nb,2024-01-02\n", {1: "2 fields where the header has 3 (line 4 of the file)"}),
    ],
)
def test_a_long_field_in_a_file_read_row_by_row_is_read(tmp_path: Path, rest: str, rejected: dict[int, str]) -> None:
    path = tmp_path / "long.csv"
    path.write_text(HEADER + "a,2024-01-01," + "x" * 140_000 + "\n" + rest)
    log = jm.read_events(path, on_error="collect")
    assert log.events.loc[0, "text"] == "x" * 140_000
    assert row_reasons(log) == rejected
    assert log.n_input == 2
    accounted(log)


# --------------------------------------------------------------------------- 5. lone surrogates in JSON


@pytest.mark.parametrize("name", ["events.jsonl", "events.json"])
def test_json_lone_surrogates_are_replaced_in_every_column(tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str) -> None:
    rows = [
        '{"customer_id": "a\\ud800", "timestamp": "2024-01-01", "text": "hi \\ud83d", "note\\udc00": "n\\ud83d"}',
        '{"customer_id": "b", "timestamp": "2024-01-02", "text": "pair \\ud83d\\ude00"}',
    ]
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n" if name.endswith("jsonl") else "[" + ",\n".join(rows) + "]")
    with caplog.at_level("WARNING", logger="journeymap"):
        log = jm.read_events(path)
    assert log.events["text"].tolist() == ["hi \ufffd", "pair \U0001f600"]
    assert log.events["customer_id"].tolist() == ["a\ufffd", "b"]
    assert log.events["note\ufffd"].tolist()[0] == "n\ufffd"
    assert any("4 lone surrogate(s)" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- 7. exact integer ids


@pytest.mark.parametrize("name", ["events.jsonl", "events.json"])
def test_json_nullable_integer_ids_stay_exact(tmp_path: Path, name: str) -> None:
    big = 1234567890123456789
    rows = [
        {"event_id": big, "customer_id": "a", "timestamp": "2024-01-01", "in_reply_to": None},
        {"event_id": big + 1, "customer_id": "a", "timestamp": "2024-01-02", "in_reply_to": big},
    ]
    path = tmp_path / name
    path.write_text("\n".join(map(json.dumps, rows)) if name.endswith("jsonl") else json.dumps(rows))
    log = jm.read_events(path)
    assert log.events["event_id"].tolist() == [str(big), str(big + 1)]
    assert log.events["in_reply_to"].tolist()[1] == str(big)


def test_parquet_nullable_int64_ids_stay_exact(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    big = 1234567890123456789
    table = pa.table(
        {
            "event_id": [big, big + 1],
            "customer_id": ["a", "a"],
            "timestamp": ["2024-01-01", "2024-01-02"],
            "in_reply_to": pa.array([None, big], type=pa.int64()),
        }
    )
    pq.write_table(table, tmp_path / "events.parquet")
    log = jm.read_events(tmp_path / "events.parquet")
    assert log.events["in_reply_to"].tolist()[1] == str(big)


# --------------------------------------------------------------------------- 8. line separators inside JSON strings


def test_json_lines_with_unicode_line_separators_in_strings_are_read(tmp_path: Path) -> None:
    texts = ["x\u2028y", "p\u2029q", "r\x85s"]
    rows = [{"customer_id": f"c{i}", "timestamp": "2024-01-01", "text": t} for i, t in enumerate(texts)]
    path = tmp_path / "events.jsonl"
    path.write_text("\r\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\r\n", encoding="utf-8")
    assert jm.read_events(path).events["text"].tolist() == texts


# --------------------------------------------------------------------------- 10. Excel


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for cell in book.active["A"]:
        if cell.value == "#N/A":
            cell.data_type = "s"  # text, as typed in Excel, not the error value
    book.save(path)
    return path


def test_excel_repeated_header_names_are_an_error_as_in_csv(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "dup.xlsx", [["customer_id", "timestamp", "customer_id"], ["a", "2024-01-01", "b"]])
    with pytest.raises(jm.SchemaError, match=r"the header names \['customer_id'\] more than once"):
        jm.read_events(path)


def test_excel_text_that_looks_missing_is_read_as_written(tmp_path: Path) -> None:
    names = ["NA", "N/A", "NULL", "None", "nan", "#N/A"]
    rows: list[list[object]] = [["customer_id", "timestamp"], *([n, "2024-01-01"] for n in names), [None, "2024-01-02"]]
    log = jm.read_events(_workbook(tmp_path / "na.xlsx", rows), on_error="collect")
    assert log.events["customer_id"].tolist() == names
    assert log.rejects[["row", "reason"]].values.tolist() == [[6, "missing customer_id"]]


# --------------------------------------------------------------------------- 12. writing Excel


def test_excel_export_writes_control_characters_as_replacement_characters(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    frame = pd.DataFrame({"text": ["a\x00b", "v\x0bt", "ok"], "attr\x02": ["x", "y", "z"]})
    back = pd.read_excel(write_table(frame, tmp_path / "out.xlsx"))
    assert back["text"].tolist() == ["a\ufffdb", "v\ufffdt", "ok"]
    assert back.columns.tolist() == ["text", "attr\ufffd"]


def test_excel_export_refuses_text_longer_than_a_cell(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    frame = pd.DataFrame({"text": ["short", "x" * 40_000]})
    with pytest.raises(jm.SchemaError, match=r"column 'text' holds text longer .* row\(s\) \[1\].*\.csv or \.parquet"):
        write_table(frame, tmp_path / "out.xlsx")


# --------------------------------------------------------------------------- the carriage-return placeholder


def test_a_private_use_character_survives_the_row_by_row_reader(tmp_path: Path) -> None:
    path = tmp_path / "pua.csv"
    path.write_bytes((HEADER + "a,2024-01-01,cr\rand \ue000 here\nb,2024-01-02,x,EXTRA\n").encode())
    log = jm.read_events(path, on_error="collect")
    assert log.events["text"].tolist() == ["cr\rand \ue000 here"]
    assert row_reasons(log) == {1: "4 fields where the header has 3 (line 3 of the file)"}


def test_a_short_row_over_several_lines_names_the_lines_of_the_file(tmp_path: Path) -> None:
    # the row number counts data rows from 0, as pandas does; the reason names the lines as written,
    # which differ once a quoted field holds a line break or a blank line is skipped
    path = tmp_path / "multi.csv"
    path.write_text(HEADER + 'a,2024-01-01,"two\nlines"\n\nb,"2024-01-02\n"\nc,2024-01-03,ok\n')
    log = jm.read_events(path, on_error="collect")
    assert log.events["customer_id"].tolist() == ["a", "c"]
    assert row_reasons(log) == {1: "2 fields where the header has 3 (lines 5-6 of the file)"}
    accounted(log)
