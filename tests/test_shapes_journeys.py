"""Journeys from helpdesk and live-chat shapes: same-second ties and the service stages.

Found by a review with non-Twitter data (ticket and chat exports, one-second timestamps):
events at the same second were ordered by ``event_id`` compared as text ("10" before "9"),
and the default stage model took any first brand step, a bot's greeting included, as
``first_response``.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import journeymap as jm
from journeymap.journeys._table import id_ranks

if TYPE_CHECKING:
    import random
    from pathlib import Path

T0 = pd.Timestamp("2024-03-04 14:00:05", tz="UTC")
COLUMNS = ["event_id", "thread_id", "customer_id", "actor", "timestamp", "text"]


def events(rows: list[tuple[object, ...]], columns: list[str] = COLUMNS) -> jm.EventLog:
    return jm.read_events(pd.DataFrame(rows, columns=columns))


def at(seconds: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(seconds=seconds)


# --------------------------------------------------------------------------- ties: id order


def test_same_second_numeric_ids_order_as_numbers() -> None:
    """The review's repro: message 9 and the agent's answer 10 share a second; 10 is no longer step 1."""
    log = events(
        [
            (9, "c1", "v1", "customer", at(0), "My card payment was declined"),
            (10, "c1", "v1", "agent", at(0), "Hi, Sam here - let me check that for you now."),
            (11, "c1", "v1", "customer", at(115), "thanks"),
        ]
    )
    js = jm.build_journeys(log)
    assert js.events["event_id"].tolist() == ["9", "10", "11"]
    assert js.events["journey_id"].unique().tolist() == ["9"]
    assert js.events["stage"].tolist() == ["contact", "first_response", "resolution"]
    rt = jm.response_times(js)
    assert rt.index.tolist() == ["9"]
    assert rt.loc["9", "first_response"] == pd.Timedelta(0)
    assert not rt.loc["9", "censored"]


@pytest.mark.parametrize(
    ("customer", "agent"),
    [
        ("9", "10"),
        ("99", "100"),
        ("999999", "1000000"),
        # tweet ids across a power of ten, and ids longer than int64 holds
        ("999999999999999999", "1000000000000000000"),
        ("99999999999999999999", "100000000000000000000"),
        ("7", "08"),  # leading zeros: compared by value
    ],
)
@pytest.mark.parametrize("by", ["thread", "customer"])
def test_numeric_ids_compare_by_value_at_any_length(customer: str, agent: str, by: str) -> None:
    log = events([(agent, "t", "k", "agent", at(0), "on it"), (customer, "t", "k", "customer", at(0), "help")])
    js = jm.build_journeys(log, by=by)  # type: ignore[arg-type]
    assert js.events["event_id"].tolist() == [customer, agent]
    assert js.events["journey_id"].tolist() == [customer, customer]


def test_a_same_second_reply_comes_after_its_parent_whatever_the_ids() -> None:
    """in_reply_to comes first: the reply "1" answers "2" at the same second and follows it."""
    log = events(
        [("1", "c", "agent", at(0), "2"), ("2", "c", "customer", at(0), None), ("3", "c", "customer", at(0), "1")],
        columns=["event_id", "customer_id", "actor", "timestamp", "in_reply_to"],
    )
    js = jm.build_journeys(log)
    assert js.events["event_id"].tolist() == ["2", "1", "3"]
    assert js.events["journey_id"].iloc[0] == "2"


def test_text_ids_keep_text_order_and_come_after_numbers() -> None:
    log = events(
        [
            ("b", "t", "k", "customer", at(0), "x"),
            ("a", "t", "k", "agent", at(0), "x"),
            ("10", "t", "k", "agent", at(0), "x"),
            ("9", "t", "k", "customer", at(0), "x"),
        ]
    )
    js = jm.build_journeys(log)
    assert js.events["event_id"].tolist() == ["9", "10", "a", "b"]


def test_journeys_starting_at_the_same_second_are_ordered_by_numeric_id() -> None:
    log = events([(10, "t10", "k1", "customer", at(0), "x"), (9, "t9", "k2", "customer", at(0), "y")])
    js = jm.build_journeys(log)
    assert js.journeys.index.tolist() == ["9", "10"]
    assert js.events["journey_id"].tolist() == ["9", "10"]


def test_the_thread_first_customer_at_the_same_second_follows_id_order() -> None:
    """A brand message that answers nothing goes to the thread's first customer: 9, not 10."""
    log = events(
        [
            (10, "t", "k10", "customer", at(0), "x"),
            (9, "t", "k9", "customer", at(0), "y"),
            (11, "t", "brand", "agent", at(5), "z"),
        ]
    )
    js = jm.build_journeys(log)
    assert js.events.set_index("event_id").loc["11", "customer_id"] == "k9"


