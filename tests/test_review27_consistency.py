"""Pins that figures stated in several places agree, or that the difference is said where it is read.

Review 27 (rv71) recounted the TWCS sample and ``service_journeys`` across the public tables, the
report and the CLI tables. Pinned here: the service stages read the actor alone, so an automatic
acknowledgement sent from an agent's account (repeated text) is the ``first_response`` stage while
the response times count no reply; the report's definition of the stages must say so.
"""

from __future__ import annotations

import journeymap as jm
from journeymap.report import DEFINITIONS
from journeymap.testing.data import planted_scores


def test_report_stage_definition_says_an_automatic_reply_can_be_the_first_response_stage() -> None:
    js = planted_scores(jm.build_journeys(jm.datasets.service_journeys(20, seed=0)))
    replies = jm.reply_table(js)
    stage = js.events.set_index("event_id")["stage"].astype("string")
    automatic_first = replies.index[replies["automatic"].to_numpy(dtype=bool)]
    # the premise: on this data an automatic acknowledgement is the first_response stage
    assert (stage.loc[automatic_first] == "first_response").any()
    first_response = DEFINITIONS["stages"].split("'first_response':")[1].split("'follow_up':")[0]
    assert "automatic" in first_response, first_response
