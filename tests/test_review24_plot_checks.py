"""Review 24 (rv62): mutation review of the figures' data (journeymap.plot) and the conformance checks (testing.checks).

Each test pins a rule that a one-line mutant broke while every earlier test still passed; its comment names the
mutant. The figures are read through their matplotlib artists (lines' data, texts, collections' offsets and arrays,
patches), never pixels; the data are small frames with set valences, or planted scores (no model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest

mpl.use("Agg")
import matplotlib.pyplot as plt

import journeymap as jm
from journeymap import StageModel
from journeymap.emotions.taxonomy import Taxonomy
from journeymap.testing import HashingEncoder, checks

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from matplotlib.axes import Axes


@pytest.fixture(autouse=True)
def _close() -> Iterator[None]:
    yield
    plt.close("all")


START = pd.Timestamp("2024-01-01", tz="UTC")


def one_journey(
    valences: Sequence[float], *, actors: Sequence[str] | None = None, stages: Sequence[str] | None = None
) -> jm.Journey:
    """One customer's journey, a message a minute, with these valences (NaN: unscored) and actors."""
    rows = [
        {
            "event_id": str(n),
            "customer_id": "c1",
            "timestamp": START + pd.Timedelta(minutes=n),
            "actor": actors[n] if actors else "customer",
            "touchpoint": "chat",
            "text": f"message number {n} with some words",
            "valence": v,
            **({"stage": stages[n]} if stages else {}),
        }
        for n, v in enumerate(valences)
    ]
    kw = {"stages": StageModel.from_column("stage", order=sorted(set(stages)))} if stages else {}
    js = jm.build_journeys(pd.DataFrame(rows), by="customer", **kw)
    return js[js.journey_ids[0]]


def annotation(ax: Axes, gid: str) -> Any:
    found = [t for t in ax.texts if t.get_gid() == gid]
    assert len(found) == 1, [t.get_gid() for t in ax.texts]
    return found[0]


def scatter(ax: Axes, label: str) -> np.ndarray:
    found = [c for c in ax.collections if c.get_label() == label]
    assert len(found) == 1, [c.get_label() for c in ax.collections]
    return np.asarray(found[0].get_offsets(), dtype=float)


# -- plot.journey ---------------------------------------------------------------------------------------------------


def test_journey_highs_and_lows_are_the_customers_not_a_scored_brand_reply() -> None:
    # J1 (journey.py: extremes(curve[~is_brand])): a brand reply scored 1.0 (score(..., agents=True)) is no high of the
    # customer's; the high is the customer's 0.5 at step 2
    ax = jm.plot.journey(one_journey([0.2, 0.5, -0.6, 1.0], actors=["customer", "customer", "customer", "agent"]))
    assert tuple(annotation(ax, "annotation-high").xy) == (2, 0.5)
    assert tuple(annotation(ax, "annotation-low").xy) == (3, -0.6)


def test_journey_a_tied_high_is_the_first_moment() -> None:
    # J8 (_stats.extremes: np.argmax, the first if tied): two moments at 0.8, the first (step 1) is called high
    ax = jm.plot.journey(one_journey([0.8, -0.7, 0.8, 0.1]))
    assert tuple(annotation(ax, "annotation-high").xy) == (1, 0.8)


def test_journey_end_ring_is_the_customers_last_scored_message() -> None:
    # J3 (felt.iloc[-1]) and J4 (felt: the customer's rows only): the ring "end" sits on the customer's last scored
    # message (step 3), not on their first, nor on the brand's scored reply after it (step 4)
    ax = jm.plot.journey(one_journey([0.2, 0.5, -0.6, 0.9], actors=["customer", "customer", "customer", "agent"]))
    assert scatter(ax, "end").tolist() == [[3.0, -0.6]]


def test_journey_a_scored_reply_beside_unscored_ones_is_named_once_in_the_legend() -> None:
    # J7 (_marks: label "_brand scored" where unscored replies are drawn too): "brand reply" once in the legend
    ax = jm.plot.journey(
        one_journey([0.2, 0.5, -0.6, 0.9, np.nan], actors=["customer", "customer", "customer", "agent", "agent"])
    )
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels.count("brand reply") == 1, labels
    assert scatter(ax, "brand reply").tolist() == [[5.0, -1.1]]  # the unscored reply, on the replies' lane


