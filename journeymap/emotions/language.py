"""Offline language identification for scoring: which language each text is in.

:func:`detect_languages` uses ``py3langid`` (pure Python, its model bundled; about 10,000 short
texts a second on one core). Four rules make it fit short customer messages:

- the candidates are restricted to :data:`LANGUAGES` (42 widely written languages): with all of
  py3langid's languages (142 labels in 0.4), short English texts come out as Afrikaans, Xhosa or
  Sotho ("my bag is lost" -> ``af``, "thanks!!" -> ``xh``);
- a language is only named when its normalised probability reaches :data:`MIN_CONFIDENCE`;
  otherwise the code is ``"und"`` (undetermined), as it is for texts without letters
  (emoji-only, numbers). HTML markup and character references are read as the scorer reads
  them (:func:`~journeymap.emotions.normalize.decode_text`: an e-mail body's ``<span
  style="font-family:Calibri">`` is no words of its language); mentions, links and emoji are
  removed before detection, and so are
  the words of hashtags where the rest of the text has 6 words or 40 letters and names a
  language (``... lost my bag in Dubai #خدمة_سيئة`` is ``en``, not ``ar``; a shorter text, or
  one whose rest names none, is read with them, without their ``#``);
- the script comes first: a text more than half of whose letters are in a script none of the
  candidates is written in (Tamil, Georgian, Khmer, Armenian, Ethiopic, Sinhala, Burmese,
  Malayalam, ...; the script of a letter is the first word of its Unicode name) gets py3langid's
  best language among all of its languages when that language is written in the script
  (``ta``, ``ka``, ``km``, ...), else ``"mis"`` (:data:`UNCODED`, ISO 639-2 "uncoded languages":
  Thaana, Cherokee, ...), whatever its probability. Before, the candidates named such texts
  ``sr`` (p about 0.75) or ``und``, and ``und`` was then scored as English;
- a Latin-script text of at least 6 words or 40 letters, unless it is clearly English (``en``
  at 0.9 or more), is also given to all of py3langid's languages; a Latin-script language outside
  the candidates at 0.9 or more is kept (Welsh ``cy``, Icelandic ``is``, Swahili ``sw``, Afrikaans
  ``af``, which the candidates named ``en``, ``und``, ``tl`` or ``nl``).

Measured (``docs/model-card.md``, "Other languages"): the 2,000 TweetEval val tweets keep their
codes (1,992 ``en``, 4 ``und``, 3 ``tl``, 1 ``id``), as do GoEmotions dev (5,426) and Banking77
test (3,080); 134 of 138 hand-written complaints in 23 languages are named right (73 before).
A language py3langid does not know is named after one it knows in its script (Tigrinya as
``am``) or, in Latin script, as before.

:func:`journeymap.score` routes ``und`` texts to the scorer of the main language (the one named
for ``"en"``, or the single scorer), so a short "ok" or "😡" is still scored; ``mis`` and the
other codes go, like any language, to a scorer that reads them or are left unscored with a note.

Examples:
    >>> detect_languages(["never flying with you again", "Nunca más vuelo con ustedes", "😡😡", "ok"])
    ['en', 'es', 'und', 'und']
    >>> detect_languages(["என் பை தொலைந்துவிட்டது, யாரும் உதவவில்லை", "ދިވެހި ބަސް"])
    ['ta', 'mis']
"""

from __future__ import annotations

import copy
import logging
import os
import re
import threading
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from journeymap.emotions.normalize import decode_text, may_decode

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["LANGUAGES", "MIN_CONFIDENCE", "UNCODED", "UNDETERMINED", "detect_languages"]

logger = logging.getLogger(__name__)

#: Candidate languages (ISO 639-1 codes, as py3langid names them).
LANGUAGES: tuple[str, ...] = (
    "ar",
    "bg",
    "bn",
    "ca",
    "cs",
    "da",
    "de",
    "el",
    "en",
    "es",
    "et",
    "fa",
    "fi",
    "fr",
    "he",
    "hi",
    "hr",
    "hu",
    "id",
    "it",
    "ja",
    "ko",
    "lt",
    "lv",
    "ms",
    "nl",
    "no",
    "pl",
    "pt",
    "ro",
    "ru",
    "sk",
    "sl",
    "sr",
    "sv",
    "th",
    "tl",
    "tr",
    "uk",
    "ur",
    "vi",
    "zh",
)
#: The least normalised probability for naming a language; below it the code is :data:`UNDETERMINED`.
MIN_CONFIDENCE = 0.5
UNDETERMINED = "und"
#: ISO 639-2 "uncoded languages": the text is in a script none of py3langid's languages that is
#: written in it explains (Thaana, Cherokee, ...), so its language cannot be named; it is not
#: :data:`UNDETERMINED` (which :func:`journeymap.score` reads as the main language).
UNCODED = "mis"

