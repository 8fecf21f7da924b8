"""Service analytics on real threads: the right customer, the right clock, agents, bots, broadcasts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.analytics._stats import wilson
from journeymap.datasets import BOT_TEXT, PLANTED
from journeymap.testing.data import planted_scores

from .conftest import TWCS_SAMPLE
from .test_properties import crc_scores

if TYPE_CHECKING:
    from pathlib import Path

mpl.use("Agg")
T0 = pd.Timestamp("2024-01-01", tz="UTC")
needs_sample = pytest.mark.skipif(not TWCS_SAMPLE.is_file(), reason="../shared/data/twcs_sample is not beside the checkout")


def by_hand(rows: list[tuple[str, str, str, float, str]], **extra: list[object]) -> jm.JourneySet:
    """Events (thread, actor, text, minutes after T0, in_reply_to or "") of one customer per thread."""
    df = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "customer_id": [f"c-{thread}" for thread, *_ in rows],
            "timestamp": [T0 + pd.Timedelta(minutes=m) for *_, m, _ in rows],
            "actor": [actor for _, actor, *_ in rows],
            "channel": "twitter",
            "touchpoint": [("dm_request" if "DM" in text else "reply") for _, _, text, *_ in rows],
            "text": [text for _, _, text, *_ in rows],
            "thread_id": [thread for thread, *_ in rows],
            "in_reply_to": [parent or None for *_, parent in rows],
            "author_id": [("Brand" if actor != "customer" else f"c-{thread}") for thread, actor, *_ in rows],
            **extra,
        }
    )
    return jm.build_journeys(jm.read_events(df))


def per_thread(js: jm.JourneySet, table: pd.DataFrame) -> pd.DataFrame:
    """A per-journey table indexed by the hand-made thread names instead."""
    return table.rename(index=js.events.groupby("journey_id")["thread_id"].first().to_dict())


@pytest.fixture(scope="module")
def synthetic() -> tuple[jm.EventLog, jm.JourneySet]:
    log = jm.datasets.service_journeys(400, seed=3, broadcasts=2)
    return log, planted_scores(jm.build_journeys(log))


@pytest.fixture(scope="module")
def twcs() -> tuple[jm.EventLog, jm.JourneySet]:
    log = jm.read_twcs(TWCS_SAMPLE)
    return log, jm.build_journeys(log)


# -- automatic replies and first response ------------------------------------------------------


def python_normalised(text: str) -> str:
    """The reference rules of automatic-reply detection, in Python's ``re`` (Unicode-aware classes)."""
    import re

    text = re.sub(r"https?://\S+|www\.\S+", "<url>", text)
    text = re.sub(r"@\w+", "@", text)
    text = re.sub(r"\d+(?:[.,:/]\d+)*", "0", text)
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize(
    "text",
    [
        "@12 Thanks! Ticket 4411 https://t.co/x",
        "tab\there\x0bvertical\x1cfile-sep\x1fend  ",  # RE2's \s has neither \v nor \x1c-\x1f
        "@Zoë thanks",  # a mention with a letter beyond ASCII
        "order ٣٤٥ and ①",  # Arabic-Indic digits are \d; a circled one is not
        "emoji 👍 https://a.b/ü?x=1 www.x.y",
        "nbsp\xa0and\u2003em space",
    ],
)
def test_normalised_texts_follow_pythons_unicode_rules(text: str) -> None:
    from journeymap.analytics._replies import normalise_text

    assert normalise_text(pd.Series([text, None], dtype="string")).tolist() == [python_normalised(text), pd.NA]


