"""Fixes of the eleventh session (each test fails without its fix)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm

if TYPE_CHECKING:
    from pathlib import Path


def _repeat_customers(spec: dict[str, list[list[float]]]) -> jm.JourneySet:
    """Journeys of one message each; ``spec``: tier -> customers -> the valence of each of their journeys."""
    rows = []
    start = pd.Timestamp("2026-01-01", tz="UTC")
    for tier, customers in spec.items():
        for c, valences in enumerate(customers):
            for j, v in enumerate(valences):
                rows.append(
                    {
                        "customer_id": f"{tier}{c}",
                        "thread_id": f"{tier}{c}-{j}",
                        "timestamp": start + pd.Timedelta(days=j, minutes=c),
                        "actor": "customer",
                        "touchpoint": "web",
                        "text": "a message",
                        "tier": tier,
                        "valence": v,
                        "sentiment": "negative" if v < -0.25 else ("positive" if v > 0.25 else "neutral"),
                    }
                )
    return jm.build_journeys(jm.read_events(pd.DataFrame(rows)))


def test_compare_segments_counts_a_customer_once_not_each_of_their_journeys() -> None:
    from scipy.stats import t as t_dist

    # tier a: two unhappy customers with six journeys each; tier b: six customers, two journeys each
    rng = np.random.default_rng(0)
    a = [list(-0.6 + 0.05 * rng.standard_normal(6)), list(-0.4 + 0.05 * rng.standard_normal(6))]
    b = [list(0.1 * k - 0.5 + 0.05 * rng.standard_normal(2)) for k in range(6)]
    js = _repeat_customers({"a": a, "b": b})
    by_journey = jm.compare_segments(js, "tier", units=None, min_size=2)
    by_customer = jm.compare_segments(js, "tier", min_size=2)
    assert by_journey["n_units"].tolist() == [12, 12]
    assert by_customer["n_units"].tolist() == [2, 6]
    assert by_customer["n_journeys"].tolist() == [12, 12]
    # the regression of the measure on the segment, with the cluster sandwich written out as matrices
    y = np.array([v for customers in (a, b) for c in customers for v in c])
    in_a = np.array([True] * 12 + [False] * 12)
    cluster = np.repeat(np.arange(8), [6, 6, 2, 2, 2, 2, 2, 2])
    X = np.column_stack([np.ones(24), in_a.astype(float)])
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ X.T @ y
    resid = y - X @ beta
    # each side's small-sample factor g/(g-1): 2 customers in a, 6 in b
    factor = {g: (2 / 1 if g < 2 else 6 / 5) for g in range(8)}
    meat = sum(
        factor[g] * np.outer(X[cluster == g].T @ resid[cluster == g], X[cluster == g].T @ resid[cluster == g]) for g in range(8)
    )
    se = np.sqrt((bread @ meat @ bread)[1, 1])
    expected = 2 * t_dist.sf(abs(beta[1]) / se, df=2 - 1)  # two customers on the smaller side
    assert by_customer.loc["a", "p_value"] == pytest.approx(expected, rel=1e-9)
    assert by_customer.loc["a", "diff_vs_rest"] == pytest.approx(beta[1], rel=1e-12)
    # twelve journeys read as twelve customers: a far smaller p-value than two customers can give
    assert by_journey.loc["a", "p_value"] < 0.01
    assert by_customer.loc["a", "p_value"] > 0.05
    # the descriptive columns, the difference and its effect size stay over journeys either way
    for column in ("end_valence", "diff_vs_rest", "effect_size"):
        assert by_customer[column].tolist() == by_journey[column].tolist()
    assert np.sign(by_customer["diff_vs_rest"]).tolist() == np.sign(by_customer["effect_size"]).tolist()


def test_compare_segments_does_not_test_a_segment_of_one_customer() -> None:
    # one customer wrote 12 times (tier a); 12 customers once each (tier b)
    js = _repeat_customers({"a": [[-0.8] * 6 + [-0.7] * 6], "b": [[0.1 * (k % 5)] for k in range(12)]})
    table = jm.compare_segments(js, "tier")
    assert table.loc["a", "n_units"] == 1
    assert not table.loc["a", "testable"]  # before: tested as 12 independent journeys, p < 0.001
    assert np.isnan(table.loc["a", "p_value"])
    assert jm.compare_segments(js, "tier", units=None).loc["a", "p_value"] < 0.001


def test_compare_segments_units_equal_journeys_where_each_customer_has_one() -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
    one = js.with_events(js.events.assign(person=js.events["journey_id"].astype("string")))
    by_person = jm.compare_segments(one, "tier", units="person")
    pd.testing.assert_frame_equal(by_person, jm.compare_segments(one, "tier", units=None))
    # service_journeys' customers come back: by customer, fewer units
    assert (jm.compare_segments(js, "tier")["n_units"] < by_person["n_units"]).all()


def test_compare_segments_units_must_name_a_column() -> None:
    js = _repeat_customers({"a": [[0.1], [0.2]], "b": [[0.3], [0.4]]})
    with pytest.raises(jm.SchemaError, match="no column 'household'"):
        jm.compare_segments(js, "tier", units="household")
    with pytest.raises(jm.ArgumentTypeError, match="units must be a column name or None"):
        jm.compare_segments(js, "tier", units=3)  # type: ignore[arg-type]
    # an events column read at the journey's first customer step, as `by` is
    assert jm.compare_segments(js, "tier", units="touchpoint")["n_units"].tolist() == [1, 1]


def test_zendesk_light_agents_are_agents() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": "c",
            "timestamp": ["2026-03-01T09:00Z", "2026-03-01T10:00Z"],
            "actor": ["end-user", "light-agent"],
            "text": ["my card is blocked", "we are on it"],
        }
    )
    log = jm.read_events(frame, on_error="collect")
    assert log.events["actor"].tolist() == ["customer", "agent"]  # before: "light-agent" rejected


def test_unparseable_timestamps_say_what_is_read() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["03/01/2026 09:15", "2026-03-01T09:15Z"]})
    reason = jm.read_events(frame, on_error="collect").rejects.loc[0, "reason"]
    assert reason.startswith("unparseable timestamp: journeymap reads ISO 8601")
    assert "pandas.to_datetime" in reason


def test_assign_topics_takes_a_floor_for_zero_shot_names() -> None:
    from journeymap.testing import HashingEncoder
    from journeymap.topics import TopicInputError, TopicModel

    texts = ["my card is blocked", "card blocked again", "refund please", "where is my refund", "watched a movie yesterday"]
    events = pd.DataFrame({"text": texts, "actor": "customer"})
    options = {"labels": ["card", "refund"], "encoder": HashingEncoder(), "cache": False}
    without = jm.assign_topics(events, **options)
    assert "other" not in set(without["topic"])  # every text joins a name
    floored = jm.assign_topics(events, min_score=0.2, **options)  # before: no such argument
    assert floored["topic"].tolist()[-1] == "other"
    assert floored["topic"].tolist()[:4] == without["topic"].tolist()[:4]
    assert (floored["topic_score"].iloc[-1] < 0.2) and (floored["topic_score"].iloc[:4] >= 0.2).all()
    with pytest.raises(TopicInputError, match="min_score"):
        jm.assign_topics(events, TopicModel(encoder=HashingEncoder(), cache=False), min_score=0.2)


def test_the_report_leaves_the_matplotlib_backend_as_it_was(tmp_path: Path) -> None:
    import matplotlib as mpl

    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(12, seed=0)))
    before = mpl.get_backend()
    try:
        mpl.use("svg")
        jm.report(js, tmp_path / "r.html")
        assert mpl.get_backend() == "svg"  # before: "Agg" for good, whatever the host had chosen
        assert "data:image/png;base64," in (tmp_path / "r.html").read_text()
    finally:
        mpl.use(before)


def test_type_checkers_do_not_see_the_lazy_getattr() -> None:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(jm))
    top = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert "__getattr__" not in top  # before: at top level, typed -> Any, so mypy accepted jm.any_misspelt_name
    hidden = [
        n
        for n in tree.body
        if isinstance(n, ast.If)
        and ast.unparse(n.test) == "not TYPE_CHECKING"
        and any(isinstance(f, ast.FunctionDef) and f.name == "__getattr__" for f in n.body)
    ]
    assert hidden
    assert jm.TopicModel.__name__ == "TopicModel" and jm.plot.__name__ == "journeymap.plot"  # still lazy at run time
    with pytest.raises(AttributeError, match="no attribute 'pain_pionts'"):
        jm.pain_pionts  # noqa: B018


def test_a_missing_or_folder_source_is_a_journeymap_error_and_the_builtin(tmp_path: Path) -> None:
    for call in (
        lambda: jm.read_events(tmp_path / "missing.csv"),
        lambda: jm.read_twcs(tmp_path / "missing.csv"),
        lambda: jm.read_journeys(tmp_path / "missing.parquet"),
        lambda: jm.read_xes(tmp_path / "missing.xes"),
    ):
        with pytest.raises(jm.SourceNotFoundError) as err:  # before: a bare FileNotFoundError
            call()
        assert isinstance(err.value, FileNotFoundError) and isinstance(err.value, jm.JourneyMapError)
        assert "missing." in str(err.value)
    with pytest.raises(jm.SourceIsFolderError, match="is a folder, not a file") as folder:
        jm.read_events(tmp_path)
    assert isinstance(folder.value, IsADirectoryError)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("zone", ["UTC", None])
def test_pyarrow_timestamp_columns_are_read(unit: str, zone: str | None) -> None:
    import pyarrow as pa

    stamps = pd.array(
        [pd.Timestamp("2026-01-01 10:00"), pd.Timestamp("2026-01-01 11:00")], dtype=pd.ArrowDtype(pa.timestamp(unit, tz=zone))
    )
    frame = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": stamps})  # read_parquet(..., dtype_backend="pyarrow")
    events = jm.read_events(frame).events  # before: ArrowInvalid for nanoseconds
    assert events["timestamp"].tolist() == [
        pd.Timestamp("2026-01-01 10:00", tz="UTC"),
        pd.Timestamp("2026-01-01 11:00", tz="UTC"),
    ]


def test_a_pyarrow_timestamp_beyond_nanoseconds_is_rejected_with_its_reason() -> None:
    import datetime as dt

    import pyarrow as pa

    from journeymap.io._time import OUT_OF_RANGE

    stamps = pd.array([dt.datetime(3000, 1, 1), dt.datetime(2026, 1, 1, 10)], dtype=pd.ArrowDtype(pa.timestamp("us")))
    log = jm.read_events(pd.DataFrame({"customer_id": ["a", "b"], "timestamp": stamps}), on_error="collect")
    assert log.rejects[["row", "reason"]].values.tolist() == [[0, OUT_OF_RANGE]]
    assert log.events["timestamp"].tolist() == [pd.Timestamp("2026-01-01 10:00", tz="UTC")]


@pytest.mark.parametrize(
    "values", [["2026-01-01T10:00Z"], ["2026-01-01T10:00Z", "2026-01-01T10:00Z"], ["x", "2026-01-01T10:00Z"]]
)
def test_categorical_timestamps_are_read_value_by_value(values: list[str]) -> None:
    frame = pd.DataFrame({"customer_id": "a", "timestamp": pd.Categorical(values)})
    log = jm.read_events(frame, on_error="collect")  # before: TypeError from pandas' Categorical
    assert log.events["timestamp"].tolist() == [pd.Timestamp("2026-01-01 10:00", tz="UTC")] * values.count("2026-01-01T10:00Z")
    assert len(log.events) + len(log.rejects) == len(values)


def test_with_events_refuses_events_the_analytics_cannot_read() -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(8, seed=0))
    events = js.events
    cases = {
        "column 'timestamp' is gone": events.drop(columns="timestamp"),  # before: KeyError in the analytics
        "column 'actor' is gone": events.drop(columns="actor"),
        "column 'journey_id' changed": events.assign(journey_id=events["journey_id"].iloc[::-1].to_numpy()),
        "must hold time-zone-aware times": events.assign(timestamp=events["timestamp"].dt.tz_localize(None)),
        "'timestamp' must hold": events.assign(timestamp=events["timestamp"].astype(str)),
        "'valence' must hold numbers": events.assign(valence="x"),
    }
    for message, changed in cases.items():
        with pytest.raises(jm.SchemaError, match=message):
            js.with_events(changed)
    kept = js.with_events(events.assign(valence=0.5, region="north"))
    assert kept.events["region"].eq("north").all() and len(kept) == len(js)


def test_dates_without_times_get_no_hour_of_day_chart() -> None:
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(15, seed=0)))
    events = jm.datasets.service_journeys(15, seed=0).events
    dates = events["timestamp"].dt.tz_convert("Europe/Berlin").dt.normalize().dt.tz_convert("UTC")
    dated = planted_scores(jm.build_journeys(jm.read_events(events.assign(timestamp=dates))))
    ax = jm.plot.time_patterns(dated, tz="Europe/Berlin")
    texts = [t.get_text() for t in ax.texts]
    assert not ax.images  # before: every message drawn in the 00 column, read as a pattern
    assert any("stamped 00:00 (Europe/Berlin)" in t and "dates, not times" in t for t in texts)
    plt.close(ax.figure)
    ax = jm.plot.time_patterns(js)  # real times: the heatmap
    assert ax.images
    plt.close(ax.figure)


def _ticket_events(closed: list[object] | None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "thread_id": ["t1", "t1", "t1", "t2", "t3", "t3", "t3"],
            "customer_id": ["c1", "c1", "c1", "c2", "c3", "c3", "c3"],
            "timestamp": pd.to_datetime(
                [
                    "2026-03-01 09:00",
                    "2026-03-01 10:00",
                    "2026-03-01 12:00",
                    "2026-03-01 09:30",
                    "2026-03-01 09:40",
                    "2026-03-01 09:50",
                    "2026-03-01 11:00",
                ],
                utc=True,
            ),
            "actor": ["customer", "agent", "customer", "customer", "customer", "agent", "customer"],
            "text": [
                "my card is blocked",
                "fixed",
                "Slow and unhelpful.",
                "where is my refund",
                "app crashes",
                "which phone?",
                "iphone 12",
            ],
        }
    )
    return frame if closed is None else frame.assign(closed=closed)


def _scored_tickets(closed: list[object] | None) -> jm.JourneySet:
    js = jm.build_journeys(jm.read_events(_ticket_events(closed)))
    valence = js.events["text"].map({"fixed": 0.0, "which phone?": 0.0, "iphone 12": 0.0}).fillna(-0.6)
    sentiment = valence.map(lambda v: "negative" if v < -0.25 else "neutral")
    return js.with_events(js.events.assign(valence=valence.astype("float64"), sentiment=sentiment))


@pytest.mark.parametrize("flags", [[False, False, True, False, False, False, False], ["", "", "True", "", "", "", "false"]])
def test_a_comment_on_a_closed_ticket_waits_for_no_reply(flags: list[object]) -> None:
    js = _scored_tickets(flags)  # a CSV's words, or booleans
    plain = _scored_tickets(None)
    before = jm.triage(plain)
    assert set(before.loc[before["status"] == "waiting", "text"]) == {"Slow and unhelpful.", "where is my refund", "iphone 12"}
    after = jm.triage(js)
    status = dict(zip(after["text"], after["status"]))
    assert status == {"where is my refund": "waiting", "iphone 12": "waiting", "Slow and unhelpful.": "closing"}
    reason = after.loc[after["text"] == "Slow and unhelpful.", "reason"].iloc[0]
    assert reason.startswith("the source marks the conversation closed;") and "thanked" not in reason
    times = jm.response_times(js)
    assert int(times["unanswered"].sum()) == 2  # before: 3, the survey comment on the solved ticket counted
    assert int(jm.response_times(plain)["unanswered"].sum()) == 3


def test_a_closed_column_that_is_no_flag_is_not_read_as_one(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    js = _scored_tickets(["2026-03-02"] * 7)  # an export's close date
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        table = jm.triage(js)  # before: SchemaError, a close date is no flag
    assert set(table.loc[table["status"] == "waiting", "text"]) == {"Slow and unhelpful.", "where is my refund", "iphone 12"}
    assert any("it is not read as the closed flag" in r.getMessage() for r in caplog.records)
    assert int(jm.response_times(js)["unanswered"].sum()) == 3


def test_numeric_segments_come_in_numeric_order() -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
    codes = pd.factorize(js.events["customer_id"])[0] % 11  # an NPS score per customer, 0 to 10
    table = jm.compare_segments(js.with_events(js.events.assign(nps=codes)), "nps", min_size=1)
    assert table.index.tolist() == list(range(11))  # before: 0, 1, 10, 2, ...; numbers, not text, since review 16
    assert jm.compare_segments(js, "tier").index.tolist() == ["free", "plus", "premium"]


def test_nested_json_lines_are_flattened_into_dotted_columns(tmp_path: Path) -> None:
    import json

    rows = [
        {"id": "m1", "author": {"id": "u1", "is_brand": False}, "created_time": 1772356500000, "body": "my order is late"},
        {"id": "m2", "author": {"id": "u2", "is_brand": False}, "created_time": 1772357100000, "body": "same here"},
    ]
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    columns = {"id": "event_id", "author.id": "customer_id", "created_time": "timestamp", "body": "text"}
    log = jm.read_events(path, columns=columns)  # before: SchemaError, no column 'author.id' (one column of dicts)
    assert log.events["customer_id"].tolist() == ["u1", "u2"]
    assert log.events["author.is_brand"].astype(str).tolist() == ["False", "False"]
    assert log.events["timestamp"].tolist() == [
        pd.Timestamp(1772356500000, unit="ms", tz="UTC"),
        pd.Timestamp(1772357100000, unit="ms", tz="UTC"),
    ]


def test_any_path_like_source_is_read(tmp_path: Path) -> None:
    class Where:  # an os.PathLike that is no pathlib.Path (fsspec, a service's own path type)
        def __init__(self, path: Path) -> None:
            self.path = path

        def __fspath__(self) -> str:
            return str(self.path)

    csv = tmp_path / "events.csv"
    pd.DataFrame({"customer_id": ["a"], "timestamp": ["2026-03-01T09:00Z"]}).to_csv(csv, index=False)
    assert len(jm.read_events(Where(csv))) == 1  # before: ArgumentTypeError, "must be a DataFrame or a path"


def test_a_transition_seen_once_does_not_top_the_moments_of_truth() -> None:
    rows = []
    start = pd.Timestamp("2026-01-01", tz="UTC")
    # ten journeys web -> app with a steady drop of 0.4; one journey web -> phone with a drop of 1.6
    for j in range(11):
        second = "phone" if j == 10 else "app"
        first_v, second_v = (0.8, -0.8) if j == 10 else (0.3, -0.1)
        for k, (tp, v) in enumerate([("web", first_v), (second, second_v)]):
            rows.append(
                {
                    "customer_id": f"c{j}",
                    "thread_id": f"t{j}",
                    "timestamp": start + pd.Timedelta(hours=j, minutes=k),
                    "actor": "customer",
                    "touchpoint": tp,
                    "text": "x",
                    "valence": v,
                    "sentiment": "negative" if v < -0.25 else ("positive" if v > 0.25 else "neutral"),
                }
            )
    js = jm.build_journeys(jm.read_events(pd.DataFrame(rows)))
    table = jm.moments_of_truth(js)
    assert table.index.tolist()[0] == ("web", "app")  # before: ("web", "phone"), one customer's drop
    assert table.loc[("web", "phone"), "rank"] == 2
    assert jm.moments_of_truth(js, min_count=1).index.tolist()[0] == ("web", "phone")
    with pytest.raises(jm.InvalidArgumentError, match="min_count"):
        jm.moments_of_truth(js, min_count=0)


def test_the_time_of_day_check_survives_a_zone_whose_clocks_skip_midnight() -> None:
    from journeymap.analytics._time import clock_time

    # Santiago's clocks went from 00:00 to 01:00 on 2024-09-08: that midnight does not exist there
    stamps = pd.to_datetime(["2024-09-08 05:30", "2024-09-08 06:00", "2024-09-09 07:00"]).tz_localize("UTC")
    events = pd.DataFrame({"timestamp": stamps, "actor": "customer"})
    assert clock_time(events, "America/Santiago") is None  # before: ValueError, a nonexistent time
    dates = pd.to_datetime(["2024-09-07", "2024-09-09", "2024-09-10"]).tz_localize("America/Santiago").tz_convert("UTC")
    assert clock_time(pd.DataFrame({"timestamp": dates, "actor": "customer"}), "America/Santiago") == "00:00"


def test_with_events_takes_the_same_values_in_other_dtypes() -> None:
    js = jm.build_journeys(jm.datasets.service_journeys(8, seed=0))
    events = js.events
    for changed in (
        events.convert_dtypes(),  # before: SchemaError, "column 'step' changed"
        events.assign(step=events["step"].astype("int32")),
        events.assign(journey_id=events["journey_id"].astype("category")),
        events.assign(journey_id=events["journey_id"].astype(object)),
    ):
        assert len(js.with_events(changed)) == len(js)


def test_compare_segments_keeps_the_comparison_within_customers_whose_journeys_span_segments() -> None:
    rng = np.random.default_rng(3)
    level = rng.normal(0.0, 0.4, 20)  # customers differ a lot; each is a little worse about billing
    rows = []
    start = pd.Timestamp("2026-01-01", tz="UTC")
    for c in range(20):
        for j, (topic, shift) in enumerate([("billing", -0.08), ("delivery", 0.08)]):
            v = float(np.clip(level[c] + shift + rng.normal(0, 0.02), -1, 1))
            rows.append(
                {
                    "customer_id": f"c{c}",
                    "thread_id": f"c{c}-{j}",
                    "timestamp": start + pd.Timedelta(days=j, minutes=c),
                    "actor": "customer",
                    "text": "x",
                    "topic": topic,
                    "valence": v,
                    "sentiment": "neutral",
                }
            )
    js = jm.build_journeys(jm.read_events(pd.DataFrame(rows)))
    table = jm.compare_segments(js, "topic")
    # before: every customer is in both topics, so no customer was left for the rest: not tested
    assert table["testable"].all() and table["n_units"].tolist() == [20, 20]
    assert table.loc["billing", "p_value"] < 1e-6 and table.loc["billing", "diff_vs_rest"] < 0
    # journeys counted as independent: the customers' spread hides the difference
    assert jm.compare_segments(js, "topic", units=None).loc["billing", "p_value"] > 0.05
    # any segment: the smallest p-value times the two tests
    assert table["omnibus_p"].iloc[0] == pytest.approx(min(1.0, 2 * table["p_value"].min()), rel=1e-12)


def test_an_iso_slip_and_a_blank_time_get_their_own_reasons() -> None:
    from journeymap.io._time import NOT_A_MOMENT, UNPARSEABLE

    frame = pd.DataFrame(
        {"customer_id": list("abcde"), "timestamp": ["2026-13-45", "   ", "2026-02-30 10:00", "next week", "2026-03-01T09:00Z"]}
    )
    reasons = dict(jm.read_events(frame, on_error="collect").rejects[["row", "reason"]].itertuples(index=False))
    # before: all three "unparseable timestamp ... parse others with pandas.to_datetime(format=...)"
    assert reasons == {0: NOT_A_MOMENT, 1: "missing timestamp", 2: NOT_A_MOMENT, 3: UNPARSEABLE}


def test_the_journey_map_fades_small_cells_and_draws_no_curve_through_topics() -> None:
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    from journeymap.plot.journey_map import FEW_ALPHA, MIN_VOLUME
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(12, seed=0)))
    table = journey_map_cells(js)
    ax = jm.plot.journey_map(js)
    points = next(c for c in ax.collections if c.get_gid() == "touchpoints")
    few = table["volume"].to_numpy() < MIN_VOLUME
    assert few.any() and not few.all()
    alphas = points.get_facecolors()[:, 3]
    assert np.allclose(alphas[few], FEW_ALPHA) and np.allclose(alphas[~few], 1.0)  # before: all drawn alike
    # the line joins the stages' means only: the touchpoints within a stage are no sequence (review 17)
    assert not [line for line in ax.lines if len(line.get_xdata()) == len(table)]
    assert [line for line in ax.lines if line.get_gid() == "stage-means"]
    plt.close(ax.figure)
    topics = js.with_events(js.events.assign(topic=js.events["touchpoint"].where(js.events["actor"] == "customer")))
    ax = jm.plot.journey_map(topics, level="topic")
    n_cells = len(journey_map_cells(topics, level="topic"))
    assert not [line for line in ax.lines if len(line.get_xdata()) == n_cells]  # before: a curve joined the topics
    assert [c for c in ax.collections if c.get_gid() == "intervals"]  # each topic its own interval
    plt.close(ax.figure)


def journey_map_cells(js: jm.JourneySet, level: str = "touchpoint") -> pd.DataFrame:
    from journeymap.plot._stats import journey_map_table

    return journey_map_table(js, level=level)  # type: ignore[arg-type]


def test_a_real_day_with_a_zone_name_is_unparseable_not_a_slip() -> None:
    from journeymap.io._time import UNPARSEABLE

    frame = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["2024-03-01 09:15 PST", "2024-03-01 09:15 Europe/Paris"]})
    reasons = jm.read_events(frame, on_error="collect").rejects["reason"].tolist()
    assert reasons == [UNPARSEABLE, UNPARSEABLE]  # the to_datetime(format=...) hint is the useful one here


def test_compare_segments_reads_no_spread_from_the_data_and_needs_two_units_a_side() -> None:
    from journeymap.testing.data import planted_scores

    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))
    flat = js.with_events(js.events.assign(valence=js.events["valence"].where(js.events["valence"].isna(), 0.1)))
    table = jm.compare_segments(flat, "tier")
    # before: a rounding remainder of 1e-17 read as a difference, p down to 1e-7 and d up to 2
    assert (table["p_value"] == 1.0).all() and table["effect_size"].isna().all()
    rows = []
    for c, (tier, n) in enumerate([("solo", 4), *[("many", 1)] * 8]):
        for j in range(n):
            rows.append({"customer_id": f"c{c}", "thread_id": f"c{c}-{j}", "actor": "customer", "text": "x", "tier": tier,
                         "timestamp": pd.Timestamp("2026-01-01", tz="UTC") + pd.Timedelta(days=j, minutes=c),
                         "valence": -0.5 + 0.1 * j + 0.05 * c, "sentiment": "neutral"})  # fmt: skip
    one = jm.build_journeys(jm.read_events(pd.DataFrame(rows)))
    solo = jm.compare_segments(one, "tier", min_size=1).loc["solo"]
    assert solo["n_units"] == 1 and not solo["testable"] and np.isnan(solo["p_value"])  # before: testable, p NaN


def test_the_reports_triage_shows_a_priority_only_where_it_ranks(tmp_path: Path) -> None:
    import re

    js = _scored_tickets([False, False, True, False, False, False, False])  # the survey comment: "closing"
    page = jm.report(js, tmp_path / "r.html").read_text()
    section = page[page.index("Triage: open messages") :]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)]
    cells = {tuple(c.strip() for c in row[:2]): row for row in rows if len(row) >= 2}
    closing = next(row for key, row in cells.items() if key[0] == "closing")
    assert closing[1].strip() == "–"  # before: its priority, beside the ranked ones
    waiting = [row for key, row in cells.items() if key[0] == "waiting"]
    assert waiting and all(re.fullmatch(r"\d\.\d{3}", row[1].strip()) for row in waiting)
