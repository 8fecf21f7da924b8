"""From a review as a CX analyst with helpdesk tickets and survey comments (2026-12-05, ninth session).

Tickets carry a ticketing tool's acknowledgements and status changes (actor ``system``); survey
comments have no replies at all. Each test failed on the code before its fix.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path

# id, ticket, customer, seconds, actor, agent_id, text
_TICKETS = [
    ("1", "T1", "C1", 0, "customer", None, "My card has not arrived after two weeks"),
    ("2", "T1", "C1", 30, "system", "A9", "We received your request #T1 and will reply soon"),
    ("3", "T1", "C1", 2700, "agent", "A1", "Sorry about that, I have reissued your card"),
    ("5", "T2", "C2", 3600, "customer", None, "Why was I charged twice for one payment?"),
    ("6", "T2", "C2", 3610, "system", "A9", "We received your request #T2 and will reply soon"),
    ("15", "T5", "C5", 7200, "customer", None, "Where is my refund?"),
    ("16", "T5", "C5", 7205, "system", None, "We received your request #T5 and will reply soon"),
    ("17", "T5", "C5", 14400, "agent", "A1", "Your refund was sent yesterday"),
]


def _tickets() -> jm.JourneySet:
    frame = pd.DataFrame(_TICKETS, columns=["event_id", "thread_id", "customer_id", "seconds", "actor", "agent_id", "text"])
    frame["timestamp"] = pd.Timestamp("2024-03-04 09:00", tz="UTC") + pd.to_timedelta(frame.pop("seconds"), unit="s")
    return jm.build_journeys(frame)


def test_a_system_acknowledgement_is_no_agents_first_response_with_bots_included() -> None:
    league = jm.service_levels(_tickets(), bots="include", min_size=1)
    # before: A1's median was 17.5 s (the two system acks) and "(no reply)" had a first response of 10 s
    assert league.loc["(system)", "journeys"] == 3
    assert league.loc["(system)", "first_response_median"] == pd.Timedelta(seconds=10)
    assert "(no reply)" not in league.index
    assert league.loc["A1", ["journeys", "journeys_replied"]].tolist() == [0, 2]
    # without the automatic replies A1 owns its two tickets with its own waits
    human = jm.service_levels(_tickets(), min_size=1)
    assert human.loc["A1", "first_response_median"] == pd.Timedelta(minutes=(45 + 120) / 2)
    assert human.loc["(no reply)", ["journeys", "unanswered"]].tolist() == [1, 1.0]


def _survey() -> jm.JourneySet:
    frame = pd.DataFrame(
        {
            "event_id": [str(i) for i in range(6)],
            "customer_id": [f"r{i}" for i in range(6)],
            "timestamp": pd.date_range("2024-03-01", periods=6, freq="D", tz="UTC"),
            "text": ["card late", "app crashes", "great support", "fees too high", "ok", "refund slow"],
        }
    )
    return jm.build_journeys(frame, by="customer")


@pytest.mark.parametrize("analysis", ["response_times", "reply_waits", "service_levels", "reply_table", "trends"])
def test_service_figures_of_customer_messages_only_say_they_may_not_apply(analysis: str) -> None:
    # before: 100% unanswered and 0% within the SLA, silently, for survey comments
    with pytest.warns(UserWarning, match=rf"^{analysis}: the data holds customer messages only"):
        getattr(jm, analysis)(_survey())


def test_triage_of_customer_messages_only_says_it_may_not_apply() -> None:
    events = jm.datasets.service_journeys(5, seed=0).events
    js = planted_scores(jm.build_journeys(events))
    survey = planted_scores(jm.build_journeys(events[events["actor"] == "customer"]))
    with pytest.warns(UserWarning, match="triage: the data holds customer messages only"):
        jm.triage(survey)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jm.triage(js)  # with replies: no warning
        jm.trends(js)


def test_the_cli_writes_no_service_tables_for_customer_messages_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import matplotlib as mpl

    from journeymap.cli import _write_tables

    mpl.use("Agg")
    events = jm.datasets.service_journeys(5, seed=0).events
    survey = planted_scores(jm.build_journeys(events[events["actor"] == "customer"]))
    with caplog.at_level("WARNING", logger="journeymap"):
        written = _write_tables(survey, tmp_path)  # before: four tables of 100% unanswered, and warnings as errors here
    names = {p.name for p in tmp_path.iterdir()}
    assert {"pain_points.csv", "journey_map.png"} <= names and set(written) == {n for n in names if n.endswith(".csv")}
    assert not {"response_times.csv", "service_levels.csv", "triage.csv", "trends.csv", "trends.png"} & names
    assert "customer messages only" in caplog.text


def test_a_tickets_closing_system_event_leaves_the_customers_last_word_in_resolution() -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4", "5"],
            "thread_id": "T",
            "customer_id": "C",
            "timestamp": pd.date_range("2024-03-04", periods=5, freq="20min", tz="UTC"),
            "actor": ["customer", "agent", "customer", "system", "bot"],
            "text": ["card late", "reissued it", "thanks!", "ticket closed", "rate us"],
        }
    )
    stages = jm.build_journeys(frame).events["stage"].astype(str).tolist()
    # before: the customer's thanks was follow_up and the bot's survey invitation the resolution
    assert stages == ["contact", "first_response", "resolution", "resolution", "resolution"]
    plain = jm.build_journeys(frame.iloc[:3]).events["stage"].astype(str).tolist()
    assert plain == ["contact", "first_response", "resolution"]


def test_build_journeys_says_when_it_replaces_the_inputs_own_stage_journey_and_step() -> None:
    frame = _survey().events[["event_id", "customer_id", "timestamp", "text"]].assign(stage="post-purchase", step=3)
    with pytest.warns(UserWarning, match=r"replaced the input's own 'step' \(6 rows\), 'stage' \(6 rows\).*from_column"):
        jm.build_journeys(frame, by="customer")  # before: silently
    with pytest.warns(UserWarning, match=r"own 'step' \(6 rows\) with the journeys it built$"):
        kept = jm.build_journeys(frame, by="customer", stages=jm.StageModel.from_column("stage", order=["post-purchase"]))
    assert kept.events["stage"].astype(str).unique().tolist() == ["post-purchase"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        built = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
        jm.build_journeys(built.events)  # a rebuild that changes nothing says nothing


def test_a_near_miss_of_a_canonical_name_in_columns_is_pointed_out() -> None:
    tickets = pd.DataFrame({"requester": ["a"], "created": ["2024-01-01"], "body": ["my card is late"]})
    with pytest.warns(UserWarning, match="columns maps 'body' onto 'txt', which is no journeymap column: did you mean 'text'"):
        log = jm.read_events(tickets, columns={"requester": "customer_id", "created": "timestamp", "body": "txt"})
    assert "text" not in log.events.columns  # before: silently no text, and a 'txt' attribute
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a deliberate attribute name is no near miss
        jm.read_events(tickets, columns={"requester": "customer_id", "created": "timestamp", "body": "comment"})


@pytest.mark.parametrize("command", ["score", "map"])
def test_score_and_map_do_not_offer_the_texts_format_they_cannot_read(command: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from journeymap.cli import app

    (tmp_path / "t.csv").write_text("text\nmy card is late\n")
    out = ["-o", str(tmp_path / "o.parquet")] if command == "score" else []
    args = [command, str(tmp_path / "t.csv"), "--format", "texts", *out]
    result = CliRunner().invoke(app, args)
    # before: offered in --help, then "missing required column(s) ['customer_id', 'timestamp']"
    assert result.exit_code == 2 and "is not one of 'events', 'twcs'" in result.output


# -- a ground-truth review of the per-conversation league ----------------------------------------------


def _hand(rows: list[dict[str, object]]) -> jm.JourneySet:
    """(id, customer, minutes, thread, actor, brand, agent_id, in_reply_to, team) rows, journeys by thread."""
    frame = pd.DataFrame(rows)
    frame["timestamp"] = pd.Timestamp("2024-03-01", tz="UTC") + pd.to_timedelta(frame.pop("t"), unit="min")
    frame["text"] = frame.get("text", frame["event_id"].map(lambda i: f"text {i}"))
    return jm.build_journeys(frame)


def _row(event_id: str, customer: str, t: float, thread: str, actor: str = "customer", **more: object) -> dict[str, object]:
    return {"event_id": event_id, "customer_id": customer, "t": t, "thread_id": thread, "actor": actor, "brand": "BA", **more}


def test_a_split_reply_with_an_automatic_message_between_its_parts_counts_once() -> None:
    js = _hand(
        [
            _row("1", "C1", 0, "T1"),
            _row("2", "C1", 10, "T1", "agent", agent_id="ba/bob", in_reply_to="1", text="sorry 1/2"),
            _row("3", "C1", 10.2, "T1", "bot", in_reply_to="1", text="rate us"),
            _row("4", "C1", 11, "T1", "agent", agent_id="ba/bob", in_reply_to="2", text="fixed 2/2"),
        ]
    )
    assert jm.service_levels(js, min_size=1).loc["ba/bob", "replies"] == 1  # before: 2


def test_broadcasts_are_no_replies_of_any_kind() -> None:
    js = _hand(
        [
            _row("1", "BA", 0, "B1", "agent", agent_id="ba/pr", text="Sale!"),
            _row("2", "BA", 1, "B2", "bot", text="Flights resume"),
            _row("3", "C1", 5, "T1"),
            _row("4", "C1", 10, "T1", "agent", agent_id="ba/bob", in_reply_to="3"),
        ]
    )
    agents = jm.service_levels(js, min_size=1)
    assert agents.index.tolist() == ["ba/bob"]  # before: ba/pr had a row of zeros, BA/(unsigned) an automatic reply
    assert jm.service_levels(js, by="brand", min_size=1).loc["BA", "automatic"] == 0  # before: 1


def test_a_journey_answered_by_a_reply_without_a_value_is_no_journey_without_reply() -> None:
    js = _hand(
        [
            _row("1", "C1", 0, "T1"),
            _row("2", "C1", 10, "T1", "agent", agent_id="ba/bob", in_reply_to="1"),  # his team is not recorded
            _row("3", "C2", 0, "T2"),
            _row("4", "C2", 30, "T2", "agent", agent_id="ba/amy", in_reply_to="3", team="uk"),
        ]
    )
    league = jm.service_levels(js, by="team", min_size=1)
    # before: "(no reply)", with a first response of 10 minutes
    assert "(no reply)" not in league.index
    assert league.loc["(no team)", ["journeys", "unanswered"]].tolist() == [1, 0.0]
    assert league.loc["(no team)", "first_response_median"] == pd.Timedelta(minutes=10)


def test_a_reply_that_names_another_brands_message_does_not_answer_its_own_brands() -> None:
    rows = [
        _row("1", "C1", 0, "T1", brand="Tesco"),
        _row("2", "C1", 5, "T1"),  # to BA
        _row("3", "C1", 10, "T1", "agent", brand="Tesco", agent_id="tesco/ann", in_reply_to="1"),
        _row("4", "C1", 20, "T1", "agent", agent_id="ba/bob", in_reply_to="1"),  # BA answers Tesco's message
        _row("5", "C1", 200, "T1", "agent", agent_id="ba/bob", in_reply_to="2"),
    ]
    js = _hand(rows)
    league = jm.service_levels(js, by="brand", min_size=1)
    # before: BA's first response was reply 4 (15 minutes), and 4 and 5 one split reply
    assert league.loc["BA", ["replies", "within_sla"]].tolist() == [2, 0.0]
    assert league.loc["BA", "first_response_median"] == pd.Timedelta(minutes=195)
    assert jm.reply_waits(js).loc["2", "wait"] == pd.Timedelta(minutes=195)


def test_a_lone_post_to_one_brand_is_not_answered_by_another_brands_thread() -> None:
    # exports that write the thread id on replies only (the synthetic set does): an unanswered
    # opening post has none, and by customer it sat "in every conversation" of the journey
    day = 24 * 60
    frame = pd.DataFrame(
        [
            _row("1", "C1", 0, None, brand="NovaTel"),
            _row("2", "C1", 4 * day, "T9", brand="Parcelo"),
            _row("3", "C1", 4 * day + 25, "T9", "agent", brand="Parcelo", agent_id="par/lb", in_reply_to="2"),
            _row("4", "C2", 0, "T2", brand="NovaTel"),
            _row("5", "C2", 10, "T2", "agent", brand="NovaTel", agent_id="nova/jr", in_reply_to="4"),
        ]
    )
    frame["timestamp"] = pd.Timestamp("2024-03-01", tz="UTC") + pd.to_timedelta(frame.pop("t"), unit="min")
    js = jm.build_journeys(frame.assign(text="hi"), by="customer")
    league = jm.service_levels(js, by="brand", min_size=1)
    # before: Parcelo was charged 4 days for NovaTel's post, and NovaTel had only C2's journey
    assert league.loc["Parcelo", "first_response_median"] == pd.Timedelta(minutes=25)
    assert league.loc["NovaTel", ["journeys", "unanswered"]].tolist() == [2, 0.5]
    assert bool(jm.response_times(js).loc["1", "censored"])  # the post is still waiting


# -- a review of this session's diff -------------------------------------------------------------------


def test_a_post_without_a_thread_id_is_answered_by_its_brands_next_reply_in_a_new_thread() -> None:
    frame = pd.DataFrame(
        [
            _row("1", "C1", 0, "T1", brand="NovaTel"),
            _row("2", "C1", 10, "T1", "agent", brand="NovaTel", agent_id="n/a", in_reply_to="1"),
            _row("3", "C1", 2880, None, brand="NovaTel"),  # a new post, no thread id
            _row("4", "C1", 2910, "T3", "agent", brand="NovaTel", agent_id="n/b"),  # its answer
        ]
    )
    frame["timestamp"] = pd.Timestamp("2024-03-01", tz="UTC") + pd.to_timedelta(frame.pop("t"), unit="min")
    js = jm.build_journeys(frame.assign(text="hi"), by="customer")
    waits = jm.reply_waits(js)
    assert bool(waits.loc["3", "replied"]) and waits.loc["3", "wait"] == pd.Timedelta(minutes=30)


def test_a_reply_without_a_value_takes_the_value_of_the_message_it_answers_not_another_repliers() -> None:
    js = _hand(
        [
            _row("1", "C1", 0, "T1"),
            _row("2", "C1", 10, "T1", "agent", agent_id="ba/bob", in_reply_to="1"),  # no team
            _row("3", "C1", 20, "T1", in_reply_to="2"),
            _row("4", "C1", 300, "T1", "agent", agent_id="ba/amy", in_reply_to="3", team="uk"),
        ]
    )
    league = jm.service_levels(js, by="team", min_size=1)
    assert league.loc["uk", "journeys"] == 0  # was credited with bob's 10 minutes
    assert league.loc["(no team)", "first_response_median"] == pd.Timedelta(minutes=10)


def test_an_attribute_named_after_a_canonical_column_is_no_near_miss() -> None:
    frame = pd.DataFrame({"user": ["a"], "at": ["2024-01-01"], "Channel ID": ["c1"], "Stage ID": ["s"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log = jm.read_events(
            frame, columns={"user": "customer_id", "at": "timestamp", "Channel ID": "channel_id", "Stage ID": "stage_id"}
        )
    assert {"channel_id", "stage_id"} <= set(log.events.columns)


def test_a_seed_of_none_beside_a_fitted_model_is_named() -> None:
    from journeymap.testing import HashingEncoder
    from journeymap.topics import TopicModel
    from journeymap.topics._inputs import TopicInputError

    js = jm.build_journeys(jm.datasets.service_journeys(10, seed=0))
    fitted = TopicModel(encoder=HashingEncoder(), cache=False).fit(["card late", "refund please", "card lost"] * 4)
    with pytest.raises(TopicInputError, match=r"^seed: these choose"):
        jm.assign_topics(js, fitted, seed=None)


def test_a_rebuild_says_nothing_of_a_step_saved_as_a_float_and_no_source_stages_of_its_own() -> None:
    built = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
    events = built.events.assign(step=built.events["step"].astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jm.build_journeys(events)  # before: "replaced the input's own 'step'" for every row
    with pytest.warns(UserWarning, match=r"own 'journey_id'.*'stage'") as caught:
        jm.build_journeys(built.events, by="customer")  # regrouped: journeymap's own stages change
    assert "from_column" not in str(caught[0].message)


def test_the_cli_keeps_the_service_tables_of_a_slice_that_marks_replies_outside_it(tmp_path: Path) -> None:
    import matplotlib as mpl

    from journeymap.cli import _write_tables

    mpl.use("Agg")
    events = jm.datasets.service_journeys(5, seed=0).events
    customers = events[events["actor"] == "customer"].assign(reply_outside_data=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        written = _write_tables(planted_scores(jm.build_journeys(customers)), tmp_path)
    assert "response_times.csv" in written  # the library computes them without a warning: so does the CLI


def test_a_bots_replies_are_a_group_of_their_own_not_the_unsigned_peoples() -> None:
    js = _hand(
        [
            _row("1", "C1", 0, "T1", author_id="C1"),
            _row("2", "C1", 0.2, "T1", "bot", author_id="BA", in_reply_to="1", text="we got it"),
            _row("3", "C2", 0, "T2", author_id="C2"),
            _row("4", "C2", 50, "T2", "agent", author_id="BA", in_reply_to="3", text="sorted"),  # unsigned person
        ]
    )
    league = jm.service_levels(js, bots="include", min_size=1)
    # before: one "BA/(unsigned)" row mixing the bot's 12 seconds with the person's 50 minutes
    assert league.loc["BA/(bot)", "first_response_median"] == pd.Timedelta(seconds=12)
    assert league.loc["BA/(unsigned)", "first_response_median"] == pd.Timedelta(minutes=50)
    assert jm.reply_table(js).loc["2", "agent"] == "BA/(bot)"


def test_the_reply_table_agrees_with_the_league_on_broadcasts_and_system_events() -> None:
    js = _hand(
        [
            _row("1", "BA", 0, "B1", "agent", agent_id="ba/pr", text="Sale!"),  # a broadcast
            _row("3", "C1", 5, "T1"),
            _row("4", "C1", 5.5, "T1", "system", agent_id="A9", in_reply_to="3", text="we got it"),
            _row("5", "C1", 10, "T1", "agent", agent_id="ba/bob", in_reply_to="3"),
        ]
    )
    table = jm.reply_table(js)
    # before: the broadcast had a row and the system acknowledgement was agent A9's
    assert table.index.tolist() == ["4", "5"]
    assert table["agent"].tolist() == ["(system)", "ba/bob"]