def test_journeys_read_back_in_the_order_built(tmp_path: Path) -> None:
    """read_journeys sorts journeys as the build does: numeric ids by value."""
    log = events([(10, "t10", "k1", "customer", at(0), "x"), (9, "t9", "k2", "customer", at(0), "y")])
    js = jm.build_journeys(log)
    path = js.to_parquet(tmp_path / "js.parquet")
    again = jm.read_journeys(path)
    assert again.journeys.index.tolist() == ["9", "10"]


ids = st.one_of(
    st.integers(0, 10**22).map(str),
    st.integers(0, 999).map(lambda i: f"{i:04d}"),
    st.text("ab09", min_size=1, max_size=3),
)


@given(st.lists(ids, min_size=1, max_size=30, unique=True), st.randoms(use_true_random=False))
def test_id_order_depends_on_the_two_ids_alone(values: list[str], rnd: random.Random) -> None:
    """Ranks of any subset order it as the ranks of the whole: partitions agree with one machine."""
    whole = id_ranks(pd.Series(values, dtype="string"))
    subset = [i for i in range(len(values)) if rnd.random() < 0.5]
    part = id_ranks(pd.Series([values[i] for i in subset], dtype="string"))
    assert sorted(subset, key=lambda i: whole[i]) == [subset[j] for j in np.argsort(part, kind="stable")]

    def key(v: str) -> tuple[int, int, str]:
        return (0, int(v), v) if v.isascii() and v.isdigit() else (1, 0, v)

    expected = sorted(range(len(values)), key=lambda i: key(values[i]))
    assert [int(whole[i]) for i in expected] == list(range(len(values)))


# --------------------------------------------------------------------------- the cluster agrees

dd = pytest.importorskip("dask.dataframe")
import journeymap.distributed as jmd  # noqa: E402


@st.composite
def same_second_exports(draw: st.DrawFn) -> pd.DataFrame:
    """Helpdesk-like rows: numeric ids across powers of ten, a few seconds (many ties), a few
    tickets and customers, sometimes replies, rows in any order."""
    n = draw(st.integers(1, 25))
    numbers = draw(st.lists(st.integers(0, 10**19), min_size=n, max_size=n, unique=True))
    rows = []
    for i, number in enumerate(numbers):
        parent = numbers[draw(st.integers(0, i - 1))] if i and draw(st.booleans()) else None
        rows.append(
            {
                "event_id": str(number),
                "thread_id": draw(st.sampled_from(["t1", "t2", "t3"])),
                "customer_id": draw(st.sampled_from(["k1", "k2"])),
                "actor": draw(st.sampled_from(["customer", "agent", "bot", "system"])),
                "timestamp": T0 + pd.Timedelta(seconds=draw(st.integers(0, 2))),
                "text": f"message {i}",
                "in_reply_to": None if parent is None else str(parent),
            }
        )
    frame = pd.DataFrame(rows)
    if not draw(st.booleans()):
        frame = frame.drop(columns="in_reply_to")
    order = draw(st.permutations(range(n)))
    return frame.iloc[list(order)].reset_index(drop=True)


@settings(max_examples=20, deadline=None)
@given(same_second_exports(), st.integers(1, 3), st.sampled_from(["thread", "customer"]))
def test_cluster_and_memory_break_ties_alike(frame: pd.DataFrame, npartitions: int, by: str) -> None:
    log = jm.read_events(frame)
    single = jm.build_journeys(log, by=by)  # type: ignore[arg-type]
    got = jmd.build_journeys(jmd.from_pandas(log, npartitions=npartitions), by=by).compute()  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(got.events, single.events)
    pd.testing.assert_frame_equal(got.journeys, single.journeys)