#: The least probability, among all of py3langid's languages, for naming one outside
#: :data:`LANGUAGES` in a Latin-script text (Welsh, Icelandic, Swahili, Afrikaans, ...).
_FULL_CONFIDENCE = 0.9
#: A Latin-script text is long enough for all of py3langid's languages from this many words or letters.
_MIN_WORDS = 6
_MIN_LETTERS = 40

#: py3langid's languages by the script they are written in: the first word of the Unicode names of
#: their letters (after NFKC, so that fullwidth and mathematical letters count as their plain forms).
#: ``sr`` and ``uz`` are listed twice by py3langid, once per script.
_SCRIPT_LANGUAGES: dict[str, frozenset[str]] = {
    "LATIN": frozenset(
        [
            "af",
            "an",
            "az",
            "bcl",
            "br",
            "bs",
            "ca",
            "crh",
            "cs",
            "cy",
            "da",
            "de",
            "en",
            "eo",
            "es",
            "et",
            "eu",
            "ext",
            "fi",
            "fo",
            "fr",
            "fuv",
            "fy",
            "ga",
            "gcf",
            "gcr",
            "gd",
            "gl",
            "gug",
            "guw",
            "ha",
            "hr",
            "ht",
            "hu",
            "id",
            "ig",
            "is",
            "it",
            "jv",
            "kab",
            "kik",
            "ku",
            "la",
            "lb",
            "lg",
            "lij",
            "ln",
            "lt",
            "ltg",
            "lv",
            "mg",
            "ms",
            "mt",
            "nl",
            "nn",
            "no",
            "nso",
            "oc",
            "om",
            "pcm",
            "pl",
            "pt",
            "qu",
            "ro",
            "rw",
            "se",
            "sk",
            "sl",
            "sn",
            "so",
            "sq",
            "sr",
            "st",
            "sv",
            "sw",
            "tk",
            "tl",
            "tr",
            "uz",
            "vec",
            "vi",
            "vo",
            "wa",
            "xh",
            "yo",
            "zu",
        ]
    ),
    "CYRILLIC": frozenset(["ba", "be", "bg", "kk", "ky", "mk", "mn", "ru", "sr", "tg", "tt", "uk", "uz"]),
    "GREEK": frozenset({"el", "grc"}),
    "ARABIC": frozenset(["ar", "ary", "arz", "fa", "ps", "sdh", "ug", "ur", "uzs"]),
    "HEBREW": frozenset({"he", "hbo"}),
    "DEVANAGARI": frozenset({"gom", "hi", "mr", "ne", "sa"}),
    "BENGALI": frozenset({"as", "bn"}),
    "THAI": frozenset({"th"}),
    "CJK": frozenset({"ja", "wuu", "yue", "zh"}),
    "HIRAGANA": frozenset({"ja"}),
    "KATAKANA": frozenset({"ja"}),
    "HANGUL": frozenset({"ko"}),
    "ARMENIAN": frozenset({"hy"}),
    "ETHIOPIC": frozenset({"am"}),
    "GEORGIAN": frozenset({"ka"}),
    "GUJARATI": frozenset({"gu"}),
    "GURMUKHI": frozenset({"pa"}),
    "KANNADA": frozenset({"kn"}),
    "KHMER": frozenset({"km"}),
    "LAO": frozenset({"lo"}),
    "MALAYALAM": frozenset({"ml"}),
    "MYANMAR": frozenset({"my"}),
    "ORIYA": frozenset({"or"}),
    "SINHALA": frozenset({"si"}),
    "TAMIL": frozenset({"ta"}),
    "TELUGU": frozenset({"te"}),
    "TIBETAN": frozenset({"dz"}),
}
#: The scripts of the candidate languages; a text mostly in another script is not given to them.
_CANDIDATE_SCRIPTS = frozenset(script for script, codes in _SCRIPT_LANGUAGES.items() if codes & set(LANGUAGES))

