"""Pins of the synthetic data generator, :func:`journeymap.datasets.service_journeys` (rv68 mutation review).

Each test names the mutant (``Mnn``) it kills and the rule it pins: the argument checks, the added cases'
own random stream, the time-of-day weights, one to four conversations per customer and customer messages
per thread, the period, the planted recovery penalty and reply medians, which emotion may stand where, the
event ids, reply links and thread ids, the brand's reply kinds and signatures, the move to private messages,
the bot's acknowledgements, bystanders, broadcasts, customer attributes and the columns. The review's
defects D1-D4 (fixed) are pinned too: the brand's answer to a complaint, the argument checks, the
signers' own stream. Mutant ids and results are listed in the review's findings file.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
import pytest

from journeymap.datasets import _NEGATIVE, _POSITIVE, PLANTED, _hour_weights, service_journeys
from journeymap.exceptions import InvalidArgumentError


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return service_journeys(n_customers=1500, seed=7).events


def _main(events: pd.DataFrame) -> pd.DataFrame:
    """The customers' own threads (ids ``e...``), each row with the id of its thread's opener as ``thread``."""
    main = events[events["event_id"].str.startswith("e")]
    return main.assign(thread=main["thread_id"].fillna(main["event_id"]))


def test_argument_checks_name_the_argument_and_admit_the_bounds() -> None:
    # M2 (bystanders <= 2 admitted) and M3 (broadcasts < -1 refused only): a share outside [0, 1] and a
    # negative count are refused, naming the argument; the bounds themselves are admitted
    for bad in (1.5, -0.1):
        with pytest.raises(InvalidArgumentError, match=r"bystanders must be a share in \[0, 1\]"):
            service_journeys(2, bystanders=bad)
    with pytest.raises(InvalidArgumentError, match=r"^broadcasts must be at least 0, got -1"):
        service_journeys(2, broadcasts=-1)
    with pytest.raises(InvalidArgumentError, match="n_customers must be at least 1, got 0"):
        service_journeys(0)
    one = service_journeys(1, bystanders=1.0).events
    assert set(one["customer_id"]) == {"c000000"} | {c for c in one["customer_id"] if c.startswith("b")}
    assert one["customer_id"].str.startswith("b").any()  # bystanders=1: every thread has one
    assert len(service_journeys(1, bystanders=0.0, broadcasts=0).events) > 0


def test_the_added_cases_leave_the_customers_rows_as_they_were() -> None:
    # M4 (the added cases drawn from the main stream): bystanders, the bot, signing agents and broadcasts
    # come from a stream of their own and ids of their own, so the customers' rows are the same without them
    bare = service_journeys(80, seed=5, bystanders=0, bot=False, agents=False).events
    full = service_journeys(80, seed=5, broadcasts=2).events
    assert set(bare["event_id"].str[0]) == {"e"}
    assert set(full["event_id"].str[0]) == {"e", "a", "x", "n"}
    mine = full[full["event_id"].str.startswith("e")].reset_index(drop=True)
    columns = [c for c in bare.columns if c not in {"text", "agent_id"}]
    pd.testing.assert_frame_equal(mine[columns], bare[columns])
    # the agents' signature is the only change to the text
    unsigned = mine["text"].str.replace(r" \^\w+$", "", regex=True)
    assert unsigned.equals(bare["text"])
    assert (mine["text"] != bare["text"]).sum() == mine["agent_id"].notna().sum() > 0


def test_hour_weights_peak_mid_afternoon_and_keep_the_night_busy() -> None:
    # M5 (the peak moved to 02:00) and M6 (no floor under the bell: almost no night traffic)
    w = _hour_weights()
    assert w.shape == (24,) and w.sum() == pytest.approx(1.0)
    assert int(np.argmax(w)) == 14
    assert w[13] == pytest.approx(w[15]) and w[10] < w[12] < w[14]
    assert 0.2 < w[2] / w.max() < 0.25  # the floor: night is a fifth as busy as 14:00, not empty


def test_one_to_four_conversations_and_customer_messages(events: pd.DataFrame) -> None:
    # M7 (up to five conversations per customer) and M13 (up to five customer messages per thread):
    # each customer has one to four conversations, each with one to four customer messages
    main = _main(events)
    customer = main[main["actor"] == "customer"]
    openers = customer[customer["in_reply_to"].isna()]
    per_customer = openers.groupby("customer_id").size()
    assert len(per_customer) == 1500 and per_customer.min() == 1 and per_customer.max() == 4
    per_thread = customer.groupby("thread").size()
    assert per_thread.min() == 1 and per_thread.max() == 4
    assert 5.5 < len(events) / 1500 < 7  # "about six events per customer on average"


def test_the_pain_point_recovers_less_often(events: pd.DataFrame) -> None:
    # M12 (billing's recovery penalty 0.75 dropped): billing threads end on a customer's thanks about
    # three quarters as often as other threads (0.27 against 0.37 here)
    main = _main(events)
    customer = main[main["actor"] == "customer"]
    last = customer.groupby("thread").tail(1)
    recovered = last["true_emotion"].isin(_POSITIVE)
    billing = last["touchpoint"] == PLANTED["pain_point"]
    ratio = recovered[billing].mean() / recovered[~billing].mean()
    assert 0.6 < ratio < 0.85


def test_which_emotion_stands_where_in_a_thread(events: pd.DataFrame) -> None:
    # M15 (a failed recovery may end sad): sadness and curiosity only open a thread, a thread never opens
    # happy, a later message is a middle one's (neutral, confusion, annoyance, nervousness) or an ending's
    main = _main(events)
    customer = main[main["actor"] == "customer"]
    opener = customer["in_reply_to"].isna()
    assert set(customer.loc[opener, "true_emotion"]) == {*_NEGATIVE, "neutral", "confusion", "nervousness", "curiosity"}
    later = set(customer.loc[~opener, "true_emotion"])
    assert later == {"neutral", "confusion", "annoyance", "nervousness", *_POSITIVE, *_NEGATIVE[:3]}
    assert "sadness" not in later and "curiosity" not in later


def test_event_ids_count_up_from_zero_per_kind() -> None:
    # M16 (the counter steps by two): ids are the kind's letter and a count from 0, one per row, no gaps
    ids = service_journeys(40, seed=1, broadcasts=1).events["event_id"]
    assert ids.is_unique
    for prefix, group in ids.groupby(ids.str[0]):
        assert sorted(group) == [f"{prefix}{i:08d}" for i in range(len(group))]


def test_reply_links_and_thread_ids_lead_to_the_opener() -> None:
    # M20 (the bot's acknowledgement left without a thread id): every reply points at an existing,
    # earlier event, and its thread id is the id of the message its chain of replies starts from
    events = service_journeys(150, seed=2, broadcasts=2).events
    by_id = events.set_index("event_id")
    replies = by_id[by_id["in_reply_to"].notna()]
    assert replies["in_reply_to"].isin(by_id.index).all()
    parent_time = by_id.loc[replies["in_reply_to"], "timestamp"].to_numpy()
    assert (replies["timestamp"].to_numpy() >= parent_time).all()
    assert by_id.loc[by_id["in_reply_to"].isna(), "thread_id"].isna().all()
    root: dict[str, str] = {}
    for event_id, first_parent in by_id["in_reply_to"].items():
        up, parent = str(event_id), first_parent
        while pd.notna(parent):
            up, parent = str(parent), by_id.at[parent, "in_reply_to"]
        root[str(event_id)] = up
    assert replies["thread_id"].tolist() == [root[i] for i in replies.index]
    assert (by_id["true_automatic"]).sum() > 10  # the bot's rows are among them


def test_a_customers_thanks_ends_the_thread(events: pd.DataFrame) -> None:
    # M24 (the break after a final thanks dropped): nothing answers a customer's thanks, and the thanks
    # is its thread's last row
    main = _main(events)
    happy = main.loc[(main["actor"] == "customer") & main["true_emotion"].isin(_POSITIVE), "event_id"]
    assert len(happy) > 100
    assert not events["in_reply_to"].isin(happy).any()
    assert set(main.groupby("thread").tail(1)["event_id"]) >= set(happy)


def test_the_brand_cares_about_a_complaint_and_is_neutral_otherwise(events: pd.DataFrame) -> None:
    # M30 (the caring/neutral choice negated): a brand's reply (not the DM request, not the bot) is caring
    # where the customer's message was negative and neutral where it was not
    main = _main(events)
    emotion = main.set_index("event_id")["true_emotion"]
    reply = main[(main["actor"] == "agent") & ~main["text"].str.contains("send us a DM")]
    asked = emotion.loc[reply["in_reply_to"]].to_numpy()
    caring = (reply["true_emotion"] == "caring").to_numpy()
    neutral = (reply["true_emotion"] == "neutral").to_numpy()
    assert caring.sum() > 100 and neutral.sum() > 100
    assert pd.Series(asked[caring]).isin(_NEGATIVE).all()
    assert not pd.Series(asked[neutral]).isin(_NEGATIVE).any()


def test_a_thread_moves_to_private_messages_only_after_its_opener(events: pd.DataFrame) -> None:
    # M28 (the DM request on any turn), M31 (the customer stays public after it) and M32 (the thread
    # moves back to public after a later reply): only the brand's first answer asks for a DM, the
    # request is public, every row after it is on the channel "dm", no row before it is
    main = _main(events).sort_values("event_id")
    request = main["text"].str.contains("send us a DM")
    assert request.sum() > 100
    opener_ids = set(main.loc[main["in_reply_to"].isna(), "event_id"])
    assert main.loc[request, "in_reply_to"].isin(opener_ids).all()
    moved = request.groupby(main["thread"]).transform(lambda s: s.cumsum().shift(fill_value=0) > 0)
    assert (main.loc[moved, "channel"] == "dm").all() and moved.sum() > 100
    assert (main.loc[~moved, "channel"] != "dm").all()
    assert main.loc[moved, "actor"].eq("customer").any()


def test_about_one_thread_in_seven_gets_no_brand_reply(events: pd.DataFrame) -> None:
    # M25 (the chances of no answer to a thread's last and middle messages swapped): a thread's last
    # customer message goes unanswered three times in ten, a middle one about one in twelve; 13.5% of the
    # customers' threads get no human brand reply at all
    main = _main(events)
    answered = (main["actor"] == "agent").groupby(main["thread"]).any()
    assert len(answered) > 2000
    assert 0.1 < (~answered).mean() < 0.17


def test_the_brand_answers_a_complaint_with_care_and_a_recovering_one_message_thread_is_sorted(events: pd.DataFrame) -> None:
    # D1 (fixed): the gratitude reply (elif last and recovers) was reached only on a one-message thread,
    # since a final thanks ends a longer thread before the brand answers; so "glad we could help with your
    # bill! have a great day." (true_emotion gratitude) answered the opening complaint ("this is
    # ridiculous, my bill is wrong AGAIN"). Now such a thread's only message gets the answer that sorts it.
    by_id = events.set_index("event_id")
    replies = events[(events["actor"] == "agent") & events["in_reply_to"].notna() & events["event_id"].str.startswith("e")]
    asked = by_id.loc[replies["in_reply_to"]]
    to_customer = (asked["actor"] == "customer").to_numpy()
    to_complaint = to_customer & asked["true_emotion"].isin(_NEGATIVE).to_numpy()
    assert to_complaint.sum() > 500
    assert (replies["true_emotion"].to_numpy()[to_complaint] == "caring").all()
    assert not replies["text"].str.contains("glad we could help").any()
    sorted_ = replies["text"].str.contains("is sorted now")
    assert sorted_.sum() > 50
    # each answers a thread's opener, the thread's only customer message
    asked_ids = replies.loc[sorted_, "in_reply_to"].to_numpy()
    assert by_id.loc[asked_ids, "thread_id"].isna().all()
    mine = events[(events["actor"] == "customer") & events["event_id"].str.startswith("e")]
    per_thread = mine.groupby(mine["thread_id"].fillna(mine["event_id"])).size()
    assert (per_thread.reindex(asked_ids) == 1).all()


def test_bystanders_chime_in_on_the_share_of_threads_asked_and_are_answered_half_the_time() -> None:
    # M38 (every bystander answered) and M63 (fewer bystanders than the share asked): a bystander's "same
    # here" answers a thread's opener, on its channel and in its thread, in the share of threads asked
    # for; the brand answers about half of them, each answer replying to the bystander's remark
    events = service_journeys(300, seed=4, bystanders=0.5, bot=False).events
    by_id = events.set_index("event_id")
    openers = events[events["event_id"].str.startswith("e") & events["in_reply_to"].isna()]
    said = events[events["event_id"].str.startswith("x") & (events["actor"] == "customer")]
    answer = events[events["event_id"].str.startswith("x") & (events["actor"] == "agent")]
    assert said["customer_id"].str.fullmatch(r"b\d{6}").all() and said["true_emotion"].eq("annoyance").all()
    assert said["in_reply_to"].isin(openers["event_id"]).all() and said["in_reply_to"].is_unique
    assert (said["thread_id"] == said["in_reply_to"]).all()
    assert (said["channel"].to_numpy() == by_id.loc[said["in_reply_to"], "channel"].to_numpy()).all()
    assert 0.45 < len(said) / len(openers) < 0.55
    assert answer["in_reply_to"].isin(said["event_id"]).all() and answer["in_reply_to"].is_unique
    assert (answer["customer_id"].to_numpy() == by_id.loc[answer["in_reply_to"], "customer_id"].to_numpy()).all()
    assert 0.4 < len(answer) / len(said) < 0.6


def test_broadcasts_are_the_brands_posts_with_two_to_four_replies_each() -> None:
    # M40 (two to five replies) and M41 (the post under another customer id), M113 below: each brand posts the number
    # of notices asked for, under its own account as customer_id, on twitter, touchpoint "broadcast";
    # two to four customers answer each, and the brand answers some of them
    events = service_journeys(5, seed=6, broadcasts=20).events
    cast = events[events["event_id"].str.startswith("n")]
    assert (cast["touchpoint"] == "broadcast").all() and (cast["channel"] == "twitter").all()
    posts = cast[cast["in_reply_to"].isna()]
    assert posts["brand"].value_counts().to_dict() == {"NovaTel": 20, "Parcelo": 20, "Streamly": 20}
    assert (posts["customer_id"] == posts["brand"]).all() and (posts["actor"] == "agent").all()
    replies = cast[cast["actor"] == "customer"]
    assert replies["customer_id"].str.fullmatch(r"r\d{6}").all()
    per_post = replies.groupby("in_reply_to").size()
    assert set(per_post.index) == set(posts["event_id"])
    assert per_post.min() == 2 and per_post.max() == 4
    answers = cast[(cast["actor"] == "agent") & cast["in_reply_to"].notna()]
    assert answers["in_reply_to"].isin(replies["event_id"]).all() and 0.3 < len(answers) / len(replies) < 0.7
    # M113 (the brand's answers under a notice unsigned): NovaTel's and Parcelo's agents sign them too
    signs = answers["brand"] != PLANTED["bot_brand"]
    assert answers.loc[signs, "agent_id"].notna().all() and answers.loc[~signs, "agent_id"].isna().all()
    assert signs.any() and (~signs).any()
    # the rest of the log does not depend on the broadcasts asked for
    rest = events[~events["event_id"].str.startswith("n")].reset_index(drop=True)
    pd.testing.assert_frame_equal(rest, service_journeys(5, seed=6).events)


def test_the_brand_answers_in_about_20_minutes_by_day_and_80_by_night(events: pd.DataFrame) -> None:
    # M47 (the day's median 30 minutes) and M47b (the day's median 1.5 times longer): the module docstring's
    # "median about 80 minutes instead of 20", a brand reply timed from the customer message it answers
    main = _main(events).set_index("event_id")
    reply = main[main["actor"] == "agent"]
    asked = main.loc[reply["in_reply_to"]]
    assert (asked["actor"] == "customer").all()
    wait = (reply["timestamp"].to_numpy() - asked["timestamp"].to_numpy()) / pd.Timedelta("1min")
    night = asked["timestamp"].dt.hour.isin(PLANTED["night_hours"]).to_numpy()
    assert night.sum() > 300
    assert 17 < np.median(wait[~night]) < 23
    assert 70 < np.median(wait[night]) < 90


def test_agents_sign_with_a_caret_and_only_novatel_and_parcelo() -> None:
    # M50 (another signature mark) and M62b (bot= not checked): NovaTel and Parcelo agents end their reply
    # with " ^" and their initials, which agent_id names after the brand; Streamly's replies are unsigned
    events = service_journeys(200, seed=8).events
    signing = list(cast("tuple[str, ...]", PLANTED["signing_brands"]))
    human = events[(events["actor"] == "agent") & ~events["true_automatic"] & (events["touchpoint"] != "broadcast")]
    signed = human[human["agent_id"].notna()]
    assert set(signed["brand"]) == set(signing)
    assert (signed["agent_id"].str.split("/").str[0] == signed["brand"]).all()
    initials = signed["agent_id"].str.split("/").str[1]
    assert [t.endswith(f" ^{i}") for t, i in zip(signed["text"], initials, strict=True)] == [True] * len(signed)
    assert human.loc[human["brand"].isin(signing), "agent_id"].notna().all()
    streamly = human[human["brand"] == "Streamly"]
    assert len(streamly) > 20 and streamly["agent_id"].isna().all() and not streamly["text"].str.contains("^", regex=False).any()
    from journeymap.exceptions import ArgumentTypeError

    with pytest.raises(ArgumentTypeError, match=r"^bot must be True or False, got str 'no'"):
        service_journeys(5, bot="no")  # type: ignore[arg-type]


def test_a_period_of_no_days_is_refused_by_name() -> None:
    # D2 (fixed): service_journeys(5, days=0) raised numpy's ValueError "high <= 0" from rng.integers(days)
    with pytest.raises(ValueError, match="days"):
        service_journeys(5, days=0)


def test_a_negative_seed_is_refused_by_name() -> None:
    # D3 (fixed): service_journeys(5, seed=-1) raised numpy's ValueError "expected non-negative integer"
    with pytest.raises(ValueError, match="seed"):
        service_journeys(5, seed=-1)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"seed": 1.5}, TypeError, r"^seed must be a whole number \(an int\), got float 1.5"),
        ({"n_customers": "5"}, TypeError, r"^n_customers must be a whole number"),
        ({"n_customers": 2.5}, TypeError, r"^n_customers must be a whole number"),
        ({"broadcasts": 1.5}, TypeError, r"^broadcasts must be a whole number"),
        ({"bystanders": "0.1"}, TypeError, r"^bystanders must be a share \(a number in \[0, 1\]\), got str"),
        ({"bystanders": float("nan")}, ValueError, r"^bystanders must be a share in \[0, 1\]"),
        ({"days": -3}, ValueError, r"^days must be at least 1, got -3"),
        ({"start": "yesterday"}, ValueError, r"^start must be a date such as '2024-03-04', got 'yesterday'"),
    ],
)
def test_every_argument_of_the_wrong_type_or_range_is_refused_by_name(
    options: dict[str, object], error: type, message: str
) -> None:
    # D3 (fixed): the other arguments failed with bare TypeErrors from '<' or numpy's own messages
    with pytest.raises(error, match=message):
        service_journeys(**({"n_customers": 5} | options))  # type: ignore[arg-type]


def test_a_start_with_an_offset_is_the_same_instant_in_utc() -> None:
    utc = service_journeys(5, seed=2, start="2024-03-04").events
    pd.testing.assert_frame_equal(service_journeys(5, seed=2, start="2024-03-04T02:00+02:00").events, utc)


def test_threads_open_within_the_period_asked_for() -> None:
    # M70 (start ignored): every thread and every broadcast opens on one of the `days` days from `start`
    events = service_journeys(100, seed=1, start="2023-01-01", days=7, broadcasts=2).events
    opened = events.loc[events["in_reply_to"].isna(), "timestamp"]
    assert opened.min() >= pd.Timestamp("2023-01-01", tz="UTC")
    assert opened.max() < pd.Timestamp("2023-01-08", tz="UTC")
    assert opened.dt.normalize().nunique() == 7


def test_the_bot_acknowledges_each_streamly_thread_once_in_neutral_words() -> None:
    # M71 (the acknowledgement's intended emotion "caring"): every Streamly thread's first message gets one
    # acknowledgement, neutral, unsigned, within 2 to 19 seconds; bot=False leaves none
    from journeymap.datasets import BOT_TEXT

    events = service_journeys(150, seed=9).events
    ack = events[events["true_automatic"]]
    openers = events[events["event_id"].str.startswith("e") & events["in_reply_to"].isna()]
    streamly = openers[openers["brand"] == PLANTED["bot_brand"]]
    assert sorted(ack["in_reply_to"]) == sorted(streamly["event_id"])
    assert ack["event_id"].str.startswith("a").all() and (ack["actor"] == "agent").all()
    assert (ack["true_emotion"] == "neutral").all() and (ack["true_valence"] == 0.0).all()
    assert ack["agent_id"].isna().all()
    assert (ack["text"] == [BOT_TEXT.format(cust=c) for c in ack["customer_id"]]).all()
    delay = ack["timestamp"].to_numpy() - streamly.set_index("event_id").loc[ack["in_reply_to"], "timestamp"].to_numpy()
    assert (delay >= pd.Timedelta(seconds=2)).all() and (delay < pd.Timedelta(seconds=20)).all()
    # M111 (the acknowledgement sent as a private message): it answers in public, on the opener's channel
    assert (ack["channel"].to_numpy() == streamly.set_index("event_id").loc[ack["in_reply_to"], "channel"].to_numpy()).all()
    assert not service_journeys(150, seed=9, bot=False).events["true_automatic"].any()


def test_every_customer_has_one_tier_region_and_device() -> None:
    # M72 (a bystander without attributes) and M73 (the device drawn per thread): customers, bystanders and
    # broadcast repliers all have a tier, region and device, one each; only a brand's own post has none
    events = service_journeys(300, seed=3, bystanders=0.3, broadcasts=2).events
    people = events[events["touchpoint"].ne("broadcast") | events["in_reply_to"].notna()]
    assert people["tier"].isin(["free", "plus", "premium"]).all()
    assert people["region"].isin(["north", "south", "east", "west"]).all()
    assert people["device"].isin(["ios", "android", "web"]).all()
    for column in ("tier", "region", "device"):
        assert people.groupby("customer_id")[column].nunique().max() == 1
    for kind in ("b", "r"):
        assert people.loc[people["customer_id"].str.startswith(kind), "tier"].nunique() == 3
    posts = events[(events["touchpoint"] == "broadcast") & events["in_reply_to"].isna()]
    assert len(posts) == 6 and posts[["tier", "region", "device"]].isna().all().all()


def test_a_message_names_a_thing_of_its_touchpoint() -> None:
    # M75 (every thread's "thing" a billing thing): the customer's and the brand's words name what the
    # thread is about, a thing of its touchpoint ("parcel" for delivery, "invoice" for billing)
    from journeymap.datasets import _THING

    events = service_journeys(60, seed=2, bot=False, bystanders=0).events
    names = [any(thing in text for thing in _THING[tp]) for text, tp in zip(events["text"], events["touchpoint"], strict=True)]
    assert names == [True] * len(events)
    assert events["touchpoint"].nunique() == 6


def test_the_customer_answers_the_brand_about_half_an_hour_later(events: pd.DataFrame) -> None:
    # M76 (no time between a brand reply and the customer's next message): a customer's message in answer
    # to the brand comes later, about 30 minutes (the median) after it
    main = _main(events).set_index("event_id")
    follow = main[(main["actor"] == "customer") & main["in_reply_to"].notna()]
    asked = main.loc[follow["in_reply_to"]]
    assert (asked["actor"] == "agent").all() and len(follow) > 1000
    wait = (follow["timestamp"].to_numpy() - asked["timestamp"].to_numpy()) / pd.Timedelta("1min")
    assert (wait > 0).all()
    assert 25 < np.median(wait) < 35


def test_the_columns_are_the_canonical_ones_without_stage_and_the_documented_extras() -> None:
    # M92 (an empty "stage" column added): the documented columns, in order: the canonical ones but stage
    # (a stage map of this data goes by touchpoint), then brand, tier, region, device, true_emotion,
    # true_automatic and true_valence
    from journeymap.schema import CANONICAL_COLUMNS

    events = service_journeys(5, seed=0).events
    canonical = [c for c in CANONICAL_COLUMNS if c != "stage"]
    extras = ["brand", "tier", "region", "device", "true_emotion", "true_automatic", "true_valence"]
    assert list(events.columns) == [*canonical, *extras]
    assert "agent_id" in canonical and events["true_automatic"].dtype == bool
    assert str(events["timestamp"].dtype) == "datetime64[ns, UTC]"


def test_turning_bystanders_or_the_bot_off_changes_no_customer_thread_row() -> None:
    # D4 (fixed: the signers have a stream of their own now): the module docstring says the added cases'
    # rows come from a stream of their own "so the rows above are the same with or without them"; but the
    # signing agents were drawn from that same stream, so with bystanders=0 (or bot=False) 79 (88) of the
    # 115 signed replies of this log named another agent
    full = service_journeys(80, seed=5).events
    mine = full[full["event_id"].str.startswith("e")].reset_index(drop=True)
    for option in ({"bystanders": 0.0}, {"bot": False}):
        other = service_journeys(80, seed=5, **option).events
        pd.testing.assert_frame_equal(other[other["event_id"].str.startswith("e")].reset_index(drop=True), mine)
