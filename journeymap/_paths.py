"""Checking file-path arguments: :func:`check_path`.

``pathlib.Path(None)`` fails with "expected str, bytes or os.PathLike object, not NoneType",
which names neither the argument nor the function. The library's path arguments take a str or
an ``os.PathLike`` (``pathlib.Path``) and refuse anything else by name.
"""

from __future__ import annotations

import os
from pathlib import Path

from journeymap.exceptions import ArgumentTypeError

__all__ = ["check_path"]


def check_path(value: object, name: str, what: str) -> Path:
    """``value`` as a Path; an ArgumentTypeError naming ``name``, ``what`` it should be and what it got otherwise.

    Examples:
        >>> check_path("out/journeys.parquet", "path", "the Parquet file to write").name
        'journeys.parquet'
        >>> check_path(None, "path", "the Parquet file to write")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ArgumentTypeError: path must be the Parquet file to write (a str or pathlib.Path), got NoneType None
    """
    if isinstance(value, (str, os.PathLike)):
        return Path(value)
    shown = repr(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    msg = f"{name} must be {what} (a str or pathlib.Path), got {type(value).__name__} {shown}"
    raise ArgumentTypeError(msg)
