"""journeymap.distributed.read_events on files: the single-machine reader's rows, rejects and values."""

from __future__ import annotations

import gzip
import warnings
from typing import TYPE_CHECKING

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")

import journeymap as jm  # noqa: E402
import journeymap.distributed as jmd  # noqa: E402
from journeymap.io.sources import read_csv_header  # noqa: E402

if TYPE_CHECKING:
    from pathlib import Path

HEAD = "event_id,customer_id,timestamp,actor,text,touchpoint\n"


def _compare(got: jm.EventLog, single: jm.EventLog, *, reasons: bool = True) -> None:
    pd.testing.assert_frame_equal(got.events, single.events)
    columns = ["row", "column", "reason", "value"] if reasons else ["row", "column", "value"]
    pd.testing.assert_frame_equal(got.rejects[columns], single.rejects[columns])
    assert got.n_input == single.n_input
    assert len(got.events) + got.rejects["row"].nunique() == got.n_input


@pytest.mark.parametrize(
    ("tag", "bad"),
    [
        ("short row", "2,c1,2024-01-01T11:00:00Z,customer,still nothing\n"),
        ("extra field", "2,c1,2024-01-01T11:00:00Z,customer,still nothing,delivery,EXTRA\n"),
        ("bad quoting", '2,c1,2024-01-01T11:00:00Z,customer,"Great" product,delivery\n'),
    ],
)
def test_a_malformed_csv_row_is_a_reject_as_on_one_machine(tmp_path: Path, tag: str, bad: str) -> None:
    path = tmp_path / "events.csv"
    path.write_text(HEAD + "1,c1,2024-01-01T10:00:00Z,customer,my parcel is late,delivery\n" + bad)
    path.write_text(path.read_text() + "3,c2,2024-01-02T10:00:00Z,customer,thanks,delivery\n")
    single = jm.read_events(path, on_error="collect")
    assert single.rejects["row"].tolist()[:1] == [1], tag
    _compare(jmd.read_events(path, on_error="collect").compute(), single)
    with pytest.raises(jm.SchemaError) as one:
        jm.read_events(path)
    with pytest.raises(jm.SchemaError) as distributed:
        jmd.read_events(path)
    assert str(distributed.value) == str(one.value)


def test_malformed_rows_in_several_files_keep_their_input_row_numbers(tmp_path: Path) -> None:
    rows = [
        "1,c1,2024-01-01T10:00:00Z,customer,my parcel is late,delivery\n",
        "2,c1,2024-01-01T11:00:00Z,customer,still nothing\n",  # short: row 1
        "3,c2,2024-01-02T10:00:00Z,customer,thanks,delivery,EXTRA\n",  # long: row 2
        '4,c2,2024-01-02T11:00:00Z,customer,"Great" product,delivery\n',  # bad quoting: row 3
        "2,c1,2024-01-01T12:00:00Z,agent,a later good copy of id 2,delivery\n",  # not a duplicate: row 1 is rejected
        "5,c3,2024-01-03T10:00:00Z,customer,fine,delivery\n",
    ]
    whole = tmp_path / "whole.csv"
    whole.write_text(HEAD + "".join(rows))
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(HEAD + "".join(rows[:2]))
    second.write_text(HEAD + "".join(rows[2:]))
    single = jm.read_events(whole, on_error="collect")
    assert single.rejects["row"].unique().tolist() == [1, 2, 3]
    assert single.events["event_id"].tolist() == ["1", "2", "5"]
    dlog = jmd.read_events([first, second], on_error="collect")
    assert dlog.events.npartitions == 2
    # a reason naming a line counts the lines of its own file
    _compare(dlog.compute(), single, reasons=False)


def test_quoted_line_breaks_and_other_delimiters_are_read_as_on_one_machine(tmp_path: Path) -> None:
    rows = [
        {
            "event_id": str(i),
            "customer_id": f"c{i % 50}",
            "timestamp": f"2024-01-01T{i % 24:02d}:00:00Z",
            "actor": "customer",
            "text": "line one\nline two, more" if i % 10 == 0 else "one line of text, padded " + "x" * 40,
        }
        for i in range(600)
    ]
    frame = pd.DataFrame(rows)
    plain, semicolons, zipped = tmp_path / "lines.csv", tmp_path / "semicolons.csv", tmp_path / "lines.csv.gz"
    frame.to_csv(plain, index=False)
    frame.to_csv(semicolons, index=False, sep=";")
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    single = jm.read_events(plain, on_error="collect")
    assert len(single.events) == 600
    for path in (plain, semicolons, zipped):
        # blocksize applies to JSON Lines only: a block edge inside a quoted line break broke the read
        got = jmd.read_events(path, on_error="collect", blocksize=5_000)
        assert got.events.npartitions == 1
        _compare(got.compute(), single)


