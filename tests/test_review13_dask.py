"""Review 13 of the Dask path: journeymap.distributed gives what the single-machine reader and builder give."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")

import dask  # noqa: E402

import journeymap as jm  # noqa: E402
import journeymap.distributed as jmd  # noqa: E402

if TYPE_CHECKING:
    from pathlib import Path

T = ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z", "2024-01-01T10:10:00Z", "2024-01-01T11:00:00Z"]


@pytest.fixture(autouse=True)
def _synchronous() -> object:
    with dask.config.set(scheduler="synchronous"):
        yield


def _same_log(got: jm.EventLog, single: jm.EventLog) -> None:
    pd.testing.assert_frame_equal(got.events, single.events)
    pd.testing.assert_frame_equal(got.rejects, single.rejects)
    pd.testing.assert_frame_equal(got.warnings, single.warnings)
    assert got.n_input == single.n_input


# 1. a Parquet file with a named index keeps its event ids


# dask's own Parquet reader (2026.8) moves a stored index with reset_index(inplace=True), which pandas 3.1 deprecates
DASK_INPLACE = r"ignore:The inplace keyword in DataFrame\.(re)?set_index is deprecated"


@pytest.mark.filterwarnings(DASK_INPLACE)
def test_parquet_with_a_named_index_keeps_its_event_ids(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["m1", "m2", "m3", "m4"],
            "customer_id": ["a", "a", "b", "b"],
            "timestamp": T,
            "in_reply_to": [None, "m1", None, "m3"],
        }
    )
    path = tmp_path / "indexed.parquet"
    frame.set_index("event_id").to_parquet(path)
    single = jm.read_events(path, on_error="collect")
    got = jmd.read_events(path, on_error="collect").compute()
    assert got.events["event_id"].tolist() == ["m1", "m2", "m3", "m4"]
    _same_log(got, single)


# 2. the reply checks read the copy of a repeated event_id that is kept


def _repeated(in_reply_to: list[str | None]) -> pd.DataFrame:
    # row 1 (the first '2') is rejected for its missing customer: row 2 is the copy kept
    return pd.DataFrame(
        {"event_id": ["1", "2", "2", "4"], "customer_id": ["a", None, "b", "c"], "timestamp": T, "in_reply_to": in_reply_to}
    )


@pytest.mark.parametrize(
    "in_reply_to",
    [[None, "1", "2", None], [None, "1", "99", None], [None, "1", "4", "2"]],
    ids=["self-reply", "outside the data", "cycle"],
)
@pytest.mark.parametrize("npartitions", [1, 2])
def test_reply_checks_read_the_kept_copy_of_a_repeated_id(in_reply_to: list[str | None], npartitions: int) -> None:
    frame = _repeated(in_reply_to)
    single = jm.read_events(frame, on_error="collect")
    got = jmd.read_events(frame, on_error="collect", npartitions=npartitions).compute()
    _same_log(got, single)


# 3. with columns=, rejects and warnings name the user's columns


COLUMNS = {
    "tweet_id": "event_id",
    "author_id": "customer_id",
    "created_at": "timestamp",
    "in_response_to_tweet_id": "in_reply_to",
}


def _own_names() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tweet_id": ["1", "2", "2", "4"],
            "author_id": ["a", None, "b", "c"],
            "created_at": [*T[:3], "soon"],
            "in_response_to_tweet_id": [None, "1", "99", None],
        }
    )


def test_rejects_and_warnings_name_the_users_columns() -> None:
    single = jm.read_events(_own_names(), columns=COLUMNS, on_error="collect")
    got = jmd.read_events(_own_names(), columns=COLUMNS, on_error="collect", npartitions=2).compute()
    assert got.rejects["column"].tolist() == ["author_id", "created_at"]
    assert got.warnings["column"].tolist() == ["in_response_to_tweet_id"]
    _same_log(got, single)


def test_the_raised_error_names_the_users_columns() -> None:
    with pytest.raises(jm.SchemaError) as one:
        jm.read_events(_own_names(), columns=COLUMNS)
    with pytest.raises(jm.SchemaError) as distributed:
        jmd.read_events(_own_names(), columns=COLUMNS, npartitions=2)
    assert "column 'author_id'" in str(distributed.value)
    assert str(distributed.value) == str(one.value)


# 4. JSON Lines: each file is gzipped or not by its own name


def _jsonl_lines(start: int, n: int) -> str:
    import json

    return "".join(
        json.dumps({"event_id": f"m{i}", "customer_id": f"c{i // 2}", "timestamp": f"2024-01-01T10:{i:02d}:00Z"}) + "\n"
        for i in range(start, start + n)
    )


@pytest.mark.parametrize("gz_first", [False, True])
def test_json_lines_mixing_gzipped_and_plain_files(tmp_path: Path, gz_first: bool) -> None:
    import gzip

    plain, packed = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    plain.write_text(_jsonl_lines(0, 4) if not gz_first else _jsonl_lines(4, 3))
    packed.write_bytes(gzip.compress((_jsonl_lines(4, 3) if not gz_first else _jsonl_lines(0, 4)).encode()))
    files = [plain, packed] if not gz_first else [packed, plain]
    got = jmd.read_events(files, on_error="collect").compute()
    assert got.n_input == 7 and len(got.events) == 7
    assert sorted(got.events["event_id"]) == [f"m{i}" for i in range(7)]
    glob_read = jmd.read_events(str(tmp_path / "*.jsonl*"), on_error="collect").compute()
    assert glob_read.n_input == 7 and len(glob_read.events) == 7


def test_a_gz_json_lines_file_that_is_not_gzipped_is_an_error_naming_it(tmp_path: Path) -> None:
    good, fake = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    good.write_text(_jsonl_lines(0, 2))
    fake.write_text(_jsonl_lines(2, 2))
    with pytest.raises(jm.SchemaError, match=r"b\.jsonl\.gz.*not a readable gzip file"):
        jmd.read_events([good, fake], on_error="collect")


# 5. the file type of each file comes from its own name


def _csv(rows: range) -> str:
    return "event_id,customer_id,timestamp\n" + "".join(f"m{i},c{i // 2},2024-01-01T10:{i:02d}:00Z\n" for i in rows)


def test_a_glob_without_a_suffix_reads_its_files_by_their_own_names(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "a.csv").write_text(_csv(range(3)))
    (tmp_path / "b.csv.gz").write_bytes(gzip.compress(_csv(range(3, 5)).encode()))
    for pattern in ("*", "*.csv*"):
        got = jmd.read_events(str(tmp_path / pattern), on_error="collect").compute()
        assert got.n_input == 5 and len(got.events) == 5, pattern


@pytest.mark.filterwarnings(DASK_INPLACE)
def test_a_glob_of_parquet_files_without_a_suffix(tmp_path: Path) -> None:
    frame = pd.read_csv(io.StringIO(_csv(range(4))))
    frame.iloc[:2].to_parquet(tmp_path / "a.parquet", index=False)
    frame.iloc[2:].to_parquet(tmp_path / "b.parquet", index=False)
    got = jmd.read_events(str(tmp_path / "*"), on_error="collect").compute()
    assert got.events["event_id"].tolist() == ["m0", "m1", "m2", "m3"]


@pytest.mark.filterwarnings(DASK_INPLACE)
@pytest.mark.parametrize("parquet_first", [True, False])
def test_a_list_mixing_parquet_and_csv_is_refused_naming_both(tmp_path: Path, parquet_first: bool) -> None:
    csv, parquet = tmp_path / "a.csv", tmp_path / "b.parquet"
    csv.write_text(_csv(range(2)))
    pd.read_csv(io.StringIO(_csv(range(2, 4)))).to_parquet(parquet, index=False)
    files = [parquet, csv] if parquet_first else [csv, parquet]
    with pytest.raises(jm.SchemaError, match=r"mixes file types.*(a\.csv.*b\.parquet|b\.parquet.*a\.csv)"):
        jmd.read_events(files, on_error="collect")


def test_an_unknown_file_in_a_glob_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(_csv(range(2)))
    (tmp_path / "notes.md").write_text("# not events\n")
    with pytest.raises(jm.SchemaError, match=r"notes\.md.*unknown file type '\.md'"):
        jmd.read_events(str(tmp_path / "*"), on_error="collect")


def test_a_folder_of_csv_files_is_no_parquet_dataset(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(_csv(range(2)))
    (tmp_path / "b.csv").write_text(_csv(range(2, 4)))
    with pytest.raises(jm.SourceIsFolderError, match=r"is a folder without Parquet files \(files in it: a\.csv, b\.csv\)"):
        jmd.read_events(tmp_path, on_error="collect")


# 6. in a multi-file read, a malformed row's reason names its file


def test_a_malformed_csv_row_names_its_file_when_several_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(_csv(range(3)))
    (tmp_path / "b.csv").write_text(_csv(range(3, 5)) + "m9,c9,2024-01-01T11:00:00Z,EXTRA\n")
    got = jmd.read_events(str(tmp_path / "*.csv"), on_error="collect").compute()
    bad = got.rejects[got.rejects["column"] == "(row)"]
    assert bad["row"].tolist() == [5]
    single = jm.read_events(tmp_path / "b.csv", on_error="collect").rejects
    reason = single.loc[single["column"] == "(row)", "reason"].iloc[0]
    assert bad["reason"].tolist() == [f"source {str(tmp_path / 'b.csv')!r}: {reason}"]
    # one file: the reason is the single-machine one
    alone = jmd.read_events(tmp_path / "b.csv", on_error="collect").compute().rejects
    pd.testing.assert_frame_equal(alone, single)


def test_a_broken_json_line_names_its_file_when_several_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(_jsonl_lines(0, 3))
    (tmp_path / "b.jsonl").write_text(_jsonl_lines(3, 2) + '{"event_id": "m9", "customer_id\n')
    got = jmd.read_events(str(tmp_path / "*.jsonl"), on_error="collect").compute()
    bad = got.rejects[got.rejects["column"] == "(row)"]
    assert bad["row"].tolist() == [5]
    assert bad["reason"].iloc[0].startswith(f"source {str(tmp_path / 'b.jsonl')!r}: line 3 ")


# 7. build_journeys' warning about the input's own step: once, with the total, at graph-build time


def test_the_replaced_step_warning_is_given_once_with_the_total() -> None:
    import warnings

    log = jm.datasets.service_journeys(12, seed=0)
    events = jm.build_journeys(log).events.copy()
    events["step"] = events["step"] + 1  # a source with its own, different step column
    relog = jm.read_events(events)
    with pytest.warns(UserWarning, match=r"replaced the input's own .*'step' \(\d+ rows\)") as single:
        jm.build_journeys(relog, by="customer")
    expected = str(single[0].message)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        djs = jmd.build_journeys(jmd.from_pandas(relog, npartitions=3), by="customer")
        djs.compute()
        djs.compute()
    assert [str(w.message) for w in seen] == [expected]
    assert seen[0].filename == __file__  # said to the caller, not from inside a partition's task


def test_a_rebuild_that_changes_nothing_says_nothing() -> None:
    log = jm.datasets.service_journeys(12, seed=0)
    built = jm.read_events(jm.build_journeys(log).events)
    jmd.build_journeys(jmd.from_pandas(built, npartitions=3)).compute()  # filterwarnings=error: no warning


# 8. score's customer-service-prior INFO line: once, not per partition and pass


def test_the_service_prior_line_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    log = jm.datasets.service_journeys(10, seed=0)
    with caplog.at_level(logging.INFO, logger="journeymap"):
        djs = jmd.score(jmd.build_journeys(jmd.from_pandas(log, npartitions=3)), cache=False, prior="service")
        djs.compute()
        djs.compute()
    said = [r.getMessage() for r in caplog.records if "customer-service prior" in r.getMessage()]
    assert len(said) == 1, said
