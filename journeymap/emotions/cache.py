"""A persistent score cache: SQLite (standard library), keyed by (scorer id, text hash).

By default the cache lives in the user cache directory (``platformdirs.user_cache_dir
("journeymap")/scores.sqlite``); the environment variable ``JOURNEYMAP_CACHE_DIR`` moves it, and
``score(..., cache=False)`` turns it off. Scores are stored as float32 bytes; the text itself is
not stored, only its SHA-256.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import numpy.typing as npt

__all__ = ["ScoreCache", "default_cache_path", "scorer_key", "text_hash"]


def default_cache_path() -> Path:
    """Where the cache lives unless told otherwise."""
    env = os.environ.get("JOURNEYMAP_CACHE_DIR")
    if env:
        return Path(env) / "scores.sqlite"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("journeymap")) / "scores.sqlite"


def text_hash(text: str) -> bytes:
    r"""SHA-256 of the UTF-8 text (the cache key beside the scorer id); lone surrogates are hashed too.

    Example:
        >>> text_hash("a\ud800") != text_hash("a") and len(text_hash("a\ud800")) == 32
        True
    """
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def scorer_key(scorer: str) -> str | bytes:
    r"""The scorer id as stored: the text itself, or its bytes when it holds lone surrogates.

    SQLite stores text as UTF-8, which cannot hold a lone surrogate; such an id is stored as a
    BLOB, which never equals a text id, so no two ids share cached rows.

    Example:
        >>> scorer_key("demo.v1"), scorer_key("demo\ud800")
        ('demo.v1', b'demo\xed\xa0\x80')
    """
    try:
        scorer.encode("utf-8")
    except UnicodeEncodeError:
        return scorer.encode("utf-8", "surrogatepass")
    return scorer


class ScoreCache:
    """Score rows cached per scorer id and text.

    Example:
        >>> import numpy as np, tempfile, pathlib
        >>> cache = ScoreCache(pathlib.Path(tempfile.mkdtemp()) / "c.sqlite")
        >>> cache.put("demo.v1", ["hi"], np.array([[0.5, 0.5]], dtype=np.float32))
        >>> cache.get("demo.v1", ["hi", "unseen"], n_labels=2)[0].tolist()
        [[0.5, 0.5], [nan, nan]]
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS scores (scorer TEXT NOT NULL, hash BLOB NOT NULL, "
                "scores BLOB NOT NULL, PRIMARY KEY (scorer, hash)) WITHOUT ROWID"
            )

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        return con

    def get(self, scorer: str, texts: Sequence[str], *, n_labels: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """Cached rows for ``texts`` (NaN where missing) and a mask of which were found."""
        out = np.full((len(texts), n_labels), np.nan, dtype=np.float32)
        found = np.zeros(len(texts), dtype=bool)
        if not texts:
            return out, found
        keys = [text_hash(t) for t in texts]
        position: dict[bytes, list[int]] = {}
        for i, k in enumerate(keys):
            position.setdefault(k, []).append(i)
        unique = list(position)
        con = self._connect()
        try:
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = con.execute(
                    f"SELECT hash, scores FROM scores WHERE scorer = ? AND hash IN ({marks})",
                    [scorer_key(scorer), *chunk],
                ).fetchall()
                for key, blob in rows:
                    row = np.frombuffer(blob, dtype=np.float32)
                    if row.shape[0] != n_labels:
                        continue  # a scorer id reused with other labels: treat as a miss
                    for i in position[key]:
                        out[i] = row
                        found[i] = True
        finally:
            con.close()
        return out, found

    def put(self, scorer: str, texts: Iterable[str], scores: npt.NDArray[np.float32]) -> None:
        """Store rows for texts (replacing any earlier ones)."""
        key = scorer_key(scorer)
        rows = [(key, text_hash(t), np.ascontiguousarray(s, dtype=np.float32).tobytes()) for t, s in zip(texts, scores)]
        con = self._connect()
        try:
            with con:
                con.executemany("INSERT OR REPLACE INTO scores VALUES (?, ?, ?)", rows)
        finally:
            con.close()

    def clear(self, scorer: str | None = None) -> None:
        """Remove the cached rows of one scorer, or all."""
        con = self._connect()
        try:
            with con:
                if scorer is None:
                    con.execute("DELETE FROM scores")
                else:
                    con.execute("DELETE FROM scores WHERE scorer = ?", [scorer_key(scorer)])
        finally:
            con.close()