def test_first_response_skips_bots_and_canned_fast_replies_by_hand() -> None:
    ack = "@{} thanks, we got your message! ticket {}"
    rows = [
        ("a", "customer", "my bill is wrong", 0, ""),
        ("a", "bot", "hello, an agent will be with you", 0.1, "e0"),
        ("a", "agent", "sorry, checking your bill now", 12, "e0"),
        ("a", "customer", "thanks", 20, ""),
    ]
    # three threads answered by the same text (after normalising @mentions and numbers) within seconds
    for k, thread in enumerate("bcd"):
        i = len(rows)
        rows += [
            (thread, "customer", "app broken", 100 + k, ""),
            (thread, "agent", ack.format(k * 7, 1000 + k), 100 + k + 0.2, f"e{i}"),
            (thread, "agent", "try reinstalling the app", 100 + k + 30, f"e{i}"),
        ]
    rows.append(("e", "customer", "anyone there?", 200, ""))  # never answered: censored at the end of the data
    js = by_hand(rows)
    replies = jm.reply_table(js)
    assert replies.loc["e1", "automatic_reason"] == "bot"
    canned = [f"e{i}" for i in (5, 8, 11)]
    assert replies.loc[canned, "automatic"].all() and (replies.loc[canned, "automatic_reason"] == "repeated text").all()
    assert not replies.loc[["e2", "e6", "e9", "e12"], "automatic"].any()
    assert replies.loc["e2", "answers"] == "e0" and replies.loc["e2", "wait"] == pd.Timedelta(minutes=12)
    rt = per_thread(js, jm.response_times(js))
    assert rt.loc["a", "first_response"] == pd.Timedelta(minutes=12)
    assert rt.loc["a", "first_acknowledgement"] == pd.Timedelta(seconds=6)
    assert (rt.loc[["b", "c", "d"], "first_response"] == pd.Timedelta(minutes=30)).all()
    assert (rt.loc[["b", "c", "d"], "first_acknowledgement"] == pd.Timedelta(seconds=12)).all()
    assert rt.loc["a", "automatic_replies"] == 1 and rt.loc["b", "automatic_replies"] == 1
    # bots="include": the first reply of any kind
    with_bots = per_thread(js, jm.response_times(js, bots="include"))
    assert with_bots.loc["b", "first_response"] == pd.Timedelta(seconds=12)
    assert with_bots["first_response"].equals(with_bots["first_acknowledgement"])
    # censored at the last timestamp of the data, and says so
    assert rt.loc["e", "censored"] and pd.isna(rt.loc["e", "first_response"])
    assert rt.loc["e", "first_wait"] == pd.Timedelta(0)  # its message is the last event
    assert not rt.loc["a", "censored"] and rt.loc["a", "first_wait"] == pd.Timedelta(minutes=12)
    later = per_thread(js, jm.response_times(js, now=T0 + pd.Timedelta(minutes=260)))
    assert later.loc["e", "first_wait"] == pd.Timedelta(hours=1)
    # the rule is a documented parameter: four repeats needed -> the canned replies count as human
    strict = per_thread(js, jm.response_times(js, auto=jm.AutoReplyRule(min_repeats=4)))
    assert strict.loc["b", "first_response"] == pd.Timedelta(seconds=12)
    # macros answered slowly are people: without the speed condition they would be automatic
    repetition_only = pd.Series(jm.AutoReplyRule(within=None).flags(js.events)[0], index=js.events["event_id"])
    assert repetition_only[["e6", "e9", "e12"]].all() and repetition_only.sum() == 7  # + the bot and the canned acks
    with pytest.raises(ValueError, match="bots must be"):
        jm.response_times(js, bots="some")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_repeats"):
        jm.AutoReplyRule(min_repeats=0)


def test_brand_replies_without_text_are_human_replies() -> None:
    # Found by a row-order property run: brand replies whose text is missing (an image or a DM
    # card) crashed the automatic-reply rule (an index into an empty count table).
    rows = [("a", "customer", "my bill is wrong", 0, ""), ("a", "agent", "", 5, "e0"), ("b", "customer", "hello?", 1, "")]
    js = by_hand(rows)
    e = js.events.copy()
    e.loc[e["actor"] != "customer", "text"] = pd.NA  # every brand text missing
    js = js.with_events(e)
    replies = jm.reply_table(js)
    assert not replies["automatic"].any()
    rt = per_thread(js, jm.response_times(js))
    assert rt.loc["a", "first_response"] == pd.Timedelta(minutes=5) and pd.isna(rt.loc["b", "first_response"])


