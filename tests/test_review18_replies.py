"""Review 18 of the reply figures on real TWCS threads: signatures, brand-to-brand replies, openings outside the data."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import journeymap as jm
from journeymap.io import _regex
from journeymap.io._social import agent_ids

from .conftest import TWCS_SAMPLE

needs_sample = pytest.mark.skipif(not TWCS_SAMPLE.is_file(), reason="../shared/data/twcs_sample is not beside the checkout")


def _stamp(minute: float) -> str:
    return (pd.Timestamp("2017-10-11 10:00") + pd.Timedelta(minutes=minute)).strftime("%a %b %d %H:%M:%S +0000 %Y")


def _tweets(*rows: tuple[str, str, bool, float, str, str | None]) -> pd.DataFrame:
    """TWCS rows from (tweet_id, author_id, inbound, minute, text, in_response_to_tweet_id)."""
    keys = ["tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id"]
    return pd.DataFrame([dict(zip(keys, (t, a, i, _stamp(m), x, p), strict=True)) for t, a, i, m, x, p in rows])


# --- 1. a closing word is no agent's name ------------------------------------------------------


def test_closing_words_routes_and_codes_after_a_marker_sign_nobody_and_real_signatures_still_do() -> None:
    unsigned = [
        "@1 We got your message. An agent will reply soon - Thanks!",
        "@1 The next train from Euston - Glasgow",
        "@1 Your flight LHR - JFK",
        "@1 Go to Settings > Privacy - Location",
        "@1 Glad we could help ^Cheers",
        "@1 Glad we could help -TY",
        "@1 Glad we could help - thank",
        "@1 All the answers are on our page - FAQ",
    ]
    signed = {  # the signatures of the TWCS sample, each checked by hand, and two more forms
        "@1 details of your concern. ^RR https://t.co/x": "RR",
        "@1 from another device, Miriam ^MM": "MM",
        "@1 the versions you're using /AY": "AY",
        "@1 so I can look into this matter for you. -AD": "AD",
        "@1 they will be challenged for ID. - Paige": "Paige",
        "@1 you'll still have a full basket :) Thanks - Mike": "Mike",
        "@1 the speed of the website responding? TY - Chris": "Chris",
        "@1 the browser and device so we can log this. Thanks - Lee 2/2": "Lee",
        "@1 We hope you get everything sorted.   Kind Regards ^Jools": "Jools",
        "@1 caused. 2/2 ^JR": "JR",
        "@1 That should fix it - JR": "JR",
        "@1 Fixed now -Becky :)": "Becky",
        # a customer's name before the agent's is no pair (diff review): only codes, or names after a cue
        "@1 Sorry about that Anna - Mike": "Mike",
        "@1 Glad to hear it, thanks Tom - Paige": "Paige",
        "@1 Your train from Euston to Glasgow - Amy": "Amy",
    }
    texts = pd.Series(unsigned + list(signed))
    got = agent_ids(texts, pd.Series(["B"] * len(texts)))
    assert got.iloc[: len(unsigned)].isna().all()
    assert got.iloc[len(unsigned) :].str[2:].tolist() == list(signed.values())
    if TWCS_SAMPLE.is_file():  # every signature of the sample is still read, and nothing else
        counts = jm.read_twcs(TWCS_SAMPLE).events["agent_id"].dropna().value_counts().to_dict()
        assert counts == {
            "SpotifyCares/AY": 5, "VirginTrains/MM": 2, "British_Airways/JR": 2, "SpotifyCares/MU": 2, "Tesco/Mike": 2,
            "ChaseSupport/RR": 1, "VirginTrains/HP": 1, "SpotifyCares/CP": 1, "comcastcares/AD": 1, "sprintcare/AC": 1,
            "SouthwestAir/AC": 1, "British_Airways/Jools": 1, "Tesco/Paige": 1, "Tesco/Helena": 1, "Tesco/Dani": 1,
            "HPSupport/Rashmi": 1, "UPSHelp/ML": 1, "Tesco/Chris": 1, "Tesco/Lee": 1,
        }  # fmt: skip


def test_a_bot_acknowledgement_ending_thanks_is_automatic_not_a_first_response() -> None:
    rows, n = [], 100
    for i, c in enumerate(["21", "22", "23"]):  # a bot acknowledges in 8 s; a person answers 45 min after the customer
        start = 60.0 * i
        rows += [
            (str(n), c, True, start, "@YHelp app crashes", None),
            (str(n + 1), "YHelp", False, start + 8 / 60, f"@{c} We got your message. An agent will reply soon - Thanks!", str(n)),
            (str(n + 2), c, True, start + 5, "@YHelp ok", str(n + 1)),
            (str(n + 3), "YHelp", False, start + 45, f"@{c} Hi, which version of the app do you have? -Kim", str(n + 2)),
        ]
        n += 4
    rows += [
        ("200", "25", True, 300, "@YHelp my bill is wrong", None),
        ("201", "YHelp", False, 330, "@25 Sorry about the bill, we have sent you a corrected one - Thanks!", "200"),
    ]
    js = jm.build_journeys(jm.read_twcs(_tweets(*rows)))
    assert sorted(js.events["agent_id"].dropna().unique()) == ["YHelp/Kim"]
    first = jm.response_times(js)["first_response"]
    assert sorted(first.astype(str)) == ["0 days 00:30:00"] + ["0 days 00:45:00"] * 3
    replies = jm.reply_table(js)
    assert replies.loc[["101", "105", "109"], "automatic"].all()


_PIECES = ["ab", "Ab", " ", "-", " - ", "/", "^", "\u2013", "Thanks", "Euston", "LHR", "JFK", "Paige", "JR", "!", "."]
_PIECES += ["\x0b", "é", "\n"]  # where RE2 and re read the text otherwise: re decides


@given(st.lists(st.one_of(st.none(), st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)), min_size=1, max_size=30))
def test_the_signature_patterns_give_pythons_answers_on_arrow(texts: list[str | None]) -> None:
    from journeymap.io._social import BEFORE_SIGNATURE_PATTERN, SPACED_SIGNATURE_PATTERN

    s = pd.Series(texts, dtype="string")
    for pattern in (SPACED_SIGNATURE_PATTERN, BEFORE_SIGNATURE_PATTERN):
        expected = s.str.extract(pattern, expand=False)
        got = _regex.extract(s, pattern)
        assert (
            got.astype(object).where(got.notna(), None).tolist() == expected.astype(object).where(expected.notna(), None).tolist()
        ), pattern


def test_the_signatures_read_on_dask_are_the_single_machine_ones() -> None:
    dask = pytest.importorskip("dask")
    import journeymap.distributed as jmd

    frame = pd.DataFrame(
        {
            "customer_id": ["u1", "YHelp", "u2", "YHelp", "u3", "YHelp"],
            "timestamp": pd.date_range("2017-10-11", periods=6, freq="min", tz="UTC"),
            "text": ["@YHelp app?", "@u1 An agent will reply soon - Thanks!", "@YHelp train?", "@u2 From Euston - Glasgow",
                     "@YHelp bill?", "@u3 Fixed it - Paige"],
        }
    )  # fmt: skip
    brands = {"yhelp": "YHelp"}
    with dask.config.set(scheduler="synchronous"):
        distributed = jmd.read_events(frame, brands=brands, npartitions=2).events.compute()
    single = jm.read_events(frame, brands=brands).events
    assert single["agent_id"].fillna("-").tolist() == ["-", "-", "-", "-", "-", "YHelp/Paige"]
    assert distributed.sort_values("timestamp")["agent_id"].fillna("-").tolist() == single["agent_id"].fillna("-").tolist()


# --- 2. a brand's reply under another brand's reply answers the customer's tweet ---------------


def test_a_brand_answering_under_another_brands_reply_answers_the_customers_tweet() -> None:
    log = jm.read_twcs(
        _tweets(
            ("1", "115", True, 0, "@UPSHelp @AmazonHelp where is my parcel?", None),
            ("2", "UPSHelp", False, 30, "@115 @AmazonHelp please contact the shipper ^AB", "1"),
            ("3", "AmazonHelp", False, 40, "@UPSHelp @115 we are looking into it -JK", "2"),
        )
    )
    js = jm.build_journeys(log)
    replies = jm.reply_table(js)
    assert replies["answers"].tolist() == ["1", "1"]
    assert replies["wait"].tolist() == [pd.Timedelta("30min"), pd.Timedelta("40min")]
    # one journey, whose first response is UPS's (as response_times times it); Amazon's is its own in the league
    assert replies["first_response"].tolist() == [True, False]
    assert jm.response_times(js).loc["1", "first_response"] == pd.Timedelta("30min")
    league = jm.service_levels(js, by="brand")
    assert league.loc["AmazonHelp", "first_response_median"] == replies.loc["3", "wait"]
    assert league.loc["UPSHelp", "first_response_median"] == replies.loc["2", "wait"]
    # a brand's reply under its own reply, after the customer answered it, answers that answer, as before
    log = jm.read_twcs(
        _tweets(
            ("1", "115", True, 0, "@AskBrand my order is late", None),
            ("2", "AskBrand", False, 10, "@115 Sorry! Which order? ^AB", "1"),
            ("3", "115", True, 20, "@AskBrand order 42", "2"),
            ("4", "AskBrand", False, 50, "@115 It ships today ^AB", "2"),  # under its own reply, after the customer's answer
            ("5", "AskBrand", False, 55, "@115 and here is the tracking link ^AB", "4"),
        )
    )
    replies = jm.reply_table(jm.build_journeys(log))
    assert replies["answers"].tolist() == ["1", "3", "3"]
    assert replies["wait"].tolist() == [pd.Timedelta("10min"), pd.Timedelta("30min"), pd.Timedelta("35min")]


# --- 3. a journey that opens outside the data: its first response is the reply to the message outside


def test_a_journey_opened_outside_the_data_flags_no_reply_to_a_follow_up_as_its_first_response() -> None:
    log = jm.read_twcs(
        _tweets(
            ("2", "AskBrand", False, 0, "@115 Glad to help, the team will email you ^HP", "1"),  # answers "1", not in the data
            ("3", "115", True, 60, "@AskBrand still nothing", "2"),
            ("4", "AskBrand", False, 90, "@115 Sorry, we have chased it for you ^LE", "3"),
        )
    )
    js = jm.build_journeys(log)
    rt = jm.response_times(js)
    assert bool(rt.loc["2", "opened_outside"]) and pd.isna(rt.loc["2", "first_response"])
    replies = jm.reply_table(js)
    # the reply to the message outside is the first response (untimed), as the stage says
    assert replies.index[replies["first_response"]].tolist() == ["2"] and pd.isna(replies.loc["2", "wait"])
    assert replies.index[replies["first_acknowledgement"]].tolist() == ["2"]
    assert js.events.set_index("event_id")["stage"].astype(str).to_dict() == {
        "2": "first_response",
        "3": "follow_up",
        "4": "resolution",
    }
    assert replies.loc["4", "wait"] == pd.Timedelta("30min")  # the follow-up's wait is still its own
    # the journey is the agent's who answered the customer's first contact (outside the data), untimed
    agents = jm.service_levels(js, by="agent")
    assert agents.loc["AskBrand/HP", "journeys"] == 1 and agents.loc["AskBrand/LE", "journeys"] == 0
    assert agents["first_response_median"].isna().all()
    assert agents.loc["AskBrand/HP", ["within_sla", "unanswered"]].isna().all()


@needs_sample
def test_the_two_sample_journeys_opened_outside_the_data_follow_response_times() -> None:
    js = jm.build_journeys(jm.read_twcs(TWCS_SAMPLE))
    rt = jm.response_times(js).loc[["119246", "119332"]]
    assert rt["opened_outside"].all() and rt["first_response"].isna().all()
    replies = jm.reply_table(js).loc[["119240", "119335"]]
    assert not replies["first_response"].any() and not replies["first_acknowledgement"].any()
    assert jm.reply_table(js).loc[["119246", "119332"], "first_response"].all()
    # every other flagged first response is the reply response_times times, journey by journey
    flagged = jm.reply_table(js).query("first_response").drop(["119246", "119332"])
    timed = jm.response_times(js)["first_response"].dropna()
    assert sorted(flagged["journey_id"]) == sorted(timed.index)
    first_message = js.events[js.events["actor"] == "customer"].groupby("journey_id")["timestamp"].min()
    at = flagged.set_index("journey_id")["timestamp"]
    assert (at - first_message.reindex(at.index)).sort_index().tolist() == timed.sort_index().tolist()
    agents = jm.service_levels(js, by="agent")
    assert agents.loc[["VirginTrains/(unsigned)", "Tesco/Lee"], "journeys"].tolist() == [0, 0]
    assert agents.loc[["VirginTrains/HP", "Tesco/Chris"], "journeys"].tolist() == [1, 1]


# --- the diff review: a journey opened by a bot's reply outside it, or by a reply to another journey


def _opened(rows: list[tuple[str, str, str, str | None, str]]) -> jm.JourneySet:
    t = pd.Timestamp("2024-01-01T10:00Z")
    frame = pd.DataFrame(
        {
            "event_id": [r[0] for r in rows],
            "customer_id": "u1",
            "thread_id": [r[1] for r in rows],
            "timestamp": [t + pd.Timedelta(minutes=30 * i) for i in range(len(rows))],
            "actor": [r[2] for r in rows],
            "in_reply_to": [r[3] for r in rows],
            "text": [r[4] for r in rows],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jm.build_journeys(jm.read_events(frame))


def test_a_journey_opened_outside_by_a_bot_has_its_first_person_reply_as_first_response() -> None:
    js = _opened(
        [
            ("b0", "t1", "bot", "x_outside", "Thanks, we will reply soon"),
            ("c1", "t1", "customer", "b0", "still broken"),
            ("a2", "t1", "agent", "c1", "sorry, fixed now"),
        ]
    )
    assert js.events["stage"].astype(str).tolist() == ["contact", "contact", "first_response"]
    replies = jm.reply_table(js)
    assert replies.index[replies["first_response"]].tolist() == ["a2"]
    assert replies.index[replies["first_acknowledgement"]].tolist() == ["b0"]
    times = jm.response_times(js)
    assert bool(times.loc["b0", "opened_outside"]) and pd.isna(times.loc["b0", "first_response"])


def test_a_journey_opened_by_a_reply_to_another_journeys_message_opens_outside_it() -> None:
    """Threads given that split a reply from its message: the stages, reply_table and
    response_times all read the journey alone (on a cluster too, where the other journey may be
    in another partition)."""
    js = _opened(
        [
            ("c0", "t1", "customer", None, "broken"),
            ("a1", "t2", "agent", "c0", "looking"),
            ("c2", "t2", "customer", "a1", "still broken"),
            ("a3", "t2", "agent", "c2", "fixed"),
        ]
    )
    stages = dict(zip(js.events["event_id"], js.events["stage"].astype(str), strict=True))
    assert stages["a1"] == "first_response" and stages["a3"] == "resolution"
    replies = jm.reply_table(js)
    assert replies.index[replies["first_response"]].tolist() == ["a1"]
    times = jm.response_times(js)
    assert bool(times.loc["a1", "opened_outside"]) and not bool(times.loc["c0", "opened_outside"])
