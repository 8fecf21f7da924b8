"""Topics: the fixes of the fourteenth review (scikit-learn conventions of ``TopicModel`` and ``AutoKMeans``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.testing import HashingEncoder
from journeymap.topics import OTHER, TopicModel

from .test_topics_review import planted


def model(**kwargs: object) -> TopicModel:
    """A topic model on the cheap hashing encoder, without the embedding cache."""
    return TopicModel(encoder=HashingEncoder(), cache=False, **kwargs)  # type: ignore[arg-type]


# -- 9. every missing value is a text without words ----------------------------------------------
@pytest.mark.parametrize("missing", [np.float32("nan"), np.float16("nan"), pd.NaT, np.datetime64("NaT"), None, pd.NA])
def test_every_missing_value_is_a_text_without_words(missing: object) -> None:
    tm = model(labels=["card", "refund"]).fit(["my card", "a refund", "card late", "refund now"])
    out = tm.assign(["card please", missing])
    assert out["topic"].tolist() == ["card", OTHER]
    assert np.isnan(out["topic_score"].iloc[1])


# -- 7. seed is checked, and named ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("seed", "error"),
    [
        ("abc", ArgumentTypeError),
        (1.5, ArgumentTypeError),
        (True, ArgumentTypeError),
        (np.random.RandomState(0), ArgumentTypeError),
        (-1, InvalidArgumentError),
        (2**32, InvalidArgumentError),
        (2**40, InvalidArgumentError),
    ],
)
@pytest.mark.parametrize(
    "mode", [{}, {"labels": ["card", "refund"]}, {"examples": {"card": ["my card"], "refund": ["a refund"]}}]
)
def test_a_bad_seed_is_refused_in_every_mode(seed: object, error: type[Exception], mode: dict[str, object]) -> None:
    texts, _ = planted(4)
    with pytest.raises(error, match=r"^seed must be None or a whole number from 0 to 2\*\*32 - 1"):
        model(seed=seed, **mode).fit(texts)


@pytest.mark.parametrize("seed", [None, 0, np.int64(7), 2**32 - 1])
def test_every_seed_in_numpys_range_fits(seed: object) -> None:
    texts, _ = planted(10)
    assert model(seed=seed).fit(texts).topics_