def test_service_figures_without_a_text_column() -> None:
    # text is an optional column: timestamps and actors are enough for the service figures
    rows = [
        ("a", "customer", "x", 0, ""),
        ("a", "bot", "x", 0.5, "e0"),
        ("a", "agent", "x", 5, "e0"),
        ("b", "customer", "x", 1, ""),
    ]
    js = by_hand(rows)
    js = crc_scores(js.with_events(js.events.drop(columns="text")))
    replies = jm.reply_table(js)
    assert replies.loc["e1", "automatic_reason"] == "bot" and not replies.loc["e2", "automatic"]
    rt = per_thread(js, jm.response_times(js))
    assert rt.loc["a", "first_response"] == pd.Timedelta(minutes=5) and rt.loc["a", "automatic_replies"] == 1
    t = jm.triage(js)
    assert list(t.index) == ["e3"] and t["text"].isna().all()


def test_planted_bot_is_detected_and_excluded(synthetic: tuple[jm.EventLog, jm.JourneySet]) -> None:
    _, js = synthetic
    events = js.events
    auto, _ = jm.AutoReplyRule().flags(events)
    truth = events["true_automatic"].to_numpy(dtype=bool)
    assert truth.sum() > 50 and (auto == truth).all()
    assert (events.loc[truth, "brand"] == PLANTED["bot_brand"]).all()
    assert (events.loc[truth, "text"].str.replace(r"^@\w+", "@{cust}", regex=True) == BOT_TEXT).all()
    # first responses recounted from the timestamps: first customer message -> first human brand row after it
    rt = jm.response_times(js)
    e = events.assign(human=(events["actor"] != "customer") & ~truth)
    checked = 0
    for journey_id, rows in e.groupby("journey_id", sort=False):
        cust = rows[rows["actor"] == "customer"]
        if cust.empty:
            continue
        first = cust["timestamp"].iloc[0]
        after = rows[rows["human"] & (rows["timestamp"] >= first)]
        any_after = rows[(rows["actor"] != "customer") & (rows["timestamp"] >= first)]
        expected = after["timestamp"].iloc[0] - first if len(after) else pd.NaT
        ack = any_after["timestamp"].iloc[0] - first if len(any_after) else pd.NaT
        got = rt.loc[journey_id]
        assert (pd.isna(expected) and pd.isna(got["first_response"])) or got["first_response"] == expected
        assert (pd.isna(ack) and pd.isna(got["first_acknowledgement"])) or got["first_acknowledgement"] == ack
        checked += 1
    assert checked > 400
    acked = rt[rt["automatic_replies"] > 0]
    assert len(acked) > 50 and acked["first_acknowledgement"].max() < pd.Timedelta(seconds=20)
    assert acked["first_response"].dropna().min() > pd.Timedelta(minutes=1)


def test_automatic_flags_are_computed_once_per_journey_set_and_rule(synthetic: tuple[jm.EventLog, jm.JourneySet]) -> None:
    from journeymap.analytics.automatic import rule_flags

    _, js = synthetic
    shared = rule_flags(js, None)
    assert rule_flags(js, jm.AutoReplyRule()) is shared  # response_times, triage and the league reuse them
    for rule in (jm.AutoReplyRule(), jm.AutoReplyRule(within=None), jm.AutoReplyRule(min_repeats=5, within="30s")):
        auto, why = rule_flags(js, rule)
        expected_auto, expected_why = rule.flags(js.events)
        assert (auto == expected_auto).all() and (why == expected_why).all()
    assert not shared[0].flags.writeable  # shared arrays: nobody changes them in place


