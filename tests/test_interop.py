"""Saving journeys and handing them to process-mining tools: Parquet, XES, pm4py frames."""

from __future__ import annotations

import gzip
import json
import logging
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import JourneyMapError, schema
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.testing.data import planted_scores

TWCS = Path(__file__).resolve().parents[2] / "shared" / "data" / "twcs_sample" / "sample.csv"


def _scored(n: int = 12, seed: int = 0) -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(n, seed=seed)))


def _custom() -> jm.JourneySet:
    """Journeys by customer, a touchpoint stage model, a custom taxonomy and a topic column."""
    events = jm.datasets.service_journeys(15, seed=3)
    js = jm.build_journeys(events, by="customer", gap="2D", stages=jm.StageModel.service())
    mood = Taxonomy(name="mood", labels=("grumpy", "content"), valence={"grumpy": -0.8, "content": 0.6})
    ev = js.events.copy()
    rng = np.random.default_rng(0)
    p = rng.random((len(ev), 2)).astype(np.float32)
    for j, label in enumerate(mood.labels):
        ev[schema.score_column(label)] = p[:, j]
    ev["emotion"] = pd.array(np.where(p[:, 0] > p[:, 1], "grumpy", "content"), dtype="string")
    ev["valence"] = mood.valence_of(p)
    ev["scorer"] = pd.array(["mood.v1"] * len(ev), dtype="string")
    ev["topic"] = pd.array(rng.choice(["billing", "delivery", "other"], len(ev)), dtype="string")
    ev["text"] = ev["text"].astype("string").str.cat(pd.Series(' <&> "quoted" \n\t line 😡', index=ev.index).astype("string"))
    return js.with_events(ev, taxonomy=mood)


class _RandomScorer:
    """GoEmotions-shaped scores from a hash of each text: real threads, no model."""

    id = "tests.random.v1"
    taxonomy = Taxonomy.goemotions()

    def score(self, texts: list[str]) -> np.ndarray:
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).random(28) for t in texts]
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), 28)


def _assert_same(a: jm.JourneySet, b: jm.JourneySet) -> None:
    with warnings.catch_warnings():
        # pandas 2.x: pyarrow reads a missing value of an object column (response_tweet_id) as None where the
        # frame held NaN; both are missing to pandas 2, whose comparison says so with this warning (pandas 3 reads
        # such a column as "str", and its comparison tells None from NaN)
        warnings.filterwarnings("ignore", "Mismatched null-like values", FutureWarning)
        pd.testing.assert_frame_equal(a.events, b.events)
        pd.testing.assert_frame_equal(a.journeys, b.journeys)
    assert a.stages == b.stages
    assert a.by == b.by
    assert a.taxonomy == b.taxonomy


@pytest.mark.parametrize("make", [_scored, _custom], ids=["scored", "custom"])
def test_parquet_round_trip_keeps_everything(tmp_path: Path, make: object) -> None:
    js = make()  # type: ignore[operator]
    back = jm.read_journeys(js.to_parquet(tmp_path / "j.parquet"))
    _assert_same(js, back)


def test_parquet_round_trip_of_real_threads(tmp_path: Path) -> None:
    if not TWCS.is_file():
        pytest.skip("../shared/data/twcs_sample is not beside the checkout")
    js = jm.score(jm.build_journeys(jm.read_twcs(TWCS)), _RandomScorer(), cache=False)
    assert js.events["valence"].notna().sum() > 0
    _assert_same(js, jm.read_journeys(js.to_parquet(tmp_path / "twcs.parquet")))
    _assert_same(js, jm.read_xes(jm.to_xes(js, tmp_path / "twcs.xes.gz")))


def test_parquet_errors_name_the_file_and_what_to_do(tmp_path: Path) -> None:
    plain = tmp_path / "plain.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(plain)
    with pytest.raises(JourneyMapError, match=r"plain\.parquet .*not written by JourneySet\.to_parquet.*read_events"):
        jm.read_journeys(plain)
    junk = tmp_path / "junk.parquet"
    junk.write_text("not parquet")
    with pytest.raises(JourneyMapError, match=r"junk\.parquet is not a Parquet file"):
        jm.read_journeys(junk)
    with pytest.raises(FileNotFoundError, match=r"missing\.parquet"):
        jm.read_journeys(tmp_path / "missing.parquet")


def test_a_file_from_a_newer_layout_is_refused(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = _scored(3).to_parquet(tmp_path / "j.parquet")
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"journeymap"])
    meta["format_version"] = 99
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, b"journeymap": json.dumps(meta).encode()}), path)
    with pytest.raises(JourneyMapError, match="upgrade journeymap"):
        jm.read_journeys(path)


