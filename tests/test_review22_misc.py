"""Review 22, miscellaneous fixes: agent sign-offs ("Thanks, Sam"), weekly exports combined, a star import of every public name,
topic colours of 3:1 on white, and one network per device.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

import journeymap as jm
from journeymap.plot import _theme
from tests.test_review20_a11y_charts import _MACHADO, _lab, delta_e00

# 3. ``import journeymap`` stays light; a star import binds every public name, TopicModel included

HEAVY = ("matplotlib", "torch", "sklearn", "dask", "scipy", "transformers", "onnxruntime")


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_import_imports_no_heavy_library_and_a_star_import_binds_every_public_name() -> None:
    light = _run(f"""
        import sys
        import journeymap
        print(",".join(m for m in {HEAVY!r} if m in sys.modules) or "-")
        """)
    assert light == "-", f"'import journeymap' imported {light}"
    star = _run("""
        from journeymap import *
        print(TopicModel.__name__, assign_topics.__name__)
        """)
    assert star == "TopicModel assign_topics"


def test_lazy_names_are_listed_by_dir() -> None:
    import journeymap as jm

    assert {"TopicModel", "assign_topics", "TransformerScorer"} <= set(dir(jm))
    from journeymap.topics import TopicModel, assign_topics

    assert jm.TopicModel is TopicModel and jm.assign_topics is assign_topics


# 4. Every topic colour 3:1 or more on white, still told apart under colour blindness


def _wcag_luminance(colour: Any) -> float:
    rgb = np.asarray(to_rgb(colour), dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def _contrast_on_white(colour: Any) -> float:
    return 1.05 / (_wcag_luminance(colour) + 0.05)


def test_every_category_colour_is_three_to_one_on_white() -> None:
    ratios = {c: round(_contrast_on_white(c), 2) for c in _theme.CATEGORIES}
    assert min(ratios.values()) >= 3, ratios  # before: #44AA99 2.82, #88CCEE 1.76, #DDCC77 1.62


def test_category_colours_stay_apart_for_normal_and_colour_blind_vision(monkeypatch: pytest.MonkeyPatch) -> None:
    tritan = np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]])
    colours = list(_theme.CATEGORIES)
    assert len(set(colours)) == 10
    monkeypatch.setitem(_MACHADO, "tritan", tritan)  # Machado 2009, full severity
    for vision in ("normal", "protan", "deutan", "tritan"):
        labs = {c: _lab(c, vision) for c in colours}
        closest = min(delta_e00(labs[a], labs[b]) for a, b in itertools.combinations(colours, 2))
        assert closest >= 11, (vision, closest)  # now 13.3, 11.8, 11.5, 11.5


# 5. device=None and device="cpu" share one network


def test_device_key_is_one_for_the_default_and_the_device_it_picks(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    from journeymap.emotions._batching import device_key

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert device_key(None) == device_key("cpu") == device_key(torch.device("cpu")) == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    assert device_key(None) == device_key("cuda") == device_key("cuda:0") == "cuda:0"
    assert device_key("cuda:1") == "cuda:1" and device_key("cpu") == "cpu"
    assert device_key("not a device") == "not a device"  # its own key: the build says what is wrong


def test_worker_scorer_shares_one_network_for_none_and_the_default_device() -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("dask")
    from journeymap.distributed.scoring import _SCORERS, clear_scorers, worker_scorer

    default = "cuda" if torch.cuda.is_available() else "cpu"
    clear_scorers()
    try:
        plain = worker_scorer(("default", ()))
        assert worker_scorer(("default", (("device", None),))) is plain
        assert worker_scorer(("default", (("device", default),))) is plain  # before: a second network
        assert len(_SCORERS) == 1
    finally:
        clear_scorers()


# 1. Agent sign-offs with a comma: "Thanks, Sam" signs, unless it thanks the customer Sam

TWCS_SAMPLE = Path("/work/shared/data/twcs_sample/sample.csv")


def _stamp(minute: float) -> str:
    return (pd.Timestamp("2017-10-11 10:00") + pd.Timedelta(minutes=minute)).strftime("%a %b %d %H:%M:%S +0000 %Y")


def _tweets(*rows: tuple[str, str, bool, float, str, str | None]) -> pd.DataFrame:
    """TWCS rows from (tweet_id, author_id, inbound, minute, text, in_response_to_tweet_id)."""
    keys = ["tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id"]
    return pd.DataFrame([dict(zip(keys, (t, a, i, _stamp(m), x, p), strict=True)) for t, a, i, m, x, p in rows])


def test_a_comma_sign_off_names_the_agent() -> None:
    from journeymap.io._social import agent_ids

    signed = {
        "@1 Sorted now. Thanks, Sam": "Sam",
        "@1 Sorted now. Cheers, Sam.": "Sam",
        "@1 Sorted now 🙂 Kind regards, Jo https://t.co/x": "Jo",
        "@1 That's fixed.\nBest, Priya 2/2": "Priya",
        "@1 Glad we could help! many thanks, Tom": "Tom",
        "@1 Sorry about that ^JB": "JB",  # the marker signatures are read as before
    }
    unsigned = [
        "@1 Sorted now. Thanks, Sam!",  # thanks the person named
        "@1 Sorted now. Thank you, Sam",
        "@1 Hi Sam, sorted now. Thanks, Sam",  # Sam is the customer, greeted in the reply
        "@1 Sorted now. Cheers, Team",
        "@1 Sorted now, Sam",  # no closing word
        "@1 Let us know and thanks, Sam",  # no sentence starts there
        "@1 Sorted now. Thanks, SAM",
    ]
    texts = pd.Series(list(signed) + unsigned)
    got = agent_ids(texts, pd.Series(["B"] * len(texts)))
    assert got.iloc[: len(signed)].str[2:].tolist() == list(signed.values())  # before: NA but JB
    assert got.iloc[len(signed) :].isna().all(), got.tolist()


def test_read_twcs_reads_a_comma_sign_off_unless_it_names_the_customer() -> None:
    log = jm.read_twcs(
        _tweets(
            ("1", "115", True, 0, "@AskBrand my order is late", None),
            ("2", "AskBrand", False, 5, "@115 It's on its way now. Thanks, Sam", "1"),
            ("3", "116", True, 0, "@AskBrand my order is late - Sam", None),  # the customer signs as Sam
            ("4", "AskBrand", False, 5, "@116 It's on its way now. Thanks, Sam", "3"),
            ("5", "117", True, 0, "@AskBrand got it now. Thanks, Sam", None),  # a customer's tweet: no agent
            ("6", "AskBrand", False, 5, "@117 Great! Cheers, Ann 1/2", "5"),
            ("7", "AskBrand", False, 6, "@117 Anything else, just ask. 2/2", "6"),  # the unsigned part of Ann's reply
        )
    )
    agents = log.events.set_index("event_id")["agent_id"]
    assert agents.loc["2"] == "AskBrand/Sam"  # before: NA
    assert pd.isna(agents.loc["4"]) and pd.isna(agents.loc["5"])
    assert agents.loc["6"] == agents.loc["7"] == "AskBrand/Ann"


def test_read_events_with_brands_reads_a_comma_sign_off_unless_it_names_the_customer() -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4"],
            "customer_id": ["sam_jones", "Tesco", "u2", "Tesco"],
            "timestamp": ["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z", "2024-01-01T11:00:00Z", "2024-01-01T11:05:00Z"],
            "text": ["@Tesco my order is late", "@sam_jones Sent. Thanks, Sam", "@Tesco late", "@u2 Sent. Thanks, Sam"],
            "in_reply_to": [None, "1", None, "3"],
        }
    )
    agents = jm.read_events(frame, brands=["Tesco"]).events.set_index("event_id")["agent_id"]
    assert pd.isna(agents.loc["2"])  # thanks the customer sam_jones
    assert agents.loc["4"] == "Tesco/Sam"  # before: NA


def test_the_twcs_sample_signatures_are_unchanged() -> None:
    if not TWCS_SAMPLE.is_file():
        pytest.skip("the TWCS sample is not in /work/shared/data")
    agents = jm.read_twcs(TWCS_SAMPLE).events["agent_id"]
    assert agents.notna().sum() == 27  # no brand reply of the sample ends with a comma sign-off


# 2. Weekly exports combined: a thread's brand and a split reply's agent as a read of the exports together gives them


def _saved(week: pd.DataFrame, by: str = "thread") -> pd.DataFrame:
    """A week's export read and built, its events as saved (without the journey columns a rebuild replaces)."""
    return jm.build_journeys(jm.read_twcs(week), by=by).events.drop(columns=["journey_id", "step", "stage"])