def test_bystanders_and_broadcasts_in_their_own_journeys(synthetic: tuple[jm.EventLog, jm.JourneySet]) -> None:
    log, js = synthetic
    assert len(log.events) + len(log.rejected_rows) == log.n_input  # no input row lost
    events = js.events
    bystander = events["customer_id"].str.startswith("b")
    assert bystander.sum() > 10
    for journey_id in events.loc[bystander, "journey_id"].unique():
        rows = events[events["journey_id"] == journey_id]
        assert (rows["customer_id"] == rows["customer_id"].iloc[0]).all()
        assert rows.loc[rows["actor"] == "customer", "customer_id"].str.startswith("b").all()
        assert js.journeys.loc[journey_id, "customer_id"].startswith("b")
    # the bystander's thread is another customer's: both journeys share it
    thread = events.loc[bystander, "thread_id"].iloc[0]
    assert events.loc[events["thread_id"] == thread, "journey_id"].nunique() >= 2
    posts = events[(events["touchpoint"] == "broadcast") & events["in_reply_to"].isna()]
    assert len(posts) == 2 * 3
    assert (js.journeys.loc[posts["journey_id"], "n_steps"] == 1).all()
    answers = events[(events["touchpoint"] == "broadcast") & (events["actor"] == "customer")]
    assert len(answers) >= 12 and not answers["journey_id"].isin(posts["journey_id"]).any()
    # a broadcast journey has no customer message: not censored, not in the league's journeys
    rt = jm.response_times(js)
    assert not rt.loc[posts["journey_id"], "censored"].any()
    league = jm.service_levels(js, by="brand")
    assert league["journeys"].sum() == int((rt["n_customer_messages"] > 0).sum())


# -- the real sample ---------------------------------------------------------------------------


@needs_sample
def test_twcs_sample_service_figures_by_hand(twcs: tuple[jm.EventLog, jm.JourneySet]) -> None:
    log, js = twcs
    assert len(log.events) + len(log.rejected_rows) == log.n_input == 93
    replies = jm.reply_table(js)
    assert len(replies) == 44 and not replies["automatic"].any()  # no bot in the sample
    assert (~replies["agent"].str.endswith("/(unsigned)")).sum() == 27  # "... 1/2" signed by its "2/2 ^JR"
    # unsigned replies are grouped per account, not pooled across the sample's brands
    unsigned = replies.loc[replies["agent"].str.endswith("/(unsigned)")]
    assert (unsigned["agent"] == unsigned["account"] + "/(unsigned)").all() and unsigned["account"].nunique() > 1
    assert replies.loc["119264", "agent"] == "British_Airways/JR"
    assert replies.loc["119333" if "119333" in replies.index else "119335", "agent"] == "Tesco/Lee"
    # the bystander (105837, "me too" in 105838's thread) has their own journey, and the brand's answer
    assert js.journeys.loc["119249", "customer_id"] == "105837"
    assert replies.loc["119248", "journey_id"] == "119249" and replies.loc["119248", "answers"] == "119249"
    assert replies.loc["119248", "wait"] == pd.Timedelta("6:01:02")  # 07:37:27 -> 13:38:29
    rt = jm.response_times(js)
    assert rt["first_response"].equals(rt["first_acknowledgement"])
    assert rt.loc["119297", "first_response"] == pd.Timedelta("0:04:46")  # 13:34:46 -> 13:39:32
    # 119246 opens with VirginTrains answering 119247, which is not in the sample: the customer's
    # first contact and first response are unknown; the later waits (7:08, 7:53, 6:38) are known
    assert rt.loc["119246", "opened_outside"] and pd.isna(rt.loc["119246", "first_response"])
    assert not rt.loc["119246", "censored"] and rt.loc["119246", "mean_wait"] == pd.Timedelta("0:07:13")
    # 119331 ("They reschedule my shit for tomorrow") names no one and answers no one: UPS answered
    # another customer's reply to it (119330), so it waits for no reply and is not censored
    assert not rt.loc["119331", "censored"] and rt.loc["119331", "no_reply_needed"] and pd.isna(rt.loc["119331", "first_wait"])
    assert rt.loc["119331", "unaddressed"] == 1 and int(rt["unaddressed"].sum()) == 1
    assert int(rt["censored"].sum()) == 0
    # AppleSupport's 119237 and 119250 list replies (response_tweet_id) that are not in the sample:
    # answered outside it, wait unknown, not unanswered
    assert rt.loc[["119237", "119250"], "replied_outside"].tolist() == [1, 1]
    assert not rt.loc[["119237", "119250"], "censored"].any() and rt.loc[["119237", "119250"], "first_wait"].isna().all()
    agents = jm.service_levels(js, by="agent")
    assert agents.index.name == "agent" and agents.loc["SpotifyCares/AY", "replies"] == 5
    assert agents.loc["SouthwestAir/AC", "first_response_median"] == pd.Timedelta("0:04:46")
    # its 2 journeys have their reply outside the sample: neither is known to be unanswered;
    # 119331, addressed to no brand and answered by none, is no group's journey
    assert agents.loc["(no reply)", "journeys"] == 2 and np.isnan(agents.loc["(no reply)", "unanswered"])
    assert agents["too_small"].loc["SpotifyCares/AY"]
    assert np.isnan(agents.loc["SpotifyCares/AY", "within_sla_low"])
    # 44 brand tweets, 43 replies: British Airways' "1/2 ... 2/2 ^JR" (119264, 119266) is one
    assert agents["replies"].sum() == 43 and agents.loc["British_Airways/JR", "replies"] == 1
    brands = jm.service_levels(js, by="brand", sla="1h")
    apple = brands.loc["AppleSupport"]
    assert (apple["journeys"], apple["unanswered"]) == (13, 0.0)
    assert apple["within_sla"] == 0.0  # every answered Apple journey waited over an hour
    low, high = wilson(0, 11)  # two of the 13 have their reply outside the sample: 0 of 11 known
    assert (apple["unanswered_low"], apple["unanswered_high"]) == (pytest.approx(low), pytest.approx(high))
    daily = jm.trends(js, freq="D")
    assert list(daily["volume"]) == [4, 43, 2]
    assert daily["volume"].sum() == int((js.events["actor"] == "customer").sum())