@pytest.mark.parametrize(("first", "second"), [("9", "10"), ("99", "100"), ("999999999999999999", "1000000000000000000")])
@pytest.mark.parametrize("by", ["thread", "customer"])
def test_cluster_orders_same_second_journeys_and_steps_by_value(first: str, second: str, by: str) -> None:
    log = events(
        [
            (second, "t1", "k1", "agent", at(0), "on it"),
            (first, "t1", "k1", "customer", at(0), "help"),
            (second + "0", "t2", "k2", "customer", at(0), "x"),
            (first + "0", "t3", "k3", "customer", at(0), "y"),
        ]
    )
    single = jm.build_journeys(log, by=by)  # type: ignore[arg-type]
    got = jmd.build_journeys(jmd.from_pandas(log, npartitions=2), by=by, npartitions=3).compute()  # type: ignore[arg-type]
    assert single.events["event_id"].tolist() == [first, second, first + "0", second + "0"]
    pd.testing.assert_frame_equal(got.events, single.events)
    pd.testing.assert_frame_equal(got.journeys, single.journeys)


# --------------------------------------------------------------------------- service stages

GREET = "Hi! I'm Penny, the virtual assistant. How can I help you today?"


def stages_of(rows: list[tuple[object, ...]]) -> list[str]:
    js = jm.build_journeys(events(rows))
    return js.events["stage"].astype(str).tolist()


def test_a_bot_greeting_before_the_customer_writes_is_contact() -> None:
    """The review's chat: bot greeting, customer, agent's real answer, thanks."""
    got = stages_of(
        [
            (1, "c1", "v1", "bot", at(0), GREET),
            (2, "c1", "v1", "customer", at(20), "My transfer was rejected"),
            (3, "c1", "v1", "agent", at(260), "Sorry, it's released now."),
            (4, "c1", "v1", "customer", at(300), "thanks"),
        ]
    )
    assert got == ["contact", "contact", "first_response", "resolution"]


@pytest.mark.parametrize("automatic", ["bot", "system"])
def test_a_ticket_answered_only_automatically_has_no_first_response(automatic: str) -> None:
    got = stages_of(
        [
            (1, "t2", "v2", "customer", at(0), "I lost my card"),
            (2, "t2", "v2", automatic, at(3), "We received your request #2; an agent will reply within 24 hours."),
        ]
    )
    assert got == ["contact", "contact"]


@pytest.mark.parametrize("automatic", ["bot", "system"])
def test_the_first_human_reply_after_an_acknowledgement_is_the_first_response(automatic: str) -> None:
    got = stages_of(
        [
            (1, "t", "v", "customer", at(0), "I lost my card"),
            (2, "t", "v", automatic, at(3), "We received your request."),
            (3, "t", "v", "customer", at(60), "hello??"),
            (4, "t", "v", "agent", at(600), "Card blocked, a new one is on its way."),
            (5, "t", "v", automatic, at(601), "Ticket status: solved."),
            (6, "t", "v", "customer", at(700), "great"),
        ]
    )
    assert got == ["contact", "contact", "contact", "first_response", "follow_up", "resolution"]


def test_an_agent_message_before_the_customer_writes_is_contact() -> None:
    """An outbound message is no reply: the agent's answer to the customer is the first response."""
    got = stages_of(
        [
            (1, "t", "v", "agent", at(0), "Your parcel is delayed."),
            (2, "t", "v", "customer", at(60), "When will it come?"),
            (3, "t", "v", "agent", at(120), "Tomorrow."),
        ]
    )
    assert got == ["contact", "contact", "first_response"]


def test_a_brand_broadcast_alone_stays_in_contact() -> None:
    assert stages_of([(1, "t", "brand", "agent", at(0), "We are down for maintenance.")]) == ["contact"]


def test_a_first_response_that_is_the_last_step_stays_first_response() -> None:
    got = stages_of([(1, "t", "v", "customer", at(0), "help"), (2, "t", "v", "agent", at(5), "done")])
    assert got == ["contact", "first_response"]


@st.composite
def chat_threads(draw: st.DrawFn) -> pd.DataFrame:
    """Threads of customers, agents and bots, with ties in time."""
    rows = []
    counter = itertools.count()
    for thread in range(draw(st.integers(1, 4))):
        for _ in range(draw(st.integers(1, 6))):
            i = next(counter)
            rows.append(
                {
                    "event_id": str(i),
                    "thread_id": f"t{thread}",
                    "customer_id": f"k{thread}",
                    "actor": draw(st.sampled_from(["customer", "agent", "bot"])),
                    "timestamp": T0 + pd.Timedelta(seconds=draw(st.integers(0, 300))),
                    "text": f"message number {i}",
                }
            )
    return pd.DataFrame(rows)


#: Automatic replies told by the actor alone, as the stages tell them (no repeated-text rule).
BY_ACTOR = jm.AutoReplyRule(min_repeats=10**9)


