"""journeymap embedded in a service, under concurrency (review 19: rv39).

- a process forked while another thread held one of journeymap's module locks (the model build's,
  the charts', the Dask scorers') waited for ever on its first use of it;
- building a model saved and restored torch's global random state, so the numbers other threads
  drew during the build were drawn again after it;
- an ONNX export killed half-way left its ``.export-*`` folder for ever, and processes starting on
  an empty model folder each exported the same model at once.
"""

from __future__ import annotations

import importlib
import os
import signal
import threading
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is not available on this platform")


def _fork_while_held(module_name: str, attribute: str, use: Callable[[], object] | None = None) -> int:
    """Fork while another thread holds ``module.attribute``; the child's exit status (0: it got the lock).

    The child looks the lock up as its users do (on the module, at call time), takes it with a
    timeout, and then runs ``use`` (a real user of the lock) under an alarm, so that a child that
    would wait for ever is killed instead.
    """
    module = importlib.import_module(module_name)
    held, done = threading.Event(), threading.Event()

    def holder() -> None:
        with getattr(module, attribute):
            held.set()
            done.wait(30)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(10)
        with warnings.catch_warnings():  # Python 3.12+ warns about forking a process with threads
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: never return into pytest
            status = 3
            try:
                signal.alarm(20)  # a child blocked in `use` dies of SIGALRM
                lock = getattr(module, attribute)
                if lock.acquire(timeout=5):
                    lock.release()
                    if use is not None:
                        use()
                    status = 0
                else:
                    status = 1
            except BaseException:  # any failure is the child's exit status
                status = 2
            finally:
                os._exit(status)
        deadline = time.monotonic() + 40
        while True:
            done_pid, raw = os.waitpid(pid, os.WNOHANG)
            if done_pid:
                break
            if time.monotonic() > deadline:  # pragma: no cover - the alarm kills it first
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return -1
            time.sleep(0.05)
        return os.waitstatus_to_exitcode(raw)
    finally:
        done.set()
        thread.join()


@needs_fork
def test_a_child_forked_while_a_model_is_built_gets_the_load_lock() -> None:
    from journeymap import _loading

    # the child also runs a real user of the lock (it builds under it)
    assert _fork_while_held("journeymap._loading", "LOAD_LOCK", lambda: _loading.quiet_transformers().__enter__()) == 0


@needs_fork
def test_a_child_forked_while_a_chart_is_drawn_gets_the_chart_lock() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    from journeymap.plot import _theme

    def draw() -> None:
        _theme.get_ax(None)
        plt.close("all")

    assert _fork_while_held("journeymap.plot._theme", "RC_LOCK", draw) == 0


@needs_fork
def test_a_child_forked_while_a_dask_scorer_is_made_gets_the_scorers_lock() -> None:
    pytest.importorskip("dask")
    from journeymap.distributed import scoring

    assert _fork_while_held("journeymap.distributed.scoring", "_SCORERS_LOCK", scoring.clear_scorers) == 0


@needs_fork
def test_the_locks_are_new_only_in_the_child() -> None:
    from journeymap import _loading

    before = _loading.LOAD_LOCK
    assert _fork_while_held("journeymap._loading", "LOAD_LOCK") == 0
    assert _loading.LOAD_LOCK is before  # the parent keeps its own


def test_building_the_default_scorer_draws_no_random_number_and_rewinds_no_other_thread() -> None:
    """Another thread drawing from torch's global generator during a build gets the seed's sequence, unrepeated.

    The build used to save the generator's state and put it back afterwards: the numbers the other
    thread drew meanwhile came again (rv39: 301 repeats in 2,561 draws). Now the build draws nothing,
    so the other thread's numbers are exactly those its seed gives, as if no model had been built.
    """
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from journeymap.emotions.default import DefaultScorer

    scorer = DefaultScorer(backend="torch", precision="float32")
    draws: list[float] = []
    started, stop = threading.Event(), threading.Event()

    def sample() -> None:  # a service's own work on another thread
        while not stop.is_set():
            draws.append(torch.rand(1).item())
            started.set()
            time.sleep(0.001)

    torch.manual_seed(7)
    thread = threading.Thread(target=sample)
    thread.start()
    try:
        assert started.wait(10)
        _ = scorer.model  # the build: under LOAD_LOCK, heads left uninitialised, weights loaded
        assert scorer.loaded
    finally:
        stop.set()
        thread.join()
    assert len(draws) > 10
    assert len(set(draws)) == len(draws)  # no repeats
    torch.manual_seed(7)
    assert draws == torch.rand(len(draws)).tolist()  # the seed's own sequence: the build drew nothing


