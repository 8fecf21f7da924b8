"""Review 13 of the Dask path: journeymap.distributed gives what the single-machine reader and builder give."""

from __future__ import annotations

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
