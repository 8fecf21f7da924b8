"""The Arrow fast paths of the readers give the answers of Python's ``re`` and pandas' Twitter-format parsing."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import journeymap as jm
from journeymap.io import _regex
from journeymap.io._social import PART_PATTERN as _PART_PATTERN
from journeymap.io._social import SIGNATURE_PATTERN
from journeymap.io._social import TRAILER as _TRAILER
from journeymap.io._time import _TWITTER_YEAR, _UTC_NAME, _YEAR, TWITTER_FORMAT, UNPARSEABLE, _twitter, parse_timestamps
from journeymap.io.twcs import DM_PATTERN

# Characters on which RE2 and Python's re disagree (Unicode digits and letters, the whitespace
# only Python's \s matches, a final newline), mixed with what the patterns look for.
_PIECES = [*"ab Z_@1209^/*~-.!:()[]\n\t\r&", "\u2013", "\u2014", "\x0b", "\x1c", "\x1f", "\u00a0", "é", "٣", "😡"]
_PIECES += ["https://t.co/x", "DM", "dm", "DMs", "1/2", "(2/2)", "^JB", " - Paige", "@12", "@Ab", " UTC", "GMT", "2017"]
TEXTS = st.lists(st.one_of(st.none(), st.lists(st.sampled_from(_PIECES), max_size=10).map("".join)), min_size=1, max_size=40)
EXTRACTS = [r"^\s*@(?P<customer>\d+)\b", r"@(?P<brand>[A-Za-z_]\w*)", SIGNATURE_PATTERN, _PART_PATTERN, _YEAR, _TWITTER_YEAR]


def _same(a: pd.Series, b: pd.Series) -> None:
    assert a.index.equals(b.index)
    assert a.astype(object).where(a.notna(), None).tolist() == b.astype(object).where(b.notna(), None).tolist()


@given(TEXTS)
def test_extract_gives_what_pandas_str_extract_gives(texts: list[str | None]) -> None:
    s = pd.Series(texts, dtype="string", index=np.arange(len(texts))[::-1])
    for pattern in EXTRACTS:
        _same(_regex.extract(s, pattern), s.str.extract(pattern, expand=False))


@given(TEXTS)
def test_contains_and_replace_give_what_pandas_gives(texts: list[str | None]) -> None:
    s = pd.Series(texts, dtype="string")
    for pattern in (DM_PATTERN, _TRAILER, r"\d\s*$"):
        expected = s.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)
        assert _regex.contains(s, pattern).tolist() == expected.tolist()
    for pattern, repl in ((_TRAILER, ""), (r"^(\d+)\.0$", r"\1"), (_UTC_NAME, r"\1+00:00")):
        _same(_regex.replace(s, pattern, repl), s.str.replace(pattern, repl, regex=True))


def test_where_the_engines_differ_python_decides() -> None:
    s = pd.Series(["@٣٤ hi", "x\x0b2017", "ends 2017\n", "lookbehind 10", None], dtype="string")
    assert _regex.extract(s, r"@(?P<n>\d+)").tolist() == ["٣٤", pd.NA, pd.NA, pd.NA, pd.NA]
    assert _regex.extract(s, r"\s(?P<y>\d{4})$").tolist() == [pd.NA, "2017", "2017", pd.NA, pd.NA]
    # RE2 has no lookbehind: the whole pattern goes to Python
    assert _regex.contains(s, r"(?<=d )\d+").tolist() == [False, False, False, True, False]
    assert _regex.replace(s, r"a", "\\n").tolist()[3] == "lookbehind 10"
    with pytest.raises(ValueError, match="one named group"):
        _regex.extract(s, r"(\d+)")


@pytest.mark.parametrize(
    ("call", "pattern", "arg"),
    [
        ("extract", r"(?:(?P<x>a)|b)", None),  # an optional group: RE2 gives "", re None
        ("extract", r"(?P<x>b)*c", None),
        ("replace", r"x*", "-"),  # empty matches: the engines step past them differently
        ("replace", r"\s*", "-"),
        ("replace", r"a*?", "-"),
        ("replace", r"b", "\\0"),  # re: a NUL; RE2: the whole match
        ("contains", r"a{,3}z", None),  # re: 0 to 3 a's; RE2: literal "{,3}"
        ("extract", r"(?P<x>a{,3})z", None),
    ],
)
def test_patterns_the_engines_read_otherwise_go_to_re(call: str, pattern: str, arg: str | None) -> None:
    # from a review of io._regex: each of these gave RE2's answer where Python's re gives another
    values = ["b", "abxd", "bc", "az", "aaz", "c", "[[:alpha:]]", "{,3}z", None]
    s = pd.Series(values, dtype="string")
    compiled = re.compile(pattern)
    if call == "extract":
        expected = [None if v is None else (m.group(1) if (m := compiled.search(v)) else None) for v in values]
        _same(_regex.extract(s, pattern), pd.Series(expected, dtype="string"))
    elif call == "replace":
        assert arg is not None
        _same(
            _regex.replace(s, pattern, arg),
            pd.Series([None if v is None else compiled.sub(arg, v) for v in values], dtype="string"),
        )
    else:
        assert _regex.contains(s, pattern).tolist() == [v is not None and compiled.search(v) is not None for v in values]


def test_text_arrow_cannot_hold_is_read_by_re() -> None:
    s = pd.Series(["@12 hi\ud800", "x"], dtype=object)  # a lone surrogate: no UTF-8 for Arrow
    assert _regex.extract(s, r"@(?P<n>\d+)").tolist() == ["12", pd.NA]
    assert _regex.contains(s, r"hi").tolist() == [True, False]
    assert parse_timestamps(pd.Series(["Wed Oct 11 06:55:44 +0000 2017\ud800"], dtype=object)).isna().all()


_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "wed", "Xyz"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "oct", "Foo"]
STAMPS = st.builds(
    "{} {} {:02d} {:02d}:{:02d}:{:02d} {}{:04d} {:04d}".format,
    st.sampled_from(_WEEKDAYS),
    st.sampled_from(_MONTHS),
    st.integers(0, 32),
    st.integers(0, 24),
    st.integers(0, 59),
    st.integers(0, 60),
    st.sampled_from(["+", "-"]),
    st.sampled_from([0, 100, 530, 1400, 2359, 2400, 99]),
    st.sampled_from([1676, 1677, 1678, 1970, 2016, 2017, 2261, 2262, 2263, 9999, 0]),
)


def _strptime(value: str) -> pd.Timestamp | None:
    try:
        ts = pd.to_datetime(value, format=TWITTER_FORMAT, utc=True)
    except (ValueError, OverflowError):
        return None
    return ts if pd.Timestamp("1677-09-22", tz="UTC") <= ts <= pd.Timestamp("2262-04-10", tz="UTC") else None


@given(st.lists(STAMPS, min_size=1, max_size=30))
def test_the_twitter_fast_path_reads_what_strptime_reads(stamps: list[str]) -> None:
    fast = _twitter(pd.Series(stamps, dtype="string"))
    for value, got in zip(stamps, fast, strict=True):
        if got is not pd.NaT:  # what the fast path reads, it reads as strptime does
            assert got == _strptime(value), value
    # and the parser as a whole reads every stamp as strptime does, fast path or not
    parsed = parse_timestamps(pd.Series(stamps, dtype=object))
    for value, got in zip(stamps, parsed, strict=True):
        expected = _strptime(value)
        assert (got is pd.NaT and expected is None) or got == expected, value


def test_the_twitter_fast_path_reads_the_corpus_format() -> None:
    stamps = pd.Series(["Wed Oct 11 06:55:44 +0000 2017", "Tue Oct 10 23:05:00 -0530 2017", "Wed Feb 29 06:55:44 +0000 2017"])
    fast = _twitter(stamps.astype("string"))
    assert fast.tolist()[:2] == [
        pd.Timestamp("2017-10-11 06:55:44", tz="UTC"),
        pd.Timestamp(dt.datetime(2017, 10, 11, 4, 35, tzinfo=dt.UTC)),
    ]
    assert fast.iloc[2] is pd.NaT  # not a date: left to the general path, which rejects it too
    assert parse_timestamps(stamps).iloc[2] is pd.NaT


def test_a_time_with_a_lone_surrogate_is_an_unparseable_row_not_a_crash() -> None:
    frame = pd.DataFrame(
        {
            "tweet_id": ["1", "2"],
            "author_id": ["100", "100"],
            "inbound": [True, True],
            "created_at": pd.Series(["Wed Oct 11 06:55:44 +0000 2017\ud800", "Wed Oct 11 06:55:44 +0000 2017"], dtype=object),
            "text": ["a", "b"],
            "in_response_to_tweet_id": [None, None],
        }
    )
    log = jm.read_twcs(frame)
    assert len(log.events) == 1 and log.rejects[["row", "column", "reason"]].values.tolist() == [[0, "created_at", UNPARSEABLE]]
