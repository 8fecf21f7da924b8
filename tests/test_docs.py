from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import journeymap
import journeymap.distributed
import journeymap.io
import journeymap.journeys
import journeymap.plot
import journeymap.testing
import journeymap.topics

API = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def _resolve(path: str) -> object:
    """The object a ``::: path`` line documents (a function may be named where it is defined)."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_public_name_is_in_the_api_reference() -> None:
    paths = re.findall(r"^::: ([\w.]+)$", API.read_text(), flags=re.MULTILINE)
    documented = {id(_resolve(p)) for p in paths}
    missing = []
    for name in journeymap.__all__:
        obj = getattr(journeymap, name)
        if name.startswith("__") or inspect.ismodule(obj):
            continue
        if id(obj) not in documented:
            missing.append(name)
    modules = (journeymap.plot, journeymap.distributed, journeymap.io, journeymap.journeys, journeymap.topics, journeymap.testing)
    for module in modules:
        short = module.__name__.removeprefix("journeymap.")
        missing += [f"{short}.{n}" for n in module.__all__ if id(getattr(module, n)) not in documented]
    assert not missing, f"public names missing from docs/api.md: {missing}"
