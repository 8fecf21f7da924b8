"""Review 24 (rv64, mutation review): the command line's counts, options and file names, and the report's words.

Pins rules that a one-line mutant of journeymap/cli.py, journeymap/report.py or journeymap/_report_text.py
changed without any earlier test failing: the ``N of M customer messages scored (...)`` line and its reasons,
the commonest reject reasons of an error line, ``KEY=VALUE`` and ``--labels`` parsing, ``--gap``'s default,
the names of the files written beside an output, and the words of the HTML report (durations, counts, notes).
Each test names its mutant (``M<n>``) and the rule.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer

import journeymap as jm
from journeymap import cli

# -- the "N of M customer messages scored" line ------------------------------------------------------


def _events(notes: list[str], *, scored: int = 0) -> pd.DataFrame:
    """Customer messages: ``scored`` of them scored, then one unscored message per note."""
    n = scored + len(notes)
    return pd.DataFrame(
        {
            "actor": ["customer"] * n,
            "scorer": ["x"] * scored + [None] * len(notes),
            "score_note": [None] * scored + list(notes),
        }
    )


def test_scored_names_the_three_commonest_reasons_with_their_counts_and_more() -> None:
    # M1 (_scored: counts.head(3) -> head(2)), M2 (len(counts) > 3 -> >= 3): three reasons at most, ", ..." past them
    notes = ["no text"] * 3 + ["language 'es' not covered"] * 2 + ["no words"] + ["boom: it broke"]
    line = cli._scored(_events(notes, scored=1))
    assert line == "1 of 8 customer messages scored (7 not read: 3 no text, 2 language 'es', 1 no words, ...)"
    three = cli._scored(_events(notes[:-1], scored=1))
    assert three == "1 of 7 customer messages scored (6 not read: 3 no text, 2 language 'es', 1 no words)"


def test_scored_counts_the_messages_not_read_not_all_of_them() -> None:
    # the count in brackets is of the unscored messages (M4, total - n -> total, the doctest kills too)
    line = cli._scored(_events(["no text"], scored=2))
    assert line == "2 of 3 customer messages scored (1 not read: no text)"


def test_scored_counts_customer_messages_unless_agents_are_scored_too() -> None:
    # an agent's message is neither scored nor counted without --agents (M5, the doctest kills too)
    events = pd.DataFrame({"actor": ["customer", "agent"], "scorer": ["x", None], "score_note": [None, None]})
    assert cli._scored(events) == "1 of 1 customer messages scored"
    assert cli._scored(events, agents=True) == "1 of 2 messages scored (1 not read: no reason noted)"


# -- the commonest reject reasons of an error line ------------------------------------------------------


def test_top_reasons_are_the_three_commonest_most_first_line_numbers_left_out() -> None:
    # M6 (_top_reasons: head(3) -> head(2)), M7 (ascending=False -> True), M8 (line numbers kept)
    rejects = pd.DataFrame(
        {
            "row": range(10),
            "column": ["timestamp"] * 4 + ["actor"] * 3 + ["text"] * 2 + ["customer_id"],
            "reason": [f"unparseable (line {i + 2})" for i in range(4)] + ["unknown role"] * 3 + ["blank"] * 2 + ["missing"],
        }
    )
    assert cli._top_reasons(rejects) == "timestamp: unparseable (4); actor: unknown role (3); text: blank (2)"


# -- options: KEY=VALUE pairs, --brands, --gap, --labels ---------------------------------------------------


def test_a_pair_without_a_value_is_a_usage_error() -> None:
    # M9 (_pairs: `not value` dropped): --actors agent= would map the role to no actor at all
    with pytest.raises(typer.BadParameter, match=r"--actors takes ROLE=ACTOR pairs, got 'agent='"):
        cli._parse_actors(["agent="])
    with pytest.raises(typer.BadParameter, match=r"--columns takes SOURCE=CANONICAL pairs, got '=text'"):
        cli._parse_columns(["=text"])
    assert cli._parse_actors([" end-user = customer "]) == {"end-user": "customer"}  # roles trimmed
    assert cli._parse_columns(["user id=customer_id"]) == {"user id": "customer_id"}


def test_brands_drop_empty_names_between_commas() -> None:
    # M10 (_parse_brands: the `if name.strip()` filter dropped): "a,,b" is two accounts, not three with ""
    assert cli._parse_brands(["AppleSupport, ,Tesco,", "Sky"]) == ["AppleSupport", "Tesco", "Sky"]
    with pytest.raises(typer.BadParameter, match="--brands takes the company's account ids"):
        cli._parse_brands([" , "])


def test_gap_defaults_to_seven_days_and_is_kept_as_given() -> None:
    # M11 (_gap_needs_customer: "7D" -> another default): --by customer without --gap splits at 7 days
    assert cli._gap_needs_customer(None, cli.By.customer) == "7D"
    assert cli._gap_needs_customer(None, cli.By.thread) == "7D"
    assert cli._gap_needs_customer("12h", cli.By.customer) == "12h"


def test_labels_repeated_once_are_refused_and_unrepeated_kept_in_order() -> None:
    # M12 (_labels: folded.count(key) > 1 -> > 2): a name given twice is refused, not only thrice
    with pytest.raises(typer.BadParameter, match=r"repeated: \['card'\]"):
        cli._labels("card, delivery,card", None)
    assert cli._labels(" card, ,delivery ", None) == ["card", "delivery"]


def test_labels_file_skips_comments_and_blank_lines_and_describes_a_bare_name_by_itself(tmp_path: Path) -> None:
    # M13 (_labels: `# comment` lines read as names), M14 (a bare name's description "" instead of its name)
    named = tmp_path / "labels.txt"
    named.write_text("# topics of the billing team\n\ncard: payment card declined\n  refund  \n", encoding="utf-8")
    assert cli._labels(None, named) == {"card": "payment card declined", "refund": "refund"}


# -- the files written beside an output ---------------------------------------------------------------


def test_rejects_and_warnings_files_are_named_after_the_output_stem() -> None:
    # M15 (_rejects_path / _warnings_path): <stem>.rejects.csv and <stem>.warnings.csv beside the output
    assert cli._rejects_path(Path("out/run.1.parquet")) == Path("out/run.1.rejects.csv")
    assert cli._warnings_path(Path("out/report.html")) == Path("out/report.warnings.csv")


# -- the report's words: durations, the response note, tables ---------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(59, "59 s"), (60, "1 min 00 s"), (3599, "59 min 59 s"), (3600, "1 h 00 min"), (86_399, "1 d 0 h"), (86_400, "1 d 0 h")],
)
def test_duration_moves_to_the_next_unit_at_a_whole_one(seconds: int, said: str) -> None:
    # M16 (duration: seconds < 60 -> <= 60), M17 (seconds < 3600 -> <= 3600): 60 s is "1 min 00 s", 3600 s "1 h 00 min"
    from journeymap.report import duration

    assert duration(pd.Timedelta(seconds=seconds)) == said


def test_duration_of_a_whole_day_is_in_days() -> None:
    # M18 (duration: minutes < 24 * 60 -> <=): 24 h reads "1 d 0 h", not "24 h 00 min"
    from journeymap.report import duration

    assert duration(pd.Timedelta(hours=24)) == "1 d 0 h"
    assert duration(pd.Timedelta(hours=23, minutes=59)) == "23 h 59 min"


def _openings(**flags: list[bool]) -> pd.DataFrame:
    n = len(next(iter(flags.values())))
    conv = pd.DataFrame(
        {
            "opening": range(n),
            "first_response_ns": [6e10] * n,
            "censored": [False] * n,
            "opened_outside": [False] * n,
            "no_reply_needed": [False] * n,
        }
    )
    for name, values in flags.items():
        conv[name] = values
    return conv


def test_response_note_says_nothing_of_conversations_answered_outside_when_there_are_none() -> None:
    # M19 (_response_note: outside > 0 -> >= 0): "0 conversations answered outside the data" is not said
    from journeymap.report import _response_note

    conv = _openings(censored=[False, False])
    note = _response_note(conv, brand_only=0, replies=pd.DataFrame({"automatic": [False, False]}))
    assert note == (
        "First response (a person's reply): median 1 min 00 s over 2 answered conversations; "
        "0 conversations unanswered at the end of the data; 0 of 2 brand reply messages automatic."
    )


def test_response_note_counts_journeys_with_the_brands_messages_only() -> None:
    # M20 (_response_note: `if brand_only` part dropped or miscounted)
    from journeymap.report import _response_note

    note = _response_note(_openings(censored=[False]), brand_only=1, replies=pd.DataFrame({"automatic": [True]}))
    assert "; 1 journey with no customer message (the brand's messages only); 1 of 1 brand reply messages automatic." in note


def test_a_table_of_exactly_max_rows_has_no_first_n_of_note() -> None:
    # M21 (_table: len(frame) <= max_rows -> <): "The first 3 of 3 rows." is not said of a whole table
    from journeymap.report import _table

    frame = pd.DataFrame({"n": [1, 2, 3]})
    assert "The first" not in _table(frame, caption="c", max_rows=3)
    assert '<p class="note">The first 2 of 3 rows.</p>' in _table(frame, caption="c", max_rows=2)


# -- the report's counts at the top and its list of the most negative messages -------------------------


def _scored_journeys() -> jm.JourneySet:
    """Two customers' threads the brand answers, and a broadcast of the brand's alone; planted scores, one reply scored too."""
    from journeymap.testing.data import planted_scores

    events = pd.DataFrame(
        {
            "customer_id": ["a", "Brand", "a", "b", "Brand", "Brand"],
            "timestamp": pd.to_datetime(
                [
                    "2024-01-01T10:00Z",
                    "2024-01-01T10:05Z",
                    "2024-01-01T10:09Z",
                    "2024-01-02T10:00Z",
                    "2024-01-02T11:00Z",
                    "2024-01-03T09:00Z",
                ]
            ),
            "actor": ["customer", "agent", "customer", "customer", "agent", "agent"],
            "text": ["card declined", "sorry", "thanks, fixed", "refund please", "done", "we are down, sorry"],
            "thread_id": ["t1", "t1", "t1", "t2", "t2", "t3"],
            "true_emotion": ["anger", None, "gratitude", "sadness", None, None],
        }
    )
    js = planted_scores(jm.build_journeys(events))
    agent = js.events.index[js.events["text"].eq("sorry")]
    js.events.loc[agent, "valence"] = -0.9  # as jm.score(agents=True) scores the brand's replies
    return js


def test_counts_name_the_customers_not_the_brand_accounts() -> None:
    # M22 (_counts: customers counted over every row, the brand's account among them)
    from journeymap.report import _counts

    said = _counts(_scored_journeys(), None)
    assert "3 journeys; 2 customers; 6 messages (3 from customers, 3 from brands); 4 scored messages;" in said


def test_counts_count_rejected_rows_not_their_reasons(tmp_path: Path) -> None:
    # M23 (_counts: len(log.rejected_rows) -> len(log.rejects)): a row with two faults is one row rejected
    from journeymap.report import _counts

    source = tmp_path / "e.csv"
    source.write_text(
        "customer_id,timestamp,actor,text,thread_id\n"
        "a,2024-01-01T10:00:00Z,customer,card declined,t1\n"
        "a,2024-01-01T10:05:00Z,agent,sorry,t1\n"
        "b,not a time,robot,refund please,t2\n",
        encoding="utf-8",
    )
    log = jm.read_events(source, on_error="collect")
    assert len(log.rejects) > 1 and len(log.rejected_rows) == 1
    said = _counts(_scored_journeys(), log, rejects=tmp_path / "r.rejects.csv")
    assert "3 input rows, 1 rejected (see r.rejects.csv)" in said


def test_most_negative_lists_the_customers_scored_messages_lowest_first_ranked_from_one() -> None:
    # M24 (_most_negative: sorted by timestamp alone), M25 (ranked from 0), M26 (the customer filter dropped)
    from journeymap.report import _most_negative

    table = _most_negative(_scored_journeys())
    assert table.index.tolist() == [1, 2, 3] and table.index.name == "rank"
    assert table["text"].tolist() == ["card declined", "refund please", "thanks, fixed"]
    assert table["valence"].is_monotonic_increasing


# -- the topics command's result line ---------------------------------------------------------------


def _service_csv(path: Path) -> Path:
    """Four threads: a customer's message and an agent's reply in each."""
    texts = ["my card was declined", "refund for my order please", "card payment failed again", "where is my refund"]
    rows = []
    for i, text in enumerate(texts):
        rows.append({"customer_id": f"c{i}", "timestamp": f"2024-01-0{i + 1}T10:00:00Z", "actor": "customer", "text": text})
        rows.append({"customer_id": f"c{i}", "timestamp": f"2024-01-0{i + 1}T10:30:00Z", "actor": "agent", "text": "on it"})
    frame = pd.DataFrame(rows)
    frame["thread_id"] = frame["customer_id"]
    frame.to_csv(path, index=False)
    return path


def test_topics_result_line_does_not_count_other_as_a_topic(plugin_installed: None, tmp_path: Path) -> None:
    # M27 (topics: (table.index != 'other').sum() -> len(table)): "in 2 topics" with "other" beside them, not 3
    from typer.testing import CliRunner

    source = _service_csv(tmp_path / "e.csv")
    out = tmp_path / "t.csv"
    args = ["topics", str(source), "-o", str(out), "--labels", "card,refund", "--min-score", "0.4"]
    result = CliRunner().invoke(cli.app, [*args, "--encoder", "hashing", "--no-cache"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, index_col="topic")
    assert sorted(table.index) == ["card", "other", "refund"]  # with the encoder "hashing", a min-score of 0.4
    assert "4 customer messages in 2 topics" in result.output


def test_rows_said_are_rows_not_their_reasons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # M28 (_say_rows: findings["row"].nunique() -> len(findings)): a row rejected for two reasons is one row
    findings = pd.DataFrame({"row": [3, 3, 7], "column": ["timestamp", "actor", "text"], "reason": ["x", "y", "z"]})
    cli._say_rejects(findings, tmp_path / "r.rejects.csv")
    cli._say_warnings(findings.iloc[:2], tmp_path / "r.warnings.csv")
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith(f"2 rows rejected; reasons in {tmp_path / 'r.rejects.csv'}")
    assert said[1].startswith(f"1 row kept with a caveat; reasons in {tmp_path / 'r.warnings.csv'}")


def test_map_takes_a_report_ending_in_htm_in_any_case(plugin_installed: None, tmp_path: Path) -> None:
    # M29 (map: {".html", ".htm"} -> {".html"}), M30 (report.suffix.lower() -> report.suffix): r.HTM is an HTML report
    from typer.testing import CliRunner

    source = _service_csv(tmp_path / "e.csv")
    report = tmp_path / "r.HTM"
    result = CliRunner().invoke(cli.app, ["map", str(source), "--report", str(report), "--scorer", "lexicon", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert f"4 journeys; 4 of 4 customer messages scored; report: {report}" in result.output
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    refused = CliRunner().invoke(cli.app, ["map", str(source), "--report", str(tmp_path / "r.txt"), "--scorer", "lexicon"])
    assert refused.exit_code == 2 and "Error: --report must end in .html, got 'r.txt'" in refused.output


# -- the charts in words (_report_text) -----------------------------------------------------------------


def test_a_quote_of_exactly_the_limit_is_whole() -> None:
    # M31 (_quote: len(words) <= QUOTE_CHARS -> <): a 60-character message is quoted whole, not cut
    from journeymap._report_text import QUOTE_CHARS, _quote

    whole = "x" * QUOTE_CHARS
    assert _quote(whole) == f"“{whole}”"
    assert _quote(whole + "y") == f"“{'x' * (QUOTE_CHARS - 1)}…”"


def _journey_rows(valence: list[float | None], stages: list[str]) -> pd.DataFrame:
    n = len(valence)
    return pd.DataFrame(
        {
            "actor": ["customer", "agent"] * (n // 2) + ["customer"] * (n % 2),
            "step": range(1, n + 1),
            "stage": stages,
            "valence": valence,
            "customer_id": "c1",
        }
    )


def test_journey_summary_names_each_stage_once_per_run_and_says_the_end_only_of_a_curve() -> None:
    # M32 (journey_summary: a stage repeated in a row named again), M33 (end said of a single point: len(felt) > 1 -> >= 1)
    from journeymap._report_text import journey_summary

    rows = _journey_rows([-0.5, None, 0.25], ["contact", "contact", "resolution"])
    assert journey_summary(rows, "j1") == (
        "Journey j1 of customer c1: 3 steps (2 customer messages, 1 brand message) through contact and resolution. "
        "The customer's valence is lowest -0.50 at step 1 (contact) and highest +0.25 at step 3 (resolution); "
        "it ends at +0.25."
    )
    one = _journey_rows([-0.5, None, None], ["contact", "follow up", "contact"])
    assert journey_summary(one, "j2").endswith("through contact, follow up and contact. The customer's valence stays at -0.50.")


def _hours(volume: list[int], scored: list[int], share: list[float | None]) -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples([("Mon", h) for h in range(len(volume))], names=["weekday", "hour"])
    return pd.DataFrame({"volume": volume, "scored": scored, "share_negative": share}, index=index)


def test_hours_summary_calls_hours_of_exactly_min_count_and_hatches_only_hours_with_messages() -> None:
    # M34 (hours_summary: scored >= min_count -> >), M35 (hours without messages counted as hatched)
    from journeymap._report_text import hours_summary

    table = _hours([3, 3, 1, 0], [3, 3, 1, 0], [1 / 3, 2 / 3, 1.0, None])
    text = hours_summary(table, metric="share_negative", tz="UTC", min_count=3, stamped=None)
    assert text == (
        "Share of scored customer messages that read negative by weekday and hour (UTC): 57% overall; "
        "among the 2 hours with 3+ scored messages, highest Mon 01:00 (67% of 3), lowest Mon 00:00 (33% of 3); "
        "1 hour with fewer than 3 scored messages hatched, not coloured."
    )


def test_mix_summary_says_too_few_below_the_minimum_only() -> None:
    # M36 (mix_summary: n < min_volume -> <=): a stage of exactly min_volume messages is compared
    from journeymap._report_text import mix_summary

    shares = pd.DataFrame({"anger": [0.6, 0.5], "joy": [0.4, 0.5]}, index=pd.Index(["contact", "resolution"], name="stage"))
    shares.attrs["n"] = [5, 4]
    assert mix_summary(shares, min_volume=5) == (
        "Share of each stage's scored customer messages by dominant emotion, the largest first: "
        "contact (5 messages): anger 60%, joy 40%; resolution (4 messages, too few to compare): anger 50%, joy 50%."
    )


# -- the example journeys ---------------------------------------------------------------------------------


def test_examples_draw_journeys_with_two_customer_messages_and_note_a_cap_only_past_it() -> None:
    # M37 (_examples: examples > MAX_EXAMPLES -> >=): asking for exactly 10 gets no "at most 10" note
    # M38 (_examples: n_customer_steps >= 2 -> >= 1): a journey of one customer message has no curve to draw
    from journeymap.report import MAX_EXAMPLES, _examples

    js = _scored_journeys()
    metrics = jm.journey_metrics(js)
    shown = "".join(_examples(js, metrics, examples=MAX_EXAMPLES, max_steps=200))
    assert "at most" not in shown
    assert shown.count("<figure>") == 1  # the first thread's: the second has one customer message, the third none
    capped = "".join(_examples(js, metrics, examples=MAX_EXAMPLES + 1, max_steps=200))
    assert f"{MAX_EXAMPLES} example journeys drawn (at most {MAX_EXAMPLES})." in capped


def test_score_takes_an_output_suffix_in_any_case_and_numbers_the_rows(plugin_installed: None, tmp_path: Path) -> None:
    # M39 (score: output.suffix.lower() -> output.suffix, ".CSV" refused), M40 (the CSV's index_label "row" dropped)
    from typer.testing import CliRunner

    source = _service_csv(tmp_path / "e.csv")
    out = tmp_path / "s.CSV"
    result = CliRunner().invoke(cli.app, ["score", str(source), "-o", str(out), "--scorer", "lexicon", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert f"wrote 8 events to {out}; 4 of 4 customer messages scored" in result.output
    scored = pd.read_csv(out)
    assert scored.columns[0] == "row" and scored["row"].tolist() == list(range(8))


def test_a_reason_is_said_without_its_details() -> None:
    # M41 (_reason: the " (...)" part of a note kept): reasons of one kind are counted together
    assert cli._reason("too long (1,200 tokens): cut at 512") == "too long"
    assert cli._reason("too long (900 tokens)") == "too long"
    assert cli._reason("language 'fr' not covered by scorer 'x'") == "language 'fr'"


def test_the_agent_league_is_cut_only_past_max_agents() -> None:
    # M42 (_agent_league: len(shown) > MAX_AGENTS -> >=): a league of exactly 20 rows is shown whole, without a note
    from journeymap.analytics.replies import NO_REPLY
    from journeymap.report import MAX_AGENTS, _agent_league

    names = [f"agent{i:02d}" for i in range(MAX_AGENTS - 1)] + [NO_REPLY]
    league = pd.DataFrame(
        {
            "journeys": range(MAX_AGENTS, 0, -1),
            "within_sla": 0.5,
            "within_sla_low": 0.2,
            "within_sla_high": 0.8,
            "too_small": False,
        },
        index=pd.Index(names, name="agent"),
    )
    whole = "".join(_agent_league(league))
    assert "The largest" not in whole and whole.count('<th scope="row">') == MAX_AGENTS
    longer = pd.concat([league.iloc[:1].rename(index={"agent00": "extra"}), league])
    cut = "".join(_agent_league(longer))
    assert f"The largest {MAX_AGENTS - 1} of {MAX_AGENTS} agents, and {NO_REPLY}." in cut


@pytest.mark.parametrize("option", [["--labels", "card,refund"], ["--labels-file", "labels.txt"], ["--encoder", "hashing"]])
def test_map_refuses_each_topic_option_without_topics(tmp_path: Path, option: list[str]) -> None:
    # M43-M45 (map: `labels is not None`, `labels_file is not None`, `encoder != "default"` dropped from the guard):
    # a topic option without --topics is a usage error, not silently ignored
    from typer.testing import CliRunner

    args = ["map", str(tmp_path / "e.csv"), "--report", str(tmp_path / "r.html"), *option]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 2, result.output
    assert "Error: --n-topics, --labels, --labels-file, --encoder and --min-score need --topics" in result.output


def test_counts_count_rows_kept_with_a_caveat_not_their_caveats(tmp_path: Path) -> None:
    # M46 (_counts: log.warnings["row"].nunique() -> len(log.warnings)): a row with two caveats is one row
    from journeymap.report import _counts

    events = _scored_journeys().events
    caveats = pd.DataFrame({"row": [1, 1], "column": ["in_reply_to", "timestamp"], "reason": ["x", "y"], "value": ["", ""]})
    log = jm.EventLog(events, pd.DataFrame(columns=["row", "column", "reason", "value"]), caveats, len(events))
    said = _counts(_scored_journeys(), log, warnings=tmp_path / "r.warnings.csv")
    assert "6 input rows, none rejected, 1 kept with a caveat (see r.warnings.csv)." in said


@pytest.mark.parametrize("name", ["/no/such/model", "~/no-such-model"])
def test_a_scorer_written_as_a_path_that_is_not_there_fails_before_reading(tmp_path: Path, name: str) -> None:
    # M47 (_check_model_name: "/" or "~" no longer read as a path): exit 1 naming the folder, before the input is read
    from typer.testing import CliRunner

    args = ["score", str(tmp_path / "e.csv"), "-o", str(tmp_path / "s.csv"), "--scorer", name]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 1, result.output
    assert f"error: --scorer {name!r}: no such model folder" in result.output


def test_trends_summary_leaves_partial_periods_out_of_the_highs_and_lows() -> None:
    # M49 (trends_summary: whole = table, partial periods among the most and fewest messages)
    from journeymap._report_text import trends_summary

    index = pd.DatetimeIndex(["2024-01-01", "2024-01-08", "2024-01-15"], tz="UTC")
    table = pd.DataFrame(
        {
            "volume": [2, 10, 30],
            "first_response_median": pd.to_timedelta([60, 120, 3600], unit="s"),
            "partial": [True, False, False],
        },
        index=index,
    )
    text = trends_summary(table, freq="W-MON", tz=None)
    assert "3 weeks from 2024-01-01 to 2024-01-15 (UTC), 1 of them only partly covered by the data (hatched)." in text
    assert "Of the whole periods: most messages 30 (2024-01-15), fewest 10 (2024-01-08);" in text
    assert "median first response longest 1 h 00 min (2024-01-15), shortest 2 min 00 s (2024-01-08)." in text
