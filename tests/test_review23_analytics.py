"""Tests that pin analytics rules the rv57 mutation review found unheld (mutants that survived every test).

Each test plants a few hand-written events (no model) and asserts the documented behaviour on an input where
the original code and the rv57 mutant named in the test's docstring give different answers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import journeymap as jm

T0 = pd.Timestamp("2024-01-01", tz="UTC")


def by_hand(
    rows: list[tuple[str, str, str, float, str]], valence: dict[str, float] | None = None, **extra: object
) -> jm.JourneySet:
    """Build journeys from (thread, actor, text, minutes, in_reply_to) rows; ``valence`` maps event ids to scores."""
    df = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "customer_id": [f"c-{r[0]}" for r in rows],
            "timestamp": [T0 + pd.Timedelta(minutes=r[3]) for r in rows],
            "actor": [r[1] for r in rows],
            "channel": "twitter",
            "touchpoint": "reply",
            "text": [r[2] for r in rows],
            "thread_id": [r[0] for r in rows],
            "in_reply_to": [r[4] or None for r in rows],
            "author_id": [("Brand" if r[1] != "customer" else f"c-{r[0]}") for r in rows],
            **extra,
        }
    )
    js = jm.build_journeys(jm.read_events(df))
    if valence is not None:
        e = js.events.copy()
        e["valence"] = e["event_id"].map(valence).astype("float64")
        e["emotion"] = pd.array(np.where(e["valence"].notna(), "joy", None), dtype="string")
        e["scorer"] = "hand"
        js = js.with_events(e)
    return js


# --- triage / response_times (service.py) -------------------------------------------------------------------


def test_triage_negativity_counts_only_negative_valence() -> None:
    """S04: a happy open message has negativity 0 (not |valence|) and ranks below an angry one."""
    js = by_hand(
        [
            ("a", "customer", "this is awful, my order never came", 0, ""),
            ("b", "customer", "love the new app, great job!", 0, ""),
            ("c", "customer", "hi", 0, ""),
            ("c", "agent", "hello", 1, "e2"),
        ],
        valence={"e0": -0.3, "e1": 0.9},
    )
    t = jm.triage(js)
    assert t.loc["e1", "negativity"] == 0.0
    assert t.loc["e0", "negativity"] == pytest.approx(0.3)
    assert list(t.index[:2]) == ["e0", "e1"]


@pytest.mark.filterwarnings("ignore")
def test_triage_equal_priority_ties_go_oldest_first() -> None:
    """S05: messages with equal priority are ranked by time, oldest first."""
    js = by_hand(
        [
            ("a", "customer", "refund please", 0, ""),
            ("a", "agent", "on it", 5, "e0"),
            ("b", "customer", "my bill is wrong", 60, ""),
            ("c", "customer", "my bill is wrong", 90, ""),
        ],
        valence={"e0": -0.5, "e2": -0.5, "e3": -0.5},
    )
    t = jm.triage(js, now=T0 + pd.Timedelta(minutes=30))
    assert t.loc["e2", "priority"] == t.loc["e3", "priority"]
    assert t.loc["e2", "rank"] < t.loc["e3", "rank"]


def test_triage_message_at_now_is_censored() -> None:
    """S06: a waiting message stamped exactly at ``now`` (the default: the latest event) is censored."""
    js = by_hand(
        [
            ("a", "customer", "my order is late", 0, ""),
            ("a", "agent", "sorry, it ships today", 10, "e0"),
            ("b", "customer", "still waiting for my refund", 20, ""),
        ],
        valence={"e0": -0.5, "e2": -0.6},
    )
    t = jm.triage(js)
    assert t.loc["e2", "status"] == "waiting"
    assert bool(t.loc["e2", "censored"])


@pytest.mark.filterwarnings("ignore")
def test_triage_reason_counts_all_waiting_messages() -> None:
    """S07: two waiting messages from one customer give the reason '2 messages waiting from this customer'."""
    js = by_hand(
        [
            ("a", "customer", "where is my parcel", 0, ""),
            ("a", "customer", "hello?? anyone", 30, ""),
            ("b", "customer", "hi", 0, ""),
            ("b", "agent", "hello", 1, "e2"),
        ],
        valence={"e0": -0.5, "e1": -0.6, "e2": 0.0},
    )
    t = jm.triage(js)
    for eid in ("e0", "e1"):
        assert "2 messages waiting from this customer" in t.loc[eid, "reason"]


@pytest.mark.filterwarnings("ignore")
def test_response_times_open_wait_after_now_is_zero_not_negative() -> None:
    """S15: a journey opened after ``now`` waits 0, never a negative duration."""
    js = by_hand(
        [("a", "customer", "refund please", 0, ""), ("a", "agent", "done", 5, "e0"), ("b", "customer", "hello? my bill", 60, "")]
    )
    rt = jm.response_times(js, now=T0 + pd.Timedelta(minutes=30))
    assert bool(rt.loc["e2", "censored"])
    assert rt.loc["e2", "first_wait"] == pd.Timedelta(0)
    assert (rt["first_wait"].dropna() >= pd.Timedelta(0)).all()


@pytest.mark.filterwarnings("ignore")
def test_response_times_counts_automatic_replies_with_bots_included() -> None:
    """S18: ``automatic_replies`` counts the bot's acknowledgement whether bots are excluded or included."""
    js = by_hand(
        [
            ("a", "customer", "refund please", 0, ""),
            ("a", "bot", "we'll get back to you", 0.1, "e0"),
            ("a", "agent", "refund done", 30, "e0"),
        ]
    )
    for bots in ("exclude", "include"):
        assert jm.response_times(js, bots=bots)["automatic_replies"].tolist() == [1], bots