@pytest.mark.parametrize("make", [_scored, _custom], ids=["scored", "custom"])
@pytest.mark.parametrize("name", ["log.xes", "log.xes.gz"])
def test_xes_round_trip_keeps_everything(tmp_path: Path, make: object, name: str) -> None:
    js = make()  # type: ignore[operator]
    path = jm.to_xes(js, tmp_path / name)
    if name.endswith(".gz"):
        with gzip.open(path) as fh:
            assert fh.read(5) == b"<?xml"
    _assert_same(js, jm.read_xes(path))


def test_xes_uses_the_standard_keys_and_the_chosen_activity(tmp_path: Path) -> None:
    js = _custom()
    text = jm.to_xes(js, tmp_path / "log.xes", activity="topic").read_text(encoding="utf-8")
    assert text.count("<trace>") == len(js)
    assert text.count("<event>") == len(js.events)
    assert '<string key="concept:name" value="billing"/>' in text
    assert 'key="time:timestamp"' in text
    assert 'key="org:resource" value="customer"' in text
    assert '<float key="valence"' in text
    back = jm.read_xes(tmp_path / "log.xes")
    assert back.events["topic"].equals(js.events["topic"])
    with pytest.raises(ValueError, match="activity must be one of"):
        jm.to_xes(js, tmp_path / "x.xes", activity="channel")
    with pytest.raises(JourneyMapError, match="assign_topics"):
        jm.to_xes(_scored(3), tmp_path / "x.xes", activity="topic")


def test_control_characters_are_replaced_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    js = _scored(3)
    ev = js.events.copy()
    first = ev.index[0]
    ev["text"] = ev["text"].astype("string")
    ev.loc[first, "text"] = "bell\x07 and form feed\x0c"
    with caplog.at_level(logging.WARNING, logger="journeymap"):
        path = jm.to_xes(js.with_events(ev), tmp_path / "log.xes")
    assert "control characters" in caplog.text
    back = jm.read_xes(path)
    assert back.events.loc[first, "text"] == "bell\ufffd and form feed\ufffd"


FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <trace><string key="concept:name" value="case-1"/>
    <event><string key="concept:name" value="register"/>
      <date key="time:timestamp" value="2024-03-01T10:00:00.000+01:00"/><string key="org:resource" value="Ann"/></event>
    <event><string key="concept:name" value="pay"/>
      <date key="time:timestamp" value="2024-03-01T09:30:00.000+00:00"/><float key="amount" value="12.5"/></event>
  </trace>
  <trace><string key="concept:name" value="case-2"/><string key="customer_id" value="c9"/>
    <event><string key="concept:name" value="register"/><date key="time:timestamp" value="2024-03-02T10:00:00Z"/></event>
  </trace>
