"""Review 22 (interoperability, rv51): what a user does next with journeymap's outputs.

pm4py's XES of a ``to_pm4py`` frame, node-link data for networkx, Parquet of interval and Period
columns, durations and lists in text files, the index of a written events table, list columns
in saved journeys.
"""

from __future__ import annotations

import inspect
import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.io import write_table
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(12, seed=0)))


# -- 1. a to_pm4py frame written by another tool reads back with its roles and scores ----------------------
def _xes_as_pm4py_writes(frame: pd.DataFrame, path: Path) -> Path:
    """An XES log of a pm4py event frame as ``pm4py.write_xes`` writes it.

    No journeymap metadata; every column an event attribute, a missing value left out.
    """
    from xml.sax.saxutils import quoteattr

    def attr(key: str, value: object) -> str:
        if isinstance(value, pd.Timestamp):
            return f"<date key={quoteattr(key)} value={quoteattr(value.isoformat())}/>"
        if isinstance(value, (bool, np.bool_)):
            return f"<boolean key={quoteattr(key)} value={quoteattr(str(bool(value)).lower())}/>"
        if isinstance(value, (int, np.integer)):
            return f"<int key={quoteattr(key)} value={quoteattr(str(value))}/>"
        if isinstance(value, (float, np.floating)):
            return f"<float key={quoteattr(key)} value={quoteattr(repr(float(value)))}/>"
        return f"<string key={quoteattr(key)} value={quoteattr(str(value))}/>"

    lines = ['<?xml version="1.0" encoding="utf-8" ?>', '<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">']
    for case, events in frame.groupby("case:concept:name", sort=False):
        lines.append(f'<trace><string key="concept:name" value={quoteattr(str(case))}/>')
        for _, row in events.iterrows():
            cells = [attr(k, v) for k, v in row.items() if k != "case:concept:name" and not (np.ndim(v) == 0 and pd.isna(v))]
            lines.append("<event>" + "".join(cells) + "</event>")
        lines.append("</trace>")
    path.write_text("\n".join([*lines, "</log>"]), encoding="utf-8")
    return path


def test_a_to_pm4py_frame_written_by_another_tool_reads_back_with_roles_and_scores(scored: jm.JourneySet, tmp_path: Path) -> None:
    frame = jm.to_pm4py(scored)
    kept = frame[frame["case:concept:name"].isin(scored.journeys.index[:6])]  # a filter, as pm4py's
    back = jm.read_xes(_xes_as_pm4py_writes(kept, tmp_path / "kept.xes"))
    orig = scored.select(scored.journeys.index[:6])
    assert back.is_scored and back.emotion_labels == orig.emotion_labels
    assert back.events["actor"].value_counts().to_dict() == orig.events["actor"].value_counts().to_dict()
    assert not any(str(c).startswith("xes:") for c in back.events.columns)
    assert "resource" not in back.events.columns
    assert back.journeys.equals(orig.journeys)
    o, b = orig.events.reset_index(drop=True), back.events.reset_index(drop=True)
    for column in ["journey_id", "step", "stage", "event_id", "customer_id", "actor", "touchpoint", "text"]:
        assert b[column].astype(object).tolist() == o[column].astype(object).tolist(), column
    assert np.allclose(b["valence"].to_numpy(float), o["valence"].to_numpy(float), equal_nan=True)
    unanswered = jm.response_times(back)["unanswered"].sum(), jm.response_times(orig)["unanswered"].sum()
    assert unanswered[0] == unanswered[1]


def test_a_to_pm4py_frame_with_steps_left_out_numbers_its_steps_again(scored: jm.JourneySet, tmp_path: Path) -> None:
    frame = jm.to_pm4py(scored, activity="stage")
    kept = frame[frame["step"] != 2]  # an event-level filter
    back = jm.read_xes(_xes_as_pm4py_writes(kept, tmp_path / "steps.xes"))
    assert len(back.events) == len(kept)
    steps = back.events.groupby("journey_id")["step"].agg(list)
    assert all(s == list(range(1, len(s) + 1)) for s in steps)
    assert set(back.events["touchpoint"]) == set(kept["touchpoint"])