@pytest.mark.filterwarnings("ignore")
def test_response_times_bot_reply_is_no_reply_effect() -> None:
    """S20: when only a bot replied, there is no human reply whose effect on valence could be measured (NaN)."""
    js = by_hand(
        [
            ("a", "customer", "my order is late", 0, ""),
            ("a", "bot", "we'll get back to you", 0.1, "e0"),
            ("a", "customer", "this is useless", 20, "e1"),
        ],
        valence={"e0": -0.2, "e2": -0.8},
    )
    assert pd.isna(jm.response_times(js).loc["e0", "valence_change_after_reply"])


def test_response_times_now_equal_to_latest_event_does_not_warn() -> None:
    """S21: ``now`` equal to the latest event is not 'before the latest event' and gives no warning."""
    js = by_hand([("a", "customer", "refund please", 0, ""), ("a", "agent", "done", 30, "e0")])
    last = js.events["timestamp"].max()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jm.response_times(js, now=last)


@pytest.mark.filterwarnings("ignore")
def test_triage_reply_outside_data_is_not_counted_as_waiting() -> None:
    """S23: a message answered outside the data is not one of the customer's 'messages waiting'."""
    df = pd.DataFrame(
        {
            "event_id": ["e0", "e1", "e2", "e3"],
            "customer_id": ["c1", "c1", "c2", "c2"],
            "timestamp": [T0, T0 + pd.Timedelta(minutes=30), T0, T0 + pd.Timedelta(minutes=1)],
            "actor": ["customer", "customer", "customer", "agent"],
            "channel": "twitter",
            "touchpoint": "reply",
            "text": ["where is my refund", "still no refund", "hi", "hello"],
            "thread_id": ["A", "B", "C", "C"],
            "in_reply_to": [None, None, None, "e2"],
            "author_id": ["c1", "c1", "c2", "Brand"],
            "reply_outside_data": [True, False, False, False],
        }
    )
    js = jm.build_journeys(jm.read_events(df))
    e = js.events.copy()
    e["valence"] = e["event_id"].map({"e0": -0.5, "e1": -0.5, "e2": 0.0})
    e["emotion"] = pd.array(np.where(e["valence"].notna(), "anger", None), dtype="string")
    e["scorer"] = "hand"
    t = jm.triage(js.with_events(e))
    assert t.loc["e0", "status"] == "reply_outside"
    assert t.loc["e1", "status"] == "waiting"
    assert "messages waiting" not in t.loc["e1", "reason"]
    assert t.loc["e1", "repetition"] == 0.0


