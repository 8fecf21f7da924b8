"""Reading and building: behaviours documented but pinned by no test until now.

Each test plants a few rows where two plausible rules disagree (ids that sort against time, row order
against reply time, a value exactly on a boundary, a mixed-type column), so that a one-line slip in
the rule changes the answer.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import journeymap as jm

from . import test_review22_interop

if TYPE_CHECKING:
    from pathlib import Path

_xes_as_pm4py_writes = test_review22_interop._xes_as_pm4py_writes


def _cells(frame: pd.DataFrame, columns: list[str]) -> list[list[str]]:
    return frame[columns].astype(str).to_numpy().tolist()


# ---- read_events: times


def test_a_boolean_among_text_times_is_rejected_as_a_wrong_type() -> None:
    """True/False in an object column beside text times: no epoch 1 (1970-01-01 00:00:01), a reject with its reason."""
    times = pd.Series([True, "2024-03-01 10:00", False], dtype=object)
    log = jm.read_events(pd.DataFrame({"customer_id": ["a", "b", "c"], "timestamp": times}), on_error="collect")
    assert log.events.index.tolist() == [1]
    assert log.rejects["row"].tolist() == [0, 2]
    assert log.rejects["column"].tolist() == ["timestamp", "timestamp"]
    assert all(r.startswith("wrong type:") and r.endswith("got bool") for r in log.rejects["reason"])


def test_tz_leaves_an_aware_datetime_among_naive_text_as_it_is() -> None:
    """``tz=`` places naive wall times; a datetime that carries its offset is an instant and keeps it."""
    times = pd.Series([dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.timezone.utc), "2024-03-01 09:00"], dtype=object)
    log = jm.read_events(pd.DataFrame({"customer_id": ["a", "b"], "timestamp": times}), tz="America/New_York")
    assert log.events["timestamp"].tolist() == [
        pd.Timestamp("2024-03-01 10:00", tz="UTC"),  # as it was
        pd.Timestamp("2024-03-01 14:00", tz="UTC"),  # 09:00 in New York (EST, UTC-5)
    ]


# ---- read_events: validation contract


def test_warnings_about_a_rejected_row_are_dropped_with_it() -> None:
    """Row 1 has a bad time (a reject) and a dangling reply (a warning): only row 2's warning is left."""
    df = pd.DataFrame(
        {
            "event_id": ["1", "2", "3"],
            "customer_id": ["a", "b", "c"],
            "timestamp": ["2024-03-01 10:00", "someday", "2024-03-01 10:09"],
            "in_reply_to": [None, "99", "98"],
        }
    )
    log = jm.read_events(df, on_error="collect")
    assert log.rejects["row"].tolist() == [1]
    assert log.warnings["row"].tolist() == [2]
    assert set(log.warnings["row"]) <= set(log.events.index)


def test_a_row_with_two_problems_counts_once_in_the_invalid_count() -> None:
    df = pd.DataFrame({"customer_id": [None, "b"], "timestamp": ["someday", "2024-03-01 10:00"]})
    with pytest.raises(jm.SchemaError, match=r"^1 of 2 rows are invalid: ") as info:
        jm.read_events(df)
    assert "customer_id" in str(info.value) and "timestamp" in str(info.value)  # both problems are still named


# ---- read_events(brands=) and read_twcs


def test_brands_files_a_customer_post_under_its_earliest_brand_reply_in_any_row_order() -> None:
    """Tesco's reply is listed first but BA answered first (10:05 before 10:10): the post is BA's."""
    posts = pd.DataFrame(
        {
            "id": ["1", "2", "3"],
            "author": ["ann", "Tesco", "BA"],
            "at": ["2024-01-01 10:00", "2024-01-01 10:10", "2024-01-01 10:05"],
            "reply_to": [None, "1", "1"],
            "text": ["@Tesco @BA my parcel is late", "@ann sorry! ^JB", "@ann which order? ^KL"],
        }
    )
    columns = {"id": "event_id", "author": "customer_id", "at": "timestamp", "reply_to": "in_reply_to"}
    for rows in ([0, 1, 2], [0, 2, 1], [2, 1, 0]):
        log = jm.read_events(posts.iloc[rows].reset_index(drop=True), columns=columns, brands=["Tesco", "BA"])
        brand = log.events.set_index("event_id")["brand"].astype(str).to_dict()
        assert brand == {"1": "BA", "2": "Tesco", "3": "BA"}, rows


