"""Defects found by reviews of real use (2026-12-05), each pinned by the case that showed it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm

if TYPE_CHECKING:
    from pathlib import Path


def hand_scored(df: pd.DataFrame, by: str = "customer") -> jm.JourneySet:
    """Journeys with the frame's own ``valence`` as scores (sentiment cut at +-0.25)."""
    js = jm.build_journeys(jm.read_events(df), by=by)
    ev = js.events.copy()
    v = ev["valence"].astype(float)
    ev["valence"] = v
    label = np.where(v.isna(), None, np.where(v < -0.25, "negative", np.where(v > 0.25, "positive", "neutral")))
    ev["sentiment"] = pd.array(label, dtype="string")
    ev["emotion"] = pd.array(np.where(v.isna(), None, "neutral"), dtype="string")
    ev["emo_neutral"] = np.where(v.isna(), np.nan, 1.0)
    ev["scorer"] = pd.array(np.where(v.isna(), None, "hand"), dtype="string")
    return js.with_events(ev)


def one_message_each(ts: pd.DatetimeIndex) -> pd.DataFrame:
    n = len(ts)
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "customer_id": [f"c{i}" for i in range(n)],
            "timestamp": ts,
            "actor": "customer",
            "valence": np.linspace(-0.9, 0.9, n),
        }
    )


@pytest.mark.filterwarnings("ignore:.*the data holds customer messages only:UserWarning")  # customer messages alone, on purpose
def test_trends_keep_every_message_across_a_daylight_saving_change() -> None:
    # 01:00-02:00 happens twice in New York on 2024-11-03; Havana's clocks go back at midnight
    js = hand_scored(one_message_each(pd.date_range("2024-11-03 04:00", "2024-11-03 08:00", freq="30min", tz="UTC")))
    hourly = jm.trends(js, freq="h", tz="America/New_York")
    assert hourly["volume"].sum() == 9 and hourly.index.notna().all()
    jm.plot.trends(js, freq="h", tz="America/New_York")  # drew a NaT period before
    js = hand_scored(one_message_each(pd.date_range("2024-11-01 12:00", "2024-11-05 12:00", freq="6h", tz="UTC")))
    assert jm.trends(js, freq="D", tz="America/Havana")["volume"].sum() == 17


def test_a_reply_stamped_in_the_same_second_still_counts_for_recovery() -> None:
    t0 = pd.Timestamp("2024-03-01", tz="UTC")
    df = pd.DataFrame(
        [
            {"event_id": "m1", "customer_id": "c1", "timestamp": t0, "actor": "customer", "valence": -0.8, "in_reply_to": None},
            {"event_id": "m2", "customer_id": "c1", "timestamp": t0, "actor": "agent", "valence": np.nan, "in_reply_to": "m1"},
            {
                "event_id": "m3",
                "customer_id": "c1",
                "timestamp": t0 + pd.Timedelta("1h"),
                "actor": "customer",
                "valence": 0.8,
                "in_reply_to": "m2",
            },
        ]
    )
    metrics = jm.journey_metrics(hand_scored(df, by="thread")).iloc[0]
    assert metrics["recovered"] and metrics["time_to_recover"] == pd.Timedelta("1h")


def test_a_touchpoint_named_like_the_graphs_end_node_is_a_clear_error() -> None:

    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    df = pd.DataFrame(
        {
            "event_id": ["e0", "e1"],
            "customer_id": "a",
            "timestamp": [t0, t0],
            "touchpoint": ["__end__", "web"],
            "valence": [0.1, -0.5],
        }
    )
    with pytest.raises(ValueError, match=r"touchpoint name\(s\) \['__end__'\] are the graph's own start and end nodes"):
        jm.journey_graph(hand_scored(df))


