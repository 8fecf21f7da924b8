"""Findings of a ground-truth review of the journey statistics (2026-12-05): hand-made scores, drop-off, recovery tests, seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores


def hand_made(valence: list[float | None], sentiment: list[str | None] | None = None, **extra: object) -> jm.JourneySet:
    """One customer's journey (customer, agent, customer, ...) with a valence column of the user's own, no labels."""
    n = len(valence)
    frame = pd.DataFrame(
        {
            "event_id": [str(i + 1) for i in range(n)],
            "customer_id": "a",
            "timestamp": pd.date_range("2024-01-01", periods=n, freq="10min", tz="UTC"),
            "actor": ["customer" if i % 2 == 0 else "agent" for i in range(n)],
            "text": [f"message {i}" for i in range(n)],
            "valence": valence,
            **extra,
        }
    )
    if sentiment is not None:
        frame["sentiment"] = sentiment
    return jm.build_journeys(frame, by="customer")


# -- scores the analytics cannot read are errors, not neutral messages -----------------------------
@pytest.mark.parametrize("analysis", [jm.journey_metrics, jm.touchpoint_summary, jm.pain_points, jm.triage, jm.journey_variants])
def test_sentiment_labels_other_than_the_three_are_an_error_naming_them(analysis: object) -> None:
    # before: every negative and positive was read as neutral (n_negative 0, share_negative 0, no recovery)
    js = hand_made([-0.8, None, 0.8], ["Negative", None, "POS"])
    says = r"'sentiment' column holds 'Negative' \(1 row, the first row 0, event_id '1'\), 'POS'"
    with pytest.raises(jm.SchemaError, match=says):
        analysis(js)  # type: ignore[operator]


def test_the_three_labels_and_missing_ones_are_read() -> None:
    js = hand_made([-0.8, None, 0.8], ["negative", None, "positive"])
    m = jm.journey_metrics(js).iloc[0]
    assert (m["n_negative"], m["end_sentiment"], m["recovered"]) == (1, "positive", True)


@pytest.mark.parametrize("analysis", [jm.journey_metrics, jm.touchpoint_summary, jm.pain_points, jm.triage])
def test_a_valence_outside_minus_one_to_one_is_an_error_naming_the_row(analysis: object) -> None:
    # before: star ratings read as valence gave a mean of 2.875 with an interval of (0.25, 1.0)
    js = hand_made([2.0, None, 5.0])
    with pytest.raises(jm.SchemaError, match=r"'valence' column must lie in \[-1, 1\].*2 row\(s\).*row 0, event_id '1': 2\.0"):
        analysis(js)  # type: ignore[operator]
    with pytest.raises(jm.SchemaError, match=r"row 2, event_id '3': inf"):
        jm.journey_metrics(hand_made([0.5, None, np.inf]))


def test_a_float32_rounding_past_one_is_no_error(tmp_path: object) -> None:
    js = hand_made([-1.0000001, None, 1.0000001])
    assert jm.journey_metrics(js).iloc[0]["n_negative"] == 1
    # nor for a journey drawn or iterated (a code review: EmotionScore refused it)
    journey = js[js.journey_ids[0]]
    assert [i.emotion.valence for i in journey.interactions if i.emotion is not None] == [-1.0, 1.0]
    jm.report(js, f"{tmp_path}/report.html")
    with pytest.raises(jm.SchemaError, match=r"'valence' column must lie in \[-1, 1\]; event_id '3' has 3\.0"):
        hand_made([0.5, None, 3.0])[js.journey_ids[0]]


# -- drop-off agrees with recovery -----------------------------------------------------------------
def test_an_unscored_message_after_a_positive_end_is_no_drop_off() -> None:
    # negative, reply, "sorted, thank you!", then an unscored thumbs-up: recovered, so not dropped
    frame = hand_made([-0.8, None, 0.8]).events
    extra = frame.iloc[[2]].assign(event_id="4", timestamp=frame["timestamp"].iloc[2] + pd.Timedelta(minutes=5))
    events = pd.concat([frame, extra], ignore_index=True).drop(columns=["journey_id", "step", "stage"])
    events.loc[3, "valence"] = np.nan
    js = jm.build_journeys(events, by="customer")
    assert bool(jm.journey_metrics(js).iloc[0]["recovered"])
    variants = jm.journey_variants(js)
    assert variants["recovery_rate"].tolist() == [1.0]
    assert variants["drop_off"].tolist() == [0.0]  # before: 1.0, recovered and dropped at once


def test_an_unscored_message_after_the_last_reply_is_still_a_drop_off() -> None:
    # positive, reply, unscored: nothing known after the reply, and no reply to it
    assert jm.journey_variants(hand_made([0.8, None, None]))["drop_off"].tolist() == [1.0]
    # negative, reply, negative: unresolved
    assert jm.journey_variants(hand_made([-0.8, None, -0.6]))["drop_off"].tolist() == [1.0]
    # positive, no reply at all (the customer only praised): not left unresolved
    assert jm.journey_variants(hand_made([0.8]))["drop_off"].tolist() == [0.0]


# -- a valence of the user's own draws one journey, and the report ---------------------------------
def test_a_valence_without_labels_draws_a_journey_and_the_report(tmp_path: object) -> None:
    js = hand_made([-0.8, None, 0.8])
    journey = js[js.journey_ids[0]]
    readings = [i.emotion for i in journey.interactions]
    assert readings[1] is None
    assert readings[0] is not None and readings[0].valence == pytest.approx(-0.8) and readings[0].emotion is None
    ax = jm.plot.journey(journey)  # before: SchemaError, "no message of journey '1' is scored"
    tags = [t.get_text() for t in ax.texts if t.get_gid() in {"annotation-high", "annotation-low"}]
    assert tags == ["high: “message 2”", "low: “message 0”"]
    path = jm.report(js, f"{tmp_path}/report.html")  # before: the same SchemaError
    assert "<figcaption>Journey 1 of customer " in path.read_text(encoding="utf-8")  # the caption says what it shows


def test_an_emotion_score_without_a_label_is_valid() -> None:
    score = jm.EmotionScore(scorer="mine", scores={}, valence=0.4)
    assert score.emotion is None
    with pytest.raises(ValueError, match="not one of the scored labels"):
        jm.EmotionScore(scorer="mine", scores={"joy": 1.0}, emotion="anger", valence=0.4)


# -- compare_segments tests recovery among the journeys that could recover -------------------------
def test_recovered_is_compared_over_journeys_with_a_negative_moment() -> None:
    frames = []
    plan = [("A", [-0.8, None, 0.8])] * 3 + [("A", [0.6, None, 0.7])] * 5 + [("B", [-0.8, None, -0.7])] * 3
    for n, (tier, valence) in enumerate(plan):
        frame = hand_made(valence, tier=tier).events.drop(columns=["journey_id", "step", "stage"])
        frames.append(frame.assign(customer_id=f"c{n}", event_id=frame["event_id"] + f"-{n}"))
    js = jm.build_journeys(pd.concat(frames, ignore_index=True), by="customer")
    seg = jm.compare_segments(js, "tier", measure="recovered", min_size=1)
    assert seg.loc["A", "recovery_rate"] == 1.0 and seg.loc["B", "recovery_rate"] == 0.0
    # among the journeys that went negative, A recovered always and B never (before: 3 of A's 8 journeys, 0.375)
    assert seg.loc["A", "diff_vs_rest"] == pytest.approx(1.0)
    assert seg.loc["B", "diff_vs_rest"] == pytest.approx(-1.0)


# -- seeds -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("seed", "error", "says"), [("x", TypeError, "whole number"), (-1, ValueError, "non-negative"), (1.5, TypeError, "float")]
)
def test_a_bad_seed_is_named_whatever_the_data(seed: object, error: type[Exception], says: str) -> None:
    # before: numpy's own message, and only where some group was resampled
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(10, seed=0)))
    for analysis in (jm.touchpoint_summary, jm.pain_points, jm.journey_graph):
        with pytest.raises(error, match=f"seed must be .*{says}"):
            analysis(js, seed=seed)  # type: ignore[operator]
