"""Review 18, weekly refresh: journeys rebuilt from saved weekly journeys equal a from-scratch build.

Threads that cross a week boundary are joined again (a TWCS reader names a thread by the reply
root of its own slice), ``reply_outside_data`` is refreshed over the combined data, and the zone
the events were read in travels with the events frame (``attrs["journeymap.tz"]``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm
from journeymap.distributed import build_journeys as dask_build_journeys
from journeymap.distributed import from_pandas

SAMPLE = Path(__file__).resolve().parents[1] / "shared" / "data" / "twcs_sample" / "sample.csv"
if not SAMPLE.exists():  # the worktrees share the data folder one level up
    SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "twcs_sample" / "sample.csv"


def _raw_tweets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tweet_id": [1, 2, 3],
            "author_id": ["115712", "AskBrand", "115712"],
            "inbound": [True, False, True],
            "text": ["@AskBrand my bill is wrong", "@115712 sorry! DM us your account no.", "@AskBrand done, thanks"],
            "created_at": ["Sun Oct 08 23:50:00 +0000 2017", "Mon Oct 09 00:10:00 +0000 2017", "Mon Oct 09 00:20:00 +0000 2017"],
            "in_response_to_tweet_id": [None, 1, 2],
            "response_tweet_id": ["2", "3", None],
        }
    )


def _saved_weeks(parts: list[pd.DataFrame], folder: Path) -> pd.DataFrame:
    """Each part read, built and saved as a week's journeys; the saved events of all weeks concatenated."""
    saved = []
    for i, part in enumerate(parts):
        path = folder / f"w{i}.parquet"
        jm.build_journeys(jm.read_twcs(part)).to_parquet(path)
        saved.append(jm.read_journeys(path).events)
    return pd.concat(saved)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_reply_across_a_week_boundary_joins_its_thread(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    raw = _raw_tweets()
    saved = _saved_weeks([raw.iloc[:1], raw.iloc[1:]], tmp_path)
    with caplog.at_level(logging.INFO, logger="journeymap.journeys._build"):
        combined = jm.build_journeys(saved)
    scratch = jm.build_journeys(jm.read_twcs(raw))
    assert combined.journey_ids == scratch.journey_ids == ["1"]
    assert combined.events["thread_id"].tolist() == ["1", "1", "1"]
    assert "1 threads joined" in caplog.text
    times = jm.response_times(combined)
    assert not bool(times["unanswered"].iloc[0])
    # the week-1 tweet's reply is in the data now: not "answered outside it"
    assert not combined.events["reply_outside_data"].any()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_threads_join_transitively_and_source_thread_ids_stay() -> None:
    events = pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4", "5"],
            "customer_id": ["ann", "ann", "ann", "bob", "bob"],
            "actor": ["customer", "agent", "customer", "customer", "agent"],
            "timestamp": pd.date_range("2024-01-01", periods=5, freq="D", tz="UTC"),
            # week 3's "3" answers week 2's "2", which answers week 1's "1"; bob's ticket T-9 answers "1" too
            "in_reply_to": [None, "1", "2", "1", "4"],
            "thread_id": ["1", "2", "3", "T-9", "T-9"],
        }
    )
    js = jm.build_journeys(events)
    assert js.journeys["n_steps"].to_dict() == {"1": 3, "4": 2}
    assert js.events.set_index("event_id")["thread_id"].to_dict() == {"1": "1", "2": "1", "3": "1", "4": "T-9", "5": "T-9"}
    # any row order gives the same journeys
    reversed_rows = jm.build_journeys(events.iloc[::-1].reset_index(drop=True))
    assert reversed_rows.journeys.equals(js.journeys)
    assert reversed_rows.events.reset_index(drop=True).equals(js.events.reset_index(drop=True))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_dask_build_joins_threads_as_one_machine(tmp_path: Path) -> None:
    raw = _raw_tweets()
    saved = _saved_weeks([raw.iloc[:1], raw.iloc[1:2], raw.iloc[2:]], tmp_path)
    local = jm.build_journeys(saved)
    log = jm.read_events(saved.sample(frac=1, random_state=0).reset_index(drop=True))
    on_cluster = dask_build_journeys(from_pandas(log, npartitions=3)).compute(scheduler="synchronous")
    assert local.journey_ids == ["1"]
    assert on_cluster.journeys.equals(local.journeys)
    assert on_cluster.events.reset_index(drop=True).equals(local.events.reset_index(drop=True))