# --- reply matching and reply tables (_replies.py, replies.py) ----------------------------------------------


@pytest.mark.filterwarnings("ignore")
def test_first_response_is_the_first_reply_not_a_later_named_one() -> None:
    """R01: an agent reply at 5 min answers the message even when a later post (60 min) names it in in_reply_to."""
    js = by_hand(
        [
            ("a", "customer", "my order is late", 0, ""),
            ("a", "agent", "sorry! checking now", 5, ""),
            ("a", "agent", "update: it ships today", 60, "e0"),
        ]
    )
    assert jm.response_times(js).loc["e0", "first_response"] == pd.Timedelta(minutes=5)
    assert jm.reply_waits(js).loc["e0", "wait"] == pd.Timedelta(minutes=5)


@pytest.mark.filterwarnings("ignore")
def test_reply_stamped_before_its_message_waits_zero() -> None:
    """R04: clock skew (reply stamped 2 min before the message it names) gives a wait of 0 s, never negative."""
    js = by_hand([("a", "customer", "my order is late", 10, ""), ("a", "agent", "sorry! it ships today", 8, "e0")])
    rt = jm.reply_table(js)
    assert rt.loc["e1", "answers"] == "e0"
    assert rt.loc["e1", "wait"] == pd.Timedelta(0)


@pytest.mark.filterwarnings("ignore")
def test_second_brand_answering_a_named_message_gets_its_valence_before() -> None:
    """R05: brand B answers (in_reply_to) a tweet filed under brand A: valence_before is that tweet's valence."""
    rows = [
        ("1", "A", "customer", "@A @B my parcel is lost", 0, ""),
        ("1", "A", "agent", "sorry, checking", 5, "e0"),
        ("1", "B", "agent", "we have it, arriving today", 10, "e0"),
        ("1", "B", "customer", "@B great, thank you!", 20, "e2"),
    ]
    rt = jm.reply_table(_by_customer(rows, {"e0": -0.7, "e3": 0.8}))
    assert rt.loc["e2", "account"] == "B"
    assert rt.loc["e2", "valence_before"] == pytest.approx(-0.7)
    assert rt.loc["e2", "valence_change"] == pytest.approx(1.5)


def _macro_rows(last_text: str, last_minutes: float) -> tuple[list[tuple[str, str, str, float, str]], list[str | None]]:
    """Agent AC sends a fast signed macro 3 times, then one more reply ``last_text`` at ``last_minutes``."""
    rows: list[tuple[str, str, str, float, str]] = []
    agents: list[str | None] = []
    for i in range(3):
        rows += [
            (f"t{i}", "customer", "my order is late", i * 100, ""),
            (f"t{i}", "agent", "Thanks for waiting, we're on it! -AC", i * 100 + 0.5, f"e{2 * i}"),
        ]
        agents += [None, "Brand/AC"]
    rows += [("t3", "customer", "hello?", 400, ""), ("t3", "agent", last_text, last_minutes, "e6")]
    agents += [None, "Brand/AC"]
    return rows, agents


@pytest.mark.filterwarnings("ignore")
def test_signature_is_not_an_own_word() -> None:
    """R08: a reply of two words plus the agent's signature is not 'own words', so the macro stays automatic."""
    rows, agents = _macro_rows("Fixed now -AC", 430)
    rt = jm.reply_table(by_hand(rows, agent_id=agents))
    assert rt.loc[["e1", "e3", "e5"], "automatic"].tolist() == [True, True, True]
    assert not bool(rt.loc["e7", "automatic"])


@pytest.mark.filterwarnings("ignore")
def test_fast_own_words_reply_does_not_clear_the_macro() -> None:
    """R10: an 'own words' reply sent at machine speed does not prove a human, so the macro stays automatic."""
    rows, agents = _macro_rows("Your refund has been processed today -AC", 400.15)
    rt = jm.reply_table(by_hand(rows, agent_id=agents))
    assert rt.loc[["e1", "e3", "e5"], "automatic"].tolist() == [True, True, True]
    assert (rt.loc[["e1", "e3", "e5"], "automatic_reason"] == "repeated text").all()


