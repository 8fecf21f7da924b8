"""Review rv55 of the twenty-second session: sign-offs in a thread, number-list labels, write_table's index.

Found by the strict review of the session's merged changes: a comma sign-off ("Thanks, Mike") was
refused when any post above it named Mike, the agent's own earlier signature or a handover
included; ``read_labelled`` split the ``[2, 17]`` cells ``write_table`` writes; ``write_table``
wrote the index for ``index=0``; an unnamed date index was written as ``row``; ``report`` made
pandas 2 warn SettingWithCopyWarning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.emotions.labelled import read_labelled
from journeymap.io import write_table
from journeymap.io._social import brand_agents

if TYPE_CHECKING:
    from pathlib import Path

COLUMNS = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id"]


def _thread(path: Path, *brand: str) -> Path:
    """A TWCS thread: customer 115 and AskBrand take turns, the brand's posts being ``brand``."""
    rows = []
    for i, said in enumerate(brand):
        c, b = 2 * i + 1, 2 * i + 2
        rows.append(
            (
                str(c),
                "115",
                True,
                f"Tue Oct 31 10:{2 * i:02d}:00 +0000 2017",
                "@AskBrand still waiting",
                str(b),
                str(c - 1) if i else "",
            )
        )
        rows.append((str(b), "AskBrand", False, f"Tue Oct 31 10:{2 * i + 1:02d}:00 +0000 2017", said, str(b + 1), str(c)))
    pd.DataFrame(rows, columns=COLUMNS).to_csv(path, index=False)
    return path


def _agents(path: Path) -> list[object]:
    events = jm.read_twcs(path).events
    return events.loc[events["actor"] != "customer", "agent_id"].fillna("unsigned").tolist()


# -- 1. a name in the brand's own posts above (a signature, a handover) is no customer's ------------------
def test_an_agent_who_signs_twice_in_a_thread_signs_both_replies(tmp_path: Path) -> None:
    path = _thread(
        tmp_path / "t.csv",
        "@115 Sorry about that! Can you DM us your order number? Thanks, Mike",
        "@115 Got it, I've arranged a full refund for you. Thanks, Mike",
    )
    assert _agents(path) == ["AskBrand/Mike", "AskBrand/Mike"]  # was: Mike, unsigned


def test_a_marker_signature_above_leaves_a_comma_sign_off_signed(tmp_path: Path) -> None:
    path = _thread(tmp_path / "t.csv", "@115 Sorry about that! Can you DM us? ^Sam", "@115 Sorted now. Thanks, Sam")
    assert _agents(path) == ["AskBrand/Sam", "AskBrand/Sam"]  # was: Sam, unsigned


def test_a_handover_leaves_the_new_agents_sign_off_signed(tmp_path: Path) -> None:
    path = _thread(
        tmp_path / "t.csv",
        "@115 Hi, I'll pass this to Sam in our refunds team.",
        "@115 Your refund is now processed. Thanks, Sam",
    )
    assert _agents(path) == ["unsigned", "AskBrand/Sam"]  # was: both unsigned


@pytest.mark.parametrize(
    "greeting",
    ["@115 Hi Sam, sorry to hear that! DM us ^JB", "@115 @AskBrand Hey, Sam! DM us ^JB", "@115 Dear Sam, DM us ^JB",
     "@115 Sam, sorry to hear that. DM us ^JB", "@115 Good morning Sam. DM us ^JB", "@115 Thanks Sam, DM us ^JB"],
)  # fmt: skip
def test_a_greeting_above_still_makes_the_name_the_customers(tmp_path: Path, greeting: str) -> None:
    path = _thread(tmp_path / "t.csv", greeting, "@115 Sorted now. Thanks, Sam")
    assert _agents(path) == ["AskBrand/JB", "unsigned"]


def test_a_customers_post_above_that_names_the_agent_still_refuses() -> None:
    text = pd.Series(["@AskBrand lost it - Sam", "@115 DM us. Thanks, Jo", "@AskBrand done", "@115 Sent. Thanks, Sam"])
    author = pd.Series(["115", "AskBrand", "115", "AskBrand"])
    brand, parents = np.array([False, True, False, True]), np.array([-1, 0, 1, 2])
    # the customer signed the first post as Sam: the answered post (row 2) does not say so, the thread does
    got = brand_agents(text, author, brand, np.array([-1, 0, -1, 2]), parents)
    assert got.fillna("unsigned").tolist() == ["unsigned", "AskBrand/Jo", "unsigned", "unsigned"]


