from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import journeymap as jm
from journeymap import JourneySet, SchemaError, StageModel, build_journeys, read_events
from journeymap.testing.strategies import event_frames


def events(rows: list[tuple]) -> pd.DataFrame:
    cols = ["event_id", "customer_id", "timestamp", "actor", "touchpoint", "thread_id", "in_reply_to"]
    return pd.DataFrame(rows, columns=cols[: len(rows[0])])


def test_by_thread_orders_steps_and_breaks_ties_by_reply_order() -> None:
    df = events(
        [
            ("b", "c1", "2024-01-01T10:00:00Z", "agent", "web", "t1", "a"),
            ("a", "c1", "2024-01-01T10:00:00Z", "customer", "web", "t1", None),  # same second as its reply
            ("x", "c2", "2024-01-01T09:00:00Z", "customer", "web", "t2", None),
            ("c", "c1", "2024-01-01T11:00:00Z", "customer", "web", "t1", "b"),
        ]
    )
    js = build_journeys(read_events(df))
    assert js.journey_ids == ["x", "a"]  # journeys ordered by start; id = first event's id
    assert js.events["event_id"].tolist() == ["x", "a", "b", "c"]
    assert js.events["step"].tolist() == [1, 1, 2, 3]
    assert js.events.index.tolist() == [2, 1, 0, 3]  # input row numbers kept
    assert js.journeys.loc["a", "n_steps"] == 3
    assert js["a"].interactions[1].event_id == "b"
    assert [j.journey_id for j in js] == ["x", "a"]
    with pytest.raises(KeyError, match="no journey 'zz'"):
        js["zz"]


def test_threads_from_reply_structure_when_no_thread_id() -> None:
    df = events(
        [
            ("a", "c1", "2024-01-01T10:00:00Z", "customer", "web"),
            ("b", "c1", "2024-01-01T10:05:00Z", "agent", "web"),
        ]
    )
    df["in_reply_to"] = [None, "a"]
    assert len(build_journeys(read_events(df))) == 1
    with pytest.raises(SchemaError, match="by='thread' needs a thread_id or in_reply_to"):
        build_journeys(read_events(df.drop(columns="in_reply_to")))


def test_by_customer_splits_on_the_gap() -> None:
    df = events(
        [
            ("1", "c1", "2024-01-01T00:00:00Z", "customer", "web"),
            ("2", "c1", "2024-01-03T00:00:00Z", "customer", "web"),
            ("3", "c1", "2024-01-20T00:00:00Z", "customer", "web"),
            ("4", "c2", "2024-01-02T00:00:00Z", "customer", "web"),
        ]
    )
    log = read_events(df)
    js = build_journeys(log, by="customer", gap="7D")
    assert js.journey_ids == ["1", "4", "3"]
    assert js.journeys["n_steps"].tolist() == [2, 1, 1]
    assert len(build_journeys(log, by="customer", gap="30D")) == 2
    with pytest.raises(ValueError, match="gap must be a positive duration"):
        build_journeys(log, by="customer", gap="0s")
    with pytest.raises(ValueError, match="by must be 'thread' or 'customer'"):
        build_journeys(log, by="session")  # type: ignore[arg-type]


def test_service_stages() -> None:
    df = events(
        [
            ("1", "c", "2024-01-01T00:00:00Z", "customer", "web", "t"),
            ("2", "c", "2024-01-01T00:01:00Z", "customer", "web", "t"),
            ("3", "c", "2024-01-01T00:02:00Z", "agent", "web", "t"),
            ("4", "c", "2024-01-01T00:03:00Z", "customer", "web", "t"),
            ("5", "c", "2024-01-01T00:04:00Z", "agent", "web", "t"),
            ("6", "d", "2024-01-01T00:00:00Z", "customer", "web", "u"),
            ("7", "d", "2024-01-01T00:09:00Z", "customer", "web", "u"),
        ]
    )
    js = build_journeys(read_events(df))
    stage = dict(zip(js.events["event_id"], js.events["stage"].astype(str)))
    assert stage == {
        "1": "contact",
        "2": "contact",
        "3": "first_response",
        "4": "follow_up",
        "5": "resolution",
        "6": "contact",
        "7": "contact",
    }
    assert js.events["stage"].cat.ordered
    assert list(js.events["stage"].cat.categories) == list(StageModel.service().names)