@pytest.mark.filterwarnings("ignore")
def test_service_levels_reply_exactly_at_the_sla_is_within() -> None:
    """L01: a first response taking exactly the SLA counts as within the SLA."""
    js = by_hand(
        [
            ("a", "customer", "q", 0, ""),
            ("a", "agent", "answer", 60, "e0"),
            ("b", "customer", "q", 100, ""),
            ("b", "agent", "answer two", 130, "e2"),
        ]
    )
    assert jm.service_levels(js, by="brand", sla="1h", min_size=1).loc["Brand", "within_sla"] == 1.0


@pytest.mark.filterwarnings("ignore")
def test_service_levels_undecided_open_journey_is_left_out_of_within_sla() -> None:
    """L02: an unanswered journey younger than the SLA is not yet decided and is left out of within_sla."""
    js = by_hand(
        [
            ("a", "customer", "q", 0, ""),
            ("a", "agent", "answer", 10, "e0"),
            ("b", "customer", "q", 20, ""),
            ("b", "agent", "answer", 140, "e2"),
            ("c", "customer", "q", 130, ""),
        ],
        brand=["Brand"] * 5,
    )
    sl = jm.service_levels(js, by="brand", sla="1h", min_size=1)
    assert sl.loc["Brand", "journeys"] == 3
    assert sl.loc["Brand", "within_sla"] == 0.5


@pytest.mark.filterwarnings("ignore")
def test_service_levels_p90_is_the_90th_percentile() -> None:
    """L03: first_response_p90 is the 0.9 quantile (numpy's linear rule) of first responses."""
    waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]
    rows: list[tuple[str, str, str, float, str]] = []
    for i, w in enumerate(waits):
        rows += [
            (f"t{i}", "customer", "q", i * 1000, ""),
            (f"t{i}", "agent", f"answer number {i} for you", i * 1000 + w, f"e{2 * i}"),
        ]
    sl = jm.service_levels(by_hand(rows), by="brand")
    expected = pd.Timedelta(minutes=float(np.quantile(waits, 0.9)))
    assert abs(sl.loc["Brand", "first_response_p90"] - expected) < pd.Timedelta(seconds=1)


@pytest.mark.filterwarnings("ignore")
def test_service_levels_reply_after_last_word_gets_no_recovery_credit() -> None:
    """L05: an agent posting after the customer's last word gets no credit for the recovery it did not cause."""
    rows = [
        ("a", "customer", "broken", 0, ""),
        ("a", "agent", "fixed it for you", 5, "e0"),
        ("a", "customer", "works, thanks!", 10, "e1"),
        ("a", "agent", "you're welcome", 15, "e2"),
        ("b", "customer", "broken", 20, ""),
        ("b", "agent", "sorry about that", 25, "e4"),
        ("b", "customer", "still broken", 30, "e5"),
    ]
    js = by_hand(rows, valence={"e0": -0.7, "e2": 0.8, "e4": -0.7, "e6": -0.6}, agent_id=[None, "X", None, "Y", None, "Y", None])
    sl = jm.service_levels(js, by="agent", min_size=1)
    assert sl.loc["X", "recovered"] == 1.0
    assert sl.loc["Y", "recovered"] == 0.0


# --- journey metrics (metrics.py) ---------------------------------------------------------------------------


def _by_customer(rows: list[tuple[str, str, str, str, float, str]], valence: dict[str, float]) -> jm.JourneySet:
    """One customer c1 writing to brands; rows are (thread, brand, actor, text, minutes, in_reply_to); journeys by customer."""
    df = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "customer_id": "c1",
            "timestamp": [T0 + pd.Timedelta(minutes=r[4]) for r in rows],
            "actor": [r[2] for r in rows],
            "channel": "twitter",
            "touchpoint": "reply",
            "text": [r[3] for r in rows],
            "thread_id": [r[0] for r in rows],
            "in_reply_to": [r[5] or None for r in rows],
            "brand": [r[1] for r in rows],
            "author_id": [(r[1] if r[2] != "customer" else "c1") for r in rows],
        }
    )
    js = jm.build_journeys(jm.read_events(df), by="customer")
    e = js.events.copy()
    e["valence"] = e["event_id"].map(valence).astype("float64")
    e["emotion"] = pd.array(np.where(e["valence"].notna(), "joy", None), dtype="string")
    e["scorer"] = "h"
    return js.with_events(e)


