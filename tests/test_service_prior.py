"""Customer messages to a brand are read with the customer-service prior (jm.score's ``prior``; planted scorer, no model)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.emotions.score import SERVICE_PRIOR, with_prior
from journeymap.emotions.taxonomy import Taxonomy

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

#: Planted sentiment readings (negative, neutral, positive) per text.
READINGS = {
    "never flying with you again": (0.39, 0.57, 0.04),  # the default model's reading, a miss
    "my flight is at 6pm": (0.05, 0.89, 0.06),
    "thank you so much, sorted in minutes!": (0.03, 0.06, 0.91),
    "we are sorry to hear that, please DM us": (0.30, 0.60, 0.10),
}


class Planted:
    """A sentiment scorer calibrated at general-tweet shares, as the default is."""

    id = "planted.sentiment.v1"
    outputs = ("sentiment_negative", "sentiment_neutral", "sentiment_positive")
    sentiment_prior = (0.32, 0.49, 0.19)

    def __init__(self) -> None:
        self.taxonomy = Taxonomy(
            name="planted", labels=("anger", "joy", "neutral"), valence={"anger": -1.0, "joy": 1.0, "neutral": 0.0}
        )

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self.score_outputs(texts)[:, :3]

    def score_outputs(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        sent = np.array([READINGS[t] for t in texts], dtype=np.float32)
        return np.hstack([sent, sent]).astype(np.float32)  # labels anger, neutral, joy follow the sentiment


def conversation(actor_of_reply: str = "agent") -> pd.DataFrame:
    texts = list(READINGS)
    return pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4"],
            "customer_id": "c",
            "timestamp": pd.date_range("2024-01-01", periods=4, freq="5min", tz="UTC"),
            "actor": ["customer", "customer", "customer", actor_of_reply],
            "text": texts,
        }
    )


def sentiments(frame: pd.DataFrame) -> list[object]:
    return frame["sentiment"].astype(object).where(frame["sentiment"].notna(), None).tolist()


def test_customer_messages_in_a_conversation_with_a_brand_read_with_the_service_prior() -> None:
    events = conversation()
    scored = jm.score(events, Planted(), cache=False, agents=True)
    # the complaint the general-tweet calibration called neutral is negative; the others keep their class
    assert sentiments(scored) == ["negative", "neutral", "positive", "neutral"]
    moved = with_prior(np.array([READINGS["never flying with you again"]], dtype=np.float32), Planted.sentiment_prior)[0]
    assert scored["valence"].iloc[0] == pytest.approx(moved[2] - moved[0], abs=1e-6)
    # the brand's own message is never moved
    assert scored["valence"].iloc[3] == pytest.approx(0.10 - 0.30, abs=1e-6)
    # without the prior (before): neutral
    plain = jm.score(events, Planted(), cache=False, agents=True, prior="none")
    assert sentiments(plain) == ["neutral", "neutral", "positive", "neutral"]
    assert scored["emo_anger"].equals(plain["emo_anger"])  # the label probabilities are the scorer's either way


def test_texts_of_one_side_keep_the_scorers_calibration() -> None:
    # a survey or reviews: no brand message in the data
    survey = conversation().iloc[:3]
    assert sentiments(jm.score(survey, Planted(), cache=False)) == ["neutral", "neutral", "positive"]
    texts = survey[["text"]]
    assert sentiments(jm.score(texts, Planted(), cache=False))[0] == "neutral"
    assert sentiments(jm.score(texts, Planted(), cache=False, prior="service"))[0] == "negative"


def test_a_journey_set_reads_the_same_and_a_scorer_without_a_calibration_is_not_moved() -> None:
    js = jm.build_journeys(conversation(), by="customer")
    assert sentiments(jm.score(js, Planted(), cache=False).events)[0] == "negative"

    class Unknown(Planted):
        sentiment_prior = None  # type: ignore[assignment]

    assert sentiments(jm.score(js, Unknown(), cache=False).events)[0] == "neutral"


def test_a_bad_prior_is_named() -> None:
    with pytest.raises(ValueError, match=r"prior must be one of 'auto', 'service', 'none', got 'tweets'"):
        jm.score(conversation(), Planted(), cache=False, prior="tweets")  # type: ignore[arg-type]


def test_the_shift_sums_to_one_never_makes_a_text_less_negative_and_keeps_their_order() -> None:
    rng = np.random.default_rng(0)
    sent = rng.dirichlet(np.ones(3), size=200).astype(np.float32)
    moved = with_prior(sent, (0.32, 0.49, 0.19))
    assert np.allclose(moved.sum(axis=1), 1.0, atol=1e-5)
    # the service prior weighs negative up (0.60 / 0.32) and the others down: no text is less negative
    assert SERVICE_PRIOR[0] / 0.32 > max(SERVICE_PRIOR[1] / 0.49, SERVICE_PRIOR[2] / 0.19)
    assert (moved[:, 0] >= sent[:, 0] - 1e-6).all()
    # and texts keep their order by the odds of negative against the rest of the pair
    odds = sent[:, 0] / sent[:, 1]
    assert (np.argsort(moved[:, 0] / moved[:, 1], kind="stable") == np.argsort(odds, kind="stable")).all()


def test_the_cluster_reads_customer_messages_as_one_machine_does() -> None:
    from journeymap.distributed import from_pandas
    from journeymap.distributed import score as dask_score

    frame = pd.concat([conversation(), conversation().assign(event_id=lambda d: d["event_id"] + "b", customer_id="d")])
    log = jm.read_events(frame.reset_index(drop=True))
    local = jm.score(log.events, Planted(), cache=False, agents=True)
    remote = dask_score(from_pandas(log, npartitions=2).events, Planted(), cache=False, agents=True).compute()
    assert sentiments(remote) == sentiments(local) == ["negative", "neutral", "positive", "neutral"] * 2
    assert np.allclose(remote["valence"].to_numpy(), local["valence"].to_numpy())
    plain = dask_score(from_pandas(log, npartitions=2).events, Planted(), cache=False, prior="none").compute()
    assert sentiments(plain) == sentiments(jm.score(log.events, Planted(), cache=False, prior="none"))
    assert sentiments(plain)[0] == "neutral"


def test_evaluation_measures_either_reading() -> None:
    from journeymap.emotions.evaluate_labelled import evaluate_labelled

    table = pd.DataFrame({"text": list(READINGS)[:3], "label": ["negative", "neutral", "positive"]})
    plain = evaluate_labelled(table, scorer=Planted())
    service = evaluate_labelled(table, scorer=Planted(), prior="service")
    assert (plain["accuracy"], service["accuracy"]) == (pytest.approx(2 / 3), 1.0)
    assert service["level"].endswith("for customer messages to a brand")
    with pytest.raises(ValueError, match="prior must be 'none' or 'service'"):
        evaluate_labelled(table, scorer=Planted(), prior="auto")


@pytest.mark.parametrize("shares", [(0.5, 0.5, 0.0), (0.5, 0.5), "abc", (float("nan"), 0.5, 0.5)])
def test_a_malformed_calibration_is_named(shares: object) -> None:
    # a code review: (0.5, 0.5, 0.0) gave NaN valence and "positive" everywhere, (0.5, 0.5) numpy's broadcast error
    class Odd(Planted):
        sentiment_prior = shares  # type: ignore[assignment]

    with pytest.raises(ValueError, match=r"scorer 'planted.sentiment.v1': sentiment_prior must be three positive"):
        jm.score(conversation(), Odd(), cache=False)
