"""Fingerprints of model files: what a scorer's id carries, so that cached scores follow the weights.

A fingerprint hashes the files' contents (SHA-256), never only their names, sizes and times: two
checkpoints of one architecture have the same file sizes, and unpacked from archives made with a
fixed ``--mtime`` (or copied with ``cp -p``) the same times too. Each file's digest is remembered
for the process under its path and its ``stat`` (size, modification and change times, inode,
device), so loading a model again does not read its weights again, while a file written anew
(which changes its change time, whatever its modification time says) is hashed anew.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["file_sha256", "files_fingerprint", "folder_fingerprint"]

#: Hex digits of the SHA-256 that a fingerprint keeps.
DIGITS = 12


@functools.lru_cache(maxsize=4096)
def _digest(path: str, stat: tuple[int, ...]) -> str:
    """The SHA-256 of ``path``; ``stat`` (size, times, inode, device) keys the memo: a file written anew is read anew."""
    with open(path, "rb") as fh:
        if hasattr(hashlib, "file_digest"):  # Python 3.11+: reads into one buffer, without copies
            return hashlib.file_digest(fh, "sha256").hexdigest()
        digest = hashlib.sha256()  # pragma: no cover - Python 3.10
        for chunk in iter(lambda: fh.read(1 << 20), b""):  # pragma: no cover
            digest.update(chunk)
        return digest.hexdigest()  # pragma: no cover


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's contents, remembered for the process while the file is unchanged.

    Examples:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "w.bin"; _ = f.write_bytes(b"abc")
        >>> file_sha256(f)[:16]
        'ba7816bf8f01cfea'
    """
    resolved = Path(path).resolve()
    stat = resolved.stat()
    return _digest(str(resolved), (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev))


def files_fingerprint(paths: Iterable[Path]) -> str:
    """A short hash of some files' names and contents (the first :data:`DIGITS` hex digits).

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "config.json").write_text("{}")
        >>> len(files_fingerprint([d / "config.json"]))
        12
    """
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(f"{path.name}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()[:DIGITS]


def folder_fingerprint(folder: Path) -> str:
    """A short hash of the names and contents of the files at the top of a model folder.

    Those are the files a model loads from (config, tokenizer files, weights); subfolders (a
    training run's checkpoints, ``.cache``) and hidden files are left out.

    Examples:
        >>> import tempfile, pathlib, os
        >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "config.json").write_text("{}")
        >>> w = d / "model.safetensors"; _ = w.write_bytes(b"old")
        >>> before = folder_fingerprint(d)
        >>> _ = w.write_bytes(b"new"); os.utime(w, ns=(0, 0))  # same size; the time set back
        >>> folder_fingerprint(d) != before
        True
    """
    folder = Path(folder)
    return files_fingerprint(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