def test_the_heads_of_a_model_loaded_to_score_are_not_initialised_at_random() -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from journeymap.emotions import _minilm
    from journeymap.emotions.default import WEIGHTS_DIR

    torch.manual_seed(3)
    before = torch.get_rng_state()
    model, _ = _minilm.build_multitask(28, init=False)
    assert torch.equal(before, torch.get_rng_state())  # nothing drawn
    _minilm.load_weights(model, WEIGHTS_DIR)
    assert torch.equal(before, torch.get_rng_state())
    _, _ = _minilm.build_multitask(28)  # training's build still initialises its heads
    assert not torch.equal(before, torch.get_rng_state())


def _tiny_build() -> tuple[object, str]:
    """A network as small as can be exported, built slowly, leaving a line in ``$JM_TEST_BUILDS`` per build."""
    import torch

    class Tiny(torch.nn.Module):
        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return (input_ids * attention_mask).float().sum(dim=1, keepdim=True)

    with open(os.environ["JM_TEST_BUILDS"], "a") as log:
        log.write(f"{os.getpid()}\n")
    time.sleep(1.5)  # long enough for the other process to arrive while this one exports
    return Tiny(), "out"


def _export_in_process(weights: str, barrier: object, out: str) -> None:
    from journeymap.emotions import _onnx

    barrier.wait(120)  # type: ignore[attr-defined]
    path = _onnx.cached_model("tiny", [Path(weights)], "float32", _tiny_build)  # type: ignore[arg-type]
    Path(out).write_text(str(path))


def test_an_export_removes_the_folders_that_killed_exports_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    from journeymap.emotions import _onnx

    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv("JOURNEYMAP_MODEL_DIR", str(models))
    monkeypatch.setenv("JM_TEST_BUILDS", str(tmp_path / "builds.txt"))
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"tiny")
    host = getattr(_onnx, "_HOST", "0" * 8)
    killed = models / f".export-{host}-99999999-a1b2c3d4"  # a process of this machine that is gone (above pid_max)
    killed.mkdir()
    (killed / "float32.onnx").write_bytes(b"\0" * 1000)  # killed half-way through writing
    older = models / ".export-e5f6g7h8"  # left by a version that did not record the process, two hours ago
    older.mkdir()
    (older / "float32.onnx").write_bytes(b"\0" * 1000)
    two_hours_ago = time.time() - 7200
    os.utime(older / "float32.onnx", (two_hours_ago, two_hours_ago))
    os.utime(older, (two_hours_ago, two_hours_ago))
    recent = models / ".export-i9j0k1l2"  # as old a version's, still exporting: kept
    recent.mkdir()

    path = _onnx.cached_model("tiny", [weights], "float32", _tiny_build)  # type: ignore[arg-type]
    assert path.is_file() and path.parent == models
    assert sorted(p.name for p in models.iterdir() if p.name.startswith(".export-")) == [".export-i9j0k1l2"]


def test_processes_starting_on_an_empty_model_folder_export_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    pytest.importorskip("fcntl")  # without it the processes export side by side, as before
    models = tmp_path / "models"
    builds = tmp_path / "builds.txt"
    monkeypatch.setenv("JOURNEYMAP_MODEL_DIR", str(models))
    monkeypatch.setenv("JM_TEST_BUILDS", str(builds))
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"tiny")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    outs = [tmp_path / f"path{i}.txt" for i in range(2)]
    processes = [context.Process(target=_export_in_process, args=(str(weights), barrier, str(out))) for out in outs]
    for process in processes:
        process.start()
    for process in processes:
        process.join(180)
        assert process.exitcode == 0
    paths = [out.read_text() for out in outs]
    assert paths[0] == paths[1]
    assert len(builds.read_text().split()) == 1  # one process exported, the other read its file
    assert Path(paths[0]).is_file()
    assert [p.name for p in models.iterdir() if p.name.startswith(".export-")] == []  # the lock file is .export.lock