def test_touchpoint_and_column_stage_models() -> None:
    df = events(
        [
            ("1", "c", "2024-01-01T00:00:00Z", "customer", "ad", "t"),
            ("2", "c", "2024-01-01T00:01:00Z", "customer", "checkout", "t"),
            ("3", "c", "2024-01-01T00:02:00Z", "customer", "survey", "t"),
        ]
    )
    log = read_events(df)
    js = build_journeys(log, stages={"ad": "awareness", "checkout": "purchase", "survey": "loyalty"})
    assert js.events["stage"].astype(str).tolist() == ["awareness", "purchase", "loyalty"]
    with pytest.raises(SchemaError, match=r"touchpoints without a stage .*\['survey'\]"):
        build_journeys(log, stages={"ad": "awareness", "checkout": "purchase"})
    model = StageModel.from_touchpoints({"ad": "awareness"}, default_stage="other")
    assert build_journeys(log, stages=model).events["stage"].astype(str).tolist() == ["awareness", "other", "other"]
    df["stage"] = ["x", "y", "x"]
    js = build_journeys(read_events(df), stages=StageModel.from_column("stage", ["y", "x"]))
    assert js.events["stage"].astype(str).tolist() == ["x", "y", "x"]
    assert js.events["stage"].min() == "y"
    with pytest.raises(SchemaError, match="holds stage names not in the StageModel"):
        build_journeys(read_events(df), stages=StageModel.from_column("stage", ["y"]))


def _step_times(events: pd.DataFrame) -> pd.Series:
    """Each event's time, raised to its latest ancestor's (a reply never steps before its message)."""
    stamp = dict(zip(events["event_id"], events["timestamp"], strict=True))
    parent = dict(zip(events["event_id"], events["in_reply_to"], strict=True)) if "in_reply_to" in events else {}

    def raised(eid: str, seen: frozenset[str]) -> pd.Timestamp:
        up = parent.get(eid)
        if pd.isna(up) or up not in stamp or up in seen or up == eid:
            return stamp[eid]
        above = raised(up, seen | {eid})
        return max(stamp[eid], above)

    ids = list(events["event_id"])
    cyclic = set()
    for eid in ids:  # rows in, or leading into, a reply cycle keep their own stamp
        seen, cur = set(), eid
        while cur in parent and not pd.isna(parent[cur]) and parent[cur] in stamp:
            if cur in seen:
                cyclic.add(eid)
                break
            seen.add(cur)
            cur = parent[cur]
    return pd.Series([stamp[e] if e in cyclic else raised(e, frozenset()) for e in ids], index=events.index)


def _check_set(js: JourneySet, n: int) -> None:
    assert len(js.events) == n
    assert js.journeys["n_steps"].sum() == n
    step_times = _step_times(js.events)
    for _, group in js.events.groupby("journey_id", sort=False):
        assert step_times[group.index].is_monotonic_increasing
        assert group["step"].tolist() == list(range(1, len(group) + 1))


@pytest.mark.filterwarnings("ignore:build_journeys replaced the input:UserWarning")  # the frames carry a random stage
@given(event_frames(), st.sampled_from(["thread", "customer"]), st.randoms(use_true_random=False))
def test_properties(frame: pd.DataFrame, by: str, rnd) -> None:
    log = read_events(frame)
    js = build_journeys(log, by=by, gap="2D")  # type: ignore[arg-type]
    _check_set(js, len(frame))  # no row lost, steps in time order
    # Deterministic: the same events in another row order give the same journeys.
    order = list(range(len(frame)))
    rnd.shuffle(order)
    again = build_journeys(read_events(frame.iloc[order].reset_index(drop=True)), by=by, gap="2D")  # type: ignore[arg-type]
    cols = ["event_id", "journey_id", "step", "stage"]
    pd.testing.assert_frame_equal(js.events[cols].reset_index(drop=True), again.events[cols].reset_index(drop=True))
    pd.testing.assert_frame_equal(js.journeys, again.journeys)


def test_a_brand_reply_to_a_brand_post_goes_to_the_same_customer_in_any_row_order() -> None:
    # Found by test_properties: a brand message from an account that is none of the thread's
    # customers, answering the brand's own post, goes to the thread's first customer; with two
    # customers writing at the same second that was whichever came first in the input.
    t = "2024-01-01T00:00:00Z"
    rows = [
        ("p1", "a", t, "agent", "x", None, None),  # the brand's post, filed under customer a
        ("r2", "a", t, "customer", "x", None, "p1"),
        ("r3", "c", t, "customer", "x", None, "p1"),
        ("r4", "b", t, "agent", "x", None, "p1"),  # another brand account answers the post
    ]
    for order in ([0, 1, 2, 3], [0, 2, 1, 3], [3, 2, 0, 1]):
        js = build_journeys(read_events(events([rows[i] for i in order])))
        owner = dict(zip(js.events["event_id"], js.events["customer_id"]))
        assert owner == {"p1": "a", "r2": "a", "r3": "c", "r4": "a"}, order  # r2 < r3: customer a
        assert sorted(js.journey_ids) == ["p1", "r3"]


