"""A tiny sentence encoder for tests and doctests: hashed bag of words, no model to load."""

from __future__ import annotations

import re
import zlib
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

__all__ = ["HashingEncoder"]

_WORD = re.compile(r"\w+")


class HashingEncoder:
    """Each lower-cased word hashed (CRC-32) to one of ``dim`` signed buckets; rows L2-normalised.

    Texts sharing words get similar vectors, texts without words a zero vector. It counts its
    calls and the texts it encoded (``calls``, ``n_encoded``), which tests of caching read.

    Examples:
        >>> enc = HashingEncoder(dim=64)
        >>> v = enc.encode(["card arrived", "card arrived", "🙂"])
        >>> v.shape, round(float(v[0] @ v[1]), 6), float(abs(v[2]).sum()), enc.n_encoded
        ((3, 64), 1.0, 0.0, 3)
    """

    def __init__(self, dim: int = 256, *, version: int = 1) -> None:
        self._dim = int(dim)
        self.version = version
        self.calls = 0
        self.n_encoded = 0

    @property
    def id(self) -> str:
        """``testing.hashing.v<version>(dim=<dim>)``."""
        return f"testing.hashing.v{self.version}(dim={self._dim})"

    @property
    def dim(self) -> int:
        """The number of buckets."""
        return self._dim

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit vectors ``(len(texts), dim)``; zero rows for texts without words."""
        from journeymap.emotions._batching import text_list

        texts = text_list(texts)
        self.calls += 1
        self.n_encoded += len(texts)
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(str(text).lower()):
                h = zlib.crc32(word.encode("utf-8", "surrogatepass"))
                out[row, h % self._dim] += 1.0 if (h >> 16) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        unit: npt.NDArray[np.float32] = np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)
        return unit
