"""Service figures on real threads: defects found by the third review of 2026-12-05, each with its case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores

# -- periods ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def over_a_year() -> jm.JourneySet:
    """Messages from mid-November 2023 to the end of January 2025: 15 months, 6 quarters, 3 years."""
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0, start="2023-11-15", days=450)))


#: The period starts each freq gives on :func:`over_a_year` (dates, UTC).
_STARTS = {
    "M": pd.date_range("2023-11-01", "2025-01-01", freq="MS", tz="UTC"),
    "Q": pd.date_range("2023-10-01", "2025-01-01", freq="QS", tz="UTC"),
    "Y": pd.date_range("2023-01-01", "2025-01-01", freq="YS", tz="UTC"),
}


@pytest.mark.parametrize("freq", ["M", "MS", "ME", "Q", "QE", "Y"])
def test_trends_take_calendar_months_quarters_and_years(freq: str, over_a_year: jm.JourneySet) -> None:
    js = over_a_year
    span = js.events["timestamp"].max() - js.events["timestamp"].min()
    assert span > pd.Timedelta(days=366)
    out = jm.trends(js, freq=freq)
    assert int(out["volume"].sum()) == int((js.events["actor"] == "customer").sum())
    unit = freq[0]
    assert list(out.index) == list(_STARTS[unit])
    if unit == "Q":
        assert set(out.index.month) <= {1, 4, 7, 10} and (out.index.day == 1).all()
    if unit == "Y":
        assert ((out.index.month == 1) & (out.index.day == 1)).all()
    # a quarter (year) holds its months' messages, and there are fewer of them than months
    months = jm.trends(js, freq="M")
    if unit != "M":
        assert len(out) < len(months)
        regrouped = months["volume"].groupby(months.index.tz_localize(None).to_period(unit).start_time).sum()
        assert regrouped.tolist() == out["volume"].tolist()


def test_trends_bad_or_multiple_calendar_freq_is_a_clear_error() -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(10, seed=0)))
    with pytest.raises(ValueError, match="freq='2M': multiples of calendar periods"):
        jm.trends(js, freq="2M")
    with pytest.raises(ValueError, match="freq='2W': multiples of calendar periods"):
        jm.trends(js, freq="2W")  # pandas bins it weekly, silently
    with pytest.raises(ValueError, match="freq='fortnight' is not a period"):
        jm.trends(js, freq="fortnight")


# -- the league ---------------------------------------------------------------------------------

COLUMNS = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id"]


def tweets(rows: list[tuple[int, str, bool, str, str, int | None]]) -> pd.DataFrame:
    """TWCS rows from (id, author, inbound, 'Tue Oct 17 08:00:00', text, parent); response ids derived."""
    kids: dict[int, list[str]] = {}
    for row in rows:
        if row[5] is not None:
            kids.setdefault(row[5], []).append(str(row[0]))
    return pd.DataFrame(
        [[i, a, inbound, f"{t} +0000 2017", text, ",".join(kids.get(i, [])), p] for i, a, inbound, t, text, p in rows],
        columns=COLUMNS,
    )


def test_a_journey_only_a_bot_answered_belongs_to_no_agent() -> None:
    rows: list[tuple[int, str, bool, str, str, int | None]] = []
    canned = "Thanks for contacting BrandB! An agent will reply."
    cases = [("9011", "08:00", "09:00"), ("9012", "08:10", "09:30"), ("9013", "08:20", None)]
    for k, (customer, asked, human) in enumerate(cases):
        b = 100 + 10 * k
        rows.append((b, customer, True, f"Tue Oct 17 {asked}:00", f"@BrandB charged twice, case {k}", None))
        rows.append((b + 1, "BrandB", False, f"Tue Oct 17 {asked}:05", f"@{customer} {canned}", b))
        if human:
            rows.append((b + 2, "BrandB", False, f"Tue Oct 17 {human}:00", f"@{customer} Refunded the duplicate charge. -Sam", b))
    rows.append((200, "9014", True, "Tue Oct 17 11:00:00", "@BrandB and me?", None))
    rows.append((201, "BrandB", False, "Tue Oct 17 11:05:00", f"@9014 {canned}", 200))
    js = jm.build_journeys(jm.read_twcs(tweets(rows)))
    league = jm.service_levels(js, min_size=1)
    assert league.loc["(no reply)", "journeys"] == 2  # the bot-only ones: before, "(unsigned)" owned them
    assert league.loc["BrandB/(unsigned)", "journeys"] == 0 and league.loc["BrandB/(unsigned)", "automatic"] == 4
    assert league.loc["BrandB/Sam", "journeys"] == 2


def test_a_broadcast_is_no_reply_and_customers_are_no_group() -> None:
    frame = tweets(
        [
            (1, "BrandA", False, "Wed Oct 11 06:55:44", "Outage in London, engineers are on it ^AB", None),
            (2, "111", True, "Wed Oct 11 07:00:00", "@BrandA still down here, no ETA?", 1),
            (3, "222", True, "Wed Oct 11 07:05:00", "@BrandA same in Leeds", 1),
            (4, "BrandA", False, "Wed Oct 11 07:30:00", "@111 ETA is 10am ^CD", 2),
        ]
    )
    js = jm.build_journeys(jm.read_twcs(frame))
    brands = jm.service_levels(js, by="brand", min_size=1)
    assert brands.loc["BrandA", "replies"] == 1 and brands.loc["BrandA", "journeys_replied"] == 1
    agents = jm.service_levels(js, min_size=1)
    assert "BrandA/AB" not in agents.index and agents["replies"].sum() == 1  # a broadcast's agent has no row
    by_author = jm.service_levels(js, by="author_id", min_size=1)
    assert set(by_author.index) == {"BrandA", "(no reply)"}  # not the customers 111 and 222


def test_unanswered_shares_leave_out_replies_outside_the_data() -> None:
    from .conftest import TWCS_SAMPLE

    if not TWCS_SAMPLE.exists():
        pytest.skip("../shared/data/twcs_sample is not beside the checkout")
    js = jm.build_journeys(jm.read_twcs(TWCS_SAMPLE))
    daily = jm.trends(js, freq="D", tz="UTC")
    day = daily.loc[pd.Timestamp("2017-10-11", tz="UTC")]
    # of the day's 27 journeys 2 had their reply outside the sample, 1 (119332) opened with a
    # reply to a tweet outside it and 1 (119331) was addressed to no brand: 0 unanswered of the 23 known
    assert day["journeys"] == 27 and day["unanswered"] == 0
    assert jm.response_times(js).loc["119332", "opened_outside"]


# -- journeys by customer, bots' DM requests, first contact outside the data ----------------------


def test_by_customer_a_reply_answers_a_message_of_its_own_thread() -> None:
    frame = tweets(
        [
            (1, "9001", True, "Mon Oct 16 10:00:00", "@BrandA my order is three days late", None),
            (3, "9001", True, "Mon Oct 16 10:10:00", "@BrandB and my refund still hasn't arrived", None),
            (2, "BrandA", False, "Mon Oct 16 10:40:00", "@9001 Sorry, the courier lost it. We'll resend today. 1/2", 1),
            (4, "BrandA", False, "Mon Oct 16 10:41:00", "@9001 You'll get tracking by email tonight. 2/2 ^CD", 2),
        ]
    )
    js = jm.build_journeys(jm.read_twcs(frame), by="customer")
    replies = jm.reply_table(js)
    assert replies.loc["4", "answers"] == "1"  # not the tweet to BrandB that came in between
    assert replies.loc["4", "wait"] == pd.Timedelta("0:41:00")


def test_a_bots_dm_request_does_not_move_a_case() -> None:
    rows: list[tuple[int, str, bool, str, str, int | None]] = []
    canned = "Please send us a DM with your order number and we'll take a look."
    for k, customer in enumerate(["7001", "7002", "7003"]):
        b = 100 + 10 * k
        rows.append((b, customer, True, f"Tue Oct 17 {8 + k:02d}:00:00", f"@BrandC my parcel is lost {k}", None))
        rows.append((b + 1, "BrandC", False, f"Tue Oct 17 {8 + k:02d}:00:20", f"@{customer} {canned}", b))
    rows.append((131, "7003", True, "Tue Oct 17 12:00:00", "@BrandC I DMed you hours ago and nobody answered", 121))
    js = jm.build_journeys(jm.read_twcs(tweets(rows)))
    assert jm.reply_table(js)["automatic"].all()
    e = js.events.copy()
    e["valence"] = np.where(e["actor"] == "customer", -0.9, np.nan).astype(np.float32)
    e["emotion"], e["scorer"] = pd.array(np.where(e["actor"] == "customer", "anger", None), dtype="string"), "hand"
    t = jm.triage(js.with_events(e))
    assert t.loc["131", "status"] == "waiting"  # no person ever answered: before, "moved"
    # bots="include" counts the bot's message as a reply, but its canned "DM us" still moves nothing
    # (the docstring's "a human brand reply with touchpoint dm_request, not a bot's"; a triage review)
    assert jm.triage(js.with_events(e), bots="include").loc["131", "status"] == "waiting"


def test_messages_after_a_move_to_private_messages_are_not_unanswered() -> None:
    frame = tweets(
        [
            (1, "8001", True, "Mon Oct 16 10:00:00", "@BrandD my bill is wrong", None),
            (2, "BrandD", False, "Mon Oct 16 10:20:00", "@8001 Sorry! Please DM us your account number. ^KL", 1),
            (3, "8001", True, "Mon Oct 16 10:30:00", "@BrandD done, sent it", 2),
        ]
    )
    js = jm.build_journeys(jm.read_twcs(frame))
    rt = jm.response_times(js).iloc[0]
    assert (rt["unanswered"], rt["moved"]) == (0, 1)  # before: 1 unanswered, though the answer is in DMs


def test_by_customer_a_late_reply_stays_with_the_message_it_answers() -> None:
    frame = tweets(
        [
            (1, "9101", True, "Sun Oct 01 09:00:00", "@BrandE where is my refund?", None),
            (2, "BrandE", False, "Mon Oct 09 10:00:00", "@9101 Sorry for the wait, it is on its way ^MM", 1),  # 8 days later
            (3, "9101", True, "Mon Oct 09 10:15:00", "@BrandE thanks", 2),
            (4, "9101", True, "Mon Oct 30 10:15:00", "@BrandE new problem: app crashes", None),  # a new journey
        ]
    )
    js = jm.build_journeys(jm.read_twcs(frame), by="customer")
    assert js.events.groupby("journey_id")["event_id"].apply(list).tolist() == [["1", "2", "3"], ["4"]]
    rt = jm.response_times(js)
    assert rt.iloc[0]["first_response"] == pd.Timedelta("8 days 01:00:00") and not rt.iloc[0]["censored"]
    # a reply to an older journey, with another journey in between, does not join the one between
    between = tweets(
        [
            (1, "9102", True, "Sun Oct 01 09:00:00", "@BrandE where is my refund?", None),
            (2, "9102", True, "Wed Oct 11 09:00:00", "@BrandE and now the app crashes", None),
            (3, "BrandE", False, "Sat Oct 21 09:00:00", "@9102 Sorry, the refund is on its way ^MM", 1),
        ]
    )
    js = jm.build_journeys(jm.read_twcs(between), by="customer")
    assert js.events.groupby("journey_id")["event_id"].apply(list).tolist() == [["1"], ["2"], ["3"]]
    assert pd.isna(jm.response_times(js).loc["2", "first_response"])  # not "answered" by another's reply


# -- JourneySet as a container; a valence of one's own ---------------------------------------------


def test_journey_set_membership_selection_and_equality(tmp_path: object) -> None:
    from pathlib import Path

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
    first, second = js.journey_ids[:2]
    assert first in js and "no such journey" not in js and ["x"] not in js
    two = js.select([second, first])  # journey order, not the order asked
    assert two.journey_ids == [first, second] and len(two.events) == int(js.journeys.loc[[first, second], "n_steps"].sum())
    assert two.events["valence"].equals(js.events[js.events["journey_id"].isin([first, second])]["valence"])
    with pytest.raises(KeyError, match="no journey 'nope'"):
        js.select([first, "nope"])
    with pytest.raises(KeyError, match="no journey '0'"):  # not np.int64(0), nor a pandas error for a tuple
        js.select([0])
    with pytest.raises(KeyError, match="no journey"):
        js.select([("id",)])
    with pytest.raises(TypeError, match=r"use js.select\(\[...\]\) for several"):
        js[[first]]  # type: ignore[index]
    back = jm.read_journeys(js.to_parquet(Path(str(tmp_path)) / "js.parquet"))
    assert back.equals(js) and not back.equals(two) and not js.equals(js.events)


def test_a_valence_of_ones_own_without_emotion_labels_works_in_the_analytics() -> None:
    ev = jm.datasets.service_journeys(20, seed=0).events.reset_index(drop=True)
    ev["valence"] = np.where(ev["actor"].astype(str) == "customer", ev["true_valence"], np.nan)
    js = jm.build_journeys(jm.read_events(ev))
    assert js.is_scored and js.emotion_labels == []
    pain = jm.pain_points(js)  # KeyError 'emotion' before
    assert len(pain) > 0 and pain["mean_valence"].notna().all()
    assert jm.triage(js)["emotion"].isna().all()


def test_triage_and_response_times_agree_on_closing_messages() -> None:
    frame = tweets(
        [
            (1, "8101", True, "Mon Oct 16 10:00:00", "@BrandF my phone keeps crashing", None),
            (2, "BrandF", False, "Mon Oct 16 10:20:00", "@8101 Sorry! Please DM us the model. ^KL", 1),
            (3, "8101", True, "Mon Oct 16 10:30:00", "@BrandF still crashing, this is awful", 2),
            (4, "8101", True, "Mon Oct 16 12:30:00", "@BrandF problem solved, thank you so much!", 2),
        ]
    )
    js = jm.build_journeys(jm.read_twcs(frame))
    e = js.events.copy()
    e["valence"] = e["event_id"].map({"1": -0.7, "3": -0.8, "4": 0.9}).astype(np.float32)
    e["emotion"], e["scorer"] = pd.array(np.where(e["actor"] == "customer", "joy", None), dtype="string"), "hand"
    js = js.with_events(e)
    t = jm.triage(js)
    assert t.loc["4", "status"] == "closing" and "positive reply" in t.loc["4", "reason"]
    assert t.loc["3", "status"] == "closing" and "thanked the brand later" in t.loc["3", "reason"]  # it was "moved"
    rt = jm.response_times(js).iloc[0]
    assert (rt["unanswered"], rt["moved"], rt["closing"]) == (0, 0, 2)


def test_the_report_reads_the_triage_and_accounts_for_every_journey(tmp_path: object) -> None:
    from pathlib import Path

    from .conftest import TWCS_SAMPLE
    from .test_properties import crc_scores

    if not TWCS_SAMPLE.exists():
        pytest.skip("../shared/data/twcs_sample is not beside the checkout")
    js = crc_scores(jm.build_journeys(jm.read_twcs(TWCS_SAMPLE)))
    page = jm.report(js, Path(str(tmp_path)) / "r.html").read_text(encoding="utf-8")
    triage_html = page[page.index("<h2>Triage") : page.index("<h2>When customers write")]
    assert "&lt;NA&gt;" not in triage_html and '<th scope="row">–</th>' in triage_html  # unranked rows: a dash, not <NA>
    assert "<dt>triage status</dt>" in page and "positive per negative" in page
    rt = jm.response_times(js)
    opened = int(rt["opened_outside"].sum())
    # the note counts conversations since 2026-12-06 (by thread, a journey is one, as here)
    assert opened == 2 and f"{opened} conversations opened with a reply to a message outside the data" in page


# -- the code review of the session's diff ---------------------------------------------------------


def test_a_skewed_later_reply_does_not_answer_an_earlier_message() -> None:
    at = pd.Timestamp("2024-01-01 10:00", tz="UTC")
    rows = [
        ("m1", "customer", 0, None),
        ("r1", "agent", 30, "m1"),
        ("m2", "customer", 120, "r1"),
        ("r2", "agent", -60, "m2"),  # answers m2, stamped three hours early
    ]
    frame = pd.DataFrame(rows, columns=["event_id", "actor", "m", "in_reply_to"]).assign(customer_id="u")
    frame["timestamp"] = at + pd.to_timedelta(frame.pop("m"), unit="min")
    js = jm.build_journeys(jm.read_events(frame))
    waits = jm.reply_waits(js)["wait"]
    assert waits["m1"] == pd.Timedelta(minutes=30) and waits["m2"] == pd.Timedelta(0)  # m1 read 0 before
    assert jm.response_times(js).iloc[0]["first_response"] == pd.Timedelta(minutes=30)


def test_triage_and_response_times_agree_when_a_reply_is_also_outside_the_data() -> None:
    at = pd.Timestamp("2024-01-01 10:00", tz="UTC")
    rows = [
        ("c1", "u1", "customer", 0, "mention", None, False, -0.6),
        ("b1", "u1", "agent", 5, "dm_request", "c1", False, None),
        ("c2", "u1", "customer", 10, "follow_up", "b1", True, -0.2),
        ("c3", "u2", "customer", 0, "mention", None, False, -0.6),
        ("b3", "u2", "agent", 5, "public_reply", "c3", False, None),
        ("c4", "u2", "customer", 10, "follow_up", "b3", True, 0.9),
    ]
    columns = ["event_id", "customer_id", "actor", "m", "touchpoint", "in_reply_to", "reply_outside_data", "valence"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["timestamp"] = at + pd.to_timedelta(frame.pop("m"), unit="min")
    js = jm.build_journeys(jm.read_events(frame))
    status = jm.triage(js)["status"]
    assert status["c2"] == "moved" and status["c4"] == "closing"
    rt = jm.response_times(js)
    assert rt[["moved", "closing", "replied_outside"]].sum().tolist() == [1, 1, 0]


def test_a_numpy_timedelta_is_a_gap_with_a_unit() -> None:
    log = jm.datasets.service_journeys(5, seed=0)
    assert len(jm.build_journeys(log, by="customer", gap=np.timedelta64(7, "D"))) == len(jm.build_journeys(log, by="customer"))


@pytest.mark.filterwarnings("ignore:.*the data holds customer messages only:UserWarning")  # customer messages alone, on purpose
def test_triage_breaks_exact_ties_in_id_order() -> None:
    # from a ground-truth review: "100" ranked before "99" (text order), where journeys use id order
    frame = pd.DataFrame(
        {
            "event_id": ["100", "99"],
            "customer_id": "c",
            "timestamp": "2024-03-01 00:00",
            "actor": "customer",
            "thread_id": "T",
            "text": ["a", "b"],
        }
    )
    js = jm.build_journeys(jm.read_events(frame))
    e = js.events.assign(valence=np.float32(-0.5), emotion="neutral", emo_neutral=np.float32(0.5))
    assert list(jm.triage(js.with_events(e)).index) == list(js.events["event_id"]) == ["99", "100"]
