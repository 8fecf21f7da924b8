"""Pins from the rv67 mutation review of the small analytics modules.

automatic.py (AutoReplyRule's argument checks, rule keys, a subclass rule's system events),
_levels.py (level keys at the topic level, the stage index), topics.py (topic_summary and
topic_trends: order, quotes, share negative), variants.py (journey_variants' topic paths,
ties and drop-off) and _durations.py (clamping at the edges, ISO text). Hand-made frames only.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.analytics._durations import LONGEST, as_durations, durations_between, iso_durations
from journeymap.analytics._levels import level_index, level_keys
from journeymap.analytics.automatic import AutoReplyRule, rule_flags, rule_key
from journeymap.exceptions import SchemaError

T0 = pd.Timestamp("2024-01-01 09:00", tz="UTC")

Row = tuple[int, str, float, str, object, float]


def events(rows: list[Row], **extra: list[object]) -> pd.DataFrame:
    """Events from (journey, actor, seconds after T0, text, topic, valence) rows."""
    out = []
    for i, (j, actor, sec, text, topic, val) in enumerate(rows):
        out.append(
            {
                "event_id": f"e{i}",
                "customer_id": f"c{j}",
                "timestamp": T0 + pd.Timedelta(seconds=sec),
                "actor": actor,
                "channel": "chat",
                "touchpoint": "chat",
                "text": text,
                "thread_id": f"t{j}",
                "brand": "Acme",
                "topic": topic,
                "valence": val,
            }
        )
    frame = pd.DataFrame(out)
    for name, values in extra.items():
        frame[name] = pd.Series(values, index=frame.index)
    return frame


def journeys(rows: list[Row], **extra: list[object]) -> jm.JourneySet:
    return jm.build_journeys(events(rows, **extra))


# ---------------------------------------------------------------- automatic.py


def test_min_repeats_one_and_within_zero_are_accepted() -> None:
    # A1 (min_repeats < 1 -> < 2), A2 (within >= 0 -> > 0): the smallest allowed values
    assert AutoReplyRule(min_repeats=1).min_repeats == 1
    assert AutoReplyRule(within="0s").within == "0s"
    with pytest.raises(ValueError, match="min_repeats"):
        AutoReplyRule(min_repeats=0)
    with pytest.raises(ValueError, match="within"):
        AutoReplyRule(within="-1s")


def test_rule_key_ignores_how_within_is_written_and_none() -> None:
    # A3: within compared as a Timedelta
    assert rule_key(AutoReplyRule(within="60s"))[0] == rule_key(AutoReplyRule(within="1min"))[0]
    assert rule_key(AutoReplyRule(within=None))[0] != rule_key(None)[0]
    assert rule_key(AutoReplyRule(within=None))[1] is False


class _NeverAuto(AutoReplyRule):
    def flags(self, events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(len(events), dtype=bool), np.full(len(events), "", dtype=object)


def test_a_subclass_rule_still_flags_system_events_with_reason_system() -> None:
    # A4 (auto | system -> auto), A5 (reason "system" -> the rule's): a system event is never a reply
    js = journeys(
        [
            (0, "customer", 0, "help", "x", -0.5),
            (0, "system", 5, "Ticket opened", None, np.nan),
            (0, "agent", 300, "hi", None, np.nan),
        ]
    )
    auto, reason = rule_flags(js, _NeverAuto())
    assert auto.tolist() == [False, True, False]
    assert reason.tolist() == ["", "system", ""]


# ---------------------------------------------------------------- _levels.py


def test_topic_level_needs_the_topic_column() -> None:
    # L1: the SchemaError names assign_topics
    frame = events([(0, "customer", 0, "a", "x", 0.0)]).drop(columns="topic")
    with pytest.raises(SchemaError, match="assign_topics"):
        level_keys(jm.build_journeys(frame).events, "topic")


def test_level_keys_topic_rules() -> None:
    # L2 (a customer message without a topic is "(none)", not the previous one's),
    # L3 (an opening brand step takes the journey's first customer topic),
    # L6 (carrying stays within a journey)
    js = journeys(
        [
            (0, "customer", 0, "a", "billing", 0.0),
            (0, "agent", 60, "b", None, np.nan),
            (0, "customer", 120, "c", None, 0.0),
            (0, "agent", 180, "d", None, np.nan),
            (1, "agent", 1000, "broadcast", None, np.nan),
            (1, "customer", 1060, "e", "refund", 0.0),
            (2, "agent", 2000, "only brand", None, np.nan),
        ]
    )
    keys = level_keys(js.events, "topic")
    by_text = dict(zip(js.events["text"], keys, strict=True))
    assert by_text == {
        "a": "billing",
        "b": "billing",
        "c": "(none)",
        "d": "(none)",
        "broadcast": "refund",
        "e": "refund",
        "only brand": "(none)",
    }


def test_level_index_at_stage_is_ordered_and_keeps_unknown_keys_last() -> None:
    # L4 (ordered=True), L5 (keys outside the stages kept, after them)
    index = level_index(["(none)", "resolution", "contact"], "stage", ("contact", "resolution"))
    assert isinstance(index, pd.CategoricalIndex) and index.ordered
    assert index.sort_values().tolist() == ["contact", "resolution", "(none)"]
    assert index.name == "stage"


# ---------------------------------------------------------------- topics.py


def _topic_js() -> jm.JourneySet:
    return journeys(
        [
            (0, "customer", 0, "other thing", "other", -0.5),
            (0, "customer", 10, "more other", "other", -0.5),
            (0, "customer", 20, "other three", "other", -0.5),
            (1, "customer", 100, "zeta one", "zeta", -0.5),
            (1, "customer", 110, "zeta two", "zeta", np.nan),
            (2, "customer", 200, "alpha one", "alpha", 0.5),
            (2, "customer", 210, "alpha two", "alpha", 0.5),
            (2, "customer", 220, "unlabelled", None, 0.5),
        ]
    )


def test_topic_summary_order_other_last_ties_by_name_and_no_untopical_rows() -> None:
    # T1 (messages without a topic left out), T2 (other last), T3 (ties by name)
    table = jm.topic_summary(_topic_js())
    assert table.index.tolist() == ["alpha", "zeta", "other"]
    assert table["volume"].tolist() == [2, 2, 3]
    assert table["share"].tolist() == pytest.approx([2 / 7, 2 / 7, 3 / 7])


def test_topic_summary_share_negative_is_of_the_scored() -> None:
    # T5: zeta has one negative scored message and one unscored: 1.0, not 0.5
    table = jm.topic_summary(_topic_js())
    assert table.loc["zeta", "scored"] == 1
    assert table.loc["zeta", "share_negative"] == 1.0
    assert table.loc["alpha", "share_negative"] == 0.0


def test_quotes_are_distinct_best_first_ties_earliest_and_capped() -> None:
    # T6 (ties earliest first), T7 (distinct), T8 (at most n)
    js = journeys(
        [
            (0, "customer", 0, "first", "t", 0.0),
            (0, "customer", 10, "second", "t", 0.0),
            (0, "customer", 20, "best", "t", 0.0),
            (0, "customer", 30, "best", "t", 0.0),
            (0, "customer", 40, "third", "t", 0.0),
        ],
        topic_score=[0.5, 0.5, 0.9, 0.9, 0.5],
    )
    assert jm.topic_summary(js, n_quotes=3).loc["t", "quotes"] == ["best", "first", "second"]
    assert jm.topic_summary(js, n_quotes=1).loc["t", "quotes"] == ["best"]


def test_topic_trends_share_negative_is_of_the_scored_and_other_last() -> None:
    # T10 (unscored messages not counted as not negative), T11 (other last)
    trends = jm.topic_trends(_topic_js(), freq="D")
    assert trends.index.get_level_values("topic").tolist() == ["alpha", "zeta", "other"]
    assert trends["share_negative"].tolist() == [0.0, 1.0, 1.0]
    assert trends["scored"].tolist() == [2, 1, 3]


def test_topic_trends_partial_reads_every_event_not_only_topical_ones() -> None:
    # T13: the data (brand steps too) cover the whole day, so the day is not partial
    js = journeys(
        [
            (0, "agent", -9 * 3600 + 1, "early", None, np.nan),
            (0, "customer", 3600, "topic", "t", 0.0),
            (0, "agent", 14 * 3600, "late", None, np.nan),
        ]
    )
    trends = jm.topic_trends(js, freq="D")
    assert trends["partial"].tolist() == [False]


# ---------------------------------------------------------------- variants.py


def test_topic_variants_collapse_runs_but_keep_each_journeys_first_step() -> None:
    # V1 (runs of one topic once), V2 (a journey's first step kept even when the previous journey ended on its topic)
    js = journeys(
        [
            (0, "customer", 0, "a", "billing", 0.0),
            (0, "agent", 60, "b", None, np.nan),
            (0, "customer", 120, "c", "refund", 0.0),
            (1, "customer", 1000, "d", "refund", 0.0),
            (1, "agent", 1060, "e", None, np.nan),
        ]
    )
    variants = jm.journey_variants(js, level="topic", top=None)
    assert sorted(variants.index) == ["billing > refund", "refund"]


def test_variant_ties_are_ordered_by_name() -> None:
    # V3: equal counts, by path name
    frame = events([(0, "customer", 0, "a", "x", 0.0), (1, "customer", 10, "b", "x", 0.0)], touchpoint=["zz", "aa"])
    js = jm.build_journeys(frame)
    assert jm.journey_variants(js, top=None).index.tolist() == ["aa", "zz"]


def test_drop_off_rules() -> None:
    # V5 (a positive end must come after the last reply), V6/V7 (a system event is no reply and no end)
    js = journeys(
        [
            # journey 0: customer thanks, then the agent replies last: not dropped (ends on the brand)
            (0, "customer", 0, "great thanks", "x", 0.8),
            (0, "agent", 60, "you are welcome", None, np.nan),
            # journey 1: customer complains, a system ack follows: dropped (the ack is no reply)
            (1, "customer", 1000, "broken", "x", -0.8),
            (1, "system", 1005, "Ticket received", None, np.nan),
            # journey 2: positive message, agent reply, then an unscored customer word: dropped
            (2, "customer", 2000, "love it", "x", 0.8),
            (2, "agent", 2060, "glad to help", None, np.nan),
            (2, "customer", 2120, "ok", "x", np.nan),
        ],
        touchpoint=["a", "a", "b", "b", "c", "c", "c"],
    )
    variants = jm.journey_variants(js, top=None)
    assert variants["drop_off"].to_dict() == {"a > a": 0.0, "b > b": 1.0, "c > c > c": 1.0}


# ---------------------------------------------------------------- _durations.py


def test_negative_durations_past_the_longest_are_clamped() -> None:
    # D1: the negative side clamps too
    # fits in an int64 (no wraparound) but is past -106,751 days
    later = pd.Series(pd.to_datetime(["1800-01-01"], utc=True))
    earlier = later + LONGEST + pd.Timedelta(hours=1)
    with pytest.warns(UserWarning, match="292 years"):
        out = durations_between(later, earlier)
    assert pd.Timedelta(out[0]) == -LONGEST


def test_exactly_the_longest_is_no_clamp_and_no_warning() -> None:
    # D2 (abs > LONGEST -> >=)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = as_durations([float(LONGEST.value), -float(LONGEST.value)])
    assert [pd.Timedelta(v) for v in out] == [LONGEST, -LONGEST]


def test_iso_duration_of_zero_has_no_minus() -> None:
    # D5 (signed < 0 -> <= 0)
    values = pd.to_timedelta(["0s", "-1ms"]).as_unit("ns").to_numpy()
    out = iso_durations(values)
    assert out is not None
    assert out.tolist() == ["P0DT0H0M0S", "-P0DT0H0M0.001S"]


def test_drop_off_a_system_event_is_no_reply_and_a_system_only_journey_is_not_dropped() -> None:
    # V7 (a system event counted as a reply hides a positive end), V9 (a journey of system events only: 0.0, not NaN)
    js = journeys(
        [
            (0, "customer", 0, "great thanks", "x", 0.8),
            (0, "system", 5, "Ticket received", None, np.nan),
            (1, "system", 1000, "Ticket closed", None, np.nan),
        ],
        touchpoint=["d", "d", "e"],
    )
    variants = jm.journey_variants(js, top=None)
    assert variants["drop_off"].to_dict() == {"d > d": 0.0, "e": 0.0}


@pytest.mark.filterwarnings("ignore")
def test_drop_off_is_unknown_where_the_only_open_end_was_answered_outside_the_data() -> None:
    # V8 (`.where(any_dropped | ~any_unknown)` dropped in _drop_offs): a journey whose one conversation ends on a customer
    # message the source says was answered outside the data is neither dropped nor kept: NaN, not 0.0
    df = pd.DataFrame(
        {
            "event_id": ["e0", "e1", "e2"],
            "customer_id": ["c1", "c2", "c2"],
            "timestamp": [T0, T0, T0 + pd.Timedelta(minutes=1)],
            "actor": ["customer", "customer", "agent"],
            "channel": "twitter",
            "touchpoint": ["outside", "answered", "answered"],
            "text": ["where is my refund", "hi", "hello"],
            "thread_id": ["A", "C", "C"],
            "in_reply_to": [None, None, "e1"],
            "author_id": ["c1", "c2", "Brand"],
            "reply_outside_data": [True, False, False],
        }
    )
    js = jm.build_journeys(jm.read_events(df))
    e = js.events.copy()
    e["valence"] = e["event_id"].map({"e0": -0.5, "e1": 0.0})
    e["emotion"] = pd.array(np.where(e["valence"].notna(), "anger", None), dtype="string")
    e["scorer"] = "hand"
    variants = jm.journey_variants(js.with_events(e), top=None)
    assert np.isnan(variants.loc["outside", "drop_off"])
    assert variants.loc["answered > answered", "drop_off"] == 0.0
