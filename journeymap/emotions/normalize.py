"""Text normalisation applied before tokenising, the same in training and in scoring.

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

import re
from functools import lru_cache

__all__ = ["EMOTICONS", "normalize_text"]

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

    Idempotent on its own output; a text without emoji, emoticons, mentions, links or long
    repeats only has its whitespace collapsed.

    Examples:
        >>> normalize_text("😍👍")
        'smiling face with heart-eyes thumbs up'
        >>> normalize_text("so good <3 <3")
        'so good red heart red heart'
    """
    if text.isascii():  # no emoji to look up: skip the emoji package's scan
        out = text
    else:
        replace = _demojize()
        out = replace(text, replace=_emoji_name).replace("\ufe0f", "")  # type: ignore[operator]
    out = _URL.sub("http", out)
    out = _MENTION.sub("@user", out)
    out = _EMOTICON.sub(_emoticon_words, out)
    out = _ANGUISH.sub(" anguished face ", out)
    out = _REPEAT.sub(lambda m: m.group(1) * 3, out)
    return _SPACES.sub(" ", out).strip()
