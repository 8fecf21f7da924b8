"""Make pytest reuse the modules Python imports, whichever journeymap files a run collects; share the cores among workers.

With ``--import-mode=importlib``, pytest imports a file it collects for its doctests by its own
means when the module is not yet in ``sys.modules``: it builds the missing parent packages anew
from their ``__init__.py`` (so ``journeymap.analytics`` loses its submodule attributes) and sets
the module as an attribute of its parent (so ``jm.report`` and ``jm.plot.journey``, functions
named after their modules, become the modules). A full run imports journeymap from the tests
before it reaches the package's files; ``pytest journeymap/report.py`` alone did not. Importing
each module by its name first, as Python would, makes pytest find it in ``sys.modules``.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

PACKAGE = Path(__file__).parent / "journeymap"


def pytest_collect_file(file_path: Path) -> None:
    """Import a module of the package by its dotted name before pytest collects its doctests."""
    if file_path.suffix != ".py" or file_path.name == "__main__.py" or PACKAGE not in file_path.parents:
        return
    parts = file_path.relative_to(PACKAGE.parent).with_suffix("").parts
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    try:
        importlib.import_module(name)
    except ImportError:  # an optional dependency missing: pytest reports it as it would have
        return


#: The thread-count variables of the math libraries the tests run: torch's intra-op pool and GNU
#: OpenMP, OpenBLAS (numpy, scipy, scikit-learn), MKL.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, give each worker's math libraries its share of the cores, not every core.

    Each library sizes its thread pool to the whole machine, so ``-n auto`` on 2 cores ran two
    workers of two busy-waiting threads each: one worker's threads spun on the core the other
    worker was computing on. On 2 cores, one thread per worker took the report, CLI, scorer and
    topic test files (99 tests, two rounds each way) from 69-80 s to 67-68 s (user CPU 129-147 s
    to 122 s), and a whole run with ``OMP_NUM_THREADS=1`` took 407 s against 446 s; the same
    tests pass. Set here, in the controller, before the workers start (they inherit the
    environment, and their libraries read it at import); a value the caller set is kept.
    """
    workers = getattr(config.option, "numprocesses", None)
    if os.environ.get("PYTEST_XDIST_WORKER") or not isinstance(workers, int) or workers < 1:
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, str(max(1, cores // workers)))