# -- service levels, segments, trends, triage --------------------------------------------------


def test_service_levels_by_agent_on_planted_agents(synthetic: tuple[jm.EventLog, jm.JourneySet]) -> None:
    _, js = synthetic
    league = jm.service_levels(js, by="agent", seed=1)
    signed = js.events["agent_id"].dropna()
    assert set(signed.str.split("/").str[0]) == set(PLANTED["signing_brands"])  # type: ignore[arg-type]
    assert set(signed) <= set(league.index)
    unsigned = [g for g in league.index if g.endswith("/(unsigned)")]  # per brand: "NovaTel/(unsigned)"
    assert unsigned and {g.split("/")[0] for g in unsigned} <= set(js.events["brand"].dropna())
    e = js.events
    conversation = (e["actor"] == "customer").groupby(e["journey_id"]).transform("any")  # broadcasts answer no one
    human = (e["actor"] != "customer") & ~e["true_automatic"] & conversation
    assert int(((e["actor"] != "customer") & ~conversation).sum()) > 0  # the case is there
    assert league["replies"].sum() == int(human.sum())
    assert league["automatic"].sum() == int(js.events["true_automatic"].sum())
    big = league[~league["too_small"] & (league["replies"] > 0)]
    assert (big["within_sla_low"] <= big["within_sla"]).all() and (big["within_sla"] <= big["within_sla_high"]).all()
    assert big["valence_change"].notna().all() and big["recovered"].between(0, 1).all()
    tiers = jm.service_levels(js, by="tier")
    assert tiers.index.name == "tier" and tiers.loc["free", "recovered"] < tiers.loc["plus", "recovered"]
    with pytest.raises(jm.SchemaError, match=r"service_levels: no column 'plan' in the events; columns: \['event_id'"):
        jm.service_levels(js, by="plan")


def test_compare_segments_corrects_for_many_comparisons(synthetic: tuple[jm.EventLog, jm.JourneySet]) -> None:
    _, js = synthetic
    seg = jm.compare_segments(js, "region")
    assert (seg["p_adjusted"] >= seg["p_value"]).all() and seg["testable"].all()
    p = seg["p_value"].sort_values()
    holm = np.maximum.accumulate(p.to_numpy() * np.arange(len(p), 0, -1)).clip(max=1)
    assert np.allclose(seg.loc[p.index, "p_adjusted"], holm)
    assert seg["p_value"].equals(jm.compare_segments(js, "region", correction=None)["p_adjusted"].rename("p_value"))
    bh = jm.compare_segments(js, "region", correction="bh")
    assert (bh["p_adjusted"] <= seg["p_adjusted"] + 1e-12).all()
    small = jm.compare_segments(js, "region", min_size=10_000)
    assert not small["testable"].any() and small["p_value"].isna().all() and small["p_adjusted"].isna().all()


