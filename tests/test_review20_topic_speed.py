"""Review 20, finding 2: ``topic_summary`` was the slowest table (17.9 s on 302k TWCS-shaped tweets).

The keywords' per-message analyzer did the work: ``clean_text``'s case-insensitive ``NOISE``
pattern was tried at every character of every tweet (its e-mail branch the dearest, about
65 us a tweet), ``phrases`` walked the words in Python with a regex match per gap, and every
message was read even where the same text came thousands of times. The fast versions must give
the same texts and the same words and phrases in the same order: each is compared here with a
copy of the code it replaced, on real corpora and on generated text full of links, e-mail
addresses, mentions, markup, emoji and letters of other scripts.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeymap.topics._describe as describe
import journeymap.topics._text as text_mod
from journeymap.emotions.normalize import decode_text
from journeymap.topics._describe import CTfidfDescriber, english_stop_words, phrases
from journeymap.topics._text import NOISE, clean_text

from .conftest import GOEMOTIONS, SHARED_DATA, TWCS_SAMPLE

if TYPE_CHECKING:
    from collections.abc import Callable

BANKING77 = SHARED_DATA / "banking77" / "test.csv"
STOP = frozenset(english_stop_words())

# -- the code replaced, as it was (commit 640c59f) ----------------------------------------------

_REF_TOKEN = re.compile(r"(?u)\b[^\W\d_][^\W\d_]+\b")
_REF_HASHTAG = re.compile(r"#\w+")
_REF_JOINED = re.compile(r"[\s'’-]*(?:[^\W\d_][\s'’-]*)?")


def reference_clean_text(text: str) -> str:
    out = " ".join(NOISE.sub(" ", decode_text(text)).split())
    for _ in range(2):
        if not any(c in out for c in "<&\\"):
            break
        text, out = out, " ".join(NOISE.sub(" ", decode_text(out)).split())
        if out == text:
            break
    return out


def reference_phrases(text: str, stop_words: frozenset[str], ngram_range: tuple[int, int] = (1, 2)) -> list[str]:
    low, high = ngram_range
    out: list[str] = []
    runs: list[list[str]] = [[]]
    cleaned = _REF_HASHTAG.sub(" ", reference_clean_text(text)).lower()
    last = 0
    for match in _REF_TOKEN.finditer(cleaned):
        word = match.group()
        if word in stop_words or not _REF_JOINED.fullmatch(cleaned, last, match.start()):
            runs.append([])
        if word not in stop_words:
            runs[-1].append(word)
        last = match.end()
    for n in range(max(low, 1), high + 1):
        for run in runs:
            out.extend(" ".join(run[i : i + n]) for i in range(len(run) - n + 1))
    return out


#: Stop words and n-gram ranges the phrases are compared under (the first is the describer's default).
SETTINGS: list[tuple[frozenset[str], tuple[int, int]]] = [
    (STOP, (1, 2)),
    (frozenset(), (1, 3)),
    (frozenset({"the", "a", "no"}), (2, 3)),
    (STOP, (1, 1)),
    (STOP, (2, 2)),
    (STOP, (0, 2)),
    (STOP, (3, 1)),
]


def _assert_same(texts: list[str], every_setting: int = 1) -> None:
    for i, text in enumerate(texts):
        assert clean_text(text) == reference_clean_text(text), text
        for stop, ngram_range in SETTINGS if i % every_setting == 0 else SETTINGS[:1]:
            assert phrases(text, stop, ngram_range) == reference_phrases(text, stop, ngram_range), (text, ngram_range)


# -- the same results ----------------------------------------------------------------------------

#: Pieces of customer text that the cleaning and the phrases treat apart.
FRAGMENTS = [
    *("@AppleSupport", "@123456", "@", "@@", ".@", "x@y", "@Brand20Help:"),
    *("john.doe@gmail.com", "a.b@c.d.e", "+x-y@z-w.co.uk", "Mail@Example.COM,", "a@b.c@d.ef"),
    *("https://t.co/abc", "HTTP://X", "http://x", "httpſ://x.y", "://", "3:30", "a:b"),
    *("www.x.com", "WWW.", "www.", "bit.ly/3xYz", "pic.twitter.com/x", "example.com", "EXAMPLE.COM.", "done.it", "x.io"),
    *("a.b.c/", "k.K", "a.ſs", "1.2.3", "...", ".", ",", "!", "?", "(", ")", "&"),
    *("card's", "top-up", "Top–up", "I'm", "don’t", "a", "i", "5", "ab1", "x_y", "²", "½", "Ⅻ"),
    *("#hashtag", "#", "&amp;", "&lt;p&gt;", "<p>", "<br@u>", "</b>", "\\u00e9", "&#39;", "<div class='x'>"),
    *("café", "İstanbul", "ǅ", "ﬁ", "ß", "日本語", "Россия", "ελληνικά", "😡", "🙄", "👍🏽"),
    *("delivery", "slots", "no", "the", "bill", "up", "refund", "still", "not", "arrived"),
]
#: What stands between the pieces: spaces of several kinds (all of them whitespace to ``str.split``), none, joints.
SEPARATORS = [" ", " ", " ", "  ", "", "\t", "\n", "\xa0", "\u3000", "\x1c", "\u2028", "\u200b", "-", "'", " a ", ". ", ", "]


@st.composite
def customer_texts(draw: st.DrawFn) -> str:
    piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6))
    parts = draw(st.lists(st.tuples(piece, st.sampled_from(SEPARATORS)), max_size=14))
    return "".join(p + s for p, s in parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=customer_texts(), setting=st.sampled_from(SETTINGS))
def test_clean_text_and_phrases_are_those_of_the_code_they_replace(
    text: str, setting: tuple[frozenset[str], tuple[int, int]]
) -> None:
    assert clean_text(text) == reference_clean_text(text)
    stop, ngram_range = setting
    assert phrases(text, stop, ngram_range) == reference_phrases(text, stop, ngram_range)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_gives_what_it_gave_before(text: str) -> None:
    assert clean_text(text) == reference_clean_text(text)
    assert phrases(text, STOP) == reference_phrases(text, STOP)


def test_generated_tweets_give_what_they_gave_before() -> None:
    rng = np.random.default_rng(0)
    pieces = [[str(rng.choice(FRAGMENTS)) + str(rng.choice(SEPARATORS)) for _ in range(rng.integers(0, 14))] for _ in range(3000)]
    _assert_same(["".join(p) for p in pieces])


@pytest.mark.skipif(not TWCS_SAMPLE.is_file(), reason="../shared/data/twcs_sample is not beside the checkout")
def test_twcs_texts_give_what_they_gave_before() -> None:
    _assert_same(pd.read_csv(TWCS_SAMPLE, dtype=str, keep_default_na=False)["text"].tolist())


@pytest.mark.skipif(not BANKING77.is_file(), reason="../shared/data/banking77 is not beside the checkout")
def test_banking77_texts_give_what_they_gave_before() -> None:
    _assert_same(pd.read_csv(BANKING77, dtype=str, keep_default_na=False)["text"].tolist(), every_setting=5)


@pytest.mark.skipif(not (GOEMOTIONS / "test.tsv").is_file(), reason="../shared/data/goemotions is not beside the checkout")
def test_goemotions_texts_give_what_they_gave_before() -> None:
    frame = pd.read_csv(GOEMOTIONS / "test.tsv", sep="\t", header=None, dtype=str, keep_default_na=False, quoting=3)
    _assert_same(frame[0].tolist(), every_setting=5)


def test_whitespace_is_what_noise_can_neither_hold_nor_read() -> None:
    """Why a text is cleaned a word at a time: ``str.split``'s whitespace is ``\\s``, never ``\\w``, nor in a match."""
    chars = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert all(re.fullmatch(r"\s", c) and not re.fullmatch(r"[\w.+@:-]", c) for c in chars)
    assert not any(chr(c).isspace() for c in range(0x110000) if re.fullmatch(r"\s", chr(c)) is None)


