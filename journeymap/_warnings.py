"""Warnings said at the user's line: :func:`user_stacklevel`.

A fixed ``stacklevel`` counts the frames between ``warnings.warn`` and the user's call, and is
wrong as soon as one function is reached along two paths (``triage`` calls ``end_of_data``
directly, ``response_times`` through ``response_table``), or through the
:func:`~journeymap.backends.dispatch` wrapper. The frames are counted instead, out to the first
one outside the journeymap package, as pandas' ``find_stack_level`` does.
"""

from __future__ import annotations

import os
import sys

__all__ = ["user_stacklevel"]

#: The package's folder as its modules' code objects name their files (both come from the import system).
_PACKAGE = os.path.dirname(__file__) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a ``warnings.warn`` called right after this name the first frame outside journeymap.

    Called in the function that calls ``warnings.warn``: ``1`` would name that function, ``2``
    its caller, and so on; the count stops at the first caller whose file is not in the package
    (the user's script, a notebook cell, a test, a doctest).

    Examples:
        >>> import warnings
        >>> def inner():
        ...     warnings.warn("said here", UserWarning, stacklevel=user_stacklevel())
        >>> with warnings.catch_warnings(record=True) as seen:
        ...     warnings.simplefilter("always")
        ...     inner()
        >>> seen[0].filename == inner.__code__.co_filename  # a doctest's function is no journeymap frame
        True
    """
    frame = sys._getframe(1)  # the function about to warn
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level
