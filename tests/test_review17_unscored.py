"""Review 17: customer messages left unscored (a language the scorer does not read, no text) are
counted and named downstream instead of vanishing: triage's reason, ``n_unscored`` in the pain
points and touchpoint summaries (on one machine and on a cluster), ``n_scored_steps`` in the
journey metrics; and hashtags in another language no longer decide a text's language."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
import journeymap.analytics.service
from journeymap import Taxonomy
from journeymap.emotions.language import detect_languages
from journeymap.schema import is_score_column
from journeymap.testing import HashingEncoder
from journeymap.testing.data import planted_scores

from .conftest import SHARED_DATA

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

#: What jm.score writes to ``score_note`` for a Spanish text with the default scorer.
SPANISH_NOTE = (
    "language 'es' not covered by scorer 'journeymap.default.v2' (it reads en); "
    "route it with scorer={'en': 'default', '*': <a multilingual model>}"
)
TWEETEVAL_TEST = SHARED_DATA / "tweeteval_sentiment" / "test_text.txt"
GOEMOTIONS_TEST = SHARED_DATA / "goemotions" / "test.tsv"


def unscored(
    events: pd.DataFrame, hit: pd.Series | np.ndarray, *, lang: str = "es", note: str | None = SPANISH_NOTE
) -> pd.DataFrame:
    """``events`` (scored) with the customer rows ``hit`` as :func:`jm.score` leaves a text it does not read.

    Every score column NA (``emo_*``, ``emotion``, ``valence``, ``sentiment``, ``scorer``), ``lang``
    the text's language and ``score_note`` why; the other customer rows ``lang`` "en".
    """
    out = events.copy()
    customer = (out["actor"].astype("string") == "customer").fillna(False).to_numpy(dtype=bool)
    at = customer & np.asarray(hit, dtype=bool)
    for column in out.columns:
        if is_score_column(column) or column in ("valence", "emotion", "sentiment", "scorer"):
            out[column] = out[column].mask(at)
    if "lang" not in out.columns:  # scored before: its languages and notes stay
        out["lang"] = pd.array(np.where(customer, "en", None), dtype="string")
        out["score_note"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["lang"] = out["lang"].mask(at, lang)
    out["score_note"] = out["score_note"].mask(at, note)
    return out


@pytest.fixture(scope="module")
def planted() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(60, seed=0)))


def with_unscored(js: jm.JourneySet, hit: pd.Series | np.ndarray, **options: object) -> jm.JourneySet:
    return js.with_events(unscored(js.events, hit, **options))  # type: ignore[arg-type]


# -- 1. triage: an unscored complaint is "not scored", never "open, calm" --------------------------


class Words:
    """A plugin that reads English only, as the default scorer declares: negative where a text says wrong or broken."""

    id = "test.words.v1"
    taxonomy = Taxonomy.sentiment()  # positive, negative, ambiguous, neutral
    languages = ("en",)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.taxonomy.labels)), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, 1 if any(w in text.lower() for w in ("wrong", "broken")) else 3] = 1.0
        return out


def outage_day() -> jm.JourneySet:
    """A Spanish complaint and an English one, both open, and an answered ticket; scored by :class:`Words`."""
    t = pd.Timestamp("2024-05-01 09:00", tz="UTC")
    rows = [
        ("a", "c1", t, "customer", "outage", "¡Llevo tres días sin internet y nadie me responde! Es una vergüenza"),
        ("b", "c2", t, "customer", "billing", "My bill is wrong again, third time. Fix it."),
        ("c", "c3", t - pd.Timedelta("2h"), "customer", "outage", "my router is broken"),
        ("d", "c3", t - pd.Timedelta("1h"), "agent", "outage", "Sorry about that, an engineer is on the way."),
    ]
    frame = pd.DataFrame(rows, columns=["event_id", "customer_id", "timestamp", "actor", "touchpoint", "text"])
    frame["channel"], frame["brand"] = "twitter", "Acme"
    return jm.score(jm.build_journeys(jm.read_events(frame), by="customer"), Words(), cache=False)


def test_triage_says_an_unscored_complaint_was_not_read() -> None:
    js = outage_day()
    assert js.events.set_index("event_id").loc["a", "lang"] == "es"  # as jm.score leaves it: no valence, a note
    table = jm.triage(js, now="2024-05-01 09:30Z")
    assert table.index.tolist() == ["b", "a"]  # the read complaint first; the unread one by its wait
    assert table.loc["a", "reason"] == "open, not scored (language 'es')"  # before: "open, calm"
    assert table.loc["b", "reason"].startswith("negative")
    # its priority as documented: negativity and intensity count 0, so its wait and repetition rank it
    row = table.loc["a"]
    assert (row["negativity"], row["intensity"]) == (0.0, 0.0)
    weights = jm.analytics.service.TRIAGE_WEIGHTS
    assert row["priority"] == pytest.approx(weights["waiting"] * row["waiting_part"] + weights["repetition"] * row["repetition"])


def test_triage_names_why_a_message_was_not_scored(planted: jm.JourneySet) -> None:
    before = jm.triage(planted)
    waiting = before.index[before["status"] == "waiting"][:3].tolist()
    ids = planted.events["event_id"]
    js = with_unscored(planted, ids.isin(waiting[:1]).to_numpy())
    js = js.with_events(unscored(js.events, ids.isin(waiting[1:2]).to_numpy(), lang=pd.NA, note="no text"))  # type: ignore[arg-type]
    bare = unscored(js.events, ids.isin(waiting[2:3]).to_numpy(), lang=pd.NA, note=None)  # no score, no note
    reasons = jm.triage(js.with_events(bare.drop(columns=["score_note"]))).loc[waiting, "reason"]
    assert reasons.str.startswith("not scored").all(), reasons
    assert not reasons.str.contains("calm").any()
    reasons = jm.triage(js.with_events(bare)).loc[waiting, "reason"]
    assert reasons.iloc[0].startswith("not scored (language 'es'); waiting ")
    assert reasons.iloc[1].startswith("not scored (no text); waiting ")
    assert reasons.iloc[2].startswith("not scored; waiting ")


@pytest.mark.langid_model
def test_the_report_triage_table_says_not_scored(tmp_path: Path) -> None:
    page = jm.report(outage_day(), tmp_path / "report.html", examples=0).read_text(encoding="utf-8")
    assert "open, not scored (language" in page and "open, calm" not in page
    assert '<th scope="col">not scored</th>' in page  # the pain points and touchpoints tables count them


# -- 2. pain_points and touchpoint_summary count the unscored messages ------------------------------


def test_pain_points_count_unscored_messages_and_keep_an_unread_touchpoint(planted: jm.JourneySet) -> None:
    events = planted.events
    customer = events["actor"] == "customer"
    billing = np.flatnonzero((customer & (events["touchpoint"] == "billing")).to_numpy())
    hit = ((events["touchpoint"] == "refund") & customer).to_numpy()  # every refund message unread
    hit[billing[:3]] = True
    js = with_unscored(planted, hit)
    pains = jm.pain_points(js, top=None)
    assert list(pains.columns[:6]) == ["rank", "impact", "impact_low", "impact_high", "volume", "n_unscored"]
    refunds = int((customer & (events["touchpoint"] == "refund")).sum())
    assert pains.loc["refund", "volume"] == 0 and pains.loc["refund", "n_unscored"] == refunds > 0  # before: no refund row
    assert np.isnan(pains.loc["refund", "impact"]) and pains.index[-1] == "refund"  # its pain unknown: ranked last
    billings = int((customer & (events["touchpoint"] == "billing")).sum())
    assert (pains.loc["billing", "n_unscored"], pains.loc["billing", "volume"]) == (3, billings - 3)
    assert int(pains["volume"].sum() + pains["n_unscored"].sum()) == int(customer.sum())
    assert pains["n_unscored"].dtype == np.int64 and (pains.drop(index=["refund", "billing"])["n_unscored"] == 0).all()
    # the others as before
    pd.testing.assert_frame_equal(
        pains.drop(index=["refund", "billing"], columns=["rank", "n_unscored"]),
        jm.pain_points(planted, top=None).drop(index=["refund", "billing"], columns=["rank", "n_unscored"]),
    )


@pytest.mark.parametrize("level", ["touchpoint", "stage", "topic"])
def test_touchpoint_summary_counts_unscored_messages_at_every_level(planted: jm.JourneySet, level: str) -> None:
    js = jm.assign_topics(planted, encoder=HashingEncoder(), cache=False, n_topics=4) if level == "topic" else planted
    events = js.events
    customer = (events["actor"] == "customer").to_numpy()
    hit = np.zeros(len(events), dtype=bool)
    hit[np.flatnonzero(customer)[::5]] = True  # every fifth customer message unread
    js = with_unscored(js, hit)
    summary = jm.touchpoint_summary(js, level=level)  # type: ignore[arg-type]
    assert list(summary.columns[:3]) == ["volume", "n_unscored", "mean_valence"]
    assert int(summary["n_unscored"].sum()) == int(hit.sum())
    assert int(summary["volume"].sum()) == int(customer.sum() - hit.sum())
    pains = jm.pain_points(js, level=level, top=None)  # type: ignore[arg-type]
    assert pains["n_unscored"].sort_index().equals(summary["n_unscored"].sort_index())


def test_touchpoint_summary_keeps_a_touchpoint_with_no_scored_message(planted: jm.JourneySet) -> None:
    events = planted.events
    hit = (events["touchpoint"] == "account").to_numpy()
    summary = jm.touchpoint_summary(with_unscored(planted, hit))
    row = summary.loc["account"]  # before: no row
    accounts = int((hit & (events["actor"] == "customer").to_numpy()).sum())
    assert (row["volume"], row["n_unscored"], row["top_emotions"]) == (0, accounts, "") and accounts > 0
    assert row[["mean_valence", "ci_low", "ci_high", "share_negative", "share_positive", "pos_neg_ratio"]].isna().all()
    assert summary.index[-1] == "account"  # by volume: last


def test_the_distributed_touchpoint_summary_counts_unscored_messages_too() -> None:
    jmd = pytest.importorskip("journeymap.distributed")
    log = jm.datasets.service_journeys(40, seed=2)

    def unread(events: pd.DataFrame) -> pd.DataFrame:  # the same rows in any partition: by touchpoint and event id
        some = events["event_id"].astype(str).str[-1].isin(["3", "7"]).to_numpy(dtype=bool)
        return unscored(events, (events["touchpoint"] == "refund").to_numpy(dtype=bool, na_value=False) | some)

    djs = jmd.build_journeys(jmd.from_pandas(log, npartitions=3), npartitions=4)
    djs = djs.with_events(djs.events.map_partitions(planted_scores, noise=0.0).map_partitions(unread))
    single = jm.build_journeys(log)
    single = single.with_events(unread(planted_scores(single, noise=0.0).events))
    for level in ("touchpoint", "stage"):
        local = jm.touchpoint_summary(single, level=level)  # type: ignore[arg-type]
        assert (local["n_unscored"] > 0).sum() >= 2  # several touchpoints (stages) with unscored messages
        pd.testing.assert_frame_equal(jmd.touchpoint_summary(djs, level=level), local, check_exact=False, atol=1e-9)


# -- 3. journey_metrics: how many customer steps were scored ----------------------------------------


def test_journey_metrics_count_the_scored_customer_steps(planted: jm.JourneySet) -> None:
    m = jm.journey_metrics(planted)
    journey = str(m.index[m["n_customer_steps"] >= 3][0])
    events = planted.events
    mine = np.flatnonzero(((events["journey_id"] == journey) & (events["actor"] == "customer")).to_numpy())
    hit = np.zeros(len(events), dtype=bool)
    hit[mine[-1]] = True  # the journey's last customer message is not read
    after = jm.journey_metrics(with_unscored(planted, hit))
    columns = list(after.columns)
    assert columns[columns.index("n_customer_steps") + 1] == "n_scored_steps"
    row = after.loc[journey]
    assert (row["n_customer_steps"], row["n_scored_steps"]) == (len(mine), len(mine) - 1)
    assert row["end_valence"] == pytest.approx(float(events["valence"].iloc[mine[-2]]))  # the last scored one's
    assert after["n_scored_steps"].dtype == np.int64
    assert (after.drop(index=journey)["n_scored_steps"] == after.drop(index=journey)["n_customer_steps"]).all()
    # a measure compare_segments can compare
    segments = jm.compare_segments(with_unscored(planted, hit), "tier", measure="n_scored_steps")
    assert int(segments["n_journeys"].sum()) == len(planted)


# -- 4. hashtags in another language do not decide a text's language --------------------------------


@pytest.mark.langid_model
def test_hashtags_in_another_script_do_not_make_an_english_complaint_arabic() -> None:
    texts = [
        "Worst airline ever, lost my bag in Dubai #Emirates #خدمة_سيئة #مطار_دبي",
        "Iraqi Air forces kill dozens of #ISIS #ام_الربيعين_تجمعنا#mosul#mosulop",  # TweetEval test: "ar" before
        "Llevo tres días sin internet y nadie me responde #fail #customerservice",
    ]
    assert detect_languages(texts) == ["en", "en", "es"]
    # a text whose hashtags are most of it is read with them, as before
    mostly_tags = ["NPU supporters #وحدات_حماية_سهل_نينوى #نينوى #العراق", "#خدمة_سيئة #مطار_دبي #الإمارات"]
    assert detect_languages(mostly_tags) == ["ar", "ar"]
    assert detect_languages(["#fail", "lost my bag again #fail"]) == ["und", "en"]


def test_score_reads_an_english_complaint_with_arabic_hashtags() -> None:
    text = "Worst airline ever, lost my bag in Dubai #Emirates #خدمة_سيئة #مطار_دبي"
    scored = jm.score(pd.DataFrame({"text": [text], "actor": "customer"}), Words(), cache=False)
    assert scored["lang"].tolist() == ["en"]  # before: "ar", left unscored
    assert scored["score_note"].isna().all() and scored["valence"].notna().all()


@pytest.mark.skipif(
    not (TWEETEVAL_TEST.is_file() and GOEMOTIONS_TEST.is_file()), reason="../shared/data is not beside the checkout"
)
@pytest.mark.langid_model
def test_english_test_sets_are_read_as_english_no_less() -> None:
    tweets = TWEETEVAL_TEST.read_text(encoding="utf-8").splitlines()
    counts = Counter(detect_languages(tweets))
    assert len(tweets) == 12284
    # before: 11,120 en, 1,140 und, 24 in other languages (3 ar); TweetEval is English tweets
    assert (counts["en"], counts["und"], counts["ar"]) == (11163, 1098, 1)
    assert sum(n for code, n in counts.items() if code not in ("en", "und")) == 23
    comments = [line.split("\t", 1)[0] for line in GOEMOTIONS_TEST.read_text(encoding="utf-8").splitlines()]
    counts = Counter(detect_languages(comments))
    assert (len(comments), counts["en"], counts["und"]) == (5427, 5147, 275)  # unchanged (no hashtags to speak of)
