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
