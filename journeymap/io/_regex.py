r"""Regular expressions over a text column at Arrow's speed, with the answers of Python's ``re``.

pandas runs ``str.extract`` and most ``str.replace`` / ``str.contains`` patterns value by value
in Python (RE2, Arrow's engine, reads ``\s``, ``\w``, ``\b`` and ``$`` differently on some
text). On a whole corpus that is most of the reading time. Here each call sends to RE2 only the
values on which the two engines provably agree, and the rest to ``re``:

* ASCII only: RE2's ``\d``, ``\w`` and ``\b`` are ASCII, Python's are Unicode;
* no vertical tab and no ``\x1c``-``\x1f``: Python's ``\s`` matches them, RE2's does not;
* not ending in a newline: Python's ``$`` also matches just before a final ``\n``.

A pattern RE2 cannot compile (lookarounds, backreferences) goes to ``re`` whole. Same results as
``Series.str.extract(pattern, expand=False)``, ``str.contains`` and ``str.replace(regex=True)``
(tested on both engines' edge cases).
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["contains", "extract", "replace"]

_PYTHON_ONLY_SPACE = "[\x0b\x1c-\x1f]"
_UNICODE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9a-fA-F]{4})")


def _for_re2(pattern: str) -> str:
    r"""``pattern`` with ``\uXXXX`` escapes (which RE2 does not read) written as the characters."""
    return _UNICODE_ESCAPE.sub(lambda m: m.group(1) + re.escape(chr(int(m.group(2), 16))), pattern)


def _arrow(text: pd.Series) -> pa.ChunkedArray | pa.Array:
    return pa.array(text.astype("string").array)


def _agree(arr: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.bool_]:
    """The values on which RE2 and ``re`` give the same answer (see the module docstring); nulls are not."""
    ok = pc.and_(pc.string_is_ascii(arr), pc.invert(pc.match_substring_regex(arr, _PYTHON_ONLY_SPACE)))
    ok = pc.and_(ok, pc.invert(pc.ends_with(arr, "\n")))
    return np.asarray(pc.fill_null(ok, False), dtype=bool)


def _split(text: pd.Series) -> tuple[pa.ChunkedArray | pa.Array, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    arr = _arrow(text)
    fast = _agree(arr)
    slow = ~fast & text.notna().to_numpy(dtype=bool)
    return arr, fast, slow


def extract(text: pd.Series, pattern: str) -> pd.Series:
    r"""The first group of the first match in each value (``<NA>`` where none), as ``str.extract(pattern, expand=False)``.

    ``pattern`` has exactly one group, and it is named (Arrow returns groups by name).

    Examples:
        >>> extract(pd.Series(["@123 hi", "no", None, "@٣ x"]), r"^\s*@(?P<id>\d+)").tolist()
        ['123', <NA>, <NA>, '٣']
    """
    compiled = re.compile(pattern)
    if compiled.groups != 1 or len(compiled.groupindex) != 1:
        msg = f"extract takes a pattern with one named group, got {pattern!r}"
        raise ValueError(msg)
    arr, fast, slow = _split(text)
    out = np.full(len(text), None, dtype=object)
    if fast.any():
        try:
            found = pc.extract_regex(arr.filter(pa.array(fast)), _for_re2(pattern))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # not RE2 syntax: Python reads it all
            slow |= fast
        else:
            out[fast] = pc.struct_field(found, [0]).to_numpy(zero_copy_only=False)
    if slow.any():
        values = text.to_numpy(dtype=object)[slow]
        out[slow] = [m.group(1) if (m := compiled.search(v)) else None for v in values]
    return pd.Series(out, index=text.index, dtype="string")


def contains(text: pd.Series, pattern: str) -> npt.NDArray[np.bool_]:
    r"""Whether ``pattern`` matches somewhere in each value (``False`` for a missing one).

    Examples:
        >>> contains(pd.Series(["please DM us", "admin", None]), r"(?i)\bdm\b").tolist()
        [True, False, False]
    """
    arr, fast, slow = _split(text)
    out = np.zeros(len(text), dtype=bool)
    if fast.any():
        try:
            found = pc.match_substring_regex(arr.filter(pa.array(fast)), _for_re2(pattern))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            slow |= fast
        else:
            out[fast] = np.asarray(found, dtype=bool)
    if slow.any():
        search = re.compile(pattern).search
        out[slow] = [search(v) is not None for v in text.to_numpy(dtype=object)[slow]]
    return out


def replace(text: pd.Series, pattern: str, repl: str) -> pd.Series:
    r"""Every match of ``pattern`` replaced by ``repl`` (``\1`` for a group), as ``str.replace(pattern, repl, regex=True)``.

    Examples:
        >>> replace(pd.Series(["119237.0", "42", None]), r"^(\d+)\.0$", r"\1").tolist()
        ['119237', '42', <NA>]
    """
    arr, fast, slow = _split(text)
    if re.search(r"\\(?!\d)", repl):  # RE2 reads other escapes in a replacement its own way
        slow |= fast
        fast[:] = False
    out = np.full(len(text), None, dtype=object)
    if fast.any():
        try:
            done = pc.replace_substring_regex(arr.filter(pa.array(fast)), _for_re2(pattern), repl)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            slow |= fast
        else:
            out[fast] = done.to_numpy(zero_copy_only=False)
    if slow.any():
        compiled = re.compile(pattern)
        out[slow] = [compiled.sub(repl, v) for v in text.to_numpy(dtype=object)[slow]]
    return pd.Series(out, index=text.index, dtype="string")
