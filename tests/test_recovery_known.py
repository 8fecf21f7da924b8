"""Recovery is measured where the data can tell: a negative moment, a reply, and the customer's word after it.

From a hand audit of the TWCS sample: 8 of Apple's 10 negative journeys were one complaint and a
"DM us" with nothing after it, which every recovery rate counted as failures (Apple 1 of 10,
where 1 of the 2 it can be told for recovered), and the agent league credited an agent whose
"You're welcome!" came after the customer's happy end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeymap as jm

from .test_metrics_review import hand_made


def _journeys(plan: list[tuple[str, list[float | None], list[str]]]) -> jm.JourneySet:
    """One journey per entry: (tier, valences, actors), customer c<n>, 10 minutes apart."""
    frames = []
    for n, (tier, valence, actors) in enumerate(plan):
        frames.append(
            pd.DataFrame(
                {
                    "event_id": [f"{n}-{i}" for i in range(len(valence))],
                    "customer_id": f"c{n}",
                    "timestamp": pd.date_range("2024-01-01", periods=len(valence), freq="10min", tz="UTC"),
                    "actor": actors,
                    "text": [f"message {i}" for i in range(len(valence))],
                    "valence": valence,
                    "tier": tier,
                    "agent_id": [f"brand/{tier}{i}" if a == "agent" else None for i, a in enumerate(actors)],
                    "brand": "brand",
                }
            )
        )
    return jm.build_journeys(pd.concat(frames, ignore_index=True), by="customer")


CUSTOMER_AGENT = ["customer", "agent", "customer"]


Row = tuple[str, str | None, str | None, float | None, str | None]


def _one_customer(rows: list[Row], **columns: list[object]) -> jm.JourneySet:
    """(actor, thread_id, brand, valence, in_reply_to) rows of customer c, 10 minutes apart, journeys by customer."""
    frame = pd.DataFrame(rows, columns=["actor", "thread_id", "brand", "valence", "in_reply_to"])
    frame.insert(0, "event_id", [str(i + 1) for i in range(len(rows))])
    frame["customer_id"] = "c"
    frame["timestamp"] = pd.date_range("2024-01-01", periods=len(rows), freq="10min", tz="UTC")
    frame["text"] = [f"m{i}" for i in range(len(rows))]
    for name, values in columns.items():
        frame[name] = values
    return jm.build_journeys(frame, by="customer")


def test_a_customer_silent_after_the_reply_has_no_known_recovery() -> None:
    m = jm.journey_metrics(hand_made([-0.8, None]))  # a complaint, a reply, nothing after it
    assert m.iloc[0][["recovered", "recovery_known"]].tolist() == [False, False]
    m = jm.journey_metrics(hand_made([-0.8, None, -0.6]))  # still unhappy after the reply: known, not recovered
    assert m.iloc[0][["recovered", "recovery_known"]].tolist() == [False, True]
    m = jm.journey_metrics(hand_made([-0.8, None, 0.7]))
    assert m.iloc[0][["recovered", "recovery_known"]].tolist() == [True, True]
    m = jm.journey_metrics(hand_made([0.5, None, 0.7]))  # never negative: nothing to recover from
    assert m.iloc[0][["recovered", "recovery_known"]].tolist() == [False, False]
    # a reply after the customer's last word shows nothing: the customer's earlier recovery is all there is
    m = jm.journey_metrics(hand_made([-0.8, None, -0.5, None]))
    assert m.iloc[0][["recovered", "recovery_known"]].tolist() == [False, True]


def test_recovery_rates_leave_out_journeys_that_cannot_tell() -> None:
    plan = (
        [("A", [-0.8, None, 0.8], CUSTOMER_AGENT)]  # recovered
        + [("A", [-0.8, None], CUSTOMER_AGENT[:2])] * 4  # "DM us", then silence: unknown
        + [("B", [-0.8, None, -0.7], CUSTOMER_AGENT)] * 2  # not recovered
    )
    js = _journeys(plan)
    seg = jm.compare_segments(js, "tier", measure="recovered", min_size=1)
    assert seg.loc["A", "recovery_rate"] == 1.0 and seg.loc["B", "recovery_rate"] == 0.0  # A: before 0.2
    assert seg.loc["A", "diff_vs_rest"] == pytest.approx(1.0)
    variants = jm.journey_variants(js)  # no touchpoint column: the paths are of "unknown" steps
    assert np.isnan(variants.loc["unknown > unknown", "recovery_rate"])  # before: 0.0, four silent journeys
    assert variants.loc["unknown > unknown > unknown", "recovery_rate"] == pytest.approx(1 / 3)
    by_length = jm.journey_metrics(js).groupby(lambda j: js.journeys.loc[j, "n_steps"])["recovery_known"].sum()
    assert by_length.to_dict() == {2: 0, 3: 3}
    brands = jm.service_levels(js, by="brand", min_size=1)
    assert brands.loc["brand", "recovered"] == pytest.approx(1 / 3)  # before: 1 of 7


def test_the_agent_league_credits_the_reply_between_the_low_and_the_end() -> None:
    # c0: negative, AY's reply, positive, then CP's "you're welcome": AY's recovery, not CP's
    # c1: negative, then a reply from JO after the customer's last word: nothing for JO either way
    frame = pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4", "5", "6"],
            "customer_id": ["c0"] * 4 + ["c1"] * 2,
            "timestamp": pd.date_range("2024-01-01", periods=6, freq="10min", tz="UTC"),
            "actor": ["customer", "agent", "customer", "agent", "customer", "agent"],
            "text": ["it broke", "try this", "works, thanks!", "you're welcome", "still broken", "sorry"],
            "valence": [-0.8, None, 0.8, None, -0.7, None],
            "agent_id": [None, "b/AY", None, "b/CP", None, "b/JO"],
        }
    )
    js = jm.build_journeys(frame, by="customer")
    agents = jm.service_levels(js, by="agent", min_size=1)
    assert agents.loc["b/AY", "recovered"] == 1.0
    assert np.isnan(agents.loc["b/CP", "recovered"])  # before: 1.0, for a reply after the happy end
    assert np.isnan(agents.loc["b/JO", "recovered"])  # before: 0.0, for a reply no one answered
    assert agents.loc["b/CP", "journeys_replied"] == 1 and agents.loc["b/JO", "journeys_replied"] == 1


def test_graph_edges_into_a_brand_reply_carry_no_valence_change() -> None:
    # the TWCS sample's mention -> dm_request (15 transitions) read "valence change +0.00":
    # nothing is felt at a brand step, so the change is not known there, not zero
    rows: list[Row] = [
        ("customer", None, None, -0.8, None),
        ("agent", None, None, None, None),
        ("customer", None, None, 0.6, None),
    ]
    G = jm.journey_graph(_one_customer(rows, touchpoint=["mention", "public_reply", "follow_up"]))
    assert np.isnan(G.edges["mention", "public_reply"]["mean_valence_change"])  # before: 0.0
    assert G.edges["public_reply", "follow_up"]["mean_valence_change"] == pytest.approx(1.4)  # the reply's effect


def test_recovery_is_judged_within_each_conversation_of_a_journey_by_customer() -> None:
    # one customer, two threads with two brands (the by-customer review: a happy tweet to
    # Southwest made Chase's complaint a "recovery" and credited Chase with it)
    two: list[Row] = [
        ("customer", "T1", "Chase", -0.8, None), ("agent", "T1", "Chase", None, None),  # Chase's complaint, its reply,
        ("customer", "T2", "Southwest", 0.7, None), ("agent", "T2", "Southwest", None, None),  # then praise to Southwest
    ]  # fmt: skip
    js = _one_customer(two)
    m = jm.journey_metrics(js).iloc[0]
    assert (m["recovered"], m["recovery_known"]) == (False, False)  # before: True, True
    brands = jm.service_levels(js, by="brand", min_size=1)
    assert np.isnan(brands.loc["Chase", "recovered"]) and np.isnan(brands.loc["Southwest", "recovered"])
    # within one thread it still counts: Chase's complaint, its reply, and thanks there later
    js = _one_customer([*two, ("customer", "T1", "Chase", -0.5, None), ("customer", "T1", "Chase", 0.9, None)])
    m = jm.journey_metrics(js).iloc[0]
    assert (m["recovered"], m["recovery_known"]) == (True, True)
    assert m["time_to_recover"] == pd.Timedelta("50min")  # 00:00 -> 00:50, in Chase's thread
    brands = jm.service_levels(js, by="brand", min_size=1)
    assert brands.loc["Chase", "recovered"] == 1.0 and np.isnan(brands.loc["Southwest", "recovered"])


def test_a_conversation_left_waiting_is_a_drop_off_though_another_brand_answered_later() -> None:
    # by customer: Tesco's "Maybe hire colleagues who can see?" waits (triage's rank 1), then
    # British Airways answers the same customer in another thread; the journey ended on BA's reply
    js = _one_customer(
        [
            ("customer", "T1", "Tesco", -0.6, None), ("customer", "T2", "BA", -0.5, None), ("agent", "T2", "BA", None, None),
            ("customer", "T2", "BA", 0.0, None), ("agent", "T2", "BA", None, None),
        ]
    )  # fmt: skip
    assert jm.triage(js.with_events(js.events.assign(sentiment=None))).loc["1", "status"] == "waiting"
    variants = jm.journey_variants(js)
    assert variants["drop_off"].tolist() == [1.0]  # before: 0.0, the journey's last step is BA's


def test_the_mood_change_after_a_reply_pairs_messages_of_one_conversation() -> None:
    # by customer: a complaint to Chase, Chase's reply, then a new complaint to Comcast in another
    # thread: that is no effect of Chase's reply (the review: NaN by thread, -0.835 by customer)
    rows: list[Row] = [
        ("customer", "T1", "Chase", 0.2, None),
        ("agent", "T1", "Chase", None, None),
        ("customer", "T2", "Comcast", -0.7, None),
    ]
    rt = jm.response_times(_one_customer(rows))
    assert np.isnan(rt["valence_change_after_reply"].iloc[0])  # before: -0.9
    rt = jm.response_times(_one_customer([(a, "T1", "Chase", v, r) for a, _, _, v, r in rows]))  # one thread, one brand
    assert rt["valence_change_after_reply"].iloc[0] == pytest.approx(-0.9)


def test_rows_without_a_thread_and_replies_naming_a_message_join_its_conversation() -> None:
    # a review of the per-conversation reading: a thanks with no thread_id is in every conversation
    # of its journey, as triage reads it (it was a conversation of its own: no recovery, drop-off 1.0)
    thanks = ("customer", None, "A", 0.8, None)
    js = _one_customer([("customer", "T1", "A", -0.8, None), ("agent", "T1", "A", None, None), thanks])
    m = jm.journey_metrics(js).iloc[0]
    assert (m["recovered"], m["recovery_known"]) == (True, True)
    assert jm.response_times(js)["valence_change_after_reply"].iloc[0] == pytest.approx(1.6)
    js = _one_customer([("customer", "T1", "A", -0.6, None), ("agent", None, "A", None, None)])
    assert jm.journey_variants(js)["drop_off"].tolist() == [0.0]
    # brand B answers a message to brand A by naming it: that is its answer (response_times says so)
    js = _one_customer([("customer", "T", "A", -0.6, None), ("agent", "T", "B", None, "1")])
    assert jm.response_times(js)["first_response"].iloc[0] == pd.Timedelta("10min")
    assert jm.journey_variants(js)["drop_off"].tolist() == [0.0]
    js = _one_customer([("customer", "T", "A", -0.6, None), ("agent", "T", "B", None, "1"), ("customer", "T", "A", -0.4, None)])
    assert jm.journey_metrics(js)["recovery_known"].tolist() == [True]


def test_a_journey_with_a_recovered_and_a_lost_conversation_is_not_recovered() -> None:
    js = _one_customer(
        [
            ("customer", "TA", "A", -0.8, None), ("agent", "TA", "A", None, None), ("customer", "TA", "A", 0.8, None),
            ("customer", "TB", "B", -0.7, None), ("agent", "TB", "B", None, None), ("customer", "TB", "B", -0.9, None),
        ]
    )  # fmt: skip
    m = jm.journey_metrics(js).iloc[0]
    assert (m["recovered"], m["recovery_known"], m["end_sentiment"]) == (False, True, "negative")
    assert jm.journey_variants(js)[["recovery_rate", "drop_off"]].iloc[0].tolist() == [0.0, 1.0]
    brands = jm.service_levels(js, by="brand", min_size=1)
    assert brands.loc[["A", "B"], "recovered"].tolist() == [1.0, 0.0]  # each brand its own conversation


def test_the_service_league_reads_events_whose_index_repeats_labels() -> None:
    js = _one_customer(
        [("customer", "T1", "A", -0.8, None), ("agent", "T1", "A", None, None), ("customer", "T1", "A", 0.8, None),
         ("customer", "T2", "B", -0.6, None), ("agent", "T2", "B", None, None), ("customer", "T2", "B", 0.6, None)]
    )  # fmt: skip
    repeated = jm.JourneySet(js.events.set_axis([0] * len(js.events)), js.journeys, js.stages, by=js.by, taxonomy=js.taxonomy)
    expected = jm.service_levels(js, by="brand", min_size=1)
    got = jm.service_levels(repeated, by="brand", min_size=1)  # before: ValueError (length mismatch)
    pd.testing.assert_frame_equal(got, expected)
    assert expected["valence_change"].tolist() == pytest.approx([1.6, 1.2])


def test_the_league_counts_a_journey_for_every_brand_it_holds_a_conversation_with() -> None:
    # one customer, by customer: Tesco answers in 10 min, then BA in 20 min, then a second Tesco
    # thread answered in 30 min; Argos never answers anyone: its conversation is Argos', unanswered
    rows: list[Row] = [
        ("customer", "T1", "Tesco", -0.6, None), ("agent", "T1", "Tesco", None, "1"),
        ("customer", "T2", "BA", -0.5, None), ("customer", "T2", "BA", -0.5, None), ("agent", "T2", "BA", None, "3"),
        ("customer", "T3", "Tesco", -0.5, None), ("customer", "T3", "Tesco", -0.5, None),
        ("customer", "T3", "Tesco", -0.5, None), ("agent", "T3", "Tesco", None, "6"),
        ("customer", "T4", "Argos", -0.4, None),
    ]  # fmt: skip
    js = _one_customer(rows)
    brands = jm.service_levels(js, by="brand", min_size=1)
    # before: BA and Argos had no journey (all went to Tesco, which answered the opening message);
    # until 2026-12-06 Argos' went to "(no reply)", as if no brand had been written to
    assert "(no reply)" not in brands.index
    assert brands.loc[["Tesco", "BA", "Argos"], "journeys"].tolist() == [1, 1, 1]
    # each conversation with the first response to the first message sent in it, not to the
    # journey's opening: Tesco's two threads (10 and 30 min) both count since 2026-12-06
    assert brands.loc["Tesco", "first_response_median"] == pd.Timedelta("20min")
    assert brands.loc["BA", "first_response_median"] == pd.Timedelta("20min")
    assert pd.isna(brands.loc["Argos", "first_response_median"])
    assert brands.loc[["Tesco", "BA", "Argos"], "unanswered"].tolist() == [0.0, 0.0, 1.0]
    assert brands.loc[["Tesco", "BA"], "within_sla"].tolist() == [1.0, 1.0]
    # by agent the same: every conversation's first responder owns the journey once
    agents = jm.service_levels(js, by="agent", min_size=1)
    assert agents["journeys"].sum() == 3  # Tesco's agent, BA's agent, and Argos' "(no reply)"
    # a journey of one conversation is counted as response_times times it
    one = _one_customer(rows[:2])
    league = jm.service_levels(one, by="brand", min_size=1)
    assert league.loc["Tesco", "first_response_median"] == jm.response_times(one)["first_response"].iloc[0]