@pytest.mark.skipif(not SAMPLE.exists(), reason="the TWCS sample is not here")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_twcs_sample_in_three_windows_equals_a_from_scratch_build(tmp_path: Path) -> None:
    raw = pd.read_csv(SAMPLE, dtype=str)
    times = pd.to_datetime(raw["created_at"], format="%a %b %d %H:%M:%S %z %Y")
    window = (times >= pd.Timestamp("2017-10-11 12:00Z")).astype(int) + (times >= pd.Timestamp("2017-10-11 13:40Z")).astype(int)
    saved = _saved_weeks([raw[window == w] for w in range(3)], tmp_path)
    combined = jm.build_journeys(saved)
    scratch = jm.build_journeys(jm.read_twcs(raw))
    assert len(combined) == len(scratch) == 29
    assert combined.journeys.equals(scratch.journeys)
    pd.testing.assert_frame_equal(jm.response_times(combined), jm.response_times(scratch))
    at = scratch.events.set_index("event_id")
    mine = combined.events.set_index("event_id").loc[at.index]
    for column in ("thread_id", "customer_id", "journey_id", "step", "stage", "reply_outside_data"):
        assert mine[column].astype("string").fillna("-").equals(at[column].astype("string").fillna("-")), column


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_journeys_by_customer_join_threads_too_on_one_machine_and_on_dask(tmp_path: Path) -> None:
    """The thread-join review: by customer, the week's guessed thread ids stayed, so a reply filed
    under a later week's thread answered nothing of the earlier week (unanswered, not moved)."""
    raw = _raw_tweets()
    saved = _saved_weeks([raw.iloc[:1], raw.iloc[1:2], raw.iloc[2:]], tmp_path)
    combined = jm.build_journeys(saved, by="customer")
    scratch = jm.build_journeys(jm.read_twcs(raw), by="customer")
    assert combined.events["thread_id"].tolist() == scratch.events["thread_id"].tolist() == ["1", "1", "1"]
    columns = ["first_response", "unanswered", "moved"]
    pd.testing.assert_frame_equal(jm.response_times(combined)[columns], jm.response_times(scratch)[columns])
    log = jm.read_events(saved.sample(frac=1, random_state=0).reset_index(drop=True))
    on_cluster = dask_build_journeys(from_pandas(log, npartitions=3), by="customer").compute(scheduler="synchronous")
    assert on_cluster.events["thread_id"].tolist() == ["1", "1", "1"]
    assert on_cluster.journeys.equals(combined.journeys)


@pytest.mark.skipif(not SAMPLE.exists(), reason="the TWCS sample is not here")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_twcs_sample_in_four_windows_by_customer_equals_a_from_scratch_build(tmp_path: Path) -> None:
    raw = pd.read_csv(SAMPLE, dtype=str)
    times = pd.to_datetime(raw["created_at"], format="%a %b %d %H:%M:%S %z %Y")
    window = pd.qcut(times.rank(method="first"), 4, labels=False)
    saved = _saved_weeks([raw[window == w] for w in range(4)], tmp_path)
    combined = jm.build_journeys(saved, by="customer")
    scratch = jm.build_journeys(jm.read_twcs(raw), by="customer")
    assert combined.journeys.equals(scratch.journeys)
    pd.testing.assert_frame_equal(jm.response_times(combined), jm.response_times(scratch))


def _new_york_events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4"],
            "customer_id": ["ann", "Acme", "bob", "Acme"],
            "actor": ["customer", "agent", "customer", "agent"],
            "text": ["bill wrong", "sorry", "late again", "sorry"],
            "timestamp": ["2024-03-10 21:00", "2024-03-10 21:30", "2024-03-11 09:00", "2024-03-11 09:30"],
            "in_reply_to": [None, "1", None, "3"],
        }
    )


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_rebuild_from_saved_journeys_keeps_the_zone(tmp_path: Path) -> None:
    js = jm.build_journeys(jm.read_events(_new_york_events(), tz="America/New_York"))
    path = tmp_path / "week.parquet"
    js.to_parquet(path)
    back = jm.read_journeys(path)
    rebuilt = jm.build_journeys(back.events)
    assert str(rebuilt.tz) == "America/New_York"
    assert str(jm.build_journeys(pd.concat([back.events.iloc[:2], back.events.iloc[2:]])).tz) == "America/New_York"
    assert str(jm.read_events(back.events).tz) == "America/New_York"
    assert str(jm.read_events(path).tz) == "America/New_York"  # the file's recorded zone
    assert jm.trends(rebuilt)["volume"].to_dict() == jm.trends(js)["volume"].to_dict()
    # an explicit tz= wins
    assert str(jm.build_journeys(jm.read_events(back.events, tz="UTC")).tz) == "UTC"
    # frames of two zones concatenated: pandas drops the attrs, the times are read in UTC
    london = back.events.assign(event_id=back.events["event_id"] + "x", in_reply_to=back.events["in_reply_to"] + "x")
    london.attrs = {"journeymap.tz": "Europe/London"}
    assert jm.build_journeys(pd.concat([back.events, london])).tz is None


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_cli_maps_a_journeys_file_in_its_recorded_zone(tmp_path: Path) -> None:
    import matplotlib as mpl
    from typer.testing import CliRunner

    from journeymap.cli import app

    mpl.use("Agg")
    path = tmp_path / "week.parquet"
    jm.build_journeys(jm.read_events(_new_york_events(), tz="America/New_York")).to_parquet(path)
    tables = tmp_path / "tables"
    result = CliRunner().invoke(app, ["map", str(path), "--report", str(tmp_path / "r.html"), "--tables", str(tables)])
    assert result.exit_code == 0, result.output
    periods = pd.read_csv(tables / "trends.csv")["period"].tolist()
    assert periods == ["2024-03-04 00:00:00-05:00", "2024-03-11 00:00:00-04:00"]  # New York weeks, not UTC's