@pytest.mark.filterwarnings("ignore")
def test_channel_switches_do_not_count_journey_boundaries() -> None:
    """M03: going from one journey's last step to the next journey's first step is not a channel switch."""
    js = by_hand(
        [
            ("a", "customer", "q", 0, ""),
            ("a", "agent", "please DM us", 5, "e0"),
            ("a", "customer", "dm'd", 10, "e1"),
            ("b", "customer", "q2", 20, ""),
            ("b", "agent", "a2", 25, "e3"),
        ],
        channel=["twitter", "twitter", "dm", "twitter", "twitter"],
    )
    scored = js.with_events(js.events.assign(valence=0.0, emotion=pd.array(["neutral"] * 5, dtype="string"), scorer="h"))
    jmx = jm.journey_metrics(scored)
    assert jmx.loc["e0", "channel_switches"] == 1
    assert jmx.loc["e3", "channel_switches"] == 0


@pytest.mark.filterwarnings("ignore")
def test_recovered_needs_every_complained_brand_to_recover() -> None:
    """M05: a customer journey with two brands recovers only if each brand's complaint recovers."""
    js = _by_customer(
        [
            ("1", "A", "customer", "@A broken", 0, ""),
            ("1", "A", "agent", "sorry", 5, "e0"),
            ("1", "A", "customer", "@A still broken", 10, "e1"),
            ("2", "B", "customer", "@B broken too", 20, ""),
            ("2", "B", "agent", "fixed", 25, "e3"),
            ("2", "B", "customer", "@B thanks, works!", 30, "e4"),
        ],
        {"e0": -0.7, "e2": -0.6, "e3": -0.7, "e5": 0.8},
    )
    m = jm.journey_metrics(js)
    assert bool(m.loc["e0", "recovery_known"])
    assert not bool(m.loc["e0", "recovered"])


@pytest.mark.filterwarnings("ignore")
def test_time_to_recover_is_the_longest_brand_recovery() -> None:
    """M07: when both brands recover (10 min and 100 min), time_to_recover is the longest."""
    js = _by_customer(
        [
            ("1", "A", "customer", "@A broken", 0, ""),
            ("1", "A", "agent", "sorry, fixed", 5, "e0"),
            ("1", "A", "customer", "@A thanks!", 10, "e1"),
            ("2", "B", "customer", "@B broken", 20, ""),
            ("2", "B", "agent", "fixed", 25, "e3"),
            ("2", "B", "customer", "@B thanks, works!", 120, "e4"),
        ],
        {"e0": -0.7, "e2": 0.8, "e3": -0.7, "e5": 0.8},
    )
    m = jm.journey_metrics(js)
    assert bool(m.loc["e0", "recovered"])
    assert m.loc["e0", "time_to_recover"] == pd.Timedelta(minutes=100)


@pytest.mark.filterwarnings("ignore")
def test_low_step_ties_go_to_the_first_step() -> None:
    """M11: when the lowest valence occurs twice, low_step is the first of them."""
    js = by_hand(
        [
            ("a", "customer", "bad", 0, ""),
            ("a", "agent", "sorry", 5, "e0"),
            ("a", "customer", "meh", 10, "e1"),
            ("a", "agent", "anything else?", 15, "e2"),
            ("a", "customer", "still bad", 20, "e3"),
        ],
        valence={"e0": -0.5, "e2": 0.3, "e4": -0.5},
    )
    m = jm.journey_metrics(js)
    assert m.loc["e0", "low_valence"] == -0.5
    assert m.loc["e0", "low_step"] == 1
    assert m.loc["e0", "high_step"] == 3


# --- segments (segments.py) ---------------------------------------------------------------------------------