def test_customer_attributes_are_the_constant_columns() -> None:
    df = events(
        [
            ("1", "c", "2024-01-01T00:00:00Z", "customer", "web", "t"),
            ("2", "c", "2024-01-01T00:01:00Z", "agent", "web", "t"),
            ("3", "c", "2024-01-01T00:02:00Z", "customer", "web", "t"),
        ]
    )
    df["tier"] = ["free", "brand-side", "free"]
    df["mood"] = ["bad", None, "good"]
    journey = build_journeys(read_events(df))["1"]
    assert journey.customer.attributes == {"tier": "free"}
    assert journey.interactions[2].attributes == {"tier": "free", "mood": "good"}


def test_a_reply_stamped_before_its_message_comes_after_it(caplog: pytest.LogCaptureFixture) -> None:
    t0 = pd.Timestamp("2017-10-11 06:00", tz="UTC")
    frame = pd.DataFrame(
        {
            "event_id": ["c1", "b1", "c2", "b2", "c3"],
            "customer_id": ["u", "u", "u", "u", "v"],  # brand replies belong to the customer they answer
            "actor": ["customer", "agent", "customer", "agent", "customer"],
            # b1 answers c1 but its clock is 30 s behind; c3 is another thread at the same minute
            "timestamp": [t0, t0 - pd.Timedelta(seconds=30), t0 + pd.Timedelta(minutes=5), t0 + pd.Timedelta(minutes=9), t0],
            "in_reply_to": [None, "c1", "b1", "c2", None],
            "text": ["broken", "sorry", "still broken", "try this", "hello"],
        }
    )
    with caplog.at_level("INFO", logger="journeymap.journeys._build"):
        js = jm.build_journeys(jm.read_events(frame))
    assert "1 reply is stamped before the message they answer (clock skew, up to 30 s)" in caplog.text
    first = js.events[js.events["journey_id"] == "c1"]
    assert list(first["event_id"]) == ["c1", "b1", "c2", "b2"] and list(first["step"]) == [1, 2, 3, 4]
    assert first.loc[first["event_id"] == "b1", "timestamp"].iloc[0] == t0 - pd.Timedelta(seconds=30)  # stamp kept
    rt = jm.response_times(js).loc["c1"]
    assert rt["first_response"] == pd.Timedelta(0) and rt["unanswered"] == 0 and not rt["censored"]
    assert (jm.reply_waits(js)["wait"].dropna() >= pd.Timedelta(0)).all()
    by_customer = jm.build_journeys(jm.read_events(frame), by="customer")
    assert list(by_customer.events.loc[by_customer.events["customer_id"] == "u", "event_id"]) == ["c1", "b1", "c2", "b2"]


def test_a_journey_with_a_skewed_reply_can_be_iterated_and_checks_its_steps() -> None:
    from datetime import datetime, timedelta, timezone

    from journeymap.model import Customer, Interaction, Journey

    t0 = pd.Timestamp("2017-10-11 06:00", tz="UTC")
    frame = pd.DataFrame(
        {
            "event_id": ["c1", "b1"],
            "customer_id": ["u", "u"],
            "actor": ["customer", "agent"],
            "timestamp": [t0, t0 - pd.Timedelta(seconds=30)],
            "in_reply_to": [None, "c1"],
        }
    )
    journey = next(iter(jm.build_journeys(jm.read_events(frame))))  # raised "not in time order" before
    assert [i.event_id for i in journey.interactions] == ["c1", "b1"] and journey.duration == timedelta(seconds=30)
    t = datetime(2024, 1, 1, tzinfo=timezone.utc)
    one = Interaction(event_id="e1", customer_id="c", timestamp=t, actor="customer", step=1)
    with pytest.raises(ValueError, match="appears twice"):
        Journey(journey_id="j", customer=Customer(id="c"), interactions=(one, one.model_copy(update={"step": 2})))
    with pytest.raises(ValueError, match="steps must rise"):
        Journey(journey_id="j", customer=Customer(id="c"), interactions=(one, one.model_copy(update={"event_id": "e2"})))
    late = one.model_copy(update={"event_id": "e0", "timestamp": t - timedelta(minutes=1), "step": 2})
    with pytest.raises(ValueError, match="time order"):
        Journey(journey_id="j", customer=Customer(id="c"), interactions=(one, late))
