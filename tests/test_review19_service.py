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
