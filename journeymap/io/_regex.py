r"""Regular expressions over a text column at Arrow's speed, with the answers of Python's ``re``.

pandas runs ``str.extract`` and most ``str.replace`` / ``str.contains`` patterns value by value
in Python (RE2, Arrow's engine, reads ``\s``, ``\w``, ``\b`` and ``$`` differently on some
text). On a whole corpus that is most of the reading time. Here each call sends to RE2 only the
values on which the two engines provably agree, and the rest to ``re``:

* ASCII only: RE2's ``\d``, ``\w`` and ``\b`` are ASCII, Python's are Unicode;
* no vertical tab and no ``\x1c``-``\x1f``: Python's ``\s`` matches them, RE2's does not;
* not ending in a newline: Python's ``$`` also matches just before a final ``\n``.

A pattern RE2 cannot compile (lookarounds, backreferences) goes to ``re`` whole, and so do the
patterns the two engines read differently on any text: ``{,n}``, POSIX classes (``[[:alpha:]]``),
and for :meth:`Texts.replace` patterns that can match the empty string (the engines step past
empty matches differently) and replacements other than plain text and ``\1``-``\9``. An empty
group value from RE2 (which cannot tell an empty capture from a group that took no part) is
looked at again by ``re``. With these rules the results are those of
``Series.str.extract(pattern, expand=False)``, ``str.contains`` and ``str.replace(regex=True)`` on
a column of strings (tested with the readers' patterns on both engines' edge cases).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from journeymap._arrow import flat_array

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["SURROGATE", "Texts", "contains", "extract", "replace"]

#: A lone surrogate (half of a UTF-16 pair): no UTF-8 encoder takes one; the readers replace it with U+FFFD.
SURROGATE = "[\ud800-\udfff]"
_PYTHON_ONLY_SPACE = "[\x0b\x1c-\x1f]"
_UNICODE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9a-fA-F]{4})")
_RE2_ERRORS = (pa.ArrowInvalid, pa.ArrowNotImplementedError)
#: What RE2 reads otherwise than ``re`` whatever the text: ``{,n}`` (RE2: literal) and POSIX classes.
_READ_OTHERWISE = re.compile(r"\{,|\[\[:")
#: A replacement RE2 reads as ``re`` does: text with ``\1``-``\9`` (not ``\0``, ``\10`` or escapes).
_PLAIN_REPL = re.compile(r"(?:[^\\]|\\[1-9](?![0-9]))*")


def _min_width(compiled: re.Pattern[str]) -> int:
    """The fewest characters a match of ``compiled`` takes (0: it can match the empty string)."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as parser
    return int(parser.parse(compiled.pattern, compiled.flags).getwidth()[0])


def _for_re2(pattern: str) -> str:
    r"""``pattern`` with ``\uXXXX`` escapes (which RE2 does not read) written as the characters."""
    return _UNICODE_ESCAPE.sub(lambda m: m.group(1) + re.escape(chr(int(m.group(2), 16))), pattern)


