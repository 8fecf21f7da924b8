"""Cached embedding: each distinct text is encoded once per encoder id, ever.

Vectors live in the score cache (:class:`~journeymap.emotions.cache.ScoreCache`, SQLite keyed by
(model id, SHA-256 of the text)) under the encoder's id, so one embedding pass serves every
later topic model, in this process or the next, on the same texts.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from journeymap._flags import check_flag
from journeymap.emotions._batching import text_list
from journeymap.emotions.cache import CacheOption, cached_rows, open_cache
from journeymap.exceptions import TextsFailedError
from journeymap.topics.encoders import SentenceEncoder, get_encoder

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    import numpy.typing as npt


logger = logging.getLogger(__name__)

#: Texts per call to the encoder: the unit of progress and of cache writes.
CHUNK = 4096


def _checked(encoder: SentenceEncoder, vecs: object, n: int) -> npt.NDArray[np.float32]:
    arr = np.asarray(vecs, dtype=np.float32)
    if arr.shape != (n, encoder.dim):
        msg = f"encoder {encoder.id!r} returned shape {arr.shape} for {n} texts; expected {(n, encoder.dim)}"
        raise TextsFailedError(msg)
    if not np.isfinite(arr).all():
        msg = f"encoder {encoder.id!r} returned non-finite values"
        raise TextsFailedError(msg)
    return arr


def embed(
    texts: Sequence[str],
    encoder: SentenceEncoder | str | os.PathLike[str],
    *,
    cache: CacheOption = True,
    progress: bool | None = None,
) -> npt.NDArray[np.float32]:
    """Vectors of ``texts`` (shape ``(n, encoder.dim)``), from the cache where present.

    Duplicates are encoded once; what is encoded is written to the cache chunk by chunk (an
    interrupted run keeps what it did). The distinct texts are encoded in sorted order, so each
    meets the same batch whatever the order of ``texts``: reduced-precision encoders (bfloat16)
    round a text slightly differently in different batches, and the vectors, hence the topics,
    would otherwise depend on the row order.

    Args:
        texts: the texts, any sequence (a pandas Series is read by position; one string is refused).
        encoder: a :class:`~journeymap.topics.SentenceEncoder` (``get_encoder("default")``), or
            what :func:`~journeymap.topics.get_encoder` takes (a name, a hub id, a model folder).
        cache: True for the persistent cache in the user cache directory, a path for a cache
            file of your own, False for none (as :func:`journeymap.score` takes it).
        progress: show a progress bar (default: when there is more than one chunk of texts).

    Examples:
        >>> from journeymap.testing import HashingEncoder
        >>> vectors = embed(["my card", "a refund", "my card"], HashingEncoder(), cache=False)
        >>> vectors.shape, bool((vectors[0] == vectors[2]).all())
        ((3, 256), True)
    """
    progress = check_flag(progress, "progress", none=True)
    if not isinstance(encoder, SentenceEncoder):
        encoder = get_encoder(encoder)
    texts = text_list(texts)
    uniq = sorted(set(texts), key=lambda t: (not isinstance(t, str), str(t)))  # non-text values (None) last
    position = {t: i for i, t in enumerate(uniq)}
    codes = np.fromiter((position[t] for t in texts), dtype=np.int64, count=len(texts))
    dim = int(encoder.dim)
    store = open_cache(cache)
    n_text = sum(isinstance(t, str) for t in uniq)  # the texts come first in uniq
    vecs = cached_rows(
        uniq[:n_text],
        encoder.id,
        dim,
        lambda batch: _checked(encoder, encoder.encode(batch), len(batch)),
        cache=store,
        progress=progress,
        what="embedding",
        chunk=CHUNK,
    )
    if n_text < len(uniq):  # missing values (None, NaN) have no text to key the cache by: the encoder reads them as it does
        rest = uniq[n_text:]
        vecs = np.concatenate([vecs, _checked(encoder, encoder.encode(rest), len(rest))])
    return vecs[codes] if len(codes) else np.zeros((0, dim), dtype=np.float32)
