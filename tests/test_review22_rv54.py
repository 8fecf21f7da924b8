"""Review rv54 of the twenty-second session: write_table's index, node-link's key, sign-offs, demo, labels, XES.

Found by the strict review of the session's merged changes: ``write_table`` raised a raw
IndexError on an unnamed MultiIndex and wrote a ``row`` column for ``index=False``;
``to_node_link`` put the edges under the installed networkx's key; a "Thanks, Sam" after an
earlier "Hi Sam" made Sam an agent; ``demo`` drew its charts twice; ``read_labelled`` split the
JSON arrays ``write_table`` writes; ``read_xes`` of a pm4py-written log was always by thread.
"""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app
from journeymap.emotions.labelled import read_labelled
from journeymap.io import write_table
from journeymap.testing.data import planted_scores

SUFFIXES = ["csv", "tsv", "parquet", "jsonl", "xlsx"]


def _read(path: Path) -> pd.DataFrame:
    suffix = path.suffix
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix == ".jsonl":
        return pd.read_json(path, lines=True)
    if suffix == ".xlsx":
        return pd.read_excel(path)
    return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")


# -- 1. any index shape is written, its levels as columns --------------------------------------------------
def _indexed() -> dict[str, pd.DataFrame]:
    a, b = pd.DataFrame({"v": [1, 2]}), pd.DataFrame({"v": [3]})
    pairs = [("a", 1), ("b", 2)]
    return {
        "concat": pd.concat([a, b], keys=["week1", "week2"]),
        "tuples": pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples(pairs)),
        "some names": pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples(pairs, names=["week", None])),
        "same names": pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples(pairs, names=["v", "v"])),
        "taken default": pd.DataFrame({"level_1": [1, 2]}, index=pd.MultiIndex.from_tuples(pairs)),
        "dates": pd.DataFrame({"v": [1, 2]}, index=pd.date_range("2024-01-01", periods=2, tz="UTC")),
    }


EXPECTED = {
    "concat": ["level_0", "level_1", "v"],
    "tuples": ["level_0", "level_1", "v"],
    "some names": ["week", "level_1", "v"],
    "same names": ["v_1", "v_2", "v"],
    "taken default": ["level_0", "level_1_1", "level_1"],
    "dates": ["index", "v"],  # rv55: an unnamed index of dates as reset_index names it (was: row)
}


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("shape", list(EXPECTED))
def test_any_index_is_written_as_columns(shape: str, suffix: str, tmp_path: Path) -> None:
    # was: IndexError: list index out of range (reset_index(names="row") of a MultiIndex)
    frame = _indexed()[shape]
    back = _read(write_table(frame, tmp_path / f"t.{suffix}"))
    assert back.columns.tolist() == EXPECTED[shape]
    assert back.iloc[:, -1].tolist() == frame.iloc[:, -1].tolist()
    if shape == "concat":
        assert back["level_0"].tolist() == ["week1", "week1", "week2"]
        assert back["level_1"].tolist() == [0, 1, 0]


# -- 2. index=False writes no index; the default writes a meaningful one ------------------------------------
def test_index_false_writes_no_index(tmp_path: Path) -> None:
    # was: row,x,y for a sorted frame, even with index=False
    df = pd.DataFrame({"x": [3, 1, 2], "y": list("abc")})
    for frame in (df.sort_values("x"), df[df.x > 1], df.set_index("y"), *_indexed().values()):
        written = write_table(frame, tmp_path / "f.csv", index=False).read_text().splitlines()
        assert written[0] == ",".join(map(str, frame.columns)), written[0]


def test_the_default_writes_a_meaningful_index(tmp_path: Path) -> None:
    df = pd.DataFrame({"x": [3, 1, 2], "y": list("abc")})
    assert write_table(df.sort_values("x"), tmp_path / "s.csv").read_text().splitlines()[:2] == ["row,x,y", "1,1,b"]
    assert write_table(df, tmp_path / "d.csv").read_text().splitlines()[0] == "x,y"
    assert write_table(df.set_index("y"), tmp_path / "n.csv").read_text().splitlines()[0] == "y,x"
    assert write_table(df, tmp_path / "t.csv", index=True).read_text().splitlines()[:2] == ["row,x,y", "0,3,a"]
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(6, seed=0)))
    events = _read(write_table(js.events, tmp_path / "e.csv"))
    assert events["row"].tolist() == js.events.index.tolist()  # js.events' input row numbers survive


