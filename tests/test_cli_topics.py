"""``journeymap topics`` and ``journeymap map --topics``, with the fake plugin's encoder and scorer (no model)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib as mpl
import pandas as pd
import pytest
from typer.testing import CliRunner

mpl.use("Agg")

from journeymap.cli import app

from .test_topic_journeys import planted_events

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


@pytest.fixture
def events_csv(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    planted_events(20).drop(columns=["true_emotion"]).to_csv(path, index=False)
    return path


def run_ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def fails_cleanly(args: list[str], message: str, code: int = 1) -> None:
    """Exit 1 and one ``error:`` line for a failed run; exit 2 and Click's ``Error:`` after the usage line for a wrong command."""
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert f"{'error' if code == 1 else 'Error'}: {message}" in result.output, result.output
    assert "Traceback" not in result.output


def test_topics_writes_the_topic_table_and_the_messages(plugin_installed: None, events_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "topics.csv"
    printed = run_ok(["topics", str(events_csv), "-o", str(out), "--n-topics", "2", "--encoder", "hashing", "--no-cache"])
    assert "40 customer messages in 2 topics" in printed
    table = pd.read_csv(out, index_col="topic")
    assert list(table.columns) == ["volume", "share", "keywords", "quotes"]  # unscored: no valence columns
    assert int(table["volume"].sum()) == 40
    assert table.loc[table.index != "other", "keywords"].str.len().gt(0).all()
    messages = pd.read_csv(out.with_name("topics.messages.csv"))
    assert len(messages) == 40
    assert set(messages["topic"]) <= set(table.index)
    assert {"event_id", "journey_id", "text", "topic", "topic_score"} <= set(messages.columns)


def test_topics_with_labels_and_a_labels_file(plugin_installed: None, events_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "zs.csv"
    run_ok(["topics", str(events_csv), "-o", str(out), "--labels", "refund,card", "--encoder", "hashing", "--no-cache"])
    assert set(pd.read_csv(out, index_col="topic").index) <= {"refund", "card", "other"}
    named = tmp_path / "labels.txt"
    named.write_text("# topics\nmoney back: refund money back reimburse\n\nnew card: card delivery post\n", encoding="utf-8")
    run_ok(["topics", str(events_csv), "-o", str(out), "--labels-file", str(named), "--encoder", "hashing", "--no-cache"])
    table = pd.read_csv(out, index_col="topic")
    assert {"money back", "new card"} <= set(table.index)
    assert table.loc["money back", "volume"] == table.loc["new card", "volume"] == 20
    # a file saved with a byte-order mark (Windows editors): the mark is not part of the first name
    named.write_text("\ufeffmoney back: refund money back\nnew card: card delivery post\n", encoding="utf-8")
    run_ok(["topics", str(events_csv), "-o", str(out), "--labels-file", str(named), "--encoder", "hashing", "--no-cache"])
    assert {"money back", "new card"} <= set(pd.read_csv(out, index_col="topic").index)


@pytest.mark.parametrize(
    ("extra", "message", "code"),
    [
        (["--labels", "a,b", "--labels-file", "x.txt"], "give --labels or --labels-file, not both", 2),
        (["--labels", "only"], "labels: need at least two different topics", 2),
        (["--labels", "a,other"], "labels: topic names must be non-empty and not 'other'", 2),
        (["--labels-file", "no-such-file.txt"], "--labels-file 'no-such-file.txt' does not exist", 1),
        (["--labels", "a,b", "--n-topics", "3"], "--n-topics is for discovered topics", 2),
        (["-o", "topics.parquet"], "--output must end in .csv", 2),
        (["--n-topics", "500", "--encoder", "hashing", "--no-cache"], "--n-topics 500 is more than the 40 distinct texts", 1),
        (["--encoder", "no-such-encoder", "--no-cache"], "Unknown encoder 'no-such-encoder'", 1),
    ],
)
def test_topics_failures_are_one_error_line(
    plugin_installed: None, events_csv: Path, extra: list[str], message: str, code: int
) -> None:
    fails_cleanly(["topics", str(events_csv), *extra], message, code)


def test_topics_refuses_to_write_over_its_input(events_csv: Path) -> None:
    fails_cleanly(["topics", str(events_csv), "-o", str(events_csv)], "--output", 2)


def test_map_with_topics_adds_the_topics_section(
    plugin_installed: None, events_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEYMAP_CACHE_DIR", str(tmp_path / "cache"))
    report = tmp_path / "report.html"
    run_ok(["map", str(events_csv), "--report", str(report), "--scorer", "lexicon", "--topics", "--encoder", "hashing"])
    page = report.read_text(encoding="utf-8")
    assert 'id="topics"' in page


def test_map_topic_options_need_topics(events_csv: Path, tmp_path: Path) -> None:
    fails_cleanly(["map", str(events_csv), "--report", str(tmp_path / "r.html"), "--n-topics", "3"], "--n-topics", 2)


def test_topics_of_a_table_of_messages_alone(plugin_installed: None, tmp_path: Path) -> None:
    # survey comments or an intent set: a text column, no customers, no times
    texts = ["my card has not arrived", "refund please", "", "where is my new card", None, "I want my money back"] * 4
    source = tmp_path / "comments.csv"
    pd.DataFrame({"comment": texts, "intent": range(len(texts))}).to_csv(source, index=False)
    out = tmp_path / "topics.csv"
    fails_cleanly(["topics", str(source), "-o", str(out)], "missing required column(s)")  # before: no way on
    result = runner.invoke(app, ["topics", str(source), "-o", str(out)])
    assert "add --format texts" in result.output
    fails_cleanly(["topics", str(source), "-o", str(out), "--format", "texts"], "--format texts needs a 'text' column")
    two = ["--columns", "comment=text", "--columns", "intent=text"]
    fails_cleanly(["topics", str(source), "-o", str(out), "--format", "texts", *two], "--format texts maps one column to text")
    args = ["topics", str(source), "-o", str(out), "--format", "texts", "--columns", "comment=text"]
    fails_cleanly([*args, "--by", "customer"], "--actors, --gap, --by and --tz are for journeys", 2)
    printed = run_ok([*args, "--n-topics", "2", "--encoder", "hashing", "--no-cache"])
    assert "16 messages in 2 topics" in printed and "8 rows rejected; reasons in" in printed
    table = pd.read_csv(out)
    assert int(table["size"].sum()) == 16 and {"topic", "size", "share", "keywords"} <= set(table.columns)
    messages = pd.read_csv(out.with_name("topics.messages.csv"))
    rejects = pd.read_csv(out.with_name("topics.rejects.csv"))
    # every row is in one of the two, once, by its row number
    assert sorted([*messages["row"], *rejects["row"]]) == list(range(len(texts)))
    assert (messages["intent"] == messages["row"]).all() and set(messages["topic"]) <= set(table["topic"])
    assert set(rejects["reason"]) == {"missing or blank text: no message to read"}


def test_a_failed_topics_run_removes_the_earlier_runs_output(plugin_installed: None, events_csv: Path, tmp_path: Path) -> None:
    # from a CLI review: topics.csv and topics.messages.csv of another input stayed beside the new rejects
    out = tmp_path / "topics.csv"
    messages, rejects = out.with_name("topics.messages.csv"), out.with_name("topics.rejects.csv")
    fast = ["--n-topics", "2", "--encoder", "hashing", "--no-cache"]
    run_ok(["topics", str(events_csv), "-o", str(out), *fast])
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,timestamp,text\na,not a time,hi\nb,nor this,there\n")
    fails_cleanly(["topics", str(bad), "-o", str(out), *fast], f"no usable events in {str(bad)!r}: all 2 rows")
    assert not out.exists() and not messages.exists() and pd.read_csv(rejects)["row"].tolist() == [0, 1]

    run_ok(["topics", str(events_csv), "-o", str(out), *fast])
    texts = tmp_path / "texts.csv"
    texts.write_text('text\n""\n"  "\n')
    result = runner.invoke(app, ["topics", str(texts), "-o", str(out), "--format", "texts", *fast])
    assert result.exit_code == 1, result.output
    assert f"error: no messages in {str(texts)!r}: all 2 rows were rejected; reasons in {rejects}" in result.output
    assert f"removed {str(out)!r}, {str(messages)!r} of an earlier run" in result.output
    assert not out.exists() and not messages.exists() and pd.read_csv(rejects)["row"].tolist() == [0, 1]

    texts.write_text("text\n")  # the header alone
    fails_cleanly(
        ["topics", str(texts), "-o", str(out), "--format", "texts", *fast], f"no messages in {str(texts)!r}: the file has no rows"
    )


def test_topics_writes_the_rows_kept_with_a_caveat(plugin_installed: None, events_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(events_csv)
    frame["event_id"] = [f"e{i}" for i in range(len(frame))]
    frame["in_reply_to"] = None
    frame.loc[3, "in_reply_to"] = "not-in-the-data"
    frame.to_csv(events_csv, index=False)
    out = tmp_path / "topics.csv"
    printed = run_ok(["topics", str(events_csv), "-o", str(out), "--n-topics", "2", "--encoder", "hashing", "--no-cache"])
    noted = out.with_name("topics.warnings.csv")
    assert pd.read_csv(noted)["row"].tolist() == [3]
    assert f"1 row kept with a caveat; reasons in {noted}" in printed


def test_topics_of_texts_says_rejected_not_a_reason_the_rows_may_not_have(plugin_installed: None, tmp_path: Path) -> None:
    # from a CLI review: "1 row without a text rejected" for a row with one field too many
    source = tmp_path / "comments.csv"
    source.write_text("text\nmy card has not arrived\nrefund, please\nwhere is my card\nmoney back\n")
    out = tmp_path / "topics.csv"
    printed = run_ok(["topics", str(source), "-o", str(out), "--format", "texts", "--labels", "card,refund", "--no-cache",
                      "--encoder", "hashing"])  # fmt: skip
    assert f"1 row rejected; reasons in {out.with_name('topics.rejects.csv')}" in printed
    assert "without a text" not in printed
    assert pd.read_csv(out.with_name("topics.rejects.csv"))["reason"].str.startswith("2 fields where the header has 1").all()


def test_topics_help_names_the_columns_each_mode_writes(plugin_installed: None, events_csv: Path, tmp_path: Path) -> None:
    # from a CLI review: the help said (messages, share, keywords, quotes); no mode writes a 'messages' column
    helped = " ".join(runner.invoke(app, ["topics", "--help"]).output.split())
    fast = ["--n-topics", "2", "--encoder", "hashing", "--no-cache"]
    for extra in ([], ["--format", "texts"]):
        out = tmp_path / f"t{len(extra)}.csv"
        run_ok(["topics", str(events_csv), "-o", str(out), *fast, *extra])
        written = [
            *pd.read_csv(out).columns,
            *(pd.read_csv(out.with_name(f"{out.stem}.messages.csv")).columns if not extra else []),
        ]
        assert [c for c in written if c not in helped] == []
    assert "(messages, share" not in helped


def test_min_score_sends_weak_fits_to_other(plugin_installed: None, events_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "zs.csv"
    base = ["topics", str(events_csv), "-o", str(out), "--labels", "refund,card", "--encoder", "hashing", "--no-cache"]
    run_ok(base)
    scores = pd.read_csv(out.with_name("zs.messages.csv"))["topic_score"]
    assert "other" not in set(pd.read_csv(out.with_name("zs.messages.csv"))["topic"])
    floor = float(scores.median())
    run_ok([*base, "--min-score", str(floor)])  # before: no such option
    messages = pd.read_csv(out.with_name("zs.messages.csv"))
    assert (messages["topic"] == "other").tolist() == (messages["topic_score"] < floor).tolist()
    assert (messages["topic"] == "other").any()
    fails_cleanly(
        ["map", str(events_csv), "--min-score", "0.3"],
        "--n-topics, --labels, --labels-file, --encoder and --min-score need --topics",
        2,
    )


def test_topics_of_a_scored_csv_reads_the_scores_as_numbers(plugin_installed: None, events_csv: Path, tmp_path: Path) -> None:
    # from a topics review: `journeymap topics` on the CSV `journeymap score` writes failed with
    # "with_events: column 'valence' must hold numbers": the CSV's score columns came back as text
    scored = tmp_path / "scored.csv"
    run_ok(["score", str(events_csv), "-o", str(scored), "--scorer", "lexicon", "--no-cache"])
    out = tmp_path / "topics.csv"
    run_ok(["topics", str(scored), "-o", str(out), "--n-topics", "2", "--encoder", "hashing", "--no-cache"])
    table = pd.read_csv(out, index_col="topic")
    assert {"scored", "share_negative", "mean_valence"} <= set(table.columns)
    messages = pd.read_csv(scored)
    customer = messages["actor"] == "customer"
    assert table["mean_valence"].notna().any()
    overall = (table["mean_valence"] * table["scored"]).sum() / table["scored"].sum()
    assert overall == pytest.approx(messages.loc[customer, "valence"].mean())
