"""Fixes from a review of the tables in a pandas notebook (rv45): ``build_journeys`` reads a frame's
named index as ``read_events`` does, CSV attribute columns get pandas' types, stage-level tables
keep the stage order, infinities in JSON Lines, and one string dtype for labels."""

from __future__ import annotations

import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return jm.datasets.service_journeys(n_customers=60, seed=1).events.copy()


# -- 1. build_journeys(df) reads a named index as read_events does -----------------------------------------
def test_build_journeys_reads_a_named_event_id_index_as_read_events_does(raw: pd.DataFrame) -> None:
    indexed = raw.set_index("event_id")
    plain = jm.build_journeys(raw)
    via_log = jm.build_journeys(jm.read_events(indexed))
    direct = jm.build_journeys(indexed)
    assert len(plain) == len(via_log) == len(direct)
    answered = [int(jm.response_times(x)["first_response"].notna().sum()) for x in (plain, via_log, direct)]
    assert answered[0] == answered[1] == answered[2] > 0
    assert direct.events["event_id"].tolist() == plain.events["event_id"].tolist()


def test_build_journeys_reads_a_customer_and_event_multiindex(raw: pd.DataFrame) -> None:
    indexed = raw.set_index(["customer_id", "event_id"])
    direct = jm.build_journeys(indexed)
    assert len(direct) == len(jm.build_journeys(jm.read_events(indexed))) == len(jm.build_journeys(raw))
    pd.testing.assert_frame_equal(jm.response_times(direct), jm.response_times(jm.build_journeys(raw)))


# -- 3. a CSV's attribute columns typed as pandas.read_csv types them ------------------------------------
def _survey() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["00123", "7", "8", "9", "10", "11"],
            "email": ["0042", "b", "c", "d", "e", "f"],
            "date": [f"2024-03-0{i}" for i in range(1, 7)],
            "nps": [0, 3, 7, 8, 9, 10],
            "vip": [True, False] * 3,
            "spend": [10.5, None, 3.25, 7.0, 1.0, 2.0],
            "visits": ["1", None, "3", "4", "5", "6"],  # whole numbers with a gap, as a tool writes them
            "zip": ["01234", "20000", "30000", "40000", "50000", "60000"],
            "comment": ["slow", "ok", "fine", "good", "great", "love it"],
        }
    )


_SURVEY_COLUMNS = {"id": "event_id", "email": "customer_id", "date": "timestamp", "comment": "text"}


def test_csv_attribute_columns_get_the_types_of_the_parquet_file(tmp_path) -> None:
    survey = _survey()
    survey.to_csv(tmp_path / "nps.csv", index=False)
    survey.to_parquet(tmp_path / "nps.parquet")
    from_csv = jm.read_events(tmp_path / "nps.csv", columns=_SURVEY_COLUMNS).events
    from_parquet = jm.read_events(tmp_path / "nps.parquet", columns=_SURVEY_COLUMNS).events
    assert len(from_csv) == len(survey)
    for name in ("nps", "vip", "spend"):
        assert from_csv[name].dtype == from_parquet[name].dtype, name
    assert [str(from_csv[n].dtype) for n in ("nps", "vip", "spend")] == ["int64", "bool", "float64"]
    assert from_csv["nps"].mean() == pytest.approx(37 / 6)
    assert from_csv[from_csv["vip"]]["nps"].tolist() == [0, 7, 9]
    # whole numbers with a gap stay exact (nullable Int64); a code with leading zeros stays text, as do the ids
    assert str(from_csv["visits"].dtype) == "Int64" and from_csv["visits"].isna().sum() == 1
    assert from_csv["zip"].tolist()[0] == "01234"
    assert from_csv["event_id"].iloc[0] == "00123" and from_csv["customer_id"].iloc[0] == "0042"
    assert pd.api.types.is_string_dtype(from_csv["text"])


def test_the_nps_recipe_of_the_exports_guide_runs_on_a_csv_export(tmp_path) -> None:
    survey = _survey().rename(columns={"nps": "How likely are you to recommend Acme Bank? (0-10)"})
    survey.to_csv(tmp_path / "nps_survey.csv", index=False)
    log = jm.read_events(tmp_path / "nps_survey.csv", columns=_SURVEY_COLUMNS, tz="America/New_York", on_error="collect")
    js = jm.build_journeys(log, by="customer")
    nps = js.events["How likely are you to recommend Acme Bank? (0-10)"]
    band = pd.cut(nps, [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])
    assert band.value_counts().sort_index().tolist() == [2, 2, 2]


