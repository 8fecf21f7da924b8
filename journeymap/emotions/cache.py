"""A persistent score cache: SQLite (standard library), keyed by (scorer id, text hash).

Beside the rows, the cache records per scorer id the names of the columns its rows hold (the
taxonomy's labels, then a sentiment scorer's outputs). Rows stored under an id with other names
(two scorers sharing an id, one with Ekman's labels, one with sentiment labels and three
outputs) are not read back: the texts are scored anew and the id's rows replaced. A cache
written before these names were recorded reads its rows by width, as it did, until the id's rows
are next written.

By default the cache lives in the user cache directory (``platformdirs.user_cache_dir
("journeymap")/scores.sqlite``); the environment variable ``JOURNEYMAP_CACHE_DIR`` moves it, and
``score(..., cache=False)`` turns it off. Scores are stored as float32 bytes; the text itself is
not stored, only its SHA-256.

A cache file that cannot be read (corrupt when opened, or found damaged when read) is moved
aside as ``scores.sqlite.corrupt-<time>`` and a new one is started, with a warning naming both
paths; a read-only cache is used read-only, with one warning per file and process. Neither stops
scoring. A file given as ``cache=`` that is not SQLite and is not named as a cache file
(``.sqlite``, ``.sqlite3``, ``.db``) is taken for another program's file given by mistake
(``cache="events.csv"``) and refused rather than moved.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from journeymap.exceptions import ArgumentTypeError, InvalidArgumentError, WriteError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import numpy.typing as npt

logger = logging.getLogger(__name__)

__all__ = ["CacheOption", "ScoreCache", "cached_rows", "default_cache_path", "open_cache", "scorer_key", "text_hash"]


#: (path, what) pairs already warned about in this process: a service scoring per request would
#: otherwise log the same read-only or unusable cache on every call (later ones go to DEBUG).
_WARNED: set[tuple[str, str]] = set()

#: Names a cache file has: such a file that is not SQLite is a damaged cache (set aside), any
#: other one another program's file given by mistake (refused, not moved).
_CACHE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
#: The first bytes of every SQLite database file.
_SQLITE_HEADER = b"SQLite format 3\x00"
#: The longest a cache waits, after failures in a row, before it tries its file again (seconds).
RETRY_LIMIT_S = 60.0
#: The clock of the retry back-off (a test sets its own).
_clock = time.monotonic


def _backoff(failures: int) -> float:
    """Seconds to leave the file alone after ``failures`` failures in a row: none after one, then 1, 2, 4, ... 60.

    Examples:
        >>> [_backoff(n) for n in (1, 2, 3, 4, 10)]
        [0.0, 1.0, 2.0, 4.0, 60.0]
    """
    return 0.0 if failures <= 1 else min(RETRY_LIMIT_S, 2.0 ** (failures - 2))


def _warn_once(path: Path, what: str, message: str, *args: object) -> None:
    key = (str(path), what)
    level = logging.DEBUG if key in _WARNED else logging.WARNING
    _WARNED.add(key)
    logger.log(level, message, path, *args)


def _foreign_file(path: Path) -> bool:
    """Whether ``path`` is a non-empty file that does not start as an SQLite database does."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_HEADER))
    except OSError:
        return False
    return bool(head) and head != _SQLITE_HEADER


def default_cache_path() -> Path:
    """Where the cache lives unless told otherwise."""
    env = os.environ.get("JOURNEYMAP_CACHE_DIR")
    if env:
        return Path(env) / "scores.sqlite"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("journeymap")) / "scores.sqlite"


def text_hash(text: str) -> bytes:
    r"""SHA-256 of the UTF-8 text (the cache key beside the scorer id); lone surrogates are hashed too.

    Examples:
        >>> text_hash("a\ud800") != text_hash("a") and len(text_hash("a\ud800")) == 32
        True
    """
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


#: The revision of how scorers prepare texts, stored with every cached row. It is bumped when a
#: change in the library alters scores without changing a scorer's id (2: emoticons such as
#: ":((" and blank texts, 2026-12-05; 3: HTML character references and ``\\uXXXX`` escapes
#: decoded, 2026-12-06; 4: HTML markup stripped, ``<p>``, ``<div class="...">``, 2026-12-06; 5: markup
#: stripped before references are decoded, so Outlook's ``style="...&quot;Calibri&quot;"`` tags go
#: too, 2026-12-06), so
#: rows cached before are not read back. Vectors of the topic encoders are keyed by the cleaned
#: text, so a change of cleaning needs no revision of its own, but they share this one: a bump
#: has them computed once more.
CACHE_REVISION = 5