def test_a_split_reply_signed_by_two_agents_leaves_its_unsigned_part_unsigned() -> None:
    """Two signatures between the parts: which one the unsigned part is is unknown, so it gets none."""
    df = pd.DataFrame(
        {
            "tweet_id": [1, 2, 3, 4],
            "author_id": ["115", "AskBrand", "AskBrand", "AskBrand"],
            "inbound": [True, False, False, False],
            "text": [
                "@AskBrand my bill is wrong",
                "@115 Sorry to hear that 1/3",
                "@115 we will look into it 2/3 ^JB",
                "@115 and call you back 3/3 ^KL",
            ],
            "created_at": [f"Wed Oct 11 07:05:4{s} +0000 2017" for s in range(4)],
            "in_response_to_tweet_id": [None, 1, 2, 3],
        }
    )
    agents = jm.read_twcs(df).events["agent_id"].astype(object).tolist()
    assert agents[0] is pd.NA and agents[1] is pd.NA
    assert agents[2:] == ["AskBrand/JB", "AskBrand/KL"]


# ---- build_journeys


def _events(**columns: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_a_brand_reply_to_another_threads_message_keeps_its_customer() -> None:
    """The agent row is filed in bob's thread t2 but answers ann's message in t1: it stays ann's."""
    events = _events(
        event_id=["1", "2", "3"],
        customer_id=["ann", "bob", "ann"],
        actor=["customer", "customer", "agent"],
        timestamp=["2024-01-01T10:00Z", "2024-01-01T10:01Z", "2024-01-01T10:05Z"],
        thread_id=["t1", "t2", "t2"],
        in_reply_to=[None, None, "1"],
    )
    js = jm.build_journeys(events)
    assert _cells(js.events, ["event_id", "customer_id"]) == [["1", "ann"], ["2", "bob"], ["3", "ann"]]
    bobs = js.events.loc[js.events["customer_id"] == "bob", "journey_id"].iloc[0]
    assert js.events.loc[js.events["journey_id"] == bobs, "event_id"].tolist() == ["2"]


def test_an_unlinked_brand_message_goes_to_the_threads_earliest_customer_not_the_lowest_id() -> None:
    """bob's id "9" sorts first, but ann wrote first (10:00 before 10:05): the agent row is ann's."""
    events = _events(
        event_id=["9", "10", "11"],
        customer_id=["bob", "ann", "x"],
        actor=["customer", "customer", "agent"],
        timestamp=["2024-01-01T10:05Z", "2024-01-01T10:00Z", "2024-01-01T10:10Z"],
        thread_id=["t", "t", "t"],
    )
    js = jm.build_journeys(events)
    filed = js.events.set_index("event_id")
    assert filed.loc["11", "customer_id"] == "ann"
    assert filed.loc["11", "journey_id"] == filed.loc["10", "journey_id"] != filed.loc["9", "journey_id"]


def test_a_combined_export_files_a_customer_reply_under_the_brand_it_answers() -> None:
    """Week 1's tweet to BA and Tesco; week 2: BA's reply, Tesco's, then the customer's reply to Tesco (no brand)."""
    events = _events(
        event_id=["1", "2", "3", "4"],
        customer_id=["ann"] * 4,
        actor=["customer", "agent", "agent", "customer"],
        author_id=["ann", "BA", "Tesco", "ann"],
        brand=[None, "BA", "Tesco", None],
        timestamp=["2024-01-01T10:00Z", "2024-01-08T10:00Z", "2024-01-08T10:05Z", "2024-01-08T10:10Z"],
        in_reply_to=[None, "1", "1", "3"],
        text=["@BA @Tesco late", "which order?", "sorry!", "@Tesco thanks"],
    )
    js = jm.build_journeys(events)
    brand = js.events.set_index("event_id")["brand"].astype(str).to_dict()
    assert brand == {"1": "BA", "2": "BA", "3": "Tesco", "4": "Tesco"}


def test_a_journey_ends_at_its_latest_stamp_under_clock_skew() -> None:
    """The last step (a reply to the 12:00 reply, stamped 11:00) is not the latest time: end is 12:00."""
    events = _events(
        event_id=["1", "2", "3"],
        customer_id=["ann"] * 3,
        actor=["customer", "agent", "agent"],
        timestamp=["2024-01-01T10:00Z", "2024-01-01T12:00Z", "2024-01-01T11:00Z"],
        in_reply_to=[None, "1", "2"],
    )
    js = jm.build_journeys(events)
    assert js.events["event_id"].tolist() == ["1", "2", "3"]  # the skewed reply comes after its message
    assert js.journeys["start"].tolist() == [pd.Timestamp("2024-01-01 10:00", tz="UTC")]
    assert js.journeys["end"].tolist() == [pd.Timestamp("2024-01-01 12:00", tz="UTC")]


@pytest.mark.parametrize(("second", "journeys"), [("2024-01-08T10:00:00Z", 1), ("2024-01-08T10:00:01Z", 2)])
def test_events_exactly_gap_apart_stay_in_one_journey(second: str, journeys: int) -> None:
    """A new journey starts where *more than* gap passes: 7 days apart is one, 7 days and 1 s is two."""
    events = _events(
        event_id=["1", "2"], customer_id=["ann", "ann"], actor=["customer", "customer"], timestamp=["2024-01-01T10:00Z", second]
    )
    assert len(jm.build_journeys(events, by="customer", gap="7D")) == journeys


# ---- read_xes


def test_read_xes_orders_tied_events_by_the_logs_own_step(tmp_path: Path) -> None:
    """Another tool lists two events stamped 10:05 in the other order: the log's step puts them back."""
    events = _events(
        event_id=["1", "2", "3"],
        customer_id=["ann"] * 3,
        actor=["customer", "agent", "customer"],
        timestamp=["2024-01-01T10:00Z", "2024-01-01T10:05Z", "2024-01-01T10:05Z"],
        in_reply_to=[None, "1", "2"],
        text=["parcel late", "sorry, on it", "thanks"],
    )
    js = jm.build_journeys(events)
    frame = jm.to_pm4py(js).iloc[[0, 2, 1]]
    back = jm.read_xes(_xes_as_pm4py_writes(frame, tmp_path / "tied.xes"))
    columns = ["event_id", "step", "stage"]
    assert _cells(back.events, columns) == _cells(js.events, columns)
    assert _cells(back.events, columns) == [["1", "1", "contact"], ["2", "2", "first_response"], ["3", "3", "resolution"]]


def test_read_xes_reads_a_journey_over_two_threads_as_by_customer(tmp_path: Path) -> None:
    events = _events(
        event_id=["1", "2", "3", "4"],
        customer_id=["ann"] * 4,
        actor=["customer", "agent"] * 2,
        timestamp=["2024-01-01T10:00Z", "2024-01-01T10:05Z", "2024-01-02T10:00Z", "2024-01-02T10:05Z"],
        thread_id=["t1", "t1", "t2", "t2"],
        in_reply_to=[None, "1", None, "3"],
    )
    js = jm.build_journeys(events, by="customer")
    assert (js.by, len(js)) == ("customer", 1)
    back = jm.read_xes(_xes_as_pm4py_writes(jm.to_pm4py(js), tmp_path / "customer.xes"))
    assert (back.by, len(back)) == ("customer", 1)


def test_read_xes_puts_another_tools_trace_in_time_order(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "case:concept:name": ["c1", "c1", "c1"],
            "concept:name": ["approve", "register", "check"],
            "time:timestamp": pd.to_datetime(["2024-01-01T12:00Z", "2024-01-01T10:00Z", "2024-01-01T11:00Z"]),
            "org:resource": ["Bob", "Ann", "Cy"],
        }
    )
    back = jm.read_xes(_xes_as_pm4py_writes(frame, tmp_path / "other.xes"))
    assert back.events["step"].tolist() == [1, 2, 3]
    assert back.events["touchpoint"].tolist() == ["register", "check", "approve"]
    assert back.events["timestamp"].is_monotonic_increasing