def test_write_table_s_signature_and_docstring_say_so() -> None:
    assert inspect.signature(write_table).parameters["index"].default is None
    doc = " ".join((write_table.__doc__ or "").split())
    assert "``False`` never" in doc and "``True`` always" in doc and "by default (``None``)" in doc


def test_score_output_keeps_its_row_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "fake_plugin"))
    from journeymap.emotions import registry

    registry.refresh()
    try:
        log = jm.datasets.service_journeys(4, seed=0).events
        log.to_csv(tmp_path / "e.csv", index=False)
        result = CliRunner().invoke(app, ["score", str(tmp_path / "e.csv"), "-o", str(tmp_path / "s.csv"), "--scorer", "lexicon"])
        assert result.exit_code == 0, result.output
        assert (tmp_path / "s.csv").read_text().splitlines()[0].startswith("row,")
    finally:
        registry.refresh()


# -- 3. node-link data: the edges under "links", whatever networkx is installed ----------------------------
def test_node_link_edges_are_under_links_and_read_back() -> None:
    import networkx as nx

    G = jm.journey_graph(planted_scores(jm.build_journeys(jm.datasets.service_journeys(10, seed=0))))
    data = json.loads(json.dumps(jm.to_node_link(G), allow_nan=False))
    assert sorted(data) == ["directed", "graph", "links", "multigraph", "nodes"]  # was: "edges" on networkx 3.6
    assert len(data["links"]) == G.number_of_edges()
    if "edges" in inspect.signature(nx.node_link_graph).parameters:  # networkx 3.4 on, as the docstring says
        back = nx.node_link_graph(data, edges="links")
    else:
        back = nx.node_link_graph(data)
    assert sorted(back.edges) == sorted(G.edges)
    assert all(back.edges[e]["count"] == G.edges[e]["count"] for e in G.edges)
    other = jm.to_node_link(G, edges="edges")
    assert "links" not in other and len(other["edges"]) == G.number_of_edges()
    with pytest.raises(jm.InvalidArgumentError, match="edges='nodes'"):
        jm.to_node_link(G, edges="nodes")
    with pytest.raises(jm.ArgumentTypeError, match="edges="):
        jm.to_node_link(G, edges=1)  # type: ignore[arg-type]


# -- 4. a name the thread used before is the customer's, not a signature ---------------------------------
def _thread(path: Path, first: str, last: str) -> Path:
    rows = [
        ("1", "115", True, "Tue Oct 31 10:00:00 +0000 2017", "@AskBrand my parcel never arrived", "2", ""),
        ("2", "AskBrand", False, "Tue Oct 31 10:05:00 +0000 2017", first, "3", "1"),
        ("3", "115", True, "Tue Oct 31 10:10:00 +0000 2017", "@AskBrand done", "4", "2"),
        ("4", "AskBrand", False, "Tue Oct 31 10:20:00 +0000 2017", last, "", "3"),
    ]
    columns = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id"]
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)
    return path


def test_thanks_to_a_name_an_earlier_brand_post_greeted_signs_nobody(tmp_path: Path) -> None:
    # was: AskBrand/Sam, a phantom agent
    path = _thread(
        tmp_path / "t.csv",
        "@115 Hi Sam, sorry to hear that! Could you DM us the order number? ^JB",
        "@115 Got it, a new one is on its way. Thanks, Sam",
    )
    agents = jm.read_twcs(path).events.set_index("event_id")["agent_id"]
    assert agents["2"] == "AskBrand/JB"
    assert pd.isna(agents["4"])


def test_thanks_to_a_name_no_earlier_post_used_still_signs(tmp_path: Path) -> None:
    path = _thread(
        tmp_path / "t.csv", "@115 Sorry to hear that! Could you DM us the order number?", "@115 On its way. Thanks, Sam"
    )
    assert jm.read_twcs(path).events.set_index("event_id")["agent_id"]["4"] == "AskBrand/Sam"


