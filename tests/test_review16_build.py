"""Review 16 of the build: an agent account that also writes as a customer elsewhere, by customer."""

from __future__ import annotations

import pandas as pd
import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores


def _log(*, tesco_reply: bool = True) -> jm.EventLog:
    """Every message filed under its author; "AppleSupport" answers c1 and, elsewhere, writes to Tesco as a customer."""

    def at(hhmm: str) -> str:
        return f"2024-01-01T{hhmm}:00Z"

    rows = [
        ("1", "c1", at("10:00"), "customer", "@AppleSupport my phone is broken", "1", None, "AppleSupport"),
        ("2", "AppleSupport", at("10:20"), "agent", "@c1 sorry, which model?", "1", "1", "AppleSupport"),
        ("3", "c1", at("10:30"), "customer", "@AppleSupport iPhone 8", "1", "2", "AppleSupport"),
        ("4", "AppleSupport", at("10:50"), "agent", "@c1 try a restart", "1", "3", "AppleSupport"),
        ("10", "AppleSupport", at("12:00"), "customer", "@Tesco where is our delivery", "10", None, "Tesco"),
        ("11", "Tesco", at("12:30"), "agent", "@AppleSupport sorry, checking", "10", "10", "Tesco"),
    ]
    if not tesco_reply:  # no row filed under an id that is no customer's: only the answering rows are moved
        rows = rows[:-1]
    columns = ["event_id", "customer_id", "timestamp", "actor", "text", "thread_id", "in_reply_to", "brand"]
    return jm.read_events(pd.DataFrame(rows, columns=columns).assign(true_emotion="anger"))


def test_agent_rows_of_an_account_that_is_a_customer_elsewhere_go_to_the_customer_they_answer() -> None:
    by_thread = planted_scores(jm.build_journeys(_log(), by="thread"))
    by_customer = planted_scores(jm.build_journeys(_log(), by="customer"))
    owners = by_customer.events.set_index("event_id")["customer_id"].astype(str)
    assert owners.to_dict() == {"1": "c1", "2": "c1", "3": "c1", "4": "c1", "10": "AppleSupport", "11": "AppleSupport"}
    for js in (by_thread, by_customer):
        (c1,) = js.journeys.index[js.journeys["customer_id"].astype(str) == "c1"]
        times = jm.response_times(js)
        assert times.loc[c1, "first_response"] == pd.Timedelta(minutes=20)
        assert not bool(times.loc[c1, "censored"])
        assert int(times.loc[c1, "unanswered"]) == 0
        levels = jm.service_levels(js, by="brand")
        assert int(levels.loc["AppleSupport", "replies"]) == 2
        assert float(levels.loc["AppleSupport", "unanswered"]) == 0.0


@pytest.mark.parametrize("tesco_reply", [True, False])
@pytest.mark.parametrize("npartitions", [1, 2, 3])
def test_dask_moves_them_as_one_machine_does(npartitions: int, tesco_reply: bool) -> None:
    pytest.importorskip("dask.dataframe")
    import dask

    import journeymap.distributed as jmd

    log = _log(tesco_reply=tesco_reply)
    single = jm.build_journeys(log, by="customer").events.set_index("event_id")["customer_id"].astype(str)
    with dask.config.set(scheduler="synchronous"):
        built = jmd.build_journeys(jmd.from_pandas(log, npartitions=npartitions), by="customer").compute()
    assert single.loc["2"] == "c1"
    got = built.events.set_index("event_id")["customer_id"].astype(str)
    pd.testing.assert_series_equal(got.sort_index(), single.sort_index())