</log>
"""


def test_a_foreign_xes_log_reads_as_one_journey_per_trace(tmp_path: Path) -> None:
    path = tmp_path / "other.xes"
    path.write_text(FOREIGN, encoding="utf-8")
    js = jm.read_xes(path)
    assert sorted(js.journey_ids) == ["case-1", "case-2"]
    one = js.events[js.events["journey_id"] == "case-1"]
    assert one["touchpoint"].tolist() == ["register", "pay"]  # 09:00 UTC then 09:30 UTC
    assert one["step"].tolist() == [1, 2]
    assert one["resource"].tolist()[0] == "Ann"
    assert js.journeys.loc["case-2", "customer_id"] == "c9"
    assert js.journeys.loc["case-1", "customer_id"] == "case-1"


def test_an_event_without_a_time_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.xes"
    path.write_text(FOREIGN.replace('<date key="time:timestamp" value="2024-03-02T10:00:00Z"/>', ""), encoding="utf-8")
    with pytest.raises(JourneyMapError, match=r"trace 'case-2', event 1 has no time:timestamp"):
        jm.read_xes(path)
    broken = tmp_path / "broken.xes"
    broken.write_text("<log><trace>", encoding="utf-8")
    with pytest.raises(JourneyMapError, match="not a readable XES log"):
        jm.read_xes(broken)


def test_to_pm4py_gives_the_standard_columns() -> None:
    js = _scored(8)
    frame = jm.to_pm4py(js)
    assert list(frame.columns[:4]) == ["case:concept:name", "concept:name", "time:timestamp", "org:resource"]
    assert frame["case:concept:name"].tolist() == js.events["journey_id"].astype(str).tolist()
    assert frame["concept:name"].tolist() == js.events["touchpoint"].astype(str).tolist()
    assert "valence" in frame.columns
    assert str(frame["time:timestamp"].dt.tz) == "UTC"


def _dfg(js: jm.JourneySet) -> dict[tuple[str, str], int]:
    graph = jm.journey_graph(js)
    return {(a, b): int(d["count"]) for a, b, d in graph.edges(data=True) if not a.startswith("__") and not b.startswith("__")}


@pytest.mark.filterwarnings("ignore::UserWarning")  # pm4py suggests optional accelerators
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_pm4py_reads_our_xes_and_finds_the_same_directly_follows_graph(tmp_path: Path) -> None:
    pm4py = pytest.importorskip("pm4py")  # the bench group; AGPL, never a dependency
    js = _scored(30)
    log = pm4py.read_xes(str(jm.to_xes(js, tmp_path / "log.xes")))
    dfg, _, _ = pm4py.discover_dfg(log)
    assert {k: int(v) for k, v in dfg.items()} == _dfg(js)
    ours, _, _ = pm4py.discover_dfg(jm.to_pm4py(js))
    assert ours == dfg
    pm4py.write_xes(log, str(tmp_path / "pm4py.xes"))
    back = jm.read_xes(tmp_path / "pm4py.xes")
    assert len(back) == len(js)
    assert len(back.events) == len(js.events)


def test_excel_in_and_out(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    from journeymap.io import write_table

    frame = pd.DataFrame(
        {
            "event_id": ["1", "2", "3"],
            "customer_id": ["c1", "c1", "c2"],
            "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-02 09:00"]),
            "text": ["my order is late", "thanks, it arrived", None],
        }
    )
    path = write_table(frame, tmp_path / "events.xlsx")
    log = jm.read_events(path, on_error="collect")
    assert log.events["text"].tolist()[:2] == ["my order is late", "thanks, it arrived"]
    assert len(log.events) + log.rejects["row"].nunique() == 3
    assert log.events["timestamp"].dt.tz is not None
    table = jm.build_journeys(log, by="customer").journeys
    out = write_table(table, tmp_path / "metrics.xlsx")
    back = pd.read_excel(out)
    assert back.columns[0] == table.index.name
    assert back[table.index.name].astype(str).tolist() == table.index.astype(str).tolist()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK not really a workbook")
    with pytest.raises(jm.SchemaError, match=r"broken\.xlsx' is not a readable Excel workbook"):
        jm.read_events(broken)


def test_write_table_by_suffix(tmp_path: Path) -> None:
    from journeymap.io import write_table

    table = pd.DataFrame({"x": [1, 2]}, index=pd.Index(["a", "b"], name="journey_id"))
    assert write_table(table, tmp_path / "t.csv").read_text().splitlines() == ["journey_id,x", "a,1", "b,2"]
    assert write_table(table.reset_index(drop=True), tmp_path / "u.csv").read_text().splitlines() == ["x", "1", "2"]
    assert pd.read_parquet(write_table(table, tmp_path / "t.parquet"))["journey_id"].tolist() == ["a", "b"]
    with pytest.raises(jm.SchemaError, match=r"unknown table type '\.doc'"):
        write_table(table, tmp_path / "t.doc")


def test_an_empty_journey_set_goes_to_xes_and_back(tmp_path: Path) -> None:
    empty = jm.build_journeys(jm.datasets.service_journeys(5, seed=0)).select([])
    back = jm.read_xes(jm.to_xes(empty, tmp_path / "empty.xes"))  # a pandas TypeError before
    assert len(back) == 0 and len(back.events) == 0


def test_an_empty_journey_set_keeps_its_categories_in_parquet(tmp_path: Path) -> None:
    empty = jm.build_journeys(jm.datasets.service_journeys(5, seed=0)).select([])
    back = jm.read_journeys(empty.to_parquet(tmp_path / "empty.parquet"))
    assert back.equals(empty) and back.events["stage"].cat.ordered  # stage order and actor categories were lost


def test_excel_sheets_left_unread_are_named(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pytest.importorskip("openpyxl")
    from journeymap.io import write_table

    times = ["2024-01-01T10:00:00Z", "2024-01-02T09:00:00Z"]
    frame = pd.DataFrame({"customer_id": ["c1", "c2"], "timestamp": times, "text": ["late again", "thanks"]})
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="January", index=False)
        frame.to_excel(writer, sheet_name="February", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="Notes", index=False)  # a blank sheet is not worth a warning
    with caplog.at_level("WARNING", logger="journeymap"):
        log = jm.read_events(path)
    assert len(log.events) == 2
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warned) == 1 and "'February'" in warned[0] and "Notes" not in warned[0] and "January" not in warned[0]

    caplog.clear()
    single = write_table(frame, tmp_path / "one.xlsx")
    with caplog.at_level("WARNING", logger="journeymap"):
        jm.read_events(single)
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