def test_read_events_with_brands_refuses_a_name_the_thread_used_before() -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4"],
            "customer_id": ["115", "AskBrand", "115", "AskBrand"],
            "timestamp": pd.date_range("2024-01-01", periods=4, freq="5min", tz="UTC"),
            "text": ["@AskBrand lost parcel", "@115 Hey Sam, DM us ^JB", "@AskBrand done", "@115 Sent. Cheers, Sam"],
            "in_reply_to": [None, "1", "2", "3"],
        }
    )
    agents = jm.read_events(frame, brands=["AskBrand"]).events.set_index("event_id")["agent_id"]
    assert agents["2"] == "AskBrand/JB" and pd.isna(agents["4"])


def test_twcs_sample_signatures_unchanged() -> None:
    twcs = Path("/work/shared/data/twcs_sample/sample.csv")
    if not twcs.exists():
        pytest.skip("the TWCS sample is not here")
    agents = jm.read_twcs(twcs).events["agent_id"].dropna()
    assert (len(agents), agents.nunique()) == (27, 19)


# -- 5. demo draws each shared chart once -----------------------------------------------------------------
def test_demo_draws_each_chart_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # was: journey_map 2, graph 2, time_patterns 3 (the report draws two), trends 2
    report_module = importlib.import_module("journeymap.report")
    calls: dict[str, int] = {}

    def counting(owner: object, name: str) -> None:
        real = getattr(owner, name)

        def counted(*args: object, **kwargs: object) -> object:
            calls[name] = calls.get(name, 0) + 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)

    for name in ("journey_map", "graph", "time_patterns", "trends"):
        counting(jm.plot, name)
    counting(report_module, "journey_graph")
    counting(jm, "journey_graph")
    monkeypatch.setattr(jm, "score", lambda journeys, *args, **kwargs: planted_scores(journeys))
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "d"), "--customers", "8"])
    assert result.exit_code == 0, result.output
    assert calls == {"journey_map": 1, "graph": 1, "time_patterns": 2, "trends": 1, "journey_graph": 1}
    assert sorted(p.name for p in (tmp_path / "d").glob("*.png")) == [
        "journey_graph.png",
        "journey_map.png",
        "time_patterns.png",
        "trends.png",
    ]


# -- 6. read_labelled reads the JSON arrays write_table writes ---------------------------------------------
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_list_labels_round_trip_through_write_table(suffix: str, tmp_path: Path) -> None:
    # was: [('["anger"]',), ('["joy"]',), ('["fear"', '"anger"]')] from CSV
    df = pd.DataFrame({"text": ["so angry", "lovely day", "scared and mad"], "label": [["anger"], ["joy"], ["fear", "anger"]]})
    back = read_labelled(write_table(df, tmp_path / f"lab.{suffix}"))
    assert back.labels == [("anger",), ("joy",), ("fear", "anger")]


def test_only_a_whole_json_array_of_strings_is_a_label_list() -> None:
    # rv55: a JSON array of whole numbers ("[1, 2]", as write_table writes [1, 2]) is a label list too
    frame = pd.DataFrame({"text": ["a", "b", "c", "d"], "label": ['["x, y"]', "[sic],z", "[1, 2]", "[]"]})
    data = read_labelled(frame)
    assert data.labels == [("x, y",), ("[sic]", "z"), ("1", "2")]
    assert data.skipped["reason"].tolist() == ["no label"]


# -- 7. read_xes of a pm4py-written log: by customer where a journey holds several threads ------------------
def test_a_pm4py_written_log_keeps_journeys_by_customer(tmp_path: Path) -> None:
    from tests.test_review22_interop import _xes_as_pm4py_writes

    for by in ("thread", "customer"):
        js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0), by=by))
        back = jm.read_xes(_xes_as_pm4py_writes(jm.to_pm4py(js), tmp_path / f"{by}.xes"))
        assert back.by == by  # was: "thread" for both
        assert len(back) == len(js)
    doc = " ".join((jm.read_xes.__doc__ or "").split())
    assert "Nor are the journeys' ``by`` and ``tz``" in doc
