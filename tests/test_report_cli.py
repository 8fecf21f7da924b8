from __future__ import annotations

import re
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

mpl.use("Agg")

import journeymap as jm
from journeymap.cli import app
from journeymap.io._time import UNPARSEABLE
from journeymap.testing.data import planted_scores

from .conftest import TWCS_SAMPLE

HOSTILE = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'
runner = CliRunner()


def hostile_journeys() -> jm.JourneySet:
    events = jm.datasets.service_journeys(60, seed=0).events.copy()
    first_touchpoint = events["touchpoint"].iloc[0]
    events.loc[events["touchpoint"] == first_touchpoint, "touchpoint"] = HOSTILE
    return planted_scores(jm.build_journeys(jm.read_events(events)))


def test_report_is_self_contained_and_escapes_customer_text(tmp_path: Path) -> None:
    path = jm.report(hostile_journeys(), tmp_path / "r.html")
    page = path.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "onerror=alert" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in page
    # nothing is fetched: every src is a data URI, and no external links or stylesheets
    assert all(src.startswith("data:") for src in re.findall(r'src="([^"]*)"', page))
    assert not re.search(r"(?:href|url\()\s*=?\s*[\"']?https?:", page)
    assert page.count("data:image/png;base64,") >= 5
    assert "default-src 'none'" in page


def test_report_on_the_required_columns_alone(tmp_path: Path) -> None:
    # Found by running the report on messy hypothesis frames: without a brand or author_id
    # column (both optional) the per-brand table raised SchemaError and no report was written.
    from .test_properties import crc_scores

    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    df = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "customer_id": ["a", "a", "b"],
            "timestamp": [t0, t0 + pd.Timedelta(hours=1), t0 + pd.Timedelta(hours=2)],
            "actor": ["customer", "agent", "customer"],  # the one optional column a reply needs
        }
    )
    js = crc_scores(jm.build_journeys(jm.read_events(df), by="customer"))
    html = jm.report(js, tmp_path / "r.html").read_text()
    assert "No brand or author_id column in the events: no per-brand figures." in html
    assert "<h2>Agent league</h2>" in html  # the sections after it are there
    # without an actor column every row is the customer's: nobody answers, and the report says so
    alone = crc_scores(jm.build_journeys(jm.read_events(df.drop(columns="actor")), by="customer"))
    page = jm.report(alone, tmp_path / "alone.html").read_text()
    assert "The data holds customer messages only" in page
    assert "<h2>Agent league</h2>" not in page
    assert "<h2>Most negative messages</h2>" in page


def test_report_reads_durations_in_words(tmp_path: Path) -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
    page = jm.report(js, tmp_path / "r.html", sla="90min").read_text(encoding="utf-8")
    assert "Per brand (SLA 1 h 30 min)" in page
    assert re.search(r"First response \(a person's reply\): median (\d+ h \d\d min|\d+ min \d\d s|\d+ s) over", page)
    assert "0 days" not in page  # no pandas Timedelta text anywhere in the tables
    assert "what the scorer decided for the message" in page  # negative / positive explained as computed


def test_cli_demo_writes_the_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--customers", "40"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.html").is_file()
    assert (tmp_path / "pain_points.csv").is_file()
    assert "report:" in result.output
    # tables without a meaningful index start with their first column, not a blank row-number one
    assert (tmp_path / "triage.csv").read_text().splitlines()[0].startswith("event_id,rank,")
    assert (tmp_path / "pain_points.csv").read_text().splitlines()[0].startswith("touchpoint,")