def seg_js(tiers: list[str], ends: list[float]) -> jm.JourneySet:
    """One journey per entry: customer message (valence -0.5), agent reply, customer end message (valence ``ends[i]``)."""
    rows = []
    for i, (tier, end) in enumerate(zip(tiers, ends)):
        t = T0 + pd.Timedelta(hours=i)
        common = {"customer_id": f"c{i}", "thread_id": f"t{i}", "tier": tier}
        rows += [
            {
                "event_id": f"m{i}",
                "timestamp": t,
                "actor": "customer",
                "text": "broken",
                "in_reply_to": None,
                "v": -0.5,
                **common,
            },
            {
                "event_id": f"r{i}",
                "timestamp": t + pd.Timedelta(minutes=5),
                "actor": "agent",
                "text": "sorry",
                "in_reply_to": f"m{i}",
                "v": np.nan,
                **common,
            },
            {
                "event_id": f"n{i}",
                "timestamp": t + pd.Timedelta(minutes=10),
                "actor": "customer",
                "text": "end",
                "in_reply_to": f"r{i}",
                "v": end,
                **common,
            },
        ]
    df = pd.DataFrame(rows)
    df["channel"] = "twitter"
    df["touchpoint"] = "reply"
    v = df.pop("v")
    js = jm.build_journeys(jm.read_events(df))
    e = js.events.copy()
    e["valence"] = e["event_id"].map(dict(zip(df["event_id"], v))).astype("float64")
    e["emotion"] = pd.array(np.where(e["valence"].notna(), "joy", None), dtype="string")
    e["scorer"] = "h"
    return js.with_events(e)


@pytest.mark.filterwarnings("ignore")
def test_effect_size_is_cohens_d_with_df_weighted_pooled_sd() -> None:
    """G04: effect_size is Cohen's d with the pooled SD weighted by degrees of freedom (unequal group sizes)."""
    tiers = ["gold"] * 5 + ["free"] * 15
    ends = [0.9, 0.1, 0.8, 0.0, 0.7, 0.1, 0.15, 0.2, 0.1, 0.12, 0.18, 0.1, 0.2, 0.15, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2]
    seg = jm.compare_segments(seg_js(tiers, ends), "tier")
    a, b = np.array(ends[:5]), np.array(ends[5:])
    pooled = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2))
    assert seg.loc["gold", "effect_size"] == pytest.approx((a.mean() - b.mean()) / pooled, rel=1e-6)


@pytest.mark.filterwarnings("ignore")
def test_journey_segment_is_taken_at_its_first_customer_step() -> None:
    """G05: a customer who upgrades mid-journey is counted in the tier of the journey's first customer step."""
    js = seg_js(["free"] * 6 + ["gold"] * 6, [0.1, -0.2, 0.0, 0.1, -0.3, 0.2, 0.6, 0.7, 0.5, 0.8, 0.6, 0.7])
    e = js.events.copy()
    e.loc[e["event_id"] == "n0", "tier"] = "gold"
    seg = jm.compare_segments(js.with_events(e), "tier")
    assert seg.loc["free", "n_journeys"] == 6
    assert seg.loc["gold", "n_journeys"] == 6


@pytest.mark.filterwarnings("ignore")
def test_missing_unit_ids_each_count_as_their_own_unit() -> None:
    """G09: journeys with no unit id are each their own unit, not pooled into one."""
    js = seg_js(["gold"] * 6 + ["free"] * 6, [0.6, 0.5, 0.7, 0.4, 0.8, 0.6, -0.2, 0.1, -0.4, 0.0, -0.3, 0.2])
    e = js.events.copy()
    e["household"] = pd.array([None if j in ("m0", "m1", "m2", "m3") else "h" + j[1:] for j in e["journey_id"]], dtype="string")
    seg = jm.compare_segments(js.with_events(e), "tier", units="household")
    assert seg.loc["gold", "n_units"] == 6
    assert seg.loc["free", "n_units"] == 6
    assert bool(seg.loc["gold", "testable"])


# --- time patterns and trends (_time.py, trends.py) ---------------------------------------------------------


