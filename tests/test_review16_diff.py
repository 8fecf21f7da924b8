"""Review 16 of the session's own change: what the diff review found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.datasets import service_journeys
from journeymap.testing import HashingEncoder
from journeymap.topics import get_encoder


@pytest.mark.parametrize("broadcasts", [0, 2])
def test_segment_types_do_not_depend_on_journeys_without_a_customer_step(broadcasts: int) -> None:
    events = service_journeys(n_customers=60, seed=2, broadcasts=broadcasts).events.copy()
    events["valence"] = np.random.default_rng(0).uniform(-1, 1, len(events)).round(3)
    codes = pd.factorize(events["customer_id"].astype(str))[0]
    events["vip"] = codes % 2 == 0
    events["nps"] = (codes % 11).astype("int64")
    js = jm.build_journeys(jm.read_events(events), by="thread")
    vip = jm.compare_segments(js, "vip", units=None)
    nps = jm.compare_segments(js, "nps", units=None)
    assert str(vip.index.dtype) == "boolean" and bool(vip.loc[True, "n_journeys"] > 0)
    assert str(nps.index.dtype) == "Int64" and list(nps.index) == list(range(11))


class Flat:
    id = "flat.v1"
    taxonomy = jm.Taxonomy.sentiment()

    def score(self, texts: list[str]) -> np.ndarray:
        return np.full((len(texts), 4), 0.25, dtype=np.float32)


def test_options_beside_a_scorer_or_encoder_object_are_refused() -> None:
    with pytest.raises(jm.ScorerOptionsError, match="used as it is"):
        jm.get_scorer(Flat(), batch_size=4)
    with pytest.raises(jm.ArgumentTypeError, match="used as it is"):
        get_encoder(HashingEncoder(), batch_size=4)
    scored = jm.score(pd.DataFrame({"text": ["great service", "awful wait"]}), Flat(), batch_size=8, cache=False)
    assert scored["scorer"].tolist() == [
        "flat.v1",
        "flat.v1",
    ]  # jm.score's batch_size is for scorers it builds by name, as documented


def test_an_arrow_backed_aware_column_gives_the_log_its_zone_too() -> None:
    pa = pytest.importorskip("pyarrow")
    times = pd.to_datetime(["2024-03-04 09:00", "2024-03-04 09:05", "2024-03-05 09:00"]).tz_localize("America/New_York")
    frame = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "customer_id": ["c1", "c1", "c2"],
            "actor": ["customer", "agent", "customer"],
            "text": ["hi", "hello", "yo"],
            "timestamp": pd.Series(times).astype(pd.ArrowDtype(pa.timestamp("us", tz="America/New_York"))),
        }
    )
    assert str(jm.read_events(frame).tz) == "America/New_York"
    assert str(jm.build_journeys(frame, by="customer").tz) == "America/New_York"


@pytest.mark.parametrize(
    ("text", "decoded"),
    [
        ("&" + "amp;" * 5000 + "lt;3", "<3"),
        ("&" + "#38;" * 5000 + "gt;", ">"),
        ("\\" + "u005c" * 5000 + "u2019", "\u2019"),
        ("fees &amp;amp; charges AT&amp;T", "fees & charges AT&T"),
    ],
)
def test_escapes_escaped_many_times_are_decoded_in_a_bounded_number_of_passes(
    text: str, decoded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeymap.emotions import normalize

    calls = []
    entity = normalize._ENTITY

    class Counting:
        def sub(self, repl: object, string: str) -> str:
            calls.append(1)
            return entity.sub(repl, string)  # type: ignore[arg-type]

    monkeypatch.setattr(normalize, "_ENTITY", Counting())
    assert normalize.decode_escapes(text) == decoded
    assert len(calls) <= 2 * normalize._ESCAPE_PASSES  # one level a pass took 5,000 passes (quadratic time)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        (
            '<p>Here is the invoice: <a href="https://x.com/inv.pdf" download>invoice.pdf</a></p>',
            "Here is the invoice: invoice.pdf",
        ),
        ("<div data-reactroot><p>My card is blocked</p></div>", "My card is blocked"),
        ("<table border><tr><td>Total</td></tr></table>", "Total"),
        ("My page shows <title> then nothing after </title> is that a bug?", "My page shows then nothing after is that a bug?"),
        ("<html><head><title>Re: refund</title></head><body><p>Still waiting</p></body></html>", "Still waiting"),
    ],
)
def test_tags_with_bare_attributes_are_markup_and_a_title_in_words_is_text(html: str, text: str) -> None:
    from journeymap.topics._text import clean_text

    assert clean_text(html) == text


@pytest.mark.parametrize(
    "message",
    [
        {"user": "U1", "text": "still broken", "ts": "1709892000.000100"},  # Slack
        {"body_text": "any news?", "created_at": "2024-03-08T10:00:00Z"},  # Freshdesk
        {"body_text": "any news?", "created_datetime": "2024-03-08T10:00:00Z"},  # Gorgias
        {"msg": "hello?", "timestamp": 1709892000000},  # Zendesk Chat
    ],
)
def test_arrays_of_slack_freshdesk_gorgias_and_chat_messages_are_named(message: dict[str, object]) -> None:
    from journeymap.io.sources import nested_messages

    frame = pd.DataFrame({"event_id": ["1"], "thread": [[message]]})
    assert list(nested_messages(frame)) == ["thread"]
