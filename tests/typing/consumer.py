"""User code that mypy checks (``[tool.mypy] files``): the public functions' types, as a typed consumer sees them.

Nothing here runs: it is all under TYPE_CHECKING, only type-checked. ``assert_type`` fails mypy
where an inferred type differs, and an ``ignore`` that is no longer needed fails it too
(``warn_unused_ignores``): a call that must stay refused is written with one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the whole module: mypy checks it, and importing it (pytest's doctest collection) runs nothing
    from typing import assert_type

    import dask.dataframe as dd
    import numpy as np
    import pandas as pd

    import journeymap as jm
    from journeymap.distributed import DaskEventLog, DaskJourneySet

    def dask_data_keeps_its_types(frame: dd.DataFrame, log: DaskEventLog, djs: DaskJourneySet) -> None:
        """The top-level functions documented to take Dask data, given it (rv38 finding 6)."""
        assert_type(jm.read_events(frame), DaskEventLog)
        assert_type(jm.build_journeys(log), DaskJourneySet)
        assert_type(jm.build_journeys(frame), DaskJourneySet)
        assert_type(jm.score(djs, cache=False), DaskJourneySet)
        assert_type(jm.score(frame), dd.DataFrame)
        assert_type(jm.assign_topics(djs), DaskJourneySet)
        assert_type(jm.assign_topics(frame), dd.DataFrame)
        assert_type(jm.touchpoint_summary(djs, level="stage"), pd.DataFrame)
        assert_type(jm.time_patterns(djs), pd.DataFrame)
        jm.journey_graph(djs)  # networkx is untyped: the graph is Any, but the call is accepted

    def distributed_functions_keep_their_types(frame: dd.DataFrame, djs: DaskJourneySet) -> None:
        import journeymap.distributed as jmd

        assert_type(jmd.score(djs, cache=False), DaskJourneySet)
        assert_type(jmd.score(frame), dd.DataFrame)
        assert_type(jmd.assign_topics(djs), DaskJourneySet)
        assert_type(jmd.assign_topics(frame), dd.DataFrame)

    def memory_data_keeps_its_types(events: pd.DataFrame, log: jm.EventLog, js: jm.JourneySet) -> None:
        assert_type(jm.read_events(events), jm.EventLog)
        assert_type(jm.read_events("events.csv"), jm.EventLog)
        assert_type(jm.build_journeys(log), jm.JourneySet)
        assert_type(jm.build_journeys(events), jm.JourneySet)
        assert_type(jm.score(js), jm.JourneySet)
        assert_type(jm.score(events), pd.DataFrame)
        assert_type(jm.assign_topics(js), jm.JourneySet)
        assert_type(jm.assign_topics(events), pd.DataFrame)
        assert_type(jm.touchpoint_summary(js), pd.DataFrame)

    def what_stays_refused(js: jm.JourneySet) -> None:
        jm.assign_topics(42)  # type: ignore[type-var]
        jm.score("some text")  # type: ignore[type-var]
        jm.touchpoint_summary(js.events)  # type: ignore[arg-type]

    def seeds_and_titles(js: jm.JourneySet) -> None:
        """seed= takes an int, None or a Generator (finding 7); the plots take top=None and title= (4, 8)."""
        jm.touchpoint_summary(js, seed=None)
        jm.pain_points(js, seed=np.random.default_rng(0), top=None)
        jm.journey_graph(js, seed=np.random.default_rng(0))
        jm.touchpoint_summary(js, seed="0")  # type: ignore[arg-type]
        jm.plot.emotion_heatmap(js, top=None, title="")
        jm.plot.emotion_mix(js, top=None, title="Mix")
        jm.plot.topic_trends(js, top=None, title=None)
        jm.plot.interactive_map(js, level="stage")  # type: ignore[arg-type]
