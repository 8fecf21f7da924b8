"""Topics: the fixes of the fourteenth review (scikit-learn conventions of ``TopicModel`` and ``AutoKMeans``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError
from journeymap.testing import HashingEncoder
from journeymap.topics import OTHER, TopicInputError, TopicModel

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


# -- 6. a failed fit leaves the model as it was ---------------------------------------------------
def test_a_failed_fit_leaves_an_unfitted_model_unfitted() -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    tm = model(n_topics=5)
    with pytest.raises(TopicInputError, match="n_topics=5 is more than the 3 distinct texts"):
        tm.fit(["card late", "refund please", "app crash", "card late"])
    with pytest.raises(NotFittedError):
        check_is_fitted(tm)
    assert not [a for a in vars(tm) if a.endswith("_")]


def test_a_failed_refit_keeps_the_previous_fit() -> None:
    texts, _ = planted(10)
    tm = model(n_topics=3).fit(texts)
    before = (list(tm.topics_), tm.predict(texts), sorted(vars(tm)))
    with pytest.raises(TopicInputError, match="n_topics=3 is more than the 2 distinct texts"):
        tm.fit(["card late", "refund please", "card late"])
    assert (list(tm.topics_), sorted(vars(tm))) == (before[0], before[2])
    np.testing.assert_array_equal(tm.predict(texts), before[1])
