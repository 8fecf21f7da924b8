"""Review rv47's findings 4 and 5: the agent league's intervals in one pass, `map --tables` without repeated work.

``service_levels(by="agent")`` called :class:`MeanInterval` once per agent (1.2 ms each: 2.7 s of
6.4 s with 2,209 agents); :meth:`MeanInterval.by_group` gives the same estimates in one pass.
``map --tables`` computed ``trends`` twice (its table, then again inside ``plot.trends``) and
wrote durations through pandas' per-value formatter; :func:`durations_as_text` writes them at once (as ISO 8601
since review 22).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import journeymap as jm
from journeymap.analytics._durations import durations_as_text
from journeymap.analytics._stats import CHANGE_BOUNDS, Estimate, MeanInterval
from journeymap.testing.data import planted_scores

from .conftest import TWCS_SAMPLE
from .test_properties import crc_scores

if TYPE_CHECKING:
    from pathlib import Path

    import numpy.typing as npt

NAT = np.iinfo(np.int64).min


def one_call_per_key(
    interval: MeanInterval, values: npt.ArrayLike, keys: npt.ArrayLike, groups: npt.ArrayLike | None = None
) -> list[Estimate]:
    """The reference: each key's rows handed to ``interval`` on their own, key by key (what service_levels did)."""
    v, k = np.asarray(values, dtype=np.float64), np.asarray(keys)
    g = None if groups is None else np.asarray(groups, dtype=object)
    return [interval(v[k == key], None if g is None else g[k == key]) for key in range(int(k.max(initial=-1)) + 1)]


def same(a: list[Estimate], b: list[Estimate]) -> bool:
    """Equal to the last bit, NaN equal to NaN."""
    return len(a) == len(b) and all(np.array_equal(np.array(x), np.array(y), equal_nan=True) for x, y in zip(a, b))


# -- MeanInterval.by_group ------------------------------------------------------------------------