@pytest.mark.filterwarnings("ignore")
def test_time_patterns_share_negative_is_of_scored_messages() -> None:
    """H01: share_negative in time_patterns is over scored messages (as in trends), not over all messages."""
    js = by_hand(
        [
            ("a", "customer", "awful", 0, ""),
            ("b", "customer", "great", 1, ""),
            ("c", "customer", "[photo]", 2, ""),
            ("d", "customer", "hola", 3, ""),
            ("d", "agent", "hi", 4, "e3"),
        ],
        valence={"e0": -0.6, "e1": 0.6},
    )
    cell = jm.time_patterns(js, tz="UTC").loc[("Monday", 0)]
    assert cell["volume"] == 4
    assert cell["scored"] == 2
    assert cell["share_negative"] == 0.5
    assert jm.trends(js, freq="D")["share_negative"].iloc[0] == 0.5


def test_clock_time_needs_three_customer_messages() -> None:
    """H02: two messages at midnight are too few to call the timestamps dates-only."""
    from journeymap.analytics._time import clock_time

    ev = pd.DataFrame({"timestamp": pd.to_datetime(["2026-03-01", "2026-03-02"]).tz_localize("UTC"), "actor": "customer"})
    assert clock_time(ev, "UTC") is None


def test_clock_time_is_judged_on_customer_messages_only() -> None:
    """H05: customer comments stamped at midnight are dates-only even when brand rows carry real times."""
    from journeymap.analytics._time import clock_time

    ts = pd.to_datetime(
        ["2026-03-01", "2026-03-01 09:13", "2026-03-02", "2026-03-02 10:01", "2026-03-05", "2026-03-05 11:30"], format="ISO8601"
    ).tz_localize("UTC")
    ev = pd.DataFrame({"timestamp": ts, "actor": ["customer", "agent"] * 3})
    assert clock_time(ev, "UTC") == "00:00"


@pytest.mark.filterwarnings("ignore")
def test_trends_first_response_median_is_a_median() -> None:
    """TR1: first_response_median is the median (2 min of 1, 2, 300 min), not the mean."""
    js = by_hand(
        [
            ("a", "customer", "q", 0, ""),
            ("a", "agent", "answer a", 1, "e0"),
            ("b", "customer", "q", 10, ""),
            ("b", "agent", "answer b", 12, "e2"),
            ("c", "customer", "q", 20, ""),
            ("c", "agent", "answer c", 320, "e4"),
        ]
    )
    assert jm.trends(js, freq="D")["first_response_median"].iloc[0] == pd.Timedelta(minutes=2)


@pytest.mark.filterwarnings("ignore")
def test_trends_journey_belongs_to_the_period_of_its_addressed_opening() -> None:
    """TR2: a journey whose first addressed message comes a week after an unaddressed remark counts in the later week."""
    week = 7 * 24 * 60
    js = by_hand(
        [
            ("a", "customer", "ugh, mondays", 0, ""),
            ("a", "customer", "@Brand my bill is wrong", week + 60, ""),
            ("a", "agent", "sorry, fixed", week + 70, "e1"),
        ],
        addressed=[False, True, True],
    )
    tr = jm.trends(js, freq="W")
    assert tr["journeys"].tolist() == [0, 1]
    assert tr["first_response_median"].iloc[1] == pd.Timedelta(minutes=10)


@pytest.mark.filterwarnings("ignore")
def test_trends_unanswered_leaves_out_replies_outside_the_data() -> None:
    """TR3: a journey answered outside the data is neither answered nor unanswered: unanswered is 1 of 2, not 1 of 3."""
    js = by_hand(
        [
            ("a", "customer", "q", 0, ""),
            ("a", "agent", "answer", 10, "e0"),
            ("b", "customer", "q", 20, ""),
            ("c", "customer", "q", 30, ""),
        ],
        reply_outside_data=[False, False, True, False],
    )
    tr = jm.trends(js, freq="D")
    assert tr["journeys"].iloc[0] == 3
    assert tr["unanswered"].iloc[0] == 0.5


