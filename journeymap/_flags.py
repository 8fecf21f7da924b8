"""Checking on/off arguments (``agents=``, ``progress=``, ``multi_label=``): :func:`check_flag`.

Python reads any non-empty string as true, so ``agents="false"`` (a value from a query string,
an environment variable or an INI file) would turn the option on. The library's flags take
``True`` or ``False`` (a numpy bool too) and refuse anything else by name, as pandas refuses
``ascending="no"``.
"""

from __future__ import annotations

from typing import overload

import numpy as np

from journeymap.exceptions import ArgumentTypeError

__all__ = ["check_flag"]


@overload
def check_flag(value: object, name: str) -> bool: ...
@overload
def check_flag(value: object, name: str, *, none: bool) -> bool | None: ...
def check_flag(value: object, name: str, *, none: bool = False) -> bool | None:
    """``value`` as a bool; an ArgumentTypeError naming ``name`` unless it is True or False (or None, with ``none``).

    Examples:
        >>> check_flag(np.True_, "agents"), check_flag(None, "progress", none=True)
        (True, None)
        >>> check_flag("false", "agents")
        Traceback (most recent call last):
        ...
        journeymap.exceptions.ArgumentTypeError: agents must be True or False, got str 'false'
    """
    if value is None and none:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    allowed = "True, False or None (the default)" if none else "True or False"
    msg = f"{name} must be {allowed}, got {type(value).__name__} {value!r}"
    raise ArgumentTypeError(msg)
