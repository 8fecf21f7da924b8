"""The declared minimum versions (pyproject.toml) and the newest ones run the same code.

Each test here failed at the floors (numpy 1.26, pandas 2.2, typer, transformers 4.44, networkx 3.2,
scikit-learn 1.4, matplotlib 3.8, py3langid 0.2) or on the newest versions before its fix; the
docstring of each says where. pytest runs with filterwarnings=error, so a warning is a failure.
"""

from __future__ import annotations

import pytest

import journeymap as jm
from journeymap.testing.data import planted_scores


@pytest.fixture(scope="module")
def scored() -> jm.JourneySet:
    return planted_scores(jm.build_journeys(jm.datasets.service_journeys(12, seed=0)))


# -- the CLI builds with the typer the floor allows ------------------------------------------------------
def test_every_cli_command_builds_its_options() -> None:
    """typer 0.12 to 0.15 with click 8.2 on could not build a bool option ('Secondary flag is not valid')."""
    import typer
    from typer.testing import CliRunner

    from journeymap.cli import app

    runner = CliRunner()
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0, top.output
    names = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert "demo" in names
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output, result.exception)