# --- summaries (summary.py, _summary.py) --------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore")
def test_moments_of_truth_equal_drops_rank_the_more_frequent_first() -> None:
    """P03: with equal mean drops, the transition seen more often ranks first."""
    rows = []
    for i in range(8):
        a, b = ("billing", "refund") if i < 3 else ("app", "login")
        t = T0 + pd.Timedelta(hours=i)
        common = {"customer_id": f"c{i}", "actor": "customer", "thread_id": f"t{i}"}
        rows += [
            {"event_id": f"x{i}", "timestamp": t, "touchpoint": a, "text": "hm", "v": 0.2, **common},
            {"event_id": f"y{i}", "timestamp": t + pd.Timedelta(minutes=5), "touchpoint": b, "text": "ugh", "v": -0.3, **common},
        ]
    df = pd.DataFrame(rows)
    df["channel"] = "twitter"
    v = df.pop("v")
    js = jm.build_journeys(jm.read_events(df))
    e = js.events.copy()
    e["valence"] = e["event_id"].map(dict(zip(df["event_id"], v)))
    e["emotion"] = pd.array(["joy"] * len(e), dtype="string")
    e["scorer"] = "h"
    mot = jm.moments_of_truth(js.with_events(e))
    assert mot.loc[("app", "login"), "rank"] == 1
    assert mot.loc[("billing", "refund"), "rank"] == 2


@pytest.mark.filterwarnings("ignore")
def test_touchpoint_summary_equal_volume_puts_the_most_negative_first() -> None:
    """P07: touchpoints with equal volume are ordered by mean valence, most negative first."""
    js = by_hand(
        [
            ("a", "customer", "meh", 0, ""),
            ("a", "agent", "ok", 5, "e0"),
            ("b", "customer", "awful", 10, ""),
            ("b", "agent", "sorry", 15, "e2"),
        ],
        valence={"e0": 0.2, "e2": -0.8},
        touchpoint=["app", "app", "billing", "billing"],
    )
    assert jm.touchpoint_summary(js).index.tolist() == ["billing", "app"]


@pytest.mark.filterwarnings("ignore")
def test_touchpoint_summary_counts_only_customer_messages() -> None:
    """P08: scored brand replies are not the customers' feelings and stay out of volume and mean valence."""
    js = by_hand(
        [
            ("a", "customer", "my bill is wrong", 0, ""),
            ("a", "agent", "so sorry! fixing it", 5, "e0"),
            ("a", "customer", "still wrong", 10, "e1"),
            ("b", "customer", "my bill is wrong again", 20, ""),
            ("b", "agent", "glad we could help!", 25, "e3"),
        ],
        valence={"e0": -0.6, "e1": 0.9, "e2": -0.5, "e3": -0.7, "e4": 0.9},
    )
    ts = jm.touchpoint_summary(js)
    assert ts.loc["reply", "volume"] == 3
    assert ts.loc["reply", "mean_valence"] == pytest.approx(-0.6)
    assert jm.pain_points(js).loc["reply", "volume"] == 3


# --- intervals (_stats.py) ----------------------------------------------------------------------------------


def test_bootstrap_interval_takes_the_level_quantiles_of_the_resampled_means() -> None:
    """T04: the percentile interval at level 0.95 is the 2.5 % and 97.5 % quantiles of the resampled means."""
    from journeymap.analytics._stats import MeanInterval, _Resampled

    means = np.linspace(0.0, 1.0, 1001)
    est = MeanInterval(seed=0)._bootstrap(_Resampled(means, 0.5, 1e-9, 1000))
    assert est.low == pytest.approx(0.025)
    assert est.high == pytest.approx(0.975)


def test_mean_interval_call_matches_by_group_on_skewed_bounded_values() -> None:
    """T04: a call and by_group give the same interval (by_group's docs), here on skewed values within bounds."""
    from journeymap.analytics._stats import MeanInterval

    rng = np.random.default_rng(3)
    v = np.clip(rng.beta(0.5, 3, 40) * 2 - 1, -1, 1)
    interval = MeanInterval(seed=0, bounds=(-1, 1))
    assert interval.by_group(v, np.zeros(len(v), dtype=np.int64)) == [interval(v)]
