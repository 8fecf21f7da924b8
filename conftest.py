"""Make pytest reuse the modules Python imports, whichever journeymap files a run collects.

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
from pathlib import Path

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