# -- less work for it ----------------------------------------------------------------------------


class _Recorder:
    """Stands for a compiled pattern, keeping what each of its methods was given."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.pattern, name)

        def record(*args: Any) -> Any:
            self.calls.append((name, args))
            return method(*args)

        return record


def test_noise_is_tried_only_on_the_words_that_can_hold_it(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _Recorder(NOISE)
    monkeypatch.setattr(text_mod, "NOISE", recorder)
    handle = f"@brand{uuid.uuid4().hex}"  # not cleaned before, so not remembered
    out = clean_text(f"{handle} my phone died after the update. see bit.ly/x or mail me at a@b.com thanks")
    assert out == "my phone died after the update. see or mail me at thanks"
    given_texts = [args[1] for _, args in recorder.calls]
    assert handle in given_texts
    assert all(len(t.split()) == 1 and any(c in t for c in "@.:") for t in given_texts), given_texts


def test_words_written_one_space_apart_are_joined_without_a_regex(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _Recorder(describe._JOINED)
    monkeypatch.setattr(describe, "_JOINED", recorder)
    assert phrases("my card has not arrived yet", STOP) == ["card", "arrived"]
    assert phrases("new card never arrived", STOP) == ["new", "card", "arrived", "new card"]  # "never": a stop word
    assert recorder.calls == []
    words, joined = ["card", "lost", "top", "up", "failed"], ["card lost", "lost top", "top up", "up failed"]
    assert phrases("card's lost - top-up failed", STOP) == words + joined
    assert recorder.calls  # a gap other than one space is read by the pattern


def test_keywords_read_each_distinct_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["my card has not arrived", "refund still pending", "thanks", "card not arrived yet", "refund my money"] * 40
    texts += ["the app keeps crashing", "app crashing again"] * 3
    labels = np.array([i % 3 for i in range(len(texts))])
    groups = [f"c{i % 17}" for i in range(len(texts))]
    # the same texts made distinct by trailing spaces, which cleaning drops: the same words, read one by one
    spaced = [t + " " * k for k, t in enumerate(texts)]
    describer = CTfidfDescriber(n_keywords=4)
    expected = describer.keywords(spaced, labels, 3), describer.keywords(spaced, labels, 3, groups=groups)
    calls: list[str] = []

    def counted(text: str, stop_words: frozenset[str], ngram_range: tuple[int, int] = (1, 2)) -> list[str]:
        calls.append(text)
        return phrases(text, stop_words, ngram_range)

    monkeypatch.setattr(describe, "phrases", counted)
    got = describer.keywords(texts, labels, 3), describer.keywords(texts, labels, 3, groups=groups)
    assert got == expected
    assert expected[0][0][:2] == ["arrived", "card"]
    assert sorted(calls) == sorted([*set(texts)] * 2)
