"""Review 19, real customer text: e-mail markup, languages behind it, and messages with no words.

* Outlook writes ``style="font-family:&quot;Calibri&quot;"``: references were decoded before
  markup was removed, so the quote ended the attribute early and the tag stayed in the text
  (12% of 300 sentiment decisions changed under that wrapper).
* The language was detected on the raw text: the markup's words made a short Spanish e-mail
  undetermined, so the English model scored it neutral without a note.
* A tweet of only a mention and a link (a screenshot), or a lone "?", was scored neutral and
  counted in the shares, where an image with no text is left unscored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.emotions.language import detect_language
from journeymap.emotions.normalize import decode_text, has_words, normalize_text
from journeymap.emotions.score import NO_WORDS

OUTLOOK = '<p class="MsoNormal"><span style="font-family:&quot;Calibri&quot;,sans-serif">{}</span></p>'
INTERCOM = '<div class="intercom-container"><p>{}</p></div>'


def test_outlook_markup_with_references_in_its_attributes_is_removed() -> None:
    assert decode_text(OUTLOOK.format("Where is my card?")) == "Where is my card?"
    assert normalize_text(OUTLOOK.format("Where is my card? 😡")) == "Where is my card? enraged face"
    # markup written as references is still markup, and a heart still a heart
    assert decode_text("&lt;p&gt;hello&lt;/p&gt;") == "hello"
    assert decode_text("love it &lt;3") == "love it <3"


@pytest.mark.parametrize("wrapper", [OUTLOOK, INTERCOM])
def test_the_language_is_read_from_the_words_not_the_markup(wrapper: str) -> None:
    assert detect_language(wrapper.format("sigue sin funcionar"))[0] == "es"
    assert detect_language(wrapper.format("Mi pedido no ha llegado y nadie responde"))[0] == "es"
    assert detect_language(wrapper.format("my card still has not arrived"))[0] in ("en", "und")


@pytest.mark.langid_model
def test_a_spanish_email_is_not_scored_as_english() -> None:
    frame = pd.DataFrame({"actor": ["customer", "customer"], "text": [INTERCOM.format("sigue sin funcionar"), "still broken"]})
    scored = jm.score(frame, cache=False)
    assert scored["lang"].tolist()[0] == "es"
    assert pd.isna(scored["valence"].iloc[0])
    assert "not covered" in str(scored["score_note"].iloc[0])
    assert scored["valence"].notna().iloc[1]


@pytest.mark.langid_model
def test_messages_without_words_are_left_unscored_with_a_reason() -> None:
    texts = ["@AppleSupport https://t.co/GLtz4XHcex", "?", "#12345", "😡😡😡", ":(", "still broken!!"]
    assert [has_words(t) for t in texts] == [False, False, False, True, True, True]
    events = pd.DataFrame(
        {
            "customer_id": ["a"] * 6 + ["a"],
            "timestamp": pd.date_range("2024-01-01", periods=7, freq="min", tz="UTC"),
            "actor": ["customer"] * 6 + ["agent"],
            "touchpoint": ["app"] * 7,
            "text": [*texts, "Sorry, DM us"],
        }
    )
    js = jm.score(jm.build_journeys(events, by="customer"), cache=False)
    customer = js.events[js.events["actor"] == "customer"].set_index("text")
    for text in texts[:3]:
        assert customer.loc[text, "score_note"] == NO_WORDS
        assert np.isnan(customer.loc[text, "valence"])
    assert customer.loc[texts[3:], "valence"].notna().all()
    summary = jm.touchpoint_summary(js)
    assert int(summary.loc["app", "volume"]) == 3
    assert int(summary.loc["app", "n_unscored"]) == 3
