from __future__ import annotations

import subprocess
import sys
import textwrap


def test_import_is_light_and_offline() -> None:
    code = textwrap.dedent(
        """
        import socket, sys
        def refuse(*args, **kwargs):
            raise RuntimeError("network access at import time")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        import journeymap
        journeymap.available_scorers()
        heavy = sorted(m for m in ("torch", "transformers", "matplotlib", "dask", "sentence_transformers")
                       if m in sys.modules)
        print(",".join(heavy))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"heavy modules imported by 'import journeymap': {result.stdout}"


def test_public_names_are_exported() -> None:
    """Every name in ``__all__`` resolves (the lazy ones too) to journeymap's own object."""
    import inspect

    import journeymap

    assert sorted(journeymap.__all__) == journeymap.__all__
    missing = [name for name in journeymap.__all__ if not hasattr(journeymap, name)]
    assert missing == [], f"in journeymap.__all__ but not importable: {missing}"
    homes = {
        name: obj.__name__ if inspect.ismodule(obj) else getattr(obj, "__module__", None)
        for name in journeymap.__all__
        if name != "__version__"
        for obj in [getattr(journeymap, name)]
    }
    foreign = {name: home for name, home in homes.items() if not (home or "").startswith("journeymap")}
    assert foreign == {}, f"exported names that are not journeymap's own: {foreign}"
    assert isinstance(journeymap.__version__, str) and journeymap.__version__


def test_single_machine_path_never_imports_dask() -> None:
    """Dask is imported only when the user asks for the distributed path: using one of its names."""
    code = textwrap.dedent(
        """
        import sys
        import journeymap as jm
        from journeymap.testing.data import planted_scores
        js = planted_scores(jm.build_journeys(jm.read_events(jm.datasets.service_journeys(20, seed=0).events)))
        jm.touchpoint_summary(js); jm.journey_graph(js); jm.time_patterns(js)
        heavy = ("dask", "distributed", "journeymap.distributed.events", "journeymap.distributed.aggregates")
        print(",".join(sorted(m for m in heavy if m in sys.modules)) or "-")
        import journeymap.distributed as jmd
        print("dask" in sys.modules)
        jmd.DaskJourneySet
        print("dask" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["-", "False", "True"], f"imported on the single-machine path: {result.stdout}"


def test_core_modules_never_import_the_distributed_backend() -> None:
    """Layers: nothing below journeymap.distributed imports it (the backend registers itself).

    An import under ``if TYPE_CHECKING:`` is only read by type checkers (the annotations that
    name a DaskJourneySet, review 19) and never runs: it is allowed.
    """
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "journeymap"
    offenders = []
    for path in root.rglob("*.py"):
        if "distributed" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
            for stmt in node.body
            for inner in ast.walk(stmt)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(("journeymap.distributed", "dask", "distributed"))]
    assert offenders == []
