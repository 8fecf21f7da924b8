"""A review of journeymap embedded in a web service: forked workers on ONNX Runtime, argument checks, typing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from journeymap.emotions import _onnx

if TYPE_CHECKING:
    from pathlib import Path

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
needs_onnx = pytest.mark.skipif(not _onnx.available(), reason="onnxruntime is not installed")

#: Waits for a forked child: prints its exit status, or HUNG after killing it.
_WAIT = """
import signal, time
def wait(pid, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return "HUNG"
"""


def _run(code: str, timeout: float = 240) -> str:
    """Run ``code`` in a fresh interpreter (no onnxruntime imported yet, no telemetry setting); its stdout."""
    env = {key: value for key, value in os.environ.items() if key != "ORT_DISABLE_TELEMETRY"}
    result = subprocess.run(
        [sys.executable, "-c", "import os, sys\n" + _WAIT + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@needs_fork
@needs_onnx
def test_a_worker_forked_after_the_onnx_scorer_ran_scores_and_exits() -> None:
    # A pre-fork server: the master scores once on ONNX Runtime, then forks a worker that scores
    # and leaves with sys.exit. The worker hung for ever in ONNX Runtime's exit handlers (its
    # telemetry thread's condition variable, inherited from the parent).
    out = _run(
        """
        import numpy as np
        from journeymap.emotions.default import DefaultScorer
        scorer = DefaultScorer(precision="float32", backend="onnx")
        texts = ["thank you so much, that fixed it!", "I am so angry, the parcel never arrived"]
        parent = scorer.score(texts)
        pid = os.fork()
        if pid == 0:
            fresh = scorer.model._session is None  # the inherited session is set aside, a new one opened
            same = np.allclose(scorer.score(texts), parent, atol=1e-5)
            sys.exit(0 if fresh and same else 3)
        print("worker", wait(pid, 60))
        print("master again", np.allclose(scorer.score(texts), parent, atol=1e-5))
        """
    )
    assert "worker 0" in out and "master again True" in out, out


@needs_fork
def test_a_forked_worker_leaves_the_process_export_folder_to_its_creator() -> None:
    # The model folder cannot be written, so exports go to a temporary folder removed at exit.
    # A forked worker inherited the atexit handler and deleted the folder its master still used.
    out = _run(
        """
        from journeymap.emotions import _onnx
        folder = _onnx._process_dir()
        pid = os.fork()
        if pid == 0:
            sys.exit(0)
        print("worker", wait(pid, 30))
        print("folder kept", folder.is_dir())
        """,
        timeout=60,
    )
    assert "worker 0" in out and "folder kept True" in out, out


def test_an_export_that_cannot_be_written_is_a_model_load_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The export folder went missing (removed by another process) and could not be made again:
    # that was a TextsFailedError wrapping FileNotFoundError, blaming the texts.
    import torch

    import journeymap as jm

    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    monkeypatch.setenv("JOURNEYMAP_MODEL_DIR", str(blocker / "models"))
    monkeypatch.setattr(_onnx, "_process_dir", lambda: blocker / "gone")
    with pytest.raises(jm.ModelLoadError, match="could not export tiny to ONNX"):
        _onnx.cached_model("tiny", [], "float32", lambda: (torch.nn.Linear(1, 1), "out"))


def test_a_model_that_fails_to_load_is_not_blamed_on_the_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    import journeymap as jm
    from journeymap.emotions.default import DefaultScorer

    def missing(self: DefaultScorer) -> None:
        raise FileNotFoundError(2, "No such file or directory", "/tmp/journeymap-models-x/.export-y")

    monkeypatch.setattr(DefaultScorer, "_build", missing)
    scorer = DefaultScorer(precision="float32")
    events = pd.DataFrame({"text": ["my parcel is late"], "actor": "customer"})
    with pytest.raises(jm.ModelLoadError, match="could not load the model of scorer") as info:
        jm.score(events, scorer=scorer, cache=False, prior="none")
    assert not isinstance(info.value, jm.TextsFailedError)


# -- 3. max_length and max_windows are checked when the scorer is built -----------------------------------
@pytest.mark.parametrize("value", [-5, 0, 2, 513, 1000, 64.0, "64", True])
def test_the_default_scorer_refuses_a_max_length_outside_its_windows(value: object) -> None:
    # 0 and -5 were read as one-token windows (other scores, no warning); 1000 failed only when a
    # long text was scored, as a TextsFailedError (the encoder has 512 positions).
    import journeymap as jm

    with pytest.raises(jm.InvalidArgumentError, match=r"max_length must be a whole number from 3 to 512"):
        jm.get_scorer("default", max_length=value)


@pytest.mark.parametrize("value", [0, -1, 1.5])
def test_the_default_scorer_refuses_a_max_windows_below_one(value: object) -> None:
    # 0 and -1 were read as 1
    import journeymap as jm

    with pytest.raises(jm.InvalidArgumentError, match="max_windows must be a whole number of at least 1"):
        jm.get_scorer("default", max_windows=value)


def test_the_default_scorer_takes_the_ends_of_the_max_length_range() -> None:
    import journeymap as jm

    assert jm.get_scorer("default", max_length=3).id.endswith("+len3")
    assert jm.get_scorer("default", max_length=512, max_windows=1).id.endswith("+len512+w1")


def test_a_hugging_face_scorer_refuses_a_max_length_outside_its_windows(tmp_path: Path) -> None:
    # 0 was taken (one token per window, the rest of the text unread); above the model's positions it is refused too
    import journeymap as jm
    from tests.test_review12_emotions import tiny_bert

    folder = tiny_bert(tmp_path / "short", ["joy", "anger", "sadness", "neutral"], positions=64)
    for value in (0, 2, 65, 512):
        with pytest.raises(jm.InvalidArgumentError, match=r"max_length must be a whole number from 3 to 64"):
            jm.TransformerScorer(folder, max_length=value)
    assert jm.TransformerScorer(folder, max_length=3).max_length == 3
    with pytest.raises(jm.InvalidArgumentError, match="max_windows must be a whole number of at least 1"):
        jm.TransformerScorer(folder, max_windows=0)


# -- 4. get_scorer is typed by name ------------------------------------------------------------------------
@pytest.mark.skipif(sys.version_info < (3, 11), reason="typing.get_overloads is Python 3.11+")
def test_get_scorer_gives_a_type_checker_the_default_scorers_class() -> None:
    # notebooks/02 reads scorer.loaded after jm.get_scorer("default"): mypy --strict refused it,
    # get_scorer being typed as returning the EmotionScorer protocol (which has no `loaded`).
    import typing

    import journeymap as jm
    from journeymap.emotions import registry
    from journeymap.emotions.default import DefaultScorer
    from journeymap.emotions.scorer import EmotionScorer
    from journeymap.emotions.transformer import TransformerScorer

    names = {"DefaultScorer": DefaultScorer, "TransformerScorer": TransformerScorer}
    returns = {}
    for overload in typing.get_overloads(jm.get_scorer):
        hints = typing.get_type_hints(overload, vars(registry), names)
        returns[hints["name"]] = hints["return"]
    assert returns[typing.Literal["default"]] is DefaultScorer
    assert returns[typing.Literal["transformer"]] is TransformerScorer
    assert returns[str | os.PathLike[str]] is EmotionScorer
    assert isinstance(jm.get_scorer("default"), DefaultScorer)


# -- 5. a Taxonomy that does not validate is a JourneyMapError ----------------------------------------------
@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"name": "x", "labels": ["a", "a"], "valence": {"a": 0.5}}, "labels must be unique"),
        ({"name": "x", "labels": ["a"], "valence": {"a": 7}}, r"valence must lie in \[-1, 1\]"),
        ({"name": "x", "labels": ["a"], "valence": {"a": "high"}}, "valence.a: Input should be a valid number"),
        ({"name": "", "labels": ["a"], "valence": {"a": 0.5}}, "name: String should have at least 1 character"),
    ],
)
def test_a_taxonomy_that_does_not_validate_is_an_invalid_argument_error(fields: dict[str, object], reason: str) -> None:
    # a service building a Taxonomy from a client's settings got pydantic's ValidationError, no JourneyMapError
    import journeymap as jm

    with pytest.raises(jm.InvalidArgumentError, match=f"not a valid Taxonomy: .*{reason}"):
        jm.Taxonomy(**fields)  # type: ignore[arg-type]


# -- 6. graph and XES writers name a wrong argument -------------------------------------------------------
def test_graph_writers_refuse_a_journey_set_and_say_what_to_pass(tmp_path: Path) -> None:
    # to_graphml(js, path) raised AttributeError ('JourneySet' object has no attribute 'graph')
    import journeymap as jm

    js = jm.build_journeys(jm.datasets.service_journeys(3, seed=0))
    with pytest.raises(
        jm.ArgumentTypeError, match=r"to_graphml takes the graph of journeymap.journey_graph\(js\), not a JourneySet"
    ):
        jm.to_graphml(js, tmp_path / "g.graphml")
    with pytest.raises(jm.ArgumentTypeError, match=r"to_node_link takes a networkx graph .*got dict"):
        jm.to_node_link({"nodes": []})
    from journeymap.testing.data import planted_scores

    graph = jm.journey_graph(planted_scores(js))
    with pytest.raises(jm.ArgumentTypeError, match=r"to_graphml needs a file path .*got NoneType"):
        jm.to_graphml(graph, None)  # type: ignore[arg-type]
    assert jm.to_graphml(graph, tmp_path / "g.graphml").is_file()


def test_to_xes_names_a_missing_path() -> None:
    # to_xes(js, None) raised a bare TypeError from pathlib
    import journeymap as jm

    js = jm.build_journeys(jm.datasets.service_journeys(3, seed=0))
    with pytest.raises(jm.ArgumentTypeError, match=r"to_xes needs a file path .*got NoneType"):
        jm.to_xes(js, None)  # type: ignore[arg-type]