def test_trends_and_their_plot(synthetic: tuple[jm.EventLog, jm.JourneySet]) -> None:
    _, js = synthetic
    weekly = jm.trends(js, freq="W")
    assert weekly.index.name == "period" and (weekly.index.day_name() == "Monday").all()
    assert weekly["volume"].sum() == int((js.events["actor"] == "customer").sum())
    daily = jm.trends(js, freq="D")
    assert len(daily) == (daily.index.max() - daily.index.min()).days + 1  # empty days kept
    # one period's median first response recounted
    rt = jm.response_times(js)
    first = js.events[js.events["actor"] == "customer"].groupby("journey_id")["timestamp"].min()
    week = weekly.index[1]
    in_week = first[(first >= week) & (first < week + pd.Timedelta(days=7))].index
    assert weekly.loc[week, "first_response_median"] == rt.loc[in_week, "first_response"].median()
    assert weekly.loc[week, "journeys"] == len(in_week)
    ax = jm.plot.trends(js, freq="W")
    assert len(ax.patches) == len(weekly) and ax.figure is not None
    line = ax.right_ax.get_lines()[0]  # type: ignore[attr-defined]
    unit = 60 if weekly["first_response_median"].max() < pd.Timedelta(hours=2) else 3600  # minutes for short waits
    assert np.allclose(line.get_ydata(), weekly["first_response_median"].dt.total_seconds() / unit, equal_nan=True)


def test_triage_keeps_moved_cases_and_measures_to_now() -> None:
    rows = [
        ("a", "customer", "broken!", 0, ""),
        ("a", "agent", "please DM us", 10, "e0"),
        ("a", "customer", "sent you a DM, still broken", 20, "e1"),  # moved: the answer is in DMs
        ("b", "customer", "hello? this is awful", 30, ""),  # waiting
        ("c", "customer", "this is awful too", 40, ""),
        ("c", "bot", "we'll get back to you", 40.1, "e4"),  # an automatic reply does not close it
    ]
    js = by_hand(rows)
    e = js.events.copy()
    e["valence"] = np.where(e["actor"] == "customer", -0.6, np.nan).astype(np.float32)
    e["emotion"] = pd.array(np.where(e["actor"] == "customer", "anger", None), dtype="string")
    e["emo_anger"], e["scorer"] = np.float32(0.8), "hand"
    js = js.with_events(e)
    t = jm.triage(js)
    assert t.loc["e2", "status"] == "moved" and pd.isna(t.loc["e2", "rank"])
    assert list(t.loc[t["status"] == "waiting"].index) == ["e3", "e4"]  # the older one waited longer
    assert list(t["rank"].iloc[:2]) == [1, 2] and t.index[-1] == "e2"
    assert t.loc["e3", "waiting"] == pd.Timedelta(minutes=10.1) and t["censored"].all()
    assert "e4" not in jm.triage(js, bots="include").index
    later = jm.triage(js, now=T0 + pd.Timedelta(days=1))
    assert later.loc["e3", "waiting_part"] == pytest.approx((24 * 60 - 30) / (24 * 60))
    stale = jm.triage(js, now=T0 + pd.Timedelta(days=8, minutes=30))
    assert stale.loc["e3", "waiting_part"] == pytest.approx(0.5)  # a week past the first day: halved