def _combined_and_whole(raw: pd.DataFrame, weeks: list[pd.DataFrame], by: str = "thread") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events of journeys built on the weeks' saved events concatenated, and on the whole export read at once."""
    saved = [_saved(week, by) for week in weeks]
    combined = jm.build_journeys(jm.read_events(pd.concat(saved, ignore_index=True)), by=by).events.set_index("event_id")
    whole = jm.build_journeys(jm.read_twcs(raw), by=by).events.set_index("event_id")
    return combined.loc[whole.index], whole


def _two_weeks() -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    rows = _tweets(
        ("1", "115", True, 0, "my parcel is late again", None),  # names no brand: its brand is the one that answers
        ("2", "AskBrand", False, 60 * 24 * 8, "@115 Sorry about that, we're looking into it 1/2", "1"),
        ("3", "AskBrand", False, 60 * 24 * 8 + 1, "@115 and will DM you the new date 2/2 ^JB", "2"),
        ("4", "116", True, 0, "@AskBrand where is my refund", None),
        ("5", "AskBrand", False, 10, "@116 Checking now 1/2", "4"),
        ("6", "AskBrand", False, 60 * 24 * 8, "@116 It's on its way 2/2 ^KD", "5"),
    )
    return rows, [rows.iloc[[0, 3, 4]], rows.iloc[[1, 2, 5]]]


