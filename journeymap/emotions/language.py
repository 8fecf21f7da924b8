"""Offline language identification for scoring: which language each text is in.

:func:`detect_languages` uses ``py3langid`` (pure Python, its model bundled; about 10,000 short
texts a second on one core). Two choices make it fit short customer messages:

- the candidates are restricted to :data:`LANGUAGES` (42 widely written languages): with all 97
  of py3langid's languages, short English texts come out as Afrikaans, Xhosa or Sotho
  ("my bag is lost" -> ``af``, "thanks!!" -> ``xh``);
- a language is only named when its normalised probability reaches :data:`MIN_CONFIDENCE`;
  otherwise the code is ``"und"`` (undetermined), as it is for texts without letters
  (emoji-only, numbers). Mentions, links and emoji are removed before detection.

:func:`journeymap.score` routes ``und`` texts to the scorer of the main language (the one named
for ``"en"``, or the single scorer), so a short "ok" or "😡" is still scored.

Example:
    >>> detect_languages(["never flying with you again", "Nunca más vuelo con ustedes", "😡😡", "ok"])
    ['en', 'es', 'und', 'und']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["LANGUAGES", "MIN_CONFIDENCE", "UNDETERMINED", "detect_languages"]

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

_STRIP = re.compile(r"@\w+|\bhttps?://\S+|\bwww\.\S+|#")
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def _strip_emoji(text: str) -> str:
    if text.isascii():
        return text
    import emoji

    return str(emoji.replace_emoji(text, replace=" "))


def detect_language(text: str) -> tuple[str, float]:
    """The language code of one text and its probability (``("und", 0.0)`` without letters).

    Example:
        >>> detect_language("Wo ist mein Koffer?")[0]
        'de'
    """
    clean = _STRIP.sub(" ", _strip_emoji(text))
    if not _LETTER.search(clean):
        return UNDETERMINED, 0.0
    code, prob = _identifier().classify(clean)
    return str(code), float(prob)


def detect_languages(texts: Sequence[str], *, min_confidence: float = MIN_CONFIDENCE) -> list[str]:
    """Language codes of ``texts``: a code where its probability reaches ``min_confidence``, else ``"und"``."""
    out: list[str] = []
    for text in texts:
        code, prob = detect_language(text)
        out.append(code if prob >= min_confidence else UNDETERMINED)
    return out