def test_another_tools_log_still_counts_its_steps_as_customer_steps(tmp_path: Path) -> None:
    """A resource that is no journeymap actor (a clerk's name): the documented fallback, ``resource`` kept."""
    frame = pd.DataFrame(
        {
            "case:concept:name": ["c1", "c1"],
            "concept:name": ["register", "approve"],
            "time:timestamp": pd.to_datetime(["2024-01-01T10:00Z", "2024-01-01T11:00Z"]),
            "org:resource": ["Ann", "Bob"],
        }
    )
    back = jm.read_xes(_xes_as_pm4py_writes(frame, tmp_path / "other.xes"))
    assert back.events["actor"].astype(str).tolist() == ["customer", "customer"]
    assert back.events["resource"].tolist() == ["Ann", "Bob"]


@pytest.mark.filterwarnings("ignore::UserWarning")  # pm4py suggests optional accelerators
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_pm4py_filtered_and_written_log_reads_back_with_roles_and_scores(scored: jm.JourneySet, tmp_path: Path) -> None:
    pm4py = pytest.importorskip("pm4py")  # the bench group; AGPL, never a dependency
    kept = pm4py.filter_variants_top_k(jm.to_pm4py(scored), 3)
    pm4py.write_xes(kept, str(tmp_path / "kept.xes"), show_progress_bar=False)
    back = jm.read_xes(tmp_path / "kept.xes")
    orig = scored.select(kept["case:concept:name"].unique())
    assert back.is_scored
    assert back.events["actor"].value_counts().to_dict() == orig.events["actor"].value_counts().to_dict()
    assert back.journeys.equals(orig.journeys)
    assert np.allclose(back.events["valence"].to_numpy(float), orig.events["valence"].to_numpy(float), equal_nan=True)


# -- 2. node-link data reads back on the installed networkx (edges under "links", whatever its version) -------
def test_node_link_data_reads_back_with_networkx(scored: jm.JourneySet) -> None:
    import networkx as nx

    G = jm.journey_graph(scored)
    data = json.loads(json.dumps(jm.to_node_link(G), allow_nan=False))
    assert "links" in data
    parameters = inspect.signature(nx.node_link_graph).parameters
    back = nx.node_link_graph(data, edges="links") if "edges" in parameters else nx.node_link_graph(data)
    assert back.is_directed()
    assert sorted(back.edges) == sorted(G.edges)
    assert all(back.edges[e]["count"] == G.edges[e]["count"] for e in G.edges)


# -- 3. an interval or period column: written where it round-trips, else an error naming it ----------------
def _banded(plain: bool) -> jm.JourneySet:
    ev = jm.datasets.service_journeys(8, seed=1).events
    bands = pd.cut(np.arange(len(ev)) % 24, [0, 6, 12, 24], include_lowest=True)  # a categorical of intervals
    ev["tenure_band"] = bands.astype(bands.categories.dtype) if plain else bands
    ev["month"] = pd.PeriodIndex(["2024-01"] * len(ev), freq="M")
    return planted_scores(jm.build_journeys(jm.read_events(ev)))


def test_a_pd_cut_column_to_parquet_is_an_error_naming_it(tmp_path: Path) -> None:
    js = _banded(plain=False)
    with pytest.raises(jm.SchemaError, match=r"column 'tenure_band' is a categorical of intervals .*astype\(str\)"):
        js.to_parquet(tmp_path / "band.parquet")
    with pytest.raises(jm.SchemaError, match=r"'t.parquet' to Parquet: column 'tenure_band' is a categorical of intervals"):
        write_table(js.events, tmp_path / "t.parquet")
    assert not (tmp_path / "band.parquet").exists() and not (tmp_path / "t.parquet").exists()


def test_plain_intervals_and_periods_round_trip_through_parquet(tmp_path: Path) -> None:
    js = _banded(plain=True)
    back = jm.read_journeys(js.to_parquet(tmp_path / "band.parquet"))
    assert back.equals(js)
    assert isinstance(back.events["tenure_band"].dtype, pd.IntervalDtype)


