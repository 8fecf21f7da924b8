from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import journeymap as jm
from journeymap import backends
from journeymap.exceptions import UnsupportedBackendError
from journeymap.testing.data import planted_scores

if TYPE_CHECKING:
    from collections.abc import Iterator

PLUGIN = Path(__file__).parent / "fake_plugin"


@pytest.fixture
def fake_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[type]:
    """The fake plugin distribution on sys.path: its backend is found through the entry point."""
    monkeypatch.syspath_prepend(str(PLUGIN))
    backends.refresh_backends()
    yield importlib.import_module("fake_scorer_plugin.backend").Remote
    backends.refresh_backends()


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(40, seed=3)))


def test_dask_backend_is_registered_through_its_entry_point() -> None:
    assert "dask" in backends.available_backends()
    assert backends.backend_for(pd.DataFrame()) is None


def test_dispatch_hands_the_call_to_the_backend_that_claims_the_data(fake_backend: type, scored: jm.JourneySet) -> None:
    assert "fake" in backends.available_backends()
    remote = fake_backend(scored)
    out = jm.journey_metrics(remote)
    assert remote.calls == ["journey_metrics"]
    pd.testing.assert_frame_equal(out, jm.journey_metrics(scored))


def test_function_without_a_backend_form_fails_with_one_message(fake_backend: type, scored: jm.JourneySet) -> None:
    with pytest.raises(UnsupportedBackendError, match=r"^triage has no fake form: call \.compute\(\) on the Remote"):
        jm.triage(fake_backend(scored))


def test_a_broken_backend_plugin_is_left_out_naming_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dist = tmp_path / "broken_backend-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-backend\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[journeymap.backends]\nbroken = no_such_module:Backend\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    backends.refresh_backends()
    try:
        with caplog.at_level("WARNING", logger="journeymap.backends"):
            assert "broken" not in backends.available_backends() and "dask" in backends.available_backends()
        assert "backend plugin 'broken' (no_such_module:Backend) failed to load" in caplog.text
        # in-memory data never needed it: dispatched functions still work
        assert len(jm.build_journeys(jm.datasets.service_journeys(5, seed=0))) > 0
    finally:
        monkeypatch.undo()
        backends.refresh_backends()


# The functions the Dask backend has no form of: each says so in the same words (they used to
# fail with AttributeError or TypeError deep inside pandas code).
LOCAL_ONLY = [
    "journey_metrics",
    "reply_waits",
    "response_times",
    "triage",
    "pain_points",
    "moments_of_truth",
    "journey_variants",
    "report",
]


@pytest.mark.parametrize("name", LOCAL_ONLY)
def test_dask_journeys_get_the_uniform_error(name: str) -> None:
    pytest.importorskip("dask.dataframe")
    import journeymap.distributed as jmd

    djs = jmd.build_journeys(jmd.from_pandas(jm.datasets.service_journeys(10, seed=0), npartitions=2))
    djs = djs.with_events(djs.events.map_partitions(planted_scores))
    args = ("out.html",) if name == "report" else ()
    with pytest.raises(UnsupportedBackendError, match=rf"^{name} has no dask form: call \.compute\(\) on the DaskJourneySet"):
        getattr(jm, name)(djs, *args)


def test_compare_segments_and_plots_refuse_dask_journeys_too() -> None:
    pytest.importorskip("dask.dataframe")
    import journeymap.distributed as jmd

    djs = jmd.build_journeys(jmd.from_pandas(jm.datasets.service_journeys(10, seed=0), npartitions=2))
    with pytest.raises(UnsupportedBackendError, match="compare_segments has no dask form"):
        jm.compare_segments(djs, "tier")
    with pytest.raises(UnsupportedBackendError, match="journey_map has no dask form"):
        jm.plot.journey_map(djs)
