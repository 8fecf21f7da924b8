"""Review 18: rows that were dropped or misread without a word: journeys without a segment value
in compare_segments, customer rows whose actor is spelled otherwise (or whose text is no string)
in assign_topics, column names that are not text, a non-object item of a JSON array, and rows
without an actor in jm.score."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path

# -- A. compare_segments keeps the journeys without a value as "(no <column>)" -------------------


def _tierless_journeys() -> jm.JourneySet:
    events = jm.datasets.service_journeys(60, seed=0).events.copy()
    events.loc[events["customer_id"].isin(events["customer_id"].unique()[:15]), "tier"] = None
    return planted_scores(jm.build_journeys(events))


def test_compare_segments_keeps_journeys_without_a_segment_value() -> None:
    js = _tierless_journeys()
    table = jm.compare_segments(js, "tier")
    assert int(table["n_journeys"].sum()) == len(js)  # before: 94 of 117, the 23 without a tier left out
    assert table.index.tolist() == ["free", "plus", "premium", "(no tier)"]
    assert "(no tier)" in jm.service_levels(js, by="tier").index  # the same name as the service league's
    # the tierless journeys are part of each segment's rest: free against plus, premium and (no tier)
    metrics = jm.journey_metrics(js)
    first_tier = js.events[js.events["actor"] == "customer"].drop_duplicates("journey_id").set_index("journey_id")["tier"]
    free = first_tier.reindex(metrics.index).eq("free").to_numpy(dtype=bool)
    rest = metrics.loc[~free, "end_valence"].mean()
    expected = metrics.loc[free, "end_valence"].mean() - rest
    assert table.loc["free", "diff_vs_rest"] == pytest.approx(expected)


def test_compare_segments_keeps_a_typed_column_type_with_missing_values() -> None:
    events = jm.datasets.service_journeys(40, seed=1).events.copy()
    codes = pd.factorize(events["customer_id"])[0]
    events["nps"] = pd.array(codes % 11, dtype="Int64")
    events.loc[codes < 8, "nps"] = pd.NA
    events["score_text"] = (codes % 11).astype(str)
    events.loc[codes < 8, "score_text"] = None
    js = planted_scores(jm.build_journeys(events))
    nps = jm.compare_segments(js, "nps")
    assert str(nps.index.dtype) == "Int64" and pd.isna(nps.index[-1]) and int(nps["n_journeys"].sum()) == len(js)
    as_text = jm.compare_segments(js, "score_text")  # numbers read as text stay in number order, the missing last
    assert as_text.index.tolist() == [*map(str, range(11)), "(no score_text)"]


# -- B. assign_topics reads actors as score does, and a text that is no string as no text --------


def test_assign_topics_reads_actor_spellings_as_score_does() -> None:
    from journeymap.testing import HashingEncoder

    frame = pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "actor": ["Customer", "user", " customer", "customer", "Agent"],
            "timestamp": "2024-01-01",
            "text": ["my refund never arrived", "delivery is late again", "refund please", "where is my parcel", "sorry"],
        }
    )
    out = jm.assign_topics(frame, labels=["refund", "delivery"], encoder=HashingEncoder(), cache=False)
    assert out["topic"].notna().tolist() == [True, True, True, True, False]  # before: only the exact "customer"


def test_assign_topics_does_not_read_a_text_that_is_no_string(caplog: pytest.LogCaptureFixture) -> None:
    from journeymap.testing import HashingEncoder

    frame = pd.DataFrame(
        {"customer_id": list("abc"), "actor": "customer", "text": pd.Series([b"refund", 5, "my refund"], dtype=object)}
    )
    with caplog.at_level("WARNING", logger="journeymap"):
        out = jm.assign_topics(frame, labels=["refund", "delivery"], encoder=HashingEncoder(), cache=False)
    assert out["topic"].tolist()[:2] == ["other", "other"]  # before: a topic read from "b'refund'" and "5"
    assert out["topic_score"].isna().tolist() == [True, True, False]
    assert "column 'text' holds no string there (rows 0 (bytes), 1 (int))" in caplog.text


def test_assign_topics_on_dask_reads_actors_and_texts_alike() -> None:
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    from journeymap.distributed import assign_topics
    from journeymap.testing import HashingEncoder

    frame = pd.DataFrame(
        {
            "customer_id": list("abcd"),
            "actor": ["Customer", "user", "customer", "customer"],
            "text": pd.Series(["my refund never arrived", "late delivery", b"refund", "parcel late"], dtype=object),
        }
    )
    with dask.config.set({"dataframe.convert-string": False}):  # else dask itself decodes the bytes
        out = assign_topics(dd.from_pandas(frame, npartitions=2), encoder=HashingEncoder(), cache=False, n_topics=2).compute()
    assert out["topic"].notna().all()  # before: NA for "Customer" and "user"
    assert out["topic_score"].isna().tolist() == [False, False, True, False]


# -- C. column names that are not text are read as text, as read_events reads them --------------


class _Flat:
    id = "flat.v1"
    taxonomy = jm.Taxonomy.sentiment()

    def score(self, texts: list[str]) -> np.ndarray:
        return np.tile(np.float32([0.1, 0.2, 0.6, 0.1]), (len(texts), 1))


def _numbered_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "thread_id": "t",
            "timestamp": ["2024-01-01", "2024-01-02"],
            "text": ["my card was declined", "still waiting"],
            0: [1, 2],
            ("x", "y"): [3, 4],
        }
    )


def test_build_journeys_and_score_read_names_that_are_not_text(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    with caplog.at_level("WARNING", logger="journeymap"):
        js = jm.build_journeys(_numbered_frame())
    assert "column name(s) [0, ('x', 'y')] are not text; read as ['0', \"('x', 'y')\"]" in caplog.text
    assert {"0", "('x', 'y')"} <= set(js.events.columns)
    scored = jm.score(js, _Flat(), cache=False)  # before: AttributeError 'int' object has no attribute 'startswith'
    assert scored.events["valence"].notna().all()
    from journeymap.journeys.xes import to_xes

    to_xes(scored, tmp_path / "events.xes")  # before: a TypeError on the tuple name
    frame_scored = jm.score(_numbered_frame(), _Flat(), cache=False)  # a raw frame: the same
    assert "0" in frame_scored.columns and frame_scored["valence"].notna().all()


def test_score_columns_are_told_from_names_that_are_not_text() -> None:
    from journeymap.schema import is_score_column

    assert [is_score_column(c) for c in ("emo_anger", "valence", 0, ("emo_x", 1))] == [True, True, False, False]


def test_dask_build_journeys_reads_names_that_are_not_text() -> None:
    dd = pytest.importorskip("dask.dataframe")
    from journeymap.distributed import build_journeys, score

    djs = build_journeys(dd.from_pandas(_numbered_frame(), npartitions=1))
    assert "0" in djs.events.columns
    assert score(djs, _Flat(), cache=False).compute().events["valence"].notna().all()  # before: AttributeError


# -- D. an item of a JSON array that is no object is one rejected row, not the whole file ------


def test_a_json_array_item_that_is_no_object_is_rejected_alone(tmp_path: Path) -> None:
    import json

    records: list[object] = [{"customer_id": f"c{i}", "timestamp": "2024-01-01", "text": "hi"} for i in range(20)]
    records[12] = None
    path = tmp_path / "events.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    log = jm.read_events(path, on_error="collect")  # before: SchemaError for the whole file
    assert len(log.events) == 19
    why = log.rejects[log.rejects["column"] == "(row)"]
    assert why["row"].tolist() == [12] and why["value"].tolist() == ["null"]
    assert why["reason"].iloc[0].startswith("item 12 of the JSON array is a JSON NoneType, expected an object")
    with pytest.raises(jm.SchemaError, match="item 12 of the JSON array is a JSON NoneType"):
        jm.read_events(path)
    path.write_text(json.dumps([1, 2]), encoding="utf-8")  # no object at all: no events file
    with pytest.raises(jm.SchemaError, match="a JSON file must hold a JSON array of objects"):
        jm.read_events(path, on_error="collect")


# -- E. a row without an actor says why score left it unscored -----------------------------------


class _Positive:
    id = "positive.v1"
    taxonomy = jm.Taxonomy.sentiment()

    def score(self, texts: list[str]) -> np.ndarray:
        return np.tile(np.float32([1, 0, 0, 0]), (len(texts), 1))


def _actors_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": list("abcd"),
            "actor": ["customer", None, "xyz", "agent"],
            "text": ["late again", "late again", "late", "ok"],
        }
    )


def test_score_notes_and_names_rows_without_an_actor(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="journeymap"):
        out = jm.score(_actors_frame(), _Positive(), cache=False)
    assert out["valence"].notna().tolist() == [True, False, False, False]
    notes = out["score_note"].fillna("").tolist()
    assert notes[1] == "missing actor"  # before: NA, and no warning
    assert notes[2].startswith("unknown actor") and notes[2].endswith("'xyz'")
    assert notes[0] == notes[3] == ""  # scored; an agent's message is not read, by design
    assert "2 row(s) with text not scored: their actor is missing or not recognised: <missing> (1), 'xyz' (1)" in caplog.text
    assert out.equals(jm.score(_actors_frame(), _Positive(), cache=False, agents=False))
    assert jm.score(_actors_frame(), _Positive(), cache=False, agents=True)["score_note"].isna().all()


def test_dask_score_notes_rows_without_an_actor() -> None:
    dd = pytest.importorskip("dask.dataframe")
    from journeymap.distributed import score

    out = score(dd.from_pandas(_actors_frame(), npartitions=2), _Positive(), cache=False).compute()
    notes = out["score_note"].fillna("").tolist()
    assert notes[1] == "missing actor" and notes[2].startswith("unknown actor")