class Texts:
    r"""A text column made ready once for several patterns: its Arrow array, and which values RE2 may read.

    Examples:
        >>> texts = Texts(pd.Series(["@12 late again", "please DM us", None]))
        >>> texts.extract(r"^@(?P<id>\d+)").tolist(), texts.contains(r"(?i)\bdm\b").tolist()
        (['12', <NA>, <NA>], [False, True, False])
    """

    def __init__(self, text: pd.Series) -> None:
        self.index = text.index
        self._strings: pd.Series | None = None  # for re, where Arrow cannot hold the text
        try:
            strings = text.astype("string")
            arr = flat_array(strings.array)
        except (UnicodeEncodeError, pa.ArrowInvalid):  # a lone surrogate: no UTF-8 for Arrow
            strings = text.astype(object)
            self._strings = strings
            arr = pa.nulls(len(strings), pa.string())
        self.arr: pa.Array = arr
        agree = pc.and_(pc.string_is_ascii(self.arr), pc.invert(pc.match_substring_regex(self.arr, _PYTHON_ONLY_SPACE)))
        agree = pc.and_(agree, pc.invert(pc.ends_with(self.arr, "\n")))
        #: the values on which RE2 and ``re`` give the same answer (see the module docstring)
        self.fast = np.asarray(pc.fill_null(agree, False), dtype=bool)
        #: the other values that are not missing: for ``re``
        self.slow = ~self.fast & strings.notna().to_numpy(dtype=bool)

    def _python(self, slow: npt.NDArray[np.bool_]) -> list[str]:
        if self._strings is not None:
            return [str(v) for v in self._strings.to_numpy(dtype=object)[slow]]
        return [str(v) for v in self.arr.filter(pa.array(slow)).to_pylist()]

    def _series(self, values: pa.Array) -> pd.Series:
        return pd.Series(pd.arrays.ArrowStringArray(pc.cast(values, pa.large_string())), index=self.index).astype("string")

    def _python_series(self, values: Sequence[str | None], slow: npt.NDArray[np.bool_]) -> pd.Series:
        """``values`` (for the ``slow`` rows) as a string Series; NA elsewhere (text Arrow cannot hold)."""
        out = np.full(len(self.index), None, dtype=object)
        out[slow] = values
        try:
            return pd.Series(out, index=self.index, dtype=object).astype("string")
        except UnicodeEncodeError:  # a result that keeps a lone surrogate: as Python strings
            return pd.Series(out, index=self.index, dtype=object)

    def _re2_usable(self, pattern: str) -> bool:
        return bool(self.fast.any()) and _READ_OTHERWISE.search(pattern) is None

    def extract(self, pattern: str) -> pd.Series:
        """The first group of the first match in each value (``<NA>`` where none), as ``str.extract(pattern, expand=False)``.

        ``pattern`` has exactly one group, and it is named (Arrow returns groups by name).
        """
        compiled = re.compile(pattern)
        if compiled.groups != 1 or len(compiled.groupindex) != 1:
            msg = f"extract takes a pattern with one named group, got {pattern!r}"
            raise ValueError(msg)
        slow = self.slow if self._re2_usable(pattern) else self.slow | self.fast
        found = pa.nulls(len(self.arr), pa.string())
        if not slow.all() and (self.fast & ~slow).any():
            try:  # every value, then the ones RE2 may not read are replaced with re's answers
                found = pc.struct_field(pc.extract_regex(self.arr, _for_re2(pattern)), [0])
            except _RE2_ERRORS:  # not RE2 syntax: Python reads it all
                slow = slow | self.fast
            else:  # "": an empty capture, or a group that took no part (NA in re): re tells them apart
                slow = slow | (np.asarray(pc.fill_null(pc.equal(found, ""), False), dtype=bool) & self.fast)
        if slow.any():
            values = [m.group(1) if (m := compiled.search(v)) else None for v in self._python(slow)]
            if self._strings is not None:
                return self._python_series(values, slow)
            found = pc.replace_with_mask(found, pa.array(slow), pa.array(values, type=found.type))
        return self._series(found)

    def contains(self, pattern: str) -> npt.NDArray[np.bool_]:
        """Whether ``pattern`` matches somewhere in each value (``False`` for a missing one)."""
        search = re.compile(pattern).search  # re's errors first, as pandas raises them
        slow = self.slow if self._re2_usable(pattern) else self.slow | self.fast
        out = np.zeros(len(self.arr), dtype=bool)
        if (self.fast & ~slow).any():
            try:
                out = np.asarray(pc.fill_null(pc.match_substring_regex(self.arr, _for_re2(pattern)), False), dtype=bool)
            except _RE2_ERRORS:
                slow = slow | self.fast
        if slow.any():
            out[slow] = [search(v) is not None for v in self._python(slow)]
        return out

    def replace(self, pattern: str, repl: str) -> pd.Series:
        r"""Every match of ``pattern`` replaced by ``repl`` (``\1`` for a group), as ``str.replace(..., regex=True)``."""
        compiled = re.compile(pattern)
        usable = self._re2_usable(pattern) and _PLAIN_REPL.fullmatch(repl) is not None and _min_width(compiled) > 0
        slow = self.slow if usable else self.slow | self.fast
        done = self.arr
        if (self.fast & ~slow).any():
            try:
                done = pc.replace_substring_regex(self.arr, _for_re2(pattern), repl)
            except _RE2_ERRORS:
                slow = slow | self.fast
        if slow.any():
            values = [compiled.sub(repl, v) for v in self._python(slow)]
            if self._strings is not None:
                return self._python_series(values, slow)
            done = pc.replace_with_mask(done, pa.array(slow), pa.array(values, type=done.type))
        return self._series(done)


def extract(text: pd.Series, pattern: str) -> pd.Series:
    r"""The first group of the first match in each value (``<NA>`` where none), as ``str.extract(pattern, expand=False)``.

    ``pattern`` has exactly one group, and it is named (Arrow returns groups by name). Several
    patterns over one column: :class:`Texts`.

    Examples:
        >>> extract(pd.Series(["@123 hi", "no", None, "@٣ x"]), r"^\s*@(?P<id>\d+)").tolist()
        ['123', <NA>, <NA>, '٣']
    """
    return Texts(text).extract(pattern)


def contains(text: pd.Series, pattern: str) -> npt.NDArray[np.bool_]:
    r"""Whether ``pattern`` matches somewhere in each value (``False`` for a missing one).

    Examples:
        >>> contains(pd.Series(["please DM us", "admin", None]), r"(?i)\bdm\b").tolist()
        [True, False, False]
    """
    return Texts(text).contains(pattern)


def replace(text: pd.Series, pattern: str, repl: str) -> pd.Series:
    r"""Every match of ``pattern`` replaced by ``repl`` (``\1`` for a group), as ``str.replace(pattern, repl, regex=True)``.

    Examples:
        >>> replace(pd.Series(["119237.0", "42", None]), r"^(\d+)\.0$", r"\1").tolist()
        ['119237', '42', <NA>]
    """
    return Texts(text).replace(pattern, repl)