def test_the_dask_reader_types_csv_attributes_from_all_its_files(tmp_path) -> None:
    import dask

    import journeymap.distributed as jmd

    survey = _survey()
    survey.iloc[:3].to_csv(tmp_path / "part1.csv", index=False)
    survey.iloc[3:].assign(spend=[7, 1, 2]).to_csv(tmp_path / "part2.csv", index=False)  # whole numbers in this file
    with dask.config.set(scheduler="synchronous"):
        events = jmd.read_events(str(tmp_path / "part*.csv"), columns=_SURVEY_COLUMNS).events.compute()
    text = str(pd.Series(["01234"]).dtype)  # pandas' own type for text: "str" from pandas 3, "object" before
    assert [str(events[n].dtype) for n in ("nps", "vip", "spend", "visits", "zip")] == [
        "int64",
        "bool",
        "float64",
        "Int64",
        text,
    ]
    assert events["zip"].tolist()[0] == "01234"
    assert events["spend"].tolist()[3:] == [7.0, 1.0, 2.0]


# -- 5. stage-level tables keep the events' ordered stage categorical ----------------------------------
_STAGES = ["onboarding", "purchase", "delivery", "aftercare"]  # not in alphabetical order


@pytest.fixture(scope="module")
def staged(raw: pd.DataFrame) -> jm.JourneySet:
    from journeymap.model import StageModel

    events = raw.assign(stage=[_STAGES[i % 4] for i in range(len(raw))])
    return planted_scores(jm.build_journeys(events, stages=StageModel.from_column("stage", order=_STAGES)), noise=0.0)


def _is_stage_index(index: pd.Index) -> bool:
    dtype = index.dtype
    return isinstance(dtype, pd.CategoricalDtype) and dtype.ordered and list(dtype.categories) == _STAGES


def test_stage_level_summaries_are_indexed_by_the_ordered_stages(staged: jm.JourneySet) -> None:
    assert staged.events["stage"].dtype.ordered
    summary = jm.touchpoint_summary(staged, level="stage")
    assert _is_stage_index(summary.index) and summary.index.name == "stage"
    assert summary.index.tolist() == _STAGES
    assert summary.sort_index().index.tolist() == _STAGES  # not alphabetical
    pains = jm.pain_points(staged, level="stage", top=None)
    assert _is_stage_index(pains.index)
    assert pains["rank"].tolist() == [1, 2, 3, 4]  # in rank order; sorting gives the stage order
    assert pains.sort_index().index.tolist() == _STAGES
    moments = jm.moments_of_truth(staged, level="stage", min_count=1)
    assert moments.index.names == ["from", "to"]
    assert all(_is_stage_index(moments.index.get_level_values(i)) for i in range(2))
    assert moments.sort_index().index.get_level_values("from").unique().tolist() == _STAGES
    # the other levels stay text
    assert not isinstance(jm.pain_points(staged).index.dtype, pd.CategoricalDtype)


# -- 6. write_table keeps an infinite pos_neg_ratio apart from NaN in JSON Lines -------------------------
def test_json_lines_write_infinities_that_read_back_as_inf(raw: pd.DataFrame, tmp_path) -> None:
    import json

    from journeymap.io import write_table

    events = raw.copy()
    events.loc[(events["touchpoint"] == "store") & (events["actor"] == "customer"), "true_emotion"] = "joy"
    summary = jm.touchpoint_summary(planted_scores(jm.build_journeys(events), noise=0.0))
    assert summary.loc["store", "pos_neg_ratio"] == float("inf")
    summary.loc[summary.index[0], "pos_neg_ratio"] = float("nan")  # all neutral: no ratio
    path = write_table(summary, tmp_path / "touchpoints.jsonl")
    lines = [json.loads(line) for line in path.read_text().splitlines()]  # valid JSON: no Infinity token
    assert {line["touchpoint"]: line["pos_neg_ratio"] for line in lines}["store"] == "inf"
    back = pd.read_json(path, lines=True).set_index("touchpoint")
    assert back["pos_neg_ratio"].dtype == "float64"
    pd.testing.assert_series_equal(back["pos_neg_ratio"], summary["pos_neg_ratio"], check_index_type=False)


# -- 4. one string dtype for labels: the events' "string", in every table's index ------------------------
def test_label_indexes_share_the_events_string_dtype(raw: pd.DataFrame) -> None:
    from journeymap.testing import HashingEncoder

    js = jm.assign_topics(planted_scores(jm.build_journeys(raw), noise=0.0), encoder=HashingEncoder(), cache=False, n_topics=3)
    string = pd.StringDtype()
    assert js.events["touchpoint"].dtype == js.events["topic"].dtype == string
    assert jm.pain_points(js).index.dtype == jm.touchpoint_summary(js).index.dtype == string
    assert jm.pain_points(js, level="topic").index.dtype == jm.topic_summary(js).index.dtype == string
    assert jm.compare_segments(js, "tier").index.dtype == jm.service_levels(js, by="tier").index.dtype == string
    assert jm.moments_of_truth(js).index.dtypes.tolist() == [string, string]
    # a per-row table joined with a per-group one keeps the key's dtype (it was object)
    merged = jm.reply_table(js).merge(jm.pain_points(js).reset_index()[["touchpoint", "rank"]], on="touchpoint")
    assert merged["touchpoint"].dtype == string and len(merged)
