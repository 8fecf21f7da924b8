"""Review 16 of the readers: repeated TWCS ids, column names that differ from canonical ones by case, aware time zones."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import journeymap as jm

if TYPE_CHECKING:
    from pathlib import Path

# --------------------------------------------------------------------------- read_twcs: the copy of a repeated id kept

_TWCS = ["tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id"]


def _at(hour: int, minute: int) -> str:
    return f"Wed Oct 11 {hour:02d}:{minute:02d}:00 +0000 2017"


def _accounted(log: jm.EventLog) -> None:
    """Every input row is an event or a reject with a reason, and no reject is listed twice."""
    assert len(log.events) + log.rejects["row"].nunique() == log.n_input
    assert not set(log.events.index) & set(log.rejects["row"])
    assert log.rejects["reason"].notna().all()
    assert not log.rejects.duplicated(["row", "column", "reason"]).any()


def test_read_twcs_builds_the_reply_tree_on_the_copy_validation_keeps() -> None:
    rows = [
        (1, "999", True, "not a time", "@AppleSupport garbled copy", None),  # rejected: its time
        (1, "100", True, _at(10, 0), "@AppleSupport my phone is broken", None),  # kept
        (2, "AppleSupport", False, _at(10, 30), "@100 sorry about that", 1),
        (1, "101", True, _at(10, 5), "@AppleSupport a third copy", None),  # a duplicate of row 1
        (3, "100", True, _at(10, 40), "@AppleSupport still broken", 2),
    ]
    log = jm.read_twcs(pd.DataFrame(rows, columns=_TWCS))
    events = log.events.set_index("event_id")
    assert events.loc["1", "author_id"] == "100"
    assert events.loc["1", "thread_id"] == "1"  # was <NA>: the tree was built on the rejected copy
    assert events["thread_id"].tolist() == ["1", "1", "1"]
    assert set(events["customer_id"]) == {"100"}  # was "999" on the brand reply: the rejected copy's author
    assert events.loc["2", "touchpoint"] == "public_reply" and events.loc["1", "touchpoint"] == "mention"
    reasons = log.rejects.set_index("row")["reason"]
    assert reasons[0].startswith("unparseable timestamp")
    assert reasons[3] == "duplicate event_id (first seen at row 1)"
    _accounted(log)
    js = jm.build_journeys(log, by="thread")
    assert len(js) == 1 and js.events["customer_id"].tolist() == ["100"] * 3


def test_read_twcs_rejects_the_later_copies_of_a_kept_tweet_it_cannot_place() -> None:
    # tweet 4's first copy passes its own row's checks, so the tree is built on it; a brand reply to
    # a tweet outside the data naming no @number, it is then rejected, and its later copy (which the
    # tree was not built on) with it, as its duplicate: not kept with no thread
    rows = [
        (1, "100", True, _at(10, 0), "@AppleSupport my phone is broken", None),
        (4, "AppleSupport", False, _at(11, 0), "sorry about that", 77),
        (4, "AppleSupport", False, _at(11, 1), "@100 sorry", 1),
    ]
    log = jm.read_twcs(pd.DataFrame(rows, columns=_TWCS))
    assert log.events["event_id"].tolist() == ["1"]
    rejects = log.rejects.set_index("row")
    assert rejects.loc[1, "reason"].startswith("brand reply whose customer cannot be told")
    assert rejects.loc[2, "reason"] == "duplicate event_id (first seen at row 1)"
    assert rejects.loc[2, "column"] == "tweet_id"
    _accounted(log)


# --------------------------------------------------------------------------- column names that differ by case


def _case_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "timestamp": ["2024-01-01T10:00Z", "2024-01-01T11:00Z", "2024-01-01T12:00Z"],
            "Text": ["my bill is wrong", "app crashes", "thanks!"],
            "Touchpoint": ["billing", "app", "billing"],
            "Channel": ["email", "chat", "email"],
            "channel_id": [1, 2, 3],  # an attribute of its own, not a misspelt "channel"
        }
    )


def _messages(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def test_read_events_warns_about_columns_named_like_canonical_ones_but_for_case() -> None:
    with pytest.warns(UserWarning, match="is not read as journeymap's") as caught:
        log = jm.read_events(_case_frame())
    said = _messages(list(caught))
    assert len(said) == 3, said
    assert any("'Text'" in m and "'text'" in m and "columns={'Text': 'text'}" in m for m in said)
    assert any("columns={'Touchpoint': 'touchpoint'}" in m for m in said)
    assert any("columns={'Channel': 'channel'}" in m for m in said)
    # nothing is renamed: pandas' names are case-sensitive
    assert log.events["touchpoint"].tolist() == ["unknown"] * 3
    assert log.events["Touchpoint"].tolist() == ["billing", "app", "billing"]
    # the fix the warning names reads them, with no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fixed = jm.read_events(_case_frame(), columns={"Text": "text", "Touchpoint": "touchpoint", "Channel": "channel"})
    assert fixed.events["touchpoint"].tolist() == ["billing", "app", "billing"]


def test_case_warnings_on_files_on_build_journeys_and_on_columns_targets(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"Customer ID": ["a"], "customer_id": ["a"], "timestamp": ["2024-01-01T10:00Z"], "msg": ["hi"], "in-reply-to": [None]}
    )
    path = tmp_path / "events.csv"
    frame.to_csv(path, index=False)
    with pytest.warns(UserWarning, match=r"column 'in-reply-to' is not read as journeymap's 'in_reply_to'") as caught:
        jm.read_events(path)
    assert len(_messages(list(caught))) == 1  # "Customer ID" beside customer_id is an attribute of its own
    with pytest.warns(UserWarning, match=r"columns maps 'msg' onto 'Text'.*columns=\{'msg': 'text'\}") as caught:
        jm.read_events(frame.drop(columns="in-reply-to"), columns={"msg": "Text"})
    assert len(_messages(list(caught))) == 1  # not said twice (the near-miss check of columns= targets)
    with pytest.warns(UserWarning, match=r"columns=\{'TEXT': 'text'\}"):
        jm.build_journeys(frame.drop(columns="in-reply-to").rename(columns={"msg": "TEXT"}), by="customer")


def test_the_dask_reader_warns_about_case_variants_too() -> None:
    dd = pytest.importorskip("dask.dataframe")
    import dask

    import journeymap.distributed as jmd

    with dask.config.set(scheduler="synchronous"), pytest.warns(UserWarning, match=r"columns=\{'Text': 'text'\}"):
        jmd.read_events(dd.from_pandas(_case_frame()[["customer_id", "timestamp", "Text"]], npartitions=2))


# --------------------------------------------------------------------------- a tz-aware column's own zone


def _aware() -> pd.DataFrame:
    ts = pd.Series(pd.to_datetime(["2024-03-04 09:00", "2024-03-04 09:30", "2024-03-05 10:15"])).dt.tz_localize(
        "America/New_York"
    )
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "timestamp": ts,
            "actor": ["customer", "agent", "customer"],
            "text": ["x", "y", "z"],
            "valence": [-0.5, 0.1, 0.6],
            "sentiment": ["negative", "neutral", "positive"],
            "emotion": ["anger", "neutral", "joy"],
        }
    )


def test_an_aware_column_gives_the_log_and_the_journeys_its_zone(tmp_path: Path) -> None:
    log = jm.read_events(_aware())
    assert str(log.tz) == "America/New_York"
    assert str(log.events["timestamp"].dtype) == "datetime64[ns, UTC]"  # stored in UTC, as always
    js = jm.build_journeys(log, by="customer")
    assert js.tz == log.tz
    hours = jm.time_patterns(js)
    assert hours[hours["volume"] > 0].index.tolist() == [("Monday", 9), ("Tuesday", 10)]  # was 14 and 15 (UTC)
    assert str(jm.trends(js, freq="D").index.tz) == "America/New_York"
    # a frame built directly, and a Parquet file keeping the column's zone
    assert str(jm.build_journeys(_aware(), by="customer").tz) == "America/New_York"
    _aware().to_parquet(tmp_path / "events.parquet")
    assert str(jm.read_events(tmp_path / "events.parquet").tz) == "America/New_York"
    # tz= wins; UTC, naive times and text with offsets give none (read in UTC)
    assert str(jm.read_events(_aware(), tz="Europe/London").tz) == "Europe/London"
    assert jm.read_events(_aware().assign(timestamp=_aware()["timestamp"].dt.tz_convert("UTC"))).tz is None
    assert jm.read_events(_aware().assign(timestamp=_aware()["timestamp"].dt.tz_localize(None))).tz is None
    text = _aware().assign(timestamp=["2024-03-04T09:00-05:00", "2024-03-04T09:30-05:00", "2024-03-05T10:15-05:00"])
    assert jm.read_events(text).tz is None
    # a fixed offset (what pd.to_datetime makes of text with one offset) is kept too
    fixed = jm.read_events(text.assign(timestamp=pd.to_datetime(text["timestamp"])))
    assert fixed.tz is not None and fixed.tz.utcoffset(None) == pd.Timedelta(hours=-5)
    hours = jm.time_patterns(jm.build_journeys(fixed, by="customer"))
    assert hours[hours["volume"] > 0].index.tolist() == [("Monday", 9), ("Tuesday", 10)]


def test_the_dask_reader_keeps_an_aware_columns_zone() -> None:
    dd = pytest.importorskip("dask.dataframe")
    import dask

    import journeymap.distributed as jmd

    with dask.config.set(scheduler="synchronous"):
        log = jmd.read_events(dd.from_pandas(_aware(), npartitions=2))
        assert str(log.tz) == "America/New_York"
        assert str(log.compute().tz) == "America/New_York"
        assert str(jm.build_journeys(log, by="customer").tz) == "America/New_York"
