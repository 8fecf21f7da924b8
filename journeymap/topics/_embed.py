"""Cached embedding: each distinct text is encoded once per encoder id, ever.

Vectors live in the score cache (:class:`~journeymap.emotions.cache.ScoreCache`, SQLite keyed by
(model id, SHA-256 of the text)) under the encoder's id, so one embedding pass serves every
later topic model, in this process or the next, on the same texts.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from journeymap.emotions.cache import ScoreCache
from journeymap.exceptions import JourneyMapError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

    from journeymap.topics.encoders import SentenceEncoder

logger = logging.getLogger(__name__)

#: Texts per call to the encoder: the unit of progress and of cache writes.
CHUNK = 4096

CacheOption = bool | str | Path | ScoreCache | None


def open_cache(cache: CacheOption) -> ScoreCache | None:
    """The cache that ``cache=`` names: True (the user cache), False/None (none), a path or a cache."""
    if cache is True:
        return ScoreCache()
    if cache is False or cache is None:
        return None
    if isinstance(cache, ScoreCache):
        return cache
    return ScoreCache(Path(cache))


def _checked(encoder: SentenceEncoder, vecs: object, n: int) -> npt.NDArray[np.float32]:
    arr = np.asarray(vecs, dtype=np.float32)
    if arr.shape != (n, encoder.dim):
        msg = f"encoder {encoder.id!r} returned shape {arr.shape} for {n} texts; expected {(n, encoder.dim)}"
        raise JourneyMapError(msg)
    if not np.isfinite(arr).all():
        msg = f"encoder {encoder.id!r} returned non-finite values"
        raise JourneyMapError(msg)
    return arr


def embed(
    texts: Sequence[str],
    encoder: SentenceEncoder,
    *,
    cache: CacheOption = True,
    progress: bool | None = None,
) -> npt.NDArray[np.float32]:
    """Vectors of ``texts`` (shape ``(n, encoder.dim)``), from the cache where present.

    Duplicates are encoded once; what is encoded is written to the cache chunk by chunk (an
    interrupted run keeps what it did).
    """
    from tqdm.auto import tqdm

    position: dict[str, int] = {}
    codes = np.fromiter((position.setdefault(t, len(position)) for t in texts), dtype=np.int64, count=len(texts))
    uniq = list(position)
    dim = int(encoder.dim)
    store = open_cache(cache)
    if store is not None and uniq:
        vecs, found = store.get(encoder.id, uniq, n_labels=dim)
    else:
        vecs, found = np.full((len(uniq), dim), np.nan, dtype=np.float32), np.zeros(len(uniq), dtype=bool)
    todo = np.flatnonzero(~found)
    if len(todo):
        logger.info("encoding %d texts with %s (%d from the cache)", len(todo), encoder.id, int(found.sum()))
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    show = progress if progress is not None else len(chunks) > 1
    with tqdm(total=len(todo), desc=f"embedding ({encoder.id})", unit="text", disable=not show) as bar:
        for chunk in chunks:
            batch = [uniq[i] for i in chunk]
            vecs[chunk] = _checked(encoder, encoder.encode(batch), len(batch))
            if store is not None:
                store.put(encoder.id, batch, vecs[chunk])
            bar.update(len(chunk))
    return vecs[codes] if len(codes) else np.zeros((0, dim), dtype=np.float32)