def test_a_period_column_is_written_to_json_lines_as_its_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"month": pd.period_range("2024-01", periods=2, freq="M"), "n": [3, 4]})
    back = pd.read_json(write_table(frame, tmp_path / "p.jsonl"), lines=True, dtype={"month": str})
    assert back["month"].tolist() == ["2024-01", "2024-02"]
    assert [pd.Period(t, freq="M") for t in back["month"]] == frame["month"].tolist()


# -- 4. durations: one ISO 8601 encoding in every text file, read back by pd.to_timedelta ------------------
@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".xlsx"])
def test_durations_are_iso_8601_in_every_text_file(scored: jm.JourneySet, tmp_path: Path, suffix: str) -> None:
    if suffix == ".xlsx":
        pytest.importorskip("openpyxl")
    rt = jm.response_times(scored)
    rt.loc[rt.index[0], "max_wait"] = pd.Timedelta("-1.5s")  # clock skew: a negative one
    columns = [c for c in rt.columns if rt[c].dtype.kind == "m"]
    path = write_table(rt, tmp_path / f"rt{suffix}")
    read = {
        ".csv": lambda p: pd.read_csv(p, dtype=str),
        ".tsv": lambda p: pd.read_csv(p, sep="\t", dtype=str),
        # dtype=False: the ISO text as written (pandas 2.2's dtype=str turns a JSON null into the text "None")
        ".jsonl": lambda p: pd.read_json(p, lines=True, dtype=False),
        ".xlsx": lambda p: pd.read_excel(p, dtype=str),
    }[suffix]
    back = read(path)
    for column in columns:
        text = back[column].dropna()
        assert text.str.fullmatch(r"-?P\d+DT\d+H\d+M\d+(\.\d*[1-9])?S").all(), (column, text.head(3).tolist())
        parsed = pd.to_timedelta(back[column].astype(object).where(back[column].notna(), None)).astype("timedelta64[ns]")
        pd.testing.assert_series_equal(parsed, rt[column].reset_index(drop=True), check_names=False)
    assert back["max_wait"].iloc[0] == "-P0DT0H0M1.5S"


# -- 5. the events' index (input row numbers) is written, as a row column ----------------------------------
def test_write_table_keeps_the_events_input_row_numbers(scored: jm.JourneySet, tmp_path: Path) -> None:
    events = scored.events.sample(frac=1, random_state=0)  # rows not in input order: a non-default index
    for suffix in (".csv", ".parquet"):
        back = pd.read_csv(p) if (p := write_table(events, tmp_path / f"ev{suffix}")).suffix == ".csv" else pd.read_parquet(p)
        assert back.columns[0] == "row"
        assert back["row"].tolist() == events.index.tolist()
    plain = write_table(pd.DataFrame({"a": [1, 2]}), tmp_path / "plain.csv")
    assert plain.read_text().splitlines() == ["a", "1", "2"]  # a default index is still left out


# -- 6. a list column comes back from saved journeys as lists ---------------------------------------------
def test_saved_journeys_with_a_list_column_read_back_equal(tmp_path: Path) -> None:
    ev = jm.datasets.service_journeys(6, seed=1).events
    ev["tags"] = [["vip", "churn-risk"] if i % 3 == 0 else [] for i in range(len(ev))]
    js = planted_scores(jm.build_journeys(jm.read_events(ev)))
    back = jm.read_journeys(js.to_parquet(tmp_path / "tags.parquet"))
    assert all(isinstance(v, list) for v in back.events["tags"])
    assert back.equals(js)


# -- 7. lists in CSV, TSV and Excel split back whatever their items hold -----------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_lists_in_text_files_are_json_arrays_that_split_back(tmp_path: Path, suffix: str) -> None:
    if suffix == ".xlsx":
        pytest.importorskip("openpyxl")
    quotes = ["Charged twice; still no refund", 'He said "no"\nthen hung up', "Why was I billed?"]
    table = pd.DataFrame({"topic": ["billing", "other"], "quotes": [quotes, []]}).set_index("topic")
    path = write_table(table, tmp_path / f"t{suffix}")
    back = pd.read_excel(path) if suffix == ".xlsx" else pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")
    assert [json.loads(cell) for cell in back["quotes"]] == [quotes, []]
