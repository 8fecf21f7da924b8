"""Pins scoring, normalisation and evaluation rules that no test held (rv59 mutation review survivors)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from journeymap import Taxonomy
from journeymap.emotions._metrics import predict
from journeymap.emotions.cache import ScoreCache
from journeymap.emotions.evaluate import _auc
from journeymap.emotions.evaluate_labelled import _weighted_scores, compare_labelled, evaluate_labelled
from journeymap.emotions.normalize import normalize_text, strip_html


# --- normalisation of emoji, emoticons, handles, links and markup ---------------------------------------------


def test_runs_of_four_repeats_are_cut_to_three() -> None:
    # N1: a character repeated 4+ times is shortened to three
    assert normalize_text("soooo late!!!!") == "sooo late!!!"


def test_emoticon_glued_to_a_word_reads_whole_with_its_brow() -> None:
    # N4: '>:(' attached to a word is the angry face, not '>' plus a frowning face
    assert normalize_text("still waiting>:(") == "still waiting angry face"


def test_email_addresses_are_not_user_handles() -> None:
    # N5: '@' inside an address is no mention
    assert normalize_text("mail ann@example.com or bob@x.org") == "mail ann@example.com or bob@x.org"


def test_variation_selector_is_dropped_after_a_non_emoji() -> None:
    # N8: U+FE0F left over after a character that is no emoji is removed
    assert normalize_text("ok\ufe0f") == "ok"
    assert normalize_text("5\ufe0f stars") == "5 stars"


def test_hr_is_a_line_break() -> None:
    # N11: <hr> separates like <br>
    assert strip_html("line one<hr>line two") == "line one\nline two"
    assert normalize_text("really<hr>bad") == "really bad"


def test_bare_www_links_are_links() -> None:
    # N18: 'www.' links are replaced like http ones
    assert normalize_text("see www.delta.com/bags please") == "see http please"


@pytest.mark.parametrize("text", ["see [link :(]", "still down :((a)", "a :(] b", ":)|"])
def test_emoticon_followed_by_bracket_or_bar_is_left_alone(text: str) -> None:
    # N19: an emoticon-like run followed by brackets/bars/backslash is punctuation, not a face
    assert normalize_text(text) == text


# --- evaluation metrics -------------------------------------------------------------------------------------------


def test_predict_probability_equal_to_threshold_is_positive() -> None:
    # E1: pred = probs >= thresholds
    assert predict(np.float32([[0.5, 0.6]]), np.float32([0.5, 0.5])).tolist() == [[True, True]]


def test_predict_empty_row_takes_best_relative_to_threshold() -> None:
    # E2: a row with no label over its threshold takes the label with the highest prob/threshold
    assert predict(np.float32([[0.3, 0.2]]), np.float32([0.6, 0.25])).tolist() == [[False, True]]


def test_auc_perfect_ranking_is_one() -> None:
    # E7: Mann-Whitney AUC; a perfect ranking gives 1.0
    assert _auc(np.float32([0.9, 0.1, 0.5]), np.array([True, False, False])) == pytest.approx(1.0)


def test_weighted_macro_f1_averages_over_present_labels() -> None:
    # EL1: a label with zero weight (absent) does not drag the macro F1 down
    names = np.array(["a", "b", "c"], object)
    scores = [float(x[0]) for x in _weighted_scores(names, names, np.array([[1.0, 1.0, 0.0]]))]
    assert scores == [1.0, 1.0]


class _Fixed:
    taxonomy = Taxonomy.ekman()
    column = 0
    id = "stub.fixed.v1"

    def score(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 7), np.float32)
        out[:, self.column] = 0.9
        return out


class _Fear(_Fixed):
    id = "stub.fear.v1"
    column = 2


class _Joy(_Fixed):
    id = "stub.joy.v1"
    column = 3


class _Anger(_Fixed):
    id = "stub.anger.v1"
    column = 0


def test_multi_label_cell_scored_wrong_counts_against_its_first_sorted_label() -> None:
    # EL5: a wrong prediction on 'joy,anger' counts against min(cell) = 'anger'
    data = pd.DataFrame({"text": ["mixed feelings", "scared", "scary"], "label": ["joy,anger", "fear", "fear"]})
    r = evaluate_labelled(data, scorer=_Fear(), level="ekman", n_boot=0)
    assert r["predictions"]["truth"].tolist()[0] == "anger"


def test_compare_labelled_counts_b_right_against_its_own_truth() -> None:
    # EL9: on a two-label cell both are right by different labels; only the single-label rows separate them
    cd = pd.DataFrame({"text": ["love and hate", "meh thing", "ugh thing"], "label": ["joy,anger", "joy", "anger"]})
    ra = evaluate_labelled(cd, scorer=_Joy(), level="ekman", n_boot=0)
    rb = evaluate_labelled(cd, scorer=_Anger(), level="ekman", n_boot=0)
    c = compare_labelled(ra, rb, n_boot=0)
    assert (c["a_only"], c["b_only"]) == (1, 1)


# --- cache keys ---------------------------------------------------------------------------------------------------


def test_cache_rows_written_under_other_label_order_are_not_served(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # C2: rewriting a scorer with its labels in another order drops the rows stored under the old order
    caplog.set_level(logging.ERROR)
    c = ScoreCache(tmp_path / "a.sqlite")
    c.put("s.v1", ["x"], np.float32([[0.1, 0.9]]), labels=["a", "b"])
    c.put("s.v1", ["y"], np.float32([[0.5, 0.5]]), labels=["b", "a"])
    out, found = c.get("s.v1", ["x"], n_labels=2, labels=["b", "a"])
    assert found.tolist() == [False]
