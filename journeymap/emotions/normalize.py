r"""Text normalisation applied before tokenising, the same in training and in scoring.

The encoder's vocabulary (uncased English WordPiece) has no emoji: before this step "😡😡😡" and
"😍👍" were unknown tokens and scored neutral. :func:`normalize_text` turns

- emoji into their CLDR names in words (``😡`` -> ``enraged face``; skin tones and the
  variation selector are dropped), via the ``emoji`` package;
- common ASCII emoticons (``:)``, ``:-(``, ``:'(``, ``<3``, ``xD`` ...) into words
  (``smiling face``, ``frowning face``, ``crying face``, ``red heart`` ...), a repeated mouth
  (``:((``, ``:)))``) as one face; faces opening with ``:`` or ``;`` and closing with a symbol
  may touch the word or punctuation before them (``ok:(``) and punctuation after them
  (``:(.``), the others must stand apart; never before a word character, slash or bracket
  (so ``http://``, ``a:b`` or ``f(x=(a))`` are untouched);
- HTML character references (``&amp;``, ``&lt;``, ``&#39;``: tweets from Twitter's API and web
  exports carry them, so ``&lt;3`` is a heart) and literal ``\uXXXX`` escapes (``don\u2019t``, left
  by text encoded twice as JSON) into the characters they stand for (:func:`decode_escapes`);
- user mentions into ``@user`` and links into ``http``, as in the TweetEval training tweets;
- characters repeated more than three times into three (``soooooo`` -> ``sooo``,
  ``!!!!!!`` -> ``!!!``), which keeps the emphasis and bounds the token count.

ALL CAPS is kept as it is: the tokenizer is uncased, so capitals carry no signal to this encoder
(a cased plugin scorer still sees them, because plugins get the raw text).

Examples:
    >>> normalize_text("thanks for nothing 😡")
    'thanks for nothing enraged face'
    >>> normalize_text("@AmericanAir soooooo late!!!!!! :( https://t.co/x")
    '@user sooo late!!! frowning face http'
    >>> normalize_text("lost my bag again:(( thanks :))")
    'lost my bag again frowning face thanks smiling face'
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

__all__ = ["EMOTICONS", "decode_escapes", "normalize_text"]

#: ASCII emoticons and the emoji name each stands for (matched case-insensitively, standing apart).
EMOTICONS: dict[str, str] = {
    ":)": "smiling face",
    ":-)": "smiling face",
    ":]": "smiling face",
    "=)": "smiling face",
    ":d": "grinning face",
    ":-d": "grinning face",
    "xd": "grinning squinting face",
    ";)": "winking face",
    ";-)": "winking face",
    ":p": "face with tongue",
    ":-p": "face with tongue",
    ":(": "frowning face",
    ":-(": "frowning face",
    ":[": "frowning face",
    "=(": "frowning face",
    ":'(": "crying face",
    ":,(": "crying face",
    ":/": "confused face",
    ":-/": "confused face",
    ":\\": "confused face",
    ":|": "neutral face",
    ":-|": "neutral face",
    ":o": "face with open mouth",
    ":-o": "face with open mouth",
    ">:(": "angry face",
    "<3": "red heart",
    "</3": "broken heart",
}
_KEYS = sorted(EMOTICONS, key=len, reverse=True)


def _alternatives(keys: list[str]) -> str:
    """One regex alternative per emoticon, its mouth repeatable (``:((``, ``:DDD``, ``<333``)."""
    return "|".join(re.escape(e) + re.escape(e[-1]) + "*" for e in keys)


#: Faces that may touch the word or punctuation before them ("ok:(", "sorry!!:(", "(:(")): those
#: opening with ":", ";" or ">" and ending in a symbol. The others ("xD", ":p", "<3", "=)") must
#: stand apart, so that "boxd", "if n<3" or "x=(" are not read as faces.
_ATTACHED = [e for e in _KEYS if e[0] in ":;>" and not e[-1].isalnum()]
_EMOTICON = re.compile(
    rf"(?:(?<!\S)(?:{_alternatives(_KEYS)})|(?:{_alternatives(_ATTACHED)}))"
    # then more faces, and no word, slash or bracket right after ("a:b", "ftp://", "(x=(a))" stay)
    rf"(?:{_alternatives(_KEYS)})*(?![\w/\\()\[\]|])",
    re.IGNORECASE,
)
#: "D:" (anguish) only in capitals and at the end of the text: "Terminal D: gate 5", "Option D:
#: the refund" are labels, not faces.
_ANGUISH = re.compile(r"(?<!\S)D:(?=\s*$)")
_MENTION = re.compile(r"(?<![\w@])@\w+")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_REPEAT = re.compile(r"(.)\1{3,}", re.DOTALL)
_SKIN = re.compile(r"_?(?:light|medium-light|medium|medium-dark|dark)_skin_tone")
_SPACES = re.compile(r"\s+")
#: The character references :func:`decode_escapes` decodes: named ones that HTML knows
#: (``&amp;``, ``&rsquo;``, ``&eacute;``) and numeric ones, each with its semicolon. Not a name
#: without one: ``html.unescape`` reads "I&nothing" as "I¬hing" and "&times up" as "× up",
#: which a customer who typed "&" did not write.
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d+|#[xX][0-9a-fA-F]+);")
_UNICODE_ESCAPES = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")


@lru_cache(maxsize=1)
def _html5_names() -> frozenset[str]:
    from html.entities import html5

    return frozenset(name for name in html5 if name.endswith(";"))


def _reference(match: re.Match[str]) -> str:
    ref = match.group(0)
    if ref[1] != "#" and ref[1:] not in _html5_names():
        return ref  # "&notaname;" is text
    return html.unescape(ref)


def _utf16(match: re.Match[str]) -> str:
    run = match.group(0)
    units = [int(run[i + 2 : i + 6], 16) for i in range(0, len(run), 6)]
    out: list[str] = []
    i = 0
    while i < len(units):
        unit = units[i]
        if i + 1 < len(units) and 0xD800 <= unit < 0xDC00 and 0xDC00 <= units[i + 1] < 0xE000:
            out.append(chr(0x10000 + ((unit - 0xD800) << 10) + (units[i + 1] - 0xDC00)))  # a pair: one emoji
            i += 2
            continue
        out.append(run[6 * i : 6 * i + 6] if 0xD800 <= unit < 0xE000 else chr(unit))  # a lone surrogate: as written
        i += 1
    return "".join(out)


def decode_escapes(text: str) -> str:
    r"""``text`` with HTML character references and literal ``\uXXXX`` escapes decoded, until none is left.

    Twitter's API and many web exports write "&" as ``&amp;``, "<" as ``&lt;`` and ">" as ``&gt;``;
    text that was encoded twice as JSON keeps ``\u2019`` for "'". Decoded repeatedly, so twice-escaped
    text (``&amp;lt;3``) comes out as written and the result is a fixed point. Only references
    with their semicolon are read, named ones that HTML knows and numeric ones: "AT&T", "Q&A" and
    "I&nothing" stay as they are. A lone surrogate escape is kept as written, its neighbours
    decoded.

    Examples:
        >>> decode_escapes("fees &amp; charges &lt;3 &amp;lt;3")
        'fees & charges <3 <3'
        >>> decode_escapes(r"don\u2019t \ud83d\ude21 caf\u00e9\ud83d")
        'don’t 😡 café\\ud83d'
        >>> decode_escapes("AT&T Q&A I&nothing &copy &rsquo; &eacute;t&eacute; &notaname;")
        'AT&T Q&A I&nothing &copy ’ été &notaname;'
    """
    while "&" in text or "\\u" in text:
        out = _ENTITY.sub(_reference, _UNICODE_ESCAPES.sub(_utf16, text))
        if out == text:
            break
        text = out
    return text


def _emoticon_words(match: re.Match[str]) -> str:
    run = match.group(0)
    words: list[str] = []
    pos = 0
    lower = run.lower()
    while pos < len(run):
        for key in _KEYS:
            if lower.startswith(key, pos):
                words.append(EMOTICONS[key])
                pos += len(key)
                while pos < len(run) and lower[pos] == key[-1]:  # a repeated mouth is one face
                    pos += 1
                break
        else:  # pragma: no cover - the regex only matches runs of known emoticons
            pos += 1
    return " " + " ".join(words) + " "


def _emoji_name(chars: str, data: dict[str, object]) -> str:
    name = str(data.get("en", "")).strip(":")
    name = _SKIN.sub("", name).replace("_", " ").strip()
    return f" {name} " if name else " "


@lru_cache(maxsize=1)
def _demojize() -> object:
    import emoji

    return emoji.replace_emoji


def normalize_text(text: str) -> str:
    """The text as the default model reads it: emoji and emoticons in words, mentions and links generic.

    Idempotent on its own output; a text without emoji, emoticons, escapes, mentions, links or
    long repeats only has its whitespace collapsed.

    Examples:
        >>> normalize_text("😍👍")
        'smiling face with heart-eyes thumbs up'
        >>> normalize_text("so good <3 &lt;3")
        'so good red heart red heart'
    """
    text = decode_escapes(text)
    if text.isascii():  # no emoji to look up: skip the emoji package's scan
        out = text
    else:
        replace = _demojize()
        out = replace(text, replace=_emoji_name).replace("\ufe0f", "")  # type: ignore[operator]
    out = _URL.sub("http", out)
    out = _MENTION.sub("@user", out)
    out = _EMOTICON.sub(_emoticon_words, out)
    out = _MENTION.sub("@user", out)  # a handle the face touched ("<3@bob"): a mention once the face is words
    out = _ANGUISH.sub(" anguished face ", out)
    out = _REPEAT.sub(lambda m: m.group(1) * 3, out)
    return _SPACES.sub(" ", out).strip()