def segment_frame() -> pd.DataFrame:
    """12 journeys of two customer steps; six gold, six whose tier is missing at the first step only."""
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    rows = []
    for j in range(12):
        gold = j < 6
        for k, v in enumerate((-0.6, 0.6 if j % 2 else -0.4)):
            tier = "gold" if gold else (None if k == 0 else "free")
            rows.append(
                {
                    "event_id": f"j{j}s{k}",
                    "customer_id": f"c{j}",
                    "timestamp": t0 + pd.Timedelta(hours=j * 24 + k),
                    "valence": v,
                    "tier": tier,
                }
            )
    return pd.DataFrame(rows)


def test_compare_segments_reads_the_first_customer_step_even_when_it_is_missing() -> None:
    js = hand_scored(segment_frame())
    out = jm.compare_segments(js, "tier", min_size=1)
    # the other six start without a tier: their own segment, never the "free" of a later step
    assert out.index.tolist() == ["gold", "(no tier)"] and out["n_journeys"].tolist() == [6, 6]


def test_compare_segments_describes_every_journey_whatever_the_measure() -> None:
    df = segment_frame()
    df["tier"] = np.where(df["customer_id"].isin([f"c{j}" for j in range(6)]), "gold", "free")
    js = hand_scored(df)
    by_end = jm.compare_segments(js, "tier", min_size=1)
    by_time = jm.compare_segments(js, "tier", measure="time_to_recover", min_size=1)
    columns = ["n_journeys", "mean_valence", "end_valence", "share_negative_end", "recovery_rate"]
    pd.testing.assert_frame_equal(by_end[columns], by_time[columns])
    by_duration = jm.compare_segments(js, "tier", measure="duration", min_size=1)
    assert isinstance(by_duration.loc["gold", "diff_vs_rest"], pd.Timedelta)


