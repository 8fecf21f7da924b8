"""Sixteenth session's analytics fixes (reviews rv14 and rv15): each test fails without its fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.analytics._durations import LONGEST, durations_between, ns_between
from journeymap.exceptions import InvalidArgumentError, SchemaError
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path

NS = "timedelta64[ns]"
OVER_292_YEARS = "292 years"


def _journeys(rows: dict[str, list[object]]) -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.read_events(pd.DataFrame(rows))))


@pytest.fixture(scope="module")
def span() -> jm.JourneySet:
    """A year typo (1717 among 2017 rows, accepted by the reader): a, answered in 5 min; b, open since
    1717; c, written in 1717 and answered in 2017; d, open for 1 h 05 min at the end of the data."""
    return _journeys(
        {
            "event_id": ["1", "2", "3", "4", "5", "6"],
            "customer_id": ["a", "a", "b", "c", "c", "d"],
            "timestamp": [
                "2017-10-11T10:00:00Z",
                "2017-10-11T10:05:00Z",
                "1717-10-11T10:00:00Z",
                "1717-10-11T10:00:00Z",
                "2017-10-11T10:00:00Z",
                "2017-10-11T09:00:00Z",
            ],
            "actor": ["customer", "agent", "customer", "customer", "agent", "customer"],
            "text": ["my order is late", "sorry, checking", "where is my refund", "hello??", "sorry", "bad"],
            "in_reply_to": [None, "1", None, None, "4", None],
            "true_emotion": ["anger", "neutral", "anger", "anger", "neutral", "sadness"],
        }
    )


def _by_customer(table: pd.DataFrame, js: jm.JourneySet, customer: str) -> pd.Series:
    return table.loc[js.journeys.index[js.journeys["customer_id"] == customer][0]]


# 1. (rv15 #2) more than 292 years between two events: no OverflowError, no wrapped-around wait


def test_response_times_over_292_years_clamp_with_a_warning_and_keep_the_rest_exact(span: jm.JourneySet) -> None:
    with pytest.warns(UserWarning, match=OVER_292_YEARS):
        rt = jm.response_times(span)
    assert (rt[["first_response", "first_wait", "mean_wait"]].dtypes == NS).all()
    assert _by_customer(rt, span, "a")["first_response"] == pd.Timedelta(minutes=5)
    assert _by_customer(rt, span, "d")["first_wait"] == pd.Timedelta(minutes=65)
    b = _by_customer(rt, span, "b")
    assert bool(b["censored"])
    assert b["first_wait"] == LONGEST  # 300 years open: the longest pandas holds, not an error
    c = _by_customer(rt, span, "c")
    assert not bool(c["censored"])
    assert c["first_response"] == LONGEST
    assert c["mean_wait"] == LONGEST  # a mean of it is no NaT


def test_triage_over_292_years_lists_both_open_messages(span: jm.JourneySet) -> None:
    with pytest.warns(UserWarning, match=OVER_292_YEARS):
        t = jm.triage(span)
    assert t["waiting"].dtype == NS
    assert t.loc["3", "waiting"] == LONGEST
    assert t.loc["6", "waiting"] == pd.Timedelta(minutes=65)
    assert sorted(t.index) == ["3", "6"]
    assert t["rank"].notna().all()


def test_reply_waits_table_and_metrics_over_292_years(span: jm.JourneySet) -> None:
    with pytest.warns(UserWarning, match=OVER_292_YEARS):
        waits = jm.reply_waits(span)
    assert waits.loc["4", "wait"] == LONGEST
    with pytest.warns(UserWarning, match=OVER_292_YEARS):
        table = jm.reply_table(span)
    assert table.loc["5", "wait"] == LONGEST  # was 0: NumPy's int64 wrapped round to a negative, clamped to 0
    assert table.loc["2", "wait"] == pd.Timedelta(minutes=5)
    with pytest.warns(UserWarning, match=OVER_292_YEARS):
        metrics = jm.journey_metrics(span)
    assert _by_customer(metrics, span, "c")["duration"] == LONGEST
    assert _by_customer(metrics, span, "a")["duration"] == pd.Timedelta(minutes=5)
    with pytest.warns(UserWarning, match=OVER_292_YEARS):
        assert int(jm.journey_variants(span)["journeys"].sum()) == len(span)


def test_service_levels_and_trends_over_292_years(span: jm.JourneySet) -> None:
    with pytest.warns(UserWarning, match=OVER_292_YEARS):
        levels = jm.service_levels(span)
    # the median of a 5 min and a 300-year first response, read in float seconds: no wraparound to 0
    assert levels.loc["(unsigned)", "first_response_median"] > pd.Timedelta(days=50_000)
    assert levels.loc["(unsigned)", "first_response_median"] < LONGEST
    with pytest.warns(UserWarning, match=OVER_292_YEARS):
        trends = jm.trends(span, freq="YS")
    assert trends.loc[pd.Timestamp("2017-01-01", tz="UTC"), "first_response_median"] == pd.Timedelta(minutes=5)
    assert trends.loc[pd.Timestamp("1717-01-01", tz="UTC"), "first_response_median"] == LONGEST


def test_report_of_data_over_292_years_is_written(span: jm.JourneySet, tmp_path: Path) -> None:
    out = tmp_path / "span.html"
    with pytest.warns(UserWarning, match=OVER_292_YEARS):
        jm.report(span, out)
    assert out.stat().st_size > 0


def test_durations_between_is_pandas_subtraction_where_it_fits() -> None:
    rng = np.random.default_rng(0)
    later = pd.Series(pd.to_datetime(rng.integers(1.4e18, 1.7e18, 200), utc=True)).astype("datetime64[ns, UTC]")
    earlier = later - pd.to_timedelta(rng.integers(-1e12, 1e15, 200), unit="ns")
    later[3] = pd.NaT
    expected = (later - earlier).to_numpy()
    got = durations_between(later, earlier)
    assert got.dtype == np.dtype(NS)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(ns_between(later, earlier), (later - earlier).dt.total_seconds().mul(1e9).round().to_numpy())


# 2. (rv15 #4) periods near pandas' bounds: those whose label (start) fits are made


@pytest.fixture(scope="module")
def late() -> jm.JourneySet:
    return _journeys(
        {
            "event_id": ["1", "2"],
            "customer_id": "a",
            "actor": ["customer", "agent"],
            "timestamp": ["2262-04-09T10:00:00Z", "2262-04-09T10:05:00Z"],
            "text": ["late order", "sorry"],
            "in_reply_to": [None, "1"],
            "true_emotion": ["anger", "neutral"],
        }
    )


@pytest.mark.parametrize(
    ("freq", "start"), [("W", "2262-04-07"), ("MS", "2262-04-01"), ("QS", "2262-04-01"), ("Y", "2262-01-01")]
)
def test_trends_of_periods_ending_past_2262_are_made(late: jm.JourneySet, freq: str, start: str) -> None:
    t = jm.trends(late, freq=freq)
    assert t.index.tolist() == [pd.Timestamp(start, tz="UTC")]
    assert t.index.dtype == "datetime64[ns, UTC]"
    assert t["volume"].tolist() == [1]
    assert t["first_response_median"].tolist() == [pd.Timedelta(minutes=5)]
    assert t["partial"].tolist() == [True]


def test_report_with_weekly_periods_near_2262(late: jm.JourneySet, tmp_path: Path) -> None:
    out = tmp_path / "late.html"
    jm.report(late, out)  # freq="W", the default, was refused
    assert out.stat().st_size > 0


def test_periods_starting_before_1677_are_still_refused() -> None:
    early = _journeys(
        {
            "event_id": ["1"],
            "customer_id": "a",
            "actor": ["customer"],
            "timestamp": ["1677-09-23T10:00:00Z"],
            "text": ["late order"],
            "in_reply_to": [None],
            "true_emotion": ["anger"],
        }
    )
    with pytest.raises(InvalidArgumentError, match=r"freq='W'.*start outside"):
        jm.trends(early, freq="W")


# 3. (rv14 L1) compare_segments keeps the segment values' type


@pytest.fixture(scope="module")
def segmented() -> jm.JourneySet:
    ev = jm.datasets.service_journeys(60, seed=1).events.copy()
    n = np.arange(len(ev))
    ev["nps"] = pd.array(n % 11, dtype="Int64")
    ev["vip"] = pd.array(n % 3 == 0, dtype="boolean")
    sizes = ["small", "medium", "large"]
    ev["size"] = pd.Categorical(np.array(sizes)[n % 3], categories=sizes, ordered=True)
    ev["score_text"] = (n % 11).astype(str)
    return planted_scores(jm.build_journeys(jm.read_events(ev)))


def test_compare_segments_keeps_a_number_segment_a_number(segmented: jm.JourneySet) -> None:
    seg = jm.compare_segments(segmented, "nps", min_size=1)
    assert seg.index.dtype == "Int64"
    assert seg.index.tolist() == list(range(11))
    assert seg.index.name == "nps"
    assert int(seg.loc[10, "n_journeys"]) > 0  # was a KeyError: the index held '10'
    text = jm.compare_segments(segmented, "score_text", min_size=1)  # the same numbers as text: as before
    assert text.index.tolist() == [str(i) for i in range(11)]  # by number: "10" after "9"
    assert text.index.dtype == "string"  # as events["score_text"] (rv45: one string dtype for labels)


def test_compare_segments_keeps_booleans_and_ordered_categories(segmented: jm.JourneySet) -> None:
    vip = jm.compare_segments(segmented, "vip", min_size=1)
    assert vip.index.dtype == "boolean"
    assert vip.index.tolist() == [False, True]
    size = jm.compare_segments(segmented, "size", min_size=1)
    assert size.index.tolist() == ["small", "medium", "large"]  # the categories' order, not the alphabet's
    assert isinstance(size.index.dtype, pd.CategoricalDtype)
    assert size.index.dtype.ordered


# 4. (rv14 L2) result dtypes that do not depend on the data


@pytest.fixture(scope="module")
def full_empty() -> tuple[jm.JourneySet, jm.JourneySet]:
    ev = jm.datasets.service_journeys(20, seed=1).events
    full = planted_scores(jm.build_journeys(jm.read_events(ev)))
    return full, planted_scores(jm.build_journeys(jm.read_events(ev.iloc[:0])))


@pytest.mark.parametrize("name", ["touchpoint_summary", "pain_points", "journey_variants", "trends"])
def test_empty_results_are_typed_like_full_ones(full_empty: tuple[jm.JourneySet, jm.JourneySet], name: str) -> None:
    full, empty = (getattr(jm, name)(js) for js in full_empty)
    assert len(empty) == 0
    assert empty.index.dtype == full.index.dtype
    pd.testing.assert_series_equal(empty.dtypes, full.dtypes)


def test_compare_segments_empty_index_and_duration_dtype(full_empty: tuple[jm.JourneySet, jm.JourneySet]) -> None:
    full, empty = (jm.compare_segments(js, "tier", measure="duration") for js in full_empty)
    assert empty.index.dtype == full.index.dtype == "string"
    assert full["diff_vs_rest"].dtype == empty["diff_vs_rest"].dtype == NS
    pd.testing.assert_series_equal(empty.dtypes, full.dtypes)


def test_first_response_median_is_always_nanoseconds(full_empty: tuple[jm.JourneySet, jm.JourneySet]) -> None:
    full = full_empty[0]
    # waits of whole seconds: pd.to_timedelta(seconds, unit="s") chose [us] for these
    assert jm.service_levels(full)["first_response_median"].dtype == NS
    assert jm.service_levels(full)["first_response_p90"].dtype == NS
    assert jm.trends(full)["first_response_median"].dtype == NS
    ev = jm.datasets.service_journeys(20, seed=1).events
    customers_only = planted_scores(jm.build_journeys(ev[ev["actor"] == "customer"]))
    with pytest.warns(UserWarning, match="customer messages only"):
        assert jm.trends(customers_only)["first_response_median"].dtype == NS


@pytest.mark.parametrize("freq", ["W", "MS"])
def test_trends_index_is_nanoseconds_whatever_the_freq(full_empty: tuple[jm.JourneySet, jm.JourneySet], freq: str) -> None:
    # calendar periods were [us] (Period.start_time), fixed lengths [ns]
    full = full_empty[0]
    assert jm.trends(full, freq=freq).index.dtype == jm.trends(full, freq="D").index.dtype == "datetime64[ns, UTC]"


# 5. (rv14 L4) volatility is documented as the population standard deviation


def test_volatility_is_documented_and_is_the_population_sd(full_empty: tuple[jm.JourneySet, jm.JourneySet]) -> None:
    full = full_empty[0]
    assert "ddof=0" in (jm.journey_metrics.__doc__ or "")
    assert "population standard deviation" in " ".join((jm.journey_metrics.__doc__ or "").split())
    events = full.events[(full.events["actor"] == "customer") & full.events["valence"].notna()]
    expected = events.groupby("journey_id")["valence"].apply(lambda v: v.diff().std(ddof=0)).fillna(0.0)
    got = jm.journey_metrics(full)["volatility"]
    pd.testing.assert_series_equal(
        got.loc[expected.index], expected, check_names=False, check_index_type=False, check_dtype=False
    )


# 6. (rv14 L5) errors name rows by plain values


def test_schema_errors_name_rows_without_numpy_reprs() -> None:
    ev = jm.datasets.service_journeys(20, seed=1).events.copy()
    ev["valence"] = (ev["true_valence"] * 2 + 3).round().where(ev["actor"] == "customer")  # 1-5 stars, not rescaled
    js = jm.build_journeys(jm.read_events(ev))
    with pytest.raises(SchemaError, match=r"the first row \d+, event_id 'e\d+'") as caught:
        jm.touchpoint_summary(js)
    assert "np." not in str(caught.value)
