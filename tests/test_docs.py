from __future__ import annotations

import inspect
import re
from pathlib import Path

import journeymap
import journeymap.distributed
import journeymap.plot

API = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_every_public_name_is_in_the_api_reference() -> None:
    documented = set(re.findall(r"^::: ([\w.]+)$", API.read_text(), flags=re.MULTILINE))
    missing = []
    for name in journeymap.__all__:
        obj = getattr(journeymap, name)
        if name.startswith("__") or inspect.ismodule(obj):
            continue
        if f"journeymap.{name}" not in documented:
            missing.append(name)
    missing += [f"plot.{n}" for n in journeymap.plot.__all__ if f"journeymap.plot.{n}" not in documented]
    missing += [f"distributed.{n}" for n in journeymap.distributed.__all__ if f"journeymap.distributed.{n}" not in documented]
    assert not missing, f"public names missing from docs/api.md: {missing}"