def test_dates_without_a_time_are_read_as_midnight_utc(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "dates.parquet"
    pq.write_table(
        pa.table({"customer_id": ["a", "b"], "timestamp": pa.array([dt.date(2024, 1, 1), dt.date(2024, 1, 2)], pa.date32())}),
        path,
    )
    log = jm.read_events(path)
    assert log.rejects.empty
    assert log.events["timestamp"].tolist() == [pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-02", tz="UTC")]


def test_the_report_is_written_from_scores_without_a_scorer_column(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
    page = jm.report(js.with_events(js.events.drop(columns=["scorer"])), tmp_path / "r.html").read_text()
    assert "Scorer not recorded." in page


# -- scoring -------------------------------------------------------------------------------------
def test_scorers_reading_long_texts_differently_have_their_own_ids() -> None:
    from journeymap.emotions.default import DefaultScorer

    assert DefaultScorer().id != DefaultScorer(max_windows=1).id  # their cached rows must not mix
    assert DefaultScorer(max_windows=32).id == DefaultScorer().id


def test_a_three_way_sentiment_model_decides_sentiment_by_its_most_probable_class() -> None:
    from journeymap.emotions.taxonomy import Taxonomy

    class ThreeWay:
        id = "threeway.v1"
        taxonomy = Taxonomy(
            name="sentiment3",
            labels=("negative", "neutral", "positive"),
            valence={"negative": -0.8, "neutral": 0.0, "positive": 0.8},
        )

        def score(self, texts):  # type: ignore[no-untyped-def]
            return np.tile(np.float32([0.55, 0.15, 0.30]), (len(texts), 1))

    out = jm.score(pd.DataFrame({"text": ["my bag is lost"], "actor": "customer"}), scorer=ThreeWay(), cache=False)
    assert out[["sentiment", "emotion"]].iloc[0].tolist() == ["negative", "negative"]
    assert out["valence"].iloc[0] == pytest.approx(0.30 - 0.55)


def test_evaluating_against_sentiment_labels_measures_the_scorers_own_sentiment_decision() -> None:
    from journeymap.emotions.evaluate_labelled import evaluate_labelled
    from journeymap.emotions.taxonomy import Taxonomy

    class Planted:  # labels say positive, the sentiment head says negative
        id = "planted.v1"
        taxonomy = Taxonomy.sentiment()
        outputs = ("sentiment_negative", "sentiment_neutral", "sentiment_positive")

        def score(self, texts):  # type: ignore[no-untyped-def]
            return self.score_outputs(texts)[:, :4]

        def score_outputs(self, texts):  # type: ignore[no-untyped-def]
            return np.tile(np.float32([0.9, 0.0, 0.0, 0.1, 0.8, 0.1, 0.1]), (len(texts), 1))

    data = pd.DataFrame({"text": ["great, another delay", "lost my bag"], "label": ["negative", "negative"]})
    result = evaluate_labelled(data, scorer=Planted())
    assert result["accuracy"] == 1.0 and result["level"] == "sentiment (what journeymap.score writes)"


def test_emoticon_d_colon_is_a_face_only_at_the_end() -> None:
    from journeymap.emotions.normalize import normalize_text

    assert normalize_text("Our flight leaves from Terminal D: gate 32") == "Our flight leaves from Terminal D: gate 32"
    assert normalize_text("they cancelled my flight D:") == "they cancelled my flight anguished face"


def test_a_raw_frames_actor_is_read_in_any_case() -> None:
    from journeymap.emotions.score import scored_rows

    frame = pd.DataFrame({"text": ["I hate this", "thanks!", "we are on it"], "actor": ["Customer", " CUSTOMER ", "agent"]})
    assert scored_rows(frame, agents=False).tolist() == [True, True, False]


# -- interop -------------------------------------------------------------------------------------
def test_a_naive_datetime_column_survives_an_xes_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
    created = pd.Series(pd.Timestamp("2024-01-01 09:30"), index=js.events.index)
    with_naive = jm.JourneySet(js.events.assign(created=created), js.journeys, js.stages, by=js.by)
    back = jm.read_xes(jm.to_xes(with_naive, tmp_path / "naive.xes"))
    pd.testing.assert_series_equal(back.events["created"], with_naive.events["created"], check_index=False)


def test_exports_of_data_on_a_cluster_say_to_compute_first() -> None:
    import journeymap.distributed as jmd

    djs = jmd.build_journeys(jmd.from_pandas(jm.datasets.service_journeys(10, seed=0)))
    for export in (lambda: jm.to_pm4py(djs), lambda: jm.to_xes(djs, "never.xes")):
        with pytest.raises(jm.UnsupportedBackendError, match=r"call \.compute\(\)"):
            export()


def test_graph_exports_take_numpy_values_and_every_kind_of_missing_value(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import networkx as nx

    G = nx.DiGraph()
    G.add_node("a", volume=np.int64(3), share=np.float32("nan"), flag=np.bool_(True), note=pd.NA)
    G.add_edge("a", "b", count=np.int64(2))
    data = jm.to_node_link(G)
    assert data["nodes"][0] == {"id": "a", "volume": 3, "share": None, "flag": True, "note": None}
    assert data["edges" if "edges" in data else "links"][0]["count"] == 2
    text = jm.to_graphml(G, tmp_path / "g.graphml").read_text()
    assert "nan" not in text.lower() and 'attr.name="volume" attr.type="long"' in text


def test_categories_that_are_numbers_survive_parquet_and_xes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    js = jm.build_journeys(jm.datasets.service_journeys(5, seed=0))
    n = len(js.events)
    priority = pd.Categorical([1, 2] * (n // 2) + [1] * (n % 2), categories=[1, 2, 3], ordered=True)
    tagged = jm.JourneySet(js.events.assign(priority=priority), js.journeys, js.stages, by=js.by)
    from_parquet = jm.read_journeys(tagged.to_parquet(tmp_path / "p.parquet")).events["priority"]
    from_xes = jm.read_xes(jm.to_xes(tagged, tmp_path / "p.xes")).events["priority"]
    pd.testing.assert_series_equal(from_parquet, tagged.events["priority"])
    pd.testing.assert_series_equal(from_xes, tagged.events["priority"], check_index=False)


def test_rejects_name_the_users_own_columns_and_a_double_mapping_is_refused() -> None:
    df = pd.DataFrame({"user": ["a", None], "sent_at": ["2024-01-01", "x"]})
    rejects = jm.read_events(df, columns={"user": "customer_id", "sent_at": "timestamp"}, on_error="collect").rejects
    assert sorted(rejects["column"]) == ["sent_at", "user"]
    with pytest.raises(jm.SchemaError, match=r"several input columns onto one name: \{'customer_id': \['user', 'sent_at'\]\}"):
        jm.read_events(df, columns={"user": "customer_id", "sent_at": "customer_id"})


def test_a_bad_byte_in_the_header_says_header(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bin.csv"
    path.write_bytes(b"cust\xff,ts\na,b\n")
    with pytest.raises(jm.SchemaError, match=r"line 1 \(the header line of a CSV\) is not valid UTF-8"):
        jm.read_events(path)


def test_a_folder_without_a_model_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty").mkdir()
    with pytest.raises(jm.ModelLoadError, match=r"the folder holds no model \(no config.json\)"):
        jm.get_scorer(str(tmp_path / "empty"))


def test_trends_bin_multiples_of_a_frequency_evenly() -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(200, seed=0)))
    daily, two_daily = jm.trends(js, freq="D"), jm.trends(js, freq="2D")
    assert len(two_daily) == (len(daily) + 1) // 2 and two_daily["volume"].sum() == daily["volume"].sum()
    assert set(np.diff(two_daily.index.asi8)) == {2 * 86_400 * 10**9}
    three_hourly = jm.trends(js, freq="3h")
    assert set(three_hourly.index.hour) <= {0, 3, 6, 9, 12, 15, 18, 21}
    assert set(jm.trends(js, freq="30min").index.minute) <= {0, 30}


# -- plots ---------------------------------------------------------------------------------------
def test_plot_fixes_from_the_review() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from journeymap.plot import _theme
    from journeymap.plot.time import NO_DATA
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(200, seed=0)))
    # graph edges are coloured on the colour bar's scale (they were at twice the change)
    G = jm.journey_graph(js, level="stage")
    ax = jm.plot.graph(G)
    patch = next(p for p in ax.patches if p.get_gid() == "edge:first_response->resolution")
    change = G.edges["first_response", "resolution"]["mean_valence_change"]
    assert np.allclose(patch.get_edgecolor()[:3], _theme.valence_cmap()(_theme.valence_norm()(change))[:3])
    # hours without messages are drawn in their own colour, not as neutral
    image = jm.plot.time_patterns(js, metric="mean_valence", tz="America/New_York").images[0]
    assert np.allclose(image.cmap.get_bad()[:3], matplotlib.colors.to_rgb(NO_DATA))
    # no data: say so
    empty = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0).events.iloc[:0]))
    assert [t.get_text() for t in jm.plot.trends(empty).texts] == ["no customer messages to show"]
    assert [t.get_text() for t in jm.plot.time_patterns(empty).texts] == ["no scored customer messages to show"]
    # periods within a day keep their time of day on the axis
    raw = jm.datasets.service_journeys(200, seed=0).events
    morning = planted_scores(
        jm.build_journeys(raw[(raw.timestamp >= "2024-03-04 00:00Z") & (raw.timestamp < "2024-03-04 06:00Z")])
    )
    assert jm.plot.trends(morning, freq="30min").get_xticklabels()[1].get_text() == "2024-03-04 00:30"
    # a positive emotion stays on the blue side however many share its valence
    ev = js.events.copy()
    rows = ev.index[(ev["actor"] == "customer") & ev["valence"].notna()]
    ev.loc[rows, "emotion"] = np.random.default_rng(0).choice(["curiosity", "realization", "joy"], len(rows))
    bars = {
        c.get_label(): c.patches[0].get_facecolor() for c in jm.plot.emotion_mix(js.with_events(ev), level="stage").containers
    }
    assert bars["realization"][2] > bars["realization"][0]  # blue over red
    plt.close("all")


