"""Progress bars never warn in a notebook without ipywidgets."""

from __future__ import annotations

import io
import sys
import types
import warnings
from typing import TYPE_CHECKING

from journeymap import _progress

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


class ZMQInteractiveShell:  # the class name Jupyter's kernel shell has
    pass


def _fake_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("IPython")
    fake.get_ipython = ZMQInteractiveShell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake)


def test_a_notebook_without_ipywidgets_gets_the_text_bar_and_no_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_notebook(monkeypatch)
    assert _progress._in_notebook()
    monkeypatch.setattr(_progress.importlib.util, "find_spec", lambda name: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bar = _progress.progress(total=2, file=io.StringIO())
    assert type(bar).__module__ == "tqdm.std"
    bar.close()


def test_outside_a_notebook_the_text_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not _progress._in_notebook()
    bar = _progress.progress(total=1, file=io.StringIO())
    assert type(bar).__module__ == "tqdm.std"
    bar.close()


def test_a_fully_cached_run_shows_no_bar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    from journeymap.emotions.cache import cached_rows, open_cache

    store = open_cache(tmp_path / "c.sqlite")

    def ones(batch: list[str]) -> np.ndarray:
        return np.ones((len(batch), 2), np.float32)

    cached_rows(["a", "b"], "demo.v1", 2, ones, cache=store, progress=True, what="demo")
    assert "demo (demo.v1)" in capsys.readouterr().err  # something to do: the bar asked for
    cached_rows(["a", "b"], "demo.v1", 2, ones, cache=store, progress=True, what="demo")
    assert capsys.readouterr().err == ""  # all cached: no "0 text" bar


def test_a_bar_that_is_not_shown_starts_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # from a review as a service: any tqdm, shown or not, starts tqdm's monitor thread
    import threading

    import tqdm

    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.setattr(tqdm.tqdm, "monitor", None)
    before = {t.name for t in threading.enumerate()}
    with _progress.progress(total=3, disable=True) as bar:
        bar.update(2)
        bar.set_postfix(loss="0.1")
    assert bar.n == 2
    assert {t.name for t in threading.enumerate()} - before == set()
    assert tqdm.tqdm.monitor is None
