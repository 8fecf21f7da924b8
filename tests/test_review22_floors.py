"""The declared minimum versions (twenty-second session).

With pandas 2 (no copy-on-write by default) a value set with ``js.events.loc[...] = ...`` is
written into the very array the JourneySet holds, so the check of its frames' arrays missed it and
cached analyses (journey_metrics, the reply tables) returned the figures from before the change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.exceptions import SchemaError
from journeymap.testing.data import planted_scores


def _set(n: int = 40) -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(n, seed=0)))


def _kinds() -> pd.DataFrame:
    n = 6
    return pd.DataFrame(
        {
            "f32": np.arange(n, dtype=np.float32),
            "i64": np.arange(n, dtype=np.int64),
            "flag": np.zeros(n, dtype=bool),
            "obj": [f"o{i}" for i in range(n)],
            "text": pd.array([f"t{i}" for i in range(n)], dtype="string[python]"),
            "cat": pd.Categorical(["a", "b"] * (n // 2), categories=["a", "b", "c"]),
            "when": pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC"),
            "count": pd.array(range(n), dtype="Int64"),
        }
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [("f32", -1.0), ("i64", 99), ("flag", True), ("obj", "new"), ("text", "new"), ("cat", "c"),
     ("when", pd.Timestamp("2030-01-01", tz="UTC")), ("count", pd.NA)],
)  # fmt: skip
def test_a_value_written_into_any_kind_of_column_is_found(column: str, value: object) -> None:
    from journeymap.journeys._set import _changed_values, _values_state

    frame = _kinds()
    before = _values_state(frame)
    assert _changed_values(frame, before) == set()
    frame.loc[2, column] = value  # not shared: written into the array in place, copy-on-write or not
    assert _changed_values(frame, before) == {column}


def test_an_arrow_column_changed_is_found() -> None:
    from journeymap.journeys._set import _changed_values, _values_state

    frame = pd.DataFrame({"s": pd.array(["a", "b", "c"], dtype="string[pyarrow]")})
    before = _values_state(frame)
    frame.loc[1, "s"] = "z"
    assert _changed_values(frame, before) == {"s"}


def test_a_score_changed_twice_in_place_between_analyses_is_seen() -> None:
    js = _set()
    jm.journey_metrics(js)
    customer = js.events["actor"] == "customer"
    js.events.loc[customer, "valence"] = np.float32(0.5)
    js.events.loc[customer, "valence"] = np.float32(-0.9)
    assert jm.journey_metrics(js)["mean_valence"].mean() == pytest.approx(-0.9)


def test_steps_changed_in_place_in_the_journeys_frame_raise() -> None:
    js = _set(20)
    jm.journey_metrics(js)
    js.journeys.loc[js.journey_ids[0], "n_steps"] = 99
    with pytest.raises(SchemaError, match=r"js\.journeys was changed in place"):
        jm.journey_metrics(js)


def test_a_timestamp_moved_in_place_raises_naming_the_column() -> None:
    js = _set(20)
    jm.journey_metrics(js)
    js.events.loc[js.events.index[3], "timestamp"] = pd.Timestamp("2031-01-01", tz="UTC")
    with pytest.raises(SchemaError, match="column 'timestamp' changed"):
        jm.journey_metrics(js)


def test_unchanged_frames_keep_the_cache_and_reading_journeys_does_not_empty_it() -> None:
    js = _set(20)
    calls: list[int] = []
    js.cached("k", lambda: calls.append(1))
    _ = [j.journey_id for j in js]
    js.cached("k", lambda: calls.append(1))
    assert calls == [1]


# A report reads the values once (rv55: some 46 checks, about 4.5 s at 1M events on pandas 2)


@pytest.fixture
def without_copy_on_write(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Values checked as on pandas 2 (whatever pandas runs); returns a list that counts the values read."""
    from journeymap.journeys import _set

    reads: list[int] = []
    changed_values = _set._changed_values

    def counted(frame: pd.DataFrame, before: dict[object, list[object]]) -> set[object]:
        reads.append(len(frame))
        return changed_values(frame, before)  # type: ignore[arg-type]

    monkeypatch.setattr(_set, "_copy_on_write", lambda: False)
    monkeypatch.setattr(_set, "_changed_values", counted)
    return reads


def test_a_report_reads_the_values_once(without_copy_on_write: list[int], tmp_path: object) -> None:
    js = _set()
    jm.journey_metrics(js)
    jm.pain_points(js)
    assert len(without_copy_on_write) >= 4  # outside a report: every cached analysis reads them (events and journeys)
    without_copy_on_write.clear()
    jm.report(js, tmp_path / "r.html")  # type: ignore[operator]
    assert len(without_copy_on_write) == 2  # on entry, events and journeys; before: about 90


def test_values_checked_once_sees_a_change_made_before_it_and_checks_again_after(without_copy_on_write: list[int]) -> None:
    from journeymap.journeys._set import values_checked_once

    js = _set()
    before = jm.journey_metrics(js)["mean_valence"].copy()
    js.events.loc[js.events["valence"].notna(), "valence"] = np.float32(0.9)  # in place, as pandas 2 writes it
    with values_checked_once(js):
        inside = jm.journey_metrics(js)["mean_valence"]
    assert not inside.equals(before)
    assert np.allclose(inside.dropna(), 0.9)  # the entry check saw the change
    js.events.loc[js.events["valence"].notna(), "valence"] = np.float32(-0.9)
    assert np.allclose(jm.journey_metrics(js)["mean_valence"].dropna(), -0.9)  # after the block: read at every call