def test_a_journeys_curve_and_its_high_are_the_customers_even_with_scored_brand_replies() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(30, seed=0)))
    ev = js.events.copy()
    jid = ev.loc[ev["actor"] != "customer", "journey_id"].iloc[0]
    first_customer = ev.index[(ev["journey_id"] == jid) & (ev["actor"] == "customer")][0]
    brand = ev.index[(ev["journey_id"] == jid) & (ev["actor"] != "customer")]
    emo = [c for c in ev.columns if c.startswith("emo_")]
    ev.loc[brand, emo] = ev.loc[first_customer, emo].to_numpy(dtype=float)
    # as with agents=True (a float32 value: pandas 2.2 warns on a float into the float32 column)
    ev.loc[brand, ["valence", "emotion", "sentiment", "scorer"]] = [np.float32(0.99), "joy", "positive", "planted"]
    scored = js.with_events(ev)
    journey = scored[jid]
    ax = jm.plot.journey(journey)
    line = next(line for line in ax.get_lines() if line.get_label() == "_curve")
    customer_steps = [i.step for i in journey.interactions if i.actor.value == "customer" and i.emotion is not None]
    assert list(line.get_xdata()) == customer_steps
    highs = [t.get_text() for t in ax.texts if t.get_text().startswith("high:")]
    brand_texts = {str(i.text)[:20] for i in journey.interactions if i.actor.value != "customer"}
    assert highs and not any(b and b in h for h in highs for b in brand_texts)
    plt.close("all")