def test_triage_lists_thanks_after_a_human_answer_as_closing() -> None:
    rows = [
        ("a", "customer", "my order is late", 0, ""),
        ("a", "agent", "sorry, it ships today", 10, "e0"),
        ("a", "customer", "thank you so much!", 20, "e1"),  # closes the case
        ("b", "customer", "love your stores!", 30, ""),  # praise with no answer yet: waiting
        ("c", "customer", "refund please", 40, ""),
        ("c", "bot", "we'll get back to you", 40.1, "e4"),  # an automatic reply is no answer
        ("c", "customer", "great, thanks", 50, "e5"),
        ("d", "customer", "broken", 60, ""),
        ("d", "agent", "try a restart", 61, "e7"),
        ("d", "customer", "ok, tried it", 62, "e8"),  # mildly positive: still waiting
    ]
    js = by_hand(rows)
    e = js.events.copy()
    valence = {"e0": -0.6, "e2": 0.8, "e3": 0.9, "e4": -0.3, "e6": 0.7, "e7": -0.5, "e9": 0.3}
    e["valence"] = e["event_id"].map(valence).astype(np.float32)
    e["emotion"] = pd.array(np.where(e["actor"] == "customer", "joy", None), dtype="string")
    e["scorer"] = "hand"
    t = jm.triage(js.with_events(e))
    assert t.loc["e2", "status"] == "closing" and pd.isna(t.loc["e2", "rank"])
    assert "positive reply to the brand's answer" in t.loc["e2", "reason"]
    assert t.loc[["e3", "e6", "e9"], "status"].eq("waiting").all()
    assert t.index[-1] == "e2" and len(t) == 5  # listed last, nothing dropped
    assert jm.triage(js.with_events(e), bots="include").loc["e6", "status"] == "closing"


# -- the report --------------------------------------------------------------------------------


def test_report_counts_definitions_and_league(synthetic: tuple[jm.EventLog, jm.JourneySet], tmp_path: Path) -> None:
    log, js = synthetic
    page = jm.report(js, tmp_path / "r.html", log=log).read_text()
    customers = js.events.loc[js.events["actor"] == "customer", "customer_id"].nunique()
    counts = page.split('id="counts">')[1].split("</p>")[0]
    assert f"{len(js):,} journeys" in counts and f"{customers:,} customers" in counts
    assert f"{len(js.events):,} messages" in counts and f"{log.n_input:,} input rows, none rejected" in counts
    # "first acknowledgement" was defined there but shown in no table (the report audit, 2026-12-06)
    assert "What the numbers mean" in page and "first response" in page and "first acknowledgement" not in page
    assert "Agent league" in page and "NovaTel/KD" in page and "answered within SLA" in page
    assert "first_response_median" not in page  # headings, not column names
    # the trend chart's description (review 20): its caption, since review 21 (the alt text names the chart)
    assert "the median first response to a person's reply (line)" in page.split("<h3>Over time</h3>")[1].split("</figcaption>")[0]


def test_long_journey_is_drawn_bounded(tmp_path: Path) -> None:
    n = 20_000
    rows = pd.DataFrame(
        {
            "event_id": [f"l{i}" for i in range(n)],
            "customer_id": "long",
            "timestamp": T0 + pd.to_timedelta(np.arange(n) * 60, unit="s"),
            "actor": np.where(np.arange(n) % 2 == 0, "customer", "agent"),
            "channel": "chat",
            "touchpoint": "chat",
            "text": "still not fixed",
            "true_emotion": np.where(np.arange(n) % 4 == 0, "anger", "joy"),
        }
    )
    log = jm.read_events(pd.concat([jm.datasets.service_journeys(20, seed=0).events, rows], ignore_index=True))
    js = planted_scores(jm.build_journeys(log, by="customer", gap="3650D"))
    longest = str(js.journeys["n_steps"].idxmax())
    assert js.journeys.loc[longest, "n_steps"] == n
    ax = jm.plot.journey(js[longest])
    assert len(ax.get_xticks()) <= jm.plot.journey.__globals__["MAX_TICKS"] + 2
    page = jm.report(js, tmp_path / "long.html", log=log, examples=50).read_text()
    assert f"has {n:,} steps; the first {200:,} are drawn" in page
    assert page.count("data:image/png;base64,") <= 10 + 10  # the charts plus at most MAX_EXAMPLES journeys