def scorer_key(scorer: str) -> str | bytes:
    r"""The scorer id as stored, with the cache revision: text, or bytes when it holds lone surrogates.

    SQLite stores text as UTF-8, which cannot hold a lone surrogate; such an id is stored as a
    BLOB, which never equals a text id, so no two ids share cached rows.

    Examples:
        >>> scorer_key("demo.v1"), scorer_key("demo\ud800")
        ('demo.v1#r5', b'demo\xed\xa0\x80#r5')
    """
    key = f"{scorer}#r{CACHE_REVISION}"
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return key.encode("utf-8", "surrogatepass")
    return key


def _names_text(names: Sequence[str]) -> str:
    r"""The column names as stored beside a scorer's rows: a JSON list (ASCII, so a lone surrogate can be stored).

    Examples:
        >>> _names_text(("anger", "joy"))
        '["anger", "joy"]'
    """
    return json.dumps(list(names))


def _unrevised(key: str | bytes) -> str:
    """The scorer id a stored key holds, without its ``#r<revision>`` (any revision)."""
    text = key.decode("utf-8", "surrogatepass") if isinstance(key, bytes) else key
    head, sep, tail = text.rpartition("#r")
    return head if sep and tail.isdigit() else text


class ScoreCache:
    """Score rows cached per scorer id and text.

    Rows are read back only at the width asked for (``n_labels``) and, where ``labels`` are given
    to :meth:`put` and :meth:`get`, only under the same column names: a scorer id reused with
    other labels rescores its texts instead of reading the other scorer's rows. Rows stored
    without names (by an earlier version of journeymap) are read by width alone.

    Examples:
        >>> import numpy as np, tempfile, pathlib
        >>> cache = ScoreCache(pathlib.Path(tempfile.mkdtemp()) / "c.sqlite")
        >>> cache.put("demo.v1", ["hi"], np.array([[0.5, 0.5]], dtype=np.float32), labels=("negative", "positive"))
        >>> cache.get("demo.v1", ["hi", "unseen"], n_labels=2, labels=("negative", "positive"))[0].tolist()
        [[0.5, 0.5], [nan, nan]]
        >>> bool(cache.get("demo.v1", ["hi"], n_labels=2, labels=("sad", "happy"))[1].any())  # other labels: a miss
        False
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        if self.path.is_dir():
            msg = f"score cache {str(self.path)!r} is a folder; give the path of a file (e.g. {self.path / 'scores.sqlite'})"
            raise InvalidArgumentError(msg)
        if path is not None and self.path.suffix.lower() not in _CACHE_SUFFIXES and _foreign_file(self.path):
            msg = (
                f"score cache {str(self.path)!r} is a file of another kind (not SQLite): give the path of a cache file "
                "(a new one is created), or cache=False for none"
            )
            raise InvalidArgumentError(msg)
        self.read_only = False
        #: True when the cache is off for good (no folder, unreadable): never read nor written.
        self.disabled = False
        self._created = True  # False while the tables could not be made (the file busy): made on a later call
        self._failures = 0  # failed calls in a row (busy, locked, missing folder): the cache is skipped, then retried
        self._retry_at = 0.0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a read-only home, a file where the folder should be: score without a cache
            _warn_once(
                self.path,
                "no folder",
                "score cache %s: cannot create its folder (%s): scoring without a cache; "
                "set JOURNEYMAP_CACHE_DIR to a writable folder, or pass cache=False",
                exc.strerror or exc,
            )
            self.disabled = True
            return
        # SQLite writes its -wal and -shm files beside the cache: the folder must be writable too
        folder = os.access(self.path.parent, os.W_OK)
        writable = folder and (os.access(self.path, os.W_OK) if self.path.exists() else True)
        #: True when the file can be read but not written: cached rows are used, new ones not kept.
        self.read_only = not writable
        if self.read_only:
            if not self.path.exists():
                _warn_once(
                    self.path, "read-only", "score cache %s cannot be created (its folder is read-only): scoring without a cache"
                )
                self.disabled = True
                return
            _warn_once(self.path, "read-only", "score cache %s is read-only: using its scores, keeping no new ones")
        try:
            self._create()
        except sqlite3.OperationalError as exc:  # busy or locked by another process: not corrupt
            if "readonly" in str(exc).replace("-", "") and self.path.exists():  # read-only after all: read it
                _warn_once(self.path, "read-only", "score cache %s is read-only: using its scores, keeping no new ones")
                self.read_only = True
                try:
                    self._create()
                except sqlite3.Error as again:
                    logger.warning("score cache %s cannot be read (%s): scoring without it", self.path, again)
                    self.disabled = True
                return
            self._created = False  # made on the first call that finds the file free; no call has failed yet
            self._warn_failed("opening", exc)
        except sqlite3.DatabaseError as exc:
            self._set_aside(exc)

    def _ready(self) -> bool:
        """Whether to use the file on this call: not off for good, not backing off after failures, its tables made.

        A failure (a busy or locked file, its folder briefly gone) skips the cache for the call it
        happens in only: the next call tries again, and only failures in a row make later calls
        wait, up to :data:`RETRY_LIMIT_S` seconds, before the file is tried again.
        """
        if self.disabled or (self._failures and _clock() < self._retry_at):
            return False
        if not self._created:
            try:
                self._create()
            except sqlite3.OperationalError as exc:
                self._failed("opening", exc)
                return False
            self._created = True
        return True

    def _failed(self, what: str, exc: Exception) -> None:
        """Skip the cache for this call, and back off if it keeps failing; warn once per file and kind of failure.

        Reads and openings count the failures in a row; a failed write (which follows the read of
        the same call) does not add to them, so one brief problem costs one call.
        """
        self._failures = self._failures + 1 if what != "writing" else max(self._failures, 1)
        self._retry_at = _clock() + _backoff(self._failures)
        self._warn_failed(what, exc)

    def _warn_failed(self, what: str, exc: Exception) -> None:
        _warn_once(
            self.path,
            f"failed {what}",
            "score cache %s failed while %s (%s): scoring without it this time; it is tried again on later calls",
            what,
            exc,
        )

    def _worked(self) -> None:
        if self._failures:
            logger.info("score cache %s works again after %d failed calls", self.path, self._failures)
            self._failures = 0

    def _create(self) -> None:
        con = self._connect()
        try:
            if not self.read_only:
                with con:
                    # A rowid table: rows of 1.5 KiB vectors each took an overflow page of their own in
                    # a WITHOUT ROWID table (about 3x the data on disk); caches made before keep theirs.
                    con.execute(
                        "CREATE TABLE IF NOT EXISTS scores (scorer TEXT NOT NULL, hash BLOB NOT NULL, "
                        "scores BLOB NOT NULL, PRIMARY KEY (scorer, hash))"
                    )
                    # the column names of each scorer id's rows (absent in caches made before)
                    con.execute("CREATE TABLE IF NOT EXISTS labels (scorer TEXT PRIMARY KEY, names TEXT NOT NULL)")
            con.execute("SELECT count(*) FROM scores WHERE 0").fetchall()  # a corrupt file fails here
        finally:
            con.close()

    def _set_aside(self, exc: Exception) -> None:
        """A corrupt cache file is moved aside (kept for inspection) and a new one started, with a warning."""
        if self.read_only:
            logger.warning("score cache %s cannot be read (%s) and is read-only: scoring without a cache", self.path, exc)
            self.disabled = True
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():  # two set aside in one second: keep both
            aside, n = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}"), n + 1
        with contextlib.suppress(FileNotFoundError):  # another process set it aside first
            self.path.replace(aside)
        for suffix in ("-wal", "-shm"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
        logger.warning("score cache %s was unreadable (%s); moved it to %s and started a new one", self.path, exc, aside)
        self._create()

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            con = sqlite3.connect(uri, uri=True, timeout=30)
            try:
                con.execute("SELECT count(*) FROM sqlite_master").fetchall()
            except sqlite3.OperationalError:
                # A cache in WAL mode needs its -shm file, which a read-only folder cannot hold:
                # read the file as it is (what it holds is what a read-only cache can offer)
                con.close()
                con = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=30)
            return con
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        return con

    def get(
        self, scorer: str, texts: Sequence[str], *, n_labels: int, labels: Sequence[str] | None = None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """Cached rows for ``texts`` (NaN where missing) and a mask of which were found.

        ``labels``: the names of the row's columns; rows stored under ``scorer`` with other names
        are not found (None: any names, rows of ``n_labels`` values).
        """
        out = np.full((len(texts), n_labels), np.nan, dtype=np.float32)
        found = np.zeros(len(texts), dtype=bool)
        if not texts or not self._ready():
            return out, found
        keys = [text_hash(t) for t in texts]
        position: dict[bytes, list[int]] = {}
        for i, k in enumerate(keys):
            position.setdefault(k, []).append(i)
        unique = list(position)
        try:
            self._lookup(scorer, unique, position, out, found, n_labels, labels)
            self._worked()
        except sqlite3.OperationalError as exc:  # locked, busy, its folder gone: scoring goes on without it, this call
            self._failed("reading", exc)
            out[:] = np.nan
            found[:] = False
        except sqlite3.DatabaseError as exc:  # damaged pages the opening check did not read: set it aside
            out[:] = np.nan
            found[:] = False
            try:
                self._set_aside(exc)
            except (sqlite3.Error, OSError) as again:
                logger.warning("score cache %s is damaged (%s): scoring without it from here on", self.path, again)
                self.disabled = True
        return out, found

    def _lookup(  # noqa: PLR0917 - private, the one caller's locals
        self,
        scorer: str,
        unique: list[bytes],
        position: dict[bytes, list[int]],
        out: npt.NDArray[np.float32],
        found: npt.NDArray[np.bool_],
        n_labels: int,
        labels: Sequence[str] | None,
    ) -> None:
        con = self._connect()
        try:
            stored = _stored_names(con, scorer_key(scorer))
            if labels is not None and stored is not None and stored != _names_text(labels):
                logger.info("score cache %s: rows of %r have other labels (%s); scoring anew", self.path, scorer, stored)
                return
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

    def put(
        self, scorer: str, texts: Iterable[str], scores: npt.NDArray[np.float32], *, labels: Sequence[str] | None = None
    ) -> None:
        """Store rows for texts (replacing any earlier ones).

        ``labels``: the names of the rows' columns, recorded for ``scorer``; the rows stored under
        it with other names are removed first (another scorer of the same id wrote them).
        """
        if self.read_only or not self._ready():
            return
        key = scorer_key(scorer)
        rows = [(key, text_hash(t), np.ascontiguousarray(s, dtype=np.float32).tobytes()) for t, s in zip(texts, scores)]
        try:
            con = self._connect()
        except sqlite3.OperationalError as exc:  # the folder gone since the read, the file locked
            self._failed("writing", exc)
            return
        try:
            with con:
                if labels is not None:
                    names = _names_text(labels)
                    stored = _stored_names(con, key)
                    if stored is not None and stored != names:
                        con.execute("DELETE FROM scores WHERE scorer = ?", (key,))
                    if stored != names:
                        con.execute("INSERT OR REPLACE INTO labels VALUES (?, ?)", (key, names))
                con.executemany("INSERT OR REPLACE INTO scores VALUES (?, ?, ?)", rows)
            self._worked()
        except sqlite3.OperationalError as exc:  # locked, busy, a full disk, the folder gone: retried on later calls
            self._failed("writing", exc)
        except sqlite3.Error as exc:  # a full disk, a file made read-only meanwhile: scores are still returned
            logger.warning("score cache %s: could not store %d rows (%s)", self.path, len(rows), exc)
        finally:
            con.close()

    def clear(self, scorer: str | None = None) -> None:
        """Remove the cached rows of one scorer (those of earlier cache revisions too), or all, and give the space back.

        Raises:
            WriteError: (an ``OSError``) the cache is read-only (or could not be opened): nothing to remove.

        Examples:
            >>> import numpy as np, tempfile, pathlib
            >>> cache = ScoreCache(pathlib.Path(tempfile.mkdtemp()) / "c.sqlite")
            >>> cache.put("demo.v1", ["hi"], np.array([[0.5, 0.5]], dtype=np.float32))
            >>> cache.clear("demo.v1")
            >>> bool(cache.get("demo.v1", ["hi"], n_labels=2)[1].any())
            False
        """
        if self.read_only or self.disabled:
            msg = f"score cache {str(self.path)!r} is read-only"
            raise WriteError(msg)
        con = self._connect()
        try:
            with con:
                if scorer is None:
                    con.execute("DELETE FROM scores")
                    con.execute("DELETE FROM labels")
                else:
                    stored = [row[0] for row in con.execute("SELECT DISTINCT scorer FROM scores UNION SELECT scorer FROM labels")]
                    keys = [k for k in stored if _unrevised(k) == scorer]
                    con.executemany("DELETE FROM scores WHERE scorer = ?", [(k,) for k in keys])
                    con.executemany("DELETE FROM labels WHERE scorer = ?", [(k,) for k in keys])
            try:
                con.execute("VACUUM")  # the file shrinks: deleted rows' pages are otherwise kept for reuse
            except sqlite3.OperationalError as exc:  # another process is reading it: the rows are gone, the space later
                logger.info("score cache %s: rows removed; not compacted now (%s)", self.path, exc)
        finally:
            con.close()


def _stored_names(con: sqlite3.Connection, key: str | bytes) -> str | None:
    """The column names recorded for the scorer key, or None (none recorded, or a cache made before they were)."""
    if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'labels'").fetchone() is None:
        return None  # a read-only cache made before the table was
    row = con.execute("SELECT names FROM labels WHERE scorer = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


#: What a ``cache=`` argument may be: True (the user cache), False or None (none), a path, a cache.
CacheOption = bool | str | Path | ScoreCache | None


def open_cache(cache: CacheOption) -> ScoreCache | None:
    """The cache that ``cache=`` names: True (the user cache), False/None (none), a path or a cache."""
    if cache is True:
        return ScoreCache()
    if cache is False or cache is None:
        return None
    if isinstance(cache, ScoreCache):
        return cache
    allowed = "True (the user cache), False or None (no cache), a file path or a ScoreCache"
    if not isinstance(cache, (str, os.PathLike)):
        msg = f"cache must be {allowed}, got {type(cache).__name__} {cache!r}"
        raise ArgumentTypeError(msg)
    if not str(cache).strip():
        msg = f"cache must be {allowed}, got an empty path"
        raise InvalidArgumentError(msg)
    return ScoreCache(Path(cache))


def cached_rows(
    texts: Sequence[str],
    key: str,
    width: int,
    compute: Callable[[list[str]], npt.NDArray[np.float32]],
    *,
    cache: ScoreCache | None,
    progress: bool | None,
    what: str,
    chunk: int = 2048,
    labels: Sequence[str] | None = None,
) -> npt.NDArray[np.float32]:
    """Rows for unique ``texts``: from the cache under ``key`` where present, from ``compute`` for the rest.

    Shared by scoring (rows are probabilities, ``labels`` the names of their columns: rows cached
    under ``key`` with other names are computed anew) and embedding (rows are vectors). The missing
    texts are computed ``chunk`` at a time, each chunk written to the cache at once (an
    interrupted run keeps what it did), with a progress bar when there is more than one chunk.

    Examples:
        >>> import numpy as np
        >>> cached_rows(["a", "b"], "demo.v1", 2, lambda b: np.ones((len(b), 2), np.float32),
        ...             cache=None, progress=False, what="demo").shape
        (2, 2)
    """
    from journeymap._progress import progress as progress_bar

    if cache is not None and len(texts):
        out, found = cache.get(key, texts, n_labels=width, labels=labels)
    else:
        out, found = np.full((len(texts), width), np.nan, dtype=np.float32), np.zeros(len(texts), dtype=bool)
    todo = np.flatnonzero(~found)
    if len(todo):
        logger.info("%s %d texts with %s (%d from the cache)", what, len(todo), key, int(found.sum()))
    chunks = [todo[i : i + chunk] for i in range(0, len(todo), chunk)]
    show = bool(len(todo)) and (progress if progress is not None else len(chunks) > 1)  # no bar for nothing to do
    with progress_bar(total=len(todo), desc=f"{what} ({key})", unit="text", disable=not show) as bar:
        for part in chunks:
            batch = [texts[i] for i in part]
            out[part] = compute(batch)
            if cache is not None:
                cache.put(key, batch, out[part], labels=labels)
            bar.update(len(part))
    return out