samples = st.integers(1, 120).flatmap(
    lambda n: st.tuples(
        st.lists(st.one_of(st.floats(-2, 2), st.just(np.nan), st.sampled_from([0.5, -0.25])), min_size=n, max_size=n),
        st.lists(st.integers(-1, 6), min_size=n, max_size=n),
        st.lists(st.sampled_from(["c1", "c2", "c3", "c4", None]), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(samples, st.booleans(), st.integers(0, 3))
def test_by_group_gives_each_key_what_a_call_of_its_own_gives(
    sample: tuple[list[float], list[int], list[str | None]], clustered: bool, seed: int
) -> None:
    values, keys, clusters = sample
    interval = MeanInterval(seed=seed, bounds=CHANGE_BOUNDS, n_boot=200)
    groups = clusters if clustered else None
    assert same(interval.by_group(values, keys, groups), one_call_per_key(interval, values, keys, groups))


def test_by_group_draws_from_a_generator_key_by_key_as_calls_would() -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(0, 0.5, 400)
    keys = rng.integers(0, 12, 400)
    units = rng.integers(0, 60, 400)
    ours = MeanInterval(seed=np.random.default_rng(5)).by_group(values, keys, units)
    theirs = one_call_per_key(MeanInterval(seed=np.random.default_rng(5)), values, keys, units)
    assert same(ours, theirs)


def test_by_group_takes_the_normal_interval_above_the_bootstrap_limit() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(0, 1, 5200)
    keys = np.r_[np.zeros(5100, dtype=int), np.ones(100, dtype=int)]
    interval = MeanInterval(seed=0)
    assert same(interval.by_group(values, keys), one_call_per_key(interval, values, keys))
    pairs = np.arange(5200) // 2
    assert same(interval.by_group(values, keys, pairs), one_call_per_key(interval, values, keys, pairs))


# -- service_levels: the same league as with a call per group -------------------------------------


def league_of_calls(js: jm.JourneySet, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> pd.DataFrame:
    """``service_levels`` with each group's valence-change interval computed by a call of its own."""
    with monkeypatch.context() as m:
        m.setattr(MeanInterval, "by_group", one_call_per_key)
        return jm.service_levels(js, **kwargs)


needs_sample = pytest.mark.skipif(not TWCS_SAMPLE.is_file(), reason="../shared/data/twcs_sample is not beside the checkout")


@needs_sample
@pytest.mark.parametrize("by", ["agent", "brand", "channel"])
@pytest.mark.parametrize("options", [{}, {"min_size": 1, "seed": 3}, {"bots": "include", "min_size": 2}])
def test_service_levels_on_the_twcs_sample_is_the_league_of_one_call_per_group(
    by: str, options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    js = crc_scores(jm.build_journeys(jm.read_twcs(TWCS_SAMPLE)))
    league = jm.service_levels(js, by=by, **options)
    assert league["valence_change"].notna().any()
    pd.testing.assert_frame_equal(league, league_of_calls(js, monkeypatch, by=by, **options), check_exact=True)


@pytest.mark.parametrize("by", ["agent", "tier", "brand"])
def test_service_levels_on_service_journeys_is_the_league_of_one_call_per_group(by: str, monkeypatch: pytest.MonkeyPatch) -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(300, seed=2, broadcasts=2)))
    league = jm.service_levels(js, by=by, min_size=1)
    assert league["valence_change_low"].notna().sum() >= 2
    pd.testing.assert_frame_equal(league, league_of_calls(js, monkeypatch, by=by, min_size=1), check_exact=True)
    # a Generator is drawn on group by group, in the order the groups first appear, as before
    ours = jm.service_levels(js, by=by, seed=np.random.default_rng(9))
    theirs = league_of_calls(js, monkeypatch, by=by, seed=np.random.default_rng(9))
    pd.testing.assert_frame_equal(ours, theirs, check_exact=True)


# -- durations written as ISO 8601 ------------------------------------------------------------------------

day = 86_400 * 10**9
durations = st.lists(
    st.one_of(
        st.just(NAT),
        st.integers(-(2**63) + 1, 2**63 - 1),  # anything pandas holds, to the nanosecond
        st.integers(-106_751, 106_751).map(lambda d: d * day),  # whole days
        st.integers(-(10**9), 10**9).map(lambda s: s * 10**9),  # whole seconds
        st.integers(-(10**12), 10**12).map(lambda us: us * 1000),  # microseconds
        st.integers(-(10**9), 10**9),  # under a second or two, to the nanosecond
    ),
    min_size=0,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(durations, durations)
def test_durations_as_text_writes_iso_8601_that_pandas_reads_back(first: list[int], second: list[int]) -> None:
    """The encoding changed in review 22 (rv51): ISO 8601, not pandas' own text (which varied in precision)."""
    n = min(len(first), len(second))
    frame = pd.DataFrame(
        {
            "wait": np.array(first[:n], dtype=np.int64).view("timedelta64[ns]"),
            "n": np.arange(n),
            "other": np.array(second[:n], dtype=np.int64).view("timedelta64[ns]"),
        }
    )
    out = durations_as_text(frame)
    for column in ("wait", "other"):
        back = pd.to_timedelta(out[column].astype(object).where(out[column].notna(), None)).astype("timedelta64[ns]")
        assert back.equals(frame[column])
        present = out[column].dropna()
        assert present.str.fullmatch(r"-?P\d+DT\d+H\d+M\d+(\.\d*[1-9])?S").all()
    assert out["n"].equals(frame["n"])


TICK_NS = {"s": 10**9, "ms": 10**6, "us": 10**3}


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(sorted(TICK_NS)).flatmap(
        lambda unit: st.tuples(
            st.just(unit),
            st.lists(
                st.one_of(st.just(NAT), st.integers(-(2**63 - 1) // TICK_NS[unit], (2**63 - 1) // TICK_NS[unit])), max_size=10
            ),
        )
    )
)
def test_durations_as_text_writes_other_units_as_their_iso_8601(sample: tuple[str, list[int]]) -> None:
    unit, ticks = sample
    frame = pd.DataFrame({"d": np.array(ticks, dtype=np.int64).view(f"timedelta64[{unit}]"), "x": 1})
    out = durations_as_text(frame)["d"].astype(object)
    for tick, text in zip(ticks, out):
        assert pd.isna(text) if tick == NAT else text == _iso(tick, unit)


def _iso(tick: int, unit: str) -> str:
    """An ISO 8601 duration of ``tick`` ticks of ``unit``, in Python's integers (pandas holds no Timedelta of 2**62 s)."""
    digits = {"s": 0, "ms": 3, "us": 6, "ns": 9}[unit]
    seconds, fraction = divmod(abs(tick), 10**digits)
    days, seconds = divmod(seconds, 86_400)
    text = f"P{days}DT{seconds // 3600}H{seconds % 3600 // 60}M{seconds % 60}"
    text += f".{fraction:0{digits}d}".rstrip("0") if fraction else ""
    return ("-" if tick < 0 else "") + text + "S"


def test_durations_beyond_what_pandas_holds_in_nanoseconds_are_written_too() -> None:
    frame = pd.DataFrame({"d": np.array([2**62], dtype=np.int64).view("timedelta64[s]")})
    assert durations_as_text(frame)["d"].tolist() == [_iso(2**62, "s")] == ["P53375995583650DT7H45M4S"]
    assert _iso(-1500, "ms") == "-P0DT0H0M1.5S" == "-" + pd.Timedelta(1500, unit="ms").isoformat()


def test_durations_as_text_leaves_the_other_columns_and_the_frame_as_they_are() -> None:
    frame = pd.DataFrame({"wait": pd.to_timedelta(["1h", None]).as_unit("ns"), "when": pd.to_datetime(["2024-01-01", None])})
    out = durations_as_text(frame)
    assert out["when"].dtype == frame["when"].dtype and frame["wait"].dtype == "timedelta64[ns]"
    assert out["wait"].iloc[0] == "P0DT1H0M0S" and pd.isna(out["wait"].iloc[1])


# -- map --tables --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=1, broadcasts=1)))


def test_map_tables_compute_trends_once_and_write_the_same_files(
    scored: jm.JourneySet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    from journeymap.cli import _write_tables
    from journeymap.io import write_table

    trends_module = importlib.import_module("journeymap.analytics.trends")  # the package's `trends` is the function
    js = scored.with_events(scored.events)  # a JourneySet of its own: nothing kept from other tests
    calls = []
    response_table = trends_module.response_table

    def counted(*args: Any, **kwargs: Any) -> pd.DataFrame:
        calls.append(1)
        return response_table(*args, **kwargs)

    monkeypatch.setattr(trends_module, "response_table", counted)
    written = _write_tables(js, tmp_path / "tables", tz="Europe/London")
    assert len(calls) == 1  # before: twice, for trends.csv and again inside plot.trends
    for name, frame in written.items():  # byte for byte what write_table writes of each table
        write_table(frame, tmp_path / name)
        assert (tmp_path / "tables" / name).read_bytes() == (tmp_path / name).read_bytes(), name
    durations = pd.read_csv(tmp_path / "tables" / "response_times.csv")["first_response"].dropna()
    assert durations.str.fullmatch(r"P\d+DT\d+H\d+M\d+(\.\d+)?S").all()  # ISO 8601 since review 22 (rv51)


def test_trends_kept_on_the_journeys_are_a_copy_and_follow_their_events(scored: jm.JourneySet) -> None:
    js = scored.with_events(scored.events)
    first = jm.trends(js)
    first.iloc[0, 0] = -1
    assert (jm.trends(js)["volume"] >= 0).all()  # changing a result changes no later one
    pd.testing.assert_frame_equal(jm.trends(js, freq="D"), jm.trends(scored.with_events(scored.events), freq="D"))
    events = js.events.copy()
    events["valence"] = -0.9
    assert (jm.trends(js.with_events(events))["mean_valence"].dropna() < -0.8).all()