# -- hostile input -------------------------------------------------------------------------------
def test_an_unclosed_quote_is_an_error_not_a_swallowed_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "q.csv"
    lines = ["customer_id,timestamp,text", 'a,2024-01-01,"oops'] + [f"c{i},2024-01-02,row {i}" for i in range(100)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(jm.SchemaError, match="the quoted field that starts on line 2 is never closed"):
        jm.read_events(path)
    ok = tmp_path / "ok.csv"  # a closed multi-line field last is fine
    ok.write_text('customer_id,timestamp,text\na,2024-01-01,"one"\nb,2024-01-02,"last\nmulti"\n')
    assert jm.read_events(ok).events["text"].tolist() == ["one", "last\nmulti"]


def test_a_busy_cache_is_left_alone_and_a_cache_failing_mid_run_only_stops_caching(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from journeymap.emotions.cache import ScoreCache

    path = tmp_path / "scores.sqlite"
    cache = ScoreCache(path)
    cache.put("s", ["hi"], np.ones((1, 2), dtype=np.float32))

    def locked(self):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(ScoreCache, "_create", locked)
    busy = ScoreCache(path)
    assert not busy.disabled and path.is_file() and not list(tmp_path.glob("*.corrupt-*"))  # not renamed away; retried later
    monkeypatch.undo()

    def broken(self, *args):  # type: ignore[no-untyped-def]
        raise sqlite3.DatabaseError("database disk image is malformed")

    def locked_read(self, *args):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(ScoreCache, "_lookup", locked_read)
    stuck = ScoreCache(path)
    rows, found = stuck.get("s", ["hi", "x"], n_labels=2)
    assert not found.any() and np.isnan(rows).all() and not stuck.disabled  # locked mid-run: this call only; the file stays
    assert not list(tmp_path.glob("*.corrupt-*"))

    monkeypatch.setattr(ScoreCache, "_lookup", broken)
    damaged = ScoreCache(path)
    rows, found = damaged.get("s", ["hi", "x"], n_labels=2)
    # damaged pages found when read: the file is set aside and a new cache started, as when it fails to open
    assert not found.any() and np.isnan(rows).all() and not damaged.disabled
    assert len(list(tmp_path.glob("scores.sqlite.corrupt-*"))) == 1


def test_out_of_range_times_are_rejected_and_unreadable_files_are_schema_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    times = pa.array([0, 10**15, -(10**15)], pa.timestamp("s", tz="Asia/Tokyo"))
    pq.write_table(pa.table({"customer_id": ["a", "b", "c"], "timestamp": times}), path)
    log = jm.read_events(path, on_error="collect")
    assert len(log.events) == 1 and log.rejects["row"].tolist() == [1, 2]
    for name, data, what in (("bad.csv.gz", b"not gzip", "gzip"), ("bad.parquet", b"not parquet", "Parquet")):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(jm.SchemaError, match=f"is not a readable {what} file"):
            jm.read_events(tmp_path / name)


def test_a_header_wider_than_any_table_is_refused_at_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "wide.csv"
    path.write_text("customer_id,timestamp," + ",".join(f"c{i}" for i in range(20_000)))
    with pytest.raises(jm.SchemaError, match="has 20,002 columns"):
        jm.read_events(path)


def test_a_journeys_view_takes_columns_named_by_numbers() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "a"], "timestamp": ["2024-01-01", "2024-01-02"], 0: ["x", "y"]})
    js = jm.build_journeys(frame, by="customer")
    assert js[js.journeys.index[0]].interactions[0].attributes == {"0": "x"}


