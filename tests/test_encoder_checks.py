"""The encoder conformance suite: named checks, one error listing every failure, pytest cases per check."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from journeymap import JourneyMapError
from journeymap.testing import (
    EncoderCheckError,
    HashingEncoder,
    check_encoder,
    encoder_checks,
    parametrize_with_encoder_checks,
)
from journeymap.testing.checks import (
    ADVERSARIAL_TEXTS,
    check_encoder_batch_invariance,
    check_encoder_deterministic,
    check_encoder_empty_batch,
    check_encoder_id_dim,
    check_encoder_input_unchanged,
    check_encoder_no_words,
    check_encoder_output,
    check_encoder_pickle,
    check_encoder_protocol,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


class Unnormalised(HashingEncoder):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return super().encode(texts) * 3


class EmojiVector(HashingEncoder):
    """Gives every text a vector, those without words too."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = super().encode(texts)
        out[np.linalg.norm(out, axis=1) == 0, 0] = 1.0
        return out


class Float64(HashingEncoder):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return super().encode(texts).astype(np.float64)


class WrongWidth(HashingEncoder):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return super().encode(texts)[:, :-1]


class FlatEmpty(HashingEncoder):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return super().encode(texts) if texts else np.zeros(0, dtype=np.float32)


class Centred(HashingEncoder):
    """Subtracts the batch mean: a text's vector depends on its batch."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        x = super().encode(texts)
        words = np.linalg.norm(x, axis=1) > 0
        x[words] -= x[words].mean(axis=0)
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


class Drifting(HashingEncoder):
    """Each call rotates the buckets: the same text differs between calls."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.roll(super().encode(texts), self.calls, axis=1)


class Sorts(HashingEncoder):
    def encode(self, texts: list[str]) -> np.ndarray:  # type: ignore[override]
        texts.sort()
        return super().encode(texts)


class Crashes(HashingEncoder):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        for t in texts:
            t.encode("utf-8")  # lone surrogates
        return super().encode(texts)


class Unpicklable(HashingEncoder):
    def __reduce__(self) -> Any:
        msg = "holds a live connection"
        raise TypeError(msg)


class NoDim:
    id = "nodim.v1"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.zeros((len(texts), 4), dtype=np.float32)


@parametrize_with_encoder_checks([HashingEncoder(), HashingEncoder(dim=16)])
def test_conforming_encoders(encoder: Any, check: Callable[[Any], None]) -> None:
    check(encoder)


def test_the_hashing_encoder_passes_the_whole_suite() -> None:
    check_encoder(HashingEncoder(dim=64))


@pytest.mark.parametrize(
    ("encoder", "check", "message"),
    [
        (NoDim(), check_encoder_protocol, "it has no dim"),
        (NoDim(), check_encoder_id_dim, "reading id or dim raised AttributeError"),
        (Unnormalised(), check_encoder_output, "rows must have length 1"),
        (Float64(), check_encoder_output, "encode must return float32, got float64"),
        (WrongWidth(), check_encoder_output, "expected (11, 256)"),
        (Crashes(), check_encoder_output, "encode(ADVERSARIAL_TEXTS) raised UnicodeEncodeError"),
        (EmojiVector(), check_encoder_no_words, "texts without words must get zero vectors"),
        (FlatEmpty(), check_encoder_empty_batch, "encode([]) must have shape (0, 256), got (0,)"),
        (Centred(), check_encoder_batch_invariance, "changes with the batch it is in"),
        (Drifting(), check_encoder_deterministic, "encoding the same texts twice differs"),
        (Sorts(), check_encoder_input_unchanged, "encode changed the list of texts"),
        (Unpicklable(), check_encoder_pickle, "pickling raised TypeError: holds a live connection"),
    ],
)
def test_each_check_catches_its_broken_promise(encoder: Any, check: Callable[[Any], None], message: str) -> None:
    with pytest.raises(EncoderCheckError) as info:
        check(encoder)
    assert message in str(info.value)
    assert info.value.failures[0][0] == check.__name__


def test_every_failure_is_reported_in_one_error() -> None:
    class Everything(Sorts, Float64):
        pass

    with pytest.raises(EncoderCheckError) as info:
        check_encoder(Everything())
    err = info.value
    assert isinstance(err, AssertionError) and isinstance(err, JourneyMapError)
    failed = [name for name, _ in err.failures]
    # sorting the batch in place also moves each text's vector to another row
    assert failed == [
        "check_encoder_output",
        "check_encoder_batch_invariance",
        "check_encoder_input_unchanged",
        "check_encoder_pickle",
    ]
    assert str(err).startswith("Everything (id 'testing.hashing.v1(dim=256)') fails 4 encoder checks:")
    again = pickle.loads(pickle.dumps(err))
    assert again.failures == err.failures and again.encoder == err.encoder


def test_encoder_checks_and_parametrize_name_each_case() -> None:
    names = [name for name, _ in encoder_checks(HashingEncoder())]
    assert names[0] == "check_encoder_protocol" and "check_encoder_pickle" in names
    mark = parametrize_with_encoder_checks([HashingEncoder()])
    assert mark.args[0] == ("encoder", "check")
    assert [case.id for case in mark.args[1]] == [f"HashingEncoder-{n}" for n in names]


def test_adversarial_texts_include_the_texts_without_words() -> None:
    assert ADVERSARIAL_TEXTS[:4] == ("", " ", "😡😡😡", "!!!???")


@pytest.mark.slow  # loads MiniLM: 10 to 40 s on 2 shared cores
def test_the_default_encoder_conforms() -> None:
    from journeymap.topics import MiniLMEncoder

    check_encoder(MiniLMEncoder())