def test_cli_score_and_rejects(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame(
        {"user": ["a", "b", "c"], "when": ["2024-01-01T10:00:00Z", "garbage", "2024-01-01T11:00:00Z"],
         "text": ["thank you so much!", "hello", "this is awful"]}
    ).to_csv(src, index=False)  # fmt: skip
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["score", str(src), "-o", str(out), "--columns", "user=customer_id", "--columns", "when=timestamp", "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(out)
    assert len(scored) == 2 and "valence" in scored.columns
    rejects = pd.read_csv(tmp_path / "out.rejects.csv")
    assert rejects.loc[0, "row"] == 1 and rejects.loc[0, "reason"] == UNPARSEABLE


def test_cli_bad_input_exits_nonzero_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("who,text\na,hi\n")
    result = runner.invoke(app, ["score", str(bad), "-o", str(tmp_path / "o.parquet")])
    assert result.exit_code == 1
    assert "missing required column(s) ['customer_id', 'timestamp']" in result.output
    result = runner.invoke(app, ["score", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o.parquet")])
    assert result.exit_code == 1 and "does not exist" in result.output
    result = runner.invoke(app, ["map", str(bad), "--format", "twcs"])
    assert result.exit_code == 1 and "not the TWCS format" in result.output
    result = runner.invoke(app, ["map", str(tmp_path), "--format", "twcs"])
    assert result.exit_code == 1 and "is a folder, not a file" in result.output and "bad.csv" in result.output
    assert "Traceback" not in result.output


def test_cli_scorers_version_help() -> None:
    result = runner.invoke(app, ["scorers"])
    assert result.exit_code == 0 and "default" in result.output.split()
    assert runner.invoke(app, ["--version"]).output.startswith("journeymap ")
    for command in ("demo", "score", "map", "scorers", "evaluate", "topics"):
        shown = runner.invoke(app, [command, "--help"])
        assert shown.exit_code == 0
        assert "<bool>" not in shown.output  # flags are shown as flags, without a value
    assert "--no-cache" in runner.invoke(app, ["score", "--help"]).output


def test_report_on_unscored_journeys_says_to_score_first(tmp_path: Path) -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
    with pytest.raises(jm.JourneyMapError, match=r"^report needs scored journeys .*journeymap\.score"):
        jm.report(js, tmp_path / "r.html")


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")
def test_report_in_a_headless_browser(tmp_path: Path) -> None:
    import subprocess

    path = jm.report(hostile_journeys(), tmp_path / "r.html")
    dom = subprocess.run(
        ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert "pwned" not in re.findall(r"<title>(.*?)</title>", dom)[0]
    assert dom.count("<img") >= 5


def test_cli_map_writes_a_report(tmp_path: Path) -> None:
    src = tmp_path / "events.parquet"
    jm.datasets.service_journeys(30, seed=4).events.to_parquet(src)
    report = tmp_path / "out" / "report.html"
    result = runner.invoke(app, ["map", str(src), "--report", str(report), "--by", "customer"])
    assert result.exit_code == 0, result.output
    assert report.is_file() and "journeys; " in result.output and "customer messages scored; report: " in result.output


def test_cli_evaluate(tmp_path: Path) -> None:
    from .test_evaluate import tiny_goemotions

    data = tiny_goemotions(tmp_path / "g")
    result = runner.invoke(app, ["evaluate", str(data), "--split", "test"])
    assert result.exit_code == 0, result.output
    assert "goemotions: macro-F1" in result.output and "ekman: macro-F1" in result.output
    result = runner.invoke(app, ["evaluate", str(tmp_path)])
    assert result.exit_code == 1 and "neither a GoEmotions-format folder" in result.output
    result = runner.invoke(app, ["evaluate", str(data), "--prior", "service"])
    assert result.exit_code == 2 and "--prior applies to sentiment labels" in result.output  # usage error (rv49)


def test_cli_score_takes_the_prior(tmp_path: Path) -> None:
    # customer messages alone (an incoming stream): auto reads them with the scorer's calibration,
    # --prior service as customer messages to a brand
    source = tmp_path / "in.csv"
    row = {"customer_id": "a", "timestamp": "2024-01-01T10:00:00Z", "actor": "customer", "text": "never flying with you again"}
    pd.DataFrame([row]).to_csv(source, index=False)
    read = {}
    for prior in ("auto", "service"):
        out = tmp_path / f"{prior}.csv"
        result = runner.invoke(app, ["score", str(source), "-o", str(out), "--no-cache", "--prior", prior])
        assert result.exit_code == 0, result.output
        read[prior] = pd.read_csv(out)["sentiment"].iloc[0]
    assert read == {"auto": "neutral", "service": "negative"}


def test_cli_evaluate_on_tweeteval_task_folders(tmp_path: Path) -> None:
    sentiment, irony = tmp_path / "sentiment", tmp_path / "irony"
    for folder, mapping, labels in (
        (sentiment, "0\tnegative\n1\tneutral\n2\tpositive\n", ["0", "2", "1", "0", "2", "0"]),
        (irony, "0\tnon_irony\n1\tirony\n", ["1", "0", "0", "1", "0", "0"]),
    ):
        folder.mkdir()
        (folder / "mapping.txt").write_text(mapping, encoding="utf-8")
        texts = ["worst airline ever", "love this app!", "my flight is at 9", "never again", "thank you", "great, delayed again"]
        (folder / "val_text.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
        (folder / "val_labels.txt").write_text("\n".join(labels) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(sentiment), "--split", "val"])
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.output and "sentiment" in result.output
    service = runner.invoke(app, ["evaluate", str(sentiment), "--split", "val", "--prior", "service"])
    assert service.exit_code == 0, service.output
    assert "for customer messages to a brand" in service.output and "to a brand" not in result.output
    result = runner.invoke(app, ["evaluate", str(irony), "--split", "dev"])
    assert result.exit_code == 0, result.output
    assert "TweetEval irony val (6 tweets): F1 of irony at 0.5" in result.output
    result = runner.invoke(app, ["evaluate", str(irony), "--split", "test"])
    assert result.exit_code == 1 and "no test_text.txt" in result.output and "['val']" in result.output


def test_cli_passes_scorer_options(tmp_path: Path) -> None:
    from .test_scorers import tiny_model

    folder = tiny_model(tmp_path / "m", ["LABEL_0", "LABEL_1", "LABEL_2"], None)
    table = tmp_path / "t.csv"
    pd.DataFrame({"text": ["awful", "fine", "great"], "label": ["negative", "neutral", "positive"]}).to_csv(table, index=False)
    result = runner.invoke(app, ["evaluate", str(table), "--scorer", str(folder)])
    assert result.exit_code == 1 and "label_map" in result.output  # LABEL_n names say nothing
    mapping = '{"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"}'
    result = runner.invoke(app, ["evaluate", str(table), "--scorer", str(folder), "--scorer-option", f"label_map={mapping}"])
    assert result.exit_code == 0, result.output
    assert "on 3 texts" in result.output
    result = runner.invoke(app, ["evaluate", str(table), "--scorer", str(folder), "--scorer-option", "label_map"])
    assert result.exit_code == 2 and "--scorer-option takes KEY=VALUE" in result.output  # usage error (rv49)
    result = runner.invoke(app, ["evaluate", str(table), "--scorer", str(folder), "--scorer-option", "nope=1"])
    assert result.exit_code == 1 and "cannot be built with the options" in result.output


def test_cli_refuses_what_it_cannot_write_before_working(tmp_path: Path) -> None:
    src = tmp_path / "events.parquet"
    jm.datasets.service_journeys(5, seed=4).events.to_parquet(src)
    result = runner.invoke(app, ["map", str(src), "--report", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2 and "--report must end in .html" in result.output  # usage error (rv49)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "out.csv").mkdir()  # a folder where the file should go: not writable as a file
    result = runner.invoke(app, ["score", str(src), "-o", str(locked / "out.csv"), "--no-cache"])
    assert result.exit_code == 1 and "cannot write" in result.output and "scoring" not in result.output
    table = tmp_path / "t.csv"
    pd.DataFrame({"tweet": ["awful"], "y": ["negative"]}).to_csv(table, index=False)
    result = runner.invoke(app, ["evaluate", str(table)])
    assert result.exit_code == 1 and "--text-column and --label-column" in result.output


def test_cli_routes_other_languages_with_lang_scorer(tmp_path: Path) -> None:
    from .test_scorers import EKMAN, tiny_model

    english = tiny_model(tmp_path / "en", EKMAN, "multi_label_classification")
    other = tiny_model(tmp_path / "other", EKMAN, "multi_label_classification")
    src = tmp_path / "events.csv"
    texts = ["my bag is lost and nobody helps me, terrible service", "mi maleta se perdió y nadie me ayuda, servicio terrible"]
    times = ["2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z"]
    pd.DataFrame({"customer_id": ["a", "b"], "timestamp": times, "actor": "customer", "text": texts}).to_csv(src, index=False)
    base = ["score", str(src), "--scorer", str(english), "--scorer-option", 'languages=["en"]', "--no-cache"]

    out = tmp_path / "alone.csv"
    result = runner.invoke(app, [*base, "-o", str(out)])
    assert result.exit_code == 0, result.output
    alone = pd.read_csv(out)
    assert list(alone["lang"]) == ["en", "es"]
    assert alone["valence"].notna().tolist() == [True, False]  # Spanish is left to a scorer that reads it
    assert alone["score_note"].iloc[1].startswith("language 'es' not covered by scorer")

    out = tmp_path / "routed.csv"
    result = runner.invoke(app, [*base, "-o", str(out), "--lang-scorer", f"*={other}"])
    assert result.exit_code == 0, result.output
    routed = pd.read_csv(out)
    assert routed["valence"].notna().all()
    assert routed["scorer"].iloc[0] != routed["scorer"].iloc[1]  # each text by its own scorer

    result = runner.invoke(app, [*base, "-o", str(out), "--lang-scorer", "es"])
    assert result.exit_code == 2 and "--lang-scorer takes LANG=SCORER pairs" in result.output  # usage error (rv49)


def test_the_report_draws_no_example_journey_whose_messages_are_all_unscored(tmp_path: Path) -> None:
    # a journey of two messages in a language no scorer reads has no curve: it is no example
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(6, seed=0)))
    e = js.events.copy()
    first = e["journey_id"] == js.journey_ids[0]
    e.loc[first, ["valence", "emotion", "sentiment"]] = np.nan
    page = jm.report(js.with_events(e), tmp_path / "r.html", examples=10).read_text()  # before: SchemaError
    assert page.count("<h2>Example journeys</h2>") == 1


def test_the_report_names_the_rejects_file_it_was_given_and_marks_partial_topic_periods(tmp_path: Path) -> None:
    # from a CLI review: the page said "see EventLog.rejects" to a command-line user, and the
    # last half week of a topic's trend read as a fall
    from journeymap.testing import HashingEncoder

    frame = jm.datasets.service_journeys(40, seed=0).events.copy()
    frame.loc[frame.index[0], "timestamp"] = pd.NaT  # one bad row
    log = jm.read_events(frame, on_error="collect")
    js = planted_scores(jm.build_journeys(log))
    js = jm.assign_topics(js, encoder=HashingEncoder(), cache=False, n_topics=3)
    daily = jm.topic_trends(js, freq="D")
    assert daily["partial"].dtype == bool and daily["partial"].any() and not daily["partial"].all()
    page = jm.report(js, tmp_path / "r.html", log=log, freq="D", rejects=tmp_path / "r.rejects.csv").read_text()
    assert "1 rejected (see r.rejects.csv)" in page and "EventLog.rejects" not in page
    assert "A * marks a period the data covers only in part." in page


def test_cli_map_writes_the_tables_and_charts_with_tables(tmp_path: Path) -> None:
    # from a CLI review: `map` wrote the report only; the tables `demo` writes were out of reach
    if not TWCS_SAMPLE.exists():
        pytest.skip("the TWCS sample is not beside the checkout")
    src = tmp_path / "twcs.csv"
    src.write_text(TWCS_SAMPLE.read_text())
    result = runner.invoke(
        app, ["map", str(src), "--format", "twcs", "--report", str(tmp_path / "r.html"), "--tables", str(tmp_path / "t")]
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "t").iterdir())
    for name in (
        "pain_points.csv",
        "response_times.csv",
        "service_levels.csv",
        "triage.csv",
        "trends.csv",
        "journey_map.png",
        "trends.png",
    ):
        assert name in written, name
    levels = pd.read_csv(tmp_path / "t" / "service_levels.csv")
    assert len(levels) and "tables and charts:" in result.output


def test_cli_map_without_the_cache_writes_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # from a CLI review: score and topics had --no-cache, map did not
    monkeypatch.setenv("JOURNEYMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("JOURNEYMAP_MODEL_DIR", str(tmp_path / "models"))  # an exported ONNX model is no cache of scores
    src = tmp_path / "in.csv"
    pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z"],
            "actor": ["customer", "agent"],
            "text": ["late again", "sorry"],
        }
    ).to_csv(src, index=False)
    result = runner.invoke(app, ["map", str(src), "--by", "customer", "--report", str(tmp_path / "r.html"), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "cache").exists()