_STRIP = re.compile(r"@\w+|\bhttps?://\S+|\bwww\.\S+|#")
#: :data:`_STRIP` with the hashtags' words too (``#خدمة_سيئة``, ``#Emirates``), not only their ``#``.
_STRIP_TAGS = re.compile(r"@\w+|\bhttps?://\S+|\bwww\.\S+|#\w*")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=2)
def _identifier(*, candidates: bool = True) -> Any:
    """py3langid's identifier (normalised probabilities), restricted to :data:`LANGUAGES` where ``candidates``.

    Both share one loaded model (:func:`_full_identifier`, 73 MB with py3langid 0.4): the
    restricted one is a shallow copy of the full one, restricted with ``set_languages``, which
    assigns it new arrays (the candidates' columns, about 8 MB) and leaves the full model's alone.
    """
    full = _full_identifier()
    if not candidates:
        return full
    restricted = copy.copy(full)
    restricted.set_languages(list(LANGUAGES))
    return restricted


_LOAD_LOCK = threading.Lock()  # a forked child gets a fresh one (_fresh_lock_after_fork)


def _fresh_lock_after_fork() -> None:
    """In a forked child: a new ``_LOAD_LOCK`` (another thread of the parent may have held it at the fork)."""
    global _LOAD_LOCK  # noqa: PLW0603 - the lock is the process's; the child's is a new one
    _LOAD_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):  # once, at import (not on Windows)
    os.register_at_fork(after_in_child=_fresh_lock_after_fork)


def _full_identifier() -> Any:
    """py3langid's identifier of all its languages, loaded once per process (threads wait for the first load)."""
    with _LOAD_LOCK:
        model = _loaded_model()
    if not hasattr(type(model), "from_model_file"):  # said again after _identifier.cache_clear()
        _older_model_notice()
    return model


@lru_cache(maxsize=1)
def _loaded_model() -> Any:
    """py3langid's model, all of its languages, with normalised probabilities.

    py3langid 0.4 loads its 142-label model with ``from_model_file``; it requires numpy 2, as 0.3
    does. Where numpy is older (1.26), pip installs py3langid 0.2.2, whose 97-language model of
    langid.py loads with ``from_pickled_model``: it works, less well (:func:`_older_model_notice`).
    """
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    load = getattr(LanguageIdentifier, "from_model_file", None) or LanguageIdentifier.from_pickled_model
    return load(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=1)
def _older_model_notice() -> None:
    """Log, once a process, that language detection runs on py3langid's model before 0.4."""
    logger.warning(
        "language detection uses py3langid's model before 0.4 (py3langid 0.3 on needs numpy 2): on the TweetEval "
        "test tweets it names 417 of 12,284 English tweets another language (0.4: 23), which are then scored "
        "by that language's scorer or left unscored; install numpy>=2 and py3langid>=0.4 for the measured detection"
    )


def _strip_emoji(text: str) -> str:
    if text.isascii():
        return text
    import emoji

    return str(emoji.replace_emoji(text, replace=" "))


@lru_cache(maxsize=4096)
def _script(letter: str) -> str | None:
    """The script of one letter: the first word of its Unicode name (``CJK``, ``KATAKANA`` for ``ー``).

    Examples:
        >>> _script("த"), _script("ｂ"), _script("ー"), _script("ʻ")
        ('TAMIL', 'LATIN', 'KATAKANA', None)
    """
    name = unicodedata.name(unicodedata.normalize("NFKC", letter)[:1] or letter, "")
    first = name.split(" ", 1)[0]
    if not first or first == "MODIFIER":
        return None
    return "KATAKANA" if first == "KATAKANA-HIRAGANA" else first


def _main_script(letters: Sequence[str]) -> tuple[str | None, float]:
    """The script of more than half of ``letters`` (None where none has a majority) and its share.

    Examples:
        >>> _main_script(list("okαβγ")), _main_script(list("okαβ"))
        (('GREEK', 0.6), (None, 0.5))
    """
    scripts = Counter(map(_script, letters))
    scripts.pop(None, None)
    total = sum(scripts.values())
    if not total:
        return None, 0.0
    script, count = scripts.most_common(1)[0]
    share = count / total
    return (script, share) if share > 0.5 else (None, share)


def _long_enough(letters: Sequence[str], clean: str) -> bool:
    """Whether a text of these ``letters`` is long enough to tell its language by all of py3langid's languages."""
    return len(letters) >= _MIN_LETTERS or len(_WORD.findall(clean)) >= _MIN_WORDS


