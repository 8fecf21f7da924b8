"""Review 22, miscellaneous fixes: agent sign-offs ("Thanks, Sam"), weekly exports combined, a light star import,
topic colours of 3:1 on white, and one network per device.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# 3. A star import stays as light as ``import journeymap``

HEAVY = ("matplotlib", "torch", "sklearn", "dask", "scipy", "transformers", "onnxruntime")


@pytest.mark.parametrize("statement", ["import journeymap", "from journeymap import *"])
def test_star_import_imports_no_heavy_library(statement: str) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        {statement}
        print(",".join(m for m in {HEAVY!r} if m in sys.modules) or "-")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "-", f"{statement!r} imported {result.stdout.strip()}"  # before: sklearn,scipy


def test_the_heavy_names_stay_public_as_lazy_attributes() -> None:
    import journeymap as jm

    assert set(jm._HEAVY_NAMES).isdisjoint(jm.__all__)
    assert {"TopicModel", "assign_topics"} <= set(dir(jm))
    from journeymap.topics import TopicModel, assign_topics

    assert jm.TopicModel is TopicModel and jm.assign_topics is assign_topics
