r"""Cleaning customer texts before they are embedded or described: what a topic is *not* about.

Tweets to a brand start with its @handle ("@AppleSupport my phone ..."); left in, the handle
decides the topic (customers cluster by brand, not by what they write about). So before a text
is embedded, :func:`clean_text` removes @handles (anonymised ones such as ``@123456`` too),
links (with or without a scheme: ``https://t.co/x``, ``www.x.com``, ``pic.twitter.com/x``,
``bit.ly/x``), e-mail addresses, decodes HTML character references (``&amp;`` -> ``&``) and
literal ``\uXXXX`` escapes and removes HTML markup (``<p>``, ``<div class="...">``: Intercom,
Zendesk's ``html_body`` and e-mail bodies, whose tags became topic names and keywords) as the
emotion scorer does (:func:`journeymap.emotions.normalize.decode_text`), and collapses whitespace. A text left
without anything is a text without words (topic ``"other"``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from journeymap.emotions.normalize import decode_text, may_decode

__all__ = ["LINK", "NOISE", "clean_text"]

#: A link: with a scheme or ``www.``, or a bare domain followed by a path (``pic.twitter.com/abc``,
#: ``bit.ly/3xYz``), or a bare domain ending in a common top-level domain (``example.com``; not the
#: two-letter ones that are also words, "it", "me": "done.it works" is a missing space).
LINK = (
    r"(?:https?://|www\.)\S+"
    r"|\b(?:[a-z0-9-]+\.)+[a-z]{2,}/\S*"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|io|ly|uk|info|biz)\b"
)
#: What :func:`clean_text` removes: e-mail addresses (before handles, which they contain),
#: links, then @handles.
NOISE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|" + LINK + r"|@\w+", re.IGNORECASE)


def clean_text(text: str) -> str:
    """``text`` without @handles, links, e-mail addresses and HTML markup, escapes decoded, whitespace collapsed.

    Examples:
        >>> clean_text("@AppleSupport @123456 my phone  died &amp; won't charge https://t.co/abc pic.twitter.com/x")
        "my phone died & won't charge"
        >>> clean_text("mail john.doe@gmail.com or see bit.ly/3xYz and example.com")
        'mail or see and'
        >>> clean_text("@AppleSupport")
        ''
        >>> clean_text("I&nothing &amp;lt;3")  # only the XML names and numbers, as often as escaped
        'I&nothing <3'
        >>> clean_text('<div class="intercom-container"><p>My card&#39;s <b>blocked</b></p></div>')
        "My card's blocked"
    """
    out = _without_noise(decode_text(text) if may_decode(text) else text)
    for _ in range(2):  # a handle removed from inside a tag ("<br@u>" -> "<br >") can leave markup: again, at most twice
        if not may_decode(out):
            break
        text, out = out, _without_noise(decode_text(out))
        if out == text:
            break
    return out


def _without_noise(text: str) -> str:
    r"""``" ".join(NOISE.sub(" ", text).split())``, computed one whitespace-separated word at a time.

    A match of :data:`NOISE` never holds whitespace (each of its parts is made of non-space
    characters) and reads nothing beyond its own word (``\b`` sees a space as it sees the text's
    start or end), so each word is cleaned on its own. Only a word with an ``@`` (e-mail
    addresses, handles), a ``.`` or a ``:`` (links) can hold a match; the others, most words,
    are kept without trying the pattern at each of their characters (tried on the whole text, it
    cost about 65 us per tweet). A short word with one is cleaned once and remembered (a
    brand's @handle starts thousands of tweets).

    Examples:
        >>> _without_noise("hi  @Brand mail a.b@c.com, see\tbit.ly/x.")
        'hi mail , see'
    """
    out: list[str] = []
    for word in text.split():
        if "@" in word or "." in word or ":" in word:
            kept = _remembered_word_without_noise(word) if len(word) <= _REMEMBERED_LENGTH else _word_without_noise(word)
            if kept:
                out.append(kept)
        else:
            out.append(word)
    return " ".join(out)


def _word_without_noise(word: str) -> str:
    """One whitespace-free ``word`` without :data:`NOISE`, its pieces joined by a space (``""``: nothing left)."""
    return " ".join(NOISE.sub(" ", word).split())


#: Words up to this long are remembered once cleaned (handles, short links, a sentence's last word).
_REMEMBERED_LENGTH = 64
_remembered_word_without_noise = lru_cache(maxsize=1 << 14)(_word_without_noise)
