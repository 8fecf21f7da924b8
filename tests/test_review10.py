"""Defects found in the tenth session's reviews, each with the behaviour it should have."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm

if TYPE_CHECKING:
    from pathlib import Path

T0 = pd.Timestamp("2024-01-01 09:00", tz="UTC")


def answered_threads(teams: list[str | None], *, unbranded: int = 0, system: bool = False) -> jm.JourneySet:
    rows = []
    for j, team in enumerate(teams):
        start = T0 + pd.Timedelta(hours=j)
        rows.append(
            {"event_id": f"c{j}", "customer_id": f"u{j}", "timestamp": start, "actor": "customer", "touchpoint": "mention",
             "text": "my order is late", "thread_id": f"t{j}", "brand": "Shop", "team": None, "agent_id": None}
        )  # fmt: skip
        if system:
            rows.append(
                {"event_id": f"s{j}", "customer_id": f"u{j}", "timestamp": start + pd.Timedelta(minutes=1), "actor": "system",
                 "touchpoint": "reply", "text": "Ticket received", "thread_id": f"t{j}", "brand": "Shop", "team": None,
                 "agent_id": None}
            )  # fmt: skip
        rows.append(
            {"event_id": f"r{j}", "customer_id": f"u{j}", "timestamp": start + pd.Timedelta(minutes=10), "actor": "agent",
             "touchpoint": "reply", "text": "sorry about that", "thread_id": f"t{j}",
             "brand": None if j < unbranded else "Shop", "team": team, "agent_id": f"ag{j}"}
        )  # fmt: skip
    return jm.build_journeys(jm.read_events(pd.DataFrame(rows)))


def test_replies_without_a_value_count_in_the_row_their_journeys_go_to() -> None:
    league = jm.service_levels(answered_threads(["A", "A", "A", None, None, None]), by="team")
    # before: "(no team)" had 3 journeys answered in 10 minutes and 0 replies, 0 journeys replied in
    assert league.loc["(no team)", ["replies", "journeys", "journeys_replied"]].tolist() == [3, 3, 3]
    assert league.loc["A", ["replies", "journeys", "journeys_replied"]].tolist() == [3, 3, 3]


def test_a_reply_without_a_brand_counts_for_the_brand_the_customer_wrote_to() -> None:
    league = jm.service_levels(answered_threads(["A"] * 5, unbranded=2), by="brand")
    assert league.index.tolist() == ["Shop"]
    assert league.loc["Shop", ["replies", "journeys", "journeys_replied"]].tolist() == [5, 5, 5]  # before: 3 and 3


@pytest.mark.parametrize("bots", ["exclude", "include"])
def test_system_replies_count_in_the_system_row_only_when_included(bots: str) -> None:
    league = jm.service_levels(answered_threads(["A"] * 5, system=True), by="agent", bots=bots)  # type: ignore[arg-type]
    if bots == "include":  # the acknowledgement answered each journey first
        assert league.loc["(system)", ["replies", "automatic", "journeys", "journeys_replied"]].tolist() == [5, 5, 5, 5]
    else:
        assert "(system)" not in league.index
    assert league.loc[[f"ag{j}" for j in range(5)], "replies"].tolist() == [1] * 5


def test_read_twcs_reads_a_brand_handle_in_any_case() -> None:
    frame = pd.DataFrame(
        {
            "tweet_id": [1, 2, 3, 4],
            "author_id": ["u1", "AmazonHelp", "u2", "u3"],
            "inbound": [True, False, True, True],
            "created_at": [f"Tue Oct 31 22:{m}:47 +0000 2017" for m in (10, 20, 30, 40)],
            "text": ["@AmazonHelp where is my parcel", "@u1 sorry, DM us", "@amazonhelp refund??", "@AMAZONHELP hello @Friend"],
            "response_tweet_id": ["2", None, None, None],
            "in_response_to_tweet_id": [None, "1", None, None],
        }
    )
    log = jm.read_twcs(frame)
    assert log.events["brand"].tolist() == ["AmazonHelp"] * 4  # before: "amazonhelp", "AMAZONHELP"
    league = jm.service_levels(jm.build_journeys(log), by="brand")
    assert league.index.tolist() == ["AmazonHelp"]  # before: two of its three journeys in "(no reply)"
    assert league.loc["AmazonHelp", "journeys"] == 3


def test_a_customer_joining_by_answering_the_brands_reply_opens_with_a_mention() -> None:
    frame = pd.DataFrame(
        {
            "tweet_id": [1, 2, 3, 4],
            "author_id": ["111", "BrandA", "333", "111"],
            "inbound": [True, False, True, True],
            "created_at": [f"Tue Oct 31 22:{m}:47 +0000 2017" for m in (10, 20, 30, 40)],
            "text": ["@BrandA my parcel is lost", "@111 Sorry! Please DM us ^AB", "@BrandA @111 mine too!", "@BrandA done"],
            "in_response_to_tweet_id": [None, 1, 2, 2],
        }
    )
    events = jm.read_twcs(frame).events.set_index("event_id")
    # 333's first tweet, in 111's thread, answers the brand's reply: before, a "follow_up"
    assert events["touchpoint"].to_dict() == {"1": "mention", "2": "dm_request", "3": "mention", "4": "follow_up"}


def test_plot_labels_break_words_longer_than_a_line() -> None:
    from journeymap.plot._theme import wrap

    for word in ("InternationalShippingCustomsClearanceDelayNotificationWorkflow", "x" * 40, "app.login.passwordReset"):
        lines = wrap(word, 12).split("\n")
        assert len(lines) <= 3 and all(len(line) <= 18 for line in lines)  # before: one line of 62 characters
    assert wrap("disappointment", 12) == "disappointment"  # a word a little longer than a line stays whole


def test_the_heatmaps_colour_bar_label_fits_a_figure_of_few_rows() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
    ax = jm.plot.emotion_heatmap(js, level="stage")
    figure = ax.figure
    figure.canvas.draw()
    box = figure.axes[-1].yaxis.label.get_window_extent(figure.canvas.get_renderer())  # type: ignore[attr-defined]
    assert box.y0 >= 0 and box.y1 <= figure.bbox.height  # before: 310 px of label on a 270 px figure
    plt.close(figure)  # type: ignore[arg-type]


def test_plot_trends_leaves_pyplots_current_axes_as_it_found_it() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
    figure, (left, right) = plt.subplots(1, 2)
    plt.sca(left)
    jm.plot.trends(js, ax=right)
    assert plt.gca() is left  # before: the twin of ``right`` that trends makes
    plt.close(figure)


def test_text_columns_of_the_tables_are_one_string_dtype() -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
    triage = jm.triage(js)
    # before: status and reason were pandas' "str" (NaN for missing) beside "string" text and emotion
    assert {str(triage[c].dtype) for c in ("status", "reason", "text", "emotion")} == {"string"}
    assert str(jm.touchpoint_summary(js)["top_emotions"].dtype) == "string"
    assert str(jm.pain_points(js)["top_emotions"].dtype) == "string"


def test_plots_from_threads_change_rcparams_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from journeymap.plot import _theme

    inside, most = 0, 0
    guard = threading.Lock()
    subplots = plt.subplots

    def slow_subplots(*args: object, **kwargs: object) -> object:  # runs inside the theme's rc_context
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)
        with guard:
            inside -= 1
        return subplots(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(plt, "subplots", slow_subplots)
    before = dict(matplotlib.rcParams)
    with ThreadPoolExecutor(4) as pool:
        axes = list(pool.map(lambda _: _theme.get_ax(None), range(4)))
    for ax in axes:
        plt.close(ax.figure)  # type: ignore[arg-type]
    # before: the threads' rc_contexts overlapped, and one could restore another's settings for good
    assert most == 1
    assert {k: v for k, v in matplotlib.rcParams.items() if str(before[k]) != str(v)} == {}


@pytest.mark.parametrize("what", ["journeys", "log"])
def test_a_topic_model_refuses_journeys_for_texts(what: str) -> None:
    log = jm.read_events(jm.datasets.service_journeys(5, seed=0).events)
    given = jm.build_journeys(log) if what == "journeys" else log
    model = jm.TopicModel()
    # before: fitted on the journeys' printed form ("datetime actor", "brand streamly" topics)
    with pytest.raises(ValueError, match=r"texts must be a sequence of texts, got a (JourneySet|EventLog): use journeymap"):
        model.fit(given)  # type: ignore[arg-type]


@pytest.mark.parametrize("call", ["score", "assign_topics", "read_events"])
@pytest.mark.parametrize("columns", ["two text columns", "two levels"])
def test_frames_without_one_text_per_row_are_a_schema_error(call: str, columns: str) -> None:
    if columns == "two text columns":
        frame = pd.DataFrame(
            [["c1", "2024-01-01", "my bill is wrong", "dup"]], columns=["customer_id", "timestamp", "text", "text"]
        )
        match = r"duplicate column names \['text'\]"
    else:
        frame = pd.DataFrame([["my bill is wrong"]], columns=pd.MultiIndex.from_tuples([("text", "raw")]))
        match = "the columns have 2 levels of names"
    function = {"score": jm.score, "assign_topics": jm.assign_topics, "read_events": jm.read_events}[call]
    with pytest.raises(jm.SchemaError, match=match):  # before: pandas' AttributeError or ValueError from inside
        function(frame)


def test_assign_topics_without_text_is_a_schema_error_as_in_score() -> None:
    with pytest.raises(jm.SchemaError, match="assign_topics needs a 'text' column"):  # before: a bare JourneyMapError
        jm.assign_topics(pd.DataFrame({"message": ["hi"]}))


def test_an_unknown_journey_id_is_a_journeymap_error_and_a_key_error() -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(3, seed=0))
    for call in (lambda: js["nope"], lambda: js.select(["nope"])):
        with pytest.raises(jm.UnknownJourneyError, match="no journey 'nope'") as caught:  # before: a builtin KeyError only
            call()
        assert isinstance(caught.value, KeyError) and isinstance(caught.value, jm.JourneyMapError)


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_scorer_name_is_refused_not_read_as_the_current_folder(name: str) -> None:
    with pytest.raises(jm.InvalidArgumentError, match="got an empty string"):  # before: "the folder holds no model"
        jm.get_scorer(name)


def test_a_run_with_every_row_rejected_says_each_reason_once(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from journeymap.cli import app

    rows = "\n".join(f"c{i},2024-01-01T10:00:00Z" for i in range(5))  # two fields where the header has three
    (tmp_path / "in.csv").write_text(f"customer_id,timestamp,text\n{rows}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    # before: "... (line 2 of the file) (1); ... (line 3 of the file) (1); ..." - the same reason thrice
    assert "all 5 rows were rejected ((row): 2 fields where the header has 3 (5))" in " ".join(result.output.split())


def test_the_reports_counts_say_none_rejected_without_pointing_to_rejects() -> None:
    from journeymap.report import _counts

    log = jm.read_events(jm.datasets.service_journeys(5, seed=0).events)
    line = _counts(jm.build_journeys(log), log)
    assert (
        f"{log.n_input:,} input rows, none rejected" in line and "EventLog.rejects" not in line
    )  # before: "0 rejected (see ...)"


def test_two_segments_are_one_comparison_not_two() -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(80, seed=0)))
    two = js.events.assign(tier=js.events["tier"].where(js.events["tier"] == "free", "paid"))
    table = jm.compare_segments(js.with_events(two), "tier")
    assert sorted(table.index) == ["free", "paid"]
    assert table.loc["free", "p_value"] == table.loc["paid", "p_value"]  # one test, seen from either side
    # before: Holm counted it twice and doubled it
    assert table["p_adjusted"].tolist() == table["p_value"].tolist()


def test_equal_values_are_not_read_as_certainty() -> None:
    import numpy as np

    from journeymap.analytics._stats import MeanInterval, wilson

    two = MeanInterval(seed=0, bounds=(-1.0, 1.0))(np.array([0.5, 0.5]))  # before: [0.5, 0.5]
    assert two.low < 0.5 < two.high
    assert MeanInterval(seed=0, bounds=(-1.0, 1.0))(np.ones(4), groups=np.array([1, 1, 2, 2])).low < 1.0
    assert MeanInterval(seed=0)(np.zeros(3)).high == 0.0  # no bounds, no scale to measure against
    low, high = wilson([1, 3], [1, 3])
    assert high.tolist() == [1.0, 1.0] and (low < 1).all()  # before: a high end of 0.9999999999999999


def test_a_touchpoint_without_negative_messages_has_an_impact_interval() -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0)))
    events = js.events.copy()
    calm = (events["touchpoint"] == events["touchpoint"].iloc[0]) & (events["actor"] == "customer")
    events.loc[calm, "valence"] = np.float32(0.6)  # a float32 column (pandas 2.2 warns on a float)
    events.loc[calm, "sentiment"] = "positive"
    row = jm.pain_points(js.with_events(events), top=None).loc[events["touchpoint"].iloc[0]]
    assert row["impact"] == 0 and row["impact_low"] == 0 and row["impact_high"] > 0  # before: [0, 0]


def test_train_names_its_options_and_leaves_no_empty_folder(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from journeymap.cli import app

    pd.DataFrame({"message": ["so slow", "thanks!"], "label": ["0", "2"]}).to_csv(tmp_path / "d.csv", index=False)
    result = CliRunner().invoke(app, ["train", str(tmp_path / "d.csv"), "--out", str(tmp_path / "model")])
    assert result.exit_code == 1
    assert "choose them with --text-column and --label-column" in result.output  # before: "with text= and label="
    assert not (tmp_path / "model").exists()  # before: an empty folder was left behind


def test_exports_key_each_step_as_the_journey_graph_does(tmp_path: Path) -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
    events = js.events.copy()
    customer = events["actor"] == "customer"
    events["topic"] = pd.array(
        [("billing" if i % 2 else "delivery") if c else None for i, c in enumerate(customer)], dtype="string"
    )
    events.loc[events.index[1], "touchpoint"] = None
    topics = js.with_events(events)
    frame = jm.to_pm4py(topics, activity="topic")
    # before: every brand step had no activity (pm4py refuses such a frame) and a blank touchpoint none either
    assert frame["concept:name"].notna().all() and frame["topic"].isna().sum() == int((~customer).sum())
    assert jm.to_pm4py(topics)["concept:name"].iloc[1] == "(none)"
    graph = jm.journey_graph(topics, level="topic")
    pairs = frame.groupby("case:concept:name", sort=False)["concept:name"].apply(lambda s: list(zip(s, s.iloc[1:]))).sum()
    counts = pd.Series(pairs).value_counts()
    inner = {(a, b): int(d["count"]) for a, b, d in graph.edges(data=True) if a != "__start__" and b != "__end__"}
    assert inner == counts.to_dict()
    back = jm.read_xes(jm.to_xes(topics, tmp_path / "log.xes", activity="topic"))
    pd.testing.assert_series_equal(back.events["topic"], topics.events["topic"])  # the column itself read back as it was


def test_an_xes_round_trip_keeps_the_journeys_zone(tmp_path: Path) -> None:
    log = jm.read_events(jm.datasets.service_journeys(5, seed=0).events, tz="Europe/London")
    js = jm.build_journeys(log)
    back = jm.read_xes(jm.to_xes(js, tmp_path / "log.xes"))
    assert str(back.tz) == "Europe/London"  # before: None, and time_patterns read the hours in UTC


def test_map_tables_never_remove_the_topics_commands_own_table(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from journeymap.cli import app

    source = tmp_path / "in.csv"
    pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z"],
            "actor": ["customer", "agent"],
            "text": ["my card was declined", "sorry, looking into it"],
        }
    ).to_csv(source, index=False)
    (tmp_path / "topics.csv").write_text("what `journeymap topics` wrote here\n", encoding="utf-8")
    args = ["map", str(source), "--by", "customer", "--report", str(tmp_path / "r.html"), "--tables", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "topics.csv").is_file()  # before: removed as "an earlier run's" table


def test_equal_values_that_round_in_the_cluster_error_get_the_floor_too() -> None:
    import numpy as np

    from journeymap.analytics._stats import MeanInterval

    interval = MeanInterval(seed=0, bounds=(-1.0, 1.0))
    est = interval(np.full(30, 0.1), groups=np.repeat(np.arange(10), 3))
    assert est.high - est.low > 0.5  # before: (0.099999999, 0.100000001), a rounding remainder read as spread
    n, mean = 6300, 0.7  # the distributed path's merged moments give the same interval as the values
    by_values = interval(np.full(n, mean))
    assert by_values.high - by_values.low > 0.01
    assert interval.normal(n, mean, 1.5e-8) == by_values


def test_two_segments_beside_one_without_the_measure_are_still_one_comparison() -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(80, seed=0)))
    events = js.events.copy()
    unscored = events["tier"] == "premium"  # its journeys have no end valence: no comparison of theirs
    events.loc[unscored, ["valence"]] = float("nan")
    events.loc[unscored, "sentiment"] = None
    table = jm.compare_segments(js.with_events(events), "tier", correction="holm")
    assert table["p_value"].isna().tolist() == [False, False, True]
    # before: the NaN made Holm count the one test of free against plus twice
    assert table.loc[["free", "plus"], "p_adjusted"].tolist() == table.loc[["free", "plus"], "p_value"].tolist()
    with pytest.raises(jm.InvalidArgumentError, match="correction must be"):  # before: accepted with two segments
        jm.compare_segments(js.with_events(events), "tier", correction="bonferroni")  # type: ignore[arg-type]


def test_journey_sets_in_other_zones_are_not_equal() -> None:
    events = jm.datasets.service_journeys(5, seed=0).events
    london = jm.build_journeys(jm.read_events(events, tz="Europe/London"))
    utc = jm.build_journeys(jm.read_events(events))
    assert london.events["timestamp"].equals(utc.events["timestamp"])  # the instants are the same (they carry offsets)
    assert not london.equals(utc)  # before: equal, though time_patterns reads other hours from each


def test_the_report_ranks_pain_points_by_topic_and_says_what_thread_touchpoints_are(tmp_path: Path) -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
    events = js.events.copy()
    customer = events["actor"] == "customer"
    first = ~events.duplicated("journey_id")
    events["touchpoint"] = ["mention" if f else "follow_up" if c else "public_reply" for f, c in zip(first, customer)]
    threads = js.with_events(events.copy())  # what read_twcs gives social data: places in a thread
    names = [("billing" if i % 3 else "delivery") if c else None for i, c in enumerate(customer)]
    events["topic"] = pd.array(names, dtype="string")
    page = jm.report(js.with_events(events), tmp_path / "r.html").read_text(encoding="utf-8")
    # before: only the touchpoints mention / follow_up were ranked, which say nothing a team can act on
    assert "<h3>Pain points by topic</h3>" in page and "places in a thread" in page
    assert "its messages per week" in page  # before: "per period (W)"
    plain = jm.report(threads, tmp_path / "plain.html").read_text(encoding="utf-8")
    assert "Pain points by topic" not in plain and "run with topics to see it" in plain


def test_a_league_interval_needs_min_size_journeys_behind_it() -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
    replies = jm.reply_table(js)
    behind = replies.dropna(subset=["valence_change"]).groupby("account")["journey_id"].nunique()
    league = jm.service_levels(js, by="brand")
    brand = str(behind.idxmin())
    min_size = int(behind.min()) + 1  # more than its changes rest on, fewer than its journeys
    assert league.loc[brand, "journeys"] >= min_size
    small = jm.service_levels(js, by="brand", min_size=min_size).loc[brand]
    assert not small["too_small"] and pd.notna(small["valence_change"])
    assert pd.isna(small["valence_change_low"]) and pd.isna(small["valence_change_high"])  # before: an interval on too few


def test_an_xes_activity_without_values_reads_back_missing(tmp_path: Path) -> None:
    events = jm.datasets.service_journeys(3, seed=0).events.assign(touchpoint=None)
    js = jm.build_journeys(jm.read_events(events))
    back = jm.read_xes(jm.to_xes(js, tmp_path / "log.xes"))
    assert back.events["touchpoint"].isna().all() and back.equals(js)  # not the graph's "(none)" key


def test_zones_of_one_name_are_equal_after_a_round_trip(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    js = jm.build_journeys(jm.read_events(jm.datasets.service_journeys(3, seed=0).events, tz=ZoneInfo("UTC")))
    back = jm.read_xes(jm.to_xes(js, tmp_path / "log.xes"))
    assert back.equals(js)  # UTC by name, whatever object holds it
    assert jm.build_journeys(jm.read_events(jm.datasets.service_journeys(3, seed=0).events)).equals(js)  # None is UTC


def test_the_interactive_charts_subsets_keep_the_journeys_zone() -> None:
    from journeymap.plot.interactive import _subsets

    js = jm.build_journeys(jm.read_events(jm.datasets.service_journeys(20, seed=0).events, tz="Europe/London"))
    parts = _subsets(js, "brand", 3)
    assert len(parts) > 1 and all(str(part.tz) == "Europe/London" for _, part in parts)  # before: None past "all"
