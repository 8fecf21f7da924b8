"""The levels analytics aggregate at: ``touchpoint`` or ``stage``."""

from __future__ import annotations

from typing import Literal

__all__ = ["LEVELS", "Level", "check_level"]

#: What a summary, a graph or a map groups steps by.
Level = Literal["touchpoint", "stage"]
LEVELS: tuple[str, ...] = ("touchpoint", "stage")


def check_level(level: str) -> str:
    """``level`` itself; ValueError unless it is one of :data:`LEVELS`."""
    if level not in LEVELS:
        msg = f"level must be one of {', '.join(repr(v) for v in LEVELS)}, got {level!r}"
        raise ValueError(msg)
    return level