@given(chat_threads())
@pytest.mark.filterwarnings("ignore:.*the data holds customer messages only:UserWarning")  # customer messages alone, on purpose
def test_the_first_response_stage_is_the_reply_response_times_times(frame: pd.DataFrame) -> None:
    js = jm.build_journeys(jm.read_events(frame))
    rt = jm.response_times(js, auto=BY_ACTOR)
    e = js.events
    for journey_id, steps in e.groupby("journey_id", sort=False):
        marked = steps[steps["stage"] == "first_response"]
        assert len(marked) <= 1
        expected = rt.loc[journey_id, "first_response"]
        if pd.isna(expected):
            assert marked.empty
            assert (steps["stage"] == "contact").all()
        else:
            first_message = steps.loc[steps["actor"] == "customer", "timestamp"].iloc[0]
            assert marked["timestamp"].iloc[0] - first_message == expected
            assert (steps["stage"].iloc[: steps.index.get_loc(marked.index[0])] == "contact").all()
    flagged = jm.reply_table(js, auto=BY_ACTOR)["first_response"]
    assert sorted(flagged[flagged].index) == sorted(e.loc[e["stage"] == "first_response", "event_id"])


def test_a_journey_opened_by_a_reply_to_a_message_outside_the_data_starts_with_its_first_response() -> None:
    """A slice of a corpus: the brand answers a tweet that is not in the data. That reply is the
    first response to the customer's first contact (its time unknown: response_times times none);
    the customer's next message is a follow-up, and the brand's reply to it no first response.
    The stage and reply_table's flags say the same (review 18)."""
    log = events(
        [
            ("2", "k", "agent", at(0), "1"),  # answers "1", which is not in the data
            ("3", "k", "customer", at(60), "2"),
            ("4", "k", "agent", at(120), "3"),
        ],
        columns=["event_id", "customer_id", "actor", "timestamp", "in_reply_to"],
    )
    js = jm.build_journeys(log)
    assert js.events["stage"].astype(str).tolist() == ["first_response", "follow_up", "resolution"]
    replies = jm.reply_table(js)
    assert replies.index[replies["first_response"]].tolist() == ["2"]
    assert replies.index[replies["first_acknowledgement"]].tolist() == ["2"]
    assert pd.isna(replies.loc["2", "wait"])
    times = jm.response_times(js)
    assert bool(times.loc["2", "opened_outside"]) and pd.isna(times.loc["2", "first_response"])


def test_a_reply_to_a_later_stamped_message_of_its_journey_does_not_open_outside() -> None:
    """The brand's reply stamped before the message it answers (clock skew) answers a message in
    the data: it follows that message, which is the contact, as in any journey."""
    log = events(
        [
            ("2", "k", "agent", at(0), "3"),  # answers "3", in the data, stamped later
            ("3", "k", "customer", at(60), None),
            ("4", "k", "agent", at(120), "3"),
        ],
        columns=["event_id", "customer_id", "actor", "timestamp", "in_reply_to"],
    )
    js = jm.build_journeys(log)
    assert js.events["event_id"].tolist() == ["3", "2", "4"]
    assert js.events["stage"].astype(str).tolist() == ["contact", "first_response", "resolution"]
    assert not bool(jm.response_times(js)["opened_outside"].iloc[0])


def test_twcs_first_response_stages_are_reply_table_flags() -> None:
    from tests.conftest import TWCS_SAMPLE

    if not TWCS_SAMPLE.exists():
        pytest.skip("the TWCS sample is not in ../shared/data")
    js = jm.build_journeys(jm.read_twcs(TWCS_SAMPLE))
    flagged = jm.reply_table(js)["first_response"]
    staged = js.events.loc[js.events["stage"] == "first_response", "event_id"]
    assert sorted(flagged[flagged].index) == sorted(staged)
    # the two journeys that open outside the data: the first response is the reply to the message
    # outside (untimed), not the reply to the customer's follow-up
    opened = jm.response_times(js)["opened_outside"]
    assert sorted(opened.index[opened]) == ["119246", "119332"]
    assert {"119246", "119332"} <= set(staged) and not {"119240", "119335"} & set(staged)
    # journeys the brand answered in person end in resolution or their first response
    for _, steps in js.events.groupby("journey_id", sort=False):
        stages = steps["stage"].astype(str).tolist()
        if "first_response" in stages:
            assert stages[-1] in {"first_response", "resolution"}
        else:
            assert set(stages) == {"contact"}
