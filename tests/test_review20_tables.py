"""Fixes from a review of the tables in a pandas notebook (rv45): ``build_journeys`` reads a frame's
named index as ``read_events`` does, CSV attribute columns get pandas' types, stage-level tables
keep the stage order, infinities in JSON Lines, and one string dtype for labels."""

from __future__ import annotations

import pandas as pd
import pytest

import journeymap as jm


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return jm.datasets.service_journeys(n_customers=60, seed=1).events.copy()


# -- 1. build_journeys(df) reads a named index as read_events does -----------------------------------------
def test_build_journeys_reads_a_named_event_id_index_as_read_events_does(raw: pd.DataFrame) -> None:
    indexed = raw.set_index("event_id")
    plain = jm.build_journeys(raw)
    via_log = jm.build_journeys(jm.read_events(indexed))
    direct = jm.build_journeys(indexed)
    assert len(plain) == len(via_log) == len(direct)
    answered = [int(jm.response_times(x)["first_response"].notna().sum()) for x in (plain, via_log, direct)]
    assert answered[0] == answered[1] == answered[2] > 0
    assert direct.events["event_id"].tolist() == plain.events["event_id"].tolist()


def test_build_journeys_reads_a_customer_and_event_multiindex(raw: pd.DataFrame) -> None:
    indexed = raw.set_index(["customer_id", "event_id"])
    direct = jm.build_journeys(indexed)
    assert len(direct) == len(jm.build_journeys(jm.read_events(indexed))) == len(jm.build_journeys(raw))
    pd.testing.assert_frame_equal(jm.response_times(direct), jm.response_times(jm.build_journeys(raw)))