@pytest.mark.parametrize("by", ["thread", "customer"])
def test_weeks_combined_give_the_brand_and_agents_of_the_exports_read_together(by: str) -> None:
    raw, weeks = _two_weeks()
    combined, whole = _combined_and_whole(raw, weeks, by=by)
    assert whole["brand"].tolist() == ["AskBrand"] * 6
    assert whole["agent_id"].fillna("-").tolist() == ["-", "AskBrand/JB", "AskBrand/JB", "-", "AskBrand/KD", "AskBrand/KD"]
    for column in ("brand", "agent_id", "thread_id", "customer_id", "journey_id"):
        # before: brand NA on tweet 1, agent_id NA on the first parts 2 and 5
        pd.testing.assert_series_equal(combined[column].astype("string"), whole[column].astype("string"), check_names=False)


def test_weeks_combined_on_a_cluster_as_on_one_machine() -> None:
    pytest.importorskip("dask")
    from journeymap.distributed import build_journeys as dask_build
    from journeymap.distributed import from_pandas

    _, weeks = _two_weeks()
    saved = jm.read_events(pd.concat([_saved(week) for week in weeks], ignore_index=True))
    local = jm.build_journeys(saved).events.set_index("event_id")
    spread = dask_build(from_pandas(saved, npartitions=2)).compute().events.set_index("event_id").loc[local.index]
    for column in ("brand", "agent_id"):
        pd.testing.assert_series_equal(spread[column].astype("string"), local[column].astype("string"))
    assert local.loc["1", "brand"] == "AskBrand" and local.loc["2", "agent_id"] == "AskBrand/JB"


def test_a_brand_the_data_gives_is_kept() -> None:
    _, weeks = _two_weeks()
    saved = pd.concat([_saved(week) for week in weeks], ignore_index=True)
    saved.loc[saved["event_id"] == "4", "brand"] = "OtherBrand"  # only missing values are filled
    saved.loc[saved["event_id"] == "5", "agent_id"] = "AskBrand/ZZ"
    events = jm.build_journeys(jm.read_events(saved)).events.set_index("event_id")
    assert events.loc["4", "brand"] == "OtherBrand" and events.loc["5", "agent_id"] == "AskBrand/ZZ"


def test_the_twcs_sample_in_two_halves_combined_equals_the_whole() -> None:
    if not TWCS_SAMPLE.is_file():
        pytest.skip("the TWCS sample is not in /work/shared/data")
    raw = pd.read_csv(TWCS_SAMPLE, dtype=str)
    stamp = pd.to_datetime(raw["created_at"], format="%a %b %d %H:%M:%S %z %Y")
    cut = stamp.sort_values().iloc[len(stamp) // 2]
    combined, whole = _combined_and_whole(raw, [raw[stamp < cut], raw[stamp >= cut]])
    for column in ("brand", "agent_id"):  # before: 4 customer tweets without a brand, one first part without its agent
        pd.testing.assert_series_equal(combined[column].astype("string"), whole[column].astype("string"))
