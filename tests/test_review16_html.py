"""HTML message bodies (review 19, #5): markup is stripped before scoring and before topics, nothing else is."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeymap.emotions.cache import CACHE_REVISION, scorer_key
from journeymap.emotions.normalize import decode_escapes, decode_text, normalize_text, strip_html
from journeymap.testing import HashingEncoder
from journeymap.topics import TopicModel
from journeymap.topics._text import clean_text

from .conftest import GOEMOTIONS, SHARED_DATA

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

TWEETEVAL = SHARED_DATA / "tweeteval_sentiment"

#: What Intercom's conversation export writes around every message.
INTERCOM = '<div class="intercom-container"><p>{}</p></div>'


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Where is my card?</p>", "Where is my card?"),
        (INTERCOM.format("Why was I charged?</p><p>This is ridiculous."), "Why was I charged?\nThis is ridiculous."),
        ("<p>Thank you so much, that sorted it!<br></p>", "Thank you so much, that sorted it!"),
        ("line one<br/>line two<BR />three", "line one\nline two\nthree"),
        ('see <a href="https://x.com/help?a=1&b=2" target="_blank">the help page</a> please', "see the help page please"),
        ("it is <b>re</b>fund time", "it is refund time"),  # inline elements run on with their text
        ("<!-- sig --><p>hi</p><!--[if mso]><o:p></o:p><![endif]-->", "hi"),
        ("<style>p {color: red}</style><script>var a = 1 < 2;</script><p>the text</p>", "the text"),
        ("<!DOCTYPE html><html><body><div>hello</div></body></html>", "hello"),
        ("<p>I <3 you</p>", "I <3 you"),  # a heart inside markup stays a heart
        ("<p>press <Enter> then mail <ann@example.com></p>", "press <Enter> then mail <ann@example.com>"),
    ],
)
def test_strip_html_removes_markup(raw: str, expected: str) -> None:
    assert strip_html(raw) == expected
    assert strip_html(expected) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I <3 you",
        "broken </3",
        "a < b and c > d",
        "x<y",
        "-> next << back",
        "mail me at <ann@example.com>",
        "use the <Enter> key",
        "my <username> is taken",
        "press <b> to go back",  # a lone opening tag of an element: ambiguous, kept
        "if a <b and c> d",
        "<http://example.com/help>",
        "Re: <no subject>",
        "</>",
        "<>",
    ],
)
def test_text_that_is_not_markup_is_kept(text: str) -> None:
    assert strip_html(text) == text
    assert decode_text(text) == text
    assert normalize_text(text) == normalize_text(decode_escapes(text))


def test_normalize_text_reads_html_bodies_as_their_text() -> None:
    plain = "The app won't let me log in & I can't see my balance."
    html_body = "<p>The app won&#39;t let me log in &amp; I can&#39;t see my balance.</p>"
    assert normalize_text(html_body) == normalize_text(plain) == plain
    assert normalize_text(INTERCOM.format("love it &lt;3")) == "love it red heart"
    assert normalize_text("&lt;p&gt;escaped markup&lt;/p&gt;") == "escaped markup"  # markup written as references


@settings(deadline=None)
@given(st.lists(st.sampled_from([*"<>/=\"' abp3:(&;", "br", "div", "&lt;", "&gt;", "<!--", "-->"]), max_size=30).map("".join))
def test_normalisation_is_idempotent_on_tag_soup(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert decode_text(decode_text(text)) == decode_text(text)
    assert clean_text(clean_text(text)) == clean_text(text)


def _real_texts() -> list[str]:
    texts: list[str] = []
    for split in ("train", "dev", "test"):
        path = GOEMOTIONS / f"{split}.tsv"
        texts += [line.split("\t", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()]
    for split in ("val", "test"):
        texts += (TWEETEVAL / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    return texts


@pytest.mark.skipif(
    not (GOEMOTIONS / "train.tsv").is_file() or not (TWEETEVAL / "val_text.txt").is_file(),
    reason="../shared/data/goemotions and tweeteval_sentiment are not beside the checkout",
)
def test_real_texts_without_markup_are_unchanged() -> None:
    texts = _real_texts()
    assert len(texts) > 50_000
    changed = [t for t in texts if strip_html(decode_escapes(t)) != decode_escapes(t)]
    assert all("<" in t for t in changed)
    assert [t.strip() for t in changed] == ["Op-Ed: Gun control will not solve gun <b>violence</b> #ExpressHatred"]
    # texts without "<": normalize_text is what it was (escapes decoded, no markup step)
    sample = [t for t in texts[::7] if "<" not in t]
    assert all(decode_text(t) == decode_escapes(t) for t in sample)


class RecordingEncoder(HashingEncoder):
    """A hashing encoder that keeps every text it is asked to encode."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.seen.extend(texts)
        return super().encode(texts)


def test_topics_of_html_bodies_are_not_named_after_markup() -> None:
    rng = np.random.default_rng(0)
    vocab = {
        "card": ["card", "arrive", "delivery", "post", "waiting", "new"],
        "refund": ["refund", "money", "return", "credit", "owed", "payment"],
        "app": ["app", "crash", "login", "update", "screen", "phone"],
    }
    texts = [INTERCOM.format(" ".join(rng.choice(words, size=4, replace=False))) for words in vocab.values() for _ in range(20)]
    encoder = RecordingEncoder()
    tm = TopicModel(n_topics=3, encoder=encoder, cache=False).fit(texts)
    markup = {"div", "class", "intercom", "container", "p"}
    words = {w for kws in tm.topic_info_["keywords"] for kw in kws for w in kw.split()}
    assert words and not words & markup
    assert not {w for name in tm.topics_ for w in str(name).split()} & markup
    assert encoder.seen and not [t for t in encoder.seen if "<" in t or "class" in t]


def test_the_embedding_cache_is_keyed_by_the_stripped_text(tmp_path: pytest.TempPathFactory) -> None:
    cache = tmp_path / "cache.sqlite"  # type: ignore[operator]
    texts = [f"card {w} arrived late" for w in ("never", "still not", "not yet", "finally")] * 3
    TopicModel(n_topics=2, encoder=HashingEncoder(), cache=cache).fit([INTERCOM.format(t) for t in texts])
    later = HashingEncoder()
    TopicModel(n_topics=2, encoder=later, cache=cache).fit(texts)  # the same texts as plain text: all cached
    assert later.n_encoded == 0


def test_cache_revision_moves_with_the_markup_stripping() -> None:
    assert CACHE_REVISION >= 4
    assert scorer_key("journeymap.default.v2+onnx") == f"journeymap.default.v2+onnx#r{CACHE_REVISION}"


def test_default_scorer_scores_an_html_body_as_its_text() -> None:
    from journeymap.emotions.default import DefaultScorer

    scorer = DefaultScorer(precision="float32", backend="torch")
    html_body, plain = scorer.score(
        [
            "<p>The app won&#39;t let me log in &amp; I can&#39;t see my balance.</p>",
            "The app won't let me log in & I can't see my balance.",
        ]
    )
    np.testing.assert_allclose(html_body, plain, atol=1e-5)
