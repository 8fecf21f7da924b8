"""Language detection outside the 42 candidate languages (review C): scripts none of them is written
in, Latin-script languages py3langid knows but the candidates do not, and what scoring does with them."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap import Taxonomy
from journeymap.emotions.language import LANGUAGES, UNCODED, UNDETERMINED, detect_language, detect_languages

from .conftest import SHARED_DATA

if TYPE_CHECKING:
    from collections.abc import Sequence

TWEETEVAL_VAL = SHARED_DATA / "tweeteval_sentiment" / "val_text.txt"

#: Complaints in scripts none of the candidate languages is written in (before: "sr" or "und").
OTHER_SCRIPTS = {
    "ta": "என் பை தொலைந்துவிட்டது, யாரும் உதவவில்லை, மிகவும் மோசமான சேவை",
    "ka": "ჩემი ჩემოდანი დაიკარგა და არავინ მეხმარება, საშინელი მომსახურება",
    "km": "កាបូបខ្ញុំបាត់ ហើយគ្មាននរណាជួយទេ សេវាកម្មអាក្រក់ណាស់",
    "hy": "Իմ ճամպրուկը կորել է, և ոչ ոք չի օգնում, սարսափելի ծառայություն",
    "am": "ሻንጣዬ ጠፍቷል ማንም አይረዳኝም በጣም መጥፎ አገልግሎት",
    "si": "මගේ බෑගය නැති වුණා, කවුරුවත් උදව් කරන්නේ නැහැ, නරක සේවාවක්",
    "my": "ကျွန်တော့်အိတ် ပျောက်သွားပြီ ဘယ်သူမှ မကူညီဘူး ဝန်ဆောင်မှု ဆိုးလိုက်တာ",
    "ml": "എന്റെ ബാഗ് നഷ്ടപ്പെട്ടു, ആരും സഹായിക്കുന്നില്ല, വളരെ മോശം സേവനം",
}
#: Latin-script complaints in languages outside the candidates (before: "en", "und", "tl", "nl").
OTHER_LATIN = {
    "cy": "Mae fy mag wedi mynd ar goll a does neb yn fy helpu, gwasanaeth ofnadwy",
    "is": "Taskan mín týndist og enginn hjálpar mér, hræðileg þjónusta",
    "sw": "Mzigo wangu umepotea na hakuna anayenisaidia, huduma mbaya sana",
    "af": "Ek wag al 'n uur op die foon en niemand antwoord nie",
}
#: Scripts py3langid has no language for: the language cannot be named.
NO_LANGUAGE = ["ދިވެހި ބަސް ރަނގަޅު ނޫން", "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ"]


class English:
    """A plugin that reads English only (as the default scorer declares), scoring every text neutral."""

    id = "test.english.v1"
    taxonomy = Taxonomy.sentiment()  # positive, negative, ambiguous, neutral
    languages = ("en",)

    def __init__(self) -> None:
        self.seen: list[str] = []

    def score(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        out = np.zeros((len(texts), len(self.taxonomy.labels)), dtype=np.float32)
        out[:, 3] = 1.0
        return out


class AnyLanguage(English):
    """The same plugin declaring no languages: it reads any."""

    id = "test.any.v1"
    languages = None  # type: ignore[assignment]


def frame(texts: Sequence[str], **columns: Any) -> pd.DataFrame:
    return pd.DataFrame({"text": pd.array(texts, dtype="string"), "actor": "customer", **columns})


@pytest.mark.langid_model
@pytest.mark.parametrize("code", sorted(OTHER_SCRIPTS))
def test_a_script_no_candidate_is_written_in_gets_its_own_language(code: str) -> None:
    assert code not in LANGUAGES
    assert detect_languages([OTHER_SCRIPTS[code]]) == [code]  # before: "sr" (p ~0.75) or "und"


def test_a_short_text_in_such_a_script_is_named_too() -> None:
    assert detect_languages(["நன்றி", "ცუდი", "மோசம் 😡 @user"]) == ["ta", "ka", "ta"]


def test_a_script_py3langid_has_no_language_for_is_uncoded_not_undetermined() -> None:
    assert UNCODED == "mis"
    assert detect_languages(NO_LANGUAGE) == [UNCODED, UNCODED]
    code, share = detect_language(NO_LANGUAGE[0])
    assert code == UNCODED and share == 1.0  # the share of its letters in that script
    assert detect_languages(NO_LANGUAGE, min_confidence=0.99) == [UNCODED, UNCODED]


@pytest.mark.langid_model
@pytest.mark.parametrize("code", sorted(OTHER_LATIN))
def test_a_long_latin_text_outside_the_candidates_is_named(code: str) -> None:
    assert detect_languages([OTHER_LATIN[code]]) == [code]


@pytest.mark.langid_model
def test_candidate_languages_and_short_english_are_unchanged() -> None:
    texts = [
        "Mi maleta se perdió y nadie me ayuda, es horrible",
        "Mijn koffer is kwijt en niemand helpt me, vreselijke service",
        "Kofferten min er borte og ingen hjelper meg, elendig service",
        "Nawala ang bagahe ko at walang tumutulong sa akin, napakasamang serbisyo",
        "Moja batožina sa stratila a nikto mi nepomáha, hrozná služba",
        "I have been waiting for an hour and nobody answers, this is a terrible service",
    ]
    assert detect_languages(texts) == ["es", "nl", "no", "tl", "sk", "en"]
    # the reason for the 42 candidates: with all languages these come out af / xh
    assert detect_languages(["my bag is lost", "thanks!!", "never flying with you again", "😡😡", "ok"]) == [
        "en",
        UNDETERMINED,
        "en",
        UNDETERMINED,
        UNDETERMINED,
    ]


def test_a_mixed_text_follows_its_main_script() -> None:
    mixed = "my bag is lost again, this is the worst airline ever நன்றி"
    assert detect_languages([mixed]) == ["en"]


@pytest.mark.langid_model
@pytest.mark.skipif(not TWEETEVAL_VAL.is_file(), reason="../shared/data/tweeteval_sentiment is not beside the checkout")
def test_english_tweets_stay_english() -> None:
    tweets = TWEETEVAL_VAL.read_text(encoding="utf-8").splitlines()
    counts = Counter(detect_languages(tweets))
    assert len(tweets) == 2000
    assert (counts["en"], counts[UNDETERMINED]) == (1992, 4)  # as with the 42 candidates alone
    assert counts == Counter({"en": 1992, UNDETERMINED: 4, "tl": 3, "id": 1})


@pytest.mark.langid_model
def test_score_leaves_other_scripts_unscored_with_a_note() -> None:
    scorer = English()
    texts = [OTHER_SCRIPTS["ta"], OTHER_SCRIPTS["hy"], OTHER_LATIN["cy"], NO_LANGUAGE[0], "my bag is lost", "😡"]
    scored = jm.score(frame(texts), scorer, cache=False)
    assert scored["lang"].tolist() == ["ta", "hy", "cy", UNCODED, "en", UNDETERMINED]
    assert scorer.seen == ["my bag is lost", "😡"]  # before: Armenian (und) and Welsh (en) read as English
    assert scored["scorer"].notna().tolist() == [False, False, False, False, True, True]
    notes = scored["score_note"]
    assert notes.iloc[:4].notna().all() and notes.iloc[4:].isna().all()
    assert "language 'ta' not covered" in notes.iloc[0]
    assert "language 'mis' not covered" in notes.iloc[3]


def test_routing_sends_other_scripts_to_the_scorer_for_the_rest() -> None:
    english, rest = English(), AnyLanguage()
    texts = [OTHER_SCRIPTS["ta"], NO_LANGUAGE[0], "my bag is lost"]
    scored = jm.score(frame(texts), {"en": english, "*": rest}, cache=False)
    assert scored["scorer"].notna().all()
    assert english.seen == ["my bag is lost"] and rest.seen == texts[:2]


def test_default_scorer_leaves_a_tamil_complaint_unscored() -> None:
    texts = [OTHER_SCRIPTS["ta"], OTHER_SCRIPTS["am"], "you lost my bag and nobody helps, terrible service"]
    scored = jm.score(frame(texts), cache=False)
    assert scored["lang"].tolist() == ["ta", "am", "en"]
    assert scored["sentiment"].isna().tolist() == [True, True, False]
    assert scored["score_note"].iloc[:2].str.contains("not covered by scorer").all()