# -- 2. read_labelled reads the number lists write_table and to_csv write ---------------------------------
def _hf() -> pd.DataFrame:
    return pd.DataFrame({"text": ["I am so angry and happy", "lovely", "ok"], "labels": [[2, 17], [17], [27]]})


@pytest.mark.parametrize("suffix", ["csv", "tsv", "xlsx"])
def test_number_list_labels_round_trip_through_write_table(tmp_path: Path, suffix: str) -> None:
    path = write_table(_hf(), tmp_path / f"hf.{suffix}")
    data = read_labelled(path, text="text", label="labels", label_map={2: "anger", 17: "joy", 27: "neutral"})
    assert data.labels == [("anger", "joy"), ("joy",), ("neutral",)]  # was: ('[2', '17]'), ...; a map raised
    assert read_labelled(path, text="text", label="labels").labels == [("2", "17"), ("17",), ("27",)]


def test_number_list_labels_round_trip_through_to_csv(tmp_path: Path) -> None:
    _hf().to_csv(tmp_path / "hf.csv", index=False)
    assert read_labelled(tmp_path / "hf.csv", text="text", label="labels").labels == [("2", "17"), ("17",), ("27",)]


def test_only_strings_and_whole_numbers_make_a_json_label_list() -> None:
    cells = ['["joy", 2, 3.0]', "[true, 1]", "[2.5]", "[[1], 2]", "[null]"]
    data = read_labelled(pd.DataFrame({"text": list("abcde"), "label": cells}), sep=";")
    assert data.labels == [("joy", "2", "3"), ("[true, 1]",), ("[2.5]",), ("[[1], 2]",), ("[null]",)]


# -- 3. write_table(index=...) takes a bool or None -----------------------------------------------------
@pytest.mark.parametrize(
    ("index", "header"), [(False, "x"), (np.False_, "x"), (True, "row,x"), (np.True_, "row,x"), (None, "row,x")]
)
def test_write_table_reads_index_by_its_truth(tmp_path: Path, index: object, header: str) -> None:
    frame = pd.DataFrame({"x": [3, 1, 2]}).sort_values("x")
    path = write_table(frame, tmp_path / "i.csv", index=index)  # type: ignore[arg-type]
    assert path.read_text().splitlines()[0] == header  # np.False_ was: row,x


@pytest.mark.parametrize("index", [0, 1, "no", "False", []])
def test_write_table_refuses_an_index_that_is_no_bool(tmp_path: Path, index: object) -> None:
    frame = pd.DataFrame({"x": [3, 1, 2]}).sort_values("x")
    with pytest.raises(jm.InvalidArgumentError, match=rf"index={index!r}".replace("[", r"\[").replace("]", r"\]")):
        write_table(frame, tmp_path / "i.csv", index=index)  # type: ignore[arg-type]
    assert not (tmp_path / "i.csv").exists()  # was: 0 and "no" wrote the index


# -- 4. an unnamed index that is no integers is written as "index" ----------------------------------------
def test_an_unnamed_date_index_is_written_as_index(tmp_path: Path) -> None:
    daily = pd.DataFrame({"v": [1, 2, 3]}, index=pd.date_range("2024-01-01", periods=3, freq="D"))
    weekly = daily.resample("W").sum()
    assert write_table(weekly, tmp_path / "w.csv").read_text().splitlines()[:2] == ["index,v", "2024-01-07,6"]  # was: row,v
    labels = pd.DataFrame({"v": [1, 2]}, index=["a", "b"])
    assert write_table(labels, tmp_path / "l.csv").read_text().splitlines()[0] == "index,v"
    rows = pd.DataFrame({"v": [1, 2]}, index=[7, 3])  # row numbers stay "row"
    assert write_table(rows, tmp_path / "r.csv").read_text().splitlines()[0] == "row,v"


# -- 5. report changes a copy of the triage table (pandas 2 warned SettingWithCopyWarning) ------------------
def test_the_triage_section_changes_no_shared_table_and_warns_nothing() -> None:
    import warnings

    from journeymap.report import _triage_section

    triage = pd.DataFrame(
        {
            "rank": pd.array([1, pd.NA], dtype="Int64"),
            "status": ["waiting", "moved"],
            "priority": [0.5, 0.1],
            "customer_id": ["c1", "c2"],
            "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True),
            "text": ["help", "dm sent"],
            "emotion": ["anger", "neutral"],
            "reason": ["r", "r"],
            "extra": [1, 2],
        }
    )
    before = triage.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas 2.2: SettingWithCopyWarning twice
        html = "".join(_triage_section({"triage": triage}, tz=None))  # type: ignore[arg-type]
    assert "0.500" in html
    pd.testing.assert_frame_equal(triage, before)