def test_journey_neighbouring_stage_bands_differ_in_shade() -> None:
    # J9 (_stage_bands: the shade by the band's count, not the parity of its first step): bands starting at steps
    # 1, 3 and 5 (all at even positions) alternate light, dark, light
    ax = jm.plot.journey(one_journey([0.2, 0.5, -0.6, 0.5, 0.1], stages=["a", "a", "b", "b", "c"]))
    shades = [mpl.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert shades == ["#f2f2f2", "#e0e0e0", "#f2f2f2"]


def test_journey_quote_is_cut_to_quote_chars() -> None:
    # J14 (_callout: the quote shortened to quote_chars): quote_chars=10 leaves no more than 10 characters of the text
    ax = jm.plot.journey(one_journey([0.2, 0.9, -0.8]), quote_chars=10)
    quote = annotation(ax, "annotation-high").get_text().replace("\n", " ")
    said = quote.split("“")[1].rstrip("”")
    assert len(said) <= 10 and said.startswith("messag"), quote


def test_journey_quote_at_the_last_step_is_right_aligned() -> None:
    # J13 (_callout: a quote at the last step ends at its point, ha="right", so it is not cut off at the plot's edge)
    ax = jm.plot.journey(one_journey([0.2, -0.6, 0.1, 0.9]))
    assert annotation(ax, "annotation-high").get_ha() == "right"
    assert annotation(ax, "annotation-low").get_ha() == "center"


# -- journeymap.testing.checks: each check catches the misbehaviour it is for ----------------------------------------


class Constant:
    """The smallest conforming scorer (sentiment taxonomy: four labels)."""

    id = "rv62.constant.v1"
    taxonomy = Taxonomy.sentiment()

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.full((len(texts), 4), 0.25, dtype=np.float32)


class Jitter(Constant):
    """Scores 0.25 + 0.01 on every other call: nondeterministic by 0.01, ten times the contract's 0.001."""

    def __init__(self, tolerance: object) -> None:
        self.tolerance = tolerance
        self.calls = 0

    def score(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return np.full((len(texts), 4), 0.25 + 0.01 * (self.calls % 2), dtype=np.float32)


def test_a_tolerance_of_true_is_no_declared_tolerance() -> None:
    # C2 (_tolerance: a bool is no number): tolerance=True read as 1 (capped at 0.05) let a 0.01 jitter pass
    with pytest.raises(checks.ScorerCheckError, match=r"scoring the same texts twice differs by up to 0\.01"):
        checks.check_deterministic(Jitter(True))
    checks.check_deterministic(Jitter(0.02))  # a real declared tolerance does widen it


class Negative(Constant):
    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = super().score(texts)
        out[:, 0] = -0.25
        return out


def test_negative_scores_are_outside_zero_to_one() -> None:
    # C3 (check_output_shape_dtype_range: inside.min() < 0): a score of -0.25 is no probability
    with pytest.raises(checks.ScorerCheckError, match=r"outside \[0, 1\] \(min -0.25, max 0.25\)"):
        checks.check_output_shape_dtype_range(Negative())


class NaNValenceTaxonomy(Taxonomy):
    def valence_of(self, scores: Any) -> np.ndarray:
        return np.full(len(scores), np.nan, dtype=np.float32)


class NaNValence(Constant):
    taxonomy = NaNValenceTaxonomy(name="nanval", labels=("a", "b", "c", "d"), valence={"a": 1, "b": -1, "c": 0, "d": 0})


def test_a_nan_valence_fails_the_valence_check() -> None:
    # C5 (check_valence_range: ~((v >= -1) & (v <= 1)), NaN outside too): finite scores whose valence is NaN fail
    with pytest.raises(checks.ScorerCheckError, match=r"valence outside \[-1, 1\] \(or NaN\) for 11 text"):
        checks.check_valence_range(NaNValence())


class Head:
    """A sentiment scorer with score_outputs that keeps its contract (label columns, then the outputs)."""

    id = "rv62.head.v1"
    taxonomy = Taxonomy.sentiment()
    outputs: tuple[str, ...] = ("sentiment_negative", "sentiment_neutral", "sentiment_positive", "irony")
    row: tuple[float, ...] = (0.1, 0.8, 0.0, 0.1, 0.7, 0.2, 0.1, 0.3)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return self.score_outputs(texts)[:, :4].copy()

    def score_outputs(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.float32(self.row), (len(texts), 1))


class Twice(Head):
    outputs = ("irony", "irony")
    row = (0.1, 0.8, 0.0, 0.1, 0.3, 0.3)


class SentimentNaN(Head):
    row = (0.1, 0.8, 0.0, 0.1, np.nan, 0.2, 0.1, 0.3)


class Unread(Head):
    outputs = ("irony", "unread_tokens")
    row = (0.1, 0.8, 0.0, 0.1, 0.3, 12.0)


class UnreadNegative(Unread):
    row = (0.1, 0.8, 0.0, 0.1, 0.3, -2.0)


class IronyNegative(Head):
    row = (0.1, 0.8, 0.0, 0.1, 0.7, 0.2, 0.1, -0.3)


class LabelsLast(Head):
    """score_outputs' label columns agree with score, its last four columns do not."""

    row = (0.1, 0.8, 0.0, 0.1, 0.7, 0.2, 0.1, 0.9)


def test_check_outputs_refuses_an_output_named_twice() -> None:
    # C6 (_outputs_names_problems: each output once): ("irony", "irony") is in OUTPUTS' order but not once each
    with pytest.raises(checks.ScorerCheckError, match="each once"):
        checks.check_outputs(Twice())


def test_check_outputs_a_nan_sentiment_is_no_sum_of_one() -> None:
    # C7 (the sums' NaN read as infinitely far from 1): a NaN sentiment output is reported as not summing to 1 too
    with pytest.raises(checks.ScorerCheckError) as info:
        checks.check_outputs(SentimentNaN())
    assert "the three sentiment outputs must sum to 1" in str(info.value)


def test_check_outputs_unread_tokens_is_a_count_not_a_probability() -> None:
    # C9 (unread_tokens left out of the [0, 1] probabilities) and C8 (0 or more): 12 unread tokens pass, -2 fail
    checks.check_outputs(Unread())
    checks.check_scorer(Unread())
    with pytest.raises(checks.ScorerCheckError, match="unread_tokens must be a whole number of tokens, 0 or more"):
        checks.check_outputs(UnreadNegative())


def test_check_outputs_a_negative_probability_fails() -> None:
    # C25 (_outputs_values_problems: the low end of [0, 1]): an irony of -0.3 is no probability
    with pytest.raises(checks.ScorerCheckError, match=r"probabilities outside \[0, 1\] \(min -0.3"):
        checks.check_outputs(IronyNegative())


def test_check_outputs_compares_the_first_columns_with_score() -> None:
    # C10 (values[:, :k], the label columns first): a conforming scorer whose last columns differ from its labels passes
    checks.check_outputs(LabelsLast())


class ShiftingWidth(Constant):
    """Four columns on one call, five on the next: no two calls can be compared."""

    calls = 0

    def score(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return np.full((len(texts), 4 + self.calls % 2), 0.25, dtype=np.float32)


def test_outputs_of_different_shapes_differ_infinitely() -> None:
    # C15 (_max_difference: arrays of different shapes differ by inf): two calls of different widths are not "the same"
    with pytest.raises(checks.ScorerCheckError, match="scoring the same texts twice differs by up to inf"):
        checks.check_deterministic(ShiftingWidth())


class LongAloneDiffers(Constant):
    """The longer of the two texts scored alone ("the worst service ...", position 5) gets another score."""

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = super().score(texts)
        if len(texts) == 1 and texts[0] == checks.ADVERSARIAL_TEXTS[5]:
            out[:] = 0.5
        return out


def test_both_texts_are_scored_alone() -> None:
    # C14 (_ALONE = (4, 5): a short and a longer text, each alone): a scorer that changes the longer one alone fails
    with pytest.raises(checks.ScorerCheckError, match="changes with the batch it is in"):
        checks.check_batch_invariance(LongAloneDiffers())


class LastRowLong(HashingEncoder):
    """Unit vectors, but the markup text (the last of ADVERSARIAL_TEXTS) gets length 3."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = super().encode(texts)
        if len(texts) == len(checks.ADVERSARIAL_TEXTS):
            out[-1] *= 3
        return out


def test_every_row_with_words_must_have_length_one() -> None:
    # C18 (check_encoder_output: the norms of every row with words, the last included)
    with pytest.raises(checks.EncoderCheckError, match="rows must have length 1"):
        checks.check_encoder_output(LastRowLong(dim=16))


class SurrogateIdEncoder(HashingEncoder):
    @property
    def id(self) -> str:
        return "rv62\ud800.v1"


def test_an_encoder_id_must_be_printable() -> None:
    # C19 (check_encoder_id_dim: isprintable): an id with a lone surrogate cannot name a cache file
    with pytest.raises(checks.EncoderCheckError, match="id must be printable text"):
        checks.check_encoder_id_dim(SurrogateIdEncoder(dim=8))


class NegativeEmoji(HashingEncoder):
    """Texts without words get a vector of -0.5s (not zero)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = super().encode(texts)
        out[np.linalg.norm(out, axis=1) == 0] = -0.5
        return out


def test_a_negative_vector_for_a_text_without_words_is_no_zero_vector() -> None:
    # C24 (check_encoder_no_words: the largest absolute value): a vector of -0.5s is not zero
    with pytest.raises(checks.EncoderCheckError, match="texts without words must get zero vectors"):
        checks.check_encoder_no_words(NegativeEmoji(dim=8))


class RenamedCopy(HashingEncoder):
    """Its unpickled copy takes another version (and so another id)."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.version = 99


class ForgetfulCopy(HashingEncoder):
    """Keeps its id, but its unpickled copy encodes with the buckets rolled (a salt not pickled)."""

    salt = 0

    def __init__(self, dim: int) -> None:
        super().__init__(dim)
        self.salt = 3

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "salt"}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.roll(super().encode(texts), self.salt, axis=1)


def test_the_pickled_copy_must_keep_its_id_and_its_vectors() -> None:
    # C20 (check_encoder_pickle: the copy's id) and C21 (the copy encodes the same, within the tolerance)
    with pytest.raises(checks.EncoderCheckError, match=r"the copy's id is 'testing\.hashing\.v99"):
        checks.check_encoder_pickle(RenamedCopy(dim=8))
    with pytest.raises(checks.EncoderCheckError, match="the unpickled copy encodes differently"):
        checks.check_encoder_pickle(ForgetfulCopy(dim=8))
    checks.check_encoder_pickle(HashingEncoder(dim=8))


# -- emotion_heatmap, emotion_mix and the tables behind them --------------------------------------------------------


def cells_js(cells: Sequence[tuple[str, str, Sequence[tuple[float, str]]]], *, hours: int = 1) -> jm.JourneySet:
    """Journeys of one customer message each: ``(stage, touchpoint, [(valence, emotion), ...])`` per cell, stages in order.

    A valence of NaN is a message left unscored. Messages are ``hours`` apart from 2024-01-01 (a Monday) 00:00 UTC.
    """
    rows = []
    for stage, touchpoint, messages in cells:
        for valence, emotion in messages:
            n = len(rows)
            rows.append(
                {
                    "event_id": str(n),
                    "customer_id": f"c{n}",
                    "timestamp": START + pd.Timedelta(hours=hours * n),
                    "actor": "customer",
                    "touchpoint": touchpoint,
                    "stage": stage,
                    "text": "some words",
                    "valence": valence,
                    "emotion": None if np.isnan(valence) else emotion,
                }
            )
    order = list(dict.fromkeys(stage for stage, _, _ in cells))
    return jm.build_journeys(pd.DataFrame(rows), by="customer", stages=StageModel.from_column("stage", order=order))


def test_emotion_heatmap_max_rows_keeps_the_busiest_in_stage_order() -> None:
    # H2 (_busiest_rows: np.sort of the busiest rows' positions): stages a, b, c of 10, 25 and 40 messages, two
    # rows kept: b then c, in the stages' order, not by volume (c, b)
    js = cells_js([("a", "t1", [(-0.5, "anger")] * 10), ("b", "t2", [(-0.5, "anger")] * 25), ("c", "t3", [(-0.5, "anger")] * 40)])
    ax = jm.plot.emotion_heatmap(js, level="stage", max_rows=2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b (n=25)", "c (n=40)"]


def mix_js() -> jm.JourneySet:
    # t2: 20 messages (19 anger, 1 joy: 5%); t1: 4 messages (3 anger, 1 joy), fewer than MIN_ROW_VOLUME (5)
    return cells_js([("a", "t2", [(-0.5, "anger")] * 19 + [(0.5, "joy")]), ("a", "t1", [(-0.5, "anger")] * 3 + [(0.5, "joy")])])


def test_emotion_mix_hatches_the_rows_of_fewer_than_five_messages_only() -> None:
    # H3 (emotion_mix: few = n < MIN_ROW_VOLUME): t1's four messages are hatched, t2's twenty are not; the first row on top
    # (H6: the y axis inverted, rows read top-down in the table's order)
    ax = jm.plot.emotion_mix(mix_js())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["t2 (n=20)", "t1 (n=4)"]
    assert ax.yaxis_inverted()
    hatched = {round(p.get_y() + p.get_height() / 2): p.get_hatch() for p in ax.patches if p.get_width() > 0}
    assert hatched == {0: None, 1: "////"}
    assert "row of fewer than 5\nmessages (hatched)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_emotion_mix_writes_no_percentage_on_a_sliver() -> None:
    # H5 (emotion_mix: a percentage only on a segment of 7% or more): t2's joy (5%) and the empty segments carry none
    ax = jm.plot.emotion_mix(mix_js())
    assert sorted(t.get_text() for t in ax.texts) == ["25%", "75%", "95%"]


def test_mix_order_puts_other_after_the_neutral_labels() -> None:
    # H4 (mix_order: "other" last among the labels of valence 0, whatever their frequency)
    from journeymap.plot._heatmap import mix_order

    assert mix_order(["other", "neutral", "joy", "anger"], {"joy": 0.8, "anger": -0.8}) == ["anger", "neutral", "other", "joy"]


def shares_js() -> jm.JourneySet:
    # t1: 8 messages, mean +0.125 (3 anger at -0.5, 5 joy at 0.5); t2: 8 messages, mean -0.35 (4 anger at -0.9, 4 at 0.2)
    return cells_js(
        [("a", "t1", [(-0.5, "anger")] * 3 + [(0.5, "joy")] * 5), ("a", "t2", [(-0.9, "anger")] * 4 + [(0.2, "neutral")] * 4)]
    )


def test_stage_shares_keeps_the_most_frequent_emotions_and_orders_ties_by_mean() -> None:
    # H7 (stage_shares: the top emotions are the most frequent: anger 7, joy 5, neutral 4) and H8 (touchpoints of equal
    # volume, the lower mean valence first: t2 at -0.35 before t1 at +0.125)
    from journeymap.plot._stats import stage_shares

    shares = stage_shares(shares_js(), top=1)
    assert list(shares.columns) == ["anger", "other"]
    assert list(shares.index) == ["t2", "t1"]


def test_journey_map_table_impact_counts_negativity_and_pain_points_are_negative() -> None:
    # S3 (impact: the sum of max(0, -valence), positives add nothing) and S1 (a pain point has a negative mean: t1, mean
    # +0.125 with 1.5 of negativity, is none even with room for three)
    from journeymap.plot._stats import journey_map_table

    table = journey_map_table(shares_js(), top_pains=3).set_index("touchpoint")
    assert table.loc["t1", "impact"] == pytest.approx(1.5)
    assert table.loc["t2", "impact"] == pytest.approx(3.6)
    assert table["pain_point"].to_dict() == {"t1": False, "t2": True}


def test_journey_map_table_orders_a_stages_cells_by_volume() -> None:
    # S2 (within a stage, the cells by volume, the largest first): t2 (10 messages) at x=0, t1 (6) at x=1
    from journeymap.plot._stats import journey_map_table

    js = cells_js([("a", "t1", [(-0.5, "anger")] * 6), ("a", "t2", [(0.5, "joy")] * 10), ("b", "t3", [(0.1, "joy")] * 5)])
    table = journey_map_table(js)
    assert table[["touchpoint", "x"]].values.tolist() == [["t2", 0], ["t1", 1], ["t3", 2]]


# -- journey_map ----------------------------------------------------------------------------------------------------


def map_js() -> jm.JourneySet:
    # stage a: t1 (10 messages at -0.8, the pain point) and t2 (6 at +0.6); stage b: t3 (20 at +0.2); t8 (a) and t9 (b):
    # customer messages none of which was scored (2 and 5)
    return cells_js(
        [
            ("a", "t1", [(-0.8, "anger")] * 10),
            ("a", "t2", [(0.6, "joy")] * 6),
            ("b", "t3", [(0.2, "joy")] * 20),
            ("a", "t8", [(np.nan, "")] * 2),
            ("b", "t9", [(np.nan, "")] * 5),
        ]
    )


def test_journey_map_stage_line_is_the_mean_of_every_cell_of_the_stage() -> None:
    # M3 (_stage_line: the stage's mean over all its cells, those max_columns leaves out included): stage a drawn with t1
    # only is still at (10 x -0.8 + 6 x 0.6) / 16 = -0.275, not t1's -0.8
    ax = jm.plot.journey_map(map_js(), max_columns=2)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["t1", "t3"]
    (line,) = [line for line in ax.lines if line.get_gid() == "stage-means"]
    assert np.asarray(line.get_ydata(), dtype=float) == pytest.approx([-0.275, -0.275, 0.2, 0.2])


def test_journey_map_legend_sizes_are_the_largest_and_the_median_cell() -> None:
    # M7 (the size legend: the largest cell's volume and the median's): cells of 10 and 20 messages: 15 and 20, not 10
    ax = jm.plot.journey_map(map_js(), max_columns=2)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "15 messages" in labels and "20 messages" in labels and "10 messages" not in labels


def test_journey_map_a_low_that_is_a_pain_point_gives_its_count_once() -> None:
    # M4 (_call_extremes: the low's n left to the pain point's label beneath it): "n=10" once, not twice
    ax = jm.plot.journey_map(map_js(), max_columns=2)
    texts = {t.get_gid(): t.get_text() for t in ax.texts if str(t.get_gid() or "").startswith("annotation")}
    assert texts["annotation-pain"] == "n=10"
    assert texts["annotation-low"] == "low -0.80"


def test_journey_map_title_names_the_unscored_cells_largest_first() -> None:
    # M6 (_unscored_note: the cells none of whose messages were scored, the largest first): t9's 5 before t8's 2
    title = " ".join(jm.plot.journey_map(map_js(), max_columns=2).get_title().split())
    assert title.endswith("not scored, not drawn: t9 (b) 5 messages, t8 (a) 2 messages"), title


def test_journey_map_names_no_interval_where_none_is_drawn() -> None:
    # M5 (the y label names the 95% interval only where a cell of MIN_VOLUME messages has one drawn)
    small = cells_js([("a", "t1", [(-0.8, "anger")] * 3), ("b", "t3", [(0.2, "joy")] * 2)])
    assert jm.plot.journey_map(small).get_ylabel() == "mean customer valence"
    assert jm.plot.journey_map(map_js()).get_ylabel() == "mean customer valence (95% interval)"


# -- time_patterns --------------------------------------------------------------------------------------------------


def hours_js() -> jm.JourneySet:
    # Monday 2024-01-01 (UTC): 10:00 three negative scored messages, 11:00 two, 12:00 two unscored ones
    rows = []
    for hour, valence, n in ((10, -0.5, 3), (11, -0.5, 2), (12, np.nan, 2)):
        for _ in range(n):
            k = len(rows)
            stamp = START + pd.Timedelta(hours=hour, minutes=k)
            rows.append(
                {"event_id": str(k), "customer_id": f"c{k}", "timestamp": stamp, "actor": "customer", "touchpoint": "t",
                 "text": "some words", "valence": valence}
            )  # fmt: skip
    return jm.build_journeys(pd.DataFrame(rows), by="customer")


def test_time_patterns_colours_an_hour_of_exactly_min_count_scored_messages() -> None:
    # T1 (few = scored < min_count): 10:00's three scored messages are coloured (100% negative), 11:00's two and 12:00's
    # unscored ones hatched; T2: the share's scale is 0-1 whatever the data
    ax = jm.plot.time_patterns(hours_js(), metric="share_negative", min_count=3, tz="UTC")
    grid = ax.images[0].get_array()
    assert not np.ma.getmaskarray(grid)[0, 10] and float(grid[0, 10]) == 1.0
    assert np.ma.getmaskarray(grid)[0, 11:13].all()
    assert [p.get_gid() for p in ax.patches] == ["few", "few"]
    assert ax.images[0].get_clim() == (0.0, 1.0)


def test_time_patterns_min_count_one_names_the_hours_of_no_scored_message() -> None:
    # T3 (with min_count=1 the hatched hours are those of no scored message: "no message scored", not "fewer than 1")
    ax = jm.plot.time_patterns(hours_js(), metric="mean_valence", min_count=1, tz="UTC")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no messages", "no message scored"]
    assert [p.get_gid() for p in ax.patches] == ["few"]


# -- graph and layered_layout ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stage_graph() -> Any:
    from journeymap.testing.data import planted_scores

    return jm.journey_graph(planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0))), level="stage")


def edges_drawn(ax: Axes) -> dict[str, Any]:
    from matplotlib.patches import FancyArrowPatch

    return {p.get_gid(): p for p in ax.patches if isinstance(p, FancyArrowPatch)}


def test_graph_min_share_reads_each_edges_share_of_its_source(stage_graph: Any) -> None:
    # G2 (graph: an edge is drawn where its probability, not its count, is min_share or more)
    G = stage_graph
    expected = {f"edge:{a}->{b}" for a, b, d in G.edges(data=True) if a != b and d["probability"] >= 0.3}
    assert 0 < len(expected) < sum(1 for a, b in G.edges if a != b)
    assert set(edges_drawn(jm.plot.graph(G, min_share=0.3))) == expected


def test_graph_edge_widths_are_scaled_to_the_busiest_edge_drawn_and_coloured_by_the_change(stage_graph: Any) -> None:
    # G4 (_width: 0.6 + 7 x count / the most of any edge drawn): the busiest edge is 7.6 points wide; G6 (an edge's colour
    # is its mean valence change on the valence scale, not its opposite)
    from journeymap.plot import _theme

    G = stage_graph
    drawn = edges_drawn(jm.plot.graph(G))
    busiest = max((d["count"], f"edge:{a}->{b}") for a, b, d in G.edges(data=True) if a != b)[1]
    assert drawn[busiest].get_linewidth() == pytest.approx(7.6)
    a, b, change = next(
        (a, b, d["mean_valence_change"]) for a, b, d in G.edges(data=True) if d.get("mean_valence_change", 0) > 0.2
    )
    expected = _theme.valence_cmap()(_theme.valence_norm()(change))
    assert np.allclose(drawn[f"edge:{a}->{b}"].get_edgecolor()[:3], expected[:3])


def test_graph_max_nodes_keeps_the_busiest(stage_graph: Any) -> None:
    # G3 (_busiest: the max_nodes nodes of the most volume, not the first in the graph's order)
    G = stage_graph
    inner = [n for n, d in G.nodes(data=True) if d.get("kind") not in ("start", "end")]
    busiest = set(sorted(inner, key=lambda n: -G.nodes[n]["volume"])[:2])
    assert busiest != set(inner[:2])
    ax = jm.plot.graph(G, max_nodes=2)
    labels = {t.get_gid().removeprefix("label:") for t in ax.texts if str(t.get_gid() or "").startswith("label:")}
    assert labels == busiest | {"__start__", "__end__"}


def test_graph_a_scored_node_is_not_labelled_not_scored(stage_graph: Any) -> None:
    # G5 (_node_looks: "not scored" only where a node has no valence; a scored node with some unscored messages keeps its
    # colour and name)
    G = stage_graph.copy()
    scored = next(n for n, d in G.nodes(data=True) if not np.isnan(d.get("mean_valence", np.nan)))
    G.nodes[scored]["n_unscored"] = 3
    ax = jm.plot.graph(G)
    label = next(t for t in ax.texts if t.get_gid() == f"label:{scored}")
    assert "not scored" not in label.get_text()


def test_layered_layout_puts_the_largest_node_of_a_column_in_the_middle() -> None:
    # G1 (layered_layout: by volume, the largest first, centre-out): in every column the largest node is at y=0
    from journeymap.testing.data import planted_scores

    G = jm.journey_graph(planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=0))), level="touchpoint")
    pos = jm.plot.layered_layout(G)
    columns: dict[float, list[Any]] = {}
    for node, (x, _) in pos.items():
        columns.setdefault(x, []).append(node)
    tall = [nodes for nodes in columns.values() if len(nodes) > 2]
    assert tall
    for nodes in tall:
        largest = max(nodes, key=lambda n: G.nodes[n].get("volume", 0))
        assert pos[largest][1] == 0.0


# -- trends and topic_trends ----------------------------------------------------------------------------------------


def weekly_js(plan: Sequence[tuple[int, str, float, int]]) -> jm.JourneySet:
    """``(week, topic, valence, messages)``: that many customer messages (each answered by an agent) in that week."""
    rows = []
    for week, topic, valence, n in plan:
        for _ in range(n):
            k = len(rows)
            stamp = START + pd.Timedelta(days=7 * week, minutes=k)
            common = {"customer_id": f"c{k}", "touchpoint": "t"}
            rows.append(
                {**common, "event_id": f"e{k}", "timestamp": stamp, "actor": "customer", "text": "some words", "valence": valence,
                 "topic": topic}
            )  # fmt: skip
            rows.append(
                {**common, "event_id": f"r{k}", "timestamp": stamp + pd.Timedelta(seconds=30), "actor": "agent", "text": "ok",
                 "valence": np.nan, "topic": None}
            )  # fmt: skip
    return jm.build_journeys(pd.DataFrame(rows), by="customer")


def faded(ax: Axes) -> list[list[float]]:
    return [list(np.asarray(line.get_xdata(), dtype=float)) for line in ax.lines if line.get_alpha() == pytest.approx(0.45)]


def test_trends_fades_a_period_of_fewer_than_min_count_scored_messages() -> None:
    # R1 (_measure_line: few = base < min_count): week 2 (two scored messages) is a faded point off the line, weeks of six
    # are on it
    js = weekly_js([(0, "app", -0.5, 6), (1, "app", -0.5, 6), (2, "app", -0.5, 2), (3, "app", -0.5, 6)])
    right = jm.plot.trends(js, freq="W", metric="mean_valence", min_count=3).right_ax
    (line,) = [line for line in right.lines if line.get_label() == "mean valence"]
    assert np.isnan(np.asarray(line.get_ydata(), dtype=float)[2])
    assert faded(right) == [[2.0]]


def test_topic_trends_fades_a_topics_thin_periods_and_says_when_two_lines_are_one() -> None:
    # R2 (_few_scored: scored < min_count): app's and billing's week 1 (two scored messages each) are faded points; R3
    # (a line drawn exactly over an earlier one is named "(same as ...)" in the legend)
    plan = [(w, t, -0.5, 2 if w == 1 else 6) for w in range(3) for t in ("billing", "app")]
    js = weekly_js([*plan, *((w, "late", 0.5, 4) for w in range(3))])
    ax = jm.plot.topic_trends(js, freq="W", metric="mean_valence", min_count=3)
    assert faded(ax) == [[1.0], [1.0]]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["app", "billing\n(same as app)", "late"]


def test_journey_of_max_ticks_steps_labels_every_step() -> None:
    # J5 (journey: every step labelled up to MAX_TICKS steps, "<=" not "<"): 30 steps get 30 ticks, 1 .. 30
    from journeymap.plot.journey import MAX_TICKS

    ax = jm.plot.journey(one_journey([0.1 * (n % 7) - 0.3 for n in range(MAX_TICKS)]))
    assert [int(x) for x in ax.get_xticks()] == list(range(1, MAX_TICKS + 1))


def test_journey_lane_of_unscored_replies_and_messages_is_named_not_scored() -> None:
    # J6 (the lane below -1: "not scored" where both unscored replies and unscored customer messages lie on it)
    ax = jm.plot.journey(one_journey([0.5, np.nan, -0.5, np.nan], actors=["customer", "customer", "customer", "agent"]))
    assert ax.get_yticklabels()[0].get_text() == "not scored"
    ax = jm.plot.journey(one_journey([0.5, -0.5, np.nan], actors=["customer", "customer", "agent"]))
    assert ax.get_yticklabels()[0].get_text() == "replies"


def test_journey_title_names_the_customer_unless_only_the_brand_wrote() -> None:
    # J11 (default_title: "brand broadcast" only where every message is the brand's; one agent reply does not make it so)
    ax = jm.plot.journey(one_journey([0.5, -0.5, np.nan], actors=["customer", "customer", "agent"]))
    assert ax.get_title() == "journey 0 (customer c1)"


def test_emotion_heatmap_names_at_most_four_unread_rows_and_counts_the_rest() -> None:
    # H10 (_unread_note: four rows named, "and N more"): six touchpoints none of whose messages was scored
    unread = [("a", f"u{i}", [(np.nan, "")] * (i + 1)) for i in range(6)]
    js = cells_js([("a", "t1", [(-0.5, "anger")] * 6), *unread])
    note = " ".join(jm.plot.emotion_heatmap(js).get_xlabel().split())
    assert note.startswith("left out, no message scored: u5 (6 not scored)"), note
    assert note.endswith("and 2 more"), note


# -- _theme ---------------------------------------------------------------------------------------------------------


def test_callout_tag_the_band_edges_are_neutral() -> None:
    # TH1, TH2 (callout_tag: "high" only above POSITIVE_VALENCE, "low" only below NEGATIVE_VALENCE): at the edges, grey
    from journeymap.plot._theme import NEUTRAL, callout_tag
    from journeymap.schema import NEGATIVE_VALENCE, POSITIVE_VALENCE

    assert callout_tag("high", POSITIVE_VALENCE) == ("highest (neutral)", NEUTRAL)
    assert callout_tag("low", NEGATIVE_VALENCE) == ("lowest (neutral)", NEUTRAL)
    assert callout_tag("high", POSITIVE_VALENCE + 0.01)[0] == "high"
    assert callout_tag("low", NEGATIVE_VALENCE - 0.01)[0] == "low"


def test_shorten_keeps_a_text_of_width_and_cuts_a_longer_one_to_width() -> None:
    # TH3 (shorten: a text of exactly width characters is kept whole) and TH4 (a longer one is cut to width, the
    # ellipsis included)
    from journeymap.plot._theme import shorten

    assert shorten("abcdefghij", 10) == "abcdefghij"
    assert shorten("abcdefghijk", 10) == "abcdefghi…"


# -- interactive ----------------------------------------------------------------------------------------------------


def test_interactive_quotes_are_the_customers_distinct_most_telling_ones() -> None:
    # I1 (_quotes: the most negative where the key's mean valence is below 0, else the most positive), I2 (each text once)
    # and I3 (the customer's scored messages only: a scored agent reply is no quote)
    from journeymap.plot.interactive import _quotes

    events = pd.DataFrame(
        {
            "actor": ["customer", "customer", "customer", "customer", "agent", "customer", "customer", "customer"],
            "text": ["awful", "meh", "fine", "awful", "sorry to hear", "great", "good", "bad"],
            "valence": [-0.9, -0.1, 0.5, -0.9, -1.0, 0.9, 0.2, -0.3],
        }
    )
    key = pd.Series(["neg"] * 5 + ["pos"] * 3)
    assert _quotes(events, key, 2) == {"neg": ["awful (-0.90)", "meh (-0.10)"], "pos": ["great (+0.90)", "good (+0.20)"]}