def test_repeated_header_names_are_refused_and_excel_output_keeps_text_as_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    from journeymap.io.sources import write_table

    path = tmp_path / "dup.csv"
    path.write_text("event_id,customer_id,customer_id,timestamp\n1,a,b,2024-01-01\n")
    with pytest.raises(jm.SchemaError, match=r"the header names \['customer_id'\] more than once"):
        jm.read_events(path)
    texts = ['=HYPERLINK("http://evil","click")', "=cmd|' /C calc'!A0", "plain"]
    sheet = openpyxl.load_workbook(write_table(pd.DataFrame({"text": texts}), tmp_path / "o.xlsx")).active
    assert [(c.value, c.data_type) for c in sheet["A"]][1:] == [(t, "s") for t in texts]


def test_the_pydantic_view_and_models_take_edge_values_cleanly() -> None:
    import datetime as dt

    from pydantic import ValidationError

    frame = pd.DataFrame({"customer_id": ["a", "a"], "timestamp": ["2024-01-01", "2024-01-02"], "amount": [np.inf, 1.0]})
    js = jm.build_journeys(frame, by="customer")
    journey = js[js.journeys.index[0]]
    assert journey.interactions[0].attributes == {"amount": None}  # inf has no JSON form
    assert type(journey).model_validate_json(journey.model_dump_json()) == journey
    early = dt.datetime(1, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    with pytest.raises(ValidationError, match="out of range in UTC"):
        jm.Interaction(event_id="1", customer_id="c", actor="customer", timestamp=early)


def test_numeric_labels_written_through_a_float_column_are_the_numbers(tmp_path: Path) -> None:
    # from a docs review: pandas writes a number column with one empty cell as 0.0, 1.0, 2.0; the
    # labels came out '0.0', '1.0', '2.0' and label_map={"0": ...} was silently not applied
    from journeymap.emotions.labelled import read_labelled

    frame = pd.DataFrame({"text": ["awful", "fine", "great", "meh"], "y": [0, 1, 2, None]})
    path = tmp_path / "tweets.csv"
    frame.to_csv(path, index=False)
    assert "0.0" in path.read_text()
    names = {"0": "negative", "1": "neutral", "2": "positive"}
    data = read_labelled(path, label="y", label_map=names)
    assert data.labels == [("negative",), ("neutral",), ("positive",)]
    assert data.skipped["reason"].tolist() == ["no label"]
    # a label that is not a whole number keeps its text, and so do the others beside it
    mixed = read_labelled(pd.DataFrame({"text": ["a", "b"], "label": ["1.0", "1.5"]}), sep=None)
    assert mixed.labels == [("1.0",), ("1.5",)]
    # a label_map naming them as written still applies; long ids keep every digit
    as_written = read_labelled(path, label="y", label_map={"0.0": "negative", "1.0": "neutral", "2.0": "positive"})
    assert as_written.labels == [("negative",), ("neutral",), ("positive",)]
    ids = read_labelled(pd.DataFrame({"text": ["a"], "label": ["12345678901234567891.0"]}))
    assert ids.labels == [("12345678901234567891",)]