def _named(code: str, prob: float, min_confidence: float) -> bool:
    """Whether :func:`detect_languages` names ``code`` (at ``prob``) rather than writing ``"und"``."""
    return prob >= min_confidence or (code not in LANGUAGES and code != UNDETERMINED)


def detect_language(text: str, *, min_confidence: float = MIN_CONFIDENCE) -> tuple[str, float]:
    """The language code of one text and its probability (``("und", 0.0)`` without letters).

    A text mostly in a script no candidate language is written in gets py3langid's best language
    among all of its languages where that language is written in the script, else ``"mis"``
    (:data:`UNCODED`) with the share of its letters in that script as the probability.

    Hashtags name topics, places and campaigns, often in another language or script than the
    message (``lost my bag in Dubai #خدمة_سيئة #مطار_دبي`` came out ``ar``): a text with hashtags
    is read first without their words, where what remains has :data:`_MIN_WORDS` words or
    :data:`_MIN_LETTERS` letters (the length from which a Latin-script text is given to all of
    py3langid's languages), and that reading is kept where it names a language (at
    ``min_confidence``, as :func:`detect_languages` does); otherwise, as for a shorter text, whose
    hashtags may be most of what it says, the hashtags are read too (without their ``#``).

    Examples:
        >>> detect_language("Wo ist mein Koffer?")[0]
        'de'
        >>> detect_language("என் பை தொலைந்துவிட்டது")[0], detect_language("ދިވެހި ބަސް")[0]
        ('ta', 'mis')
        >>> detect_language("Worst airline ever, lost my bag in Dubai #Emirates #خدمة_سيئة #مطار_دبي")[0]
        'en'
        >>> detect_language("#خدمة_سيئة #مطار_دبي #الإمارات")[0]  # hashtags only: read
        'ar'
        >>> detect_language('<div class="intercom-container"><p>sigue sin funcionar</p></div>')[0]  # the markup is no words
        'es'
    """
    plain = _strip_emoji(decode_text(text) if may_decode(text) else text)
    if "#" in plain:
        bare = _STRIP_TAGS.sub(" ", plain)
        letters = _LETTER.findall(bare)
        if _long_enough(letters, bare):
            code, prob = _classify(bare, letters)
            if _named(code, prob, min_confidence):
                return code, prob
    clean = _STRIP.sub(" ", plain)
    return _classify(clean, _LETTER.findall(clean))


def _classify(clean: str, letters: Sequence[str]) -> tuple[str, float]:
    """:func:`detect_language` of a text already cleaned (``clean``), whose letters are ``letters``."""
    if not letters:
        return UNDETERMINED, 0.0
    script, share = ("LATIN", 1.0) if clean.isascii() else _main_script(letters)
    if script is not None and script not in _CANDIDATE_SCRIPTS:
        code, prob = _identifier(candidates=False).classify(clean)
        if code in _SCRIPT_LANGUAGES.get(script, ()):
            return str(code), float(prob)
        return UNCODED, share
    code, prob = _identifier().classify(clean)
    if (
        script == "LATIN"
        and not (code == "en" and prob >= _FULL_CONFIDENCE)  # clear English: the usual text, kept fast
        and _long_enough(letters, clean)
    ):
        other, other_prob = _identifier(candidates=False).classify(clean)
        if other not in LANGUAGES and other in _SCRIPT_LANGUAGES["LATIN"] and other_prob >= _FULL_CONFIDENCE:
            return str(other), float(other_prob)
    return str(code), float(prob)


def detect_languages(texts: Sequence[str], *, min_confidence: float = MIN_CONFIDENCE) -> list[str]:
    """Language codes of ``texts``: a code where its probability reaches ``min_confidence``, else ``"und"``.

    A code outside :data:`LANGUAGES` (or ``"mis"``) is decided by the text's script, or by all of
    py3langid's languages at :data:`_FULL_CONFIDENCE`, and is kept whatever ``min_confidence``.

    Examples:
        >>> detect_languages(["Where is my refund?", "Où est passé mon remboursement ?", "👍"])
        ['en', 'fr', 'und']
        >>> detect_languages(["see you"]), detect_languages(["see you"], min_confidence=0.95)
        (['en'], ['und'])
    """
    out: list[str] = []
    for text in texts:
        code, prob = detect_language(text, min_confidence=min_confidence)
        out.append(code if _named(code, prob, min_confidence) else UNDETERMINED)
    return out