def test_csv_files_with_another_header_are_an_error(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("customer_id,timestamp\na,1507704944\n")
    second.write_text("customer_id,time\nb,1507704944\n")
    with pytest.raises(jm.SchemaError, match="every file must have the same header"):
        jmd.read_events([first, second]).compute()


def test_the_header_is_read_as_the_whole_file_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "events.csv.gz"
    path.write_bytes(gzip.compress("\ufeffcustomer_id\ttimestamp\r\na\t1507704944\r\n".encode()))
    assert read_csv_header(path).columns.tolist() == ["customer_id", "timestamp"]
    spanning = tmp_path / "spanning.csv"
    spanning.write_text('"customer\nid",timestamp\na,1507704944\n')
    assert read_csv_header(spanning).columns.tolist() == ["customer\nid", "timestamp"]
    empty = tmp_path / "empty.csv"
    empty.write_text("\n")
    with pytest.raises(jm.SchemaError, match="is empty"):
        read_csv_header(empty)


def _big_id_rows(n: int = 60) -> list[dict[str, object]]:
    """Replies with 64-bit ids (tweet ids past 2**53) and a null ``in_reply_to`` on each first message."""
    base = 1180000000000000001
    return [
        {
            "event_id": base + 2 * i,
            "customer_id": f"u{i // 3}",
            "timestamp": f"2024-01-01T10:{i % 60:02d}:00Z",
            "actor": "customer" if i % 3 != 1 else "agent",
            "text": f"message {i}",
            "in_reply_to": None if i % 3 == 0 else base + 2 * (i - 1),
            "order_no": None if i % 4 == 0 else base + i,  # an attribute: ints with nulls stay exact too
        }
        for i in range(n)
    ]


def test_parquet_integer_ids_with_nulls_stay_exact(tmp_path: Path) -> None:
    path = tmp_path / "big_ids.parquet"
    # object columns of ints and None: stored as int64 columns with nulls
    pd.DataFrame(_big_id_rows(), dtype=object).to_parquet(path, row_group_size=25)
    single = jm.read_events(path, on_error="collect")
    assert len(single.events) == 60 and single.events["in_reply_to"].iloc[1] == "1180000000000000001"
    got = jmd.read_events(path, on_error="collect").compute()
    assert len(got.rejects) == 0
    _compare(got, single)
    pd.testing.assert_frame_equal(jm.build_journeys(got).events, jm.build_journeys(single).events)


@pytest.mark.parametrize("blocksize", [None, 2_000])
def test_json_lines_integer_ids_with_nulls_stay_exact(tmp_path: Path, blocksize: int | None) -> None:
    import json

    path = tmp_path / "big_ids.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in _big_id_rows()))
    single = jm.read_events(path, on_error="collect")
    assert len(single.events) == 60 and single.events["order_no"].iloc[1] == 1180000000000000002
    dlog = jmd.read_events(path, on_error="collect", blocksize=blocksize)
    assert (dlog.events.npartitions > 1) == (blocksize is not None)
    _compare(dlog.compute(), single)
    zipped = tmp_path / "big_ids.jsonl.gz"
    zipped.write_bytes(gzip.compress(path.read_bytes()))
    _compare(jmd.read_events(zipped, on_error="collect").compute(), single)


def test_a_json_lines_block_that_is_not_json_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"customer_id": "a", "timestamp": 1507704944}\n{"customer_id": "b", "timestamp": \n')
    with pytest.raises(jm.SchemaError, match=r"line 2 is not valid JSON"):
        jmd.read_events(path, blocksize=None).compute()


def test_remote_csv_files_are_read_strictly_too() -> None:
    fsspec = pytest.importorskip("fsspec")
    memory = fsspec.filesystem("memory")
    good = HEAD + '1,c1,2024-01-01T10:00:00Z,customer,"my parcel\nis lost",delivery\n'
    bad = HEAD + "2,c2,2024-01-01T11:00:00Z,customer,still nothing\n"  # a short row
    for name, text in (("a.csv", good), ("b.csv", bad)):
        with memory.open(f"memory://jm-test/{name}", "w") as out:
            out.write(text)
    try:
        # before: a remote glob of CSV files matched no file (the glob was expanded on the local disk)
        got = jmd.read_events("memory://jm-test/*.csv", on_error="collect").compute()
    finally:
        memory.rm("memory://jm-test", recursive=True)
    assert got.events["text"].tolist() == ["my parcel\nis lost"]  # the quoted line break read as text
    assert got.rejects["row"].tolist() == [1]  # the short row of the second file, rejected with its input row


def test_an_unreadable_remote_csv_is_named_by_its_address() -> None:
    fsspec = pytest.importorskip("fsspec")
    memory = fsspec.filesystem("memory")
    with memory.open("memory://jm-err/b.csv", "wb") as out:
        out.write(HEAD.encode() + "1,c1,2024-01-01T10:00:00Z,customer,caf\xe9,delivery\n".encode("latin-1"))
    try:
        with pytest.raises(jm.SchemaError, match=r"jm-err/b\.csv") as caught:  # before: the deleted temporary copy's path
            jmd.read_events("memory://jm-err/*.csv", on_error="collect").compute()
    finally:
        memory.rm("memory://jm-err", recursive=True)
    assert "tmp" not in str(caught.value)


def test_json_lines_blocks_with_an_object_only_in_later_rows_are_read(tmp_path: Path) -> None:
    import json

    rows = [
        {"customer_id": f"c{i}", "timestamp": 1507704944 + i, "assignee": None if i < 200 else {"id": f"a{i % 3}"}}
        for i in range(400)
    ]
    path = tmp_path / "tickets.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    dlog = jmd.read_events(path, on_error="collect", blocksize=8_000)  # before: metadata mismatch, 'assignee.id'
    assert dlog.events.npartitions > 1
    got = dlog.compute()
    assert len(got.events) == 400 and len(got.rejects) == 0
    # both flatten the nested object: every Dask partition has the columns of the whole file
    assert "assignee.id" in jm.read_events(path).events.columns
    with warnings.catch_warnings():
        # pandas 2.x's concat fills a partition's all-missing object block with None where one machine has NaN
        # (pandas 2.2 compares them equal, with this warning); pandas 3 keeps NaN and tells them apart
        warnings.filterwarnings("ignore", "Mismatched null-like values", FutureWarning)
        pd.testing.assert_frame_equal(got.events, jm.read_events(path).events)
